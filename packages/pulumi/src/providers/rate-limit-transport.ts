import { randomUUID } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { MainCfChange } from "../postfix/main-cf";
import {
  editScript,
  isEmptyEdit,
  parseApplied,
  parseBefore,
  type RateLimitApplied,
  type RateLimitEdit,
  showApplied,
} from "../ratelimit/host";
import {
  type RateLimitInputs,
  type RateLimitPolicy,
  rateLimitSchema,
  ratePolicy,
  transportMapPath,
} from "../ratelimit/policy";
import { type ConnectionArgs, secretConnection } from "../remote/connection";
import { type PlatformName, platform } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { prelude } from "../remote/script-prelude";
import { parseSections } from "../remote/sections";
import { joinScripts } from "../remote/shell";
import { todayUtc } from "../validation/dates";
import { checkWithSchema, storedInputs } from "./check";
import { dynamicProvider, dynamicResourceOptions } from "./dynamic";
import { connectionChanged, hostReplaces } from "./host-diff";

/** What the provider stores: the inputs, the policy in force and what it found and changed on the host. */
export interface RateLimitState extends RateLimitInputs {
  /** What was live after the last change or refresh. */
  applied: RateLimitApplied;
  /** Values of the managed main.cf parameters from before this resource took them over; restored on delete. */
  previous: { parameters: Record<string, string | null> };
  /** The rate delay in force per transport (`smtp`: the defaults). */
  rateDelays: Record<string, string>;
  /** The day each warm-up schedule takes its next step. */
  nextWarmupStep: Record<string, string>;
}

const NOTHING: RateLimitApplied = { parameters: {}, services: {}, transportMap: null, mapListed: false };

/** The edit that takes the host from `applied` (recorded by `old`) to `policy`. */
function editFor(old: RateLimitState | undefined, policy: RateLimitPolicy): RateLimitEdit {
  const applied = old?.applied ?? NOTHING;
  const previous = old?.previous.parameters ?? {};
  const change: MainCfChange = { set: {}, remove: [] };
  for (const [k, v] of Object.entries(policy.parameters)) if (applied.parameters[k] !== v) change.set[k] = v;
  for (const k of Object.keys(applied.parameters)) {
    if (k in policy.parameters) continue;
    const before = previous[k] ?? null;
    if (before === null) change.remove.push(k);
    else change.set[k] = before;
  }
  const wantsMap = policy.transportMap !== null;
  return {
    change,
    addServices: Object.entries(policy.services)
      .filter(([s, entry]) => applied.services[s] !== entry)
      .map(([service, entry]) => ({ service, entry, owned: service in applied.services })),
    removeServices: Object.keys(applied.services).filter((s) => !(s in policy.services)),
    ...(wantsMap && policy.transportMap !== applied.transportMap ? { writeMap: policy.transportMap ?? "" } : {}),
    removeMap: !wantsMap && (applied.transportMap !== null || applied.mapListed),
    ...(wantsMap !== applied.mapListed ? { listMap: wantsMap } : {}),
  };
}

async function apply(old: RateLimitState | undefined, news: RateLimitInputs): Promise<RateLimitState> {
  const policy = ratePolicy(news, news.today ?? todayUtc());
  const edit = editFor(old, policy);
  const previous = Object.fromEntries(
    Object.entries(old?.previous.parameters ?? {}).filter(([k]) => k in policy.parameters),
  );
  let applied = old?.applied ?? NOTHING;
  if (!isEmptyEdit(edit)) {
    const mapPath = transportMapPath(news);
    const services = [...new Set([...Object.keys(policy.services), ...Object.keys(applied.services)])];
    const host = new RemoteHost(news.connection);
    const result = await host.exclusive(() =>
      host.run(editScript(platform(news.profile), edit, services, mapPath), { step: "apply the rate limits" }),
    );
    const s = parseSections(result.stdout);
    const before = parseBefore(s);
    for (const k of Object.keys(policy.parameters)) if (!(k in previous)) previous[k] = before[k] ?? null;
    applied = parseApplied(
      s,
      { parameters: Object.keys(policy.parameters), services: Object.keys(policy.services) },
      mapPath,
    );
  }
  return { ...news, applied, previous: { parameters: previous }, ...outputsOf(policy) };
}

function outputsOf(
  from: Pick<RateLimitPolicy, "rateDelays" | "nextWarmupStep">,
): Pick<RateLimitState, "rateDelays" | "nextWarmupStep"> {
  return { rateDelays: from.rateDelays, nextWarmupStep: from.nextWarmupStep };
}

function parseInputs(raw: Record<string, unknown>): RateLimitInputs {
  return storedInputs(rateLimitSchema, raw, ["applied", "previous", "rateDelays", "nextWarmupStep"]);
}

function parseState(raw: Record<string, unknown>): RateLimitState {
  const s = raw as unknown as RateLimitState;
  return {
    ...parseInputs(raw),
    applied: s.applied,
    previous: s.previous,
    rateDelays: s.rateDelays,
    nextWarmupStep: s.nextWarmupStep,
  };
}

