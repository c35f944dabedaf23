import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { ArchiveApplied } from "../archive/host";
import type { MailArchiveState, mailArchiveSchema } from "../schemas/mail-archive";
import { type HostArgs, HostResource } from "./host-resource";

/**
 * Arguments of {@link MailArchive}, derived from its schema (fields: the README's field table).
 * With `remoteAddress` set, only `connection` and `profile` may go with it.
 */
export type MailArchiveArgs = HostArgs<z.input<typeof mailArchiveSchema>>;

/**
 * The guide's mail archive on one Postfix host: `always_bcc` sends a copy of
 * every message to a local archive address, whose alias appends it to the
 * mbox `<directory>/current` (local(8) writes it as `nobody`). A rotation
 * script, run daily by cron from an entry of its own in the crontab (other
 * entries are left alone), moves the mbox to `YEAR/DATE` under the Postfix
 * dotlock, so no message being appended is lost, compresses it with `xz -9`,
 * and deletes archives older than `retentionDays` unless the hold file exists.
 * With `remoteAddress`, `always_bcc` points there and nothing is stored locally.
 *
 * On SmartOS, `quotaGiB` puts the archive on a ZFS dataset of its own.
 *
 * Delete puts `always_bcc` back as it was and removes the alias, the crontab
 * entry and the script, but **keeps the directory (and its dataset) and every archived message**:
 * removing those is left to a person, since the archive may be under legal hold.
 */
export class MailArchive extends HostResource {
  /** What was live on the host after the last change or refresh. */
  declare readonly applied: pulumi.Output<ArchiveApplied>;
  /** always_bcc from before this resource took it over; restored when it is deleted. */
  declare readonly previous: pulumi.Output<MailArchiveState["previous"]>;

  /**
   * @param name the resource name.
   * @param args the archive; see {@link MailArchiveArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: MailArchiveArgs, opts?: pulumi.CustomResourceOptions) {
    super("mailArchive", name, args, opts);
  }
}
