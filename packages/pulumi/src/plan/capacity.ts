import { z } from "zod";

/**
 * Days in a planning month. The guide's 8.2 GB queue is 5 GB × 5/30 × 1.1^24
 * = 8.21 GB; a calendar-average month of 30.44 days would give 8.09 GB.
 */
const DAYS_PER_MONTH = 30;

/** zod: a whole number of months from `min` to `max`; `what` says what the months measure. */
function wholeMonths(min: number, max: number, what: string) {
  return z
    .number({ error: `must be a whole number of months (${what})` })
    .int({ error: (iss) => `is ${iss.input}; give whole months (${what})` })
    .min(min, { error: (iss) => `is ${iss.input}; must be at least ${min} (${what})` })
    .max(max, { error: (iss) => `is ${iss.input}; must be at most ${max} months, a forecast that far is guesswork` });
}

/**
 * zod schema of the guide's storage model ("Quota"). Volumes are absolute
 * for the whole server, not per user, and should be measured rather than
 * assumed. GB here is the unit `vmadm` and `zfs` quotas count in (GiB,
 * 2^30 bytes); measure the volumes in the same unit.
 *
 * The guide's example: `{ sentGbPerMonth: 5, receivedGbPerMonth: 10,
 * monthlyGrowth: 1.1, maxUndeliverableDays: 5, lifetimeMonths: 24,
 * archiveMonths: 36 }`.
 */
export const capacityPlanSchema = z
  .object({
    /** GB of mail sent in the first month, e.g. 5. */
    sentGbPerMonth: z
      .number({ error: "must be the GB of mail sent in a month, e.g. 5" })
      .positive({ error: (iss) => `is ${iss.input}; must be more than 0: measure the GB you send in a month` }),
    /** GB of mail received in the first month, e.g. 10. Default 0: a send-only server. */
    receivedGbPerMonth: z
      .number({ error: "must be the GB of mail received in a month, e.g. 10 (0 for a send-only server)" })
      .min(0, { error: (iss) => `is ${iss.input}; must be 0 or more (0 for a send-only server)` })
      .default(0),
    /**
     * Factor both volumes change by each month, compounded: 1.0 is no change,
     * the guide's 1.1 is 10% more a month. At least 1.0 (plan a shrinking
     * volume as flat); at most 2.0, which also catches percentages such as 10.
     */
    monthlyGrowth: z
      .number({ error: "must be a monthly growth factor such as 1.1 (10% more each month; 1.0 is no change)" })
      .min(1, { error: (iss) => `is ${iss.input}; must be at least 1.0 (no change): plan a shrinking volume as 1.0` })
      .max(2, {
        error: (iss) => `is ${iss.input}; give a factor such as 1.1 for 10% growth a month, not a percentage`,
      }),
    /**
     * Longest time the server may be unable to deliver, in days. Default 5,
     * which is also Postfix's `maximal_queue_lifetime`: older mail bounces.
     */
    maxUndeliverableDays: z
      .number({ error: "must be a number of days, e.g. 5 (Postfix's maximal_queue_lifetime)" })
      .positive({ error: (iss) => `is ${iss.input}; must be more than 0 days, e.g. 5` })
      .default(5),
    /** Months until this server is replaced. Default 24, as far as the guide advises forecasting. */
    lifetimeMonths: wholeMonths(1, 120, "until the server is replaced, e.g. 24").default(24),
    /** Months of sent and received mail archived locally, e.g. 36. Default 0: no archive. */
    archiveMonths: wholeMonths(0, 240, "of mail archived, 0 for no archive, e.g. 36").default(0),
    /**
     * Months of received mail users keep in their mailboxes. Default: kept
     * indefinitely, i.e. all mail received up to the plan's horizon; with the
     * guide's inputs that equals the incoming archive, as the guide assumes.
     */
    mailboxMonths: wholeMonths(1, 240, "users keep received mail, e.g. 36").optional(),
    /** Fraction added to each need when recommending quotas. Default 0.2 (8.2 GB of queue gets the guide's 10 GB). */
    headroom: z
      .number({ error: "must be a fraction such as 0.2 for 20%" })
      .min(0, { error: (iss) => `is ${iss.input}; must be 0 or more, e.g. 0.2 for 20%` })
      .max(1, { error: (iss) => `is ${iss.input}; give a fraction such as 0.2 for 20%, not a percentage` })
      .default(0.2),
    /** GB of the zone quota left for everything but mail. Default 20 (the guide's 1000 GB zone, 980 GB for mail). */
    systemReserveGb: z
      .number({ error: "must be a number of GB, e.g. 20" })
      .min(0, { error: (iss) => `is ${iss.input}; must be 0 or more GB, e.g. 20` })
      .default(20),
  })
  .strict();

