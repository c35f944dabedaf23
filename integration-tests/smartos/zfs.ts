/**
 * EMULATOR of illumos zfs(8) for the testbed's SmartOS personality, written
 * from the zfs(8) man page; the dataset model is in pool.ts. Installed as
 * /usr/sbin/zfs inside a test host only.
 *
 * Covers: `create [-p] [-o prop=value]... NAME`, `destroy [-r] [-f] NAME`,
 * `set prop=value... NAME...`, `inherit [-r] prop NAME...`,
 * `get [-rHp] [-d depth] [-o name,property,value,received,source] [-s sources] [-t filesystem] all|prop[,prop]... [NAME...]`,
 * `list [-rHp] [-d depth] [-o prop[,prop]...] [-t filesystem] [NAME...]`,
 * with zfs's messages for a missing dataset, a busy or non-empty mountpoint,
 * children without -r, a read-only or unknown property, and usage errors
 * (exit 2). Anything else exits 2 naming what is not emulated.
 */
import {
  ALL_PROPERTIES,
  createDataset,
  dataset,
  destroyDataset,
  display,
  inheritProperty,
  loadPool,
  type Pool,
  propertyName,
  resolve,
  savePool,
  setProperties,
  settable,
  subtree,
} from "./pool";
import { CommandFailure, runCli, withLock } from "./state";

interface Options {
  flags: Set<string>;
  values: Record<string, string[]>;
  rest: string[];
}

/** getopt for zfs subcommands: `valued` lists options that take an argument. */
function options(args: string[], valued: string, allowed: string): Options {
  const out: Options = { flags: new Set(), values: {}, rest: [] };
  let i = 0;
  for (; i < args.length && args[i].startsWith("-") && args[i] !== "-"; i++) {
    if (args[i] === "--") {
      i++;
      break;
    }
    const letters = args[i].slice(1);
    for (let j = 0; j < letters.length; j++) {
      const c = letters[j];
      if (!allowed.includes(c) && !valued.includes(c)) throw new CommandFailure(`invalid option '${c}'`, 2);
      if (valued.includes(c)) {
        const value = letters.slice(j + 1) || args[++i];
        if (value === undefined) throw new CommandFailure(`missing argument for '${c}' option`, 2);
        out.values[c] = [...(out.values[c] ?? []), value];
        break;
      }
      out.flags.add(c);
    }
  }
  out.rest = args.slice(i);
  return out;
}

function assignments(list: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const at = item.indexOf("=");
    if (at <= 0) throw new CommandFailure(`missing '=' for ${what} argument`, 2);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
}

/** The datasets a get/list covers: the named ones (and descendants with -r or -d), or every dataset. */
function targets(pool: Pool, names: string[], o: Options): string[] {
  if (names.length === 0) return subtree(pool, pool.name);
  const depth = o.values.d ? Number(o.values.d[0]) : o.flags.has("r") ? Number.POSITIVE_INFINITY : 0;
  return [...new Set(names.flatMap((name) => subtree(pool, dataset(pool, name).name, depth)))];
}

function table(rows: string[][], header: string[] | null): string {
  if (header === null) return rows.map((r) => `${r.join("\t")}\n`).join("");
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  return all
    .map(
      (r) =>
        `${r
          .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c])))
          .join("  ")
          .trimEnd()}\n`,
    )
    .join("");
}

function create(args: string[]): void {
  const o = options(args, "o", "p");
  if (o.rest.length !== 1) throw new CommandFailure("usage: create [-p] [-o property=value] ... <filesystem>", 2);
  const name = o.rest[0];
  const props: Record<string, string> = {};
  for (const [k, v] of Object.entries(assignments(o.values.o ?? [], "-o"))) {
    props[propertyName(k)] = settable(name, propertyName(k), v);
  }
  withLock("zfs", () => {
    const pool = loadPool();
    try {
      if (o.flags.has("p")) {
        const parts = name.split("/");
        for (let i = 2; i < parts.length; i++) {
          const ancestor = parts.slice(0, i).join("/");
          if (!pool.datasets[ancestor]) createDataset(pool, ancestor, {});
        }
        if (pool.datasets[name]) return;
      }
      createDataset(pool, name, props);
    } finally {
      savePool(pool);
    }
  });
}

