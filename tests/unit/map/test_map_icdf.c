/* ICDF (IdoSell's Internet Cross-docking and Dropshipping Format) mappings: the XML cart with and
 * without its order envelope, the CSV cart in its simple and extended form (";"-separated), and
 * the supplier PO round trips out -> in through every ICDF out mapping (the same lines back). */
#include "maptest.h"

static void xml_cart_in_envelope(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/icdf-order-xml-in.yaml", "samples/icdf/cart-order.xml", &l);
    assert_int_equal(l.n, 1);
    dg_order *o = &l.docs[0]->u.order;
    assert_string_equal(o->order_number, "SHOP-20240514-0031");
    assert_string_equal(o->order_date, "2024-05-14");
    assert_string_equal(o->currency, "PLN");
    assert_string_equal(o->ship_to.name, "Anna Kowalska");
    assert_null(o->ship_to.company); /* <company></company> is absent, not "" */
    assert_string_equal(o->ship_to.address1, "ul. Ogrodowa 12/4");
    assert_string_equal(o->ship_to.address2, "klatka B");
    assert_string_equal(o->ship_to.postal_code, "61-821");
    assert_string_equal(o->ship_to.city, "Poznań");
    assert_string_equal(o->ship_to.country, "PL");
    assert_string_equal(o->bill_to.company, "Sklep Ogrodowy Sp. z o.o.");
    assert_string_equal(o->service_level, "Kurier InPost");
    assert_string_equal(o->carrier, "INPOST");
    assert_string_equal(o->notes, "Proszę dzwonić przed dostawą.");
    /* four lines: the set's components (nested products) are not lines of their own */
    assert_int_equal(o->n_lines, 4);
    assert_string_equal(o->lines[0].vendor_sku, "2734"); /* codeType internal */
    assert_null(o->lines[0].gtin);
    assert_string_equal(o->lines[0].comment, "Kolor zielony, jeśli dostępny");
    DEC_EQ(o->lines[0].quantity, "2");
    assert_null(o->lines[1].vendor_sku); /* codeType producer: the manufacturer's code */
    assert_string_equal(o->lines[1].gtin, "5901234123457");
    assert_string_equal(o->lines[1].product_ids, "producer=5901234123457");
    assert_null(o->lines[2].vendor_sku); /* codeType external */
    assert_string_equal(o->lines[2].buyer_sku, "GRD-HOSE-25");
    DEC_EQ(o->lines[2].quantity, "3");
    assert_null(o->lines[2].comment); /* attachments are not a comment */
    assert_string_equal(o->lines[3].vendor_sku, "ZEST-7");
    assert_string_equal(o->lines[3].line_number, "4");
    DEC_EQ(o->lines[3].quantity, "1");
    list_free(&l);
}

static void xml_cart_without_envelope(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/icdf-order-xml-in.yaml", "samples/icdf/cart-products.xml", &l);
    assert_int_equal(l.n, 1);
    dg_order *o = &l.docs[0]->u.order;
    assert_null(o->order_number);
    assert_null(o->ship_to.name);
    assert_int_equal(o->n_lines, 2);
    assert_string_equal(o->lines[0].vendor_sku, "2734");
    DEC_EQ(o->lines[0].quantity, "4");
    assert_string_equal(o->lines[1].vendor_sku, "2740"); /* no codeType: internal */
    DEC_EQ(o->lines[1].quantity, "1.5");
    assert_string_equal(o->lines[1].comment, "Na metry");
    list_free(&l);
}

static void csv_simple_and_extended(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/icdf-order-csv-in.yaml", "samples/icdf/cart-simple.csv", &l);
    assert_int_equal(l.n, 1);
    dg_order *o = &l.docs[0]->u.order;
    assert_int_equal(o->n_lines, 3);
    assert_string_equal(o->lines[0].vendor_sku, "2734");
    assert_string_equal(o->lines[0].comment, "Kolor zielony, jeśli dostępny");
    assert_null(o->lines[1].comment);
    assert_string_equal(o->lines[2].comment, "Wąż 25 m; bez złączek"); /* quoted ';' */
    DEC_EQ(o->lines[2].quantity, "3");
    list_free(&l);
    read_ok("mappings/icdf-order-csv-in.yaml", "samples/icdf/cart-extended.csv", &l);
    assert_int_equal(l.n, 1);
    o = &l.docs[0]->u.order;
    assert_int_equal(o->n_lines, 2);
    assert_string_equal(o->lines[0].vendor_sku, "2734");
    assert_string_equal(o->lines[0].buyer_sku, "SO-2734");              /* external_code */
    assert_string_equal(o->lines[0].gtin, "5901234127349");             /* display_code */
    assert_string_equal(o->lines[0].description, "Konewka 10 l, uniw"); /* name, size */
    assert_string_equal(o->lines[1].description, "Rękawice ogrodowe, XL");
    list_free(&l);
}

