/* Every shipped mapping: it loads, the mappings etc/partners names exist, and each runs on
 * its sample (and the shared corpus where one fits) with the values asserted; plus XML inputs
 * the mapping cannot handle (malformed, missing required element). */
#include "maptest.h"

#include <dirent.h>

static void all_mappings_load(void **state)
{
    (void)state;
    DIR *d = opendir(dg_test_path("mappings"));
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".yaml"))
            continue;
        char rel[512];
        snprintf(rel, sizeof rel, "mappings/%s", e->d_name);
        dg_mapping *m = load_map(rel); /* fails the test with the loader's message */
        assert_non_null(dg_map_format(m));
        dg_map_free(m);
        n++;
    }
    closedir(d);
    assert_true(n >= 24);
}

/* The partner files refer to mappings by name: each must exist and load in its direction. */
static void partner_mappings_exist(void **state)
{
    (void)state;
    DIR *d = opendir(dg_test_path("etc/partners"));
    if (!d) {
        print_message("SKIP partner_mappings_exist: no etc/partners\n");
        skip();
    }
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strstr(e->d_name, ".yaml"))
            continue;
        char rel[512];
        snprintf(rel, sizeof rel, "etc/partners/%s", e->d_name);
        char *text = dg_test_read_file(dg_test_path(rel), NULL);
        assert_non_null(text);
        for (char *p = text; (p = strstr(p, "mapping: "));) {
            p += 9;
            char name[256];
            size_t k = 0;
            while (p[k] && p[k] != '\n' && p[k] != ' ' && p[k] != '#' && k < sizeof name - 1)
                k++;
            memcpy(name, p, k);
            name[k] = '\0';
            if (!strncmp(name, "mappings/", 9)) {
                dg_mapping *m = load_map(name); /* fails the test when missing or broken */
                dg_map_free(m);
                n++;
            }
        }
        free(text);
    }
    closedir(d);
    assert_true(n >= 5);
}

static void csv_samples(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/tracking-csv-in.yaml", "samples/mapping/tracking.csv", &l);
    assert_int_equal(l.n, 2);
    dg_shipment *s = &l.docs[0]->u.shipment;
    assert_string_equal(s->po_number, "PO-50001");
    assert_string_equal(s->carrier, "UPSN"); /* "UPS" through the carriers table */
    assert_int_equal(s->n_packages, 1);      /* two rows, one tracking number */
    assert_string_equal(s->packages[0].tracking_number, "1Z999AA10123456784");
    assert_int_equal(s->n_items, 2);
    assert_string_equal(s->items[1].vendor_sku, "KET-1L");
    s = &l.docs[1]->u.shipment;
    assert_int_equal(s->n_packages, 2);
    assert_string_equal(s->packages[1].tracking_number, "9400110200881234567891");
    assert_string_equal(s->items[1].package_id, "9400110200881234567891");
    list_free(&l);

    read_ok("mappings/invoice-csv-in.yaml", "samples/mapping/invoice.csv", &l);
    assert_int_equal(l.n, 2);
    dg_invoice *v = &l.docs[0]->u.invoice;
    assert_string_equal(v->invoice_number, "INV-7001");
    DEC_EQ(v->total, "39.05");
    assert_int_equal(v->n_lines, 2);
    DEC_EQ(v->lines[0].unit_price, "4.1");
    assert_int_equal(v->n_charges, 2); /* header charges once, not once per row */
    assert_string_equal(v->charges[1].code, "DROPSHIP_FEE");
    DEC_EQ(l.docs[1]->u.invoice.tax, "51.2");
    DEC_EQ(l.docs[1]->u.invoice.total, "691.2");
    list_free(&l);

    read_ok("mappings/inventory-csv-in.yaml", "samples/mapping/inventory.csv", &l);
    assert_int_equal(l.n, 1);
    dg_stock *k = &l.docs[0]->u.stock;
    assert_int_equal(k->n_items, 3);
    DEC_EQ(k->items[0].cost, "4.1");  /* "$4.10" */
    DEC_EQ(k->items[2].msrp, "1250"); /* "1,250.00" */
    assert_string_equal(k->items[1].available_date, "2024-03-20");
    list_free(&l);
}

