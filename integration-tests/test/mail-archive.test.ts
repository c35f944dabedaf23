import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { MailArchive, type MailArchiveArgs } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, suiteHost } from "../harness/fixtures";
import { sendBatch } from "../harness/smtp-batch";
import { hostShell, sshCommands, withoutSsh } from "../harness/testbed";

const HOST = "archive";
const DIR = "/var/mail/archive";
const SCRIPT = "/root/scripts/mail_rotate.sh";
const CRON_LINE = `0 0 * * * ${SCRIPT}`;
const FOREIGN_CRON = "17 3 * * * /usr/local/bin/someone-elses-job";
const MESSAGES = 2000;
/** SmartOS's /bin/sh is ksh93; Debian's is dash; posh is strictly POSIX. */
const SHELLS = ["dash", "posh", "ksh93"];

/** Runs a command in a host and fails the test with its stderr if it exits non-zero. */
function on(host: string, command: string): string {
  const r = hostShell(host, command);
  assert.equal(r.code, 0, `${command}\n${r.stderr}`);
  return r.stdout;
}

const onHost = (command: string) => on(HOST, command);

/** `date` plus `days` (may be negative), as YYYY-MM-DD. */
function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The archive's files below DIR (year directories and what is in them), sorted. */
function archiveFiles(): string[] {
  return onHost(`cd ${DIR} && find . -mindepth 1 | sed 's|^\\./||' | sort`).split("\n").filter(Boolean);
}

/** Submits messages numbered `first` to `last` to root@localhost, one sendmail each. */
function submit(host: string, sendmail: string, first: number, last: number): void {
  on(
    host,
    `i=${first}
while [ "$i" -le ${last} ]; do
  printf 'From: sender@archive.testbed.invalid\\nTo: root@localhost\\nSubject: archive test %s\\nMessage-ID: <archive-test-%s@archive.testbed.invalid>\\n\\ntoken archive-test-%s\\n' "$i" "$i" "$i" |
    ${sendmail} -f sender@archive.testbed.invalid root@localhost || exit 1
  i=$((i + 1))
done`,
  );
}

/**
 * Checks that messages 1..`count` are each found exactly once, whole (its
 * Message-ID and its last line in the same file), across the decompressed
 * archives and the live mbox, and that nothing is left uncompressed; returns
 * the files they were found in.
 */
