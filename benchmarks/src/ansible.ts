import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { type BenchHost, type SshCount, sshCount, sshDelta } from "./hosts";
import type { Sample } from "./ours";
import { mainCfParameters, RELAYHOST, ROOT_ALIAS, SASL, SASL_MAP } from "./workload";

const ANSIBLE_DIR = path.resolve(__dirname, "..", "ansible");
const PLAYBOOK = path.join(ANSIBLE_DIR, "postfix.yml");

/** `ansible-playbook --version`'s first line, e.g. `ansible-playbook [core 2.14.18]`. */
export function ansibleVersion(): string {
  return execFileSync("ansible-playbook", ["--version"], { encoding: "utf8" }).split("\n")[0].trim();
}

function inventory(h: BenchHost): object {
  return {
    all: {
      hosts: {
        [h.name]: {
          ansible_host: h.host,
          ansible_port: h.port,
          ansible_user: h.user,
          ansible_ssh_private_key_file: h.keyPath,
          ansible_ssh_common_args: [
            "-o IdentitiesOnly=yes",
            `-o UserKnownHostsFile=${h.knownHostsPath}`,
            "-o GlobalKnownHostsFile=/dev/null",
            "-o StrictHostKeyChecking=yes",
          ].join(" "),
        },
      },
    },
  };
}

function playVars(myhostname: string): object {
  return {
    postfix_parameters: mainCfParameters(myhostname),
    sasl_map: SASL_MAP,
    sasl_key: RELAYHOST,
    sasl_username: SASL.username,
    sasl_password: SASL.password,
    root_alias: ROOT_ALIAS,
  };
}

/** Stops the ControlPersist masters a run left behind (ssh processes this benchmark started). */
function closeMasters(controlDir: string): void {
  for (const socket of readdirSync(controlDir)) {
    spawnSync("ssh", ["-O", "exit", "-o", `ControlPath=${path.join(controlDir, socket)}`, "control-master"], {
      stdio: "ignore",
      timeout: 10_000,
    });
  }
  rmSync(controlDir, { recursive: true, force: true });
}

/** One ansible-playbook run: its time, SSH use, output and recap (ok, changed). */
interface Play {
  seconds: number;
  ssh: SshCount;
  stdout: string;
  ok: number;
  changed: number;
}

/**
 * Runs benchmarks/ansible/postfix.yml against the host with `myhostname` and `args`, timed from spawn
 * to exit, cold (its own control socket directory); fails unless the play succeeds.
 */
function play(h: BenchHost, myhostname: string, workDir: string, args: string[]): Play {
  const dir = path.join(workDir, "ansible");
  mkdirSync(dir, { recursive: true });
  const inventoryPath = path.join(dir, `inventory-${h.name}.json`);
  const varsPath = path.join(dir, "vars.json");
  writeFileSync(inventoryPath, JSON.stringify(inventory(h)), { mode: 0o600 });
  writeFileSync(varsPath, JSON.stringify(playVars(myhostname)), { mode: 0o600 });
  const controlDir = mkdtempSync(path.join(dir, "cp-"));
  const env = {
    ...process.env,
    ANSIBLE_CONFIG: path.join(ANSIBLE_DIR, "ansible.cfg"),
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
    ANSIBLE_LOCAL_TEMP: path.join(dir, "tmp"),
    ANSIBLE_NOCOLOR: "1",
  };
  const before = [sshCount(h.name)];
  const t0 = performance.now();
  const r = spawnSync("ansible-playbook", ["-i", inventoryPath, "-e", `@${varsPath}`, ...args, PLAYBOOK], {
    env,
    encoding: "utf8",
    timeout: 180_000,
  });
  const seconds = (performance.now() - t0) / 1000;
  closeMasters(controlDir);
  const ssh = sshDelta(before, [sshCount(h.name)]);
  const recap = /^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/m.exec(r.stdout ?? "");
  if (r.status !== 0 || !recap) {
    throw new Error(`ansible-playbook on ${h.name} failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  return { seconds, ssh, stdout: r.stdout, ok: Number(recap[2]), changed: Number(recap[3]) };
}

/**
 * Applies the play with `myhostname`. Fails unless it reports `changed` as expected: some changes,
 * none (idempotent), or exactly `n`.
 */
export function runAnsible(h: BenchHost, myhostname: string, workDir: string, expectChanged: "some" | number): Sample {
  const { seconds, ssh, ok, changed } = play(h, myhostname, workDir, []);
  if (expectChanged === "some" ? changed === 0 : changed !== expectChanged) {
    throw new Error(`ansible-playbook on ${h.name} reported changed=${changed}, expected ${expectChanged}`);
  }
  return { seconds, ssh, outcome: `ok=${ok} changed=${changed}` };
}

/**
 * Ansible's drift check: the play with `--check --diff`, which changes nothing. The command module
 * does not run under --check: it reports each `postconf -e` it would run as skipped, "Command would
 * have run if not in check mode" (shown with -v), not as changed; those items are the drift it found.
 */
export function checkAnsible(h: BenchHost, myhostname: string, workDir: string): Sample {
  const { seconds, ssh, stdout, ok, changed } = play(h, myhostname, workDir, ["--check", "--diff", "-v"]);
  const wouldRun = [...stdout.matchAll(/\(item=([\w.-]+)\)\s+=> .*Command would have run if not in check mode/g)].map(
    (m) => m[1],
  );
  const drift = changed > 0 || wouldRun.length > 0;
  return {
    seconds,
    ssh,
    drift,
    outcome: `ok=${ok} changed=${changed}${wouldRun.length > 0 ? `, would run postconf -e for ${wouldRun.join(", ")}` : ""}`,
  };
}
