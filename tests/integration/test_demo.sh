#!/usr/bin/env bash
# The README's main command: `dropgate demo` on a fresh folder runs the shipped dropship setup
# end to end and prints the summary; a second run replaces its own folder; a folder that is not
# a demo folder is refused. Also `dropgate partner check` over the demo's partners.
set -euo pipefail
: "${DG_BIN:?set DG_BIN to the dropgate binary}" "${DG_SOURCE_DIR:?set DG_SOURCE_DIR}"
base=${DG_BUILD_DIR:-/tmp}/testtmp
mkdir -p "$base"
tmp=$(mktemp -d "$base/demo-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$out"; exit 1; }
has() { grep -qF -- "$1" "$out" || fail "output lacks '$1'"; }

"$DG_BIN" demo --dir "$tmp/demo" --source "$DG_SOURCE_DIR" >"$out" 2>&1 || fail "demo exited $?"
has "orders placed:        6 (4 converted, 1 partially converted, 1 failed)"
has "POs sent:             7"
# issue 11: northwind backorders order 2006's line for weeks (855 IB); it goes to brightline
has "PO acknowledgments:   1 in"
has "lines re-routed:      1"
has "order 2006     SF-1002    northwind BACKORDERED (IB, promised 2027-01-15) -> brightline PO 2006-BL"
has "order 2006     CONVERTED            lines 1/1 matched, 1 PO(s), 0 shipped; revenue 59.99, cost 20.90"
[ -f "$tmp/demo/drops/brightline/po/PO_2006-BL.csv" ] || fail "the re-routed PO did not reach brightline"
grep -q "BL-1002" "$tmp/demo/drops/brightline/po/PO_2006-BL.csv" || fail "the re-routed PO lacks BL-1002"
has "tracking passed back: 4 file(s)"
has "invoices:             2 matched, 1 flagged"
has "INV-BL-7002 brightline PO 2003-BL        DISCREPANCY: PRICE_ABOVE_TOLERANCE"
has "files quarantined:    0"
[ "$(ls "$tmp/demo/drops/shopfront/tracking" | grep -c '^TRACKING_')" -eq 4 ] || fail "tracking files"
# The customer's cancellation of order 2004 reaches northwind as one 860 (validated below with
# every X12 file), and the storefront hears what became of its line that was never placed.
has "cancellations:        1 sent to suppliers"
[ -f "$tmp/demo/drops/northwind/inbound/CANCEL_2004-NW-C1.edi" ] || fail "no 860 for 2004-NW at northwind"
[ "$(ls "$tmp/demo/drops/shopfront/tracking" | grep -c '^CANCELLED_2004_')" -eq 1 ] || fail "no cancellation notice for 2004"
# The storefront status feed: every status change of the demo in its status folder, once.
has "status feed:          "
grep -q "^status feed: .* update(s) sent to the storefront in [1-9][0-9]* file(s) (0 waiting)" "$out" || fail "status feed summary"
sent=$(cat "$tmp/demo/drops/shopfront/status/"STATUS_*.csv | grep -v '^Update id,' | cut -d, -f1 | sort -u | wc -l)
grep -q "^status feed:          $sent update(s) sent" "$out" || fail "status feed: $sent updates in the files, the summary says otherwise"
grep -q '^[0-9]*,#2006,po,CANCELLED,AWAITING_CONFIRMATION,CONVERTED,[A-Z_]*,2006-NW,northwind,855,' "$tmp/demo/drops/shopfront/status/"STATUS_*.csv ||
  fail "the storefront is not told that 2006-NW was cancelled (re-routed)"
