#!/usr/bin/env bash
# Runs every unit test (or the ctest regex in $1) under valgrind memcheck; any error or
# definite leak fails. Not part of CI (slow); run before calling an issue done.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" "$root/build-valgrind" -DCMAKE_BUILD_TYPE=Debug
cd "$root/build-valgrind"
vg="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
# Each test runs directly under valgrind for a plain verdict per test.
fail=0
for t in $(ctest -L unit ${1:+-R "$1"} -N | awk '/Test +#/{print $3}'); do
  exe=$(find . -maxdepth 1 -type f -name "$t" -perm -u+x)
  [ -n "$exe" ] || continue
  if DG_SOURCE_DIR="$root" DG_BUILD_DIR="$PWD" DG_BIN="$PWD/dropgate" $vg "$exe" >"$t.vg.log" 2>&1; then
    echo "ok    $t"
  else
    echo "FAIL  $t (see build-valgrind/$t.vg.log)"; fail=1
  fi
done
exit $fail
