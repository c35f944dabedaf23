import { z } from "zod";
import { pathText } from "./check";

/**
 * Reading what an earlier version stored. A resource has one zod schema, the
 * policy schema: `check` holds the program's inputs to it. Stored state is read
 * with the storage schema derived from it here: the same shape, types, defaults
 * and transforms, without the policy (every refinement, format, range and
 * cross-field rule) and without `.strict()`. So a rule made stricter in a later
 * version judges only new inputs: a stack whose state an earlier version wrote
 * can still be previewed, refreshed, updated and destroyed.
 */

/** A zod check that rewrites the value (`.trim()`, `.toLowerCase()`): a transform, kept; every other check is policy. */
function isTransform(check: z.core.$ZodCheck): boolean {
  return check._zod.def.check === "overwrite";
}

/** `def` with `changes` laid over it, its getters (a default's value, an object's shape) kept as getters. */
function withChanges(def: z.core.$ZodTypeDef, changes: Record<string, unknown>): z.core.$ZodTypeDef {
  const merged = Object.defineProperties({}, Object.getOwnPropertyDescriptors(def));
  for (const [key, value] of Object.entries(changes)) {
    Object.defineProperty(merged, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return merged as z.core.$ZodTypeDef;
}

/** Schema types that hold no other schema: only their checks are dropped. */
const LEAVES = new Set([
  "string",
  "number",
  "boolean",
  "bigint",
  "literal",
  "enum",
  "null",
  "undefined",
  "unknown",
  "any",
  "never",
  "transform",
]);

/** Schema types that wrap one schema in `innerType`. */
const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "catch", "readonly", "nonoptional"]);

/** How an object treats keys its shape does not name: refused (to find them) or kept. */
type UnknownKeys = "refuse" | "keep";

function derive(schema: z.ZodType, unknownKeys: UnknownKeys): z.ZodType {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  const checks = (def.checks ?? []).filter(isTransform);
  const inner = (s: unknown) => derive(s as z.ZodType, unknownKeys);
  let changes: Record<string, unknown>;
  if (LEAVES.has(def.type)) {
    changes = {};
  } else if (WRAPPERS.has(def.type)) {
    changes = { innerType: inner(def.innerType) };
  } else if (def.type === "object") {
    const shape = def.shape as Record<string, z.ZodType>;
    changes = {
      shape: Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, inner(v)])),
      catchall: unknownKeys === "keep" ? z.unknown() : z.never(),
    };
  } else if (def.type === "array") {
    changes = { element: inner(def.element) };
  } else if (def.type === "record") {
    changes = { keyType: inner(def.keyType), valueType: inner(def.valueType) };
  } else if (def.type === "union") {
    changes = { options: (def.options as z.ZodType[]).map(inner) };
  } else if (def.type === "pipe") {
    changes = { in: inner(def.in), out: inner(def.out) };
  } else {
    // A new kind of schema in a resource's schema: say so here, where it is added, not in a user's destroy.
    throw new Error(`storage schema: zod type "${def.type}" is not handled; add it to storage-schema.ts`);
  }
  return schema.clone(withChanges(def, { ...changes, checks }));
}

/** The two storage schemas of one policy schema, made once. */
const derived = new WeakMap<z.ZodType, Record<UnknownKeys, z.ZodType>>();

function storageSchemas(policy: z.ZodType): Record<UnknownKeys, z.ZodType> {
  let schemas = derived.get(policy);
  if (!schemas) {
    schemas = { refuse: derive(policy, "refuse"), keep: derive(policy, "keep") };
    derived.set(policy, schemas);
  }
  return schemas;
}

/**
 * The storage schema of `policy`: its shape, types, defaults and transforms; no policy; unknown keys kept.
 * Made once per policy schema; a schema type it does not know is an error here, at load, not in a destroy.
 */
export function storageSchema<S extends z.ZodType>(policy: S): z.ZodType<z.output<S>> {
  return storageSchemas(policy).keep as z.ZodType<z.output<S>>;
}

/** What {@link readStored} read. */
export interface StoredRead<T> {
  /** The stored value, defaults and transforms applied, unknown keys kept. */
  value: T;
  /** The same without the unknown keys: what this version compares. */
  known: T;
  /** Paths of keys the schema does not name (`manifest.foo`), sorted. */
  unknownKeys: string[];
}

/** A copy of `value` without the keys at `paths`. */
function without<T>(value: T, paths: readonly PropertyKey[][]): T {
  const copy = structuredClone(value);
  for (const path of paths) {
    const parent = path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown>)?.[k], copy);
    if (parent !== null && typeof parent === "object") delete (parent as Record<PropertyKey, unknown>)[path.at(-1)!];
  }
  return copy;
}

/** Why stored state could not be read: a type the schema no longer has, which only a migration can bridge. */
export class UnreadableStateError extends Error {}

/**
 * Reads a stored value with the storage schema of `policy`. Never judges
 * policy; keeps and lists keys the schema does not name, and gives the value
 * without them for comparing. Throws
 * {@link UnreadableStateError} only when a value has another type than the
 * schema's (a change a state migration must bridge), naming each path.
 */
export function readStored<S extends z.ZodType>(policy: S, raw: unknown, what: string): StoredRead<z.output<S>> {
  const schemas = storageSchemas(policy);
  const exact = schemas.refuse.safeParse(raw);
  if (exact.success) return { value: exact.data as z.output<S>, known: exact.data as z.output<S>, unknownKeys: [] };
  const unknownPaths = exact.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [],
  );
  const kept = schemas.keep.safeParse(raw);
  if (kept.success) {
    const value = kept.data as z.output<S>;
    return { value, known: without(value, unknownPaths), unknownKeys: unknownPaths.map(pathText).sort() };
  }
  const problems = kept.error.issues.map((i) => `${pathText(i.path) || "(the whole state)"}: ${i.message}`);
  throw new UnreadableStateError(
    `${what}: the stored state does not have the shape this version of @smartos-mail/pulumi reads ` +
      `(${problems.join("; ")}). A state migration is missing: please report it with this message.`,
  );
}
