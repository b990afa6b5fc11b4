#!/usr/bin/env bash
# `dropgate show po|order ID` on a demo run: the whole story of one PO (order, lines, the file
# sent and its archived copy, 997 status and the 997 file, shipment with tracking, invoice match
# with its discrepancy) and of one order (each line's outcome and reason, its POs, tracking
# files); unknown ids exit 1, usage errors 2. Also: report orders gives each failed line's reason.
set -euo pipefail
source "$DG_SOURCE_DIR/tests/integration/lib/workdir.sh"
dg_workdir ops-show
D=$tmp/demo
"$DG_BIN" demo --dir "$D" --source "$DG_SOURCE_DIR" >"$log" 2>&1 || fail "demo exited $?"
DB=$D/var/dropgate.db
C=(--config "$D/etc/dropgate.yaml")
out=$tmp/out

# An X12 PO with a 997, a shipment and a matched invoice; a CSV PO with a flagged invoice.
"$DG_BIN" show po 2001-NW --json "${C[@]}" >"$tmp/nw.json" 2>>"$log" || fail "show po 2001-NW"
"$DG_BIN" show po 2003-BL --json "${C[@]}" >"$tmp/bl.json" 2>>"$log" || fail "show po 2003-BL"
"$DG_BIN" show order 2004 --json "${C[@]}" >"$tmp/o4.json" 2>>"$log" || fail "show order 2004"
isa=$(q "SELECT interchange_control FROM supplier_pos WHERE po_number = '2001-NW'")
python3 - "$tmp" "$D" "$isa" <<'PY' || fail "show --json fields"
import json, os, sys
tmp, demo, isa = sys.argv[1:]
nw = json.load(open(tmp + "/nw.json"))
def eq(got, want, what):
    assert got == want, f"{what}: {got!r}, want {want!r}"
def archived(o, what):
    p = o.get("archived_path")
    assert p and p.startswith(demo + "/var/archive/") and os.path.isfile(p), f"{what}: {p!r}"
    return p
eq((nw["po_number"], nw["supplier"], nw["status"]), ("2001-NW", "northwind", "INVOICED"), "po")
eq((nw["storefront"], nw["order_number"]), ("shopfront", "2001"), "order")
eq((nw["isa13"], nw["ack_status"], nw["total"]), (isa, "A", "29.70"), "isa13/997/total")
for k in ("created_at", "sent_at", "ack_at", "shipped_at"):
    assert nw.get(k, 0) > 0, k
eq([(l["supplier_sku"], l["qty_ordered"], l["qty_shipped"], l["qty_invoiced"]) for l in nw["lines"]],
   [("NW-1001", "2", "2", "2"), ("NW-1002", "1", "1", "1")], "lines")
eq([(s["file_name"], s["state"]) for s in nw["sent"]], [("PO_2001-NW.edi", "SENT")], "sent")
p = archived(nw["sent"][0], "sent file")
assert open(p, "rb").read().startswith(b"ISA"), "the archived PO is not the X12 sent"
eq(len(nw["acks"]), 1, "997 groups")
assert nw["acks"][0]["outcome"].startswith("accepted=1"), nw["acks"]
assert b"AK1*PO*" + nw["gs06"].encode() in open(archived(nw["acks"][0], "997"), "rb").read(), "997 file"
eq([(s["shipment_ref"], s["tracking"]) for s in nw["shipments"]],
   [("SH-NW-9001", "1Z999AA10123456784")], "shipments")
assert b"SH-NW-9001" in open(archived(nw["shipments"][0], "856"), "rb").read(), "856 file"
eq([(i["invoice_number"], i["outcome"], i["total"]) for i in nw["invoices"]],
   [("INV-NW-5001", "MATCHED", "34.70")], "invoices")
archived(nw["invoices"][0], "810")

bl = json.load(open(tmp + "/bl.json"))
eq((bl["status"], bl["expect_ack"], bl["acks"]), ("SHIPPED", 0, []), "csv po")
inv = bl["invoices"]
eq([(i["invoice_number"], i["outcome"]) for i in inv], [("INV-BL-7002", "DISCREPANCY")], "bl inv")
assert inv[0]["discrepancies"].startswith("PRICE_ABOVE_TOLERANCE: BL-1004"), inv

