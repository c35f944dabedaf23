#!/bin/bash
# Prints "N passed, N failed" over the TAP files of node --test runs, summed.
# node's "# fail" counts failed tests only: a suite whose before hook failed, or a file that died
# outside any test, is a top-level "not ok" whose failureType is not subtestsFailed. Those count too.
set -euo pipefail
awk '
  FNR == 1 { top = 0 }
  /^# pass / { passed += $3 }
  /^# fail / { failed += $3 }
  /^not ok / { top = 1; next }
  top && /^  failureType: / { if ($2 != "'"'"'subtestsFailed'"'"'") failed++; top = 0 }
  END { print passed + 0 " passed, " failed + 0 " failed" }
' "$@"
