import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkSpf, walkSpf } from "../src/check/spf";
import { fakeDns } from "./fake-dns";

/** A domain whose record reaches 11 lookups through two levels of includes and a redirect. */
function chain(): Record<string, string[]> {
  return {
    "TXT example.com": ["v=spf1 include:_a.example.com include:_b.example.com a mx -all", "google-site-verification=x"],
    "TXT _a.example.com": ["v=spf1 a:x1.example.com a:x2.example.com mx:x3.example.com exists:x4.example.com -all"],
    "TXT _b.example.com": ["v=spf1 include:_c.example.com"],
    "TXT _c.example.com": ["v=spf1 ip4:192.0.2.1 redirect=_d.example.com"],
    "TXT _d.example.com": ["v=spf1 mx -all"],
    // What the a and mx terms name, so none of them is a void lookup.
    "A example.com": ["192.0.2.1"],
    "MX example.com": ["mx.example.com"],
    "A x1.example.com": ["192.0.2.11"],
    "AAAA x2.example.com": ["2001:db8::12"],
    "MX x3.example.com": ["mx.example.com"],
    "MX _d.example.com": ["mx.example.com"],
  };
}

describe("SPF lookup counting", () => {
  it("counts every a, mx, exists, include and redirect through nested includes and a redirect: 11 here", async () => {
    const dns = fakeDns(chain());
    const walk = await walkSpf(dns, "example.com", chain()["TXT example.com"][0]);
    assert.deepEqual(
      walk.records.map((r) => [r.domain, r.lookups]),
      [
        ["example.com", 4],
        ["_a.example.com", 4],
        ["_b.example.com", 1],
        ["_c.example.com", 1],
        ["_d.example.com", 1],
      ],
    );
    assert.equal(walk.lookups, 11);
    assert.deepEqual(walk.errors, []);
    assert.deepEqual(walk.voidLookups, []);
  });

  it("passes at exactly 10 lookups and fails at 11, naming each record's share", async () => {
    const zone = (n: number) => ({
      "TXT example.com": [
        `v=spf1 include:_spf.example.com ${Array.from({ length: n - 2 }, (_, i) => `a:h${i}.example.com`).join(" ")} -all`,
      ],
      "TXT _spf.example.com": ["v=spf1 mx -all"],
    });
    const ten = await checkSpf(fakeDns(zone(10)), "example.com");
    assert.deepEqual(ten[1], {
      check: "SPF lookups",
      status: "pass",
      detail: "10 of 10 (example.com 9, _spf.example.com 1)",
    });
    const eleven = await checkSpf(fakeDns(zone(11)), "example.com");
    assert.equal(eleven[1].status, "fail");
    assert.match(
      eleven[1].detail,
      /^11 DNS lookups \(example\.com 10, _spf\.example\.com 1\); SPF allows 10 \(RFC 7208 4\.6\.4\)/,
    );
  });

  it("does not follow a redirect that an all mechanism overrides", async () => {
    const dns = fakeDns({ "TXT _d.example.com": ["v=spf1 a a a a a a a a a a a -all"] });
    const walk = await walkSpf(dns, "example.com", "v=spf1 mx -all redirect=_d.example.com");
    assert.equal(walk.lookups, 1);
    assert.deepEqual(dns.asked, ["MX example.com"]);
  });

  it("stops at include loops and reports them as errors", async () => {
    const dns = fakeDns({
      "TXT _a.example.com": ["v=spf1 include:_b.example.com -all"],
      "TXT _b.example.com": ["v=spf1 include:_a.example.com -all"],
    });
    const walk = await walkSpf(dns, "example.com", "v=spf1 include:_a.example.com -all");
    assert.deepEqual(walk.errors, [
      "_b.example.com: include:_a.example.com: loops back to _a.example.com (example.com -> _a.example.com -> _b.example.com -> _a.example.com)",
    ]);
  });

  it("makes an include without an SPF record, or with two, a permerror; a failed lookup a temperror", async () => {
    const dns = fakeDns(
      { "TXT _two.example.com": ["v=spf1 -all", "v=spf1 mx -all"] },
      { "TXT _down.example.com": "ESERVFAIL" },
    );
    const walk = await walkSpf(
      dns,
      "example.com",
      "v=spf1 include:_none.example.com include:_two.example.com include:_down.example.com -all",
    );
    assert.deepEqual(walk.errors, [
      "example.com: include:_none.example.com: _none.example.com has no SPF record (permerror, RFC 7208 5.2 and 6.1)",
      "example.com: include:_two.example.com: _two.example.com has 2 SPF records (permerror, RFC 7208 4.5)",
      "example.com: include:_down.example.com: the lookup failed (ESERVFAIL); receivers return temperror",
    ]);
    assert.equal(walk.lookups, 3);
  });

  it("warns of each a or mx term that finds nothing; two such void lookups pass, a third is a permerror", async () => {
    const record = (n: number) =>
      `v=spf1 ${["a:gone1.example.com", "mx:gone2.example.com", "a", "ip4:192.0.2.1"].slice(0, n).join(" ")} -all`;
    const dns = fakeDns({ "A x.example.com": ["192.0.2.1"], "MX x.example.com": ["mx.example.com"] });
    const two = await walkSpf(dns, "x.example.com", record(2));
    assert.deepEqual(two.voidLookups, ["x.example.com: a:gone1.example.com", "x.example.com: mx:gone2.example.com"]);
    assert.deepEqual(two.warnings, [
      "x.example.com: a:gone1.example.com: gone1.example.com has no A or AAAA record, the term matches nothing",
      "x.example.com: mx:gone2.example.com: gone2.example.com has no MX record, the term matches nothing",
    ]);
    assert.deepEqual(two.errors, []);
    // "a" alone names the domain itself, which has an address: not void.
    assert.deepEqual((await walkSpf(dns, "x.example.com", record(3))).errors, []);
    const three = await walkSpf(fakeDns({}), "x.example.com", record(3));
    assert.deepEqual(three.errors, [
      "3 lookups find nothing (x.example.com: a:gone1.example.com, x.example.com: mx:gone2.example.com, x.example.com: a); receivers stop at 2 with permerror (RFC 7208 4.6.4): remove the terms that match nothing",
    ]);
    const finding = (await checkSpf(fakeDns({ "TXT x.example.com": [record(3)] }), "x.example.com"))[0];
    assert.equal(finding.status, "fail");
  });

  it("makes an mx term naming more than 10 hosts a permerror; a failed a or mx lookup a temperror", async () => {
    const hosts = (n: number) => Array.from({ length: n }, (_, i) => `mx${i}.example.com`);
    const ten = await walkSpf(fakeDns({ "MX example.com": hosts(10) }), "example.com", "v=spf1 mx -all");
    assert.deepEqual(ten.errors, []);
    const eleven = await walkSpf(fakeDns({ "MX example.com": hosts(11) }), "example.com", "v=spf1 mx -all");
    assert.deepEqual(eleven.errors, [
      "example.com: mx: example.com has 11 MX hosts, an mx term may look up 10 (permerror, RFC 7208 4.6.4)",
    ]);
    const down = await walkSpf(
      fakeDns({}, { "A a.example.com": "ETIMEOUT" }),
      "example.com",
      "v=spf1 a:a.example.com -all",
    );
    assert.deepEqual(down.errors, [
      "example.com: a:a.example.com: the lookup failed (ETIMEOUT); receivers return temperror",
    ]);
    assert.deepEqual(down.voidLookups, []);
  });

  it("does not look up a or mx terms with macros", async () => {
    const dns = fakeDns({});
    const walk = await walkSpf(dns, "example.com", "v=spf1 a:%{i}.a.example.com mx:%{d} -all");
    assert.deepEqual(dns.asked, []);
    assert.deepEqual(walk.voidLookups, []);
  });

  it("counts an include with macros but cannot follow it, and says so", async () => {
    const walk = await walkSpf(fakeDns({}), "example.com", "v=spf1 include:%{d}.spf.example.net -all");
    assert.equal(walk.lookups, 1);
    assert.match(walk.warnings[0], /uses macros; it cannot be followed here/);
  });
});

