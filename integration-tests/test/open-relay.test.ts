import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { PostfixConfig, type PostfixConfigArgs } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, suiteHost } from "../harness/fixtures";
import { CheckFailedError, type PulumiStack } from "../harness/pulumi-stack";
import { sendMessage } from "../harness/smtp";
import { hostScript, hostShell, sshLogins } from "../harness/testbed";

/** The built command, run the way a user runs it. It runs here, at the bridge's 198.18.0.1: outside every mynetworks below. */
const CLI = path.resolve(__dirname, "..", "..", "..", "packages", "cli", "dist", "main.js");

function checkRelay(host: string, to: string): { code: number; stdout: string } {
  const r = spawnSync(process.execPath, [CLI, "check", "--relay", host, "--to", to, "--timeout", "20"], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: `${r.stdout}${r.stderr}` };
}

/** The domain the target host receives for; every relay attempt aims there. */
const TARGET_DOMAIN = "relay-target.smtb";
/**
 * The relay check many admins write: strangers get a permanent 554. Postfix's default (Debian's main.cf
 * too) ends with defer_unauth_destination, a 454 that keeps a misconfiguration from bouncing mail.
 */
const REJECT_STRANGERS = {
  parameters: { smtpd_relay_restrictions: "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination" },
};

describe("never an open relay: refused at preview, refused on the wire, drift on refresh", () => {
  const sendOnly = suiteHost("orsend", 93);
  const relay = suiteHost("orrelay", 94);
  const inside = suiteHost("orin", 95);
  const outside = suiteHost("orout", 96);
  const target = suiteHost("ortarget", 97);
  let stack: PulumiStack;
  let output = "";

  /** The send-only shape SendOnlyMailServer gives PostfixConfig, and the guide's relay for one network. */
  const sendOnlyArgs = (): PostfixConfigArgs => ({
    connection: connectionTo(sendOnly()),
    profile: "linux",
    myhostname: "orsend.relay.smtb",
    mynetworks: ["$myhostname", "127.0.0.0/8", "[::1]/128"],
    inetInterfaces: ["loopback-only"],
  });
  const relayArgs = (extra: Partial<PostfixConfigArgs> = {}): PostfixConfigArgs => ({
    connection: connectionTo(relay()),
    profile: "linux",
    myhostname: "orrelay.relay.smtb",
    mynetworks: ["$myhostname", "127.0.0.0/8", "[::1]/128", `${inside().host}/32`],
    inetInterfaces: ["all"],
    // Everything leaves through the target host, so what the relay accepts reaches it.
    relayhost: { host: target().host, port: 25 },
    ...extra,
  });
  const program =
    (extra: Partial<PostfixConfigArgs> = {}) =>
    () => [new PostfixConfig("send-only", sendOnlyArgs()), new PostfixConfig("relay", relayArgs(extra))];
  const mailbox = () => hostShell("ortarget", "cat /var/mail/root 2>/dev/null").stdout;

  before(() => {
    const sink = hostScript("ortarget", "sink.sh", [`mx.${TARGET_DOMAIN}`, "notls", TARGET_DOMAIN]);
    assert.equal(sink.code, 0, sink.stderr);
    stack = freshStack("open-relay", { onOutput: (text) => (output += text) });
  });
  after(async () => {
    await stack?.destroy().catch(() => undefined);
  });

  it("preview refuses all interfaces with mynetworks 0.0.0.0/0, naming mynetworks; nothing runs on the host", async () => {
    const logins = sshLogins("orrelay");
    const err = await stack
      .preview(() => new PostfixConfig("relay", relayArgs({ mynetworks: ["127.0.0.0/8", "0.0.0.0/0"] })))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof CheckFailedError, `preview passed or failed otherwise: ${err}`);
    assert.deepEqual(
      err.failures.map((f) => f.property),
      ["mynetworks"],
    );
    assert.match(
      err.failures[0].reason,
      /0\.0\.0\.0\/0 covers every IPv4 address: any client on the internet may relay/,
    );
    assert.match(
      err.messages.join("\n"),
      /property mynetworks value .* has a problem: 0\.0\.0\.0\/0 covers every IPv4/,
    );
    assert.equal(sshLogins("orrelay"), logins, "preview logged in to the host");
  });

  it("pulumi up applies the send-only and the relay-for-a-network shapes; Postfix listens where they say", async () => {
    const steps = await stack.up(program(REJECT_STRANGERS));
    assert.deepEqual(steps.map((s) => [s.name, s.op]).sort(), [
      ["relay", "create"],
      ["send-only", "create"],
    ]);
    assert.equal(stack.resource("relay")?.outputs.openRelay, null);
    // inet_interfaces takes a restart, not a reload (postconf(5)): the send-only host listens on loopback only.
    const listening = hostShell("orsend", "ss -Hltn 'sport = :25'").stdout;
    assert.match(listening, /127\.0\.0\.1:25/);
    assert.doesNotMatch(listening, /0\.0\.0\.0:25|\*:25/);
  });

  it("from a third host, neither relays and nothing reaches the target; from inside mynetworks the relay host relays", async () => {
    const tag = `${Date.now()}`;
    /** A whole message from `client` through `server` to the target's domain, subject `subject`. */
    const attempt = (client: string, server: string, subject: string) =>
      sendMessage(
        client,
        `${server}:25`,
        `sender@${client}.smtb`,
        `victim@${TARGET_DOMAIN}`,
        `Subject: ${subject}\r\n\r\nrelayed?\r\n`,
      );
    const toSendOnly = attempt(outside().name, sendOnly().host, `outside-${tag}-a`);
    assert.doesNotMatch(toSendOnly, /^220 /m, "the send-only host answered SMTP on its public address");
    const toRelay = attempt(outside().name, relay().host, `outside-${tag}-b`);
    assert.match(toRelay, /^554 5\.7\.1 <victim@relay-target\.smtb>: Relay access denied$/m);
    const fromInside = attempt(inside().name, relay().host, `inside-${tag}`);
    assert.match(fromInside, /^250 2\.0\.0 Ok: queued as /m);
    const deadline = Date.now() + 60_000;
    while (!mailbox().includes(`inside-${tag}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    assert.match(mailbox(), new RegExp(`^Subject: inside-${tag}$`, "m"), "the trusted client's message arrived");
    assert.doesNotMatch(mailbox(), new RegExp(`outside-${tag}`), "an outside client's message reached the target");
  });

  it("smartos-mail check --relay: passes against the closed hosts, fails against a deliberate open relay", async () => {
    const closed = checkRelay(relay().host, `victim@${TARGET_DOMAIN}`);
    assert.equal(closed.code, 0, closed.stdout);
    assert.match(
      closed.stdout,
      /RELAY 198\.18\.0\.104:25\s+PASS\s+RCPT TO <victim@relay-target\.smtb> was refused \(554 5\.7\.1/,
    );
    const loopback = checkRelay(sendOnly().host, `victim@${TARGET_DOMAIN}`);
    assert.equal(loopback.code, 0, loopback.stdout);
    assert.match(loopback.stdout, /PASS\s+no SMTP session from this machine \(connect ECONNREFUSED/);

    const reason = "a lab relay on an isolated test network, for this test only";
    output = "";
    await stack.up(
      program({
        allowOpenRelay: true,
        openRelayReason: reason,
        mynetworks: ["$myhostname", "127.0.0.0/8", "0.0.0.0/0"],
      }),
    );
    assert.match(output, /DANGEROUS: PostfixConfig relay has allowOpenRelay: true/);
    assert.ok(output.includes(reason), "the warning gives the reason");
    assert.match(
      String(stack.resource("relay")?.outputs.openRelay),
      /^mynetworks: 0\.0\.0\.0\/0 covers every IPv4 address/,
    );
    const open = checkRelay(relay().host, `victim@${TARGET_DOMAIN}`);
    assert.equal(open.code, 2, open.stdout);
    assert.match(
      open.stdout,
      /FAIL\s+RCPT TO <victim@relay-target\.smtb> from <relay-probe@example\.com> was accepted/,
    );
    assert.match(open.stdout, /\(exit 2\)$/m);

    // Back to the host's own relay check: Debian's default defers strangers, which is no relaying either.
    await stack.up(program());
    const deferred = checkRelay(relay().host, `victim@${TARGET_DOMAIN}`);
    assert.equal(deferred.code, 0, deferred.stdout);
    assert.match(
      deferred.stdout,
      /PASS\s+RCPT TO <victim@relay-target\.smtb> was refused \(454 4\.7\.1 .*Relay access denied/,
    );
  });

  it("refresh reports an open relay made by hand; up refuses to go on while the host's own main.cf keeps it open", async () => {
    // Postfix takes this one (a plain permit first would stop its SMTP server from starting): an open relay.
    const edit = hostShell(
      "orrelay",
      "postconf -e 'smtpd_relay_restrictions=check_client_access static:OK, reject_unauth_destination' && postfix reload",
    );
    assert.equal(edit.code, 0, edit.stderr);
    assert.equal(checkRelay(relay().host, `victim@${TARGET_DOMAIN}`).code, 2, "the hand edit did not open the relay");
    const refreshed = await stack.refresh();
    assert.deepEqual(
      refreshed.filter((s) => s.drift).map((s) => s.name),
      ["relay"],
    );
    const openRelay = String(stack.resource("relay")?.outputs.openRelay);
    assert.match(
      openRelay,
      /^smtpd_relay_restrictions: "check_client_access static:OK" lets every client through before reject_unauth_destination: any client/,
    );

    const before = hostShell("orrelay", "postconf -n").stdout;
    const err = await stack.up(program()).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof Error, "up went on with an open relay");
    assert.match(err.message, /would relay mail for anyone, so nothing was changed/);
    assert.match(err.message, /smtpd_relay_restrictions: "check_client_access static:OK" lets every client through/);
    assert.equal(hostShell("orrelay", "postconf -n").stdout, before, "the refused up changed main.cf");

    assert.equal(hostShell("orrelay", "postconf -X smtpd_relay_restrictions && postfix reload").code, 0);
    await stack.refresh();
    assert.equal(stack.resource("relay")?.outputs.openRelay, null);
    const steps = await stack.up(program());
    assert.deepEqual(
      steps.filter((s) => s.op !== "same").map((s) => s.name),
      [],
    );
  });

  it("a hand edit of a managed value that opens the relay is repaired by the next up", async () => {
    assert.equal(hostShell("orrelay", "postconf -e 'mynetworks=0.0.0.0/0' && postfix reload").code, 0);
    await stack.refresh();
    assert.match(String(stack.resource("relay")?.outputs.openRelay), /^mynetworks: 0\.0\.0\.0\/0 covers every IPv4/);
    const steps = await stack.up(program());
    assert.deepEqual(
      steps.filter((s) => s.op !== "same").map((s) => [s.name, s.op]),
      [["relay", "update"]],
    );
    assert.equal(stack.resource("relay")?.outputs.openRelay, null);
    assert.match(hostShell("orrelay", "postconf -h mynetworks").stdout, new RegExp(`${inside().host}/32`));
    assert.equal(checkRelay(relay().host, `victim@${TARGET_DOMAIN}`).code, 0);
  });
});
