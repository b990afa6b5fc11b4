/* Shared fixture for the flow tests: a temp database with test rules and a small catalog, and
 * builders for canonical orders, stock feeds, ASNs and invoices. */
#ifndef DG_FLOWTEST_H
#define DG_FLOWTEST_H

#include "pgtest.h"
#include "testutil.h"

#include "store/db.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flow/flow.h"

/* Catalog: A-1 at both suppliers (nw cheaper landed, bl cheaper cost), A-2 only bl, A-3 only nw,
 * A-4 bl (US only), A-5 nw not approved, A-6 both with bl preferred (and dearer). */
static const char ft_catalog[] =
    "# test catalog\n"
    "retailer_sku,gtin,supplier,supplier_sku,cost,priority,preferred,ship_estimate,"
    "dropship_fee,ship_to,approved,description\n"
    "A-1,000000000017,nw,NW-1,10.00,10,0,2.00,1.00,US|CA,1,Widget\n"
    "A-1,000000000017,bl,BL-1,9.00,20,0,4.00,1.00,US,1,Widget\n"
    "A-2,,bl,BL-2,5.00,10,0,1.00,0.50,US,1,Gadget\n"
    "A-3,,nw,NW-3,20.00,10,0,2.00,1.00,US|CA,1,\"Thing, large\"\n"
    "A-4,,bl,BL-4,3.00,10,0,1.00,0.50,US,1,Gizmo\n"
    "A-5,,nw,NW-5,3.00,10,0,1.00,0.50,,0,Recalled\n"
    "A-6,,nw,NW-6,8.00,10,0,1.00,1.00,US|CA,1,Doohickey\n"
    "A-6,,bl,BL-6,9.00,20,1,1.00,1.00,US|CA,1,Doohickey\n";

static const char ft_rules[] =
    "retailer: {id: RET, name: Retail Co, address1: 1 Main St, city: Portland, state: OR,\n"
    "           postal_code: \"97201\", country: US}\n"
    "choose: [preferred, landed_cost, priority]\n"
    "suppliers:\n"
    "  nw: {code: NW, stock_required: true, ack_after: 1h, asn_after: 2h}\n"
    "  bl: {code: BL, stock_required: true}\n"
    "reconcile:\n"
    "  price_tolerance_abs: 0.05\n"
    "  price_tolerance_pct: 2\n"
    "  max_freight: 10\n"
    "  max_charges: 3\n"
    "  total_tolerance: 0.01\n";

typedef struct ft {
    char *dir;
    dg_store *s;
    dg_flow_rules *r;
    int64_t file_seq;
} ft;

static inline dg_dec D(const char *s)
{
    dg_dec d = {0, false};
    assert_int_equal(dg_dec_parse(s, strlen(s), 0, &d), 0);
    return d;
}

static inline ft *ft_new_rules(const char *rules)
{
    ft *f = calloc(1, sizeof *f);
    f->dir = dg_test_tmpdir("flow");
    char path[4200];
    snprintf(path, sizeof path, "%s/dropgate.db", f->dir);
    dg_error err = {0};
    assert_int_equal(dg_store_open(dg_test_store_location(path), &f->s, &err), 0);
    int rc = dg_flow_rules_parse(rules, strlen(rules), "rules.yaml", &f->r, &err);
    if (rc)
        fail_msg("rules: %s", err.msg);
    snprintf(path, sizeof path, "%s/catalog.csv", f->dir);
    dg_test_write_file(path, ft_catalog);
    size_t n = 0;
    assert_int_equal(dg_flow_catalog_load(f->s, path, &n, &err), 0);
    assert_int_equal(n, 8);
    dg_store_set_now(f->s, 1700000000);
    return f;
}

static inline ft *ft_new(void)
{
    return ft_new_rules(ft_rules);
}

static inline void ft_free(ft *f)
{
    dg_store_close(f->s);
    dg_flow_rules_free(f->r);
    dg_test_rmtree(f->dir);
    free(f->dir);
    free(f);
}

