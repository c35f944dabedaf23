import {
  closeAllConnections,
  parseDnssecProbe,
  probeResolver,
  type SshConnectionOptions,
} from "@smartos-mail/pulumi/tools";
import { UsageError } from "../errors";
import { sshFailure } from "../ssh/login";
import { dnssecFindings } from "./dnssec";
import type { Finding } from "./result";

/** `--dnssec-probe`: a `TYPE:NAME` as in Postfix's dnssec_probe, checked before anything connects. */
export function dnssecProbeOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    parseDnssecProbe(value);
  } catch (err) {
    throw new UsageError(`--dnssec-probe ${(err as Error).message.replace(/^DNSSEC probe /, "")}`);
  }
  return value;
}

/**
 * The findings `check --host` adds: whether the resolver the host's Postfix
 * uses validates DNSSEC, asked on the host over SSH. A host that cannot be
 * reached, refuses its pinned key, or cannot run the probe is a failed row,
 * so the rest of the table still prints and monitoring alerts.
 */
export async function hostFindings(
  login: { connection: SshConnectionOptions; target: string },
  options: { domain?: string; probe?: string },
): Promise<Finding[]> {
  try {
    return dnssecFindings(login.connection.host, await probeResolver(login.connection, options));
  } catch (err) {
    const failure = sshFailure(err, login.target, "check", (code) =>
      code === 127
        ? "install dig on the host (Debian: apt-get install bind9-dnsutils; SmartOS has /usr/sbin/dig)"
        : "run the probe by hand on the host: dig +dnssec SOA <domain>",
    );
    if (failure instanceof UsageError) throw failure;
    return [{ check: "DNSSEC resolver", status: "fail", detail: `${failure.message}; ${failure.hint}` }];
  } finally {
    await closeAllConnections();
  }
}
