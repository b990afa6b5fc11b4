/* X12 reader benchmark: generates one interchange of many 850s and 856s into a temp file and times
 * dg_x12_parse_file (and parse + validate against edi/), with peak RSS at two sizes.
 *
 *   bench_x12 [MB] [--validate] [--keep] [--passes N]   (default 200 MB, 5 passes; also MB/4)
 *   bench_x12 MB --out PATH     only writes the MB file to PATH (for bench/bench_validate.sh)
 *
 * Each measurement runs N passes over the file (in the page cache) in a fresh process and
 * reports the best and the median pass, by the wall clock and per CPU second of the process
 * (the VM is shared: the wall clock also counts the other jobs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "x12/validate.h"
#include "x12/x12.h"

#include "bench_stats.h"

static void gen_850(dg_buf *b, long n, int lines)
{
    dg_buf_printf(b, "ST*850*%04ld~\nBEG*00*DS*PO%07ld**20240131~\nREF*DP*038~\n", n % 10000, n);
    dg_buf_printf(b, "DTM*002*20240207~\nN1*ST*JOHN SMITH %ld*92*C%06ld~\n", n, n);
    dg_buf_puts(b, "N3*123 MAIN STREET*APT 4~\nN4*SPRINGFIELD*IL*62701*US~\n");
    for (int l = 1; l <= lines; l++)
        dg_buf_printf(b,
                      "PO1*%d*%d*EA*%d.99**VP*SKU-%05d*UP*0123456%05d~\n"
                      "PID*F****WIDGET NUMBER %d IN BLUE~\n",
                      l, 1 + l % 4, 10 + l, l, l, l);
    dg_buf_printf(b, "CTT*%d~\nSE*%d*%04ld~\n", lines, 9 + 2 * lines, n % 10000);
}

static void gen_856(dg_buf *b, long n, int items)
{
    dg_buf_printf(b, "ST*856*%04ld~\nBSN*00*SH%07ld*20240131*1200~\nHL*1**S~\n", n % 10000, n);
    dg_buf_printf(b, "TD5*B*2*UPSN*U*UPS GROUND~\nREF*CN*1Z999AA1%010ld~\nDTM*011*20240131~\n", n);
    dg_buf_printf(b, "N1*ST*JOHN SMITH %ld*92*C%06ld~\nN3*123 MAIN STREET~\n", n, n);
    dg_buf_printf(b, "N4*SPRINGFIELD*IL*62701*US~\nHL*2*1*O~\nPRF*PO%07ld***20240131~\n", n);
    dg_buf_printf(b, "HL*3*2*P~\nMAN*GM*0001234567%010ld~\n", n);
    for (int i = 1; i <= items; i++)
        dg_buf_printf(b, "HL*%d*3*I~\nLIN*%d*VP*SKU-%05d*UP*0123456%05d~\nSN1*%d*%d*EA~\n", 3 + i,
                      i, i, i, i, 1 + i % 3);
    dg_buf_printf(b, "CTT*%d~\nSE*%d*%04ld~\n", 3 + items, 15 + 3 * items, n % 10000);
}

/* Writes about `bytes` of X12 to path; returns the size written. */
static long generate(const char *path, long bytes, long *n_sets)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "ISA*00*          *00*          *ZZ*DROPGATE       *ZZ*SUPPLIER       "
                    "*240131*1200*U*00401*000000001*0*P*>~\n");
    long total = 0, n = 0, groups = 0;
    while (total + (long)b.len < bytes) {
        int is_po = groups % 2 == 0;
        groups++;
        dg_buf_printf(&b, "GS*%s*DROPGATE*SUPPLIER*20240131*1200*%ld*X*004010~\n",
                      is_po ? "PO" : "SH", groups);
        int sets = 0;
        for (; sets < 1000 && total + (long)b.len < bytes; sets++) {
            n++;
            if (is_po)
                gen_850(&b, n, 3 + (int)(n % 17));
            else
                gen_856(&b, n, 2 + (int)(n % 11));
            if (b.len > (1u << 20)) {
                fwrite(b.data, 1, b.len, f);
                total += (long)b.len;
                dg_buf_clear(&b);
            }
        }
        dg_buf_printf(&b, "GE*%d*%ld~\n", sets, groups);
    }
    dg_buf_printf(&b, "IEA*%ld*000000001~\n", groups);
    fwrite(b.data, 1, b.len, f);
    total += (long)b.len;
    dg_buf_free(&b);
    if (fclose(f) != 0) {
        perror(path);
        exit(2);
    }
    *n_sets = n;
    return total;
}

typedef struct run_ctx {
    const dg_x12_defs *defs;
    long sets, segs, problems, set_errors;
} run_ctx;

static int count_problem(void *ctx, const dg_x12_problem *p)
{
    run_ctx *c = ctx;
    if (!p->warning && c->problems++ < 3)
        fprintf(stderr, "problem %s: %s\n", p->code, p->msg);
    return 0;
}

