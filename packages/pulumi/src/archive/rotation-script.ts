import { createHash } from "node:crypto";
import type { Platform } from "../remote/platform";
import { sh } from "../remote/shell";

/** Line 2 of every rotation script smartos-mail writes; a file without it is never overwritten or removed. */
export const ROTATION_SCRIPT_MARKER =
  "# smartos-mail MailArchive rotation script: written by smartos-mail, changes are overwritten.";

/** What a rotation script is configured with. */
export interface RotationSettings {
  /** The archive directory; the live mbox is `<directory>/current`. */
  directory: string;
  /** While this file exists nothing is deleted (legal hold). */
  holdFile: string;
  /** Archives whose date is more than this many days before today are deleted. */
  retentionDays: number;
}

// The guide's mail_rotate.sh with its bugs fixed. Plain POSIX sh: it runs under
// SmartOS's /bin/sh (ksh93), Debian's dash and posh. Values come from the header.
const BODY = `
# Usage: mail_rotate.sh [YYYY-MM-DD]
# Moves the mbox to YEAR/DATE (yesterday's date, a .N suffix when taken) and
# compresses it with xz -9; unless the hold file exists, deletes archives dated
# more than DAYS days before today and removes empty year directories. The
# argument rotates as if that were today (default: today's local date).
#
# Where this differs from the guide's script:
# - \`date "+%Y %Y-%m-%d" -d yesterday | read YEAR DATE\` fails twice: illumos
#   date has no -d, and dash, bash and posh run the last command of a pipeline
#   in a subshell, so \`read\` sets nothing there (only ksh93 keeps it). Dates
#   are computed below with shell arithmetic.
# - The guide moves the mbox while Postfix may be appending to it. Here it is
#   moved only while holding the dotlock Postfix's local(8) takes (take_lock).
# - \`find -mtime +DAYS -exec rm\` deletes any old file in the directory, judged
#   by a date that copies and restores reset. Here only files named like an
#   archive (YEAR/YYYY-MM-DD, .N, .xz) are deleted, by the date in their name.
# - \`rmdir --ignore-fail-on-non-empty\` is GNU-only.
umask 077
CP=xz
CL=9
status=0
held=
lock=$DIR/$CURRENT.lock
tmp=$DIR/.$CURRENT.lock.$$
packed=$DIR/.$CP.$$

fail() {
  printf 'mail_rotate: %s\\n' "$*" >&2
  exit 1
}

# split_date YYYY-MM-DD: sets y, m, d (no leading zeros: sh reads 08 as octal).
split_date() {
  y=\${1%%-*}
  m=\${1#*-}
  d=\${m#*-}
  m=\${m%%-*}
  m=\${m#0}
  d=\${d#0}
}

# to_days YYYY-MM-DD: sets days, the day number since 1970-01-01 (Gregorian).
to_days() {
  split_date "$1"
  if [ "$m" -le 2 ]; then y=$((y - 1)); m=$((m + 9)); else m=$((m - 3)); fi
  days=$((y * 365 + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + d - 1 - 719468))
}

# from_days N: sets date_text, the YYYY-MM-DD of day number N.
from_days() {
  z=$(($1 + 719468))
  era=$((z / 146097))
  doe=$((z - era * 146097))
  yoe=$(((doe - doe / 1460 + doe / 36524 - doe / 146096) / 365))
  doy=$((doe - (365 * yoe + yoe / 4 - yoe / 100)))
  mp=$(((5 * doy + 2) / 153))
  d=$((doy - (153 * mp + 2) / 5 + 1))
  y=$((yoe + era * 400))
  if [ "$mp" -lt 10 ]; then m=$((mp + 3)); else m=$((mp - 9)); y=$((y + 1)); fi
  date_text=$(printf '%04d-%02d-%02d' "$y" "$m" "$d")
}

# is_archive FILE: true when FILE is named like an archive, YYYY-MM-DD with an
# optional .N and an optional .xz; sets day to its date.
is_archive() {
  name=\${1##*/}
  day=\${name%"\${name#??????????}"}
  rest=\${name#"$day"}
  rest=\${rest%."$CP"}
  case $day in
    [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
    *) return 1 ;;
  esac
  case $rest in
    '') return 0 ;;
    . | .*[!0-9]*) return 1 ;;
    .*) return 0 ;;
    *) return 1 ;;
  esac
}

# Postfix's local(8) creates "$CURRENT.lock" with open(O_CREAT|O_EXCL) before it
# opens the mbox and unlinks it after closing it (dot_lockfile). link(2) is just
# as exclusive, so while this script holds the lock no delivery is under way and
# none can start: local(8) retries (deliver_lock_attempts, deliver_lock_delay)
# and, failing that, defers the message; nothing is lost. A file, not a mkdir
# directory: Postfix unlinks a lock older than stale_lock_time, which a
# directory would turn into a failure that local(8) answers by delivering with
# no dotlock at all.
take_lock() {
  [ ! -d "$lock" ] || fail "$lock is a directory; remove it"
  printf '%s\\n' "$$" >"$tmp" || fail "cannot write $tmp"
  tries=0
  until ln "$tmp" "$lock" 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -ge 600 ]; then
      rm -f "$tmp"
      fail "$lock is still held after 600 tries; nothing was moved (Postfix removes a dotlock older than stale_lock_time)"
    fi
    sleep 0.1 2>/dev/null || sleep 1
  done
  held=1
  rm -f "$tmp"
}

trap '[ -z "$held" ] || rm -f "$lock"; rm -f "$tmp" "$packed"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

today=\${1:-$(date +%Y-%m-%d)}
case $today in
  [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]) ;;
  *) fail "usage: mail_rotate.sh [YYYY-MM-DD]" ;;
esac
[ -d "$DIR" ] || fail "$DIR does not exist"

# Without dotlock in mailbox_delivery_lock, local(8) holds only kernel locks
# (fcntl, flock) that a shell script cannot take: refuse rather than race it.
locks=$(postconf -h mailbox_delivery_lock) || fail "cannot read mailbox_delivery_lock with postconf"
case " $(printf '%s' "$locks" | tr ',' ' ') " in
  *" dotlock "*) ;;
  *) fail "mailbox_delivery_lock is '$locks': add dotlock (postconf -e 'mailbox_delivery_lock = fcntl, dotlock'), or local(8) appends with no lock this script can see" ;;
esac

to_days "$today"
now=$days
from_days $((now - 1))
DATE=$date_text
YEAR=\${DATE%%-*}

if [ -s "$DIR/$CURRENT" ]; then
  take_lock
  # Checked again under the lock: another run may have moved it meanwhile.
  if [ -s "$DIR/$CURRENT" ]; then
    mkdir -p "$DIR/$YEAR" || fail "cannot create $DIR/$YEAR"
    DST=$DIR/$YEAR/$DATE
    if [ -e "$DST" ] || [ -e "$DST.$CP" ]; then
      SUFFIX=0
      while [ -e "$DST.$SUFFIX" ] || [ -e "$DST.$SUFFIX.$CP" ]; do
        SUFFIX=$((SUFFIX + 1))
      done
      DST=$DST.$SUFFIX
    fi
    mv "$DIR/$CURRENT" "$DST" || fail "cannot move $DIR/$CURRENT to $DST"
  fi
  rm -f "$lock"
  held=
fi

# Compress this run's archive, and any an earlier run could not (disk full).
# xz writes a dot file in $DIR that is renamed to NAME.xz only when complete, so
# runs may overlap (cron and a person): a NAME.xz beside NAME is always whole
# and NAME, which nothing writes to any more, can go.
for f in "$DIR"/[0-9][0-9][0-9][0-9]/*; do
  [ -f "$f" ] && is_archive "$f" || continue
  case $f in *."$CP") continue ;; esac
  [ -e "$f.$CP" ] || { err=$("$CP" -"$CL" -c "$f" 2>&1 >"$packed") && touch -r "$f" "$packed" && mv "$packed" "$f.$CP"; } || {
    rm -f "$packed"
    # Gone meanwhile: an overlapping run compressed it.
    [ ! -e "$f" ] || { printf 'mail_rotate: cannot compress %s: %s\\n' "$f" "$err" >&2; status=1; }
    continue
  }
  rm -f "$f"
done

[ ! -e "$HOLD" ] || exit "$status"

cutoff=$((now - DAYS))
for f in "$DIR"/[0-9][0-9][0-9][0-9]/*; do
  [ -f "$f" ] && is_archive "$f" || continue
  to_days "$day"
  [ "$days" -ge "$cutoff" ] || rm -f "$f" || status=1
done
for dir in "$DIR"/[0-9][0-9][0-9][0-9]; do
  [ ! -d "$dir" ] || rmdir "$dir" 2>/dev/null || :
done
exit "$status"
`;

/**
 * The rotation script for one archive: the guide's `mail_rotate.sh`, fixed
 * (see the comments in it), with the platform's PATH so cron finds postconf
 * and xz, and the archive's settings quoted into its header.
 */
export function rotationScript(p: Platform, s: RotationSettings): string {
  const settings = sh`PATH=${p.path}
export PATH
DIR=${s.directory}
CURRENT=current
HOLD=${s.holdFile}
DAYS=${s.retentionDays}`;
  return `#!/bin/sh\n${ROTATION_SCRIPT_MARKER}\n${settings.text}${BODY}`;
}

/** SHA-256 (hex) of a script's text, as the host's sha256 tool prints it for the installed file. */
export function scriptSha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
