import { rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { downHost } from "../../integration-tests/dist/harness/testbed";
import { checkAnsible, runAnsible } from "./ansible";
import { breakdownOf, providerSplit } from "./breakdown";
import { measureCompileCache } from "./compile-cache";
import { dynamicFloorOperation, upDynamicFloor } from "./dynamic-floor";
import { hostCosts, machineFacts } from "./facts";
import { checkFloor, guideScript, oneChangeScript, runFloor } from "./floor";
import { type BenchHost, freshHost, freshHosts, postconfN } from "./hosts";
import {
  closeProcWatch,
  destroyOurs,
  emptyOperation,
  engineStack,
  refreshOurs,
  type Sample,
  stackDir,
  upOurs,
} from "./ours";
import { loadRounds, measureProgramLoad } from "./program-load";
import { killDescendants } from "./provider-probe";
import { checkPyinfra, runPyinfra } from "./pyinfra";
import {
  type FleetRow,
  HOST_WAYS,
  type Results,
  renderChart,
  renderResults,
  WAYS,
  type Way,
  type WayRuns,
} from "./report";
import {
  sendOnlyOperation,
  sendOnlyProblems,
  sendOnlyRestored,
  sendOnlyStack,
  UPDATED_ROOT_ALIAS,
  updateSendOnly,
  upSendOnly,
} from "./send-only";
import { assertWorkDone, CREATE_HOSTNAME, HAND_EDIT, handEdit, UPDATED_HOSTNAME } from "./workload";

/**
 * The benchmark's testbed hosts: the single-host comparison's, the send-only example's, and the
 * fleet's 25 (names bm*; indices 70-81 and 170-199 are this benchmark's).
 */
const MAIN_HOST = { name: "bm70", index: 70 };
const SEND_ONLY_HOST = { name: "bm71", index: 71 };
const FLEET_SIZES = [1, 10, 25];
const FLEET_HOSTS = Array.from({ length: 25 }, (_, i) => ({ name: `bm${170 + i}`, index: 170 + i }));

function envCount(name: string, fallback: number, max: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`${name} must be an integer 1..${max}`);
  return v;
}

/** Rounds of create, no-op and update per way on one host. */
const ROUNDS = envCount("BENCH_ROUNDS", 4, 15);
/** Rounds of the send-only example's create, no-op, update, refresh and destroy. */
const SEND_ONLY_ROUNDS = envCount("BENCH_SEND_ONLY_ROUNDS", 3, 10);
/** Rounds of the compile-cache comparison (a no-op `pulumi up` and the plugin alone per mode). */
const CACHE_ROUNDS = envCount("BENCH_CACHE_ROUNDS", 5, 10);
/** Create, no-op and destroy repetitions per fleet size. */
const FLEET_REPS = envCount("BENCH_FLEET_REPS", 3, 10);
/** The whole run stops starting new work after this many seconds (run.sh kills it at 45 min). */
const BUDGET_S = envCount("BENCH_BUDGET_S", 38 * 60, 60 * 60);
/** The engine's log level of the logged passes that split ours' time by provider call. */
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
  return `${s.seconds.toFixed(2)} s${api}, ${s.ssh.logins} login(s), ${s.ssh.commands} command(s), host CPU ${s.ssh.cpu.toFixed(2)} s${u}, ${s.outcome}`;
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
  if (way === "dynamic") {
    // No host: one dynamic resource whose hooks do nothing, its value changed as ours' myhostname.
    const stack = await engineStack(stackDir(WORK_DIR, "dynamic-floor"));
    record("create", (await upDynamicFloor(stack, CREATE_HOSTNAME, "create")).sample);
    record("noop", (await upDynamicFloor(stack, CREATE_HOSTNAME, "same")).sample);
    record("update", (await upDynamicFloor(stack, UPDATED_HOSTNAME, "update")).sample);
    record("refresh", (await dynamicFloorOperation(stack, "refresh")).sample);
    record("destroy", (await dynamicFloorOperation(stack, "destroy")).sample);
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
  } else if (way === "pyinfra") {
    record("create", runPyinfra(h, CREATE_HOSTNAME, WORK_DIR, "some"));
    assertWorkDone(h.name, CREATE_HOSTNAME, "the pyinfra deploy");
    created = postconfN(h.name);
    record("noop", runPyinfra(h, CREATE_HOSTNAME, WORK_DIR, 0));
    // The one postconf -e and the reload.
    record("update", runPyinfra(h, UPDATED_HOSTNAME, WORK_DIR, 2));
    assertWorkDone(h.name, UPDATED_HOSTNAME, `${way} update`);
    handEdit(h.name);
    record("refresh", checkPyinfra(h, UPDATED_HOSTNAME, WORK_DIR));
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
        `the ways left different main.cf files:\n${HOST_WAYS.map((w) => `${w}:\n${mainCf[w]}`).join("\n")}`,
      );
    }
    results.sameMainCfRounds++;
  }
}

/**
 * One more create, no-op and update of ours with the engine logging at -v=7, outside the timed
 * samples: the engine's own time stamps on each provider call split the `pulumi up` time.
 */
async function loggedPass(results: Results): Promise<void> {
  log(`logged pass (-v=${LOGGED_VERBOSITY}) on ${MAIN_HOST.name}`);
  const h = freshHost(MAIN_HOST.name, MAIN_HOST.index, WORK_DIR);
  const stack = await engineStack(stackDir(WORK_DIR, "logged"), { engineLogVerbosity: LOGGED_VERBOSITY });
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
  log(`compile cache: ${CACHE_ROUNDS} rounds of the plugin alone and a logged no-op per mode`);
  results.compileCache = await measureCompileCache(stack, h, UPDATED_HOSTNAME, WORK_DIR, CACHE_ROUNDS, log);
}

