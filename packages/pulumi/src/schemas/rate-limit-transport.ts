import { z } from "zod";
import type { RateLimitApplied } from "../ratelimit/host";
import { connectionSchema } from "../remote/connection-schema";
import { platformSchema } from "../remote/platform";
import { isoDate } from "../validation/dates";
import { durationSeconds, postfixDuration } from "../validation/durations";
import { isHostname } from "../validation/names";

/**
 * master.cf services and main.cf parameter prefixes a transport name must not
 * take: Postfix's stock services (Debian's and pkgsrc's master.cf) and the
 * prefixes of existing parameters (`default_destination_rate_delay`...).
 */
const RESERVED = new Set([
  "anvil",
  "bounce",
  "bsmtp",
  "cleanup",
  "default",
  "defer",
  "discard",
  "dnsblog",
  "error",
  "flush",
  "ifmail",
  "lmtp",
  "local",
  "maildrop",
  "mailman",
  "oqmgr",
  "pickup",
  "postlog",
  "postscreen",
  "proxymap",
  "proxywrite",
  "qmgr",
  "relay",
  "retry",
  "rewrite",
  "scache",
  "scalemail-backend",
  "showq",
  "smtp",
  "smtpd",
  "smtps",
  "submission",
  "submissions",
  "tlsmgr",
  "tlsproxy",
  "trace",
  "uucp",
  "verify",
  "virtual",
]);

const transportName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,30}$/,
    "must be a master.cf service name of lower-case letters, digits and hyphens, starting with a letter, e.g. smtp-aggr",
  )
  .refine((n) => !RESERVED.has(n), {
    message: "is one of Postfix's own services or parameter prefixes; pick another name such as smtp-aggr",
  });

/** A transport map key: a domain, or `.domain` for its subdomains (transport_maps does not match subdomains by itself). */
const mappedDomain = z
  .string()
  .transform((d) => d.toLowerCase())
  .refine((d) => isHostname(d.replace(/^\./, "")) && d.replace(/^\./, "").includes("."), {
    message: "must be a domain such as gmail.com, or .gmail.com for its subdomains",
  });

const recipientLimit = z
  .number()
  .int("must be a whole number")
  .min(
    2,
    "must be at least 2: at 1 Postfix applies the rate delay to each recipient instead of each domain (see the guide)",
  )
  .max(100_000);

/**
 * zod schema of an IP warm-up schedule: the rate delay starts at
 * `rateDelays[0]` on `start` and moves one step along the list every
 * `daysPerStep` days, staying on the last step. The guide's example ramps
 * 300s, 240s, 180s over the first days, then slower.
 */
export const warmupSchema = z
  .object({
    /** First day, YYYY-MM-DD (UTC). Before it, the first delay applies. */
    start: isoDate,
    /** Delays in order, each no longer than the one before, e.g. `["300s", "240s", "180s", "120s", "60s", "10s", "1s"]`. */
    rateDelays: z.array(postfixDuration).min(1, "must list at least one rate delay"),
    /** Days each step lasts. Default 1. */
    daysPerStep: z.number().int().min(1).max(365).default(1),
  })
  .strict()
  .superRefine((w, ctx) => {
    for (let i = 1; i < w.rateDelays.length; i++) {
      if (durationSeconds(w.rateDelays[i]) > durationSeconds(w.rateDelays[i - 1])) {
        ctx.addIssue({
          code: "custom",
          path: ["rateDelays", i],
          message: `${w.rateDelays[i]} is longer than the step before (${w.rateDelays[i - 1]}); a warm-up only shortens the delay`,
        });
      }
    }
  });

/** A validated warm-up schedule. */
export type Warmup = z.output<typeof warmupSchema>;

