#!/bin/bash
# The test command: installs everything, builds, lints, then runs the unit tests
# and the integration tests (real sshd and Postfix in testbed network namespaces).
# Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
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
set -e
passed=$(awk '/^# pass /{print $3}' .test-output/tap.txt)
failed=$(awk '/^# fail /{print $3}' .test-output/tap.txt)
# node's "# fail" counts failed tests only: a suite whose before hook failed, or a file that died
# outside any test, is a top-level "not ok" whose failureType is not subtestsFailed. Count those too.
broken=$(awk '/^not ok /{top = 1; next} top && /^  failureType: /{if ($2 != "'"'"'subtestsFailed'"'"'") n++; top = 0} END {print n + 0}' .test-output/tap.txt)
echo "${passed:-0} passed, $((${failed:-0} + broken)) failed"
exit "$status"
