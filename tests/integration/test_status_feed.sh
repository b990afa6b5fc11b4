#!/usr/bin/env bash
# The storefront status feed (issues 10 and 11) over the demo: every status_history row reaches
# the storefront's drop exactly once, counted where it arrives (drops/shopfront/status), with
# its values: an order FAILED and one PARTIALLY_CONVERTED with each line's status and reason,
# supplier PO status changes, a backordered line re-routed (the PO it left CANCELLED), shipped
# lines with their quantities; then an order its mapping cannot read (no lines, its reason).
# A second poll with nothing new sends nothing; the JSON mapping renders the same updates.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir status-feed
D=$tmp/demo
CFG=$D/etc/dropgate.yaml
DB=$D/var/dropgate.db
ST=$D/drops/shopfront/status
check() { checks=$((checks + 1)); [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }
poll() { "$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || fail "poll exited $?"; }
"$DG_BIN" demo --dir "$D" --source "$DG_SOURCE_DIR" >"$log" 2>&1 || fail "demo exited $?"
checks=$((checks + 1))
grep -q "^status feed:  .* update(s) sent to the storefront in [1-9][0-9]* file(s) (0 waiting)" "$log" ||
  fail "demo summary lacks the status feed: $(grep -i 'status feed' "$log")"
# What arrived: one line per (file, update id, line) with its columns; the updates counted
# once per distinct file, so an update carried by two files would be counted twice.
feed() {
  python3 - "$ST" <<'PY'
import csv, glob, os, sys
for f in sorted(glob.glob(os.path.join(sys.argv[1], "STATUS_*.csv"))):
    for r in csv.DictReader(open(f, newline="")):
        print("|".join([os.path.basename(f), r["Update id"], r["Name"], r["What"], r["Status"],
                        r["Previous status"], r["Supplier PO"], r["Cause"], r["Reason"],
                        r["Lineitem sku"], r["Lineitem quantity"], r["Lineitem shipped"],
                        r["Lineitem status"], r["Lineitem reason"]]))
PY
}
feed >"$tmp/feed"
rows=$(q "select count(*) from status_history")
[ "$rows" -ge 20 ] || fail "only $rows status changes in the demo"
check "$(cut -d'|' -f1,2 "$tmp/feed" | sort -u | cut -d'|' -f2 | sort | uniq -d | wc -l)" 0 "updates carried by more than one file"
check "$(cut -d'|' -f2 "$tmp/feed" | sort -u | wc -l)" "$rows" "updates arrived (one per status change)"
check "$(q "select count(*) from status_history where push_state <> 'SENT'")" 0 "rows not SENT"
check "$(q "select count(*) from outbox where kind = 'status' and state = 'SENT'")" "$(ls "$ST" | wc -l)" "status files: outbox entries vs arrived"
has() { checks=$((checks + 1)); grep -qF -- "$1" "$tmp/feed" || fail "feed lacks '$1': $(grep -F "${2:-$1}" "$tmp/feed" | head -5)"; }
# an order that failed in routing and one partly placed, each line with its status and reason
has "|#2005|order|FAILED|||order|OUT_OF_STOCK SKU SF-1009: 1 ordered; northwind has 0|SF-1009|1|0|OUT_OF_STOCK|SKU SF-1009: 1 ordered; northwind has 0" "#2005|order"
has "|#2004|order|PARTIALLY_CONVERTED|||order|PRODUCT_NOT_FOUND SKU SF-9999 is not in the catalog|SF-9999|1|0|PRODUCT_NOT_FOUND|SKU SF-9999 is not in the catalog" "#2004|order"
has "|#2004|order|PARTIALLY_CONVERTED|||order|PRODUCT_NOT_FOUND SKU SF-9999 is not in the catalog|SF-1006|1|0|" "#2004|order"
# supplier PO status changes
has "|#2001|po|AWAITING_CONFIRMATION||2001-NW|order||SF-1001|2|" "#2001|po"
has "|#2001|po|AWAITING_DELIVERY|AWAITING_CONFIRMATION|2001-NW|856|SH-NW-9001|SF-1001|2|" "#2001|po"
has "|#2001|po|COMPLETED|AWAITING_DELIVERY|2001-NW|810|INV-NW-5001|" "#2001|po"
# shipped lines with their quantities (2 of SF-1001 on 2001-NW)
has "|#2001|line|SHIPPED||2001-NW|856|SH-NW-9001|SF-1001|2|2|SHIPPED|" "#2001|line"
has "|#2002|line|SHIPPED||2002-BL|shipment|SO-BL-3101|SF-1007|1|1|SHIPPED|" "#2002|line"
# the backordered line, re-routed: its PO at northwind CANCELLED, a new PO at brightline
has "|#2006|line|BACKORDERED||2006-NW|855|" "#2006|line"
has "|#2006|line|REROUTED|BACKORDERED|2006-NW|855|re-routed to brightline on PO 2006-BL|SF-1002|" "#2006|line"
has "|#2006|po|CANCELLED|AWAITING_CONFIRMATION|2006-NW|855|" "#2006|po"
has "|#2006|po|AWAITING_CONFIRMATION||2006-BL|reroute|re-routed from PO 2006-NW|SF-1002|" "#2006|po"

# Nothing new: a poll sends no status file.
files=$(ls "$ST" | wc -l)
poll
check "$(ls "$ST" | wc -l)" "$files" "status files after a poll with nothing new"

# An order its mapping cannot read (no ship-to name): FAILED under its number, no lines.
{
  head -1 "$DG_SOURCE_DIR/samples/demo/drops/shopfront/orders/"*.csv
  echo "#7001,x@example.com,paid,USD,44.25,0,0,44.25,Standard,2026-11-23 09:00:00 -0500,1,French Press,14.75,SF-1005,,,1 Main St,,Austin,78701,TX,US,,"
} >"$D/drops/shopfront/orders/orders-7001.csv"
poll
check "$(ls "$ST" | wc -l)" $((files + 1)) "status files after the unreadable order"
feed >"$tmp/feed"
checks=$((checks + 1))
grep -q "|#7001|order|FAILED|||mapping|row 2 (7001): .*rule 'ship_to.name': required field missing (input row 2)|||||$" "$tmp/feed" ||
  fail "the unreadable order's update: $(grep 7001 "$tmp/feed")"
check "$(cut -d'|' -f2 "$tmp/feed" | sort -u | wc -l)" "$(q "select count(*) from status_history")" "updates after the unreadable order"

# The JSON mapping renders the same updates (the webhook body): one object per update.
sed -i 's#mapping: mappings/storefront-status-csv-out.yaml#mapping: mappings/storefront-status-json-out.yaml#' "$D/etc/partners/shopfront.yaml"
grep -q storefront-status-json-out "$D/etc/partners/shopfront.yaml" || fail "setup: JSON mapping not set"
q "update status_history set push_state = 'PENDING', outbox_id = NULL"
poll
f=$(ls "$ST"/STATUS_*.json)
[ "$(echo "$f" | wc -l)" -eq 1 ] || fail "want one JSON status file: $f"
check "$(jq '.status_updates | length' "$f")" "$(q "select count(*) from status_history")" "JSON updates"
check "$(jq -r '.status_updates[] | select(.order_number == "2005" and .subject == "order") | [.status, .line_items[0].sku, .line_items[0].status, .line_items[0].quantity] | join(",")' "$f")" "FAILED,SF-1009,OUT_OF_STOCK,1" "JSON #2005"
check "$(jq -r '.status_updates[] | select(.order_number == "7001") | [.status, (.line_items | length)] | join(",")' "$f")" "FAILED,0" "JSON #7001 (no lines)"
check "$(jq -r '[.status_updates[].id] | unique | length' "$f")" "$(q "select count(*) from status_history")" "JSON update ids unique"
echo "ok: $checks checks"
