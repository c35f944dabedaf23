import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

/** This package's directory: what a user's project has at node_modules/@smartos-mail/pulumi. */
const PACKAGE_DIR = path.resolve(__dirname, "..", "..", "..");

let project: string | undefined;

/** A project directory whose node_modules holds this package (HEAD's build), made once and removed at exit. */
function projectDir(): string {
  if (project) return project;
  const dir = mkdtempSync(path.join(tmpdir(), "smartos-mail-provider-project-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, "node_modules", "@smartos-mail"), { recursive: true });
  symlinkSync(PACKAGE_DIR, path.join(dir, "node_modules", "@smartos-mail", "pulumi"));
  project = dir;
  return dir;
}

/**
 * A serialized provider (`__provider` in state), loaded as @pulumi/pulumi's dynamic-provider host loads
 * it (cmd/dynamic-provider: `requireFromString(text).handler()`, with the SDK's own require-from-string):
 * the host gives no file name, so modules resolve from its working directory, the project directory; here
 * a file name in a project directory whose node_modules holds HEAD's build does the same.
 */
export function loadSerializedProvider(text: string): pulumi.dynamic.ResourceProvider {
  const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  const requireFromString = require(require.resolve("require-from-string", { paths: [sdk] })) as (
    code: string,
    filename: string,
  ) => { handler(): pulumi.dynamic.ResourceProvider };
  return requireFromString(text, path.join(projectDir(), "provider.js")).handler();
}
