import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { PostfixConfig } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, SMTP_CLIENT_TIMEOUTS, suiteHost } from "../harness/fixtures";
import { limitSessions, sessionsRefusedAtOnce } from "../harness/session-limit";
import { hostShell } from "../harness/testbed";

const HOST = "rspool";
/** Below the pool's 4 channels per host, as some hardening guides set it. */
const MAX_SESSIONS = 2;
/** PostfixConfig resources, each owning one parameter, read at once by refresh. */
const PARAMETERS = SMTP_CLIENT_TIMEOUTS;

describe("the SSH pool on a host whose sshd allows fewer sessions per connection than the pool opens", () => {
  const host = suiteHost(HOST, 44);
  const stack = freshStack("ssh-pool");
  const program = () =>
    PARAMETERS.map(
      (parameter, i) =>
        new PostfixConfig(`timeout-${i}`, {
          connection: connectionTo(host()),
          profile: "linux",
          parameters: { [parameter]: `${100 + i}s` },
        }),
    );
  let controlRefused = 0;
  before(async () => {
    limitSessions(host(), MAX_SESSIONS);
    controlRefused = await sessionsRefusedAtOnce(host(), MAX_SESSIONS + 2);
    hostShell(HOST, ": >/var/log/sshd.log");
  });

  it(`the control: sshd refuses sessions past MaxSessions ${MAX_SESSIONS}`, () => {
    assert.equal(controlRefused, 2);
  });

  it("create, then a refresh reading all 8 at once: sshd refuses channels, the pool opens them again later", async () => {
    assert.ok((await stack.up(program)).every((s) => s.op === "create"));
    const steps = await stack.refresh();
    assert.equal(steps.length, PARAMETERS.length);
    assert.deepEqual(
      steps.filter((s) => s.drift).map((s) => s.name),
      [],
    );
    const refusals = hostShell(HOST, "grep -c 'no more sessions' /var/log/sshd.log || true").stdout.trim();
    assert.ok(Number(refusals) > 0, "sshd refused no session: the test did not reach the limit");
    const live = hostShell(HOST, "postconf -n").stdout;
    PARAMETERS.forEach((parameter, i) => {
      assert.match(live, new RegExp(`^${parameter} = ${100 + i}s$`, "m"));
    });
  });

  it("destroy of all at once", async () => {
    const steps = await stack.destroy();
    assert.ok(steps.length === PARAMETERS.length && steps.every((s) => s.op === "delete"));
  });
});
