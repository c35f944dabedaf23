import { execFileSync, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { hostShell } from "../../integration-tests/dist/harness/testbed";
import { ansibleVersion } from "./ansible";
import { type BenchHost, sshOptions } from "./hosts";
import { pyinfraVersion } from "./pyinfra";
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
  /** `pulumi version` of the CLI on PATH (integration-tests/engine/setup-pulumi.sh). */
  pulumiCli: string;
  ansible: string;
  /** `pyinfra --version` as `pyinfra v3.10.0`. */
  pyinfra: string;
  postfix: string;
  openssh: string;
  commit: string;
}

function firstLine(cmd: string, args: string[]): string {
  const env = { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" };
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 30_000, env });
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
    pulumiCli: firstLine("pulumi", ["version"]),
    ansible: ansibleVersion(),
    pyinfra: pyinfraVersion(),
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
  /** The CPU seconds (user + system) of that `postfix check`: the scripts and programs it runs. */
  postfixCheckCpu: number;
  /**
   * The dynamic-provider plugin alone: `pulumi-resource-pulumi-nodejs` started in a stack's directory
   * until it prints its gRPC port (the sh script, its `node -e require.resolve(...)`, then node loading
   * the SDK's dynamic-provider host). Every `pulumi up` of a dynamic resource pays it, even one that
   * changes nothing.
   */
  pluginStart: number;
}

/**
 * Seconds from spawning the dynamic-provider plugin in `dir` until it printed its port; stops it. `env`:
 * variables to add to this process's environment (the compile cache's).
 */
export function pluginStartSeconds(dir: string, env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // Its own process group, so the script and the node under it stop together. The engine address
    // it is given is never dialled before the engine calls it.
    const child = spawn("pulumi-resource-pulumi-nodejs", ["127.0.0.1:9"], {
      cwd: dir,
      env: { ...process.env, ...env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => stop(new Error(`the plugin printed no port in 60 s: ${err}`)), 60_000);
    const stop = (e?: Error) => {
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {}
      if (e) reject(e);
      else resolve(seconds);
    };
    child.stdout.on("data", (d) => {
      out += d;
      if (/^\d+\n/.test(out)) stop();
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", (e) => stop(e));
    child.on("exit", (code) => {
      if (!/^\d+\n/.test(out)) stop(new Error(`the plugin exited (${code}) before printing a port: ${err}`));
    });
  });
}

function secondsOf(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

/**
 * Seconds `command` took inside the host, timed there so the nsenter that gets in is not counted, and
 * the CPU seconds it used (user + system of the shell's children, from the shell's `times`).
 */
function inside(name: string, command: string): { seconds: number; cpu: number } {
  const r = hostShell(name, `t0=$(date +%s%N); ${command} >/dev/null 2>&1; echo $(( $(date +%s%N) - t0 )); times`);
  if (r.code !== 0) throw new Error(`${command} failed on ${name}: ${r.stderr}`);
  const [ns, , children] = r.stdout.trim().split("\n");
  const cpu = [...(children ?? "").matchAll(/(\d+)m([\d.]+)s/g)].reduce(
    (t, m) => t + Number(m[1]) * 60 + Number(m[2]),
    0,
  );
  return { seconds: Number(ns) / 1e9, cpu };
}

/** Measures {@link HostCosts} on a host, the plugin's start in stack directory `stackDir`. */
export async function hostCosts(h: BenchHost, stackDir: string): Promise<HostCosts> {
  const ssh = () => {
    const r = spawnSync("ssh", [...sshOptions(h), `${h.user}@${h.host}`, "true"], { timeout: 30_000 });
    if (r.status !== 0) throw new Error(`ssh ${h.name} true failed: ${r.stderr}`);
  };
  const three = (f: () => number) => median([f(), f(), f()]);
  const postfixCheck = () => {
    const runs = [0, 1, 2].map(() => inside(h.name, "postfix check"));
    return { postfixCheck: median(runs.map((c) => c.seconds)), postfixCheckCpu: median(runs.map((c) => c.cpu)) };
  };
  const plugin = [await pluginStartSeconds(stackDir), await pluginStartSeconds(stackDir)];
  plugin.push(await pluginStartSeconds(stackDir));
  return {
    sshTrue: three(() => secondsOf(ssh)),
    postfixReload: three(() => inside(h.name, "postfix reload").seconds),
    ...postfixCheck(),
    pluginStart: median(plugin),
  };
}
