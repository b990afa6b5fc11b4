/* SLA overdue events: one row per overdue item (PO and what it waits for), so an operator is
 * told once - in the log and on the alerts webhook - and not on every poll. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

int dg_store_sla_event_add(dg_store *s, const char *po_number, const char *what, const char *json,
                           bool *added, dg_error *err)
{
    static const char sql[] = "INSERT INTO sla_events(po_id, what, json, created_at)"
                              " SELECT id, ?2, ?3, ?4 FROM supplier_pos WHERE po_number = ?1"
                              " ON CONFLICT DO NOTHING";
    static const char has[] = "SELECT 1 FROM supplier_pos WHERE po_number = ?1";
    *added = false;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, po_number);
    dg_stmt_bind_text(st, 2, what);
    dg_stmt_bind_text(st, 3, json);
    dg_stmt_bind_int64(st, 4, dg_store_now(s));
    rc = dg_stmt_step(st);
    dg_stmt_reset(st);
    if (rc != DG_DB_DONE)
        return dg_store_fail(s, err, "recording an SLA event");
    if (dg_db_changes(dg_store_db(s)) > 0) {
        *added = true;
        return 0;
    }
    if ((rc = dg_store_prepare(s, has, &st, err)))
        return rc;
    dg_stmt_bind_text(st, 1, po_number);
    rc = dg_stmt_step(st);
    dg_stmt_reset(st);
    if (rc == DG_DB_ROW)
        return 0; /* recorded before */
    if (rc != DG_DB_DONE)
        return dg_store_fail(s, err, "reading a PO");
    return dg_error_set(err, DG_ENOTFOUND, "SLA event: no PO %s", po_number);
}

static int sla_event_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_store_sla_event *e = row;
    const char *j = dg_stmt_text(st, 3);
    if (!(e->json = strdup(j ? j : "{}")))
        return DG_ENOMEM;
    e->id = dg_stmt_int64(st, 0);
    st_col_copy(st, 1, e->po_number, sizeof e->po_number);
    st_col_copy(st, 2, e->what, sizeof e->what);
    e->webhook_done = dg_stmt_int(st, 4) != 0;
    e->created_at = dg_stmt_int64(st, 5);
    e->sent_at = dg_stmt_int64(st, 6);
    return 0;
}

static void sla_event_clear(void *row)
{
    free(((dg_store_sla_event *)row)->json);
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
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, pending_only ? 1 : 0);
    static const st_rows how = {
        sizeof(dg_store_sla_event), 8, sla_event_fill, sla_event_clear, NULL, "listing SLA events"};
    return st_collect(s, st, &how, rows, n, err);
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
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, id);
    dg_stmt_bind_int64(st, 2, dg_store_now(s));
    rc = dg_stmt_step(st);
    dg_stmt_reset(st);
    return rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "marking an SLA event delivered");
}
