/* Benchmark of the dropship flow: N generated storefront orders (1-5 lines over the demo catalog)
 * through ingest + routing + PO emission (pending POs, control numbers, outbox, sent) on a temp db.
 *
 *   bench_flow [--orders N] [--batch K] [--files] [--source DIR] [--keep]
 *
 * --batch K: orders per transaction (the gateway commits once per picked-up file); default 1.
 * --files: also write every rendered PO into an outbox folder (atomic write + fsync), as the
 * gateway does; without it the PO is rendered to JSON and hashed only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/model_json.h"
#include "flow/flow.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static dg_doc *gen_order(long i)
{
    static const char *const countries[] = {"US", "US", "US", "US", "CA"};
    dg_doc *d = dg_doc_new(DG_DOC_ORDER);
    dg_arena *a = d->arena;
    dg_order *o = &d->u.order;
    o->order_number = dg_arena_printf(a, "B%06ld", i);
    o->order_date = dg_arena_strdup(a, "2026-11-20");
    o->currency = dg_arena_strdup(a, "USD");
    o->ship_to.name = dg_arena_printf(a, "Customer %ld", i);
    o->ship_to.address1 = dg_arena_printf(a, "%ld Main St", i % 999 + 1);
    o->ship_to.city = dg_arena_strdup(a, "Austin");
    o->ship_to.state = dg_arena_strdup(a, "TX");
    o->ship_to.postal_code = dg_arena_strdup(a, "78701");
    o->ship_to.country = dg_arena_strdup(a, countries[rnd(5)]);
    o->service_level = dg_arena_strdup(a, "Standard");
    int n = 1 + (int)rnd(5);
    for (int k = 0; k < n; k++) {
        dg_order_line *l = dg_order_add_line(d);
        l->line_number = dg_arena_printf(a, "%d", k + 1);
        l->vendor_sku = dg_arena_printf(a, "SF-%d", 1001 + (int)rnd(10));
        l->quantity = dg_dec_from_int(1 + rnd(3));
        l->unit_price = (dg_dec){(int64_t)(50000 + rnd(900000)), true};
    }
    return d;
}

static void stock_feed(dg_store *s, const char *supplier, const char *prefix)
{
    dg_doc *d = dg_doc_new(DG_DOC_STOCK);
    for (int k = 1001; k <= 1010; k++) {
        dg_stock_item *it = dg_stock_add_item(d);
        it->vendor_sku = dg_arena_printf(d->arena, "%s-%d", prefix, k);
        it->quantity_available = dg_dec_from_int(100000000);
    }
    dg_flow_stock_result r;
    dg_error err = {0};
    if (dg_flow_ingest_stock(s, supplier, d, 0, &r, &err)) {
        fprintf(stderr, "stock: %s\n", err.msg);
        exit(1);
    }
    dg_doc_free(d);
}

#define CHECK(call)                                                                                \
    do {                                                                                           \
        if ((call)) {                                                                              \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, err.msg);                           \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* "Renders" a PO (JSON) and puts it in the outbox exactly as the gateway would. */
static void emit(dg_store *s, const dg_flow_po *po, const char *outdir, long *bytes)
{
    dg_error err = {0};
    bool x12 = !strcmp(po->supplier, "northwind");
    char ic[16] = "", gc[16] = "", sc[16] = "";
    CHECK(dg_store_begin(s, &err));
    if (x12) {
        int64_t v;
        CHECK(dg_store_next_control(s, po->supplier, DG_CTL_INTERCHANGE, &v, &err));
        snprintf(ic, sizeof ic, "%09lld", (long long)v);
        CHECK(dg_store_next_control(s, po->supplier, DG_CTL_GROUP, &v, &err));
        snprintf(gc, sizeof gc, "%lld", (long long)v);
        CHECK(dg_store_next_control(s, po->supplier, DG_CTL_SET, &v, &err));
        snprintf(sc, sizeof sc, "%04lld", (long long)v);
    }
    dg_buf b = DG_BUF_INIT;
    CHECK(dg_doc_to_json(po->doc, 0, &b, &err));
    *bytes += (long)b.len;
    char sha[DG_SHA256_HEX_LEN], name[256], path[1400];
    dg_sha256_hex(b.data, b.len, sha);
    snprintf(name, sizeof name, "PO_%s.%s", po->po_number, x12 ? "edi" : "csv");
    snprintf(path, sizeof path, "%s/%s/%s", outdir ? outdir : "-", po->supplier, name);
    if (outdir)
        CHECK(dg_fs_write_atomic(path, b.data, b.len, &err));
    dg_buf_free(&b);
    dg_flow_envelope env = {ic, gc, sc};
    int64_t ob = 0;
    CHECK(dg_flow_po_queued(s, po->po_number, name, sha, path, x12 ? &env : NULL, x12, &ob, &err));
    CHECK(dg_store_commit(s, &err));
    /* The upload would happen here; then the confirmation. */
    CHECK(dg_flow_outbox_sent(s, ob, &err));
}

