import { platform } from "../remote/platform";
import { parseSections, section } from "../remote/sections";
import { type Script, sh } from "../remote/shell";

/** What {@link resolverProbeScript} asks the host's resolver. */
export interface ResolverProbeOptions {
  /** A domain to ask for first (its SOA): when it is signed, an AD answer settles the question. */
  domain?: string;
  /**
   * The signed name to ask when the domain's answer is not validated, in the
   * syntax of Postfix's `dnssec_probe` (`TYPE:NAME`, e.g. `ns:.`). Default: the
   * host's own `dnssec_probe` setting, else Postfix's default `ns:.` (the root zone, which is signed).
   */
  probe?: string;
}

/** One answer of the host's resolver, as dig printed it. */
export interface ResolverAnswer {
  /** What was asked, `TYPE NAME`, e.g. `SOA example.com` or `ns .`. */
  query: string;
  /** The reply's RCODE (`NOERROR`, `NXDOMAIN`, `SERVFAIL`, ...); absent when no reply came. */
  status?: string;
  /** The reply's header flags, lower case (`qr`, `rd`, `ra`, `ad`, ...). */
  flags: string[];
  /** The server that answered, as dig names it (`198.51.100.53#53(198.51.100.53)`). */
  server?: string;
  /** dig's reason when no reply came (e.g. `connection timed out; no servers could be reached`). */
  error?: string;
}

/** What the host's resolver said, and the Postfix settings that depend on it. */
export interface ResolverProbe {
  /** The `nameserver` lines of /etc/resolv.conf, which Postfix's resolver library reads. */
  nameservers: string[];
  /** `smtp_tls_security_level`, `smtp_dns_support_level` and `dnssec_probe` as postconf prints them (absent: no postconf, or an unknown parameter). */
  postfix: { smtpTlsSecurityLevel?: string; smtpDnsSupportLevel?: string; dnssecProbe?: string };
  /**
   * True when Postfix's chroot copy (`$queue_directory/etc/resolv.conf`, which
   * chrooted daemons read; Debian's startup script copies it) differs from
   * /etc/resolv.conf.
   */
  chrootResolvConfDiffers: boolean;
  /** The answers in the order asked: the domain's SOA, then the probe if the first was not validated. */
  answers: ResolverAnswer[];
}

/** A record type as dig and Postfix's dnssec_probe take it. */
const TYPE = /^[A-Za-z][A-Za-z0-9]{0,15}$/;
/** A DNS label, underscores allowed (`_25._tcp`); never starting with `+`, `-` or `@`, which dig reads as options. */
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

function isDnsName(name: string): boolean {
  if (name === ".") return true;
  const bare = name.endsWith(".") ? name.slice(0, -1) : name;
  return bare.length > 0 && bare.length <= 253 && bare.split(".").every((l) => LABEL.test(l));
}

/** Reads a `TYPE:NAME` probe (Postfix's dnssec_probe syntax); throws RangeError naming the fix. */
export function parseDnssecProbe(probe: string): { type: string; name: string } {
  const colon = probe.indexOf(":");
  const type = probe.slice(0, colon);
  const name = probe.slice(colon + 1);
  if (colon < 1 || !TYPE.test(type) || !isDnsName(name)) {
    throw new RangeError(
      `DNSSEC probe "${probe}" is not TYPE:NAME as in Postfix's dnssec_probe (e.g. ns:. or soa:example.com)`,
    );
  }
  return { type, name };
}

const VALIDATED = sh`validated() { printf '%s\\n' "$1" | grep -q '^;; flags:[^;]* ad[ ;]'; }`;

/** dig with the DO bit through /etc/resolv.conf, as Postfix asks with smtp_dns_support_level=dnssec; bounded to 3 s x 2 tries per server. */
function dig(type: string | Script, name: string | Script): Script {
  return sh`out=$(dig +dnssec +time=3 +tries=2 ${type} ${name} 2>&1)
rc=$?
printf '%s\\ndig-exit=%s\\n' "$out" "$rc"`;
}

/**
 * The remote command that asks the host's own resolver (the nameservers of
 * /etc/resolv.conf, which Postfix uses) for a signed name with the DNSSEC OK
 * bit, and prints dig's replies: a validating resolver sets AD on them
 * (RFC 4035 3.2.3). First the domain's SOA when a domain is given; then,
 * unless that was validated, the probe. dig is the query tool because it is
 * on both platforms: SmartOS's platform ships /usr/sbin/dig (illumos-extra's
 * bind), Debian's bind9-dnsutils (priority standard) has it; Postfix's own
 * tools have no way to print a lookup's AD bit. Exits 127 without dig.
 */
