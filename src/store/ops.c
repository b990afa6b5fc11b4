/* Operator actions on the state (issue 12): an operator hold of a PO (its own columns: the
 * validation hold is cleared by the next render that validates, this one only by a release), a
 * resend of a PO's file, the audit trail of who did what and why, and the lineage of reprocessed
 * files. The gateway decides what an action means; this file only records it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

int dg_store_action_add(dg_store *s, const char *action, const char *target_kind,
                        const char *target, const char *actor, const char *reason,
                        const char *detail, dg_error *err)
{
    static const char sql[] = "INSERT INTO operator_actions(action, target_kind, target, actor,"
                              " reason, detail, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, action);
    dg_stmt_bind_text(st, 2, target_kind);
    dg_stmt_bind_text(st, 3, target);
    dg_stmt_bind_text(st, 4, actor && *actor ? actor : "unknown");
    dg_stmt_bind_text(st, 5, reason);
    dg_stmt_bind_text(st, 6, detail);
    dg_stmt_bind_int64(st, 7, dg_store_now(s));
    return st_step_done(s, st, err, "recording an operator action");
}

int dg_store_actions(dg_store *s, const char *target_kind, const char *target, json_t **out,
                     dg_error *err)
{
    static const char sql[] =
        "SELECT id, action, target_kind, target, actor, reason, detail, created_at"
        " FROM operator_actions WHERE (?1 IS NULL OR target_kind = ?1)"
        " AND (?2 IS NULL OR target = ?2) ORDER BY id";
    const char *params[] = {target_kind, target};
    return st_rows_json(s, sql, params, 2, out, err);
}

int dg_store_op_held_pos(dg_store *s, json_t **out, dg_error *err)
{
    static const char sql[] =
        "SELECT p.po_number, p.supplier, o.order_number, p.op_hold_by held_by,"
        " p.op_hold_reason reason, p.op_hold_at held_at FROM supplier_pos p"
        " JOIN orders o ON o.id = p.order_id WHERE p.op_hold_at IS NOT NULL"
        " ORDER BY p.op_hold_at, p.id";
    return st_rows_json(s, sql, NULL, 0, out, err);
}

int dg_store_po_ops(dg_store *s, const char *po_number, dg_store_po_op *out, dg_error *err)
{
    static const char sql[] =
        "SELECT p.id, p.supplier, p.status, p.op_hold_reason, p.op_hold_by, p.op_hold_at,"
        " p.hold_reason, (SELECT o.id FROM outbox o WHERE (o.partner = p.supplier AND"
        "  o.kind = 'po' AND o.ref = p.po_number) OR o.id = p.outbox_id ORDER BY o.id DESC"
        "  LIMIT 1),"
        " (SELECT o.state FROM outbox o WHERE (o.partner = p.supplier AND"
        "  o.kind = 'po' AND o.ref = p.po_number) OR o.id = p.outbox_id ORDER BY o.id DESC"
        "  LIMIT 1)"
        " FROM supplier_pos p WHERE p.po_number = ?1";
    memset(out, 0, sizeof *out);
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, po_number);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW) {
        out->id = dg_stmt_int64(st, 0);
        st_col_copy(st, 1, out->supplier, sizeof out->supplier);
        st_col_copy(st, 2, out->status, sizeof out->status);
        out->op_held = !dg_stmt_column_null(st, 5);
        st_col_copy(st, 3, out->op_hold_reason, sizeof out->op_hold_reason);
        st_col_copy(st, 4, out->op_hold_by, sizeof out->op_hold_by);
        out->op_hold_at = dg_stmt_int64(st, 5);
        out->validation_held = !dg_stmt_column_null(st, 6);
        out->outbox_id = dg_stmt_int64(st, 7);
        st_col_copy(st, 8, out->outbox_state, sizeof out->outbox_state);
    }
    dg_stmt_reset(st);
    if (rc == DG_DB_DONE)
        return dg_error_set(err, DG_ENOTFOUND, "PO %s: no such supplier PO", po_number);
    return rc == DG_DB_ROW ? 0 : dg_store_fail(s, err, "looking up a PO");
}

int dg_store_po_op_hold(dg_store *s, const char *po_number, const char *actor, const char *reason,
                        bool hold, dg_error *err)
{
    static const char hold_sql[] =
        "UPDATE supplier_pos SET op_hold_reason = ?2, op_hold_by = ?3, op_hold_at = ?4"
        " WHERE po_number = ?1";
    static const char release_sql[] =
        "UPDATE supplier_pos SET op_hold_reason = NULL, op_hold_by = NULL, op_hold_at = NULL"
        " WHERE po_number = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, hold ? hold_sql : release_sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, po_number);
    if (hold) {
        dg_stmt_bind_text(st, 2, reason ? reason : "");
        dg_stmt_bind_text(st, 3, actor);
        dg_stmt_bind_int64(st, 4, dg_store_now(s));
    }
    if ((rc = st_step_done(s, st, err, hold ? "holding a PO" : "releasing a PO")))
        return rc;
    if (dg_db_changes(s->db) == 0)
        return dg_error_set(err, DG_ENOTFOUND, "PO %s: no such supplier PO", po_number);
    return 0;
}

int dg_store_outbox_resend(dg_store *s, int64_t id, dg_error *err)
{
    /* Only a sent entry goes back: a pending one is sent anyway (once), so a second resend
     * before the first left would not give a second delivery. */
    static const char sql[] = "UPDATE outbox SET state = 'PENDING', sent_at = NULL,"
                              " last_error = NULL WHERE id = ?1 AND state = 'SENT'";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, id);
    if ((rc = st_step_done(s, st, err, "queueing an outbox entry again")))
        return rc;
    if (dg_db_changes(s->db) == 0)
        return dg_error_set(err, DG_EDUP,
                            "outbox entry %lld is not sent yet: it is sent on the next cycle",
                            (long long)id);
    return 0;
}

