/**
 * EMULATOR: the VM object model behind the testbed's vmadm (vmadm.ts),
 * written from the PROPERTIES and `update` sections of SmartOS vmadm(8) (the
 * create/update columns decide what a payload may carry). Not vmadm's code.
 *
 * Covers OS VMs (brands joyent, joyent-minimal, lx) and the properties listed
 * in PROPERTIES below: create payload checks (unknown or create-only
 * properties, bad values, missing brand/image_uuid), defaults as documented
 * (max_physical_memory 256, max_swap >= 256, max_lwps 2000, cpu_shares 100,
 * zfs_io_priority 100, quota 10, tmpfs = max_physical_memory, first nic
 * primary, generated MACs and netN interface names), and update payloads:
 * plain properties (only those marked updatable: brand, image_uuid,
 * delegate_dataset, dns_domain, uuid, zonename, zpool are refused),
 * add_nics/update_nics (keyed by mac)/remove_nics (macs), set_/remove_ for
 * customer_metadata, internal_metadata and tags. Problems are reported like
 * `vmadm validate` does: bad_properties, bad_values, missing_properties.
 *
 * Where vmadm(8) and vmadm's code differ, the code (smartos-live
 * src/vm/node_modules/VM.js, proptable.js, vmload/index.js) decides, and each
 * such behaviour cites it below: memory caps are clamped rather than refused,
 * dns_domain is updatable (stored, with no effect in the zone), values
 * vmadm stores by removing them are absent from `vmadm get`, and an MTU
 * below 1500 on a physical nic tag is refused. Which updates take effect
 * at once is the caller's business (vmadm.ts: nics are re-plumbed at boot).
 * Not covered: HVM brands, disks, filesystems, routes, snapshots, docker.
 */
import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { CommandFailure } from "./state";
import { linkForNicTag } from "./system";

/** One nic of a VM, as `vmadm get` shows it. */
export interface Nic {
  interface: string;
  mac: string;
  nic_tag: string;
  ips: string[];
  primary?: boolean;
  gateways?: string[];
  [property: string]: unknown;
}

/** A VM object, as `vmadm get` shows it. */
export interface Vm {
  uuid: string;
  brand: string;
  state: string;
  zone_state: string;
  autoboot: boolean;
  quota: number;
  max_physical_memory: number;
  nics: Nic[];
  customer_metadata: Record<string, string>;
  internal_metadata: Record<string, string>;
  tags: Record<string, unknown>;
  [property: string]: unknown;
}

type Kind = "string" | "integer" | "boolean" | "uuid" | "ips" | "metadata" | "tags" | "compression" | "brand";

interface Property {
  kind: Kind;
  /** May appear in a create payload. */
  create: boolean;
  /** May be changed by `vmadm update`. */
  update: boolean;
}

const c = (kind: Kind): Property => ({ kind, create: true, update: false });
const cu = (kind: Kind): Property => ({ kind, create: true, update: true });

/** The OS-VM properties the emulator knows, with vmadm(8)'s create/update columns. */
const PROPERTIES: Record<string, Property> = {
  alias: cu("string"),
  archive_on_delete: cu("boolean"),
  autoboot: cu("boolean"),
  billing_id: cu("uuid"),
  brand: c("brand"),
  cpu_cap: cu("integer"),
  cpu_shares: cu("integer"),
  customer_metadata: c("metadata"),
  delegate_dataset: c("boolean"),
  // vmadm(8) says "update: no", but proptable.js allows dns_domain in 'update' for every OS brand:
  // vmadm stores the new value; the zone's /etc/hosts keeps the one written at create (vmadm(8): "no effect").
  dns_domain: cu("string"),
  firewall_enabled: cu("boolean"),
  fs_allowed: cu("string"),
  hostname: cu("string"),
  image_uuid: c("uuid"),
  internal_metadata: c("metadata"),
  kernel_version: cu("string"),
  limit_priv: cu("string"),
  maintain_resolvers: cu("boolean"),
  max_locked_memory: cu("integer"),
  max_lwps: cu("integer"),
  max_physical_memory: cu("integer"),
  max_swap: cu("integer"),
  owner_uuid: cu("uuid"),
  package_name: cu("string"),
  package_version: cu("string"),
  quota: cu("integer"),
  resolvers: cu("ips"),
  tags: c("tags"),
  tmpfs: cu("integer"),
  uuid: c("uuid"),
  zfs_data_compression: cu("compression"),
  zfs_io_priority: cu("integer"),
  zfs_root_compression: cu("compression"),
  zonename: c("string"),
  zpool: c("string"),
};

