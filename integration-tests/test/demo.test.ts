import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";

/** The built demo, run as `integration-tests/demo.sh` runs it after set-up. */
const DEMO = path.resolve(__dirname, "..", "demo", "demo.js");

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
  });
});
