#!/usr/bin/env bash
# The X12 conformance test (integration_test_corpus_x12) fails, not skips, when CI=true and the
# shared corpus is missing; outside CI it skips, saying so.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir corpus-ci
bin=${DG_BUILD_DIR:?set DG_BUILD_DIR}/integration_test_corpus_x12
[ -x "$bin" ] || fail "no $bin"
if DG_CORPUS_DIR=/nonexistent/corpus CI=true "$bin" >"$log" 2>&1; then
  fail "CI=true without the corpus: the conformance test passed"
fi
grep -q "CI=true and ../shared/corpus is missing" "$log" || fail "no message naming the corpus"
DG_CORPUS_DIR=/nonexistent/corpus CI= "$bin" >"$log" 2>&1 || fail "outside CI it must skip, not fail"
grep -q "SKIP: ../shared/corpus not found" "$log" || fail "the skip does not say why"
echo "ok: corpus test fails under CI=true without the corpus, skips with a reason otherwise"
