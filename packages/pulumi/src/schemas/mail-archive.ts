import { z } from "zod";
import type { ArchiveApplied } from "../archive/host";
import { connectionSchema } from "../remote/connection-schema";
import { platformSchema } from "../remote/platform";
import { isHostname, mailbox } from "../validation/names";
import { absolutePath } from "../validation/paths";

/** The guide's choices for a local archive. */
export const ARCHIVE_DEFAULTS = {
  address: "mailarchive@localhost",
  directory: "/var/mail/archive",
  retentionDays: 1096,
  scriptPath: "/root/scripts/mail_rotate.sh",
  schedule: "0 0 * * *",
} as const;

const localAddress = z.string().refine(
  (v) => {
    const [local, domain, ...more] = v.split("@");
    return more.length === 0 && domain !== undefined && /^[a-z0-9][a-z0-9._-]{0,63}$/.test(local) && isHostname(domain);
  },
  {
    message:
      "must be a local address such as mailarchive@localhost; its part before the @ becomes an alias name: lowercase letters, digits, '.', '_', '-'",
  },
);

/** The fields of a local archive: none of them may go with `remoteAddress`. */
const LOCAL_FIELDS = [
  "address",
  "directory",
  "quotaGiB",
  "retentionDays",
  "holdFile",
  "scriptPath",
  "schedule",
] as const;

/**
 * zod schema of MailArchive's inputs: `check` validates with it, the arguments' type derives from it.
 * With `remoteAddress` set, only `connection` and `profile` may go with it.
 */
export const mailArchiveSchema = z
  .object({
    /** How to reach the Postfix host, with its pinned host key. */
    connection: connectionSchema,
    /** Host flavour: `smartos` (pkgsrc, SMF; default) or `linux` (Debian/Ubuntu, also lx zones). */
    profile: platformSchema,
    /**
     * The local archive address put in `always_bcc`. Default `mailarchive@localhost`, as the guide.
     * Its domain must be in `mydestination`; its local part becomes the alias to the mbox.
     */
    address: localAddress.optional(),
    /**
     * The archive directory. Default `/var/mail/archive`, as the guide. Made owned by Postfix's
     * `default_privs` user (`nobody`, the user local(8) writes files as) with mode 700.
     */
    directory: absolutePath.optional(),
    /**
     * Profile smartos only: give the archive its own ZFS dataset with this quota in GiB, as the
     * guide's `zfs create -o quota=500G zones/$UUID/data/mail/archive`. It is made a child of the
     * dataset mounted at the directory's parent (ZoneDatasets' mail dataset at /var/mail), so it
     * mounts at the directory; an existing dataset there just gets the quota. Delete keeps it.
     * Default: none, the directory stays on the dataset it is in.
     */
    quotaGiB: z.number().int("must be a whole number of GiB").min(1, "must be at least 1 GiB").optional(),
    /** Archives dated more than this many days ago are deleted by the daily rotation. Default 1096 (3 years), as the guide. */
    retentionDays: z
      .number()
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .max(36525, "must be at most 36525 days (100 years)")
      .optional(),
    /** Legal hold: while this file exists the rotation deletes nothing. Default `<directory>/hold`, as the guide. */
    holdFile: absolutePath.optional(),
    /** Where the rotation script is installed. Default `/root/scripts/mail_rotate.sh`, as the guide. */
    scriptPath: absolutePath.optional(),
    /** When cron runs the rotation, five crontab time fields. Default `0 0 * * *` (midnight), as the guide. */
    schedule: z
      .string()
      .regex(
        /^([0-9*,/-]+ ){4}[0-9*,/-]+$/,
        'must be five crontab time fields such as "0 0 * * *" (digits, "*", ",", "-", "/")',
      )
      .optional(),
    /**
     * Archive elsewhere instead (e.g. an archiving service): `always_bcc` is this address and
     * nothing is stored on this host. The guide's choice once there is more than one SMTP server.
     * Only `connection` and `profile` may go with it.
     */
    remoteAddress: mailbox.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.quotaGiB !== undefined && v.profile !== "smartos") {
      ctx.addIssue({
        code: "custom",
        path: ["quotaGiB"],
        message: `gives the archive a ZFS dataset of its own, which only profile smartos has (this is ${v.profile}): remove it`,
      });
    }
    if (v.remoteAddress === undefined) return;
    for (const field of LOCAL_FIELDS) {
      if (v[field] !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [field],
          message: "is for a local archive; with remoteAddress nothing is kept on this host, so remove it",
        });
      }
    }
  });

/** Validated MailArchive inputs. */
export type MailArchiveInputs = z.output<typeof mailArchiveSchema>;

/** What the provider stores: the inputs, what is live on the host, and what it replaced. */
export interface MailArchiveState extends MailArchiveInputs {
  /** What was live after the last change or refresh. */
  applied: ArchiveApplied;
  /** always_bcc from before this resource took it over (null: unset); restored on delete. */
  previous: { alwaysBcc: string | null };
}
