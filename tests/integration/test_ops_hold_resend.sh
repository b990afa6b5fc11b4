#!/usr/bin/env bash
# Operator actions on a supplier PO (issue 12): `hold` keeps a PO from being uploaded by any
# poll until `release`; `resend` queues the same file (name and bytes) again and it arrives at
# the supplier exactly once per resend (the supplier here consumes its folder, so every
# arrival is counted); `resend --new-control-numbers` sends a valid file with fresh
# ISA13/GS06/ST02; each action is recorded with who, when and why; --json on each.
set -euo pipefail
. "$DG_SOURCE_DIR/tests/integration/lib/workdir.sh"
command -v jq >/dev/null || { echo "SKIP: jq not installed (scripts/install-deps.sh installs it)"; exit 0; }
dg_workdir ops-hold
cp -r "$DG_SOURCE_DIR/samples/demo/drops/." "$W/drops/"
PO=2001-NW
IN=$W/drops/northwind/inbound
got=$tmp/received
mkdir -p "$got"
arrivals=0
# The supplier consumes its folder: every file that arrived is moved away and counted.
consume() {
  for f in "$IN"/PO_*; do
    [ -f "$f" ] || continue
    arrivals=$((arrivals + 1))
    cp "$f" "$got/$(basename "$f").$arrivals"
    rm "$f"
  done
}
count_po() { ls "$got" | grep -c "^PO_${PO}\.edi\." || true; }
poll() {
  local rc=0
  "$DG_BIN" poll --once --no-wait --config "$CFG" "$@" >>"$log" 2>&1 || rc=$?
  [ "$rc" -eq 0 ] || fail "poll --once $* exited $rc"
  consume
}
run() { "$DG_BIN" "$@" --config "$CFG" 2>>"$log"; }

# Orders in: the POs exist, nothing rendered or sent to northwind yet.
poll --partner northwind
poll --partner brightline
poll --partner shopfront
[ "$(q "select count(*) from supplier_pos where po_number='$PO' and outbox_id is null")" = 1 ] ||
  fail "$PO should be pending: $(q "select po_number, supplier, outbox_id from supplier_pos")"

# hold: refused without a reason; then held, with who and why.
if run hold "$PO" >/dev/null; then fail "hold without --reason accepted"; fi
out=$(run hold "$PO" --reason "customer asked to wait" --by alice --json) || fail "hold exited $?"
[ "$(jq -r '.ok and .action == "hold" and .po_number == "2001-NW" and .by == "alice"' <<<"$out")" = true ] ||
  fail "hold --json: $out"
[ "$(q "select op_hold_by||'|'||op_hold_reason from supplier_pos where po_number='$PO'")" = "alice|customer asked to wait" ] ||
  fail "hold not recorded on the PO"

# status and show name the hold, who and why
"$DG_BIN" status --config "$CFG" >"$tmp/st" 2>>"$log" || fail "status"
grep -q "^POs held by operators: *1 " "$tmp/st" || fail "status: $(cat "$tmp/st")"
grep -q "^  $PO .*by alice: customer asked to wait" "$tmp/st" || fail "status: no held PO line"
"$DG_BIN" status --json --config "$CFG" >"$tmp/st" 2>>"$log" || fail "status --json"
[ "$(jq -r '.operator_held[0] | "\(.po_number) \(.held_by)"' "$tmp/st")" = "$PO alice" ] || fail "status --json: operator_held"
"$DG_BIN" show po "$PO" --config "$CFG" >"$tmp/show" 2>>"$log" || fail "show po"
grep -q "HELD (operator): by alice since .*: customer asked to wait" "$tmp/show" || fail "show po: $(cat "$tmp/show")"
grep -q "operator: .* hold by alice: customer asked to wait" "$tmp/show" || fail "show po: no action line"
"$DG_BIN" show po "$PO" --json --config "$CFG" >"$tmp/show" 2>>"$log" || fail "show po --json"
[ "$(jq -r '.actions[0] | "\(.action) \(.actor)"' "$tmp/show")" = "hold alice" ] || fail "show --json: actions"

