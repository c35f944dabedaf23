import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { SendOnlyMailServer } from "@smartos-mail/pulumi";
import { zoneIdOf, zonesOf } from "../harness/cloudflare-zones";
import { connectionTo, freshStack, suiteHost } from "../harness/fixtures";
import type { StepRecord } from "../harness/pulumi-stack";
import { authenticationResults } from "../harness/receiver";
import { hostScript, hostShell } from "../harness/testbed";
import { zoneHead } from "../harness/zones";

// The demo's path after day-2 address edits: SendOnlyMailServer's records at the Cloudflare emulator
// (which refuses a record identical to another, 81058, on create and update), served by the testbed's DNS,
// and a message judged by a real receiving MX.
const SENDER = "dns2.smtb";
const RECEIVER = "dns2rx.smtb";
const ZONE = zoneIdOf(SENDER);
const ZONES = "/srv/smartos-mail-testbed/dns2-zones";
/** An address the host no longer has: it is dropped, then given back, around the host's own. */
const OLD_ADDRESS = "198.51.100.7";
/** A record of the zone no stack manages. */
const WWW = { zoneId: ZONE, name: `www.${SENDER}`, type: "A", content: "198.51.100.80", ttl: 1 };

const changes = (steps: StepRecord[]) =>
  steps
    .filter((s) => s.op !== "same")
    .map((s) => `${s.op} ${s.name}`)
    .sort();

describe("SendOnlyMailServer after address edits: up, remove the first address, add it back, mail still passes", () => {
  const dns = suiteHost("dns2dns", 101);
  const sender = suiteHost("dns2send", 102);
  const receiver = suiteHost("dns2recv", 103);
  const stack = freshStack("dns-day2-delivery");
  const program = (publicIpv4: string[]) => () =>
    new SendOnlyMailServer("mail", {
      connection: connectionTo(sender()),
      profile: "linux",
      hostname: `mx.${SENDER}`,
      publicIpv4,
      rootAlias: `postmaster@${SENDER}`,
      domains: [{ domain: SENDER, cloudflareZoneId: ZONE, dmarc: { p: "reject", rua: [`mailto:dmarc@${SENDER}`] } }],
    });

  before(() => {
    for (const name of ["dns2send", "dns2recv"]) {
      const r = hostScript(name, "use-resolver.sh", [dns().host]);
      assert.equal(r.code, 0, r.stderr);
    }
    stack.seedCloudflare(zonesOf(SENDER), [WWW]);
  });

  it("up publishes an A record per address and the SPF record", async () => {
    const steps = await stack.up(program([OLD_ADDRESS, sender().host]));
    assert.ok(steps.every((s) => s.op === "create"));
    assert.match(stack.cloudflareZoneFile(ZONE), new RegExp(`^mx\\.dns2\\.smtb\\. 300 IN A ${OLD_ADDRESS}$`, "m"));
  });

  it("removing the first address deletes its A record and updates both SPF records (the domain's, the host name's), nothing else", async () => {
    const steps = await stack.up(program([sender().host]));
    assert.deepEqual(changes(steps), [
      `delete mail-dns-${SENDER}-a-${OLD_ADDRESS}`,
      `update mail-dns-${SENDER}-host-spf`,
      `update mail-dns-${SENDER}-spf`,
    ]);
  });

  it("adding it back at the end creates its A record and updates both SPF records, nothing else", async () => {
    const steps = await stack.up(program([sender().host, OLD_ADDRESS]));
    assert.deepEqual(changes(steps), [
      `create mail-dns-${SENDER}-a-${OLD_ADDRESS}`,
      `update mail-dns-${SENDER}-host-spf`,
      `update mail-dns-${SENDER}-spf`,
    ]);
  });

  it("the records as published get dkim=pass, spf=pass and dmarc=pass at the receiver", async () => {
    rmSync(ZONES, { recursive: true, force: true });
    mkdirSync(ZONES, { recursive: true });
    writeFileSync(path.join(ZONES, `${SENDER}.zone`), zoneHead(SENDER, dns().host, 1) + stack.cloudflareZoneFile(ZONE));
    writeFileSync(
      path.join(ZONES, `${RECEIVER}.zone`),
      `${zoneHead(RECEIVER, dns().host, 1)}${RECEIVER}. IN MX 10 mx.${RECEIVER}.\nmx.${RECEIVER}. IN A ${receiver().host}\n`,
    );
    const served = hostScript("dns2dns", "dns-server.sh", [ZONES]);
    assert.equal(served.code, 0, served.stderr);
    const verifying = hostScript("dns2recv", "receiver.sh", [RECEIVER, dns().host]);
    assert.equal(verifying.code, 0, verifying.stderr);
    const sent = hostShell(
      "dns2send",
      `printf 'From: <news@${SENDER}>\\nTo: <bob@${RECEIVER}>\\nSubject: day2\\nMessage-ID: <day2@${SENDER}>\\n\\nAfter the edits.\\n' | sendmail -f news@${SENDER} bob@${RECEIVER}`,
    );
    assert.equal(sent.code, 0, sent.stderr);
    const results = await authenticationResults("dns2recv", "day2");
    const log = () => hostShell("dns2send", "tail -n 8 /var/log/postfix.log").stdout;
    for (const verdict of ["dkim=pass", "spf=pass", "dmarc=pass"])
      assert.ok(results.includes(verdict), `${results}\n${log()}`);
  });

  it("destroy leaves the zone's other records alone", async () => {
    await stack.destroy();
    assert.equal(stack.cloudflareZoneFile(ZONE), `www.${SENDER}. 300 IN A 198.51.100.80\n`);
  });
});
