#!/usr/bin/env bash
# Audit H3: decimal overflow. qty 1,000,000 x price 1,000,000,000 used to wrap negative, pass the
# approval limit and send a PO for 1M units; a 15-digit price was undefined behaviour in the
# parser; an X12 005010 exponent ("1.2E2") passed the validator but failed the mapping.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir decimal
hdr='Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Company,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes'
row() { echo "#$1,a@example.com,paid,USD,5.20,0,0,5.20,Standard,2026-11-20 09:12:05 -0500,$2,Tea Sampler,$3,SF-1004,Ana Lopez,,123 Main St,,Austin,78701,TX,US,,"; }

# 1. the parser: a price beyond the range is a clear mapping error, not UB
{ echo "$hdr"; row HUGE 1 922337203685479; } >"$tmp/huge.csv"
set +e
(cd "$W" && "$DG_BIN" translate --map mappings/storefront-orders-csv-in.yaml "$tmp/huge.csv") >"$log" 2>&1
rc=$?
set -e
[ $rc -ne 0 ] || fail "translate accepted a price of 922337203685479"
[ $rc -lt 128 ] || fail "translate crashed (exit $rc)"
grep -q "922337203685479" "$log" || fail "the error does not name the value"

# 2. the flow: an overflowing line amount is NOT_APPROVED with a reason, no PO
{ echo "$hdr"; row BIG1 1000000 1000000000; row BIG2 1 6000; } >"$W/drops/shopfront/orders/big.csv"
(cd "$W" && "$DG_BIN" poll --once --no-wait --config etc/dropgate.yaml) >>"$log" 2>&1 || fail "poll exited $?"
st=$(q "select l.status from order_lines l join orders o on o.id=l.order_id where o.order_number='BIG1'")
[ "$st" = NOT_APPROVED ] || fail "BIG1 line: got '$st', want NOT_APPROVED"
q "select l.reason from order_lines l join orders o on o.id=l.order_id where o.order_number='BIG1'" \
  | grep -q "too large" || fail "BIG1: no overflow reason"
st=$(q "select l.status from order_lines l join orders o on o.id=l.order_id where o.order_number='BIG2'")
[ "$st" = NOT_APPROVED ] || fail "BIG2 line: got '$st', want NOT_APPROVED (limit 5000)"
[ "$(q "select count(*) from supplier_pos p join orders o on o.id=p.order_id where o.order_number like 'BIG%'")" = 0 ] \
  || fail "a PO was created for an unapproved order"
if ls "$W"/drops/*/po/PO_BIG* >/dev/null 2>&1; then fail "a PO file was written for BIG"; fi

# 3. the mapping reads an X12 005010 exponent the validator accepts
cat >"$tmp/846.edi" <<'X12'
ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*STOREFRONT     *260115*0930*^*00501*000000501*0*P*>~
GS*IB*NORTHWIND*STOREFRONT*20260115*0930*501*X*005010~
ST*846*0001~
BIA*00*DD*INV-20260117*20260117~
N1*SU*Northwind Supply~
LIN**VN*NW-100*UP*012345678905~
PID*F****Blue widget~
QTY*33*1.2E2*EA~
LIN**VN*NW-200~
QTY*33*0*EA~
CTT*2~
SE*10*0001~
GE*1*501~
IEA*1*000000501~
X12
m=mappings/x12-846-in.yaml
[ -f "$W/$m" ] || fail "no $m"
(cd "$W" && "$DG_BIN" translate --map "$m" "$tmp/846.edi") >"$tmp/846.out" 2>>"$log" \
  || fail "846 with QTY 1.2E2 not translated: $(tail -n 3 "$log")"
grep -qE '"?quantity[a-z_]*"?[:,] *"?120"?' "$tmp/846.out" || { cat "$tmp/846.out"; fail "quantity 120 not in the output"; }
echo "OK: decimal overflow and exponent checks passed"
