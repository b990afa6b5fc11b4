#!/usr/bin/env bash
# The tests' private PostgreSQL: `start STATE` initdb's a cluster in a fresh /tmp/dgpg-* folder,
# listens only on a Unix socket there (no TCP), and writes the socket folder to STATE; `stop
# STATE` stops it and removes the folder. ctest runs these as the `pg` fixture's setup and
# cleanup (CMakeLists.txt), so one server serves the whole run and each test makes its own
# database (tests/support/pgtest.c). PostgreSQL refuses to run as root: as root the server runs
# as the `postgres` account of Debian's package (or dgtest, created as servers.c does).
# When PostgreSQL is not installed, STATE says `SKIP: why` and the tests that need it skip.
set -euo pipefail
cmd=${1:?usage: pg_server.sh start|stop STATE} state=${2:?usage: pg_server.sh start|stop STATE}

stop_dir() { # stops the server in $1 (if any) and removes the folder
  local dir=$1
  case $dir in /tmp/dgpg-*) ;; *) return 0 ;; esac
  [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$dir" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

as_owner() { # runs "$2..." as the owner of folder $1 (root cannot run the server)
  local dir=$1
  shift
  if [ "$(id -u)" = 0 ]; then
    local user
    user=$(stat -c %U "$dir")
    setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- "$@"
  else
    "$@"
  fi
}

bindir=
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && bindir=$d
done
if [ -z "$bindir" ] && command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; then
  bindir=$(pg_config --bindir)
fi

# A server left by an interrupted run is stopped first. On stop, the run's server log is read
# first: on PostgreSQL a failed statement aborts its whole transaction (SQLite only undoes the
# statement), so a statement refused with "current transaction is aborted" is code that went on
# after a failure inside a transaction without a savepoint: the stop fails, naming it.
aborted=0
if [ -f "$state" ]; then
  old=$(cat "$state")
  if [ "$cmd" = stop ] && [ -f "$old/server.log" ] &&
    grep -q "current transaction is aborted" "$old/server.log"; then
    aborted=1
    echo "pg_server.sh: statements ran in an aborted transaction (a failed statement was not" \
      "rolled back to a savepoint); the failure before each and the statement refused:" >&2
    grep -B3 -A1 "current transaction is aborted" "$old/server.log" >&2 || true
  fi
  [ -n "$bindir" ] && stop_dir "$old"
  rm -f "$state"
fi
[ "$cmd" = stop ] && exit "$aborted"

mkdir -p "$(dirname "$state")"
if [ -z "$bindir" ]; then
  echo "SKIP: PostgreSQL is not installed (Debian: postgresql; scripts/install-deps.sh)" | tee "$state"
  exit 0
fi
dir=$(mktemp -d /tmp/dgpg-XXXXXX)
if [ "$(id -u)" = 0 ]; then
  user=postgres
  if ! id "$user" >/dev/null 2>&1; then
    user=dgtest
    id "$user" >/dev/null 2>&1 || useradd -M -d /tmp -s /bin/sh "$user"
  fi
  chown "$user:$(id -g "$user")" "$dir"
fi
chmod 700 "$dir"
if ! as_owner "$dir" "$bindir/initdb" -D "$dir/data" -U dgtest -A trust -E UTF8 --locale=C.UTF-8 \
  --no-sync >"$dir/initdb.log" 2>&1; then
  echo "pg_server.sh: initdb failed:" >&2
  cat "$dir/initdb.log" >&2
  rm -rf "$dir"
  exit 1
fi
opts="-c listen_addresses= -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
opts+=" -c max_connections=200 -c shared_buffers=32MB"
if ! as_owner "$dir" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 \
  start >/dev/null; then
  echo "pg_server.sh: the server did not start:" >&2
  cat "$dir/server.log" >&2
  rm -rf "$dir"
  exit 1
fi
echo "$dir" >"$state"
echo "PostgreSQL ($bindir) on the socket in $dir"
