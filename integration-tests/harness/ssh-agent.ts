import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** An ssh-agent this process started, holding keys a test gave it. */
export interface SshAgent {
  /** Its socket: a connection's `agentSocket`. */
  socket: string;
  /** Stops it (by its pid). */
  stop(): void;
}

/**
 * Starts an ssh-agent listening at `<dir>/agent.sock` holding `privateKeys` (key texts, written to 0600
 * files in `dir` for ssh-add), so that connections can authenticate with `agentSocket` and the stack's
 * state holds no private key.
 */
export function startSshAgent(dir: string, privateKeys: string[]): SshAgent {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const socket = path.join(dir, "agent.sock");
  const started = execFileSync("ssh-agent", ["-s", "-a", socket], { encoding: "utf8" });
  const pid = /SSH_AGENT_PID=(\d+)/.exec(started)?.[1];
  if (!pid) throw new Error(`ssh-agent printed no pid: ${started}`);
  const env = { ...process.env, SSH_AUTH_SOCK: socket, SSH_AGENT_PID: pid };
  privateKeys.forEach((key, i) => {
    const file = path.join(dir, `agent-key-${i}`);
    writeFileSync(file, key.endsWith("\n") ? key : `${key}\n`, { mode: 0o600 });
    execFileSync("ssh-add", ["-q", file], { env, stdio: ["ignore", "ignore", "inherit"] });
  });
  return { socket, stop: () => execFileSync("ssh-agent", ["-k"], { env, stdio: "ignore" }) };
}
