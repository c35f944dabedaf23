import { randomUUID } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { capacityPlanSchema, checkQuotaCoversPlan, planCapacity } from "../plan/capacity";
import { type ConnectionArgs, connectionSchema, sameMachine, secretConnection } from "../remote/connection";
import { platform } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { waitUntilReachable } from "../remote/reachable";
import { prelude } from "../remote/script-prelude";
import { parseSections } from "../remote/sections";
import { joinScripts, type Script } from "../remote/shell";
import {
  createPayload,
  type LiveNic,
  type LiveZone,
  liveZone,
  primaryAddress,
  rebootPending,
  replacedProperties,
  updatePayload,
  zoneAddresses,
  zoneManifestSchema,
} from "../smartos/manifest";
import { createZone, deleteZone, showZone, updateZone } from "../smartos/vmadm";
import { checkWithSchema, storedInputs } from "./check";
import { dynamicProvider, dynamicResourceOptions } from "./dynamic";

/** vmadm(8)'s quota for an OS zone created without one, in GiB. */
const VMADM_DEFAULT_QUOTA = 10;

/** Seconds a rebooted zone gets to accept connections on its readiness port. */
const REACHABLE_TIMEOUT = 300;

/** zod schema of SmartOsZone's inputs, used by `check`. */
export const smartOsZoneSchema = z
  .object({
    connection: connectionSchema,
    manifest: zoneManifestSchema,
    capacityPlan: capacityPlanSchema.optional(),
    rebootForChanges: z.boolean().default(false),
    readinessPort: z
      .number()
      .int()
      .min(1, "must be a TCP port, 1 to 65535")
      .max(65535, "must be a TCP port, 1 to 65535")
      .default(22),
    firewallAllowsSsh: z.boolean().default(false),
  })
  .strict()
  .superRefine((v, ctx) => {
    // fwrule(7): "The base policy for a VM with its firewall enabled is: block all inbound traffic".
    if (v.manifest.firewall_enabled === true && !v.firewallAllowsSsh) {
      ctx.addIssue({
        code: "custom",
        path: ["manifest", "firewall_enabled"],
        message:
          "true blocks all inbound traffic to the zone, SSH and SMTP included, until fwadm rules allow it (fwrule(7)); " +
          "add them on the global zone first, e.g. fwadm add -e 'FROM any TO vm <uuid> ALLOW tcp PORT 22', " +
          "then set firewallAllowsSsh: true, or leave firewall_enabled out",
      });
    }
    const quota = v.manifest.quota ?? VMADM_DEFAULT_QUOTA;
    if (!v.capacityPlan || quota === 0) return;
    const problem = checkQuotaCoversPlan(quota, planCapacity(v.capacityPlan), "zone");
    if (problem) {
      ctx.addIssue({
        code: "custom",
        path: ["manifest", "quota"],
        message: v.manifest.quota === undefined ? `is not set, so vmadm's default applies: ${problem}` : problem,
      });
    }
  });

/** Validated SmartOsZone inputs with defaults applied. */
export type SmartOsZoneInputs = z.output<typeof smartOsZoneSchema>;

/** What the provider stores: the inputs and what `vmadm get` reported. */
export interface SmartOsZoneState extends SmartOsZoneInputs {
  /** The zone's UUID (also the resource id). */
  uuid: string;
  /** The managed properties as `vmadm get` last reported them; refresh updates them, so drift shows. */
  live: LiveZone;
  /** vmadm's state: running, stopped, ... */
  state: string;
  /** The address to reach the zone at (the primary nic's first static IPv4), or null with only dhcp/addrconf. */
  primaryIp: string | null;
  /** Every static address of the zone, primary nic first, without prefix lengths. */
  ips: string[];
  /** The delegated dataset (zones/<uuid>/data), or null. */
  delegatedDataset: string | null;
  /** Changed properties the zone gets at its next boot (e.g. `nics`); empty when none wait. */
  pendingReboot: string[];
  /** The nics the zone booted with: its addresses now, whatever vmadm has stored since. */
  activeNics: LiveNic[];
}

const OUTPUTS = [
  "uuid",
  "live",
  "state",
  "primaryIp",
  "ips",
  "delegatedDataset",
  "pendingReboot",
  "activeNics",
] as const;

