/* The canonical field reference: every field of every kind has a meaning, a type name and a row
 * (or its party object's row) in the generated Markdown; the matching fields say so. */
#include "testutil.h"

#include <string.h>

#include "core/model_doc.h"

static const dg_doc_kind kinds[] = {DG_DOC_ORDER, DG_DOC_SHIPMENT, DG_DOC_INVOICE,
                                    DG_DOC_STOCK, DG_DOC_ACK,      DG_DOC_STATUS};

static void every_field_has_a_meaning(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        size_t n;
        const dg_field *fs = dg_fields_list(kinds[k], &n);
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
            const char *m = dg_field_meaning(kinds[k], &fs[i]);
            if (!m || strlen(m) < 5)
                fail_msg("%s %s: no meaning in src/core/model_doc.c", dg_doc_kind_name(kinds[k]),
                         fs[i].path);
        }
    }
}

static void markdown_lists_every_field(void **state)
{
    (void)state;
    dg_buf b = DG_BUF_INIT;
    assert_int_equal(dg_fields_markdown(&b), 0);
    dg_buf_putc(&b, '\0');
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        size_t n;
        const dg_field *fs = dg_fields_list(kinds[k], &n);
        char row[256];
        for (size_t i = 0; i < n; i++) {
            if (fs[i].object && fs[i].group == DG_FIELD_BODY)
                snprintf(row, sizeof row, "| `%s.*` | party |", fs[i].object);
            else
                snprintf(row, sizeof row, "| `%s` | %s |", fs[i].path,
                         dg_field_type_name(fs[i].type));
            if (!strstr(b.data, row))
                fail_msg("%s: no row '%s'", dg_doc_kind_name(kinds[k]), row);
        }
    }
    assert_non_null(strstr(b.data, "| `lines[].quantity` | quantity |"));
    assert_non_null(strstr(b.data, "| `total` | money |"));
    assert_non_null(strstr(b.data, "| `postal_code` | text |")); /* the party table */
    /* the catalog's and routing's keys are said where a mapping author looks */
    const char *sku = strstr(b.data, "| `lines[].buyer_sku` |");
    assert_non_null(sku);
    assert_non_null(strstr(sku, "**Catalog:**"));
    assert_non_null(strstr(b.data, "**Routing:** `ship_to.country`"));
    dg_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_field_has_a_meaning),
        cmocka_unit_test(markdown_lists_every_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
