# Sourced by the shell integration tests: a fresh gateway work folder (etc/, mappings/, edi/ of
# the checkout and empty demo drops) under the build tree, removed on exit, plus small helpers.
#   dg_workdir NAME   sets tmp, W (work folder), CFG, DB, log, checks=0
#   fail MSG          prints MSG and the end of $log, exits 1
#   q SQL             runs SQL against the state store
: "${DG_BIN:?set DG_BIN to the dropgate binary}" "${DG_SOURCE_DIR:?set DG_SOURCE_DIR}"
if ! command -v sqlite3 >/dev/null; then
  echo "SKIP: sqlite3 command not installed (scripts/install-deps.sh installs it)"; exit 0
fi

dg_workdir() {
  local base=${DG_BUILD_DIR:-/tmp}/testtmp
  mkdir -p "$base"
  tmp=$(mktemp -d "$base/$1-XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  W=$tmp/work
  mkdir -p "$W"
  cp -r "$DG_SOURCE_DIR/etc" "$DG_SOURCE_DIR/mappings" "$DG_SOURCE_DIR/edi" "$W/"
  mkdir -p "$W/drops/shopfront/orders" "$W/drops/brightline/feeds" "$W/drops/northwind/outbound"
  CFG=$W/etc/dropgate.yaml
  DB=$W/var/dropgate.db
  log=$tmp/log
  : >"$log"
  checks=0
}

fail() { echo "FAIL: $*"; echo "--- log:"; tail -n 30 "$log"; exit 1; }
q() { sqlite3 -batch -noheader "$DB" "$1"; }
