/* X12 mappings: the shipped 850/856/810/846 inbound mappings on their samples and on the real
 * files of the shared corpus, round trips through the outbound mappings, envelopes, and the
 * errors a partner engineer must be able to act on (unknown path, missing field, bad date). */
#include "maptest.h"

#include "map/map_internal.h"

#include <dirent.h>

/* A one-set interchange around body (segments separated by '~'), with a correct SE01. */
static const char *x12_file(const char *name, const char *set_id, const char *body)
{
    dg_buf b = DG_BUF_INIT;
    dg_buf_printf(
        &b,
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
        "*240301*1200*U*00401*000000009*0*P*>~\nGS*XX*SENDER*RECEIVER*20240301*1200*9*X*004010~\n"
        "ST*%s*0001~\n%s",
        set_id, body);
    int segs = 2;
    for (const char *p = body; *p; p++)
        segs += *p == '~';
    dg_buf_printf(&b, "SE*%d*0001~\nGE*1*9~\nIEA*1*000000009~\n", segs);
    const char *p = write_tmp(name, b.data);
    dg_buf_free(&b);
    return p;
}

static const char *corpus(const char *rel)
{
    static char path[4][2048];
    static int k;
    const char *dir = dg_test_corpus_dir();
    if (!dir)
        return NULL;
    char *p = path[k++ % 4];
    snprintf(p, 2048, "%s/%s", dir, rel);
    return p;
}

/* ---- samples ---------------------------------------------------------------------------- */

static void po_850_sample(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-850-in.yaml", "samples/mapping/po-850.edi", &l);
    assert_int_equal(l.n, 2);
    dg_order *o = &l.docs[0]->u.order;
    assert_string_equal(o->order_number, "PO-50001");
    assert_string_equal(o->order_date, "2024-03-01");
    assert_string_equal(o->order_type, "DS");
    assert_string_equal(o->customer_order_number, "1001");
    assert_string_equal(o->requested_ship_date, "2024-03-04");
    assert_string_equal(o->carrier, "UPSN");
    assert_string_equal(o->notes, "Leave at door, thanks");
    assert_string_equal(o->ship_to.name, "Ana Lopez");
    assert_string_equal(o->ship_to.address2, "Apt 4");
    assert_string_equal(o->ship_to.city, "Austin");
    assert_string_equal(o->ship_to.postal_code, "78701");
    assert_string_equal(o->ship_to.phone, "512-555-0100");
    assert_string_equal(o->ship_to.email, "ana@example.com");
    assert_string_equal(o->bill_to.id, "SHOPFRONT");
    assert_string_equal(o->seller.name, "Northwind Supply");
    DEC_EQ(o->total, "29.7");
    assert_int_equal(o->n_lines, 2);
    assert_string_equal(o->lines[0].vendor_sku, "MUG-BLU-12");
    assert_string_equal(o->lines[0].buyer_sku, "SF-MUG-12");
    assert_string_equal(o->lines[0].gtin, "012345678905");
    assert_string_equal(o->lines[0].description, "Blue Mug 12oz");
    DEC_EQ(o->lines[0].quantity, "2");
    DEC_EQ(o->lines[0].unit_price, "4.1");
    assert_string_equal(o->lines[1].vendor_sku, "KET-1L");
    DEC_EQ(o->lines[1].unit_price, "21.5");
    assert_null(o->lines[1].gtin);
    assert_string_equal(l.docs[0]->source.sender_id, "SHOPFRONT");
    assert_string_equal(l.docs[0]->source.interchange_control, "000000101");
    o = &l.docs[1]->u.order;
    assert_string_equal(o->order_number, "PO-50002");
    assert_string_equal(o->ship_to.company, "Lee Design LLC");
    assert_string_equal(o->ship_to.postal_code, "02134");
    assert_null(o->notes); /* the first set's N9/MSG does not leak into the second */
    assert_string_equal(o->lines[1].vendor_sku, "TEA-SMP"); /* VN when there is no VP */
    assert_string_equal(o->lines[1].uom, "CA");
    list_free(&l);
}

static void asn_856_sample(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-856-in.yaml", "samples/mapping/asn-856.edi", &l);
    assert_int_equal(l.n, 1);
    dg_shipment *s = &l.docs[0]->u.shipment;
    assert_string_equal(s->shipment_id, "SO-9001");
    assert_string_equal(s->po_number, "PO-50001");
    assert_string_equal(s->ship_date, "2024-03-04");
    assert_string_equal(s->ship_time, "14:30:00");
    assert_string_equal(s->carrier, "UPSN");
    assert_string_equal(s->ship_to.name, "Ana Lopez");
    assert_string_equal(s->ship_from.city, "Reno");
    assert_int_equal(s->n_packages, 2);
    assert_string_equal(s->packages[0].tracking_number, "1Z999AA10123456784");
    DEC_EQ(s->packages[0].weight, "2.5");
    assert_string_equal(s->packages[1].sscc, "00012345600000012345");
    assert_int_equal(s->n_items, 3);
    assert_string_equal(s->items[0].vendor_sku, "MUG-BLU-12");
    assert_string_equal(s->items[0].package_id, "1Z999AA10123456784");
    DEC_EQ(s->items[1].quantity_shipped, "1");
    assert_string_equal(s->items[1].package_id, "1Z999AA10123456784");
    assert_string_equal(s->items[2].package_id, "00012345600000012345"); /* parent's SSCC */
    list_free(&l);
}

/* Tracking number on the shipment (S) level, SSCC on the pack: the package gets both. */
static void asn_856_shipment_level_tracking(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-856-in.yaml", "samples/x12/856-asn.edi", &l);
    assert_int_equal(l.n, 1);
    dg_shipment *s = &l.docs[0]->u.shipment;
    assert_string_equal(s->po_number, "PO-10001");
    assert_int_equal(s->n_packages, 1);
    assert_string_equal(s->packages[0].tracking_number, "1Z999AA10123456784");
    assert_string_equal(s->packages[0].sscc, "00012345678901234567");
    assert_int_equal(s->n_items, 2);
    assert_string_equal(s->items[1].vendor_sku, "NW-200");
    assert_string_equal(s->items[1].package_id, "00012345678901234567");
    list_free(&l);
}

/* One 856 for three POs: one shipment per order (O) level, each with its own PO number, the
 * shipment level (BSN, TD5, DTM, ship-from) copied in, and only its own packages and items. */
static void asn_856_several_orders(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-856-in.yaml", "samples/mapping/asn-856-multi-po.edi", &l);
    assert_int_equal(l.n, 3);
    static const char *const po[] = {"PO-50011", "PO-50012", "PO-50013"};
    static const char *const to[] = {"Ana Lopez", "Ben Okafor", "Cleo Park"};
    static const size_t packs[] = {1, 2, 0}, items[] = {2, 2, 1};
    for (size_t k = 0; k < 3; k++) {
        dg_shipment *s = &l.docs[k]->u.shipment;
        assert_string_equal(s->shipment_id, "SO-9002");
        assert_string_equal(s->po_number, po[k]);
        assert_string_equal(s->ship_date, "2024-03-05");
        assert_string_equal(s->ship_time, "15:45:00");
        assert_string_equal(s->carrier, "FDEG");
        assert_string_equal(s->service_level, "GROUND");
        assert_string_equal(s->ship_from.name, "Northwind Supply");
        assert_string_equal(s->ship_from.city, "Reno");
        assert_string_equal(s->ship_to.name, to[k]); /* the order level's own ship-to */
        assert_int_equal(s->n_packages, packs[k]);
        assert_int_equal(s->n_items, items[k]);
    }
    /* each document starts where its order level does (the first with the set) */
    assert_int_equal(l.docs[0]->source.position, 3);
    assert_int_equal(l.docs[1]->source.position, 25);
    assert_string_equal(l.docs[1]->source.set_control, "0001");
    dg_shipment *a = &l.docs[0]->u.shipment, *b = &l.docs[1]->u.shipment,
                *c = &l.docs[2]->u.shipment;
    assert_string_equal(a->packages[0].tracking_number, "794600000011");
    DEC_EQ(a->packages[0].weight, "2.5");
    assert_string_equal(a->items[0].vendor_sku, "MUG-BLU-12");
    DEC_EQ(a->items[0].quantity_shipped, "2");
    DEC_EQ(a->items[1].quantity_shipped, "1");
    assert_string_equal(a->items[1].package_id, "794600000011");
    assert_string_equal(b->packages[0].tracking_number, "794600000022");
    assert_string_equal(b->packages[1].tracking_number, "794600000033");
    assert_string_equal(b->items[0].vendor_sku, "TEA-SMP");
    DEC_EQ(b->items[0].quantity_shipped, "3");
    assert_string_equal(b->items[0].package_id, "794600000022");
    assert_string_equal(b->items[1].vendor_sku, "MUG-RED-12");
    DEC_EQ(b->items[1].quantity_shipped, "4");
    assert_string_equal(b->items[1].package_id, "794600000033");
    assert_string_equal(b->ship_to.city, "Boston");
    assert_string_equal(c->items[0].vendor_sku, "KET-1L");
    DEC_EQ(c->items[0].quantity_shipped, "5");
    assert_string_equal(c->ship_to.city, "Denver");
    list_free(&l);
}

