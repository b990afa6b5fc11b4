#!/usr/bin/env bash
# The web console (`dropgate serve`) on a demo run, as an operator and as an attacker would use
# it: every page in headless Chromium (DOM asserted, screenshots kept in the build tree under
# console-screenshots/), a quarantined file reprocessed with the button's POST (token, CSRF,
# Origin and Host checks refused first; each action in the audit log; nothing applied twice),
# /metrics read by a Prometheus text-format parser written here and compared with the store,
# /healthz, and the listen and token policies (loopback only, private token file).
set -euo pipefail
source "$DG_SOURCE_DIR/tests/integration/lib/workdir.sh"
dg_workdir console
spid=
rpid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; [ -n "$rpid" ] && kill "$rpid" 2>/dev/null; rm -rf "$tmp"' EXIT
D=$tmp/demo
"$DG_BIN" demo --dir "$D" --source "$DG_SOURCE_DIR" >"$log" 2>&1 || fail "demo exited $?"
DB=$D/var/dropgate.db
C=(--config "$D/etc/dropgate.yaml")
expect() { checks=$((checks + 1)); [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }

# A file to set aside: northwind sends an 846 while its x12: sets: has no 846 row (a partner
# file not updated yet). Its BIA03 carries markup, which every page must show as text.
sed -i '/"846": mappings\/x12-846-in.yaml/d' "$D/etc/partners/northwind.yaml"
printf 'ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       *261122*0900*U*00401*000009002*0*P*>~\nGS*IB*NORTHWIND*DROPGATE*20261122*0900*9002*X*004010~\nST*846*0001~\nBIA*00*DD*INV&<script*20261122~\nLIN*1*VP*NW-1001~\nQTY*33*77*EA~\nSE*5*0001~\nGE*1*9002~\nIEA*1*000009002~\n' \
  >"$D/drops/northwind/outbound/NW_0901.x12"
set +e
"$DG_BIN" poll --once --no-wait "${C[@]}" >>"$log" 2>&1
rc=$?
set -e
expect "poll exit (quarantined)" "$rc" 3
expect "quarantined" "$(q "SELECT state FROM pickups WHERE path LIKE '%NW_0901.x12'")" QUARANTINED
fid=$(q "SELECT file_id FROM pickups WHERE path LIKE '%NW_0901.x12'")
# A supplier that never answered: one PO sent two days ago without a 997.
q "UPDATE supplier_pos SET status = 'SENT', ack_at = NULL, ack_status = NULL,
   sent_at = strftime('%s', 'now') - 172800 WHERE po_number = '2004-NW'"

# ---- policies: loopback only, private token file ---------------------------------------
set +e
out=$("$DG_BIN" serve "${C[@]}" --listen 0.0.0.0:0 2>&1); rc=$?
set -e
expect "non-loopback listen" "$rc" 2
echo "$out" | grep -q "not a loopback address.*allow_remote" || fail "listen refusal: $out"
cp "$D/etc/dropgate.yaml" "$tmp/dropgate.yaml"
printf 'console:\n  token_file: etc/console.token\n' >>"$D/etc/dropgate.yaml"
printf 'a-token-in-a-readable-file\n' >"$D/etc/console.token"
chmod 644 "$D/etc/console.token"
set +e
out=$(env -u DG_CONSOLE_TOKEN "$DG_BIN" serve "${C[@]}" --listen 127.0.0.1:0 2>&1); rc=$?
set -e
expect "readable token file" "$rc" 2
echo "$out" | grep -q "chmod 600" || fail "token file refusal: $out"
echo "$out" | grep -q "a-token-in" && fail "the token was printed: $out"
rm "$D/etc/console.token"
set +e
out=$(env -u DG_CONSOLE_TOKEN "$DG_BIN" serve "${C[@]}" --listen 127.0.0.1:0 2>&1); rc=$?
set -e
expect "configured token file missing" "$rc" 2
echo "$out" | grep -q "cannot read token_file" || fail "missing token file: $out"
cp "$tmp/dropgate.yaml" "$D/etc/dropgate.yaml"

# start_serve VAR: starts the console on a free loopback port (the kernel's pick) and waits
# for the line that names it.
start_serve() {
  local so=$tmp/serve.$RANDOM
  : >"$so" # exists before the first look (the background job opens it only once it runs)
  "$DG_BIN" serve "${C[@]}" --listen 127.0.0.1:0 >"$so" 2>>"$log" &
  spid=$!
  for _ in $(seq 1 100); do
    port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$so")
    [ -n "$port" ] && break
    kill -0 "$spid" 2>/dev/null || fail "serve exited: $(cat "$so")"
    sleep 0.05
  done
  [ -n "$port" ] || fail "serve did not say its port"
  U=http://127.0.0.1:$port
}
# browse NAME PATH: the page as headless Chromium renders it, in the background: its DOM in
# $tmp/dom-NAME.html, a screenshot kept in the build tree.
browser=$(command -v chromium || command -v chromium-browser || true)
[ -z "$browser" ] && [ "${CI:-}" = true ] && fail "chromium not installed (scripts/install-deps.sh installs it)"
shots=${DG_BUILD_DIR:-$tmp}/console-screenshots
mkdir -p "$shots"
rm -f "$shots"/*.png
browse() {
  [ -n "$browser" ] || return 0
  timeout 60 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
    --user-data-dir="$tmp/chrome-$1" --window-size=1280,1000 --screenshot="$shots/$1.png" \
    --dump-dom "$U$2" >"$tmp/dom-$1.html" 2>>"$tmp/chrome.log" &
}
stop_serve() { kill "$spid"; wait "$spid" || fail "serve exited $? on SIGTERM"; spid=; }
code() { curl -s -o "$tmp/body" -w '%{http_code}' "$@"; }

# ---- read-only without a token -----------------------------------------------------------
DG_CONSOLE_TOKEN= start_serve
expect "read-only POST" "$(code -X POST -d "file_id=$fid" "$U/reprocess")" 403
grep -q "read-only" "$tmp/body" || fail "read-only refusal: $(cat "$tmp/body")"
stop_serve

# ---- the token, CSRF, Origin and Host gates ------------------------------------------------
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export DG_CONSOLE_TOKEN=$TOKEN
start_serve
unset DG_CONSOLE_TOKEN
curl -s -D "$tmp/h" -o "$tmp/body" "$U/healthz"
expect "healthz" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["status"], d["schema"] > 0)' "$tmp/body")" "ok True"
checks=$((checks + 1))
grep -qi "^Content-Security-Policy: default-src 'none'" "$tmp/h" || fail "no CSP: $(cat "$tmp/h")"
expect "Host of another site (DNS rebinding)" "$(code -H 'Host: evil.example' "$U/")" 403
expect "POST without a token" "$(code -X POST -d "file_id=$fid" "$U/reprocess")" 403
expect "wrong token" "$(code -X POST -H "Authorization: Bearer x$TOKEN" -d "file_id=$fid" "$U/reprocess")" 403
A=(-H "Authorization: Bearer $TOKEN")
expect "token, no CSRF" "$(code -X POST "${A[@]}" -d "file_id=$fid" "$U/reprocess")" 403
expect "token, bad CSRF" "$(code -X POST "${A[@]}" -d "file_id=$fid&csrf=0000" "$U/reprocess")" 403
grep -q "CSRF" "$tmp/body" || fail "CSRF refusal: $(cat "$tmp/body")"
expect "nothing applied yet" "$(q "SELECT state FROM pickups WHERE file_id = $fid")" QUARANTINED
tid=token:$(printf %s "$TOKEN" | sha256sum | cut -c1-12)
expect "refusal audited" "$(q "SELECT actor, action, target_kind, target, detail FROM operator_actions ORDER BY id DESC LIMIT 1")" "console $tid@127.0.0.1|reprocess|file|$fid|refused: bad or missing CSRF token"
# The form of the quarantine page carries the CSRF token (for this credential).
code "${A[@]}" "$U/quarantine" >/dev/null
csrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$tmp/body" | head -1)
[ ${#csrf} -eq 64 ] || fail "no CSRF field on the quarantine page"
checks=$((checks + 1))
expect "good CSRF, other site's Origin" "$(code -X POST "${A[@]}" -H 'Origin: http://evil.example' -d "file_id=$fid&csrf=$csrf" "$U/reprocess")" 403
# The quarantine page as a browser shows it, before the fix.
browse quarantine /quarantine
wait $! || fail "chromium failed: $(tail -5 "$tmp/chrome.log")"
# Fixed: northwind.yaml gets its 846 row back; the button's POST applies the set once.
git -C "$DG_SOURCE_DIR" show HEAD:etc/partners/northwind.yaml >/dev/null 2>&1 &&
  grep -q '"846"' "$DG_SOURCE_DIR/etc/partners/northwind.yaml" || fail "test setup: no 846 row in the source"
cp "$DG_SOURCE_DIR/etc/partners/northwind.yaml" "$D/etc/partners/northwind.yaml"
docs=$(q "SELECT count(*) FROM documents")
expect "reprocess" "$(code -X POST "${A[@]}" -H "Origin: $U" -d "file_id=$fid&csrf=$csrf" "$U/reprocess")" 200
grep -q "state=DONE sets=1 applied_now=1" "$tmp/body" || fail "reprocess page: $(cat "$tmp/body")"
checks=$((checks + 1))
expect "file state" "$(q "SELECT state FROM pickups WHERE file_id = $fid")" DONE
expect "stock applied" "$(q "SELECT qty/10000 FROM stock WHERE supplier = 'northwind' AND vendor_sku = 'NW-1001'")" 77
expect "one document more" "$(q "SELECT count(*) FROM documents")" $((docs + 1))
expect "audited, with its lineage" "$(q "SELECT a.actor, a.action, a.target, a.reason, r.state_before, r.state_after, r.applied FROM operator_actions a, reprocesses r WHERE r.parent_file_id = $fid ORDER BY a.id DESC, r.id DESC LIMIT 1")" "console $tid@127.0.0.1|reprocess|$fid|console|QUARANTINED|DONE|1"
expect "again: nothing applied twice" "$(code -X POST "${A[@]}" -d "file_id=$fid&csrf=$csrf" "$U/reprocess")" 200
grep -q "applied_now=0 applied_before=1" "$tmp/body" || fail "second reprocess: $(cat "$tmp/body")"
expect "still one document more" "$(q "SELECT count(*) FROM documents")" $((docs + 1))
# A browser's way: log in with the token, get a session cookie, act with the form's CSRF.
expect "login, wrong token" "$(code -X POST -d "token=nope" "$U/login")" 403
expect "login" "$(code -c "$tmp/jar" -X POST --data-urlencode "token=$TOKEN" "$U/login")" 303
grep -q "dg_session" "$tmp/jar" || fail "no session cookie"
code -b "$tmp/jar" "$U/quarantine" >/dev/null
scsrf=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$tmp/body" | head -1)
[ -n "$scsrf" ] && [ "$scsrf" != "$csrf" ] || fail "session CSRF: '$scsrf'"
expect "session, bearer's CSRF" "$(code -b "$tmp/jar" -X POST -d "file_id=$fid&csrf=$csrf" "$U/reprocess")" 403
expect "session, its CSRF" "$(code -b "$tmp/jar" -X POST -d "file_id=$fid&csrf=$scsrf" "$U/reprocess")" 200
checks=$((checks + 1))
expect "actions audited" "$(q "SELECT group_concat(action || ':' || substr(detail, 1, 7), ' ') FROM operator_actions WHERE actor LIKE 'console %' AND detail NOT LIKE 'refused%'")" "reprocess:state Q reprocess:state D login:done reprocess:state D"

# Poll now, without a daemon: this console runs the cycle itself, as poll --once would.
expect "poll now" "$(code -X POST "${A[@]}" -d "csrf=$csrf" "$U/poll")" 200
grep -q "here, exit 0: poll: " "$tmp/body" || fail "poll page: $(cat "$tmp/body")"
expect "poll of an unknown partner" "$(code -X POST "${A[@]}" -d "csrf=$csrf&partner=nosuch" "$U/poll")" 400
expect "poll audited" "$(q "SELECT action, target, substr(detail, 1, 13) FROM operator_actions WHERE action = 'poll' ORDER BY id")" "$(printf 'poll|all|here, exit 0:\npoll|nosuch|failed: no pa')"

# ---- /metrics: a strict parser of the text format, values compared with the store ----------
curl -s -D "$tmp/mh" -o "$tmp/metrics" "$U/metrics"
grep -qi '^Content-Type: text/plain; version=0.0.4' "$tmp/mh" || fail "metrics content type"
python3 - "$tmp/metrics" "$DB" <<'PY' || fail "metrics"
import math, re, sqlite3, sys
text = open(sys.argv[1], encoding="utf-8").read()
db = sqlite3.connect(sys.argv[2])
assert text.endswith("\n"), "the exposition must end with a newline"
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
help_re = re.compile(rf"# HELP ({NAME}) (.*)")
type_re = re.compile(rf"# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)")
sample_re = re.compile(rf"({NAME})(?:\{{(.*)\}})? (\S+)(?: (-?\d+))?")
pair_re = re.compile(rf'({LABEL})="((?:[^"\\\n]|\\[\\"n])*)"')
types, helps, samples, seen = {}, {}, {}, set()
def value(v):
    if v in ("+Inf", "-Inf", "NaN"):
        return float(v.replace("Inf", "inf").replace("NaN", "nan"))
    assert re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", v), f"bad value {v!r}"
    return float(v)
def family(name):
    for suf in ("_bucket", "_sum", "_count"):
        if name.endswith(suf) and types.get(name[: -len(suf)]) == "histogram":
            return name[: -len(suf)]
    return name
for n, line in enumerate(text.splitlines(), 1):
    where = f"line {n}: {line!r}"
    if line.startswith("# HELP "):
        m = help_re.fullmatch(line); assert m, where
        assert m.group(1) not in helps, "HELP twice " + where
        helps[m.group(1)] = m.group(2); continue
    if line.startswith("# TYPE "):
        m = type_re.fullmatch(line); assert m, where
        assert m.group(1) not in types, "TYPE twice " + where
        assert not any(family(s) == m.group(1) for s, _ in samples), "TYPE after samples " + where
        types[m.group(1)] = m.group(2); continue
    assert not line.startswith("#") and line.strip(), "stray line " + where
    m = sample_re.fullmatch(line); assert m, where
    name, labels = m.group(1), {}
    if m.group(2):
        rest = m.group(2)
        while rest:
            p = pair_re.match(rest); assert p, "bad labels " + where
            assert p.group(1) not in labels, "label twice " + where
            labels[p.group(1)] = p.group(2)
            rest = rest[p.end():]
            if rest:
                assert rest[0] == ",", "bad labels " + where
                rest = rest[1:]
    fam = family(name)
    assert fam in types, "sample without TYPE " + where
    key = (name, tuple(sorted(labels.items())))
    assert key not in seen, "series twice " + where
    seen.add(key)
    samples.setdefault((name, tuple(sorted(labels.items()))), value(m.group(3)))
def get(name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))
# Histograms: per label set, le ascending, counts never falling, +Inf == _count.
for fam, t in types.items():
    if t != "histogram":
        continue
    series = {}
    for (name, labels), v in samples.items():
        if name == fam + "_bucket":
            d = dict(labels); le = d.pop("le")
            series.setdefault(tuple(sorted(d.items())), []).append((value(le), v))
    assert series, f"{fam}: no buckets"
    for lab, buckets in series.items():
        buckets.sort()
        assert buckets[-1][0] == math.inf, f"{fam}{lab}: no +Inf bucket"
        counts = [c for _, c in buckets]
        assert counts == sorted(counts), f"{fam}{lab}: buckets fall: {buckets}"
        assert get(fam + "_count", **dict(lab)) == counts[-1], f"{fam}{lab}: +Inf != _count"
        assert get(fam + "_sum", **dict(lab)) is not None, f"{fam}{lab}: no _sum"
# Values: the same as the store says.
for d, n in db.execute("SELECT direction, count(*) FROM files GROUP BY 1"):
    assert get("dropgate_files_total", direction=d) == n, ("files", d, n)
# a PO whose business status is CANCELLED (re-routed away) counts as CANCELLED, not as its file's SENT
for s, n in db.execute("SELECT CASE WHEN po_status = 'CANCELLED' AND status NOT IN"
                       " ('PARTIALLY_SHIPPED', 'SHIPPED', 'INVOICED') THEN 'CANCELLED' ELSE status END,"
                       " count(*) FROM supplier_pos GROUP BY 1"):
    assert get("dropgate_purchase_orders", status=s) == n, ("pos", s, n)
for s, n in db.execute("SELECT po_status, count(*) FROM supplier_pos GROUP BY 1"):
    assert get("dropgate_purchase_orders_by_po_status", po_status=s) == n, ("po_status", s, n)
for k, o, n in db.execute("SELECT kind, outcome, count(*) FROM documents WHERE outcome NOT LIKE 'accepted=%' GROUP BY 1, 2"):
    assert get("dropgate_documents_total", kind=k, outcome=o) == n, ("docs", k, o, n)
q, = db.execute("SELECT count(*) FROM pickups WHERE state = 'QUARANTINED'").fetchone()
assert get("dropgate_files_quarantined") == q, ("quarantined", q)
assert get("dropgate_acks_overdue") == 1, get("dropgate_acks_overdue")
for p, polls, ok in db.execute("SELECT partner, polls, last_ok_at FROM poll_stats"):
    assert polls >= 4, (p, polls)  # three demo cycles and the poll --once above
    assert get("dropgate_poll_duration_seconds_count", partner=p) == polls, p
    assert get("dropgate_last_successful_poll_timestamp_seconds", partner=p) == ok, p
assert {"shopfront", "northwind", "brightline"} <= {r[0] for r in db.execute("SELECT partner FROM poll_stats")}
print("metrics ok:", len(samples), "samples")
PY
checks=$((checks + 1))

# ---- beside the daemon: pages read through WAL, a reprocess waits for the lock ----------
"$DG_BIN" run --every 1 "${C[@]}" >"$tmp/run.log" 2>&1 &
rpid=$!
for _ in $(seq 1 200); do grep -q "outcome=started" "$tmp/run.log" && break; sleep 0.05; done
grep -q "outcome=started" "$tmp/run.log" || fail "the daemon did not start: $(cat "$tmp/run.log")"
expect "overview while the daemon runs" "$(code "$U/")" 200
expect "metrics while the daemon runs" "$(code "$U/metrics")" 200
expect "reprocess while the daemon holds the lock" "$(code -X POST "${A[@]}" -d "file_id=$fid&csrf=$csrf" "$U/reprocess")" 409
grep -q "holds the state store&#39;s lock" "$tmp/body" || fail "409 page: $(cat "$tmp/body")"
expect "refusal audited" "$(q "SELECT action, substr(detail, 1, 8) FROM operator_actions ORDER BY id DESC LIMIT 1")" "reprocess|refused:"
# Poll now beside the daemon: the daemon is asked, and its summary shown.
expect "poll now, daemon running" "$(code -X POST "${A[@]}" -d "csrf=$csrf&partner=northwind" "$U/poll")" 200
grep -q "by the daemon, exit 0: poll: " "$tmp/body" || fail "poll via the daemon: $(cat "$tmp/body")"
expect "daemon poll audited" "$(q "SELECT target, substr(detail, 1, 21) FROM operator_actions ORDER BY id DESC LIMIT 1")" "northwind|by the daemon, exit 0"
kill -0 "$rpid" || fail "the daemon died: $(tail "$tmp/run.log")"
checks=$((checks + 1))

# ---- every page in a real browser ---------------------------------------------------------
if [ -z "$browser" ]; then
  echo "SKIP: chromium not installed (scripts/install-deps.sh installs it): browser pages not checked"
  stop_serve
  echo "ok: $checks checks"
  exit 0  # the trap stops the daemon
fi
pages=("overview|/" "search|/search?q=2001-NW" "po|/po?id=2001-NW" "po2006|/po?id=2006-NW" "order|/order?id=2004&storefront=shopfront"
       "doc|/doc?id=$(q "SELECT min(id) FROM documents WHERE kind = 'stock' AND file_id = $fid")"
       "reconcile|/reconcile" "overdue|/overdue" "audit|/audit")
# All at once: each browser mostly waits, and the machine has two cores.
bpids=()
for pg in "${pages[@]}"; do
  browse "${pg%%|*}" "${pg#*|}"
  bpids+=("$!")
done
for j in "${bpids[@]}"; do wait "$j" || fail "chromium failed: $(tail -5 "$tmp/chrome.log")"; done
python3 - "$tmp" "$shots" "$fid" <<'PY' || fail "pages in the browser"
import sys
from html.parser import HTMLParser
tmp, shots, fid = sys.argv[1:]
class Dom(HTMLParser):
    """The rendered DOM as a list of (path of tags with ids/classes, text) and the elements."""
    def __init__(self):
        super().__init__(); self.stack, self.texts, self.tags = [], [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag not in ("meta", "link", "input", "br", "img"):
            self.stack.append(tag + ("#" + a["id"] if "id" in a else "") + ("." + a["class"] if "class" in a else ""))
    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop().split("#")[0].split(".")[0] == tag:
                break
    def handle_data(self, data):
        if data.strip():
            self.texts.append((" ".join(self.stack), data.strip()))
def load(name):
    d = Dom(); d.feed(open(f"{tmp}/dom-{name}.html", encoding="utf-8").read()); return d
def within(d, marker):
    return [t for p, t in d.texts if marker in p]
def has(d, marker, text, what):
    got = within(d, marker)
    assert any(text in t for t in got), f"{what}: {text!r} not under {marker}: {got[:40]}"
d = load("overview")
assert not any(tag == "script" for tag, _ in d.tags), "a script element"
has(d, "table#partners", "northwind", "overview partners")
has(d, "table#partners", "shopfront", "overview partners")
has(d, "table#orders-today", "CONVERTED", "today's orders")
has(d, "table#orders-today", "PARTIALLY_CONVERTED", "today's orders")
d = load("search")
has(d, "table#results", "2001-NW", "search hit")
has(d, "table#results", "INV-NW-5001", "search hit")
d = load("po")
segs = within(d, "ol.segments")
assert segs[0].startswith("ISA*") and "BEG*00*DS*2001-NW**" in " ".join(segs), segs[:5]
assert any(s.startswith("PO1*1*2*EA*4.10") for s in segs) and segs[-1].startswith("IEA*1*"), segs
assert all(s.count("~") == 0 for s in segs), "a segment line holds a terminator"
has(d, "section#canonical", '"po_number": "2001-NW"', "canonical JSON beside the segments")
has(d, "table#lines", "NW-1002", "po lines")
has(d, "table#acks", "accepted=1", "997 received")
has(d, "table#shipments", "1Z999AA10123456784", "tracking")
# the PO re-routed away: CANCELLED, with what its file did (SENT) beside it
d = load("po2006")
fl = within(d, "dl.fields")
i = fl.index("status")
assert fl[i + 1] == "CANCELLED" and fl[fl.index("transport_status") + 1] == "SENT" and \
    fl[fl.index("po_status") + 1] == "CANCELLED", fl[:14]
d = load("order")
has(d, "table#lines", "SKU SF-9999 is not in the catalog", "failed line's reason")
has(d, "section#canonical", "SF-1006", "canonical order")
has(d, "section#raw", "SF-1006", "the CSV the order came in")
d = load("doc")
segs = within(d, "ol.segments")
assert "BIA*00*DD*INV&<script*20261122" in segs, f"markup in the file shown as text: {segs}"
assert not any(tag == "script" for tag, _ in d.tags), "partner markup became an element"
has(d, "section#canonical", "NW-1001", "canonical stock document")
d = load("quarantine")
has(d, "table#quarantine", "NW_0901.x12", "quarantined file")
has(d, "td.reason", "transaction set 846 (GS08 004010) is not supported for partner northwind", "the reason")
has(d, "table#quarantine", "QUARANTINED", "state")
d = load("reconcile")
has(d, "table#exceptions", "INV-BL-7002", "discrepancy")
has(d, "td.reason", "PRICE_ABOVE_TOLERANCE", "discrepancy reason")
d = load("overdue")
has(d, "table#overdue-acks", "2004-NW", "overdue 997")
has(d, "table#overdue-acks", "no 997 received", "overdue note")
d = load("audit")
has(d, "table#audit", "reprocess", "audit log")
has(d, "table#audit", "console token:", "audit actor")
has(d, "table#audit", "state QUARANTINED -> DONE, applied now 1", "audit outcome")
import os
for n in ("overview", "po", "quarantine", "doc"):
    p = f"{shots}/{n}.png"
    assert os.path.getsize(p) > 5000 and open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n", p
print("pages ok")
PY
checks=$((checks + 9))
stop_serve
kill "$rpid"
wait "$rpid" || fail "the daemon exited $? on SIGTERM"
rpid=
echo "ok: $checks checks (screenshots: $shots)"
