/* Cancellations: what a storefront (or a supplier) cancelled, the request per PO that goes to
 * the supplier once (outbox), each line's requested, cancelled or refused quantity, and the
 * notices that tell the storefront. The rules are the flow's (src/flow/cancel.c). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

#define LINE_COLS                                                                                  \
    "l.id, l.po_id, l.po_line, l.line_number, l.retailer_sku, l.supplier_sku, l.gtin, l.uom,"      \
    " l.status, coalesce(l.supplier_status, ''), p.po_number, l.supplier, l.qty_ordered,"          \
    " l.qty_shipped, l.qty_cancelled,"                                                             \
    " (SELECT coalesce(sum(c.qty), 0) FROM cancel_lines c WHERE c.order_line_id = l.id"            \
    "  AND c.state = 'REQUESTED'), l.cost, p.sent_at IS NOT NULL"

static void read_line(dg_stmt *st, dg_cancel_line_row *r)
{
    memset(r, 0, sizeof *r);
    r->line_id = dg_stmt_int64(st, 0);
    r->po_id = dg_stmt_int64(st, 1);
    r->po_line = (long)dg_stmt_int64(st, 2);
    st_col_copy(st, 3, r->line_number, sizeof r->line_number);
    st_col_copy(st, 4, r->retailer_sku, sizeof r->retailer_sku);
    st_col_copy(st, 5, r->supplier_sku, sizeof r->supplier_sku);
    st_col_copy(st, 6, r->gtin, sizeof r->gtin);
    st_col_copy(st, 7, r->uom, sizeof r->uom);
    st_col_copy(st, 8, r->status, sizeof r->status);
    st_col_copy(st, 9, r->sup_status, sizeof r->sup_status);
    st_col_copy(st, 10, r->po_number, sizeof r->po_number);
    st_col_copy(st, 11, r->supplier, sizeof r->supplier);
    r->ordered = dg_stmt_int64(st, 12);
    r->shipped = dg_stmt_int64(st, 13);
    r->cancelled = dg_stmt_int64(st, 14);
    r->requested = dg_stmt_int64(st, 15);
    r->cost_set = !dg_stmt_column_null(st, 16);
    r->cost = dg_stmt_int64(st, 16);
    r->po_sent = dg_stmt_int(st, 17) != 0;
}

static int line_fill(dg_stmt *st, void *row, void *ctx)
{
    dg_cancel_line_row *r = row;
    read_line(st, r);
    if (*(const bool *)ctx) {
        r->cancel_line_id = dg_stmt_int64(st, 18);
        r->request_id = dg_stmt_int64(st, 19);
        r->qty = dg_stmt_int64(st, 20);
    }
    return 0;
}

/* Runs a prepared query of LINE_COLS (+ extra columns for requested lines) into rows. */
static int read_lines(dg_store *s, dg_stmt *st, bool requested, dg_cancel_line_row **rows,
                      size_t *n, dg_error *err)
{
    st_rows how = {sizeof **rows, 8,          line_fill,
                   NULL,          &requested, "reading order lines for a cancellation"};
    return st_collect(s, st, &how, rows, n, err);
}

int dg_store_cancel_lines(dg_store *s, int64_t order_id, int64_t po_id, dg_cancel_line_row **rows,
                          size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT " LINE_COLS " FROM order_lines l LEFT JOIN supplier_pos p ON p.id = l.po_id"
        " WHERE (?1 > 0 AND l.order_id = ?1) OR (?2 > 0 AND l.po_id = ?2)"
        " ORDER BY l.line_no, l.id";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    dg_stmt_bind_int64(st, 2, po_id);
    return read_lines(s, st, false, rows, n, err);
}

int dg_store_cancel_requested(dg_store *s, int64_t po_id, int64_t request_id,
                              dg_cancel_line_row **rows, size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT " LINE_COLS ", c.id, c.request_id, c.qty"
        " FROM cancel_lines c JOIN order_lines l ON l.id = c.order_line_id"
        " JOIN supplier_pos p ON p.id = l.po_id"
        " WHERE c.state = 'REQUESTED' AND l.po_id = ?1 AND (?2 = 0 OR c.request_id = ?2)"
        " ORDER BY c.id";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, po_id);
    dg_stmt_bind_int64(st, 2, request_id);
    return read_lines(s, st, true, rows, n, err);
}

