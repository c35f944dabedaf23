import type { PlatformName } from "../remote/platform";
import { type Script, sh } from "../remote/shell";
import { bounceReportPath } from "./bounce-report";

/** Owner of the report's block in the login user's crontab. */
export const REPORT_CRON_OWNER = "mail-log-report";

/** What the scheduled report does. */
export interface ReportSettings {
  /** Cron minute and hour, e.g. `["10", "0"]`. */
  minute: number;
  /** Cron hour. */
  hour: number;
  /** Which day's log lines pflogsumm summarizes. */
  day: "yesterday" | "today";
  /** Where the report is mailed. */
  reportTo: string;
  /** The mail log; empty: Postfix's `maillog_file`, else the platform's syslog file, found on the host. */
  logFile?: string;
}

/** pflogsumm's package and the syslog file mail goes to without `maillog_file`, per platform. */
const platforms: Record<PlatformName, { install: Script; syslogFile: string }> = {
  smartos: {
    install: sh`pkgin -y install pflogsumm`,
    // illumos's syslog.conf (usr/src/cmd/syslogd/syslog.conf) sends mail.debug
    // to /var/log/syslog when this host is `loghost`, else to @loghost.
    syslogFile: "/var/log/syslog",
  },
  linux: {
    install: sh`DEBIAN_FRONTEND=noninteractive apt-get install -y -q pflogsumm`,
    syslogFile: "/var/log/mail.log",
  },
};

/** Installs pflogsumm when it is not on PATH. */
export function installPflogsumm(profile: PlatformName): Script {
  return sh`command -v pflogsumm >/dev/null 2>&1 || ${platforms[profile].install} >/dev/null 2>&1 || fail "cannot install pflogsumm"`;
}

/**
 * Prints the log file the report reads: the given one, else Postfix's
 * `maillog_file` when set, else the platform's syslog mail file.
 */
export function resolveLogFile(profile: PlatformName, logFile: string | undefined): Script {
  if (logFile) return sh`printf '%s\n' ${logFile}`;
  // The default is assigned as its own word: quoted inside "${f:-...}" its quotes would be printed too.
  return sh`f=$(postconf -h maillog_file 2>/dev/null); [ -n "$f" ] || f=${platforms[profile].syslogFile}; printf '%s\n' "$f"`;
}

/**
 * Rewrites a zero-padded day (`Dec 01`, as Postfix's own `maillog_file`
 * writes it) to syslog's space-padded form (`Dec  1`): pflogsumm 1.1.5's
 * `-d` matches only the latter, so without this the report of the 1st to
 * the 9th of each month would count nothing. POSIX sed, also illumos'.
 */
const SYSLOG_DAY = "s/^\\([A-Z][a-z][a-z]\\) 0\\([1-9]\\) /\\1  \\2 /";

/**
 * The crontab line of the login user `user`: pflogsumm's summary of the day, problems first, then the day's
 * undelivered recipients by bounce class (monitoring/bounce-report.ts), mailed with Postfix's own sendmail.
 * Values are quoted for cron's /bin/sh; a `%`, which cron turns into a newline, is refused by the schema
 * before this (and the class program asks `date` for the day itself).
 */
export function reportCronLine(path: string, user: string, s: Required<ReportSettings>): string {
  const command = sh`PATH=${path}; { echo ${`Subject: Postfix log summary (${s.day})`}; echo; sed ${SYSLOG_DAY} ${s.logFile} | pflogsumm -d ${s.day} --problems-first; sed ${SYSLOG_DAY} ${s.logFile} | awk -v day=${s.day} -f ${bounceReportPath(user)}; } 2>&1 | sendmail ${s.reportTo}`;
  return `${s.minute} ${s.hour} * * * ${command.text}`;
}
