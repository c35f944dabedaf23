import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import {
  type ConnectionArgs,
  SmartOsZone,
  ZoneDatasets,
  type ZoneDatasetsArgs,
  type ZoneManifestArgs,
  type ZoneNicArgs,
} from "@smartos-mail/pulumi";
import { connectionTo, freshStack, suiteHost } from "../harness/fixtures";
import { CheckFailedError, type StepRecord } from "../harness/pulumi-stack";
import { smtpSmokeTest } from "../harness/smtp";
import { hostShell, sshCommands, withoutSsh } from "../harness/testbed";

const HOST = "szgz";
const ZONE_IP = "198.18.0.37";
const GUIDE_IMAGE = "088b97b0-e1a1-11e5-b895-9baa2086eb33";
const NEWER_IMAGE = "5e1d7e57-0000-4000-8000-00000000b002";
const METADATA_SECRET = "mdata-token-7f3a";
/** A send-only server with the guide's other assumptions: the plan needs ~28.3 GB of zone. */
const PLAN = { sentGbPerMonth: 5, monthlyGrowth: 1.1 };
/** The guide's nic on the testbed's network and nic tag. */
const PRIMARY_NIC: ZoneNicArgs = {
  nic_tag: "external",
  ips: [`${ZONE_IP}/24`, "addrconf"],
  gateways: ["198.18.0.1"],
  primary: true,
};

function sh(command: string): string {
  const r = hostShell(HOST, command);
  assert.equal(r.code, 0, `${command} failed: ${r.stderr}`);
  return r.stdout;
}

function vmadmGet(uuid: string): Record<string, unknown> {
  return JSON.parse(sh(`vmadm get ${uuid}`));
}

function zfsGet(property: string, dataset: string): string {
  return sh(`zfs get -H -o value ${property} ${dataset}`).trim();
}

/** Each step's resource name and operation, by name (the harness runs resources in parallel). */
function ops(steps: StepRecord[]): [string, string][] {
  return steps.map((s): [string, string] => [s.name, s.op]).sort(([a], [b]) => a.localeCompare(b));
}

/** Held messages as sender -> recipient (queue file names change when the queue moves: they carry inode numbers). */
function held(): string[] {
  return sh("/opt/local/sbin/postqueue -j")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { queue_name: string; sender: string; recipients: { address: string }[] })
    .filter((m) => m.queue_name === "hold")
    .map((m) => `${m.sender} -> ${m.recipients.map((r) => r.address).join(",")}`);
}

function eth0(): string {
  return sh("ip -4 -o addr show dev eth0");
}

