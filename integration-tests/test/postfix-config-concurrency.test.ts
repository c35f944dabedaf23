import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PostfixConfig } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, SMTP_CLIENT_TIMEOUTS, suiteHost } from "../harness/fixtures";
import { hostShell } from "../harness/testbed";

const HOST = "conc";
const ROUNDS = 20;

// Each resource owns one parameter; all edit the same main.cf at once.
const OWN = [...SMTP_CLIENT_TIMEOUTS];
const OTHER_PROCESS = ["smtpd_timeout", "smtpd_error_sleep_time", "smtpd_recipient_limit", "smtpd_soft_error_limit"];

function live(params: string[]): string[] {
  return hostShell(HOST, `postconf -h ${params.join(" ")}`)
    .stdout.trim()
    .split("\n");
}

describe("concurrent edits of one host's main.cf", () => {
  const host = suiteHost(HOST, 2);
  /** A resource that owns one main.cf parameter. */
  const owner = (name: string, parameter: string, value: string) =>
    new PostfixConfig(name, { connection: connectionTo(host()), profile: "linux", parameters: { [parameter]: value } });

  it(`8 resources in one provider process, ${ROUNDS} rounds: zero lost edits`, async () => {
    const stack = freshStack("concurrency-one-process", { parallel: 8 });
    for (let round = 0; round < ROUNDS; round++) {
      const program = () => OWN.map((p, i) => owner(`r${i}`, p, `${10 + round}s`));
      const steps = await stack.up(program);
      assert.equal(steps.length, 8);
      assert.deepEqual(
        live(OWN),
        OWN.map(() => `${10 + round}s`),
        `round ${round}`,
      );
    }
    await stack.destroy();
    assert.equal(hostShell(HOST, `postconf -n | grep -c -e ${OWN.join(" -e ")} || true`).stdout.trim(), "0");
  });

  it("two provider processes editing at once (the remote lock): zero lost edits", async () => {
    const a = freshStack("concurrency-process-a", { parallel: 8 });
    const b = freshStack("concurrency-process-b", { parallel: 8 });
    for (let round = 0; round < 5; round++) {
      const value = (p: string) =>
        p.endsWith("_time") || p === "smtpd_timeout" ? `${20 + round}s` : String(100 + round);
      const programA = () => OWN.slice(0, 4).map((p, i) => owner(`a${i}`, p, value(p)));
      const programB = () => OTHER_PROCESS.map((p, i) => owner(`b${i}`, p, value(p)));
      // The harness runs the two programs in turn (the SDK's mock runtime is global to the
      // process); their provider hosts, two processes, edit main.cf at the same time.
      await Promise.all([a.up(programA), b.up(programB)]);
      const all = [...OWN.slice(0, 4), ...OTHER_PROCESS];
      assert.deepEqual(live(all), all.map(value), `round ${round}`);
    }
    await Promise.all([a.destroy(), b.destroy()]);
  });
});
