import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { DEFAULT_RULES } from "../src/feedback/default-rules";
import { feedbackCronLine, parseActions } from "../src/feedback/host";
import {
  effectiveRules,
  FEEDBACK_DIR,
  feedbackMapPath,
  rulesFile,
  throttleParameters,
  throttleServices,
} from "../src/feedback/rules-file";
import { watcherScript } from "../src/feedback/watcher";
import { deliveryFeedbackProvider } from "../src/providers/delivery-feedback";
import { platform } from "../src/remote/platform";
import { type DeliveryFeedbackState, deliveryFeedbackSchema } from "../src/schemas/delivery-feedback";
import { checkReasons, refusesEach, testConnection } from "./support/check-inputs";

const connection = testConnection("198.18.0.11");
const reasons = checkReasons(deliveryFeedbackProvider, { connection });
const rule = { name: "mine", status: "4.7.1", action: "suspend", duration: "5m" };

describe("DeliveryFeedback check", () => {
  it("accepts the defaults alone, and rules that add, override and turn off defaults", async () => {
    assert.deepEqual(await reasons({}), []);
    assert.deepEqual(
      await reasons({
        rules: [rule, { ...DEFAULT_RULES["gmail-rate-limited"], duration: "30m" }],
        disableDefaults: ["yahoo-deferred"],
        suppression: { ttlDays: 30, allowlist: ["bob@example.com", "@example.org"] },
      }),
      [],
    );
  });

  refusesEach(reasons, [
    [
      "a rule that matches nothing",
      { rules: [{ ...rule, status: undefined }] },
      /^rules\[0\]\.status: give status, pattern or both/,
    ],
    [
      "a status that is no enhanced code",
      { rules: [{ ...rule, status: "421" }] },
      /^rules\[0\]\.status: must be an enhanced status code/,
    ],
    [
      "a Perl shorthand awk does not know",
      { rules: [{ ...rule, pattern: "RP-\\d+" }] },
      /^rules\[0\]\.pattern: must be a POSIX extended regular expression/,
    ],
    ["a pattern with a tab", { rules: [{ ...rule, pattern: "a\tb" }] }, /^rules\[0\]\.pattern: must be one line/],
    [
      "an unbalanced pattern",
      { rules: [{ ...rule, pattern: "(RP" }] },
      /^rules\[0\]\.pattern: is not a valid regular expression/,
    ],
    [
      "a throttle without a rate or concurrency",
      { rules: [{ ...rule, action: "throttle" }] },
      /^rules\[0\]\.rateDelay: a throttle needs/,
    ],
    [
      "a suspension with a rate delay",
      { rules: [{ ...rule, rateDelay: "10s" }] },
      /^rules\[0\]\.rateDelay: only a throttle/,
    ],
    [
      "a rule name that is no service name",
      { rules: [{ ...rule, name: "Gmail rule" }] },
      /^rules\[0\]\.name: must be 1-24 lower-case/,
    ],
    ["two rules of one name", { rules: [rule, rule] }, /^rules\[1\]\.name: a second rule named mine/],
    [
      "a relay that is no domain",
      { rules: [{ ...rule, relays: ["google"] }] },
      /^rules\[0\]\.relays\[0\]: must be a domain/,
    ],
    ["a zero duration", { rules: [{ ...rule, duration: "0s" }] }, /^rules\[0\]\.duration: must be at least 1s/],
    ["an unknown default", { disableDefaults: ["hotmail"] }, /^disableDefaults\[0\]:/],
    [
      "a default both overridden and disabled",
      { rules: [{ ...rule, name: "yahoo-deferred" }], disableDefaults: ["yahoo-deferred"] },
      /^rules\[0\]\.name: yahoo-deferred is also in disableDefaults/,
    ],
    ["an allowlist entry that is no address", { suppression: { allowlist: ["bob"] } }, /^suppression\.allowlist\[0\]:/],
    ["a TTL of no days", { suppression: { ttlDays: 0 } }, /^suppression\.ttlDays:/],
    ["a log path cron would mangle", { logFile: "/var/log/mail-%Y.log" }, /^logFile: must be an absolute path/],
  ]);
});

