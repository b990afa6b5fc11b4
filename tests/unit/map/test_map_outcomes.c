/* A file is a batch of documents: per-document outcomes (dg_map_read_each) on a storefront
 * admin export with a gift-card-only order, a draft without ship-to and lines without SKU, and
 * the skip_when / only_when filters in CSV and XML mappings. */
#include "maptest.h"

typedef struct {
    doc_list docs;
    size_t n;
    bool skipped[32];
    long pos[32];
    char key[32][32];
    char why[32][512];
} outcomes;

static int keep_doc(void *ctx, dg_doc *doc, dg_error *err)
{
    return list_sink(&((outcomes *)ctx)->docs, doc, err);
}

static int keep_outcome(void *ctx, const dg_map_outcome *o, dg_error *err)
{
    (void)err;
    outcomes *r = ctx;
    if (r->n == 32)
        return 0;
    r->skipped[r->n] = o->skipped;
    r->pos[r->n] = o->position;
    snprintf(r->key[r->n], sizeof r->key[0], "%s", o->key ? o->key : "");
    snprintf(r->why[r->n], sizeof r->why[0], "%s", o->reason);
    r->n++;
    return 0;
}

static const char *export_map = "mappings/storefront-orders-export-csv-in.yaml";
static const char *export_csv = "samples/mapping/storefront-orders-export.csv";

static void storefront_export_per_order(void **state)
{
    (void)state;
    dg_mapping *m = load_map(export_map);
    outcomes r = {0};
    dg_error err = {0};
    assert_int_equal(
        dg_map_read_each(m, dg_test_path(export_csv), keep_doc, keep_outcome, &r, &err), 0);
    /* #1019 gift card only: an order with nothing to route, though it has no ship-to either */
    assert_int_equal(r.n, 2);
    /* #1017 draft without shipping address: failed at its row, naming the rule */
    assert_false(r.skipped[0]);
    assert_string_equal(r.key[0], "1017");
    assert_int_equal(r.pos[0], 5);
    assert_non_null(strstr(r.why[0], "rule 'ship_to.name': required field missing (input row 5)"));
    /* #1016 lines without SKU: the second row of the order is not what stops it, the first is */
    assert_false(r.skipped[1]);
    assert_string_equal(r.key[1], "1016");
    assert_non_null(
        strstr(r.why[1], "rule 'lines[].vendor_sku': required field missing (input row 6)"));
    /* the others, with their values */
    assert_int_equal(r.docs.n, 4);
    dg_order *o = &r.docs.docs[0]->u.order;
    assert_string_equal(o->order_number, "1019");
    assert_null(o->ship_to.address1);
    assert_int_equal(o->n_lines, 1);
    assert_null(o->lines[0].vendor_sku);
    assert_string_equal(o->lines[0].description, "Gift Card - $50");
    DEC_EQ(o->lines[0].unit_price, "50");
    assert_string_equal(o->lines[0].status, DG_LINE_NOT_SHIPPABLE);
    assert_string_equal(o->lines[0].status_reason,
                        "requires no shipping (gift card, digital good)");
    o = &r.docs.docs[1]->u.order;
    assert_string_equal(o->order_number, "1018");
    assert_int_equal(o->n_lines, 2); /* the $25 gift card on the same order is not to be routed */
    assert_string_equal(o->lines[0].vendor_sku, "WSB-L-WAL");
    assert_string_equal(o->lines[0].line_number, "1");
    assert_null(o->lines[0].status);
    DEC_EQ(o->lines[0].unit_price, "49.99");
    DEC_EQ(o->lines[0].retail_price, "59.99");
    assert_string_equal(o->lines[1].line_number, "2");
    assert_string_equal(o->lines[1].description, "Gift Card - $25");
    assert_string_equal(o->lines[1].status, DG_LINE_NOT_SHIPPABLE);
    assert_string_equal(o->ship_to.postal_code, "02143");
    assert_string_equal(o->bill_to.city, "Somerville");
    assert_string_equal(o->customer_order_number, "5512698200215");
    o = &r.docs.docs[2]->u.order;
    assert_string_equal(o->order_number, "1015");
    assert_int_equal(o->n_lines, 2);
    DEC_EQ(o->total, "1279.25");
    assert_string_equal(o->ship_to.company, "Baker & Sons Landscaping");
    assert_string_equal(o->lines[1].vendor_sku, "CUSH-CHAR");
    DEC_EQ(o->lines[1].quantity, "2");
    o = &r.docs.docs[3]->u.order;
    assert_string_equal(o->order_number, "1014");
    assert_string_equal(o->currency, "CAD");
    assert_string_equal(o->ship_to.city, "Montréal");
    assert_string_equal(o->ship_to.country, "CA");
    list_free(&r.docs);

    /* the one-shot reader keeps its promise: the first failure stops the file; the gift-card
     * order's missing ship-to is none (its document ends with nothing to route) */
    doc_list l = {0};
    assert_int_equal(dg_map_read_file(m, dg_test_path(export_csv), list_sink, &l, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "rule 'ship_to.name': required field missing (input row 5)"));
    assert_int_equal(l.n, 2);
    list_free(&l);
    dg_map_free(m);
}

