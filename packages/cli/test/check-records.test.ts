import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { checkAdsp } from "../src/check/adsp";
import { checkDkim, dkimKeyOf, judgeDkimRecord } from "../src/check/dkim";
import { checkDmarc } from "../src/check/dmarc";
import { checkReverseDns } from "../src/check/reverse";
import { fakeDns } from "./fake-dns";

/** `p=` of a new RSA key of `bits`, as SubjectPublicKeyInfo (opendkim-genkey) or PKCS#1. */
function rsaP(bits: number, type: "spki" | "pkcs1" = "spki"): string {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return publicKey.export({ format: "der", type }).toString("base64");
}

function ed25519P(): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  // The last 32 bytes of the SubjectPublicKeyInfo are the raw key (RFC 8463 publishes those).
  return publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("base64");
}

describe("DKIM key records", () => {
  it("reads the RSA key size from p= with node:crypto, SubjectPublicKeyInfo or bare PKCS#1", () => {
    assert.deepEqual(dkimKeyOf(`v=DKIM1; k=rsa; p=${rsaP(2048)}`), { kind: "rsa", bits: 2048 });
    assert.deepEqual(dkimKeyOf(`v=DKIM1; p=${rsaP(1024, "pkcs1")}`), { kind: "rsa", bits: 1024 });
  });

  it("reads the guide's published 1024-bit record, base64 split by the zone file's whitespace", () => {
    const guide =
      "v=DKIM1; k=rsa; s=email; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDOymcU1ODODcKUathqCXzDgQPV0YhhWUOg+mNVkKzymZ6iE0+/0UrqPXCpOW9hfHXuFrWR74wzPZlhkJknPh80D57Omd1w7hVnmUyRFTEAKpNkpolO4BbFNs+CUTO6oYbPO4s8dRzJen8M39U4aA0bUuyO9slXMf4Vz4kszSuGnwIDAQAB";
    assert.deepEqual(dkimKeyOf(guide.replace("p=MIGf", "p=MIGf ")), { kind: "rsa", bits: 1024 });
    assert.equal(judgeDkimRecord(guide).status, "warn");
  });

  it("judges RSA under 1024 bits fail, under 2048 warn, 2048 and up pass; Ed25519 pass", () => {
    assert.equal(judgeDkimRecord(`v=DKIM1; k=rsa; p=${rsaP(512)}`).status, "fail");
    assert.match(judgeDkimRecord(`v=DKIM1; k=rsa; p=${rsaP(512)}`).detail, /rsa 512-bit key; .*RFC 8301/);
    assert.deepEqual(judgeDkimRecord(`v=DKIM1; k=rsa; p=${rsaP(1024)}`).status, "warn");
    assert.deepEqual(judgeDkimRecord(`v=DKIM1; k=rsa; p=${rsaP(2048)}`), {
      status: "pass",
      detail: "rsa 2048-bit key",
    });
    assert.deepEqual(judgeDkimRecord(`v=DKIM1; k=rsa; p=${rsaP(3072)}`), {
      status: "pass",
      detail: "rsa 3072-bit key",
    });
    assert.equal(judgeDkimRecord(`v=DKIM1; k=ed25519; p=${ed25519P()}`).status, "pass");
  });

  it("fails a revoked key, a wrong key type, garbage p= and a wrong version; warns in testing mode", () => {
    assert.match(judgeDkimRecord("v=DKIM1; k=rsa; p=").detail, /^revoked/);
    assert.match(judgeDkimRecord(`v=DKIM1; k=ed25519; p=${rsaP(1024)}`).detail, /Ed25519 p= holds 32 bytes/);
    assert.match(judgeDkimRecord("v=DKIM1; k=dsa; p=AAAA").detail, /k=dsa is not a key type/);
    assert.match(judgeDkimRecord("v=DKIM1; p=not*base64").detail, /not base64/);
    assert.match(judgeDkimRecord(`v=DKIM1; k=rsa; p=${ed25519P()}`).detail, /not an RSA public key/);
    assert.match(judgeDkimRecord(`v=DKIM2; p=${rsaP(2048)}`).detail, /v=DKIM2; it must be DKIM1/);
    const testing = judgeDkimRecord(`v=DKIM1; t=y; p=${rsaP(2048)}`);
    assert.equal(testing.status, "warn");
    assert.match(testing.detail, /t=y \(testing\)/);
  });

  it("looks up each selector under _domainkey; a missing one fails, none given is a note", async () => {
    const dns = fakeDns({ "TXT s1._domainkey.example.com": [`v=DKIM1; k=rsa; p=${rsaP(2048)}`] });
    assert.deepEqual(await checkDkim(dns, "example.com", ["s1", "s2"]), [
      { check: "DKIM s1", status: "pass", detail: "rsa 2048-bit key" },
      { check: "DKIM s2", status: "fail", detail: "no DKIM key record at s2._domainkey.example.com" },
    ]);
    const [none] = await checkDkim(dns, "example.com", []);
    assert.equal(none.status, "info");
  });
});

