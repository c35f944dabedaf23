/**
 * EMULATOR — not Cloudflare. The emulated Cloudflare account of one test stack: its zones (id → name) and
 * the DNS records in them, kept in one JSON file that the plugin (./plugin.ts) reads on every call and
 * the test harness seeds before a stack's first operation, as a real account has zones, and often
 * records, before any program runs (Email Routing adds "the necessary MX and SPF records":
 * developers.cloudflare.com/api/resources/email_routing/subresources/dns/methods/create).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** One DNS record as the API stores it (names fully qualified, without the trailing dot). */
export interface StoredRecord {
  zoneId: string;
  name: string;
  type: string;
  content: string;
  ttl: number;
  comment?: string;
}

/** What the account file holds. */
export interface AccountData {
  /** Zone id → zone name, e.g. `{ "0123…cdef": "example.smtb" }`. */
  zones: Record<string, string>;
  /** Record id → record. */
  records: [string, StoredRecord][];
}

/** Reads the account file; a stack that was never seeded has no zones and no records. */
export function loadAccount(file: string): AccountData {
  if (!existsSync(file)) return { zones: {}, records: [] };
  const data = JSON.parse(readFileSync(file, "utf8")) as Partial<AccountData>;
  return { zones: data.zones ?? {}, records: data.records ?? [] };
}

export function saveAccount(file: string, data: AccountData): void {
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}
