import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";

/** The package's entry points as compiled with this test (dist-test/src/...). */
const SRC = path.resolve(__dirname, "..", "src");
const ENTRY = path.join(SRC, "index.js");
const TOOLS = path.join(SRC, "tools.js");

/** A module another package's require loaded, and the chain of our modules that led to it (nearest first). */
interface Loaded {
  module: string;
  via: string[];
}

/**
 * Requires `entry` in a fresh node (then runs `use`, with the module as `lib`) and returns the packages
 * matching `pattern` (group 1: the name) it loaded, once per chain of our modules that led to one.
 */
function loadedBy(entry: string, pattern: RegExp, use = ""): Loaded[] {
  const script = `
    const Module = require("node:module");
    const firstParent = new Map();
    const load = Module._load;
    Module._load = function (request, parent, isMain) {
      try {
        const file = Module._resolveFilename(request, parent, isMain);
        if (!firstParent.has(file)) firstParent.set(file, parent ? parent.filename : null);
      } catch {}
      return load.apply(this, arguments);
    };
    const lib = require(${JSON.stringify(entry)});
    ${use}
    const pattern = new RegExp(${JSON.stringify(pattern.source)});
    const ours = (f) => f.startsWith(${JSON.stringify(`${SRC}${path.sep}`)});
    const found = new Map();
    for (const [file, parent] of firstParent) {
      if (!pattern.test(file) || (parent && pattern.test(parent))) continue;
      const via = [];
      for (let p = parent; p && !via.includes(p); p = firstParent.get(p)) if (ours(p)) via.push(p);
      const module = file.match(pattern)[1];
      const key = module + via.join();
      if (!found.has(key)) found.set(key, { module, via: via.map((f) => require("node:path").relative(${JSON.stringify(SRC)}, f)) });
    }
    process.stdout.write(JSON.stringify([...found.values()]));`;
  return JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }));
}

const SSH_AND_CRYPTO = /node_modules\/(node-ssh|ssh2|node-forge|cpu-features)\//;
/** What only the provider process (zod, SSH, key generation) or a constructed component (zod, Cloudflare) needs. */
const NOT_AT_REQUIRE = /node_modules\/(zod|node-ssh|ssh2|node-forge|cpu-features|@pulumi\/cloudflare)\//;

function describeLoaded(loaded: Loaded[]): string {
  return loaded.map((l) => `${l.module} via ${l.via.join(" <- ")}`).join("\n");
}

describe("what a user's program loads", () => {
  it("requiring the package and declaring resources loads no SSH or crypto module: only the provider process needs them", () => {
    const use = `for (const name of ["PostfixConfig", "OpenDkimKey", "SendOnlyMailServer"]) if (typeof lib[name] !== "function") throw new Error(name);`;
    assert.deepEqual(loadedBy(ENTRY, SSH_AND_CRYPTO, use), []);
  });

  it("requiring the package loads no zod and no @pulumi/cloudflare: components load them when constructed, the provider process for itself", () => {
    assert.equal(describeLoaded(loadedBy(ENTRY, NOT_AT_REQUIRE)), "");
  });

  it("the tools entry loads no Pulumi SDK, SSH module or Cloudflare provider: the command line starts without them", () => {
    const loaded = loadedBy(TOOLS, /node_modules\/(@pulumi\/pulumi|@pulumi\/cloudflare|node-ssh|ssh2|node-forge)\//);
    assert.equal(describeLoaded(loaded), "");
  });
});
