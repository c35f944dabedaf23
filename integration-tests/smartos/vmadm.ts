/**
 * EMULATOR of SmartOS vmadm(8) for the testbed's SmartOS personality,
 * written from the vmadm(8) man page (COMMANDS, PROPERTIES, VM STATES); the
 * object model and payload rules are in vm.ts. Installed as /usr/sbin/vmadm
 * in a test host only; VMs are JSON files under /var/lib/smartos-emulator.
 *
 * Covers: `create [-f FILE]` (payload on stdin, refused from a terminal;
 * image must be installed; creates zones/UUID with the quota and, with
 * delegate_dataset, zones/UUID/data with zoned=on; boots when autoboot),
 * `get UUID`, `list [-p] [-H] [-o field,...] [-s field,...] [field=value|field=~regex ...]`,
 * `lookup [-j] [-1] [-o field,...] [filters]`,
 * `update UUID [-f FILE | property=value ...]` (stdin payload otherwise),
 * `start UUID`, `stop UUID [-F]`, `reboot UUID [-F]`, `delete UUID`.
 * A running VM's static addresses are plumbed on the test host's link for the
 * nic's tag (eth0) when it boots and removed when it stops, so the zone's IP
 * answers while it runs: the test host plays both the global zone and the
 * zone (one sshd, one file system). A nic change made with `update` waits for
 * the next boot (`reboot`, or `stop` then `start`): vmadm(8) "update" says
 * only properties marked "(live update)" take effect at once ("Other
 * properties will require a reboot"), and no nics.* property is so marked
 * (nics.*.mtu: "not updated live"). Starting sets autoboot=true and stopping
 * sets it false, as documented. Messages follow vmadm's wording where the man
 * page gives it.
 *
 * `list` takes -p, -H, -o and -s only; vmadm.js parses its options with nopt,
 * which swallows an unknown flag such as -j, so `list -j` prints the usual
 * table (JSON output is `lookup -j`'s).
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { isIP } from "node:net";
import { isatty } from "node:tty";
import { createDataset, destroyDataset, loadPool, type Pool, savePool, setProperties } from "./pool";
import { CommandFailure, host, readJson, readStdin, runCli, statePath, withLock, writeJson } from "./state";
import { installedImage, linkForNicTag, systemFacts } from "./system";
import { applyUpdate, payloadFromArguments, type Vm, vmFromCreatePayload } from "./vm";

/** A stored VM: its public object and the addresses this emulator plumbed for it. */
interface Stored {
  vm: Vm;
  plumbed: { cidr: string; link: string }[];
}

const vmFile = (uuid: string) => statePath("vmadm", `${uuid}.json`);

function load(uuid: string, action: string): Stored {
  const stored = readJson<Stored | null>(vmFile(uuid), null);
  if (!stored) throw new CommandFailure(`${action}: VM ${uuid} not found`);
  return stored;
}

function all(): Vm[] {
  const dir = statePath("vmadm");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => readJson<Stored>(`${dir}/${f}`, {} as Stored).vm);
}

function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortedKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

function gib(n: number): string {
  return n > 0 ? String(n * 1024 ** 3) : "0";
}

function plumb(stored: Stored): void {
  for (const nic of stored.vm.nics) {
    const link = linkForNicTag(nic.nic_tag) ?? "eth0";
    for (const cidr of nic.ips.filter((a) => a.includes("/"))) {
      const v6 = isIP(cidr.split("/")[0]) === 6;
      try {
        host("ip", ["addr", "add", cidr, "dev", link, ...(v6 ? ["nodad"] : [])], "plumb");
      } catch {
        throw new CommandFailure(`Failed to boot VM ${stored.vm.uuid}: address ${cidr} is already in use on ${link}`);
      }
      stored.plumbed.push({ cidr, link });
    }
  }
}

function unplumb(stored: Stored): void {
  for (const { cidr, link } of stored.plumbed) {
    try {
      host("ip", ["addr", "del", cidr, "dev", link], "unplumb");
    } catch {
      // Already gone (the test host's link was reset): nothing left to remove.
    }
  }
  stored.plumbed = [];
}

function boot(stored: Stored): void {
  plumb(stored);
  Object.assign(stored.vm, {
    state: "running",
    zone_state: "running",
    autoboot: true,
    boot_timestamp: new Date().toISOString(),
  });
}

