import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { Worker } from "node:worker_threads";

/** What the poller saw of one process that descends from the benchmark process. */
export interface ProcRecord {
  pid: number;
  ppid: number;
  /** Its command line, as last read while it lived (after exec). */
  argv: string[];
  /** Its working directory, as read while it lived. */
  cwd: string;
  /** When it started (its /proc start time), ms on the `performance.timeOrigin + performance.now()` clock. */
  startMs: number;
  /** When the poller first saw it. */
  firstSeenMs: number;
  /** The last poll that found it alive (NaN: never sampled alive). */
  lastAliveMs: number;
  /** The first poll that found it exited (gone or a zombie; NaN: still running when the watch stopped). */
  goneMs: number;
  /** utime + stime, clock ticks, at its last sample (its final value when the poller caught it as a zombie). */
  selfTicks: number;
  /** cutime + cstime (its reaped children), clock ticks; set only for the dynamic-provider plugin script. */
  childTicks: number;
  /** VmHWM (peak resident set), KiB, at its last sample; read only for the dynamic-provider node process. */
  hwmKiB: number;
  /** Polls that sampled it alive. */
  samples: number;
}

/** @internal Messages between {@link ProcWatch} and its worker. */
export type WatchRequest = { cmd: "start" } | { cmd: "stop" };
/** @internal */
export interface WatchReply {
  ok: boolean;
  error?: string;
  records: ProcRecord[];
}

/** Clock ticks per second of /proc's CPU times. */
export const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
/** The absolute clock the records' times use, ms. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/**
 * Watches the processes this benchmark's operations start (the `pulumi` CLI the Automation API
 * spawns and what the engine spawns under it) by polling /proc from a worker thread every
 * `intervalMs` while an operation runs. A value sampled from a process is its last sample before it
 * exited, so it misses at most one interval of the process's life.
 */
export class ProcWatch {
  private readonly worker: Worker;
  private busy = false;

  constructor(readonly intervalMs = 20) {
    this.worker = new Worker(path.join(__dirname, "proc-watch-worker.js"), {
      workerData: { rootPid: process.pid, intervalMs, clockTicks: CLOCK_TICKS },
    });
    this.worker.unref();
  }

  private request(req: WatchRequest): Promise<ProcRecord[]> {
    return new Promise((resolve, reject) => {
      // Referenced while a reply is due: with nothing else pending, node would exit without waiting for it.
      this.worker.ref();
      const onError = (err: Error) => {
        this.worker.unref();
        reject(err);
      };
      this.worker.once("error", onError);
      this.worker.once("message", (reply: WatchReply) => {
        this.worker.off("error", onError);
        this.worker.unref();
        if (reply.ok) resolve(reply.records);
        else reject(new Error(reply.error));
      });
      this.worker.postMessage(req);
    });
  }

  /** Runs `operation` while polling; returns its result and every descendant process seen meanwhile. */
  async observe<T>(operation: () => Promise<T>): Promise<{ result: T; records: ProcRecord[] }> {
    if (this.busy) throw new Error("ProcWatch: operations must not overlap");
    this.busy = true;
    try {
      await this.request({ cmd: "start" });
      let result: T;
      try {
        result = await operation();
      } catch (err) {
        await this.request({ cmd: "stop" }).catch(() => undefined);
        throw err;
      }
      return { result, records: await this.request({ cmd: "stop" }) };
    } finally {
      this.busy = false;
    }
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
