import { joinScripts, type Script, sh } from "../remote/shell";
import { RELAY_PARAMETERS } from "./relay-safety";

/** Parses `postconf -n` (or `postconf` output in general) into name -> value. */
export function parsePostconf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const at = line.indexOf(" =");
    if (at <= 0) continue;
    out[line.slice(0, at)] = line.slice(at + 2).replace(/^ /, "");
  }
  return out;
}

/** `postconf -n` of the live configuration. */
export const showMainCf: Script = sh`postconf -n`;

/**
 * The live values of the parameters that decide relaying, expanded as
 * Postfix uses them (`postconf -x`: defaults included, mynetworks computed).
 */
export const showRelayParameters: Script = sh`postconf -x ${RELAY_PARAMETERS}`;

/**
 * The same values as {@link showRelayParameters} would print once `change`
 * is applied, read from a staged copy of main.cf that is then dropped:
 * nothing live is touched. Run it under the remote lock, as every stage.
 */
export function stagedRelayParameters(change: MainCfChange): Script {
  return joinScripts([
    beginStage,
    stageChange(change),
    sh`postconf -c "$stage" -x ${RELAY_PARAMETERS}
rm -rf "$stage"
stage=`,
  ]);
}

/** A change to main.cf: parameters to set, and parameters to remove (`postconf -X`). */
export interface MainCfChange {
  /** Parameters to set with `postconf -e`. */
  set: Record<string, string>;
  /** Parameters to remove with `postconf -X`, so Postfix falls back to its default. */
  remove: string[];
}

/** True when the change touches nothing. */
export function isEmptyChange(change: MainCfChange): boolean {
  return Object.keys(change.set).length === 0 && change.remove.length === 0;
}

// Rewrites "<dir>/" in Postfix warnings to "CFG/" so warnings of the live and
// the staged main.cf compare equal.
const normalizeWarnings = (dir: Script, from: Script, to: Script) =>
  sh`awk -v p=${dir}/ '{ i = index($0, p); if (i) $0 = substr($0, 1, i - 1) "CFG/" substr($0, i + length(p)); print }' ${from} >${to}`;

/**
 * Starts a staged edit: copies main.cf and master.cf to a staging directory
 * in config_directory and sets `$cfg` and `$stage`. Must run under the
 * remote lock; finish with {@link validateStage} and {@link activateMainCf}.
 */
export const beginStage: Script = sh`cfg=$(postconf -h config_directory) || fail "postconf is not installed or cannot read its configuration"
rm -rf "$cfg"/.smartos-mail-stage.*
stage=$(mktemp -d "$cfg/.smartos-mail-stage.XXXXXX") || fail "cannot create a staging directory in $cfg"
cp -p "$cfg/main.cf" "$cfg/master.cf" "$stage/" || fail "cannot copy main.cf and master.cf to $stage"`;

/**
 * Sets the staged main.cf's time stamp two seconds back; run it after every
 * edit of the staged main.cf. Postfix reads a main.cf changed within about the
 * last second again and again, 0.3 s apart, until it is older ("pausing to let
 * main.cf finish writing", util/dict.c): without this, the first postconf or
 * postfix command after each edit sleeps 1-2 s. The staged file is complete
 * when this runs, so its time stamp may say so. POSIX only: awk's `srand()`
 * returns the time of day it seeded with, turned here into UTC for `touch -t`
 * (civil date from day number as in H. Hinnant's chrono algorithms).
 */
export const backdateStagedMainCf: Script = sh`stamp=$(awk 'BEGIN {
  srand(); t = srand() - 2
  s = t % 60; t = (t - s) / 60; mi = t % 60; t = (t - mi) / 60; h = t % 24; z = (t - h) / 24 + 719468
  era = int(z / 146097); doe = z - era * 146097
  yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
  doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100)); mp = int((5 * doy + 2) / 153)
  d = doy - int((153 * mp + 2) / 5) + 1; m = mp < 10 ? mp + 3 : mp - 9; y = yoe + era * 400 + (m <= 2)
  printf "%04d%02d%02d%02d%02d.%02d", y, m, d, h, mi, s
}') && TZ=UTC0 touch -t "$stamp" "$stage/main.cf" || fail "cannot set the time stamp of $stage/main.cf"`;

/** Applies a change to the staged main.cf with `postconf -c "$stage" -e/-X`. */
export function stageChange(change: MainCfChange): Script {
  const setArgs = Object.entries(change.set).map(([k, v]) => `${k}=${v}`);
  const steps: Script[] = [];
  if (setArgs.length > 0) {
    steps.push(
      sh`postconf -c "$stage" -e ${setArgs} 2>"$stage/postconf.err" || fail "postconf -e failed: $(cat "$stage/postconf.err")"`,
      backdateStagedMainCf,
    );
  }
  if (change.remove.length > 0) {
    steps.push(
      sh`postconf -c "$stage" -X ${change.remove} 2>"$stage/postconf.err" || fail "postconf -X failed: $(cat "$stage/postconf.err")"`,
      backdateStagedMainCf,
    );
  }
  return joinScripts(steps);
}

