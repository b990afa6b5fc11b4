/* What real partners send, where they put it: every PO1 product id pair, the description from
 * the PID that says it is one (not a colour first), TD512, header and line SACs and CTP retail
 * prices in 850s; tracking numbers at every 856 level (MAN SM/CP/2I, REF CN/2I/BM), TD1 weight,
 * no empty packages; 846 quantities per location; 810 line SACs. Real files from
 * ../shared/corpus (see its SOURCES.tsv) and samples/mapping written after partners' guides. */
#include "maptest.h"

static const char *corpus(const char *rel)
{
    static char path[2048];
    const char *dir = dg_test_corpus_dir();
    if (!dir)
        return NULL;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return path;
}

/* An 850 from a retail mailbag (corpus): PID 08 before a colour PID 75; CB/VA ids. And the
 * engine-vendor sample with CB/PR/VN, and SK/VC from another mailbag. */
static void po_850_corpus(void **state)
{
    (void)state;
    const char *f = corpus("x12/mixed/bots-mailbag01-multi-interchange-mixed-delimiters.edi");
    if (!f) {
        print_message("SKIP: no corpus\n");
        return;
    }
    doc_list l = {0};
    read_ok("mappings/x12-850-in.yaml", f, &l);
    assert_true(l.n >= 1);
    dg_order *o = NULL;
    for (size_t i = 0; i < l.n && !o; i++)
        if (!strcmp(l.docs[i]->u.order.order_number, "91393058"))
            o = &l.docs[i]->u.order;
    assert_non_null(o);
    assert_string_equal(o->lines[0].description, "KAK S/S PRINT CAMP"); /* not OR/BK (75) */
    assert_string_equal(o->lines[1].description, "KAK S/S PRINT CAMP");
    assert_string_equal(o->lines[0].product_ids, "CB=17920108;VA=12307");
    assert_string_equal(o->lines[0].vendor_sku, "12307");
    assert_string_equal(o->lines[0].buyer_sku, "17920108");
    list_free(&l);

    read_ok("mappings/x12-850-in.yaml", corpus("x12/850/ediengine-850.OK.edi"), &l);
    o = &l.docs[0]->u.order;
    assert_string_equal(o->lines[0].product_ids, "CB=065322-117;PR=RO;VN=AB3542");
    assert_string_equal(o->lines[0].vendor_sku, "AB3542");
    assert_string_equal(o->lines[0].buyer_sku, "065322-117");
    assert_string_equal(o->carrier, "P3");
    list_free(&l);

    read_ok("mappings/x12-850-in.yaml", corpus("x12/850/bots-simplemailbag-850-NAK-CRLF.edi"), &l);
    o = &l.docs[0]->u.order;
    assert_string_equal(o->lines[0].product_ids, "SK=56065050;VC=5323-1151");
    assert_string_equal(o->lines[0].vendor_sku, "5323-1151"); /* vendor's catalog number */
    assert_string_equal(o->lines[0].buyer_sku, "56065050");   /* the retailer's SKU */
    list_free(&l);
}

/* A drop-ship 850 as retail guides lay it out: colour (75) and size (91) PIDs before the
 * product's (08), CTP RES/MSR retail prices, TD512 service level, SACs on the order and on
 * lines (one with a percent). */
