import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { PostfixConfig, type PostfixConfigArgs } from "@smartos-mail/pulumi";
import { connectionTo, freshStack, OUTPUT_DIR, suiteHost } from "../harness/fixtures";
import { EngineError, type PulumiStack } from "../harness/pulumi-stack";
import { filesUnder, findSecrets, hostLogs } from "../harness/secret-scan";
import { hostScript, hostShell } from "../harness/testbed";

const HOST = "rsfault";
const PASSWORDS = ["fault-relay-Pw1 'quoted' $dollar", "fault-relay-Pw2 `tick` ;semi"] as const;
const LOCK = "/var/run/smartos-mail.lock";
const SASL_MAP = "/etc/postfix/sasl/smtp_passwd";
/** PostfixConfig's host-side record of the values it took over (postfix/originals.ts). */
const ORIGINALS = "/etc/postfix/.smartos-mail-originals";
const RELAY = "[relay.fault.example]:587";
/** Longest a run after a fault may take: a lock left by the killed session, not recovered, would make it wait 120 s. */
const CONVERGE_MS = 90_000;

type Version = 0 | 1;
type Managed = Record<string, string | null>;

/** The two configurations: create applies the first, update moves to the second. */
function argsFor(v: Version, connection: PostfixConfigArgs["connection"]): PostfixConfigArgs {
  return {
    connection,
    profile: "linux",
    myhostname: `mx${v + 1}.fault.example`,
    mydomain: "fault.example",
    mynetworks: v === 0 ? ["127.0.0.0/8", "[::1]/128"] : ["127.0.0.0/8", "[::1]/128", "198.18.0.0/24"],
    relayhost: { host: "relay.fault.example", port: 587 },
    saslRelay: { username: "mailer", password: PASSWORDS[v] },
    rootAlias: `ops${v + 1}@fault.example`,
    parameters:
      v === 0
        ? { smtpd_banner: "$myhostname ESMTP one", delay_warning_time: "4h" }
        : { smtpd_banner: "$myhostname ESMTP two", maximal_queue_lifetime: "3d" },
  };
}

const SASL_PARAMETERS = {
  relayhost: RELAY,
  smtp_sasl_auth_enable: "yes",
  smtp_sasl_password_maps: `hash:${SASL_MAP}`,
  smtp_sasl_security_options: "noanonymous",
  smtp_tls_security_level: "encrypt",
};

/** The main.cf parameters each configuration sets, as `postconf -n` prints them. */
const PARAMETERS: Record<Version, Record<string, string>> = {
  0: {
    myhostname: "mx1.fault.example",
    mydomain: "fault.example",
    mynetworks: "127.0.0.0/8, [::1]/128",
    ...SASL_PARAMETERS,
    smtpd_banner: "$myhostname ESMTP one",
    delay_warning_time: "4h",
  },
  1: {
    myhostname: "mx2.fault.example",
    mydomain: "fault.example",
    mynetworks: "127.0.0.0/8, [::1]/128, 198.18.0.0/24",
    ...SASL_PARAMETERS,
    smtpd_banner: "$myhostname ESMTP two",
    maximal_queue_lifetime: "3d",
  },
};
const MANAGED = [...new Set([...Object.keys(PARAMETERS[0]), ...Object.keys(PARAMETERS[1])])];

