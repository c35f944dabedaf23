import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PostfixConfig, type PostfixConfigArgs } from "@smartos-mail/pulumi";
import { CheckFailedError } from "../harness/engine";
import { connectionTo, freshStandInStack, OUTPUT_DIR, suiteHost } from "../harness/fixtures";
import { filesUnder } from "../harness/secret-scan";
import { hostShell, sshCommands, sshLogins } from "../harness/testbed";

const HOST = "sec";
const CANARY = "/tmp/pwned";
const PAYLOADS = [
  `$(touch ${CANARY})`,
  `\`touch ${CANARY}\``,
  `'; touch ${CANARY}; '`,
  `"; touch ${CANARY}; "`,
  `x\ntouch ${CANARY}`,
  `x; touch ${CANARY}`,
];

/** Every string field of PostfixConfig, with how to read it back from Postfix if it is accepted. */
type Field = { name: string; args: (v: string) => Partial<PostfixConfigArgs>; readBack?: string };
const FIELDS: Field[] = [
  { name: "myhostname", args: (v) => ({ myhostname: v }) },
  { name: "mydomain", args: (v) => ({ mydomain: v }) },
  { name: "myorigin", args: (v) => ({ myorigin: v }) },
  { name: "mynetworks[0]", args: (v) => ({ mynetworks: [v] }) },
  { name: "inetInterfaces[0]", args: (v) => ({ inetInterfaces: [v] }) },
  { name: "relayhost.host", args: (v) => ({ relayhost: { host: v } }) },
  { name: "rootAlias", args: (v) => ({ rootAlias: v }) },
  {
    name: "saslRelay.username",
    args: (v) => ({ relayhost: { host: "relay.example.net" }, saslRelay: { username: v, password: "pw" } }),
    readBack: "postmap -q '[relay.example.net]' hash:/etc/postfix/sasl/smtp_passwd | sed 's/:pw$//'",
  },
  {
    name: "saslRelay.password",
    args: (v) => ({ relayhost: { host: "relay.example.net" }, saslRelay: { username: "u", password: v } }),
    readBack: "postmap -q '[relay.example.net]' hash:/etc/postfix/sasl/smtp_passwd | sed 's/^u://'",
  },
  {
    name: "parameters (value)",
    args: (v) => ({ parameters: { smtpd_banner: v } }),
    readBack: "postconf -h smtpd_banner",
  },
  { name: "parameters (name)", args: (v) => ({ parameters: { [v]: "x" } }) },
  { name: "connection.user", args: () => ({}) },
];

describe("PostfixConfig against hostile input and a wrong host", () => {
  const host = suiteHost(HOST, 3);

  for (const payload of PAYLOADS) {
    it(`${JSON.stringify(payload)} in every string field is refused by check or reaches Postfix literally`, async () => {
      for (const field of FIELDS) {
        const stack = freshStandInStack(`security-${PAYLOADS.indexOf(payload)}-${FIELDS.indexOf(field)}`);
        const connection =
          field.name === "connection.user" ? { ...connectionTo(host()), user: payload } : connectionTo(host());
        const program = () => [new PostfixConfig("hostile", { connection, profile: "linux", ...field.args(payload) })];
        const logins = sshLogins(HOST);
        try {
          await stack.up(program);
        } catch (err) {
          assert.ok(err instanceof CheckFailedError, `${field.name}: expected a check failure, got ${err}`);
          assert.ok(
            err.failures.some((f) => f.reason.startsWith(field.name.split(" ")[0].replace(/\[0\]$/, ""))),
            `${field.name}: ${err.message}`,
          );
          assert.equal(sshLogins(HOST), logins, `${field.name}: nothing may run when check fails`);
          continue;
        }
        assert.ok(field.readBack, `${field.name} accepted ${JSON.stringify(payload)} but has no way to read it back`);
        assert.equal(
          hostShell(HOST, field.readBack).stdout,
          `${payload}\n`,
          `${field.name} must reach Postfix literally`,
        );
        await stack.destroy();
      }
      assert.equal(hostShell(HOST, `test -e ${CANARY} && echo present || echo absent`).stdout, "absent\n");
      assert.ok(!existsSync(CANARY), "canary in the test machine's own /tmp");
    });
  }

  it("a host presenting a different host key is refused before any command runs", async () => {
    const stack = freshStandInStack("security-host-key");
    const wrong = `SHA256:${"Z".repeat(43)}`;
    const logins = sshLogins(HOST);
    const commands = sshCommands(HOST).length;
    const before = hostShell(HOST, "postconf -n").stdout;
    await assert.rejects(
      stack.up(() => [
        new PostfixConfig("pinned", {
          connection: { ...connectionTo(host()), hostKeyFingerprint: wrong },
          profile: "linux",
          myhostname: "mx.example.com",
        }),
      ]),
      (err: Error) => {
        assert.ok(
          err.message.includes(
            `host key mismatch for root@${host().host}:22: expected ${wrong}, got ${host().hostKeyFingerprint};`,
          ),
          err.message,
        );
        assert.match(err.message, /refused before running any command/);
        return true;
      },
    );
    assert.equal(sshLogins(HOST), logins);
    assert.equal(sshCommands(HOST).length, commands);
    assert.equal(hostShell(HOST, "postconf -n").stdout, before);
    assert.equal(stack.resource("pinned"), undefined);
  });

  it("no private key or password in plaintext in provider text, harness state or any log", async () => {
    const password = "Sup3r-Secret-Relay-Password";
    const stack = freshStandInStack("security-secrets");
    let args: PostfixConfigArgs = {
      connection: connectionTo(host()),
      profile: "linux",
      myhostname: "mx.example.com",
      relayhost: { host: "relay.example.net", port: 587 },
      saslRelay: { username: "mailer", password },
    };
    const program = () => [new PostfixConfig("secrets", args)];
    await stack.up(program);
    args = { ...args, myhostname: "mx2.example.com" };
    await stack.up(program);
    await stack.refresh();
    const providerText = String(stack.resource("secrets")!.inputs.__provider);
    const liveState = readFileSync(stack.statePath, "utf8");
    assert.ok(liveState.includes("ciphertext"), "secrets are stored encrypted");
    await stack.destroy();

    const keyBody = host()
      .privateKey.split("\n")
      .filter((l) => l && !l.startsWith("-----"));
    const needles = [password, ...keyBody];
    const haystacks: [string, string][] = [
      ["serialized provider", providerText],
      ["engine state before destroy", liveState],
      ["host sshd log", hostShell(HOST, "cat /var/log/sshd.log").stdout],
      ["host SSH command audit log", hostShell(HOST, "cat /var/log/testbed-ssh-commands.log").stdout],
      ["host Postfix log", hostShell(HOST, "cat /var/log/postfix.log").stdout],
      ["host main.cf", hostShell(HOST, "cat /etc/postfix/main.cf").stdout],
    ];
    // Every file the engine wrote for these stacks: state, its history and backups, the engine logs.
    for (const dir of readdirSync(OUTPUT_DIR).filter(
      (d) => d.startsWith("security-") || d.startsWith("postfix-config"),
    )) {
      haystacks.push(...filesUnder(path.join(OUTPUT_DIR, dir), OUTPUT_DIR));
    }
    for (const [where, text] of haystacks) {
      for (const needle of needles) assert.ok(!text.includes(needle), `secret found in ${where}`);
    }
  });
});
