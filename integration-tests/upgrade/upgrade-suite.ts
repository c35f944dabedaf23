import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { OUTPUT_DIR, suiteHost } from "../harness/fixtures";
import { type ConfigEntry, PulumiStack, type StepRecord } from "../harness/pulumi-stack";
import { type SshAgent, startSshAgent } from "../harness/ssh-agent";
import { hostShell, type TestbedHost, withoutSsh } from "../harness/testbed";
import { declaredChanges, hostStateChange, undeclaredChanges, undeclaredDrift } from "./declared";
import { exportsOutputs, projectOfProgram, type UpgradeProgramName, upgradeProgram } from "./programs";
import { RECORDING, recordRelease } from "./record";
import { baselines, layOutRelease, upAtRelease } from "./releases";

/** A testbed host an upgrade program runs on, and what it changes there. */
export interface UpgradeHost {
  name: string;
  index: number;
  personality?: "debian" | "smartos";
  /** A shell command printing everything the program changes on the host: destroy must leave it as it was. */
  state: string;
}

/** One upgrade program's run: its hosts, its config and its one mutable change. */
export interface UpgradeSuite {
  program: UpgradeProgramName;
  hosts: UpgradeHost[];
  /** The zones of the emulated Cloudflare account the program publishes to (id → name), seeded before the release's up. */
  cloudflareZones?: Record<string, string>;
  /**
   * The program's config for these hosts, with the agent's socket. `run` counts the baselines tested before
   * this one, for an address a run must not take over from the one before: a zone made on the address
   * another just gave up can meet the runner's stale neighbour entry for it.
   */
  config(hosts: TestbedHost[], agentSocket: string, run: number): ConfigEntry[];
  /** The one mutable change: the resource it updates, and how to make it (config set on `stack`, or the program). */
  edit: {
    resource: string;
    make(stack: PulumiStack): Promise<() => unknown>;
    /** Fails unless the hosts show the change. */
    applied(stack: PulumiStack): void;
  };
}

/** Each host's state, by name. */
const snapshot = (hosts: UpgradeHost[]) =>
  Object.fromEntries(hosts.map((h) => [h.name, hostShell(h.name, h.state).stdout]));

/** The steps as `op name`, for messages and comparisons. */
const ops = (steps: StepRecord[]) => steps.map((s) => `${s.op} ${s.name}`);

/**
 * The live upgrade test (research note §5.4) of one program from every baseline release: the release's
 * `up` in its own process, then HEAD on the same stack: preview and up change nothing and log in nowhere,
 * the host byte for byte as the release left it, unless the release declares changes (expected/<release>.json):
 * then the first up makes only those, the hosts gain and lose exactly the declared lines, and a second up
 * changes nothing; a refresh finds only what the release declares, a second nothing; one mutable change is
 * one update in place, applied; destroy leaves the hosts as before.
 */
