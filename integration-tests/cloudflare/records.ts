/**
 * EMULATOR — not Cloudflare. Cloudflare's API cannot be reached from these machines, so the
 * `cloudflare:index/dnsRecord:DnsRecord` resources of `@pulumi/cloudflare` are served by this
 * emulator (through the plugin in ./plugin.ts) instead of the Cloudflare provider plugin. It is
 * written from the documented behaviour of Cloudflare's DNS records API (`POST/PATCH/DELETE
 * /zones/{zone_id}/dns_records`): a record lives in a zone, has a type, a fully qualified name,
 * content and a TTL (1 = automatic); TXT content is stored as sent (quoted strings); a record's zone
 * cannot be changed, so a new `zoneId` replaces it, as the provider's schema forces; a record deleted
 * at Cloudflare is gone on the next read. Records are kept in a JSON file per stack, and each zone
 * can be rendered as a BIND zone file for the testbed's DNS server, which is how "published at
 * Cloudflare" is observed in the testbed.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type * as provider from "@pulumi/pulumi/provider";

/** The resource type this emulator stands in for. */
export const CLOUDFLARE_DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord";

/** Properties as the engine exchanges them with a provider. */
type Props = Record<string, unknown>;

interface DnsRecord {
  zoneId: string;
  name: string;
  type: string;
  content: string;
  ttl: number;
}

const REQUIRED = ["zoneId", "name", "type", "content", "ttl"] as const;
const TYPES = new Set(["A", "AAAA", "CNAME", "MX", "TXT", "PTR", "TLSA", "NS"]);

/** Cloudflare's DNS records, emulated, answering the calls the engine makes on a provider. */
export class CloudflareRecords {
  private readonly records: Map<string, DnsRecord>;

  /** @param file where the records are kept between operations (read now, written on each change). */
  constructor(private readonly file: string) {
    const saved = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as [string, DnsRecord][]) : [];
    this.records = new Map(saved);
  }

  private save(): void {
    writeFileSync(this.file, `${JSON.stringify([...this.records], null, 2)}\n`);
  }

  /** Validates what the API would refuse: missing fields, unknown types, a TTL out of range. */
  check(news: Props): provider.CheckResult {
    const failures: provider.CheckFailure[] = [];
    for (const k of REQUIRED) {
      if (news[k] === undefined || news[k] === "") failures.push({ property: k, reason: "required" });
    }
    if (typeof news.type === "string" && !TYPES.has(news.type)) {
      failures.push({ property: "type", reason: `${news.type} is not a DNS record type` });
    }
    const ttl = news.ttl as number;
    if (typeof ttl === "number" && ttl !== 1 && (ttl < 60 || ttl > 86400)) {
      failures.push({ property: "ttl", reason: "must be 1 (automatic) or 60..86400" });
    }
    return { inputs: news, failures };
  }

  diff(olds: Props, news: Props): provider.DiffResult {
    const changed = REQUIRED.filter((k) => olds[k] !== news[k]);
    return { changes: changed.length > 0, replaces: changed.includes("zoneId") ? ["zoneId"] : [] };
  }

  create(inputs: Props): provider.CreateResult {
    const id = randomUUID().replaceAll("-", "");
    this.records.set(id, recordOf(inputs));
    this.save();
    return { id, outs: { ...inputs, id } };
  }

  /** A record deleted at Cloudflare reads as an empty id: the engine drops it from state. */
  read(id: string, props: Props): provider.ReadResult {
    const r = this.records.get(id);
    return r ? { id, props: { ...props, ...r } } : { id: "", props: {} };
  }

  update(id: string, news: Props): provider.UpdateResult {
    this.records.set(id, recordOf(news));
    this.save();
    return { outs: { ...news, id } };
  }

  delete(id: string): void {
    this.records.delete(id);
    this.save();
  }

  /** The zone's records as BIND zone-file lines (names fully qualified). */
  zoneFile(zoneId: string): string {
    return [...this.records.values()]
      .filter((r) => r.zoneId === zoneId)
      .map((r) => `${r.name}. ${r.ttl === 1 ? 300 : r.ttl} IN ${r.type} ${absolute(r)}`)
      .sort()
      .join("\n")
      .concat("\n");
  }
}

/** Host names in record data are absolute at Cloudflare; a zone file needs the trailing dot to say so. */
function absolute(r: DnsRecord): string {
  return ["CNAME", "MX", "NS", "PTR"].includes(r.type) && !r.content.endsWith(".") ? `${r.content}.` : r.content;
}

function recordOf(p: Props): DnsRecord {
  return {
    zoneId: String(p.zoneId),
    name: String(p.name),
    type: String(p.type),
    content: String(p.content),
    ttl: Number(p.ttl),
  };
}
