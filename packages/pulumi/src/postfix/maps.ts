import { type Script, sh } from "../remote/shell";

/**
 * Writes a lookup table from standard input with mode 0600 and builds it
 * with `postmap hash:` (the .db also 0600). The contents come on stdin so
 * secrets never appear in a command line, a process list or a log.
 */
export function writeSecretMap(path: string): Script {
  return sh`map=${path}
mkdir -p "$(dirname "$map")" || fail "cannot create the directory of $map"
(umask 077 && cat >"$map.smartos-mail-new") || fail "cannot write $map"
chmod 600 "$map.smartos-mail-new" && mv "$map.smartos-mail-new" "$map" || fail "cannot put $map in place"
postmap "hash:$map" 2>"$map.postmap-err" || { err=$(cat "$map.postmap-err"); rm -f "$map.postmap-err"; fail "postmap hash:$map failed: $err"; }
rm -f "$map.postmap-err"
chmod 600 "$map.db"`;
}

/** Removes a table and its built .db. */
export function removeMap(path: string): Script {
  return sh`rm -f ${path} ${`${path}.db`}`;
}

/** Prints whether a table exists (`yes`/`no`) and then its contents. */
export function showMap(path: string): Script {
  return sh`if [ -f ${path} ]; then echo yes; cat ${path}; else echo no; fi`;
}
