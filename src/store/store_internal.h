/* Private layout of the state store shared by store.c (open, transactions, records) and
 * schema.c (migrations). */
#ifndef DG_STORE_INTERNAL_H
#define DG_STORE_INTERNAL_H

#include "store/db.h"

#include "store/store.h"

typedef struct st_cached {
    const char *key; /* the SQL text pointer (string literals: stable for the process) */
    dg_stmt *stmt;
} st_cached;

struct dg_store {
    dg_db *db;
    char *path;
    int depth;   /* transaction nesting: 0 none, 1 BEGIN, >1 savepoints */
    int64_t now; /* pinned clock for tests; 0: time(NULL) */
    st_cached *cache;
    size_t n_cache, cap_cache;
    long fail_commits_after; /* tests (dg_store_debug_fail_commits): -1 off */
    /* dg_store_fence: the lease every outermost commit renews first (NULL: none) */
    char *fence_name, *fence_holder;
    int64_t fence_ttl_ms;
};

/* lease.c: renews the fence's lease inside the open transaction; DG_ELOCKED when this instance
 * no longer holds it. */
int st_lease_fence_check(dg_store *s, dg_error *err);

/* Remembers why the store last failed, for dg_store_failure_retryable. */
void st_note_failure(dg_db_errclass why);
/* Copies column i into dst (cut to size; NULL reads as ""). */
void st_col_copy(dg_stmt *st, int i, char *dst, size_t size);
/* Binds d as its x10^4 integer, or NULL when unset (dg_stmt_bind_text binds a NULL string as
 * NULL itself). */
void st_bind_dec(dg_stmt *st, int i, dg_dec d);
/* Column i's text malloc'd (NULL stays NULL, as does a failed copy). */
char *st_col_dup(dg_stmt *st, int i);
/* Column i as a decimal (x10^4 integer), unset when NULL. */
dg_dec st_col_dec(dg_stmt *st, int i);
/* Steps a statement whose rows (if any) are not needed, and resets it; on failure the store's
 * message naming what (DG_ESTATE). */
int st_step_done(dg_store *s, dg_stmt *st, dg_error *err, const char *what);
/* Resets st after a step (its result in step) whose row, if any, the caller has read: 0 for a
 * row or the end, else the store's message naming what (DG_ESTATE). */
int st_step_end(dg_store *s, dg_stmt *st, int step, dg_error *err, const char *what);

/* Collects the rows of a prepared and bound statement into a growing array: one element of
 * `size` bytes per row (zeroed, then filled by fill, which returns 0 or DG_ENOMEM), starting
 * with room for `first` elements. On failure every element is cleared (clear, when given),
 * the array freed, *rows NULL and *n 0; `what` names the listing in the message. rows points
 * to the caller's element pointer (a T **). The statement is reset in every case. */
typedef struct st_rows {
    size_t size, first;
    int (*fill)(dg_stmt *st, void *row, void *ctx);
    void (*clear)(void *row);
    void *ctx;
    const char *what;
} st_rows;
int st_collect(dg_store *s, dg_stmt *st, const st_rows *how, void *rows, size_t *n, dg_error *err);

/* st_collect of column 0 as int64 ids. */
int st_collect_ids(dg_store *s, dg_stmt *st, int64_t **ids, size_t *n, const char *what,
                   dg_error *err);

/* Fills a dg_partial_file from (file_id, partner, path, reason, at) columns (store_x12.c). */
int st_partial_file_fill(dg_stmt *st, void *row, void *ctx);

/* PostgreSQL's side of the migrations (schema_pg.c): the SQL less its foreign keys
 * (malloc'd), identities moved past the ids a rebuild copied, and the advisory lock that lets
 * one instance migrate at a time. */
char *st_pg_migration_sql(const char *sql);
int st_pg_reset_identities(dg_store *s, dg_error *err);
int st_pg_migration_lock(dg_store *s, bool take, dg_error *err);

/* Applies migrations up to target (DG_STORE_SCHEMA_VERSION normally). */
int st_migrate(dg_store *s, int target, dg_error *err);

/* Runs sql with the text parameters (NULL binds NULL) and returns its rows as a JSON array of
 * objects keyed by column name (NULL columns left out). For read-only operator views. */
int st_rows_json(dg_store *s, const char *sql, const char *const *params, size_t n_params,
                 struct json_t **out, dg_error *err);

/* The one int64 of a `SELECT count(*) ...` without parameters into *n (0 on error); `what` names
 * it in the message. */
int st_count(dg_store *s, const char *sql, int64_t *n, const char *what, dg_error *err);
/* The (key, count) rows of a `SELECT key, count(*) ... GROUP BY key` set as members of obj (a
 * NULL key as ""); `what` names it in the message. */
int st_count_by(dg_store *s, const char *sql, struct json_t *obj, const char *what, dg_error *err);

#endif