/** The outputs for `live`, with the nics the zone runs with and what waits for its next boot. */
function outputsOf(
  live: LiveZone,
  activeNics: LiveNic[] = live.nics,
  pendingReboot: string[] = [],
): Omit<SmartOsZoneState, keyof SmartOsZoneInputs> {
  return {
    uuid: live.uuid,
    live,
    state: live.state,
    primaryIp: primaryAddress(activeNics),
    ips: zoneAddresses(activeNics),
    delegatedDataset: live.datasets.find((d) => d.endsWith("/data")) ?? null,
    pendingReboot,
    activeNics,
  };
}

function parseInputs(raw: Record<string, unknown>): SmartOsZoneInputs {
  return storedInputs(smartOsZoneSchema, raw, OUTPUTS);
}

function parseState(raw: Record<string, unknown>): SmartOsZoneState {
  const live = raw.live as LiveZone;
  const activeNics = (raw.activeNics as LiveNic[] | undefined) ?? live.nics;
  return { ...parseInputs(raw), ...outputsOf(live, activeNics, (raw.pendingReboot as string[] | undefined) ?? []) };
}

/**
 * The outputs after vmadm reported `vm`: a zone that booted since `old` was
 * recorded runs with everything vmadm has (nothing pending); otherwise it
 * keeps the nics it booted with and `pending` waits.
 */
function outputsAfter(old: SmartOsZoneState, vm: LiveZone, pending: string[]) {
  const rebooted = vm.boot_timestamp !== undefined && vm.boot_timestamp !== old.live.boot_timestamp;
  if (rebooted || vm.state !== "running") return outputsOf(vm, vm.nics, rebooted ? [] : pending);
  return outputsOf(vm, old.activeNics, pending);
}

async function runOnGlobalZone(news: SmartOsZoneInputs, body: Script, step: string, stdin?: string): Promise<string> {
  const host = new RemoteHost(news.connection);
  const result = await host.run(joinScripts([prelude(platform("smartos")), body]), { step, stdin });
  return parseSections(result.stdout).vm?.trim() ?? "";
}

/** The SmartOsZone hooks, run by the engine's dynamic-provider host. */
export const smartOsZoneProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkWithSchema(smartOsZoneSchema, news);
  },

  async diff(_id, olds, news) {
    const old = parseState(olds);
    const next = parseInputs(news);
    const replaces = replacedProperties(old.live, next.manifest).map((k) => `manifest.${k}`);
    if (!sameMachine(old.connection, next.connection)) replaces.unshift("connection");
    const payload = updatePayload(old.live, next.manifest, old.manifest);
    const {
      uuid: _u,
      live: _l,
      state: _s,
      primaryIp: _p,
      ips: _i,
      delegatedDataset: _d,
      pendingReboot,
      activeNics: _a,
      ...oldInputs
    } = old;
    const changes =
      replaces.length > 0 ||
      Object.keys(payload).length > 0 ||
      (next.rebootForChanges && pendingReboot.length > 0) ||
      JSON.stringify(oldInputs) !== JSON.stringify(next);
    // The replacement takes over the zone's addresses (and the alias): the old zone goes first.
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const news = parseInputs(inputs);
    const uuid = randomUUID();
    const vm = await runOnGlobalZone(
      news,
      createZone(news.manifest.image_uuid, uuid),
      "create the zone",
      JSON.stringify(createPayload(news.manifest, uuid)),
    );
    if (!vm) throw new Error(`vmadm create reported success, but vmadm does not list zone ${uuid}`);
    return { id: uuid, outs: { ...news, ...outputsOf(liveZone(vm)) } };
  },

  async read(id, props) {
    const old = parseState(props);
    const vm = await runOnGlobalZone(old, showZone(old.uuid), "read the zone");
    // An empty id tells the engine the zone is gone, so the next up creates it again.
    if (!vm) return { id: "", props: {} };
    return { id, props: { ...old, ...outputsAfter(old, liveZone(vm), old.pendingReboot) } };
  },

  async update(_id, olds, news) {
    const old = parseState(olds);
    const next = parseInputs(news);
    const payload = updatePayload(old.live, next.manifest, old.manifest);
    const update = Object.keys(payload).length > 0;
    const pending = [...new Set([...old.pendingReboot, ...rebootPending(payload, old.live)])];
    const reboot = next.rebootForChanges && pending.length > 0 && old.live.state === "running";
    if (!update && !reboot) return { outs: { ...next, ...outputsOf(old.live, old.activeNics, pending) } };
    const step = reboot ? (update ? "update and reboot the zone" : "reboot the zone") : "update the zone";
    const vm = liveZone(
      await runOnGlobalZone(
        next,
        updateZone(old.uuid, { update, reboot }),
        step,
        update ? JSON.stringify(payload) : undefined,
      ),
    );
    const outputs = outputsAfter(old, vm, pending);
    // vmadm says running before the zone's services listen: hand out its address once it answers.
    if (reboot && outputs.primaryIp !== null) {
      await waitUntilReachable(outputs.primaryIp, next.readinessPort, REACHABLE_TIMEOUT);
    }
    return { outs: { ...next, ...outputs } };
  },

  async delete(_id, props) {
    const old = parseState(props);
    await runOnGlobalZone(old, deleteZone(old.uuid), "delete the zone");
  },
};

