import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PostfixConfig, type PostfixConfigArgs } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, OUTPUT_DIR, suiteHost } from "../harness/fixtures";
import { CheckFailedError, type CheckFailure } from "../harness/pulumi-stack";
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
type Field = {
  name: string;
  args: (v: string) => Partial<PostfixConfigArgs>;
  /** Where the check's failure points when it refuses the field (the CLI prints it as the property or first in the reason). */
  path: (v: string) => string;
  readBack?: string;
  /**
   * Tried on its own only. The SASL credentials are secrets: with the payload in them the check masks it in
   * every message (the engine shows secrets as [secret]), so with every field at once it would hide the
   * payload in the others' paths; and they need a relay host other than relayhost.host's payload.
   */
  alone?: true;
};
const FIELDS: Field[] = [
  { name: "myhostname", args: (v) => ({ myhostname: v }), path: () => "myhostname" },
  { name: "mydomain", args: (v) => ({ mydomain: v }), path: () => "mydomain" },
  { name: "myorigin", args: (v) => ({ myorigin: v }), path: () => "myorigin" },
  { name: "mynetworks[0]", args: (v) => ({ mynetworks: [v] }), path: () => "mynetworks[0]" },
  { name: "inetInterfaces[0]", args: (v) => ({ inetInterfaces: [v] }), path: () => "inetInterfaces[0]" },
  { name: "relayhost.host", args: (v) => ({ relayhost: { host: v } }), path: () => "relayhost.host" },
  { name: "rootAlias", args: (v) => ({ rootAlias: v }), path: () => "rootAlias" },
  {
    name: "saslRelay.username",
    args: (v) => ({ relayhost: { host: "relay.example.net" }, saslRelay: { username: v, password: "pw" } }),
    path: () => "saslRelay.username",
    readBack: "postmap -q '[relay.example.net]' hash:/etc/postfix/sasl/smtp_passwd | sed 's/:pw$//'",
    alone: true,
  },
  {
    name: "saslRelay.password",
    args: (v) => ({ relayhost: { host: "relay.example.net" }, saslRelay: { username: "u", password: v } }),
    path: () => "saslRelay.password",
    readBack: "postmap -q '[relay.example.net]' hash:/etc/postfix/sasl/smtp_passwd | sed 's/^u://'",
    alone: true,
  },
  {
    name: "parameters (value)",
    args: (v) => ({ parameters: { smtpd_banner: v } }),
    path: () => "parameters.smtpd_banner",
    readBack: "postconf -h smtpd_banner",
  },
  { name: "parameters (name)", args: (v) => ({ parameters: { [v]: "x" } }), path: (v) => `parameters.${v}` },
  // The payload goes into connection.user (see attempt below).
  { name: "connection.user", args: () => ({}), path: () => "connection.user" },
];

/** The fields' inputs in one: objects (`parameters`) merged, anything else from the last field that sets it. */
function mergeArgs(parts: Partial<PostfixConfigArgs>[]): Partial<PostfixConfigArgs> {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [k, v] of Object.entries(part)) out[k] = isObject(out[k]) && isObject(v) ? { ...out[k], ...v } : v;
  }
  return out as Partial<PostfixConfigArgs>;
}

/** Whether the check's failures, as the CLI printed them, refuse `field`. */
function refuses(failures: CheckFailure[], field: Field, payload: string): boolean {
  const at = field.path(payload);
  return failures.some((f) => f.property === at || f.reason.startsWith(`${at}: `));
}

describe("PostfixConfig against hostile input and a wrong host", () => {
  const host = suiteHost(HOST, 3);

  for (const payload of PAYLOADS) {
    it(`${JSON.stringify(payload)} in every string field is refused by check or reaches Postfix literally`, async () => {
      // One stack for the payload: a refused program leaves nothing in it, an accepted one is destroyed.
      const stack = freshStack(`security-${PAYLOADS.indexOf(payload)}`);
      /** `pulumi up` of the payload in `fields`: the check's failures, or undefined when it accepted them. */
      const attempt = async (fields: Field[], what: string): Promise<CheckFailure[] | undefined> => {
        const connection = fields.some((f) => f.name === "connection.user")
          ? { ...connectionTo(host()), user: payload }
          : connectionTo(host());
        const args = mergeArgs(fields.map((f) => f.args(payload)));
        const logins = sshLogins(HOST);
        try {
          await stack.up(() => [new PostfixConfig("hostile", { connection, profile: "linux", ...args })]);
          return undefined;
        } catch (err) {
          assert.ok(err instanceof CheckFailedError, `${what}: expected a check failure, got ${err}`);
          assert.equal(sshLogins(HOST), logins, `${what}: nothing may run when check fails`);
          assert.equal(stack.resource("hostile"), undefined, `${what}: the refused resource is in state`);
          return err.failures;
        }
      };
      // First every field at once: the check judges each field on its own and names each it refuses,
      // so one engine run stands for many (each run starts the CLI and the dynamic-provider plugin).
      const together = FIELDS.filter((f) => !f.alone);
      const failures = await attempt(together, "every field at once");
      assert.ok(failures, `the check accepted ${JSON.stringify(payload)} in every field at once`);
      // Then each field the check did not refuse there, on its own.
      for (const field of FIELDS.filter((f) => f.alone || !refuses(failures, f, payload))) {
        const refused = await attempt([field], field.name);
        if (refused) {
          assert.ok(refuses(refused, field, payload), `${field.name}: ${JSON.stringify(refused)}`);
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
    const stack = freshStack("security-host-key");
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

  it("no private key or password in plaintext in provider text, the engine's state or any log", async () => {
    const password = "Sup3r-Secret-Relay-Password";
    const stack = freshStack("security-secrets");
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
    assert.match(providerText, /exports\.handler/, "the serialized provider as the engine stores it");
    const liveState = readFileSync(stack.statePath, "utf8");
    assert.ok(liveState.includes("ciphertext"), "secrets are stored encrypted");
    await stack.destroy();
    assert.ok(existsSync(stack.logPath), "the engine log, scanned below");

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
