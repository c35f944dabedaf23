import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider, dynamicResourceOptions } from "../providers/dynamic";
import { type ConnectionArgs, secretConnection } from "../remote/connection";
import type { InputsOf } from "./input-types";
import { RESOURCE_KINDS, type ResourceKind, type ResourceKindInfo } from "./kinds";

/**
 * A host resource's arguments, derived from what its zod schema accepts
 * (`z.input`), so the two cannot drift: the connection as {@link ConnectionArgs}
 * (its key and passphrase become secrets), every other field a Pulumi input.
 */
export type HostArgs<T extends { connection: unknown }> = {
  /** How to reach the host, with its pinned host key: see `ConnectionArgs`. */
  connection: ConnectionArgs;
} & InputsOf<Omit<T, "connection">>;

/**
 * The base of every dynamic resource of the library: the provider handed to
 * the SDK by kind, the connection's key and the kind's secret inputs wrapped as
 * secrets (in state and in the engine's output), its secret outputs kept
 * secret, every output key announced, and the `import` option refused with
 * the reason.
 */
export abstract class HostResource extends pulumi.dynamic.Resource {
  /**
   * @param kind which resource, in {@link RESOURCE_KINDS}.
   * @param name the resource name.
   * @param args its arguments, with the connection.
   * @param opts resource options.
   */
  protected constructor(
    kind: ResourceKind,
    name: string,
    args: { connection: ConnectionArgs },
    opts: pulumi.CustomResourceOptions | undefined,
  ) {
    const info: ResourceKindInfo = RESOURCE_KINDS[kind];
    const { type, outputs, secretInputs } = info;
    const secrets = [...secretInputs, ...(info.secretOutputs ?? [])];
    const given = args as unknown as Record<string, unknown>;
    const props: Record<string, unknown> = { ...given, connection: secretConnection(args.connection) };
    for (const key of secretInputs) {
      if (given[key] !== undefined) props[key] = pulumi.secret(given[key]);
    }
    for (const key of outputs) props[key] = undefined;
    const options = dynamicResourceOptions(type, name, opts);
    super(
      dynamicProvider(kind),
      name,
      props,
      secrets.length > 0
        ? { ...options, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...secrets] }
        : options,
      "smartos-mail",
      type,
    );
  }
}
