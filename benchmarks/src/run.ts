import { rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { downHost } from "../../integration-tests/dist/harness/testbed";
import { checkAnsible, runAnsible } from "./ansible";
import { secondsIn } from "./engine-log";
import { hostCosts, machineFacts } from "./facts";
import { checkFloor, guideScript, oneChangeScript, runFloor } from "./floor";
import { freshHost, postconfN } from "./hosts";
import {
  closeProcWatch,
  destroyOurs,
  emptyOperation,
  engineStack,
  type Observed,
  refreshOurs,
  type Sample,
  stackDir,
  upOurs,
} from "./ours";
import { loadRounds, measureProgramLoad } from "./program-load";
import { killDescendants } from "./provider-probe";
import {
  type Breakdown,
  type FleetRow,
  HOST_WAYS,
  type Results,
  renderChart,
  renderResults,
  WAYS,
  type Way,
  type WayRuns,
} from "./report";
import { assertWorkDone, CREATE_HOSTNAME, HAND_EDIT, handEdit, UPDATED_HOSTNAME } from "./workload";

/** The single-host comparison's host, and the fleet's (names bm*, indices 70-89 are this benchmark's). */
const MAIN_HOST = { name: "bm70", index: 70 };
const FLEET_HOSTS = Array.from({ length: 10 }, (_, i) => ({ name: `bm${71 + i}`, index: 71 + i }));
const FLEET_SIZES = [1, 5, 10];

function envCount(name: string, fallback: number, max: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`${name} must be an integer 1..${max}`);
  return v;
}

/** Rounds of create, no-op and update per way on one host. */
const ROUNDS = envCount("BENCH_ROUNDS", 5, 15);
/** Create, no-op and destroy repetitions per fleet size. */
const FLEET_REPS = envCount("BENCH_FLEET_REPS", 3, 10);
/** The whole run stops starting new work after this many seconds (run.sh kills it at 28 min). */
const BUDGET_S = envCount("BENCH_BUDGET_S", 24 * 60, 60 * 60);
/** The engine's log level of the one logged pass that splits ours' time by provider call. */
const LOGGED_VERBOSITY = 7;

const REPO = path.resolve(__dirname, "..", "..");
const WORK_DIR = path.join(REPO, ".test-output", "benchmarks");
const RESULTS_PATH = path.join(REPO, "benchmarks", "RESULTS.md");
const CHART_PATH = path.join(REPO, "benchmarks", "chart.svg");
const started = performance.now();
const elapsed = () => (performance.now() - started) / 1000;

function log(message: string): void {
  process.stderr.write(`[${elapsed().toFixed(0).padStart(4)} s] ${message}\n`);
}

function describe(s: Sample): string {
  const api = s.apiSeconds === undefined ? "" : ` (${s.apiSeconds.toFixed(2)} s with the Automation API's extra runs)`;
  const u = s.usage
    ? `, provider ${s.usage.cpuSeconds.toFixed(2)} s CPU, ${(s.usage.peakRssKiB / 1024).toFixed(0)} MiB peak`
    : "";
  return `${s.seconds.toFixed(2)} s${api}, ${s.ssh.logins} login(s), ${s.ssh.commands} command(s)${u}, ${s.outcome}`;
}

/**
 * One way's create, no-op re-run and one-change update, each on a host fresh from baseline; then a hand
 * edit and the way's drift check (refresh); then, for the engine's ways, destroy.
 */
