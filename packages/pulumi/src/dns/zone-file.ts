import type { AuthRecord } from "./auth-records";
import { quotedTxt } from "./txt";

/**
 * Records in BIND zone-file form, one per line with absolute owner names, to
 * paste into (or `$INCLUDE` from) a zone that has its own SOA and NS records.
 */
export function zoneFile(records: readonly AuthRecord[], ttl: number): string {
  return records
    .map((r) => {
      const data = r.type === "TXT" ? quotedTxt(r.content) : r.type === "PTR" ? `${r.content}.` : r.content;
      return `${r.name}.\t${ttl}\tIN\t${r.type}\t${data}\n`;
    })
    .join("");
}
