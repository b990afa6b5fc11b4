#!/usr/bin/env bash
# Crash safety of the gateway daemon, measured where it matters: at the partners.
#
# `dropgate run` on a demo work folder (storefront and northwind on local folders, brightline over
# SFTP to a real sshd; northwind takes up to 3 POs per file, brightline one) is killed with
# SIGKILL at least 100 times while orders and the suppliers'
# answers keep arriving. A third of the kills wait for the daemon's log line of the window
# between an upload's rename and its sent mark ("test-pause point=uploaded", the daemon paused
# there by DG_GW_TEST_PAUSE_AT), a third for the window between a pickup's commit and the remote
# delete/move ("point=recorded"), the rest land at random times. Meanwhile every partner consumes
# its inbound folder as a real one does: each arriving file is moved out and logged with its
# name, SHA-256 and ISA13, so a duplicate delivery is counted where it arrives. Then it asserts:
#   - kills: >= 100 in total, >= 25 inside each of the two windows (from the daemon's own log);
#   - nothing lost: every input file (order batches, demo drops, each supplier answer file) is
#     recorded DONE, archived by its SHA-256 and gone from its drop; every outbox entry arrived;
#   - nothing twice: every order placed once; a file arrives more than once only as the
#     re-delivery of the file in flight at a kill in the upload window, with the same name,
#     bytes and ISA13, at most once per such kill;
#   - re-routing: northwind's 855s turn down the first batches' mugs (rejected, or backordered
#     past reroute.backorder_after) during the kills; each line moves to exactly one new PO at
#     brightline, which arrives there once (again only as a file in flight at a kill);
#   - no leftovers: no temporary upload names at any partner, nothing left in the spool.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir crash
KILLS=${DG_CRASH_KILLS:-105}
: "${DG_TEST_SERVE_SSHD:?set DG_TEST_SERVE_SSHD to the dg_test_serve_sshd binary}"
rm -rf "$W/drops" && cp -r "$DG_SOURCE_DIR/samples/demo/drops" "$W/drops"
mkdir -p "$tmp/logs" "$tmp/consumed" "$tmp/status-seen"
log=$tmp/all.log
: >"$log"
trap 'touch "$tmp/stop"; kill -9 $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT

# brightline is an SFTP partner on a real sshd.
"$DG_TEST_SERVE_SSHD" "$tmp/sshd.env" &
for _ in $(seq 1 200); do [ -f "$tmp/sshd.env" ] && break; sleep 0.05; done
[ -f "$tmp/sshd.env" ] || fail "sshd helper did not start"
. "$tmp/sshd.env"
if [ -n "${DG_SSHD_SKIP:-}" ]; then echo "SKIP: sshd: $DG_SSHD_SKIP"; exit 0; fi
BL=$DG_SSHD_ROOT/brightline
mv "$W/drops/brightline" "$BL"
chown -R "$DG_SSHD_USER" "$BL" 2>/dev/null || true
sed -i '/^transport:/,/^  root:/d' "$W/etc/partners/brightline.yaml"
sed -i "s|^schedule:|transport:\n  kind: sftp\n  host: 127.0.0.1\n  port: $DG_SSHD_PORT\n  user: $DG_SSHD_USER\n  key_file: $DG_SSHD_KEY\n  known_hosts: $DG_SSHD_KNOWN_HOSTS\n  root: $BL\n  timeout: 10s\n  retries: 1\nschedule:|" \
  "$W/etc/partners/brightline.yaml"
grep -q 'kind: sftp' "$W/etc/partners/brightline.yaml" || fail "brightline is not an SFTP partner"
# northwind takes up to 3 POs per interchange (outbound po_per_file), brightline one per file:
# both ways of sending are killed alike.
sed -i 's|^  po_mapping: mappings/x12-850-out.yaml.*|&\n  po_per_file: 3|' "$W/etc/partners/northwind.yaml"
grep -q 'po_per_file: 3' "$W/etc/partners/northwind.yaml" || fail "northwind: po_per_file not set"

# Where each partner receives what we send (its outbound.folder and ack_folder).
out_folder() { awk '/^outbound:/{o=1} o && /^  folder:/{print $2; exit}' "$W/etc/partners/$1.yaml"; }
# The storefront's status feed has its own folder (outbound: status: folder).
status_folder() { awk '/^  status:/{s=1} s && /^    folder:/{print $2; exit}' "$W/etc/partners/$1.yaml"; }
DEST=("$W/drops/northwind/$(out_folder northwind)" "$BL/$(out_folder brightline)"
      "$W/drops/shopfront/$(out_folder shopfront)" "$W/drops/shopfront/$(status_folder shopfront)")
