import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const RUNNER = path.resolve(__dirname, "..", "harness", "run-example.js");
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nZXhhbXBsZS1rZXk=\n-----END OPENSSH PRIVATE KEY-----\n";

const common = {
  host: "203.0.113.25",
  hostKeyFingerprint: `SHA256:${"E".repeat(43)}`,
  sshPrivateKey: KEY,
  hostname: "mx.example.com",
  rootAlias: "ops@example.com",
};

interface Run {
  resources: { type: string; name: string; inputs: Record<string, unknown> }[];
  outputs: Record<string, unknown>;
}

/** Runs an example under the SDK's mocks with this `pulumi config`. */
function run(example: string, config: Record<string, string>): Run {
  const r = spawnSync(process.execPath, [RUNNER, path.join(ROOT, "examples", example), JSON.stringify(config)], {
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Run;
}

const byName = (r: Run, name: string) => r.resources.find((x) => x.name === name)?.inputs ?? {};

describe("examples run under the SDK's mock runtime with their documented config", () => {
  it("send-only: the guide's server from loopback, DANE, a DKIM key and DNS records for each configured domain", () => {
    const r = run("send-only", {
      ...common,
      domains: JSON.stringify([{ domain: "example.com", cloudflareZoneId: "zone-1" }]),
    });
    const names = r.resources.map((x) => x.name);
    assert.ok(names.includes("mail-postfix") && names.includes("mail-dkim-example.com"), names.join(", "));
    assert.deepEqual(byName(r, "mail-postfix").clientTls, { securityLevel: "dane" });
    assert.equal(byName(r, "mail-dns-example.com-spf").content, '"v=spf1 ip4:203.0.113.25 -all"');
    assert.deepEqual(Object.keys(r.outputs.dkimRecords as object), ["default._domainkey.example.com"]);
    assert.match(String(r.outputs.ptrRequests), /203\.0\.113\.25.*mx\.example\.com/);
  });

  it("send-only with the optional archive and daily report from config", () => {
    const r = run("send-only", {
      ...common,
      domains: JSON.stringify([{ domain: "example.com", cloudflareZoneId: "zone-1" }]),
      archive: JSON.stringify({ retentionDays: 1096 }),
      logReport: JSON.stringify({ reportTo: "root" }),
    });
    assert.equal(byName(r, "mail-archive").retentionDays, 1096);
    assert.equal(byName(r, "mail-log-report").reportTo, "root");
  });

  it("authenticated-relay: relayhost with SASL over required TLS, SPF naming the relay", () => {
    const r = run("authenticated-relay", {
      ...common,
      domain: "example.com",
      cloudflareZoneId: "zone-1",
      relayHost: "smtp.example.net",
      relayPort: "587",
      relayUsername: "mailer",
      relayPassword: "relay-secret",
      relaySpfInclude: "_spf.example.net",
    });
    const postfix = byName(r, "mail-postfix");
    assert.deepEqual(postfix.relayhost, { host: "smtp.example.net", port: 587 });
    assert.deepEqual(postfix.clientTls, { securityLevel: "encrypt" });
    assert.equal(byName(r, "mail-dns-example.com-spf").content, '"v=spf1 include:_spf.example.net -all"');
    assert.equal(
      byName(r, "mail-dns-example.com-dmarc").content,
      '"v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"',
    );
  });

  it("rate-limited-warmup: the warm-up schedule from config and the gentle transport", () => {
    const r = run("rate-limited-warmup", {
      ...common,
      domain: "example.com",
      cloudflareZoneId: "zone-1",
      warmupStart: "2026-12-01",
      gentleDomains: JSON.stringify(["yahoo.com"]),
    });
    const rate = byName(r, "mail-rate") as {
      defaults: { warmup: { start: string; rateDelays: string[] } };
      transports: { name: string; domains: string[] }[];
    };
    assert.equal(rate.defaults.warmup.start, "2026-12-01");
    assert.equal(rate.defaults.warmup.rateDelays[0], "300s");
    assert.deepEqual(
      rate.transports.map((t) => [t.name, t.domains]),
      [["smtp-nice", ["yahoo.com"]]],
    );
  });
});
