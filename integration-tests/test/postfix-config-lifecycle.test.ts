import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { PostfixConfig, type PostfixConfigArgs } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, suiteHost } from "../harness/fixtures";
import { smtpSmokeTest } from "../harness/smtp";
import { hostShell, sshCommands, withoutSsh } from "../harness/testbed";

const HOST = "life";
const PASSWORD = "relay pass 'with' $pecial `chars`";

describe("PostfixConfig lifecycle on a real Postfix host", () => {
  const host = suiteHost(HOST, 1);
  let baseline: string;
  let baselineAliases: string;
  const stack = freshStack("postfix-config-lifecycle");
  let args: PostfixConfigArgs;
  const program = () => [new PostfixConfig("mail", args)];

  before(() => {
    baseline = hostShell(HOST, "postconf -n").stdout;
    baselineAliases = hostShell(HOST, "cat /etc/aliases").stdout;
    args = {
      connection: connectionTo(host()),
      profile: "linux",
      myhostname: "mx.cospix.net",
      mydomain: "cospix.net",
      mynetworks: ["$myhostname", "127.0.0.0/8", "[::1/128]", "198.18.0.0/24"],
      inetInterfaces: ["all"],
      relayhost: { host: "relay.example.net", port: 587 },
      saslRelay: { username: "mailer", password: PASSWORD },
      rootAlias: "ops@example.com",
      parameters: { smtpd_banner: "$myhostname ESMTP", delay_warning_time: "4h" },
    };
  });

  it("create: postconf -n shows every value, the SASL map is 0600 and postmapped, root is aliased", async () => {
    const steps = await stack.up(program);
    assert.deepEqual(
      steps.map((s) => s.op),
      ["create"],
    );
    const n = hostShell(HOST, "postconf -n").stdout;
    for (const line of [
      "myhostname = mx.cospix.net",
      "mydomain = cospix.net",
      "mynetworks = $myhostname, 127.0.0.0/8, [::1]/128, 198.18.0.0/24",
      "inet_interfaces = all",
      "relayhost = [relay.example.net]:587",
      "smtp_sasl_auth_enable = yes",
      "smtp_sasl_password_maps = hash:/etc/postfix/sasl/smtp_passwd",
      "smtp_sasl_security_options = noanonymous",
      "smtp_tls_security_level = encrypt",
      "smtpd_banner = $myhostname ESMTP",
      "delay_warning_time = 4h",
    ]) {
      assert.ok(n.split("\n").includes(line), `missing "${line}" in\n${n}`);
    }
    const modes = hostShell(
      HOST,
      "stat -c '%a %U' /etc/postfix/sasl/smtp_passwd /etc/postfix/sasl/smtp_passwd.db",
    ).stdout;
    assert.equal(modes, "600 root\n600 root\n");
    const lookup = hostShell(HOST, "postmap -q '[relay.example.net]:587' hash:/etc/postfix/sasl/smtp_passwd").stdout;
    assert.equal(lookup, `mailer:${PASSWORD}\n`);
    assert.match(hostShell(HOST, "cat /etc/aliases").stdout, /^root: ops@example\.com$/m);
    assert.equal(hostShell(HOST, "postalias -q root hash:/etc/aliases").stdout, "ops@example.com\n");
    assert.equal(hostShell(HOST, "postfix status >/dev/null 2>&1; echo $?").stdout, "0\n");
  });

  it("the guide's SMTP smoke test gets 250 ... queued as", () => {
    const transcript = smtpSmokeTest(HOST, "root@cospix.net", "your@email.example");
    assert.match(transcript, /^220 /m);
    assert.match(transcript, /^250 2\.0\.0 Ok: queued as [0-9A-F]+/m, transcript);
  });

  it("second up: no diff, no SSH login, no remote command", async () => {
    const steps = await withoutSsh([HOST], () => stack.up(program));
    assert.deepEqual(
      steps.map((s) => [s.op, s.diff?.changes]),
      [["same", "none"]],
    );
  });

  it("changing one value updates only that value", async () => {
    const before = sshCommands(HOST).length;
    args = { ...args, myhostname: "mx1.cospix.net" };
    const steps = await stack.up(program);
    assert.deepEqual(
      steps.map((s) => s.op),
      ["update"],
    );
    const run = sshCommands(HOST).slice(before);
    assert.equal(run.length, 1, "one remote command per update");
    const edits = run[0].split("\n").filter((l) => /postconf -c "\$stage" -[eX]/.test(l));
    assert.equal(edits.length, 1);
    assert.match(edits[0], /-e 'myhostname=mx1\.cospix\.net' 2>/);
    assert.ok(!run[0].includes("smtp_passwd.smartos-mail-new"), "the SASL map is not rewritten");
    assert.ok(!run[0].includes("newaliases"), "aliases are not rebuilt");
    assert.match(hostShell(HOST, "postconf -h myhostname").stdout, /^mx1\.cospix\.net$/m);
  });

  it("manual drift shows up on refresh, and the next up repairs it", async () => {
    hostShell(
      HOST,
      "postconf -e myhostname=drifted.example.com && postconf -X delay_warning_time && sed -i 's/^root: .*/root: someone@else.example/' /etc/aliases",
    );
    const steps = await stack.refresh();
    assert.deepEqual(
      steps.map((s) => [s.op, s.drift]),
      [["refresh", true]],
    );
    const outputs = stack.resource("mail")!.outputs as {
      applied: Record<string, string | null>;
      rootAliasApplied: string;
    };
    assert.equal(outputs.applied.myhostname, "drifted.example.com");
    assert.equal(outputs.applied.delay_warning_time, null);
    assert.equal(outputs.rootAliasApplied, "someone@else.example");
    const repair = await stack.up(program);
    assert.deepEqual(
      repair.map((s) => s.op),
      ["update"],
    );
    assert.equal(hostShell(HOST, "postconf -h myhostname delay_warning_time").stdout, "mx1.cospix.net\n4h\n");
    assert.match(hostShell(HOST, "cat /etc/aliases").stdout, /^root: ops@example\.com$/m);
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["same"],
    );
  });

  it("a change Postfix refuses fails with Postfix's own words and leaves main.cf as it was", async () => {
    const mainCf = hostShell(HOST, "cat /etc/postfix/main.cf").stdout;
    const originals = hostShell(HOST, "cat /etc/postfix/.smartos-mail-originals").stdout;
    assert.match(originals, /^param myhostname/m, "the host's record of the values PostfixConfig took over");
    const typo = () => [
      new PostfixConfig("mail", { ...args, parameters: { ...args.parameters, smtpd_bannr: "typo" } }),
    ];
    await assert.rejects(
      stack.up(typo),
      /Postfix warns about the new main\.cf, nothing was changed: .*unused parameter: smtpd_bannr=typo/s,
    );
    assert.equal(hostShell(HOST, "cat /etc/postfix/main.cf").stdout, mainCf);
    assert.equal(hostShell(HOST, "cat /etc/postfix/.smartos-mail-originals").stdout, originals);
    assert.equal(
      hostShell(HOST, "find /etc/postfix -maxdepth 1 -name '.*' ! -name .smartos-mail-originals").stdout,
      "",
      "no staging or temporary file left behind",
    );
    assert.equal(hostShell(HOST, "postfix status >/dev/null 2>&1; echo $?").stdout, "0\n");
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["same"],
      "the failed update changed no state",
    );
  });

  it("a replacement on the same machine, reached at another address, deletes first: the new settings stay", async () => {
    // The host gets a second address with sshd on it: same machine, same host key, another connection.host.
    const second = "198.18.0.211";
    const added = hostShell(
      HOST,
      `ip addr add ${second}/24 dev eth0 && echo 'ListenAddress ${second}' >>/etc/ssh/sshd_config && kill -HUP "$(cat /run/sshd.pid)"`,
    );
    assert.equal(added.code, 0, added.stderr);
    const originals = hostShell(HOST, "cat /etc/postfix/.smartos-mail-originals").stdout;
    args = { ...args, connection: { ...connectionTo(host()), host: second }, myhostname: "mx2.cospix.net" };
    const steps = await stack.up(program);
    assert.deepEqual(
      steps.map((s) => [s.op, s.diff?.replaces, s.diff?.deleteBeforeReplace]),
      [["replace", ["connection"], true]],
    );
    assert.equal(hostShell(HOST, "postconf -h myhostname").stdout, "mx2.cospix.net\n");
    assert.match(hostShell(HOST, "cat /etc/aliases").stdout, /^root: ops@example\.com$/m);
    // The new resource recorded the same values from before as the old one did, not the old one's settings.
    assert.equal(hostShell(HOST, "cat /etc/postfix/.smartos-mail-originals").stdout, originals);
  });

  it("destroy leaves postconf -n and the aliases as before create, and removes the SASL map", async () => {
    const steps = await stack.destroy();
    assert.deepEqual(
      steps.map((s) => s.op),
      ["delete"],
    );
    assert.equal(hostShell(HOST, "postconf -n").stdout, baseline);
    assert.equal(hostShell(HOST, "cat /etc/aliases").stdout, baselineAliases);
    assert.equal(hostShell(HOST, "ls /etc/postfix/sasl").stdout, "");
    assert.equal(hostShell(HOST, "find /etc/postfix -maxdepth 1 -name '.*'").stdout, "", "a file of ours is left");
    assert.equal(hostShell(HOST, "postfix check 2>&1; postfix status >/dev/null 2>&1; echo $?").stdout, "0\n");
  });
});
