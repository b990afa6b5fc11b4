#!/usr/bin/env bash
# Audit L7: the reason of a quarantined file (store, .reason.txt, log) names the remote file as
# partner/folder/name, never the spool copy under var/spool that is deleted right away.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir audit-quarantine
# the mapping refuses it (no Currency column): its message names the file it read
printf 'Name,Created at\n#30,not a date\n' >"$W/drops/shopfront/orders/orders-bad.csv"
rc=0
"$DG_BIN" poll --once --no-wait --config "$CFG" >"$log" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "poll exited $rc, want 3 (a file quarantined)"
reason=$(q "select reason from pickups where path='orders/orders-bad.csv' and state='QUARANTINED'")
[ -n "$reason" ] || fail "orders-bad.csv not quarantined"
checks=$((checks + 1))
case "$reason" in *shopfront/orders/orders-bad.csv*) ;; *) fail "reason does not name shopfront/orders/orders-bad.csv: $reason" ;; esac
checks=$((checks + 1))
case "$reason" in *var/spool*) fail "reason names the spool copy: $reason" ;; esac
rtxt=$(cat "$W"/var/quarantine/shopfront/*.reason.txt)
checks=$((checks + 1))
grep -q 'shopfront/orders/orders-bad.csv' <<<"$rtxt" || fail "reason.txt does not name the remote file: $rtxt"
checks=$((checks + 1))
! grep -q 'var/spool' <<<"$rtxt" || fail "reason.txt names the spool copy: $rtxt"
checks=$((checks + 1))
! grep 'outcome=quarantined' "$log" | grep -q 'var/spool' || fail "the log names the spool copy"
echo "ok: $checks checks"
