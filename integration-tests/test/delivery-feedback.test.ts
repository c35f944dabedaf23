import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { DeliveryFeedback, type DeliveryFeedbackArgs, OpenDkimKey, PostfixConfig } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, OUTPUT_DIR, suiteHost } from "../harness/fixtures";
import { authenticationResults } from "../harness/receiver";
import { hostScript, hostShell, withoutSsh } from "../harness/testbed";
import { receiverRecords, writeZones, zoneFilesOf } from "../harness/zones";

// Test domains under .smtb, a TLD only the testbed's DNS serves.
const SENDER = "send.smtb";
const RECV = "shaping.smtb";
const ZONES = "/srv/smartos-mail-testbed/delivery-feedback-zones";
const MAP = "/etc/postfix/smartos-mail-feedback";
const WATCH = "/var/db/smartos-mail/feedback/watch.sh";
const RCPT_MAP = "/etc/postfix/shaping-rcpt";
const CLIENT_MAP = "/etc/postfix/shaping-clients";

/** Replies the receiver gives, each a provider's published text (see the default rules' sources). */
const GMAIL_RATE =
  "421 4.7.28 Gmail has detected an unusual rate of email originating from your IP address. To protect our users from spam, email sent from your IP address has been temporarily rate limited.";
const YAHOO_TSS04 =
  "421 4.7.0 [TSS04] Messages from 198.18.0.161 temporarily deferred due to unexpected volume or user complaints";
const OUTLOOK_RP001 =
  "451 4.7.650 RP-001 The mail server IP connecting to Outlook.com server has exceeded the rate limit allowed.";
const GMAIL_NO_SUCH_USER =
  "550 5.1.1 The email account that you tried to reach does not exist. Please double-check the recipient's email address for typos or unnecessary spaces.";
const POLICY = "550 5.7.1 Message rejected due to local policy";
const LATER = "450 4.2.0 Mailbox busy, try again later";

