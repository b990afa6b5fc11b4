#!/usr/bin/env bash
# Skipped tests do not pass silently: scripts/skipped.sh lists each skipped test with its reason
# from a ctest log, and with CI=true a unit test that needs ../shared/corpus fails when it is
# missing (the check is in tests/support/testutil.c, so every corpus test gets it).
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir skips
bin=${DG_BUILD_DIR:?set DG_BUILD_DIR}/x12_test_writer
[ -x "$bin" ] || fail "no $bin"
# without the corpus outside CI: skipped, saying why
DG_CORPUS_DIR=/nonexistent/corpus CI= "$bin" >"$log" 2>&1 || fail "outside CI a missing corpus must skip, not fail"
checks=$((checks + 1))
grep -q '^\[  SKIPPED \] test_round_trip_corpus' "$log" || fail "the corpus test was not skipped"
# with CI=true: failed, naming the corpus
set +e
DG_CORPUS_DIR=/nonexistent/corpus CI=true "$bin" >"$log" 2>&1
rc=$?
set -e
checks=$((checks + 1))
[ "$rc" -ne 0 ] || fail "CI=true without the corpus: the writer test passed"
checks=$((checks + 1))
grep -q "CI=true and ../shared/corpus is missing (/nonexistent/corpus" "$log" || fail "no message naming the corpus"
# the summary of a ctest log: each skip with its test program and reason, summary lines dropped
cat >"$tmp/LastTest.log" <<'LOG'
1/3 Testing: x12_test_writer
[ RUN      ] test_round_trip_corpus
SKIP: shared corpus not found (../shared/corpus)
[  SKIPPED ] test_round_trip_corpus
[  SKIPPED ] 1 test(s), listed below:
[  SKIPPED ] test_round_trip_corpus
2/3 Testing: integration_sh_test_demo
SKIP: sqlite3 command not installed (scripts/install-deps.sh installs it)
3/3 Testing: core_test_conf
[  PASSED  ] 7 test(s).
LOG
"$DG_SOURCE_DIR/scripts/skipped.sh" "$tmp/LastTest.log" >"$log"
checks=$((checks + 1))
grep -q '^skipped: 2 test program(s) skipped something' "$log" || fail "summary header: $(cat "$log")"
checks=$((checks + 1))
grep -qx '  x12_test_writer: skipped test_round_trip_corpus' "$log" || fail "skipped test not listed: $(cat "$log")"
checks=$((checks + 1))
grep -qx '  x12_test_writer: SKIP: shared corpus not found (../shared/corpus)' "$log" || fail "reason not listed"
checks=$((checks + 1))
grep -qx '  integration_sh_test_demo: SKIP: sqlite3 command not installed (scripts/install-deps.sh installs it)' "$log" || fail "shell test skip not listed"
checks=$((checks + 1))
[ "$(grep -c 'test_round_trip_corpus' "$log")" -eq 1 ] || fail "a skip is listed twice: $(cat "$log")"
checks=$((checks + 1))
! grep -q core_test_conf "$log" || fail "a test that skipped nothing is listed"
printf '1/1 Testing: core_test_conf\n[  PASSED  ] 7 test(s).\n' >"$tmp/clean.log"
checks=$((checks + 1))
[ "$("$DG_SOURCE_DIR/scripts/skipped.sh" "$tmp/clean.log")" = "skipped: nothing" ] || fail "clean log"
echo "ok: $checks checks"
