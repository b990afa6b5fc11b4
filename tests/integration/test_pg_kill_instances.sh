#!/usr/bin/env bash
# Issue 13, the multi-instance kill test: three `dropgate run` processes on one PostgreSQL store
# (each its own state folder, one shared archive folder), orders arriving over a local drop
# (shopfront) and an SFTP drop (webshop, on a real sshd), POs leaving to a local supplier
# (northwind) and an SFTP one (brightline). Random instances are killed with SIGKILL while the
# orders keep coming; every third victim stays dead until the others took its leases over, the
# rest are restarted at once (a restart gives its predecessor's leases back). The suppliers
# consume their inbound folders, so a second delivery is counted where it arrives. Asserts:
#   - kills: at least DG_MULTI_KILLS (default 30);
#   - nothing lost: every order file recorded DONE, archived by its SHA-256, gone from its drop;
#     every order placed, every outbox entry SENT and arrived;
#   - nothing twice: every order placed once, one outbox row per PO; a file arrives more than
#     once only as the file in flight at a kill (same name, same bytes), at most once per such kill;
#   - every lease taken over: each lease a killed instance held (and did not give back) is taken
#     by another instance ("lease-taken-over from=<victim>"), and in the end every work lease is
#     held by a live instance;
#   - no leftovers: nothing in any instance's spool, no temporary names at the partners.
# The CI run is short (DG_MULTI_ORDERS=300, 30 kills, 800 ms leases); the full run of the issue:
#   DG_MULTI_ORDERS=5000 DG_MULTI_KILLS=30 ctest -R pg_kill_instances  (see bench/README.md)
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
state=${DG_TEST_PG:?run by ctest with the pg fixture (DG_TEST_PG)}
sock=$(cat "$state")
case $sock in SKIP:*) echo "$sock"; exit 77 ;; esac
: "${DG_TEST_SERVE_SSHD:?set DG_TEST_SERVE_SSHD to the dg_test_serve_sshd binary}"
KILLS=${DG_MULTI_KILLS:-30}
ORDERS=${DG_MULTI_ORDERS:-300}
dg_workdir pg-kill
db=dgt_kill_$$
psql() { command psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -U dgtest "$@"; }
psql -d postgres -c "CREATE DATABASE $db" || fail "cannot create database $db"
pids=("" "" "")
cleanup() {
  touch "$tmp/stop"
  for p in "${pids[@]}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  kill -9 $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  psql -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
pq() { psql -d "$db" -At -c "$1"; }
NOW_MS="(extract(epoch from clock_timestamp()) * 1000)::bigint"

"$DG_TEST_SERVE_SSHD" "$tmp/sshd.env" &
for _ in $(seq 1 200); do [ -f "$tmp/sshd.env" ] && break; sleep 0.05; done
[ -f "$tmp/sshd.env" ] || fail "sshd helper did not start"
. "$tmp/sshd.env"
if [ -n "${DG_SSHD_SKIP:-}" ]; then echo "SKIP: sshd: $DG_SSHD_SKIP"; exit 0; fi

# The partners: shopfront and northwind local, webshop (a second storefront) and brightline
# over SFTP. brightline's stock feed is large, so most orders become POs.
rm -rf "$W/drops" && cp -r "$DG_SOURCE_DIR/samples/demo/drops" "$W/drops"
feed=$W/drops/brightline/feeds/inventory-20261120.csv
awk -F, 'BEGIN { OFS = "," } NR > 1 { $5 = 1000000 } { print }' "$feed" >"$feed.new" && mv "$feed.new" "$feed"
BL=$DG_SSHD_ROOT/brightline WS=$DG_SSHD_ROOT/webshop
mv "$W/drops/brightline" "$BL"
mkdir -p "$WS/orders" "$WS/tracking" "$WS/status"
sftp_transport() { # the partner file's transport: block, over the harness's sshd at root $2
  sed -i '/^transport:/,/^  root:/d' "$1"
  sed -i "s|^schedule:|transport:\n  kind: sftp\n  host: 127.0.0.1\n  port: $DG_SSHD_PORT\n  user: $DG_SSHD_USER\n  key_file: $DG_SSHD_KEY\n  known_hosts: $DG_SSHD_KNOWN_HOSTS\n  root: $2\n  timeout: 10s\n  retries: 1\nschedule:|" "$1"
  grep -q 'kind: sftp' "$1" || fail "$1 is not an SFTP partner"
}
sftp_transport "$W/etc/partners/brightline.yaml" "$BL"
sed 's/^name: shopfront/name: webshop/' "$W/etc/partners/shopfront.yaml" >"$W/etc/partners/webshop.yaml"
sftp_transport "$W/etc/partners/webshop.yaml" "$WS"
out_folder() { awk '/^outbound:/{o=1} o && /^  folder:/{print $2; exit}' "$W/etc/partners/$1.yaml"; }
DEST=("$W/drops/northwind/$(out_folder northwind)" "$BL/$(out_folder brightline)")
mkdir -p "${DEST[@]}"
chown -R "$DG_SSHD_USER" "$BL" "$WS" 2>/dev/null || true
{
  echo "store: \"postgresql:///$db?host=$sock&user=dgtest\""
  echo "archive_dir: $tmp/archive" # shared; each instance has its own var/
} >>"$CFG"
# Three instances: their own work folders, the same configuration and local drops.
WD=("$W" "$tmp/work2" "$tmp/work3")
for k in 1 2; do
  mkdir -p "${WD[$k]}"
  cp -r "$W/etc" "$W/mappings" "$W/edi" "${WD[$k]}/"
  ln -s "$W/drops" "${WD[$k]}/drops"
done
export DG_LEASE_MS=${DG_LEASE_MS:-800} DG_LOG_LEVEL=debug
mkdir -p "$tmp/logs" "$tmp/consumed"
log=$tmp/all.log
: >"$log"

# The suppliers consume what arrives: one line per delivery (folder name sha256).
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
        mv "$f" "$tmp/consumed/$1.$k" 2>/dev/null || continue
        echo "$d $n $(sha256sum "$tmp/consumed/$1.$k" | cut -c1-64)" >>"$tmp/deliveries"
        rm -f "$tmp/consumed/$1.$k"
      done
    done
    [ "${1:-}" = once ] && break
    sleep 0.05
  done
}
consumer loop &
consumer_pid=$!

