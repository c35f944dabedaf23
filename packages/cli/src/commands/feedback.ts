import { numberOption, parseCommandLine, positionals } from "../args";
import { CliError } from "../errors";
import { renderShaping, renderSuppressions } from "../output/feedback";
import { type Io, Progress, printHelp } from "../output/io";
import { sshFailure, sshLogin, sshLoginHelp, sshLoginOptions } from "../ssh/login";

export const shapingHelp = `Usage: smartos-mail shaping <host> --fingerprint SHA256:... [options]

Shows what DeliveryFeedback's watcher holds on the host now: each recipient
domain it suspended or throttled, until when (UTC), and by which rule.

Options:
${sshLoginHelp("the watcher's files are root's")}
      --json            print the list as JSON

Exit status: 0 shown, 1 the host could not be reached or has no DeliveryFeedback, 2 usage error.
`;

export const suppressionsHelp = `Usage: smartos-mail suppressions <host> --fingerprint SHA256:... [options]

Lists the addresses DeliveryFeedback suppressed on the host (a remote MX said
5.1.1, 5.1.10 or 5.2.1: no such mailbox), so that mail to them bounces at once;
with --remove, takes one off the list first.

Options:
${sshLoginHelp("the watcher's files are root's")}
      --remove ADDRESS  take ADDRESS off the list (mail to it goes out again)
      --json            print the list as JSON

Exit status: 0 shown (or removed), 1 the host could not be reached, has no
DeliveryFeedback, or ADDRESS was not on the list, 2 usage error.
`;

/** `smartos-mail shaping` and `smartos-mail suppressions`: the same read, two views. */
async function feedbackCommand(
  command: "shaping" | "suppressions",
  argv: string[],
  io: Io,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values, positionals: args } = parseCommandLine(command, argv, {
    ...sshLoginOptions,
    port: { type: "string", short: "p" },
    json: { type: "boolean" },
    ...(command === "suppressions" ? { remove: { type: "string" } } : {}),
  });
  if (values.help) return printHelp(io, command === "shaping" ? shapingHelp : suppressionsHelp);
  const [host] = positionals(command, args, ["host"]);
  const remove = (values as { remove?: string }).remove;
  const { connection, target } = sshLogin(
    host,
    values,
    numberOption("port", values.port, { integer: true, min: 1, max: 65535 }),
    env,
  );
  const progress = new Progress(io);
  progress.update(`connecting to ${target}...`);
  // The tools entry has no Pulumi SDK; the SSH client loads when it connects.
  const lib = await import("@smartos-mail/pulumi/tools");
  try {
    let status = await lib.deliveryFeedbackStatus(connection);
    if (remove !== undefined) {
      const address = remove.toLowerCase();
      if (!status.suppressed.some((s) => s.address === address)) {
        throw new CliError(
          `${address} is not suppressed on ${target}`,
          "run smartos-mail suppressions without --remove to see the list",
        );
      }
      status = await lib.deliveryFeedbackStatus(connection, { unsuppress: address });
    }
    progress.clear();
    if (values.json) {
      const shown = command === "shaping" ? { active: status.active } : { suppressed: status.suppressed };
      io.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
    } else {
      io.stdout.write(command === "shaping" ? renderShaping(status) : renderSuppressions(status));
    }
    return 0;
  } catch (err) {
    progress.clear();
    throw sshFailure(err, target, command, (code) =>
      code === lib.NO_WATCHER
        ? "this host has no DeliveryFeedback watcher (/var/db/smartos-mail/feedback/watch.sh); add the resource to its stack"
        : "the watcher's files are root's: log in as root (--user)",
    );
  } finally {
    await lib.closeAllConnections();
  }
}

/** `smartos-mail shaping`. */
export function shapingCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  return feedbackCommand("shaping", argv, io, env);
}

/** `smartos-mail suppressions`. */
export function suppressionsCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  return feedbackCommand("suppressions", argv, io, env);
}
