#!/usr/bin/env bash
# One X12 856 shipping two POs under one shipment id (BSN02), end to end over the demo's work
# folder: the storefront drops two orders (two northwind POs go out), northwind drops one 856 with
# an order level (HL O) per PO, as samples/mapping/asn-856-multi-po.edi does. Both POs must move
# to SHIPPED and both orders get a tracking file (the 2nd PO's shipment used to be logged
# DUPLICATE and lost). Dropping the same file again, or re-sending it under another name, changes
# nothing.
set -euo pipefail
: "${DG_BIN:?set DG_BIN to the dropgate binary}" "${DG_SOURCE_DIR:?set DG_SOURCE_DIR}"
base=${DG_BUILD_DIR:-/tmp}/testtmp
mkdir -p "$base"
tmp=$(mktemp -d "$base/flow-856-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
D=$tmp/demo
CFG=$D/etc/dropgate.yaml
log=$tmp/log
checks=0
fail() { echo "FAIL: $*"; echo "--- log (tail):"; tail -30 "$log"; exit 1; }
expect() { checks=$((checks + 1)); [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
# poll [WANT]: one cycle; its exit status must be WANT (default 0; 3 when it quarantines a file).
poll() {
  local rc=0
  "$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || rc=$?
  [ "$rc" -eq "${1:-0}" ] || fail "poll --once exited $rc, want ${1:-0} (line ${BASH_LINENO[0]})"
}
# report orders CSV: storefront,order_number,status,currency,lines,matched,pos,pos_shipped,...
shipped() { "$DG_BIN" report orders --format csv --config "$CFG" 2>>"$log" | awk -F, -v o="$1" '$2 == o { print $8 }'; }
po_count() { # count of POs in state $1 from status --json (0 when none)
    local n
    n=$("$DG_BIN" status --json --config "$CFG" 2>>"$log" |
        tr -d ' \n' | grep -o "\"pos\":{[^}]*}" | grep -o "\"$1\":[0-9]*" | cut -d: -f2) || true
    echo "${n:-0}"
}

"$DG_BIN" demo --dir "$D" --source "$DG_SOURCE_DIR" >"$log" 2>&1 || fail "demo exited $?"
# the demo leaves 2006-NW SENT (northwind answered it with an 855, not a 997; its line went to
# brightline): counted apart
sent_demo=$(po_count SENT)

# ---- two storefront orders, one northwind PO each --------------------------------------------
cat >"$D/drops/shopfront/orders/orders-3000.csv" <<'EOF'
Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Company,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes
#3001,ana.lopez@example.com,paid,USD,899.00,0.00,0.00,899.00,Standard,2026-11-23 09:00:00 -0500,1,Espresso Machine,899.00,SF-1003,Ana Lopez,,123 Main St,,Austin,78701,TX,US,,
#3002,ben@example.org,paid,USD,99.99,0.00,0.00,99.99,Standard,2026-11-23 09:05:00 -0500,1,Burr Coffee Grinder,99.99,SF-1006,Ben Okafor,,9 Elm Rd,,Boston,'02134,MA,US,,
EOF
poll
checks=$((checks + 1))
[ -f "$D/drops/northwind/inbound/PO_3001-NW.edi" ] && [ -f "$D/drops/northwind/inbound/PO_3002-NW.edi" ] ||
    fail "POs 3001-NW and 3002-NW were not sent: $(ls "$D/drops/northwind/inbound")"
expect "order 3001 shipped POs before the ASN" "$(shipped 3001)" 0
expect "order 3002 shipped POs before the ASN" "$(shipped 3002)" 0
sent_before=$(po_count SENT)
expect "SENT POs before the ASN" "$((sent_before - sent_demo))" 2

# ---- one 856, shipment SH-NW-9100, two order levels ------------------------------------------
body=$tmp/856.body
cat >"$body" <<'EOF'
ST*856*0001~
BSN*00*SH-NW-9100*20261124*1430*0001~
HL*1**S~
TD5**2*UPSN**GROUND~
DTM*011*20261124~
N1*SF*Northwind Supply*92*NW01~
N4*Reno*NV*89501*US~
HL*2*1*O~
PRF*3001-NW~
N1*ST*Ana Lopez~
HL*3*2*P~
TD1******G*30*LB~
REF*CN*1Z999AA10123459101~
HL*4*3*I~
LIN*1*VP*NW-1003~
SN1**1*EA~
HL*5*1*O~
PRF*3002-NW~
N1*ST*Ben Okafor~
HL*6*5*P~
TD1******G*4*LB~
REF*CN*1Z999AA10123459102~
HL*7*6*I~
LIN*1*VP*NW-1006~
SN1**1*EA~
CTT*7~
EOF
asn=$tmp/856_SH-NW-9100.edi
{
    printf 'ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *261124*1500*U*00401*000009100*0*P*>~\n'
    printf 'GS*SH*NORTHWIND*DROPGATE*20261124*1500*9100*X*004010~\n'
    cat "$body"
    printf 'SE*%d*0001~\nGE*1*9100~\nIEA*1*000009100~\n' $(($(grep -c . "$body") + 1))
} >"$asn"
cp "$asn" "$D/drops/northwind/outbound/"
poll
checks=$((checks + 1))
grep -q "856_SH-NW-9100.edi outcome=processed docs=2" "$log" || fail "the 856 was not processed as 2 documents"
expect "order 3001 shipped" "$(shipped 3001)" 1
expect "order 3002 shipped (2nd PO of the same 856)" "$(shipped 3002)" 1
expect "SENT POs after the ASN" "$(po_count SENT)" "$sent_demo"
expect "SHIPPED POs after the ASN (2003-NW, 2003-BL, 3001-NW, 3002-NW)" "$(po_count SHIPPED)" 4
checks=$((checks + 1))
ls "$D/drops/shopfront/tracking" | grep -q '^TRACKING_3001_' || fail "no tracking file for order 3001"
checks=$((checks + 1))
ls "$D/drops/shopfront/tracking" | grep -q '^TRACKING_3002_' || fail "no tracking file for order 3002"
checks=$((checks + 1))
grep -q 1Z999AA10123459102 "$D"/drops/shopfront/tracking/TRACKING_3002_* || fail "order 3002's tracking lacks its own tracking number"
checks=$((checks + 1))
! grep -q "SH-NW-9100 po=3002-NW outcome=DUPLICATE" "$log" || fail "the 2nd PO's shipment was taken for a duplicate"
tracking=$(ls "$D/drops/shopfront/tracking" | wc -l)

# ---- a true replay (same file again) and re-sends under other names: no-ops ------------------
cp "$asn" "$D/drops/northwind/outbound/"
cp "$asn" "$D/drops/northwind/outbound/856_resent.edi"
# The same ASN in a new interchange (new ISA13): the flow sees the same shipment id + PO.
sed -e 's/000009100/000009101/' "$asn" >"$D/drops/northwind/outbound/856_resent_new_isa.edi"
: >"$log.replay"
rc=0
"$DG_BIN" poll --once --no-wait --config "$CFG" >"$log.replay" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "replay poll exited $rc, want 3 (a duplicate interchange is quarantined)"
cat "$log.replay" >>"$log"
# The same name again is a duplicate pickup (same mtime) or a duplicate interchange (new mtime);
# the other name holds an ISA13 already applied from this sender: a duplicate interchange, kept
# in quarantine, not applied; the new interchange is two DUPLICATE documents (same shipment id +
# PO).
expect "re-sent interchange quarantined as a duplicate" \
    "$(grep -c 'file=outbound/856_resent.edi outcome=quarantined error=EDUP' "$log.replay")" 1
expect "re-sent shipment documents taken for duplicates" \
    "$(grep -c '856_resent_new_isa.edi doc=shipment result=DUPLICATE' "$log.replay")" 2
expect "shipment documents applied on replay" "$(grep -c 'doc=shipment result=OK' "$log.replay" || true)" 0
expect "tracking files after replay" "$(ls "$D/drops/shopfront/tracking" | wc -l)" "$tracking"
expect "order 3002 still shipped once" "$(shipped 3002)" 1
if command -v sqlite3 >/dev/null; then
    expect "shipment rows for SH-NW-9100" \
        "$(sqlite3 -batch -noheader "$D/var/dropgate.db" "select count(*) from shipments where shipment_ref='SH-NW-9100'")" 2
    expect "units shipped on the two POs" \
        "$(sqlite3 -batch -noheader "$D/var/dropgate.db" "select sum(l.qty_shipped) from order_lines l join supplier_pos p on p.id = l.po_id where p.po_number in ('3001-NW','3002-NW')")" 20000
else
    echo "note: sqlite3 not installed, shipment rows not counted"
fi
echo "ok: $checks checks"
