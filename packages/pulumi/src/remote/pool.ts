import type { NodeSSH } from "node-ssh";
import type { Connection } from "./connection";
import { fingerprintOf, HostKeyMismatchError } from "./host-key";
import { Semaphore } from "./semaphore";
import type { Script } from "./shell";

/** What a remote command returned. */
export interface CommandResult {
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
  /** Exit status (null if the command was killed or the connection dropped). */
  code: number | null;
}

/** A remote command exited non-zero. The message carries its stderr, never its stdin. */
export class RemoteCommandError extends Error {
  constructor(
    readonly target: string,
    readonly step: string,
    readonly result: CommandResult,
  ) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split("\n").slice(-20).join("\n");
    super(`${step} failed on ${target} (exit ${result.code ?? "none: connection lost"}): ${detail}`);
    this.name = "RemoteCommandError";
  }
}

/** Options of {@link RemoteHost.run}. */
export interface RunOptions {
  /** Text fed to the command's standard input: the only way secrets reach a host. */
  stdin?: string;
  /** Name of the step for error messages, e.g. "apply main.cf changes". */
  step: string;
}

/** Channels one connection runs at once; below OpenSSH's default MaxSessions of 10. */
const CHANNELS_PER_HOST = 4;

/**
 * Tries at a command whose channel sshd refused to open. A host may allow
 * fewer sessions per connection (MaxSessions) than CHANNELS_PER_HOST, and sshd
 * frees a closed session only after handling every packet it read with the
 * close, so a refusal can pass a moment later. The command never started, so
 * trying again is safe. Waits double from CHANNEL_RETRY_MS.
 */
const CHANNEL_OPEN_ATTEMPTS = 8;
const CHANNEL_RETRY_MS = 100;

function channelRefused(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith("(SSH) Channel open failure");
}

interface PooledHost {
  connecting: Promise<NodeSSH>;
  channels: Semaphore;
  edits: Semaphore;
}

const pool = new Map<string, PooledHost>();

function targetOf(c: Connection): string {
  return `${c.user}@${c.host}:${c.port}`;
}

async function connect(c: Connection, key: string): Promise<NodeSSH> {
  // Loaded here, in the provider process, on the first connection: a user's program only declares
  // resources and never loads ssh2 and its crypto.
  const ssh = new (require("node-ssh") as typeof import("node-ssh")).NodeSSH();
  let presented: string | undefined;
  try {
    await ssh.connect({
      host: c.host,
      port: c.port,
      username: c.user,
      privateKey: c.privateKey,
      passphrase: c.privateKeyPassword,
      agent: c.agentSocket,
      readyTimeout: 20_000,
      keepaliveInterval: 15_000,
      hostVerifier: (hostKey: Buffer) => {
        presented = fingerprintOf(hostKey);
        return presented === c.hostKeyFingerprint;
      },
    });
  } catch (err) {
    pool.delete(key);
    if (presented !== undefined && presented !== c.hostKeyFingerprint) {
      throw new HostKeyMismatchError(targetOf(c), c.hostKeyFingerprint, presented);
    }
    throw new Error(`cannot connect to ${targetOf(c)}: ${(err as Error).message}`);
  }
  const forget = () => {
    if (pool.get(key)?.connecting !== undefined) pool.delete(key);
  };
  ssh.connection?.on("close", forget);
  ssh.connection?.on("error", forget);
  return ssh;
}

function pooled(c: Connection): PooledHost {
  const key = `${targetOf(c)}#${c.hostKeyFingerprint}`;
  let entry = pool.get(key);
  if (!entry) {
    entry = { connecting: connect(c, key), channels: new Semaphore(CHANNELS_PER_HOST), edits: new Semaphore(1) };
    // A failed connect must not stay cached; `connect` removed it, this keeps the rejection handled.
    entry.connecting.catch(() => undefined);
    pool.set(key, entry);
  }
  return entry;
}

/** A host reached over the pooled SSH connection of this process. */
export class RemoteHost {
  /** @param connection a validated connection (see `connectionSchema`). */
  constructor(readonly connection: Connection) {}

  /** `user@host:port`, for messages. */
  get target(): string {
    return targetOf(this.connection);
  }

  /** Runs a script; throws {@link RemoteCommandError} on a non-zero exit. */
  async run(script: Script, options: RunOptions): Promise<CommandResult> {
    const result = await this.runUnchecked(script, options);
    if (result.code !== 0) throw new RemoteCommandError(this.target, options.step, result);
    return result;
  }

  /** Runs a script and returns whatever it exited with. */
  async runUnchecked(script: Script, options: RunOptions): Promise<CommandResult> {
    const entry = pooled(this.connection);
    const ssh = await entry.connecting;
    return entry.channels.run(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const r = await ssh.execCommand(script.text, { stdin: options.stdin });
          return { stdout: r.stdout, stderr: r.stderr, code: r.code };
        } catch (err) {
          if (attempt >= CHANNEL_OPEN_ATTEMPTS || !channelRefused(err)) throw err;
          await new Promise((resolve) => setTimeout(resolve, CHANNEL_RETRY_MS * 2 ** (attempt - 1)));
        }
      }
    });
  }

  /**
   * Runs `task` while no other resource of this process edits this host's shared
   * files. Across processes the remote lock (see `lock.ts`) does the same.
   */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return pooled(this.connection).edits.run(task);
  }
}

/** Closes every pooled connection (for CLIs and tests; the provider host just exits). */
export async function closeAllConnections(): Promise<void> {
  const entries = [...pool.values()];
  pool.clear();
  await Promise.all(entries.map((e) => e.connecting.then((ssh) => ssh.dispose()).catch(() => undefined)));
}
