import { parseSections, section } from "../remote/sections";
import { joinScripts, type Script, sh } from "../remote/shell";
import { type SshConnectionOptions, toolHost } from "../remote/tool-host";
import type { ActiveAction } from "../schemas/delivery-feedback";
import { mailbox } from "../validation/names";
import { parseActions } from "./host";
import { FEEDBACK_DIR, WATCHER_PATH } from "./rules-file";

/** An address the watcher suppressed: later mail to it bounces on the host. */
export interface SuppressedAddress {
  /** The address, in lower case. */
  address: string;
  /** The remote MX's enhanced status code: 5.1.1, 5.1.10 or 5.2.1. */
  status: string;
  /** When its bounce was seen, ISO 8601 UTC. */
  since: string;
}

/** What DeliveryFeedback's watcher holds on a host now. */
export interface FeedbackStatus {
  /** Suspensions and throttles in force, by domain. */
  active: ActiveAction[];
  /** Suppressed addresses, in address order. */
  suppressed: SuppressedAddress[];
}

/** The exit status of {@link feedbackStatusScript} when the host has no DeliveryFeedback watcher. */
export const NO_WATCHER = 3;

/**
 * Prints the watcher's actions and suppressed addresses; with `unsuppress`, first takes that address off the
 * list (the watcher's own `unsuppress`, under the host lock, which also rewrites the map). Exits
 * {@link NO_WATCHER} when the host has no watcher.
 */
export function feedbackStatusScript(unsuppress?: string): Script {
  return joinScripts([
    sh`[ -f ${WATCHER_PATH} ] || exit ${NO_WATCHER}`,
    unsuppress === undefined ? sh`:` : sh`/bin/sh ${WATCHER_PATH} unsuppress ${unsuppress} >/dev/null || exit $?`,
    section("actions", sh`cat ${`${FEEDBACK_DIR}/actions`}`),
    section("suppressed", sh`cat ${`${FEEDBACK_DIR}/suppressed`}`),
  ]);
}

/** Reads what {@link feedbackStatusScript} printed. */
export function parseFeedbackStatus(stdout: string): FeedbackStatus {
  const s = parseSections(stdout);
  const suppressed = (s.suppressed ?? "")
    .split("\n")
    .map((l) => l.split("\t"))
    .filter((f) => f.length >= 3 && /^\d+$/.test(f[2]))
    .map((f) => ({
      address: f[0],
      status: f[1],
      since: new Date(Number(f[2]) * 1000).toISOString().replace(/\.000Z$/, "Z"),
    }))
    .sort((a, b) => a.address.localeCompare(b.address));
  return { active: parseActions(s.actions ?? ""), suppressed };
}

/**
 * DeliveryFeedback's suspensions, throttles and suppressed addresses on a host, over SSH with the host key
 * pinned; with `unsuppress`, that address is taken off the suppression list first. A host without the
 * watcher fails with a `RemoteCommandError` of exit status {@link NO_WATCHER}. The connection stays in this
 * process's pool; call `closeAllConnections` when done.
 */
export async function deliveryFeedbackStatus(
  connection: SshConnectionOptions,
  options: { unsuppress?: string } = {},
): Promise<FeedbackStatus> {
  const host = toolHost(connection);
  const address = options.unsuppress === undefined ? undefined : mailbox.parse(options.unsuppress).toLowerCase();
  const result = await host.run(feedbackStatusScript(address), {
    step: address === undefined ? "read the delivery feedback" : `unsuppress ${address}`,
  });
  return parseFeedbackStatus(result.stdout);
}
