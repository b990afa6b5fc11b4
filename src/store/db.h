/* The database layer under the state store: one SQL dialect over two backends, SQLite (the
 * embedded default, db_sqlite.c) and PostgreSQL (db_pg.c, libpq). Same pattern as
 * src/transport: a struct of function pointers behind this one API, chosen in one place
 * (dg_db_open, by the shape of the location).
 *
 * The dialect is what SQLite 3.40 and PostgreSQL 15 both accept:
 * - parameters are written `?` (numbered in order of appearance) or `?N`; the PostgreSQL backend
 *   rewrites them to `$N` when it prepares (outside quotes);
 * - `INSERT ... ON CONFLICT (...) DO NOTHING / DO UPDATE`, `RETURNING id` (never
 *   last_insert_rowid), `string_agg(x, sep)` (registered into SQLite), `lower(x) LIKE lower(?)`
 *   where case must not matter (PostgreSQL's LIKE is case-sensitive, SQLite's is not);
 * - `a IS NOT DISTINCT FROM b` for NULL-safe equality (never SQLite's `a IS ?`), CASE for the
 *   smaller/larger of two values (SQLite's scalar min/max, PostgreSQL's least/greatest differ);
 * - integers are 64-bit on both (migrations write INTEGER; the PostgreSQL backend reads it as
 *   BIGINT, `INTEGER PRIMARY KEY` as an identity column filled when left out, REAL as DOUBLE
 *   PRECISION);
 *   booleans are integers 0/1 (a comparison is not a number on PostgreSQL: write
 *   `CASE WHEN x IS NULL THEN 0 ELSE 1 END`, and `WHERE flag <> 0`, not `WHERE flag`), times are
 *   seconds since the epoch;
 * - in `ON CONFLICT ... DO UPDATE SET`, the existing row's columns are named with the table
 *   (`n = c.n + 1`, `coalesce(excluded.x, c.x)`): PostgreSQL finds a bare `n` ambiguous.
 *
 * Steps: dg_stmt_step returns DG_DB_ROW while rows remain, then DG_DB_DONE; an error returns
 * DG_DB_ERR and leaves the message in dg_db_errmsg and its class in dg_db_errclass. Columns are
 * read only after DG_DB_ROW, indexes from 0; parameters are bound from 1. A reset clears the
 * bindings too. Not thread-safe: one dg_db per thread. */
#ifndef DG_STORE_DB_H
#define DG_STORE_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

/* JSON held in a TEXT column: the text at a two-step path (the canonical JSON's
 * "order"."order_number"), NULL when absent, in each backend's own words. JSON functions are
 * not common to both, so a statement that reads JSON is written once per backend from one
 * template (a macro taking the expression) and chosen by dg_db_kind:
 * SQLite json_extract(col, '$.a.b'), PostgreSQL (col::jsonb #>> '{a,b}'). col is SQL text,
 * a and b literal keys. */
#define DG_DB_JSON_TEXT_SQLITE(col, a, b) "json_extract(" col ", '$." a "." b "')"
#define DG_DB_JSON_TEXT_PG(col, a, b) "((" col ")::jsonb #>> '{" a "," b "}')"

typedef struct dg_db dg_db;
typedef struct dg_stmt dg_stmt;

typedef enum { DG_DB_SQLITE = 0, DG_DB_POSTGRES } dg_db_backend;

enum { DG_DB_ERR = -1, DG_DB_DONE = 0, DG_DB_ROW = 1 };

/* Why the last call failed; the daemon backs off on the retryable ones. */
typedef enum {
    DG_DBE_NONE = 0,
    DG_DBE_CONSTRAINT, /* unique/check/foreign key: the caller's logic decides */
    DG_DBE_BUSY,       /* locked, busy, serialization failure, deadlock: retry */
    DG_DBE_FULL,       /* disk full: retry later */
    DG_DBE_IO,         /* I/O error, connection lost: retry later */
    DG_DBE_FATAL,      /* corrupt, not a database, read-only, auth, bad SQL: do not retry */
} dg_db_errclass;

/* Opens a database: "postgresql://..." or "postgres://..." (libpq connection URI; the password
 * comes from PGPASSWORD/PGPASSFILE or the URI, and is never logged) selects PostgreSQL, anything
 * else is a SQLite path (":memory:" included). */
int dg_db_open(const char *location, dg_db **out, dg_error *err);
void dg_db_close(dg_db *db);
dg_db_backend dg_db_kind(const dg_db *db);
/* The location with any password removed, for messages. */
const char *dg_db_name(const dg_db *db);

/* Runs SQL text without parameters or result rows; several statements separated by `;` allowed.
 */
int dg_db_exec(dg_db *db, const char *sql, dg_error *err);

/* Prepares one statement (the store caches them; this call does not). */
int dg_db_prepare(dg_db *db, const char *sql, dg_stmt **out, dg_error *err);
void dg_stmt_finalize(dg_stmt *st);
/* Ends the current execution and clears the bindings. */
void dg_stmt_reset(dg_stmt *st);

void dg_stmt_bind_int64(dg_stmt *st, int i, int64_t v);
void dg_stmt_bind_double(dg_stmt *st, int i, double v);
/* Copies v; a NULL pointer binds SQL NULL. */
void dg_stmt_bind_text(dg_stmt *st, int i, const char *v);
void dg_stmt_bind_null(dg_stmt *st, int i);

int dg_stmt_step(dg_stmt *st);

int dg_stmt_column_count(dg_stmt *st);
const char *dg_stmt_column_name(dg_stmt *st, int i);
bool dg_stmt_column_null(dg_stmt *st, int i);
/* The type of column i in the current row: NULL, an integer, a real or text (what a generic
 * view turns into JSON numbers or strings). */
typedef enum { DG_DB_T_NULL = 0, DG_DB_T_INT, DG_DB_T_REAL, DG_DB_T_TEXT } dg_db_type;
dg_db_type dg_stmt_column_type(dg_stmt *st, int i);
int64_t dg_stmt_int64(dg_stmt *st, int i); /* NULL reads as 0 */
int dg_stmt_int(dg_stmt *st, int i);       /* dg_stmt_int64 cut to int (counts, flags) */
double dg_stmt_double(dg_stmt *st, int i); /* NULL reads as 0 */
/* NULL for SQL NULL; valid until the next step, reset or finalize of st. */
const char *dg_stmt_text(dg_stmt *st, int i);

/* Rows inserted, updated or deleted by the last statement run on db (a reset of that statement
 * keeps the count). */
int64_t dg_db_changes(dg_db *db);
const char *dg_db_errmsg(dg_db *db);
dg_db_errclass dg_db_errclass_last(dg_db *db);

#endif