/* The outcome sink may stop the read (a store write failed): its error comes back. */
static int stop_outcome(void *ctx, const dg_map_outcome *o, dg_error *err)
{
    (void)ctx;
    (void)o;
    return dg_error_set(err, DG_EIO, "outcome store is full");
}

static void outcome_sink_can_stop(void **state)
{
    (void)state;
    dg_mapping *m = load_map(export_map);
    outcomes r = {0};
    dg_error err = {0};
    assert_int_equal(
        dg_map_read_each(m, dg_test_path(export_csv), keep_doc, stop_outcome, &r, &err), DG_EIO);
    assert_non_null(strstr(err.msg, "outcome store is full"));
    assert_int_equal(r.docs.n, 2); /* stopped at #1017, the first outcome */
    list_free(&r.docs);
    dg_map_free(m);
}

static const char *filter_map(const char *filter)
{
    static char text[2048];
    snprintf(text, sizeof text,
             "direction: in\ndocument: order\nformat: csv\ncsv: {header: true, group_by: po}\n"
             "fields:\n  - {target: order_number, source: po, required: true}\n"
             "groups:\n  - target: lines\n    each: row\n%s"
             "    fields:\n      - {target: 'lines[].vendor_sku', source: sku, required: true}\n"
             "      - {target: 'lines[].quantity', source: qty}\n",
             filter);
    return write_tmp("filter.yaml", text);
}

static void only_when_and_case(void **state)
{
    (void)state;
    const char *in = write_tmp("f.csv", "po,sku,qty,kind\n"
                                        "P1,A,1,physical\n"
                                        "P1,,1,Digital\n" /* no SKU, but left out first */
                                        "P1,B,2, PHYSICAL \n"
                                        "P2,,1,digital\n");
    dg_mapping *m = NULL;
    dg_error err = {0};
    assert_int_equal(
        dg_map_load(filter_map("    only_when: {source: kind, equals: physical}\n"), &m, &err), 0);
    outcomes r = {0};
    assert_int_equal(dg_map_read_each(m, in, keep_doc, keep_outcome, &r, &err), 0);
    assert_int_equal(r.docs.n, 1);
    dg_order *o = &r.docs.docs[0]->u.order;
    assert_int_equal(o->n_lines, 2); /* trimmed, case-insensitive */
    assert_string_equal(o->lines[1].vendor_sku, "B");
    assert_int_equal(r.n, 1);
    assert_true(r.skipped[0]);
    assert_string_equal(r.key[0], "P2");
    assert_non_null(strstr(r.why[0], "only_when"));
    list_free(&r.docs);
    dg_map_free(m);

    /* without the filter the same file has a failed order and a good one is still read */
    assert_int_equal(dg_map_load(filter_map(""), &m, &err), 0);
    memset(&r, 0, sizeof r);
    assert_int_equal(dg_map_read_each(m, in, keep_doc, keep_outcome, &r, &err), 0);
    assert_int_equal(r.docs.n, 0);
    assert_int_equal(r.n, 2);
    assert_false(r.skipped[0]);
    assert_non_null(strstr(r.why[0], "input row 3"));
    dg_map_free(m);

    /* a filter column missing from the file is a file-level error naming it */
    assert_int_equal(
        dg_map_load(filter_map("    skip_when: {source: kind2, equals: x}\n"), &m, &err), 0);
    memset(&r, 0, sizeof r);
    assert_int_equal(dg_map_read_each(m, in, keep_doc, keep_outcome, &r, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "skip_when column 'kind2' is not in the file's header"));
    dg_map_free(m);
}

