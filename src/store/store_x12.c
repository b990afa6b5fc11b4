/* Records for routing X12 by envelope: one row per received transaction set (applied or rejected,
 * so a reprocess applies only the rest) and one per applied interchange (duplicate ISA13s). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

static const char *const set_states[] = {"", "APPLIED", "REJECTED"};
static const char *const pickup_states[] = {"NEW", "DONE", "QUARANTINED", "PARTIAL"};

static char *dup_col(dg_stmt *st, int i)
{
    const char *t = dg_stmt_text(st, i);
    char *d = strdup(t ? (const char *)t : "");
    if (!d)
        abort();
    return d;
}

int dg_store_pickup_by_file(dg_store *s, int64_t file_id, dg_pickup_row *row, dg_error *err)
{
    static const char sql[] =
        "SELECT id, partner, path, sha256, size, mtime, state, reason FROM pickups"
        " WHERE file_id = ?1 ORDER BY id DESC LIMIT 1";
    memset(row, 0, sizeof *row);
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, file_id);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_DONE) {
        dg_stmt_reset(st);
        return dg_error_set(err, DG_ENOTFOUND, "file %lld: no pickup recorded it",
                            (long long)file_id);
    }
    if (rc != DG_DB_ROW) {
        dg_stmt_reset(st);
        return dg_store_fail(s, err, "looking up the pickup of a file");
    }
    row->id = dg_stmt_int64(st, 0);
    row->file_id = file_id;
    row->partner = dup_col(st, 1);
    row->path = dup_col(st, 2);
    const char *sha = dg_stmt_text(st, 3);
    snprintf(row->sha256, sizeof row->sha256, "%s", sha ? (const char *)sha : "");
    row->size = (uint64_t)dg_stmt_int64(st, 4);
    row->mtime = dg_stmt_int64(st, 5);
    const char *state = dg_stmt_text(st, 6);
    for (int i = 0; i < 4; i++)
        if (state && !strcmp((const char *)state, pickup_states[i]))
            row->state = (dg_pickup_state)i;
    row->reason = dup_col(st, 7);
    dg_stmt_reset(st);
    return 0;
}

void dg_store_pickup_row_clear(dg_pickup_row *row)
{
    free(row->partner);
    free(row->path);
    free(row->reason);
    memset(row, 0, sizeof *row);
}

int dg_store_pickup_set_state(dg_store *s, int64_t id, dg_pickup_state state, const char *reason,
                              dg_error *err)
{
    static const char sql[] = "UPDATE pickups SET state = ?2, reason = ?3, updated_at = ?4"
                              " WHERE id = ?1";
    if ((unsigned)state > DG_PICKUP_PARTIAL)
        return dg_error_set(err, DG_EINVAL, "pickup: bad state %d", (int)state);
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, id);
    dg_stmt_bind_text(st, 2, pickup_states[state]);
    dg_stmt_bind_text(st, 3, reason);
    dg_stmt_bind_int64(st, 4, dg_store_now(s));
    return st_step_done(s, st, err, "updating a pickup's state");
}

int dg_store_x12set_record(dg_store *s, const dg_x12set_rec *r, dg_x12set_state state,
                           const char *reason, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO x12_sets(file_id, position, partner, sender, interchange_control,"
        " group_control, set_control, set_id, version, state, reason, created_at, updated_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)"
        " ON CONFLICT(file_id, position) DO UPDATE SET state = excluded.state,"
        " reason = excluded.reason, partner = excluded.partner, updated_at = excluded.updated_at";
    if (state != DG_X12SET_APPLIED && state != DG_X12SET_REJECTED)
        return dg_error_set(err, DG_EINVAL, "x12 set: bad state %d", (int)state);
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, r->file_id);
    dg_stmt_bind_int64(st, 2, r->position);
    dg_stmt_bind_text(st, 3, r->partner);
    dg_stmt_bind_text(st, 4, r->sender);
    dg_stmt_bind_text(st, 5, r->interchange_control);
    dg_stmt_bind_text(st, 6, r->group_control);
    dg_stmt_bind_text(st, 7, r->set_control);
    dg_stmt_bind_text(st, 8, r->set_id);
    dg_stmt_bind_text(st, 9, r->version);
    dg_stmt_bind_text(st, 10, set_states[state]);
    dg_stmt_bind_text(st, 11, reason);
    dg_stmt_bind_int64(st, 12, dg_store_now(s));
    return st_step_done(s, st, err, "recording an X12 set");
}

int dg_store_x12set_state(dg_store *s, int64_t file_id, long position, dg_x12set_state *state,
                          dg_error *err)
{
    static const char sql[] = "SELECT state FROM x12_sets WHERE file_id = ?1 AND position = ?2";
    *state = DG_X12SET_NONE;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, file_id);
    dg_stmt_bind_int64(st, 2, position);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW) {
        const char *t = dg_stmt_text(st, 0);
        if (t && !strcmp((const char *)t, "APPLIED"))
            *state = DG_X12SET_APPLIED;
        else if (t && !strcmp((const char *)t, "REJECTED"))
            *state = DG_X12SET_REJECTED;
    } else if (rc != DG_DB_DONE) {
        dg_stmt_reset(st);
        return dg_store_fail(s, err, "looking up an X12 set");
    }
    dg_stmt_reset(st);
    return 0;
}

int dg_store_x12set_count(dg_store *s, int64_t file_id, dg_x12set_state state, long *n,
                          dg_error *err)
{
    static const char sql[] = "SELECT count(*) FROM x12_sets WHERE file_id = ?1 AND state = ?2";
    *n = 0;
    if (state != DG_X12SET_APPLIED && state != DG_X12SET_REJECTED)
        return dg_error_set(err, DG_EINVAL, "x12 set: bad state %d", (int)state);
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, file_id);
    dg_stmt_bind_text(st, 2, set_states[state]);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW)
        *n = (long)dg_stmt_int64(st, 0);
    dg_stmt_reset(st);
    return rc == DG_DB_ROW ? 0 : dg_store_fail(s, err, "counting X12 sets");
}

int dg_store_interchange_add(dg_store *s, const char *sender, const char *control, int64_t file_id,
                             dg_error *err)
{
    static const char sql[] =
        "INSERT INTO interchanges(sender, control, file_id, received_at) VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT(sender, control, file_id) DO NOTHING";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, sender);
    dg_stmt_bind_text(st, 2, control);
    dg_stmt_bind_int64(st, 3, file_id);
    dg_stmt_bind_int64(st, 4, dg_store_now(s));
    return st_step_done(s, st, err, "recording an interchange");
}

int dg_store_interchange_find(dg_store *s, const char *sender, const char *control, int64_t since,
                              int64_t except_file_id, int64_t *file_id, int64_t *at, dg_error *err)
{
    static const char sql[] =
        "SELECT file_id, received_at FROM interchanges WHERE sender = ?1 AND control = ?2"
        " AND received_at >= ?3 AND file_id <> ?4 ORDER BY received_at DESC LIMIT 1";
    *file_id = 0;
    *at = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, sender);
    dg_stmt_bind_text(st, 2, control);
    dg_stmt_bind_int64(st, 3, since);
    dg_stmt_bind_int64(st, 4, except_file_id);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW) {
        *file_id = dg_stmt_int64(st, 0);
        *at = dg_stmt_int64(st, 1);
    } else if (rc != DG_DB_DONE) {
        dg_stmt_reset(st);
        return dg_store_fail(s, err, "looking up an interchange");
    }
    dg_stmt_reset(st);
    return 0;
}

int st_partial_file_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_partial_file *r = row;
    r->file_id = dg_stmt_int64(st, 0);
    st_col_copy(st, 1, r->partner, sizeof r->partner);
    st_col_copy(st, 2, r->path, sizeof r->path);
    st_col_copy(st, 3, r->reason, sizeof r->reason);
    r->at = dg_stmt_int64(st, 4);
    return 0;
}

int dg_store_partial_files(dg_store *s, dg_partial_file **rows, size_t *n, dg_error *err)
{
    static const char sql[] = "SELECT file_id, partner, path, reason, updated_at FROM pickups"
                              " WHERE state = 'PARTIAL' ORDER BY id";
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    static const st_rows how = {sizeof(dg_partial_file), 8, st_partial_file_fill, NULL, NULL,
                                "listing partial files"};
    return st_collect(s, st, &how, rows, n, err);
}
