/* One X12 856 covering several POs maps (document_per: HL[HL03=O]) into one shipment document per
 * PO, all with the same shipment id (BSN02). Each PO's shipment must be applied: the duplicate key
 * is (supplier, shipment id, PO), so only a true replay (same file, or the same shipment for the
 * same PO re-sent) is DUPLICATE. */
#include "flowtest.h"

/* Orders O-1 (A-1 x3) and O-2 (A-3 x2), both routed to nw: POs O-1-NW and O-2-NW, sent. */
static int setup(void **state)
{
    ft *f = ft_new();
    ft_stock(f, "nw", "NW-1:50:10.00", "NW-3:50:20.00", NULL);
    dg_doc *d = order_doc("O-1", "US", "A-1:3:25.00", NULL);
    assert_string_equal(ft_order(f, "shop", d).status, DG_ORDER_CONVERTED);
    dg_doc_free(d);
    d = order_doc("O-2", "US", "A-3:2:40.00", NULL);
    assert_string_equal(ft_order(f, "shop", d).status, DG_ORDER_CONVERTED);
    dg_doc_free(d);
    ft_send_pos(f, true);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos WHERE status='SENT'"), 2);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    ft_free(*state);
    return 0;
}

/* The two documents one multi-PO 856 becomes (as the X12 mapping emits them). */
static dg_doc *asn_po1(void)
{
    dg_doc *d = asn_doc("O-1-NW", "SO-9002", "1Z001", "NW-1:3", NULL);
    d->source.position = 100;
    return d;
}

static dg_doc *asn_po2(void)
{
    dg_doc *d = asn_doc("O-2-NW", "SO-9002", "1Z002", "NW-3:2", NULL);
    d->source.position = 400;
    return d;
}

static int ship(ft *f, dg_doc *d, int64_t file, dg_flow_shipment_result *res)
{
    dg_error err = {0};
    int rc = dg_flow_ingest_shipment(f->s, "nw", d, file, res, &err);
    if (rc)
        fail_msg("ingest_shipment: %s", err.msg);
    return rc;
}

static void shared_shipment_id_ships_every_po(void **state)
{
    ft *f = *state;
    dg_flow_shipment_result res;
    dg_doc *d1 = asn_po1(), *d2 = asn_po2();
    int64_t file = ft_file(f);
    ship(f, d1, file, &res);
    assert_int_equal(res.outcome, DG_FLOW_OK);
    assert_string_equal(res.po_status, DG_PO_SHIPPED);
    assert_string_equal(res.order_number, "O-1");
    ship(f, d2, file, &res);
    assert_int_equal(res.outcome, DG_FLOW_OK); /* was DUPLICATE: the 2nd PO's shipment was lost */
    assert_string_equal(res.po_status, DG_PO_SHIPPED);
    assert_string_equal(res.order_number, "O-2");
    assert_string_equal(ft_qs(f, "SELECT status FROM supplier_pos WHERE po_number='O-1-NW'"),
                        DG_PO_SHIPPED);
    assert_string_equal(ft_qs(f, "SELECT status FROM supplier_pos WHERE po_number='O-2-NW'"),
                        DG_PO_SHIPPED);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM shipments WHERE shipment_ref='SO-9002'"), 2);
    assert_int_equal(ft_q(f, "SELECT qty_shipped FROM order_lines WHERE supplier_sku='NW-3'"),
                     20000);
    /* One tracking notification per storefront order. */
    dg_flow_notification *ns = NULL;
    size_t n = 0;
    dg_error err = {0};
    assert_int_equal(dg_flow_pending_notifications(f->s, "shop", &ns, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ns[0].order_number, "O-1");
    assert_string_equal(ns[1].order_number, "O-2");
    assert_string_equal(ns[1].doc->u.shipment.packages[0].tracking_number, "1Z002");
    dg_flow_notifications_free(ns, n);

    /* A true replay of the same file is a no-op for both POs. */
    ship(f, d1, file, &res);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    ship(f, d2, file, &res);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    /* So is the same 856 re-sent as another file. */
    int64_t again = ft_file(f);
    ship(f, d1, again, &res);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    ship(f, d2, again, &res);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM shipments"), 2);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM notifications"), 2);
    assert_int_equal(ft_q(f, "SELECT sum(qty_shipped) FROM order_lines"), 50000);
    dg_doc_free(d1);
    dg_doc_free(d2);
}

