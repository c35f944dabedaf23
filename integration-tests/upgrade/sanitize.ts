import { createHash, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { ResourceState } from "../harness/pulumi-stack";
import { SECRET_SIG, SIG_KEY } from "../harness/secrets";
import type { TestbedHost } from "../harness/testbed";
import { UPGRADE_DIR } from "./releases";

/** The host key fingerprint every recorded connection gets. */
export const RECORDED_FINGERPRINT = `SHA256:${"upgradeFixtureHostKey".padEnd(43, "A")}`;
/** The agent socket every recorded connection gets. */
export const RECORDED_AGENT_SOCKET = "/run/smartos-mail-upgrade/agent.sock";
/** The private key text a recorded connection that had one gets: it passes check and is no key. */
export const RECORDED_CLIENT_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";

/**
 * The DKIM key recorded states get instead of the one the run generated: a throwaway RSA 2048 key made for
 * these fixtures only, never used anywhere else. Generated keys of the same size give the same record length,
 * so a TXT record split into 255-character strings splits at the same places.
 */
const THROWAWAY_DKIM_KEY = readFileSync(path.join(UPGRADE_DIR, "throwaway-dkim-key.pem"), "utf8");

/** The SHA-256 of a PEM as the key file holds it (`keyFileText`): what OpenDkimKey's `live.keys` records. */
const keyFileHash = (pem: string) =>
  createHash("sha256")
    .update(`${pem.replaceAll("\r\n", "\n").trim()}\n`)
    .digest("hex");

/** The `p=` of an RSA private key's DKIM record: its DER SubjectPublicKeyInfo in base64. */
const dkimPublicKey = (pem: string) => createPublicKey(pem).export({ type: "spki", format: "der" }).toString("base64");

/** Text of a recording and what replaces it. */
export type Substitutions = Map<string, string>;

/**
 * What a recording of a run on `hosts` must not keep, and what replaces each: each host's key fingerprint,
 * the testbed client's private key, the agent socket, and each generated DKIM key with every value made
 * from it (its record's `p=`, the key file's hash in `live`), so that HEAD's diff still finds no change.
 */
export function substitutionsFor(
  resources: ResourceState[],
  hosts: TestbedHost[],
  agentSocket?: string,
): Substitutions {
  const subs: Substitutions = new Map();
  for (const h of hosts) {
    subs.set(h.hostKeyFingerprint, RECORDED_FINGERPRINT);
    subs.set(h.privateKey, RECORDED_CLIENT_KEY);
    subs.set(h.privateKey.trim(), RECORDED_CLIENT_KEY.trim());
  }
  if (agentSocket) subs.set(agentSocket, RECORDED_AGENT_SOCKET);
  for (const r of resources.filter((x) => x.type.endsWith(":OpenDkimKey"))) {
    const pem = String(r.outputs.privateKey);
    if (createPublicKey(pem).asymmetricKeyDetails?.modulusLength !== 2048) {
      throw new Error(`${r.name}: only RSA 2048 keys can be replaced by the throwaway key; set bits 2048`);
    }
    subs.set(pem, THROWAWAY_DKIM_KEY);
    subs.set(keyFileHash(pem), keyFileHash(THROWAWAY_DKIM_KEY));
    subs.set(dkimPublicKey(pem), dkimPublicKey(THROWAWAY_DKIM_KEY));
  }
  return subs;
}

/** Between the 255-character strings of a long TXT record (`"…" "…"`, see the library's dns/txt.ts). */
const TXT_SPLIT = '" "';

/** `text` with `from` replaced by `to` (as long) even where a TXT split falls inside it; the splits stay put. */
function replaceAcrossSplits(text: string, from: string, to: string): string {
  const joined = text.replaceAll(TXT_SPLIT, "");
  if (!joined.includes(from)) return text;
  const replaced = joined.replaceAll(from, to);
  let out = "";
  let at = 0;
  for (let i = 0; i < text.length; ) {
    if (text.startsWith(TXT_SPLIT, i)) {
      out += TXT_SPLIT;
      i += TXT_SPLIT.length;
    } else {
      out += replaced[at++];
      i++;
    }
  }
  return out;
}

/**
 * `value` (a deployment, resources, config) with every substitution made, in every string, in secrets
 * (`stack export --show-secrets` gives their `plaintext` as JSON) too.
 */
export function sanitized<T>(value: T, subs: Substitutions): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      return [...subs].reduce(
        (s, [from, to]) => (from.length === to.length ? replaceAcrossSplits(s, from, to) : s.replaceAll(from, to)),
        v,
      );
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    if (o[SIG_KEY] === SECRET_SIG && typeof o.plaintext === "string") {
      return { ...o, plaintext: JSON.stringify(walk(JSON.parse(o.plaintext))) };
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value) as T;
}
