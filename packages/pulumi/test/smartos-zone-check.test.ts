import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { SmartOsZone } from "../src/index";
import { failureText, UNKNOWN } from "../src/providers/check";
import { smartOsZoneProvider } from "../src/providers/smartos-zone";
import { type SmartOsZoneState, smartOsZoneSchema, type ZoneManifest } from "../src/schemas/smartos-zone";
import { type LiveZone, liveZone, rebootPending, replacedProperties, updatePayload } from "../src/smartos/manifest";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";
const connection = { host: "198.18.0.30", privateKey: KEY, hostKeyFingerprint: `SHA256:${"A".repeat(43)}` };
const IMAGE = "088b97b0-e1a1-11e5-b895-9baa2086eb33";
const ZONE = "1f2977ae-56bd-4730-8d72-99b03cb40ddb";
const MAC = "90:b8:d0:7b:52:1e";

/** The guide's zone, with a documentation address where the guide has placeholders. */
const guide = {
  alias: "cospix.pdx0.mx1",
  hostname: "cospix-pdx0-mx1",
  brand: "joyent" as const,
  image_uuid: IMAGE,
  max_physical_memory: 1024,
  cpu_cap: 100,
  quota: 1000,
  delegate_dataset: true,
  nics: [{ nic_tag: "cospix0", ips: ["203.0.113.25/24", "addrconf"], gateways: ["203.0.113.1"] }],
  resolvers: ["8.8.8.8", "8.8.4.4"],
};

async function reasons(manifest: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<string[]> {
  const result = await smartOsZoneProvider.check!({}, { __provider: "p", connection, manifest, ...extra });
  return (result.failures ?? []).map(failureText);
}

/** What `vmadm get` says about the guide's zone after create. */
function vmadmGet(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    ...guide,
    uuid: ZONE,
    state: "running",
    datasets: [`zones/${ZONE}/data`],
    nics: [
      {
        interface: "net0",
        mac: MAC,
        nic_tag: "cospix0",
        ips: ["203.0.113.25/24", "addrconf"],
        gateways: ["203.0.113.1"],
        primary: true,
        ip: "203.0.113.25",
        netmask: "255.255.255.0",
        gateway: "203.0.113.1",
      },
    ],
    customer_metadata: {},
    internal_metadata: {},
    tags: {},
    max_swap: 1024,
    max_locked_memory: 1024,
    ...overrides,
  });
}

function manifest(overrides: Record<string, unknown> = {}): ZoneManifest {
  return smartOsZoneSchema.parse({ connection, manifest: { ...guide, ...overrides } }).manifest;
}

/** The stored properties after create: the provider parses the inputs and derives the outputs from `live`. */
function state(live: LiveZone, m: Record<string, unknown> = guide): SmartOsZoneState {
  return { connection, manifest: m, uuid: live.uuid, live } as unknown as SmartOsZoneState;
}

