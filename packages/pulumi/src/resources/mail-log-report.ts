import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { mailLogReportSchema } from "../schemas/mail-log-report";
import { type HostArgs, HostResource } from "./host-resource";

/** Arguments of {@link MailLogReport}, derived from its schema (fields: the README's field table). */
export type MailLogReportArgs = HostArgs<z.input<typeof mailLogReportSchema>>;

/**
 * The guide's log analysis: pflogsumm installed (pkgin or apt) and a daily
 * report of deliveries, deferrals, bounces and rejects per domain mailed by
 * cron, from a marked entry in the login user's crontab (other entries stay),
 * followed by the day's undelivered recipients by bounce class (the classes
 * DeliveryFeedback's suppression uses), counted by a small awk program in
 * /var/db/smartos-mail/mail-log-report. Delete removes the entry and the
 * program; the pflogsumm package stays installed.
 */
export class MailLogReport extends HostResource {
  /** The mail log the report reads. */
  declare readonly reportedLog: pulumi.Output<string>;
  /** The crontab line as found on the host. */
  declare readonly cronLine: pulumi.Output<string | null>;
  /** SHA-256 of the bounce-class program as found on the host (null: missing; absent from state written by 0.2.0 or earlier). */
  declare readonly scriptSha256: pulumi.Output<string | null | undefined>;

  /**
   * @param name the resource name.
   * @param args the schedule; see {@link MailLogReportArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: MailLogReportArgs, opts?: pulumi.CustomResourceOptions) {
    super("mailLogReport", name, args, opts);
  }
}
