import { createHash } from "node:crypto";
import { BOUNCE_CLASS_AWK, SUPPRESSED_CLASS } from "../postfix/bounce-classes";
import { type Script, sh } from "../remote/shell";

/** Where MailLogReport keeps its bounce-class program, one per login user (whose crontab runs it). */
const DIR = "/var/db/smartos-mail/mail-log-report";

/** The bounce-class program's path for the login user `user`. */
export function bounceReportPath(user: string): string {
  return `${DIR}/${user}.awk`;
}

/**
 * The program's rows: status, class, and what the class holds (from postfix/bounce-classes.ts), in the order
 * the report prints them.
 */
const ROWS = [
  ["bounced", SUPPRESSED_CLASS, "5.1.1, 5.1.10, 5.2.1: no such mailbox (DeliveryFeedback suppresses the address)"],
  ["bounced", "policy", "5.7.x: spam, authentication or policy (never suppressed)"],
  ["bounced", "suppressed", "a suppressed address bounced on this host (DeliveryFeedback)"],
  ["bounced", "other", "any other 5.x.x (full mailbox, no such domain, ...)"],
  ["deferred", "policy", "4.7.x: rate limits and policy (Gmail 4.7.28, Yahoo TSS04, ...)"],
  ["deferred", "suspended", "held while DeliveryFeedback suspends the domain"],
  ["deferred", "other", "any other 4.x.x (timeouts, greylisting, full mailbox, ...)"],
] as const;

/**
 * The daily report's bounce-class counts, a POSIX awk program (`awk -v day=yesterday|today -f FILE`; `-v
 * today='YYYY MM DD'` replays a log as of that date) over the
 * mail log's lines as the report's `sed` leaves them (syslog's `Mmm dd`, day space-padded; RFC 3339 stamps
 * count too). It finds the day as pflogsumm's `-d` does, in the host's time zone (`date`; yesterday by calendar
 * arithmetic, as POSIX `date` has no `-d`), and counts each recipient Postfix logged as bounced or deferred on
 * it, by class: a message to three recipients counts three times, a deferred one once per attempt.
 */
export function bounceReportProgram(): string {
  const rows = ROWS.map(([st, cls, what]) => `  row("${st}", "${cls}", "${what}")`).join("\n");
  return `# MailLogReport's bounce classes, written by smartos-mail: change the Pulumi program, not this file.
${BOUNCE_CLASS_AWK}
function row(st, cls, what) { printf "  %-9s %-16s %6d  %s\\n", st, cls, n[st " " cls] + 0, what }
BEGIN {
  if (today == "") "date '+%Y %m %d'" | getline today
  split(today, t, " "); y = t[1] + 0; m = t[2] + 0; d = t[3] + 0
  if (day == "yesterday" && --d == 0) {
    if (--m == 0) { m = 12; y-- }
    d = substr("312831303130313130313031", 2 * m - 1, 2) + (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
  }
  syslog = sprintf("%s %2d ", substr("JanFebMarAprMayJunJulAugSepOctNovDec", 3 * m - 2, 3), d)
  iso = sprintf("%04d-%02d-%02dT", y, m, d)
}
(index($0, syslog) == 1 || index($0, iso) == 1) && match($0, / dsn=[45]\\.[0-9]+\\.[0-9]+, status=(bounced|deferred) \\(/) {
  f = substr($0, RSTART + 5, RLENGTH - 7); dsn = f; sub(/,.*/, "", dsn); st = f; sub(/.*=/, "", st)
  n[st " " bounceclass(st, dsn, substr($0, RSTART + RLENGTH))]++
}
END {
  print ""
  print "Undelivered recipients by class (smartos-mail; RFC 3463 status codes)"
  print "--------------------------------------------------------------------"
${rows}
}
`;
}

/** SHA-256 of a program's text without its trailing newlines (as a section returns it), as the state keeps it. */
export function bounceReportSha256(text: string): string {
  return createHash("sha256").update(text.replace(/\n+$/, "")).digest("hex");
}

/** Writes the program for `user` (mode 644: cron runs it as that user) when it differs, with one rename. */
export function putBounceReport(user: string): Script {
  const path = bounceReportPath(user);
  const next = `${path}.smartos-mail-new`;
  return sh`mkdir -p ${DIR} && printf '%s' ${bounceReportProgram()} >${next} || fail ${`cannot write ${path}`}
if cmp -s ${next} ${path}; then rm -f ${next}; else chmod 644 ${next} && mv ${next} ${path} || fail ${`cannot put ${path} in place`}; fi`;
}

/** Prints the program for `user` as the host has it (nothing when absent). */
export function showBounceReport(user: string): Script {
  return sh`cat ${bounceReportPath(user)} 2>/dev/null || true`;
}

/** Removes the program for `user`, and its directory and /var/db/smartos-mail when left empty. */
export function removeBounceReport(user: string): Script {
  return sh`rm -f ${bounceReportPath(user)}
rmdir ${DIR} 2>/dev/null || true
rmdir /var/db/smartos-mail 2>/dev/null || true`;
}
