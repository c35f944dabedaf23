import * as path from "node:path";
import type { PulumiStack } from "../../integration-tests/dist/harness/pulumi-stack";
import { breakdownOf } from "./breakdown";
import { pluginStartSeconds } from "./facts";
import type { BenchHost } from "./hosts";
import { upOurs } from "./ours";
import { median } from "./stats";

/**
 * Node.js's module compile cache (issue 27), three ways:
 * - `off`: `NODE_DISABLE_COMPILE_CACHE=1`, nothing cached (Node.js's default before this library turned it on);
 * - `library`: no variable set; the library's provider-runtime turns the cache on for the modules it loads
 *   (`packages/pulumi/src/enable-compile-cache.ts`, in `~/.cache/smartos-mail/node-compile-cache`);
 * - `user`: `NODE_COMPILE_CACHE` set, as the README tells users: the SDK's dynamic-provider host is cached too.
 */
export const CACHE_MODES = ["off", "library", "user"] as const;
/** One of {@link CACHE_MODES}. */
export type CacheMode = (typeof CACHE_MODES)[number];

/** Per mode: the plugin's start alone, and the plugin's start and Check in a logged no-op `pulumi up` (seconds). */
export interface CompileCacheResults {
  rounds: number;
  pluginAlone: Record<CacheMode, number[]>;
  pluginStart: Record<CacheMode, number[]>;
  check: Record<CacheMode, number[]>;
  noop: Record<CacheMode, number[]>;
}

const VARIABLES = ["NODE_COMPILE_CACHE", "NODE_DISABLE_COMPILE_CACHE"] as const;

/** The compile-cache variables of `mode` (`user`'s cache in `dir`). */
function variables(mode: CacheMode, dir: string): Partial<Record<(typeof VARIABLES)[number], string>> {
  if (mode === "off") return { NODE_DISABLE_COMPILE_CACHE: "1" };
  if (mode === "user") return { NODE_COMPILE_CACHE: dir };
  return {};
}

/**
 * Runs `fn` with this process's environment set for `mode`: the Automation API starts the `pulumi` CLI
 * with this process's environment, and the CLI the plugin with its own.
 */
async function withMode<T>(mode: CacheMode, dir: string, fn: () => Promise<T>): Promise<T> {
  const saved = VARIABLES.map((k) => [k, process.env[k]] as const);
  for (const k of VARIABLES) delete process.env[k];
  Object.assign(process.env, variables(mode, dir));
  try {
    return await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const perMode = (): Record<CacheMode, number[]> => ({ off: [], library: [], user: [] });

/**
 * On the logged pass's stack (its PostfixConfig created, `myhostname` as given): first one unmeasured
 * no-op per mode, which fills the caches; then `rounds` rounds, in an order that rotates, of the plugin
 * alone and a no-op `pulumi up` per mode, the latter split by the engine's log.
 */
export async function measureCompileCache(
  stack: PulumiStack,
  h: BenchHost,
  myhostname: string,
  workDir: string,
  rounds: number,
  log: (message: string) => void,
): Promise<CompileCacheResults> {
  const dir = path.join(workDir, "node-compile-cache");
  const results: CompileCacheResults = {
    rounds,
    pluginAlone: perMode(),
    pluginStart: perMode(),
    check: perMode(),
    noop: perMode(),
  };
  for (const mode of CACHE_MODES) await withMode(mode, dir, () => upOurs(stack, [h], myhostname, "same"));
  for (let r = 0; r < rounds; r++) {
    for (const mode of CACHE_MODES.map((_, i) => CACHE_MODES[(i + r) % CACHE_MODES.length])) {
      results.pluginAlone[mode].push(await withMode(mode, dir, () => pluginStartSeconds(stack.options.dir)));
      const b = breakdownOf("no-op", await withMode(mode, dir, () => upOurs(stack, [h], myhostname, "same")));
      results.pluginStart[mode].push(b.pluginStart);
      results.check[mode].push(b.check);
      results.noop[mode].push(b.total);
      log(
        `  compile cache ${mode}: plugin alone ${results.pluginAlone[mode].at(-1)?.toFixed(2)} s; no-op ${b.total.toFixed(2)} s, plugin start ${b.pluginStart.toFixed(2)} s, Check ${b.check.toFixed(2)} s`,
      );
    }
  }
  return results;
}

/** Medians per mode, for the report. */
export function cacheMedians(r: CompileCacheResults, key: Exclude<keyof CompileCacheResults, "rounds">) {
  return Object.fromEntries(CACHE_MODES.map((m) => [m, median(r[key][m])])) as Record<CacheMode, number>;
}
