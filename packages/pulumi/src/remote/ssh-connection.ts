import type { z } from "zod";
import type { Connection } from "./connection";
import { connectionSchema } from "./connection-schema";

/** A connection as plain values (no Pulumi inputs), for code that runs outside a Pulumi program. */
export type SshConnectionOptions = z.input<typeof connectionSchema>;

/** A connection's fields did not validate; the message names each field and the fix. */
export class InvalidConnectionError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid connection: ${issues.join("; ")}`);
    this.name = "InvalidConnectionError";
  }
}

/** The connection, validated as a resource's would be; {@link InvalidConnectionError} names what is wrong. */
export function sshConnection(connection: SshConnectionOptions): Connection {
  const parsed = connectionSchema.safeParse(connection);
  if (!parsed.success) {
    throw new InvalidConnectionError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "connection"}: ${i.message}`),
    );
  }
  return parsed.data;
}
