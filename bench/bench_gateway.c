/* Gateway benchmark: N storefront orders (default 10,000) dropped as CSV files on local folders
 * go through one poll cycle end to end: pickup, mapping, routing, supplier PO emission (X12 850
 * for northwind, CSV for brightline) into the outbox and upload into the suppliers' folders.
 * Prints orders/s and POs/s by the wall clock and per CPU second (user + sys of the cycle), and
 * the peak RSS. Usage: bench_gateway [SOURCE_DIR] [ORDERS] [ORDERS_PER_FILE] [POS_PER_FILE]
 * (POS_PER_FILE: both suppliers' outbound po_per_file, default 1: one PO per file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/log.h"
#include "gateway/gateway.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* User + system CPU seconds of this process so far. */
static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void run(const char *cmd)
{
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_gateway: failed: %s\n", cmd);
        exit(2);
    }
}

static void write_text(const char *path, const char *text)
{
    dg_error err = {0};
    if (dg_fs_write_atomic(path, text, strlen(text), &err)) {
        fprintf(stderr, "bench_gateway: %s\n", err.msg);
        exit(2);
    }
}

/* Stock feeds deep enough for every order (the demo's are a few units). */
static void write_feeds(const char *dir)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/drops/brightline/feeds/inventory-bench.csv", dir);
    write_text(path,
               "item_id,sku_id,title,upc,quantity_in_stock,wholesale_cost,msrp,warehouse,"
               "restock_date,as_of\n"
               "P-4,BL-1004,Tea Sampler,012345678936,10000000,5.20,12.49,OH1,,2026-11-20\n"
               "P-7,BL-1007,Milk Frother,012345678967,10000000,11.40,29.99,OH1,,2026-11-20\n");
    snprintf(path, sizeof path, "%s/drops/northwind/outbound/846_20261120.edi", dir);
    write_text(path, "ISA*00*          *00*          *ZZ*NORTHWIND      *ZZ*DROPGATE       "
                     "*261120*0600*U*00401*000004601*0*P*>~\n"
                     "GS*IB*NORTHWIND*DROPGATE*20261120*0600*4601*X*004010~\nST*846*0001~\n"
                     "BIA*00*DD*INV-NW-BENCH*20261120~\n"
                     "LIN*1*VP*NW-1001~\nCTP**WHL*4.10~\nQTY*33*10000000*EA~\n"
                     "LIN*2*VP*NW-1006~\nCTP**WHL*48.00~\nQTY*33*10000000*EA~\n"
                     "CTT*2~\nSE*10*0001~\nGE*1*4601~\nIEA*1*000004601~\n");
}

