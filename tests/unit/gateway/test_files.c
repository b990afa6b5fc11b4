/* Local archive (content-addressed) and quarantine (file + reason beside it), and the store
 * lock that keeps a second daemon off the same state. */
#include "testutil.h"

#include <string.h>
#include <unistd.h>

#include "core/fs.h"
#include "gateway/gateway.h"

static void test_archive_and_quarantine(void **state)
{
    (void)state;
    char *tmp = dg_test_tmpdir("gw_files");
    char in[1024], arch[1024], quar[1024];
    snprintf(in, sizeof in, "%s/in.edi", tmp);
    snprintf(arch, sizeof arch, "%s/archive", tmp);
    snprintf(quar, sizeof quar, "%s/quarantine", tmp);
    dg_test_write_file(in, "ISA*broken");
    dg_gw_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.archive_dir = arch;
    cfg.quarantine_dir = quar;
    char sha[DG_SHA256_HEX_LEN];
    dg_error err = {0};
    assert_int_equal(dg_sha256_file(in, sha, &err), 0);
    assert_int_equal(dg_gw_archive(&cfg, in, sha, &err), 0);
    assert_int_equal(dg_gw_archive(&cfg, in, sha, &err), 0); /* twice: no error, one copy */
    char path[1200];
    snprintf(path, sizeof path, "%s/%.2s/%s", arch, sha, sha);
    char *kept = dg_test_read_file(path, NULL);
    assert_non_null(kept);
    assert_string_equal(kept, "ISA*broken");
    free(kept);

    char where[1200];
    assert_int_equal(dg_gw_quarantine(&cfg, "north/wind", in, "../in.edi",
                                      "in.edi: segment 1: ISA is 10 bytes, expected 106", where,
                                      sizeof where, &err),
                     0);
    assert_non_null(strstr(where, "/quarantine/north_wind/"));
    assert_null(strchr(strstr(where, "north_wind/") + 11, '/')); /* cannot escape the folder */
    char rpath[1300];
    snprintf(rpath, sizeof rpath, "%s.reason.txt", where);
    char *reason = dg_test_read_file(rpath, NULL);
    assert_non_null(reason);
    assert_non_null(strstr(reason, "expected 106"));
    free(reason);
    char *q = dg_test_read_file(where, NULL);
    assert_non_null(q);
    assert_string_equal(q, "ISA*broken");
    free(q);
    dg_test_rmtree(tmp);
    free(tmp);
}

static void test_lock_is_exclusive(void **state)
{
    (void)state;
    char *tmp = dg_test_tmpdir("gw_lock");
    char db[1024];
    snprintf(db, sizeof db, "%s/dropgate.db", tmp);
    dg_error err = {0};
    int fd1 = -1, fd2 = -1;
    assert_int_equal(dg_gw_lock(db, &fd1, &err), 0);
    assert_int_equal(dg_gw_lock(db, &fd2, &err), DG_ELOCKED);
    assert_non_null(strstr(err.msg, "another dropgate instance"));
    dg_gw_unlock(fd1);
    assert_int_equal(dg_gw_lock(db, &fd2, &err), 0);
    dg_gw_unlock(fd2);
    dg_test_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_archive_and_quarantine),
        cmocka_unit_test(test_lock_is_exclusive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
