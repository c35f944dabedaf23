import { createPrivateKey, createPublicKey } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { hostShell } from "./testbed";

/** A secret the suite used, by a name for messages (never the value). */
export interface NamedSecret {
  name: string;
  value: string;
}

/** A place that can be searched: where it is, and its text. */
export type Haystack = [where: string, text: string];

/** The DER of a private key's public half, or null for a format node cannot read (OpenSSH's own). */
function publicDer(pem: string): Buffer | null {
  try {
    return createPublicKey(createPrivateKey(pem)).export({ type: "spki", format: "der" });
  } catch {
    return null;
  }
}

/**
 * The strings that give a secret away: the value itself, as JSON escapes it
 * and in base64; for a PEM key, each line of its body (a key copied with other
 * line breaks, or JSON-escaped, still holds those). A line holding only bytes
 * of the public half (an RSA key's modulus) is left out: the published DKIM
 * record carries those bytes, sometimes with the same base64 alignment.
 */
function needles(secret: NamedSecret): string[] {
  const v = secret.value;
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(v)) {
    const pub = publicDer(v);
    return v
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.length >= 16 && !l.startsWith("-----"))
      .filter((l) => pub === null || !pub.includes(Buffer.from(l, "base64")));
  }
  return [...new Set([v, JSON.stringify(v).slice(1, -1), Buffer.from(v).toString("base64")])];
}

/**
 * Every file under `dir`, recursively, as haystacks named by path relative to
 * `base`. Symbolic links are not followed: a stack directory links the
 * workspace's node_modules, which is code, not something the run wrote.
 */
export function filesUnder(dir: string, base = dir): Haystack[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry): Haystack[] => {
    const p = path.join(dir, entry);
    const stat = lstatSync(p);
    if (stat.isSymbolicLink()) return [];
    if (stat.isDirectory()) return filesUnder(p, base);
    return [[path.relative(base, p), readFileSync(p, "latin1")]];
  });
}

/**
 * Every log on a testbed host (each file under /var/log up to 20 MB: sshd,
 * the SSH command audit log, Postfix's log...) plus `extra` files, read from
 * inside the host without SSH.
 */
export function hostLogs(host: string, extra: string[] = []): Haystack[] {
  const mark = "@@smartos-mail-scan-file:";
  const files = extra.map((f) => `'${f.replace(/'/g, "'\\''")}'`).join(" ");
  const out = hostShell(
    host,
    `{ find /var/log -type f -size -20M; printf '%s\\n' ${files}; } | while read -r f; do [ -f "$f" ] || continue; printf '\\n${mark}%s\\n' "$f"; cat "$f"; done`,
  ).stdout;
  return out
    .split(`\n${mark}`)
    .slice(1)
    .map((chunk): Haystack => {
      const nl = chunk.indexOf("\n");
      return [`${host}:${chunk.slice(0, nl)}`, chunk.slice(nl + 1)];
    });
}

/** Which secrets appear where: "name in where" for each hit; empty when none leaked. */
export function findSecrets(secrets: NamedSecret[], haystacks: Haystack[]): string[] {
  const hits: string[] = [];
  for (const secret of secrets) {
    const ns = needles(secret);
    if (ns.length === 0) throw new Error(`secret ${secret.name} gives nothing to search for`);
    for (const [where, text] of haystacks) {
      if (ns.some((n) => text.includes(n))) hits.push(`${secret.name} in ${where}`);
    }
  }
  return hits;
}

/**
 * The Node.js SDK's debug line for each RegisterResource response,
 * "RegisterResource RPC finished: ... resp: ...", prints the resource's
 * outputs with secret values in plain text: it does not go through the SDK's
 * secret masking, for any program (the same line carries secrets in other
 * projects' event logs). The CLI shows it with `--debug`, and at `-v=9` the
 * engine echoes it into its own log. Upstream behaviour this library cannot
 * change (a dynamic resource's delete gets only its outputs, so they hold the
 * connection's key).
 */
export const SDK_DEBUG_ECHO = "RegisterResource RPC finished: ";

/** A haystack split into its lines that echo the SDK's debug line and the rest. */
export function splitSdkDebugEcho([where, text]: Haystack): { echo: Haystack; rest: Haystack } {
  const lines = text.split("\n");
  return {
    echo: [where, lines.filter((l) => l.includes(SDK_DEBUG_ECHO)).join("\n")],
    rest: [where, lines.filter((l) => !l.includes(SDK_DEBUG_ECHO)).join("\n")],
  };
}
