#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the shipped dropship demo on local
# folders and SQLite (samples/, etc/, mappings/), printing its summary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh" "$root/build"
exec "$root/build/dropgate" demo "$@"
