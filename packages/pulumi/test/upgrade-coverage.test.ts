/**
 * The upgrade programs' coverage (providertest's ReportUpgradeCoverage idea; "skipped cases are not
 * evidence"): a hazard in a field's stored form only shows when the recorded stack set that field, so
 * every top-level input field of every resource kind must be set by some upgrade program, as HEAD's
 * program sends it, or be listed below with the reason it cannot be.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { RESOURCE_KINDS } from "../src/resources/kinds";
import { schemaPaths } from "./field-docs";
import { DOCUMENTED_ARGS } from "./resource-fields";
import { baselineReleases, newsAtHead, typeName, UPGRADE_PROGRAMS, upgradeFixture } from "./support/upgrade-fixtures";

/** Fields no upgrade program can set on the testbed, by `Type.field`, with the reason. */
const UNCOVERABLE: Record<string, string> = {
  "MailArchive.quotaGiB":
    "profile smartos only, where it makes the archive a ZFS dataset that delete keeps with the mail in it, so " +
    "the destroy step could not find the host as before",
  "OpenDkimKey.ed25519Selector":
    "the testbed's OpenDKIM 2.11.0 (Debian 12) cannot sign with two algorithms, and create refuses it " +
    "(dkim-dns-end-to-end.test.ts shows the refusal)",
};

/**
 * Resource types newer than every baseline, with the reason: no release's program could declare them. The
 * kitchen sink takes each (every field set) in the commit that cuts the first release that has it, and its
 * recording covers it from then on; a type a baseline recorded cannot be listed here.
 */
const NEWER_THAN_BASELINES: Record<string, string> = {
  DeliveryFeedback: "new after 0.2.0; the kitchen sink, run by both the baseline and HEAD, cannot declare it yet",
};

/** The top-level input fields of each resource type's schema. */
function schemaFields(): Map<string, string[]> {
  return new Map(
    Object.values(RESOURCE_KINDS).map(({ type }) => {
      const documented = DOCUMENTED_ARGS.find((d) => d.args === `${type}Args`);
      assert.ok(documented, `${type} has no schema in resource-fields.ts`);
      return [type, schemaPaths(documented.schema).filter((p) => !/[.[]/.test(p))];
    }),
  );
}

for (const release of baselineReleases()) {
  it(`the programs recorded by ${release} set every input field of every resource kind, but the uncoverable`, async () => {
    const set = new Map<string, Set<string>>();
    for (const program of Object.keys(UPGRADE_PROGRAMS)) {
      const fixture = upgradeFixture(release, program);
      assert.ok(fixture, `no fixture for ${release} ${program}`);
      const news = await newsAtHead(fixture);
      for (const r of fixture.resources) {
        const fields = set.get(typeName(r.type)) ?? new Set();
        for (const k of Object.keys(news.get(r.name) ?? {})) fields.add(k);
        set.set(typeName(r.type), fields);
      }
    }
    assert.deepEqual(
      Object.keys(NEWER_THAN_BASELINES).filter((t) => set.has(t)),
      [],
      `recorded by ${release}: remove them from NEWER_THAN_BASELINES`,
    );
    const unset: string[] = [];
    for (const [type, fields] of schemaFields()) {
      if (type in NEWER_THAN_BASELINES) continue;
      for (const f of fields) if (!set.get(type)?.has(f)) unset.push(`${type}.${f}`);
    }
    assert.deepEqual(
      unset.filter((f) => !(f in UNCOVERABLE)),
      [],
      "fields no upgrade program sets: set them in integration-tests/upgrade/kitchen-sink.ts and re-record",
    );
    assert.deepEqual(
      Object.keys(UNCOVERABLE).filter((f) => !unset.includes(f)),
      [],
      "listed as uncoverable, but a program sets them: remove them from the list",
    );
  });
}
