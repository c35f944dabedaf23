/**
 * EMULATOR, not ZFS: the dataset model behind the zfs, vmadm and imgadm
 * emulators of the testbed's SmartOS personality. Written from the documented
 * behaviour in zfs(8) (illumos) and the "Sending Email from SmartOS" guide's
 * use of it; not from ZFS source.
 *
 * Each filesystem dataset is a tmpfs inside the test host, mounted at a hidden
 * storage directory, and bind-mounted at its mountpoint while it is mounted.
 * So data survives `mountpoint=none`, and `quota` is enforced: it is the
 * tmpfs size (a write beyond it fails with ENOSPC where ZFS says EDQUOT).
 *
 * Covers: the `zones` pool; filesystems only (no volumes, snapshots, clones,
 * holds or user properties); properties mountpoint (inherited, `none`,
 * `legacy`), quota and reservation (not inherited, `none`), compression,
 * atime and zoned (inherited, stored only), canmount; read-only type,
 * creation, used, available, referenced, mounted. Mounting refuses a
 * non-empty directory ("directory is not empty", as illumos does without -O)
 * and creates a missing mountpoint; unmounting leaves the directory behind;
 * a busy filesystem cannot be unmounted. A parent's quota limits its
 * descendants (zfs(8) "quota": "Limits the amount of space a dataset and its
 * descendents can consume ... includes all space consumed by its
 * descendents"): vmadm sets the zone quota on zones/<uuid>, so the delegated
 * datasets count against it. Each tmpfs is sized to the least of its own
 * quota and, for each ancestor with a quota, that quota less what the
 * ancestor's other descendants use, recomputed when a dataset is created or
 * a quota set (not as siblings fill up later). Not covered: refquota,
 * encryption, send/receive.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync, statfsSync } from "node:fs";
import { CommandFailure, host, readJson, statePath, writeJson } from "./state";

/** One dataset's record. */
export interface Dataset {
  /** Full name, e.g. zones/<uuid>/data. */
  name: string;
  /** Seconds since the epoch. */
  creation: number;
  /** Locally set properties, raw (sizes in bytes). */
  local: Record<string, string>;
  /** Where it is bind-mounted now, or null. */
  mountedAt: string | null;
}

/** The pool: its name, size and datasets. */
export interface Pool {
  name: string;
  sizeBytes: number;
  datasets: Record<string, Dataset>;
}

const POOL_FILE = statePath("zfs", "pool.json");

/** Loads the pool; fails when the emulated system was never booted (see boot.ts). */
export function loadPool(): Pool {
  const pool = readJson<Pool | null>(POOL_FILE, null);
  if (!pool) throw new CommandFailure("internal error: no pools available (the SmartOS emulator was not booted)");
  return pool;
}

/** Stores the pool. */
export function savePool(pool: Pool): void {
  writeJson(POOL_FILE, pool);
}

/** Makes the pool with its root dataset mounted at /<name>; used once, when the emulated system boots. */
export function createPool(name: string, sizeBytes: number): void {
  const pool: Pool = { name, sizeBytes, datasets: {} };
  createDataset(pool, name, {});
  savePool(pool);
}

interface PropertySpec {
  inherit: boolean;
  settable: boolean;
  check?: (value: string) => string | null;
  parse?: (value: string) => string;
}

const onOff = (v: string) => (["on", "off"].includes(v) ? null : "must be 'on' or 'off'");

/** zfs(8) size syntax: bytes, or a number with K, M, G, T, P or E (optionally followed by B). */
function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([KMGTPE]?)B?$/i.exec(text);
  if (!m) return null;
  const power = " KMGTPE".indexOf(m[2].toUpperCase() || " ");
  return Math.round(Number(m[1]) * 1024 ** power);
}

const sizeOrNone = (v: string) => (v === "none" || parseSize(v) !== null ? null : "bad numeric value");
const sizeRaw = (v: string) => (v === "none" ? "0" : String(parseSize(v)));

