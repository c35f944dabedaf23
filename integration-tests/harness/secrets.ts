import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";

/** The signature key and value Pulumi uses to mark a secret in property maps. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A value marked secret, as the SDK and engine exchange it. */
export interface SecretValue {
  [SIG_KEY]: typeof SECRET_SIG;
  value: unknown;
}

/** True if `v` is a secret-marked value. */
export function isSecret(v: unknown): v is SecretValue {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG && "value" in v;
}

/** Wraps a value as secret. */
export function makeSecret(value: unknown): SecretValue {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** True if `v` is or holds a secret anywhere. */
export function containsSecrets(v: unknown): boolean {
  if (isSecret(v)) return true;
  if (typeof v !== "object" || v === null) return false;
  return Object.values(v).some(containsSecrets);
}

/**
 * Removes the secret markers, as the engine does before calling a provider
 * that answered Configure with acceptSecrets=false (the dynamic-provider host does).
 */
export function revealSecrets(v: unknown): unknown {
  if (isSecret(v)) return revealSecrets(v.value);
  if (Array.isArray(v)) return v.map(revealSecrets);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revealSecrets(x)]));
  }
  return v;
}

/**
 * The engine's `annotateSecrets` (pkg/resource/plugin/provider_plugin.go):
 * after a call to a provider that cannot keep secrets, each output whose
 * same-named input held a secret is marked secret; objects are recursed into.
 */
export function annotateSecrets(outs: Record<string, unknown>, ins: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...outs };
  for (const [key, inValue] of Object.entries(ins)) {
    if (!(key in result)) continue;
    const outValue = result[key];
    const bothObjects = [outValue, inValue].every(
      (x) => typeof x === "object" && x !== null && !Array.isArray(x) && !isSecret(x),
    );
    if (bothObjects) {
      result[key] = annotateSecrets(outValue as Record<string, unknown>, inValue as Record<string, unknown>);
    } else if (!isSecret(outValue) && containsSecrets(inValue)) {
      result[key] = makeSecret(outValue);
    }
  }
  return result;
}

/**
 * Encrypts secret values for the stored state, like the engine's passphrase
 * secrets manager: AES-256-GCM with a key derived from a passphrase, stored as
 * `{sig, ciphertext}` so plaintext never reaches the state file.
 */
export class StateCrypter {
  private readonly key: Buffer;

  /** @param passphrase the stack's passphrase. */
  constructor(passphrase: string) {
    this.key = scryptSync(passphrase, "smartos-mail-harness", 32);
  }

  /** Replaces every secret in `v` by its ciphertext. */
  seal(v: unknown): unknown {
    if (isSecret(v)) {
      const iv = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", this.key, iv);
      const body = Buffer.concat([c.update(JSON.stringify(v.value), "utf8"), c.final()]);
      return { [SIG_KEY]: SECRET_SIG, ciphertext: Buffer.concat([iv, c.getAuthTag(), body]).toString("base64") };
    }
    if (Array.isArray(v)) return v.map((x) => this.seal(x));
    if (typeof v === "object" && v !== null)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.seal(x)]));
    return v;
  }

  /** Inverse of {@link seal}. */
  open(v: unknown): unknown {
    if (
      typeof v === "object" &&
      v !== null &&
      (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG &&
      "ciphertext" in v
    ) {
      const raw = Buffer.from(String((v as { ciphertext: string }).ciphertext), "base64");
      const d = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(12, 28));
      return makeSecret(JSON.parse(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString("utf8")));
    }
    if (Array.isArray(v)) return v.map((x) => this.open(x));
    if (typeof v === "object" && v !== null)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.open(x)]));
    return v;
  }
}
