import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StepRecord } from "../harness/pulumi-stack";
import { type DeclaredChanges, hostStateChange, undeclaredChanges, undeclaredDrift } from "../upgrade/declared";

const urn = (type: string, name: string) =>
  `urn:pulumi:test::p::smartos-mail:server:SendOnlyMailServer$pulumi-nodejs:dynamic/smartos-mail:${type}::${name}`;

/** A release that declares one intended update and one refresh addition. */
const DECLARED: DeclaredChanges = {
  release: "9.9.9",
  notes: "synthetic",
  refreshMayAdd: { PostfixConfig: ["stateVersion"] },
  intendedUpdates: { ZoneDatasets: ["zoneQuota"] },
  intendedCreates: { DnsRecord: ["r-DnsRecord"] },
  hostUpdates: { RateLimitTransport: "a new default" },
  hostChanges: {},
};

const step = (type: string, op: StepRecord["op"], extra: Partial<StepRecord> = {}): StepRecord => ({
  urn: urn(type, `r-${type}`),
  name: `r-${type}`,
  op,
  ...extra,
});

describe("a release's declared changes are the only ones the upgrade tests let through", () => {
  it("same steps, an update of only declared fields and a create of a declared resource pass", () => {
    assert.deepEqual(
      undeclaredChanges(
        [
          step("PostfixConfig", "same"),
          step("ZoneDatasets", "update", { changed: ["zoneQuota"] }),
          step("DnsRecord", "create"),
        ],
        DECLARED,
      ),
      [],
    );
  });

  it("a create of another resource of a declared type, or an update or replacement of a declared one, is reported", () => {
    const other = { ...step("DnsRecord", "create"), name: "r-other", urn: urn("DnsRecord", "r-other") };
    assert.deepEqual(
      undeclaredChanges(
        [
          other,
          step("DnsRecord", "update", { changed: ["content"] }),
          step("DnsRecord", "replace", { diff: { changes: "some", replaces: ["name"], deleteBeforeReplace: false } }),
        ],
        DECLARED,
      ),
      [
        "create r-other (DnsRecord)",
        "update r-DnsRecord (DnsRecord) changing content",
        "replace r-DnsRecord (DnsRecord) replacing on name",
      ],
    );
  });

  it("an update of another field or type, a replacement, a create or no step at all are reported", () => {
    assert.deepEqual(
      undeclaredChanges(
        [
          step("ZoneDatasets", "update", { changed: ["zoneQuota", "mailQuota"] }),
          step("PostfixConfig", "update", { changed: ["rootAlias"] }),
          step("OpenDkimKey", "replace", { diff: { changes: "some", replaces: ["bits"], deleteBeforeReplace: false } }),
          step("MailArchive", "create"),
        ],
        DECLARED,
      ),
      [
        "update r-ZoneDatasets (ZoneDatasets) changing zoneQuota, mailQuota",
        "update r-PostfixConfig (PostfixConfig) changing rootAlias",
        "replace r-OpenDkimKey (OpenDkimKey) replacing on bits",
        "create r-MailArchive (MailArchive)",
      ],
    );
    assert.equal(undeclaredChanges([], DECLARED).length, 1);
  });

  it("an update with no changed field passes only for a type declared in hostUpdates", () => {
    assert.deepEqual(undeclaredChanges([step("RateLimitTransport", "update")], DECLARED), []);
    assert.deepEqual(undeclaredChanges([step("RateLimitTransport", "update", { changed: [] })], DECLARED), []);
    assert.deepEqual(
      undeclaredChanges(
        [
          step("ZoneDatasets", "update"),
          step("PostfixConfig", "update", { changed: [] }),
          step("RateLimitTransport", "update", { changed: ["defaults"] }),
        ],
        DECLARED,
      ),
      [
        "update r-ZoneDatasets (ZoneDatasets)",
        "update r-PostfixConfig (PostfixConfig) changing ",
        "update r-RateLimitTransport (RateLimitTransport) changing defaults",
      ],
    );
  });

  it("a host's state change is the lines it gained and lost; a line that moved is both", () => {
    assert.deepEqual(hostStateChange("a = 1\nb = 2\n---\nx", "a = 1\nc = 3\nb = 2\n---\nx"), {
      added: ["c = 3"],
      removed: [],
    });
    const moved = hostStateChange("a\nb\n---\n", "a\n---\nb\n");
    assert.equal(moved.added.length, 1);
    assert.deepEqual(moved.removed, moved.added);
    assert.deepEqual(hostStateChange("a\nb\nb", "b\nc"), { added: ["c"], removed: ["a", "b"] });
    assert.deepEqual(hostStateChange("same\n", "same\n"), { added: [], removed: [] });
  });

  it("a refresh may add the declared outputs and nothing else", () => {
    const refreshed = (type: string, changed?: string[]) =>
      step(type, "refresh", { drift: changed !== undefined, ...(changed ? { changed } : {}) });
    assert.deepEqual(
      undeclaredDrift([refreshed("PostfixConfig", ["stateVersion"]), refreshed("MailArchive")], DECLARED),
      [],
    );
    assert.deepEqual(
      undeclaredDrift(
        [refreshed("PostfixConfig", ["stateVersion", "applied"]), refreshed("MailArchive", ["stateVersion"])],
        DECLARED,
      ),
      [
        "refresh r-PostfixConfig (PostfixConfig) changing stateVersion, applied",
        "refresh r-MailArchive (MailArchive) changing stateVersion",
      ],
    );
  });
});
