import { z } from "zod";
import { DEFAULT_RULE_NAMES } from "../feedback/default-rules";
import { connectionSchema } from "../remote/connection-schema";
import { platformSchema } from "../remote/platform";
import { durationSeconds, postfixDuration } from "../validation/durations";
import { hasControlChars, isHostname, mailbox } from "../validation/names";
import { absolutePath } from "../validation/paths";

const ruleName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,23}$/,
    "must be 1-24 lower-case letters, digits and hyphens, starting with a letter, e.g. gmail-rate-limited",
  );

/** A relay host suffix: a domain the MX host's name is or ends in. */
const relaySuffix = z
  .string()
  .transform((d) => d.toLowerCase().replace(/^\./, ""))
  .refine((d) => isHostname(d) && d.includes("."), {
    message: "must be a domain the receiving MX host's name ends in, such as google.com",
  });

/**
 * A POSIX extended regular expression as awk reads it. Perl's shorthands (`\d`, `\w`, `\s`, `\b`) and lazy
 * or look-around groups are not ERE: awk would read them as other characters and the rule would never match.
 */
const ere = z
  .string()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .refine((v) => !hasControlChars(v), { message: "must be one line without tabs or control characters" })
  .refine((v) => !/\\[dDwWsSbB]|\(\?|[*+?}]\?/.test(v), {
    message:
      "must be a POSIX extended regular expression as awk reads it: write [0-9] for \\d, [[:space:]] for \\s; no (?…) groups or lazy quantifiers",
  })
  .refine(
    (v) => {
      try {
        new RegExp(v);
        return true;
      } catch {
        return false;
      }
    },
    { message: "is not a valid regular expression (check brackets and parentheses)" },
  );

/** zod schema of one rule: which replies it counts, how many make it act, and what it does for how long. */
export const feedbackRuleSchema = z
  .object({
    /** The rule's name, shown in the map entry and by `smartos-mail shaping`; a default rule's name replaces it. */
    name: ruleName,
    /**
     * Only replies from MX hosts whose name is or ends in one of these domains count, e.g. `["google.com"]`.
     * Default: replies from any host.
     */
    relays: z.array(relaySuffix).min(1, "must list at least one domain, or leave relays out").optional(),
    /** The reply's enhanced status code (Postfix's `dsn=`), e.g. `4.7.28`. Give this or `pattern`, or both. */
    status: z
      .string()
      .regex(/^[245]\.\d{1,3}\.\d{1,3}$/, "must be an enhanced status code such as 4.7.28")
      .optional(),
    /**
     * A POSIX extended regular expression (awk's) the reply text must match, e.g. `\[TS?S04\]` (in a JavaScript
     * string `"\\[TS?S04\\]"`). Match a code the
     * provider puts in its text rather than its wording, which changes.
     */
    pattern: ere.optional(),
    /** How many matching replies from one recipient domain within `window` make the rule act. Default 1 in 1h. */
    threshold: z
      .object({
        /** Replies needed. */
        count: z.number().int("must be a whole number").min(1).max(10_000),
        /** The window they are counted in, a Postfix time such as `1h`. */
        window: postfixDuration,
      })
      .strict()
      .default({ count: 1, window: "1h" }),
    /**
     * `suspend`: no delivery to the domain until the time is up (a `retry:` entry in the transport map: mail waits
     * in the queue). `throttle`: the domain's mail goes through a transport of its own with `rateDelay` and
     * `concurrencyLimit` until the time is up.
     */
    action: z.enum(["suspend", "throttle"]),
    /** How long the action lasts, a Postfix time such as `10m`; at the end the domain's queue is flushed. */
    duration: postfixDuration,
    /** For `throttle`: the pause between deliveries to the domain (`_destination_rate_delay`), e.g. `60s`. */
    rateDelay: postfixDuration.optional(),
    /** For `throttle`: connections to the domain at once (`_destination_concurrency_limit`). */
    concurrencyLimit: z.number().int("must be a whole number").min(1).max(100).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.status === undefined && r.pattern === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["status"],
        message: "give status, pattern or both: what the rule matches",
      });
    }
    const throttles = r.rateDelay !== undefined || r.concurrencyLimit !== undefined;
    if (r.action === "throttle" && !throttles) {
      ctx.addIssue({
        code: "custom",
        path: ["rateDelay"],
        message: "a throttle needs rateDelay, concurrencyLimit or both",
      });
    }
    if (r.action === "suspend" && throttles) {
      ctx.addIssue({
        code: "custom",
        path: [r.rateDelay !== undefined ? "rateDelay" : "concurrencyLimit"],
        message: "only a throttle takes rateDelay and concurrencyLimit; use action: throttle, or leave them out",
      });
    }
    if (durationSeconds(r.duration) < 1) {
      ctx.addIssue({ code: "custom", path: ["duration"], message: "must be at least 1s" });
    }
    if (durationSeconds(r.threshold.window) < 1) {
      ctx.addIssue({ code: "custom", path: ["threshold", "window"], message: "must be at least 1s" });
    }
  });

