/* CSV mappings: the storefront order export (grouping rows into orders, transforms) and the
 * errors a partner engineer must be able to act on (required field, bad date, short row...). */
#include "maptest.h"

#include "core/fs.h"

static void storefront_orders(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/storefront-orders-csv-in.yaml", "samples/mapping/storefront-orders.csv", &l);
    assert_int_equal(l.n, 3);
    dg_order *o = &l.docs[0]->u.order;
    assert_string_equal(o->order_number, "1001");
    assert_string_equal(o->order_date, "2024-03-01");
    assert_string_equal(o->ship_to.name, "Ana Lopez");
    assert_string_equal(o->ship_to.postal_code, "78701");
    assert_string_equal(o->notes, "Leave at door, thanks");
    assert_int_equal(o->n_lines, 2);
    assert_string_equal(o->lines[0].vendor_sku, "MUG-BLU-12");
    DEC_EQ(o->lines[0].quantity, "2");
    DEC_EQ(o->lines[0].unit_price, "12.99");
    assert_string_equal(o->lines[1].vendor_sku, "KET-1L");
    assert_string_equal(o->lines[1].description, "Pour-Over Kettle, 1L");
    assert_string_equal(o->lines[1].line_number, "2");
    o = &l.docs[1]->u.order;
    assert_string_equal(o->currency, "USD");              /* "usd" upper-cased */
    assert_string_equal(o->ship_to.postal_code, "02134"); /* leading ' stripped */
    assert_string_equal(o->ship_to.country, "US");        /* "United States" via the code table */
    DEC_EQ(o->lines[0].unit_price, "1250");               /* "1,250.00" */
    DEC_EQ(o->total, "1250");
    o = &l.docs[2]->u.order;
    assert_string_equal(o->ship_to.city, "Montréal");
    assert_string_equal(o->ship_to.country, "CA");
    assert_int_equal(l.docs[2]->source.position, 5);
    list_free(&l);
}

static const char *hdr =
    "Name,Email,Financial Status,Currency,Subtotal,Shipping,Taxes,Total,Shipping Method,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Shipping Name,"
    "Shipping Company,Shipping Address1,Shipping Address2,Shipping City,Shipping Zip,"
    "Shipping Province,Shipping Country,Shipping Phone,Notes\n";

/* A storefront row: order name, created at, quantity, sku, ship-to name. */
static void row(dg_buf *b, const char *name, const char *date, const char *qty, const char *sku,
                const char *ship_name)
{
    dg_buf_printf(
        b, "%s,a@b.c,paid,USD,1,0,0,1,Std,%s,%s,Thing,1.00,%s,%s,,1 St,,Town,12345,TX,US,,\n", name,
        date, qty, sku, ship_name);
}

static void missing_required_field_names_rule_and_row(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, hdr);
    row(&b, "#1", "2024-01-02", "1", "SKU1", "Al");
    row(&b, "#1", "2024-01-02", "2", "", "");
    const char *in = write_tmp("missing.csv", b.data);
    dg_error err = {0};
    assert_int_equal(read_fail(dg_test_path("mappings/storefront-orders-csv-in.yaml"), in, &err),
                     DG_EMAP);
    assert_non_null(strstr(err.msg, "storefront-orders-csv-in.yaml:"));
    assert_non_null(strstr(err.msg, "rule 'lines[].vendor_sku': required field missing"));
    assert_non_null(strstr(err.msg, "row 3"));
    dg_buf_free(&b);
}

static void wrong_date(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, hdr);
    row(&b, "#1", "2024-13-45 10:00:00", "1", "SKU1", "Al");
    dg_error err = {0};
    assert_int_equal(read_fail(dg_test_path("mappings/storefront-orders-csv-in.yaml"),
                               write_tmp("date.csv", b.data), &err),
                     DG_EMAP);
    assert_non_null(strstr(err.msg, "rule 'order_date': '2024-13-45 10:00:00' is not a date"));
    assert_non_null(strstr(err.msg, "row 2"));
    dg_buf_free(&b);
}

static void short_row_and_bad_number(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    dg_buf_puts(&b, hdr);
    row(&b, "#1", "2024-01-02", "1", "SKU1", "Al");
    dg_buf_puts(&b, "#2,a@b.c,paid\n");
    dg_error err = {0};
    assert_int_equal(read_fail(dg_test_path("mappings/storefront-orders-csv-in.yaml"),
                               write_tmp("short.csv", b.data), &err),
                     DG_EMAP);
    assert_non_null(strstr(err.msg, "row 3 has 3 columns, the header has 24"));
    dg_buf_clear(&b);
    dg_buf_puts(&b, hdr);
    row(&b, "#1", "2024-01-02", "two", "SKU1", "Al");
    assert_int_equal(read_fail(dg_test_path("mappings/storefront-orders-csv-in.yaml"),
                               write_tmp("num.csv", b.data), &err),
                     DG_EMAP);
    assert_non_null(strstr(err.msg, "rule 'lines[].quantity': 'two' is not a number"));
    dg_buf_free(&b);
}

static void unknown_column(void **state)
{
    (void)state;
    const char *in = write_tmp("cols.csv", "Name,Created at,Currency\n#1,2024-01-01,USD\n");
    dg_error err = {0};
    assert_int_equal(read_fail(dg_test_path("mappings/storefront-orders-csv-in.yaml"), in, &err),
                     DG_EMAP);
    assert_non_null(
        strstr(err.msg, "rule 'ship_to.email': column 'Email' is not in the file's header"));
}

