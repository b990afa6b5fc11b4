/* Pickup rules: include/exclude globs, done-markers, minimum age, and the stable-file check
 * that never takes a file still being written. */
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

static void test_globs(void **state)
{
    (void)state;
    const char *inc[] = {"*.csv", "PO_*.edi"};
    const char *exc[] = {"*_draft.csv"};
    dg_gw_drop d = {0};
    d.include = inc;
    d.n_include = 2;
    d.exclude = exc;
    d.n_exclude = 1;
    assert_true(dg_gw_glob_selected(&d, "orders.csv"));
    assert_true(dg_gw_glob_selected(&d, "PO_1.edi"));
    assert_false(dg_gw_glob_selected(&d, "orders_draft.csv"));
    assert_false(dg_gw_glob_selected(&d, "INV_1.edi"));
    assert_false(dg_gw_glob_selected(&d, ".hidden.csv")); /* FNM_PERIOD: dot files need a dot */
    assert_false(dg_gw_glob_selected(&d, "orders.csv.bak"));
    dg_gw_drop all = {0};
    assert_true(dg_gw_glob_selected(&all, "anything"));
}

static void test_growing_file_not_taken(void **state)
{
    (void)state;
    dg_gw_drop d = {0};
    d.stable_seconds = 5;
    dg_gw_looks *l = dg_gw_looks_new();
    dg_remote_file f = rf("a.csv", 100, 1000);
    /* First look: never taken, whatever its age. */
    assert_int_equal(dg_gw_pick_check(l, "p/in", &d, &f, &f, 1, 2000), DG_PICK_UNSTABLE);
    /* It grew: the clock restarts. */
    f = rf("a.csv", 200, 1001);
    assert_int_equal(dg_gw_pick_check(l, "p/in", &d, &f, &f, 1, 2010), DG_PICK_UNSTABLE);
    /* Unchanged but not long enough. */
    assert_int_equal(dg_gw_pick_check(l, "p/in", &d, &f, &f, 1, 2012), DG_PICK_UNSTABLE);
    /* Same size, only mtime changed (rewritten in place): still not stable. */
    f = rf("a.csv", 200, 1002);
    assert_int_equal(dg_gw_pick_check(l, "p/in", &d, &f, &f, 1, 2016), DG_PICK_UNSTABLE);
    assert_int_equal(dg_gw_pick_check(l, "p/in", &d, &f, &f, 1, 2021), DG_PICK_TAKE);
    /* Another folder is another file. */
    assert_int_equal(dg_gw_pick_check(l, "p/other", &d, &f, &f, 1, 2021), DG_PICK_UNSTABLE);
    dg_gw_looks_forget(l, "p/in", "a.csv");
    assert_int_equal(dg_gw_pick_check(l, "p/in", &d, &f, &f, 1, 2022), DG_PICK_UNSTABLE);
    dg_gw_looks_free(l);
}

static void test_min_age_and_markers(void **state)
{
    (void)state;
    dg_gw_drop d = {0};
    d.min_age_seconds = 60;
    d.done_marker = ".done";
    dg_gw_looks *l = dg_gw_looks_new();
    dg_remote_file listing[3] = {rf("a.csv", 10, 1000), rf("a.csv.done", 0, 1000),
                                 rf("b.csv", 10, 1000)};
    assert_int_equal(dg_gw_pick_check(l, "k", &d, &listing[0], listing, 3, 1030),
                     DG_PICK_TOO_YOUNG);
    assert_int_equal(dg_gw_pick_check(l, "k", &d, &listing[0], listing, 3, 1060), DG_PICK_TAKE);
    assert_int_equal(dg_gw_pick_check(l, "k", &d, &listing[1], listing, 3, 1060), DG_PICK_SKIP);
    assert_int_equal(dg_gw_pick_check(l, "k", &d, &listing[2], listing, 3, 1060),
                     DG_PICK_NO_MARKER);
    dg_remote_file dir = rf("sub", 0, 0);
    dir.is_dir = true;
    assert_int_equal(dg_gw_pick_check(l, "k", &d, &dir, listing, 3, 1060), DG_PICK_SKIP);
    dg_remote_file part = rf("c.csv.part", 1, 0);
    assert_int_equal(dg_gw_pick_check(l, "k", &d, &part, &part, 1, 1060), DG_PICK_SKIP);
    assert_string_equal(dg_gw_pick_name(DG_PICK_NO_MARKER), "no-done-marker");
    dg_gw_looks_free(l);
}

static void test_stable_off_takes_at_once(void **state)
{
    (void)state;
    dg_gw_drop d = {0};
    dg_gw_looks *l = dg_gw_looks_new();
    dg_remote_file f = rf("x.edi", 5, 10);
    assert_int_equal(dg_gw_pick_check(l, "k", &d, &f, &f, 1, 10), DG_PICK_TAKE);
    dg_gw_looks_free(l);
}

static void test_duration_and_schedule(void **state)
{
    (void)state;
    long s = 0;
    assert_int_equal(dg_gw_parse_duration("90", &s), 0);
    assert_int_equal(s, 90);
    assert_int_equal(dg_gw_parse_duration("5m", &s), 0);
    assert_int_equal(s, 300);
    assert_int_equal(dg_gw_parse_duration("2h", &s), 0);
    assert_int_equal(s, 7200);
    assert_int_not_equal(dg_gw_parse_duration("5 minutes", &s), 0);
    assert_int_not_equal(dg_gw_parse_duration("-3s", &s), 0);
    assert_int_not_equal(dg_gw_parse_duration("", &s), 0);

    dg_gw_partner ps[2];
    memset(ps, 0, sizeof ps);
    ps[0].every_seconds = 10;
    ps[1].every_seconds = 60;
    dg_gw_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.partners = ps;
    cfg.n_partners = 2;
    dg_gw_schedule sch;
    assert_int_equal(dg_gw_schedule_init(&sch, &cfg, 100), 0);
    long wait = -1;
    long i = dg_gw_schedule_due(&sch, 100, &wait);
    assert_true(i == 0 || i == 1);
    dg_gw_schedule_done(&sch, &cfg, (size_t)i, 100);
    long j = dg_gw_schedule_due(&sch, 100, &wait);
    assert_int_equal(j, 1 - i);
    dg_gw_schedule_done(&sch, &cfg, (size_t)j, 100);
    assert_int_equal(dg_gw_schedule_due(&sch, 105, &wait), -1);
    assert_int_equal(wait, 5);
    assert_int_equal(dg_gw_schedule_due(&sch, 110, &wait), 0);
    dg_gw_schedule_free(&sch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_globs),
        cmocka_unit_test(test_growing_file_not_taken),
        cmocka_unit_test(test_min_age_and_markers),
        cmocka_unit_test(test_stable_off_takes_at_once),
        cmocka_unit_test(test_duration_and_schedule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
