/* Transfer benchmark on loopback: 1,000 small files and one 200 MB file, up and down, over SFTP
 * and FTP, through dropgate's transport beside OpenSSH's `sftp -b` and `curl` moving the same
 * files in the same run. Starts its own sshd and vsftpd (run as root, like the tests).
 *
 *   bench_transfer [--small N] [--small-size BYTES] [--big-mb MB] [--repeat N]
 *                  [--only local|sftp|ftp]
 *
 * Each row is the best of --repeat runs per side (default 3), the two sides alternating; the
 * slowest run of each side is printed too (the spread), and the median of the per-round ratios:
 * each round runs the two sides back to back, so a round's ratio sees the VM at one speed, and
 * the median of them is not moved by one slow round the way a ratio of bests is. Like against
 * like in every row:
 * - gets as the gateway fetches (no fsync: it makes its archive copy durable) beside the plain
 *   reference client, and durable gets (a fetch's .part, fdatasync, rename and folder fsync per
 *   file) beside the reference client whose received files are then given the same fdatasync +
 *   folder fsync, one by one;
 * - puts beside the reference client told to do what our put does (write a temporary name, then
 *   rename it: `sftp` put + rename, `curl -T` + RNFR/RNTO), and beside the plain client (no
 *   rename), so the cost of the safety stays visible; every put run starts on an empty folder;
 * - the local fetch beside a loop doing what the fetch does (copy to .part, fdatasync, rename,
 *   fsync of the folder), and beside `cp` of the same files given the same fsyncs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "transport/transport.h"

#include "bench_stats.h"

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

static double worst(double a, double b)
{
    return a > b ? a : b;
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
    double ours, theirs;             /* seconds, best run */
    double ours_worst, theirs_worst; /* seconds, slowest run */
    double median_ratio;             /* median over the rounds of theirs / ours */
    double units;                    /* files or MB */
    const char *unit;
    char ref[48];
} row;

static row g_rows[32];
static int g_nrows;

