#!/usr/bin/env bash
# `dropgate partner check NAME` loads every inbound mapping of every drop even when no file
# waits there: a mistyped mapping path fails the check now (exit 1, naming the path), not when
# the first file arrives; the correct path passes. A sample PO is rendered through the
# outbound PO mapping and validated against edi/.
set -euo pipefail
source "$DG_SOURCE_DIR/tests/integration/lib/workdir.sh"
dg_workdir ops-partner-check
D=$tmp/demo
"$DG_BIN" demo --dir "$D" --source "$DG_SOURCE_DIR" >"$log" 2>&1 || fail "demo exited $?"
C=(--config "$D/etc/dropgate.yaml")
out=$tmp/out
P=$D/etc/partners/shopfront.yaml
find "$D/drops/shopfront/orders" -maxdepth 1 -type f -delete # an empty drop: no file would reveal the mapping
"$DG_BIN" partner check shopfront "${C[@]}" >"$out" 2>&1 || { cat "$out"; fail "check of the demo's shopfront"; }
grep -q "^  mapping orders .* ok   .*storefront-orders-csv-in.yaml$" "$out" || { cat "$out"; fail "drop mapping not checked"; }
grep -q 'storefront-orders-csv-in.yaml' "$P" || fail "test setup: shopfront's mapping line"
sed -i 's/storefront-orders-csv-in.yaml/storefront-orders-csv-in.yml/' "$P"
set +e
"$DG_BIN" partner check shopfront "${C[@]}" >"$out" 2>&1; rc=$?
set -e
[ "$rc" -eq 1 ] || { cat "$out"; fail "mistyped drop mapping: exit $rc, want 1"; }
grep -q "^  mapping orders .* FAIL .*storefront-orders-csv-in.yml" "$out" || { cat "$out"; fail "the FAIL line does not name the mistyped path"; }
grep -q "shopfront: CHECK FAILED" "$out" || fail "no CHECK FAILED"
# An outbound mapping given as a drop's inbound mapping is refused too.
sed -i 's/storefront-orders-csv-in.yml/storefront-tracking-csv.yaml/' "$P"
set +e
"$DG_BIN" partner check shopfront "${C[@]}" >"$out" 2>&1; rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q "is not an inbound mapping" "$out" || { cat "$out"; fail "outbound mapping on a drop: exit $rc"; }
# A sample PO is rendered through the supplier's outbound mapping and validated against edi/:
# fine with the shipped mapping, refused with the validator's message when the mapping would
# write an invalid BEG01.
"$DG_BIN" partner check northwind "${C[@]}" >"$out" 2>&1 || { cat "$out"; fail "check of northwind"; }
grep -q "^  po      render .* ok   sample PO: [0-9]* bytes, valid X12$" "$out" || { cat "$out"; fail "no valid sample PO"; }
sed -i 's/- BEG: \["{purpose|default:00}"/- BEG: ["ZZZ"/' "$D/mappings/x12-850-out.yaml"
grep -q 'BEG: \["ZZZ"' "$D/mappings/x12-850-out.yaml" || fail "test setup: BEG not changed"
set +e
"$DG_BIN" partner check northwind "${C[@]}" >"$out" 2>&1; rc=$?
set -e
[ "$rc" -eq 1 ] || { cat "$out"; fail "invalid sample PO: exit $rc, want 1"; }
grep -q "^  po      render .* FAIL sample PO: .*BEG01 .*'ZZZ'" "$out" || { cat "$out"; fail "no FAIL naming BEG01"; }
echo "ok: 10 checks"
