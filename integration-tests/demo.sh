#!/bin/bash
# The demo: brings up a testbed host (real sshd + Postfix in a network
# namespace), applies PostfixConfig through the lifecycle harness the way
# `pulumi up` would, runs the guide's SMTP smoke test and prints the result.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash integration-tests/setup.sh
node integration-tests/dist/demo/demo.js
