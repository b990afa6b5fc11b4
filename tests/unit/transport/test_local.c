/* Local-folder transport (the demo's) and the pieces every transport shares: root checks,
 * .part fetch with SHA-256, put via a temporary name, mkdir -p, listing parsers. */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "servers.h"
#include "testutil.h"
#include "transport/transport.h"
#include "transport/transport_internal.h"

static char *g_dir;

static int setup(void **state)
{
    (void)state;
    g_dir = dg_test_tmpdir("local");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
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

/* Entries in dir besides . and .. (hidden temporary names included). */
static int count_entries(const char *dir)
{
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

static dg_transport *open_root(const char *root)
{
    dg_transport_config c = {.kind = "local", .root = root, .timeout_ms = 1000, .retries = 0};
    dg_transport *t = NULL;
    dg_error err = {0};
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    return t;
}

static void test_local_pickup_and_upload(void **state)
{
    (void)state;
    mkdir(at("root"), 0750);
    dg_transport *t = open_root(at("root"));
    assert_non_null(strstr(dg_transport_describe(t), "local:"));
    dg_error err = {0};
    assert_int_equal(dg_transport_mkdir(t, "in/sub/deeper", &err), 0);
    assert_int_equal(dg_transport_mkdir(t, "in/sub/deeper", &err), 0);
    assert_int_equal(dg_test_make_file(at("root/in/a.csv"), 3000000, 5), 0);
    dg_test_write_file(at("root/in/b.csv"), "x,y\n");
    dg_remote_file *files = NULL;
    size_t n = 0;
    assert_int_equal(dg_transport_list(t, "in", &files, &n, &err), 0);
    assert_int_equal(n, 3);
    int dirs = 0;
    for (size_t i = 0; i < n; i++) {
        dirs += files[i].is_dir;
        if (!strcmp(files[i].name, "a.csv"))
            assert_int_equal(files[i].size, 3000000);
    }
    assert_int_equal(dirs, 1);
    free(files);

    char sha[DG_SHA256_HEX_LEN], want[DG_SHA256_HEX_LEN];
    uint64_t bytes = 0;
    assert_int_equal(dg_transport_fetch(t, "in/a.csv", at("spool-a.csv"), sha, &bytes, &err), 0);
    assert_int_equal(bytes, 3000000);
    assert_int_equal(dg_sha256_file(at("root/in/a.csv"), want, &err), 0);
    assert_string_equal(sha, want);
    struct stat st;
    assert_int_not_equal(stat(at("spool-a.csv.part"), &st), 0);

    assert_int_equal(dg_transport_put(t, at("spool-a.csv"), "in/sub", "up.csv", &err), 0);
    assert_int_equal(stat(at("root/in/sub/up.csv"), &st), 0);
    assert_int_equal(st.st_size, 3000000);
    assert_int_not_equal(stat(at("root/in/sub/.up.csv.part"), &st), 0);
    assert_int_equal(dg_transport_put(t, at("root/in/b.csv"), "in/sub", "up.csv", &err), 0);
    assert_int_equal(stat(at("root/in/sub/up.csv"), &st), 0);
    assert_int_equal(st.st_size, 4);
    assert_int_equal(dg_transport_put(t, at("root/in/b.csv"), "in", "../evil", &err), DG_EINVAL);
    assert_int_equal(dg_transport_put(t, at("nope"), "in", "x", &err), DG_EIO);

    dg_remote_file rf;
    assert_int_equal(dg_transport_stat(t, "in/b.csv", &rf, &err), 0);
    assert_int_equal(rf.size, 4);
    assert_string_equal(rf.name, "b.csv");
    assert_int_equal(dg_transport_rename(t, "in/b.csv", "in/sub/b.csv", &err), 0);
    assert_int_equal(dg_transport_stat(t, "in/b.csv", &rf, &err), DG_ENOTFOUND);
    assert_int_equal(dg_transport_rename(t, "in/b.csv", "in/sub/c.csv", &err), DG_ENOTFOUND);
    assert_int_equal(dg_transport_remove(t, "in/sub/b.csv", &err), 0);
    assert_int_equal(dg_transport_remove(t, "in/sub/b.csv", &err), DG_ENOTFOUND);
    assert_int_equal(dg_transport_fetch(t, "in/none", at("none"), sha, &bytes, &err), DG_ENOTFOUND);
    assert_int_not_equal(stat(at("none"), &st), 0);
    assert_int_not_equal(stat(at("none.part"), &st), 0);
    assert_int_equal(dg_transport_list(t, "missing", &files, &n, &err), DG_ENOTFOUND);
    dg_transport_close(t);
}

/* fetch_no_sync: same file, same hash, same .part discipline, only without the fsyncs. */
static void test_fetch_no_sync(void **state)
{
    (void)state;
    mkdir(at("ns"), 0750);
    assert_int_equal(dg_test_make_file(at("ns/f.bin"), 70000, 11), 0);
    dg_transport_config c = {
        .kind = "local", .root = at("ns"), .timeout_ms = 1000, .fetch_no_sync = true};
    dg_transport *t = NULL;
    dg_error err = {0};
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    char sha[DG_SHA256_HEX_LEN], want[DG_SHA256_HEX_LEN];
    uint64_t bytes = 0;
    assert_int_equal(dg_transport_fetch(t, "f.bin", at("ns-f.bin"), sha, &bytes, &err), 0);
    assert_int_equal(bytes, 70000);
    assert_int_equal(dg_sha256_file(at("ns-f.bin"), want, &err), 0);
    assert_string_equal(sha, want);
    struct stat st;
    assert_int_not_equal(stat(at("ns-f.bin.part"), &st), 0);
    dg_transport_close(t);
}

/* max_bytes is enforced while the file streams (the listing may be wrong, the file may grow):
 * one byte over is refused with the limit named, and nothing is left under either name. */
static void test_fetch_max_bytes(void **state)
{
    (void)state;
    mkdir(at("mx"), 0750);
    assert_int_equal(dg_test_make_file(at("mx/big.csv"), 200001, 3), 0);
    dg_transport *t = open_root(at("mx"));
    char sha[DG_SHA256_HEX_LEN];
    uint64_t bytes = 0;
    dg_error err = {0};
    struct stat st;
    assert_int_equal(
        dg_transport_fetch_max(t, "big.csv", at("mx-big.csv"), 200000, sha, &bytes, &err),
        DG_EVALID);
    assert_non_null(strstr(err.msg, "max_file_bytes (200000 bytes)"));
    assert_non_null(strstr(err.msg, "big.csv"));
    assert_int_not_equal(stat(at("mx-big.csv"), &st), 0);
    assert_int_not_equal(stat(at("mx-big.csv.part"), &st), 0);
    assert_int_equal(
        dg_transport_fetch_max(t, "big.csv", at("mx-big.csv"), 200001, sha, &bytes, &err), 0);
    assert_int_equal(bytes, 200001);
    dg_transport_close(t);
}

static void test_paths_stay_under_root(void **state)
{
    (void)state;
    mkdir(at("jail"), 0750);
    dg_test_write_file(at("secret.txt"), "outside");
    dg_transport *t = open_root(at("jail"));
    dg_error err = {0};
    dg_remote_file *files = NULL;
    size_t n = 0;
    char sha[DG_SHA256_HEX_LEN];
    uint64_t bytes;
    assert_int_equal(dg_transport_list(t, "..", &files, &n, &err), DG_EINVAL);
    assert_non_null(strstr(err.msg, "leaves the transport root"));
    assert_int_equal(dg_transport_fetch(t, "../secret.txt", at("x"), sha, &bytes, &err), DG_EINVAL);
    assert_int_equal(dg_transport_fetch(t, "a/../../secret.txt", at("x"), sha, &bytes, &err),
                     DG_EINVAL);
    assert_int_equal(dg_transport_rename(t, "x", "../y", &err), DG_EINVAL);
    assert_int_equal(dg_transport_mkdir(t, "a/../../b", &err), DG_EINVAL);
    assert_int_equal(dg_transport_remove(t, "x\r\nDELE y", &err), DG_EINVAL);
    assert_int_equal(dg_transport_put(t, at("secret.txt"), ".", "a\nb", &err), DG_EINVAL);
    /* A leading slash is still inside the root; names with dots are fine. */
    dg_test_write_file(at("jail/..data..txt"), "ok");
    assert_int_equal(dg_transport_fetch(t, "/..data..txt", at("y"), sha, &bytes, &err), 0);
    assert_int_equal(bytes, 2);
    dg_transport_close(t);
}

static void test_open_errors(void **state)
{
    (void)state;
    dg_transport *t = NULL;
    dg_error err = {0};
    dg_transport_config c = {.kind = "gopher"};
    assert_int_equal(dg_transport_open(&c, &t, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "gopher"));
    c = (dg_transport_config){.kind = "sftp"};
    assert_int_equal(dg_transport_open(&c, &t, &err), DG_ECONFIG);
    c = (dg_transport_config){.kind = "local"};
    assert_int_equal(dg_transport_open(&c, &t, &err), DG_ECONFIG);
    /* Nothing listens on a fresh free port: a network error, retried then given up, logged. */
    c = (dg_transport_config){.kind = "sftp",
                              .host = "127.0.0.1",
                              .port = dg_test_free_port(),
                              .user = "u",
                              .password = "S3cr3t-x",
                              .known_hosts = "/nonexistent",
                              .strict_host_key = true,
                              .timeout_ms = 1000,
                              .retries = 2,
                              .backoff_ms = 10};
    dg_test_capture_begin();
    int rc = dg_transport_open(&c, &t, &err);
    char *log = dg_test_capture_end();
    assert_int_equal(rc, DG_ENET);
    assert_null(t);
    assert_non_null(strstr(log, "outcome=retry attempt=1/3"));
    assert_non_null(strstr(log, "outcome=retry attempt=2/3"));
    assert_non_null(strstr(log, "outcome=gave-up"));
    assert_null(strstr(log, "S3cr3t-x"));
    free(log);
    c.kind = "ftp";
    c.retries = 0;
    assert_int_equal(dg_transport_open(&c, &t, &err), DG_ENET);
    assert_null(strstr(err.msg, "S3cr3t-x"));
}

static void test_ls_parser(void **state)
{
    (void)state;
    dg_remote_file f;
    int64_t now = 1764072000; /* 2025-11-25 12:00:00 UTC */
    assert_true(tr_parse_ls_line(
        "-rw-r--r--    1 1001     1001         5000 Nov 25 11:58 asn 1.edi", now, &f));
    assert_string_equal(f.name, "asn 1.edi");
    assert_int_equal(f.size, 5000);
    assert_false(f.is_dir);
    assert_int_equal(f.mtime, 1764071880);
    /* A date "ahead" of now with a time is last year's. */
    assert_true(tr_parse_ls_line("-rw-r--r-- 1 ftp ftp 1 Dec 31 23:00 x", now, &f));
    assert_int_equal(f.mtime, 1735686000); /* 2024-12-31 23:00 */
    assert_true(tr_parse_ls_line("drwxr-xr-x    2 0 0 4096 Nov 14  2023 archive", now, &f));
    assert_true(f.is_dir);
    assert_int_equal(f.mtime, 1699920000);
    assert_true(tr_parse_ls_line("lrwxrwxrwx 1 u g 7 Jan  2  2024 link -> target", now, &f));
    assert_string_equal(f.name, "link");
    assert_false(tr_parse_ls_line("total 12", now, &f));
    assert_false(tr_parse_ls_line("drwxr-xr-x 2 0 0 4096 Nov 14  2023 .", now, &f));
    assert_false(tr_parse_ls_line("-rw-r--r-- 1 u g notanumber Nov 14 2023 x", now, &f));
    assert_false(tr_parse_ls_line("-rw-r--r-- 1 u g 12 Foo 14 2023 x", now, &f));
    assert_false(tr_parse_ls_line("", now, &f));
}

static void test_mlsd_parser(void **state)
{
    (void)state;
    dg_remote_file f;
    assert_true(
        tr_parse_mlsd_line("type=file;size=5000;modify=20251125115800;perm=r; a b.edi", &f));
    assert_string_equal(f.name, "a b.edi");
    assert_int_equal(f.size, 5000);
    assert_int_equal(f.mtime, 1764071880);
    assert_false(f.is_dir);
    assert_true(tr_parse_mlsd_line("Type=dir;Modify=20231114221320.123; archive\r", &f));
    assert_true(f.is_dir);
    assert_string_equal(f.name, "archive");
    assert_int_equal(f.mtime, 1700000000);
    assert_false(tr_parse_mlsd_line("type=cdir;modify=20231114221320; /x", &f));
    assert_false(tr_parse_mlsd_line("type=pdir; ..", &f));
    assert_false(tr_parse_mlsd_line("size=1; nofacttype", &f));
    assert_false(tr_parse_mlsd_line("garbage", &f));
}

static void test_fingerprint_base64(void **state)
{
    (void)state;
    char out[64];
    tr_base64_nopad((const unsigned char *)"foobar", 6, out, sizeof out);
    assert_string_equal(out, "Zm9vYmFy");
    tr_base64_nopad((const unsigned char *)"fooba", 5, out, sizeof out);
    assert_string_equal(out, "Zm9vYmE");
    tr_base64_nopad((const unsigned char *)"f", 1, out, sizeof out);
    assert_string_equal(out, "Zg");
    unsigned char h[32];
    memset(h, 0xff, sizeof h);
    tr_base64_nopad(h, 32, out, sizeof out);
    assert_int_equal(strlen(out), 43); /* as OpenSSH prints SHA256 fingerprints */
}

/* Uploads big.bin as po/PO_big.edi in a child process whose file-size limit stops the write
 * after 1 MiB: with die, the child is killed there (SIGXFSZ: a crash mid-upload, nothing cleaned
 * up), else write() fails with EFBIG (a full disk). Returns the child's wait status. */
static int put_cut_off(dg_transport *t, bool die)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit lim = {1u << 20, 1u << 20};
        if (!die)
            signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &lim);
        dg_error err = {0};
        int rc = dg_transport_put(t, at("big.bin"), "po", "PO_big.edi", &err);
        _exit(rc == 0 ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* An upload cut off half way leaves nothing under the final name: a partner never reads half a
 * PO. A failed write also leaves no temporary file; a crash leaves at most its hidden temporary
 * name, which the retry replaces. */
static void test_interrupted_upload_leaves_no_final_name(void **state)
{
    (void)state;
    mkdir(at("uproot"), 0750);
    assert_int_equal(dg_test_make_file(at("big.bin"), 4u << 20, 3), 0);
    dg_transport *t = open_root(at("uproot"));
    dg_error err = {0};
    assert_int_equal(dg_transport_mkdir(t, "po", &err), 0);
    struct stat st;
    int status = put_cut_off(t, false);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1); /* the upload did fail half way */
    assert_int_not_equal(stat(at("uproot/po/PO_big.edi"), &st), 0);
    assert_int_equal(count_entries(at("uproot/po")), 0);
    status = put_cut_off(t, true);
    assert_true(WIFSIGNALED(status)); /* killed mid-write */
    assert_int_equal(WTERMSIG(status), SIGXFSZ);
    assert_int_not_equal(stat(at("uproot/po/PO_big.edi"), &st), 0);
    /* The retry gives the whole file under its name, and no temporary file is left. */
    assert_int_equal(dg_transport_put(t, at("big.bin"), "po", "PO_big.edi", &err), 0);
    assert_int_equal(stat(at("uproot/po/PO_big.edi"), &st), 0);
    assert_int_equal(st.st_size, 4 << 20);
    assert_int_equal(count_entries(at("uproot/po")), 1);
    dg_transport_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_pickup_and_upload),
        cmocka_unit_test(test_fetch_no_sync),
        cmocka_unit_test(test_fetch_max_bytes),
        cmocka_unit_test(test_paths_stay_under_root),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_ls_parser),
        cmocka_unit_test(test_mlsd_parser),
        cmocka_unit_test(test_fingerprint_base64),
        cmocka_unit_test(test_interrupted_upload_leaves_no_final_name),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
