import { joinScripts, type Script, sh } from "../remote/shell";
import { showAlias } from "./aliases";

/**
 * The host's own record of what each main.cf parameter and alias held before
 * a PostfixConfig first set it: `<config_directory>/.smartos-mail-originals`,
 * one line per entry, `param NAME = VALUE` or `param NAME` (unset), `alias
 * NAME = TARGET` or `alias NAME` (none).
 *
 * Pulumi state alone cannot hold these: a create cut after main.cf went live,
 * or one whose answer was lost, leaves no state, and the create that follows
 * would take the failed run's values for the originals (and a later delete
 * would "restore" them). Entries are added before anything goes live and
 * dropped once a delete or update has put the original back.
 */
const locateOriginals = sh`originals="$(postconf -h config_directory)/.smartos-mail-originals" || fail "postconf cannot read config_directory"`;

/** What the record holds for the names a caller asked about. */
export interface Originals {
  /** main.cf parameter -> its value before smartos-mail set it (null: it was unset). */
  parameters: Record<string, string | null>;
  /** Alias name -> its target before smartos-mail set it (null: there was none). */
  aliases: Record<string, string | null>;
}

// One entry's key ("param myhostname") and the line it is written as.
const entryKey = (kind: "param" | "alias", name: string) => `${kind} ${name}`;

/**
 * Adds the live value of every named parameter and alias the record does not
 * have yet, then prints the whole record (parse it with {@link parseOriginals}).
 * Run under the remote lock, before the change goes live.
 */
export function recordOriginals(parameters: readonly string[], aliases: readonly string[]): Script {
  const wanted = [...parameters.map((p) => entryKey("param", p)), ...aliases.map((a) => entryKey("alias", a))];
  const liveAliases = aliases.map(
    (a) => sh`target=$(${showAlias(a)}) || exit
[ -z "$target" ] || printf 'alias %s = %s\n' ${a} "$target"`,
  );
  return sh`${locateOriginals}
[ -f "$originals" ] || : >"$originals" || fail "cannot create $originals"
{
postconf -n | sed 's/^/param /'
${joinScripts(liveAliases)}
} >"$originals.live" || fail "cannot read the live values for $originals"
awk -v wanted=${wanted.join(",")} '
  FILENAME == ARGV[1] { have[$1 " " $2] = 1; print; next }
  { live[$1 " " $2] = $0 }
  END { n = split(wanted, w, ","); for (i = 1; i <= n; i++) if (!(w[i] in have)) { line = (w[i] in live) ? live[w[i]] : w[i]; print line } }
' "$originals" "$originals.live" >"$originals.new" && mv "$originals.new" "$originals" || fail "cannot update $originals"
rm -f "$originals.live"
cat "$originals"`;
}

/**
 * Drops the named entries once their originals are back in place; removes
 * the record when it is left empty.
 */
export function forgetOriginals(parameters: readonly string[], aliases: readonly string[]): Script {
  const dropped = [...parameters.map((p) => entryKey("param", p)), ...aliases.map((a) => entryKey("alias", a))];
  return sh`${locateOriginals}
if [ -f "$originals" ]; then
  awk -v dropped=${dropped.join(",")} 'BEGIN { n = split(dropped, d, ","); for (i = 1; i <= n; i++) drop[d[i]] = 1 } !(($1 " " $2) in drop)' "$originals" >"$originals.new" && mv "$originals.new" "$originals" || fail "cannot update $originals"
  [ -s "$originals" ] || rm -f "$originals"
fi`;
}

/** Parses the record {@link recordOriginals} printed. */
export function parseOriginals(text: string): Originals {
  const out: Originals = { parameters: {}, aliases: {} };
  for (const line of text.split("\n")) {
    const m = /^(param|alias) (\S+)(?: = ?(.*))?$/.exec(line);
    if (!m) continue;
    const [, kind, name, value] = m;
    (kind === "param" ? out.parameters : out.aliases)[name] = value ?? null;
  }
  return out;
}
