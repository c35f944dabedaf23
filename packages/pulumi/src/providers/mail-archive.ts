import { randomUUID } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  type ArchiveApplied,
  type ArchiveEdit,
  alwaysBccBefore,
  archiveEditScript,
  isEmptyArchiveEdit,
  type LocalArchive,
  parseArchiveApplied,
  showArchive,
} from "../archive/host";
import { rotationScript, scriptSha256 } from "../archive/rotation-script";
import { type ConnectionArgs, connectionSchema, sameMachine, secretConnection } from "../remote/connection";
import { type PlatformName, platform, platformSchema } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { prelude } from "../remote/script-prelude";
import { parseSections } from "../remote/sections";
import { joinScripts } from "../remote/shell";
import { isHostname, mailbox } from "../validation/names";
import { absolutePath } from "../validation/paths";
import { checkWithSchema, storedInputs } from "./check";
import { dynamicProvider, dynamicResourceOptions } from "./dynamic";

// ---------------------------------------------------------------- inputs

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

const LOCAL_FIELDS = [
  "address",
  "directory",
  "quotaGiB",
  "retentionDays",
  "holdFile",
  "scriptPath",
  "schedule",
] as const;

/** zod schema of MailArchive's inputs, used by `check`. */
export const mailArchiveSchema = z
  .object({
    connection: connectionSchema,
    profile: platformSchema,
    address: localAddress.optional(),
    directory: absolutePath.optional(),
    quotaGiB: z.number().int("must be a whole number of GiB").min(1, "must be at least 1 GiB").optional(),
    retentionDays: z
      .number()
      .int("must be a whole number of days")
      .min(1, "must be at least 1 day")
      .max(36525, "must be at most 36525 days (100 years)")
      .optional(),
    holdFile: absolutePath.optional(),
    scriptPath: absolutePath.optional(),
    schedule: z
      .string()
      .regex(
        /^([0-9*,/-]+ ){4}[0-9*,/-]+$/,
        'must be five crontab time fields such as "0 0 * * *" (digits, "*", ",", "-", "/")',
      )
      .optional(),
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

// ---------------------------------------------------------------- model

/** The local archive the inputs describe, defaults applied; null for a remote archive. */
export function localArchive(i: MailArchiveInputs): LocalArchive | null {
  if (i.remoteAddress !== undefined) return null;
  const address = i.address ?? ARCHIVE_DEFAULTS.address;
  const [aliasName, domain] = address.split("@");
  const directory = i.directory ?? ARCHIVE_DEFAULTS.directory;
  const scriptPath = i.scriptPath ?? ARCHIVE_DEFAULTS.scriptPath;
  return {
    address,
    aliasName,
    domain,
    directory,
    mbox: `${directory}/current`,
    scriptPath,
    cronLine: `${i.schedule ?? ARCHIVE_DEFAULTS.schedule} ${scriptPath}`,
  };
}

/** The rotation script for a local archive's inputs. */
export function archiveRotationScript(i: MailArchiveInputs): string {
  const directory = i.directory ?? ARCHIVE_DEFAULTS.directory;
  return rotationScript(platform(i.profile), {
    directory,
    holdFile: i.holdFile ?? `${directory}/hold`,
    retentionDays: i.retentionDays ?? ARCHIVE_DEFAULTS.retentionDays,
  });
}

const GIB = 1024 ** 3;

const NOTHING: ArchiveApplied = {
  alwaysBcc: null,
  alias: null,
  directoryOk: false,
  datasetQuota: null,
  scriptSha256: null,
  cron: null,
};

/**
 * The edit that takes the host from what `old` recorded to `news` (null:
 * the resource is deleted, so always_bcc goes back to what it was).
 */
function editFor(old: MailArchiveState | undefined, news: MailArchiveInputs | null): ArchiveEdit {
  const applied = old?.applied ?? NOTHING;
  const was = old ? localArchive(old) : null;
  const next = news ? localArchive(news) : null;
  const edit: ArchiveEdit = { removeCron: was !== null && next === null };
  const bcc = news === null ? (old?.previous.alwaysBcc ?? null) : (next?.address ?? news.remoteAddress ?? null);
  if (applied.alwaysBcc !== bcc) edit.alwaysBcc = bcc;
  if (news !== null && next !== null) {
    const sameAlias = was?.aliasName === next.aliasName;
    const quota = news.quotaGiB;
    const part = {
      archive: next,
      dataset:
        quota !== undefined && !(was?.directory === next.directory && applied.datasetQuota === quota * GIB) && quota,
      directory: !(was?.directory === next.directory && applied.directoryOk),
      script: !(
        was?.scriptPath === next.scriptPath && applied.scriptSha256 === scriptSha256(archiveRotationScript(news))
      ),
      alias:
        sameAlias && applied.alias === next.mbox
          ? (false as const)
          : { replaceable: sameAlias && was ? [was.mbox, ...(applied.alias === null ? [] : [applied.alias])] : [] },
      cron: applied.cron !== next.cronLine,
    };
    if (part.dataset !== false || part.directory || part.script || part.alias !== false || part.cron) edit.local = part;
  }
  if (was !== null && was.aliasName !== next?.aliasName) edit.removeAlias = { name: was.aliasName, target: was.mbox };
  if (was !== null && was.scriptPath !== next?.scriptPath) edit.removeScript = was.scriptPath;
  return edit;
}

async function apply(
  old: MailArchiveState | undefined,
  news: MailArchiveInputs | null,
): Promise<Pick<MailArchiveState, "applied" | "previous">> {
  const target = news ?? (old as MailArchiveState);
  const edit = editFor(old, news);
  let applied = old?.applied ?? NOTHING;
  let previous = old?.previous ?? { alwaysBcc: null };
  if (!isEmptyArchiveEdit(edit)) {
    const show = news === null ? null : localArchive(news);
    const host = new RemoteHost(target.connection);
    const script = archiveEditScript(platform(target.profile), target.connection.user, edit, show);
    const stdin = edit.local?.script && news !== null ? archiveRotationScript(news) : undefined;
    const result = await host.exclusive(() => host.run(script, { step: "set up the mail archive", stdin }));
    const s = parseSections(result.stdout);
    if (old === undefined) previous = { alwaysBcc: alwaysBccBefore(s) };
    applied = parseArchiveApplied(s, show);
  }
  return { applied, previous };
}

// ---------------------------------------------------------------- hooks

function parseInputs(raw: Record<string, unknown>): MailArchiveInputs {
  return storedInputs(mailArchiveSchema, raw, ["applied", "previous"]);
}

function parseState(raw: Record<string, unknown>): MailArchiveState {
  const s = raw as unknown as MailArchiveState;
  return { ...parseInputs(raw), applied: s.applied, previous: s.previous };
}

/** The MailArchive hooks, run by the engine's dynamic-provider host. */
export const mailArchiveProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return checkWithSchema(mailArchiveSchema, news);
  },

  async diff(_id, olds, news) {
    const old = parseState(olds);
    const next = parseInputs(news);
    const replaces: string[] = [];
    // The crontab entry belongs to the login user: another user is another crontab.
    if (!sameMachine(old.connection, next.connection) || old.connection.user !== next.connection.user) {
      replaces.push("connection");
    }
    if (old.profile !== next.profile) replaces.push("profile");
    const changes =
      replaces.length > 0 ||
      JSON.stringify(old.connection) !== JSON.stringify(next.connection) ||
      !isEmptyArchiveEdit(editFor(old, next));
    // One always_bcc per host: the old archive must be gone before the new one takes it.
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs) {
    const news = parseInputs(inputs);
    return {
      id: `${news.connection.host}/mail-archive/${randomUUID()}`,
      outs: { ...news, ...(await apply(undefined, news)) },
    };
  },

  async read(id, props) {
    const old = parseState(props);
    const p = platform(old.profile);
    const local = localArchive(old);
    const host = new RemoteHost(old.connection);
    const result = await host.run(joinScripts([prelude(p), showArchive(p, old.connection.user, local)]), {
      step: "read the mail archive",
    });
    return { id, props: { ...old, applied: parseArchiveApplied(parseSections(result.stdout), local) } };
  },

  async update(_id, olds, news) {
    const next = parseInputs(news);
    return { outs: { ...next, ...(await apply(parseState(olds), next)) } };
  },

  async delete(_id, props) {
    await apply(parseState(props), null);
  },
};

