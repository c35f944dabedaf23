import { setAlias, showAlias } from "../postfix/aliases";
import {
  activateIfChanged,
  beginStage,
  parsePostconf,
  showMainCf,
  stageChange,
  validateStage,
} from "../postfix/main-cf";
import { putCronBlock, removeCronBlock, showCronBlock } from "../remote/crontab";
import { withRemoteLock } from "../remote/lock";
import type { Platform, PlatformName } from "../remote/platform";
import { prelude } from "../remote/script-prelude";
import { section } from "../remote/sections";
import { joinScripts, type Script, sh } from "../remote/shell";
import { ROTATION_SCRIPT_MARKER } from "./rotation-script";

/** The owner name of the archive's block in the crontab. */
export const CRON_OWNER = "mail-archive";

/** A local archive as it is laid out on the host (inputs with the guide's defaults applied). */
export interface LocalArchive {
  /** The always_bcc address, e.g. `mailarchive@localhost`. */
  address: string;
  /** Its local part: the alias that points at the mbox. */
  aliasName: string;
  /** Its domain; must be one Postfix delivers locally (mydestination). */
  domain: string;
  /** The archive directory. */
  directory: string;
  /** The mbox Postfix appends to: `<directory>/current`. */
  mbox: string;
  /** The rotation script's path. */
  scriptPath: string;
  /** The crontab line that runs it. */
  cronLine: string;
}

/** What of the archive is live on the host. */
export interface ArchiveApplied {
  /** always_bcc in main.cf (null: unset). */
  alwaysBcc: string | null;
  /** Target of the archive alias (null: no such alias); always null for a remote archive. */
  alias: string | null;
  /** Whether the archive directory exists, owned by default_privs with mode 700. */
  directoryOk: boolean;
  /** Quota in bytes (0: none) of a ZFS dataset mounted at the directory (null: none, or not SmartOS). */
  datasetQuota: number | null;
  /** SHA-256 of the installed rotation script (null: none). */
  scriptSha256: string | null;
  /** The lines of the archive's crontab block (null: none). */
  cron: string | null;
}

/** The changes one run makes on the host; parts that already match are left out. */
export interface ArchiveEdit {
  /** New always_bcc, or null to remove it; absent: leave it. */
  alwaysBcc?: string | null;
  /** The local archive to set up, and which of its parts need work. */
  local?: {
    archive: LocalArchive;
    /** Give the directory a dataset of its own with this quota in GiB (SmartOS), or set the quota of the one it has. */
    dataset: number | false;
    /** Create the directory or repair its owner and mode. */
    directory: boolean;
    /** Install this rotation script text (sent on stdin). */
    script: boolean;
    /** Point the alias at the mbox; it may already hold one of these targets (ours), else it must be free. */
    alias: { replaceable: string[] } | false;
    /** Write the crontab block. */
    cron: boolean;
  };
  /** Remove this alias if it still points at this target. */
  removeAlias?: { name: string; target: string };
  /** Remove this rotation script if smartos-mail wrote it. */
  removeScript?: string;
  /** Remove the crontab block. */
  removeCron: boolean;
}

/** Installs xz and crontab(1) when missing (SmartOS has crontab in the base system). */
const INSTALL_TOOLS: Record<PlatformName, Script> = {
  smartos: sh`pkgin -y install xz`,
  linux: sh`DEBIAN_FRONTEND=noninteractive apt-get install -y -q xz-utils cron`,
};

function ensureTools(p: Platform): Script {
  return sh`if ! command -v xz >/dev/null 2>&1 || ! command -v crontab >/dev/null 2>&1; then
  log=/var/run/smartos-mail-archive-install.log
  ${INSTALL_TOOLS[p.name]} </dev/null >"$log" 2>&1 || fail "cannot install xz and cron: $(tail -n 3 "$log")"
  rm -f "$log"
fi`;
}

