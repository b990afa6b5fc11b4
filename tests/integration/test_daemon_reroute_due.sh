#!/usr/bin/env bash
# `dropgate run` re-routes what falls due while it runs, as `poll --once` does: a line
# northwind backordered with a promised date inside reroute.backorder_after waits at northwind;
# once that date has passed (the process clock set with DG_TEST_NOW) the daemon's loop offers
# it to brightline on a new PO, which arrives in brightline's drop. (The daemon's loop once
# polled and sent but never re-routed: a backorder whose date passed stayed at its supplier.)
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir daemon-reroute
cp "$DG_SOURCE_DIR"/samples/demo/drops/shopfront/orders/*.csv "$W/drops/shopfront/orders/"
cp -r "$DG_SOURCE_DIR"/samples/demo/drops/brightline/feeds/. "$W/drops/brightline/feeds/"
cp -r "$DG_SOURCE_DIR"/samples/demo/drops/northwind/outbound/. "$W/drops/northwind/outbound/"
day=86400
t0=$(date -u -d 2026-12-05T12:00:00Z +%s)
export DG_TEST_NOW=$t0
"$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || fail "first poll exited $?"
[ "$(q "select count(*) from supplier_pos where po_number = '2001-NW'")" = 1 ] || fail "no PO 2001-NW"

# northwind backorders 2001-NW's mugs until 2026-12-08: three days, inside the seven of
# reroute.backorder_after, so the line waits for northwind
{
  printf 'ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *261205*1200*U*00401*000071001*0*P*>~\n'
  printf 'GS*PR*NORTHWIND*DROPGATE*20261205*1200*71001*X*004010~\nST*855*0001~\n'
  printf 'BAK*00*AC*2001-NW*20261205~\nPO1*1*2*EA*4.10**VP*NW-1001~\nACK*IB*2*EA*068*20261208~\nCTT*1~\n'
  printf 'SE*6*0001~\nGE*1*71001~\nIEA*1*000071001~\n'
} >"$W/drops/northwind/outbound/.ack.tmp"
mv "$W/drops/northwind/outbound/.ack.tmp" "$W/drops/northwind/outbound/NW_ACK_2001.x12"
"$DG_BIN" poll --once --no-wait --partner northwind --config "$CFG" >>"$log" 2>&1 || fail "855 poll exited $?"
checks=$((checks + 1))
[ "$(q "select count(*) from order_lines l join supplier_pos p on p.id = l.po_id where p.po_number = '2001-NW' and l.supplier_status = 'BACKORDERED'")" = 1 ] ||
  fail "2001-NW's line is not BACKORDERED: $(q "select * from order_lines l join supplier_pos p on p.id = l.po_id where p.po_number = '2001-NW'")"
checks=$((checks + 1))
[ "$(q "select count(*) from supplier_pos where po_number like '2001-%' and supplier = 'brightline'")" = 0 ] ||
  fail "re-routed before the promised date"

# the daemon, two days after the promised date: the line moves to brightline by itself
export DG_TEST_NOW=$((t0 + 5 * day))
"$DG_BIN" run --config "$CFG" --every 1 >>"$log" 2>&1 &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$tmp"' EXIT
bl=$W/drops/brightline/po
for _ in $(seq 1 400); do
  [ -n "$(ls "$bl" 2>/dev/null | grep '2001')" ] && break
  kill -0 "$pid" 2>/dev/null || fail "the daemon died"
  sleep 0.05
done
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || fail "daemon exited $rc"
checks=$((checks + 1))
[ "$(ls "$bl" 2>/dev/null | grep -c '2001')" = 1 ] || fail "no PO for 2001 arrived at brightline within 20 s: $(ls "$bl")"
checks=$((checks + 1))
new=$(q "select po_number from supplier_pos where rerouted_from = (select id from supplier_pos where po_number = '2001-NW')")
[ -n "$new" ] && [ "$(q "select supplier from supplier_pos where po_number = '$new'")" = brightline ] ||
  fail "the new PO is not recorded as re-routed from 2001-NW: '$new'"
checks=$((checks + 1))
grep -q "outcome=rerouted lines=1" "$log" || fail "the daemon did not log the re-routing"
echo "ok: $checks checks (daemon re-routed 2001-NW's backorder to $new)"
