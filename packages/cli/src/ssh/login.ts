import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import {
  HostKeyMismatchError,
  InvalidConnectionError,
  RemoteCommandError,
  type SshConnectionOptions,
} from "@smartos-mail/pulumi/tools";
import { CliError, UsageError } from "../errors";

/**
 * The login options of commands that run something on a host over SSH. The
 * port is each command's own (`queue -p`; `check --ssh-port`, as check's `-p`
 * is --relay's SMTP port).
 */
export const sshLoginOptions = {
  fingerprint: { type: "string" },
  user: { type: "string", short: "l" },
  identity: { type: "string", short: "i" },
} as const;

/**
 * The help lines of the SSH login options and `-p, --port`, as the commands
 * whose `-p` is the SSH port print them; `why` says why the default user is root.
 */
export function sshLoginHelp(why: string): string {
  return `      --fingerprint FP  the host's key, as \`ssh-keyscan -t ed25519 HOST | ssh-keygen -lf -\`
                        prints it (SHA256:...); any other key is refused. Required.
  -p, --port N          SSH port (default 22)
  -l, --user NAME       login user (default root; ${why})
  -i, --identity FILE   private key; default: ssh-agent (SSH_AUTH_SOCK), else
                        ~/.ssh/id_ed25519, id_ecdsa or id_rsa`;
}

/** The values of {@link sshLoginOptions}. */
export interface SshLoginValues {
  fingerprint?: string;
  user?: string;
  identity?: string;
}

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

/**
 * The connection to `host`, its key pinned by --fingerprint (required: no
 * command reaches a host whose key was not given), and its `user@host:port`.
 */
export function sshLogin(
  host: string,
  values: SshLoginValues,
  port: number | undefined,
  env: NodeJS.ProcessEnv,
): { connection: SshConnectionOptions; target: string } {
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
  const connection = {
    host,
    port,
    user: values.user,
    hostKeyFingerprint: fingerprint,
    ...credentials(values.identity, env),
  };
  return { connection, target: `${values.user ?? "root"}@${host}:${port ?? 22}` };
}

/**
 * The error to show for a failed run on `target`: a refused host key, a bad
 * connection, the remote command's own failure (with `remoteHint` for its
 * exit code), or a connection that failed.
 */
export function sshFailure(
  err: unknown,
  target: string,
  command: string,
  remoteHint: (code: number | null) => string,
): CliError {
  if (err instanceof InvalidConnectionError) return new UsageError(err.message, `see smartos-mail ${command} --help`);
  if (err instanceof HostKeyMismatchError) {
    return new CliError(
      `${target} presented ${err.actual}, not the pinned ${err.expected}; nothing was run`,
      "if the host was rebuilt on purpose, check its new key over a path you trust and pass that --fingerprint",
    );
  }
  if (err instanceof RemoteCommandError) return new CliError(err.message, remoteHint(err.result.code));
  if (err instanceof CliError) return err;
  return new CliError(
    (err as Error).message,
    `check the host name, the SSH port, and that the key (--identity or ssh-agent) is authorized for --user`,
  );
}
