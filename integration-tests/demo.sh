#!/bin/bash
# The demo: brings up three testbed hosts (DNS, sender, receiving MX: real
# sshd, Postfix, OpenDKIM, nsd in network namespaces), applies SendOnlyMailServer
# through the lifecycle harness the way `pulumi up` would, sends a message and
# prints the receiver's Authentication-Results and the queue shape.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash integration-tests/setup.sh
node integration-tests/dist/demo/demo.js