/* The corpus holds the same PO as a flat CSV and as an 850: both mappings agree. */
static void corpus_csv_matches_x12(void **state)
{
    (void)state;
    const char *dir = dg_test_corpus_dir();
    if (!dir) {
        print_message("SKIP corpus_csv_matches_x12: ../shared/corpus not found\n");
        skip();
    }
    char csv[2048], edi[2048];
    snprintf(csv, sizeof csv, "%s/csv/edifabric-PurchaseOrder.csv", dir);
    snprintf(edi, sizeof edi, "%s/x12/850/edifabric-PurchaseOrderCSV.edi", dir);
    doc_list a = {0}, b = {0};
    read_ok("mappings/po-flat-csv-in.yaml", csv, &a);
    read_ok("mappings/x12-850-in.yaml", edi, &b);
    assert_int_equal(a.n, 1);
    assert_int_equal(b.n, 1);
    dg_order *x = &a.docs[0]->u.order, *y = &b.docs[0]->u.order;
    assert_string_equal(x->order_number, "10000234500");
    assert_string_equal(x->order_number, y->order_number);
    assert_string_equal(x->order_date, y->order_date);
    assert_string_equal(x->ship_to.name, y->ship_to.name);
    assert_string_equal(x->ship_to.postal_code, "43200");
    assert_int_equal(x->n_lines, y->n_lines);
    assert_true(x->n_lines >= 4);
    for (size_t i = 0; i < x->n_lines; i++) {
        assert_string_equal(x->lines[i].gtin, y->lines[i].gtin);
        assert_int_equal(x->lines[i].quantity.v, y->lines[i].quantity.v);
        assert_int_equal(x->lines[i].unit_price.v, y->lines[i].unit_price.v);
    }
    list_free(&a);
    list_free(&b);
}

static void xml_samples(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/order-xml-in.yaml", "samples/mapping/orders.xml", &l);
    assert_int_equal(l.n, 2);
    dg_order *o = &l.docs[0]->u.order;
    assert_string_equal(o->order_number, "WEB-2001");
    assert_string_equal(o->currency, "USD");
    assert_string_equal(o->ship_to.name, "Dana Whitfield");
    assert_string_equal(o->ship_to.country, "US"); /* USA via the countries table */
    assert_string_equal(o->carrier, "FDEG");
    assert_string_equal(o->lines[0].vendor_sku, "MUG-BLU-12");
    DEC_EQ(o->lines[0].quantity, "3");
    DEC_EQ(o->lines[0].unit_price, "12.99");
    o = &l.docs[1]->u.order;
    assert_int_equal(o->n_lines, 2);
    assert_string_equal(o->lines[1].uom, "BX");
    list_free(&l);

    const char *dir = dg_test_corpus_dir();
    if (!dir) {
        print_message("SKIP corpus part of xml_samples: ../shared/corpus not found\n");
        return;
    }
    char path[2048];
    snprintf(path, sizeof path, "%s/xml/shipstation-custom-store-orders.xml", dir);
    read_ok("mappings/shipstation-orders-xml-in.yaml", path, &l);
    assert_int_equal(l.n, 1);
    o = &l.docs[0]->u.order;
    assert_string_equal(o->order_number, "ABC123");
    assert_string_equal(o->order_date, "2011-12-08");
    assert_string_equal(o->ship_to.city, "Washington");
    assert_string_equal(o->ship_to.postal_code, "20500");
    assert_int_equal(o->n_lines, 1); /* the $10 OFF adjustment is not a line */
    assert_string_equal(o->lines[0].vendor_sku, "FD88821");
    DEC_EQ(o->lines[0].quantity, "2");
    DEC_EQ(o->lines[0].unit_price, "13.99");
    list_free(&l);
}