describe("DeliveryFeedback rules", () => {
  it("the defaults: Gmail 4.7.28 suspends 10 minutes, Yahoo [TSS04] 2 hours, Outlook RP-00x throttles 90 minutes", () => {
    const v = deliveryFeedbackSchema.parse({ connection });
    assert.deepEqual(
      effectiveRules(v).map((r) => [r.name, r.status ?? r.pattern, r.action, r.duration]),
      [
        ["gmail-rate-limited", "4.7.28", "suspend", "10m"],
        ["yahoo-deferred", "\\[TS?S04\\]", "suspend", "2h"],
        ["microsoft-rate-limited", "RP-00[123]", "throttle", "90m"],
      ],
    );
  });

  it("a rule of a default's name takes its place; disabled defaults go; the others follow", () => {
    const v = deliveryFeedbackSchema.parse({
      connection,
      rules: [rule, { ...DEFAULT_RULES["gmail-rate-limited"], duration: "1h" }],
      disableDefaults: ["microsoft-rate-limited"],
    });
    assert.deepEqual(
      effectiveRules(v).map((r) => [r.name, r.duration]),
      [
        ["gmail-rate-limited", "1h"],
        ["yahoo-deferred", "2h"],
        ["mine", "5m"],
      ],
    );
    assert.deepEqual(throttleServices(effectiveRules(v)), {});
  });

  it("a throttle rule has its own smtp transport, with the failed-cohort limit postconf(5) asks for with a rate delay", () => {
    const rules = effectiveRules(deliveryFeedbackSchema.parse({ connection }));
    assert.deepEqual(throttleServices(rules), {
      "throttle-microsoft-rate-limited/unix": "throttle-microsoft-rate-limited unix - - n - - smtp",
    });
    assert.deepEqual(throttleParameters(rules), {
      "throttle-microsoft-rate-limited_destination_rate_delay": "60s",
      "throttle-microsoft-rate-limited_destination_concurrency_failed_cohort_limit": "10",
      "throttle-microsoft-rate-limited_destination_concurrency_limit": "1",
    });
  });

  it("the rules file: one tab-separated line per rule, seconds for times, then the suppression settings", () => {
    const v = deliveryFeedbackSchema.parse({
      connection,
      rules: [{ ...rule, relays: [".Example.COM"], threshold: { count: 3, window: "2h" } }],
      disableDefaults: ["gmail-rate-limited", "yahoo-deferred", "microsoft-rate-limited"],
      suppression: { ttlDays: 2, allowlist: ["Bob@Example.com"] },
    });
    assert.equal(
      rulesFile(v, "/var/log/mail.log"),
      "log\t/var/log/mail.log\nrule\tmine\texample.com\t4.7.1\t-\t3\t7200\t300\tsuspend\t-\nsuppress\ton\t172800\nallow\tbob@example.com\n",
    );
  });

  it("reads the watcher's actions file into outputs, in domain order, skipping what it cannot read", () => {
    assert.deepEqual(
      parseActions(
        "yahoo.com\tyahoo-deferred\tsuspend\t1796629200\t-\nbad line\ngmail.com\tg\tthrottle\t1796629260\tthrottle-g\n",
      ),
      [
        { domain: "gmail.com", rule: "g", action: "throttle", until: "2026-12-07T07:41:00Z" },
        { domain: "yahoo.com", rule: "yahoo-deferred", action: "suspend", until: "2026-12-07T07:40:00Z" },
      ],
    );
  });
});

describe("DeliveryFeedback diff", () => {
  const inputs = deliveryFeedbackSchema.parse({ connection, profile: "linux" });
  const log = "/var/log/mail.log";
  const p = platform("linux");
  const sha = (t: string) => createHash("sha256").update(t).digest("hex");
  const rules = effectiveRules(inputs);
  const olds: DeliveryFeedbackState = {
    ...inputs,
    watchedLog: log,
    live: {
      watcher: sha(watcherScript(p, { dir: FEEDBACK_DIR, map: feedbackMapPath(p) }).text),
      rules: sha(rulesFile(inputs, log)),
      cronLine: feedbackCronLine(),
      mapFirst: true,
      parameters: throttleParameters(rules),
      services: throttleServices(rules),
    },
    previousTransportMaps: null,
    active: [],
    suppressedCount: 0,
  };
  const diff = (over: Record<string, unknown>, old: DeliveryFeedbackState = olds) =>
    deliveryFeedbackProvider.diff!("id", old, { __provider: "p", connection, profile: "linux", ...over });

  it("no change when the host has what the inputs want, whatever the watcher is doing", async () => {
    assert.deepEqual(await diff({}), { changes: false, replaces: [], deleteBeforeReplace: true });
    const busy = {
      ...olds,
      active: [
        { domain: "gmail.com", rule: "gmail-rate-limited", action: "suspend" as const, until: "2026-12-07T07:00:00Z" },
      ],
      suppressedCount: 12,
    };
    assert.equal((await diff({}, busy)).changes, false);
  });

  it("an update for a new rule, and for each kind of hand edit refresh finds", async () => {
    assert.equal((await diff({ rules: [rule] })).changes, true);
    for (const live of [
      { watcher: "edited" },
      { rules: null },
      { cronLine: null },
      { mapFirst: false },
      { parameters: { ...olds.live.parameters, "throttle-microsoft-rate-limited_destination_rate_delay": "1s" } },
      { services: { "throttle-microsoft-rate-limited/unix": null } },
    ]) {
      assert.equal((await diff({}, { ...olds, live: { ...olds.live, ...live } })).changes, true, JSON.stringify(live));
    }
  });

  it("replaces for another machine, profile or login user (another crontab)", async () => {
    assert.deepEqual((await diff({ connection: { ...connection, host: "198.18.0.12" } })).replaces, ["connection"]);
    assert.deepEqual((await diff({ profile: "smartos" })).replaces, ["profile"]);
    assert.deepEqual((await diff({ connection: { ...connection, user: "admin" } })).replaces, ["connection.user"]);
  });
});
