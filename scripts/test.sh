#!/usr/bin/env bash
# Installs what is missing, builds (warnings as errors) and runs every test with ctest; then
# runs the unit tests again under ASan/UBSan (DG_SKIP_SANITIZE=1 skips it), then each fuzz
# harness for DG_FUZZ_SECONDS (20; DG_SKIP_FUZZ=1 skips it) when clang's libFuzzer is there.
# After each ctest pass it lists what was skipped and why (scripts/skipped.sh): ctest counts a
# skipped test as passed. With CI=true a missing ../shared/corpus fails the tests that read it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
status=0
(cd "$root/build" && ctest --output-on-failure -j2) || status=$?
"$root/scripts/skipped.sh" "$root/build/Testing/Temporary/LastTest.log"
[ "$status" -eq 0 ] || exit "$status"
if [ "${DG_SKIP_SANITIZE:-0}" != 1 ]; then
  "$root/scripts/build.sh" "$root/build-asan" -DDG_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  (cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j2 -L unit) ||
    status=$?
  "$root/scripts/skipped.sh" "$root/build-asan/Testing/Temporary/LastTest.log"
  [ "$status" -eq 0 ] || exit "$status"
fi
# A short fuzzing run of every harness (tests/fuzz/README.md has the longer one). Skipped, and
# said so, when clang or its fuzzer runtime is missing.
if [ "${DG_SKIP_FUZZ:-0}" = 1 ]; then
  echo "SKIPPED fuzzing: DG_SKIP_FUZZ=1"
elif ! command -v clang >/dev/null ||
  ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
  clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
  echo "SKIPPED fuzzing: clang or its libFuzzer runtime (Debian: libclang-rt-14-dev) is missing"
else
  CC=clang cmake -S "$root" -B "$root/build-fuzz" -DDG_FUZZ=ON >/dev/null
  cmake --build "$root/build-fuzz" -j2 --target fuzz_x12 fuzz_csv_map fuzz_xml_map fuzz_json_map \
    fuzz_map_load fuzz_partner_load
  "$root/tests/fuzz/run.sh" "${DG_FUZZ_SECONDS:-20}"
fi
