/* Input in UTF-16 or UTF-32 (a spreadsheet's "Unicode text" export) is refused with the encoding
 * named, instead of a misleading complaint about its first row; XML in UTF-16 is read, as XML
 * allows. */
#include "maptest.h"

#include <stdlib.h>

static char *g_tmp;

static int setup(void **state)
{
    (void)state;
    g_tmp = dg_test_tmpdir("map_encoding");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dg_test_rmtree(g_tmp);
    free(g_tmp);
    return 0;
}

typedef enum { U16LE, U16BE, U32LE, U32BE } wide;

/* Writes the (ASCII) sample rel as wide text with its byte-order mark; returns the path. */
static const char *widen(const char *rel, wide w)
{
    static char path[1024];
    size_t len = 0;
    char *text = dg_test_read_file(dg_test_path(rel), &len);
    assert_non_null(text);
    size_t unit = w == U32LE || w == U32BE ? 4 : 2;
    unsigned char *out = calloc(len + 1, unit);
    assert_non_null(out);
    for (size_t i = 0; i <= len; i++) { /* i == 0: the BOM U+FEFF */
        unsigned cp = i == 0 ? 0xFEFFu : (unsigned char)text[i - 1];
        unsigned char *o = out + i * unit;
        for (size_t b = 0; b < unit; b++) {
            size_t shift = (w == U16LE || w == U32LE) ? b : unit - 1 - b;
            o[b] = (unsigned char)(cp >> (8 * shift));
        }
    }
    snprintf(path, sizeof path, "%s/wide-%d", g_tmp, (int)w);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(out, unit, len + 1, f), len + 1);
    fclose(f);
    free(out);
    free(text);
    return path;
}

static void wide_csv_and_x12_name_their_encoding(void **state)
{
    (void)state;
    static const struct {
        const char *map, *sample;
        wide w;
        const char *words;
    } cases[] = {
        {"mappings/storefront-orders-csv-in.yaml", "samples/mapping/storefront-orders.csv", U16LE,
         "is UTF-16LE text"},
        {"mappings/storefront-orders-csv-in.yaml", "samples/mapping/storefront-orders.csv", U16BE,
         "is UTF-16BE text"},
        {"mappings/storefront-orders-csv-in.yaml", "samples/mapping/storefront-orders.csv", U32LE,
         "is UTF-32LE text"},
        {"mappings/x12-850-in.yaml", "samples/mapping/po-850.edi", U16LE, "is UTF-16LE text"},
        {"mappings/x12-850-in.yaml", "samples/mapping/po-850.edi", U32BE, "is UTF-32BE text"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        doc_list ok = {0};
        read_ok(cases[i].map, cases[i].sample, &ok); /* the UTF-8 original maps */
        assert_true(ok.n > 0);
        list_free(&ok);
        const char *path = widen(cases[i].sample, cases[i].w);
        dg_error err = {0};
        int rc = read_fail(dg_test_path(cases[i].map), path, &err);
        if (rc != DG_EPARSE || !strstr(err.msg, cases[i].words) || !strstr(err.msg, path) ||
            !strstr(err.msg, "byte-order mark"))
            fail_msg("case %zu: got %d '%s', want %s", i, rc, err.msg, cases[i].words);
    }
}

static void utf16_xml_is_read(void **state)
{
    (void)state;
    doc_list utf8 = {0}, utf16 = {0};
    read_ok("mappings/order-xml-in.yaml", "samples/mapping/orders.xml", &utf8);
    read_ok("mappings/order-xml-in.yaml", widen("samples/mapping/orders.xml", U16LE), &utf16);
    assert_true(utf8.n > 0);
    assert_int_equal(utf16.n, utf8.n);
    list_free(&utf8);
    list_free(&utf16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(wide_csv_and_x12_name_their_encoding, setup, teardown),
        cmocka_unit_test_setup_teardown(utf16_xml_is_read, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
