import { isIP } from "node:net";
import { reverseName } from "@smartos-mail/pulumi/tools";
import { type Dns, DnsLookupError } from "./dns";
import type { Finding, Status } from "./result";

/** The blocklists to ask: IP lists (a reversed address under the zone) and domain lists (the domain under the zone). */
export interface DnsblZones {
  ip: readonly string[];
  domain: readonly string[];
}

/** Spamhaus's public lists: ZEN (SBL, CSS, XBL, PBL) for addresses, the DBL for domains. */
export const DEFAULT_DNSBL_ZONES: DnsblZones = { ip: ["zen.spamhaus.org"], domain: ["dbl.spamhaus.org"] };

/**
 * The name to ask an IP list about `address` (RFC 5782 2.1, 2.4): the IPv4
 * octets reversed, or the IPv6 address's 32 nibbles reversed, under `zone`.
 */
export function dnsblName(address: string, zone: string): string {
  if (isIP(address) === 0) throw new Error(`${address} is not an IP address`);
  return `${reverseName(address).replace(/\.(?:in-addr|ip6)\.arpa$/, "")}.${zone}`;
}

/**
 * What Spamhaus's answers mean (docs.spamhaus.com, "Available Zones"): the
 * IP lists answer 127.0.0.x, the DBL 127.0.1.x. A private mirror or a DQS
 * zone of the same list answers the same codes.
 */
const LISTED: Record<string, string> = {
  "127.0.0.2": "SBL, a known spam source",
  "127.0.0.3": "SBL CSS, snowshoe spam, listed automatically",
  "127.0.0.4": "XBL, an exploited or infected host",
  "127.0.0.9": "SBL DROP, a hijacked or spammer-run network",
  "127.0.0.10": "PBL, the ISP says this range should not send mail directly",
  "127.0.0.11": "PBL, Spamhaus finds this range should not send mail directly",
  "127.0.0.30": "BCL, a botnet controller",
  "127.0.1.2": "DBL, a low-reputation domain",
  "127.0.1.4": "DBL, a phishing domain",
  "127.0.1.5": "DBL, a malware domain",
  "127.0.1.6": "DBL, a botnet C&C domain",
  "127.0.1.102": "DBL, an abused legitimate domain",
  "127.0.1.103": "DBL, an abused redirector",
  "127.0.1.104": "DBL, an abused domain used in phishing",
  "127.0.1.105": "DBL, an abused domain used by malware",
  "127.0.1.106": "DBL, an abused domain hosting C&C",
};

/**
 * Answers about the query, not the address or domain: Spamhaus keeps
 * 127.255.255.0/24 for them and says they must never be read as a listing
 * (spamhaus.org news 788; MIAB's evaluate_spamhaus_lookup warns on them), and
 * the DBL answers 127.0.1.255 to an IP query.
 */
const CANNOT_TELL: Record<string, string> = {
  "127.255.255.252": "the list's name is mistyped",
  "127.255.255.254":
    "the list refuses queries through a public or open resolver: ask through your own resolver, or a DQS zone",
  "127.255.255.255": "too many queries from this resolver: use a DQS zone",
  "127.0.1.255": "an IP address was asked of a domain list",
};

/**
 * How one blocklist answered: no record (NXDOMAIN) is not listed (pass); a
 * 127.0.0.0/8 answer is listed (fail), unless it is one of the error answers
 * (warn: cannot tell); an answer outside 127.0.0.0/8 is no blocklist answer
 * (warn: a wrong zone name, or a resolver that rewrites NXDOMAIN).
 */
export function classifyDnsblAnswer(answers: readonly string[]): { status: Status; detail: string } {
  if (answers.length === 0) return { status: "pass", detail: "not listed" };
  const meaning = (a: string) => LISTED[a] ?? CANNOT_TELL[a];
  const named = (list: readonly string[]) => list.map((a) => (meaning(a) ? `${a} (${meaning(a)})` : a)).join(", ");
  const loopback = answers.filter((a) => a.startsWith("127."));
  const errors = loopback.filter((a) => a.startsWith("127.255.255.") || a in CANNOT_TELL);
  const listed = loopback.filter((a) => !errors.includes(a));
  if (listed.length > 0) {
    return {
      status: "fail",
      detail: `listed: ${named(listed)}; receivers that use this list refuse the mail: ask the list for removal once the cause is fixed`,
    };
  }
  if (errors.length > 0) return { status: "warn", detail: `cannot tell: ${named(errors)}` };
  return {
    status: "warn",
    detail: `cannot tell: ${named(answers)} is not a blocklist answer (127.0.0.0/8); check the zone name, or whether the resolver rewrites NXDOMAIN`,
  };
}

/** A zone as shown in rows: a Spamhaus DQS key (`KEY.zen.dq.spamhaus.net`) is a credential and stays out of the output. */
export function zoneLabel(zone: string): string {
  return zone.replace(/^[^.]+(?=\.[^.]+\.dq\.spamhaus\.net$)/i, "<DQS key>");
}

async function ask(dns: Dns, check: string, name: string): Promise<Finding> {
  try {
    return { check, ...classifyDnsblAnswer(await dns.a(name)) };
  } catch (err) {
    if (!(err instanceof DnsLookupError)) throw err;
    return { check, status: "warn", detail: `cannot tell: the lookup failed (${err.code})` };
  }
}

/** Every sending address in each IP list, and the domain in each domain list: one row per list and name. */
export async function checkDnsbl(
  dns: Dns,
  domain: string,
  addresses: readonly string[],
  zones: DnsblZones,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const zone of zones.ip) {
    for (const address of addresses) {
      findings.push(await ask(dns, `DNSBL ${zoneLabel(zone)} ${address}`, dnsblName(address, zone)));
    }
  }
  for (const zone of zones.domain) {
    findings.push(await ask(dns, `DNSBL ${zoneLabel(zone)} ${domain}`, `${domain}.${zone}`));
  }
  return findings;
}
