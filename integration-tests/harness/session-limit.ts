import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { hostShell, type TestbedHost } from "./testbed";

/** Longest the control waits for one ssh command. */
const CONTROL_TIMEOUT_MS = 60_000;
/** Tries at the control connection, half a second apart (sshd restarts itself after limitSessions). */
const MASTER_ATTEMPTS = 10;

/**
 * Lowers sshd's MaxSessions (sessions on one connection) on a testbed host.
 * sshd re-reads its configuration on SIGHUP by executing itself again;
 * connections already open keep the old limit.
 */
export function limitSessions(host: TestbedHost, maxSessions: number): void {
  const r = hostShell(
    host.name,
    `printf 'MaxSessions %s\\n' ${maxSessions} >>/etc/ssh/sshd_config && kill -HUP "$(cat /run/sshd.pid)"`,
  );
  if (r.code !== 0) throw new Error(`cannot set MaxSessions on ${host.name}: ${r.stderr}`);
}

/**
 * The positive control for a session limit: opens `sessions` sessions at
 * once over one OpenSSH connection (ControlMaster) and returns how many sshd
 * refused. The host key is pinned from the host itself.
 */
export async function sessionsRefusedAtOnce(host: TestbedHost, sessions: number): Promise<number> {
  // Under the system's temporary directory, not the checkout: ssh binds the ControlPath (plus a
  // random suffix while it sets up) as a Unix socket, whose path may not exceed 107 bytes. A clone
  // under a long path (soak.sh's) made the master fail with "too long for Unix domain socket".
  const dir = mkdtempSync(path.join(tmpdir(), "smtb-mux-"));
  try {
    const key = path.join(dir, "key");
    writeFileSync(key, host.privateKey, { mode: 0o600 });
    const hostKey = hostShell(host.name, "cat /etc/ssh/ssh_host_ed25519_key.pub").stdout.trim();
    const knownHosts = path.join(dir, "known_hosts");
    writeFileSync(knownHosts, `${host.port === 22 ? host.host : `[${host.host}]:${host.port}`} ${hostKey}\n`);
    const ssh = [
      ...["-i", key, "-p", String(host.port), "-S", path.join(dir, "mux")],
      ...["-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes"],
      ...["-o", `UserKnownHostsFile=${knownHosts}`, "-o", "GlobalKnownHostsFile=/dev/null"],
      `${host.user}@${host.host}`,
    ];
    let master = spawnSync("ssh", ["-M", "-f", "-N", ...ssh], { encoding: "utf8", timeout: CONTROL_TIMEOUT_MS });
    for (let attempt = 1; master.status !== 0 && attempt < MASTER_ATTEMPTS; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      master = spawnSync("ssh", ["-M", "-f", "-N", ...ssh], { encoding: "utf8", timeout: CONTROL_TIMEOUT_MS });
    }
    if (master.status !== 0) throw new Error(`ssh control connection to ${host.name} failed: ${master.stderr}`);
    try {
      const refusals = await Promise.all(
        Array.from(
          { length: sessions },
          () =>
            new Promise<boolean>((resolve, reject) => {
              // A session the master cannot open is retried on a connection of its own; stderr says it was refused.
              const child = spawn("ssh", [...ssh, "sleep 3"], {
                timeout: CONTROL_TIMEOUT_MS,
              });
              let stderr = "";
              child.stderr.on("data", (d) => {
                stderr += d;
              });
              child.on("error", reject);
              child.on("close", () => resolve(/Session open refused/.test(stderr)));
            }),
        ),
      );
      return refusals.filter(Boolean).length;
    } finally {
      spawnSync("ssh", ["-O", "exit", ...ssh], { timeout: CONTROL_TIMEOUT_MS });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