# issue 11: the PO re-routed away (2006-NW) is CANCELLED in every view, not SENT
C=$tmp/demo/etc/dropgate.yaml
"$DG_BIN" show po 2006-NW --config "$C" >"$tmp/show" 2>&1 || fail "show po 2006-NW"
head -1 "$tmp/show" | grep -q "^PO 2006-NW  supplier northwind  status CANCELLED (its file: SENT)$" || fail "show po 2006-NW: $(head -1 "$tmp/show")"
grep -q "997/999:       none received; not awaited, the PO is cancelled" "$tmp/show" || fail "show po 2006-NW: 997 line"
"$DG_BIN" status --json --config "$C" >"$tmp/status.json" 2>&1 || fail "status --json"
[ "$(jq -c '[.pos.CANCELLED, .pos.SENT, .po_status.CANCELLED]' "$tmp/status.json")" = "[1,null,1]" ] || fail "status: POs $(jq -c .pos "$tmp/status.json")"
"$DG_BIN" status --config "$C" >"$tmp/status.txt" 2>&1 || fail "status"
grep -q "^supplier POs: .*CANCELLED=1" "$tmp/status.txt" && ! grep -q "^supplier POs: .*SENT=" "$tmp/status.txt" || fail "status: $(grep 'supplier POs' "$tmp/status.txt")"
"$DG_BIN" search 2006-NW --json --config "$C" >"$tmp/search.json" 2>&1 || fail "search 2006-NW"
[ "$(jq -r '.[] | select(.kind == "po") | .status' "$tmp/search.json")" = CANCELLED ] || fail "search 2006-NW: $(cat "$tmp/search.json")"
# three days on: 2006-NW owes no 997 any more (the other POs without one are overdue)
DG_TEST_NOW=$(( $(date +%s) + 3 * 86400 )) "$DG_BIN" report overdue --json --config "$C" >"$tmp/overdue.json" 2>&1 || fail "report overdue"
[ "$(jq '[.[] | select(.po_number == "2006-NW")] | length' "$tmp/overdue.json")" = 0 ] || fail "report overdue lists the cancelled 2006-NW"
# (the check proves something: 2006-NW was sent to a supplier that owes a 997, none came)
"$DG_BIN" show po 2006-NW --json --config "$C" >"$tmp/po.json" 2>&1 || fail "show po --json"
[ "$(jq -c '[.po.expect_ack // .expect_ack, .po.ack_status // .ack_status]' "$tmp/po.json")" = "[1,null]" ] ||
  fail "2006-NW: want a 997 expected and none received: $(head -c 300 "$tmp/po.json")"
# Run again into the same folder: replaced, same result (deterministic PO numbers and answers).
"$DG_BIN" demo --dir "$tmp/demo" --source "$DG_SOURCE_DIR" >"$out" 2>&1 || fail "second demo exited $?"
has "invoices:             2 matched, 1 flagged"
# Only valid X12 leaves (issue 8): every X12 file in the partners' folders and the outbox - the
# POs dropgate wrote, its 997s, and the suppliers' sample answers - validates.
n=0
while IFS= read -r -d '' f; do
  head -c 3 "$f" | grep -q '^ISA' || continue
  n=$((n + 1))
  DG_EDI_DIR="$DG_SOURCE_DIR/edi" "$DG_BIN" validate "$f" >"$out" 2>&1 || fail "$f does not validate"
done < <(find "$tmp/demo/drops" "$tmp/demo/var/outbox" -type f -print0)
[ "$n" -ge 15 ] || fail "only $n X12 files under drops/ and var/outbox"
ls "$tmp/demo/var/outbox/northwind/"PO_*.edi >/dev/null 2>&1 || fail "no X12 PO in northwind's outbox"
# route --explain: why 2006's line went to northwind, then to brightline (issue 11).
"$DG_BIN" route --explain 2006 --config "$tmp/demo/etc/dropgate.yaml" >"$out" 2>&1 || fail "route --explain"
has "SF-1002 x 1: northwind, REROUTED (attempt 1): re-routed to brightline on PO 2006-BL"
has "#1 CHOSEN       northwind    landed cost 28.00 = 21.50 x 1 + shipping 5.50 + dropship fee 1.00"
has "#1 ELIGIBLE     brightline   landed cost 30.35"
has "#2 CHOSEN       brightline"
has "#2 SKIPPED      northwind    already offered this line: BACKORDERED  (855)"
"$DG_BIN" route --explain 2004 --config "$tmp/demo/etc/dropgate.yaml" >"$out" 2>&1 || fail "route --explain 2004"
has "routing: PRODUCT_NOT_FOUND: SKU SF-9999 is not in the catalog"
"$DG_BIN" route --explain 2006 --json --config "$tmp/demo/etc/dropgate.yaml" >"$out" 2>&1 || fail "route --explain --json"
python3 - "$out" <<'PY' || fail "route --explain --json"
import json, sys
d = json.load(open(sys.argv[1]))
l = d["lines"][0]
assert l["supplier_status"] == "REROUTED", l
assert [(r["attempt"], r["supplier"], r["verdict"]) for r in l["recorded"]] == \
    [(1, "northwind", "CHOSEN"), (1, "brightline", "ELIGIBLE"), (2, "brightline", "CHOSEN"),
     (2, "northwind", "SKIPPED")], l["recorded"]