const PROPERTIES: Record<string, PropertySpec> = {
  type: { inherit: false, settable: false },
  creation: { inherit: false, settable: false },
  used: { inherit: false, settable: false },
  available: { inherit: false, settable: false },
  referenced: { inherit: false, settable: false },
  mounted: { inherit: false, settable: false },
  name: { inherit: false, settable: false },
  mountpoint: {
    inherit: true,
    settable: true,
    check: (v) =>
      v === "none" || v === "legacy" || /^\/[^\0]*$/.test(v) ? null : "must be an absolute path, 'none', or 'legacy'",
  },
  quota: { inherit: false, settable: true, check: sizeOrNone, parse: sizeRaw },
  reservation: { inherit: false, settable: true, check: sizeOrNone, parse: sizeRaw },
  compression: {
    inherit: true,
    settable: true,
    check: (v) =>
      /^(on|off|lzjb|lz4|zle|gzip|gzip-[1-9])$/.test(v)
        ? null
        : "must be one of 'on | off | lzjb | gzip | gzip-[1-9] | zle | lz4'",
  },
  atime: { inherit: true, settable: true, check: onOff },
  zoned: { inherit: true, settable: true, check: onOff },
  canmount: {
    inherit: false,
    settable: true,
    check: (v) => (["on", "off", "noauto"].includes(v) ? null : "must be 'on', 'off' or 'noauto'"),
  },
};

const ALIASES: Record<string, string> = { avail: "available", refer: "referenced", compress: "compression" };

/** The canonical name of a property, or throws zfs's "invalid property". */
export function propertyName(name: string): string {
  const canonical = ALIASES[name] ?? name;
  if (!(canonical in PROPERTIES)) throw new CommandFailure(`bad property list: invalid property '${name}'`, 2);
  return canonical;
}

/** Every property `zfs get all` shows, in its order. */
export const ALL_PROPERTIES = Object.keys(PROPERTIES).filter((p) => p !== "name");

function parentOf(name: string): string | null {
  const at = name.lastIndexOf("/");
  return at < 0 ? null : name.slice(0, at);
}

/** The dataset, or zfs's "dataset does not exist". */
export function dataset(pool: Pool, name: string): Dataset {
  const ds = pool.datasets[name];
  if (!ds) throw new CommandFailure(`cannot open '${name}': dataset does not exist`);
  return ds;
}

/** Names in hierarchical order (a parent before its children, siblings by name), as zfs list prints them. */
function sortedNames(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => {
    const x = a.split("/");
    const y = b.split("/");
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return x.length - y.length;
  });
}

/** `name` and its descendants down to `depth` levels (Infinity: all), hierarchically ordered. */
export function subtree(pool: Pool, name: string, depth = Number.POSITIVE_INFINITY): string[] {
  const levels = name.split("/").length;
  return sortedNames(
    Object.keys(pool.datasets).filter(
      (n) => (n === name || n.startsWith(`${name}/`)) && n.split("/").length - levels <= depth,
    ),
  );
}

/** A property's effective value (raw) and its source, as `zfs get` reports them. */
export function resolve(pool: Pool, name: string, property: string): { value: string; source: string } {
  const ds = dataset(pool, name);
  const spec = PROPERTIES[property];
  if (property in ds.local) return { value: ds.local[property], source: "local" };
  if (!spec.settable) return { value: readOnly(pool, ds, property), source: "-" };
  if (spec.inherit) {
    for (let p = parentOf(name); p !== null; p = parentOf(p)) {
      const ancestor = pool.datasets[p];
      if (property in ancestor.local) {
        const value = ancestor.local[property];
        const derived =
          property === "mountpoint" && value.startsWith("/")
            ? `${value.replace(/\/$/, "")}${name.slice(p.length)}`
            : value;
        return { value: derived, source: `inherited from ${p}` };
      }
    }
  }
  return { value: defaultValue(name, property), source: "default" };
}

function defaultValue(name: string, property: string): string {
  switch (property) {
    case "mountpoint":
      return `/${name}`;
    case "quota":
    case "reservation":
      return "0";
    case "compression":
    case "zoned":
      return "off";
    default:
      return "on";
  }
}

function usage(ds: Dataset): { used: number; available: number } {
  const dir = storageDir(ds.name);
  if (!existsSync(dir)) return { used: 0, available: 0 };
  const s = statfsSync(dir);
  return { used: (s.blocks - s.bfree) * s.bsize, available: s.bavail * s.bsize };
}

