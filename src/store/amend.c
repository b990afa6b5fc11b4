/* Amendment attempts: an order number a storefront sends again with other content. The placed
 * order is not changed (amending placed orders and their POs is later work); the attempt is
 * recorded so `report orders` shows it and someone can act on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

int dg_store_order_json(dg_store *s, int64_t order_id, char **json, dg_error *err)
{
    static const char sql[] = "SELECT d.json FROM orders o JOIN documents d ON d.id = o.document_id"
                              " WHERE o.id = ?1";
    *json = NULL;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW && dg_stmt_text(st, 0)) {
        *json = strdup(dg_stmt_text(st, 0));
        if (!*json)
            rc = DG_ENOMEM;
    }
    dg_stmt_reset(st);
    if (rc == DG_ENOMEM)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    if (rc != DG_DB_ROW && rc != DG_DB_DONE)
        return dg_store_fail(s, err, "reading a placed order");
    return 0;
}

int dg_store_amendment_add(dg_store *s, int64_t order_id, int64_t document_id, const char *changed,
                           dg_error *err)
{
    static const char sql[] = "INSERT INTO order_amendments(order_id, document_id, changed,"
                              " created_at) VALUES (?1, ?2, ?3, ?4)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    if (document_id > 0)
        dg_stmt_bind_int64(st, 2, document_id);
    else
        dg_stmt_bind_null(st, 2);
    dg_stmt_bind_text(st, 3, changed ? changed : "");
    dg_stmt_bind_int64(st, 4, dg_store_now(s));
    rc = dg_stmt_step(st);
    dg_stmt_reset(st);
    if (rc != DG_DB_DONE)
        return dg_store_fail(s, err, "recording an amendment attempt");
    return 0;
}

static int amendment_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_store_amendment *a = row;
    st_col_copy(st, 0, a->storefront, sizeof a->storefront);
    st_col_copy(st, 1, a->order_number, sizeof a->order_number);
    st_col_copy(st, 2, a->changed, sizeof a->changed);
    a->at = dg_stmt_int64(st, 3);
    return 0;
}

int dg_store_amendments(dg_store *s, dg_store_amendment **rows, size_t *n, dg_error *err)
{
    static const char sql[] = "SELECT o.storefront, o.order_number, a.changed, a.created_at"
                              " FROM order_amendments a JOIN orders o ON o.id = a.order_id"
                              " ORDER BY a.id";
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    static const st_rows how = {sizeof(dg_store_amendment),  16, amendment_fill, NULL, NULL,
                                "listing amendment attempts"};
    return st_collect(s, st, &how, rows, n, err);
}
