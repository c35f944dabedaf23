#!/bin/bash
# Runs the unit test files of both packages (their existing build) on the
# pinned Node.js of a release line: node --test's spec report on stdout, its
# TAP in .test-output/unit-node<LINE>.tap for tap-summary.sh. Exits non-zero
# when a test failed.
#
#   unit-tests-on.sh 24|22
set -euo pipefail
line=${1:?usage: unit-tests-on.sh 24|22}
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PATH="$(bash integration-tests/node/setup-node.sh "$line"):$PATH"
mkdir -p .test-output
rm -f ".test-output/unit-node$line.tap"
mapfile -t files < <(find packages/pulumi/dist-test/test packages/cli/dist-test/test -name '*.test.js' | sort)
node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination=".test-output/unit-node$line.tap" "${files[@]}"
