/* Outbound mappings and round trips: X12 850/856/810 -> canonical -> X12 -> canonical gives
 * equal records, the same for CSV and XML; envelopes, HL numbering, counts, and no partial
 * output when a document cannot be written. */
#include "maptest.h"

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

/* ---- round trips ------------------------------------------------------------------------ */

static void round_trip(const char *in_map, const char *out_map, const char *input)
{
    doc_list a = {0}, b = {0};
    read_ok(in_map, input, &a);
    assert_true(a.n >= 1);
    dg_mapping *mo = load_map(out_map);
    dg_map_envelope env = {"ZZ", "DROPGATE", "12",   "5551234567", 42,         7,
                           100,  "20240305", "0930", true,         test_defs()};
    dg_buf out = DG_BUF_INIT;
    dg_error err = {0};
    if (dg_map_write(mo, a.docs, a.n, &env, &out, &err))
        fail_msg("%s: %s", out_map, err.msg);
    dg_map_free(mo);
    const char *tmp = write_tmp("round-trip.out", out.data);
    read_ok(in_map, tmp, &b);
    assert_int_equal(a.n, b.n);
    for (size_t i = 0; i < a.n; i++) {
        char *ja = body_json(a.docs[i]), *jb = body_json(b.docs[i]);
        assert_string_equal(ja, jb);
        free(ja);
        free(jb);
    }
    list_free(&a);
    list_free(&b);
    dg_buf_free(&out);
}

static void round_trips_x12(void **state)
{
    (void)state;
    round_trip("mappings/x12-850-in.yaml", "mappings/x12-850-out.yaml",
               "samples/mapping/po-850.edi");
    round_trip("mappings/x12-856-in.yaml", "mappings/x12-856-out.yaml",
               "samples/mapping/asn-856.edi");
    round_trip("mappings/x12-810-in.yaml", "mappings/x12-810-out.yaml",
               "samples/mapping/invoice-810.edi");
    /* the validator's samples: tracking number on the shipment level, SSCC on the pack */
    round_trip("mappings/x12-856-in.yaml", "mappings/x12-856-out.yaml", "samples/x12/856-asn.edi");
    round_trip("mappings/x12-850-in.yaml", "mappings/x12-850-out.yaml",
               "samples/x12/850-dropship.edi");
    round_trip("mappings/x12-810-in.yaml", "mappings/x12-810-out.yaml",
               "samples/x12/810-invoice.edi");
    const char *c = corpus("x12/850/apimeister-004010_850.edi");
    if (c)
        round_trip("mappings/x12-850-in.yaml", "mappings/x12-850-out.yaml", c);
}

static void round_trips_csv_xml(void **state)
{
    (void)state;
    round_trip("mappings/storefront-orders-csv-in.yaml", "mappings/storefront-orders-csv-out.yaml",
               "samples/mapping/storefront-orders.csv");
    /* the tracking CSV carries no package weight outbound: a file without weights */
    round_trip(
        "mappings/tracking-csv-in.yaml", "mappings/tracking-csv-out.yaml",
        write_tmp("tracking.csv",
                  "retailer_po,supplier_po,tracking_number,sku_id,quantity_shipped,package_weight,"
                  "package_ship_date,supplier_provided_carrier,supplier_provided_method\n"
                  "PO-1,SO-1,1Z1,MUG,2,,2024-03-04,UPS,GROUND\nPO-1,SO-1,1Z2,KET,1,,2024-03-04,UPS,"
                  "GROUND\n"
                  "PO-2,SO-2,9400,TEA,3,,2024-03-05,USPS,PRIORITY\n"));
    round_trip("mappings/order-xml-in.yaml", "mappings/order-xml-out.yaml",
               "samples/mapping/orders.xml");
    /* and across formats: X12 850 -> canonical -> storefront CSV -> canonical keeps the lines */
    doc_list a = {0}, b = {0};
    read_ok("mappings/x12-850-in.yaml", "samples/mapping/po-850.edi", &a);
    dg_mapping *m = load_map("mappings/storefront-orders-csv-out.yaml");
    dg_buf out = DG_BUF_INIT;
    dg_error err = {0};
    assert_int_equal(dg_map_write(m, a.docs, a.n, NULL, &out, &err), 0);
    read_ok("mappings/storefront-orders-csv-in.yaml", write_tmp("x.csv", out.data), &b);
    assert_int_equal(b.n, 2);
    assert_string_equal(b.docs[1]->u.order.lines[1].vendor_sku, "TEA-SMP");
    DEC_EQ(b.docs[1]->u.order.lines[1].quantity, "3");
    assert_string_equal(b.docs[0]->u.order.ship_to.postal_code, "78701");
    dg_buf_free(&out);
    dg_map_free(m);
    list_free(&a);
    list_free(&b);
}