function assertArchivedOnce(host: string, count: number): Set<string> {
  assert.equal(on(host, `find ${DIR} -type f -name '*-*-*' ! -name '*.xz'`), "", "every archive is compressed");
  const found = on(
    host,
    `cd ${DIR}
for f in [0-9][0-9][0-9][0-9]/*.xz current; do
  [ -f "$f" ] || continue
  if [ "$f" = current ]; then cat "$f"; else xz -dc "$f"; fi |
    sed -n -e "s|^Message-ID: <archive-test-\\([0-9]*\\)@.*|\\1 $f head|p" -e "s|^token archive-test-\\([0-9]*\\)$|\\1 $f tail|p"
done`,
  )
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(" "));
  const seen = new Map<number, string[]>();
  for (const [n, f, part] of found) seen.set(Number(n), [...(seen.get(Number(n)) ?? []), `${f} ${part}`]);
  const wrong = [...Array(count).keys()]
    .map((i) => i + 1)
    .filter((i) => {
      const parts = seen.get(i) ?? [];
      return parts.length !== 2 || parts[0] !== parts[1].replace(/ tail$/, " head");
    })
    .map((i) => `${i}: ${(seen.get(i) ?? []).join(", ") || "missing"}`);
  assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} messages not archived exactly once, whole`);
  assert.equal(seen.size, count, "no other test message");
  return new Set(found.map(([, f]) => f));
}

describe("MailArchive on a real Postfix host", () => {
  const host = suiteHost(HOST, 30);
  const stack = freshStack("mail-archive");
  let args: MailArchiveArgs;
  const program = () => [new MailArchive("archive", args)];
  let baseline: { postconf: string; aliases: string; crontab: string };

  before(() => {
    onHost(`printf '%s\\n' '${FOREIGN_CRON}' | crontab -`);
    baseline = {
      postconf: onHost("postconf -n"),
      aliases: onHost("cat /etc/aliases"),
      crontab: onHost("crontab -l"),
    };
    args = { connection: connectionTo(host()), profile: "linux", retentionDays: 30 };
  });

  it("refuses an archive address Postfix would send elsewhere, changing nothing", async () => {
    await assert.rejects(
      stack.up(() => [new MailArchive("archive", { ...args, address: "mailarchive@elsewhere.example.com" })]),
      /mailarchive@elsewhere\.example\.com is not delivered on this host: elsewhere\.example\.com is not in mydestination/,
    );
    assert.equal(onHost("postconf -n"), baseline.postconf);
    assert.equal(onHost(`[ -e ${SCRIPT} ] || [ -e ${DIR} ] || echo none`), "none\n");
    assert.equal(stack.resource("archive"), undefined);
  });

  it("create: always_bcc, the alias to the mbox, the guide's owner and modes, script and cron entry, in one command", async () => {
    const commands = sshCommands(HOST).length;
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["create"],
    );
    assert.equal(sshCommands(HOST).length, commands + 1);
    assert.ok(onHost("postconf -n").split("\n").includes("always_bcc = mailarchive@localhost"));
    assert.match(onHost("cat /etc/aliases"), /^mailarchive: \/var\/mail\/archive\/current$/m);
    assert.equal(onHost("postalias -q mailarchive hash:/etc/aliases"), `${DIR}/current\n`);
    assert.equal(onHost(`stat -c '%a %U' ${DIR} ${SCRIPT}`), "700 nobody\n700 root\n");
    const script = onHost(`cat ${SCRIPT}`);
    assert.match(script, /^DAYS='30'$/m);
    assert.match(script, /^HOLD='\/var\/mail\/archive\/hold'$/m);
    assert.equal(
      onHost("crontab -l"),
      `${FOREIGN_CRON}\n# BEGIN mail-archive (managed by smartos-mail)\n${CRON_LINE}\n# END mail-archive\n`,
    );
  });

  it("second up: no diff, no SSH login, no remote command", async () => {
    const steps = await withoutSsh([HOST], () => stack.up(program));
    assert.deepEqual(
      steps.map((s) => [s.op, s.diff?.changes]),
      [["same", "none"]],
    );
  });

  it("rotation and Postfix's local(8) exclude each other through the dotlock current.lock", async () => {
    // local(8) holds the lock (made as its dot_lockfile does): the rotation waits, moving nothing.
    onHost(`printf 'From a@b Thu Jan  1 00:00:00 2026\\n\\nheld\\n' >${DIR}/current && (umask 077 && : >${DIR}/current.lock)
nohup sh -c '${SHELLS[2]} ${SCRIPT}; echo $? >/tmp/lockwait.rc' >/tmp/lockwait.log 2>&1 &`);
    await sleep(1500);
    assert.equal(
      onHost(`cat ${DIR}/current; [ -e /tmp/lockwait.rc ] || echo waiting`),
      "From a@b Thu Jan  1 00:00:00 2026\n\nheld\nwaiting\n",
    );
    onHost(`rm ${DIR}/current.lock`);
    for (let i = 0; i < 50 && hostShell(HOST, "[ -e /tmp/lockwait.rc ]").code !== 0; i++) await sleep(200);
    assert.equal(onHost(`cat /tmp/lockwait.rc /tmp/lockwait.log; ls ${DIR}`).split("\n")[0], "0");
    assert.equal(onHost(`[ -e ${DIR}/current ] || [ -e ${DIR}/current.lock ] || echo moved`), "moved\n");

    // The rotation holds the lock (made as the script makes it, with ln): local(8) waits, appending nothing.
    onHost(`echo $$ >${DIR}/.held && ln ${DIR}/.held ${DIR}/current.lock && rm ${DIR}/.held
printf 'Subject: while locked\\n\\nlocked-token\\n' | sendmail root@localhost`);
    await sleep(3000);
    assert.equal(onHost(`[ -e ${DIR}/current ] || echo none`), "none\n", "nothing appended while locked");
    onHost(`rm ${DIR}/current.lock`);
    for (let i = 0; i < 100 && hostShell(HOST, `grep -q locked-token ${DIR}/current`).code !== 0; i++) {
      await sleep(200);
    }
    assert.equal(onHost(`grep -c locked-token ${DIR}/current`), "1\n", "delivered once the lock is gone");
  });

  it(`archives each of ${MESSAGES} messages exactly once while rotation runs every 0.5 s under dash, posh and ksh93`, async (t) => {
    // The rotation loop runs in the host's background, each round in the next
    // shell. Once everything was submitted and the queue is empty it rotates a
    // last time, so every message ends up in a compressed archive, and stops;
    // it also stops on a stop file or after 600 rounds.
    onHost(`rm -f /tmp/rotation.*
nohup sh -c 'n=0
while [ "$n" -lt 600 ] && [ ! -e /tmp/rotation.stop ]; do
  last=
  if [ -e /tmp/rotation.submitted ] && postqueue -p | grep -q "^Mail queue is empty"; then last=1; fi
  s=$(echo "${SHELLS.join(" ")}" | cut -d " " -f $((n % ${SHELLS.length} + 1)))
  "$s" ${SCRIPT} >>/tmp/rotation.log 2>&1 || echo "FAIL $s exit $?" >>/tmp/rotation.log
  echo "$s" >>/tmp/rotation.runs
  [ -z "$last" ] || break
  sleep 0.5
  n=$((n + 1))
done
touch /tmp/rotation.done' >/dev/null 2>&1 &`);
    const rotationDone = () => hostShell(HOST, "[ -e /tmp/rotation.done ]").code === 0;
    const messages = [...Array(MESSAGES).keys()].map((i) => ({
      from: "sender@archive.testbed.invalid",
      to: "root@localhost",
      text: `From: sender@archive.testbed.invalid\nTo: root@localhost\nSubject: archive test ${i + 1}\nMessage-ID: <archive-test-${i + 1}@archive.testbed.invalid>\n\ntoken archive-test-${i + 1}\n`,
    }));
    const rotations = () => Number(onHost("cat /tmp/rotation.runs 2>/dev/null | wc -l").trim());
    try {
      // In sessions of 100, each after the rotation ran again: the deliveries
      // span many rotations however fast this machine submits.
      for (let first = 0; first < MESSAGES; first += 100) {
        const before = rotations();
        await sendBatch(host().host, 25, messages.slice(first, first + 100));
        for (let i = 0; i < 40 && rotations() === before; i++) await sleep(250);
      }
      onHost("touch /tmp/rotation.submitted");
      const deadline = Date.now() + 120_000;
      while (!rotationDone()) {
        assert.ok(Date.now() < deadline, `the queue did not empty in 120 s:\n${onHost("postqueue -p | tail -n 5")}`);
        await sleep(1000);
      }
    } finally {
      // Whatever failed, the loop must not rotate behind the next tests' backs.
      hostShell(HOST, "touch /tmp/rotation.stop");
      for (let i = 0; i < 100 && !rotationDone(); i++) await sleep(200);
    }
    assert.equal(onHost("cat /tmp/rotation.log 2>/dev/null || true"), "", "every rotation exited 0, silently");
    const runs = onHost("cat /tmp/rotation.runs").split("\n").filter(Boolean);
    for (const s of SHELLS) assert.ok(runs.filter((r) => r === s).length >= 3, `${s} ran the rotation: ${runs.length}`);
    assert.equal(onHost(`[ -e ${DIR}/current ] || echo rotated`), "rotated\n", "the last rotation took the mbox");
    const files = assertArchivedOnce(HOST, MESSAGES);
    t.diagnostic(`${runs.length} rotations; the messages were found in ${files.size} archives`);
    assert.ok(files.size >= 15, `messages spread over many rotations: ${[...files].join(" ")}`);
  });

  it("names archives by yesterday's date with shell arithmetic (leap days, year ends) in every shell", () => {
    onHost(`touch ${DIR}/hold`);
    const made: string[] = [];
    for (const s of SHELLS) {
      for (const today of ["2024-03-01", "2026-01-01", "2100-03-01"]) {
        const before = new Set(archiveFiles());
        onHost(`printf 'From a@b Thu Jan  1 00:00:00 2026\\n\\nx\\n' >${DIR}/current && ${s} ${SCRIPT} ${today}`);
        made.push(...archiveFiles().filter((f) => !before.has(f) && f.includes("/")));
      }
    }
    assert.deepEqual(made, [
      "2024/2024-02-29.xz",
      "2025/2025-12-31.xz",
      "2100/2100-02-28.xz",
      "2024/2024-02-29.0.xz",
      "2025/2025-12-31.0.xz",
      "2100/2100-02-28.0.xz",
      "2024/2024-02-29.1.xz",
      "2025/2025-12-31.1.xz",
      "2100/2100-02-28.1.xz",
    ]);
    onHost(
      `cd ${DIR} && rm -f hold ${made.join(" ")} && for y in 2024 2025 2100; do rmdir "$y" 2>/dev/null || :; done`,
    );
  });

  it("retention deletes only archives dated more than 30 days ago, by name, and nothing under legal hold", () => {
    const today = onHost("date +%Y-%m-%d").trim();
    const name = (days: number) => {
      const d = shiftDate(today, -days);
      return `${d.slice(0, 4)}/${d}`;
    };
    // The file dated 5 days ago gets an old mtime: age is read from the name, never the mtime.
    const kept = [`${name(30)}.xz`, `${name(5)}.xz`, `${name(2)}.7.xz`, "2019/notes.txt"];
    const expired = [`${name(31)}.xz`, `${name(400)}.1.xz`, "2019/2019-05-01.xz", "2018/2018-01-01.xz"];
    const all = [...kept, ...expired];
    for (const s of SHELLS) {
      onHost(`cd ${DIR} && for f in ${all.join(" ")}; do mkdir -p "\${f%/*}" && printf 'x\\n' >"$f"; done
touch -d '2000-01-01' ${name(5)}.xz
touch hold`);
      const fixtures = archiveFiles();
      for (const f of all) assert.ok(fixtures.includes(f), f);
      onHost(`${s} ${SCRIPT}`);
      assert.deepEqual(archiveFiles(), fixtures, `${s}: with the hold file nothing is removed`);
      onHost(`rm ${DIR}/hold && ${s} ${SCRIPT}`);
      const left = archiveFiles();
      for (const f of kept) assert.ok(left.includes(f), `${s} kept ${f}: ${left.join(" ")}`);
      for (const f of expired) assert.ok(!left.includes(f), `${s} removed ${f}`);
      assert.ok(!left.includes("2018"), `${s} removed the emptied year directory`);
      onHost(`cd ${DIR} && rm -f ${kept.join(" ")}`);
    }
  });

  it("a removed cron entry shows as drift on refresh, and the next up puts it back beside the other entry", async () => {
    onHost(`printf '%s\\n' '${FOREIGN_CRON}' | crontab -`);
    assert.deepEqual(
      (await stack.refresh()).map((s) => [s.op, s.drift]),
      [["refresh", true]],
    );
    assert.equal((stack.resource("archive")!.outputs as { applied: { cron: string | null } }).applied.cron, null);
    const script = onHost(`ls -i ${SCRIPT}`);
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["update"],
    );
    assert.match(onHost("crontab -l"), new RegExp(`^${FOREIGN_CRON.replaceAll("*", "\\*")}\n# BEGIN mail-archive`));
    assert.equal(onHost(`ls -i ${SCRIPT}`), script, "only the cron entry was written again");
  });

  it("switching to a remote archive points always_bcc there and removes the local alias, cron entry and script", async () => {
    const archived = archiveFiles();
    args = { connection: args.connection, profile: "linux", remoteAddress: "archive@plier.example.com" };
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["update"],
    );
    assert.ok(onHost("postconf -n").split("\n").includes("always_bcc = archive@plier.example.com"));
    assert.equal(onHost("cat /etc/aliases"), baseline.aliases);
    assert.equal(onHost("crontab -l"), baseline.crontab);
    assert.equal(onHost(`[ -e ${SCRIPT} ] || echo gone`), "gone\n");
    assert.deepEqual(archiveFiles(), archived, "archived mail is kept");
  });

  it("destroy restores postconf -n, the aliases and the crontab, and keeps the archived mail", async () => {
    const archived = archiveFiles();
    assert.ok(archived.some((f) => f.endsWith(".xz")));
    assert.deepEqual(
      (await stack.destroy()).map((s) => s.op),
      ["delete"],
    );
    assert.equal(onHost("postconf -n"), baseline.postconf);
    assert.equal(onHost("cat /etc/aliases"), baseline.aliases);
    assert.equal(onHost("crontab -l"), baseline.crontab);
    assert.deepEqual(archiveFiles(), archived);
    assert.equal(onHost("postfix check 2>&1; postfix status >/dev/null 2>&1; echo $?"), "0\n");
  });
});

