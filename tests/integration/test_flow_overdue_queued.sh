#!/usr/bin/env bash
# A PO for a supplier with no partner configuration is never rendered or sent: it stays QUEUED.
# Past the supplier's overdue time (the earlier of ack_after / asn_after) `dropgate status` must
# list it as overdue ("send", note "never sent") instead of it waiting silently. Runs over the
# demo's work folder with a catalog row and routing rules for a supplier "acme" that has no
# etc/partners/acme.yaml.
set -euo pipefail
: "${DG_BIN:?set DG_BIN to the dropgate binary}" "${DG_SOURCE_DIR:?set DG_SOURCE_DIR}"
base=${DG_BUILD_DIR:-/tmp}/testtmp
mkdir -p "$base"
tmp=$(mktemp -d "$base/flow-queued-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
D=$tmp/demo
CFG=$D/etc/dropgate.yaml
log=$tmp/log
out=$tmp/out
checks=0
fail() { echo "FAIL: $*"; echo "--- output:"; cat "$out" 2>/dev/null; echo "--- log (tail):"; tail -20 "$log"; exit 1; }
check() { checks=$((checks + 1)); grep -qE -- "$1" "$out" || fail "$2"; }

"$DG_BIN" demo --dir "$D" --source "$DG_SOURCE_DIR" >"$log" 2>&1 || fail "demo exited $?"
[ ! -e "$D/etc/partners/acme.yaml" ] || fail "test setup: the demo has a partner acme"
echo 'SF-1011,,acme,AC-1011,Mystery Box,10.00,10,0,1.00,1.00,US,1' >>"$D/etc/catalog.csv"
sed -i 's|^suppliers:.*$|&\n  acme: {code: AC, stock_required: false, ack_after: 4s, asn_after: 1h}|' "$D/etc/routing.yaml"
grep -q '^  acme: ' "$D/etc/routing.yaml" || fail "test setup: routing.yaml not changed"
{
    head -1 "$DG_SOURCE_DIR/samples/demo/drops/shopfront/orders/"*.csv
    echo "#4001,x@example.com,paid,USD,20.00,0.00,0.00,20.00,Standard,2026-11-23 09:00:00 -0500,1,Mystery Box,20.00,SF-1011,Ana Lopez,,123 Main St,,Austin,78701,TX,US,,"
} >"$D/drops/shopfront/orders/orders-4001.csv"
"$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || true # acme cannot be sent to
checks=$((checks + 1))
grep -q "order=4001 outcome=OK status=CONVERTED" "$log" || fail "order 4001 not placed with acme"

# Just placed: not overdue yet.
"$DG_BIN" status --json --config "$CFG" >"$out" 2>>"$log" || fail "status --json"
checks=$((checks + 1))
! grep -q '4001-AC' "$out" || fail "a fresh QUEUED PO is listed as overdue"
check '"QUEUED": 1' "the acme PO is not QUEUED"

sleep 5
"$DG_BIN" status --json --config "$CFG" >"$out" 2>>"$log" || fail "status --json"
tr -d ' \n' <"$out" >"$out.flat" # spaces removed: "never sent" reads "neversent"
checks=$((checks + 1))
grep -q '"po_number":"4001-AC","supplier":"acme","order_number":"4001","status":"QUEUED","what":"send","age_seconds":[0-9]*,"note":"neversent"' "$out.flat" ||
    fail "status --json does not list 4001-AC as overdue, never sent"
"$DG_BIN" status --config "$CFG" >"$out" 2>>"$log" || fail "status"
check '^  4001-AC +supplier=acme +order=4001 +status=QUEUED +waiting for send for [0-9]+s \(never sent\)' "status does not list 4001-AC"
check '^overdue POs: +1 \(no 997 after [0-9]+[smh]: 0, no ASN after [0-9]+[smh]: 0, never sent: 1\)$' "status: want exactly 1 overdue PO (the sent demo POs are not overdue), counted as never sent"
"$DG_BIN" status --json --config "$CFG" >"$out.json" 2>>"$log" || fail "status --json"
tr -d ' \n' <"$out.json" >"$out"
check '"overdue_counts":\{"total":1,"no_997":0,"no_asn":0,"never_sent":1,' "status --json: overdue counts"
echo "ok: $checks checks"
