#!/usr/bin/env bash
# Hostile names and shapes through the real command (issue 9 items 5, 11, 12): a file name with
# a newline and a terminal escape is logged and written to its reason file escaped (one line per
# event); a mapping whose csv: block is a list is a file:line error, not a crash; plain FTP is
# warned about at config load and by partner check.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir hostile-input
orders=$W/drops/shopfront/orders
esc=$'\e'
bad_name=$'bad\tINFO\e[31m\x7f.csv'
good_name=$'good\e[2J\x01.csv'
nl_name=$'nl\n2026-01-01T00:00:00.000Z INFO  forged.csv' # transports refuse line breaks in paths
printf 'Name,Created at\n#30,not a date\n' >"$orders/$bad_name"
cp "$DG_SOURCE_DIR/samples/mapping/storefront-orders.csv" "$orders/$good_name"
cp "$DG_SOURCE_DIR/samples/mapping/storefront-orders.csv" "$orders/$nl_name"
rc=0
"$DG_BIN" poll --once --no-wait --config "$CFG" >"$log" 2>&1 || rc=$?
[ "$rc" -eq 3 ] || fail "poll exited $rc, want 3 (the bad file is quarantined)"

checks=$((checks + 1))
! grep -q "$esc" "$log" || fail "a raw escape character reached the log"
checks=$((checks + 1))
grep -q 'outcome=quarantined' "$log" || fail "the bad file was not quarantined"
checks=$((checks + 1))
grep 'outcome=quarantined' "$log" | grep -qF 'file=orders/bad\tINFO\x1b[31m\x7f.csv' ||
  fail "the quarantined file's name is not shown escaped"
checks=$((checks + 1))
grep 'outcome=fetch-failed' "$log" | grep -qF 'file=orders/nl\n2026-01-01T00:00:00.000Z INFO  forged.csv' ||
  fail "the refused name with a line break is not shown escaped"
checks=$((checks + 1))
! grep -q '^2026-01-01T00:00:00.000Z' "$log" || fail "the name forged a log line"
checks=$((checks + 1))
grep 'outcome=processed' "$log" | grep -qF 'file=orders/good\x1b[2J\x01.csv' ||
  fail "the processed file's name is not shown escaped"
checks=$((checks + 1))
# every line of the log is a dated event: nothing continues a line on the next
! grep -qvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T|^poll:' "$log" || fail "a log line was split: $(grep -vE '^[0-9]{4}-|^poll:' "$log" | head -3)"

reason_file=$(ls "$W"/var/quarantine/shopfront/*.reason.txt)
checks=$((checks + 1))
[ "$(wc -l <"$reason_file")" -eq 3 ] || fail "reason file is not 3 lines: $(cat -A "$reason_file")"
checks=$((checks + 1))
grep -qxF 'file: bad\tINFO\x1b[31m\x7f.csv' "$reason_file" || fail "reason file name not escaped: $(cat -A "$reason_file")"
checks=$((checks + 1))
! grep -q "$esc" "$reason_file" || fail "a raw escape character reached the reason file"
checks=$((checks + 1))
grep -qF 'shopfront/orders/bad\tINFO\x1b[31m\x7f.csv' "$reason_file" ||
  fail "the reason names the spool copy, not the remote file: $(cat "$reason_file")"

# item 5: a csv: block written as a list is an error naming file:line (exit 2), not a crash
cat >"$W/mappings/list-csv.yaml" <<'YAML'
direction: in
document: order
format: csv
csv:
  - header: true
fields:
  - {target: order_number, source: Name}
YAML
set +e
"$DG_BIN" translate --map "$W/mappings/list-csv.yaml" "$DG_SOURCE_DIR/samples/mapping/storefront-orders.csv" >"$log" 2>&1
rc=$?
set -e
checks=$((checks + 1))
[ "$rc" -eq 2 ] || fail "translate with a list-shaped csv: block exited $rc, want 2"
checks=$((checks + 1))
grep -q "list-csv.yaml:5: 'csv' in a mapping file must be a map, not a list" "$log" || fail "no file:line message"
# the same mapping used by a partner: partner check reports it, poll refuses it, neither crashes
sed -i 's#mapping: mappings/storefront-orders-csv-in.yaml#mapping: mappings/list-csv.yaml#' "$W/etc/partners/shopfront.yaml"
rm -f "$orders/$nl_name"
cp "$DG_SOURCE_DIR/samples/mapping/storefront-orders.csv" "$orders/again.csv"
set +e
"$DG_BIN" partner check shopfront --config "$CFG" >"$log" 2>&1
rc=$?
set -e
checks=$((checks + 1))
[ "$rc" -eq 1 ] && grep -q "must be a map, not a list" "$log" || fail "partner check exited $rc"
set +e
"$DG_BIN" poll --once --no-wait --config "$CFG" >"$log" 2>&1
rc=$?
set -e
checks=$((checks + 1))
[ "$rc" -ge 1 ] && [ "$rc" -lt 128 ] && grep -q "must be a map, not a list" "$log" || fail "poll exited $rc"
checks=$((checks + 1))
[ -f "$orders/again.csv" ] || fail "the file was taken although its mapping is broken"

# item 12: plain FTP is warned about at config load and by partner check
cat >"$W/etc/partners/plainftp.yaml" <<'YAML'
name: plainftp
role: supplier
transport: {kind: ftp, host: 127.0.0.1, port: 1, user: u, timeout: 1s, retries: 0}
YAML
sed -i 's#mapping: mappings/list-csv.yaml#mapping: mappings/storefront-orders-csv-in.yaml#' "$W/etc/partners/shopfront.yaml"
set +e
"$DG_BIN" partner check plainftp --config "$CFG" >"$log" 2>&1
set -e
checks=$((checks + 1))
grep -q "^  warning kind: ftp is plain FTP" "$log" || fail "partner check does not warn about plain FTP"
checks=$((checks + 1))
grep -q "WARN .*plainftp.yaml:3: transport: kind: ftp is plain FTP" "$log" || fail "config load does not warn about plain FTP"
echo "ok: $checks checks"
