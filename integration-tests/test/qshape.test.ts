import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { closeAllConnections, parseQshape, type QueueShape, queueShape } from "@smartos-mail/pulumi/tools";
import { suiteHost } from "../harness/fixtures";
import { hostShell } from "../harness/testbed";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One message of `postqueue -j` (Postfix 3.1+): Postfix's own account of the queue, to compare qshape with. */
interface QueuedMessage {
  queue_name: string;
  queue_id: string;
  sender: string;
  recipients: { address: string }[];
}

describe("qshape on a real Postfix queue (Debian's qshape, over SSH)", () => {
  const host = suiteHost("clqs", 43);
  const connection = () => {
    const h = host();
    return {
      host: h.host,
      port: h.port,
      user: h.user,
      privateKey: h.privateKey,
      hostKeyFingerprint: h.hostKeyFingerprint,
    };
  };

  /** Queues mail with sendmail on the host: one message per [sender, recipients]. */
  function send(messages: [string, string[]][]): void {
    const script = messages
      .map(([from, to], i) => `printf 'Subject: m${i}\\n\\nbody\\n' | sendmail -f ${from} ${to.join(" ")}`)
      .join(" && ");
    const r = hostShell("clqs", script);
    assert.equal(r.code, 0, r.stderr);
  }

  /** The queue as postqueue -j lists it, once no message is still in incoming or active. */
  async function settled(): Promise<QueuedMessage[]> {
    for (let i = 0; i < 50; i++) {
      const lines = hostShell("clqs", "postqueue -j").stdout.split("\n").filter(Boolean);
      const messages = lines.map((l) => JSON.parse(l) as QueuedMessage);
      if (messages.every((m) => m.queue_name === "deferred" || m.queue_name === "hold")) return messages;
      await sleep(200);
    }
    throw new Error(`the queue did not settle:\n${hostShell("clqs", "postqueue -p").stdout}`);
  }

  /** Per-domain counts of a queue from postqueue -j: recipient domains, or sender domains (one per message). */
  function expected(messages: QueuedMessage[], queue: string, bySender = false): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const m of messages.filter((x) => x.queue_name === queue)) {
      const addresses = bySender ? [m.sender] : m.recipients.map((r) => r.address);
      for (const a of addresses) {
        const domain = a.split("@")[1];
        counts[domain] = (counts[domain] ?? 0) + 1;
      }
    }
    return counts;
  }

  const byDomain = (shape: QueueShape) => Object.fromEntries(shape.domains.map((d) => [d.domain, d.count]));

  before(() => {
    // Remote delivery is held back by defer_transports: the testbed has no route out, and the guide's
    // picture is exactly this, mail waiting per destination domain.
    const r = hostShell("clqs", "postconf -e defer_transports=smtp && postfix reload");
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => closeAllConnections());

  it("counts deferred mail per recipient domain exactly as Postfix's own postqueue -j does", async () => {
    send([
      ["app@one.smtb", ["u1@alpha.smtb"]],
      ["app@one.smtb", ["u2@alpha.smtb"]],
      ["app@one.smtb", ["u3@alpha.smtb", "u4@alpha.smtb"]],
      ["ops@two.smtb", ["a@beta.smtb", "b@beta.smtb", "c@gamma.smtb"]],
    ]);
    const messages = await settled();
    const shape = await queueShape(connection(), { queues: ["deferred"] });
    assert.deepEqual(byDomain(shape), expected(messages, "deferred"));
    assert.deepEqual(byDomain(shape), { "alpha.smtb": 4, "beta.smtb": 2, "gamma.smtb": 1 });
    assert.equal(shape.total.count, 7);
    assert.deepEqual(shape.bucketsMinutes, [5, 10, 20, 40, 80, 160, 320, 640, 1280, 1280]);
    // Everything is minutes old at most: the first bucket holds it all.
    assert.deepEqual(shape.total.buckets, [7, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(shape.domains[0], {
      domain: "alpha.smtb",
      count: 4,
      buckets: [4, 0, 0, 0, 0, 0, 0, 0, 0, 0],
      truncated: false,
    });
  });

  it("with -b 7 -t 1 (the guide's second example) gives seven buckets up to 32+ minutes", async () => {
    const shape = await queueShape(connection(), { queues: ["deferred"], buckets: 7, bucketMinutes: 1 });
    assert.deepEqual(shape.bucketsMinutes, [1, 2, 4, 8, 16, 32, 32]);
    assert.deepEqual(shape.total, { count: 7, buckets: [7, 0, 0, 0, 0, 0, 0] });
  });

  it("with -s counts messages by sender domain", async () => {
    const shape = await queueShape(connection(), { queues: ["deferred"], bySender: true });
    assert.deepEqual(byDomain(shape), expected(await settled(), "deferred", true));
    assert.deepEqual(byDomain(shape), { "one.smtb": 3, "two.smtb": 1 });
  });

  it("shows qshape's default queues (incoming, active) as empty while all mail is deferred", async () => {
    const shape = await queueShape(connection());
    assert.deepEqual(shape.total.count, 0);
    assert.deepEqual(shape.domains, []);
  });

  it("puts older mail in later age buckets (first bucket of 0.1 minutes, doubling)", async () => {
    send([["app@old.smtb", ["x@early.smtb", "y@early.smtb"]]]);
    await settled();
    await sleep(12_000);
    send([["app@new.smtb", ["z@late.smtb"]]]);
    await settled();
    const shape = await queueShape(connection(), { queues: ["deferred"], bucketMinutes: 0.1, buckets: 8 });
    assert.deepEqual(shape.bucketsMinutes, [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 6.4]);
    const bucketOf = (domain: string) => {
      const row = shape.domains.find((d) => d.domain === domain);
      assert.ok(row, `${domain} is in the table`);
      const filled = row.buckets.flatMap((n, i) => (n > 0 ? [i] : []));
      assert.equal(filled.length, 1, `${domain}'s messages arrived together: ${row.buckets}`);
      return filled[0];
    };
    // 12 s apart is two doublings of 6 s: early.smtb's mail sits at least one bucket further right.
    assert.ok(bucketOf("early.smtb") > bucketOf("late.smtb"), JSON.stringify(shape.domains));
    assert.equal(shape.domains.find((d) => d.domain === "early.smtb")?.count, 2);
  });

  it("reads the hold queue once messages are put on hold with postsuper -h", async () => {
    const gamma = (await settled()).filter((m) => m.recipients.some((r) => r.address.endsWith("@gamma.smtb")));
    assert.equal(gamma.length, 1);
    const r = hostShell("clqs", `postsuper -h ${gamma[0].queue_id}`);
    assert.equal(r.code, 0, r.stderr);
    const messages = await settled();
    const hold = await queueShape(connection(), { queues: ["hold"] });
    assert.deepEqual(byDomain(hold), expected(messages, "hold"));
    // The held message had recipients in beta.smtb as well.
    assert.deepEqual(byDomain(hold), { "beta.smtb": 2, "gamma.smtb": 1 });
    const both = await queueShape(connection(), { queues: ["deferred", "hold"] });
    assert.equal(both.total.count, 10);
  });

  it("parses what qshape prints on the host itself, run by hand as the guide does", () => {
    const r = hostShell("clqs", "qshape deferred hold");
    assert.equal(r.code, 0, r.stderr);
    const shape = parseQshape(r.stdout);
    assert.equal(shape.total.count, 10);
    assert.equal(shape.domains.find((d) => d.domain === "alpha.smtb")?.count, 4);
  });

  it("shows a 253-character domain whole (qshape cuts names to its width unless asked for a wider one)", async () => {
    const long = `${["a", "b", "c"].map((c) => c.repeat(63)).join(".")}.${"d".repeat(56)}.smtb`;
    assert.equal(long.length, 253);
    send([["app@one.smtb", [`x@${long}`]]]);
    await settled();
    const shape = await queueShape(connection(), { queues: ["deferred"] });
    assert.deepEqual(
      shape.domains.find((d) => d.domain === long),
      {
        domain: long,
        count: 1,
        buckets: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        truncated: false,
      },
    );
    // What qshape does at its default width of 80, and what the parser makes of it.
    const cut = parseQshape(hostShell("clqs", "qshape deferred").stdout).domains.find((d) => d.truncated);
    assert.ok(cut, "a truncated row");
    assert.ok(cut.domain.startsWith("+") && long.endsWith(cut.domain.slice(1)), cut.domain);
    assert.ok(cut.domain.length < 80);
  });

  it("refuses a host whose key is not the pinned one, before running anything", async () => {
    const wrong = `SHA256:${"A".repeat(43)}`;
    await assert.rejects(queueShape({ ...connection(), hostKeyFingerprint: wrong }), /host key mismatch/);
  });
});