describe("SmartOsZone and ZoneDatasets lifecycle on an emulated SmartOS global zone", () => {
  const host = suiteHost(HOST, 20, "smartos");
  const stack = freshStack("smartos-zone-lifecycle");
  let globalZone: ConnectionArgs;
  let manifest: ZoneManifestArgs;
  let datasets: ZoneDatasetsArgs | undefined;
  let rebootForChanges = false;
  let uuid: string;
  const program = () => [
    new SmartOsZone("mx1", { connection: globalZone, manifest, capacityPlan: PLAN, rebootForChanges }),
    ...(datasets ? [new ZoneDatasets("mail-datasets", datasets)] : []),
  ];
  const zoneOutputs = () => stack.resource("mx1")!.outputs as Record<string, unknown>;

  before(() => {
    globalZone = connectionTo(host());
    // The guide's zone, on the testbed's network.
    manifest = {
      alias: "cospix.pdx0.mx1",
      hostname: "cospix-pdx0-mx1",
      brand: "joyent",
      image_uuid: GUIDE_IMAGE,
      max_physical_memory: 1024,
      cpu_cap: 100,
      quota: 1000,
      delegate_dataset: true,
      nics: [PRIMARY_NIC],
      resolvers: ["8.8.8.8", "8.8.4.4"],
      customer_metadata: { "provision-token": pulumi.secret(METADATA_SECRET) },
    };
  });

  it("preview refuses a zone quota below the capacity plan, with the numbers, before anything runs", async () => {
    const commands = sshCommands(HOST).length;
    const small = () => [
      new SmartOsZone("mx1", { connection: globalZone, manifest: { ...manifest, quota: 20 }, capacityPlan: PLAN }),
    ];
    await assert.rejects(stack.up(small), (err: Error) => {
      assert.ok(err instanceof CheckFailedError);
      assert.match(
        err.message,
        /manifest\.quota: the zone quota of 20 GB is less than the 28\.\d GB the capacity plan needs there \(queue 8\.\d GB \+ system 20 GB\); raise it to the recommended \d+ GB/,
      );
      return true;
    });
    assert.equal(sshCommands(HOST).length, commands);
    assert.equal(sh("vmadm list -p -H -o uuid"), "");
  });

  it("create: the image is imported, vmadm creates the guide's zone with its quota and delegated dataset, its address answers", async () => {
    const before = sshCommands(HOST).length;
    assert.equal(hostShell(HOST, `imgadm get ${GUIDE_IMAGE}`).code, 1, "the image is not installed yet");
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["create"],
    );
    uuid = zoneOutputs().uuid as string;
    assert.equal(sh("vmadm list -p -H -o uuid"), `${uuid}\n`);
    const vm = vmadmGet(uuid);
    for (const [k, v] of Object.entries({
      alias: "cospix.pdx0.mx1",
      hostname: "cospix-pdx0-mx1",
      brand: "joyent",
      image_uuid: GUIDE_IMAGE,
      max_physical_memory: 1024,
      cpu_cap: 100,
      quota: 1000,
      state: "running",
    })) {
      assert.equal(vm[k], v, k);
    }
    assert.deepEqual(vm.resolvers, ["8.8.8.8", "8.8.4.4"]);
    assert.deepEqual(vm.datasets, [`zones/${uuid}/data`]);
    assert.deepEqual(vm.customer_metadata, { "provision-token": METADATA_SECRET });
    assert.match(
      sh("imgadm list -H -o uuid,name,version"),
      new RegExp(`^${GUIDE_IMAGE}\\s+base-64-lts\\s+15\\.4\\.1$`, "m"),
    );
    assert.equal(zfsGet("quota", `zones/${uuid}`), "1000G");
    assert.equal(zfsGet("zoned", `zones/${uuid}/data`), "on");
    assert.deepEqual(
      {
        primaryIp: zoneOutputs().primaryIp,
        ips: zoneOutputs().ips,
        delegatedDataset: zoneOutputs().delegatedDataset,
        state: zoneOutputs().state,
      },
      { primaryIp: ZONE_IP, ips: [ZONE_IP], delegatedDataset: `zones/${uuid}/data`, state: "running" },
    );
    assert.match(eth0(), new RegExp(`inet ${ZONE_IP.replaceAll(".", "\\.")}/24`));
    const run = sshCommands(HOST).slice(before);
    assert.equal(run.length, 1, "one remote command");
    assert.match(run[0], /imgadm import -q '088b97b0-e1a1-11e5-b895-9baa2086eb33'/);
    assert.match(run[0], /vmadm create/);
    assert.ok(!run[0].includes(METADATA_SECRET), "the manifest reaches vmadm on stdin, not in the command");
    for (const file of [stack.statePath, stack.logPath]) {
      assert.ok(!readFileSync(file, "utf8").includes(METADATA_SECRET), `the secret metadata value is not in ${file}`);
    }
  });

  it("second up: no diff, no SSH login, no remote command", async () => {
    assert.deepEqual(
      (await withoutSsh([HOST], () => stack.up(program))).map((s) => [s.op, s.diff?.changes]),
      [["same", "none"]],
    );
  });

  it("quota and memory change in place with one vmadm update; the zone keeps its UUID", async () => {
    const before = sshCommands(HOST).length;
    const created = vmadmGet(uuid).create_timestamp;
    manifest = { ...manifest, quota: 1200, max_physical_memory: 2048, max_swap: 4096 };
    const steps = await stack.up(program);
    assert.deepEqual(
      steps.map((s) => [s.op, s.diff?.replaces]),
      [["update", []]],
    );
    const run = sshCommands(HOST).slice(before);
    assert.equal(run.length, 1);
    assert.match(run[0], new RegExp(`vmadm update '${uuid}'`));
    const vm = vmadmGet(uuid);
    assert.deepEqual([vm.quota, vm.max_physical_memory, vm.max_swap, vm.create_timestamp], [1200, 2048, 4096, created]);
    assert.equal(zfsGet("quota", `zones/${uuid}`), "1.17T", "1200 GiB, as zfs prints it");
    assert.equal(zoneOutputs().uuid, uuid);
    assert.deepEqual(zoneOutputs().pendingReboot, [], "vmadm applies quota and memory caps live");
    assert.doesNotMatch(run[0], /vmadm reboot/);
  });

  it("a nic added with vmadm update waits for a reboot: the zone keeps its addresses and outputs say what is pending", async () => {
    // vmadm(8) update: only "(live update)" properties apply to a running zone; nics are not among them.
    const mac = (vmadmGet(uuid).nics as { mac: string }[])[0].mac;
    const booted = vmadmGet(uuid).boot_timestamp;
    manifest = { ...manifest, nics: [PRIMARY_NIC, { nic_tag: "admin", ips: ["198.18.0.36/24"] }] };
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["update"],
    );
    const nics = vmadmGet(uuid).nics as { mac: string; interface: string; nic_tag: string; primary?: boolean }[];
    assert.deepEqual(
      nics.map((n) => [n.interface, n.nic_tag, n.primary ?? false]),
      [
        ["net0", "external", true],
        ["net1", "admin", false],
      ],
    );
    assert.equal(nics[0].mac, mac);
    assert.equal(vmadmGet(uuid).boot_timestamp, booted, "not rebooted");
    assert.doesNotMatch(eth0(), /198\.18\.0\.36/, "the running zone does not have the new address yet");
    assert.deepEqual(zoneOutputs().ips, [ZONE_IP], "no address handed out that the zone does not have");
    assert.deepEqual(zoneOutputs().pendingReboot, ["nics"]);
    assert.deepEqual(
      (await withoutSsh([HOST], () => stack.up(program))).map((s) => s.op),
      ["same"],
      "a pending change alone runs nothing",
    );
  });

  it("rebootForChanges reboots the zone, waits until its address answers, then hands out the new address", async () => {
    const before = sshCommands(HOST).length;
    rebootForChanges = true;
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["update"],
    );
    const run = sshCommands(HOST).slice(before);
    assert.equal(run.length, 1);
    assert.match(run[0], new RegExp(`vmadm reboot '${uuid}'`));
    assert.doesNotMatch(run[0], /vmadm update/, "nothing left to update, only the pending reboot");
    assert.match(eth0(), /inet 198\.18\.0\.36\/24/);
    assert.deepEqual(zoneOutputs().ips, [ZONE_IP, "198.18.0.36"]);
    assert.deepEqual(zoneOutputs().pendingReboot, []);

    manifest = { ...manifest, nics: [PRIMARY_NIC] };
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["update"],
    );
    assert.equal((vmadmGet(uuid).nics as unknown[]).length, 1);
    assert.doesNotMatch(eth0(), /198\.18\.0\.36/);
    assert.deepEqual([zoneOutputs().ips, zoneOutputs().pendingReboot], [[ZONE_IP], []]);
    assert.deepEqual(
      (await withoutSsh([HOST], () => stack.up(program))).map((s) => s.op),
      ["same"],
    );
  });

  it("drift made with vmadm update on the global zone shows on refresh, and the next up repairs it", async () => {
    sh(`vmadm update ${uuid} cpu_cap=50 alias=renamed`);
    assert.deepEqual(
      (await stack.refresh()).map((s) => [s.op, s.drift]),
      [["refresh", true]],
    );
    const live = zoneOutputs().live as Record<string, unknown>;
    assert.deepEqual([live.cpu_cap, live.alias], [50, "renamed"]);
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["update"],
    );
    const vm = vmadmGet(uuid);
    assert.deepEqual([vm.cpu_cap, vm.alias], [100, "cospix.pdx0.mx1"]);
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["same"],
    );
  });

  it("values vmadm get leaves out (cpu_cap 0, maintain_resolvers false, compression off) and a memory change keep a second up a no-op", async () => {
    manifest = {
      ...manifest,
      cpu_cap: 0,
      maintain_resolvers: false,
      zfs_root_compression: "off",
      zfs_data_compression: "off",
      max_physical_memory: 1536,
    };
    assert.deepEqual(
      (await stack.up(program)).map((s) => s.op),
      ["update"],
    );
    const vm = vmadmGet(uuid);
    for (const k of ["cpu_cap", "maintain_resolvers", "zfs_root_compression", "zfs_data_compression"]) {
      assert.ok(!(k in vm), `vmadm get shows ${k}`);
    }
    assert.deepEqual([vm.max_physical_memory, vm.max_swap], [1536, 4096], "max_swap stays the manifest's");
    assert.deepEqual(
      (await withoutSsh([HOST], () => stack.up(program))).map((s) => [s.op, s.diff?.changes]),
      [["same", "none"]],
    );
  });

  describe("ZoneDatasets inside the zone, reached at the zone's own address", () => {
    const HELD = ["root@cospix.net -> your@email.example"];
    /** Mode and owner of the directories the guide removes, and of the mountpoints. */
    const MODES = "stat -c '%n %a %U %G' '/var/mail/:saved' /var/spool/postfix/etc /var/mail /var/spool/postfix";
    let modes: string;

    before(() => {
      // A message waits in the queue (held), so moving the spool must keep it.
      assert.match(smtpSmokeTest(HOST, "root@cospix.net", "your@email.example"), /^250 2\.0\.0 Ok: queued/m);
      sh("/opt/local/sbin/postsuper -h ALL 2>/dev/null");
      assert.deepEqual(held(), HELD);
      modes = sh(MODES);
      datasets = {
        connection: { ...connectionTo(host()), host: zoneOutputs().primaryIp as string },
        zoneUuid: uuid,
        mailQuota: 980,
        spoolQuota: 10,
        zoneQuota: 1200,
      };
    });

    it("create: the guide's layout, cruft removed, mail and queue moved onto the datasets, Postfix back online", async () => {
      const before = sshCommands(HOST).length;
      assert.deepEqual(ops(await stack.up(program)), [
        ["mail-datasets", "create"],
        ["mx1", "same"],
      ]);
      const run = sshCommands(HOST).slice(before);
      assert.equal(run.length, 1);
      assert.match(sh("cat /var/log/sshd.log"), new RegExp(`on ${ZONE_IP.replaceAll(".", "\\.")} port 22`));
      assert.equal(
        sh(`zfs list -H -o name,quota,mountpoint,mounted -r zones/${uuid}/data`),
        [
          `zones/${uuid}/data\tnone\tnone\tno`,
          `zones/${uuid}/data/mail\t980G\t/var/mail\tyes`,
          `zones/${uuid}/data/mail/postfix\t10G\t/var/spool/postfix\tyes`,
          "",
        ].join("\n"),
      );
      assert.equal(sh("df --output=source /var/spool/postfix | tail -n 1").trim(), `zones/${uuid}/data/mail/postfix`);
      assert.equal(sh("df --output=source /var/mail | tail -n 1").trim(), `zones/${uuid}/data/mail`);
      assert.equal(
        sh(
          `for d in /zones/${uuid}/data /var/mail/:saved /var/spool/postfix/etc; do [ -e "$d" ] && echo "$d"; done; true`,
        ),
        "",
      );
      assert.equal(
        sh("stat -c '%n %a %U %G' /var/mail /var/spool/postfix"),
        modes.split("\n").slice(2).join("\n"),
        "the mountpoints keep the directories' modes and owners",
      );
      assert.equal(sh("svcs -H -o state postfix"), "online\n");
      assert.deepEqual(held(), HELD, "the held message moved along");
      assert.match(smtpSmokeTest(HOST, "root@cospix.net", "your@email.example"), /^250 2\.0\.0 Ok: queued/m);
    });

    it("second up: no SSH login or command for either resource", async () => {
      assert.deepEqual(
        (await withoutSsh([HOST], () => stack.up(program))).map((s) => s.op),
        ["same", "same"],
      );
    });

    it("quotas change in place with zfs set, without stopping Postfix", async () => {
      const before = sshCommands(HOST).length;
      datasets = { ...(datasets as ZoneDatasetsArgs), mailQuota: 990, spoolQuota: 12 };
      assert.deepEqual(ops(await stack.up(program)), [
        ["mail-datasets", "update"],
        ["mx1", "same"],
      ]);
      const run = sshCommands(HOST).slice(before);
      assert.equal(run.length, 1);
      assert.match(run[0], /zfs set 'quota=990G'/);
      assert.doesNotMatch(run[0], /svcadm disable/);
      assert.equal(zfsGet("quota", `zones/${uuid}/data/mail`), "990G");
      assert.equal(zfsGet("quota", `zones/${uuid}/data/mail/postfix`), "12G");
    });

    it("a quota changed inside the zone shows on refresh, and the next up sets it back", async () => {
      sh(`zfs set quota=5G zones/${uuid}/data/mail/postfix`);
      const steps = await stack.refresh();
      assert.deepEqual(
        steps.filter((s) => s.drift).map((s) => s.name),
        ["mail-datasets"],
      );
      const live = stack.resource("mail-datasets")!.outputs.live as { spool: { quota: number } };
      assert.equal(live.spool.quota, 5 * 1024 ** 3);
      assert.deepEqual(ops(await stack.up(program)), [
        ["mail-datasets", "update"],
        ["mx1", "same"],
      ]);
      assert.equal(zfsGet("quota", `zones/${uuid}/data/mail/postfix`), "12G");
    });

    it("delete: files move back, datasets go, the delegated dataset's mountpoint and the removed directories return", async () => {
      datasets = undefined;
      assert.deepEqual(ops(await stack.up(program)), [
        ["mail-datasets", "delete"],
        ["mx1", "same"],
      ]);
      assert.equal(
        sh(`zfs list -H -o name,mountpoint,mounted -r zones/${uuid}/data`),
        `zones/${uuid}/data\t/zones/${uuid}/data\tyes\n`,
      );
      assert.equal(sh(MODES), modes, "the removed directories are back with their modes and owners");
      assert.notEqual(sh("df --output=target /var/spool/postfix | tail -n 1").trim(), "/var/spool/postfix");
      assert.equal(sh("svcs -H -o state postfix"), "online\n");
      assert.deepEqual(held(), HELD, "the held message moved back");
    });
  });

  it("a new image replaces the zone: the old one is deleted first, the new one takes over the address", async () => {
    manifest = { ...manifest, image_uuid: NEWER_IMAGE };
    const steps = await stack.up(program);
    assert.deepEqual(
      steps.map((s) => [s.op, s.diff?.replaces, s.diff?.deleteBeforeReplace]),
      [["replace", ["manifest.image_uuid"], true]],
    );
    const replacement = zoneOutputs().uuid as string;
    assert.notEqual(replacement, uuid);
    assert.equal(sh("vmadm list -p -H -o uuid,image_uuid"), `${replacement}:${NEWER_IMAGE}\n`);
    assert.equal(hostShell(HOST, `zfs list zones/${uuid}`).code, 1);
    assert.match(eth0(), new RegExp(`inet ${ZONE_IP.replaceAll(".", "\\.")}/24`));
    assert.deepEqual([vmadmGet(replacement).quota, vmadmGet(replacement).max_physical_memory], [1200, 1536]);
    uuid = replacement;
  });

  it("destroy stops and deletes the zone: no VM, no datasets, the address is gone", async () => {
    assert.deepEqual(
      (await stack.destroy()).map((s) => s.op),
      ["delete"],
    );
    assert.equal(sh("vmadm list -p -H -o uuid"), "");
    assert.equal(hostShell(HOST, `zfs list zones/${uuid}`).code, 1);
    assert.doesNotMatch(eth0(), new RegExp(ZONE_IP.replaceAll(".", "\\.")));
  });
});
