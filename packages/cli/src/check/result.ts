/** How one finding stands. `info` is a note and never changes the exit code. */
export type Status = "pass" | "info" | "warn" | "fail";

/** One row of `check`'s table. */
export interface Finding {
  /** What was checked, e.g. `SPF lookups` or `DKIM s1`. */
  check: string;
  status: Status;
  /** What was found and, for warn and fail, what to do. */
  detail: string;
}

/**
 * The exit code of `check`, in the convention of monitoring plugins
 * (Nagios, Icinga, Sensu): 0 when everything passes (notes allowed), 1 when
 * the worst is a warning, 2 when anything fails. A usage error exits 2 as
 * well: a monitoring job that is set up wrong should alert, not pass.
 */
export function exitCodeFor(findings: readonly Finding[]): 0 | 1 | 2 {
  if (findings.some((f) => f.status === "fail")) return 2;
  if (findings.some((f) => f.status === "warn")) return 1;
  return 0;
}

/** The worst of several statuses. */
export function worst(statuses: readonly Status[]): Status {
  const order: Status[] = ["pass", "info", "warn", "fail"];
  return statuses.reduce<Status>((w, s) => (order.indexOf(s) > order.indexOf(w) ? s : w), "pass");
}
