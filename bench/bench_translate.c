/* Mapping benchmark: generates a large X12 850 file, a large storefront CSV order export and a
 * large storefront JSON orders file ({"orders": [...]}), translates each to canonical JSON
 * through the shipped mappings, reports MB/s and orders/s; the JSON runs in a child process so
 * its peak RSS is its own, beside `cat` of the same file.
 * usage: bench_translate [MB per file (64)] [source dir (DG_SOURCE_DIR or .)] [passes (3)]
 *                        [x12|csv|json: only that one, e.g. under perf record]
 *        bench_translate MB --out DIR   only writes DIR/orders.edi and DIR/orders.csv */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/model_json.h"
#include "map/map.h"

#include "bench_stats.h"

typedef struct {
    dg_buf json;
    size_t docs, lines, json_bytes;
} bench_sink;

/* What translate does per document: serialise to JSON and let it go. */
static int sink(void *ctx, dg_doc *doc, dg_error *err)
{
    bench_sink *b = ctx;
    dg_buf_clear(&b->json);
    int rc = dg_doc_to_json(doc, 0, &b->json, err);
    b->json_bytes += b->json.len + 2;
    b->docs++;
    b->lines += doc->kind == DG_DOC_ORDER ? doc->u.order.n_lines : 0;
    dg_doc_free(doc);
    return rc;
}

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* An 850 per order: header, ship-to and bill-to loops, 1-5 PO1/PID lines. */
static size_t gen_850(const char *path, size_t target)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fputs("ISA*00*          *00*          *ZZ*SHOPFRONT      *ZZ*NORTHWIND      "
          "*240301*1015*U*00401*000000101*0*P*>~\n"
          "GS*PO*SHOPFRONT*NORTHWIND*20240301*1015*101*X*004010~\n",
          f);
    size_t n = 0;
    while ((size_t)ftell(f) < target) {
        n++;
        int lines = 1 + (int)(n % 5), segs = 0;
        segs += fprintf(f, "ST*850*%04zu~\n", n) > 0;
        segs +=
            fprintf(f,
                    "BEG*00*DS*PO-%08zu**20240301~\nCUR*BY*USD~\nREF*CO*%zu~\nDTM*010*20240304~\n"
                    "TD5**2*UPSN**GROUND~\n",
                    n, 100000 + n) > 0
                ? 5
                : 0;
        segs += fprintf(f,
                        "N1*ST*Customer %zu~\nN3*%zu Oak Street*Apt %zu~\nN4*Austin*TX*78701*US~\n"
                        "PER*IC**TE*512-555-0100*EM*c%zu@example.com~\n",
                        n, n % 9000, n % 50, n) > 0
                    ? 4
                    : 0;
        segs +=
            fprintf(
                f,
                "N1*BT*Shopfront Inc*92*SHOPFRONT~\nN3*1 Market Way~\nN4*Denver*CO*80202*US~\n") > 0
                ? 3
                : 0;
        for (int l = 1; l <= lines; l++)
            segs +=
                fprintf(f,
                        "PO1*%d*%d*EA*%d.%02d**VP*SKU-%05zu-%d*UP*0123456%05d~\nPID*F****Product "
                        "%zu-%d~\n",
                        l, l + 1, 3 + l, (int)(n % 100), n % 50000, l, (int)(n % 100000), n, l) > 0
                    ? 2
                    : 0;
        segs += fprintf(f, "CTT*%d~\n", lines) > 0;
        fprintf(f, "SE*%d*%04zu~\n", segs + 1, n);
    }
    fprintf(f, "GE*%zu*101~\nIEA*1*000000101~\n", n);
    size_t size = (size_t)ftell(f);
    fclose(f);
    return size;
}

/* Storefront export: one row per line item, order fields on the first row of each order. */
static size_t gen_csv(const char *path, size_t target)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fputs("Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Shipping Method,"
          "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,"
          "Shipping Company,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,"
          "Shipping Province,Shipping Country,Shipping Phone,Notes\n",
          f);
    size_t n = 0;
    while ((size_t)ftell(f) < target) {
        n++;
        int lines = 1 + (int)(n % 4);
        for (int l = 1; l <= lines; l++) {
            if (l == 1)
                fprintf(f,
                        "#%zu,c%zu@example.com,paid,USD,74.97,5.00,6.19,\"1,086.16\",Standard,"
                        "2024-03-01 10:15:32 -0500,%d,\"Ceramic Mug, Blue\",12.99,MUG-%05zu,"
                        "Customer %zu,,%zu Main St,Apt 4,Austin,'%05zu,TX,United States,"
                        "+1 512 555 0100,\"Leave at door, thanks\"\n",
                        1000 + n, n, l, n % 50000, n, n % 9000, n % 99999);
            else
                fprintf(f,
                        "#%zu,c%zu@example.com,,,,,,,,2024-03-01 10:15:32 -0500,%d,"
                        "Pour-Over Kettle,48.99,KET-%05zu-%d,,,,,,,,,,\n",
                        1000 + n, n, l, n % 50000, l);
        }
    }
    size_t size = (size_t)ftell(f);
    fclose(f);
    return size;
}

