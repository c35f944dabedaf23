import { z } from "zod";
import { hasControlChars, hostnameOrIp, posixUserName, tcpPort } from "../validation/names";

/**
 * zod schema of how a provider reaches a host over SSH (`ConnectionArgs` in `connection.ts`); secrets are never
 * echoed in its messages. Shaped like `@pulumi/command`'s `remote.Connection`, plus the pinned host key.
 */
export const connectionSchema = z
  .object({
    /** Host name or IP address of the zone (or any host) to manage. */
    host: hostnameOrIp,
    /** SSH port. Default 22. */
    port: tcpPort.default(22),
    /** Login user. Default `root` (the guide runs every step as root). */
    user: posixUserName.default("root"),
    /** Private key (OpenSSH or PEM text). Stored as a Pulumi secret. Either this or `agentSocket`. */
    privateKey: z
      .string()
      .refine((k) => /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(k.trim()), {
        message: "must be the text of a private key starting with -----BEGIN ... PRIVATE KEY----- (value not shown)",
      })
      .optional(),
    /** Passphrase of `privateKey`, if it has one. Stored as a Pulumi secret. */
    privateKeyPassword: z.string().optional(),
    /** Path of an SSH agent socket to authenticate with instead of `privateKey`. */
    agentSocket: z
      .string()
      .startsWith("/", "must be an absolute path to the agent socket")
      .refine((v) => !hasControlChars(v), { message: "must be a socket path without control characters" })
      .optional(),
    /**
     * The host's key fingerprint as `ssh-keygen -lf` prints it (`SHA256:` + 43 base64 characters).
     * Any other key is refused before a command runs. Get it with
     * `ssh-keyscan -t ed25519 HOST | ssh-keygen -lf -` over a trusted path.
     */
    hostKeyFingerprint: z
      .string()
      .regex(
        /^SHA256:[A-Za-z0-9+/]{43}$/,
        "must be SHA256:<43 base64 chars>, as printed by `ssh-keyscan -t ed25519 HOST | ssh-keygen -lf -`",
      ),
  })
  .strict()
  .refine((c) => c.privateKey !== undefined || c.agentSocket !== undefined, {
    message: "set privateKey (a secret) or agentSocket so the provider can log in",
    path: ["privateKey"],
  });
