import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { DeliveryFeedback } from "@smartos-mail/pulumi";
import { connectionTo, driftRepairedByUp, freshStack, suiteHost } from "../harness/fixtures";
import { hostShell, withoutSsh } from "../harness/testbed";

const HOST = "shzone";
const PATH = "PATH=/opt/local/sbin:/opt/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const MAP = "/opt/local/etc/postfix/smartos-mail-feedback";
const WATCH = "/var/db/smartos-mail/feedback/watch.sh";
/** Real Postfix log lines from the Debian testbed's delivery-feedback test (a receiver answering 421 4.7.28). */
const RATE = readFileSync(
  path.resolve(__dirname, "..", "..", "..", "packages", "pulumi", "test", "fixtures", "feedback", "postfix.log"),
  "utf8",
)
  .split("\n")
  .find((l) => l.includes("dsn=4.7.28, status=deferred"));

function sh(command: string): string {
  const r = hostShell(HOST, `${PATH}; ${command}`);
  assert.equal(r.code, 0, `${command} failed: ${r.stderr}`);
  return r.stdout;
}

describe("DeliveryFeedback with profile smartos on the emulated SmartOS host (pkgsrc Postfix, SMF, ksh93)", () => {
  const host = suiteHost(HOST, 155, "smartos");
  const stack = freshStack("delivery-feedback-smartos");
  let baseline: { postconf: string; crontab: string };
  const program = () => () => [
    new DeliveryFeedback("feedback", {
      connection: connectionTo(host()),
      profile: "smartos",
      rules: [{ name: "test-rate", relays: ["shaping.smtb"], status: "4.7.28", action: "suspend", duration: "1h" }],
    }),
  ];
  const snapshot = () => ({
    postconf: sh("postconf -n"),
    crontab: hostShell(HOST, "crontab -l 2>/dev/null").stdout,
  });

  before(() => {
    assert.ok(RATE);
    // An operator's own transport map, which must stay after the feedback map and come back as it was.
    sh(
      "printf 'example.net smtp:[relay.example.net]\\n' >/opt/local/etc/postfix/own && postmap hash:/opt/local/etc/postfix/own",
    );
    sh("postconf -e 'transport_maps=hash:/opt/local/etc/postfix/own' && postfix reload");
    baseline = snapshot();
  });

  it("create: the map first in transport_maps (pkgsrc's config directory), the watcher and its crontab line", async () => {
    assert.deepEqual(
      (await stack.up(program())).map((s) => s.op),
      ["create"],
    );
    assert.equal(sh("postconf -h transport_maps"), `hash:${MAP}, hash:/opt/local/etc/postfix/own\n`);
    assert.match(sh("crontab -l"), /^\* \* \* \* \* \/bin\/sh '\/var\/db\/smartos-mail\/feedback\/watch\.sh' run /m);
    assert.equal(stack.resource("feedback")?.outputs.watchedLog, "/var/log/postfix.log");
    assert.equal(sh("svcs -H -o state postfix"), "online\n");
  });

  it("second up: no diff, no SSH login, no remote command", async () => {
    assert.deepEqual(
      (await withoutSsh([HOST], () => stack.up(program()))).map((s) => s.op),
      ["same"],
    );
  });

  it("under ksh93 (SmartOS's /bin/sh) a matching reply suspends the domain; postmap and the reload work with pkgsrc's Postfix", async () => {
    sh(`printf '%s\\n' '${RATE}' >>/var/log/postfix.log`);
    assert.match(sh(`ksh93 ${WATCH} run`), /rule test-rate acts on shaping\.smtb/);
    assert.match(
      sh(`postmap -q shaping.smtb hash:${MAP}`),
      /^retry:4\.7\.0 suspended by smartos-mail until \S+ \(rule test-rate\)\n$/,
    );
    assert.equal(sh("svcs -H -o state postfix"), "online\n");
    await stack.refresh();
    const active = stack.resource("feedback")?.outputs.active as { domain: string; action: string }[];
    assert.deepEqual(
      active.map((a) => [a.domain, a.action]),
      [["shaping.smtb", "suspend"]],
    );
  });

  it("the map taken out of transport_maps by hand shows on refresh and the next up lists it first again", async () => {
    sh("postconf -e 'transport_maps=hash:/opt/local/etc/postfix/own'");
    await driftRepairedByUp(stack, program());
    assert.equal(sh("postconf -h transport_maps"), `hash:${MAP}, hash:/opt/local/etc/postfix/own\n`);
  });

  it("destroy: transport_maps and the crontab as before, the map and the watcher gone, Postfix online", async () => {
    await stack.destroy();
    assert.deepEqual(snapshot(), baseline);
    assert.equal(sh(`ls -d ${MAP} ${MAP}.db /var/db/smartos-mail/feedback 2>/dev/null || true`), "");
    assert.equal(sh("svcs -H -o state postfix"), "online\n");
  });
});