// ---------------------------------------------------------------- resource

/** One nic of the zone (`nics.*` in vmadm(8)). */
export interface ZoneNicArgs {
  /** The global zone's nic tag to attach to, as listed in `sysinfo`'s NIC Names, e.g. `external` (the guide: `cospix0`). */
  nic_tag: pulumi.Input<string>;
  /** Addresses with prefix length (`203.0.113.25/24`, `2001:db8::25/64`), `dhcp` or `addrconf`. */
  ips: pulumi.Input<pulumi.Input<string>[]>;
  /** IPv4 gateways; each must lie in one of the nic's IPv4 networks. Default: none (not needed with dhcp). */
  gateways?: pulumi.Input<pulumi.Input<string>[]>;
  /** Marks the nic whose gateway and resolvers the zone uses. Default: the first nic is primary. */
  primary?: pulumi.Input<true>;
  /** Pins the nic's MAC; nics are matched by MAC when given, else by position. Default: vmadm generates one. */
  mac?: pulumi.Input<string>;
  /** VLAN to tag traffic with. Default 0 (none). */
  vlan_id?: pulumi.Input<number>;
  /**
   * MTU: 1500..9000 on a physical nic tag (vmadm refuses less there), 576..9000 on an etherstub or
   * overlay. Default: the MTU of the nic tag's link. Like every nic change, an update waits for a reboot.
   */
  mtu?: pulumi.Input<number>;
  /** Let the zone send from addresses other than its own. Default false. */
  allow_ip_spoofing?: pulumi.Input<boolean>;
  /** Let the zone act as a DHCP server. Default false. */
  allow_dhcp_spoofing?: pulumi.Input<boolean>;
  /** Let the zone send from other MAC addresses. Default false. */
  allow_mac_spoofing?: pulumi.Input<boolean>;
  /** Let the zone send traffic other than IPv4, IPv6 and ARP. Default false. */
  allow_restricted_traffic?: pulumi.Input<boolean>;
  /** More addresses or CIDRs the zone may send from. Default: none. */
  allowed_ips?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * The vmadm manifest, with vmadm(8)'s property names, e.g. the guide's zone:
 * `{ alias: "cospix.pdx0.mx1", hostname: "cospix-pdx0-mx1", brand: "joyent",
 * image_uuid: "088b97b0-e1a1-11e5-b895-9baa2086eb33", max_physical_memory: 1024,
 * cpu_cap: 100, quota: 1000, delegate_dataset: true, nics: [...], resolvers: ["8.8.8.8", "8.8.4.4"] }`.
 * brand, image_uuid, delegate_dataset, dns_domain and hostname only take
 * effect at create: changing one replaces the zone, destroying the old zone
 * and its delegated dataset (guard a zone holding mail with the `protect`
 * option). Everything else is changed in place with `vmadm update`; the
 * memory and CPU caps, quota and I/O priority apply at once (vmadm's "live
 * update"), nics, limit_priv, fs_allowed and kernel_version at the zone's
 * next boot (see `rebootForChanges`). A property left out gets vmadm's
 * default and is not managed.
 */
export interface ZoneManifestArgs {
  /** Display name, need not be unique. Default: none. */
  alias?: pulumi.Input<string>;
  /**
   * The zone's host name. Default: the zone's UUID. Create-only: vmadm stores a later change but it
   * "does nothing for OS VMs" (vmadm(8)), so a change replaces the zone.
   */
  hostname?: pulumi.Input<string>;
  /** `joyent` (a SmartOS zone, pkgsrc) or `lx` (a Linux zone). Default `joyent`. Create-only. */
  brand?: pulumi.Input<"joyent" | "lx">;
  /** The image to create the zone from; imported with imgadm when missing. Create-only. */
  image_uuid: pulumi.Input<string>;
  /** RAM cap in MiB. Default 256 (vmadm). The guide uses 1024. */
  max_physical_memory?: pulumi.Input<number>;
  /**
   * Lockable memory in MiB, at most max_physical_memory (vmadm clamps a larger value, so preview refuses
   * it). Default: max_physical_memory.
   */
  max_locked_memory?: pulumi.Input<number>;
  /**
   * Virtual memory cap in MiB, at least max_physical_memory and 256 (vmadm raises a smaller value, so
   * preview refuses it). Default: max_physical_memory or 256.
   */
  max_swap?: pulumi.Input<number>;
  /** Most lightweight processes at once. Default 2000. */
  max_lwps?: pulumi.Input<number>;
  /**
   * CPU cap in percent of one CPU (100: one CPU, 0: no cap; vmadm removes the cap and `vmadm get` leaves
   * it out, which counts as 0). Default: no cap. The guide uses 100.
   */
  cpu_cap?: pulumi.Input<number>;
  /** Fair-share scheduler shares. Default 100. */
  cpu_shares?: pulumi.Input<number>;
  /** Relative I/O priority. Default 100. */
  zfs_io_priority?: pulumi.Input<number>;
  /**
   * The zone's disk quota in GiB (0: none). Default 10 (vmadm). With
   * `capacityPlan`, a quota below the plan's need fails preview with the numbers.
   */
  quota?: pulumi.Input<number>;
  /** MiB of memory for /tmp (0: no tmpfs). Default: max_physical_memory. A change to or from 0 waits for a reboot. */
  tmpfs?: pulumi.Input<number>;
  /** Give the zone the dataset zones/<uuid>/data to manage itself (see ZoneDatasets). Default false. Create-only. */
  delegate_dataset?: pulumi.Input<boolean>;
  /**
   * Domain for /etc/hosts. Default `local`. Create-only: vmadm accepts an update but the zone keeps
   * the domain written at create (vmadm(8): "no effect"), so a change replaces the zone.
   */
  dns_domain?: pulumi.Input<string>;
  /**
   * The zone's nics; when set, exactly these (added, changed, removed with `vmadm update`). Default:
   * not managed. A running zone gets nic changes at its next boot only: see `rebootForChanges`;
   * until then `primaryIp` and `ips` stay the addresses it has.
   */
  nics?: pulumi.Input<pulumi.Input<ZoneNicArgs>[]>;
  /**
   * Resolvers for /etc/resolv.conf, e.g. `["8.8.8.8", "8.8.4.4"]`, written at create. Default: none.
   * A later change reaches the zone's resolv.conf only with `maintain_resolvers: true`.
   */
  resolvers?: pulumi.Input<pulumi.Input<string>[]>;
  /** Rewrite resolv.conf in the running zone when `resolvers` changes. Default false (vmadm shows false by leaving it out). */
  maintain_resolvers?: pulumi.Input<boolean>;
  /**
   * Metadata the zone reads with mdata-get (e.g. `root_authorized_keys`,
   * `user-script`). Wrap secrets with `pulumi.secret`; the payload reaches
   * vmadm on stdin only. Keys you set are managed, others left alone. Default: none.
   */
  customer_metadata?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Operator metadata (keys ending in `_pw` belong here). Default: none. */
  internal_metadata?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Tags. Default: none. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string | number | boolean>>>;
  /** Boot the zone with the machine. Default true; `vmadm stop` sets it false. */
  autoboot?: pulumi.Input<boolean>;
  /**
   * Apply fwadm firewall rules to the zone. Default false. With true, the zone's base policy blocks
   * **all inbound traffic, SSH and SMTP included** (fwrule(7)) until `fwadm` rules on the global zone
   * allow it, e.g. `fwadm add -e 'FROM any TO vm <uuid> ALLOW tcp PORT 22'`. Preview refuses true unless
   * SmartOsZone's `firewallAllowsSsh` says those rules exist.
   */
  firewall_enabled?: pulumi.Input<boolean>;
  /** Privileges of the zone. Default `default`. A change waits for a reboot. */
  limit_priv?: pulumi.Input<string>;
  /** File system types the zone may mount, e.g. `tmpfs`. Default: none. A change waits for a reboot. */
  fs_allowed?: pulumi.Input<string>;
  /** Owner UUID, for external tools. Default all zeros. */
  owner_uuid?: pulumi.Input<string>;
  /** Billing UUID, for external tools. Default all zeros. */
  billing_id?: pulumi.Input<string>;
  /** Package name, for external tools. Default: none. */
  package_name?: pulumi.Input<string>;
  /** Package version, for external tools. Default: none. */
  package_version?: pulumi.Input<string>;
  /** Compression of the zone root (new writes only). Default `off` (`vmadm get` leaves `off` out). */
  zfs_root_compression?: pulumi.Input<string>;
  /** Compression of the delegated dataset (needs delegate_dataset; new writes only). Default `off`. */
  zfs_data_compression?: pulumi.Input<string>;
  /** Linux version an lx zone emulates, e.g. `4.3.0`. Default: the image's. lx only. A change waits for a reboot. */
  kernel_version?: pulumi.Input<string>;
}

/** How to log in to the zone itself once it runs; see {@link SmartOsZone.zoneConnection}. */
export interface ZoneSshArgs {
  /**
   * The zone's host key fingerprint (`SHA256:...`). The zone makes its key on
   * first boot, so read it over a trusted path after the first `up`, e.g. on
   * the global zone: `zlogin <uuid> ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`.
   */
  hostKeyFingerprint: pulumi.Input<string>;
  /** Address to connect to. Default: the zone's primary IPv4 address (`primaryIp`). */
  host?: pulumi.Input<string>;
  /** SSH port. Default 22. */
  port?: pulumi.Input<number>;
  /** Login user. Default `root`. */
  user?: pulumi.Input<string>;
  /** Private key for the zone (a secret). Default: the global zone connection's key or agent. */
  privateKey?: pulumi.Input<string>;
  /** Passphrase of `privateKey`. Default: none. */
  privateKeyPassword?: pulumi.Input<string>;
  /** SSH agent socket instead of `privateKey`. Default: the global zone connection's. */
  agentSocket?: pulumi.Input<string>;
}

/** Arguments of {@link SmartOsZone}. */
export interface SmartOsZoneArgs {
  /** How to reach the SmartOS global zone (the compute node running vmadm), with its pinned host key. */
  connection: ConnectionArgs;
  /** The zone, as a vmadm manifest; see {@link ZoneManifestArgs}. */
  manifest: pulumi.Input<ZoneManifestArgs>;
  /**
   * The guide's storage model (`planCapacity`'s inputs, e.g. `{ sentGbPerMonth: 5 }`).
   * When set, preview fails if `manifest.quota` is below what the plan needs, naming both numbers.
   * Default: no capacity check.
   */
  capacityPlan?: pulumi.Input<z.input<typeof capacityPlanSchema>>;
  /** Log-in details for the zone, for {@link SmartOsZone.zoneConnection}. Default: no zone connection. */
  zoneSsh?: ZoneSshArgs;
  /**
   * Reboot a running zone (`vmadm reboot`) when an update changed properties it only gets at boot
   * (nics, limit_priv, fs_allowed, kernel_version, tmpfs to or from 0), then wait until vmadm says it
   * runs and its primary address accepts connections on `readinessPort`, before dependent resources
   * get the new address. Setting it later applies changes still pending. Default false: the zone is
   * not rebooted; `pendingReboot` lists what waits and `primaryIp`/`ips` keep the addresses it has.
   */
  rebootForChanges?: pulumi.Input<boolean>;
  /** TCP port that answers once a rebooted zone is up. Default: `zoneSsh.port`, else 22. */
  readinessPort?: pulumi.Input<number>;
  /**
   * Says fwadm rules allowing SSH (and what else the zone serves, such as SMTP) into this zone exist on
   * the global zone, so `manifest.firewall_enabled: true` will not lock everyone out. Default false:
   * preview refuses `firewall_enabled: true`.
   */
  firewallAllowsSsh?: pulumi.Input<boolean>;
}

/**
 * A SmartOS zone made with vmadm on a global zone, as the guide's "SmartOS
 * Zone Configuration": created from a typed manifest (the image imported with
 * imgadm when missing), changed in place with `vmadm update` where vmadm
 * allows it and replaced where it does not, read back with `vmadm get` so
 * refresh shows drift, and stopped and deleted on destroy.
 */
export class SmartOsZone extends pulumi.dynamic.Resource {
  /** The zone's UUID. */
  declare readonly uuid: pulumi.Output<string>;
  /** vmadm's state: running, stopped, ... */
  declare readonly state: pulumi.Output<string>;
  /**
   * The primary nic's first static IPv4 address (else its first static one), or null: an address
   * the zone has now (a nic change waiting for a reboot does not show here yet).
   */
  declare readonly primaryIp: pulumi.Output<string | null>;
  /** Every static address of the zone, primary nic first, without prefix lengths. */
  declare readonly ips: pulumi.Output<string[]>;
  /** The delegated dataset (zones/<uuid>/data) when delegate_dataset is true, else null. */
  declare readonly delegatedDataset: pulumi.Output<string | null>;
  /** Changed properties the zone gets at its next boot, e.g. `["nics"]`; empty when nothing waits. */
  declare readonly pendingReboot: pulumi.Output<string[]>;
  /** The managed properties as vmadm last reported them. */
  declare readonly live: pulumi.Output<LiveZone>;
  /**
   * How to reach the zone itself over SSH, ready for PostfixConfig,
   * OpenDkimKey or ZoneDatasets (`connection: zone.zoneConnection`):
   * `zoneSsh` with its defaults. Undefined without `zoneSsh`.
   */
  readonly zoneConnection: ConnectionArgs | undefined;

  /**
   * @param name the resource name.
   * @param args the zone; see {@link SmartOsZoneArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: SmartOsZoneArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider("smartOsZone"),
      name,
      {
        connection: secretConnection(args.connection),
        manifest: args.manifest,
        capacityPlan: args.capacityPlan,
        rebootForChanges: args.rebootForChanges,
        readinessPort: args.readinessPort ?? args.zoneSsh?.port,
        firewallAllowsSsh: args.firewallAllowsSsh,
        ...Object.fromEntries(OUTPUTS.map((k) => [k, undefined])),
      },
      dynamicResourceOptions("SmartOsZone", name, opts),
      "smartos-mail",
      "SmartOsZone",
    );
    this.zoneConnection = args.zoneSsh && zoneConnectionOf(name, args.connection, args.zoneSsh, this.primaryIp);
  }
}

function zoneConnectionOf(
  name: string,
  globalZone: ConnectionArgs,
  ssh: ZoneSshArgs,
  primaryIp: pulumi.Output<string | null>,
): ConnectionArgs {
  const ownCredentials = ssh.privateKey !== undefined || ssh.agentSocket !== undefined;
  const credentials = ownCredentials ? ssh : globalZone;
  return secretConnection({
    host:
      ssh.host ??
      primaryIp.apply((ip) => {
        if (ip === null) {
          throw new Error(`SmartOsZone ${name}: the primary nic has no static address to connect to; set zoneSsh.host`);
        }
        return ip;
      }),
    port: ssh.port,
    user: ssh.user,
    privateKey: credentials.privateKey,
    privateKeyPassword: credentials.privateKeyPassword,
    agentSocket: credentials.agentSocket,
    hostKeyFingerprint: ssh.hostKeyFingerprint,
  });
}
