/* Flow, orders in: every line status, supplier choice (preferred, landed cost, priority), split
 * and single-supplier orders, stock reservation, duplicates, PO numbers and the exactly-once PO
 * outbox steps, 997s, and the rules file's errors. */
#include "flowtest.h"

#include <pthread.h>
#include <time.h>

static int setup(void **state)
{
    *state = ft_new();
    return 0;
}

static int teardown(void **state)
{
    ft_free(*state);
    return 0;
}

static const char *line_status(ft *f, const char *order, int line_no, char *reason, size_t size)
{
    static char status[64];
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT l.status FROM order_lines l JOIN orders o ON o.id = l.order_id"
             " WHERE o.order_number = '%s' AND l.line_no = %d",
             order, line_no);
    snprintf(status, sizeof status, "%s", ft_qs(f, sql));
    if (reason) {
        snprintf(sql, sizeof sql,
                 "SELECT l.reason FROM order_lines l JOIN orders o ON o.id = l.order_id"
                 " WHERE o.order_number = '%s' AND l.line_no = %d",
                 order, line_no);
        snprintf(reason, size, "%s", ft_qs(f, sql));
    }
    return status;
}

static void every_line_status_with_reason(void **state)
{
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:50:10.00", "NW-3:0:20.00", NULL);
    ft_stock(f, "bl", "BL-1:50:9.00", "BL-2:0:5.00", NULL);
    dg_doc *d = order_doc("1001", "US", "A-1:2:25.00", "NOPE-9:1:5.00", "A-5:1:9.00", "A-2:1:15.00",
                          "A-3:1:40.00", NULL);
    dg_flow_order_result res = ft_order(f, "shop", d);
    assert_int_equal(res.outcome, DG_FLOW_OK);
    assert_string_equal(res.status, DG_ORDER_PARTIALLY_CONVERTED);
    assert_int_equal(res.lines, 5);
    assert_int_equal(res.matched, 1);
    assert_int_equal(res.pos_created, 1);
    char reason[512];
    assert_string_equal(line_status(f, "1001", 1, reason, sizeof reason), DG_LINE_MATCHED);
    assert_string_equal(line_status(f, "1001", 2, reason, sizeof reason),
                        DG_LINE_PRODUCT_NOT_FOUND);
    assert_non_null(strstr(reason, "NOPE-9"));
    assert_string_equal(line_status(f, "1001", 3, reason, sizeof reason), DG_LINE_NOT_APPROVED);
    assert_non_null(strstr(reason, "approved"));
    assert_string_equal(line_status(f, "1001", 4, reason, sizeof reason), DG_LINE_OUT_OF_STOCK);
    assert_non_null(strstr(reason, "bl has 0"));
    assert_string_equal(line_status(f, "1001", 5, reason, sizeof reason), DG_LINE_OUT_OF_STOCK);
    /* The statuses are written back into the document for the gateway's log. */
    assert_string_equal(d->u.order.lines[0].status, DG_LINE_MATCHED);
    assert_string_equal(d->u.order.lines[0].supplier, "nw");
    assert_string_equal(d->u.order.lines[1].status, DG_LINE_PRODUCT_NOT_FOUND);
    assert_non_null(d->u.order.lines[1].status_reason);
    dg_doc_free(d);
}

static void country_not_shipped_and_failed_order(void **state)
{
    ft *f = *state;
    ft_stock(f, "bl", "BL-4:50:3.00", "BL-2:10:5.00", NULL);
    dg_doc *d = order_doc("2001", "CA", "A-4:1:9.00", "A-2:1:15.00", NULL);
    dg_flow_order_result res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_FAILED);
    assert_int_equal(res.pos_created, 0);
    char reason[512];
    assert_string_equal(line_status(f, "2001", 1, reason, sizeof reason),
                        DG_LINE_SHIPPING_UNAVAILABLE);
    assert_non_null(strstr(reason, "CA"));
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos"), 0);
    assert_string_equal(ft_qs(f, "SELECT status FROM orders WHERE order_number='2001'"),
                        DG_ORDER_FAILED);
    dg_doc_free(d);
    /* A supplier's ship_to in routing.yaml restricts too: nw ships A-3 to US|CA only. */
    ft_stock(f, "nw", "NW-3:5:20.00", NULL);
    d = order_doc("2002", "mx", "A-3:1:40.00", NULL);
    res = ft_order(f, "shop", d);
    assert_string_equal(line_status(f, "2002", 1, NULL, 0), DG_LINE_SHIPPING_UNAVAILABLE);
    dg_doc_free(d);
}

