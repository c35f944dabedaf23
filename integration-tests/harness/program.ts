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
}

/** A Pulumi program for the harness: it constructs resources and returns them. */
export type Program = () => pulumi.Resource[];

/**
 * Runs a program against the SDK's mock monitor and returns what it
 * registered. This is the SDK's own path from `new PostfixConfig(...)` to a
 * RegisterResource request: input resolution, secret marking and the
 * closure serialization of the dynamic provider all happen as under the engine.
 */
export async function runProgram(program: Program, project: string, stack: string): Promise<Registration[]> {
  const registrations: Registration[] = [];
  const secretOutputs = new Map<string, string[]>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registrations.push({
          name: args.name,
          type: args.type,
          inputs: args.inputs,
          additionalSecretOutputs: secretOutputs.get(args.name) ?? [],
        });
        return { id: `${args.name}-preview-id`, state: {} };
      },
      call() {
        return {};
      },
    },
    project,
    stack,
    false,
  );
  // The mock monitor does not pass resource options on to newResource; read
  // additionalSecretOutputs off the RegisterResource request as the engine does.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: { getName(): string; getAdditionalsecretoutputsList(): string[] }, cb: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    secretOutputs.set(req.getName(), req.getAdditionalsecretoutputsList());
    return register(req, cb);
  };
  const resources = program();
  await Promise.all(resources.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
  return registrations;
}
