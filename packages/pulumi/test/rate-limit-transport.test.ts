import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { failureText } from "../src/providers/check";
import { rateLimitTransportProvider } from "../src/providers/rate-limit-transport";
import { ratePolicy } from "../src/ratelimit/policy";
import { warmupOn } from "../src/ratelimit/warmup";
import { rateLimitSchema, warmupSchema } from "../src/schemas/rate-limit-transport";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\n";
const connection = { host: "198.18.0.11", privateKey: KEY, hostKeyFingerprint: `SHA256:${"A".repeat(43)}` };

/** The guide's advanced configuration, as RateLimitTransport inputs. */
const guide = {
  connection,
  defaults: { recipientLimit: 20, rateDelay: "10s" },
  transports: [
    { name: "smtp-aggr", recipientLimit: 100, rateDelay: "1s", domains: ["gmail.com", "hotmail.com"] },
    { name: "smtp-nice", recipientLimit: 10, rateDelay: "300s", domains: ["yahoo.com"] },
  ],
};

async function reasons(news: Record<string, unknown>): Promise<string[]> {
  const r = await rateLimitTransportProvider.check!({}, { __provider: "p", ...news });
  return (r.failures ?? []).map(failureText);
}

describe("RateLimitTransport policy", () => {
  it("renders the guide's advanced configuration: master.cf services, main.cf parameters, the transport map", () => {
    const p = ratePolicy(rateLimitSchema.parse(guide), "2026-11-25");
    assert.deepEqual(p.services, {
      "smtp-aggr/unix": "smtp-aggr unix - - n - - smtp",
      "smtp-nice/unix": "smtp-nice unix - - n - - smtp",
    });
    assert.deepEqual(p.parameters, {
      smtp_destination_recipient_limit: "20",
      smtp_destination_rate_delay: "10s",
      smtp_destination_concurrency_failed_cohort_limit: "10",
      "smtp-aggr_destination_recipient_limit": "100",
      "smtp-aggr_destination_rate_delay": "1s",
      "smtp-aggr_destination_concurrency_failed_cohort_limit": "10",
      "smtp-nice_destination_recipient_limit": "10",
      "smtp-nice_destination_rate_delay": "300s",
      "smtp-nice_destination_concurrency_failed_cohort_limit": "10",
    });
    assert.equal(
      p.transportMap,
      "# managed by smartos-mail RateLimitTransport: change the Pulumi program, not this file\ngmail.com smtp-aggr:\nhotmail.com smtp-aggr:\nyahoo.com smtp-nice:\n",
    );
    assert.deepEqual(p.rateDelays, { smtp: "10s", "smtp-aggr": "1s", "smtp-nice": "300s" });
  });

  it("adds the concurrency limit only when asked, and no map without transports", () => {
    const p = ratePolicy(
      rateLimitSchema.parse({
        connection,
        transports: [{ name: "smtp-one", rateDelay: "2s", concurrencyLimit: 2, domains: [".example.net"] }],
      }),
      "2026-11-25",
    );
    assert.equal(p.parameters["smtp-one_destination_concurrency_limit"], "2");
    assert.match(p.transportMap ?? "", /^\.example\.net smtp-one:$/m);
    const none = ratePolicy(rateLimitSchema.parse({ connection, defaults: { rateDelay: "300s" } }), "2026-11-25");
    assert.equal(none.transportMap, null);
    assert.deepEqual(none.services, {});
  });

  it("sets the failed-cohort limit postconf(5) asks for with every rate delay, a given one instead, none without a delay", () => {
    const cohort = (defaults: Record<string, unknown>) =>
      ratePolicy(rateLimitSchema.parse({ connection, defaults }), "2026-11-25").parameters
        .smtp_destination_concurrency_failed_cohort_limit;
    assert.equal(cohort({ rateDelay: "300s" }), "10");
    assert.equal(cohort({ warmup: { start: "2026-11-20", rateDelays: ["300s", "1s"] } }), "10");
    assert.equal(cohort({ rateDelay: "300s", failedCohortLimit: 1 }), "1");
    assert.equal(cohort({ rateDelay: "0s" }), undefined, "a zero delay is no rate delay");
    assert.equal(cohort({ recipientLimit: 20 }), undefined, "Postfix's own without a delay");
    assert.equal(cohort({ recipientLimit: 20, failedCohortLimit: 3 }), "3");
  });

  it("refuses a failed-cohort limit that is not a whole number from 1, naming the field", async () => {
    const r = await reasons({ connection, defaults: { rateDelay: "10s", failedCohortLimit: 0 } });
    assert.equal(r.length, 1);
    assert.match(r[0], /defaults\.failedCohortLimit/);
  });
});