/** The built command, run the way a user runs it: `node packages/cli/dist/main.js`. */
const CLI = path.resolve(__dirname, "..", "..", "..", "packages", "cli", "dist", "main.js");
const KEY = path.join(OUTPUT_DIR, "delivery-feedback-client-key");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("DeliveryFeedback: Postfix reacts to what the receiving MX answers", () => {
  const dns = suiteHost("shdns", 150);
  const sender = suiteHost("shsend", 151);
  const receiver = suiteHost("shrecv", 152);
  const stack = freshStack("delivery-feedback");
  let baseline: { postconf: string; masterCf: string; crontab: string; files: string };

  const rules: DeliveryFeedbackArgs["rules"] = [
    {
      name: "test-rate",
      relays: [RECV],
      status: "4.7.28",
      threshold: { count: 2, window: "1h" },
      action: "suspend",
      duration: "20s",
    },
    { name: "test-tss04", relays: [RECV], pattern: "\\[TS?S04\\]", action: "suspend", duration: "15s" },
    {
      name: "test-slow",
      relays: [RECV],
      pattern: "RP-00[123]",
      action: "throttle",
      duration: "45s",
      rateDelay: "4s",
      concurrencyLimit: 1,
    },
  ];
  const program =
    (feedback: Partial<DeliveryFeedbackArgs> = {}) =>
    () => [
      new PostfixConfig("postfix", {
        connection: connectionTo(sender()),
        profile: "linux",
        myhostname: `mx.${SENDER}`,
        mydomain: SENDER,
        myorigin: "$mydomain",
        mynetworks: ["127.0.0.0/8"],
        inetInterfaces: ["all"],
        // A 421 makes Postfix set the destination aside for minimal_backoff_time (300 s by default) before it
        // tries the next message: short here, so a test sees the second reply within seconds.
        parameters: { minimal_backoff_time: "5s", maximal_backoff_time: "10s", queue_run_delay: "5s" },
      }),
      new OpenDkimKey("key", { connection: connectionTo(sender()), profile: "linux", domain: SENDER, selector: "s1" }),
      new DeliveryFeedback("feedback", { connection: connectionTo(sender()), profile: "linux", rules, ...feedback }),
    ];

  /** Host state DeliveryFeedback must leave as it found it. */
  const snapshot = () => ({
    postconf: hostShell("shsend", "postconf -n").stdout,
    masterCf: hostShell("shsend", "cat /etc/postfix/master.cf").stdout,
    crontab: hostShell("shsend", "crontab -l 2>/dev/null || true").stdout,
    files: hostShell("shsend", `ls -d ${MAP} ${MAP}.db /var/db/smartos-mail/feedback 2>/dev/null || true`).stdout,
  });

  /** The receiver's answers: `rcpt` lines of check_recipient_access, `client` the reply to the sender's address. */
  function answers(rcpt: Record<string, string>, client?: string): void {
    const lines = Object.entries(rcpt).map(([a, reply]) => `${a} ${reply}`);
    const r = hostShell(
      "shrecv",
      `printf '%s\\n' ${lines.map((l) => `'${l.replaceAll("'", "'\\''")}'`).join(" ")} >${RCPT_MAP} && postmap ${RCPT_MAP} &&
printf '%s\\n' '${client ? `${sender().host}/32 ${client}` : "# nothing"}' >${CLIENT_MAP} && postfix reload >/dev/null 2>&1`,
    );
    assert.equal(r.code, 0, r.stderr);
  }

  function send(to: string, subject: string): void {
    const m = `From: <app@${SENDER}>\\nTo: <${to}>\\nSubject: ${subject}\\nMessage-ID: <${subject}@${SENDER}>\\n\\n${subject}\\n`;
    const r = hostShell("shsend", `printf '${m}' | sendmail -f app@${SENDER} ${to}`);
    assert.equal(r.code, 0, r.stderr);
  }

  /** The sender's log once it has `count` lines matching `pattern`, waiting at most 30 s. */
  async function senderLogged(pattern: RegExp, count = 1): Promise<string> {
    for (let i = 0; i < 60; i++) {
      const log = hostShell("shsend", "cat /var/log/postfix.log").stdout;
      if ((log.match(new RegExp(pattern.source, "gm")) ?? []).length >= count) return log;
      await sleep(500);
    }
    const tail = hostShell("shsend", "tail -n 20 /var/log/postfix.log; postqueue -p").stdout;
    throw new Error(`the sender did not log ${count} × ${pattern} in 30 s:\n${tail}`);
  }

  /** `smartos-mail COMMAND <sender> --fingerprint … --identity …` with `args`. */
  function smartosMail(command: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
    const r = spawnSync(
      process.execPath,
      [CLI, command, sender().host, "--fingerprint", sender().hostKeyFingerprint, "--identity", KEY, ...args],
      { encoding: "utf8", timeout: 120_000 },
    );
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** One watcher pass, as cron runs it. */
  function watch(): string {
    const r = hostShell("shsend", `/bin/sh ${WATCH} run`);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  }

  const mapEntries = () =>
    hostShell("shsend", `grep -v '^#' ${MAP} || true`)
      .stdout.split("\n")
      .filter((l) => l !== "");

  /** The delivered message with `subject`, waiting up to `seconds`. */
  async function delivered(subject: string, seconds = 30): Promise<string> {
    for (let i = 0; i < seconds * 2; i++) {
      const box = hostShell("shrecv", "cat /var/mail/root 2>/dev/null").stdout;
      const found = box.split(/^From /m).find((m) => m.includes(`Subject: ${subject}\n`));
      if (found) return found;
      await sleep(500);
    }
    const log = hostShell("shsend", "tail -n 12 /var/log/postfix.log; postqueue -p").stdout;
    throw new Error(`${subject} did not arrive in ${seconds} s; sender:\n${log}`);
  }

  before(async () => {
    for (const h of [dns(), sender(), receiver()]) assert.ok(h.host);
    for (const name of ["shsend", "shrecv"]) assert.equal(hostScript(name, "use-resolver.sh", [dns().host]).code, 0);
    const r = hostScript("shrecv", "receiver.sh", [RECV, dns().host]);
    assert.equal(r.code, 0, r.stderr);
    // The provider replies come from access maps: at connect (smtpd_delay_reject=no makes client restrictions
    // answer before the greeting's reply is used) and after RCPT.
    const access = hostShell(
      "shrecv",
      `: >${RCPT_MAP} && postmap ${RCPT_MAP} && : >${CLIENT_MAP} &&
postconf -e smtpd_delay_reject=no 'smtpd_client_restrictions=check_client_access cidr:${CLIENT_MAP}' \
  "smtpd_recipient_restrictions=check_recipient_access hash:${RCPT_MAP}, $(postconf -h smtpd_recipient_restrictions)" &&
postfix reload >/dev/null 2>&1`,
    );
    assert.equal(access.code, 0, access.stderr);
    baseline = snapshot();
    mkdirSync(OUTPUT_DIR, { recursive: true });
    writeFileSync(KEY, sender().privateKey, { mode: 0o600 });
  });

  async function publish(): Promise<void> {
    const mine = await zoneFilesOf({
      domain: SENDER,
      zoneId: "cloudflare-zone-sender",
      mailHost: { name: `mx.${SENDER}`, ipv4: [sender().host] },
      dkim: [{ selector: "s1", value: String(stack.resource("key")?.outputs.dkimRecordValue ?? "") }],
      dmarc: { p: "reject" },
    });
    writeZones(ZONES, dns().host, 1, { [SENDER]: mine.zone, [RECV]: receiverRecords(RECV, receiver().host) });
    const served = hostScript("shdns", "dns-server.sh", [ZONES]);
    assert.equal(served.code, 0, served.stderr);
  }

  it("create: the watcher, its crontab line, the map first in transport_maps, the throttle transport", async () => {
    const steps = await stack.up(program());
    assert.deepEqual(steps.map((s) => s.op).sort(), ["create", "create", "create"]);
    await publish();
    assert.equal(
      hostShell("shsend", "postconf -h transport_maps").stdout,
      `hash:${MAP}\n`,
      "the feedback map is listed (first)",
    );
    assert.match(
      hostShell("shsend", "crontab -l").stdout,
      /^\* \* \* \* \* \/bin\/sh '\/var\/db\/smartos-mail\/feedback\/watch\.sh' run /m,
    );
    assert.equal(
      hostShell("shsend", "postconf -M throttle-test-slow/unix").stdout.replace(/[ \t]+/g, " "),
      "throttle-test-slow unix - - n - - smtp\n",
    );
    assert.equal(
      hostShell(
        "shsend",
        "postconf -h throttle-test-slow_destination_rate_delay throttle-test-slow_destination_concurrency_limit throttle-test-slow_destination_concurrency_failed_cohort_limit",
      ).stdout,
      "4s\n1\n10\n",
    );
    const out = stack.resource("feedback")?.outputs;
    assert.equal(out?.watchedLog, "/var/log/postfix.log");
    assert.deepEqual(out?.active, []);
    assert.equal(out?.suppressedCount, 0);
    assert.deepEqual(mapEntries(), []);
  });

  it("an up with nothing changed logs in nowhere", async () => {
    const steps = await withoutSsh(["shsend"], () => stack.up(program()));
    assert.deepEqual(
      steps.map((s) => s.op),
      ["same", "same", "same"],
    );
  });

  it("4.7.28 after RCPT: below the threshold nothing changes; at it the domain is suspended and the receiver hears nothing", async () => {
    answers({ [`limited@${RECV}`]: GMAIL_RATE });
    send(`limited@${RECV}`, "rate-1");
    await senderLogged(
      /dsn=4\.7\.28, status=deferred \(host mx\.shaping\.smtb\[[^\]]+\] said: 421 4\.7\.28 .*Gmail has detected/,
    );
    watch();
    assert.deepEqual(mapEntries(), [], "one reply is below the threshold of two");
    send(`limited@${RECV}`, "rate-2");
    await senderLogged(/dsn=4\.7\.28, status=deferred \(host mx\.shaping\.smtb/, 2);
    assert.match(watch(), /rule test-rate acts on shaping\.smtb/);
    const entries = mapEntries();
    assert.equal(entries.length, 1, entries.join("\n"));
    assert.match(
      entries[0],
      /^shaping\.smtb\tretry:4\.7\.0 suspended by smartos-mail until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(rule test-rate\)$/,
    );
    // The receiver accepts again, but the sender stays away for the window.
    answers({});
    const mark = hostShell("shrecv", "wc -l </var/log/postfix.log").stdout.trim();
    send(`ok@${RECV}`, "rate-3");
    hostShell("shsend", "postqueue -f");
    await senderLogged(/status=deferred \(suspended by smartos-mail until [^)]+\(rule test-rate\)\)/);
    await sleep(3000);
    const since = hostShell("shrecv", `tail -n +${Number(mark) + 1} /var/log/postfix.log`).stdout;
    assert.doesNotMatch(since, new RegExp(`connect from \\S+\\[${sender().host.replaceAll(".", "\\.")}\\]`), since);
    assert.match(hostShell("shsend", "postqueue -p").stdout, /suspended by smartos-mail until/);
  });

  it("refresh shows the suspension as an output, not as drift", async () => {
    const steps = await stack.refresh();
    assert.deepEqual(
      steps.filter((s) => s.drift).map((s) => s.name),
      [],
    );
    const active = stack.resource("feedback")?.outputs.active as { domain: string; rule: string; action: string }[];
    assert.deepEqual(
      active.map((a) => [a.domain, a.rule, a.action]),
      [[RECV, "test-rate", "suspend"]],
    );
    const table = smartosMail("shaping");
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      /^DOMAIN +ACTION +UNTIL \(UTC\) +RULE\nshaping\.smtb +suspend +\d{4}-\d\d-\d\dT[\d:]+Z +test-rate\n$/,
    );
    const json = smartosMail("shaping", "--json");
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), { active });
    const again = await withoutSsh(["shsend"], () => stack.up(program()));
    assert.deepEqual(
      again.map((s) => s.op),
      ["same", "same", "same"],
    );
  });

  it("after the window the entry goes, the queue is flushed, and the mail arrives signed (dkim=pass)", async () => {
    const until = Date.parse(/until (\S+)/.exec(mapEntries()[0])?.[1] ?? "");
    await sleep(Math.max(0, until - Date.now()) + 1500);
    assert.match(watch(), /the action on shaping\.smtb ended/);
    assert.deepEqual(mapEntries(), []);
    for (const subject of ["rate-3", "rate-1", "rate-2"]) {
      await delivered(subject);
      assert.match(await authenticationResults("shrecv", subject), /dkim=pass [^\n]*header\.d=send\.smtb/);
    }
    // Postfix goes on logging (deliveries, removals): the position moves, nothing else does.
    const state = () =>
      hostShell(
        "shsend",
        `cd /var/db/smartos-mail/feedback && cat events actions suppressed ${MAP}; stat -c %Y.%y ${MAP}.db`,
      ).stdout;
    const before = state();
    watch();
    assert.equal(state(), before, "another pass with no new replies changes nothing");
  });

  it("421 [TSS04] at connect suspends at once (threshold 1) and lifts by itself", async () => {
    answers({}, YAHOO_TSS04);
    send(`ann@${RECV}`, "tss-1");
    await senderLogged(/refused to talk to me: 421 4\.7\.0 .*\[TSS04\] Messages from/);
    assert.match(watch(), /rule test-tss04 acts on shaping\.smtb/);
    assert.match(
      mapEntries().join("\n"),
      /^shaping\.smtb\tretry:4\.7\.0 suspended by smartos-mail until .* \(rule test-tss04\)$/m,
    );
    answers({});
    const until = Date.parse(/until (\S+)/.exec(mapEntries()[0])?.[1] ?? "");
    await sleep(Math.max(0, until - Date.now()) + 1500);
    watch();
    await delivered("tss-1");
  });

  it("a throttle: deliveries to the domain are spaced by its rate delay, then are not", async () => {
    answers({ [`busy@${RECV}`]: OUTLOOK_RP001 });
    send(`busy@${RECV}`, "slow-trigger");
    await senderLogged(/said: 451 4\.7\.650 .*RP-001 The mail server IP/);
    assert.match(watch(), /rule test-slow acts on shaping\.smtb/);
    assert.deepEqual(mapEntries(), ["shaping.smtb\tthrottle-test-slow:"]);
    // The receiver takes the trigger's message at its next try: no more RP-001 to start the throttle's time again.
    answers({});
    const arrivals = async (tag: string) => {
      for (const n of [1, 2, 3, 4]) send(`ok@${RECV}`, `${tag}-${n}`);
      for (const n of [1, 2, 3, 4]) await delivered(`${tag}-${n}`, 60);
      const log = hostShell("shrecv", "cat /var/log/postfix.log").stdout;
      const times: number[] = [];
      for (const line of log.split("\n")) {
        const m = /^\w{3} [ \d]\d (\d\d):(\d\d):(\d\d) \S+ postfix\/cleanup\[\d+\]: \w+: message-id=<([^>]+)>/.exec(
          line,
        );
        if (m?.[4].startsWith(`${tag}-`)) times.push(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]));
      }
      return times;
    };
    const slow = await arrivals("slow");
    for (let i = 1; i < slow.length; i++) assert.ok(slow[i] - slow[i - 1] >= 4, `gaps while throttled: ${slow}`);
    await stack.refresh();
    const out = stack.resource("feedback")?.outputs.active as { action: string }[];
    assert.deepEqual(
      out.map((a) => a.action),
      ["throttle"],
    );
    const until = Number(hostShell("shsend", "cut -f4 /var/db/smartos-mail/feedback/actions").stdout) * 1000;
    await sleep(Math.max(0, until - Date.now()) + 1500);
    watch();
    assert.deepEqual(mapEntries(), []);
    const fast = await arrivals("fast");
    // Four deliveries at the throttle's pace take at least 12 s; without it they are not held to it.
    assert.ok(fast[3] - fast[0] < 12, `after the throttle: ${fast}`);
  });

  it("a 550 5.1.1 suppresses the address; 4xx and 5.7.1 do not; the allowlist clears it", async () => {
    answers({ [`gone@${RECV}`]: GMAIL_NO_SUCH_USER, [`policy@${RECV}`]: POLICY, [`later@${RECV}`]: LATER });
    send(`gone@${RECV}`, "gone-1");
    send(`policy@${RECV}`, "policy-1");
    send(`later@${RECV}`, "later-1");
    await senderLogged(/to=<gone@shaping\.smtb>.*dsn=5\.1\.1, status=bounced \(host mx\.shaping\.smtb/);
    await senderLogged(/to=<policy@shaping\.smtb>.*dsn=5\.7\.1, status=bounced/);
    await senderLogged(/to=<later@shaping\.smtb>.*dsn=4\.2\.0, status=deferred/);
    watch();
    assert.deepEqual(
      mapEntries().map((e) => e.replace(/\(bounced \d{4}-\d\d-\d\d\)$/, "(bounced DATE)")),
      [`gone@${RECV}\terror:5.1.1 suppressed by smartos-mail (bounced DATE)`],
    );
    const rejects = () =>
      (hostShell("shrecv", "cat /var/log/postfix.log").stdout.match(/reject: RCPT from .*<gone@shaping\.smtb>/g) ?? [])
        .length;
    assert.equal(rejects(), 1);
    send(`gone@${RECV}`, "gone-2");
    await senderLogged(/to=<gone@shaping\.smtb>, relay=none, .*status=bounced \(suppressed by smartos-mail/);
    assert.equal(rejects(), 1, "the receiver saw no second RCPT for the address");
    await stack.refresh();
    assert.equal(stack.resource("feedback")?.outputs.suppressedCount, 1);
    const listed = smartosMail("suppressions", "--json");
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { suppressed: { address: string; status: string }[] }).suppressed.map((e) => [
        e.address,
        e.status,
      ]),
      [[`gone@${RECV}`, "5.1.1"]],
    );
    const notListed = smartosMail("suppressions", "--remove", `policy@${RECV}`);
    assert.equal(notListed.code, 1);
    assert.match(notListed.stderr, /^error: policy@shaping\.smtb is not suppressed on /);
    const removed = smartosMail("suppressions", "--remove", `Gone@${RECV}`);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(removed.stdout, "No address is suppressed.\n");
    assert.deepEqual(mapEntries(), [], "the CLI's removal rewrote the map");
    // Bounced by the receiver again, suppressed again: then the allowlist clears it.
    send(`gone@${RECV}`, "gone-3");
    await senderLogged(/to=<gone@shaping\.smtb>.*dsn=5\.1\.1, status=bounced \(host mx\.shaping\.smtb/, 2);
    watch();
    assert.equal(mapEntries().length, 1);

    const steps = await stack.up(program({ suppression: { allowlist: [`gone@${RECV}`] } }));
    assert.equal(steps.find((s) => s.name === "feedback")?.op, "update");
    assert.deepEqual(mapEntries(), []);
    assert.equal(stack.resource("feedback")?.outputs.suppressedCount, 0);
  });

  it("a hand edit of the watcher shows on refresh and the next up puts it back", async () => {
    hostShell("shsend", `echo '# edited' >>${WATCH}; crontab -r`);
    const refreshed = await stack.refresh();
    assert.deepEqual(
      refreshed.filter((s) => s.drift).map((s) => s.name),
      ["feedback"],
    );
    const steps = await stack.up(program({ suppression: { allowlist: [`gone@${RECV}`] } }));
    assert.equal(steps.find((s) => s.name === "feedback")?.op, "update");
    assert.doesNotMatch(hostShell("shsend", `cat ${WATCH}`).stdout, /# edited/);
    assert.match(hostShell("shsend", "crontab -l").stdout, /watch\.sh' run/);
  });

  it("destroy: postconf -n, master.cf, the crontab and the files are as before", async () => {
    await stack.destroy();
    assert.deepEqual(snapshot(), baseline);
  });
});
