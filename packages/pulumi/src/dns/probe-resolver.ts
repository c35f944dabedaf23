import { type SshConnectionOptions, toolHost } from "../remote/tool-host";
import {
  parseResolverProbe,
  type ResolverProbe,
  type ResolverProbeOptions,
  resolverProbeScript,
} from "./resolver-probe";

/**
 * Asks the resolver a host's Postfix uses for a signed name over SSH, with the
 * host key pinned, and returns the answers and the Postfix settings that
 * depend on them ({@link resolverProbeScript}). The connection stays in this
 * process's pool; call `closeAllConnections` when done.
 */
export async function probeResolver(
  connection: SshConnectionOptions,
  options: ResolverProbeOptions = {},
): Promise<ResolverProbe> {
  const host = toolHost(connection);
  const script = resolverProbeScript(options);
  const result = await host.run(script, { step: "DNSSEC probe of the host's resolver" });
  return parseResolverProbe(result.stdout);
}
