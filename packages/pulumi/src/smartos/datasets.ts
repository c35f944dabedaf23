import { section } from "../remote/sections";
import { joinScripts, type Script, sh } from "../remote/shell";

/** The guide's dataset layout under a zone's delegated dataset. */
export interface DatasetLayout {
  /** The delegated dataset, zones/<uuid>/data: its mountpoint becomes none. */
  root: string;
  /** The mail dataset, mounted at /var/mail. */
  mail: string;
  /** The Postfix queue's dataset, a child of the mail dataset, mounted at /var/spool/postfix. */
  spool: string;
}

/** Where the guide mounts the mail dataset. */
export const MAIL_DIR = "/var/mail";
/** Where the guide mounts the spool dataset. */
export const SPOOL_DIR = "/var/spool/postfix";

/** The guide's dataset names for a zone. */
export function layoutFor(zoneUuid: string): DatasetLayout {
  const root = `zones/${zoneUuid}/data`;
  return { root, mail: `${root}/mail`, spool: `${root}/mail/postfix` };
}

/**
 * The empty directories the guide's `rmdir -p /zones/$UUID /var/mail/\:saved
 * /var/spool/postfix/etc` is after, in removal order. The guide's line has
 * two catches: /zones/$UUID still holds the data directory the delegated
 * dataset was mounted on, so its first operand fails ("Directory not
 * empty"); and -p walks on up to /var and / and fails there, which stops a
 * script run with `set -e`. So the leftover mountpoint is named, and each
 * directory is removed only when it is empty.
 */
export function cruftDirs(zoneUuid: string): string[] {
  return [`/zones/${zoneUuid}/data`, `/zones/${zoneUuid}`, "/zones", `${MAIL_DIR}/:saved`, `${SPOOL_DIR}/etc`];
}

/** One dataset as `zfs get` reported it. */
export interface DatasetLive {
  /** False when the dataset does not exist. */
  exists: boolean;
  /** Effective mountpoint (a path, none or legacy). */
  mountpoint: string;
  /** Where the mountpoint comes from: local, default, inherited from ... */
  mountpointSource: string;
  /** Quota in bytes, 0 for none. */
  quota: number;
  mounted: boolean;
}

/** The live state of the whole layout. */
export type LayoutLive = Record<keyof DatasetLayout, DatasetLive>;

const ABSENT: DatasetLive = { exists: false, mountpoint: "-", mountpointSource: "-", quota: 0, mounted: false };

/** Prints `zfs get -Hp` of the layout's datasets in the section `datasets` (missing ones print nothing). */
export function showLayout(layout: DatasetLayout): Script {
  return section(
    "datasets",
    sh`for ds in ${[layout.root, layout.mail, layout.spool]}; do
  zfs get -Hp -o name,property,value,source mountpoint,quota,mounted "$ds" 2>/dev/null </dev/null || true
done`,
  );
}

/** Parses {@link showLayout}'s section. */
export function parseLayout(text: string, layout: DatasetLayout): LayoutLive {
  const props: Record<string, Record<string, [string, string]>> = {};
  for (const line of text.split("\n")) {
    const [name, property, value, source] = line.split("\t");
    if (source === undefined) continue;
    props[name] = { ...props[name], [property]: [value, source] };
  }
  const one = (name: string): DatasetLive => {
    const p = props[name];
    if (!p) return ABSENT;
    return {
      exists: true,
      mountpoint: p.mountpoint?.[0] ?? "-",
      mountpointSource: p.mountpoint?.[1] ?? "-",
      quota: Number(p.quota?.[0] ?? 0),
      mounted: p.mounted?.[0] === "yes",
    };
  };
  return { root: one(layout.root), mail: one(layout.mail), spool: one(layout.spool) };
}

/** A directory the create step removed, with what `ls -ldn` said about it, so delete can put it back. */
export interface RemovedDir {
  path: string;
  /** Octal mode, e.g. "2755". */
  mode: string;
  uid: number;
  gid: number;
}