async function round(way: Way, runs: WayRuns): Promise<string | undefined> {
  const record = (kind: keyof WayRuns, s: Sample) => {
    runs[kind].push(s);
    log(`  ${way} ${kind}: ${describe(s)}`);
  };
  if (way === "engine") {
    // No host: the same stack shape with no resources.
    const stack = await engineStack(stackDir(WORK_DIR, "engine-floor"));
    record("create", (await emptyOperation(stack, "up", "first up")).sample);
    record("noop", (await emptyOperation(stack, "up", "rerun")).sample);
    record("update", (await emptyOperation(stack, "up", "second rerun")).sample);
    record("refresh", (await emptyOperation(stack, "refresh", "refresh")).sample);
    record("destroy", (await emptyOperation(stack, "destroy", "destroy")).sample);
    return undefined;
  }
  const h = freshHost(MAIN_HOST.name, MAIN_HOST.index, WORK_DIR);
  const baseline = postconfN(h.name);
  let created: string;
  if (way === "ours") {
    const stack = await engineStack(stackDir(WORK_DIR, "single"));
    record("create", (await upOurs(stack, [h], CREATE_HOSTNAME, "create")).sample);
    assertWorkDone(h.name, CREATE_HOSTNAME, "PostfixConfig create");
    created = postconfN(h.name);
    record("noop", (await upOurs(stack, [h], CREATE_HOSTNAME, "same")).sample);
    record("update", (await upOurs(stack, [h], UPDATED_HOSTNAME, "update")).sample);
    assertWorkDone(h.name, UPDATED_HOSTNAME, `${way} update`);
    handEdit(h.name);
    const refresh = await refreshOurs(stack, [h]);
    const applied = stack.resource(`mail-${h.name}`)?.outputs.applied as Record<string, string | null> | undefined;
    const seen = applied?.[HAND_EDIT.parameter];
    const drift = refresh.steps.every((s) => s.drift) && seen === HAND_EDIT.value;
    record("refresh", {
      ...refresh.sample,
      drift,
      outcome: `drift ${refresh.steps.map((s) => s.drift).join(", ")}; applied.${HAND_EDIT.parameter} = ${seen}`,
    });
    const destroy = (await destroyOurs(stack, [h])).sample;
    const restored = postconfN(h.name) === baseline;
    record("destroy", { ...destroy, restored, outcome: restored ? "host restored" : "host not restored" });
    return created;
  }
  if (way === "ansible") {
    record("create", runAnsible(h, CREATE_HOSTNAME, WORK_DIR, "some"));
    assertWorkDone(h.name, CREATE_HOSTNAME, "the Ansible play");
    created = postconfN(h.name);
    record("noop", runAnsible(h, CREATE_HOSTNAME, WORK_DIR, 0));
    // The one postconf -e and the reload handler.
    record("update", runAnsible(h, UPDATED_HOSTNAME, WORK_DIR, 2));
    assertWorkDone(h.name, UPDATED_HOSTNAME, `${way} update`);
    handEdit(h.name);
    record("refresh", checkAnsible(h, UPDATED_HOSTNAME, WORK_DIR));
  } else {
    record("create", runFloor(h, guideScript(CREATE_HOSTNAME), "create"));
    assertWorkDone(h.name, CREATE_HOSTNAME, "the floor script");
    created = postconfN(h.name);
    record("noop", runFloor(h, guideScript(CREATE_HOSTNAME), "re-run"));
    record("update", runFloor(h, oneChangeScript(UPDATED_HOSTNAME), "update"));
    assertWorkDone(h.name, UPDATED_HOSTNAME, `${way} update`);
    handEdit(h.name);
    record("refresh", checkFloor(h, UPDATED_HOSTNAME));
  }
  return created;
}

async function singleHost(results: Results): Promise<void> {
  log(`single host ${MAIN_HOST.name}: ${ROUNDS} rounds of create, no-op, update, refresh (destroy) per way`);
  for (let r = 0; r < ROUNDS; r++) {
    if (r > 0 && elapsed() > BUDGET_S * 0.5) {
      results.notes.push(`The single-host part stopped after ${r} of ${ROUNDS} rounds to stay within the time budget.`);
      break;
    }
    // Each round starts with another way, so no way always runs first after a quiet spell.
    const order = WAYS.map((_, i) => WAYS[(i + r) % WAYS.length]);
    log(`round ${r + 1}/${ROUNDS}: ${order.join(", ")}`);
    const mainCf: Partial<Record<Way, string>> = {};
    for (const way of order) {
      const cf = await round(way, results.single[way]);
      if (cf !== undefined) mainCf[way] = cf;
    }
    if (new Set(Object.values(mainCf)).size !== 1) {
      throw new Error(
        `the three ways left different main.cf files:\n${HOST_WAYS.map((w) => `${w}:\n${mainCf[w]}`).join("\n")}`,
      );
    }
    results.sameMainCfRounds++;
  }
}

/** Splits one observed operation of ours by the provider calls in the engine's log. */
function breakdownOf(name: string, o: Observed): Breakdown {
  const u = o.run.providers[0];
  const pluginStartMs = o.run.cliStartMs + u.launchedAfterSeconds * 1000;
  const first = o.calls.at(0);
  if (!first) throw new Error(`the -v=${LOGGED_VERBOSITY} engine log of the ${name} has no provider call`);
  const work = secondsIn(o.calls, "Create") + secondsIn(o.calls, "Update");
  const check = secondsIn(o.calls, "Check");
  const diff = secondsIn(o.calls, "Diff");
  const lastEnd = Math.max(...o.calls.map((c) => c.endMs));
  return {
    operation: name,
    total: o.sample.seconds,
    beforePlugin: u.launchedAfterSeconds,
    pluginStart: (first.startMs - pluginStartMs) / 1000,
    check,
    diff,
    work,
    afterLastCall: (o.run.cliEndMs - lastEnd) / 1000,
    calls: o.calls.map((c) => c.method),
  };
}

/**
 * One more create, no-op and update of ours with the engine logging at -v=7, outside the timed
 * samples: the engine's own time stamps on each provider call split the `pulumi up` time.
 */