static void same_shipment_same_po_twice_is_duplicate(void **state)
{
    ft *f = *state;
    dg_flow_shipment_result res;
    /* A partial shipment, then the very same shipment (same id, same PO) re-sent with other
     * content (e.g. re-generated with a new date): still DUPLICATE, nothing shipped twice. */
    dg_doc *d = asn_doc("O-1-NW", "SO-1", "1Z001", "NW-1:1", NULL);
    ship(f, d, ft_file(f), &res);
    assert_int_equal(res.outcome, DG_FLOW_OK);
    assert_string_equal(res.po_status, DG_PO_PARTIALLY_SHIPPED);
    d->u.shipment.ship_date = dg_arena_strdup(d->arena, "2026-11-22");
    ship(f, d, ft_file(f), &res);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    dg_doc_free(d);
    assert_int_equal(ft_q(f, "SELECT qty_shipped FROM order_lines WHERE supplier_sku='NW-1'"),
                     10000);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM shipments"), 1);
    /* The same shipment id for the other PO is that PO's shipment, not a duplicate. */
    d = asn_doc("O-2-NW", "SO-1", "1Z001", "NW-3:2", NULL);
    ship(f, d, ft_file(f), &res);
    assert_int_equal(res.outcome, DG_FLOW_OK);
    dg_doc_free(d);
    assert_string_equal(ft_qs(f, "SELECT status FROM supplier_pos WHERE po_number='O-2-NW'"),
                        DG_PO_SHIPPED);
    /* Another supplier's shipment id space is its own: a bl ASN for an nw PO is still refused. */
    d = asn_doc("O-2-NW", "SO-1", "1Z001", "NW-3:2", NULL);
    dg_error err = {0};
    assert_int_equal(dg_flow_ingest_shipment(f->s, "bl", d, ft_file(f), &res, &err), DG_EVALID);
    dg_doc_free(d);
}

/* The unique index itself (not only the lookup) allows one row per (supplier, ref, PO). */
static void index_keys_on_po(void **state)
{
    ft *f = *state;
    dg_error err = {0};
    assert_int_equal(
        dg_store_exec(f->s,
                      "INSERT INTO shipments(supplier, shipment_ref, po_id, created_at)"
                      " SELECT 'nw', 'X-1', id, 0 FROM supplier_pos",
                      &err),
        0);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM shipments WHERE shipment_ref='X-1'"), 2);
    assert_int_equal(
        dg_store_exec(f->s,
                      "INSERT INTO shipments(supplier, shipment_ref, po_id, created_at)"
                      " SELECT 'nw', 'X-1', id, 0 FROM supplier_pos LIMIT 1",
                      &err),
        DG_ESTATE);
}

/* A database from before the fix (schema 4) where the 2nd PO of a multi-PO 856 was lost: after
 * the migration the same file's documents, fed again, apply the lost PO's shipment and leave the
 * one already recorded alone (the recovery path: drop the 856 again). */
