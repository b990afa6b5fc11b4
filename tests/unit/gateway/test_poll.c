/* Poll semantics over a local-folder partner with the real store and flow: max_files, after
 * delete/move/leave, done-markers, a growing file left alone, the same file seen twice processed
 * once, a bad file quarantined while the rest of the poll goes on, and the redo of a pickup whose
 * remote delete was interrupted (crash after record, before remote delete). */
#include "testutil.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "core/fs.h"
#include "gateway/gateway.h"
#include "store/store.h"

static char *g_tmp;

static const char *orders_hdr =
    "Name,Email,Currency,Total,Shipping Method,Created at,Lineitem quantity,Lineitem name,"
    "Lineitem price,Lineitem sku,Shipping Name,Shipping Company,Shipping Address1,"
    "Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,"
    "Shipping Phone,Notes\n";

static void write_order(const char *rel, const char *number)
{
    char path[1024], text[1024];
    snprintf(path, sizeof path, "%s/%s", g_tmp, rel);
    snprintf(text, sizeof text,
             "%s#%s,a@example.com,USD,9.99,Standard,2026-11-20 10:00:00 -0500,1,Thing,9.99,"
             "SF-9999,Ana Lopez,,1 Main St,,Austin,78701,TX,US,,\n",
             orders_hdr, number);
    dg_test_write_file(path, text);
}

static bool exists(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", g_tmp, rel);
    return dg_fs_exists(path);
}

static size_t count_files(const char *rel)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "find '%s/%s' -type f 2>/dev/null | wc -l", g_tmp, rel);
    FILE *p = popen(cmd, "r");
    size_t n = 0;
    if (p) {
        if (fscanf(p, "%zu", &n) != 1)
            n = 0;
        pclose(p);
    }
    return n;
}

/* A storefront with one drop configured by the test. */
static dg_gw_config *load(const char *drop_yaml)
{
    char path[1024], text[4096];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", g_tmp);
    snprintf(text, sizeof text,
             "state_dir: var\npartners_dir: etc/partners\nrouting: etc/none.yaml\n"
             "catalog: etc/none.csv\n");
    dg_test_write_file(path, text);
    snprintf(path, sizeof path, "%s/etc/partners/shop.yaml", g_tmp);
    snprintf(text, sizeof text,
             "name: shop\nrole: storefront\ntransport: {kind: local, root: drops/shop}\n"
             "inbound:\n  - folder: orders\n    include: ['*.csv']\n    mapping: %s\n%s",
             dg_test_path("mappings/storefront-orders-csv-in.yaml"), drop_yaml);
    dg_test_write_file(path, text);
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/drops/shop/orders", g_tmp);
    dg_error err = {0};
    assert_int_equal(dg_fs_mkdirs(dir, &err), 0);
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", g_tmp);
    dg_gw_config *cfg = NULL;
    int rc = dg_gw_config_load(path, NULL, &cfg, &err);
    if (rc)
        fail_msg("config: %s", err.msg);
    return cfg;
}

static dg_gw_stats poll_once(dg_gw_config *cfg)
{
    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    int rc = dg_gw_poll_partner(g, &cfg->partners[0], false, &err);
    if (rc)
        fail_msg("poll: %s", err.msg);
    dg_gw_stats s = *dg_gw_get_stats(g);
    dg_gw_close(g);
    return s;
}

static int setup(void **state)
{
    (void)state;
    g_tmp = dg_test_tmpdir("gw_poll");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dg_test_rmtree(g_tmp);
    free(g_tmp);
    return 0;
}

static void test_max_files_and_delete(void **state)
{
    (void)state;
    dg_gw_config *cfg = load("    max_files: 2\n");
    write_order("drops/shop/orders/a.csv", "1");
    write_order("drops/shop/orders/b.csv", "2");
    write_order("drops/shop/orders/c.csv", "3");
    write_order("drops/shop/orders/notes.txt", "4"); /* not selected by the glob */
    dg_gw_stats s = poll_once(cfg);
    assert_int_equal(s.processed, 2);
    assert_int_equal(s.orders, 2);
    assert_false(exists("drops/shop/orders/a.csv")); /* name order, after: delete */
    assert_false(exists("drops/shop/orders/b.csv"));
    assert_true(exists("drops/shop/orders/c.csv"));
    s = poll_once(cfg);
    assert_int_equal(s.processed, 1);
    assert_false(exists("drops/shop/orders/c.csv"));
    assert_true(exists("drops/shop/orders/notes.txt"));
    assert_int_equal(count_files("var/archive"), 3);
    dg_gw_config_free(cfg);
}

