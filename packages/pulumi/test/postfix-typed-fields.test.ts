import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { z } from "zod";
import { mainCfParameters, TYPED_FIELDS, type TypedFieldName, typedFieldOwning } from "../src/postfix/typed-fields";
import { failureText } from "../src/providers/check";
import { postfixConfigProvider } from "../src/providers/postfix-config";
import { postfixConfigSchema } from "../src/schemas/postfix-config";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";
const connection = { host: "198.18.0.11", privateKey: KEY, hostKeyFingerprint: `SHA256:${"A".repeat(43)}` };

type Input = z.input<typeof postfixConfigSchema>;

/**
 * Inputs that set each typed field (with what the field needs beside it): a
 * new entry in TYPED_FIELDS does not compile until it has its example here.
 */
const EXAMPLES: { [K in TypedFieldName]: Required<Pick<Input, K>> & Partial<Input> } = {
  myhostname: { myhostname: "mx.example.com" },
  mydomain: { mydomain: "example.com" },
  myorigin: { myorigin: "$mydomain" },
  mynetworks: { mynetworks: ["127.0.0.0/8", "[::1/128]"] },
  inetInterfaces: { inetInterfaces: ["loopback-only"] },
  relayhost: { relayhost: { host: "relay.example.com", port: 587 } },
  saslRelay: { relayhost: { host: "relay.example.com" }, saslRelay: { username: "u", password: "p" } },
  clientTls: { clientTls: { securityLevel: "dane" } },
};

const FIELDS = Object.entries(TYPED_FIELDS) as [TypedFieldName, (typeof TYPED_FIELDS)[TypedFieldName]][];

async function reasons(news: Record<string, unknown>): Promise<string[]> {
  return ((await postfixConfigProvider.check!({}, { connection, ...news })).failures ?? []).map(failureText);
}

describe("PostfixConfig's typed fields: one table entry is all a field takes", () => {
  for (const [name, field] of FIELDS) {
    it(`${name}: a field of the schema, its parameters set by mainCfParameters and refused in parameters`, async () => {
      assert.ok(Object.hasOwn(postfixConfigSchema.shape, name), "not in the schema's shape");
      assert.deepEqual(await reasons(EXAMPLES[name]), [], "its example does not check clean");
      const set = mainCfParameters(postfixConfigSchema.parse({ connection, ...EXAMPLES[name] }));
      for (const parameter of field.parameters) {
        assert.ok(Object.hasOwn(set, parameter), `mainCfParameters does not set ${parameter}`);
        assert.equal(typedFieldOwning(parameter), name);
        const refused = await reasons({ parameters: { [parameter]: "x" } });
        assert.ok(
          refused.some((r) => r.startsWith(`parameters.${parameter}: is managed by the ${name}`)),
          refused.join("\n"),
        );
      }
    });
  }

  it("every parameter a typed field sets is owned by a field of the table", () => {
    for (const [name, field] of FIELDS) {
      const set = mainCfParameters(postfixConfigSchema.parse({ connection, ...EXAMPLES[name] }));
      for (const parameter of Object.keys(set)) {
        assert.ok(typedFieldOwning(parameter) !== undefined, `${name} sets ${parameter}, which no field owns`);
      }
      for (const parameter of Object.keys(field.alsoSets ?? {})) {
        assert.ok(typedFieldOwning(parameter) !== undefined, `${name}.alsoSets names ${parameter}, owned by none`);
      }
    }
  });

  it("names every setter of a shared parameter when parameters sets it", async () => {
    assert.deepEqual(await reasons({ parameters: { smtp_tls_security_level: "may" } }), [
      "parameters.smtp_tls_security_level: is managed by the clientTls (or saslRelay.requireTls) field; set it there",
    ]);
  });
});
