#!/usr/bin/env bash
# CPU time of whole-CLI runs, builds side by side: the finer companion of bench_cli.sh, whose
# /usr/bin/time counts in 10 ms steps (~2 % of a 160 MB translate). Each round runs every build
# once, in turn, on the same file, pinned to one core, and takes the process's task-clock
# (`perf stat`, CPU time to the microsecond); alternating in every round keeps the VM's own
# drift out of the comparison.
#
#   bench/bench_cpu.sh MB ROUNDS WHAT BUILD_DIR [BUILD_DIR ...]
#   WHAT: validate | x12 | x12-jsonl | csv | csv-jsonl
#   e.g. bench/bench_cpu.sh 160 9 x12 /work/base/build build
#
# Prints each build's task-clock per round (ms), its best and median, MB/s per CPU second at
# both, and how many rounds the last build beat the first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[[ $# -ge 4 ]] || { sed -n '2,13p' "$0" >&2; exit 2; }
mb=$1 rounds=$2 what=$3
shift 3
builds=()
for b in "$@"; do
    [[ $b = /* ]] || b=$root/$b
    [[ -x $b/dropgate ]] || { echo "missing $b/dropgate" >&2; exit 2; }
    builds+=("$b")
done
command -v perf >/dev/null || { echo "needs perf (apt-get install linux-perf)" >&2; exit 2; }
pin=()
command -v taskset >/dev/null && pin=(taskset -c 1)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dg_bench_cpu.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export DG_EDI_DIR=$root/edi

gen=${builds[0]}
args=() mode=()
case $what in
validate)
    "$gen/bench_x12" "$mb" --out "$tmp/in" >/dev/null
    args=(validate "$tmp/in")
    ;;
x12 | x12-jsonl | csv | csv-jsonl)
    "$gen/bench_translate" "$mb" --out "$tmp" >/dev/null
    f=orders.edi m=x12-850-in
    [[ $what = csv* ]] && f=orders.csv m=storefront-orders-csv-in
    [[ $what = *-jsonl ]] && mode=(--jsonl)
    mv "$tmp/$f" "$tmp/in"
    args=(translate --map "$root/mappings/$m.yaml" "$tmp/in" "${mode[@]}")
    ;;
*) echo "unknown: $what (validate, x12, x12-jsonl, csv, csv-jsonl)" >&2; exit 2 ;;
esac
bytes=$(stat -c %s "$tmp/in")
cat "$tmp/in" >/dev/null # into the page cache

# task-clock in ms of one run of build $1
run() {
    perf stat -x, -e task-clock -o "$tmp/stat" "${pin[@]}" "$1/dropgate" "${args[@]}" \
        >/dev/null 2>&1 || true
    awk -F, '$3 == "task-clock" || $3 ~ /^task-clock/ {printf "%.1f", $1}' "$tmp/stat"
}

echo "$what: $bytes bytes, $rounds rounds, load $(cut -d' ' -f1-3 /proc/loadavg) at start"
for ((r = 0; r < rounds; r++)); do
    for ((k = 0; k < ${#builds[@]}; k++)); do
        echo "$(run "${builds[k]}")" >>"$tmp/ms.$k"
    done
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg) at end"
echo
echo "| build | task-clock ms per round | best / median ms | MB/s per CPU s (best / median) |"
echo "|-------|-------------------------|------------------|-------------------------------:|"
for ((k = 0; k < ${#builds[@]}; k++)); do
    sort -n "$tmp/ms.$k" | awk -v b="${builds[k]}" -v bytes="$bytes" -v all="$(paste -sd' ' "$tmp/ms.$k")" '
        { v[NR] = $1 }
        END { med = v[int((NR + 1) / 2)]
              printf "| %s | %s | %.1f / %.1f | %.0f / %.0f |\n", b, all, v[1], med,
                     bytes / 1e3 / v[1], bytes / 1e3 / med }'
done
if ((${#builds[@]} > 1)); then
    last=$((${#builds[@]} - 1))
    wins=$(paste "$tmp/ms.0" "$tmp/ms.$last" | awk '$2 < $1 {n++} END {print n + 0}')
    echo
    echo "${builds[last]} faster than ${builds[0]} in $wins of $rounds rounds"
fi