/** The octal mode of an `ls -l` permission string such as `drwxr-sr-x` (setuid, setgid and sticky included). */
export function modeOfPermissions(permissions: string): string {
  const p = permissions.slice(1, 10);
  let mode = 0;
  for (let i = 0; i < 9; i++) if (!["-", "S", "T"].includes(p[i])) mode |= 1 << (8 - i);
  if ("sS".includes(p[2])) mode |= 0o4000;
  if ("sS".includes(p[5])) mode |= 0o2000;
  if ("tT".includes(p[8])) mode |= 0o1000;
  return mode.toString(8);
}

/** Parses the `removed` section: one `PERMISSIONS UID GID PATH` line per removed directory. */
export function parseRemoved(text: string): RemovedDir[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [permissions, uid, gid, ...path] = l.split(" ");
      return { path: path.join(" "), mode: modeOfPermissions(permissions), uid: Number(uid), gid: Number(gid) };
    });
}

// Postfix must not run while its queue moves: stop it if SMF has it online, start it again afterwards.
const stopPostfix = sh`postfix_was=$(svcs -H -o state postfix 2>/dev/null </dev/null || true)
if [ "$postfix_was" = online ]; then
  out=$(svcadm disable -s postfix 2>&1 </dev/null) || fail "svcadm disable -s postfix failed: $out"
fi`;

const startPostfix = sh`if [ "$postfix_was" = online ]; then
  out=$(svcadm enable -s postfix 2>&1 </dev/null) || fail "svcadm enable -s postfix failed: $out"
fi`;

/**
 * Copies everything in "$from" (the directory's own mode and owner too) into
 * "$to" with tar, as on illumos; tar's complaints land in $copy_err. Its
 * warnings are expected: sockets are skipped (Postfix makes them again) and
 * deferred queue files carry their next retry time as a future mtime.
 */
const copyTree = sh`copy_err=$( { (cd "$from" && tar cf - .) | (cd "$to" && tar xpf -); } 2>&1 >/dev/null )`;

function asideOf(dir: string): Script {
  return sh`dir=${dir} aside=${`${dir}.smartos-mail-aside`}
[ ! -e "$aside" ] || fail "$aside is left from an earlier failed run; move its content back to $dir, remove it and retry"`;
}

/**
 * Creates `dataset` with its quota mounted at `dir`. ZFS will not mount on a
 * non-empty directory, so what `dir` holds is moved aside first and copied
 * onto the new dataset, the directory's own mode and owner included. Queue
 * file names carry inode numbers; `postfix start` renames the copies (postsuper).
 */
function createOnto(dataset: string, quotaGiB: number, dir: string): Script {
  return sh`${asideOf(dir)}
ds=${dataset}
if [ -d "$dir" ]; then mv "$dir" "$aside" && mkdir "$dir" || fail "cannot move $dir aside to $aside"; fi
if ! out=$(zfs create -o ${`quota=${quotaGiB}G`} -o mountpoint="$dir" "$ds" 2>&1 </dev/null); then
  zfs destroy "$ds" >/dev/null 2>&1 </dev/null
  [ ! -d "$aside" ] || { rmdir "$dir" && mv "$aside" "$dir"; }
  fail "zfs create $ds failed: $out"
fi
if [ -d "$aside" ]; then
  from=$aside to=$dir
  ${copyTree} || fail "copying $aside onto $ds failed ($copy_err); the original content is still in $aside"
  rm -rf "$aside"
fi`;
}

/** Copies what `dataset` holds back onto the plain directory `dir` and destroys the dataset; absent is fine. */
function destroyOff(dataset: string, dir: string): Script {
  return sh`${asideOf(dir)}
ds=${dataset}
if zfs list -H -o name "$ds" >/dev/null 2>&1 </dev/null; then
  from=$dir to=$aside
  mkdir "$aside" && ${copyTree} || fail "copying $dir off $ds failed ($copy_err); nothing was destroyed"
  out=$(zfs destroy "$ds" 2>&1 </dev/null) || { rm -rf "$aside"; fail "zfs destroy $ds failed: $out"; }
  rmdir "$dir" && mv "$aside" "$dir" || fail "cannot put $dir back; its content is in $aside"
fi`;
}