export function upgradeSuite(suite: UpgradeSuite): void {
  for (const [run, baseline] of baselines().entries()) {
    describe(`upgrade from ${baseline.release} to HEAD: ${suite.program} on testbed hosts`, () => {
      const names = suite.hosts.map((h) => h.name);
      const hosts = suite.hosts.map((h) => suiteHost(h.name, h.index, h.personality));
      const dir = path.join(OUTPUT_DIR, `upgrade-${suite.program}-from-${baseline.release}`);
      const project = projectOfProgram(suite.program);
      const declared = declaredChanges(baseline.release);
      const program = upgradeProgram(suite.program);
      const exports = exportsOutputs(suite.program);
      let agent: SshAgent | undefined;
      let stack: PulumiStack;
      let before0: Record<string, string>;
      let afterRelease: Record<string, string>;
      /** The hosts once HEAD's first up applied what the release declares (as the release left them, if nothing). */
      let afterUpgrade: Record<string, string>;
      /** What HEAD's first preview planned beyond `same`: the release's declared changes, if any. */
      let planned: string[] = [];
      const hostChanges = declared.hostChanges[suite.program] ?? {};

      before(() => {
        agent = startSshAgent(`${dir}-agent`, [hosts[0]().privateKey]);
        before0 = snapshot(suite.hosts);
      });
      after(() => agent?.stop());

      it(`${baseline.release} (${baseline.commit.slice(0, 7)}), in its own process, creates every resource`, async () => {
        rmSync(dir, { recursive: true, force: true });
        stack = new PulumiStack({ dir, project });
        if (suite.cloudflareZones) stack.seedCloudflare(suite.cloudflareZones);
        const releaseDir = layOutRelease(baseline, `${dir}-release`);
        const config = suite.config(
          hosts.map((h) => h()),
          agent!.socket,
          run,
        );
        const steps = await upAtRelease({ program: suite.program, releaseDir, dir, project, config });
        assert.ok(steps.length > 0 && steps.every((s) => s.op === "create"), ops(steps).join("\n"));
        afterRelease = snapshot(suite.hosts);
        if (RECORDING) {
          const testbed = hosts.map((h) => h());
          await recordRelease(stack, {
            ...baseline,
            program: suite.program,
            project,
            hosts: testbed,
            agentSocket: agent!.socket,
          });
        }
      });

      it("HEAD's preview: every step same but the release's declared changes, no SSH login or command", async () => {
        const steps = await withoutSsh(names, () => stack.preview(program, { exports }));
        assert.deepEqual(undeclaredChanges(steps, declared), []);
        planned = ops(steps.filter((s) => s.op !== "same"));
      });

      it("HEAD's up: without declared changes every step same, no SSH, the hosts byte for byte as the release left them; with them, only planned ones, the hosts changed by exactly the declared lines, then a second up is all same", async () => {
        const up = () => stack.up(program, { exports });
        const steps = planned.length === 0 ? await withoutSsh(names, up) : await up();
        assert.deepEqual(undeclaredChanges(steps, declared), []);
        // A preview may show an update it cannot rule out (a value another update gives back the same).
        const made = ops(steps.filter((s) => s.op !== "same"));
        assert.deepEqual(
          made.filter((op) => !planned.includes(op)),
          [],
        );
        afterUpgrade = snapshot(suite.hosts);
        const none = { added: [], removed: [] };
        assert.deepEqual(
          Object.fromEntries(names.map((n) => [n, hostStateChange(afterRelease[n], afterUpgrade[n])])),
          Object.fromEntries(names.map((n) => [n, hostChanges[n] ?? none])),
        );
        if (planned.length === 0) return;
        const again = await withoutSsh(names, up);
        assert.deepEqual(ops(again.filter((s) => s.op !== "same")), []);
        assert.deepEqual(snapshot(suite.hosts), afterUpgrade);
      });

      it("refresh finds only the declared additions and changes no host; a second refresh (which logs in: the SSH control) finds nothing", async () => {
        assert.deepEqual(undeclaredDrift(await stack.refresh(), declared), []);
        assert.deepEqual(snapshot(suite.hosts), afterUpgrade);
        let second: StepRecord[] = [];
        await assert.rejects(
          withoutSsh(names, async () => {
            second = await stack.refresh();
          }),
          /SSH logins and commands/,
          "the no-SSH check did not see a refresh's reads",
        );
        assert.deepEqual(
          second.filter((s) => s.drift).map((s) => `${s.name} ${s.changed?.join(",")}`),
          [],
        );
        assert.ok(second.length > 0, "the second refresh saw no resource");
      });

      it("HEAD's preview after the up and the refresh: every step same, no SSH", async () => {
        const steps = await withoutSsh(names, () => stack.preview(program, { exports }));
        assert.deepEqual(
          steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`),
          [],
        );
      });

      it(`one mutable change is one update of ${suite.edit.resource} in place, and the host shows it`, async () => {
        const edited = await suite.edit.make(stack);
        const planned = await stack.preview(edited, { exports });
        const changed = planned.filter((s) => s.op !== "same");
        assert.deepEqual(
          changed.map((s) => [s.op, s.name, s.diff?.replaces]),
          [["update", suite.edit.resource, []]],
        );
        const applied = await stack.up(edited, { exports });
        assert.deepEqual(
          applied.filter((s) => s.op !== "same").map((s) => [s.op, s.name]),
          [["update", suite.edit.resource]],
        );
        suite.edit.applied(stack);
      });

      it("HEAD's destroy deletes every resource and leaves the hosts as they were before the release's up", async () => {
        const steps = await stack.destroy();
        assert.ok(steps.length > 0 && steps.every((s) => s.op === "delete"), ops(steps).join("\n"));
        assert.deepEqual(snapshot(suite.hosts), before0);
      });
    });
  }
}
