/* The order life (issue 11): a supplier PO's business status from placement to COMPLETED or
 * CANCELLED, derived from its lines; partial shipments and several ASNs per PO; the order's
 * status following its POs; one status_history row per change with its time and cause. */
#include "flowtest.h"

/* Order O-1: A-1 x3 and A-3 x2, both to nw (PO O-1-NW); O-2: A-2 x1 to bl (PO O-2-BL). */
static int setup(void **state)
{
    ft *f = ft_new();
    ft_stock(f, "nw", "NW-1:50:10.00", "NW-3:50:20.00", NULL);
    ft_stock(f, "bl", "BL-2:50:5.00", NULL);
    dg_doc *d = order_doc("O-1", "US", "A-1:3:25.00", "A-3:2:40.00", NULL);
    assert_string_equal(ft_order(f, "shop", d).status, DG_ORDER_CONVERTED);
    dg_doc_free(d);
    d = order_doc("O-2", "US", "A-2:1:25.00", NULL);
    assert_string_equal(ft_order(f, "shop", d).status, DG_ORDER_CONVERTED);
    dg_doc_free(d);
    ft_send_pos(f, true);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    ft_free(*state);
    return 0;
}

static const char *po_status(ft *f, const char *po)
{
    static char out[32];
    dg_error err = {0};
    assert_int_equal(dg_store_po_status(f->s, po, NULL, out, &err), 0);
    return out;
}

static int64_t line_id(ft *f, const char *po, const char *sku)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT l.id FROM order_lines l JOIN supplier_pos p ON p.id = l.po_id"
             " WHERE p.po_number = '%s' AND l.supplier_sku = '%s'",
             po, sku);
    return ft_q(f, sql);
}

static void ship(ft *f, dg_doc *d)
{
    dg_flow_shipment_result res;
    dg_error err = {0};
    if (dg_flow_ingest_shipment(f->s, "nw", d, ft_file(f), &res, &err))
        fail_msg("ingest_shipment: %s", err.msg);
    dg_doc_free(d);
}

static void placed_po_awaits_confirmation_with_its_cause(void **state)
{
    ft *f = *state;
    /* sent and 997-accepted or not: only the supplier's answer confirms */
    assert_string_equal(po_status(f, "O-1-NW"), DG_POS_AWAITING_CONFIRMATION);
    assert_string_equal(ft_qs(f, "SELECT fulfilment_status FROM orders WHERE order_number='O-1'"),
                        DG_POS_AWAITING_CONFIRMATION);
    dg_status_event *ev = NULL;
    size_t n = 0;
    dg_error err = {0};
    int64_t order = ft_q(f, "SELECT id FROM orders WHERE order_number='O-1'");
    assert_int_equal(dg_store_status_history(f->s, order, 0, &ev, &n, &err), 0);
    assert_int_equal(n, 2); /* the PO created, the order moved */
    assert_string_equal(ev[0].what, "po");
    assert_string_equal(ev[0].from, "");
    assert_string_equal(ev[0].to, DG_POS_AWAITING_CONFIRMATION);
    assert_string_equal(ev[0].cause, "order");
    assert_string_equal(ev[0].po_number, "O-1-NW");
    assert_true(ev[0].document_id > 0);
    assert_true(ev[0].file_id > 0); /* the file the order came in */
    assert_int_equal(ev[0].at, 1700000000);
    assert_string_equal(ev[1].what, "order");
    free(ev);
}

static void partial_then_full_shipment_by_two_asns(void **state)
{
    ft *f = *state;
    ship(f, asn_doc("O-1-NW", "SHP-1", "1Z1", "NW-1:1", NULL));
    assert_string_equal(po_status(f, "O-1-NW"), DG_POS_AWAITING_SHIPMENT);
    int64_t l1 = line_id(f, "O-1-NW", "NW-1"), l3 = line_id(f, "O-1-NW", "NW-3");
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT supplier_status FROM order_lines WHERE id = %lld",
             (long long)l1);
    assert_string_equal(ft_qs(f, sql), DG_SUP_PARTIALLY_SHIPPED);
    ship(f, asn_doc("O-1-NW", "SHP-2", "1Z2", "NW-1:2", "NW-3:1", NULL));
    assert_string_equal(ft_qs(f, sql), DG_SUP_SHIPPED);
    assert_string_equal(po_status(f, "O-1-NW"), DG_POS_AWAITING_SHIPMENT); /* NW-3: 1 of 2 */
    dg_doc *x12 = asn_doc("O-1-NW", "SHP-3", "1Z3", "NW-3:1", NULL);
    x12->source.transaction_set = dg_arena_strdup(x12->arena, "856");
    ship(f, x12);
    snprintf(sql, sizeof sql, "SELECT qty_shipped FROM order_lines WHERE id = %lld", (long long)l3);
    assert_int_equal(ft_q(f, sql), 20000); /* shipped vs ordered kept per line: 2 of 2 */
    assert_string_equal(po_status(f, "O-1-NW"), DG_POS_AWAITING_DELIVERY);
    assert_string_equal(ft_qs(f, "SELECT fulfilment_status FROM orders WHERE order_number='O-1'"),
                        DG_POS_AWAITING_DELIVERY);
    /* the history names each ASN that moved the PO */
    assert_int_equal(ft_q(f, "SELECT count(*) FROM status_history h JOIN supplier_pos p"
                             " ON p.id = h.po_id WHERE p.po_number = 'O-1-NW' AND h.what = 'po'"
                             " AND h.cause IN ('856', 'shipment') AND h.document_id IS NOT NULL"),
                     2);
    /* an X12 ASN names its set as the cause, another document its kind */
    assert_string_equal(ft_qs(f, "SELECT string_agg(cause, ',') FROM (SELECT cause FROM"
                                 " status_history WHERE what = 'po' AND cause <> 'order'"
                                 " AND po_id = (SELECT id FROM supplier_pos"
                                 " WHERE po_number = 'O-1-NW') ORDER BY id) AS h"),
                        "shipment,856");
    assert_string_equal(ft_qs(f, "SELECT h.detail FROM status_history h JOIN supplier_pos p"
                                 " ON p.id = h.po_id WHERE p.po_number = 'O-1-NW'"
                                 " AND h.to_status = 'AWAITING_DELIVERY'"),
                        "SHP-3");
    /* a matched invoice completes it */
    dg_flow_invoice_result iv;
    dg_error err = {0};
    dg_doc *d = invoice_doc("INV-1", "O-1-NW", "70.00", "NW-1:3:10.00", "NW-3:2:20.00", NULL);
    assert_int_equal(dg_flow_ingest_invoice(f->s, f->r, "nw", d, ft_file(f), &iv, &err), 0);
    dg_doc_free(d);
    assert_int_equal(iv.outcome, DG_FLOW_MATCHED);
    assert_string_equal(po_status(f, "O-1-NW"), DG_POS_COMPLETED);
    assert_string_equal(ft_qs(f, "SELECT cause FROM status_history WHERE to_status='COMPLETED'"
                                 " AND what = 'po'"),
                        "invoice");
}

