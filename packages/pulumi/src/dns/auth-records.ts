import { isIP } from "node:net";
import { z } from "zod";
import { isoDate } from "../validation/dates";
import { canonicalIpv6, dnsLabel, fqdn, ipv4Address, ipv6Address, isHostname } from "../validation/names";
import { CLOUDFLARE_LIMITS, overLongNames, txtOverLimits } from "./cloudflare-limits";
import { type Dmarc, dmarcRecord, dmarcSchema } from "./dmarc";
import { recordKey } from "./record-keys";
import { reverseName } from "./reverse";
import { spfRecord, spfSchema } from "./spf";
import { isTxtSafe, quotedTxt } from "./txt";

/** One DNS record to publish. Names are absolute, lower-case, without the trailing dot. */
export interface AuthRecord {
  /**
   * Stable key, used to name the Cloudflare resource: the record's kind, and for a kind that may have several
   * records its content (`spf`, `dkim-default`, `a-203.0.113.7`, `aaaa-2001-db8--7`, `txt-<hash>`, `ptr-…`), so
   * removing or reordering one never rewrites another.
   */
  key: string;
  /** The key 0.1.0 named the record by (`a-0`, `txt-1`, … by list position), for the resource's alias. */
  positionalKey?: string;
  /** Owner name, e.g. `default._domainkey.example.com`. */
  name: string;
  /** Record type. */
  type: "A" | "AAAA" | "TXT" | "PTR";
  /** Record data; TXT text unquoted. */
  content: string;
  /** Whether it belongs in the reverse zone rather than the domain's zone. */
  reverse: boolean;
}

const selector = dnsLabel;

/** A Cloudflare record id: 32 hex digits ("Identifier", cloudflare-go dns/record.go). */
const recordId = z.string().regex(/^[0-9a-f]{32}$/, "must be a Cloudflare record id (32 hex digits)");

/** zod schema of one DKIM record's plain part (its TXT value comes later, as an output). */
export const dkimRecordSchema = z
  .object({
    /** The selector, e.g. `default`; the record is `<selector>._domainkey.<domain>`. */
    selector,
    /**
     * Last day (YYYY-MM-DD) to publish this key, for a retired key after a
     * rotation: on the first `pulumi up` after that day the record is removed.
     */
    publishUntil: isoDate.optional(),
  })
  .strict();

