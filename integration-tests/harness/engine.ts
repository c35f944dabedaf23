import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { CLOUDFLARE_DNS_RECORD, CloudflareEmulator } from "./cloudflare-emulator";
import { type KnownOutputs, type Program, type Registration, runProgram } from "./program";
import { type CheckFailure, type DiffResult, PROGRAM_DIR, type Props, ProviderHost } from "./provider-host";
import { annotateSecrets, isSecret, makeSecret, revealSecrets, StateCrypter } from "./secrets";

/** The engine's handling of additionalSecretOutputs: those outputs are stored and returned as secrets. */
function markSecretOutputs(outputs: Props, names: readonly string[]): Props {
  const out = { ...outputs };
  for (const n of names) {
    if (n in out && out[n] !== undefined && !isSecret(out[n])) out[n] = makeSecret(out[n]);
  }
  return out;
}

/** One resource in the stack's state; inputs and outputs keep their secret markers. */
export interface ResourceState {
  urn: string;
  type: string;
  name: string;
  id: string;
  inputs: Props;
  outputs: Props;
  /** Outputs the program asked the engine to keep secret (`additionalSecretOutputs`). */
  secretOutputs: string[];
  /** URNs of the resources it depends on: it is deleted before them. */
  dependencies: string[];
}

/** What an operation did to one resource. */
export interface StepRecord {
  urn: string;
  name: string;
  op: "create" | "same" | "update" | "replace" | "delete" | "refresh";
  diff?: DiffResult;
  /** For refresh: whether the outputs the provider read differ from the stored ones. */
  drift?: boolean;
}

/** A resource failed `check`; the operation stopped before any provider call that acts. */
export class CheckFailedError extends Error {
  constructor(
    readonly urn: string,
    readonly failures: CheckFailure[],
  ) {
    super(`check failed for ${urn}:\n${failures.map((f) => `  ${f.reason}`).join("\n")}`);
  }
}

/** Options of a {@link Stack}. */
export interface StackOptions {
  /** Directory for the state file and the provider host's log. */
  dir: string;
  /** Passphrase that encrypts secrets in the state file. */
  passphrase?: string;
  /** Stack name (in URNs). */
  stack?: string;
  /** Steps run at once, like `pulumi up --parallel`. */
  parallel?: number;
}

const PROJECT = "smartos-mail-it";
/** Program runs one `up` may take: one per level of its dependency graph. */
const MAX_PASSES = 8;

/** Whether a registered input holds a value not known during a preview. */
function containsUnknown(v: unknown): boolean {
  if (pulumi.isUnknown(v)) return true;
  if (v === null || typeof v !== "object") return false;
  return Object.values(v).some(containsUnknown);
}

async function mapLimited<T, R>(
  items: T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await fn(items[i]) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function throwIfFailed(results: PromiseSettledResult<unknown>[]): void {
  const errors = results
    .filter((r): r is PromiseRejectedResult => r.status === "rejected")
    .map((r) => r.reason as Error);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join("\n"));
}

/**
 * A stack driven the way the Pulumi engine drives a program's dynamic
 * resources: one provider-host process per operation, Check before every
 * Diff/Create, secrets stripped for the host (it refuses them) and restored
 * on its results with the engine's annotateSecrets, state written with
 * secrets encrypted. `up`, `refresh` and `destroy` are the CLI commands.
 */
export class Stack {
  private readonly resources = new Map<string, ResourceState>();
  private readonly crypter: StateCrypter;
  private readonly stack: string;
  private readonly parallel: number;
  /** Path of the encrypted state file. */
  readonly statePath: string;
  /** Path of the provider host's stdout/stderr log. */
  readonly logPath: string;
  /** Stands in for Cloudflare's API for `@pulumi/cloudflare` DNS records (see its header). */
  readonly cloudflare: CloudflareEmulator;

  constructor(readonly options: StackOptions) {
    mkdirSync(options.dir, { recursive: true });
    this.crypter = new StateCrypter(options.passphrase ?? "harness-passphrase");
    this.stack = options.stack ?? "test";
    this.parallel = options.parallel ?? 10;
    this.statePath = path.join(options.dir, "state.json");
    this.logPath = path.join(options.dir, "provider-host.log");
    this.cloudflare = new CloudflareEmulator(path.join(options.dir, "cloudflare-records.json"));
    if (existsSync(this.statePath)) {
      const saved = this.crypter.open(JSON.parse(readFileSync(this.statePath, "utf8"))) as ResourceState[];
      for (const r of saved) this.resources.set(r.urn, r);
    }
  }

