import { hostname } from "node:os";
import { isHostname } from "@smartos-mail/pulumi/tools";
import { numberOption } from "../args";
import { UsageError } from "../errors";

/** The options of an SMTP session, as `smtp-test` and `check --relay` take them; read with the functions below. */
export const smtpSessionOptions = {
  port: { type: "string", short: "p" },
  from: { type: "string" },
  to: { type: "string" },
  timeout: { type: "string" },
} as const;

/** An SMTP server given on the command line: a host name or an IP address. `what` names it in the error. */
export function smtpHost(what: string, value: string): string {
  if (!isHostname(value) && !/^[0-9a-fA-F:.]+$/.test(value)) {
    throw new UsageError(`${what} is not a host name or address`);
  }
  return value;
}

/**
 * An address Postfix takes in MAIL FROM/RCPT TO as written here:
 * local@domain, no spaces or brackets. Required: `command` names who needs it.
 */
export function addressOption(command: string, option: string, value: string | undefined): string {
  if (value === undefined) {
    throw new UsageError(`${command} needs --${option} ADDRESS`, `see smartos-mail ${command} --help`);
  }
  const at = value.lastIndexOf("@");
  if (!/^[^\s<>()",;:\\[\]]+@[^\s<>@]+$/.test(value) || !isHostname(value.slice(at + 1))) {
    throw new UsageError(`--${option} "${value}" is not an address like root@example.com`);
  }
  return value;
}

/** The name to give with EHLO: `--helo`, or this machine's host name. */
export function heloOption(value: string | undefined): string {
  const helo = value ?? hostname();
  if (!isHostname(helo)) throw new UsageError(`--helo "${helo}" is not a host name`);
  return helo;
}

/** `--port`: the SMTP port, 25 by default. */
export function smtpPort(value: string | undefined): number {
  return numberOption("port", value, { integer: true, min: 1, max: 65535 }) ?? 25;
}

/** `--timeout` in seconds (default 30), as milliseconds. */
export function timeoutOption(value: string | undefined): number {
  return (numberOption("timeout", value, { above: 0, max: 3600 }) ?? 30) * 1000;
}
