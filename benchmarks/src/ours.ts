import { readFileSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import {
  PulumiStack,
  type PulumiStackOptions,
  type StepRecord,
} from "../../integration-tests/dist/harness/pulumi-stack";
import { PostfixConfig } from "../../packages/pulumi/dist/index";
import { type ProviderCall, providerCalls } from "./engine-log";
import { type BenchHost, type SshCount, sshCount, sshDelta } from "./hosts";
import { ProcWatch } from "./proc-watch";
import { type EngineRun, engineRun, type ProviderUsage } from "./provider-probe";
import { timed, withTimeout } from "./stats";
import { postfixConfigArgs } from "./workload";

/** One timed operation of any of the ways. */
export interface Sample {
  /**
   * Wall time, seconds: for ours and the engine floor the `pulumi up` (or `destroy`) process, from its
   * start to its exit, as /proc shows it; for Ansible and the SSH floor their process, spawn to exit.
   */
  seconds: number;
  /**
   * Ours and the engine floor: the whole PulumiStack call, which adds the Automation API's own CLI runs
   * after the operation (`stack output` twice, `stack history`) and PulumiStack's `stack export`.
   */
  apiSeconds?: number;
  /** Ours and the engine floor: the `pulumi` CLI process's own CPU time, seconds. */
  cliCpuSeconds?: number;
  /** SSH logins and remote commands it caused, over all its hosts. */
  ssh: SshCount;
  /** The dynamic-provider plugin's use (ours only). */
  usage?: ProviderUsage;
  /** What the tool reported, e.g. `create` or `ok=5 changed=0`. */
  outcome: string;
  /** A drift check after the hand edit: whether the way reported the edited value as changed. */
  drift?: boolean;
  /** A delete: whether it left the host's `postconf -n` as it was before the create. */
  restored?: boolean;
}

/** Limit for one engine operation on up to 25 hosts. */
const OPERATION_TIMEOUT_S = 300;
/** `pulumi up --parallel` of the single-host stacks (the engine's default is unbounded). */
export const PARALLEL = 10;

let watch: ProcWatch | undefined;
/** The /proc watcher every engine operation runs under (one worker thread for the whole run). */
function procWatch(): ProcWatch {
  watch ??= new ProcWatch(20);
  return watch;
}

/** Stops the /proc watcher's worker. */
export async function closeProcWatch(): Promise<void> {
  await watch?.close();
  watch = undefined;
}

/** A fresh stack (its directory `dir` wiped): the real engine through the Automation API, local backend. */
export async function engineStack(
  dir: string,
  options: Pick<PulumiStackOptions, "engineLogVerbosity" | "parallel" | "project"> = {},
): Promise<PulumiStack> {
  rmSync(dir, { recursive: true, force: true });
  const stack = new PulumiStack({ dir, parallel: PARALLEL, ...options });
  // The workspace and the stack (`pulumi version`, `stack select`, `stack init`) before any timed run.
  await stack.configure([]);
  return stack;
}

/** One engine operation: its steps, timing, the processes /proc saw and, with a -v log, the provider calls. */
export interface Observed {
  sample: Sample;
  run: EngineRun;
  /** The provider calls the engine logged during it (only with `engineLogVerbosity` ≥ 7). */
  calls: ProviderCall[];
  /** The engine's steps for the custom resources. */
  steps: StepRecord[];
}

/**
 * What the engine must have done to the stack's custom resources: `n` resources, each with step `op`;
 * or, for an update, `n` resources of which exactly `updated` got an update and the rest no change.
 */
export interface Expected {
  /** How many resources; any number but none when unset. */
  n?: number;
  op: StepRecord["op"];
  /** With `op: "update"`: how many resources update (the rest are `same`). Default: all. */
  updated?: number;
}

function unexpected(ops: string[], e: Expected): boolean {
  if (e.n === undefined ? ops.length === 0 : ops.length !== e.n) return true;
  if (e.op !== "update" || e.updated === undefined) return ops.some((op) => op !== e.op);
  const updates = ops.filter((op) => op === "update").length;
  return updates !== e.updated || ops.some((op) => op !== "update" && op !== "same");
}

/**
 * Times one engine operation on `hosts` (whose SSH use is counted) under the /proc watcher; fails
 * unless the engine did what `expect` says and started `providers` dynamic-provider plugins.
 */
export async function measure(
  stack: PulumiStack,
  hosts: BenchHost[],
  what: string,
  command: "up" | "refresh" | "destroy",
  operation: () => Promise<StepRecord[]>,
  expect: Expected,
  providers: 0 | 1,
): Promise<Observed> {
  const logFrom = logSize(stack.logPath);
  const before = hosts.map((h) => sshCount(h.name));
  const { seconds, result } = await timed(() =>
    procWatch().observe(() => withTimeout(operation(), OPERATION_TIMEOUT_S, what)),
  );
  const after = hosts.map((h) => sshCount(h.name));
  const ops = result.result.map((s) => s.op);
  if (unexpected(ops, expect)) {
    throw new Error(
      `${what}: expected ${expect.n ?? "some"} × ${expect.op}${expect.updated === undefined ? "" : ` (${expect.updated} updated)`}, the engine did ${ops.join(", ") || "nothing"}`,
    );
  }
  const run = engineRun(result.records, command, stack.options.dir, what);
  if (run.providers.length !== providers) {
    throw new Error(`${what}: expected ${providers} dynamic-provider plugin(s), saw ${run.providers.length}`);
  }
  const calls = stack.options.engineLogVerbosity ? providerCalls(readFrom(stack.logPath, logFrom)) : [];
  return {
    sample: {
      seconds: run.cliSeconds,
      apiSeconds: seconds,
      cliCpuSeconds: run.cliCpuSeconds,
      ssh: sshDelta(before, after),
      usage: run.providers[0],
      outcome: expect.op,
    },
    run,
    calls,
    steps: result.result,
  };
}

function logSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function readFrom(file: string, offset: number): string {
  return readFileSync(file).subarray(offset).toString("utf8");
}

/**
 * `pulumi up` of one PostfixConfig per host, all with `myhostname`; fails unless every resource got
 * the `expect` step and the engine started one dynamic-provider plugin.
 */
export function upOurs(
  stack: PulumiStack,
  hosts: BenchHost[],
  myhostname: string,
  expect: "create" | "same" | "update",
): Promise<Observed> {
  const program = () => hosts.map((h) => new PostfixConfig(`mail-${h.name}`, postfixConfigArgs(h, myhostname)));
  const what = `up (${expect}) on ${hosts.length} host(s)`;
  return measure(stack, hosts, what, "up", () => stack.up(program), { n: hosts.length, op: expect }, 1);
}

/** `pulumi destroy` of the stack's PostfixConfig resources. */
export function destroyOurs(stack: PulumiStack, hosts: BenchHost[]): Promise<Observed> {
  const what = `destroy on ${hosts.length} host(s)`;
  return measure(stack, hosts, what, "destroy", () => stack.destroy(), { n: hosts.length, op: "delete" }, 1);
}

/** `pulumi refresh` of the stack's PostfixConfig resources: the engine asks the provider to Read each. */
export function refreshOurs(stack: PulumiStack, hosts: BenchHost[]): Promise<Observed> {
  const what = `refresh on ${hosts.length} host(s)`;
  return measure(stack, hosts, what, "refresh", () => stack.refresh(), { n: hosts.length, op: "refresh" }, 1);
}

/**
 * The engine floor: `pulumi up`, `refresh` or `destroy` of the same stack shape (same options, inline
 * program) with no resources, so no plugin; the first up creates the stack's root resource, later ones
 * change nothing.
 */
export async function emptyOperation(
  stack: PulumiStack,
  command: "up" | "refresh" | "destroy",
  what: string,
): Promise<Observed> {
  const operations = {
    up: () => stack.up(() => undefined),
    refresh: () => stack.refresh(),
    destroy: () => stack.destroy(),
  };
  const expect = { up: "same", refresh: "refresh", destroy: "delete" } as const;
  const o = await measure(
    stack,
    [],
    `engine floor ${what}`,
    command,
    operations[command],
    { n: 0, op: expect[command] },
    0,
  );
  return { ...o, sample: { ...o.sample, outcome: "no resources" } };
}

/** Directory for a stack under the benchmark's work directory. */
export function stackDir(workDir: string, name: string): string {
  return path.join(workDir, "stacks", name);
}
