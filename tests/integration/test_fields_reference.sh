#!/usr/bin/env bash
# The canonical field reference in mappings/README.md is what `dropgate fields --markdown`
# generates from the model (src/core/model_fields.c + the meanings in src/core/model_doc.c):
# a field added, renamed or removed in the model without regenerating the README fails here
# (scripts/fields-reference.sh regenerates it). The check is shown to fail on a README with a
# row taken out and on one with a row added.
set -euo pipefail
: "${DG_BIN:?set DG_BIN}" "${DG_SOURCE_DIR:?set DG_SOURCE_DIR}"
tmp=$(mktemp -d "${DG_BUILD_DIR:-/tmp}/fieldsref-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
section() { awk '/<!-- fields:end -->/ { s = 0 } s { print } /<!-- fields:begin -->/ { s = 1 }' "$1"; }
"$DG_BIN" fields --markdown >"$tmp/gen" || fail "dropgate fields --markdown failed (a field without a meaning?)"
readme=$DG_SOURCE_DIR/mappings/README.md
section "$readme" >"$tmp/have"
[ -s "$tmp/have" ] || fail "mappings/README.md has no <!-- fields:begin --> ... <!-- fields:end --> section"
diff -u "$tmp/have" "$tmp/gen" >"$tmp/diff" ||
  { cat "$tmp/diff"; fail "mappings/README.md field reference differs from the model: run scripts/fields-reference.sh"; }
# every field of the model is in the section, by its path
for kind in order shipment invoice stock; do
  "$DG_BIN" fields "$kind" | awk '{ print $2 }' | while read -r path; do
    case $path in
      *.*) obj=${path%%.*}; grep -qF "\`$obj." "$tmp/have" || fail "$kind $path not in the README reference" ;;
      *) grep -qF "| \`$path\` |" "$tmp/have" || fail "$kind $path not in the README reference" ;;
    esac
  done
done
# the comparison sees a row taken out and a row added
grep -v 'lines\[\].quantity' "$readme" >"$tmp/less.md"
section "$tmp/less.md" | diff -q - "$tmp/gen" >/dev/null && fail "a README without lines[].quantity passed"
sed 's/^| `order_date` |/| `order_datum` | text | x |\n&/' "$readme" >"$tmp/more.md"
section "$tmp/more.md" | diff -q - "$tmp/gen" >/dev/null && fail "a README with an extra field passed"
echo "ok: field reference matches the model"
