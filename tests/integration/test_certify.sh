#!/usr/bin/env bash
# dropgate certify (issue 11): the shipped partners pass with their shipped answer folders
# (etc/certify/NAME); a broken inbound mapping, a broken PO mapping and a wrong answer each fail
# with the check that names the problem; exit 0 all pass, 1 a failure, 2 no answers folder.
set -euo pipefail
. "$DG_SOURCE_DIR/tests/integration/lib/workdir.sh"
dg_workdir certify
out=$tmp/out
certify() { set +e; "$DG_BIN" certify "$@" --config "$CFG" >"$out" 2>&1; rc=$?; set -e; }
want() { checks=$((checks + 1)); grep -qE -- "$1" "$out" || { cat "$out"; fail "$2"; }; }

for p in northwind brightline; do
  certify "$p"
  [ "$rc" -eq 0 ] || { cat "$out"; fail "certify $p exited $rc, want 0 (all pass)"; }
  want '^[0-9]+ check\(s\): [0-9]+ passed, 0 failed$' "certify $p: not all passed"
  want '^line_carry_through +invoices +PASS' "certify $p: no invoice carry-through row"
done
want '^asn_tracking +ship notice SO-BL-CERT' "brightline: ASN not checked"
certify northwind --json
[ "$rc" -eq 0 ] || fail "certify --json exited $rc"
want '"failed": 0' "certify --json: failed count"
want '"check": "po_x12_valid"' "certify --json: no X12 validity row for the PO"
certify northwind
want '^po_x12_valid +PO CERT-0001 +PASS' "northwind: PO not validated"
want '^answer_x12_valid +answers-856-810.x12 +PASS' "northwind: answers not validated"

# A broken inbound mapping: the 810's unit price read from IT102 (the quantity).
cp "$W/mappings/x12-810-in.yaml" "$tmp/810.yaml"
sed -i 's/{target: unit_price, source: IT104}/{target: unit_price, source: IT102}/' "$W/mappings/x12-810-in.yaml"
grep -q 'unit_price, source: IT102' "$W/mappings/x12-810-in.yaml" || fail "test setup: 810 mapping not broken"
certify northwind
[ "$rc" -eq 1 ] || { cat "$out"; fail "certify with a broken 810 mapping exited $rc, want 1"; }
want '^invoice_prices +invoice INV-CERT-1 .*FAIL +line 1: price 2, the PO says 4.1' "broken 810 mapping: invoice_prices does not fail naming line 1"
want '^asn_qty +ship notice .*PASS' "broken 810 mapping: the ASN checks should still pass"
want '^invoice_total +invoice INV-CERT-1 .*FAIL' "broken 810 mapping: the total no longer adds up"
want ' 2 failed$' "broken 810 mapping: want exactly two failed checks (prices, total)"
cp "$tmp/810.yaml" "$W/mappings/x12-810-in.yaml"

# A broken PO mapping: quantity and price swapped on PO1.
cp "$W/mappings/x12-850-out.yaml" "$tmp/850.yaml"
sed -i 's/"{quantity|required}", "{uom|upper|default:EA}", "{unit_price}"/"{unit_price|required}", "{uom|upper|default:EA}", "{quantity}"/' "$W/mappings/x12-850-out.yaml"
certify northwind
[ "$rc" -eq 1 ] || { cat "$out"; fail "certify with a broken 850 mapping exited $rc, want 1"; }
want '^po_lines +PO CERT-0001 \(read back\) +FAIL +line 1: quantity 4.1 on the PO file, 2 ordered' "broken 850 mapping: po_lines does not fail"
cp "$tmp/850.yaml" "$W/mappings/x12-850-out.yaml"

