import type { z } from "zod";
import { connectionSchema } from "./connection-schema";
import { RemoteHost } from "./pool";

/** A connection as plain values (no Pulumi inputs), for code that runs outside a Pulumi program. */
export type SshConnectionOptions = z.input<typeof connectionSchema>;

/** A connection's fields did not validate; the message names each field and the fix. */
export class InvalidConnectionError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid connection: ${issues.join("; ")}`);
    this.name = "InvalidConnectionError";
  }
}

/**
 * The pooled host of a connection given as plain values, for the tools that
 * run one command outside a Pulumi program (`queueShape`, `probeResolver`):
 * the fields are validated first, and the host key is pinned when it connects.
 */
export function toolHost(connection: SshConnectionOptions): RemoteHost {
  const parsed = connectionSchema.safeParse(connection);
  if (!parsed.success) {
    throw new InvalidConnectionError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "connection"}: ${i.message}`),
    );
  }
  return new RemoteHost(parsed.data);
}
