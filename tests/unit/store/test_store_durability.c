/* State store durability (audit M1): a commit must be on disk before the gateway deletes the
 * partner's file or uploads a PO, so the store runs WAL with synchronous=FULL. */
#include "pgtest.h"
#include "testutil.h"

#include "store/db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

static long long q1(dg_store *s, const char *sql)
{
    dg_stmt *st = NULL;
    assert_int_equal(dg_db_prepare(dg_store_db(s), sql, &st, NULL), 0);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    long long v = dg_stmt_int64(st, 0);
    dg_stmt_finalize(st);
    return v;
}

static void commits_are_synchronous_full(void **state)
{
    (void)state;
    if (dg_test_sqlite_only("SQLite's synchronous and journal settings"))
        return;
    char *dir = dg_test_tmpdir("store-sync");
    char path[4096];
    snprintf(path, sizeof path, "%s/dropgate.db", dir);
    for (int round = 0; round < 2; round++) { /* new database, then re-opened */
        dg_store *s = NULL;
        dg_error err = {0};
        assert_int_equal(dg_store_open(dg_test_store_location(path), &s, &err), 0);
        assert_int_equal(q1(s, "PRAGMA synchronous"), 2); /* 2 = FULL (1 = NORMAL) */
        dg_stmt *st = NULL;
        assert_int_equal(dg_db_prepare(dg_store_db(s), "PRAGMA journal_mode", &st, NULL), 0);
        assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
        assert_string_equal(dg_stmt_text(st, 0), "wal");
        dg_stmt_finalize(st);
        dg_store_close(s);
    }
    dg_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commits_are_synchronous_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
