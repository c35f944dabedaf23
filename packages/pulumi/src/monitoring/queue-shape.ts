import type { z } from "zod";
import { connectionSchema } from "../remote/connection-schema";
import { RemoteHost } from "../remote/pool";
import { parseQshape, type QshapeOptions, type QueueShape, qshapeScript } from "./qshape";

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
 * Runs qshape on a host over SSH, with the host key pinned (any other key is
 * refused before the command runs), and returns its table as data. The
 * connection stays in this process's pool; call `closeAllConnections` when done.
 */
export async function queueShape(connection: SshConnectionOptions, options: QshapeOptions = {}): Promise<QueueShape> {
  const parsed = connectionSchema.safeParse(connection);
  if (!parsed.success) {
    throw new InvalidConnectionError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "connection"}: ${i.message}`),
    );
  }
  const script = qshapeScript(options);
  const result = await new RemoteHost(parsed.data).run(script, { step: "qshape" });
  return parseQshape(result.stdout);
}