o = json.load(open(tmp + "/o4.json"))
eq((o["order_number"], o["status"], o["lines_total"], o["lines_matched"]),
   ("2004", "PARTIALLY_CONVERTED", 2, 1), "order")
eq([(l["retailer_sku"], l["status"], l.get("po_number"), l.get("reason")) for l in o["lines"]],
   [("SF-1006", "MATCHED", "2004-NW", None),
    ("SF-9999", "PRODUCT_NOT_FOUND", None, "SKU SF-9999 is not in the catalog")], "order lines")
eq([p["po_number"] for p in o["pos"]], ["2004-NW"], "order POs")
eq(o["file_name"], "orders-20261120.csv", "order source file")
archived(o, "order file")
PY
checks=$((checks + 20))

# Text: the same story for an operator.
"$DG_BIN" show order 2003 "${C[@]}" >"$out" 2>>"$log" || fail "show order 2003"
for want in "order 2003  storefront shopfront  status CONVERTED" "PO 2003-NW  supplier northwind" \
  "PO 2003-BL  supplier brightline  status SHIPPED" "997/999:       A at " \
  "INV-BL-7002 DISCREPANCY total 16.75" "tracking 9400111899223100005678" "shipment SO-BL-3102: SENT"; do
  grep -qF -- "$want" "$out" || { cat "$out"; fail "show order 2003 lacks '$want'"; }
  checks=$((checks + 1))
done

# report orders says why each line that was not placed failed (CSV column and JSON key), and
# takes --json like every command that prints records.
"$DG_BIN" report orders "${C[@]}" >"$out" 2>>"$log" || fail "report orders"
head -1 "$out" | grep -q ',reasons$' || fail "report orders: no reasons column"
grep -q '^shopfront,2004,PARTIALLY_CONVERTED,.*,SF-9999: SKU SF-9999 is not in the catalog$' "$out" ||
  fail "report orders: order 2004 lacks its failed line's reason"
grep -q '^shopfront,2005,FAILED,.*,SF-1009: SKU SF-1009: 1 ordered; northwind has 0$' "$out" ||
  fail "report orders: order 2005 lacks its reason"
grep -q '^shopfront,2001,CONVERTED,.*,$' "$out" || fail "report orders: a converted order has reasons"
"$DG_BIN" report orders --json "${C[@]}" >"$out" 2>>"$log" || fail "report orders --json"
python3 - "$out" <<'PY' || fail "report orders --json reasons"
import json, sys
rows = {r["order_number"]: r for r in json.load(open(sys.argv[1]))}
assert rows["2005"]["reasons"] == "SF-1009: SKU SF-1009: 1 ordered; northwind has 0", rows["2005"]
assert "reasons" not in rows["2001"], rows["2001"]
PY
checks=$((checks + 6))

# Unknown ids: 1; wrong kind or arguments: 2.
set +e
"$DG_BIN" show po NO-SUCH-PO "${C[@]}" >"$out" 2>&1; rc=$?
[ "$rc" -eq 1 ] && grep -q "no supplier PO 'NO-SUCH-PO'" "$out" || fail "unknown PO: exit $rc"
"$DG_BIN" show order 9999 --json "${C[@]}" >"$out" 2>&1; rc=$?
[ "$rc" -eq 1 ] || fail "unknown order: exit $rc"
"$DG_BIN" show order 2001 --storefront nosuchshop "${C[@]}" >"$out" 2>&1; rc=$?
[ "$rc" -eq 1 ] || fail "order at another storefront: exit $rc"
"$DG_BIN" show invoice INV-BL-7002 "${C[@]}" >"$out" 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "show invoice: exit $rc, want 2"
"$DG_BIN" show po "${C[@]}" >"$out" 2>&1; rc=$?
[ "$rc" -eq 2 ] || fail "show po without ID: exit $rc, want 2"
set -e
checks=$((checks + 5))
echo "ok: $checks checks"
