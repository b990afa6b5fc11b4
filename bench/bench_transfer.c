/* Transfer benchmark on loopback: 1,000 small files and one 200 MB file, up and down, over SFTP
 * and FTP, through dropgate's transport beside OpenSSH's `sftp -b` and `curl` moving the same
 * files in the same run. Starts its own sshd and vsftpd (run as root, like the tests).
 *
 *   bench_transfer [--small N] [--small-size BYTES] [--big-mb MB] [--repeat N] [--only sftp|ftp]
 *
 * Each row is the best of --repeat runs per side (default 3), the two sides alternating.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "transport/transport.h"

/* The test harness that starts real servers; compiled in, as bench targets do not link the
 * test support library. */
#include "../tests/support/servers.c"

static int g_small = 1000;
static int g_repeat = 3; /* best of: the CI VM is shared, so take each side's best run */
static long g_small_size = 4096;
static long g_big_mb = 200;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const dg_error *err)
{
    fprintf(stderr, "bench_transfer: %s: %s\n", what, err ? err->msg : strerror(errno));
    exit(1);
}

static double best(double a, double b)
{
    return a < b ? a : b;
}

/* Runs a shell command and returns its wall time; exits on failure. */
static double timed_system(const char *cmd)
{
    double t0 = now_s();
    int rc = system(cmd);
    double t = now_s() - t0;
    if (rc != 0) {
        fprintf(stderr, "bench_transfer: command failed (%d): %.300s\n", rc, cmd);
        exit(1);
    }
    return t;
}

typedef struct row {
    char what[64];
    double ours, theirs; /* seconds */
    double units;        /* files or MB */
    const char *unit;
    const char *ref;
} row;

static row g_rows[24];
static int g_nrows;

static void add_row(const char *what, double units, const char *unit, double ours, double theirs,
                    const char *ref)
{
    row *r = &g_rows[g_nrows++];
    snprintf(r->what, sizeof r->what, "%s", what);
    r->units = units;
    r->unit = unit;
    r->ours = ours;
    r->theirs = theirs;
    r->ref = ref;
    fprintf(stderr, "  %-28s dropgate %8.1f %s/s   %-9s %8.1f %s/s   ratio %.2f\n", what,
            units / ours, unit, ref, units / theirs, unit, theirs / ours);
}

static char g_work[256];

static const char *local(const char *fmt, int i)
{
    static char b[4][1024];
    static int k;
    char *p = b[k++ & 3];
    char rel[512];
    snprintf(rel, sizeof rel, fmt, i);
    snprintf(p, 1024, "%s/%s", g_work, rel);
    return p;
}

static void prepare_local(void)
{
    snprintf(g_work, sizeof g_work, "/tmp/dgbench-XXXXXX");
    if (!mkdtemp(g_work))
        die("mkdtemp", NULL);
    const char *dirs[] = {"small", "got-ours", "got-ref", "got-ours-ftp", "got-ref-ftp"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", g_work, dirs[i]);
        mkdir(p, 0755);
    }
    for (int i = 0; i < g_small; i++)
        if (dg_test_make_file(local("small/f%05d.edi", i), (unsigned long long)g_small_size,
                              (unsigned)i + 1))
            die("make small file", NULL);
    if (dg_test_make_file(local("big.bin", 0), (unsigned long long)g_big_mb << 20, 77))
        die("make big file", NULL);
    run("sync");
}

/* dropgate: put every small file into remote_dir, then fetch them all back. */
static double ours_put_small(dg_transport *t, const char *remote_dir)
{
    dg_error err = {0};
    if (dg_transport_mkdir(t, remote_dir, &err))
        die("mkdir", &err);
    double t0 = now_s();
    for (int i = 0; i < g_small; i++) {
        char name[64];
        snprintf(name, sizeof name, "f%05d.edi", i);
        if (dg_transport_put(t, local("small/f%05d.edi", i), remote_dir, name, &err))
            die("put", &err);
    }
    return now_s() - t0;
}

static double ours_get_small(dg_transport *t, const char *remote_dir, const char *into)
{
    dg_error err = {0};
    double t0 = now_s();
    dg_remote_file *files = NULL;
    size_t n = 0;
    if (dg_transport_list(t, remote_dir, &files, &n, &err))
        die("list", &err);
    for (size_t i = 0; i < n; i++) {
        char rp[600], lp[1100];
        snprintf(rp, sizeof rp, "%s/%s", remote_dir, files[i].name);
        snprintf(lp, sizeof lp, "%s/%s/%s", g_work, into, files[i].name);
        char sha[DG_SHA256_HEX_LEN];
        uint64_t bytes;
        if (dg_transport_fetch(t, rp, lp, sha, &bytes, &err))
            die("fetch", &err);
    }
    free(files);
    if ((int)n != g_small) {
        fprintf(stderr, "bench_transfer: listed %zu files, expected %d\n", n, g_small);
        exit(1);
    }
    return now_s() - t0;
}

