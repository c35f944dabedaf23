import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { DnsAuthRecords, type DnsAuthRecordsArgs } from "@smartos-mail/pulumi";
import type { StoredRecord } from "../cloudflare/account";
import { zoneIdOf, zonesOf } from "../harness/cloudflare-zones";
import { freshStack } from "../harness/fixtures";
import type { PulumiStack, StepRecord } from "../harness/pulumi-stack";

// Day 2 of DnsAuthRecords on the real engine against the Cloudflare emulator (integration-tests/cloudflare),
// which refuses what Cloudflare refuses (81058 on create and update) and reads back what Cloudflare stores.
const DOMAIN = "dns2.smtb";
const REVERSE = "113.0.203.in-addr.arpa";
const ZONE = zoneIdOf(DOMAIN);
const PTR_ZONE = zoneIdOf(REVERSE);
const COMMENT = "managed by smartos-mail";
/** Records of the zone no stack manages: they must outlive every step and the destroy. */
const OTHERS: StoredRecord[] = [
  { zoneId: ZONE, name: `www.${DOMAIN}`, type: "A", content: "198.51.100.80", ttl: 1 },
  { zoneId: ZONE, name: DOMAIN, type: "TXT", content: '"google-site-verification=abc"', ttl: 1 },
];

/** How a program spells the names and the IPv6 address, and its TTL. */
interface Variant {
  spelling?: (s: string) => string;
  ttl?: number;
}

const args = (ipv4: string[], apexTxt: string[], { spelling = (s) => s, ttl }: Variant = {}): DnsAuthRecordsArgs => ({
  domain: spelling(DOMAIN),
  ttl,
  zoneId: ZONE,
  mailHost: { name: spelling(`mx.${DOMAIN}`), ipv4, ipv6: [spelling("2001:db8:0:0:0:0:0:7")] },
  apexTxt,
  ptrZone: REVERSE,
  ptrZoneId: PTR_ZONE,
  today: "2026-12-07",
});

/**
 * The records 0.1.0 (commit 2198470) made for `args(["203.0.113.7", "203.0.113.8"], ["a=1", "b=2"])`: its
 * component type and child names (by list position), with the inputs it sent.
 */
function version010Program(): void {
  const parent = new pulumi.ComponentResource("smartos-mail:dns:DnsAuthRecords", "dns", {});
  const record = (key: string, zoneId: string, name: string, type: string, content: string) =>
    new cloudflare.DnsRecord(`dns-${key}`, { zoneId, name, type, content, ttl: 300, comment: COMMENT }, { parent });
  record("a-0", ZONE, `mx.${DOMAIN}`, "A", "203.0.113.7");
  record("a-1", ZONE, `mx.${DOMAIN}`, "A", "203.0.113.8");
  record("aaaa-0", ZONE, `mx.${DOMAIN}`, "AAAA", "2001:db8::7");
  record("spf", ZONE, DOMAIN, "TXT", '"v=spf1 ip4:203.0.113.7 ip4:203.0.113.8 ip6:2001:db8::7 -all"');
  record("txt-0", ZONE, DOMAIN, "TXT", '"a=1"');
  record("txt-1", ZONE, DOMAIN, "TXT", '"b=2"');
  record("adsp", ZONE, `_adsp._domainkey.${DOMAIN}`, "TXT", '"dkim=all"');
  record("dmarc", ZONE, `_dmarc.${DOMAIN}`, "TXT", `"v=DMARC1; p=none; rua=mailto:postmaster@${DOMAIN}"`);
  record("ptr-0", PTR_ZONE, "7.113.0.203.in-addr.arpa", "PTR", `mx.${DOMAIN}`);
  record("ptr-1", PTR_ZONE, "8.113.0.203.in-addr.arpa", "PTR", `mx.${DOMAIN}`);
}

const changes = (steps: StepRecord[]) =>
  steps
    .filter((s) => s.op !== "same")
    .map((s) => `${s.op} ${s.name}`)
    .sort();
const lines = (zone: string) => zone.trimEnd().split("\n");
const idOf = (stack: PulumiStack, name: string) => stack.resource(name)?.id ?? "";