/* A new archived file id (so every ingest has a distinct source). */
static inline int64_t ft_file(ft *f)
{
    char sha[80];
    snprintf(sha, sizeof sha, "%064lld", (long long)++f->file_seq);
    int64_t id = 0;
    dg_error err = {0};
    assert_int_equal(dg_store_file_add(f->s, sha, "t", "in", "f", 1, &id, &err), 0);
    return id;
}

static inline long long ft_q(ft *f, const char *sql)
{
    dg_stmt *st = NULL;
    if (dg_db_prepare(dg_store_db(f->s), sql, &st, NULL) != 0)
        fail_msg("%s: %s", sql, dg_db_errmsg(dg_store_db(f->s)));
    long long v = -1;
    if (dg_stmt_step(st) == DG_DB_ROW)
        v = dg_stmt_int64(st, 0);
    dg_stmt_finalize(st);
    return v;
}

static inline const char *ft_qs(ft *f, const char *sql)
{
    static char buf[1024];
    dg_stmt *st = NULL;
    if (dg_db_prepare(dg_store_db(f->s), sql, &st, NULL) != 0)
        fail_msg("%s: %s", sql, dg_db_errmsg(dg_store_db(f->s)));
    buf[0] = '\0';
    if (dg_stmt_step(st) == DG_DB_ROW && dg_stmt_text(st, 0))
        snprintf(buf, sizeof buf, "%s", dg_stmt_text(st, 0));
    dg_stmt_finalize(st);
    return buf;
}

/* order_doc("1001", "US", "A-1:2:25.00", "A-3:1:40", NULL): storefront SKU in vendor_sku, as the
 * storefront CSV mapping fills it. */
static inline dg_doc *order_doc(const char *number, const char *country, ...)
{
    dg_doc *d = dg_doc_new(DG_DOC_ORDER);
    dg_arena *a = d->arena;
    dg_order *o = &d->u.order;
    o->order_number = dg_arena_strdup(a, number);
    o->order_date = dg_arena_strdup(a, "2026-11-20");
    o->currency = dg_arena_strdup(a, "USD");
    o->ship_to.name = dg_arena_strdup(a, "Ana Lopez");
    o->ship_to.address1 = dg_arena_strdup(a, "123 Main St");
    o->ship_to.city = dg_arena_strdup(a, "Austin");
    o->ship_to.postal_code = dg_arena_strdup(a, "78701");
    o->ship_to.country = dg_arena_strdup(a, country);
    o->service_level = dg_arena_strdup(a, "Standard");
    va_list ap;
    va_start(ap, country);
    const char *spec;
    int no = 0;
    while ((spec = va_arg(ap, const char *))) {
        char sku[64], qty[32], price[32];
        assert_int_equal(sscanf(spec, "%63[^:]:%31[^:]:%31s", sku, qty, price), 3);
        dg_order_line *l = dg_order_add_line(d);
        l->line_number = dg_arena_printf(a, "%d", ++no);
        l->vendor_sku = dg_arena_strdup(a, sku);
        l->quantity = D(qty);
        l->unit_price = D(price);
    }
    va_end(ap);
    return d;
}