function readOnly(pool: Pool, ds: Dataset, property: string): string {
  switch (property) {
    case "type":
      return "filesystem";
    case "name":
      return ds.name;
    case "creation":
      return String(ds.creation);
    case "mounted":
      return ds.mountedAt ? "yes" : "no";
    case "referenced":
      return String(usage(ds).used);
    case "available":
      return String(usage(ds).available);
    default:
      return String(subtree(pool, ds.name).reduce((sum, n) => sum + usage(pool.datasets[n]).used, 0));
  }
}

/** zfs's human-readable size: 980G, 1.50G, 512. */
function niceSize(bytes: number): string {
  const units = ["", "K", "M", "G", "T", "P", "E"];
  let i = 0;
  while (bytes >= 1024 ** (i + 1) && i < units.length - 1) i++;
  if (i === 0) return String(bytes);
  const v = bytes / 1024 ** i;
  if (Number.isInteger(v)) return `${v}${units[i]}`;
  for (const digits of [2, 1, 0]) {
    const text = v.toFixed(digits);
    if (text.length <= 4) return `${text}${units[i]}`;
  }
  return `${Math.round(v)}${units[i]}`;
}

/** A raw value as `zfs get` prints it: exact with -p, human-readable otherwise. */
export function display(property: string, raw: string, parsable: boolean): string {
  if (["quota", "reservation"].includes(property) && raw === "0") return parsable ? "0" : "none";
  if (["quota", "reservation", "used", "available", "referenced"].includes(property)) {
    return parsable ? raw : niceSize(Number(raw));
  }
  if (property === "creation" && !parsable) {
    return new Date(Number(raw) * 1000)
      .toUTCString()
      .replace(/^\w+, /, "")
      .replace(" GMT", "");
  }
  return raw;
}

/** Validates `property=value` for setting; returns the raw value to store. */
export function settable(name: string, property: string, value: string): string {
  const spec = PROPERTIES[propertyName(property)];
  if (!spec.settable) throw new CommandFailure(`cannot set property for '${name}': '${property}' is readonly`);
  const problem = spec.check?.(value) ?? null;
  if (problem) throw new CommandFailure(`cannot set property for '${name}': '${property}' ${problem}`);
  return spec.parse ? spec.parse(value) : value;
}

/** Directory where a dataset's tmpfs lives, mounted or not. */
function storageDir(name: string): string {
  return statePath("zfs", "fs", encodeURIComponent(name));
}

/** tmpfs treats size=0 as unlimited: a dataset with no room left gets one page. */
const PAGE = 4096;

function tmpfsSize(pool: Pool, ds: Dataset): number {
  const quota = Number(ds.local.quota ?? "0");
  let size = quota > 0 ? quota : pool.sizeBytes;
  const own = new Set(subtree(pool, ds.name));
  for (let p = parentOf(ds.name); p !== null; p = parentOf(p)) {
    const limit = Number(pool.datasets[p]?.local.quota ?? "0");
    if (limit <= 0) continue;
    const others = subtree(pool, p)
      .filter((n) => !own.has(n))
      .reduce((sum, n) => sum + usage(pool.datasets[n]).used, 0);
    size = Math.min(size, limit - others);
  }
  return Math.max(size, PAGE);
}

/** Resizes the tmpfs of `name` and its descendants after a quota in their line changed (never below what they hold). */
function resize(pool: Pool, name: string): void {
  for (const n of subtree(pool, name)) {
    const ds = pool.datasets[n];
    const size = Math.max(tmpfsSize(pool, ds), usage(ds).used);
    host("mount", ["-o", `remount,size=${size}`, storageDir(n)], `cannot set property for '${n}'`);
  }
}

function isEmptyDir(dir: string): boolean {
  return readdirSync(dir).length === 0;
}

function mount(pool: Pool, name: string): void {
  const ds = pool.datasets[name];
  const mountpoint = resolve(pool, name, "mountpoint").value;
  if (ds.mountedAt || !mountpoint.startsWith("/") || (ds.local.canmount ?? "on") !== "on") return;
  if (existsSync(mountpoint) && !isEmptyDir(mountpoint)) {
    throw new CommandFailure(`cannot mount '${mountpoint}': directory is not empty`);
  }
  mkdirSync(mountpoint, { recursive: true });
  host("mount", ["--bind", storageDir(name), mountpoint], `cannot mount '${mountpoint}'`);
  ds.mountedAt = mountpoint;
}

