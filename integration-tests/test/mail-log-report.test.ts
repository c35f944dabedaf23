import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { MailLogReport, type MailLogReportArgs } from "@smartos-mail/pulumi";
import { connectionTo, driftRepairedByUp, freshStack, suiteHost } from "../harness/fixtures";
import { smtpSmokeTest } from "../harness/smtp";
import { hostShell, withoutSsh } from "../harness/testbed";

const HOST = "mlrep";
const OPERATOR_CRONTAB = "# operator jobs\n30 4 * * * /usr/local/bin/backup\n";
const PROGRAM = "/var/db/smartos-mail/mail-log-report/root.awk";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("MailLogReport: pflogsumm's daily summary, scheduled by cron and mailed", () => {
  const host = suiteHost(HOST, 46);
  const stack = freshStack("mail-log-report");
  let args: MailLogReportArgs;
  const program =
    (extra: Partial<MailLogReportArgs> = {}) =>
    () => [new MailLogReport("report", { ...args, ...extra })];
  const crontab = () => hostShell(HOST, "crontab -l 2>/dev/null").stdout;
  /** The scheduled command of the report's crontab line (the line without its five time fields). */
  const scheduledCommand = () =>
    (
      crontab()
        .split("\n")
        .find((l) => l.includes("pflogsumm")) ?? ""
    )
      .split(" ")
      .slice(5)
      .join(" ");

  before(() => {
    args = { connection: connectionTo(host()), profile: "linux", day: "today" };
    hostShell(HOST, `printf '%s' '${OPERATOR_CRONTAB}' | crontab -`);
  });

  it("create: the report is scheduled in a marked crontab block, reading Postfix's maillog_file", async () => {
    assert.deepEqual(
      (await stack.up(program())).map((s) => s.op),
      ["create"],
    );
    const outputs = stack.resource("report")?.outputs as { reportedLog: string; cronLine: string };
    assert.equal(outputs.reportedLog, "/var/log/postfix.log");
    const tab = crontab();
    assert.ok(tab.startsWith(OPERATOR_CRONTAB), "the operator's entries stay first and untouched");
    assert.match(
      tab,
      /^# BEGIN mail-log-report \(managed by smartos-mail\)\n10 0 \* \* \* PATH=.*'\/var\/log\/postfix\.log' \| pflogsumm -d 'today' --problems-first.*\| sendmail 'root'\n# END mail-log-report$/m,
    );
    assert.equal(
      outputs.cronLine,
      tab.split("\n").find((l) => l.includes("pflogsumm")),
    );
  });

  it("the scheduled command mails root pflogsumm's summary of today's deliveries, then the bounce classes", async () => {
    assert.match(smtpSmokeTest(HOST, "root@localhost", "root@localhost"), /250 2\.0\.0 Ok: queued as/);
    // A recipient local(8) does not know: Postfix logs dsn=5.1.1, status=bounced. The null sender keeps the
    // bounce notice from being a second delivery.
    const bounced = hostShell(HOST, "printf 'Subject: to no one\\n\\nx\\n' | sendmail -f '<>' nosuchuser@localhost");
    assert.equal(bounced.code, 0, bounced.stderr);
    const logged = (what: string) =>
      hostShell(HOST, `grep -c ${JSON.stringify(what)} /var/log/postfix.log || true`).stdout.startsWith("1");
    for (let i = 0; i < 40 && !(logged("status=sent") && logged("dsn=5.1.1, status=bounced")); i++) {
      await sleep(500);
    }
    const r = hostShell(HOST, scheduledCommand());
    assert.equal(r.code, 0, r.stderr);
    let box = "";
    // Until the report's totals are in the mailbox (local(8) may still be appending the rest).
    for (let i = 0; i < 40 && !/^\s+\d+\s+delivered$/m.test(box); i++) {
      await sleep(500);
      box = hostShell(HOST, "cat /var/mail/root 2>/dev/null").stdout;
    }
    assert.match(box, /^Subject: Postfix log summary \(today\)$/m);
    assert.match(box, /Grand Totals/);
    assert.match(box, /^\s+1\s+delivered$/m, "pflogsumm counted the smoke test's delivery");
    for (let i = 0; i < 40 && !/^ {2}deferred +other /m.test(box); i++) {
      await sleep(500);
      box = hostShell(HOST, "cat /var/mail/root 2>/dev/null").stdout;
    }
    assert.match(box, /^Undelivered recipients by class/m);
    assert.match(box, /^ {2}bounced +mailbox-unknown +1 {2}5\.1\.1, /m, "the unknown local user, by its 5.1.1");
    for (const other of ["bounced +policy", "bounced +other", "deferred +policy", "deferred +other"]) {
      assert.match(box, new RegExp(`^ {2}${other} +0 {2}`, "m"));
    }
  });

  it("second up: no diff, no SSH login, no remote command", async () => {
    assert.deepEqual(
      (await withoutSsh([HOST], () => stack.up(program()))).map((s) => s.op),
      ["same"],
    );
  });

  it("a removed entry shows on refresh and the next up restores it; a new hour updates only the line", async () => {
    hostShell(HOST, `printf '%s' '${OPERATOR_CRONTAB}' | crontab -`);
    await driftRepairedByUp(stack, program());
    assert.match(crontab(), /^10 0 \* \* \* .*pflogsumm/m);
    const before = hostShell(HOST, `cat ${PROGRAM}`).stdout;
    hostShell(HOST, `echo 'END { print "edited" }' >>${PROGRAM}`);
    await driftRepairedByUp(stack, program());
    assert.equal(hostShell(HOST, `cat ${PROGRAM}`).stdout, before, "the bounce-class program is put back");
    assert.deepEqual(
      (await stack.up(program({ hour: 6, minute: 5 }))).map((s) => s.op),
      ["update"],
    );
    assert.match(crontab(), /^5 6 \* \* \* .*pflogsumm/m);
    assert.equal(crontab().match(/pflogsumm/g)?.length, 1, "one entry, replaced in place");
  });

  it("destroy leaves the operator's crontab as it was", async () => {
    assert.deepEqual(
      (await stack.destroy()).map((s) => s.op),
      ["delete"],
    );
    assert.equal(crontab(), OPERATOR_CRONTAB);
    assert.equal(hostShell(HOST, "ls -d /var/db/smartos-mail 2>/dev/null || true").stdout, "", "the program is gone");
  });
});
