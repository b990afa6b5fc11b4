/* The database layer (db.h), the same cases on both backends (ctest runs it again as
 * store_test_db_pg on the harness's PostgreSQL): statements, bindings, NULLs, RETURNING,
 * ON CONFLICT, string_agg, error classes, 64-bit values, `?` inside literals, and a password
 * never shown. */
#include "pgtest.h"
#include "testutil.h"

#include <string.h>

#include "store/db.h"

static dg_db *open_mem(void)
{
    dg_db *db = NULL;
    dg_error err = {0};
    const char *loc = dg_test_store_location(":memory:");
    assert_int_equal(dg_db_open(loc, &db, &err), 0);
    assert_int_equal(dg_db_kind(db), dg_test_pg() ? DG_DB_POSTGRES : DG_DB_SQLITE);
    assert_string_equal(dg_db_name(db), loc);
    assert_int_equal(dg_db_exec(db,
                                "CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT NOT NULL UNIQUE,"
                                " n INTEGER, x REAL);"
                                "CREATE TABLE c(k TEXT PRIMARY KEY, n INTEGER NOT NULL)",
                                &err),
                     0);
    return db;
}

static int64_t insert(dg_db *db, const char *k, int64_t n)
{
    dg_error err = {0};
    dg_stmt *st = NULL;
    assert_int_equal(dg_db_prepare(db, "INSERT INTO t(k, n) VALUES (?, ?) RETURNING id", &st, &err),
                     0);
    dg_stmt_bind_text(st, 1, k);
    dg_stmt_bind_int64(st, 2, n);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    int64_t id = dg_stmt_int64(st, 0);
    assert_int_equal(dg_stmt_step(st), DG_DB_DONE);
    dg_stmt_finalize(st);
    return id;
}

static void bind_step_columns(void **state)
{
    (void)state;
    dg_db *db = open_mem();
    dg_error err = {0};
    assert_int_equal(insert(db, "a", 5), 1);
    assert_int_equal(insert(db, "b", 7), 2);
    dg_stmt *st = NULL;
    assert_int_equal(dg_db_prepare(db, "UPDATE t SET x = ?2, n = ?3 WHERE k = ?1", &st, &err), 0);
    dg_stmt_bind_text(st, 1, "b");
    dg_stmt_bind_double(st, 2, 2.5);
    dg_stmt_bind_null(st, 3);
    assert_int_equal(dg_stmt_step(st), DG_DB_DONE);
    assert_int_equal(dg_db_changes(db), 1);
    dg_stmt_finalize(st);

    assert_int_equal(dg_db_prepare(db, "SELECT id, k, n, x FROM t ORDER BY id", &st, &err), 0);
    assert_int_equal(dg_stmt_column_count(st), 4);
    assert_string_equal(dg_stmt_column_name(st, 1), "k");
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_string_equal(dg_stmt_text(st, 1), "a");
    assert_int_equal(dg_stmt_int(st, 2), 5);
    assert_true(dg_stmt_column_null(st, 3));
    assert_null(dg_stmt_text(st, 3));
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_true(dg_stmt_column_null(st, 2));
    assert_int_equal(dg_stmt_int64(st, 2), 0); /* NULL reads as 0 */
    assert_true(dg_stmt_double(st, 3) == 2.5);
    assert_int_equal(dg_stmt_step(st), DG_DB_DONE);
    /* a reset starts over */
    dg_stmt_reset(st);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_int_equal(dg_stmt_int64(st, 0), 1);
    dg_stmt_finalize(st);
    dg_db_close(db);
}

/* A reset clears the bindings: a statement run again without binding sees NULL. */
static void reset_clears_bindings(void **state)
{
    (void)state;
    dg_db *db = open_mem();
    dg_error err = {0};
    dg_stmt *st = NULL;
    assert_int_equal(dg_db_prepare(db, "SELECT ? IS NULL", &st, &err), 0);
    dg_stmt_bind_int64(st, 1, 3);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_int_equal(dg_stmt_int(st, 0), 0);
    dg_stmt_reset(st);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_int_equal(dg_stmt_int(st, 0), 1);
    dg_stmt_finalize(st);
    dg_db_close(db);
}

