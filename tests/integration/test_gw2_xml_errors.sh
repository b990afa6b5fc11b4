#!/usr/bin/env bash
# libxml2 never prints on its own: a malformed XML file, a missing one, or a mapping whose XPath
# fails at evaluation gives dropgate's one-line message on stderr and nothing raw from libxml2.
set -euo pipefail
: "${DG_BIN:?set DG_BIN to the dropgate binary}" "${DG_SOURCE_DIR:?set DG_SOURCE_DIR}"
base=${DG_BUILD_DIR:-/tmp}/testtmp
mkdir -p "$base"
tmp=$(mktemp -d "$base/gw2-xml-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
M=$DG_SOURCE_DIR/mappings/order-xml-in.yaml
S=$DG_SOURCE_DIR/samples/mapping/orders.xml
fail() { echo "FAIL: $*"; echo "--- stderr:"; cat err; exit 1; }

# translate FILE MAPPING WANT_RC PATTERN: stderr is exactly one line (dropgate's) matching PATTERN
check() {
  set +e
  "$DG_BIN" translate --map "$2" "$1" >out 2>err
  rc=$?
  set -e
  [ "$rc" -eq "$3" ] || fail "$1: exit $rc, want $3"
  lines=$(grep -c . err || true)
  [ "$lines" -eq 1 ] || fail "$1: $lines line(s) on stderr, want 1"
  grep -q "^dropgate translate: .*$4" err || fail "$1: message does not match '$4'"
  if grep -qiE "^(XPath error|parser error|I/O|namespace error)|xmlXPath" err; then fail "$1: raw libxml2 output"; fi
}

printf '<?xml version="1.0"?>\n<Orders><Order attr=x></Orders>\n' >bad.xml
check bad.xml "$M" 1 "bad.xml:2: malformed XML: "
printf '<Orders><![CDATA[ never closed\nsecond line' >cdata.xml
check cdata.xml "$M" 1 "cdata.xml:[0-9]*: malformed XML: CData section not finished"
printf '<?xml version="1.0" encoding="UTF-8"?><Orders>\xff\xfe</Orders>' >utf.xml
check utf.xml "$M" 1 "utf.xml:1: malformed XML: Input is not proper UTF-8"
check missing.xml "$M" 2 "missing.xml: cannot read: "
mkdir folder.xml
check folder.xml "$M" 2 "folder.xml: cannot read: it is a folder"

# XPath errors at evaluation (undefined prefix, unknown function): nothing raw on stderr.
mkdir -p maps
cp -r "$DG_SOURCE_DIR/mappings/tables" maps/ 2>/dev/null || true
sed 's|source: o:Currency,|source: "x:Currency",|' "$M" >maps/prefix.yaml
sed 's|source: o:Currency,|source: "nofunc(o:Currency)",|' "$M" >maps/func.yaml
grep -q 'x:Currency' maps/prefix.yaml || fail "the mapping changed: no o:Currency field to break"
sed 's|source: o:Currency,|source: "o:Currency[",|' "$M" >maps/syntax.yaml
for m in prefix func syntax; do
  set +e
  "$DG_BIN" translate --map "maps/$m.yaml" "$S" >out 2>err
  rc=$?
  set -e
  if grep -qiE "XPath error|xmlXPath|not found" err; then fail "$m: raw libxml2 XPath output"; fi
  # a broken XPath is the mapping's fault: an error naming the mapping, never an empty field
  [ "$rc" -ne 0 ] || fail "$m: translate succeeded with a broken XPath"
  grep -q "maps/$m.yaml:[0-9]*:" err || fail "$m: the error does not name the mapping line: $(cat err)"
  [ "$(wc -l <err)" -eq 1 ] || fail "$m: want one line on stderr, got: $(cat err)"
done
echo "ok: malformed, missing and XPath-failing XML give dropgate's message only"