/** Refuses an archive address Postfix would not deliver locally (a table in mydestination is trusted). */
function checkLocalDomain(a: LocalArchive): Script {
  return sh`postconf -x -h mydestination | tr ',' ' ' | awk -v d=${a.domain.toLowerCase()} '{ for (i = 1; i <= NF; i++) { if (tolower($i) == d) found = 1; if ($i ~ /[:\\/]/) table = 1 } } END { exit !(found || table) }' ||
  fail ${`${a.address} is not delivered on this host: ${a.domain} is not in mydestination (`}"$(postconf -h mydestination)"${"); use mailarchive@localhost, or remoteAddress for an archive elsewhere"}`;
}

/** The guide's directory: owned by the user local(8) writes files as (default_privs, nobody), mode 700. */
function ensureDirectory(a: LocalArchive): Script {
  // chmod g-s: on Linux a directory made in setgid /var/mail inherits the bit, and chmod 700 keeps it.
  return sh`privs=$(postconf -h default_privs) || fail "cannot read default_privs"
if [ -d ${a.directory} ] && [ -n "$(ls -A ${a.directory})" ] && [ "$(ls -ld ${a.directory} | awk '{ print $3 }')" != "$privs" ]; then
  fail ${`${a.directory} holds files and is not owned by `}"$privs"${": the archive needs a directory of its own (an empty one, or a new dataset)"}
fi
mkdir -p ${a.directory} && chown "$privs" ${a.directory} && chmod 700 ${a.directory} && chmod g-s ${a.directory} ||
  fail ${`cannot make ${a.directory} a directory of `}"$privs"${" with mode 700"}`;
}

/** Prints the ZFS dataset mounted at `dir` (nothing when none). */
const datasetAt = (dir: string) =>
  sh`zfs list -H -o name,mountpoint </dev/null | awk -v d=${dir} -F '\t' '$2 == d { print $1 }'`;

/**
 * The guide's `zfs create -o quota=500G zones/$UUID/data/mail/archive`: a
 * child of the dataset mounted at the directory's parent, so it inherits its
 * mount at the directory. A dataset already mounted there only gets the quota.
 */
function ensureDataset(a: LocalArchive, quotaGiB: number): Script {
  const slash = a.directory.lastIndexOf("/");
  const parent = a.directory.slice(0, slash) || "/";
  const quota = `quota=${quotaGiB}G`;
  return sh`ds=$(${datasetAt(a.directory)})
if [ -n "$ds" ]; then
  out=$(zfs set ${quota} "$ds" 2>&1 </dev/null) || fail ${`zfs set ${quota} failed:`} "$out"
else
  parent_ds=$(${datasetAt(parent)})
  [ -n "$parent_ds" ] || fail ${`no ZFS dataset is mounted at ${parent}, so ${a.directory} cannot get one of its own: lay out the zone's datasets first (ZoneDatasets, the guide's zones/<uuid>/data/mail at /var/mail), or leave quotaGiB unset`}
  [ ! -d ${a.directory} ] || [ -z "$(ls -A ${a.directory})" ] || fail ${`${a.directory} already holds files, so no dataset can be mounted on it: move them away, or leave quotaGiB unset`}
  ds="$parent_ds"/${a.directory.slice(slash + 1)}
  out=$(zfs create -o ${quota} "$ds" 2>&1 </dev/null) || fail "zfs create $ds failed: $out"
fi`;
}

/** Exits 0 when the file at `path` is a rotation script smartos-mail wrote. */
const writtenByUs = (path: string) =>
  sh`awk -v m=${ROTATION_SCRIPT_MARKER} 'NR == 2 { ok = ($0 == m) } END { exit !ok }' ${path}`;

/** Writes the rotation script from stdin, mode 700 (the guide's `chmod u+x`, root only). */
function installScript(path: string): Script {
  return sh`if [ -f ${path} ] && ! ${writtenByUs(path)}; then
  fail ${`${path} exists and smartos-mail did not write it: move it away or set scriptPath to another path`}
fi
mkdir -p "$(dirname ${path})" && (umask 077 && cat >${`${path}.smartos-mail-new`}) && chmod 700 ${`${path}.smartos-mail-new`} && mv ${`${path}.smartos-mail-new`} ${path} || fail ${`cannot write ${path}`}`;
}

function setArchiveAlias(a: LocalArchive, replaceable: string[]): Script {
  const allowed = ["", a.mbox, ...replaceable];
  return sh`alias_now=$(${showAlias(a.aliasName)}) || exit 65
ours=
for t in ${allowed}; do [ "$alias_now" != "$t" ] || ours=1; done
[ -n "$ours" ] || fail ${`the alias ${a.aliasName} already points at `}"$alias_now"${`: choose another archive address, or remove that alias`}
${setAlias(a.aliasName, a.mbox)}`;
}

function removeArchiveAlias(name: string, target: string): Script {
  return sh`alias_now=$(${showAlias(name)}) || exit 65
if [ "$alias_now" = ${target} ]; then
${setAlias(name, null)}
fi`;
}

function removeScript(path: string): Script {
  return sh`if [ -f ${path} ] && ${writtenByUs(path)}; then rm -f ${path}; fi`;
}

