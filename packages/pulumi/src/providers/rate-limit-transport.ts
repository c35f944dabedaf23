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
import { type RateLimitPolicy, ratePolicy, transportMapPath } from "../ratelimit/policy";
import { platform } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { prelude } from "../remote/script-prelude";
import { parseSections } from "../remote/sections";
import { joinScripts } from "../remote/shell";
import { type RateLimitInputs, type RateLimitState, rateLimitSchema } from "../schemas/rate-limit-transport";
import { todayUtc } from "../validation/dates";
import { hostProvider } from "./host-provider";

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

/** The RateLimitTransport hooks, run by the engine's dynamic-provider host. */
export const rateLimitTransportProvider = hostProvider<RateLimitInputs, RateLimitState>({
  kind: "rateLimitTransport",
  schema: rateLimitSchema,
  // The host differs from the policy of the day (a new warm-up step, a hand edit found by refresh).
  drifted(old, next) {
    const policy = ratePolicy(next, next.today ?? todayUtc());
    return !isEmptyEdit(editFor(old, policy)) || JSON.stringify(outputsOf(policy)) !== JSON.stringify(outputsOf(old));
  },
  create: (news) => apply(undefined, news),
  async read(old) {
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
    return { ...old, applied };
  },
  update: (old, news) => apply(old, news),
  async delete(old) {
    await apply(old, { ...old, defaults: undefined, transports: [] });
  },
});
