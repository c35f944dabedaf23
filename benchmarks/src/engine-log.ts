/** One gRPC call the engine made to a provider, as its own log (`-v=7`) tells it. */
export interface ProviderCall {
  /** The engine's handle of the provider (`Provider[0x…]`): one per plugin instance. */
  provider: string;
  /** The method: GetPluginInfo, CheckConfig, Configure, Check, Diff, Create, Update, Delete, Read... */
  method: string;
  /** The resource's URN for per-resource calls (Read logs the id first), else its first argument as logged. */
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
    const [, provider, method, args, phase] = m;
    const at = Date.parse(entry.time);
    const parts = args.split(",");
    const target = parts.find((a) => a.startsWith("urn:")) ?? parts[0];
    const key = `${provider}.${method}(${target})`;
    if (phase === "executing") {
      const call = { provider, method, target, startMs: at, endMs: at };
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
 * The package a URN's resource belongs to: `cloudflare` for `…$cloudflare:index/dnsRecord:DnsRecord::…`,
 * `pulumi-nodejs` for a dynamic resource, the provider's package for `pulumi:providers:<package>`.
 */
function packageOf(urn: string): string | undefined {
  const type = urn.split("::")[2]?.split("$").pop();
  if (!type) return undefined;
  const [pkg, module, name] = type.split(":");
  return pkg === "pulumi" && module === "providers" ? name : pkg;
}

/** The package of each provider handle in `calls` (`pulumi-nodejs`, `cloudflare`, …), from the URNs it was called with. */
export function providerPackages(calls: ProviderCall[]): Map<string, string> {
  const packages = new Map<string, string>();
  for (const c of calls) {
    const pkg = c.target.startsWith("urn:") ? packageOf(c.target) : undefined;
    if (pkg) packages.set(c.provider, pkg);
  }
  return packages;
}
