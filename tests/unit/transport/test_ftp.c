/* FTP and FTPS transport against a real vsftpd started by the test harness: pickup and upload,
 * certificate checks, wrong password, LIST parsing, stat via MDTM/SIZE, a server killed
 * mid-transfer, a server quick to answer EPSV. */
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "servers.h"
#include "testutil.h"
#include "transport/transport.h"

static dg_test_ftpd g_srv; /* TLS offered, not required */
static dg_test_ftpd g_tls; /* TLS required for logins and data */
static bool g_up, g_tls_up;
static char *g_tmp;

static int setup(void **state)
{
    (void)state;
    if (dg_test_ftpd_start(&g_srv)) {
        fprintf(stderr, "SKIP: vsftpd: %s\n", g_srv.why);
        return 0;
    }
    g_up = true;
    g_tls.force_tls = true;
    g_tls_up = dg_test_ftpd_start(&g_tls) == 0;
    if (!g_tls_up)
        fprintf(stderr, "SKIP (TLS-only server): %s\n", g_tls.why);
    g_tmp = dg_test_tmpdir("ftp");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (g_up)
        dg_test_ftpd_stop(&g_srv);
    if (g_tls_up)
        dg_test_ftpd_stop(&g_tls);
    if (g_tmp) {
        dg_test_rmtree(g_tmp);
        free(g_tmp);
    }
    return 0;
}

#define NEED_SERVER()                                                                              \
    do {                                                                                           \
        if (!g_up)                                                                                 \
            skip();                                                                                \
    } while (0)

static dg_transport_config cfg_for(const dg_test_ftpd *s, const char *kind)
{
    dg_transport_config c = {
        .kind = kind,
        .host = "127.0.0.1",
        .port = s->port,
        .user = s->acct.user,
        .password = s->acct.password,
        .strict_host_key = true,
        .verify_tls = true,
        .ca_file = s->cert_file,
        .timeout_ms = 20000, /* a TLS handshake on a 2-core machine under load took over 5 s */
        .retries = 0,
        .backoff_ms = 100,
        .keepalive_s = 30};
    return c;
}

static const char *srv_path(const dg_test_ftpd *s, const char *rel)
{
    static char b[2][2048];
    static int i;
    char *p = b[i++ & 1];
    snprintf(p, 2048, "%s/%s", s->root, rel);
    return p;
}

static const char *tmp_path(const char *rel)
{
    static char b[4][2048];
    static int i;
    char *p = b[i++ & 3];
    snprintf(p, 2048, "%s/%s", g_tmp, rel);
    return p;
}

/* Logins vsftpd has logged so far: one per control connection. */
static int logins(const dg_test_ftpd *s)
{
    char *text = dg_test_read_file(s->xfer_log, NULL);
    int n = 0;
    for (const char *p = text; p && (p = strstr(p, "OK LOGIN")); p++)
        n++;
    free(text);
    return n;
}