# A wrong answer: brightline ships more than ordered, under another PO number.
A=$tmp/answers
cp -r "$W/etc/certify/brightline" "$A"
sed -i 's/^CERT-0001,SO-BL-CERT,9400111899223100009999,CERT-1003,3,/CERT-0002,SO-BL-CERT,9400111899223100009999,CERT-1003,4,/' "$A/shipment.csv"
certify brightline --answers "$A"
[ "$rc" -eq 1 ] || { cat "$out"; fail "certify with a wrong answer exited $rc, want 1"; }
want '^asn_po +ship notice SO-BL-CERT \(shipment.csv\) +FAIL +PO number CERT-0002, want CERT-0001' "wrong ASN PO number not named"
want '^asn_qty +ship notice .*FAIL +line 3: 4 shipped, 3 ordered' "over-shipment not named"

# A wrong 855: another PO number and a line that is not on the PO.
N=$tmp/answers-nw
cp -r "$W/etc/certify/northwind" "$N"
sed -i 's/BAK\*00\*AC\*CERT-0001/BAK*00*AC*CERT-0009/; s/PO1\*3\*3\*EA\*6.90\*\*VP\*CERT-1003/PO1*9*3*EA*6.90**VP*CERT-1999/' "$N/answer-855.x12"
grep -q 'CERT-1999' "$N/answer-855.x12" || fail "test setup: 855 answer not broken"
certify northwind --answers "$N"
[ "$rc" -eq 1 ] || { cat "$out"; fail "certify with a wrong 855 exited $rc, want 1"; }
want '^ack_po +acknowledgment AC \(answer-855.x12\) +FAIL +PO number CERT-0009, want CERT-0001' "wrong 855 PO number not named"
want '^ack_lines +acknowledgment .*FAIL +acknowledged line CERT-1999 is not on the PO' "855 line not on the PO not named"
certify northwind
want '^ack_codes +acknowledgment AC \(answer-855.x12\) +PASS' "northwind: the 855 answer's codes not checked"
want '^ack_qty +acknowledgment AC \(answer-855.x12\) +PASS' "northwind: line 3 in two ACKs (IA 2, IB 1) not checked"

# Line 3's ACKs adding up to more than ordered, and a mapping that lost the IB code.
N=$tmp/answers-nw2
cp -r "$W/etc/certify/northwind" "$N"
sed -i 's/ACK\*IB\*1\*EA/ACK*IB*2*EA/' "$N/answer-855.x12"
grep -q 'ACK\*IB\*2' "$N/answer-855.x12" || fail "test setup: 855 ACK quantities not broken"
certify northwind --answers "$N"
[ "$rc" -eq 1 ] || { cat "$out"; fail "certify with 855 parts above the PO exited $rc, want 1"; }
want '^ack_qty +acknowledgment .*FAIL +line 3: the ACKs add up to 4, the PO ordered 3' "855 parts above the ordered quantity not named"
cp "$W/mappings/x12-855-in.yaml" "$tmp/855-in.yaml.orig"
sed -i '/^    IB: BACKORDERED/d' "$W/mappings/x12-855-in.yaml"
certify northwind
[ "$rc" -eq 1 ] || { cat "$out"; fail "certify with a 855 mapping without IB exited $rc, want 1"; }
want "^ack_codes +acknowledgment .*FAIL +line 3: ACK status 'IB' is not one the flow knows" "855 mapping that lost a code not named"
cp "$tmp/855-in.yaml.orig" "$W/mappings/x12-855-in.yaml"

# A broken CSV inbound mapping: the ASN's SKU column renamed.
sed -i 's/source: sku_id/source: item_sku/' "$W/mappings/supplier-csv-asn-in.yaml"
certify brightline
[ "$rc" -eq 1 ] || { cat "$out"; fail "certify with a broken CSV mapping exited $rc"; }
want '^answer_read +shipment.csv +FAIL +no inbound mapping of brightline reads it: .*item_sku' "broken CSV mapping: answer_read does not name the column"
want '^answers +ship notice \(856\) +FAIL' "broken CSV mapping: missing ship notice not reported"

certify northwind --answers "$tmp/nosuch"
[ "$rc" -eq 2 ] || fail "certify without an answers folder exited $rc, want 2"
want 'cannot open the answers folder' "no answers folder: no clear message"
echo "ok: $checks checks"