describe("SPF findings", () => {
  it("passes the guide's style of record: one record, few lookups, -all", async () => {
    const dns = fakeDns({
      "TXT cospix.net": ["v=spf1 mx include:_spf.google.com -all"],
      "TXT _spf.google.com": ["v=spf1 ip4:192.0.2.0/24 ~all"],
      "MX cospix.net": ["mx.cospix.net"],
    });
    assert.deepEqual(await checkSpf(dns, "cospix.net"), [
      { check: "SPF record", status: "pass", detail: "v=spf1 mx include:_spf.google.com -all" },
      { check: "SPF lookups", status: "pass", detail: "2 of 10 (cospix.net 2, _spf.google.com 0)" },
      { check: "SPF all", status: "pass", detail: "-all: mail from unlisted hosts fails SPF" },
    ]);
  });

  it("fails a domain with two SPF records, and one with none", async () => {
    const two = await checkSpf(fakeDns({ "TXT example.com": ["v=spf1 mx -all", "v=spf1 a -all"] }), "example.com");
    assert.equal(two.length, 1);
    assert.equal(two[0].status, "fail");
    assert.match(two[0].detail, /^2 SPF records .*RFC 7208 4\.5: permerror/);
    const none = await checkSpf(fakeDns({ "TXT example.com": ["some other text"] }), "example.com");
    assert.equal(none[0].status, "fail");
    assert.match(none[0].detail, /no TXT record starting with v=spf1/);
  });

  it("warns when the record has no all (and no redirect), and about ?all; fails +all", async () => {
    const verdict = async (record: string) =>
      (await checkSpf(fakeDns({ "TXT example.com": [record] }), "example.com")).find((f) => f.check === "SPF all");
    assert.equal((await verdict("v=spf1 ip4:192.0.2.1"))?.status, "warn");
    assert.match((await verdict("v=spf1 ip4:192.0.2.1"))?.detail ?? "", /no all mechanism/);
    assert.equal((await verdict("v=spf1 ip4:192.0.2.1 ?all"))?.status, "warn");
    assert.equal((await verdict("v=spf1 ip4:192.0.2.1 ~all"))?.status, "pass");
    assert.equal((await verdict("v=spf1 +all"))?.status, "fail");
  });

  it("fails a record with a syntax error anywhere in its includes, quoting the error", async () => {
    const dns = fakeDns({
      "TXT example.com": ["v=spf1 include:_spf.example.com -all"],
      "TXT _spf.example.com": ["v=spf1 ip4:192.0.2.300 -all"],
    });
    const [record] = await checkSpf(dns, "example.com");
    assert.equal(record.status, "fail");
    assert.match(record.detail, /_spf\.example\.com: ip4:192\.0\.2\.300: must be an IPv4 address/);
  });

  it("fails when the domain's own lookup fails, rather than reporting no record", async () => {
    const [record] = await checkSpf(fakeDns({}, { "TXT example.com": "ETIMEOUT" }), "example.com");
    assert.deepEqual(record, {
      check: "SPF record",
      status: "fail",
      detail: "cannot look up TXT example.com: ETIMEOUT",
    });
  });
});
