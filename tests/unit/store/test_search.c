/* `dropgate search` in the store (dg_store_search), on both backends (store tests also run as
 * *_pg): a document found by its control numbers is named by the business number inside its
 * canonical JSON (order number, shipment id, invoice number), read with each backend's own JSON
 * function (SQLite json_extract, PostgreSQL jsonb #>>); a document without JSON (one the mapping
 * could not read) is found too; files by name and SHA-256 prefix. */
#include "pgtest.h"
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

static dg_store *open_mem(void)
{
    dg_store *s = NULL;
    dg_error err = {0};
    assert_int_equal(dg_store_open(dg_test_store_location(":memory:"), &s, &err), 0);
    return s;
}

static const char *str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* The hits for text, "kind key matched" each, joined by "; " in the order found. */
static const char *hits(dg_store *s, const char *text)
{
    static char buf[2048];
    json_t *h = NULL;
    dg_error err = {0};
    if (dg_store_search(s, text, &h, &err))
        fail_msg("search %s: %s", text, err.msg);
    buf[0] = '\0';
    size_t i;
    json_t *r;
    json_array_foreach(h, i, r)
    {
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof buf - len, "%s%s %s %s", len ? "; " : "", str(r, "kind"),
                 str(r, "key"), str(r, "matched"));
    }
    json_decref(h);
    return buf;
}

static void documents_by_their_json(void **state)
{
    (void)state;
    dg_store *s = open_mem();
    dg_error err = {0};
    int64_t f = 0, d = 0;
    const char sha[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    assert_int_equal(dg_store_file_add(s, sha, "nw", "in", "ASN_1.edi", 10, &f, &err), 0);
    assert_int_equal(dg_store_document_add(s, "shipment", "nw", f, 1, "000004801", "4901", "0001",
                                           "{\"source\":{},\"shipment\":{\"shipment_id\":"
                                           "\"SH-9\",\"items\":[]}}",
                                           "APPLIED", &d, &err),
                     0);
    assert_int_equal(dg_store_document_add(s, "invoice", "nw", f, 2, "000004801", "4902", "0002",
                                           "{\"source\":{},\"invoice\":{\"invoice_number\":"
                                           "\"INV-7\",\"lines\":[]}}",
                                           "APPLIED", &d, &err),
                     0);
    assert_int_equal(dg_store_document_add(s, "order", "shop", f, 3, "000004802", "77", "0003",
                                           "{\"source\":{},\"order\":{\"order_number\":\"1001\","
                                           "\"lines\":[]}}",
                                           "APPLIED", &d, &err),
                     0);
    /* no JSON: a document the mapping could not read, found by its control number */
    assert_int_equal(dg_store_document_add(s, "order", "shop", f, 4, "000004803", "78", "0004",
                                           NULL, "FAILED", &d, &err),
                     0);
    /* the ISA13 as sent and without its zeros; the GS06 of one set */
    assert_string_equal(hits(s, "000004801"),
                        "document shipment:SH-9 isa13; document invoice:INV-7 isa13");
    assert_string_equal(hits(s, "4801"),
                        "document shipment:SH-9 isa13; document invoice:INV-7 isa13");
    assert_string_equal(hits(s, "4902"), "document invoice:INV-7 gs06");
    assert_string_equal(hits(s, "77"), "document order:1001 gs06");
    assert_string_equal(hits(s, "000004803"), "document order isa13");
    /* files by name and by a SHA-256 prefix in any case */
    assert_string_equal(hits(s, "ASN_1.edi"), "file ASN_1.edi file_name");
    assert_string_equal(hits(s, "0123456789ABCDEF"), "file ASN_1.edi sha256");
    assert_string_equal(hits(s, "nothing-here"), "");
    dg_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(documents_by_their_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
