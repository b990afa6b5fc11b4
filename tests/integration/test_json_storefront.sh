#!/usr/bin/env bash
# A storefront that speaks JSON, through the gateway on local folders: its orders file (the
# REST list response shape) is picked up through storefront-order-json-in.yaml, a gift-card line
# is recorded NOT_SHIPPABLE and never routed, a test order is left out, the order becomes a PO
# for the CSV supplier (without the gift card), the supplier's ASN
# comes back, and the storefront receives its tracking as a JSON fulfillment object
# (storefront-tracking-json-out.yaml). The drop is configured like any other: format is the
# mapping's business, not the gateway's.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir json-storefront
expect() { checks=$((checks + 1)); [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
contains() { checks=$((checks + 1)); grep -qF -- "$3" "$2" || fail "$1: $(basename "$2") lacks '$3'"; }
poll() {
  local rc=0
  "$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || rc=$?
  [ "$rc" -eq "${1:-0}" ] || fail "poll --once exited $rc, want ${1:-0} (line ${BASH_LINENO[0]})"
}

# the JSON storefront replaces the CSV one of the demo
rm "$W/etc/partners/shopfront.yaml"
cat >"$W/etc/partners/shopjson.yaml" <<'YAML'
name: shopjson
role: storefront
transport:
  kind: local
  root: drops/shopjson
schedule: {every: 30s}
inbound:
  - folder: orders
    include: ["*.json"]
    mapping: mappings/storefront-order-json-in.yaml
    after: move
    archive_folder: orders/processed
    stable_seconds: 0
outbound:
  folder: tracking
  tracking_mapping: mappings/storefront-tracking-json-out.yaml
YAML
mkdir -p "$W/drops/shopjson/orders" "$W/drops/brightline/feeds"
cp "$DG_SOURCE_DIR/samples/demo/drops/brightline/feeds/"*.csv "$W/drops/brightline/feeds/"
cat >"$W/drops/shopjson/orders/orders-page-1.json" <<'JSON'
{"orders": [
  {"id": 7700001, "name": "#5101", "email": "ana@example.com", "created_at": "2026-11-20T09:00:00-05:00",
   "currency": "USD", "test": false, "total_price": "41.80",
   "line_items": [
     {"id": 1, "sku": "SF-1004", "title": "Tea Sampler", "quantity": 2, "price": "12.50", "grams": 200, "requires_shipping": true},
     {"id": 2, "sku": "GIFT-25", "title": "Gift Card", "quantity": 1, "price": "25.00", "grams": 0, "requires_shipping": false, "gift_card": true},
     {"id": 3, "sku": "SF-1007", "title": "Milk Frother", "quantity": 1, "price": 16.8, "grams": 300, "requires_shipping": true}],
   "shipping_address": {"name": "Ana Lopez", "address1": "12 Harbor St", "city": "Boston",
     "province_code": "MA", "zip": "02134", "country_code": "US", "phone": "+1 617 555 0101"},
   "shipping_lines": [{"code": "STANDARD", "title": "Standard", "price": "5.00"}]},
  {"id": 7700002, "name": "#5102", "email": "qa@example.com", "created_at": "2026-11-20T10:00:00-05:00",
   "currency": "USD", "test": true,
   "line_items": [{"id": 4, "sku": "SF-1004", "title": "Tea Sampler", "quantity": 1, "price": "12.50", "requires_shipping": true}],
   "shipping_address": {"name": "QA", "address1": "1 Test Way", "city": "Austin", "province_code": "TX", "zip": "78701", "country_code": "US"}}
]}
JSON

poll
expect "order 5101" "$(q "select status from orders where order_number='5101'")" CONVERTED
expect "test order not placed" "$(q "select count(*) from orders where order_number='5102'")" 0
expect "lines kept (the gift card not to be routed)" "$(q "select group_concat(retailer_sku || ':' || status, ',') from (select retailer_sku, l.status from order_lines l join orders o on o.id=l.order_id where order_number='5101' order by retailer_sku)")" "GIFT-25:NOT_SHIPPABLE,SF-1004:MATCHED,SF-1007:MATCHED"
expect "file archived" "$(ls "$W/drops/shopjson/orders/processed/" | wc -l)" 1
expect "file done" "$(q "select state from pickups where path='orders/orders-page-1.json'")" DONE
PO=$W/drops/brightline/po/PO_5101-BL.csv
[ -f "$PO" ] || fail "no PO_5101-BL.csv in brightline's po folder"
contains "PO" "$PO" ",BL-1004,"
contains "PO" "$PO" ",BL-1007,"
contains "PO" "$PO" "Ana Lopez"
checks=$((checks + 1))
! grep -q "GIFT" "$PO" || fail "the gift card reached the supplier"

# the supplier ships: tracking goes back to the storefront as JSON
mkdir -p "$W/drops/brightline/shipments"
cat >"$W/drops/brightline/shipments/asn-5101.csv" <<'CSV'
retailer_po,supplier_po,tracking_number,sku_id,quantity_shipped,package_weight,package_ship_date,supplier_provided_carrier,supplier_provided_method
5101-BL,SO-BL-1,1Z999AA10123456784,BL-1004,2,1,2026-11-21,UPSN,GROUND
5101-BL,SO-BL-1,1Z999AA10123456784,BL-1007,1,1,2026-11-21,UPSN,GROUND
CSV
poll
T=$(ls "$W"/drops/shopjson/tracking/TRACKING_5101_*.json 2>/dev/null | head -1)
[ -n "$T" ] || fail "no TRACKING_5101_*.json in the storefront's tracking folder: $(ls "$W/drops/shopjson/tracking" 2>&1)"
contains "tracking" "$T" '"fulfillment": {'
contains "tracking" "$T" '"order_number": "5101"'
contains "tracking" "$T" '"tracking_number": "1Z999AA10123456784"'
contains "tracking" "$T" '"tracking_url": "https://www.ups.com/track?tracknum=1Z999AA10123456784"'
contains "tracking" "$T" '"sku": "SF-1004"'
contains "tracking" "$T" '"quantity": 2'
# the tracking file reads back as JSON with the order's lines (python3 is on every CI image)
if command -v python3 >/dev/null; then
  checks=$((checks + 1))
  python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["fulfillment"]; assert [l["sku"] for l in f["line_items"]]==["SF-1004","SF-1007"], f' "$T" || fail "tracking JSON"
fi
echo "ok: $checks checks"