static void add_row(const char *what, double units, const char *unit, const double ours[2],
                    const double theirs[2], double median_ratio, const char *ref)
{
    row *r = &g_rows[g_nrows++];
    snprintf(r->what, sizeof r->what, "%s", what);
    r->units = units;
    r->unit = unit;
    r->ours = ours[0];
    r->ours_worst = ours[1];
    r->theirs = theirs[0];
    r->theirs_worst = theirs[1];
    r->median_ratio = median_ratio;
    snprintf(r->ref, sizeof r->ref, "%s", ref);
    fprintf(stderr,
            "  %-30s dropgate %8.1f %s/s (slowest %8.1f)   %-22s %8.1f %s/s (slowest %8.1f)   "
            "ratio %.2f, median of rounds %.2f\n",
            what, units / r->ours, unit, units / r->ours_worst, ref, units / r->theirs, unit,
            units / r->theirs_worst, r->theirs / r->ours, median_ratio);
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
    const char *dirs[] = {"small",       "got-ours",  "got-ref",  "got-ours-ftp",
                          "got-ref-ftp", "got-local", "got-loop", "got-cp"};
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

/* Empties a folder before a run: a server folder before a put (every put writes fresh names, as
 * an upload to a partner's inbox normally does), the local folder before a get (each side
 * creates new files, so a durable get costs both sides new inodes and folder entries, not an
 * overwrite in place for one of them). Synced, so no side flushes the other's deletions. */
static void empty_folder(const char *dir)
{
    if (dir && run("find '%s' -mindepth 1 -delete 2>/dev/null; sync", dir) != 0)
        die(dir, NULL);
}

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

/* ... and the reference: a command (or a function, when fn is set), then (durable rows) every file
 * it received made durable one by one (`durable` is one path or a folder of the small files),
 * timed together. */
typedef struct ref {
    const char *cmd;
    const char *durable;
    void (*fn)(void);
} ref;

static double run_ref(const ref *rf)
{
    const char *durable = rf->durable;
    double t0 = now_s();
    if (rf->fn)
        rf->fn();
    else
        timed_system(rf->cmd);
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

/* One row: the two sides alternating, g_repeat runs each; best and slowest of each side, and the
 * median of the rounds' ratios. clear_ours / clear_ref: server folders emptied before each run
 * (puts). */
static void compare(const char *what, const char *ref_name, double units, const char *unit,
                    const job *j, const ref *rf, const char *clear_ours, const char *clear_ref)
{
    double ours[2] = {1e9, 0}, theirs[2] = {1e9, 0};
    double *ratios = malloc((size_t)g_repeat * sizeof *ratios);
    if (!ratios)
        die("malloc", NULL);
    for (int r = 0; r < g_repeat; r++) {
        empty_folder(clear_ours);
        double t = run_ours(j);
        ours[0] = best(ours[0], t);
        ours[1] = worst(ours[1], t);
        empty_folder(clear_ref);
        double u = run_ref(rf);
        theirs[0] = best(theirs[0], u);
        theirs[1] = worst(theirs[1], u);
        ratios[r] = u / t;
    }
    add_row(what, units, unit, ours, theirs, bench_median(ratios, g_repeat), ref_name);
    free(ratios);
}

/* The rows of a protocol: small files and one big file; puts beside the reference given the same
 * temporary name + rename (like against like) and beside the plain reference; gets as the gateway
 * fetches (no fsync: the gateway makes its archive copy durable) and durable by themselves (a
 * fetch's .part, fdatasync, rename and folder fsync) beside a reference given the same fsyncs. */
typedef struct proto {
    const char *name;     /* "sftp" */
    const char *ref;      /* "sftp -b" */
    const char *ref_safe; /* "sftp -b put+rename" */
    const char *cmd;      /* reference command, run after write_ref(op, safe) */
    void (*write_ref)(const struct proto *p, op_kind op, bool safe);
    const char *server_root; /* the server's folder, seen locally */
    const char *got_ref;     /* folder the reference gets into */
    const char *got_ours;
    void *ctx;
} proto;

static void put_rows(const proto *p, dg_transport *t, op_kind op, const char *size_name,
                     double units, const char *unit)
{
    const char *sub = op == PUT_SMALL ? "small" : "big";
    char ours_dir[1100], ref_dir[1100], what[64];
    snprintf(ours_dir, sizeof ours_dir, "%s/%s", p->server_root, sub);
    snprintf(ref_dir, sizeof ref_dir, "%s/ref-%s", p->server_root, sub);
    job j = {op, t, sub, NULL};
    p->write_ref(p, op, true);
    snprintf(what, sizeof what, "%s put %s", p->name, size_name);
    compare(what, p->ref_safe, units, unit, &j, &(ref){p->cmd, NULL, NULL}, ours_dir, ref_dir);
    p->write_ref(p, op, false);
    snprintf(what, sizeof what, "%s put %s, plain ref", p->name, size_name);
    compare(what, p->ref, units, unit, &j, &(ref){p->cmd, NULL, NULL}, ours_dir, ref_dir);
}

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
    ref plain = {p->cmd, NULL, NULL};

    put_rows(p, t, PUT_SMALL, "small files", g_small, "files");

    char got_ours[1100];
    snprintf(got_ours, sizeof got_ours, "%s/%s", g_work, p->got_ours);
    p->write_ref(p, GET_SMALL, false);
    snprintf(what, sizeof what, "%s get small files", p->name);
    compare(what, p->ref, g_small, "files", &(job){GET_SMALL, t_nosync, "small", p->got_ours},
            &plain, got_ours, small_ref);
    snprintf(what, sizeof what, "%s get small, durable", p->name);
    compare(what, ref_durable, g_small, "files", &(job){GET_SMALL, t, "small", p->got_ours},
            &(ref){p->cmd, small_ref, NULL}, got_ours, small_ref);

    put_rows(p, t, PUT_BIG, "1 big file", (double)g_big_mb, "MB");

    p->write_ref(p, GET_BIG, false);
    snprintf(what, sizeof what, "%s get 1 big file", p->name);
    compare(what, p->ref, (double)g_big_mb, "MB",
            &(job){GET_BIG, t_nosync, "big/big.bin", big_ours}, &plain, got_ours, small_ref);
    snprintf(what, sizeof what, "%s get 1 big, durable", p->name);
    compare(what, ref_durable, (double)g_big_mb, "MB", &(job){GET_BIG, t, "big/big.bin", big_ours},
            &(ref){p->cmd, big_ref, NULL}, got_ours, small_ref);
    dg_transport_close(t);
    dg_transport_close(t_nosync);
}

/* The reference's instructions for op: an sftp batch file. safe (puts): to the temporary name
 * our put uses, then renamed (OpenSSH's sftp renames with posix-rename@openssh.com when the
 * server offers it, one round trip, replacing any old file). */
static void sftp_write_batch(const proto *p, op_kind op, bool safe)
{
    const dg_test_sshd *s = p->ctx;
    char batch[600];
    snprintf(batch, sizeof batch, "%s/batch", g_work);
    FILE *b = fopen(batch, "w");
    if (!b)
        die(batch, NULL);
    for (int i = 0; i < g_small && op == PUT_SMALL; i++)
        if (safe)
            fprintf(b,
                    "put %s %s/ref-small/.f%05d.edi.part\n"
                    "rename %s/ref-small/.f%05d.edi.part %s/ref-small/f%05d.edi\n",
                    local("small/f%05d.edi", i), s->root, i, s->root, i, s->root, i);
        else
            fprintf(b, "put %s %s/ref-small/f%05d.edi\n", local("small/f%05d.edi", i), s->root, i);
    for (int i = 0; i < g_small && op == GET_SMALL; i++)
        fprintf(b, "get %s/small/f%05d.edi %s\n", s->root, i, local("got-ref/f%05d.edi", i));
    if (op == PUT_BIG && safe)
        fprintf(
            b,
            "put %s %s/ref-big/.big.bin.part\nrename %s/ref-big/.big.bin.part %s/ref-big/big.bin\n",
            local("big.bin", 0), s->root, s->root, s->root);
    else if (op == PUT_BIG)
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
                         .ref_safe = "sftp -b put+rename",
                         .cmd = ssh,
                         .write_ref = sftp_write_batch,
                         .server_root = s.root,
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

/* One upload in a curl config file; safe: to the temporary name our put uses, renamed after the
 * transfer (post-quote RNFR/RNTO on the same connection, as ours), one operation per file
 * (`next`) since a quote list belongs to an operation. */
static void curl_upload(FILE *f, const ftp_ref *r, const char *from, const char *dir,
                        const char *name, bool safe, bool first)
{
    if (!safe) {
        fprintf(f, "upload-file = \"%s\"\nurl = \"%s/%s/%s\"\n", from, r->base, dir, name);
        return;
    }
    if (!first)
        fprintf(f, "next\nuser = \"%s:%s\"\n", r->s->acct.user, r->s->acct.password);
    fprintf(f,
            "upload-file = \"%s\"\nurl = \"%s/%s/.%s.part\"\n"
            "quote = \"-RNFR .%s.part\"\nquote = \"-RNTO %s\"\n",
            from, r->base, dir, name, name, name);
}

/* The reference's instructions for op: a curl config file. */
static void ftp_write_config(const proto *p, op_kind op, bool safe)
{
    const ftp_ref *r = p->ctx;
    FILE *f = fopen(r->cfg, "w");
    if (!f)
        die(r->cfg, NULL);
    fprintf(f, "user = \"%s:%s\"\n", r->s->acct.user, r->s->acct.password);
    for (int i = 0; i < g_small && op == PUT_SMALL; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%05d.edi", i);
        curl_upload(f, r, local("small/f%05d.edi", i), "ref-small", name, safe, i == 0);
    }
    for (int i = 0; i < g_small && op == GET_SMALL; i++)
        fprintf(f, "url = \"%s/small/f%05d.edi\"\noutput = \"%s\"\n", r->base, i,
                local("got-ref-ftp/f%05d.edi", i));
    if (op == PUT_BIG)
        curl_upload(f, r, local("big.bin", 0), "ref-big", "big.bin", safe, true);
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
                         .ref_safe = "curl -T + RNFR/RNTO",
                         .cmd = curl,
                         .write_ref = ftp_write_config,
                         .server_root = s.root,
                         .got_ref = "got-ref-ftp",
                         .got_ours = "got-ours-ftp",
                         .ctx = &(ftp_ref){&s, cfg, base}},
                c);
    unlink(cfg);
    dg_test_ftpd_stop(&s);
}

