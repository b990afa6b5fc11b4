/* SLA overdue events: one row per overdue item (PO and what it waits for), so an operator is
 * told once - in the log and on the alerts webhook - and not on every poll. */
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "store/store_internal.h"

int dg_store_sla_event_add(dg_store *s, const char *po_number, const char *what, const char *json,
                           bool *added, dg_error *err)
{
    static const char sql[] = "INSERT OR IGNORE INTO sla_events(po_id, what, json, created_at)"
                              " SELECT id, ?2, ?3, ?4 FROM supplier_pos WHERE po_number = ?1";
    static const char has[] = "SELECT 1 FROM supplier_pos WHERE po_number = ?1";
    *added = false;
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    st_bind_text(st, 1, po_number);
    st_bind_text(st, 2, what);
    st_bind_text(st, 3, json);
    sqlite3_bind_int64(st, 4, dg_store_now(s));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return dg_store_fail(s, err, "recording an SLA event");
    if (sqlite3_changes(dg_store_db(s)) > 0) {
        *added = true;
        return 0;
    }
    if ((rc = dg_store_prepare(s, has, &st, err)))
        return rc;
    st_bind_text(st, 1, po_number);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0; /* recorded before */
    if (rc != SQLITE_DONE)
        return dg_store_fail(s, err, "reading a PO");
    return dg_error_set(err, DG_ENOTFOUND, "SLA event: no PO %s", po_number);
}

int dg_store_sla_events(dg_store *s, bool pending_only, dg_store_sla_event **rows, size_t *n,
                        dg_error *err)
{
    static const char sql[] =
        "SELECT e.id, p.po_number, e.what, e.json, e.webhook_done, e.created_at, e.sent_at"
        " FROM sla_events e JOIN supplier_pos p ON p.id = e.po_id"
        " WHERE ?1 = 0 OR e.webhook_done = 0 ORDER BY e.id";
    *rows = NULL;
    *n = 0;
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int(st, 1, pending_only ? 1 : 0);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        dg_store_sla_event *grown = dg_array_slot(*rows, sizeof *grown, *n, &cap, 8);
        const unsigned char *j = sqlite3_column_text(st, 3);
        char *json = j ? strdup((const char *)j) : strdup("{}");
        if (!grown || !json) {
            free(json);
            sqlite3_reset(st);
            dg_store_sla_events_free(grown ? grown : *rows, *n);
            *rows = NULL;
            *n = 0;
            return dg_error_set(err, DG_ENOMEM, "out of memory");
        }
        *rows = grown;
        dg_store_sla_event *e = &(*rows)[(*n)++];
        memset(e, 0, sizeof *e);
        e->id = sqlite3_column_int64(st, 0);
        st_col_copy(st, 1, e->po_number, sizeof e->po_number);
        st_col_copy(st, 2, e->what, sizeof e->what);
        e->json = json;
        e->webhook_done = sqlite3_column_int(st, 4) != 0;
        e->created_at = sqlite3_column_int64(st, 5);
        e->sent_at = sqlite3_column_int64(st, 6);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        dg_store_sla_events_free(*rows, *n);
        *rows = NULL;
        *n = 0;
        return dg_store_fail(s, err, "listing SLA events");
    }
    return 0;
}

void dg_store_sla_events_free(dg_store_sla_event *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        free(rows[i].json);
    free(rows);
}

int dg_store_sla_event_done(dg_store *s, int64_t id, dg_error *err)
{
    static const char sql[] =
        "UPDATE sla_events SET webhook_done = 1, sent_at = ?2 WHERE id = ?1 AND webhook_done = 0";
    sqlite3_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, dg_store_now(s));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : dg_store_fail(s, err, "marking an SLA event delivered");
}