/* Small-parcel ASNs without a pack level: the tracking number of the shipment level (set 1),
 * of each order level (REF*2I, MAN*CP; set 2, one shipment per PO) or of each item (set 3)
 * makes the packages, and the items name them. */
static void asn_856_tracking_without_packs(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-856-in.yaml", "samples/mapping/asn-856-no-pack.edi", &l);
    assert_int_equal(l.n, 4);
    dg_shipment *s = &l.docs[0]->u.shipment;
    assert_string_equal(s->shipment_id, "SO-9003");
    assert_string_equal(s->po_number, "PO-50021");
    assert_int_equal(s->n_packages, 1);
    assert_string_equal(s->packages[0].tracking_number, "1Z999AA10000000301");
    DEC_EQ(s->packages[0].weight, "1.2");
    assert_int_equal(s->n_items, 2);
    DEC_EQ(s->items[0].quantity_shipped, "2");
    DEC_EQ(s->items[1].quantity_shipped, "1");
    assert_string_equal(s->items[0].package_id, "1Z999AA10000000301");
    assert_string_equal(s->items[1].package_id, "1Z999AA10000000301");

    s = &l.docs[1]->u.shipment; /* REF*2I on the first order level */
    assert_string_equal(s->shipment_id, "SO-9004");
    assert_string_equal(s->po_number, "PO-50022");
    assert_string_equal(s->carrier, "USPS");
    assert_int_equal(s->n_packages, 1);
    assert_string_equal(s->packages[0].tracking_number, "9400111899560000000022");
    assert_int_equal(s->n_items, 1);
    DEC_EQ(s->items[0].quantity_shipped, "3");
    assert_string_equal(s->items[0].package_id, "9400111899560000000022");
    s = &l.docs[2]->u.shipment; /* MAN*CP on the second */
    assert_string_equal(s->po_number, "PO-50023");
    assert_string_equal(s->ship_to.name, "Cleo Park");
    assert_int_equal(s->n_packages, 1);
    assert_string_equal(s->packages[0].tracking_number, "9400111899560000000023");
    assert_int_equal(s->n_items, 2);
    DEC_EQ(s->items[0].quantity_shipped, "4");
    DEC_EQ(s->items[1].quantity_shipped, "1");
    assert_string_equal(s->items[1].package_id, "9400111899560000000023");

    s = &l.docs[3]->u.shipment; /* tracking per item: two boxes, the shipment-level one unused */
    assert_string_equal(s->po_number, "PO-50024");
    assert_int_equal(s->n_packages, 2);
    assert_string_equal(s->packages[0].tracking_number, "794600000051");
    assert_string_equal(s->packages[1].tracking_number, "794600000052");
    assert_int_equal(s->n_items, 3);
    assert_string_equal(s->items[0].package_id, "794600000051");
    assert_string_equal(s->items[1].package_id, "794600000052");
    assert_string_equal(s->items[2].package_id, "794600000052");
    DEC_EQ(s->items[2].quantity_shipped, "2");
    list_free(&l);
}

/* document_per on a mapping of the caller's: loops outside every document loop go with the
 * first document, a set without any document loop is one document as without the option. */
static void document_per_option(void **state)
{
    (void)state;
    const char *yaml =
        "direction: in\ndocument: shipment\nformat: x12\n"
        "x12: {transaction_set: \"856\", until: [CTT, SE], document_per: \"HL[HL03=O]\"}\n"
        "fields:\n  - {target: shipment_id, source: BSN02}\n  - {target: po_number, source: "
        "PRF01}\n"
        "groups:\n  - target: items\n    each: \"HL[HL03=I]\"\n    fields:\n"
        "      - {target: vendor_sku, source: \"LIN@VP\"}\n"
        "      - {target: quantity_shipped, source: SN102}\n";
    const char *map = write_tmp("per.yaml", yaml);
    doc_list l = {0};
    /* an item hanging off the shipment level, before the orders: the first document's */
    read_ok(map,
            x12_file("per.edi", "856",
                     "BSN*00*S1*20240301*1200~HL*1**S~HL*2*1*I~LIN**VP*LOOSE~SN1**1*EA~"
                     "HL*3*1*O~PRF*P1~HL*4*3*I~LIN**VP*A~SN1**2*EA~"
                     "HL*5*1*O~PRF*P2~HL*6*5*I~LIN**VP*B~SN1**3*EA~CTT*6~"),
            &l);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.docs[0]->u.shipment.po_number, "P1");
    assert_int_equal(l.docs[0]->u.shipment.n_items, 2);
    assert_string_equal(l.docs[0]->u.shipment.items[0].vendor_sku, "LOOSE");
    assert_string_equal(l.docs[1]->u.shipment.po_number, "P2");
    assert_int_equal(l.docs[1]->u.shipment.n_items, 1);
    assert_string_equal(l.docs[1]->u.shipment.items[0].vendor_sku, "B");
    DEC_EQ(l.docs[1]->u.shipment.items[0].quantity_shipped, "3");
    list_free(&l);
    /* no order level at all (S/I): one document */
    read_ok(map,
            x12_file("per2.edi", "856",
                     "BSN*00*S2*20240301*1200~HL*1**S~PRF*P9~HL*2*1*I~LIN**VP*A~SN1**2*EA~"
                     "HL*3*1*I~LIN**VP*B~SN1**1*EA~CTT*3~"),
            &l);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.docs[0]->u.shipment.po_number, "P9");
    assert_int_equal(l.docs[0]->u.shipment.n_items, 2);
    list_free(&l);
    /* HL without parent ids (HL02 empty, as some senders write): the order's items follow it */
    read_ok(map,
            x12_file("per3.edi", "856",
                     "BSN*00*S3*20240301*1200~HL*1**S~HL*2**O~PRF*P1~HL*3**I~LIN**VP*A~SN1**2*EA~"
                     "HL*4**O~PRF*P2~HL*5**I~LIN**VP*B~SN1**1*EA~HL*6**I~LIN**VP*C~SN1**1*EA~"),
            &l);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.docs[0]->u.shipment.n_items, 1);
    assert_string_equal(l.docs[1]->u.shipment.po_number, "P2");
    assert_int_equal(l.docs[1]->u.shipment.n_items, 2);
    list_free(&l);
    /* a bad step is a load error naming the option */
    const char *bad =
        write_tmp("bad-per.yaml", "direction: in\ndocument: shipment\nformat: x12\n"
                                  "x12: {transaction_set: \"856\", document_per: \"hl[HL03=O]\"}\n"
                                  "fields:\n  - {target: shipment_id, source: BSN02}\n");
    dg_mapping *m = NULL;
    dg_error err = {0};
    assert_int_equal(dg_map_load(bad, &m, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "bad-per.yaml:4"));
    assert_non_null(strstr(err.msg, "document_per"));
}

static void invoice_810_sample(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-810-in.yaml", "samples/mapping/invoice-810.edi", &l);
    assert_int_equal(l.n, 1);
    dg_invoice *v = &l.docs[0]->u.invoice;
    assert_string_equal(v->invoice_number, "INV-7001");
    assert_string_equal(v->invoice_date, "2024-03-06");
    assert_string_equal(v->po_number, "PO-50001");
    assert_string_equal(v->terms, "Net 30");
    assert_string_equal(v->remit_to.name, "Northwind Supply");
    DEC_EQ(v->total, "39.05"); /* TDS 3905, two implied decimals */
    DEC_EQ(v->tax, "0");
    assert_int_equal(v->n_lines, 2); /* the line-level SAC does not end the IT1 loops */
    DEC_EQ(v->lines[1].unit_price, "21.5");
    assert_int_equal(v->n_charges, 3); /* two on the invoice, then the one inside IT1 */
    assert_string_equal(v->charges[0].type, "FREIGHT");
    DEC_EQ(v->charges[0].amount, "7.95");
    assert_null(v->charges[0].line_number);
    assert_string_equal(v->charges[1].type, "DISCOUNT");
    DEC_EQ(v->charges[1].amount, "-3"); /* allowance: SAC01 = A */
    assert_string_equal(v->charges[1].description, "Promo discount");
    assert_string_equal(v->charges[2].type, "FREIGHT"); /* the line's: its line number */
    DEC_EQ(v->charges[2].amount, "1.5");
    assert_string_equal(v->charges[2].line_number, "1");
    list_free(&l);
}

static void inventory_846_sample(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-846-in.yaml", "samples/mapping/inventory-846.edi", &l);
    assert_int_equal(l.n, 1);
    dg_stock *s = &l.docs[0]->u.stock;
    assert_string_equal(s->as_of, "2024-03-05");
    assert_int_equal(s->n_items, 3);
    assert_string_equal(s->items[0].vendor_sku, "MUG-BLU-12");
    DEC_EQ(s->items[0].quantity_available, "120");
    DEC_EQ(s->items[0].cost, "4.1");
    DEC_EQ(s->items[0].msrp, "12.99");
    DEC_EQ(s->items[1].quantity_available, "0"); /* QTY 17 when there is no QTY 33 */
    assert_string_equal(s->items[1].available_date, "2024-03-20");
    assert_string_equal(s->items[2].buyer_sku, "TEA-3");
    list_free(&l);
}