/** Key-value properties and their update-time `set_X`/`remove_X` members. */
const KEY_VALUE = ["customer_metadata", "internal_metadata", "tags"] as const;

/** What `vmadm validate` reports about a payload. */
interface Problems {
  bad_properties: string[];
  bad_values: string[];
  missing_properties: string[];
}

function noProblems(): Problems {
  return { bad_properties: [], bad_values: [], missing_properties: [] };
}

/** Throws vmadm's failure for a payload with problems (the validate object on the following lines). */
function refuse(action: string, problems: Problems): void {
  const found = Object.fromEntries(Object.entries(problems).filter(([, list]) => list.length > 0));
  if (Object.keys(found).length === 0) return;
  throw new CommandFailure(`${action}: Invalid payload\n${JSON.stringify(found, null, 2)}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function valueOk(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case "string":
      return typeof v === "string";
    case "integer":
      return Number.isInteger(v) && (v as number) >= 0;
    case "boolean":
      return typeof v === "boolean";
    case "uuid":
      return typeof v === "string" && UUID.test(v);
    case "ips":
      return Array.isArray(v) && v.every((x) => typeof x === "string" && isIP(x) !== 0);
    case "metadata":
      return isPlainObject(v) && Object.values(v).every((x) => typeof x === "string");
    case "tags":
      return isPlainObject(v) && Object.values(v).every((x) => ["string", "number", "boolean"].includes(typeof x));
    case "compression":
      return typeof v === "string" && /^(on|off|lzjb|lz4|zle|gzip|gzip-[1-9])$/.test(v);
    case "brand":
      return v === "joyent" || v === "joyent-minimal" || v === "lx";
  }
}

/** An address of `nics.*.ips`: dhcp, addrconf, or an IPv4/IPv6 address with its prefix length. */
function nicAddressOk(v: unknown): boolean {
  if (v === "dhcp" || v === "addrconf") return true;
  if (typeof v !== "string") return false;
  const [ip, prefix, extra] = v.split("/");
  const family = isIP(ip);
  return (
    extra === undefined && family !== 0 && /^\d{1,3}$/.test(prefix ?? "") && Number(prefix) <= (family === 4 ? 32 : 128)
  );
}

/**
 * Properties of one nic (`nics.*.<property>` in vmadm(8)) and their checks.
 * `interface` is assigned at creation; `mac` identifies a nic in update_nics.
 */
const NIC_PROPERTIES: Record<string, (v: unknown) => boolean> = {
  nic_tag: (v) => typeof v === "string" && linkForNicTag(v) !== undefined,
  ips: (v) => Array.isArray(v) && v.length > 0 && v.length <= 20 && v.every(nicAddressOk),
  gateways: (v) => Array.isArray(v) && v.every((g) => isIP(String(g)) === 4),
  primary: (v) => v === true,
  mac: (v) => typeof v === "string" && MAC.test(v),
  interface: (v) => typeof v === "string" && /^net\d+$/.test(v),
  vlan_id: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 4095,
  mtu: (v) => Number.isInteger(v) && (v as number) >= 576 && (v as number) <= 9000,
  allow_ip_spoofing: (v) => typeof v === "boolean",
  allow_dhcp_spoofing: (v) => typeof v === "boolean",
  allow_mac_spoofing: (v) => typeof v === "boolean",
  allow_restricted_traffic: (v) => typeof v === "boolean",
  allowed_ips: Array.isArray,
  network_uuid: (v) => typeof v === "string" && UUID.test(v),
};

function checkNic(nic: unknown, at: string, problems: Problems, creating: boolean): void {
  if (!isPlainObject(nic)) {
    problems.bad_values.push(at);
    return;
  }
  for (const [k, v] of Object.entries(nic)) {
    const check = NIC_PROPERTIES[k];
    if (!check || (k === "interface" && !creating)) problems.bad_properties.push(`${at}.${k}`);
    else if (!check(v)) problems.bad_values.push(`${at}.${k}`);
  }
}

/**
 * VM.js lookupInvalidNicTagMTUs(): an MTU below 1500 on a nic tag of type
 * `normal` (a physical link; every tag of the emulated global zone is one)
 * fails the whole create or update with this message; 576 is the floor on
 * etherstubs and overlays only (vmadm(8), nics.*.mtu).
 */
function physicalMtuProblems(nics: unknown[], macOf: (nic: Record<string, unknown>) => string): string[] {
  return nics.flatMap((nic, i) =>
    isPlainObject(nic) && typeof nic.mtu === "number" && nic.mtu < 1500 && typeof nic.nic_tag === "string"
      ? [`nic ${i} (${macOf(nic)}): MTU is below the supported MTU (1500) of nic tag "${nic.nic_tag}"`]
      : [],
  );
}

function refuseMtu(action: string, problems: string[]): void {
  if (problems.length > 0) throw new CommandFailure(`${action}: ${problems.join("\n")}`);
}

/** VM.js MINIMUM_MAX_SWAP. */
const MINIMUM_MAX_SWAP = 256;

/**
 * VM.js fixPayloadMemory(), for create (`vm` empty) and update: vmadm never
 * refuses these caps, it adjusts the payload. A new max_physical_memory
 * without max_locked_memory/max_swap keeps their old distance from it (swap
 * inflated to the 256 MiB minimum follows memory instead); then
 * max_locked_memory above max_physical_memory is clamped down to it and
 * max_swap below it is raised to it ("clamping to", "raising to" in vmadm's log).
 */
function fixMemory(payload: Record<string, unknown>, vm: Record<string, unknown>): void {
  const num = (v: unknown) => v as number;
  if (payload.max_physical_memory !== undefined) {
    const phys = num(payload.max_physical_memory);
    if (payload.max_locked_memory === undefined) {
      payload.max_locked_memory =
        vm.max_locked_memory !== undefined && vm.max_physical_memory !== undefined
          ? phys - (num(vm.max_physical_memory) - num(vm.max_locked_memory))
          : phys;
    }
    if (payload.max_swap === undefined) {
      if (vm.max_swap !== undefined && vm.max_physical_memory !== undefined) {
        payload.max_swap =
          num(vm.max_swap) === MINIMUM_MAX_SWAP && phys >= MINIMUM_MAX_SWAP
            ? phys
            : phys + (num(vm.max_swap) - num(vm.max_physical_memory));
      } else {
        payload.max_swap = phys;
      }
      if (num(payload.max_swap) < MINIMUM_MAX_SWAP) payload.max_swap = MINIMUM_MAX_SWAP;
    }
  }
  const phys = num(payload.max_physical_memory ?? vm.max_physical_memory);
  if (payload.max_locked_memory !== undefined && num(payload.max_locked_memory) > phys)
    payload.max_locked_memory = phys;
  if (payload.max_swap !== undefined && num(payload.max_swap) < phys) payload.max_swap = phys;
}

/**
 * Properties vmadm stores by removing them, so `vmadm get` omits them:
 * cpu_cap 0 removes the zone.cpu-cap rctl (VM.js: "When cpu_cap is 0, we'll
 * remove instead of set"), maintain_resolvers false removes its attribute
 * (VM.js: "removing sets false as that's the default"), and vmload
 * (vmload/index.js) shows zfs_root_compression/zfs_data_compression only
 * when the dataset's compression is not "off".
 */
function dropRemovedValues(vm: Record<string, unknown>): void {
  if (vm.cpu_cap === 0) delete vm.cpu_cap;
  if (vm.maintain_resolvers === false) delete vm.maintain_resolvers;
  for (const k of ["zfs_root_compression", "zfs_data_compression"]) if (vm[k] === "off") delete vm[k];
}

function newMac(taken: Set<string>): string {
  for (;;) {
    const mac = ["90", "b8", "d0", ...[...randomBytes(3)].map((b) => b.toString(16).padStart(2, "0"))].join(":");
    if (!taken.has(mac)) return mac;
  }
}

/** Derived legacy fields vmadm still shows: ip, netmask, gateway of the first static IPv4. */
function withLegacyFields(nic: Nic): Nic {
  const { ip: _ip, netmask: _nm, gateway: _gw, ...rest } = nic;
  const v4 = nic.ips.find((a) => a.includes("/") && isIP(a.split("/")[0]) === 4);
  const out: Nic = { ...rest } as Nic;
  if (v4) {
    const [ip, prefix] = v4.split("/");
    const mask = Number(prefix) === 0 ? 0 : (0xffffffff << (32 - Number(prefix))) >>> 0;
    out.ip = ip;
    out.netmask = [24, 16, 8, 0].map((s) => (mask >>> s) & 255).join(".");
  } else if (nic.ips.includes("dhcp")) {
    out.ip = "dhcp";
  }
  if (nic.gateways?.[0]) out.gateway = nic.gateways[0];
  return out;
}

function addNics(vm: Vm, added: Record<string, unknown>[]): void {
  const taken = new Set(vm.nics.map((n) => n.mac));
  const names = new Set(vm.nics.map((n) => n.interface));
  for (const raw of added) {
    let index = 0;
    while (names.has(`net${index}`)) index++;
    const nic = { interface: `net${index}`, ...raw, mac: (raw.mac as string | undefined) ?? newMac(taken) } as Nic;
    names.add(nic.interface);
    taken.add(nic.mac);
    if (nic.primary) for (const n of vm.nics) delete n.primary;
    vm.nics.push(nic);
  }
}

function ensureOnePrimary(vm: Vm): void {
  if (vm.nics.length > 0 && !vm.nics.some((n) => n.primary)) vm.nics[0].primary = true;
  vm.nics = vm.nics.map(withLegacyFields);
}

function checkPrimaries(nics: unknown[], at: string, problems: Problems): void {
  if (nics.filter((n) => isPlainObject(n) && n.primary === true).length > 1) problems.bad_values.push(at);
}

/**
 * Checks a create payload and returns the new VM object with vmadm's
 * defaults applied (state and datasets are the caller's). `imageType` is the
 * type of the installed image named by image_uuid, or null when not installed.
 */
export function vmFromCreatePayload(payload: Record<string, unknown>, uuid: string, imageType: string | null): Vm {
  const problems = noProblems();
  for (const [k, v] of Object.entries(payload)) {
    if (k === "nics") {
      if (!Array.isArray(v)) problems.bad_values.push("nics");
      else {
        v.forEach((nic, i) => {
          checkNic(nic, `nics.${i}`, problems, true);
          if (isPlainObject(nic) && nic.nic_tag === undefined) problems.missing_properties.push(`nics.${i}.nic_tag`);
        });
        checkPrimaries(v, "nics", problems);
      }
    } else if (!PROPERTIES[k]?.create) {
      problems.bad_properties.push(k);
    } else if (!valueOk(PROPERTIES[k].kind, v)) {
      problems.bad_values.push(k);
    }
  }
  if (payload.brand === undefined) problems.missing_properties.push("brand");
  if (payload.image_uuid === undefined) problems.missing_properties.push("image_uuid");
  else if (imageType === null) problems.bad_values.push("image_uuid");
  else if ((payload.brand === "lx") !== (imageType === "lx-dataset")) problems.bad_values.push("image_uuid");
  refuse("Failed to create VM", problems);
  refuseMtu(
    "Failed to create VM",
    physicalMtuProblems(Array.isArray(payload.nics) ? payload.nics : [], (n) => String(n.mac)),
  );

  const phys = (payload.max_physical_memory as number | undefined) ?? 256;
  const memory: Record<string, unknown> = {
    max_physical_memory: phys,
    ...(payload.max_locked_memory !== undefined ? { max_locked_memory: payload.max_locked_memory } : {}),
    ...(payload.max_swap !== undefined ? { max_swap: payload.max_swap } : {}),
  };
  fixMemory(memory, {});
  const vm: Vm = {
    autoboot: true,
    billing_id: "00000000-0000-0000-0000-000000000000",
    cpu_shares: 100,
    dns_domain: "local",
    limit_priv: "default",
    max_locked_memory: phys,
    max_lwps: 2000,
    max_swap: Math.max(phys, 256),
    owner_uuid: "00000000-0000-0000-0000-000000000000",
    quota: 10,
    resolvers: [],
    tmpfs: phys,
    zfs_io_priority: 100,
    zpool: "zones",
    ...payload,
    ...memory,
    max_physical_memory: phys,
    brand: payload.brand as string,
    uuid,
    zonename: (payload.zonename as string | undefined) ?? uuid,
    type: payload.brand === "lx" ? "LX" : "OS",
    nics: [],
    customer_metadata: (payload.customer_metadata as Record<string, string> | undefined) ?? {},
    internal_metadata: (payload.internal_metadata as Record<string, string> | undefined) ?? {},
    tags: (payload.tags as Record<string, unknown> | undefined) ?? {},
    state: "provisioning",
    zone_state: "installed",
  } as Vm;
  delete vm.delegate_dataset;
  if (vm.hostname === undefined) vm.hostname = vm.zonename;
  addNics(vm, (payload.nics as Record<string, unknown>[] | undefined) ?? []);
  ensureOnePrimary(vm);
  dropRemovedValues(vm);
  return vm;
}

/** What an update changed that the caller must carry out on the system. */
export interface UpdateEffects {
  /** The new quota (GiB), when it changed. */
  quota?: number;
  /** New compression of the zone root / the delegated dataset. */
  rootCompression?: string;
  dataCompression?: string;
}

/** Applies an update payload to `vm` in place, vmadm's way; refuses non-updatable properties. */
export function applyUpdate(vm: Vm, payload: Record<string, unknown>): UpdateEffects {
  const problems = noProblems();
  const effects: UpdateEffects = {};
  const macs = new Set(vm.nics.map((n) => n.mac));
  for (const [k, v] of Object.entries(payload)) {
    if (k === "add_nics") {
      if (!Array.isArray(v)) problems.bad_values.push(k);
      else {
        v.forEach((nic, i) => {
          checkNic(nic, `add_nics.${i}`, problems, true);
          if (isPlainObject(nic) && nic.nic_tag === undefined)
            problems.missing_properties.push(`add_nics.${i}.nic_tag`);
        });
        checkPrimaries(v, k, problems);
      }
    } else if (k === "update_nics") {
      if (!Array.isArray(v)) problems.bad_values.push(k);
      else {
        v.forEach((nic, i) => {
          checkNic(nic, `update_nics.${i}`, problems, false);
          if (!isPlainObject(nic) || !macs.has(nic.mac as string)) problems.bad_values.push(`update_nics.${i}.mac`);
        });
        checkPrimaries(v, k, problems);
      }
    } else if (k === "remove_nics") {
      if (!Array.isArray(v) || !v.every((m) => macs.has(m))) problems.bad_values.push(k);
    } else if (KEY_VALUE.some((p) => k === `set_${p}`)) {
      const kind = k === "set_tags" ? "tags" : "metadata";
      if (!valueOk(kind, v)) problems.bad_values.push(k);
    } else if (KEY_VALUE.some((p) => k === `remove_${p}`)) {
      if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) problems.bad_values.push(k);
    } else if (!PROPERTIES[k]?.update) {
      problems.bad_properties.push(k);
    } else if (!valueOk(PROPERTIES[k].kind, v)) {
      problems.bad_values.push(k);
    }
  }
  refuse(`Failed to update VM ${vm.uuid}`, problems);
  const byMac = (n: Record<string, unknown>) => String(n.mac);
  const nicTag = (n: Record<string, unknown>) => n.nic_tag ?? vm.nics.find((l) => l.mac === n.mac)?.nic_tag;
  refuseMtu(`Failed to update VM ${vm.uuid}`, [
    ...physicalMtuProblems((payload.add_nics as unknown[] | undefined) ?? [], byMac),
    ...physicalMtuProblems(
      ((payload.update_nics as Record<string, unknown>[] | undefined) ?? []).map((n) => ({ ...n, nic_tag: nicTag(n) })),
      byMac,
    ),
  ]);

  const next: Vm = structuredClone(vm);
  const memory = Object.fromEntries(
    ["max_physical_memory", "max_locked_memory", "max_swap"].filter((k) => k in payload).map((k) => [k, payload[k]]),
  );
  fixMemory(memory, vm);
  for (const [k, v] of Object.entries({ ...payload, ...memory })) {
    if (PROPERTIES[k]?.update) next[k] = v;
  }
  for (const p of KEY_VALUE) {
    const set = payload[`set_${p}`] as Record<string, string> | undefined;
    const remove = payload[`remove_${p}`] as string[] | undefined;
    const map = next[p] as Record<string, unknown>;
    if (set) Object.assign(map, set);
    for (const key of remove ?? []) delete map[key];
  }
  if (payload.remove_nics) {
    const gone = new Set(payload.remove_nics as string[]);
    next.nics = next.nics.filter((n) => !gone.has(n.mac));
  }
  for (const change of (payload.update_nics as Record<string, unknown>[] | undefined) ?? []) {
    const nic = next.nics.find((n) => n.mac === change.mac) as Nic;
    if (change.primary) for (const n of next.nics) delete n.primary;
    Object.assign(nic, change);
  }
  if (payload.add_nics) {
    addNics(next, payload.add_nics as Record<string, unknown>[]);
  }
  ensureOnePrimary(next);
  dropRemovedValues(next);

  if (next.quota !== vm.quota) effects.quota = next.quota;
  if (payload.zfs_root_compression !== undefined) effects.rootCompression = payload.zfs_root_compression as string;
  if (payload.zfs_data_compression !== undefined) effects.dataCompression = payload.zfs_data_compression as string;
  Object.assign(vm, next);
  for (const k of Object.keys(vm)) if (!(k in next)) delete vm[k];
  return effects;
}

/**
 * Converts `vmadm update UUID key=value ...` arguments to a payload: numbers
 * and booleans for the properties of those kinds, strings otherwise.
 */
export function payloadFromArguments(args: string[]): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const arg of args) {
    const at = arg.indexOf("=");
    if (at <= 0) throw new CommandFailure(`Invalid argument "${arg}": expected property=value`);
    const key = arg.slice(0, at);
    const text = arg.slice(at + 1);
    const kind = PROPERTIES[key]?.kind;
    payload[key] =
      kind === "integer" && /^\d+$/.test(text)
        ? Number(text)
        : kind === "boolean" && (text === "true" || text === "false")
          ? text === "true"
          : text;
  }
  return payload;
}
