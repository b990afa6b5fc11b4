/* Flow, after the PO: ASNs (unknown PO, over-shipment, partial then full, replay), tracking
 * notifications for the storefront, invoice 3-way match (each discrepancy reason), overdue POs,
 * status and the orders/reconcile reports. */
#include "flowtest.h"

/* Order O-1: A-1 x3 at 25.00 and A-3 x2 at 40.00, both to nw: PO "O-1-NW", sent, 997 expected. */
static int setup(void **state)
{
    ft *f = ft_new();
    ft_stock(f, "nw", "NW-1:50:10.00", "NW-3:50:20.00", NULL);
    dg_doc *d = order_doc("O-1", "US", "A-1:3:25.00", "A-3:2:40.00", NULL);
    dg_flow_order_result res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_CONVERTED);
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

static int ship(ft *f, dg_doc *d, dg_flow_shipment_result *res, dg_error *err)
{
    int rc = dg_flow_ingest_shipment(f->s, "nw", d, ft_file(f), res, err);
    dg_doc_free(d);
    return rc;
}

static const char *po_status(ft *f)
{
    return ft_qs(f, "SELECT status FROM supplier_pos WHERE po_number='O-1-NW'");
}

static void asn_for_unknown_po_is_rejected(void **state)
{
    ft *f = *state;
    dg_flow_shipment_result res;
    dg_error err = {0};
    assert_int_equal(ship(f, asn_doc("NOPE-NW", "S1", "1Z1", "NW-1:1", NULL), &res, &err),
                     DG_EVALID);
    assert_non_null(strstr(err.msg, "unknown PO NOPE-NW"));
    assert_int_equal(ship(f, asn_doc(NULL, "S1", "1Z1", "NW-1:1", NULL), &res, &err), DG_EVALID);
    assert_non_null(strstr(err.msg, "no PO number"));
    /* The right PO, the wrong supplier. */
    dg_doc *d = asn_doc("O-1-NW", "S1", "1Z1", "NW-1:1", NULL);
    assert_int_equal(dg_flow_ingest_shipment(f->s, "bl", d, ft_file(f), &res, &err), DG_EVALID);
    assert_non_null(strstr(err.msg, "sent to nw"));
    dg_doc_free(d);
    /* An item the PO does not have. */
    assert_int_equal(ship(f, asn_doc("O-1-NW", "S1", "1Z1", "NW-77:1", NULL), &res, &err),
                     DG_EVALID);
    assert_non_null(strstr(err.msg, "NW-77 is not on the PO"));
    assert_int_equal(ft_q(f, "SELECT count(*) FROM shipments"), 0);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM notifications"), 0);
    assert_string_equal(po_status(f), DG_PO_SENT);
}

static void over_shipment_is_rejected_and_nothing_recorded(void **state)
{
    ft *f = *state;
    dg_flow_shipment_result res;
    dg_error err = {0};
    assert_int_equal(ship(f, asn_doc("O-1-NW", "S1", "1Z1", "NW-1:4", NULL), &res, &err),
                     DG_EVALID);
    assert_non_null(strstr(err.msg, "over-shipment"));
    assert_non_null(strstr(err.msg, "ordered 3"));
    /* Split across two items of the same ASN counts together. */
    assert_int_equal(ship(f, asn_doc("O-1-NW", "S1", "1Z1", "NW-1:2", "NW-1:2", NULL), &res, &err),
                     DG_EVALID);
    assert_int_equal(ft_q(f, "SELECT sum(qty_shipped) FROM order_lines"), 0);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM shipments"), 0);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM documents WHERE kind='shipment'"), 0);
}

