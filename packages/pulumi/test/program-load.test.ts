import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";

/** The package's entry point as compiled with this test (dist-test/src/index.js). */
const ENTRY = path.resolve(__dirname, "..", "src", "index.js");

describe("what a user's program loads", () => {
  it("requiring the package and declaring resources loads no SSH or crypto module: only the provider process needs them", () => {
    const script = `
      const lib = require(${JSON.stringify(ENTRY)});
      for (const name of ["PostfixConfig", "OpenDkimKey", "SendOnlyMailServer"]) if (typeof lib[name] !== "function") throw new Error(name);
      const loaded = Object.keys(require.cache).filter((f) => /node_modules\\/(node-ssh|ssh2|node-forge|cpu-features)\\//.test(f));
      process.stdout.write(JSON.stringify(loaded));`;
    assert.deepEqual(JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })), []);
  });
});
