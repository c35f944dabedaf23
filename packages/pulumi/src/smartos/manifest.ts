import { createHash } from "node:crypto";
import { isIP } from "node:net";
import { isDeepStrictEqual } from "node:util";
import { type NicSpec, staticAddresses, type ZoneManifest } from "../schemas/smartos-zone";

// ---------------------------------------------------------------- what vmadm can change

/**
 * Properties `vmadm update` changes in place ("update: yes" in vmadm(8)).
 * Which of them a running zone feels at once is {@link rebootPending}'s
 * business. The rest of the manifest is changed by replacing the zone.
 */
export const UPDATABLE = [
  "alias",
  "max_physical_memory",
  "max_locked_memory",
  "max_swap",
  "max_lwps",
  "cpu_cap",
  "cpu_shares",
  "zfs_io_priority",
  "quota",
  "tmpfs",
  "resolvers",
  "maintain_resolvers",
  "autoboot",
  "firewall_enabled",
  "limit_priv",
  "fs_allowed",
  "owner_uuid",
  "billing_id",
  "package_name",
  "package_version",
  "zfs_root_compression",
  "zfs_data_compression",
  "kernel_version",
] as const;

/**
 * Properties that only take effect when the zone is created: a different
 * value replaces the zone. vmadm accepts an update of hostname and
 * dns_domain (proptable.js lists 'update' for both) but neither reaches an
 * OS zone: vmadm(8) hostname "changing it later will do nothing",
 * dns_domain "Updating this after create will have no effect".
 */
export const CREATE_ONLY = ["brand", "image_uuid", "delegate_dataset", "dns_domain", "hostname"] as const;

/** Properties of CREATE_ONLY that vmadm fills in when the manifest leaves them out: only a value the manifest gives is compared. */
const DEFAULTED_AT_CREATE = new Set<string>(["dns_domain", "hostname"]);

/**
 * What `vmadm get` omits: vmadm stores these values by removing the
 * property, so an absent property has this value. cpu_cap 0 removes the
 * zone.cpu-cap rctl and maintain_resolvers false its attribute (VM.js);
 * vmload shows zfs_root_compression/zfs_data_compression only when not
 * "off" (vmload/index.js); vmadm(8) firewall_enabled: "When set false the
 * property will not appear" (newer vmload shows false).
 */
const ABSENT_MEANS: Partial<Record<(typeof UPDATABLE)[number], unknown>> = {
  cpu_cap: 0,
  maintain_resolvers: false,
  firewall_enabled: false,
  zfs_root_compression: "off",
  zfs_data_compression: "off",
};

/** A property's value as the zone has it, with what an omitted property means. */
function liveValue(live: LiveZone, k: (typeof UPDATABLE)[number]): unknown {
  return live[k] ?? ABSENT_MEANS[k];
}

/** Key-value properties, updated with `set_X` and `remove_X`. */
const KEY_VALUE = ["customer_metadata", "internal_metadata", "tags"] as const;

/** The nic properties this library manages; `mac` and `interface` identify a nic and are not updated. */
const NIC_FIELDS = [
  "nic_tag",
  "ips",
  "gateways",
  "vlan_id",
  "mtu",
  "allow_ip_spoofing",
  "allow_dhcp_spoofing",
  "allow_mac_spoofing",
  "allow_restricted_traffic",
  "allowed_ips",
] as const;

/** A nic as `vmadm get` shows it. */
export interface LiveNic {
  mac: string;
  interface: string;
  nic_tag: string;
  ips: string[];
  primary?: boolean;
  gateways?: string[];
  [field: string]: unknown;
}

/** What `vmadm get` says about the properties a SmartOsZone can manage (the drift refresh shows). */
export interface LiveZone {
  uuid: string;
  state: string;
  brand: string;
  image_uuid: string;
  /** Whether the zone has its delegated dataset. */
  delegate_dataset: boolean;
  /** The zone's extra datasets (`datasets` in `vmadm get`), e.g. zones/<uuid>/data. */
  datasets: string[];
  dns_domain?: string;
  hostname?: string;
  /** When the zone last booted (vmadm shows it while the zone runs): what a reboot changes. */
  boot_timestamp?: string;
  nics: LiveNic[];
  /** Metadata as key -> {@link metadataDigest} of the value: drift shows, the values (often secrets) stay out of state. */
  customer_metadata: Record<string, string>;
  /** As customer_metadata. */
  internal_metadata: Record<string, string>;
  tags: Record<string, string | number | boolean>;
  [property: string]: unknown;
}