static void write_orders(const char *dir, long orders, long per_file)
{
    static const char *hdr =
        "Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Shipping Method,"
        "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,"
        "Shipping Company,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,"
        "Shipping Province,Shipping Country,Shipping Phone,Notes\n";
    char path[2048];
    snprintf(path, sizeof path, "%s/drops/shopfront/orders/orders-20261120.csv", dir);
    unlink(path); /* the demo's own orders are not part of the figure */
    FILE *f = NULL;
    for (long i = 0; i < orders; i++) {
        if (i % per_file == 0) {
            if (f)
                fclose(f);
            snprintf(path, sizeof path, "%s/drops/shopfront/orders/bench-%06ld.csv", dir,
                     i / per_file);
            f = fopen(path, "w");
            if (!f) {
                perror(path);
                exit(2);
            }
            fputs(hdr, f);
        }
        long n = 100000 + i;
        /* One line for northwind; every other order also a line for brightline (a split). */
        fprintf(f,
                "#%ld,c%ld@example.com,paid,USD,40.00,0,0,40.00,Standard,2026-11-20 10:00:00 "
                "-0500,2,Ceramic Mug,14.99,SF-1001,Customer %ld,,%ld Main St,,Austin,78701,TX,"
                "US,,\n",
                n, n, n, i % 900 + 1);
        if (i % 2)
            fprintf(f,
                    "#%ld,,,,,,,,,2026-11-20 10:00:00 -0500,1,Tea Sampler,12.49,SF-1004,,,,,"
                    ",,,,,\n",
                    n);
    }
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    const char *src =
        argc > 1 ? argv[1] : (getenv("DG_SOURCE_DIR") ? getenv("DG_SOURCE_DIR") : ".");
    long orders = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
    long per_file = argc > 3 ? strtol(argv[3], NULL, 10) : 500;
    long pos_per_file = argc > 4 ? strtol(argv[4], NULL, 10) : 1;
    if (orders <= 0 || per_file <= 0 || pos_per_file <= 0)
        return 2;
    /* DG_BENCH_PREPARE=DIR: only set the tree up in DIR (an empty folder) and stop, for
     * bench_instances.sh, which runs `dropgate run` processes on it. */
    const char *prepare = getenv("DG_BENCH_PREPARE");
    char dir[2048] = "/tmp/dropgate-bench-XXXXXX";
    if (prepare && *prepare)
        snprintf(dir, sizeof dir, "%s", prepare);
    else if (!mkdtemp(dir))
        return 2;
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cp -r '%s/etc' '%s/mappings' '%s/edi' '%s/' && cp -r '%s/samples/demo/drops' "
             "'%s/drops' && rm -f '%s'/drops/northwind/outbound/* '%s'/drops/brightline/feeds/*",
             src, src, src, dir, src, dir, dir, dir);
    run(cmd);
    write_feeds(dir);
    write_orders(dir, orders, per_file);
    /* max_files: take every order file in this one cycle. */
    snprintf(cmd, sizeof cmd,
             "sed -i 's/max_files: 100/max_files: 0/' '%s/etc/partners/shopfront.yaml'", dir);
    run(cmd);
    if (pos_per_file > 1) {
        snprintf(
            cmd, sizeof cmd,
            "sed -i 's|^  po_mapping: .*|&\\n  po_per_file: %ld|' '%s/etc/partners/northwind.yaml' "
            "'%s/etc/partners/brightline.yaml'",
            pos_per_file, dir, dir);
        run(cmd);
    }
    if (prepare && *prepare)
        return 0;
    if (!getenv("DG_LOG_LEVEL"))
        dg_log_set_level(DG_LOG_WARN);
    char cfg_path[2100];
    snprintf(cfg_path, sizeof cfg_path, "%s/etc/dropgate.yaml", dir);
    dg_error err = {0};
    dg_gw_config *cfg = NULL;
    dg_gw *g = NULL;
    if (dg_gw_config_load(cfg_path, dir, &cfg, &err) || dg_gw_open(cfg, &g, &err)) {
        fprintf(stderr, "bench_gateway: %s\n", err.msg);
        return 2;
    }
    double t0 = now_s(), c0 = cpu_s();
    int rc = dg_gw_cycle(g, NULL, false, &err);
    double t = now_s() - t0, cpu = cpu_s() - c0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (rc)
        fprintf(stderr, "bench_gateway: %s\n", err.msg);
    const dg_gw_stats *s = dg_gw_get_stats(g);
    snprintf(cmd, sizeof cmd,
             "ls '%s/drops/northwind/inbound' | grep -c '^POS\\?_' ; ls '%s/drops/brightline/po' | "
             "grep -c '^POS\\?_'",
             dir, dir);
    printf("bench_gateway: %ld orders in %ld file(s) -> %ld order(s) placed, %ld PO(s) rendered "
           "and uploaded (up to %ld per file), %ld quarantined in %.2f s: %.0f orders/s, "
           "%.0f POs/s\n",
           orders, (orders + per_file - 1) / per_file, s->orders, s->pos_sent, pos_per_file,
           s->quarantined, t, (double)s->orders / t, (double)s->pos_sent / t);
    printf("bench_gateway: cpu %.2f s (user+sys): %.0f orders per cpu-s; peak RSS %ld MB\n", cpu,
           (double)s->orders / cpu, ru.ru_maxrss / 1024);
    printf("PO files at the suppliers (northwind, brightline):\n");
    fflush(stdout);
    run(cmd);
    dg_gw_close(g);
    dg_gw_config_free(cfg);
    if (!getenv("DG_BENCH_KEEP") || !*getenv("DG_BENCH_KEEP")) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        run(cmd);
    } else {
        printf("kept %s\n", dir);
    }
    /* every order placed, and every PO (one per order, one more for every other) uploaded */
    return rc || s->orders != orders || s->pos_sent != orders + orders / 2 ? 1 : 0;
}