static void bad_filters_name_line(void **state)
{
    (void)state;
    dg_mapping *m = NULL;
    dg_error err = {0};
    assert_int_equal(dg_map_load(filter_map("    skip_when: {source: kind}\n"), &m, &err),
                     DG_ECONFIG);
    assert_non_null(strstr(err.msg, "filter.yaml:10"));
    assert_non_null(strstr(err.msg, "'skip_when' needs 'source' and 'equals'"));
    assert_int_equal(
        dg_map_load(filter_map("    skip_when: {source: kind, equals: x, when: y}\n"), &m, &err),
        DG_ECONFIG);
    assert_non_null(strstr(err.msg, "when"));
    assert_int_equal(dg_map_load(filter_map("    skip_when: kind\n"), &m, &err), DG_ECONFIG);
    const char *x12 =
        write_tmp("x12.yaml", "direction: in\ndocument: order\nformat: x12\n"
                              "x12: {transaction_set: \"850\"}\ngroups:\n"
                              "  - target: lines\n    each: PO1\n"
                              "    skip_when: {source: PO102, equals: \"0\"}\n"
                              "    fields:\n"
                              "      - {target: 'lines[].vendor_sku', source: PO107}\n");
    assert_int_equal(dg_map_load(x12, &m, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "'skip_when' is for csv, xml and json groups"));
}

static void xml_elements_filtered_and_failed(void **state)
{
    (void)state;
    const char *map = write_tmp(
        "x.yaml",
        "direction: in\ndocument: order\nformat: xml\nxml: {documents: /orders/order}\n"
        "fields:\n  - {target: order_number, source: '@id', required: true}\n"
        "  - {target: order_date, source: date, date: '%Y-%m-%d'}\n"
        "groups:\n  - target: lines\n    each: line\n"
        "    skip_when: {source: '@shippable', equals: ['false', '0']}\n"
        "    fields:\n      - {target: 'lines[].vendor_sku', source: sku, required: true}\n");
    const char *in = write_tmp("x.xml", "<orders>\n"
                                        "<order id='A'><date>2024-01-02</date>\n"
                                        "  <line><sku>S1</sku></line>\n"
                                        "  <line shippable='false'/></order>\n"
                                        "<order id='B'><date>02/01/2024</date>\n"
                                        "  <line><sku>S2</sku></line></order>\n"
                                        "<order id='C'><line shippable='0'/></order>\n"
                                        "<order id='D'><line><sku>S4</sku></line></order>\n"
                                        "</orders>\n");
    dg_mapping *m = NULL;
    dg_error err = {0};
    assert_int_equal(dg_map_load(map, &m, &err), 0);
    outcomes r = {0};
    assert_int_equal(dg_map_read_each(m, in, keep_doc, keep_outcome, &r, &err), 0);
    assert_int_equal(r.docs.n, 2);
    assert_string_equal(r.docs.docs[0]->u.order.order_number, "A");
    assert_int_equal(r.docs.docs[0]->u.order.n_lines, 1);
    assert_string_equal(r.docs.docs[1]->u.order.order_number, "D");
    assert_int_equal(r.n, 2);
    assert_false(r.skipped[0]);
    assert_int_equal(r.pos[0], 5);
    assert_non_null(strstr(r.why[0], "rule 'order_date'"));
    assert_true(r.skipped[1]);
    assert_int_equal(r.pos[1], 7);
    list_free(&r.docs);
    dg_map_free(m);
}

/* A filter with a status keeps the line, marked not to be routed, with the filter's reason
 * (or one said from the filter); a filter without one still drops (and wins over a status: a
 * test order's gift card is dropped too); an order of only kept-with-status lines is a document
 * even when its fields fail, while one that has a routable line still fails. */
