/* Files written by others (tests/data/SOURCES.tsv) through the shipped mappings, with their
 * values: cXML OrderRequest and ShipNoticeRequest from the cxml-php project's samples, Coupa's
 * InvoiceDetailRequest samples from the cxml Ruby gem's fixtures, and a real storefront admin
 * orders_export.csv of a development shop (19 orders: gift cards, drafts without address, lines
 * without SKU), whose per-order outcomes are what the gateway records. */
#include "maptest.h"

static void cxml_php_order_request(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/cxml-order-in.yaml", "tests/data/cxml/cxml-php-OrderRequest.xml", &l);
    assert_int_equal(l.n, 1);
    dg_order *o = &l.docs[0]->u.order;
    assert_string_equal(o->order_number, "DO1234");
    assert_string_equal(o->order_date, "2000-10-12");
    assert_string_equal(o->currency, "EUR");
    DEC_EQ(o->total, "85");
    assert_string_equal(o->buyer.id, "inbound@prominate-platform.com");
    assert_string_equal(o->buyer.id_qualifier, "NetworkId");
    assert_string_equal(o->ship_to.name, "Joe Smith"); /* the first DeliverTo */
    assert_string_equal(o->ship_to.company, "Acme");
    assert_string_equal(o->ship_to.address1, "123 Anystreet");
    assert_null(o->ship_to.address2);
    assert_string_equal(o->ship_to.city, "Sunnyvale");
    assert_string_equal(o->ship_to.postal_code, "90489");
    assert_string_equal(o->ship_to.country, "US");
    assert_string_equal(o->bill_to.name, "Zinc GmbH");
    assert_string_equal(o->bill_to.country, "DE"); /* isoCountryCode, not "Deutschland" */
    assert_null(o->notes); /* Comments holds only an Attachment: its URL is no note */
    assert_int_equal(o->n_lines, 2);
    assert_string_equal(o->lines[0].vendor_sku, "1233244");
    DEC_EQ(o->lines[0].quantity, "10");
    DEC_EQ(o->lines[0].unit_price, "2.1");
    assert_string_equal(o->lines[0].uom, "EA");
    assert_string_equal(o->lines[1].description, "hello from item 2");
    DEC_EQ(o->lines[1].quantity, "20");
    list_free(&l);
}

static void cxml_php_ship_notice(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/cxml-shipnotice-in.yaml", "tests/data/cxml/cxml-php-ShipNoticeRequest.xml",
            &l);
    assert_int_equal(l.n, 1);
    dg_shipment *s = &l.docs[0]->u.shipment;
    assert_string_equal(s->shipment_id, "S2-123");
    assert_string_equal(s->po_number, "DO1234");
    assert_string_equal(s->ship_date, "2000-10-14");
    assert_string_equal(s->carrier, "FDE"); /* the SCAC, not "Federal Express" */
    assert_int_equal(s->n_packages, 1);
    assert_string_equal(s->packages[0].tracking_number, "8202 8261 1194");
    assert_int_equal(s->n_items, 0); /* no ShipNoticeItem: the whole PO ships */
    list_free(&l);
}

static void coupa_invoices(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/cxml-invoice-in.yaml", "tests/data/cxml/officeluv-invoice_taxes_at_total.xml",
            &l);
    assert_int_equal(l.n, 1);
    dg_invoice *v = &l.docs[0]->u.invoice;
    assert_string_equal(v->invoice_number, "3492");
    assert_string_equal(v->invoice_date, "2009-05-01");
    assert_string_equal(v->po_number, "123"); /* Coupa: DocumentReference payloadID */
    assert_string_equal(v->currency, "USD");
    assert_string_equal(v->terms, "30");
    DEC_EQ(v->tax, "8");
    assert_false(v->total.set); /* <NetAmount><Money currency="USD" /></NetAmount> */
    assert_int_equal(v->n_lines, 1);
    DEC_EQ(v->lines[0].unit_price, "365");
    assert_string_equal(v->lines[0].line_number, "1");
    assert_int_equal(v->n_charges, 2);
    assert_string_equal(v->charges[0].type, "FREIGHT");
    DEC_EQ(v->charges[0].amount, "30");
    assert_string_equal(v->charges[1].type, "HANDLING");
    DEC_EQ(v->charges[1].amount, "5");
    list_free(&l);
    /* one invoice over two POs: one canonical invoice against the first PO, with every line
     * (the second PO's line then fails the 3-way match as LINE_NOT_ON_PO, for a person) */
    read_ok("mappings/cxml-invoice-in.yaml",
            "tests/data/cxml/officeluv-invoice_backed_by_multiple_pos.xml", &l);
    assert_int_equal(l.n, 1);
    v = &l.docs[0]->u.invoice;
    assert_string_equal(v->po_number, "2252");
    assert_int_equal(v->n_lines, 2);
    DEC_EQ(v->total, "0");
    list_free(&l);
}

