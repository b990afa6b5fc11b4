/* The order life in the store: a supplier PO's business status derived from its lines, the
 * order's status from its POs, and one status_history row (time, cause) for every change. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

/* Order of progress; an order is as far as its least advanced PO that is not CANCELLED. */
static int rank(const char *status)
{
    static const char *const order[] = {
        DG_POS_AWAITING_CONFIRMATION, DG_POS_AWAITING_FULFILMENT, DG_POS_AWAITING_SHIPMENT,
        DG_POS_AWAITING_DELIVERY,     DG_POS_COMPLETED,           DG_POS_CANCELLED};
    for (int i = 0; i < (int)(sizeof order / sizeof *order); i++)
        if (!strcmp(status, order[i]))
            return i;
    return 0;
}

static bool closed(const char *sup)
{
    return !strcmp(sup, DG_SUP_REJECTED) || !strcmp(sup, DG_SUP_CANCELLED) ||
           !strcmp(sup, DG_SUP_REROUTED);
}

/* One history row; storefront-facing rows are queued for the status feed (push_state). */
static int history_add(dg_store *s, int64_t order_id, int64_t po_id, int64_t line_id,
                       const char *what, const char *from, const char *to, const dg_status_cause *c,
                       const char *detail, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO status_history(order_id, po_id, order_line_id, what, from_status, to_status,"
        " cause, document_id, file_id, detail, at, push_state)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, coalesce(?9, (SELECT file_id FROM documents"
        "  WHERE id = ?8)), ?10, ?11, 'PENDING')";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    if (po_id > 0)
        dg_stmt_bind_int64(st, 2, po_id);
    if (line_id > 0)
        dg_stmt_bind_int64(st, 3, line_id);
    dg_stmt_bind_text(st, 4, what);
    dg_stmt_bind_text(st, 5, from && *from ? from : NULL);
    dg_stmt_bind_text(st, 6, to);
    dg_stmt_bind_text(st, 7, c && c->kind ? c->kind : "unknown");
    if (c && c->document_id > 0)
        dg_stmt_bind_int64(st, 8, c->document_id);
    if (c && c->file_id > 0)
        dg_stmt_bind_int64(st, 9, c->file_id);
    dg_stmt_bind_text(st, 10, detail ? detail : c ? c->detail : NULL);
    dg_stmt_bind_int64(st, 11, dg_store_now(s));
    return st_step_done(s, st, err, "recording a status change");
}

int dg_store_line_set_status(dg_store *s, int64_t line_id, const char *status, const char *reason,
                             const dg_status_cause *c, bool *changed, dg_error *err)
{
    static const char sel[] = "SELECT order_id, po_id, supplier_status, supplier_reason"
                              " FROM order_lines WHERE id = ?1";
    static const char upd[] = "UPDATE order_lines SET supplier_status = ?2, supplier_reason = ?3"
                              " WHERE id = ?1";
    if (changed)
        *changed = false;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sel, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, line_id);
    rc = dg_stmt_step(st);
    int64_t order_id = 0, po_id = 0;
    char from[32] = "", old_reason[512] = "";
    if (rc == DG_DB_ROW) {
        order_id = dg_stmt_int64(st, 0);
        po_id = dg_stmt_int64(st, 1);
        st_col_copy(st, 2, from, sizeof from);
        st_col_copy(st, 3, old_reason, sizeof old_reason);
    }
    dg_stmt_reset(st);
    if (rc == DG_DB_DONE)
        return dg_error_set(err, DG_ENOTFOUND, "order line %lld: not found", (long long)line_id);
    if (rc != DG_DB_ROW)
        return dg_store_fail(s, err, "reading an order line");
    const char *to = status ? status : "";
    if (!strcmp(from, to) && !strcmp(old_reason, reason ? reason : ""))
        return 0;
    if ((rc = dg_store_prepare(s, upd, &st, err)))
        return rc;
    dg_stmt_bind_int64(st, 1, line_id);
    dg_stmt_bind_text(st, 2, status);
    dg_stmt_bind_text(st, 3, reason);
    if ((rc = st_step_done(s, st, err, "setting a line status")))
        return rc;
    if (changed)
        *changed = true;
    if (!strcmp(from, to)) /* only the reason moved: not a status change */
        return 0;
    return history_add(s, order_id, po_id, line_id, "line", from, to[0] ? to : "OPEN", c, reason,
                       err);
}

