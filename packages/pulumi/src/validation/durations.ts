import { z } from "zod";

/**
 * zod: a Postfix time value such as `300s`, `5m` or `1h` (postconf(5): a
 * number and one of the units s, m, h, d, w; a bare number is seconds).
 */
export const postfixDuration = z
  .string()
  .regex(/^\d{1,7}[smhdw]?$/, "must be a Postfix time such as 300s, 5m or 1h (a number, then s, m, h, d or w)");

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** The seconds a valid {@link postfixDuration} stands for. */
export function durationSeconds(value: string): number {
  const unit = /[smhdw]$/.test(value) ? value.slice(-1) : "s";
  return Number.parseInt(value, 10) * UNIT_SECONDS[unit];
}
