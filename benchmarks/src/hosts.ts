import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import {
  downHost,
  hostShell,
  sshCommands,
  sshLogins,
  type TestbedHost,
  upHost,
  upHosts,
} from "../../integration-tests/dist/harness/testbed";

/** A testbed host plus what an OpenSSH client (ssh, Ansible) needs to reach it with its key pinned. */
export interface BenchHost extends TestbedHost {
  /** The testbed client key, copied to a 0600 file for `ssh -i`. */
  keyPath: string;
  /** known_hosts holding only this host's key, read from inside the host (a trusted path, like zlogin). */
  knownHostsPath: string;
}

/** OpenSSH client options for a {@link BenchHost}: key login only, host key pinned, no multiplexing. */
export function sshOptions(h: BenchHost): string[] {
  return [
    "-i",
    h.keyPath,
    "-p",
    String(h.port),
    "-o",
    "BatchMode=yes",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    `UserKnownHostsFile=${h.knownHostsPath}`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "ConnectTimeout=10",
  ];
}

/**
 * Brings host `name` up from scratch (down, then up): the baseline every
 * create starts from. The host gets a new host key each time.
 */
export function freshHost(name: string, index: number, workDir: string): BenchHost {
  downHost(name);
  return benchHost(upHost(name, index), workDir);
}

/** {@link freshHost} for several hosts, brought up side by side (a host's start mostly waits on its daemons). */
export async function freshHosts(hosts: { name: string; index: number }[], workDir: string): Promise<BenchHost[]> {
  for (const { name } of hosts) downHost(name);
  return (await upHosts(hosts)).map((h) => benchHost(h, workDir));
}

/** The key and known_hosts files an OpenSSH client needs for testbed host `h`. */
function benchHost(h: TestbedHost, workDir: string): BenchHost {
  const name = h.name;
  const dir = path.join(workDir, "hosts", name);
  mkdirSync(dir, { recursive: true });
  const keyPath = path.join(dir, "client_key");
  writeFileSync(keyPath, h.privateKey, { mode: 0o600 });
  const pub = hostShell(name, "cat /etc/ssh/ssh_host_ed25519_key.pub").stdout.trim();
  if (!pub.startsWith("ssh-ed25519 ")) throw new Error(`cannot read ${name}'s host key: ${pub}`);
  const knownHostsPath = path.join(dir, "known_hosts");
  writeFileSync(knownHostsPath, `${h.host} ${pub}\n`, { mode: 0o600 });
  return { ...h, keyPath, knownHostsPath };
}

/** SSH logins a host's sshd accepted, commands clients ran there and the CPU its sshd used, so far. */
export interface SshCount {
  logins: number;
  commands: number;
  /**
   * CPU seconds (user + system, to the clock tick) of the host's sshd and of every session it has ended:
   * the logins and everything the commands ran (`postconf`, `postfix check`, …), as the listening sshd's
   * own and reaped children's times show it. Not what Postfix's daemons do after a reload.
   */
  cpu: number;
}

/**
 * The host's sshd's CPU so far ({@link SshCount.cpu}), read once its sessions have ended (a session's
 * CPU reaches its parent's times only when it is reaped): waits at most 5 s for the last to go.
 */
function sshdCpu(name: string): number {
  const r = hostShell(
    name,
    `pid=$(cat /run/sshd.pid) || exit 1
i=0
while [ -n "$(pgrep -P "$pid")" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sed 's/.*) //' "/proc/$pid/stat" | awk -v hz="$(getconf CLK_TCK)" '{ print ($12 + $13 + $14 + $15) / hz }'`,
  );
  const cpu = Number(r.stdout.trim());
  if (r.code !== 0 || r.stdout.trim() === "" || Number.isNaN(cpu)) {
    throw new Error(`cannot read ${name}'s sshd CPU: ${r.stderr}`);
  }
  return cpu;
}

/** Reads the host's sshd log, audit log and sshd's CPU from inside the host (no SSH login of its own). */
export function sshCount(name: string): SshCount {
  return { logins: sshLogins(name), commands: sshCommands(name).length, cpu: sshdCpu(name) };
}

/** Logins, commands and sshd CPU between two counts, summed over hosts. */
export function sshDelta(before: SshCount[], after: SshCount[]): SshCount {
  let logins = 0;
  let commands = 0;
  let cpu = 0;
  before.forEach((b, i) => {
    logins += after[i].logins - b.logins;
    commands += after[i].commands - b.commands;
    cpu += after[i].cpu - b.cpu;
  });
  return { logins, commands, cpu };
}

/** `postconf -n` of a host, read from inside it. */
export function postconfN(name: string): string {
  return hostShell(name, "postconf -n").stdout;
}
