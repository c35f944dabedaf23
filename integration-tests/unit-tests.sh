#!/bin/bash
# The fast check for contributors: build, lint and the unit tests of both
# packages, on Node 24 LTS and again on Node 22 (the oldest line `engines`
# allows; the build is the same). Needs pnpm and the workspace's packages
# (pnpm install), not root and not the testbed. Ends with "N passed, N failed"
# over both runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PATH="$(bash integration-tests/node/setup-node.sh 24):$PATH"
pnpm exec tsc -b
pnpm exec biome check .
status=0
bash integration-tests/node/unit-tests-on.sh 24 || status=1
bash integration-tests/node/unit-tests-on.sh 22 || status=1
bash integration-tests/tap-summary.sh .test-output/unit-node24.tap .test-output/unit-node22.tap
exit "$status"
