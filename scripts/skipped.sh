#!/usr/bin/env bash
# Prints what a ctest run skipped and why, from its log (default build/Testing/Temporary/
# LastTest.log): cmocka's "[  SKIPPED ] name" and the "SKIP..." reason lines tests print, each
# under the ctest test that printed it. A skipped test passes in ctest's count; this says so.
set -euo pipefail
logf=${1:-$(cd "$(dirname "$0")/.." && pwd)/build/Testing/Temporary/LastTest.log}
[ -f "$logf" ] || { echo "skipped: no ctest log at $logf"; exit 0; }
awk '
/^[0-9]+\/[0-9]+ Testing: / { t = $3; next }
/^SKIP[: ]/ { if (!seen[t SUBSEP $0]++) { lines[++n] = "  " t ": " $0; tests[t] = 1 } next }
/^\[  SKIPPED \] / {
  name = $0; sub(/^\[  SKIPPED \] /, "", name)
  if (name ~ /test\(s\)/) next
  if (!seen[t SUBSEP name]++) { lines[++n] = "  " t ": skipped " name; tests[t] = 1 }
}
END {
  k = 0; for (x in tests) k++
  if (!n) { print "skipped: nothing"; exit }
  printf "skipped: %d test program(s) skipped something (they count as passed above):\n", k
  for (i = 1; i <= n; i++) print lines[i]
}' "$logf"
