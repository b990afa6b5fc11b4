/* What the operator sees: overdue POs, the status summary, and the orders and reconcile reports
 * (rows for programs, JSON and CSV for the CLI). Read-only over the store. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/array.h"
#include "core/buf.h"
#include "flow/flow_internal.h"

/* Sum of two x10^4 values multiplied in SQL is x10^8: back to x10^4, half away from zero. */
static dg_dec unscale(int64_t v)
{
    int64_t q =
        v >= 0 ? (v + DG_DEC_SCALE / 2) / DG_DEC_SCALE : (v - DG_DEC_SCALE / 2) / DG_DEC_SCALE;
    return (dg_dec){q, true};
}

/* ---- overdue ----------------------------------------------------------------------------- */

/* Oldest wait first (age = now - since, the same now for every row), then by PO row. */
static int overdue_cmp(const void *a, const void *b)
{
    const dg_flow_overdue *x = a, *y = b;
    if (x->age_seconds != y->age_seconds)
        return x->age_seconds > y->age_seconds ? -1 : 1;
    return x->po_id < y->po_id ? -1 : x->po_id > y->po_id;
}

typedef struct {
    const dg_flow_rules *r;
    int64_t now;
    dg_flow_overdue *rows;
    size_t n, cap;
} overdue_scan;

/* Keeps the PO when it waits longer than its supplier's limits allow. */
static int overdue_one(void *ctx, const dg_store_po_age *a, dg_error *err)
{
    overdue_scan *x = ctx;
    const dg_flow_rules *r = x->r;
    const fl_supplier *sp = fl_supplier_rules(r, a->supplier);
    long ack_after = sp && sp->ack_after >= 0 ? sp->ack_after : r->ack_after;
    long asn_after = sp && sp->asn_after >= 0 ? sp->asn_after : r->asn_after;
    int64_t age = x->now - a->since;
    const char *what = NULL, *note = NULL;
    long limit = 0;
    if (a->queued) {
        /* Never sent: overdue once it could no longer have been answered in time. */
        long first = ack_after < asn_after ? ack_after : asn_after;
        if (age > first) {
            what = "send";
            note = "never sent";
            limit = first;
        }
    } else {
        bool no_ack = a->expect_ack && !a->acked;
        /* the 855 is expected only from suppliers whose partner file sets sla: ack_855 */
        bool no_855 = sp && sp->ack855_after >= 0 && !a->line_acked;
        if (no_ack && age > ack_after) {
            what = "ack";
            note = "no 997 received";
            limit = ack_after;
        } else if (no_855 && age > sp->ack855_after) {
            what = "ack855";
            note = "no 855 received";
            limit = sp->ack855_after;
        } else if (age > asn_after) {
            what = "asn";
            note = "no ASN received";
            limit = asn_after;
        }
    }
    if (!what)
        return 0;
    dg_flow_overdue *grown = dg_array_slot(x->rows, sizeof *grown, x->n, &x->cap, 16);
    if (!grown)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    x->rows = grown;
    dg_flow_overdue *o = &x->rows[x->n++];
    memset(o, 0, sizeof *o);
    snprintf(o->po_number, sizeof o->po_number, "%s", a->po_number);
    snprintf(o->supplier, sizeof o->supplier, "%s", a->supplier);
    snprintf(o->order_number, sizeof o->order_number, "%s", a->order_number);
    snprintf(o->status, sizeof o->status, "%s", a->status);
    snprintf(o->what, sizeof o->what, "%s", what);
    snprintf(o->note, sizeof o->note, "%s", note);
    o->sent_at = a->queued ? 0 : a->since;
    o->age_seconds = age;
    o->limit_seconds = limit;
    o->po_id = a->po_id;
    return 0;
}

int dg_flow_overdue_pos(dg_store *s, const dg_flow_rules *r, int64_t now, dg_flow_overdue **rows,
                        size_t *n, dg_error *err)
{
    overdue_scan x = {.r = r, .now = now};
    int rc = dg_store_po_ages(s, overdue_one, &x, err);
    if (rc) {
        free(x.rows);
        *rows = NULL;
        *n = 0;
        return rc;
    }
    /* Oldest first. Sorted here, the few overdue rows, not in SQL: an ORDER BY would sort every
     * open PO each cycle, in memory (temp_store=MEMORY), growing with the open POs. */
    if (x.n > 1)
        qsort(x.rows, x.n, sizeof *x.rows, overdue_cmp);
    *rows = x.rows;
    *n = x.n;
    return 0;
}

