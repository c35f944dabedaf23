import { z } from "zod";
import { addDays, daysBetween, isoDate } from "../validation/dates";
import { durationSeconds, postfixDuration } from "../validation/durations";

/**
 * zod schema of an IP warm-up schedule: the rate delay starts at
 * `rateDelays[0]` on `start` and moves one step along the list every
 * `daysPerStep` days, staying on the last step. The guide's example ramps
 * 300s, 240s, 180s over the first days, then slower.
 */
export const warmupSchema = z
  .object({
    /** First day of the schedule, YYYY-MM-DD (UTC). */
    start: isoDate,
    /** Rate delays in order, e.g. `["300s", "240s", "180s", "120s", "60s", "30s", "10s", "1s"]`. */
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

/** Where a schedule stands on a given day. */
export interface WarmupPosition {
  /** The rate delay for that day. */
  rateDelay: string;
  /** Index of the step in `rateDelays`. */
  step: number;
  /** The day the next step starts; absent on the last step. */
  nextStepOn?: string;
}

/** The rate delay a schedule gives on `today` (YYYY-MM-DD). Before `start` it is the first step. */
export function warmupOn(w: Warmup, today: string): WarmupPosition {
  const elapsed = Math.max(0, daysBetween(w.start, today));
  const step = Math.min(w.rateDelays.length - 1, Math.floor(elapsed / w.daysPerStep));
  const last = step === w.rateDelays.length - 1;
  return {
    rateDelay: w.rateDelays[step],
    step,
    ...(last ? {} : { nextStepOn: addDays(w.start, (step + 1) * w.daysPerStep) }),
  };
}