/* The whole pickup/upload cycle over one connection of the given kind. */
static void roundtrip(const dg_test_ftpd *s, const char *kind, const char *dir)
{
    int logins_before = logins(s);
    dg_transport_config c = cfg_for(s, kind);
    dg_transport *t = NULL;
    dg_error err = {0};
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    char sub[256];
    snprintf(sub, sizeof sub, "%s/out/deep", dir);
    assert_int_equal(dg_transport_mkdir(t, sub, &err), 0);
    assert_int_equal(dg_transport_mkdir(t, sub, &err), 0); /* exists: fine */
    assert_int_equal(dg_test_make_file(tmp_path("po.edi"), 100000, 1), 0);
    assert_int_equal(dg_transport_put(t, tmp_path("po.edi"), sub, "po 1.edi", &err), 0);
    char rel[512];
    snprintf(rel, sizeof rel, "%s/po 1.edi", sub);
    struct stat st;
    assert_int_equal(stat(srv_path(s, rel), &st), 0);
    assert_int_equal(st.st_size, 100000);
    snprintf(rel, sizeof rel, "%s/.po 1.edi.part", sub);
    assert_int_not_equal(stat(srv_path(s, rel), &st), 0);
    /* Replacing an existing file (a retried delivery). */
    assert_int_equal(dg_test_make_file(tmp_path("po2.edi"), 777, 2), 0);
    assert_int_equal(dg_transport_put(t, tmp_path("po2.edi"), sub, "po 1.edi", &err), 0);
    snprintf(rel, sizeof rel, "%s/po 1.edi", sub);
    assert_int_equal(stat(srv_path(s, rel), &st), 0);
    assert_int_equal(st.st_size, 777);

    /* Pickup. Files written by the test are root's: give them to the FTP login. */
    char in[256], file[300], done[300];
    snprintf(in, sizeof in, "%s/in", dir);
    snprintf(file, sizeof file, "%s/in/asn 1.edi", dir);
    assert_int_equal(dg_transport_mkdir(t, in, &err), 0);
    assert_int_equal(dg_test_make_file(srv_path(s, file), 5000, 3), 0);
    dg_test_server_chown(&s->acct, srv_path(s, in));
    dg_remote_file *files = NULL;
    size_t n = 0;
    assert_int_equal(dg_transport_list(t, dir, &files, &n, &err), 0);
    assert_int_equal(n, 2); /* out/ and in/ */
    for (size_t i = 0; i < n; i++)
        assert_true(files[i].is_dir);
    free(files);
    assert_int_equal(dg_transport_list(t, in, &files, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(files[0].name, "asn 1.edi");
    assert_false(files[0].is_dir);
    assert_int_equal(files[0].size, 5000);
    assert_true(llabs(files[0].mtime - (int64_t)time(NULL)) < 120); /* LIST: minute precision */
    free(files);
    char sha[DG_SHA256_HEX_LEN], want[DG_SHA256_HEX_LEN];
    uint64_t bytes = 0;
    assert_int_equal(dg_transport_fetch(t, file, tmp_path("asn.edi"), sha, &bytes, &err), 0);
    assert_int_equal(bytes, 5000);
    assert_int_equal(dg_sha256_file(srv_path(s, file), want, &err), 0);
    assert_string_equal(sha, want);
    dg_remote_file rf;
    assert_int_equal(dg_transport_stat(t, file, &rf, &err), 0);
    assert_int_equal(rf.size, 5000);
    assert_int_equal(stat(srv_path(s, file), &st), 0);
    assert_int_equal(rf.mtime, st.st_mtime); /* MDTM: to the second */
    snprintf(done, sizeof done, "%s/in/done/asn 1.edi", dir);
    char done_dir[300];
    snprintf(done_dir, sizeof done_dir, "%s/in/done", dir);
    assert_int_equal(dg_transport_mkdir(t, done_dir, &err), 0);
    assert_int_equal(dg_transport_rename(t, file, done, &err), 0);
    assert_int_equal(dg_transport_stat(t, file, &rf, &err), DG_ENOTFOUND);
    assert_int_equal(dg_transport_rename(t, file, done, &err), DG_ENOTFOUND);
    assert_int_equal(dg_transport_remove(t, done, &err), 0);
    assert_int_equal(dg_transport_remove(t, done, &err), DG_ENOTFOUND);
    assert_int_equal(dg_transport_fetch(t, file, tmp_path("gone"), sha, &bytes, &err),
                     DG_ENOTFOUND);
    assert_int_not_equal(stat(tmp_path("gone"), &st), 0);
    assert_int_not_equal(stat(tmp_path("gone.part"), &st), 0);
    assert_int_equal(dg_transport_list(t, "nope/none", &files, &n, &err), DG_ENOTFOUND);
    assert_int_equal(dg_transport_list(t, "../x", &files, &n, &err), DG_EINVAL);
    dg_transport_close(t);
    /* Everything above went over one reused control connection. */
    assert_int_equal(logins(s), logins_before + 1);
    /* max_file_bytes enforced while streaming: refused with nothing left locally (curl drops
     * the connection of an aborted transfer); the next fetch on the same handle works. */
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    snprintf(rel, sizeof rel, "%s/po 1.edi", sub);
    assert_int_equal(dg_transport_fetch_max(t, rel, tmp_path("big.edi"), 776, sha, &bytes, &err),
                     DG_EVALID);
    assert_non_null(strstr(err.msg, "max_file_bytes (776 bytes)"));
    assert_int_not_equal(stat(tmp_path("big.edi"), &st), 0);
    assert_int_not_equal(stat(tmp_path("big.edi.part"), &st), 0);
    assert_int_equal(dg_transport_fetch_max(t, rel, tmp_path("big.edi"), 777, sha, &bytes, &err),
                     0);
    assert_int_equal(bytes, 777);
    unlink(tmp_path("big.edi"));
    dg_transport_close(t);
}

static void test_ftp_roundtrip(void **state)
{
    (void)state;
    NEED_SERVER();
    roundtrip(&g_srv, "ftp", "plain");
}

static void test_ftps_roundtrip_with_ca_file(void **state)
{
    (void)state;
    NEED_SERVER();
    roundtrip(&g_srv, "ftps", "tls");
    if (g_tls_up)
        roundtrip(&g_tls, "ftps", "tls-only");
}

static void test_ftps_untrusted_certificate_refused(void **state)
{
    (void)state;
    NEED_SERVER();
    dg_transport_config c = cfg_for(&g_srv, "ftps");
    dg_transport *t = NULL;
    dg_error err = {0};
    c.ca_file = NULL; /* the system bundle does not know our self-signed certificate */
    assert_int_equal(dg_transport_open(&c, &t, &err), DG_EHOSTKEY);
    assert_null(t);
    assert_non_null(strstr(err.msg, "not trusted"));
    c.ca_file = g_srv.other_ca_file; /* some other CA */
    assert_int_equal(dg_transport_open(&c, &t, &err), DG_EHOSTKEY);
    /* Only an explicit verify_tls: false skips the check. */
    c.verify_tls = false;
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    dg_remote_file *files = NULL;
    size_t n = 0;
    assert_int_equal(dg_transport_list(t, ".", &files, &n, &err), 0);
    free(files);
    dg_transport_close(t);
}

static void test_tls_only_server_refuses_plain_ftp(void **state)
{
    (void)state;
    if (!g_tls_up)
        skip();
    dg_transport_config c = cfg_for(&g_tls, "ftp");
    dg_transport *t = NULL;
    dg_error err = {0};
    int rc = dg_transport_open(&c, &t, &err);
    assert_int_not_equal(rc, 0);
    assert_null(t);
    assert_null(strstr(err.msg, g_tls.acct.password));
}

static void test_wrong_password(void **state)
{
    (void)state;
    NEED_SERVER();
    const char *wrong = "Wr0ng-Ftp-Secret";
    for (int i = 0; i < 2; i++) {
        dg_transport_config c = cfg_for(&g_srv, i ? "ftps" : "ftp");
        c.password = wrong;
        c.retries = 1;
        dg_transport *t = NULL;
        dg_error err = {0};
        dg_test_capture_begin();
        int rc = dg_transport_open(&c, &t, &err);
        char *log = dg_test_capture_end();
        assert_int_equal(rc, DG_EAUTH);
        assert_null(t);
        assert_non_null(strstr(err.msg, "login refused"));
        assert_non_null(strstr(err.msg, g_srv.acct.user));
        assert_null(strstr(err.msg, wrong));
        assert_null(strstr(log, wrong));
        free(log);
    }
}

static void test_growing_file_reported(void **state)
{
    (void)state;
    NEED_SERVER();
    dg_transport_config c = cfg_for(&g_srv, "ftp");
    dg_transport *t = NULL;
    dg_error err = {0};
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    FILE *f = fopen(srv_path(&g_srv, "growing.edi"), "w");
    assert_non_null(f);
    fputs("ISA*00*", f);
    fflush(f);
    struct timeval old[2] = {{1700000000, 0}, {1700000000, 0}};
    utimes(srv_path(&g_srv, "growing.edi"), old);
    dg_remote_file a, b;
    assert_int_equal(dg_transport_stat(t, "growing.edi", &a, &err), 0);
    assert_int_equal(a.size, 7);
    assert_int_equal(a.mtime, 1700000000);
    dg_remote_file *files = NULL;
    size_t n = 0;
    assert_int_equal(dg_transport_list(t, ".", &files, &n, &err), 0);
    bool seen = false;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(files[i].name, "growing.edi")) {
            seen = true;
            assert_int_equal(files[i].size, 7);
            assert_int_equal(files[i].mtime, 1700000000 - 1700000000 % 86400); /* "Nov 14  2023" */
        }
    free(files);
    assert_true(seen);
    fputs("more data arriving", f);
    fclose(f);
    assert_int_equal(dg_transport_stat(t, "growing.edi", &b, &err), 0);
    assert_int_equal(b.size, 25);
    assert_true(b.mtime > a.mtime);
    /* A recent file: the listing carries its time to the second (MDTM), not LIST's minute. */
    struct timeval recent[2] = {{time(NULL) - 125, 0}, {time(NULL) - 125, 0}};
    utimes(srv_path(&g_srv, "growing.edi"), recent);
    assert_int_equal(dg_transport_list(t, ".", &files, &n, &err), 0);
    seen = false;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(files[i].name, "growing.edi")) {
            seen = true;
            assert_int_equal(files[i].size, 25);
            assert_int_equal(files[i].mtime, recent[0].tv_sec);
        }
    free(files);
    assert_true(seen);
    unlink(srv_path(&g_srv, "growing.edi"));
    dg_transport_close(t);
}

