/**
 * EMULATOR — not Cloudflare. What Cloudflare's DNS records API refuses when a record is created or updated
 * (`POST`/`PUT /zones/{zone_id}/dns_records[/{id}]`), each rule citing its source; the review behind them is
 * shared/research/cloudflare-fidelity.md. An error is thrown with the API's code in parentheses, as the
 * provider passes the API's message on ("failed to make http request", terraform-provider-cloudflare
 * internal/services/dns_record/resource.go Create/Update).
 */
import type { StoredRecord } from "./account";

/** An error of the emulated API: `<message> (<code>)`. */
export class CloudflareApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`${message} (${code})`);
  }
}

/**
 * Zone ids are 32 lower-case hex digits ("Identifier", `maxLength: 32` in the API schema, cloudflare-go
 * dns/record.go `ZoneID`); any other id, or an id of no zone in the account, cannot be routed. The code and
 * wording (7003 "Could not route to …, perhaps your object identifier is invalid?") are those users report
 * for a wrong zone id (unverified against a current API).
 */
export function zoneNameOf(zones: Record<string, string>, zoneId: string): string {
  const name = /^[0-9a-f]{32}$/.test(zoneId) ? zones[zoneId] : undefined;
  if (name === undefined) {
    throw new CloudflareApiError(
      7003,
      `Could not route to /zones/${zoneId}/dns_records, perhaps your object identifier is invalid?`,
    );
  }
  return name;
}

/** The same record in the API's eyes: type, name and content; names compared case-insensitively. */
function identical(a: StoredRecord, b: StoredRecord): boolean {
  return a.zoneId === b.zoneId && a.type === b.type && a.name === b.name && a.content === b.content;
}

/** Characters of a TXT record's content, the per-name total, and of a name and its labels. */
export const LIMITS = { txtContent: 2048, txtPerName: 8192, name: 253, label: 63 } as const;

/**
 * Refuses `record` (already in its stored form) next to the zone's `others` (every other record, the one being
 * updated left out):
 * - 81058 "An identical record already exists." for a record of the same type, name and content (jeessy2/ddns-go#1378,
 *   timothymiller/cloudflare-ddns#255, which met it through name case). Reports exist for create only; the same
 *   check on update (a PUT making a record identical to another) is assumed, the stricter reading.
 * - 81053 for an A, AAAA or CNAME record where a CNAME exists, and for a CNAME where any record exists
 *   ("A CNAME record cannot exist on the same name as any other record type", cloudflare-docs
 *   dns/manage-dns-records/troubleshooting/records-with-same-name.mdx; 81053 in terraform-provider-cloudflare#1247).
 *   A TXT record next to a CNAME is accepted, and shadowed (cloudflare-docs#30376).
 * - TXT content over 2,048 characters, or over 8,192 for all TXT records of one name ("The Content for each TXT
 *   record must be 2,048 characters or less … the sum of their Content characters … must be 8,192 or less",
 *   dns-record-types.mdx; the error code is unverified, 9100 here).
 * - TXT content with an unbalanced quote (dns-record-types.mdx, TXT; code unverified, 9100 here).
 * - A name over 253 characters or with a label over 63 (cloudflare-docs partials/dns/records-name-field.mdx;
 *   code unverified, 9005 here).
 */
export function refusal(record: StoredRecord, others: StoredRecord[]): CloudflareApiError | undefined {
  const sameName = others.filter((o) => o.zoneId === record.zoneId && o.name === record.name);
  if (sameName.some((o) => identical(o, record))) {
    return new CloudflareApiError(81058, "An identical record already exists.");
  }
  const cname = sameName.some((o) => o.type === "CNAME");
  if ((cname && ["A", "AAAA", "CNAME"].includes(record.type)) || (record.type === "CNAME" && sameName.length > 0)) {
    return new CloudflareApiError(81053, "An A, AAAA, or CNAME record with that host already exists.");
  }
  if (record.name.length > LIMITS.name || record.name.split(".").some((l) => l.length > LIMITS.label)) {
    return new CloudflareApiError(9005, `DNS name is invalid: at most ${LIMITS.name} characters, labels at most 63.`);
  }
  if (record.type === "TXT") {
    if (record.content.length > LIMITS.txtContent) {
      return new CloudflareApiError(9100, `Content for TXT record is too long (at most ${LIMITS.txtContent}).`);
    }
    const total = sameName.filter((o) => o.type === "TXT").reduce((n, o) => n + o.content.length, 0);
    if (total + record.content.length > LIMITS.txtPerName) {
      return new CloudflareApiError(9100, `TXT records of ${record.name} exceed ${LIMITS.txtPerName} characters.`);
    }
    if (!balancedQuotes(record.content)) {
      return new CloudflareApiError(9100, "Content for TXT record has an unbalanced quote.");
    }
  }
  return undefined;
}

/** True when every `"` that is not escaped with `\` has its partner. */
function balancedQuotes(content: string): boolean {
  let open = false;
  for (let i = 0; i < content.length; i++) {
    if (content[i] === "\\") i++;
    else if (content[i] === '"') open = !open;
  }
  return !open;
}