[ "${DEST[3]}" != "$W/drops/shopfront/" ] || fail "shopfront has no status folder"
mkdir -p "${DEST[@]}"
chown "$DG_SSHD_USER" "${DEST[1]}" 2>/dev/null || true

# The consuming partners: move each arriving file out (never a temporary upload name), then hash
# the moved copy; one line per delivery: partner-folder name sha256 isa13.
consumer() {
  local k=0 d f n isa
  while [ ! -f "$tmp/stop" ] || [ "${1:-}" = once ]; do
    for d in "${DEST[@]}"; do
      for f in "$d"/*; do
        [ -f "$f" ] || continue
        n=${f##*/}
        case "$n" in .*|*.part|*.tmp.*) continue ;; esac
        k=$((k + 1))
        mv "$f" "$tmp/consumed/$k" 2>/dev/null || continue
        isa=$(head -c 106 "$tmp/consumed/$k" | awk -F'*' '/^ISA/{print $14}')
        echo "$d $n $(sha256sum "$tmp/consumed/$k" | cut -c1-64) ${isa:--}" >>"$tmp/deliveries"
        # the storefront's status files, kept by name (a re-delivery has the same bytes)
        if [ "$d" = "${DEST[3]}" ] && [ ! -e "$tmp/status-seen/$n" ]; then cp "$tmp/consumed/$k" "$tmp/status-seen/$n"; fi
      done
    done
    [ "${1:-}" = once ] && break
    sleep 0.03
  done
}
: >"$tmp/deliveries"
consumer &
consumer_pid=$!

hdr='Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Company,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes'
generated=0
inputs=() # every input file: "partner|relative path|sha256"
# A batch file of 5 orders; half of them split across both suppliers. Written by rename.
gen_batch() {
  local b=$1 rel="orders/x-batch-$1.csv" tmpf="$W/drops/shopfront/orders/.batch-$1.tmp"
  {
    echo "$hdr"
    for k in 1 2 3 4 5; do
      n=$((30000 + b * 10 + k))
      echo "#$n,c$n@example.com,paid,USD,20.00,0,0,20.00,Standard,2026-11-21 10:00:00 -0500,1,Mug,14.99,SF-1001,Cust $n,,$k Main St,,Austin,78701,TX,US,,"
      if (( k % 2 == 0 )); then
        echo "#$n,,,,,,,,,2026-11-21 10:00:00 -0500,1,Frother,29.99,SF-1007,,,,,,,,,,"
      fi
    done
  } >"$tmpf"
  inputs+=("shopfront|$rel|$(sha256sum "$tmpf" | cut -c1-64)")
  mv "$tmpf" "$W/drops/shopfront/$rel"
  generated=$((generated + 5))
}
for p in shopfront northwind; do
  while read -r f; do inputs+=("$p|${f#"$W/drops/$p/"}|$(sha256sum "$f" | cut -c1-64)"); done \
    < <(find "$W/drops/$p" -type f)
done
while read -r f; do inputs+=("brightline|${f#"$BL/"}|$(sha256sum "$f" | cut -c1-64)"); done < <(find "$BL" -type f)
for b in $(seq 1 4); do gen_batch "$b"; done
demo_orders=$(tail -n +2 "$DG_SOURCE_DIR"/samples/demo/drops/shopfront/orders/*.csv | cut -d, -f1 | sort -u | grep -c '^#')

# The suppliers answer (each file by rename) once the demo POs are out: an ASN for a PO not yet
# placed is rightly quarantined as an unknown PO.
answered=0
answer() {
  local src=$DG_SOURCE_DIR/samples/demo/responses f rel p root
  while read -r f; do
    rel=${f#"$src/"}; p=${rel%%/*}; rel=${rel#*/}
    if [ "$p" = brightline ]; then root=$BL; else root=$W/drops/$p; fi
    mkdir -p "$(dirname "$root/$rel")"
    cp "$f" "$(dirname "$root/$rel")/.answer.tmp"
    mv "$(dirname "$root/$rel")/.answer.tmp" "$root/$rel"
    inputs+=("$p|$rel|$(sha256sum "$f" | cut -c1-64)")
  done < <(find "$src" -type f)
  chown -R "$DG_SSHD_USER" "$BL" 2>/dev/null || true
  answered=1
}

