import { type Dmarc, dmarcSchema } from "./dmarc";

/** A published DMARC record read into its tags. */
export interface ParsedDmarc {
  /** Every tag as written, names lower case, in record order. */
  tags: Record<string, string>;
  /** The tags the library's DMARC builder knows, checked by its rules; tags that fail them are left out. */
  dmarc?: Dmarc;
  /** Errors that make receivers ignore the record (RFC 7489 6.6.3): no `v=DMARC1` first, no valid `p`. */
  errors: string[];
  /** Tags with a bad value, each with the builder's reason; receivers ignore such a tag, not the record. */
  problems: string[];
  /** Tags DMARC does not define (ignored by receivers). */
  unknownTags: string[];
}

const KNOWN = new Set(["v", "p", "sp", "pct", "rua", "ruf", "adkim", "aspf", "rf", "ri", "fo"]);

/** True for TXT text that is a DMARC record: it starts with `v=DMARC1` (RFC 7489 6.4; the value is case-sensitive). */
export function isDmarcRecord(text: string): boolean {
  return /^v[ \t]*=[ \t]*DMARC1[ \t]*(;|$)/.test(text);
}

/** The builder's shape of the tags: lists split, numbers as numbers. */
function schemaInput(tags: Record<string, string>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(tags)) {
    if (name === "v" || !KNOWN.has(name)) continue;
    if (name === "pct" || name === "ri") input[name] = /^\d+$/.test(value) ? Number(value) : value;
    else if (name === "rua" || name === "ruf") input[name] = value.split(",").map((u) => u.trim());
    else if (name === "fo") input[name] = value.split(":").map((o) => o.trim());
    else input[name] = value;
  }
  return input;
}

/**
 * Reads the text of a published DMARC record (RFC 7489 6.3, 6.4): its tags,
 * checked by the same rules the library's DMARC builder applies. Nothing is
 * looked up.
 */
export function parseDmarcRecord(text: string): ParsedDmarc {
  const out: ParsedDmarc = { tags: {}, errors: [], problems: [], unknownTags: [] };
  if (!isDmarcRecord(text)) {
    out.errors.push("does not start with v=DMARC1");
    return out;
  }
  for (const part of text.split(";")) {
    const pair = part.trim();
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      out.problems.push(`"${pair}" is not a tag=value pair`);
      continue;
    }
    const name = pair.slice(0, eq).trim().toLowerCase();
    if (name in out.tags) out.problems.push(`${name} appears twice; the first is used`);
    else out.tags[name] = pair.slice(eq + 1).trim();
    if (!KNOWN.has(name)) out.unknownTags.push(name);
  }
  if (out.tags.p === undefined) {
    out.errors.push("p is missing: a DMARC record must say p=none, quarantine or reject right after v=DMARC1");
  }
  const input = schemaInput(out.tags);
  // Drop each tag the builder's rules reject, say why, and keep the rest.
  for (let round = 0; round < KNOWN.size; round++) {
    const r = dmarcSchema.safeParse(input);
    if (r.success) {
      if (out.errors.length === 0) out.dmarc = r.data;
      break;
    }
    for (const issue of r.error.issues) {
      const tag = String(issue.path[0] ?? "");
      const message = `${tag}=${out.tags[tag] ?? ""}: ${issue.message}`;
      if (tag === "p") out.errors.push(message);
      else out.problems.push(message);
      delete input[tag];
    }
  }
  return out;
}
