/**
 * What preview checks against the Cloudflare zone a DnsAuthRecords writes to, from the `getZone` and
 * `getDnsRecords` data sources: pure functions of what they returned, each giving the refusal's text or
 * undefined.
 */

/** The comment on every record this library writes (and how it knows its own records). */
export const MANAGED_COMMENT = "managed by smartos-mail";

/**
 * A name outside the zone: Cloudflare takes it as relative and appends the zone name, so `_dmarc.example.com`
 * written with the id of `other.org` is published as `_dmarc.example.com.other.org` and nothing fails.
 */
export function zoneMismatch(field: string, name: string, idField: string, zoneName: string): string | undefined {
  const zone = zoneName.toLowerCase();
  if (name === zone || name.endsWith(`.${zone}`)) return undefined;
  return `${field} ${name} is not in the zone ${idField} names (${zone}); Cloudflare would publish its records under ${zone} (e.g. ${name}.${zone}). Give the id of the zone that holds ${name}`;
}

/** A record as `getDnsRecords` returns it (the fields read here). */
export interface ZoneRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  comment?: string;
}

const SPF = { what: "an SPF record", rule: "RFC 7208 3.2: two make SPF fail", tag: /^"?v=spf1(\s|"|$)/i } as const;

/** The records a name may have only one of, and what makes a TXT record one of them. */
const SINGLE = [
  { key: "spf", ...SPF },
  { key: "hostSpf", ...SPF },
  {
    key: "dmarc",
    what: "a DMARC record",
    rule: "RFC 7489 6.6.3: receivers ignore DMARC",
    tag: /^"?v=DMARC1(;|\s|"|$)/i,
  },
] as const;

/** Which of the single records the stack writes, at which name, and the id of one the user said to adopt. */
export interface SingleRecords {
  /** The domain's SPF record. */
  spf?: { name: string; adopt?: string };
  /** The mail host name's own SPF record. */
  hostSpf?: { name: string; adopt?: string };
  /** The domain's DMARC record. */
  dmarc?: { name: string; adopt?: string };
}

/**
 * The SPF or DMARC records at the names this stack writes them that it does not manage (not its comment) and was
 * not told to adopt: a second one is accepted by Cloudflare and breaks SPF or DMARC for all mail.
 */
export function foreignSingleRecords(zone: string, wanted: SingleRecords, records: ZoneRecord[]): string | undefined {
  const found: string[] = [];
  for (const { key, what, rule, tag } of SINGLE) {
    const own = wanted[key];
    if (!own) continue;
    for (const r of records) {
      if (r.type !== "TXT" || r.name.toLowerCase() !== own.name || !tag.test(r.content)) continue;
      if (r.comment === MANAGED_COMMENT || r.id === own.adopt) continue;
      found.push(
        `the zone ${zone} already has ${what} at ${r.name} that this stack does not manage (id ${r.id}: ${r.content}); with this stack's that makes two (${rule}). Let the stack take it over with adopt: { ${key}: "${r.id}" } (its content becomes this stack's), or delete it at Cloudflare`,
      );
    }
  }
  return found.length > 0 ? found.join("; ") : undefined;
}
