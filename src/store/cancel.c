/* Cancellations: what a storefront (or a supplier) cancelled, the request per PO that goes to
 * the supplier once (outbox), each line's requested, cancelled or refused quantity, and the
 * notices that tell the storefront. The rules are the flow's (src/flow/cancel.c). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "store/store_internal.h"

static int step_done(dg_store *s, sqlite3_stmt *st, const char *what, dg_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : dg_store_fail(s, err, what);
}

#define LINE_COLS                                                                                  \
    "l.id, l.po_id, l.po_line, l.line_number, l.retailer_sku, l.supplier_sku, l.gtin, l.uom,"      \
    " l.status, coalesce(l.supplier_status, ''), p.po_number, l.supplier, l.qty_ordered,"          \
    " l.qty_shipped, l.qty_cancelled,"                                                             \
    " (SELECT coalesce(sum(c.qty), 0) FROM cancel_lines c WHERE c.order_line_id = l.id"            \
    "  AND c.state = 'REQUESTED'), l.cost, p.sent_at IS NOT NULL"

static void read_line(sqlite3_stmt *st, dg_cancel_line_row *r)
{
    memset(r, 0, sizeof *r);
    r->line_id = sqlite3_column_int64(st, 0);
    r->po_id = sqlite3_column_int64(st, 1);
    r->po_line = (long)sqlite3_column_int64(st, 2);
    st_col_copy(st, 3, r->line_number, sizeof r->line_number);
    st_col_copy(st, 4, r->retailer_sku, sizeof r->retailer_sku);
    st_col_copy(st, 5, r->supplier_sku, sizeof r->supplier_sku);
    st_col_copy(st, 6, r->gtin, sizeof r->gtin);
    st_col_copy(st, 7, r->uom, sizeof r->uom);
    st_col_copy(st, 8, r->status, sizeof r->status);
    st_col_copy(st, 9, r->sup_status, sizeof r->sup_status);
    st_col_copy(st, 10, r->po_number, sizeof r->po_number);
    st_col_copy(st, 11, r->supplier, sizeof r->supplier);
    r->ordered = sqlite3_column_int64(st, 12);
    r->shipped = sqlite3_column_int64(st, 13);
    r->cancelled = sqlite3_column_int64(st, 14);
    r->requested = sqlite3_column_int64(st, 15);
    r->cost_set = sqlite3_column_type(st, 16) != SQLITE_NULL;
    r->cost = sqlite3_column_int64(st, 16);
    r->po_sent = sqlite3_column_int(st, 17) != 0;
}

/* Runs a prepared query of LINE_COLS (+ extra columns for requested lines) into rows. */
static int read_lines(dg_store *s, sqlite3_stmt *st, bool requested, dg_cancel_line_row **rows,
                      size_t *n, dg_error *err)
{
    *rows = NULL;
    *n = 0;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dg_cancel_line_row *grown = dg_array_slot(*rows, sizeof *grown, *n, &cap, 8);
        if (!grown) {
            sqlite3_reset(st);
            return dg_error_set(err, DG_ENOMEM, "out of memory");
        }
        *rows = grown;
        dg_cancel_line_row *r = &(*rows)[(*n)++];
        read_line(st, r);
        if (requested) {
            r->cancel_line_id = sqlite3_column_int64(st, 18);
            r->request_id = sqlite3_column_int64(st, 19);
            r->qty = sqlite3_column_int64(st, 20);
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(*rows);
        *rows = NULL;
        *n = 0;
        return dg_store_fail(s, err, "reading order lines for a cancellation");
    }
    return 0;
}

int dg_store_cancel_lines(dg_store *s, int64_t order_id, int64_t po_id, dg_cancel_line_row **rows,
                          size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT " LINE_COLS " FROM order_lines l LEFT JOIN supplier_pos p ON p.id = l.po_id"
        " WHERE (?1 > 0 AND l.order_id = ?1) OR (?2 > 0 AND l.po_id = ?2)"
        " ORDER BY l.line_no, l.id";
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int64(st, 2, po_id);
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
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, po_id);
    sqlite3_bind_int64(st, 2, request_id);
    return read_lines(s, st, true, rows, n, err);
}

int dg_store_cancellation_seen(dg_store *s, int64_t order_id, const char *content_key, bool *seen,
                               dg_error *err)
{
    static const char sql[] =
        "SELECT 1 FROM cancellations WHERE order_id = ?1 AND content_key = ?2 LIMIT 1";
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, order_id);
    st_bind_text(st, 2, content_key);
    rc = sqlite3_step(st);
    *seen = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
                                                 : dg_store_fail(s, err, "reading cancellations");
}

int dg_store_cancellation_add(dg_store *s, int64_t order_id, int64_t document_id,
                              const char *source, const char *reason, const char *content_key,
                              int64_t *id, dg_error *err)
{
    static const char sql[] = "INSERT INTO cancellations(order_id, document_id, source, reason,"
                              " created_at, content_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, order_id);
    if (document_id > 0)
        sqlite3_bind_int64(st, 2, document_id);
    else
        sqlite3_bind_null(st, 2);
    st_bind_text(st, 3, source);
    st_bind_text(st, 4, reason);
    sqlite3_bind_int64(st, 5, dg_store_now(s));
    st_bind_text(st, 6, content_key);
    if ((rc = step_done(s, st, "recording a cancellation", err)))
        return rc;
    *id = sqlite3_last_insert_rowid(dg_store_db(s));
    return 0;
}

