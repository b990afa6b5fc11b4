/* Transfer benchmark on loopback: 1,000 small files and one 200 MB file, up and down, over SFTP
 * and FTP, through dropgate's transport beside OpenSSH's `sftp -b` and `curl` moving the same
 * files in the same run. Starts its own sshd and vsftpd (run as root, like the tests).
 *
 *   bench_transfer [--small N] [--small-size BYTES] [--big-mb MB] [--repeat N] [--only sftp|ftp]
 *
 * Each row is the best of --repeat runs per side (default 3), the two sides alternating.
 * Gets are measured twice: as the gateway fetches (no fsync: it makes its archive copy durable)
 * beside the plain reference client, and durable by themselves (a fetch's .part, fdatasync,
 * rename and folder fsync per file) beside the reference client whose received files are then
 * given the same fdatasync + folder fsync, one by one: like against like in every row.
 */
#include <errno.h>
#include <fcntl.h>
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
    char ref[32];
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
    snprintf(r->ref, sizeof r->ref, "%s", ref);
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

/* One side of a row: what dropgate does (an operation on a transport) ... */
typedef enum { PUT_SMALL, GET_SMALL, PUT_BIG, GET_BIG } op_kind;
typedef struct job {
    op_kind op;
    dg_transport *t;
    const char *remote; /* folder (small files) or file (big get) */
    const char *into;   /* small gets: folder under g_work; big get: local path */
} job;

static double run_ours(const job *j)
{
    switch (j->op) {
    case PUT_SMALL: return ours_put_small(j->t, j->remote);
    case GET_SMALL: return ours_get_small(j->t, j->remote, j->into);
    case PUT_BIG: return ours_put_big(j->t, j->remote);
    case GET_BIG: return ours_get_big(j->t, j->remote, j->into);
    }
    return 0;
}

/* fdatasync of path and fsync of its folder: what a fetch does for each file before it returns
 * (data, then the rename), so that a reference client given this has done the same work. */
static void make_durable(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fdatasync(fd) != 0)
        die(path, NULL);
    close(fd);
    char dir[1100];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0 || fsync(fd) != 0)
        die(dir, NULL);
    close(fd);
}

/* ... and the reference: a command, then (durable rows) every file it received made durable one
 * by one (`durable` is one path or a folder of the small files), timed together. */
static double run_ref(const char *cmd, const char *durable)
{
    double t0 = now_s();
    timed_system(cmd);
    if (durable) {
        struct stat st;
        if (stat(durable, &st) == 0 && S_ISREG(st.st_mode))
            make_durable(durable);
        else
            for (int i = 0; i < g_small; i++) {
                char p[1200];
                snprintf(p, sizeof p, "%s/f%05d.edi", durable, i);
                make_durable(p);
            }
    }
    return now_s() - t0;
}

/* One row: the two sides alternating, g_repeat runs each, best of each side. */
static void compare(const char *what, const char *ref_name, double units, const char *unit,
                    const job *j, const char *cmd, const char *durable)
{
    double ours = 1e9, ref = 1e9;
    for (int r = 0; r < g_repeat; r++) {
        ours = best(ours, run_ours(j));
        ref = best(ref, run_ref(cmd, durable));
    }
    add_row(what, units, unit, ours, ref, ref_name);
}

/* The six rows of a protocol: small files and one big file, put, get as the gateway fetches
 * (no fsync: the gateway makes its archive copy durable) and get durable by itself (a fetch's
 * .part, fdatasync, rename and folder fsync) beside a reference given the same fsyncs. */
typedef struct proto {
    const char *name; /* "sftp" */
    const char *ref;  /* "sftp -b" */
    const char *cmd;  /* reference command, run after write_ref(kind) */
    void (*write_ref)(const struct proto *p, op_kind op);
    const char *got_ref; /* folder the reference gets into */
    const char *got_ours;
    void *ctx;
} proto;

/* Opens two transports on c (one fetching durably, one with fetch_no_sync), runs the rows, closes
 * them. */