/**
 * The send-only example, as a user runs it: create, no-op, the one-field update (rootAlias), refresh and
 * destroy, each round on a host fresh from baseline and a new stack.
 */
async function sendOnly(results: Results): Promise<void> {
  const runs = results.sendOnly;
  const record = (kind: keyof WayRuns, s: Sample) => {
    runs[kind].push(s);
    log(`  send-only ${kind}: ${describe(s)}`);
  };
  for (let r = 0; r < SEND_ONLY_ROUNDS; r++) {
    if (r > 0 && elapsed() > BUDGET_S * 0.65) {
      results.notes.push(
        `The send-only example ran ${r} of ${SEND_ONLY_ROUNDS} rounds to stay within the time budget.`,
      );
      break;
    }
    log(`send-only example on ${SEND_ONLY_HOST.name}, round ${r + 1}/${SEND_ONLY_ROUNDS}`);
    const h = freshHost(SEND_ONLY_HOST.name, SEND_ONLY_HOST.index, WORK_DIR);
    const { stack, before } = await sendOnlyStack(stackDir(WORK_DIR, "send-only"), h);
    const create = await upSendOnly(stack, h, "create", { op: "create" });
    const n = create.steps.length;
    results.sendOnlyResources = create.steps.map((st) => st.name);
    record("create", create.sample);
    const problems = sendOnlyProblems(stack, h, "ops@example.smtb");
    if (problems.length > 0) throw new Error(`the send-only example's create left: ${problems.join("; ")}`);
    record("noop", (await upSendOnly(stack, h, "no-op", { n, op: "same" })).sample);
    record("update", (await updateSendOnly(stack, h, n)).sample);
    const updated = sendOnlyProblems(stack, h, UPDATED_ROOT_ALIAS);
    if (updated.length > 0) throw new Error(`the send-only example's update left: ${updated.join("; ")}`);
    record("refresh", (await sendOnlyOperation(stack, h, "refresh", n)).sample);
    const destroy = (await sendOnlyOperation(stack, h, "destroy", n)).sample;
    const restored = sendOnlyRestored(stack, h, before);
    record("destroy", {
      ...destroy,
      restored,
      outcome: restored ? "host and zone restored" : "host or zone not restored",
    });
  }
  await sendOnlyLogged(results);
  downHost(SEND_ONLY_HOST.name);
}

/** One more pass of the send-only example with the engine logging at -v=7: each operation split by provider. */
async function sendOnlyLogged(results: Results): Promise<void> {
  log(`send-only example, logged pass (-v=${LOGGED_VERBOSITY})`);
  const h = freshHost(SEND_ONLY_HOST.name, SEND_ONLY_HOST.index, WORK_DIR);
  const dir = stackDir(WORK_DIR, "send-only-logged");
  const { stack } = await sendOnlyStack(dir, h, LOGGED_VERBOSITY);
  const create = await upSendOnly(stack, h, "create", { op: "create" });
  const n = create.steps.length;
  const split = [
    providerSplit("create", create),
    providerSplit("no-op", await upSendOnly(stack, h, "no-op", { n, op: "same" })),
    providerSplit("update", await updateSendOnly(stack, h, n)),
    providerSplit("refresh", await sendOnlyOperation(stack, h, "refresh", n)),
    providerSplit("destroy", await sendOnlyOperation(stack, h, "destroy", n)),
  ];
  results.sendOnlySplit = split;
  for (const x of split) {
    const shares = x.shares.map(
      (p) =>
        `${p.name}: first call at ${p.firstCallAfter.toFixed(2)} s, Check ${p.check.toFixed(2)}, Diff ${p.diff.toFixed(2)}, work ${p.work.toFixed(2)}, Read/Invoke ${p.read.toFixed(2)} (${p.calls} calls)`,
    );
    log(`  ${x.operation}: ${x.total.toFixed(2)} s; ${shares.join("; ")}`);
  }
}

async function fleet(results: Results): Promise<void> {
  log(`fleet: bringing up ${FLEET_HOSTS.length} hosts`);
  const hosts: BenchHost[] = await freshHosts(FLEET_HOSTS, WORK_DIR);
  const baseline = hosts.map((h) => postconfN(h.name));
  for (const n of FLEET_SIZES) {
    const some = hosts.slice(0, n);
    const row: FleetRow = { hosts: n, create: [], noop: [], destroy: [] };
    results.fleet.push(row);
    // All the fleet's resources at once.
    const stack = await engineStack(stackDir(WORK_DIR, `fleet-${n}`), { parallel: FLEET_HOSTS.length });
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
    single: {
      ours: emptyRuns(),
      dynamic: emptyRuns(),
      engine: emptyRuns(),
      pyinfra: emptyRuns(),
      ansible: emptyRuns(),
      floor: emptyRuns(),
    },
    sendOnly: emptyRuns(),
    sendOnlyResources: [],
    sameMainCfRounds: 0,
    fleet: [],
    notes: [],
    loadBefore: os.loadavg(),
    loadAfter: [],
    wallSeconds: 0,
  };
  const hostNames = [MAIN_HOST, SEND_ONLY_HOST, ...FLEET_HOSTS].map((h) => h.name);
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
    await sendOnly(results);
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
