import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { rulesFile } from "../src/feedback/rules-file";
import { watcherScript } from "../src/feedback/watcher";
import { platform } from "../src/remote/platform";
import { deliveryFeedbackSchema } from "../src/schemas/delivery-feedback";
import { testConnection } from "./support/check-inputs";

/**
 * Real Postfix 3.7 log lines, from the testbed's delivery-feedback test (integration-tests/test/
 * delivery-feedback.test.ts): a receiver answering with the providers' texts through access maps.
 */
const LOG = readFileSync(path.join(__dirname, "..", "..", "test", "fixtures", "feedback", "postfix.log"), "utf8")
  .split("\n")
  .filter((l) => l !== "");
/** The one fixture line containing `text`, with its newline. */
function line(text: string): string {
  const found = LOG.filter((l) => l.includes(text));
  assert.equal(found.length, 1, `one fixture line with ${text}`);
  return `${found[0]}\n`;
}
const RATE = line("dsn=4.7.28, status=deferred");
const TSS04 = line("refused to talk to me: 421 4.7.0");
const RP001 = line("451 4.7.650");
const SUSPENDED = line("status=deferred (suspended by smartos-mail");
const SENT = line("status=sent");
const NO_DNS = line("dsn=5.4.4, status=bounced");
const GONE = line("dsn=5.1.1, status=bounced (host");
const SUPPRESSED = line("status=bounced (suppressed by smartos-mail");
const POLICY = line("dsn=5.7.1, status=bounced");
const LATER = line("dsn=4.2.0, status=deferred");

/** Shells the watcher must run under: dash (Debian's /bin/sh) and ksh93 (SmartOS's), where installed. */
const SHELLS = ["dash", "ksh93"].filter((s) => spawnSync("sh", ["-c", `command -v ${s}`]).status === 0);

