import { isSpfRecord, type ParsedSpfMechanism, parseSpfRecord, SPF_MAX_LOOKUPS } from "@smartos-mail/pulumi/tools";
import { type Dns, DnsLookupError } from "./dns";
import type { Finding } from "./result";

/** What following an SPF record through its includes and redirect found. */
export interface SpfWalk {
  /** DNS lookups of the whole evaluation (RFC 7208 4.6.4), counting every term as if each were reached. */
  lookups: number;
  /** Each record visited, in visiting order, with the lookups its own terms cost. */
  records: { domain: string; record: string; lookups: number }[];
  /** What makes receivers return permerror: syntax errors, includes without a record, loops. */
  errors: string[];
  /** Legal but ill-advised terms, and what could not be followed. */
  warnings: string[];
  /** The a and mx terms whose lookup found nothing ("void lookups"), as `domain: term`. */
  voidLookups: string[];
}

/** Records visited at most; a policy this large is broken anyway, and the walk stays bounded. */
const MAX_RECORDS = 40;
/** Void lookups an evaluation may make: RFC 7208 4.6.4 says receivers SHOULD stop there with permerror. */
const SPF_MAX_VOID_LOOKUPS = 2;
/** MX hosts an mx term may look up the addresses of; more is a permerror (RFC 7208 4.6.4). */
const SPF_MAX_MX_HOSTS = 10;

/** The SPF records among a name's TXT records. */
async function spfRecordsOf(dns: Dns, domain: string): Promise<string[]> {
  return (await dns.txt(domain)).filter(isSpfRecord);
}

/**
 * Follows `record` (published at `domain`) through every include and the
 * redirect, counting the DNS-querying terms (a, mx, ptr, exists, include,
 * redirect) of the whole evaluation, and looks up what each a and mx term
 * names: a term that finds nothing is a void lookup, and an mx term may name
 * at most 10 hosts. Receivers stop at the first match, so a real evaluation
 * may use fewer; the limits must hold for any sender, so every term counts.
 */
export async function walkSpf(dns: Dns, domain: string, record: string): Promise<SpfWalk> {
  const walk: SpfWalk = { lookups: 0, records: [], errors: [], warnings: [], voidLookups: [] };

  async function follow(how: string, target: string, chain: string[]): Promise<void> {
    const name = target.replace(/\.$/, "").toLowerCase();
    if (chain.includes(name)) {
      walk.errors.push(`${how}: loops back to ${name} (${[...chain, name].join(" -> ")})`);
      return;
    }
    if (walk.records.length >= MAX_RECORDS) {
      walk.errors.push(`${how}: not followed, more than ${MAX_RECORDS} records already`);
      return;
    }
    let records: string[];
    try {
      records = await spfRecordsOf(dns, name);
    } catch (err) {
      if (!(err instanceof DnsLookupError)) throw err;
      walk.errors.push(`${how}: the lookup failed (${err.code}); receivers return temperror`);
      return;
    }
    if (records.length === 0) {
      walk.errors.push(`${how}: ${name} has no SPF record (permerror, RFC 7208 5.2 and 6.1)`);
    } else if (records.length > 1) {
      walk.errors.push(`${how}: ${name} has ${records.length} SPF records (permerror, RFC 7208 4.5)`);
    } else {
      await visit(name, records[0], chain);
    }
  }

  async function visit(name: string, text: string, chain: string[]): Promise<void> {
    const parsed = parseSpfRecord(text);
    walk.records.push({ domain: name, record: text, lookups: parsed.lookups });
    walk.lookups += parsed.lookups;
    walk.errors.push(...parsed.errors.map((e) => `${name}: ${e}`));
    walk.warnings.push(...parsed.warnings.map((w) => `${name}: ${w}`));
    const next = [...chain, name];
    for (const m of parsed.mechanisms.filter((x) => x.type === "include")) {
      if (m.macro)
        walk.warnings.push(
          `${name}: ${m.text} uses macros; it cannot be followed here and its lookups are not counted`,
        );
      else if (m.target !== undefined) await follow(`${name}: ${m.text}`, m.target, next);
    }
    for (const m of parsed.mechanisms.filter((x) => (x.type === "a" || x.type === "mx") && !x.macro)) {
      await resolve(name, m);
    }
    const redirected = parsed.redirect !== undefined && !parsed.mechanisms.some((m) => m.type === "all");
    if (redirected && parsed.redirect !== undefined) {
      if (parsed.redirect.includes("%")) {
        walk.warnings.push(`${name}: redirect=${parsed.redirect} uses macros; it cannot be followed here`);
      } else {
        await follow(`${name}: redirect=${parsed.redirect}`, parsed.redirect, next);
      }
    }
  }

  /** Looks up what an a or mx term names, as a receiver would, and notes a void lookup or too many MX hosts. */
  async function resolve(name: string, m: ParsedSpfMechanism): Promise<void> {
    const target = (m.target ?? name).replace(/\.$/, "").toLowerCase();
    const where = `${name}: ${m.text}`;
    try {
      if (m.type === "mx") {
        const hosts = await dns.mx(target);
        if (hosts.length > SPF_MAX_MX_HOSTS) {
          walk.errors.push(
            `${where}: ${target} has ${hosts.length} MX hosts, an mx term may look up ${SPF_MAX_MX_HOSTS} (permerror, RFC 7208 4.6.4)`,
          );
        } else if (hosts.length === 0) {
          walk.voidLookups.push(where);
          walk.warnings.push(`${where}: ${target} has no MX record, the term matches nothing`);
        }
      } else if ((await dns.a(target)).length + (await dns.aaaa(target)).length === 0) {
        walk.voidLookups.push(where);
        walk.warnings.push(`${where}: ${target} has no A or AAAA record, the term matches nothing`);
      }
    } catch (err) {
      if (!(err instanceof DnsLookupError)) throw err;
      walk.errors.push(`${where}: the lookup failed (${err.code}); receivers return temperror`);
    }
  }

  await visit(domain.toLowerCase(), record, []);
  if (walk.voidLookups.length > SPF_MAX_VOID_LOOKUPS) {
    walk.errors.push(
      `${walk.voidLookups.length} lookups find nothing (${walk.voidLookups.join(", ")}); receivers stop at ${SPF_MAX_VOID_LOOKUPS} with permerror (RFC 7208 4.6.4): remove the terms that match nothing`,
    );
  }
  return walk;
}

