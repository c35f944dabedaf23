/**
 * EMULATOR of SmartOS imgadm(8) for the testbed's SmartOS personality,
 * written from the imgadm(8) man page. Installed as /usr/sbin/imgadm in a
 * test host only. The image source is the testbed's catalog (see boot.ts);
 * nothing is downloaded.
 *
 * Covers: `list [-H] [-j] [-o field,...]` and `avail [-H] [-o field,...]`
 * (fields uuid, name, version, os, type, pub), `get UUID` (the manifest as
 * JSON; exit 1 with ImageNotInstalled when it is not installed), and
 * `import [-q] UUID` (creates the image's dataset zones/UUID; "already
 * installed, skipping"; exit 1 with ActiveImageNotFound when the source has
 * no such image).
 */
import { existsSync, readdirSync } from "node:fs";
import { createDataset, loadPool, savePool } from "./pool";
import { CommandFailure, readJson, runCli, statePath, withLock, writeJson } from "./state";
import { type ImageManifest, imageSource, installedImage, installedImagePath } from "./system";

const FIELDS: Record<string, (m: ImageManifest) => string> = {
  uuid: (m) => m.uuid,
  name: (m) => m.name,
  version: (m) => m.version,
  os: (m) => m.os,
  type: (m) => m.type,
  pub: (m) => m.published_at.slice(0, 10),
};

function installed(): ImageManifest[] {
  const dir = statePath("imgadm", "installed");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => readJson<ImageManifest>(`${dir}/${f}`, {} as ImageManifest));
}

function printList(images: ImageManifest[], args: string[]): void {
  if (args.includes("-j")) {
    process.stdout.write(
      `${JSON.stringify(
        images.map((manifest) => ({ manifest, zpool: "zones" })),
        null,
        2,
      )}\n`,
    );
    return;
  }
  const at = args.indexOf("-o");
  const fields = (at >= 0 ? args[at + 1] : "uuid,name,version,os,type,pub").split(",");
  for (const f of fields) if (!FIELDS[f]) throw new CommandFailure(`imgadm: error (Usage): unknown field "${f}"`);
  const rows = images
    .sort((a, b) => a.published_at.localeCompare(b.published_at))
    .map((m) => fields.map((f) => FIELDS[f](m)));
  const all = args.includes("-H") ? rows : [fields.map((f) => f.toUpperCase()), ...rows];
  const widths = fields.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  process.stdout.write(
    all
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

function label(m: ImageManifest): string {
  return `${m.uuid} (${m.name}@${m.version})`;
}

function importImage(args: string[]): void {
  const quiet = args.includes("-q");
  const uuid = args.filter((a) => !a.startsWith("-")).pop();
  if (!uuid) throw new CommandFailure("imgadm import: error (Usage): missing UUID argument");
  withLock("zfs", () => {
    const present = installedImage(uuid);
    if (present) {
      if (!quiet) process.stdout.write(`Image ${label(present)} is already installed, skipping\n`);
      return;
    }
    const manifest = imageSource().find((m) => m.uuid === uuid);
    if (!manifest) {
      throw new CommandFailure(
        `imgadm import: error (ActiveImageNotFound): an active image "${uuid}" was not found in image sources`,
      );
    }
    if (!quiet) process.stdout.write(`Importing ${label(manifest)} from "testbed image catalog"\n`);
    const pool = loadPool();
    try {
      createDataset(pool, `${pool.name}/${uuid}`, {});
    } finally {
      savePool(pool);
    }
    writeJson(installedImagePath(uuid), manifest);
    if (!quiet) process.stdout.write(`Imported image ${label(manifest)}\n`);
  });
}

runCli(([command, ...args]) => {
  switch (command) {
    case "list":
    case "ls":
      return printList(installed(), args);
    case "avail":
      return printList(imageSource(), args);
    case "get": {
      const uuid = args.filter((a) => !a.startsWith("-"))[0];
      const manifest = uuid ? installedImage(uuid) : null;
      if (!manifest) {
        throw new CommandFailure(
          `imgadm get: error (ImageNotInstalled): image "${uuid}" was not found on zpool "zones"`,
        );
      }
      process.stdout.write(`${JSON.stringify({ manifest, zpool: "zones" }, null, 2)}\n`);
      return;
    }
    case "import":
      return importImage(args);
    default:
      throw new CommandFailure(
        `imgadm: error (Usage): ${command === undefined ? "no command given" : `"${command}" is not emulated`}; the testbed's imgadm covers list, avail, get, import`,
      );
  }
});
