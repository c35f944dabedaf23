import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { before, describe, it } from "node:test";
import { type DnsAuthRecordsArgs, OpenDkimKey, PostfixConfig } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, OUTPUT_DIR, suiteHost } from "../harness/fixtures";
import { sendMessage } from "../harness/smtp";
import { hostScript, hostShell, withoutSsh } from "../harness/testbed";
import { receiverRecords, writeZones, zoneFilesOf } from "../harness/zones";

// Test domains under .smtb, a TLD that exists only in the testbed: libunbound
// (OpenDKIM's resolver) answers names under .test locally with NXDOMAIN.
const SENDER = "sender.smtb";
const OTHER = "other.smtb";
const RECEIVER = "receiver.smtb";
const REVERSE = "0.18.198.in-addr.arpa";
const ZONES = "/srv/smartos-mail-testbed/dkim-e2e-zones";

describe("DKIM, SPF and DMARC verified by a real receiving MTA", () => {
  const dns = suiteHost("dkdns", 4);
  const sender = suiteHost("dksend", 5);
  const receiver = suiteHost("dkrecv", 6);
  const stack = freshStack("dkim-dns-end-to-end");
  let baseline: string;
  let serial = 1;
  const keys = (s1Signing = true) => [
    new OpenDkimKey("sender-key", {
      connection: connectionTo(sender()),
      profile: "linux",
      domain: SENDER,
      selector: "s1",
      trustedHosts: ["198.18.0.0/24"],
      signing: s1Signing,
    }),
    new OpenDkimKey("other-key", {
      connection: connectionTo(sender()),
      profile: "linux",
      domain: OTHER,
      selector: "s2",
    }),
  ];
  const program = (s1Signing = true) => [
    new PostfixConfig("postfix", {
      connection: connectionTo(sender()),
      profile: "linux",
      myhostname: `mx.${SENDER}`,
      mydomain: SENDER,
      myorigin: "$mydomain",
      mynetworks: ["127.0.0.0/8", "[::1]/128"],
      inetInterfaces: ["all"],
    }),
    ...keys(s1Signing),
  ];

  /** Publishes the zones: DnsAuthRecords' zone-file output plus SOA/NS, served by nsd behind unbound. */
  async function publish(extra: { sender?: DnsAuthRecordsArgs["dkim"]; s1Until?: string } = {}): Promise<void> {
    const mine = await zoneFilesOf({
      domain: SENDER,
      zoneId: "cloudflare-zone-sender",
      mailHost: { name: `mx.${SENDER}`, ipv4: [sender().host] },
      dkim: [{ selector: "s1", value: recordOf("sender-key"), publishUntil: extra.s1Until }, ...(extra.sender ?? [])],
      dmarc: { p: "reject", rua: [`mailto:postmaster@${SENDER}`] },
      ptrZone: REVERSE,
      ptrZoneId: "cloudflare-zone-reverse",
    });
    const other = await zoneFilesOf({
      domain: OTHER,
      zoneId: "cloudflare-zone-other",
      spf: { mechanisms: [{ type: "ip4", value: sender().host }, { type: "all" }] },
      dkim: [{ selector: "s2", value: recordOf("other-key") }],
    });
    serial += 1;
    writeZones(ZONES, dns().host, serial, {
      [SENDER]: mine.zone,
      [OTHER]: other.zone,
      [REVERSE]: mine.reverse,
      [RECEIVER]: receiverRecords(RECEIVER, receiver().host),
    });
    const r = hostScript("dkdns", "dns-server.sh", [ZONES]);
    assert.equal(r.code, 0, r.stderr);
  }

  /** The DKIM TXT value an OpenDkimKey of the stack put out. */
  function recordOf(name: string): string {
    return String(stack.resource(name)?.outputs.dkimRecordValue ?? "");
  }

  /** The delivered message holding `marker`, waiting up to 30 s for it. */
  async function delivered(marker: string): Promise<string> {
    for (let i = 0; i < 60; i++) {
      const box = hostShell("dkrecv", "cat /var/mail/root 2>/dev/null").stdout;
      const found = box.split(/^From /m).find((m) => m.includes(marker));
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const log = hostShell("dksend", "tail -n 8 /var/log/postfix.log").stdout;
    const rlog = hostShell(
      "dkrecv",
      "tail -n 12 /var/log/postfix.log; ls -l /var/spool/postfix/opendkim /var/spool/postfix/opendmarc",
    ).stdout;
    throw new Error(`no message with ${marker} arrived in 30 s; sender log:\n${log}\nreceiver:\n${rlog}`);
  }

  function results(message: string): string {
    const headers = message.split(/\n\n/)[0].replace(/\n[ \t]+/g, " ");
    return headers
      .split("\n")
      .filter((l) => l.startsWith("Authentication-Results:"))
      .join("\n");
  }

  function message(from: string, marker: string): string {
    return [
      `From: <${from}>`,
      `To: <bob@${RECEIVER}>`,
      `Subject: ${marker}`,
      "Date: Wed, 25 Nov 2026 10:00:00 +0000",
      `Message-ID: <${marker}@${from.split("@")[1]}>`,
      "",
      `Body of ${marker}.`,
      "A second line.",
      "",
    ].join("\r\n");
  }

  before(() => {
    for (const [name, h] of [
      ["dksend", sender()],
      ["dkrecv", receiver()],
    ] as const) {
      assert.ok(h.host);
      assert.equal(hostScript(name, "use-resolver.sh", [dns().host]).code, 0);
    }
    const r = hostScript("dkrecv", "receiver.sh", [RECEIVER, dns().host]);
    assert.equal(r.code, 0, r.stderr);
    baseline = hostShell("dksend", "postconf -n").stdout;
    mkdirSync(OUTPUT_DIR, { recursive: true });
  });

  it("create: keys, tables and modes as the guide sets them; Postfix has the milter and the opendkim group", async () => {
    const steps = await stack.up(program);
    assert.deepEqual(steps.map((s) => s.op).sort(), ["create", "create", "create"]);
    const modes = hostShell(
      "dksend",
      "stat -c '%a %U:%G %n' /var/db/opendkim /var/db/opendkim/keys /var/db/opendkim/keys/sender.smtb /var/db/opendkim/keys/sender.smtb/s1.private /var/db/opendkim/keys/other.smtb/s2.private /var/db/opendkim/KeyTable /var/db/opendkim/SigningTable /var/db/opendkim/TrustedHosts",
    ).stdout;
    assert.equal(
      modes,
      [
        "710 opendkim:opendkim /var/db/opendkim",
        "500 opendkim:opendkim /var/db/opendkim/keys",
        "500 opendkim:opendkim /var/db/opendkim/keys/sender.smtb",
        "400 opendkim:opendkim /var/db/opendkim/keys/sender.smtb/s1.private",
        "400 opendkim:opendkim /var/db/opendkim/keys/other.smtb/s2.private",
        "400 opendkim:opendkim /var/db/opendkim/KeyTable",
        "400 opendkim:opendkim /var/db/opendkim/SigningTable",
        "400 opendkim:opendkim /var/db/opendkim/TrustedHosts",
        "",
      ].join("\n"),
    );
    const n = hostShell("dksend", "postconf -n").stdout;
    for (const line of [
      "milter_protocol = 2",
      "milter_default_action = accept",
      "smtpd_milters = unix:opendkim/opendkim.sock",
      "non_smtpd_milters = unix:opendkim/opendkim.sock",
    ]) {
      assert.ok(n.split("\n").includes(line), `missing "${line}" in\n${n}`);
    }
    assert.match(hostShell("dksend", "id -Gn postfix").stdout, /\bopendkim\b/);
    const signing = hostShell("dksend", "cat /var/db/opendkim/SigningTable").stdout;
    assert.match(signing, /^\*@sender\.smtb s1\._domainkey\.sender\.smtb$/m);
    assert.match(signing, /^\*@other\.smtb s2\._domainkey\.other\.smtb$/m);
    assert.match(
      hostShell("dksend", "cat /var/db/opendkim/TrustedHosts").stdout,
      /^127\.0\.0\.1\n::1\n198\.18\.0\.0\/24\n$/,
    );
    const key = stack.resource("sender-key")!.outputs;
    assert.match(String(key.dkimRecordValue), /^v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA/);
    assert.equal(key.dkimRecordName, "s1._domainkey.sender.smtb");
  });

  it("a message from each domain arrives with dkim=pass (its own key), spf=pass and dmarc=pass", async () => {
    await publish();
    const smtp = sendMessage(
      "dksend",
      "localhost:smtp",
      `alice@${SENDER}`,
      `bob@${RECEIVER}`,
      message(`alice@${SENDER}`, "first-via-smtp"),
    );
    assert.match(smtp, /^250 .*queued as/m);
    const viaSendmail = hostShell(
      "dksend",
      `printf '%s' '${message(`carol@${OTHER}`, "second-via-sendmail").replaceAll("\r", "")}' | sendmail -f carol@${OTHER} bob@${RECEIVER}`,
    );
    assert.equal(viaSendmail.code, 0, viaSendmail.stderr);

    const first = await delivered("first-via-smtp");
    const ar1 = results(first);
    assert.match(ar1, /dkim=pass [^\n]*header\.d=sender\.smtb [^\n]*header\.s=s1/);
    assert.match(ar1, /spf=pass [^\n]*smtp\.mailfrom=sender\.smtb/);
    assert.match(ar1, /dmarc=pass [^\n]*header\.from=sender\.smtb/);
    assert.match(first, /DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/simple; d=sender\.smtb;\s+s=s1;/);

    const second = await delivered("second-via-sendmail");
    const ar2 = results(second);
    assert.match(ar2, /dkim=pass [^\n]*header\.d=other\.smtb [^\n]*header\.s=s2/);
    assert.doesNotMatch(ar2, /header\.d=sender\.smtb/);
    assert.match(ar2, /spf=pass [^\n]*smtp\.mailfrom=other\.smtb/);
    assert.match(ar2, /dmarc=pass [^\n]*header\.from=other\.smtb/);
  });

  it("the same signed message with its body changed fails DKIM, and so DMARC, at the receiver (the verifier is real)", async () => {
    const signed = await delivered("first-via-smtp");
    // Resend what the sender signed (its headers from the first DKIM-Signature
    // on), marked by a header OpenDKIM does not sign: once as it was, once
    // with one body line changed. The envelope sender is in other.smtb, whose
    // SPF passes but does not align with From: sender.smtb, so DMARC rests on
    // DKIM alone.
    const original = signed.slice(signed.indexOf("DKIM-Signature:")).replace(/\n+$/, "\n");
    const intact = `X-Replay: intact\n${original}`;
    const tampered = `X-Replay: tampered\n${original.replace("A second line.", "A second line, changed.")}`;
    for (const m of [intact, tampered]) {
      const t = sendMessage("dksend", `${receiver().host}:25`, `carol@${OTHER}`, `bob@${RECEIVER}`, m);
      assert.match(t, /^250 .*queued as/m, t);
    }
    const control = results(await delivered("X-Replay: intact"));
    assert.match(control, /dkim=pass [^\n]*header\.s=s1/);
    assert.match(control, /spf=pass [^\n]*smtp\.mailfrom=other\.smtb/);
    assert.match(control, /dmarc=pass [^\n]*header\.from=sender\.smtb/);
    const changed = results(await delivered("X-Replay: tampered"));
    assert.match(changed, /dkim=fail [^\n]*header\.s=s1/);
    assert.doesNotMatch(changed, /dkim=pass/);
    assert.match(changed, /spf=pass [^\n]*smtp\.mailfrom=other\.smtb/);
    assert.match(changed, /dmarc=fail [^\n]*header\.from=sender\.smtb/);
  });

  it("an Ed25519 key is refused with the reason where OpenDKIM cannot dual-sign (Debian 12's 2.11.0)", async () => {
    const other = freshStack("dkim-ed25519");
    const dual = () => [
      new OpenDkimKey("dual", {
        connection: connectionTo(sender()),
        profile: "linux",
        domain: SENDER,
        selector: "d1",
        ed25519Selector: "d1ed",
      }),
    ];
    await assert.rejects(
      other.up(dual),
      /OpenDKIM v2\.11\.0 signs every key with one algorithm .*drop ed25519Selector/,
    );
    assert.equal(other.resource("dual"), undefined);
    assert.doesNotMatch(hostShell("dksend", "cat /var/db/opendkim/KeyTable").stdout, /d1/);
  });

  it("second up: no diff, no SSH login, no remote command", async () => {
    const steps = await withoutSsh(["dksend"], () => stack.up(program));
    assert.deepEqual(
      steps.map((s) => s.op),
      ["same", "same", "same"],
    );
  });

  it("rotation as the README tells it: the new selector signs only once DNS serves it, both sign in the overlap, the old record outlives its signing", async () => {
    const next = (signing: boolean) =>
      new OpenDkimKey("sender-key-2", {
        connection: connectionTo(sender()),
        profile: "linux",
        domain: SENDER,
        selector: "s3",
        signing,
        requirePublished: true,
      });
    const signingTable = () => hostShell("dksend", "cat /var/db/opendkim/SigningTable").stdout;

    // 1. The new key goes onto the host without signing.
    let steps = await stack.up(() => [...program(), next(false)]);
    assert.deepEqual(
      steps.filter((st) => st.op !== "same").map((st) => [st.name, st.op]),
      [["sender-key-2", "create"]],
    );
    assert.match(hostShell("dksend", "cat /var/db/opendkim/KeyTable").stdout, /^s3\._domainkey\.sender\.smtb /m);
    assert.doesNotMatch(signingTable(), /s3/);

    // 2. Switching it on before DNS serves its record is refused; nothing changes.
    const table = signingTable();
    await assert.rejects(
      stack.up(() => [...program(), next(true)]),
      /the DKIM record s3\._domainkey\.sender\.smtb is not visible from this host .*Publish the record/,
    );
    assert.equal(signingTable(), table);

    // 3. Published: it signs, and the old key still does (MultipleSignatures).
    await publish({ sender: [{ selector: "s3", value: recordOf("sender-key-2") }] });
    steps = await stack.up(() => [...program(), next(true)]);
    assert.deepEqual(
      steps.filter((st) => st.op !== "same").map((st) => [st.name, st.op]),
      [["sender-key-2", "update"]],
    );
    sendMessage(
      "dksend",
      "localhost:smtp",
      `alice@${SENDER}`,
      `bob@${RECEIVER}`,
      message(`alice@${SENDER}`, "overlap"),
    );
    const overlap = results(await delivered("overlap"));
    assert.match(overlap, /dkim=pass [^\n]*header\.s=s1/);
    assert.match(overlap, /dkim=pass [^\n]*header\.s=s3/);

    // 4. The old key stops signing; its record stays published until its date.
    steps = await stack.up(() => [...program(false), next(true)]);
    assert.deepEqual(
      steps.filter((st) => st.op !== "same").map((st) => [st.name, st.op]),
      [["sender-key", "update"]],
    );
    sendMessage("dksend", "localhost:smtp", `alice@${SENDER}`, `bob@${RECEIVER}`, message(`alice@${SENDER}`, "after"));
    const after = results(await delivered("after"));
    assert.match(after, /dkim=pass [^\n]*header\.s=s3/);
    assert.doesNotMatch(after, /header\.s=s1/);
    assert.match(after, /dmarc=pass/);
    const dig = (name: string) => hostShell("dksend", `dig +short TXT ${name}`).stdout;
    await publish({ sender: [{ selector: "s3", value: recordOf("sender-key-2") }], s1Until: "2999-12-31" });
    assert.match(dig(`s1._domainkey.${SENDER}`), /v=DKIM1/);
    await publish({ sender: [{ selector: "s3", value: recordOf("sender-key-2") }], s1Until: "2000-01-01" });
    assert.equal(dig(`s1._domainkey.${SENDER}`), "");
    assert.match(dig(`s3._domainkey.${SENDER}`), /v=DKIM1/);
  });

  it("destroy: postconf -n, the group list and opendkim.conf are as before", async () => {
    await stack.destroy();
    assert.equal(hostShell("dksend", "postconf -n").stdout, baseline);
    assert.doesNotMatch(hostShell("dksend", "id -Gn postfix").stdout, /opendkim/);
    assert.match(hostShell("dksend", "head -n 1 /etc/opendkim.conf").stdout, /^# This is a basic configuration/);
    assert.equal(hostShell("dksend", "ls /var/db/opendkim 2>&1").code, 2);
  });
});