/** Validated capacity inputs, defaults applied. */
export type CapacityPlanInputs = z.output<typeof capacityPlanSchema>;

/** What each store of mail holds, in GB. */
export interface CapacitySizes {
  /** Postfix's queue after the longest outage: outgoing mail waiting for delivery. */
  queueGb: number;
  /** Sent mail kept for `archiveMonths`. */
  outgoingArchiveGb: number;
  /** Received mail kept in users' mailboxes for `mailboxMonths`. */
  mailboxesGb: number;
  /** Received mail kept for `archiveMonths`. */
  incomingArchiveGb: number;
}

/** The sizes at the end of one month in service (month 0 is the day the server starts). */
export interface CapacityMonth extends CapacitySizes {
  month: number;
}

/**
 * GB for the guide's dataset layout: the zone, the mail dataset mounted at
 * /var/mail (mailboxes and archives), and the spool dataset mounted at
 * /var/spool/postfix (the queue). The spool dataset is a child of the mail
 * dataset, so the mail dataset's quota covers the queue as well.
 */
export interface DatasetQuotas {
  zoneGb: number;
  mailGb: number;
  spoolGb: number;
}

/** The result of {@link planCapacity}. */
export interface CapacityPlan {
  /** The inputs the plan was made from. */
  inputs: CapacityPlanInputs;
  /** Last month of the series: the later of the server's replacement and the longest retention filling up. */
  horizonMonths: number;
  /** What the quotas are planned for: the queue at the server's replacement, the stores at the horizon. */
  peak: CapacitySizes;
  /** The least each quota may be: the peaks, plus the system reserve for the zone. */
  need: DatasetQuotas;
  /** Recommended quotas in whole GB: each need plus `headroom`, rounded up. */
  quota: DatasetQuotas;
  /** Sizes at the end of each month from 0 to `horizonMonths`, for charting. */
  months: CapacityMonth[];
}

/** ∫ growth^t dt from `from` to `to`: the months of mail sent in that span, in first-month volumes. */
function growthIntegral(growth: number, from: number, to: number): number {
  return growth === 1 ? to - from : (growth ** to - growth ** from) / Math.log(growth);
}

/**
 * The guide's storage model, in GB. The queue holds `maxUndeliverableDays`
 * of sent mail at the volume reached when the server is replaced:
 * sent × days/30 × growth^lifetimeMonths. A store that keeps R months
 * (archive, mailboxes) holds volume × ∫ growth^t dt over the last R months.
 *
 * The guide sizes its 36-month archive with ∫ from 0 to 36 although the server
 * is replaced at 24 months: stored mail is taken to move on to the next server.
 * So the stores are sized at the horizon — the later of the replacement and
 * the longest retention filling up — and the queue at the replacement. With a
 * retention shorter than the lifetime, the window ends at the replacement
 * (the guide's ∫ from 0 to R would then undersize the store as volume grows).
 *
 * Recommended quotas: spool = queue × (1 + headroom); mail = (mailboxes +
 * archives) × (1 + headroom) + the spool quota; zone = mail + systemReserveGb;
 * each rounded up to whole GB. With the guide's inputs the spool quota is the
 * guide's 10 GB.
 */
