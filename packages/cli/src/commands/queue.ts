import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import type { QshapeQueue } from "@smartos-mail/pulumi/tools";
import { numberOption, parseCommandLine, positionals } from "../args";
import { CliError, UsageError } from "../errors";
import { type Io, Progress, printHelp } from "../output/io";
import { renderQueueShape } from "../output/queue";

const QUEUES = ["incoming", "active", "deferred", "hold", "maildrop"];

export const queueHelp = `Usage: smartos-mail queue <host> --fingerprint SHA256:... [options]

Runs Postfix's qshape on the host over SSH (the guide's "Qshape") and shows how
many messages wait for each domain and for how long.

Options:
      --fingerprint FP  the host's key, as \`ssh-keyscan -t ed25519 HOST | ssh-keygen -lf -\`
                        prints it (SHA256:...); any other key is refused. Required.
  -p, --port N          SSH port (default 22)
  -l, --user NAME       login user (default root; qshape must read the queue)
  -i, --identity FILE   private key; default: ssh-agent (SSH_AUTH_SOCK), else
                        ~/.ssh/id_ed25519, id_ecdsa or id_rsa
  -b, --buckets N       number of age columns, the last open-ended (qshape -b; default 10)
  -t, --minutes M       minutes of the first age column, doubling after (qshape -t; default 5)
  -q, --queue NAME      incoming, active, deferred, hold or maildrop (repeat;
                        default: incoming and active, as qshape)
  -s, --by-sender       count by sender domain instead of recipient domain
      --json            print the table as JSON

Exit status: 0 shown, 1 the host could not be reached or qshape failed, 2 usage error.
`;

/** Which key logs in: the --identity file, else the agent, else the usual key files. */
function credentials(
  identity: string | undefined,
  env: NodeJS.ProcessEnv,
): { privateKey?: string; agentSocket?: string } {
  const read = (file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch (err) {
      throw new CliError(
        `cannot read the identity file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
        "give the path of your private key (not the .pub file)",
      );
    }
  };
  if (identity !== undefined) return { privateKey: read(identity) };
  if (env.SSH_AUTH_SOCK) return { agentSocket: env.SSH_AUTH_SOCK };
  for (const name of ["id_ed25519", "id_ecdsa", "id_rsa"]) {
    const file = path.join(homedir(), ".ssh", name);
    try {
      return { privateKey: readFileSync(file, "utf8") };
    } catch {
      // try the next one
    }
  }
  throw new UsageError("no key to log in with", "pass --identity FILE, or start ssh-agent and add your key");
}

/** `smartos-mail queue`. */
export async function queueCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals: args } = parseCommandLine("queue", argv, {
    fingerprint: { type: "string" },
    port: { type: "string", short: "p" },
    user: { type: "string", short: "l" },
    identity: { type: "string", short: "i" },
    buckets: { type: "string", short: "b" },
    minutes: { type: "string", short: "t" },
    queue: { type: "string", short: "q", multiple: true },
    "by-sender": { type: "boolean", short: "s" },
    json: { type: "boolean" },
  });
  if (values.help) return printHelp(io, queueHelp);
  const [host] = positionals("queue", args, ["host"]);
  const fingerprint = values.fingerprint;
  if (fingerprint === undefined) {
    throw new UsageError(
      "refusing to connect without the host's key fingerprint (--fingerprint)",
      `get it over a path you trust (the zone's console, zlogin): ssh-keyscan -t ed25519 ${host} | ssh-keygen -lf -`,
    );
  }
  if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(fingerprint)) {
    throw new UsageError(
      `--fingerprint "${fingerprint}" is not SHA256:<43 base64 characters>`,
      "copy it as ssh-keygen -lf prints it",
    );
  }
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
  const connection = {
    host,
    port: numberOption("port", values.port, { integer: true, min: 1, max: 65535 }),
    user: values.user,
    hostKeyFingerprint: fingerprint,
    ...credentials(values.identity, env),
  };
  const target = `${connection.user ?? "root"}@${host}:${connection.port ?? 22}`;
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
    if (err instanceof lib.InvalidConnectionError) throw new UsageError(err.message, "see smartos-mail queue --help");
    if (err instanceof lib.HostKeyMismatchError) {
      throw new CliError(
        `${target} presented ${err.actual}, not the pinned ${err.expected}; nothing was run`,
        "if the host was rebuilt on purpose, check its new key over a path you trust and pass that --fingerprint",
      );
    }
    if (err instanceof lib.RemoteCommandError) {
      throw new CliError(
        err.message,
        err.result.code === 127
          ? "install Postfix's qshape on the host (Debian: the postfix package; SmartOS: pkgsrc postfix)"
          : "qshape reads the queue directories: log in as root or Postfix's mail_owner (--user)",
      );
    }
    if (err instanceof lib.QshapeParseError) {
      throw new CliError(err.message, "run qshape on the host by hand to see what it prints");
    }
    throw new CliError(
      (err as Error).message,
      "check the host name, --port, and that the key (--identity or ssh-agent) is authorized for --user",
    );
  } finally {
    await lib.closeAllConnections();
  }
}