int dg_store_cancel_request_for(dg_store *s, int64_t cancellation_id, int64_t po_id,
                                int64_t *request_id, dg_error *err)
{
    static const char find[] =
        "SELECT id FROM cancel_requests WHERE cancellation_id = ?1 AND po_id = ?2";
    static const char add[] =
        "INSERT INTO cancel_requests(cancellation_id, po_id, number, state, created_at)"
        " SELECT ?1, ?2, p.po_number || '-C' || (SELECT count(*) + 1 FROM cancel_requests r"
        " WHERE r.po_id = ?2), 'PENDING', ?3 FROM supplier_pos p WHERE p.id = ?2";
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, find, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, cancellation_id);
    sqlite3_bind_int64(st, 2, po_id);
    rc = sqlite3_step(st);
    *request_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return dg_store_fail(s, err, "reading a cancellation request");
    if (*request_id)
        return 0;
    if ((rc = dg_store_prepare(s, add, &st, err)))
        return rc;
    sqlite3_bind_int64(st, 1, cancellation_id);
    sqlite3_bind_int64(st, 2, po_id);
    sqlite3_bind_int64(st, 3, dg_store_now(s));
    if ((rc = step_done(s, st, "recording a cancellation request", err)))
        return rc;
    *request_id = sqlite3_last_insert_rowid(dg_store_db(s));
    return 0;
}

static int add_cancelled(dg_store *s, int64_t line_id, int64_t qty, dg_error *err)
{
    static const char sql[] =
        "UPDATE order_lines SET qty_cancelled = qty_cancelled + ?2 WHERE id = ?1";
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, line_id);
    sqlite3_bind_int64(st, 2, qty);
    return step_done(s, st, "recording a cancelled quantity", err);
}

int dg_store_cancel_line_add(dg_store *s, int64_t cancellation_id, int64_t request_id,
                             int64_t line_id, int64_t qty, const char *state, const char *reason,
                             dg_error *err)
{
    static const char sql[] =
        "INSERT INTO cancel_lines(cancellation_id, request_id, order_line_id, qty, state, reason,"
        " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, cancellation_id);
    if (request_id > 0)
        sqlite3_bind_int64(st, 2, request_id);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_int64(st, 3, line_id);
    sqlite3_bind_int64(st, 4, qty);
    st_bind_text(st, 5, state);
    st_bind_text(st, 6, reason);
    sqlite3_bind_int64(st, 7, dg_store_now(s));
    if ((rc = step_done(s, st, "recording a cancelled line", err)))
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
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sel, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, cancel_line_id);
    rc = sqlite3_step(st);
    int64_t line_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int64_t qty = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    int64_t request_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 2) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0; /* answered before */
    if (rc != SQLITE_ROW)
        return dg_store_fail(s, err, "reading a requested cancellation");
    if ((rc = dg_store_prepare(s, upd, &st, err)))
        return rc;
    sqlite3_bind_int64(st, 1, cancel_line_id);
    st_bind_text(st, 2, state);
    st_bind_text(st, 3, reason);
    sqlite3_bind_int64(st, 4, dg_store_now(s));
    if ((rc = step_done(s, st, "answering a cancellation", err)) ||
        (!strcmp(state, "CANCELLED") && (rc = add_cancelled(s, line_id, qty, err))))
        return rc;
    if (request_id <= 0)
        return 0;
    if ((rc = dg_store_prepare(s, close, &st, err)))
        return rc;
    sqlite3_bind_int64(st, 1, request_id);
    sqlite3_bind_int64(st, 2, dg_store_now(s));
    return step_done(s, st, "closing a cancellation request", err);
}

int dg_store_cancel_requests_pending(dg_store *s, const char *supplier, dg_cancel_request **rows,
                                     size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT r.id, r.po_id, o.id, r.number, p.po_number, p.supplier, o.storefront,"
        " o.order_number, coalesce(c.reason, ''), p.created_at"
        " FROM cancel_requests r JOIN supplier_pos p ON p.id = r.po_id"
        " JOIN cancellations c ON c.id = r.cancellation_id JOIN orders o ON o.id = p.order_id"
        " WHERE r.state = 'PENDING' AND p.sent_at IS NOT NULL AND (?1 IS NULL OR p.supplier = ?1)"
        " AND EXISTS (SELECT 1 FROM cancel_lines l WHERE l.request_id = r.id"
        " AND l.state = 'REQUESTED') ORDER BY r.id";
    *rows = NULL;
    *n = 0;
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    st_bind_text(st, 1, supplier);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dg_cancel_request *grown = dg_array_slot(*rows, sizeof *grown, *n, &cap, 8);
        if (!grown) {
            sqlite3_reset(st);
            return dg_error_set(err, DG_ENOMEM, "out of memory");
        }
        *rows = grown;
        dg_cancel_request *r = &(*rows)[(*n)++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        r->po_id = sqlite3_column_int64(st, 1);
        r->order_id = sqlite3_column_int64(st, 2);
        st_col_copy(st, 3, r->number, sizeof r->number);
        st_col_copy(st, 4, r->po_number, sizeof r->po_number);
        st_col_copy(st, 5, r->supplier, sizeof r->supplier);
        st_col_copy(st, 6, r->storefront, sizeof r->storefront);
        st_col_copy(st, 7, r->order_number, sizeof r->order_number);
        st_col_copy(st, 8, r->reason, sizeof r->reason);
        r->po_created = sqlite3_column_int64(st, 9);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(*rows);
        *rows = NULL;
        *n = 0;
        return dg_store_fail(s, err, "listing cancellation requests");
    }
    return 0;
}