static void migrated_database_recovers_the_lost_po(void **state)
{
    (void)state;
    ft *f = calloc(1, sizeof *f);
    f->dir = dg_test_tmpdir("flow-mig");
    char path[4200];
    snprintf(path, sizeof path, "%s/dropgate.db", f->dir);
    dg_error err = {0};
    assert_int_equal(dg_store_open_version(dg_test_store_location(path), 4, &f->s, &err), 0);
    assert_int_equal(dg_store_schema_version(f->s), 4);
    assert_int_equal(dg_flow_rules_parse(ft_rules, strlen(ft_rules), "rules.yaml", &f->r, &err), 0);
    char csv[4200];
    snprintf(csv, sizeof csv, "%s/catalog.csv", f->dir);
    dg_test_write_file(csv, ft_catalog);
    assert_int_equal(dg_flow_catalog_load(f->s, csv, NULL, &err), 0);
    dg_store_set_now(f->s, 1700000000);
    /* What the old flow kept of the 856: the 1st PO's shipment only (written as the schema-4 flow
     * wrote it: today's flow needs today's schema). */
    dg_flow_shipment_result res;
    dg_doc *d1 = asn_po1(), *d2 = asn_po2();
    int64_t file = ft_file(f);
    assert_int_equal(
        dg_store_exec(
            f->s,
            "INSERT INTO orders(id, storefront, order_number, status, lines_total, lines_matched,"
            " created_at) VALUES (1,'shop','O-1','CONVERTED',1,1,0), (2,'shop','O-2','CONVERTED',"
            "1,1,0);"
            "INSERT INTO supplier_pos(id, po_number, supplier, order_id, status, expect_ack,"
            " created_at, sent_at) VALUES (1,'O-1-NW','nw',1,'SHIPPED',1,0,0),"
            " (2,'O-2-NW','nw',2,'SENT',1,0,0);"
            "INSERT INTO order_lines(order_id, line_no, line_number, retailer_sku, qty_ordered,"
            " status, supplier, supplier_sku, cost, po_id, po_line, qty_shipped) VALUES"
            " (1,1,'1','A-1',30000,'MATCHED','nw','NW-1',100000,1,1,30000),"
            " (2,1,'1','A-3',20000,'MATCHED','nw','NW-3',200000,2,1,0);"
            "INSERT INTO shipments(id, supplier, shipment_ref, po_id, created_at)"
            " VALUES (1,'nw','SO-9002',1,0);"
            "INSERT INTO shipment_items(shipment_id, order_line_id, qty) VALUES (1,1,30000);",
            &err),
        0);
    /* Upgrade. */
    dg_store_close(f->s);
    f->s = NULL;
    assert_int_equal(dg_store_open(dg_test_store_location(path), &f->s, &err), 0);
    assert_int_equal(dg_store_schema_version(f->s), DG_STORE_SCHEMA_VERSION);
    dg_store_set_now(f->s, 1700000100);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM shipments"), 1);
    /* Migration 10 gave the POs their order status from what they had reached. */
    assert_string_equal(ft_qs(f, "SELECT po_status FROM supplier_pos WHERE id = 1"),
                        DG_POS_AWAITING_DELIVERY);
    assert_string_equal(ft_qs(f, "SELECT po_status FROM supplier_pos WHERE id = 2"),
                        DG_POS_AWAITING_CONFIRMATION);
    assert_string_equal(ft_qs(f, "SELECT supplier_status FROM order_lines WHERE po_id = 1"),
                        DG_SUP_SHIPPED);
    /* The 856 again. */
    ship(f, d1, file, &res);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    ship(f, d2, file, &res);
    assert_int_equal(res.outcome, DG_FLOW_OK);
    assert_string_equal(ft_qs(f, "SELECT status FROM supplier_pos WHERE po_number='O-1-NW'"),
                        DG_PO_SHIPPED);
    assert_string_equal(ft_qs(f, "SELECT status FROM supplier_pos WHERE po_number='O-2-NW'"),
                        DG_PO_SHIPPED);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM shipments WHERE shipment_ref='SO-9002'"), 2);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM notifications"), 1);
    assert_string_equal(ft_qs(f, "SELECT po_status FROM supplier_pos WHERE id = 2"),
                        DG_POS_AWAITING_DELIVERY);
    dg_doc_free(d1);
    dg_doc_free(d2);
    ft_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(shared_shipment_id_ships_every_po, setup, teardown),
        cmocka_unit_test_setup_teardown(same_shipment_same_po_twice_is_duplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(index_keys_on_po, setup, teardown),
        cmocka_unit_test(migrated_database_recovers_the_lost_po),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
