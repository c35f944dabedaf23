import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { SendOnlyMailServer, type SendOnlyMailServerArgs } from "../src/index";
import { cloudflareDataSources } from "./support/sdk-mocks";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";
const connection = { host: "203.0.113.7", privateKey: KEY, hostKeyFingerprint: `SHA256:${"A".repeat(43)}` };
const DKIM = `v=DKIM1; k=rsa; p=${"B".repeat(392)}`;
/** The SDK's marker of a secret value in registered inputs; connections are registered as secrets. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** A registered connection's host and host key fingerprint, from inside its secret wrapper. */
function hostOf(inputs: Record<string, unknown>): { host: string; hostKeyFingerprint: string } {
  const c = inputs.connection as Record<string, unknown>;
  assert.ok(SECRET_SIG in c, "the connection is registered as a secret");
  return c.value as { host: string; hostKeyFingerprint: string };
}

const ZONE_UUID = "2f1d4c0e-6b7a-4d3e-9a51-0c8e7f6d5b4a";
const ZONE_FP = `SHA256:${"Z".repeat(43)}`;

const guide: SendOnlyMailServerArgs = {
  connection,
  hostname: "mx.cospix.net",
  publicIpv4: ["203.0.113.7"],
  rootAlias: "ops@cospix.net",
  domains: [
    { domain: "cospix.net", cloudflareZoneId: "zone-cospix" },
    {
      domain: "example.org",
      cloudflareZoneId: "zone-example",
      selector: "s1",
      spf: [{ type: "a", domain: "mx.cospix.net" }, { type: "all" }],
    },
  ],
};

/** The resources the component registers under the SDK's mocks, by name, with their inputs. */
async function build(args: SendOnlyMailServerArgs) {
  const registered = new Map<string, pulumi.runtime.MockResourceArgs>();
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        registered.set(a.name, a);
        const dkim = a.name.includes("-dkim-")
          ? { dkimRecordName: `${a.inputs.selector}._domainkey.${a.inputs.domain}`, dkimRecordValue: DKIM }
          : {};
        const zone = a.type.endsWith(":SmartOsZone") ? { uuid: ZONE_UUID, primaryIp: "203.0.113.25" } : {};
        return { id: `${a.name}-id`, state: { ...a.inputs, ...dkim, ...zone } };
      },
      call: cloudflareDataSources(),
    },
    "proj",
    "stack",
    false,
  );
  const server = new SendOnlyMailServer("mail", args);
  const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
  const outputs = { dkimRecords: await value(server.dkimRecords), zoneFiles: await value(server.zoneFiles) };
  await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  return { registered, outputs };
}

