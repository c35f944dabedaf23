/**
 * The upgrade hazards found in the history (shared/research/upgrade-safety.md,
 * §3.4): state shaped as the commit before each change wrote it, written out
 * as it was stored (not built with today's code), fed to today's providers.
 * Each of these threw, or hid a fix from the host, before stored state was
 * read with the storage schema and migrated.
 */
import assert from "node:assert/strict";
import { after, describe, it, mock } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { bounceReportProgram, bounceReportSha256 } from "../src/monitoring/bounce-report";
import { reportCronLine } from "../src/monitoring/pflogsumm";
import { mailLogReportProvider } from "../src/providers/mail-log-report";
import { postfixConfigProvider } from "../src/providers/postfix-config";
import { smartOsZoneProvider } from "../src/providers/smartos-zone";
import { STATE_VERSION } from "../src/providers/state-version";
import { zoneDatasetsProvider } from "../src/providers/zone-datasets";
import { platform } from "../src/remote/platform";
import { closeAllConnections } from "../src/remote/pool";
import { KEY } from "./support/check-inputs";

/**
 * A connection as check stored it (defaults filled in) to a loopback port
 * where nothing listens: a hook that gets past reading the state fails to
 * connect, and says so, instead of running anything.
 */
const connection = {
  host: "127.0.0.1",
  port: 1,
  user: "root",
  privateKey: KEY,
  hostKeyFingerprint: `SHA256:${"A".repeat(43)}`,
};
const ZONE = "1f2977ae-56bd-4730-8d72-99b03cb40ddb";
const IMAGE = "088b97b0-e1a1-11e5-b895-9baa2086eb33";

after(closeAllConnections);

/** The provider's diff of stored `olds` against the inputs the fixed program sends, as check returned them. */
async function diffAfterCheck(
  provider: pulumi.dynamic.ResourceProvider,
  olds: Record<string, unknown>,
  program: Record<string, unknown>,
): Promise<pulumi.dynamic.DiffResult> {
  const checked = await provider.check!(olds, { __provider: "p", ...program });
  assert.deepEqual(checked.failures ?? [], [], "the fixed program passes check");
  return provider.diff!("id", olds, checked.inputs);
}

/** Read (refresh) and delete (destroy) of `olds` get past reading the state: they fail only at the connection. */
async function readAndDeleteReachTheHost(provider: pulumi.dynamic.ResourceProvider, olds: Record<string, unknown>) {
  await assert.rejects(provider.read!("id", olds), /cannot connect to root@127\.0\.0\.1:1/);
  await assert.rejects(provider.delete!("id", olds), /cannot connect to root@127\.0\.0\.1:1/);
}

/** PostfixConfig as stored before fb98275 (no allowOpenRelay input, no openRelay output). */
function postfixBefore(inputs: Record<string, unknown>, applied: Record<string, string | null>) {
  return {
    __provider: "p",
    connection,
    profile: "smartos",
    parameters: {},
    ...inputs,
    applied,
    previous: { parameters: Object.fromEntries(Object.keys(applied).map((k) => [k, null])) },
  };
}

