// The SDK this process's inline programs register with: the integration tests' copy, which PulumiStack
// and the package load (one copy in the pnpm store; benchmarks/ has no package.json of its own).

import type { PulumiStack } from "../../integration-tests/dist/harness/pulumi-stack";
import * as pulumi from "../../integration-tests/node_modules/@pulumi/pulumi";
import { measure, type Observed } from "./ours";

/**
 * The dynamic-provider floor (issue 27): one `pulumi.dynamic.Resource` whose provider does nothing but
 * hand its inputs back. The engine starts the same dynamic-provider plugin for it as for ours, loads the
 * serialized provider on the first call and calls Check, Diff, Create, Update, Read and Delete as for
 * ours: what every dynamic resource costs before its hooks do any work.
 */
const noopProvider: pulumi.dynamic.ResourceProvider = {
  check: async (_olds, news) => ({ inputs: news }),
  diff: async (_id, olds, news) => ({ changes: olds.value !== news.value }),
  create: async (inputs) => ({ id: "noop", outs: inputs }),
  update: async (_id, _olds, news) => ({ outs: news }),
  read: async (id, props) => ({ id, props }),
  delete: async () => undefined,
};

class NoopResource extends pulumi.dynamic.Resource {
  constructor(name: string, value: string) {
    super(noopProvider, name, { value }, {});
  }
}

/** `pulumi up` of the one no-op resource with `value`; fails unless the engine did `expect` to it. */
export function upDynamicFloor(
  stack: PulumiStack,
  value: string,
  expect: "create" | "same" | "update",
): Promise<Observed> {
  const program = () => {
    new NoopResource("dynamic-floor", value);
  };
  return measure(stack, [], `dynamic floor up (${expect})`, "up", () => stack.up(program), { n: 1, op: expect }, 1);
}

/** `pulumi refresh` or `destroy` of the no-op resource. */
export function dynamicFloorOperation(stack: PulumiStack, command: "refresh" | "destroy"): Promise<Observed> {
  const op = command === "refresh" ? "refresh" : "delete";
  const run = command === "refresh" ? () => stack.refresh() : () => stack.destroy();
  return measure(stack, [], `dynamic floor ${command}`, command, run, { n: 1, op }, 1);
}
