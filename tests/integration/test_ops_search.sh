#!/usr/bin/env bash
# `dropgate search TEXT` on a demo run: each kind of business number (order, PO, invoice,
# shipment id, tracking number, ISA13 with and without zeros, GS06, file name, SHA-256 prefix,
# a quarantined file's name) finds its record; an unknown number finds nothing and exits 1.
# Also: poll --once exits 3 when it quarantined a file, status counts quarantined files, --version.
set -euo pipefail
source "$DG_SOURCE_DIR/tests/integration/lib/workdir.sh"
dg_workdir ops-search
D=$tmp/demo
"$DG_BIN" demo --dir "$D" --source "$DG_SOURCE_DIR" >"$log" 2>&1 || fail "demo exited $?"
DB=$D/var/dropgate.db
C=(--config "$D/etc/dropgate.yaml")
out=$tmp/out

# search TEXT -> want exit 0 and a line "KIND KEY PARTNER MATCHED" (columns as printed).
finds() { # text kind key matched
  "$DG_BIN" search "$1" "${C[@]}" >"$out" 2>>"$log" || fail "search $1: exit $?"
  awk -v k="$2" -v key="$3" -v m="$4" '$1 == k && $2 == key && $4 == m { f = 1 } END { exit !f }' \
    "$out" || { cat "$out"; fail "search $1: no $2 $3 matched by $4"; }
  checks=$((checks + 1))
}
finds 2003 order 2003 order_number
finds 2003 po 2003-NW order_number
finds 2003 po 2003-BL order_number
finds 2003-BL po 2003-BL po_number
finds 2003-BL shipment SO-BL-3102 po_number
finds 2003-BL invoice INV-BL-7002 po_number
finds INV-BL-7002 invoice INV-BL-7002 invoice_number
finds SO-BL-3101 shipment SO-BL-3101 shipment_ref
finds 1Z999AA10123456784 shipment SH-NW-9001 tracking_number
# The ISA13 dropgate sent PO 2001-NW with, as stored and without its zeros.
isa=$(q "SELECT interchange_control FROM supplier_pos WHERE po_number = '2001-NW'")
[ -n "$isa" ] || fail "PO 2001-NW has no ISA13"
finds "$isa" po 2001-NW isa13
finds "$((10#$isa))" po 2001-NW isa13
# The interchange northwind sent with an 856 and an 810: ISA13 000004801; GS06 4901 (the 810).
finds 000004801 document shipment:SH-NW-9001 isa13
finds 000004801 document invoice:INV-NW-5001 isa13
finds 4901 document invoice:INV-NW-5001 gs06
finds PO_2001-NW.edi file PO_2001-NW.edi file_name
finds PO_2001-NW.edi outbox PO_2001-NW.edi file_name
# The file northwind's 846 came in: by name and by SHA-256 prefix (any case), archived path shown.
read -r sha name < <(q "SELECT f.sha256 || ' ' || f.name FROM files f JOIN documents d
  ON d.file_id = f.id WHERE d.kind = 'stock' AND d.partner = 'northwind'")
[ -n "$name" ] || fail "no file for northwind's 846"
finds "$name" file "$name" file_name
finds "${sha:0:10}" file "$name" sha256
grep -q "archived: $D/var/archive/${sha:0:2}/$sha" "$out" || fail "no archived path for the 846"
[ -f "$D/var/archive/${sha:0:2}/$sha" ] || fail "the archived path shown does not exist"
finds "$(echo "${sha:0:12}" | tr a-f A-F)" file "$name" sha256

# A quarantined file is found by its name, with the reason and where it was kept.
printf 'not,an,order\n1,2,3\n' >"$D/drops/shopfront/orders/broken-orders.csv"
# poll --once says so in its exit status (3: cycle done, files quarantined), status counts it.
"$DG_BIN" status "${C[@]}" >"$out" 2>>"$log" || fail "status"
grep -q "^files quarantined: *0$" "$out" || fail "status before: no 'files quarantined: 0'"
set +e
"$DG_BIN" poll --once "${C[@]}" >>"$log" 2>&1; rc=$?
set -e
[ "$rc" -eq 3 ] || fail "poll --once with a quarantined file: exit $rc, want 3"
"$DG_BIN" poll --once "${C[@]}" >>"$log" 2>&1 || fail "poll --once with nothing quarantined: exit $?"
"$DG_BIN" status "${C[@]}" >"$out" 2>>"$log" || fail "status"
grep -q "^files quarantined: *1 " "$out" || fail "status after: no 'files quarantined: 1'"
"$DG_BIN" status --json "${C[@]}" >"$out" 2>>"$log" || fail "status --json"
grep -q '"files_quarantined": *1' "$out" || fail "status --json: no files_quarantined 1"
checks=$((checks + 5))
finds broken-orders.csv pickup orders/broken-orders.csv file_name
grep -q "note: .*not in the file's header.*kept: $D/var/quarantine/" "$out" ||
  fail "the quarantined pickup hit lacks its reason or kept path"

# --json: an array of hits with the same fields.
"$DG_BIN" search INV-BL-7002 --json "${C[@]}" >"$out" 2>>"$log" || fail "search --json"
python3 - "$out" <<'PY' || fail "search --json output"
import json, sys
hits = json.load(open(sys.argv[1]))
assert len(hits) == 1, hits
h = hits[0]
assert (h["kind"], h["key"], h["matched"], h["status"], h["partner"]) == \
    ("invoice", "INV-BL-7002", "invoice_number", "DISCREPANCY", "brightline"), h
PY
checks=$((checks + 1))

# Nothing: exit 1, empty output (text) and [] (JSON); a usage error is 2.
set +e
"$DG_BIN" search NO-SUCH-PO-42 "${C[@]}" >"$out" 2>>"$log"; rc=$?
[ "$rc" -eq 1 ] || fail "unknown number: exit $rc, want 1"
[ ! -s "$out" ] || fail "unknown number printed hits"
"$DG_BIN" search NO-SUCH-PO-42 --json "${C[@]}" >"$out" 2>>"$log"; rc=$?
[ "$rc" -eq 1 ] && [ "$(tr -d ' \n' <"$out")" = "[]" ] || fail "unknown number --json: exit $rc"
# A prefix shorter than 8 hex digits is not taken as a SHA-256.
"$DG_BIN" search "${sha:0:6}" "${C[@]}" >"$out" 2>>"$log"; rc=$?
[ "$rc" -eq 1 ] || fail "a 6-digit SHA prefix matched (exit $rc)"
"$DG_BIN" search "${C[@]}" >"$out" 2>>"$log"; rc=$?
[ "$rc" -eq 2 ] || fail "search without TEXT: exit $rc, want 2"
set -e
checks=$((checks + 4))

# --version: the version in CMakeLists.txt's project().
v=$(sed -n 's/^project(dropgate VERSION \([0-9.]*\).*/\1/p' "$DG_SOURCE_DIR/CMakeLists.txt")
[ -n "$v" ] && [ "$("$DG_BIN" --version)" = "dropgate $v" ] || fail "--version: want dropgate $v"
checks=$((checks + 1))
echo "ok: $checks checks"
