/* Format options and transforms a partner engineer reaches for: a headerless semicolon file in
 * Windows-1252 with column numbers, European numbers and dates, skipped preamble lines, joined
 * and first-of sources, strict code tables; and the same options outbound. */
#include "maptest.h"

static dg_mapping *load_text(const char *yaml)
{
    dg_mapping *m = NULL;
    dg_error err = {0};
    if (dg_map_load(write_tmp("m.yaml", yaml), &m, &err))
        fail_msg("%s", err.msg);
    return m;
}

static const char *euro_map =
    "direction: in\ndocument: order\nformat: csv\n"
    "csv: {header: false, delimiter: \";\", encoding: windows-1252, skip_rows: 2, group_by: "
    "\"#1\"}\n"
    "tables:\n  uom: {Stk: EA, Kart: CA}\n"
    "fields:\n"
    "  - {target: order_number, source: \"1\", required: true}\n"
    "  - {target: order_date, source: \"2\", date: DD.MM.YYYY}\n"
    "  - {target: ship_to.name, sources: [\"3\", \"4\"]}\n"
    "  - {target: ship_to.city, source: \"5\", case: upper}\n"
    "  - {target: ship_to.phone, first_of: [\"6\", \"7\"]}\n"
    "groups:\n  - target: lines\n    number: line_number\n    fields:\n"
    "      - {target: vendor_sku, source: \"8\", required: true}\n"
    "      - {target: quantity, source: \"9\", decimal_separator: \",\"}\n"
    "      - {target: unit_price, source: \"10\", decimal_separator: \",\", thousands_separator: "
    "\".\", strip: \"€ \"}\n"
    "      - {target: uom, source: \"11\", table: uom, table_strict: true}\n";

static void headerless_european_latin1(void **state)
{
    (void)state;
    dg_mapping *m = load_text(euro_map);
    const char *in =
        write_tmp("eu.csv", "Export Bestellungen\n-- generated --\n"
                            "A-1;07.03.2024;Jürgen;Groß;köln;;+49 221 1;SKU-1;2,5;1.234,50;Stk\n"
                            "A-1;07.03.2024;;;;;;SKU-2;1;3,00;Kart\n"
                            "A-2;08.03.2024;Eva;;Bonn;0228 2;;SKU-3;4;10;Stk\n");
    /* turn the UTF-8 test text into Windows-1252 bytes */
    char *t = dg_test_read_file(in, NULL), *o = t;
    for (unsigned char *p = (unsigned char *)t; *p; p++) {
        if (*p == 0xC3) {
            *o++ = (char)(p[1] + 0x40);
            p++;
        } else if (*p == 0xE2 && p[1] == 0x82 && p[2] == 0xAC) {
            *o++ = (char)0x80;
            p += 2;
        } else {
            *o++ = (char)*p;
        }
    }
    *o = '\0';
    in = write_tmp("eu1252.csv", t);
    free(t);
    doc_list l = {0};
    dg_error err = {0};
    if (dg_map_read_file(m, in, list_sink, &l, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(l.n, 2);
    dg_order *a = &l.docs[0]->u.order;
    assert_string_equal(a->order_number, "A-1");
    assert_string_equal(a->order_date, "2024-03-07");
    assert_string_equal(a->ship_to.name, "Jürgen Groß"); /* joined, converted to UTF-8 */
    assert_string_equal(a->ship_to.city, "KöLN");        /* ASCII upper-casing only */
    assert_string_equal(a->ship_to.phone, "+49 221 1");  /* first_of skips the empty one */
    assert_int_equal(a->n_lines, 2);
    DEC_EQ(a->lines[0].quantity, "2.5");
    DEC_EQ(a->lines[0].unit_price, "1234.5");
    assert_string_equal(a->lines[1].uom, "CA");
    assert_string_equal(a->lines[1].line_number, "2");
    assert_string_equal(l.docs[1]->u.order.ship_to.phone, "0228 2");
    assert_int_equal(l.docs[0]->source.position, 3);
    list_free(&l);

    /* a code that is not in a strict table names the rule and the row */
    const char *bad = write_tmp("bad.csv", "x\ny\nA-1;07.03.2024;A;B;C;;;SKU;1;1;Pal\n");
    assert_int_equal(dg_map_read_file(m, bad, list_sink, &l, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "rule 'uom': code 'Pal' is not in table 'uom'"));
    assert_non_null(strstr(err.msg, "row 3"));
    list_free(&l);
    dg_map_free(m);
}

static void csv_outbound_options(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/x12-850-in.yaml", "samples/mapping/po-850.edi", &l);
    dg_mapping *m = load_text("direction: out\ndocument: order\nformat: csv\n"
                              "csv: {delimiter: \";\", each: lines, line_end: crlf}\n"
                              "columns:\n"
                              "  - {header: PO, value: \"PO-{order_number|lower}\"}\n"
                              "  - {header: Line, value: \"{index}/{count:lines}\"}\n"
                              "  - {header: Date, value: \"{order_date|date:DD.MM.YYYY}\"}\n"
                              "  - {header: Qty, value: \"{quantity|places:2}\"}\n"
                              "  - {header: Desc, value: \"{description|max:8}\"}\n"
                              "  - {header: Note, value: \"{notes}\", when: notes}\n");
    dg_buf out = DG_BUF_INIT;
    dg_error err = {0};
    assert_int_equal(dg_map_write(m, l.docs, l.n, NULL, &out, &err), 0);
    assert_string_equal(out.data,
                        "PO;Line;Date;Qty;Desc;Note\r\n"
                        "PO-po-50001;1/2;01.03.2024;2.00;Blue Mug;Leave at door, thanks\r\n"
                        "PO-po-50001;2/2;01.03.2024;1.00;Pour-Ove;Leave at door, thanks\r\n"
                        "PO-po-50002;1/2;02.03.2024;1.00;Espresso;\r\n"
                        "PO-po-50002;2/2;02.03.2024;3.00;;\r\n");
    dg_buf_free(&out);
    dg_map_free(m);
    list_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(headerless_european_latin1),
        cmocka_unit_test(csv_outbound_options),
    };
    return cmocka_run_group_tests(tests, maptest_setup, maptest_teardown);
}
