#!/bin/bash
# The demo: brings up three testbed hosts (DNS, sender, receiving MX: real
# sshd, Postfix, OpenDKIM, nsd in network namespaces) and runs the README's
# Quick start on examples/send-only with the real Pulumi engine (preview, up,
# a no-op up, refresh after a hand edit, up, destroy), printing the CLI's own
# output, the receiver's Authentication-Results and the queue shape. Runs on
# Node 24 LTS (pinned, cached: node/setup-node.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PATH="$(bash integration-tests/node/setup-node.sh 24):$PATH"
bash integration-tests/setup.sh
PATH="$(bash integration-tests/engine/setup-pulumi.sh):$PATH"
export PATH
node integration-tests/dist/demo/demo.js
