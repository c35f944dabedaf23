import type { Warmup } from "../schemas/rate-limit-transport";
import { addDays, daysBetween } from "../validation/dates";

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