/** zod schema of the validated, plain part of DnsAuthRecords' arguments (DKIM values come later, as outputs). */
export const dnsAuthSchema = z
  .object({
    /** The sending domain, e.g. `example.com` (the part after @ in From:). Sent lower-case, as Cloudflare keeps names. */
    domain: fqdn.transform(lowerCase),
    /** TTL of every record, 60..86400 seconds. Default 300. */
    ttl: z.number().int().min(60, "must be 60..86400 seconds").max(86400, "must be 60..86400 seconds").default(300),
    /**
     * The mail server: its name (Postfix's myhostname, inside `domain`) and
     * public addresses. Gets A/AAAA records so forward-confirmed reverse DNS
     * can hold, and is the default SPF policy (`ip4:... ip6:... -all`).
     */
    mailHost: z
      .object({
        /** myhostname, e.g. `mx.example.com`. Sent lower-case, as Cloudflare keeps names. */
        name: fqdn.transform(lowerCase),
        /** Public IPv4 addresses it sends from; each gets an A record. Each at most once. */
        ipv4: z.array(ipv4Address).default([]),
        /**
         * Public IPv6 addresses it sends from; each gets an AAAA record, sent in the RFC 5952 form Cloudflare
         * keeps (`2001:DB8:0:0::7` is sent as `2001:db8::7`). Each at most once, in any spelling.
         */
        ipv6: z.array(ipv6Address.transform(canonicalIpv6)).default([]),
        /**
         * Also publish the name's own SPF record, `v=spf1 ip4:... ip6:... -all` from its addresses (needs some,
         * and a name below `domain`). Receivers check SPF for the HELO name, and for the envelope of the mail
         * the host sends itself (root's, cron's, the daily report's, bounces' HELO), which is `<user>@<name>`.
         * Default false; SendOnlyMailServer sets it.
         */
        spf: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /**
     * SPF policy as typed mechanisms in order, ending with `{ type: "all" }`
     * (qualifier `-` by default, as the guide recommends). At most 10
     * DNS-querying mechanisms. Default: the mail host's addresses, then `-all`;
     * required when the mail host has none.
     */
    spf: spfSchema.optional(),
    /**
     * Other TXT records at the domain's apex (site verifications...), printable ASCII, each at most once. Cloudflare
     * takes at most 2048 characters per record as sent (quoted strings of 255, about 2030 characters of text) and
     * 8192 for all TXT records of one name, the SPF record included. A second SPF record is refused.
     */
    apexTxt: z.array(z.string()).default([]),
    /** DKIM key records, one per selector. */
    dkim: z.array(dkimRecordSchema).default([]),
    /**
     * ADSP policy at `_adsp._domainkey` (`dkim=...`). Default `all`, as the
     * guide chooses; `false` publishes none. RFC 5617 is Historic since 2013:
     * receivers use DMARC, and the record is kept only because the guide asks.
     */
    adsp: z.union([z.enum(["unknown", "all", "discardable"]), z.literal(false)]).default("all"),
    /**
     * DMARC tags at `_dmarc`. Default `p=none` with `rua=mailto:postmaster@<domain>`,
     * as in the guide; move to quarantine or reject once reports are clean. `false` publishes none.
     */
    dmarc: z.union([dmarcSchema, z.literal(false)]).default({ p: "none" }),
    /**
     * Reverse zone holding the mail host's PTR records, e.g. `113.0.203.in-addr.arpa`, when it is yours at
     * Cloudflare (needs `mailHost` and `ptrZoneId`). Addresses it does not cover get a line in `ptrRequests` instead.
     */
    ptrZone: z
      .string()
      .refine((v) => isHostname(v) && /\.(in-addr|ip6)\.arpa$/i.test(v), {
        message: "must be a reverse zone such as 113.0.203.in-addr.arpa",
      })
      .transform(lowerCase)
      .optional(),
    /**
     * Records already at Cloudflare for the stack to take over, by record id, where preview would otherwise refuse
     * them as a second SPF or DMARC record (its message names the id). Their content becomes this stack's and
     * destroy deletes them. Needs `zoneId` as a plain string.
     */
    adopt: z
      .object({
        /** Id of the SPF record at `domain` to take over. */
        spf: recordId.optional(),
        /** Id of the DMARC record at `_dmarc.<domain>` to take over. */
        dmarc: recordId.optional(),
        /** Id of the SPF record at the mail host's name to take over. */
        hostSpf: recordId.optional(),
      })
      .strict()
      .optional(),
    /** The date to judge `publishUntil` against, YYYY-MM-DD. Default: today (UTC). */
    today: isoDate.optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const host = a.mailHost;
    if (host && host.name !== a.domain && !host.name.endsWith(`.${a.domain}`)) {
      ctx.addIssue({
        code: "custom",
        path: ["mailHost", "name"],
        message: `is not in ${a.domain}; its A/AAAA records belong to its own zone (use a DnsAuthRecords for that domain)`,
      });
    }
    if (host?.spf && host.ipv4.length + host.ipv6.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["mailHost", "spf"],
        message: "needs the host's addresses (ipv4 or ipv6): its SPF record lists them",
      });
    }
    if (host?.spf && host.name === a.domain) {
      ctx.addIssue({
        code: "custom",
        path: ["mailHost", "spf"],
        message: `must be false when the host's name is the domain: ${a.domain}'s own SPF record (spf) is the host's`,
      });
    }
    if (!a.spf && (!host || host.ipv4.length + host.ipv6.length === 0)) {
      ctx.addIssue({
        code: "custom",
        path: ["spf"],
        message:
          'is needed when mailHost has no addresses: say which hosts may send, e.g. { mechanisms: [{ type: "mx" }, { type: "all" }] }',
      });
    }
    const apexSeen = new Set<string>();
    a.apexTxt.forEach((t, i) => {
      if (apexSeen.has(t)) {
        ctx.addIssue({
          code: "custom",
          path: ["apexTxt", i],
          message: "is listed twice; Cloudflare refuses a record identical to another (81058)",
        });
      }
      apexSeen.add(t);
      if (/^v=spf1(\s|$)/i.test(t)) {
        ctx.addIssue({
          code: "custom",
          path: ["apexTxt", i],
          message: "is a second SPF record; a domain may have only one (RFC 7208 3.2), put its mechanisms in spf",
        });
      } else if (!isTxtSafe(t)) {
        ctx.addIssue({ code: "custom", path: ["apexTxt", i], message: "must be printable ASCII" });
      }
    });
    if (host) {
      for (const field of ["ipv4", "ipv6"] as const) {
        host[field].forEach((ip, i) => {
          if (host[field].indexOf(ip) < i) {
            ctx.addIssue({
              code: "custom",
              path: ["mailHost", field, i],
              message: `${ip} is listed twice (Cloudflare keeps one spelling of an address, and refuses a record identical to another: 81058)`,
            });
          }
        });
      }
    }
    for (const issue of [...txtOverLimits(a, spfTextOf(a)), ...overLongNames(a)]) {
      ctx.addIssue({ code: "custom", ...issue });
    }
    const seen = new Set<string>();
    a.dkim.forEach((d, i) => {
      if (seen.has(d.selector))
        ctx.addIssue({ code: "custom", path: ["dkim", i, "selector"], message: `${d.selector} is listed twice` });
      seen.add(d.selector);
    });
    if (a.ptrZone && host && ptrCovered(a).length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["ptrZone"],
        message: `does not hold the PTR of any mail host address (${[...host.ipv4, ...host.ipv6].join(", ")}); give the reverse zone that covers one`,
      });
    }
    if (a.ptrZone && !host) {
      ctx.addIssue({ code: "custom", path: ["ptrZone"], message: "needs mailHost: the PTR points at its name" });
    }
  });

