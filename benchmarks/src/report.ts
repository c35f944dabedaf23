import { barChartSvg } from "../../packages/pulumi/dist/plan/chart";
import type { ProviderSplit } from "./breakdown";
import { CACHE_MODES, type CacheMode, type CompileCacheResults, cacheMedians } from "./compile-cache";
import type { HostCosts, MachineFacts } from "./facts";
import type { Sample } from "./ours";
import { type LoadResults, renderProgramLoad } from "./program-load";
import { median, mib, range, secs, times } from "./stats";
import { HAND_EDIT } from "./workload";

/**
 * The ways measured on one host: ours, the dynamic-provider floor (one dynamic resource whose hooks do
 * nothing), the engine floor (no resources), pyinfra, Ansible, the SSH floor.
 */
export const WAYS = ["ours", "dynamic", "engine", "pyinfra", "ansible", "floor"] as const;
/** One of {@link WAYS}. */
export type Way = (typeof WAYS)[number];
/** The ways that do the work on the host (the floors of the engine have none). */
export const HOST_WAYS = ["ours", "pyinfra", "ansible", "floor"] as const;

/** A way's samples on the single host. */
export interface WayRuns {
  create: Sample[];
  noop: Sample[];
  update: Sample[];
  /** The drift check after a hand edit: `pulumi refresh`, `ansible-playbook --check --diff`, `postconf -n` over SSH. */
  refresh: Sample[];
  /** Ours and the engine floor only: `pulumi destroy`. */
  destroy: Sample[];
}

/** The fleet samples for one fleet size. */
export interface FleetRow {
  hosts: number;
  create: Sample[];
  noop: Sample[];
  destroy: Sample[];
}

/** One operation of ours in the logged pass, split by the engine's own time stamps (seconds). */
export interface Breakdown {
  operation: string;
  /** The `pulumi up` process, start to exit. */
  total: number;
  /** From its start to the plugin's start. */
  beforePlugin: number;
  /** From the plugin's start to the engine's first call to it (GetPluginInfo). */
  pluginStart: number;
  check: number;
  diff: number;
  /** Create or Update: the SSH work. */
  work: number;
  /** From the end of the last provider call to the process's exit. */
  afterLastCall: number;
  /** The provider calls, in order. */
  calls: string[];
}

/** Everything one benchmark run measured. */
export interface Results {
  date: string;
  rounds: number;
  single: Record<Way, WayRuns>;
  /** The send-only example (issue 27): create, no-op, the one-field update, refresh, destroy. */
  sendOnly: WayRuns;
  /** The send-only example's logged pass, each operation split by provider. */
  sendOnlySplit?: ProviderSplit[];
  /** The send-only example's custom resources, by name. */
  sendOnlyResources: string[];
  /** Node.js's compile cache, three ways (issue 27). */
  compileCache?: CompileCacheResults;
  /** Rounds after which ours, pyinfra, Ansible and the floor left byte-identical `postconf -n` output. */
  sameMainCfRounds: number;
  /** The logged pass: ours' create, no-op and update split by provider call. */
  breakdown?: Breakdown[];
  fleet: FleetRow[];
  notes: string[];
  facts?: MachineFacts;
  hostCosts?: HostCosts;
  /** Issue 16: what requiring the package costs a program (measured first). */
  programLoad?: LoadResults;
  loadBefore: number[];
  loadAfter: number[];
  wallSeconds: number;
}

/** Issue 27's targets. */
const TARGETS = { oursMinusDynamicVsFloor: 1.0, noopOverDynamic: 0.2, fleetWall: 3 };

/**
 * What `@pulumi/command` as a peer needs and this machine refused, checked twice (2026-12-02) with
 * `go mod download -json`; the module proxy's address is written `$GOPROXY`.
 */
const COMMAND_PEER_NOTE = [
  "`@pulumi/command` as a peer (issue 17) is not measured: its plugin, `pulumi-resource-command`, would be built",
  "from its Go module as the CLI is, and the module proxy serves neither the version asked nor the one the npm",
  "package pins (`@pulumi/command` 4.5.0 names no other plugin version, so its plugin is v4.5.0; the workspace's",
  "lockfile has no `@pulumi/command`). Checked on 2026-12-02 with `go mod download -json`, first:",
  "`github.com/pulumi/pulumi-command/provider@v1.0.1: reading $GOPROXY/github.com/pulumi/pulumi-command/provider/@v/v1.0.1.info: 403 Forbidden server response: This module version is not available.`;",
  "`github.com/pulumi/pulumi-command/provider@v4.5.0: reading $GOPROXY/github.com/pulumi/pulumi-command/provider/@v/v4.5.0.info: 403 Forbidden server response: This module version is not available.`;",
  "and at its major-version path, `github.com/pulumi/pulumi-command/provider/v4@v4.5.0: reading $GOPROXY/github.com/pulumi/pulumi-command/provider/v4/@v/v4.5.0.info: 403 Forbidden server response: This module version is not available.`",
  "Once more at 06:39 UTC: `provider/v4@v4.5.0` and `provider@v1.0.1` the same 403; `provider@v1.1.0`: `403 Forbidden server response: This module version is not available.`;",
  "`provider@v1.2.1` (the PyPI package's version): `reading $GOPROXY/github.com/pulumi/pulumi-command/provider/@v/v1.2.1.info: 404 Not Found`, and the",
  "`direct` fallback: `fatal: unable to access 'https://github.com/pulumi/pulumi-command/': Could not resolve host: github.com`.",
].join(" ");

/** The single-host operations, in the order of the tables and the chart, with their column headings. */
const OPERATIONS = [
  ["create", "create"],
  ["noop", "no-op re-run"],
  ["update", "one-change update"],
  ["refresh", "refresh after a hand edit"],
  ["destroy", "destroy"],
] as const satisfies readonly (readonly [keyof WayRuns, string])[];

/** One colour per way in the chart. */
const COLORS: Record<Way, string> = {
  ours: "#1f77b4",
  dynamic: "#9467bd",
  engine: "#7f7f7f",
  pyinfra: "#ff7f0e",
  ansible: "#d62728",
  floor: "#2ca02c",
};

/** The chart's short names of the ways. */
const SHORT_NAMES: Record<Way, string> = {
  ours: "ours (PostfixConfig, pulumi up)",
  dynamic: "dynamic-provider floor (no-op hooks)",
  engine: "engine floor (no resources)",
  pyinfra: "pyinfra",
  ansible: "Ansible",
  floor: "SSH floor",
};