/** A validated rule. */
export type FeedbackRule = z.output<typeof feedbackRuleSchema>;

/** An address or a whole domain (`@example.com`) the suppression list never holds. */
const allowed = z.union([
  mailbox.transform((m) => m.toLowerCase()),
  z
    .string()
    .regex(/^@/)
    .transform((d) => d.toLowerCase())
    .refine((d) => isHostname(d.slice(1)) && d.includes("."), {
      message: "must be an address such as bob@example.com, or @example.com for a whole domain",
    }),
]);

/** zod schema of DeliveryFeedback's inputs: `check` validates with it, the arguments' type derives from it. */
export const deliveryFeedbackSchema = z
  .object({
    /** How to reach the Postfix host, with its pinned host key. The watcher runs from this login user's crontab. */
    connection: connectionSchema,
    /** Host flavour: `smartos` (pkgsrc paths, SMF; default) or `linux` (Debian/Ubuntu, also lx zones). */
    profile: platformSchema,
    /**
     * The mail log the watcher reads. Default: Postfix's `maillog_file` when set, else `/var/log/syslog`
     * (SmartOS) or `/var/log/mail.log` (Debian), resolved on the host.
     */
    logFile: absolutePath.optional(),
    /** Rules added to the defaults; one named like a default rule takes its place. */
    rules: z
      .array(feedbackRuleSchema)
      .default([])
      .superRefine((rules, ctx) => {
        const seen = new Set<string>();
        rules.forEach((r, i) => {
          if (seen.has(r.name)) {
            ctx.addIssue({
              code: "custom",
              path: [i, "name"],
              message: `a second rule named ${r.name}; names are unique`,
            });
          }
          seen.add(r.name);
        });
      }),
    /** Default rules to leave out, by name: `gmail-rate-limited`, `yahoo-deferred`, `microsoft-rate-limited`. */
    disableDefaults: z.array(z.enum(DEFAULT_RULE_NAMES)).default([]),
    /**
     * Bounce suppression: an address a remote MX answered with 5.1.1, 5.1.10 or 5.2.1 (no such mailbox) is put
     * in the transport map as `error:`, so later mail to it bounces at once without reaching the MX. Policy and
     * authentication replies (5.7.x) and deferrals never suppress.
     */
    suppression: z
      .object({
        /** Whether hard bounces suppress the address. Default true. */
        enabled: z.boolean().default(true),
        /** Days an address stays suppressed. Default 180. */
        ttlDays: z.number().int("must be a whole number of days").min(1).max(3650).default(180),
        /** Addresses, or `@domain` for a whole domain, never suppressed; listing one clears its entry. */
        allowlist: z.array(allowed).default([]),
      })
      .strict()
      .default({ enabled: true, ttlDays: 180, allowlist: [] }),
  })
  .strict()
  .superRefine((v, ctx) => {
    for (const name of v.disableDefaults) {
      const i = v.rules.findIndex((r) => r.name === name);
      if (i >= 0) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", i, "name"],
          message: `${name} is also in disableDefaults; keep the rule or disable it, not both`,
        });
      }
    }
  });

/** DeliveryFeedback's inputs, with defaults applied. */
export type DeliveryFeedbackInputs = z.output<typeof deliveryFeedbackSchema>;

/** A suspension or throttle in force, as the watcher's state file holds it. */
export interface ActiveAction {
  /** The recipient domain. */
  domain: string;
  /** The rule that acted. */
  rule: string;
  /** `suspend` or `throttle`. */
  action: "suspend" | "throttle";
  /** When it ends, ISO 8601 UTC. */
  until: string;
}

/** What of DeliveryFeedback is live on the host. */
export interface FeedbackLive {
  /** SHA-256 of the watcher script on the host (null: missing). */
  watcher: string | null;
  /** SHA-256 of the watcher's rules file (null: missing). */
  rules: string | null;
  /** The crontab block's line (null: missing). */
  cronLine: string | null;
  /** Whether `transport_maps` lists the feedback map first. */
  mapFirst: boolean;
  /** Live main.cf values of the throttle transports' parameters (null: unset). */
  parameters: Record<string, string | null>;
  /** Live master.cf entries of the throttle transports (null: absent). */
  services: Record<string, string | null>;
}

/** What the provider stores: the inputs, the log it watches, what is live, and what the watcher is doing now. */
export interface DeliveryFeedbackState extends DeliveryFeedbackInputs {
  /** The mail log the watcher reads (resolved on the host when `logFile` is not given). */
  watchedLog: string;
  /** The host's files and settings as found after the last change or refresh. */
  live: FeedbackLive;
  /** `transport_maps` before the resource listed its map (null: unset), put back by destroy. */
  previousTransportMaps: string | null;
  /** Suspensions and throttles in force at the last change or refresh. */
  active: ActiveAction[];
  /** How many addresses were suppressed at the last change or refresh. */
  suppressedCount: number;
}
