/**
 * The recorded states of earlier releases (Tier 1 of the upgrade tests): the fixtures the live upgrade test
 * writes with `UPGRADE_RECORD=1` (integration-tests/upgrade/record.ts), the releases they come from and
 * what each release declares an upgrade may change, and the news HEAD's unchanged programs send.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { cloudflareDataSources } from "./sdk-mocks";

const ROOT = path.resolve(__dirname, "..", "..", "..", "..", "..");
const UPGRADE_DIR = path.join(ROOT, "integration-tests", "upgrade");
const FIXTURES_DIR = path.join(ROOT, "packages", "pulumi", "test", "fixtures", "upgrade");

/** The SDK's marker of a secret value in registered inputs. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** One dynamic resource as a release left it in state. */
export interface RecordedResource {
  /** `pulumi-nodejs:dynamic/smartos-mail:<Type>`. */
  type: string;
  name: string;
  id: string;
  /** The stored inputs: what the release's check returned. */
  inputs: Record<string, unknown>;
  /** The stored outputs, `__provider` included: the olds the engine sends to Diff, Read and Delete. */
  outputs: Record<string, unknown>;
}

/** A release's recorded stack of one program. */
export interface UpgradeFixture {
  release: string;
  program: string;
  project: string;
  /** The stack's config by full key, as the program read it. */
  config: Record<string, { value: string; secret?: boolean }>;
  /** The zones of the emulated Cloudflare account (id → name), which the program's data sources read. */
  cloudflareZones: Record<string, string>;
  resources: RecordedResource[];
}

/** The releases stacks may be upgraded from (integration-tests/upgrade/baselines.json). */
export function baselineReleases(): string[] {
  const baselines = JSON.parse(readFileSync(path.join(UPGRADE_DIR, "baselines.json"), "utf8")) as { release: string }[];
  return baselines.map((b) => b.release);
}

/** The recorded stack of `program` made by `release`, or undefined when none was recorded. */
export function upgradeFixture(release: string, program: string): UpgradeFixture | undefined {
  const file = path.join(FIXTURES_DIR, release, `${program}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

/** What the release declares an upgrade may change, by type (integration-tests/upgrade/expected/<release>.json). */
export interface DeclaredUpdates {
  /** Input fields whose change an upgrade may apply. */
  intendedUpdates: Record<string, string[]>;
  /** Types an upgrade may update with no input changed (a new default that changes the host), with why. */
  hostUpdates: Record<string, string>;
}

/** The updates `release` declares an upgrade from it may make. */
export function declaredUpdates(release: string): DeclaredUpdates {
  const file = path.join(UPGRADE_DIR, "expected", `${release}.json`);
  const { intendedUpdates, hostUpdates } = JSON.parse(readFileSync(file, "utf8")) as DeclaredUpdates;
  return { intendedUpdates, hostUpdates };
}

/** The last part of a type token: `PostfixConfig`. */
export const typeName = (type: string): string => type.split(":").pop() ?? type;

/**
 * The upgrade programs at HEAD, as the engine's language host would run them: the example's build, and
 * the kitchen sink (integration-tests/upgrade/kitchen-sink.ts) on HEAD's library.
 */
export const UPGRADE_PROGRAMS: Record<string, () => unknown> = {
  "send-only": () => {
    const main = path.join(ROOT, "examples", "send-only", "dist", "index.js");
    delete require.cache[require.resolve(main)];
    return require(main);
  },
  "kitchen-sink": () => {
    const { kitchenSink } = require(path.join(ROOT, "integration-tests", "dist", "upgrade", "kitchen-sink.js"));
    return kitchenSink(require(path.join(ROOT, "packages", "pulumi")))();
  },
};

/** A registered input as the engine gets it: secrets unwrapped, unset keys left out. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== "object") return value;
  const o = value as Record<string, unknown>;
  if (o[SECRET_SIG] !== undefined) return plain(o.value);
  return Object.fromEntries(
    Object.entries(o)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, plain(v)]),
  );
}

/**
 * The news HEAD's unchanged program sends for each dynamic resource, by name: the program runs under the
 * SDK's mocks with the recorded config, and each resource the engine already has answers with its recorded
 * outputs (as a `same` step keeps them), so resources that take another's outputs get the recorded values.
 */
export async function newsAtHead(fixture: UpgradeFixture): Promise<Map<string, Record<string, unknown>>> {
  const recorded = new Map(fixture.resources.map((r) => [r.name, r]));
  const news = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        if (a.type.startsWith("pulumi-nodejs:dynamic")) news.set(a.name, plain(a.inputs) as Record<string, unknown>);
        const r = recorded.get(a.name);
        return { id: r?.id ?? `${a.name}-id`, state: r?.outputs ?? a.inputs };
      },
      call: cloudflareDataSources(fixture.cloudflareZones),
    },
    fixture.project,
    "test",
    false,
  );
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(fixture.config).map(([k, v]) => [k, v.value])),
    Object.keys(fixture.config).filter((k) => fixture.config[k].secret),
  );
  UPGRADE_PROGRAMS[fixture.program]();
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  return news;
}
