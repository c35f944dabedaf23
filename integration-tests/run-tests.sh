#!/bin/bash
# The test command: installs everything, builds, lints, then runs the unit tests
# and the integration tests (real sshd and Postfix in testbed network namespaces),
# all on Node 24 LTS, then the unit tests again on Node 22. Ends with
# "N passed, N failed" over both runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# pnpm, tsc, the tests and the engine's dynamic-provider plugin (a script that runs `node`) all find it first.
PATH="$(bash integration-tests/node/setup-node.sh 24):$PATH"
bash integration-tests/setup.sh
# The real Pulumi engine: a pulumi CLI on PATH, or the pinned one built from its Go module (cached).
PATH="$(bash integration-tests/engine/setup-pulumi.sh):$PATH"
export PATH
pnpm exec biome check .
bash integration-tests/testbed/testbed.sh down-all
trap 'bash integration-tests/testbed/testbed.sh down-all' EXIT
mkdir -p .test-output
mapfile -t files < <(find packages/pulumi/dist-test/test packages/cli/dist-test/test integration-tests/dist/test -name '*.test.js' | sort)
# Integration test files use separate testbed hosts, so they can run side by side.
set +e
node --test --test-concurrency=4 --test-reporter=tap "${files[@]}" | tee .test-output/tap.txt
status=${PIPESTATUS[0]}
bash integration-tests/node/unit-tests-on.sh 22 || status=1
set -e
bash integration-tests/tap-summary.sh .test-output/tap.txt .test-output/unit-node22.tap
exit "$status"