function destroy(args: string[]): void {
  const o = options(args, "", "rfR");
  if (o.rest.length !== 1) throw new CommandFailure("usage: destroy [-fnpRrv] <filesystem|volume>", 2);
  withLock("zfs", () => {
    const pool = loadPool();
    try {
      destroyDataset(pool, o.rest[0], o.flags.has("r") || o.flags.has("R"));
    } finally {
      savePool(pool);
    }
  });
}

function set(args: string[]): void {
  const at = args.findIndex((a) => !a.includes("="));
  if (at <= 0) throw new CommandFailure("usage: set <property=value> ... <filesystem|volume|snapshot> ...", 2);
  const pairs = assignments(args.slice(0, at), "set");
  withLock("zfs", () => {
    const pool = loadPool();
    try {
      for (const name of args.slice(at)) {
        dataset(pool, name);
        const raw: Record<string, string> = {};
        for (const [k, v] of Object.entries(pairs)) raw[propertyName(k)] = settable(name, k, v);
        setProperties(pool, name, raw);
      }
    } finally {
      savePool(pool);
    }
  });
}

function inherit(args: string[]): void {
  const o = options(args, "", "rS");
  if (o.rest.length < 2)
    throw new CommandFailure("usage: inherit [-rS] <property> <filesystem|volume|snapshot> ...", 2);
  const [property, ...names] = o.rest;
  withLock("zfs", () => {
    const pool = loadPool();
    try {
      for (const name of names) {
        for (const n of o.flags.has("r") ? subtree(pool, dataset(pool, name).name) : [name]) {
          inheritProperty(pool, n, property);
        }
      }
    } finally {
      savePool(pool);
    }
  });
}

function get(args: string[]): void {
  const o = options(args, "odst", "rHp");
  if (o.rest.length < 1)
    throw new CommandFailure(
      'usage: get [-rHp] [-d max] [-o field[,...]] <"all" | property[,...]> [filesystem ...]',
      2,
    );
  const [list, ...names] = o.rest;
  const properties = list === "all" ? ALL_PROPERTIES : list.split(",").map(propertyName);
  const fields = (o.values.o?.[0] ?? "name,property,value,source").split(",");
  for (const f of fields) {
    if (!["name", "property", "value", "received", "source"].includes(f)) {
      throw new CommandFailure(`invalid field '${f}'`, 2);
    }
  }
  const sources = o.values.s?.[0].split(",");
  const parsable = o.flags.has("p");
  const rows = withLock("zfs", () => {
    const pool = loadPool();
    const out: string[][] = [];
    for (const name of targets(pool, names, o)) {
      for (const property of properties) {
        const { value, source } = resolve(pool, name, property);
        const kind = source.startsWith("inherited") ? "inherited" : source === "-" ? "none" : source;
        if (sources && !sources.includes(kind)) continue;
        const cells: Record<string, string> = {
          name,
          property,
          value: display(property, value, parsable),
          received: "-",
          source,
        };
        out.push(fields.map((f) => cells[f]));
      }
    }
    return out;
  });
  process.stdout.write(table(rows, o.flags.has("H") ? null : fields.map((f) => f.toUpperCase())));
}

function list(args: string[]): void {
  const o = options(args, "odtsS", "rHp");
  const columns = (o.values.o?.[0] ?? "name,used,available,referenced,mountpoint").split(",").map(propertyName);
  const parsable = o.flags.has("p");
  const rows = withLock("zfs", () => {
    const pool = loadPool();
    return targets(pool, o.rest, o).map((name) =>
      columns.map((c) => (c === "name" ? name : display(c, resolve(pool, name, c).value, parsable))),
    );
  });
  const header = columns.map((c) => ({ available: "AVAIL", referenced: "REFER" })[c] ?? c.toUpperCase());
  process.stdout.write(table(rows, o.flags.has("H") ? null : header));
}

const COMMANDS: Record<string, (args: string[]) => void> = { create, destroy, set, inherit, get, list };

runCli(([command, ...args]) => {
  const run = command === undefined ? undefined : COMMANDS[command];
  if (!run) {
    throw new CommandFailure(
      `zfs: ${command === undefined ? "missing command" : `'${command}' is not emulated`}; the testbed's zfs covers ${Object.keys(COMMANDS).join(", ")}`,
      2,
    );
  }
  run(args);
});