static double ours_put_big(dg_transport *t, const char *remote_dir)
{
    dg_error err = {0};
    if (dg_transport_mkdir(t, remote_dir, &err))
        die("mkdir", &err);
    double t0 = now_s();
    if (dg_transport_put(t, local("big.bin", 0), remote_dir, "big.bin", &err))
        die("put big", &err);
    return now_s() - t0;
}

static double ours_get_big(dg_transport *t, const char *remote, const char *into)
{
    dg_error err = {0};
    char sha[DG_SHA256_HEX_LEN];
    uint64_t bytes;
    double t0 = now_s();
    if (dg_transport_fetch(t, remote, into, sha, &bytes, &err))
        die("fetch big", &err);
    return now_s() - t0;
}

static void bench_sftp(void)
{
    dg_test_sshd s;
    if (dg_test_sshd_start(&s)) {
        fprintf(stderr, "bench_transfer: sshd: %s\n", s.why);
        exit(1);
    }
    dg_transport_config c = {.kind = "sftp",
                             .root = s.root,
                             .host = "127.0.0.1",
                             .port = s.port,
                             .user = s.acct.user,
                             .key_file = s.key_file,
                             .known_hosts = s.known_hosts,
                             .strict_host_key = true,
                             .verify_tls = true,
                             .timeout_ms = 30000,
                             .retries = 0,
                             .backoff_ms = 500,
                             .keepalive_s = 30};
    dg_transport *t = NULL;
    dg_error err = {0};
    if (dg_transport_open(&c, &t, &err))
        die("sftp open", &err);
    dg_transport *t_nosync = NULL;
    c.fetch_no_sync = true;
    if (dg_transport_open(&c, &t_nosync, &err))
        die("sftp open", &err);
    char ssh[4096];
    snprintf(ssh, sizeof ssh,
             "sftp -q -b %s/batch -i %s -o BatchMode=yes -o StrictHostKeyChecking=yes "
             "-o UserKnownHostsFile=%s -P %d %s@127.0.0.1 >/dev/null",
             g_work, s.key_file, s.known_hosts, s.port, s.acct.user);
    char batch[600];
    snprintf(batch, sizeof batch, "%s/batch", g_work);
    run("mkdir -p %s/ref-small %s/ref-big && chown -R %u %s/ref-small %s/ref-big", s.root, s.root,
        (unsigned)s.acct.uid, s.root, s.root);

    fprintf(stderr, "SFTP (OpenSSH sshd, loopback):\n");
    FILE *b = fopen(batch, "w");
    for (int i = 0; i < g_small; i++)
        fprintf(b, "put %s %s/ref-small/f%05d.edi\n", local("small/f%05d.edi", i), s.root, i);
    fclose(b);
    double ours = 1e9, ref = 1e9;
    for (int r = 0; r < g_repeat; r++) {
        ours = best(ours, ours_put_small(t, "small"));
        ref = best(ref, timed_system(ssh));
    }
    add_row("sftp put small files", g_small, "files", ours, ref, "sftp -b");

    b = fopen(batch, "w");
    for (int i = 0; i < g_small; i++)
        fprintf(b, "get %s/small/f%05d.edi %s\n", s.root, i, local("got-ref/f%05d.edi", i));
    fclose(b);
    ours = ref = 1e9;
    for (int r = 0; r < g_repeat; r++) {
        ours = best(ours, ours_get_small(t, "small", "got-ours"));
        ref = best(ref, timed_system(ssh));
    }
    add_row("sftp get small files", g_small, "files", ours, ref, "sftp -b");
    ours = 1e9;
    for (int r = 0; r < g_repeat; r++)
        ours = best(ours, ours_get_small(t_nosync, "small", "got-ours"));
    add_row("sftp get small, no fsync", g_small, "files", ours, ref, "sftp -b");

    b = fopen(batch, "w");
    fprintf(b, "put %s %s/ref-big/big.bin\n", local("big.bin", 0), s.root);
    fclose(b);
    ours = ref = 1e9;
    for (int r = 0; r < g_repeat; r++) {
        ours = best(ours, ours_put_big(t, "big"));
        ref = best(ref, timed_system(ssh));
    }
    add_row("sftp put 1 big file", (double)g_big_mb, "MB", ours, ref, "sftp -b");

    b = fopen(batch, "w");
    fprintf(b, "get %s/big/big.bin %s\n", s.root, local("got-ref/big.bin", 0));
    fclose(b);
    ours = ref = 1e9;
    for (int r = 0; r < g_repeat; r++) {
        ours = best(ours, ours_get_big(t, "big/big.bin", local("got-ours/big.bin", 0)));
        ref = best(ref, timed_system(ssh));
    }
    add_row("sftp get 1 big file", (double)g_big_mb, "MB", ours, ref, "sftp -b");
    ours = 1e9; /* the same without the fetch's fdatasync + folder fsync (the reference has none) */
    for (int r = 0; r < g_repeat; r++)
        ours = best(ours, ours_get_big(t_nosync, "big/big.bin", local("got-ours/big.bin", 0)));
    add_row("sftp get 1 big, no fsync", (double)g_big_mb, "MB", ours, ref, "sftp -b");
    dg_transport_close(t);
    dg_transport_close(t_nosync);
    dg_test_sshd_stop(&s);
}

