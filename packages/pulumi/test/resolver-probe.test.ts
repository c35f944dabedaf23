import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parseDnssecProbe, parseResolverProbe, resolverProbeScript } from "../src/dns/resolver-probe";

/** What the script printed on a Debian 12 testbed host (dig 9.18) behind the testbed's unbound. */
const printed = (name: string) =>
  readFileSync(path.resolve(__dirname, "..", "..", "test", "fixtures", "resolver-probe", `${name}.txt`), "utf8");

describe("parseResolverProbe", () => {
  it("reads a validated answer: the resolvers, Postfix's settings, and the AD flag on the domain's SOA", () => {
    assert.deepEqual(parseResolverProbe(printed("validated")), {
      nameservers: ["198.18.0.174"],
      postfix: { smtpTlsSecurityLevel: "may", smtpDnsSupportLevel: "", dnssecProbe: "ns:." },
      chrootResolvConfDiffers: false,
      answers: [
        {
          query: "SOA cap.smtb",
          status: "NOERROR",
          flags: ["qr", "rd", "ra", "ad"],
          server: "198.18.0.174#53(198.18.0.174)",
        },
      ],
    });
  });

  it("reads SERVFAIL answers to the domain and to the probe (ns:., Postfix's default), without AD", () => {
    const probe = parseResolverProbe(printed("servfail"));
    assert.deepEqual(
      probe.answers.map((a) => [a.query, a.status, a.flags.join(" ")]),
      [
        ["SOA nowhere.smtb", "SERVFAIL", "qr rd ra"],
        ["NS .", "SERVFAIL", "qr rd ra"],
      ],
    );
  });

  it("reads no reply: dig's reasons, and a chroot resolv.conf that differs", () => {
    const probe = parseResolverProbe(printed("no-reply"));
    assert.equal(probe.chrootResolvConfDiffers, true);
    assert.deepEqual(probe.answers, [
      {
        query: "SOA cap.smtb",
        flags: [],
        error: "communications error to 198.18.0.179#53: timed out; no servers could be reached",
      },
    ]);
  });
});

describe("resolverProbeScript", () => {
  it("asks the domain's SOA first and the probe only when that answer has no AD, with the DO bit and bounded waits", () => {
    const text = resolverProbeScript({ domain: "example.com", probe: "soa:example.org" }).text;
    assert.match(text, /dig \+dnssec \+time=3 \+tries=2 'SOA' 'example\.com'/);
    assert.match(text, /if ! validated "\$out"; then\nprobe='soa:example\.org'/);
    assert.match(text, /grep -q '\^;; flags:\[\^;\]\* ad\[ ;\]'/);
  });

  it("defaults the probe to the host's own dnssec_probe, else Postfix's default ns:.", () => {
    const text = resolverProbeScript({}).text;
    assert.match(
      text,
      /probe=\$\(postconf -h dnssec_probe 2>\/dev\/null\) \|\| probe=\n\[ -n "\$probe" \] \|\| probe=ns:\./,
    );
    assert.doesNotMatch(text, /section:domain/);
  });

  it("refuses a probe or domain dig could read as an option, or that is not TYPE:NAME", () => {
    for (const probe of ["soa:+tcp", "soa:-x", "@1.2.3.4", "ns", ":example.org", "s o a:example.org"]) {
      assert.throws(() => resolverProbeScript({ probe }), /is not TYPE:NAME as in Postfix's dnssec_probe/, probe);
    }
    assert.throws(() => resolverProbeScript({ domain: "-example.com" }), /is not a domain name/);
    assert.deepEqual(parseDnssecProbe("ns:."), { type: "ns", name: "." });
    assert.deepEqual(parseDnssecProbe("tlsa:_25._tcp.mx.example.com."), {
      type: "tlsa",
      name: "_25._tcp.mx.example.com.",
    });
  });
});
