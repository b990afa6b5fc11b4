/* The storefront status feed over the demo's folders with the real store and flow: each status
 * change arrives in the storefront's status folder once, counted where it arrives, also when
 * the process dies (as kill -9) between writing a status batch and committing it, or between
 * its upload and its sent mark (then the same file, same name and bytes, arrives again). */
#include "gwtest.h"

#include <glob.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/fs.h"
#include "gateway/gateway.h"
#include "store/store.h"

static int count_glob(const char *rel)
{
    glob_t gl;
    int n = glob(at(rel), 0, NULL, &gl) == 0 ? (int)gl.gl_pathc : 0;
    globfree(&gl);
    return n;
}

/* ---- the storefront, consuming its status folder -------------------------------------------
 * Each arriving file is moved out at once; a second delivery of a name is counted, and the
 * update ids are counted once per distinct file, so an update carried by two files shows. */
enum { MAX_FILES = 64, MAX_UPDATES = 512 };

typedef struct feed {
    char names[MAX_FILES][128];
    char sha[MAX_FILES][DG_SHA256_HEX_LEN];
    size_t n_files;
    int deliveries, same_again, other_again;
    long ids[MAX_UPDATES];
    int times[MAX_UPDATES]; /* in how many distinct files update ids[i] arrived */
    size_t n_ids;
} feed;

static void count_ids(feed *f, const char *path)
{
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    char line[4096];
    long last = -1;
    bool header = true;
    while (fgets(line, sizeof line, in)) {
        if (header) {
            header = false;
            continue;
        }
        long id = strtol(line, NULL, 10); /* "Update id" is the first column */
        assert_true(id > 0);
        if (id == last) /* the next line of the same update */
            continue;
        last = id;
        size_t i = 0;
        while (i < f->n_ids && f->ids[i] != id)
            i++;
        if (i == f->n_ids) {
            assert_true(f->n_ids < MAX_UPDATES);
            f->ids[f->n_ids++] = id;
        }
        f->times[i]++;
    }
    fclose(in);
}

static void consume(feed *f)
{
    glob_t gl;
    if (glob(at("drops/shopfront/status/*"), 0, NULL, &gl) != 0)
        return;
    for (size_t k = 0; k < gl.gl_pathc; k++) {
        const char *path = gl.gl_pathv[k], *name = strrchr(path, '/') + 1;
        char sha[DG_SHA256_HEX_LEN];
        dg_error err = {0};
        if (dg_sha256_file(path, sha, &err))
            fail_msg("%s", err.msg);
        f->deliveries++;
        size_t i = 0;
        while (i < f->n_files && strcmp(f->names[i], name))
            i++;
        if (i < f->n_files) {
            f->same_again += !strcmp(f->sha[i], sha);
            f->other_again += strcmp(f->sha[i], sha) != 0;
        } else {
            assert_true(f->n_files < MAX_FILES);
            snprintf(f->names[i], sizeof f->names[i], "%s", name);
            snprintf(f->sha[i], sizeof f->sha[i], "%s", sha);
            f->n_files++;
            count_ids(f, path);
        }
        assert_int_equal(unlink(path), 0);
    }
    globfree(&gl);
}

/* Every status change arrived in exactly one file, and the store says so. */
static void assert_each_once(dg_gw *g, const feed *f)
{
    int64_t pending = -1, queued = -1, sent = -1;
    dg_error err = {0};
    assert_int_equal(
        dg_store_status_feed_counts(dg_gw_store(g), "shopfront", &pending, &queued, &sent, &err),
        0);
    assert_int_equal(pending + queued, 0);
    assert_true(sent >= 10);
    assert_int_equal((int64_t)f->n_ids, sent);
    for (size_t i = 0; i < f->n_ids; i++)
        if (f->times[i] != 1)
            fail_msg("update %ld arrived in %d files", f->ids[i], f->times[i]);
    assert_int_equal(f->other_again, 0); /* never other bytes under a name */
}

/* kill -9 at a point: "staged" while a status batch is written, not committed; "uploaded"
 * once a status file is at the storefront, not yet marked sent. */
static const char *g_die_at;
static void die(const char *point, void *ctx)
{
    (void)ctx;
    if (!strcmp(g_die_at, "staged") && !strcmp(point, "staged") &&
        count_glob("var/outbox/shopfront/STATUS_*.tmp.*") > 0)
        _exit(9);
    if (!strcmp(g_die_at, "uploaded") && !strcmp(point, "uploaded") &&
        count_glob("drops/shopfront/status/STATUS_*") > 0)
        _exit(9);
}

static void crash_then_restart(const char *where, int want_same_again)
{
    dg_gw_config *cfg = gw_demo_setup("gw_status_crash");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dg_gw *g = NULL;
        dg_error err = {0};
        if (dg_gw_open(cfg, &g, &err))
            _exit(2);
        g_die_at = where;
        dg_gw_test_hook = die;
        dg_gw_cycle(g, NULL, false, &err);
        _exit(0); /* not reached: the demo's orders make a status batch */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 9); /* it did die in the window */
    feed f;
    memset(&f, 0, sizeof f);
    consume(&f);
    /* staged: nothing reached the storefront; uploaded: the one file in flight did */
    assert_int_equal(f.deliveries, !strcmp(where, "uploaded") ? 1 : 0);

    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(dg_gw_cycle(g, NULL, false, &err), 0);
        consume(&f);
    }
    assert_each_once(g, &f);
    assert_int_equal(f.same_again, want_same_again);
    assert_int_equal(f.deliveries, (int)f.n_files + want_same_again);
    /* a cycle with nothing new sends nothing */
    assert_int_equal(dg_gw_cycle(g, NULL, false, &err), 0);
    consume(&f);
    assert_int_equal(f.deliveries, (int)f.n_files + want_same_again);
    dg_gw_close(g);
    gw_demo_teardown(cfg);
}

/* Killed after the batch file was written and synced, before its commit: the rows are still
 * PENDING, nothing is at the storefront; after the restart each update arrives once. */
static void test_crash_between_write_and_commit(void **state)
{
    (void)state;
    crash_then_restart("staged", 0);
}

/* Killed after the status file's upload, before its sent mark: the same file (name and bytes)
 * is uploaded again, once; no update arrives in two different files. */
static void test_crash_between_upload_and_mark(void **state)
{
    (void)state;
    crash_then_restart("uploaded", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_between_write_and_commit),
        cmocka_unit_test(test_crash_between_upload_and_mark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
