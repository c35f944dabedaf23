import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { DnsAuthRecords, type DnsAuthRecordsArgs } from "@smartos-mail/pulumi";
import { argsOf, BAD_INPUTS, type BadInput, CORPUS_RESOURCES, validBase } from "../corpus/bad-inputs";
import { describeEntry, secretText } from "../harness/corpus-preview";
import { cloudflareAccountOf } from "../harness/zones";

// The corpus of the dynamic resources runs through the real engine's `pulumi preview`, a file per
// group of resources (bad-input-corpus-*.test.ts, see harness/corpus-preview.ts), so the runner
// spreads its ~470 previews over several files. This file holds the corpus's own checks and the
// DnsAuthRecords component, which the engine never sees: it refuses bad inputs at construction.

/** DnsAuthRecords takes no connection; validBase's is never used. */
const NO_CONNECTION = { host: "unused.invalid", hostKeyFingerprint: `SHA256:${"A".repeat(43)}` };

/**
 * Asserts the parts of one entry's error: the field is named (`<field>: ...`, or no field at all
 * for the inputs as a whole), the extra words are there, secrets are not.
 */
function assertNamesField(e: BadInput, reasons: string[]): void {
  const what = describeEntry(e);
  assert.ok(reasons.length > 0, `${what}: no failure`);
  const names =
    e.field === "(inputs)"
      ? reasons.some((r) => !/^[\w.[\]]+: /.test(r))
      : reasons.some((r) => r.startsWith(`${e.field}: `));
  assert.ok(names, `${what}: no message names ${e.field}:\n  ${reasons.join("\n  ")}`);
  for (const m of e.mentions ?? []) {
    assert.ok(
      reasons.some((r) => r.includes(m)),
      `${what}: the message does not say "${m}":\n  ${reasons.join("\n  ")}`,
    );
  }
  for (const s of secretText(e)) {
    assert.ok(!reasons.some((r) => r.includes(s)), `${what}: the message shows the secret value`);
  }
}

describe("bad-input corpus", () => {
  it("the corpus holds at least 100 inputs and covers every resource", () => {
    assert.ok(BAD_INPUTS.length >= 100, `only ${BAD_INPUTS.length} inputs`);
    for (const r of CORPUS_RESOURCES) {
      assert.ok(BAD_INPUTS.filter((e) => e.resource === r).length >= 5, `${r} has fewer than 5 bad inputs`);
    }
  });

  describe("DnsAuthRecords, a component: refused at construction under the SDK's mocks", () => {
    const dnsEntries = BAD_INPUTS.filter((e) => e.resource === "DnsAuthRecords");
    const registered: string[] = [];
    // One mock session for all of them: a component's registration is still in flight when its
    // constructor throws, and it must reach the monitor that knows it.
    const drain = () => (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    before(() =>
      pulumi.runtime.setMocks(
        {
          newResource: (a) => {
            registered.push(a.type);
            return { id: `${a.name}-id`, state: a.inputs };
          },
          call: cloudflareAccountOf(validBase("DnsAuthRecords", NO_CONNECTION) as unknown as DnsAuthRecordsArgs),
        },
        "smartos-mail-it",
        "corpus",
        false,
      ),
    );
    after(drain);

    it("the corpus's valid base constructs and registers its Cloudflare records", async () => {
      const base = validBase("DnsAuthRecords", NO_CONNECTION);
      const dns = new DnsAuthRecords("base", base as unknown as DnsAuthRecordsArgs);
      await new Promise((resolve) => dns.zoneFile.apply(resolve));
      await drain();
      assert.ok(registered.includes("cloudflare:index/dnsRecord:DnsRecord"), registered.join(", "));
    });

    it(`${dnsEntries.length} bad inputs each throw, naming the field`, async () => {
      const base = validBase("DnsAuthRecords", NO_CONNECTION);
      for (const [i, e] of dnsEntries.entries()) {
        const prefix = `DnsAuthRecords bad-${i}: `;
        assert.throws(
          () => new DnsAuthRecords(`bad-${i}`, argsOf(e, base) as unknown as DnsAuthRecordsArgs),
          (err: Error) => {
            assert.ok(err.message.startsWith(prefix), `${describeEntry(e)}: ${err.message}`);
            // The component joins "<path>: <reason>" with "; ", and a reason may hold "; " itself.
            assertNamesField(e, err.message.slice(prefix.length).split(/; (?=[\w.[\]()]+: )/));
            return true;
          },
          describeEntry(e),
        );
      }
      await drain();
    });
  });
});
