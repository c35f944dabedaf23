import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { OUTPUT_DIR, suiteHost } from "../harness/fixtures";
import { hostScript, hostShell, sshCommands } from "../harness/testbed";
import { zoneHead } from "../harness/zones";

// `smartos-mail check` sees what receivers see, against real servers: the
// testbed's DNS host (nsd behind unbound) serves a sending domain and a
// blocklist zone in Spamhaus's answer convention, and a Debian testbed host
// with Postfix is the mail server whose resolver `check --host` asks over
// SSH. The zones are signed; unbound either validates them (AD) or, in
// dns-server.sh's `signed` mode, passes them on without validating.

/** The built command, run the way a user runs it. */
const CLI = path.resolve(__dirname, "..", "..", "..", "packages", "cli", "dist", "main.js");
const WORK = path.join(OUTPUT_DIR, "cli-check-receivers");
/** Under /srv, which testbed hosts share. */
const ZONES = "/srv/smartos-mail-testbed/ck-zones";

function smartosMail(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The rows of `check`'s table as `CHECK -> [RESULT, DETAIL]`. */
function rows(stdout: string): Map<string, [string, string]> {
  const lines = stdout.split("\n");
  const result = lines[0].indexOf("RESULT");
  const detail = lines[0].indexOf("DETAIL");
  const out = new Map<string, [string, string]>();
  for (const line of lines.slice(1)) {
    if (line.trim() === "") break;
    out.set(line.slice(0, result).trim(), [line.slice(result, detail).trim(), line.slice(detail)]);
  }
  return out;
}

const DOMAIN = "ck.smtb";
/** Sending hosts: data in the zones only, never connected to. */
const LISTED = { name: "listed.ck.smtb", ip: "198.18.0.201" };
const REFUSED = { name: "refused.ck.smtb", ip: "198.18.0.202" };
const CLEAN = { name: "clean.ck.smtb", ip: "198.18.0.203" };
/** A host whose name (its HELO name) has no SPF record. */
const NO_HELO_SPF = { name: "nohelo.ck.smtb", ip: "198.18.0.204" };
const REVERSE = "0.18.198.in-addr.arpa";
const IP_LIST = "bl.smtb";
const DOMAIN_LIST = "dbl.smtb";

describe("smartos-mail check: blocklists, the sending addresses from SPF, SPF at the HELO name, the DNSSEC resolver over SSH", () => {
  const dns = suiteHost("ckdns", 164);
  const sender = suiteHost("cksend", 165);
  const key = path.join(WORK, "client_key");
  const check = (args: string[]) => smartosMail(["check", ...args, "--resolver", dns().host]);
  const dnsbl = ["--dnsbl-ip", IP_LIST, "--dnsbl-domain", DOMAIN_LIST];
  const ssh = () => ["--host", sender().host, "--fingerprint", sender().hostKeyFingerprint, "--identity", key];
  const serve = (mode: "dnssec" | "signed") => {
    const r = hostScript("ckdns", "dns-server.sh", [ZONES, mode]);
    assert.equal(r.code, 0, r.stderr);
  };

  before(() => {
    const hosts = [LISTED, REFUSED, CLEAN];
    const reversed = (ip: string) => ip.split(".").reverse().join(".");
    const zones: Record<string, string> = {
      [DOMAIN]: [
        // The domain sends from clean.ck.smtb only; the other two hosts exist for --mail-host.
        `${DOMAIN}. IN TXT "v=spf1 a:${CLEAN.name} include:_spf.provider.smtb -all"`,
        `_dmarc.${DOMAIN}. IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@${DOMAIN}"`,
        ...hosts.flatMap((h) => [`${h.name}. IN A ${h.ip}`, `${h.name}. IN TXT "v=spf1 a -all"`]),
        `${NO_HELO_SPF.name}. IN A ${NO_HELO_SPF.ip}`,
        "",
      ].join("\n"),
      // An IP list and a domain list answering as Spamhaus's do: 127.0.0.2 is the SBL,
      // 127.255.255.254 "query via a public/open resolver", which says nothing about the address.
      [IP_LIST]: [
        `${reversed(LISTED.ip)}.${IP_LIST}. IN A 127.0.0.2`,
        `${reversed(REFUSED.ip)}.${IP_LIST}. IN A 127.255.255.254`,
        "",
      ].join("\n"),
      [DOMAIN_LIST]: `listed-domain.smtb.${DOMAIN_LIST}. IN A 127.0.1.2\n`,
      // A mail service the domain includes: its range is its own reputation, not the domain's to check.
      "provider.smtb": `_spf.provider.smtb. IN TXT "v=spf1 ip4:198.18.0.210 -all"\n`,
      [REVERSE]: [...hosts, NO_HELO_SPF].map((h) => `${reversed(h.ip)}.in-addr.arpa. IN PTR ${h.name}.\n`).join(""),
    };
    rmSync(ZONES, { recursive: true, force: true });
    mkdirSync(ZONES, { recursive: true });
    for (const [zone, records] of Object.entries(zones)) {
      writeFileSync(path.join(ZONES, `${zone}.zone`), zoneHead(zone, dns().host, 1) + records);
    }
    serve("dnssec");
    assert.equal(hostScript("cksend", "use-resolver.sh", [dns().host]).code, 0);
    mkdirSync(WORK, { recursive: true });
    writeFileSync(key, sender().privateKey, { mode: 0o600 });
  });

  it("an unlisted sending address, taken from the SPF record's a term (not the include), passes: exit 0", () => {
    const r = check([DOMAIN, ...dnsbl]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const t = rows(r.stdout);
    assert.deepEqual(t.get("SENDERS"), [
      "INFO",
      `${CLEAN.ip} (${CLEAN.name}): from ${DOMAIN}'s SPF record; not checked: include:_spf.provider.smtb (other senders' hosts)`,
    ]);
    assert.deepEqual(t.get(`PTR ${CLEAN.ip}`), ["PASS", `${CLEAN.name}, which resolves back to ${CLEAN.ip}`]);
    assert.deepEqual(t.get(`HELO ${CLEAN.name}`), ["PASS", "SPF at the HELO name: v=spf1 a -all"]);
    assert.deepEqual(t.get(`DNSBL ${IP_LIST} ${CLEAN.ip}`), ["PASS", "not listed"]);
    assert.deepEqual(t.get(`DNSBL ${DOMAIN_LIST} ${DOMAIN}`), ["PASS", "not listed"]);
  });

  it("a listed sending address (127.0.0.2) fails with the list and the code's meaning: exit 2", () => {
    const r = check([DOMAIN, "--mail-host", LISTED.name, ...dnsbl]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const t = rows(r.stdout);
    assert.equal(t.get(`DNSBL ${IP_LIST} ${LISTED.ip}`)?.[0], "FAIL");
    assert.match(
      t.get(`DNSBL ${IP_LIST} ${LISTED.ip}`)?.[1] ?? "",
      /^listed: 127\.0\.0\.2 \(SBL, a known spam source\);/,
    );
    assert.deepEqual(
      [...t.entries()].filter(([, [s]]) => s === "FAIL").map(([k]) => k),
      [`DNSBL ${IP_LIST} ${LISTED.ip}`],
      "the listing is the only failure",
    );
  });

  it("a 'public resolver refused' answer (127.255.255.254) warns that it cannot tell: exit 1", () => {
    const r = check([DOMAIN, "--mail-host", REFUSED.name, ...dnsbl, "--json"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as {
      exitCode: number;
      findings: { check: string; status: string; detail: string }[];
    };
    assert.equal(report.exitCode, 1);
    const row = report.findings.find((f) => f.check === `DNSBL ${IP_LIST} ${REFUSED.ip}`);
    assert.equal(row?.status, "warn");
    assert.match(
      row?.detail ?? "",
      /^cannot tell: 127\.255\.255\.254 \(the list refuses queries through a public or open resolver/,
    );
    assert.deepEqual(
      report.findings.filter((f) => f.status === "warn").map((f) => f.check),
      [`DNSBL ${IP_LIST} ${REFUSED.ip}`],
    );
  });

  it("a HELO name without an SPF record warns: exit 1", () => {
    const r = check([DOMAIN, "--mail-host", NO_HELO_SPF.name]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const t = rows(r.stdout);
    assert.deepEqual(t.get(`HELO ${NO_HELO_SPF.name}`), [
      "WARN",
      `no SPF record at the HELO name: receivers check it (RFC 7208 2.3), and it is all they can check for bounces (empty envelope sender, 2.4); publish e.g. "v=spf1 a -all" at ${NO_HELO_SPF.name}`,
    ]);
    assert.deepEqual(
      [...t.entries()].filter(([, [s]]) => s !== "PASS" && s !== "INFO").map(([k]) => k),
      [`HELO ${NO_HELO_SPF.name}`],
    );
  });

  it("a listed domain (127.0.1.2 in the domain list) fails", () => {
    const r = check(["listed-domain.smtb", "--mail-host", CLEAN.name, ...dnsbl]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(
      rows(r.stdout).get(`DNSBL ${DOMAIN_LIST} listed-domain.smtb`)?.[1] ?? "",
      /^listed: 127\.0\.1\.2 \(DBL, a low-reputation domain\)/,
    );
  });

  it("--host: the sender's resolver validates (AD on the domain's SOA): pass, exit 0", () => {
    const before = sshCommands("cksend").length;
    const r = check([DOMAIN, ...ssh()]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(rows(r.stdout).get("DNSSEC resolver"), [
      "PASS",
      `${sender().host}'s resolver (${dns().host}) validates: AD on SOA ${DOMAIN}`,
    ]);
    assert.equal(sshCommands("cksend").length, before + 1, "one command over SSH");
  });

  it("--host: a resolver that does not validate (signed zones, no AD) warns: exit 1; validating again passes", () => {
    serve("signed");
    try {
      // Host only (no domain): the probe name alone decides.
      const r = smartosMail(["check", ...ssh(), "--dnssec-probe", `soa:${DOMAIN}`]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const [status, detail] = rows(r.stdout).get("DNSSEC resolver") ?? [];
      assert.equal(status, "WARN");
      assert.match(
        detail ?? "",
        new RegExp(
          `^${sender().host.replaceAll(".", "\\.")}'s resolver \\(${dns().host.replaceAll(".", "\\.")}\\): SOA ${DOMAIN.replace(".", "\\.")}: NOERROR, flags qr rd ra from ${dns().host.replaceAll(".", "\\.")}#53\\(${dns().host.replaceAll(".", "\\.")}\\): no AD, the resolver does not validate DNSSEC; for DANE Postfix needs validated answers`,
        ),
      );
      // The answers do come signed: only the validation is missing.
      assert.match(hostShell("cksend", `dig +dnssec SOA ${DOMAIN}`).stdout, /\sIN\s+RRSIG\s+SOA\s/);
    } finally {
      serve("dnssec");
    }
    const r = smartosMail(["check", ...ssh(), "--dnssec-probe", `soa:${DOMAIN}`, "--json"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(JSON.parse(r.stdout).findings[0].status, "pass");
  });

  it("--host refuses a host presenting another key: a failed row, nothing run on the host", () => {
    const before = sshCommands("cksend").length;
    const wrong = `SHA256:${"A".repeat(43)}`;
    const r = smartosMail(["check", "--host", sender().host, "--fingerprint", wrong, "--identity", key]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(
      rows(r.stdout).get("DNSSEC resolver")?.[1] ?? "",
      new RegExp(
        `^root@${sender().host.replaceAll(".", "\\.")}:22 presented SHA256:\\S+, not the pinned ${wrong}; nothing was run`,
      ),
    );
    assert.equal(sshCommands("cksend").length, before);
  });
});