/** The mail host's addresses whose PTR lives in `ptrZone`. */
function ptrCovered(a: { ptrZone?: string; mailHost?: { ipv4: string[]; ipv6: string[] } }): string[] {
  const zone = a.ptrZone;
  if (!zone || !a.mailHost) return [];
  // check's superRefine also sees addresses the field schemas refused: skip them rather than throw.
  return [...a.mailHost.ipv4, ...a.mailHost.ipv6].filter(
    (ip) => isIP(ip) !== 0 && reverseName(ip).endsWith(`.${zone}`),
  );
}

function lowerCase(v: string): string {
  return v.toLowerCase();
}

/** The SPF policy of the mail host's addresses: each of them, then `-all`. */
function addressesPolicy(host: { ipv4: string[]; ipv6: string[] } | undefined): string {
  return spfRecord({
    mechanisms: [
      ...(host?.ipv4 ?? []).map((value) => ({ type: "ip4" as const, value, qualifier: "+" as const })),
      ...(host?.ipv6 ?? []).map((value) => ({ type: "ip6" as const, value, qualifier: "+" as const })),
      { type: "all" as const, qualifier: "-" as const },
    ],
  });
}

/** The SPF record's text: `spf`, or by default the mail host's addresses, then `-all`. */
function spfTextOf(a: Pick<DnsAuth, "spf" | "mailHost">): string {
  return a.spf ? spfRecord(a.spf) : addressesPolicy(a.mailHost);
}

/** The name of the mail host's own SPF record, when `mailHost.spf` asks for one. */
export function hostSpfName(a: Pick<DnsAuth, "mailHost">): string | undefined {
  return a.mailHost?.spf ? a.mailHost.name : undefined;
}

