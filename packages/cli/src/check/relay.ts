import { addressOption, heloOption, smtpHost, smtpPort, timeoutOption } from "../smtp/options";
import { type RelayProbeOptions, relayProbe, SmtpConnectionError } from "../smtp/session";
import type { Finding } from "./result";

/** Addresses in RFC 2606's reserved domains: outside every real server's own domains. */
const OUTSIDE_FROM = "relay-probe@example.com";
const OUTSIDE_TO = "relay-probe@example.net";

/** The relay attempt `check --relay` makes, from its options. */
export function relayOptions(values: {
  relay?: string;
  port?: string;
  from?: string;
  to?: string;
  timeout?: string;
}): RelayProbeOptions {
  return {
    host: smtpHost(`--relay "${values.relay}"`, values.relay ?? ""),
    port: smtpPort(values.port),
    from: addressOption("check", "from", values.from ?? OUTSIDE_FROM),
    to: addressOption("check", "to", values.to ?? OUTSIDE_TO),
    helo: heloOption(undefined),
    timeoutMs: timeoutOption(values.timeout),
  };
}

/**
 * The RELAY finding: fail when the server took the outside recipient (it
 * relays for this machine), pass when it refused it, refused the session or
 * took no connection, warn when it stopped answering (nothing can be told).
 * Nothing is ever sent: the attempt ends before DATA.
 */
export async function relayFinding(o: RelayProbeOptions): Promise<Finding> {
  const check = `RELAY ${o.host}:${o.port}`;
  try {
    const r = await relayProbe(o);
    const reply = r.reply?.lines.join(" / ") ?? "(no reply)";
    if (r.relays) {
      return {
        check,
        status: "fail",
        detail: `RCPT TO <${o.to}> from <${o.from}> was accepted (${reply}): the server relays mail for this machine, an open relay if it is outside the server's own networks. Put reject_unauth_destination before any permit in smtpd_relay_restrictions and list only your networks in mynetworks (PostfixConfig refuses such a configuration unless allowOpenRelay is set)`,
      };
    }
    const refused = r.step === "RCPT TO" ? `RCPT TO <${o.to}> was refused` : `the session was refused at ${r.step}`;
    return { check, status: "pass", detail: `${refused} (${reply}): no relaying for this machine` };
  } catch (err) {
    if (!(err instanceof SmtpConnectionError)) throw err;
    if (err.connected) {
      return {
        check,
        status: "warn",
        detail: `the server stopped answering (${err.message}): cannot tell whether it relays; its log says why (a Postfix smtpd that exits at once logs "fatal:")`,
      };
    }
    return {
      check,
      status: "pass",
      detail: `no SMTP session from this machine (${err.message}): nothing to relay through`,
    };
  }
}
