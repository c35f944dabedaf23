import { joinScripts, type Script, sh } from "../remote/shell";

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
 * Stages a main.cf change: copies main.cf and master.cf to a staging directory
 * in config_directory, applies the change there with `postconf -c`, and
 * refuses it (exit 65, nothing live touched) if Postfix cannot expand the
 * staged file or prints warnings the live file does not have. Sets `$cfg`
 * and `$stage` for {@link activateMainCf}. Must run under the remote lock.
 */
export function stageMainCf(change: MainCfChange): Script {
  const setArgs = Object.entries(change.set).map(([k, v]) => `${k}=${v}`);
  const steps: Script[] = [
    sh`cfg=$(postconf -h config_directory) || fail "postconf is not installed or cannot read its configuration"
rm -rf "$cfg"/.smartos-mail-stage.*
stage=$(mktemp -d "$cfg/.smartos-mail-stage.XXXXXX") || fail "cannot create a staging directory in $cfg"
cp -p "$cfg/main.cf" "$cfg/master.cf" "$stage/" || fail "cannot copy main.cf and master.cf to $stage"`,
  ];
  if (setArgs.length > 0) {
    steps.push(
      sh`postconf -c "$stage" -e ${setArgs} 2>"$stage/postconf.err" || fail "postconf -e failed: $(cat "$stage/postconf.err")"`,
    );
  }
  if (change.remove.length > 0) {
    steps.push(
      sh`postconf -c "$stage" -X ${change.remove} 2>"$stage/postconf.err" || fail "postconf -X failed: $(cat "$stage/postconf.err")"`,
    );
  }
  steps.push(sh`postconf -c "$cfg" -nx >/dev/null 2>"$stage/live.raw" || true
postconf -c "$stage" -nx >/dev/null 2>"$stage/staged.raw" || fail "Postfix rejects the new main.cf, nothing was changed: $(cat "$stage/staged.raw")"
${normalizeWarnings(sh`"$cfg"`, sh`"$stage/live.raw"`, sh`"$stage/live.warn"`)}
${normalizeWarnings(sh`"$stage"`, sh`"$stage/staged.raw"`, sh`"$stage/staged.warn"`)}
new_warnings=$(awk 'NR == FNR { seen[$0] = 1; next } !($0 in seen)' "$stage/live.warn" "$stage/staged.warn")
[ -z "$new_warnings" ] || fail "Postfix warns about the new main.cf, nothing was changed: $new_warnings"`);
  return joinScripts(steps);
}

/**
 * Puts the staged main.cf in place with one rename, then runs `postfix check`;
 * if that fails the previous main.cf is put back and the script fails, so the
 * running Postfix never reloads a configuration that did not check.
 */
export const activateMainCf: Script = sh`cp -p "$cfg/main.cf" "$stage/main.cf.before" || fail "cannot back up $cfg/main.cf"
chmod 644 "$stage/main.cf"
mv "$stage/main.cf" "$cfg/main.cf" || fail "cannot move the staged main.cf into $cfg"
if ! check_out=$(postfix check 2>&1); then
  mv "$stage/main.cf.before" "$cfg/main.cf"
  fail "postfix check failed, the previous main.cf was restored: $check_out"
fi
rm -rf "$stage"
stage=`;