/* ---- outbound --------------------------------------------------------------------------- */

static char *write_docs(const char *out_map, doc_list *l, const dg_map_envelope *env)
{
    dg_mapping *m = load_map(out_map);
    dg_buf out = DG_BUF_INIT;
    dg_error err = {0};
    if (dg_map_write(m, l->docs, l->n, env, &out, &err))
        fail_msg("%s: %s", out_map, err.msg);
    dg_map_free(m);
    return dg_buf_take(&out);
}

static void envelope_and_counts(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-850-in.yaml", "samples/mapping/po-850.edi", &l);
    dg_map_envelope env = {"ZZ", "DROPGATE", "12",   "5551234567", 42,         7,
                           100,  "20240305", "0930", true,         test_defs()};
    char *x = write_docs("mappings/x12-850-out.yaml", &l, &env);
    assert_non_null(strstr(x, "*ZZ*DROPGATE       *12*5551234567     *240305*0930*"));
    assert_non_null(strstr(x, "*000000042*0*T*>~"));
    assert_non_null(strstr(x, "GS*PO*DROPGATE*5551234567*20240305*0930*7*X*004010~"));
    assert_non_null(strstr(x, "ST*850*0100~"));
    assert_non_null(strstr(x, "ST*850*0101~"));
    assert_non_null(strstr(x, "SE*23*0100~"));
    assert_non_null(strstr(x, "GE*2*7~"));
    assert_non_null(strstr(x, "IEA*1*000000042~"));
    assert_non_null(strstr(x, "PO1*1*2*EA*4.10**VP*MUG-BLU-12*BP*SF-MUG-12*UP*012345678905~"));
    assert_non_null(strstr(x, "PO1*2*1*EA*21.50**VP*KET-1L~")); /* empty pairs leave no gap */
    assert_null(strstr(x, "REF*CO~"));                          /* no value: no segment */
    free(x);
    /* 855: line statuses become ACK codes */
    l.docs[0]->u.order.lines[1].status = dg_arena_strdup(l.docs[0]->arena, DG_LINE_OUT_OF_STOCK);
    x = write_docs("mappings/x12-855-out.yaml", &l, &env);
    assert_non_null(strstr(x, "GS*PR*"));
    assert_non_null(strstr(x, "BAK*00*AC*PO-50001*20240301~"));
    assert_non_null(strstr(x, "ACK*IA*2*EA~"));
    assert_non_null(strstr(x, "ACK*IB*1*EA~"));
    free(x);
    list_free(&l);

    read_ok("mappings/x12-856-in.yaml", "samples/mapping/asn-856.edi", &l);
    x = write_docs("mappings/x12-856-out.yaml", &l, &env);
    assert_non_null(strstr(x, "HL*1**S~"));
    assert_non_null(strstr(x, "HL*3*2*P~"));
    assert_non_null(strstr(x, "HL*5*3*I~"));
    assert_non_null(strstr(x, "HL*6*2*P~"));
    assert_non_null(strstr(x, "HL*7*6*I~"));
    assert_non_null(strstr(x, "CTT*7~"));
    assert_non_null(strstr(x, "BSN*00*SO-9001*20240304*1430*0001~")); /* the shipment's time */
    free(x);
    /* BSN04 is mandatory: without a ship time it is the time the file is written (the envelope's
     * GS05), never 0000 */
    l.docs[0]->u.shipment.ship_time = NULL;
    x = write_docs("mappings/x12-856-out.yaml", &l, &env);
    assert_non_null(strstr(x, "BSN*00*SO-9001*20240304*0930*0001~"));
    free(x);
    dg_map_envelope now_env = env;
    now_env.date = now_env.time = NULL; /* no envelope time given: now, as ISA10 and GS05 */
    x = write_docs("mappings/x12-856-out.yaml", &l, &now_env);
    const char *gs = strstr(x, "GS*SH*"), *bsn = strstr(x, "BSN*00*SO-9001*20240304*");
    assert_non_null(gs);
    assert_non_null(bsn);
    const char *gs05 = strchr(strchr(strchr(strchr(gs + 3, '*') + 1, '*') + 1, '*') + 1, '*') + 1;
    assert_memory_equal(bsn + 24, gs05, 4);
    free(x);
    /* an item in no package is not lost: it hangs off the order level */
    l.docs[0]->u.shipment.items[1].package_id = NULL;
    x = write_docs("mappings/x12-856-out.yaml", &l, &env);
    assert_non_null(strstr(x, "HL*3*2*P~"));
    assert_non_null(strstr(x, "HL*4*3*I~\nLIN*1*VP*MUG-BLU-12"));
    assert_non_null(strstr(x, "HL*7*2*I~\nLIN*2*VP*KET-1L"));
    assert_non_null(strstr(x, "CTT*7~"));
    free(x);
    /* without packages the items hang off the order level */
    l.docs[0]->u.shipment.n_packages = 0;
    x = write_docs("mappings/x12-856-out.yaml", &l, &env);
    assert_non_null(strstr(x, "HL*3*2*I~"));
    assert_non_null(strstr(x, "HL*5*2*I~"));
    assert_non_null(strstr(x, "CTT*5~"));
    free(x);
    list_free(&l);

    read_ok("mappings/x12-810-in.yaml", "samples/mapping/invoice-810.edi", &l);
    x = write_docs("mappings/x12-810-out.yaml", &l, &env);
    assert_non_null(strstr(x, "TDS*3905~"));
    assert_non_null(strstr(x, "SAC*C*D240***795"));
    assert_non_null(strstr(x, "SAC*A*C310***300"));
    free(x);
    list_free(&l);
}

