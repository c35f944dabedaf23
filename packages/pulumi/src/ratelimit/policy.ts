import { z } from "zod";
import { connectionSchema } from "../remote/connection";
import { platform, platformSchema } from "../remote/platform";
import { isoDate } from "../validation/dates";
import { postfixDuration } from "../validation/durations";
import { isHostname } from "../validation/names";
import { type Warmup, warmupOn, warmupSchema } from "./warmup";

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

const limitFields = {
  /** `<transport>_destination_recipient_limit`: recipients per delivery, at least 2. */
  recipientLimit: recipientLimit.optional(),
  /** `<transport>_destination_rate_delay`: pause between deliveries to one domain, e.g. `300s`. */
  rateDelay: postfixDuration.optional(),
  /** A warm-up schedule for the rate delay instead of a fixed `rateDelay`. */
  warmup: warmupSchema.optional(),
};

const oneDelay = (v: { rateDelay?: string; warmup?: Warmup }) => !(v.rateDelay !== undefined && v.warmup);
const ONE_DELAY = { message: "set rateDelay or warmup, not both", path: ["warmup"] };

const transportSchema = z
  .object({
    name: transportName,
    ...limitFields,
    /** `<transport>_destination_concurrency_limit` (the guide advises leaving concurrency alone). */
    concurrencyLimit: z.number().int().min(1).max(1000).optional(),
    domains: z.array(mappedDomain).min(1, "must list at least one domain"),
  })
  .strict()
  .refine(oneDelay, ONE_DELAY)
  .refine((t) => t.rateDelay !== undefined || t.warmup !== undefined, {
    message: "needs rateDelay or warmup: a transport without a delay does not limit anything",
    path: ["rateDelay"],
  });

/** zod schema of RateLimitTransport's inputs, used by `check`. */
export const rateLimitSchema = z
  .object({
    connection: connectionSchema,
    profile: platformSchema,
    defaults: z.object(limitFields).strict().refine(oneDelay, ONE_DELAY).optional(),
    transports: z.array(transportSchema).default([]),
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

/** First line of the transport map; a file without it is not ours to overwrite. */
export const MAP_MARKER = "# managed by smartos-mail RateLimitTransport: change the Pulumi program, not this file";

/** What the inputs ask the host for, on a given day. */
export interface RateLimitPolicy {
  /** main.cf parameters and their values. */
  parameters: Record<string, string>;
  /** master.cf services (`name/unix`) and their entries. */
  services: Record<string, string>;
  /** The transport map's text, or null when no transport is defined. */
  transportMap: string | null;
  /** The rate delay in force per transport (`smtp` for the defaults). */
  rateDelays: Record<string, string>;
  /** When a warm-up schedule takes its next step, per transport (`smtp` for the defaults). */
  nextWarmupStep: Record<string, string>;
}

/** The transport map's path: the guide's `transport` file in Postfix's config directory. */
export function transportMapPath(i: Pick<RateLimitInputs, "profile">): string {
  // The guide creates /opt/local/etc/postfix/transports but then points
  // transport_maps and postmap at .../transport; the map must be the file
  // transport_maps names, so it is "transport" throughout.
  return `${platform(i.profile).configDir}/transport`;
}

/** Renders the policy for `today` (YYYY-MM-DD): warm-up schedules give that day's delay. */
export function ratePolicy(i: RateLimitInputs, today: string): RateLimitPolicy {
  const policy: RateLimitPolicy = {
    parameters: {},
    services: {},
    transportMap: null,
    rateDelays: {},
    nextWarmupStep: {},
  };
  const limits = (
    prefix: string,
    l: { recipientLimit?: number; rateDelay?: string; warmup?: Warmup; concurrencyLimit?: number },
  ) => {
    if (l.recipientLimit !== undefined)
      policy.parameters[`${prefix}_destination_recipient_limit`] = String(l.recipientLimit);
    const at = l.warmup ? warmupOn(l.warmup, today) : undefined;
    const delay = at?.rateDelay ?? l.rateDelay;
    if (delay !== undefined) {
      policy.parameters[`${prefix}_destination_rate_delay`] = delay;
      policy.rateDelays[prefix] = delay;
    }
    if (at?.nextStepOn) policy.nextWarmupStep[prefix] = at.nextStepOn;
    if (l.concurrencyLimit !== undefined)
      policy.parameters[`${prefix}_destination_concurrency_limit`] = String(l.concurrencyLimit);
  };
  if (i.defaults) limits("smtp", i.defaults);
  for (const t of i.transports) {
    // The guide's entry: a private unix service running smtp(8), not chrooted.
    policy.services[`${t.name}/unix`] = `${t.name} unix - - n - - smtp`;
    limits(t.name, t);
  }
  if (i.transports.length > 0) {
    const lines = i.transports.flatMap((t) => t.domains.map((d) => `${d} ${t.name}:`));
    policy.transportMap = `${MAP_MARKER}\n${lines.join("\n")}\n`;
  }
  return policy;
}