function injector(...args: string[]): string {
  const r = hostScript(HOST, "fault-injector.sh", args);
  assert.equal(r.code, 0, `fault-injector.sh ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** The calls the injector counted since it was armed ("tool args..."), and the call whose session it cut. */
function calls(): { calls: string[]; cut?: number } {
  const lines = injector("calls").split("\n").filter(Boolean);
  const cut = lines.find((l) => l.startsWith("cut "));
  return {
    calls: lines.filter((l) => /^\d+ /.test(l)).map((l) => l.slice(l.indexOf(" ") + 1).trim()),
    cut: cut === undefined ? undefined : Number(cut.split(" ")[1]),
  };
}

/** Tool and first argument of a call, e.g. "postconf -n", "postmap hash:/etc/..." (the staging directory varies). */
const label = (call: string) => call.split(" ").slice(0, 2).join(" ");

/**
 * Whether a call changes the live host: a map or the alias database rebuilt,
 * the `postfix check` that gates a main.cf already moved into place, Postfix
 * reloaded or started, or a postconf edit outside the staging copy.
 */
function changesLiveHost(call: string): boolean {
  if (/^(postmap|postalias|newaliases)\b/.test(call) || /^postfix (check|reload|start|stop)\b/.test(call)) return true;
  return /^postconf\b.* -[eXMP]\b/.test(call) && !call.includes(".smartos-mail-stage.");
}

/** A place to cut the session: before call `n` runs, or after it returned. */
interface CutPoint {
  n: number;
  phase: "before" | "after";
}

/**
 * The steps of an apply, as places to cut: before its first call (the remote
 * lock is held, nothing else changed), before each call that changes the live
 * host, and after its last call (all applied, the answer lost). A cut before a
 * read or an edit of the staging copy leaves the host as the cut before it does.
 */
function cutPoints(counted: string[]): CutPoint[] {
  const points: CutPoint[] = counted
    .map((call, i) => ({ n: i + 1, phase: "before" as const, call }))
    .filter(({ n, call }) => n === 1 || changesLiveHost(call))
    .map(({ n, phase }) => ({ n, phase }));
  return [...points, { n: counted.length, phase: "after" }];
}

/** What the test sees on the host, read in one go from outside sshd. */
interface HostView {
  running: boolean;
  /** Exit status and output of `postfix check`; omitted unless asked for. */
  check?: { code: number; output: string };
  managed: Managed;
  /** "live PID", "dead" or "none": who holds the remote lock. */
  lock: string;
  /** Staging directories, temporary files and locks left behind. */
  leftovers: string;
  sasl: string;
  rootAlias: string;
}

function view(withCheck: boolean): HostView {
  const mark = "@@fault-view:";
  const r = hostShell(
    HOST,
    [
      `s() { printf '\\n${mark}%s\\n' "$1"; }`,
      "s running; postfix status >/dev/null 2>&1 && echo yes",
      withCheck ? 's check; out=$(postfix check 2>&1); echo "$?"; printf "%s" "$out"' : ":",
      "s postconf; postconf -n",
      `s lock; if [ -d ${LOCK} ]; then p=$(cat ${LOCK}/pid 2>/dev/null); \
        if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then echo "live $p"; else echo dead; fi; else echo none; fi`,
      `s leftovers; ls -d /etc/postfix/.smartos-mail-stage.* ${LOCK} /etc/postfix/sasl/*.smartos-mail-new \
        /etc/aliases.smartos-mail-new 2>/dev/null`,
      `s sasl; postmap -q '${RELAY}' hash:${SASL_MAP} 2>/dev/null`,
      "s alias; postalias -q root hash:/etc/aliases 2>/dev/null",
      "true",
    ].join("\n"),
  );
  assert.equal(r.code, 0, r.stderr);
  const sections = Object.fromEntries(
    r.stdout
      .split(`\n${mark}`)
      .slice(1)
      .map((chunk) => [chunk.slice(0, chunk.indexOf("\n")), chunk.slice(chunk.indexOf("\n") + 1)]),
  );
  // "relayhost =" has no space after the "=": an empty value.
  const live = Object.fromEntries(
    [...sections.postconf.matchAll(/^(\S+) = ?(.*)$/gm)].map((m: RegExpMatchArray) => [m[1], m[2]]),
  );
  const [checkCode, ...checkOutput] = (sections.check ?? "").split("\n");
  return {
    running: sections.running.trim() === "yes",
    ...(withCheck ? { check: { code: Number(checkCode), output: checkOutput.join("\n").trim() } } : {}),
    managed: Object.fromEntries(MANAGED.map((k) => [k, live[k] ?? null])),
    lock: sections.lock.trim(),
    leftovers: sections.leftovers.trim(),
    sasl: sections.sasl.trim(),
    rootAlias: sections.alias.trim(),
  };
}

/** Saved copies of the files PostfixConfig edits, to put the host back to a known state between fault runs. */
type Snapshot = "baseline" | "v0";

function saveHost(snapshot: Snapshot): void {
  const dir = `/root/fault-${snapshot}`;
  const r = hostShell(
    HOST,
    `rm -rf ${dir} && mkdir -p ${dir} && cp -p /etc/postfix/main.cf /etc/aliases ${dir}/ \
      && { cp -p ${SASL_MAP} ${SASL_MAP}.db ${dir}/ 2>/dev/null || true; } \
      && { cp -p ${ORIGINALS} ${dir}/originals 2>/dev/null || true; }`,
  );
  assert.equal(r.code, 0, r.stderr);
}

function restoreHost(snapshot: Snapshot): void {
  const dir = `/root/fault-${snapshot}`;
  const r = hostShell(
    HOST,
    `cp -p ${dir}/main.cf /etc/postfix/main.cf && cp -p ${dir}/aliases /etc/aliases && newaliases \
      && rm -f ${SASL_MAP} ${SASL_MAP}.db && { cp -p ${dir}/smtp_passwd* /etc/postfix/sasl/ 2>/dev/null || true; } \
      && rm -f ${ORIGINALS} && { cp -p ${dir}/originals ${ORIGINALS} 2>/dev/null || true; } \
      && postfix reload >/dev/null 2>&1`,
  );
  assert.equal(r.code, 0, r.stderr);
}

describe("faults: the SSH session cut at each step of a PostfixConfig create and update", () => {
  const host = suiteHost(HOST, 51);
  const connection = () => connectionTo(host());
  const program = (v: Version) => () => [new PostfixConfig("mail", argsFor(v, connection()))];
  /** The managed parameters before any resource: what a fault during create may leave. */
  let baseline: Managed;
  /** root's alias before any resource ("" for none). */
  let baselineRootAlias: string;
  const counted: Record<"create" | "update", string[]> = { create: [], update: [] };
  /** The counting run's stack once it created configuration 0, as `pulumi stack export` gives it (secrets encrypted). */
  let createdDeployment = "";
  const stacks: PulumiStack[] = [];

  /** The managed parameters when configuration `v` is fully applied. */
  const applied = (v: Version): Managed => Object.fromEntries(MANAGED.map((k) => [k, PARAMETERS[v][k] ?? baseline[k]]));

  /**
   * An empty stack, or (`created`) one that holds the resource as the counting run created it:
   * the counting run's export, `pulumi stack import`ed into this fresh stack.
   */
  const stackFor = async (name: string, created: boolean) => {
    const stack = freshStack(name);
    stacks.push(stack);
    if (created) {
      await stack.importDeployment(createdDeployment);
      assertHolds(stack, 0, `${name}: the imported state`);
    }
    return stack;
  };

  /** The engine's state holds the resource with configuration `v`'s inputs, and no operation left pending. */
  function assertHolds(stack: PulumiStack, v: Version, what: string) {
    const r = stack.resource("mail");
    assert.ok(r, `${what}: the stack holds no resource`);
    assert.equal(r.inputs.myhostname, argsFor(v, connection()).myhostname, `${what}: myhostname in state`);
    const sasl = r.inputs.saslRelay as { password?: unknown } | undefined;
    assert.equal(sasl?.password, PASSWORDS[v], `${what}: the SASL password in state`);
    assertNothingPending(stack, what);
  }

  /** The state file records no operation the engine began and did not finish. */
  function assertNothingPending(stack: PulumiStack, what: string) {
    const file = JSON.parse(readFileSync(stack.statePath, "utf8")) as {
      checkpoint: { latest?: { pending_operations?: unknown[] } };
    };
    const latest = file.checkpoint.latest;
    assert.ok(latest, `${what}: the state file holds no deployment`);
    assert.deepEqual(latest.pending_operations ?? [], [], `${what}: pending operations in state`);
  }

  before(() => {
    saveHost("baseline");
    injector("install");
    const start = view(false);
    baseline = start.managed;
    baselineRootAlias = start.rootAlias;
  });

  /** Postfix runs on a configuration that checks clean, main.cf is all one version, and no live process holds the lock. */
  function assertHostSound(from: Managed, to: Managed, what: string) {
    const v = view(true);
    assert.ok(v.running, `${what}: Postfix is not running`);
    assert.deepEqual(v.check, { code: 0, output: "" }, `${what}: postfix check`);
    assert.ok(
      JSON.stringify(v.managed) === JSON.stringify(from) || JSON.stringify(v.managed) === JSON.stringify(to),
      `${what}: main.cf is half old, half new: ${JSON.stringify(v.managed)}`,
    );
    assert.ok(!v.lock.startsWith("live"), `${what}: the lock is held by a live process (${v.lock})`);
  }

  /** The host holds configuration `v` entirely, with nothing left over from the fault. */
  function assertConverged(v: Version, what: string) {
    const seen = view(false);
    assert.deepEqual(seen.managed, applied(v), `${what}: postconf -n`);
    assert.equal(seen.sasl, `mailer:${PASSWORDS[v]}`, `${what}: the SASL map`);
    assert.equal(seen.rootAlias, `ops${v + 1}@fault.example`, `${what}: the root alias`);
    assert.equal(seen.leftovers, "", `${what}: a staging directory, temporary file or lock is left`);
    assert.ok(seen.running, `${what}: Postfix is not running`);
  }

  /** Applies configuration `v` with the session cut at `point`: the up fails, the host stays sound, the next up converges. */
  async function faultRun(stack: PulumiStack, v: Version, point: CutPoint, what: string) {
    const expected = v === 0 ? counted.create : counted.update;
    injector("arm", String(point.n), point.phase);
    try {
      await assert.rejects(stack.up(program(v)), (err: Error) => {
        assert.ok(err instanceof EngineError, `${what}: ${err}`);
        assert.match(
          err.message,
          // The cut may come in the read-only open-relay check that runs first, or in the change itself.
          /(check the new configuration for an open relay|apply the Postfix configuration) failed on root@\S+ \(exit none: connection lost\)/,
          what,
        );
        return true;
      });
    } finally {
      injector("disarm");
    }
    const seen = calls();
    assert.equal(seen.cut, point.n, `${what}: the session was not cut there`);
    assert.deepEqual(
      seen.calls.map(label),
      expected.slice(0, point.n).map(label),
      `${what}: the steps ran differently`,
    );
    assertHostSound(v === 0 ? baseline : applied(0), applied(v), what);
    // The engine records a create only when it succeeds, and keeps the old state when an update fails.
    if (v === 0) {
      assert.equal(stack.resource("mail"), undefined, `${what}: the failed create is in state`);
      assertNothingPending(stack, what);
    } else {
      assertHolds(stack, 0, `${what}: state after the failed update`);
    }

    const started = Date.now();
    const steps = await stack.up(program(v));
    assert.ok(Date.now() - started < CONVERGE_MS, `${what}: converging took ${Date.now() - started} ms`);
    assert.deepEqual(
      steps.map((s) => s.op),
      [v === 0 ? "create" : "update"],
      what,
    );
    assertConverged(v, what);
  }

  it("counting run: create and update call Postfix's tools at every step", async () => {
    const stack = await stackFor("faults-count", false);
    try {
      for (const [op, v] of [
        ["create", 0],
        ["update", 1],
      ] as const) {
        injector("arm", "0", "before");
        await stack.up(program(v));
        counted[op] = calls().calls;
        assertConverged(v, `${op} without a fault`);
        if (op === "create") {
          saveHost("v0");
          createdDeployment = await stack.exportDeployment();
        }
      }
    } finally {
      injector("disarm");
      restoreHost("baseline");
    }
    for (const op of ["create", "update"] as const) {
      const tools = counted[op].map(label);
      for (const t of ["postconf -n", "postmap hash:/etc/postfix/sasl/smtp_passwd", "newaliases", "postfix check"]) {
        assert.ok(tools.includes(t), `${op} never calls ${t}: ${tools.join(", ")}`);
      }
      assert.ok(
        tools.some((t) => /^postfix (reload|start)$/.test(t)),
        `${op} never reloads: ${tools.join(", ")}`,
      );
      assert.ok(cutPoints(counted[op]).length <= 8, `${op}: too many steps for the fault runs' time budget`);
    }
  });

  for (const op of ["create", "update"] as const) {
    it(`${op}, cut at each step: the up fails, Postfix stays sound, the next up converges`, async (t) => {
      const points = cutPoints(counted[op]);
      assert.ok(points.length > 2, "the counting run did not run");
      for (const point of points) {
        const what = `${op} cut ${point.phase} call ${point.n} (${label(counted[op][point.n - 1])})`;
        await t.test(what, async () => {
          const stack = await stackFor(`faults-${op}-${point.n}-${point.phase}`, op === "update");
          if (op === "update") restoreHost("v0");
          try {
            await faultRun(stack, op === "create" ? 0 : 1, point, what);
            // A create cut from `postfix check` on leaves its values live for the create that
            // converges; delete must still put back the values from before the first attempt
            // (the host's record of them, postfix/originals.ts), and after an update too.
            await stack.destroy();
            const after = view(false);
            assert.deepEqual(after.managed, baseline, `${what}: postconf -n after delete`);
            assert.equal(after.rootAlias, baselineRootAlias, `${what}: root's alias after delete`);
            const record = hostShell(HOST, `test ! -e ${ORIGINALS}`);
            assert.equal(record.code, 0, `${what}: delete left ${ORIGINALS} behind`);
          } finally {
            restoreHost("baseline");
          }
        });
      }
    });
  }

  it("no SASL password or private key in any state file, engine log, exported state, host log or the injector's call log", () => {
    assert.ok(stacks.length > 2 && stacks.every((s) => path.dirname(s.options.dir) === OUTPUT_DIR));
    // What the scan must cover: every stack's state file (its secrets encrypted) and engine log.
    for (const s of stacks) {
      assert.ok(existsSync(s.statePath) && existsSync(s.logPath), `${s.options.dir}: no state file or engine log`);
    }
    assert.match(createdDeployment, /"ciphertext"/, "the exported state holds its secrets encrypted");
    const hits = findSecrets(
      [
        { name: "SASL password 1", value: PASSWORDS[0] },
        { name: "SASL password 2", value: PASSWORDS[1] },
        { name: "SSH private key", value: host().privateKey },
      ],
      [
        ...stacks.flatMap((s) => filesUnder(s.options.dir, OUTPUT_DIR)),
        ["the counting run's `pulumi stack export`", createdDeployment],
        ...hostLogs(HOST, ["/root/fault-injector/calls"]),
      ],
    );
    assert.deepEqual(hits, []);
  });
});
