#!/usr/bin/env bash
# Only valid X12 leaves (issue 8): a supplier mapping that writes an invalid 850 (no BEG) holds
# the POs with the validator's message - nothing queued, nothing uploaded - shows them in
# `status` and `report orders` (text, CSV, JSON), logs each hold once, and after the mapping is
# fixed the next cycle renders them again, releases and sends them, valid.
set -euo pipefail
. "$DG_SOURCE_DIR/tests/integration/lib/workdir.sh"
dg_workdir held-po
cp -r "$DG_SOURCE_DIR/samples/demo/drops/." "$W/drops/"
poll() { "$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || fail "poll --once exited $?"; }
out=$tmp/out
MAP=$W/mappings/x12-850-out.yaml
cp "$MAP" "$tmp/good-850.yaml"
grep -q '^  - BEG:' "$MAP" || fail "the shipped 850 mapping has no BEG line to break"
sed -i '/^  - BEG:/d' "$MAP" # an 850 without its mandatory BEG

poll
held=$(q "select count(*) from supplier_pos where supplier='northwind' and hold_reason is not null")
[ "$held" -ge 2 ] || fail "northwind POs held: $held, want all of them (>= 2)"
[ "$(q "select count(*) from supplier_pos where supplier='northwind' and (hold_reason is null or outbox_id is not null)")" -eq 0 ] ||
  fail "a northwind PO was queued from an invalid 850"
[ "$(q "select count(*) from outbox where partner='northwind' and kind='po'")" -eq 0 ] || fail "outbox entry for a held PO"
[ -z "$(ls "$W/drops/northwind/inbound" 2>/dev/null | grep PO_)" ] || fail "a PO was uploaded to northwind: $(ls "$W/drops/northwind/inbound")"
reason=$(q "select hold_reason from supplier_pos where po_number='2001-NW'")
case $reason in *"does not validate"*BEG*) ;; *) fail "hold reason lacks the validator's message: $reason" ;; esac
case $reason in *"document 1 2001-NW"*) ;; *) fail "hold reason does not name the PO: $reason" ;; esac
# brightline (CSV) is not affected
[ -n "$(ls "$W/drops/brightline/po/" 2>/dev/null)" ] || fail "brightline's CSV POs were not sent"
grep -q 'po=2001-NW order=2001 outcome=held' "$log" || fail "no held line in the log"

"$DG_BIN" status --config "$CFG" >"$out" 2>&1 || fail "status"
grep -q "^held POs (not sent): *$held " "$out" || { cat "$out"; fail "status: no held count"; }
grep -q "2001-NW.*supplier=northwind.*does not validate" "$out" || { cat "$out"; fail "status: no held PO line"; }
grep -q "HELD=$held" "$out" || { cat "$out"; fail "status: POs by state lack HELD=$held"; }
"$DG_BIN" status --json --config "$CFG" >"$out" 2>&1 || fail "status --json"
grep -q '"HELD": '"$held" "$out" || fail "status --json: no HELD count"
grep -q '"reason": ".*does not validate' "$out" || fail "status --json: no held reason"
"$DG_BIN" report orders --format json --config "$CFG" >"$out" 2>&1 || fail "report orders json"
grep -q '"pos_held": 1' "$out" || fail "report orders json: no pos_held"
grep -q '"held": "2001-NW: .*does not validate' "$out" || fail "report orders json: no held reason"
"$DG_BIN" report orders --config "$CFG" >"$out" 2>&1 || fail "report orders csv"
head -1 "$out" | grep -q ',pos_held,held,amendments,amended,reasons$' || fail "report orders csv: header"
grep -q '^shopfront,2001,.*,1,"\?2001-NW: .*does not validate' "$out" || { cat "$out"; fail "report orders csv: held row"; }