/** What the record's final `all` (or its absence) means for mail from hosts it does not list. */
function allFinding(record: string): Finding {
  const parsed = parseSpfRecord(record);
  const all = parsed.mechanisms.find((m) => m.type === "all");
  const check = "SPF all";
  if (!all && parsed.redirect !== undefined) {
    return { check, status: "pass", detail: `no all; redirect=${parsed.redirect} decides for other hosts` };
  }
  if (!all) {
    return {
      check,
      status: "warn",
      detail: "no all mechanism: mail from unlisted hosts gets neutral; end the record with -all, as the guide does",
    };
  }
  switch (all.qualifier) {
    case "-":
      return { check, status: "pass", detail: "-all: mail from unlisted hosts fails SPF" };
    case "~":
      return { check, status: "pass", detail: "~all (softfail): unlisted hosts are suspect; the guide prefers -all" };
    case "?":
      return { check, status: "warn", detail: "?all (neutral) says nothing about unlisted hosts; use -all" };
    default:
      return { check, status: "fail", detail: `${all.text} lets any host in the world send as this domain; use -all` };
  }
}

/** SPF of `domain`: one record, valid, at most 10 lookups through includes and redirect, and its `all`. */
export async function checkSpf(dns: Dns, domain: string): Promise<Finding[]> {
  let records: string[];
  try {
    records = await spfRecordsOf(dns, domain);
  } catch (err) {
    if (!(err instanceof DnsLookupError)) throw err;
    return [{ check: "SPF record", status: "fail", detail: `cannot look up ${err.message}` }];
  }
  if (records.length === 0) {
    return [
      {
        check: "SPF record",
        status: "fail",
        detail: `no TXT record starting with v=spf1 at ${domain}; publish one, e.g. "v=spf1 mx -all"`,
      },
    ];
  }
  if (records.length > 1) {
    return [
      {
        check: "SPF record",
        status: "fail",
        detail: `${records.length} SPF records (${records.map((r) => `"${r}"`).join(", ")}); a domain may have one (RFC 7208 4.5: permerror), merge them`,
      },
    ];
  }
  const record = records[0];
  const walk = await walkSpf(dns, domain, record);
  const findings: Finding[] = [];
  if (walk.errors.length > 0) {
    findings.push({ check: "SPF record", status: "fail", detail: `${record} -- ${walk.errors.join("; ")}` });
  } else if (walk.warnings.length > 0) {
    findings.push({ check: "SPF record", status: "warn", detail: `${record} -- ${walk.warnings.join("; ")}` });
  } else {
    findings.push({ check: "SPF record", status: "pass", detail: record });
  }
  const breakdown = walk.records.map((r) => `${r.domain} ${r.lookups}`).join(", ");
  findings.push(
    walk.lookups > SPF_MAX_LOOKUPS
      ? {
          check: "SPF lookups",
          status: "fail",
          detail: `${walk.lookups} DNS lookups (${breakdown}); SPF allows ${SPF_MAX_LOOKUPS} (RFC 7208 4.6.4), receivers return permerror: replace a, mx or include with ip4/ip6`,
        }
      : { check: "SPF lookups", status: "pass", detail: `${walk.lookups} of ${SPF_MAX_LOOKUPS} (${breakdown})` },
  );
  findings.push(allFinding(record));
  return findings;
}
