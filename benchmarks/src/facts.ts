import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { hostShell } from "../../integration-tests/dist/harness/testbed";
import { ansibleVersion } from "./ansible";
import { type BenchHost, sshOptions } from "./hosts";
import { median } from "./stats";

const REPO = path.resolve(__dirname, "..", "..");

/** What the results were measured on. */
export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  debian: string;
  node: string;
  pulumiSdk: string;
  ansible: string;
  postfix: string;
  openssh: string;
  commit: string;
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 30_000 });
  return `${r.stdout}${r.stderr}`.split("\n")[0].trim();
}

/** Cores, memory, OS and the versions of everything measured. */
export function machineFacts(hostName: string): MachineFacts {
  const sdk = createRequire(path.join(REPO, "integration-tests", "package.json"))("@pulumi/pulumi/package.json") as {
    version: string;
  };
  const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: REPO, encoding: "utf8" }).trim() !== "";
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    debian: readFileSync("/etc/debian_version", "utf8").trim(),
    node: process.version,
    pulumiSdk: sdk.version,
    ansible: ansibleVersion(),
    postfix: hostShell(hostName, "postconf -h mail_version").stdout.trim(),
    openssh: firstLine("ssh", ["-V"]),
    commit: `${firstLine("git", ["-C", REPO, "rev-parse", "--short", "HEAD"])}${dirty ? " with uncommitted changes" : ""}`,
  };
}

/** Costs on a testbed host that every way pays or that explain a difference, medians of 3. */
export interface HostCosts {
  /** `ssh HOST true`: TCP, key exchange, login, one command. */
  sshTrue: number;
  /** `postfix reload` inside the host. */
  postfixReload: number;
  /** `postfix check` inside the host (PostfixConfig runs it before every reload). */
  postfixCheck: number;
  /**
   * A new node process that only loads `@pulumi/pulumi`: the least the SDK's
   * dynamic-provider host can cost, which every `pulumi up` of a dynamic
   * provider pays, even one that changes nothing.
   */
  sdkLoad: number;
}

function secondsOf(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

/** Seconds `command` took inside the host, timed there so the nsenter that gets in is not counted. */
function insideSeconds(name: string, command: string): number {
  const r = hostShell(name, `t0=$(date +%s%N); ${command} >/dev/null 2>&1; echo $(( $(date +%s%N) - t0 ))`);
  if (r.code !== 0) throw new Error(`${command} failed on ${name}: ${r.stderr}`);
  return Number(r.stdout.trim()) / 1e9;
}

/** Measures {@link HostCosts} on a host. */
export function hostCosts(h: BenchHost): HostCosts {
  const ssh = () => {
    const r = spawnSync("ssh", [...sshOptions(h), `${h.user}@${h.host}`, "true"], { timeout: 30_000 });
    if (r.status !== 0) throw new Error(`ssh ${h.name} true failed: ${r.stderr}`);
  };
  const three = (f: () => number) => median([f(), f(), f()]);
  const sdk = () => {
    const r = spawnSync(process.execPath, ["-e", "require('@pulumi/pulumi')"], {
      cwd: path.join(REPO, "integration-tests"),
      timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`node cannot load @pulumi/pulumi: ${r.stderr}`);
  };
  return {
    sshTrue: three(() => secondsOf(ssh)),
    postfixReload: three(() => insideSeconds(h.name, "postfix reload")),
    postfixCheck: three(() => insideSeconds(h.name, "postfix check")),
    sdkLoad: three(() => secondsOf(sdk)),
  };
}
