import assert from "node:assert/strict";
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";

const SCRIPT = path.resolve(__dirname, "..", "..", "testbed", "testbed.sh");

/** A testbed host and how to log in to it. */
export interface TestbedHost {
  /** Host name in the testbed (also its netns suffix). */
  name: string;
  /** Its address on the testbed bridge. */
  host: string;
  /** sshd port. */
  port: number;
  /** Login user. */
  user: string;
  /** The testbed client's private key text. */
  privateKey: string;
  /** Fingerprint of the host's ed25519 key. */
  hostKeyFingerprint: string;
}

/** Starts (or reuses) a testbed host; index N gives address 198.18.0.(10+N). */
export function upHost(name: string, index: number): TestbedHost {
  return bringUp("up", name, index);
}

/**
 * Starts (or reuses) several hosts at once, each as {@link upHost} does: a
 * host's start mostly waits on its daemons, so ten take little longer than one.
 */
export async function upHosts(hosts: { name: string; index: number }[]): Promise<TestbedHost[]> {
  const [first, ...rest] = hosts;
  // The first may create the shared bridge; the rest then only add their own links to it.
  const firstHost = upHost(first.name, first.index);
  await Promise.all(rest.map(({ name, index }) => promisify(execFile)("bash", [SCRIPT, "up", name, String(index)])));
  return [firstHost, ...rest.map(({ name }) => hostInfo(name))];
}

function bringUp(command: "up" | "up-smartos", name: string, index: number): TestbedHost {
  execFileSync("bash", [SCRIPT, command, name, String(index)], { stdio: ["ignore", "ignore", "inherit"] });
  return hostInfo(name);
}

function hostInfo(name: string): TestbedHost {
  const info = JSON.parse(execFileSync("bash", [SCRIPT, "info", name], { encoding: "utf8" }));
  return { ...info, privateKey: readFileSync(info.privateKeyPath, "utf8") };
}

/**
 * Starts (or reuses) a testbed host with a SmartOS personality (`testbed.sh
 * up-smartos`): emulated vmadm, imgadm, zfs, sysinfo, SMF and pkgin, and real
 * Postfix in the pkgsrc layout. It plays a global zone and, at the addresses
 * vmadm plumbs, its zones.
 */
export function upSmartOsHost(name: string, index: number): TestbedHost {
  return bringUp("up-smartos", name, index);
}

/** Stops a testbed host and removes its state. */
export function downHost(name: string): void {
  execFileSync("bash", [SCRIPT, "down", name], { stdio: "inherit" });
}

/** Runs a shell command inside a host, outside sshd (for inspection: not in the audit log). */
export function hostShell(name: string, command: string): { stdout: string; stderr: string; code: number } {
  // Logs read this way (the SSH command audit log after a load test) pass spawnSync's 1 MB default.
  const r = spawnSync("bash", [SCRIPT, "exec", name, "sh", "-c", command], { encoding: "utf8", maxBuffer: 1 << 28 });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

/** Runs one of the testbed's scripts (`integration-tests/testbed/<script>`) inside a host, as root. */
export function hostScript(
  name: string,
  script: string,
  args: string[] = [],
): { stdout: string; stderr: string; code: number } {
  const r = spawnSync("bash", [SCRIPT, "run", name, path.join(path.dirname(SCRIPT), script), ...args], {
    encoding: "utf8",
  });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

/** The commands clients ran over SSH on a host, oldest first (from the sshd audit wrapper). */
export function sshCommands(name: string): string[] {
  const log = hostShell(name, "cat /var/log/testbed-ssh-commands.log 2>/dev/null").stdout;
  return log
    .split(/^---- \S+\n/m)
    .slice(1)
    .map((c) => c.replace(/\n$/, ""));
}

/** Logins accepted by a host's sshd so far. */
export function sshLogins(name: string): number {
  return (hostShell(name, "cat /var/log/sshd.log").stdout.match(/Accepted publickey/g) ?? []).length;
}

/**
 * Runs `op` and fails unless it caused no SSH login and no remote command on
 * any of the hosts `names`: what an `up` that changes nothing must show.
 */
export async function withoutSsh<T>(names: readonly string[], op: () => Promise<T>): Promise<T> {
  const count = (name: string) => ({ logins: sshLogins(name), commands: sshCommands(name).length });
  const before = names.map(count);
  const result = await op();
  names.forEach((name, i) => {
    assert.deepEqual(count(name), before[i], `${name}: SSH logins and commands`);
  });
  return result;
}