static void po_850_retail(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-850-in.yaml", "samples/mapping/po-850-retail.edi", &l);
    assert_int_equal(l.n, 1);
    dg_order *o = &l.docs[0]->u.order;
    assert_string_equal(o->service_level, "UPS GROUND");
    assert_string_equal(o->service_level_code, "CG");
    assert_int_equal(o->n_lines, 2);
    assert_string_equal(o->lines[0].description, "CREW SOCK COTTON");
    assert_string_equal(o->lines[1].description, "POUR-OVER KETTLE 1L"); /* PID02 blank */
    assert_string_equal(o->lines[0].product_ids,
                        "VN=SOCK-NVY-M;SK=40021873;UP=012345678905;BP=R-SOCK-1");
    assert_string_equal(o->lines[1].vendor_sku, "KTL-100"); /* VC */
    assert_string_equal(o->lines[1].gtin, "4006381333931"); /* EN */
    DEC_EQ(o->lines[0].retail_price, "19.99");
    DEC_EQ(o->lines[1].retail_price, "44.95");
    DEC_EQ(o->lines[0].unit_price, "8.5");
    assert_int_equal(o->n_charges, 4);
    assert_string_equal(o->charges[0].type, "FREIGHT");
    DEC_EQ(o->charges[0].amount, "12.5");
    assert_null(o->charges[0].line_number);
    assert_string_equal(o->charges[1].type, "DISCOUNT");
    DEC_EQ(o->charges[1].amount, "-5"); /* SAC01 A: an allowance */
    DEC_EQ(o->charges[1].percent, "2.5");
    assert_null(o->charges[1].line_number);
    assert_string_equal(o->charges[2].line_number, "1");
    DEC_EQ(o->charges[2].amount, "-1.5");
    assert_string_equal(o->charges[3].line_number, "2");
    assert_string_equal(o->charges[3].type, "HANDLING");
    DEC_EQ(o->charges[3].amount, "2");

    /* and out again: the same charges, prices and service level in a valid 850 */
    dg_mapping *m = load_map("mappings/x12-850-out.yaml");
    dg_map_envelope env = {"ZZ", "DROPGATE", "ZZ",   "NW",  9,          9,
                           9,    "20240305", "0930", false, test_defs()};
    dg_buf out = DG_BUF_INIT;
    dg_error err = {0};
    if (dg_map_write(m, l.docs, 1, &env, &out, &err))
        fail_msg("%s", err.msg);
    assert_non_null(strstr(out.data, "\nSAC*C*D240***1250~\nSAC*A*C310***500~\n"));
    assert_non_null(strstr(out.data, "\nTD5**2*UPSN**UPS GROUND*******CG~"));
    assert_non_null(strstr(out.data, "\nCTP**RES*19.99~\nPID*F*08***CREW SOCK COTTON~\n"
                                     "SAC*A*C310***150~\n"));
    dg_buf_free(&out);
    dg_map_free(m);
    list_free(&l);
}

/* Tracking numbers where partners put them. Corpus: the shipment level's REF CN for an S/O/I
 * ASN, TD1 weight; SSCC packs under a shipment REF CN; a pack with only MAN*W (no SSCC, no
 * tracking, no weight) gives no package. Sample: MAN SM on a pack, REF 2I on an item, a BOL
 * (REF BM) as the only number, an HL P with nothing in it, TD512. */
