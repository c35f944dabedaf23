/**
 * The README's demo: the README's Quick start, run for real. Three testbed hosts (DNS, sender,
 * receiving MX: real sshd, Postfix, OpenDKIM, nsd in network namespaces); `examples/send-only`
 * configured with `pulumi config set` and run by the real Pulumi engine (`pulumi preview`, `pulumi
 * up`, a second `pulumi up`, `pulumi refresh` after a hand edit, `pulumi up` again, `pulumi destroy`),
 * printing the CLI's own output; its Cloudflare records (the Cloudflare plugin emulator's) served by
 * the testbed's DNS; a message sent and the receiver's Authentication-Results printed; the queue
 * shape from this repository's CLI. Exits non-zero unless every step held; demo.test.ts runs it in CI.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { zoneIdOf, zonesOf } from "../harness/cloudflare-zones";
import { EXAMPLE_HOST_STATE, exampleProgram, exampleStack } from "../harness/example-stack";
import { OUTPUT_DIR } from "../harness/fixtures";
import type { ConfigEntry } from "../harness/pulumi-stack";
import { authenticationResults } from "../harness/receiver";
import { downHost, hostScript, hostShell, sshLogins, upHost } from "../harness/testbed";
import { zoneHead } from "../harness/zones";

// Test domains under .smtb, a TLD that exists only in the testbed's DNS.
const SENDER = "sender.smtb";
const RECEIVER = "receiver.smtb";
const ZONE_ID = zoneIdOf(SENDER);
const HOSTS = ["demodns", "demosend", "demorecv"] as const;
const ZONES = "/srv/smartos-mail-testbed/demo-zones";
/** The built CLI, run as a user runs it. */
const CLI = path.resolve(__dirname, "..", "..", "..", "packages", "cli", "dist", "main.js");
/** What the sender's Postfix is asked about after each step. */
const WATCHED = "postconf -n myhostname inet_interfaces smtp_tls_security_level smtpd_milters";

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
  const pristine = hostShell("demosend", EXAMPLE_HOST_STATE).stdout;

  // The CLI's output, as a user sees it in the terminal.
  const stack = exampleStack("send-only", "demo", { onOutput: (text) => process.stdout.write(text) });
  const program = exampleProgram("send-only");
  stack.seedCloudflare(zonesOf(SENDER));
  const config: ConfigEntry[] = [
    { key: "host", value: sender.host },
    { key: "hostKeyFingerprint", value: sender.hostKeyFingerprint },
    { key: "sshPrivateKey", value: sender.privateKey, secret: true },
    { key: "profile", value: "linux" },
    { key: "hostname", value: `mx.${SENDER}` },
    { key: "rootAlias", value: `postmaster@${SENDER}` },
    { key: "domains[0].domain", value: SENDER, path: true },
    { key: "domains[0].cloudflareZoneId", value: ZONE_ID, path: true },
    { key: "domains[0].dmarc.p", value: "reject", path: true },
    { key: "domains[0].dmarc.rua[0]", value: `mailto:dmarc@${SENDER}`, path: true },
    { key: "cloudflare:apiToken", value: "demo-token-for-the-cloudflare-emulator", secret: true },
  ];
  step("2. Configuring examples/send-only for the sender, as a user would:");
  for (const c of config) {
    const flags = `${c.secret ? "--secret " : ""}${c.path ? "--path " : ""}`;
    console.log(`   $ pulumi config set ${flags}${c.key} ${c.secret ? "<secret>" : c.value}`);
  }
  await stack.configure(config);

  step("3. $ pulumi preview");
  await stack.preview(program, { exports: true });

  step("4. $ pulumi up --yes");
  const created = await stack.up(program, { exports: true });
  console.log(`   The sender now has:\n${indent(hostShell("demosend", WATCHED).stdout)}`);

  step("5. Serving what went to (emulated) Cloudflare from the testbed's DNS, and sending a message ...");
  rmSync(ZONES, { recursive: true, force: true });
  mkdirSync(ZONES, { recursive: true });
  const published = stack.cloudflareZoneFile(ZONE_ID);
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
  hostShell(
    "demosend",
    `printf 'From: <news@${SENDER}>\\nTo: <bob@${RECEIVER}>\\nSubject: demo\\nMessage-ID: <demo@${SENDER}>\\n\\nHello from the demo.\\n' | sendmail -f news@${SENDER} bob@${RECEIVER}`,
  );
  const results = await authenticationResults("demorecv", "demo");
  console.log(indent(results));
  const authenticated = ["dkim=pass", "spf=pass", "dmarc=pass"].every((r) => results.includes(r));

  step("6. $ pulumi up --yes   (again: nothing to do, and no SSH connection)");
  const logins = sshLogins("demosend");
  const again = await stack.up(program, { exports: true });
  const unchanged = again.every((s) => s.op === "same") && sshLogins("demosend") === logins;
  console.log(`   SSH logins on the sender during this up: ${sshLogins("demosend") - logins}`);

  step("7. A hand edit on the sender (postconf -e smtp_tls_security_level=may), then $ pulumi refresh --yes");
  hostShell("demosend", "postconf -e smtp_tls_security_level=may && postfix reload");
  const refreshed = await stack.refresh();
  const driftSeen = refreshed.some((s) => s.name === "mail-postfix" && s.drift);

  step("8. $ pulumi up --yes --diff   (puts the sender back as the program says)");
  const repair = await stack.up(program, { exports: true, diff: true });
  const level = hostShell("demosend", "postconf -h smtp_tls_security_level").stdout.trim();
  const repaired = repair.some((s) => s.name === "mail-postfix" && s.op === "update") && level === "dane";
  console.log(`   smtp_tls_security_level on the sender: ${level}`);

  step("9. The receiving MX goes down; the sender's queue shape (this repository's CLI runs qshape over pinned SSH):");
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
  hostShell("demosend", "postsuper -d ALL deferred >/dev/null 2>&1");

  step("10. $ pulumi destroy --yes   (the sender as it was before step 4)");
  const destroyed = await stack.destroy();
  const restored = hostShell("demosend", EXAMPLE_HOST_STATE).stdout === pristine;
  console.log(`   The sender's Postfix, OpenDKIM, aliases and crontab are as before: ${restored}`);
  for (const name of HOSTS) downHost(name);

  const checks = {
    "every resource created": created.length > 0 && created.every((s) => s.op === "create"),
    "dkim=pass spf=pass dmarc=pass": authenticated,
    "second up: no changes, no SSH": unchanged,
    "refresh saw the hand edit": driftSeen,
    "up repaired it": repaired,
    "queue shown": queue.status === 0,
    "destroy restored the host": restored && destroyed.every((s) => s.op === "delete"),
  };
  const failed = Object.entries(checks).filter(([, ok]) => !ok);
  console.log(
    failed.length === 0
      ? `\nResult: PASS (${Object.keys(checks).join("; ")})`
      : `\nResult: FAIL (${failed.map(([what]) => what).join("; ")})`,
  );
  if (failed.length > 0) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  for (const name of HOSTS) downHost(name);
  process.exit(1);
});
