import type { FeedbackRule } from "../schemas/delivery-feedback";

/**
 * The rules DeliveryFeedback applies unless `disableDefaults` names them; a rule in `rules` with the same name
 * takes its place. Each matches the providers' enhanced status code or a code of their own in the reply, never
 * the wording around it (providers reword their texts; Google's "Our system has detected…" became "Gmail has
 * detected…" in 2024), and only on replies from the provider's MX hosts.
 */
export const DEFAULT_RULES = {
  /**
   * Gmail's rate limit: `421 4.7.28 Gmail has detected an unusual rate of email…` (Google, "SMTP errors and
   * codes", support.google.com/a/answer/3726730, captured 2026-02-15 in azumakuniyuki/feb-2024-no-auth-no-entry,
   * google-3726730-smtp-errors-and-codes/text/). Google's own recipe for it: "Do not send email for at least 10
   * minutes" (Email sender guidelines, support.google.com/mail/answer/81126, same repository). Gmail's and Google
   * Workspace's MX hosts end in google.com or googlemail.com (KumoMTA's assets/policy-extras/shaping.toml,
   * provider "google"). Two replies within an hour suspend the domain for 10 minutes.
   */
  "gmail-rate-limited": {
    name: "gmail-rate-limited",
    relays: ["google.com", "googlemail.com"],
    status: "4.7.28",
    threshold: { count: 2, window: "1h" },
    action: "suspend",
    duration: "10m",
  },
  /**
   * Yahoo's deferral of a sender's IP: `421 4.7.0 [TSS04] Messages from … temporarily deferred due to unexpected
   * volume or user complaints`. Yahoo's published page lists 421 as "unusual traffic patterns from your sending
   * server's IP address" (senders.yahooinc.com/smtp-error-codes, yahoo-senders-smtp-error-codes.txt in
   * azumakuniyuki/feb-2024-no-auth-no-entry) without the code; the code `[TSS04]` (or `[TS04]`), the MX suffix
   * yahoodns.net and the action (suspend at once, for 2 hours) are KumoMTA's rule "PROVIDED BY YAHOO! DIRECTLY"
   * (assets/policy-extras/shaping.toml, provider "yahoo").
   */
  "yahoo-deferred": {
    name: "yahoo-deferred",
    relays: ["yahoodns.net"],
    pattern: "\\[TS?S04\\]",
    threshold: { count: 1, window: "1h" },
    action: "suspend",
    duration: "2h",
  },
  /**
   * Outlook.com's rate limits: `421 RP-001` (rate limit per IP), `RP-002` (per connection) and `RP-003`
   * (connection limit), "related to IP/domain reputation" (Microsoft, "Troubleshooting",
   * sendersupport.olc.protection.outlook.com/pm/troubleshooting.aspx, captured 2026-06-15 in
   * azumakuniyuki/feb-2024-no-auth-no-entry, microsoft-troubleshooting/text/). Outlook.com's and Microsoft 365's MX
   * hosts end in protection.outlook.com (KumoMTA's shaping.toml, providers "outlook" and "office365"). KumoMTA's
   * default answer to "temporarily rate limited due to IP reputation" is one connection and one message a minute
   * for 90 minutes; here: two such replies within an hour slow the domain to one connection and a message a minute
   * for 90 minutes.
   */
  "microsoft-rate-limited": {
    name: "microsoft-rate-limited",
    relays: ["protection.outlook.com"],
    pattern: "RP-00[123]",
    threshold: { count: 2, window: "1h" },
    action: "throttle",
    duration: "90m",
    rateDelay: "60s",
    concurrencyLimit: 1,
  },
} as const satisfies Record<string, FeedbackRule>;

/** The names of the default rules. */
export const DEFAULT_RULE_NAMES = Object.keys(DEFAULT_RULES) as [DefaultRuleName, ...DefaultRuleName[]];

/** The name of a default rule. */
export type DefaultRuleName = keyof typeof DEFAULT_RULES;