/** The RateLimitTransport hooks, run by the engine's dynamic-provider host. */
export const rateLimitTransportProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkWithSchema(rateLimitSchema, news);
  },

  async diff(_id, olds, news) {
    const old = parseState(olds);
    const next = parseInputs(news);
    const replaces = hostReplaces(old, next);
    const policy = ratePolicy(next, next.today ?? todayUtc());
    const changes =
      replaces.length > 0 ||
      connectionChanged(old, next) ||
      !isEmptyEdit(editFor(old, policy)) ||
      JSON.stringify(outputsOf(policy)) !== JSON.stringify(outputsOf(old));
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const news = parseInputs(inputs);
    return { id: `${news.connection.host}/rate-limit/${randomUUID()}`, outs: await apply(undefined, news) };
  },

  async read(id, props) {
    const old = parseState(props);
    const p = platform(old.profile);
    const mapPath = transportMapPath(old);
    const host = new RemoteHost(old.connection);
    const result = await host.run(joinScripts([prelude(p), showApplied(Object.keys(old.applied.services), mapPath)]), {
      step: "read the rate limits",
    });
    const applied = parseApplied(
      parseSections(result.stdout),
      { parameters: Object.keys(old.applied.parameters), services: Object.keys(old.applied.services) },
      mapPath,
    );
    return { id, props: { ...old, applied } };
  },

  async update(_id, olds, news) {
    return { outs: await apply(parseState(olds), parseInputs(news)) };
  },

  async delete(_id, props) {
    const old = parseState(props);
    await apply(old, { ...old, defaults: undefined, transports: [] });
  },
};

// ---------------------------------------------------------------- resource

/** Recipient limit and rate delay for a destination class; see the guide's "Message Rate Limiting". */
export interface RateLimitArgs {
  /** Recipients per delivery (`..._destination_recipient_limit`), at least 2; the guide uses 10 to 100. */
  recipientLimit?: pulumi.Input<number>;
  /** Pause between deliveries to one domain (`..._destination_rate_delay`), e.g. `"300s"`. */
  rateDelay?: pulumi.Input<string>;
  /** A warm-up schedule instead of a fixed `rateDelay`: re-run `pulumi up` daily and the delay ramps down. */
  warmup?: pulumi.Input<WarmupArgs>;
}

/** An IP warm-up schedule for a rate delay. */
export interface WarmupArgs {
  /** First day, YYYY-MM-DD (UTC). Before it, the first delay applies. */
  start: pulumi.Input<string>;
  /** Delays in order, each no longer than the one before, e.g. `["300s", "240s", "180s", "120s", "60s", "10s", "1s"]`. */
  rateDelays: pulumi.Input<pulumi.Input<string>[]>;
  /** Days each step lasts. Default 1. */
  daysPerStep?: pulumi.Input<number>;
}

/** A named transport (a master.cf service running smtp) and the domains routed through it. */
export interface TransportArgs extends RateLimitArgs {
  /** Service name, e.g. `smtp-aggr`; its parameters are `<name>_destination_*`. */
  name: pulumi.Input<string>;
  /** `<name>_destination_concurrency_limit`; the guide advises leaving concurrency alone. */
  concurrencyLimit?: pulumi.Input<number>;
  /** Domains routed through it, e.g. `["gmail.com", "googlemail.com"]`; `.gmail.com` matches subdomains. */
  domains: pulumi.Input<pulumi.Input<string>[]>;
}

/** Arguments of {@link RateLimitTransport}. */
export interface RateLimitTransportArgs {
  /** How to reach the Postfix host, with its pinned host key. */
  connection: ConnectionArgs;
  /** Host flavour: `smartos` (pkgsrc, SMF; default) or `linux` (Debian/Ubuntu, also lx zones). */
  profile?: pulumi.Input<PlatformName>;
  /** `smtp_destination_recipient_limit` and `smtp_destination_rate_delay`: every domain not in a transport. */
  defaults?: pulumi.Input<RateLimitArgs>;
  /** Named transports with their own limits, and the domains mapped to each through `transport_maps`. */
  transports?: pulumi.Input<pulumi.Input<TransportArgs>[]>;
  /** The day warm-up schedules are rendered for, YYYY-MM-DD. Default: today (UTC), so each `pulumi up` moves on. */
  today?: pulumi.Input<string>;
}

/**
 * The guide's message rate limiting on one Postfix host: default limits,
 * named smtp transports in master.cf (made with `postconf -M`) with their own
 * recipient limits, rate delays and concurrency, the domain -> transport map
 * (`hash:`, postmapped on every change), and warm-up schedules that ramp the
 * delays as the days pass. One resource owns a host's rate-limit policy.
 */
export class RateLimitTransport extends pulumi.dynamic.Resource {
  /** The rate delay in force per transport (`smtp`: the defaults). */
  declare readonly rateDelays: pulumi.Output<Record<string, string>>;
  /** The day each warm-up schedule takes its next step. */
  declare readonly nextWarmupStep: pulumi.Output<Record<string, string>>;
  /** What was live on the host after the last change or refresh. */
  declare readonly applied: pulumi.Output<RateLimitApplied>;

  /**
   * @param name the resource name.
   * @param args the policy; see {@link RateLimitTransportArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: RateLimitTransportArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider("rateLimitTransport"),
      name,
      {
        ...args,
        connection: secretConnection(args.connection),
        applied: undefined,
        previous: undefined,
        rateDelays: undefined,
        nextWarmupStep: undefined,
      },
      dynamicResourceOptions("RateLimitTransport", name, opts),
      "smartos-mail",
      "RateLimitTransport",
    );
  }
}