/* Storefront REST orders: 1-4 line items (every fifth order has a gift card), addresses, a
 * shipping line, as the storefront's list response. */
static size_t gen_json(const char *path, size_t target)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fputs("{\"orders\": [\n", f);
    size_t n = 0;
    while ((size_t)ftell(f) < target) {
        n++;
        fprintf(f,
                "%s{\"id\": %zu, \"name\": \"#%zu\", \"email\": \"c%zu@example.com\", "
                "\"created_at\": \"2024-03-01T10:15:32-05:00\", \"currency\": \"USD\", "
                "\"test\": false, \"total_price\": \"86.96\", \"note\": \"Leave at door, "
                "thanks\",\n \"line_items\": [",
                n > 1 ? ",\n" : "", 5000000 + n, 1000 + n, n);
        int lines = 1 + (int)(n % 4);
        for (int l = 1; l <= lines; l++)
            fprintf(f,
                    "%s{\"id\": %d, \"sku\": \"MUG-%05zu-%d\", \"title\": \"Ceramic Mug, "
                    "Blue\", \"quantity\": %d, \"price\": \"12.99\", \"grams\": 350, "
                    "\"requires_shipping\": true, \"gift_card\": false}",
                    l > 1 ? ", " : "", l, n % 50000, l, l);
        if (n % 5 == 0)
            fputs(", {\"id\": 9, \"sku\": \"GIFT-25\", \"title\": \"Gift Card\", "
                  "\"quantity\": 1, \"price\": \"25.00\", \"requires_shipping\": false, "
                  "\"gift_card\": true}",
                  f);
        fprintf(f,
                "],\n \"shipping_address\": {\"name\": \"Customer %zu\", \"address1\": \"%zu "
                "Main St\", \"address2\": \"Apt 4\", \"city\": \"Austin\", \"province\": "
                "\"Texas\", \"province_code\": \"TX\", \"zip\": \"%05zu\", \"country\": "
                "\"United States\", \"country_code\": \"US\", \"phone\": \"+1 512 555 0100\"},\n"
                " \"billing_address\": {\"name\": \"Customer %zu\", \"address1\": \"%zu Main "
                "St\", \"city\": \"Austin\", \"province_code\": \"TX\", \"zip\": \"%05zu\", "
                "\"country_code\": \"US\"},\n \"shipping_lines\": [{\"code\": \"STANDARD\", "
                "\"title\": \"Standard\", \"price\": \"5.00\"}]}",
                n, n % 9000, n % 99999, n, n % 9000, n % 99999);
    }
    fputs("\n]}\n", f);
    size_t size = (size_t)ftell(f);
    fclose(f);
    return size;
}

/* MB per CPU second of each pass, for the summary (median and best over the passes). */
typedef struct {
    double mbs[64];
    int n;
} rates;

static void summary(const char *label, rates *r)
{
    if (!r->n)
        return;
    qsort(r->mbs, (size_t)r->n, sizeof *r->mbs, bench_cmp_double);
    printf("%-22s median %6.1f MB/s, best %6.1f, worst %6.1f per cpu-s over %d passes\n", label,
           r->mbs[r->n / 2], r->mbs[r->n - 1], r->mbs[0], r->n);
}