/* The control-number shape: one upsert that increments and returns, atomic on both backends. */
static void upsert_returning(void **state)
{
    (void)state;
    dg_db *db = open_mem();
    dg_error err = {0};
    dg_stmt *st = NULL;
    assert_int_equal(dg_db_prepare(db,
                                   "INSERT INTO c(k, n) VALUES (?, 1) ON CONFLICT (k) DO UPDATE"
                                   " SET n = c.n + 1 RETURNING n",
                                   &st, &err),
                     0);
    for (int64_t want = 1; want <= 3; want++) {
        dg_stmt_bind_text(st, 1, "ISA");
        assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
        assert_int_equal(dg_stmt_int64(st, 0), want);
        assert_int_equal(dg_stmt_step(st), DG_DB_DONE);
        dg_stmt_reset(st);
    }
    dg_stmt_finalize(st);
    /* DO NOTHING: no row changed, none returned */
    assert_int_equal(insert(db, "a", 1), 1);
    assert_int_equal(
        dg_db_prepare(db, "INSERT INTO t(k) VALUES ('a') ON CONFLICT (k) DO NOTHING RETURNING id",
                      &st, &err),
        0);
    assert_int_equal(dg_stmt_step(st), DG_DB_DONE);
    assert_int_equal(dg_db_changes(db), 0);
    dg_stmt_finalize(st);
    dg_db_close(db);
}

static void string_agg_registered(void **state)
{
    (void)state;
    dg_db *db = open_mem();
    dg_error err = {0};
    insert(db, "a", 1);
    insert(db, "b", 1);
    insert(db, "c", 2);
    assert_int_equal(dg_db_exec(db, "INSERT INTO t(k, n) VALUES ('z', NULL)", &err), 0);
    dg_stmt *st = NULL;
    assert_int_equal(dg_db_prepare(db,
                                   "SELECT n, string_agg(k, '; ') FROM (SELECT * FROM t ORDER BY"
                                   " k) AS s GROUP BY n ORDER BY n NULLS FIRST",
                                   &st, &err),
                     0);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW); /* n NULL first, as asked */
    assert_string_equal(dg_stmt_text(st, 1), "z");
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_string_equal(dg_stmt_text(st, 1), "a; b");
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_string_equal(dg_stmt_text(st, 1), "c");
    assert_int_equal(dg_stmt_step(st), DG_DB_DONE);
    dg_stmt_finalize(st);
    /* NULLs are skipped; nothing to join gives NULL */
    assert_int_equal(dg_db_prepare(db,
                                   "SELECT string_agg(CASE WHEN n = 2 THEN k END, ','),"
                                   " string_agg(k, ',') FROM t WHERE n > 5",
                                   &st, &err),
                     0);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_true(dg_stmt_column_null(st, 0));
    assert_true(dg_stmt_column_null(st, 1));
    dg_stmt_finalize(st);
    dg_db_close(db);
}

static void errors_classified(void **state)
{
    (void)state;
    dg_db *db = open_mem();
    dg_error err = {0};
    insert(db, "a", 1);
    dg_stmt *st = NULL;
    assert_int_equal(dg_db_prepare(db, "INSERT INTO t(k) VALUES (?)", &st, &err), 0);
    dg_stmt_bind_text(st, 1, "a");
    assert_int_equal(dg_stmt_step(st), DG_DB_ERR);
    assert_int_equal(dg_db_errclass_last(db), DG_DBE_CONSTRAINT);
    assert_true(strstr(dg_db_errmsg(db), "UNIQUE") || strstr(dg_db_errmsg(db), "unique"));
    dg_stmt_reset(st);
    dg_stmt_finalize(st);
    /* a bad statement names itself */
    assert_int_equal(dg_db_prepare(db, "SELEC nothing", &st, &err), DG_ESTATE);
    assert_null(st);
    assert_non_null(strstr(err.msg, "SELEC nothing"));
    assert_int_equal(dg_db_exec(db, "INSERT INTO nowhere VALUES (1)", &err), DG_ESTATE);
    assert_non_null(strstr(err.msg, "nowhere"));
    dg_db_close(db);

    if (dg_test_sqlite_only("a file that is not a database"))
        return;
    /* a file that is not a database is fatal: no retry fixes it */
    char *dir = dg_test_tmpdir("db_notadb");
    char path[4096];
    snprintf(path, sizeof path, "%s/junk.db", dir);
    dg_test_write_file(path, "this is not a database, and it is long enough to be read as one");
    assert_int_equal(dg_db_open(path, &db, &err), 0);
    assert_int_equal(dg_db_exec(db, "SELECT * FROM sqlite_master", &err), DG_ESTATE);
    assert_int_equal(dg_db_errclass_last(db), DG_DBE_FATAL);
    dg_db_close(db);
    dg_test_rmtree(dir);
    free(dir);
}

