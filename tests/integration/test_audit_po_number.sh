#!/usr/bin/env bash
# Audit H2: two orders whose numbers share a 170-character prefix made create_po loop forever
# (the "-k" suffix was cut off by snprintf, so the number never became free). Now an order
# number longer than 63 characters is refused (DG_EVALID, file quarantined, reason names the
# order) and the poll finishes; a 63-character number is still taken.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir ponum
hdr='Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Company,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes'
row() { echo "$1,a@example.com,paid,USD,5.20,0,0,5.20,Standard,2026-11-20 09:12:05 -0500,1,Tea Sampler,5.20,SF-1004,Ana Lopez,,123 Main St,,Austin,78701,TX,US,,"; }
long=$(printf 'X%.0s' $(seq 1 170))
ok63=$(printf 'Y%.0s' $(seq 1 63))
{ echo "$hdr"; row "#${long}1"; row "#${long}2"; } >"$W/drops/shopfront/orders/long.csv"
{ echo "$hdr"; row "$ok63"; } >"$W/drops/shopfront/orders/ok63.csv"
set +e
(cd "$W" && timeout -s KILL 30 "$DG_BIN" poll --once --no-wait --config etc/dropgate.yaml) >"$log" 2>&1
rc=$?
set -e
[ $rc -ne 137 ] || fail "poll hung (killed after 30 s)"
[ "$(q "select count(*) from orders where length(order_number) > 63")" = 0 ] || fail "a long order number was recorded"
[ "$(q "select status from orders where order_number='$ok63'")" = CONVERTED ] || fail "the 63-character order was not converted"
[ "$(q "select count(*) from supplier_pos where po_number like '${ok63}-%'")" = 1 ] || fail "no PO for the 63-character order"
reason=$(find "$W/var/quarantine" -name '*.reason.txt' -exec grep -l "long.csv\|XXXX" {} + 2>/dev/null | head -n 1)
[ -n "$reason" ] || { find "$W/var" -type f | head; fail "long.csv not quarantined with a reason"; }
grep -q "XXXXXXXXXX.*characters long, more than the 63 allowed" "$reason" || { cat "$reason"; fail "the reason does not name the order and the limit"; }
echo "OK: long order numbers refused, poll finished"
