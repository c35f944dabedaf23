import { hostShell } from "./testbed";

/** The Authentication-Results a receiving testbed host wrote on the message with `subject`, waiting up to 30 s. */
export async function authenticationResults(receiver: string, subject: string): Promise<string> {
  for (let i = 0; i < 60; i++) {
    const box = hostShell(receiver, "cat /var/mail/root 2>/dev/null").stdout;
    const message = box.split(/^From /m).find((m) => m.includes(`Subject: ${subject}`));
    if (message) {
      const headers = message.split(/\n\n/)[0].replace(/\n[ \t]+/g, " ");
      return headers
        .split("\n")
        .filter((l) => l.startsWith("Authentication-Results:"))
        .join("\n");
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return "(nothing arrived in 30 s)";
}
