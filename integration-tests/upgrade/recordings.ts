import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { saveAccount } from "../cloudflare/account";
import { freshStack } from "../harness/fixtures";
import type { PulumiStack } from "../harness/pulumi-stack";
import { RECORDED_DIR, type StackRecording } from "./record";

/** The Tier 2 recording of `program`'s stack made by `release` (see record.ts). */
export function recording(release: string, program: string): StackRecording {
  return JSON.parse(readFileSync(path.join(RECORDED_DIR, release, `${program}.json`), "utf8"));
}

/**
 * A fresh stack `name` rebuilt from a recording as a user's would be after the release's `up`: the
 * emulated Cloudflare account as it left it, its config set and its state imported (`pulumi stack import`;
 * the recording's secrets are re-encrypted with this stack's passphrase). `library`: another build for the
 * dynamic-provider host, as in PulumiStack.
 */
export async function importedStack(rec: StackRecording, name: string, library?: string): Promise<PulumiStack> {
  const stack = freshStack(name, { project: rec.project, ...(library ? { library } : {}) });
  mkdirSync(stack.options.dir, { recursive: true });
  saveAccount(stack.cloudflareRecordsPath, rec.cloudflare);
  await stack.configure(Object.entries(rec.config).map(([key, { value, secret }]) => ({ key, value, secret })));
  await stack.importDeployment(JSON.stringify(rec.deployment));
  return stack;
}
