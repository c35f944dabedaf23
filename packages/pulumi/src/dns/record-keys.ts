import { createHash } from "node:crypto";

/** A record's key and the key 0.1.0 gave it. */
export interface RecordKey {
  /** `<kind>-<content>`: the same record keeps its name whatever else the list holds. */
  key: string;
  /** `<kind>-<position>`, the name 0.1.0 gave the record at this position. */
  positionalKey: string;
}

/**
 * The key of one of several records of a kind, from its content: an address with its colons as hyphens (a
 * resource name stays clear of the URN's `::`), a TXT value by the first 12 hex digits of its SHA-256 (it
 * may be 2000 characters long). Keys by list position made removing the first of two addresses rewrite the
 * second's record into a copy of the first while it still existed, which Cloudflare refuses (81058).
 */
export function recordKey(kind: "a" | "aaaa" | "txt" | "ptr", content: string, position: number): RecordKey {
  const id =
    kind === "txt" ? createHash("sha256").update(content).digest("hex").slice(0, 12) : content.replaceAll(":", "-");
  return { key: `${kind}-${id}`, positionalKey: `${kind}-${position}` };
}
