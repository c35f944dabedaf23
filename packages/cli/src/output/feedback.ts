import type { FeedbackStatus } from "@smartos-mail/pulumi/tools";
import { renderTable } from "./table";

/** The suspensions and throttles in force: domain, action, until when, by which rule. */
export function renderShaping(status: FeedbackStatus): string {
  if (status.active.length === 0) return "No domain is suspended or throttled.\n";
  return renderTable(
    [{ title: "DOMAIN" }, { title: "ACTION" }, { title: "UNTIL (UTC)" }, { title: "RULE" }],
    status.active.map((a) => [a.domain, a.action, a.until, a.rule]),
  );
}

/** The suppressed addresses: address, the MX's status code, since when. */
export function renderSuppressions(status: FeedbackStatus): string {
  if (status.suppressed.length === 0) return "No address is suppressed.\n";
  return renderTable(
    [{ title: "ADDRESS" }, { title: "STATUS" }, { title: "SINCE (UTC)" }],
    status.suppressed.map((s) => [s.address, s.status, s.since]),
  );
}