static void outbound_error_leaves_nothing(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-850-in.yaml", "samples/mapping/po-850.edi", &l);
    l.docs[1]->u.order.lines[0].quantity.set = false;
    dg_mapping *m = load_map("mappings/x12-850-out.yaml");
    dg_buf out = DG_BUF_INIT;
    dg_buf_puts(&out, "KEEP");
    dg_error err = {0};
    assert_int_equal(dg_map_write(m, l.docs, l.n, NULL, &out, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "x12-850-out.yaml:"));
    assert_non_null(strstr(err.msg, "rule 'quantity': required field missing"));
    assert_non_null(strstr(err.msg, "document 2 PO-50002")); /* number in the batch and key */
    assert_int_equal(out.len, 4); /* nothing of the failed file is left */
    /* a date that is not ISO */
    l.docs[1]->u.order.lines[0].quantity.set = true;
    l.docs[0]->u.order.order_date = "03/01/2024";
    assert_int_equal(dg_map_write(m, l.docs, l.n, NULL, &out, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "rule 'order_date'"));
    assert_non_null(strstr(err.msg, "not an ISO date"));
    assert_int_equal(out.len, 4);
    /* delimiters inside partner text cannot break the file */
    l.docs[0]->u.order.order_date = "2024-03-01";
    l.docs[0]->u.order.ship_to.name = "Ana*Lopez~";
    assert_int_equal(dg_map_write(m, l.docs, l.n, NULL, &out, &err), 0);
    assert_non_null(strstr(out.data, "N1*ST*Ana Lopez"));
    assert_null(strstr(out.data, "Ana*"));
    dg_buf_free(&out);
    dg_map_free(m);
    list_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trips_x12),
        cmocka_unit_test(round_trips_csv_xml),
        cmocka_unit_test(envelope_and_counts),
        cmocka_unit_test(outbound_error_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, maptest_setup, maptest_teardown);
}
