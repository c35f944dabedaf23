import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { OpenDkimKey, type OpenDkimKeyArgs, PostfixConfig, type PostfixConfigArgs } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, OUTPUT_DIR, suiteHost } from "../harness/fixtures";
import {
  filesUnder,
  findSecrets,
  type Haystack,
  hostLogs,
  type NamedSecret,
  splitSdkDebugEcho,
} from "../harness/secret-scan";
import { SECRET_SIG, SIG_KEY } from "../harness/secrets";
import { hostShell } from "../harness/testbed";

const HOST = "rssecret";
const PASSWORDS = ["scan-relay-One 'q' $v", "scan-relay-Two `t` ;x", 'scan-relay-Three "d" |p'] as const;
const KEY_PASSPHRASE = "scan-key-passphrase-Four";
const SASL_DIR = "/etc/postfix/sasl";

/** Whether a state value is stored encrypted (the engine's passphrase secrets manager). */
function sealed(v: unknown): boolean {
  return (
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG && "ciphertext" in v
  );
}

describe("secrets: every secret the suite uses stays out of providers, state, outputs and logs", () => {
  const host = suiteHost(HOST, 62);
  // The engine's own log at its most verbose (-v=9) goes into the scan too.
  const stack = freshStack("secrets-scan", { engineLogVerbosity: 9 });
  /** Texts captured along the way: state files between operations, serialized providers, error messages. */
  const captured: Haystack[] = [];
  const secrets: NamedSecret[] = [];
  let keyDir: string;
  let encryptedKey: string;
  let password: string = PASSWORDS[0];
  let trusted: string[] = [];

  const connection = (): PostfixConfigArgs["connection"] => ({
    ...connectionTo(host()),
    privateKey: encryptedKey,
    privateKeyPassword: KEY_PASSPHRASE,
  });
  const program = () => {
    const c = connection();
    const dkim = (name: string, domain: string): OpenDkimKey =>
      new OpenDkimKey(name, {
        connection: c,
        profile: "linux",
        domain,
        selector: "scan",
        trustedHosts: trusted,
      } as OpenDkimKeyArgs);
    return [
      new PostfixConfig("postfix", {
        connection: c,
        profile: "linux",
        myhostname: "mx.scan.example",
        relayhost: { host: "relay.scan.example", port: 587 },
        saslRelay: { username: "mailer", password },
        rootAlias: "ops@scan.example",
      }),
      dkim("dkim-a", "a.scan.example"),
      dkim("dkim-b", "b.scan.example"),
    ];
  };
  const capture = (what: string) => {
    captured.push([`state.json after ${what}`, readFileSync(stack.statePath, "utf8")]);
    for (const name of ["postfix", "dkim-a", "dkim-b"]) {
      const r = stack.resource(name);
      if (!r) continue;
      const provider = r.inputs.__provider;
      // The SDK's closure serialization of the provider module: real code, not a placeholder.
      assert.ok(
        typeof provider === "string" && provider.includes("exports.handler"),
        `${name}: no serialized provider`,
      );
      captured.push([`${name}'s serialized provider after ${what}`, provider]);
    }
  };

  before(() => {
    // A passphrase-protected copy of the testbed's client key: the key and its passphrase are both secrets.
    keyDir = mkdtempSync(path.join(tmpdir(), "secrets-scan-"));
    const file = path.join(keyDir, "id_ed25519");
    writeFileSync(file, host().privateKey, { mode: 0o600 });
    execFileSync("ssh-keygen", ["-q", "-p", "-f", file, "-P", "", "-N", KEY_PASSPHRASE]);
    encryptedKey = readFileSync(file, "utf8");
    assert.notEqual(encryptedKey, host().privateKey);
    secrets.push(
      { name: "SSH private key", value: host().privateKey },
      { name: "SSH private key, encrypted", value: encryptedKey },
      { name: "SSH key passphrase", value: KEY_PASSPHRASE },
      ...PASSWORDS.map((value, i) => ({ name: `SASL password ${i + 1}`, value })),
    );
  });
  after(() => rmSync(keyDir, { recursive: true, force: true }));

  it("create with an encrypted key and a SASL password, refresh, rotate the password", async () => {
    await stack.up(program);
    capture("create");
    for (const name of ["dkim-a", "dkim-b"]) {
      secrets.push({ name: `DKIM key of ${name}`, value: String(stack.resource(name)!.outputs.privateKey) });
    }
    await stack.refresh();
    capture("refresh");
    password = PASSWORDS[1];
    trusted = ["198.18.0.0/24"];
    const steps = await stack.up(program);
    assert.deepEqual(steps.map((s) => s.op).sort(), ["update", "update", "update"]);
    capture("rotation");
    assert.equal(
      hostShell(HOST, `postmap -q '[relay.scan.example]:587' hash:${SASL_DIR}/smtp_passwd`).stdout,
      `mailer:${PASSWORDS[1]}\n`,
    );
  });

  it("a remote step that fails while its stdin holds the password reports stderr, never stdin", async () => {
    // A directory where the map's temporary file goes makes writing it fail.
    hostShell(HOST, `mkdir ${SASL_DIR}/smtp_passwd.smartos-mail-new`);
    password = PASSWORDS[2];
    try {
      await assert.rejects(stack.up(program), (err: Error) => {
        assert.match(err.message, /cannot write \/etc\/postfix\/sasl\/smtp_passwd/);
        captured.push(["the failed update's error", `${err.message}\n${err.stack}`]);
        return true;
      });
    } finally {
      hostShell(HOST, `rmdir ${SASL_DIR}/smtp_passwd.smartos-mail-new`);
    }
    capture("the failed update");
    await stack.up(program);
    capture("the repeated update");
    assert.equal(
      hostShell(HOST, `postmap -q '[relay.scan.example]:587' hash:${SASL_DIR}/smtp_passwd`).stdout,
      `mailer:${PASSWORDS[2]}\n`,
    );
  });

  it("the engine's state file keeps every secret input and output encrypted", () => {
    const file = JSON.parse(readFileSync(stack.statePath, "utf8")) as {
      checkpoint: {
        latest: {
          resources: {
            urn: string;
            custom?: boolean;
            type: string;
            inputs: Record<string, Record<string, unknown>>;
            outputs: Record<string, Record<string, unknown>>;
          }[];
        };
      };
    };
    const state = file.checkpoint.latest.resources
      .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
      .map((r) => ({ ...r, name: r.urn.split("::").pop()! }));
    assert.deepEqual(state.map((r) => r.name).sort(), ["dkim-a", "dkim-b", "postfix"]);
    for (const r of state) {
      for (const [where, props] of [
        ["inputs", r.inputs],
        ["outputs", r.outputs],
      ] as const) {
        // The SDK may mark the whole connection secret, or just the key and its passphrase.
        const c = props.connection;
        assert.ok(
          sealed(c) || (sealed(c.privateKey) && sealed(c.privateKeyPassword)),
          `${r.name}: ${where}.connection`,
        );
      }
    }
    const postfix = state.find((r) => r.name === "postfix")!;
    assert.ok(sealed(postfix.inputs.saslRelay) && sealed(postfix.outputs.saslRelay), "saslRelay");
    for (const r of state.filter((x) => x.name.startsWith("dkim-"))) {
      assert.ok(sealed(r.outputs.privateKey), `${r.name}: outputs.privateKey`);
    }
  });

  it("destroy, then no secret in any serialized provider, state file, error, provider log or host log", async () => {
    await stack.destroy();
    capture("destroy");
    assert.equal(secrets.length, 8);
    const files = filesUnder(stack.options.dir, OUTPUT_DIR);
    // The engine log at -v=9 holds the SDK's debug line with each resource's outputs, secrets in plain text
    // (see SDK_DEBUG_ECHO): the scan leaves out exactly those lines, and they must be the only hits there.
    const engineLog = files.find(([where]) => where.endsWith("engine.log"))!;
    const { echo, rest } = splitSdkDebugEcho(engineLog);
    assert.ok(findSecrets(secrets, [echo]).length > 0, "the -v=9 engine log echoes the SDK's debug line");
    const haystacks: Haystack[] = [...captured, ...files.filter((f) => f !== engineLog), rest, ...hostLogs(HOST)];
    assert.ok(haystacks.some(([where]) => where.endsWith("engine.log")));
    assert.ok(haystacks.some(([where]) => where.endsWith(".pulumi/stacks/smartos-mail-it/test.json")));
    assert.ok(haystacks.some(([where]) => where.endsWith("/var/log/sshd.log")));
    assert.ok(haystacks.some(([where]) => where.endsWith("/var/log/postfix.log")));
    assert.ok(haystacks.some(([where]) => where.endsWith("/var/log/testbed-ssh-commands.log")));
    assert.deepEqual(findSecrets(secrets, haystacks), []);
  });
});
