import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual, promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import {
  type Stack as AutomationStack,
  type Deployment,
  type EngineEvent,
  LocalWorkspace,
  type StepEventMetadata,
} from "@pulumi/pulumi/automation";
import * as sdkSettings from "@pulumi/pulumi/runtime/settings";
import { type AccountData, loadAccount, type StoredRecord, saveAccount } from "../cloudflare/account";
import { CloudflareRecords } from "../cloudflare/records";
import { SECRET_SIG, SIG_KEY } from "./secrets";

/** What an operation did to one custom resource, as the engine's step events tell it. */
export interface StepRecord {
  urn: string;
  name: string;
  op: "create" | "same" | "update" | "replace" | "delete" | "refresh";
  /** For same, update and replace: what the provider's Diff decided. */
  diff?: { changes: "none" | "some"; replaces: string[]; deleteBeforeReplace: boolean };
  /** For refresh: whether the outputs the provider read differ from the stored ones. */
  drift?: boolean;
  /**
   * For update and refresh: the top-level properties the engine found changed (its step's `diffs`), or for an
   * update whose provider named none (a dynamic provider's Diff cannot), the top-level inputs that differ.
   */
  changed?: string[];
}

/** One resource of the stack's state (`pulumi stack export --show-secrets`), secrets in plain text. */
export interface ResourceState {
  urn: string;
  type: string;
  name: string;
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

/** A failure the engine reported for a resource's Check: the operation ran nothing on any host. */
export interface CheckFailure {
  /** The property path the provider named, as the CLI prints it. */
  property: string;
  /** The provider's reason. */
  reason: string;
}

/** A resource failed `check`; the engine stopped before any provider call that acts. */
export class CheckFailedError extends Error {
  constructor(
    readonly urn: string,
    readonly failures: CheckFailure[],
    /** The CLI's error lines for the resource, as a user reads them. */
    readonly messages: string[],
  ) {
    super(`check failed for ${urn}:\n${messages.map((m) => `  ${m}`).join("\n")}`);
  }
}

/** An operation the engine ended with an error other than a failed check. */
export class EngineError extends Error {}

const execFileAsync = promisify(execFile);

/**
 * The SDK's gRPC clients to the engine (its resource monitor and engine, runtime/settings.js getMonitor
 * and getEngine) each get a subchannel pool of their own instead of grpc-js's process-wide one. An inline
 * program runs in its own async-local store, whose clients (`store.settings.monitor`, `.engine`) nothing
 * closes: `disconnectSync` closes only the module-level ones. After a failed `up` the leaked monitor
 * client keeps reconnecting to the exited engine's port, its shared subchannel in TRANSIENT_FAILURE. When
 * a later engine listens on that port again, the new run's client is handed that subchannel and its
 * first call fails at once with "14 UNAVAILABLE: No connection established. Last error: null"; the
 * inline-program server ignores gRPC errors (automation/server.js), so a run can also end "succeeded"
 * without a resource (see `up`). Seen in the fault suite: two `up`s failed so before any resource.
 */
(sdkSettings as unknown as { grpcClientOptions: Record<string, unknown> }).grpcClientOptions[
  "grpc.use_local_subchannel_pool"
] = 1;

/** The project name of test stacks, unless a stack's options name another. */
const PROJECT = "smartos-mail-it";
const PASSPHRASE = "integration-test-passphrase";
/** The integration tests' package directory: its node_modules resolve the programs' packages. */
const PROGRAM_DIR = path.resolve(__dirname, "..", "..");
/** The directory of the Cloudflare plugin emulator's executable, in the source tree. */
const CLOUDFLARE_PLUGIN_DIR = path.resolve(__dirname, "..", "..", "cloudflare");

/** Options of a {@link PulumiStack}. */
export interface PulumiStackOptions {
  /** Directory for the stack's backend, its Pulumi.yaml and the engine's log. */
  dir: string;
  /** `pulumi up --parallel`. */
  parallel?: number;
  /** The engine's own log level (`--logtostderr -v=N`), written to the engine log; none when unset. */
  engineLogVerbosity?: number;
  /** The project name (`pulumi.getProject()`, the prefix of its config keys). Default `smartos-mail-it`. */
  project?: string;
  /** Receives the CLI's own output as it prints it (the resource tree and diffs a user sees). */
  onOutput?: (text: string) => void;
  /**
   * The `@smartos-mail/pulumi` package directory the engine's dynamic-provider host loads for this stack
   * (another release, a mutated build). Default: the integration tests' own, this clone's.
   */
  library?: string;
}

/** One `pulumi config set`. */
export interface ConfigEntry {
  /** The key, e.g. `host`, `cloudflare:apiToken` or, with `path`, `domains[0].domain`. */
  key: string;
  /** The value as typed on the command line. */
  value: string;
  /** `--secret`: encrypted in the stack's config, a secret in the program. */
  secret?: boolean;
  /** `--path`: the key is a property path into a structured value. */
  path?: boolean;
}

/**
 * The longest one engine operation may take. The slowest (an example's destroy, a fleet's up on a loaded
 * machine) takes about 3 minutes; one that runs past this is stuck, and fails the test instead of the run.
 */
const OPERATION_TIMEOUT_MS = 15 * 60_000;
/** How long a stuck operation gets to end after the CLI's SIGINT before the test stops waiting. */
const CANCEL_GRACE_MS = 60_000;

/** What every operation passes the engine: its event stream, parallelism, log level and time limit. */
interface EngineOptions {
  onEvent: (e: EngineEvent) => void;
  /** Aborts the operation (the Automation API sends the CLI SIGINT) when it runs past its time. */
  signal: AbortSignal;
  onOutput?: (text: string) => void;
  parallel?: number;
  logToStdErr?: boolean;
  logVerbosity?: number;
}

/**
 * The stack directory's node_modules: the integration tests' own, or, with `library`, every package of
 * theirs but `@smartos-mail/pulumi`, which is `library`. The other packages (`@pulumi/pulumi` above all)
 * stay the ones this process loads, so both sides of the engine use one copy of the SDK.
 */
function linkNodeModules(dir: string, library: string | undefined): void {
  const modules = path.join(dir, "node_modules");
  const installed = path.join(PROGRAM_DIR, "node_modules");
  rmSync(modules, { recursive: true, force: true });
  if (library === undefined) {
    symlinkSync(installed, modules);
    return;
  }
  mkdirSync(path.join(modules, "@smartos-mail"), { recursive: true });
  for (const entry of readdirSync(installed).filter((e) => e !== "@smartos-mail")) {
    symlinkSync(path.join(installed, entry), path.join(modules, entry));
  }
  symlinkSync(path.resolve(library), path.join(modules, "@smartos-mail", "pulumi"));
}

/**
 * Takes Node's unhandled rejections for the length of one operation, as a program's language host does
 * (the SDK's cmd/run installs its handler for the program's whole life): a resource input that rejects fails
 * the program through that event, by the SDK's design (runtime/resource.js `runAsyncResourceOp`), once per
 * promise that carries it. The inline-program server listens only while the program runs, and the test
 * runner's own listener would report them as activity after a test ended. `end` waits a moment for the last
 * of them, gives the listeners back, and returns what was caught.
 */
function catchProgramRejections(): { end: () => Promise<unknown[]> } {
  const others = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  const caught = new Set<unknown>();
  const collect = (err: unknown) => caught.add(err);
  process.on("unhandledRejection", collect);
  let ended: Promise<unknown[]> | undefined;
  return {
    end: () => {
      ended ??= new Promise((resolve) => setTimeout(resolve, 100)).then(() => {
        process.off("unhandledRejection", collect);
        for (const listener of others) process.on("unhandledRejection", listener);
        return [...caught];
      });
      return ended;
    },
  };
}

/** A step's custom resource name (the last part of its URN). */
const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/**
 * The custom resources of a deployment (`pulumi stack export --show-secrets`) but providers, secrets in
 * plain text.
 */
export function customResourcesOf(deployment: Deployment): ResourceState[] {
  const resources = (deployment.deployment?.resources ?? []) as Array<{
    urn: string;
    type: string;
    id?: string;
    custom?: boolean;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
  }>;
  return resources
    .filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))
    .map((r) => ({
      urn: r.urn,
      type: r.type,
      name: nameOf(r.urn),
      id: r.id ?? "",
      inputs: revealExported(r.inputs ?? {}) as Record<string, unknown>,
      outputs: revealExported(r.outputs ?? {}) as Record<string, unknown>,
    }));
}