typedef struct {
    doc_list docs;
    size_t failed, skipped;
    char why[32][512];
    char key[32][32];
    bool was_skipped[32];
} outcomes;

static int keep_doc(void *ctx, dg_doc *doc, dg_error *err)
{
    return list_sink(&((outcomes *)ctx)->docs, doc, err);
}

static int keep_outcome(void *ctx, const dg_map_outcome *o, dg_error *err)
{
    (void)err;
    outcomes *r = ctx;
    size_t k = r->failed + r->skipped;
    if (k < 32) {
        snprintf(r->why[k], sizeof r->why[k], "%s", o->reason);
        snprintf(r->key[k], sizeof r->key[k], "%s", o->key ? o->key : "");
        r->was_skipped[k] = o->skipped;
    }
    if (o->skipped)
        r->skipped++;
    else
        r->failed++;
    return 0;
}

static void real_storefront_export(void **state)
{
    (void)state;
    dg_mapping *m = load_map("mappings/storefront-orders-export-csv-in.yaml");
    outcomes r = {0};
    dg_error err = {0};
    assert_int_equal(dg_map_read_each(m,
                                      dg_test_path("tests/data/storefront/"
                                                   "shopify-orders_export-forezia.csv"),
                                      keep_doc, keep_outcome, &r, &err),
                     0);
    /* 19 orders: 6 hold only gift cards, orders with nothing to route (4 of them without any
     * shipping address); 13 lack a ship-to or SKUs */
    assert_int_equal(r.docs.n, 6);
    assert_int_equal(r.skipped, 0);
    assert_int_equal(r.failed, 13);
    assert_string_equal(r.key[0], "1001");
    /* the order number as mapped ("#" stripped) */ /* a draft: gift card, wax, boards, no
                                                       address */
    assert_false(r.was_skipped[0]);
    assert_non_null(strstr(r.why[0], "rule 'ship_to.name': required field missing (input row 2)"));
    assert_string_equal(r.key[4], "1005"); /* a company address, lines without SKU */
    assert_non_null(
        strstr(r.why[4], "rule 'lines[].vendor_sku': required field missing (input row 11)"));
    assert_string_equal(r.key[12], "1019"); /* gift card and boards, no address */
    const char *gift_only[] = {"1008", "1009", "1014", "1015", "1017", "1018"};
    for (size_t i = 0; i < 6; i++) {
        const dg_order *o = &r.docs.docs[i]->u.order;
        assert_string_equal(o->order_number, gift_only[i]);
        assert_string_equal(o->currency, "EUR");
        for (size_t k = 0; k < o->n_lines; k++) {
            assert_string_equal(o->lines[k].status, DG_LINE_NOT_SHIPPABLE);
            assert_string_equal(o->lines[k].status_reason,
                                "requires no shipping (gift card, digital good)");
            assert_null(o->lines[k].vendor_sku);
        }
    }
    /* #1008: four gift cards to a Toronto address, with their prices in euros */
    const dg_order *o = &r.docs.docs[0]->u.order;
    assert_string_equal(o->order_date, "2025-05-13");
    assert_string_equal(o->customer_order_number, "6638974042443");
    assert_string_equal(o->ship_to.name, "Russell Winfield");
    assert_string_equal(o->ship_to.city, "Toronto");
    assert_string_equal(o->ship_to.country, "CA");
    DEC_EQ(o->total, "189.8");
    assert_int_equal(o->n_lines, 4);
    assert_string_equal(o->lines[0].description, "Gift Card - $10");
    DEC_EQ(o->lines[0].unit_price, "10.26");
    assert_string_equal(o->lines[3].description, "Gift Card - $100");
    assert_string_equal(o->lines[3].line_number, "4");
    DEC_EQ(o->lines[3].unit_price, "102.59");
    DEC_EQ(o->lines[3].quantity, "1");
    /* #1014: one gift card, no shipping address at all (a draft order) */
    o = &r.docs.docs[2]->u.order;
    assert_null(o->ship_to.address1);
    assert_null(o->ship_to.name);
    assert_string_equal(o->bill_to.name, "Ayumu Hirano");
    assert_int_equal(o->n_lines, 1);
    DEC_EQ(o->lines[0].unit_price, "100");
    list_free(&r.docs);
    dg_map_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cxml_php_order_request),
        cmocka_unit_test(cxml_php_ship_notice),
        cmocka_unit_test(coupa_invoices),
        cmocka_unit_test(real_storefront_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