int dg_store_line_answer(dg_store *s, int64_t line_id, const dg_store_answer *a,
                         const dg_status_cause *c, dg_error *err)
{
    static const char sql[] = "UPDATE order_lines SET ack_code = ?2, ack_qty = ?3, ack_price = ?4,"
                              " promised_date = ?5, ack_at = ?6 WHERE id = ?1";
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    dg_stmt *st;
    if ((rc = dg_store_prepare(s, sql, &st, err)))
        goto fail;
    dg_stmt_bind_int64(st, 1, line_id);
    dg_stmt_bind_text(st, 2, a->code);
    if (a->has_qty)
        dg_stmt_bind_int64(st, 3, a->qty);
    if (a->has_price)
        dg_stmt_bind_int64(st, 4, a->price);
    dg_stmt_bind_text(st, 5, a->promised_date);
    dg_stmt_bind_int64(st, 6, dg_store_now(s));
    if ((rc = st_step_done(s, st, err, "recording a supplier's answer")))
        goto fail;
    if (a->status &&
        (rc = dg_store_line_set_status(s, line_id, a->status, a->reason, c, NULL, err)))
        goto fail;
    return dg_store_commit(s, err);
fail:
    dg_store_rollback(s);
    return rc;
}

/* ---- deriving a PO's status from its lines --------------------------------------------- */

typedef struct line_row {
    int64_t id;
    char sup[32];
    int64_t ordered, acked, shipped, invoiced;
    bool has_ack_qty;
} line_row;

static int line_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    line_row *l = row;
    l->id = dg_stmt_int64(st, 0);
    st_col_copy(st, 1, l->sup, sizeof l->sup);
    l->ordered = dg_stmt_int64(st, 2);
    l->has_ack_qty = !dg_stmt_column_null(st, 3);
    l->acked = dg_stmt_int64(st, 3);
    l->shipped = dg_stmt_int64(st, 4);
    l->invoiced = dg_stmt_int64(st, 5);
    return 0;
}

static int load_lines(dg_store *s, int64_t po_id, line_row **out, size_t *n, dg_error *err)
{
    static const char sql[] =
        /* a cancelled quantity (cancel.c) is no longer due */
        "SELECT id, supplier_status, qty_ordered - qty_cancelled,"
        /* the smaller of the two; NULL while no quantity was acknowledged */
        " CASE WHEN ack_qty IS NULL OR ack_qty < qty_ordered - qty_cancelled THEN ack_qty"
        " ELSE qty_ordered - qty_cancelled END, qty_shipped, qty_invoiced"
        " FROM order_lines WHERE po_id = ?1 ORDER BY po_line, id";
    *out = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, po_id);
    static const st_rows how = {sizeof(line_row), 8, line_fill, NULL, NULL, "reading PO lines"};
    return st_collect(s, st, &how, out, n, err);
}

/* What the line is expected to ship: the quantity the supplier acknowledged, else the order's. */
static int64_t due(const line_row *l)
{
    return l->has_ack_qty ? l->acked : l->ordered;
}