/* ---- corpus ----------------------------------------------------------------------------- */

static void corpus_values(void **state)
{
    (void)state;
    if (!corpus("x12/850/apimeister-004010_850.edi")) {
        print_message("SKIP corpus_values: ../shared/corpus not found\n");
        skip();
    }
    doc_list l = {0};
    read_ok("mappings/x12-850-in.yaml", corpus("x12/850/apimeister-004010_850.edi"), &l);
    assert_int_equal(l.n, 1);
    dg_order *o = &l.docs[0]->u.order;
    assert_string_equal(o->order_number, "A99999-01");
    assert_string_equal(o->order_date, "1997-02-14");
    assert_string_equal(o->ship_to.name, "BUYSNACKS PORT");
    assert_string_equal(o->ship_to.city, "ATHENS");
    assert_string_equal(o->bill_to.address1, "P.O. BOX 0000");
    assert_int_equal(o->n_lines, 7);
    assert_string_equal(o->lines[0].buyer_sku, "000111111");
    assert_string_equal(o->lines[0].gtin, "002840022222");
    assert_string_equal(o->lines[0].description, "CRUNCHY CHIPS LSS");
    DEC_EQ(o->lines[0].quantity, "16");
    DEC_EQ(o->lines[0].unit_price, "12.34");
    assert_string_equal(o->lines[6].buyer_sku, "000875088");
    list_free(&l);

    read_ok("mappings/x12-850-in.yaml", corpus("x12/850/node-x12-850.edi"), &l);
    o = &l.docs[0]->u.order;
    assert_string_equal(o->order_number, "08292233294");
    assert_string_equal(o->ship_to.name, "XYZ RETAIL");
    assert_string_equal(o->ship_to.postal_code, "44139");
    assert_string_equal(o->lines[0].vendor_sku, "AB3542"); /* PO1*...*VN*AB3542 */
    assert_string_equal(o->lines[0].buyer_sku, "065322-117");
    DEC_EQ(o->lines[0].quantity, "120");
    DEC_EQ(o->lines[0].unit_price, "9.25");
    list_free(&l);

    /* two order levels: two shipments, each with its own packs */
    read_ok("mappings/x12-856-in.yaml", corpus("x12/856/ediengine-856.Crossdock.OK.edi"), &l);
    assert_int_equal(l.n, 2);
    dg_shipment *s = &l.docs[0]->u.shipment;
    assert_string_equal(s->shipment_id, "000009");
    assert_string_equal(s->po_number, "POREF00");
    assert_string_equal(s->ship_date, "2009-09-21");
    assert_string_equal(s->carrier, "OVNT");
    assert_int_equal(s->n_packages, 4);
    assert_int_equal(s->n_items, 4);
    assert_string_equal(s->packages[0].sscc, "00000715670002152360");
    assert_string_equal(s->items[0].gtin, "0000000000642");
    DEC_EQ(s->items[0].quantity_shipped, "12");
    assert_string_equal(s->items[0].package_id, "00000715670002152360");
    assert_string_equal(s->items[3].package_id, "00000715670002152391");
    s = &l.docs[1]->u.shipment;
    assert_string_equal(s->shipment_id, "000009");
    assert_string_equal(s->po_number, "POREF01");
    assert_string_equal(s->carrier, "OVNT");
    assert_string_equal(s->ship_to.name, "RETAILER");
    assert_int_equal(s->n_packages, 1);
    assert_string_equal(s->packages[0].sscc, "00000715670002152111");
    assert_int_equal(s->n_items, 1);
    assert_string_equal(s->items[0].gtin, "0000000000642");
    DEC_EQ(s->items[0].quantity_shipped, "12");
    assert_string_equal(s->items[0].package_id, "00000715670002152111");
    list_free(&l);

    /* tracking only at the shipment level, no pack level (S/O/I) */
    static const char *const sol[] = {"x12/856/apimeister-004060_856.edi",
                                      "x12/856/node-x12-856.edi",
                                      "x12/856/oopfactory-edi1Source.edi"};
    for (size_t k = 0; k < 3; k++) {
        read_ok("mappings/x12-856-in.yaml", corpus(sol[k]), &l);
        assert_int_equal(l.n, 1);
        s = &l.docs[0]->u.shipment;
        assert_string_equal(s->po_number, "99999817");
        assert_int_equal(s->n_packages, 1);
        assert_string_equal(s->packages[0].tracking_number, "5787970539");
        assert_int_equal(s->n_items, 2);
        assert_string_equal(s->items[0].vendor_sku, "87787D");
        DEC_EQ(s->items[0].quantity_shipped, "24");
        DEC_EQ(s->items[1].quantity_shipped, "6");
        assert_string_equal(s->items[0].package_id, "5787970539");
        assert_string_equal(s->items[1].package_id, "5787970539");
        list_free(&l);
    }
    /* the same with HL02 left out everywhere: the parent is the level before */
    read_ok("mappings/x12-856-in.yaml", corpus("x12/856/oopfactory-Example4.edi"), &l);
    assert_int_equal(l.n, 1);
    s = &l.docs[0]->u.shipment;
    assert_string_equal(s->po_number, "PO NUMBER");
    assert_int_equal(s->n_packages, 1);
    assert_string_equal(s->packages[0].tracking_number, "620940");
    assert_int_equal(s->n_items, 7);
    DEC_EQ(s->items[3].quantity_shipped, "20");
    for (size_t i = 0; i < s->n_items; i++)
        assert_string_equal(s->items[i].package_id, "620940");
    list_free(&l);
    /* S/I: items right under the shipment level */
    read_ok("mappings/x12-856-in.yaml", corpus("x12/856/oopfactory-Example3.edi"), &l);
    s = &l.docs[0]->u.shipment;
    assert_int_equal(s->n_packages, 1);
    assert_string_equal(s->packages[0].tracking_number, "0123456789");
    assert_int_equal(s->n_items, 3);
    DEC_EQ(s->items[0].quantity_shipped, "1596");
    assert_string_equal(s->items[2].package_id, "0123456789");
    list_free(&l);
    /* a shipment-level REF*CN next to packs with SSCCs adds no package of its own */
    read_ok("mappings/x12-856-in.yaml", corpus("x12/856/oopfactory-FromGregarican.edi"), &l);
    s = &l.docs[0]->u.shipment;
    assert_string_equal(s->po_number, "SO/VINCE1");
    assert_int_equal(s->n_packages, 1);
    assert_string_equal(s->packages[0].tracking_number, "521649209219");
    assert_string_equal(s->packages[0].sscc, "00007121610006156802");
    assert_string_equal(s->items[0].package_id, "00007121610006156802");
    list_free(&l);

    read_ok("mappings/x12-810-in.yaml", corpus("x12/810/bots-810-004010-01.edi"), &l);
    assert_int_equal(l.n, 2);
    dg_invoice *v = &l.docs[0]->u.invoice;
    assert_string_equal(v->invoice_number, "465266");
    assert_string_equal(v->po_number, "539893");
    DEC_EQ(v->total, "8432.02");
    assert_int_equal(v->n_lines, 4);
    /* the SACs are all inside IT1 loops (IT101 empty): line charges numbered as the lines are,
     * 7% GST; lines and charges add up to TDS */
    assert_int_equal(v->n_charges, 4);
    for (size_t k = 0; k < 4; k++) {
        char want[4];
        snprintf(want, sizeof want, "%zu", k + 1);
        assert_string_equal(v->charges[k].line_number, want);
        assert_string_equal(v->lines[k].line_number, want);
        assert_string_equal(v->charges[k].type, "TAX");
        assert_string_equal(v->charges[k].code, "D360");
        DEC_EQ(v->charges[k].percent, "7");
    }
    DEC_EQ(v->charges[0].amount, "58.87");
    DEC_EQ(v->charges[3].amount, "105.08");
    dg_dec sum = dg_dec_from_int(0);
    for (size_t k = 0; k < 4; k++)
        sum = dg_dec_add(dg_dec_add(sum, dg_dec_mul(v->lines[k].unit_price, v->lines[k].quantity)),
                         v->charges[k].amount);
    char sb[32];
    assert_string_equal(dg_dec_format(sum, sb, sizeof sb), "8432.02");
    assert_string_equal(v->lines[3].gtin, "001055503441");
    DEC_EQ(v->lines[3].unit_price, "166.8");
    DEC_EQ(l.docs[1]->u.invoice.total, "1129.92");
    list_free(&l);

    /* several groups, sets and interchanges in one file: each mapping takes its own sets */
    read_ok("mappings/x12-850-in.yaml", corpus("x12/mixed/staedi-invoice810_po850_dual.edi"), &l);
    assert_int_equal(l.n, 1);
    list_free(&l);
    read_ok("mappings/x12-810-in.yaml", corpus("x12/mixed/staedi-invoice810_po850_dual.edi"), &l);
    assert_int_equal(l.n, 2);
    list_free(&l);
    read_ok("mappings/x12-850-in.yaml",
            corpus("x12/mixed/bots-mailbag01-multi-interchange-mixed-delimiters.edi"), &l);
    assert_true(l.n >= 7); /* interchanges with different delimiters each */
    for (size_t i = 0; i < l.n; i++)
        assert_non_null(l.docs[i]->u.order.order_number);
    list_free(&l);
    read_ok("mappings/x12-850-in.yaml",
            corpus("x12/mixed/edifabric-MixedTransactionsNoEnvelopes.edi"), &l);
    assert_int_equal(l.n, 1); /* bare ST..SE without ISA/GS */
    list_free(&l);

    read_ok("mappings/x12-846-in.yaml", corpus("x12/846/oopfactory-Example1.edi"), &l);
    dg_stock *k = &l.docs[0]->u.stock;
    assert_string_equal(k->as_of, "2004-08-11");
    assert_int_equal(k->n_items, 1);
    assert_string_equal(k->items[0].buyer_sku, "46L5055");
    assert_string_equal(k->items[0].vendor_sku, "1234123232");
    DEC_EQ(k->items[0].quantity_available, "5250");
    list_free(&l);
}

