import { CliError, UsageError } from "./errors";
import type { Io } from "./output/io";

export const mainHelp = `Usage: smartos-mail <command> [options]

Commands:
  check <domain>       SPF, DKIM, ADSP, DMARC, reverse DNS and HELO SPF of a sending
                       domain; with --dnsbl, the blocklists; with --host HOST,
                       whether HOST's resolver validates DNSSEC (DANE needs it);
                       with --relay HOST, whether HOST relays mail for this machine
  queue <host>         qshape over SSH: messages waiting, by domain and age
  plan storage         the guide's storage model: peak sizes and quotas
  smtp-test <host>     the guide's SMTP test session, from this machine

Run smartos-mail <command> --help for its options and exit status.
Errors print one "error:" line and a "hint:" line; usage errors exit 2.
`;

/** A message on one line: control characters (a newline in a value the user gave) written as escapes. */
function oneLine(text: string): string {
  return [...text]
    .map((c) => {
      const code = c.charCodeAt(0);
      if (code === 0x7f) return "\\u007f";
      return code < 0x20 ? JSON.stringify(c).slice(1, -1) : c;
    })
    .join("");
}

const COMMANDS = ["check", "queue", "plan", "smtp-test"] as const;

/**
 * Runs one command line and returns the exit code. Each command's module is
 * loaded only when it runs; none loads the Pulumi SDK (they use
 * `@smartos-mail/pulumi/tools`), and only `queue` and `check --host` the SSH
 * client.
 */
export async function run(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "check":
        return await (await import("./commands/check")).checkCommand(rest, io, env);
      case "queue":
        return await (await import("./commands/queue")).queueCommand(rest, io, env);
      case "plan":
        return await (await import("./commands/plan")).planCommand(rest, io);
      case "smtp-test":
        return await (await import("./commands/smtp-test")).smtpTestCommand(rest, io);
      case undefined:
        io.stderr.write(mainHelp);
        return 2;
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(mainHelp);
        return 0;
      default:
        throw new UsageError(
          `unknown command "${command}"`,
          `the commands are ${COMMANDS.join(", ")}; see smartos-mail --help`,
        );
    }
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`error: ${oneLine(err.message)}\n`);
      const hint = err.hint ?? (err instanceof UsageError ? `see smartos-mail ${command} --help` : undefined);
      if (hint) io.stderr.write(`hint: ${hint}\n`);
      return err.exitCode;
    }
    io.stderr.write(`error: ${oneLine(String((err as Error).message ?? err))}\n`);
    if (env.SMARTOS_MAIL_DEBUG) io.stderr.write(`${(err as Error).stack}\n`);
    else io.stderr.write("hint: this is unexpected: set SMARTOS_MAIL_DEBUG=1 for the stack trace and report it\n");
    return 1;
  }
}