/* Shipped quantities move an open line to PARTIALLY_SHIPPED / SHIPPED (several ASNs add up). */
static int ship_states(dg_store *s, line_row *lines, size_t n, const dg_status_cause *c,
                       dg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        line_row *l = &lines[i];
        if (closed(l->sup) || l->shipped <= 0)
            continue;
        const char *to = l->shipped >= due(l) ? DG_SUP_SHIPPED : DG_SUP_PARTIALLY_SHIPPED;
        if (!strcmp(l->sup, to))
            continue;
        int rc = dg_store_line_set_status(s, l->id, to, NULL, c, NULL, err);
        if (rc)
            return rc;
        snprintf(l->sup, sizeof l->sup, "%s", to);
    }
    return 0;
}

static const char *derive(const line_row *lines, size_t n)
{
    size_t open = 0, answered = 0, shipped_any = 0, shipped_all = 0, invoiced_all = 0, back = 0;
    for (size_t i = 0; i < n; i++) {
        const line_row *l = &lines[i];
        if (closed(l->sup))
            continue;
        open++;
        answered += l->sup[0] != '\0';
        shipped_any += l->shipped > 0;
        bool full = l->shipped >= due(l);
        shipped_all += full;
        invoiced_all += full && l->invoiced >= l->shipped;
        back += !full && !strcmp(l->sup, DG_SUP_BACKORDERED);
    }
    if (!open)
        return DG_POS_CANCELLED;
    if (shipped_all == open)
        return invoiced_all == open ? DG_POS_COMPLETED : DG_POS_AWAITING_DELIVERY;
    if (back)
        return DG_POS_AWAITING_FULFILMENT;
    if (!answered && !shipped_any)
        return DG_POS_AWAITING_CONFIRMATION;
    return DG_POS_AWAITING_SHIPMENT;
}

static int po_head(dg_store *s, int64_t po_id, int64_t *order_id, char *status, dg_error *err)
{
    static const char sql[] = "SELECT order_id, po_status FROM supplier_pos WHERE id = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, po_id);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW) {
        *order_id = dg_stmt_int64(st, 0);
        st_col_copy(st, 1, status, 32);
    }
    dg_stmt_reset(st);
    if (rc == DG_DB_DONE)
        return dg_error_set(err, DG_ENOTFOUND, "PO %lld: not found", (long long)po_id);
    return rc == DG_DB_ROW ? 0 : dg_store_fail(s, err, "reading a PO");
}

/* The order's fulfilment_status follows its POs (NULL: no PO at all). */
static int order_refresh(dg_store *s, int64_t order_id, const dg_status_cause *c, dg_error *err)
{
    static const char pos[] = "SELECT po_status FROM supplier_pos WHERE order_id = ?1";
    static const char cur[] = "SELECT fulfilment_status FROM orders WHERE id = ?1";
    static const char upd[] = "UPDATE orders SET fulfilment_status = ?2 WHERE id = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, pos, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    int best = -1;
    bool any = false;
    static const char *const names[] = {
        DG_POS_AWAITING_CONFIRMATION, DG_POS_AWAITING_FULFILMENT, DG_POS_AWAITING_SHIPMENT,
        DG_POS_AWAITING_DELIVERY,     DG_POS_COMPLETED,           DG_POS_CANCELLED};
    while ((rc = dg_stmt_step(st)) == DG_DB_ROW) {
        char v[32];
        st_col_copy(st, 0, v, sizeof v);
        any = true;
        int r = rank(v);
        if (r != 5 && (best < 0 || r < best))
            best = r;
    }
    dg_stmt_reset(st);
    if (rc != DG_DB_DONE)
        return dg_store_fail(s, err, "reading an order's POs");
    if (!any)
        return 0;
    const char *to = names[best < 0 ? 5 : best];
    if ((rc = dg_store_prepare(s, cur, &st, err)))
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    char from[32] = "";
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW)
        st_col_copy(st, 0, from, sizeof from);
    dg_stmt_reset(st);
    if (rc != DG_DB_ROW)
        return dg_store_fail(s, err, "reading an order");
    if (!strcmp(from, to))
        return 0;
    if ((rc = dg_store_prepare(s, upd, &st, err)))
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    dg_stmt_bind_text(st, 2, to);
    if ((rc = st_step_done(s, st, err, "moving an order")))
        return rc;
    return history_add(s, order_id, 0, 0, "order", from, to, c, NULL, err);
}

