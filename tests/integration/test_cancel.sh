#!/usr/bin/env bash
# Cancellations (issue 11) over the demo's work folder: a storefront cancels lines before
# shipment (the supplier gets one 860, valid, and only once however often the cancellation is
# sent again), after shipment (refused with the reason, told to the storefront) and in part (an
# CSV for brightline with the new quantity); the supplier's 865 confirms (the line and PO become CANCELLED),
# a supplier cancels a line on its own (the storefront is told), and an invoice for a cancelled
# line is flagged CANCELLED_LINE_INVOICED in the 3-way match.
set -euo pipefail
: "${DG_BIN:?set DG_BIN to the dropgate binary}" "${DG_SOURCE_DIR:?set DG_SOURCE_DIR}"
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed"; exit 0; }
base=${DG_BUILD_DIR:-/tmp}/testtmp
mkdir -p "$base"
tmp=$(mktemp -d "$base/cancel-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
D=$tmp/demo
CFG=$D/etc/dropgate.yaml
log=$tmp/log
checks=0
fail() { echo "FAIL: $*"; echo "--- log (tail):"; tail -25 "$log"; exit 1; }
q() { sqlite3 -batch -noheader "$D/var/dropgate.db" "$1"; }
poll() { "$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || fail "poll exited $?"; }
NWIN=$D/drops/northwind/inbound
TRK=$D/drops/shopfront/tracking
# An X12 interchange from northwind around the given set body (ST..SE counted here).
nw_x12() { # ctl gs_id set_id segments...
  local ctl=$1 gid=$2 sid=$3; shift 3
  local n=$(($# + 2))
  printf 'ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *261122*0900*U*00401*%09d*0*P*>~\n' "$ctl"
  printf 'GS*%s*NORTHWIND*DROPGATE*20261122*0900*%d*X*004010~\nST*%s*0001~\n' "$gid" "$ctl" "$sid"
  for s in "$@"; do printf '%s~\n' "$s"; done
  printf 'SE*%d*0001~\nGE*1*%d~\nIEA*1*%09d~\n' "$n" "$ctl" "$ctl"
}

"$DG_BIN" demo --dir "$D" --source "$DG_SOURCE_DIR" >"$log" 2>&1 || fail "demo exited $?"
# Two more orders: 6001 (3 units at brightline, to be cut to 2), 6002 (northwind cancels it).
{
  head -1 "$DG_SOURCE_DIR/samples/demo/drops/shopfront/orders/"*.csv
  echo "#6001,x@example.com,paid,USD,44.25,0,0,44.25,Standard,2026-11-23 09:00:00 -0500,3,French Press,14.75,SF-1005,Ana Lopez,,1 Main St,,Austin,78701,TX,US,,"
  echo "#6002,x@example.com,paid,USD,640.00,0,0,640.00,Standard,2026-11-23 09:00:00 -0500,1,Espresso Machine,899.00,SF-1003,Ana Lopez,,1 Main St,,Austin,78701,TX,US,,"
} >"$D/drops/shopfront/orders/orders-6001.csv"
poll
BLPO=$D/drops/brightline/po
[ -f "$BLPO/PO_6001-BL.csv" ] && [ -f "$NWIN/PO_6002-NW.edi" ] || fail "POs 6001-BL/6002-NW not sent: $(ls "$NWIN" "$BLPO")"

# The storefront cancels: 2004 whole (not shipped), 2001's SF-1002 (shipped), 1 of 6001's 3.
mkdir -p "$D/drops/shopfront/cancels"
cat >"$tmp/cancel.csv" <<'CSV'
Name,Cancelled at,Lineitem sku,Lineitem quantity,Reason
#2004,2026-11-24,,,customer changed mind
#2001,2026-11-24,SF-1002,,too late
#6001,2026-11-24,SF-1005,1,one is enough
CSV
cp "$tmp/cancel.csv" "$D/drops/shopfront/cancels/cancel-1.csv"
poll
checks=$((checks + 1))
[ "$(ls "$NWIN" | grep -c '^CANCEL_')" -eq 1 ] || fail "want 1 cancellation file at northwind: $(ls "$NWIN")"
[ "$(ls "$BLPO" | grep -c '^CANCEL_')" -eq 1 ] || fail "want 1 cancellation file at brightline: $(ls "$BLPO")"
f=$NWIN/CANCEL_2004-NW-C1.edi
[ -f "$f" ] || fail "no 860 for 2004-NW"
DG_EDI_DIR="$D/edi" "$DG_BIN" validate "$f" >>"$log" 2>&1 || fail "$f does not validate"
tr -d '\n' <"$f" | tr '~' '\n' >"$tmp/860"
grep -q '^ST\*860\*' "$tmp/860" && grep -q '^BCH\*01\*DS\*2004-NW\*' "$tmp/860" || fail "2004-NW: not an 860 cancelling the whole PO"
grep -q '^POC\*1\*DI\*0\*\*EA\*48.00\*\*VP\*NW-1006\*' "$tmp/860" || fail "2004-NW: no POC DI for NW-1006"
checks=$((checks + 1))
f=$BLPO/CANCEL_6001-BL-C1.csv
[ -f "$f" ] || fail "no cancellation CSV for 6001-BL"
grep -q '^6001-BL,1,BL-1005,REDUCE,2,one is enough$' "$f" || fail "6001-BL: want REDUCE to 2: $(cat "$f")"
checks=$((checks + 1))
grep -q 'cancel order=2001 outcome=OK requested=0 cancelled=0 refused=1 refusal="SF-1002 already shipped (1 of 1)"' "$log" ||
  fail "the shipped line of 2001 is not refused with the reason"
n=$(ls "$TRK" | grep -c '^CANCELLED_2001_' || true)
[ "$n" -eq 1 ] || fail "storefront: want one notice for 2001, got $n"
grep -q '^2001,SF-1002,1,REFUSED,already shipped (1 of 1),northwind,storefront$' "$TRK"/CANCELLED_2001_*.csv ||
  fail "storefront notice for 2001 lacks the refusal: $(cat "$TRK"/CANCELLED_2001_*.csv)"

# Sent again (a re-export) and polled again: nothing more reaches the supplier.
cp "$tmp/cancel.csv" "$D/drops/shopfront/cancels/cancel-2.csv"
poll
poll
checks=$((checks + 1))
[ "$(ls "$NWIN" "$BLPO" | grep -c '^CANCEL_')" -eq 2 ] || fail "a cancellation was sent twice: $(ls "$NWIN" "$BLPO")"
[ "$(q "select count(*) from outbox where kind='cancel'")" -eq 2 ] || fail "outbox: want 2 cancellation entries"
grep -q 'cancel order=2004 outcome=DUPLICATE' "$log" || fail "the re-sent cancellation of 2004 is not a duplicate"

# northwind confirms 2004-NW (865 AC, line IA); it cancels 6002 itself.
nw_x12 4911 CA 865 'BCA*00*AC*2004-NW***20261120' 'POC*1*DI*0**EA***VP*NW-1006' 'ACK*IA*1*EA' 'CTT*1' \
  >"$D/drops/northwind/outbound/NW_865A.x12"
nw_x12 4913 CA 865 'BCA*00*AC*6002-NW***20261120' 'POC*1*DI*0**EA***VP*NW-1003' 'ACK*IA*1*EA' 'CTT*1' \
  >"$D/drops/northwind/outbound/NW_865C.x12"
poll
checks=$((checks + 1))
[ "$(q "select po_status from supplier_pos where po_number='2004-NW'")" = CANCELLED ] || fail "2004-NW not CANCELLED after the 865"
[ "$(q "select supplier_status from order_lines where retailer_sku='SF-1006' and po_id=(select id from supplier_pos where po_number='2004-NW')")" = CANCELLED ] ||
  fail "2004's line not CANCELLED"
[ "$(q "select po_status from supplier_pos where po_number='6002-NW'")" = CANCELLED ] || fail "6002-NW not CANCELLED by the supplier's own 865"
[ "$(q "select state from cancel_requests where number='2004-NW-C1'")" = ANSWERED ] || fail "2004-NW's request not answered"
[ "$(q "select state from cancel_requests where number='6001-BL-C1'")" = SENT ] || fail "6001-BL's request not SENT"
checks=$((checks + 1))
grep -q '^2004,SF-1006,1,CANCELLED,.*,northwind,northwind$' "$TRK"/CANCELLED_2004_*.csv ||
  fail "storefront not told that northwind cancelled 2004: $(cat "$TRK"/CANCELLED_2004_* 2>/dev/null)"
grep -q '^6002,SF-1003,1,CANCELLED,cancelled by the supplier,northwind,northwind$' "$TRK"/CANCELLED_6002_*.csv ||
  fail "storefront not told that northwind cancelled 6002 itself"

# An invoice for the cancelled line of 2004 is flagged.
nw_x12 4914 IN 810 'BIG*20261125*INV-NW-6601**2004-NW' 'IT1*1*1*EA*48.00**VP*NW-1006' 'TDS*4800' 'CTT*1' \
  >"$D/drops/northwind/outbound/NW_810X.x12"
poll
checks=$((checks + 1))
"$DG_BIN" report reconcile --config "$CFG" >"$tmp/rec" 2>>"$log" || fail "report reconcile"
grep -q 'INV-NW-6601.*CANCELLED_LINE_INVOICED: NW-1006 (PO line 1): invoiced 1 (earlier invoices 0) but 1 of 1 ordered were cancelled' "$tmp/rec" ||
  fail "the invoice for a cancelled line is not flagged: $(grep INV-NW-6601 "$tmp/rec")"
# A supplier's answer to a requested cancellation by 855 or 865 (6003..6005, a mug northwind and
# brightline both sell): an 855 rejecting the line confirms the cancellation (CANCELLED, never
# re-routed to brightline); an 855 answering the change (BAK01 04) with a rejection, and an 865
# RJ, refuse it: the line stays live (ACCEPTED) with the reason, and the storefront is told.
{
  head -1 "$DG_SOURCE_DIR/samples/demo/drops/shopfront/orders/"*.csv
  for o in 6003 6004 6005; do
    echo "#$o,x@example.com,paid,USD,12.00,0,0,12.00,Standard,2026-11-23 09:00:00 -0500,1,Ceramic Mug,12.00,SF-1001,Ana Lopez,,1 Main St,,Austin,78701,TX,US,,"
  done
} >"$D/drops/shopfront/orders/orders-6003.csv"
poll
for o in 6003 6004 6005; do [ -f "$NWIN/PO_$o-NW.edi" ] || fail "PO $o-NW not sent: $(ls "$NWIN")"; done
printf 'Name,Cancelled at,Lineitem sku,Lineitem quantity,Reason\n#6003,2026-11-24,,,changed mind\n#6004,2026-11-24,,,changed mind\n#6005,2026-11-24,,,changed mind\n' \
  >"$D/drops/shopfront/cancels/cancel-3.csv"
poll
for o in 6003 6004 6005; do [ -f "$NWIN/CANCEL_$o-NW-C1.edi" ] || fail "no 860 for $o-NW: $(ls "$NWIN")"; done
nw_x12 4921 PR 855 'BAK*00*AC*6003-NW*20261124' 'PO1*1*1*EA*4.10**VP*NW-1001' 'ACK*IR*1*EA' 'CTT*1' \
  >"$D/drops/northwind/outbound/NW_855C3.x12"
nw_x12 4922 PR 855 'BAK*04*RD*6004-NW*20261124' 'REF*ZZ*PICKED*already picked and packed' \
  'PO1*1*1*EA*4.10**VP*NW-1001' 'ACK*IR*1*EA' 'CTT*1' >"$D/drops/northwind/outbound/NW_855C4.x12"
nw_x12 4923 CA 865 'BCA*00*RJ*6005-NW***20261124' 'POC*1*DI*0**EA***VP*NW-1001' 'ACK*IR*1*EA' 'CTT*1' \
  >"$D/drops/northwind/outbound/NW_865C5.x12"
poll
line() { q "select supplier_status || '|' || coalesce(supplier_reason, '') from order_lines where po_id=(select id from supplier_pos where po_number='$1')"; }
cstate() { q "select c.state from cancel_lines c join order_lines l on l.id = c.order_line_id join supplier_pos p on p.id = l.po_id where p.po_number = '$1'"; }
checks=$((checks + 1))
[ "$(line 6003-NW)" = "CANCELLED|rejected by the supplier (855 IR)" ] || fail "6003: the 855 reject did not confirm the cancellation: $(line 6003-NW)"
[ "$(cstate 6003-NW)" = CANCELLED ] || fail "6003: cancellation line $(cstate 6003-NW)"
[ "$(q "select po_status from supplier_pos where po_number='6003-NW'")" = CANCELLED ] || fail "6003-NW not CANCELLED"
[ "$(q "select count(*) from supplier_pos p join orders o on o.id = p.order_id where o.order_number='6003'")" -eq 1 ] ||
  fail "6003: the cancelled line was re-routed: $(q "select po_number from supplier_pos where po_number like '6003%'")"
grep -q '^6003,SF-1001,1,CANCELLED,rejected by the supplier (855 IR),northwind,northwind$' "$TRK"/CANCELLED_6003_*.csv ||
  fail "storefront not told 6003 is cancelled: $(cat "$TRK"/CANCELLED_6003_* 2>/dev/null)"
checks=$((checks + 1))
[ "$(line 6004-NW)" = "ACCEPTED|cancellation refused by the supplier (855 IR): already picked and packed" ] ||
  fail "6004: the refused cancellation did not leave the line live with the reason: $(line 6004-NW)"
[ "$(cstate 6004-NW)" = REFUSED ] || fail "6004: cancellation line $(cstate 6004-NW)"
[ "$(q "select po_status from supplier_pos where po_number='6004-NW'")" = AWAITING_SHIPMENT ] || fail "6004-NW not live"
[ "$(q "select count(*) from supplier_pos where po_number like '6004-%'")" -eq 1 ] || fail "6004 re-routed"
grep -q '^6004,SF-1001,1,REFUSED,cancellation refused by the supplier (855 IR): already picked and packed,northwind,northwind$' "$TRK"/CANCELLED_6004_*.csv ||
  fail "storefront not told 6004's cancellation was refused: $(cat "$TRK"/CANCELLED_6004_* 2>/dev/null)"
checks=$((checks + 1))
[ "$(line 6005-NW)" = "ACCEPTED|cancellation refused: refused by the supplier" ] || fail "6005: the 865 refusal: $(line 6005-NW)"
[ "$(cstate 6005-NW)" = REFUSED ] || fail "6005: cancellation line $(cstate 6005-NW)"
grep -q '^6005,SF-1001,1,REFUSED,' "$TRK"/CANCELLED_6005_*.csv || fail "storefront not told 6005's cancellation was refused"
"$DG_BIN" show po 6004-NW --config "$CFG" >"$tmp/show" 2>>"$log" || fail "show po 6004-NW"
grep -q 'cancellation refused by the supplier (855 IR)' "$tmp/show" || fail "show po 6004-NW does not report the refusal: $(cat "$tmp/show")"
echo "ok: $checks checks"
