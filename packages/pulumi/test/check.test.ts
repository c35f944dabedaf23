import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { z } from "zod";
import { checkWithSchema, failureText } from "../src/providers/check";
import { postfixConfigProvider } from "../src/providers/postfix-config";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";
const connection = { host: "198.18.0.11", privateKey: KEY, hostKeyFingerprint: `SHA256:${"A".repeat(43)}` };
const relay = { relayhost: { host: "relay.example.net", port: 587 }, clientTls: { securityLevel: "encrypt" } };

async function failures(news: Record<string, unknown>) {
  const result = await postfixConfigProvider.check!({}, { __provider: "p", connection, profile: "linux", ...news });
  return result.failures ?? [];
}

/** A schema whose messages echo the value they refuse, as a careless refinement would. */
const echoing = z.string().superRefine((v, ctx) => ctx.addIssue({ code: "custom", message: `refused ${v} here` }));

describe("check failures, shaped for the CLI's message", () => {
  it("a top-level field is the property, the reason is the bare message: the CLI names the field and its value", async () => {
    const [failure, ...rest] = await failures({ myhostname: "localhost" });
    assert.deepEqual(rest, []);
    assert.equal(failure.property, "myhostname");
    assert.match(failure.reason, /^must be a fully qualified/);
    assert.ok(!failure.reason.includes("myhostname"), failure.reason);
    assert.equal(failureText(failure), `myhostname: ${failure.reason}`);
  });

  it("a nested path has no property (the engine would print value {<nil>}), the reason names the path", async () => {
    const found = await failures({ ...relay, relayhost: { host: "relay.example.net", port: 0 } });
    assert.deepEqual(found, [{ property: "", reason: "relayhost.port: must be a TCP port 1-65535" }]);
    assert.equal(failureText(found[0]), found[0].reason);
    const [item] = await failures({ mynetworks: ["127.0.0.0/8", "256.0.0.0/8"] });
    assert.equal(item.property, "");
    assert.match(item.reason, /^mynetworks\[1\]: /);
  });

  it("the inputs as a whole (an unknown key) have no property, the reason is the message", async () => {
    assert.deepEqual(await failures({ myhostnme: "mx.example.com" }), [
      { property: "", reason: 'Unrecognized key: "myhostnme"' },
    ]);
  });

  it("no secret value appears in a reason, even where a message echoes it", async () => {
    const schema = z.object({
      connection: z.object({ privateKey: echoing, privateKeyPassword: echoing }),
      saslRelay: z.object({ password: echoing }),
      manifest: z.object({ customer_metadata: z.record(z.string(), echoing) }),
      myhostname: echoing,
    });
    const secrets = ["key-Secret-Value", "pass Secret-Phrase", " padded-Secret ", "tab\tSecret-Text"];
    const { failures: found = [] } = checkWithSchema(schema, {
      connection: { privateKey: secrets[0], privateKeyPassword: secrets[1] },
      saslRelay: { password: secrets[2] },
      manifest: { customer_metadata: { "provision-token": secrets[3] } },
      myhostname: "mx.example.com",
    });
    assert.deepEqual(
      found.map((f) => [f.property, f.reason]),
      [
        ["", "connection.privateKey: refused [secret] here"],
        ["", "connection.privateKeyPassword: refused [secret] here"],
        ["", "saslRelay.password: refused [secret] here"],
        ["", "manifest.customer_metadata.provision-token: refused [secret] here"],
        ["myhostname", "refused mx.example.com here"],
      ],
    );
    for (const word of ["Secret-Value", "Secret-Phrase", "padded-Secret", "Secret-Text"]) {
      assert.ok(!found.some((f) => f.reason.includes(word)), word);
    }
  });

  it("a key's PEM labels are not taken for its secret: the private key's message stays whole", async () => {
    const key = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAq3m9Zk\n-----END PUBLIC KEY-----\n";
    assert.deepEqual(await failures({ connection: { ...connection, privateKey: key } }), [
      {
        property: "",
        reason:
          "connection.privateKey: must be the text of a private key starting with -----BEGIN ... PRIVATE KEY----- (value not shown)",
      },
    ]);
  });

  it("the real SASL password's failures never hold the password", async () => {
    for (const password of [" padded-Secret ", "tab\tSecret-Value", `${"P".repeat(1025)}`]) {
      const found = await failures({ ...relay, saslRelay: { username: "mailer", password } });
      assert.ok(found.length > 0, JSON.stringify(password));
      for (const f of found) {
        assert.equal(f.property, "");
        assert.match(f.reason, /^saslRelay\.password: /);
        for (const word of password.split(/\s+/).filter((w) => w.length >= 4)) assert.ok(!f.reason.includes(word));
      }
    }
  });
});
