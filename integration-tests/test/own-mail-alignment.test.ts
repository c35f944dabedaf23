import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { SendOnlyMailServer } from "@smartos-mail/pulumi";
import { zoneIdOf, zonesOf } from "../harness/cloudflare-zones";
import { connectionTo, freshStack, suiteHost } from "../harness/fixtures";
import { hostScript, hostShell, withoutSsh } from "../harness/testbed";
import { zoneHead } from "../harness/zones";

// Issue 26: the mail the host sends itself (root's and cron's through the aliases, the daily MailLogReport)
// reaches the root alias and passes SPF, DKIM and DMARC at a real receiving MX, on a Debian host whose
// /etc/mailname (Debian's myorigin) is not the mail host name.
const SENDER = "omail.smtb";
const RECEIVER = "omrx.smtb";
const HOSTNAME = `mx.${SENDER}`;
const ZONE = zoneIdOf(SENDER);
const ZONES = "/srv/smartos-mail-testbed/om-zones";
const HOSTS = { dns: "omdns", sender: "omsend", receiver: "omrecv" } as const;
const REPORT_SUBJECT = "Postfix log summary (today)";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The headers of the message with `subject` in the receiver's mailbox, unfolded, waiting up to 30 s. */
async function receivedHeaders(subject: string): Promise<string | undefined> {
  for (let i = 0; i < 60; i++) {
    const box = hostShell(HOSTS.receiver, "cat /var/mail/root 2>/dev/null").stdout;
    const message = box.split(/^From /m).find((m) => m.includes(`\nSubject: ${subject}\n`));
    if (message) return message.split(/\n\n/)[0].replace(/\n[ \t]+/g, " ");
    await sleep(500);
  }
  return undefined;
}

/** The sender's Postfix log: what to read when a message did not arrive. */
const senderLog = () => hostShell(HOSTS.sender, "tail -n 20 /var/log/postfix.log").stdout;

describe("the mail the host sends itself reaches the root alias aligned: spf=pass dkim=pass dmarc=pass", () => {
  const dns = suiteHost(HOSTS.dns, 158);
  const sender = suiteHost(HOSTS.sender, 159);
  const receiver = suiteHost(HOSTS.receiver, 160);
  const stack = freshStack("own-mail-alignment");
  const program = () =>
    new SendOnlyMailServer("mail", {
      connection: connectionTo(sender()),
      profile: "linux",
      hostname: HOSTNAME,
      publicIpv4: [sender().host],
      rootAlias: `ops@${RECEIVER}`,
      domains: [{ domain: SENDER, cloudflareZoneId: ZONE, dmarc: { p: "reject", rua: [`mailto:dmarc@${SENDER}`] } }],
      logReport: { reportTo: "root", day: "today" },
    });

  before(() => {
    for (const name of [HOSTS.sender, HOSTS.receiver]) {
      const r = hostScript(name, "use-resolver.sh", [dns().host]);
      assert.equal(r.code, 0, r.stderr);
    }
    stack.seedCloudflare(zonesOf(SENDER));
  });

  it("the sender is a Debian host whose mailname is not the mail host name (Debian's myorigin = /etc/mailname)", () => {
    assert.equal(hostShell(HOSTS.sender, "postconf -h myorigin").stdout.trim(), "/etc/mailname");
    assert.equal(hostShell(HOSTS.sender, "cat /etc/mailname").stdout.trim(), `${HOSTS.sender}.testbed.invalid`);
  });

  it("up configures the server and publishes its records; a second up changes nothing and logs in nowhere", async () => {
    const steps = await stack.up(program);
    assert.ok(
      steps.every((s) => s.op === "create"),
      steps.map((s) => `${s.op} ${s.name}`).join("\n"),
    );
    const again = await withoutSsh([HOSTS.sender], () => stack.up(program));
    assert.deepEqual(
      again.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.name}`),
      [],
    );
    rmSync(ZONES, { recursive: true, force: true });
    mkdirSync(ZONES, { recursive: true });
    writeFileSync(path.join(ZONES, `${SENDER}.zone`), zoneHead(SENDER, dns().host, 1) + stack.cloudflareZoneFile(ZONE));
    writeFileSync(
      path.join(ZONES, `${RECEIVER}.zone`),
      `${zoneHead(RECEIVER, dns().host, 1)}${RECEIVER}. IN MX 10 mx.${RECEIVER}.\nmx.${RECEIVER}. IN A ${receiver().host}\n`,
    );
    const served = hostScript(HOSTS.dns, "dns-server.sh", [ZONES]);
    assert.equal(served.code, 0, served.stderr);
    const verifying = hostScript(HOSTS.receiver, "receiver.sh", [RECEIVER, dns().host]);
    assert.equal(verifying.code, 0, verifying.stderr);
  });

  it("root's mail, as cron sends it (sendmail root, an unqualified From), arrives through the root alias aligned", async () => {
    const sent = hostShell(
      HOSTS.sender,
      "printf 'From: root (Cron Daemon)\\nTo: root\\nSubject: Cron <root@omsend> nightly\\n\\nThe nightly job ran.\\n' | sendmail -i -FCronDaemon -oem root",
    );
    assert.equal(sent.code, 0, sent.stderr);
    const headers = await receivedHeaders("Cron <root@omsend> nightly");
    assert.ok(headers, `nothing arrived at the receiver in 30 s; the sender's log:\n${senderLog()}`);
    assert.match(headers, new RegExp(`^Delivered-To: root@${HOSTNAME.replaceAll(".", "\\.")}$`, "m"), "the root alias");
    assert.match(headers, new RegExp(`^From: root@${HOSTNAME.replaceAll(".", "\\.")} \\(Cron Daemon\\)$`, "m"));
    const results = headers.split("\n").filter((l) => l.startsWith("Authentication-Results:"));
    for (const verdict of ["spf=pass", "dkim=pass", "dmarc=pass"]) {
      assert.ok(results.join("\n").includes(verdict), `${verdict}:\n${results.join("\n")}`);
    }
  });

  it("the daily MailLogReport (sendmail without -f) arrives through the root alias aligned", async () => {
    const line =
      hostShell(HOSTS.sender, "crontab -l")
        .stdout.split("\n")
        .find((l) => l.includes("pflogsumm")) ?? "";
    assert.ok(line, "the report's crontab line");
    const r = hostShell(HOSTS.sender, line.split(" ").slice(5).join(" "));
    assert.equal(r.code, 0, r.stderr);
    const headers = await receivedHeaders(REPORT_SUBJECT);
    assert.ok(headers, `the report did not arrive in 30 s; the sender's log:\n${senderLog()}`);
    assert.match(headers, new RegExp(`^Delivered-To: root@${HOSTNAME.replaceAll(".", "\\.")}$`, "m"), "the root alias");
    const results = headers.split("\n").filter((l) => l.startsWith("Authentication-Results:"));
    for (const verdict of ["spf=pass", "dkim=pass", "dmarc=pass"]) {
      assert.ok(results.join("\n").includes(verdict), `${verdict}:\n${results.join("\n")}`);
    }
  });

  it("destroy puts the host's origin and destinations back", async () => {
    await stack.destroy();
    assert.equal(hostShell(HOSTS.sender, "postconf -h myorigin").stdout.trim(), "/etc/mailname");
    assert.equal(hostShell(HOSTS.sender, "postconf -h mydestination").stdout.trim(), "$myhostname, localhost");
  });
});
