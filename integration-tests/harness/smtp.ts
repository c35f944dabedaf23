import { hostShell } from "./testbed";

/**
 * Runs an SMTP session with socat from inside a testbed host: each line is
 * sent after a short pause, as a person at the guide's socat prompt would.
 * Returns the transcript. After the last line socat waits up to 10 s for the
 * server's replies to end (a busy host may still be signing or queueing; the
 * server closes the connection after QUIT, which ends the wait). Bounded: 30 s.
 */
export function smtpSession(hostName: string, target: string, lines: string[]): string {
  const sends = lines.map((l) => `printf '%s\\r\\n' '${l.replaceAll("'", "'\\''")}'; sleep 0.5`).join("; ");
  return hostShell(hostName, `(sleep 1; ${sends}) | timeout 30 socat -t 10 - TCP:${target}`).stdout.replaceAll(
    "\r",
    "",
  );
}

/** A message's SMTP DATA lines (CRLF-joined header and body lines, dot-stuffed, ending with "."). */
export function dataLines(message: string): string {
  const stuffed = message
    .replace(/\r?\n$/, "")
    .split(/\r?\n/)
    .map((l) => (l.startsWith(".") ? `.${l}` : l));
  return [...stuffed, "."].join("\r\n");
}

/**
 * The guide's smoke test: an SMTP session with socat to localhost:smtp on the
 * host (EHLO, MAIL FROM, RCPT TO, DATA, QUIT). Returns the transcript.
 */
export function smtpSmokeTest(hostName: string, from: string, to: string): string {
  return sendMessage(hostName, "localhost:smtp", from, to, "Subject: Test Email\r\n\r\nThis is a test email\r\n");
}

/** Sends one message over SMTP from inside a host; returns the transcript. */
export function sendMessage(hostName: string, target: string, from: string, to: string, message: string): string {
  return smtpSession(hostName, target, [
    "EHLO smoke-test.invalid",
    `MAIL FROM: <${from}>`,
    `RCPT TO: <${to}>`,
    "DATA",
    dataLines(message),
    "QUIT",
  ]);
}
