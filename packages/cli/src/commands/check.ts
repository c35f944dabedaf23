import { isHostname } from "@smartos-mail/pulumi/tools";
import { ipEndpoint, parseCommandLine, positionals } from "../args";
import { resolverDns } from "../check/dns";
import { checkDomain } from "../check/domain";
import { relayFinding, relayOptions } from "../check/relay";
import { exitCodeFor, type Finding } from "../check/result";
import { UsageError } from "../errors";
import { renderFindings } from "../output/findings";
import { type Io, Progress, printHelp } from "../output/io";
import { smtpSessionOptions } from "../smtp/options";

export const checkHelp = `Usage: smartos-mail check <domain> [--selector S ...] [--resolver IP[:PORT]] [--mail-host NAME] [--json]
       smartos-mail check --relay HOST [--port N] [--from ADDRESS] [--to ADDRESS] [<domain> [--selector S ...]]

Checks the DNS records a sending domain needs, as the guide sets them up:
  SPF    one v=spf1 record, valid, at most 10 DNS lookups counted through every
         include and redirect and at most 2 a/mx terms that find nothing
         (RFC 7208 4.6.4), and how it ends (-all)
  DKIM   the key record of each --selector: RSA of 2048 bits or more (under 1024
         fails, under 2048 warns) or Ed25519
  ADSP   reported as a note: RFC 5617 has been Historic since 2013
  DMARC  one valid v=DMARC1 record with p= and rua=
  PTR    forward-confirmed reverse DNS of each address of the mail host
  RELAY  with --relay: whether HOST relays mail for this machine. It connects to
         port 25 and tries what open-relay scanners try: MAIL FROM one outside
         address, RCPT TO another, then QUIT (never DATA: nothing is sent). An
         accepted recipient fails the check; run it from outside the server's
         mynetworks, where an accepted recipient means an open relay.

Options:
  -s, --selector S      DKIM selector to check (repeat for several)
      --resolver IP     ask this name server (IP, IP:PORT or [IPv6]:PORT) instead of the system's
      --mail-host NAME  the sending host (Postfix's myhostname); default: the domain's MX hosts
      --relay HOST      try to relay through HOST (a host name or IP address)
  -p, --port N          SMTP port of --relay (default 25)
      --from ADDRESS    --relay's envelope sender (default relay-probe@example.com)
      --to ADDRESS      --relay's outside recipient (default relay-probe@example.net)
      --timeout S       --relay: seconds to wait for the connection and each reply (default 30)
      --json            print the findings as JSON

Exit status: 0 all pass (notes allowed), 1 warnings, 2 any failure or a usage
error -- the convention of monitoring plugins (Nagios, Icinga).
`;

/** `smartos-mail check`. */
export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals: args } = parseCommandLine("check", argv, {
    selector: { type: "string", short: "s", multiple: true },
    resolver: { type: "string" },
    "mail-host": { type: "string" },
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
  if (relay !== undefined && args.length === 0) {
    const findings = [await relayFinding(relay)];
    return report(io, relay.host, findings, values.json === true);
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
    onStep: (what) => progress.update(what),
  });
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
