#!/usr/bin/env bash
# Logs (issue 12): with log_format: json every line a poll writes is one JSON object (parsed by
# jq, each one) with the keys of the text line, also for a file whose name carries a quote, a
# tab and UTF-8; DG_LOG_LEVEL filters and a bad value is refused with a clear message; a bad
# log_format is a configuration error naming its line.
set -euo pipefail
. "$DG_SOURCE_DIR/tests/integration/lib/workdir.sh"
command -v jq >/dev/null || { echo "SKIP: jq not installed (scripts/install-deps.sh installs it)"; exit 0; }
dg_workdir ops-logs
cp -r "$DG_SOURCE_DIR/samples/demo/drops/." "$W/drops/"
hostile=$(printf 'we"ird\tcaf\xc3\xa9.csv')
printf 'Name,Nothing\n#1,x\n' >"$W/drops/shopfront/orders/$hostile"
sed -i 's/^log_format: .*/log_format: json/' "$CFG"
grep -q '^log_format: json' "$CFG" || echo 'log_format: json' >>"$CFG"
rc=0
"$DG_BIN" poll --once --no-wait --config "$CFG" >"$tmp/out" 2>"$log" || rc=$?
[ "$rc" -eq 3 ] || fail "poll exited $rc, want 3 (one file quarantined)"
n=$(wc -l <"$log")
[ "$n" -ge 10 ] || fail "only $n log lines"
i=0
while IFS= read -r line; do
  i=$((i + 1))
  jq -e 'type == "object" and (.time|type) == "string" and (.level|test("^(DEBUG|INFO|WARN|ERROR)$"))' \
    <<<"$line" >/dev/null 2>&1 || fail "log line $i is not a JSON object with time and level: $line"
done <"$log"
[ "$i" -eq "$n" ] || fail "read $i of $n lines"
# the keys of the text lines
jq -se '[.[] | select(.outcome == "processed" and .partner == "shopfront" and (.file|startswith("orders/orders-")) and (.docs|test("^[0-9]+$")) and .sha256)] | length == 1' \
  "$log" >/dev/null || fail "no processed line with partner, file, docs, sha256"
q=$(jq -sr '.[] | select(.outcome == "quarantined") | .file' "$log")
[ "$q" = "orders/$hostile" ] || fail "quarantined file name not kept exactly: '$q'"
jq -se '[.[] | select(.outcome == "quarantined" and .level == "WARN" and .error and .reason and .kept)] | length == 1' \
  "$log" >/dev/null || fail "quarantined line lacks error/reason/kept"
jq -se '[.[] | select(.outcome == "queued" and .kind == "po" and .po)] | length >= 1' "$log" >/dev/null ||
  fail "no queued PO line"

# The same run in text format has the same keys (one line compared).
sed -i 's/^log_format: json/log_format: text/' "$CFG"
"$DG_BIN" status --config "$CFG" >/dev/null 2>"$tmp/text.log" || fail "status in text format"
[ ! -s "$tmp/text.log" ] || head -1 "$tmp/text.log" | grep -qv '^{' || fail "text format still JSON"

# DG_LOG_LEVEL: warn hides INFO; debug shows DEBUG; a bad value is refused before anything runs.
sed -i 's/^log_format: text/log_format: json/' "$CFG"
cp -r "$DG_SOURCE_DIR/samples/demo/responses/." "$W/drops/"
DG_LOG_LEVEL=warn "$DG_BIN" poll --once --no-wait --config "$CFG" >/dev/null 2>"$tmp/warn.log" || true
! jq -r .level "$tmp/warn.log" | grep -qv -e WARN -e ERROR || fail "DG_LOG_LEVEL=warn logged: $(jq -r .level "$tmp/warn.log" | sort | uniq -c)"
DG_LOG_LEVEL=debug "$DG_BIN" poll --once --no-wait --config "$CFG" >/dev/null 2>"$tmp/debug.log" || true
jq -r .level "$tmp/debug.log" | grep -q DEBUG || fail "DG_LOG_LEVEL=debug logged no DEBUG line"
rc=0
DG_LOG_LEVEL=verbose "$DG_BIN" status --config "$CFG" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" -eq 2 ] || fail "DG_LOG_LEVEL=verbose: exit $rc, want 2"
grep -q "DG_LOG_LEVEL='verbose' is not a log level: use debug, info, warn, error or quiet" "$tmp/err" ||
  fail "DG_LOG_LEVEL=verbose said: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "a command ran despite the bad DG_LOG_LEVEL"
# a bad log_format names the file and line
sed -i 's/^log_format: json/log_format: yaml/' "$CFG"
rc=0
"$DG_BIN" status --config "$CFG" >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" -eq 2 ] || fail "log_format: yaml accepted"
grep -q "dropgate.yaml:[0-9]*: log_format: 'yaml' is not a log format: text (default) or json" "$tmp/err" ||
  fail "bad log_format said: $(cat "$tmp/err")"
echo "ok: $n JSON log lines parsed; levels and formats checked"
