import { platform } from "../remote/platform";
import type { RateLimitInputs, Warmup } from "../schemas/rate-limit-transport";
import { durationSeconds } from "../validation/durations";
import { warmupOn } from "./warmup";

/** First line of the transport map; a file without it is not ours to overwrite. */
export const MAP_MARKER = "# managed by smartos-mail RateLimitTransport: change the Pulumi program, not this file";

/**
 * The failed-cohort limit set with a rate delay when none is given. postconf(5), on
 * `default_destination_rate_delay`: "with a non-zero _destination_rate_delay, specify a
 * transport_destination_concurrency_failed_cohort_limit of 10 or more to prevent Postfix from deferring all mail
 * for the same destination after only one connection or handshake error."
 */
export const FAILED_COHORT_LIMIT_WITH_RATE_DELAY = 10;

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
    l: {
      recipientLimit?: number;
      rateDelay?: string;
      warmup?: Warmup;
      concurrencyLimit?: number;
      failedCohortLimit?: number;
    },
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
    const cohort =
      l.failedCohortLimit ??
      (delay !== undefined && durationSeconds(delay) > 0 ? FAILED_COHORT_LIMIT_WITH_RATE_DELAY : undefined);
    if (cohort !== undefined)
      policy.parameters[`${prefix}_destination_concurrency_failed_cohort_limit`] = String(cohort);
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
