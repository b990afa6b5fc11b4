#!/usr/bin/env bash
# Issue 9 item 9: a deleted or emptied dropgate.db beside var/archive and var/outbox is not
# silently recreated (a re-dropped file would place its orders and POs again and control numbers
# restart at 1): poll and run refuse, status and report do not create it, --new-store starts
# afresh on purpose. 'dropgate backup FILE' takes an online copy (while the daemon runs) that
# restores the store: the re-dropped file is then a duplicate and nothing is sent twice.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir store-guard
cp -r "$DG_SOURCE_DIR/samples/demo/drops/." "$W/drops/"
orders_file=$(ls "$W"/drops/shopfront/orders/*.csv | head -1)
keep=$tmp/orders.csv
cp "$orders_file" "$keep"
poll() { "$DG_BIN" poll --once --no-wait --config "$CFG" "$@" >>"$log" 2>&1; }
poll || fail "first poll exited $?"
orders=$(q "select count(*) from orders")
pos=$(q "select count(*) from supplier_pos")
isa=$(q "select max(interchange_control) from supplier_pos")
checks=$((checks + 1))
[ "$orders" -gt 0 ] && [ "$pos" -gt 0 ] || fail "nothing placed: $orders orders, $pos POs"

# an online backup while the daemon runs
"$DG_BIN" run --every 1 --config "$CFG" >>"$log" 2>&1 &
daemon=$!
sleep 1
"$DG_BIN" backup --config "$CFG" "$tmp/backup.db" >>"$log" 2>&1 || { kill $daemon; fail "backup exited $?"; }
kill -TERM $daemon
wait $daemon || fail "daemon exited $?"
checks=$((checks + 1))
[ "$(sqlite3 "$tmp/backup.db" "select count(*) from orders")" = "$orders" ] || fail "backup lacks orders"
checks=$((checks + 1))
[ "$(sqlite3 "$tmp/backup.db" "pragma integrity_check")" = ok ] || fail "backup not intact"
checks=$((checks + 1))
! ls "$tmp"/backup.db.part* >/dev/null 2>&1 || fail "a temporary backup file was left"
checks=$((checks + 1))
! "$DG_BIN" backup --config "$CFG" "$DB" >>"$log" 2>&1 || fail "a backup onto the store itself was accepted"

# the store is lost; the storefront drops the same file again
rm -f "$DB" "$DB-wal" "$DB-shm"
cp "$keep" "$W/drops/shopfront/orders/again.csv"
set +e
poll
rc=$?
set -e
checks=$((checks + 1))
[ "$rc" -eq 2 ] || fail "poll on a deleted store beside var/archive exited $rc, want 2"
checks=$((checks + 1))
grep -q "dropgate.db is missing, but .*var holds the history of an earlier store" "$log" || fail "no clear message"
checks=$((checks + 1))
grep -q -- "--new-store" "$log" || fail "the message does not name --new-store"
checks=$((checks + 1))
[ ! -s "$DB" ] || fail "a new store was created"
checks=$((checks + 1))
[ -f "$W/drops/shopfront/orders/again.csv" ] || fail "the re-dropped file was taken"

# an emptied store (0 bytes): the daemon refuses, status and report do not create the schema
: >"$DB"
set +e
timeout 20 "$DG_BIN" run --every 1 --config "$CFG" >>"$log" 2>&1
rc=$?
"$DG_BIN" status --config "$CFG" >>"$log" 2>&1
src=$?
"$DG_BIN" report orders --config "$CFG" >>"$log" 2>&1
rrc=$?
set -e
checks=$((checks + 1))
[ "$rc" -eq 2 ] || fail "run on an empty store beside var/archive exited $rc, want 2"
checks=$((checks + 1))
grep -q "dropgate.db is empty, but" "$log" || fail "no message for an empty store"
checks=$((checks + 1))
[ "$src" -ne 0 ] && [ "$rrc" -ne 0 ] || fail "status/report on an empty store exited $src/$rrc"
checks=$((checks + 1))
[ ! -s "$DB" ] || fail "status or report created a schema in the empty store"

# restore the backup: the re-dropped file is known, nothing is placed or sent again
cp "$tmp/backup.db" "$DB"
rm -f "$DB-wal" "$DB-shm"
poll || fail "poll after restore exited $?"
checks=$((checks + 1))
[ "$(q "select count(*) from orders")" = "$orders" ] || fail "orders placed again after restore"
checks=$((checks + 1))
[ "$(q "select count(*) from supplier_pos")" = "$pos" ] || fail "POs created again after restore"
checks=$((checks + 1))
[ ! -f "$W/drops/shopfront/orders/again.csv" ] || fail "the duplicate file was left in the drop"

# starting afresh on purpose
rm -f "$DB" "$DB-wal" "$DB-shm"
cp "$keep" "$W/drops/shopfront/orders/third.csv"
: >"$log"
poll --new-store || fail "poll --new-store exited $?"
checks=$((checks + 1))
grep -q "WARN .*outcome=new-store" "$log" || fail "--new-store is not logged as a warning"
checks=$((checks + 1))
[ "$(q "select count(*) from orders")" -gt 0 ] || fail "--new-store placed nothing"
echo "ok: $checks checks (isa before: $isa)"