// ---------------------------------------------------------------- resource

/** Arguments of {@link MailArchive}. With `remoteAddress` set, only `connection` and `profile` may go with it. */
export interface MailArchiveArgs {
  /** How to reach the Postfix host, with its pinned host key. */
  connection: ConnectionArgs;
  /** Host flavour: `smartos` (pkgsrc, SMF; default) or `linux` (Debian/Ubuntu, also lx zones). */
  profile?: pulumi.Input<PlatformName>;
  /**
   * The local archive address put in `always_bcc`. Default `mailarchive@localhost`, as the guide.
   * Its domain must be in `mydestination`; its local part becomes the alias to the mbox.
   */
  address?: pulumi.Input<string>;
  /**
   * The archive directory. Default `/var/mail/archive`, as the guide. Made owned by Postfix's
   * `default_privs` user (`nobody`, the user local(8) writes files as) with mode 700.
   */
  directory?: pulumi.Input<string>;
  /**
   * Profile smartos only: give the archive its own ZFS dataset with this quota in GiB, as the
   * guide's `zfs create -o quota=500G zones/$UUID/data/mail/archive`. It is made a child of the
   * dataset mounted at the directory's parent (ZoneDatasets' mail dataset at /var/mail), so it
   * mounts at the directory; an existing dataset there just gets the quota. Delete keeps it.
   * Default: none, the directory stays on the dataset it is in.
   */
  quotaGiB?: pulumi.Input<number>;
  /** Archives dated more than this many days ago are deleted by the daily rotation. Default 1096 (3 years), as the guide. */
  retentionDays?: pulumi.Input<number>;
  /** Legal hold: while this file exists the rotation deletes nothing. Default `<directory>/hold`, as the guide. */
  holdFile?: pulumi.Input<string>;
  /** Where the rotation script is installed. Default `/root/scripts/mail_rotate.sh`, as the guide. */
  scriptPath?: pulumi.Input<string>;
  /** When cron runs the rotation, five crontab time fields. Default `0 0 * * *` (midnight), as the guide. */
  schedule?: pulumi.Input<string>;
  /**
   * Archive elsewhere instead (e.g. an archiving service): `always_bcc` is this address and
   * nothing is stored on this host. The guide's choice once there is more than one SMTP server.
   */
  remoteAddress?: pulumi.Input<string>;
}

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
export class MailArchive extends pulumi.dynamic.Resource {
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
    super(
      dynamicProvider("mailArchive"),
      name,
      { ...args, connection: secretConnection(args.connection), applied: undefined, previous: undefined },
      dynamicResourceOptions("MailArchive", name, opts),
      "smartos-mail",
      "MailArchive",
    );
  }
}
