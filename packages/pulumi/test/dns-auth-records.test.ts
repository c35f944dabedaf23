import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { DnsAuthRecords, type DnsAuthRecordsArgs } from "../src/index";
import { recordRegistrations } from "./support/sdk-mocks";

const DKIM = `v=DKIM1; k=rsa; p=${"A".repeat(392)}`;
const ED = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

function full(): DnsAuthRecordsArgs {
  return {
    domain: "cospix.net",
    zoneId: "zone-cospix",
    mailHost: { name: "mx.cospix.net", ipv4: ["203.0.113.7"], ipv6: ["2001:db8::7"] },
    spf: { mechanisms: [{ type: "mx" }, { type: "include", domain: "_spf.google.com" }, { type: "all" }] },
    dkim: [
      { selector: "default", value: pulumi.output(DKIM) },
      { selector: "ed1", value: ED },
      { selector: "old", value: DKIM, publishUntil: "2026-11-01" },
    ],
    dmarc: { p: "none", rua: ["mailto:postmaster@cospix.net"] },
    ptrZone: "113.0.203.in-addr.arpa",
    ptrZoneId: "zone-reverse",
    today: "2026-11-25",
  };
}

async function registrations(args: DnsAuthRecordsArgs) {
  const registered = await recordRegistrations();
  const c = new DnsAuthRecords("auth", args);
  const zone = await new Promise<string>((resolve) => c.zoneFile.apply(resolve));
  const reverse = await new Promise<string>((resolve) => c.reverseZoneFile.apply(resolve));
  const ptr = await new Promise<string[]>((resolve) => c.ptrRequests.apply(resolve));
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { registered, zone, reverse, ptr };
}

function errorOf(args: DnsAuthRecordsArgs): string {
  try {
    new DnsAuthRecords("bad", args);
  } catch (e) {
    return (e as Error).message;
  }
  return "(no error)";
}

