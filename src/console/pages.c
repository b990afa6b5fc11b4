/* The console's list pages: overview (partners, today's orders), search, files set aside
 * (quarantine, with the reprocess button), reconciliation exceptions, overdue
 * acknowledgments, the audit log, and the page frame they share. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console/console_internal.h"
#include "core/decimal.h"
#include "flow/flow.h"
#include "store/store.h"

/* ---- frame and small helpers ---------------------------------------------------------- */

void cn_text(cn_resp *w, const char *text)
{
    dg_html_escape(&w->body, text);
}

void cn_time(cn_resp *w, int64_t t)
{
    char b[32];
    time_t tt = (time_t)t;
    struct tm tm;
    if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(b, sizeof b, "%Y-%m-%d %H:%M:%SZ", &tm))
        snprintf(b, sizeof b, "-");
    dg_buf_puts(&w->body, b);
}

void cn_link(cn_resp *w, const char *path, const char *param, const char *value, const char *label)
{
    dg_buf_printf(&w->body, "<a href=\"%s?%s=", path, param);
    dg_html_url_encode(&w->body, value);
    dg_buf_puts(&w->body, "\">");
    cn_text(w, label);
    dg_buf_puts(&w->body, "</a>");
}

const char *cn_str(json_t *o, const char *k, char *buf, size_t size)
{
    json_t *v = json_object_get(o, k);
    if (json_is_integer(v)) {
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    const char *s = json_string_value(v);
    return s ? s : "";
}

/* A table cell holding field k of o, escaped. */
static void cell(cn_resp *w, json_t *o, const char *k)
{
    char b[32];
    dg_buf_puts(&w->body, "<td>");
    cn_text(w, cn_str(o, k, b, sizeof b));
    dg_buf_puts(&w->body, "</td>");
}

void cn_begin(cn_resp *w, const cn_req *r, const char *title)
{
    dg_buf_puts(&w->body, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                          "<title>");
    cn_text(w, title);
    dg_buf_puts(&w->body,
                " - dropgate</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>"
                "<nav><a href=\"/\">Overview</a><a href=\"/search\">Search</a>"
                "<a href=\"/quarantine\">Quarantine</a><a href=\"/reconcile\">Reconciliation</a>"
                "<a href=\"/overdue\">Overdue acks</a><a href=\"/audit\">Audit log</a>");
    if (r->cred && !strncmp(r->cred, "session:", 8)) {
        dg_buf_puts(&w->body, "<form method=\"post\" action=\"/logout\">"
                              "<input type=\"hidden\" name=\"csrf\" value=\"");
        cn_text(w, r->csrf);
        dg_buf_puts(&w->body, "\"><button>Log out</button></form>");
    } else if (!r->cred && dg_console_writable(r->c)) {
        dg_buf_puts(&w->body, "<a href=\"/login\">Log in</a>");
    }
    dg_buf_puts(&w->body, "</nav><main><h1>");
    cn_text(w, title);
    dg_buf_puts(&w->body, "</h1>\n");
}

void cn_end(cn_resp *w)
{
    dg_buf_puts(&w->body, "</main></body></html>\n");
}

void cn_error(cn_resp *w, const cn_req *r, int status, const char *title, const char *msg)
{
    dg_buf_clear(&w->body);
    w->status = status;
    w->type = NULL;
    cn_begin(w, r, title);
    dg_buf_puts(&w->body, "<p class=\"bad\" id=\"error\">");
    cn_text(w, msg);
    dg_buf_puts(&w->body, "</p>");
    cn_end(w);
}

/* The store, or a 503 page saying why not. */
static struct dg_store *store_or_503(cn_req *r, cn_resp *w)
{
    dg_error err = {0};
    struct dg_store *s = cn_store(r->c, &err);
    if (!s)
        cn_error(w, r, 503, "State store unavailable", err.msg);
    return s;
}

/* A failed read: the handle may be broken (file replaced, disk gone), so it is reopened. */
static void read_failed(cn_req *r, cn_resp *w, const dg_error *err)
{
    cn_store_reset(r->c);
    cn_error(w, r, 503, "State store unavailable", err->msg);
}

/* ---- overview ------------------------------------------------------------------------- */

static json_t *by_partner(json_t *rows, const char *name)
{
    size_t i;
    json_t *o;
    json_array_foreach(rows, i, o)
    {
        const char *p = json_string_value(json_object_get(o, "partner"));
        if (p && !strcmp(p, name))
            return o;
    }
    return NULL;
}

static long overdue_of(const dg_flow_overdue *od, size_t n, const char *partner)
{
    long k = 0;
    for (size_t i = 0; i < n; i++)
        k += !strcmp(od[i].supplier, partner);
    return k;
}

/* A "Poll now" button (partner NULL: every partner), or nothing without a credential. */
static void poll_form(cn_req *r, cn_resp *w, const char *partner)
{
    if (!r->cred)
        return;
    dg_buf_puts(&w->body, "<form method=\"post\" action=\"/poll\"><input type=\"hidden\" "
                          "name=\"csrf\" value=\"");
    cn_text(w, r->csrf);
    dg_buf_puts(&w->body, "\">");
    if (partner) {
        dg_buf_puts(&w->body, "<input type=\"hidden\" name=\"partner\" value=\"");
        cn_text(w, partner);
        dg_buf_puts(&w->body, "\">");
    }
    dg_buf_puts(&w->body, partner ? "<button>Poll</button></form>"
                                  : "<button>Poll every partner now</button></form>");
}

void cn_page_overview(cn_req *r, cn_resp *w)
{
    struct dg_store *s = store_or_503(r, w);
    if (!s)
        return;
    dg_error err = {0};
    json_t *stats = NULL, *counts = NULL, *today = NULL;
    dg_flow_overdue *od = NULL;
    size_t n_od = 0;
    int64_t midnight = r->now - r->now % 86400;
    if (dg_store_poll_stats(s, &stats, &err) || dg_store_partner_counts(s, &counts, &err) ||
        dg_store_orders_since(s, midnight, &today, &err) ||
        dg_flow_overdue_pos(s, r->c->rules, r->now, &od, &n_od, &err)) {
        json_decref(stats);
        json_decref(counts);
        json_decref(today);
        read_failed(r, w, &err);
        return;
    }
    cn_begin(w, r, "Overview");
    poll_form(r, w, NULL);
    dg_buf_printf(&w->body,
                  "<h2>Partners</h2><table id=\"partners\"><tr><th>Partner</th>"
                  "<th>Role</th><th>Last poll</th><th>Last success</th><th>Polls</th>"
                  "<th>Errors</th><th>Last error</th><th>Quarantined</th>"
                  "<th>Pending out</th><th>Overdue POs</th>%s</tr>\n",
                  r->cred ? "<th>Action</th>" : "");
    const dg_gw_config *cfg = r->c->cfg;
    for (size_t i = 0; i < cfg->n_partners; i++) {
        const dg_gw_partner *p = &cfg->partners[i];
        json_t *st = by_partner(stats, p->name), *ct = by_partner(counts, p->name);
        char b[32];
        dg_buf_puts(&w->body, "<tr><td>");
        cn_link(w, "/search", "q", p->name, p->name);
        dg_buf_printf(&w->body, "</td><td>%s</td><td>",
                      p->role == DG_ROLE_SUPPLIER ? "supplier" : "storefront");
        cn_time(w, json_integer_value(json_object_get(st, "last_at")));
        dg_buf_puts(&w->body, "</td><td>");
        cn_time(w, json_integer_value(json_object_get(st, "last_ok_at")));
        dg_buf_puts(&w->body, "</td>");
        cell(w, st, "polls");
        dg_buf_printf(&w->body, "<td%s>%s</td>",
                      json_integer_value(json_object_get(st, "failures")) ? " class=\"bad\"" : "",
                      cn_str(st, "failures", b, sizeof b));
        cell(w, st, "last_error");
        dg_buf_printf(&w->body, "<td>%lld</td><td>%lld</td><td>%ld</td>",
                      (long long)(json_integer_value(json_object_get(ct, "quarantined")) +
                                  json_integer_value(json_object_get(ct, "partial"))),
                      (long long)(json_integer_value(json_object_get(ct, "outbox_pending")) +
                                  json_integer_value(json_object_get(ct, "outbox_failed"))),
                      overdue_of(od, n_od, p->name));
        if (r->cred) {
            dg_buf_puts(&w->body, "<td>");
            poll_form(r, w, p->name);
            dg_buf_puts(&w->body, "</td>");
        }
        dg_buf_puts(&w->body, "</tr>\n");
    }
    dg_buf_puts(&w->body, "</table>\n<h2>Today's orders (UTC) by status</h2>"
                          "<table id=\"orders-today\"><tr><th>Status</th><th>Orders</th></tr>\n");
    size_t i;
    json_t *o;
    json_array_foreach(today, i, o)
    {
        dg_buf_puts(&w->body, "<tr>");
        cell(w, o, "status");
        cell(w, o, "n");
        dg_buf_puts(&w->body, "</tr>\n");
    }
    if (!json_array_size(today))
        dg_buf_puts(&w->body, "<tr><td colspan=\"2\">no orders today</td></tr>");
    dg_buf_puts(&w->body, "</table>\n");
    json_decref(stats);
    json_decref(counts);
    json_decref(today);
    free(od);
    cn_end(w);
}

/* ---- search --------------------------------------------------------------------------- */

/* The page that tells a hit's story. */
static void hit_link(cn_resp *w, json_t *h)
{
    char b[32], id[32];
    const char *kind = cn_str(h, "kind", b, sizeof b), *key = cn_str(h, "key", id, sizeof id);
    char idb[32];
    const char *rowid = cn_str(h, "id", idb, sizeof idb);
    if (!strcmp(kind, "order")) {
        dg_buf_puts(&w->body, "<a href=\"/order?id=");
        dg_html_url_encode(&w->body, key);
        dg_buf_puts(&w->body, "&amp;storefront=");
        dg_html_url_encode(&w->body, json_string_value(json_object_get(h, "partner")));
        dg_buf_puts(&w->body, "\">");
        cn_text(w, key);
        dg_buf_puts(&w->body, "</a>");
    } else if (!strcmp(kind, "po")) {
        cn_link(w, "/po", "id", key, key);
    } else if (!strcmp(kind, "document")) {
        cn_link(w, "/doc", "id", rowid, key);
    } else if ((!strcmp(kind, "file") || !strcmp(kind, "outbox")) &&
               json_string_value(json_object_get(h, "sha256"))) {
        cn_link(w, "/file", "sha", json_string_value(json_object_get(h, "sha256")), key);
    } else if (!strcmp(kind, "shipment") || !strcmp(kind, "invoice")) {
        const char *st = json_string_value(json_object_get(h, "status"));
        cn_text(w, key);
        if (st && !strncmp(st, "PO ", 3)) {
            dg_buf_puts(&w->body, " (");
            cn_link(w, "/po", "id", st + 3, st);
            dg_buf_puts(&w->body, ")");
        }
    } else {
        cn_text(w, key);
    }
}

void cn_page_search(cn_req *r, cn_resp *w)
{
    const char *q = cn_arg(r, "q");
    json_t *hits = NULL;
    if (q && *q) {
        struct dg_store *s = store_or_503(r, w);
        if (!s)
            return;
        dg_error err = {0};
        if (dg_store_search(s, q, &hits, &err)) {
            read_failed(r, w, &err);
            return;
        }
    }
    cn_begin(w, r, "Search");
    dg_buf_puts(&w->body, "<form method=\"get\" action=\"/search\"><input name=\"q\" size=\"40\" "
                          "placeholder=\"order, PO, invoice, tracking, ISA13, file name, "
                          "SHA-256\" value=\"");
    cn_text(w, q);
    dg_buf_puts(&w->body, "\"><button>Search</button></form>\n");
    if (q && *q) {
        dg_buf_printf(&w->body, "<p id=\"hits\">%zu record(s) carry ", json_array_size(hits));
        cn_text(w, q);
        dg_buf_puts(&w->body, "</p><table id=\"results\"><tr><th>Kind</th><th>Record</th>"
                              "<th>Partner</th><th>Matched</th><th>Status</th><th>At</th>"
                              "<th>Note</th></tr>\n");
        size_t i;
        json_t *h;
        json_array_foreach(hits, i, h)
        {
            dg_buf_puts(&w->body, "<tr>");
            cell(w, h, "kind");
            dg_buf_puts(&w->body, "<td>");
            hit_link(w, h);
            dg_buf_puts(&w->body, "</td>");
            cell(w, h, "partner");
            cell(w, h, "matched");
            cell(w, h, "status");
            dg_buf_puts(&w->body, "<td>");
            cn_time(w, json_integer_value(json_object_get(h, "at")));
            dg_buf_puts(&w->body, "</td>");
            cell(w, h, "note");
            dg_buf_puts(&w->body, "</tr>\n");
        }
        dg_buf_puts(&w->body, "</table>\n");
    }
    json_decref(hits);
    cn_end(w);
}

/* ---- quarantine ----------------------------------------------------------------------- */

/* The reprocess button of a file, or why there is none. */
static void reprocess_form(cn_req *r, cn_resp *w, json_t *k)
{
    char b[32];
    const char *file_id = cn_str(k, "file_id", b, sizeof b);
    if (!*file_id) {
        dg_buf_puts(&w->body, "<span class=\"note\">not archived: fix it at the partner and "
                              "send it again</span>");
        return;
    }
    if (!r->cred) {
        dg_buf_puts(&w->body, dg_console_writable(r->c)
                                  ? "<span class=\"note\">log in to reprocess</span>"
                                  : "<span class=\"note\">read-only console</span>");
        return;
    }
    dg_buf_puts(&w->body, "<form method=\"post\" action=\"/reprocess\">"
                          "<input type=\"hidden\" name=\"csrf\" value=\"");
    cn_text(w, r->csrf);
    dg_buf_puts(&w->body, "\"><input type=\"hidden\" name=\"file_id\" value=\"");
    cn_text(w, file_id);
    dg_buf_puts(&w->body, "\"><button>Reprocess</button></form>");
}

void cn_page_quarantine(cn_req *r, cn_resp *w)
{
    struct dg_store *s = store_or_503(r, w);
    if (!s)
        return;
    dg_error err = {0};
    json_t *rows = NULL;
    if (dg_store_quarantine_list(s, &rows, &err)) {
        read_failed(r, w, &err);
        return;
    }
    cn_begin(w, r, "Quarantine");
    dg_buf_printf(&w->body,
                  "<p>%zu file(s) set aside: QUARANTINED (nothing applied) or PARTIAL (some X12 "
                  "sets rejected). After fixing the mapping or configuration, reprocess applies "
                  "what was not applied; nothing is applied twice.</p>\n"
                  "<table id=\"quarantine\"><tr><th>When</th><th>Partner</th><th>File</th>"
                  "<th>State</th><th>Reason</th><th>Kept at</th><th>Action</th></tr>\n",
                  json_array_size(rows));
    size_t i;
    json_t *k;
    json_array_foreach(rows, i, k)
    {
        dg_buf_puts(&w->body, "<tr><td>");
        cn_time(w, json_integer_value(json_object_get(k, "at")));
        dg_buf_puts(&w->body, "</td>");
        cell(w, k, "partner");
        dg_buf_puts(&w->body, "<td>");
        const char *sha = json_string_value(json_object_get(k, "sha256"));
        const char *path = json_string_value(json_object_get(k, "path"));
        if (json_integer_value(json_object_get(k, "file_id")) && sha)
            cn_link(w, "/file", "sha", sha, path);
        else
            cn_text(w, path);
        dg_buf_puts(&w->body, "</td>");
        cell(w, k, "state");
        dg_buf_puts(&w->body, "<td class=\"reason\">");
        cn_text(w, json_string_value(json_object_get(k, "reason")));
        dg_buf_puts(&w->body, "</td>");
        cell(w, k, "quarantine_path");
        dg_buf_puts(&w->body, "<td>");
        reprocess_form(r, w, k);
        dg_buf_puts(&w->body, "</td></tr>\n");
    }
    dg_buf_puts(&w->body, "</table>\n");
    json_decref(rows);
    cn_end(w);
}

/* ---- reconciliation exceptions --------------------------------------------------------- */

void cn_page_reconcile(cn_req *r, cn_resp *w)
{
    struct dg_store *s = store_or_503(r, w);
    if (!s)
        return;
    dg_error err = {0};
    dg_flow_reconcile_row *rows = NULL;
    size_t n = 0;
    if (dg_flow_report_reconcile(s, &rows, &n, &err)) {
        read_failed(r, w, &err);
        return;
    }
    cn_begin(w, r, "Reconciliation exceptions");
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += strcmp(rows[i].outcome, "MATCHED") != 0;
    dg_buf_printf(&w->body,
                  "<p>%zu of %zu invoice(s) did not pass the 3-way match (PO, receipt, "
                  "invoice).</p><table id=\"exceptions\"><tr><th>Supplier</th><th>Invoice</th>"
                  "<th>PO</th><th>Order</th><th>Invoice total</th><th>PO amount</th>"
                  "<th>Reasons</th><th>Received</th></tr>\n",
                  bad, n);
    for (size_t i = 0; i < n; i++) {
        const dg_flow_reconcile_row *x = &rows[i];
        if (!strcmp(x->outcome, "MATCHED"))
            continue;
        char total[48], po[48];
        dg_dec_format_fixed(x->total, 2, total, sizeof total);
        dg_dec_format_fixed(x->po_amount, 2, po, sizeof po);
        dg_buf_puts(&w->body, "<tr><td>");
        cn_text(w, x->supplier);
        dg_buf_puts(&w->body, "</td><td>");
        cn_text(w, x->invoice_number);
        dg_buf_puts(&w->body, "</td><td>");
        cn_link(w, "/po", "id", x->po_number, x->po_number);
        dg_buf_puts(&w->body, "</td><td>");
        cn_text(w, x->order_number);
        dg_buf_printf(&w->body, "</td><td>%s</td><td>%s</td><td class=\"reason\">", total, po);
        cn_text(w, x->reasons);
        dg_buf_puts(&w->body, "</td><td>");
        cn_time(w, x->created_at);
        dg_buf_puts(&w->body, "</td></tr>\n");
    }
    dg_buf_puts(&w->body, "</table>\n");
    free(rows);
    cn_end(w);
}

/* ---- overdue acknowledgments ------------------------------------------------------------ */

static void overdue_table(cn_resp *w, const char *id, const dg_flow_overdue *od, size_t n,
                          bool acks)
{
    dg_buf_printf(&w->body,
                  "<table id=\"%s\"><tr><th>PO</th><th>Supplier</th><th>Order</th>"
                  "<th>Status</th><th>Waiting for</th><th>Sent</th><th>Age</th></tr>\n",
                  id);
    for (size_t i = 0; i < n; i++) {
        if ((strcmp(od[i].what, "ack") == 0) != acks)
            continue;
        dg_buf_puts(&w->body, "<tr><td>");
        cn_link(w, "/po", "id", od[i].po_number, od[i].po_number);
        dg_buf_puts(&w->body, "</td><td>");
        cn_text(w, od[i].supplier);
        dg_buf_puts(&w->body, "</td><td>");
        cn_text(w, od[i].order_number);
        dg_buf_puts(&w->body, "</td><td>");
        cn_text(w, od[i].status);
        dg_buf_puts(&w->body, "</td><td>");
        cn_text(w, od[i].note);
        dg_buf_puts(&w->body, "</td><td>");
        cn_time(w, od[i].sent_at);
        dg_buf_printf(&w->body, "</td><td>%lldh %02lldm</td></tr>\n",
                      (long long)(od[i].age_seconds / 3600),
                      (long long)(od[i].age_seconds % 3600 / 60));
    }
    dg_buf_puts(&w->body, "</table>\n");
}

void cn_page_overdue(cn_req *r, cn_resp *w)
{
    struct dg_store *s = store_or_503(r, w);
    if (!s)
        return;
    dg_error err = {0};
    dg_flow_overdue *od = NULL;
    size_t n = 0;
    if (dg_flow_overdue_pos(s, r->c->rules, r->now, &od, &n, &err)) {
        read_failed(r, w, &err);
        return;
    }
    size_t acks = 0;
    for (size_t i = 0; i < n; i++)
        acks += !strcmp(od[i].what, "ack");
    cn_begin(w, r, "Overdue acknowledgments");
    dg_buf_printf(&w->body,
                  "<p>%zu PO(s) sent without a 997/999 after their supplier's ack_after "
                  "(etc/routing.yaml overdue: or suppliers:; 24h when not set).</p>\n",
                  acks);
    overdue_table(w, "overdue-acks", od, n, true);
    dg_buf_printf(&w->body,
                  "<h2>Other overdue POs</h2><p>%zu PO(s) without an ASN after asn_after (72h "
                  "when not set), or never sent.</p>\n",
                  n - acks);
    overdue_table(w, "overdue-other", od, n, false);
    free(od);
    cn_end(w);
}

/* ---- audit log ------------------------------------------------------------------------ */

void cn_page_audit(cn_req *r, cn_resp *w)
{
    struct dg_store *s = store_or_503(r, w);
    if (!s)
        return;
    dg_error err = {0};
    json_t *rows = NULL;
    if (dg_store_actions(s, NULL, NULL, &rows, &err)) {
        read_failed(r, w, &err);
        return;
    }
    cn_begin(w, r, "Audit log");
    dg_buf_puts(&w->body, "<p>Every operator action, from the console and the command line "
                          "(hold, release, resend, reprocess, log in), newest first (the last "
                          "200).</p><table id=\"audit\"><tr><th>When</th><th>Who</th>"
                          "<th>Action</th><th>On</th><th>Target</th><th>Reason</th>"
                          "<th>Outcome</th></tr>\n");
    size_t n = json_array_size(rows);
    for (size_t i = n; i > 0 && i + 200 > n; i--) {
        json_t *a = json_array_get(rows, i - 1);
        dg_buf_puts(&w->body, "<tr><td>");
        cn_time(w, json_integer_value(json_object_get(a, "created_at")));
        dg_buf_puts(&w->body, "</td>");
        cell(w, a, "actor");
        cell(w, a, "action");
        cell(w, a, "target_kind");
        cell(w, a, "target");
        cell(w, a, "reason");
        cell(w, a, "detail");
        dg_buf_puts(&w->body, "</tr>\n");
    }
    dg_buf_puts(&w->body, "</table>\n");
    json_decref(rows);
    cn_end(w);
}