describe("SendOnlyMailServer (SDK mocks)", () => {
  it("composes the guide's send-only server: loopback Postfix with DANE, a key and the records per domain", async () => {
    const { registered, outputs } = await build(guide);
    const names = [...registered.keys()].filter((n) => n !== "mail").sort();
    assert.deepEqual(
      names.filter((n) => !n.startsWith("mail-dns-")),
      ["mail-dkim-cospix.net", "mail-dkim-example.org", "mail-postfix"],
    );
    const postfix = registered.get("mail-postfix")!.inputs;
    assert.deepEqual(postfix.inetInterfaces, ["loopback-only"]);
    assert.deepEqual(postfix.mynetworks, ["$myhostname", "127.0.0.0/8", "[::1]/128"]);
    assert.deepEqual(postfix.clientTls, { securityLevel: "dane" });
    assert.equal(postfix.mydomain, "cospix.net");
    assert.equal(registered.get("mail-dkim-example.org")!.inputs.selector, "s1");
    assert.equal(registered.get("mail-dkim-cospix.net")!.inputs.selector, "default");
    assert.equal(registered.get("mail-dns-cospix.net-spf")!.inputs.content, '"v=spf1 ip4:203.0.113.7 -all"');
    assert.equal(registered.get("mail-dns-example.org-spf")!.inputs.content, '"v=spf1 a:mx.cospix.net -all"');
    assert.equal(registered.get("mail-dns-cospix.net-a-203.0.113.7")!.inputs.content, "203.0.113.7");
    assert.equal(
      registered.has("mail-dns-example.org-a-203.0.113.7"),
      false,
      "the host's A record lives in its own zone",
    );
    assert.equal(registered.get("mail-dns-example.org-dkim-s1")!.inputs.zoneId, "zone-example");
    assert.deepEqual(outputs.dkimRecords, {
      "default._domainkey.cospix.net": DKIM,
      "s1._domainkey.example.org": DKIM,
    });
    assert.match(
      outputs.zoneFiles["example.org"],
      /^_dmarc\.example\.org\.\s+300\s+IN\s+TXT\s+"v=DMARC1; p=none; rua=mailto:postmaster@example\.org"$/m,
    );
    assert.equal(registered.has("mail-rate"), false);
    assert.equal(registered.has("mail-firewall"), false);
  });

  it("the host's own mail (root, cron, the report) is local to the root alias and aligned with the domain holding its name", async () => {
    const { registered } = await build(guide);
    const postfix = registered.get("mail-postfix")!.inputs;
    assert.equal(postfix.myorigin, "$myhostname", "not Debian's /etc/mailname, not $mydomain (the guide's note)");
    assert.deepEqual(postfix.parameters, { mydestination: "$myhostname, localhost.$mydomain, localhost" });
    assert.deepEqual(registered.get("mail-dkim-cospix.net")!.inputs.subdomains, ["mx.cospix.net"]);
    assert.equal(registered.get("mail-dkim-example.org")!.inputs.subdomains, undefined);
    const hostSpf = registered.get("mail-dns-cospix.net-host-spf")!.inputs;
    assert.deepEqual([hostSpf.name, hostSpf.content], ["mx.cospix.net", '"v=spf1 ip4:203.0.113.7 -all"']);
    assert.equal(registered.has("mail-dns-example.org-host-spf"), false, "the host name is not in example.org");
    const noAddresses = await build({
      ...guide,
      publicIpv4: undefined,
      domains: [{ ...guide.domains[0], spf: [{ type: "mx" }, { type: "all" }] }],
    });
    assert.equal(
      [...noAddresses.registered.keys()].some((n) => n.endsWith("-host-spf")),
      false,
      "no addresses, no host SPF record",
    );
  });

  it("publishes the host's A record once when two domains in one zone hold its name (the most specific)", async () => {
    const { registered } = await build({
      ...guide,
      hostname: "mx.news.cospix.net",
      domains: [
        { domain: "cospix.net", cloudflareZoneId: "zone-cospix" },
        { domain: "news.cospix.net", cloudflareZoneId: "zone-cospix" },
      ],
    });
    const a = [...registered.values()].filter((r) => r.inputs.type === "A" && r.inputs.name === "mx.news.cospix.net");
    assert.deepEqual(
      a.map((r) => r.name),
      ["mail-dns-news.cospix.net-a-203.0.113.7"],
    );
  });

  it("relaying for a network listens on all interfaces, closes inbound 25 and trusts the network for signing", async () => {
    const { registered } = await build({ ...guide, relayNetworks: ["10.0.0.0/24"], publicInterface: "net1" });
    const postfix = registered.get("mail-postfix")!.inputs;
    assert.deepEqual(postfix.inetInterfaces, ["all"]);
    assert.deepEqual(postfix.mynetworks, ["$myhostname", "127.0.0.0/8", "[::1]/128", "10.0.0.0/24"]);
    assert.equal(registered.get("mail-firewall")!.inputs.interface, "net1");
    assert.deepEqual(registered.get("mail-dkim-cospix.net")!.inputs.trustedHosts, ["10.0.0.0/24"]);
  });

  it("refuses relayNetworks that cover the internet, unless allowOpenRelay says why", async () => {
    await assert.rejects(
      build({ ...guide, relayNetworks: ["0.0.0.0/1", "128.0.0.0/1"] }),
      /^Error: SendOnlyMailServer mail: relayNetworks: 0\.0\.0\.0\/1, 128\.0\.0\.0\/1 together cover every IPv4 address: any client on the internet may relay/,
    );
    const reason = "an isolated lab network with no route to the internet";
    const { registered } = await build({
      ...guide,
      relayNetworks: ["0.0.0.0/0"],
      allowOpenRelay: true,
      openRelayReason: reason,
    });
    const postfix = registered.get("mail-postfix")!.inputs;
    assert.equal(postfix.allowOpenRelay, true);
    assert.equal(postfix.openRelayReason, reason);
  });

  it("an authenticated relay requires TLS; rate limits get their own resource", async () => {
    const { registered } = await build({
      ...guide,
      relay: { host: "smtp.example.net", port: 587, username: "mailer", password: "s3cret" },
      rateLimits: { defaults: { recipientLimit: 20, rateDelay: "10s" } },
    });
    const postfix = registered.get("mail-postfix")!.inputs;
    assert.deepEqual(postfix.clientTls, { securityLevel: "encrypt" });
    assert.deepEqual(postfix.relayhost, { host: "smtp.example.net", port: 587 });
    assert.deepEqual(registered.get("mail-rate")!.inputs.defaults, { recipientLimit: 20, rateDelay: "10s" });
  });

  it("makes a SmartOS zone and its datasets first, then configures the zone through its own connection", async () => {
    const { connection: _, ...onHost } = guide;
    const { registered } = await build({
      ...onHost,
      zone: {
        globalZone: connection,
        manifest: { image_uuid: "088b97b0-e1a1-11e5-b895-9baa2086eb33", quota: 1000, delegate_dataset: true },
        ssh: { hostKeyFingerprint: ZONE_FP },
        capacityPlan: { sentGbPerMonth: 5, monthlyGrowth: 1.1 },
      },
    });
    const zone = registered.get("mail-zone")!;
    assert.match(zone.type, /:SmartOsZone$/);
    assert.equal(hostOf(zone.inputs).host, "203.0.113.7");
    assert.deepEqual(zone.inputs.capacityPlan, { sentGbPerMonth: 5, monthlyGrowth: 1.1 });
    const datasets = registered.get("mail-datasets")!.inputs;
    assert.equal(datasets.zoneUuid, ZONE_UUID);
    assert.deepEqual(datasets.capacityPlan, { sentGbPerMonth: 5, monthlyGrowth: 1.1 });
    assert.equal(datasets.zoneQuota, 1000, "the zone quota goes along: the datasets must fit in it");
    for (const child of ["mail-datasets", "mail-postfix", "mail-dkim-cospix.net"]) {
      const c = hostOf(registered.get(child)!.inputs);
      assert.equal(c.host, "203.0.113.25", `${child} reaches the zone at its primary address`);
      assert.equal(c.hostKeyFingerprint, ZONE_FP);
    }
  });

  it("without datasets: the zone only; archive and log report get their own resources on the host", async () => {
    const { connection: _, ...onHost } = guide;
    const { registered } = await build({
      ...onHost,
      profile: "linux",
      zone: {
        globalZone: connection,
        manifest: { image_uuid: "088b97b0-e1a1-11e5-b895-9baa2086eb33", brand: "lx" },
        ssh: { hostKeyFingerprint: ZONE_FP, host: "198.51.100.9" },
        datasets: false,
      },
      archive: { retentionDays: 30 },
      logReport: { reportTo: "ops@cospix.net" },
    });
    assert.equal(registered.has("mail-datasets"), false);
    const archive = registered.get("mail-archive")!;
    assert.match(archive.type, /:MailArchive$/);
    assert.equal(archive.inputs.retentionDays, 30);
    assert.equal(archive.inputs.profile, "linux");
    assert.equal(hostOf(archive.inputs).host, "198.51.100.9");
    const report = registered.get("mail-log-report")!;
    assert.match(report.type, /:MailLogReport$/);
    assert.equal(report.inputs.reportTo, "ops@cospix.net");
  });

  it("refuses both or neither of connection and zone", () => {
    const zone = {
      globalZone: connection,
      manifest: { image_uuid: "088b97b0-e1a1-11e5-b895-9baa2086eb33" },
      ssh: { hostKeyFingerprint: ZONE_FP },
    };
    assert.throws(() => new SendOnlyMailServer("both", { ...guide, zone }), /exactly one of connection .* and zone/);
    const { connection: _, ...neither } = guide;
    assert.throws(() => new SendOnlyMailServer("neither", neither), /exactly one of connection .* and zone/);
  });

  it("refuses a server with no sending domain", () => {
    assert.throws(() => new SendOnlyMailServer("bad", { ...guide, domains: [] }), /domains: list at least one/);
  });
});
