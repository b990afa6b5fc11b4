#!/usr/bin/env bash
# Configures and builds dropgate into build/ (or $1), warnings as errors. Extra args go to cmake.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/build}
shift || true
cmake -S "$root" -B "$dir" -DDG_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
