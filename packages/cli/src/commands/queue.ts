import type { QshapeQueue } from "@smartos-mail/pulumi/tools";
import { numberOption, parseCommandLine, positionals } from "../args";
import { CliError, UsageError } from "../errors";
import { type Io, Progress, printHelp } from "../output/io";
import { renderQueueShape } from "../output/queue";
import { sshFailure, sshLogin, sshLoginHelp, sshLoginOptions } from "../ssh/login";

const QUEUES = ["incoming", "active", "deferred", "hold", "maildrop"];

export const queueHelp = `Usage: smartos-mail queue <host> --fingerprint SHA256:... [options]

Runs Postfix's qshape on the host over SSH (the guide's "Qshape") and shows how
many messages wait for each domain and for how long.

Options:
${sshLoginHelp("qshape must read the queue")}
  -b, --buckets N       number of age columns, the last open-ended (qshape -b; default 10)
  -t, --minutes M       minutes of the first age column, doubling after (qshape -t; default 5)
  -q, --queue NAME      incoming, active, deferred, hold or maildrop (repeat;
                        default: incoming and active, as qshape)
  -s, --by-sender       count by sender domain instead of recipient domain
      --json            print the table as JSON

Exit status: 0 shown, 1 the host could not be reached or qshape failed, 2 usage error.
`;

/** `smartos-mail queue`. */
export async function queueCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals: args } = parseCommandLine("queue", argv, {
    ...sshLoginOptions,
    port: { type: "string", short: "p" },
    buckets: { type: "string", short: "b" },
    minutes: { type: "string", short: "t" },
    queue: { type: "string", short: "q", multiple: true },
    "by-sender": { type: "boolean", short: "s" },
    json: { type: "boolean" },
  });
  if (values.help) return printHelp(io, queueHelp);
  const [host] = positionals("queue", args, ["host"]);
  const queues = values.queue ?? [];
  for (const q of queues) {
    if (!QUEUES.includes(q)) throw new UsageError(`--queue "${q}" is not one of ${QUEUES.join(", ")}`);
  }
  const options = {
    queues: queues as QshapeQueue[],
    buckets: numberOption("buckets", values.buckets, { integer: true, min: 1, max: 40 }),
    bucketMinutes: numberOption("minutes", values.minutes, { above: 0 }),
    bySender: values["by-sender"] ?? false,
  };
  const { connection, target } = sshLogin(
    host,
    values,
    numberOption("port", values.port, { integer: true, min: 1, max: 65535 }),
    env,
  );
  const progress = new Progress(io);
  progress.update(`connecting to ${target} and running qshape...`);
  // qshape over SSH is in the tools entry (no Pulumi SDK); the SSH client loads when it connects.
  const lib = await import("@smartos-mail/pulumi/tools");
  try {
    const shape = await lib.queueShape(connection, options);
    progress.clear();
    io.stdout.write(values.json ? `${JSON.stringify(shape, null, 2)}\n` : renderQueueShape(shape));
    return 0;
  } catch (err) {
    progress.clear();
    if (err instanceof lib.QshapeParseError) {
      throw new CliError(err.message, "run qshape on the host by hand to see what it prints");
    }
    throw sshFailure(err, target, "queue", (code) =>
      code === 127
        ? "install Postfix's qshape on the host (Debian: the postfix package; SmartOS: pkgsrc postfix)"
        : "qshape reads the queue directories: log in as root or Postfix's mail_owner (--user)",
    );
  } finally {
    await lib.closeAllConnections();
  }
}
