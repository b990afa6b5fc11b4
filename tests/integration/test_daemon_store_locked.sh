#!/usr/bin/env bash
# Issue 9 item 8: a state store locked by another process (or full) made `dropgate run` exit 2
# and stay down. Now the daemon logs it, backs off and retries: here another process holds the
# database's write lock for a few seconds while an order file arrives; the daemon survives,
# places the order and sends its POs once the lock is released, and stops cleanly on SIGTERM.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir daemon-locked
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
cp -r "$DG_SOURCE_DIR/samples/demo/drops/." "$W/drops/"
mv "$W/drops/shopfront/orders/orders-20261120.csv" "$tmp/orders.csv" # dropped while locked
wait_for() { # wait_for PATTERN SECONDS
  for _ in $(seq 1 $(($2 * 20))); do grep -q "$1" "$log" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}

# A write waits 300 ms for the lock instead of 10 s, so the test is short.
export DG_STORE_BUSY_TIMEOUT_MS=300
"$DG_BIN" run --config "$CFG" --every 1 >"$log" 2>&1 &
pid=$!
wait_for "outcome=started" 20 || fail "the daemon did not start"
wait_for "partner=brightline file=feeds/.*outcome=processed" 20 || fail "stock feed not taken"

# Another process takes the write lock and keeps it for 5 s.
{ echo ".bail on"; echo ".timeout 20000"; echo "BEGIN IMMEDIATE;"
  echo "UPDATE outbox SET attempts = attempts;"; echo ".print locked"; sleep 5; echo "COMMIT;"; } |
  sqlite3 "$DB" >"$tmp/locker.out" 2>&1 &
locker=$!
for _ in $(seq 1 400); do grep -q locked "$tmp/locker.out" && break; sleep 0.05; done
grep -q locked "$tmp/locker.out" || fail "the other process could not take the lock: $(cat "$tmp/locker.out")"
mv "$tmp/orders.csv" "$W/drops/shopfront/orders/orders-20261120.csv"
wait_for "outcome=store-unavailable" 20 || fail "the daemon never met the locked store"
kill -0 "$pid" 2>/dev/null || fail "the daemon exited on a locked store"
grep -q "retry_in=" "$log" || fail "no back-off in the log"
wait "$locker" || fail "the other process failed: $(cat "$tmp/locker.out")"

# Released: the daemon catches up, still the same process.
wait_for "outcome=store-available" 30 || fail "the daemon did not recover after the lock was released"
for _ in $(seq 1 200); do
  [ "$(q "select count(*) from supplier_pos where status<>'QUEUED'")" -ge 5 ] && break
  sleep 0.1
done
kill -0 "$pid" 2>/dev/null || fail "the daemon is gone"
orders=$(q "select count(*) from orders")
[ "$orders" -eq 5 ] || fail "$orders orders placed after the lock, want 5"
sent=$(q "select count(*) from outbox where kind='po' and state='SENT'")
[ "$sent" -eq 5 ] || fail "$sent POs sent after the lock, want 5"
[ "$(ls "$W/drops/northwind/inbound" | grep -c '^PO_')" -eq 3 ] || fail "northwind did not get its 3 POs"
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "daemon exited $rc after SIGTERM, want 0"
echo "ok: the daemon survived a locked store ($(grep -c 'outcome=store-unavailable' "$log") retries), then placed $orders orders and sent $sent POs"
