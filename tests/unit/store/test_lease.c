/* Leases of several instances (issue 13): one winner per claim, expiry on the database's clock,
 * takeover of a lease that ran out, release, and FENCING - two store handles on one database
 * stand for two instances: A's commit after B took A's expired lease is refused and leaves
 * nothing behind. Runs on SQLite and (as store_test_lease_pg) on PostgreSQL. */
#include "pgtest.h"
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store.h"

typedef struct fx {
    char *dir;
    char path[4096];
    dg_store *a, *b; /* two instances on the same database */
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->dir = dg_test_tmpdir("lease");
    snprintf(f->path, sizeof f->path, "%s/dropgate.db", f->dir);
    dg_error err = {0};
    const char *loc = dg_test_store_location(f->path);
    assert_int_equal(dg_store_open(loc, &f->a, &err), 0);
    assert_int_equal(dg_store_open(loc, &f->b, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    dg_store_close(f->a);
    dg_store_close(f->b);
    dg_test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static long long count_files(dg_store *s, const char *sha)
{
    dg_stmt *st = NULL;
    assert_int_equal(
        dg_db_prepare(dg_store_db(s), "SELECT count(*) FROM files WHERE sha256 = ?", &st, NULL), 0);
    dg_stmt_bind_text(st, 1, sha);
    long long v = -1;
    if (dg_stmt_step(st) == DG_DB_ROW)
        v = dg_stmt_int64(st, 0);
    dg_stmt_finalize(st);
    return v;
}

/* One transaction of "work for the partner" (a file recorded), committed under the fence. */
static int work(dg_store *s, const char *holder, const char *sha, dg_error *err)
{
    dg_store_fence(s, "poll:acme", holder, 60000);
    int rc = dg_store_begin(s, err);
    assert_int_equal(rc, 0);
    int64_t id = 0;
    rc = dg_store_file_add(s, sha, "acme", "in", "orders.csv", 10, &id, err);
    assert_int_equal(rc, 0);
    rc = dg_store_commit(s, err);
    dg_store_fence(s, NULL, NULL, 0);
    return rc;
}

static void one_winner_and_renewal(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    dg_lease_claim c;
    assert_int_equal(dg_store_lease_claim(f->a, "poll:acme", "A", 60000, &c, &err), 0);
    assert_true(c.won);
    assert_string_equal(c.holder, "A");
    assert_string_equal(c.previous, "");
    assert_int_equal(dg_store_lease_claim(f->b, "poll:acme", "B", 60000, &c, &err), 0);
    assert_false(c.won);
    assert_string_equal(c.holder, "A");
    assert_true(c.expires_in_ms > 50000 && c.expires_in_ms <= 60000);
    /* A renews its own; another name is B's to take. */
    assert_int_equal(dg_store_lease_claim(f->a, "poll:acme", "A", 60000, &c, &err), 0);
    assert_true(c.won);
    assert_int_equal(dg_store_lease_claim(f->b, "send:acme", "B", 60000, &c, &err), 0);
    assert_true(c.won);
    json_t *rows = NULL;
    assert_int_equal(dg_store_leases_json(f->a, &rows, &err), 0);
    assert_int_equal(json_array_size(rows), 2);
    json_t *r0 = json_array_get(rows, 0);
    assert_string_equal(json_string_value(json_object_get(r0, "name")), "poll:acme");
    assert_string_equal(json_string_value(json_object_get(r0, "holder")), "A");
    assert_int_equal(json_integer_value(json_object_get(r0, "held")), 1);
    assert_int_equal(json_integer_value(json_object_get(r0, "released")), 0);
    json_int_t in_ms = json_integer_value(json_object_get(r0, "expires_in_ms"));
    assert_true(in_ms > 50000 && in_ms <= 60000);
    json_decref(rows);
}

/* The guarantee: A stalls past its lease, B takes it over, A's commit is refused - nothing of
 * A's transaction stays. Seen failing with the fence check left out of dg_store_commit. */
static void stalled_holder_cannot_commit(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    dg_lease_claim c;
    assert_int_equal(dg_store_lease_claim(f->a, "poll:acme", "A", 150, &c, &err), 0);
    assert_true(c.won);
    /* While A holds it, A's work commits (and renews the lease). */
    assert_int_equal(work(f->a, "A", "sha-a1", &err), 0);
    assert_int_equal(count_files(f->b, "sha-a1"), 1);
    assert_int_equal(dg_store_lease_claim(f->b, "poll:acme", "B", 60000, &c, &err), 0);
    assert_false(c.won); /* the commit renewed A's lease for 60 s */
    /* A's lease runs out (a short one again), B takes over. */
    assert_int_equal(dg_store_lease_claim(f->a, "poll:acme", "A", 100, &c, &err), 0);
    assert_true(c.won);
    nap_ms(250);
    assert_int_equal(dg_store_lease_claim(f->b, "poll:acme", "B", 60000, &c, &err), 0);
    assert_true(c.won);
    assert_string_equal(c.previous, "A"); /* a takeover, not a clean hand-over */
    /* A wakes up and commits: refused, rolled back, A is told who holds it. */
    memset(&err, 0, sizeof err);
    assert_int_equal(work(f->a, "A", "sha-a2", &err), DG_ELOCKED);
    assert_non_null(strstr(err.msg, "poll:acme"));
    assert_non_null(strstr(err.msg, "held by B"));
    assert_int_equal(count_files(f->b, "sha-a2"), 0);
    assert_int_equal(dg_store_depth(f->a), 0);
    /* A cannot claim it back while B's runs; B's own work commits. */
    assert_int_equal(dg_store_lease_claim(f->a, "poll:acme", "A", 60000, &c, &err), 0);
    assert_false(c.won);
    assert_string_equal(c.holder, "B");
    assert_int_equal(work(f->b, "B", "sha-b1", &err), 0);
    assert_int_equal(count_files(f->a, "sha-b1"), 1);
    json_t *rows = NULL;
    assert_int_equal(dg_store_leases_json(f->a, &rows, &err), 0);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "takeovers")), 1);
    json_decref(rows);
}

