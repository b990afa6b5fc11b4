/* Poll semantics over a local-folder partner with the real store and flow: max_files, after
 * delete/move/leave, done-markers, a growing file left alone, the same file seen twice processed
 * once, a bad file quarantined while the rest of the poll goes on, and the redo of a pickup whose
 * remote delete was interrupted (crash after record, before remote delete). */
#include "testutil.h"

#include "store/db.h"
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

/* Appends n orders (first, first+1, ...) as rows to rel, creating it with the header when
 * absent: an export written in place, row by row. */
static void append_orders(const char *rel, int first, int n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", g_tmp, rel);
    bool fresh = !dg_fs_exists(path);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    if (fresh)
        fputs(orders_hdr, f);
    for (int i = 0; i < n; i++)
        fprintf(f,
                "#%d,a@example.com,USD,9.99,Standard,2026-11-20 10:00:00 -0500,1,Thing,9.99,"
                "SF-9999,Ana Lopez,,%d Main St,,Austin,78701,TX,US,,\n",
                first + i, first + i);
    fclose(f);
}

/* A storefront with one drop configured by the test, exactly as written (the defaults apply). */
static dg_gw_config *load_as_written(const char *drop_yaml)
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

/* The same for a writer that renames whole files into place (stable check off) unless the test
 * sets its own: most tests here are about what happens once a file is taken. */
