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
  intendedCreates?: Record<string, string[]>;
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
 * `same`, except an update of only declared fields and a create of a declared resource. Also fails on an
 * empty list (the engine saw nothing).
 */
export function undeclaredChanges(steps: StepRecord[], declared: DeclaredChanges): string[] {
  if (steps.length === 0) return ["no step at all: the engine saw no resource"];
  return steps
    .filter((s) => {
      if (s.op === "same") return false;
      const type = typeOfUrn(s.urn);
      if (s.op === "create") return !(declared.intendedCreates?.[type] ?? []).includes(s.name);
      const allowed = declared.intendedUpdates[type] ?? [];
      return !(s.op === "update" && s.changed !== undefined && s.changed.every((k) => allowed.includes(k)));
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