function halt(stored: Stored): void {
  unplumb(stored);
  Object.assign(stored.vm, { state: "stopped", zone_state: "installed", autoboot: false });
  delete stored.vm.boot_timestamp;
}

/** The JSON payload on stdin; a terminal is refused, as nobody is typing JSON there. */
function payloadFromStdin(command: string): string {
  if (isatty(0))
    throw new CommandFailure(`${command}: refusing to read a JSON payload from a terminal; use -f FILE or a pipe`);
  return readStdin().toString("utf8");
}

function readPayload(args: string[], command: string): Record<string, unknown> {
  const at = args.indexOf("-f");
  const text = at >= 0 ? readFileSync(args[at + 1], "utf8") : payloadFromStdin(`vmadm ${command}`);
  try {
    const payload = JSON.parse(text);
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) throw new Error("not an object");
    return payload;
  } catch (err) {
    throw new CommandFailure(`Invalid JSON payload: ${(err as Error).message}`);
  }
}

function withPool<T>(task: (pool: Pool) => T): T {
  const pool = loadPool();
  try {
    return task(pool);
  } finally {
    savePool(pool);
  }
}

function create(args: string[]): void {
  const payload = readPayload(args, "create");
  withLock("zfs", () => {
    const uuid = (payload.uuid as string | undefined) ?? randomUUID();
    if (existsSync(vmFile(uuid))) throw new CommandFailure(`Failed to create VM: VM with UUID ${uuid} already exists`);
    const image = typeof payload.image_uuid === "string" ? installedImage(payload.image_uuid) : null;
    const vm = vmFromCreatePayload(payload, uuid, image?.type ?? null);
    const stored: Stored = { vm, plumbed: [] };
    withPool((pool) => {
      const root = `${pool.name}/${uuid}`;
      createDataset(pool, root, {
        quota: gib(vm.quota),
        ...(vm.zfs_root_compression ? { compression: vm.zfs_root_compression as string } : {}),
      });
      try {
        mkdirSync(`/zones/${uuid}/root`);
        if (payload.delegate_dataset === true) {
          createDataset(pool, `${root}/data`, {
            zoned: "on",
            ...(vm.zfs_data_compression ? { compression: vm.zfs_data_compression as string } : {}),
          });
          vm.datasets = [`${root}/data`];
        }
        Object.assign(vm, {
          zonepath: `/zones/${uuid}`,
          zfs_filesystem: root,
          create_timestamp: new Date().toISOString(),
          server_uuid: systemFacts().UUID,
        });
        if (vm.autoboot) boot(stored);
        else halt(stored);
      } catch (err) {
        unplumb(stored);
        destroyDataset(pool, root, true);
        throw err;
      }
    });
    writeJson(vmFile(uuid), stored);
    process.stderr.write(`Successfully created VM ${uuid}\n`);
  });
}

function get([uuid]: string[]): void {
  const { vm } = load(uuid, "Failed to get VM");
  process.stdout.write(`${JSON.stringify(sortedKeys(vm), null, 2)}\n`);
}

