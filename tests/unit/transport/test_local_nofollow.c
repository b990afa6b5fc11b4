/* Local transport and special files (audit M3): a symlink in a drop is not followed (it could
 * hand over /etc/passwd) and a FIFO never blocks the poll; only regular files are taken. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "transport/transport.h"

static void symlinks_and_fifos_not_listed_nor_fetched(void **state)
{
    (void)state;
    char *dir = dg_test_tmpdir("local-nofollow");
    char p[2048], q[2048];
    snprintf(p, sizeof p, "%s/in", dir);
    assert_int_equal(mkdir(p, 0750), 0);
    snprintf(p, sizeof p, "%s/in/ok.csv", dir);
    dg_test_write_file(p, "a,b\n");
    snprintf(p, sizeof p, "%s/secret.txt", dir);
    dg_test_write_file(p, "top secret\n");
    snprintf(q, sizeof q, "%s/in/leak.csv", dir);
    assert_int_equal(symlink(p, q), 0);
    snprintf(q, sizeof q, "%s/in/pipe.csv", dir);
    assert_int_equal(mkfifo(q, 0600), 0);
    snprintf(q, sizeof q, "%s/in/linkdir", dir);
    assert_int_equal(symlink(dir, q), 0);

    dg_transport_config c = {.kind = "local", .root = dir, .timeout_ms = 1000, .retries = 0};
    dg_transport *t = NULL;
    dg_error err = {0};
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    dg_remote_file *files = NULL;
    size_t n = 0;
    assert_int_equal(dg_transport_list(t, "in", &files, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(files[0].name, "ok.csv");
    free(files);

    char out[2048], sha[DG_SHA256_HEX_LEN];
    uint64_t bytes = 0;
    snprintf(out, sizeof out, "%s/fetched", dir);
    assert_int_equal(dg_transport_fetch(t, "in/ok.csv", out, sha, &bytes, &err), 0);
    assert_int_equal(bytes, 4);
    /* a symlink (put there after the listing): refused, not followed, not fatal for the poll */
    int rc = dg_transport_fetch(t, "in/leak.csv", out, sha, &bytes, &err);
    assert_int_equal(rc, DG_EINVAL);
    assert_non_null(strstr(err.msg, "symbolic link"));
    /* a FIFO with no writer: returns at once instead of blocking */
    time_t t0 = time(NULL);
    rc = dg_transport_fetch(t, "in/pipe.csv", out, sha, &bytes, &err);
    assert_int_equal(rc, DG_EINVAL);
    assert_non_null(strstr(err.msg, "not a regular file"));
    assert_true(time(NULL) - t0 < 5);
    dg_transport_close(t);
    dg_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(symlinks_and_fifos_not_listed_nor_fetched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
