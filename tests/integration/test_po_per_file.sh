#!/usr/bin/env bash
# Several POs per file (outbound po_per_file, issue 13): northwind (X12) takes up to 4 POs per
# interchange, brightline (CSV) up to 3 per file. Counted where the files arrive (the suppliers
# consume their folders):
#   - every PO arrives exactly once, in a file with at most N POs, and some file has N;
#   - each X12 file passes `dropgate validate`, has one ISA/GS with one ST set per PO it carries
#     (GE01 = sets, IEA01 = 1), and each PO's recorded ST02/GS06/ISA13 are its own set's;
#   - a CSV file carries the rows of exactly the POs recorded for it;
#   - a PO an operator held before rendering goes alone in its own file and waits;
#   - a 997 answering a multi-set interchange set by set accepts and rejects exactly those POs;
#   - resend of one PO of a shared file is refused (it would send the others again), with
#     --whole-file the file arrives once more, with --new-control-numbers the PO arrives alone;
#   - `search FILE` lists the POs a file carries; po_per_file 0 is a configuration error.
set -euo pipefail
. "$DG_SOURCE_DIR/tests/integration/lib/workdir.sh"
command -v jq >/dev/null || { echo "SKIP: jq not installed (scripts/install-deps.sh installs it)"; exit 0; }
dg_workdir po-per-file
dg_store_from_env # SQLite, or (as integration_sh_test_po_per_file_pg) PostgreSQL
cp -r "$DG_SOURCE_DIR/samples/demo/drops/." "$W/drops/"
sed -i 's|^  po_mapping: mappings/x12-850-out.yaml.*|&\n  po_per_file: 4|' "$W/etc/partners/northwind.yaml"
sed -i 's|^  po_mapping: mappings/supplier-csv-po-out.yaml.*|&\n  po_per_file: 3|' "$W/etc/partners/brightline.yaml"
grep -q 'po_per_file: 4' "$W/etc/partners/northwind.yaml" || fail "northwind: po_per_file not set"
grep -q 'po_per_file: 3' "$W/etc/partners/brightline.yaml" || fail "brightline: po_per_file not set"
NW=$W/drops/northwind/inbound BL=$W/drops/brightline/po
got=$tmp/received
mkdir -p "$got" "$NW" "$BL"
k=0
# The suppliers consume their folders: each arrival is moved away, kept as NAME.N and listed.
consume() {
  local f
  for f in "$NW"/PO* "$BL"/PO*; do
    [ -f "$f" ] || continue
    case ${f##*/} in .*|*.tmp.*) continue ;; esac
    k=$((k + 1))
    mv "$f" "$got/${f##*/}.$k"
    echo "${f##*/} $got/${f##*/}.$k" >>"$tmp/arrivals"
  done
}
: >"$tmp/arrivals"
poll() {
  "$DG_BIN" poll --once --no-wait --config "$CFG" "$@" >>"$log" 2>&1 || fail "poll $* exited $?"
  consume
}
run() { "$DG_BIN" "$@" --config "$CFG" 2>>"$log"; }

# 12 orders beside the demo's: a mug each (northwind), every other one a frother (brightline).
hdr='Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Company,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes'
{
  echo "$hdr"
  for n in $(seq 40001 40012); do
    echo "#$n,c$n@example.com,paid,USD,20.00,0,0,20.00,Standard,2026-11-21 10:00:00 -0500,1,Mug,14.99,SF-1001,Cust $n,,$n Main St,,Austin,78701,TX,US,,"
    if (( n % 2 == 0 )); then echo "#$n,,,,,,,,,2026-11-21 10:00:00 -0500,1,Frother,29.99,SF-1007,,,,,,,,,,"; fi
  done
} >"$W/drops/shopfront/orders/batch-40001.csv"

# Stock first, then the orders: every PO exists and none is rendered yet.
poll --partner northwind
poll --partner brightline
poll --partner shopfront
nw=$(q "select count(*) from supplier_pos where supplier='northwind'")
bl=$(q "select count(*) from supplier_pos where supplier='brightline'")
(( nw >= 12 && bl >= 6 )) || fail "only $nw northwind and $bl brightline POs placed"
[ "$(q "select count(*) from supplier_pos where outbox_id is not null")" = 0 ] || fail "POs rendered before their supplier's poll"
HELD=40005-NW
run hold "$HELD" --reason "check the address" --by tester >/dev/null || fail "hold $HELD"

poll --partner northwind
poll --partner brightline

# The held PO was rendered alone and waits; every other PO is in a file of at most N, sent.
[ "$(q "select o.file_name || ' ' || o.state from outbox o join supplier_pos p on p.outbox_id = o.id where p.po_number = '$HELD'")" = "PO_$HELD.edi PENDING" ] ||
  fail "held PO: $(q "select o.file_name, o.state from outbox o join supplier_pos p on p.outbox_id = o.id where p.po_number = '$HELD'")"
[ "$(q "select count(*) from supplier_pos where outbox_id = (select outbox_id from supplier_pos where po_number = '$HELD')")" = 1 ] ||
  fail "the held PO shares its file"
[ "$(q "select count(*) from supplier_pos where outbox_id is null")" = 0 ] || fail "POs not rendered"
[ "$(q "select count(*) from supplier_pos where po_number <> '$HELD' and status = 'QUEUED'")" = 0 ] || fail "POs not sent"
[ "$(q "select max(c) from (select count(*) c from supplier_pos where supplier='northwind' group by outbox_id) t")" = 4 ] ||
  fail "no northwind file with 4 POs: $(q "select outbox_id, count(*) from supplier_pos group by outbox_id")"
[ "$(q "select max(c) from (select count(*) c from supplier_pos where supplier='brightline' group by outbox_id) t")" = 3 ] ||
  fail "no brightline file with 3 POs"
nw_files=$(q "select count(distinct outbox_id) from supplier_pos where supplier='northwind'")
(( nw_files <= (nw - 1 + 3) / 4 + 1 )) || fail "$nw_files northwind files for $nw POs (4 per file)"

# What arrived, file by file, against what the store says each file carries.
q "select o.file_name, p.po_number, coalesce(p.interchange_control,''), coalesce(p.group_control,''), coalesce(p.set_control,'') from supplier_pos p join outbox o on o.id = p.outbox_id where p.po_number <> '$HELD' order by o.file_name, p.set_control" \
  | tr '|' ' ' >"$tmp/carried"
while read -r name path; do
  case $name in *.edi) "$DG_BIN" validate --edi "$W/edi" "$path" >"$tmp/v" 2>&1 || fail "$name does not validate: $(head -5 "$tmp/v")" ;; esac
