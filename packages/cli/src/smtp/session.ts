import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

/** One SMTP reply: its code and its lines as received (`250-PIPELINING`, `250 DSN`). */
export interface SmtpReply {
  code: number;
  lines: string[];
}

/** What the guide's test session sends. */
export interface SmtpTestOptions {
  host: string;
  port: number;
  /** Envelope sender (MAIL FROM) and From: header. */
  from: string;
  /** Envelope recipient (RCPT TO) and To: header. */
  to: string;
  /** Name given with EHLO. */
  helo: string;
  subject: string;
  body: string;
  /** Longest wait for the connection and for each reply, in ms. */
  timeoutMs: number;
  /** Called with each line of the dialogue as it happens: client lines as sent, server lines as received. */
  onLine?: (from: "client" | "server", line: string) => void;
}

/** How the session ended. */
export interface SmtpTestResult {
  /** True when the message was accepted for delivery (250 after the data). */
  accepted: boolean;
  /** Postfix's queue id from `250 2.0.0 Ok: queued as 5B69E5E`. */
  queueId?: string;
  /** The step whose reply was not the expected one, e.g. `RCPT TO`. */
  failedStep?: string;
  /** That reply. */
  failedReply?: SmtpReply;
}

/** The server could not be reached or stopped answering; nothing about the message is known. */
export class SmtpConnectionError extends Error {
  /**
   * @param message what happened.
   * @param connected whether a TCP connection was made first (the server then stopped answering).
   */
  constructor(
    message: string,
    readonly connected = true,
  ) {
    super(message);
    this.name = "SmtpConnectionError";
  }
}

/** Reads CRLF (or LF) lines off a socket and groups them into replies. */
class ReplyReader {
  private buffer = "";
  private lines: string[] = [];
  private waiting?: () => void;
  private ended?: Error;

