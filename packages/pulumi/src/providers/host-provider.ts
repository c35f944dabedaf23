import { randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { type Connection, sameMachine } from "../remote/connection";
import type { PlatformName } from "../remote/platform";
import { RESOURCE_KINDS, type ResourceKind } from "../resources/kinds";
import { checkWithSchema, storedInputs } from "./check";

/** The inputs every resource on a host has. */
export interface OnHost {
  /** How to reach the host. */
  connection: Connection;
  /** The platform profile, where the resource has one. */
  profile?: PlatformName;
}

/**
 * What one resource brings to {@link hostProvider}: its schema and its host
 * steps. The skeleton does the rest: check, parsing stored state, the diff,
 * the id. `I` is the validated inputs, `S` what the provider stores.
 */
export interface HostProviderSpec<I extends OnHost, S extends I> {
  /** The resource's kind in {@link RESOURCE_KINDS}: its outputs and its id. */
  kind: ResourceKind;
  /** The zod schema of the inputs; its output type is `I`. */
  schema: z.ZodType<I, unknown>;
  /**
   * Input fields whose change replaces the resource; every other field is
   * changed in place. Another machine (host or port) or another `profile`
   * always replaces.
   */
  replaceOn?: readonly (keyof I & string)[];
  /** Further replacement reasons the fields alone do not show (e.g. vmadm properties fixed at create). */
  replaces?: (old: S, next: I) => string[];
  /** Whether the host must be changed though no input changed: drift that refresh found. */
  drifted?: (old: S, next: I) => boolean;
  /**
   * Whether the old resource is deleted before its replacement is made.
   * Default true: both would own the same files on the same host.
   */
  deleteBeforeReplace?: (old: S, next: I) => boolean;
  /** The state from stored properties whose inputs are parsed: how to read older state. Default: as stored. */
  stateOf?: (inputs: I, stored: Record<string, unknown>) => S;
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

/**
 * The provider of one host resource, run by the engine's dynamic-provider
 * host: check with the schema (nothing runs on a host), stored properties
 * parsed back into inputs and state, a pure diff from the changed fields
 * (replace or update per field), the id, and the spec's host steps.
 */
export function hostProvider<I extends OnHost, S extends I>(
  spec: HostProviderSpec<I, S>,
): pulumi.dynamic.ResourceProvider<Record<string, unknown>, S> {
  type Stored = Record<string, unknown>;
  const { outputs, slug } = RESOURCE_KINDS[spec.kind];
  const inputsOf = (raw: Stored): I => storedInputs(spec.schema, raw, outputs) as I;
  const stateFrom = (inputs: I, raw: Stored): S => {
    if (spec.stateOf) return spec.stateOf(inputs, raw);
    return {
      ...inputs,
      ...Object.fromEntries(outputs.filter((k) => k in raw).map((k) => [k, raw[k]])),
    } as unknown as S;
  };
  const stateOf = (raw: Stored): S => stateFrom(inputsOf(raw), raw);
  const replaceOn = new Set<string>(["profile", ...(spec.replaceOn ?? [])]);
  return {
    async check(_olds, news) {
      return checkWithSchema(spec.schema, news);
    },

    async diff(_id, olds, news) {
      const oldInputs = inputsOf(olds as unknown as Stored);
      const old = stateFrom(oldInputs, olds as unknown as Stored);
      const next = inputsOf(news);
      const fields = changedFields(
        oldInputs as unknown as Stored,
        next as unknown as Stored,
        new Set([...Object.keys(oldInputs), ...Object.keys(next)]),
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
      return { id: spec.id ? spec.id(state) : `${state.connection.host}/${slug}/${randomUUID()}`, outs: state };
    },

    async read(id, props) {
      const state = await spec.read(stateOf((props ?? {}) as unknown as Stored));
      // An empty id tells the engine the object is gone, so the next up makes it again.
      return state === undefined ? { id: "" } : { id, props: state };
    },

    async update(_id, olds, news) {
      return { outs: await spec.update(stateOf(olds as unknown as Stored), inputsOf(news)) };
    },

    async delete(_id, props) {
      await spec.delete(stateOf(props as unknown as Stored));
    },
  };
}
