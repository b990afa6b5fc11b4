/* The SQLite backend of the database layer (the embedded default): the one file that speaks
 * sqlite3_* besides the online backup (backup.c). Adds string_agg(x, sep), which SQLite 3.40
 * lacks, so the common dialect has it on both backends. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/db_backend.h"

typedef struct sq_db {
    dg_db base;
    sqlite3 *h;
} sq_db;

typedef struct sq_stmt {
    dg_stmt base;
    sqlite3_stmt *h;
} sq_stmt;

#define H(db) (((sq_db *)(db))->h)
#define S(st) (((sq_stmt *)(st))->h)

/* ---- string_agg(x, sep): PostgreSQL's spelling of group_concat ----------------------------- */

/* NULL values are skipped and no rows (or only NULLs) give NULL, as on PostgreSQL. */
static void agg_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    sqlite3_str **acc = sqlite3_aggregate_context(ctx, sizeof *acc);
    if (!acc) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (!*acc)
        *acc = sqlite3_str_new(sqlite3_context_db_handle(ctx));
    else if (sqlite3_value_type(argv[1]) != SQLITE_NULL)
        sqlite3_str_appendall(*acc, (const char *)sqlite3_value_text(argv[1]));
    sqlite3_str_appendall(*acc, (const char *)sqlite3_value_text(argv[0]));
}

static void agg_final(sqlite3_context *ctx)
{
    sqlite3_str **acc = sqlite3_aggregate_context(ctx, 0);
    if (!acc || !*acc) {
        sqlite3_result_null(ctx);
        return;
    }
    int len = sqlite3_str_length(*acc);
    char *text = sqlite3_str_finish(*acc);
    *acc = NULL;
    if (!text && len > 0)
        sqlite3_result_error_nomem(ctx);
    else
        sqlite3_result_text(ctx, text ? text : "", len, sqlite3_free);
}

/* ---- connection -------------------------------------------------------------------------- */

static const db_ops sq_ops;

static void sq_close(dg_db *db)
{
    sqlite3_close(H(db));
    free(db->name);
    free(db);
}