# northwind answers the first two batches' POs with an 855 that turns the mug down - rejected
# (ACK*IR) or backordered far beyond reroute.backorder_after (ACK*IB, 2027) in turn - so each
# line is re-routed to brightline on a new PO while the kills go on.
rerouted_from=() # the rejected POs
early_nw="(po_number like '3001_-NW' or po_number like '3002_-NW')"
reject_855s() {
  local po k=0 ctl f dir=$W/drops/northwind/outbound ack
  while read -r po; do
    k=$((k + 1)); ctl=$((70000 + k)); f=NW_REROUTE_$k.x12
    if (( k % 2 )); then ack='ACK*IR*1*EA'; else ack='ACK*IB*1*EA*068*20270301'; fi
    {
      printf 'ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *261121*1000*U*00401*%09d*0*P*>~\n' "$ctl"
      printf 'GS*PR*NORTHWIND*DROPGATE*20261121*1000*%d*X*004010~\nST*855*0001~\n' "$ctl"
      printf 'BAK*00*AC*%s*20261121~\nPO1*1*1*EA*4.10**VP*NW-1001~\n%s~\nCTT*1~\n' "$po" "$ack"
      printf 'SE*6*0001~\nGE*1*%d~\nIEA*1*%09d~\n' "$ctl" "$ctl"
    } >"$dir/.reroute.tmp"
    inputs+=("northwind|outbound/$f|$(sha256sum "$dir/.reroute.tmp" | cut -c1-64)")
    mv "$dir/.reroute.tmp" "$dir/$f"
    rerouted_from+=("$po")
  done < <(q "select po_number from supplier_pos where $early_nw order by po_number")
}

kills=0 in_uploaded=0 in_recorded=0
: >"$tmp/window-kills" # "window file": one line per kill inside a window
: >"$tmp/inflight-kills" # the file whose upload a kill interrupted (any kill)
export DG_LOG_LEVEL=debug
for i in $(seq 1 "$KILLS"); do
  mode=$((i % 3)) # 0: upload window, 1: pickup window, 2: random
  ilog=$tmp/logs/$i.log
  # Work for the window aimed at: a file to record, or (when nothing waits) orders whose POs
  # are then uploaded.
  waiting=$(find "$W/drops/shopfront/orders" -maxdepth 1 -name 'x-batch-*' | wc -l)
  case $mode in
    0) target=uploaded; export DG_GW_TEST_PAUSE_MS=0 DG_GW_TEST_PAUSE_AT=uploaded=30000
       if (( waiting == 0 )) && [ "$(q "select count(*) from outbox where state<>'SENT'" 2>/dev/null || echo 0)" = 0 ]; then
         gen_batch $((100 + i))
       fi ;;
    1) target=recorded; export DG_GW_TEST_PAUSE_MS=0 DG_GW_TEST_PAUSE_AT=recorded=30000
       gen_batch $((100 + i)) ;; # a new file (one left in the drop may be a duplicate now)
    2) target=; export DG_GW_TEST_PAUSE_MS=20 DG_GW_TEST_PAUSE_AT= ;;
  esac
  : >"$ilog"
  "$DG_BIN" run --config "$CFG" --every 1 >"$ilog" 2>&1 &
  pid=$!
  if [ -n "$target" ]; then
    for _ in $(seq 1 750); do grep -q "test-pause point=$target" "$ilog" && break; sleep 0.02; done
  else
    sleep "0.$(printf '%03d' $((RANDOM % 500 + 5)))"
  fi
  kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
  wait "$pid" 2>/dev/null || true
  # In the window when its pause line is the last thing the instance logged.
  last=$(tail -n 1 "$ilog")
  if [ -n "$target" ] && [[ "$last" == *"test-pause point=$target"* ]]; then
    file=$(tail -n 2 "$ilog" | head -n 1 | sed -n 's/.* file=\([^ ]*\) .*/\1/p')
    echo "$target $file" >>"$tmp/window-kills"
    if [ "$target" = uploaded ]; then in_uploaded=$((in_uploaded + 1)); else in_recorded=$((in_recorded + 1)); fi
  fi
  # The file in flight: its upload began (outcome=uploading) and its sent mark was not logged.
  inflight=$({ grep -E 'outcome=(uploading|sent) ' "$ilog" || true; } | tail -n 1 | sed -n 's/.* file=\([^ ]*\) outcome=uploading .*/\1/p')
  [ -z "$inflight" ] || echo "$inflight" >>"$tmp/inflight-kills"
  cat "$ilog" >>"$log"
  if (( mode == 2 && i % 9 == 2 )); then gen_batch $((100 + i)); fi
  if (( !answered && i >= KILLS / 4 )) &&
     [ "$(q "select count(*) from supplier_pos where po_number in ('2001-NW','2002-BL','2003-BL','2003-NW') and status<>'QUEUED'" 2>/dev/null || echo 0)" = 4 ] &&
     [ "$(q "select count(*) from supplier_pos where $early_nw and status<>'QUEUED'" 2>/dev/null || echo 0)" -gt 0 ] &&
     [ "$(q "select count(*) from supplier_pos where $early_nw and status='QUEUED'" 2>/dev/null || echo 1)" = 0 ]; then
    answer
    reject_855s
  fi