/* Every file the manifest calls valid maps without error and gives at least one document. */
static void corpus_all_valid(void **state)
{
    (void)state;
    const char *dir = dg_test_corpus_dir();
    if (!dir) {
        print_message("SKIP corpus_all_valid: ../shared/corpus not found\n");
        skip();
    }
    char mpath[2048];
    snprintf(mpath, sizeof mpath, "%s/MANIFEST.tsv", dir);
    char *man = dg_test_read_file(mpath, NULL);
    assert_non_null(man);
    static const char *const sets[][2] = {{"x12/850/", "mappings/x12-850-in.yaml"},
                                          {"x12/856/", "mappings/x12-856-in.yaml"},
                                          {"x12/810/", "mappings/x12-810-in.yaml"},
                                          {"x12/846/", "mappings/x12-846-in.yaml"}};
    int mapped = 0;
    for (char *line = strtok(man, "\n"); line; line = strtok(NULL, "\n")) {
        char *tab = strchr(line, '\t');
        if (!tab || strncmp(tab + 1, "valid\t", 6))
            continue;
        *tab = '\0';
        for (size_t k = 0; k < 4; k++) {
            if (strncmp(line, sets[k][0], strlen(sets[k][0])))
                continue;
            char fpath[2048];
            snprintf(fpath, sizeof fpath, "%s/%s", dir, line);
            dg_mapping *m = load_map(sets[k][1]);
            doc_list l = {0};
            dg_error err = {0};
            int rc = dg_map_read_file(m, fpath, list_sink, &l, &err);
            /* every valid file of the four sets maps to at least one document */
            if (rc)
                print_message("  %s: %s\n", line, err.msg);
            assert_int_equal(rc, 0);
            assert_true(l.n >= 1);
            mapped++;
            list_free(&l);
            dg_map_free(m);
        }
    }
    free(man);
    /* 32 valid 850/856/810/846 files after the manifest's hand review */
    assert_true(mapped >= 32);
}

/* ---- errors ----------------------------------------------------------------------------- */

static void inbound_errors(void **state)
{
    (void)state;
    static const struct {
        const char *body, *expect1, *expect2;
    } cases[] = {
        {"BEG*00*SA***20240301~PO1*1*2*EA*1**VP*X~", "rule 'order_number': required field missing",
         "segment 3 ST"},
        {"BEG*00*SA*P1**20241301~PO1*1*2*EA*1**VP*X~",
         "rule 'order_date': '20241301' is not a date", "segment 4 BEG05"},
        {"BEG*00*SA*P1**20240301~PO1*1**EA*1**VP*X~", "rule 'quantity': required field missing",
         "segment 5 PO1"},
        {"BEG*00*SA*P1**20240301~PO1*1*two*EA*1**VP*X~", "rule 'quantity': 'two' is not a number",
         "segment 5 PO102"},
    };
    const char *map = dg_test_path("mappings/x12-850-in.yaml");
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dg_error err = {0};
        const char *in = x12_file("bad.edi", "850", cases[i].body);
        assert_int_equal(read_fail(map, in, &err), DG_EMAP);
        if (!strstr(err.msg, cases[i].expect1) || !strstr(err.msg, cases[i].expect2) ||
            !strstr(err.msg, "x12-850-in.yaml:") || !strstr(err.msg, "bad.edi"))
            fail_msg("case %zu: '%s'", i, err.msg);
    }
    dg_error err = {0};
    /* an 810 given to the 850 mapping */
    assert_int_equal(read_fail(map, dg_test_path("samples/mapping/invoice-810.edi"), &err),
                     DG_EMAP);
    assert_non_null(strstr(err.msg, "no 850 transaction set in the file (it holds 810)"));
    /* a file cut short inside the second set: an error, not a half order */
    char *full = dg_test_read_file(dg_test_path("samples/mapping/po-850.edi"), NULL);
    assert_non_null(full);
    full[900] = '\0';
    const char *cut = write_tmp("cut.edi", full);
    free(full);
    assert_int_equal(read_fail(map, cut, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "ST02 0002"));
    assert_non_null(strstr(err.msg, "ends without SE"));
    /* not X12 at all */
    const char *junk = write_tmp("junk.edi", "this is not an interchange\n");
    assert_int_equal(read_fail(map, junk, &err), DG_EPARSE);
    /* a file that does not exist */
    assert_int_equal(read_fail(map, "/nonexistent/x.edi", &err), DG_EIO);
}

static void bad_x12_mappings(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *expect;
    } cases[] = {
        {"fields:\n  - {target: order_number, source: BEGX3}\n",
         "source 'BEGX3' is not an X12 path"},
        {"fields:\n  - {target: order_number, source: \"N1[N101=ST/N102\"}\n",
         "is not an X12 path"},
        {"fields:\n  - {target: order_number, source: BEG00}\n", "element positions start at 01"},
        {"fields:\n  - {target: order_number, source: BEG03-0}\n", "is not an X12 path"},
        {"groups:\n  - target: lines\n    each: po1\n    fields:\n      - {target: quantity, "
         "source: PO102}\n",
         "group 'each' 'po1'"},
        {"fields:\n  - {target: total, source: SAC05, negate_if: \"=A\"}\n", "negate_if"},
        {"fields:\n  - {target: order_nr, source: BEG03}\n", "unknown document field 'order_nr'"},
        {"groups:\n  - target: lines\n    each: PO1\n    if_empty: nope\n    fields:\n"
         "      - {target: quantity, source: PO102}\n",
         "'if_empty: nope' is not a repeated part of a order"},
        {"groups:\n  - target: lines\n    each: document\n    when: [PO102, \"PO1*\"]\n"
         "    fields:\n      - {target: quantity, source: PO102}\n",
         "group 'when' 'PO1*'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dg_buf b = DG_BUF_INIT;
        dg_buf_printf(
            &b, "direction: in\ndocument: order\nformat: x12\nx12:\n  transaction_set: \"850\"\n%s",
            cases[i].yaml);
        const char *p = write_tmp("bad-map.yaml", b.data);
        dg_buf_free(&b);
        dg_mapping *m = NULL;
        dg_error err = {0};
        assert_int_equal(dg_map_load(p, &m, &err), DG_ECONFIG);
        assert_null(m);
        if (!strstr(err.msg, cases[i].expect) || !strstr(err.msg, "bad-map.yaml:"))
            fail_msg("case %zu: '%s' does not contain '%s'", i, err.msg, cases[i].expect);
    }
}

