import { zonesOf } from "../../integration-tests/dist/harness/cloudflare-zones";
import {
  EXAMPLE_HOST_STATE,
  EXAMPLE_ZONE_ID,
  exampleConfig,
  exampleProgram,
  projectOf,
} from "../../integration-tests/dist/harness/example-stack";
import type { PulumiStack } from "../../integration-tests/dist/harness/pulumi-stack";
import { hostShell } from "../../integration-tests/dist/harness/testbed";
import type { BenchHost } from "./hosts";
import { type Expected, engineStack, measure, type Observed } from "./ours";

/**
 * The user's real workload (issue 27): examples/send-only with the configuration its header documents,
 * archive and log report included: SendOnlyMailServer's PostfixConfig, OpenDkimKey, MailArchive and
 * MailLogReport on a testbed host, and its SPF, DKIM, DMARC and A records at the Cloudflare emulator
 * plugin the integration tests use (`integration-tests/cloudflare`), through the real engine.
 */
const EXAMPLE = "send-only";
/** The one-field update: the component's `rootAlias`, which only its PostfixConfig takes. */
export const UPDATED_ROOT_ALIAS = "mailops@example.smtb";

/**
 * A fresh stack for the example on host `h`, its Cloudflare zone seeded and its config set (untimed);
 * with `engineLogVerbosity`, the engine logs its provider calls.
 */
export async function sendOnlyStack(
  dir: string,
  h: BenchHost,
  engineLogVerbosity?: number,
): Promise<{ stack: PulumiStack; before: string }> {
  const stack = await engineStack(dir, { project: projectOf(EXAMPLE), engineLogVerbosity });
  stack.seedCloudflare(zonesOf("example.smtb"));
  await stack.configure(exampleConfig(EXAMPLE, h));
  return { stack, before: hostShell(h.name, EXAMPLE_HOST_STATE).stdout };
}

/** `pulumi up` of the example's program; fails unless the engine did `expect`. */
export function upSendOnly(stack: PulumiStack, h: BenchHost, what: string, expect: Expected): Promise<Observed> {
  const program = exampleProgram(EXAMPLE);
  return measure(stack, [h], `send-only ${what}`, "up", () => stack.up(program, { exports: true }), expect, 1);
}

/** The one-field update: `rootAlias` changed in the stack's config (untimed), then `pulumi up`. */
export async function updateSendOnly(stack: PulumiStack, h: BenchHost, resources: number): Promise<Observed> {
  await stack.configure([{ key: "rootAlias", value: UPDATED_ROOT_ALIAS }]);
  return upSendOnly(stack, h, "update", { n: resources, op: "update", updated: 1 });
}

/** `pulumi refresh` or `destroy` of the example's stack. */
export function sendOnlyOperation(
  stack: PulumiStack,
  h: BenchHost,
  command: "refresh" | "destroy",
  resources: number,
): Promise<Observed> {
  const op = command === "refresh" ? "refresh" : "delete";
  const run = command === "refresh" ? () => stack.refresh() : () => stack.destroy();
  return measure(stack, [h], `send-only ${command}`, command, run, { n: resources, op }, 1);
}

/**
 * What is wrong after the create (empty: nothing): Postfix running as the example's hostname, root
 * aliased as configured, and the SPF, DKIM and DMARC records in the emulated zone.
 */
export function sendOnlyProblems(stack: PulumiStack, h: BenchHost, rootAlias: string): string[] {
  const out = hostShell(
    h.name,
    "postconf -h myhostname; postalias -q root hash:/etc/aliases; postfix status >/dev/null 2>&1; echo $?",
  ).stdout;
  const problems: string[] = [];
  if (out !== `mx.example.smtb\n${rootAlias}\n0\n`) problems.push(`host: ${JSON.stringify(out)}`);
  const zone = stack.cloudflareZoneFile(EXAMPLE_ZONE_ID);
  for (const [what, re] of [
    ["SPF", /^example\.smtb\. 300 IN TXT "v=spf1 /m],
    ["DKIM", /_domainkey\.example\.smtb\. 300 IN TXT "v=DKIM1; k=rsa; /],
    ["DMARC", /^_dmarc\.example\.smtb\. 300 IN TXT "v=DMARC1; /m],
  ] as const) {
    if (!re.test(zone)) problems.push(`no ${what} record in the emulated zone`);
  }
  return problems;
}

/** Whether destroy left the host as before the first up and the emulated zone empty. */
export function sendOnlyRestored(stack: PulumiStack, h: BenchHost, before: string): boolean {
  return hostShell(h.name, EXAMPLE_HOST_STATE).stdout === before && stack.cloudflareZoneFile(EXAMPLE_ZONE_ID) === "\n";
}
