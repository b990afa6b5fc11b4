/* Only valid X12 leaves: the shipped outbound mappings fitted to edi/ (N103/N104 in pairs, a
 * TD5 without carrier, a party without name or id left out with its N2..N4, delimiters in
 * values), a value that cannot fit refused naming its element, and an output that would not
 * validate refused with the validator's message. */
#include "maptest.h"
#include "x12/validate.h"

static int doc_sink(void *ctx, dg_doc *doc, dg_error *err)
{
    (void)err;
    return list_sink(ctx, doc, err);
}

static void docs_from(const char *json, doc_list *l)
{
    dg_error err = {0};
    if (dg_docs_from_json(json, strlen(json), doc_sink, l, &err))
        fail_msg("json: %s", err.msg);
}

/* Writes l through the mapping fitted to edi/; returns the code, output in *out. */
static int write_checked(dg_mapping *m, doc_list *l, dg_buf *out, dg_error *err)
{
    dg_map_envelope env = {"ZZ", "DROPGATE", "ZZ",   "NORTHWIND", 5,          5,
                           5,    "20240305", "0930", false,       test_defs()};
    return dg_map_write(m, l->docs, l->n, &env, out, err);
}

static void assert_validates(const dg_buf *out)
{
    dg_x12_file_result *r = NULL;
    dg_error err = {0};
    assert_int_equal(dg_x12_check_mem(test_defs(), out->data, out->len, "out", &r, &err), 0);
    if (r->rejected)
        fail_msg("rejected: %s\n%s", r->n_problems ? r->problems[0].msg : "?", out->data);
    dg_x12_file_result_free(r);
}

static const char *demo_order =
    "{\"kind\":\"order\",\"order\":{\"order_number\":\"2001-NW\",\"order_date\":\"2024-03-05\","
    "\"service_level\":\"Standard\",\"ship_to\":{\"name\":\"Ana Lopez\",\"address1\":\"1 Main "
    "St\",\"city\":\"Austin\",\"state\":\"TX\",\"postal_code\":\"78701\",\"country\":\"US\"},"
    "\"seller\":{\"name\":\"northwind\",\"id\":\"northwind\"},"
    "\"lines\":[{\"line_number\":\"1\",\"quantity\":\"2\",\"uom\":\"ea\",\"unit_price\":\"4.10\","
    "\"vendor_sku\":\"NW-1001\"}]}}";

/* The demo's PO: no carrier, a seller id without qualifier. */
static void demo_po_is_valid(void **state)
{
    (void)state;
    doc_list l = {0};
    docs_from(demo_order, &l);
    dg_mapping *m = load_map("mappings/x12-850-out.yaml");
    dg_buf out = DG_BUF_INIT;
    dg_error err = {0};
    if (write_checked(m, &l, &out, &err))
        fail_msg("%s", err.msg);
    assert_validates(&out);
    assert_non_null(strstr(out.data, "\nTD5*****Standard~")); /* TD502 without TD503 left out */
    assert_non_null(strstr(out.data, "\nN1*SE*northwind*92*northwind~")); /* N103/N104 paired */
    assert_non_null(strstr(out.data, "\nPO1*1*2*EA*4.10**VP*NW-1001~"));  /* unit code upper */
    assert_null(strstr(out.data, "N1*BT"));                               /* no bill-to at all */
    dg_buf_free(&out);
    dg_map_free(m);
    list_free(&l);
}

/* A ship-to with an address but neither name nor id: its N1 cannot stand, so its N2..PER go
 * with it (an N3 after the previous N1 would be read as that party's address). Delimiters in
 * values become spaces; text is cut to its element's maximum, and padded to its minimum. */
