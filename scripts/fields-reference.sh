#!/usr/bin/env bash
# Rewrites the generated canonical field reference in mappings/README.md (between the
# "fields:begin" and "fields:end" markers) from `dropgate fields --markdown`.
#   scripts/fields-reference.sh [DROPGATE_BINARY]   (default: build/dropgate)
# tests/integration/test_fields_reference.sh fails when the README and the model disagree.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/dropgate}
readme=$root/mappings/README.md
gen=$(mktemp)
trap 'rm -f "$gen"' EXIT
"$bin" fields --markdown >"$gen"
awk -v gen="$gen" '
  /<!-- fields:begin -->/ { print; while ((getline l < gen) > 0) print l; skip = 1; next }
  /<!-- fields:end -->/ { skip = 0 }
  !skip { print }' "$readme" >"$readme.tmp"
mv "$readme.tmp" "$readme"
