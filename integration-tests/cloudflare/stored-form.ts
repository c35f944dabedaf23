/**
 * EMULATOR — not Cloudflare. The form in which Cloudflare's DNS records API stores a record, which is what
 * every later read (and so `pulumi refresh`) returns. Each rule cites its source; the review behind them is
 * shared/research/cloudflare-fidelity.md (findings 3, 5 and 6).
 */
import type { StoredRecord } from "./account";

/** Types whose content is a host name (lower-cased like names). */
const HOST_NAME_CONTENT = new Set(["CNAME", "MX", "NS", "PTR"]);

/**
 * The record as Cloudflare keeps it in zone `zoneName`:
 * - names lower-case: "Cloudflare's DNS API deals with the case insensitivity of DNS names and IPv6 addresses by
 *   forcing them into lower case" (ansible/ansible PR #44366); terraform-provider-cloudflare#39 and
 *   timothymiller/cloudflare-ddns#255 show names coming back lower-cased;
 * - host-name content lower-case: MX (terraform-provider-cloudflare#529), CNAME (pulumi-cloudflare#335); PTR is
 *   taken to be the same (unverified; the stricter reading, as a value sent in upper case then drifts);
 * - AAAA content in RFC 5952 canonical form: "an AAAA record with content `fe80::0:0:1` is stored and returned as
 *   `fe80::1`" (cloudflare-docs dns/manage-dns-records/reference/dns-record-types.mdx, A and AAAA);
 * - a name that is not the zone or inside it is taken as relative and gets the zone name appended: the API wants
 *   the "Complete DNS record name, including the zone name" (cloudflare-go dns/record.go), the provider's own
 *   comment gives `priorName="sub.app", apiFQDN="sub.app.zone.com"` (terraform-provider-cloudflare
 *   internal/services/dns_record/custom.go), and a wrong zone id published `mail.wangjihe.cf.cnproxy.tk`
 *   (NewFuture/DDNS#21);
 * - a trailing dot on the name is not kept (names are returned fully qualified without it, custom.go's FQDN
 *   handling);
 * - a TXT character-string over 255 octets is split into strings of 255, which gave Terraform users a diff on
 *   every plan for long DKIM keys sent as one string (terraform-provider-cloudflare#6238, open). How escapes
 *   (`\"`, `\\`) come back is unverified: they are kept as sent, and the split counts octets of the data.
 */
export function storedForm(r: StoredRecord, zoneName: string): StoredRecord {
  const bare = r.name.toLowerCase().replace(/\.$/, "");
  const zone = zoneName.toLowerCase();
  const name = bare === zone || bare.endsWith(`.${zone}`) ? bare : `${bare}.${zone}`;
  const type = r.type.toUpperCase();
  let content = r.content;
  if (HOST_NAME_CONTENT.has(type)) content = content.toLowerCase();
  if (type === "AAAA") content = canonicalIpv6(content);
  if (type === "TXT") content = splitLongStrings(content);
  return { ...r, name, type, content };
}

/** RFC 5952 section 4: lower-case hex, no leading zeros, the first longest run of 2+ zero groups as `::`. */
export function canonicalIpv6(address: string): string {
  // The WHATWG URL serializer of an IPv6 host implements exactly RFC 5952 4.2 (url.spec.whatwg.org, "IPv6
  // serializer": compress the first longest sequence of two or more zero pieces, lower-case hex).
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** Quoted TXT content with every character-string of over 255 octets split into strings of 255. */
function splitLongStrings(content: string): string {
  const strings = content.match(/"(?:[^"\\]|\\.)*"/g);
  if (!strings || strings.join(" ") !== content.trim()) return content;
  const data = strings.map((s) => s.slice(1, -1).replace(/\\(.)/g, "$1"));
  const chunks = data.flatMap((d) =>
    Array.from({ length: Math.max(1, Math.ceil(d.length / 255)) }, (_, i) => d.slice(i * 255, i * 255 + 255)),
  );
  if (chunks.length === data.length) return content;
  return chunks.map((c) => `"${c.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(" ");
}
