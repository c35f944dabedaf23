import { hostShell } from "./testbed";

/**
 * The guide's smoke test: an SMTP session with socat to localhost:smtp on the
 * host (EHLO, MAIL FROM, RCPT TO, DATA, QUIT). Returns the transcript.
 * Bounded: about 4 s of pauses and socat's 3 s idle timeout.
 */
export function smtpSmokeTest(hostName: string, from: string, to: string): string {
  const lines = [
    "EHLO smoke-test.invalid",
    `MAIL FROM: <${from}>`,
    `RCPT TO: <${to}>`,
    "DATA",
    "Subject: Test Email\r\n\r\nThis is a test email\r\n.",
    "QUIT",
  ];
  const script = `(sleep 1; ${lines.map((l) => `printf '%s\\r\\n' '${l.replaceAll("'", "'\\''")}'; sleep 0.5`).join("; ")}) | socat -t 3 - TCP:localhost:smtp`;
  return hostShell(hostName, script).stdout.replaceAll("\r", "");
}