  constructor(socket: Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      let at = this.buffer.indexOf("\n");
      while (at !== -1) {
        this.lines.push(this.buffer.slice(0, at).replace(/\r$/, ""));
        this.buffer = this.buffer.slice(at + 1);
        at = this.buffer.indexOf("\n");
      }
      this.wake();
    });
    socket.on("end", () => this.stop(new SmtpConnectionError("the server closed the connection")));
    socket.on("error", (err) => this.stop(new SmtpConnectionError(err.message)));
  }

  private stop(err: Error): void {
    this.ended ??= err;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  /** The next complete reply (continuation lines `250-...` up to the final `250 ...`). */
  async reply(timeoutMs: number, onLine?: (line: string) => void): Promise<SmtpReply> {
    const lines: string[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.shift();
      if (line !== undefined) {
        onLine?.(line);
        lines.push(line);
        const m = /^(\d{3})([ -]|$)/.exec(line);
        if (!m) throw new SmtpConnectionError(`not an SMTP reply: ${JSON.stringify(line)}`);
        if (m[2] !== "-") return { code: Number(m[1]), lines };
        continue;
      }
      if (this.ended) throw this.ended;
      const left = deadline - Date.now();
      if (left <= 0) throw new SmtpConnectionError(`no reply within ${timeoutMs / 1000} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** RFC 5322 date in UTC: `Wed, 25 Nov 2026 10:00:00 +0000`. */
function rfc5322Date(d: Date): string {
  return d.toUTCString().replace(/GMT$/, "+0000");
}

/** The message: headers a receiver expects (the guide sends Subject only), a blank line, the body, dot-stuffed. */
export function testMessage(
  o: Pick<SmtpTestOptions, "from" | "to" | "subject" | "body" | "helo">,
  now: Date,
): string[] {
  const id = `${now.getTime().toString(36)}.${randomBytes(6).toString("hex")}@${o.helo}`;
  return [
    `From: <${o.from}>`,
    `To: <${o.to}>`,
    `Subject: ${o.subject}`,
    `Date: ${rfc5322Date(now)}`,
    `Message-ID: <${id}>`,
    "",
    ...o.body.split(/\r?\n/),
  ].map((l) => (l.startsWith(".") ? `.${l}` : l));
}

/** One step of a dialogue: the lines to send and the reply codes that let it go on. */
interface DialogueStep {
  step: string;
  lines: string[];
  codes: number[];
}

/** Where a dialogue went: its last reply, and the step that got an unexpected one (if any). */
interface DialogueEnd {
  last?: SmtpReply;
  failedStep?: string;
}

/** What a dialogue needs to know of its options. */
type DialogueOptions = Pick<SmtpTestOptions, "host" | "port" | "timeoutMs" | "onLine">;

/**
 * Connects and runs `steps`, one command at a time; stops at the first
 * unexpected reply. Always ends with QUIT (the server's answer to it is not
 * waited on longer than 5 s) and closes the connection.
 */
async function dialogue(o: DialogueOptions, steps: DialogueStep[]): Promise<DialogueEnd> {
  const socket = connect({ host: o.host, port: o.port });
  socket.setNoDelay(true);
  const reader = new ReplyReader(socket);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new SmtpConnectionError(`no connection within ${o.timeoutMs / 1000} s`, false)),
        o.timeoutMs,
      );
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(new SmtpConnectionError(err.message, false));
      });
    });
    const serverLine = (line: string) => o.onLine?.("server", line);
    const send = (line: string) => {
      o.onLine?.("client", line);
      socket.write(`${line}\r\n`);
    };
    let end: DialogueEnd = {};
    for (const { step, lines, codes } of steps) {
      for (const line of lines) send(line);
      const last = await reader.reply(o.timeoutMs, serverLine);
      end = { last };
      if (!codes.includes(last.code)) {
        end.failedStep = step;
        break;
      }
    }
    send("QUIT");
    await reader.reply(Math.min(o.timeoutMs, 5000), serverLine).catch(() => undefined);
    return end;
  } finally {
    socket.destroy();
  }
}

/** Greeting, EHLO, MAIL FROM and RCPT TO: where every session here starts. */
function envelope(o: Pick<SmtpTestOptions, "helo" | "from" | "to">): DialogueStep[] {
  return [
    { step: "greeting", lines: [], codes: [220] },
    { step: "EHLO", lines: [`EHLO ${o.helo}`], codes: [250] },
    { step: "MAIL FROM", lines: [`MAIL FROM: <${o.from}>`], codes: [250] },
    { step: "RCPT TO", lines: [`RCPT TO: <${o.to}>`], codes: [250, 251] },
  ];
}

/**
 * The guide's test session ("Enable and test", done there with socat):
 * greeting, EHLO, MAIL FROM, RCPT TO, DATA, the message, QUIT, one command
 * at a time. Stops at the first unexpected reply (and says QUIT); the
 * message is accepted only when the data gets 250.
 */
export async function smtpTest(o: SmtpTestOptions): Promise<SmtpTestResult> {
  const end = await dialogue(o, [
    ...envelope(o),
    { step: "DATA", lines: ["DATA"], codes: [354] },
    { step: "end of data", lines: [...testMessage(o, new Date()), "."], codes: [250] },
  ]);
  if (end.failedStep !== undefined) return { accepted: false, failedStep: end.failedStep, failedReply: end.last };
  return { accepted: true, queueId: /queued as ([0-9A-Za-z]+)/.exec(end.last?.lines.join(" ") ?? "")?.[1] };
}

/** What a relay attempt sends: an envelope from one outside address to another. */
export type RelayProbeOptions = Omit<SmtpTestOptions, "subject" | "body">;

/** How a relay attempt ended. */
export interface RelayProbeResult {
  /** True when the server took RCPT TO for the outside address: it relays for this client. */
  relays: boolean;
  /** The step that ended the attempt (`RCPT TO` when the recipient was refused). */
  step: string;
  /** The server's reply at that step. */
  reply?: SmtpReply;
}

/**
 * Tries to relay through the server the way an open-relay scanner does:
 * greeting, EHLO, MAIL FROM an outside address, RCPT TO another outside
 * address, then QUIT. It never sends DATA, so no message is ever relayed.
 */
export async function relayProbe(o: RelayProbeOptions): Promise<RelayProbeResult> {
  const end = await dialogue(o, envelope(o));
  return { relays: end.failedStep === undefined, step: end.failedStep ?? "RCPT TO", reply: end.last };
}