/* A postgresql:// location is PostgreSQL, and its password is never in a message: neither in
 * the name the store logs nor in a failed connection's error. */
static void postgres_location_chosen_by_shape(void **state)
{
    (void)state;
    dg_db *db = NULL;
    dg_error err = {0};
    /* nothing listens on port 1: the connection fails, quickly */
    int rc = dg_db_open("postgresql://dg:s3cret-pw@127.0.0.1:1/dg?connect_timeout=2", &db, &err);
    assert_int_equal(rc, DG_ESTATE);
    assert_null(db);
    assert_non_null(strstr(err.msg, "postgresql://dg@127.0.0.1:1/dg"));
    assert_null(strstr(err.msg, "s3cret")); /* never echo a password */
    assert_int_equal(
        dg_db_open("postgres://127.0.0.1:1/dg?password=s3cret-pw&connect_timeout=2", &db, &err),
        DG_ESTATE);
    assert_null(strstr(err.msg, "s3cret"));
    assert_non_null(strstr(err.msg, "connect_timeout=2"));
    assert_int_equal(dg_db_open("", &db, &err), DG_EINVAL);
    assert_null(db);
    if (!dg_test_pg())
        return;
    /* a password in the location of a live database stays out of its name */
    char loc[1024];
    snprintf(loc, sizeof loc, "%s&password=s3cret-pw", dg_test_store_location(":memory:"));
    assert_int_equal(dg_db_open(loc, &db, &err), 0);
    assert_int_equal(dg_db_kind(db), DG_DB_POSTGRES);
    assert_null(strstr(dg_db_name(db), "s3cret"));
    assert_non_null(strstr(dg_db_name(db), "user=dgtest"));
    dg_db_close(db);
}

/* The edges of the common dialect, the same on both backends: 64-bit values both ways, `?N`
 * used twice, `?` and quotes inside literals and comments (not parameters), a parameter whose
 * type only its value tells ("? IS NULL"), booleans read as 0/1, changes counted. */
