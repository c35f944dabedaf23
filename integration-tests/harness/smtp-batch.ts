import { connect } from "node:net";
import { createInterface } from "node:readline";
import { dataLines } from "./smtp";

/** One message of a batch: its envelope and its text (header and body, LF or CRLF line ends). */
export interface BatchMessage {
  /** The envelope sender (MAIL FROM). */
  from: string;
  /** The one envelope recipient (RCPT TO). */
  to: string;
  /** The message text. */
  text: string;
}

/**
 * Sends `messages` in order over one SMTP session to a testbed host's
 * `address:port`, waiting for every reply (no pipelining). Much cheaper per
 * message than a sendmail process each, so a test can push thousands through
 * Postfix in a minute. Rejects with the SMTP exchange that failed; a session
 * idle for 60 s fails too.
 */
export async function sendBatch(address: string, port: number, messages: BatchMessage[]): Promise<void> {
  const socket = connect(port, address);
  socket.setTimeout(60_000, () => socket.destroy(new Error(`SMTP session to ${address}:${port} idle for 60 s`)));
  const lines = createInterface({ input: socket, crlfDelay: Number.POSITIVE_INFINITY })[Symbol.asyncIterator]();
  /** Reads one (possibly multi-line) reply and checks its code. */
  const expect = async (code: number, after: string) => {
    let line: string;
    do {
      const next = await lines.next();
      if (next.done) throw new Error(`SMTP session to ${address}:${port} closed after ${after}`);
      line = next.value;
    } while (line[3] === "-");
    if (!line.startsWith(`${code}`)) throw new Error(`SMTP ${after} to ${address}:${port}: ${line}`);
  };
  const send = (command: string, code: number, shown = command) => {
    socket.write(`${command}\r\n`);
    return expect(code, shown);
  };
  try {
    await expect(220, "connect");
    await send("EHLO smtp-batch.invalid", 250);
    for (const [i, m] of messages.entries()) {
      await send(`MAIL FROM:<${m.from}>`, 250);
      await send(`RCPT TO:<${m.to}>`, 250);
      await send("DATA", 354);
      await send(dataLines(m.text), 250, `the text of message ${i + 1}`);
    }
    await send("QUIT", 221);
  } finally {
    socket.destroy();
  }
}