int main(int argc, char **argv)
{
    long orders = 10000, batch = 1;
    bool files = false, keep = false;
    const char *source = getenv("DG_SOURCE_DIR");
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--orders") && i + 1 < argc)
            orders = atol(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
            batch = atol(argv[++i]);
        else if (!strcmp(argv[i], "--source") && i + 1 < argc)
            source = argv[++i];
        else if (!strcmp(argv[i], "--files"))
            files = true;
        else if (!strcmp(argv[i], "--keep"))
            keep = true;
        else {
            fprintf(stderr,
                    "usage: %s [--orders N] [--batch K] [--files] [--source DIR] "
                    "[--keep]\n",
                    argv[0]);
            return 2;
        }
    }
    if (!source)
        source = ".";
    if (batch < 1)
        batch = 1;
    char dir[] = "/tmp/bench_flow-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char db[256], outdir[256], path[1200];
    snprintf(db, sizeof db, "%s/dropgate.db", dir);
    snprintf(outdir, sizeof outdir, "%s/outbox", dir);
    dg_error err = {0};
    dg_store *s = NULL;
    dg_flow_rules *r = NULL;
    CHECK(dg_store_open(db, &s, &err));
    snprintf(path, sizeof path, "%s/etc/routing.yaml", source);
    CHECK(dg_flow_rules_load(path, &r, &err));
    snprintf(path, sizeof path, "%s/etc/catalog.csv", source);
    size_t cat = 0;
    CHECK(dg_flow_catalog_load(s, path, &cat, &err));
    stock_feed(s, "northwind", "NW");
    stock_feed(s, "brightline", "BL");
    if (files) {
        snprintf(path, sizeof path, "%s/northwind", outdir);
        CHECK(dg_fs_mkdirs(path, &err));
        snprintf(path, sizeof path, "%s/brightline", outdir);
        CHECK(dg_fs_mkdirs(path, &err));
    }

    long lines = 0, matched = 0, pos_created = 0, dup = 0;
    double t0 = now_s();
    for (long i = 0; i < orders; i += batch) {
        CHECK(dg_store_begin(s, &err));
        int64_t fid = 0;
        char sha[80];
        snprintf(sha, sizeof sha, "%064ld", i);
        CHECK(dg_store_file_add(s, sha, "shopfront", "in", "orders.csv", 1, &fid, &err));
        for (long k = i; k < i + batch && k < orders; k++) {
            dg_doc *d = gen_order(k);
            d->source.position = k - i;
            dg_flow_order_result res;
            CHECK(dg_flow_ingest_order(s, r, "shopfront", d, fid, &res, &err));
            lines += (long)res.lines;
            matched += (long)res.matched;
            pos_created += (long)res.pos_created;
            dup += res.outcome == DG_FLOW_DUPLICATE;
            dg_doc_free(d);
        }
        CHECK(dg_store_commit(s, &err));
    }
    double t1 = now_s();
    dg_flow_po *pos = NULL;
    size_t n = 0;
    CHECK(dg_flow_pending_pos(s, NULL, &pos, &n, &err));
    double t2 = now_s();
    long bytes = 0;
    for (size_t i = 0; i < n; i++)
        emit(s, &pos[i], files ? outdir : NULL, &bytes);
    dg_flow_pos_free(pos, n);
    double t3 = now_s();

    dg_outbox_entry *left = NULL;
    size_t n_left = 0;
    CHECK(dg_store_outbox_pending(s, NULL, &left, &n_left, &err));
    dg_store_outbox_free(left, n_left);
    size_t n_pending = 0;
    CHECK(dg_flow_pending_pos(s, NULL, &pos, &n_pending, &err));
    dg_flow_pos_free(pos, n_pending);

    printf("orders          %ld (%ld lines, %ld matched, %ld duplicates), batch %ld\n", orders,
           lines, matched, dup, batch);
    printf("ingest+routing  %.2f s  %.0f orders/s\n", t1 - t0, (double)orders / (t1 - t0));
    printf("pending POs     %zu POs listed in %.2f s\n", n, t2 - t1);
    printf("PO emission     %.2f s  %.0f POs/s (%s, %ld bytes rendered)\n", t3 - t2,
           (double)n / (t3 - t2), files ? "files written + fsync" : "rendered + hashed", bytes);
    printf("total           %.2f s  %.0f orders/s end to end\n", t3 - t0,
           (double)orders / (t3 - t0));
    printf("check           POs created %ld, emitted %zu, outbox left %zu, pending left %zu\n",
           pos_created, n, n_left, n_pending);
    int rc = ((long)n == pos_created && n_left == 0 && n_pending == 0) ? 0 : 1;
    dg_flow_rules_free(r);
    dg_store_close(s);
    if (!keep) {
        snprintf(path, sizeof path, "rm -rf '%s'", dir);
        if (system(path) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    } else {
        printf("kept            %s\n", dir);
    }
    if (rc)
        fprintf(stderr, "FAILED: not every PO was emitted exactly once\n");
    return rc;
}
