/**
 * TXT record text as RFC 1035 character-strings: each at most 255 bytes,
 * double-quoted, joined by one space. This is the form Cloudflare stores and
 * returns a long value in (it splits an over-long string itself, which gave
 * Terraform and Pulumi users a perpetual diff on DKIM keys:
 * cloudflare/terraform-provider-cloudflare#6238), and the form BIND reads.
 * Sending it already split makes what we send equal to what comes back.
 */
export function quotedTxt(value: string): string {
  const chunks: string[] = [];
  for (let at = 0; at < value.length; at += 255) chunks.push(value.slice(at, at + 255));
  if (chunks.length === 0) chunks.push("");
  return chunks.map((c) => `"${c.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`).join(" ");
}

/** True for text a TXT record here may hold: printable ASCII only, so bytes equal characters. */
export function isTxtSafe(value: string): boolean {
  return /^[\x20-\x7e]*$/.test(value);
}
