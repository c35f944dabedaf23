import { z } from "zod";
import { connectionSchema } from "../remote/connection-schema";
import { platformSchema } from "../remote/platform";
import { mailbox, posixUserName } from "../validation/names";
import { absolutePath } from "../validation/paths";

/** zod schema of MailLogReport's inputs: `check` validates with it, the arguments' type derives from it. */
export const mailLogReportSchema = z
  .object({
    /** How to reach the Postfix host, with its pinned host key. The crontab is this login user's. */
    connection: connectionSchema,
    /** Host flavour: `smartos` (pkgin; default) or `linux` (apt; also lx zones). */
    profile: platformSchema,
    /** Where the daily report is mailed: an address or a local user. Default `root` (the guide aliases root to you). */
    reportTo: z.union([mailbox, posixUserName]).default("root"),
    /**
     * The mail log pflogsumm reads. Default: Postfix's `maillog_file` when set, else `/var/log/syslog`
     * (SmartOS) or `/var/log/mail.log` (Debian), resolved on the host.
     */
    logFile: absolutePath.optional(),
    /** Hour (0-23, the host's time zone) the report runs. Default 0. */
    hour: z
      .number()
      .int("must be a whole hour")
      .min(0, "must be an hour 0-23")
      .max(23, "must be an hour 0-23")
      .default(0),
    /** Minute (0-59) the report runs. Default 10. */
    minute: z
      .number()
      .int("must be a whole minute")
      .min(0, "must be a minute 0-59")
      .max(59, "must be a minute 0-59")
      .default(10),
    /** Which day the report covers: `yesterday` (default, for a run after midnight) or `today`. */
    day: z.enum(["yesterday", "today"]).default("yesterday"),
  })
  .strict();

/** MailLogReport's inputs, with defaults applied. */
export type MailLogReportInputs = z.output<typeof mailLogReportSchema>;

/** What the provider stores: the inputs, the log file it resolved and the crontab line found on the host. */
export interface MailLogReportState extends MailLogReportInputs {
  /** The mail log the report reads (resolved on the host when `logFile` is not given). */
  reportedLog: string;
  /** The line in the crontab block after the last change or refresh; null when the block is missing. */
  cronLine: string | null;
  /**
   * SHA-256 of the bounce-class program the line runs, as found after the last change or refresh; null when
   * missing. Absent from state written before the program existed (0.2.0 and earlier).
   */
  scriptSha256?: string | null;
}