describe("DnsAuthRecords (SDK mocks)", () => {
  let r: Awaited<ReturnType<typeof registrations>>;
  before(async () => {
    r = await registrations(full());
  });

  it("writes exactly these Cloudflare records for a full example", () => {
    const records = r.registered
      .filter((x) => x.type === "cloudflare:index/dnsRecord:DnsRecord")
      .map((x) => ({ resource: x.name, ...x.inputs }));
    const chunks = `"v=DKIM1; k=rsa; p=${"A".repeat(237)}" "${"A".repeat(155)}"`;
    const at = (resource: string, zoneId: string, name: string, type: string, content: string) => ({
      resource,
      zoneId,
      name,
      type,
      content,
      ttl: 300,
      comment: "managed by smartos-mail",
    });
    const byName = (x: { resource: unknown }, y: { resource: unknown }) =>
      String(x.resource).localeCompare(String(y.resource));
    assert.deepEqual(
      records.sort(byName),
      [
        at("auth-a-203.0.113.7", "zone-cospix", "mx.cospix.net", "A", "203.0.113.7"),
        at("auth-aaaa-2001-db8--7", "zone-cospix", "mx.cospix.net", "AAAA", "2001:db8::7"),
        at("auth-spf", "zone-cospix", "cospix.net", "TXT", '"v=spf1 mx include:_spf.google.com -all"'),
        at("auth-dkim-default", "zone-cospix", "default._domainkey.cospix.net", "TXT", chunks),
        at("auth-dkim-ed1", "zone-cospix", "ed1._domainkey.cospix.net", "TXT", `"${ED}"`),
        at("auth-adsp", "zone-cospix", "_adsp._domainkey.cospix.net", "TXT", '"dkim=all"'),
        at(
          "auth-dmarc",
          "zone-cospix",
          "_dmarc.cospix.net",
          "TXT",
          '"v=DMARC1; p=none; rua=mailto:postmaster@cospix.net"',
        ),
        at("auth-ptr-203.0.113.7", "zone-reverse", "7.113.0.203.in-addr.arpa", "PTR", "mx.cospix.net"),
      ].sort(byName),
    );
  });

  it("drops a retired DKIM key after its publishUntil date", () => {
    assert.ok(!r.registered.some((x) => x.name === "auth-dkim-old"));
    assert.ok(!r.zone.includes("old._domainkey"));
  });

  it("renders the same records as BIND zone-file lines, long TXT split into 255-byte strings", () => {
    const lines = r.zone.trimEnd().split("\n");
    assert.equal(lines.length, 7);
    assert.equal(lines[0], "mx.cospix.net.\t300\tIN\tA\t203.0.113.7");
    assert.equal(lines[2], 'cospix.net.\t300\tIN\tTXT\t"v=spf1 mx include:_spf.google.com -all"');
    assert.match(lines[3], /^default\._domainkey\.cospix\.net\.\t300\tIN\tTXT\t"v=DKIM1; k=rsa; p=A{237}" "A{155}"$/);
    assert.equal(r.reverse, "7.113.0.203.in-addr.arpa.\t300\tIN\tPTR\tmx.cospix.net.\n");
  });

  it("says what PTR to ask for when the reverse zone is not ours", async () => {
    const { ptrZone: _z, ptrZoneId: _i, ...rest } = full();
    const other = await registrations({ ...rest, mailHost: { name: "mx.cospix.net", ipv4: ["203.0.113.7"] } });
    assert.deepEqual(other.ptr, [
      "Ask the owner of 203.0.113.7 to set its PTR record (7.113.0.203.in-addr.arpa) to mx.cospix.net.",
    ]);
    assert.ok(!other.registered.some((x) => x.inputs.type === "PTR"));
  });

  it("defaults to the guide: SPF from the mail host's addresses and -all, ADSP dkim=all, DMARC p=none to postmaster", async () => {
    const d = await registrations({
      domain: "cospix.net",
      zoneId: "z",
      mailHost: { name: "mx.cospix.net", ipv4: ["203.0.113.7"] },
    });
    const content = (n: string) => d.registered.find((x) => x.name === n)?.inputs.content;
    assert.equal(content("auth-spf"), '"v=spf1 ip4:203.0.113.7 -all"');
    assert.equal(content("auth-adsp"), '"dkim=all"');
    assert.equal(content("auth-dmarc"), '"v=DMARC1; p=none; rua=mailto:postmaster@cospix.net"');
    assert.equal(content("auth-host-spf"), undefined, "the host name's own SPF record only when asked for");
  });

  it("mailHost.spf: the host name's own SPF record from its addresses, beside the domain's own policy", async () => {
    const d = await registrations({
      domain: "cospix.net",
      zoneId: "z",
      mailHost: { name: "mx.cospix.net", ipv4: ["203.0.113.7"], ipv6: ["2001:db8::7"], spf: true },
      spf: { mechanisms: [{ type: "include", domain: "_spf.google.com" }, { type: "all" }] },
    });
    const record = (n: string) => d.registered.find((x) => x.name === n)?.inputs;
    assert.deepEqual(
      [record("auth-host-spf")?.name, record("auth-host-spf")?.type, record("auth-host-spf")?.content],
      ["mx.cospix.net", "TXT", '"v=spf1 ip4:203.0.113.7 ip6:2001:db8::7 -all"'],
    );
    assert.equal(record("auth-spf")?.content, '"v=spf1 include:_spf.google.com -all"');
    assert.match(d.zone, /^mx\.cospix\.net\.\s+300\s+IN\s+TXT\s+"v=spf1 ip4:203\.0\.113\.7 ip6:2001:db8::7 -all"$/m);
  });
});

