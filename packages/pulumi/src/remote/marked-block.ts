import { type Script, sh } from "./shell";

/** The comment lines that open and close a block owned by `owner` in a shared file. */
export function blockMarkers(owner: string): { begin: string; end: string } {
  return { begin: `# BEGIN ${owner} (managed by smartos-mail)`, end: `# END ${owner}` };
}

// Puts "$f.smartos-mail-tmp" in place of "$f" if it differs, with one rename
// and the file's mode and owner kept (cp -p, then new contents); sets block_changed.
const replaceIfChanged = sh`if cmp -s "$f" "$f.smartos-mail-tmp"; then rm -f "$f.smartos-mail-tmp"; else
  cp -p "$f" "$f.smartos-mail-new" && cat "$f.smartos-mail-tmp" >"$f.smartos-mail-new" && mv "$f.smartos-mail-new" "$f" || fail "cannot replace $f"
  rm -f "$f.smartos-mail-tmp"
  block_changed=1
fi`;

/**
 * Writes `body` between the owner's markers in `path`, replacing the block
 * if present and appending it otherwise. Every other line of the file stays
 * as it was. Sets `block_changed=1` when the file changed. Must run under
 * the host lock.
 */
export function putMarkedBlock(path: string, owner: string, body: string): Script {
  const { begin, end } = blockMarkers(owner);
  // The body goes through a file: awk -v would interpret its backslashes.
  return sh`f=${path} block_changed=
mkdir -p "$(dirname "$f")" && touch "$f" || fail "cannot create $f"
printf '%s\n' ${body.replace(/\n$/, "")} >"$f.smartos-mail-body" || fail "cannot write next to $f"
awk -v b=${begin} -v e=${end} -v bodyfile="$f.smartos-mail-body" '
  function block() { print b; while ((getline line < bodyfile) > 0) print line; close(bodyfile); print e; done = 1 }
  $0 == b { skip = 1; if (!done) block(); next }
  skip && $0 == e { skip = 0; next }
  !skip { print }
  END { if (!done) block() }' "$f" >"$f.smartos-mail-tmp" || fail "cannot edit $f"
rm -f "$f.smartos-mail-body"
${replaceIfChanged}`;
}

/** Removes the owner's block from `path` (absent file or block is fine); sets `block_changed=1` when it did. */
export function removeMarkedBlock(path: string, owner: string): Script {
  const { begin, end } = blockMarkers(owner);
  return sh`f=${path} block_changed=
if [ -f "$f" ]; then
  awk -v b=${begin} -v e=${end} '$0 == b { skip = 1; next } skip && $0 == e { skip = 0; next } !skip { print }' "$f" >"$f.smartos-mail-tmp" || fail "cannot edit $f"
${replaceIfChanged}
fi`;
}

/** Prints the lines between the owner's markers in `path` (nothing when absent). */
export function showMarkedBlock(path: string, owner: string): Script {
  const { begin, end } = blockMarkers(owner);
  return sh`[ ! -f ${path} ] || awk -v b=${begin} -v e=${end} '$0 == b { inside = 1; next } inside && $0 == e { inside = 0; next } inside { print }' ${path}`;
}