/**
 * The guide's "Delegated Dataset" steps: the delegated dataset's mountpoint
 * becomes none, the empty leftover directories go (see {@link cruftDirs}),
 * then the mail dataset at /var/mail and the spool dataset at
 * /var/spool/postfix, each with its quota. Existing mail and queue files
 * move onto the new datasets with Postfix stopped. Prints the delegated
 * dataset's mountpoint before (section `before`), the directories removed
 * (`removed`) and the result ({@link showLayout}). Must run under the host lock.
 */
export function createLayout(zoneUuid: string, quotas: { mail: number; spool: number }): Script {
  const layout = layoutFor(zoneUuid);
  return joinScripts([
    sh`root=${layout.root} mail=${layout.mail}
zfs list -H -o name "$root" >/dev/null 2>&1 </dev/null || fail "$root is not visible in this zone: create the zone with delegate_dataset: true (SmartOsZone manifest.delegate_dataset)"
! zfs list -H -o name "$mail" >/dev/null 2>&1 </dev/null || fail "$mail already exists, so this zone's datasets are managed already; import it or destroy it first"`,
    section("before", sh`zfs get -H -o value,source mountpoint "$root" </dev/null`),
    stopPostfix,
    sh`out=$(zfs set mountpoint=none "$root" 2>&1 </dev/null) || fail "zfs set mountpoint=none $root failed: $out"`,
    section(
      "removed",
      sh`for d in ${cruftDirs(zoneUuid)}; do
  if [ -d "$d" ] && [ -z "$(ls -A "$d")" ]; then
    set -- $(ls -ldn "$d")
    rmdir "$d" && printf '%s %s %s %s\n' "$1" "$3" "$4" "$d"
  fi
done`,
    ),
    createOnto(layout.mail, quotas.mail, MAIL_DIR),
    createOnto(layout.spool, quotas.spool, SPOOL_DIR),
    startPostfix,
    showLayout(layout),
  ]);
}

/** Sets the quotas (GiB) given, then shows the layout. */
export function setQuotas(zoneUuid: string, quotas: { mail?: number; spool?: number }): Script {
  const layout = layoutFor(zoneUuid);
  const steps: Script[] = [];
  for (const [dataset, quota] of [
    [layout.mail, quotas.mail],
    [layout.spool, quotas.spool],
  ] as const) {
    if (quota === undefined) continue;
    steps.push(
      sh`out=$(zfs set ${`quota=${quota}G`} ${dataset} 2>&1 </dev/null) || fail ${`zfs set quota=${quota}G ${dataset} failed:`} "$out"`,
    );
  }
  return joinScripts([...steps, showLayout(layout)]);
}

/**
 * Undoes {@link createLayout}: mail and queue files move back onto plain
 * directories (Postfix stopped meanwhile), both datasets are destroyed, the
 * delegated dataset's mountpoint is put back and the removed directories are
 * made again with their modes and owners. Must run under the host lock.
 */
export function removeLayout(
  zoneUuid: string,
  previous: { mountpoint: string; source: string },
  removed: RemovedDir[],
): Script {
  const layout = layoutFor(zoneUuid);
  const restoreMountpoint =
    previous.source === "local"
      ? sh`zfs set ${`mountpoint=${previous.mountpoint}`} ${layout.root}`
      : sh`zfs inherit mountpoint ${layout.root}`;
  return joinScripts([
    stopPostfix,
    destroyOff(layout.spool, SPOOL_DIR),
    destroyOff(layout.mail, MAIL_DIR),
    sh`out=$(${restoreMountpoint} 2>&1 </dev/null) || fail ${`cannot restore the mountpoint of ${layout.root}:`} "$out"`,
    ...removed.map(
      (d) =>
        sh`[ -e ${d.path} ] || { mkdir ${d.path} && chmod ${d.mode} ${d.path} && chown ${`${d.uid}:${d.gid}`} ${d.path}; } || fail ${`cannot recreate ${d.path}`}`,
    ),
    startPostfix,
    showLayout(layout),
  ]);
}