static void dialect_edges(void **state)
{
    (void)state;
    dg_db *db = open_mem();
    dg_error err = {0};
    dg_stmt *st = NULL;
    assert_int_equal(insert(db, "max", INT64_MAX), 1);
    assert_int_equal(insert(db, "min", INT64_MIN), 2);
    assert_int_equal(dg_db_prepare(db, "SELECT n, n / 2 FROM t WHERE k = ?", &st, &err), 0);
    dg_stmt_bind_text(st, 1, "max");
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_true(dg_stmt_int64(st, 0) == INT64_MAX);
    assert_true(dg_stmt_int64(st, 1) == INT64_MAX / 2);
    dg_stmt_reset(st);
    dg_stmt_bind_text(st, 1, "min");
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_true(dg_stmt_int64(st, 0) == INT64_MIN);
    dg_stmt_finalize(st);

    /* '?' inside strings and comments is text; ?2 twice is one parameter; a quote in a value */
    assert_int_equal(dg_db_prepare(db,
                                   "SELECT 'it''s ?' || ?1, /* ? */ ?2 + ?2, -- ?3\n"
                                   " '\"?\"', ?1 || '?1'",
                                   &st, &err),
                     0);
    dg_stmt_bind_text(st, 1, "a 'quoted' ? value");
    dg_stmt_bind_int64(st, 2, 4000000000);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_int_equal(dg_stmt_column_count(st), 4);
    assert_string_equal(dg_stmt_text(st, 0), "it's ?a 'quoted' ? value");
    assert_true(dg_stmt_int64(st, 1) == 8000000000);
    assert_string_equal(dg_stmt_text(st, 2), "\"?\"");
    assert_string_equal(dg_stmt_text(st, 3), "a 'quoted' ? value?1");
    dg_stmt_finalize(st);

    /* "? IS NULL OR n = ?" works with an integer, a NULL and again an integer */
    assert_int_equal(
        dg_db_prepare(db, "SELECT count(*) FROM t WHERE (?1 IS NULL OR n = ?1)", &st, &err), 0);
    dg_stmt_bind_int64(st, 1, INT64_MAX);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_int_equal(dg_stmt_int64(st, 0), 1);
    dg_stmt_reset(st);
    dg_stmt_bind_null(st, 1);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_int_equal(dg_stmt_int64(st, 0), 2);
    dg_stmt_reset(st);
    dg_stmt_bind_int64(st, 1, 7);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_int_equal(dg_stmt_int64(st, 0), 0);
    dg_stmt_finalize(st);

    /* inside a transaction too: PostgreSQL's retries with other parameter types (savepoints)
     * leave the transaction usable and its work kept */
    assert_int_equal(dg_db_exec(db, "BEGIN", &err), 0);
    assert_int_equal(insert(db, "in-tx", 9), 3);
    assert_int_equal(
        dg_db_prepare(db, "SELECT count(*) FROM t WHERE (? IS NULL OR k = ?)", &st, &err), 0);
    dg_stmt_bind_null(st, 1);
    dg_stmt_bind_null(st, 2);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_int_equal(dg_stmt_int64(st, 0), 3);
    dg_stmt_finalize(st);
    assert_int_equal(dg_db_exec(db, "COMMIT", &err), 0);
    assert_int_equal(dg_db_prepare(db, "SELECT n FROM t WHERE k = 'in-tx'", &st, &err), 0);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_int_equal(dg_stmt_int64(st, 0), 9);
    dg_stmt_finalize(st);

    /* a comparison reads as 0/1; a text value compared with an integer column */
    assert_int_equal(
        dg_db_prepare(db, "SELECT count(*) > 1, count(*) > 5 FROM t WHERE n <> ?", &st, &err), 0);
    dg_stmt_bind_text(st, 1, "3");
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_int_equal(dg_stmt_int(st, 0), 1);
    assert_int_equal(dg_stmt_int(st, 1), 0);
    dg_stmt_finalize(st);
    assert_int_equal(dg_db_changes(db), 1); /* the INSERT before; a SELECT changes nothing */

    /* changes: rows an UPDATE touched, not rows a later SELECT read */
    assert_int_equal(dg_db_exec(db, "UPDATE t SET x = 1.5", &err), 0);
    assert_int_equal(dg_db_prepare(db, "UPDATE t SET x = x * 2 WHERE n > ?", &st, &err), 0);
    dg_stmt_bind_int64(st, 1, 0);
    assert_int_equal(dg_stmt_step(st), DG_DB_DONE);
    assert_int_equal(dg_db_changes(db), 2);
    dg_stmt_finalize(st);
    assert_int_equal(dg_db_prepare(db, "SELECT sum(x) FROM t", &st, &err), 0);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    assert_true(dg_stmt_double(st, 0) == 7.5);
    dg_stmt_finalize(st);
    assert_int_equal(dg_db_changes(db), 2);
    dg_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bind_step_columns), cmocka_unit_test(reset_clears_bindings),
        cmocka_unit_test(upsert_returning),  cmocka_unit_test(string_agg_registered),
        cmocka_unit_test(errors_classified), cmocka_unit_test(postgres_location_chosen_by_shape),
        cmocka_unit_test(dialect_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