done
unset DG_GW_TEST_PAUSE_MS DG_GW_TEST_PAUSE_AT DG_LOG_LEVEL
if (( !answered )); then
  # A slow machine: the demo POs were not all out yet. One clean poll places them; the answers
  # then arrive while the drain below runs.
  "$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || true
  answer
  reject_855s
fi
(( kills >= 100 )) || fail "only $kills kills landed (need 100)"
(( in_uploaded >= 25 )) || fail "only $in_uploaded kills landed between an upload and its sent mark (need 25)"
(( in_recorded >= 25 )) || fail "only $in_recorded kills landed between a pickup's commit and its remote delete (need 25)"

# Drain: clean polls until nothing is left, then let the consumers take the last files.
for _ in 1 2 3; do "$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || true; done
touch "$tmp/stop"
wait "$consumer_pid" 2>/dev/null || true
consumer once

# 1. Nothing lost on the way in: every input file, one by one, recorded DONE, archived, gone.
for entry in "${inputs[@]}"; do
  IFS='|' read -r p rel sha <<<"$entry"
  n=$(q "select count(*) from pickups where partner='$p' and path='$rel' and sha256='$sha' and state='DONE'")
  [ "$n" -eq 1 ] || fail "$p/$rel: $n DONE pickup rows for its content (want 1): $(q "select state||' '||coalesce(reason,'') from pickups where partner='$p' and path='$rel'")"
  [ -f "$W/var/archive/${sha:0:2}/$sha" ] || fail "$p/$rel: not in the archive"
  if [ "$p" = brightline ]; then root=$BL; else root=$W/drops/$p; fi
  [ ! -e "$root/$rel" ] || fail "$p/$rel: still in the drop after draining"
done
quarantined=$(q "select count(*) from pickups where state='QUARANTINED'")
[ "$quarantined" -eq 0 ] || fail "quarantined: $(q "select path||': '||reason from pickups where state='QUARANTINED'")"
# 2. Every order placed once.
orders=$(q "select count(*) from orders")
[ "$orders" -eq $((generated + demo_orders)) ] || fail "$orders orders recorded, want $((generated + demo_orders))"
# 3. Everything sent arrived, and nothing twice but the file in flight at an upload-window kill.
[ "$(q "select count(*) from outbox where state<>'SENT'")" -eq 0 ] || fail "outbox rows not SENT after draining"
[ "$(q "select count(*) from supplier_pos where status='QUEUED'")" -eq 0 ] || fail "POs still QUEUED after draining"
dup=$(q "select count(*) from (select ref from outbox where kind='po' group by ref having count(*)>1)")
[ "$dup" -eq 0 ] || fail "$dup PO(s) with more than one outbox row"
# The storefront's cancellation (samples/demo/responses/shopfront/cancels): its request to the
# supplier is one outbox row, sent (the delivery check below counts it like every file).
[ "$(q "select count(*) from cancellations")" -ge 1 ] || fail "the demo cancellation was not recorded"
[ "$(q "select count(*) from cancel_requests where state in ('PENDING','QUEUED')")" -eq 0 ] ||
  fail "cancellation requests not sent after draining"
