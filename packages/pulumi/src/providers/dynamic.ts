import type * as pulumi from "@pulumi/pulumi";

/** The resources whose implementations live in `provider-runtime`. */
export type ResourceKind =
  | "postfixConfig"
  | "openDkimKey"
  | "rateLimitTransport"
  | "inboundSmtpFirewall"
  | "mailArchive"
  | "mailLogReport"
  | "smartOsZone"
  | "zoneDatasets";

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
