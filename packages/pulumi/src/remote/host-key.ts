import { createHash } from "node:crypto";

/** The OpenSSH `SHA256:` fingerprint of a raw host key blob, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(hostKey: Buffer): string {
  return `SHA256:${createHash("sha256").update(hostKey).digest("base64").replace(/=+$/, "")}`;
}

/** Thrown when a host presents a key other than the pinned one. No command has run. */
export class HostKeyMismatchError extends Error {
  constructor(
    readonly target: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `host key mismatch for ${target}: expected ${expected}, got ${actual}; refused before running any command. ` +
        "If the host was rebuilt on purpose, set connection.hostKeyFingerprint to the new key's fingerprint.",
    );
    this.name = "HostKeyMismatchError";
  }
}