static void cheapest_landed_cost_then_preferred(void **state)
{
    ft *f = *state;
    /* A-1: nw 10 + 2 + 1 = 13 landed, bl 9 + 4 + 1 = 14: nw wins though bl's cost is lower. */
    ft_stock(f, "nw", "NW-1:50:10.00", "NW-6:50:8.00", NULL);
    ft_stock(f, "bl", "BL-1:50:9.00", "BL-6:50:9.00", NULL);
    dg_doc *d = order_doc("3001", "US", "A-1:1:25.00", NULL);
    ft_order(f, "shop", d);
    assert_string_equal(ft_qs(f, "SELECT supplier FROM order_lines"), "nw");
    assert_int_equal(ft_q(f, "SELECT landed_cost FROM order_lines"), 130000);
    dg_doc_free(d);
    /* A-6: bl is preferred in the catalog, and preferred comes first in choose. */
    d = order_doc("3002", "US", "A-6:1:25.00", NULL);
    ft_order(f, "shop", d);
    assert_string_equal(
        ft_qs(f, "SELECT supplier FROM order_lines l JOIN orders o ON o.id = l.order_id"
                 " WHERE o.order_number = '3002'"),
        "bl");
    dg_doc_free(d);
    /* With landed cost first, the preference only breaks ties: nw (10 landed vs 11). */
    dg_flow_rules_free(f->r);
    const char *rules = "choose: [landed_cost, preferred]\n";
    dg_error err = {0};
    assert_int_equal(dg_flow_rules_parse(rules, strlen(rules), "r", &f->r, &err), 0);
    d = order_doc("3003", "US", "A-6:1:25.00", NULL);
    ft_order(f, "shop", d);
    assert_string_equal(
        ft_qs(f, "SELECT supplier FROM order_lines l JOIN orders o ON o.id = l.order_id"
                 " WHERE o.order_number = '3003'"),
        "nw");
    dg_doc_free(d);
    /* Priority alone: A-1 goes to nw (priority 10 < 20). */
    dg_flow_rules_free(f->r);
    rules = "choose: priority\nsuppliers: {bl: {code: BL}}\n";
    assert_int_equal(dg_flow_rules_parse(rules, strlen(rules), "r", &f->r, &err), 0);
    d = order_doc("3004", "US", "A-1:1:25.00", NULL);
    ft_order(f, "shop", d);
    assert_string_equal(
        ft_qs(f, "SELECT supplier FROM order_lines l JOIN orders o ON o.id = l.order_id"
                 " WHERE o.order_number = '3004'"),
        "nw");
    dg_doc_free(d);
}

static void split_across_suppliers_one_po_each(void **state)
{
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:50:10.00", "NW-3:50:20.00", NULL);
    ft_stock(f, "bl", "BL-2:50:5.00", NULL);
    dg_doc *d = order_doc("4001", "US", "A-1:2:25.00", "A-2:1:15.00", "A-3:1:40.00", NULL);
    dg_flow_order_result res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_CONVERTED);
    assert_int_equal(res.pos_created, 2);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos WHERE po_number='4001-NW'"), 1);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos WHERE po_number='4001-BL'"), 1);
    /* PO lines are numbered per PO, and the PO total is cost x quantity. */
    assert_int_equal(ft_q(f, "SELECT max(po_line) FROM order_lines WHERE supplier='nw'"), 2);
    assert_int_equal(ft_q(f, "SELECT total FROM supplier_pos WHERE po_number='4001-NW'"), 400000);
    dg_doc_free(d);
}

static void split_lines_shares_a_line_out_by_stock(void **state)
{
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:3:10.00", NULL);
    ft_stock(f, "bl", "BL-1:4:9.00", "BL-2:9:5.00", NULL);
    dg_doc *d = order_doc("4201", "US", "A-1:5:25.00", "A-2:1:15.00", NULL);
    dg_flow_order_result res = ft_order(f, "shop", d);
    dg_doc_free(d);
    /* Off by default: nobody has 5. */
    assert_string_equal(res.status, DG_ORDER_PARTIALLY_CONVERTED);
    assert_string_equal(line_status(f, "4201", 1, NULL, 0), DG_LINE_OUT_OF_STOCK);
    dg_flow_rules_free(f->r);
    const char *rules = "split_lines: true\nsuppliers: {nw: {code: NW}, bl: {code: BL}}\n";
    dg_error err = {0};
    assert_int_equal(dg_flow_rules_parse(rules, strlen(rules), "r", &f->r, &err), 0);
    d = order_doc("4202", "US", "A-1:5:25.00", "A-2:1:15.00", NULL);
    res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_CONVERTED);
    assert_int_equal(res.lines, 2);
    assert_int_equal(res.matched, 2);
    assert_int_equal(res.pos_created, 2);
    assert_string_equal(d->u.order.lines[0].supplier, "bl,nw");
    dg_doc_free(d);
    /* For 5 units bl is cheaper landed (50 vs 53): it takes its 4, nw the last one; both rows
     * keep the storefront's line 1. */
    assert_int_equal(ft_q(f, "SELECT qty_ordered FROM order_lines l JOIN orders o ON"
                             " o.id = l.order_id WHERE o.order_number = '4202'"
                             " AND l.supplier = 'nw'"),
                     10000);
    assert_int_equal(ft_q(f, "SELECT qty_ordered FROM order_lines l JOIN orders o ON"
                             " o.id = l.order_id WHERE o.order_number = '4202'"
                             " AND l.supplier = 'bl' AND l.retailer_sku = 'A-1'"),
                     40000);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_lines l JOIN orders o ON"
                             " o.id = l.order_id WHERE o.order_number = '4202'"
                             " AND l.line_number = '1'"),
                     2);
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='NW-1'"), 20000);
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='BL-1'"), 0);
    assert_int_equal(ft_q(f, "SELECT total FROM supplier_pos WHERE po_number='4202-BL'"),
                     410000); /* 4 x 9.00 + 1 x 5.00 */
    assert_int_equal(ft_q(f, "SELECT l.po_line FROM order_lines l JOIN supplier_pos p ON"
                             " p.id = l.po_id WHERE p.po_number = '4202-BL'"
                             " AND l.supplier_sku = 'BL-2'"),
                     2);
    /* More than everyone has together stays out of stock. */
    d = order_doc("4203", "US", "A-1:9:25.00", NULL);
    res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_FAILED);
    dg_doc_free(d);
}