/**
 * Adds `member` to (or, with `remove`, takes it out of) the list parameter
 * `name` in the staged main.cf, keeping the other members and their order.
 * A list left empty is removed so Postfix falls back to its default.
 */
export function stageListMember(name: string, member: string, remove = false): Script {
  return sh`list=$(postconf -c "$stage" -h ${name} | awk -v m=${member} -v rm=${remove ? 1 : 0} '{ gsub(/,/, " "); for (i = 1; i <= NF; i++) if ($i != m) out = out (out == "" ? "" : ", ") $i } END { if (!rm) out = out (out == "" ? "" : ", ") m; print out }')
if [ -n "$list" ]; then postconf -c "$stage" -e ${`${name}=`}"$list"; else postconf -c "$stage" -X ${name}; fi || fail ${`cannot update ${name} in the staged main.cf`}
${backdateStagedMainCf}`;
}

/**
 * Puts `member` first in the list parameter `name` in the staged main.cf (taking out any other place it had),
 * keeping the other members and their order: for a table that must be searched before the others.
 */
export function stageListFirst(name: string, member: string): Script {
  return sh`list=$(postconf -c "$stage" -h ${name} | awk -v m=${member} '{ gsub(/,/, " "); for (i = 1; i <= NF; i++) if ($i != m) out = out ", " $i } END { print m out }')
if [ "$list" != "$(postconf -c "$stage" -h ${name} | awk '{ gsub(/,/, " "); $1 = $1; gsub(/ /, ", "); print }')" ]; then
  postconf -c "$stage" -e ${`${name}=`}"$list" || fail ${`cannot update ${name} in the staged main.cf`}
  ${backdateStagedMainCf}
fi`;
}

/**
 * Refuses the staged main.cf (exit 65, nothing live touched) if Postfix
 * cannot expand it or prints warnings the live file does not have.
 */
export const validateStage: Script = sh`postconf -c "$cfg" -x >/dev/null 2>"$stage/live.raw" || true
postconf -c "$stage" -x >/dev/null 2>"$stage/staged.raw" || fail "Postfix rejects the new main.cf, nothing was changed: $(cat "$stage/staged.raw")"
${normalizeWarnings(sh`"$cfg"`, sh`"$stage/live.raw"`, sh`"$stage/live.warn"`)}
${normalizeWarnings(sh`"$stage"`, sh`"$stage/staged.raw"`, sh`"$stage/staged.warn"`)}
# FILENAME, not NR == FNR: with no live warnings the first file is empty.
new_warnings=$(awk 'FILENAME == ARGV[1] { seen[$0] = 1; next } !($0 in seen)' "$stage/live.warn" "$stage/staged.warn")
[ -z "$new_warnings" ] || fail "Postfix warns about the new main.cf, nothing was changed: $new_warnings"`;

/**
 * Stages a whole main.cf change and validates it; see {@link beginStage},
 * {@link stageChange} and {@link validateStage}.
 */
export function stageMainCf(change: MainCfChange): Script {
  return joinScripts([beginStage, stageChange(change), validateStage]);
}

/**
 * Puts the staged main.cf (and master.cf, when the stage changed it) in place
 * with one rename each, then runs `postfix check`; if that fails the previous
 * files are put back and the script fails, so the running Postfix never
 * reloads a configuration that did not check.
 */
export const activateMainCf: Script = sh`cp -p "$cfg/main.cf" "$stage/main.cf.before" || fail "cannot back up $cfg/main.cf"
master_cf_staged=
if ! cmp -s "$cfg/master.cf" "$stage/master.cf"; then
  master_cf_staged=1
  cp -p "$cfg/master.cf" "$stage/master.cf.before" || fail "cannot back up $cfg/master.cf"
  chmod 644 "$stage/master.cf"
fi
chmod 644 "$stage/main.cf"
mv "$stage/main.cf" "$cfg/main.cf" || fail "cannot move the staged main.cf into $cfg"
if [ -n "$master_cf_staged" ] && ! mv "$stage/master.cf" "$cfg/master.cf"; then
  mv "$stage/main.cf.before" "$cfg/main.cf"
  fail "cannot move the staged master.cf into $cfg; the previous main.cf was restored"
fi
if ! check_out=$(postfix check 2>&1); then
  mv "$stage/main.cf.before" "$cfg/main.cf"
  [ -z "$master_cf_staged" ] || mv "$stage/master.cf.before" "$cfg/master.cf"
  fail "postfix check failed, the previous configuration was restored: $check_out"
fi
rm -rf "$stage"
stage=`;

/**
 * Activates the stage if it differs from the live main.cf or master.cf
 * (setting `main_cf_changed=1`), else drops it: a no-op edit touches nothing.
 */
export const activateIfChanged: Script = sh`main_cf_changed=
if cmp -s "$cfg/main.cf" "$stage/main.cf" && cmp -s "$cfg/master.cf" "$stage/master.cf"; then
  rm -rf "$stage"
  stage=
else
  main_cf_changed=1
${activateMainCf}
fi`;