/* Copies every small file the way a durable fetch stores it, with no transport around it: read
 * the source, write "name.part", fdatasync, close, rename to the name, fsync the folder. The
 * reference for the local row, like against like. */
static void fetch_loop(void)
{
    static char buf[1 << 16];
    char dir[600];
    snprintf(dir, sizeof dir, "%s/got-loop", g_work);
    for (int i = 0; i < g_small; i++) {
        char part[1200];
        const char *dst = local("got-loop/f%05d.edi", i);
        snprintf(part, sizeof part, "%s.part", dst);
        int in = open(local("small/f%05d.edi", i), O_RDONLY | O_CLOEXEC);
        int out = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        if (in < 0 || out < 0)
            die(part, NULL);
        for (ssize_t r; (r = read(in, buf, sizeof buf)) != 0;)
            if (r < 0 || write(out, buf, (size_t)r) != r)
                die(part, NULL);
        if (fdatasync(out) || close(out) || close(in) || rename(part, dst))
            die(part, NULL);
        int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (d < 0 || fsync(d) || close(d))
            die(dir, NULL);
    }
}

/* What the durable-fetch discipline costs per file here (.part, fsync, rename, fsync of the
 * folder), with no network: fetches over a local transport, beside a loop doing the same steps
 * (like against like), and beside `cp` of the same files given the same fsyncs (new files, but
 * no .part and no rename). */
