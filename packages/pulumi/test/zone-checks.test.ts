import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { foreignSingleRecords, MANAGED_COMMENT, zoneMismatch } from "../src/dns/zone-checks";

describe("zone checks at preview (what getZone and getDnsRecords returned)", () => {
  it("accepts the zone itself and a name inside it; refuses another zone, saying where the records would go", () => {
    assert.equal(zoneMismatch("domain", "cospix.net", "zoneId", "cospix.net"), undefined);
    assert.equal(zoneMismatch("domain", "news.cospix.net", "zoneId", "Cospix.net"), undefined);
    assert.match(
      zoneMismatch("domain", "cospix.net", "zoneId", "other.org") ?? "",
      /^domain cospix\.net is not in the zone zoneId names \(other\.org\); .* cospix\.net\.other\.org/,
    );
    assert.notEqual(zoneMismatch("domain", "xcospix.net", "zoneId", "cospix.net"), undefined);
  });

  const spfAt = (id: string, comment?: string) => ({
    id,
    name: "cospix.net",
    type: "TXT",
    content: '"v=spf1 include:_spf.mx.cloudflare.net ~all"',
    comment,
  });
  const wanted = { spf: { name: "cospix.net" }, dmarc: { name: "_dmarc.cospix.net" } };

  it("refuses an SPF or DMARC record the stack does not manage, naming it and the adopt option", () => {
    const dmarc = { id: "d1", name: "_DMARC.cospix.net", type: "TXT", content: "v=DMARC1; p=reject" };
    const message = foreignSingleRecords("cospix.net", wanted, [spfAt("s1"), dmarc]) ?? "";
    assert.match(message, /already has an SPF record at cospix\.net .*\(id s1: "v=spf1 include/);
    assert.match(message, /adopt: \{ spf: "s1" \}/);
    assert.match(message, /a DMARC record at _DMARC\.cospix\.net .*adopt: \{ dmarc: "d1" \}/);
  });

  it("accepts its own records, an adopted one, other TXT records, and a DMARC record when it writes none", () => {
    const verification = { id: "v", name: "cospix.net", type: "TXT", content: '"site-verification=x"' };
    assert.equal(foreignSingleRecords("cospix.net", wanted, [spfAt("s1", MANAGED_COMMENT), verification]), undefined);
    assert.equal(
      foreignSingleRecords("cospix.net", { spf: { name: "cospix.net", adopt: "s1" } }, [spfAt("s1")]),
      undefined,
    );
    const dmarc = { id: "d1", name: "_dmarc.cospix.net", type: "TXT", content: '"v=DMARC1; p=none"' };
    assert.equal(foreignSingleRecords("cospix.net", { spf: wanted.spf }, [dmarc]), undefined);
  });

  it("the host name's own SPF record: one already there is refused (adopt: { hostSpf }), its own or an adopted one is not", () => {
    const atHost = { ...spfAt("h1"), name: "mx.cospix.net" };
    const host = { ...wanted, hostSpf: { name: "mx.cospix.net" } };
    const message = foreignSingleRecords("cospix.net", host, [atHost]) ?? "";
    assert.match(message, /already has an SPF record at mx\.cospix\.net .*adopt: \{ hostSpf: "h1" \}/);
    assert.doesNotMatch(message, /adopt: \{ spf:/, "the domain's SPF record is another name's");
    assert.equal(foreignSingleRecords("cospix.net", host, [{ ...atHost, comment: MANAGED_COMMENT }]), undefined);
    assert.equal(
      foreignSingleRecords("cospix.net", { hostSpf: { name: "mx.cospix.net", adopt: "h1" } }, [atHost]),
      undefined,
    );
    assert.equal(foreignSingleRecords("cospix.net", wanted, [atHost]), undefined, "without a host SPF record");
  });
});
