import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { OUTPUT_DIR } from "../harness/fixtures";
import { declaredChanges, undeclaredChanges } from "../upgrade/declared";
import { MAIL_QUOTA } from "../upgrade/kitchen-sink";
import { mutatedLibrary } from "../upgrade/mutated-library";
import { exportsOutputs, UPGRADE_PROGRAMS, upgradeProgram } from "../upgrade/programs";
import { importedStack, recording } from "../upgrade/recordings";
import { baselines } from "../upgrade/releases";

// Tier 2 of the upgrade tests: each baseline's recorded stack imported into a fresh file backend, and
// HEAD's unchanged program previewed over it by the real engine (its Check and Diff through the
// dynamic-provider plugin, URNs, parents, secrets, the Cloudflare records), with no host. The controls run
// the same machinery over a deliberately broken copy of HEAD's build, to show the tests see such a fault.
for (const { release } of baselines()) {
  describe(`the stacks recorded by ${release}, imported, previewed by the real engine with HEAD (no host)`, () => {
    const declared = declaredChanges(release);

    for (const program of UPGRADE_PROGRAMS) {
      it(`${program}: every step same but the release's declared changes`, async () => {
        const stack = await importedStack(recording(release, program), `upgrade-import-${program}`);
        const steps = await stack.preview(upgradeProgram(program), { exports: exportsOutputs(program) });
        assert.deepEqual(undeclaredChanges(steps, declared), []);
      });
    }

    it(`control: with mailQuota added to ZoneDatasets' replaceOn (a copy of HEAD's build), the one mutable change (mailQuota ${MAIL_QUOTA.recorded} → ${MAIL_QUOTA.edited}) previews as a replacement, not the update in place the live test requires`, async () => {
      const library = mutatedLibrary(
        path.join(OUTPUT_DIR, "upgrade-control-replace-on"),
        "providers/zone-datasets.js",
        'replaceOn: ["zoneUuid"]',
        'replaceOn: ["zoneUuid", "mailQuota"]',
      );
      const stack = await importedStack(
        recording(release, "kitchen-sink"),
        "upgrade-control-replace-on-stack",
        library,
      );
      const steps = await stack.preview(upgradeProgram("kitchen-sink", undefined, true));
      assert.deepEqual(undeclaredChanges(steps, declared), [
        "replace ks-datasets (ZoneDatasets) replacing on mailQuota",
      ]);
    });

    it("control: with OpenDkimKey.bits' default changed to 4096 (a copy of HEAD's build), the unchanged send-only previews an undeclared replacement of its DKIM key (a new key for every domain)", async () => {
      const library = mutatedLibrary(
        path.join(OUTPUT_DIR, "upgrade-control-default"),
        "schemas/opendkim-key.js",
        ".default(2048)",
        ".default(4096)",
      );
      const stack = await importedStack(recording(release, "send-only"), "upgrade-control-default-stack", library);
      const steps = await stack.preview(upgradeProgram("send-only"), { exports: true });
      // (Its DNS records, which take the new key's record, would be updated too.)
      const undeclared = undeclaredChanges(steps, declared);
      assert.ok(
        undeclared.includes("replace mail-dkim-example.smtb (OpenDkimKey) replacing on bits"),
        undeclared.join("\n"),
      );
    });
  });
}
