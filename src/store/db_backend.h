/* What a database backend implements behind db.h (db_sqlite.c, db_pg.c), and the handles they
 * share. db.c owns the dispatch and the choice of backend; nothing outside src/store includes
 * this header. */
#ifndef DG_STORE_DB_BACKEND_H
#define DG_STORE_DB_BACKEND_H

#include "store/db.h"

/* Same contracts as the dg_db_* / dg_stmt_* calls of db.h that forward to them. */
typedef struct db_ops {
    void (*close)(dg_db *db);
    int (*exec)(dg_db *db, const char *sql, dg_error *err);
    int (*prepare)(dg_db *db, const char *sql, dg_stmt **out, dg_error *err);
    void (*finalize)(dg_stmt *st);
    void (*reset)(dg_stmt *st);
    void (*bind_int64)(dg_stmt *st, int i, int64_t v);
    void (*bind_double)(dg_stmt *st, int i, double v);
    void (*bind_text)(dg_stmt *st, int i, const char *v); /* NULL v: SQL NULL */
    void (*bind_null)(dg_stmt *st, int i);
    int (*step)(dg_stmt *st);
    int (*column_count)(dg_stmt *st);
    const char *(*column_name)(dg_stmt *st, int i);
    bool (*column_null)(dg_stmt *st, int i);
    dg_db_type (*column_type)(dg_stmt *st, int i); /* optional: NULL or TEXT when absent */
    int64_t (*column_int64)(dg_stmt *st, int i);
    double (*column_double)(dg_stmt *st, int i);
    const char *(*column_text)(dg_stmt *st, int i);
    int64_t (*changes)(dg_db *db);
    const char *(*errmsg)(dg_db *db);
    dg_db_errclass (*errclass)(dg_db *db);
} db_ops;

/* A backend's handles start with these (its own struct embeds them first and casts). */
struct dg_db {
    const db_ops *ops;
    dg_db_backend kind;
    char *name; /* the location without a password (malloc'd; freed by the backend's close) */
};

struct dg_stmt {
    dg_db *db;
};

/* db_sqlite.c: path is a file name or ":memory:". */
int db_sqlite_open(const char *path, dg_db **out, dg_error *err);

/* db_pg.c (built when DG_HAVE_PG is defined, see db.c): uri is a postgresql:// or postgres://
 * libpq connection URI. */
int db_pg_open(const char *uri, dg_db **out, dg_error *err);

/* The sqlite3 handle under a SQLite dg_db (NULL for another backend), for backup.c, the one
 * other file that speaks SQLite's own API (the online backup has no SQL form). */
struct sqlite3 *db_sqlite_handle(dg_db *db);

#endif
