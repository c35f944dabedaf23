import * as pulumi from "@pulumi/pulumi";

/** A resource as the program registered it: the inputs the engine would receive. */
export interface Registration {
  /** Resource name. */
  name: string;
  /** Type token, e.g. pulumi-nodejs:dynamic/smartos-mail:PostfixConfig. */
  type: string;
  /** Inputs with secrets still marked, `__provider` included (the SDK's serialized provider). */
  inputs: Record<string, unknown>;
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
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registrations.push({ name: args.name, type: args.type, inputs: args.inputs });
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
  const resources = program();
  await Promise.all(resources.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
  return registrations;
}
