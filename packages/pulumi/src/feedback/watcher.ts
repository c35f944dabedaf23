import { BOUNCE_CLASS_AWK, FEEDBACK_TEXT, SUPPRESSED_CLASS } from "../postfix/bounce-classes";
import { withRemoteLock } from "../remote/lock";
import type { Platform } from "../remote/platform";
import { joinScripts, type Script, sh } from "../remote/shell";

/** The first line of the feedback map: a file without it is not the watcher's. */
export const FEEDBACK_MAP_MARKER =
  "# managed by smartos-mail DeliveryFeedback: suspensions, throttles and suppressed addresses (smartos-mail shaping, smartos-mail suppressions)";

/**
 * One pass over the new log lines, in awk (POSIX; mawk, gawk, the one-true-awk of illumos and pkgsrc). The
 * operands are the rules file, the state files and the log's new bytes, each after a `part=` assignment:
 *
 * - `conf`: the rules file (feedback/rules-file.ts).
 * - `events`: `rule TAB domain TAB time`, one per counted reply, kept while inside the rule's window.
 * - `actions`: `domain TAB rule TAB suspend|throttle TAB until TAB transport`, one per domain.
 * - `suppressed`: `address TAB dsn TAB time`.
 * - `old`: the rest of a rotated log, read whole.
 * - `log`: the current log from the saved offset. Only the first `avail` bytes count (the size when the pass
 *   began), and only whole lines: a line Postfix is still writing is read on the next pass.
 *
 * It counts a line only when it is a remote reply: `status=deferred|bounced (host NAME[ADDR] said: …` or
 * `… refused to talk to me: …` as Postfix's SMTP client logs them (smtp_trouble.c); the error and retry
 * transports' own lines (the watcher's suspensions and suppressions) never count. A rule reaching its threshold
 * again while its action is in force (a throttled domain still answering so) starts the action's time again; a
 * suspension is never weakened to a throttle. The replies that made a rule act are forgotten. Writes the new state files,
 * `entries.new` (the map's entries) and prints `used N` (bytes of `log` consumed), `flush DOMAIN` for each
 * action that ended and `act DOMAIN RULE` for each that began.
 */