export function planCapacity(inputs: CapacityPlanInputs): CapacityPlan {
  const { sentGbPerMonth: sent, receivedGbPerMonth: received, monthlyGrowth: growth } = inputs;
  const horizonMonths = Math.max(inputs.lifetimeMonths, inputs.archiveMonths, inputs.mailboxMonths ?? 0);
  const mailboxMonths = inputs.mailboxMonths ?? horizonMonths;
  const kept = (gbPerMonth: number, retention: number, month: number) =>
    gbPerMonth * growthIntegral(growth, Math.max(0, month - retention), month);

  const months = Array.from({ length: horizonMonths + 1 }, (_, month) => ({
    month,
    queueGb: sent * (inputs.maxUndeliverableDays / DAYS_PER_MONTH) * growth ** month,
    outgoingArchiveGb: kept(sent, inputs.archiveMonths, month),
    mailboxesGb: kept(received, mailboxMonths, month),
    incomingArchiveGb: kept(received, inputs.archiveMonths, month),
  }));
  const end = months[horizonMonths];
  const peak = {
    queueGb: months[inputs.lifetimeMonths].queueGb,
    outgoingArchiveGb: end.outgoingArchiveGb,
    mailboxesGb: end.mailboxesGb,
    incomingArchiveGb: end.incomingArchiveGb,
  };

  const storedGb = peak.mailboxesGb + peak.outgoingArchiveGb + peak.incomingArchiveGb;
  const spoolGb = Math.ceil(peak.queueGb * (1 + inputs.headroom));
  const mailGb = Math.ceil(storedGb * (1 + inputs.headroom)) + spoolGb;
  return {
    inputs,
    horizonMonths,
    peak,
    need: {
      spoolGb: peak.queueGb,
      mailGb: storedGb + peak.queueGb,
      zoneGb: storedGb + peak.queueGb + inputs.systemReserveGb,
    },
    quota: { spoolGb, mailGb, zoneGb: mailGb + Math.ceil(inputs.systemReserveGb) },
    months,
  };
}

/** Which quota {@link checkQuotaCoversPlan} judges. */
export type QuotaTarget = "zone" | "mail" | "spool";

const QUOTA_NAME: Record<QuotaTarget, string> = {
  zone: "zone quota",
  mail: "mail dataset (/var/mail) quota",
  spool: "spool dataset (/var/spool/postfix) quota",
};

/** GB rounded up to a tenth: a need is never shown smaller than it is. */
const gb = (v: number) => `${Math.ceil(v * 10) / 10} GB`;

/**
 * Null if `quotaGb` holds what `plan` needs in the `target` dataset, else a
 * message with the numbers and the fix, for a resource's `check` to report
 * against its quota field. The bar is the plan's need, not its
 * recommendation: a quota with less headroom than recommended passes.
 */
export function checkQuotaCoversPlan(quotaGb: number, plan: CapacityPlan, target: QuotaTarget): string | null {
  const key = `${target}Gb` as const;
  if (quotaGb >= plan.need[key]) return null;
  const { peak, inputs } = plan;
  const terms: [string, number, boolean][] = [
    ["mailboxes", peak.mailboxesGb, target !== "spool"],
    ["archives", peak.outgoingArchiveGb + peak.incomingArchiveGb, target !== "spool"],
    ["queue", peak.queueGb, true],
    ["system", inputs.systemReserveGb, target === "zone"],
  ];
  const sum = terms
    .filter(([, v, counted]) => counted && v > 0)
    .map(([name, v]) => `${name} ${gb(v)}`)
    .join(" + ");
  const smaller =
    target === "spool"
      ? "a shorter maxUndeliverableDays (with Postfix's maximal_queue_lifetime to match)"
      : "lower volumes or shorter archiveMonths/mailboxMonths";
  return (
    `the ${QUOTA_NAME[target]} of ${quotaGb} GB is less than the ${gb(plan.need[key])} ` +
    `the capacity plan needs there (${sum}); raise it to the recommended ${plan.quota[key]} GB ` +
    `(${Math.round(inputs.headroom * 100)}% headroom) or plan for ${smaller}`
  );
}