/* stock(f, "nw", "NW-1:5:10.00", ..., NULL) */
static inline void ft_stock(ft *f, const char *supplier, ...)
{
    dg_doc *d = dg_doc_new(DG_DOC_STOCK);
    va_list ap;
    va_start(ap, supplier);
    const char *spec;
    while ((spec = va_arg(ap, const char *))) {
        char sku[64], qty[32], cost[32];
        assert_int_equal(sscanf(spec, "%63[^:]:%31[^:]:%31s", sku, qty, cost), 3);
        dg_stock_item *it = dg_stock_add_item(d);
        it->vendor_sku = dg_arena_strdup(d->arena, sku);
        it->quantity_available = D(qty);
        it->cost = D(cost);
    }
    va_end(ap);
    dg_flow_stock_result res;
    dg_error err = {0};
    assert_int_equal(dg_flow_ingest_stock(f->s, supplier, d, ft_file(f), &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_OK);
    dg_doc_free(d);
}

static inline dg_flow_order_result ft_order(ft *f, const char *storefront, dg_doc *d)
{
    dg_flow_order_result res;
    dg_error err = {0};
    int rc = dg_flow_ingest_order(f->s, f->r, storefront, d, ft_file(f), &res, &err);
    if (rc)
        fail_msg("ingest_order: %s", err.msg);
    return res;
}

/* Queues and sends every pending PO (as the gateway does), 997 expected for expect_ack. */
static inline void ft_send_pos(ft *f, bool expect_ack)
{
    dg_flow_po *pos = NULL;
    size_t n = 0;
    dg_error err = {0};
    assert_int_equal(dg_flow_pending_pos(f->s, NULL, &pos, &n, &err), 0);
    for (size_t i = 0; i < n; i++) {
        char name[128], ctl[16];
        snprintf(name, sizeof name, "PO_%s.edi", pos[i].po_number);
        snprintf(ctl, sizeof ctl, "%zu", i + 1);
        dg_flow_envelope env = {ctl, ctl, "0001"};
        int64_t ob = 0;
        assert_int_equal(dg_flow_po_queued(f->s, pos[i].po_number, name, "sha", "/tmp/x", &env,
                                           expect_ack, &ob, &err),
                         0);
        assert_int_equal(dg_flow_outbox_sent(f->s, ob, &err), 0);
    }
    dg_flow_pos_free(pos, n);
}

/* asn_doc("O-1-NW", "SHP-1", "1Z1", "NW-1:2", NULL) */
static inline dg_doc *asn_doc(const char *po, const char *id, const char *tracking, ...)
{
    dg_doc *d = dg_doc_new(DG_DOC_SHIPMENT);
    dg_arena *a = d->arena;
    dg_shipment *s = &d->u.shipment;
    s->po_number = dg_arena_strdup(a, po);
    s->shipment_id = dg_arena_strdup(a, id);
    s->ship_date = dg_arena_strdup(a, "2026-11-21");
    s->carrier = dg_arena_strdup(a, "UPSN");
    s->service_level = dg_arena_strdup(a, "GROUND");
    if (tracking)
        dg_shipment_add_package(d)->tracking_number = dg_arena_strdup(a, tracking);
    va_list ap;
    va_start(ap, tracking);
    const char *spec;
    while ((spec = va_arg(ap, const char *))) {
        char sku[64], qty[32];
        assert_int_equal(sscanf(spec, "%63[^:]:%31s", sku, qty), 2);
        dg_shipment_item *it = dg_shipment_add_item(d);
        it->vendor_sku = dg_arena_strdup(a, sku);
        it->quantity_shipped = D(qty);
    }
    va_end(ap);
    return d;
}

/* invoice_doc("INV-1", "O-1-NW", "75.00", "FREIGHT:5.00", "NW-1:3:10.00", NULL): charges first
 * (TYPE:amount), then lines (SKU:qty:price). */
static inline dg_doc *invoice_doc(const char *number, const char *po, const char *total, ...)
{
    dg_doc *d = dg_doc_new(DG_DOC_INVOICE);
    dg_arena *a = d->arena;
    dg_invoice *iv = &d->u.invoice;
    iv->invoice_number = dg_arena_strdup(a, number);
    iv->po_number = dg_arena_strdup(a, po);
    iv->invoice_date = dg_arena_strdup(a, "2026-11-22");
    iv->currency = dg_arena_strdup(a, "USD");
    if (total)
        iv->total = D(total);
    va_list ap;
    va_start(ap, total);
    const char *spec;
    while ((spec = va_arg(ap, const char *))) {
        char x[64], y[32], z[32];
        int k = sscanf(spec, "%63[^:]:%31[^:]:%31s", x, y, z);
        if (k == 2) {
            dg_charge *c = dg_invoice_add_charge(d);
            c->type = dg_arena_strdup(a, x);
            c->amount = D(y);
        } else {
            assert_int_equal(k, 3);
            dg_invoice_line *l = dg_invoice_add_line(d);
            l->vendor_sku = dg_arena_strdup(a, x);
            l->quantity = D(y);
            l->unit_price = D(z);
        }
    }
    va_end(ap);
    return d;
}

static inline bool has_reason(const dg_flow_invoice_result *r, const char *code)
{
    for (size_t i = 0; i < r->n_reasons; i++)
        if (!strcmp(r->reasons[i].code, code))
            return true;
    return false;
}

#endif
