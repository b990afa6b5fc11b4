/* Held supplier POs and tracking files: one whose rendered file would not be valid for its
 * partner (or cannot be rendered) is held with the reason, never queued nor sent, and released
 * by the next render that succeeds (after the operator fixed the mapping or the data). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

/* Runs a hold (reason) or release (reason NULL) statement keyed by ?1; *changed: a row moved. */
static int hold_step(dg_store *s, const char *sql, int64_t id, const char *key, const char *reason,
                     bool *changed, const char *what, dg_error *err)
{
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    if (key)
        dg_stmt_bind_text(st, 1, key);
    else
        dg_stmt_bind_int64(st, 1, id);
    if (reason) {
        dg_stmt_bind_text(st, 2, reason);
        dg_stmt_bind_int64(st, 3, dg_store_now(s));
    }
    rc = dg_stmt_step(st);
    dg_stmt_reset(st);
    if (rc != DG_DB_DONE)
        return dg_store_fail(s, err, what);
    if (changed)
        *changed = dg_db_changes(s->db) > 0;
    return 0;
}

int dg_store_tracking_hold(dg_store *s, int64_t notification_id, const char *reason, bool *changed,
                           dg_error *err)
{
    static const char sql[] =
        "UPDATE notifications SET hold_reason = ?2,"
        " held_at = CASE WHEN hold_reason IS NOT DISTINCT FROM ?2 THEN held_at ELSE ?3 END"
        " WHERE id = ?1 AND state = 'PENDING' AND hold_reason IS DISTINCT FROM ?2";
    return hold_step(s, sql, notification_id, NULL, reason ? reason : "", changed,
                     "holding a tracking file", err);
}

int dg_store_tracking_release(dg_store *s, int64_t notification_id, bool *was_held, dg_error *err)
{
    static const char sql[] = "UPDATE notifications SET hold_reason = NULL, held_at = NULL"
                              " WHERE id = ?1 AND hold_reason IS NOT NULL";
    return hold_step(s, sql, notification_id, NULL, NULL, was_held, "releasing a tracking file",
                     err);
}

int dg_store_po_hold(dg_store *s, const char *po_number, const char *reason, bool *changed,
                     dg_error *err)
{
    /* held_at keeps the first time it was held while the reason stays the same */
    static const char sql[] =
        "UPDATE supplier_pos SET hold_reason = ?2,"
        " held_at = CASE WHEN hold_reason IS NOT DISTINCT FROM ?2 THEN held_at ELSE ?3 END"
        " WHERE po_number = ?1 AND outbox_id IS NULL AND hold_reason IS DISTINCT FROM ?2";
    return hold_step(s, sql, 0, po_number ? po_number : "", reason ? reason : "", changed,
                     "holding a PO", err);
}

int dg_store_po_release(dg_store *s, const char *po_number, bool *was_held, dg_error *err)
{
    static const char sql[] = "UPDATE supplier_pos SET hold_reason = NULL, held_at = NULL"
                              " WHERE po_number = ?1 AND hold_reason IS NOT NULL";
    return hold_step(s, sql, 0, po_number ? po_number : "", NULL, was_held, "releasing a held PO",
                     err);
}

static int list_held(dg_store *s, const char *sql, dg_store_held_po **rows, size_t *n,
                     dg_error *err);

int dg_store_held_pos(dg_store *s, dg_store_held_po **rows, size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT p.po_number, p.supplier, o.storefront, o.order_number, p.hold_reason, p.held_at"
        " FROM supplier_pos p JOIN orders o ON o.id = p.order_id"
        " WHERE p.hold_reason IS NOT NULL ORDER BY p.held_at, p.id";
    return list_held(s, sql, rows, n, err);
}

int dg_store_held_tracking(dg_store *s, dg_store_held_po **rows, size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT p.po_number, '', n.storefront, o.order_number, n.hold_reason, n.held_at"
        " FROM notifications n JOIN orders o ON o.id = n.order_id"
        " JOIN shipments sh ON sh.id = n.shipment_id JOIN supplier_pos p ON p.id = sh.po_id"
        " WHERE n.hold_reason IS NOT NULL ORDER BY n.held_at, n.id";
    return list_held(s, sql, rows, n, err);
}

static int list_held_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_store_held_po *h = row;
    st_col_copy(st, 0, h->po_number, sizeof h->po_number);
    st_col_copy(st, 1, h->supplier, sizeof h->supplier);
    st_col_copy(st, 2, h->storefront, sizeof h->storefront);
    st_col_copy(st, 3, h->order_number, sizeof h->order_number);
    st_col_copy(st, 4, h->reason, sizeof h->reason);
    h->held_at = dg_stmt_int64(st, 5);
    return 0;
}

static int list_held(dg_store *s, const char *sql, dg_store_held_po **rows, size_t *n,
                     dg_error *err)
{
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    static const st_rows how = {sizeof(dg_store_held_po), 16, list_held_fill, NULL, NULL,
                                "listing held POs"};
    return st_collect(s, st, &how, rows, n, err);
}
