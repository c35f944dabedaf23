import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { InboundSmtpFirewall, MailArchive, OpenDkimKey, PostfixConfig, RateLimitTransport } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, OUTPUT_DIR, SMTP_CLIENT_TIMEOUTS } from "../harness/fixtures";
import { filesUnder, findSecrets, hostLogs } from "../harness/secret-scan";
import { sessionsRefusedAtOnce } from "../harness/session-limit";
import { downHost, hostShell, sshLogins, type TestbedHost, upHosts } from "../harness/testbed";

const HOSTS = Array.from({ length: 10 }, (_, i) => ({ name: `rsload${i}`, index: 52 + i }));
/** The host that also carries eleven more resources: twelve at once on one host. */
const SHARED = HOSTS[0].name;
/**
 * One operation on every host at once may take this long (10 hosts, 21 resources, two 2048-bit keys): a bound
 * against hangs, wide because test files share two cores (with the machine loaded, a create took 6 minutes).
 */
const UP_MS = 480_000;
const SASL_MAP = "/etc/postfix/sasl/smtp_passwd";
/**
 * OpenSSH's default MaxSessions (sessions on one connection), which the
 * testbed keeps: the shared host's 12 resources at once would go past it
 * without the pool's per-host limit of 4 channels. (A limit just above 4 is
 * no proof: sshd frees a closed session only after handling the packets that
 * came with its close, so a next open in the same read is refused.)
 */
const SSHD_MAX_SESSIONS = 10;
/** PostfixConfig resources of their own on the shared host: a client timeout each, `100 + i + round` seconds. */
const TIMEOUTS = SMTP_CLIENT_TIMEOUTS.slice(0, 6);
/** What sshd logs when a client goes past MaxStartups or MaxSessions. */
const SSHD_LIMITS = /MaxStartups|MaxSessions|no more sessions|past Max|drop connection/;

const password = (i: number, round: number) => `load-relay-${i}-round-${round} "q" $x`;

/** Every resource of the program for `round`: a PostfixConfig per host, and eleven more on the shared host. */
function program(hosts: TestbedHost[], round: number): () => pulumi.Resource[] {
  return () => {
    const shared = connectionTo(hosts[0]);
    return [
      ...hosts.map(
        (h, i) =>
          new PostfixConfig(`postfix-${i}`, {
            connection: connectionTo(h),
            profile: "linux",
            myhostname: `mx${i}-r${round}.load.example`,
            mynetworks: ["127.0.0.0/8", `198.18.${round}.0/24`],
            relayhost: { host: `relay${i}.load.example`, port: 587 },
            saslRelay: { username: `mailer${i}`, password: password(i, round) },
            rootAlias: `ops${i}-r${round}@load.example`,
            parameters: { smtpd_banner: `$myhostname ESMTP load ${i} round ${round}` },
          }),
      ),
      ...TIMEOUTS.map(
        (parameter, i) =>
          new PostfixConfig(`timeout-${parameter}`, {
            connection: shared,
            profile: "linux",
            parameters: { [parameter]: `${100 + i + round}s` },
          }),
      ),
      new OpenDkimKey("dkim-a", {
        connection: shared,
        profile: "linux",
        domain: "a.load.example",
        selector: "load",
        trustedHosts: round === 0 ? [] : ["198.18.0.0/24"],
      }),
      new OpenDkimKey("dkim-b", {
        connection: shared,
        profile: "linux",
        domain: "b.load.example",
        selector: "load",
        signing: round === 0,
      }),
      new RateLimitTransport("rate", {
        connection: shared,
        profile: "linux",
        defaults: { recipientLimit: 20 + round, rateDelay: "1s" },
        transports: [{ name: "smtp-load", recipientLimit: 10, rateDelay: `${5 + round}s`, domains: ["load.example"] }],
      }),
      new MailArchive("archive", {
        connection: shared,
        profile: "linux",
        retentionDays: 100 + round,
      }),
      new InboundSmtpFirewall("firewall", {
        connection: shared,
        profile: "linux",
        ports: round === 0 ? [25] : [25, 465],
      }),
    ];
  };
}

