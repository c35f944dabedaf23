import { createPublicKey } from "node:crypto";
import { type Dns, DnsLookupError } from "./dns";
import type { Finding } from "./result";

/** The public key a DKIM record carries, as far as `check` judges it. */
export type DkimKey =
  | { kind: "rsa"; bits: number }
  | { kind: "ed25519" }
  | { kind: "revoked" }
  | { kind: "invalid"; reason: string };

/** Tags of a DKIM key record (RFC 6376 3.6.1), names lower case; whitespace inside values removed. */
export function dkimTags(record: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of record.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    if (!(name in tags)) tags[name] = part.slice(eq + 1).replace(/\s+/g, "");
  }
  return tags;
}

// SubjectPublicKeyInfo of an Ed25519 key up to the 32 key bytes (RFC 8410).
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/**
 * The key of a DKIM record: for RSA its size, read with node:crypto from
 * `p=` (DER SubjectPublicKeyInfo, as opendkim-genkey writes it; a bare
 * PKCS#1 key is accepted too); for Ed25519 (RFC 8463) the 32 raw bytes.
 */
export function dkimKeyOf(record: string): DkimKey {
  const tags = dkimTags(record);
  if (tags.v !== undefined && tags.v !== "DKIM1") return { kind: "invalid", reason: `v=${tags.v}; it must be DKIM1` };
  const p = tags.p;
  if (p === undefined) return { kind: "invalid", reason: "no p= tag (public key)" };
  if (p === "") return { kind: "revoked" };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(p)) return { kind: "invalid", reason: "p= is not base64" };
  const der = Buffer.from(p, "base64");
  const k = (tags.k ?? "rsa").toLowerCase();
  if (k === "ed25519") {
    if (der.length !== 32) return { kind: "invalid", reason: `an Ed25519 p= holds 32 bytes, this one ${der.length}` };
    try {
      createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, der]), format: "der", type: "spki" });
      return { kind: "ed25519" };
    } catch (err) {
      return { kind: "invalid", reason: `not an Ed25519 key: ${(err as Error).message}` };
    }
  }
  if (k !== "rsa") return { kind: "invalid", reason: `k=${k} is not a key type DKIM defines (rsa, ed25519)` };
  for (const type of ["spki", "pkcs1"] as const) {
    try {
      const key = createPublicKey({ key: der, format: "der", type });
      if (key.asymmetricKeyType !== "rsa") {
        return { kind: "invalid", reason: `k=rsa but p= is an ${key.asymmetricKeyType} key` };
      }
      return { kind: "rsa", bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
    } catch {
      // try the next encoding
    }
  }
  return { kind: "invalid", reason: "p= is not an RSA public key (DER SubjectPublicKeyInfo)" };
}

/** Judges one record's key: RSA below 1024 bits fails (RFC 8301), below 2048 warns; Ed25519 passes. */
export function judgeDkimRecord(record: string): Pick<Finding, "status" | "detail"> {
  const key = dkimKeyOf(record);
  const tags = dkimTags(record);
  const testing = (tags.t ?? "").split(":").includes("y");
  let verdict: Pick<Finding, "status" | "detail">;
  switch (key.kind) {
    case "revoked":
      verdict = { status: "fail", detail: "revoked (empty p=): signatures with this selector fail" };
      break;
    case "invalid":
      verdict = { status: "fail", detail: `unusable key: ${key.reason}` };
      break;
    case "ed25519":
      verdict = {
        status: "pass",
        detail: "ed25519 key (RFC 8463); receivers without Ed25519 need an RSA signature as well",
      };
      break;
    default:
      if (key.bits < 1024) {
        verdict = {
          status: "fail",
          detail: `rsa ${key.bits}-bit key; verifiers must not accept keys under 1024 bits (RFC 8301): publish a 2048-bit key`,
        };
      } else if (key.bits < 2048) {
        verdict = {
          status: "warn",
          detail: `rsa ${key.bits}-bit key; 2048 bits is the norm (the guide's opendkim-genkey -b 2048): rotate to a 2048-bit key`,
        };
      } else {
        verdict = { status: "pass", detail: `rsa ${key.bits}-bit key` };
      }
  }
  if (testing && verdict.status === "pass") {
    return { status: "warn", detail: `${verdict.detail}; t=y (testing): receivers treat signatures as unsigned` };
  }
  return verdict;
}

/** The DKIM record of each selector: present, one record, a usable key of a sound size. */
export async function checkDkim(dns: Dns, domain: string, selectors: readonly string[]): Promise<Finding[]> {
  if (selectors.length === 0) {
    return [
      {
        check: "DKIM",
        status: "info",
        detail: "no selector given; DNS cannot list them: pass --selector (the s= of your DKIM-Signature)",
      },
    ];
  }
  const findings: Finding[] = [];
  for (const selector of selectors) {
    const name = `${selector}._domainkey.${domain}`;
    const check = `DKIM ${selector}`;
    let records: string[];
    try {
      records = await dns.txt(name);
    } catch (err) {
      if (!(err instanceof DnsLookupError)) throw err;
      findings.push({ check, status: "fail", detail: `cannot look up ${err.message}` });
      continue;
    }
    if (records.length === 0) {
      findings.push({ check, status: "fail", detail: `no DKIM key record at ${name}` });
    } else if (records.length > 1) {
      findings.push({
        check,
        status: "warn",
        detail: `${records.length} TXT records at ${name}; verifiers may use either: keep one`,
      });
    } else {
      findings.push({ check, ...judgeDkimRecord(records[0]) });
    }
  }
  return findings;
}