/** A secret in `stack export --show-secrets`: the marker (see secrets.ts) and `plaintext`, its value as JSON. */
function revealExported(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revealExported);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  if (o[SIG_KEY] === SECRET_SIG) {
    return "plaintext" in o ? revealExported(JSON.parse(String(o.plaintext))) : o.value;
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revealExported(x)]));
}

/**
 * A stack run by the real Pulumi engine: the `pulumi` CLI on PATH (see
 * integration-tests/engine/setup-pulumi.sh) through the Automation API, with
 * the program inline (the test process serves its language runtime), a local
 * file backend and passphrase-encrypted secrets in `dir`. The engine starts
 * the `pulumi-resource-pulumi-nodejs` plugin for the dynamic resources in
 * `dir`, whose node_modules is the integration tests'.
 * For `@pulumi/cloudflare` records it starts the Cloudflare plugin emulator
 * (integration-tests/cloudflare), which keeps the stack's records in `dir`.
 */
export class PulumiStack {
  /** The engine's state file for this stack (secrets encrypted). */
  readonly statePath: string;
  /** The engine's events (all but debug diagnostics) and the CLI's output of each operation. */
  readonly logPath: string;
  /** Where the Cloudflare plugin emulator keeps this stack's zones and DNS records (its account file). */
  readonly cloudflareRecordsPath: string;
  private readonly backend: string;
  private readonly project: string;
  private auto?: Promise<AutomationStack>;
  private state: ResourceState[] = [];