int dg_store_cancellation_seen(dg_store *s, int64_t order_id, const char *content_key, bool *seen,
                               dg_error *err)
{
    static const char sql[] =
        "SELECT 1 FROM cancellations WHERE order_id = ?1 AND content_key = ?2 LIMIT 1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    dg_stmt_bind_text(st, 2, content_key);
    rc = dg_stmt_step(st);
    *seen = rc == DG_DB_ROW;
    dg_stmt_reset(st);
    return rc == DG_DB_ROW || rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "reading cancellations");
}

int dg_store_cancellation_add(dg_store *s, int64_t order_id, int64_t document_id,
                              const char *source, const char *reason, const char *content_key,
                              int64_t *id, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO cancellations(order_id, document_id, source, reason,"
        " created_at, content_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    if (document_id > 0)
        dg_stmt_bind_int64(st, 2, document_id);
    else
        dg_stmt_bind_null(st, 2);
    dg_stmt_bind_text(st, 3, source);
    dg_stmt_bind_text(st, 4, reason);
    dg_stmt_bind_int64(st, 5, dg_store_now(s));
    dg_stmt_bind_text(st, 6, content_key);
    return dg_store_step_id(s, st, id, err, "recording a cancellation");
}

int dg_store_cancel_request_for(dg_store *s, int64_t cancellation_id, int64_t po_id,
                                int64_t *request_id, dg_error *err)
{
    static const char find[] =
        "SELECT id FROM cancel_requests WHERE cancellation_id = ?1 AND po_id = ?2";
    static const char add[] =
        "INSERT INTO cancel_requests(cancellation_id, po_id, number, state, created_at)"
        " SELECT ?1, ?2, p.po_number || '-C' || (SELECT count(*) + 1 FROM cancel_requests r"
        " WHERE r.po_id = ?2), 'PENDING', ?3 FROM supplier_pos p WHERE p.id = ?2 RETURNING id";
    dg_stmt *st;
    int rc = dg_store_prepare(s, find, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, cancellation_id);
    dg_stmt_bind_int64(st, 2, po_id);
    rc = dg_stmt_step(st);
    *request_id = rc == DG_DB_ROW ? dg_stmt_int64(st, 0) : 0;
    dg_stmt_reset(st);
    if (rc != DG_DB_ROW && rc != DG_DB_DONE)
        return dg_store_fail(s, err, "reading a cancellation request");
    if (*request_id)
        return 0;
    if ((rc = dg_store_prepare(s, add, &st, err)))
        return rc;
    dg_stmt_bind_int64(st, 1, cancellation_id);
    dg_stmt_bind_int64(st, 2, po_id);
    dg_stmt_bind_int64(st, 3, dg_store_now(s));
    return dg_store_step_id(s, st, request_id, err, "recording a cancellation request");
}

static int add_cancelled(dg_store *s, int64_t line_id, int64_t qty, dg_error *err)
{
    static const char sql[] =
        "UPDATE order_lines SET qty_cancelled = qty_cancelled + ?2 WHERE id = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, line_id);
    dg_stmt_bind_int64(st, 2, qty);
    return st_step_done(s, st, err, "recording a cancelled quantity");
}

int dg_store_cancel_line_add(dg_store *s, int64_t cancellation_id, int64_t request_id,
                             int64_t line_id, int64_t qty, const char *state, const char *reason,
                             dg_error *err)
{
    static const char sql[] =
        "INSERT INTO cancel_lines(cancellation_id, request_id, order_line_id, qty, state, reason,"
        " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, cancellation_id);
    if (request_id > 0)
        dg_stmt_bind_int64(st, 2, request_id);
    else
        dg_stmt_bind_null(st, 2);
    dg_stmt_bind_int64(st, 3, line_id);
    dg_stmt_bind_int64(st, 4, qty);
    dg_stmt_bind_text(st, 5, state);
    dg_stmt_bind_text(st, 6, reason);
    dg_stmt_bind_int64(st, 7, dg_store_now(s));
    if ((rc = st_step_done(s, st, err, "recording a cancelled line")))
        return rc;
    return strcmp(state, "CANCELLED") ? 0 : add_cancelled(s, line_id, qty, err);
}

int dg_store_cancel_line_answer(dg_store *s, int64_t cancel_line_id, const char *state,
                                const char *reason, dg_error *err)
{
    static const char sel[] =
        "SELECT order_line_id, qty, request_id FROM cancel_lines WHERE id = ?1"
        " AND state = 'REQUESTED'";
    static const char upd[] = "UPDATE cancel_lines SET state = ?2, reason = coalesce(?3, reason),"
                              " updated_at = ?4 WHERE id = ?1";
    static const char close[] =
        "UPDATE cancel_requests SET state = 'ANSWERED', answered_at = ?2 WHERE id = ?1"
        " AND NOT EXISTS (SELECT 1 FROM cancel_lines WHERE request_id = ?1"
        " AND state = 'REQUESTED')";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sel, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, cancel_line_id);
    rc = dg_stmt_step(st);
    int64_t line_id = rc == DG_DB_ROW ? dg_stmt_int64(st, 0) : 0;
    int64_t qty = rc == DG_DB_ROW ? dg_stmt_int64(st, 1) : 0;
    int64_t request_id = rc == DG_DB_ROW ? dg_stmt_int64(st, 2) : 0;
    dg_stmt_reset(st);
    if (rc == DG_DB_DONE)
        return 0; /* answered before */
    if (rc != DG_DB_ROW)
        return dg_store_fail(s, err, "reading a requested cancellation");
    if ((rc = dg_store_prepare(s, upd, &st, err)))
        return rc;
    dg_stmt_bind_int64(st, 1, cancel_line_id);
    dg_stmt_bind_text(st, 2, state);
    dg_stmt_bind_text(st, 3, reason);
    dg_stmt_bind_int64(st, 4, dg_store_now(s));
    if ((rc = st_step_done(s, st, err, "answering a cancellation")) ||
        (!strcmp(state, "CANCELLED") && (rc = add_cancelled(s, line_id, qty, err))))
        return rc;
    if (request_id <= 0)
        return 0;
    if ((rc = dg_store_prepare(s, close, &st, err)))
        return rc;
    dg_stmt_bind_int64(st, 1, request_id);
    dg_stmt_bind_int64(st, 2, dg_store_now(s));
    return st_step_done(s, st, err, "closing a cancellation request");
}