int db_sqlite_open(const char *path, dg_db **out, dg_error *err)
{
    sq_db *d = calloc(1, sizeof *d);
    if (!d || !(d->base.name = strdup(path))) {
        free(d);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    d->base.ops = &sq_ops;
    d->base.kind = DG_DB_SQLITE;
    /* No memory statistics (nothing reads them): SQLite otherwise takes a global mutex around
     * every allocation. Only takes effect before SQLite initializes, i.e. at the first open; a
     * later call is refused (SQLITE_MISUSE), which is harmless. */
    static bool configured;
    if (!configured) {
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        configured = true;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &d->h, flags, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(d->h, "string_agg", 2, SQLITE_UTF8, NULL, NULL, agg_step,
                                        agg_final, NULL);
    if (rc != SQLITE_OK) {
        dg_error_set(err, DG_ESTATE, "%s: cannot open the database: %s", path,
                     d->h ? sqlite3_errmsg(d->h) : "out of memory");
        sq_close(&d->base);
        return DG_ESTATE;
    }
    sqlite3_extended_result_codes(d->h, 1);
    *out = &d->base;
    return 0;
}

struct sqlite3 *db_sqlite_handle(dg_db *db)
{
    return db && db->kind == DG_DB_SQLITE ? H(db) : NULL;
}

static int sq_exec(dg_db *db, const char *sql, dg_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(H(db), sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    dg_error_set(err, DG_ESTATE, "%s", msg ? msg : sqlite3_errmsg(H(db)));
    sqlite3_free(msg);
    return DG_ESTATE;
}

static int sq_prepare(dg_db *db, const char *sql, dg_stmt **out, dg_error *err)
{
    sq_stmt *s = calloc(1, sizeof *s);
    if (!s)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    s->base.db = db;
    if (sqlite3_prepare_v2(H(db), sql, -1, &s->h, NULL) != SQLITE_OK) {
        free(s);
        return dg_error_set(err, DG_ESTATE, "preparing \"%.80s\": %s", sql, sqlite3_errmsg(H(db)));
    }
    if (!s->h) { /* only a comment or white space */
        free(s);
        return dg_error_set(err, DG_EINVAL, "preparing \"%.80s\": no statement", sql);
    }
    *out = &s->base;
    return 0;
}

static void sq_finalize(dg_stmt *st)
{
    sqlite3_finalize(S(st));
    free(st);
}

static void sq_reset(dg_stmt *st)
{
    sqlite3_reset(S(st));
    sqlite3_clear_bindings(S(st));
}

static void sq_bind_int64(dg_stmt *st, int i, int64_t v)
{
    sqlite3_bind_int64(S(st), i, (sqlite3_int64)v);
}

static void sq_bind_double(dg_stmt *st, int i, double v)
{
    sqlite3_bind_double(S(st), i, v);
}

static void sq_bind_text(dg_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(S(st), i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(S(st), i);
}

static void sq_bind_null(dg_stmt *st, int i)
{
    sqlite3_bind_null(S(st), i);
}

static int sq_step(dg_stmt *st)
{
    int rc = sqlite3_step(S(st));
    return rc == SQLITE_ROW ? DG_DB_ROW : rc == SQLITE_DONE ? DG_DB_DONE : DG_DB_ERR;
}

static int sq_column_count(dg_stmt *st)
{
    return sqlite3_column_count(S(st));
}

static const char *sq_column_name(dg_stmt *st, int i)
{
    return sqlite3_column_name(S(st), i);
}

static bool sq_column_null(dg_stmt *st, int i)
{
    return sqlite3_column_type(S(st), i) == SQLITE_NULL;
}

static dg_db_type sq_column_type(dg_stmt *st, int i)
{
    switch (sqlite3_column_type(S(st), i)) {
    case SQLITE_NULL: return DG_DB_T_NULL;
    case SQLITE_INTEGER: return DG_DB_T_INT;
    case SQLITE_FLOAT: return DG_DB_T_REAL;
    default: return DG_DB_T_TEXT; /* text, blob */
    }
}

static int64_t sq_column_int64(dg_stmt *st, int i)
{
    return (int64_t)sqlite3_column_int64(S(st), i);
}

static double sq_column_double(dg_stmt *st, int i)
{
    return sqlite3_column_double(S(st), i);
}

static const char *sq_column_text(dg_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(S(st), i);
}

static int64_t sq_changes(dg_db *db)
{
    return (int64_t)sqlite3_changes64(H(db));
}

static const char *sq_errmsg(dg_db *db)
{
    return sqlite3_errmsg(H(db));
}

/* What the daemon did with each SQLite code before the layer existed is kept: only a damaged,
 * foreign, read-only or newer database stops it; SQLITE_ERROR (a generic failure) and anything
 * else unlisted is retried, filed under I/O. */
static dg_db_errclass sq_errclass(dg_db *db)
{
    switch (sqlite3_extended_errcode(H(db)) & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE: return DG_DBE_NONE;
    case SQLITE_CONSTRAINT: return DG_DBE_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return DG_DBE_BUSY;
    case SQLITE_FULL: return DG_DBE_FULL;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_MISMATCH: return DG_DBE_FATAL;
    default: return DG_DBE_IO;
    }
}

static const db_ops sq_ops = {
    .close = sq_close,
    .exec = sq_exec,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .reset = sq_reset,
    .bind_int64 = sq_bind_int64,
    .bind_double = sq_bind_double,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .column_count = sq_column_count,
    .column_name = sq_column_name,
    .column_null = sq_column_null,
    .column_type = sq_column_type,
    .column_int64 = sq_column_int64,
    .column_double = sq_column_double,
    .column_text = sq_column_text,
    .changes = sq_changes,
    .errmsg = sq_errmsg,
    .errclass = sq_errclass,
};