# Same reason next cycle: still held, logged once.
poll
[ "$(grep -c 'po=2001-NW order=2001 outcome=held' "$log")" -eq 1 ] || fail "hold logged more than once"
[ -z "$(ls "$W/drops/northwind/inbound" 2>/dev/null | grep PO_)" ] || fail "a held PO was uploaded on the second cycle"

# The operator fixes the mapping: the next cycle releases and sends them, valid.
cp "$tmp/good-850.yaml" "$MAP"
poll
[ "$(q "select count(*) from supplier_pos where hold_reason is not null")" -eq 0 ] || fail "POs still held after the fix"
grep -q 'po=2001-NW outcome=released' "$log" || fail "no released line in the log"
n=0
for f in "$W/drops/northwind/inbound/"PO_*.edi; do
  [ -f "$f" ] || fail "no PO sent to northwind after the fix"
  n=$((n + 1))
  DG_EDI_DIR="$W/edi" "$DG_BIN" validate "$f" >"$out" 2>&1 || { cat "$out"; fail "$f does not validate"; }
done
[ "$n" -eq "$held" ] || fail "$n POs sent after the fix, $held were held"
"$DG_BIN" status --config "$CFG" >"$out" 2>&1 || fail "status"
grep -q "^held POs (not sent): *0" "$out" || fail "status still shows held POs"

# The same for a storefront's tracking files: an X12 856 mapping without BSN holds them.
sed '/^  - BSN:/d' "$W/mappings/x12-856-out.yaml" >"$W/mappings/bad-856-out.yaml"
SF=$W/etc/partners/shopfront.yaml
sed -i 's|tracking_mapping: .*|tracking_mapping: mappings/bad-856-out.yaml|' "$SF"
cp -r "$DG_SOURCE_DIR/samples/demo/responses/." "$W/drops/"
poll
theld=$(q "select count(*) from notifications where hold_reason is not null")
[ "$theld" -ge 1 ] || fail "no tracking file held: $(q "select state||' '||coalesce(hold_reason,'') from notifications")"
[ "$(q "select count(*) from notifications where state <> 'PENDING'")" -eq 0 ] || fail "a tracking file was queued from an invalid 856"
[ -z "$(ls "$W/drops/shopfront/tracking" 2>/dev/null | grep "^TRACKING_")" ] || fail "tracking uploaded: $(ls "$W/drops/shopfront/tracking")"
case $(q "select hold_reason from notifications limit 1") in *"does not validate"*BSN*) ;; *) fail "tracking hold reason" ;; esac
grep -q 'outcome=held kind=tracking' "$log" || fail "no held tracking line in the log"
"$DG_BIN" status --config "$CFG" >"$out" 2>&1 || fail "status"
grep -q "^held tracking files: *$theld\$" "$out" || { cat "$out"; fail "status: no held tracking count"; }
grep -q "storefront=shopfront.*does not validate" "$out" || { cat "$out"; fail "status: no held tracking line"; }
"$DG_BIN" status --json --config "$CFG" >"$out" 2>&1 || fail "status --json"
grep -q '"held_tracking"' "$out" || fail "status --json: no held_tracking"
sed -i 's|tracking_mapping: .*|tracking_mapping: mappings/x12-856-out.yaml|' "$SF"
poll
[ "$(q "select count(*) from notifications where hold_reason is not null")" -eq 0 ] || fail "tracking still held after the fix"
grep -q 'outcome=released kind=tracking' "$log" || fail "no released tracking line in the log"
n=0
for f in "$W/drops/shopfront/tracking/"*.edi; do
  [ -f "$f" ] || fail "no tracking file sent after the fix"
  n=$((n + 1))
  DG_EDI_DIR="$W/edi" "$DG_BIN" validate "$f" >"$out" 2>&1 || { cat "$out"; fail "$f does not validate"; }
done
[ "$n" -ge "$theld" ] || fail "$n tracking files sent after the fix, $theld were held"
echo "ok: invalid 850 and 856 held with the validator's message (status, report), logged once, released after the fix"