static void csv_header_line_and_bad_rows(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/icdf-order-csv-in.yaml",
            write_tmp("header.csv", "SKU;quantity;comments\nA-1;2;x\n"), &l);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.docs[0]->u.order.n_lines, 1); /* the naming line is no product */
    assert_string_equal(l.docs[0]->u.order.lines[0].vendor_sku, "A-1");
    list_free(&l);
    /* a quantity that is not a number is an error naming the rule and the row */
    dg_error err = {0};
    assert_int_equal(read_fail(dg_test_path("mappings/icdf-order-csv-in.yaml"),
                               write_tmp("bad.csv", "A-1;2;\nA-2;two;\n"), &err),
                     DG_EMAP);
    assert_non_null(strstr(err.msg, "quantity"));
    assert_non_null(strstr(err.msg, "row 2"));
}

/* A supplier PO as the flow makes it: supplier codes, a note on one line, the end customer. */
static dg_doc *sample_po(void)
{
    doc_list l = {0};
    read_ok("mappings/icdf-order-xml-in.yaml", "samples/icdf/cart-order.xml", &l);
    assert_int_equal(l.n, 1);
    dg_doc *d = l.docs[0];
    dg_order *o = &d->u.order;
    for (size_t i = 0; i < o->n_lines; i++)
        if (!o->lines[i].vendor_sku)
            o->lines[i].vendor_sku = dg_arena_printf(d->arena, "SUP-%zu", i + 1);
    o->lines[2].description = dg_arena_strdup(d->arena, "Wąż ogrodowy 25 m");
    o->lines[2].buyer_sku = dg_arena_strdup(d->arena, "GRD-HOSE-25");
    return d;
}

static void round_trip(const char *out_map, const char *in_map, const char *name, bool extended)
{
    dg_doc *po = sample_po();
    doc_list b = {0};
    write_read(out_map, &po, 1, in_map, name, &b, NULL);
    assert_int_equal(b.n, 1);
    const dg_order *o1 = &po->u.order, *o2 = &b.docs[0]->u.order;
    assert_int_equal(o1->n_lines, o2->n_lines);
    for (size_t i = 0; i < o1->n_lines; i++) {
        assert_string_equal(o1->lines[i].vendor_sku, o2->lines[i].vendor_sku);
        assert_true(dg_dec_cmp(o1->lines[i].quantity, o2->lines[i].quantity) == 0);
        if (o1->lines[i].comment)
            assert_string_equal(o1->lines[i].comment, o2->lines[i].comment);
        else
            assert_null(o2->lines[i].comment);
        assert_string_equal(o2->lines[i].line_number, o1->lines[i].line_number);
    }
    if (extended) {
        assert_string_equal(o2->lines[2].buyer_sku, "GRD-HOSE-25");
        assert_string_equal(o2->lines[2].description, "Wąż ogrodowy 25 m");
        assert_string_equal(o2->lines[1].gtin, "5901234123457");
    }
    list_free(&b);
    dg_doc_free(po);
}

static void xml_po_round_trip(void **state)
{
    (void)state;
    round_trip("mappings/icdf-order-xml-out.yaml", "mappings/icdf-order-xml-in.yaml", "po.xml",
               false);
    /* the envelope comes back too */
    dg_doc *po = sample_po();
    dg_buf x = DG_BUF_INIT;
    doc_list b = {0};
    write_read("mappings/icdf-order-xml-out.yaml", &po, 1, "mappings/icdf-order-xml-in.yaml",
               "po2.xml", &b, &x);
    assert_non_null(strstr(x.data, "<order id=\"SHOP-20240514-0031\""));
    assert_non_null(strstr(x.data, "codeType=\"internal\" quantity=\"3\""));
    const dg_order *o = &b.docs[0]->u.order;
    assert_string_equal(o->order_number, "SHOP-20240514-0031");
    assert_string_equal(o->ship_to.address2, "klatka B");
    assert_string_equal(o->ship_to.city, "Poznań");
    assert_string_equal(o->bill_to.address1, "ul. Składowa 3");
    assert_string_equal(o->service_level, "Kurier InPost");
    assert_string_equal(o->carrier, "INPOST");
    /* a PO without a ship-to cannot be sent: required, named */
    dg_mapping *out = load_map("mappings/icdf-order-xml-out.yaml");
    dg_error err = {0};
    po->u.order.ship_to.address1 = NULL;
    dg_buf_clear(&x);
    assert_int_equal(dg_map_write(out, &po, 1, NULL, &x, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "ship_to.address1"));
    list_free(&b);
    dg_buf_free(&x);
    dg_map_free(out);
    dg_doc_free(po);
}

static void csv_po_round_trips(void **state)
{
    (void)state;
    round_trip("mappings/icdf-order-csv-out.yaml", "mappings/icdf-order-csv-in.yaml", "po.csv",
               false);
    round_trip("mappings/icdf-order-csv-extended-out.yaml", "mappings/icdf-order-csv-in.yaml",
               "po-ext.csv", true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(xml_cart_in_envelope),    cmocka_unit_test(xml_cart_without_envelope),
        cmocka_unit_test(csv_simple_and_extended), cmocka_unit_test(csv_header_line_and_bad_rows),
        cmocka_unit_test(xml_po_round_trip),       cmocka_unit_test(csv_po_round_trips),
    };
    return cmocka_run_group_tests(tests, maptest_setup, maptest_teardown);
}
