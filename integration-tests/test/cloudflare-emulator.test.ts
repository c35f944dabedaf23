import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { loadAccount, type StoredRecord, saveAccount } from "../cloudflare/account";
import { getDnsRecords, getZone } from "../cloudflare/data-sources";
import { CloudflareRecords } from "../cloudflare/records";
import { zoneIdOf } from "../harness/cloudflare-zones";

// Pins the Cloudflare emulator to the behaviour its files cite (integration-tests/cloudflare/*.ts):
// each case is one rule of the real API or provider the product can meet.
const ZONE = zoneIdOf("example.smtb");
const OTHER = zoneIdOf("other.smtb");

/** A fresh emulated account with two zones and these records already in it. */
function account(seed: StoredRecord[] = []) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "cf-emulator-")), "account.json");
  saveAccount(file, {
    zones: { [ZONE]: "example.smtb", [OTHER]: "other.smtb" },
    records: seed.map((r, i) => [`seed-${i}`, r]),
  });
  return { file, api: () => new CloudflareRecords(file) };
}

const txt = (name: string, content: string) => ({ zoneId: ZONE, name, type: "TXT", content, ttl: 300 });
const a = (content: string, name = "mx.example.smtb") => ({ zoneId: ZONE, name, type: "A", content, ttl: 300 });

describe("Cloudflare emulator: what the API refuses", () => {
  it("refuses a record identical to another on create (81058)", () => {
    const { api } = account();
    api().create(a("203.0.113.7"));
    assert.throws(() => api().create(a("203.0.113.7")), /An identical record already exists\. \(81058\)/);
  });

  it("refuses an update that makes a record identical to another (81058)", () => {
    const { api } = account();
    const first = api().create(a("203.0.113.7"));
    api().create(a("203.0.113.8"));
    assert.throws(() => api().update(first.id, a("203.0.113.8")), /\(81058\)/);
  });

  it("compares names after lower-casing: a name differing only in case is the same record", () => {
    const { api } = account();
    api().create(a("203.0.113.7"));
    assert.throws(() => api().create(a("203.0.113.7", "MX.Example.SMTB")), /\(81058\)/);
  });

  it("refuses A, AAAA and CNAME where a CNAME is, and a CNAME where anything is (81053); TXT beside a CNAME is kept", () => {
    const { api } = account([
      { zoneId: ZONE, name: "s1._domainkey.example.smtb", type: "CNAME", content: "esp.net", ttl: 1 },
    ]);
    assert.throws(() => api().create(a("203.0.113.7", "s1._domainkey.example.smtb")), /\(81053\)/);
    api().create(txt("s1._domainkey.example.smtb", '"v=DKIM1; p=x"'));
    api().create(a("203.0.113.7"));
    assert.throws(
      () => api().create({ zoneId: ZONE, name: "mx.example.smtb", type: "CNAME", content: "x.net", ttl: 1 }),
      /\(81053\)/,
    );
  });

  it("refuses TXT content over 2048 characters, over 8192 at one name, and an unbalanced quote", () => {
    const { api } = account();
    assert.throws(() => api().create(txt("example.smtb", `"${"x".repeat(2047)}"`)), /too long/);
    // Sent as strings of 255, as the product sends: 1990 characters are 2013 as sent.
    const quoted = (c: string, n: number) => (c.repeat(n).match(/.{1,255}/g) ?? []).map((x) => `"${x}"`).join(" ");
    for (const c of "abcd") api().create(txt("example.smtb", quoted(c, 1990)));
    assert.throws(() => api().create(txt("example.smtb", quoted("e", 200))), /exceed 8192/);
    assert.throws(() => api().create(txt("x.example.smtb", '"unbalanced')), /unbalanced quote/);
  });

  it("refuses a name over 253 characters or with a label over 63", () => {
    const { api } = account();
    assert.throws(() => api().create(txt(`${"a".repeat(64)}.example.smtb`, '"x"')), /\(9005\)/);
    const long = `${"a.".repeat(123)}example.smtb`;
    assert.throws(() => api().create(txt(long, '"x"')), /\(9005\)/);
  });

  it("refuses a zone id that is not 32 hex digits or not a zone of the account (7003)", () => {
    const { api } = account();
    assert.throws(() => api().create({ ...a("203.0.113.7"), zoneId: "example.smtb" }), /\(7003\)/);
    assert.throws(() => api().create({ ...a("203.0.113.7"), zoneId: zoneIdOf("nowhere.smtb") }), /\(7003\)/);
  });

  it("fails an update or delete of a record deleted in the dashboard (81044); a read finds it gone", () => {
    const { file, api } = account();
    const r = api().create(a("203.0.113.7"));
    saveAccount(file, { ...loadAccount(file), records: [] });
    assert.throws(() => api().update(r.id, a("203.0.113.8")), /\(81044\)/);
    assert.throws(() => api().delete(r.id), /\(81044\)/);
    assert.deepEqual(api().read(r.id, {}), { id: "", props: {} });
  });
});