int dg_store_po_set_controls(dg_store *s, const char *po_number, const char *isa, const char *gs,
                             const char *st_control, dg_error *err)
{
    /* A PO its supplier rejected (997) and that is sent again with new numbers waits for the
     * new 997: the old acknowledgment no longer speaks for what was sent. */
    static const char sql[] =
        "UPDATE supplier_pos SET interchange_control = ?2, group_control = ?3, set_control = ?4,"
        " ack_at = CASE WHEN status = 'REJECTED' THEN NULL ELSE ack_at END,"
        " ack_status = CASE WHEN status = 'REJECTED' THEN NULL ELSE ack_status END,"
        " ack_reason = CASE WHEN status = 'REJECTED' THEN NULL ELSE ack_reason END,"
        " status = CASE WHEN status = 'REJECTED' THEN 'SENT' ELSE status END"
        " WHERE po_number = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, po_number);
    dg_stmt_bind_text(st, 2, isa);
    dg_stmt_bind_text(st, 3, gs);
    dg_stmt_bind_text(st, 4, st_control);
    return st_step_done(s, st, err, "recording a PO's new control numbers");
}

int dg_store_reprocess_add(dg_store *s, const dg_store_reprocess *r, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO reprocesses(parent_file_id, pickup_id, state_before, state_after, applied,"
        " already, reason, actor, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, r->parent_file_id);
    if (r->pickup_id > 0)
        dg_stmt_bind_int64(st, 2, r->pickup_id);
    dg_stmt_bind_text(st, 3, r->state_before);
    dg_stmt_bind_text(st, 4, r->state_after);
    dg_stmt_bind_int64(st, 5, r->applied);
    dg_stmt_bind_int64(st, 6, r->already);
    dg_stmt_bind_text(st, 7, r->reason && *r->reason ? r->reason : NULL);
    dg_stmt_bind_text(st, 8, r->actor && *r->actor ? r->actor : "unknown");
    dg_stmt_bind_int64(st, 9, dg_store_now(s));
    return st_step_done(s, st, err, "recording a reprocess");
}

int dg_store_file_documents(dg_store *s, int64_t file_id, long *n, dg_error *err)
{
    static const char sql[] = "SELECT count(*) FROM documents WHERE file_id = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, file_id);
    rc = dg_stmt_step(st);
    *n = rc == DG_DB_ROW ? (long)dg_stmt_int64(st, 0) : 0;
    dg_stmt_reset(st);
    return rc == DG_DB_ROW ? 0 : dg_store_fail(s, err, "counting a file's documents");
}

int dg_store_quarantined_files(dg_store *s, const char *partner, dg_partial_file **rows, size_t *n,
                               dg_error *err)
{
    static const char sql[] =
        "SELECT file_id, partner, path, coalesce(reason, ''), updated_at FROM pickups"
        " WHERE state = 'QUARANTINED' AND file_id IS NOT NULL AND (?1 IS NULL OR partner = ?1)"
        " ORDER BY id";
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, partner);
    static const st_rows how = {sizeof(dg_partial_file),    16, st_partial_file_fill, NULL, NULL,
                                "listing quarantined files"};
    return st_collect(s, st, &how, rows, n, err);
}