/* ---- status ------------------------------------------------------------------------------ */

/* Held POs (their file would not be valid X12): counted as HELD instead of QUEUED under "pos",
 * and listed with the validator's message under "held"; held tracking files under
 * "held_tracking". */
static int add_held(dg_store *s, json_t *root, dg_error *err)
{
    dg_store_held_po *h = NULL;
    size_t n = 0;
    int rc = dg_store_held_pos(s, &h, &n, err);
    if (rc)
        return rc;
    json_t *pos = json_object_get(root, "pos");
    json_t *queued = json_object_get(pos, "QUEUED");
    if (n && queued)
        json_integer_set(queued, json_integer_value(queued) - (json_int_t)n);
    if (n)
        json_object_set_new(pos, "HELD", json_integer((json_int_t)n));
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr,
                              json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}", "po_number", h[i].po_number,
                                        "supplier", h[i].supplier, "storefront", h[i].storefront,
                                        "order_number", h[i].order_number, "held_at",
                                        (json_int_t)h[i].held_at, "reason", h[i].reason));
    json_object_set_new(root, "held", arr);
    free(h);
    h = NULL;
    if ((rc = dg_store_held_tracking(s, &h, &n, err)))
        return rc;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:I,s:s}", "storefront", h[i].storefront,
                                             "order_number", h[i].order_number, "po_number",
                                             h[i].po_number, "held_at", (json_int_t)h[i].held_at,
                                             "reason", h[i].reason));
    json_object_set_new(root, "held_tracking", arr);
    free(h);
    /* X12 files with some sets rejected: their file id is what `dropgate reprocess` takes */
    dg_partial_file *pf = NULL;
    if ((rc = dg_store_partial_files(s, &pf, &n, err)))
        return rc;
    arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:I,s:s}", "file_id",
                                             (json_int_t)pf[i].file_id, "partner", pf[i].partner,
                                             "path", pf[i].path, "at", (json_int_t)pf[i].at,
                                             "reason", pf[i].reason));
    json_object_set_new(root, "partial_files", arr);
    free(pf);
    return 0;
}

int dg_flow_status_json(dg_store *s, const dg_flow_rules *r, int64_t now, char **json,
                        dg_error *err)
{
    *json = NULL;
    json_t *root = json_object();
    int64_t notes = 0, disc = 0;
    int rc = dg_store_status_counts(s, root, &notes, &disc, err);
    dg_flow_overdue *od = NULL;
    size_t n = 0;
    if (!rc)
        rc = dg_flow_overdue_pos(s, r, now, &od, &n, err);
    if (rc) {
        json_decref(root);
        return rc;
    }
    if ((rc = add_held(s, root, err))) {
        free(od);
        json_decref(root);
        return rc;
    }
    int64_t quarantined = 0;
    if ((rc = dg_store_quarantined_count(s, &quarantined, err))) {
        free(od);
        json_decref(root);
        return rc;
    }
    json_t *life_pos = NULL, *life_orders = NULL;
    if ((rc = dg_store_life_counts(s, &life_pos, &life_orders, err))) {
        free(od);
        json_decref(root);
        return rc;
    }
    json_object_set_new(root, "po_status", life_pos);
    json_object_set_new(root, "fulfilment", life_orders);
    json_object_set_new(root, "files_quarantined", json_integer((json_int_t)quarantined));
    json_t *op_held = NULL;
    if ((rc = dg_store_op_held_pos(s, &op_held, err))) {
        free(od);
        json_decref(root);
        return rc;
    }
    json_object_set_new(root, "operator_held", op_held);
    json_object_set_new(root, "notifications_pending", json_integer((json_int_t)notes));
    json_object_set_new(root, "discrepancies_open", json_integer((json_int_t)disc));
    /* Counts per kind of lateness (a monitoring check needs numbers, not a list), with the
     * default thresholds they were judged by (per supplier in routing.yaml when set there). */
    json_int_t late_ack = 0, late_asn = 0, late_send = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(od[i].what, "ack"))
            late_ack++;
        else if (!strcmp(od[i].what, "asn"))
            late_asn++;
        else
            late_send++;
    }
    json_object_set_new(root, "overdue_counts",
                        json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "total", (json_int_t)n, "no_997",
                                  late_ack, "no_asn", late_asn, "never_sent", late_send,
                                  "ack_after_seconds", (json_int_t)r->ack_after,
                                  "asn_after_seconds", (json_int_t)r->asn_after));
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s}", "po_number",
                                             od[i].po_number, "supplier", od[i].supplier,
                                             "order_number", od[i].order_number, "status",
                                             od[i].status, "what", od[i].what, "age_seconds",
                                             (json_int_t)od[i].age_seconds, "note", od[i].note));
    free(od);
    json_object_set_new(root, "overdue", arr);
    *json = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return *json ? 0 : dg_error_set(err, DG_ENOMEM, "out of memory");
}