describe("DnsAuthRecords: records keyed by content, values as Cloudflare keeps them", () => {
  const host = (mailHost: { name: string; ipv4?: string[]; ipv6?: string[] }, apexTxt: string[] = []) =>
    registrations({ domain: "cospix.net", zoneId: "z", mailHost, apexTxt });
  const nameOf = (r: Awaited<ReturnType<typeof host>>, type: string, content: string) =>
    r.registered.find((x) => x.inputs.type === type && x.inputs.content === content)?.name;

  it("keeps an address's record when another address is removed or the list reordered", async () => {
    const two = await host({ name: "mx.cospix.net", ipv4: ["203.0.113.7", "203.0.113.8"] });
    const one = await host({ name: "mx.cospix.net", ipv4: ["203.0.113.8"] });
    const swapped = await host({ name: "mx.cospix.net", ipv4: ["203.0.113.8", "203.0.113.7"] });
    assert.equal(nameOf(one, "A", "203.0.113.8"), nameOf(two, "A", "203.0.113.8"));
    assert.equal(nameOf(swapped, "A", "203.0.113.7"), nameOf(two, "A", "203.0.113.7"));
  });

  it("keeps an apex TXT record's name when another is removed or the list reordered", async () => {
    const mx = { name: "mx.cospix.net", ipv4: ["203.0.113.7"] };
    const two = await host(mx, ["a=1", "b=2"]);
    const one = await host(mx, ["b=2"]);
    assert.equal(nameOf(one, "TXT", '"b=2"'), nameOf(two, "TXT", '"b=2"'));
    assert.notEqual(nameOf(two, "TXT", '"a=1"'), nameOf(two, "TXT", '"b=2"'));
  });

  it("sends names lower-case and IPv6 in RFC 5952 form, as Cloudflare stores and returns them", async () => {
    const r = await registrations({
      domain: "Cospix.NET",
      zoneId: "z",
      mailHost: { name: "MX.Cospix.NET", ipv4: ["203.0.113.7"], ipv6: ["2001:DB8:0:0:0:0:0:7"] },
      ptrZone: "113.0.203.IN-ADDR.arpa",
      ptrZoneId: "r",
    });
    const records = r.registered.filter((x) => x.type === "cloudflare:index/dnsRecord:DnsRecord");
    for (const x of records) assert.equal(x.inputs.name, String(x.inputs.name).toLowerCase());
    assert.equal(records.find((x) => x.inputs.type === "AAAA")?.inputs.content, "2001:db8::7");
    assert.equal(records.find((x) => x.inputs.type === "PTR")?.inputs.content, "mx.cospix.net");
  });
});

