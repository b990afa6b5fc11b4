#!/usr/bin/env bash
# Test orders (issue 11): an order the storefront marks as a test (its Test column, mapped to the
# canonical order.test) goes only to partners in test mode (partner file test: true: ISA15 T,
# its own test folders) and never to a production supplier; a production order never goes to a
# partner in test mode. One storefront file mixes test and real orders; what ARRIVES in each
# supplier's folder is counted.
set -euo pipefail
. "$DG_SOURCE_DIR/tests/integration/lib/workdir.sh"
dg_workdir test-orders
cp -r "$DG_SOURCE_DIR/samples/demo/drops/northwind/." "$W/drops/northwind/"
cp -r "$DG_SOURCE_DIR/samples/demo/drops/brightline/." "$W/drops/brightline/"
# northwind's test mailbox: a partner in test mode that takes northwind's test orders.
sed -e 's/^name: northwind/name: northwind-test/' -e 's/^  id: NORTHWIND/  id: NORTHWINDT/' \
    -e 's|root: drops/northwind|root: drops/northwind-test|' \
    "$W/etc/partners/northwind.yaml" >"$W/etc/partners/northwind-test.yaml"
printf 'test: true\ntest_of: northwind\n' >>"$W/etc/partners/northwind-test.yaml"
mkdir -p "$W/drops/northwind-test/outbound"
# A product only the test partner carries: a production order for it must not go there.
echo 'SF-1011,,northwind-test,NW-1011,Sample Mug,3.00,10,0,1.00,1.00,US,1' >>"$W/etc/catalog.csv"
sed -i 's/^suppliers:.*$/&\n  northwind-test: {stock_required: false}/' "$W/etc/routing.yaml"

H='Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Company,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Test'
row() { # number sku test
  echo "#$1,a@example.com,paid,USD,10.00,0,0,10.00,Standard,2026-11-20 09:00:00 -0500,1,Item,700.00,$2,Ana Lopez,,1 Main St,,Austin,78701,TX,US,,,$3"
}
{
  echo "$H"
  row 5001 SF-1003 ""      # real, northwind only          -> northwind
  row 5002 SF-1003 true    # test, northwind has a twin    -> northwind-test
  row 5003 SF-1004 yes     # test, brightline has none     -> nowhere
  row 5004 SF-1004 false   # real                          -> brightline
  row 5005 SF-1006 1       # test, two lines: NW line to the twin, BL line nowhere
  row 5005 SF-1007 1
  row 5006 SF-1011 ""      # real, only a test partner carries it -> nowhere
  row 5007 SF-1011 TRUE    # test, the test partner's own catalog row -> northwind-test
} >"$W/drops/shopfront/orders/mixed.csv"

"$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || fail "poll --once exited $?"

arrived() { ls "$W/drops/$1/$2" 2>/dev/null | grep -c '^PO_' || true; }
checks=$((checks + 1))
[ "$(arrived northwind inbound)" -eq 1 ] || fail "northwind got $(ls "$W/drops/northwind/inbound"), want PO_5001-NW.edi only"
[ -f "$W/drops/northwind/inbound/PO_5001-NW.edi" ] || fail "northwind: no PO_5001-NW.edi"
checks=$((checks + 1))
[ "$(arrived northwind-test inbound)" -eq 3 ] || fail "northwind-test got $(ls "$W/drops/northwind-test/inbound"), want 5002, 5005, 5007"
for f in PO_5002-NWT.edi PO_5005-NWT.edi PO_5007-NWT.edi; do
  [ -f "$W/drops/northwind-test/inbound/$f" ] || fail "northwind-test: no $f ($(ls "$W/drops/northwind-test/inbound"))"
done
checks=$((checks + 1))
[ "$(arrived brightline po)" -eq 1 ] || fail "brightline got $(ls "$W/drops/brightline/po"), want the PO of 5004 only"
ls "$W/drops/brightline/po" | grep -q '5004-BL' || fail "brightline: no PO of 5004"

# ISA15: T for the partner in test mode, P for production; both valid X12.
isa15() { head -c 106 "$1" | cut -d'*' -f16; }
checks=$((checks + 1))
[ "$(isa15 "$W/drops/northwind/inbound/PO_5001-NW.edi")" = P ] || fail "production PO has ISA15 $(isa15 "$W/drops/northwind/inbound/PO_5001-NW.edi")"
for f in "$W/drops/northwind-test/inbound/"PO_*.edi; do
  [ "$(isa15 "$f")" = T ] || fail "$f: ISA15 $(isa15 "$f"), want T"
  DG_EDI_DIR="$W/edi" "$DG_BIN" validate "$f" >>"$log" 2>&1 || fail "$f does not validate"
done
# The test PO of 5005 carries only its northwind line.
checks=$((checks + 1))
[ "$(tr '~' '\n' <"$W/drops/northwind-test/inbound/PO_5005-NWT.edi" | grep -c '^PO1')" -eq 1 ] || fail "5005's test PO should have 1 line"

# Line statuses say why nothing was sent.
checks=$((checks + 1))
case "$(q "select l.reason from order_lines l join orders o on o.id=l.order_id where o.order_number='5003'")" in
  *"test order and no supplier of it is in test mode"*) ;; *) fail "5003: no test-mode reason" ;; esac
case "$(q "select l.reason from order_lines l join orders o on o.id=l.order_id where o.order_number='5006'")" in
  *"only suppliers are in test mode"*) ;; *) fail "5006: no test-mode reason" ;; esac
[ "$(q "select status from orders where order_number='5005'")" = PARTIALLY_CONVERTED ] || fail "5005 not PARTIALLY_CONVERTED"
# No test order has a PO with a production supplier, no production order one with a test partner.
checks=$((checks + 1))
[ "$(q "select count(*) from supplier_pos p join orders o on o.id=p.order_id where o.order_number in ('5002','5003','5005','5007') and p.supplier<>'northwind-test'")" -eq 0 ] ||
  fail "a test order has a PO with a production supplier"
[ "$(q "select count(*) from supplier_pos p join orders o on o.id=p.order_id where o.order_number in ('5001','5004','5006') and p.supplier='northwind-test'")" -eq 0 ] ||
  fail "a production order has a PO with the test partner"

# A test_of that names no supplier is a configuration error naming the file.
printf 'test_of: nosuch\n' >>"$W/etc/partners/northwind-test.yaml"
sed -i '0,/^test_of: northwind$/{/^test_of: northwind$/d}' "$W/etc/partners/northwind-test.yaml"
checks=$((checks + 1))
if "$DG_BIN" poll --once --no-wait --config "$CFG" >"$tmp/out" 2>&1; then fail "test_of: nosuch accepted"; fi
grep -q "northwind-test.yaml: test_of: 'nosuch'" "$tmp/out" || { cat "$tmp/out"; fail "no clear test_of error"; }
echo "ok: $checks checks"
