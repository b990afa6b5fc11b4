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

# dg_store_from_env: when ctest runs the script as NAME_pg (DG_TEST_PG: the pg fixture's state),
# the work folder's store becomes a fresh database on that PostgreSQL (dropped on exit) and q
# asks it; otherwise the SQLite default stays. Exits 77 (skipped) when the fixture has no server.
dg_store_from_env() {
  [ -n "${DG_TEST_PG:-}" ] || return 0
  pg_sock=$(cat "$DG_TEST_PG")
  case $pg_sock in SKIP:*) echo "$pg_sock"; exit 77 ;; esac
  pg_db=dgt_$(basename "$tmp" | tr -c 'a-zA-Z0-9\n' _ | tr 'A-Z' 'a-z')
  command psql -X -q -v ON_ERROR_STOP=1 -h "$pg_sock" -U dgtest -d postgres \
    -c "CREATE DATABASE $pg_db" || fail "cannot create database $pg_db"
  trap 'command psql -X -q -h "$pg_sock" -U dgtest -d postgres -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
  echo "store: \"postgresql:///$pg_db?host=$pg_sock&user=dgtest\"" >>"$CFG"
  q() { command psql -X -q -v ON_ERROR_STOP=1 -h "$pg_sock" -U dgtest -d "$pg_db" -At -c "$1"; }
}
