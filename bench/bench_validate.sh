#!/usr/bin/env bash
# Whole-CLI X12 throughput: `dropgate validate` on a generated 850/856 file, side by side with
# `cat` and `wc -l` on the same file, plus peak RSS at MB and MB/4 (bench_cli.sh's validate table).
#
#   bench/bench_validate.sh [MB (160)] [RUNS (5)] [BUILD_DIR (build)]
exec bash "$(dirname "$0")/bench_cli.sh" "${1:-160}" "${2:-5}" "${3:-build}" validate
