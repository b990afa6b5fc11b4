#!/usr/bin/env bash
# Routing X12 by envelope through the command line. A VAN mailbox (one type: x12 drop with
# senders: any) carries northwind's and acme's interchanges in one file: each goes to its own
# partner (stock rows per supplier, one 997 per sender, each in its own partner's folder). acme's
# 846 has no row in acme's x12: sets: yet: rejected (AK5 R 1), the file is PARTIAL; once the row
# is added, `dropgate reprocess FILE-ID` applies that set only, and a second run applies nothing.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir route-x12
expect() { checks=$((checks + 1)); [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
poll() { "$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || fail "poll --once exited $?"; }

cat >"$W/etc/partners/acme.yaml" <<'YAML'
name: acme
role: supplier
x12: {qualifier: ZZ, id: ACME, sets: {"856": mappings/x12-856-in.yaml}}
transport: {kind: local, root: drops/acme}
outbound: {folder: inbound}
YAML
cat >"$W/etc/partners/van.yaml" <<'YAML'
name: van
role: supplier
transport: {kind: local, root: drops/van}
inbound:
  - folder: mailbox
    type: x12
    stable_seconds: 0
    senders: any
    ack: true
YAML
mkdir -p "$W/drops/van/mailbox" "$W/drops/acme"
isa() { printf 'ISA*00*          *00*          *ZZ*%-15s*ZZ*DROPGATE       *261122*0900*U*00401*%09d*0*P*>~\n' "$1" "$2"; }
stock() { printf 'GS*IB*%s*DROPGATE*20261122*0900*%d*X*004010~\nST*846*0001~\nBIA*00*DD*INV-%s*20261122~\nLIN*1*VP*%s~\nQTY*33*%d*EA~\nSE*5*0001~\nGE*1*%d~\n' "$1" "$2" "$1" "$3" "$4" "$2"; }
{ isa NORTHWIND 6001; stock NORTHWIND 6001 NW-1001 42; printf 'IEA*1*000006001~\n'
  isa ACME 6002; stock ACME 6002 AC-1 9; printf 'IEA*1*000006002~\n'; } >"$W/drops/van/mailbox/MBX_1.edi"
poll
expect "mailbox file" "$(q "select state from pickups where path='mailbox/MBX_1.edi'")" PARTIAL
expect "northwind's stock" "$(q "select qty/10000 from stock where supplier='northwind' and vendor_sku='NW-1001'")" 42
expect "acme's 846 not applied" "$(q "select count(*) from stock where supplier='acme'")" 0
expect "acme's 846 recorded as rejected" "$(q "select state from x12_sets where partner='acme'")" REJECTED
checks=$((checks + 1))
q "select reason from x12_sets where partner='acme'" | grep -q "not supported for partner acme" || fail "acme's reason: $(q "select reason from x12_sets where partner='acme'")"
nw_ack=$(ls "$W"/drops/northwind/inbound/997_* 2>/dev/null | head -1 || true)
acme_ack=$(ls "$W"/drops/acme/inbound/997_* 2>/dev/null | head -1 || true)
[ -n "$nw_ack" ] && [ -n "$acme_ack" ] || fail "one 997 per sender in its own folder: $(ls -R "$W/drops")"
checks=$((checks + 1))
grep -q 'AK1\*IB\*6001' "$nw_ack" && grep -q 'AK5\*A' "$nw_ack" && ! grep -q 'AK1\*IB\*6002' "$nw_ack" || fail "northwind's 997: $(cat "$nw_ack")"
checks=$((checks + 1))
grep -q 'AK1\*IB\*6002' "$acme_ack" && grep -q 'AK5\*R\*1' "$acme_ack" && grep -q 'ZZ\*ACME' "$acme_ack" || fail "acme's 997: $(cat "$acme_ack")"
fid=$(q "select file_id from pickups where path='mailbox/MBX_1.edi'")
grep -q "outcome=partial file_id=$fid" "$log" || fail "no partial line naming file_id=$fid"
docs=$(q "select count(*) from documents")
"$DG_BIN" status --config "$CFG" >"$tmp/status" 2>>"$log" || fail "status"
checks=$((checks + 1))
grep -q "^partial X12 files: *1 " "$tmp/status" && grep -q "file_id=$fid .*mailbox/MBX_1.edi" "$tmp/status" || fail "status: $(cat "$tmp/status")"

# acme's 846 mapping added: reprocess applies its set only
sed -i 's|sets: {"856": mappings/x12-856-in.yaml}|sets: {"856": mappings/x12-856-in.yaml, "846": mappings/x12-846-in.yaml}|' "$W/etc/partners/acme.yaml"
grep -q '"846"' "$W/etc/partners/acme.yaml" || fail "test setup: acme.yaml not changed"
out=$("$DG_BIN" reprocess "$fid" --config "$CFG" 2>>"$log") || fail "reprocess exited $?: $out"
checks=$((checks + 1))
echo "$out" | grep -q "1 applied now, 1 applied before, 0 still rejected; state DONE" || fail "reprocess said: $out"
expect "acme's stock" "$(q "select qty/10000 from stock where supplier='acme' and vendor_sku='AC-1'")" 9
expect "one more document (acme's 846 only)" "$(q "select count(*) from documents")" $((docs + 1))
expect "file state" "$(q "select state from pickups where path='mailbox/MBX_1.edi'")" DONE
"$DG_BIN" status --config "$CFG" >"$tmp/status" 2>>"$log" || fail "status"
checks=$((checks + 1))
grep -q "^partial X12 files: *0$" "$tmp/status" || fail "status after reprocess: $(cat "$tmp/status")"
out=$("$DG_BIN" reprocess "$fid" --config "$CFG" 2>>"$log") || fail "second reprocess exited $?: $out"
checks=$((checks + 1))
echo "$out" | grep -q "0 applied now, 2 applied before" || fail "second reprocess said: $out"
expect "nothing applied twice" "$(q "select count(*) from documents")" $((docs + 1))
set +e
"$DG_BIN" reprocess 99999 --config "$CFG" >>"$log" 2>&1; rc=$?
"$DG_BIN" reprocess --config "$CFG" >>"$log" 2>&1; rc2=$?
set -e
expect "unknown file id" "$rc" 2
expect "no file id" "$rc2" 2
echo "ok: $checks checks"