static void test_stalled_server_times_out(void **state)
{
    (void)state;
    NEED_SERVER();
    dg_transport_config c = cfg_for(&g_srv, "ftp");
    c.timeout_ms = 2000;
    dg_transport *t = NULL;
    dg_error err = {0};
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    dg_test_server_signal(g_srv.pid, SIGSTOP);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    dg_remote_file *files = NULL;
    size_t n = 0;
    int rc = dg_transport_list(t, ".", &files, &n, &err);
    clock_gettime(CLOCK_MONOTONIC, &b);
    dg_test_server_signal(g_srv.pid, SIGCONT);
    dg_transport_close(t);
    if (rc)
        fprintf(stderr, "stalled: %s\n", err.msg);
    assert_int_equal(rc, DG_ETIMEOUT);
    double took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    assert_true(took < 8.0);
}

typedef struct killer {
    const char *watch;
    bool restart, killed;
} killer;

static void *kill_when_started(void *v)
{
    killer *k = v;
    for (int i = 0; i < 20000; i++) {
        struct stat st;
        if (!stat(k->watch, &st) && st.st_size > 4 * 1024 * 1024) {
            dg_test_ftpd_kill(&g_srv);
            k->killed = true;
            break;
        }
        usleep(500);
    }
    if (k->restart) {
        usleep(200 * 1000);
        if (dg_test_ftpd_restart(&g_srv))
            fprintf(stderr, "restart failed: %s\n", g_srv.why);
    }
    return NULL;
}

