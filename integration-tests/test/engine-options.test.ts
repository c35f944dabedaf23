import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import {
  type ConnectionArgs,
  InboundSmtpFirewall,
  MailArchive,
  MailLogReport,
  OpenDkimKey,
  PostfixConfig,
  RateLimitTransport,
  SmartOsZone,
  ZoneDatasets,
  type ZoneManifestArgs,
} from "@smartos-mail/pulumi";
import { connectionTo, freshStack, SMTP_CLIENT_TIMEOUTS, suiteHost } from "../harness/fixtures";
import { EngineError, type PulumiStack, type ResourceState, type StepRecord } from "../harness/pulumi-stack";
import { hostShell, sshCommands, sshLogins } from "../harness/testbed";

/** The host-wide edit lock every provider's apply script takes (packages/pulumi/src/remote/lock.ts). */
const LOCK = "/var/run/smartos-mail.lock";
/** A zone address on the testbed bridge that no host or other test uses. */
const ZONE_IP = "198.18.0.234";
const GUIDE_IMAGE = "088b97b0-e1a1-11e5-b895-9baa2086eb33";
/**
 * What every resource of the library says when a program gives it the `import` option
 * (packages/pulumi/src/providers/dynamic.ts, dynamicResourceOptions). Without that refusal the
 * engine's import Read reaches the Node.js SDK's dynamic-provider host with only the id, no inputs and
 * no state, so the serialized provider (`__provider`, kept among a resource's inputs) is missing and the
 * host fails with "code must be a string, not undefined" (pulumi/pulumi#3550 and #16175).
 */
const importRefused = (type: string, name: string) => `${type} ${name}: the import option cannot adopt`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function sh(host: string, command: string): string {
  const r = hostShell(host, command);
  assert.equal(r.code, 0, `${command} failed on ${host}: ${r.stderr}`);
  return r.stdout;
}

/** Each step's resource name and operation, sorted by name (independent steps finish in any order). */
function ops(steps: StepRecord[]): [string, string][] {
  return steps.map((s): [string, string] => [s.name, s.op]).sort(([a], [b]) => a.localeCompare(b));
}

/** A custom resource's step starting (the engine's pre event) or finishing (its outputs event). */
interface StepMark {
  sequence: number;
  at: "start" | "end";
  name: string;
  op: string;
}

/** The start and end marks of the custom resources' steps among engine events, in the engine's order. */
function stepMarks(events: EngineEvent[]): StepMark[] {
  const marks: StepMark[] = [];
  for (const e of events) {
    const pre = e.resourcePreEvent?.metadata;
    const out = e.resOutputsEvent?.metadata;
    const m = pre ?? out;
    if (!m || m.type.startsWith("pulumi:providers:") || !(m.new ?? m.old)?.custom) continue;
    marks.push({ sequence: e.sequence, at: pre ? "start" : "end", name: m.urn.split("::").pop() ?? m.urn, op: m.op });
  }
  return marks.sort((a, b) => a.sequence - b.sequence);
}

/** The most custom-resource steps the engine had under way at once, from the order of their marks. */
function mostAtOnce(marks: StepMark[]): number {
  const open = new Set<string>();
  let most = 0;
  for (const m of marks) {
    if (m.at === "start") open.add(m.name);
    else open.delete(m.name);
    most = Math.max(most, open.size);
  }
  return most;
}

