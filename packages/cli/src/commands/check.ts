import { isHostname } from "@smartos-mail/pulumi/tools";
import { ipEndpoint, numberOption, parseCommandLine, positionals } from "../args";
import { resolverDns } from "../check/dns";
import { DEFAULT_DNSBL_ZONES, type DnsblZones } from "../check/dnsbl";
import { checkDomain } from "../check/domain";
import { dnssecProbeOption, hostFindings } from "../check/host";
import { relayFinding, relayOptions } from "../check/relay";
import { exitCodeFor, type Finding } from "../check/result";
import { UsageError } from "../errors";
import { renderFindings } from "../output/findings";
import { type Io, Progress, printHelp } from "../output/io";
import { smtpSessionOptions } from "../smtp/options";
import { sshLogin, sshLoginOptions } from "../ssh/login";

export const checkHelp = `Usage: smartos-mail check <domain> [--selector S ...] [--resolver IP[:PORT]] [--mail-host NAME]
                          [--dnsbl] [--host HOST --fingerprint SHA256:...] [--json]
       smartos-mail check --relay HOST [--port N] [--from ADDRESS] [--to ADDRESS] [<domain> ...]
       smartos-mail check --host HOST --fingerprint SHA256:... [<domain> ...]

Checks the DNS records a sending domain needs, as the guide sets them up:
  SPF      one v=spf1 record, valid, at most 10 DNS lookups counted through every
           include and redirect and at most 2 a/mx terms that find nothing
           (RFC 7208 4.6.4), and how it ends (-all)
  DKIM     the key record of each --selector: RSA of 2048 bits or more (under 1024
           fails, under 2048 warns) or Ed25519
  ADSP     reported as a note: RFC 5617 has been Historic since 2013
  DMARC    one valid v=DMARC1 record with p= and rua=
  SENDERS  the addresses mail is sent from: those of --mail-host, else those the
           SPF record names (ip4/ip6 addresses, the hosts of a and mx terms,
           through a redirect; not includes: they name other senders' hosts)
  PTR      forward-confirmed reverse DNS of each sending address (with
           --mail-host: naming it)
  HELO     an SPF record at the HELO name (--mail-host, else each address's PTR
           name): receivers check it, and for bounces it is all they check
  DNSBL    with --dnsbl: each sending address in the IP blocklists and the domain
           in the domain blocklists. An answer in 127.0.0.0/8 is a listing (fail),
           except the lists' error answers (127.255.255.252 mistyped list,
           .254 public resolver refused, .255 too many queries; the DBL's
           127.0.1.255), which warn: cannot tell. No answer (NXDOMAIN) passes
  DNSSEC   with --host: over SSH, whether the resolver the host's Postfix uses
           (/etc/resolv.conf) validates DNSSEC: dig +dnssec on the host, first
           the domain's SOA, then the --dnssec-probe name; an answer with the AD
           flag passes. DANE (smtp_tls_security_level=dane) needs it
  RELAY    with --relay: whether HOST relays mail for this machine. It connects to
           port 25 and tries what open-relay scanners try: MAIL FROM one outside
           address, RCPT TO another, then QUIT (never DATA: nothing is sent). An
           accepted recipient fails the check; run it from outside the server's
           mynetworks, where an accepted recipient means an open relay.

Options:
  -s, --selector S        DKIM selector to check (repeat for several)
      --resolver IP       ask this name server (IP, IP:PORT or [IPv6]:PORT) instead of the system's
      --mail-host NAME    the sending host (Postfix's myhostname); default: the hosts the SPF record names
      --dnsbl             ask the blocklists: zen.spamhaus.org (addresses), dbl.spamhaus.org (domain)
      --dnsbl-ip ZONE     an IP blocklist to ask instead of zen.spamhaus.org (repeat; implies
                          --dnsbl), as in reject_rbl_client: a private mirror, or a Spamhaus
                          DQS zone KEY.zen.dq.spamhaus.net (the key is not printed)
      --dnsbl-domain ZONE a domain blocklist to ask instead of dbl.spamhaus.org (repeat;
                          implies --dnsbl), as in reject_rhsbl_sender
      --host HOST         the mail server to log in to over SSH for the DNSSEC check
      --fingerprint FP    --host's key, as \`ssh-keyscan -t ed25519 HOST | ssh-keygen -lf -\`
                          prints it (SHA256:...); any other key is refused. Required with --host
      --ssh-port N        --host's SSH port (default 22)
  -l, --user NAME         --host's login user (default root)
  -i, --identity FILE     private key; default: ssh-agent (SSH_AUTH_SOCK), else
                          ~/.ssh/id_ed25519, id_ecdsa or id_rsa
      --dnssec-probe T:N  the signed name to ask when the domain's answer is not validated,
                          as Postfix's dnssec_probe (e.g. soa:example.org); default: the host's
                          dnssec_probe, else ns:. (the root zone)
      --relay HOST        try to relay through HOST (a host name or IP address)
  -p, --port N            SMTP port of --relay (default 25)
      --from ADDRESS      --relay's envelope sender (default relay-probe@example.com)
      --to ADDRESS        --relay's outside recipient (default relay-probe@example.net)
      --timeout S         --relay: seconds to wait for the connection and each reply (default 30)
      --json              print the findings as JSON

Exit status: 0 all pass (notes allowed), 1 warnings, 2 any failure or a usage
error -- the convention of monitoring plugins (Nagios, Icinga).
`;