static void csv_filter_status_keeps_lines(void **state)
{
    (void)state;
    const char *in = write_tmp("s.csv", "po,sku,qty,kind,test,ship\n"
                                        "P1,A,1,physical,,yes\n"
                                        "P1,,1,gift,,yes\n" /* no SKU: its own failure is none */
                                        "P1,B,2,physical,,yes\n"
                                        "P1,C,1,physical,,picked\n"
                                        "P2,,1,gift,,yes\n"       /* gift card only */
                                        "P3,D,1,physical,1,yes\n" /* a test order */
                                        "P3,,1,gift,1,yes\n"
                                        ",,1,gift,,yes\n"       /* no order number */
                                        "P5,,1,physical,,yes\n" /* a routable line without SKU */
                                        "P5,,1,gift,,yes\n");
    dg_mapping *m = NULL;
    dg_error err = {0};
    assert_int_equal(dg_map_load(filter_map("    skip_when:\n"
                                            "      - {source: kind, equals: gift, status: "
                                            "NOT_SHIPPABLE, reason: a gift card}\n"
                                            "      - {source: ship, equals: picked, status: "
                                            "NOT_ROUTED}\n"
                                            "      - {source: test, equals: '1'}\n"),
                                 &m, &err),
                     0);
    outcomes r = {0};
    assert_int_equal(dg_map_read_each(m, in, keep_doc, keep_outcome, &r, &err), 0);
    assert_int_equal(r.docs.n, 2);
    dg_order *o = &r.docs.docs[0]->u.order;
    assert_string_equal(o->order_number, "P1");
    assert_int_equal(o->n_lines, 4);
    assert_null(o->lines[0].status);
    assert_string_equal(o->lines[1].status, DG_LINE_NOT_SHIPPABLE);
    assert_string_equal(o->lines[1].status_reason, "a gift card");
    assert_null(o->lines[1].vendor_sku);
    DEC_EQ(o->lines[1].quantity, "1");
    assert_null(o->lines[2].status);
    assert_string_equal(o->lines[3].vendor_sku, "C");
    assert_string_equal(o->lines[3].status, DG_LINE_NOT_ROUTED);
    assert_string_equal(o->lines[3].status_reason, "left out by skip_when: ship is picked");
    o = &r.docs.docs[1]->u.order;
    assert_string_equal(o->order_number, "P2");
    assert_int_equal(o->n_lines, 1);
    assert_string_equal(o->lines[0].status, DG_LINE_NOT_SHIPPABLE);
    /* P3 dropped whole (test), the one without a number and P5 failed */
    assert_int_equal(r.n, 3);
    assert_true(r.skipped[0]);
    assert_string_equal(r.key[0], "P3");
    assert_non_null(strstr(r.why[0], "every row of its 'lines' was left out by skip_when"));
    assert_non_null(strstr(r.why[0], ": test)"));
    assert_false(r.skipped[1]); /* a gift card alone does not make an order of nothing */
    assert_non_null(strstr(r.why[1], "rule 'order_number': required field missing (input row 9)"));
    assert_false(r.skipped[2]);
    assert_string_equal(r.key[2], "P5");
    assert_non_null(
        strstr(r.why[2], "rule 'lines[].vendor_sku': required field missing (input row 10)"));
    list_free(&r.docs);
    dg_map_free(m);
}

static void xml_filter_status_keeps_lines(void **state)
{
    (void)state;
    const char *map = write_tmp(
        "xs.yaml",
        "direction: in\ndocument: order\nformat: xml\nxml: {documents: /orders/order}\n"
        "fields:\n  - {target: order_number, source: '@id', required: true}\n"
        "  - {target: ship_to.name, source: name, required: true}\n"
        "groups:\n  - target: lines\n    each: line\n    number: line_number\n"
        "    skip_when: {source: '@shippable', equals: 'false', status: NOT_SHIPPABLE}\n"
        "    fields:\n      - {target: 'lines[].vendor_sku', source: sku, required: true}\n"
        "      - {target: 'lines[].unit_price', source: price}\n");
    const char *in =
        write_tmp("xs.xml", "<orders>\n"
                            "<order id='A'><name>Ann</name>\n"
                            "  <line><sku>S1</sku></line>\n"
                            "  <line shippable='false'><price>10</price></line></order>\n"
                            "<order id='B'><line shippable='false'/></order>\n"
                            "<order id='C'><line><sku>S3</sku></line></order>\n"
                            "</orders>\n");
    dg_mapping *m = NULL;
    dg_error err = {0};
    assert_int_equal(dg_map_load(map, &m, &err), 0);
    outcomes r = {0};
    assert_int_equal(dg_map_read_each(m, in, keep_doc, keep_outcome, &r, &err), 0);
    assert_int_equal(r.docs.n, 2);
    dg_order *o = &r.docs.docs[0]->u.order;
    assert_string_equal(o->order_number, "A");
    assert_int_equal(o->n_lines, 2);
    assert_string_equal(o->lines[1].line_number, "2");
    DEC_EQ(o->lines[1].unit_price, "10");
    assert_string_equal(o->lines[1].status, DG_LINE_NOT_SHIPPABLE);
    assert_string_equal(o->lines[1].status_reason, "left out by skip_when: @shippable is false");
    o = &r.docs.docs[1]->u.order;
    assert_string_equal(o->order_number, "B"); /* no name, but nothing to route */
    assert_null(o->ship_to.name);
    assert_string_equal(o->lines[0].status, DG_LINE_NOT_SHIPPABLE);
    assert_int_equal(r.n, 1); /* C: no name and a line to route */
    assert_false(r.skipped[0]);
    assert_non_null(strstr(r.why[0], "rule 'ship_to.name'"));
    list_free(&r.docs);
    dg_map_free(m);
}

