#!/usr/bin/env bash
# Reprocess after a mapping fix (issue 12): a storefront export quarantined because of a broken
# mapping (a misspelt column) is run again with `dropgate reprocess --quarantined` once the
# mapping is fixed: its orders are placed once, its POs created once; a second reprocess applies
# nothing; each run is a child row of the file (lineage) with who and why; status counts follow.
set -euo pipefail
. "$DG_SOURCE_DIR/tests/integration/lib/workdir.sh"
command -v jq >/dev/null || { echo "SKIP: jq not installed (scripts/install-deps.sh installs it)"; exit 0; }
dg_workdir ops-reprocess
cp -r "$DG_SOURCE_DIR/samples/demo/drops/." "$W/drops/"
MAP=$W/mappings/storefront-orders-csv-in.yaml
cp "$MAP" "$tmp/good.yaml"
grep -q '^    source: Created at$' "$MAP" || fail "test setup: no 'Created at' source to break"
sed -i 's/^    source: Created at$/    source: Created At Typo/' "$MAP"
poll() { "$DG_BIN" poll --once --no-wait --config "$CFG" "$@" >>"$log" 2>&1 || true; }
poll --partner northwind
poll --partner brightline
rc=0
"$DG_BIN" poll --once --no-wait --partner shopfront --config "$CFG" >>"$log" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "poll of the broken export exited $rc, want 3 (quarantined)"
[ "$(q "select count(*) from orders")" = 0 ] || fail "orders placed from a quarantined file"
fid=$(q "select file_id from pickups where state='QUARANTINED' and partner='shopfront'")
[ -n "$fid" ] || fail "no quarantined shopfront file"
"$DG_BIN" status --config "$CFG" 2>>"$log" | grep -q '^files quarantined: *1' || fail "status: quarantined count"

# Still broken: reprocess leaves it quarantined, exit 1, nothing applied.
rc=0
out=$("$DG_BIN" reprocess "$fid" --config "$CFG" --json 2>>"$log") || rc=$?
[ "$rc" -eq 1 ] || fail "reprocess of a still broken file exited $rc, want 1: $out"
[ "$(jq -r '.state + " " + (.rejected|tostring)' <<<"$out")" = "QUARANTINED 1" ] || fail "still broken: $out"
case $(jq -r .note <<<"$out") in *"Created At Typo"*) ;; *) fail "reason does not name the column: $out" ;; esac

# The operator fixes the mapping: reprocess applies the file once.
cp "$tmp/good.yaml" "$MAP"
out=$("$DG_BIN" reprocess --quarantined --partner shopfront --reason "fixed Created at" --by ops1 --json \
  --config "$CFG" 2>>"$log") || fail "reprocess --quarantined exited $?: $out"
[ "$(jq -r 'length' <<<"$out")" = 1 ] || fail "reprocess --quarantined ran $(jq length <<<"$out") files: $out"
[ "$(jq -r '.[0] | "\(.file_id) \(.state) \(.applied_now) \(.applied_before) \(.rejected)"' <<<"$out")" = "$fid DONE 5 0 0" ] ||
  fail "first reprocess: $out"
orders=$(q "select count(*) from orders")
pos=$(q "select count(*) from supplier_pos")
[ "$orders" = 5 ] || fail "orders after the reprocess: $orders, want 5"
[ "$pos" -ge 3 ] || fail "POs after the reprocess: $pos"
[ "$(q "select state from pickups where file_id=$fid")" = DONE ] || fail "pickup state"
"$DG_BIN" status --config "$CFG" 2>>"$log" | grep -q '^files quarantined: *0' || fail "status still counts it"

# Again: nothing applied twice.
out=$("$DG_BIN" reprocess "$fid" --config "$CFG" 2>>"$log") || fail "second reprocess exited $?"
case $out in *"5 document(s): 0 applied now, 5 applied before, 0 still rejected; state DONE"*) ;; *) fail "second reprocess said: $out" ;; esac
[ "$(q "select count(*) from orders")" = "$orders" ] || fail "orders placed twice"
[ "$(q "select count(*) from supplier_pos")" = "$pos" ] || fail "POs created twice"
[ "$(q "select count(*) from order_lines")" = "$(q "select count(*) from order_lines")" ]
out=$("$DG_BIN" reprocess --quarantined --config "$CFG" 2>>"$log") || fail "reprocess --quarantined with none"
[ "$out" = "no quarantined file to reprocess" ] || fail "nothing quarantined: $out"
# The POs go out once: the next poll sends them.
poll
[ "$(ls "$W/drops/northwind/inbound" | grep -c '^PO_')" -ge 1 ] || fail "no PO sent after the reprocess"

# Lineage: three runs, children of the file, with states and counts; who and why.
lineage=$(q "select state_before||'>'||state_after||':'||applied||'/'||already from reprocesses where parent_file_id=$fid order by id" | tr '\n' ' ')
[ "$lineage" = "QUARANTINED>QUARANTINED:0/0 QUARANTINED>DONE:5/0 DONE>DONE:0/5 " ] || fail "lineage: $lineage"
[ "$(q "select actor||'|'||reason from operator_actions where action='reprocess' and target='$fid' order by id limit 1 offset 1")" = "ops1|fixed Created at" ] ||
  fail "operator action not recorded"
set +e
"$DG_BIN" reprocess 99999 --config "$CFG" >>"$log" 2>&1; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "unknown file id exited $rc"
echo "ok: quarantined by a broken mapping, reprocessed once after the fix, then nothing"