/* ---- orders report ----------------------------------------------------------------------- */

/* Each order's held POs and their reasons ("PO: reason; PO: reason"). Held POs are few: one
 * pass over them per order is cheap. */
static int fill_held(dg_store *s, dg_flow_order_row *rows, size_t n, dg_error *err)
{
    dg_store_held_po *h = NULL;
    size_t nh = 0;
    int rc = dg_store_held_pos(s, &h, &nh, err);
    if (rc || !nh) {
        free(h);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        dg_flow_order_row *o = &rows[i];
        for (size_t k = 0; k < nh; k++) {
            if (strcmp(h[k].storefront, o->storefront) ||
                strcmp(h[k].order_number, o->order_number))
                continue;
            size_t len = strlen(o->held);
            snprintf(o->held + len, sizeof o->held - len, "%s%s: %s", len ? "; " : "",
                     h[k].po_number, h[k].reason);
            o->pos_held++;
        }
    }
    free(h);
    return 0;
}

/* Each order's amendment attempts ("time changed; time changed"): few, like held POs. */
static int fill_amended(dg_store *s, dg_flow_order_row *rows, size_t n, dg_error *err)
{
    dg_store_amendment *a = NULL;
    size_t na = 0;
    int rc = dg_store_amendments(s, &a, &na, err);
    for (size_t i = 0; !rc && i < n; i++) {
        dg_flow_order_row *o = &rows[i];
        for (size_t k = 0; k < na; k++) {
            if (strcmp(a[k].storefront, o->storefront) ||
                strcmp(a[k].order_number, o->order_number))
                continue;
            char when[32];
            time_t t = (time_t)a[k].at;
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
            size_t len = strlen(o->amended);
            snprintf(o->amended + len, sizeof o->amended - len, "%s%s %s", len ? "; " : "", when,
                     a[k].changed);
            o->amendments++;
        }
    }
    free(a);
    return rc;
}

int dg_flow_report_orders(dg_store *s, dg_flow_order_row **rows, size_t *n, dg_error *err)
{
    *rows = NULL;
    *n = 0;
    dg_store_order_report *r = NULL;
    size_t nr = 0;
    int rc = dg_store_report_orders(s, &r, &nr, err);
    if (rc)
        return rc;
    if (nr && !(*rows = calloc(nr, sizeof **rows))) {
        free(r);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nr; i++) {
        dg_flow_order_row *o = &(*rows)[i];
        snprintf(o->storefront, sizeof o->storefront, "%s", r[i].storefront);
        snprintf(o->order_number, sizeof o->order_number, "%s", r[i].order_number);
        snprintf(o->status, sizeof o->status, "%s", r[i].status);
        snprintf(o->currency, sizeof o->currency, "%s", r[i].currency);
        o->created_at = r[i].created_at;
        o->lines = (long)r[i].lines;
        o->matched = (long)r[i].matched;
        o->pos = (long)r[i].pos;
        o->pos_shipped = (long)r[i].pos_shipped;
        o->revenue = unscale(r[i].revenue_x8);
        o->supplier_cost = unscale(r[i].cost_x8);
        o->freight = (dg_dec){r[i].freight, true};
        o->margin = dg_dec_sub(dg_dec_sub(o->revenue, o->supplier_cost), o->freight);
        snprintf(o->reasons, sizeof o->reasons, "%s", r[i].reasons);
    }
    free(r);
    *n = nr;
    if ((rc = fill_held(s, *rows, *n, err)) || (rc = fill_amended(s, *rows, *n, err))) {
        free(*rows);
        *rows = NULL;
        *n = 0;
    }
    return rc;
}

