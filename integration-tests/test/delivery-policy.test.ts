import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { InboundSmtpFirewall, PostfixConfig, RateLimitTransport } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, suiteHost } from "../harness/fixtures";
import type { StepRecord } from "../harness/pulumi-stack";
import { smtpSmokeTest } from "../harness/smtp";
import { hostScript, hostShell, withoutSsh } from "../harness/testbed";
import { zoneHead } from "../harness/zones";

// Test domains under .smtb, a TLD only the testbed's DNS serves.
const SENDER = "send.smtb";
const FAST = "fast.smtb";
const WARM = "warm.smtb";
const MX = "mx.recv.smtb";
const ZONES = "/srv/smartos-mail-testbed/delivery-policy-zones";
const MAP = "/etc/postfix/transport";

// An operator's own nftables rules, which must survive the firewall's create and destroy.
const OPERATOR_NFT = `#!/usr/sbin/nft -f
table inet operator {
  chain input {
    type filter hook input priority filter; policy accept;
    tcp dport 2525 drop
  }
}
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds since midnight of each receiver `cleanup` line for a message id matching `tag`, in log order. */
function arrivals(log: string, tag: string): number[] {
  const times: number[] = [];
  for (const line of log.split("\n")) {
    const m = /^\w{3} [ \d]\d (\d\d):(\d\d):(\d\d) \S+ postfix\/cleanup\[\d+\]: \w+: message-id=<([^>]+)>/.exec(line);
    if (!m?.[4].startsWith(tag)) continue;
    let t = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
    if (times.length > 0 && t < times[times.length - 1]) t += 86_400;
    times.push(t);
  }
  return times;
}

/** Each resource's operation; resources are applied in parallel, so step order is not fixed. */
const opsByName = (steps: StepRecord[]) => Object.fromEntries(steps.map((s) => [s.name, s.op]));

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

describe("delivery policy on the wire: rate-limit transports, warm-up, client TLS, inbound firewall", () => {
  const dns = suiteHost("dpdns", 7);
  const sender = suiteHost("dpsend", 8);
  const receiver = suiteHost("dprecv", 9);
  const stack = freshStack("delivery-policy");
  let baseline: { postconf: string; masterCf: string };

  const program = (options: { today: string; firewall?: boolean; withoutFast?: boolean }) => () => [
    new PostfixConfig("postfix", {
      connection: connectionTo(sender()),
      profile: "linux",
      myhostname: `mx.${SENDER}`,
      mydomain: SENDER,
      myorigin: "$mydomain",
      mynetworks: ["127.0.0.0/8"],
      inetInterfaces: ["all"],
      clientTls: { securityLevel: "encrypt" },
    }),
    new RateLimitTransport("rate", {
      connection: connectionTo(sender()),
      profile: "linux",
      defaults: { recipientLimit: 10, rateDelay: "1s" },
      transports: [
        ...(options.withoutFast ? [] : [{ name: "smtp-fast", recipientLimit: 10, rateDelay: "2s", domains: [FAST] }]),
        {
          name: "smtp-warm",
          recipientLimit: 10,
          warmup: { start: "2026-11-20", rateDelays: ["8s", "6s", "4s"] },
          domains: [WARM],
        },
      ],
      today: options.today,
    }),
    ...(options.firewall
      ? [new InboundSmtpFirewall("firewall", { connection: connectionTo(sender()), profile: "linux" })]
      : []),
  ];

  function send(ids: string[]): void {
    const script = ids
      .map((id) => {
        const domain = id.startsWith("fast") ? FAST : WARM;
        return `printf 'From: <app@${SENDER}>\\nTo: <user@${domain}>\\nSubject: ${id}\\nMessage-ID: <${id}@${SENDER}>\\n\\n${id}\\n' | sendmail -f app@${SENDER} user@${domain}`;
      })
      .join(" && ");
    const r = hostShell("dpsend", script);
    assert.equal(r.code, 0, r.stderr);
  }

  /** The receiver's log once `count` messages tagged `tag` arrived, waiting at most `seconds`. */
  async function arrived(tag: string, count: number, seconds: number): Promise<string> {
    for (let i = 0; i < seconds * 2; i++) {
      const log = hostShell("dprecv", "cat /var/log/postfix.log").stdout;
      if (arrivals(log, tag).length >= count) return log;
      await sleep(500);
    }
    const sent = hostShell("dpsend", "tail -n 15 /var/log/postfix.log; postqueue -p").stdout;
    throw new Error(`${count} messages tagged ${tag} did not arrive in ${seconds} s; sender:\n${sent}`);
  }

  /**
   * What a TCP connection from the receiver host to the sender's port 25 meets: "greeting" (the SMTP 220 banner),
   * "dropped" (the connection attempt timed out, as behind a drop rule), or else socat's words and the sender's log.
   * socat's -t is how long it waits for the server once our QUIT is sent. Its default, 0.5 s, is all the time the
   * first smtpd after the destroy's reloads had to greet; one CI run on a busy machine saw no greeting there.
   * Bounded: 3 s to connect, 10 s of silence, 20 s in all.
   */
  function port25FromReceiver(): string {
    const r = hostShell(
      "dprecv",
      `echo QUIT | timeout 20 socat -T 10 -t 10 - TCP:${sender().host}:25,connect-timeout=3`,
    );
    if (r.stdout.startsWith("220 ")) return "greeting";
    if (/timed out/i.test(r.stderr)) return "dropped";
    const log = hostShell("dpsend", "tail -n 20 /var/log/postfix.log").stdout;
    return `exit ${r.code}, stdout ${JSON.stringify(r.stdout)}, stderr ${JSON.stringify(r.stderr)}; sender's log:\n${log}`;
  }

  before(() => {
    for (const h of [dns(), sender(), receiver()]) assert.ok(h.host);
    rmSync(ZONES, { recursive: true, force: true });
    mkdirSync(ZONES, { recursive: true });
    for (const domain of [FAST, WARM]) {
      writeFileSync(
        path.join(ZONES, `${domain}.zone`),
        `${zoneHead(domain, dns().host, 1)}${domain}. IN MX 10 ${MX}.\n`,
      );
    }
    writeFileSync(
      path.join(ZONES, "recv.smtb.zone"),
      `${zoneHead("recv.smtb", dns().host, 1)}${MX}. IN A ${receiver().host}\n`,
    );
    const served = hostScript("dpdns", "dns-server.sh", [ZONES]);
    assert.equal(served.code, 0, served.stderr);
    for (const name of ["dpsend", "dprecv"]) assert.equal(hostScript(name, "use-resolver.sh", [dns().host]).code, 0);
    const sink = hostScript("dprecv", "sink.sh", [MX, "tls", FAST, WARM]);
    assert.equal(sink.code, 0, sink.stderr);
    hostShell("dpsend", `printf '%s' '${OPERATOR_NFT}' >/etc/nftables.conf && nft -f /etc/nftables.conf`);
    baseline = {
      postconf: hostShell("dpsend", "postconf -n").stdout,
      masterCf: hostShell("dpsend", "cat /etc/postfix/master.cf").stdout,
    };
  });

  it("create: the transports exist in master.cf (postconf -M), their limits in main.cf, the map is postmapped", async () => {
    const steps = await stack.up(program({ today: "2026-11-22" }));
    assert.deepEqual(steps.map((s) => s.op).sort(), ["create", "create"]);
    assert.equal(
      hostShell("dpsend", "postconf -M smtp-fast/unix smtp-warm/unix").stdout.replace(/[ \t]+/g, " "),
      "smtp-fast unix - - n - - smtp\nsmtp-warm unix - - n - - smtp\n",
    );
    assert.equal(
      hostShell(
        "dpsend",
        "postconf -h smtp_destination_rate_delay smtp-fast_destination_rate_delay smtp-warm_destination_rate_delay smtp-fast_destination_recipient_limit transport_maps smtp_tls_security_level",
      ).stdout,
      `1s\n2s\n4s\n10\nhash:${MAP}\nencrypt\n`,
    );
    assert.equal(
      hostShell("dpsend", `postmap -q ${FAST} hash:${MAP}; postmap -q ${WARM} hash:${MAP}`).stdout,
      "smtp-fast:\nsmtp-warm:\n",
    );
    assert.equal(hostShell("dpsend", "postfix check 2>&1; echo $?").stdout, "0\n");
    assert.deepEqual(stack.resource("rate")?.outputs.rateDelays, { smtp: "1s", "smtp-fast": "2s", "smtp-warm": "4s" });
  });

  it("five messages to each of two domains: each domain's deliveries are spaced by its own transport's delay, over TLS", async () => {
    const ids = [1, 2, 3, 4, 5].flatMap((n) => [`fast-${n}`, `warm-${n}`]);
    send(ids);
    const log = await arrived("warm-", 5, 90);
    const fast = arrivals(log, "fast-");
    const warm = arrivals(log, "warm-");
    assert.equal(fast.length, 5, log);
    // Whole-second log stamps: a true gap of at least d seconds never shows as less than d.
    for (const g of gaps(fast)) assert.ok(g >= 2, `fast.smtb gaps ${gaps(fast)} must be >= 2 s`);
    for (const g of gaps(warm)) assert.ok(g >= 4, `warm.smtb gaps ${gaps(warm)} must be >= 4 s`);
    // The fast domain is not held to the slow domain's pace: its 4 gaps take less than warm's 16 s minimum.
    assert.ok(fast[4] - fast[0] < 16, `fast.smtb took ${fast[4] - fast[0]} s for 4 gaps`);
    const tls = log
      .split("\n")
      .filter((l) => /postfix\/smtpd\[\d+\]: Anonymous TLS connection established from/.test(l));
    assert.ok(tls.length >= 1, "the receiver logs TLS sessions");
    assert.equal(hostShell("dpsend", "postqueue -j | wc -l").stdout, "0\n", "nothing is left in the queue");
  });

  it("with a rate delay, one failed greeting (Yahoo's 421 [TSS04] at connect) does not defer the other queued messages", async () => {
    assert.equal(
      hostShell("dpsend", "postconf -h smtp-fast_destination_concurrency_failed_cohort_limit").stdout,
      "10\n",
      "set with the rate delay",
    );
    // The receiver answers the sender's connections with Yahoo's deferral instead of its greeting
    // (access(5): with smtpd_delay_reject=no the client restriction replies at connect; a 421 disconnects).
    const tss04 = `${sender().host} 421 4.7.0 [TSS04] Messages from ${sender().host} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes`;
    const refuse = hostShell(
      "dprecv",
      `printf '%s\\n' '${tss04}' >/etc/postfix/greeting.cidr && postconf -e smtpd_delay_reject=no 'smtpd_client_restrictions=check_client_access cidr:/etc/postfix/greeting.cidr' && postfix reload >/dev/null 2>&1`,
    );
    assert.equal(refuse.code, 0, refuse.stderr);
    try {
      send([1, 2, 3, 4, 5].map((n) => `fast-cohort-${n}`));
      // smtpd puts the access table's text after "<client>: Client host rejected:".
      const refused = () =>
        hostShell("dpsend", "grep -c 'refused to talk to me: 421 4.7.0 .*TSS04' /var/log/postfix.log || true").stdout;
      for (let i = 0; i < 100 && refused() === "0\n"; i++) await sleep(200);
      const tail = () => hostShell("dpsend", "tail -n 8 /var/log/postfix.log").stdout;
      assert.notEqual(refused(), "0\n", `the first delivery met the 421 greeting; sender:\n${tail()}`);
    } finally {
      const accept = hostShell(
        "dprecv",
        "postconf -X smtpd_client_restrictions smtpd_delay_reject && rm -f /etc/postfix/greeting.cidr && postfix reload >/dev/null 2>&1",
      );
      assert.equal(accept.code, 0, accept.stderr);
    }
    // Each refused message waits for its retry; the others leave at the transport's pace. At Postfix's own limit
    // of 1, the one failure would have marked the destination dead and deferred them all for minimal_backoff_time.
    await arrived("fast-cohort-", 3, 60);
    assert.equal(
      hostShell("dpsend", "grep -c 'delivery temporarily suspended' /var/log/postfix.log || true").stdout,
      "0\n",
    );
    hostShell("dpsend", "postqueue -f");
    await arrived("fast-cohort-", 5, 60);
  });

  it("with encrypt, a receiver that stops offering TLS gets nothing until it offers it again", async () => {
    assert.equal(hostScript("dprecv", "sink.sh", [MX, "notls", FAST, WARM]).code, 0);
    send(["fast-notls"]);
    let deferred = "";
    for (let i = 0; i < 40 && !deferred.includes("TLS is required, but was not offered"); i++) {
      await sleep(500);
      deferred = hostShell("dpsend", "grep -F 'TLS is required' /var/log/postfix.log || true").stdout;
    }
    assert.match(deferred, /status=deferred \(TLS is required, but was not offered by host mx\.recv\.smtb/);
    assert.equal(arrivals(hostShell("dprecv", "cat /var/log/postfix.log").stdout, "fast-notls").length, 0);
    assert.equal(hostScript("dprecv", "sink.sh", [MX, "tls", FAST, WARM]).code, 0);
    hostShell("dpsend", "postqueue -f");
    await arrived("fast-notls", 1, 30);
  });

  it("warm-up: a new date moves the delay exactly as the schedule says; the same date again is a no-op", async () => {
    const delay = () => hostShell("dpsend", "postconf -h smtp-warm_destination_rate_delay").stdout.trim();
    const outputs = () =>
      stack.resource("rate")?.outputs as { rateDelays: Record<string, string>; nextWarmupStep: Record<string, string> };
    for (const [today, expected, next] of [
      ["2026-11-20", "8s", "2026-11-21"],
      ["2026-11-21", "6s", "2026-11-22"],
      ["2026-12-31", "4s", undefined],
    ] as const) {
      const steps = await stack.up(program({ today }));
      assert.deepEqual(opsByName(steps), { postfix: "same", rate: "update" });
      assert.equal(delay(), expected, today);
      assert.equal(outputs().rateDelays["smtp-warm"], expected);
      assert.equal(outputs().nextWarmupStep["smtp-warm"], next);
    }
    const again = await withoutSsh(["dpsend"], () => stack.up(program({ today: "2026-12-31" })));
    assert.deepEqual(
      again.map((s) => s.op),
      ["same", "same"],
    );
  });

  it("a transport removed while mail waits for it: the mail leaves through smtp; adding it back maps the domain again", async () => {
    /** Deferred messages waiting for TLS, from `postqueue -j` (one JSON object per message). */
    const deferredForTls = () =>
      hostShell("dpsend", "postqueue -j")
        .stdout.split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as { queue_name: string; recipients: { delay_reason?: string }[] })
        .filter(
          (m) => m.queue_name === "deferred" && m.recipients.some((r) => r.delay_reason?.includes("TLS is required")),
        );
    assert.equal(hostScript("dprecv", "sink.sh", [MX, "notls", FAST, WARM]).code, 0);
    send(["fast-orphan"]);
    for (let i = 0; i < 40 && deferredForTls().length === 0; i++) await sleep(500);
    assert.equal(deferredForTls().length, 1, "deferred while it was routed through smtp-fast");

    const removed = await stack.up(program({ today: "2026-12-31", withoutFast: true }));
    assert.deepEqual(opsByName(removed), { postfix: "same", rate: "update" });
    assert.equal(hostShell("dpsend", "postconf -M smtp-fast/unix").stdout, "");
    assert.equal(hostShell("dpsend", "postconf -n | grep -c '^smtp-fast_'").stdout, "0\n");
    assert.equal(hostShell("dpsend", `postmap -q ${FAST} hash:${MAP}; echo $?`).stdout, "1\n");
    assert.equal(deferredForTls().length, 1, "the message is still queued, not bounced");

    // The queue manager picks the transport again for every retry: now the default, smtp.
    assert.equal(hostScript("dprecv", "sink.sh", [MX, "tls", FAST, WARM]).code, 0);
    hostShell("dpsend", "postqueue -f");
    await arrived("fast-orphan", 1, 30);
    assert.equal(hostShell("dpsend", "postqueue -j | wc -l").stdout, "0\n");

    const restored = await stack.up(program({ today: "2026-12-31" }));
    assert.deepEqual(opsByName(restored), { postfix: "same", rate: "update" });
    assert.equal(hostShell("dpsend", `postmap -q ${FAST} hash:${MAP}`).stdout, "smtp-fast:\n");
  });

  it("firewall: port 25 is closed to other hosts, local submission still works, the operator's rules stay", async () => {
    assert.equal(port25FromReceiver(), "greeting", "open before");
    const steps = await stack.up(program({ today: "2026-12-31", firewall: true }));
    assert.deepEqual(opsByName(steps), { firewall: "create", postfix: "same", rate: "same" });
    assert.equal(port25FromReceiver(), "dropped", "closed to another host");
    assert.match(smtpSmokeTest("dpsend", `root@${SENDER}`, `user@${FAST}`), /250 2\.0\.0 Ok: queued as/);
    assert.equal(hostShell("dpsend", "nft list tables").stdout, "table inet operator\ntable inet smartos_mail_smtp\n");
    const conf = hostShell("dpsend", "cat /etc/nftables.conf").stdout;
    assert.ok(conf.startsWith(OPERATOR_NFT), "the operator's rules are kept in the file");
    assert.match(conf, /iifname "eth0" tcp dport \{ 25 \} drop/);
  });

  it("firewall drift: a flushed table shows on refresh and the next up puts it back", async () => {
    hostShell("dpsend", "nft delete table inet smartos_mail_smtp");
    assert.equal(port25FromReceiver(), "greeting");
    const refreshed = await stack.refresh();
    assert.deepEqual(
      refreshed.filter((s) => s.drift).map((s) => s.name),
      ["firewall"],
    );
    const repair = await stack.up(program({ today: "2026-12-31", firewall: true }));
    assert.deepEqual(opsByName(repair), { firewall: "update", postfix: "same", rate: "same" });
    assert.equal(port25FromReceiver(), "dropped");
  });

  it("destroy: postconf -n, master.cf and the operator's firewall are as before; the map is gone; port 25 is open", async () => {
    const steps = await stack.destroy();
    assert.deepEqual(opsByName(steps), { firewall: "delete", postfix: "delete", rate: "delete" });
    assert.equal(hostShell("dpsend", "postconf -n").stdout, baseline.postconf);
    assert.equal(hostShell("dpsend", "cat /etc/postfix/master.cf").stdout, baseline.masterCf);
    assert.equal(hostShell("dpsend", `ls ${MAP} ${MAP}.db 2>/dev/null | wc -l`).stdout, "0\n");
    assert.equal(hostShell("dpsend", "cat /etc/nftables.conf").stdout, OPERATOR_NFT);
    assert.equal(hostShell("dpsend", "nft list tables").stdout, "table inet operator\n");
    assert.equal(port25FromReceiver(), "greeting");
  });
});
