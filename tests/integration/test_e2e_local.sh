#!/usr/bin/env bash
# End to end over local folders with the shipped demo setup (etc/, mappings/, samples/demo):
# orders in -> routing (split, unknown SKU, zero stock) -> POs in the suppliers' folders with the
# right content -> 997s, ASNs and invoices back -> tracking in the storefront's folder, invoices
# MATCHED or DISCREPANCY; then bad input at every step, each with its status and reason.
set -euo pipefail
: "${DG_BIN:?set DG_BIN to the dropgate binary}" "${DG_SOURCE_DIR:?set DG_SOURCE_DIR}"
if ! command -v sqlite3 >/dev/null; then
  echo "SKIP: sqlite3 command not installed (scripts/install-deps.sh installs it)"; exit 0
fi
base=${DG_BUILD_DIR:-/tmp}/testtmp
mkdir -p "$base"
tmp=$(mktemp -d "$base/e2e-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
W=$tmp/work
mkdir -p "$W"
cp -r "$DG_SOURCE_DIR/etc" "$DG_SOURCE_DIR/mappings" "$DG_SOURCE_DIR/edi" "$W/"
cp -r "$DG_SOURCE_DIR/samples/demo/drops" "$W/drops"
CFG=$W/etc/dropgate.yaml
DB=$W/var/dropgate.db
log=$tmp/log
checks=0
fail() { echo "FAIL: $*"; echo "--- log:"; tail -n 40 "$log"; exit 1; }
q() { sqlite3 -batch -noheader "$DB" "$1"; }
expect() { # expect "what" "got" "want"
  checks=$((checks + 1))
  [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}
contains() { # contains "what" file text
  checks=$((checks + 1))
  grep -qF -- "$3" "$2" || fail "$1: $(basename "$2") does not contain '$3'"
}
# poll [WANT]: one cycle; its exit status must be WANT (default 0; 3 when it quarantines a file).
poll() {
  local rc=0
  "$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || rc=$?
  [ "$rc" -eq "${1:-0}" ] || fail "poll --once exited $rc, want ${1:-0} (line ${BASH_LINENO[0]})"
}

# ---- 1. stock feeds and orders in, POs out ---------------------------------------------------
poll
expect "order 2001" "$(q "select status from orders where order_number='2001'")" CONVERTED
expect "order 2002" "$(q "select status from orders where order_number='2002'")" CONVERTED
expect "order 2003 (split)" "$(q "select status||' '||(select count(*) from supplier_pos p where p.order_id=o.id) from orders o where order_number='2003'")" "CONVERTED 2"
expect "order 2004" "$(q "select status from orders where order_number='2004'")" PARTIALLY_CONVERTED
expect "order 2005" "$(q "select status from orders where order_number='2005'")" FAILED
expect "unknown SKU" "$(q "select status from order_lines where retailer_sku='SF-9999'")" PRODUCT_NOT_FOUND
expect "zero stock" "$(q "select status from order_lines where retailer_sku='SF-1009'")" OUT_OF_STOCK
checks=$((checks + 1))
q "select reason from order_lines where retailer_sku='SF-9999'" | grep -q "not in the catalog" || fail "unknown SKU: no reason"
expect "split suppliers" "$(q "select group_concat(supplier, ',') from (select supplier from supplier_pos p join orders o on o.id=p.order_id where order_number='2003' order by supplier)")" "brightline,northwind"
NWPO=$W/drops/northwind/inbound/PO_2001-NW.edi
[ -f "$NWPO" ] || fail "no PO_2001-NW.edi in northwind's inbound folder"
contains "850" "$NWPO" "BEG*00*DS*2001-NW*"
contains "850" "$NWPO" "N1*ST*Ana Lopez"
contains "850" "$NWPO" "N1*BT*Dropgate Demo Retail"
contains "850" "$NWPO" "PO1*1*2*EA*4.10**VP*NW-1001"
contains "850" "$NWPO" "PO1*2*1*EA*21.50**VP*NW-1002"
contains "850" "$NWPO" "ISA*00*          *00*          *ZZ*DROPGATE       *ZZ*NORTHWIND      *"
BLPO=$W/drops/brightline/po/PO_2003-BL.csv
[ -f "$BLPO" ] || fail "no PO_2003-BL.csv in brightline's po folder"
contains "PO csv" "$BLPO" "2003-BL,"
contains "PO csv" "$BLPO" ",BL-1004,Tea Sampler,5.20,2,,Chloe Martin,"
expect "no PO for the failed order" "$(ls "$W"/drops/*/*/PO_2005* 2>/dev/null | wc -l)" 0
expect "PO files" "$(ls "$W"/drops/northwind/inbound/PO_* "$W"/drops/brightline/po/PO_* | wc -l)" 5
expect "997 for the 846" "$(ls "$W"/drops/northwind/inbound/997_* | wc -l)" 1
contains "997" "$(ls "$W"/drops/northwind/inbound/997_*)" "AK1*IB*4601"
expect "PO states" "$(q "select group_concat(po_number||'='||status, ' ') from (select * from supplier_pos order by po_number)")" \
  "2001-NW=SENT 2002-BL=AWAITING_SHIPMENT 2003-BL=AWAITING_SHIPMENT 2003-NW=SENT 2004-NW=SENT"
expect "stock feed" "$(q "select qty/10000 from stock where supplier='northwind' and vendor_sku='NW-1001'")" 118

# ---- 2. the suppliers answer: 997s, ASNs, invoices -> tracking, reconciliation ---------------
cp -r "$DG_SOURCE_DIR/samples/demo/responses/." "$W/drops/"
poll
expect "997 accepted" "$(q "select status from supplier_pos where po_number='2004-NW'")" ACCEPTED
expect "shipped+invoiced" "$(q "select status from supplier_pos where po_number='2001-NW'")" INVOICED
expect "tracking files" "$(ls "$W"/drops/shopfront/tracking/ | grep -c "^TRACKING_")" 4
contains "tracking" "$(grep -l 1Z999AA10123456784 "$W"/drops/shopfront/tracking/*)" "2001,SH-NW-9001,1Z999AA10123456784,SF-1001,2"
contains "tracking" "$(grep -l 9400111899223100001234 "$W"/drops/shopfront/tracking/*)" "2002,SO-BL-3101,9400111899223100001234,SF-1007,1"
"$DG_BIN" report reconcile --format csv --config "$CFG" >"$tmp/recon.csv" 2>>"$log" || fail "report reconcile"
contains "reconcile" "$tmp/recon.csv" "INV-NW-5001"
expect "INV-NW-5001" "$(q "select outcome from invoices where invoice_number='INV-NW-5001'")" MATCHED
expect "INV-BL-7001" "$(q "select outcome from invoices where invoice_number='INV-BL-7001'")" MATCHED
expect "INV-BL-7002" "$(q "select outcome from invoices where invoice_number='INV-BL-7002'")" DISCREPANCY
expect "price above tolerance" "$(q "select code from discrepancies d join invoices i on i.id=d.invoice_id where invoice_number='INV-BL-7002'")" PRICE_ABOVE_TOLERANCE
grep -q "PRICE_ABOVE_TOLERANCE" "$tmp/recon.csv" || fail "reconcile report lacks the reason"
"$DG_BIN" report orders --format json --config "$CFG" >"$tmp/orders.json" 2>>"$log" || fail "report orders"
contains "orders report" "$tmp/orders.json" '"2003"'
"$DG_BIN" status --config "$CFG" >"$tmp/status.txt" 2>>"$log" || fail "status"
contains "status" "$tmp/status.txt" "open discrepancies:      1"
expect "997s sent for the X12 files (846; 856+810 in one interchange; 856; never for a 997)" "$(ls "$W"/drops/northwind/inbound/997_* | wc -l)" 3
checks=$((checks + 1))
grep -l 'AK1\*SH\*4801' "$W"/drops/northwind/inbound/997_* | xargs grep -q 'AK1\*IN\*4901' || fail "no single 997 for the 856+810 interchange"

# ---- 3. bad input at every step -----------------------------------------------------------------
sent_before=$(q "select count(*) from outbox")
cat >"$W/drops/brightline/shipments/unknown-po.csv" <<'CSV'
retailer_po,supplier_po,tracking_number,sku_id,quantity_shipped,package_weight,package_ship_date,supplier_provided_carrier,supplier_provided_method
9999-BL,SO-X,9400000000000000000001,BL-1007,1,1,2026-11-23,USPS,PRIORITY
CSV
isa='ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *261123*1200*U*00401*000005001*0*P*>~'
printf '%s\nGS*SH*NORTHWIND*DROPGATE*20261123*1200*5001*X*004010~\nST*856*0001~\nBSN*00*SH-NW-9003*20261123*1200*0001~\nHL*1**S~\nTD5**2*UPSN**GROUND~\nHL*2*1*O~\nPRF*2004-NW~\nHL*3*2*P~\nREF*CN*1Z999AA10000000001~\nHL*4*3*I~\nLIN*1*VP*NW-1006~\nSN1**5*EA~\nCTT*4~\nSE*13*0001~\nGE*1*5001~\nIEA*1*000005001~\n' "$isa" >"$W/drops/northwind/outbound/856_SH-NW-9003.edi"
# Two ASNs in one file: the first one re-sends SH-NW-9002 (2003-NW, already applied: a duplicate
# the flow accepts without change), the second names an unknown PO. Sets are taken one by one:
# the file is PARTIAL, the bad ASN rejected with its reason, nothing applied twice.
asn() { printf 'ST*856*%s~\nBSN*00*%s*20261123*1200*0001~\nHL*1**S~\nTD5**2*UPSN**GROUND~\nHL*2*1*O~\nPRF*%s~\nHL*3*2*P~\nREF*CN*1Z999AA1000000000%s~\nHL*4*3*I~\nLIN*1*VP*%s~\nSN1**1*EA~\nCTT*4~\nSE*13*%s~\n' "$1" "$2" "$3" "$1" "$4" "$1"; }
{ printf '%s\nGS*SH*NORTHWIND*DROPGATE*20261123*1200*5002*X*004010~\n' "${isa/000005001/000005002}"
  asn 0001 SH-NW-9002 2003-NW NW-1003; asn 0002 SH-NW-9005 9999-NW NW-1006
  printf 'GE*2*5002~\nIEA*1*000005002~\n'; } >"$W/drops/northwind/outbound/856_two.edi"
cat >"$W/drops/brightline/invoices/invoice-dup.csv" <<'CSV'
invoice_number,invoice_date,retailer_po,supplier_po,sku_id,quantity_invoiced,supplier_provided_sku_cost,supplier_provided_tax,supplier_provided_shipping_cost,supplier_provided_drop_ship_fee,supplier_provided_order_total,currency
INV-BL-7001,2026-11-23,2002-BL,SO-BL-3101,BL-1007,1,11.40,0.00,4.95,,16.35,USD
CSV
printf 'ISA*00*broken~' >"$W/drops/northwind/outbound/810_broken.edi"
# Well-formed X12 that breaks its definition (ITD13 is a day of month, not text): our 997 rejects it.
# (The demo's 810 group out of NW_0003.x12, in an interchange of its own: a new ISA13.)
awk 'NR == 1 {print; next} /^GS\*IN/ {on = 1} on {print} /^GE\*/ {on = 0} /^IEA/ {print}' \
  "$DG_SOURCE_DIR/samples/demo/responses/northwind/outbound/NW_0003.x12" |
  sed -e 's/ITD\*01\*3\*\*\*\*\*\*\*\*\*\*Net 30/ITD*01*3***********Net 30/' -e 's/INV-NW-5001/INV-NW-5002/' \
    -e 's/000004801/000004903/' -e 's/^IEA\*2\*/IEA*1*/' >"$W/drops/northwind/outbound/810_invalid.edi"
grep -q 'ITD\*01\*3\*\*\*\*\*\*\*\*\*\*\*Net 30' "$W/drops/northwind/outbound/810_invalid.edi" || fail "test setup: ITD not changed"
cat >"$W/drops/shopfront/orders/orders-bad.csv" <<'CSV'
Name,Created at
#9001,yesterday
CSV
poll 3
reason_of() { q "select reason from pickups where path='$1'"; }
expect "unknown-PO ASN" "$(q "select state from pickups where path='shipments/unknown-po.csv'")" QUARANTINED
reason_of shipments/unknown-po.csv | grep -q "unknown PO 9999-BL" || fail "unknown-PO reason: $(reason_of shipments/unknown-po.csv)"
expect "over-shipment ASN" "$(q "select state from pickups where path='outbound/856_SH-NW-9003.edi'")" QUARANTINED
reason_of outbound/856_SH-NW-9003.edi | grep -q "over-shipment" || fail "over-shipment reason: $(reason_of outbound/856_SH-NW-9003.edi)"
expect "two-ASN file" "$(q "select state from pickups where path='outbound/856_two.edi'")" PARTIAL
reason_of outbound/856_two.edi | grep -q "1 of 2 transaction set(s) applied.*unknown PO 9999-NW" || fail "two-ASN reason: $(reason_of outbound/856_two.edi)"
expect "bad ASN rejected with its reason" "$(q "select state from x12_sets where set_control='0002' and file_id=(select file_id from pickups where path='outbound/856_two.edi')")" REJECTED
expect "re-sent ASN not applied twice" "$(q "select count(*) from shipments where shipment_ref='SH-NW-9002'")" 1
expect "bad ASN not applied" "$(q "select count(*) from shipments where shipment_ref='SH-NW-9005'")" 0
expect "PO untouched by the rejected ASNs" "$(q "select status from supplier_pos where po_number='2004-NW'")" ACCEPTED
expect "duplicate invoice" "$(q "select count(*) from invoices i join discrepancies d on d.invoice_id=i.id where invoice_number='INV-BL-7001' and code='DUPLICATE_INVOICE'")" 1
expect "broken X12" "$(q "select state from pickups where path='outbound/810_broken.edi'")" QUARANTINED
expect "invalid X12" "$(q "select state from pickups where path='outbound/810_invalid.edi'")" QUARANTINED
reason_of outbound/810_invalid.edi | grep -q "rejected by the X12 check.*ITD" || fail "invalid X12 reason: $(reason_of outbound/810_invalid.edi)"
expect "invoice of the rejected 810 not recorded" "$(q "select count(*) from invoices where invoice_number='INV-NW-5002'")" 0
expect "bad order file" "$(q "select state from pickups where path='orders/orders-bad.csv'")" QUARANTINED
expect "quarantine folder (the PARTIAL two-ASN file is archived, not quarantined)" "$(ls "$W"/var/quarantine/*/*.reason.txt | wc -l)" 5
expect "nothing placed by bad input" "$(q "select count(*) from orders")" 5
# A quarantined X12 file gets no 997 of ours; the valid ones did. Nothing was sent twice.
# 997s: the over-shipment ASN is valid X12 but the flow rejected its content: quarantined, so its
# 997 rejects it (AK5 R, never an acceptance; audit H4), the invalid 810 is rejected with AK5 R
# and the element in error, the two-ASN file gets AK9 P (one set A, one R), the broken file gets
# none (not X12).
expect "997s after bad input" "$(ls "$W"/drops/northwind/inbound/997_* | wc -l)" 6
checks=$((checks + 1))
grep -l 'AK1\*SH\*5002' "$W"/drops/northwind/inbound/997_* | xargs grep -q 'AK9\*P\*2\*2\*1' || fail "no AK9 P for the two-ASN file"
checks=$((checks + 1))
grep -l 'AK1\*SH\*5001' "$W"/drops/northwind/inbound/997_* | xargs grep -q 'AK5\*R' || fail "no rejecting 997 for the quarantined over-shipment ASN"
checks=$((checks + 1))
! grep -l 'AK1\*SH\*5001' "$W"/drops/northwind/inbound/997_* | xargs grep -q 'AK5\*A' || fail "an accepting 997 for the quarantined over-shipment ASN"
checks=$((checks + 1))
grep -l 'AK1\*IN\*4901' "$W"/drops/northwind/inbound/997_* | xargs grep -l 'AK5\*R' | xargs grep -q '^AK4\*13' || fail "no rejecting 997 (AK5 R, AK4 ITD13) for the invalid 810"
expect "no new PO or tracking from bad input" "$(q "select count(*) from outbox where kind in ('po','tracking')")" 9
expect "every outbox row sent" "$(q "select count(*) from outbox where state<>'SENT'")" 0

# ---- 4. a second poll with nothing new changes nothing ----------------------------------------
before=$(q "select count(*) from outbox")||true
poll
expect "idempotent poll" "$(q "select count(*) from outbox")" "$before"
expect "bad input logged" "$(grep -c 'outcome=quarantined' "$log")" 5
expect "partial file logged" "$(grep -c 'outcome=partial' "$log")" 1
# ---- 5. overdue: a PO with a 997 but no ASN past northwind's asn_after ------------------------
sed -i 's/asn_after: 72h        # a sent PO without an ASN/asn_after: 1s         # a sent PO without an ASN/' "$W/etc/routing.yaml"
grep -q "asn_after: 1s" "$W/etc/routing.yaml" || fail "test setup: routing.yaml not changed"
sleep 2
"$DG_BIN" status --config "$CFG" >"$tmp/status.txt" 2>>"$log" || fail "status"
checks=$((checks + 1))
grep -E "^  2004-NW +supplier=northwind +order=2004 .*waiting for asn" "$tmp/status.txt" >/dev/null || fail "status does not list 2004-NW as overdue: $(cat "$tmp/status.txt")"
checks=$((checks + 1))
! grep -q "2001-NW" "$tmp/status.txt" || fail "a shipped PO is listed as overdue"
echo "ok: $checks checks (sent before bad input: $sent_before)"