static void partial_then_full_shipment_and_tracking(void **state)
{
    ft *f = *state;
    dg_flow_shipment_result res;
    dg_error err = {0};
    assert_int_equal(ship(f, asn_doc("O-1-NW", "S1", "1Z001", "NW-1:1", NULL), &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_OK);
    assert_string_equal(res.po_status, DG_PO_PARTIALLY_SHIPPED);
    assert_string_equal(res.storefront, "shop");
    assert_string_equal(res.order_number, "O-1");
    assert_string_equal(po_status(f), DG_PO_PARTIALLY_SHIPPED);
    assert_int_equal(
        ship(f, asn_doc("O-1-NW", "S2", "1Z002", "NW-1:2", "NW-3:2", NULL), &res, &err), 0);
    assert_string_equal(res.po_status, DG_PO_SHIPPED);
    assert_string_equal(po_status(f), DG_PO_SHIPPED);
    assert_int_equal(ft_q(f, "SELECT qty_shipped FROM order_lines WHERE supplier_sku='NW-1'"),
                     30000);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM packages"), 2);
    /* Anything more is an over-shipment. */
    assert_int_equal(ship(f, asn_doc("O-1-NW", "S3", "1Z003", "NW-3:1", NULL), &res, &err),
                     DG_EVALID);
    assert_int_equal(ship(f, asn_doc("O-1-NW", "S4", "1Z004", NULL), &res, &err), DG_EVALID);
    /* Two notifications for the storefront, in its own terms. */
    dg_flow_notification *ns = NULL;
    size_t n = 0;
    assert_int_equal(dg_flow_pending_notifications(f->s, "shop", &ns, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ns[0].order_number, "O-1");
    assert_string_equal(ns[0].po_number, "O-1-NW");
    const dg_shipment *sh = &ns[0].doc->u.shipment;
    assert_string_equal(sh->po_number, "O-1");
    assert_string_equal(sh->carrier, "UPSN");
    assert_int_equal(sh->n_packages, 1);
    assert_string_equal(sh->packages[0].tracking_number, "1Z001");
    assert_int_equal(sh->n_items, 1);
    assert_string_equal(sh->items[0].buyer_sku, "A-1");
    assert_string_equal(sh->items[0].line_number, "1");
    assert_int_equal(sh->items[0].quantity_shipped.v, 10000);
    assert_string_equal(sh->items[0].package_id, "1Z001");
    assert_string_equal(sh->ship_to.name, "Ana Lopez");
    assert_non_null(strstr(ns[0].json, "1Z001"));
    assert_int_equal(ns[1].doc->u.shipment.n_items, 2);
    int64_t id0 = ns[0].id, id1 = ns[1].id;
    dg_flow_notifications_free(ns, n);
    /* Into the outbox, then sent: no longer pending; the webhook is tracked apart. */
    int64_t ob = 0, ob2 = 0;
    assert_int_equal(
        dg_flow_notification_queued(f->s, id0, "tracking-1.csv", "s", "/o/t1", &ob, &err), 0);
    assert_int_equal(
        dg_flow_notification_queued(f->s, id0, "tracking-1b.csv", "s", "/o/t1b", &ob2, &err), 0);
    assert_int_equal(ob, ob2);
    assert_int_equal(dg_flow_pending_notifications(f->s, "shop", &ns, &n, &err), 0);
    assert_int_equal(n, 1);
    dg_flow_notifications_free(ns, n);
    assert_int_equal(dg_flow_outbox_sent(f->s, ob, &err), 0);
    assert_string_equal(ft_qs(f, "SELECT state FROM notifications WHERE id = 1"), "SENT");
    assert_int_equal(dg_flow_notification_sent(f->s, id1, &err), 0);
    assert_int_equal(dg_flow_pending_notifications(f->s, NULL, &ns, &n, &err), 0);
    assert_int_equal(n, 0);
    free(ns);
    assert_int_equal(dg_flow_pending_webhooks(f->s, "shop", &ns, &n, &err), 0);
    assert_int_equal(n, 2);
    dg_flow_notifications_free(ns, n);
    assert_int_equal(dg_flow_webhook_done(f->s, id0, &err), 0);
    assert_int_equal(dg_flow_pending_webhooks(f->s, "shop", &ns, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ns[0].id, id1);
    dg_flow_notifications_free(ns, n);
    assert_int_equal(dg_flow_pending_notifications(f->s, "othershop", &ns, &n, &err), 0);
    assert_int_equal(n, 0);
    free(ns);
}

static void asn_replay_and_resend_are_duplicates(void **state)
{
    ft *f = *state;
    dg_flow_shipment_result res;
    dg_error err = {0};
    dg_doc *d = asn_doc("O-1-NW", "S1", "1Z001", "NW-1:1", NULL);
    int64_t file = ft_file(f);
    assert_int_equal(dg_flow_ingest_shipment(f->s, "nw", d, file, &res, &err), 0);
    assert_int_equal(dg_flow_ingest_shipment(f->s, "nw", d, file, &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    /* Same shipment id in another file: the supplier re-sent it. */
    assert_int_equal(dg_flow_ingest_shipment(f->s, "nw", d, ft_file(f), &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    dg_doc_free(d);
    assert_int_equal(ft_q(f, "SELECT qty_shipped FROM order_lines WHERE supplier_sku='NW-1'"),
                     10000);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM notifications"), 1);
    /* Without a shipment id, PO + tracking number identifies it. */
    d = asn_doc("O-1-NW", NULL, "1Z777", "NW-3:1", NULL);
    assert_int_equal(dg_flow_ingest_shipment(f->s, "nw", d, ft_file(f), &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_OK);
    assert_int_equal(dg_flow_ingest_shipment(f->s, "nw", d, ft_file(f), &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    dg_doc_free(d);
}

static void asn_without_items_ships_the_rest(void **state)
{
    ft *f = *state;
    dg_flow_shipment_result res;
    dg_error err = {0};
    assert_int_equal(ship(f, asn_doc("O-1-NW", "S1", "1Z1", "NW-1:1", NULL), &res, &err), 0);
    assert_int_equal(ship(f, asn_doc("O-1-NW", "S2", "1Z2", NULL), &res, &err), 0);
    assert_string_equal(res.po_status, DG_PO_SHIPPED);
    assert_int_equal(ft_q(f, "SELECT sum(qty_shipped) FROM order_lines"), 50000);
    /* Matched by our SKU or GTIN too, and by PO line number when no SKU is given. */
    assert_int_equal(ft_q(f, "SELECT count(*) FROM shipment_items"), 3);
}

static void items_matched_by_retailer_sku_gtin_or_line(void **state)
{
    ft *f = *state;
    dg_flow_shipment_result res;
    dg_error err = {0};
    dg_doc *d = asn_doc("O-1-NW", "S1", "1Z1", NULL);
    dg_shipment_item *it = dg_shipment_add_item(d);
    it->buyer_sku = dg_arena_strdup(d->arena, "A-1");
    it->quantity_shipped = D("1");
    it = dg_shipment_add_item(d);
    it->gtin = dg_arena_strdup(d->arena, "000000000017");
    it->quantity_shipped = D("1");
    it = dg_shipment_add_item(d);
    it->line_number = dg_arena_strdup(d->arena, "2");
    it->quantity_shipped = D("2");
    assert_int_equal(ship(f, d, &res, &err), 0);
    assert_int_equal(ft_q(f, "SELECT qty_shipped FROM order_lines WHERE supplier_sku='NW-1'"),
                     20000);
    assert_int_equal(ft_q(f, "SELECT qty_shipped FROM order_lines WHERE supplier_sku='NW-3'"),
                     20000);
}

/* Ships everything so invoices can be matched. */
static void ship_all(ft *f)
{
    dg_flow_shipment_result res;
    dg_error err = {0};
    assert_int_equal(ship(f, asn_doc("O-1-NW", "S1", "1Z1", "NW-1:3", "NW-3:2", NULL), &res, &err),
                     0);
}

static dg_flow_invoice_result *invoice(ft *f, dg_doc *d, int expect_rc)
{
    static dg_flow_invoice_result res;
    dg_error err = {0};
    assert_int_equal(dg_flow_ingest_invoice(f->s, f->r, "nw", d, ft_file(f), &res, &err),
                     expect_rc);
    dg_doc_free(d);
    return &res;
}

static void invoice_matched_is_approved(void **state)
{
    ft *f = *state;
    ship_all(f);
    /* 3 x 10.00 + 2 x 20.15 (within 2% of 20.00) + freight 5 + tax 2.50 = 77.80 */
    dg_doc *d = invoice_doc("INV-1", "O-1-NW", "77.80", "FREIGHT:5.00", "TAX:2.50", "NW-1:3:10.00",
                            "NW-3:2:20.15", NULL);
    dg_flow_invoice_result *r = invoice(f, d, 0);
    assert_int_equal(r->outcome, DG_FLOW_MATCHED);
    assert_int_equal(r->n_reasons, 0);
    assert_string_equal(po_status(f), DG_PO_INVOICED);
    assert_string_equal(ft_qs(f, "SELECT outcome FROM invoices"), "MATCHED");
    assert_int_equal(ft_q(f, "SELECT qty_invoiced FROM order_lines WHERE supplier_sku='NW-1'"),
                     30000);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM charges"), 2);
    assert_int_equal(ft_q(f, "SELECT tax FROM invoices"), 25000);
}

static void invoice_price_above_tolerance(void **state)
{
    ft *f = *state;
    ship_all(f);
    /* NW-3 at 20.50: 0.50 above 20.00, tolerance max(0.05, 2% = 0.40) = 0.40. */
    dg_doc *d = invoice_doc("INV-2", "O-1-NW", "71.00", "NW-1:3:10.00", "NW-3:2:20.50", NULL);
    dg_flow_invoice_result *r = invoice(f, d, 0);
    assert_int_equal(r->outcome, DG_FLOW_DISCREPANCY);
    assert_int_equal(r->n_reasons, 1);
    assert_string_equal(r->reasons[0].code, DG_REASON_PRICE_ABOVE_TOLERANCE);
    assert_non_null(strstr(r->reasons[0].detail, "20.5"));
    /* The rule in words for the clerk, not only its result (was "(tolerance 0.4)"). */
    assert_non_null(strstr(r->reasons[0].detail, "unit price 20.50 is 0.50 above the PO cost 20.00;"
                                                 " allowed ±0.05 or 2% of the cost, whichever is"
                                                 " more, = ±0.40"));
    assert_string_equal(ft_qs(f, "SELECT code FROM discrepancies"),
                        DG_REASON_PRICE_ABOVE_TOLERANCE);
    /* Not approved: nothing counts as invoiced, the PO is not INVOICED. */
    assert_int_equal(ft_q(f, "SELECT sum(qty_invoiced) FROM order_lines"), 0);
    assert_string_equal(po_status(f), DG_PO_SHIPPED);
}

static void invoice_price_below_tolerance(void **state)
{
    ft *f = *state;
    ship_all(f);
    dg_doc *d = invoice_doc("INV-2b", "O-1-NW", "69.00", "NW-1:3:9.00", "NW-3:2:21.00", NULL);
    dg_flow_invoice_result *r = invoice(f, d, 0);
    assert_true(has_reason(r, DG_REASON_PRICE_BELOW_TOLERANCE));
    assert_true(has_reason(r, DG_REASON_PRICE_ABOVE_TOLERANCE));
    assert_int_equal(r->n_reasons, 2);
}

static void invoice_quantity_above_shipped(void **state)
{
    ft *f = *state;
    dg_flow_shipment_result sr;
    dg_error err = {0};
    assert_int_equal(ship(f, asn_doc("O-1-NW", "S1", "1Z1", "NW-1:1", NULL), &sr, &err), 0);
    dg_doc *d = invoice_doc("INV-3", "O-1-NW", "30.00", "NW-1:3:10.00", NULL);
    dg_flow_invoice_result *r = invoice(f, d, 0);
    assert_int_equal(r->outcome, DG_FLOW_DISCREPANCY);
    assert_int_equal(r->n_reasons, 1);
    assert_string_equal(r->reasons[0].code, DG_REASON_QTY_ABOVE_SHIPPED);
    assert_non_null(strstr(r->reasons[0].detail, "shipped 1"));
}

static void invoice_freight_and_charges_above_limit(void **state)
{
    ft *f = *state;
    ship_all(f);
    dg_doc *d = invoice_doc("INV-4", "O-1-NW", "86.00", "FREIGHT:12.00", "HANDLING:4.00",
                            "NW-1:3:10.00", "NW-3:2:20.00", NULL);
    dg_flow_invoice_result *r = invoice(f, d, 0);
    assert_int_equal(r->outcome, DG_FLOW_DISCREPANCY);
    assert_int_equal(r->n_reasons, 2);
    assert_true(has_reason(r, DG_REASON_FREIGHT_ABOVE_LIMIT));
    assert_true(has_reason(r, DG_REASON_CHARGES_ABOVE_LIMIT));
    /* A discount (negative) never counts against the limit. */
    d = invoice_doc("INV-4b", "O-1-NW", "67.00", "DISCOUNT:-3.00", "NW-1:3:10.00", "NW-3:2:20.00",
                    NULL);
    r = invoice(f, d, 0);
    assert_int_equal(r->outcome, DG_FLOW_MATCHED);
}

static void invoice_sum_mismatch(void **state)
{
    ft *f = *state;
    ship_all(f);
    dg_doc *d = invoice_doc("INV-5", "O-1-NW", "80.00", "FREIGHT:5.00", "NW-1:3:10.00",
                            "NW-3:2:20.00", NULL);
    dg_flow_invoice_result *r = invoice(f, d, 0);
    assert_int_equal(r->outcome, DG_FLOW_DISCREPANCY);
    assert_int_equal(r->n_reasons, 1);
    assert_string_equal(r->reasons[0].code, DG_REASON_TOTAL_MISMATCH);
    assert_non_null(strstr(r->reasons[0].detail, "75"));
}

static void invoice_duplicate_number_is_caught(void **state)
{
    ft *f = *state;
    ship_all(f);
    dg_doc *d = invoice_doc("INV-6", "O-1-NW", "70.00", "NW-1:3:10.00", "NW-3:2:20.00", NULL);
    assert_int_equal(invoice(f, d, 0)->outcome, DG_FLOW_MATCHED);
    d = invoice_doc("INV-6", "O-1-NW", "70.00", "NW-1:3:10.00", "NW-3:2:20.00", NULL);
    dg_flow_invoice_result *r = invoice(f, d, 0);
    assert_int_equal(r->outcome, DG_FLOW_DISCREPANCY);
    assert_true(has_reason(r, DG_REASON_DUPLICATE_INVOICE));
    assert_true(has_reason(r, DG_REASON_QTY_ABOVE_SHIPPED)); /* it would bill twice */
    assert_int_equal(ft_q(f, "SELECT count(*) FROM invoices"), 2);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM invoices WHERE duplicate_of IS NOT NULL"), 1);
    assert_int_equal(ft_q(f, "SELECT qty_invoiced FROM order_lines WHERE supplier_sku='NW-1'"),
                     30000);
    /* Replaying the same file is not a duplicate invoice, just nothing. */
    d = invoice_doc("INV-7", "O-1-NW", "0", NULL);
    int64_t file = ft_file(f);
    dg_flow_invoice_result res;
    dg_error err = {0};
    assert_int_equal(dg_flow_ingest_invoice(f->s, f->r, "nw", d, file, &res, &err), 0);
    assert_int_equal(dg_flow_ingest_invoice(f->s, f->r, "nw", d, file, &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    dg_doc_free(d);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM invoices"), 3);
}

static void invoice_every_reason_listed_and_bad_invoices(void **state)
{
    ft *f = *state;
    dg_flow_shipment_result sr;
    dg_error err = {0};
    assert_int_equal(ship(f, asn_doc("O-1-NW", "S1", "1Z1", "NW-1:1", NULL), &sr, &err), 0);
    dg_doc *d = invoice_doc("INV-8", "O-1-NW", "999.00", "FREIGHT:50", "NW-1:2:12.00",
                            "NW-99:1:1.00", NULL);
    d->u.invoice.currency = dg_arena_strdup(d->arena, "EUR");
    dg_flow_invoice_result *r = invoice(f, d, 0);
    assert_int_equal(r->outcome, DG_FLOW_DISCREPANCY);
    const char *codes[] = {DG_REASON_CURRENCY_MISMATCH,     DG_REASON_LINE_NOT_ON_PO,
                           DG_REASON_PRICE_ABOVE_TOLERANCE, DG_REASON_QTY_ABOVE_SHIPPED,
                           DG_REASON_FREIGHT_ABOVE_LIMIT,   DG_REASON_TOTAL_MISMATCH};
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        if (!has_reason(r, codes[i]))
            fail_msg("missing reason %s", codes[i]);
    assert_int_equal(r->n_reasons, 6);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM discrepancies"), 6);
    /* Unknown PO, missing numbers, another supplier's PO: the file is quarantined. */
    invoice(f, invoice_doc("INV-9", "NOPE", "1", NULL), DG_EVALID);
    invoice(f, invoice_doc("", "O-1-NW", "1", NULL), DG_EVALID);
    invoice(f, invoice_doc("INV-10", NULL, "1", NULL), DG_EVALID);
    d = invoice_doc("INV-11", "O-1-NW", "1", NULL);
    dg_flow_invoice_result res;
    assert_int_equal(dg_flow_ingest_invoice(f->s, f->r, "bl", d, ft_file(f), &res, &err),
                     DG_EVALID);
    dg_doc_free(d);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM invoices"), 1);
}

static void invoice_keeps_every_reason_beyond_the_result_array(void **state)
{
    ft *f = *state;
    ship_all(f);
    dg_doc *d = invoice_doc("INV-40", "O-1-NW", NULL, NULL);
    for (int i = 0; i < 40; i++) {
        dg_invoice_line *l = dg_invoice_add_line(d);
        l->vendor_sku = dg_arena_printf(d->arena, "ZZ-%d", i);
        l->quantity = D("1");
        l->unit_price = D("1");
    }
    dg_flow_invoice_result *r = invoice(f, d, 0);
    assert_int_equal(r->outcome, DG_FLOW_DISCREPANCY);
    assert_int_equal(r->n_reasons, DG_FLOW_MAX_REASONS);
    assert_int_equal(r->n_reasons_total, 40);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM discrepancies"), 40);
    assert_true(r->invoice_id > 0);
}

static void overdue_acks_and_asns(void **state)
{
    ft *f = *state;
    dg_flow_overdue *rows = NULL;
    size_t n = 0;
    dg_error err = {0};
    int64_t sent = 1700000000;
    assert_int_equal(dg_flow_overdue_pos(f->s, f->r, sent + 1800, &rows, &n, &err), 0);
    assert_int_equal(n, 0);
    free(rows);
    assert_int_equal(dg_flow_overdue_pos(f->s, f->r, sent + 3601, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].what, "ack");
    assert_string_equal(rows[0].po_number, "O-1-NW");
    assert_int_equal(rows[0].age_seconds, 3601);
    free(rows);
    dg_flow_ack_set sets[] = {{"0001", "A", NULL}};
    dg_flow_ack a = {"1", "A", sets, 1, 0};
    dg_flow_ack_result ar;
    assert_int_equal(dg_flow_ingest_ack(f->s, "nw", &a, ft_file(f), &ar, &err), 0);
    assert_int_equal(ar.accepted, 1);
    assert_int_equal(dg_flow_overdue_pos(f->s, f->r, sent + 3601, &rows, &n, &err), 0);
    assert_int_equal(n, 0);
    free(rows);
    assert_int_equal(dg_flow_overdue_pos(f->s, f->r, sent + 7201, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].what, "asn");
    free(rows);
    char *json = NULL;
    assert_int_equal(dg_flow_status_json(f->s, f->r, sent + 7201, &json, &err), 0);
    assert_non_null(strstr(json, "\"what\": \"asn\""));
    assert_non_null(strstr(json, "\"CONVERTED\": 1"));
    assert_non_null(strstr(json, "\"ACCEPTED\": 1"));
    free(json);
    ship_all(f);
    assert_int_equal(dg_flow_overdue_pos(f->s, f->r, sent + 99999, &rows, &n, &err), 0);
    assert_int_equal(n, 0);
    free(rows);
}

static void reports_revenue_cost_freight_margin(void **state)
{
    ft *f = *state;
    ship_all(f);
    dg_doc *d = invoice_doc("INV-1", "O-1-NW", "75.00", "FREIGHT:5.00", "NW-1:3:10.00",
                            "NW-3:2:20.00", NULL);
    invoice(f, d, 0);
    d = invoice_doc("INV-2", "O-1-NW", "1.00", "NW-1:1:10.00", NULL);
    invoice(f, d, 0);
    dg_flow_order_row *rows = NULL;
    size_t n = 0;
    dg_error err = {0};
    assert_int_equal(dg_flow_report_orders(f->s, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].order_number, "O-1");
    assert_int_equal(rows[0].revenue.v, 1550000);      /* 3 x 25 + 2 x 40 */
    assert_int_equal(rows[0].supplier_cost.v, 700000); /* 3 x 10 + 2 x 20 */
    assert_int_equal(rows[0].freight.v, 50000);
    assert_int_equal(rows[0].margin.v, 800000);
    assert_int_equal(rows[0].pos, 1);
    assert_int_equal(rows[0].pos_shipped, 1);
    free(rows);
    dg_flow_reconcile_row *rr = NULL;
    assert_int_equal(dg_flow_report_reconcile(f->s, &rr, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rr[0].outcome, "MATCHED");
    assert_int_equal(rr[0].po_amount.v, 700000);
    assert_string_equal(rr[1].outcome, "DISCREPANCY");
    assert_non_null(strstr(rr[1].reasons, "QTY_ABOVE_SHIPPED"));
    assert_non_null(strstr(rr[1].reasons, "TOTAL_MISMATCH"));
    free(rr);
    char *text = NULL;
    assert_int_equal(dg_flow_report_orders_json(f->s, &text, &err), 0);
    assert_non_null(strstr(text, "\"margin\": \"80.00\""));
    free(text);
    assert_int_equal(dg_flow_report_orders_csv(f->s, &text, &err), 0);
    assert_non_null(strstr(text, "storefront,order_number,status"));
    assert_non_null(strstr(text, "shop,O-1,CONVERTED,USD,2,2,1,1,155.00,70.00,5.00,80.00"));
    free(text);
    assert_int_equal(dg_flow_report_reconcile_json(f->s, &text, &err), 0);
    assert_non_null(strstr(text, "\"invoice_number\": \"INV-2\""));
    free(text);
    assert_int_equal(dg_flow_report_reconcile_csv(f->s, &text, &err), 0);
    assert_non_null(strstr(text, "nw,INV-1,O-1-NW,O-1,MATCHED,70.00,5.00,0.00,75.00,70.00,"));
    free(text);
}

static void stock_feed_upserts_and_maps_gtin(void **state)
{
    ft *f = *state;
    dg_doc *d = dg_doc_new(DG_DOC_STOCK);
    dg_stock_item *it = dg_stock_add_item(d);
    it->gtin = dg_arena_strdup(d->arena, "000000000017"); /* no SKU: catalog says NW-1 */
    it->quantity_available = D("7");
    it = dg_stock_add_item(d);
    it->vendor_sku = dg_arena_strdup(d->arena, "NW-3");
    it->quantity_available = D("-2"); /* negative feeds clamp to 0 */
    it = dg_stock_add_item(d);
    it->vendor_sku = dg_arena_strdup(d->arena, "NW-X"); /* no quantity: skipped */
    dg_flow_stock_result res;
    dg_error err = {0};
    int64_t file = ft_file(f);
    assert_int_equal(dg_flow_ingest_stock(f->s, "nw", d, file, &res, &err), 0);
    assert_int_equal(res.items, 2);
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='NW-1'"), 70000);
    assert_int_equal(ft_q(f, "SELECT cost FROM stock WHERE vendor_sku='NW-1'"), 100000); /* kept */
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='NW-3'"), 0);
    assert_int_equal(dg_flow_ingest_stock(f->s, "nw", d, file, &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    dg_flow_result fr;
    assert_int_equal(dg_flow_ingest_doc(f->s, f->r, "nw", false, d, ft_file(f), &fr, &err), 0);
    assert_non_null(strstr(fr.summary, "items=2"));
    dg_doc_free(d);
}

/* An 846 with one LIN per item and warehouse: the stock is the sum over the warehouses of one
 * feed (not the last one read), without a warehouse; the next feed replaces it. */
static void stock_per_location_lines_add_up(void **state)
{
    ft *f = *state;
    dg_doc *d = dg_doc_new(DG_DOC_STOCK);
    const char *wh[] = {"EAST", "WEST"}, *qty[] = {"30", "12"};
    for (int i = 0; i < 2; i++) {
        dg_stock_item *it = dg_stock_add_item(d);
        it->vendor_sku = dg_arena_strdup(d->arena, "NW-1");
        it->warehouse = dg_arena_strdup(d->arena, wh[i]);
        it->quantity_available = D(qty[i]);
    }
    dg_flow_stock_result res;
    dg_error err = {0};
    assert_int_equal(dg_flow_ingest_stock(f->s, "nw", d, ft_file(f), &res, &err), 0);
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='NW-1'"), 420000);
    assert_int_equal(ft_q(f, "SELECT warehouse IS NULL FROM stock WHERE vendor_sku='NW-1'"), 1);
    dg_doc_free(d);
    d = dg_doc_new(DG_DOC_STOCK);
    dg_stock_item *it = dg_stock_add_item(d);
    it->vendor_sku = dg_arena_strdup(d->arena, "NW-1");
    it->warehouse = dg_arena_strdup(d->arena, "EAST");
    it->quantity_available = D("5");
    assert_int_equal(dg_flow_ingest_stock(f->s, "nw", d, ft_file(f), &res, &err), 0);
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='NW-1'"), 50000);
    assert_string_equal(ft_qs(f, "SELECT warehouse FROM stock WHERE vendor_sku='NW-1'"), "EAST");
    dg_doc_free(d);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(asn_for_unknown_po_is_rejected),
        T(over_shipment_is_rejected_and_nothing_recorded),
        T(partial_then_full_shipment_and_tracking),
        T(asn_replay_and_resend_are_duplicates),
        T(asn_without_items_ships_the_rest),
        T(items_matched_by_retailer_sku_gtin_or_line),
        T(invoice_matched_is_approved),
        T(invoice_price_above_tolerance),
        T(invoice_price_below_tolerance),
        T(invoice_quantity_above_shipped),
        T(invoice_freight_and_charges_above_limit),
        T(invoice_sum_mismatch),
        T(invoice_duplicate_number_is_caught),
        T(invoice_every_reason_listed_and_bad_invoices),
        T(invoice_keeps_every_reason_beyond_the_result_array),
        T(overdue_acks_and_asns),
        T(reports_revenue_cost_freight_margin),
        T(stock_feed_upserts_and_maps_gtin),
        T(stock_per_location_lines_add_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
