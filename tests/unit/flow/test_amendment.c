/* An order number a storefront sends again with other content (more lines, another quantity or
 * address) is an amendment attempt: the placed order and its POs stay as they are, the attempt
 * is recorded (documents outcome CHANGED, order_amendments) and shown by `report orders`. The
 * same order sent again (another file, another position) stays a plain duplicate. */
#include "testutil.h"

#include <string.h>

#include "flowtest.h"

static int setup(void **state)
{
    *state = ft_new();
    return 0;
}

static int teardown(void **state)
{
    ft_free(*state);
    return 0;
}

static dg_flow_order_row report_row(ft *f, const char *number)
{
    dg_flow_order_row *rows = NULL, row;
    size_t n = 0;
    dg_error err = {0};
    assert_int_equal(dg_flow_report_orders(f->s, &rows, &n, &err), 0);
    memset(&row, 0, sizeof row);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].order_number, number))
            row = rows[i];
    free(rows);
    assert_string_equal(row.order_number, number);
    return row;
}

static void changed_content_is_recorded_not_applied(void **state)
{
    ft *f = *state;
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    dg_doc *d = order_doc("9001", "US", "A-1:2:25.00", NULL);
    assert_int_equal(ft_order(f, "shop", d).outcome, DG_FLOW_OK);
    /* the same order re-exported at another row of another file: a duplicate, nothing recorded */
    d->source.position = 7;
    dg_flow_order_result res = ft_order(f, "shop", d);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    assert_string_equal(res.changed, "");
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_amendments"), 0);
    dg_doc_free(d);

    /* the quantity changed: an amendment attempt */
    d = order_doc("9001", "US", "A-1:5:25.00", NULL);
    res = ft_order(f, "shop", d);
    assert_int_equal(res.outcome, DG_FLOW_CHANGED);
    assert_string_equal(res.changed, "lines");
    assert_string_equal(dg_flow_outcome_name(res.outcome), "CHANGED");
    dg_doc_free(d);
    /* another address and a new note */
    d = order_doc("9001", "CA", "A-1:2:25.00", NULL);
    d->u.order.notes = dg_arena_strdup(d->arena, "ring twice");
    res = ft_order(f, "shop", d);
    assert_int_equal(res.outcome, DG_FLOW_CHANGED);
    assert_string_equal(res.changed, "ship_to, notes");
    dg_doc_free(d);

    /* nothing applied: one order, one PO, two units, stock reserved once */
    assert_int_equal(ft_q(f, "SELECT count(*) FROM orders"), 1);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos"), 1);
    assert_int_equal(ft_q(f, "SELECT qty_ordered FROM order_lines"), 20000);
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku='NW-1'"), 480000);
    /* recorded: two amendment attempts, each with its document */
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_amendments"), 2);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM documents WHERE outcome='CHANGED'"), 2);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_amendments a JOIN documents d ON"
                             " d.id = a.document_id WHERE d.outcome = 'CHANGED'"),
                     2);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM documents WHERE outcome='DUPLICATE'"), 1);
    /* and shown by report orders */
    dg_flow_order_row row = report_row(f, "9001");
    assert_int_equal(row.amendments, 2);
    if (!strstr(row.amended, "2023-11-14T22:13:20Z lines; 2023-11-14T22:13:20Z ship_to, notes"))
        fail_msg("amended: %s", row.amended);
    dg_error err = {0};
    char *json = NULL, *csv = NULL;
    assert_int_equal(dg_flow_report_orders_json(f->s, &json, &err), 0);
    assert_non_null(strstr(json, "\"amendments\": 2"));
    assert_non_null(strstr(json, "ship_to, notes"));
    assert_int_equal(dg_flow_report_orders_csv(f->s, &csv, &err), 0);
    assert_non_null(strstr(csv, ",pos_held,held,amendments,amended,reasons\n"));
    assert_non_null(strstr(csv, ",2,\"2023-11-14T22:13:20Z lines; 2023-11-14T22:13:20Z ship_to, "
                                "notes\","));
    free(json);
    free(csv);
}

/* A replay of the very file that carried an amendment attempt (a crash before the pickup was
 * committed) records nothing twice. */
static void replayed_amendment_is_recorded_once(void **state)
{
    ft *f = *state;
    dg_doc *d = order_doc("9002", "US", "A-1:2:25.00", NULL);
    assert_int_equal(ft_order(f, "shop", d).outcome, DG_FLOW_OK);
    dg_doc_free(d);
    d = order_doc("9002", "US", "A-1:3:25.00", NULL);
    int64_t file = ft_file(f);
    dg_flow_order_result res;
    dg_error err = {0};
    assert_int_equal(dg_flow_ingest_order(f->s, f->r, "shop", d, file, &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_CHANGED);
    assert_int_equal(dg_flow_ingest_order(f->s, f->r, "shop", d, file, &res, &err), 0);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_amendments"), 1);
    assert_int_equal(report_row(f, "9002").amendments, 1);
    assert_int_equal(report_row(f, "9002").lines, 1);
    dg_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(changed_content_is_recorded_not_applied, setup, teardown),
        cmocka_unit_test_setup_teardown(replayed_amendment_is_recorded_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
