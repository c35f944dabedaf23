import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { PostfixConfig } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, suiteHost } from "../harness/fixtures";
import { hostScript, hostShell } from "../harness/testbed";
import { zoneHead } from "../harness/zones";

// DANE (RFC 7672) end to end with real software: nsd serves DNSSEC-signed
// zones (dnssec-signzone), unbound validates them against the zones' KSKs
// and sets AD on what it validated, the sender is Debian's Postfix with
// `clientTls: { securityLevel: "dane" }`, and the receiver is a Postfix
// whose self-signed certificate is named by a TLSA 3 1 1 record.
//
// No `options trust-ad` in the sender's resolv.conf: glibc (>= 2.31) clears
// a reply's AD bit unless asked to keep it, but Postfix asks itself: with
// smtp_dns_support_level=dnssec it sets RES_USE_DNSSEC and, where the
// resolver has it, RES_TRUSTAD (dns_lookup(3)). The test shows this holds:
// the sender's resolv.conf has no trust-ad, and its smtp(8) still reports
// DANE-verified sessions, which it gives only for validated TLSA records.

const SENDER = "send.smtb";
const DOMAIN = "dane.smtb";
const MX = "mx.recv.smtb";
const TLSA_NAME = `_25._tcp.${MX}`;
const ZONES = "/srv/smartos-mail-testbed/dane-zones";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `probe` to give a value, 60 x 0.5 s at most; `what` names it in the error. */
async function until<T>(what: string, probe: () => T | undefined, detail: () => string): Promise<T> {
  for (let i = 0; i < 60; i++) {
    const v = probe();
    if (v !== undefined) return v;
    await sleep(500);
  }
  throw new Error(`${what}: not seen in 30 s\n${detail()}`);
}

/** A reply from the host's resolver as dig shows it: status, header flags, and each answer record as text. */
interface DigAnswer {
  status: string;
  flags: string[];
  records: string[];
}

function parseDig(out: string): DigAnswer {
  const status = /status: (\w+)/.exec(out)?.[1] ?? "";
  const flags = (/^;; flags: ([^;]*);/m.exec(out)?.[1] ?? "").trim().split(/\s+/);
  const records = out
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith(";"))
    .map((l) => l.replace(/\s+/g, " "));
  return { status, flags, records };
}

/** The hex digests of the TLSA 3 1 1 records among dig's answer records, lower case. */
const tlsaDigests = (a: DigAnswer) =>
  a.records
    .map((r) => /^\S+ \d+ IN TLSA 3 1 1 ([0-9A-Fa-f ]+)$/.exec(r)?.[1])
    .filter((d): d is string => d !== undefined)
    .map((d) => d.replace(/ /g, "").toLowerCase());

/** Every hex digit moved by one: a digest of the same form that matches no key. */
const wrongDigest = (hex: string) => hex.replace(/[0-9a-f]/g, (c) => ((Number.parseInt(c, 16) + 1) % 16).toString(16));