/* Components, repetitions and qualifiers in paths, on a 4030 file with a repetition separator. */
static void components_and_repetitions(void **state)
{
    (void)state;
    const char *in =
        write_tmp("rep.edi", "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
                             "*240301*1200*^*00403*000000009*0*P*>~\n"
                             "GS*PO*SENDER*RECEIVER*20240301*1200*9*X*004030~\nST*850*0001~\n"
                             "BEG*00*SA*P1**20240301~REF*ZZ*A^B>C~PO1*1*2*EA*1**VP*X~SLN*1**I*3*CA>"
                             "12*4.5~SE*6*0001~GE*1*9~IEA*1*000000009~\n");
    const char *yaml =
        "direction: in\ndocument: order\nformat: x12\nx12:\n  transaction_set: \"850\"\n"
        "fields:\n  - {target: order_number, source: BEG03}\n"
        "  - {target: notes, source: \"REF[REF01=ZZ]/REF02#2-2\"}\n"
        "  - {target: customer_order_number, source: \"REF02#1\"}\n"
        "groups:\n  - target: lines\n    each: PO1\n    fields:\n"
        "      - {target: quantity, source: PO102}\n      - {target: uom, source: SLN05-1}\n"
        "      - {target: description, source: SLN05-2}\n";
    const char *map = write_tmp("rep.yaml", yaml);
    dg_mapping *m = NULL;
    dg_error err = {0};
    if (dg_map_load(map, &m, &err))
        fail_msg("%s", err.msg);
    doc_list l = {0};
    if (dg_map_read_file(m, in, list_sink, &l, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(l.n, 1);
    dg_order *o = &l.docs[0]->u.order;
    assert_string_equal(o->notes, "C");
    assert_string_equal(o->customer_order_number, "A");
    assert_string_equal(o->lines[0].uom, "CA");
    assert_string_equal(o->lines[0].description, "12");
    list_free(&l);
    dg_map_free(m);
}

/* ---- plans vs paths alone ---------------------------------------------------------------- */

/* Each document as JSON, each failed or skipped one with its reason: what a reader hands on. */
static int json_sink(void *ctx, dg_doc *doc, dg_error *err)
{
    dg_buf *b = ctx;
    int rc = dg_doc_to_json(doc, 0, b, err);
    dg_buf_puts(b, "\n");
    dg_doc_free(doc);
    return rc;
}

static int reason_sink(void *ctx, const dg_map_outcome *o, dg_error *err)
{
    (void)err;
    dg_buf_printf(ctx, "%s %s %ld %s: %s\n", o->skipped ? "skipped" : "failed", o->unit,
                  o->position, o->key ? o->key : "-", o->reason);
    return 0;
}

static void transcribe_x12(const dg_mapping *m, const char *path, bool alone, dg_buf *b)
{
    dg_error err = {0};
    dg_map_debug_x12_paths_alone(alone);
    int rc = dg_map_read_each(m, path, json_sink, reason_sink, b, &err);
    dg_map_debug_x12_paths_alone(false);
    dg_buf_printf(b, "rc %d %s\n", rc, rc ? err.msg : "");
}

/* m over the file at in, through the plans and with every path alone: both give the same text,
 * which holds each of the n strings of expect (n may be 0). Returns the text (free it). */
static char *planned_like_alone(const dg_mapping *m, const char *in, const char *const *expect,
                                size_t n)
{
    dg_buf planned = DG_BUF_INIT, alone = DG_BUF_INIT;
    transcribe_x12(m, in, false, &planned);
    transcribe_x12(m, in, true, &alone);
    assert_string_equal(planned.data, alone.data);
    for (size_t k = 0; k < n; k++)
        if (!strstr(planned.data, expect[k]))
            fail_msg("'%s' not in:\n%s", expect[k], planned.data);
    dg_buf_free(&alone);
    return dg_buf_take(&planned);
}

static const char *const inbound_x12[] = {"mappings/x12-850-in.yaml", "mappings/x12-855-in.yaml",
                                          "mappings/x12-856-in.yaml", "mappings/x12-810-in.yaml",
                                          "mappings/x12-846-in.yaml", "mappings/x12-865-in.yaml"};
enum { N_INBOUND_X12 = sizeof inbound_x12 / sizeof *inbound_x12 };

static int plan_files, plan_docs;

/* Every inbound X12 mapping over path, through the plans and with every path alone. */
static void plan_like_alone(dg_mapping *const *maps, const char *path)
{
    for (size_t k = 0; k < N_INBOUND_X12; k++) {
        dg_buf planned = DG_BUF_INIT, alone = DG_BUF_INIT;
        transcribe_x12(maps[k], path, false, &planned);
        transcribe_x12(maps[k], path, true, &alone);
        if (planned.len != alone.len || memcmp(planned.data, alone.data, planned.len))
            fail_msg("%s with %s: the plan and the paths alone differ:\n%s---\n%s", path,
                     inbound_x12[k], planned.data, alone.data);
        for (const char *p = planned.data; (p = strstr(p, "\"kind\"")); p++)
            plan_docs++;
        dg_buf_free(&planned);
        dg_buf_free(&alone);
    }
    plan_files++;
}

/* Variants of a small file: each segment after ST left out in turn, and each doubled, so loops
 * start, end and repeat where the shipped files never make them. */
static void plan_mutants(dg_mapping *const *maps, const char *path)
{
    size_t len;
    char *data = dg_test_read_file(path, &len);
    if (!data || len < 106 || len > 4096) {
        free(data);
        return;
    }
    char term = data[105];
    const char *st = strstr(data, "ST");
    size_t from = st ? (size_t)(st - data) : len, n_seg = 0, starts[256];
    for (size_t i = from; i < len && n_seg < 256; i++)
        if (data[i] == term)
            starts[n_seg++] = i + 1; /* where the next segment starts */
    for (size_t s = 0; s + 2 < n_seg; s++) {
        size_t b = starts[s], e = starts[s + 1];
        for (int twice = 0; twice < 2; twice++) {
            dg_buf v = DG_BUF_INIT;
            dg_buf_append(&v, data, e);
            if (twice)
                dg_buf_append(&v, data + b, e - b);
            else
                v.len = b;
            dg_buf_append(&v, data + e, len - e);
            const char *p = tmp_path("mutant.edi");
            FILE *f = fopen(p, "wb");
            assert_non_null(f);
            assert_int_equal(fwrite(v.data, 1, v.len, f), v.len);
            fclose(f);
            plan_like_alone(maps, p);
            dg_buf_free(&v);
        }
    }
    free(data);
}

static void walk_x12(dg_mapping *const *maps, const char *dir, bool mutants)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    struct dirent *de;
    while ((de = readdir(dp))) {
        if (de->d_name[0] == '.')
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        DIR *sub = opendir(path);
        if (sub) {
            closedir(sub);
            walk_x12(maps, path, mutants);
            continue;
        }
        FILE *f = fopen(path, "rb");
        char head[4] = {0};
        size_t got = f ? fread(head, 1, 3, f) : 0;
        if (f)
            fclose(f);
        if (got != 3 || strcmp(head, "ISA"))
            continue;
        plan_like_alone(maps, path);
        if (mutants)
            plan_mutants(maps, path);
    }
    closedir(dp);
}

/* The plans (every node of a scope found in one walk over its segments) give what every path
 * evaluated alone gives: the same documents, the same failures with the same messages, on every
 * X12 file of the samples, the test data and the corpus, and on variants of the small ones. */
static void plans_like_paths_alone(void **state)
{
    (void)state;
    dg_mapping *maps[N_INBOUND_X12];
    for (size_t k = 0; k < N_INBOUND_X12; k++)
        maps[k] = load_map(inbound_x12[k]);
    walk_x12(maps, dg_test_path("samples"), true);
    walk_x12(maps, dg_test_path("tests/data"), true);
    const char *dir = dg_test_corpus_dir();
    if (dir) {
        char x12[2048];
        snprintf(x12, sizeof x12, "%s/x12", dir);
        walk_x12(maps, x12, false);
    }
    for (size_t k = 0; k < N_INBOUND_X12; k++)
        dg_map_free(maps[k]);
    print_message("  %d files, %d documents compared\n", plan_files, plan_docs);
    assert_true(plan_files > (dir ? 400 : 100));
    assert_true(plan_docs > 500);
}

/* The dispatch's loop edges, crafted: a loop inside a loop ends with its parent (N4 after the
 * N1*ST loop ended is not in its N3 loop), a step may find its parent's own segment (N1/N1),
 * a group's loop ends a header loop (the MSG after the PO1 loop is not in the N9 loop), the
 * first match wins (two REF*CO, two PIDs of one line). The values are checked, and the same
 * read with every path evaluated alone gives the same documents. */
static void dispatch_loop_edges(void **state)
{
    (void)state;
    const char *in = write_tmp(
        "edges.edi", "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
                     "*240301*1200*U*00401*000000009*0*P*>~\n"
                     "GS*PO*SENDER*RECEIVER*20240301*1200*9*X*004010~\nST*850*0001~\n"
                     "BEG*00*SA*P1**20240301~REF*CO*first~REF*CO*second~N1*ST*Alice~N3*Street~"
                     "N1*BT*Bob~N4*Town~N2*BobCo~N9*L1~PO1*1*2*EA~PID*F****one~PID*F****two~"
                     "PO1*2*3*EA~N4*Inline~CTT*2~MSG*late~SE*20*0001~GE*1*9~IEA*1*000000009~\n");
    const char *yaml =
        "direction: in\ndocument: order\nformat: x12\nx12:\n  transaction_set: \"850\"\n"
        "  until: [CTT]\nfields:\n  - {target: order_number, source: BEG03}\n"
        "  - {target: customer_order_number, source: \"REF[REF01=CO]/REF02\"}\n"
        "  - {target: notes, source: \"N1[N101=ST]/N3/N4/N401\"}\n"
        "  - {target: ship_to.name, source: \"N1[N101=ST]/N1/N102\"}\n"
        "  - {target: ship_to.address1, source: \"N1[N101=ST]/N3/N301\"}\n"
        "  - {target: bill_to.city, source: \"N1[N101=BT]/N4/N401\"}\n"
        "  - {target: bill_to.company, source: \"N1[N101=BT]/N2/N201\"}\n"
        "  - {target: service_level, source: \"N9[N901=L1]/MSG01\"}\n"
        "  - {target: carrier, source: MSG01}\n"
        "groups:\n  - target: lines\n    each: PO1\n    fields:\n"
        "      - {target: quantity, source: PO102}\n"
        "      - {target: description, source: \"PID[PID01=F]/PID05\"}\n"
        "      - {target: uom, source: \"PO1/N4/N401\"}\n";
    dg_mapping *m = load_map(write_tmp("edges.yaml", yaml));
    doc_list l = {0};
    dg_error err = {0};
    if (dg_map_read_file(m, in, list_sink, &l, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(l.n, 1);
    dg_order *o = &l.docs[0]->u.order;
    assert_string_equal(o->customer_order_number, "first");
    assert_null(o->notes); /* N4 is in the BT loop, not in the ST loop's N3 loop */
    assert_string_equal(o->ship_to.name, "Alice");
    assert_string_equal(o->ship_to.address1, "Street");
    assert_string_equal(o->bill_to.city, "Town");
    assert_string_equal(o->bill_to.company, "BobCo");
    assert_null(o->service_level); /* the PO1 loop ended the N9 loop */
    assert_string_equal(o->carrier, "late");
    assert_int_equal(o->n_lines, 2);
    assert_string_equal(o->lines[0].description, "one");
    assert_null(o->lines[0].uom);
    assert_null(o->lines[1].description);
    assert_string_equal(o->lines[1].uom, "Inline");
    list_free(&l);
    free(planned_like_alone(m, in, NULL, 0));
    dg_map_free(m);
}

/* An interchange of one 850 set per body (segments separated by '~'), each with its SE01. */
static const char *x12_sets(const char *name, const char *const *bodies, size_t n)
{
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
                    "*240301*1200*U*00401*000000009*0*P*>~\n"
                    "GS*PO*SENDER*RECEIVER*20240301*1200*9*X*004010~\n");
    for (size_t k = 0; k < n; k++) {
        int segs = 2;
        for (const char *p = bodies[k]; *p; p++)
            segs += *p == '~';
        dg_buf_printf(&b, "ST*850*%04zu~\n%sSE*%d*%04zu~\n", k + 1, bodies[k], segs, k + 1);
    }
    dg_buf_printf(&b, "GE*%zu*9~\nIEA*1*000000009~\n", n);
    const char *p = write_tmp(name, b.data);
    dg_buf_free(&b);
    return p;
}

/* The rules compiled into ops (a whole element copied, trimmed, into a text field) give what
 * the general engine gives: blanks trimmed or kept (trim: false), a blank value taking the
 * default, a value over max_bytes, a required value missing or blank, an element the segment
 * does not have; the documents and the failures are the same with every path alone. */
static void ops_like_engine(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "BEG**DS*  PO-1 **20240301~TD5**2* UPSN~N9*L1~MSG*  keep  ~N1*ST* Alice ~N3*1 Main~"
        "PO1*1*2*  *4.01**VP*SKU-1~PID*F****one~PO1* 2 *3*CS~PID*F****  two~",
        "BEG*00*TOOLONG*PO-2**20240301~PO1*1*2*EA~PID*F****one~",
        "BEG*00*DS*   **20240301~PO1*1*2*EA~PID*F****one~",
        "BEG*00*DS*PO-4**20240301~N1*ST~N3~PO1*1*2*EA~PID*F~",
        "BEG*00*DS*PO-5**20240301~N1*ST*\t~PO1~PID*F****\t ~",
        "BEG*00*DS*PO-6**20240301~PO1*1*2*EA~PID*F****six~",
    };
    const char *in = x12_sets("ops.edi", bodies, sizeof bodies / sizeof *bodies);
    const char *yaml =
        "direction: in\ndocument: order\nformat: x12\nx12:\n  transaction_set: \"850\"\n"
        "  until: [CTT]\nfields:\n  - {target: order_number, source: BEG03, required: true}\n"
        "  - {target: purpose, source: BEG01, default: \"00\"}\n"
        "  - {target: order_type, source: BEG02, max_bytes: 4}\n"
        "  - {target: notes, source: \"N9[N901=L1]/MSG01\", trim: false}\n"
        "  - {target: carrier, source: TD503}\n"
        "  - {target: ship_to.name, source: \"N1[N101=ST]/N102\"}\n"
        "  - {target: ship_to.address1, source: \"N1[N101=ST]/N3/N301\"}\n"
        "  - {target: ship_to.address2, source: \"N1[N101=ST]/N3/N302\", default: none}\n"
        "groups:\n  - target: lines\n    each: PO1\n    fields:\n"
        "      - {target: line_number, source: PO101}\n"
        "      - {target: uom, source: PO103, default: EA}\n"
        "      - {target: vendor_sku, source: PO107}\n"
        "      - {target: description, source: \"PID[PID01=F]/PID05\", required: true}\n";
    dg_mapping *m = load_map(write_tmp("ops.yaml", yaml));
    const char *const expect[] = {"\"order_number\":\"PO-1\"",
                                  "\"purpose\":\"00\"",
                                  "\"notes\":\"  keep  \"",
                                  "\"carrier\":\"UPSN\"",
                                  "\"name\":\"Alice\"",
                                  "\"address2\":\"none\"",
                                  "\"uom\":\"EA\"",
                                  "\"line_number\":\"2\"",
                                  "\"description\":\"two\"",
                                  "\"vendor_sku\":\"SKU-1\"",
                                  "failed segment",
                                  "value is 7 bytes",
                                  "'order_type'",
                                  "required field missing",
                                  "rule 'description'"};
    char *planned = planned_like_alone(m, in, expect, sizeof expect / sizeof *expect);
    const char *six = strstr(planned, "\"PO-6\""); /* no N1*ST: the default still */
    assert_non_null(six);
    assert_non_null(strstr(six, "\"address2\":\"none\""));
    free(planned);
    dg_map_free(m);
}

/* The typed ops (a number with negate_if, a CCYYMMDD date, a code table plain and strict, a
 * case, first_of with a blank first source, SEG@Q qualifiers) give what the general engine
 * gives, and hand it what they do not cover (a 6-digit date, a number with a blank inside, a
 * bad date or number, a code a strict table lacks) with the same messages. */
static void typed_ops_like_engine(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "BEG*00*DS*PO-1**20240301~CUR*BY*usd~DTM*002*20240310~AMT*TT*12.5~N1*ST*Alice~"
        "N4*Austin*TX*78701*usa~N1*BT*Bob~N4*Denver*CO*80202*CAN~SAC*A*D240***350~"
        "SAC*C*H850***1.25~SAC*A*ZZZZ***-350~PO1*1*2*EA*4.01**VP*SKU-1*IN*B-1~PID*F*08***Thing~"
        "PO1*2*1.5*EA*  3 **BP*B-2~PID*F****  Other ~",
        "BEG*00*DS*PO-2**20240231~PO1*1*2*EA~",
        "BEG*00*DS*PO-3**240301~CUR*BY*Eur~DTM*010*   ~DTM*002*20240311~PO1*1*2*EA*1 000~",
        "BEG*00*DS*PO-4**20240301~N1*BT*Bob~N4*Denver*CO*80202*XX~PO1*1*2*EA~",
        "BEG*00*DS*PO-5**20240301~PO1*1*2x*EA~",
        "BEG*00*DS*PO-6**2024-03-01~PO1*1*2*EA~",
    };
    const char *in = x12_sets("typed.edi", bodies, sizeof bodies / sizeof *bodies);
    const char *yaml =
        "direction: in\ndocument: order\nformat: x12\nx12:\n  transaction_set: \"850\"\n"
        "  until: [CTT]\ntables:\n  countries: {USA: US, CAN: CA}\n"
        "  charge_types: {D240: FREIGHT, H850: TAX, _default: OTHER}\nfields:\n"
        "  - {target: order_number, source: BEG03}\n"
        "  - {target: order_date, source: BEG05, date: CCYYMMDD, required: true}\n"
        "  - {target: currency, source: CUR02, case: upper}\n"
        "  - {target: requested_ship_date, date: CCYYMMDD,\n"
        "     first_of: [\"DTM[DTM01=010]/DTM02\", \"DTM[DTM01=002]/DTM02\"]}\n"
        "  - {target: total, source: \"AMT[AMT01=TT]/AMT02\"}\n"
        "  - {target: ship_to.country, source: \"N1[N101=ST]/N4/N404\", table: countries}\n"
        "  - {target: bill_to.country, source: \"N1[N101=BT]/N4/N404\", table: countries,\n"
        "     table_strict: true}\n"
        "groups:\n  - target: lines\n    each: PO1\n    fields:\n"
        "      - {target: quantity, source: PO102, required: true}\n"
        "      - {target: unit_price, source: PO104}\n"
        "      - {target: vendor_sku, first_of: [\"PO1@VP\", \"PO1@BP\"]}\n"
        "      - {target: buyer_sku, source: \"PO1@BP,IN\", case: lower}\n"
        "      - {target: description, trim: false,\n"
        "         first_of: [\"PID[PID01=F,PID02=08]/PID05\", \"PID[PID01=F]/PID05\"]}\n"
        "  - target: charges\n    each: SAC\n    body: [CUR]\n    fields:\n"
        "      - {target: type, source: SAC02, table: charge_types}\n"
        "      - {target: amount, source: SAC05, decimals: 2, negate_if: \"SAC01=A\"}\n";
    dg_mapping *m = load_map(write_tmp("typed.yaml", yaml));
    const char *const expect[] = {"\"order_date\":\"2024-03-01\"",
                                  "\"currency\":\"USD\"",
                                  "\"requested_ship_date\":\"2024-03-10\"",
                                  "\"total\":\"12.50\"",
                                  "\"country\":\"US\"",
                                  "\"country\":\"CA\"",
                                  "\"type\":\"FREIGHT\",\"amount\":\"-3.50\"",
                                  "\"type\":\"TAX\",\"amount\":\"1.25\"",
                                  "\"type\":\"OTHER\",\"amount\":\"3.50\"",
                                  "\"vendor_sku\":\"SKU-1\"",
                                  "\"buyer_sku\":\"b-1\"",
                                  "\"description\":\"Thing\"",
                                  "\"vendor_sku\":\"B-2\"",
                                  "\"unit_price\":\"3.00\"",
                                  "\"description\":\"Other \"",
                                  "\"quantity\":\"1.5\"",
                                  "rule 'order_date': '20240231' is not a date",
                                  "\"currency\":\"EUR\"",
                                  "\"requested_ship_date\":\"2024-03-11\"",
                                  "\"unit_price\":\"1000.00\"",
                                  "code 'XX' is not in table 'countries'",
                                  "'2x' is not a number",
                                  "'2024-03-01' is not a date"};
    free(planned_like_alone(m, in, expect, sizeof expect / sizeof *expect));
    dg_map_free(m);
}