const T0 = 1_796_626_000;
const root = mkdtempSync(path.join(tmpdir(), "feedback-watcher-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** A watcher in a directory of its own, with the testbed test's rules, a log and a map there. */
function watcher(shell: string, name: string, suppression: Record<string, unknown> = {}) {
  const dir = path.join(root, `${shell}-${name}`);
  const state = path.join(dir, "state");
  mkdirSync(state, { recursive: true });
  const log = path.join(dir, "postfix.log");
  const map = path.join(dir, "feedback");
  const script = path.join(dir, "watch.sh");
  writeFileSync(log, "");
  writeFileSync(script, watcherScript(platform("linux"), { dir: state, map, lockDir: path.join(dir, "lock") }).text);
  const v = deliveryFeedbackSchema.parse({
    connection: testConnection("198.18.0.11"),
    rules: [
      {
        name: "test-rate",
        relays: ["shaping.smtb"],
        status: "4.7.28",
        threshold: { count: 2, window: "1h" },
        action: "suspend",
        duration: "20s",
      },
      { name: "test-tss04", relays: ["shaping.smtb"], pattern: "\\[TS?S04\\]", action: "suspend", duration: "15s" },
      {
        name: "test-slow",
        relays: ["shaping.smtb"],
        pattern: "RP-00[123]",
        action: "throttle",
        duration: "45s",
        rateDelay: "4s",
      },
    ],
    suppression,
  });
  writeFileSync(path.join(state, "rules"), rulesFile(v, log));
  return {
    log,
    /** One pass at `now`; its stdout. Its stderr must be empty but for the words of a Postfix not running here. */
    run(now: number, ...args: string[]): string {
      const r = spawnSync(shell, [script, ...(args.length > 0 ? args : ["run", String(now)])], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      const stderr = r.stderr
        .split("\n")
        .filter(
          (l) =>
            l !== "" &&
            !/postfix reload failed|postqueue -f failed|postqueue: (fatal|warning)|mail system is down/.test(l),
        );
      assert.deepEqual(stderr, []);
      return r.stdout;
    },
    append(text: string): void {
      appendFileSync(log, text);
    },
    file(f: string): string {
      return readFileSync(path.join(state, f), "utf8");
    },
    entries(): string[] {
      return readFileSync(map, "utf8")
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("#"));
    },
    lookup(key: string): string {
      return spawnSync("postmap", ["-q", key, `hash:${map}`], { encoding: "utf8" }).stdout;
    },
    mapTime(): number {
      return statSync(`${map}.db`).mtimeMs;
    },
  };
}

for (const shell of SHELLS) {
  describe(`the feedback watcher under ${shell}`, () => {
    it("starts at the end of the log: what was logged before it existed is history", () => {
      const w = watcher(shell, "history");
      w.append(RATE + RATE + TSS04);
      w.run(T0);
      assert.equal(w.file("events"), "");
      assert.deepEqual(w.entries(), []);
      assert.equal(w.file("position").split(" ")[1], `${statSync(w.log).size}\n`);
    });

    it("below the threshold nothing changes; at it the domain is suspended, in the map and its .db", () => {
      const w = watcher(shell, "threshold");
      w.run(T0);
      w.append(RATE);
      assert.equal(w.run(T0 + 10), "");
      assert.deepEqual(w.entries(), []);
      assert.equal(w.file("events"), `test-rate\tshaping.smtb\t${T0 + 10}\n`);
      w.append(RATE);
      assert.equal(w.run(T0 + 20), "smartos-mail feedback: rule test-rate acts on shaping.smtb\n");
      const entry = "retry:4.7.0 suspended by smartos-mail until 2026-12-07T06:47:20Z (rule test-rate)";
      assert.deepEqual(w.entries(), [`shaping.smtb\t${entry}`]);
      assert.equal(w.lookup("shaping.smtb"), `${entry}\n`);
      assert.equal(w.file("actions"), `shaping.smtb\ttest-rate\tsuspend\t${T0 + 40}\t-\n`);
      assert.equal(w.file("events"), "", "the replies that made the rule act are forgotten");
    });

    it("a second pass over the same log changes nothing, not even the map's time stamp", () => {
      const w = watcher(shell, "twice");
      w.run(T0);
      w.append(RATE + RATE + GONE);
      w.run(T0 + 1);
      const files = ["position", "events", "actions", "suppressed"].map((f) => w.file(f));
      const [entries, stamp] = [w.entries(), w.mapTime()];
      assert.equal(w.run(T0 + 2), "");
      assert.deepEqual(
        ["position", "events", "actions", "suppressed"].map((f) => w.file(f)),
        files,
      );
      assert.deepEqual([w.entries(), w.mapTime()], [entries, stamp]);
    });

    it("a line split across two reads counts once, when it is whole", () => {
      const w = watcher(shell, "split");
      w.run(T0);
      w.append(TSS04.slice(0, 100));
      assert.equal(w.run(T0 + 1), "");
      assert.equal(w.file("position").split(" ")[1], "0\n", "the partial line is left for the next pass");
      w.append(TSS04.slice(100));
      assert.equal(w.run(T0 + 2), "smartos-mail feedback: rule test-tss04 acts on shaping.smtb\n");
      assert.equal(w.file("position").split(" ")[1], `${TSS04.length}\n`);
    });

    it("rotation: the rest of the rotated file (found by its inode) first, then the new file from its start", () => {
      const w = watcher(shell, "rotation");
      w.run(T0);
      w.append(RATE);
      w.run(T0 + 1);
      w.append(RATE);
      renameSync(w.log, `${w.log}.1`);
      writeFileSync(w.log, TSS04.replace("shaping.smtb>", "other.smtb>"));
      const out = w.run(T0 + 2);
      assert.match(out, /rule test-rate acts on shaping\.smtb/, "the second 4.7.28, in the rotated file");
      assert.match(out, /rule test-tss04 acts on other\.smtb/, "the new file, from its first line");
      const [inode, offset] = w.file("position").trim().split(" ");
      assert.equal(inode, String(statSync(w.log).ino));
      assert.equal(Number(offset), statSync(w.log).size);
    });

    it("a truncated log is read again from its start", () => {
      const w = watcher(shell, "truncated");
      w.run(T0);
      w.append(SENT + SENT + SENT);
      w.run(T0 + 1);
      writeFileSync(w.log, TSS04);
      assert.match(w.run(T0 + 2), /rule test-tss04 acts on shaping\.smtb/);
    });

    it("the watcher's own retry and error lines, deliveries and local bounces never count", () => {
      const w = watcher(shell, "own");
      w.run(T0);
      w.append(SUSPENDED + SUSPENDED + SUSPENDED + SENT + SUPPRESSED + NO_DNS);
      w.run(T0 + 1);
      assert.deepEqual([w.file("events"), w.file("suppressed"), w.entries()], ["", "", []]);
    });

    it("at the end of its time the entry goes and the domain's queue is asked for", () => {
      const w = watcher(shell, "expiry");
      w.run(T0);
      w.append(TSS04);
      w.run(T0 + 1);
      assert.equal(w.entries().length, 1);
      assert.equal(w.run(T0 + 15), "", "still in force one second before the end");
      assert.match(w.run(T0 + 16), /^smartos-mail feedback: the action on shaping\.smtb ended$/m);
      assert.deepEqual([w.entries(), w.file("actions")], [[], ""]);
    });

    it("a throttle routes the domain through its transport; a suspension overrides it, never the reverse", () => {
      const w = watcher(shell, "throttle");
      w.run(T0);
      w.append(RP001);
      w.run(T0 + 1);
      assert.deepEqual(w.entries(), ["shaping.smtb\tthrottle-test-slow:"]);
      w.append(TSS04);
      w.run(T0 + 2);
      assert.match(w.entries()[0], /^shaping\.smtb\tretry:4\.7\.0 suspended by smartos-mail .*\(rule test-tss04\)$/);
      w.append(RP001);
      w.run(T0 + 3);
      assert.match(w.entries()[0], /\(rule test-tss04\)$/);
    });

    it("suppression: a remote 5.1.1 bounce suppresses the address; 5.7.1 and 4.2.0 do not; TTL and unsuppress end it", () => {
      const w = watcher(shell, "suppress", { ttlDays: 1 });
      w.run(T0);
      w.append(GONE + POLICY + LATER);
      w.run(T0 + 1);
      const entry = "error:5.1.1 suppressed by smartos-mail (bounced 2026-12-07)";
      assert.deepEqual(w.entries(), [`gone@shaping.smtb\t${entry}`]);
      assert.equal(w.lookup("gone@shaping.smtb"), `${entry}\n`);
      assert.equal(w.file("suppressed"), `gone@shaping.smtb\t5.1.1\t${T0 + 1}\n`);
      w.run(T0 + 86_401);
      assert.deepEqual(w.entries(), [], "gone after its TTL");
      w.append(GONE);
      w.run(T0 + 86_402);
      assert.equal(w.entries().length, 1);
      w.run(T0 + 86_403, "unsuppress", "Gone@Shaping.smtb");
      assert.deepEqual([w.entries(), w.file("suppressed")], [[], ""]);
    });

    it("the allowlist keeps an address, or a whole domain, off the list", () => {
      for (const allow of ["gone@shaping.smtb", "@shaping.smtb"]) {
        const w = watcher(shell, `allow-${allow.replace("@", "at-")}`, { allowlist: [allow] });
        w.run(T0);
        w.append(GONE);
        w.run(T0 + 1);
        assert.deepEqual([w.entries(), w.file("suppressed")], [[], ""], allow);
      }
    });
  });
}

describe("the feedback watcher's shells", () => {
  it("runs under dash at least (Debian's /bin/sh); ksh93 (SmartOS's) too where it is installed", () => {
    assert.ok(SHELLS.includes("dash"), `found ${SHELLS.join(", ") || "none"}`);
  });
});
