/* The rows of the operator's reports (flow/report.c turns them into status, overdue, orders and
 * reconcile views): read-only queries, kept here so that SQL stays in the store. */
#include <jansson.h>
#include <string.h>

#include "store/store_internal.h"

/* ---- POs that may be overdue -------------------------------------------------------------- */

int dg_store_po_ages(dg_store *s, dg_store_po_age_fn each, void *ctx, dg_error *err)
{
    /* Sent POs age from sent_at; a PO still QUEUED (never rendered, e.g. its supplier has no
     * partner configuration, or its upload keeps failing) ages from created_at. No ORDER BY:
     * it would sort every open PO each cycle, in memory; the caller sorts the few it keeps. */
    static const char sql[] =
        "SELECT p.po_number, p.supplier, o.order_number, p.status,"
        " coalesce(p.sent_at, p.created_at), p.expect_ack, p.ack_at,"
        " CASE WHEN p.status = 'QUEUED' THEN 1 ELSE 0 END,"
        " CASE WHEN EXISTS(SELECT 1 FROM order_lines l WHERE l.po_id = p.id"
        "   AND l.ack_at IS NOT NULL) THEN 1 ELSE 0 END, p.id"
        " FROM supplier_pos p JOIN orders o ON o.id = p.order_id"
        " WHERE ((p.sent_at IS NOT NULL AND p.status IN ('SENT','ACCEPTED','AWAITING_SHIPMENT'))"
        " OR p.status = 'QUEUED') AND p.po_status NOT IN ('CANCELLED','COMPLETED')";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    int cb = 0;
    while (!cb && (rc = dg_stmt_step(st)) == DG_DB_ROW) {
        dg_store_po_age a = {0};
        st_col_copy(st, 0, a.po_number, sizeof a.po_number);
        st_col_copy(st, 1, a.supplier, sizeof a.supplier);
        st_col_copy(st, 2, a.order_number, sizeof a.order_number);
        st_col_copy(st, 3, a.status, sizeof a.status);
        a.since = dg_stmt_int64(st, 4);
        a.expect_ack = dg_stmt_int(st, 5) != 0;
        a.acked = !dg_stmt_column_null(st, 6);
        a.queued = dg_stmt_int(st, 7) != 0;
        a.line_acked = dg_stmt_int(st, 8) != 0;
        a.po_id = dg_stmt_int64(st, 9);
        cb = each(ctx, &a, err);
    }
    dg_stmt_reset(st);
    if (cb)
        return cb;
    return rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "listing overdue POs");
}

/* ---- status counts ------------------------------------------------------------------------ */

int dg_store_status_counts(dg_store *s, json_t *root, int64_t *notifications_pending,
                           int64_t *discrepancies_open, dg_error *err)
{
    static const char q_orders[] = "SELECT status, count(*) FROM orders GROUP BY status";
    static const char q_lines[] = "SELECT status, count(*) FROM order_lines GROUP BY status";
    static const char q_pos[] = "SELECT " DG_STORE_PO_SHOWN_STATUS(
        "supplier_pos") ", count(*) FROM supplier_pos GROUP BY 1";
    static const char q_outbox[] = "SELECT state, count(*) FROM outbox GROUP BY state";
    static const char q_inv[] = "SELECT outcome, count(*) FROM invoices GROUP BY outcome";
    static const char q_notes[] = "SELECT count(*) FROM notifications WHERE state <> 'SENT'";
    static const char q_disc[] = "SELECT count(*) FROM discrepancies WHERE resolved = 0";
    const char *keys[] = {"orders", "lines", "pos", "outbox", "invoices"};
    const char *sqls[] = {q_orders, q_lines, q_pos, q_outbox, q_inv};
    int rc = 0;
    for (size_t i = 0; i < 5 && !rc; i++) {
        json_t *o = json_object();
        json_object_set_new(root, keys[i], o);
        rc = st_count_by(s, sqls[i], o, "counting", err);
    }
    if (!rc && !(rc = st_count(s, q_notes, notifications_pending, "counting", err)))
        rc = st_count(s, q_disc, discrepancies_open, "counting", err);
    return rc;
}

/* ---- orders report ------------------------------------------------------------------------ */

/* A PO cancelled or re-routed away before it shipped is no PO of the order any more: shown
 * CANCELLED, as status and search show it, and not counted. */
#define REPORT_LIVE_PO "(" DG_STORE_PO_SHOWN_STATUS("p") ") <> 'CANCELLED'"

