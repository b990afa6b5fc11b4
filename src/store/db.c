/* The database layer's dispatch: the backend is chosen once, in dg_db_open, by the shape of the
 * location (a postgresql:// URI or a SQLite path); every other call forwards to its ops. */
#include <string.h>

#include "store/db_backend.h"

static bool is_postgres(const char *location)
{
    return !strncmp(location, "postgresql://", 13) || !strncmp(location, "postgres://", 11);
}

int dg_db_open(const char *location, dg_db **out, dg_error *err)
{
    *out = NULL;
    if (!location || !*location)
        return dg_error_set(err, DG_EINVAL, "database: no location");
    if (is_postgres(location)) {
        /* db_pg.c plugs in here: CMake defines DG_HAVE_PG when it builds the libpq backend. */
#ifdef DG_HAVE_PG
        return db_pg_open(location, out, err);
#else
        /* The location is not echoed: it may carry a password. */
        return dg_error_set(err, DG_EINVAL,
                            "database: PostgreSQL support not built into this dropgate (a "
                            "postgresql:// store needs a build with libpq)");
#endif
    }
    return db_sqlite_open(location, out, err);
}

void dg_db_close(dg_db *db)
{
    if (db)
        db->ops->close(db);
}

dg_db_backend dg_db_kind(const dg_db *db)
{
    return db->kind;
}

const char *dg_db_name(const dg_db *db)
{
    return db && db->name ? db->name : "database";
}

int dg_db_exec(dg_db *db, const char *sql, dg_error *err)
{
    return db->ops->exec(db, sql, err);
}

int dg_db_prepare(dg_db *db, const char *sql, dg_stmt **out, dg_error *err)
{
    *out = NULL;
    return db->ops->prepare(db, sql, out, err);
}

void dg_stmt_finalize(dg_stmt *st)
{
    if (st)
        st->db->ops->finalize(st);
}

void dg_stmt_reset(dg_stmt *st)
{
    st->db->ops->reset(st);
}

void dg_stmt_bind_int64(dg_stmt *st, int i, int64_t v)
{
    st->db->ops->bind_int64(st, i, v);
}

void dg_stmt_bind_double(dg_stmt *st, int i, double v)
{
    st->db->ops->bind_double(st, i, v);
}

void dg_stmt_bind_text(dg_stmt *st, int i, const char *v)
{
    st->db->ops->bind_text(st, i, v);
}

void dg_stmt_bind_null(dg_stmt *st, int i)
{
    st->db->ops->bind_null(st, i);
}

int dg_stmt_step(dg_stmt *st)
{
    return st->db->ops->step(st);
}

int dg_stmt_column_count(dg_stmt *st)
{
    return st->db->ops->column_count(st);
}

const char *dg_stmt_column_name(dg_stmt *st, int i)
{
    return st->db->ops->column_name(st, i);
}

bool dg_stmt_column_null(dg_stmt *st, int i)
{
    return st->db->ops->column_null(st, i);
}

dg_db_type dg_stmt_column_type(dg_stmt *st, int i)
{
    if (st->db->ops->column_type)
        return st->db->ops->column_type(st, i);
    return st->db->ops->column_null(st, i) ? DG_DB_T_NULL : DG_DB_T_TEXT;
}

int64_t dg_stmt_int64(dg_stmt *st, int i)
{
    return st->db->ops->column_int64(st, i);
}

int dg_stmt_int(dg_stmt *st, int i)
{
    return (int)st->db->ops->column_int64(st, i);
}

double dg_stmt_double(dg_stmt *st, int i)
{
    return st->db->ops->column_double(st, i);
}

const char *dg_stmt_text(dg_stmt *st, int i)
{
    return st->db->ops->column_text(st, i);
}

int64_t dg_db_changes(dg_db *db)
{
    return db->ops->changes(db);
}

const char *dg_db_errmsg(dg_db *db)
{
    return db ? db->ops->errmsg(db) : "not open";
}

dg_db_errclass dg_db_errclass_last(dg_db *db)
{
    return db ? db->ops->errclass(db) : DG_DBE_NONE;
}