static int run(const char *label, const char *map_path, const char *input, size_t size, rates *rt)
{
    dg_mapping *m = NULL;
    dg_error err = {0};
    if (dg_map_load(map_path, &m, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    bench_sink b = {DG_BUF_INIT, 0, 0, 0};
    double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    int rc = dg_map_read_file(m, input, sink, &b, &err);
    double dt = clock_s(CLOCK_MONOTONIC) - t0, ct = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    /* rates per CPU second: on a shared machine the wall clock also counts other processes */
    if (!rc && rt->n < 64)
        rt->mbs[rt->n++] = (double)size / 1e6 / ct;
    if (rc)
        fprintf(stderr, "%s: %s\n", label, err.msg);
    else
        printf("%-22s %6.1f MB, wall %5.3f s, cpu %5.3f s: %6.1f MB/s, %8.0f orders/s, %8.0f "
               "lines/s per cpu-s (wall %5.1f MB/s; %zu orders, JSON %.1f MB)\n",
               label, (double)size / 1e6, dt, ct, (double)size / 1e6 / ct, (double)b.docs / ct,
               (double)b.lines / ct, (double)size / 1e6 / dt, b.docs, (double)b.json_bytes / 1e6);
    dg_buf_free(&b.json);
    dg_map_free(m);
    return rc ? 1 : 0;
}

static double tv_s(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

/* The pass in a child process: its peak RSS is the mapping's alone, not the generators' or the
 * other formats'. */
static int run_forked(const char *label, const char *map_path, const char *input, size_t size,
                      rates *rt)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        rates none = {{0}, 0};
        int rc = run(label, map_path, input, size, &none);
        fflush(stdout);
        _exit(rc);
    }
    int st = 0;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
        return 1;
    double cpu = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
    if (rt->n < 64)
        rt->mbs[rt->n++] = (double)size / 1e6 / cpu;
    printf("%-22s peak RSS %ld KB (the whole translate process)\n", label, ru.ru_maxrss);
    return 0;
}

/* `cat FILE > /dev/null`: what reading the file costs at all. */
static void cat_baseline(const char *input, size_t size)
{
    fflush(stdout);
    double t0 = clock_s(CLOCK_MONOTONIC);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd < 0 || dup2(fd, 1) < 0)
            _exit(97);
        execlp("cat", "cat", input, (char *)NULL);
        _exit(98);
    }
    int st = 0;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &st, 0, &ru) != pid)
        return;
    double dt = clock_s(CLOCK_MONOTONIC) - t0, cpu = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
    printf("%-22s %6.1f MB, wall %5.3f s, cpu %5.3f s: %6.1f MB/s per cpu-s (wall %5.1f MB/s), "
           "peak RSS %ld KB\n",
           "cat (baseline)", (double)size / 1e6, dt, cpu,
           (double)size / 1e6 / (cpu > 0 ? cpu : 1e-9), (double)size / 1e6 / dt, ru.ru_maxrss);
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[2], "--out")) { /* bench_translate MB --out DIR: files only */
        char p1[4096], p2[4096];
        size_t target = (size_t)strtoul(argv[1], NULL, 10) << 20;
        snprintf(p1, sizeof p1, "%s/orders.edi", argv[3]);
        snprintf(p2, sizeof p2, "%s/orders.csv", argv[3]);
        if (!gen_850(p1, target) || !gen_csv(p2, target))
            return 1;
        printf("generated %s and %s\n", p1, p2);
        return 0;
    }
    size_t mb = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 64;
    const char *src = argc > 2 ? argv[2] : getenv("DG_SOURCE_DIR") ? getenv("DG_SOURCE_DIR") : ".";
    char dir[] = "/tmp/dg-bench-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char edi[64], csv[64], json[64], m850[1024], mcsv[1024], mjson[1024];
    snprintf(edi, sizeof edi, "%s/orders.edi", dir);
    snprintf(csv, sizeof csv, "%s/orders.csv", dir);
    snprintf(json, sizeof json, "%s/orders.json", dir);
    snprintf(mjson, sizeof mjson, "%s/mappings/storefront-order-json-in.yaml", src);
    snprintf(m850, sizeof m850, "%s/mappings/x12-850-in.yaml", src);
    snprintf(mcsv, sizeof mcsv, "%s/mappings/storefront-orders-csv-in.yaml", src);
    const char *only = argc > 4 ? argv[4] : "";
    bool do_x12 = !*only || !strcmp(only, "x12"), do_csv = !*only || !strcmp(only, "csv");
    bool do_json = !*only || !strcmp(only, "json");
    size_t s1 = do_x12 ? gen_850(edi, mb << 20) : 0, s2 = do_csv ? gen_csv(csv, mb << 20) : 0;
    size_t s3 = do_json ? gen_json(json, mb << 20) : 0;
    int rc = 0;
    int passes = argc > 3 ? atoi(argv[3]) : 3;
    rates r1 = {{0}, 0}, r2 = {{0}, 0}, r3 = {{0}, 0};
    for (int rep = 0; rep < passes && !rc; rep++) { /* the first pass also warms the cache */
        printf("-- pass %d --\n", rep + 1);
        if (do_x12)
            rc |= run("x12 850 -> JSON", m850, edi, s1, &r1);
        if (do_csv)
            rc |= run("storefront csv -> JSON", mcsv, csv, s2, &r2);
        if (do_json) {
            rc |= run_forked("storefront json -> JSON", mjson, json, s3, &r3);
            cat_baseline(json, s3);
        }
    }
    /* on a shared machine single passes swing with the other jobs: the median says more */
    printf("-- summary --\n");
    summary("x12 850 -> JSON", &r1);
    summary("storefront csv -> JSON", &r2);
    summary("storefront json -> JSON", &r3);
    unlink(edi);
    unlink(csv);
    unlink(json);
    rmdir(dir);
    return rc;
}
