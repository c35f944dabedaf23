/**
 * EMULATOR — not Cloudflare. Cloudflare's API cannot be reached from these machines, so the
 * `cloudflare:index/dnsRecord:DnsRecord` resources of `@pulumi/cloudflare` are served by this
 * emulator (through the plugin in ./plugin.ts) instead of the Cloudflare provider plugin. It is
 * written from the documented behaviour of Cloudflare's DNS records API (`POST/PUT/DELETE
 * /zones/{zone_id}/dns_records`) and of the provider (terraform-provider-cloudflare
 * internal/services/dns_record, which pulumi-cloudflare wraps): a record lives in a zone of the account
 * (./account.ts), has a type, a fully qualified name, content, a TTL (1 = automatic) and a comment; it is
 * stored in the form Cloudflare keeps (./stored-form.ts) and refused as Cloudflare refuses (./api-rules.ts);
 * TXT content is stored as sent (quoted strings; the API does not add quotes: go-acme/lego#2521); a new
 * `zoneId` or `type` replaces a record (schema.go `RequiresReplace` on both) and a new comment updates it
 * (custom.go compares `comment`); a record deleted at Cloudflare is gone on the next read, while updating or
 * deleting it fails (resource.go: Read turns a 404 into "removed from state", Update and Delete do not). Each
 * zone can be rendered as a BIND zone file for the testbed's DNS server, which is how "published at
 * Cloudflare" is observed in the testbed.
 */
import { randomUUID } from "node:crypto";
import type * as provider from "@pulumi/pulumi/provider";
import { type AccountData, loadAccount, type StoredRecord, saveAccount } from "./account";
import { CloudflareApiError, refusal, zoneNameOf } from "./api-rules";
import { storedForm } from "./stored-form";

/** The resource type this emulator stands in for. */
export const CLOUDFLARE_DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord";

/** Properties as the engine exchanges them with a provider. */
type Props = Record<string, unknown>;

const REQUIRED = ["zoneId", "name", "type", "content", "ttl"] as const;
/** The provider's `type` validator, case-insensitive (terraform-provider-cloudflare dns_record/schema.go). */
const TYPES = new Set(
  "A AAAA CAA CERT CNAME DNSKEY DS HTTPS LOC MX NAPTR NS OPENPGPKEY PTR SMIMEA SRV SSHFP SVCB TLSA TXT URI".split(" "),
);

/** Cloudflare's DNS records, emulated, answering the calls the engine makes on a provider. */
export class CloudflareRecords {
  private readonly account: AccountData;
  private readonly records: Map<string, StoredRecord>;

  /** @param file the account file (./account.ts): read now, written on each change. */
  constructor(private readonly file: string) {
    this.account = loadAccount(file);
    this.records = new Map(this.account.records);
  }

  private save(): void {
    saveAccount(this.file, { zones: this.account.zones, records: [...this.records] });
  }

  /** Validates what the provider refuses before any API call: missing fields, unknown types, a TTL out of range. */
  check(news: Props): provider.CheckResult {
    const failures: provider.CheckFailure[] = [];
    for (const k of REQUIRED) {
      if (news[k] === undefined || news[k] === "") failures.push({ property: k, reason: "required" });
    }
    if (typeof news.type === "string" && !TYPES.has(news.type.toUpperCase())) {
      failures.push({ property: "type", reason: `${news.type} is not a DNS record type` });
    }
    const ttl = news.ttl as number;
    if (typeof ttl === "number" && ttl !== 1 && (ttl < 60 || ttl > 86400)) {
      failures.push({ property: "ttl", reason: "must be 1 (automatic) or 60..86400" });
    }
    return { inputs: news, failures };
  }

  diff(olds: Props, news: Props): provider.DiffResult {
    const changed = [...REQUIRED, "comment"].filter((k) => olds[k] !== news[k]);
    return { changes: changed.length > 0, replaces: changed.filter((k) => k === "zoneId" || k === "type") };
  }

  /** The record in its stored form, or the API's refusal next to the zone's other records. */
  private accepted(record: StoredRecord, except?: string): StoredRecord {
    const stored = storedForm(record, zoneNameOf(this.account.zones, record.zoneId));
    const others = [...this.records].filter(([id]) => id !== except).map(([, r]) => r);
    const refused = refusal(stored, others);
    if (refused) throw refused;
    return stored;
  }

  create(inputs: Props): provider.CreateResult {
    const stored = this.accepted(recordOf(inputs));
    const id = randomUUID().replaceAll("-", "");
    this.records.set(id, stored);
    this.save();
    // Create keeps the planned name and content in state (resource.go: apijson.UnmarshalComputed); only a
    // read returns the stored form.
    return { id, outs: { ...inputs, id } };
  }

  /**
   * The record as stored, as outputs and as inputs: the provider's Read overwrites state with what the API
   * returns (resource.go Read) and the bridge derives the inputs from it, so a value Cloudflare normalised
   * shows as a change on the next preview. A record deleted at Cloudflare reads as an empty id: the engine
   * drops it from state. An import reads `<zone_id>/<dns_record_id>` (dnsRecord.d.ts:
   * `pulumi import … '<zone_id>/<dns_record_id>'`).
   */
  read(id: string, props: Props): provider.ReadResult {
    const [zoneId, recordId] = id.includes("/") ? id.split("/") : [undefined, id];
    const r = recordId === undefined ? undefined : this.records.get(recordId);
    if (!r || (zoneId !== undefined && r.zoneId !== zoneId)) return { id: "", props: {} };
    return { id: recordId, props: { ...props, ...r, id: recordId }, inputs: { ...r } };
  }

  update(id: string, news: Props): provider.UpdateResult {
    this.existing(id);
    this.records.set(id, this.accepted(recordOf(news), id));
    this.save();
    return { outs: { ...news, id } };
  }

  delete(id: string): void {
    this.existing(id);
    this.records.delete(id);
    this.save();
  }

  /** Update and Delete of a record that is gone fail (resource.go handles 404 only in Read). */
  private existing(id: string): void {
    // 81044 "Record does not exist." is the code users report; unverified against a current API.
    if (!this.records.has(id)) throw new CloudflareApiError(81044, "Record does not exist.");
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
function absolute(r: StoredRecord): string {
  return ["CNAME", "MX", "NS", "PTR"].includes(r.type) && !r.content.endsWith(".") ? `${r.content}.` : r.content;
}

function recordOf(p: Props): StoredRecord {
  return {
    zoneId: String(p.zoneId),
    name: String(p.name),
    type: String(p.type),
    content: String(p.content),
    ttl: Number(p.ttl),
    ...(typeof p.comment === "string" ? { comment: p.comment } : {}),
  };
}