static void test_killed_mid_transfer(void **state)
{
    (void)state;
    NEED_SERVER();
    const unsigned long long size = 120ull << 20;
    assert_int_equal(dg_test_make_file(srv_path(&g_srv, "killme.edi"), size, 7), 0);
    char want[DG_SHA256_HEX_LEN], sha[DG_SHA256_HEX_LEN];
    dg_error err = {0};
    assert_int_equal(dg_sha256_file(srv_path(&g_srv, "killme.edi"), want, &err), 0);
    dg_transport_config c = cfg_for(&g_srv, "ftp");
    dg_transport *t = NULL;
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    killer k = {.watch = tmp_path("killme.edi.part")};
    pthread_t th;
    pthread_create(&th, NULL, kill_when_started, &k);
    uint64_t bytes = 0;
    int rc = dg_transport_fetch(t, "killme.edi", tmp_path("killme.edi"), sha, &bytes, &err);
    pthread_join(th, NULL);
    dg_transport_close(t);
    if (!k.killed) {
        fprintf(stderr, "SKIP: transfer finished before the server could be killed\n");
        assert_int_equal(dg_test_ftpd_restart(&g_srv), 0);
        skip();
    }
    fprintf(stderr, "killed: %s\n", err.msg);
    assert_true(rc == DG_ENET || rc == DG_ETIMEOUT);
    struct stat st;
    assert_int_not_equal(stat(tmp_path("killme.edi"), &st), 0);
    assert_int_not_equal(stat(tmp_path("killme.edi.part"), &st), 0);
    assert_int_equal(dg_test_ftpd_restart(&g_srv), 0);

    c.retries = 4;
    c.backoff_ms = 200;
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    k = (killer){.watch = tmp_path("killme.edi.part"), .restart = true};
    pthread_create(&th, NULL, kill_when_started, &k);
    dg_test_capture_begin();
    rc = dg_transport_fetch(t, "killme.edi", tmp_path("killme.edi"), sha, &bytes, &err);
    pthread_join(th, NULL);
    char *log = dg_test_capture_end();
    assert_int_equal(rc, 0);
    assert_int_equal(bytes, size);
    assert_string_equal(sha, want);
    assert_int_equal(stat(tmp_path("killme.edi"), &st), 0);
    assert_int_equal((unsigned long long)st.st_size, size);
    assert_int_not_equal(stat(tmp_path("killme.edi.part"), &st), 0);
    if (k.killed)
        assert_non_null(strstr(log, "outcome=retry"));
    free(log);
    dg_transport_close(t);
    unlink(srv_path(&g_srv, "killme.edi"));
    unlink(tmp_path("killme.edi"));
}