# Order batches, alternately into the local and the SFTP drop, each written by rename.
hdr='Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Company,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes'
batch=$(((ORDERS + KILLS - 1) / KILLS))
generated=0 nb=0
inputs=() # partner|relative path|sha256
gen_batch() {
  local n=$((ORDERS - generated)) p root k num f
  (( n > batch )) && n=$batch
  (( n > 0 )) || return 0
  nb=$((nb + 1))
  if (( nb % 2 )); then p=shopfront root=$W/drops/shopfront; else p=webshop root=$WS; fi
  f=orders/b-$nb.csv
  {
    echo "$hdr"
    for k in $(seq 1 "$n"); do
      num=$((100000 + generated + k))
      echo "#$num,c$num@example.com,paid,USD,20.00,0,0,20.00,Standard,2026-11-21 10:00:00 -0500,1,Mug,14.99,SF-1001,Cust $num,,$k Main St,,Austin,78701,TX,US,,"
      if (( num % 3 == 0 )); then
        echo "#$num,,,,,,,,,2026-11-21 10:00:00 -0500,1,Frother,29.99,SF-1007,,,,,,,,,,"
      fi
    done
  } >"$root/orders/.b-$nb.tmp"
  inputs+=("$p|$f|$(sha256sum "$root/orders/.b-$nb.tmp" | cut -c1-64)")
  chown "$DG_SSHD_USER" "$root/orders/.b-$nb.tmp" 2>/dev/null || true
  mv "$root/orders/.b-$nb.tmp" "$root/$f"
  generated=$((generated + n))
}
for p in shopfront northwind; do
  while read -r f; do inputs+=("$p|${f#"$W/drops/$p/"}|$(sha256sum "$f" | cut -c1-64)"); done \
    < <(find "$W/drops/$p" -type f)
done
while read -r f; do inputs+=("brightline|${f#"$BL/"}|$(sha256sum "$f" | cut -c1-64)"); done < <(find "$BL" -type f)
demo_orders=$(tail -n +2 "$DG_SOURCE_DIR"/samples/demo/drops/shopfront/orders/*.csv | cut -d, -f1 | sort -u | grep -c '^#')

ids=("" "" "")
logs=("" "" "")
start() { # start K: instance K runs, its log in logs/K.N (its id read when needed)
  local k=$1 n
  n=$(ls "$tmp/logs" | grep -c "^$k\." || true)
  logs[$k]=$tmp/logs/$k.$n
  : >"${logs[$k]}"
  "$DG_BIN" run --config "${WD[$k]}/etc/dropgate.yaml" --every 1 >"${logs[$k]}" 2>&1 &
  pids[$k]=$!
  ids[$k]=
}
instance_id() { # instance_id K: sets ids[K] from its start line (waits for it)
  local k=$1
  for _ in $(seq 1 300); do
    ids[$k]=$(sed -n 's/.*outcome=started .* instance=\([^ ]*\).*/\1/p' "${logs[$k]}")
    [ -n "${ids[$k]}" ] && return 0
    sleep 0.02
  done
  fail "instance $k did not start: $(tail -n 3 "${logs[$k]}")"
}
start 0
start 1
start 2