const NAMES: Record<Way, string> = {
  ours: "ours: PostfixConfig, `pulumi up`",
  dynamic: "dynamic-provider floor: one no-op dynamic resource",
  engine: "engine floor: `pulumi up`, no resources",
  pyinfra: "pyinfra deploy",
  ansible: "Ansible play",
  floor: "SSH floor: one SSH session",
};

const med = (samples: Sample[], f: (s: Sample) => number = (s) => s.seconds) => median(samples.map(f));
const sum = (samples: Sample[], f: (s: Sample) => number) => samples.reduce((n, s) => n + f(s), 0);

function cell(samples: Sample[], f: (s: Sample) => number = (s) => s.seconds): string {
  if (samples.length === 0) return "–";
  const [lo, hi] = range(samples.map(f));
  return `**${secs(med(samples, f))}** (${secs(lo)}–${secs(hi)})`;
}

function sshCell(samples: Sample[]): string {
  return samples.length === 0 ? "–" : `${med(samples, (s) => s.ssh.logins)} / ${med(samples, (s) => s.ssh.commands)}`;
}

/** The median CPU the host's sshd and its sessions used per run (see `SshCount.cpu`). */
const hostCpu = (samples: Sample[]) => med(samples, (s) => s.ssh.cpu);

function sshCpuCell(samples: Sample[]): string {
  return samples.length === 0 ? "–" : `${sshCell(samples)}, ${secs(hostCpu(samples))}`;
}

function verdict(ok: boolean): string {
  return ok ? "met" : "**missed**";
}

const usage = (f: (u: NonNullable<Sample["usage"]>) => number) => (s: Sample) => (s.usage ? f(s.usage) : Number.NaN);
const providerCpu = usage((u) => u.cpuSeconds);
const providerRss = usage((u) => u.peakRssKiB);
const api = (s: Sample) => s.apiSeconds ?? Number.NaN;
const cliCpu = (s: Sample) => s.cliCpuSeconds ?? Number.NaN;

/** Ours' refreshes: SSH logins and commands per refresh (one resource), and drift reported in how many. */
function refreshStats(r: Results) {
  const runs = r.single.ours.refresh;
  return {
    runs: runs.length,
    maxLogins: Math.max(...runs.map((s) => s.ssh.logins)),
    maxCommands: Math.max(...runs.map((s) => s.ssh.commands)),
    drifted: runs.filter((s) => s.drift).length,
  };
}

function refreshMet(r: Results): boolean {
  const s = refreshStats(r);
  return s.runs > 0 && s.maxLogins <= 1 && s.maxCommands <= 1 && s.drifted === s.runs;
}

function refreshMeasured(r: Results): string {
  const s = refreshStats(r);
  if (s.runs === 0) return "not measured";
  const ours = r.single.ours.refresh;
  return `ours: ${sshCell(ours)} SSH logins / commands (median; at most ${s.maxLogins} / ${s.maxCommands}) for 1 resource, ${secs(med(ours))} (engine floor's refresh ${secs(med(r.single.engine.refresh))}); the hand edit reported as drift in ${s.drifted} of ${s.runs} refreshes (${ours.at(0)?.outcome}). \`@pulumi/command\`: not measured (see Notes)`;
}

/** Per way, in how many drift checks the hand edit was reported. */
function driftSummary(r: Results): string {
  return HOST_WAYS.map((w) => {
    const runs = r.single[w].refresh;
    return `${SHORT_NAMES[w]} in ${runs.filter((s) => s.drift).length} of ${runs.length}`;
  }).join(", ");
}

/** chart.svg: the medians on one host, bars per operation, one colour per way. */
export function renderChart(r: Results): string {
  return barChartSvg(
    OPERATIONS.map(([, heading]) => heading),
    WAYS.map((w) => ({
      label: SHORT_NAMES[w],
      color: COLORS[w],
      values: OPERATIONS.map(([k]) => (r.single[w][k].length > 0 ? med(r.single[w][k]) : undefined)),
    })),
    { title: "One host: median wall time per operation (seconds)", valueLabel: "seconds", format: (v) => v.toFixed(2) },
  );
}

/** The medians of the dynamic-provider plugin and CLI use of `runs`, per operation. */
function usageRows(runs: WayRuns, engine: WayRuns | undefined): string[] {
  return OPERATIONS.map(
    ([k, heading]) =>
      `| ${heading} | ${secs(
        med(
          runs[k],
          usage((u) => u.launchedAfterSeconds),
        ),
      )} | ${secs(
        med(
          runs[k],
          usage((u) => u.aliveSeconds),
        ),
      )} | ${secs(med(runs[k], providerCpu))} | ${secs(
        med(
          runs[k],
          usage((u) => u.providerCpuSeconds),
        ),
      )} | ${mib(med(runs[k], providerRss))} | ${secs(med(runs[k], cliCpu))} | ${engine ? secs(med(engine[k], cliCpu)) : "–"} |`,
  );
}

const USAGE_HEADER = [
  "| | plugin started after | plugin alive | plugin CPU | provider node CPU | provider node peak RSS | `pulumi` CLI CPU | engine floor's CLI CPU |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
];

/** `after` against `before` in words: how much it saved, or how much slower it was. */
function gain(before: number, after: number): string {
  return after <= before ? `${secs(before - after)} saved` : `${secs(after - before)} slower`;
}

