#!/bin/bash
# Fault injection for one testbed host (run inside it with `testbed.sh run`).
# Postfix's tools (postconf, postfix, postmap, postalias, sendmail/newaliases)
# are bind-mounted over, in this host's mount namespace only, by a wrapper
# that counts the calls made from SSH sessions (not those one tool makes of
# another) and, at the call the plan names, kills that session: the remote
# shell and every sshd process of the connection, with SIGKILL, so no trap
# runs and the client sees the connection drop. Calls from anywhere else (the
# test's own inspection, postfix-script, which runs with a cleaned
# environment) pass straight through.
#
#   fault-injector.sh install           wrap the tools (idempotent)
#   fault-injector.sh arm N PHASE       kill the session at the Nth call: before it runs, or after it returned;
#                                       N=0 only counts; resets the count and the call log
#   fault-injector.sh disarm            stop counting
#   fault-injector.sh calls             the calls counted since arming: "N tool args..." lines, and "cut N" lines
set -euo pipefail

DIR=/root/fault-injector
TOOLS=(postconf postfix postmap postalias sendmail)

install() {
  [ ! -f "$DIR/installed" ] || return 0
  mkdir -p "$DIR/real"
  for t in "${TOOLS[@]}"; do cp -p "/usr/sbin/$t" "$DIR/real/$t"; done
  # sendmail acts as newaliases when called by that name.
  cp -p /usr/sbin/sendmail "$DIR/real/newaliases"
  cat >"$DIR/wrapper" <<'WRAPPER'
#!/bin/sh
dir=/root/fault-injector
tool=${0##*/}
# A tool run by a counted one (newaliases runs postalias) is part of that call, not a step of its own.
if [ -z "${SSH_ORIGINAL_COMMAND:-}" ] || [ ! -f "$dir/plan" ] || [ -n "${FAULT_INJECTOR_CALL:-}" ]; then
  exec "$dir/real/$tool" "$@"
fi
n=$(flock "$dir/count" sh -c 'c=$(($(cat "$1" 2>/dev/null || echo 0) + 1)); echo "$c" >"$1"; echo "$c"' sh "$dir/count")
printf '%s %s %s\n' "$n" "$tool" "$*" >>"$dir/calls"
read -r at phase <"$dir/plan"

# Kills every ancestor up to the sshd listener: the shells of the session and its sshd processes.
cut() {
  listener=$(cat /run/sshd.pid)
  victims=
  pid=$$
  while :; do
    pid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status")
    [ "$pid" -gt 1 ] || { echo "fault-injector: $tool is not in an SSH session" >>"$dir/calls"; return; }
    [ "$pid" != "$listener" ] || break
    victims="$victims $pid"
  done
  echo "cut $n$victims" >>"$dir/calls"
  kill -9 $victims
}

if [ "$n" = "$at" ] && [ "$phase" = before ]; then
  cut
  exit 137
fi
FAULT_INJECTOR_CALL=$n "$dir/real/$tool" "$@"
rc=$?
if [ "$n" = "$at" ] && [ "$phase" = after ]; then cut; fi
exit "$rc"
WRAPPER
  chmod 755 "$DIR/wrapper"
  for t in "${TOOLS[@]}"; do mount --bind "$DIR/wrapper" "/usr/sbin/$t"; done
  touch "$DIR/installed"
}

case "${1:-}" in
  install) install ;;
  arm)
    [[ "$2" =~ ^[0-9]+$ ]] && [[ "$3" =~ ^(before|after)$ ]] || { echo "usage: arm N before|after" >&2; exit 2; }
    echo 0 >"$DIR/count"
    : >"$DIR/calls"
    echo "$2 $3" >"$DIR/plan"
    ;;
  disarm) rm -f "$DIR/plan" ;;
  calls) cat "$DIR/calls" ;;
  *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
