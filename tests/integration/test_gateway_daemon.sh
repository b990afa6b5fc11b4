#!/usr/bin/env bash
# The daemon: one instance per state store (a second `dropgate run` is refused), SIGTERM while a
# file is in progress finishes that file (recorded, moved) and exits 0 without taking the next,
# and the log has one line per event naming partner, file and outcome.
set -euo pipefail
: "${DG_BIN:?set DG_BIN to the dropgate binary}" "${DG_SOURCE_DIR:?set DG_SOURCE_DIR}"
base=${DG_BUILD_DIR:-/tmp}/testtmp
mkdir -p "$base"
tmp=$(mktemp -d "$base/daemon-XXXXXX")
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
W=$tmp/work
mkdir -p "$W"
cp -r "$DG_SOURCE_DIR/etc" "$DG_SOURCE_DIR/mappings" "$DG_SOURCE_DIR/edi" "$W/"
cp -r "$DG_SOURCE_DIR/samples/demo/drops" "$W/drops"
cp "$W/drops/shopfront/orders/orders-20261120.csv" "$W/drops/shopfront/orders/second.csv"
sed -i 's/^#20/#30/' "$W/drops/shopfront/orders/second.csv"
CFG=$W/etc/dropgate.yaml
log=$tmp/log
fail() { echo "FAIL: $*"; echo "--- log:"; tail -n 30 "$log"; exit 1; }
wait_for() { # wait_for PATTERN SECONDS
  for _ in $(seq 1 $(($2 * 20))); do grep -q "$1" "$log" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}

# Every step pauses 1 s, so the SIGTERM surely lands while the first order file is in progress.
DG_GW_TEST_PAUSE_MS=1000 DG_LOG_LEVEL=debug "$DG_BIN" run --config "$CFG" --every 1 >"$log" 2>&1 &
pid=$!
wait_for "test-pause point=fetched" 20 || fail "the daemon never fetched a file"
grep -q "outcome=started" "$log" || fail "no start line"

# A second daemon on the same state store is refused.
set +e
"$DG_BIN" run --config "$CFG" >"$tmp/second.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "second instance exited $rc, want 2"
grep -q "another dropgate instance" "$tmp/second.log" || fail "second instance: $(cat "$tmp/second.log")"

# SIGTERM once the storefront's first order file is mapped (its pickup not yet recorded).
wait_for "file=orders/orders-20261120.csv doc=order" 30 || fail "the order file was never mapped"
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "daemon exited $rc after SIGTERM, want 0"
grep -q "outcome=stopped signal=yes" "$log" || fail "no clean stop line"
# The file in progress was finished: processed and moved; the next one was not taken.
grep -q "partner=shopfront file=orders/orders-20261120.csv outcome=processed" "$log" || fail "the file in progress was not finished"
[ -f "$W/drops/shopfront/orders/processed/orders-20261120.csv" ] || fail "the finished file was not moved"
[ -f "$W/drops/shopfront/orders/second.csv" ] || fail "the next file was taken after SIGTERM"
# One line per event, each naming partner, file (or folder) and outcome.
bad=$(grep -E "outcome=(processed|quarantined|duplicate|queued|sent|failed)" "$log" | grep -vc "partner=[^ ]* file=[^ ]* outcome=" || true)
[ "$bad" -eq 0 ] || fail "$bad event line(s) without partner/file/outcome"
# Restarted, it picks up where it stopped and sends what was queued.
"$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || fail "poll after restart"
[ -f "$W/drops/shopfront/orders/processed/second.csv" ] || fail "second file not taken after restart"
[ -f "$W/drops/northwind/inbound/PO_2001-NW.edi" ] || fail "PO of the first file not sent after restart"
echo "ok: lock refused a second instance, SIGTERM finished the file in progress and exited 0"
