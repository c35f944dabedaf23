import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { exitCodeFor, type Finding } from "../src/check/result";
import { run } from "../src/cli";
import { renderFindings } from "../src/output/findings";
import { Progress } from "../src/output/io";
import { renderQueueShape } from "../src/output/queue";
import { captureIo } from "./io";

const GUIDE_PLAN = [
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
];

describe("check's exit code and table", () => {
  const f = (status: Finding["status"]): Finding => ({ check: `x ${status}`, status, detail: "d" });

  it("exits 0 when everything passes (notes allowed), 1 on a warning, 2 on any failure", () => {
    assert.equal(exitCodeFor([f("pass"), f("info")]), 0);
    assert.equal(exitCodeFor([f("pass"), f("warn"), f("info")]), 1);
    assert.equal(exitCodeFor([f("warn"), f("fail"), f("pass")]), 2);
    assert.equal(exitCodeFor([]), 0);
  });

  it("renders aligned CHECK/RESULT/DETAIL columns and a summary naming the exit code", () => {
    const text = renderFindings("example.com", [
      { check: "SPF record", status: "pass", detail: "v=spf1 mx -all" },
      { check: "DKIM default", status: "warn", detail: "rsa 1024-bit key" },
      { check: "ADSP", status: "info", detail: "not published" },
    ]);
    assert.equal(
      text,
      [
        "CHECK         RESULT  DETAIL",
        "SPF record    PASS    v=spf1 mx -all",
        "DKIM default  WARN    rsa 1024-bit key",
        "ADSP          INFO    not published",
        "",
        "example.com: 1 pass, 1 info, 1 warn, 0 fail (exit 1)",
        "",
      ].join("\n"),
    );
  });
});

describe("usage errors", () => {
  const cases: [string, string[], RegExp][] = [
    ["no command", [], /^Usage: smartos-mail <command>/],
    [
      "an unknown command",
      ["send"],
      /^error: unknown command "send"\nhint: the commands are check, queue, plan, smtp-test/,
    ],
    [
      "an unknown option",
      ["check", "example.com", "--dkim", "x"],
      /^error: Unknown option '--dkim'\nhint: see smartos-mail check --help\n$/,
    ],
    ["a missing domain", ["check"], /^error: check needs <domain>\nhint: see smartos-mail check --help\n$/],
    ["a bad domain", ["check", "not a domain"], /^error: "not a domain" is not a domain name\nhint: /],
    [
      "a bad resolver",
      ["check", "example.com", "--resolver", "ns1.example.com"],
      /^error: --resolver is "ns1\.example\.com"; give an IP address/,
    ],
    [
      "queue without a fingerprint",
      ["queue", "mx.example.com", "-i", "/dev/null"],
      /^error: refusing to connect without the host's key fingerprint \(--fingerprint\)\nhint: get it over a path you trust .*ssh-keyscan -t ed25519 mx\.example\.com/,
    ],
    [
      "queue with a malformed fingerprint",
      ["queue", "h.example.com", "--fingerprint", "MD5:aa"],
      /^error: --fingerprint "MD5:aa" is not SHA256:/,
    ],
    [
      "queue with bad buckets",
      ["queue", "h.example.com", "--fingerprint", `SHA256:${"A".repeat(43)}`, "-b", "0"],
      /^error: --buckets is 0; it must be at least 1\nhint: see smartos-mail queue --help/,
    ],
    [
      "a relay option without --relay",
      ["check", "example.com", "--to", "a@example.net"],
      /^error: --to needs --relay HOST\n/,
    ],
    [
      "a bad --relay host",
      ["check", "--relay", "not a host"],
      /^error: --relay "not a host" is not a host name or address\n/,
    ],
    [
      "a bad --relay recipient",
      ["check", "--relay", "mx.example.com", "--to", "nobody"],
      /^error: --to "nobody" is not an address like root@example\.com\n/,
    ],
    [
      "a bad blocklist zone",
      ["check", "example.com", "--dnsbl-ip", "zen"],
      /^error: --dnsbl-ip "zen" is not a DNS zone\nhint: give the list's zone, e\.g\. zen\.spamhaus\.org\n$/,
    ],
    ["--dnsbl without a domain", ["check", "--dnsbl", "--relay", "mx.example.com"], /^error: check needs <domain>\n/],
    [
      "an SSH option without --host",
      ["check", "example.com", "--fingerprint", `SHA256:${"A".repeat(43)}`],
      /^error: --fingerprint needs --host HOST\n/,
    ],
    [
      "--dnssec-probe without --host",
      ["check", "example.com", "--dnssec-probe", "soa:example.org"],
      /^error: --dnssec-probe needs --host HOST\n/,
    ],
    [
      "--host without a fingerprint",
      ["check", "example.com", "--host", "mx.example.com", "-i", "/dev/null"],
      /^error: refusing to connect without the host's key fingerprint \(--fingerprint\)\n/,
    ],
    [
      "a --dnssec-probe that dig could read as an option",
      [
        "check",
        "example.com",
        "--host",
        "h.example.com",
        "--fingerprint",
        `SHA256:${"A".repeat(43)}`,
        "--dnssec-probe",
        "soa:+tcp",
      ],
      /^error: --dnssec-probe "soa:\+tcp" is not TYPE:NAME as in Postfix's dnssec_probe \(e\.g\. ns:\. or soa:example\.com\)\n/,
    ],
    ["plan without a kind", ["plan"], /^error: plan needs what to plan: storage/],
    [
      "plan without the sent volume",
      ["plan", "storage"],
      /^error: --sent-gb-per-month: must be the GB of mail sent in a month, e\.g\. 5/,
    ],
    [
      "plan with a percentage for growth",
      ["plan", "storage", "--sent-gb-per-month", "5", "--monthly-growth", "10"],
      /^error: --monthly-growth: is 10; give a factor such as 1\.1/,
    ],
    [
      "smtp-test without --to",
      ["smtp-test", "mx.example.com", "--from", "a@example.com"],
      /^error: smtp-test needs --to ADDRESS/,
    ],
    [
      "smtp-test with a header injection",
      ["smtp-test", "h.example.com", "--from", "a@example.com", "--to", "b@example.com>\r\nRCPT TO:<c@example.com"],
      /^error: --to "b@example\.com>\\r\\nRCPT TO:<c@example\.com" is not an address like root@example\.com\nhint: /,
    ],
  ];
  for (const [what, argv, stderr] of cases) {
    it(`exits 2 with one error line and a hint for ${what}`, async () => {
      const io = captureIo();
      assert.equal(await run(argv, io, {}), 2);
      assert.match(io.err(), stderr);
      assert.equal(io.out(), "");
    });
  }

  it("lists each command in the top-level help, check with its --dnsbl, --host and --relay", async () => {
    const io = captureIo();
    assert.equal(await run(["--help"], io, {}), 0);
    for (const command of ["check", "queue", "plan", "smtp-test"])
      assert.match(io.out(), new RegExp(`^  ${command} `, "m"));
    assert.match(io.out(), /^ +domain; with --dnsbl, the blocklists; with --host HOST,$/m);
    assert.match(io.out(), /^ +with --relay HOST, whether HOST relays mail for this machine$/m);
  });

  it("prints each command's help on stdout and exits 0", async () => {
    for (const command of ["check", "queue", "plan", "smtp-test"]) {
      const io = captureIo();
      assert.equal(await run([command, "--help"], io, {}), 0);
      assert.match(io.out(), new RegExp(`^Usage: smartos-mail ${command}`));
      assert.match(io.out(), /Exit status: /);
    }
  });
});