static int on_set(void *ctx, const dg_x12_set *set)
{
    run_ctx *c = ctx;
    c->sets++;
    c->segs += (long)set->n_segs;
    if (c->defs) {
        int n = dg_x12_validate_set(c->defs, set, count_problem, c);
        if (n > 0)
            c->set_errors++;
    }
    return 0;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* One measurement in a fresh process (this program run again with --measure), so that its peak
 * RSS is its own and not the generator's. */
static int passes = 5;

static void measure(const char *self, const char *path, long size, const char *edi_dir)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid > 0) {
        int st;
        waitpid(pid, &st, 0);
        return;
    }
    char sz[32], np[16];
    snprintf(sz, sizeof sz, "%ld", size);
    snprintf(np, sizeof np, "%d", passes);
    execl("/proc/self/exe", self, "--measure", path, sz, edi_dir ? edi_dir : "", np, (char *)NULL);
    perror(self);
    _exit(2);
}

static int run_measure(const char *path, long size, const char *edi_dir)
{
    const char *mode = edi_dir ? "parse+validate" : "parse";
    dg_x12_defs *defs = NULL;
    dg_error err = {0};
    if (edi_dir && dg_x12_defs_load(edi_dir, &defs, &err) != 0) {
        fprintf(stderr, "edi definitions: %s\n", err.msg);
        return 2;
    }
    dg_x12_callbacks cb = {0};
    cb.on_set = on_set;
    cb.on_problem = count_problem;
    double wall[64], cpu[64];
    int np = passes < 1 ? 1 : passes > 64 ? 64 : passes;
    run_ctx c = {0};
    for (int i = 0; i < np; i++) {
        memset(&c, 0, sizeof c);
        c.defs = defs;
        double t0 = now(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        int rc = dg_x12_parse_file(path, &cb, &c, &err);
        cpu[i] = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        wall[i] = now() - t0;
        if (rc != 0) {
            fprintf(stderr, "parse failed: %s\n", err.msg);
            return 2;
        }
    }
    double mb = (double)size / 1e6, mw = bench_median(wall, np), mc = bench_median(cpu, np);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%-15s %8.1f MB  %7.3f s  %8.1f MB/s  peak RSS %6.1f MB  set buffer %5zu KiB  "
           "sets %ld  segments %ld  envelope errors %ld  sets with errors %ld\n",
           mode, mb, wall[0], mb / wall[0], (double)ru.ru_maxrss / 1024.0,
           dg_x12_debug_peak_set_bytes() / 1024, c.sets, c.segs, c.problems, c.set_errors);
    printf("%-15s %8.1f MB  %d passes: median %7.1f MB/s wall, %7.1f MB/s per cpu-s "
           "(best %.1f / %.1f)\n",
           mode, mb, np, mb / mw, mb / mc, mb / wall[0], mb / cpu[0]);
    dg_x12_defs_free(defs);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && !strcmp(argv[1], "--measure")) {
        passes = atoi(argv[5]);
        return run_measure(argv[2], atol(argv[3]), *argv[4] ? argv[4] : NULL);
    }
    long mb = 200;
    int validate = 0, keep = 0;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--validate"))
            validate = 1;
        else if (!strcmp(argv[i], "--keep"))
            keep = 1;
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--passes") && i + 1 < argc && atoi(argv[i + 1]) > 0)
            passes = atoi(argv[++i]);
        else if (atol(argv[i]) > 0)
            mb = atol(argv[i]);
        else {
            fprintf(stderr, "usage: %s [MB] [--validate] [--keep] [--passes N] [--out PATH]\n",
                    argv[0]);
            return 2;
        }
    }
    if (out) {
        long n_sets, size = generate(out, mb * 1000000L, &n_sets);
        printf("generated %s: %ld bytes, %ld sets (850/856)\n", out, size, n_sets);
        return 0;
    }
    char edi_buf[4096];
    const char *edi_dir = validate ? dg_x12_find_edi_dir(argv[0], edi_buf, sizeof edi_buf) : NULL;
    if (validate && !edi_dir) {
        fprintf(stderr, "edi/ definitions not found (run from the source tree)\n");
        return 2;
    }
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    long sizes[2] = {mb / 4 > 0 ? mb / 4 : 1, mb};
    for (int s = 0; s < 2; s++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/bench_x12_%ldMB_%d.edi", tmp, sizes[s], (int)getpid());
        long n_sets;
        double t0 = now();
        long size = generate(path, sizes[s] * 1000000L, &n_sets);
        printf("generated %s: %ld bytes, %ld sets (850/856) in %.1f s\n", path, size, n_sets,
               now() - t0);
        measure(argv[0], path, size, NULL);
        if (validate)
            measure(argv[0], path, size, edi_dir);
        if (!keep)
            unlink(path);
    }
    return 0;
}
