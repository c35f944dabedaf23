import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { compileCacheDir } from "../src/compile-cache";

const root = mkdtempSync(path.join(os.tmpdir(), "compile-cache-test-"));
after(() => rmSync(root, { recursive: true, force: true }));
const uid = process.getuid?.() ?? 0;
let n = 0;
/** A fresh XDG_CACHE_HOME of its own. */
const cacheHome = () => {
  const dir = path.join(root, `home-${n++}`);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
};
const expected = (home: string) => path.join(home, "smartos-mail", "node-compile-cache");

describe("compileCacheDir", () => {
  it("makes smartos-mail/node-compile-cache under XDG_CACHE_HOME, mode 0700, and names it", () => {
    const home = cacheHome();
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: home }, uid), expected(home));
    assert.equal(statSync(expected(home)).mode & 0o777, 0o700);
  });

  it("leaves the cache to Node.js when NODE_COMPILE_CACHE is set, and off with NODE_DISABLE_COMPILE_CACHE", () => {
    const home = cacheHome();
    assert.equal(
      compileCacheDir({ XDG_CACHE_HOME: home, NODE_COMPILE_CACHE: path.join(home, "mine") }, uid),
      undefined,
    );
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: home, NODE_DISABLE_COMPILE_CACHE: "1" }, uid), undefined);
    assert.throws(() => statSync(path.join(home, "smartos-mail")), /ENOENT/);
  });

  it("refuses a directory that group or others can write", () => {
    const home = cacheHome();
    mkdirSync(expected(home), { recursive: true });
    chmodSync(expected(home), 0o777);
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: home }, uid), undefined);
    chmodSync(expected(home), 0o700);
    chmodSync(path.join(home, "smartos-mail"), 0o775);
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: home }, uid), undefined);
  });

  it("refuses a directory another account owns", () => {
    const home = cacheHome();
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: home }, uid + 1), undefined);
  });

  it("refuses a link in place of the directory, even to a private one", () => {
    const home = cacheHome();
    const elsewhere = mkdtempSync(path.join(root, "elsewhere-"));
    mkdirSync(path.join(home, "smartos-mail"), { mode: 0o700 });
    symlinkSync(elsewhere, expected(home));
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: home }, uid), undefined);
  });

  it("gives up, without throwing, when the directory cannot be made", () => {
    const home = cacheHome();
    writeFileSync(path.join(home, "smartos-mail"), "a file, not a directory");
    assert.equal(compileCacheDir({ XDG_CACHE_HOME: home }, uid), undefined);
  });
});

describe("the provider process's compile cache", () => {
  const enable = require.resolve("../src/enable-compile-cache");
  const cacheDirOf = (env: NodeJS.ProcessEnv) =>
    execFileSync(
      process.execPath,
      [
        "-e",
        `require(${JSON.stringify(enable)}); process.stdout.write(String(require("node:module").getCompileCacheDir?.()))`,
      ],
      { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" },
    );

  it("is on, in the private directory, for what loads after enable-compile-cache (Node.js 22.1 and later)", (t) => {
    if (!("enableCompileCache" in require("node:module"))) return t.skip("this Node.js has no enableCompileCache");
    const home = cacheHome();
    assert.ok(cacheDirOf({ XDG_CACHE_HOME: home }).startsWith(`${expected(home)}${path.sep}`));
  });

  it("stays off with NODE_DISABLE_COMPILE_CACHE=1", () => {
    assert.equal(cacheDirOf({ XDG_CACHE_HOME: cacheHome(), NODE_DISABLE_COMPILE_CACHE: "1" }), "undefined");
  });

  it("keeps what loading the providers compiled although the process ends by a signal, as the engine ends it", (t) => {
    if (!("flushCompileCache" in require("node:module"))) return t.skip("this Node.js has no flushCompileCache");
    const home = cacheHome();
    // As the SDK's dynamic-provider plugin starts: source-map-support first, then our providers on the first
    // call; the engine later stops the process with a signal, so Node.js's write at exit never happens.
    const sourceMaps = require.resolve("source-map-support/register", { paths: [require.resolve("@pulumi/pulumi")] });
    const runtime = require.resolve("../src/provider-runtime");
    const r = spawnSync(
      process.execPath,
      [
        "-e",
        `require(${JSON.stringify(sourceMaps)}); require(${JSON.stringify(runtime)}); setTimeout(() => process.kill(process.pid, "SIGKILL"), 100);`,
      ],
      { env: { PATH: process.env.PATH, XDG_CACHE_HOME: home }, encoding: "utf8" },
    );
    assert.equal(r.signal, "SIGKILL", r.stderr);
    const entries = readdirSync(expected(home), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.ok(entries.length > 100, `${entries.length} cache entries`);
  });
});
