import {
  bounceReportProgram,
  bounceReportSha256,
  putBounceReport,
  removeBounceReport,
  showBounceReport,
} from "../monitoring/bounce-report";
import { installPflogsumm, REPORT_CRON_OWNER, reportCronLine, resolveLogFile } from "../monitoring/pflogsumm";
import { putCronBlock, removeCronBlock, showCronBlock } from "../remote/crontab";
import { withRemoteLock } from "../remote/lock";
import { platform } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { prelude } from "../remote/script-prelude";
import { parseSections, section } from "../remote/sections";
import { joinScripts } from "../remote/shell";
import { type MailLogReportInputs, type MailLogReportState, mailLogReportSchema } from "../schemas/mail-log-report";
import { hostProvider, sameValue } from "./host-provider";

function lineFor(v: MailLogReportInputs, log: string): string {
  return reportCronLine(platform(v.profile).path, v.connection.user, { ...v, logFile: log });
}

function cronLineOf(sections: Record<string, string>): string | null {
  const text = (sections.cron ?? "").trim();
  return text === "" ? null : text;
}

/** The SHA-256 of the bounce-class program found on the host; null when it has none. */
function programOf(sections: Record<string, string>): string | null {
  const text = sections.program ?? "";
  return text.trim() === "" ? null : bounceReportSha256(text);
}

/** The log `next` reports on, known without the host: given, or resolved before and still not given; else undefined. */
function knownLog(old: MailLogReportState, next: MailLogReportInputs): string | undefined {
  return next.logFile ?? (old.logFile === undefined ? old.reportedLog : undefined);
}

/**
 * Whether the crontab line or the bounce-class program found on the host is not the one `next` wants (or which
 * line it wants needs the host). State from before the program (0.2.0 and earlier) has no `scriptSha256`: the
 * first up writes the program and the new line.
 */
function drifted(old: MailLogReportState, next: MailLogReportInputs): boolean {
  const log = knownLog(old, next);
  return (
    log === undefined ||
    old.cronLine !== lineFor(next, log) ||
    old.scriptSha256 !== bounceReportSha256(bounceReportProgram())
  );
}

async function apply(news: MailLogReportInputs): Promise<MailLogReportState> {
  const p = platform(news.profile);
  const host = new RemoteHost(news.connection);
  const user = news.connection.user;
  // The log is resolved first, in the same command, so the line names a real path.
  const found = await host.run(joinScripts([prelude(p), section("log", resolveLogFile(news.profile, news.logFile))]), {
    step: "find the mail log",
  });
  const log = (parseSections(found.stdout).log ?? "").trim();
  const result = await host.exclusive(() =>
    host.run(
      joinScripts([
        prelude(p),
        withRemoteLock(
          joinScripts([
            installPflogsumm(news.profile),
            putBounceReport(user),
            putCronBlock(user, REPORT_CRON_OWNER, lineFor(news, log)),
          ]),
        ),
        section("cron", showCronBlock(user, REPORT_CRON_OWNER)),
        section("program", showBounceReport(user)),
      ]),
      { step: "schedule the pflogsumm report" },
    ),
  );
  const s = parseSections(result.stdout);
  return { ...news, reportedLog: log, cronLine: cronLineOf(s), scriptSha256: programOf(s) };
}

/** The MailLogReport hooks, run by the engine's dynamic-provider host. */
export const mailLogReportProvider = hostProvider<MailLogReportInputs, MailLogReportState>({
  kind: "mailLogReport",
  schema: mailLogReportSchema,
  // The crontab entry belongs to the login user: another user is another crontab.
  replaces: (old, next) => (old.connection.user !== next.connection.user ? ["connection.user"] : []),
  drifted,
  create: apply,
  async read(old) {
    const host = new RemoteHost(old.connection);
    // The log is resolved again, not taken from state: a fix to how it is found reaches existing hosts, and
    // a maillog_file set since shows as drift of the line.
    const result = await host.run(
      joinScripts([
        prelude(platform(old.profile)),
        section("log", resolveLogFile(old.profile, old.logFile)),
        section("cron", showCronBlock(old.connection.user, REPORT_CRON_OWNER)),
        section("program", showBounceReport(old.connection.user)),
      ]),
      { step: "read the pflogsumm schedule" },
    );
    const s = parseSections(result.stdout);
    return {
      ...old,
      reportedLog: (s.log ?? "").trim() || old.reportedLog,
      cronLine: cronLineOf(s),
      scriptSha256: programOf(s),
    };
  },
  async update(old, news) {
    // The same connection and the line on the host already the one wanted (a logFile now given as the one
    // resolved before): nothing to do on the host.
    const log = knownLog(old, news);
    if (log !== undefined && sameValue(old.connection, news.connection) && !drifted(old, news)) {
      return { ...news, reportedLog: log, cronLine: old.cronLine, scriptSha256: old.scriptSha256 };
    }
    return apply(news);
  },
  async delete(old) {
    const host = new RemoteHost(old.connection);
    await host.exclusive(() =>
      host.run(
        joinScripts([
          prelude(platform(old.profile)),
          withRemoteLock(
            joinScripts([
              removeCronBlock(old.connection.user, REPORT_CRON_OWNER),
              removeBounceReport(old.connection.user),
            ]),
          ),
        ]),
        { step: "remove the pflogsumm schedule" },
      ),
    );
  },
});
