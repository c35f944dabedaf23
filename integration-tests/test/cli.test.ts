import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { OUTPUT_DIR, suiteHost } from "../harness/fixtures";
import { hostScript, hostShell, sshCommands } from "../harness/testbed";
import { zoneFilesOf, zoneHead } from "../harness/zones";

/** The built command, run the way a user runs it: `node packages/cli/dist/main.js`. */
const CLI = path.resolve(__dirname, "..", "..", "..", "packages", "cli", "dist", "main.js");
const WORK = path.join(OUTPUT_DIR, "cli");
/** Zone files for the DNS host: under /srv, which testbed hosts share (a checkout under /tmp is not visible to them). */
const ZONES = "/srv/smartos-mail-testbed/cli-zones";

function smartosMail(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The rows of `check`'s table as `CHECK -> [RESULT, DETAIL]`. */
function rows(stdout: string): Map<string, [string, string]> {
  const lines = stdout.split("\n");
  const head = lines[0];
  const result = head.indexOf("RESULT");
  const detail = head.indexOf("DETAIL");
  const out = new Map<string, [string, string]>();
  for (const line of lines.slice(1)) {
    if (line.trim() === "") break;
    out.set(line.slice(0, result).trim(), [line.slice(result, detail).trim(), line.slice(detail)]);
  }
  return out;
}

function rsaP(bits: number): string {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  return publicKey.export({ format: "der", type: "spki" }).toString("base64");
}

// Test domains under .smtb, a TLD only the testbed's DNS serves; addresses on the testbed bridge.
const REVERSE = "0.18.198.in-addr.arpa";
const GOOD_MX = "198.18.0.52";
const BAD_MX = "198.18.0.53";
const WARN_MX = "198.18.0.54";

describe("smartos-mail check against the testbed DNS (nsd behind unbound)", () => {
  const dns = suiteHost("cldns", 40);
  const check = (args: string[]) => smartosMail(["check", ...args, "--resolver", dns().host]);

  before(async () => {
    const good = await zoneFilesOf({
      domain: "good.smtb",
      zoneId: "zone-good",
      mailHost: { name: "mx.good.smtb", ipv4: [GOOD_MX] },
      spf: { mechanisms: [{ type: "mx" }, { type: "include", domain: "_spf.good.smtb" }, { type: "all" }] },
      dkim: [
        { selector: "s2048", value: `v=DKIM1; k=rsa; p=${rsaP(2048)}` },
        {
          selector: "ed",
          value: `v=DKIM1; k=ed25519; p=${generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }).subarray(-32).toString("base64")}`,
        },
      ],
      dmarc: { p: "none", rua: ["mailto:postmaster@good.smtb"] },
      ptrZone: REVERSE,
      ptrZoneId: "zone-reverse",
    });
    // SPF through includes to 11 lookups: 4 here, 4 in _a, 1 in _b, 2 in _c. Each record alone is
    // within the builder's limit of 10; only following the includes shows the whole count.
    const bad = await zoneFilesOf({
      domain: "bad.smtb",
      zoneId: "zone-bad",
      mailHost: { name: "mx.bad.smtb", ipv4: [BAD_MX] },
      spf: {
        mechanisms: [
          { type: "include", domain: "_a.bad.smtb" },
          { type: "include", domain: "_b.bad.smtb" },
          { type: "a" },
          { type: "mx" },
          { type: "all" },
        ],
      },
      dkim: [
        { selector: "weak", value: `v=DKIM1; k=rsa; p=${rsaP(1024)}` },
        { selector: "tiny", value: `v=DKIM1; k=rsa; p=${rsaP(512)}` },
      ],
      adsp: false,
      dmarc: false,
    });
    const warn = await zoneFilesOf({
      domain: "warn.smtb",
      zoneId: "zone-warn",
      mailHost: { name: "mx.warn.smtb", ipv4: [WARN_MX] },
      spf: {
        mechanisms: [
          { type: "ip4", value: WARN_MX },
          { type: "all", qualifier: "?" },
        ],
      },
      dkim: [{ selector: "s1", value: `v=DKIM1; k=rsa; p=${rsaP(2048)}` }],
      dmarc: false,
      ptrZone: REVERSE,
      ptrZoneId: "zone-reverse",
    });
    const zones: Record<string, string> = {
      // SPF at the mail host's name, its HELO name (nsd serves a record given twice once).
      "good.smtb": `${good.zone}good.smtb. IN MX 10 mx.good.smtb.\n_spf.good.smtb. IN TXT "v=spf1 ip4:${GOOD_MX} -all"\nmx.good.smtb. IN TXT "v=spf1 a -all"\n`,
      "bad.smtb": [
        bad.zone,
        '_a.bad.smtb. IN TXT "v=spf1 a:x1.bad.smtb a:x2.bad.smtb mx:x3.bad.smtb exists:x4.bad.smtb -all"',
        '_b.bad.smtb. IN TXT "v=spf1 include:_c.bad.smtb -all"',
        `_c.bad.smtb. IN TXT "v=spf1 a mx ip4:${BAD_MX} -all"`,
        "",
      ].join("\n"),
      // A record the builder refuses to write (no DMARC reports) and a domain with two SPF records.
      "warn.smtb": `${warn.zone}_dmarc.warn.smtb. IN TXT "v=DMARC1; p=quarantine"\nmx.warn.smtb. IN TXT "v=spf1 a -all"\n`,
      "dup.smtb": 'dup.smtb. IN TXT "v=spf1 mx -all"\ndup.smtb. IN TXT "v=spf1 a -all"\n',
      // mx.bad.smtb's address names mx.good.smtb, whose A record is another address.
      [REVERSE]: `${good.reverse}${warn.reverse}${BAD_MX.split(".").reverse().join(".")}.in-addr.arpa. IN PTR mx.good.smtb.\n`,
    };
    rmSync(ZONES, { recursive: true, force: true });
    mkdirSync(ZONES, { recursive: true });
    for (const [zone, records] of Object.entries(zones)) {
      writeFileSync(path.join(ZONES, `${zone}.zone`), zoneHead(zone, dns().host, 1) + records);
    }
    const r = hostScript("cldns", "dns-server.sh", [ZONES]);
    assert.equal(r.code, 0, r.stderr);
  });

  it("passes a domain published by DnsAuthRecords (SPF, DKIM RSA and Ed25519, DMARC, PTR and HELO SPF of the host its SPF names): exit 0", () => {
    const r = check(["good.smtb", "--selector", "s2048", "-s", "ed"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const t = rows(r.stdout);
    assert.deepEqual(
      [...t.entries()].map(([k, [status]]) => [k, status]),
      [
        ["SPF record", "PASS"],
        ["SPF lookups", "PASS"],
        ["SPF all", "PASS"],
        ["DKIM s2048", "PASS"],
        ["DKIM ed", "PASS"],
        ["ADSP", "INFO"],
        ["DMARC", "PASS"],
        ["SENDERS", "INFO"],
        [`PTR ${GOOD_MX}`, "PASS"],
        ["HELO mx.good.smtb", "PASS"],
      ],
    );
    // The mx term names the sender here; the include's ip4 is another sender's.
    assert.equal(
      t.get("SENDERS")?.[1],
      `${GOOD_MX} (mx.good.smtb): from good.smtb's SPF record; not checked: include:_spf.good.smtb (other senders' hosts)`,
    );
    assert.equal(t.get("SPF record")?.[1], "v=spf1 mx include:_spf.good.smtb -all");
    assert.equal(t.get("SPF lookups")?.[1], "2 of 10 (good.smtb 2, _spf.good.smtb 0)");
    assert.equal(t.get("DKIM s2048")?.[1], "rsa 2048-bit key");
    assert.match(t.get("ADSP")?.[1] ?? "", /^dkim=all published; ADSP \(RFC 5617\) has been Historic since 2013/);
    assert.equal(t.get(`PTR ${GOOD_MX}`)?.[1], `mx.good.smtb, which resolves back to ${GOOD_MX}`);
    assert.match(r.stdout, /^good\.smtb: 8 pass, 2 info, 0 warn, 0 fail \(exit 0\)$/m);
    assert.equal(r.stderr, "", "no progress lines when stderr is not a terminal");
  });

  it("fails SPF with 11 lookups through includes and 7 that find nothing, a 512-bit key and a PTR that does not resolve back; warns on a 1024-bit key: exit 2", () => {
    const r = check(["bad.smtb", "-s", "weak", "-s", "tiny", "--mail-host", "mx.bad.smtb"]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const t = rows(r.stdout);
    assert.deepEqual(t.get("SPF lookups"), [
      "FAIL",
      "11 DNS lookups (bad.smtb 4, _a.bad.smtb 4, _b.bad.smtb 1, _c.bad.smtb 2); SPF allows 10 (RFC 7208 4.6.4), receivers return permerror: replace a, mx or include with ip4/ip6",
    ]);
    // None of the names the a and mx terms give has an address or an MX record here.
    assert.equal(t.get("SPF record")?.[0], "FAIL");
    assert.match(
      t.get("SPF record")?.[1] ?? "",
      / -- 7 lookups find nothing \(_a\.bad\.smtb: a:x1\.bad\.smtb, _a\.bad\.smtb: a:x2\.bad\.smtb, _a\.bad\.smtb: mx:x3\.bad\.smtb, _c\.bad\.smtb: a, _c\.bad\.smtb: mx, bad\.smtb: a, bad\.smtb: mx\); receivers stop at 2 with permerror \(RFC 7208 4\.6\.4\)/,
    );
    assert.equal(t.get("DKIM weak")?.[0], "WARN");
    assert.match(t.get("DKIM weak")?.[1] ?? "", /^rsa 1024-bit key; 2048 bits is the norm/);
    assert.equal(t.get("DKIM tiny")?.[0], "FAIL");
    assert.match(
      t.get("DKIM tiny")?.[1] ?? "",
      /^rsa 512-bit key; verifiers must not accept keys under 1024 bits \(RFC 8301\)/,
    );
    assert.equal(t.get("ADSP")?.[0], "INFO");
    assert.equal(t.get("DMARC")?.[0], "WARN");
    assert.deepEqual(t.get(`PTR ${BAD_MX}`), [
      "FAIL",
      `PTR mx.good.smtb does not resolve back to ${BAD_MX} (not forward-confirmed): fix the PTR or the name's A record`,
    ]);
  });

  it("exits 1 when the worst is a warning: ?all and a DMARC record without rua", () => {
    const r = check(["warn.smtb", "-s", "s1", "--mail-host", "mx.warn.smtb"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const t = rows(r.stdout);
    assert.equal(t.get("SPF all")?.[0], "WARN");
    assert.match(
      t.get("DMARC")?.[1] ?? "",
      /^v=DMARC1; p=quarantine -- p=quarantine; no rua: nobody receives aggregate reports/,
    );
    assert.equal(t.get("DMARC")?.[0], "WARN");
    assert.equal(t.get(`PTR ${WARN_MX}`)?.[0], "PASS");
    assert.equal(t.get("HELO mx.warn.smtb")?.[0], "PASS");
    assert.match(r.stdout, /^warn\.smtb: 5 pass, 2 info, 2 warn, 0 fail \(exit 1\)$/m);
  });

  it("fails a domain with two SPF records, and warns that there is no sending host to check", () => {
    const r = check(["dup.smtb", "--json"]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.exitCode, 2);
    const spf = report.findings.find((f: { check: string }) => f.check === "SPF record");
    assert.equal(spf.status, "fail");
    assert.match(spf.detail, /^2 SPF records \(.*\); a domain may have one \(RFC 7208 4\.5: permerror\)/);
    const senders = report.findings.find((f: { check: string }) => f.check === "SENDERS");
    assert.equal(senders.status, "warn");
    assert.match(
      senders.detail,
      /^no sending address in dup\.smtb's SPF record .*dup\.smtb has 2 SPF records; pass --mail-host/,
    );
  });
});

describe("smartos-mail queue over SSH (qshape on a testbed host, host key pinned)", () => {
  const host = suiteHost("clq", 41);
  const key = path.join(WORK, "client_key");
  const queue = (args: string[], fingerprint = host().hostKeyFingerprint) =>
    smartosMail(["queue", host().host, "--fingerprint", fingerprint, "--identity", key, ...args]);

  before(() => {
    mkdirSync(WORK, { recursive: true });
    writeFileSync(key, host().privateKey, { mode: 0o600 });
    const setup = hostShell(
      "clq",
      [
        "postconf -e defer_transports=smtp && postfix reload >/dev/null",
        ...[1, 2, 3].map((i) => `printf 'Subject: a${i}\\n\\nx\\n' | sendmail -f app@one.smtb u${i}@alpha.smtb`),
        "printf 'Subject: b\\n\\nx\\n' | sendmail -f ops@two.smtb a@beta.smtb b@beta.smtb c@gamma.smtb",
        // Wait until qmgr has deferred all four messages.
        "i=0; while [ $(find /var/spool/postfix/deferred -type f | wc -l) -lt 4 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done",
        "find /var/spool/postfix/deferred -type f | wc -l",
      ].join(" && "),
    );
    assert.equal(setup.stdout.trim(), "4", setup.stderr);
  });

  it("shows the deferred queue by recipient domain as a table", () => {
    const r = queue(["--queue", "deferred"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.match(lines[0], /^DOMAIN +TOTAL +5 +10 +20 +40 +80 +160 +320 +640 +1280 +1280\+$/);
    assert.match(lines[1], /^TOTAL +6 +6( +0){9}$/);
    assert.deepEqual(
      lines.slice(2, 5).map((l) => l.split(/\s+/).slice(0, 3)),
      [
        ["alpha.smtb", "3", "3"],
        ["beta.smtb", "2", "2"],
        ["gamma.smtb", "1", "1"],
      ],
    );
  });

  it("gives JSON with -b 7 -t 1 by sender domain", () => {
    const r = queue(["-q", "deferred", "-b", "7", "-t", "1", "-s", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const shape = JSON.parse(r.stdout);
    assert.deepEqual(shape.bucketsMinutes, [1, 2, 4, 8, 16, 32, 32]);
    assert.deepEqual(shape.total, { count: 4, buckets: [4, 0, 0, 0, 0, 0, 0] });
    assert.deepEqual(
      shape.domains.map((d: { domain: string; count: number }) => [d.domain, d.count]),
      [
        ["one.smtb", 3],
        ["two.smtb", 1],
      ],
    );
  });

  it("says qshape's default queues (incoming, active) are empty while everything is deferred", () => {
    const r = queue([]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^TOTAL +0( +0){10}$/m);
    assert.match(r.stdout, /^The queues asked for are empty\.$/m);
  });

  it("refuses a host presenting another key: exit 1, one error line and a hint, no command run", () => {
    const before = sshCommands("clq").length;
    const wrong = `SHA256:${"A".repeat(43)}`;
    const r = queue(["-q", "deferred"], wrong);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `error: root@${host().host}:22 presented ${host().hostKeyFingerprint}, not the pinned ${wrong}; nothing was run\n` +
        "hint: if the host was rebuilt on purpose, check its new key over a path you trust and pass that --fingerprint\n",
    );
    assert.equal(r.stdout, "");
    assert.equal(sshCommands("clq").length, before);
  });

  it("refuses to connect at all without --fingerprint (usage error, exit 2)", () => {
    const r = smartosMail(["queue", host().host, "--identity", key]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: refusing to connect without the host's key fingerprint/);
  });
});

describe("smartos-mail smtp-test against a testbed host's Postfix", () => {
  const host = suiteHost("clsmtp", 42);

  it("runs the guide's session from this machine and gets 250 queued as; the message is delivered", async () => {
    const r = smartosMail([
      "smtp-test",
      host().host,
      "--from",
      "probe@cli.smtb",
      "--to",
      "root@clsmtp.testbed.invalid",
      "--helo",
      "cli.smtb",
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const lines = r.stdout.split("\n");
    assert.match(lines[0], /^220 clsmtp\.testbed\.invalid ESMTP/);
    assert.equal(lines[1], "EHLO cli.smtb");
    for (const expected of [
      /^MAIL FROM: <probe@cli\.smtb>\n250 2\.1\.0 Ok$/m,
      /^RCPT TO: <root@clsmtp\.testbed\.invalid>\n250 2\.1\.5 Ok$/m,
      /^DATA\n354 End data with <CR><LF>\.<CR><LF>$/m,
      /^QUIT\n221 2\.0\.0 Bye$/m,
    ]) {
      assert.match(r.stdout, expected);
    }
    const id = /^250 2\.0\.0 Ok: queued as (\w+)$/m.exec(r.stdout)?.[1];
    assert.ok(id, r.stdout);
    assert.match(r.stdout, new RegExp(`^queue id: ${id}$`, "m"));
    let log = "";
    for (let i = 0; i < 50 && !log.includes("status=sent"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      log = hostShell("clsmtp", `grep ' ${id}: ' /var/log/postfix.log`).stdout;
    }
    assert.match(
      log,
      new RegExp(`${id}: to=<root@clsmtp\\.testbed\\.invalid>.*status=sent \\(delivered to mailbox\\)`),
    );
    assert.match(hostShell("clsmtp", "cat /var/mail/root").stdout, /^Subject: Test Email$/m);
  });

  it("exits 1 with the server's reply and a relay hint when the recipient is not the server's to take", () => {
    const r = smartosMail([
      "smtp-test",
      host().host,
      "--from",
      "probe@cli.smtb",
      "--to",
      "someone@elsewhere.smtb",
      "--helo",
      "cli.smtb",
    ]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^RCPT TO: <someone@elsewhere\.smtb>\n454 4\.7\.1 <someone@elsewhere\.smtb>: Relay access denied$/m,
    );
    assert.doesNotMatch(r.stdout, /^DATA$/m);
    assert.match(
      r.stderr,
      /^error: RCPT TO was answered 454 4\.7\.1 <someone@elsewhere\.smtb>: Relay access denied; the message was not queued\nhint: this machine may not relay through .*mynetworks\n$/,
    );
  });
});

describe("smartos-mail plan storage", () => {
  it("reproduces the guide's figures and writes the chart", () => {
    mkdirSync(WORK, { recursive: true });
    const svg = path.join(WORK, "plan.svg");
    rmSync(svg, { force: true });
    const r = smartosMail([
      "plan",
      "storage",
      "--sent-gb-per-month",
      "5",
      "--received-gb-per-month",
      "10",
      "--monthly-growth",
      "1.1",
      "--max-undeliverable-days",
      "5",
      "--lifetime-months",
      "24",
      "--archive-months",
      "36",
      "--svg",
      svg,
    ]);
    assert.equal(r.code, 0, r.stderr);
    // The guide: a queue of roughly 8.2 GB and a 10 GB spool quota; an outgoing archive of roughly
    // 1600 GB; 6400 GB incoming, half mailboxes and half archive (3200 each).
    assert.match(r.stdout, /^queue +8\.2 /m);
    assert.match(r.stdout, /^outgoing archive +1569\.2 /m);
    assert.match(r.stdout, /^mailboxes +3138\.5 /m);
    assert.match(r.stdout, /^incoming archive +3138\.5 /m);
    assert.match(r.stdout, /^spool +8\.2 +10 /m);
    assert.match(r.stdout, new RegExp(`^Chart written to ${svg.replaceAll(".", "\\.")}\\.$`, "m"));
    const chart = readFileSync(svg, "utf8");
    assert.match(chart, /^<svg /);
    assert.match(chart, /Mail queue, \/var\/spool\/postfix/);
  });
});