  private save(): void {
    writeFileSync(this.statePath, `${JSON.stringify(this.crypter.seal([...this.resources.values()]), null, 2)}\n`, {
      mode: 0o600,
    });
  }

  private async withHost<T>(fn: (host: ProviderHost) => Promise<T>): Promise<T> {
    const host = await ProviderHost.start(PROGRAM_DIR, this.logPath);
    try {
      return await fn(host);
    } finally {
      this.save();
      await host.stop();
    }
  }

  /** The stored state of a resource by name (secrets revealed), or undefined. */
  resource(name: string): ResourceState | undefined {
    const r = [...this.resources.values()].find((x) => x.name === name);
    return r && { ...r, inputs: revealSecrets(r.inputs) as Props, outputs: revealSecrets(r.outputs) as Props };
  }

  /** The provider for a resource type: the SDK's dynamic-provider host, or the Cloudflare emulator. */
  private driverFor(type: string, host: ProviderHost): ProviderHost | CloudflareEmulator {
    return type === CLOUDFLARE_DNS_RECORD ? this.cloudflare : host;
  }

  /** What the engine hands the program back for resources it already manages: their outputs. */
  private knownOutputs(): KnownOutputs {
    return (type, name) => {
      const r = [...this.resources.values()].find((x) => x.type === type && x.name === name);
      return r && (revealSecrets(r.outputs) as Props);
    };
  }

  /**
   * `pulumi up`: creates, updates, replaces and deletes until state matches the program.
   * As the engine, it applies a resource only after the resources it depends on, each
   * once. The program runs as in a preview: inputs that wait on outputs not yet known (a
   * DKIM record's value from OpenDkimKey) are unknown. Each pass applies, in parallel, the
   * resources whose dependencies an earlier pass applied, and the program runs again with
   * their outputs known, until every resource is applied. Deletions come last, dependents
   * first.
   */
  async up(program: Program): Promise<StepRecord[]> {
    return this.withHost(async (host) => {
      const steps = new Map<string, StepRecord>();
      for (let pass = 1; ; pass++) {
        const registrations = (await runProgram(program, PROJECT, this.stack, this.knownOutputs())).filter(
          (r) => r.custom,
        );
        const wanted = new Set(registrations.map((r) => r.urn));
        const pending = registrations.filter((r) => !steps.has(r.urn));
        // A dependency outside the program (none in our programs) does not hold a resource back.
        const ready = pending.filter(
          (r) => !containsUnknown(r.inputs) && r.dependencies.every((d) => steps.has(d) || !wanted.has(d)),
        );
        if (ready.length === 0 && pending.length > 0) {
          throw new Error(`up cannot apply ${pending.map((r) => r.name).join(", ")}: inputs stay unknown`);
        }
        for (const step of await this.applyRegistrations(host, ready)) steps.set(step.urn, step);
        if (ready.length === pending.length) {
          const gone = [...this.resources.values()].filter((r) => !wanted.has(r.urn));
          for (const step of await this.deleteResources(host, gone)) steps.set(step.urn, step);
          return [...steps.values()];
        }
        if (pass === MAX_PASSES) {
          throw new Error(`up did not settle after ${pass} passes: ${pending.map((r) => r.name).join(", ")}`);
        }
      }
    });
  }

