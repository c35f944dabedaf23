/**
 * Tier 1 of the upgrade tests: the state each baseline release recorded (see support/upgrade-fixtures.ts)
 * fed to HEAD's providers, with no host. The news are what HEAD's unchanged program sends, got by running
 * it under the SDK's mocks rather than taken from the recorded inputs: those already hold the release's
 * defaults and its component's wiring, so a changed default or a new input a component passes (hazards R4
 * and R8 of the research note) would pass unseen. Diff parses the olds as read and delete do; read and
 * delete are also run, to show they get past parsing to the host connection.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { providers } from "../src/provider-runtime";
import { RESOURCE_KINDS, type ResourceKind, STATE_VERSION_KEY } from "../src/resources/kinds";
import { loadSerializedProvider } from "./support/serialized-provider";
import {
  baselineReleases,
  declaredUpdates,
  newsAtHead,
  type RecordedResource,
  typeName,
  UPGRADE_PROGRAMS,
  type UpgradeFixture,
  upgradeFixture,
} from "./support/upgrade-fixtures";

/** The kind of a recorded resource, by its type; fails for a type HEAD no longer has. */
function kindOf(r: RecordedResource): ResourceKind {
  const kind = (Object.keys(RESOURCE_KINDS) as ResourceKind[]).find((k) => RESOURCE_KINDS[k].type === typeName(r.type));
  assert.ok(kind, `${r.name}: HEAD has no resource of type ${r.type}`);
  return kind;
}

/** The input fields that differ between the stored inputs and HEAD's checked news. */
function changedFields(old: Record<string, unknown>, next: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(old), ...Object.keys(next)].filter((k) => k !== "__provider"));
  return [...keys].filter((k) => !isDeepStrictEqual(old[k], next[k]));
}

/** A loopback port nothing listens on: a connection to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The hook failed connecting to the host (nothing listens; a recorded key is no key), so it got past
 * parsing the stored state: what a host that is down gives.
 */
const failedToConnect = (err: unknown) => {
  assert.match(String(err), /cannot connect to \S+@127\.0\.0\.1:\d+/, `failed before connecting: ${err}`);
  return true;
};

for (const release of baselineReleases()) {
  for (const program of Object.keys(UPGRADE_PROGRAMS)) {
    describe(`state recorded by ${release} (${program}) through HEAD's providers`, () => {
      let fixture: UpgradeFixture;
      let news: Map<string, Record<string, unknown>>;
      const declared = declaredUpdates(release);

      before(async () => {
        const found = upgradeFixture(release, program);
        assert.ok(found, `no fixture for ${release} ${program}: record it (CONTRIBUTING.md, re-recording)`);
        fixture = found;
        news = await newsAtHead(fixture);
      });

      it("HEAD's unchanged program declares exactly the recorded resources", () => {
        assert.deepEqual([...news.keys()].sort(), fixture.resources.map((r) => r.name).sort());
      });

      it("check passes HEAD's news; diff over the recorded outputs: no change, no replacement, unless declared", async () => {
        const problems: string[] = [];
        for (const r of fixture.resources) {
          const provider = providers[kindOf(r)];
          const checked = await provider.check!(r.inputs, news.get(r.name) ?? {});
          if (checked.failures?.length) {
            problems.push(`${r.name}: check: ${JSON.stringify(checked.failures)}`);
            continue;
          }
          const diff = await provider.diff!(r.id, r.outputs, checked.inputs);
          const type = typeName(r.type);
          const allowed = declared.intendedUpdates[type] ?? [];
          const changed = changedFields(r.inputs, checked.inputs);
          const undeclared = changed.filter((f) => !allowed.includes(f));
          // A change is declared by its fields, or, with no field changed, by the type's host update.
          const declaredChange = changed.length === 0 ? type in declared.hostUpdates : undeclared.length === 0;
          if (diff.replaces?.length || (diff.changes && !declaredChange)) {
            problems.push(`${r.name}: diff ${JSON.stringify(diff)}; fields changed: ${undeclared.join(", ")}`);
          }
        }
        assert.deepEqual(problems, []);
      });

      it("read and delete parse the recorded state and get as far as connecting to the host (at a closed loopback port)", async () => {
        const port = await closedPort();
        for (const r of fixture.resources) {
          const provider = providers[kindOf(r)];
          const connection = { ...(r.outputs.connection as object), host: "127.0.0.1", port };
          const props = { ...r.outputs, connection };
          await assert.rejects(provider.read!(r.id, props), failedToConnect, `${r.name}: read`);
          await assert.rejects(provider.delete!(r.id, props), failedToConnect, `${r.name}: delete`);
        }
      });

      it("every recorded type and output key still exists in HEAD's kinds table", () => {
        for (const r of fixture.resources) {
          const known = [...RESOURCE_KINDS[kindOf(r)].outputs, STATE_VERSION_KEY] as readonly string[];
          const stored = Object.keys(r.outputs).filter((k) => k !== "__provider" && !(k in r.inputs));
          assert.deepEqual(
            stored.filter((k) => !known.includes(k)),
            [],
            `${r.name}: output keys HEAD does not know`,
          );
        }
      });

      it("the recorded serialized provider, loaded as the SDK's dynamic-provider host loads it, reaches HEAD's providers with all six hooks", async () => {
        for (const r of fixture.resources) {
          const kind = kindOf(r);
          const loaded = loadSerializedProvider(String(r.outputs.__provider));
          for (const hook of ["check", "diff", "create", "read", "update", "delete"] as const) {
            assert.equal(typeof loaded[hook], "function", `${r.name}: ${hook}`);
          }
          const input = news.get(r.name) ?? {};
          assert.deepEqual(await loaded.check!(r.inputs, input), await providers[kind].check!(r.inputs, input));
        }
      });
    });
  }
}

it("package.json still exports ./provider-runtime, the module every recorded provider loads", () => {
  const pkg = require(path.resolve(__dirname, "..", "..", "package.json")) as { exports: Record<string, string> };
  assert.equal(pkg.exports["./provider-runtime"], "./dist/provider-runtime.js");
});
