/**
 * The README's demo: three testbed hosts (DNS, sender, receiving MX), a
 * SendOnlyMailServer applied through the lifecycle harness as `pulumi up`
 * would, its Cloudflare records served by the testbed's DNS, a message sent
 * and the receiver's Authentication-Results printed, the queue shape from the
 * CLI, a second up that changes nothing, and destroy. Exits non-zero unless
 * all of that held; integration-tests/test/demo.test.ts runs it in CI.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { SendOnlyMailServer } from "@smartos-mail/pulumi";
import { connectionTo, freshStandInStack, OUTPUT_DIR } from "../harness/fixtures";
import { downHost, hostScript, hostShell, upHost } from "../harness/testbed";
import { zoneHead } from "../harness/zones";

// Test domains under .smtb, a TLD that exists only in the testbed's DNS.
const SENDER = "sender.smtb";
const RECEIVER = "receiver.smtb";
const ZONE_ID = "cloudflare-zone-sender";
const HOSTS = ["demodns", "demosend", "demorecv"] as const;
const ZONES = "/srv/smartos-mail-testbed/demo-zones";
/** The built CLI, run as a user runs it. */
const CLI = path.resolve(__dirname, "..", "..", "..", "packages", "cli", "dist", "main.js");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function step(text: string): void {
  console.log(`\n${text}`);
}

function indent(text: string): string {
  return text.replace(/^/gm, "     ").trimEnd();
}

async function main(): Promise<void> {
  step("1. Bringing up three testbed hosts (real sshd, Postfix, DNS in network namespaces) ...");
  const [dns, sender, receiver] = HOSTS.map((name, i) => upHost(name, 90 + i));
  console.log(`   DNS ${dns.host}, sender ${sender.host}, receiving MX ${receiver.host}`);
  for (const name of ["demosend", "demorecv"]) hostScript(name, "use-resolver.sh", [dns.host]);

  const stack = freshStandInStack("demo");
  const program = () => [
    new SendOnlyMailServer("mail", {
      connection: connectionTo(sender),
      profile: "linux",
      hostname: `mx.${SENDER}`,
      publicIpv4: [sender.host],
      rootAlias: `postmaster@${SENDER}`,
      domains: [{ domain: SENDER, cloudflareZoneId: ZONE_ID, dmarc: { p: "reject", rua: [`mailto:dmarc@${SENDER}`] } }],
    }),
  ];
  step("2. Applying SendOnlyMailServer through the harness (check, diff, create, as pulumi up) ...");
  const steps = await stack.up(program);
  console.log(indent(steps.map((s) => `${s.op} ${s.name}`).join("\n")));
  console.log("   postconf -n on the sender now has:");
  console.log(
    indent(
      hostShell("demosend", "postconf -n myhostname inet_interfaces smtp_tls_security_level smtpd_milters").stdout,
    ),
  );

  step("3. Serving what went to (emulated) Cloudflare from the testbed's DNS ...");
  rmSync(ZONES, { recursive: true, force: true });
  mkdirSync(ZONES, { recursive: true });
  const published = stack.cloudflare.zoneFile(ZONE_ID);
  console.log(indent(published));
  writeFileSync(path.join(ZONES, `${SENDER}.zone`), zoneHead(SENDER, dns.host, 1) + published);
  writeFileSync(
    path.join(ZONES, `${RECEIVER}.zone`),
    `${zoneHead(RECEIVER, dns.host, 1)}${RECEIVER}. IN MX 10 mx.${RECEIVER}.\nmx.${RECEIVER}. IN A ${receiver.host}\n`,
  );
  const served = hostScript("demodns", "dns-server.sh", [ZONES]);
  if (served.code !== 0) throw new Error(served.stderr);
  const verifying = hostScript("demorecv", "receiver.sh", [RECEIVER, dns.host]);
  if (verifying.code !== 0) throw new Error(verifying.stderr);

  step("4. Sending a message to the receiving MX, which verifies DKIM, SPF and DMARC ...");
  hostShell(
    "demosend",
    `printf 'From: <news@${SENDER}>\\nTo: <bob@${RECEIVER}>\\nSubject: demo\\nMessage-ID: <demo@${SENDER}>\\n\\nHello from the demo.\\n' | sendmail -f news@${SENDER} bob@${RECEIVER}`,
  );
  let results = "";
  for (let i = 0; i < 60 && !results; i++) {
    await sleep(500);
    const box = hostShell("demorecv", "cat /var/mail/root 2>/dev/null").stdout;
    const headers = box.split(/\n\n/)[0].replace(/\n[ \t]+/g, " ");
    results = headers
      .split("\n")
      .filter((l) => l.startsWith("Authentication-Results:"))
      .join("\n");
  }
  console.log(indent(results || "(nothing arrived in 30 s)"));
  const authenticated = ["dkim=pass", "spf=pass", "dmarc=pass"].every((r) => results.includes(r));

  step("5. The receiving MX goes down; the sender's queue shape (the CLI runs qshape over pinned SSH) ...");
  hostShell("demorecv", "postfix stop");
  hostShell("demosend", `printf 'Subject: later\\n\\nx\\n' | sendmail -f news@${SENDER} carol@${RECEIVER}`);
  // Bounded wait until the sender has deferred it (connection refused by the stopped MX).
  hostShell(
    "demosend",
    'i=0; while [ -z "$(find /var/spool/postfix/deferred -type f)" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done',
  );
  const key = path.join(OUTPUT_DIR, "demo-client-key");
  writeFileSync(key, sender.privateKey, { mode: 0o600 });
  const queue = spawnSync(
    process.execPath,
    [CLI, "queue", sender.host, "--fingerprint", sender.hostKeyFingerprint, "--identity", key, "-q", "deferred"],
    { encoding: "utf8", timeout: 120_000 },
  );
  console.log(
    indent(
      `$ smartos-mail queue ${sender.host} --fingerprint … --identity … -q deferred\n${queue.stdout}${queue.stderr}`,
    ),
  );

  hostShell("demorecv", "postfix start");

  step("6. Running it again: a second up changes nothing ...");
  const again = await stack.up(program);
  const unchanged = again.every((s) => s.op === "same");
  console.log(`   ${unchanged ? "no changes" : again.map((s) => `${s.op} ${s.name}`).join(", ")}`);

  step("7. Destroying the stack (dependents first, as the engine orders it) and the hosts ...");
  const destroyed = await stack.destroy();
  console.log(indent(destroyed.map((s) => `${s.op} ${s.name}`).join("\n")));
  for (const name of HOSTS) downHost(name);
  const passed = authenticated && queue.status === 0 && unchanged;
  console.log(
    passed
      ? "\nResult: PASS (dkim=pass, spf=pass, dmarc=pass; queue shown; second up changed nothing)"
      : `\nResult: FAIL (authenticated: ${authenticated}, queue exit ${queue.status}, second up unchanged: ${unchanged})`,
  );
  if (!passed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  for (const name of HOSTS) downHost(name);
  process.exit(1);
});
