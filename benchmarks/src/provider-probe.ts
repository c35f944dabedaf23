import { type ChildProcess, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { ProviderHost } from "../../integration-tests/dist/harness/provider-host";

/** What one provider-host process (the SDK's dynamic-provider host) did during one Stack operation. */
export interface ProviderUsage {
  /** Its pid on this machine. */
  pid: number;
  /** Seconds from spawn until Configure answered: node starting and loading the SDK and our package. */
  startSeconds: number;
  /** Seconds inside each gRPC method, summed over resources (concurrent calls overlap). */
  calls: Record<string, number>;
  /** Peak resident set (VmHWM of /proc/PID/status), KiB, read just before the host is stopped. */
  peakRssKiB: number;
  /** CPU time (user + system) the process used, seconds. */
  cpuSeconds: number;
}

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
const usageOf = new WeakMap<ProviderHost, ProviderUsage>();
const live = new Map<number, ChildProcess>();
let recording: ProviderUsage[] | undefined;

// The harness keeps the child process private; the probe reads it, and only it.
function childOf(host: ProviderHost): ChildProcess {
  return (host as unknown as { child: ChildProcess }).child;
}

function peakRssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
}

function cpuSeconds(pid: number): number {
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

let installed = false;

/**
 * Wraps the harness's ProviderHost (the engine side of the gRPC link) so each
 * operation reports the host process's start time, time per call, peak RSS and
 * CPU. The harness itself is unchanged; this patches its class in this process only.
 */
export function installProbe(): void {
  if (installed) return;
  installed = true;
  const start = ProviderHost.start.bind(ProviderHost);
  ProviderHost.start = async (cwd: string, logFile: string) => {
    const t0 = performance.now();
    const host = await start(cwd, logFile);
    const child = childOf(host);
    const pid = child.pid ?? -1;
    live.set(pid, child);
    const usage: ProviderUsage = {
      pid,
      startSeconds: (performance.now() - t0) / 1000,
      calls: {},
      peakRssKiB: Number.NaN,
      cpuSeconds: Number.NaN,
    };
    usageOf.set(host, usage);
    recording?.push(usage);
    return host;
  };
  const proto = ProviderHost.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of ["check", "diff", "create", "read", "update", "delete"]) {
    const original = proto[method];
    proto[method] = async function (this: ProviderHost, ...args: unknown[]) {
      const t0 = performance.now();
      try {
        return await original.apply(this, args);
      } finally {
        const usage = usageOf.get(this);
        if (usage) usage.calls[method] = (usage.calls[method] ?? 0) + (performance.now() - t0) / 1000;
      }
    };
  }
  const stop = proto.stop;
  proto.stop = async function (this: ProviderHost) {
    const usage = usageOf.get(this);
    const child = childOf(this);
    if (usage && child.exitCode === null) {
      usage.peakRssKiB = peakRssKiB(usage.pid);
      usage.cpuSeconds = cpuSeconds(usage.pid);
    }
    try {
      return await stop.apply(this);
    } finally {
      live.delete(usage?.pid ?? -1);
    }
  };
}

/** Runs `operation` and returns what every provider host it started did. */
export async function probe<T>(operation: () => Promise<T>): Promise<{ result: T; usage: ProviderUsage[] }> {
  installProbe();
  if (recording) throw new Error("probe: operations must not overlap");
  recording = [];
  try {
    const result = await operation();
    return { result, usage: recording };
  } finally {
    recording = undefined;
  }
}

/** Kills the provider hosts this process started that are still running (after a timeout or a crash). */
export function killLiveProviderHosts(): void {
  for (const child of live.values()) {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  live.clear();
}