/** Validated DnsAuthRecords arguments, defaults applied. */
export type DnsAuth = z.output<typeof dnsAuthSchema>;

function defaultDmarc(domain: string, d: Dmarc): Dmarc {
  // The guide's record: p=none with aggregate reports to postmaster.
  return d.rua === undefined ? { ...d, rua: [`mailto:postmaster@${domain}`] } : d;
}

/**
 * Every record the arguments ask for, in a fixed order. `dkimValues[i]` is
 * the TXT value of `a.dkim[i]`; DKIM records whose `publishUntil` is before
 * `today` are left out (the tail end of a key rotation).
 */
export function authRecords(a: DnsAuth, dkimValues: readonly string[], today: string): AuthRecord[] {
  const out: AuthRecord[] = [];
  const host = a.mailHost;
  if (host) {
    for (const [i, ip] of host.ipv4.entries()) {
      out.push({ ...recordKey("a", ip, i), name: host.name, type: "A", content: ip, reverse: false });
    }
    for (const [i, ip] of host.ipv6.entries()) {
      out.push({ ...recordKey("aaaa", ip, i), name: host.name, type: "AAAA", content: ip, reverse: false });
    }
  }
  const hostSpf = hostSpfName(a);
  if (hostSpf !== undefined) {
    out.push({ key: "host-spf", name: hostSpf, type: "TXT", content: addressesPolicy(host), reverse: false });
  }
  out.push({ key: "spf", name: a.domain, type: "TXT", content: spfTextOf(a), reverse: false });
  for (const [i, t] of a.apexTxt.entries()) {
    out.push({ ...recordKey("txt", t, i), name: a.domain, type: "TXT", content: t, reverse: false });
  }
  a.dkim.forEach((d, i) => {
    if (d.publishUntil !== undefined && d.publishUntil < today) return;
    const value = dkimValues[i];
    if (value === undefined || !/^v=DKIM1;/.test(value) || !isTxtSafe(value)) {
      throw new Error(`dkim[${i}] (${d.selector}): the value must be a DKIM key record starting with v=DKIM1;`);
    }
    if (quotedTxt(value).length > CLOUDFLARE_LIMITS.txtContent) {
      throw new Error(
        `dkim[${i}] (${d.selector}): the value is over Cloudflare's ${CLOUDFLARE_LIMITS.txtContent} characters for a TXT record`,
      );
    }
    out.push({
      key: `dkim-${d.selector}`,
      name: `${d.selector}._domainkey.${a.domain}`,
      type: "TXT",
      content: value,
      reverse: false,
    });
  });
  if (a.adsp !== false) {
    // ADSP (RFC 5617) was moved to Historic in 2013; the guide still publishes it.
    out.push({
      key: "adsp",
      name: `_adsp._domainkey.${a.domain}`,
      type: "TXT",
      content: `dkim=${a.adsp}`,
      reverse: false,
    });
  }
  if (a.dmarc !== false) {
    out.push({
      key: "dmarc",
      name: `_dmarc.${a.domain}`,
      type: "TXT",
      content: dmarcRecord(defaultDmarc(a.domain, a.dmarc)),
      reverse: false,
    });
  }
  if (host && a.ptrZone) {
    for (const [i, ip] of ptrCovered(a).entries()) {
      out.push({ ...recordKey("ptr", ip, i), name: reverseName(ip), type: "PTR", content: host.name, reverse: true });
    }
  }
  return out;
}

/** What to ask the network's owner for when we cannot write the PTR records ourselves. */
export function ptrRequests(a: DnsAuth): string[] {
  if (!a.mailHost) return [];
  const name = a.mailHost.name;
  const covered = new Set(ptrCovered(a));
  return [...a.mailHost.ipv4, ...a.mailHost.ipv6]
    .filter((ip) => !covered.has(ip))
    .map((ip) => `Ask the owner of ${ip} to set its PTR record (${reverseName(ip)}) to ${name}.`);
}
