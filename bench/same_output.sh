#!/usr/bin/env bash
# Same output from two builds: the check that a speed-up changed nothing a user can see.
#
#   bench/same_output.sh BASE_BUILD NEW_BUILD [MUTANTS_PER_FILE (3)]
#
# Runs, with each build's `dropgate`, and compares stdout, stderr and exit status byte for byte:
#   - `translate --map M F` (and `--jsonl`, and `--strict`) for every inbound mapping M over every
#     file F of its format in samples/, tests/data/, etc/ and ../shared/corpus,
#   - the same for the X12 mappings over mutants of every X12 file (segments dropped, doubled,
#     swapped, cut short, bytes replaced by control bytes, delimiters, CR/LF, UTF-8; seeded, so
#     both builds see the same files),
#   - `validate F` and `validate --json F` over every X12 file and mutant,
#   - translate and validate of the bench files (bench_translate 4 --out, bench_x12 4 --out).
# Prints the number of runs, how many were identical, and the first differences; exit 1 on any.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[[ $# -ge 2 ]] || { sed -n 2,13p "$0" >&2; exit 2; }
base=$(cd "$1" && pwd)
new=$(cd "$2" && pwd)
per_file=${3:-3}
corpus=${DG_CORPUS:-$root/../shared/corpus}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dg_same.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export DG_EDI_DIR=$root/edi

# --- inputs ---------------------------------------------------------------------------------
mkdir -p "$tmp/in/mut" "$tmp/in/bench"
find "$root/samples" "$root/tests/data" "$root/etc" "$corpus" -type f \
    \( -name '*.edi' -o -name '*.x12' -o -name '*.csv' -o -name '*.xml' -o -name '*.json' \) \
    2>/dev/null | sort >"$tmp/files"
grep -E '\.(edi|x12)$' "$tmp/files" >"$tmp/x12files" || true
python3 - "$tmp/x12files" "$tmp/in/mut" "$per_file" <<'PY'
import random, sys, os
lst, out, per = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(14)
for n, path in enumerate(open(lst).read().split()):
    data = open(path, 'rb').read()
    if len(data) < 106 or not data.startswith(b'ISA'):
        continue
    term = data[105:106]
    segs = data.split(term)
    for k in range(per):
        s = list(segs)
        kind = rnd.randrange(7)
        i = rnd.randrange(1, max(2, len(s) - 1))
        if kind == 0 and len(s) > 3: del s[i]
        elif kind == 1: s.insert(i, s[i])
        elif kind == 2 and i + 1 < len(s): s[i], s[i + 1] = s[i + 1], s[i]
        b = term.join(s)
        if kind == 3: b = b[:rnd.randrange(len(b))]
        elif kind >= 4:
            pos = rnd.randrange(106, max(107, len(b)))
            ins = [b'\x01', b'\x00', b'\r\n', data[3:4], data[104:105], term, 'é'.encode(), b'\x7f']
            b = b[:pos] + rnd.choice(ins) + b[pos + (kind == 5):]
        open(os.path.join(out, '%04d_%d.edi' % (n, k)), 'wb').write(b)
PY
ls "$tmp"/in/mut/*.edi >>"$tmp/x12files" 2>/dev/null || true
"$new/bench_translate" 4 --out "$tmp/in/bench" >/dev/null
"$new/bench_x12" 4 --out "$tmp/in/bench/mixed.edi" >/dev/null
echo "$tmp/in/bench/orders.edi" >>"$tmp/x12files"
echo "$tmp/in/bench/mixed.edi" >>"$tmp/x12files"
echo "$tmp/in/bench/orders.csv" >>"$tmp/files"

# --- the runs: one line per run, "id<TAB>args" --------------------------------------------------
: >"$tmp/runs"
id=0
add() { id=$((id + 1)); printf '%d\t%s\n' "$id" "$*" >>"$tmp/runs"; }
for m in "$root"/mappings/*.yaml; do
    grep -q '^direction: in' "$m" || continue
    fmt=$(sed -n 's/^format: *//p' "$m" | head -1)
    case $fmt in
    x12) list=$tmp/x12files ;;
    csv | xml | json) list=$tmp/$fmt.list; grep "\.$fmt\$" "$tmp/files" >"$list" || true ;;
    *) continue ;;
    esac
    while read -r f; do
        add translate --map "$m" "$f"
        case $f in */mut/*) ;; *) add translate --map "$m" "$f" --jsonl
                                   add translate --map "$m" "$f" --strict ;; esac
    done <"$list"
done
while read -r f; do
    add validate "$f"
    add validate --json "$f"
done <"$tmp/x12files"

# --- run each build under the same program path, so messages naming it agree -------------------
for side in base new; do
    dir=$base; [[ $side = new ]] && dir=$new
    mkdir -p "$tmp/bin" "$tmp/out/$side"
    cp "$dir/dropgate" "$tmp/bin/dropgate"
    while IFS=$'\t' read -r n args; do
        # shellcheck disable=SC2086 # args are paths without blanks, split on purpose
        (cd "$tmp" && ./bin/dropgate $args >"out/$side/$n.out" 2>"out/$side/$n.err"
         echo $? >"out/$side/$n.rc") || true
    done <"$tmp/runs"
done

differ=$(diff -rq "$tmp/out/base" "$tmp/out/new" | sed -n 's/.*out\/base\/\([0-9]*\)\..*/\1/p' |
         sort -un || true)
total=$id
bad=$(printf '%s' "$differ" | grep -c . || true)
echo "same_output: $total runs, $((total - bad)) identical, $bad differ" \
     "($(wc -l <"$tmp/x12files") X12 files incl. $(ls "$tmp/in/mut" | wc -l) mutants)"
if [[ $bad -gt 0 ]]; then
    for n in $(echo "$differ" | head -5); do
        echo "--- run $n: $(awk -F'\t' -v n="$n" '$1 == n {print $2}' "$tmp/runs")"
        for x in rc out err; do
            diff "$tmp/out/base/$n.$x" "$tmp/out/new/$n.$x" | head -6 || true
        done
    done
    exit 1
fi
