import type { Platform } from "../remote/platform";
import type { DeliveryFeedbackInputs, FeedbackRule } from "../schemas/delivery-feedback";
import { durationSeconds } from "../validation/durations";
import { DEFAULT_RULES } from "./default-rules";

/** Where the watcher, its rules and its state live (both platforms: OpenDKIM's tables are under /var/db too). */
export const FEEDBACK_DIR = "/var/db/smartos-mail/feedback";

/** The watcher script, run by cron and by the provider. */
export const WATCHER_PATH = `${FEEDBACK_DIR}/watch.sh`;

/** The rules file the watcher reads. */
export const RULES_PATH = `${FEEDBACK_DIR}/rules`;

/** Owner of the watcher's block in the login user's crontab. */
export const FEEDBACK_CRON_OWNER = "delivery-feedback";

/** The transport map of suspensions, throttles and suppressed addresses, listed first in `transport_maps`. */
export function feedbackMapPath(p: Platform): string {
  return `${p.configDir}/smartos-mail-feedback`;
}

/** The master.cf service a throttle rule's domains go through while it acts. */
export function throttleTransport(rule: string): string {
  return `throttle-${rule}`;
}

/** The rules in force: the defaults not disabled, each replaced by a rule of the same name, then the others. */
export function effectiveRules(v: Pick<DeliveryFeedbackInputs, "rules" | "disableDefaults">): FeedbackRule[] {
  const given = new Map(v.rules.map((r) => [r.name, r]));
  const defaults = Object.values(DEFAULT_RULES)
    .filter((r) => !v.disableDefaults.some((d) => d === r.name))
    .map((r) => given.get(r.name) ?? (r as FeedbackRule));
  const names = new Set(defaults.map((r) => r.name));
  return [...defaults, ...v.rules.filter((r) => !names.has(r.name))];
}

/** main.cf parameters of the throttle transports: `<transport>_destination_*`. */
export function throttleParameters(rules: readonly FeedbackRule[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rules) {
    if (r.action !== "throttle") continue;
    const t = throttleTransport(r.name);
    if (r.rateDelay !== undefined) {
      out[`${t}_destination_rate_delay`] = r.rateDelay;
      // postconf(5), default_destination_rate_delay: "with a non-zero _destination_rate_delay, specify a
      // transport_destination_concurrency_failed_cohort_limit of 10 or more to prevent Postfix from deferring all
      // mail for the same destination after only one connection or handshake error."
      out[`${t}_destination_concurrency_failed_cohort_limit`] = "10";
    }
    if (r.concurrencyLimit !== undefined) out[`${t}_destination_concurrency_limit`] = String(r.concurrencyLimit);
  }
  return out;
}

/** master.cf entries of the throttle transports: `name/unix` -> entry (a private smtp(8), as RateLimitTransport's). */
export function throttleServices(rules: readonly FeedbackRule[]): Record<string, string> {
  return Object.fromEntries(
    rules
      .filter((r) => r.action === "throttle")
      .map((r) => {
        const t = throttleTransport(r.name);
        return [`${t}/unix`, `${t} unix - - n - - smtp`];
      }),
  );
}

/**
 * The watcher's rules file: tab-separated lines the watcher's awk reads. `log` names the mail log; `rule` lines
 * give name, relay suffixes (space-separated, `-` for any), status (`-`: any), pattern (`-`: any), count, window
 * and duration in seconds, action and the throttle transport (`-`); `suppress` gives on/off and the TTL in
 * seconds; `allow` lines the allowlist.
 */
export function rulesFile(v: DeliveryFeedbackInputs, log: string): string {
  const lines = [`log\t${log}`];
  for (const r of effectiveRules(v)) {
    lines.push(
      [
        "rule",
        r.name,
        r.relays?.join(" ") ?? "-",
        r.status ?? "-",
        r.pattern ?? "-",
        r.threshold.count,
        durationSeconds(r.threshold.window),
        durationSeconds(r.duration),
        r.action,
        r.action === "throttle" ? throttleTransport(r.name) : "-",
      ].join("\t"),
    );
  }
  lines.push(`suppress\t${v.suppression.enabled ? "on" : "off"}\t${v.suppression.ttlDays * 86_400}`);
  for (const a of v.suppression.allowlist) lines.push(`allow\t${a}`);
  return `${lines.join("\n")}\n`;
}
