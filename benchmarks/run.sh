#!/bin/bash
# Benchmark (issues 7 and 17): PostfixConfig applied by the real Pulumi engine
# (`pulumi up` through the Automation API) against the engine floor (the same
# stack with no resources), an Ansible play and one SSH session doing the same
# work on the same testbed host (create, no-op, update, a drift check after a
# hand edit, destroy), and PostfixConfig on fleets of 1, 5 and 10 hosts. Writes
# benchmarks/RESULTS.md and benchmarks/chart.svg. Run as root on Debian; installs what it needs.
# Uses testbed hosts bm70..bm80 only (indices 70-80). BENCH_ROUNDS and BENCH_FLEET_REPS set
# the repetitions (defaults 5 and 3).
#
# Every run first times what requiring the package costs a program (issue 16; BENCH_LOAD_ROUNDS, default 10).
# `bash benchmarks/run.sh load` runs only that (no root, no testbed) and rewrites its section of RESULTS.md;
# BENCH_LOAD_BEFORE=<commit> also times that commit's build of the package, made in a temporary worktree.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

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
if ! command -v ansible-playbook >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ansible-core >/dev/null
fi
command -v pnpm >/dev/null || npm install -g --silent pnpm@9.15.9
[ -d node_modules/.pnpm ] || pnpm install --frozen-lockfile --reporter=silent
pnpm exec tsc -b benchmarks
before_build
# The real Pulumi engine: a pulumi CLI on PATH, or the pinned one built from its Go module (cached).
PATH="$(bash integration-tests/engine/setup-pulumi.sh):$PATH"
export PATH

# The driver stops starting work after BENCH_BUDGET_S (24 min); this is the hard stop.
timeout --kill-after=30s 28m node benchmarks/dist/run.js
# The tables in the house format, so the test command's lint passes on the file as written.
pnpm exec biome format --write benchmarks/RESULTS.md >/dev/null
