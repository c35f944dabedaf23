import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { type Program, runProgram } from "./program";
import { type CheckFailure, PROGRAM_DIR, type Props, ProviderHost } from "./provider-host";
import { revealSecrets } from "./secrets";

/**
 * The first half of `pulumi preview` for a program with no state: runs the
 * program under the SDK's mocks and sends each resource's inputs to Check in
 * the SDK's dynamic-provider host. Returns each resource's failures by name.
 * Nothing else is called, so nothing runs on any host.
 */
export async function checkProgram(program: Program, logPath: string): Promise<Map<string, CheckFailure[]>> {
  const registrations = await runProgram(program, "smartos-mail-it", "preview");
  mkdirSync(path.dirname(logPath), { recursive: true });
  const host = await ProviderHost.start(PROGRAM_DIR, logPath);
  try {
    const failures = new Map<string, CheckFailure[]>();
    for (const reg of registrations) {
      const urn = `urn:pulumi:preview::smartos-mail-it::${reg.type}::${reg.name}`;
      failures.set(reg.name, (await host.check(urn, {}, revealSecrets(reg.inputs) as Props)).failures);
    }
    return failures;
  } finally {
    await host.stop();
  }
}
