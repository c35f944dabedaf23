import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import {
  DnsAuthRecords,
  type DnsAuthRecordsArgs,
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
import {
  argsOf,
  BAD_INPUTS,
  type BadInput,
  CORPUS_RESOURCES,
  type CorpusResource,
  type Patch,
  validBase,
} from "../corpus/bad-inputs";
import { CheckFailedError } from "../harness/engine";
import { connectionTo, freshStandInStack, OUTPUT_DIR, suiteHost } from "../harness/fixtures";
import { checkProgram } from "../harness/preview";
import { hostShell, sshCommands, sshLogins } from "../harness/testbed";

const HOST = "rscorp";

type ProviderResource = Exclude<CorpusResource, "DnsAuthRecords">;

/** The dynamic resources, built from corpus arguments (deliberately not the types the arguments claim). */
const MAKE: Record<ProviderResource, (name: string, args: Patch) => pulumi.CustomResource> = {
  PostfixConfig: (n, a) => new PostfixConfig(n, a as unknown as PostfixConfigArgs),
  OpenDkimKey: (n, a) => new OpenDkimKey(n, a as unknown as OpenDkimKeyArgs),
  RateLimitTransport: (n, a) => new RateLimitTransport(n, a as unknown as RateLimitTransportArgs),
  InboundSmtpFirewall: (n, a) => new InboundSmtpFirewall(n, a as unknown as InboundSmtpFirewallArgs),
  MailArchive: (n, a) => new MailArchive(n, a as unknown as MailArchiveArgs),
  MailLogReport: (n, a) => new MailLogReport(n, a as unknown as MailLogReportArgs),
  SmartOsZone: (n, a) => new SmartOsZone(n, a as unknown as SmartOsZoneArgs),
  ZoneDatasets: (n, a) => new ZoneDatasets(n, a as unknown as ZoneDatasetsArgs),
};

const PROVIDER_RESOURCES = CORPUS_RESOURCES.filter((r): r is ProviderResource => r !== "DnsAuthRecords");

function describeEntry(e: BadInput): string {
  const shown = JSON.stringify(e.value) ?? "(removed)";
  return `${e.resource} ${e.field} = ${e.secret ? "(secret)" : shown.slice(0, 80)} (${e.why})`;
}

/** The text of a secret entry's value that must never be echoed. */
function secretText(e: BadInput): string[] {
  return e.secret && typeof e.value === "string" ? e.value.split(/\s+/).filter((s) => s.length >= 6) : [];
}

/** Asserts one entry's failure messages: the field is named, the extra words are there, secrets are not. */
function assertNamesField(e: BadInput, reasons: string[]): void {
  const what = describeEntry(e);
  assert.ok(reasons.length > 0, `${what}: no failure`);
  assert.ok(
    reasons.some((r) => r.startsWith(`${e.field}: `)),
    `${what}: no message names ${e.field}:\n  ${reasons.join("\n  ")}`,
  );
  for (const m of e.mentions ?? []) {
    assert.ok(
      reasons.some((r) => r.includes(m)),
      `${what}: the message does not say "${m}":\n  ${reasons.join("\n  ")}`,
    );
  }
  for (const s of secretText(e)) {
    assert.ok(!reasons.some((r) => r.includes(s)), `${what}: the message shows the secret value`);
  }
}

describe("bad-input corpus: every invalid input fails check, naming the field, before any SSH", () => {
  const host = suiteHost(HOST, 50);
  const connection = () => connectionTo(host()) as Parameters<typeof validBase>[1];

  it("the corpus holds at least 100 inputs and covers every resource", () => {
    assert.ok(BAD_INPUTS.length >= 100, `only ${BAD_INPUTS.length} inputs`);
    for (const r of CORPUS_RESOURCES) {
      assert.ok(BAD_INPUTS.filter((e) => e.resource === r).length >= 5, `${r} has fewer than 5 bad inputs`);
    }
  });

  for (const resource of PROVIDER_RESOURCES) {
    const entries = BAD_INPUTS.filter((e) => e.resource === resource);

    it(`${resource}: the corpus's valid base passes check`, async () => {
      const failures = await checkProgram(
        () => [MAKE[resource]("base", validBase(resource, connection()))],
        path.join(OUTPUT_DIR, `bad-input-base-${resource}.log`),
      );
      assert.deepEqual(failures.get("base"), [], `${resource}'s base must be valid for the corpus to mean anything`);
    });

    it(`${resource}: ${entries.length} bad inputs fail check through the provider host; no SSH login or command`, async () => {
      const stack = freshStandInStack(`bad-input-${resource}`, { parallel: entries.length });
      const base = validBase(resource, connection());
      const logins = sshLogins(HOST);
      const commands = sshCommands(HOST).length;
      let error: unknown;
      try {
        await stack.up(() => entries.map((e, i) => MAKE[resource](`bad-${i}`, argsOf(e, base))));
      } catch (err) {
        error = err;
      }
      assert.ok(error, "up must fail");
      const errors = error instanceof AggregateError ? error.errors : [error];
      for (const err of errors) assert.ok(err instanceof CheckFailedError, `not a check failure: ${err}`);
      const byName = new Map(
        (errors as CheckFailedError[]).map((err) => [err.urn.split("::").pop(), err.failures.map((f) => f.reason)]),
      );
      entries.forEach((e, i) => {
        assertNamesField(e, byName.get(`bad-${i}`) ?? []);
        assert.equal(stack.resource(`bad-${i}`), undefined, `${describeEntry(e)}: stored in state`);
      });
      assert.equal(byName.size, entries.length);
      assert.equal(sshLogins(HOST), logins, "a login happened: some step ran past check");
      assert.equal(sshCommands(HOST).length, commands, "a command ran on the host");
      const log = existsSync(stack.logPath) ? readFileSync(stack.logPath, "utf8") : "";
      for (const e of entries) {
        for (const s of secretText(e)) assert.ok(!log.includes(s), `${describeEntry(e)}: secret in the provider log`);
      }
    });
  }

  describe("DnsAuthRecords, a component: refused at construction under the SDK's mocks", () => {
    const dnsEntries = BAD_INPUTS.filter((e) => e.resource === "DnsAuthRecords");
    const registered: string[] = [];
    // One mock session for all of them: a component's registration is still in flight when its
    // constructor throws, and it must reach the monitor that knows it.
    const drain = () => (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    before(() =>
      pulumi.runtime.setMocks(
        {
          newResource: (a) => {
            registered.push(a.type);
            return { id: `${a.name}-id`, state: a.inputs };
          },
          call: () => ({}),
        },
        "smartos-mail-it",
        "corpus",
        false,
      ),
    );
    after(drain);

    it("the corpus's valid base constructs and registers its Cloudflare records", async () => {
      const base = validBase("DnsAuthRecords", connection());
      const dns = new DnsAuthRecords("base", base as unknown as DnsAuthRecordsArgs);
      await new Promise((resolve) => dns.zoneFile.apply(resolve));
      await drain();
      assert.ok(registered.includes("cloudflare:index/dnsRecord:DnsRecord"), registered.join(", "));
    });

    it(`${dnsEntries.length} bad inputs each throw, naming the field`, async () => {
      const base = validBase("DnsAuthRecords", connection());
      for (const [i, e] of dnsEntries.entries()) {
        const prefix = `DnsAuthRecords bad-${i}: `;
        assert.throws(
          () => new DnsAuthRecords(`bad-${i}`, argsOf(e, base) as unknown as DnsAuthRecordsArgs),
          (err: Error) => {
            assert.ok(err.message.startsWith(prefix), `${describeEntry(e)}: ${err.message}`);
            // The component joins "<path>: <reason>" with "; ", and a reason may hold "; " itself.
            assertNamesField(e, err.message.slice(prefix.length).split(/; (?=[\w.[\]()]+: )/));
            return true;
          },
          describeEntry(e),
        );
      }
      await drain();
    });
  });

  it("control: the PostfixConfig base, applied, logs in and its commands reach the audit log", async () => {
    const stack = freshStandInStack("bad-input-control");
    const logins = sshLogins(HOST);
    const commands = sshCommands(HOST).length;
    await stack.up(() => [MAKE.PostfixConfig("base", validBase("PostfixConfig", connection()))]);
    assert.equal(sshLogins(HOST), logins + 1, "the login is not in the sshd log");
    assert.ok(sshCommands(HOST).length > commands, "the commands are not in the audit log");
    await stack.destroy();
  });

  it("no payload ran anywhere: no canary file on the host or here", () => {
    assert.equal(hostShell(HOST, "ls /tmp/smartos-mail-pwned 2>&1 || true").stdout.includes("No such file"), true);
    assert.ok(!existsSync("/tmp/smartos-mail-pwned"));
  });
});
