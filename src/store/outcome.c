/* Documents that did not become what they asked for (issue 10): a document of a batch file that
 * its mapping could not complete, or an order that cannot be placed, is recorded with its reason
 * and position, and an order's failure goes to its storefront's status feed (status_history). */
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"

int dg_store_document_not_applied(dg_store *s, const char *kind, const char *partner,
                                  int64_t file_id, long position, const char *outcome,
                                  const char *reason, int64_t *doc_id, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO documents(kind, partner, file_id, position, outcome,"
        " reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, kind);
    dg_stmt_bind_text(st, 2, partner);
    if (file_id > 0)
        dg_stmt_bind_int64(st, 3, file_id);
    dg_stmt_bind_int64(st, 4, position);
    dg_stmt_bind_text(st, 5, outcome);
    dg_stmt_bind_text(st, 6, reason);
    dg_stmt_bind_int64(st, 7, dg_store_now(s));
    return dg_store_step_id(s, st, doc_id, err, "recording a document that was not applied");
}

/* The storefront is told through its status feed: a status_history row queued to be pushed. */
static int order_event(dg_store *s, int64_t order_id, const char *to, const char *cause,
                       int64_t doc_id, const char *detail, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO status_history(order_id, what, to_status, cause, document_id, file_id,"
        " detail, at, push_state) VALUES (?1, 'order', ?2, ?3, ?4,"
        " (SELECT file_id FROM documents WHERE id = ?4), ?5, ?6, 'PENDING')";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    dg_stmt_bind_text(st, 2, to);
    dg_stmt_bind_text(st, 3, cause);
    if (doc_id > 0)
        dg_stmt_bind_int64(st, 4, doc_id);
    dg_stmt_bind_text(st, 5, detail);
    dg_stmt_bind_int64(st, 6, dg_store_now(s));
    return st_step_done(s, st, err, "recording an order's outcome");
}

int dg_store_order_unmapped(dg_store *s, const char *storefront, const char *order_number,
                            int64_t doc_id, const char *reason, bool *created, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO orders(storefront, order_number, document_id, status, reason,"
        " lines_total, lines_matched, created_at) VALUES (?1, ?2, ?3, 'FAILED', ?4, 0, 0, ?5)"
        " ON CONFLICT DO NOTHING RETURNING id";
    *created = false;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, storefront);
    dg_stmt_bind_text(st, 2, order_number);
    if (doc_id > 0)
        dg_stmt_bind_int64(st, 3, doc_id);
    dg_stmt_bind_text(st, 4, reason);
    dg_stmt_bind_int64(st, 5, dg_store_now(s));
    rc = dg_stmt_step(st);
    int64_t order_id = rc == DG_DB_ROW ? dg_stmt_int64(st, 0) : 0;
    dg_stmt_reset(st);
    if (rc == DG_DB_ERR)
        return dg_store_fail(s, err, "recording an order that could not be read");
    if (!order_id) /* the number is known already: placed, or failed before */
        return 0;
    *created = true;
    return order_event(s, order_id, "FAILED", "mapping", doc_id, reason, err);
}

int dg_store_order_outcome(dg_store *s, int64_t order_id, const char *status, const char *reason,
                           const char *detail, int64_t doc_id, dg_error *err)
{
    static const char sql[] = "UPDATE orders SET reason = ?2 WHERE id = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    dg_stmt_bind_text(st, 2, reason);
    if ((rc = st_step_done(s, st, err, "recording an order's reason")))
        return rc;
    return order_event(s, order_id, status, "order", doc_id, detail ? detail : reason, err);
}