static void bench_floor(void)
{
    dg_transport_config c = {.kind = "local", .root = g_work, .timeout_ms = 1000};
    dg_transport *t = NULL;
    dg_error err = {0};
    if (dg_transport_open(&c, &t, &err))
        die("local open", &err);
    fprintf(stderr, "No network (durability floor):\n");
    job j = {GET_SMALL, t, "small", "got-local"};
    char got_local[600], got_loop[600], got_cp[600];
    snprintf(got_local, sizeof got_local, "%s/got-local", g_work);
    snprintf(got_loop, sizeof got_loop, "%s/got-loop", g_work);
    snprintf(got_cp, sizeof got_cp, "%s/got-cp", g_work);
    compare("local fetch small files", ".part+fdatasync loop", g_small, "files", &j,
            &(ref){NULL, NULL, fetch_loop}, got_local, got_loop);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp %s/small/* %s/", g_work, got_cp);
    compare("local fetch small, cp ref", "cp + fsync", g_small, "files", &j,
            &(ref){cmd, got_cp, NULL}, got_local, got_cp);
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
                    "[--repeat N] [--only local|sftp|ftp]\n",
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
    if (!only || !strcmp(only, "local"))
        bench_floor();
    if (!only || !strcmp(only, "sftp"))
        bench_sftp();
    if (!only || !strcmp(only, "ftp"))
        bench_ftp();
    printf("| transfer | dropgate best (slowest) | reference | best (slowest) | ratio of best | "
           "median of rounds |\n"
           "|---|---|---|---|---:|---:|\n");
    for (int i = 0; i < g_nrows; i++) {
        row *r = &g_rows[i];
        printf("| %s | %.1f (%.1f) %s/s | %s | %.1f (%.1f) %s/s | %.2fx | %.2fx |\n", r->what,
               r->units / r->ours, r->units / r->ours_worst, r->unit, r->ref, r->units / r->theirs,
               r->units / r->theirs_worst, r->unit, r->theirs / r->ours, r->median_ratio);
    }
    rmtree(g_work);
    return 0;
}