function on(host: string, command: string): string {
  const r = hostShell(host, command);
  assert.equal(r.code, 0, `${host}: ${command}: ${r.stderr}`);
  return r.stdout;
}

function postconfN(host: string): string[] {
  return on(host, "postconf -n").split("\n");
}

/** Every value of `round` is live on every host: nothing a concurrent resource did was lost. */
function assertAllPresent(round: number): void {
  HOSTS.forEach(({ name }, i) => {
    const n = postconfN(name);
    for (const line of [
      `myhostname = mx${i}-r${round}.load.example`,
      `mynetworks = 127.0.0.0/8, 198.18.${round}.0/24`,
      `relayhost = [relay${i}.load.example]:587`,
      `smtpd_banner = $myhostname ESMTP load ${i} round ${round}`,
      `smtp_sasl_password_maps = hash:${SASL_MAP}`,
    ]) {
      assert.ok(n.includes(line), `${name}: round ${round}: missing "${line}"`);
    }
    assert.equal(
      on(name, `postmap -q '[relay${i}.load.example]:587' hash:${SASL_MAP}`),
      `mailer${i}:${password(i, round)}\n`,
    );
    assert.equal(on(name, "postalias -q root hash:/etc/aliases"), `ops${i}-r${round}@load.example\n`);
    assert.equal(hostShell(name, "postfix status >/dev/null 2>&1").code, 0, `${name}: Postfix is not running`);
  });
  const n = postconfN(SHARED);
  for (const line of [
    ...TIMEOUTS.map((parameter, i) => `${parameter} = ${100 + i + round}s`),
    `smtp_destination_recipient_limit = ${20 + round}`,
    "smtp_destination_rate_delay = 1s",
    `smtp-load_destination_rate_delay = ${5 + round}s`,
    "smtp-load_destination_recipient_limit = 10",
    "always_bcc = mailarchive@localhost",
    "milter_default_action = accept",
  ]) {
    assert.ok(n.includes(line), `${SHARED}: round ${round}: missing "${line}"`);
  }
  assert.match(n.find((l) => l.startsWith("smtpd_milters = ")) ?? "", /opendkim/, "the DKIM milter");
  assert.match(n.find((l) => l.startsWith("transport_maps = ")) ?? "", /hash:\/etc\/postfix\/transport/);
  assert.match(on(SHARED, "postconf -M smtp-load/unix"), /^smtp-load\s+unix\s/);
  assert.equal(on(SHARED, "postmap -q load.example hash:/etc/postfix/transport"), "smtp-load:\n");
  const keyTable = on(SHARED, "cat /var/db/opendkim/KeyTable");
  for (const d of ["a.load.example", "b.load.example"]) {
    assert.match(keyTable, new RegExp(`^load\\._domainkey\\.${d.replaceAll(".", "\\.")} `, "m"), `KeyTable: ${d}`);
  }
  const signing = on(SHARED, "cat /var/db/opendkim/SigningTable");
  assert.match(signing, /a\.load\.example/);
  assert.equal(/b\.load\.example/.test(signing), round === 0, "dkim-b signs only in round 0");
  assert.match(on(SHARED, "postalias -q mailarchive hash:/etc/aliases"), /^\/var\/mail\/archive\/current$/m);
  assert.match(on(SHARED, "crontab -l"), /mail_rotate\.sh/);
  assert.match(on(SHARED, "cat /root/scripts/mail_rotate.sh"), new RegExp(`^DAYS='?${100 + round}'?$`, "m"));
  const nft = on(SHARED, "nft list table inet smartos_mail_smtp");
  assert.match(nft, round === 0 ? /tcp dport (\{ )?25( \})? drop/ : /tcp dport \{ 25, 465 \} drop/);
}