  constructor(readonly options: PulumiStackOptions) {
    this.backend = path.join(options.dir, "backend");
    this.project = options.project ?? PROJECT;
    this.statePath = path.join(this.backend, ".pulumi", "stacks", this.project, "test.json");
    this.logPath = path.join(options.dir, "engine.log");
    this.cloudflareRecordsPath = path.join(options.dir, "cloudflare-records.json");
  }

  private stack(): Promise<AutomationStack> {
    this.auto ??= (async () => {
      const dir = this.options.dir;
      mkdirSync(this.backend, { recursive: true });
      // The engine runs plugins in the project directory: the dynamic-provider host must resolve
      // @pulumi/pulumi and @smartos-mail/pulumi from there, as from a user's program directory.
      linkNodeModules(dir, this.options.library);
      return await LocalWorkspace.createOrSelectStack(
        { projectName: this.project, stackName: "test", program: async () => undefined },
        {
          workDir: dir,
          projectSettings: { name: this.project, runtime: "nodejs", backend: { url: `file://${this.backend}` } },
          secretsProvider: "passphrase",
          envVars: {
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_HOME: path.join(dir, "pulumi-home"),
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            // The engine finds pulumi-resource-pulumi-nodejs, the dynamic-provider plugin, next to the
            // `pulumi` binary (engine/setup-pulumi.sh); pulumi-resource-cloudflare, the emulator, on
            // PATH (see integration-tests/cloudflare/plugin.ts).
            PATH: `${CLOUDFLARE_PLUGIN_DIR}:${process.env.PATH}`,
            SMARTOS_MAIL_CLOUDFLARE_RECORDS: this.cloudflareRecordsPath,
          },
        },
      );
    })();
    return this.auto;
  }

