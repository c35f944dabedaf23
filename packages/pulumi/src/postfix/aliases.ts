import { type Script, sh } from "../remote/shell";

// The alias file is the one alias_database names (hash:/etc/aliases on Debian;
// on SmartOS pkgsrc's Postfix keeps its SunOS default, hash:/etc/mail/aliases),
// not a path we guess.
const locateAliases = sh`aliases=$(postconf -h alias_database | awk '{ f = $1; sub(/,$/, "", f); sub(/^[a-z0-9_]+:/, "", f); print f }')
[ -n "$aliases" ] || fail "alias_database is empty; set it before managing aliases"`;

/** Prints the target of alias `name` (the rest of its line), or nothing if it has none. */
export function showAlias(name: string): Script {
  return sh`${locateAliases}
[ ! -f "$aliases" ] || awk -v n=${`${name}:`} 'index($0, n) == 1 { v = substr($0, length(n) + 1); sub(/^[ \t]+/, "", v); print v }' "$aliases"`;
}

/**
 * Sets alias `name` to `target` (or removes it when `target` is null),
 * dropping any earlier entry and its continuation lines, then runs
 * `newaliases` as the guide does.
 */
export function setAlias(name: string, target: string | null): Script {
  const line = target === null ? sh`` : sh`printf '%s: %s\n' ${name} ${target} >>"$aliases.smartos-mail-new"`;
  return sh`${locateAliases}
[ -f "$aliases" ] || : >"$aliases"
awk -v n=${`${name}:`} 'skip && /^[ \t]/ { next } { skip = 0 } index($0, n) == 1 { skip = 1; next } { print }' "$aliases" >"$aliases.smartos-mail-new" || fail "cannot rewrite $aliases"
${line}
chmod 644 "$aliases.smartos-mail-new" && mv "$aliases.smartos-mail-new" "$aliases" || fail "cannot put $aliases in place"
newaliases 2>"$aliases.newaliases-err" || { err=$(cat "$aliases.newaliases-err"); rm -f "$aliases.newaliases-err"; fail "newaliases failed: $err"; }
rm -f "$aliases.newaliases-err"`;
}
