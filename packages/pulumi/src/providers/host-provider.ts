import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { type Connection, sameMachine } from "../remote/connection";
import type { PlatformName } from "../remote/platform";
import { RESOURCE_KINDS, type ResourceKind, STATE_VERSION_KEY } from "../resources/kinds";
import { checkWithSchema, containsUnknown } from "./check";
import type { StoredProperties } from "./migrations";
import { migrateStored, STATE_VERSION } from "./state-version";
import { readStored, storageSchema } from "./storage-schema";

/** The inputs every resource on a host has. */
export interface OnHost {
  /** How to reach the host. */
  connection: Connection;
  /** The platform profile, where the resource has one. */
  profile?: PlatformName;
}

/**
 * What one resource brings to {@link hostProvider}: its schema and its host
 * steps. The skeleton does the rest: check, reading stored state, the diff,
 * the id, the state version. `I` is the validated inputs, `S` what the
 * provider stores.
 */
export interface HostProviderSpec<I extends OnHost, S extends I> {
  /** The resource's kind in {@link RESOURCE_KINDS}: its outputs and its id. */
  kind: ResourceKind;
  /**
   * The zod schema of the inputs, policy included; its output type is `I`.
   * `check` holds new inputs to it; stored state is read with the storage
   * schema derived from it (providers/storage-schema.ts).
   */
  schema: z.ZodType<I, unknown>;
  /**
   * Input fields whose change replaces the resource; every other field is
   * changed in place. Another machine (host or port) or another `profile`
   * always replaces.
   */
  replaceOn?: readonly (keyof I & string)[];
  /**
   * Input fields that only feed `check` (a limit another field is held to) and
   * never reach the host: a change to one of them alone is no change.
   */
  checkOnly?: readonly (keyof I & string)[];
  /** Further replacement reasons the fields alone do not show (e.g. vmadm properties fixed at create). */
  replaces?: (old: S, next: I) => string[];
  /** Whether the host must be changed though no input changed: drift that refresh found. */
  drifted?: (old: S, next: I) => boolean;
  /**
   * Whether the old resource is deleted before its replacement is made.
   * Default true: both would own the same files on the same host.
   */
  deleteBeforeReplace?: (old: S, next: I) => boolean;
  /**
   * The state from stored properties (migrated to the current state version)
   * and the inputs read from them: outputs derived again from what was stored.
   * Default: the kind's outputs as stored.
   */
  stateOf?: (inputs: I, stored: StoredProperties) => S;
  /** The resource's id. Default `<host>/<slug>/<random uuid>`. */
  id?: (state: S) => string;
  /** Makes the resource on the host. */
  create(news: I): Promise<S>;
  /** Reads what is live on the host; `undefined` when the object is gone (the next up makes it again). */
  read(old: S): Promise<S | undefined>;
  /** Brings the host from `old` to `news`. */
  update(old: S, news: I): Promise<S>;
  /** Puts the host back as it was before the resource. */
  delete(old: S): Promise<void>;
}

/** `a` and `b` hold the same JSON value, whatever the order of their keys. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/** The input fields whose value differs between `old` and `next`. */
function changedFields(old: Record<string, unknown>, next: Record<string, unknown>, fields: Set<string>): string[] {
  return [...fields].filter((k) => !sameValue(old[k], next[k]));
}

/** Warns, in the engine's output, of stored keys this version does not know; they are kept, not judged. */
function reportUnknownKeys(type: string, keys: string[]): void {
  if (keys.length === 0) return;
  console.warn(
    `warning: ${type}: its stored state has keys this version of @smartos-mail/pulumi does not know: ` +
      `${keys.join(", ")}. They are kept until the next update; a newer version wrote them, or one that is missing a migration.`,
  );
}

/**
 * The provider of one host resource, run by the engine's dynamic-provider
 * host: check with the policy schema (nothing runs on a host); stored
 * properties migrated to the current state version and read with the storage
 * schema (no policy, so whatever an earlier version accepted can still be
 * diffed, refreshed, updated and deleted); a pure diff from the changed fields
 * (replace or update per field); the id; the spec's host steps; and the state
 * version written with every state.
 */