static void party_without_name_and_delimiters(void **state)
{
    (void)state;
    doc_list l = {0};
    docs_from("{\"kind\":\"order\",\"order\":{\"order_number\":\"P*1~2\",\"order_date\":"
              "\"2024-03-05\",\"notes\":\"a~b*c:d>e\",\"ship_to\":{\"address1\":\"1 Main St\","
              "\"city\":\"Austin\",\"postal_code\":\"7\"},\"bill_to\":{\"name\":\"Ren\xc3\xa9 "
              "M\xc3\xbcller *~\",\"city\":\"" /* 35 characters: N401 allows 30 */
              "Llanfairpwllgwyngyllgogerychwyrndrob\",\"postal_code\":\"1234\"},"
              "\"buyer\":{\"name\":\"B\",\"city\":\"X\"}," /* N401 needs 2 */
              "\"lines\":[{\"quantity\":\"1\",\"buyer_sku\":\"A*B"
              "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}]}}", /* 50: PO109 allows 48 */
              &l);
    dg_mapping *m = load_map("mappings/x12-850-out.yaml");
    dg_buf out = DG_BUF_INIT;
    dg_error err = {0};
    if (write_checked(m, &l, &out, &err))
        fail_msg("%s", err.msg);
    assert_validates(&out);
    assert_null(strstr(out.data, "N1*ST"));
    assert_null(strstr(out.data, "1 Main St")); /* its N3 went with it */
    assert_non_null(strstr(out.data, "\nBEG*00*SA*P 1 2**20240305~"));
    assert_non_null(strstr(out.data, "\nMSG*a b c:d e~"));
    assert_non_null(strstr(out.data, "\nN1*BT*Ren\xc3\xa9 M\xc3\xbcller~"));
    assert_non_null(strstr(out.data, "\nN4*Llanfairpwllgwyngyllgogerychwy**1234~"));
    assert_non_null(strstr(out.data, "\nN1*BY*B~\nN4*X ~"));
    assert_non_null(
        strstr(out.data, "\nPO1**1*EA***BP*A Bxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx~"));
    dg_buf_free(&out);
    dg_map_free(m);
    list_free(&l);
}

/* A value that no fitting makes valid (a unit that is not a unit code) is refused, naming the
 * mapping line, the segment, the element, the document and the value; nothing is written. */
static void unfit_value_is_refused(void **state)
{
    (void)state;
    doc_list l = {0};
    docs_from("{\"kind\":\"order\",\"order\":{\"order_number\":\"PO-7\",\"order_date\":"
              "\"2024-03-05\",\"lines\":[{\"quantity\":\"1\",\"uom\":\"BOX\"}]}}",
              &l);
    dg_mapping *m = load_map("mappings/x12-850-out.yaml");
    dg_buf out = DG_BUF_INIT;
    dg_error err = {0};
    assert_int_equal(write_checked(m, &l, &out, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "x12-850-out.yaml:"));
    assert_non_null(strstr(err.msg, "segment PO1 of document 1 PO-7"));
    assert_non_null(strstr(err.msg, "PO103"));
    assert_non_null(strstr(err.msg, "'BOX'"));
    assert_int_equal(out.len, 0);
    dg_buf_free(&out);
    dg_map_free(m);
    list_free(&l);
}

/* A mandatory segment that its values cannot fill (a BEG without date) is the document's
 * error, named; a mapping that writes an invalid 850 (no BEG at all) is refused with the
 * validator's message and the document. Without definitions the same mapping writes (what the
 * gateway and translate never do). */