describe("upgrade hazards: state earlier versions wrote, read by this one", () => {
  it("1 (72874ec): mynetworks entries accepted before (1.2.3, 010.0.0.0/8); the user fixed the program", async () => {
    for (const entry of ["1.2.3", "010.0.0.0/8"]) {
      const olds = postfixBefore({ mynetworks: ["127.0.0.0/8", entry] }, { mynetworks: `127.0.0.0/8, ${entry}` });
      const d = await diffAfterCheck(postfixConfigProvider, olds, {
        connection,
        mynetworks: ["127.0.0.0/8", "10.0.0.0/8"],
      });
      assert.deepEqual([d.changes, d.replaces], [true, []]);
      await readAndDeleteReachTheHost(postfixConfigProvider, olds);
    }
  });

  it("2 (fb98275): an open relay from before the relay rule; the user set allowOpenRelay and a reason", async () => {
    const olds = postfixBefore(
      { mynetworks: ["0.0.0.0/0"], inetInterfaces: ["all"] },
      { mynetworks: "0.0.0.0/0", inet_interfaces: "all" },
    );
    const d = await diffAfterCheck(postfixConfigProvider, olds, {
      connection,
      mynetworks: ["0.0.0.0/0"],
      inetInterfaces: ["all"],
      allowOpenRelay: true,
      openRelayReason: "an isolated lab network with no route to the internet",
    });
    assert.deepEqual([d.changes, d.replaces], [true, []]);
    await readAndDeleteReachTheHost(postfixConfigProvider, olds);
  });

  it("3 (c4a19df): always_bcc in parameters; the user moved it to MailArchive", async () => {
    const olds = postfixBefore(
      { myhostname: "mx.example.com", parameters: { always_bcc: "mailarchive@localhost" } },
      { myhostname: "mx.example.com", always_bcc: "mailarchive@localhost" },
    );
    const d = await diffAfterCheck(postfixConfigProvider, olds, { connection, myhostname: "mx.example.com" });
    assert.deepEqual([d.changes, d.replaces], [true, []]);
    await readAndDeleteReachTheHost(postfixConfigProvider, olds);
  });

  /** A SmartOsZone as stored before 75733c2: no rebootForChanges/readinessPort/firewallAllowsSsh, no activeNics/pendingReboot. */
  const zoneBefore = (manifest: Record<string, unknown>, nic: Record<string, unknown> = {}) => {
    const nics = [{ nic_tag: "admin", ips: ["203.0.113.25/24"], gateways: ["203.0.113.1"], primary: true, ...nic }];
    const live = {
      uuid: ZONE,
      state: "running",
      brand: "joyent",
      image_uuid: IMAGE,
      delegate_dataset: true,
      datasets: [`zones/${ZONE}/data`],
      nics: nics.map((n) => ({ interface: "net0", mac: "90:b8:d0:7b:52:1e", ...n })),
      customer_metadata: {},
      internal_metadata: {},
      tags: {},
      hostname: "mx1",
      max_physical_memory: 1024,
      max_locked_memory: 1024,
      max_swap: 1024,
      quota: 1000,
      ...manifest,
    };
    return {
      __provider: "p",
      connection,
      manifest: { brand: "joyent", image_uuid: IMAGE, delegate_dataset: true, hostname: "mx1", nics, ...manifest },
      uuid: ZONE,
      live,
      state: "running",
      primaryIp: "203.0.113.25",
      ips: ["203.0.113.25"],
      delegatedDataset: `zones/${ZONE}/data`,
    };
  };

  it("4a (75733c2): a zone with firewall_enabled from before firewallAllowsSsh; the user added it", async () => {
    const olds = zoneBefore({ firewall_enabled: true });
    const d = await diffAfterCheck(smartOsZoneProvider, olds, {
      connection,
      manifest: olds.manifest,
      firewallAllowsSsh: true,
    });
    assert.deepEqual([d.changes, d.replaces], [true, []]);
    await readAndDeleteReachTheHost(smartOsZoneProvider, olds);
  });

  it("4b (75733c2): a hostname changed with vmadm update before it became create-only is not a replacement", async () => {
    // vmadm stored the new name (the zone's OS never got it): live and manifest agree, so only a later edit replaces.
    const olds = zoneBefore({ hostname: "mx2" });
    const d = await diffAfterCheck(smartOsZoneProvider, olds, { connection, manifest: olds.manifest });
    assert.deepEqual([d.changes, d.replaces], [false, []]);
  });

  it("5 (abb3451): allowed_ips, fs_allowed and agentSocket as accepted before; the user fixed them", async () => {
    const olds = {
      ...zoneBefore({ fs_allowed: "ufs, pcfs" }, { allowed_ips: ["not-an-address"] }),
      connection: { ...connection, agentSocket: "/run/agent\n.sock" },
    };
    const d = await diffAfterCheck(smartOsZoneProvider, olds, {
      connection,
      manifest: {
        ...olds.manifest,
        fs_allowed: "ufs,pcfs",
        nics: [{ ...olds.manifest.nics[0], allowed_ips: ["203.0.113.26"] }],
      },
    });
    assert.deepEqual([d.changes, d.replaces], [true, []]);
    await readAndDeleteReachTheHost(smartOsZoneProvider, olds);
  });

  /** MailLogReport as stored: its inputs, the log it resolved and the cron line it found. */
  const logReport = (profile: "smartos" | "linux", inputs: Record<string, unknown>, log: string) => {
    const settings = { reportTo: "root", hour: 0, minute: 10, day: "yesterday" as const };
    return {
      __provider: "p",
      connection,
      profile,
      ...settings,
      ...inputs,
      reportedLog: log,
      cronLine: reportCronLine(platform(profile).path, "root", { ...settings, logFile: log }),
    };
  };

  it("6 (4aa528c): logFile /var/log//mail.log, accepted before; the user fixed it", async () => {
    const olds = logReport("linux", { logFile: "/var/log//mail.log" }, "/var/log//mail.log");
    const d = await diffAfterCheck(mailLogReportProvider, olds, {
      connection,
      profile: "linux",
      logFile: "/var/log/mail.log",
    });
    assert.deepEqual([d.changes, d.replaces], [true, []]);
    await readAndDeleteReachTheHost(mailLogReportProvider, olds);
  });

  it("7 (97a8688): ZoneDatasets from before zoneQuota; the component now passes it: no change", async () => {
    const datasets = {
      root: `zones/${ZONE}/data`,
      mail: `zones/${ZONE}/data/mail`,
      spool: `zones/${ZONE}/data/mail/postfix`,
    };
    const quota = (q: number) => ({ quota: q * 1024 ** 3 });
    const olds = {
      __provider: "p",
      connection,
      zoneUuid: ZONE,
      mailQuota: 980,
      spoolQuota: 10,
      live: {
        mail: { mountpoint: "/var/mail", ...quota(980) },
        spool: { mountpoint: "/var/spool/postfix", ...quota(10) },
      },
      previous: { rootMountpoint: { mountpoint: `/zones/${ZONE}/data`, source: "default" }, removed: [] },
      datasets,
    };
    const program = { connection, zoneUuid: ZONE, mailQuota: 980, spoolQuota: 10 };
    assert.equal((await diffAfterCheck(zoneDatasetsProvider, olds, { ...program, zoneQuota: 1000 })).changes, false);
    // A quota that changes is still a change.
    assert.equal((await diffAfterCheck(zoneDatasetsProvider, olds, { ...program, mailQuota: 900 })).changes, true);
  });

  it("8 (87975cd): the SmartOS default log stored with its quotes; preview shows the update that repairs the line", async () => {
    const olds = logReport("smartos", {}, "'/var/log/syslog'");
    const d = await diffAfterCheck(mailLogReportProvider, olds, { connection, profile: "smartos" });
    assert.deepEqual([d.changes, d.replaces], [true, []]);
  });

  it("11: state from a newer version is refused, naming both state versions", async () => {
    const olds = { ...logReport("linux", {}, "/var/log/mail.log"), stateVersion: STATE_VERSION + 1 };
    const program = { connection, profile: "linux" };
    await assert.rejects(
      diffAfterCheck(mailLogReportProvider, olds, program),
      new RegExp(`state version ${STATE_VERSION + 1}.*up to ${STATE_VERSION}`),
    );
    await assert.rejects(mailLogReportProvider.delete!("id", olds), /written by a newer @smartos-mail\/pulumi/);
  });

  it("a stored key this version does not know is kept and reported, not thrown", async (t) => {
    const warn = t.mock.method(console, "warn", () => undefined);
    const olds = {
      ...logReport("linux", {}, "/var/log/mail.log"),
      scriptSha256: bounceReportSha256(bounceReportProgram()),
      stateVersion: STATE_VERSION,
      colour: "blue",
    };
    const d = await diffAfterCheck(mailLogReportProvider, olds, { connection, profile: "linux" });
    assert.equal(d.changes, false);
    assert.match(String(warn.mock.calls[0]?.arguments[0]), /MailLogReport: .*does not know: colour\. They are kept/);
    mock.restoreAll();
  });
});
