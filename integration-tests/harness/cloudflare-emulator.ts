/**
 * EMULATOR — not Cloudflare. Cloudflare's API cannot be reached from these
 * machines, so the harness hands `cloudflare:index/dnsRecord:DnsRecord`
 * resources (from `@pulumi/cloudflare`) to this stand-in instead of the
 * Cloudflare provider plugin. It is written from the documented behaviour of
 * Cloudflare's DNS records API (`POST/PATCH/DELETE
 * /zones/{zone_id}/dns_records`): a record lives in a zone, has a type, a
 * fully qualified name, content and a TTL (1 = automatic); TXT content is
 * stored as sent (quoted strings); a record's zone cannot be changed, so a new
 * `zoneId` replaces it, as the provider's schema forces. Records are kept in a
 * JSON file beside the stack's state, and each zone can be rendered as a BIND
 * zone file for the testbed's DNS server, which is how "published at
 * Cloudflare" is observed in the testbed.
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { CheckFailure, DiffResult, Props } from "./provider-host";

/** The resource type this emulator stands in for. */
export const CLOUDFLARE_DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord";

interface DnsRecord {
  zoneId: string;
  name: string;
  type: string;
  content: string;
  ttl: number;
}

const REQUIRED = ["zoneId", "name", "type", "content", "ttl"] as const;
const TYPES = new Set(["A", "AAAA", "CNAME", "MX", "TXT", "PTR", "TLSA", "NS"]);

/** Cloudflare's DNS records, emulated; the same calls as the engine makes on a provider. */
export class CloudflareEmulator {
  private readonly records: Map<string, DnsRecord>;

  /** @param file where the records are kept between operations. */
  constructor(private readonly file: string) {
    const saved = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as [string, DnsRecord][]) : [];
    this.records = new Map(saved);
  }

  private save(): void {
    writeFileSync(this.file, `${JSON.stringify([...this.records], null, 2)}\n`);
  }

  /** Validates what the API would refuse: missing fields, unknown types, a TTL out of range. */
  async check(_urn: string, _olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
    const failures: CheckFailure[] = [];
    for (const k of REQUIRED) {
      if (news[k] === undefined || news[k] === "") failures.push({ property: k, reason: `${k} is required` });
    }
    if (typeof news.type === "string" && !TYPES.has(news.type)) {
      failures.push({ property: "type", reason: `type ${news.type} is not a DNS record type` });
    }
    const ttl = news.ttl as number;
    if (typeof ttl === "number" && ttl !== 1 && (ttl < 60 || ttl > 86400)) {
      failures.push({ property: "ttl", reason: "ttl must be 1 (automatic) or 60..86400" });
    }
    return { inputs: news, failures };
  }

  async diff(_id: string, _urn: string, olds: Props, news: Props, _oldInputs: Props): Promise<DiffResult> {
    const changed = REQUIRED.filter((k) => olds[k] !== news[k]);
    return {
      changes: changed.length > 0 ? "some" : "none",
      replaces: changed.includes("zoneId") ? ["zoneId"] : [],
      deleteBeforeReplace: false,
    };
  }

  async create(_urn: string, inputs: Props): Promise<{ id: string; outputs: Props }> {
    const id = randomUUID().replaceAll("-", "");
    this.records.set(id, recordOf(inputs));
    this.save();
    return { id, outputs: { ...inputs, id } };
  }

  async read(id: string, _urn: string, props: Props, _inputs: Props): Promise<{ id: string; outputs: Props }> {
    const r = this.records.get(id);
    return { id, outputs: r ? { ...props, ...r } : {} };
  }

  async update(id: string, _urn: string, _olds: Props, news: Props, _oldInputs: Props): Promise<Props> {
    this.records.set(id, recordOf(news));
    this.save();
    return { ...news, id };
  }

  async delete(id: string, _urn: string, _outputs: Props, _inputs: Props): Promise<void> {
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
