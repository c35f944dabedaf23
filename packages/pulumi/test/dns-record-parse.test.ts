import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dmarcRecord, dmarcSchema } from "../src/dns/dmarc";
import { isDmarcRecord, parseDmarcRecord } from "../src/dns/dmarc-parse";
import { spfRecord, spfSchema } from "../src/dns/spf";
import { isSpfRecord, parseSpfRecord } from "../src/dns/spf-parse";

describe("parseSpfRecord", () => {
  it("reads back exactly the mechanisms the builder wrote", () => {
    const spf = spfSchema.parse({
      mechanisms: [
        { type: "ip4", value: "203.0.113.0/24" },
        { type: "ip6", value: "2001:db8::/32", qualifier: "~" },
        { type: "a" },
        { type: "mx", domain: "mail.example.com" },
        { type: "include", domain: "_spf.google.com" },
        { type: "exists", domain: "x.example.com", qualifier: "?" },
        { type: "all" },
      ],
    });
    const parsed = parseSpfRecord(spfRecord(spf));
    assert.deepEqual(
      parsed.mechanisms.map((m) => m.mechanism),
      spf.mechanisms,
    );
    assert.deepEqual(parsed.errors, []);
    assert.equal(parsed.lookups, 4);
  });

  it("reads the guide's record: mx and include cost a lookup each, -all ends it", () => {
    const parsed = parseSpfRecord("v=spf1 mx include:_spf.google.com -all");
    assert.deepEqual(
      parsed.mechanisms.map((m) => [m.qualifier, m.type, m.target]),
      [
        ["+", "mx", undefined],
        ["+", "include", "_spf.google.com"],
        ["-", "all", undefined],
      ],
    );
    assert.equal(parsed.lookups, 2);
  });

  it("counts ptr and redirect as lookups (RFC 7208 4.6.4) and warns about ptr", () => {
    const parsed = parseSpfRecord("v=spf1 ptr:example.com a/24 mx//64 redirect=_spf.example.com");
    assert.equal(parsed.lookups, 4);
    assert.equal(parsed.redirect, "_spf.example.com");
    assert.deepEqual(
      parsed.mechanisms.map((m) => [m.type, m.cidr]),
      [
        ["ptr", undefined],
        ["a", "/24"],
        ["mx", "//64"],
      ],
    );
    assert.match(parsed.warnings.join("\n"), /ptr:example\.com: RFC 7208 5\.5 says ptr should not be used/);
  });

  it("does not count a redirect that an all mechanism makes dead, and says so", () => {
    const parsed = parseSpfRecord("v=spf1 -all redirect=other.example.com");
    assert.equal(parsed.lookups, 0);
    assert.match(parsed.warnings[0], /redirect=other\.example\.com is ignored/);
  });

  it("keeps macro targets unjudged (they are known only per message) but counts them", () => {
    const parsed = parseSpfRecord("v=spf1 exists:%{i}._spf.example.com include:%{d2}.example.net -all");
    assert.deepEqual(
      parsed.mechanisms.map((m) => m.macro),
      [true, true, false],
    );
    assert.equal(parsed.lookups, 2);
    assert.deepEqual(parsed.errors, []);
  });

  it("reports syntax errors with the library's own messages for the term", () => {
    const parsed = parseSpfRecord(
      "v=spf1 ip4:300.1.1.1 include: a:localhost mx/33 foo:bar redirect=a.example redirect=b.example all:x -all",
    );
    assert.deepEqual(parsed.errors, [
      "ip4:300.1.1.1: must be an IPv4 address or CIDR such as 192.0.2.0/24",
      "include:: include needs a domain, e.g. include:example.com",
      "a:localhost: must be a domain name such as _spf.example.com",
      "mx/33: prefix length out of range (IPv4 at most /32, IPv6 at most //128)",
      "foo:bar: unknown mechanism (SPF has all, include, a, mx, ptr, ip4, ip6, exists)",
      "redirect=b.example: redirect appears twice (RFC 7208 6)",
      "all:x: all takes no argument",
    ]);
  });

  it("recognises SPF records among TXT records case-insensitively, and nothing else", () => {
    assert.equal(isSpfRecord("v=spf1 -all"), true);
    assert.equal(isSpfRecord("V=SPF1"), true);
    assert.equal(isSpfRecord("v=spf10 -all"), false);
    assert.equal(isSpfRecord("google-site-verification=abc"), false);
    assert.deepEqual(parseSpfRecord("v=DKIM1; p=abc").errors, ["does not start with v=spf1"]);
  });
});

describe("parseDmarcRecord", () => {
  it("reads back the builder's record as the same tags", () => {
    const dmarc = dmarcSchema.parse({
      p: "quarantine",
      sp: "reject",
      pct: 50,
      rua: ["mailto:dmarc@example.com", "mailto:agg@example.net!10m"],
      ruf: ["mailto:forensic@example.com"],
      adkim: "s",
      aspf: "r",
      ri: 3600,
      fo: ["1", "d"],
    });
    const parsed = parseDmarcRecord(dmarcRecord(dmarc));
    assert.deepEqual(parsed.dmarc, dmarc);
    assert.deepEqual([parsed.errors, parsed.problems, parsed.unknownTags], [[], [], []]);
  });

  it("reads the guide's record", () => {
    const parsed = parseDmarcRecord("v=DMARC1; p=none; rua=mailto:postmaster@mx.cospix.net");
    assert.deepEqual(parsed.dmarc, { p: "none", rua: ["mailto:postmaster@mx.cospix.net"] });
  });

  it("keeps the valid tags and names each bad one with the builder's reason", () => {
    const parsed = parseDmarcRecord("v=DMARC1;p=reject;pct=150;rua=http://example.com/r;fo=1;x-extra=1");
    assert.deepEqual(parsed.dmarc, { p: "reject" });
    assert.equal(parsed.problems.length, 3);
    assert.match(parsed.problems.join("\n"), /^pct=150: /m);
    assert.match(parsed.problems.join("\n"), /^rua=http:\/\/example\.com\/r: must be mailto:address/m);
    assert.match(parsed.problems.join("\n"), /^fo=1: only matters with ruf/m);
    assert.deepEqual(parsed.unknownTags, ["x-extra"]);
  });

  it("makes a record without a valid p, or not starting with v=DMARC1, an error (receivers ignore it)", () => {
    assert.match(parseDmarcRecord("v=DMARC1; rua=mailto:a@example.com").errors[0], /p is missing/);
    assert.match(parseDmarcRecord("v=DMARC1; p=block").errors[0], /^p=block: /);
    assert.equal(parseDmarcRecord("v=DMARC1; p=block").dmarc, undefined);
    assert.equal(isDmarcRecord("p=none; v=DMARC1"), false);
    assert.equal(isDmarcRecord("v=dmarc1; p=none"), false);
    assert.equal(isDmarcRecord("v = DMARC1 ; p=none"), true);
  });
});
