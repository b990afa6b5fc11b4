#!/usr/bin/env bash
# Issue 13: orders per second end to end with 1, 2 and 3 `dropgate run` instances sharing one
# PostgreSQL store, and one instance on SQLite for comparison, on the same generated work:
# ORDERS storefront orders spread over STOREFRONTS storefront partners (a marketplace: each
# partner's drop is polled by one instance at a time, so one storefront could not be shared),
# routed to the two demo suppliers (about 1.5 POs per order), every PO uploaded to the
# suppliers' local drops. A run ends when every order is placed and every PO has arrived; its time is
# from the instances' start to then, its CPU the instances' user+sys (PostgreSQL's own not
# counted: it is printed apart). Needs build/dropgate and build/bench_gateway (the generator),
# and Debian's postgresql (started privately by tests/support/pg_server.sh; run as root, like
# the tests).
#
#   bench/bench_instances.sh [ORDERS] [STOREFRONTS] [INSTANCE COUNTS]   # 2000 4 "1 2 3"
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
bin=${DG_BIN:-$src/build/dropgate}
gen=${DG_BENCH_GATEWAY:-$src/build/bench_gateway}
orders=${1:-2000}
fronts=${2:-4}
counts=${3:-1 2 3}
[ -x "$bin" ] && [ -x "$gen" ] || { echo "build dropgate and bench_gateway first" >&2; exit 2; }
tmp=$(mktemp -d /tmp/dg-bench-inst-XXXXXX)
state=$tmp/pg.state
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  bash "$src/tests/support/pg_server.sh" stop "$state" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
bash "$src/tests/support/pg_server.sh" start "$state" >/dev/null
sock=$(cat "$state")
case $sock in SKIP:*) echo "$sock" >&2; exit 77 ;; esac
psql() { command psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -U dgtest "$@"; }

# The work: the generator's tree, its order files dealt over STOREFRONTS copies of shopfront.
prepare() { # prepare DIR
  local d=$1 k f i=0
  mkdir -p "$d"
  DG_BENCH_PREPARE=$d "$gen" "$src" "$orders" 100 >/dev/null
  for k in $(seq 2 "$fronts"); do
    sed -e "s/^name: shopfront/name: shop$k/" -e "s|root: drops/shopfront|root: drops/shop$k|" \
      "$d/etc/partners/shopfront.yaml" >"$d/etc/partners/shop$k.yaml"
    mkdir -p "$d/drops/shop$k/orders"
  done
  for f in "$d"/drops/shopfront/orders/bench-*.csv; do
    k=$((i % fronts + 1))
    [ "$k" -gt 1 ] && mv "$f" "$d/drops/shop$k/orders/"
    i=$((i + 1))
  done
  # every partner polled each second; the storefront takes all its files per poll
  sed -i 's/^schedule: .*/schedule: {every: 1s}/' "$d"/etc/partners/*.yaml
}

sql() { # sql KIND DIR DB QUERY
  if [ "$1" = pg ]; then psql -d "$3" -At -c "$4"; else sqlite3 "$2/w1/var/dropgate.db" "$4"; fi
}

finished() { # finished KIND DIR DB
  local n pos
  n=$(sql "$1" "$2" "$3" "select count(*) from orders" 2>/dev/null) || return 1
  [ "$n" = "$orders" ] || return 1
  [ "$(sql "$1" "$2" "$3" "select count(*) from order_lines where po_id is null")" = 0 ] || return 1
  [ "$(sql "$1" "$2" "$3" "select count(*) from outbox where kind = 'po' and state <> 'SENT'")" = 0 ] || return 1
  pos=$(sql "$1" "$2" "$3" "select count(*) from supplier_pos")
  [ "$(arrived "$2/w1")" -ge "$pos" ]
}

arrived() { # PO files at the two suppliers
  local d=$1
  find "$d/drops/northwind/inbound" "$d/drops/brightline/po" -maxdepth 1 -name 'PO*' 2>/dev/null | wc -l
}

cpu_of() { # user+sys seconds of a process (before it is reaped)
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}

run_one() { # run_one LABEL N STORE(sqlite|pg)
  local label=$1 n=$2 kind=$3
  local d=$tmp/$label db want t0 t1 i cpu=0 pgcpu0 pgcpu1
  prepare "$d/w1"
  if [ "$kind" = pg ]; then
    db=dgbench_${label//[^a-z0-9]/_}
    psql -d postgres -c "CREATE DATABASE $db"
    {
      echo "store: \"postgresql:///$db?host=$sock&user=dgtest\""
      echo "archive_dir: $d/archive"
    } >>"$d/w1/etc/dropgate.yaml"
    for i in $(seq 2 "$n"); do # one work folder each (own var/), the same drops
      mkdir -p "$d/w$i"
      cp -r "$d/w1/etc" "$d/w1/mappings" "$d/w1/edi" "$d/w$i/"
      ln -s "$d/w1/drops" "$d/w$i/drops"
    done
  fi
  pgcpu0=$(pg_cpu)
  t0=$(date +%s.%N)
  pids=()
  for i in $(seq 1 "$n"); do
    DG_LOG_LEVEL=warn "$bin" run --config "$d/w$i/etc/dropgate.yaml" >"$d/run$i.log" 2>&1 &
    pids+=($!)
  done
  # done: every order recorded, every PO's outbox entry SENT, and as many PO files arrived as
  # POs recorded (two lines may share a PO: which supplier a line goes to depends on the stock
  # feeds read before it, and with several instances a storefront may be read first)
  while ! finished "$kind" "$d" "${db:-}"; do
    for p in "${pids[@]}"; do
      kill -0 "$p" 2>/dev/null || { echo "$label: an instance died:" >&2; tail -5 "$d"/run*.log >&2; exit 1; }
    done
    sleep 0.5
  done
  t1=$(date +%s.%N)
  for p in "${pids[@]}"; do cpu=$(echo "$cpu + $(cpu_of "$p")" | bc); done
  pgcpu1=$(pg_cpu)
  for p in "${pids[@]}"; do kill -TERM "$p"; wait "$p" || true; done
  pids=()
  local placed
  if [ "$kind" = pg ]; then
    placed=$(psql -d "$db" -At -c "select count(*) from orders")
  else
    placed=$(sqlite3 "$d/w1/var/dropgate.db" "select count(*) from orders")
  fi
  [ "$placed" = "$orders" ] || { echo "$label: $placed orders recorded, want $orders" >&2; exit 1; }
  local secs pgc
  secs=$(echo "$t1 - $t0" | bc)
  pgc=$(echo "$pgcpu1 - $pgcpu0" | bc)
  printf "| %-22s | %9.1f | %8.0f | %12.2f | %12s |\n" "$label" "$secs" \
    "$(echo "$orders / $secs" | bc -l)" "$cpu" "$([ "$kind" = pg ] && printf %.2f "$pgc" || echo -)"
}

pg_cpu() { # user+sys seconds of the server's processes so far (postmaster and backends)
  local s=0 p
  for p in $(pgrep -u "$(stat -c %U "$sock")" -x postgres); do
    s=$(echo "$s + $(cpu_of "$p")" | bc)
  done
  echo "$s"
}

echo "bench_instances: $orders orders over $fronts storefronts; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| store, instances       | wall s    | orders/s | dropgate cpu | postgres cpu |"
echo "|------------------------|----------:|---------:|-------------:|-------------:|"
run_one "sqlite-1" 1 sqlite
for n in $counts; do run_one "pg-$n" "$n" pg; done
