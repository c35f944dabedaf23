import assert from "node:assert/strict";
import { it } from "node:test";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";

/** A connection every check accepts: to `host`, with a stand-in key and a host key fingerprint of the right form. */
export function testConnection(host: string) {
  return { host, privateKey: KEY, hostKeyFingerprint: `SHA256:${"A".repeat(43)}` };
}

/** One refused input: what it is, the inputs, and the reason (`field: ...`) its check must give. */
export type RefusedCase = [what: string, news: Record<string, unknown>, reason: RegExp];

/** A test for each case: among the `reasons` a check gives for its inputs is one its pattern matches. */
export function refusesEach(cases: RefusedCase[], reasons: (news: Record<string, unknown>) => Promise<string[]>): void {
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