export function resolverProbeScript(options: ResolverProbeOptions = {}): Script {
  if (options.domain !== undefined && !isDnsName(options.domain)) {
    throw new RangeError(`"${options.domain}" is not a domain name`);
  }
  if (options.probe !== undefined) parseDnssecProbe(options.probe);
  const domain =
    options.domain === undefined
      ? sh``
      : section("domain", sh`printf 'query=%s\\n' ${`SOA ${options.domain}`}\n${dig("SOA", options.domain)}`);
  const probe =
    options.probe === undefined
      ? sh`probe=$(postconf -h dnssec_probe 2>/dev/null) || probe=
[ -n "$probe" ] || probe=ns:.`
      : sh`probe=${options.probe}`;
  return sh`PATH=${platform("smartos").path}; export PATH
command -v dig >/dev/null 2>&1 || { echo 'dig is not installed on this host (SmartOS has /usr/sbin/dig; Debian: apt-get install bind9-dnsutils)' >&2; exit 127; }
${VALIDATED}
${section("resolvers", sh`awk '$1 == "nameserver" { print $2 }' /etc/resolv.conf 2>/dev/null`)}
${section(
  "postfix",
  sh`for p in smtp_tls_security_level smtp_dns_support_level dnssec_probe; do v=$(postconf -h "$p" 2>/dev/null) && printf '%s=%s\\n' "$p" "$v"; done
q=$(postconf -h queue_directory 2>/dev/null) || q=
if [ -n "$q" ] && [ -f "$q/etc/resolv.conf" ] && ! cmp -s /etc/resolv.conf "$q/etc/resolv.conf"; then echo chroot_resolv_conf=differs; fi`,
)}
out=
${domain}
if ! validated "$out"; then
${probe}
ptype=\${probe%%:*} pname=\${probe#*:}
${section("probe", sh`printf 'query=%s %s\\n' "$ptype" "$pname"\n${dig(sh`"$ptype"`, sh`"$pname"`)}`)}
fi`;
}

/** One answer section: `query=...`, dig's output, `dig-exit=N`. */
function parseAnswer(text: string): ResolverAnswer {
  // Postfix's dnssec_probe writes the type in lower case (ns:.); rows show it as dig and zone files do.
  const query = (/^query=(.*)$/m.exec(text)?.[1] ?? "").replace(/^\S+/, (type) => type.toUpperCase());
  const status = /->>HEADER<<- opcode: \w+, status: (\w+)/.exec(text)?.[1];
  const flags = (/^;; flags:([^;]*);/m.exec(text)?.[1] ?? "").trim().split(/\s+/).filter(Boolean);
  const server = /^;; SERVER: (\S+)/m.exec(text)?.[1];
  const answer: ResolverAnswer = { query, flags: flags.map((f) => f.toLowerCase()) };
  if (status !== undefined) answer.status = status;
  if (server !== undefined) answer.server = server;
  if (status === undefined) {
    // dig says why on ";; " lines: "communications error to ADDRESS#53: timed out", "no servers could be reached".
    const reasons = text
      .split("\n")
      .filter((l) => l.startsWith(";; ") && !l.startsWith(";; global options"))
      .map((l) => l.slice(3).trim());
    const exit = /^dig-exit=(\d+)$/m.exec(text)?.[1];
    answer.error = reasons.length > 0 ? [...new Set(reasons)].join("; ") : `dig exited ${exit ?? "without a reply"}`;
  }
  return answer;
}

/** Reads what {@link resolverProbeScript} printed. */
export function parseResolverProbe(stdout: string): ResolverProbe {
  const sections = parseSections(stdout);
  const settings = new Map(
    (sections.postfix ?? "")
      .split("\n")
      .map((l) => /^([a-z_]+)=(.*)$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => [m[1], m[2]] as const),
  );
  const postfix: ResolverProbe["postfix"] = {};
  const level = settings.get("smtp_tls_security_level");
  const support = settings.get("smtp_dns_support_level");
  const dnssecProbe = settings.get("dnssec_probe");
  if (level !== undefined) postfix.smtpTlsSecurityLevel = level;
  if (support !== undefined) postfix.smtpDnsSupportLevel = support;
  if (dnssecProbe !== undefined) postfix.dnssecProbe = dnssecProbe;
  return {
    nameservers: (sections.resolvers ?? "").split("\n").filter((l) => l.trim() !== ""),
    postfix,
    chrootResolvConfDiffers: settings.get("chroot_resolv_conf") === "differs",
    answers: ["domain", "probe"].filter((s) => sections[s] !== undefined).map((s) => parseAnswer(sections[s])),
  };
}