/** The compile-cache section: the three modes side by side, and what the library and the README do. */
function compileCacheSection(c: CompileCacheResults, node: string): string[] {
  const alone = cacheMedians(c, "pluginAlone");
  const start = cacheMedians(c, "pluginStart");
  const check = cacheMedians(c, "check");
  const noop = cacheMedians(c, "noop");
  const name: Record<CacheMode, string> = {
    off: "off (`NODE_DISABLE_COMPILE_CACHE=1`: nothing cached, as before)",
    library:
      "the library's own (no variable set: provider-runtime caches the modules it loads, in its private directory)",
    user: "`NODE_COMPILE_CACHE` set (the README's advice: the SDK's plugin too)",
  };
  return [
    "## Node.js's compile cache (issue 27)",
    "",
    `Node.js ${node}. On the logged pass's stack (PostfixConfig created), ${c.rounds} rounds, each mode once per round in an order that rotates, after one unmeasured no-op per mode that fills its cache: the dynamic-provider plugin alone (started until it prints its port), and a no-op \`pulumi up\` split by the engine's \`-v=7\` log (the plugin's start until the engine's first call, Check, which loads our provider code). Medians, seconds.`,
    "",
    "| compile cache | plugin alone | no-op `pulumi up` | of it: plugin start | of it: Check |",
    "| --- | --- | --- | --- | --- |",
    ...CACHE_MODES.map(
      (m) => `| ${name[m]} | ${secs(alone[m])} | ${secs(noop[m])} | ${secs(start[m])} | ${secs(check[m])} |`,
    ),
    "",
    `- **What the library does**: \`provider-runtime\` imports \`enable-compile-cache.ts\` first, which calls \`module.enableCompileCache(dir)\` (Node.js ≥ 22.1; nothing on 22.0) with a private directory, \`~/.cache/smartos-mail/node-compile-cache\` (under \`XDG_CACHE_HOME\` when set, mode 0700, used only while it is the process's own account's and no one else can write it): the provider code, zod and the SSH client that Check loads come from the cache. Never Node.js's default, the shared temporary directory: the cache holds V8 code the provider process runs, and that process holds SSH keys and API tokens. A \`NODE_COMPILE_CACHE\` the user set is used instead; \`NODE_DISABLE_COMPILE_CACHE=1\` turns it off. Check: ${secs(check.off)} off, ${secs(check.library)} with the library's cache (${secs(check.off - check.library)} saved per command). It caches nothing a user's program loads (the main entry is unchanged), prints nothing, stores nothing in state, and Node.js keys each entry by the file's content and its own version, so an upgrade of either never reads a stale entry.`,
    `- **What the README tells users**: the plugin's start (\`pulumi-resource-pulumi-nodejs\` loading \`@pulumi/pulumi\`) happens before any of our code runs, so only the user can cache it, with \`NODE_COMPILE_CACHE\`. Node.js writes a compile cache at exit, which the plugin never reaches (the engine ends it with a signal); so provider-runtime calls \`module.flushCompileCache()\` once the providers are loaded, which writes the SDK's modules too when the variable is set. The advice: \`export NODE_COMPILE_CACHE=~/.cache/node-compile-cache\` (Node.js ≥ 22.1; a directory only they can write) in the shell or CI job that runs \`pulumi\`. Plugin alone: ${secs(alone.off)} off, ${secs(alone.user)} with it (${gain(alone.off, alone.user)}); the no-op \`pulumi up\`: ${secs(noop.off)} off, ${secs(noop.library)} with the library's cache, ${secs(noop.user)} with \`NODE_COMPILE_CACHE\`.`,
  ];
}