describe("Cloudflare emulator: what the API stores and a read returns", () => {
  it("stores names and host-name content lower-case and AAAA in RFC 5952 form; a read returns them so", () => {
    const { api } = account();
    const aaaa = api().create({
      zoneId: ZONE,
      name: "MX.Example.smtb",
      type: "AAAA",
      content: "2001:DB8:0:0:0:0:0:7",
      ttl: 300,
    });
    const ptr = api().create({
      zoneId: ZONE,
      name: "7.example.smtb",
      type: "PTR",
      content: "MX.Example.smtb",
      ttl: 300,
    });
    const read = api().read(aaaa.id, aaaa.outs);
    assert.equal(read.props.name, "mx.example.smtb");
    assert.equal(read.props.content, "2001:db8::7");
    assert.equal(read.inputs.name, "mx.example.smtb", "the inputs a refresh derives are the stored ones");
    assert.equal(api().read(ptr.id, ptr.outs).props.content, "mx.example.smtb");
  });

  it("splits a TXT string over 255 octets into strings of 255, counting the data, not the escapes", () => {
    const { api } = account();
    const long = api().create(txt("a.example.smtb", `"${"x".repeat(300)}"`));
    assert.equal(api().read(long.id, long.outs).props.content, `"${"x".repeat(255)}" "${"x".repeat(45)}"`);
    const escaped = `"${'\\"'.repeat(255)}"`;
    const kept = api().create(txt("b.example.smtb", escaped));
    assert.equal(api().read(kept.id, kept.outs).props.content, escaped);
  });

  it("appends the zone name to a name outside the zone, as to a relative name", () => {
    const { api } = account();
    const r = api().create({ ...txt("_dmarc.example.smtb", '"v=DMARC1; p=none"'), zoneId: OTHER });
    assert.equal(api().read(r.id, r.outs).props.name, "_dmarc.example.smtb.other.smtb");
  });

  it("keeps the comment; a new type or zone replaces, a new comment updates", () => {
    const { api } = account();
    const r = api().create({ ...a("203.0.113.7"), comment: "managed" });
    assert.equal(api().read(r.id, r.outs).props.comment, "managed");
    const base = { ...a("203.0.113.7"), comment: "a" };
    assert.deepEqual(api().diff(base, { ...base, comment: "b" }), { changes: true, replaces: [] });
    assert.deepEqual(api().diff(base, { ...base, type: "AAAA" }).replaces, ["type"]);
    assert.deepEqual(api().diff(base, { ...base, zoneId: OTHER }).replaces, ["zoneId"]);
  });

  it("reads a record for import by <zone_id>/<dns_record_id>", () => {
    const { api } = account([txt("example.smtb", '"v=spf1 -all"')]);
    const read = api().read(`${ZONE}/seed-0`, {});
    assert.equal(read.id, "seed-0");
    assert.equal(read.inputs.content, '"v=spf1 -all"');
    assert.equal(api().read(`${OTHER}/seed-0`, {}).id, "");
  });
});

describe("Cloudflare emulator: the data sources getZone and getDnsRecords", () => {
  it("getZone names the zone of an id and refuses an unknown one", () => {
    const { file } = account();
    assert.equal(getZone(loadAccount(file), { zoneId: ZONE }).name, "example.smtb");
    assert.throws(() => getZone(loadAccount(file), { zoneId: "example.smtb" }), /\(7003\)/);
  });

  it("getDnsRecords filters by type and name (case-insensitively) and refuses a filter it does not emulate", () => {
    const { file } = account([
      txt("example.smtb", '"v=spf1 include:_spf.mx.cloudflare.net ~all"'),
      a("203.0.113.7", "example.smtb"),
      txt("_dmarc.example.smtb", '"v=DMARC1; p=none"'),
    ]);
    const found = getDnsRecords(loadAccount(file), { zoneId: ZONE, type: "TXT", name: { exact: "Example.SMTB" } });
    assert.deepEqual(
      (found.results as { id: string; content: string }[]).map((r) => [r.id, r.content]),
      [["seed-0", '"v=spf1 include:_spf.mx.cloudflare.net ~all"']],
    );
    assert.throws(() => getDnsRecords(loadAccount(file), { zoneId: ZONE, search: "spf" }), /no filter search/);
  });
});
