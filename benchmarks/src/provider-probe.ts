import { readdirSync, readFileSync, realpathSync } from "node:fs";
import * as path from "node:path";
import { CLOCK_TICKS, type ProcRecord } from "./proc-watch";

/**
 * What the dynamic-provider plugin the engine started for one operation used, observed from /proc.
 * The plugin is `pulumi-resource-pulumi-nodejs`, a sh script that runs `node -e require.resolve(...)` to
 * find the SDK's dynamic-provider host, then `node .../@pulumi/pulumi/cmd/dynamic-provider/index.js`,
 * in the stack's directory, as a child of the `pulumi` CLI.
 */
export interface ProviderUsage {
  /** The provider node process's pid. */
  pid: number;
  /** Seconds from the `pulumi` CLI's start to the plugin script's start (the engine's work before it needs the plugin). */
  launchedAfterSeconds: number;
  /** Seconds from the plugin script's start to the provider node's exit (the engine stops it when its last step is done). */
  aliveSeconds: number;
  /** VmHWM of the provider node process, KiB, at its last sample before exit. */
  peakRssKiB: number;
  /**
   * CPU time (user + system), seconds, of the plugin's processes: the script, the `node -e` it runs
   * first (reaped by the script) and the provider node, each at its last sample before exit.
   */
  cpuSeconds: number;
  /** Of {@link cpuSeconds}, the provider node process's own. */
  providerCpuSeconds: number;
  /** Polls that sampled the provider node alive. */
  samples: number;
}

/** One engine operation as /proc saw it: the `pulumi` CLI process of the operation and its plugins. */
export interface EngineRun {
  /** Seconds from the start of the `pulumi up` (or `destroy`) process to its exit. */
  cliSeconds: number;
  /** That process's own CPU time, seconds. */
  cliCpuSeconds: number;
  /** When it started and exited, ms on the proc-watch clock. */
  cliStartMs: number;
  cliEndMs: number;
  /** The dynamic-provider plugins it started (one per operation for a stack of dynamic resources). */
  providers: ProviderUsage[];
  /** The other `pulumi` commands the Automation API ran around it (`stack output`, `stack history`, `stack export`). */
  otherCommands: string[];
}

const isCli = (r: ProcRecord) => path.basename(r.argv[0] ?? "") === "pulumi";
const isPlugin = (r: ProcRecord) => (r.argv[1] ?? "").endsWith("/pulumi-resource-pulumi-nodejs");
const isProvider = (r: ProcRecord) => (r.argv[1] ?? "").endsWith("/cmd/dynamic-provider/index.js");

/** When a process exited: between its last sample alive and the first poll that found it gone. */
function endMs(r: ProcRecord): number {
  if (Number.isNaN(r.goneMs)) return Number.NaN;
  return Number.isNaN(r.lastAliveMs) ? r.goneMs : (r.lastAliveMs + r.goneMs) / 2;
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * The operation `command` (`up`, `destroy`) among the processes seen: exactly one `pulumi <command>`
 * process, and the dynamic-provider plugins it started, each run in `stackDir`.
 */
export function engineRun(records: ProcRecord[], command: string, stackDir: string, what: string): EngineRun {
  // The Automation API spawns the CLI itself. Only its own children count: a process the CLI forks shows
  // the CLI's command line until it execs, and the poller may catch one in that moment.
  const clis = records.filter((r) => isCli(r) && r.ppid === process.pid && r.argv[1] === command);
  if (clis.length !== 1) throw new Error(`${what}: expected one \`pulumi ${command}\` process, saw ${clis.length}`);
  const cli = clis[0];
  const cliEndMs = endMs(cli);
  if (Number.isNaN(cliEndMs))
    throw new Error(`${what}: \`pulumi ${command}\` had not exited when the operation returned`);
  const dir = real(stackDir);
  const providers = records
    .filter((r) => isPlugin(r) && r.ppid === cli.pid)
    .map((plugin): ProviderUsage => {
      const node = records.find((r) => r.ppid === plugin.pid && isProvider(r));
      if (!node || node.samples === 0) throw new Error(`${what}: the dynamic-provider node process was never sampled`);
      if (real(plugin.cwd) !== dir) throw new Error(`${what}: the plugin ran in ${plugin.cwd}, not the stack's ${dir}`);
      return {
        pid: node.pid,
        launchedAfterSeconds: (plugin.startMs - cli.startMs) / 1000,
        aliveSeconds: (endMs(node) - plugin.startMs) / 1000,
        peakRssKiB: node.hwmKiB,
        cpuSeconds: (plugin.selfTicks + plugin.childTicks + node.selfTicks) / CLOCK_TICKS,
        providerCpuSeconds: node.selfTicks / CLOCK_TICKS,
        samples: node.samples,
      };
    });
  return {
    cliSeconds: (cliEndMs - cli.startMs) / 1000,
    cliCpuSeconds: cli.selfTicks / CLOCK_TICKS,
    cliStartMs: cli.startMs,
    cliEndMs,
    providers,
    otherCommands: records
      .filter((r) => isCli(r) && r.ppid === process.pid && r !== cli)
      .map((r) => r.argv.slice(1, 3).join(" ")),
  };
}

/**
 * Kills every process that descends from this one (the `pulumi` CLI and the plugins under it, after a
 * timeout or a signal), children before parents, by pid.
 */
export function killDescendants(): void {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {}
  }
  const depth = (pid: number): number => {
    let n = 0;
    for (let p = pid; p !== process.pid; p = parent.get(p) ?? 0) {
      if (p <= 1 || n > 64) return -1;
      n++;
    }
    return n;
  };
  const mine = [...parent.keys()].map((pid) => [pid, depth(pid)]).filter(([, d]) => d > 0);
  for (const [pid] of mine.sort((a, b) => b[1] - a[1])) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
}