const PASS = String.raw`${BOUNCE_CLASS_AWK}
function iso(t,   s, mi, h, z, era, doe, yoe, doy, mp, d, m, y) {
  t = int(t); s = t % 60; t = (t - s) / 60; mi = t % 60; t = (t - mi) / 60; h = t % 24; z = (t - h) / 24 + 719468
  era = int(z / 146097); doe = z - era * 146097
  yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
  doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100)); mp = int((5 * doy + 2) / 153)
  d = doy - int((153 * mp + 2) / 5) + 1; m = mp < 10 ? mp + 3 : mp - 9; y = yoe + era * 400 + (m <= 2)
  return sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, h, mi, s)
}
function relayok(i, relay,   n, k, s, list) {
  if (rrelay[i] == "-") return 1
  n = split(rrelay[i], list, " ")
  for (k = 1; k <= n; k++) {
    s = list[k]
    if (relay == s || (length(relay) > length(s) && substr(relay, length(relay) - length(s)) == "." s)) return 1
  }
  return 0
}
function allowed(a,   dom) { dom = a; sub(/^[^@]*/, "", dom); return (a in allow) || (dom in allow) }
function scan(l,   i, st, dsn, addr, dom, txt, relay) {
  i = index(l, " status="); if (!i) return
  st = substr(l, i + 8)
  if (st !~ /^(deferred|bounced) \(/) return
  if (!match(l, / dsn=[0-9]\.[0-9]+\.[0-9]+, /)) return
  dsn = substr(l, RSTART + 5, RLENGTH - 7)
  if (!match(l, / to=<[^>]*>/)) return
  addr = tolower(substr(l, RSTART + 5, RLENGTH - 6))
  dom = addr
  # Only a domain name is a map key (no literal, nothing with a space that would start the entry's value).
  if (!sub(/^.*@/, "", dom) || dom !~ /^[a-z0-9][a-z0-9.-]*$/) return
  txt = substr(st, index(st, "(") + 1)
  if (txt !~ /^host [^ ]+ (said|refused to talk to me): /) return
  relay = tolower(substr(txt, 6)); sub(/\[.*$/, "", relay)
  for (i = 1; i <= nrules; i++)
    if (relayok(i, relay) && (rstatus[i] == "-" || rstatus[i] == dsn) && (rpat[i] == "-" || txt ~ rpat[i]))
      ev[++nev] = rname[i] "\t" dom "\t" now
  if (suppress && st ~ /^bounced/ && bounceclass("bounced", dsn, txt) == "${SUPPRESSED_CLASS}" && addr ~ /^[^ @"\\:]+@[a-z0-9.-]+$/ && !allowed(addr))
    sup[addr] = dsn "\t" now
}
BEGIN { FS = "\t"; nrules = 0; nev = 0; used = 0; suppress = 0; ttl = 0 }
part == "conf" {
  if ($1 == "rule") {
    nrules++; rname[nrules] = $2; rrelay[nrules] = $3; rstatus[nrules] = $4; rpat[nrules] = $5
    rcount[nrules] = $6 + 0; rwin[nrules] = $7 + 0; rdur[nrules] = $8 + 0; raction[nrules] = $9; rtrans[nrules] = $10
    ri[$2] = nrules
  } else if ($1 == "suppress") { suppress = ($2 == "on"); ttl = $3 + 0 }
  else if ($1 == "allow") allow[$2] = 1
  next
}
part == "events" { if (NF >= 3) ev[++nev] = $0; next }
part == "actions" { if (NF >= 5) act[$1] = $2 "\t" $3 "\t" $4 "\t" $5; next }
part == "suppressed" { if (NF >= 3) sup[$1] = $2 "\t" $3; next }
part == "old" { scan($0); next }
part == "log" {
  n = length($0) + 1
  if (used + n > avail) exit
  used += n; scan($0); next
}
END {
  printf "" > "events.new"; printf "" > "actions.new"; printf "" > "suppressed.new"; printf "" > "entries.new"
  ne = 0
  for (k = 1; k <= nev; k++) {
    split(ev[k], e, "\t")
    if (!(e[1] in ri) || e[3] + rwin[ri[e[1]]] <= now) continue
    keep[++ne] = ev[k]; cnt[e[1] SUBSEP e[2]]++
  }
  nx = 0
  for (d in act) {
    split(act[d], a, "\t")
    if (a[3] + 0 <= now || !(a[1] in ri)) ended[++nx] = d
  }
  for (k = 1; k <= nx; k++) { print "flush\t" ended[k]; delete act[ended[k]] }
  for (d in act) { split(act[d], a, "\t"); was[d] = a[1] }
  for (k in cnt) {
    split(k, kk, SUBSEP); r = kk[1]; d = kk[2]; i = ri[r]
    if (cnt[k] < rcount[i]) continue
    if (d in act) { split(act[d], a, "\t"); if (a[2] == "suspend" && raction[i] == "throttle") continue }
    # A new action, a stronger one, or the same again (the replies go on): it lasts its duration from now.
    act[d] = r "\t" raction[i] "\t" (now + rdur[i]) "\t" rtrans[i]
    fired[k] = 1
  }
  for (k = 1; k <= ne; k++) {
    split(keep[k], e, "\t")
    if (!((e[1] SUBSEP e[2]) in fired)) print keep[k] > "events.new"
  }
  for (d in act) {
    split(act[d], a, "\t")
    if (!(d in was) || was[d] != a[1]) print "act\t" d "\t" a[1]
    print d "\t" act[d] > "actions.new"
    if (a[2] == "suspend") print d "\tretry:4.7.0 suspended ${FEEDBACK_TEXT} until " iso(a[3]) " (rule " a[1] ")" > "entries.new"
    else print d "\t" a[4] ":" relayhost > "entries.new"
  }
  for (s in sup) {
    split(sup[s], b, "\t")
    if (!suppress || b[2] + ttl <= now || allowed(s)) continue
    print s "\t" sup[s] > "suppressed.new"
    print s "\terror:" b[1] " suppressed ${FEEDBACK_TEXT} (bounced " substr(iso(b[2]), 1, 10) ")" > "entries.new"
  }
  print "used\t" used
}`;

/** Where a watcher keeps its files; the product's are in feedback/rules-file.ts, tests use their own. */
export interface WatcherPaths {
  /** The directory of the rules and state files. */
  dir: string;
  /** The feedback transport map (the `hash:` source file). */
  map: string;
  /** The lock the watcher holds while it runs: the host lock, so it never runs inside another edit. */
  lockDir?: string;
}

/**
 * The watcher script (POSIX sh and awk: ksh93 on SmartOS, dash on Debian), written to the host and run by cron
 * every minute:
 *
 * - `watch.sh run [NOW]`: one pass. NOW (epoch seconds) is for replaying a log at a known time.
 * - `watch.sh unsuppress ADDRESS`: drops the address from the suppression list, then one pass.
 *
 * It reads the log from the saved inode and offset: a changed inode is a rotation (the rest of the old file,
 * found as `LOG.*` by its inode, is read first, then the new one from 0); a smaller size is a truncation (read
 * from 0). Its first pass starts at the end: what was logged before the watcher existed is history. It rewrites
 * and postmaps the map only when the entries changed, then reloads Postfix (`postfix reload`, which neither
 * starts a stopped Postfix nor enables a service). When
 * an action ends it asks the queue manager to retry that domain's mail at once (`postqueue -s`, else `-f`).
 */
