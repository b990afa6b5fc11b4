/* Supplier POs and the outbox file that carries them: a supplier with po_per_file > 1 gets several
 * POs in one file (one X12 interchange with a set per PO, or the rows of several POs in one CSV),
 * so one outbox entry carries several POs, each keeping its own control numbers. */
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"

int dg_store_po_link_outbox(dg_store *s, const char *po_number, int64_t outbox_id, const char *isa,
                            const char *gs, const char *st_control, bool expect_ack, dg_error *err)
{
    /* Only a PO not linked yet: the first file that took a PO stays the one that carries it. */
    static const char sql[] =
        "UPDATE supplier_pos SET outbox_id = ?2, interchange_control = ?3, group_control = ?4,"
        " set_control = ?5, expect_ack = ?6 WHERE po_number = ?1 AND outbox_id IS NULL";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, po_number);
    dg_stmt_bind_int64(st, 2, outbox_id);
    dg_stmt_bind_text(st, 3, isa);
    dg_stmt_bind_text(st, 4, gs);
    dg_stmt_bind_text(st, 5, st_control);
    dg_stmt_bind_int64(st, 6, expect_ack ? 1 : 0);
    rc = dg_stmt_step(st);
    dg_stmt_reset(st);
    if (rc != DG_DB_DONE)
        return dg_store_fail(s, err, "linking a PO to its outbox file");
    if (dg_db_changes(s->db) != 1)
        return dg_error_set(err, DG_EDUP, "PO %s: not found, or already in an outbox file",
                            po_number);
    return 0;
}

int dg_store_outbox_pos(dg_store *s, int64_t outbox_id, int64_t *n, dg_error *err)
{
    static const char sql[] = "SELECT count(*) FROM supplier_pos WHERE outbox_id = ?1";
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, outbox_id);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW)
        *n = dg_stmt_int64(st, 0);
    dg_stmt_reset(st);
    return rc == DG_DB_ROW ? 0 : dg_store_fail(s, err, "counting the POs of an outbox file");
}

int dg_store_outbox_carried_sent(dg_store *s, int64_t outbox_id, size_t *pos, dg_error *err)
{
    static const char po_status[] =
        "UPDATE supplier_pos SET status = CASE WHEN expect_ack <> 0 THEN 'SENT'"
        " ELSE 'AWAITING_SHIPMENT' END WHERE outbox_id = ?1 AND status = 'QUEUED'";
    static const char po_time[] =
        "UPDATE supplier_pos SET sent_at = ?2 WHERE outbox_id = ?1 AND sent_at IS NULL";
    static const char note[] =
        "UPDATE notifications SET state = 'SENT', sent_at = ?2 WHERE outbox_id = ?1"
        " AND state <> 'SENT'";
    const char *const sqls[] = {po_status, po_time, note};
    if (pos)
        *pos = 0;
    for (size_t i = 0; i < 3; i++) {
        dg_stmt *st;
        int rc = dg_store_prepare(s, sqls[i], &st, err);
        if (rc)
            return rc;
        dg_stmt_bind_int64(st, 1, outbox_id);
        if (i)
            dg_stmt_bind_int64(st, 2, dg_store_now(s));
        if ((rc = st_step_done(s, st, err, "marking what an outbox entry carries as sent")))
            return rc;
        if (i == 0 && pos)
            *pos = (size_t)dg_db_changes(s->db);
    }
    return 0;
}

int dg_store_po_ref_get(dg_store *s, const char *po_number, dg_store_po_ref *r, bool *found,
                        dg_error *err)
{
    static const char sql[] = "SELECT id, supplier, outbox_id FROM supplier_pos"
                              " WHERE po_number = ?1";
    memset(r, 0, sizeof *r);
    *found = false;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, po_number);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW) {
        *found = true;
        r->id = dg_stmt_int64(st, 0);
        st_col_copy(st, 1, r->supplier, sizeof r->supplier);
        r->outbox_id = dg_stmt_int64(st, 2); /* NULL reads as 0: not in the outbox yet */
    }
    return st_step_end(s, st, rc, err, "looking up a PO");
}
