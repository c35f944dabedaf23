import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResolverProbe } from "@smartos-mail/pulumi/tools";
import { dnssecFindings } from "../src/check/dnssec";

const probe = (answers: ResolverProbe["answers"], extra: Partial<ResolverProbe> = {}): ResolverProbe => ({
  nameservers: ["192.0.2.53"],
  postfix: { smtpTlsSecurityLevel: "dane", smtpDnsSupportLevel: "dnssec" },
  chrootResolvConfDiffers: false,
  answers,
  ...extra,
});
const noAd = { status: "NOERROR", flags: ["qr", "rd", "ra"], server: "192.0.2.53#53(192.0.2.53)" };

describe("whether the host's resolver validates DNSSEC", () => {
  it("passes an answer with AD, and says when the domain's own answer had none (not signed)", () => {
    assert.deepEqual(
      dnssecFindings("mx.example.com", probe([{ query: "SOA example.com", ...noAd, flags: ["qr", "ad"] }])),
      [
        {
          check: "DNSSEC resolver",
          status: "pass",
          detail: "mx.example.com's resolver (192.0.2.53) validates: AD on SOA example.com",
        },
      ],
    );
    const [f] = dnssecFindings(
      "mx.example.com",
      probe([
        { query: "SOA example.com", ...noAd },
        { query: "NS .", ...noAd, flags: ["qr", "rd", "ra", "ad"] },
      ]),
    );
    assert.equal(f.status, "pass");
    assert.equal(
      f.detail,
      "mx.example.com's resolver (192.0.2.53) validates: AD on NS . (SOA example.com came without AD: not signed)",
    );
  });

  it("warns on answers without AD, naming Postfix's dane level and what it loses", () => {
    const [f] = dnssecFindings(
      "mx.example.com",
      probe([
        { query: "SOA example.com", ...noAd },
        { query: "NS .", ...noAd },
      ]),
    );
    assert.equal(f.status, "warn");
    assert.equal(
      f.detail,
      "mx.example.com's resolver (192.0.2.53): NS .: NOERROR, flags qr rd ra from 192.0.2.53#53(192.0.2.53): no AD, the resolver does not validate DNSSEC; with smtp_tls_security_level=dane Postfix needs validated answers, else it ignores TLSA records and sends with unauthenticated TLS: point resolv.conf at a validating resolver (e.g. unbound on the host)",
    );
  });

  it("warns that it cannot tell on SERVFAIL or no reply", () => {
    const [servfail] = dnssecFindings("h", probe([{ query: "NS .", ...noAd, status: "SERVFAIL" }]));
    assert.equal(servfail.status, "warn");
    assert.match(
      servfail.detail,
      /NS \.: SERVFAIL, .*: a broken signature or an unreachable resolver, cannot tell which; /,
    );
    const [silent] = dnssecFindings(
      "h",
      probe([{ query: "NS .", flags: [], error: "no servers could be reached" }], { nameservers: [] }),
    );
    assert.equal(silent.status, "warn");
    assert.match(
      silent.detail,
      /^h's resolver \(none in \/etc\/resolv\.conf\): NS \.: no reply \(no servers could be reached\); with smtp_tls_security_level=dane Postfix/,
    );
  });

  it("warns when Postfix's chroot copy of resolv.conf differs", () => {
    const findings = dnssecFindings(
      "h",
      probe([{ query: "NS .", ...noAd, flags: ["ad"] }], { chrootResolvConfDiffers: true }),
    );
    assert.deepEqual(
      findings.map((f) => [f.check, f.status]),
      [
        ["DNSSEC resolver", "pass"],
        ["DNSSEC chroot", "warn"],
      ],
    );
  });
});