  /** One pass of `up` over registered resources whose inputs are all known. */
  private async applyRegistrations(host: ProviderHost, registrations: Registration[]): Promise<StepRecord[]> {
    const steps: StepRecord[] = [];
    const results = await mapLimited(registrations, this.parallel, async (reg) => {
      const urn = reg.urn;
      const driver = this.driverFor(reg.type, host);
      const old = this.resources.get(urn);
      const checked = await driver.check(
        urn,
        old ? (revealSecrets(old.inputs) as Props) : {},
        revealSecrets(reg.inputs) as Props,
      );
      if (checked.failures.length > 0) throw new CheckFailedError(urn, checked.failures);
      const inputs = annotateSecrets(checked.inputs, reg.inputs);
      const plainInputs = revealSecrets(inputs) as Props;
      const create = async () => {
        const created = await driver.create(urn, plainInputs);
        return {
          urn,
          type: reg.type,
          name: reg.name,
          id: created.id,
          inputs,
          outputs: markSecretOutputs(annotateSecrets(created.outputs, inputs), reg.additionalSecretOutputs),
          secretOutputs: reg.additionalSecretOutputs,
          dependencies: reg.dependencies,
        };
      };
      if (!old) {
        this.resources.set(urn, await create());
        steps.push({ urn, name: reg.name, op: "create" });
        return;
      }
      const oldOutputs = revealSecrets(old.outputs) as Props;
      const oldInputs = revealSecrets(old.inputs) as Props;
      let diff = await driver.diff(old.id, urn, oldOutputs, plainInputs, oldInputs);
      if (diff.changes === "unknown") {
        // The engine falls back to comparing old and new inputs.
        diff = { ...diff, changes: JSON.stringify(oldInputs) === JSON.stringify(plainInputs) ? "none" : "some" };
      }
      if (diff.changes === "none") {
        this.resources.set(urn, { ...old, inputs, dependencies: reg.dependencies });
        steps.push({ urn, name: reg.name, op: "same", diff });
      } else if (diff.replaces.length > 0) {
        if (diff.deleteBeforeReplace) await driver.delete(old.id, urn, oldOutputs, oldInputs);
        const replacement = await create();
        if (!diff.deleteBeforeReplace) await driver.delete(old.id, urn, oldOutputs, oldInputs);
        this.resources.set(urn, replacement);
        steps.push({ urn, name: reg.name, op: "replace", diff });
      } else {
        const outputs = await driver.update(old.id, urn, oldOutputs, plainInputs, oldInputs);
        this.resources.set(urn, {
          ...old,
          inputs,
          outputs: markSecretOutputs(annotateSecrets(outputs, inputs), reg.additionalSecretOutputs),
          secretOutputs: reg.additionalSecretOutputs,
          dependencies: reg.dependencies,
        });
        steps.push({ urn, name: reg.name, op: "update", diff });
      }
    });
    throwIfFailed(results);
    return steps;
  }

  /**
   * Deletes these resources and drops them from state, as the engine does: a resource
   * only once nothing left in the set depends on it; those that are ready go in parallel.
   */
  private async deleteResources(host: ProviderHost, gone: ResourceState[]): Promise<StepRecord[]> {
    const steps: StepRecord[] = [];
    let left = gone;
    while (left.length > 0) {
      const needed = new Set(left.flatMap((r) => r.dependencies));
      const ready = left.filter((r) => !needed.has(r.urn));
      if (ready.length === 0)
        throw new Error(`cannot order the deletions, a dependency cycle among ${left.map((r) => r.name).join(", ")}`);
      const deletions = await mapLimited(ready, this.parallel, async (r) => {
        await this.driverFor(r.type, host).delete(
          r.id,
          r.urn,
          revealSecrets(r.outputs) as Props,
          revealSecrets(r.inputs) as Props,
        );
        this.resources.delete(r.urn);
        steps.push({ urn: r.urn, name: r.name, op: "delete" });
      });
      throwIfFailed(deletions);
      left = left.filter((r) => !ready.includes(r));
    }
    return steps;
  }

  /** `pulumi refresh`: reads every resource and stores what the provider found. */
  async refresh(): Promise<StepRecord[]> {
    return this.withHost(async (host) => {
      const steps: StepRecord[] = [];
      const results = await mapLimited([...this.resources.values()], this.parallel, async (r) => {
        const before = revealSecrets(r.outputs) as Props;
        const read = await this.driverFor(r.type, host).read(r.id, r.urn, before, revealSecrets(r.inputs) as Props);
        this.resources.set(r.urn, {
          ...r,
          id: read.id,
          outputs: markSecretOutputs(annotateSecrets(read.outputs, r.inputs), r.secretOutputs),
        });
        steps.push({
          urn: r.urn,
          name: r.name,
          op: "refresh",
          drift: JSON.stringify(read.outputs) !== JSON.stringify(before),
        });
      });
      throwIfFailed(results);
      return steps;
    });
  }

  /** `pulumi destroy`: deletes every resource. */
  async destroy(): Promise<StepRecord[]> {
    return this.withHost((host) => this.deleteResources(host, [...this.resources.values()]));
  }
}
