import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkDomain } from "../src/check/domain";
import { checkHeloSpf } from "../src/check/helo";
import { sendingAddresses, spfSenders } from "../src/check/senders";
import { fakeDns } from "./fake-dns";

describe("the sending hosts an SPF record names", () => {
  it("takes single ip4/ip6 addresses, a and mx names (the domain when they name none); leaves networks, includes and macros out", () => {
    assert.deepEqual(
      spfSenders(
        "v=spf1 ip4:192.0.2.1 ip4:192.0.2.2/32 ip6:2001:db8::1 ip6:2001:db8::2/128 ip4:198.51.100.0/24 ip6:2001:db8:1::/48 a a:Out.Example.com. mx mx:other.example.net/24 include:_spf.mail.example a:%{d}.example.com -all",
        "example.com",
      ),
      {
        addresses: ["192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"],
        names: [
          { type: "a", name: "example.com" },
          { type: "a", name: "out.example.com" },
          { type: "mx", name: "example.com" },
          { type: "mx", name: "other.example.net" },
        ],
        networks: ["ip4:198.51.100.0/24", "ip6:2001:db8:1::/48"],
        includes: ["include:_spf.mail.example"],
        macros: ["a:%{d}.example.com"],
      },
    );
  });

  it("counts only pass terms: -, ~ and ? terms name hosts that may not send", () => {
    const s = spfSenders("v=spf1 -ip4:192.0.2.9 ~a:soft.example.com ?mx +ip4:192.0.2.1 -all", "example.com");
    assert.deepEqual(s.addresses, ["192.0.2.1"]);
    assert.deepEqual(s.names, []);
  });

  it("gives the redirect target only when the record has no all (RFC 7208 6.1)", () => {
    assert.equal(spfSenders("v=spf1 redirect=_spf.Example.com", "example.com").redirect, "_spf.example.com");
    assert.equal(spfSenders("v=spf1 -all redirect=_spf.example.com", "example.com").redirect, undefined);
  });
});

describe("sendingAddresses", () => {
  const zone = {
    "TXT example.com": ["v=spf1 ip4:192.0.2.1 a:out.example.com mx include:_spf.provider.example -all"],
    "A out.example.com": ["192.0.2.2"],
    "AAAA out.example.com": ["2001:db8::2"],
    "MX example.com": ["in.example.com"],
    "A in.example.com": ["192.0.2.3", "192.0.2.1"],
  };

  it("without --mail-host: the SPF record's addresses and the a/mx hosts' addresses, once each; the include is named as not checked", async () => {
    const s = await sendingAddresses(fakeDns(zone), "example.com");
    assert.deepEqual(s.addresses, [
      { address: "192.0.2.1" },
      { address: "192.0.2.2", host: "out.example.com" },
      { address: "2001:db8::2", host: "out.example.com" },
      { address: "192.0.2.3", host: "in.example.com" },
    ]);
    assert.deepEqual(s.finding, {
      check: "SENDERS",
      status: "info",
      detail:
        "192.0.2.1, 192.0.2.2 (out.example.com), 2001:db8::2 (out.example.com), 192.0.2.3 (in.example.com): from example.com's SPF record; not checked: include:_spf.provider.example (other senders' hosts)",
    });
  });

  it("with --mail-host: its addresses, and no SPF lookup", async () => {
    const dns = fakeDns(zone);
    const s = await sendingAddresses(dns, "example.com", "out.example.com");
    assert.deepEqual(
      s.addresses.map((a) => a.address),
      ["192.0.2.2", "2001:db8::2"],
    );
    assert.equal(s.finding.status, "info");
    assert.ok(!dns.asked.includes("TXT example.com"));
  });

  it("follows a redirect, and stops at a loop", async () => {
    const s = await sendingAddresses(
      fakeDns({
        "TXT example.com": ["v=spf1 redirect=_spf.example.com"],
        "TXT _spf.example.com": ["v=spf1 ip4:192.0.2.7 redirect=example.com"],
      }),
      "example.com",
    );
    assert.deepEqual(s.addresses, [{ address: "192.0.2.7" }]);
  });

  it("warns when the SPF record names no host (only networks), when there are two records, and fails a --mail-host without addresses", async () => {
    const networks = await sendingAddresses(
      fakeDns({ "TXT example.com": ["v=spf1 ip4:192.0.2.0/24 -all"] }),
      "example.com",
    );
    assert.equal(networks.finding.status, "warn");
    assert.match(networks.finding.detail, /not checked: ip4:192\.0\.2\.0\/24 \(networks\); pass --mail-host/);
    const two = await sendingAddresses(
      fakeDns({ "TXT example.com": ["v=spf1 a -all", "v=spf1 mx -all"] }),
      "example.com",
    );
    assert.equal(two.finding.status, "warn");
    assert.match(two.finding.detail, /example\.com has 2 SPF records/);
    const ghost = await sendingAddresses(fakeDns({}), "example.com", "ghost.example.com");
    assert.deepEqual(ghost.finding, {
      check: "SENDERS",
      status: "fail",
      detail: "ghost.example.com has no A or AAAA record",
    });
  });
});

describe("SPF at the HELO name", () => {
  it("passes one record, warns on none or two, and warns when the lookup fails", async () => {
    const findings = await checkHeloSpf(
      fakeDns(
        {
          "TXT mx.example.com": ["v=spf1 a -all"],
          "TXT two.example.com": ["v=spf1 a -all", "v=spf1 mx -all"],
          "TXT none.example.com": ["some-verification=1"],
        },
        { "TXT lost.example.com": "ESERVFAIL" },
      ),
      ["mx.example.com", "none.example.com", "two.example.com", "lost.example.com"],
    );
    assert.deepEqual(
      findings.map((f) => [f.check, f.status]),
      [
        ["HELO mx.example.com", "pass"],
        ["HELO none.example.com", "warn"],
        ["HELO two.example.com", "warn"],
        ["HELO lost.example.com", "warn"],
      ],
    );
    assert.equal(findings[0].detail, "SPF at the HELO name: v=spf1 a -all");
    assert.match(
      findings[1].detail,
      /RFC 7208 2\.3.*empty envelope sender, 2\.4.*"v=spf1 a -all" at none\.example\.com$/,
    );
  });

  it("checkDomain asks the HELO name of --mail-host, else the PTR names of the SPF record's addresses", async () => {
    const zone = {
      "TXT example.com": ["v=spf1 ip4:192.0.2.1 -all"],
      "PTR 192.0.2.1": ["out.example.com"],
      "A out.example.com": ["192.0.2.1"],
      "TXT out.example.com": ["v=spf1 a -all"],
    };
    const byPtr = await checkDomain(fakeDns(zone), "example.com", { selectors: [] });
    assert.deepEqual(
      byPtr.filter((f) => /^(SENDERS|PTR|HELO)/.test(f.check)).map((f) => [f.check, f.status]),
      [
        ["SENDERS", "info"],
        ["PTR 192.0.2.1", "pass"],
        ["HELO out.example.com", "pass"],
      ],
    );
    const byMailHost = await checkDomain(fakeDns(zone), "example.com", { selectors: [], mailHost: "mx.example.com" });
    assert.deepEqual(
      byMailHost.filter((f) => /^(SENDERS|HELO)/.test(f.check)).map((f) => [f.check, f.status]),
      [
        ["SENDERS", "fail"],
        ["HELO mx.example.com", "warn"],
      ],
    );
  });
});