  private log(text: string): void {
    appendFileSync(this.logPath, text.endsWith("\n") ? text : `${text}\n`);
  }

  /** Runs one engine operation, collecting its events; on failure throws what a user would read. */
  private async run<T extends { stdout: string; stderr: string }>(
    what: string,
    op: (stack: AutomationStack, options: EngineOptions) => Promise<T>,
  ): Promise<{ events: EngineEvent[]; result: T }> {
    const stack = await this.stack();
    const events: EngineEvent[] = [];
    const onEvent = (e: EngineEvent) => {
      events.push(e);
      // The log keeps what the CLI shows a user. Debug diagnostics (`pulumi up --debug`) are left
      // out: the Node.js SDK's own "RegisterResource RPC finished ... resp:" lines print each
      // resource's outputs with secret values in plain text, for every Pulumi program.
      // (The SDK's typings leave "debug" out of the severities the engine sends.)
      if ((e.diagnosticEvent?.severity as string | undefined) !== "debug") this.log(JSON.stringify(e));
    };
    this.log(`--- ${what}`);
    const programErrors = catchProgramRejections();
    const signal = AbortSignal.timeout(OPERATION_TIMEOUT_MS);
    let gaveUp: NodeJS.Timeout | undefined;
    let done = false;
    const stuck = new Promise<never>((_, reject) =>
      signal.addEventListener("abort", () => {
        if (!done) gaveUp = setTimeout(() => reject(new Error("the CLI did not end after SIGINT")), CANCEL_GRACE_MS);
      }),
    );
    stuck.catch(() => undefined);
    try {
      const verbosity = this.options.engineLogVerbosity;
      const running = op(stack, {
        onEvent,
        signal,
        onOutput: this.options.onOutput,
        parallel: this.options.parallel,
        ...(verbosity === undefined ? {} : { logToStdErr: true, logVerbosity: verbosity }),
      });
      running.catch(() => undefined);
      const result = await Promise.race([running, stuck]);
      this.log(`${result.stdout}\n${result.stderr}`);
      const failed = await programErrors.end();
      if (failed.length > 0) throw new EngineError(`the program failed: ${failed.map(String).join("; ")}`);
      return { events, result };
    } catch (err) {
      this.log(String(err));
      if (signal.aborted) {
        throw new EngineError(
          `pulumi ${what} ran past ${OPERATION_TIMEOUT_MS / 60_000} minutes and was stopped (${err}); see ${this.logPath}`,
        );
      }
      throw this.errorFrom(events, err as Error);
    } finally {
      await programErrors.end();
      done = true;
      clearTimeout(gaveUp);
      // A preview changes no state: the export (a CLI run of its own) would only read back the last one.
      if (what !== "preview") await this.exportState(stack);
    }
  }

  /** The error a failed operation becomes: a CheckFailedError when a Check failed, else the CLI's words. */
  private errorFrom(events: EngineEvent[], err: Error): Error {
    const errors = events
      .map((e) => e.diagnosticEvent)
      .filter((d) => d !== undefined && d.severity === "error" && d.urn !== undefined);
    const checks = errors.filter((d) => / has a problem: /.test(d!.message));
    if (checks.length > 0) {
      const urn = checks[0]!.urn!;
      const messages = checks.filter((d) => d!.urn === urn).map((d) => d!.message.trim());
      // The CLI's words: "<type> resource '<name>': property <path> value <value> has a problem: <reason>",
      // or "<type> resource '<name>' has a problem: <reason>" for the inputs as a whole.
      const failures = messages.map((m) => {
        const at = m.indexOf(" has a problem: ");
        return {
          property: /: property (.*?) value /.exec(m.slice(0, at))?.[1] ?? "",
          reason: m.slice(at + " has a problem: ".length).trim(),
        };
      });
      return new CheckFailedError(urn, failures, messages);
    }
    const lines = errors.map((d) => d!.message.trim());
    return new EngineError(lines.length > 0 ? lines.join("\n") : err.message);
  }