describe("DnsAuthRecords validation: each rule fails with the field named", () => {
  const base = (): DnsAuthRecordsArgs => ({
    domain: "cospix.net",
    zoneId: "z",
    mailHost: { name: "mx.cospix.net", ipv4: ["203.0.113.7"] },
  });
  const all = { type: "all" as const };
  const cases: [string, DnsAuthRecordsArgs, RegExp][] = [
    ["bad domain", { ...base(), domain: "cospix" }, /domain: must be a fully qualified/],
    [
      "SPF without all",
      { ...base(), spf: { mechanisms: [{ type: "mx" }] } },
      /spf\.mechanisms: must end with \{ type: "all" \}/,
    ],
    [
      "SPF with all not last",
      { ...base(), spf: { mechanisms: [all, { type: "mx" }] } },
      /spf\.mechanisms\[1\]: comes after all/,
    ],
    [
      "SPF over 10 lookups",
      { ...base(), spf: { mechanisms: [...Array.from({ length: 11 }, () => ({ type: "a" as const })), all] } },
      /spf\.mechanisms: need 11 DNS lookups; SPF allows 10/,
    ],
    [
      "SPF bad ip4",
      { ...base(), spf: { mechanisms: [{ type: "ip4", value: "1.2.3.400" }, all] } },
      /spf\.mechanisms\[0\]\.value: must be an IPv4/,
    ],
    [
      "SPF bad ip6",
      { ...base(), spf: { mechanisms: [{ type: "ip6", value: "2001:db8::/129" }, all] } },
      /spf\.mechanisms\[0\]\.value: must be an IPv6/,
    ],
    [
      "SPF bad include",
      { ...base(), spf: { mechanisms: [{ type: "include", domain: "bad domain" }, all] } },
      /spf\.mechanisms\[0\]\.domain: must be a domain/,
    ],
    ["second SPF record", { ...base(), apexTxt: ["v=spf1 -all"] }, /apexTxt\[0\]: is a second SPF record/],
    [
      "duplicate IPv4",
      { ...base(), mailHost: { name: "mx.cospix.net", ipv4: ["203.0.113.7", "203.0.113.7"] } },
      /mailHost\.ipv4\[1\]: 203\.0\.113\.7 is listed twice/,
    ],
    [
      "the same IPv6 address in two spellings",
      { ...base(), mailHost: { name: "mx.cospix.net", ipv6: ["2001:db8::1", "2001:DB8:0::1"] } },
      /mailHost\.ipv6\[1\]: 2001:db8::1 is listed twice/,
    ],
    ["duplicate apex TXT", { ...base(), apexTxt: ["a=1", "a=1"] }, /apexTxt\[1\]: is listed twice/],
    [
      "adopt with a bad record id",
      { ...base(), adopt: { spf: "spf-record" } },
      /adopt\.spf: must be a Cloudflare record id/,
    ],
    [
      "adopt with a zone id known only later",
      { ...base(), zoneId: pulumi.output("z"), adopt: { spf: "0123456789abcdef0123456789abcdef" } },
      /adopt needs zoneId as a plain string/,
    ],
    [
      "apex TXT over Cloudflare's 2048 characters",
      { ...base(), apexTxt: ["x".repeat(2100)] },
      /apexTxt\[0\]: is 2126 characters as sent .*at most 2048/,
    ],
    [
      "apex TXT over Cloudflare's 8192 characters at one name",
      { ...base(), apexTxt: ["a", "b", "c", "d", "e"].map((c) => c.repeat(1900)) },
      /apexTxt: add up to \d+ characters as sent with the SPF record, over Cloudflare's 8192/,
    ],
    [
      "a domain that makes the DMARC and ADSP names too long",
      {
        ...base(),
        domain: `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(47)}.com`,
        mailHost: undefined,
        spf: { mechanisms: [all] },
      },
      /adsp: makes the record name _adsp\._domainkey\.a+.* 260 characters long; .*allow 253 \(set adsp: false\)/,
    ],

    [
      "no SPF and no addresses",
      { ...base(), mailHost: { name: "mx.cospix.net" } },
      /spf: is needed when mailHost has no addresses/,
    ],
    [
      "mail host outside the domain",
      { ...base(), mailHost: { name: "mx.other.net", ipv4: ["203.0.113.7"] } },
      /mailHost\.name: is not in cospix\.net/,
    ],
    ["bad ADSP", { ...base(), adsp: "sometimes" as "all" }, /adsp: /],
    ["DMARC bad p", { ...base(), dmarc: { p: "drop" as "none" } }, /dmarc\.p: /],
    ["DMARC pct over 100", { ...base(), dmarc: { pct: 101 } }, /dmarc\.pct: /],
    [
      "DMARC rua not mailto",
      { ...base(), dmarc: { rua: ["postmaster@cospix.net"] } },
      /dmarc\.rua\[0\]: must be mailto:/,
    ],
    ["DMARC bad adkim", { ...base(), dmarc: { adkim: "x" as "r" } }, /dmarc\.adkim: /],
    ["DMARC bad rf", { ...base(), dmarc: { rf: "pdf" as "afrf" } }, /dmarc\.rf: /],
    ["DMARC ri zero", { ...base(), dmarc: { ri: 0 } }, /dmarc\.ri: /],
    ["DMARC fo without ruf", { ...base(), dmarc: { fo: ["1"] } }, /dmarc\.fo: only matters with ruf/],
    ["TTL too small", { ...base(), ttl: 5 }, /ttl: must be 60\.\.86400/],
    [
      "duplicate selector",
      {
        ...base(),
        dkim: [
          { selector: "a", value: "v=DKIM1; p=x" },
          { selector: "a", value: "v=DKIM1; p=y" },
        ],
      },
      /dkim\[1\]\.selector: a is listed twice/,
    ],
    [
      "bad selector",
      { ...base(), dkim: [{ selector: "Bad_Sel", value: "v=DKIM1; p=x" }] },
      /dkim\[0\]\.selector: must be one DNS label/,
    ],
    [
      "bad publishUntil",
      { ...base(), dkim: [{ selector: "a", value: "v=DKIM1; p=x", publishUntil: "tomorrow" }] },
      /dkim\[0\]\.publishUntil: must be a date/,
    ],
    [
      "PTR zone that does not cover the address",
      { ...base(), ptrZone: "99.0.203.in-addr.arpa", ptrZoneId: "r" },
      /ptrZone: does not hold the PTR of any mail host address \(203\.0\.113\.7\)/,
    ],
    [
      "mailHost.spf without addresses",
      { ...base(), mailHost: { name: "mx.cospix.net", spf: true }, spf: { mechanisms: [{ type: "all" }] } },
      /mailHost\.spf: needs the host's addresses/,
    ],
    [
      "mailHost.spf at the domain itself",
      { ...base(), mailHost: { name: "cospix.net", ipv4: ["203.0.113.7"], spf: true } },
      /mailHost\.spf: must be false when the host's name is the domain/,
    ],
    [
      "ptrZone without its zone id",
      { ...base(), ptrZone: "113.0.203.in-addr.arpa" },
      /ptrZone and ptrZoneId go together/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what}`, () => assert.match(errorOf(args), message));
  }
});
