/* Audit M2 and L3 (pickup rules). M2: only exact temporary upload names are skipped, a partner
 * file whose name merely contains ".part" or ".tmp." is taken. L3: the looks of the stable-file
 * check are forgotten once a file is no longer listed (a long-running daemon does not grow), and
 * only then: drops sharing a folder keep each other's looks. */
#include "testutil.h"

#include <string.h>

#include "gateway/gateway.h"

static dg_remote_file rf(const char *name, uint64_t size, int64_t mtime)
{
    dg_remote_file f;
    memset(&f, 0, sizeof f);
    snprintf(f.name, sizeof f.name, "%s", name);
    f.size = size;
    f.mtime = mtime;
    return f;
}

static dg_gw_pick pick(const char *name)
{
    dg_gw_drop d = {0};
    dg_gw_looks *l = dg_gw_looks_new();
    dg_remote_file f = rf(name, 10, 1000);
    dg_gw_pick p = dg_gw_pick_check(l, "p/in", &d, &f, &f, 1, 5000);
    dg_gw_looks_free(l);
    return p;
}

static void test_temp_names_exact(void **state)
{
    (void)state;
    /* partner files: taken */
    assert_int_equal(pick("orders.partner-eu.csv"), DG_PICK_TAKE);
    assert_int_equal(pick("report.part2.csv"), DG_PICK_TAKE);
    assert_int_equal(pick("stock.tmp.csv"), DG_PICK_TAKE);
    assert_int_equal(pick("a.tmp.12x"), DG_PICK_TAKE);
    assert_int_equal(pick("a.tmp."), DG_PICK_TAKE);
    assert_int_equal(pick("counterpart"), DG_PICK_TAKE);
    assert_int_equal(pick("x.partial"), DG_PICK_TAKE);
    /* uploads in progress: skipped */
    assert_int_equal(pick("orders.csv.part"), DG_PICK_SKIP);
    assert_int_equal(pick(".orders.csv.part"), DG_PICK_SKIP);
    assert_int_equal(pick(".hidden.csv"), DG_PICK_SKIP);
    assert_int_equal(pick("orders.csv.tmp.12345"), DG_PICK_SKIP);
    assert_int_equal(pick("orders.tmp.1.tmp.77"), DG_PICK_SKIP);
}

static void test_looks_pruned(void **state)
{
    (void)state;
    dg_gw_drop d = {0};
    d.stable_seconds = 5;
    dg_gw_looks *l = dg_gw_looks_new();
    dg_remote_file both[2] = {rf("a.csv", 10, 1000), rf("b.csv", 20, 1000)};
    /* round 1 at t=2000: both first seen */
    dg_gw_looks_prune(l, "p/in", both, 2);
    assert_int_equal(dg_gw_pick_check(l, "p/in", &d, &both[0], both, 2, 2000), DG_PICK_UNSTABLE);
    assert_int_equal(dg_gw_pick_check(l, "p/in", &d, &both[1], both, 2, 2000), DG_PICK_UNSTABLE);
    /* a look in another folder of the same partner, and a sub-folder: never pruned by p/in */
    assert_int_equal(dg_gw_pick_check(l, "p/other", &d, &both[1], both, 2, 2000), DG_PICK_UNSTABLE);
    assert_int_equal(dg_gw_pick_check(l, "p/in/sub", &d, &both[1], both, 2, 2000),
                     DG_PICK_UNSTABLE);
    /* round 2 at t=2010: b.csv is gone from the folder */
    dg_gw_looks_prune(l, "p/in", both, 1);
    assert_int_equal(dg_gw_pick_check(l, "p/in", &d, &both[0], both, 1, 2010), DG_PICK_TAKE);
    /* round 3: b.csv is back with the same size and mtime: a new file, looked at again */
    dg_gw_looks_prune(l, "p/in", both, 2);
    assert_int_equal(dg_gw_pick_check(l, "p/in", &d, &both[1], both, 2, 2020), DG_PICK_UNSTABLE);
    assert_int_equal(dg_gw_pick_check(l, "p/in", &d, &both[1], both, 2, 2025), DG_PICK_TAKE);
    /* the other folders kept their looks */
    assert_int_equal(dg_gw_pick_check(l, "p/other", &d, &both[1], both, 2, 2020), DG_PICK_TAKE);
    assert_int_equal(dg_gw_pick_check(l, "p/in/sub", &d, &both[1], both, 2, 2020), DG_PICK_TAKE);
    assert_int_equal(dg_gw_looks_count(l), 4); /* p/in a.csv, b.csv; p/other; p/in/sub */
    /* many rounds, each with another file (the old one gone), do not grow the table */
    for (int r = 0; r < 1000; r++) {
        char name[32];
        snprintf(name, sizeof name, "f%d.csv", r);
        dg_remote_file f = rf(name, 1, 1000);
        dg_gw_looks_prune(l, "p/in", &f, 1);
        assert_int_equal(dg_gw_pick_check(l, "p/in", &d, &f, &f, 1, 3000 + r), DG_PICK_UNSTABLE);
        assert_true(dg_gw_looks_count(l) <= 3);
    }
    /* an empty listing forgets every look of the folder */
    dg_gw_looks_prune(l, "p/in", NULL, 0);
    assert_int_equal(dg_gw_looks_count(l), 2);
    assert_int_equal(dg_gw_pick_check(l, "p/in", &d, &both[0], both, 2, 9000), DG_PICK_UNSTABLE);
    dg_gw_looks_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_temp_names_exact),
        cmocka_unit_test(test_looks_pruned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