/* document_per: a group's loops outside every document loop, before the first and after the
 * last, go with the first document only (map_doc takes each loop from the list of the set's
 * loop starts, within the document's range); planned and paths alone agree. */
static void document_loops_outside(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "BEG*00*DS*PO-1**20240301~SAC*C*D240***100~PO1*1*2*EA~PID*F****one~PO1*2*3*EA~"
        "PID*F****two~CTT*2~SAC*C*H850***200~"};
    const char *in = x12_sets("outside.edi", bodies, 1);
    const char *yaml =
        "direction: in\ndocument: order\nformat: x12\nx12:\n  transaction_set: \"850\"\n"
        "  until: [CTT]\n  document_per: PO1\nfields:\n  - {target: order_number, source: BEG03}\n"
        "groups:\n  - target: lines\n    each: PO1\n    fields:\n"
        "      - {target: description, source: PID05}\n"
        "  - target: charges\n    each: SAC\n    body: [CUR]\n    fields:\n"
        "      - {target: code, source: SAC02}\n";
    dg_mapping *m = load_map(write_tmp("outside.yaml", yaml));
    doc_list l = {0};
    dg_error err = {0};
    if (dg_map_read_file(m, in, list_sink, &l, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.docs[0]->u.order.n_charges, 2);
    assert_string_equal(l.docs[0]->u.order.charges[1].code, "H850");
    assert_int_equal(l.docs[1]->u.order.n_charges, 0);
    assert_int_equal(l.docs[1]->u.order.n_lines, 1);
    assert_string_equal(l.docs[1]->u.order.lines[0].description, "two");
    list_free(&l);
    free(planned_like_alone(m, in, NULL, 0));
    dg_map_free(m);
}

