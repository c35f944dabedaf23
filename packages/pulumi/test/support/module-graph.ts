import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** A relative module specifier in compiled output: `require("./x")`, `from "../y"`, `import("./z")`. */
const RELATIVE_IMPORT = /(?:require\(|from |import\()"(\.\.?\/[^"]*)"/g;

/**
 * The modules of a build that its entry points reach, following the relative imports of both the
 * JavaScript (what runs) and the declarations (what a type-only import needs), as paths relative to `root`
 * without extension: `dist/index`, `dist/remote/pool`, …
 */
export function reachableModules(root: string, entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  for (let module = queue.shift(); module !== undefined; module = queue.shift()) {
    if (seen.has(module)) continue;
    seen.add(module);
    for (const ext of [".js", ".d.ts"]) {
      const file = path.join(root, module + ext);
      if (!existsSync(file)) continue;
      for (const [, specifier] of readFileSync(file, "utf8").matchAll(RELATIVE_IMPORT)) {
        queue.push(path.posix.join(path.posix.dirname(module), specifier));
      }
    }
  }
  return seen;
}
