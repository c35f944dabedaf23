import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { StepRecord } from "../harness/pulumi-stack";
import { UPGRADE_DIR } from "./releases";

/**
 * What a release declares an upgrade from it may show (`integration-tests/upgrade/expected/<release>.json`,
 * beside the baselines): the only changes the upgrade tests let through. Keyed by resource type
 * (`PostfixConfig`, …).
 */
export interface DeclaredChanges {
  release: string;
  /** Why, for the reader. */
  notes: string;
  /** Output keys a refresh may add to (or change in) a resource of the type. */
  refreshMayAdd: Record<string, string[]>;
  /** Input fields whose change a preview or up may apply to a resource of the type, in place, with no program change. */
  intendedUpdates: Record<string, string[]>;
  /** Resources (by name) of the type a preview or up may create with no program change: a record HEAD adds. */
  intendedCreates: Record<string, string[]>;
  /**
   * Types whose first up after upgrading changes the host though no input changed (a new default the
   * release's changeset announces), each with why: their updates pass with no changed field, and that up logs in.
   */
  hostUpdates: Record<string, string>;
  /**
   * What the first up after upgrading does to each upgrade program's hosts: by program, then host, the lines the host's state
   * (the suite's `state` command) gains and loses. The live upgrade test requires exactly these.
   */
  hostChanges: Record<string, Record<string, HostStateChange>>;
}

/** Lines a host's state gained and lost, each in the order the state prints them. */
export interface HostStateChange {
  added: string[];
  removed: string[];
}

/**
 * The lines `after` gained and lost against `before`: those outside a longest common subsequence of the two,
 * so a line that moved (to another section of the state) counts as lost and gained.
 */
export function hostStateChange(before: string, after: string): HostStateChange {
  const [b, a] = [before.split("\n"), after.split("\n")];
  // common[i][j]: the length of a longest common subsequence of b[i..] and a[j..].
  const common = Array.from({ length: b.length + 1 }, () => new Array<number>(a.length + 1).fill(0));
  for (let i = b.length - 1; i >= 0; i--) {
    for (let j = a.length - 1; j >= 0; j--) {
      common[i][j] = b[i] === a[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const change: HostStateChange = { added: [], removed: [] };
  let [i, j] = [0, 0];
  while (i < b.length || j < a.length) {
    if (i < b.length && j < a.length && b[i] === a[j]) [i, j] = [i + 1, j + 1];
    else if (j < a.length && (i === b.length || common[i][j + 1] >= common[i + 1][j])) change.added.push(a[j++]);
    else change.removed.push(b[i++]);
  }
  return change;
}

/** The declared changes of `release`. */
export function declaredChanges(release: string): DeclaredChanges {
  return JSON.parse(readFileSync(path.join(UPGRADE_DIR, "expected", `${release}.json`), "utf8"));
}

/** A step's resource type, the last part of its URN's type (`PostfixConfig`, `DnsRecord`). */
export function typeOfUrn(urn: string): string {
  return (urn.split("::")[2] ?? "").split("$").pop()?.split(":").pop() ?? "";
}

/** A step as a line of a failure message. */
const describeStep = (s: StepRecord) =>
  `${s.op} ${s.name} (${typeOfUrn(s.urn)})${s.changed ? ` changing ${s.changed.join(", ")}` : ""}${
    s.diff?.replaces.length ? ` replacing on ${s.diff.replaces.join(", ")}` : ""
  }`;

/**
 * The steps of a preview or up of an unchanged program that the release does not declare: anything but
 * `same`, except a create of a declared resource, an update of only declared fields, or one with no changed
 * field of a type declared in `hostUpdates`. Also fails on an empty list (the engine saw nothing).
 */
export function undeclaredChanges(steps: StepRecord[], declared: DeclaredChanges): string[] {
  if (steps.length === 0) return ["no step at all: the engine saw no resource"];
  return steps
    .filter((s) => {
      if (s.op === "same") return false;
      const type = typeOfUrn(s.urn);
      if (s.op === "create") return !(declared.intendedCreates[type] ?? []).includes(s.name);
      if (s.op !== "update") return true;
      if (s.changed === undefined || s.changed.length === 0) return !(type in declared.hostUpdates);
      const allowed = declared.intendedUpdates[type] ?? [];
      return !s.changed.every((k) => allowed.includes(k));
    })
    .map(describeStep);
}

/** The steps of a refresh that found more than the release declares it may add. */
export function undeclaredDrift(steps: StepRecord[], declared: DeclaredChanges): string[] {
  if (steps.length === 0) return ["no step at all: the engine refreshed no resource"];
  return steps
    .filter((s) => {
      if (!s.drift) return false;
      const allowed = declared.refreshMayAdd[typeOfUrn(s.urn)] ?? [];
      return !s.changed?.every((k) => allowed.includes(k));
    })
    .map(describeStep);
}