/* Node ops (the ops of one plan node applied together after the walk, not in rule order) give
 * what the rules in their order give: two rules setting one field from segments found in the
 * other order (the later rule still wins), a value over max_bytes and a bad number among them
 * (every rule then goes in rule order: the first failure is the document's, and a blank inside
 * a number is taken out by the engine); SEG@* written straight into the document (pairs with
 * an empty qualifier or id, blanks at an end with trim, over max_bytes). */
static void node_ops_like_engine(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "BEG*00*DS*PO-1**20240301~TD5**2*UPSN**GROUND~N1*ST*Alice~PO1*1*2*EA*4.01~",
        "BEG*00*DS*PO-2**20240301~TD5**2*TOOLONGCARRIER~PO1*1*2*EA*4.01~",
        "BEG*00*DS***20240301~TD5**2*TOOLONGCARRIER~PO1*1*2*EA~",
        "BEG*00*DS*PO-4**20240301~TD5**2*UPSN~PO1*1*2*EA*1 000~PO1*2*2x*EA~",
        "BEG*00*DS*PO-5**20240301~N1*ST*Alice~PO1*1*2*EA*2.5*CS~PO1*2*3*EA~",
        "BEG*00*DS*PO-6**20240301~PO1*1*2*EA*1**VP*SKU-1*UP*0123~PO1*2*2*EA***VP**IN*B-1~"
        "PO1*3*2*EA*** BP*X~PO1*4*2*EA***VP*Y *~PO1*5*2*EA***VP**~",
        "BEG*00*DS*PO-7**20240301~PO1*1*2*EA***VP*ABCDEFGHIJKLMNOPQRSTUVWXYZ*UP*0123~",
    };
    const char *in = x12_sets("nodeops.edi", bodies, sizeof bodies / sizeof *bodies);
    const char *yaml =
        "direction: in\ndocument: order\nformat: x12\nx12:\n  transaction_set: \"850\"\n"
        "  until: [CTT]\nfields:\n  - {target: order_type, source: BEG02}\n"
        "  - {target: carrier, source: TD505}\n"
        "  - {target: order_number, source: BEG03, required: true}\n"
        "  - {target: carrier, source: BEG01}\n"
        "  - {target: service_level, source: TD503, max_bytes: 6}\n"
        "  - {target: ship_to.name, source: \"N1[N101=ST]/N102\"}\n"
        "groups:\n  - target: lines\n    each: PO1\n    fields:\n"
        "      - {target: line_number, source: PO101}\n"
        "      - {target: quantity, source: PO102}\n"
        "      - {target: unit_price, source: PO104}\n"
        "      - {target: description, source: PO105}\n"
        "      - {target: product_ids, source: \"PO1@*\", max_bytes: 30}\n";
    dg_mapping *m = load_map(write_tmp("nodeops.yaml", yaml));
    const char *const expect[] = {"\"carrier\":\"00\"",
                                  "\"service_level\":\"UPSN\"",
                                  "\"name\":\"Alice\"",
                                  "rule 'service_level': value is 14 bytes",
                                  "rule 'order_number': required field missing",
                                  "'2x' is not a number",
                                  "\"description\":\"CS\"",
                                  "\"product_ids\":\"VP=SKU-1;UP=0123\"",
                                  "\"product_ids\":\"IN=B-1\"",
                                  "\"product_ids\":\"BP=X\"",
                                  "\"product_ids\":\"VP=Y\"",
                                  "rule 'product_ids': value is 37 bytes"};
    char *planned = planned_like_alone(m, in, expect, sizeof expect / sizeof *expect);
    assert_null(strstr(planned, "GROUND"));
    assert_null(strstr(planned, "TOOLONG"));
    free(planned);
    dg_map_free(m);
}

/* Steps with two conditions of one value each (PID[PID01=F,PID02=08]) are tested as one packed
 * pair of keys, packed once per segment for every such step: what the conditions one by one
 * give, with the elements in either order, an element the segment lacks (it matches an empty
 * value), one of several values of a single condition, a step whose segment has no value. */
static void pair_steps_like_engine(void **state)
{
    (void)state;
    static const char *const bodies[] = {
        "BEG*00*DS*PO-1**20240301~PO1*1*2*EA~PID*F****a~PID*F*8***e~PID*F*08***b~PID*X*08***c~"
        "PID*S*08***d~PO1*2*2*EA~PID*F~PID*X*08~PID*S*08***f~PO1*3*2*EA~PID*F*08~PID*F****g~",
    };
    const char *in = x12_sets("pairs.edi", bodies, 1);
    const char *yaml =
        "direction: in\ndocument: order\nformat: x12\nx12:\n  transaction_set: \"850\"\n"
        "  until: [CTT]\nfields:\n  - {target: order_number, source: BEG03}\n"
        "groups:\n  - target: lines\n    each: PO1\n    fields:\n"
        "      - {target: vendor_sku, first_of: [\"PID[PID01=F,PID02=08]/PID05\",\n"
        "                                        \"PID[PID01=X,PID02=08]/PID05\"]}\n"
        "      - {target: buyer_sku, source: \"PID[PID01=F,PID02=]/PID05\"}\n"
        "      - {target: gtin, source: \"PID[PID02=08,PID01=S|Q]/PID05\"}\n"
        "      - {target: description, source: \"PID[PID01=F,PID02=8]/PID05\"}\n";
    dg_mapping *m = load_map(write_tmp("pairs.yaml", yaml));
    const char *const expect[] = {
        "{\"buyer_sku\":\"a\",\"vendor_sku\":\"b\",\"gtin\":\"d\",\"description\":\"e\"",
        "\"gtin\":\"f\"", "\"buyer_sku\":\"g\""};
    char *planned = planned_like_alone(m, in, expect, sizeof expect / sizeof *expect);
    free(planned);
    dg_map_free(m);
}

/* m over in with the walks' memo on (the default) and off: the same text. */
static void memo_like_walk(const dg_mapping *m, const char *in)
{
    dg_buf on = DG_BUF_INIT, off = DG_BUF_INIT;
    transcribe_x12(m, in, false, &on);
    dg_map_debug_x12_walk_memo(false);
    transcribe_x12(m, in, false, &off);
    dg_map_debug_x12_walk_memo(true);
    assert_string_equal(on.data, off.data);
    dg_buf_free(&on);
    dg_buf_free(&off);
}

/* The walk's memo (a scope of the same shape as the last walk of its plan gets the last walk's
 * answers at its own segments) gives what the walk gives: sets of one id shape whose condition
 * keys differ (the parties swapped, an empty N101, PID02 08 against 75 or none), line loops of
 * other lengths between the header segments (a group run is one position however long), a
 * header segment after the lines, and enough sets of changing shapes that the memo stops. The
 * values are checked, and the same with the memo off and with every path alone. */
