import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { joinScripts, sh, shq } from "../src/remote/shell";

const HOSTILE = [
  "$(touch /tmp/pwned)",
  "`touch /tmp/pwned`",
  "'; touch /tmp/pwned; '",
  '"; touch /tmp/pwned; "',
  "a\nb; touch /tmp/pwned",
  "\\'\\\\",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell expansion syntax that must stay literal
  "$HOME ${PATH} $$ !! * ? [a] ~root",
  "it's",
  "",
  "  leading and trailing  ",
];

describe("shq", () => {
  for (const value of HOSTILE) {
    it(`passes ${JSON.stringify(value)} through a real /bin/sh unchanged`, () => {
      const out = execFileSync("/bin/sh", ["-c", `printf '%s' ${shq(value)}`], { encoding: "utf8" });
      assert.equal(out, value);
    });
  }

  it("refuses a NUL byte", () => {
    assert.throws(() => shq("a\0b"), /NUL/);
  });
});

describe("sh", () => {
  it("quotes every interpolated value and list element as its own word", () => {
    const script = sh`printf '%s|' ${["a b", "$(x)"]} ${42}`;
    assert.equal(execFileSync("/bin/sh", ["-c", script.text], { encoding: "utf8" }), "a b|$(x)|42|");
  });

  it("inserts nested scripts verbatim", () => {
    const inner = sh`echo ${"x y"}`;
    assert.equal(sh`${inner}; echo done`.text, "echo 'x y'; echo done");
    assert.equal(joinScripts([inner, inner], " && ").text, "echo 'x y' && echo 'x y'");
  });
});
