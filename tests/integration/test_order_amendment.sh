#!/usr/bin/env bash
# Issue 9 item 10: a storefront re-drops an order it already sent, with another quantity. The
# placed order and its POs stay as they are (nothing is sent again), the log warns (it was an
# INFO "duplicate" before), and `report orders` shows the amendment attempt. The same file
# dropped again unchanged stays a quiet duplicate.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir order-amendment
cp -r "$DG_SOURCE_DIR/samples/demo/drops/." "$W/drops/"
src=$DG_SOURCE_DIR/samples/demo/drops/shopfront/orders/orders-20261120.csv
poll() { "$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || fail "poll exited $?"; }
poll
pos=$(q "select count(*) from supplier_pos")
qty=$(q "select sum(qty_ordered) from order_lines")
# unchanged re-drop: a duplicate, no warning
cp "$src" "$W/drops/shopfront/orders/again.csv"
: >"$log"
poll
checks=$((checks + 1))
! grep -q "result=CHANGED" "$log" || fail "an unchanged re-drop was taken for an amendment"
# order 2001's first line: 2 mugs -> 7 mugs
sed 's/^#2001,ana.lopez@example.com,\(.*\),Standard,2026-11-20 09:12:05 -0500,2,/#2001,ana.lopez@example.com,\1,Standard,2026-11-20 09:12:05 -0500,7,/' "$src" >"$W/drops/shopfront/orders/amended.csv"
checks=$((checks + 1))
! cmp -s "$src" "$W/drops/shopfront/orders/amended.csv" || fail "test setup: the quantity was not changed"
: >"$log"
poll
checks=$((checks + 1))
grep -q 'WARN .*file=orders/amended.csv doc=order result=CHANGED order=2001 .*changed="lines" (not applied' "$log" ||
  fail "no warning for the changed order"
checks=$((checks + 1))
[ "$(grep -c 'result=CHANGED' "$log")" -eq 1 ] || fail "other orders of the file were taken for amendments"
checks=$((checks + 1))
[ "$(q "select count(*) from supplier_pos")" = "$pos" ] || fail "a PO was created for the amendment"
checks=$((checks + 1))
[ "$(q "select sum(qty_ordered) from order_lines")" = "$qty" ] || fail "the placed order was changed"
"$DG_BIN" report orders --format csv --config "$CFG" >"$tmp/report.csv" 2>>"$log" || fail "report exited $?"
checks=$((checks + 1))
grep -q '^shopfront,2001,.*,1,"\?[0-9T:-]*Z lines"\?,$' "$tmp/report.csv" || fail "report orders does not show the attempt: $(grep 2001 "$tmp/report.csv")"
checks=$((checks + 1))
grep -q '^shopfront,2002,.*,0,,$' "$tmp/report.csv" || fail "report orders shows an attempt for 2002: $(grep 2002 "$tmp/report.csv")"
"$DG_BIN" report orders --format json --config "$CFG" >"$tmp/report.json" 2>>"$log" || fail "report exited $?"
checks=$((checks + 1))
grep -q '"amendments": 1' "$tmp/report.json" || fail "report orders json lacks the amendment"
echo "ok: $checks checks"
