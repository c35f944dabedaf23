import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkDnsbl, classifyDnsblAnswer, dnsblName, zoneLabel } from "../src/check/dnsbl";
import { checkDomain } from "../src/check/domain";
import { fakeDns } from "./fake-dns";

describe("DNSBL query names (RFC 5782 2.1, 2.4)", () => {
  it("reverses an IPv4 address's octets under the zone", () => {
    assert.equal(dnsblName("192.0.2.99", "zen.spamhaus.org"), "99.2.0.192.zen.spamhaus.org");
  });

  it("writes an IPv6 address as its 32 nibbles reversed, :: and leading zeros expanded", () => {
    assert.equal(
      dnsblName("2001:DB8::567:89ab", "zen.spamhaus.org"),
      "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org",
    );
    assert.equal(dnsblName("::ffff:192.0.2.1", "l.example").split(".").length, 32 + 2);
  });

  it("refuses what is not an address", () => {
    assert.throws(() => dnsblName("mx.example.com", "zen.spamhaus.org"), /not an IP address/);
  });
});

describe("DNSBL answers", () => {
  it("passes no answer (NXDOMAIN): not listed", () => {
    assert.deepEqual(classifyDnsblAnswer([]), { status: "pass", detail: "not listed" });
  });

  it("fails a 127.0.0.0/8 answer, naming Spamhaus's meaning of each code", () => {
    const r = classifyDnsblAnswer(["127.0.0.2", "127.0.0.4", "127.0.0.10"]);
    assert.equal(r.status, "fail");
    assert.match(
      r.detail,
      /^listed: 127\.0\.0\.2 \(SBL, a known spam source\), 127\.0\.0\.4 \(XBL, an exploited or infected host\), 127\.0\.0\.10 \(PBL, /,
    );
    assert.match(classifyDnsblAnswer(["127.0.1.2"]).detail, /^listed: 127\.0\.1\.2 \(DBL, a low-reputation domain\)/);
    assert.match(classifyDnsblAnswer(["127.0.0.77"]).detail, /^listed: 127\.0\.0\.77;/);
  });

  it("warns on the lists' error answers: cannot tell (never a listing)", () => {
    for (const [code, meaning] of [
      ["127.255.255.252", /mistyped/],
      ["127.255.255.254", /public or open resolver/],
      ["127.255.255.255", /too many queries/],
      ["127.0.1.255", /an IP address was asked of a domain list/],
      ["127.255.255.200", /^cannot tell: 127\.255\.255\.200$/],
    ] as const) {
      const r = classifyDnsblAnswer([code]);
      assert.equal(r.status, "warn", code);
      assert.match(r.detail, /^cannot tell: /);
      assert.match(r.detail, meaning);
    }
  });

  it("warns on an answer outside 127.0.0.0/8: no blocklist answer", () => {
    const r = classifyDnsblAnswer(["192.0.2.80"]);
    assert.equal(r.status, "warn");
    assert.match(r.detail, /is not a blocklist answer \(127\.0\.0\.0\/8\)/);
  });

  it("keeps a Spamhaus DQS key out of the rows", () => {
    assert.equal(zoneLabel("abc123xyz.zen.dq.spamhaus.net"), "<DQS key>.zen.dq.spamhaus.net");
    assert.equal(zoneLabel("zen.spamhaus.org"), "zen.spamhaus.org");
  });
});

describe("checkDnsbl", () => {
  it("asks every IP list about every address and every domain list about the domain; a failed lookup warns", async () => {
    const dns = fakeDns(
      { "A 1.2.0.192.ip.example": ["127.0.0.2"], "A example.com.dom.example": ["127.255.255.254"] },
      { "A 2.2.0.192.ip.example": "ETIMEOUT" },
    );
    const findings = await checkDnsbl(dns, "example.com", ["192.0.2.1", "192.0.2.2", "192.0.2.3"], {
      ip: ["ip.example"],
      domain: ["dom.example"],
    });
    assert.deepEqual(
      findings.map((f) => [f.check, f.status]),
      [
        ["DNSBL ip.example 192.0.2.1", "fail"],
        ["DNSBL ip.example 192.0.2.2", "warn"],
        ["DNSBL ip.example 192.0.2.3", "pass"],
        ["DNSBL dom.example example.com", "warn"],
      ],
    );
    assert.equal(findings[1].detail, "cannot tell: the lookup failed (ETIMEOUT)");
  });

  it("checkDomain asks the lists only with dnsbl zones, about the SPF record's addresses", async () => {
    const zone = { "TXT example.com": ["v=spf1 ip4:192.0.2.1 -all"] };
    const without = fakeDns(zone);
    await checkDomain(without, "example.com", { selectors: [] });
    assert.ok(!without.asked.some((q) => q.includes("zen.spamhaus.org")));
    const withLists = fakeDns(zone);
    await checkDomain(withLists, "example.com", {
      selectors: [],
      dnsbl: { ip: ["zen.spamhaus.org"], domain: ["dbl.spamhaus.org"] },
    });
    assert.ok(withLists.asked.includes("A 1.2.0.192.zen.spamhaus.org"));
    assert.ok(withLists.asked.includes("A example.com.dbl.spamhaus.org"));
  });
});
