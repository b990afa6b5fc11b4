/* Private layout of the state store shared by store.c (open, transactions, records) and
 * schema.c (migrations). */
#ifndef DG_STORE_INTERNAL_H
#define DG_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

typedef struct st_cached {
    const char *key; /* the SQL text pointer (string literals: stable for the process) */
    sqlite3_stmt *stmt;
} st_cached;

struct dg_store {
    sqlite3 *db;
    char *path;
    int depth;   /* transaction nesting: 0 none, 1 BEGIN, >1 savepoints */
    int64_t now; /* pinned clock for tests; 0: time(NULL) */
    st_cached *cache;
    size_t n_cache, cap_cache;
    long fail_commits_after; /* tests (dg_store_debug_fail_commits): -1 off */
};

/* Remembers why the store last failed (an SQLite result code), for dg_store_failure_retryable. */
void st_note_failure(int sqlite_code);

/* Binds text, or NULL for a NULL pointer (SQLITE_TRANSIENT: the caller's buffer may go). */
void st_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Copies column i into dst (cut to size; NULL reads as ""). */
void st_col_copy(sqlite3_stmt *st, int i, char *dst, size_t size);

/* Applies migrations up to target (DG_STORE_SCHEMA_VERSION normally). */
int st_migrate(dg_store *s, int target, dg_error *err);

/* Runs sql with the text parameters (NULL binds NULL) and returns its rows as a JSON array of
 * objects keyed by column name (NULL columns left out). For read-only operator views. */
int st_rows_json(dg_store *s, const char *sql, const char *const *params, size_t n_params,
                 struct json_t **out, dg_error *err);

#endif
