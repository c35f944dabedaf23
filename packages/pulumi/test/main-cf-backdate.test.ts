import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { backdateStagedMainCf } from "../src/postfix/main-cf";
import { joinScripts, sh } from "../src/remote/shell";

const stage = mkdtempSync(path.join(tmpdir(), "main-cf-backdate-"));
after(() => rmSync(stage, { recursive: true, force: true }));

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("backdating the staged main.cf", () => {
  writeFileSync(path.join(stage, "main.cf"), "myhostname = mx.example.com\n");
  writeFileSync(path.join(stage, "master.cf"), "");

  it("sets its time stamp two seconds back, with the machine's awk and touch", () => {
    const before = nowSeconds();
    execFileSync("/bin/sh", [
      "-c",
      joinScripts([sh`fail() { printf '%s\n' "$*" >&2; exit 65; }`, sh`stage=${stage}`, backdateStagedMainCf]).text,
    ]);
    const done = nowSeconds();
    const mtime = Math.floor(statSync(path.join(stage, "main.cf")).mtimeMs / 1000);
    assert.ok(mtime >= before - 2 && mtime <= done - 2, `mtime ${mtime}, ran from ${before} to ${done}`);
  });

  it("so Postfix reads it at once, without pausing for it to finish writing", () => {
    // -vv makes Postfix log "pausing to let ... finish writing" each time it waits (util/dict.c).
    const r = spawnSync("postconf", ["-vv", "-c", stage, "-h", "myhostname"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "mx.example.com\n");
    assert.doesNotMatch(r.stderr, /pausing to let/);
  });
});
