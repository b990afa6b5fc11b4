#!/usr/bin/env bash
# Audit H4 and L4 (997s we send). H4: a file we quarantine never gets an accepting 997: an 810
# the X12 check accepts but the flow refuses (unknown PO; here batched with an 856 for an unknown
# PO in one interchange, NW_0003.x12) is answered AK5*R / AK9*R, and so is
# an 846 the mapping refuses (QTY02 1.2E2, when the mapping refuses it). L4: after the
# interchange control numbers wrap, a new 997 whose name is taken by an older entry gets a name
# of its own: the older file is neither overwritten nor is the new 997 lost.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir audit-997
IN=$W/drops/northwind/inbound
expect() { checks=$((checks + 1)); [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
# poll [WANT]: one cycle; its exit status must be WANT (default 0; 3 when it quarantines a file).
poll() {
  local rc=0
  "$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || rc=$?
  [ "$rc" -eq "${1:-0}" ] || fail "poll --once exited $rc, want ${1:-0} (line ${BASH_LINENO[0]})"
}
# rejecting "what" 997-file: every set and group rejected, none accepted
rejecting() {
  [ -f "$2" ] || fail "$1: no 997 $(basename "$2") (files: $(ls "$IN" 2>/dev/null | tr '\n' ' '))"
  checks=$((checks + 1))
  if grep -qE 'AK5\*[AE]|AK9\*[AEP]' "$2"; then fail "$1: the 997 accepts a quarantined file: $(cat "$2")"; fi
  checks=$((checks + 1))
  grep -q 'AK5\*R' "$2" && grep -q 'AK9\*R\*1\*1\*0' "$2" || fail "$1: no AK5*R / AK9*R*1*1*0: $(cat "$2")"
}

# ---- H4: the flow refuses an invoice for a PO it does not know ------------------------------
cp "$DG_SOURCE_DIR/samples/demo/responses/northwind/outbound/NW_0003.x12" "$W/drops/northwind/outbound/"
poll 3
expect "810 quarantined" "$(q "select state from pickups where path like '%NW_0003.x12'")" QUARANTINED
checks=$((checks + 1))
q "select reason from pickups where path like '%NW_0003.x12'" | grep -qi "PO" || fail "810: no reason recorded"
expect "997 queued and sent" "$(q "select count(*) from outbox where kind='ack' and state='SENT'")" 1
first=$(q "select file_name from outbox where kind='ack'")
rejecting "810 for an unknown PO" "$IN/$first"

# ---- H4: the mapping refuses an 846 the X12 check accepts (exponent in QTY02) ---------------
printf '%s\n' 'ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*STOREFRONT     *260115*0930*^*00501*000000501*0*P*>~' \
  'GS*IB*NORTHWIND*STOREFRONT*20260115*0930*501*X*005010~' 'ST*846*0001~' \
  'BIA*00*DD*INV-20260117*20260117~' 'N1*SU*Northwind Supply~' 'LIN**VN*NW-100*UP*012345678905~' \
  'PID*F****Blue widget~' 'QTY*33*1.2E2*EA~' 'LIN**VN*NW-200~' 'QTY*33*0*EA~' 'CTT*2~' \
  'SE*10*0001~' 'GE*1*501~' 'IEA*1*000000501~' >"$W/drops/northwind/outbound/846_exp.edi"
poll
if grep -q 'file=outbound/846_exp.edi outcome=quarantined' "$log"; then
  f=$(q "select file_name from outbox where kind='ack' and file_name<>'$first' order by id desc limit 1")
  rejecting "846 the mapping refuses" "$IN/$f"
else
  echo "note: the mapping takes QTY02 1.2E2 now; the 846 was processed (its 997 may accept it)"
fi

# ---- L4: control numbers wrapped: 997_<ISA13>.edi already taken -----------------------------
before=$(sha256sum "$IN/$first" | cut -d' ' -f1)
local_first=$(q "select local_path from outbox where file_name='$first'")
isa1=$(q "select ref from outbox where file_name='$first'")
expect "first 997's ISA13" "$isa1" 000000001
# the next ISA13 wraps around to 1, the number of the first 997
q "update control_numbers set last=999999999 where partner='northwind' and kind='ISA'"
cp "$DG_SOURCE_DIR/samples/demo/drops/northwind/outbound/NW_0001.x12" "$W/drops/northwind/outbound/"
poll
expect "846 processed" "$(grep -c 'file=outbound/NW_0001.x12 outcome=processed' "$log")" 1
expect "997s with that ISA13" "$(q "select count(*) from outbox where kind='ack' and ref='$isa1'")" 2
expect "every 997 sent" "$(q "select count(*) from outbox where kind='ack' and state<>'SENT'")" 0
expect "older 997 untouched at the partner" "$(sha256sum "$IN/$first" | cut -d' ' -f1)" "$before"
expect "older 997 untouched locally" "$(sha256sum "$local_first" | cut -d' ' -f1)" \
  "$(q "select content_sha256 from outbox where file_name='$first'")"
second=$(q "select file_name from outbox where kind='ack' and ref='$isa1' and file_name<>'$first'")
[ -n "$second" ] && [ -f "$IN/$second" ] || fail "the new 997 ($second) was not sent"
checks=$((checks + 1))
grep -q 'AK5\*A' "$IN/$second" || fail "the 846's 997 does not accept it: $(cat "$IN/$second")"
echo "ok: $checks checks"