static void test_big_file_bounded_memory(void **state)
{
    (void)state;
    NEED_SERVER();
    if (getenv("DG_TEST_QUICK")) {
        fprintf(stderr, "SKIP: DG_TEST_QUICK set: 200 MB transfer skipped\n");
        skip();
    }
    const unsigned long long size = 200ull << 20;
    assert_int_equal(dg_test_make_file(tmp_path("big.bin"), size, 9), 0);
    long before = dg_test_maxrss_kb();
    dg_transport_config c = cfg_for(&g_srv, "ftps");
    dg_transport *t = NULL;
    dg_error err = {0};
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    assert_int_equal(dg_transport_put(t, tmp_path("big.bin"), ".", "big.bin", &err), 0);
    char sha[DG_SHA256_HEX_LEN], want[DG_SHA256_HEX_LEN];
    uint64_t bytes = 0;
    assert_int_equal(dg_transport_fetch(t, "big.bin", tmp_path("big.back"), sha, &bytes, &err), 0);
    long after = dg_test_maxrss_kb();
    dg_transport_close(t);
    assert_int_equal(bytes, size);
    assert_int_equal(dg_sha256_file(tmp_path("big.bin"), want, &err), 0);
    assert_string_equal(sha, want);
    fprintf(stderr, "maxrss growth over 200 MB up+down (FTPS): %ld KiB\n", after - before);
#if defined(__SANITIZE_ADDRESS__)
    (void)before; /* ASan keeps freed blocks in quarantine: RSS says nothing here */
#else
    assert_true(after - before < 48 * 1024);
#endif
    unlink(tmp_path("big.bin"));
    unlink(tmp_path("big.back"));
    unlink(srv_path(&g_srv, "big.bin"));
}

/* An upload cut off half way (the server dies) leaves nothing under the final name: a partner
 * never reads half a PO. The retry then delivers the whole file under that name. */
static void test_interrupted_upload_leaves_no_final_name(void **state)
{
    (void)state;
    NEED_SERVER();
    const unsigned long long size = 48ull << 20;
    assert_int_equal(dg_test_make_file(tmp_path("up.bin"), size, 11), 0);
    mkdir(srv_path(&g_srv, "upkill"), 0755);
    dg_test_server_chown(&g_srv.acct, srv_path(&g_srv, "upkill"));
    dg_transport_config c = cfg_for(&g_srv, "ftp");
    dg_transport *t = NULL;
    dg_error err = {0};
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    dg_test_upload_killer k = {.dir = srv_path(&g_srv, "upkill"), .ftpd = &g_srv};
    pthread_t th;
    pthread_create(&th, NULL, dg_test_kill_when_uploading, &k);
    int rc = dg_transport_put(t, tmp_path("up.bin"), "upkill", "PO_big.edi", &err);
    k.stop = true; /* the upload ended first: the watcher stops */
    pthread_join(th, NULL);
    dg_transport_close(t);
    struct stat st;
    if (rc == 0) {
        fprintf(stderr, "SKIP: the upload finished before the server could be killed\n");
        assert_int_equal(dg_test_ftpd_restart(&g_srv), 0);
        skip();
    }
    assert_int_not_equal(stat(srv_path(&g_srv, "upkill/PO_big.edi"), &st), 0);
    assert_int_equal(dg_test_ftpd_restart(&g_srv), 0);
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    assert_int_equal(dg_transport_put(t, tmp_path("up.bin"), "upkill", "PO_big.edi", &err), 0);
    dg_transport_close(t);
    assert_int_equal(stat(srv_path(&g_srv, "upkill/PO_big.edi"), &st), 0);
    assert_int_equal((unsigned long long)st.st_size, size);
    assert_int_not_equal(stat(srv_path(&g_srv, "upkill/.PO_big.edi.part"), &st), 0);
    unlink(tmp_path("up.bin"));
    dg_test_rmtree(srv_path(&g_srv, "upkill"));
}

