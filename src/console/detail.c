/* The console's detail pages: one PO or order (the `dropgate show` story), one received
 * document, one archived file. A file's raw content is shown one X12 segment per line beside
 * the canonical JSON, so an operator sees what came in and what dropgate made of it. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/console_internal.h"
#include "store/store.h"

/* Shown at most: a page is for reading, the archive keeps the whole file. */
#define RAW_MAX (1024 * 1024)

static bool is_sha256(const char *s)
{
    if (!s || strlen(s) != 64)
        return false;
    for (const char *p = s; *p; p++)
        if (!isxdigit((unsigned char)*p) || isupper((unsigned char)*p))
            return false;
    return true;
}

/* The archived copy as an ordered list: X12 one segment per item (the terminator is ISA's
 * 106th byte), anything else one line per item. */
static void raw_file(cn_resp *w, const dg_gw_config *cfg, const char *sha)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%.2s/%s", cfg->archive_dir, sha, sha);
    FILE *f = is_sha256(sha) ? fopen(path, "rb") : NULL;
    if (!f) {
        dg_buf_puts(&w->body, "<p class=\"note\">no archived copy</p>");
        return;
    }
    char *data = malloc(RAW_MAX + 1);
    size_t n = data ? fread(data, 1, RAW_MAX, f) : 0;
    bool more = data && fgetc(f) != EOF;
    fclose(f);
    if (!data)
        return;
    data[n] = '\0';
    char term = n >= 106 && !strncmp(data, "ISA", 3) ? data[105] : '\n';
    dg_buf_printf(&w->body, "<ol class=\"segments\" data-x12=\"%s\">", term != '\n' ? "1" : "0");
    size_t i = 0;
    while (i < n) {
        while (term != '\n' && i < n && (data[i] == '\r' || data[i] == '\n'))
            i++; /* line breaks after the terminator */
        if (i >= n)
            break;
        size_t end = i;
        while (end < n && data[end] != term)
            end++;
        char saved = data[end];
        data[end] = '\0';
        if (end > i && data[end - 1] == '\r')
            data[end - 1] = '\0';
        dg_buf_puts(&w->body, "<li>");
        dg_html_escape(&w->body, data + i);
        dg_buf_puts(&w->body, "</li>");
        data[end] = saved;
        i = end + 1;
    }
    dg_buf_puts(&w->body, "</ol>");
    if (more)
        dg_buf_printf(&w->body, "<p class=\"note\">first %d bytes shown; the whole file: %s</p>",
                      RAW_MAX, path);
    free(data);
}

/* Raw file (left) and canonical JSON (right). */
static void side_by_side(cn_resp *w, const dg_gw_config *cfg, const char *sha, json_t *json,
                         const char *json_title)
{
    dg_buf_puts(&w->body, "<div class=\"side\"><section id=\"raw\"><h2>Raw file</h2>");
    if (sha && *sha)
        raw_file(w, cfg, sha);
    else
        dg_buf_puts(&w->body, "<p class=\"note\">no file</p>");
    dg_buf_puts(&w->body, "</section><section id=\"canonical\"><h2>");
    cn_text(w, json_title);
    dg_buf_puts(&w->body, "</h2><pre>");
    char *text = json ? json_dumps(json, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    cn_text(w, text ? text : "(none)");
    free(text);
    dg_buf_puts(&w->body, "</pre></section></div>\n");
}

/* A definition list of the named fields of o that are set. */
static void fields(cn_resp *w, json_t *o, const char *const *keys)
{
    dg_buf_puts(&w->body, "<dl class=\"fields\">");
    for (size_t i = 0; keys[i]; i++) {
        json_t *v = json_object_get(o, keys[i]);
        if (!v)
            continue;
        char b[32];
        dg_buf_puts(&w->body, "<dt>");
        cn_text(w, keys[i]);
        dg_buf_puts(&w->body, "</dt><dd>");
        if (json_is_integer(v) && strstr(keys[i], "_at"))
            cn_time(w, json_integer_value(v));
        else
            cn_text(w, cn_str(o, keys[i], b, sizeof b));
        dg_buf_puts(&w->body, "</dd>");
    }
    dg_buf_puts(&w->body, "</dl>\n");
}

/* A table of the rows of o[key] with the given columns; a column named *_sha256 links the
 * archived file. */
static void rows_table(cn_resp *w, json_t *o, const char *key, const char *title,
                       const char *const *cols)
{
    json_t *rows = json_object_get(o, key);
    dg_buf_puts(&w->body, "<h2>");
    cn_text(w, title);
    dg_buf_printf(&w->body, "</h2><table id=\"%s\"><tr>", key);
    for (size_t c = 0; cols[c]; c++) {
        dg_buf_puts(&w->body, "<th>");
        cn_text(w, cols[c]);
        dg_buf_puts(&w->body, "</th>");
    }
    dg_buf_puts(&w->body, "</tr>\n");
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        dg_buf_puts(&w->body, "<tr>");
        for (size_t c = 0; cols[c]; c++) {
            char b[32];
            const char *v = cn_str(row, cols[c], b, sizeof b);
            dg_buf_puts(&w->body, "<td>");
            if (strstr(cols[c], "sha256") && is_sha256(v))
                cn_link(w, "/file", "sha", v, v);
            else if (!strcmp(cols[c], "po_number") && *v)
                cn_link(w, "/po", "id", v, v);
            else if (strstr(cols[c], "_at") && json_is_integer(json_object_get(row, cols[c])))
                cn_time(w, json_integer_value(json_object_get(row, cols[c])));
            else
                cn_text(w, v);
            dg_buf_puts(&w->body, "</td>");
        }
        dg_buf_puts(&w->body, "</tr>\n");
    }
    if (!json_array_size(rows))
        dg_buf_puts(&w->body, "<tr><td colspan=\"20\">none</td></tr>");
    dg_buf_puts(&w->body, "</table>\n");
}

