#!/usr/bin/env bash
# Audit H1 (outbox file names): orders "#A/1" and "#A_1" give POs "A/1-XX" and "A_1-XX" whose
# sanitised names used to be the same: each PO now has its own file, the bytes the supplier gets
# are the recorded ones (CSV and X12, each X12 file with its own ISA13), and an outbox file whose
# bytes changed after it was queued is refused (FAILED, reason, file kept), never uploaded.
set -euo pipefail
. "$(dirname "$0")/lib/workdir.sh"
dg_workdir audit-outbox
# the demo's stock feeds (suppliers are polled before the storefront)
cp "$DG_SOURCE_DIR"/samples/demo/drops/northwind/outbound/NW_0001.x12 "$W/drops/northwind/outbound/"
expect() { checks=$((checks + 1)); [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
poll() { "$DG_BIN" poll --once --no-wait --config "$CFG" >>"$log" 2>&1 || fail "poll --once exited $?"; }

hdr='Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,Shipping Company,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes'
line() { # number qty sku name
  echo "$1,a@example.com,paid,USD,5.20,0,0,5.20,Standard,2026-11-20 09:12:05 -0500,$2,Thing,5.20,$3,$4,,1 Main St,,Austin,78701,TX,US,,"
}
{
  echo "$hdr"
  line '#A/1' 1 SF-1004 'Ana Lopez'
  line '#A_1' 10 SF-1004 'Bob Smith'
  line '#N/1' 2 SF-1006 'Cara Diaz'
  line '#N_1' 3 SF-1006 'Dan Evans'
} >"$W/drops/shopfront/orders/orders-1.csv"
# brightline's po folder is a plain file for now: its uploads fail and stay queued
mkdir -p "$W/drops/brightline"
echo blocked >"$W/drops/brightline/po"
poll

# ---- names: one file per PO, each with its own entry -----------------------------------------
expect "POs" "$(q "select count(*) from supplier_pos")" 4
expect "outbox entries" "$(q "select count(distinct file_name) from outbox where kind='po'")" 4
expect "POs without outbox entry" "$(q "select count(*) from supplier_pos where outbox_id is null")" 0
# northwind (X12): both sent, the bytes at the supplier are the recorded ones, distinct ISA13s
expect "northwind sent" "$(q "select count(*) from outbox where partner='northwind' and kind='po' and state='SENT'")" 2
while IFS='|' read -r name sha po isa; do
  f=$W/drops/northwind/inbound/$name
  [ -f "$f" ] || fail "northwind: $name not uploaded"
  expect "northwind $name bytes" "$(sha256sum "$f" | cut -d' ' -f1)" "$sha"
  checks=$((checks + 1))
  grep -q "BEG\*00\*[A-Z]*\*$po\*" "$f" || fail "$name does not carry PO $po"
  expect "$name ISA13" "$(grep -o 'ISA\*[^~]*' "$f" | cut -d'*' -f14)" "$isa"
done < <(q "select o.file_name, o.content_sha256, p.po_number, p.interchange_control from outbox o join supplier_pos p on p.outbox_id=o.id where o.partner='northwind'")
expect "northwind ISA13s distinct" "$(q "select count(distinct interchange_control) from supplier_pos where supplier='northwind'")" 2

# ---- brightline: its upload failed; a queued file that changed is never sent ----------------
expect "brightline pending" "$(q "select count(*) from outbox where partner='brightline' and state<>'SENT'")" 2
bad=$(q "select local_path from outbox where partner='brightline' and ref='A/1-BL'")
[ -f "$bad" ] || fail "no local outbox file for A/1-BL"
printf 'tampered\n' >>"$bad"
rm -f "$W/drops/brightline/po"
mkdir -p "$W/drops/brightline/po"
poll
expect "A_1-BL sent" "$(q "select state from outbox where partner='brightline' and ref='A_1-BL'")" SENT
expect "A/1-BL refused" "$(q "select state from outbox where partner='brightline' and ref='A/1-BL'")" FAILED
checks=$((checks + 1))
q "select last_error from outbox where ref='A/1-BL'" | grep -q "does not match" || fail "A/1-BL: no clear reason: $(q "select last_error from outbox where ref='A/1-BL'")"
expect "A/1-BL PO not sent" "$(q "select status from supplier_pos where po_number='A/1-BL'")" QUEUED
expect "brightline files" "$(ls "$W/drops/brightline/po" | wc -l)" 1
sent=$(q "select file_name||'|'||content_sha256 from outbox where ref='A_1-BL'")
expect "A_1-BL bytes" "$(sha256sum "$W/drops/brightline/po/${sent%%|*}" | cut -d' ' -f1)" "${sent#*|}"
checks=$((checks + 1))
grep -q "tampered" "$bad" || fail "the refused file was not kept"

# ---- a PO whose name is taken is rolled back without writing any file ------------------------
# (an entry of another kind already holds PO_Z1-BL.csv: the PO gets EDUP and stays queued; the
# older entry's local file is not touched and no file of the refused PO is left behind)
old=$W/var/outbox/brightline/PO_Z1-BL.csv
printf 'OLD\n' >"$old"
q "insert into outbox(partner, kind, ref, file_name, content_sha256, local_path, state, created_at, sent_at) values ('brightline', 'po', 'other', 'PO_Z1-BL.csv', '$(sha256sum "$old" | cut -d' ' -f1)', '$old', 'SENT', 1, 1)"
{ echo "$hdr"; line '#Z1' 1 SF-1004 'Eve Fox'; } >"$W/drops/shopfront/orders/orders-2.csv"
poll
expect "Z1-BL queued, not linked" "$(q "select status||'|'||coalesce(outbox_id,'') from supplier_pos where po_number='Z1-BL'")" "QUEUED|"
expect "older file untouched" "$(cat "$old")" OLD
expect "no staged or final file left" "$(ls "$W/var/outbox/brightline" | grep -c -v -e '^PO_A_1-BL' -e '^PO_Z1-BL.csv$' || true)" 0
expect "nothing sent for Z1" "$(ls "$W/drops/brightline/po" | grep -c Z1 || true)" 0
echo "ok: $checks checks"