static int request_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_cancel_request *r = row;
    r->id = dg_stmt_int64(st, 0);
    r->po_id = dg_stmt_int64(st, 1);
    r->order_id = dg_stmt_int64(st, 2);
    st_col_copy(st, 3, r->number, sizeof r->number);
    st_col_copy(st, 4, r->po_number, sizeof r->po_number);
    st_col_copy(st, 5, r->supplier, sizeof r->supplier);
    st_col_copy(st, 6, r->storefront, sizeof r->storefront);
    st_col_copy(st, 7, r->order_number, sizeof r->order_number);
    st_col_copy(st, 8, r->reason, sizeof r->reason);
    r->po_created = dg_stmt_int64(st, 9);
    r->seq = dg_stmt_int64(st, 10);
    return 0;
}

int dg_store_cancel_requests_pending(dg_store *s, const char *supplier, dg_cancel_request **rows,
                                     size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT r.id, r.po_id, o.id, r.number, p.po_number, p.supplier, o.storefront,"
        " o.order_number, coalesce(c.reason, ''), p.created_at,"
        " (SELECT count(*) FROM cancel_requests e WHERE e.po_id = r.po_id AND e.id <= r.id)"
        " FROM cancel_requests r JOIN supplier_pos p ON p.id = r.po_id"
        " JOIN cancellations c ON c.id = r.cancellation_id JOIN orders o ON o.id = p.order_id"
        " WHERE r.state = 'PENDING' AND p.sent_at IS NOT NULL AND (?1 IS NULL OR p.supplier = ?1)"
        " AND EXISTS (SELECT 1 FROM cancel_lines l WHERE l.request_id = r.id"
        " AND l.state = 'REQUESTED') ORDER BY r.id";
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, supplier);
    static const st_rows how = {sizeof(dg_cancel_request),      8, request_fill, NULL, NULL,
                                "listing cancellation requests"};
    return st_collect(s, st, &how, rows, n, err);
}

int dg_store_cancel_request_queued(dg_store *s, int64_t request_id, int64_t outbox_id,
                                   dg_error *err)
{
    static const char sql[] = "UPDATE cancel_requests SET state = 'QUEUED', outbox_id = ?2"
                              " WHERE id = ?1 AND state = 'PENDING'";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, request_id);
    dg_stmt_bind_int64(st, 2, outbox_id);
    return st_step_done(s, st, err, "queueing a cancellation request");
}

