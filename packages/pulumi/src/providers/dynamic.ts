import type * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "../resources/kinds";

/**
 * The provider object handed to `pulumi.dynamic.Resource`. The SDK serializes
 * it into the program's state and the engine's dynamic-provider host runs it
 * in another process. So it captures nothing but `kind`: each hook loads the
 * implementation by package name at call time, from the program's own
 * node_modules. Its serialized text never contains a secret or a live object.
 */
export function dynamicProvider(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  return {
    check: (olds, news) => require("@smartos-mail/pulumi/provider-runtime").providers[kind].check(olds, news),
    diff: (id, olds, news) => require("@smartos-mail/pulumi/provider-runtime").providers[kind].diff(id, olds, news),
    create: (inputs) => require("@smartos-mail/pulumi/provider-runtime").providers[kind].create(inputs),
    read: (id, props) => require("@smartos-mail/pulumi/provider-runtime").providers[kind].read(id, props),
    update: (id, olds, news) => require("@smartos-mail/pulumi/provider-runtime").providers[kind].update(id, olds, news),
    delete: (id, props) => require("@smartos-mail/pulumi/provider-runtime").providers[kind].delete(id, props),
  };
}

/**
 * The resource options a dynamic resource passes to the SDK, with `import` refused by name. Pulumi's
 * dynamic-provider host cannot read a resource it knows only by id: the provider's code travels in the
 * inputs, which an import does not have (pulumi/pulumi#3550), so the engine would fail with "code must
 * be a string, not undefined". Nor could this library's Read work from an id alone: it needs the
 * connection and the values a delete puts back, which `create` records.
 */
export function dynamicResourceOptions(
  type: string,
  name: string,
  opts: pulumi.CustomResourceOptions | undefined,
): pulumi.CustomResourceOptions | undefined {
  if (opts?.import !== undefined) {
    throw new Error(
      `${type} ${name}: the import option cannot adopt an existing object: Pulumi's dynamic providers cannot ` +
        "read a resource by id alone (pulumi/pulumi#3550). Declare it without import: create records the " +
        "host's values before it changes them, and destroy puts them back.",
    );
  }
  return opts;
}
