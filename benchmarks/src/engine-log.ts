/** One gRPC call the engine made to a provider, as its own log (`-v=7`) tells it. */
export interface ProviderCall {
  /** The engine's handle of the provider (`Provider[0x…]`): one per plugin instance. */
  provider: string;
  /** The method: GetPluginInfo, CheckConfig, Configure, Check, Diff, Create, Update, Delete, Read... */
  method: string;
  /** Its first argument as logged (the resource's URN for per-resource calls). */
  target: string;
  /** When the engine logged "executing" and the outcome, ms since the epoch. */
  startMs: number;
  endMs: number;
}

/** A line of the engine's structured log (`pulumi --logtostderr -v=N`). */
interface LogLine {
  time?: string;
  msg?: string;
}

const CALL = /^Provider\[([^\]]*)\]\.(\w+)\(([^)]*)\):? ?(executing|success|failed|unimplemented|error)?/;

/**
 * The provider calls in the text the engine logged at `-v=7` or more (each call's "executing" and
 * "success" lines, with the engine's time stamps), in the order they started. A call with no outcome
 * line ends at its start.
 */
export function providerCalls(logText: string): ProviderCall[] {
  const calls: ProviderCall[] = [];
  const open = new Map<string, ProviderCall>();
  for (const line of logText.split("\n")) {
    if (!line.startsWith('{"time":')) continue;
    let entry: LogLine;
    try {
      entry = JSON.parse(line) as LogLine;
    } catch {
      continue;
    }
    const m = CALL.exec(entry.msg ?? "");
    if (!m || !entry.time) continue;
    const [, provider, method, target, phase] = m;
    const at = Date.parse(entry.time);
    const key = `${provider}.${method}(${target.split(",")[0]})`;
    if (phase === "executing") {
      const call = { provider, method, target: target.split(",")[0], startMs: at, endMs: at };
      calls.push(call);
      open.set(key, call);
    } else {
      const call = open.get(key);
      if (call) {
        call.endMs = at;
        open.delete(key);
      }
    }
  }
  return calls;
}

/** Seconds spent in calls of `method` (summed; concurrent calls overlap). */
export function secondsIn(calls: ProviderCall[], method: string): number {
  return calls.filter((c) => c.method === method).reduce((s, c) => s + (c.endMs - c.startMs) / 1000, 0);
}

/**
 * The package of each provider handle in `calls` (`pulumi-nodejs` for the dynamic-provider plugin,
 * `cloudflare`, …), from the provider resource's URN its CheckConfig or Configure names.
 */
export function providerPackages(calls: ProviderCall[]): Map<string, string> {
  const packages = new Map<string, string>();
  for (const c of calls) {
    const m = /::pulumi:providers:([\w-]+)::/.exec(c.target);
    if (m) packages.set(c.provider, m[1]);
  }
  return packages;
}