int dg_store_po_status_refresh(dg_store *s, int64_t po_id, const dg_status_cause *c, char *status,
                               dg_error *err)
{
    static const char upd[] = "UPDATE supplier_pos SET po_status = ?2, po_status_at = ?3,"
                              " confirmed_at = CASE WHEN confirmed_at IS NULL AND ?2 NOT IN"
                              " ('AWAITING_CONFIRMATION','CANCELLED') THEN ?3 ELSE confirmed_at"
                              " END WHERE id = ?1";
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    int64_t order_id = 0;
    char from[32] = "";
    line_row *lines = NULL;
    size_t n = 0;
    if ((rc = po_head(s, po_id, &order_id, from, err)) ||
        (rc = load_lines(s, po_id, &lines, &n, err)) || (rc = ship_states(s, lines, n, c, err)))
        goto out;
    const char *to = derive(lines, n);
    if (status)
        snprintf(status, 32, "%s", to);
    if (strcmp(from, to)) {
        dg_stmt *st;
        if ((rc = dg_store_prepare(s, upd, &st, err)))
            goto out;
        dg_stmt_bind_int64(st, 1, po_id);
        dg_stmt_bind_text(st, 2, to);
        dg_stmt_bind_int64(st, 3, dg_store_now(s));
        if ((rc = st_step_done(s, st, err, "moving a PO")) ||
            (rc = history_add(s, order_id, po_id, 0, "po", from, to, c, NULL, err)))
            goto out;
    }
    rc = order_refresh(s, order_id, c, err);
out:
    free(lines);
    if (rc) {
        dg_store_rollback(s);
        return rc;
    }
    return dg_store_commit(s, err);
}

int dg_store_order_status_refresh(dg_store *s, int64_t order_id, const dg_status_cause *c,
                                  dg_error *err)
{
    static const char sql[] = "SELECT id FROM supplier_pos WHERE order_id = ?1 ORDER BY id";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    int64_t *ids = NULL;
    size_t n = 0;
    if ((rc = st_collect_ids(s, st, &ids, &n, "listing an order's POs", err)))
        return rc;
    for (size_t i = 0; i < n && !rc; i++)
        rc = dg_store_po_status_refresh(s, ids[i], c, NULL, err);
    free(ids);
    return rc;
}

int dg_store_po_created(dg_store *s, int64_t po_id, const dg_status_cause *c, dg_error *err)
{
    int64_t order_id = 0;
    char status[32] = "";
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    /* the stamp and what the history row needs, in one statement */
    static const char at[] =
        "UPDATE supplier_pos SET po_status_at = ?2 WHERE id = ?1 RETURNING order_id, po_status";
    dg_stmt *st;
    if ((rc = dg_store_prepare(s, at, &st, err)))
        goto fail;
    dg_stmt_bind_int64(st, 1, po_id);
    dg_stmt_bind_int64(st, 2, dg_store_now(s));
    int step = dg_stmt_step(st);
    if (step == DG_DB_ROW) {
        order_id = dg_stmt_int64(st, 0);
        st_col_copy(st, 1, status, sizeof status);
        step = dg_stmt_step(st);
    }
    dg_stmt_reset(st);
    if (step != DG_DB_DONE || order_id == 0) {
        rc = step == DG_DB_DONE
                 ? dg_error_set(err, DG_ENOTFOUND, "PO %lld: not found", (long long)po_id)
                 : dg_store_fail(s, err, "stamping a PO");
        goto fail;
    }
    if ((rc = history_add(s, order_id, po_id, 0, "po", NULL, status, c, NULL, err)) ||
        (rc = order_refresh(s, order_id, c, err)))
        goto fail;
    return dg_store_commit(s, err);
fail:
    dg_store_rollback(s);
    return rc;
}

