#!/bin/bash
# The flake hunt: runs the README's test command N times, each in a fresh clone
# of this checkout's HEAD (as CI does), optionally beside K CPU-bound processes,
# and prints each run's closing line and duration. Exits non-zero if any run
# failed. Needs what the test command needs (root; see the README).
#   integration-tests/soak.sh N [--load K]
# Each run's whole output stays in $SOAK_DIR (default /tmp/smartos-mail-soak)
# as run-I.log; the clones are removed after their run.
set -euo pipefail
usage() { echo "usage: soak.sh N [--load K]" >&2; exit 2; }
[ $# -ge 1 ] && [[ $1 =~ ^[1-9][0-9]*$ ]] || usage
runs=$1
load=0
if [ $# -eq 3 ] && [ "$2" = --load ] && [[ $3 =~ ^[0-9]+$ ]]; then load=$3; elif [ $# -ne 1 ]; then usage; fi
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${SOAK_DIR:-/tmp/smartos-mail-soak}
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"

burners=()
run_pid=
# Stopping the soak stops the run in progress too: each run is a process group of its own.
stop_all() {
  [ -z "$run_pid" ] || kill -- "-$run_pid" 2>/dev/null || true
  [ ${#burners[@]} -eq 0 ] || kill "${burners[@]}" 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM
for _ in $(seq 1 "$load"); do
  sha256sum /dev/zero &
  burners+=($!)
done

status=0
for i in $(seq 1 "$runs"); do
  clone=$(mktemp -d /tmp/smartos-mail-soak-clone.XXXXXX)
  git clone -q "$repo" "$clone"
  start=$(date +%s)
  set +e
  # setsid (not a group leader here, so it does not fork) makes the run's pid its process group.
  CI=true setsid bash -c 'cd "$1" && exec bash .ci/run' soak "$clone" </dev/null >"$out/run-$i.log" 2>&1 &
  run_pid=$!
  wait "$run_pid"
  rc=$?
  run_pid=
  set -e
  elapsed=$(($(date +%s) - start))
  counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/run-$i.log" | tail -n 1 || true)
  line="run $i of $runs (load $load, $(git -C "$clone" rev-parse --short HEAD)): ${counts:-no closing line}, exit $rc, $((elapsed / 60)) min $((elapsed % 60)) s"
  echo "$line" | tee -a "$summary"
  if [ "$rc" -ne 0 ]; then
    status=1
    grep -E '^not ok ' "$out/run-$i.log" | tee -a "$summary" || true
  fi
  rm -rf "$clone"
done
exit "$status"
