/* Amendment attempts: an order number a storefront sends again with other content. The placed
 * order is not changed (amending placed orders and their POs is later work); the attempt is
 * recorded so `report orders` shows it and someone can act on it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "store/store_internal.h"

int dg_store_order_json(dg_store *s, int64_t order_id, char **json, dg_error *err)
{
    static const char sql[] = "SELECT d.json FROM orders o JOIN documents d ON d.id = o.document_id"
                              " WHERE o.id = ?1";
    *json = NULL;
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, order_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 0)) {
        *json = strdup((const char *)sqlite3_column_text(st, 0));
        if (!*json)
            rc = SQLITE_NOMEM;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return dg_store_fail(s, err, "reading a placed order");
    return 0;
}

int dg_store_amendment_add(dg_store *s, int64_t order_id, int64_t document_id, const char *changed,
                           dg_error *err)
{
    static const char sql[] = "INSERT INTO order_amendments(order_id, document_id, changed,"
                              " created_at) VALUES (?1, ?2, ?3, ?4)";
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, order_id);
    if (document_id > 0)
        sqlite3_bind_int64(st, 2, document_id);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_text(st, 3, changed ? changed : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, dg_store_now(s));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return dg_store_fail(s, err, "recording an amendment attempt");
    return 0;
}

int dg_store_amendments(dg_store *s, dg_store_amendment **rows, size_t *n, dg_error *err)
{
    static const char sql[] = "SELECT o.storefront, o.order_number, a.changed, a.created_at"
                              " FROM order_amendments a JOIN orders o ON o.id = a.order_id"
                              " ORDER BY a.id";
    *rows = NULL;
    *n = 0;
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dg_store_amendment *grown = dg_array_slot(*rows, sizeof *grown, *n, &cap, 16);
        if (!grown) {
            rc = SQLITE_NOMEM;
            break;
        }
        *rows = grown;
        dg_store_amendment *a = &(*rows)[(*n)++];
        st_col_copy(st, 0, a->storefront, sizeof a->storefront);
        st_col_copy(st, 1, a->order_number, sizeof a->order_number);
        st_col_copy(st, 2, a->changed, sizeof a->changed);
        a->at = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(*rows);
        *rows = NULL;
        *n = 0;
        return dg_store_fail(s, err, "listing amendment attempts");
    }
    return 0;
}