static void no_split_keeps_one_supplier(void **state)
{
    ft *f = *state;
    dg_flow_rules_free(f->r);
    const char *rules = "split: false\nsuppliers: {nw: {code: NW}, bl: {code: BL}}\n";
    dg_error err = {0};
    assert_int_equal(dg_flow_rules_parse(rules, strlen(rules), "r", &f->r, &err), 0);
    ft_stock(f, "nw", "NW-1:50:10.00", "NW-3:50:20.00", NULL);
    ft_stock(f, "bl", "BL-2:50:5.00", "BL-1:50:9.00", NULL);
    dg_doc *d = order_doc("4101", "US", "A-1:2:25.00", "A-2:1:15.00", "A-3:1:40.00", NULL);
    dg_flow_order_result res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_PARTIALLY_CONVERTED);
    assert_int_equal(res.pos_created, 1);
    /* nw and bl can each take 2 lines; bl's landed total (23 + 6.50) beats nw's (23 + 23). */
    char reason[512];
    int unplaced = 0;
    for (int i = 1; i <= 3; i++)
        if (strcmp(line_status(f, "4101", i, reason, sizeof reason), DG_LINE_MATCHED)) {
            unplaced++;
            assert_string_equal(line_status(f, "4101", i, NULL, 0), DG_LINE_NOT_APPROVED);
            assert_non_null(strstr(reason, "split"));
        }
    assert_int_equal(unplaced, 1);
    assert_int_equal(ft_q(f, "SELECT count(DISTINCT supplier) FROM order_lines"
                             " WHERE status='MATCHED'"),
                     1);
    dg_doc_free(d);
}

static void stock_is_reserved_and_optional_per_supplier(void **state)
{
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:3:10.00", NULL);
    ft_stock(f, "bl", "BL-1:5:9.00", NULL);
    dg_doc *d = order_doc("5001", "US", "A-1:2:25.00", NULL);
    ft_order(f, "shop", d);
    dg_doc_free(d);
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='NW-1'"), 10000);
    d = order_doc("5002", "US", "A-1:2:25.00", NULL); /* nw has 1 left: bl takes it */
    ft_order(f, "shop", d);
    dg_doc_free(d);
    assert_string_equal(ft_qs(f, "SELECT supplier FROM order_lines WHERE id = 2"), "bl");
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='BL-1'"), 30000);
    /* A fresh feed replaces the reserved numbers. */
    ft_stock(f, "nw", "NW-1:40:10.00", NULL);
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='NW-1'"), 400000);
    /* No feed row: out of stock where stock is required, available where it is not. */
    d = order_doc("5003", "US", "A-2:1:15.00", NULL);
    dg_flow_order_result res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_FAILED);
    dg_doc_free(d);
    dg_flow_rules_free(f->r);
    const char *rules = "suppliers: {bl: {code: BL, stock_required: false}}\n";
    dg_error err = {0};
    assert_int_equal(dg_flow_rules_parse(rules, strlen(rules), "r", &f->r, &err), 0);
    d = order_doc("5004", "US", "A-2:1:15.00", NULL);
    res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_CONVERTED);
    dg_doc_free(d);
}

/* split: false judges every line before it reserves any: two lines of one SKU that the stock
 * holds once are not both placed (the second reservation would take the stock below zero).
 * Seen failing with the unguarded reservation: both MATCHED, BL-4 at -1. */