# A held PO is not uploaded by a poll; the others are.
poll
poll
[ "$(count_po)" -eq 0 ] || fail "held PO $PO was uploaded"
[ "$(ls "$got" | grep -c '^PO_2003-NW')" -ge 1 ] || fail "the other northwind PO was not sent: $(ls "$got")"
# Rendered into the outbox meanwhile, but its entry stays unsent.
[ "$(q "select state from outbox where kind='po' and ref='$PO'")" = PENDING ] ||
  fail "held PO: outbox entry $(q "select state from outbox where ref='$PO'")"
run hold "$PO" --reason "again" >/dev/null || fail "hold again (new reason)"
# resend of a held PO is refused
if run resend "$PO" >/dev/null; then fail "resend of a held PO accepted"; fi
poll
[ "$(count_po)" -eq 0 ] || fail "held PO $PO uploaded"

# release: the next poll sends it, once.
out=$(run release "$PO" --by bob --reason "go ahead" --json) || fail "release exited $?"
[ "$(jq -r '.ok and .was_held' <<<"$out")" = true ] || fail "release --json: $out"
if run release "$PO" >/dev/null; then fail "release of a PO that is not held accepted"; fi
poll
poll
[ "$(count_po)" -eq 1 ] || fail "$PO arrived $(count_po) times after release, want 1"
first=$(ls "$got" | grep "^PO_${PO}\.edi\." | head -1)

# resend (same bytes): exactly once per resend; a second resend before the upload is refused.
out=$(run resend "$PO" --reason "supplier lost it" --json) || fail "resend exited $?"
[ "$(jq -r '.ok and .file == "PO_2001-NW.edi"' <<<"$out")" = true ] || fail "resend --json: $out"
if run resend "$PO" >/dev/null; then fail "a second resend before the upload accepted"; fi
poll
poll
[ "$(count_po)" -eq 2 ] || fail "$PO arrived $(count_po) times after one resend, want 2"
second=$(ls "$got" | grep "^PO_${PO}\.edi\." | sort -t. -k3 -n | tail -1)
cmp -s "$got/$first" "$got/$second" || fail "the resent file differs from the first"
run resend "$PO" >/dev/null || fail "second resend"
poll
[ "$(count_po)" -eq 3 ] || fail "$PO arrived $(count_po) times after two resends, want 3"

# resend with new control numbers: a new, valid file with a new ISA13.
old_isa=$(q "select interchange_control from supplier_pos where po_number='$PO'")
out=$(run resend "$PO" --new-control-numbers --reason "new numbers" --json) || fail "resend --new-control-numbers: $out"
file=$(jq -r .file <<<"$out")
new_isa=$(q "select interchange_control from supplier_pos where po_number='$PO'")
[ "$new_isa" != "$old_isa" ] || fail "ISA13 unchanged: $new_isa"
[ "$file" = "PO_${PO}_${new_isa}.edi" ] || fail "new file name $file"
poll
n=$(ls "$got" | grep -c "^${file}\.") || true
[ "$n" -eq 1 ] || fail "$file arrived $n times, want 1"
f=$(ls "$got"/"$file".* | head -1)
grep -q "ISA\*.*\*${new_isa}\*" "$f" || fail "the new file does not carry ISA13 $new_isa"
DG_EDI_DIR="$W/edi" "$DG_BIN" validate "$f" >>"$log" 2>&1 || fail "the re-rendered PO does not validate"
[ "$(count_po)" -eq 3 ] || fail "the original file was sent again"

# who/when/why of every action, in order
actions=$(q "select action||':'||actor||':'||coalesce(reason,'') from operator_actions where target='$PO' order by id" | tr '\n' ' ')
case $actions in
  "hold:alice:customer asked to wait hold:"*":again release:bob:go ahead resend:"*":supplier lost it resend:"*": resend:"*":new numbers ") ;;
  *) fail "operator actions: $actions" ;;
esac
[ "$(q "select count(*) from operator_actions where created_at <= 0")" = 0 ] || fail "action without a time"
# unknown PO: exit 1 with a message
rc=0; run hold NOPE --reason x >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "hold of an unknown PO exited $rc, want 1"
echo "ok: hold, release, resend x2 and --new-control-numbers; arrivals counted at the supplier"
