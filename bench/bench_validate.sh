#!/usr/bin/env bash
# Whole-CLI X12 throughput: `dropgate validate` on a generated 850/856 file, side by side with
# `cat` and `wc -l` on the same file (page cache), best of N runs, plus peak RSS at MB and MB/4.
#
#   bench/bench_validate.sh [MB (160)] [RUNS (5)] [BUILD_DIR (build)]
#
# Prints one markdown table. Runs are pinned to one core (taskset -c 1) when taskset exists.
# MB/s wall is best of RUNS by the wall clock; MB/s cpu by user+sys CPU seconds (the figure that
# holds on a shared machine).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mb=${1:-160}
runs=${2:-5}
build=${3:-$root/build}
[[ $build = /* ]] || build=$root/$build
tmp=${TMPDIR:-/tmp}
for t in dropgate bench_x12; do
    [[ -x $build/$t ]] || { echo "missing $build/$t: cmake --build $build --target $t" >&2; exit 2; }
done
pin=()
command -v taskset >/dev/null && pin=(taskset -c 1)
big=$tmp/dg_bench_validate_${mb}MB.edi
small=$tmp/dg_bench_validate_$((mb / 4))MB.edi
trap 'rm -f "$big" "$small" "$tmp/dg_bench_time.$$"' EXIT
"$build/bench_x12" "$mb" --out "$big" >/dev/null
"$build/bench_x12" $((mb / 4)) --out "$small" >/dev/null
bytes=$(stat -c %s "$big")
cat "$big" "$small" >/dev/null # into the page cache

# best wall, best cpu, peak RSS (KiB) over $runs runs of "$@"
best() {
    local bw=999999 bc=999999 rss=0 out
    for ((i = 0; i < runs; i++)); do
        /usr/bin/time -o "$tmp/dg_bench_time.$$" -f '%e %U %S %M' "${pin[@]}" "$@" >/dev/null 2>&1 || true
        read -r w u s m <"$tmp/dg_bench_time.$$"
        bw=$(awk -v a="$bw" -v b="$w" 'BEGIN{print (b < a ? b : a)}')
        bc=$(awk -v a="$bc" -v b="$u" -v c="$s" 'BEGIN{print (b + c < a ? b + c : a)}')
        ((m > rss)) && rss=$m
    done
    echo "$bw $bc $rss"
}

row() {
    local name=$1
    shift
    read -r w c m <<<"$(best "$@")"
    awk -v n="$name" -v b="$bytes" -v w="$w" -v c="$c" -v m="$m" 'BEGIN{
        mbs = b / 1e6
        printf "| %-34s | %8.0f | %8.0f | %8.1f |\n", n, (w > 0 ? mbs / w : 0), (c > 0 ? mbs / c : 0), m / 1024 }'
}

echo "file: $big ($bytes bytes), best of $runs runs, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command                            | MB/s wall | MB/s cpu | peak RSS MB |"
echo "|------------------------------------|----------:|---------:|------------:|"
row "cat FILE > /dev/null" cat "$big"
row "wc -l FILE" wc -l "$big"
row "dropgate validate FILE" "$build/dropgate" validate "$big"
read -r _ _ m4 <<<"$(runs=1 best "$build/dropgate" validate "$small")"
echo
echo "peak RSS of dropgate validate on the $((mb / 4)) MB file: $(awk -v m="$m4" 'BEGIN{printf "%.1f", m / 1024}') MB"
