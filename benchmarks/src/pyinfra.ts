import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { type BenchHost, type SshCount, sshCount, sshDelta } from "./hosts";
import type { Sample } from "./ours";
import { mainCfParameters, RELAYHOST, ROOT_ALIAS, SASL, SASL_MAP } from "./workload";

const PYINFRA_DIR = path.resolve(__dirname, "..", "pyinfra");
const DEPLOY = path.join(PYINFRA_DIR, "deploy.py");
const INVENTORY = path.join(PYINFRA_DIR, "inventory.py");

/** The pinned pyinfra run.sh installed (`BENCH_PYINFRA`: its venv's `pyinfra`). */
function pyinfraBin(): string {
  const bin = process.env.BENCH_PYINFRA;
  if (!bin)
    throw new Error("BENCH_PYINFRA is not set: run the benchmark through benchmarks/run.sh, which installs pyinfra");
  return bin;
}

/** `pyinfra --version` as `pyinfra v3.10.0`. */
export function pyinfraVersion(): string {
  return spawnSync(pyinfraBin(), ["--version"], { encoding: "utf8" }).stdout.trim().replace("pyinfra: ", "pyinfra ");
}

/**
 * The host and its data as inventory.py reads them: the SSH connector with the key, the host key pinned
 * (`ssh_strict_host_key_checking: yes` against a known_hosts of this host alone), no agent or key search,
 * and scp for uploads (the testbed's sshd runs every session through a ForceCommand wrapper and has no
 * sftp subsystem); then the deploy's values, as the Ansible play gets them.
 */
function inventory(h: BenchHost, myhostname: string): unknown {
  return [
    [
      h.host,
      {
        ssh_port: h.port,
        ssh_user: h.user,
        ssh_key: h.keyPath,
        ssh_known_hosts_file: h.knownHostsPath,
        ssh_strict_host_key_checking: "yes",
        ssh_allow_agent: false,
        ssh_look_for_keys: false,
        ssh_file_transfer_protocol: "scp",
        postfix_parameters: mainCfParameters(myhostname),
        sasl_map: SASL_MAP,
        sasl_key: RELAYHOST,
        sasl_username: SASL.username,
        sasl_password: SASL.password,
        root_alias: ROOT_ALIAS,
      },
    ],
  ];
}

/** One pyinfra run: time, SSH use, output. */
interface Run {
  seconds: number;
  ssh: SshCount;
  stdout: string;
}

/** Runs deploy.py against the host with `args`, timed from spawn to exit; fails unless pyinfra exits 0. */
function run(h: BenchHost, myhostname: string, workDir: string, args: string[]): Run {
  const dir = path.join(workDir, "pyinfra");
  mkdirSync(dir, { recursive: true });
  const inventoryPath = path.join(dir, `inventory-${h.name}.json`);
  writeFileSync(inventoryPath, JSON.stringify(inventory(h, myhostname)), { mode: 0o600 });
  const env = { ...process.env, BENCH_PYINFRA_INVENTORY: inventoryPath, NO_COLOR: "1" };
  const before = [sshCount(h.name)];
  const t0 = performance.now();
  const r = spawnSync(pyinfraBin(), [...args, INVENTORY, DEPLOY], {
    cwd: dir,
    env,
    encoding: "utf8",
    input: "",
    timeout: 180_000,
  });
  const seconds = (performance.now() - t0) / 1000;
  const ssh = sshDelta(before, [sshCount(h.name)]);
  if (r.status !== 0) {
    throw new Error(`pyinfra on ${h.name} failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  return { seconds, ssh, stdout: `${r.stdout}\n${r.stderr}` };
}

/** The "Results" table's grand total: operations that changed something, and those with no change. */
function grandTotal(out: string, host: string): { success: number; noChange: number } {
  const m = /Grand total\s+(\d+|-)\s+(\d+|-)\s+(\d+|-)\s+(\d+|-)/.exec(out);
  if (!m) throw new Error(`pyinfra on ${host} printed no results table:\n${out}`);
  const n = (s: string) => (s === "-" ? 0 : Number(s));
  if (n(m[3]) > 0) throw new Error(`pyinfra on ${host} reported ${m[3]} failed operation(s):\n${out}`);
  return { success: n(m[2]), noChange: n(m[4]) };
}

/**
 * Applies the deploy with `myhostname`: `pyinfra -y`, which executes at once, without the separate
 * change-detection pass and prompt (its docs: "Execute operations immediately on hosts without prompt or
 * checking for changes"); each operation still checks the host's facts first. Fails unless the number of
 * operations that changed something is as expected: some, none (idempotent), or exactly `n`.
 */
export function runPyinfra(h: BenchHost, myhostname: string, workDir: string, expectChanged: "some" | number): Sample {
  const { seconds, ssh, stdout } = run(h, myhostname, workDir, ["-y"]);
  const { success, noChange } = grandTotal(stdout, h.name);
  if (expectChanged === "some" ? success === 0 : success !== expectChanged) {
    throw new Error(`pyinfra on ${h.name} changed ${success} operation(s), expected ${expectChanged}:\n${stdout}`);
  }
  return { seconds, ssh, outcome: `${success} changed, ${noChange} no change` };
}

/**
 * pyinfra's drift check: `pyinfra --dry`, which gathers the facts, prints the "Detected changes" table
 * and executes nothing. Drift is the postconf operation listed with a change for the host.
 */
export function checkPyinfra(h: BenchHost, myhostname: string, workDir: string): Sample {
  const { seconds, ssh, stdout } = run(h, myhostname, workDir, ["--dry"]);
  const table = stdout.split("Detected changes:")[1];
  if (table === undefined)
    throw new Error(`pyinfra --dry on ${h.name} printed no "Detected changes" table:\n${stdout}`);
  // Rows are "Operation   Change   Conditional Change", columns two or more spaces apart.
  const changed = table
    .split("\n")
    .map((line) => line.trim().split(/\s{2,}/))
    .filter((cols) => cols.length === 3 && cols[1].includes(`(${h.host})`))
    .map((cols) => cols[0]);
  const parameters = changed.find((op) => op.startsWith("Set each main.cf parameter"));
  return {
    seconds,
    ssh,
    drift: parameters !== undefined,
    outcome: changed.length > 0 ? `would change: ${changed.join("; ")}` : "no change detected",
  };
}
