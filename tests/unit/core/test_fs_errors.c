/* File-system helpers under failing close() and directory fsync (audit L1): a write that the
 * kernel reports as failed at close (NFS, quotas) or a folder that cannot be synced is an error,
 * never a silent success; a new folder's parent is synced. fsync and close are interposed here. */
#define _GNU_SOURCE
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/fs.h"

static int fail_dir_fsync;  /* fsync of any folder fails with EIO */
static int fail_file_close; /* close of the next regular file that was fsynced fails with EIO */
static int dir_fsyncs;      /* folders fsynced */
static int watch_fd = -1;

int fsync(int fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            dir_fsyncs++;
            if (fail_dir_fsync) {
                errno = EIO;
                return -1;
            }
        } else if (S_ISREG(st.st_mode) && fail_file_close) {
            watch_fd = fd;
        }
    }
    return (int)syscall(SYS_fsync, fd);
}

int close(int fd)
{
    int rc = (int)syscall(SYS_close, fd);
    if (fd == watch_fd && rc == 0) {
        watch_fd = -1;
        fail_file_close = 0;
        errno = EIO;
        return -1;
    }
    return rc;
}

static char *g_dir;

static int setup(void **state)
{
    (void)state;
    g_dir = dg_test_tmpdir("fs-errors");
    fail_dir_fsync = fail_file_close = dir_fsyncs = 0;
    watch_fd = -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fail_dir_fsync = fail_file_close = 0;
    dg_test_rmtree(g_dir);
    free(g_dir);
    return 0;
}

static const char *at(const char *rel)
{
    static char b[4][2048];
    static int i;
    char *p = b[i++ & 3];
    snprintf(p, 2048, "%s/%s", g_dir, rel);
    return p;
}

static int entries(void)
{
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", g_dir);
    FILE *f = popen(cmd, "r");
    int n = -1;
    assert_int_equal(fscanf(f, "%d", &n), 1);
    pclose(f);
    return n;
}

static void write_atomic_close_failure_is_an_error(void **state)
{
    (void)state;
    dg_error err = {0};
    fail_file_close = 1;
    assert_int_equal(dg_fs_write_atomic(at("a.txt"), "hello", 5, &err), DG_EIO);
    assert_non_null(strstr(err.msg, "cannot write"));
    assert_false(dg_fs_exists(at("a.txt")));
    assert_int_equal(entries(), 0); /* no temporary left behind */
    assert_int_equal(dg_fs_write_atomic(at("a.txt"), "hello", 5, &err), 0);
    assert_true(dg_fs_exists(at("a.txt")));
}

static void copy_atomic_close_failure_is_an_error(void **state)
{
    (void)state;
    dg_error err = {0};
    assert_int_equal(dg_fs_write_atomic(at("src.txt"), "data", 4, &err), 0);
    fail_file_close = 1;
    assert_int_equal(dg_fs_copy_atomic(at("src.txt"), at("dst.txt"), &err), DG_EIO);
    assert_false(dg_fs_exists(at("dst.txt")));
    assert_int_equal(entries(), 1);
}

static void folder_sync_failure_is_an_error(void **state)
{
    (void)state;
    dg_error err = {0};
    fail_dir_fsync = 1;
    assert_int_equal(dg_fs_write_atomic(at("b.txt"), "x", 1, &err), DG_EIO);
    assert_non_null(strstr(err.msg, "cannot sync folder"));
    fail_dir_fsync = 0;
}

static void new_folder_syncs_its_parent(void **state)
{
    (void)state;
    dg_error err = {0};
    dir_fsyncs = 0;
    assert_int_equal(dg_fs_mkdirs(at("n1/n2"), &err), 0);
    assert_int_equal(dir_fsyncs, 2); /* g_dir for n1, n1 for n2 */
    dir_fsyncs = 0;
    assert_int_equal(dg_fs_mkdirs(at("n1/n2"), &err), 0); /* nothing new: nothing to sync */
    assert_int_equal(dir_fsyncs, 0);
    fail_dir_fsync = 1;
    assert_int_equal(dg_fs_mkdirs(at("n1/n3"), &err), DG_EIO);
    fail_dir_fsync = 0;
    /* a file in the way says so (was "File exists") */
    assert_int_equal(dg_fs_write_atomic(at("file"), "x", 1, &err), 0);
    assert_int_equal(dg_fs_mkdirs(at("file/sub"), &err), DG_EIO);
    assert_non_null(strstr(err.msg, "a file of that name is in the way"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(write_atomic_close_failure_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(copy_atomic_close_failure_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(folder_sync_failure_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(new_folder_syncs_its_parent, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
