import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Deployment } from "@pulumi/pulumi/automation";
import { type AccountData, loadAccount } from "../cloudflare/account";
import { customResourcesOf, type PulumiStack } from "../harness/pulumi-stack";
import type { TestbedHost } from "../harness/testbed";
import type { UpgradeProgramName } from "./programs";
import { UPGRADE_DIR } from "./releases";
import { sanitized, substitutionsFor } from "./sanitize";

/** Where the Tier 1 fixtures live: packages/pulumi/test/fixtures/upgrade/<release>/<program>.json. */
const TIER1_DIR = path.resolve(UPGRADE_DIR, "..", "..", "packages", "pulumi", "test", "fixtures", "upgrade");
/** Where the Tier 2 recordings live: integration-tests/upgrade/recorded/<release>/<program>.json. */
export const RECORDED_DIR = path.join(UPGRADE_DIR, "recorded");

/** A stack's config by full key (`project:key`), as `pulumi config --json` gives it. */
export type ConfigMap = Record<string, { value: string; secret?: boolean }>;

/** The Tier 2 recording: what `pulumi stack import` and `pulumi config set` need to rebuild the stack. */
export interface StackRecording {
  release: string;
  program: UpgradeProgramName;
  project: string;
  config: ConfigMap;
  /** `pulumi stack export --show-secrets`, sanitized: secrets in plain text, re-encrypted on import. */
  deployment: Deployment;
  /** The emulated Cloudflare account as the release's `up` left it (zones and records), sanitized. */
  cloudflare: AccountData;
}

/** Whether this run records (`UPGRADE_RECORD=1`): see CONTRIBUTING.md, "Re-recording the upgrade baselines". */
export const RECORDING = process.env.UPGRADE_RECORD === "1";

/**
 * Writes what a release's `up` left in `stack` as the upgrade fixtures: the Tier 2 recording (the stack's
 * export and config) and the Tier 1 fixture (per dynamic resource its type, name, id, stored inputs and
 * outputs, `__provider` included: the olds the engine sends to Diff), both sanitized the same way (see
 * sanitize.ts), so HEAD's diff over them means what it means over the real state.
 */
export async function recordRelease(
  stack: PulumiStack,
  what: { release: string; program: UpgradeProgramName; project: string; hosts: TestbedHost[]; agentSocket: string },
): Promise<void> {
  const raw = await stack.exportWithSecrets();
  const subs = substitutionsFor(customResourcesOf(raw), what.hosts, what.agentSocket);
  const deployment = sanitized(raw, subs);
  const config = sanitized(await stack.allConfig(), subs);
  const recording: StackRecording = {
    release: what.release,
    program: what.program,
    project: what.project,
    config,
    deployment,
    cloudflare: sanitized(loadAccount(stack.cloudflareRecordsPath), subs),
  };
  write(path.join(RECORDED_DIR, what.release, `${what.program}.json`), recording);
  const resources = customResourcesOf(deployment)
    .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic"))
    .map(({ type, name, id, inputs, outputs }) => ({ type, name, id, inputs, outputs }));
  const fixture = {
    release: what.release,
    program: what.program,
    project: what.project,
    config,
    cloudflareZones: recording.cloudflare.zones,
    resources,
  };
  write(path.join(TIER1_DIR, what.release, `${what.program}.json`), fixture);
}

function write(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