describe("ADSP and DMARC", () => {
  it("notes ADSP as Historic (RFC 5617) whether or not it is published; warns on a malformed one", async () => {
    const [published] = await checkAdsp(fakeDns({ "TXT _adsp._domainkey.example.com": ["dkim=all"] }), "example.com");
    assert.equal(published.status, "info");
    assert.match(published.detail, /^dkim=all published; ADSP \(RFC 5617\) has been Historic since 2013/);
    const [absent] = await checkAdsp(fakeDns({}), "example.com");
    assert.equal(absent.status, "info");
    const [bad] = await checkAdsp(fakeDns({ "TXT _adsp._domainkey.example.com": ["dkim=sometimes"] }), "example.com");
    assert.equal(bad.status, "warn");
  });

  it("passes the guide's DMARC record, noting that p=none only reports", async () => {
    const dns = fakeDns({ "TXT _dmarc.cospix.net": ["v=DMARC1; p=none; rua=mailto:postmaster@cospix.net"] });
    const [f] = await checkDmarc(dns, "cospix.net");
    assert.equal(f.status, "pass");
    assert.match(f.detail, /p=none reports only; .*reports to mailto:postmaster@cospix\.net/);
  });

  it("warns without a record or without rua; fails two records or a record without p", async () => {
    const status = async (records: string[]) =>
      (await checkDmarc(fakeDns({ "TXT _dmarc.example.com": records }), "example.com"))[0];
    assert.equal((await status([])).status, "warn");
    const noRua = await status(["v=DMARC1; p=reject"]);
    assert.equal(noRua.status, "warn");
    assert.match(noRua.detail, /no rua/);
    assert.equal((await status(["v=DMARC1; p=none", "v=DMARC1; p=reject"])).status, "fail");
    const noP = await status(["v=DMARC1; rua=mailto:d@example.com"]);
    assert.equal(noP.status, "fail");
    assert.match(noP.detail, /p is missing/);
    const badPct = await status(["v=DMARC1; p=quarantine; pct=101; rua=mailto:d@example.com"]);
    assert.equal(badPct.status, "warn");
    assert.match(badPct.detail, /pct=101: /);
  });
});

describe("reverse DNS of the sending addresses", () => {
  const zone = {
    "PTR 192.0.2.25": ["mx.example.com"],
    "A mx.example.com": ["192.0.2.25"],
    "PTR 2001:db8::25": ["host-25.isp.example.net"],
    "AAAA host-25.isp.example.net": ["2001:db8::25"],
  };
  const senders = [{ address: "192.0.2.25" }, { address: "2001:db8::25" }];

  it("with --mail-host: a PTR naming it passes, another confirmed name warns; the confirmed names are returned", async () => {
    const r = await checkReverseDns(fakeDns(zone), senders, "mx.example.com");
    assert.deepEqual(r.findings, [
      { check: "PTR 192.0.2.25", status: "pass", detail: "mx.example.com, which resolves back to 192.0.2.25" },
      {
        check: "PTR 2001:db8::25",
        status: "warn",
        detail:
          "host-25.isp.example.net resolves back to 2001:db8::25, but it is not mx.example.com: set the PTR, or Postfix's myhostname, so they match",
      },
    ]);
    assert.deepEqual(r.names, ["mx.example.com", "host-25.isp.example.net"]);
  });

  it("without --mail-host: any forward-confirmed name passes (there is no myhostname to compare with)", async () => {
    const r = await checkReverseDns(fakeDns(zone), senders);
    assert.deepEqual(
      r.findings.map((f) => [f.check, f.status, f.detail]),
      [
        ["PTR 192.0.2.25", "pass", "mx.example.com, which resolves back to 192.0.2.25"],
        ["PTR 2001:db8::25", "pass", "host-25.isp.example.net, which resolves back to 2001:db8::25"],
      ],
    );
  });

  it("fails a PTR that does not resolve back, a missing PTR, and a failed lookup", async () => {
    const dns = fakeDns(
      { "PTR 192.0.2.26": ["other.example.com"], "A other.example.com": ["192.0.2.99"] },
      { "PTR 192.0.2.28": "ETIMEOUT" },
    );
    const { findings, names } = await checkReverseDns(
      dns,
      [{ address: "192.0.2.26" }, { address: "192.0.2.27" }, { address: "192.0.2.28" }],
      "out.example.com",
    );
    assert.deepEqual(
      findings.map((f) => [f.check, f.status]),
      [
        ["PTR 192.0.2.26", "fail"],
        ["PTR 192.0.2.27", "fail"],
        ["PTR 192.0.2.28", "fail"],
      ],
    );
    assert.match(findings[0].detail, /does not resolve back to 192\.0\.2\.26 \(not forward-confirmed\)/);
    assert.match(findings[1].detail, /^no PTR record; ask the owner of 192\.0\.2\.27 to set it to out\.example\.com/);
    assert.equal(findings[2].detail, "cannot look up PTR 192.0.2.28: ETIMEOUT");
    assert.deepEqual(names, []);
  });
});