dup=$(q "select count(*) from (select ref from outbox where kind='cancel' group by ref having count(*)>1)")
[ "$dup" -eq 0 ] || fail "$dup cancellation request(s) with more than one outbox row"
cancels=$(q "select count(*) from outbox where kind='cancel'")
[ "$cancels" -ge 1 ] || fail "no cancellation request was sent"
# One pass over what arrived (folder name sha isa13), the kills' files in flight and the outbox
# (partner|name|sha|kind): prints the first violation, or "ok ROWS REDELIVERED".
q "select partner, file_name, content_sha256, kind from outbox" >"$tmp/outbox"
verdict=$(awk -v nw="${DEST[0]}" -v bl="${DEST[1]}" -v sf="${DEST[2]}" -v ss="${DEST[3]}" '
  FILENAME == ARGV[1] { inflight[$1]++; next }
  FILENAME == ARGV[2] { k = $1 SUBSEP $2; n[k]++; if (!(k in sha)) { sha[k] = $3; isa[k] = $4 }
                        else { if ($3 != sha[k]) bad[k] = "other bytes"; if ($4 != isa[k]) bad[k] = "another ISA13" }
                        next }
  { split($0, f, "|"); d = f[1] == "northwind" ? nw : f[1] == "brightline" ? bl : f[4] == "status" ? ss : sf; k = d SUBSEP f[2]
    rows++
    if (!(k in n)) { print "FAIL " f[1] "/" f[2] " (" f[4] ") never arrived"; failed = 1; exit }
    if (sha[k] != f[3]) { print "FAIL " f[1] "/" f[2] " arrived with other bytes than recorded"; failed = 1; exit }
    if (k in bad) { print "FAIL " f[1] "/" f[2] " arrived again with " bad[k]; failed = 1; exit }
    if (n[k] - 1 > inflight[f[2]]) { print "FAIL " f[1] "/" f[2] " arrived " n[k] " times; " inflight[f[2]] + 0 " kill(s) had it in flight"; failed = 1; exit }
    extra += n[k] - 1; seen[k] = 1 }
  END { if (failed) exit
        for (k in n) if (!(k in seen)) { split(k, p, SUBSEP); print "FAIL " p[2] " arrived in " p[1] " but nobody queued it"; exit }
        print "ok", rows, extra + 0 }' "$tmp/inflight-kills" "$tmp/deliveries" "$tmp/outbox")
case $verdict in ok*) ;; *) fail "${verdict#FAIL }" ;; esac
read -r _ rows redelivered <<<"$verdict"
total=$(grep -c . "$tmp/deliveries" || true)
inflight_kills=$(grep -c . "$tmp/inflight-kills" || true)
(( redelivered <= inflight_kills )) || fail "$redelivered re-deliveries for $inflight_kills kills with an upload in flight"
# 3b. Several POs per file (northwind): files carried up to 3 POs, and the sets that arrived in
# them (each file counted once, by name) are exactly the northwind POs sent, each once.
multi=$(q "select count(*) from (select outbox_id from supplier_pos where supplier='northwind' group by outbox_id having count(*) > 1)")
(( multi >= 3 )) || fail "only $multi northwind file(s) carried several POs"
[ "$(q "select max(c) from (select count(*) c from supplier_pos where supplier='northwind' group by outbox_id)")" -le 3 ] ||
  fail "a northwind file carried more than 3 POs"
awk -v nw="${DEST[0]}" '$1 == nw && $2 ~ /^POS?_/ && !seen[$2]++ { print $3 }' "$tmp/deliveries" |
  while read -r sha; do tr '~' '\n' <"$W/var/archive/${sha:0:2}/$sha" | awk -F'*' '$1 == "BEG" { print $4 }'; done |
  sort >"$tmp/nw-sets"
q "select po_number from supplier_pos where supplier='northwind' and outbox_id is not null order by po_number" |
  sort >"$tmp/nw-pos"