static void story_error(cn_req *r, cn_resp *w, int rc, const dg_error *err)
{
    if (rc == DG_ENOTFOUND || rc == DG_EINVAL)
        cn_error(w, r, 404, "Not found", err->msg);
    else {
        cn_store_reset(r->c);
        cn_error(w, r, 503, "State store unavailable", err->msg);
    }
}

/* status as every view shows it (CANCELLED once the PO is), beside its file's and its business
 * status (po_status) */
static const char *const po_fields[] = {
    "po_number",  "supplier",     "status",      "transport_status", "po_status",  "order_number",
    "storefront", "order_status", "total",       "currency",         "created_at", "sent_at",
    "isa13",      "gs06",         "st02",        "expect_ack",       "ack_status", "ack_at",
    "ack_reason", "shipped_at",   "hold_reason", "held_at",          NULL};
static const char *const line_cols[] = {
    "line_no",     "retailer_sku", "supplier_sku", "qty_ordered",
    "qty_shipped", "qty_invoiced", "cost",         NULL};
static const char *const sent_cols[] = {"file_name",  "state",       "attempts", "sent_at",
                                        "last_error", "file_sha256", NULL};
static const char *const ack_cols[] = {"outcome", "created_at", "file_name", "file_sha256", NULL};
static const char *const ship_cols[] = {"shipment_ref", "ship_date", "carrier",     "tracking",
                                        "created_at",   "file_name", "file_sha256", NULL};
static const char *const inv_cols[] = {"invoice_number", "outcome",     "total", "discrepancies",
                                       "file_name",      "file_sha256", NULL};

static void po_body(cn_resp *w, json_t *po)
{
    fields(w, po, po_fields);
    rows_table(w, po, "lines", "Lines", line_cols);
    rows_table(w, po, "sent", "Files sent", sent_cols);
    rows_table(w, po, "acks", "997/999 received", ack_cols);
    rows_table(w, po, "shipments", "Shipments", ship_cols);
    rows_table(w, po, "invoices", "Invoices", inv_cols);
}

void cn_page_po(cn_req *r, cn_resp *w)
{
    const char *id = cn_arg(r, "id");
    dg_error err = {0};
    struct dg_store *s = cn_store(r->c, &err);
    if (!s) {
        cn_error(w, r, 503, "State store unavailable", err.msg);
        return;
    }
    json_t *po = NULL;
    int rc = dg_store_po_story(s, id ? id : "", &po, &err);
    if (rc) {
        story_error(r, w, rc, &err);
        return;
    }
    char title[128];
    snprintf(title, sizeof title, "PO %s", id);
    cn_begin(w, r, title);
    po_body(w, po);
    /* The file sent (the newest), next to the PO's story as the store has it. */
    json_t *sent = json_object_get(po, "sent");
    const char *sha = json_string_value(
        json_object_get(json_array_get(sent, json_array_size(sent) - 1), "file_sha256"));
    side_by_side(w, r->c->cfg, sha, po, "The PO as recorded (JSON)");
    json_decref(po);
    cn_end(w);
}

static const char *const order_fields[] = {
    "order_number", "storefront",    "status",      "order_date", "total", "currency",
    "created_at",   "lines_matched", "lines_total", "file_name",  NULL};
static const char *const order_line_cols[] = {"line_no",  "retailer_sku", "qty_ordered",
                                              "status",   "reason",       "po_number",
                                              "supplier", "supplier_sku", NULL};
static const char *const amend_cols[] = {"created_at", "changed", NULL};
static const char *const tracking_cols[] = {"shipment_ref", "state",       "file_name",
                                            "hold_reason",  "file_sha256", NULL};

