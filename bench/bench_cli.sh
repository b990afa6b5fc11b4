#!/usr/bin/env bash
# Whole-CLI throughput, side by side with `cat` and `wc -l` on the same file (page cache):
#   validate  `dropgate validate` of generated 850/856 interchanges (bench_x12)
#   x12       `dropgate translate --map mappings/x12-850-in.yaml` (850s -> canonical JSON), also --jsonl
#   csv       `dropgate translate --map mappings/storefront-orders-csv-in.yaml` (storefront CSV)
#
#   bench/bench_cli.sh [MB (160)] [RUNS (5)] [BUILD_DIR (build)] [validate|x12|csv ...]
#
# Prints one markdown table per input: MB/s by the wall clock (best of RUNS) and per CPU second
# (user+sys, best of RUNS: the figure that holds on a shared machine), and peak RSS at MB and at
# MB/4 (memory must stay flat with the file size). Runs are pinned to one core (taskset -c 1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mb=${1:-160}
runs=${2:-5}
build=${3:-$root/build}
shift $(($# < 3 ? $# : 3))
what=("$@")
[[ ${#what[@]} -gt 0 ]] || what=(validate x12 csv)
[[ $build = /* ]] || build=$root/$build
for t in dropgate bench_x12 bench_translate; do
    [[ -x $build/$t ]] || { echo "missing $build/$t: cmake --build $build --target $t" >&2; exit 2; }
done
pin=()
command -v taskset >/dev/null && pin=(taskset -c 1)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dg_bench_cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export DG_EDI_DIR=$root/edi

# best wall, best cpu, peak RSS (KiB) over $runs runs of "$@"
best() {
    local bw=999999 bc=999999 rss=0 w u s m
    for ((i = 0; i < runs; i++)); do
        /usr/bin/time -o "$tmp/time" -f '%e %U %S %M' "${pin[@]}" "$@" >/dev/null 2>&1 || true
        read -r w u s m <"$tmp/time"
        bw=$(awk -v a="$bw" -v b="$w" 'BEGIN{print (b < a ? b : a)}')
        bc=$(awk -v a="$bc" -v b="$u" -v c="$s" 'BEGIN{print (b + c < a ? b + c : a)}')
        ((m > rss)) && rss=$m
    done
    echo "$bw $bc $rss"
}

# row NAME BYTES SMALL_FILE_OR_- CMD...: the command runs on the big file; with a small file, the
# same command (big file's path replaced) gives the RSS at a quarter of the size.
row() {
    local name=$1 bytes=$2 big=$3 small=$4
    shift 4
    local w c m m4=
    read -r w c m <<<"$(best "$@")"
    if [[ $small != - ]]; then
        local args=("${@/$big/$small}")
        read -r _ _ m4 <<<"$(runs=1 best "${args[@]}")"
    fi
    awk -v n="$name" -v b="$bytes" -v w="$w" -v c="$c" -v m="$m" -v m4="$m4" 'BEGIN{
        mbs = b / 1e6
        printf "| %-50s | %8.0f | %8.0f | %6.1f | %6s |\n", n, (w > 0 ? mbs / w : 0),
               (c > 0 ? mbs / c : 0), m / 1024, (m4 == "" ? "" : sprintf("%.1f", m4 / 1024)) }'
}

table() {
    local title=$1 big=$2
    local bytes
    bytes=$(stat -c %s "$big")
    cat "$big" >/dev/null # into the page cache
    echo
    echo "$title: $(basename "$big"), $bytes bytes, best of $runs runs, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| command                                            | MB/s wall | MB/s cpu | RSS MB | at 1/4 |"
    echo "|----------------------------------------------------|----------:|---------:|-------:|-------:|"
    row "cat FILE > /dev/null" "$bytes" "$big" - cat "$big"
    row "wc -l FILE" "$bytes" "$big" - wc -l "$big"
}

echo "build $build ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')), $(nproc) cores"
for w in "${what[@]}"; do
    case $w in
    validate)
        "$build/bench_x12" "$mb" --out "$tmp/mixed.edi" >/dev/null
        "$build/bench_x12" $((mb / 4)) --out "$tmp/mixed4.edi" >/dev/null
        table "validate (850/856)" "$tmp/mixed.edi"
        row "dropgate validate FILE" "$(stat -c %s "$tmp/mixed.edi")" "$tmp/mixed.edi" \
            "$tmp/mixed4.edi" "$build/dropgate" validate "$tmp/mixed.edi"
        rm -f "$tmp/mixed.edi" "$tmp/mixed4.edi"
        ;;
    x12 | csv)
        mkdir -p "$tmp/t" "$tmp/t4"
        [[ -f $tmp/t/orders.edi ]] || {
            "$build/bench_translate" "$mb" --out "$tmp/t" >/dev/null
            "$build/bench_translate" $((mb / 4)) --out "$tmp/t4" >/dev/null
        }
        f=orders.edi m=x12-850-in
        [[ $w = csv ]] && f=orders.csv m=storefront-orders-csv-in
        table "translate $w" "$tmp/t/$f"
        for mode in "" --jsonl; do
            row "dropgate translate --map $m ${mode:-FILE}" "$(stat -c %s "$tmp/t/$f")" \
                "$tmp/t/$f" "$tmp/t4/$f" "$build/dropgate" translate --map "$root/mappings/$m.yaml" \
                "$tmp/t/$f" $mode
        done
        ;;
    *) echo "unknown: $w (validate, x12, csv)" >&2; exit 2 ;;
    esac
done
