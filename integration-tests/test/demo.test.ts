import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";

/** The built demo, run as `integration-tests/demo.sh` runs it after set-up. */
const DEMO = path.resolve(__dirname, "..", "demo", "demo.js");

/** The "op name" lines the demo printed under its step `heading`, in the order the steps ended. */
function stepsUnder(stdout: string, heading: string): string[] {
  const from = stdout.indexOf(heading);
  assert.ok(from >= 0, `the demo printed no "${heading}"`);
  const lines = stdout.slice(from).split("\n").slice(1);
  return lines
    .slice(
      0,
      lines.findIndex((l) => !/^ {5}(create|delete) /.test(l)),
    )
    .map((l) => l.trim());
}

/** Asserts that every step named `first` ended before every step named `then` began (a name prefix each). */
function before(steps: string[], first: string, then: string): void {
  const last = steps.map((s) => s.startsWith(first)).lastIndexOf(true);
  const next = steps.findIndex((s) => s.startsWith(then));
  assert.ok(last >= 0 && next >= 0 && last < next, `${first}... before ${then}...:\n${steps.join("\n")}`);
}

describe("the README's demo", () => {
  it("sends through a SendOnlyMailServer applied by the harness: dkim, spf and dmarc pass; second up is a no-op", () => {
    const r = spawnSync(process.execPath, [DEMO], { encoding: "utf8", timeout: 600_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Authentication-Results: mx\.receiver\.smtb; dkim=pass \(2048-bit key/);
    assert.match(r.stdout, /Authentication-Results: mx\.receiver\.smtb; spf=pass/);
    assert.match(r.stdout, /Authentication-Results: mx\.receiver\.smtb; dmarc=pass \(p=reject/);
    // The published records, as served from the emulated Cloudflare zone.
    assert.match(r.stdout, /default\._domainkey\.sender\.smtb\. 300 IN TXT "v=DKIM1; k=rsa; p=/);
    // The CLI's qshape table shows the message deferred while the MX was down.
    assert.match(r.stdout, /receiver\.smtb\s+1\s/);
    assert.match(r.stdout, /second up changes nothing \.\.\.\n {3}no changes/);
    // As the engine orders them: a resource after what it depends on, and deleted before it.
    const created = stepsUnder(r.stdout, "2. Applying");
    before(created, "create mail-postfix", "create mail-dkim-");
    before(created, "create mail-dkim-", "create mail-dns-");
    const destroyed = stepsUnder(r.stdout, "7. Destroying");
    before(destroyed, "delete mail-dns-", "delete mail-dkim-");
    before(destroyed, "delete mail-dkim-", "delete mail-postfix");
    assert.equal(destroyed.length, created.length);
  });
});