describe("SmartOsZone check", () => {
  it("accepts the guide's manifest and applies the defaults", async () => {
    assert.deepEqual(await reasons(guide), []);
    const { brand, delegate_dataset } = smartOsZoneSchema.parse({
      connection,
      manifest: { image_uuid: IMAGE },
    }).manifest;
    assert.deepEqual([brand, delegate_dataset], ["joyent", false]);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    [
      "the guide's placeholder address",
      { nics: [{ nic_tag: "cospix0", ips: ["ipv4/netmask", "addrconf"] }] },
      /^manifest\.nics\[0\]\.ips\[0\]: must be an address with its prefix length such as 203\.0\.113\.25\/24 \(vmadm takes CIDR, not a netmask\)/,
    ],
    ["a bad image UUID", { image_uuid: "base-64-lts" }, /^manifest\.image_uuid: must be a lower-case UUID/],
    ["an HVM brand", { brand: "kvm" }, /^manifest\.brand: must be joyent \(a SmartOS zone\) or lx \(a Linux zone\)/],
    [
      "a gateway outside the nic's network",
      { nics: [{ nic_tag: "cospix0", ips: ["203.0.113.25/24"], gateways: ["198.51.100.1"] }] },
      /^manifest\.nics\[0\]\.gateways\[0\]: 198\.51\.100\.1 is not in this nic's network \(203\.0\.113\.25\/24\)/,
    ],
    [
      "two primary nics",
      {
        nics: [
          { nic_tag: "a", ips: ["dhcp"], primary: true },
          { nic_tag: "b", ips: ["dhcp"], primary: true },
        ],
      },
      /^manifest\.nics: only one nic may be primary; nics\[0\] and nics\[1\] are/,
    ],
    [
      "primary: false",
      { nics: [{ nic_tag: "a", ips: ["dhcp"], primary: false }] },
      /^manifest\.nics\[0\]\.primary: may only be true/,
    ],
    [
      "a nic tag with a space",
      { nics: [{ nic_tag: "my tag", ips: ["dhcp"] }] },
      /^manifest\.nics\[0\]\.nic_tag: must be a nic tag/,
    ],
    [
      "swap below memory",
      { max_swap: 512 },
      /^manifest\.max_swap: 512 MiB is less than max_physical_memory \(1024 MiB\); vmadm would silently raise it to 1024 MiB/,
    ],
    [
      "locked above memory",
      { max_locked_memory: 2048 },
      /^manifest\.max_locked_memory: 2048 MiB is more than max_physical_memory \(1024 MiB\); vmadm would silently clamp it/,
    ],
    [
      "kernel_version on a joyent zone",
      { kernel_version: "4.3.0" },
      /^manifest\.kernel_version: applies to lx zones only/,
    ],
    [
      "data compression without a delegated dataset",
      { delegate_dataset: false, zfs_data_compression: "lz4" },
      /^manifest\.zfs_data_compression: applies to the delegated dataset only/,
    ],
    [
      "a _pw key in customer_metadata",
      { customer_metadata: { root_pw: "x" } },
      /^manifest\.customer_metadata\.root_pw: keys ending in _pw are read from internal_metadata/,
    ],
    ["a negative quota", { quota: -1 }, /^manifest\.quota: must be 0 or more/],
    ["an unknown property", { ram: 1024 }, /^manifest: Unrecognized key: "ram"/],
  ];
  for (const [what, overrides, expected] of bad) {
    it(`refuses ${what}`, async () => {
      const found = await reasons({ ...guide, ...overrides });
      assert.ok(
        found.some((r) => expected.test(r)),
        `expected ${expected} in ${JSON.stringify(found)}`,
      );
    });
  }

  it("refuses firewall_enabled: true unless firewallAllowsSsh says fwadm rules let SSH in", async () => {
    assert.ok(
      (await reasons({ ...guide, firewall_enabled: true })).some((r) =>
        /^manifest\.firewall_enabled: true blocks all inbound traffic to the zone, SSH and SMTP included, until fwadm rules allow it .*ALLOW tcp PORT 22.*firewallAllowsSsh: true/.test(
          r,
        ),
      ),
    );
    assert.deepEqual(await reasons({ ...guide, firewall_enabled: true }, { firewallAllowsSsh: true }), []);
    assert.deepEqual(await reasons({ ...guide, firewall_enabled: false }), []);
  });

  it("fails a quota below the capacity plan with both numbers and the recommendation", async () => {
    const plan = { capacityPlan: { sentGbPerMonth: 5, monthlyGrowth: 1.1 } };
    assert.deepEqual(await reasons({ ...guide, quota: 20 }, plan), [
      "manifest.quota: the zone quota of 20 GB is less than the 28.3 GB the capacity plan needs there (queue 8.3 GB + system 20 GB); raise it to the recommended 30 GB (20% headroom) or plan for lower volumes or shorter archiveMonths/mailboxMonths",
    ]);
    const { quota: _q, ...noQuota } = guide;
    const [unset] = await reasons(noQuota, plan);
    assert.match(
      unset,
      /^manifest\.quota: is not set, so vmadm's default applies: the zone quota of 10 GB is less than/,
    );
    assert.deepEqual(await reasons({ ...guide, quota: 30 }, plan), []);
    assert.deepEqual(await reasons({ ...guide, quota: 0 }, plan), [], "0 is no quota at all");
  });

  it("with the guide's full model (receiving and archiving) its 1000 GB zone is far too small", async () => {
    const plan = {
      capacityPlan: {
        sentGbPerMonth: 5,
        receivedGbPerMonth: 10,
        monthlyGrowth: 1.1,
        lifetimeMonths: 24,
        archiveMonths: 36,
      },
    };
    const [reason] = await reasons(guide, plan);
    assert.match(
      reason,
      /^manifest\.quota: the zone quota of 1000 GB is less than the \d{4}\.\d GB the capacity plan needs/,
    );
  });

  it("does not judge values still unknown during preview", async () => {
    assert.deepEqual(await reasons({ ...guide, image_uuid: UNKNOWN }), []);
  });
});

describe("SmartOsZone diff", () => {
  const live = liveZone(vmadmGet());
  const diff = (m: Record<string, unknown>, from: SmartOsZoneState = state(live)) =>
    smartOsZoneProvider.diff!(ZONE, from, { __provider: "p", connection, manifest: m });

  it("reports no change when the zone matches", async () => {
    assert.deepEqual(await diff(guide), { changes: false, replaces: [], deleteBeforeReplace: true });
  });

  it("replaces the zone for create-only properties, the old one first", async () => {
    assert.deepEqual(await diff({ ...guide, image_uuid: "5e1d7e57-0000-4000-8000-00000000b002" }), {
      changes: true,
      replaces: ["manifest.image_uuid"],
      deleteBeforeReplace: true,
    });
    assert.deepEqual((await diff({ ...guide, brand: "lx" })).replaces, ["manifest.brand"]);
    assert.deepEqual((await diff({ ...guide, delegate_dataset: false })).replaces, ["manifest.delegate_dataset"]);
    assert.deepEqual((await diff({ ...guide, dns_domain: "example.com" })).replaces, ["manifest.dns_domain"]);
  });

  it("updates quota and memory in place", async () => {
    assert.deepEqual(await diff({ ...guide, quota: 1200, max_physical_memory: 2048 }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
    });
  });

  it("sees drift: a live value that differs from the manifest is a change", async () => {
    const drifted = liveZone(vmadmGet({ cpu_cap: 50 }));
    assert.equal((await diff(guide, state(drifted))).changes, true);
  });

  it("replaces the zone when the global zone is another machine", async () => {
    const other = { ...state(live), connection: { ...state(live).connection, host: "198.18.0.31" } };
    assert.deepEqual((await diff(guide, other)).replaces, ["connection"]);
  });
});

describe("vmadm update payloads", () => {
  const live = liveZone(vmadmGet());

  it("liveZone drops vmadm's derived nic fields and sorts nics by interface", () => {
    const two = liveZone(
      vmadmGet({
        nics: [
          { interface: "net1", mac: "90:b8:d0:00:00:02", nic_tag: "admin", ips: ["dhcp"] },
          { interface: "net0", mac: MAC, nic_tag: "cospix0", ips: ["203.0.113.25/24"], ip: "203.0.113.25" },
        ],
      }),
    );
    assert.deepEqual(
      two.nics.map((n) => [n.interface, "ip" in n]),
      [
        ["net0", false],
        ["net1", false],
      ],
    );
    assert.equal(live.delegate_dataset, true);
  });

  it("keeps metadata values out of live (digests only), yet sees a changed value", () => {
    const withToken = liveZone(vmadmGet({ customer_metadata: { token: "s3cret" } }));
    assert.ok(!JSON.stringify(withToken).includes("s3cret"));
    assert.deepEqual(updatePayload(withToken, manifest({ customer_metadata: { token: "s3cret" } })), {});
    assert.deepEqual(updatePayload(withToken, manifest({ customer_metadata: { token: "other" } })), {
      set_customer_metadata: { token: "other" },
    });
  });

  it("is empty when the zone matches the manifest", () => {
    assert.deepEqual(updatePayload(live, manifest()), {});
  });

  it("carries only the changed plain properties", () => {
    assert.deepEqual(updatePayload(live, manifest({ quota: 1200, max_physical_memory: 2048, cpu_cap: 100 })), {
      quota: 1200,
      max_physical_memory: 2048,
    });
  });

  it("sets changed metadata keys, removes keys an earlier manifest set, leaves others' keys alone", () => {
    const withKeys = liveZone(vmadmGet({ customer_metadata: { a: "1", b: "2", theirs: "x" } }));
    const previous = manifest({ customer_metadata: { a: "1", b: "2" } });
    assert.deepEqual(updatePayload(withKeys, manifest({ customer_metadata: { a: "9" } }), previous), {
      set_customer_metadata: { a: "9" },
      remove_customer_metadata: ["b"],
    });
  });

  it("adds, updates and removes nics, keyed by mac", () => {
    const nic = { nic_tag: "cospix0", ips: ["203.0.113.25/24", "addrconf"], gateways: ["203.0.113.1"] };
    assert.deepEqual(updatePayload(live, manifest({ nics: [nic, { nic_tag: "admin", ips: ["10.0.0.5/24"] }] })), {
      add_nics: [{ nic_tag: "admin", ips: ["10.0.0.5/24"] }],
    });
    assert.deepEqual(updatePayload(live, manifest({ nics: [{ ...nic, ips: ["203.0.113.26/24"] }] })), {
      update_nics: [{ mac: MAC, ips: ["203.0.113.26/24"] }],
    });
    assert.deepEqual(updatePayload(live, manifest({ nics: [] })), { remove_nics: [MAC] });
  });

  it("reads what vmadm get leaves out as the value vmadm stored by removing it: cpu_cap 0, maintain_resolvers false, compression off", () => {
    // VM.js removes the cpu-cap rctl for 0 and the maintain-resolvers attribute for false; vmload omits compression "off".
    const bare = liveZone(vmadmGet({ cpu_cap: undefined })); // JSON.stringify leaves it out, as vmadm get does
    const desired = manifest({
      cpu_cap: 0,
      maintain_resolvers: false,
      firewall_enabled: false,
      zfs_root_compression: "off",
      zfs_data_compression: "off",
    });
    assert.deepEqual(updatePayload(bare, desired), {});
    assert.deepEqual(updatePayload(bare, manifest({ cpu_cap: 50, zfs_root_compression: "lz4" })), {
      cpu_cap: 50,
      zfs_root_compression: "lz4",
    });
  });

  it("sends the managed max_swap and max_locked_memory along with a new max_physical_memory, which vmadm would move", () => {
    const capped = liveZone(vmadmGet({ max_swap: 4096, max_locked_memory: 1024 }));
    assert.deepEqual(updatePayload(capped, manifest({ max_physical_memory: 1536, max_swap: 4096 })), {
      max_physical_memory: 1536,
      max_swap: 4096,
    });
    assert.deepEqual(updatePayload(capped, manifest({ max_swap: 4096 })), {});
  });

  it("names what waits for a reboot: nics, limit_priv, fs_allowed, tmpfs to or from 0; the caps and quota are live", () => {
    assert.deepEqual(rebootPending({ quota: 1200, max_physical_memory: 2048, cpu_cap: 50, alias: "x" }, live), []);
    assert.deepEqual(
      rebootPending({ update_nics: [{ mac: MAC, ips: ["203.0.113.26/24"] }], limit_priv: "basic" }, live),
      ["nics", "limit_priv"],
    );
    assert.deepEqual(rebootPending({ fs_allowed: "tmpfs", tmpfs: 0 }, liveZone(vmadmGet({ tmpfs: 512 }))), [
      "fs_allowed",
      "tmpfs",
    ]);
    assert.deepEqual(rebootPending({ tmpfs: 256 }, liveZone(vmadmGet({ tmpfs: 512 }))), []);
  });

  it("replaces the zone for a hostname or dns_domain the manifest changes (vmadm stores them, the zone never gets them)", () => {
    assert.deepEqual(replacedProperties(live, manifest({ hostname: "other-host" })), ["hostname"]);
    assert.deepEqual(replacedProperties(live, manifest({ hostname: undefined })), []);
    assert.deepEqual(
      replacedProperties(liveZone(vmadmGet({ dns_domain: "local" })), manifest({ dns_domain: "example.com" })),
      ["dns_domain"],
    );
  });

  it("moves the primary flag with update_nics, and matches a pinned mac wherever it is", () => {
    const two = liveZone(
      vmadmGet({
        nics: [
          { interface: "net0", mac: MAC, nic_tag: "cospix0", ips: ["dhcp"], primary: true },
          { interface: "net1", mac: "90:b8:d0:00:00:02", nic_tag: "admin", ips: ["dhcp"] },
        ],
      }),
    );
    const payload = updatePayload(
      two,
      manifest({
        nics: [
          { nic_tag: "admin", ips: ["dhcp"], mac: "90:b8:d0:00:00:02", primary: true },
          { nic_tag: "cospix0", ips: ["dhcp"], mac: MAC },
        ],
      }),
    );
    assert.deepEqual(payload, { update_nics: [{ mac: "90:b8:d0:00:00:02", primary: true }] });
  });
});

describe("SmartOsZone resource (SDK mocks)", () => {
  const registered: pulumi.runtime.MockResourceArgs[] = [];
  let zoneHost: string | undefined;
  let zoneKeyIsSecret: boolean | undefined;
  let withoutSsh: unknown;

  before(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push(args);
          return { id: ZONE, state: { ...args.inputs, uuid: ZONE, primaryIp: "203.0.113.25" } };
        },
        call: () => ({}),
      },
      "proj",
      "stack",
      false,
    );
    const zone = new SmartOsZone("mx1", {
      connection,
      manifest: guide,
      zoneSsh: { hostKeyFingerprint: `SHA256:${"B".repeat(43)}` },
    });
    withoutSsh = new SmartOsZone("mx2", { connection, manifest: guide }).zoneConnection;
    const c = zone.zoneConnection!;
    zoneHost = await new Promise((resolve) => pulumi.output(c.host).apply(resolve));
    zoneKeyIsSecret = await pulumi.isSecret(pulumi.output(c.privateKey));
  });

  it("registers a namespaced dynamic resource whose provider captures nothing but its kind", () => {
    assert.equal(registered[0].type, "pulumi-nodejs:dynamic/smartos-mail:SmartOsZone");
    const text: string = registered[0].inputs.__provider;
    assert.ok(!text.includes("PRIVATE KEY"));
    assert.match(text, /kind: "smartOsZone"/);
    assert.ok(!("zoneSsh" in registered[0].inputs), "zoneSsh stays in the program");
  });

  it("zoneConnection reaches the zone at its primary address with the global zone's key, kept secret", () => {
    assert.equal(zoneHost, "203.0.113.25");
    assert.equal(zoneKeyIsSecret, true);
    assert.equal(withoutSsh, undefined);
  });
});
