#!/usr/bin/env bash
# Issue 13, until partner leases exist: one gateway instance per PostgreSQL store. Two daemons
# with their own state folders both pass their lock files, so the store itself refuses the
# second (a session advisory lock, src/store/instance.c). Here instance A places the demo's
# orders; B, another work folder on the same database, is refused by `run` and `poll`; after a
# kill -9 of A the server releases A's claim and B polls without placing anything twice.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
state=${DG_TEST_PG:?run by ctest with the pg fixture (DG_TEST_PG)}
sock=$(cat "$state")
case $sock in SKIP:*) echo "$sock"; exit 77 ;; esac
dg_workdir pg-instances
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
db=dgt_instances_$$
psql() { command psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -U dgtest "$@"; }
psql -d postgres -c "CREATE DATABASE $db" || fail "cannot create database $db"
trap 'kill -9 $(jobs -p) 2>/dev/null || true; psql -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true; rm -rf "$tmp"' EXIT
pq() { psql -d "$db" -At -c "$1"; }
echo "store: \"postgresql:///$db?host=$sock&user=dgtest\"" >>"$CFG"
W2=$tmp/work2
cp -r "$W" "$W2" # B: same configuration and database, its own state folder and (empty) drops
cp -r "$DG_SOURCE_DIR/samples/demo/drops/." "$W/drops/"
wait_for() { # wait_for PATTERN SECONDS
  for _ in $(seq 1 $(($2 * 20))); do grep -q "$1" "$log" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}

"$DG_BIN" run --config "$CFG" --every 1 >"$log" 2>&1 &
a=$!
wait_for "outcome=started" 30 || fail "instance A did not start"
for _ in $(seq 1 400); do
  [ "$(pq "select count(*) from orders" 2>/dev/null || echo 0)" -ge 5 ] && break
  sleep 0.05
done
[ "$(pq "select count(*) from orders")" -eq 5 ] || fail "A placed $(pq "select count(*) from orders") orders, want 5"

# B is refused while A runs, by both commands, with the reason.
set +e
"$DG_BIN" poll --once --config "$W2/etc/dropgate.yaml" >"$tmp/b.out" 2>&1
rc_poll=$?
timeout 20 "$DG_BIN" run --config "$W2/etc/dropgate.yaml" --every 1 >"$tmp/b-run.out" 2>&1
rc_run=$?
set -e
[ "$rc_poll" -eq 2 ] || fail "B's poll exited $rc_poll while A runs, want 2: $(cat "$tmp/b.out")"
[ "$rc_run" -eq 2 ] || fail "B's run exited $rc_run while A runs, want 2: $(cat "$tmp/b-run.out")"
grep -q "another dropgate instance is using this state store" "$tmp/b.out" ||
  fail "B's poll did not say why: $(cat "$tmp/b.out")"
grep -q "password" "$tmp/b.out" && fail "B's message mentions a password: $(cat "$tmp/b.out")"
kill -0 "$a" 2>/dev/null || fail "A is gone after B's attempts"

# A dies without a word; the server drops its session and so its claim.
kill -9 "$a"
wait "$a" 2>/dev/null || true
ok=
for _ in $(seq 1 100); do
  if "$DG_BIN" poll --once --config "$W2/etc/dropgate.yaml" >"$tmp/b2.out" 2>&1; then ok=1; break; fi
  grep -q "another dropgate instance" "$tmp/b2.out" || break
  sleep 0.1
done
[ -n "$ok" ] || fail "B could not take over after A's kill -9: $(cat "$tmp/b2.out")"
orders=$(pq "select count(*) from orders")
[ "$orders" -eq 5 ] || fail "$orders orders after B's poll, want 5 (nothing placed twice)"
pos=$(pq "select count(*) from supplier_pos")
echo "ok: one instance per PostgreSQL store - B refused by poll and run while A ran, took over after A's kill -9; $orders orders, $pos POs, none twice"