static dg_gw_config *load(const char *drop_yaml)
{
    char text[2048];
    bool own = strstr(drop_yaml, "stable_seconds") || strstr(drop_yaml, "done_marker");
    snprintf(text, sizeof text, "%s%s", drop_yaml, own ? "" : "    stable_seconds: 0\n");
    return load_as_written(text);
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

/* A kill between the after-action and the spool unlink leaves a scratch copy behind: the next
 * open of the gateway (under the state-store lock) sweeps it; the drop is untouched. */
static void test_spool_leftovers_swept(void **state)
{
    (void)state;
    dg_gw_config *cfg = load("");
    write_order("drops/shop/orders/a.csv", "1");
    write_order("var/spool/shop/left-by-a-kill.csv", "2");
    write_order("var/spool/other/half-fetched.edi", "3");
    dg_gw_stats s = poll_once(cfg);
    assert_int_equal(s.processed, 1);
    assert_false(exists("var/spool/shop/left-by-a-kill.csv"));
    assert_false(exists("var/spool/other/half-fetched.edi"));
    assert_int_equal(count_files("var/spool"), 0);
    assert_int_equal(count_files("var/archive"), 1); /* the leftovers were never taken as input */
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

/* A file listed larger than max_file_bytes is never fetched: not archived, not quarantined, no
 * order, left in the drop (after: delete notwithstanding) while the rest of the poll goes on. */
static void test_too_large_left_in_drop(void **state)
{
    (void)state;
    dg_gw_config *cfg = load("    max_file_bytes: 2000\n");
    assert_int_equal(cfg->partners[0].drops[0].max_file_bytes, 2000);
    write_order("drops/shop/orders/a.csv", "40");
    char path[1024], big[6000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    snprintf(path, sizeof path, "%s/drops/shop/orders/b-big.csv", g_tmp);
    FILE *f = fopen(path, "w");
    fprintf(f,
            "%s#41,a@example.com,USD,9.99,Standard,2026-11-20 10:00:00 -0500,1,Thing,9.99,"
            "SF-9999,%s,,1 Main St,,Austin,78701,TX,US,,\n",
            orders_hdr, big);
    fclose(f);
    for (int round = 0; round < 2; round++) {
        dg_gw_stats s = poll_once(cfg);
        assert_int_equal(s.processed, round == 0 ? 1 : 0);
        assert_int_equal(s.taken, round == 0 ? 1 : 0);
        assert_int_equal(s.quarantined, 0);
        assert_int_equal(s.waiting, 1);
        assert_true(exists("drops/shop/orders/b-big.csv"));
        assert_int_equal(count_files("var/archive"), 1);
        assert_int_equal(count_files("var/quarantine"), 0);
    }
    assert_false(exists("drops/shop/orders/a.csv"));
    dg_gw_config_free(cfg);
    /* the default is a limit, not "no limit"; a negative one is refused */
    cfg = load("");
    assert_int_equal(cfg->partners[0].drops[0].max_file_bytes, DG_GW_MAX_FILE_BYTES);
    dg_gw_config_free(cfg);
    char cpath[1024];
    snprintf(cpath, sizeof cpath, "%s/etc/partners/shop.yaml", g_tmp);
    dg_test_write_file(cpath, "name: shop\nrole: storefront\ntransport: {kind: local, root: d}\n"
                              "inbound:\n  - {folder: o, mapping: m.yaml, max_file_bytes: -1}\n");
    snprintf(cpath, sizeof cpath, "%s/etc/dropgate.yaml", g_tmp);
    dg_error err = {0};
    assert_int_not_equal(dg_gw_config_load(cpath, NULL, &cfg, &err), 0);
    assert_non_null(strstr(err.msg, "max_file_bytes"));
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

/* Orders in the store (the poll counters count documents, also those already placed). */
static long stored_orders(dg_gw *g)
{
    dg_stmt *st = NULL;
    assert_int_equal(
        dg_db_prepare(dg_store_db(dg_gw_store(g)), "SELECT count(*) FROM orders", &st, NULL), 0);
    assert_int_equal(dg_stmt_step(st), DG_DB_ROW);
    long n = (long)dg_stmt_int64(st, 0);
    dg_stmt_finalize(st);
    return n;
}

/* The defaults (no stable_seconds, no done-marker, after: delete) with an export appended in
 * place: a look that sees it first never takes it; once it stopped growing for the stable time,
 * the whole file is taken. (Before, the first poll took 3 of 8 rows and deleted the file.) */
static void test_default_waits_for_a_growing_export(void **state)
{
    (void)state;
    dg_gw_config *cfg = load_as_written("");
    assert_int_equal(cfg->partners[0].drops[0].stable_seconds, DG_GW_STABLE_DEFAULT);
    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    append_orders("drops/shop/orders/export.csv", 100, 3);
    assert_int_equal(dg_gw_poll_partner(g, &cfg->partners[0], false, &err), 0);
    assert_int_equal(dg_gw_get_stats(g)->taken, 0);
    assert_int_equal(dg_gw_get_stats(g)->waiting, 1);
    append_orders("drops/shop/orders/export.csv", 103, 5); /* the writer goes on */
    assert_int_equal(dg_gw_poll_partner(g, &cfg->partners[0], false, &err), 0);
    assert_int_equal(dg_gw_get_stats(g)->taken, 0);
    assert_true(exists("drops/shop/orders/export.csv"));
    /* The writer is done: the next look after the stable time takes all 8 orders. */
    assert_int_equal(dg_gw_poll_partner(g, &cfg->partners[0], true, &err), 0);
    assert_int_equal(dg_gw_get_stats(g)->processed, 1);
    assert_int_equal(stored_orders(g), 8);
    assert_false(exists("drops/shop/orders/export.csv"));
    dg_gw_close(g);
    dg_gw_config_free(cfg);

    /* A done-marker is the writer's word: no stable wait by default then. */
    cfg = load_as_written("    done_marker: .done\n");
    assert_int_equal(cfg->partners[0].drops[0].stable_seconds, 0);
    dg_gw_config_free(cfg);
}

/* The writer appends after the fetch (its pause outlasted the stable check): the file is not
 * deleted or moved while it holds more than was processed. It stays in the drop and its new
 * version is taken by the next poll, so every row becomes an order (the first ones once). */
typedef struct grow_ctx {
    const char *rel;
    int first, n, times;
} grow_ctx;

static void grow_after_fetch(const char *point, void *v)
{
    grow_ctx *c = v;
    if (strcmp(point, "fetched") || c->times == 0)
        return;
    c->times--;
    append_orders(c->rel, c->first, c->n);
    /* An mtime of another second, as a writer seconds later would leave. */
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", g_tmp, c->rel);
    struct utimbuf t = {time(NULL) + 5, time(NULL) + 5};
    utime(path, &t);
}

static void check_changed_after_fetch(const char *drop_yaml, bool second_look, const char *moved)
{
    dg_gw_config *cfg = load_as_written(drop_yaml);
    append_orders("drops/shop/orders/export.csv", 200, 3);
    grow_ctx c = {"drops/shop/orders/export.csv", 203, 5, 1};
    dg_gw_test_hook = grow_after_fetch;
    dg_gw_test_hook_ctx = &c;
    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    assert_int_equal(dg_gw_poll_partner(g, &cfg->partners[0], second_look, &err), 0);
    dg_gw_test_hook = NULL;
    assert_int_equal(c.times, 0); /* the writer did append after the fetch */
    assert_int_equal(stored_orders(g), 3);
    /* Left where it was, with every row. */
    assert_true(exists("drops/shop/orders/export.csv"));
    if (moved)
        assert_false(exists(moved));
    assert_int_equal(dg_gw_poll_partner(g, &cfg->partners[0], second_look, &err), 0);
    assert_int_equal(stored_orders(g), 8); /* 3 + the 5 appended, none twice */
    assert_false(exists("drops/shop/orders/export.csv"));
    if (moved)
        assert_true(exists(moved));
    dg_gw_close(g);
    dg_gw_config_free(cfg);
}

static void test_changed_after_fetch_is_left(void **state)
{
    (void)state;
    check_changed_after_fetch("", true, NULL); /* the defaults: delete, stable check */
}

static void test_changed_after_fetch_is_not_moved(void **state)
{
    (void)state;
    check_changed_after_fetch("    after: move\n    archive_folder: orders/done\n"
                              "    stable_seconds: 0\n",
                              false, "drops/shop/orders/done/export.csv");
}

/* Processing fails for a reason that is ours (the drop's mapping file is missing; the state
 * store refuses to commit): the file must still be in the drop afterwards, neither deleted nor
 * moved nor quarantined, and is taken once the cause is gone. */
static void test_failed_processing_leaves_the_file(void **state)
{
    (void)state;
    char path[1024], text[1024];
    dg_gw_config *cfg = load("");
    snprintf(path, sizeof path, "%s/etc/partners/shop.yaml", g_tmp);
    char *yaml = dg_test_read_file(path, NULL);
    assert_non_null(yaml);
    dg_gw_config_free(cfg);
    /* The mapping path points nowhere. */
    char *m = strstr(yaml, "mapping: ");
    assert_non_null(m);
    snprintf(text, sizeof text, "%.*smapping: %s/mappings/missing.yaml\n    stable_seconds: 0\n",
             (int)(m - yaml), yaml, g_tmp);
    dg_test_write_file(path, text);
    free(yaml);
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", g_tmp);
    dg_error err = {0};
    assert_int_equal(dg_gw_config_load(path, NULL, &cfg, &err), 0);
    write_order("drops/shop/orders/a.csv", "60");
    dg_gw *g = NULL;
    assert_int_equal(dg_gw_open(cfg, &g, &err), 0);
    assert_int_not_equal(dg_gw_poll_partner(g, &cfg->partners[0], false, &err), 0);
    assert_int_equal(dg_gw_get_stats(g)->orders, 0);
    assert_int_equal(dg_gw_get_stats(g)->quarantined, 0);
    dg_gw_close(g);
    dg_gw_config_free(cfg);
    assert_true(exists("drops/shop/orders/a.csv"));
    assert_int_equal(count_files("var/quarantine"), 0);

    /* The store refuses to commit (a full disk): still in the drop. */
    cfg = load("");
    assert_int_equal(dg_gw_open(cfg, &g, &err), 0);
    dg_store_debug_fail_commits(dg_gw_store(g), 0);
    assert_int_equal(dg_gw_poll_partner(g, &cfg->partners[0], false, &err), DG_ESTATE);
    assert_non_null(strstr(err.msg, "full"));
    assert_true(exists("drops/shop/orders/a.csv"));
    /* The store is back: the file is taken, once. */
    dg_store_debug_fail_commits(dg_gw_store(g), -1);
    assert_int_equal(dg_gw_poll_partner(g, &cfg->partners[0], false, &err), 0);
    assert_int_equal(dg_gw_get_stats(g)->orders, 1);
    assert_false(exists("drops/shop/orders/a.csv"));
    dg_gw_close(g);
    dg_gw_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_max_files_and_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spool_leftovers_swept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_move_and_leave_duplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leave_known_version_not_fetched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_markers_and_growing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_file_quarantined_rest_goes_on, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redo_after_interrupted_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_waits_for_a_growing_export, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_after_fetch_is_left, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed_after_fetch_is_not_moved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_processing_leaves_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_large_left_in_drop, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