/* ---- reconcile report -------------------------------------------------------------------- */

int dg_flow_report_reconcile(dg_store *s, dg_flow_reconcile_row **rows, size_t *n, dg_error *err)
{
    *rows = NULL;
    *n = 0;
    dg_store_invoice_report *r = NULL;
    size_t nr = 0;
    int rc = dg_store_report_invoices(s, &r, &nr, err);
    if (rc)
        return rc;
    if (nr && !(*rows = calloc(nr, sizeof **rows))) {
        free(r);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nr; i++) {
        dg_flow_reconcile_row *o = &(*rows)[i];
        snprintf(o->supplier, sizeof o->supplier, "%s", r[i].supplier);
        snprintf(o->invoice_number, sizeof o->invoice_number, "%s", r[i].invoice_number);
        snprintf(o->po_number, sizeof o->po_number, "%s", r[i].po_number);
        snprintf(o->order_number, sizeof o->order_number, "%s", r[i].order_number);
        snprintf(o->outcome, sizeof o->outcome, "%s", r[i].outcome);
        o->lines_amount = r[i].lines_amount;
        o->charges = r[i].charges;
        o->tax = r[i].tax;
        o->total = r[i].total;
        o->po_amount = unscale(r[i].po_amount_x8);
        snprintf(o->reasons, sizeof o->reasons, "%s", r[i].reasons);
        o->created_at = r[i].created_at;
    }
    free(r);
    *n = nr;
    return 0;
}

/* ---- JSON and CSV forms ------------------------------------------------------------------ */

static json_t *jdec(dg_dec d)
{
    char b[40];
    return d.set ? json_string(dg_dec_format_fixed(d, 2, b, sizeof b)) : json_null();
}

static const char *fdec(dg_dec d, char *b, size_t size)
{
    return d.set ? dg_dec_format_fixed(d, 2, b, size) : "";
}

static void csv_field(dg_buf *b, const char *v, bool last)
{
    if (v && strpbrk(v, ",\"\n\r")) {
        dg_buf_putc(b, '"');
        for (const char *p = v; *p; p++) {
            if (*p == '"')
                dg_buf_putc(b, '"');
            dg_buf_putc(b, *p);
        }
        dg_buf_putc(b, '"');
    } else if (v) {
        dg_buf_puts(b, v);
    }
    dg_buf_putc(b, last ? '\n' : ',');
}

static int dump(json_t *arr, char **out, dg_error *err)
{
    *out = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(arr);
    return *out ? 0 : dg_error_set(err, DG_ENOMEM, "out of memory");
}

int dg_flow_report_orders_json(dg_store *s, char **json, dg_error *err)
{
    dg_flow_order_row *rows;
    size_t n;
    *json = NULL;
    int rc = dg_flow_report_orders(s, &rows, &n, err);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const dg_flow_order_row *o = &rows[i];
        json_t *j = json_object();
        json_object_set_new(j, "storefront", json_string(o->storefront));
        json_object_set_new(j, "order_number", json_string(o->order_number));
        json_object_set_new(j, "status", json_string(o->status));
        json_object_set_new(j, "currency", json_string(o->currency));
        json_object_set_new(j, "created_at", json_integer(o->created_at));
        json_object_set_new(j, "lines", json_integer(o->lines));
        json_object_set_new(j, "matched", json_integer(o->matched));
        json_object_set_new(j, "pos", json_integer(o->pos));
        json_object_set_new(j, "pos_shipped", json_integer(o->pos_shipped));
        json_object_set_new(j, "pos_held", json_integer(o->pos_held));
        if (o->pos_held)
            json_object_set_new(j, "held", json_string(o->held));
        json_object_set_new(j, "amendments", json_integer(o->amendments));
        if (o->amendments)
            json_object_set_new(j, "amended", json_string(o->amended));
        if (o->reasons[0])
            json_object_set_new(j, "reasons", json_string(o->reasons));
        json_object_set_new(j, "revenue", jdec(o->revenue));
        json_object_set_new(j, "supplier_cost", jdec(o->supplier_cost));
        json_object_set_new(j, "freight", jdec(o->freight));
        json_object_set_new(j, "margin", jdec(o->margin));
        json_array_append_new(arr, j);
    }
    free(rows);
    return dump(arr, json, err);
}

