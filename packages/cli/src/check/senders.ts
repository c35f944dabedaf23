import { isSpfRecord, parseSpfRecord } from "@smartos-mail/pulumi/tools";
import { type Dns, DnsLookupError } from "./dns";
import type { Finding } from "./result";

/** The hosts an SPF record lets send, as far as its own terms name them. */
export interface SpfSenders {
  /** `ip4`/`ip6` terms of one address (no prefix, `/32`, `/128`). */
  addresses: string[];
  /** `a` and `mx` terms: the name whose addresses (a) or whose MX hosts' addresses (mx) may send. */
  names: { type: "a" | "mx"; name: string }[];
  /** `ip4`/`ip6` networks: too many addresses to look up one by one. */
  networks: string[];
  /** `include` terms, not followed: an include lets another sender's hosts send (a mail service's ranges). */
  includes: string[];
  /** Terms whose domain holds macros: what they name is known only while a message is checked. */
  macros: string[];
  /** The `redirect=` target when the record has no `all`: that record is this domain's policy. */
  redirect?: string;
}

/**
 * The sending hosts named by one SPF record's pass (`+`) terms: ip4/ip6 single
 * addresses, a and mx names (relative to `domain` when they name none), and
 * what is left out and why. Nothing is looked up.
 */
export function spfSenders(record: string, domain: string): SpfSenders {
  const parsed = parseSpfRecord(record);
  const out: SpfSenders = { addresses: [], names: [], networks: [], includes: [], macros: [] };
  for (const m of parsed.mechanisms.filter((x) => x.qualifier === "+")) {
    if (m.macro) out.macros.push(m.text);
    else if (m.type === "ip4" || m.type === "ip6") {
      const single = m.cidr === undefined || m.cidr === (m.type === "ip4" ? "/32" : "/128");
      if (single && m.target !== undefined) out.addresses.push(m.target);
      else out.networks.push(m.text);
    } else if (m.type === "a" || m.type === "mx") {
      out.names.push({ type: m.type, name: (m.target ?? domain).replace(/\.$/, "").toLowerCase() });
    } else if (m.type === "include") out.includes.push(m.text);
  }
  if (parsed.redirect !== undefined && !parsed.mechanisms.some((m) => m.type === "all")) {
    if (parsed.redirect.includes("%")) out.macros.push(`redirect=${parsed.redirect}`);
    else out.redirect = parsed.redirect.replace(/\.$/, "").toLowerCase();
  }
  return out;
}

/** One address mail is sent from, and the name that led to it. */
export interface SendingAddress {
  address: string;
  /** The host name it is an address of (`--mail-host`, an a or mx term's host); absent for ip4/ip6 terms. */
  host?: string;
}

/** The sending addresses, and a finding that says where they came from (or that none was found). */
export interface Senders {
  addresses: SendingAddress[];
  finding: Finding;
}

/** Redirects followed at most; SPF's 10-lookup limit stops a receiver sooner. */
const MAX_REDIRECTS = 10;

const CHECK = "SENDERS";

async function addressesOf(dns: Dns, host: string): Promise<SendingAddress[]> {
  return [...(await dns.a(host)), ...(await dns.aaaa(host))].map((address) => ({ address, host }));
}

function unique(list: SendingAddress[]): SendingAddress[] {
  return list.filter((x, i) => list.findIndex((y) => y.address === x.address) === i);
}

function describe(list: SendingAddress[]): string {
  return list.map((s) => (s.host ? `${s.address} (${s.host})` : s.address)).join(", ");
}

/**
 * The addresses the domain's mail is sent from: those of `mailHost` when it
 * is given, else those its SPF record names (ip4/ip6 addresses, the hosts of
 * its a and mx terms, through a redirect), which is where receivers expect it
 * from: a send-only domain's MX hosts, if it has any, are not its senders.
 * Includes are not followed: they name other senders' hosts (a mail
 * service's ranges), whose reputation is theirs to keep.
 */
export async function sendingAddresses(dns: Dns, domain: string, mailHost?: string): Promise<Senders> {
  try {
    if (mailHost !== undefined) {
      const addresses = await addressesOf(dns, mailHost);
      if (addresses.length === 0) {
        return { addresses, finding: { check: CHECK, status: "fail", detail: `${mailHost} has no A or AAAA record` } };
      }
      return {
        addresses,
        finding: { check: CHECK, status: "info", detail: `${describe(addresses)}: the addresses of --mail-host` },
      };
    }
    const found: SendingAddress[] = [];
    const skipped: string[] = [];
    let name = domain.toLowerCase();
    const seen: string[] = [];
    for (let hop = 0; hop <= MAX_REDIRECTS && !seen.includes(name); hop++) {
      seen.push(name);
      const records = (await dns.txt(name)).filter(isSpfRecord);
      if (records.length !== 1) {
        skipped.push(
          `${name} has ${records.length === 0 ? "no" : records.length} SPF record${records.length > 1 ? "s" : ""}`,
        );
        break;
      }
      const terms = spfSenders(records[0], name);
      found.push(...terms.addresses.map((address) => ({ address })));
      for (const t of terms.names) {
        const hosts = t.type === "a" ? [t.name] : await dns.mx(t.name);
        for (const host of hosts) found.push(...(await addressesOf(dns, host)));
      }
      if (terms.networks.length > 0) skipped.push(`${terms.networks.join(", ")} (networks)`);
      if (terms.includes.length > 0) skipped.push(`${terms.includes.join(", ")} (other senders' hosts)`);
      if (terms.macros.length > 0) skipped.push(`${terms.macros.join(", ")} (macros)`);
      if (terms.redirect === undefined) break;
      name = terms.redirect;
    }
    const addresses = unique(found);
    const notChecked = skipped.length > 0 ? `; not checked: ${skipped.join("; ")}` : "";
    if (addresses.length === 0) {
      return {
        addresses,
        finding: {
          check: CHECK,
          status: "warn",
          detail: `no sending address in ${domain}'s SPF record (ip4, ip6, a or mx terms)${notChecked}; pass --mail-host (Postfix's myhostname) to check reverse DNS, the HELO name and blocklists`,
        },
      };
    }
    return {
      addresses,
      finding: {
        check: CHECK,
        status: "info",
        detail: `${describe(addresses)}: from ${domain}'s SPF record${notChecked}`,
      },
    };
  } catch (err) {
    if (!(err instanceof DnsLookupError)) throw err;
    return { addresses: [], finding: { check: CHECK, status: "fail", detail: `cannot look up ${err.message}` } };
  }
}