/** A blocklist zone given on the command line. */
function zoneOption(option: string, zone: string): string {
  const bare = zone.replace(/\.$/, "").toLowerCase();
  if (!isHostname(bare) || !bare.includes(".")) {
    throw new UsageError(`--${option} "${zone}" is not a DNS zone`, "give the list's zone, e.g. zen.spamhaus.org");
  }
  return bare;
}

/** The blocklists `--dnsbl`, `--dnsbl-ip` and `--dnsbl-domain` ask; undefined when none of them is given. */
function dnsblZones(values: {
  dnsbl?: boolean;
  "dnsbl-ip"?: string[];
  "dnsbl-domain"?: string[];
}): DnsblZones | undefined {
  const ip = values["dnsbl-ip"]?.map((z) => zoneOption("dnsbl-ip", z));
  const domain = values["dnsbl-domain"]?.map((z) => zoneOption("dnsbl-domain", z));
  if (!values.dnsbl && ip === undefined && domain === undefined) return undefined;
  return { ip: ip ?? DEFAULT_DNSBL_ZONES.ip, domain: domain ?? DEFAULT_DNSBL_ZONES.domain };
}

/** `smartos-mail check`. */
export async function checkCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals: args } = parseCommandLine("check", argv, {
    selector: { type: "string", short: "s", multiple: true },
    resolver: { type: "string" },
    "mail-host": { type: "string" },
    dnsbl: { type: "boolean" },
    "dnsbl-ip": { type: "string", multiple: true },
    "dnsbl-domain": { type: "string", multiple: true },
    host: { type: "string" },
    ...sshLoginOptions,
    "ssh-port": { type: "string" },
    "dnssec-probe": { type: "string" },
    relay: { type: "string" },
    ...smtpSessionOptions,
    json: { type: "boolean" },
  });
  if (values.help) return printHelp(io, checkHelp);
  const relay = values.relay === undefined ? undefined : relayOptions(values);
  if (relay === undefined) {
    for (const option of Object.keys(smtpSessionOptions) as (keyof typeof smtpSessionOptions)[]) {
      if (values[option] !== undefined) throw new UsageError(`--${option} needs --relay HOST`);
    }
  }
  if (values.host === undefined) {
    for (const option of [...Object.keys(sshLoginOptions), "ssh-port", "dnssec-probe"] as const) {
      if (values[option as keyof typeof values] !== undefined) throw new UsageError(`--${option} needs --host HOST`);
    }
  } else if (!isHostname(values.host) && !/^[0-9a-fA-F:.]+$/.test(values.host)) {
    throw new UsageError(`--host "${values.host}" is not a host name or address`);
  }
  const probe = dnssecProbeOption(values["dnssec-probe"]);
  const login =
    values.host === undefined
      ? undefined
      : sshLogin(
          values.host,
          values,
          numberOption("ssh-port", values["ssh-port"], { integer: true, min: 1, max: 65535 }),
          env,
        );
  const dnsbl = dnsblZones(values);
  if (args.length === 0 && (relay !== undefined || login !== undefined) && dnsbl === undefined) {
    const findings: Finding[] = [];
    if (login !== undefined) findings.push(...(await hostFindings(login, { probe })));
    if (relay !== undefined) findings.push(await relayFinding(relay));
    return report(io, relay?.host ?? values.host ?? "", findings, values.json === true);
  }
  const [rawDomain] = positionals("check", args, ["domain"]);
  const domain = rawDomain.replace(/\.$/, "").toLowerCase();
  if (!isHostname(domain) || !domain.includes(".")) {
    throw new UsageError(`"${rawDomain}" is not a domain name`, "give the domain you send mail as, e.g. example.com");
  }
  const selectors = values.selector ?? [];
  for (const s of selectors) {
    if (!/^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/.test(s)) {
      throw new UsageError(
        `--selector "${s}" is not a DKIM selector`,
        "a selector is the s= of a DKIM-Signature, e.g. default",
      );
    }
  }
  const mailHost = values["mail-host"]?.replace(/\.$/, "");
  if (mailHost !== undefined && !isHostname(mailHost)) {
    throw new UsageError(
      `--mail-host "${values["mail-host"]}" is not a host name`,
      "give Postfix's myhostname, e.g. mx.example.com",
    );
  }
  let server: string | undefined;
  if (values.resolver !== undefined) {
    const { address, port } = ipEndpoint("resolver", values.resolver);
    server = port === undefined ? address : address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
  }
  const progress = new Progress(io);
  const findings = await checkDomain(resolverDns(server), domain, {
    selectors,
    mailHost,
    dnsbl,
    onStep: (what) => progress.update(what),
  });
  if (login !== undefined) {
    progress.update(`asking ${login.target} whether its resolver validates DNSSEC...`);
    findings.push(...(await hostFindings(login, { domain, probe })));
  }
  progress.clear();
  if (relay !== undefined) findings.push(await relayFinding(relay));
  return report(io, domain, findings, values.json === true);
}

/** Prints the findings about `subject` (a table, or JSON) and returns the exit code. */
function report(io: Io, subject: string, findings: Finding[], json: boolean): number {
  const code = exitCodeFor(findings);
  io.stdout.write(
    json
      ? `${JSON.stringify({ domain: subject, findings, exitCode: code }, null, 2)}\n`
      : renderFindings(subject, findings),
  );
  return code;
}
