#!/usr/bin/env bash
# Installs what is missing, builds (warnings as errors) and runs every test with ctest; then
# runs the unit tests again under ASan/UBSan. Set DG_SKIP_SANITIZE=1 to skip that second pass.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
(cd "$root/build" && ctest --output-on-failure -j2)
if [ "${DG_SKIP_SANITIZE:-0}" != 1 ]; then
  "$root/scripts/build.sh" "$root/build-asan" -DDG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  (cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j2 -L unit)
fi