/** Waits (polling, at most `seconds`) until `done()` holds; fails with `what` otherwise. */
async function until(what: string, done: () => boolean, seconds = 60): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (done()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}`);
}

/** Takes the host's edit lock as a live process would (its pid: the host's init), so every apply script waits. */
function holdLock(host: string): void {
  sh(host, `mkdir ${LOCK} && echo 1 >${LOCK}/pid`);
}

function releaseLock(host: string): void {
  sh(host, `rm -rf ${LOCK}`);
}

/**
 * Runs an `up` of `program`, which imports one resource, and expects it to fail before the engine
 * runs any step: returns the error a user reads and the resource steps that failed (none expected).
 */
async function failedImport(stack: PulumiStack, program: () => unknown): Promise<{ error: string; failed: string[] }> {
  const events: EngineEvent[] = [];
  let error = "";
  await assert.rejects(stack.up(program, { onEvent: (e) => events.push(e) }), (err: Error) => {
    assert.ok(err instanceof EngineError, String(err));
    error = err.message;
    return true;
  });
  const failed = events.map((e) => e.resOpFailedEvent?.metadata.urn).filter((urn) => urn !== undefined);
  return { error, failed };
}

/** The library's resource type of each named resource the import tests make. */
const TYPES: Record<string, string> = {
  cfg: "PostfixConfig",
  rate: "RateLimitTransport",
  fw: "InboundSmtpFirewall",
  archive: "MailArchive",
  report: "MailLogReport",
  dkim: "OpenDkimKey",
  mx1: "SmartOsZone",
  "mail-datasets": "ZoneDatasets",
};

describe("engine options on the real Pulumi engine: --target, --parallel, import", () => {
  const host1 = suiteHost("engopt1", 63);

  describe("--target: only the targeted resource changes, on the host and in state", () => {
    const H = "engopt1";
    const stack = freshStack("engtgt");
    let baseline: string;
    let v = { timeout: "11s", delay: "2s", limit: 20 };
    const program = () => [
      new PostfixConfig("cfg", {
        connection: connectionTo(host1()),
        profile: "linux",
        parameters: { smtp_connect_timeout: v.timeout },
      }),
      new RateLimitTransport("rate", {
        connection: connectionTo(host1()),
        profile: "linux",
        defaults: { recipientLimit: v.limit, rateDelay: v.delay },
      }),
    ];
    const live = () =>
      sh(H, "postconf -h smtp_connect_timeout smtp_destination_rate_delay smtp_destination_recipient_limit")
        .trim()
        .split("\n");

    before(() => {
      baseline = sh(H, "postconf -n");
    });

    it("create: both resources are applied", async () => {
      assert.deepEqual(ops(await stack.up(program)), [
        ["cfg", "create"],
        ["rate", "create"],
      ]);
      assert.deepEqual(live(), ["11s", "2s", "20"]);
    });

    it("up --target <cfg's URN> with both changed: cfg is updated, rate is left as it was on the host and in state", async () => {
      const cfgUrn = stack.resource("cfg")!.urn;
      const rateBefore = structuredClone(stack.resource("rate")) as ResourceState;
      const commands = sshCommands(H).length;
      v = { timeout: "22s", delay: "3s", limit: 30 };
      const events: EngineEvent[] = [];
      const steps = await stack.up(program, { target: [cfgUrn], onEvent: (e) => events.push(e) });
      assert.deepEqual(ops(steps), [
        ["cfg", "update"],
        ["rate", "same"],
      ]);
      assert.deepEqual(live(), ["22s", "2s", "20"], "only smtp_connect_timeout changed on the host");
      const run = sshCommands(H).slice(commands);
      assert.equal(run.length, 1, "one remote command: cfg's update");
      assert.match(run[0], /-e 'smtp_connect_timeout=22s'/);
      assert.doesNotMatch(run[0], /smtp_destination_/, "nothing of rate's ran on the host");
      // State: cfg holds the new inputs and what it found applied; rate's entry is unchanged.
      const cfg = stack.resource("cfg")!;
      assert.deepEqual(cfg.inputs.parameters, { smtp_connect_timeout: "22s" });
      assert.deepEqual(cfg.outputs.applied, { smtp_connect_timeout: "22s" });
      assert.deepEqual(stack.resource("rate"), rateBefore);
      assert.equal((rateBefore.inputs.defaults as { rateDelay: string }).rateDelay, "2s");
      // The engine never started a step that changes rate: it carried its state over.
      assert.deepEqual(
        stepMarks(events)
          .filter((m) => m.name === "rate")
          .map((m) => m.op),
        ["same", "same"],
      );
    });

    it("a following full up applies rate's change and leaves cfg alone", async () => {
      const commands = sshCommands(H).length;
      assert.deepEqual(ops(await stack.up(program)), [
        ["cfg", "same"],
        ["rate", "update"],
      ]);
      assert.deepEqual(live(), ["22s", "3s", "30"]);
      const run = sshCommands(H).slice(commands);
      assert.equal(run.length, 1, "one remote command: rate's update");
      assert.match(run[0], /smtp_destination_rate_delay/);
      assert.doesNotMatch(run[0], /smtp_connect_timeout/, "nothing of cfg's ran on the host");
      const rate = stack.resource("rate")!;
      assert.deepEqual(rate.inputs.defaults, { recipientLimit: 30, rateDelay: "3s" });
      assert.deepEqual(rate.outputs.rateDelays, { smtp: "3s" });
    });

    it("destroy puts main.cf back as before create", async () => {
      assert.deepEqual(ops(await stack.destroy()), [
        ["cfg", "delete"],
        ["rate", "delete"],
      ]);
      assert.equal(sh(H, "postconf -n"), baseline);
    });
  });

  describe("--parallel: 1 runs one step at a time, 4 runs four; both converge to the same host", () => {
    const H = "engpar";
    const host2 = suiteHost(H, 64);
    const stack = freshStack("engpar");
    const OWN = SMTP_CLIENT_TIMEOUTS.slice(0, 4);
    let baseline: string;
    /** Each resource owns one main.cf parameter of the same host. */
    const program = () =>
      OWN.map(
        (p, i) =>
          new PostfixConfig(`p${i}`, {
            connection: connectionTo(host2()),
            profile: "linux",
            parameters: { [p]: `${31 + i}s` },
          }),
      );
    const converged: { postconf: string; applied: unknown[] }[] = [];

    before(() => {
      baseline = sh(H, "postconf -n");
    });
    after(() => hostShell(H, `rm -rf ${LOCK}`));

    /**
     * Runs `up` with `parallel` while the host's edit lock is held, so that the first step to reach
     * the host waits there and no step can finish; `whileHeld` sees the step marks so far once
     * `ready` holds, then the lock is released and the run completes.
     */
    async function upHeld(
      parallel: number,
      ready: (marks: StepMark[], onHost: number) => boolean,
      whileHeld: (marks: StepMark[]) => void,
    ): Promise<{ steps: StepRecord[]; marks: StepMark[] }> {
      const events: EngineEvent[] = [];
      const commands = sshCommands(H).length;
      const onHost = () =>
        sshCommands(H)
          .slice(commands)
          .filter((c) => c.includes(LOCK)).length;
      holdLock(H);
      const running = stack.up(program, { parallel, onEvent: (e) => events.push(e) });
      running.catch(() => undefined);
      try {
        await until(`the engine's steps under --parallel ${parallel}`, () => ready(stepMarks(events), onHost()));
        whileHeld(stepMarks(events));
      } finally {
        releaseLock(H);
      }
      const steps = await running;
      return { steps, marks: stepMarks(events) };
    }

    function record(): void {
      converged.push({
        postconf: sh(H, "postconf -n"),
        applied: OWN.map((_, i) => stack.resource(`p${i}`)!.outputs.applied),
      });
    }

    it("--parallel 1: while the first step waits on the host, no other starts; no two steps ever overlap", async () => {
      const { steps, marks } = await upHeld(
        1,
        (m, onHost) => onHost >= 1 && m.length >= 1,
        (m) => {
          assert.deepEqual(
            m.map((x) => x.at),
            ["start"],
            "one step started, none other while it waits on the host's lock",
          );
        },
      );
      assert.deepEqual(
        ops(steps),
        OWN.map((_, i) => [`p${i}`, "create"]),
      );
      assert.equal(mostAtOnce(marks), 1, `steps overlapped:\n${JSON.stringify(marks)}`);
      assert.equal(marks.length, 8, "a start and an end for each of the four creates");
      record();
      await stack.destroy();
      assert.equal(sh(H, "postconf -n"), baseline);
    });

    it("--parallel 4: while the first step waits on the host, all four have started", async () => {
      const { steps, marks } = await upHeld(
        4,
        (m, onHost) => onHost >= 1 && m.filter((x) => x.at === "start").length >= 4,
        (m) => {
          assert.equal(m.filter((x) => x.at === "end").length, 0, "no step can finish while the lock is held");
          assert.deepEqual(m.map((x) => x.name).sort(), ["p0", "p1", "p2", "p3"]);
        },
      );
      assert.deepEqual(
        ops(steps),
        OWN.map((_, i) => [`p${i}`, "create"]),
      );
      assert.equal(mostAtOnce(marks), 4);
      record();
    });

    it("both runs left the same main.cf and the same state, with every value applied", async () => {
      assert.equal(converged.length, 2);
      assert.equal(converged[1].postconf, converged[0].postconf);
      assert.deepEqual(converged[1].applied, converged[0].applied);
      assert.deepEqual(
        sh(H, `postconf -h ${OWN.join(" ")}`)
          .trim()
          .split("\n"),
        OWN.map((_, i) => `${31 + i}s`),
      );
      await stack.destroy();
      assert.equal(sh(H, "postconf -n"), baseline);
    });
  });

  describe("import: no resource can be adopted by id; the engine refuses, the host and both states stay as they were", () => {
    const H = "engopt1";
    const source = freshStack("engisrc");
    const target = freshStack("engidst");
    let baseline: string;
    const conn = () => connectionTo(host1());
    /** The six host resources, as a program makes them; `opts` carries `import` for the adopting stack. */
    const make: Record<string, (opts?: { import: string }) => unknown> = {
      cfg: (o) =>
        new PostfixConfig(
          "cfg",
          { connection: conn(), profile: "linux", parameters: { smtp_connect_timeout: "17s" } },
          o,
        ),
      rate: (o) =>
        new RateLimitTransport(
          "rate",
          { connection: conn(), profile: "linux", defaults: { recipientLimit: 20, rateDelay: "2s" } },
          o,
        ),
      fw: (o) => new InboundSmtpFirewall("fw", { connection: conn(), profile: "linux" }, o),
      archive: (o) => new MailArchive("archive", { connection: conn(), profile: "linux" }, o),
      report: (o) => new MailLogReport("report", { connection: conn(), profile: "linux" }, o),
      dkim: (o) =>
        new OpenDkimKey("dkim", { connection: conn(), profile: "linux", domain: "engimp.smtb", selector: "s2026" }, o),
    };
    const names = Object.keys(make);
    /** Everything the six resources manage on the host, and the files they wrote. */
    const hostState = () =>
      sh(
        H,
        [
          "postconf -n",
          "postconf -M",
          "crontab -l 2>/dev/null || true",
          "nft list ruleset",
          "cat /etc/aliases",
          "find /etc/opendkim* /var/db/opendkim /etc/postfix /root/scripts -type f 2>/dev/null | sort | xargs -r sha256sum",
          "ls -la /var/mail/archive 2>/dev/null || true",
        ].join("; echo ----; "),
      );

    before(() => {
      baseline = sh(H, "postconf -n");
    });

    it("a source stack creates the six host resources for real", async () => {
      assert.deepEqual(
        ops(await source.up(() => names.map((n) => make[n]()))),
        names.map((n): [string, string] => [n, "create"]).sort(([a], [b]) => a.localeCompare(b)),
      );
      assert.deepEqual(
        sh(H, "postconf -h smtp_connect_timeout smtp_destination_rate_delay always_bcc").trim().split("\n"),
        ["17s", "2s", "mailarchive@localhost"],
      );
      assert.match(sh(H, "postconf -h smtpd_milters"), /\S/, "OpenDKIM's milter is in main.cf");
      const keyFile = "/var/db/opendkim/keys/engimp.smtb/s2026.private";
      assert.equal(sh(H, `stat -c %a ${keyFile}`), "400\n");
      assert.ok(
        sh(H, `cat ${keyFile}`).trim() === String(source.resource("dkim")!.outputs.privateKey).trim(),
        "the DKIM key on the host is the one in the source stack's state",
      );
      assert.match(sh(H, "crontab -l"), /# BEGIN mail-log-report/);
      assert.match(sh(H, "nft list ruleset"), /dport 25 drop/);
      for (const n of names) assert.ok(source.resource(n)?.id, `${n} has an id`);
    });

    for (const name of ["cfg", "rate", "fw", "archive", "report", "dkim"]) {
      it(`${name}: \`import\` by its id fails in the dynamic-provider host before any SSH, and adopts nothing`, async () => {
        const existing = source.resource(name)!;
        const before = { state: hostState(), logins: sshLogins(H), commands: sshCommands(H).length };
        const { error, failed } = await failedImport(target, () => [make[name]({ import: existing.id })]);
        assert.ok(error.includes(importRefused(TYPES[name], name)), error);
        assert.deepEqual(failed, [], "the engine ran a step");
        assert.equal(target.resource(name), undefined, "nothing was adopted into the importing stack");
        assert.deepEqual(
          { state: hostState(), logins: sshLogins(H), commands: sshCommands(H).length },
          before,
          "no SSH login, no remote command, the host as it was",
        );
      });
    }

    it("`pulumi import --file` of all six fails too, and adopts nothing", async () => {
      const before = { state: hostState(), logins: sshLogins(H), commands: sshCommands(H).length };
      await assert.rejects(
        target.importResources(
          names.map((n) => ({ type: source.resource(n)!.type, name: n, id: source.resource(n)!.id })),
        ),
        (err: Error) => {
          // `pulumi import` has no --client flag, so unlike up/preview/refresh/destroy it cannot use
          // the Automation API's inline-program runtime: it loads pulumi-language-nodejs, which the
          // Go module proxy does not serve (see engine/setup-pulumi.sh). With that plugin on PATH it
          // reaches the engine's import Read, which fails in the dynamic-provider host (see importRefused).
          const languageHost = spawnSync("sh", ["-c", "command -v pulumi-language-nodejs"]).status === 0;
          assert.ok(err instanceof EngineError);
          assert.ok(
            err.message.includes(
              languageHost
                ? "code must be a string, not undefined"
                : "failed to load language plugin nodejs: no language plugin 'pulumi-language-nodejs' found",
            ),
            err.message,
          );
          return true;
        },
      );
      for (const n of names) assert.equal(target.resource(n), undefined);
      assert.deepEqual({ state: hostState(), logins: sshLogins(H), commands: sshCommands(H).length }, before);
    });

    it("the source stack still owns all six: a second up changes nothing, destroy restores main.cf", async () => {
      assert.deepEqual(
        new Set((await source.up(() => names.map((n) => make[n]()))).map((s) => s.op)),
        new Set(["same"]),
      );
      await source.destroy();
      assert.equal(sh(H, "postconf -n"), baseline);
      assert.doesNotMatch(sh(H, "crontab -l 2>/dev/null || true"), /mail-log-report/);
      assert.doesNotMatch(sh(H, "nft list ruleset"), /dport 25 drop/);
    });
  });

  describe("import on SmartOS: SmartOsZone (id: the zone's UUID) and ZoneDatasets cannot be adopted either", () => {
    const H = "engzone";
    const gz = suiteHost(H, 64, "smartos");
    const source = freshStack("engzsrc");
    const target = freshStack("engzdst");
    let globalZone: ConnectionArgs;
    let manifest: ZoneManifestArgs;
    let zoneConnection: ConnectionArgs | undefined;
    let uuid: string;
    const zone = (o?: { import: string }) => new SmartOsZone("mx1", { connection: globalZone, manifest }, o);
    const datasets = (zoneUuid: pulumi.Input<string>, o?: { import: string }) =>
      new ZoneDatasets("mail-datasets", { connection: zoneConnection!, zoneUuid, mailQuota: 980, spoolQuota: 10 }, o);
    /** The zone and, once it runs, its datasets, which depend on it through its UUID (deleted first). */
    const sourceProgram = (withDatasets: boolean) => () => {
      const z = zone();
      return withDatasets ? [z, datasets(z.uuid)] : [z];
    };
    const hostState = () =>
      sh(
        H,
        `vmadm list -p -H -o uuid,alias,state,quota; echo ----; zfs list -H -o name,quota,mountpoint -r zones/${uuid}`,
      );

    before(() => {
      globalZone = connectionTo(gz());
      manifest = {
        alias: "engzone.mx1",
        hostname: "engzone-mx1",
        brand: "joyent",
        image_uuid: GUIDE_IMAGE,
        max_physical_memory: 1024,
        quota: 1000,
        delegate_dataset: true,
        nics: [{ nic_tag: "external", ips: [`${ZONE_IP}/24`], gateways: ["198.18.0.1"], primary: true }],
      };
    });

    it("a source stack creates a zone and its mail datasets for real", async () => {
      assert.deepEqual(ops(await source.up(sourceProgram(false))), [["mx1", "create"]]);
      uuid = source.resource("mx1")!.id;
      assert.equal(sh(H, "vmadm list -p -H -o uuid"), `${uuid}\n`);
      zoneConnection = { ...globalZone, host: ZONE_IP };
      assert.deepEqual(ops(await source.up(sourceProgram(true))), [
        ["mail-datasets", "create"],
        ["mx1", "same"],
      ]);
      assert.match(sh(H, `zfs get -H -o value quota zones/${uuid}/data/mail`), /^980G$/m);
    });

    for (const name of ["mx1", "mail-datasets"]) {
      it(`${name}: \`import\` by its id fails in the dynamic-provider host before any SSH, and adopts nothing`, async () => {
        const existing = source.resource(name)!;
        const before = { state: hostState(), logins: sshLogins(H), commands: sshCommands(H).length };
        const opts = { import: existing.id };
        const { error, failed } = await failedImport(target, () => [
          name === "mx1" ? zone(opts) : datasets(uuid, opts),
        ]);
        assert.ok(error.includes(importRefused(TYPES[name], name)), error);
        assert.deepEqual(failed, [], "the engine ran a step");
        assert.equal(target.resource(name), undefined);
        assert.deepEqual({ state: hostState(), logins: sshLogins(H), commands: sshCommands(H).length }, before);
      });
    }

    it("the source stack still owns both: destroy removes the datasets, then the zone", async () => {
      assert.deepEqual(
        (await source.destroy()).map((s) => [s.name, s.op]),
        [
          ["mail-datasets", "delete"],
          ["mx1", "delete"],
        ],
      );
      assert.equal(sh(H, "vmadm list -p -H -o uuid"), "");
    });
  });
});