t_start=$SECONDS
kills=0 waited=0 taken_expected=0
: >"$tmp/inflight-kills" # the file whose upload a kill interrupted
: >"$tmp/victims"        # victim-id lease-name (leases a victim held when killed)
for i in $(seq 1 "$KILLS"); do
  gen_batch
  sleep "0.$(printf '%03d' $((RANDOM % 250 + 100)))"
  v=$((RANDOM % 3))
  instance_id "$v"
  vid=${ids[$v]}
  held=$(pq "select name from leases where holder = '$vid' and name not like 'instance:%' and expires_at > $NOW_MS" 2>/dev/null || true)
  kill -9 "${pids[$v]}" 2>/dev/null && kills=$((kills + 1))
  wait "${pids[$v]}" 2>/dev/null || true
  ilog=${logs[$v]}
  inflight=$({ grep -E 'outcome=(uploading|sent) ' "$ilog" || true; } | tail -n 1 | sed -n 's/.* file=\([^ ]*\) outcome=uploading .*/\1/p')
  [ -z "$inflight" ] || echo "$inflight" >>"$tmp/inflight-kills"
  for name in $held; do echo "$vid $name" >>"$tmp/victims"; done
  if (( i % 3 == 0 )) && [ -n "$held" ]; then
    # This one stays dead until the others took every lease it held.
    waited=$((waited + 1))
    for name in $held; do
      ok=
      for _ in $(seq 1 100); do
        h=$(pq "select holder from leases where name = '$name'")
        if [ "$h" != "$vid" ]; then ok=1; break; fi
        sleep 0.05
      done
      [ -n "$ok" ] || fail "kill $i: lease $name of the dead instance $vid was not taken over"
      taken_expected=$((taken_expected + 1))
    done
  fi
  start "$v"
done
while (( generated < ORDERS )); do gen_batch; done
(( kills >= KILLS )) || fail "only $kills kills landed (need $KILLS)"

