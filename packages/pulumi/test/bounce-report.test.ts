import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { bounceReportProgram } from "../src/monitoring/bounce-report";

/**
 * Real Postfix 3.7 log lines of 7 December 2026, from the testbed's delivery-feedback test (a receiver answering
 * with the providers' texts), day zero-padded as Postfix's maillog_file writes it; the report's sed makes it
 * syslog's space-padded `Dec  7`, as below.
 */
const LOG = readFileSync(path.join(__dirname, "..", "..", "test", "fixtures", "feedback", "postfix.log"), "utf8")
  .split("\n")
  .filter((l) => l !== "")
  .map((l) => l.replace(/^Dec 07 /, "Dec  7 "));

/** The awks on this machine: the program must run under each (illumos and pkgsrc have the one-true-awk). */
const AWKS = ["mawk", "gawk", "original-awk", "nawk", "busybox awk"].filter(
  (a) => spawnSync("sh", ["-c", `command -v ${a.split(" ")[0]} && ${a} 'BEGIN { exit 0 }'`]).status === 0,
);

const dir = mkdtempSync(path.join(tmpdir(), "bounce-report-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const program = path.join(dir, "root.awk");
writeFileSync(program, bounceReportProgram());

/** The report's counts, as `status class` -> count, from `awk -v day=… -v today=… -f program` over `lines`. */
function counts(awk: string, lines: string[], day: "today" | "yesterday", today: string): Record<string, number> {
  const r = spawnSync("sh", ["-c", `${awk} -v day="$1" -v today="$2" -f "$3"`, "sh", day, today, program], {
    input: lines.map((l) => `${l}\n`).join(""),
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  const out: Record<string, number> = {};
  for (const m of r.stdout.matchAll(/^ {2}(bounced|deferred) +(\S+) +(\d+) {2}/gm))
    out[`${m[1]} ${m[2]}`] = Number(m[3]);
  assert.match(r.stdout, /^Undelivered recipients by class/m);
  return out;
}

const NONE = {
  "bounced mailbox-unknown": 0,
  "bounced policy": 0,
  "bounced suppressed": 0,
  "bounced other": 0,
  "deferred policy": 0,
  "deferred suspended": 0,
  "deferred other": 0,
};

/** The fixture's classes: each line by its status code, the watcher's own map entries apart. */
const FIXTURE = {
  ...NONE,
  "bounced mailbox-unknown": 1, // 550 5.1.1 from the receiver
  "bounced policy": 1, // 550 5.7.1
  "bounced suppressed": 1, // error:5.1.1 suppressed by smartos-mail
  "bounced other": 1, // 5.4.4, no such domain
  "deferred policy": 3, // Gmail 4.7.28, Yahoo TSS04 (4.7.0 at connect), Outlook 4.7.650
  "deferred suspended": 1, // retry:4.7.0 suspended by smartos-mail
  "deferred other": 1, // 450 4.2.0
};

for (const awk of AWKS) {
  describe(`MailLogReport's bounce classes under ${awk}, on real Postfix log lines`, () => {
    it("counts yesterday's undelivered recipients by class, the sent one not at all, every class printed", () => {
      assert.deepEqual(counts(awk, LOG, "yesterday", "2026 12 08"), FIXTURE);
    });

    it("counts only the day asked for: today's lines with day=today, none of another day's", () => {
      assert.deepEqual(counts(awk, LOG, "today", "2026 12 07"), FIXTURE);
      assert.deepEqual(counts(awk, LOG, "today", "2026 12 08"), NONE);
      assert.deepEqual(counts(awk, LOG, "yesterday", "2026 12 07"), NONE);
    });

    it("finds yesterday across a month, a year and February (leap years by the Gregorian rule)", () => {
      const gone = LOG.find((l) => l.includes("dsn=5.1.1, status=bounced (host")) ?? "";
      const on = (stamp: string) => [gone.replace(/^Dec {2}7 /, `${stamp} `)];
      const one = { ...NONE, "bounced mailbox-unknown": 1 };
      assert.deepEqual(counts(awk, on("Dec 31"), "yesterday", "2027 01 01"), one);
      assert.deepEqual(counts(awk, on("Nov 30"), "yesterday", "2026 12 01"), one);
      assert.deepEqual(counts(awk, on("Feb 29"), "yesterday", "2028 03 01"), one);
      assert.deepEqual(counts(awk, on("Feb 28"), "yesterday", "2100 03 01"), one);
      assert.deepEqual(counts(awk, on("Feb 29"), "yesterday", "2000 03 01"), one);
      assert.deepEqual(counts(awk, on("Feb 28"), "yesterday", "2027 03 01"), one);
      assert.deepEqual(counts(awk, on("Feb 28"), "yesterday", "2028 03 01"), NONE, "2028's February has a 29th");
    });

    it("counts RFC 3339 time stamps (rsyslog's high-precision format) as well", () => {
      const iso = LOG.map((l) => l.replace(/^Dec {2}7 (\d\d:\d\d:\d\d) /, "2026-12-07T$1.123456+00:00 "));
      assert.deepEqual(counts(awk, iso, "yesterday", "2026 12 08"), FIXTURE);
    });
  });
}