done <"$tmp/arrivals"
verdict=$(python3 - "$tmp/arrivals" "$tmp/carried" <<'PY'
import csv, sys
arrivals = [l.split() for l in open(sys.argv[1]) if l.strip()]
carried = {}
for l in open(sys.argv[2]):
    f = l.split()
    carried.setdefault(f[0], []).append(f[1:])
seen = {}
for name, path in arrivals:
    want = carried.get(name)
    if want is None:
        print(f"{name} arrived but carries no PO"); sys.exit()
    data = open(path, newline="").read()
    if name.endswith(".edi"):
        segs = [s.strip().split("*") for s in data.split("~") if s.strip()]
        isa = [s for s in segs if s[0] == "ISA"]; gs = [s for s in segs if s[0] == "GS"]
        sts = [s for s in segs if s[0] == "ST"]; beg = [s for s in segs if s[0] == "BEG"]
        ge = [s for s in segs if s[0] == "GE"]; iea = [s for s in segs if s[0] == "IEA"]
        if len(isa) != 1 or len(gs) != 1:
            print(f"{name}: {len(isa)} ISA, {len(gs)} GS (want one each)"); sys.exit()
        if int(ge[0][1]) != len(sts) or iea[0][1] != "1":
            print(f"{name}: GE01 {ge[0][1]} IEA01 {iea[0][1]} for {len(sts)} sets"); sys.exit()
        got = [[b[3], isa[0][13], gs[0][6], st[2]] for b, st in zip(beg, sts)]
        if sorted(got) != sorted(want):
            print(f"{name}: sets {got}, recorded {want}"); sys.exit()
        pos = [g[0] for g in got]
    else:
        pos = sorted({r["retailer_po"] for r in csv.DictReader(data.splitlines())})
        if pos != sorted(w[0] for w in want):
            print(f"{name}: rows of {pos}, recorded {[w[0] for w in want]}"); sys.exit()
    for p in pos:
        if p in seen:
            print(f"PO {p} arrived in {seen[p]} and {name}"); sys.exit()
        seen[p] = name
n = sum(len(v) for v in carried.values())
if len(seen) != n:
    print(f"{len(seen)} POs arrived, {n} recorded as sent"); sys.exit()
print("ok", len(seen), len(arrivals))
PY
)
case $verdict in ok*) ;; *) fail "$verdict" ;; esac
checks=$((checks + 1))

