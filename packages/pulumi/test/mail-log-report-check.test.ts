import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bounceReportProgram, bounceReportSha256 } from "../src/monitoring/bounce-report";
import { reportCronLine } from "../src/monitoring/pflogsumm";
import { mailLogReportProvider } from "../src/providers/mail-log-report";
import { STATE_VERSION } from "../src/providers/state-version";
import { platform } from "../src/remote/platform";
import { type MailLogReportState, mailLogReportSchema } from "../src/schemas/mail-log-report";
import { checkReasons, testConnection } from "./support/check-inputs";

const connection = testConnection("198.18.0.11");
const reasons = checkReasons(mailLogReportProvider, { connection });

describe("MailLogReport", () => {
  it("defaults: yesterday's log at 00:10, mailed to root, then the bounce classes; the line quotes every value for cron's shell", () => {
    const v = mailLogReportSchema.parse({ connection });
    assert.deepEqual([v.hour, v.minute, v.day, v.reportTo], [0, 10, "yesterday", "root"]);
    const sed = "sed 's/^\\([A-Z][a-z][a-z]\\) 0\\([1-9]\\) /\\1  \\2 /' '/var/log/mail.log'";
    assert.equal(
      reportCronLine("/usr/sbin:/usr/bin", "root", { ...v, logFile: "/var/log/mail.log" }),
      `10 0 * * * PATH='/usr/sbin:/usr/bin'; { echo 'Subject: Postfix log summary (yesterday)'; echo; ${sed} | pflogsumm -d 'yesterday' --problems-first; ${sed} | awk -v day='yesterday' -f '/var/db/smartos-mail/mail-log-report/root.awk'; } 2>&1 | sendmail 'root'`,
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

describe("MailLogReport diff", () => {
  const inputs = mailLogReportSchema.parse({ connection, profile: "linux" });
  const log = "/var/log/mail.log";
  const line = reportCronLine(platform("linux").path, "root", { ...inputs, logFile: log });
  const program = bounceReportSha256(bounceReportProgram());
  const olds: MailLogReportState = { ...inputs, reportedLog: log, cronLine: line, scriptSha256: program };
  const news = { connection, profile: "linux" };
  const diff = (over: Record<string, unknown>, old: MailLogReportState = olds) =>
    mailLogReportProvider.diff!("id", old, { __provider: "p", ...news, ...over });

  it("reports no change when the line on the host is the one wanted", async () => {
    assert.deepEqual(await diff({}), { changes: false, replaces: [], deleteBeforeReplace: true });
  });

  it("updates in place for a new time, and for a line removed or edited by hand", async () => {
    assert.deepEqual(await diff({ hour: 3 }), { changes: true, replaces: [], deleteBeforeReplace: true });
    assert.equal((await diff({}, { ...olds, cronLine: null })).changes, true);
  });

  it("updates in place for a bounce-class program missing or edited on the host, and for state from before it", async () => {
    const inPlace = { changes: true, replaces: [], deleteBeforeReplace: true };
    assert.deepEqual(await diff({}, { ...olds, scriptSha256: null }), inPlace);
    assert.deepEqual(await diff({}, { ...olds, scriptSha256: bounceReportSha256("# edited\n") }), inPlace);
    const { scriptSha256: _, ...written020 } = olds;
    assert.deepEqual(await diff({}, written020), inPlace);
  });

  it("replaces for another machine, profile or login user (another crontab)", async () => {
    assert.deepEqual((await diff({ connection: { ...connection, host: "198.18.0.12" } })).replaces, ["connection"]);
    assert.deepEqual((await diff({ profile: "smartos" })).replaces, ["profile"]);
    assert.deepEqual((await diff({ connection: { ...connection, user: "admin" } })).replaces, ["connection.user"]);
  });

  it("runs nothing on the host when logFile now names the log resolved before", async () => {
    const outs = await mailLogReportProvider.update!("id", olds, { ...news, logFile: log });
    assert.deepEqual(outs.outs, {
      ...inputs,
      logFile: log,
      reportedLog: log,
      cronLine: line,
      scriptSha256: program,
      stateVersion: STATE_VERSION,
    });
  });
});