/** How `live` records a metadata value: its SHA-256, so state never holds the value. */
export function metadataDigest(value: string): string {
  return `sha256:${createHash("sha256").update(value).digest("hex")}`;
}

function digested(metadata: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries((metadata as Record<string, string> | undefined) ?? {}).map(([k, v]) => [k, metadataDigest(v)]),
  );
}

/** Parses `vmadm get` output into the properties a SmartOsZone tracks. */
export function liveZone(vmadmGet: string): LiveZone {
  const vm = JSON.parse(vmadmGet) as Record<string, unknown>;
  const datasets = ((vm.datasets as string[] | undefined) ?? []).map(String);
  const live: LiveZone = {
    uuid: String(vm.uuid),
    state: String(vm.state),
    brand: String(vm.brand),
    image_uuid: String(vm.image_uuid),
    delegate_dataset: datasets.some((d) => d.endsWith("/data")),
    datasets,
    nics: ((vm.nics as LiveNic[] | undefined) ?? [])
      .map((n) => {
        const { ip: _ip, netmask: _netmask, gateway: _gateway, ...rest } = n;
        return rest as LiveNic;
      })
      .sort((a, b) => Number(a.interface.slice(3)) - Number(b.interface.slice(3))),
    customer_metadata: digested(vm.customer_metadata),
    internal_metadata: digested(vm.internal_metadata),
    tags: (vm.tags as Record<string, string | number | boolean> | undefined) ?? {},
  };
  if (vm.dns_domain !== undefined) live.dns_domain = String(vm.dns_domain);
  if (vm.hostname !== undefined) live.hostname = String(vm.hostname);
  if (vm.boot_timestamp !== undefined) live.boot_timestamp = String(vm.boot_timestamp);
  for (const k of UPDATABLE) if (vm[k] !== undefined) live[k] = vm[k];
  return live;
}

/** The create payload for `vmadm create`: the manifest with the zone's UUID chosen by the provider. */
export function createPayload(manifest: ZoneManifest, zoneUuid: string): Record<string, unknown> {
  return { ...manifest, uuid: zoneUuid };
}

/** The create-only properties whose desired value differs from what the zone was created with. */
export function replacedProperties(live: LiveZone, desired: ZoneManifest): string[] {
  return CREATE_ONLY.filter((k) => {
    if (DEFAULTED_AT_CREATE.has(k)) return desired[k] !== undefined && desired[k] !== live[k];
    return desired[k] !== live[k];
  });
}

/**
 * Pairs desired nics with live ones: by `mac` when the desired nic names one,
 * else in order with the live nics (net0, net1, ...) no mac claimed.
 */
function pairNics(
  live: LiveNic[],
  desired: NicSpec[],
): { pairs: [NicSpec, LiveNic][]; added: NicSpec[]; removed: LiveNic[] } {
  const claimed = new Set(desired.flatMap((n) => (n.mac ? [n.mac] : [])));
  const free = live.filter((n) => !claimed.has(n.mac));
  const pairs: [NicSpec, LiveNic][] = [];
  const added: NicSpec[] = [];
  for (const nic of desired) {
    const match = nic.mac ? live.find((l) => l.mac === nic.mac) : free.shift();
    if (match) pairs.push([nic, match]);
    else added.push(nic);
  }
  const kept = new Set(pairs.map(([, l]) => l.mac));
  return { pairs, added, removed: live.filter((l) => !kept.has(l.mac)) };
}

/**
 * The `vmadm update` payload that takes the zone from `live` to `desired`
 * (empty: nothing to do). Only properties the manifest sets are managed.
 * Metadata and tag keys are set when they differ and removed when an earlier
 * manifest (`previous`) set them and `desired` no longer does; keys set by
 * others are left alone. With `nics` set, the zone's nics are exactly those:
 * add_nics, update_nics (keyed by mac) and remove_nics.
 */
