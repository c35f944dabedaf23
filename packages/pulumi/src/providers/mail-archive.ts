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
import { sameMachine } from "../remote/connection";
import { platform } from "../remote/platform";
import { RemoteHost } from "../remote/pool";
import { prelude } from "../remote/script-prelude";
import { parseSections } from "../remote/sections";
import { joinScripts } from "../remote/shell";
import {
  ARCHIVE_DEFAULTS,
  type MailArchiveInputs,
  type MailArchiveState,
  mailArchiveSchema,
} from "../schemas/mail-archive";
import { hostProvider } from "./host-provider";

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

// Replacing deletes first (the skeleton's default): one always_bcc per host, the old archive must be gone
// before the new one takes it.
/** The MailArchive hooks, run by the engine's dynamic-provider host. */
export const mailArchiveProvider = hostProvider<MailArchiveInputs, MailArchiveState>({
  kind: "mailArchive",
  schema: mailArchiveSchema,
  // The crontab entry belongs to the login user: another user is another crontab.
  replaces: (old, next) =>
    sameMachine(old.connection, next.connection) && old.connection.user !== next.connection.user ? ["connection"] : [],
  // What refresh found differs from what the inputs want (an entry removed, a quota changed by hand): the next up repairs it.
  drifted: (old, next) => !isEmptyArchiveEdit(editFor(old, next)),
  create: async (news) => ({ ...news, ...(await apply(undefined, news)) }),
  async read(old) {
    const p = platform(old.profile);
    const local = localArchive(old);
    const host = new RemoteHost(old.connection);
    const result = await host.run(joinScripts([prelude(p), showArchive(p, old.connection.user, local)]), {
      step: "read the mail archive",
    });
    return { ...old, applied: parseArchiveApplied(parseSections(result.stdout), local) };
  },
  // An empty edit (only an input spelled otherwise, or a new key) runs nothing on the host.
  update: async (old, news) => ({ ...news, ...(await apply(old, news)) }),
  async delete(old) {
    await apply(old, null);
  },
});