static void bad_mappings_name_file_and_line(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *expect;
    } cases[] = {
        {"direction: in\ndocument: order\nformat: csv\nfields:\n  - target: ship_to.planet\n    "
         "source: A\n",
         "bad.yaml:5: unknown document field 'ship_to.planet'"},
        {"direction: in\ndocument: order\nformat: csv\nfields:\n  - target: order_number\n    "
         "sorce: A\n",
         "bad.yaml:6: unknown key 'sorce' in rule"},
        {"direction: in\ndocument: order\nformat: csv\nfields:\n  - target: order_date\n    "
         "source: A\n    date: JULIAN\n",
         "bad.yaml:7: unknown date format 'JULIAN'"},
        {"direction: in\ndocument: order\nformat: csv\nfields:\n  - target: currency\n    source: "
         "A\n    table: money\n",
         "unknown table 'money'"},
        {"direction: sideways\ndocument: order\nformat: csv\n", "'direction' must be in or out"},
        {"direction: in\ndocument: order\nformat: csv\ngroups:\n  - target: widgets\n",
         "bad.yaml:5: group 'target'"},
        {"direction: out\ndocument: order\nformat: csv\ncolumns:\n  - header: A\n    value: "
         "\"{ship_to.planet}\"\n",
         "bad.yaml:6: unknown order field 'ship_to.planet'"},
        {"direction: out\ndocument: order\nformat: csv\ncolumns:\n  - header: A\n    value: "
         "\"{quantity}\"\n",
         "only available inside 'each: lines'"},
        {"direction: out\ndocument: order\nformat: csv\ncolumns:\n  - header: A\n    value: "
         "\"{order_number|shout}\"\n",
         "unknown transform 'shout'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dg_mapping *m = NULL;
        dg_error err = {0};
        assert_int_equal(dg_map_load(write_tmp("bad.yaml", cases[i].yaml), &m, &err), DG_ECONFIG);
        assert_null(m);
        if (!strstr(err.msg, cases[i].expect))
            fail_msg("case %zu: '%s' does not contain '%s'", i, err.msg, cases[i].expect);
    }
}

/* ---- plain rules ---------------------------------------------------------------------------- */

typedef struct read_out {
    doc_list docs;
    dg_buf why; /* each failed document's reason, one a line */
} read_out;

static int out_doc(void *ctx, dg_doc *doc, dg_error *err)
{
    return list_sink(&((read_out *)ctx)->docs, doc, err);
}

static int out_why(void *ctx, const dg_map_outcome *o, dg_error *err)
{
    (void)err;
    dg_buf_printf(&((read_out *)ctx)->why, "%ld: %s\n", o->position, o->reason);
    return 0;
}

/* Plain rules (one column into a text field, no transform but trim) are set inline by
 * map_apply_in, the rest by the general engine; at the edges both give what the rule says:
 * blanks around a value go (tab and CR too), a blank value takes the default or fails when
 * required, trim: false keeps the blanks, exactly max_bytes passes and a byte more fails. */
static void plain_rules_at_the_edges(void **state)
{
    (void)state;
    const char *map =
        write_tmp("plain.yaml", "direction: in\ndocument: order\nformat: csv\n"
                                "csv: {group_by: id}\nfields:\n"
                                "  - {target: order_number, source: id}\n"
                                "  - {target: notes, source: a}\n"
                                "  - {target: carrier, source: b, default: NONE}\n"
                                "  - {target: customer_order_number, source: c, required: true}\n"
                                "  - {target: currency, source: d, trim: false}\n"
                                "  - {target: service_level, source: e, max_bytes: 5}\n");
    const char *in = write_tmp("plain.csv", "id,a,b,c,d,e\n"
                                            "1,\" \tx y\r \",\"  \",c1,\"  d \",12345\n"
                                            "2,a,b,\"   \",d,1\n"
                                            "3,a,,c3,,123456\n");
    dg_mapping *m = load_map(map);
    read_out r = {{{0}, 0}, DG_BUF_INIT};
    dg_error err = {0};
    assert_int_equal(dg_map_read_each(m, in, out_doc, out_why, &r, &err), 0);
    assert_int_equal(r.docs.n, 1);
    dg_order *o = &r.docs.docs[0]->u.order;
    assert_string_equal(o->order_number, "1");
    assert_string_equal(o->notes, "x y");
    assert_string_equal(o->carrier, "NONE");
    assert_string_equal(o->customer_order_number, "c1");
    assert_string_equal(o->currency, "  d ");
    assert_string_equal(o->service_level, "12345");
    assert_non_null(r.why.data);
    assert_non_null(strstr(r.why.data, "rule 'customer_order_number'"));
    assert_non_null(strstr(r.why.data, "required field missing"));
    assert_non_null(strstr(r.why.data, "rule 'service_level'"));
    assert_non_null(strstr(r.why.data, "value is 6 bytes, longer than the 5 allowed"));
    list_free(&r.docs);
    dg_buf_free(&r.why);
    dg_map_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(storefront_orders),
        cmocka_unit_test(missing_required_field_names_rule_and_row),
        cmocka_unit_test(wrong_date),
        cmocka_unit_test(short_row_and_bad_number),
        cmocka_unit_test(unknown_column),
        cmocka_unit_test(bad_mappings_name_file_and_line),
        cmocka_unit_test(plain_rules_at_the_edges),
    };
    return cmocka_run_group_tests(tests, maptest_setup, maptest_teardown);
}