export function hostProvider<I extends OnHost, S extends I>(
  spec: HostProviderSpec<I, S>,
): pulumi.dynamic.ResourceProvider<Record<string, unknown>, S> {
  const { outputs, slug, type } = RESOURCE_KINDS[spec.kind];
  // Derived when provider-runtime loads: a schema it cannot derive fails every test that loads the provider.
  storageSchema(spec.schema);
  const notInputs = new Set<string>(["__provider", STATE_VERSION_KEY, ...outputs]);
  /**
   * Inputs from properties of the current state version (a check's result, or stored state once
   * migrated): as stored, and without the keys this version does not know, for the diff.
   */
  const readInputs = (raw: StoredProperties): { inputs: I; known: I } => {
    const given = Object.fromEntries(Object.entries(raw).filter(([k]) => !notInputs.has(k)));
    const { value, known, unknownKeys } = readStored(spec.schema, given, type);
    reportUnknownKeys(type, unknownKeys);
    return { inputs: value, known };
  };
  const inputsOf = (raw: StoredProperties): I => readInputs(raw).inputs;
  const stateFrom = (inputs: I, raw: StoredProperties): S => {
    if (spec.stateOf) return spec.stateOf(inputs, raw);
    return {
      ...inputs,
      ...Object.fromEntries(outputs.filter((k) => k in raw).map((k) => [k, raw[k]])),
    } as unknown as S;
  };
  /** The stored properties the engine sends (olds, props), migrated: their known inputs and their state. */
  const storedOf = (raw: unknown): { known: I; state: S } => {
    const migrated = migrateStored(spec.kind, raw as StoredProperties);
    const { inputs, known } = readInputs(migrated);
    return { known, state: stateFrom(inputs, migrated) };
  };
  const versioned = (state: S): S => ({ ...state, [STATE_VERSION_KEY]: STATE_VERSION });
  const replaceOn = new Set<string>(["profile", ...(spec.replaceOn ?? [])]);
  const checkOnly = new Set<string>(spec.checkOnly ?? []);
  return {
    async check(_olds, news) {
      return checkWithSchema(spec.schema, news);
    },

    async diff(_id, olds, news) {
      const { known: oldInputs, state: old } = storedOf(olds);
      // During preview an input may be another resource's output not known yet: its field may change, and
      // replaces the resource if a change of it would (another machine, a replaceOn field).
      const pending = Object.keys(news).filter((k) => !notInputs.has(k) && containsUnknown(news[k]));
      if (pending.length > 0) {
        const replaces = pending.filter((k) => k === "connection" || replaceOn.has(k));
        return { changes: true, replaces, deleteBeforeReplace: true };
      }
      const next = inputsOf(news);
      const fields = changedFields(
        oldInputs as unknown as StoredProperties,
        next as unknown as StoredProperties,
        new Set([...Object.keys(oldInputs), ...Object.keys(next)].filter((k) => !checkOnly.has(k))),
      );
      const replaces = [
        ...(sameMachine(old.connection, next.connection) ? [] : ["connection"]),
        ...fields.filter((k) => replaceOn.has(k)),
        ...(spec.replaces?.(old, next) ?? []),
      ];
      const changes = replaces.length > 0 || fields.length > 0 || (spec.drifted?.(old, next) ?? false);
      return { changes, replaces, deleteBeforeReplace: spec.deleteBeforeReplace?.(old, next) ?? true };
    },

    async create(raw) {
      const state = await spec.create(inputsOf(raw));
      return {
        id: spec.id ? spec.id(state) : `${state.connection.host}/${slug}/${randomUUID()}`,
        outs: versioned(state),
      };
    },

    async read(id, props) {
      const state = await spec.read(storedOf(props ?? {}).state);
      // An empty id tells the engine the object is gone, so the next up makes it again.
      return state === undefined ? { id: "" } : { id, props: versioned(state) };
    },

    async update(_id, olds, news) {
      return { outs: versioned(await spec.update(storedOf(olds).state, inputsOf(news))) };
    },

    async delete(_id, props) {
      await spec.delete(storedOf(props).state);
    },
  };
}
