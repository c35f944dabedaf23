import type { ResolverAnswer, ResolverProbe } from "@smartos-mail/pulumi/tools";
import type { Finding } from "./result";

const CHECK = "DNSSEC resolver";

function answered(a: ResolverAnswer): string {
  if (a.status === undefined) return `${a.query}: no reply (${a.error ?? "dig gave none"})`;
  const flags = a.flags.length > 0 ? a.flags.join(" ") : "none";
  return `${a.query}: ${a.status}, flags ${flags}${a.server ? ` from ${a.server}` : ""}`;
}

/**
 * Whether the resolver Postfix uses validates DNSSEC, from the host's answers
 * ({@link ResolverProbe}): an answer with AD passes. Without one it warns,
 * because Postfix's DANE (smtp_tls_security_level=dane) uses TLSA records
 * only from validated answers, and without them it falls back to
 * unauthenticated opportunistic TLS. A chroot copy of resolv.conf that
 * differs from /etc/resolv.conf warns as well: the daemons ask other servers.
 */
export function dnssecFindings(host: string, probe: ResolverProbe): Finding[] {
  const findings: Finding[] = [];
  const resolvers = probe.nameservers.length > 0 ? probe.nameservers.join(", ") : "none in /etc/resolv.conf";
  const level = probe.postfix.smtpTlsSecurityLevel;
  const dane = level === "dane" || level === "dane-only";
  const validated = probe.answers.find((a) => a.flags.includes("ad"));
  if (validated) {
    const unsigned = probe.answers.find((a) => a !== validated);
    findings.push({
      check: CHECK,
      status: "pass",
      detail: `${host}'s resolver (${resolvers}) validates: AD on ${validated.query}${unsigned ? ` (${unsigned.query} came without AD: not signed)` : ""}`,
    });
  } else {
    const last = probe.answers[probe.answers.length - 1];
    const why =
      last === undefined
        ? "nothing was asked"
        : last.status === "SERVFAIL"
          ? `${answered(last)}: a broken signature or an unreachable resolver, cannot tell which`
          : last.status === undefined
            ? answered(last)
            : `${answered(last)}: no AD, the resolver does not validate DNSSEC`;
    findings.push({
      check: CHECK,
      status: "warn",
      detail: `${host}'s resolver (${resolvers}): ${why}; ${dane ? `with smtp_tls_security_level=${level}` : "for DANE"} Postfix needs validated answers, else it ignores TLSA records and sends with unauthenticated TLS: point resolv.conf at a validating resolver (e.g. unbound on the host)`,
    });
  }
  if (probe.chrootResolvConfDiffers) {
    findings.push({
      check: "DNSSEC chroot",
      status: "warn",
      detail: `Postfix's chrooted daemons read $queue_directory/etc/resolv.conf, which differs from /etc/resolv.conf (checked above): copy it, or restart Postfix if its start script copies it (Debian)`,
    });
  }
  return findings;
}
