import { type SshConnectionOptions, toolHost } from "../remote/tool-host";
import { parseQshape, type QshapeOptions, type QueueShape, qshapeScript } from "./qshape";

/**
 * Runs qshape on a host over SSH, with the host key pinned (any other key is
 * refused before the command runs), and returns its table as data. The
 * connection stays in this process's pool; call `closeAllConnections` when done.
 */
export async function queueShape(connection: SshConnectionOptions, options: QshapeOptions = {}): Promise<QueueShape> {
  const host = toolHost(connection);
  const script = qshapeScript(options);
  const result = await host.run(script, { step: "qshape" });
  return parseQshape(result.stdout);
}