describe("plan storage", () => {
  it("reproduces the guide's figures: 8.2 GB queue, ~1600 GB outgoing, ~3200 + 3200 GB incoming, 10 GB spool quota", async () => {
    const io = captureIo();
    assert.equal(await run(["plan", "storage", ...GUIDE_PLAN], io, {}), 0);
    const out = io.out();
    assert.match(out, /^queue +8\.2 /m);
    assert.match(out, /^outgoing archive +1569\.2 /m);
    assert.match(out, /^mailboxes +3138\.5 /m);
    assert.match(out, /^incoming archive +3138\.5 /m);
    assert.match(out, /^spool +8\.2 +10 +\/var\/spool\/postfix/m);
    assert.match(out, /^mail +7854\.3 +9426 /m);
    assert.match(out, /^zone +7874\.3 +9446 /m);
  });

  it("writes the chart with --svg and prints the plan as JSON with --json", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "smartos-mail-plan-")), "plan.svg");
    const io = captureIo();
    assert.equal(await run(["plan", "storage", ...GUIDE_PLAN, "--svg", file, "--json"], io, {}), 0);
    assert.match(readFileSync(file, "utf8"), /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const plan = JSON.parse(io.out());
    assert.deepEqual(plan.quota, { spoolGb: 10, mailGb: 9426, zoneGb: 9446 });
    assert.equal(plan.months.length, 37);
  });

  it("fails with exit 1 and a hint when the chart cannot be written", async () => {
    const io = captureIo();
    assert.equal(
      await run(
        ["plan", "storage", "--sent-gb-per-month", "5", "--monthly-growth", "1", "--svg", "/nonexistent/dir/x.svg"],
        io,
        {},
      ),
      1,
    );
    assert.match(io.err(), /^error: cannot write the chart to \/nonexistent\/dir\/x\.svg: ENOENT\nhint: /);
  });
});

describe("progress", () => {
  it("writes a status line on stderr only when stderr is a terminal, and clears it", () => {
    const pipe = captureIo(false);
    new Progress(pipe).update("checking SPF...");
    assert.equal(pipe.err(), "");
    const tty = captureIo(true);
    const p = new Progress(tty);
    p.update("checking SPF...");
    p.clear();
    assert.equal(tty.err(), "\r\x1b[2Kchecking SPF...\r\x1b[2K");
  });
});

describe("queue table", () => {
  it("shows qshape's rows under DOMAIN, TOTAL and the bucket headings, counts right-aligned", () => {
    const text = renderQueueShape({
      bucketsMinutes: [5, 10, 20, 20],
      total: { count: 20, buckets: [6, 8, 6, 0] },
      domains: [
        { domain: "gmail.com", count: 9, buckets: [3, 1, 5, 0], truncated: false },
        { domain: "yahoo.com", count: 11, buckets: [3, 7, 1, 0], truncated: false },
      ],
    });
    assert.equal(
      text,
      [
        "DOMAIN     TOTAL  5  10  20  20+",
        "TOTAL         20  6   8   6    0",
        "gmail.com      9  3   1   5    0",
        "yahoo.com     11  3   7   1    0",
        "",
        "Age columns: minutes in the queue; 5 counts messages under 5 minutes, each next column up to its heading, 20+ the older ones.",
        "",
      ].join("\n"),
    );
  });

  it("says when the queues are empty", () => {
    const text = renderQueueShape({ bucketsMinutes: [1, 2, 2], total: { count: 0, buckets: [0, 0, 0] }, domains: [] });
    assert.match(text, /^The queues asked for are empty\.$/m);
  });
});