int dg_store_cancel_request_queued(dg_store *s, int64_t request_id, int64_t outbox_id,
                                   dg_error *err)
{
    static const char sql[] = "UPDATE cancel_requests SET state = 'QUEUED', outbox_id = ?2"
                              " WHERE id = ?1 AND state = 'PENDING'";
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, request_id);
    sqlite3_bind_int64(st, 2, outbox_id);
    return step_done(s, st, "queueing a cancellation request", err);
}

int dg_store_cancel_outbox_sent(dg_store *s, int64_t outbox_id, dg_error *err)
{
    static const char req[] = "UPDATE cancel_requests SET state = 'SENT', sent_at = ?2"
                              " WHERE outbox_id = ?1 AND state = 'QUEUED'";
    static const char note[] = "UPDATE cancel_notices SET state = 'SENT', sent_at = ?2"
                               " WHERE outbox_id = ?1 AND state = 'QUEUED'";
    const char *const sqls[] = {req, note};
    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *st;
        int rc = dg_store_prepare(s, sqls[i], &st, err);
        if (rc)
            return rc;
        sqlite3_bind_int64(st, 1, outbox_id);
        sqlite3_bind_int64(st, 2, dg_store_now(s));
        if ((rc = step_done(s, st, "marking a cancellation sent", err)))
            return rc;
    }
    return 0;
}

int dg_store_cancel_counts(dg_store *s, json_t *counts, dg_error *err)
{
    static const char sql[] = "SELECT state, count(*) FROM cancel_requests GROUP BY state";
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        json_object_set_new(counts, k ? k : "", json_integer(sqlite3_column_int64(st, 1)));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : dg_store_fail(s, err, "counting cancellation requests");
}

int dg_store_cancel_notice_add(dg_store *s, const char *storefront, int64_t order_id,
                               const char *json, dg_error *err)
{
    static const char sql[] = "INSERT INTO cancel_notices(storefront, order_id, json, state,"
                              " created_at) VALUES (?1, ?2, ?3, 'PENDING', ?4)";
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    st_bind_text(st, 1, storefront);
    sqlite3_bind_int64(st, 2, order_id);
    st_bind_text(st, 3, json);
    sqlite3_bind_int64(st, 4, dg_store_now(s));
    return step_done(s, st, "recording a cancellation notice", err);
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
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    st_bind_text(st, 1, storefront);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dg_cancel_notice *grown = dg_array_slot(*rows, sizeof *grown, *n, &cap, 8);
        const unsigned char *j = sqlite3_column_text(st, 3);
        char *json = strdup(j ? (const char *)j : "{}");
        if (!grown || !json) {
            free(json);
            sqlite3_reset(st);
            return dg_error_set(err, DG_ENOMEM, "out of memory");
        }
        *rows = grown;
        dg_cancel_notice *r = &(*rows)[(*n)++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        st_col_copy(st, 1, r->storefront, sizeof r->storefront);
        st_col_copy(st, 2, r->order_number, sizeof r->order_number);
        r->json = json;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        dg_store_cancel_notices_free(*rows, *n);
        *rows = NULL;
        *n = 0;
        return dg_store_fail(s, err, "listing cancellation notices");
    }
    return 0;
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
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, notice_id);
    sqlite3_bind_int64(st, 2, outbox_id);
    return step_done(s, st, "queueing a cancellation notice", err);
}

int dg_store_order_find(dg_store *s, const char *storefront, const char *order_number,
                        int64_t *order_id, dg_error *err)
{
    static const char sql[] = "SELECT id FROM orders WHERE storefront = ?1 AND order_number = ?2";
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    st_bind_text(st, 1, storefront);
    st_bind_text(st, 2, order_number);
    rc = sqlite3_step(st);
    *order_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : dg_store_fail(s, err, "finding an order");
}

int dg_store_line_po(dg_store *s, int64_t line_id, int64_t *po_id, dg_error *err)
{
    static const char sql[] = "SELECT coalesce(po_id, 0) FROM order_lines WHERE id = ?1";
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, line_id);
    rc = sqlite3_step(st);
    *po_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : dg_store_fail(s, err, "reading a line");
}