  private async exportState(stack: AutomationStack): Promise<void> {
    this.state = customResourcesOf(await stack.exportStack());
  }

  /** `pulumi stack export --show-secrets`: the deployment, each secret's value in plain text beside its marker. */
  async exportWithSecrets(): Promise<Deployment> {
    return (await this.stack()).exportStack();
  }

  /** `pulumi config --show-secrets`: every config value by its full key (`project:key`), structured ones as JSON. */
  async allConfig(): Promise<Record<string, { value: string; secret?: boolean }>> {
    return (await this.stack()).getAllConfig();
  }

  /**
   * `pulumi config set [--secret] [--path] KEY VALUE` for each entry, in order: a key without a
   * namespace belongs to the project, as on the command line.
   */
  async configure(entries: ConfigEntry[]): Promise<void> {
    const stack = await this.stack();
    for (const e of entries) await stack.setConfig(e.key, { value: e.value, secret: e.secret }, e.path);
  }

  /** `pulumi stack output --show-secrets`: the stack's outputs, secrets in plain text. */
  async outputs(): Promise<Record<string, unknown>> {
    const outputs = await (await this.stack()).outputs();
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
  }

  /**
   * Adds zones (id → name) and records to the emulated Cloudflare account, as a real account has them before
   * any program runs: every zone a program names must be added first. Returns the new records' ids.
   */
  seedCloudflare(zones: Record<string, string>, records: StoredRecord[] = []): string[] {
    mkdirSync(this.options.dir, { recursive: true });
    const account: AccountData = loadAccount(this.cloudflareRecordsPath);
    // Record ids are 32 hex digits, as Cloudflare's.
    const ids = records.map(() => randomUUID().replaceAll("-", ""));
    saveAccount(this.cloudflareRecordsPath, {
      zones: { ...account.zones, ...zones },
      records: [...account.records, ...records.map((r, i) => [ids[i]!, r] as [string, StoredRecord])],
    });
    return ids;
  }

  /**
   * Changes the emulated Cloudflare account as a user in the dashboard would: `edit` gets the records (id →
   * record) and changes them in place, deleting or adding entries.
   */
  editCloudflare(edit: (records: Map<string, StoredRecord>) => void): void {
    const account = loadAccount(this.cloudflareRecordsPath);
    const records = new Map(account.records);
    edit(records);
    saveAccount(this.cloudflareRecordsPath, { zones: account.zones, records: [...records] });
  }

  /** The DNS records in a zone of the emulated Cloudflare account, as BIND zone-file lines. */
  cloudflareZoneFile(zoneId: string): string {
    return new CloudflareRecords(this.cloudflareRecordsPath).zoneFile(zoneId);
  }

  /** The stored state of a custom resource by name (secrets revealed), as of the last operation. */
  resource(name: string): ResourceState | undefined {
    return this.state.find((r) => r.name === name);
  }

  /**
   * Sets the program the next operation runs; the names of the custom resources it made go into
   * `constructed`. With `exports`, what the program returns (a module's exports) becomes the stack's outputs.
   */
  private static install(stack: AutomationStack, program: () => unknown, constructed: string[], exports = false): void {
    stack.workspace.program = async () => {
      pulumi.runtime.registerStackTransformation((t) => {
        if (t.resource instanceof pulumi.CustomResource) constructed.push(t.name);
        return undefined;
      });
      let returned: unknown;
      try {
        returned = program();
      } catch (err) {
        // A program that throws fails the run, as under the CLI, with its message as an error
        // diagnostic. Reported through the SDK's log rather than rethrown: the SDK's inline-program
        // server stops listening for unhandled rejections as soon as the program fails, and the SDK's
        // stack resource rejects its own promises with the same error later, in this test process.
        pulumi.log.error(err instanceof Error ? err.message : String(err));
        return undefined;
      }
      return exports ? (returned as Record<string, unknown>) : undefined;
    };
  }

