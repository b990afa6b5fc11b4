#!/usr/bin/env bash
# Issue 13: several gateway instances on one PostgreSQL store share the work through partner
# leases (src/gateway/lease.c, src/store/lease.c). A and B, each with its own state folder
# (spool, outbox files, lock) and one shared archive folder, run together on the same drops
# with short leases (DG_LEASE_MS). The suppliers consume their inbound folders as real ones do
# (each arriving file moved out and logged), so a second delivery is counted where it arrives.
# Asserts:
#   - both run at once (no refusal) and share the work: each holds some of the partner leases;
#   - kill -9 of the instance polling the storefront: the other takes its leases over once they
#     run out (its log names the dead instance) and places the orders dropped after the kill;
#   - the killed instance, restarted, gets its share again;
#   - every order placed once, every PO and 997 delivered once (a second copy only as the file
#     in flight at the kill: same name, same bytes), every outbox entry SENT.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
state=${DG_TEST_PG:?run by ctest with the pg fixture (DG_TEST_PG)}
sock=$(cat "$state")
case $sock in SKIP:*) echo "$sock"; exit 77 ;; esac
dg_workdir pg-instances
db=dgt_instances_$$
psql() { command psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -U dgtest "$@"; }
psql -d postgres -c "CREATE DATABASE $db" || fail "cannot create database $db"
trap 'touch "$tmp/stop"; kill -9 $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; psql -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true; rm -rf "$tmp"' EXIT
pq() { psql -d "$db" -At -c "$1"; }
{
  echo "store: \"postgresql:///$db?host=$sock&user=dgtest\""
  echo "archive_dir: $tmp/archive" # shared by the instances; each has its own var/
} >>"$CFG"
W2=$tmp/work2
cp -r "$W" "$W2"
rm -rf "$W2/drops" "$W/drops"
cp -r "$DG_SOURCE_DIR/samples/demo/drops" "$W/drops"
ln -s "$W/drops" "$W2/drops" # the same partner drops for both
export DG_LEASE_MS=1500 DG_LOG_LEVEL=debug
logA=$tmp/a.log logB=$tmp/b.log logA2=$tmp/a2.log
log=$tmp/all.log

# The suppliers' inbound folders: each arriving file is moved out, one line per delivery.
out_folder() { awk '/^outbound:/{o=1} o && /^  folder:/{print $2; exit}' "$W/etc/partners/$1.yaml"; }
DEST=("$W/drops/northwind/$(out_folder northwind)" "$W/drops/brightline/$(out_folder brightline)")
mkdir -p "${DEST[@]}" "$tmp/consumed"
: >"$tmp/deliveries"
consumer() {
  local k=0 d f n
  while [ ! -f "$tmp/stop" ] || [ "${1:-}" = once ]; do
    for d in "${DEST[@]}"; do
      for f in "$d"/*; do
        [ -f "$f" ] || continue
        n=${f##*/}
        case "$n" in .*|*.part|*.tmp.*) continue ;; esac
        k=$((k + 1))
        mv "$f" "$tmp/consumed/$n.$k.$1" 2>/dev/null || continue
        echo "$n $(sha256sum "$tmp/consumed/$n.$k.$1" | cut -c1-64)" >>"$tmp/deliveries"
      done
    done
    [ "${1:-}" = once ] && break
    sleep 0.05
  done
}
consumer loop &