export function updatePayload(live: LiveZone, desired: ZoneManifest, previous?: ZoneManifest): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const k of UPDATABLE) {
    const want = desired[k];
    if (want !== undefined && !isDeepStrictEqual(liveValue(live, k), want)) payload[k] = want;
  }
  // A new max_physical_memory makes vmadm move max_locked_memory and max_swap by the same amount
  // unless the payload names them (VM.js fixPayloadMemory()): send the managed ones along.
  if (payload.max_physical_memory !== undefined) {
    for (const k of ["max_locked_memory", "max_swap"] as const) {
      if (desired[k] !== undefined) payload[k] = desired[k];
    }
  }
  for (const k of KEY_VALUE) {
    const want: Record<string, unknown> = desired[k] ?? {};
    const recorded = (v: unknown) => (k === "tags" ? v : metadataDigest(String(v)));
    const set = Object.fromEntries(Object.entries(want).filter(([key, v]) => live[k][key] !== recorded(v)));
    const remove = Object.keys(previous?.[k] ?? {}).filter((key) => !(key in want) && key in live[k]);
    if (Object.keys(set).length > 0) payload[`set_${k}`] = set;
    if (remove.length > 0) payload[`remove_${k}`] = remove;
  }
  if (desired.nics !== undefined) {
    const { pairs, added, removed } = pairNics(live.nics, desired.nics);
    const primaryAt = Math.max(
      desired.nics.findIndex((n) => n.primary),
      0,
    );
    const primary = desired.nics[primaryAt];
    const updates = pairs.flatMap(([want, have]) => {
      const change: Record<string, unknown> = {};
      for (const f of NIC_FIELDS) {
        if (want[f] !== undefined && !isDeepStrictEqual(have[f], want[f])) change[f] = want[f];
      }
      if (want === primary && !have.primary) change.primary = true;
      return Object.keys(change).length > 0 ? [{ mac: have.mac, ...change }] : [];
    });
    if (added.length > 0) payload.add_nics = added.map((n) => (n === primary ? { ...n, primary: true } : n));
    if (updates.length > 0) payload.update_nics = updates;
    if (removed.length > 0) payload.remove_nics = removed.map((n) => n.mac);
  }
  return payload;
}

/**
 * What in an update payload a running zone gets only at its next boot, by
 * manifest property name. vmadm(8) marks cpu_cap, cpu_shares,
 * max_locked_memory, max_lwps, max_physical_memory, max_swap, quota and
 * zfs_io_priority "(live update)"; alias, owner_uuid, billing_id,
 * package_name, package_version, autoboot, metadata and tags (mdata-get
 * reads them live), compression (zfs applies it to new writes) and
 * firewall_enabled (VM.js has fwadm apply it) take effect or change nothing
 * in the zone. The rest waits ("Other properties will
 * require a reboot in order to take effect"): nics (no nics.* property is a
 * live update; nics.*.mtu "is not updated live"), limit_priv, fs_allowed
 * ("requires zone reboot to take effect"), kernel_version, and tmpfs when it
 * changes to or from 0 ("the VM must be rebooted"). resolvers are written
 * to a running zone only with maintain_resolvers (VM.js restarts
 * mdata:fetch then), and not at boot either, so they are not listed here.
 */
export function rebootPending(payload: Record<string, unknown>, live: LiveZone): string[] {
  const pending: string[] = [];
  if (["add_nics", "update_nics", "remove_nics"].some((k) => k in payload)) pending.push("nics");
  for (const k of ["limit_priv", "fs_allowed", "kernel_version"]) if (k in payload) pending.push(k);
  if ("tmpfs" in payload && (payload.tmpfs === 0) !== ((live.tmpfs ?? 1) === 0)) pending.push("tmpfs");
  return pending;
}

/** The static addresses (without prefix) of these nics, primary nic first. */
export function zoneAddresses(nics: LiveNic[]): string[] {
  const sorted = [...nics].sort((a, b) => Number(Boolean(b.primary)) - Number(Boolean(a.primary)));
  return sorted.flatMap((n) => staticAddresses(n).map(([ip]) => ip));
}

/** The address to reach the zone at: the primary nic's first static IPv4 address, else its first static one. */
export function primaryAddress(nics: LiveNic[]): string | null {
  const nic = nics.find((n) => n.primary) ?? nics[0];
  if (!nic) return null;
  const addresses = staticAddresses(nic).map(([ip]) => ip);
  return addresses.find((ip) => isIP(ip) === 4) ?? addresses[0] ?? null;
}