/* An 850 serialised as translator XML and the same 850 as X12 give the same canonical order;
 * the ECi STG order XML maps its typed references. */
static void corpus_xml_orders(void **state)
{
    (void)state;
    const char *dir = dg_test_corpus_dir();
    if (!dir) {
        print_message("SKIP corpus_xml_orders: ../shared/corpus not found\n");
        skip();
    }
    char xml[2048], edi[2048];
    snprintf(xml, sizeof xml, "%s/xml/edifabric-PurchaseOrder-TS850.xml", dir);
    snprintf(edi, sizeof edi, "%s/x12/850/edifabric-PurchaseOrder.edi", dir);
    doc_list a = {0}, b = {0};
    read_ok("mappings/x12xml-850-in.yaml", xml, &a);
    read_ok("mappings/x12-850-in.yaml", edi, &b);
    assert_int_equal(a.n, 1);
    assert_string_equal(a.docs[0]->u.order.order_number, "XX-1234");
    assert_string_equal(a.docs[0]->u.order.buyer.name, "ABC AEROSPACE");
    assert_string_equal(a.docs[0]->u.order.lines[0].vendor_sku, "XYZ-1234"); /* MG */
    char *ja = body_json(a.docs[0]), *jb = body_json(b.docs[0]);
    assert_string_equal(ja, jb);
    free(ja);
    free(jb);
    list_free(&a);
    list_free(&b);

    snprintf(xml, sizeof xml, "%s/xml/ecistg-order-1.5.0-currency-request.xml", dir);
    read_ok("mappings/eci-order-xml-in.yaml", xml, &a);
    assert_int_equal(a.n, 1);
    dg_order *o = &a.docs[0]->u.order;
    assert_string_equal(o->order_number, "PO-2159403-2");
    assert_string_equal(o->customer_order_number, "PO-abc-q");
    assert_string_equal(o->currency, "DKK");
    assert_string_equal(o->ship_to.name, "Jane Doe");
    assert_string_equal(o->ship_to.address2, "Suite #200");
    assert_string_equal(o->ship_to.postal_code, "84604");
    assert_string_equal(o->lines[0].vendor_sku, "abc-123");
    DEC_EQ(o->lines[0].quantity, "24");
    DEC_EQ(o->lines[0].unit_price, "24.95");
    list_free(&a);
}

static void xml_errors(void **state)
{
    (void)state;
    const char *map = dg_test_path("mappings/order-xml-in.yaml");
    dg_error err = {0};
    const char *bad = write_tmp(
        "bad.xml", "<Orders xmlns=\"urn:dropgate:order:1\"><Order><OrderNumber>1</Order>\n");
    int rc = read_fail(map, bad, &err);
    assert_true(rc == DG_EPARSE || rc == DG_EMAP);
    assert_non_null(strstr(err.msg, "bad.xml"));
    const char *noline =
        write_tmp("miss.xml",
                  "<Orders xmlns=\"urn:dropgate:order:1\">\n<Order>\n<OrderNumber>7</OrderNumber>\n"
                  "<OrderDate>2024-13-01</OrderDate>\n</Order>\n</Orders>\n");
    assert_int_equal(read_fail(map, noline, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "rule 'order_date'"));
    assert_non_null(strstr(err.msg, "not a date"));
    assert_non_null(strstr(err.msg, "line 2"));
    const char *wrongns =
        write_tmp("ns.xml", "<Orders><Order><OrderNumber>7</OrderNumber></Order></Orders>\n");
    assert_int_equal(read_fail(map, wrongns, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "no element matches documents"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_mappings_load), cmocka_unit_test(partner_mappings_exist),
        cmocka_unit_test(csv_samples),       cmocka_unit_test(corpus_csv_matches_x12),
        cmocka_unit_test(xml_samples),       cmocka_unit_test(corpus_xml_orders),
        cmocka_unit_test(xml_errors),
    };
    return cmocka_run_group_tests(tests, maptest_setup, maptest_teardown);
}