function setAlwaysBcc(p: Platform, value: string | null): Script {
  return joinScripts([
    beginStage,
    stageChange(value === null ? { set: {}, remove: ["always_bcc"] } : { set: { always_bcc: value }, remove: [] }),
    validateStage,
    activateIfChanged,
    sh`if [ -n "$main_cf_changed" ]; then
  ${p.reloadPostfix} >/dev/null || fail "Postfix did not reload; main.cf checked clean, see the Postfix log"
fi`,
  ]);
}

/** True when the edit changes nothing. */
export function isEmptyArchiveEdit(e: ArchiveEdit): boolean {
  const l = e.local;
  const localWork = l !== undefined && (l.dataset !== false || l.directory || l.script || l.alias !== false || l.cron);
  return (
    e.alwaysBcc === undefined &&
    !localWork &&
    e.removeAlias === undefined &&
    e.removeScript === undefined &&
    !e.removeCron
  );
}

/** Prints what {@link parseArchiveApplied} reads, for a local archive or (null) a remote one. */
export function showArchive(p: Platform, user: string, a: LocalArchive | null): Script {
  const steps = [section("main", showMainCf)];
  if (a !== null) {
    steps.push(
      section("alias", showAlias(a.aliasName)),
      section(
        "directory",
        sh`privs=$(postconf -h default_privs)
ls -ld ${a.directory} 2>/dev/null | awk -v u="$privs" '{ print (($1 ~ /^drwx------/ && $3 == u) ? "yes" : "no") }'`,
      ),
      section("script", sh`if [ -f ${a.scriptPath} ]; then set -- ${a.scriptPath}; ${p.sha256}; fi`),
      section("cron", showCronBlock(user, CRON_OWNER)),
    );
    if (p.name === "smartos") {
      steps.push(
        section(
          "dataset",
          sh`ds=$(${datasetAt(a.directory)})
if [ -n "$ds" ]; then zfs get -Hp -o value quota "$ds" </dev/null; fi`,
        ),
      );
    }
  }
  return joinScripts(steps);
}

/**
 * One script making the edit under the host lock. The local archive is
 * ready before always_bcc names it, and always_bcc is gone before the alias
 * it used is removed, so no copy is ever sent to an address with no mailbox.
 * Ends by showing the archive `show` describes.
 */
export function archiveEditScript(p: Platform, user: string, e: ArchiveEdit, show: LocalArchive | null): Script {
  const steps: Script[] = [section("before", showMainCf)];
  const l = e.local;
  if (l !== undefined) {
    steps.push(checkLocalDomain(l.archive), ensureTools(p));
    if (l.dataset !== false) steps.push(ensureDataset(l.archive, l.dataset));
    // A new dataset's mount root needs the directory's owner and mode too.
    if (l.directory || l.dataset !== false) steps.push(ensureDirectory(l.archive));
    // The script text is the command's stdin; nothing before this reads stdin.
    if (l.script) steps.push(installScript(l.archive.scriptPath));
    if (l.alias !== false) steps.push(setArchiveAlias(l.archive, l.alias.replaceable));
    if (l.cron) steps.push(putCronBlock(user, CRON_OWNER, l.archive.cronLine));
  }
  if (e.alwaysBcc !== undefined) steps.push(setAlwaysBcc(p, e.alwaysBcc));
  if (e.removeAlias) steps.push(removeArchiveAlias(e.removeAlias.name, e.removeAlias.target));
  if (e.removeCron) steps.push(removeCronBlock(user, CRON_OWNER));
  if (e.removeScript) steps.push(removeScript(e.removeScript));
  return joinScripts([prelude(p), withRemoteLock(joinScripts(steps)), showArchive(p, user, show)]);
}

/** The live archive from a script's sections. */
export function parseArchiveApplied(sections: Record<string, string>, a: LocalArchive | null): ArchiveApplied {
  const live = parsePostconf(sections.main ?? "");
  const text = (name: string) => (sections[name] ?? "").replace(/\n+$/, "");
  return {
    alwaysBcc: live.always_bcc ?? null,
    alias: a === null ? null : text("alias") || null,
    directoryOk: a !== null && text("directory") === "yes",
    datasetQuota: a === null || text("dataset") === "" ? null : Number(text("dataset")),
    scriptSha256: a === null ? null : text("script").split(/\s+/)[0] || null,
    cron: a === null ? null : text("cron") || null,
  };
}

/** always_bcc before the edit, for restoring it on delete. */
export function alwaysBccBefore(sections: Record<string, string>): string | null {
  return parsePostconf(sections.before ?? "").always_bcc ?? null;
}