static void bench_ftp(void)
{
    dg_test_ftpd s = {0};
    if (dg_test_ftpd_start(&s)) {
        fprintf(stderr, "bench_transfer: vsftpd: %s\n", s.why);
        exit(1);
    }
    dg_transport_config c = {.kind = "ftp",
                             .host = "127.0.0.1",
                             .port = s.port,
                             .user = s.acct.user,
                             .password = s.acct.password,
                             .verify_tls = true,
                             .timeout_ms = 30000,
                             .retries = 0,
                             .backoff_ms = 500,
                             .keepalive_s = 30};
    dg_transport *t = NULL;
    dg_error err = {0};
    if (dg_transport_open(&c, &t, &err))
        die("ftp open", &err);
    dg_transport *t_nosync = NULL;
    c.fetch_no_sync = true;
    if (dg_transport_open(&c, &t_nosync, &err))
        die("ftp open", &err);
    run("mkdir -p %s/ref-small %s/ref-big && chown -R %u %s/ref-small %s/ref-big", s.root, s.root,
        (unsigned)s.acct.uid, s.root, s.root);
    /* One curl process per batch, so it keeps one control connection like we do; the
     * credentials go in the config file, not on the command line. */
    char cfg[600], curl[1200];
    snprintf(cfg, sizeof cfg, "%s/curl.cfg", g_work);
    snprintf(curl, sizeof curl, "curl -sS --config %s", cfg);
    char base[128];
    snprintf(base, sizeof base, "ftp://127.0.0.1:%d", s.port);

    fprintf(stderr, "FTP (vsftpd, loopback, passive):\n");
    FILE *f = fopen(cfg, "w");
    fprintf(f, "user = \"%s:%s\"\n", s.acct.user, s.acct.password);
    for (int i = 0; i < g_small; i++)
        fprintf(f, "upload-file = \"%s\"\nurl = \"%s/ref-small/f%05d.edi\"\n",
                local("small/f%05d.edi", i), base, i);
    fclose(f);
    double ours = 1e9, ref = 1e9;
    for (int r = 0; r < g_repeat; r++) {
        ours = best(ours, ours_put_small(t, "small"));
        ref = best(ref, timed_system(curl));
    }
    add_row("ftp put small files", g_small, "files", ours, ref, "curl");

    f = fopen(cfg, "w");
    fprintf(f, "user = \"%s:%s\"\n", s.acct.user, s.acct.password);
    for (int i = 0; i < g_small; i++)
        fprintf(f, "url = \"%s/small/f%05d.edi\"\noutput = \"%s\"\n", base, i,
                local("got-ref-ftp/f%05d.edi", i));
    fclose(f);
    ours = ref = 1e9;
    for (int r = 0; r < g_repeat; r++) {
        ours = best(ours, ours_get_small(t, "small", "got-ours-ftp"));
        ref = best(ref, timed_system(curl));
    }
    add_row("ftp get small files", g_small, "files", ours, ref, "curl");
    ours = 1e9;
    for (int r = 0; r < g_repeat; r++)
        ours = best(ours, ours_get_small(t_nosync, "small", "got-ours-ftp"));
    add_row("ftp get small, no fsync", g_small, "files", ours, ref, "curl");

    f = fopen(cfg, "w");
    fprintf(f, "user = \"%s:%s\"\nupload-file = \"%s\"\nurl = \"%s/ref-big/big.bin\"\n",
            s.acct.user, s.acct.password, local("big.bin", 0), base);
    fclose(f);
    ours = ref = 1e9;
    for (int r = 0; r < g_repeat; r++) {
        ours = best(ours, ours_put_big(t, "big"));
        ref = best(ref, timed_system(curl));
    }
    add_row("ftp put 1 big file", (double)g_big_mb, "MB", ours, ref, "curl");

    f = fopen(cfg, "w");
    fprintf(f, "user = \"%s:%s\"\nurl = \"%s/big/big.bin\"\noutput = \"%s\"\n", s.acct.user,
            s.acct.password, base, local("got-ref-ftp/big.bin", 0));
    fclose(f);
    ours = ref = 1e9;
    for (int r = 0; r < g_repeat; r++) {
        ours = best(ours, ours_get_big(t, "big/big.bin", local("got-ours-ftp/big.bin", 0)));
        ref = best(ref, timed_system(curl));
    }
    add_row("ftp get 1 big file", (double)g_big_mb, "MB", ours, ref, "curl");
    ours = 1e9; /* the same without the fetch's fdatasync + folder fsync (curl has none) */
    for (int r = 0; r < g_repeat; r++)
        ours = best(ours, ours_get_big(t_nosync, "big/big.bin", local("got-ours-ftp/big.bin", 0)));
    add_row("ftp get 1 big, no fsync", (double)g_big_mb, "MB", ours, ref, "curl");
    unlink(cfg);
    dg_transport_close(t);
    dg_transport_close(t_nosync);
    dg_test_ftpd_stop(&s);
}

