/* Orders that cannot be placed are recorded, with why, and the storefront's status feed says so
 * (issue 10): no ship-to address (nothing routed, no stock reserved), unknown SKUs, a partly
 * placed order; a wholly converted order adds no such row. */
#include "flowtest.h"

static void no_ship_to_address(void **state)
{
    (void)state;
    ft *f = ft_new();
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    dg_doc *d = order_doc("3001", "US", "A-1:2:25.00", "A-3:1:40.00", NULL);
    d->u.order.ship_to.address1 = NULL; /* a draft order: name, no street */
    dg_flow_order_result res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_FAILED);
    assert_int_equal(res.matched, 0);
    assert_int_equal(res.pos_created, 0);
    assert_string_equal(d->u.order.lines[0].status, DG_LINE_SHIPPING_UNAVAILABLE);
    assert_non_null(strstr(d->u.order.lines[0].status_reason, "no ship-to address"));
    assert_string_equal(ft_qs(f, "SELECT reason FROM orders WHERE order_number = '3001'"),
                        "no ship-to address (street and city)");
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_lines l JOIN orders o ON o.id ="
                             " l.order_id WHERE o.order_number = '3001'"
                             " AND l.status = 'SHIPPING_UNAVAILABLE'"),
                     2);
    /* nothing was reserved */
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE vendor_sku = 'NW-1'"), 500000);
    /* the storefront's status feed: one FAILED row, queued to be pushed, with the reason */
    assert_int_equal(ft_q(f, "SELECT count(*) FROM status_history WHERE what = 'order'"
                             " AND to_status = 'FAILED' AND push_state = 'PENDING'"
                             " AND detail LIKE '%no ship-to address%'"),
                     1);
    dg_doc_free(d);
    ft_free(f);
}

static void unknown_and_partly_placed(void **state)
{
    (void)state;
    ft *f = ft_new();
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    dg_doc *d = order_doc("3002", "US", "ZZ-9:1:5.00", NULL);
    dg_flow_order_result res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_FAILED);
    assert_string_equal(ft_qs(f, "SELECT detail FROM status_history WHERE to_status = 'FAILED'"),
                        "PRODUCT_NOT_FOUND SKU ZZ-9 is not in the catalog");
    assert_string_equal(ft_qs(f, "SELECT coalesce(reason, '-') FROM orders"
                                 " WHERE order_number = '3002'"),
                        "-"); /* the lines say why */
    dg_doc_free(d);
    d = order_doc("3003", "US", "A-1:2:25.00", "ZZ-8:1:5.00", NULL);
    res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_PARTIALLY_CONVERTED);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM status_history h JOIN orders o ON o.id ="
                             " h.order_id WHERE o.order_number = '3003'"
                             " AND h.to_status = 'PARTIALLY_CONVERTED'"
                             " AND h.detail LIKE '%ZZ-8%' AND h.detail NOT LIKE '%A-1%'"),
                     1);
    dg_doc_free(d);
    d = order_doc("3004", "US", "A-1:1:25.00", NULL);
    res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_CONVERTED);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM status_history h JOIN orders o ON o.id ="
                             " h.order_id WHERE o.order_number = '3004'"
                             " AND h.to_status IN ('FAILED', 'PARTIALLY_CONVERTED')"),
                     0);
    dg_doc_free(d);
    ft_free(f);
}

/* An order its mapping could not complete is recorded by its number, once. */
static void unmapped_order_recorded_once(void **state)
{
    (void)state;
    ft *f = ft_new();
    dg_error err = {0};
    int64_t doc_id = 0;
    bool created = false;
    int64_t file = ft_file(f);
    assert_int_equal(dg_store_document_not_applied(f->s, "order", "shop", file, 5, "FAILED",
                                                   "row 5 (#1017): rule 'ship_to.name': required"
                                                   " field missing",
                                                   &doc_id, &err),
                     0);
    assert_int_equal(
        dg_store_order_unmapped(f->s, "shop", "#1017", doc_id, "row 5 (#1017): x", &created, &err),
        0);
    assert_true(created);
    assert_int_equal(
        dg_store_order_unmapped(f->s, "shop", "#1017", doc_id, "again", &created, &err), 0);
    assert_false(created);
    assert_string_equal(ft_qs(f, "SELECT status || ' ' || reason FROM orders"
                                 " WHERE order_number = '#1017'"),
                        "FAILED row 5 (#1017): x");
    assert_int_equal(ft_q(f, "SELECT count(*) FROM status_history WHERE cause = 'mapping'"
                             " AND file_id IS NOT NULL"),
                     1);
    assert_string_equal(ft_qs(f, "SELECT outcome || ' ' || position FROM documents"
                                 " WHERE id = (SELECT max(id) FROM documents)"),
                        "FAILED 5");
    /* report orders shows the reason */
    dg_flow_order_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(dg_flow_report_orders(f->s, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].status, "FAILED");
    assert_string_equal(rows[0].reasons, "row 5 (#1017): x");
    free(rows);
    ft_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_ship_to_address),
        cmocka_unit_test(unknown_and_partly_placed),
        cmocka_unit_test(unmapped_order_recorded_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