wait_sql() { # wait_sql SQL WANT SECONDS
  for _ in $(seq 1 $(($3 * 10))); do
    [ "$(pq "$1" 2>/dev/null || echo x)" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
all_logs() { cat "$logA" "$logB" "$logA2" 2>/dev/null >"$log" || true; }

"$DG_BIN" run --config "$CFG" --every 1 >"$logA" 2>&1 &
a=$!
"$DG_BIN" run --config "$W2/etc/dropgate.yaml" --every 1 >"$logB" 2>&1 &
b=$!
: >"$logA2"
wait_sql "select count(*) from orders" 5 30 || { all_logs; fail "the demo's 5 orders were not placed"; }
wait_sql "select count(*) from outbox where state <> 'SENT'" 0 30 ||
  { all_logs; fail "the outbox was not sent: $(pq "select file_name, state from outbox where state <> 'SENT'")"; }
kill -0 "$a" 2>/dev/null && kill -0 "$b" 2>/dev/null || { all_logs; cat "$logB" | grep -v DEBUG | tail -5; fail "an instance exited (both must run at once)"; }
ida=$(sed -n 's/.*outcome=started .* instance=\([^ ]*\).*/\1/p' "$logA")
idb=$(sed -n 's/.*outcome=started .* instance=\([^ ]*\).*/\1/p' "$logB")
[ -n "$ida" ] && [ -n "$idb" ] && [ "$ida" != "$idb" ] || { all_logs; fail "no instance ids in the start lines ($ida, $idb)"; }

# Shared: once both run, each holds part of the 7 work leases (3 partners x poll/send, shared).
work="name not like 'instance:%'"
for _ in $(seq 1 100); do
  na=$(pq "select count(*) from leases where $work and holder = '$ida' and expires_at > 0")
  nb=$(pq "select count(*) from leases where $work and holder = '$idb' and expires_at > 0")
  (( na > 0 && nb > 0 && na + nb >= 6 )) && break
  sleep 0.1
done
(( na > 0 && nb > 0 )) || { all_logs; fail "the work is not shared: A holds $na leases, B $nb"; }
echo "shared: A holds $na leases, B holds $nb"

# kill -9 of the instance polling the storefront, then new orders arrive.
victim_id=$(pq "select holder from leases where name = 'poll:shopfront'")
if [ "$victim_id" = "$ida" ]; then victim=$a survivor_id=$idb; else victim=$b survivor_id=$ida; fi
[ "$victim_id" = "$ida" ] || [ "$victim_id" = "$idb" ] || { all_logs; fail "poll:shopfront is held by '$victim_id'"; }
victim_leases=$(pq "select name from leases where $work and holder = '$victim_id' and expires_at > 0 order by name")
kill -9 "$victim"
wait "$victim" 2>/dev/null || true
killed_at=$(date +%s%N)
hdr='Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Company,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes'
{
  echo "$hdr"
  for n in 41001 41002 41003 41004; do
    echo "#$n,c$n@example.com,paid,USD,20.00,0,0,20.00,Standard,2026-11-21 10:00:00 -0500,1,Mug,14.99,SF-1001,Cust $n,,1 Main St,,Austin,78701,TX,US,,"
  done
} >"$W/drops/shopfront/orders/.late.tmp"
mv "$W/drops/shopfront/orders/.late.tmp" "$W/drops/shopfront/orders/late-orders.csv"
wait_sql "select count(*) from orders" 9 30 || { all_logs; fail "the survivor did not place the orders dropped after the kill"; }
took_ms=$((($(date +%s%N) - killed_at) / 1000000))
wait_sql "select count(*) from outbox where state <> 'SENT'" 0 30 || { all_logs; fail "the survivor did not send the new POs"; }
# Every lease of the dead instance is taken over by the survivor, and it says from whom.
for name in $victim_leases; do
  wait_sql "select holder from leases where name = '$name'" "$survivor_id" 20 ||
    { all_logs; fail "lease $name of the killed instance was not taken over (holder $(pq "select holder from leases where name = '$name'"))"; }
done
all_logs
grep -q "outcome=lease-taken-over from=$victim_id instance=$survivor_id" "$log" ||
  fail "the survivor's log does not name the killed instance's leases it took over"
n_taken=$(grep -c "outcome=lease-taken-over from=$victim_id" "$log" || true)
echo "kill -9: $(echo $victim_leases | wc -w) leases of the dead instance taken over ($n_taken logged), late orders placed ${took_ms} ms after the kill (lease ${DG_LEASE_MS} ms)"

# The killed instance comes back (its state folder: it gives its old leases back at once) and
# gets its share again.
if [ "$victim" = "$a" ]; then vcfg=$CFG; else vcfg=$W2/etc/dropgate.yaml; fi
"$DG_BIN" run --config "$vcfg" --every 1 >"$logA2" 2>&1 &
a2=$!
for _ in $(seq 1 100); do grep -q "outcome=started" "$logA2" && break; sleep 0.1; done
id2=$(sed -n 's/.*outcome=started .* instance=\([^ ]*\).*/\1/p' "$logA2")
wait_sql "select count(*) > 0 from leases where $work and holder = '$id2' and expires_at > 0" t 20 ||
  { all_logs; fail "the restarted instance got no lease back"; }
kill -TERM "$a2" "$a" "$b" 2>/dev/null || true
wait "$a2" 2>/dev/null || true
# A clean stop gives every lease back.
wait_sql "select count(*) from leases where holder = '$id2' and expires_at > 0" 0 10 ||
  fail "the stopped instance kept its leases"
touch "$tmp/stop"
wait 2>/dev/null || true
consumer once
all_logs

# Nothing twice: every order once, every PO and 997 arrived, each name once (or the file in
# flight at the kill, same bytes, once more).
orders=$(pq "select count(*) from orders")
[ "$orders" -eq 9 ] || fail "$orders orders, want 9"
pos=$(pq "select count(*) from supplier_pos")
sent=$(pq "select count(*) from outbox where state = 'SENT'")
total=$(pq "select count(*) from outbox")
[ "$sent" -eq "$total" ] || fail "$sent of $total outbox entries sent"
expected=$(pq "select count(*) from outbox where partner in ('northwind','brightline')")
names=$(cut -d' ' -f1 "$tmp/deliveries" | sort -u | wc -l)
[ "$names" -eq "$expected" ] || fail "$names distinct files arrived at the suppliers, $expected expected: $(cut -d' ' -f1 "$tmp/deliveries" | sort | tr '\n' ' ')"
dups=$(cut -d' ' -f1 "$tmp/deliveries" | sort | uniq -d | wc -l)
other=$(sort -u "$tmp/deliveries" | cut -d' ' -f1 | uniq -d | wc -l)
[ "$other" -eq 0 ] || fail "a file arrived twice with other bytes: $(sort -u "$tmp/deliveries" | cut -d' ' -f1 | uniq -d)"
[ "$dups" -le 1 ] || fail "$dups files arrived twice (at most the one in flight at the kill)"
po_files=$(grep -c '^PO_' "$tmp/deliveries" || true)
[ "$po_files" -ge "$pos" ] || fail "$po_files PO files arrived for $pos POs"
echo "ok: two instances on one PostgreSQL shared the leases; kill -9 of one: its $(echo $victim_leases | wc -w) leases taken over, late orders placed in ${took_ms} ms; $orders orders, $pos POs, $names files delivered once ($dups in flight twice)"
