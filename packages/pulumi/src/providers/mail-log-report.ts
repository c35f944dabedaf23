import { randomUUID } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { installPflogsumm, REPORT_CRON_OWNER, reportCronLine, resolveLogFile } from "../monitoring/pflogsumm";
import { type ConnectionArgs, connectionSchema, secretConnection } from "../remote/connection";
import { putCronBlock, removeCronBlock, showCronBlock } from "../remote/crontab";
import { withRemoteLock } from "../remote/lock";
import { type PlatformName, platform, platformSchema } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { prelude } from "../remote/script-prelude";
import { parseSections, section } from "../remote/sections";
import { joinScripts } from "../remote/shell";
import { mailbox, posixUserName } from "../validation/names";
import { absolutePath } from "../validation/paths";
import { checkWithSchema, storedInputs } from "./check";
import { dynamicProvider, dynamicResourceOptions } from "./dynamic";
import { connectionChanged, hostReplaces } from "./host-diff";

/** zod schema of MailLogReport's inputs, used by `check`. */
export const mailLogReportSchema = z
  .object({
    connection: connectionSchema,
    profile: platformSchema,
    reportTo: z.union([mailbox, posixUserName]).default("root"),
    logFile: absolutePath.optional(),
    hour: z
      .number()
      .int("must be a whole hour")
      .min(0, "must be an hour 0-23")
      .max(23, "must be an hour 0-23")
      .default(0),
    minute: z
      .number()
      .int("must be a whole minute")
      .min(0, "must be a minute 0-59")
      .max(59, "must be a minute 0-59")
      .default(10),
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
}

function lineFor(v: MailLogReportInputs, log: string): string {
  return reportCronLine(platform(v.profile).path, { ...v, logFile: log });
}

function cronLineOf(sections: Record<string, string>): string | null {
  const text = (sections.cron ?? "").trim();
  return text === "" ? null : text;
}

async function apply(news: MailLogReportInputs): Promise<MailLogReportState> {
  const p = platform(news.profile);
  const host = new RemoteHost(news.connection);
  const user = news.connection.user;
  // The log is resolved first, in the same command, so the line names a real path.
  const found = await host.run(joinScripts([prelude(p), section("log", resolveLogFile(news.profile, news.logFile))]), {
    step: "find the mail log",
  });
  const log = (parseSections(found.stdout).log ?? "").trim();
  const result = await host.exclusive(() =>
    host.run(
      joinScripts([
        prelude(p),
        withRemoteLock(
          joinScripts([installPflogsumm(news.profile), putCronBlock(user, REPORT_CRON_OWNER, lineFor(news, log))]),
        ),
        section("cron", showCronBlock(user, REPORT_CRON_OWNER)),
      ]),
      { step: "schedule the pflogsumm report" },
    ),
  );
  return { ...news, reportedLog: log, cronLine: cronLineOf(parseSections(result.stdout)) };
}

function parseInputs(raw: Record<string, unknown>): MailLogReportInputs {
  return storedInputs(mailLogReportSchema, raw, ["reportedLog", "cronLine"]);
}

function parseState(raw: Record<string, unknown>): MailLogReportState {
  const s = raw as unknown as MailLogReportState;
  return { ...parseInputs(raw), reportedLog: s.reportedLog, cronLine: s.cronLine };
}

/** The MailLogReport hooks, run by the engine's dynamic-provider host. */
export const mailLogReportProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkWithSchema(mailLogReportSchema, news);
  },

  async diff(_id, olds, news) {
    const old = parseState(olds);
    const next = parseInputs(news);
    const replaces = hostReplaces(old, next);
    if (old.connection.user !== next.connection.user) replaces.push("connection.user");
    const log = next.logFile ?? (old.logFile === undefined ? old.reportedLog : undefined);
    const changes =
      replaces.length > 0 || connectionChanged(old, next) || log === undefined || old.cronLine !== lineFor(next, log);
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const news = parseInputs(inputs);
    return { id: `${news.connection.host}/mail-log-report/${randomUUID()}`, outs: await apply(news) };
  },

  async read(id, props) {
    const old = parseState(props);
    const host = new RemoteHost(old.connection);
    const result = await host.run(
      joinScripts([
        prelude(platform(old.profile)),
        section("cron", showCronBlock(old.connection.user, REPORT_CRON_OWNER)),
      ]),
      { step: "read the pflogsumm schedule" },
    );
    return { id, props: { ...old, cronLine: cronLineOf(parseSections(result.stdout)) } };
  },

  async update(_id, _olds, news) {
    return { outs: await apply(parseInputs(news)) };
  },

  async delete(_id, props) {
    const old = parseState(props);
    const host = new RemoteHost(old.connection);
    await host.exclusive(() =>
      host.run(
        joinScripts([
          prelude(platform(old.profile)),
          withRemoteLock(removeCronBlock(old.connection.user, REPORT_CRON_OWNER)),
        ]),
        { step: "remove the pflogsumm schedule" },
      ),
    );
  },
};

// ---------------------------------------------------------------- resource

/** Arguments of {@link MailLogReport}. */
export interface MailLogReportArgs {
  /** How to reach the Postfix host, with its pinned host key. The crontab is this login user's. */
  connection: ConnectionArgs;
  /** Host flavour: `smartos` (pkgin; default) or `linux` (apt; also lx zones). */
  profile?: pulumi.Input<PlatformName>;
  /** Where the daily report is mailed: an address or a local user. Default `root` (the guide aliases root to you). */
  reportTo?: pulumi.Input<string>;
  /**
   * The mail log pflogsumm reads. Default: Postfix's `maillog_file` when set, else `/var/log/syslog`
   * (SmartOS) or `/var/log/mail.log` (Debian), resolved on the host.
   */
  logFile?: pulumi.Input<string>;
  /** Hour (0-23, the host's time zone) the report runs. Default 0. */
  hour?: pulumi.Input<number>;
  /** Minute (0-59) the report runs. Default 10. */
  minute?: pulumi.Input<number>;
  /** Which day the report covers: `yesterday` (default, for a run after midnight) or `today`. */
  day?: pulumi.Input<"yesterday" | "today">;
}

/**
 * The guide's log analysis: pflogsumm installed (pkgin or apt) and a daily
 * report of deliveries, deferrals, bounces and rejects per domain mailed by
 * cron, from a marked entry in the login user's crontab (other entries stay).
 * Delete removes the entry; the pflogsumm package stays installed.
 */
export class MailLogReport extends pulumi.dynamic.Resource {
  /** The mail log the report reads. */
  declare readonly reportedLog: pulumi.Output<string>;
  /** The crontab line as found on the host. */
  declare readonly cronLine: pulumi.Output<string | null>;

  /**
   * @param name the resource name.
   * @param args the schedule; see {@link MailLogReportArgs}.
   * @param opts resource options.
   */
  constructor(name: string, args: MailLogReportArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dynamicProvider("mailLogReport"),
      name,
      { ...args, connection: secretConnection(args.connection), reportedLog: undefined, cronLine: undefined },
      dynamicResourceOptions("MailLogReport", name, opts),
      "smartos-mail",
      "MailLogReport",
    );
  }
}
