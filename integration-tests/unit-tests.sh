#!/bin/bash
# The fast check for contributors: build, lint and the unit tests of both
# packages. Needs Node.js and the workspace's packages (pnpm install), not root
# and not the testbed. Ends with node --test's own summary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
pnpm exec tsc -b
pnpm exec biome check .
mapfile -t files < <(find packages/pulumi/dist-test/test packages/cli/dist-test/test -name '*.test.js' | sort)
node --test "${files[@]}"