static void one_supplier_order_never_reserves_below_zero(void **state)
{
    ft *f = *state;
    dg_flow_rules_free(f->r);
    const char *rules = "split: false\nsuppliers: {nw: {code: NW}, bl: {code: BL}}\n";
    dg_error err = {0};
    assert_int_equal(dg_flow_rules_parse(rules, strlen(rules), "r", &f->r, &err), 0);
    ft_stock(f, "bl", "BL-4:5:3.00", NULL);
    dg_doc *d = order_doc("5101", "US", "A-4:3:9.00", "A-4:3:9.00", NULL);
    dg_flow_order_result res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_PARTIALLY_CONVERTED);
    char reason[512];
    assert_string_equal(line_status(f, "5101", 1, NULL, 0), DG_LINE_MATCHED);
    assert_string_equal(line_status(f, "5101", 2, reason, sizeof reason), DG_LINE_OUT_OF_STOCK);
    assert_non_null(strstr(reason, "taken by another order"));
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='BL-4'"), 20000);
    dg_doc_free(d);
}

typedef struct racer {
    ft *f;
    dg_doc *doc;
    int64_t file_id;
    int rc;
    dg_flow_order_result res;
    dg_error err;
} racer;

static void *race_order(void *arg)
{
    racer *x = arg;
    x->rc = dg_flow_ingest_order(x->f->s, x->f->r, "shop", x->doc, x->file_id, &x->res, &x->err);
    return NULL;
}

/* Two instances on one PostgreSQL store: instance B's open transaction takes nw's last 3 of NW-1
 * while this instance routes an order for 3 of A-1 to nw on the stock it read (3). The
 * reservation waits for B, finds the stock gone, and the line is routed again on what is there
 * now: to bl. Seen failing with the unguarded reservation: the line went to nw, NW-1 at -3. */
static void stock_taken_by_another_instance_is_not_oversold(void **state)
{
    if (!dg_test_pg()) {
        skip(); /* SQLite: one writer at a time, the two cannot interleave */
        return;
    }
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:3:8.00", NULL); /* 3 x 8 + 2 + 1 = 27 landed, bl 3 x 9 + 4 + 1 = 32 */
    ft_stock(f, "bl", "BL-1:50:9.00", NULL);
    dg_store *b = NULL;
    dg_error err = {0};
    char path[4200];
    snprintf(path, sizeof path, "%s/dropgate.db", f->dir);
    assert_int_equal(dg_store_open(dg_test_store_location(path), &b, &err), 0);
    assert_int_equal(dg_store_begin(b, &err), 0);
    bool taken = false;
    assert_int_equal(dg_store_stock_reserve(b, "nw", "NW-1", 30000, &taken, &err), 0);
    assert_true(taken);
    racer x = {.f = f, .doc = order_doc("5201", "US", "A-1:3:25.00", NULL), .file_id = ft_file(f)};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, race_order, &x), 0);
    /* until this instance's reservation waits for B's row lock (asked on B's connection: the
     * other one is the racing thread's) */
    long waiting = 0;
    for (int i = 0; i < 1000 && waiting < 1; i++) {
        dg_stmt *st = NULL;
        assert_int_equal(dg_db_prepare(dg_store_db(b),
                                       "SELECT count(*) FROM pg_locks WHERE NOT granted", &st,
                                       NULL),
                         0);
        waiting = dg_stmt_step(st) == DG_DB_ROW ? (long)dg_stmt_int64(st, 0) : 0;
        dg_stmt_finalize(st);
        if (waiting < 1)
            nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
    }
    if (waiting < 1) {
        dg_store_commit(b, &err);
        pthread_join(t, NULL);
        fail_msg("the order never waited for B: rc %d %s, line to %s", x.rc, x.err.msg,
                 x.doc->u.order.lines[0].supplier);
    }
    assert_int_equal(dg_store_commit(b, &err), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    if (x.rc)
        fail_msg("ingest_order: %s", x.err.msg);
    assert_string_equal(x.res.status, DG_ORDER_CONVERTED);
    assert_string_equal(ft_qs(f, "SELECT supplier FROM order_lines l JOIN orders o"
                                 " ON o.id = l.order_id WHERE o.order_number = '5201'"),
                        "bl");
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='NW-1'"), 0);
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='BL-1'"), 470000);
    dg_doc_free(x.doc);
    dg_store_close(b);
}

static void found_by_gtin_and_cost_from_feed(void **state)
{
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:5:11.25", NULL);
    dg_doc *d = order_doc("6001", "US", "UNKNOWN-SKU:1:25.00", NULL);
    d->u.order.lines[0].gtin = dg_arena_strdup(d->arena, "000000000017");
    dg_flow_order_result res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_CONVERTED);
    assert_int_equal(ft_q(f, "SELECT cost FROM order_lines"), 112500); /* the feed's cost */
    dg_doc_free(d);
}

