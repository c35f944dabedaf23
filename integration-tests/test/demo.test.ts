import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";

/** The built demo, run as `integration-tests/demo.sh` runs it after set-up. */
const DEMO = path.resolve(__dirname, "..", "demo", "demo.js");

const README = path.resolve(__dirname, "..", "..", "..", "README.md");

/**
 * A `pulumi` command line reduced to what must match between the README and the demo: the
 * command, its flags and, for `config set`, the key; values, quoting and comments differ.
 */
function commandShape(line: string): string {
  const words = line
    .replace(/\s#.*$/, "")
    .replaceAll("'", "")
    .trim()
    .split(/\s+/);
  if (words[1] !== "config") return words.join(" ");
  const key = words.slice(3).find((w) => !w.startsWith("--"));
  return [...words.slice(0, 3), ...words.slice(3).filter((w) => w.startsWith("--")), key].join(" ");
}

/** The `pulumi` commands of the README's Quick start, in order. */
function quickStartCommands(): string[] {
  const readme = readFileSync(README, "utf8");
  const section = readme.slice(readme.indexOf("## Quick start for `pulumi up`"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block
    .split("\n")
    .filter((l) => l.startsWith("pulumi "))
    .map(commandShape);
}

/** The demo's output from its step `n` to the next step. */
function stepText(stdout: string, n: number): string {
  const from = stdout.indexOf(`\n${n}. `);
  assert.ok(from >= 0, `the demo printed no step ${n}`);
  const to = stdout.indexOf(`\n${n + 1}. `, from);
  return stdout.slice(from, to < 0 ? undefined : to);
}

/** Asserts that the CLI printed `first` before `then` (two of its resource lines). */
function before(text: string, first: string, then: string): void {
  const a = text.indexOf(first);
  const b = text.indexOf(then);
  assert.ok(a >= 0 && b >= 0 && a < b, `"${first}" before "${then}":\n${text}`);
}

describe("the README's demo", () => {
  it("runs the Quick start on the real engine: preview, up (dkim, spf, dmarc pass), no-op up, refresh, repair, destroy", () => {
    const r = spawnSync(process.execPath, [DEMO], { encoding: "utf8", timeout: 900_000 });
    const out = r.stdout;
    assert.equal(r.status, 0, `${out}\n${r.stderr}`);
    assert.match(out, /\nResult: PASS /);
    // The README's Quick start is what the demo ran.
    const ran = [...out.matchAll(/\$ (pulumi [^(\n]*)/g)].map((m) => commandShape(m[1]));
    assert.deepEqual(ran, quickStartCommands());
    // The CLI's own output, step by step.
    assert.match(stepText(out, 3), /Previewing update \(test\):[\s\S]*\+ 11 to create/);
    const up = stepText(out, 4);
    assert.match(up, /\+ 11 created/);
    // As the engine orders them: a resource after what it depends on, and deleted before it.
    before(up, "PostfixConfig mail-postfix created", "OpenDkimKey mail-dkim-sender.smtb created");
    before(up, "OpenDkimKey mail-dkim-sender.smtb created", "DnsRecord mail-dns-sender.smtb-dkim-default created");
    const published = stepText(out, 5);
    assert.match(published, /default\._domainkey\.sender\.smtb\. 300 IN TXT "v=DKIM1; k=rsa; p=/);
    assert.match(published, /Authentication-Results: mx\.receiver\.smtb; dkim=pass \(2048-bit key/);
    assert.match(published, /Authentication-Results: mx\.receiver\.smtb; spf=pass/);
    assert.match(published, /Authentication-Results: mx\.receiver\.smtb; dmarc=pass \(p=reject/);
    const again = stepText(out, 6);
    assert.match(again, /\n {4}11 unchanged\n/);
    assert.match(again, /SSH logins on the sender during this up: 0\n/);
    assert.match(stepText(out, 7), /~ {2}pulumi-nodejs:dynamic\/smartos-mail:PostfixConfig mail-postfix updated/);
    assert.match(stepText(out, 8), /~ smtp_tls_security_level: "may" => "dane"[\s\S]*~ 1 updated/);
    // The CLI's qshape table shows the message deferred while the MX was down.
    assert.match(stepText(out, 9), /receiver\.smtb\s+1\s/);
    const destroy = stepText(out, 10);
    assert.match(destroy, /- 11 deleted/);
    before(destroy, "DnsRecord mail-dns-sender.smtb-dkim-default deleted", "OpenDkimKey mail-dkim-sender.smtb deleted");
    before(destroy, "OpenDkimKey mail-dkim-sender.smtb deleted", "PostfixConfig mail-postfix deleted");
    // Secrets were set with --secret and are shown by no command.
    assert.doesNotMatch(out, /BEGIN OPENSSH PRIVATE KEY|demo-token-for-the-cloudflare-emulator/);
  });
});
