import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { InputsOf } from "../resources/input-types";
import type { connectionSchema } from "./connection-schema";

/** How a provider reaches a host over SSH, with its pinned host key: see `connectionSchema` in connection-schema.ts. */
export type ConnectionArgs = InputsOf<z.input<typeof connectionSchema>>;

/** A validated connection with defaults applied. */
export type Connection = z.output<typeof connectionSchema>;

/** The connection fields whose change means a different machine: the resource is replaced. */
export function sameMachine(a: Connection, b: Connection): boolean {
  return a.host === b.host && a.port === b.port;
}

/** Connection inputs with the private key and its passphrase wrapped as Pulumi secrets. */
export function secretConnection(c: ConnectionArgs): ConnectionArgs {
  return {
    ...c,
    privateKey: c.privateKey === undefined ? undefined : pulumi.secret(c.privateKey),
    privateKeyPassword: c.privateKeyPassword === undefined ? undefined : pulumi.secret(c.privateKeyPassword),
  };
}
