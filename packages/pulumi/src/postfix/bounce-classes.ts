/**
 * The classes of an undelivered recipient, as Postfix's delivery agents log it
 * (`dsn=X.Y.Z, status=bounced|deferred (TEXT)`), by the enhanced status code
 * of RFC 3463: the subject and detail say why, the class digit whether it is
 * final. One definition for DeliveryFeedback's watcher (which suppresses the
 * `mailbox-unknown` class) and MailLogReport's daily counts.
 *
 * - `mailbox-unknown`: 5.1.1 (bad destination mailbox), 5.1.10 (RFC 7505's
 *   null MX: the recipient's domain accepts no mail) and 5.2.1 (mailbox
 *   disabled): the address will not take mail again; DeliveryFeedback
 *   suppresses it.
 * - `policy`: X.7.Z, security or policy (spam, authentication, a rate limit
 *   such as Gmail's 4.7.28): about the sender, not the address; never
 *   suppressed.
 * - `suppressed`, `suspended`: DeliveryFeedback's own map held the recipient
 *   back (`error:` and `retry:` entries): not a receiver's answer.
 * - `other`: everything else (a full mailbox, a DNS or connection failure, …).
 */
export const BOUNCE_CLASSES = ["mailbox-unknown", "policy", "suppressed", "suspended", "other"] as const;

/** One of {@link BOUNCE_CLASSES}. */
export type BounceClass = (typeof BOUNCE_CLASSES)[number];

/** The class DeliveryFeedback suppresses. */
export const SUPPRESSED_CLASS: BounceClass = "mailbox-unknown";

/** The text DeliveryFeedback's map entries put in the log after the status: `suppressed by smartos-mail …`. */
export const FEEDBACK_TEXT = "by smartos-mail";

/**
 * `bounceclass(status, dsn, text)` in POSIX awk: the class (above) of a recipient Postfix logged with
 * `status` (`bounced` or `deferred`), enhanced status code `dsn` and `text` (what follows `status=… (`).
 */
export const BOUNCE_CLASS_AWK = String.raw`
function bounceclass(st, dsn, txt) {
  if (txt ~ /^(suppressed|suspended) ${FEEDBACK_TEXT} /) return st == "bounced" ? "suppressed" : "suspended"
  if (st == "bounced" && (dsn == "5.1.1" || dsn == "5.1.10" || dsn == "5.2.1")) return "${SUPPRESSED_CLASS}"
  if (dsn ~ /^[45]\.7\./) return "policy"
  return "other"
}`;
