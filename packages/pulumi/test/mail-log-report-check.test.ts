import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reportCronLine } from "../src/monitoring/pflogsumm";
import { mailLogReportProvider } from "../src/providers/mail-log-report";
import { mailLogReportSchema } from "../src/schemas/mail-log-report";
import { checkReasons, testConnection } from "./support/check-inputs";

const connection = testConnection("198.18.0.11");
const reasons = checkReasons(mailLogReportProvider, { connection });

describe("MailLogReport", () => {
  it("defaults: yesterday's log at 00:10, mailed to root; the line quotes every value for cron's shell", () => {
    const v = mailLogReportSchema.parse({ connection });
    assert.deepEqual([v.hour, v.minute, v.day, v.reportTo], [0, 10, "yesterday", "root"]);
    assert.equal(
      reportCronLine("/usr/sbin:/usr/bin", { ...v, logFile: "/var/log/mail.log" }),
      "10 0 * * * PATH='/usr/sbin:/usr/bin'; { echo 'Subject: Postfix log summary (yesterday)'; echo; sed 's/^\\([A-Z][a-z][a-z]\\) 0\\([1-9]\\) /\\1  \\2 /' '/var/log/mail.log' | pflogsumm -d 'yesterday' --problems-first; } 2>&1 | sendmail 'root'",
    );
  });

  it("refuses bad times, log paths (cron turns % into a newline) and recipients at check", async () => {
    assert.deepEqual(await reasons({ hour: 24 }), ["hour: must be an hour 0-23"]);
    assert.deepEqual(await reasons({ minute: 1.5 }), ["minute: must be a whole minute"]);
    assert.deepEqual(await reasons({ logFile: "/var/log/mail-%Y.log" }), [
      "logFile: must be an absolute path of letters, digits, '.', '_' and '-' with no . or .. parts, e.g. /var/log/maillog",
    ]);
    assert.equal((await reasons({ logFile: "var/log/maillog" })).length, 1);
    assert.equal((await reasons({ logFile: "/var/log/../../etc/shadow" })).length, 1);
    assert.equal((await reasons({ reportTo: "ops@example.com; reboot" })).length, 1);
    assert.equal((await reasons({ day: "tomorrow" }))[0]?.startsWith("day:"), true);
    assert.deepEqual(await reasons({ reportTo: "ops@example.com" }), []);
  });
});
