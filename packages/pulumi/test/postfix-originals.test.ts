import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { forgetOriginals, parseOriginals, recordOriginals } from "../src/postfix/originals";
import { joinScripts, type Script, sh } from "../src/remote/shell";

// Real postconf (Debian's postfix package) on a configuration directory of the test's own, named by MAIL_CONFIG.
const dir = mkdtempSync(path.join(tmpdir(), "postfix-originals-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const record = path.join(dir, ".smartos-mail-originals");

function run(script: Script): string {
  const text = joinScripts([sh`fail() { printf '%s\n' "$*" >&2; exit 65; }`, script]).text;
  return execFileSync("/bin/sh", ["-c", text], { encoding: "utf8", env: { ...process.env, MAIL_CONFIG: dir } });
}

function postconf(...args: string[]): void {
  execFileSync("postconf", args, { env: { ...process.env, MAIL_CONFIG: dir }, stdio: "ignore" });
}

describe("the host's record of the values PostfixConfig took over", () => {
  writeFileSync(
    path.join(dir, "main.cf"),
    `myhostname = a.example\nrelayhost =\nalias_database = hash:${dir}/aliases\n`,
  );
  writeFileSync(path.join(dir, "master.cf"), "");
  writeFileSync(path.join(dir, "aliases"), "postmaster: root\nroot: ops@a.example\n");

  it("records set, empty and unset parameters and an alias as they are before the first change", () => {
    const out = parseOriginals(run(recordOriginals(["myhostname", "relayhost", "mydomain"], ["root"])));
    assert.deepEqual(out, {
      parameters: { myhostname: "a.example", relayhost: "", mydomain: null },
      aliases: { root: "ops@a.example" },
    });
  });

  it("keeps the first value it recorded when a failed run left another one live", () => {
    postconf("-e", "myhostname=failed-run.example", "smtpd_banner=$myhostname ESMTP = ready");
    writeFileSync(path.join(dir, "aliases"), "root: failed-run@a.example\n");
    const out = parseOriginals(run(recordOriginals(["myhostname", "smtpd_banner"], ["root"])));
    assert.equal(out.parameters.myhostname, "a.example");
    assert.equal(out.parameters.smtpd_banner, "$myhostname ESMTP = ready");
    assert.equal(out.aliases.root, "ops@a.example");
  });

  it("drops entries once they are put back, and the record with its last entry", () => {
    run(forgetOriginals(["myhostname", "relayhost"], ["root"]));
    assert.deepEqual(parseOriginals(readFileSync(record, "utf8")), {
      parameters: { mydomain: null, smtpd_banner: "$myhostname ESMTP = ready" },
      aliases: {},
    });
    run(forgetOriginals(["mydomain", "smtpd_banner"], []));
    assert.equal(existsSync(record), false);
    for (const temporary of [`${record}.new`, `${record}.live`]) assert.equal(existsSync(temporary), false, temporary);
  });
});
