import { execFile, execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { ConfigEntry, StepRecord } from "../harness/pulumi-stack";
import type { UpgradeProgramName } from "./programs";

/** integration-tests/upgrade in the source tree (this file runs from integration-tests/dist/upgrade). */
export const UPGRADE_DIR = path.resolve(__dirname, "..", "..", "upgrade");

/** A released version the upgrade tests start stacks from. */
export interface Baseline {
  /** The version users installed, e.g. `0.1.0`. */
  release: string;
  /** The commit it was released from. */
  commit: string;
}

/** The baselines (`integration-tests/upgrade/baselines.json`): every release a stack may be upgraded from. */
export function baselines(): Baseline[] {
  return JSON.parse(readFileSync(path.join(UPGRADE_DIR, "baselines.json"), "utf8"));
}

/** Builds `baseline` (cached per commit) and lays it out in `dir` (see build-baseline.sh); returns `dir`. */
export function layOutRelease(baseline: Baseline, dir: string): string {
  const out = execFileSync("bash", [path.join(UPGRADE_DIR, "build-baseline.sh"), baseline.commit, dir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 10 * 60_000,
  });
  return out.trim().split("\n").pop() ?? dir;
}

/** What the release's process is asked to do: configure the stack in `dir` and run `up` at the release. */
export interface ReleaseUpJob {
  program: UpgradeProgramName;
  /** The release laid out by {@link layOutRelease}. */
  releaseDir: string;
  /** The stack's directory: the one HEAD's operations use afterwards. */
  dir: string;
  project: string;
  config: ConfigEntry[];
}

/** The longest a release's `up` may take, with its process's start. */
const RELEASE_UP_TIMEOUT_MS = 15 * 60_000;

/**
 * Runs `pulumi up` of `job.program` at the release, in a child node process (`release-up.js`): one copy
 * of the library per process, and the inline program's SDK state is that process's own. The stack's
 * dynamic-provider host loads the release's library. Returns the steps of the up.
 */
export async function upAtRelease(job: ReleaseUpJob): Promise<StepRecord[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, "release-up.js")], {
    env: { ...process.env, SMARTOS_MAIL_RELEASE_UP: JSON.stringify(job) },
    timeout: RELEASE_UP_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "[]");
}
