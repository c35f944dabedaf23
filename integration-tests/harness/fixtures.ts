import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import * as path from "node:path";
import { after, before } from "node:test";
import type { ConnectionArgs } from "@smartos-mail/pulumi";
import { PulumiStack, type PulumiStackOptions } from "./pulumi-stack";
import { downHost, type TestbedHost, upHost, upSmartOsHost } from "./testbed";

/**
 * Postfix's SMTP client timeouts: main.cf parameters no test host depends on,
 * for tests whose resources each own one parameter of the same main.cf.
 */
export const SMTP_CLIENT_TIMEOUTS = [
  "smtp_connect_timeout",
  "smtp_helo_timeout",
  "smtp_mail_timeout",
  "smtp_rcpt_timeout",
  "smtp_data_init_timeout",
  "smtp_data_xfer_timeout",
  "smtp_data_done_timeout",
  "smtp_quit_timeout",
] as const;

/** Where tests keep stack state and logs (under the repo, ignored by git). */
export const OUTPUT_DIR = path.resolve(__dirname, "..", "..", ".test-output");

/** A fresh stack in `.test-output/<name>`, run by the real Pulumi engine (see pulumi-stack.ts). */
export function freshStack(name: string, options: Omit<PulumiStackOptions, "dir"> = {}): PulumiStack {
  const dir = path.join(OUTPUT_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  return new PulumiStack({ dir, ...options });
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

/**
 * Gives the enclosing test suite a fresh testbed host: brought up before its
 * tests, torn down after. Returns a getter (the host exists once `before` ran).
 * `personality: "smartos"` makes it an emulated SmartOS global zone (see upSmartOsHost).
 */
export function suiteHost(
  name: string,
  index: number,
  personality: "debian" | "smartos" = "debian",
): () => TestbedHost {
  let host: TestbedHost | undefined;
  before(() => {
    downHost(name);
    host = personality === "smartos" ? upSmartOsHost(name, index) : upHost(name, index);
  });
  after(() => downHost(name));
  return () => {
    if (!host) throw new Error(`testbed host ${name} is not up yet`);
    return host;
  };
}

/**
 * A hand edit made on the host shows as drift when `stack` (one resource) is refreshed, and the next
 * `up` of `program` repairs it with an update.
 */
export async function driftRepairedByUp(stack: PulumiStack, program: () => unknown): Promise<void> {
  assert.deepEqual(
    (await stack.refresh()).map((s) => [s.op, s.drift]),
    [["refresh", true]],
    "refresh did not report the hand edit as drift",
  );
  assert.deepEqual(
    (await stack.up(program)).map((s) => s.op),
    ["update"],
    "the next up did not repair it with an update",
  );
}
