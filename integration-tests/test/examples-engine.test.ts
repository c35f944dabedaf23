import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { zonesOf } from "../harness/cloudflare-zones";
import {
  EXAMPLE_HOST_STATE,
  EXAMPLE_ZONE_ID,
  exampleConfig,
  exampleProgram,
  exampleStack,
} from "../harness/example-stack";
import { suiteHost } from "../harness/fixtures";
import type { PulumiStack } from "../harness/pulumi-stack";
import { hostShell, sshLogins } from "../harness/testbed";

/** What each example's program must have given the engine, read back from the real state and outputs. */
type Expect = (stack: PulumiStack, outputs: Record<string, unknown>, address: string) => void;

const inputsOf = (stack: PulumiStack, name: string) => {
  const r = stack.resource(name);
  assert.ok(r, `${name} is not in the state`);
  return r.inputs;
};

const EXPECT: Record<string, Expect> = {
  "send-only": (stack, outputs, address) => {
    assert.deepEqual(inputsOf(stack, "mail-postfix").clientTls, { securityLevel: "dane" });
    assert.equal(inputsOf(stack, "mail-dns-example.smtb-spf").content, `"v=spf1 ip4:${address} -all"`);
    assert.deepEqual(Object.keys(outputs.dkimRecords as object), ["default._domainkey.example.smtb"]);
    assert.ok(String(outputs.ptrRequests).includes(`${address} `), String(outputs.ptrRequests));
    assert.match(String(outputs.ptrRequests), /mx\.example\.smtb/);
    assert.equal(inputsOf(stack, "mail-archive").retentionDays, 1096);
    assert.equal(inputsOf(stack, "mail-log-report").reportTo, "root");
  },
  "authenticated-relay": (stack, outputs) => {
    const postfix = inputsOf(stack, "mail-postfix");
    assert.deepEqual(postfix.relayhost, { host: "smtp.relay.smtb", port: 587, mxLookup: false });
    assert.deepEqual(postfix.clientTls, { securityLevel: "encrypt" });
    assert.equal(inputsOf(stack, "mail-dns-example.smtb-spf").content, '"v=spf1 include:_spf.relay.smtb -all"');
    assert.equal(
      inputsOf(stack, "mail-dns-example.smtb-dmarc").content,
      '"v=DMARC1; p=quarantine; rua=mailto:dmarc@example.smtb"',
    );
    assert.match(JSON.stringify(outputs.mainCf), /smtp\.relay\.smtb/);
    assert.doesNotMatch(JSON.stringify(outputs), /examples-relay-password/);
  },
  "rate-limited-warmup": (stack) => {
    const rate = inputsOf(stack, "mail-rate") as {
      defaults: { warmup: { start: string; rateDelays: string[] } };
      transports: { name: string; domains: string[] }[];
    };
    assert.equal(rate.defaults.warmup.start, "2026-12-01");
    assert.equal(rate.defaults.warmup.rateDelays[0], "300s");
    assert.deepEqual(
      rate.transports.map((t) => [t.name, t.domains]),
      [["smtp-nice", ["yahoo.com", "aol.com"]]],
    );
  },
};

const EXAMPLES = [
  { example: "send-only", host: "exsend", index: 65 },
  { example: "authenticated-relay", host: "exrelay", index: 66 },
  { example: "rate-limited-warmup", host: "exwarm", index: 67 },
] as const;

for (const { example, host: hostName, index } of EXAMPLES) {
  describe(`examples/${example} with its documented config on the real engine: up, a second up, destroy`, () => {
    const host = suiteHost(hostName, index);
    const stack = exampleStack(example, `example-${example}`);
    const program = exampleProgram(example);
    let before = "";

    it("up creates every resource; the host runs the example's Postfix and its records are at (emulated) Cloudflare", async () => {
      before = hostShell(hostName, EXAMPLE_HOST_STATE).stdout;
      stack.seedCloudflare(zonesOf("example.smtb"));
      await stack.configure(exampleConfig(example, host()));
      const steps = await stack.up(program, { exports: true });
      assert.ok(steps.length > 0 && steps.every((s) => s.op === "create"), JSON.stringify(steps));
      EXPECT[example](stack, await stack.outputs(), host().host);
      assert.equal(hostShell(hostName, "postconf -h myhostname").stdout.trim(), "mx.example.smtb");
      if (example === "authenticated-relay") {
        assert.equal(hostShell(hostName, "postconf -h relayhost").stdout.trim(), "[smtp.relay.smtb]:587");
      }
      assert.equal(hostShell(hostName, "postfix status >/dev/null 2>&1; echo $?").stdout, "0\n");
      const zone = stack.cloudflareZoneFile(EXAMPLE_ZONE_ID);
      assert.match(zone, /^example\.smtb\. 300 IN TXT "v=spf1 /m, zone);
      assert.match(zone, /_domainkey\.example\.smtb\. 300 IN TXT "v=DKIM1; k=rsa; /, zone);
      assert.match(zone, /^_dmarc\.example\.smtb\. 300 IN TXT "v=DMARC1; /m, zone);
    });

    it("a second up changes nothing and logs in nowhere", async () => {
      const logins = sshLogins(hostName);
      const steps = await stack.up(program, { exports: true });
      assert.ok(steps.length > 0, "no resource was seen");
      assert.deepEqual(
        steps.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`),
        [],
      );
      assert.equal(sshLogins(hostName), logins, "the no-op up opened an SSH session");
    });

    it("destroy deletes everything and puts the host back as it was", async () => {
      const steps = await stack.destroy();
      assert.ok(steps.length > 0 && steps.every((s) => s.op === "delete"), JSON.stringify(steps));
      assert.equal(hostShell(hostName, EXAMPLE_HOST_STATE).stdout, before);
      assert.equal(stack.cloudflareZoneFile(EXAMPLE_ZONE_ID), "\n");
    });
  });
}
