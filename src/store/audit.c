/* The audit log of operator actions (the console's buttons): who, from where, what, on which
 * record, when, and how it ended. Rows are only ever added. */
#include <jansson.h>
#include <stdio.h>

#include "store/store_internal.h"

int dg_store_audit_add(dg_store *s, const char *who, const char *remote, const char *action,
                       const char *target, const char *outcome, const char *detail, dg_error *err)
{
    static const char sql[] = "INSERT INTO audit_log(at, who, remote, action, target, outcome,"
                              " detail) VALUES (?, ?, ?, ?, ?, ?, ?)";
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    sqlite3_stmt *st;
    if (!(rc = dg_store_prepare(s, sql, &st, err))) {
        sqlite3_bind_int64(st, 1, dg_store_now(s));
        st_bind_text(st, 2, who ? who : "anonymous");
        st_bind_text(st, 3, remote);
        st_bind_text(st, 4, action);
        st_bind_text(st, 5, target);
        st_bind_text(st, 6, outcome);
        st_bind_text(st, 7, detail);
        int step = sqlite3_step(st);
        sqlite3_reset(st);
        if (step != SQLITE_DONE)
            rc = dg_store_fail(s, err, "recording an audit entry");
    }
    if (rc) {
        dg_store_rollback(s);
        return rc;
    }
    return dg_store_commit(s, err);
}

int dg_store_audit_list(dg_store *s, long limit, json_t **out, dg_error *err)
{
    char n[32];
    snprintf(n, sizeof n, "%ld", limit > 0 ? limit : 100);
    const char *params[] = {n};
    return st_rows_json(s,
                        "SELECT id, at, who, remote, action, target, outcome, detail"
                        " FROM audit_log ORDER BY id DESC LIMIT CAST(?1 AS INTEGER)",
                        params, 1, out, err);
}