static void walk_memo_like_walk(void **state)
{
    (void)state;
    enum { N_FIXED = 6, N_SETS = N_FIXED + 80 };
    const char *bodies[N_SETS];
    bodies[0] = "BEG*00*SA*P1**20240301~N1*ST*Alice~N4*Austin~N1*BT*Bob~N4*Boston~PO1*1*2*EA~"
                "PID*F*08***one~CTT*1~";
    bodies[1] = "BEG*00*SA*P2**20240301~N1*BT*Bob~N4*Boston~N1*ST*Alice~N4*Austin~PO1*1*2*EA~"
                "PID*F*75***colour~CTT*1~";
    bodies[2] = "BEG*00*SA*P3**20240301~N1**Carol~N4*Chicago~N1*BT*Dan~N4*Denver~PO1*1*1*EA~"
                "PID*F****a~PO1*2*1*EA~PID*F*08***b~PO1*3*1*EA~PID~CTT*3~";
    bodies[3] = "BEG*00*SA*P4**20240301~N1*ST*Eve~N4*Erie~N1*BT*Fay~N4*Fargo~N9*L1~MSG*note~"
                "PO1*1*1*EA~PID*F*08***x~PO1*2*1*EA~PID*F*08***y~CTT*2~MSG*late~";
    bodies[4] = "BEG*00*SA*P6**20240301~N1*ST*Ida~N4*Iowa~N1*BT*Jon~N4*Juneau~N9*L1~MSG*third~"
                "PO1*1*1*EA~PID*F*08***w~PO1*2*1*EA~PID*F*08***v~PO1*3*1*EA~CTT*3~MSG*last~";
    bodies[5] = "BEG*00*SA*P5**20240301~N1*ST*Gil~N4*Gary~N1*BT*Hal~N4*Hilo~N9*ZZ~MSG*other~"
                "PO1*1*1*EA~PID*F*08***z~CTT*1~MSG*later~";
    static char varied[N_SETS - N_FIXED][160];
    for (size_t k = 0; k < N_SETS - N_FIXED; k++) { /* each shape other than the last one's */
        int n = snprintf(varied[k], sizeof varied[k], "BEG*00*SA*V%zu**20240301~", k);
        for (size_t r = 0; r < k % 5 + (k / 5) % 3; r++)
            n += snprintf(varied[k] + n, sizeof varied[k] - (size_t)n, "N4*R%zu~", r);
        snprintf(varied[k] + n, sizeof varied[k] - (size_t)n, "N1*%s*V~PO1*1*1*EA~CTT*1~",
                 k % 2 ? "ST" : "BT");
        bodies[N_FIXED + k] = varied[k];
    }
    const char *in = x12_sets("memo.edi", bodies, N_SETS);
    const char *yaml =
        "direction: in\ndocument: order\nformat: x12\nx12:\n  transaction_set: \"850\"\n"
        "  until: [CTT]\nfields:\n  - {target: order_number, source: BEG03}\n"
        "  - {target: ship_to.name, source: \"N1[N101=ST]/N102\"}\n"
        "  - {target: ship_to.city, source: \"N1[N101=ST]/N4/N401\"}\n"
        "  - {target: bill_to.name, source: \"N1[N101=BT]/N102\"}\n"
        "  - {target: bill_to.city, source: \"N1[N101=BT]/N4/N401\"}\n"
        "  - {target: notes, source: \"N9[N901=L1]/MSG01\"}\n"
        "  - {target: carrier, source: MSG01}\n"
        "  - {target: service_level, source: N401}\n"
        "groups:\n  - target: lines\n    each: PO1\n    fields:\n"
        "      - {target: quantity, source: PO102}\n"
        "      - {target: description, first_of: [\"PID[PID01=F,PID02=08]/PID05\",\n"
        "                                          \"PID[PID01=F,PID02=]/PID05\"]}\n";
    dg_mapping *m = load_map(write_tmp("memo.yaml", yaml));
    doc_list l = {0};
    dg_error err = {0};
    if (dg_map_read_file(m, in, list_sink, &l, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(l.n, N_SETS);
    const dg_order *o = &l.docs[1]->u.order; /* the parties swapped */
    assert_string_equal(o->ship_to.name, "Alice");
    assert_string_equal(o->ship_to.city, "Austin");
    assert_string_equal(o->bill_to.name, "Bob");
    assert_string_equal(o->bill_to.city, "Boston");
    assert_null(o->lines[0].description); /* PID02 75: neither step */
    o = &l.docs[2]->u.order;              /* an empty N101: no ship-to */
    assert_null(o->ship_to.name);
    assert_string_equal(o->bill_to.name, "Dan");
    assert_int_equal(o->n_lines, 3);
    assert_string_equal(o->lines[0].description, "a");
    assert_string_equal(o->lines[1].description, "b");
    assert_null(o->lines[2].description);
    o = &l.docs[5]->u.order; /* N9*ZZ: no notes; the header's MSG */
    assert_null(o->notes);
    assert_string_equal(o->carrier, "other");
    o = &l.docs[4]->u.order; /* the set before's shape with three lines instead of two */
    assert_string_equal(o->notes, "third");
    assert_string_equal(o->ship_to.name, "Ida");
    assert_int_equal(o->n_lines, 3);
    assert_string_equal(o->lines[1].description, "v");
    o = &l.docs[N_FIXED + 3]->u.order;
    assert_string_equal(o->ship_to.name, "V");
    assert_string_equal(o->service_level, "R0");
    list_free(&l);
    memo_like_walk(m, in);
    free(planned_like_alone(m, in, NULL, 0));
    dg_map_free(m);
}

/* A code table's index of packed keys (map_table_find) finds what the scan of every key finds:
 * the first of keys equal but for case, a code of the right bytes but another length, keys
 * longer than 8 bytes (not in the index), an empty key, a code the table lacks (its default). */
static void table_index_like_scan(void **state)
{
    (void)state;
    static const char *const keys[] = {
        "US",   "usa", "USA", "United States", "CA",        "",     "D240",
        "d240", "A",   "AB",  "ABCDEFGH",      "ABCDEFGHI", "Z\x01"};
    enum { N = sizeof keys / sizeof *keys };
    dg_arena *a = dg_arena_new();
    map_table t = {.name = "t", .n = N, .dflt = "OTHER"};
    t.keys = dg_arena_alloc(a, N * sizeof *t.keys);
    t.vals = dg_arena_alloc(a, N * sizeof *t.vals);
    t.klens = dg_arena_alloc(a, N * sizeof *t.klens);
    t.kpack = dg_arena_alloc(a, N * sizeof *t.kpack);
    for (size_t i = 0; i < N; i++) {
        t.keys[i] = keys[i];
        t.klens[i] = strlen(keys[i]);
        t.kpack[i] = t.klens[i] <= 8 ? map_fold8(keys[i], t.klens[i]) : 0;
        t.vals[i] = dg_arena_printf(a, "v%zu", i);
    }
    map_table_index(a, &t);
    static const char *const codes[] = {
        "US",         "us", "uS ",   "USA",      "Usa",       "united states",
        "CA",         "ca", "",      "D240",     "d240",      "A",
        "a",          "AB", "ABC",   "abcdefgh", "ABCDEFGHI", "abcdefghi",
        "ABCDEFGHIJ", "MX", "Z\x01", "Z"};
    size_t found = 0;
    for (size_t c = 0; c < sizeof codes / sizeof *codes; c++) {
        size_t len = strlen(codes[c]);
        map_table_reference = true;
        const char *scan = map_table_find(&t, codes[c], len);
        map_table_reference = false;
        const char *indexed = map_table_find(&t, codes[c], len);
        if (strcmp(scan, indexed))
            fail_msg("code '%s': scan '%s', index '%s'", codes[c], scan, indexed);
        found += strcmp(scan, "OTHER") != 0;
    }
    assert_int_equal(found, 17);
    assert_string_equal(map_table_find(&t, "usa", 3), "v1"); /* the first of USA/usa */
    assert_string_equal(map_table_find(&t, "MX", 2), "OTHER");
    dg_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(po_850_sample),
        cmocka_unit_test(asn_856_sample),
        cmocka_unit_test(asn_856_shipment_level_tracking),
        cmocka_unit_test(asn_856_several_orders),
        cmocka_unit_test(document_per_option),
        cmocka_unit_test(asn_856_tracking_without_packs),
        cmocka_unit_test(invoice_810_sample),
        cmocka_unit_test(inventory_846_sample),
        cmocka_unit_test(corpus_values),
        cmocka_unit_test(corpus_all_valid),
        cmocka_unit_test(inbound_errors),
        cmocka_unit_test(bad_x12_mappings),
        cmocka_unit_test(components_and_repetitions),
        cmocka_unit_test(plans_like_paths_alone),
        cmocka_unit_test(dispatch_loop_edges),
        cmocka_unit_test(ops_like_engine),
        cmocka_unit_test(typed_ops_like_engine),
        cmocka_unit_test(document_loops_outside),
        cmocka_unit_test(node_ops_like_engine),
        cmocka_unit_test(pair_steps_like_engine),
        cmocka_unit_test(table_index_like_scan),
        cmocka_unit_test(walk_memo_like_walk),
    };
    return cmocka_run_group_tests(tests, maptest_setup, maptest_teardown);
}
