import { rmSync } from "node:fs";
import * as path from "node:path";
import { Stack, type StepRecord } from "../../integration-tests/dist/harness/engine";
import { PostfixConfig } from "../../packages/pulumi/dist/index";
import { type BenchHost, type SshCount, sshCount, sshDelta } from "./hosts";
import { type ProviderUsage, probe } from "./provider-probe";
import { timed, withTimeout } from "./stats";
import { postfixConfigArgs } from "./workload";

/** One timed operation of any of the three ways. */
export interface Sample {
  /** Wall time, seconds. */
  seconds: number;
  /** SSH logins and remote commands it caused, over all its hosts. */
  ssh: SshCount;
  /** The provider host's use (ours only). */
  usage?: ProviderUsage;
  /** What the tool reported, e.g. `create` or `ok=5 changed=0`. */
  outcome: string;
}

/** Limit for one harness operation on up to 10 hosts. */
const OPERATION_TIMEOUT_S = 180;

/** A harness stack (state in `dir`, wiped) for PostfixConfig resources on some hosts. */
export function oursStack(dir: string): Stack {
  rmSync(dir, { recursive: true, force: true });
  return new Stack({ dir, passphrase: "benchmark" });
}

async function measure(
  hosts: BenchHost[],
  what: string,
  operation: () => Promise<StepRecord[]>,
  expect: StepRecord["op"],
): Promise<Sample> {
  const before = hosts.map((h) => sshCount(h.name));
  const { seconds, result } = await timed(() => probe(() => withTimeout(operation(), OPERATION_TIMEOUT_S, what)));
  const after = hosts.map((h) => sshCount(h.name));
  const ops = result.result.map((s) => s.op);
  if (ops.length !== hosts.length || ops.some((op) => op !== expect)) {
    throw new Error(`${what}: expected ${hosts.length} × ${expect}, the harness did ${ops.join(", ") || "nothing"}`);
  }
  if (result.usage.length !== 1) throw new Error(`${what}: expected one provider host, saw ${result.usage.length}`);
  return { seconds, ssh: sshDelta(before, after), usage: result.usage[0], outcome: expect };
}

/**
 * `pulumi up` through the harness of one PostfixConfig per host, all with
 * `myhostname`; fails unless every resource got the `expect` step.
 */
export function upOurs(
  stack: Stack,
  hosts: BenchHost[],
  myhostname: string,
  expect: "create" | "same" | "update",
): Promise<Sample> {
  const program = () => hosts.map((h) => new PostfixConfig(`mail-${h.name}`, postfixConfigArgs(h, myhostname)));
  return measure(hosts, `up (${expect}) on ${hosts.length} host(s)`, () => stack.up(program), expect);
}

/** `pulumi destroy` through the harness. */
export function destroyOurs(stack: Stack, hosts: BenchHost[]): Promise<Sample> {
  return measure(hosts, `destroy on ${hosts.length} host(s)`, () => stack.destroy(), "delete");
}

/** Directory for a stack under the benchmark's work directory. */
export function stackDir(workDir: string, name: string): string {
  return path.join(workDir, "stacks", name);
}