export function watcherScript(p: Platform, paths: WatcherPaths): Script {
  const pass = sh`tail_from=$((start + 1))
{ if [ "$avail" -gt 0 ]; then tail -c +"$tail_from" "$log"; fi; } | awk -v now="$now" -v avail="$avail" -v relayhost="$relayhost" ${PASS} \
  part=conf rules part=events events part=actions actions part=suppressed suppressed part=old old.chunk part=log - >pass.out ||
  fail "the pass over $log failed"
used=$(awk '$1 == "used" { print $2 }' pass.out)
{ printf '%s\\n' ${FEEDBACK_MAP_MARKER}; sort entries.new; } >map.new || fail "cannot write $dir/map.new"
mv events.new events && mv actions.new actions && mv suppressed.new suppressed || fail "cannot update the state in $dir"
if [ -n "$ino" ]; then printf '%s %s\\n' "$ino" "$((start + used))" >position.new && mv position.new position || fail "cannot save the position in $dir"; fi
if ! cmp -s map.new "$map"; then
  cp map.new "$map.smartos-mail-new" && chmod 644 "$map.smartos-mail-new" && mv "$map.smartos-mail-new" "$map" || fail "cannot write $map"
  postmap "hash:$map" || fail "postmap hash:$map failed"
  # trivial-rewrite notices a changed table only when a new client connects, and the queue manager keeps its
  # connection: without a reload, mail already queued can leave by the old entry for a minute or more.
  postfix reload >/dev/null 2>&1 || echo "smartos-mail feedback: postfix reload failed; Postfix reads the new map by itself within minutes" >&2
fi
awk -F'\\t' '$1 == "act" { print "smartos-mail feedback: rule " $3 " acts on " $2 }' pass.out
flushed=
for d in $(awk -F'\\t' '$1 == "flush" { print $2 }' pass.out); do
  echo "smartos-mail feedback: the action on $d ended"
  postqueue -s "$d" 2>/dev/null || flushed=all
done
if [ -n "$flushed" ]; then postqueue -f || echo "smartos-mail feedback: postqueue -f failed; the queue is retried at its own pace" >&2; fi
rm -f map.new entries.new old.chunk pass.out`;
  const body = sh`cd "$dir" || fail "no directory $dir"
[ -f rules ] || fail "no rules file in $dir"
for f in position events actions suppressed; do [ -f "$f" ] || : >"$f" || fail "cannot write $dir/$f"; done
now=
if [ "$cmd" = unsuppress ]; then
  addr=$(printf '%s' "$arg" | tr 'A-Z' 'a-z')
  [ -n "$addr" ] || fail "unsuppress needs an address"
  awk -F'\\t' -v a="$addr" '$1 != a' suppressed >suppressed.new && mv suppressed.new suppressed || fail "cannot edit $dir/suppressed"
else
  now=$arg
fi
[ -n "$now" ] || now=$(awk 'BEGIN { srand(); print srand() }')
log=$(awk -F'\\t' '$1 == "log" { print $2; exit }' rules)
relayhost=$(postconf -h relayhost 2>/dev/null)
pino= poff=
read -r pino poff <position || true
ino= size=0
if [ -f "$log" ]; then set -- $(ls -iln "$log"); ino=$1 size=$6; fi
: >old.chunk || fail "cannot write $dir/old.chunk"
if [ -z "$ino" ]; then start=0 size=0
elif [ -z "$pino" ]; then start=$size
elif [ "$pino" != "$ino" ]; then
  for f in "$log".*; do
    [ -f "$f" ] || continue
    set -- $(ls -iln "$f")
    if [ "$1" = "$pino" ]; then tail -c +"$((poff + 1))" "$f" >old.chunk; break; fi
  done
  start=0
elif [ "$size" -lt "$poff" ]; then start=0
else start=$poff
fi
avail=$((size - start))
${pass}`;
  return joinScripts([
    sh`#!/bin/sh
# DeliveryFeedback's watcher, written by smartos-mail: change the Pulumi program, not this file.
#   watch.sh run [NOW]           one pass over the new lines of the mail log (cron runs it every minute)
#   watch.sh unsuppress ADDRESS  take ADDRESS off the suppression list, then one pass
PATH=${p.path}; export PATH
LC_ALL=C; export LC_ALL
umask 022
dir=${paths.dir} map=${paths.map}
fail() { printf 'smartos-mail feedback: %s\\n' "$*" >&2; exit 65; }
cmd=\${1:-run} arg=\${2:-}
case $cmd in run | unsuppress) ;; *) fail "usage: watch.sh run [NOW] | watch.sh unsuppress ADDRESS" ;; esac`,
    paths.lockDir === undefined ? withRemoteLock(body) : withRemoteLock(body, paths.lockDir),
  ]);
}