[ -z "$(uniq -d "$tmp/nw-sets")" ] || fail "northwind POs in more than one file: $(uniq -d "$tmp/nw-sets" | head -5)"
cmp -s "$tmp/nw-sets" "$tmp/nw-pos" || fail "northwind sets arrived vs POs sent: $(diff "$tmp/nw-sets" "$tmp/nw-pos" | head -5)"
nw_sets=$(grep -c . "$tmp/nw-sets" || true)
# 4. The status feed: every status change reached the storefront in exactly one file (a file
# re-delivered after a kill in the upload window counts once: same name, same bytes).
verdict=$(python3 - "$tmp/status-seen" <<'PY'
import csv, os, sys
seen, files = {}, sorted(os.listdir(sys.argv[1]))
for name in files:
    for r in csv.DictReader(open(os.path.join(sys.argv[1], name), newline="")):
        u = r["Update id"]
        if seen.setdefault(u, name) != name:
            print(f"update {u} arrived in {seen[u]} and {name}")
            sys.exit()
print("ok", len(seen), len(files))
PY
)
case $verdict in ok*) ;; *) fail "status feed: $verdict" ;; esac
read -r _ updates status_files <<<"$verdict"
changes=$(q "select count(*) from status_history")
[ "$updates" -eq "$changes" ] || fail "status feed: $updates update(s) arrived for $changes status change(s)"
[ "$(q "select count(*) from status_history where push_state <> 'SENT'")" -eq 0 ] || fail "status feed: rows not SENT after draining"
# Every pickup-window kill left its file in the drop (checked gone above); a later poll only
# finished it: it was never processed a second time. (Its "outcome=duplicate" line can be lost
# to the next kill, which may land between the remote delete and that line.)
finished=0
while read -r target file; do
  [ "$target" = recorded ] || continue
  n=$(grep -c "file=$file outcome=processed" "$log" || true)
  [ "$n" -le 1 ] || fail "$file: killed after its record, then processed again ($n times in all)"
  if grep -q "file=$file outcome=duplicate" "$log"; then finished=$((finished + 1)); fi
done <"$tmp/window-kills"
(( finished >= in_recorded * 2 / 3 )) || fail "only $finished of $in_recorded files killed after their record were later finished as duplicates"
# 5. Re-routing under the kills: every line northwind turned down moved to exactly one new PO at
# brightline (REROUTED at northwind, never offered back), whose file arrived in brightline's
# folder once - twice only as the re-delivery of a file in flight at a kill.
n_rr=${#rerouted_from[@]}
(( n_rr >= 5 )) || fail "only $n_rr POs of the first batches were turned down by northwind"
for po in "${rerouted_from[@]}"; do
  st=$(q "select supplier_status from order_lines where po_id=(select id from supplier_pos where po_number='$po')")
  [ "$st" = REROUTED ] || fail "$po: the turned-down line is $st, not REROUTED"
  new=$(q "select po_number || ' ' || supplier from supplier_pos where rerouted_from=(select id from supplier_pos where po_number='$po')")
  [ "$(grep -c . <<<"$new")" -eq 1 ] && [ "${new#* }" = brightline ] || fail "$po: re-routed to '$new' (want one PO at brightline)"
  new=${new% *}
  fname=$(q "select o.file_name from outbox o join supplier_pos p on p.outbox_id = o.id where p.po_number='$new'")
  [ -n "$fname" ] || fail "$new: the re-routed PO was never queued"
  n=$(awk -v d="${DEST[1]}" -v f="$fname" '$1 == d && $2 == f' "$tmp/deliveries" | wc -l)
  fl=$(grep -cx -- "$fname" "$tmp/inflight-kills" || true)
  (( n >= 1 && n <= 1 + fl )) || fail "$new ($fname): arrived $n times at brightline, $fl kill(s) had it in flight"
done
[ "$(q "select count(*) from (select rerouted_from from order_lines where rerouted_from is not null group by rerouted_from having count(*) > 1)")" -eq 0 ] ||
  fail "a line was re-routed more than once"
# 4. No leftovers: no temporary upload names at any partner, nothing in the spool.
left=$(find "$W/drops" "$BL" \( -name '*.part' -o -name '.*' -o -name '*.tmp.*' \) -type f | wc -l)
[ "$left" -eq 0 ] || fail "temporary files left at partners: $(find "$W/drops" "$BL" \( -name '*.part' -o -name '.*' -o -name '*.tmp.*' \) -type f)"
spool=$(find "$W/var/spool" -type f | wc -l)
[ "$spool" -eq 0 ] || fail "files left in the spool: $(find "$W/var/spool" -type f)"
echo "ok: northwind: $nw_sets POs in $(q "select count(distinct outbox_id) from supplier_pos where supplier='northwind'") files ($multi with several)"
echo "ok: $kills kills ($in_uploaded between upload and sent mark, $in_recorded between pickup commit and remote delete);" \
     "$orders orders placed once; $cancels cancellation(s) sent once; $n_rr lines re-routed, each new PO sent once; $updates status update(s) in $status_files file(s), each once; $rows files sent, all arrived ($total deliveries: $redelivered re-delivery of a file in flight, same name, bytes and ISA13)"
