import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import type { SshConnectionOptions } from "@smartos-mail/pulumi/tools";
import { numberOption } from "../args";
import { CliError, UsageError } from "../errors";

/** The options of every command that logs in to a host over SSH (`parseCommandLine`'s form). */
export const SSH_OPTIONS = {
  fingerprint: { type: "string" },
  port: { type: "string", short: "p" },
  user: { type: "string", short: "l" },
  identity: { type: "string", short: "i" },
} as const;

/** The help lines of {@link SSH_OPTIONS}; `user` says why the default login is root. */
export function sshOptionsHelp(user: string): string {
  return `      --fingerprint FP  the host's key, as \`ssh-keyscan -t ed25519 HOST | ssh-keygen -lf -\`
                        prints it (SHA256:...); any other key is refused. Required.
  -p, --port N          SSH port (default 22)
  -l, --user NAME       login user (default root; ${user})
  -i, --identity FILE   private key; default: ssh-agent (SSH_AUTH_SOCK), else
                        ~/.ssh/id_ed25519, id_ecdsa or id_rsa`;
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

/** A host to log in to: the connection and how to name it in messages (`user@host:port`). */
export interface SshTarget {
  /** The connection, for the tools entry's runners. */
  connection: SshConnectionOptions;
  /** `user@host:port`. */
  name: string;
}

/** The connection the options give, refusing to go on without a well-formed pinned fingerprint. */
export function sshTarget(
  host: string,
  values: { fingerprint?: string; port?: string; user?: string; identity?: string },
  env: NodeJS.ProcessEnv,
): SshTarget {
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
    port: numberOption("port", values.port, { integer: true, min: 1, max: 65535 }),
    user: values.user,
    hostKeyFingerprint: fingerprint,
    ...credentials(values.identity, env),
  };
  return { connection, name: `${connection.user ?? "root"}@${host}:${connection.port ?? 22}` };
}

/**
 * The CliError for what a remote run threw: a bad connection (a usage error), another host key (nothing was
 * run), a command that failed on the host (`remoteHint` says what to do), or no connection at all.
 */
export function sshFailure(
  err: unknown,
  lib: typeof import("@smartos-mail/pulumi/tools"),
  target: SshTarget,
  command: string,
  remoteHint: (code: number | null) => string,
): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof lib.InvalidConnectionError)
    return new UsageError(err.message, `see smartos-mail ${command} --help`);
  if (err instanceof lib.HostKeyMismatchError) {
    return new CliError(
      `${target.name} presented ${err.actual}, not the pinned ${err.expected}; nothing was run`,
      "if the host was rebuilt on purpose, check its new key over a path you trust and pass that --fingerprint",
    );
  }
  if (err instanceof lib.RemoteCommandError) return new CliError(err.message, remoteHint(err.result.code));
  return new CliError(
    (err as Error).message,
    "check the host name, --port, and that the key (--identity or ssh-agent) is authorized for --user",
  );
}
