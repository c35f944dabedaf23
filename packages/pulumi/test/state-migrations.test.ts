import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MIGRATIONS, type StoredProperties } from "../src/providers/migrations";
import { migrateStored, NewerStateError, STATE_VERSION, storedVersion } from "../src/providers/state-version";
import type { ResourceKind } from "../src/resources/kinds";

/**
 * One example per migration, `<kind>@<from version>`: stored properties as
 * that version (or a build before it) wrote them, and what the step makes of
 * them. A migration without an example fails the first test.
 */
const EXAMPLES: Record<string, { stored: StoredProperties; migrated: StoredProperties }[]> = {
  "postfixConfig@1": [
    { stored: { applied: {}, previous: {} }, migrated: { applied: {}, previous: {}, openRelay: null } },
    { stored: { openRelay: "relays" }, migrated: { openRelay: "relays" } },
  ],
  "mailLogReport@1": [
    { stored: { reportedLog: "'/var/log/syslog'" }, migrated: { reportedLog: "/var/log/syslog" } },
    { stored: { reportedLog: "/var/log/mail.log" }, migrated: { reportedLog: "/var/log/mail.log" } },
  ],
  "smartOsZone@1": [
    {
      stored: { live: { nics: [{ mac: "m" }] } },
      migrated: { live: { nics: [{ mac: "m" }] }, activeNics: [{ mac: "m" }], pendingReboot: [] },
    },
    {
      stored: { live: { nics: [] }, activeNics: [{ mac: "a" }], pendingReboot: ["nics"] },
      migrated: { live: { nics: [] }, activeNics: [{ mac: "a" }], pendingReboot: ["nics"] },
    },
  ],
};

const steps = Object.entries(MIGRATIONS).flatMap(([kind, byVersion]) =>
  Object.entries(byVersion).map(([from, step]) => ({ kind: kind as ResourceKind, from: Number(from), step: step! })),
);

describe("state migrations", () => {
  it("each step has an example, and each example a step", () => {
    assert.deepEqual(steps.map(({ kind, from }) => `${kind}@${from}`).sort(), Object.keys(EXAMPLES).sort());
  });

  for (const { kind, from, step } of steps) {
    it(`${kind} from state version ${from}: as its examples say, and pure`, () => {
      for (const { stored, migrated } of EXAMPLES[`${kind}@${from}`] ?? []) {
        const before = structuredClone(stored);
        assert.deepEqual(step(stored), migrated);
        assert.deepEqual(stored, before, "the step changed its argument");
      }
    });
  }

  it("reads state without a version as version 1 and writes the current one", () => {
    assert.equal(storedVersion({}), 1);
    assert.equal(storedVersion({ stateVersion: STATE_VERSION }), STATE_VERSION);
    assert.equal(migrateStored("openDkimKey", { selector: "s" }).stateVersion, STATE_VERSION);
    assert.deepEqual(migrateStored("postfixConfig", {}), { openRelay: null, stateVersion: STATE_VERSION });
  });

  it("runs no step for state already at the current version", () => {
    const current = { reportedLog: "'/quoted'", stateVersion: STATE_VERSION };
    assert.deepEqual(migrateStored("mailLogReport", current), current);
  });

  it("refuses state from a newer version, naming both versions, before reading it", () => {
    assert.throws(
      () => migrateStored("postfixConfig", { stateVersion: STATE_VERSION + 1 }),
      (e: Error) =>
        e instanceof NewerStateError &&
        e.message.includes(`state version ${STATE_VERSION + 1}`) &&
        e.message.includes(`up to ${STATE_VERSION}`) &&
        /^This PostfixConfig's state/.test(e.message),
    );
  });
});
