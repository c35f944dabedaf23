/**
 * Shared plumbing of the SmartOS emulators (see vmadm.ts, zfs.ts, imgadm.ts,
 * sysinfo.ts, svcadm.ts, svcs.ts, pkgin.ts, digest.ts). These are test
 * doubles, not SmartOS: they run inside a testbed host with a SmartOS
 * personality (integration-tests/testbed/smartos-host.sh) and keep all their
 * state under /var/lib/smartos-emulator in that host, whose /var is private
 * to it. Nothing here touches the machine the testbed runs on.
 *
 * Covers: JSON state files written atomically, one lock per subsystem so
 * parallel invocations (several SSH channels at once) serialize like the real
 * tools' own locking, and the CLI convention of a message on stderr plus an
 * exit status.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** Root of all emulated state inside the test host. */
const STATE_ROOT = "/var/lib/smartos-emulator";

/** A path under the emulator's state root. */
export function statePath(...parts: string[]): string {
  return path.join(STATE_ROOT, ...parts);
}

/** Reads a JSON state file, or `fallback` when it does not exist. */
export function readJson<T>(file: string, fallback: T): T {
  if (!existsSync(file)) return fallback;
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/** Writes a JSON state file with one rename, so a reader never sees half of it. */
export function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

/** The way an emulated command ends with an error: its message on stderr and an exit status. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly status = 1,
  ) {
    super(message);
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs `task` holding the lock `name` (a directory, atomic to create). A lock
 * whose holder died is taken over. Waits at most 60 s.
 */
export function withLock<T>(name: string, task: () => T): T {
  const dir = statePath("locks", name);
  mkdirSync(path.dirname(dir), { recursive: true });
  for (let tries = 0; ; tries++) {
    try {
      mkdirSync(dir);
      break;
    } catch {
      const holder = Number(readJson<string>(path.join(dir, "pid.json"), "0"));
      if (holder > 0 && !alive(holder)) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (tries > 1200) throw new CommandFailure(`timed out waiting for the ${name} lock (held by pid ${holder})`);
      sleep(50);
    }
  }
  writeJson(path.join(dir, "pid.json"), String(process.pid));
  try {
    return task();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a program of the host; throws {@link CommandFailure} with its stderr when it fails. */
export function host(command: string, args: string[], what: string): string {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new CommandFailure(`${what}: ${(e.stderr ?? "").trim() || e.message}`);
  }
}

/**
 * Reads all of standard input with blocking reads until end of file, as a C
 * command's read(2) loop does (for `vmadm create` and `vmadm update` payloads
 * and `digest` without a file).
 *
 * The race this closes: Node's `process.stdin` is a lazy getter that, for a
 * pipe, opens it through libuv, which sets O_NONBLOCK on fd 0. Touching it
 * (even `process.stdin.isTTY`) and then reading fd 0 synchronously failed
 * with EAGAIN whenever the SSH client had not yet written the payload, which
 * happened on a busy machine. Nothing here touches `process.stdin` (callers
 * ask `isatty(0)` from node:tty, which opens no stream), so fd 0 stays
 * blocking and each read waits for data or EOF.
 */
export function readStdin(): Buffer {
  const chunks: Buffer[] = [];
  for (;;) {
    const chunk = Buffer.alloc(64 * 1024);
    const n = readSync(0, chunk, 0, chunk.length, null);
    if (n === 0) return Buffer.concat(chunks);
    chunks.push(chunk.subarray(0, n));
  }
}

/**
 * Runs a CLI's main function: prints a {@link CommandFailure}'s message on
 * stderr and exits with its status; anything else is a bug in the emulator
 * and exits 99 with its stack.
 */
export function runCli(main: (args: string[]) => void): void {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    if (err instanceof CommandFailure) {
      if (err.message) process.stderr.write(`${err.message}\n`);
      process.exit(err.status);
    }
    process.stderr.write(`emulator bug: ${(err as Error).stack}\n`);
    process.exit(99);
  }
}