static void test_move_and_leave_duplicate(void **state)
{
    (void)state;
    dg_gw_config *cfg = load("    after: move\n    archive_folder: orders/done\n");
    write_order("drops/shop/orders/a.csv", "10");
    dg_gw_stats s = poll_once(cfg);
    assert_int_equal(s.processed, 1);
    assert_true(exists("drops/shop/orders/done/a.csv"));
    assert_false(exists("drops/shop/orders/a.csv"));
    /* The same name again: the archived one keeps its place, the new one goes beside it. */
    write_order("drops/shop/orders/a.csv", "12");
    s = poll_once(cfg);
    assert_int_equal(s.processed, 1);
    assert_int_equal(s.orders, 1);
    assert_false(exists("drops/shop/orders/a.csv"));
    assert_int_equal(count_files("drops/shop/orders/done"), 2);
    dg_gw_config_free(cfg);

    /* after: leave - the file stays, and the next poll sees the same version: a duplicate. */
    cfg = load("    after: leave\n");
    write_order("drops/shop/orders/b.csv", "11");
    s = poll_once(cfg);
    assert_int_equal(s.processed, 1);
    assert_int_equal(s.orders, 1);
    assert_true(exists("drops/shop/orders/b.csv"));
    s = poll_once(cfg);
    assert_int_equal(s.processed, 0);
    assert_int_equal(s.taken, 0); /* known by size+mtime: not even fetched */
    assert_int_equal(s.unchanged, 1);
    assert_int_equal(s.orders, 0);
    dg_gw_config_free(cfg);
}

/* after: leave: a file version (size, mtime) the store holds as processed or quarantined is not
 * fetched again on the next polls; a new size or a new mtime is fetched and hashed. */
static void test_leave_known_version_not_fetched(void **state)
{
    (void)state;
    dg_gw_config *cfg = load("    after: leave\n    max_files: 2\n");
    char path[1024], bad[1024];
    snprintf(path, sizeof path, "%s/drops/shop/orders/a.csv", g_tmp);
    snprintf(bad, sizeof bad, "%s/drops/shop/orders/b-bad.csv", g_tmp);
    write_order("drops/shop/orders/a.csv", "50");
    dg_test_write_file(bad, "Name,Created at\n#51,not a date\n");
    struct utimbuf t1 = {time(NULL) - 600, time(NULL) - 600};
    assert_int_equal(utime(path, &t1), 0);
    assert_int_equal(utime(bad, &t1), 0);
    dg_gw_stats s = poll_once(cfg);
    assert_int_equal(s.taken, 2);
    assert_int_equal(s.processed, 1);
    assert_int_equal(s.quarantined, 1);

    /* Two more polls: nothing fetched (the fetch counter is the proof), nothing placed. */
    for (int i = 0; i < 2; i++) {
        s = poll_once(cfg);
        assert_int_equal(s.taken, 0);
        assert_int_equal(s.unchanged, 2);
        assert_int_equal(s.duplicates, 0);
        assert_int_equal(s.orders, 0);
    }
    /* Known files take no max_files slot: a third file is taken at once. */
    write_order("drops/shop/orders/c.csv", "52");
    s = poll_once(cfg);
    assert_int_equal(s.taken, 1);
    assert_int_equal(s.processed, 1);
    assert_int_equal(s.unchanged, 2);

    /* A new size: a new version, fetched and processed. */
    write_order("drops/shop/orders/a.csv", "5000");
    assert_int_equal(utime(path, &t1), 0); /* same mtime as before, only the size differs */
    s = poll_once(cfg);
    assert_int_equal(s.taken, 1);
    assert_int_equal(s.processed, 1);
    assert_int_equal(s.orders, 1);

    /* The same size with a new mtime: fetched and hashed again. */
    struct utimbuf t2 = {time(NULL) - 300, time(NULL) - 300};
    assert_int_equal(utime(path, &t2), 0);
    s = poll_once(cfg);
    assert_int_equal(s.taken, 1);
    assert_int_equal(s.unchanged, 2);
    s = poll_once(cfg);
    assert_int_equal(s.taken, 0);
    assert_int_equal(s.unchanged, 3);
    dg_gw_config_free(cfg);
}