static void invalid_output_is_refused(void **state)
{
    (void)state;
    doc_list l = {0};
    docs_from("{\"kind\":\"order\",\"order\":{\"order_number\":\"PO-8\",\"lines\":[{\"quantity\":"
              "\"1\"}]}}",
              &l);
    dg_mapping *m = NULL;
    dg_error err = {0};
    const char *path =
        write_tmp("no-date-850.yaml", "direction: out\ndocument: order\nformat: x12\n"
                                      "x12: {transaction_set: \"850\"}\nsegments:\n"
                                      "  - BEG: [\"00\", SA, \"{order_number}\", \"\", "
                                      "\"{order_date|date:CCYYMMDD}\"]\n"
                                      "  - each: lines\n    segments:\n"
                                      "      - PO1: [\"\", \"{quantity}\"]\n");
    if (dg_map_load(path, &m, &err))
        fail_msg("%s", err.msg);
    dg_buf out = DG_BUF_INIT;
    assert_int_equal(write_checked(m, &l, &out, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "no-date-850.yaml:6: segment BEG of document 1 PO-8: BEG is "
                                    "mandatory in the 850 and cannot be written: its mandatory "
                                    "BEG05 (Date) is empty"));
    assert_int_equal(out.len, 0);
    dg_map_free(m);
    path = write_tmp("no-beg-850.yaml", "direction: out\ndocument: order\nformat: x12\n"
                                        "x12: {transaction_set: \"850\"}\nsegments:\n"
                                        "  - REF: [CO, \"{order_number}\"]\n"
                                        "  - each: lines\n    segments:\n"
                                        "      - PO1: [\"\", \"{quantity}\"]\n");
    if (dg_map_load(path, &m, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(write_checked(m, &l, &out, &err), DG_EVALID);
    assert_non_null(strstr(err.msg, "no-beg-850.yaml: the X12 written for document 1 PO-8 does "
                                    "not validate: BEG"));
    assert_non_null(strstr(err.msg, "mandatory segment BEG missing"));
    assert_int_equal(out.len, 0);
    assert_int_equal(dg_map_write(m, l.docs, l.n, NULL, &out, &err), 0);
    assert_non_null(strstr(out.data, "REF*CO*PO-8~"));
    dg_buf_free(&out);
    dg_map_free(m);
    list_free(&l);
}

/* The 856 and 810 mappings: a shipment without carrier, weight unit or tracking, an invoice
 * without terms or charges. */
static void asn_and_invoice_without_options(void **state)
{
    (void)state;
    static const struct {
        const char *map, *json;
    } cases[] = {
        {"mappings/x12-856-out.yaml",
         "{\"kind\":\"shipment\",\"shipment\":{\"shipment_id\":\"S1\",\"po_number\":\"PO-1\","
         "\"ship_date\":\"2024-03-05\",\"ship_from\":{\"id\":\"W1\"},\"packages\":[{\"weight\":"
         "\"2\"}],\"items\":[{\"quantity_shipped\":\"1\"}]}}"},
        {"mappings/x12-810-out.yaml",
         "{\"kind\":\"invoice\",\"invoice\":{\"invoice_number\":\"I1\",\"invoice_date\":"
         "\"2024-03-05\",\"total\":\"5\",\"lines\":[{\"quantity\":\"1\",\"unit_price\":\"5\"}]}}"},
        {"mappings/x12-855-out.yaml",
         "{\"kind\":\"order\",\"order\":{\"order_number\":\"O1\",\"order_date\":\"2024-03-05\","
         "\"lines\":[{\"quantity\":\"1\",\"status\":\"OUT_OF_STOCK\"}]}}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        doc_list l = {0};
        docs_from(cases[i].json, &l);
        dg_mapping *m = load_map(cases[i].map);
        dg_buf out = DG_BUF_INIT;
        dg_error err = {0};
        if (write_checked(m, &l, &out, &err))
            fail_msg("%s: %s", cases[i].map, err.msg);
        assert_validates(&out);
        if (i == 0) {
            assert_non_null(strstr(out.data, "\nN1*SF**92*W1~"));
            assert_null(strstr(out.data, "TD1")); /* a weight without unit cannot be said */
        }
        dg_buf_free(&out);
        dg_map_free(m);
        list_free(&l);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(demo_po_is_valid),
        cmocka_unit_test(party_without_name_and_delimiters),
        cmocka_unit_test(unfit_value_is_refused),
        cmocka_unit_test(invalid_output_is_refused),
        cmocka_unit_test(asn_and_invoice_without_options),
    };
    return cmocka_run_group_tests(tests, maptest_setup, maptest_teardown);
}
