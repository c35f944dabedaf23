/**
 * What the unit tests of a provider's `check` share: a connection that passes
 * validation (its key is not a real key) and the reasons check gives for some
 * inputs, each as one line, `<field>: <message>`.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { failureText } from "../../src/providers/check";

/** Private-key text that passes the connection's check; it is no key. */
export const KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";

/** A connection to `host` that passes check, with {@link KEY} and a well-formed fingerprint. */
export function testConnection(host: string) {
  return { host, privateKey: KEY, hostKeyFingerprint: `SHA256:${"A".repeat(43)}` };
}

/**
 * The reasons `provider`'s check gives for `base` and the given inputs over
 * it, each as one line (`failureText`); none for inputs it accepts.
 */
export function checkReasons(
  provider: pulumi.dynamic.ResourceProvider,
  base: Record<string, unknown>,
): (news: Record<string, unknown>) => Promise<string[]> {
  return async (news) => {
    const r = await provider.check!({}, { __provider: "p", ...base, ...news });
    return (r.failures ?? []).map(failureText);
  };
}

/** One refused input: what it is, the inputs, and the reason (`field: ...`) its check must give. */
export type RefusedCase = [what: string, news: Record<string, unknown>, reason: RegExp];

/** One test per case: check refuses the inputs with a reason that matches, naming the field. */
export function refusesEach(reasons: (news: Record<string, unknown>) => Promise<string[]>, cases: RefusedCase[]): void {
  for (const [what, news, reason] of cases) {
    it(`refuses ${what}, naming the field`, async () => {
      const r = await reasons(news);
      assert.ok(
        r.some((x) => reason.test(x)),
        `got ${JSON.stringify(r)}`,
      );
    });
  }
}