describe("DnsAuthRecords day 2 on the real engine against Cloudflare's rules", () => {
  const stack = freshStack("dns-lifecycle");
  const program = (ipv4: string[], apexTxt: string[], variant?: Variant) => () =>
    new DnsAuthRecords("dns", args(ipv4, apexTxt, variant));

  it("a stack made by 0.1.0 (records named by position) previews and applies all same with HEAD", async () => {
    stack.seedCloudflare(zonesOf(DOMAIN, REVERSE), OTHERS);
    await stack.up(version010Program);
    const before = stack.cloudflareZoneFile(ZONE);
    const head = program(["203.0.113.7", "203.0.113.8"], ["a=1", "b=2"]);
    const preview = await stack.preview(head);
    assert.deepEqual(changes(preview), [], "no create, delete or update after the upgrade");
    assert.equal(preview.length, 10);
    assert.deepEqual(changes(await stack.up(head)), []);
    assert.ok(stack.resource("dns-a-203.0.113.7"), "the record is in state under its new name");
    assert.equal(stack.cloudflareZoneFile(ZONE), before);
  });

  it("removing the first address deletes exactly its records; the other address's stay as they are", async () => {
    const kept = idOf(stack, "dns-a-203.0.113.8");
    const steps = await stack.up(program(["203.0.113.8"], ["a=1", "b=2"]));
    assert.deepEqual(changes(steps), ["delete dns-a-203.0.113.7", "delete dns-ptr-203.0.113.7", "update dns-spf"]);
    assert.equal(idOf(stack, "dns-a-203.0.113.8"), kept);
    assert.deepEqual(
      lines(stack.cloudflareZoneFile(ZONE)).filter((l) => / IN A /.test(l)),
      [`mx.${DOMAIN}. 300 IN A 203.0.113.8`, `www.${DOMAIN}. 300 IN A 198.51.100.80`],
    );
  });

  it("adding it back at the end creates only its records", async () => {
    const steps = await stack.up(program(["203.0.113.8", "203.0.113.7"], ["a=1", "b=2"]));
    assert.deepEqual(changes(steps), ["create dns-a-203.0.113.7", "create dns-ptr-203.0.113.7", "update dns-spf"]);
  });

  it("reordering apexTxt changes nothing; removing the first deletes only it", async () => {
    assert.deepEqual(changes(await stack.up(program(["203.0.113.8", "203.0.113.7"], ["b=2", "a=1"]))), []);
    const steps = await stack.up(program(["203.0.113.8", "203.0.113.7"], ["b=2"]));
    assert.equal(changes(steps).length, 1);
    assert.match(changes(steps)[0]!, /^delete dns-txt-[0-9a-f]{12}$/);
  });

  /** Names in upper case, IPv6 in another spelling, TXT values with quotes, backslashes and over 255 characters. */
  const odd = ["b=2", 'say "hi" \\ there', "x".repeat(300)];
  const current = program(["203.0.113.8", "203.0.113.7"], odd, { spelling: (s) => s.toUpperCase() });

  it("names in upper case, IPv6 in another spelling, long and escaped TXT: refresh then preview shows no change", async () => {
    const steps = changes(await stack.up(current));
    assert.equal(steps.length, 2, "only the two new TXT records: the rest was sent as Cloudflare stores it");
    assert.ok(
      steps.every((s) => /^create dns-txt-/.test(s)),
      steps.join(", "),
    );
    const refreshed = await stack.refresh();
    assert.deepEqual(
      refreshed.filter((s) => s.drift).map((s) => s.name),
      [],
    );
    assert.deepEqual(changes(await stack.preview(current)), []);
  });

  it("a record edited in the dashboard is drift on refresh and the next up puts it back", async () => {
    const dmarc = idOf(stack, "dns-dmarc");
    stack.editCloudflare((records) => {
      records.set(dmarc, { ...records.get(dmarc)!, content: '"v=DMARC1; p=reject"' });
    });
    const refreshed = await stack.refresh();
    assert.deepEqual(
      refreshed.filter((s) => s.drift).map((s) => s.name),
      ["dns-dmarc"],
    );
    assert.deepEqual(changes(await stack.up(current)), ["update dns-dmarc"]);
    assert.match(stack.cloudflareZoneFile(ZONE), /_dmarc\.dns2\.smtb\. 300 IN TXT "v=DMARC1; p=none; rua=/);
  });

  it("a record deleted in the dashboard: up fails as Cloudflare's provider does, and after refresh it is recreated", async () => {
    const a = idOf(stack, "dns-a-203.0.113.8");
    stack.editCloudflare((records) => records.delete(a));
    // The provider's Update does not handle a 404: an up that changes the record fails until a refresh.
    await assert.rejects(stack.up(program(["203.0.113.8", "203.0.113.7"], odd, { ttl: 600 })), /\(81044\)/);
    const refreshed = await stack.refresh();
    assert.ok(refreshed.some((s) => s.name === "dns-a-203.0.113.8" && s.drift));
    assert.ok(changes(await stack.up(current)).includes("create dns-a-203.0.113.8"));
    assert.match(stack.cloudflareZoneFile(ZONE), /^mx\.dns2\.smtb\. 300 IN A 203\.0\.113\.8$/m);
  });

  it("destroy deletes the stack's records and leaves the zone's other records alone", async () => {
    await stack.destroy();
    assert.deepEqual(lines(stack.cloudflareZoneFile(ZONE)), [
      `dns2.smtb. 300 IN TXT "google-site-verification=abc"`,
      `www.${DOMAIN}. 300 IN A 198.51.100.80`,
    ]);
    assert.equal(stack.cloudflareZoneFile(PTR_ZONE), "\n");
  });
});

describe("DnsAuthRecords refuses at preview what would publish wrong records, and adopts when told", () => {
  const stack = freshStack("dns-lifecycle-existing");
  /** The SPF record Cloudflare Email Routing adds to a zone. */
  const EMAIL_ROUTING_SPF = '"v=spf1 include:_spf.mx.cloudflare.net ~all"';
  const dns =
    (extra: Partial<DnsAuthRecordsArgs> = {}) =>
    () =>
      new DnsAuthRecords("dns", {
        domain: DOMAIN,
        zoneId: ZONE,
        mailHost: { name: `mx.${DOMAIN}`, ipv4: ["203.0.113.7"] },
        today: "2026-12-07",
        ...extra,
      });
  let seeded = "";

  it("the zone id of another zone is refused, naming both", async () => {
    [seeded] = stack.seedCloudflare(zonesOf(DOMAIN, "other.smtb"), [
      { zoneId: ZONE, name: DOMAIN, type: "TXT", content: EMAIL_ROUTING_SPF, ttl: 1 },
    ]);
    await assert.rejects(
      stack.preview(dns({ zoneId: zoneIdOf("other.smtb") })),
      /domain dns2\.smtb is not in the zone zoneId names \(other\.smtb\); .*dns2\.smtb\.other\.smtb/,
    );
    assert.equal(stack.cloudflareZoneFile(zoneIdOf("other.smtb")), "\n");
  });

  it("a zone name given as the zone id is refused at preview by Cloudflare's getZone", async () => {
    await assert.rejects(stack.preview(dns({ zoneId: DOMAIN })), /Could not route to \/zones\/dns2\.smtb\/.*\(7003\)/);
  });

  it("an SPF record the stack does not manage is refused at preview, with its id and how to adopt it", async () => {
    await assert.rejects(
      stack.up(dns()),
      new RegExp(
        `already has an SPF record at dns2\\.smtb that this stack does not manage \\(id ${seeded}: .*adopt: \\{ spf: "${seeded}" \\}`,
      ),
    );
    assert.equal(stack.cloudflareZoneFile(ZONE).match(/v=spf1/g)?.length, 1, "nothing was written");
  });

  it("with adopt, the stack takes the record over: one SPF record, the stack's; destroy deletes it", async () => {
    await stack.up(dns({ adopt: { spf: seeded } }));
    const spf = lines(stack.cloudflareZoneFile(ZONE)).filter((l) => l.includes("v=spf1"));
    assert.deepEqual(spf, [`${DOMAIN}. 300 IN TXT "v=spf1 ip4:203.0.113.7 -all"`]);
    assert.equal(idOf(stack, "dns-spf"), seeded);
    assert.deepEqual(changes(await stack.preview(dns({ adopt: { spf: seeded } }))), []);
    await stack.destroy();
    assert.equal(stack.cloudflareZoneFile(ZONE), "\n");
  });
});