static void test_markers_and_growing(void **state)
{
    (void)state;
    dg_gw_config *cfg = load("    done_marker: .done\n");
    write_order("drops/shop/orders/a.csv", "20");
    dg_gw_stats s = poll_once(cfg);
    assert_int_equal(s.taken, 0);
    assert_int_equal(s.waiting, 1);
    char marker[1024];
    snprintf(marker, sizeof marker, "%s/drops/shop/orders/a.csv.done", g_tmp);
    dg_test_write_file(marker, "");
    s = poll_once(cfg);
    assert_int_equal(s.processed, 1);
    assert_false(exists("drops/shop/orders/a.csv"));
    assert_false(exists("drops/shop/orders/a.csv.done")); /* the marker goes with its file */
    dg_gw_config_free(cfg);

    /* stable_seconds: first seen now, so not taken by a single look. */
    cfg = load("    stable_seconds: 30\n");
    write_order("drops/shop/orders/b.csv", "21");
    s = poll_once(cfg);
    assert_int_equal(s.taken, 0);
    assert_int_equal(s.waiting, 1);
    assert_true(exists("drops/shop/orders/b.csv"));
    dg_gw_config_free(cfg);

    /* poll --once takes a second look after stable_seconds at a file first seen now. */
    cfg = load("    stable_seconds: 1\n");
    {
        dg_gw *g = NULL;
        dg_error err = {0};
        if (dg_gw_open(cfg, &g, &err))
            fail_msg("open: %s", err.msg);
        write_order("drops/shop/orders/c.csv", "22");
        assert_int_equal(dg_gw_poll_partner(g, &cfg->partners[0], true, &err), 0);
        assert_int_equal(dg_gw_get_stats(g)->processed, 2); /* b.csv and c.csv, both stable */
        assert_false(exists("drops/shop/orders/c.csv"));
        dg_gw_close(g);
    }
    dg_gw_config_free(cfg);
    write_order("drops/shop/orders/b.csv", "23");

    /* min_age: a file just written is too young; one dated an hour back is taken. */
    cfg = load("    min_age_seconds: 60\n");
    s = poll_once(cfg);
    assert_int_equal(s.taken, 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/drops/shop/orders/b.csv", g_tmp);
    struct utimbuf old = {time(NULL) - 3600, time(NULL) - 3600};
    assert_int_equal(utime(path, &old), 0);
    s = poll_once(cfg);
    assert_int_equal(s.processed, 1);
    dg_gw_config_free(cfg);
}

static void test_bad_file_quarantined_rest_goes_on(void **state)
{
    (void)state;
    dg_gw_config *cfg = load("");
    char path[1024];
    snprintf(path, sizeof path, "%s/drops/shop/orders/a-bad.csv", g_tmp);
    dg_test_write_file(path, "Name,Created at\n#30,not a date\n");
    write_order("drops/shop/orders/b-good.csv", "31");
    dg_gw_stats s = poll_once(cfg);
    assert_int_equal(s.quarantined, 1);
    assert_int_equal(s.processed, 1);
    assert_false(exists("drops/shop/orders/a-bad.csv"));
    assert_int_equal(count_files("var/quarantine/shop"), 2); /* the file and its reason */
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cat '%s'/var/quarantine/shop/*.reason.txt", g_tmp);
    FILE *p = popen(cmd, "r");
    char text[2048] = "";
    size_t n = fread(text, 1, sizeof text - 1, p);
    text[n] = '\0';
    pclose(p);
    assert_non_null(strstr(text, "a-bad.csv"));
    assert_non_null(strstr(text, "reason: "));
    dg_gw_config_free(cfg);
}

/* Crash after the pickup was recorded but before the remote delete: the file is still in the
 * drop. The next poll must only finish the delete, not place the order again. */
static void test_redo_after_interrupted_delete(void **state)
{
    (void)state;
    dg_gw_config *cfg = load("    after: leave\n");
    write_order("drops/shop/orders/a.csv", "40");
    dg_gw_stats s = poll_once(cfg);
    assert_int_equal(s.orders, 1);
    dg_gw_config_free(cfg);
    cfg = load(""); /* now after: delete, as if the first run died before deleting */
    s = poll_once(cfg);
    assert_int_equal(s.duplicates, 1);
    assert_int_equal(s.orders, 0);
    assert_false(exists("drops/shop/orders/a.csv"));
    /* The same name with new content is a new file. */
    write_order("drops/shop/orders/a.csv", "41");
    s = poll_once(cfg);
    assert_int_equal(s.orders, 1);
    dg_gw_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_max_files_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_move_and_leave_duplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leave_known_version_not_fetched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_markers_and_growing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_file_quarantined_rest_goes_on, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redo_after_interrupted_delete, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
