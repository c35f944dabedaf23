import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import {
  DeliveryFeedback,
  type DeliveryFeedbackArgs,
  InboundSmtpFirewall,
  type InboundSmtpFirewallArgs,
  MailArchive,
  type MailArchiveArgs,
  MailLogReport,
  type MailLogReportArgs,
  OpenDkimKey,
  type OpenDkimKeyArgs,
  PostfixConfig,
  type PostfixConfigArgs,
  RateLimitTransport,
  type RateLimitTransportArgs,
  SmartOsZone,
  type SmartOsZoneArgs,
  ZoneDatasets,
  type ZoneDatasetsArgs,
} from "@smartos-mail/pulumi";
import { argsOf, BAD_INPUTS, type BadInput, type CorpusResource, type Patch, validBase } from "../corpus/bad-inputs";
import { connectionTo, freshStack, suiteHost } from "./fixtures";
import { CheckFailedError, type PulumiStack } from "./pulumi-stack";
import { hostShell, sshCommands, sshLogins } from "./testbed";

/** The corpus's resources that are custom resources of a dynamic provider (DnsAuthRecords is a component). */
export type ProviderResource = Exclude<CorpusResource, "DnsAuthRecords">;

/** The dynamic resources, built from corpus arguments (deliberately not the types the arguments claim). */
const MAKE: Record<ProviderResource, (name: string, args: Patch) => pulumi.CustomResource> = {
  PostfixConfig: (n, a) => new PostfixConfig(n, a as unknown as PostfixConfigArgs),
  OpenDkimKey: (n, a) => new OpenDkimKey(n, a as unknown as OpenDkimKeyArgs),
  RateLimitTransport: (n, a) => new RateLimitTransport(n, a as unknown as RateLimitTransportArgs),
  InboundSmtpFirewall: (n, a) => new InboundSmtpFirewall(n, a as unknown as InboundSmtpFirewallArgs),
  MailArchive: (n, a) => new MailArchive(n, a as unknown as MailArchiveArgs),
  MailLogReport: (n, a) => new MailLogReport(n, a as unknown as MailLogReportArgs),
  DeliveryFeedback: (n, a) => new DeliveryFeedback(n, a as unknown as DeliveryFeedbackArgs),
  SmartOsZone: (n, a) => new SmartOsZone(n, a as unknown as SmartOsZoneArgs),
  ZoneDatasets: (n, a) => new ZoneDatasets(n, a as unknown as ZoneDatasetsArgs),
};

/** One entry in a test's messages; a secret entry's value is never shown. */
export function describeEntry(e: BadInput): string {
  const shown = JSON.stringify(e.value) ?? "(removed)";
  return `${e.resource} ${e.field} = ${e.secret ? "(secret)" : shown.slice(0, 80)} (${e.why})`;
}

/** The values of the corpus's entries that are not secret: the CLI shows them, with their canary commands. */
const PUBLIC_TEXT = BAD_INPUTS.filter((e) => !e.secret)
  .map((e) => JSON.stringify(e.value) ?? "")
  .join("\n");

/**
 * The text of a secret entry's value that must never be echoed: its words,
 * but those a non-secret entry's value holds too (the canary command a
 * newline in a password carries is shown when it is in myhostname).
 */
export function secretText(e: BadInput): string[] {
  if (!e.secret || typeof e.value !== "string") return [];
  return e.value.split(/\s+/).filter((s) => s.length >= 6 && !PUBLIC_TEXT.includes(s));
}

/** The CLI's prefix of a message about the resource `name`, after its type. */
const cliPrefix = (name: string) => `resource '${name}'`;

/**
 * What is wrong with the CLI's message for one entry, or nothing. The CLI
 * prints a failure of a top-level field as
 * `<type> resource '<name>': property <field> value {<value>} has a problem: <reason>`
 * and one of a nested path as `<type> resource '<name>' has a problem: <path>: <reason>`;
 * a failure of the inputs as a whole ("(inputs)" in the corpus) has neither.
 */
function messageProblem(e: BadInput, name: string, err: CheckFailedError): string | undefined {
  // The CLI's lines, for the test's message; never those of a secret entry.
  const lines = e.secret ? "" : `\n    ${err.messages.join("\n    ")}`;
  if (err.urn.split("::").pop() !== name || !err.urn.includes(`:${e.resource}::`)) {
    return `the failure is about ${err.urn}${lines}`;
  }
  const names =
    e.field === "(inputs)"
      ? err.messages.some((m) => m.includes(`${cliPrefix(name)} has a problem: `))
      : err.messages.some(
          (m) =>
            m.includes(`${cliPrefix(name)}: property ${e.field} value `) ||
            m.includes(`${cliPrefix(name)} has a problem: ${e.field}: `),
        );
  if (!names) return `no message names ${e.field}${lines}`;
  const missing = (e.mentions ?? []).filter((m) => !err.failures.some((f) => f.reason.includes(m)));
  if (missing.length > 0) return `the reason does not say ${missing.join(", ")}${lines}`;
  if (secretText(e).some((s) => err.messages.some((m) => m.includes(s)))) {
    return `the CLI's message shows the secret value`;
  }
  return undefined;
}