function unmount(pool: Pool, name: string): void {
  const ds = pool.datasets[name];
  if (!ds.mountedAt) return;
  try {
    host("umount", [ds.mountedAt], "umount");
  } catch {
    throw new CommandFailure(`cannot unmount '${ds.mountedAt}': Device busy`);
  }
  ds.mountedAt = null;
}

/**
 * Creates a filesystem with locally set `props` (raw values) and mounts it.
 * A failed mount leaves the dataset created, as zfs does, and says so.
 */
export function createDataset(pool: Pool, name: string, props: Record<string, string>): void {
  if (pool.datasets[name]) throw new CommandFailure(`cannot create '${name}': dataset already exists`);
  const parent = parentOf(name);
  if (parent === null ? name !== pool.name : !pool.datasets[parent]) {
    throw new CommandFailure(`cannot create '${name}': parent does not exist`);
  }
  const ds: Dataset = { name, creation: Math.floor(Date.now() / 1000), local: { ...props }, mountedAt: null };
  const dir = storageDir(name);
  mkdirSync(dir, { recursive: true });
  host("mount", ["-t", "tmpfs", "-o", `size=${tmpfsSize(pool, ds)},mode=755`, name, dir], `cannot create '${name}'`);
  pool.datasets[name] = ds;
  try {
    mount(pool, name);
  } catch (err) {
    throw new CommandFailure(`${(err as Error).message}\nfilesystem successfully created, but not mounted`);
  }
}

/** The datasets a change of `property` on `name` reaches: itself and descendants inheriting it. */
function reached(pool: Pool, name: string, property: string): string[] {
  return subtree(pool, name).filter((n) => n === name || !(property in pool.datasets[n].local));
}

/** Unmounts `names` deepest first, runs `change`, then mounts them again shallowest first. */
function remounting(pool: Pool, names: string[], change: () => void): void {
  for (const n of [...names].reverse()) unmount(pool, n);
  change();
  for (const n of names) mount(pool, n);
}

/** Sets properties (already validated raw values) on a dataset, remounting or resizing as needed. */
export function setProperties(pool: Pool, name: string, props: Record<string, string>): void {
  const ds = dataset(pool, name);
  for (const [property, value] of Object.entries(props)) {
    if (property === "quota") {
      const used = subtree(pool, name).reduce((sum, n) => sum + usage(pool.datasets[n]).used, 0);
      if (Number(value) > 0 && Number(value) < used) {
        throw new CommandFailure(`cannot set property for '${name}': size is less than current used or reserved space`);
      }
      ds.local.quota = value;
      resize(pool, name);
    } else if (property === "mountpoint" || property === "canmount") {
      remounting(pool, property === "mountpoint" ? reached(pool, name, property) : [name], () => {
        ds.local[property] = value;
      });
    } else {
      ds.local[property] = value;
    }
  }
}

/** `zfs inherit`: drops the local value so the inherited (or default) one applies again. */
export function inheritProperty(pool: Pool, name: string, property: string): void {
  const canonical = propertyName(property);
  const spec = PROPERTIES[canonical];
  if (!spec.settable) throw new CommandFailure(`'${property}' property is read-only`);
  if (!spec.inherit) throw new CommandFailure(`'${property}' property cannot be inherited`);
  const ds = dataset(pool, name);
  if (canonical === "mountpoint") {
    remounting(pool, reached(pool, name, canonical), () => {
      delete ds.local[canonical];
    });
  } else {
    delete ds.local[canonical];
  }
}

/** Destroys a dataset (with `recursive`, its descendants too); refuses one with children otherwise. */
export function destroyDataset(pool: Pool, name: string, recursive: boolean): void {
  const all = subtree(pool, dataset(pool, name).name);
  if (all.length > 1 && !recursive) {
    throw new CommandFailure(
      `cannot destroy '${name}': filesystem has children\nuse '-r' to destroy the following datasets:\n${all.slice(1).join("\n")}`,
    );
  }
  if (name === pool.name) throw new CommandFailure(`cannot destroy '${name}': operation does not apply to pools`);
  for (const n of [...all].reverse()) {
    unmount(pool, n);
    const dir = storageDir(n);
    host("umount", [dir], `cannot destroy '${n}'`);
    rmdirSync(dir);
    delete pool.datasets[n];
  }
}
