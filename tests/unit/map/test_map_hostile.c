/* Hostile storefront and partner input through the mapping engine: spreadsheet formulas in
 * values bound for suppliers' CSV POs, XML entity references that would read as nothing, and
 * values far longer than any real field. */
#include "maptest.h"

#include "csv/csv.h"

static dg_mapping *load_text(const char *yaml)
{
    dg_mapping *m = NULL;
    dg_error err = {0};
    if (dg_map_load(write_tmp("m.yaml", yaml), &m, &err))
        fail_msg("%s", err.msg);
    return m;
}

static const char *hostile_csv =
    "Name,Email,Currency,Total,Shipping Method,Created at,Lineitem quantity,Lineitem name,"
    "Lineitem price,Lineitem sku,Shipping Name,Shipping Company,Shipping Address1,"
    "Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,"
    "Shipping Phone,Notes\n"
    "#2001,a@example.com,USD,10.00,Standard,2024-03-01,-5,\"=HYPERLINK(\"\"http://"
    "x\"\",\"\"y\"\")\","
    "2.00,SKU-1,@SUM(A1:A9),+cmd|' /C calc'!A0,-2+3,\"\tTab\",\"\rCR\",78701,TX,US,"
    "+1 (512) 555-0100,\"-1+cmd|'/c calc'!A1\"\n";

/* Writes the order read from hostile_csv with po-csv-out (one row per line) and returns the
 * data row's cells split on commas outside quotes (malloc'd copy in *row). */
static char *po_row(bool guard)
{
    doc_list l = {0};
    read_ok("mappings/storefront-orders-csv-in.yaml", write_tmp("in.csv", hostile_csv), &l);
    assert_int_equal(l.n, 1);
    char *text = dg_test_read_file(dg_test_path("mappings/po-csv-out.yaml"), NULL);
    if (!guard) {
        char *p = strstr(text, "each: lines");
        assert_non_null(p);
        size_t n = strlen(text) + 64;
        char *t2 = malloc(n);
        snprintf(t2, n, "%.*seach: lines\n  escape_formulas: false%s", (int)(p - text), text,
                 p + strlen("each: lines"));
        free(text);
        text = t2;
    }
    dg_mapping *m = load_text(text);
    free(text);
    dg_buf out = DG_BUF_INIT;
    dg_error err = {0};
    dg_map_envelope env = {0};
    if (dg_map_write(m, l.docs, l.n, &env, &out, &err))
        fail_msg("%s", err.msg);
    dg_map_free(m);
    list_free(&l);
    char *row = strdup(strchr(out.data, '\n') + 1);
    dg_buf_free(&out);
    return row;
}