static void asn_856_tracking_everywhere(void **state)
{
    (void)state;
    doc_list l = {0};
    const char *f = corpus("x12/856/apimeister-004060_856.edi");
    if (f) {
        read_ok("mappings/x12-856-in.yaml", f, &l);
        dg_shipment *s = &l.docs[0]->u.shipment;
        DEC_EQ(s->gross_weight, "60.31");
        assert_string_equal(s->gross_weight_uom, "LB");
        assert_int_equal(s->n_packages, 1);
        assert_string_equal(s->packages[0].tracking_number, "5787970539");
        assert_string_equal(s->items[1].package_id, "5787970539");
        list_free(&l);

        read_ok("mappings/x12-856-in.yaml", corpus("x12/856/ediengine-856.Crossdock.OK.edi"), &l);
        s = &l.docs[0]->u.shipment;
        assert_int_equal(s->n_packages, 4);
        for (size_t k = 0; k < 4; k++)
            assert_string_equal(s->packages[k].tracking_number, "0000000008741");
        assert_string_equal(s->packages[1].sscc, "00000715670002152377");
        assert_string_equal(s->items[1].package_id, "00000715670002152377");
        DEC_EQ(s->gross_weight, "24");
        list_free(&l);

        read_ok("mappings/x12-856-in.yaml", corpus("x12/856/libedi-Sample_4010_856-MALFORMED.edi"),
                &l);
        assert_int_equal(l.docs[0]->u.shipment.n_packages, 0); /* never an empty package */
        list_free(&l);
    }
    read_ok("mappings/x12-856-in.yaml", "samples/mapping/asn-856-tracking.edi", &l);
    assert_int_equal(l.n, 3);
    dg_shipment *s = &l.docs[0]->u.shipment;
    assert_string_equal(s->po_number, "PO-7701");
    assert_string_equal(s->service_level_code, "SD");
    DEC_EQ(s->gross_weight, "18.5");
    assert_int_equal(s->n_packages, 1); /* HL 5, an empty pack, is none */
    assert_string_equal(s->packages[0].tracking_number, "SHIP-0001");
    DEC_EQ(s->packages[0].weight, "6");
    assert_string_equal(s->items[0].package_id, "SHIP-0001");
    s = &l.docs[1]->u.shipment;
    assert_string_equal(s->packages[0].tracking_number, "9400111899560077020001"); /* item 2I */
    assert_string_equal(s->items[0].package_id, "9400111899560077020001");
    s = &l.docs[2]->u.shipment;
    assert_int_equal(s->n_packages, 1);
    assert_string_equal(s->packages[0].tracking_number, "BOL-448812"); /* only the BOL */
    assert_string_equal(s->items[0].package_id, "BOL-448812");
    list_free(&l);
}

/* 846: the total per item, and per location: SCH lines naming a warehouse under one LIN, or
 * one LIN per warehouse with its N1 (the gateway adds those up: test_fulfil). Corpus 846s
 * without locations give none. */
static void inventory_846_locations(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-846-in.yaml", "samples/mapping/inventory-846-locations.edi", &l);
    dg_stock *k = &l.docs[0]->u.stock;
    assert_int_equal(k->n_items, 3);
    DEC_EQ(k->items[0].quantity_available, "150");
    assert_null(k->items[0].warehouse);
    assert_string_equal(k->items[1].warehouse, "EAST");
    assert_string_equal(k->items[2].warehouse, "WEST");
    assert_int_equal(k->n_locations, 4);
    /* the LIN-per-warehouse group comes first, then the SCH lines */
    assert_string_equal(k->locations[0].vendor_sku, "KET-1L");
    assert_string_equal(k->locations[0].warehouse, "EAST");
    DEC_EQ(k->locations[0].quantity_available, "30");
    assert_string_equal(k->locations[1].warehouse, "WEST");
    DEC_EQ(k->locations[1].quantity_available, "12");
    assert_string_equal(k->locations[2].vendor_sku, "MUG-BLU-12");
    assert_string_equal(k->locations[2].gtin, "012345678905");
    assert_string_equal(k->locations[2].warehouse, "EAST");
    DEC_EQ(k->locations[2].quantity_available, "100");
    assert_string_equal(k->locations[3].warehouse, "WEST");
    DEC_EQ(k->locations[3].quantity_available, "50");
    list_free(&l);
    const char *f = corpus("x12/846/oopfactory-Example1.edi");
    if (f) {
        read_ok("mappings/x12-846-in.yaml", f, &l);
        k = &l.docs[0]->u.stock;
        assert_int_equal(k->n_items, 1);
        assert_string_equal(k->items[0].buyer_sku, "46L5055");
        assert_string_equal(k->items[0].vendor_sku, "1234123232"); /* MG */
        assert_int_equal(k->n_locations, 0);
        list_free(&l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(po_850_corpus),
        cmocka_unit_test(po_850_retail),
        cmocka_unit_test(asn_856_tracking_everywhere),
        cmocka_unit_test(inventory_846_locations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