function field(vm: Vm, name: string): unknown {
  if (name === "ram") return vm.max_physical_memory;
  let v: unknown = vm;
  for (const part of name.split("."))
    v = v === undefined || v === null ? undefined : (v as Record<string, unknown>)[part];
  return v;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return "-";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function filtered(filters: string[]): Vm[] {
  return all().filter((vm) =>
    filters.every((f) => {
      const at = f.indexOf("=");
      if (at <= 0) throw new CommandFailure(`Invalid filter "${f}": expected field=value or field=~regex`);
      const value = text(field(vm, f.slice(0, at)));
      const want = f.slice(at + 1);
      return want.startsWith("~") ? new RegExp(want.slice(1)).test(value) : value === want;
    }),
  );
}

function option(args: string[], flag: string): string | undefined {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
}

function positional(args: string[], withValue: string[]): string[] {
  return args.filter((a, i) => !a.startsWith("-") && !withValue.includes(args[i - 1]));
}

function list(args: string[]): void {
  const fields = (option(args, "-o") ?? "uuid,type,ram,state,alias").split(",");
  const sort = (option(args, "-s") ?? "ram,uuid").split(",");
  const vms = filtered(positional(args, ["-o", "-s"])).sort((a, b) => {
    for (const key of sort) {
      const desc = key.startsWith("-");
      const [x, y] = [field(a, key.replace(/^-/, "")), field(b, key.replace(/^-/, ""))];
      const order = typeof x === "number" && typeof y === "number" ? x - y : text(x).localeCompare(text(y));
      if (order !== 0) return desc ? -order : order;
    }
    return 0;
  });
  const rows = vms.map((vm) => fields.map((f) => text(field(vm, f))));
  if (args.includes("-p")) {
    process.stdout.write(rows.map((r) => `${r.join(":")}\n`).join(""));
    return;
  }
  const table = args.includes("-H") ? rows : [fields.map((f) => f.toUpperCase()), ...rows];
  const widths = fields.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  process.stdout.write(
    table
      .map(
        (r) =>
          `${r
            .map((cell, c) => cell.padEnd(widths[c]))
            .join("  ")
            .trimEnd()}\n`,
      )
      .join(""),
  );
}

function lookup(args: string[]): void {
  const vms = filtered(positional(args, ["-o"]));
  if (args.includes("-1") && vms.length !== 1) {
    throw new CommandFailure(`Requested single result, but found ${vms.length} results.`);
  }
  if (args.includes("-j")) {
    const fields = option(args, "-o")?.split(",");
    const out = vms.map((vm) => (fields ? Object.fromEntries(fields.map((f) => [f, field(vm, f)])) : vm));
    process.stdout.write(`${JSON.stringify(sortedKeys(out), null, 2)}\n`);
    return;
  }
  process.stdout.write(vms.map((vm) => `${vm.uuid}\n`).join(""));
}

function update([uuid, ...rest]: string[]): void {
  const payload = rest.includes("-f") || rest.length === 0 ? readPayload(rest, "update") : payloadFromArguments(rest);
  withLock("zfs", () => {
    const stored = load(uuid, "Failed to update VM");
    // A nic change is stored; the running zone keeps the addresses it booted with (`plumbed`).
    const effects = applyUpdate(stored.vm, payload);
    withPool((pool) => {
      const root = stored.vm.zfs_filesystem as string;
      if (effects.quota !== undefined) setProperties(pool, root, { quota: gib(effects.quota) });
      if (effects.rootCompression !== undefined) setProperties(pool, root, { compression: effects.rootCompression });
      if (effects.dataCompression !== undefined && stored.vm.datasets) {
        setProperties(pool, `${root}/data`, { compression: effects.dataCompression });
      }
    });
    writeJson(vmFile(uuid), stored);
    process.stderr.write(`Successfully updated VM ${uuid}\n`);
  });
}

function lifecycle(action: "start" | "stop" | "reboot" | "delete", [uuid]: string[]): void {
  withLock("zfs", () => {
    const stored = load(uuid, `Failed to ${action} VM`);
    const running = stored.vm.state === "running";
    if (action === "start" && running) throw new CommandFailure(`Unable to start VM ${uuid}: VM is already running`);
    if (action === "stop" && !running) throw new CommandFailure(`Unable to stop VM ${uuid}: VM is already stopped`);
    if (action === "reboot" && !running) throw new CommandFailure(`Unable to reboot VM ${uuid}: VM is not running`);
    if (running && action !== "start") halt(stored);
    if (action === "delete") {
      withPool((pool) => destroyDataset(pool, stored.vm.zfs_filesystem as string, true));
      rmSync(vmFile(uuid));
      process.stderr.write(`Successfully deleted VM ${uuid}\n`);
      return;
    }
    if (action !== "stop") boot(stored);
    writeJson(vmFile(uuid), stored);
    process.stderr.write(`Successfully completed ${action} for VM ${uuid}\n`);
  });
}

runCli(([command, ...args]) => {
  switch (command) {
    case "create":
      return create(args);
    case "get":
      return get(args);
    case "list":
      return list(args);
    case "lookup":
      return lookup(args);
    case "update":
      return update(args);
    case "start":
    case "stop":
    case "reboot":
    case "delete":
      if (!args[0]) throw new CommandFailure(`Usage: vmadm ${command} <uuid>`, 2);
      return lifecycle(command, args);
    default:
      throw new CommandFailure(
        `vmadm: ${command === undefined ? "no command given" : `"${command}" is not emulated`}; the testbed's vmadm covers create, get, list, lookup, update, start, stop, reboot, delete`,
        2,
      );
  }
});