  /**
   * `pulumi preview`: the engine checks and diffs `program` against the state and changes nothing;
   * returns the steps it plans for the custom resources.
   */
  async preview(program: () => unknown, { exports = false } = {}): Promise<StepRecord[]> {
    const { events } = await this.run("preview", (stack, options) => {
      PulumiStack.install(stack, program, [], exports);
      return stack.preview(options);
    });
    return stepsOf(events, (e) => e.resourcePreEvent?.metadata);
  }

  /**
   * `pulumi up`: the engine applies `program`; returns the steps of its custom resources, in order.
   * Options of this run only: see {@link UpOptions}.
   */
  async up(program: () => unknown, opts: UpOptions = {}): Promise<StepRecord[]> {
    const constructed: string[] = [];
    const { events } = await this.run("up", (stack, options) => {
      PulumiStack.install(stack, program, constructed, opts.exports);
      return stack.up({
        ...options,
        diff: opts.diff,
        onEvent: (e) => {
          options.onEvent(e);
          opts.onEvent?.(e);
        },
        ...(opts.parallel === undefined ? {} : { parallel: opts.parallel }),
        ...(opts.target === undefined ? {} : { target: opts.target }),
      });
    });
    const steps = stepsOf(events);
    // Every resource the program made must reach the engine: the SDK's inline-program server ignores
    // gRPC errors the program raises (automation/server.js, `isGrpcError`), so a lost registration
    // would otherwise pass as success (it happened while the SDK's clients shared grpc-js's subchannel
    // pool; see the top of this file). A targeted run reports those outside its targets that state
    // holds as "same", and leaves out those it would have to create.
    const targeted = (name: string) => opts.target === undefined || opts.target.some((urn) => nameOf(urn) === name);
    const missing = constructed.filter((name) => targeted(name) && !steps.some((s) => s.name === name));
    if (missing.length > 0) {
      throw new EngineError(`the engine reported success but never saw ${missing.join(", ")}: see ${this.logPath}`);
    }
    return steps;
  }

  /**
   * `pulumi refresh`: the engine reads every resource. Its step is "same" when
   * Read found what state holds and "update" (or "delete", when Read found
   * nothing) when it did not: that is drift.
   */
  async refresh(): Promise<StepRecord[]> {
    const { events } = await this.run("refresh", (stack, options) => stack.refresh(options));
    return stepsOf(events).map((s) => ({
      urn: s.urn,
      name: s.name,
      op: "refresh",
      drift: s.op !== "same",
      ...(s.changed ? { changed: s.changed } : {}),
    }));
  }

  /** `pulumi destroy`: the engine deletes every resource, dependents first. */
  async destroy(): Promise<StepRecord[]> {
    const { events } = await this.run("destroy", (stack, options) => stack.destroy(options));
    return stepsOf(events);
  }

  /**
   * `pulumi import --file` of these resources (type, name, id), without generating code or
   * protecting them: the engine reads each by its id from its provider and adds it to the state.
   * Returns the CLI's output.
   */
  async importResources(resources: ImportedResource[]): Promise<string> {
    const { result } = await this.run("import", (stack) =>
      stack.import({ resources, generateCode: false, protect: false, onOutput: this.options.onOutput }),
    );
    return `${result.stdout}\n${result.stderr}`;
  }

  /**
   * `pulumi stack export`: the stack's deployment as the engine keeps it, secrets encrypted. Not the
   * Automation API's `exportStack`, which always adds `--show-secrets`.
   */
  async exportDeployment(): Promise<string> {
    return (await this.pulumiCli(await this.stack(), ["stack", "export"])).stdout;
  }