int dg_flow_report_reconcile_json(dg_store *s, char **json, dg_error *err)
{
    dg_flow_reconcile_row *rows;
    size_t n;
    *json = NULL;
    int rc = dg_flow_report_reconcile(s, &rows, &n, err);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const dg_flow_reconcile_row *o = &rows[i];
        json_t *j = json_object();
        json_object_set_new(j, "supplier", json_string(o->supplier));
        json_object_set_new(j, "invoice_number", json_string(o->invoice_number));
        json_object_set_new(j, "po_number", json_string(o->po_number));
        json_object_set_new(j, "order_number", json_string(o->order_number));
        json_object_set_new(j, "outcome", json_string(o->outcome));
        json_object_set_new(j, "lines_amount", jdec(o->lines_amount));
        json_object_set_new(j, "charges", jdec(o->charges));
        json_object_set_new(j, "tax", jdec(o->tax));
        json_object_set_new(j, "total", jdec(o->total));
        json_object_set_new(j, "po_amount", jdec(o->po_amount));
        json_object_set_new(j, "reasons", json_string(o->reasons));
        json_array_append_new(arr, j);
    }
    free(rows);
    return dump(arr, json, err);
}

int dg_flow_report_orders_csv(dg_store *s, char **csv, dg_error *err)
{
    dg_flow_order_row *rows;
    size_t n;
    *csv = NULL;
    int rc = dg_flow_report_orders(s, &rows, &n, err);
    if (rc)
        return rc;
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b,
                "storefront,order_number,status,currency,lines,matched,pos,pos_shipped,"
                "revenue,supplier_cost,freight,margin,pos_held,held,amendments,amended,reasons\n");
    for (size_t i = 0; i < n; i++) {
        const dg_flow_order_row *o = &rows[i];
        char t[4][40];
        csv_field(&b, o->storefront, false);
        csv_field(&b, o->order_number, false);
        dg_buf_printf(
            &b, "%s,%s,%ld,%ld,%ld,%ld,%s,%s,%s,%s,%ld,", o->status, o->currency, o->lines,
            o->matched, o->pos, o->pos_shipped, fdec(o->revenue, t[0], sizeof t[0]),
            fdec(o->supplier_cost, t[1], sizeof t[1]), fdec(o->freight, t[2], sizeof t[2]),
            fdec(o->margin, t[3], sizeof t[3]), o->pos_held);
        csv_field(&b, o->held, false);
        dg_buf_printf(&b, "%ld,", o->amendments);
        csv_field(&b, o->amended, false);
        csv_field(&b, o->reasons, true);
    }
    free(rows);
    if (!b.data)
        dg_buf_puts(&b, "");
    *csv = dg_buf_take(&b);
    return 0;
}

int dg_flow_report_reconcile_csv(dg_store *s, char **csv, dg_error *err)
{
    dg_flow_reconcile_row *rows;
    size_t n;
    *csv = NULL;
    int rc = dg_flow_report_reconcile(s, &rows, &n, err);
    if (rc)
        return rc;
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "supplier,invoice_number,po_number,order_number,outcome,lines_amount,"
                    "charges,tax,total,po_amount,reasons\n");
    for (size_t i = 0; i < n; i++) {
        const dg_flow_reconcile_row *o = &rows[i];
        char t[5][40];
        csv_field(&b, o->supplier, false);
        csv_field(&b, o->invoice_number, false);
        csv_field(&b, o->po_number, false);
        csv_field(&b, o->order_number, false);
        csv_field(&b, o->outcome, false);
        csv_field(&b, fdec(o->lines_amount, t[0], sizeof t[0]), false);
        csv_field(&b, fdec(o->charges, t[1], sizeof t[1]), false);
        csv_field(&b, fdec(o->tax, t[2], sizeof t[2]), false);
        csv_field(&b, fdec(o->total, t[3], sizeof t[3]), false);
        csv_field(&b, fdec(o->po_amount, t[4], sizeof t[4]), false);
        csv_field(&b, o->reasons, true);
    }
    free(rows);
    *csv = dg_buf_take(&b);
    return 0;
}
