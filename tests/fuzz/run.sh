#!/usr/bin/env bash
# Runs the libFuzzer harnesses built in BUILD (default build-fuzz, made with -DDG_FUZZ=ON),
# each for SECONDS (default 20), one after the other at low priority, seeded from samples/ and
# ../shared/corpus. A crash stops with the input's path: make it a regression
# (tests/fuzz/regressions/NAME/), fix it, and run again. Usage: run.sh [SECONDS] [NAME...]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${DG_FUZZ_BUILD:-$root/build-fuzz}
secs=${1:-20}
shift || true
names=("$@")
((${#names[@]})) || names=(x12 csv_map xml_map json_map map_load partner_load)
declare -A seeds=(
  [x12]="samples/x12 samples/mapping ../shared/corpus/x12"
  [csv_map]="samples/mapping ../shared/corpus/csv"
  [xml_map]="samples/mapping ../shared/corpus/xml"
  [json_map]="samples/json tests/fuzz/seeds/json_map"
  [map_load]="mappings"
  [partner_load]="etc/partners etc/examples")
failed=0
for n in "${names[@]}"; do
  bin=$build/fuzz_$n
  [ -x "$bin" ] || { echo "fuzz: $bin is not built (cmake -DDG_FUZZ=ON)"; exit 2; }
  work=$build/corpus/$n arts=$build/artifacts/$n
  mkdir -p "$work" "$arts"
  dirs=("$work" "$root/tests/fuzz/regressions/$n")
  for s in ${seeds[$n]}; do [ -d "$root/$s" ] && dirs+=("$root/$s"); done
  echo "fuzz: $n for ${secs}s (corpus $work)"
  if ! nice -n 10 "$bin" "${dirs[@]}" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
      -max_len=65536 -artifact_prefix="$arts/" -print_final_stats=1 >"$build/fuzz_$n.log" 2>&1; then
    echo "fuzz: $n FAILED - see $build/fuzz_$n.log; the input is in $arts/:"
    ls "$arts"
    grep -m3 -E "ERROR|SUMMARY" "$build/fuzz_$n.log"
    failed=1
  else
    grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$build/fuzz_$n.log" | tail -1
  fi
done
exit $failed
