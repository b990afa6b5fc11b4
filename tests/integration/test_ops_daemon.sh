#!/usr/bin/env bash
# The daemon as a service (issue 12), on a real running `dropgate run`:
# - SIGHUP with a broken partner file: refused and logged, the running configuration kept;
# - SIGHUP after changing a partner's schedule (1h -> 1s): the new schedule takes effect (a
#   file waiting in its drop is taken within seconds) and no file is lost;
# - `poll --once` while the daemon runs is asked of the daemon (not refused) and reports the
#   cycle's summary and exit status;
# - SIGTERM still ends it cleanly.
set -euo pipefail
. "$DG_SOURCE_DIR/tests/integration/lib/workdir.sh"
dg_workdir ops-daemon
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
cp -r "$DG_SOURCE_DIR/samples/demo/drops/." "$W/drops/"
for f in "$W"/etc/partners/*.yaml; do sed -i 's/^schedule: {every: .*}/schedule: {every: 1h}/' "$f"; done
[ "$(grep -c '^schedule: {every: 1h}' "$W"/etc/partners/*.yaml | grep -c ':1')" -eq 3 ] || fail "test setup: schedules"
SF=$W/etc/partners/shopfront.yaml
wait_for() { # wait_for PATTERN SECONDS
  for _ in $(seq 1 $(($2 * 20))); do grep -q -- "$1" "$log" 2>/dev/null && return 0; sleep 0.05; done
  fail "waited $2 s for '$1'"
}
"$DG_BIN" run --config "$CFG" >>"$log" 2>&1 &
pid=$!
wait_for "partner=shopfront file=orders/orders-20261120.csv outcome=processed" 30
wait_for "outcome=queued kind=po" 30

# A second order file arrives; with an hourly schedule nobody takes it.
ORD=$W/drops/shopfront/orders
sed 's/^#20/#30/' "$DG_SOURCE_DIR/samples/demo/drops/shopfront/orders/orders-20261120.csv" >"$ORD/.second.tmp"
mv "$ORD/.second.tmp" "$ORD/second.csv"
sleep 2
[ -f "$ORD/second.csv" ] || fail "second.csv was taken before the schedule changed"

# A broken partner file: the reload is refused, logged, and the daemon goes on.
cp "$SF" "$tmp/shopfront.good"
sed -i 's/^schedule: {every: 1h}/schedule: {every: soon}/' "$SF"
kill -HUP "$pid"
wait_for "outcome=reload-refused" 20
grep "outcome=reload-refused" "$log" | grep -q "shopfront.yaml:[0-9]*:.*duration" || fail "the refusal does not name the file, line and problem"
kill -0 "$pid" || fail "the daemon died on a bad configuration"
[ -f "$ORD/second.csv" ] || fail "the refused configuration was applied"

# The schedule changed to every second: after SIGHUP the waiting file is taken.
sed 's/^schedule: {every: 1h}/schedule: {every: 1s}/' "$tmp/shopfront.good" >"$SF"
kill -HUP "$pid"
wait_for "outcome=reloaded" 20
wait_for "partner=shopfront file=orders/second.csv outcome=processed" 30
[ "$(grep -c 'outcome=reloaded' "$log")" -eq 1 ] || fail "reloaded more than once"

# poll --once while the daemon runs: asked of the daemon, which answers with the summary.
cp "$DG_SOURCE_DIR/samples/demo/responses/northwind/outbound/NW_0002.x12" "$W/drops/northwind/outbound/"
rc=0
"$DG_BIN" poll --once --partner northwind --config "$CFG" >"$tmp/poll.out" 2>"$tmp/poll.err" || rc=$?
[ "$rc" -eq 0 ] || fail "poll --once beside the daemon exited $rc: $(cat "$tmp/poll.out" "$tmp/poll.err")"
grep -q '^poll: 1 file(s) taken: 1 processed.* (run by the daemon, pid '"$pid"')' "$tmp/poll.out" ||
  fail "poll --once output: $(cat "$tmp/poll.out" "$tmp/poll.err")"
grep -q "outcome=poll-request request=poll-.* partner=northwind exit=0" "$log" || fail "the daemon did not log the request"
[ ! -e "$W/drops/northwind/outbound/NW_0002.x12" ] || fail "the requested poll did not take the file"
rc=0
"$DG_BIN" poll --once --partner nobody --config "$CFG" >"$tmp/poll.out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "poll --partner nobody exited $rc"
[ -z "$(ls "$W/var/requests" 2>/dev/null)" ] || fail "requests left behind: $(ls "$W/var/requests")"

# reprocess while the daemon runs: the daemon runs it (a file quarantined by a broken mapping,
# fixed since) and answers with the command's output and exit status.
MAP=$W/mappings/storefront-orders-csv-in.yaml
cp "$MAP" "$tmp/map.good"
sed -i 's/^    source: Created at$/    source: Created At Typo/' "$MAP"
sed 's/^#20/#40/' "$DG_SOURCE_DIR/samples/demo/drops/shopfront/orders/orders-20261120.csv" >"$ORD/.third.tmp"
mv "$ORD/.third.tmp" "$ORD/third.csv"
kill -HUP "$pid" # the mapping is loaded again with the configuration
wait_for "partner=shopfront file=orders/third.csv outcome=quarantined" 30
cp "$tmp/map.good" "$MAP"
fid=$(q "select file_id from pickups where path='orders/third.csv' and state='QUARANTINED'")
[ -n "$fid" ] || fail "third.csv not quarantined"
rc=0
"$DG_BIN" reprocess --quarantined --json --reason "mapping fixed" --config "$CFG" >"$tmp/rp.out" 2>"$tmp/rp.err" || rc=$?
[ "$rc" -eq 1 ] || fail "reprocess beside the daemon before its reload exited $rc, want 1 (the daemon still has the broken mapping): $(cat "$tmp/rp.out" "$tmp/rp.err")"
kill -HUP "$pid"
# the third reload (the first two matched earlier lines): a slow machine must not go on before it
for _ in $(seq 1 600); do [ "$(grep -c 'outcome=reloaded' "$log")" -ge 3 ] && break; sleep 0.05; done
[ "$(grep -c 'outcome=reloaded' "$log")" -ge 3 ] || fail "waited 30 s for the third reload"
rc=0
"$DG_BIN" reprocess "$fid" --json --reason "mapping fixed" --config "$CFG" >"$tmp/rp.out" 2>"$tmp/rp.err" || rc=$?
[ "$rc" -eq 0 ] || fail "reprocess beside the daemon exited $rc: $(cat "$tmp/rp.out" "$tmp/rp.err")"
grep -q '"applied_now": 5' "$tmp/rp.out" || fail "reprocess answer: $(cat "$tmp/rp.out")"
grep -q "outcome=reprocess-request request=reprocess-.* exit=0" "$log" || fail "the daemon did not log the reprocess"
[ "$(q "select count(*) from orders")" = 15 ] || fail "orders after the reprocess: $(q "select count(*) from orders")"

# No file lost: everything dropped was recorded once and left its drop.
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || fail "daemon exited $rc after SIGTERM"
for f in orders/orders-20261120.csv orders/second.csv orders/third.csv; do
  [ "$(q "select count(*) from pickups where partner='shopfront' and path='$f' and state='DONE'")" = 1 ] || fail "$f not recorded once"
done
[ "$(q "select count(*) from orders")" = 15 ] || fail "orders: $(q "select count(*) from orders"), want 15"
[ -z "$(ls "$ORD" | grep -v '^processed$')" ] || fail "left in the drop: $(ls "$ORD")"
echo "ok: reload refused then applied, schedule change took effect, poll request served"
