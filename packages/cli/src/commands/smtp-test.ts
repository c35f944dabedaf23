import { parseCommandLine, positionals } from "../args";
import { CliError, UsageError } from "../errors";
import { type Io, printHelp } from "../output/io";
import { addressOption, heloOption, smtpHost, smtpPort, smtpSessionOptions, timeoutOption } from "../smtp/options";
import { SmtpConnectionError, smtpTest } from "../smtp/session";

export const smtpTestHelp = `Usage: smartos-mail smtp-test <host> --from ADDRESS --to ADDRESS [options]

The guide's test message ("Enable and test", there with socat), from this
machine: EHLO, MAIL FROM, RCPT TO, DATA, QUIT over TCP, one command at a time.
Prints the dialogue (server lines start with a 3-digit code) and the queue id.

Options:
      --from ADDRESS    envelope sender and From: header (required)
      --to ADDRESS      envelope recipient and To: header (required)
  -p, --port N          SMTP port (default 25)
      --helo NAME       name given with EHLO (default: this machine's host name)
      --subject TEXT    default "Test Email"
      --timeout S       seconds to wait for the connection and each reply (default 30)

Exit status: 0 queued (250 after the data), 1 any other reply or no connection,
2 usage error.
`;

/** `smartos-mail smtp-test`. */
export async function smtpTestCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals: args } = parseCommandLine("smtp-test", argv, {
    ...smtpSessionOptions,
    helo: { type: "string" },
    subject: { type: "string" },
  });
  if (values.help) return printHelp(io, smtpTestHelp);
  const [host] = positionals("smtp-test", args, ["host"]);
  smtpHost(`"${host}"`, host);
  const from = addressOption("smtp-test", "from", values.from);
  const to = addressOption("smtp-test", "to", values.to);
  const helo = heloOption(values.helo);
  const subject = values.subject ?? "Test Email";
  if (/[\r\n]/.test(subject)) throw new UsageError("--subject must be one line");
  const port = smtpPort(values.port);
  const timeoutMs = timeoutOption(values.timeout);
  try {
    const result = await smtpTest({
      host,
      port,
      from,
      to,
      helo,
      subject,
      body: "This is a test email",
      timeoutMs,
      onLine: (_from, line) => io.stdout.write(`${line}\n`),
    });
    if (!result.accepted) {
      const reply = result.failedReply?.lines.join(" / ") ?? "";
      throw new CliError(
        `${result.failedStep} was answered ${reply}; the message was not queued`,
        result.failedStep === "RCPT TO" && result.failedReply?.code === 454
          ? `this machine may not relay through ${host}: send to a domain the server receives for, or add this machine to its mynetworks`
          : "the server's log (maillog_file or syslog) says why",
      );
    }
    io.stdout.write(`queue id: ${result.queueId ?? "(none given)"}\n`);
    return 0;
  } catch (err) {
    if (err instanceof SmtpConnectionError) {
      throw new CliError(
        `SMTP with ${host}:${port}: ${err.message}`,
        "is Postfix running and listening there (inet_interfaces), and does no firewall drop port 25 from this machine?",
      );
    }
    throw err;
  }
}