describe("MailArchive with profile smartos on a SmartOS-personality host (pkgsrc Postfix, SMF)", () => {
  const SMARTOS = "arsmart";
  const SBIN = "/opt/local/sbin";
  /** The guide's mail dataset, as ZoneDatasets lays it out in a zone: the archive's dataset goes below it. */
  const MAIL_DATASET = "zones/00000000-0000-4000-8000-00000000a7c1/data/mail";
  const GIB = 1024 ** 3;
  const host = suiteHost(SMARTOS, 31, "smartos");
  const stack = freshStack("mail-archive-smartos");
  let args: MailArchiveArgs;
  const program = () => [new MailArchive("archive", args)];
  let baseline: { postconf: string; aliases: string; crontab: string };

  before(() => {
    on(
      SMARTOS,
      `rmdir '/var/mail/:saved' && zfs create -p -o mountpoint=/var/mail ${MAIL_DATASET} && chown root:mail /var/mail && chmod 2775 /var/mail
printf '%s\\n' '${FOREIGN_CRON}' | crontab -`,
    );
    baseline = {
      postconf: on(SMARTOS, `${SBIN}/postconf -n`),
      aliases: on(SMARTOS, "cat /etc/mail/aliases"),
      crontab: on(SMARTOS, "crontab -l"),
    };
    args = { connection: connectionTo(host()), profile: "smartos", quotaGiB: 1 };
  });

  /** The archive dataset's quota (bytes) and mountpoint. */
  const archiveDataset = () => on(SMARTOS, `zfs get -Hp -o value quota,mountpoint ${MAIL_DATASET}/archive`);

  it("create: the archive's own dataset with its quota, the guide's archive in the pkgsrc aliases, the script with the pkgsrc PATH, and a second up runs nothing", async () => {
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["create"],
    );
    assert.ok(on(SMARTOS, `${SBIN}/postconf -n`).split("\n").includes("always_bcc = mailarchive@localhost"));
    assert.equal(on(SMARTOS, `${SBIN}/postalias -q mailarchive hash:/etc/mail/aliases`), `${DIR}/current\n`);
    assert.equal(archiveDataset(), `${GIB}\n${DIR}\n`);
    assert.equal(on(SMARTOS, `stat -c '%a %U' ${DIR} ${SCRIPT}`), "700 nobody\n700 root\n");
    const script = on(SMARTOS, `cat ${SCRIPT}`);
    assert.match(script, /^PATH='\/opt\/local\/sbin:\/opt\/local\/bin:\/usr\/sbin:\/usr\/bin:\/sbin:\/bin'$/m);
    assert.match(script, /^DAYS='1096'$/m);
    assert.match(on(SMARTOS, "crontab -l"), new RegExp(`\n${CRON_LINE.replaceAll("*", "\\*")}\n# END mail-archive\n$`));
    assert.deepEqual(
      (await withoutSsh([SMARTOS], () => stack.up(program))).map((s) => s.op),
      ["same"],
    );
  });

  it("a quota changed by hand shows as drift on refresh; a new quotaGiB is set in one command that leaves the rest alone", async () => {
    on(SMARTOS, `zfs set quota=3G ${MAIL_DATASET}/archive`);
    assert.deepEqual(
      (await stack.refresh()).map((s) => [s.op, s.drift]),
      [["refresh", true]],
    );
    const script = on(SMARTOS, `ls -i ${SCRIPT}`);
    const commands = sshCommands(SMARTOS).length;
    args = { ...args, quotaGiB: 2 };
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["update"],
    );
    assert.equal(sshCommands(SMARTOS).length, commands + 1);
    assert.equal(archiveDataset(), `${2 * GIB}\n${DIR}\n`);
    assert.equal(on(SMARTOS, `ls -i ${SCRIPT}`), script, "the script was not written again");
  });

  it("messages through the pkgsrc Postfix are archived once each while ksh93 rotates between batches", async () => {
    for (let first = 1; first <= 60; first += 20) {
      submit(SMARTOS, `${SBIN}/sendmail`, first, first + 19);
      on(SMARTOS, `ksh93 ${SCRIPT}`);
    }
    for (let i = 0; i < 150 && !on(SMARTOS, `${SBIN}/postqueue -p`).startsWith("Mail queue is empty"); i++) {
      await sleep(200);
    }
    on(SMARTOS, `ksh93 ${SCRIPT}`);
    assertArchivedOnce(SMARTOS, 60);
  });

  it("destroy restores postconf -n, the pkgsrc aliases and the crontab, removes the script, and keeps the archived mail on its dataset", async () => {
    const archived = on(SMARTOS, `ls -R ${DIR}`);
    assert.deepEqual(
      (await stack.destroy()).map((s) => s.op),
      ["delete"],
    );
    assert.equal(on(SMARTOS, `${SBIN}/postconf -n`), baseline.postconf);
    assert.equal(on(SMARTOS, "cat /etc/mail/aliases"), baseline.aliases);
    assert.equal(on(SMARTOS, "crontab -l"), baseline.crontab);
    assert.equal(on(SMARTOS, `[ -e ${SCRIPT} ] || echo gone`), "gone\n");
    assert.equal(on(SMARTOS, `ls -R ${DIR}`), archived);
    assert.equal(archiveDataset(), `${2 * GIB}\n${DIR}\n`);
  });
});
