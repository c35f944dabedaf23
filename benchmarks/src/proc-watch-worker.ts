import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import type { ProcRecord, WatchReply, WatchRequest } from "./proc-watch";

/**
 * The /proc poller behind {@link ProcWatch} (proc-watch.ts), in a worker thread so its reads never
 * delay the benchmark's main thread, which serves the inline program's language runtime to the engine.
 * Between "start" and "stop" it polls every `intervalMs`: finds the new descendants of `rootPid` (the
 * benchmark process) and samples each while it lives: its command line, working directory, CPU time
 * (utime + stime, and its reaped children's cutime + cstime) and peak resident set (VmHWM).
 */
const { rootPid, intervalMs, clockTicks } = workerData as { rootPid: number; intervalMs: number; clockTicks: number };

interface Stat {
  state: string;
  ppid: number;
  selfTicks: number;
  childTicks: number;
  startTicks: number;
}

const nowMs = () => performance.timeOrigin + performance.now();

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name: state is field 3, ppid 4, utime 14, stime 15,
    // cutime 16, cstime 17, starttime 22 (clock ticks after boot).
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      state: f[0],
      ppid: Number(f[1]),
      selfTicks: Number(f[11]) + Number(f[12]),
      childTicks: Number(f[13]) + Number(f[14]),
      startTicks: Number(f[19]),
    };
  } catch {
    return undefined;
  }
}

function readArgv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
  } catch {
    return [];
  }
}

function readHwmKiB(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function pids(): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    const c = d.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(d));
  }
  return out;
}

/** Absolute time (performance.timeOrigin + now, ms) of boot: process start times count from it. */
function bootMs(): number {
  return nowMs() - Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * 1000;
}

const isProvider = (argv: string[]) => (argv[1] ?? "").endsWith("/cmd/dynamic-provider/index.js");
const isPlugin = (argv: string[]) => (argv[1] ?? "").endsWith("/pulumi-resource-pulumi-nodejs");

let boot = bootMs();
let seen = new Set<number>();
let tree = new Set<number>();
let records = new Map<number, ProcRecord>();
let timer: NodeJS.Timeout | undefined;

/** Baseline: every process now running, and which of them descend from the benchmark process. */
function begin(): void {
  boot = bootMs();
  records = new Map();
  const all = pids();
  seen = new Set(all);
  const parent = new Map<number, number>();
  for (const pid of all) {
    const s = readStat(pid);
    if (s) parent.set(pid, s.ppid);
  }
  tree = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
}

function tick(): void {
  const now = nowMs();
  const present = pids();
  const presentSet = new Set(present);
  // New processes: read each one's parent once; a child may be new in the same tick as its parent.
  const pending = new Map<number, Stat>();
  for (const pid of present) {
    if (seen.has(pid)) continue;
    const s = readStat(pid);
    if (s) pending.set(pid, s);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, s] of pending) {
      if (!tree.has(s.ppid)) continue;
      pending.delete(pid);
      tree.add(pid);
      grew = true;
      records.set(pid, {
        pid,
        ppid: s.ppid,
        argv: [],
        cwd: "",
        startMs: boot + (s.startTicks * 1000) / clockTicks,
        firstSeenMs: now,
        lastAliveMs: Number.NaN,
        goneMs: Number.NaN,
        selfTicks: 0,
        childTicks: 0,
        hwmKiB: Number.NaN,
        samples: 0,
      });
    }
  }
  for (const pid of seen) if (!presentSet.has(pid)) tree.delete(pid);
  seen = presentSet;

  const alive = new Map<number, Stat>();
  for (const r of records.values()) {
    if (!Number.isNaN(r.goneMs)) continue;
    const s = presentSet.has(r.pid) ? readStat(r.pid) : undefined;
    if (!s || s.state === "Z") {
      // A zombie's stat still holds its final CPU times; its memory is gone.
      if (s) r.selfTicks = s.selfTicks;
      r.goneMs = now;
      continue;
    }
    // Re-read while it lives: a forked child shows its parent's command line until it execs.
    const argv = readArgv(r.pid);
    if (argv.length > 0) r.argv = argv;
    if (!r.cwd || r.samples < 3) {
      try {
        r.cwd = readlinkSync(`/proc/${r.pid}/cwd`);
      } catch {}
    }
    r.selfTicks = s.selfTicks;
    if (isProvider(r.argv)) r.hwmKiB = readHwmKiB(r.pid) ?? r.hwmKiB;
    r.lastAliveMs = now;
    r.samples++;
    alive.set(r.pid, s);
  }
  // The plugin script's reaped children (the `node -e require.resolve(...)` it runs first), read only
  // while its provider node still lives: once that is reaped too, cutime would count it twice.
  for (const r of records.values()) {
    const s = alive.get(r.pid);
    if (!s || !isPlugin(r.argv)) continue;
    const child = [...records.values()].find((c) => c.ppid === r.pid && isProvider(c.argv) && alive.has(c.pid));
    if (child) r.childTicks = s.childTicks;
  }
}

function stop(): Promise<ProcRecord[]> {
  return new Promise((resolve) => {
    const deadline = nowMs() + 3000;
    const wait = () => {
      tick();
      const live = [...records.values()].some((r) => Number.isNaN(r.goneMs));
      if (live && nowMs() < deadline) {
        setTimeout(wait, intervalMs);
        return;
      }
      clearInterval(timer);
      timer = undefined;
      resolve([...records.values()]);
    };
    wait();
  });
}

parentPort!.on("message", async (req: WatchRequest) => {
  let reply: WatchReply;
  try {
    if (req.cmd === "start") {
      if (timer) throw new Error("proc-watch: already watching");
      begin();
      timer = setInterval(tick, intervalMs);
      reply = { ok: true, records: [] };
    } else {
      reply = { ok: true, records: timer ? await stop() : [] };
    }
  } catch (err) {
    reply = { ok: false, error: String(err), records: [] };
  }
  parentPort!.postMessage(reply);
});