static void bench_proto(const proto *p, dg_transport_config c)
{
    dg_transport *t = NULL, *t_nosync = NULL;
    dg_error err = {0};
    if (dg_transport_open(&c, &t, &err))
        die(p->name, &err);
    c.fetch_no_sync = true;
    if (dg_transport_open(&c, &t_nosync, &err))
        die(p->name, &err);
    char what[64], ref_durable[64], big_ours[1100], big_ref[1100];
    snprintf(big_ours, sizeof big_ours, "%s/%s/big.bin", g_work, p->got_ours);
    snprintf(big_ref, sizeof big_ref, "%s/%s/big.bin", g_work, p->got_ref);
    char small_ref[1100];
    snprintf(small_ref, sizeof small_ref, "%s/%s", g_work, p->got_ref);
    snprintf(ref_durable, sizeof ref_durable, "%s + fsync", p->ref);

    p->write_ref(p, PUT_SMALL);
    snprintf(what, sizeof what, "%s put small files", p->name);
    compare(what, p->ref, g_small, "files", &(job){PUT_SMALL, t, "small", NULL}, p->cmd, NULL);

    p->write_ref(p, GET_SMALL);
    snprintf(what, sizeof what, "%s get small files", p->name);
    compare(what, p->ref, g_small, "files", &(job){GET_SMALL, t_nosync, "small", p->got_ours},
            p->cmd, NULL);
    snprintf(what, sizeof what, "%s get small, durable", p->name);
    compare(what, ref_durable, g_small, "files", &(job){GET_SMALL, t, "small", p->got_ours}, p->cmd,
            small_ref);

    p->write_ref(p, PUT_BIG);
    snprintf(what, sizeof what, "%s put 1 big file", p->name);
    compare(what, p->ref, (double)g_big_mb, "MB", &(job){PUT_BIG, t, "big", NULL}, p->cmd, NULL);

    p->write_ref(p, GET_BIG);
    snprintf(what, sizeof what, "%s get 1 big file", p->name);
    compare(what, p->ref, (double)g_big_mb, "MB",
            &(job){GET_BIG, t_nosync, "big/big.bin", big_ours}, p->cmd, NULL);
    snprintf(what, sizeof what, "%s get 1 big, durable", p->name);
    compare(what, ref_durable, (double)g_big_mb, "MB", &(job){GET_BIG, t, "big/big.bin", big_ours},
            p->cmd, big_ref);
    dg_transport_close(t);
    dg_transport_close(t_nosync);
}
/* The reference's instructions for op: an sftp batch file. */
static void sftp_write_batch(const proto *p, op_kind op)
{
    const dg_test_sshd *s = p->ctx;
    char batch[600];
    snprintf(batch, sizeof batch, "%s/batch", g_work);
    FILE *b = fopen(batch, "w");
    if (!b)
        die(batch, NULL);
    for (int i = 0; i < g_small && (op == PUT_SMALL || op == GET_SMALL); i++)
        if (op == PUT_SMALL)
            fprintf(b, "put %s %s/ref-small/f%05d.edi\n", local("small/f%05d.edi", i), s->root, i);
        else
            fprintf(b, "get %s/small/f%05d.edi %s\n", s->root, i, local("got-ref/f%05d.edi", i));
    if (op == PUT_BIG)
        fprintf(b, "put %s %s/ref-big/big.bin\n", local("big.bin", 0), s->root);
    if (op == GET_BIG)
        fprintf(b, "get %s/big/big.bin %s\n", s->root, local("got-ref/big.bin", 0));
    fclose(b);
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
    char ssh[4096];
    snprintf(ssh, sizeof ssh,
             "sftp -q -b %s/batch -i %s -o BatchMode=yes -o StrictHostKeyChecking=yes "
             "-o UserKnownHostsFile=%s -P %d %s@127.0.0.1 >/dev/null",
             g_work, s.key_file, s.known_hosts, s.port, s.acct.user);
    run("mkdir -p %s/ref-small %s/ref-big && chown -R %u %s/ref-small %s/ref-big", s.root, s.root,
        (unsigned)s.acct.uid, s.root, s.root);

    fprintf(stderr, "SFTP (OpenSSH sshd, loopback):\n");
    bench_proto(&(proto){.name = "sftp",
                         .ref = "sftp -b",
                         .cmd = ssh,
                         .write_ref = sftp_write_batch,
                         .got_ref = "got-ref",
                         .got_ours = "got-ours",
                         .ctx = &s},
                c);
    dg_test_sshd_stop(&s);
}

typedef struct ftp_ref {
    const dg_test_ftpd *s;
    const char *cfg;  /* curl's config file: the credentials stay off the command line */
    const char *base; /* ftp://127.0.0.1:PORT */
} ftp_ref;

/* The reference's instructions for op: a curl config file. */
static void ftp_write_config(const proto *p, op_kind op)
{
    const ftp_ref *r = p->ctx;
    FILE *f = fopen(r->cfg, "w");
    if (!f)
        die(r->cfg, NULL);
    fprintf(f, "user = \"%s:%s\"\n", r->s->acct.user, r->s->acct.password);
    for (int i = 0; i < g_small && (op == PUT_SMALL || op == GET_SMALL); i++)
        if (op == PUT_SMALL)
            fprintf(f, "upload-file = \"%s\"\nurl = \"%s/ref-small/f%05d.edi\"\n",
                    local("small/f%05d.edi", i), r->base, i);
        else
            fprintf(f, "url = \"%s/small/f%05d.edi\"\noutput = \"%s\"\n", r->base, i,
                    local("got-ref-ftp/f%05d.edi", i));
    if (op == PUT_BIG)
        fprintf(f, "upload-file = \"%s\"\nurl = \"%s/ref-big/big.bin\"\n", local("big.bin", 0),
                r->base);
    if (op == GET_BIG)
        fprintf(f, "url = \"%s/big/big.bin\"\noutput = \"%s\"\n", r->base,
                local("got-ref-ftp/big.bin", 0));
    fclose(f);
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
    run("mkdir -p %s/ref-small %s/ref-big && chown -R %u %s/ref-small %s/ref-big", s.root, s.root,
        (unsigned)s.acct.uid, s.root, s.root);
    /* One curl process per batch, so it keeps one control connection like we do. */
    char cfg[600], curl[1200], base[128];
    snprintf(cfg, sizeof cfg, "%s/curl.cfg", g_work);
    snprintf(curl, sizeof curl, "curl -sS --config %s", cfg);
    snprintf(base, sizeof base, "ftp://127.0.0.1:%d", s.port);

    fprintf(stderr, "FTP (vsftpd, loopback, passive):\n");
    bench_proto(&(proto){.name = "ftp",
                         .ref = "curl",
                         .cmd = curl,
                         .write_ref = ftp_write_config,
                         .got_ref = "got-ref-ftp",
                         .got_ours = "got-ours-ftp",
                         .ctx = &(ftp_ref){&s, cfg, base}},
                c);
    unlink(cfg);
    dg_test_ftpd_stop(&s);
}

/* What the durable-fetch discipline costs per file here (.part, fsync, rename, fsync of the
 * folder), with no network: fetches over a local transport, beside `cp` of the same files given
 * the same fsyncs; without them `cp` runs tens of times faster, which bounds durable gets. */
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
    compare("local fetch small files", "cp + fsync", g_small, "files",
            &(job){GET_SMALL, t, "small", "got-local"}, cmd, local("got-cp", 0));
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
