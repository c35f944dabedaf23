import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { putMarkedBlock, removeMarkedBlock, showMarkedBlock } from "../src/remote/marked-block";
import { joinScripts, type Script, sh } from "../src/remote/shell";

const dir = mkdtempSync(path.join(tmpdir(), "marked-block-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a script under a real /bin/sh with the prelude's `fail`, printing `changed` when it set block_changed. */
function run(script: Script): string {
  const text = joinScripts([
    sh`fail() { printf '%s\n' "$*" >&2; exit 65; }`,
    script,
    sh`[ -z "\${block_changed:-}" ] || echo changed`,
  ]).text;
  return execFileSync("/bin/sh", ["-c", text], { encoding: "utf8" });
}

const OTHER = "# operator's rules\npass in quick on lo0 all\nblock in on net1 proto udp from any to any port = 53\n";

describe("marked blocks in shared files", () => {
  it("appends the block and keeps every other line and the file's mode", () => {
    const f = path.join(dir, "ipf.conf");
    writeFileSync(f, OTHER, { mode: 0o600 });
    assert.equal(
      run(putMarkedBlock(f, "test owner", "block in on net0 proto tcp from any to any port = 25")),
      "changed\n",
    );
    const text = readFileSync(f, "utf8");
    assert.equal(
      text,
      `${OTHER}# BEGIN test owner (managed by smartos-mail)\nblock in on net0 proto tcp from any to any port = 25\n# END test owner\n`,
    );
    assert.equal(statSync(f).mode & 0o777, 0o600);
    assert.equal(run(putMarkedBlock(f, "test owner", "block in on net0 proto tcp from any to any port = 25")), "");
  });

  it("replaces its own block in place, leaves another owner's block alone, and takes body text literally", () => {
    const f = path.join(dir, "two-owners.conf");
    writeFileSync(f, OTHER);
    run(putMarkedBlock(f, "a", "first"));
    run(putMarkedBlock(f, "b", "theirs"));
    const body = "line with \\n backslash and $(touch pwned) and 'quotes'\nsecond";
    assert.equal(run(putMarkedBlock(f, "a", body)), "changed\n");
    assert.equal(
      readFileSync(f, "utf8"),
      `${OTHER}# BEGIN a (managed by smartos-mail)\n${body}\n# END a\n# BEGIN b (managed by smartos-mail)\ntheirs\n# END b\n`,
    );
    assert.equal(run(showMarkedBlock(f, "a")), `${body}\n`);
  });

  it("removes only its block; removing again, or from a missing file, changes nothing", () => {
    const f = path.join(dir, "remove.conf");
    writeFileSync(f, OTHER);
    run(putMarkedBlock(f, "a", "mine"));
    assert.equal(run(removeMarkedBlock(f, "a")), "changed\n");
    assert.equal(readFileSync(f, "utf8"), OTHER);
    assert.equal(run(removeMarkedBlock(f, "a")), "");
    assert.equal(run(removeMarkedBlock(path.join(dir, "absent.conf"), "a")), "");
    assert.equal(run(showMarkedBlock(path.join(dir, "absent.conf"), "a")), "");
  });

  it("creates the file (and its directory) when missing", () => {
    const f = path.join(dir, "new", "nftables.conf");
    assert.equal(run(putMarkedBlock(f, "a", "table inet x {\n}")), "changed\n");
    assert.equal(readFileSync(f, "utf8"), "# BEGIN a (managed by smartos-mail)\ntable inet x {\n}\n# END a\n");
  });
});