/** The resources the real state file holds (none for a stack that only ever previewed). */
function storedResources(stack: PulumiStack): unknown[] {
  assert.ok(existsSync(stack.statePath), `no state file at ${stack.statePath}`);
  const state = JSON.parse(readFileSync(stack.statePath, "utf8")) as {
    checkpoint?: { latest?: { resources?: unknown[] } };
  };
  return state.checkpoint?.latest?.resources ?? [];
}

/** One entry's `pulumi preview`: the CheckFailedError, or what went wrong instead. */
async function previewEntry(
  stack: PulumiStack,
  program: () => unknown,
  name: string,
): Promise<CheckFailedError | string> {
  try {
    const steps = await stack.preview(program);
    return steps.some((s) => s.name === name)
      ? `preview passed: the engine plans ${JSON.stringify(steps)}`
      : "preview passed, but the engine never saw the resource: the SDK lost its registration";
  } catch (err) {
    return err instanceof CheckFailedError ? err : `not a check failure: ${err}`;
  }
}

/** A run of one resource's corpus entries: all of them, or a slice (to spread a long list over files). */
export interface CorpusPart {
  resource: ProviderResource;
  /** The slice of the resource's entries, as for Array.slice; default all. */
  from?: number;
  to?: number;
}

/**
 * The test suite of one corpus file: its own testbed host (the connection
 * every base uses, never contacted), and for each part the base's preview
 * (the engine plans a create: the base is valid, so each entry's failure is
 * its own) and one `pulumi preview` per entry, each a program with that one
 * bad resource: the engine stops at the first invalid resource of a run, so
 * one preview reports one resource's failures. A part's previews share one
 * stack. With `control`, the PostfixConfig base is applied for real, to show the
 * host's login and command counters do move.
 */
export function previewCorpus(file: { host: string; index: number; parts: CorpusPart[]; control?: boolean }): void {
  const HOST = file.host;
  const title = file.parts.map((p) => p.resource).join(", ");
  describe(`bad-input corpus through pulumi preview (${title}): each fails check, naming the field, before any SSH`, () => {
    const host = suiteHost(HOST, file.index);
    const connection = () => connectionTo(host()) as Parameters<typeof validBase>[1];

    for (const part of file.parts) {
      const { resource, from = 0 } = part;
      const entries = BAD_INPUTS.filter((e) => e.resource === resource).slice(from, part.to);
      const whole = part.from === undefined && part.to === undefined;
      const label = whole ? resource : `${resource} entries ${from}..${from + entries.length - 1}`;
      let stack: PulumiStack | undefined;
      const stackOf = () => {
        stack ??= freshStack(`bad-input-${resource}-${from}`);
        return stack;
      };

      it(`${label}: the corpus's valid base passes preview (the engine plans its create)`, async () => {
        const steps = await stackOf().preview(() => [MAKE[resource]("base", validBase(resource, connection()))]);
        assert.deepEqual(
          steps.map((s) => [s.name, s.op]),
          [["base", "create"]],
          `${resource}'s base must be valid for the corpus to mean anything`,
        );
      });

      it(`${label}: ${entries.length} bad inputs, one preview each, fail check; no SSH login or command, nothing stored`, async () => {
        const s = stackOf();
        const base = validBase(resource, connection());
        const logins = sshLogins(HOST);
        const commands = sshCommands(HOST).length;
        const problems: string[] = [];
        for (const [i, e] of entries.entries()) {
          const name = `bad-${from + i}`;
          const result = await previewEntry(s, () => [MAKE[resource](name, argsOf(e, base))], name);
          const problem = typeof result === "string" ? result : messageProblem(e, name, result);
          if (problem) problems.push(`${name}: ${describeEntry(e)}: ${problem}`);
        }
        assert.deepEqual(problems, [], `${problems.length} of ${entries.length} entries:\n${problems.join("\n")}`);
        assert.equal(sshLogins(HOST), logins, "a login happened: some step ran past check");
        assert.equal(sshCommands(HOST).length, commands, "a command ran on the host");
        assert.deepEqual(storedResources(s), [], "the state file holds resources");
        const log = readFileSync(s.logPath, "utf8");
        for (const e of entries) {
          for (const text of secretText(e)) {
            assert.ok(!log.includes(text), `${describeEntry(e)}: secret in the engine's log`);
          }
        }
      });
    }

    if (file.control) {
      it("control: the PostfixConfig base, applied by pulumi up, logs in and its commands reach the audit log", async () => {
        const stack = freshStack("bad-input-control");
        const logins = sshLogins(HOST);
        const commands = sshCommands(HOST).length;
        const steps = await stack.up(() => [MAKE.PostfixConfig("base", validBase("PostfixConfig", connection()))]);
        assert.deepEqual(
          steps.map((s) => [s.name, s.op]),
          [["base", "create"]],
        );
        assert.equal(sshLogins(HOST), logins + 1, "the login is not in the sshd log");
        assert.ok(sshCommands(HOST).length > commands, "the commands are not in the audit log");
        await stack.destroy();
        assert.deepEqual(storedResources(stack), []);
      });
    }

    it("no payload ran anywhere: no canary file on the host or here", () => {
      assert.equal(hostShell(HOST, "ls /tmp/smartos-mail-pwned 2>&1 || true").stdout.includes("No such file"), true);
      assert.ok(!existsSync("/tmp/smartos-mail-pwned"));
    });
  });
}