/* What the durable-fetch discipline alone costs per file here (.part, fsync, rename, fsync of
 * the folder), with no network: fetches over a local transport, beside `cp` of the same files.
 * The reference clients do not fsync, so small-file gets are bounded by this. */
static void bench_floor(void)
{
    dg_transport_config c = {.kind = "local", .root = g_work, .timeout_ms = 1000};
    dg_transport *t = NULL;
    dg_error err = {0};
    if (dg_transport_open(&c, &t, &err))
        die("local open", &err);
    run("mkdir -p %s/got-local %s/got-cp", g_work, g_work);
    fprintf(stderr, "No network (durability floor):\n");
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp %s/small/* %s/got-cp/", g_work, g_work);
    double ours = 1e9, ref = 1e9;
    for (int r = 0; r < g_repeat; r++) {
        ours = best(ours, ours_get_small(t, "small", "got-local"));
        ref = best(ref, timed_system(cmd));
    }
    add_row("local fetch small files", g_small, "files", ours, ref, "cp");
    dg_transport_close(t);
}

int main(int argc, char **argv)
{
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--small") && i + 1 < argc)
            g_small = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--small-size") && i + 1 < argc)
            g_small_size = atol(argv[++i]);
        else if (!strcmp(argv[i], "--big-mb") && i + 1 < argc)
            g_big_mb = atol(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
            g_repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr,
                    "usage: %s [--small N] [--small-size BYTES] [--big-mb MB] "
                    "[--repeat N] [--only sftp|ftp]\n",
                    argv[0]);
            return 2;
        }
    }
    if (g_small < 1 || g_small > 99999 || g_small_size < 1 || g_big_mb < 1 || g_repeat < 1) {
        fprintf(stderr, "bench_transfer: bad sizes\n");
        return 2;
    }
    dg_log_set_level(DG_LOG_WARN);
    prepare_local();
    fprintf(stderr, "bench_transfer: %d files of %ld bytes, one file of %ld MB, best of %d\n",
            g_small, g_small_size, g_big_mb, g_repeat);
    bench_floor();
    if (!only || !strcmp(only, "sftp"))
        bench_sftp();
    if (!only || !strcmp(only, "ftp"))
        bench_ftp();
    printf("| transfer | dropgate | reference | reference rate | ratio |\n|---|---|---|---|---|\n");
    for (int i = 0; i < g_nrows; i++) {
        row *r = &g_rows[i];
        printf("| %s | %.1f %s/s | %s | %.1f %s/s | %.2fx |\n", r->what, r->units / r->ours,
               r->unit, r->ref, r->units / r->theirs, r->unit, r->theirs / r->ours);
    }
    rmtree(g_work);
    return 0;
}
