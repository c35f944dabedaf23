#!/bin/bash
# Benchmark (issues 7, 17 and 27): PostfixConfig applied by the real Pulumi engine
# (`pulumi up` through the Automation API) against the dynamic-provider floor (one
# dynamic resource whose hooks do nothing), the engine floor (no resources), a
# pyinfra deploy, an Ansible play and one SSH session doing the same work on the
# same testbed host (create, no-op, update, a drift check after a hand edit,
# destroy); the send-only example as a user runs it; Node.js's compile cache; and
# PostfixConfig on fleets of 1, 10 and 25 hosts. Writes benchmarks/RESULTS.md and
# benchmarks/chart.svg. Run as root on Debian; installs what it needs. Uses testbed
# hosts bm70, bm71 and bm170..bm194 only. BENCH_ROUNDS, BENCH_SEND_ONLY_ROUNDS,
# BENCH_CACHE_ROUNDS and BENCH_FLEET_REPS set the repetitions (defaults 4, 3, 5, 3).
#
# Every run first times what requiring the package costs a program (issue 16; BENCH_LOAD_ROUNDS, default 10).
# `bash benchmarks/run.sh load` runs only that (no root, no testbed) and rewrites its section of RESULTS.md;
# BENCH_LOAD_BEFORE=<commit> also times that commit's build of the package, made in a temporary worktree.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# The project's Node.js 24, as the tests run on (fetched once, cached outside the clone).
PATH="$(bash integration-tests/node/setup-node.sh 24):$PATH"
export PATH

# pyinfra, pinned, from PyPI into a venv of its own under the machine's cache (made once).
PYINFRA_VERSION=3.10.0
install_pyinfra() {
  local venv=${SMARTOS_MAIL_CACHE:-/var/cache/smartos-mail}/pyinfra-$PYINFRA_VERSION
  if [ ! -f "$venv/installed" ]; then
    rm -rf "$venv"
    /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "pyinfra==$PYINFRA_VERSION"
    touch "$venv/installed"
  fi
  export BENCH_PYINFRA=$venv/bin/pyinfra
}

# A checkout of BENCH_LOAD_BEFORE with the package built, for program-load.ts to time beside this one.
before_build() {
  [ -n "${BENCH_LOAD_BEFORE:-}" ] || return 0
  local dir=.test-output/load-before
  git worktree remove --force "$dir" 2>/dev/null || true
  git worktree add --detach "$dir" "$BENCH_LOAD_BEFORE" >/dev/null
  trap 'git worktree remove --force .test-output/load-before' EXIT
  (cd "$dir" && pnpm install --frozen-lockfile --prefer-offline --reporter=silent && pnpm exec tsc -b packages/pulumi)
  export BENCH_LOAD_BEFORE_DIR="$PWD/$dir"
}

if [ "${1:-}" = load ]; then
  [ -d node_modules/.pnpm ] || pnpm install --frozen-lockfile --reporter=silent
  pnpm exec tsc -b benchmarks
  before_build
  node benchmarks/dist/program-load.js
  pnpm exec biome format --write benchmarks/RESULTS.md >/dev/null
  exit 0
fi

bash integration-tests/testbed/testbed.sh install
missing=()
command -v ansible-playbook >/dev/null || missing+=(ansible-core)
dpkg-query -W -f='${Status}' python3-venv 2>/dev/null | grep -q "install ok installed" || missing+=(python3-venv)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
install_pyinfra
command -v pnpm >/dev/null || npm install -g --silent pnpm@9.15.9
[ -d node_modules/.pnpm ] || pnpm install --frozen-lockfile --reporter=silent
# The send-only example's program is loaded from its build.
pnpm exec tsc -b benchmarks examples/send-only
before_build
# The real Pulumi engine: a pulumi CLI on PATH, or the pinned one built from its Go module (cached).
PATH="$(bash integration-tests/engine/setup-pulumi.sh):$PATH"
export PATH

# The driver stops starting work after BENCH_BUDGET_S (38 min); this is the hard stop.
timeout --kill-after=30s 45m node benchmarks/dist/run.js
# The tables in the house format, so the test command's lint passes on the file as written.
pnpm exec biome format --write benchmarks/RESULTS.md >/dev/null
