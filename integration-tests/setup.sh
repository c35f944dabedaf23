#!/bin/bash
# Installs what the demo and the tests need on a fresh Debian machine (as root):
# the testbed's Debian packages, pnpm, the workspace's dependencies, and a build,
# with the first `node` on PATH (the callers put the pinned Node 24 there).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash integration-tests/testbed/testbed.sh install
command -v pnpm >/dev/null || npm install -g --silent pnpm@9.15.9
pnpm install --frozen-lockfile --reporter=silent
pnpm exec tsc -b