static void backorder_and_rejection_move_the_po(void **state)
{
    ft *f = *state;
    dg_error err = {0};
    int64_t l1 = line_id(f, "O-1-NW", "NW-1"), l3 = line_id(f, "O-1-NW", "NW-3");
    int64_t po = ft_q(f, "SELECT id FROM supplier_pos WHERE po_number='O-1-NW'");
    dg_status_cause c = {.kind = "855", .detail = "test"};
    bool changed = false;
    assert_int_equal(dg_store_line_set_status(f->s, l1, DG_SUP_ACCEPTED, NULL, &c, &changed, &err),
                     0);
    assert_true(changed);
    assert_int_equal(
        dg_store_line_set_status(f->s, l3, DG_SUP_BACKORDERED, "until 12-20", &c, NULL, &err), 0);
    char st[32];
    assert_int_equal(dg_store_po_status_refresh(f->s, po, &c, st, &err), 0);
    assert_string_equal(st, DG_POS_AWAITING_FULFILMENT);
    assert_int_not_equal(ft_q(f, "SELECT confirmed_at FROM supplier_pos WHERE po_number='O-1-NW'"),
                         -1);
    /* the same answer again changes nothing and records nothing */
    long long before = ft_q(f, "SELECT count(*) FROM status_history");
    assert_int_equal(dg_store_line_set_status(f->s, l1, DG_SUP_ACCEPTED, NULL, &c, &changed, &err),
                     0);
    assert_false(changed);
    assert_int_equal(dg_store_po_status_refresh(f->s, po, &c, st, &err), 0);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM status_history"), before);
    /* the backordered line rejected: what is left is accepted */
    assert_int_equal(
        dg_store_line_set_status(f->s, l3, DG_SUP_REJECTED, "discontinued", &c, NULL, &err), 0);
    assert_int_equal(dg_store_po_status_refresh(f->s, po, &c, st, &err), 0);
    assert_string_equal(st, DG_POS_AWAITING_SHIPMENT);
    /* every line closed: CANCELLED, and the order with it (O-1 has no other PO) */
    assert_int_equal(dg_store_line_set_status(f->s, l1, DG_SUP_REJECTED, NULL, &c, NULL, &err), 0);
    assert_int_equal(dg_store_po_status_refresh(f->s, po, &c, st, &err), 0);
    assert_string_equal(st, DG_POS_CANCELLED);
    assert_string_equal(ft_qs(f, "SELECT fulfilment_status FROM orders WHERE order_number='O-1'"),
                        DG_POS_CANCELLED);
    /* O-2 is untouched */
    assert_string_equal(po_status(f, "O-2-BL"), DG_POS_AWAITING_CONFIRMATION);
    /* line history: from/to with the reason as detail */
    assert_string_equal(ft_qs(f, "SELECT from_status || '>' || to_status || ':' || detail"
                                 " FROM status_history WHERE what = 'line'"
                                 " AND to_status = 'REJECTED' ORDER BY id LIMIT 1"),
                        "BACKORDERED>REJECTED:discontinued");
}

static void unknown_line_and_po_are_not_found(void **state)
{
    ft *f = *state;
    dg_error err = {0};
    dg_status_cause c = {.kind = "855"};
    assert_int_equal(dg_store_line_set_status(f->s, 9999, DG_SUP_ACCEPTED, NULL, &c, NULL, &err),
                     DG_ENOTFOUND);
    assert_int_equal(dg_store_po_status_refresh(f->s, 9999, &c, NULL, &err), DG_ENOTFOUND);
    assert_int_equal(dg_store_po_status(f->s, "NOPE", NULL, NULL, &err), DG_ENOTFOUND);
    /* the CHECK keeps made-up statuses out */
    int64_t l1 = line_id(f, "O-1-NW", "NW-1");
    assert_int_equal(dg_store_line_set_status(f->s, l1, "MAYBE", NULL, &c, NULL, &err), DG_ESTATE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(placed_po_awaits_confirmation_with_its_cause, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(partial_then_full_shipment_by_two_asns, setup, teardown),
        cmocka_unit_test_setup_teardown(backorder_and_rejection_move_the_po, setup, teardown),
        cmocka_unit_test_setup_teardown(unknown_line_and_po_are_not_found, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