int dg_store_po_status(dg_store *s, const char *po_number, int64_t *po_id, char *status,
                       dg_error *err)
{
    static const char sql[] = "SELECT id, po_status FROM supplier_pos WHERE po_number = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, po_number);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW) {
        if (po_id)
            *po_id = dg_stmt_int64(st, 0);
        if (status)
            st_col_copy(st, 1, status, 32);
    }
    dg_stmt_reset(st);
    if (rc == DG_DB_DONE)
        return dg_error_set(err, DG_ENOTFOUND, "PO %s: not found", po_number ? po_number : "");
    return rc == DG_DB_ROW ? 0 : dg_store_fail(s, err, "reading a PO");
}

static int status_history_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_status_event *e = row;
    e->id = dg_stmt_int64(st, 0);
    e->order_id = dg_stmt_int64(st, 1);
    e->po_id = dg_stmt_int64(st, 2);
    e->line_id = dg_stmt_int64(st, 3);
    e->document_id = dg_stmt_int64(st, 4);
    e->file_id = dg_stmt_int64(st, 5);
    e->at = dg_stmt_int64(st, 6);
    st_col_copy(st, 7, e->what, sizeof e->what);
    st_col_copy(st, 8, e->from, sizeof e->from);
    st_col_copy(st, 9, e->to, sizeof e->to);
    st_col_copy(st, 10, e->cause, sizeof e->cause);
    st_col_copy(st, 11, e->po_number, sizeof e->po_number);
    st_col_copy(st, 12, e->line_number, sizeof e->line_number);
    st_col_copy(st, 13, e->sku, sizeof e->sku);
    st_col_copy(st, 14, e->detail, sizeof e->detail);
    return 0;
}

int dg_store_status_history(dg_store *s, int64_t order_id, int64_t po_id, dg_status_event **rows,
                            size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT h.id, h.order_id, coalesce(h.po_id, l.po_id), h.order_line_id, h.document_id,"
        " h.file_id, h.at, h.what, h.from_status, h.to_status, h.cause, p.po_number,"
        " l.line_number, l.retailer_sku, h.detail FROM status_history h"
        " LEFT JOIN order_lines l ON l.id = h.order_line_id"
        " LEFT JOIN supplier_pos p ON p.id = coalesce(h.po_id, l.po_id)"
        " WHERE (?1 = 0 OR h.order_id = ?1) AND (?2 = 0 OR coalesce(h.po_id, l.po_id) = ?2)"
        " ORDER BY h.id";
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    dg_stmt_bind_int64(st, 2, po_id);
    static const st_rows how = {sizeof(dg_status_event), 16, status_history_fill, NULL, NULL,
                                "reading status history"};
    return st_collect(s, st, &how, rows, n, err);
}

static int count_into(dg_store *s, const char *sql, json_t *into, dg_error *err)
{
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    while ((rc = dg_stmt_step(st)) == DG_DB_ROW)
        json_object_set_new(into, dg_stmt_text(st, 0), json_integer(dg_stmt_int64(st, 1)));
    dg_stmt_reset(st);
    return rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "counting statuses");
}

int dg_store_life_counts(dg_store *s, json_t **pos, json_t **orders, dg_error *err)
{
    static const char q_pos[] = "SELECT po_status, count(*) FROM supplier_pos GROUP BY po_status";
    static const char q_orders[] = "SELECT fulfilment_status, count(*) FROM orders"
                                   " WHERE fulfilment_status IS NOT NULL GROUP BY 1";
    *pos = json_object();
    *orders = json_object();
    int rc = count_into(s, q_pos, *pos, err);
    if (!rc)
        rc = count_into(s, q_orders, *orders, err);
    if (rc) {
        json_decref(*pos);
        json_decref(*orders);
        *pos = *orders = NULL;
    }
    return rc;
}