/* A lease that ran out but nobody took is still its holder's: its commit goes through. */
static void expired_untaken_lease_still_fences_ok(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    dg_lease_claim c;
    assert_int_equal(dg_store_lease_claim(f->a, "poll:acme", "A", 50, &c, &err), 0);
    nap_ms(120);
    assert_int_equal(work(f->a, "A", "sha-a3", &err), 0);
    assert_int_equal(count_files(f->b, "sha-a3"), 1);
    assert_int_equal(dg_store_lease_claim(f->b, "poll:acme", "B", 60000, &c, &err), 0);
    assert_false(c.won); /* renewed by the commit */
}

/* A clean release: B claims at once, no takeover counted; A's late commit is refused. */
static void release_hands_over_at_once(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    dg_lease_claim c;
    assert_int_equal(dg_store_lease_claim(f->a, "poll:acme", "A", 60000, &c, &err), 0);
    assert_int_equal(dg_store_lease_claim(f->a, "send:acme", "A", 60000, &c, &err), 0);
    assert_int_equal(dg_store_lease_release(f->a, NULL, "A", &err), 0); /* all of A's */
    assert_int_equal(dg_store_lease_claim(f->b, "poll:acme", "B", 60000, &c, &err), 0);
    assert_true(c.won);
    assert_string_equal(c.previous, "");
    assert_int_equal(dg_store_lease_claim(f->b, "send:acme", "B", 60000, &c, &err), 0);
    assert_true(c.won);
    assert_int_equal(work(f->a, "A", "sha-a4", &err), DG_ELOCKED);
    assert_int_equal(count_files(f->b, "sha-a4"), 0);
    /* B releases one: status shows it given back, with no expiry (not one that ran out
     * decades ago, as "now - 0" said before); A takes it back, also cleanly. */
    assert_int_equal(dg_store_lease_release(f->b, "poll:acme", "B", &err), 0);
    json_t *rows = NULL;
    assert_int_equal(dg_store_leases_json(f->a, &rows, &err), 0);
    json_t *r0 = json_array_get(rows, 0);
    assert_string_equal(json_string_value(json_object_get(r0, "name")), "poll:acme");
    assert_int_equal(json_integer_value(json_object_get(r0, "held")), 0);
    assert_int_equal(json_integer_value(json_object_get(r0, "released")), 1);
    assert_null(json_object_get(r0, "expires_in_ms"));
    json_decref(rows);
    assert_int_equal(dg_store_lease_claim(f->a, "poll:acme", "A", 60000, &c, &err), 0);
    assert_true(c.won);
    assert_string_equal(c.previous, "");
    assert_int_equal(dg_store_lease_claim(f->a, "send:acme", "A", 60000, &c, &err), 0);
    assert_false(c.won);
}

/* PostgreSQL: the fence holds even when A's transaction was open while B took the lease (the
 * fence's row update and B's claim serialize on the lease row). */
static void fence_with_transaction_open_during_takeover(void **state)
{
    if (!dg_test_pg()) {
        skip(); /* SQLite: one writer at a time, B's claim would wait for A's transaction */
        return;
    }
    fx *f = *state;
    dg_error err = {0};
    dg_lease_claim c;
    assert_int_equal(dg_store_lease_claim(f->a, "poll:acme", "A", 100, &c, &err), 0);
    dg_store_fence(f->a, "poll:acme", "A", 60000);
    assert_int_equal(dg_store_begin(f->a, &err), 0);
    int64_t id = 0;
    assert_int_equal(dg_store_file_add(f->a, "sha-a5", "acme", "in", "x.csv", 1, &id, &err), 0);
    nap_ms(200);
    assert_int_equal(dg_store_lease_claim(f->b, "poll:acme", "B", 60000, &c, &err), 0);
    assert_true(c.won);
    assert_int_equal(dg_store_commit(f->a, &err), DG_ELOCKED);
    dg_store_fence(f->a, NULL, NULL, 0);
    assert_int_equal(count_files(f->b, "sha-a5"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(one_winner_and_renewal, setup, teardown),
        cmocka_unit_test_setup_teardown(stalled_holder_cannot_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(expired_untaken_lease_still_fences_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(release_hands_over_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(fence_with_transaction_open_during_takeover, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