assert d["lines"][1]["now"][0]["verdict"] in ("WOULD_CHOOSE", "SKIPPED")
PY
set +e
"$DG_BIN" route --explain NO-SUCH --config "$tmp/demo/etc/dropgate.yaml" >"$out" 2>&1; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "route --explain of an unknown order: exit $rc, want 1"
# Status and reports on the demo's state.
"$DG_BIN" status --config "$tmp/demo/etc/dropgate.yaml" >"$out" 2>&1 || fail "status"
has "open discrepancies:      1"
"$DG_BIN" status --json --config "$tmp/demo/etc/dropgate.yaml" >"$out" 2>&1 || fail "status --json"
has '"discrepancies_open"'
"$DG_BIN" report orders --format csv --config "$tmp/demo/etc/dropgate.yaml" >"$out" 2>&1 || fail "report orders"
[ "$(grep -c . "$out")" -eq 7 ] || fail "report orders: want a header and 6 rows"
"$DG_BIN" report reconcile --format json -o "$tmp/recon.json" --config "$tmp/demo/etc/dropgate.yaml" >"$out" 2>&1 || fail "report reconcile -o"
grep -q PRICE_ABOVE_TOLERANCE "$tmp/recon.json" || fail "reconcile json lacks the discrepancy"
set +e
"$DG_BIN" report invoices --config "$tmp/demo/etc/dropgate.yaml" >"$out" 2>&1; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "unknown report: exit $rc, want 2"
# A folder that is not a demo folder is never wiped.
mkdir -p "$tmp/precious" && echo keep >"$tmp/precious/file"
set +e
"$DG_BIN" demo --dir "$tmp/precious" --source "$DG_SOURCE_DIR" >"$out" 2>&1; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "non-demo folder: exit $rc, want 2"
[ -f "$tmp/precious/file" ] || fail "a non-demo folder was touched"

# partner check: connects, lists, maps sample files, places nothing.
P=$tmp/pc
mkdir -p "$P"
cp -r "$DG_SOURCE_DIR/etc" "$DG_SOURCE_DIR/mappings" "$DG_SOURCE_DIR/edi" "$P/"
cp -r "$DG_SOURCE_DIR/samples/demo/drops" "$P/drops"
cp -r "$DG_SOURCE_DIR/samples/demo/responses/northwind/." "$P/drops/northwind/"
"$DG_BIN" partner check northwind --config "$P/etc/dropgate.yaml" >"$out" 2>&1 || fail "partner check northwind exited $?"
has "NW_0003.x12"
has "would be taken"
has "ok   1 shipment document(s)"
# northwind's files do not tell their sets: each set is routed by its envelope.
has "ok   2 document(s): 1 shipment, 1 invoice"
has "set     856"
has "northwind: all checks passed"
[ -f "$P/drops/northwind/outbound/NW_0003.x12" ] || fail "partner check moved a file"
[ ! -e "$P/var/dropgate.db" ] || fail "partner check created a state store"
printf 'retailer_po,sku_id\n1,2\n' >"$tmp/bad-tracking.csv"
set +e
"$DG_BIN" partner check brightline "$tmp/bad-tracking.csv" --config "$P/etc/dropgate.yaml" >"$out" 2>&1; rc=$?
set -e
[ "$rc" -eq 1 ] || fail "a sample that does not map: exit $rc, want 1"
has "CHECK FAILED"
echo "ok: demo summary, rerun, status/report, refusal of a foreign folder, partner check"
