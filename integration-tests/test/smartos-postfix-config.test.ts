import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { PostfixConfig, type PostfixConfigArgs } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, suiteHost } from "../harness/fixtures";
import { smtpSmokeTest } from "../harness/smtp";
import { hostShell, sshCommands, withoutSsh } from "../harness/testbed";

const HOST = "szpf";
/** Postfix's commands the pkgsrc way, as the smartos profile's PATH finds them. */
const POSTCONF = "/opt/local/sbin/postconf";

describe("PostfixConfig with profile smartos on a SmartOS-personality host (pkgsrc paths, SMF)", () => {
  const host = suiteHost(HOST, 21, "smartos");
  const stack = freshStack("smartos-postfix-config");
  let baseline: string;
  let debianMainCf: string;
  let args: PostfixConfigArgs;
  const program = () => [new PostfixConfig("mail", args)];

  before(() => {
    baseline = hostShell(HOST, `${POSTCONF} -n`).stdout;
    debianMainCf = hostShell(HOST, "cat /etc/postfix/main.cf").stdout;
    args = {
      connection: connectionTo(host()),
      profile: "smartos",
      myhostname: "mx.cospix.net",
      mynetworks: ["$myhostname", "127.0.0.0/8", "[::1/128]"],
      inetInterfaces: ["all"],
      relayhost: { host: "relay.example.net", port: 587 },
      saslRelay: { username: "mailer", password: "relay-secret" },
      rootAlias: "ops@example.com",
    };
  });

  it("the host looks like a SmartOS zone: Postfix configured in /opt/local/etc/postfix and online under SMF", () => {
    assert.equal(hostShell(HOST, `${POSTCONF} -h config_directory`).stdout, "/opt/local/etc/postfix\n");
    assert.equal(hostShell(HOST, "svcs -H -o state postfix").stdout, "online\n");
  });

  it("create: the pkgsrc main.cf gets the values, the SASL map lands in /var/db/postfix, Postfix is refreshed via svcadm", async () => {
    const before = sshCommands(HOST).length;
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["create"],
    );
    const n = hostShell(HOST, `${POSTCONF} -n`).stdout.split("\n");
    for (const line of [
      "myhostname = mx.cospix.net",
      "mynetworks = $myhostname, 127.0.0.0/8, [::1]/128",
      "relayhost = [relay.example.net]:587",
      "smtp_sasl_password_maps = hash:/var/db/postfix/smtp_passwd",
    ]) {
      assert.ok(n.includes(line), `missing "${line}" in\n${n.join("\n")}`);
    }
    assert.equal(
      hostShell(HOST, "stat -c '%a %U' /var/db/postfix/smtp_passwd /var/db/postfix/smtp_passwd.db").stdout,
      "600 root\n600 root\n",
    );
    assert.equal(
      hostShell(HOST, "/opt/local/sbin/postalias -q root hash:/etc/mail/aliases").stdout,
      "ops@example.com\n",
    );
    const run = sshCommands(HOST).slice(before);
    assert.equal(run.length, 2, "the open-relay check on a copy of main.cf, then the change");
    assert.match(run[0], /postconf -c "\$stage" -x 'inet_interfaces' 'mynetworks'/);
    assert.doesNotMatch(run[0], /svcadm/);
    assert.match(run[1], /svcadm enable -s postfix && svcadm refresh postfix/);
    assert.equal(hostShell(HOST, "svcs -H -o state postfix").stdout, "online\n");
    assert.match(
      hostShell(HOST, "tail -n 5 /var/log/postfix.log").stdout,
      /reload -- version .*configuration \/opt\/local\/etc\/postfix/,
    );
    assert.equal(
      hostShell(HOST, "cat /etc/postfix/main.cf").stdout,
      debianMainCf,
      "Debian's own main.cf is not touched",
    );
  });

  it("the guide's SMTP smoke test gets 250 ... queued as", () => {
    assert.match(smtpSmokeTest(HOST, "root@cospix.net", "your@email.example"), /^250 2\.0\.0 Ok: queued as [0-9A-F]+/m);
  });

  it("second up: no diff, no SSH login, no remote command", async () => {
    assert.deepEqual(
      (await withoutSsh([HOST], () => stack.up(program))).map((s) => s.op),
      ["same"],
    );
  });

  it("destroy puts postconf -n back and removes the SASL map; Postfix stays online", async () => {
    assert.deepEqual(
      (await stack.destroy()).map((s) => s.op),
      ["delete"],
    );
    assert.equal(hostShell(HOST, `${POSTCONF} -n`).stdout, baseline);
    assert.equal(hostShell(HOST, "ls /var/db/postfix | grep -c smtp_passwd || true").stdout, "0\n");
    assert.equal(hostShell(HOST, "svcs -H -o state postfix").stdout, "online\n");
  });
});