const limitFields = {
  /** Recipients per delivery (`..._destination_recipient_limit`), at least 2; the guide uses 10 to 100. */
  recipientLimit: recipientLimit.optional(),
  /** Pause between deliveries to one domain (`..._destination_rate_delay`), e.g. `"300s"`. */
  rateDelay: postfixDuration.optional(),
  /** A warm-up schedule instead of a fixed `rateDelay`: re-run `pulumi up` daily and the delay ramps down. */
  warmup: warmupSchema.optional(),
  /**
   * `..._destination_concurrency_failed_cohort_limit`: how many connections or handshakes to a destination may
   * fail in a row (refused, a 4xx greeting such as Yahoo's `421 4.7.0 [TSS04]`, a failed EHLO or STARTTLS) before
   * Postfix calls it dead and defers all of its queued mail for `minimal_backoff_time`. Default: 10 while a rate
   * delay is in force, as postconf(5) asks (with a rate delay the concurrency is 1, so at Postfix's own default
   * of 1 a single failed greeting defers every message waiting for the destination); otherwise Postfix's own.
   * 1 makes one failed greeting suspend the destination.
   */
  failedCohortLimit: z.number().int().min(1).max(1000).optional(),
};

const oneDelay = (v: { rateDelay?: string; warmup?: Warmup }) => !(v.rateDelay !== undefined && v.warmup);
const ONE_DELAY = { message: "set rateDelay or warmup, not both", path: ["warmup"] };

/** zod schema of the limits of a destination class: the defaults (`smtp`) or a named transport's. */
export const rateLimitsSchema = z.object(limitFields).strict().refine(oneDelay, ONE_DELAY);

/** zod schema of a named transport: a master.cf service running smtp, and the domains routed through it. */
export const transportSchema = z
  .object({
    /** Service name, e.g. `smtp-aggr`; its parameters are `<name>_destination_*`. */
    name: transportName,
    ...limitFields,
    /** `<name>_destination_concurrency_limit`; the guide advises leaving concurrency alone. */
    concurrencyLimit: z.number().int().min(1).max(1000).optional(),
    /** Domains routed through it, e.g. `["gmail.com", "googlemail.com"]`; `.gmail.com` matches subdomains. */
    domains: z.array(mappedDomain).min(1, "must list at least one domain"),
  })
  .strict()
  .refine(oneDelay, ONE_DELAY)
  .refine((t) => t.rateDelay !== undefined || t.warmup !== undefined, {
    message: "needs rateDelay or warmup: a transport without a delay does not limit anything",
    path: ["rateDelay"],
  });

/** zod schema of RateLimitTransport's inputs: `check` validates with it, the arguments' type derives from it. */
export const rateLimitSchema = z
  .object({
    /** How to reach the Postfix host, with its pinned host key. */
    connection: connectionSchema,
    /** Host flavour: `smartos` (pkgsrc, SMF; default) or `linux` (Debian/Ubuntu, also lx zones). */
    profile: platformSchema,
    /** `smtp_destination_recipient_limit` and `smtp_destination_rate_delay`: every domain not in a transport. */
    defaults: rateLimitsSchema.optional(),
    /** Named transports with their own limits, and the domains mapped to each through `transport_maps`. */
    transports: z.array(transportSchema).default([]),
    /** The day warm-up schedules are rendered for, YYYY-MM-DD. Default: today (UTC), so each `pulumi up` moves on. */
    today: isoDate.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const names = new Map<string, number>();
    const domains = new Map<string, string>();
    v.transports.forEach((t, i) => {
      if (names.has(t.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["transports", i, "name"],
          message: `${t.name} is already transports[${names.get(t.name)}]; each transport is defined once`,
        });
      }
      names.set(t.name, i);
      t.domains.forEach((d, j) => {
        const owner = domains.get(d);
        if (owner !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["transports", i, "domains", j],
            message: `${d} is already mapped to ${owner}; a domain goes through one transport`,
          });
        }
        domains.set(d, t.name);
      });
    });
    if (!v.defaults && v.transports.length === 0) {
      ctx.addIssue({ code: "custom", path: ["transports"], message: "set defaults, transports or both" });
    }
  });

/** Validated RateLimitTransport inputs with defaults applied. */
export type RateLimitInputs = z.output<typeof rateLimitSchema>;

/** What the provider stores: the inputs, the policy in force and what it found and changed on the host. */
export interface RateLimitState extends RateLimitInputs {
  /** What was live after the last change or refresh. */
  applied: RateLimitApplied;
  /** Values of the managed main.cf parameters from before this resource took them over; restored on delete. */
  previous: { parameters: Record<string, string | null> };
  /** The rate delay in force per transport (`smtp`: the defaults). */
  rateDelays: Record<string, string>;
  /** The day each warm-up schedule takes its next step. */
  nextWarmupStep: Record<string, string>;
}
