import type { z } from "zod";
import type { InputsOf } from "../resources/input-types";
import type * as schema from "./connection-schema";

/**
 * zod schema of how a provider reaches a host over SSH ({@link ConnectionArgs}), written in
 * `connection-schema.ts`. It loads on first use: a program that only declares resources (which
 * import this module for {@link secretConnection}) loads no zod; the provider runtime does.
 */
export declare const connectionSchema: typeof schema.connectionSchema;
Object.defineProperty(exports, "connectionSchema", {
  enumerable: true,
  get: () => (require("./connection-schema") as typeof schema).connectionSchema,
});

/** How a provider reaches a host over SSH, with its pinned host key: see {@link connectionSchema}. */
export type ConnectionArgs = InputsOf<z.input<typeof connectionSchema>>;

/** A validated connection with defaults applied. */
export type Connection = z.output<typeof connectionSchema>;

/** The connection fields whose change means a different machine: the resource is replaced. */
export function sameMachine(a: Connection, b: Connection): boolean {
  return a.host === b.host && a.port === b.port;
}

/** Connection inputs with the private key and its passphrase wrapped as Pulumi secrets. */
export function secretConnection(c: ConnectionArgs): ConnectionArgs {
  // The program has the SDK loaded already; required here so the tools entry, which reads
  // connectionSchema through this module, does not load it.
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  return {
    ...c,
    privateKey: c.privateKey === undefined ? undefined : pulumi.secret(c.privateKey),
    privateKeyPassword: c.privateKeyPassword === undefined ? undefined : pulumi.secret(c.privateKeyPassword),
  };
}