# A 997 answering one 4-set interchange set by set: set 1 accepted, set 2 rejected.
read -r FILE PO1 ISA GS ST1 < <(q "select o.file_name, p.po_number, p.interchange_control, p.group_control, p.set_control from supplier_pos p join outbox o on o.id = p.outbox_id where p.supplier='northwind' and p.outbox_id in (select outbox_id from supplier_pos group by outbox_id having count(*) = 4) order by p.set_control limit 1" | tr '|' ' ')
read -r PO2 ST2 < <(q "select po_number, set_control from supplier_pos where group_control='$GS' and supplier='northwind' order by set_control limit 1 offset 1" | tr '|' ' ')
{
  printf 'ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *261121*1000*U*00401*000088001*0*P*>~\n'
  printf 'GS*FA*NORTHWIND*DROPGATE*20261121*1000*88001*X*004010~\nST*997*0001~\nAK1*PO*%s~\n' "$GS"
  printf 'AK2*850*%s~\nAK5*A~\nAK2*850*%s~\nAK5*R*5~\nAK9*P*4*4*3~\nSE*8*0001~\nGE*1*88001~\nIEA*1*000088001~\n' "$ST1" "$ST2"
} >"$W/drops/northwind/outbound/997_multi.x12"
poll --partner northwind
[ "$(q "select status from supplier_pos where po_number='$PO1'")" = ACCEPTED ] || fail "$PO1 (set $ST1): $(q "select status from supplier_pos where po_number='$PO1'")"
[ "$(q "select status from supplier_pos where po_number='$PO2'")" = REJECTED ] || fail "$PO2 (set $ST2): $(q "select status from supplier_pos where po_number='$PO2'")"
[ "$(q "select count(*) from supplier_pos where group_control='$GS' and supplier='northwind' and status='SENT'")" = 2 ] ||
  fail "the 997 moved sets it did not name: $(q "select po_number, set_control, status from supplier_pos where group_control='$GS'")"
checks=$((checks + 1))

# search FILE lists the 4 POs it carries
run search "$FILE" --json >"$tmp/search" || fail "search $FILE"
[ "$(jq '[.[] | select(.kind == "po" and .matched == "file_name")] | length' "$tmp/search" 2>/dev/null || jq '[.hits[] | select(.kind == "po" and .matched == "file_name")] | length' "$tmp/search")" = 4 ] ||
  fail "search $FILE: $(cat "$tmp/search")"

# resend of one PO of the shared file: refused, naming the others; --whole-file sends it again.
PO3=$(q "select po_number from supplier_pos where group_control='$GS' and supplier='northwind' order by set_control limit 1 offset 2")
if "$DG_BIN" resend "$PO3" --config "$CFG" >"$tmp/out" 2>"$tmp/err"; then fail "resend of a PO in a shared file accepted"; fi
grep -q "with 3 other PO(s)" "$tmp/err" || fail "resend refusal: $(cat "$tmp/err")"
run resend "$PO3" --whole-file --reason "lost" >/dev/null || fail "resend --whole-file"
poll --partner northwind
[ "$(grep -c "^$FILE " "$tmp/arrivals")" = 2 ] || fail "$FILE arrived $(grep -c "^$FILE " "$tmp/arrivals") times after --whole-file (want 2)"
# --new-control-numbers: the PO alone, in a new valid interchange.
run resend "$PO3" --new-control-numbers --reason "alone" >/dev/null || fail "resend --new-control-numbers"
poll --partner northwind
alone=$(grep "^PO_${PO3}_" "$tmp/arrivals" | awk '{print $2}')
[ -n "$alone" ] || fail "the PO resent with new control numbers did not arrive"
"$DG_BIN" validate --edi "$W/edi" "$alone" >/dev/null || fail "$alone does not validate"
[ "$(grep -o 'ST\*850' "$alone" | wc -l)" = 1 ] || fail "$alone carries more than the one PO"
checks=$((checks + 1))

# Released, the held PO arrives alone.
run release "$HELD" >/dev/null || fail "release $HELD"
poll --partner northwind
[ "$(grep -c "^PO_$HELD.edi " "$tmp/arrivals")" = 1 ] || fail "the released PO did not arrive once"

# po_per_file 0 is refused with the key named.
sed -i 's|po_per_file: 4|po_per_file: 0|' "$W/etc/partners/northwind.yaml"
if "$DG_BIN" poll --once --no-wait --config "$CFG" >"$tmp/out" 2>&1; then fail "po_per_file 0 accepted"; fi
grep -q "po_per_file must be 1 to 1000" "$tmp/out" || fail "po_per_file 0: $(cat "$tmp/out")"
echo "ok: $verdict; 997 per set, resend alone/whole file, held PO alone, config check"