void cn_page_order(cn_req *r, cn_resp *w)
{
    const char *id = cn_arg(r, "id"), *storefront = cn_arg(r, "storefront");
    dg_error err = {0};
    struct dg_store *s = cn_store(r->c, &err);
    if (!s) {
        cn_error(w, r, 503, "State store unavailable", err.msg);
        return;
    }
    json_t *o = NULL;
    int rc = dg_store_order_story(s, storefront && *storefront ? storefront : NULL, id ? id : "",
                                  &o, &err);
    if (rc) {
        story_error(r, w, rc, &err);
        return;
    }
    char *doc = NULL;
    json_t *canonical = NULL;
    if (!dg_store_order_json(s, json_integer_value(json_object_get(o, "id")), &doc, &err) && doc)
        canonical = json_loads(doc, 0, NULL);
    free(doc);
    char title[128];
    snprintf(title, sizeof title, "Order %s", id);
    cn_begin(w, r, title);
    fields(w, o, order_fields);
    rows_table(w, o, "lines", "Lines", order_line_cols);
    rows_table(w, o, "amendments", "Amendment attempts (not applied)", amend_cols);
    rows_table(w, o, "tracking_files", "Tracking files", tracking_cols);
    size_t i;
    json_t *po;
    json_array_foreach(json_object_get(o, "pos"), i, po)
    {
        dg_buf_puts(&w->body, "<h2>");
        cn_link(w, "/po", "id", json_string_value(json_object_get(po, "po_number")),
                json_string_value(json_object_get(po, "po_number")));
        dg_buf_puts(&w->body, "</h2>");
        fields(w, po, po_fields);
    }
    side_by_side(w, r->c->cfg, json_string_value(json_object_get(o, "file_sha256")), canonical,
                 "Canonical order (JSON)");
    json_decref(canonical);
    json_decref(o);
    cn_end(w);
}

static const char *const doc_fields[] = {
    "id",          "kind",    "partner",    "position",  "interchange_control", "group_control",
    "set_control", "outcome", "created_at", "file_name", "direction",           NULL};

void cn_page_doc(cn_req *r, cn_resp *w)
{
    const char *id = cn_arg(r, "id");
    char *end = NULL;
    long long n = id ? strtoll(id, &end, 10) : 0;
    if (!id || !*id || *end || n <= 0) {
        cn_error(w, r, 404, "Not found", "a document id is a positive number");
        return;
    }
    dg_error err = {0};
    struct dg_store *s = cn_store(r->c, &err);
    if (!s) {
        cn_error(w, r, 503, "State store unavailable", err.msg);
        return;
    }
    json_t *d = NULL;
    int rc = dg_store_document_get(s, n, &d, &err);
    if (rc) {
        story_error(r, w, rc, &err);
        return;
    }
    char title[64];
    snprintf(title, sizeof title, "Document %lld", n);
    cn_begin(w, r, title);
    fields(w, d, doc_fields);
    json_t *canonical = json_loads(cn_str(d, "json", title, sizeof title), 0, NULL);
    side_by_side(w, r->c->cfg, json_string_value(json_object_get(d, "file_sha256")), canonical,
                 "Canonical document (JSON)");
    json_decref(canonical);
    json_decref(d);
    cn_end(w);
}

static const char *const file_cols[] = {"id",   "name",       "partner", "direction",
                                        "size", "created_at", NULL};

void cn_page_file(cn_req *r, cn_resp *w)
{
    const char *sha = cn_arg(r, "sha");
    if (!is_sha256(sha)) {
        cn_error(w, r, 404, "Not found", "a file is named by its SHA-256 (64 lowercase hex)");
        return;
    }
    dg_error err = {0};
    struct dg_store *s = cn_store(r->c, &err);
    if (!s) {
        cn_error(w, r, 503, "State store unavailable", err.msg);
        return;
    }
    json_t *f = NULL;
    int rc = dg_store_file_get(s, sha, &f, &err);
    if (rc) {
        story_error(r, w, rc, &err);
        return;
    }
    cn_begin(w, r, "Archived file");
    dg_buf_puts(&w->body, "<p>SHA-256 <code>");
    cn_text(w, sha);
    dg_buf_puts(&w->body, "</code></p>");
    rows_table(w, f, "files", "Received or sent as", file_cols);
    dg_buf_puts(&w->body, "<h2>Documents read from it</h2><ul id=\"docs\">");
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(f, "documents"), i, d)
    {
        char b[32], label[96];
        snprintf(label, sizeof label, "%s #%s", cn_str(d, "kind", b, sizeof b),
                 cn_str(d, "id", b, sizeof b));
        dg_buf_puts(&w->body, "<li>");
        cn_link(w, "/doc", "id", cn_str(d, "id", b, sizeof b), label);
        dg_buf_puts(&w->body, " ");
        cn_text(w, cn_str(d, "outcome", b, sizeof b));
        dg_buf_puts(&w->body, "</li>");
    }
    dg_buf_puts(&w->body, "</ul>");
    dg_buf_puts(&w->body, "<section id=\"raw\"><h2>Raw file</h2>");
    raw_file(w, r->c->cfg, sha);
    dg_buf_puts(&w->body, "</section>");
    json_decref(f);
    cn_end(w);
}