static void csv_formulas_neutralised(void **state)
{
    (void)state;
    char *row = po_row(true);
    /* text that a spreadsheet would run gets a leading quote */
    assert_non_null(strstr(row, ",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","));
    assert_non_null(strstr(row, ",'@SUM(A1:A9),"));
    assert_non_null(strstr(row, ",'+cmd|' /C calc'!A0,"));
    assert_non_null(strstr(row, ",'-1+cmd|'/c calc'!A1"));
    /* numbers stay numbers, phone numbers and harmless arithmetic keep their text */
    assert_non_null(strstr(row, ",-5,"));
    assert_non_null(strstr(row, ",+1 (512) 555-0100,"));
    assert_non_null(strstr(row, ",-2+3,"));
    assert_null(strstr(row, ",'-5,"));
    assert_null(strstr(row, ",=HYPERLINK"));
    free(row);
}

static void csv_formula_guard_can_be_turned_off(void **state)
{
    (void)state;
    char *row = po_row(false);
    assert_non_null(strstr(row, ",\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","));
    assert_non_null(strstr(row, ",@SUM(A1:A9),"));
    assert_null(strstr(row, "'@SUM"));
    free(row);
}

static const char *xml_map = "direction: in\ndocument: order\nformat: xml\n"
                             "xml: {documents: /Orders/Order}\n"
                             "fields:\n"
                             "  - {target: order_number, source: N, required: true}\n"
                             "  - {target: ship_to.name, source: Name}\n"
                             "  - {target: ship_to.company, source: \"@co\"}\n";

static void xml_entities(void **state)
{
    (void)state;
    dg_mapping *m = load_text(xml_map);
    doc_list l = {0};
    dg_error err = {0};
    /* predefined, character and internal entities are read as their text */
    const char *ok = write_tmp("ok.xml", "<?xml version=\"1.0\"?>\n"
                                         "<!DOCTYPE Orders [<!ENTITY co \"ACME\">]>\n"
                                         "<Orders><Order><N>A&amp;&lt;&#66;</N>\n"
                                         "<Name>&co; Inc</Name></Order></Orders>\n");
    assert_int_equal(dg_map_read_file(m, ok, list_sink, &l, &err), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.docs[0]->u.order.order_number, "A&<B");
    assert_string_equal(l.docs[0]->u.order.ship_to.name, "ACME Inc");
    list_free(&l);
    /* an external entity is an error naming it and its line, not an empty value */
    const char *ext =
        write_tmp("ext.xml", "<?xml version=\"1.0\"?>\n"
                             "<!DOCTYPE Orders [<!ENTITY xxe SYSTEM \"file:///etc/hostname\">]>\n"
                             "<Orders><Order><N>1</N>\n<Name>x &xxe; y</Name></Order></Orders>\n");
    assert_int_equal(dg_map_read_file(m, ext, list_sink, &l, &err), DG_EPARSE);
    assert_int_equal(l.n, 0);
    assert_non_null(strstr(err.msg, "&xxe;"));
    assert_non_null(strstr(err.msg, "external"));
    assert_non_null(strstr(err.msg, "ext.xml:4"));
    /* an undefined one (allowed by libxml2 when the DTD is external) too, also in attributes */
    const char *und = write_tmp("und.xml", "<!DOCTYPE Orders SYSTEM \"orders.dtd\">\n"
                                           "<Orders><Order co=\"&nope;\"><N>1</N></Order>"
                                           "</Orders>\n");
    assert_int_equal(dg_map_read_file(m, und, list_sink, &l, &err), DG_EPARSE);
    assert_int_equal(l.n, 0);
    assert_non_null(strstr(err.msg, "&nope;"));
    assert_non_null(strstr(err.msg, "not defined"));
    dg_map_free(m);
}

/* XML is read one child of the root at a time: a header child holding no document stays for
 * the rules that point at it, documents nested deeper are found, none is read twice, and a
 * mapping whose document is the root element reads the whole file as one. */
static void xml_streamed_children(void **state)
{
    (void)state;
    dg_mapping *m = load_text("direction: in\ndocument: order\nformat: xml\n"
                              "xml: {documents: //Order}\n"
                              "fields:\n"
                              "  - {target: order_number, source: N, required: true}\n"
                              "  - {target: notes, source: /Orders/Header/Batch}\n"
                              "  - {target: currency, source: ../@cur}\n");
    const char *in = write_tmp("h.xml", "<Orders><Header><Batch>B7</Batch></Header>\n"
                                        "<Order><N>1</N></Order>\n"
                                        "<Group cur=\"EUR\"><Order><N>2</N></Order>"
                                        "<Order><N>3</N></Order></Group>\n"
                                        "<Order><N>4</N></Order></Orders>\n");
    doc_list l = {0};
    dg_error err = {0};
    assert_int_equal(dg_map_read_file(m, in, list_sink, &l, &err), 0);
    assert_int_equal(l.n, 4);
    for (size_t i = 0; i < 4; i++) {
        char want[4];
        snprintf(want, sizeof want, "%zu", i + 1);
        assert_string_equal(l.docs[i]->u.order.order_number, want);
        assert_string_equal(l.docs[i]->u.order.notes, "B7");
    }
    assert_string_equal(l.docs[1]->u.order.currency, "EUR");
    assert_null(l.docs[0]->u.order.currency);
    list_free(&l);
    dg_map_free(m);
    m = load_text("direction: in\ndocument: order\nformat: xml\n"
                  "xml: {documents: /order}\n"
                  "fields:\n"
                  "  - {target: order_number, source: n, required: true}\n"
                  "groups:\n  - target: lines\n    each: line\n    fields:\n"
                  "      - {target: vendor_sku, source: sku}\n");
    in = write_tmp("w.xml", "<order><line><sku>A</sku></line><n>9</n><line><sku>B</sku>"
                            "</line></order>");
    assert_int_equal(dg_map_read_file(m, in, list_sink, &l, &err), 0);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.docs[0]->u.order.order_number, "9");
    assert_int_equal(l.docs[0]->u.order.n_lines, 2);
    list_free(&l);
    /* malformed after the documents: still an error, nothing half-read */
    in = write_tmp("t.xml", "<order><n>9</n></order><extra/>");
    assert_int_equal(dg_map_read_file(m, in, list_sink, &l, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "t.xml:1: malformed XML"));
    list_free(&l);
    dg_map_free(m);
}

/* A value longer than the rule's cap (4 KiB by default) is an error naming the rule and row,
 * not a 10 MB ship-to name in the store and the supplier's PO; max_bytes moves the cap. */
static void field_length_cap(void **state)
{
    (void)state;
    size_t n = 10u << 20;
    char *name = malloc(n + 1);
    memset(name, 'N', n);
    name[n] = '\0';
    const char *hdr = "Name,Created at,Shipping Name\n";
    dg_buf in = DG_BUF_INIT;
    dg_buf_printf(&in, "%s#1,2024-03-01,%s\n", hdr, name);
    free(name);
    const char *path = write_tmp("long.csv", in.data);
    dg_buf_free(&in);
    const char *map = "direction: in\ndocument: order\nformat: csv\ncsv: {group_by: Name}\n"
                      "fields:\n  - {target: order_number, source: Name}\n"
                      "  - {target: ship_to.name, source: Shipping Name%s}\n";
    char yaml[512];
    snprintf(yaml, sizeof yaml, map, "");
    dg_mapping *m = load_text(yaml);
    doc_list l = {0};
    dg_error err = {0};
    assert_int_equal(dg_map_read_file(m, path, list_sink, &l, &err), DG_EMAP);
    assert_int_equal(l.n, 0);
    assert_non_null(strstr(err.msg, "rule 'ship_to.name'"));
    assert_non_null(strstr(err.msg, "10485760 bytes, longer than the 4096 allowed"));
    assert_non_null(strstr(err.msg, "max_bytes"));
    assert_non_null(strstr(err.msg, "row 2"));
    dg_map_free(m);
    /* the default lets a real long value through; a per-rule max_bytes lowers or raises it */
    char v[5001];
    memset(v, 'v', 5000);
    v[5000] = '\0';
    dg_buf b = DG_BUF_INIT;
    dg_buf_printf(&b, "%s#2,2024-03-01,Ana Lopez\n#3,2024-03-01,%s\n", hdr, v);
    path = write_tmp("mid.csv", b.data);
    dg_buf_free(&b);
    snprintf(yaml, sizeof yaml, map, ", max_bytes: 6000");
    m = load_text(yaml);
    assert_int_equal(dg_map_read_file(m, path, list_sink, &l, &err), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(strlen(l.docs[1]->u.order.ship_to.name), 5000);
    list_free(&l);
    dg_map_free(m);
    snprintf(yaml, sizeof yaml, map, ", max_bytes: 8");
    m = load_text(yaml);
    assert_int_equal(dg_map_read_file(m, path, list_sink, &l, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "9 bytes, longer than the 8 allowed"));
    list_free(&l);
    dg_map_free(m);
    snprintf(yaml, sizeof yaml, map, ", max_bytes: 0");
    dg_mapping *bad = NULL;
    assert_int_equal(dg_map_load(write_tmp("m.yaml", yaml), &bad, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "max_bytes"));
}

/* A record without a line end (a 2 GB file of NULs once took 4 GB) stops at 16 MiB. */
static int count_record(void *ctx, char **f, const size_t *lens, size_t n, long rec, dg_error *e)
{
    (void)f, (void)lens, (void)n, (void)rec, (void)e;
    (*(long *)ctx)++;
    return 0;
}

static void csv_record_cap(void **state)
{
    (void)state;
    size_t n = DG_CSV_MAX_RECORD + (1u << 20);
    char *data = calloc(1, n); /* all NUL, as the probe's file */
    long records = 0;
    dg_error err = {0};
    assert_int_equal(dg_csv_read_buf(data, n, "nul.csv", NULL, count_record, &records, &err),
                     DG_EPARSE);
    assert_non_null(strstr(err.msg, "nul.csv: CSV record 1 is longer than 16 MiB"));
    assert_int_equal(records, 0);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_formulas_neutralised),
        cmocka_unit_test(csv_formula_guard_can_be_turned_off),
        cmocka_unit_test(xml_entities),
        cmocka_unit_test(xml_streamed_children),
        cmocka_unit_test(field_length_cap),
        cmocka_unit_test(csv_record_cap),
    };
    return cmocka_run_group_tests(tests, maptest_setup, maptest_teardown);
}
