import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { it } from "node:test";
import { reachableModules } from "./support/module-graph";

/** The package directory (this file runs from dist-test/test). */
const PACKAGE = path.resolve(__dirname, "..", "..");

/** The files `pnpm pack` (what `pnpm publish` uploads) puts in the tarball. */
function packedFiles(): string[] {
  const destination = mkdtempSync(path.join(tmpdir(), "smartos-mail-pack-"));
  try {
    const out = execFileSync("pnpm", ["pack", "--json", "--pack-destination", destination], {
      cwd: PACKAGE,
      encoding: "utf8",
    });
    return (JSON.parse(out) as { files: { path: string }[] }).files.map((f) => f.path).sort();
  } finally {
    rmSync(destination, { recursive: true, force: true });
  }
}

/** The JavaScript and declarations of every module the package's exports reach, and the package's documents. */
function neededFiles(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE, "package.json"), "utf8")) as {
    exports: Record<string, string>;
  };
  const entries = Object.values(manifest.exports)
    .filter((target) => target.endsWith(".js"))
    .map((target) => path.posix.normalize(target).replace(/\.js$/, ""));
  const modules = [...reachableModules(PACKAGE, entries)];
  return [
    "package.json",
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
    ...modules.flatMap((m) => [`${m}.js`, `${m}.d.ts`]),
  ].sort();
}

it("the packed package holds exactly what it needs: the modules its exports reach, README, LICENSE, CHANGELOG", () => {
  const packed = packedFiles();
  const needed = neededFiles();
  const extra = packed.filter((f) => !needed.includes(f));
  const missing = needed.filter((f) => !packed.includes(f));
  assert.deepEqual(
    { extra, missing },
    { extra: [], missing: [] },
    "extra: shipped but no export reaches it (a stray file, or a stale one in dist/: rebuild from a clean dist); " +
      "missing: needed but not packed (package.json's files)",
  );
});