/* While set, every EPSV the client sends is followed by this long a pause in the client itself,
 * so the server's answer is always there when libcurl first looks for it: a fast server, the case
 * where libcurl 7.88 sleeps a second (see perform in ftp.c). libcurl sends FTP commands with
 * send(); this definition comes before libc's in the lookup order, as the executable's do. */
static _Atomic int g_pause_after_epsv_ms;

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    static ssize_t (*real)(int, const void *, size_t, int);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "send");
    ssize_t n = real(fd, buf, len, flags);
    int ms = g_pause_after_epsv_ms;
    if (ms && n >= 4 && !memcmp(buf, "EPSV", 4)) {
        struct timespec d = {0, ms * 1000000L};
        nanosleep(&d, NULL);
    }
    return n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Small transfers on one connection do not sleep when the server answers EPSV at once:
 * libcurl 7.88's easy interface waited a whole second then (1 in 3-30 transfers here, traced),
 * which made small FTP transfers run at 3-50 files/s. With the answer there every time, five
 * uploads and five downloads took over 10 s that way. */
static void test_quick_epsv_answer_costs_no_second(void **state)
{
    (void)state;
    NEED_SERVER();
    dg_transport_config c = cfg_for(&g_srv, "ftp");
    dg_transport *t = NULL;
    dg_error err = {0};
    assert_int_equal(dg_transport_open(&c, &t, &err), 0);
    assert_int_equal(dg_transport_mkdir(t, "quick", &err), 0);
    assert_int_equal(dg_test_make_file(tmp_path("quick.edi"), 4096, 3), 0);
    const int n = 5;
    g_pause_after_epsv_ms = 50;
    double slowest = 0, t0 = now_s();
    for (int i = 0; i < n; i++) {
        char name[32], rel[64], sha[DG_SHA256_HEX_LEN];
        uint64_t bytes = 0;
        snprintf(name, sizeof name, "f%d.edi", i);
        snprintf(rel, sizeof rel, "quick/%s", name);
        double a = now_s();
        assert_int_equal(dg_transport_put(t, tmp_path("quick.edi"), "quick", name, &err), 0);
        double b = now_s();
        assert_int_equal(dg_transport_fetch(t, rel, tmp_path("quick.back"), sha, &bytes, &err), 0);
        assert_int_equal(bytes, 4096);
        double e = now_s();
        slowest = b - a > slowest ? b - a : slowest;
        slowest = e - b > slowest ? e - b : slowest;
    }
    double total = now_s() - t0;
    g_pause_after_epsv_ms = 0;
    dg_transport_close(t);
    fprintf(stderr, "%d puts + %d fetches, EPSV answered at once: %.2f s, slowest %.3f s\n", n, n,
            total, slowest);
    assert_true(total < 5.0); /* 10 transfers of 50 ms and a few round trips each, not 10 s */
    dg_test_rmtree(srv_path(&g_srv, "quick"));
    unlink(tmp_path("quick.edi"));
    unlink(tmp_path("quick.back"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ftp_roundtrip),
        cmocka_unit_test(test_ftps_roundtrip_with_ca_file),
        cmocka_unit_test(test_ftps_untrusted_certificate_refused),
        cmocka_unit_test(test_tls_only_server_refuses_plain_ftp),
        cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_growing_file_reported),
        cmocka_unit_test(test_stalled_server_times_out),
        cmocka_unit_test(test_big_file_bounded_memory),
        cmocka_unit_test(test_killed_mid_transfer),
        cmocka_unit_test(test_interrupted_upload_leaves_no_final_name),
        cmocka_unit_test(test_quick_epsv_answer_costs_no_second),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
