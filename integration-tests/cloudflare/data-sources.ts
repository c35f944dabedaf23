/**
 * EMULATOR — not Cloudflare. The two data sources a DNS program needs, answered from the emulated account
 * (./account.ts): `cloudflare:index/getZone:getZone` (`GET /zones/{zone_id}`) and
 * `cloudflare:index/getDnsRecords:getDnsRecords` (`GET /zones/{zone_id}/dns_records`), with the argument and
 * result shapes of `@pulumi/cloudflare` 6.22.1 (getZone.d.ts, getDnsRecords.d.ts). Name filters are
 * case-insensitive ("Name filters are case-insensitive", types/input.d.ts `GetDnsRecordsName`). A filter this
 * emulator does not implement is refused rather than ignored, so no test passes on a filter that did nothing.
 */
import type { AccountData, StoredRecord } from "./account";
import { zoneNameOf } from "./api-rules";

export const GET_ZONE = "cloudflare:index/getZone:getZone";
export const GET_DNS_RECORDS = "cloudflare:index/getDnsRecords:getDnsRecords";

type Args = Record<string, unknown>;

/** `getZone({ zoneId })`: the zone's id and name; an unknown id is the API's error. */
export function getZone(account: AccountData, args: Args): Args {
  if (args.filter !== undefined) throw new Error("the Cloudflare emulator's getZone takes zoneId only, not filter");
  const zoneId = String(args.zoneId);
  const name = zoneNameOf(account.zones, zoneId);
  return { id: zoneId, zoneId, name, status: "active", type: "full", paused: false };
}

/** A string filter: `exact`, `startswith`, `endswith`, `contains`. */
type TextFilter = Partial<Record<"exact" | "startswith" | "endswith" | "contains", string>>;

function matches(value: string, filter: TextFilter | undefined, caseInsensitive: boolean): boolean {
  if (filter === undefined) return true;
  const fold = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
  const v = fold(value);
  const f = Object.fromEntries(Object.entries(filter).map(([k, x]) => [k, fold(String(x))])) as TextFilter;
  return (
    (f.exact === undefined || v === f.exact) &&
    (f.startswith === undefined || v.startsWith(f.startswith)) &&
    (f.endswith === undefined || v.endsWith(f.endswith)) &&
    (f.contains === undefined || v.includes(f.contains))
  );
}

const EMULATED_FILTERS = new Set(["zoneId", "type", "name", "content", "maxItems"]);

/** `getDnsRecords({ zoneId, type?, name?, content? })`: the zone's records that match every filter. */
export function getDnsRecords(account: AccountData, args: Args): Args {
  const unknown = Object.keys(args).filter((k) => args[k] !== undefined && !EMULATED_FILTERS.has(k));
  if (unknown.length > 0)
    throw new Error(`the Cloudflare emulator's getDnsRecords has no filter ${unknown.join(", ")}`);
  const zoneId = String(args.zoneId);
  zoneNameOf(account.zones, zoneId);
  const type = args.type === undefined ? undefined : String(args.type).toUpperCase();
  const results = account.records
    .filter(([, r]) => r.zoneId === zoneId && (type === undefined || r.type === type))
    .filter(([, r]) => matches(r.name, args.name as TextFilter | undefined, true))
    .filter(([, r]) => matches(r.content, args.content as TextFilter | undefined, false))
    .map(([id, r]) => resultOf(id, r));
  return { ...args, results };
}

function resultOf(id: string, r: StoredRecord): Args {
  return {
    id,
    name: r.name,
    type: r.type,
    content: r.content,
    ttl: r.ttl,
    comment: r.comment ?? "",
    proxied: false,
    proxiable: ["A", "AAAA", "CNAME"].includes(r.type),
    tags: [],
  };
}