describe("warm-up schedule", () => {
  const w = warmupSchema.parse({ start: "2026-11-20", rateDelays: ["300s", "240s", "180s", "60s", "1s"] });

  it("moves one step a day from the start and stays on the last", () => {
    const days = ["2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24", "2027-03-01"];
    assert.deepEqual(
      days.map((d) => warmupOn(w, d).rateDelay),
      ["300s", "300s", "240s", "180s", "60s", "1s", "1s"],
    );
    assert.deepEqual(warmupOn(w, "2026-11-21"), { rateDelay: "240s", step: 1, nextStepOn: "2026-11-22" });
    assert.deepEqual(warmupOn(w, "2026-12-31"), { rateDelay: "1s", step: 4 });
  });

  it("honours daysPerStep across a month end", () => {
    const slow = warmupSchema.parse({ start: "2026-11-29", rateDelays: ["300s", "240s"], daysPerStep: 3 });
    assert.equal(warmupOn(slow, "2026-12-01").rateDelay, "300s");
    assert.deepEqual(warmupOn(slow, "2026-11-30"), { rateDelay: "300s", step: 0, nextStepOn: "2026-12-02" });
    assert.equal(warmupOn(slow, "2026-12-02").rateDelay, "240s");
  });

  it("renders into the transport's rate delay and reports the next step", () => {
    const inputs = rateLimitSchema.parse({
      connection,
      transports: [{ name: "smtp-warm", recipientLimit: 10, warmup: w, domains: ["gmail.com"] }],
    });
    const p = ratePolicy(inputs, "2026-11-22");
    assert.equal(p.parameters["smtp-warm_destination_rate_delay"], "180s");
    assert.deepEqual(p.nextWarmupStep, { "smtp-warm": "2026-11-23" });
  });
});

describe("RateLimitTransport check", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      "recipient limit 1",
      { ...guide, defaults: { recipientLimit: 1, rateDelay: "10s" } },
      /^defaults\.recipientLimit: must be at least 2: at 1 Postfix applies the rate delay to each recipient/,
    ],
    [
      "a duration without Postfix syntax",
      { ...guide, defaults: { rateDelay: "5 minutes" } },
      /^defaults\.rateDelay: must be a Postfix time such as 300s/,
    ],
    [
      "a built-in service as transport name",
      { connection, transports: [{ name: "relay", rateDelay: "1s", domains: ["gmail.com"] }] },
      /^transports\[0\]\.name: is one of Postfix's own services/,
    ],
    [
      "a transport name with a shell metacharacter",
      { connection, transports: [{ name: "smtp;reboot", rateDelay: "1s", domains: ["gmail.com"] }] },
      /^transports\[0\]\.name: must be a master\.cf service name/,
    ],
    [
      "a bad mapped domain",
      { connection, transports: [{ name: "smtp-x", rateDelay: "1s", domains: ["gmail"] }] },
      /^transports\[0\]\.domains\[0\]: must be a domain such as gmail\.com/,
    ],
    [
      "a domain in two transports",
      {
        connection,
        transports: [
          { name: "smtp-a", rateDelay: "1s", domains: ["gmail.com"] },
          { name: "smtp-b", rateDelay: "2s", domains: ["GMail.com"] },
        ],
      },
      /^transports\[1\]\.domains\[0\]: gmail\.com is already mapped to smtp-a/,
    ],
    [
      "a transport defined twice",
      {
        connection,
        transports: [
          { name: "smtp-a", rateDelay: "1s", domains: ["gmail.com"] },
          { name: "smtp-a", rateDelay: "2s", domains: ["yahoo.com"] },
        ],
      },
      /^transports\[1\]\.name: smtp-a is already transports\[0\]/,
    ],
    [
      "a transport without a delay",
      { connection, transports: [{ name: "smtp-a", domains: ["gmail.com"] }] },
      /^transports\[0\]\.rateDelay: needs rateDelay or warmup/,
    ],
    [
      "both rateDelay and warmup",
      { connection, defaults: { rateDelay: "1s", warmup: { start: "2026-11-20", rateDelays: ["300s"] } } },
      /^defaults\.warmup: set rateDelay or warmup, not both/,
    ],
    [
      "a warm-up that slows down",
      { connection, defaults: { warmup: { start: "2026-11-20", rateDelays: ["60s", "5m"] } } },
      /^defaults\.warmup\.rateDelays\[1\]: 5m is longer than the step before \(60s\)/,
    ],
    [
      "a warm-up start that is no date",
      { connection, defaults: { warmup: { start: "2026-02-30", rateDelays: ["60s"] } } },
      /^defaults\.warmup\.start: must be a real calendar date/,
    ],
    ["nothing to do", { connection }, /^transports: set defaults, transports or both/],
  ];
  for (const [what, news, message] of cases) {
    it(`refuses ${what}`, async () => {
      const r = await reasons(news);
      assert.ok(
        r.some((m) => message.test(m)),
        `expected ${message} in ${JSON.stringify(r)}`,
      );
    });
  }

  it("accepts the guide's configuration", async () => {
    assert.deepEqual(await reasons(guide), []);
  });
});
