#!/usr/bin/env bash
# A partner whose secret is missing (issue 12): it is reported and skipped, the other partners
# go on (orders placed, POs sent), `poll --once` exits 1 naming it, `partner check` fails on it
# with the variable's name; status, report, search and show never need the secret.
set -euo pipefail
. "$DG_SOURCE_DIR/tests/integration/lib/workdir.sh"
dg_workdir ops-secrets
cp -r "$DG_SOURCE_DIR/samples/demo/drops/." "$W/drops/"
unset DG_TEST_ACME_PW
cat >"$W/etc/partners/acme.yaml" <<'YAML'
name: acme
role: supplier
transport:
  kind: sftp
  host: 127.0.0.1
  port: 1
  user: dropgate
  password_env: DG_TEST_ACME_PW
  known_hosts: etc/known_hosts
schedule: {every: 60s}
inbound:
  - folder: out
    include: ["*.csv"]
    mapping: mappings/supplier-csv-asn-in.yaml
outbound:
  folder: in
  po_mapping: mappings/supplier-csv-po-out.yaml
YAML
# read-only commands before any poll: no store yet is the only complaint, never the secret
rc=0; "$DG_BIN" status --config "$CFG" >"$tmp/out" 2>&1 || rc=$?
grep -q DG_TEST_ACME_PW "$tmp/out" && fail "status needed the secret: $(cat "$tmp/out")"

rc=0
"$DG_BIN" poll --once --no-wait --config "$CFG" >"$tmp/out" 2>"$log" || rc=$?
[ "$rc" -eq 1 ] || fail "poll exited $rc, want 1 (a partner could not be polled)"
grep -q 'partner=acme outcome=skipped error=EAUTH reason=".*acme.yaml:8.*DG_TEST_ACME_PW' "$log" ||
  fail "acme not reported as skipped with the variable's name"
grep -q 'DG_TEST_ACME_PW' "$tmp/out" || true
[ "$(q "select count(*) from orders")" = 5 ] || fail "the storefront's orders were not placed"
ls "$W/drops/northwind/inbound" | grep -q '^PO_' || fail "northwind's POs were not sent"
ls "$W/drops/brightline/po" | grep -q . || fail "brightline's POs were not sent"

for cmd in "status" "status --json" "report orders" "report reconcile" "search 2001" "show po 2001-NW" "show order 2001"; do
  rc=0
  # shellcheck disable=SC2086
  "$DG_BIN" $cmd --config "$CFG" >"$tmp/out" 2>"$tmp/err" || rc=$?
  [ "$rc" -eq 0 ] || fail "'$cmd' exited $rc without acme's secret: $(cat "$tmp/err")"
  grep -q 'outcome=secret-missing\|skipped' "$tmp/out" && fail "'$cmd' printed the warning on stdout"
done
rc=0
"$DG_BIN" partner check acme --config "$CFG" >"$tmp/out" 2>>"$log" || rc=$?
[ "$rc" -ne 0 ] || fail "partner check of acme passed without its secret"
grep -q 'secret .*FAIL .*DG_TEST_ACME_PW' "$tmp/out" || fail "partner check: $(cat "$tmp/out")"
rc=0
"$DG_BIN" partner check northwind --config "$CFG" >"$tmp/out" 2>>"$log" || rc=$?
[ "$rc" -eq 0 ] || fail "partner check of northwind failed because of acme: $(cat "$tmp/out")"
echo "ok: acme skipped and named; the others polled and sent; read-only commands need no secret"