static int order_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_store_order_report *o = row;
    st_col_copy(st, 0, o->storefront, sizeof o->storefront);
    st_col_copy(st, 1, o->order_number, sizeof o->order_number);
    st_col_copy(st, 2, o->status, sizeof o->status);
    st_col_copy(st, 3, o->currency, sizeof o->currency);
    o->created_at = dg_stmt_int64(st, 4);
    o->lines = dg_stmt_int64(st, 5);
    o->matched = dg_stmt_int64(st, 6);
    o->pos = dg_stmt_int64(st, 7);
    o->pos_shipped = dg_stmt_int64(st, 8);
    o->revenue_x8 = dg_stmt_int64(st, 9);
    o->cost_x8 = dg_stmt_int64(st, 10);
    o->freight = dg_stmt_int64(st, 11);
    st_col_copy(st, 12, o->reasons, sizeof o->reasons);
    return 0;
}

int dg_store_report_orders(dg_store *s, dg_store_order_report **rows, size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT o.storefront, o.order_number, o.status, o.currency, o.created_at, o.lines_total,"
        " o.lines_matched,"
        " (SELECT count(*) FROM supplier_pos p WHERE p.order_id = o.id AND " REPORT_LIVE_PO "),"
        " (SELECT count(*) FROM supplier_pos p WHERE p.order_id = o.id"
        "   AND p.status IN ('SHIPPED','INVOICED')),"
        /* a re-routed line is counted once (its newest row); rejected/cancelled ones not */
        " (SELECT coalesce(sum(l.unit_price * l.qty_ordered), 0) FROM order_lines l"
        "   WHERE l.order_id = o.id AND l.status = 'MATCHED'"
        "   AND coalesce(l.supplier_status, '') NOT IN ('REROUTED','REJECTED','CANCELLED')),"
        " (SELECT coalesce(sum(l.cost * l.qty_ordered), 0) FROM order_lines l"
        "   WHERE l.order_id = o.id AND l.status = 'MATCHED'"
        "   AND coalesce(l.supplier_status, '') NOT IN ('REROUTED','REJECTED','CANCELLED')),"
        " (SELECT coalesce(sum(i.charges), 0) FROM invoices i JOIN supplier_pos p"
        "   ON p.id = i.po_id WHERE p.order_id = o.id AND i.duplicate_of IS NULL),"
        /* why the order could not be placed (no ship-to, its mapping could not complete it),
         * else why each line that did not become a PO line failed: what an operator acts on */
        " coalesce(o.reason, (SELECT string_agg(coalesce(l.retailer_sku, 'line ' || l.line_no)"
        "   || ': ' || coalesce(l.reason, l.status), '; ') FROM order_lines l"
        "   WHERE l.order_id = o.id AND l.status <> 'MATCHED'))"
        " FROM orders o ORDER BY o.id";
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    static const st_rows how = {
        sizeof(dg_store_order_report), 64, order_fill, NULL, NULL, "reporting orders"};
    return st_collect(s, st, &how, rows, n, err);
}

/* ---- reconcile report --------------------------------------------------------------------- */

static int invoice_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_store_invoice_report *o = row;
    st_col_copy(st, 0, o->supplier, sizeof o->supplier);
    st_col_copy(st, 1, o->invoice_number, sizeof o->invoice_number);
    st_col_copy(st, 2, o->po_number, sizeof o->po_number);
    st_col_copy(st, 3, o->order_number, sizeof o->order_number);
    st_col_copy(st, 4, o->outcome, sizeof o->outcome);
    o->lines_amount = st_col_dec(st, 5);
    o->charges = st_col_dec(st, 6);
    o->tax = st_col_dec(st, 7);
    o->total = st_col_dec(st, 8);
    o->po_amount_x8 = dg_stmt_int64(st, 9);
    st_col_copy(st, 10, o->reasons, sizeof o->reasons);
    o->created_at = dg_stmt_int64(st, 11);
    return 0;
}

int dg_store_report_invoices(dg_store *s, dg_store_invoice_report **rows, size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT i.supplier, i.invoice_number, p.po_number, o.order_number, i.outcome,"
        " i.lines_amount, i.charges, i.tax, i.total,"
        " (SELECT coalesce(sum(l.cost * il.qty), 0) FROM invoice_lines il"
        "   JOIN order_lines l ON l.id = il.order_line_id WHERE il.invoice_id = i.id),"
        " (SELECT string_agg(d.code || ': ' || coalesce(d.detail, ''), '; ')"
        "   FROM discrepancies d WHERE d.invoice_id = i.id),"
        " i.created_at"
        " FROM invoices i LEFT JOIN supplier_pos p ON p.id = i.po_id"
        " LEFT JOIN orders o ON o.id = p.order_id ORDER BY i.id";
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    static const st_rows how = {
        sizeof(dg_store_invoice_report), 64, invoice_fill, NULL, NULL, "reporting invoices"};
    return st_collect(s, st, &how, rows, n, err);
}