describe("DANE on the wire: a DNSSEC-signed TLSA record verifies the receiver, and a wrong one fails closed", () => {
  const dns = suiteHost("dndns", 35);
  const sender = suiteHost("dnsend", 36);
  const receiver = suiteHost("dnrecv", 37);
  const stack = freshStack("dane");
  let baseline: string;
  /** SHA-256 of the receiver certificate's SubjectPublicKeyInfo: the TLSA 3 1 1 data. */
  let digest: string;
  let serial = 0;

  const program = () => () => [
    new PostfixConfig("postfix", {
      connection: connectionTo(sender()),
      profile: "linux",
      myhostname: `mx.${SENDER}`,
      mydomain: SENDER,
      myorigin: "$mydomain",
      mynetworks: ["127.0.0.0/8"],
      inetInterfaces: ["all"],
      clientTls: { securityLevel: "dane" },
      // Level 1 logs each session's verdict: "Verified TLS connection established to ...".
      parameters: { smtp_tls_loglevel: "1" },
    }),
  ];

  /**
   * Publishes the zones with `tlsa` as the MX host's TLSA 3 1 1 data, signed and validated unless `unsigned`,
   * and makes the sender see it at its next delivery.
   */
  async function publish(tlsa: string, mode: "dnssec" | "unsigned" = "dnssec"): Promise<void> {
    serial++;
    writeFileSync(
      path.join(ZONES, `${DOMAIN}.zone`),
      `${zoneHead(DOMAIN, dns().host, serial)}${DOMAIN}. IN MX 10 ${MX}.\n`,
    );
    writeFileSync(
      path.join(ZONES, "recv.smtb.zone"),
      `${zoneHead("recv.smtb", dns().host, serial)}${MX}. IN A ${receiver().host}\n${TLSA_NAME}. IN TLSA 3 1 1 ${tlsa}\n`,
    );
    const served = hostScript("dndns", "dns-server.sh", mode === "dnssec" ? [ZONES, "dnssec"] : [ZONES]);
    assert.equal(served.code, 0, served.stderr);
    await forgetTlsaLookups();
  }

  /**
   * Makes the sender look the TLSA record up again at its next delivery. The
   * race this closes: each smtp(8) process caches a TLSA RRset for the
   * record's TTL, clamped to 1..100 s (Postfix tls_dane.c, dane_lookup and
   * TLS_DANE_CACHE_TTL_MIN/MAX), and stays idle for max_idle (100 s) between
   * deliveries. A record changed within a minute (the zones' TTL) of the last
   * delivery was not seen when the next message went to that same process:
   * it delivered "Verified" with the old digest. A real sender picks up the
   * change when the TTL runs out; the test changes records faster, so after
   * each change it reloads the sender's Postfix, whose master then closes the
   * status pipe idle single-server processes such as smtp(8) wait on, and they
   * exit (single_server.c, single_server_abort), and waits until no smtp(8)
   * from before the change is left. The next delivery starts a new process
   * with an empty cache.
   */
  async function forgetTlsaLookups(): Promise<void> {
    const smtpPids = () => hostShell("dnsend", "pgrep -x smtp || true").stdout.split("\n").filter(Boolean);
    const before = smtpPids();
    assert.equal(hostShell("dnsend", "postfix reload").code, 0);
    await until(
      "the sender's smtp(8) processes gone after postfix reload",
      () => (smtpPids().some((pid) => before.includes(pid)) ? undefined : true),
      () => hostShell("dnsend", "ps -eo pid,args").stdout,
    );
  }

  /** `dig +dnssec` on the sender, through its resolv.conf, as Postfix asks. */
  function digFromSender(type: string, name: string): DigAnswer {
    const r = hostShell("dnsend", `dig +dnssec +nomultiline +time=2 +tries=1 ${type} ${name}`);
    assert.equal(r.code, 0, r.stderr);
    return parseDig(r.stdout);
  }

  function send(tag: string): void {
    const r = hostShell(
      "dnsend",
      `printf 'From: <app@${SENDER}>\\nTo: <user@${DOMAIN}>\\nSubject: ${tag}\\nMessage-ID: <${tag}@${SENDER}>\\n\\n${tag}\\n' | sendmail -f app@${SENDER} user@${DOMAIN}`,
    );
    assert.equal(r.code, 0, r.stderr);
  }

  const senderLog = () => hostShell("dnsend", "cat /var/log/postfix.log").stdout;
  const receiverLog = () => hostShell("dnrecv", "cat /var/log/postfix.log").stdout;
  const detail = () => `sender:\n${hostShell("dnsend", "tail -n 20 /var/log/postfix.log; postqueue -p").stdout}`;

  /** Whether the receiver took in the message tagged `tag` (its cleanup logged the Message-ID). */
  const received = (tag: string) => receiverLog().includes(`: message-id=<${tag}@${SENDER}>`);

  /** The sender's queue id of the message tagged `tag`. */
  function queueId(tag: string): string {
    const m = new RegExp(`postfix/cleanup\\[\\d+\\]: (\\w+): message-id=<${tag}@${SENDER.replace(/\./g, "\\.")}>`).exec(
      senderLog(),
    );
    assert.ok(m, `the sender queued ${tag}`);
    return m[1];
  }

  /**
   * The sender's latest delivery attempt of queue id `qid` with the given
   * status: its line, and the lines its smtp(8) process logged for that
   * session before it (TLS verdicts carry no queue id, only the process id).
   */
  function attempt(qid: string, status: "sent" | "deferred"): { line: string; session: string[] } | undefined {
    const lines = senderLog().split("\n");
    for (let i = lines.length - 1; i >= 0; i--) {
      const m = /postfix\/smtp\[(\d+)\]: (\w+): to=<[^>]*>, .*status=(\w+)/.exec(lines[i]);
      if (!m || m[2] !== qid || m[3] !== status) continue;
      const session: string[] = [];
      for (let j = i - 1; j >= 0; j--) {
        if (!lines[j].includes(`postfix/smtp[${m[1]}]: `)) continue;
        if (/: \w+: to=</.test(lines[j])) break;
        session.unshift(lines[j]);
      }
      return { line: lines[i], session };
    }
    return undefined;
  }

  /** Waits for the message tagged `tag` to reach the receiver; returns the sender's delivery and its session. */
  async function delivered(tag: string): Promise<{ line: string; session: string[] }> {
    await until(`${tag} at the receiver`, () => (received(tag) ? true : undefined), detail);
    return await until(`${tag} sent`, () => attempt(queueId(tag), "sent"), detail);
  }

  /** The queued message's delay reason from `postqueue -j`, or undefined when it is not queued. */
  function delayReason(qid: string): string | undefined {
    for (const line of hostShell("dnsend", "postqueue -j").stdout.split("\n").filter(Boolean)) {
      const entry = JSON.parse(line) as { queue_id: string; recipients: { delay_reason?: string }[] };
      if (entry.queue_id === qid) return entry.recipients[0]?.delay_reason ?? "";
    }
    return undefined;
  }

  /** The TLS session verdict among a session's lines ("Verified", "Untrusted", "Anonymous", ...). */
  const tlsVerdict = (session: string[]) =>
    session
      .map((l) => / (\w+) TLS connection established to ([^:]+):25: /.exec(l))
      .filter((m) => m !== null)
      .map((m) => `${m[1]} ${m[2]}`);

  before(async () => {
    for (const h of [dns(), sender(), receiver()]) assert.ok(h.host);
    for (const name of ["dnsend", "dnrecv"]) assert.equal(hostScript(name, "use-resolver.sh", [dns().host]).code, 0);
    const sink = hostScript("dnrecv", "sink.sh", [MX, "tls", DOMAIN]);
    assert.equal(sink.code, 0, sink.stderr);
    digest = hostShell(
      "dnrecv",
      "openssl x509 -in /etc/postfix/sink-cert.pem -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1",
    ).stdout.trim();
    assert.match(digest, /^[0-9a-f]{64}$/);
    rmSync(ZONES, { recursive: true, force: true });
    mkdirSync(ZONES, { recursive: true });
    await publish(digest);
    baseline = hostShell("dnsend", "postconf -n").stdout;
  });

  it("the sender's resolver validates: MX, A and TLSA answers carry the AD flag, the TLSA is the receiver key's digest", () => {
    assert.doesNotMatch(hostShell("dnsend", "cat /etc/resolv.conf").stdout, /trust-ad/);
    for (const [type, name] of [
      ["MX", DOMAIN],
      ["A", MX],
      ["TLSA", TLSA_NAME],
    ]) {
      const a = digFromSender(type, name);
      assert.equal(a.status, "NOERROR", `${type} ${name}`);
      assert.ok(a.flags.includes("ad"), `${type} ${name} is validated (AD): flags ${a.flags.join(" ")}`);
      assert.ok(
        a.records.some((r) => r.startsWith(`${name}. `) && r.includes(` IN RRSIG ${type} `)),
        `${type} ${name} comes signed`,
      );
    }
    assert.deepEqual(tlsaDigests(digFromSender("TLSA", TLSA_NAME)), [digest]);
  });

  it("create: clientTls dane sets smtp_tls_security_level=dane and smtp_dns_support_level=dnssec", async () => {
    const steps = await stack.up(program());
    assert.deepEqual(
      steps.map((s) => s.op),
      ["create"],
    );
    assert.equal(
      hostShell("dnsend", "postconf -h smtp_tls_security_level smtp_dns_support_level smtp_tls_loglevel").stdout,
      "dane\ndnssec\n1\n",
    );
  });

  it("the right TLSA record: the message is delivered over a DANE-verified TLS session", async () => {
    send("dane-right");
    const { line, session } = await delivered("dane-right");
    assert.match(line, new RegExp(`relay=${MX.replace(/\./g, "\\.")}\\[${receiver().host}\\]:25, .*dsn=2\\.0\\.0`));
    assert.deepEqual(tlsVerdict(session), [`Verified ${MX}[${receiver().host}]`], session.join("\n"));
  });

  it("a wrong TLSA digest fails closed: the message stays deferred and undelivered until the right record is back", async () => {
    const wrong = wrongDigest(digest);
    await publish(wrong);
    // The wrong record is itself validated: what follows is DANE's verdict on the certificate, not a DNS failure.
    const tlsa = digFromSender("TLSA", TLSA_NAME);
    assert.ok(tlsa.flags.includes("ad"));
    assert.deepEqual(tlsaDigests(tlsa), [wrong]);

    send("dane-wrong");
    const qid = queueId("dane-wrong");
    const failed = await until("dane-wrong deferred", () => attempt(qid, "deferred"), detail);
    assert.match(failed.line, /dsn=4\.7\.5, status=deferred \(Server certificate not verified\)/);
    assert.ok(
      failed.session.some((l) =>
        l.includes(
          `server certificate verification failed for ${MX}[${receiver().host}]:25: num=65:no matching DANE TLSA records`,
        ),
      ),
      failed.session.join("\n"),
    );
    assert.deepEqual(tlsVerdict(failed.session), [`Untrusted ${MX}[${receiver().host}]`]);
    assert.equal(delayReason(qid), "Server certificate not verified");
    await sleep(2000);
    assert.equal(received("dane-wrong"), false, "the receiver never got it");
    assert.equal(attempt(qid, "sent"), undefined);

    await publish(digest);
    assert.equal(hostShell("dnsend", "postqueue -f").code, 0);
    const { session } = await delivered("dane-wrong");
    assert.deepEqual(tlsVerdict(session), [`Verified ${MX}[${receiver().host}]`]);
    assert.equal(delayReason(qid), undefined, "no longer queued");
  });

  it("a forged TLSA record (changed after signing) is bogus: the resolver gives SERVFAIL and delivery waits", async () => {
    // Edit the served, signed zone without re-signing: the old RRSIG no longer covers the record.
    // dnssec-signzone writes the digest in upper case, split over lines: change its first 12 digits.
    const forged = wrongDigest(digest.slice(0, 12)) + digest.slice(12);
    const from = digest.slice(0, 12).toUpperCase();
    const to = forged.slice(0, 12).toUpperCase();
    const zone = "/etc/nsd/zones/recv.smtb.zone";
    const tamper = hostShell(
      "dndns",
      `sed -i 's/${from}/${to}/' ${zone} && test "$(grep -c ${to} ${zone})" = 1 && ` +
        `pid=$(cat /run/nsd.pid) && kill "$pid" && for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done && ` +
        "nsd -c /etc/nsd/nsd.conf",
    );
    assert.equal(tamper.code, 0, tamper.stderr);
    await forgetTlsaLookups();
    // nsd serves the forged record...
    const authoritative = await until(
      "the forged record from nsd",
      () => {
        const out = hostShell("dndns", `dig +dnssec +nomultiline +norec -p 5353 @127.0.0.1 TLSA ${TLSA_NAME}`).stdout;
        const a = parseDig(out);
        return tlsaDigests(a)[0] === forged ? a : undefined;
      },
      () => hostShell("dndns", "tail -n 5 /var/log/nsd.log").stdout,
    );
    assert.ok(authoritative.records.some((r) => r.includes(" IN RRSIG TLSA ")));
    // ...and the validating resolver refuses it.
    const bogus = digFromSender("TLSA", TLSA_NAME);
    assert.equal(bogus.status, "SERVFAIL");
    assert.deepEqual(tlsaDigests(bogus), []);
    assert.match(
      hostShell("dndns", "cat /var/log/unbound.log").stdout,
      new RegExp(`validation failure <${TLSA_NAME.replace(/\./g, "\\.")}\\. TLSA IN>: signature crypto failed`),
    );

    send("dane-forged");
    const qid = queueId("dane-forged");
    const failed = await until("dane-forged deferred", () => attempt(qid, "deferred"), detail);
    assert.match(failed.line, /relay=none, .*dsn=4\.7\.5, status=deferred \(TLSA lookup error for mx\.recv\.smtb:25\)/);
    assert.equal(delayReason(qid), `TLSA lookup error for ${MX}:25`);
    await sleep(2000);
    assert.equal(received("dane-forged"), false, "the receiver never got it");

    await publish(digest);
    assert.equal(hostShell("dnsend", "postqueue -f").code, 0);
    const { session } = await delivered("dane-forged");
    assert.deepEqual(tlsVerdict(session), [`Verified ${MX}[${receiver().host}]`]);
  });

  it("the verdict rests on DNSSEC: the wrong digest in an unsigned zone is not used (dane is opportunistic there)", async () => {
    await publish(wrongDigest(digest), "unsigned");
    const tlsa = digFromSender("TLSA", TLSA_NAME);
    assert.equal(tlsa.flags.includes("ad"), false, "not validated");
    assert.deepEqual(tlsaDigests(tlsa), [wrongDigest(digest)]);
    send("dane-unsigned");
    const { session } = await delivered("dane-unsigned");
    assert.deepEqual(tlsVerdict(session), [`Untrusted ${MX}[${receiver().host}]`], session.join("\n"));
    await publish(digest);
  });

  it("destroy: postconf -n is as before", async () => {
    const steps = await stack.destroy();
    assert.deepEqual(
      steps.map((s) => s.op),
      ["delete"],
    );
    assert.equal(hostShell("dnsend", "postconf -n").stdout, baseline);
  });
});
