import * as pulumi from "@pulumi/pulumi";

/** A resource as the program registered it: the inputs the engine would receive. */
export interface Registration {
  /** Resource name. */
  name: string;
  /** Type token, e.g. pulumi-nodejs:dynamic/smartos-mail:PostfixConfig. */
  type: string;
  /** Inputs with secrets still marked, `__provider` included (the SDK's serialized provider). */
  inputs: Record<string, unknown>;
  /** The `additionalSecretOutputs` resource option: outputs the engine must mark secret. */
  additionalSecretOutputs: string[];
  /** False for component resources, which have no provider: the engine only records them. */
  custom: boolean;
  /** The resource's URN, as {@link resourceUrn} forms it. */
  urn: string;
  /**
   * URNs of the custom resources it depends on: `dependsOn` and the resources whose outputs
   * its inputs use, a component standing for the custom resources under it (the SDK's
   * RegisterResource `dependencies`). The engine creates it after them and deletes it before them.
   */
  dependencies: string[];
}

/**
 * A resource's URN. The engine's URN also names the types of the resource's parents; names
 * are unique in the harness's stacks, so type and name alone identify a resource here.
 */
export function resourceUrn(stack: string, project: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** {@link resourceUrn} of a URN the SDK's mock monitor made (`parentType$type` in its type part). */
function fromMockUrn(stack: string, project: string, urn: string): string {
  const [, , qualifiedType, ...name] = urn.split("::");
  return resourceUrn(stack, project, qualifiedType.split("$").pop() ?? qualifiedType, name.join("::"));
}

/** Outputs the engine already has for a resource (by type and name), handed back to the program as its state. */
export type KnownOutputs = (type: string, name: string) => Record<string, unknown> | undefined;

/** A Pulumi program for the harness: it constructs resources (what it returns is not used). */
export type Program = () => unknown;

/** The program run in progress, if any; the next one waits for it. */
let programRuns: Promise<unknown> = Promise.resolve();

/**
 * Runs a program against the SDK's mock monitor, as a preview (outputs not in
 * `known` are unknown), and returns what it registered. This is the SDK's own path from `new PostfixConfig(...)` to a
 * RegisterResource request: input resolution, secret marking and the
 * closure serialization of the dynamic provider all happen as under the engine.
 */
export function runProgram(
  program: Program,
  project: string,
  stack: string,
  known: KnownOutputs = () => undefined,
): Promise<Registration[]> {
  // The SDK's runtime (and so its mock monitor) is global to the process: two
  // stacks in one test take turns, as two `pulumi up` runs would in two processes.
  const run = programRuns.then(() => registerProgram(program, project, stack, known));
  programRuns = run.catch(() => undefined);
  return run;
}

async function registerProgram(
  program: Program,
  project: string,
  stack: string,
  known: KnownOutputs,
): Promise<Registration[]> {
  const registrations: Registration[] = [];
  const secretOutputs = new Map<string, string[]>();
  const dependencies = new Map<string, string[]>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registrations.push({
          name: args.name,
          type: args.type,
          inputs: args.inputs,
          additionalSecretOutputs: secretOutputs.get(args.name) ?? [],
          custom: args.custom !== false,
          urn: resourceUrn(stack, project, args.type, args.name),
          dependencies: dependencies.get(args.name) ?? [],
        });
        return { id: `${args.name}-preview-id`, state: known(args.type, args.name) ?? {} };
      },
      call() {
        return {};
      },
    },
    project,
    stack,
    true,
  );
  // The mock monitor does not pass resource options on to newResource; read
  // additionalSecretOutputs and dependencies off the RegisterResource request as the engine does.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(
      req: { getName(): string; getAdditionalsecretoutputsList(): string[]; getDependenciesList(): string[] },
      cb: unknown,
    ): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    secretOutputs.set(req.getName(), req.getAdditionalsecretoutputsList());
    dependencies.set(
      req.getName(),
      req.getDependenciesList().map((urn) => fromMockUrn(stack, project, urn)),
    );
    return register(req, cb);
  };
  program();
  // Children of components register later than their parents: wait, as the
  // language host does at the end of a program, until no RPC is outstanding.
  await pulumi.runtime.disconnect();
  return registrations;
}
