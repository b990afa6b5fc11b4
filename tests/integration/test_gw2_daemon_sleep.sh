#!/usr/bin/env bash
# The daemon asleep between polls (signal handlers with SA_RESTART) still stops at once on
# SIGTERM and on SIGINT: exit 0 within 2 s although its next poll is a minute away.
set -euo pipefail
: "${DG_BIN:?set DG_BIN to the dropgate binary}" "${DG_SOURCE_DIR:?set DG_SOURCE_DIR}"
base=${DG_BUILD_DIR:-/tmp}/testtmp
mkdir -p "$base"
tmp=$(mktemp -d "$base/gw2-sleep-XXXXXX")
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
W=$tmp/work
mkdir -p "$W"
cp -r "$DG_SOURCE_DIR/etc" "$DG_SOURCE_DIR/mappings" "$DG_SOURCE_DIR/edi" "$W/"
cp -r "$DG_SOURCE_DIR/samples/demo/drops" "$W/drops"
CFG=$W/etc/dropgate.yaml
log=$tmp/log
fail() { echo "FAIL: $*"; echo "--- log:"; tail -n 20 "$log"; exit 1; }

for sig in TERM INT; do
  : >"$log"
  DG_LOG_LEVEL=debug "$DG_BIN" run --config "$CFG" --every 60 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 400); do grep -q "outcome=sleeping" "$log" && break; sleep 0.05; done
  grep -q "outcome=sleeping" "$log" || fail "SIG$sig: the daemon never went to sleep"
  sleep 0.3 # well inside the nap
  start=$(date +%s%N)
  kill -"$sig" "$pid"
  set +e
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
  ms=$((($(date +%s%N) - start) / 1000000))
  kill -0 "$pid" 2>/dev/null && fail "SIG$sig: still running ${ms} ms after the signal"
  wait "$pid"
  rc=$?
  set -e
  [ "$rc" -eq 0 ] || fail "SIG$sig: exited $rc, want 0"
  grep -q "outcome=stopped signal=yes" "$log" || fail "SIG$sig: no clean stop line"
  [ "$ms" -lt 2000 ] || fail "SIG$sig: took ${ms} ms to stop"
  echo "SIG$sig: stopped in ${ms} ms"
done
echo "ok: the sleeping daemon stops at once on SIGTERM and SIGINT"