t_kills=$((SECONDS - t_start))
# Drain: the three instances finish the work.
expected_orders=$((ORDERS + demo_orders))
deadline=$(($(date +%s) + 60 + ORDERS / 20))
until [ "$(pq "select count(*) from orders")" -eq "$expected_orders" ] &&
  [ "$(pq "select count(*) from outbox where state <> 'SENT'")" -eq 0 ] &&
  [ "$(pq "select count(*) from supplier_pos where status = 'QUEUED'")" -eq 0 ]; do
  (( $(date +%s) < deadline )) || { cat "$tmp"/logs/* >"$log"; fail "not drained: $(pq "select count(*) from orders") of $expected_orders orders, $(pq "select count(*) from outbox where state <> 'SENT'") outbox rows not sent"; }
  sleep 0.2
done
t_drain=$((SECONDS - t_start - t_kills))
# Every lease taken over: in the end each work lease is held by one of the live instances.
for k in 0 1 2; do instance_id "$k"; done
live="'${ids[0]}','${ids[1]}','${ids[2]}'"
nwork=$(pq "select count(*) from leases where name not like 'instance:%'")
for _ in $(seq 1 100); do
  held_live=$(pq "select count(*) from leases where name not like 'instance:%' and holder in ($live) and expires_at > $NOW_MS")
  (( held_live == nwork )) && break
  sleep 0.1
done
(( held_live == nwork )) || fail "$held_live of $nwork work leases held by live instances: $(pq "select name, holder from leases where name not like 'instance:%' and (holder not in ($live) or expires_at <= $NOW_MS)")"
for k in 0 1 2; do kill -TERM "${pids[$k]}" 2>/dev/null || true; done
for k in 0 1 2; do wait "${pids[$k]}" 2>/dev/null || true; done
pids=("" "" "")
touch "$tmp/stop"
wait "$consumer_pid" 2>/dev/null || true
consumer once
cat "$tmp"/logs/* >"$log"
taken=$(grep -c "outcome=lease-taken-over" "$log" || true)
(( taken >= waited )) || fail "$taken takeovers logged for $waited kills waited out ($taken_expected leases)"
while read -r vid name; do # every lease a victim held left it: taken over, or given back by its restart
  grep -q "lease=$name outcome=lease-taken-over from=$vid" "$log" ||
    grep -q "outcome=predecessor-leases-released previous=$vid" "$log" ||
    fail "lease $name of killed instance $vid was neither taken over nor given back"
done <"$tmp/victims"

# 1. Nothing lost on the way in.
for entry in "${inputs[@]}"; do
  IFS='|' read -r p rel sha <<<"$entry"
  n=$(pq "select count(*) from pickups where partner='$p' and path='$rel' and sha256='$sha' and state='DONE'")
  [ "$n" -eq 1 ] || fail "$p/$rel: $n DONE pickups (want 1): $(pq "select state || ' ' || coalesce(reason, '') from pickups where partner='$p' and path='$rel'")"
  [ -f "$tmp/archive/${sha:0:2}/$sha" ] || fail "$p/$rel: not in the shared archive"
  case $p in brightline) root=$BL ;; webshop) root=$WS ;; *) root=$W/drops/$p ;; esac
  [ ! -e "$root/$rel" ] || fail "$p/$rel: still in the drop"
done
[ "$(pq "select count(*) from pickups where state = 'QUARANTINED'")" -eq 0 ] ||
  fail "quarantined: $(pq "select path || ': ' || reason from pickups where state = 'QUARANTINED'")"
# 2. Every order placed once (the numbers are unique per storefront; none missing).
orders=$(pq "select count(*) from orders")
[ "$orders" -eq "$expected_orders" ] || fail "$orders orders, want $expected_orders"
dup=$(pq "select count(*) from (select ref from outbox where kind = 'po' group by ref having count(*) > 1) d")
[ "$dup" -eq 0 ] || fail "$dup POs with more than one outbox row"
pos=$(pq "select count(*) from supplier_pos")
# 3. Everything sent to the suppliers arrived; twice only as a file in flight at a kill.
pq "select partner || '|' || file_name || '|' || content_sha256 from outbox where partner in ('northwind', 'brightline')" >"$tmp/outbox"
verdict=$(awk -v nw="${DEST[0]}" -v bl="${DEST[1]}" '
  FILENAME == ARGV[1] { inflight[$1]++; next }
  FILENAME == ARGV[2] { k = $1 SUBSEP $2; n[k]++; if (!(k in sha)) sha[k] = $3; else if ($3 != sha[k]) bad[k] = 1; next }
  { split($0, f, "|"); k = (f[1] == "northwind" ? nw : bl) SUBSEP f[2]; rows++
    if (!(k in n)) { print "FAIL " f[1] "/" f[2] " never arrived"; failed = 1; exit }
    if (sha[k] != f[3]) { print "FAIL " f[1] "/" f[2] " arrived with other bytes than recorded"; failed = 1; exit }
    if (k in bad) { print "FAIL " f[1] "/" f[2] " arrived again with other bytes"; failed = 1; exit }
    if (n[k] - 1 > inflight[f[2]]) { print "FAIL " f[1] "/" f[2] " arrived " n[k] " times; " inflight[f[2]] + 0 " kill(s) had it in flight"; failed = 1; exit }
    extra += n[k] - 1; seen[k] = 1 }
  END { if (failed) exit
        for (k in n) if (!(k in seen)) { split(k, p, SUBSEP); print "FAIL " p[2] " arrived in " p[1] " but nobody queued it"; exit }
        print "ok", rows, extra + 0 }' "$tmp/inflight-kills" "$tmp/deliveries" "$tmp/outbox")
case $verdict in ok*) ;; *) fail "${verdict#FAIL }" ;; esac
read -r _ rows redelivered <<<"$verdict"
# 4. No leftovers.
spool=$(find "${WD[@]/%//var/spool}" -type f 2>/dev/null | wc -l)
[ "$spool" -eq 0 ] || fail "files left in a spool: $(find "${WD[@]/%//var/spool}" -type f)"
left=$(find "$W/drops/" "$BL" "$WS" \( -name '*.part' -o -name '.*' -o -name '*.tmp.*' \) -type f | wc -l)
[ "$left" -eq 0 ] || fail "temporary files left at partners"
echo "ok: 3 instances, $kills kills ($waited waited out until their leases were taken over, $taken takeovers logged); $orders orders ($ORDERS over a local and an SFTP drop) placed once; $pos POs; $rows files sent to the suppliers, all arrived, $redelivered re-delivered as the file in flight at a kill (same name and bytes; $(grep -c . "$tmp/inflight-kills") kills had one in flight); lease ${DG_LEASE_MS} ms; kills ${t_kills} s, drain ${t_drain} s, checks $((SECONDS - t_start - t_kills - t_drain)) s"