static void approval_limit_and_loss_rule(void **state)
{
    ft *f = *state;
    dg_flow_rules_free(f->r);
    const char *rules = "approval: {max_line_amount: 100, allow_loss: false}\n"
                        "suppliers: {nw: {code: NW}, bl: {code: BL, enabled: false}}\n";
    dg_error err = {0};
    assert_int_equal(dg_flow_rules_parse(rules, strlen(rules), "r", &f->r, &err), 0);
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    ft_stock(f, "bl", "BL-2:50:5.00", NULL);
    dg_doc *d = order_doc("7001", "US", "A-1:5:25.00", "A-1:1:11.00", "A-2:1:15.00", NULL);
    ft_order(f, "shop", d);
    char reason[512];
    assert_string_equal(line_status(f, "7001", 1, reason, sizeof reason), DG_LINE_NOT_APPROVED);
    assert_non_null(strstr(reason, "approval limit"));
    assert_string_equal(line_status(f, "7001", 2, reason, sizeof reason), DG_LINE_NOT_APPROVED);
    assert_non_null(strstr(reason, "landed cost"));
    assert_string_equal(line_status(f, "7001", 3, reason, sizeof reason), DG_LINE_NOT_APPROVED);
    dg_doc_free(d);
}

static void duplicate_order_is_not_placed_twice(void **state)
{
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    dg_doc *d = order_doc("8001", "US", "A-1:2:25.00", NULL);
    int64_t file = ft_file(f);
    dg_flow_order_result res;
    dg_error err = {0};
    assert_int_equal(dg_flow_ingest_order(f->s, f->r, "shop", d, file, &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_OK);
    int64_t first = res.order_id;
    /* Replay of the same file (after a crash): nothing new, not even a document row. */
    assert_int_equal(dg_flow_ingest_order(f->s, f->r, "shop", d, file, &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    assert_int_equal(res.order_id, first);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM documents WHERE kind='order'"), 1);
    /* The same order in a new file: recorded as a duplicate sighting, never a second PO. */
    assert_int_equal(dg_flow_ingest_order(f->s, f->r, "shop", d, ft_file(f), &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    assert_string_equal(res.status, DG_ORDER_CONVERTED);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM orders"), 1);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos"), 1);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM documents WHERE outcome='DUPLICATE'"), 1);
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='NW-1'"), 480000);
    /* The same number from another storefront is another order. */
    res = ft_order(f, "othershop", d);
    assert_int_equal(res.outcome, DG_FLOW_OK);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM orders"), 2);
    dg_doc_free(d);
}

static void two_orders_at_one_file_position_are_both_placed(void **state)
{
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    /* XML orders written on one line share their line number as position. */
    int64_t file = ft_file(f);
    dg_flow_order_result res;
    dg_error err = {0};
    dg_doc *a = order_doc("8201", "US", "A-1:1:25.00", NULL);
    dg_doc *b = order_doc("8202", "US", "A-1:1:25.00", NULL);
    a->source.position = b->source.position = 1;
    assert_int_equal(dg_flow_ingest_order(f->s, f->r, "shop", a, file, &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_OK);
    assert_int_equal(dg_flow_ingest_order(f->s, f->r, "shop", b, file, &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_OK);
    assert_int_equal(dg_flow_ingest_order(f->s, f->r, "shop", b, file, &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos"), 2);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM documents WHERE kind='order'"), 2);
    dg_doc_free(a);
    dg_doc_free(b);
}

static void rolled_back_ingest_leaves_nothing(void **state)
{
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    dg_doc *d = order_doc("8101", "US", "A-1:2:25.00", NULL);
    dg_error err = {0};
    dg_flow_order_result res;
    int64_t file = ft_file(f);
    /* The gateway's transaction around the file: a crash before its commit = rollback. */
    assert_int_equal(dg_store_begin(f->s, &err), 0);
    assert_int_equal(dg_flow_ingest_order(f->s, f->r, "shop", d, file, &res, &err), 0);
    dg_store_rollback(f->s);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM orders"), 0);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos"), 0);
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='NW-1'"), 500000);
    /* The replay places it, once, with the same PO number. */
    assert_int_equal(dg_flow_ingest_order(f->s, f->r, "shop", d, file, &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_OK);
    assert_string_equal(ft_qs(f, "SELECT po_number FROM supplier_pos"), "8101-NW");
    dg_doc_free(d);
}

static void po_numbers_unique_and_po_document_complete(void **state)
{
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    dg_doc *d = order_doc("1001", "US", "A-1:2:25.00", NULL);
    ft_order(f, "shopA", d);
    ft_order(f, "shopB", d);
    dg_doc_free(d);
    dg_flow_po *pos = NULL;
    size_t n = 0;
    dg_error err = {0};
    assert_int_equal(dg_flow_pending_pos(f->s, "nw", &pos, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(pos[0].po_number, "1001-NW");
    assert_string_equal(pos[1].po_number, "1001-NW-2");
    assert_string_equal(pos[1].storefront, "shopB");
    const dg_order *o = &pos[0].doc->u.order;
    assert_string_equal(o->order_number, "1001-NW");
    assert_string_equal(o->customer_order_number, "1001");
    assert_string_equal(o->bill_to.name, "Retail Co");
    assert_string_equal(o->bill_to.postal_code, "97201");
    assert_string_equal(o->buyer.id, "RET");
    assert_string_equal(o->ship_to.name, "Ana Lopez");
    assert_string_equal(o->ship_to.country, "US");
    assert_string_equal(o->seller.id, "nw");
    assert_string_equal(o->order_type, "DS");
    assert_int_equal(o->n_lines, 1);
    assert_string_equal(o->lines[0].line_number, "1");
    assert_string_equal(o->lines[0].vendor_sku, "NW-1");
    assert_string_equal(o->lines[0].buyer_sku, "A-1");
    assert_string_equal(o->lines[0].gtin, "000000000017");
    assert_int_equal(o->lines[0].quantity.v, 20000);
    assert_int_equal(o->lines[0].unit_price.v, 100000);
    assert_int_equal(o->total.v, 200000);
    dg_flow_pos_free(pos, n);
    assert_int_equal(dg_flow_pending_pos(f->s, "bl", &pos, &n, &err), 0);
    assert_int_equal(n, 0);
    free(pos);
}

/* Pages of pending POs (the gateway renders one page per batch): every PO once, in id order,
 * and a page never holds more than asked; the same for pending outbox entries. */
static void pending_pos_and_outbox_paged(void **state)
{
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:500:10.00", NULL);
    char num[16];
    for (int i = 0; i < 7; i++) {
        snprintf(num, sizeof num, "71%02d", i);
        dg_doc *d = order_doc(num, "US", "A-1:1:25.00", NULL);
        ft_order(f, "shop", d);
        dg_doc_free(d);
    }
    dg_error err = {0};
    int64_t after = 0, last = 0;
    size_t seen = 0, pages = 0;
    for (;;) {
        dg_flow_po *pos = NULL;
        size_t n = 0;
        assert_int_equal(dg_flow_pending_pos_page(f->s, "nw", after, 3, &pos, &n, &err), 0);
        assert_true(n <= 3);
        for (size_t i = 0; i < n; i++) {
            assert_true(pos[i].id > last);
            last = pos[i].id;
            snprintf(num, sizeof num, "71%02zu-NW", seen + i);
            assert_string_equal(pos[i].po_number, num);
            assert_int_equal(pos[i].doc->u.order.n_lines, 1);
        }
        seen += n;
        if (n)
            after = pos[n - 1].id;
        dg_flow_pos_free(pos, n);
        if (n < 3)
            break;
        pages++;
    }
    assert_int_equal(seen, 7);
    assert_int_equal(pages, 2);
    /* the outbox likewise, and a sent entry is left out */
    for (int i = 0; i < 7; i++) {
        char po[16], file[32];
        snprintf(po, sizeof po, "71%02d-NW", i);
        snprintf(file, sizeof file, "PO_%s.edi", po);
        assert_int_equal(dg_flow_po_queued(f->s, po, file, "abc", "/o/x", NULL, false, NULL, &err),
                         0);
    }
    int64_t first = ft_q(f, "SELECT min(id) FROM outbox");
    assert_int_equal(dg_flow_outbox_sent(f->s, first + 1, &err), 0);
    dg_outbox_entry *rows = NULL;
    size_t n = 0;
    assert_int_equal(dg_store_outbox_pending_page(f->s, "nw", 0, 4, &rows, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(rows[0].id, first);
    assert_int_equal(rows[1].id, first + 2); /* first + 1 was sent */
    after = rows[3].id;
    dg_store_outbox_free(rows, n);
    assert_int_equal(dg_store_outbox_pending_page(f->s, "nw", after, 4, &rows, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rows[1].id, first + 6);
    dg_store_outbox_free(rows, n);
    assert_int_equal(dg_store_outbox_pending_page(f->s, "nw", 0, 0, &rows, &n, &err), DG_EINVAL);
}

static void po_queued_and_sent_exactly_once(void **state)
{
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    ft_stock(f, "bl", "BL-2:50:5.00", NULL);
    dg_doc *d = order_doc("9001", "US", "A-1:2:25.00", "A-2:1:15.00", NULL);
    ft_order(f, "shop", d);
    dg_doc_free(d);
    dg_error err = {0};
    dg_flow_envelope env = {"000000007", "7", "0001"};
    int64_t ob = 0, ob2 = 0;
    assert_int_equal(
        dg_flow_po_queued(f->s, "9001-NW", "PO_9001-NW.edi", "abc", "/o/a", &env, true, &ob, &err),
        0);
    /* A retry that rendered again (other name) keeps the first file: no second PO. */
    assert_int_equal(dg_flow_po_queued(f->s, "9001-NW", "PO_9001-NW-retry.edi", "def", "/o/b", &env,
                                       true, &ob2, &err),
                     0);
    assert_int_equal(ob, ob2);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM outbox"), 1);
    dg_flow_po *pos = NULL;
    size_t n = 0;
    assert_int_equal(dg_flow_pending_pos(f->s, NULL, &pos, &n, &err), 0);
    assert_int_equal(n, 1); /* only the BL one still needs rendering */
    assert_string_equal(pos[0].po_number, "9001-BL");
    dg_flow_pos_free(pos, n);
    /* Until the upload is confirmed the PO stays QUEUED and the entry pending. */
    assert_string_equal(ft_qs(f, "SELECT status FROM supplier_pos WHERE po_number='9001-NW'"),
                        DG_PO_QUEUED);
    dg_outbox_entry *rows;
    assert_int_equal(dg_store_outbox_pending(f->s, "nw", &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].file_name, "PO_9001-NW.edi");
    assert_string_equal(rows[0].content_sha256, "abc");
    dg_store_outbox_free(rows, n);
    assert_int_equal(dg_flow_outbox_sent(f->s, ob, &err), 0);
    assert_int_equal(dg_flow_outbox_sent(f->s, ob, &err), 0);
    assert_string_equal(ft_qs(f, "SELECT status FROM supplier_pos WHERE po_number='9001-NW'"),
                        DG_PO_SENT);
    assert_int_equal(ft_q(f, "SELECT sent_at FROM supplier_pos WHERE po_number='9001-NW'"),
                     1700000000);
    assert_string_equal(ft_qs(f, "SELECT group_control FROM supplier_pos"
                                 " WHERE po_number='9001-NW'"),
                        "7");
    assert_int_equal(dg_store_outbox_pending(f->s, "nw", &rows, &n, &err), 0);
    assert_int_equal(n, 0);
    free(rows);
    /* A CSV supplier sends no 997: straight to AWAITING_SHIPMENT. */
    assert_int_equal(
        dg_flow_po_queued(f->s, "9001-BL", "PO_9001-BL.csv", "x", "/o/c", NULL, false, &ob, &err),
        0);
    assert_int_equal(dg_flow_po_sent(f->s, "9001-BL", &err), 0);
    assert_string_equal(ft_qs(f, "SELECT status FROM supplier_pos WHERE po_number='9001-BL'"),
                        DG_PO_AWAITING_SHIPMENT);
    assert_int_equal(dg_flow_po_queued(f->s, "NOPE", "x", NULL, NULL, NULL, false, &ob, &err),
                     DG_ENOTFOUND);
    assert_int_equal(dg_flow_po_sent(f->s, "NOPE", &err), DG_ENOTFOUND);
}

static void acks_accept_and_reject_pos(void **state)
{
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    dg_doc *d = order_doc("9101", "US", "A-1:1:25.00", NULL);
    ft_order(f, "shop", d);
    dg_doc_free(d);
    d = order_doc("9102", "US", "A-1:1:25.00", NULL);
    ft_order(f, "shop", d);
    dg_doc_free(d);
    ft_send_pos(f, true); /* groups "1" and "2", set "0001" each */
    dg_flow_ack_set sets1[] = {{"1", "A", NULL}, {"9999", "A", NULL}};
    dg_flow_ack a1 = {"000000001", "A", sets1, 2, 0};
    dg_flow_ack_result res;
    dg_error err = {0};
    int64_t file = ft_file(f);
    assert_int_equal(dg_flow_ingest_ack(f->s, "nw", &a1, file, &res, &err), 0);
    assert_int_equal(res.accepted, 1);
    assert_int_equal(res.unknown, 1);
    assert_string_equal(ft_qs(f, "SELECT status FROM supplier_pos WHERE po_number='9101-NW'"),
                        DG_PO_ACCEPTED);
    assert_int_equal(dg_flow_ingest_ack(f->s, "nw", &a1, file, &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    dg_flow_ack_set sets2[] = {{"0001", "R", "AK3*N1*2**3"}};
    dg_flow_ack a2 = {"2", "R", sets2, 1, 0};
    assert_int_equal(dg_flow_ingest_ack(f->s, "nw", &a2, ft_file(f), &res, &err), 0);
    assert_int_equal(res.rejected, 1);
    assert_string_equal(ft_qs(f, "SELECT status FROM supplier_pos WHERE po_number='9102-NW'"),
                        DG_PO_REJECTED);
    assert_string_equal(ft_qs(f, "SELECT ack_reason FROM supplier_pos"
                                 " WHERE po_number='9102-NW'"),
                        "AK3*N1*2**3");
    /* Another supplier's 997 with the same numbers touches nothing of nw's. */
    dg_flow_ack a3 = {"1", "R", NULL, 0, 0};
    assert_int_equal(dg_flow_ingest_ack(f->s, "bl", &a3, ft_file(f), &res, &err), 0);
    assert_int_equal(res.unknown, 1);
    assert_string_equal(ft_qs(f, "SELECT status FROM supplier_pos WHERE po_number='9101-NW'"),
                        DG_PO_ACCEPTED);
    dg_flow_ack bad = {NULL, "A", NULL, 0, 0};
    assert_int_equal(dg_flow_ingest_ack(f->s, "nw", &bad, 0, &res, &err), DG_EVALID);
}

static void bad_orders_and_dispatch(void **state)
{
    ft *f = *state;
    dg_error err = {0};
    dg_flow_order_result res;
    dg_doc *d = order_doc("", "US", "A-1:1:1", NULL);
    assert_int_equal(dg_flow_ingest_order(f->s, f->r, "shop", d, 0, &res, &err), DG_EVALID);
    dg_doc_free(d);
    d = order_doc("X1", "US", NULL);
    assert_int_equal(dg_flow_ingest_order(f->s, f->r, "shop", d, 0, &res, &err), DG_EVALID);
    assert_non_null(strstr(err.msg, "no lines"));
    dg_flow_result fr;
    assert_int_equal(dg_flow_ingest_doc(f->s, f->r, "nw", false, d, 0, &fr, &err), DG_EVALID);
    dg_doc_free(d);
    /* A zero quantity is a line that cannot be placed, not a broken order. */
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    d = order_doc("X2", "US", "A-1:0:1", "A-1:1:25", NULL);
    dg_flow_result r2;
    assert_int_equal(dg_flow_ingest_doc(f->s, f->r, "shop", true, d, ft_file(f), &r2, &err), 0);
    assert_int_equal(r2.outcome, DG_FLOW_OK);
    assert_non_null(strstr(r2.summary, "PARTIALLY_CONVERTED"));
    dg_doc_free(d);
}

static void rules_and_catalog_errors_name_the_place(void **state)
{
    ft *f = *state;
    dg_flow_rules *r = NULL;
    dg_error err = {0};
    const char *t1 = "choose: [preferred]\nspilt: true\n";
    assert_int_equal(dg_flow_rules_parse(t1, strlen(t1), "routing.yaml", &r, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "routing.yaml:2"));
    assert_non_null(strstr(err.msg, "spilt"));
    const char *t2 = "choose: [cheapest]\n";
    assert_int_equal(dg_flow_rules_parse(t2, strlen(t2), "routing.yaml", &r, &err), DG_ECONFIG);
    const char *t3 = "overdue: {ack_after: soon}\n";
    assert_int_equal(dg_flow_rules_parse(t3, strlen(t3), "routing.yaml", &r, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "ack_after"));
    const char *t4 = "reconcile: {max_freight: -3}\n";
    assert_int_equal(dg_flow_rules_parse(t4, strlen(t4), "routing.yaml", &r, &err), DG_ECONFIG);
    const char *t5 = "suppliers: {nw: {colour: red}}\n";
    assert_int_equal(dg_flow_rules_parse(t5, strlen(t5), "routing.yaml", &r, &err), DG_ECONFIG);
    assert_null(r);
    /* The shipped etc/routing.yaml and etc/catalog.csv load. */
    assert_int_equal(dg_flow_rules_load(dg_test_path("etc/routing.yaml"), &r, &err), 0);
    dg_flow_rules_free(r);
    size_t n = 0;
    assert_int_equal(dg_flow_catalog_load(f->s, dg_test_path("etc/catalog.csv"), &n, &err), 0);
    assert_true(n >= 10);
    char path[4200];
    snprintf(path, sizeof path, "%s/bad.csv", f->dir);
    dg_test_write_file(path, "sku,supplier\nA,b\n");
    assert_int_equal(dg_flow_catalog_load(f->s, path, &n, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "bad.csv:1"));
    dg_test_write_file(path, "retailer_sku,supplier,supplier_sku,cost\nA,b,B,abc\n");
    assert_int_equal(dg_flow_catalog_load(f->s, path, &n, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "bad.csv:2"));
    /* A failed load leaves the previous catalog in place. */
    assert_true(ft_q(f, "SELECT count(*) FROM catalog") >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_line_status_with_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(country_not_shipped_and_failed_order, setup, teardown),
        cmocka_unit_test_setup_teardown(cheapest_landed_cost_then_preferred, setup, teardown),
        cmocka_unit_test_setup_teardown(split_across_suppliers_one_po_each, setup, teardown),
        cmocka_unit_test_setup_teardown(split_lines_shares_a_line_out_by_stock, setup, teardown),
        cmocka_unit_test_setup_teardown(no_split_keeps_one_supplier, setup, teardown),
        cmocka_unit_test_setup_teardown(stock_is_reserved_and_optional_per_supplier, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(one_supplier_order_never_reserves_below_zero, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stock_taken_by_another_instance_is_not_oversold, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(found_by_gtin_and_cost_from_feed, setup, teardown),
        cmocka_unit_test_setup_teardown(approval_limit_and_loss_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(duplicate_order_is_not_placed_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(two_orders_at_one_file_position_are_both_placed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(rolled_back_ingest_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(po_numbers_unique_and_po_document_complete, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(pending_pos_and_outbox_paged, setup, teardown),
        cmocka_unit_test_setup_teardown(po_queued_and_sent_exactly_once, setup, teardown),
        cmocka_unit_test_setup_teardown(acks_accept_and_reject_pos, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_orders_and_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(rules_and_catalog_errors_name_the_place, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