  /**
   * `pulumi stack import --file`: this stack's state becomes a deployment that {@link exportDeployment}
   * gave, of this or another stack of the same project and stack name (the URNs name both) and
   * passphrase. The file is `import.json` in the stack's directory, mode 0600, secrets encrypted. Not
   * the Automation API's `importStack`: it writes what it is given (`exportStack`'s output, secrets in
   * plain text) to a file of the default mode in the system temp directory, and leaves it there when
   * the import fails.
   */
  async importDeployment(deployment: string): Promise<void> {
    await this.stack();
    const file = path.join(this.options.dir, "import.json");
    writeFileSync(file, deployment, { mode: 0o600 });
    await this.run("stack import", (stack) => this.pulumiCli(stack, ["stack", "import", "--file", file]));
  }

  /** Runs the CLI on this stack as the Automation API does: in its workspace, with its environment. */
  private pulumiCli(stack: AutomationStack, args: string[]): Promise<{ stdout: string; stderr: string }> {
    const ws = stack.workspace;
    return execFileAsync(ws.pulumiCommand.command, [...args, "--stack", stack.name, "--non-interactive"], {
      cwd: ws.workDir,
      env: { ...process.env, ...ws.envVars },
      maxBuffer: 256 * 1024 * 1024,
    });
  }
}

/** Options of one {@link PulumiStack.up}. */
export interface UpOptions {
  /** What the program returns (a module's exports) becomes the stack's outputs. */
  exports?: boolean;
  /** `--diff`: the CLI prints each change property by property. */
  diff?: boolean;
  /** `--target`: the URNs of the only resources the run may change. */
  target?: string[];
  /** `--parallel` for this run. */
  parallel?: number;
  /** Sees each engine event as the engine sends it. */
  onEvent?: (e: EngineEvent) => void;
}

/** One entry of a `pulumi import --file` file. */
export type ImportedResource = NonNullable<Parameters<AutomationStack["import"]>[0]["resources"]>[number];

/** The top-level inputs whose values differ (the SDK's `__provider` text aside). */
function changedInputs(old: Record<string, unknown>, next: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(old), ...Object.keys(next)])].filter(
    (k) => k !== "__provider" && !isDeepStrictEqual(old[k], next[k]),
  );
}

/**
 * The custom resources' steps among an operation's events: in the order they
 * finished (a step's outputs event), or for a preview in the order planned
 * (its pre event, as `step` picks). A replacement (create-replacement, replace, delete-replaced) is one
 * "replace" step; deleteBeforeReplace tells whether the old one went first.
 */
function stepsOf(
  events: EngineEvent[],
  step: (e: EngineEvent) => StepEventMetadata | undefined = (e) => e.resOutputsEvent?.metadata,
): StepRecord[] {
  const steps: StepRecord[] = [];
  const replaced = new Map<string, StepRecord>();
  for (const e of events) {
    const m = step(e);
    if (!m) continue;
    const state = m.new ?? m.old;
    if (!state?.custom || m.type.startsWith("pulumi:providers:")) continue;
    const record: StepRecord = { urn: m.urn, name: nameOf(m.urn), op: "same" };
    switch (m.op) {
      case "same":
        steps.push({ ...record, op: "same", diff: { changes: "none", replaces: [], deleteBeforeReplace: false } });
        break;
      case "create":
      case "delete":
        steps.push({ ...record, op: m.op });
        break;
      case "update": {
        // A refresh's drift is in outputs, its inputs the same: no list then, as before.
        const changed = m.diffs ?? changedInputs(m.old?.inputs ?? {}, m.new?.inputs ?? {});
        steps.push({
          ...record,
          op: "update",
          diff: { changes: "some", replaces: [], deleteBeforeReplace: false },
          ...(changed.length > 0 || m.diffs ? { changed } : {}),
        });
        break;
      }
      case "create-replacement":
      case "delete-replaced":
      case "replace": {
        let step = replaced.get(m.urn);
        if (!step) {
          step = {
            ...record,
            op: "replace",
            diff: { changes: "some", replaces: [], deleteBeforeReplace: m.op === "delete-replaced" },
          };
          replaced.set(m.urn, step);
          steps.push(step);
        }
        if (m.keys && m.keys.length > 0 && step.diff) step.diff.replaces = m.keys;
        break;
      }
    }
  }
  return steps;
}