/** RESULTS.md: the targets, tables of medians, where ours spends its time, the fleet and the machine. */
export function renderResults(r: Results): string {
  const { ours, dynamic, engine, pyinfra, ansible, floor } = r.single;
  const ran = (w: Way) => r.single[w].update.length;
  const roundsRun = Math.min(...WAYS.map(ran));
  // What this library adds over any dynamic resource: ours less the dynamic-provider floor, per operation.
  const added = (k: keyof WayRuns) => med(ours[k]) - med(dynamic[k]);
  const createLimit = TARGETS.oursMinusDynamicVsFloor * med(floor.create);
  const updateLimit = TARGETS.oursMinusDynamicVsFloor * med(floor.update);
  const noopLimit = med(dynamic.noop) + TARGETS.noopOverDynamic;
  const noopLogins = sum(ours.noop, (s) => s.ssh.logins);
  const noopCommands = sum(ours.noop, (s) => s.ssh.commands);
  const fleetOf = (n: number) => r.fleet.find((f) => f.hosts === n && f.create.length > 0);
  const fleet1 = fleetOf(1);
  const fleetMax = r.fleet.filter((f) => f.create.length > 0).at(-1);
  const wall1 = fleet1 ? med(fleet1.create) : Number.NaN;
  const wallMax = fleetMax ? med(fleetMax.create) : Number.NaN;
  const cpuPerHost = r.fleet
    .filter((f) => f.create.length > 0)
    .map((f) => ({ hosts: f.hosts, cpu: med(f.create, providerCpu) / f.hosts }));
  const cpuFalls = cpuPerHost.length > 1 && cpuPerHost.every((c, i) => i === 0 || c.cpu < cpuPerHost[i - 1].cpu);
  const costs = r.hostCosts;
  /** The host CPU one host's create cost in the largest fleet (all its hosts' CPU over its host count). */
  const fleetHostCpu = fleetMax ? hostCpu(fleetMax.create) / fleetMax.hosts : Number.NaN;
  const out: string[] = [];
  const p = (...lines: string[]) => out.push(...lines);
  const row = (name: string, f: (k: keyof WayRuns) => string) =>
    `| ${name} | ${OPERATIONS.map(([k]) => f(k)).join(" | ")} |`;
  const peerRow = (op: "create" | "update" | "refresh", label: string) => {
    const o = med(ours[op]);
    const py = med(pyinfra[op]);
    const an = med(ansible[op]);
    return `| ${label}: ours faster than pyinfra and Ansible | ours ${secs(o)}, pyinfra ${secs(py)} (${times(py / o)} ours), Ansible ${secs(an)} (${times(an / o)} ours) | ${o < py && o < an ? "met" : o < an ? "**missed** (pyinfra is faster)" : "**missed**"} |`;
  };

  p(
    "# Benchmark: PostfixConfig and the send-only example on the real Pulumi engine, against the engine's floors, pyinfra, Ansible and the SSH floor",
    "",
    `Generated by \`bash benchmarks/run.sh\` on ${r.date.slice(0, 16).replace("T", " ")} UTC (${(r.wallSeconds / 60).toFixed(1)} min). Do not edit; rerun it.`,
    "",
    "The same work on the same testbed host (real sshd and Postfix in a network namespace): the guide's Postfix basics",
    "(myhostname, mydomain, mynetworks, inet_interfaces), relayhost with a SASL password map (0600, postmapped,",
    "`smtp_tls_security_level=encrypt`), the root alias with newaliases, and two extra parameters (`smtpd_banner`,",
    "`delay_warning_time`): 11 main.cf parameters in all.",
    "",
    `- **ours**: \`PostfixConfig\` applied by the real Pulumi engine: the \`pulumi\` CLI${r.facts ? ` (${r.facts.pulumiCli})` : ""} from \`integration-tests/engine/setup-pulumi.sh\`, driven through the Automation API (\`integration-tests/harness/pulumi-stack.ts\`: inline program, local file backend, passphrase secrets, \`--parallel 10\`). The engine starts the dynamic-provider plugin (\`pulumi-resource-pulumi-nodejs\`: a sh script that runs node on the SDK's \`cmd/dynamic-provider\`) in the stack's directory and calls it over gRPC. **Timed**: the \`pulumi up\` process from its start to its exit, as /proc shows it (polled every 20 ms, so within about ±20 ms): the CLI's start, the engine, the inline program (its language runtime is served by the benchmark process, which has the SDK and our package loaded already), the plugin's start and calls, the state writes. **Not timed**: what the Automation API runs after the operation (\`pulumi stack output\` twice, \`pulumi stack history\`) and PulumiStack's \`pulumi stack export\`; the whole call is shown as "with the Automation API". A user's own \`pulumi up\` of a Node.js program also starts \`pulumi-language-nodejs\` and a node process for the program, which inline programs do not: the floors leave that out in the same way.`,
    "- **dynamic-provider floor**: the same stack shape with one `pulumi.dynamic.Resource` whose provider does nothing but hand its inputs back (`benchmarks/src/dynamic-floor.ts`: check returns the inputs, diff compares the one value, create, update, read and delete return at once), measured the same way in the same rounds; its value changes in the update as ours' myhostname does. The engine starts the same plugin for it, deserializes its provider on the first call and makes the same calls. **ours − dynamic floor** is what this library adds to any dynamic resource.",
    "- **engine floor**: the same stack shape with no resources: its first `pulumi up` (which creates the stack's root resource), a rerun, and a second rerun in the update column. No plugin starts. **dynamic floor − engine floor** is what the Node.js SDK's dynamic-provider plugin costs any dynamic resource.",
    "- **pyinfra**: `benchmarks/pyinfra/deploy.py` (a `postconf -n` fact read once, one `postconf -e` of the parameters that differ, `files.put` of the map with mode 600, `files.line` for the alias, then postmap, newaliases and `postfix reload` each only if what it follows changed), pyinfra " +
      (r.facts?.pyinfra ?? "") +
      " (PyPI) in a venv `run.sh` makes, tuned as its docs recommend: `pyinfra -y` (executes at once, without the separate change-detection pass and prompt), one SSH connection per host (its paramiko connector runs every command as a channel of it), the host key pinned. Drift check: `pyinfra --dry`, which reads the facts and prints the changes it would make. Timed from spawn to exit.",
    "- **Ansible**: `benchmarks/ansible/postfix.yml` (`postconf -n` read once, `postconf -e` per differing parameter, `copy` of the map with mode 0600, `lineinfile` for the alias, handlers for postmap, newaliases and `postfix reload`), with its fastest documented settings (`benchmarks/ansible/ansible.cfg`, which cites the docs): no fact gathering, pipelining, one ControlMaster connection per run, `strategy = free`, forks for a whole fleet. Mitogen is left out: it is not part of Ansible. Each run starts cold (its own control socket). Drift check: the play with `--check --diff`. Timed from spawn to exit of `ansible-playbook`.",
    "- **SSH floor**: the guide's commands as one script (`benchmarks/floor/guide-postfix.sh`) in one `ssh HOST sh -s` session: no staging, no checks, no change detection. Its no-op re-run is the same script again (a script cannot know nothing changed without logging in); its update is the one `postconf -e` and `postfix reload`. Timed from spawn to exit of `ssh`.",
    "- All send `postfix reload`'s output to /dev/null: it leaves a `postsuper` running in the background (Postfix's `postfix-script`), and a session that kept its output would wait for it to finish.",
    "- Postfix reads a main.cf changed within about the last second again and again until it is older (\"pausing to let main.cf finish writing\", 1–2 s). The SSH floor, pyinfra and Ansible run the guide's commands and pay that wait where a Postfix command follows a `postconf -e`. PostfixConfig sets its staged main.cf's time stamp two seconds back once the file is complete, and does not wait.",
    "",
    `Every create on the host starts from a host brought up fresh (\`testbed.sh down\`, \`up\`), and every stack is new, created before its first timed run. ${roundsRun} rounds${roundsRun < r.rounds ? ` (of ${r.rounds} asked)` : ""}; in each, every way does create, no-op re-run, a one-value update (myhostname) and a drift check after a hand edit (refresh), and the engine's ways a destroy, in an order that rotates per round. After every create and update the host is checked for all 11 parameters, the map and its .db at 0600 with the login found by \`postmap -q\`, root aliased in the alias database and Postfix running; ours, pyinfra, Ansible and the SSH floor left byte-identical \`postconf -n\` output in ${r.sameMainCfRounds} of ${roundsRun} rounds.`,
    "",
    "## Targets (issue 27)",
    "",
    "| Target | Measured (medians of this run) | |",
    "| --- | --- | --- |",
    `| create: ours − dynamic floor ≤ ${TARGETS.oursMinusDynamicVsFloor}× the SSH floor | ${secs(med(ours.create))} − ${secs(med(dynamic.create))} = ${secs(added("create"))}; SSH floor ${secs(med(floor.create))} (${times(added("create") / med(floor.create))}) | ${verdict(added("create") <= createLimit)} |`,
    `| update: ours − dynamic floor ≤ ${TARGETS.oursMinusDynamicVsFloor}× the SSH floor | ${secs(med(ours.update))} − ${secs(med(dynamic.update))} = ${secs(added("update"))}; SSH floor ${secs(med(floor.update))} (${times(added("update") / med(floor.update))}) | ${verdict(added("update") <= updateLimit)} |`,
    `| no-op: ours ≤ dynamic floor + ${TARGETS.noopOverDynamic} s, with 0 SSH logins | ${secs(med(ours.noop))} vs ${secs(med(dynamic.noop))} + ${TARGETS.noopOverDynamic} s = ${secs(noopLimit)} (ours − dynamic floor ${secs(added("noop"))}); ${noopLogins} sshd logins and ${noopCommands} commands over ${ours.noop.length} no-op runs | ${verdict(med(ours.noop) <= noopLimit && noopLogins === 0)} |`,
    peerRow("create", "create"),
    peerRow("update", "update"),
    peerRow("refresh", "refresh (drift check after a hand edit)"),
    `| fleet: wall time for ${fleetMax?.hosts ?? 25} hosts ≤ ${TARGETS.fleetWall}× one host (create) | ${secs(wallMax)} vs ${TARGETS.fleetWall} × ${secs(wall1)} = ${secs(TARGETS.fleetWall * wall1)} (${times(wallMax / wall1)}) | ${Number.isNaN(wallMax / wall1) ? "not measured" : verdict(wallMax <= TARGETS.fleetWall * wall1)} |`,
    `| fleet: provider CPU per host falls as hosts grow (create) | ${cpuPerHost.map((c) => `${c.hosts}: ${secs(c.cpu)}`).join(", ") || "–"} | ${cpuPerHost.length > 1 ? verdict(cpuFalls) : "not measured"} |`,
    `| refresh (issue 17, kept): one SSH round trip per resource, and the hand edit is reported as drift | ${refreshMeasured(r)} | ${verdict(refreshMet(r))} |`,
    "",
    "Peers a user can pick: pyinfra and Ansible (above). `@pulumi/command`, the Pulumi-world peer of issue 17, cannot be built on this machine (see Notes).",
    "",
    "## One host: medians (min–max)",
    "",
    `| | ${OPERATIONS.map(([, heading]) => heading).join(" | ")} |`,
    `| --- |${OPERATIONS.map(() => " --- |").join("")}`,
    ...WAYS.map((w) => row(NAMES[w], (k) => cell(r.single[w][k]))),
    row("**ours − dynamic floor** (what this library adds)", (k) => secs(added(k))),
    row("**(ours − dynamic floor) / SSH floor**", (k) => times(added(k) / med(floor[k]))),
    row("dynamic floor − engine floor (the dynamic-provider plugin)", (k) => secs(med(dynamic[k]) - med(engine[k]))),
    row("ours − engine floor", (k) => secs(med(ours[k]) - med(engine[k]))),
    row("pyinfra / ours", (k) => times(med(pyinfra[k]) / med(ours[k]))),
    row("Ansible / ours", (k) => times(med(ansible[k]) / med(ours[k]))),
    row("ours / SSH floor", (k) => times(med(ours[k]) / med(floor[k]))),
    row("ours with the Automation API", (k) => cell(ours[k], api)),
    row("dynamic floor with the Automation API", (k) => cell(dynamic[k], api)),
    "",
    "![Medians per operation on one host, one colour per way](chart.svg)",
    "",
    "SSH per run, medians: sshd logins / remote commands (from the host's sshd log and audit log), and the CPU the",
    "host spent on them (user + system of its sshd and of everything the sessions ran, from the listening sshd's own",
    "and its reaped children's times, read once the sessions ended; not Postfix's daemons after a reload). The floors",
    "of the engine touch no host.",
    "",
    `| | ${OPERATIONS.map(([, heading]) => heading).join(" | ")} |`,
    `| --- |${OPERATIONS.map(() => " --- |").join("")}`,
    ...HOST_WAYS.map((w) => row(NAMES[w], (k) => sshCpuCell(r.single[w][k]))),
    "",
    `pyinfra reported ${pyinfra.create.at(0)?.outcome ?? "–"} on create, ${pyinfra.noop.at(0)?.outcome ?? "–"} on every no-op run, ${pyinfra.update.at(0)?.outcome ?? "–"} on the update and ${pyinfra.refresh.at(0)?.outcome ?? "–"} with \`--dry\` after the hand edit. Ansible reported ${ansible.create.at(0)?.outcome ?? "–"} on create, ${ansible.noop.at(0)?.outcome ?? "–"} on every no-op run (idempotent), ${ansible.update.at(0)?.outcome ?? "–"} on the update and ${ansible.refresh.at(0)?.outcome ?? "–"} in check mode after the hand edit.`,
    "",
    `**Refresh after a hand edit.** After the update, \`${HAND_EDIT.parameter}\` is set to \`${HAND_EDIT.value}\` on the host by hand (\`postconf -e\`, \`postfix reload\`, run inside the host, so no SSH login), then each way checks for drift: ours runs \`pulumi refresh\` (the provider's Read), pyinfra \`--dry\`, Ansible the play with \`--check --diff\` (both change nothing), the SSH floor reads \`postconf -n\` in one SSH session and compares it with what the update left (the least a drift check can do). Drift reported: ${driftSummary(r)}. Ours then runs \`pulumi destroy\`: it left the host's \`postconf -n\` as before the create in ${ours.destroy.filter((s) => s.restored).length} of ${ours.destroy.length} rounds; pyinfra's deploy, Ansible's play and the SSH floor have no delete.`,
    "",
    "### The dynamic-provider plugin and the CLI (medians)",
    "",
    "Ours:",
    "",
    ...USAGE_HEADER,
    ...usageRows(ours, engine),
    "",
    "The dynamic-provider floor:",
    "",
    ...USAGE_HEADER,
    ...usageRows(dynamic, engine),
    "",
    "Read from /proc by a poller in a worker thread of the benchmark (every 20 ms while an operation runs), on the",
    "processes that descend from the benchmark: the `pulumi up` process the Automation API spawns, and under it the",
    "plugin script, which must run in the stack's directory. \"Plugin started after\" is the plugin script's start less",
    "the CLI's; \"plugin alive\" runs from the script's start to the provider node's exit (the engine stops the plugin",
    "when its last step is done). Plugin CPU is user + system time of the script, the `node -e require.resolve(...)`",
    "it runs first (read from the script's reaped-children times) and the provider node, each as last sampled before",
    "it exited; peak RSS is the provider node's VmHWM as last sampled. Not included: the last ≤ 20 ms of each process",
    "(idle by then: the engine has its results), the `pulumi` CLI's own CPU (its column), and the benchmark process,",
    "which runs the inline program and its language runtime.",
  );

  const b = r.breakdown;
  if (b) {
    p(
      "",
      "### Where ours spends its time (one logged pass, seconds)",
      "",
      "| | `pulumi up` | before the plugin | plugin start | Check | Diff | Create / Update (SSH) | rest of the engine | of which after the last call | provider calls |",
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
      ...b.map((x) => {
        const rest = x.total - x.beforePlugin - x.pluginStart - x.check - x.diff - x.work;
        return `| ${x.operation} | ${x.total.toFixed(2)} | ${x.beforePlugin.toFixed(2)} | ${x.pluginStart.toFixed(2)} | ${x.check.toFixed(2)} | ${x.diff.toFixed(2)} | ${x.work.toFixed(2)} | ${rest.toFixed(2)} | ${x.afterLastCall.toFixed(2)} | ${x.calls.join(", ")} |`;
      }),
      "",
      "One more create, no-op and update of ours on a fresh host, outside the medians above, with the engine logging at",
      '`-v=7` (`PulumiStack`\'s `engineLogVerbosity`): each provider call\'s "executing" and "success" lines carry the',
      "engine's time stamps. \"Before the plugin\" is the CLI's start, the engine and the inline program up to the plugin's",
      'start (/proc); "plugin start" runs from there to the engine\'s first call to it (GetPluginInfo): sh, the',
      "`node -e` that finds the SDK, node loading the SDK's dynamic-provider host. Check includes loading our package's",
      'provider code in the plugin (the first Check deserializes it). "Rest of the engine" is the CLI time in none of',
      "these: the engine between calls (CheckConfig, Configure, registering the outputs) and, after the last call, the",
      "plugin's shutdown, the state write and the CLI's exit. One run, logging on: read it for proportions.",
    );
  }
  if (costs) {
    p(
      "",
      `Costs on the testbed host (medians of 3): \`ssh HOST true\` ${secs(costs.sshTrue)}, \`postfix reload\` ${secs(costs.postfixReload)}, \`postfix check\` ${secs(costs.postfixCheck)} (${secs(costs.postfixCheckCpu)} of CPU, most of it Debian's \`post-install create-missing\`, which it runs first); on this machine, the dynamic-provider plugin alone (\`pulumi-resource-pulumi-nodejs\` started in a stack's directory until it prints its port) ${secs(costs.pluginStart)}.`,
    );
  }

  p("", "## Where ours loses, where the time goes, and what would change it", "");
  const x = (name: string) => b?.find((y) => y.operation === name);
  const split = (y: Breakdown | undefined) =>
    y
      ? ` In the logged pass: plugin start ${secs(y.pluginStart)}, Check ${secs(y.check)}, Diff ${secs(y.diff)}, Create/Update ${secs(y.work)} of ${secs(y.total)}.`
      : "";
  const why: string[] = [];
  if (added("create") > createLimit || med(ours.create) >= med(pyinfra.create)) {
    why.push(
      `- **create** (ours ${secs(med(ours.create))}, dynamic floor ${secs(med(dynamic.create))}, pyinfra ${secs(med(pyinfra.create))}, SSH floor ${secs(med(floor.create))}): the dynamic floor is the engine plus the plugin (${secs(med(dynamic.create) - med(engine.create))} over the engine floor), which pyinfra, a single Python process, does not pay. Over it ours adds Check (loading and running the schema) and the Create call (SSH logins / commands: ${sshCell(ours.create)}): with \`inet_interfaces = all\` the open-relay check first (one command on a private copy of main.cf), then one command that stages main.cf, refuses it if \`postconf -x\` warns, runs \`postfix check\`${costs ? ` (${secs(costs.postfixCheck)} on its own here, ${secs(costs.postfixCheckCpu)} of CPU)` : ""} before going live and holds the host lock; pyinfra and the SSH floor check nothing. The host's CPU for it: ours ${secs(hostCpu(ours.create))}, pyinfra ${secs(hostCpu(pyinfra.create))}, Ansible ${secs(hostCpu(ansible.create))}, SSH floor ${secs(hostCpu(floor.create))}.${split(x("create"))} What would change it: the plugin's start is the SDK's (the README's \`NODE_COMPILE_CACHE\` takes a part of it, below); of our own, \`postfix check\` is the largest single cost and the one that keeps a broken main.cf from going live, so it stays.`,
    );
  }
  if (added("update") > updateLimit || med(ours.update) >= med(pyinfra.update)) {
    why.push(
      `- **update** (ours ${secs(med(ours.update))}, dynamic floor ${secs(med(dynamic.update))}, pyinfra ${secs(med(pyinfra.update))}, SSH floor ${secs(med(floor.update))}): the SSH floor's update is one \`postconf -e\` and a reload; ours stages and checks the whole main.cf (\`postfix check\` again) in one command.${split(x("update"))} What would change it: the plugin's start is most of it (the README's \`NODE_COMPILE_CACHE\`, below); the host work is one SSH command whose largest part is \`postfix check\`, which keeps a broken main.cf from going live.`,
    );
  }
  if (med(ours.noop) > noopLimit || med(ours.noop) >= med(pyinfra.noop)) {
    why.push(
      `- **no-op** (ours ${secs(med(ours.noop))}, dynamic floor ${secs(med(dynamic.noop))}, pyinfra ${secs(med(pyinfra.noop))}): ours opens no connection, but the engine starts the plugin to ask Check and Diff, and Check loads our provider code and parses the inputs; pyinfra logs in once and reads its facts in well under the plugin's start.${split(x("no-op"))} What would change it: the compile cache (below) for the loading; nothing in this library can skip the plugin's start.`,
    );
  }
  if (med(ours.refresh) >= med(pyinfra.refresh)) {
    why.push(
      `- **refresh** (ours ${secs(med(ours.refresh))}, dynamic floor ${secs(med(dynamic.refresh))}, pyinfra \`--dry\` ${secs(med(pyinfra.refresh))}, Ansible \`--check\` ${secs(med(ansible.refresh))}): ours reads the host in one SSH command (${sshCell(ours.refresh)} logins / commands), as pyinfra does, but behind the engine and the plugin: the dynamic floor's refresh, which reads nothing, takes ${secs(med(dynamic.refresh))} on its own, ${med(dynamic.refresh) >= med(pyinfra.refresh) ? "more than pyinfra's whole drift check" : "most of the gap"}. What would change it: nothing in this library; a refresh of one resource is the plugin's start plus one round trip.`,
    );
  }
  if (noopLogins > 0 || noopCommands > 0) {
    why.push(`- **no-op SSH**: ${noopLogins} logins and ${noopCommands} commands were seen during no-op runs.`);
  }
  if (!Number.isNaN(wallMax / wall1) && wallMax > TARGETS.fleetWall * wall1) {
    why.push(
      `- **fleet wall time** (${times(wallMax / wall1)} for ${fleetMax?.hosts} hosts): the testbed hosts are namespaces of this machine, so their work shares its ${r.facts?.cpus ?? ""} cores with the engine, the plugin and one another instead of running side by side as on separate servers. Each host's create cost it ${secs(fleetHostCpu)} of CPU (its sshd and the commands: postconf, \`postfix check\`${costs ? ` ${secs(costs.postfixCheckCpu)}` : ""}, postmap, newaliases, reload), so ${fleetMax?.hosts} hosts need ${secs(fleetHostCpu * (fleetMax?.hosts ?? 0))} of CPU here, ${secs((fleetHostCpu * (fleetMax?.hosts ?? 0)) / (r.facts?.cpus ?? 1))} of wall time on ${r.facts?.cpus ?? 1} cores at the least, beside the engine's and the plugin's own (the \`pulumi\` CLI's CPU in the fleet table) and the other work on this machine. What would change it: separate servers (each host's work then runs side by side); in this library, less host work per create, whose largest part is \`postfix check\`, which stays (it keeps a broken main.cf from going live).`,
    );
  }
  p(...(why.length > 0 ? why : ["All targets were met."]));

  const so = r.sendOnly;
  if (so.create.length > 0) {
    p(
      "",
      "## The user's workload: examples/send-only (issue 27)",
      "",
      `\`SendOnlyMailServer\` as \`examples/send-only\` configures it with the settings its header documents (\`integration-tests/harness/example-stack.ts\`: profile linux, one domain, \`archive.retentionDays\`, \`logReport.reportTo\`): ${so.create.length} round(s), each on a host fresh from baseline and a new stack. ${r.sendOnlyResources.length} custom resources (${r.sendOnlyResources.join(", ")}): PostfixConfig, OpenDkimKey, MailArchive and MailLogReport on the host, the DNS records at Cloudflare through the emulator plugin the integration tests use (\`integration-tests/cloudflare\`, a node process of its own, started by the engine beside the dynamic-provider plugin and timed with the rest). The update is the one field \`rootAlias\` (only PostfixConfig takes it: one resource updates, the rest are unchanged); the refresh reads every resource; destroy is checked to leave the host as before and the zone empty (${so.destroy.filter((s) => s.restored).length} of ${so.destroy.length}). Timed as ours above.`,
      "",
      `| | ${OPERATIONS.map(([, heading]) => heading).join(" | ")} |`,
      `| --- |${OPERATIONS.map(() => " --- |").join("")}`,
      row("send-only example", (k) => cell(so[k])),
      row(NAMES.ours, (k) => cell(ours[k])),
      row(NAMES.dynamic, (k) => cell(dynamic[k])),
      row("**send-only − dynamic floor**", (k) => secs(med(so[k]) - med(dynamic[k]))),
      row("send-only / PostfixConfig alone", (k) => times(med(so[k]) / med(ours[k]))),
      row("SSH logins / commands", (k) => sshCell(so[k])),
      row("plugin CPU", (k) => secs(med(so[k], providerCpu))),
      row("provider node peak RSS", (k) => mib(med(so[k], providerRss))),
      row("with the Automation API", (k) => cell(so[k], api)),
    );
  }
  const soSplit = r.sendOnlySplit;
  if (soSplit) {
    const names = [...new Set(soSplit.flatMap((x) => x.shares.map((s) => s.name)))];
    p(
      "",
      "Where the send-only example's time goes: one more pass on a fresh host with the engine logging at `-v=7`, each",
      "operation split by provider from the engine's time stamps (seconds; calls that run side by side overlap, so a",
      'provider\'s sums can exceed the wall time). "First call" is when the engine first called that provider after',
      "the CLI's start (its plugin was started just before, when the program registered its first resource of it).",
      "`pulumi-nodejs` is the dynamic-provider plugin (our resources), `cloudflare` the emulator of the Cloudflare provider.",
      "",
      `| | \`pulumi\` | ${names.map((n) => `${n}: first call | Check | Diff | Create / Update / Delete | Read / Invoke | calls`).join(" | ")} |`,
      `| --- | --- |${names.map(() => " --- | --- | --- | --- | --- | --- |").join("")}`,
      ...soSplit.map((x) => {
        const cols = names.map((n) => {
          const s = x.shares.find((y) => y.name === n);
          return s
            ? `${secs(s.firstCallAfter)} | ${secs(s.check)} | ${secs(s.diff)} | ${secs(s.work)} | ${secs(s.read)} | ${s.calls}`
            : "– | – | – | – | – | –";
        });
        return `| ${x.operation} | ${secs(x.total)} | ${cols.join(" | ")} |`;
      }),
    );
    const share = (op: string, name: string) =>
      soSplit.find((x) => x.operation === op)?.shares.find((y) => y.name === name);
    const noopCf = share("no-op", "cloudflare");
    const noopOurs = share("no-op", "pulumi-nodejs");
    const createOurs = share("create", "pulumi-nodejs");
    if (noopCf && noopOurs && createOurs) {
      p(
        "",
        `Over the single PostfixConfig, the example adds a second plugin, the Cloudflare provider, which the engine starts beside ours (in the logged no-op its first call came ${secs(noopCf.firstCallAfter)} after the CLI's start, ours ${secs(noopOurs.firstCallAfter)}; ${noopCf.calls} calls to it, ${noopOurs.calls} to ours), and four dynamic resources instead of one. On create, our four resources' Create calls took ${secs(createOurs.work)} together (side by side, each one SSH command or two: OpenDkimKey's, MailArchive's, MailLogReport's and PostfixConfig's host steps), and the DKIM record waits for the key's public half.`,
      );
    }
    const calls = (op: string) =>
      (share(op, "pulumi-nodejs")?.workCalls ?? [])
        .map((c) => `${c.resource} from ${secs(c.startAfter)} for ${secs(c.seconds)}`)
        .join(", ");
    p(
      "",
      `Our resources on one host run their SSH commands one at a time (\`host.exclusive\` in the provider's connection pool; the remote host lock across processes), because they edit the same files (main.cf, master.cf, the aliases, root's crontab), so calls that the engine makes side by side queue there, each waiting for the one before; and the engine orders them by dependency: OpenDkimKey, MailArchive and MailLogReport depend on PostfixConfig, which is created first and deleted last. In the logged pass our Create calls ran: ${calls("create") || "–"}; our Delete calls: ${calls("destroy") || "–"} (seconds after the CLI's start, and how long each took, its wait for the host included). What would change it: not the host lock, which keeps concurrent edits from losing each other; but PostfixConfig, OpenDkimKey and MailArchive each end their edit of main.cf with their own \`postfix check\`${costs ? ` (${secs(costs.postfixCheck)} here)` : ""} and reload, one after another: one staged edit per host, with one check and one reload, would save all but one of them, at the price of resources that each own one concern and work alone.`,
    );
  }

  if (r.compileCache) p("", ...compileCacheSection(r.compileCache, r.facts?.node ?? process.version));

  p(
    "",
    `## Fleet: one stack, ${r.fleet.map((f) => f.hosts).join(", ")} hosts, \`pulumi up --parallel ${r.fleet.at(-1)?.hosts ?? 25}\``,
    "",
    "One stack with one `PostfixConfig` per host (the same work as above), applied by one `pulumi up` with every",
    "resource at once: the engine starts one dynamic-provider plugin for all hosts. Each repetition is create, no-op",
    "and destroy; destroy is checked to leave every host's `postconf -n` as it was. Times are the `pulumi` process's;",
    "plugin CPU and peak RSS as above; the hosts' CPU is their sshd's and their commands', summed over the hosts.",
    "",
    "| hosts | runs | create | create per host | no-op | destroy | plugin CPU (create) | per host | provider peak RSS (create) | per host | `pulumi` CLI CPU (create) | hosts' CPU (create) | per host | no-op SSH logins |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...r.fleet.map(
      (f) =>
        `| ${f.hosts} | ${f.create.length} | ${cell(f.create)} | ${secs(med(f.create) / f.hosts)} | ${cell(f.noop)} | ${cell(f.destroy)} | ${secs(med(f.create, providerCpu))} | ${secs(med(f.create, providerCpu) / f.hosts)} | ${mib(med(f.create, providerRss))} | ${mib(med(f.create, providerRss) / f.hosts)} | ${secs(med(f.create, cliCpu))} | ${secs(hostCpu(f.create))} | ${secs(hostCpu(f.create) / f.hosts)} | ${sum(f.noop, (s) => s.ssh.logins)} |`,
    ),
  );
  const first = r.fleet.at(0);
  const last = r.fleet.filter((f) => f.create.length > 0).at(-1);
  if (first && last && last.hosts > first.hosts && first.create.length > 0) {
    const extra = last.hosts - first.hosts;
    const dt = (med(last.create) - med(first.create)) / extra;
    const rss = (med(last.create, providerRss) - med(first.create, providerRss)) / extra;
    const dcpu = (med(last.create, providerCpu) - med(first.create, providerCpu)) / extra;
    // Rounded to what secs() shows, so a flat no-op does not print as "-0.00 s".
    const noopDt = Math.round(((med(last.noop) - med(first.noop)) / extra) * 100) / 100 || 0;
    p(
      "",
      `From ${first.hosts} to ${last.hosts} hosts, create grows by ${secs(dt)} per extra host (${times(med(last.create) / med(first.create))} the wall time for ${last.hosts}× the hosts), the no-op by ${secs(noopDt)} per host, the plugin's CPU by ${secs(dcpu)} per host on a base of ${secs(med(first.create, providerCpu))} (mostly its start), and the provider's peak RSS by ${mib(rss)} per host (one pooled SSH connection each) on a base of ${mib(med(first.create, providerRss))}. The hosts' CPU grows by ${secs((hostCpu(last.create) - hostCpu(first.create)) / extra)} per extra host: on ${r.facts?.cpus ?? "these"} cores the testbed hosts' own work (postconf, \`postfix check\`, reload) competes for the same CPUs as the engine and the plugin, so create time grows with the host count rather than staying flat.`,
    );
  }

  if (r.programLoad) p("", ...renderProgramLoad(r.programLoad));

  p("", "## Notes", "", ...[...r.notes, COMMAND_PEER_NOTE].map((n) => `- ${n}`));

  const f = r.facts;
  p(
    "",
    "## Machine",
    "",
    ...(f
      ? [
          `- ${f.cpus} cores (${f.cpuModel}), ${f.memoryGiB} GiB memory, ${f.kernel}, Debian ${f.debian}`,
          `- pulumi CLI ${f.pulumiCli}, node ${f.node} (\`integration-tests/node/setup-node.sh 24\`), @pulumi/pulumi ${f.pulumiSdk}, ${f.pyinfra}, ${f.ansible}, Postfix ${f.postfix}, ${f.openssh}`,
          `- repository at ${f.commit}`,
        ]
      : []),
    `- load average (1, 5, 15 min) ${r.loadBefore.map((l) => l.toFixed(2)).join(", ")} at the start and ${r.loadAfter.map((l) => l.toFixed(2)).join(", ")} at the end: other work on this machine shares its CPUs and shows up as spread in the min–max ranges. Compare ways within one run: they ran side by side, in rotating order.`,
    "- The testbed hosts' /root is an overlay of this machine's, whose `.bashrc` runs `pyenv init` (0.5–1.3 s per SSH command).",
    "  The testbed gives each host Debian's default root dot files, as a real server has (`testbed/host-init.sh`); without",
    "  them every SSH command, and so Ansible most of all, would be measured with that time included.",
    "",
    "## Rerun",
    "",
    "```sh",
    "bash benchmarks/run.sh    # as root; fetches Node.js 24, installs ansible-core and python3-venv (apt), pyinfra (PyPI, pinned, into a venv under /var/cache/smartos-mail) and the testbed's packages, finds or builds the pulumi CLI, builds, runs, rewrites this file",
    "```",
    "",
    "`BENCH_ROUNDS` (default 4), `BENCH_SEND_ONLY_ROUNDS` (3), `BENCH_CACHE_ROUNDS` (5) and `BENCH_FLEET_REPS` (3) set the",
    "repetitions. It uses testbed hosts bm70, bm71 and bm170–bm194; it stops starting new repetitions after",
    "`BENCH_BUDGET_S` (default 38 min; the Notes say when that cut a part short) and `run.sh` stops it at 45.",
    "",
  );
  return out.join("\n");
}