int dg_store_cancel_outbox_sent(dg_store *s, int64_t outbox_id, dg_error *err)
{
    static const char req[] = "UPDATE cancel_requests SET state = 'SENT', sent_at = ?2"
                              " WHERE outbox_id = ?1 AND state = 'QUEUED'";
    static const char note[] = "UPDATE cancel_notices SET state = 'SENT', sent_at = ?2"
                               " WHERE outbox_id = ?1 AND state = 'QUEUED'";
    const char *const sqls[] = {req, note};
    for (size_t i = 0; i < 2; i++) {
        dg_stmt *st;
        int rc = dg_store_prepare(s, sqls[i], &st, err);
        if (rc)
            return rc;
        dg_stmt_bind_int64(st, 1, outbox_id);
        dg_stmt_bind_int64(st, 2, dg_store_now(s));
        if ((rc = st_step_done(s, st, err, "marking a cancellation sent")))
            return rc;
    }
    return 0;
}

int dg_store_cancel_counts(dg_store *s, json_t *counts, dg_error *err)
{
    return st_count_by(s, "SELECT state, count(*) FROM cancel_requests GROUP BY state", counts,
                       "counting cancellation requests", err);
}

int dg_store_cancel_notice_add(dg_store *s, const char *storefront, int64_t order_id,
                               const char *json, dg_error *err)
{
    static const char sql[] = "INSERT INTO cancel_notices(storefront, order_id, json, state,"
                              " created_at) VALUES (?1, ?2, ?3, 'PENDING', ?4)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, storefront);
    dg_stmt_bind_int64(st, 2, order_id);
    dg_stmt_bind_text(st, 3, json);
    dg_stmt_bind_int64(st, 4, dg_store_now(s));
    return st_step_done(s, st, err, "recording a cancellation notice");
}

static int notice_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_cancel_notice *r = row;
    const char *j = dg_stmt_text(st, 3);
    if (!(r->json = strdup(j ? j : "{}")))
        return DG_ENOMEM;
    r->id = dg_stmt_int64(st, 0);
    st_col_copy(st, 1, r->storefront, sizeof r->storefront);
    st_col_copy(st, 2, r->order_number, sizeof r->order_number);
    return 0;
}

static void notice_clear(void *row)
{
    free(((dg_cancel_notice *)row)->json);
}

int dg_store_cancel_notices_pending(dg_store *s, const char *storefront, dg_cancel_notice **rows,
                                    size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT c.id, c.storefront, o.order_number, c.json FROM cancel_notices c"
        " JOIN orders o ON o.id = c.order_id WHERE c.state = 'PENDING'"
        " AND (?1 IS NULL OR c.storefront = ?1) ORDER BY c.id";
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, storefront);
    static const st_rows how = {sizeof(dg_cancel_notice),      8, notice_fill, notice_clear, NULL,
                                "listing cancellation notices"};
    return st_collect(s, st, &how, rows, n, err);
}

void dg_store_cancel_notices_free(dg_cancel_notice *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        free(rows[i].json);
    free(rows);
}

int dg_store_cancel_notice_queued(dg_store *s, int64_t notice_id, int64_t outbox_id, dg_error *err)
{
    static const char sql[] = "UPDATE cancel_notices SET state = 'QUEUED', outbox_id = ?2"
                              " WHERE id = ?1 AND state = 'PENDING'";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, notice_id);
    dg_stmt_bind_int64(st, 2, outbox_id);
    return st_step_done(s, st, err, "queueing a cancellation notice");
}

int dg_store_order_find(dg_store *s, const char *storefront, const char *order_number,
                        int64_t *order_id, dg_error *err)
{
    static const char sql[] = "SELECT id FROM orders WHERE storefront = ?1 AND order_number = ?2";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, storefront);
    dg_stmt_bind_text(st, 2, order_number);
    rc = dg_stmt_step(st);
    *order_id = rc == DG_DB_ROW ? dg_stmt_int64(st, 0) : 0;
    dg_stmt_reset(st);
    return rc == DG_DB_ROW || rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "finding an order");
}

int dg_store_line_po(dg_store *s, int64_t line_id, int64_t *po_id, dg_error *err)
{
    static const char sql[] = "SELECT coalesce(po_id, 0) FROM order_lines WHERE id = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, line_id);
    rc = dg_stmt_step(st);
    *po_id = rc == DG_DB_ROW ? dg_stmt_int64(st, 0) : 0;
    dg_stmt_reset(st);
    return rc == DG_DB_ROW || rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "reading a line");
}