async function loggedPass(results: Results): Promise<void> {
  log(`logged pass (-v=${LOGGED_VERBOSITY}) on ${MAIN_HOST.name}`);
  const h = freshHost(MAIN_HOST.name, MAIN_HOST.index, WORK_DIR);
  const stack = await engineStack(stackDir(WORK_DIR, "logged"), LOGGED_VERBOSITY);
  const create = await upOurs(stack, [h], CREATE_HOSTNAME, "create");
  const noop = await upOurs(stack, [h], CREATE_HOSTNAME, "same");
  const update = await upOurs(stack, [h], UPDATED_HOSTNAME, "update");
  results.breakdown = [breakdownOf("create", create), breakdownOf("no-op", noop), breakdownOf("update", update)];
  for (const b of results.breakdown) {
    log(
      `  ${b.operation}: ${b.total.toFixed(2)} s = before plugin ${b.beforePlugin.toFixed(2)} + plugin start ${b.pluginStart.toFixed(2)} + Check ${b.check.toFixed(2)} + Diff ${b.diff.toFixed(2)} + Create/Update ${b.work.toFixed(2)} + ... (after last call ${b.afterLastCall.toFixed(2)})`,
    );
  }
  results.hostCosts = await hostCosts(h, stack.options.dir);
}

async function fleet(results: Results): Promise<void> {
  log(`fleet: bringing up ${FLEET_HOSTS.length} hosts`);
  const hosts = FLEET_HOSTS.map((f) => freshHost(f.name, f.index, WORK_DIR));
  const baseline = hosts.map((h) => postconfN(h.name));
  for (const n of FLEET_SIZES) {
    const some = hosts.slice(0, n);
    const row: FleetRow = { hosts: n, create: [], noop: [], destroy: [] };
    results.fleet.push(row);
    const stack = await engineStack(stackDir(WORK_DIR, `fleet-${n}`));
    for (let rep = 0; rep < FLEET_REPS; rep++) {
      const last = row.create.length > 0 ? row.create.at(-1)!.apiSeconds! + row.destroy.at(-1)!.apiSeconds! : 0;
      if (rep > 0 && elapsed() + 2 * last > BUDGET_S) {
        results.notes.push(`The fleet of ${n} ran ${rep} of ${FLEET_REPS} repetitions to stay within the time budget.`);
        break;
      }
      log(`fleet of ${n}, repetition ${rep + 1}/${FLEET_REPS}`);
      row.create.push((await upOurs(stack, some, CREATE_HOSTNAME, "create")).sample);
      for (const h of some) assertWorkDone(h.name, CREATE_HOSTNAME, `PostfixConfig create (fleet of ${n})`);
      row.noop.push((await upOurs(stack, some, CREATE_HOSTNAME, "same")).sample);
      row.destroy.push((await destroyOurs(stack, some)).sample);
      some.forEach((h, i) => {
        if (postconfN(h.name) !== baseline[i]) throw new Error(`destroy did not restore ${h.name}'s postconf -n`);
      });
      log(
        `  create ${describe(row.create.at(-1)!)}; no-op ${describe(row.noop.at(-1)!)}; destroy ${describe(row.destroy.at(-1)!)}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const results: Results = {
    date: new Date().toISOString(),
    rounds: ROUNDS,
    single: { ours: emptyRuns(), engine: emptyRuns(), ansible: emptyRuns(), floor: emptyRuns() },
    sameMainCfRounds: 0,
    fleet: [],
    notes: [],
    loadBefore: os.loadavg(),
    loadAfter: [],
    wallSeconds: 0,
  };
  const hostNames = [MAIN_HOST, ...FLEET_HOSTS].map((h) => h.name);
  const cleanUp = () => {
    killDescendants();
    for (const name of hostNames) downHost(name);
  };
  const write = () => {
    results.loadAfter = os.loadavg();
    results.wallSeconds = elapsed();
    writeFileSync(RESULTS_PATH, renderResults(results));
    writeFileSync(CHART_PATH, renderChart(results));
    log(`wrote ${path.relative(REPO, RESULTS_PATH)} and its chart (${results.wallSeconds.toFixed(0)} s in all)`);
  };
  // run.sh's timeout sends SIGTERM: leave no pulumi process, plugin or testbed host behind, and keep
  // what was measured, marked as cut short.
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      cleanUp();
      if (results.single.ours.create.length > 0) {
        results.notes.push(
          `The run was stopped by ${signal} after ${elapsed().toFixed(0)} s; what it had measured is here.`,
        );
        write();
      }
      process.exit(1);
    });
  }
  try {
    // First, while no testbed host runs: node processes that only require modules.
    log(`program load (issue 16): ${loadRounds()} rounds`);
    results.programLoad = measureProgramLoad(loadRounds(), process.env.BENCH_LOAD_BEFORE_DIR || undefined);
    await singleHost(results);
    await loggedPass(results);
    results.facts = machineFacts(MAIN_HOST.name);
    downHost(MAIN_HOST.name);
    await fleet(results);
  } finally {
    cleanUp();
    await closeProcWatch();
  }
  write();
  // Its copies of the testbed key and the stacks' state are of no use once the results are written.
  rmSync(WORK_DIR, { recursive: true, force: true });
}

function emptyRuns(): WayRuns {
  return { create: [], noop: [], update: [], refresh: [], destroy: [] };
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
