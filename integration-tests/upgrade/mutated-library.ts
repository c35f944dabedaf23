import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";

/** HEAD's package, as the integration tests load it. */
const HEAD_PACKAGE = path.resolve(__dirname, "..", "..", "..", "packages", "pulumi");

/**
 * A copy of HEAD's built package in `dir` with one text replaced in one built file (`file`, relative to
 * dist/), its dependencies those of HEAD's install: a deliberate fault for the upgrade tests' controls. The
 * real build is never touched. Returns the package's directory, for a stack's `library`.
 */
export function mutatedLibrary(dir: string, file: string, from: string, to: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(HEAD_PACKAGE, "package.json"), path.join(dir, "package.json"));
  cpSync(path.join(HEAD_PACKAGE, "dist"), path.join(dir, "dist"), { recursive: true });
  symlinkSync(path.join(HEAD_PACKAGE, "node_modules"), path.join(dir, "node_modules"));
  const target = path.join(dir, "dist", file);
  const text = readFileSync(target, "utf8");
  assert.ok(text.includes(from), `${file} no longer has ${JSON.stringify(from)}: update the control`);
  writeFileSync(target, text.replace(from, to));
  return dir;
}
