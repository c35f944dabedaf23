import { rmSync } from "node:fs";
import * as path from "node:path";
import type { ConnectionArgs } from "@smartos-mail/pulumi";
import { Stack } from "./engine";
import type { TestbedHost } from "./testbed";

/** Where tests keep stack state and logs (under the repo, ignored by git). */
export const OUTPUT_DIR = path.resolve(__dirname, "..", "..", ".test-output");

/** A fresh harness stack in `.test-output/<name>`. */
export function freshStack(name: string, options: { parallel?: number } = {}): Stack {
  const dir = path.join(OUTPUT_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  return new Stack({ dir, ...options });
}

/** Connection args for a testbed host. */
export function connectionTo(h: TestbedHost): ConnectionArgs {
  return {
    host: h.host,
    port: h.port,
    user: h.user,
    privateKey: h.privateKey,
    hostKeyFingerprint: h.hostKeyFingerprint,
  };
}