/* status and reason are checked at load: only order lines, only the statuses a mapping gives. */
static void filter_status_errors(void **state)
{
    (void)state;
    dg_mapping *m = NULL;
    dg_error err = {0};
    assert_int_equal(dg_map_load(filter_map("    skip_when: {source: kind, equals: x, status: "
                                            "MATCHED}\n"),
                                 &m, &err),
                     DG_ECONFIG);
    assert_non_null(strstr(err.msg, "filter.yaml:10"));
    assert_non_null(strstr(err.msg, "status 'MATCHED': a line left out is NOT_SHIPPABLE"));
    assert_int_equal(
        dg_map_load(filter_map("    skip_when: {source: kind, equals: x, reason: why}\n"), &m,
                    &err),
        DG_ECONFIG);
    assert_non_null(strstr(err.msg, "'reason' goes with 'status'"));
    assert_int_equal(dg_map_load(filter_map("    skip_when: [kind]\n"), &m, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "'skip_when' is a map (source, equals ...) or a list of them"));
    const char *asn = write_tmp(
        "asn.yaml", "direction: in\ndocument: shipment\nformat: csv\ncsv: {header: true}\n"
                    "fields:\n  - {target: shipment_id, source: id}\n"
                    "groups:\n  - target: items\n    each: row\n"
                    "    skip_when: {source: qty, equals: '0', status: NOT_SHIPPABLE}\n"
                    "    fields:\n      - {target: 'items[].vendor_sku', source: sku}\n");
    assert_int_equal(dg_map_load(asn, &m, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "asn.yaml:10"));
    assert_non_null(strstr(err.msg, "'status' is for order lines"));
}

/* X12: the set is the document; a bad date in the second 850 leaves the first and third. */
static void x12_sets_each_their_outcome(void **state)
{
    (void)state;
    char *edi = dg_test_read_file(dg_test_path("samples/mapping/po-850.edi"), NULL);
    assert_non_null(edi);
    char *p = strstr(edi, "BEG*00*DS*PO-50002**20240302~");
    assert_non_null(p);
    memcpy(p, "BEG*00*DS*PO-50002**20241302~", 29); /* month 13 */
    const char *in = write_tmp("po.edi", edi);
    free(edi);
    dg_mapping *m = load_map("mappings/x12-850-in.yaml");
    outcomes r = {0};
    dg_error err = {0};
    assert_int_equal(dg_map_read_each(m, in, keep_doc, keep_outcome, &r, &err), 0);
    assert_int_equal(r.n, 1);
    assert_false(r.skipped[0]);
    assert_string_equal(r.key[0], "0002"); /* ST02 */
    assert_non_null(strstr(r.why[0], "'20241302' is not a date"));
    assert_true(r.docs.n >= 1);
    assert_string_equal(r.docs.docs[0]->u.order.order_number, "PO-50001");
    for (size_t i = 0; i < r.docs.n; i++)
        assert_string_not_equal(r.docs.docs[i]->u.order.order_number, "PO-50002");
    list_free(&r.docs);
    dg_map_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(storefront_export_per_order),
        cmocka_unit_test(outcome_sink_can_stop),
        cmocka_unit_test(only_when_and_case),
        cmocka_unit_test(bad_filters_name_line),
        cmocka_unit_test(xml_elements_filtered_and_failed),
        cmocka_unit_test(csv_filter_status_keeps_lines),
        cmocka_unit_test(xml_filter_status_keeps_lines),
        cmocka_unit_test(filter_status_errors),
        cmocka_unit_test(x12_sets_each_their_outcome),
    };
    return cmocka_run_group_tests(tests, maptest_setup, maptest_teardown);
}