describe("load: one provider process, 10 hosts at once and 12 resources on one host at once", () => {
  let hosts: TestbedHost[] = [];
  /** Each host's `postconf -n` before the test, sorted. */
  let original: string[][] = [];
  /** Sessions the shared host's sshd refused when the control opened more than SSHD_MAX_SESSIONS at once. */
  let controlRefused = 0;
  before(async () => {
    for (const { name } of HOSTS) downHost(name);
    hosts = await upHosts(HOSTS);
    original = HOSTS.map(({ name }) => postconfN(name).sort());
    controlRefused = await sessionsRefusedAtOnce(hosts[0], SSHD_MAX_SESSIONS + 2);
    // The control's refusals are logged; the test below reads only what the resources caused.
    on(SHARED, ": >/var/log/sshd.log");
  });
  after(() => {
    for (const { name } of HOSTS) downHost(name);
  });
  const stack = freshStack("load", { parallel: 32 });
  const dkimKeys: string[] = [];

  /** Runs one operation, bounded in time, and checks that each host got exactly one SSH login: the pool. */
  async function timed<T>(what: string, op: () => Promise<T>): Promise<T> {
    const before = HOSTS.map(({ name }) => sshLogins(name));
    const started = Date.now();
    const result = await op();
    const took = Date.now() - started;
    assert.ok(took < UP_MS, `${what} took ${took} ms`);
    assert.deepEqual(
      HOSTS.map(({ name }, i) => sshLogins(name) - before[i]),
      HOSTS.map(() => 1),
      `${what}: one pooled connection per host`,
    );
    return result;
  }

  it("create: 21 resources on 10 hosts in one up, every step succeeds, every value is there", async () => {
    const steps = await timed("create", () => stack.up(program(hosts, 0)));
    assert.equal(steps.length, 21);
    assert.ok(steps.every((s) => s.op === "create"));
    assertAllPresent(0);
    for (const k of ["dkim-a", "dkim-b"]) dkimKeys.push(String(stack.resource(k)!.outputs.privateKey));
  });

  it("update: every resource changes at once, nothing is lost", async () => {
    const steps = await timed("update", () => stack.up(program(hosts, 1)));
    assert.deepEqual(
      steps.filter((s) => s.op !== "update").map((s) => s.name),
      [],
    );
    assertAllPresent(1);
  });

  it("refresh of all at once shows no drift", async () => {
    const steps = await timed("refresh", () => stack.refresh());
    assert.deepEqual(
      steps.filter((s) => s.drift).map((s) => s.name),
      [],
    );
  });

  it("destroy: every resource removed at once, each host's main.cf back to what it was", async () => {
    const steps = await timed("destroy", () => stack.destroy());
    assert.equal(steps.length, 21);
    HOSTS.forEach(({ name }, i) => {
      // Sorted: a parameter put back after its removal lands at the end of main.cf.
      assert.deepEqual(postconfN(name).sort(), original[i], `${name}: postconf -n`);
    });
  });

  it(`the control: the shared host's sshd refuses sessions past MaxSessions ${SSHD_MAX_SESSIONS}`, () => {
    assert.equal(controlRefused, 2);
  });

  it("no sshd log shows MaxStartups or MaxSessions trouble", () => {
    for (const { name } of HOSTS) {
      const log = on(name, "cat /var/log/sshd.log");
      assert.ok(/Accepted publickey/.test(log), `${name}: no login in the sshd log`);
      assert.deepEqual(
        log.split("\n").filter((l) => SSHD_LIMITS.test(l)),
        [],
        `${name}: sshd limits`,
      );
    }
  });

  it("no SASL password, SSH key or DKIM key in the state, the provider log or any host's logs", () => {
    assert.equal(dkimKeys.length, 2);
    const secrets = [
      ...HOSTS.flatMap((_, i) => [0, 1].map((r) => ({ name: `SASL password ${i}/${r}`, value: password(i, r) }))),
      { name: "SSH private key", value: hosts[0].privateKey },
      ...dkimKeys.map((value, i) => ({ name: `DKIM key ${i}`, value })),
    ];
    const hits = findSecrets(secrets, [
      ...filesUnder(stack.options.dir, OUTPUT_DIR),
      ...HOSTS.flatMap(({ name }) => hostLogs(name)),
    ]);
    assert.deepEqual(hits, []);
  });
});
