import { RESOURCE_KINDS, type ResourceKind, STATE_VERSION_KEY } from "../resources/kinds";
import { MIGRATIONS, type StoredProperties } from "./migrations";

/**
 * The version of the state this library writes, one number for every
 * resource kind. Bump it with a migration (providers/migrations.ts) whenever
 * what a resource stores changes in a way the storage schema cannot read as
 * it is: a field renamed, removed or retyped, a stored value whose meaning
 * changed. Version 1 is every state written before versions were recorded
 * (0.1.0 and earlier).
 */
export const STATE_VERSION = 2;

/** State written by a newer version of the library than the one installed: reading it could lose what it added. */
export class NewerStateError extends Error {}

/** The state version stored in `raw`: 1 when it has none (written before versions were recorded). */
export function storedVersion(raw: StoredProperties): number {
  const v = raw[STATE_VERSION_KEY];
  return typeof v === "number" && Number.isInteger(v) && v >= 1 ? v : 1;
}

/**
 * `raw`, as a resource of `kind` stored it with any earlier state version,
 * brought to {@link STATE_VERSION} by the kind's migrations, in order. Pure:
 * nothing is read from a host. State from a newer version is refused with one
 * message naming both versions, before anything reads it.
 */
export function migrateStored(kind: ResourceKind, raw: StoredProperties): StoredProperties {
  const from = storedVersion(raw);
  if (from > STATE_VERSION) {
    throw new NewerStateError(
      `This ${RESOURCE_KINDS[kind].type}'s state has state version ${from}, written by a newer ` +
        `@smartos-mail/pulumi; the installed one reads state versions up to ${STATE_VERSION}. Install the ` +
        "version the stack was last updated with, or a later one (the CHANGELOG names the release that " +
        "brought each state version). Nothing was read or changed.",
    );
  }
  let state = raw;
  for (let v = from; v < STATE_VERSION; v++) {
    const step = MIGRATIONS[kind][v];
    if (step) state = step(state);
  }
  return { ...state, [STATE_VERSION_KEY]: STATE_VERSION };
}
