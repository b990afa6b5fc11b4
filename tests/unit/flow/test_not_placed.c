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

/* Lines a mapping kept with a status (gift cards: NOT_SHIPPABLE) are recorded with it and
 * never routed: beside a placed line the order is CONVERTED; alone, even without a ship-to
 * address, the order is FAILED with nothing to route, and its storefront is told. */
static void not_shippable_lines_kept(void **state)
{
    (void)state;
    ft *f = ft_new();
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    dg_doc *d = order_doc("3010", "US", "A-1:2:25.00", "GIFT-25:1:25.00", NULL);
    d->u.order.lines[1].status = dg_arena_strdup(d->arena, DG_LINE_NOT_SHIPPABLE);
    d->u.order.lines[1].status_reason = dg_arena_strdup(d->arena, "a gift card");
    dg_flow_order_result res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_CONVERTED);
    assert_int_equal(res.lines, 2);
    assert_int_equal(res.matched, 1);
    assert_int_equal(res.pos_created, 1);
    assert_string_equal(d->u.order.lines[1].status, DG_LINE_NOT_SHIPPABLE);
    assert_string_equal(
        ft_qs(f, "SELECT l.status || ' ' || l.reason || ' ' ||"
                 " coalesce(CAST(l.po_id AS TEXT), 'no PO') FROM order_lines l JOIN orders o"
                 " ON o.id = l.order_id WHERE o.order_number = '3010'"
                 " AND l.retailer_sku = 'GIFT-25'"),
        "NOT_SHIPPABLE a gift card no PO");
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_lines WHERE po_id IS NOT NULL"), 1);
    assert_int_equal(ft_q(f, "SELECT lines_total * 10 + lines_matched FROM orders"
                             " WHERE order_number = '3010'"),
                     21);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM status_history WHERE what = 'order'"
                             " AND to_status IN ('FAILED', 'PARTIALLY_CONVERTED')"),
                     0);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM route_decisions WHERE line_no = 2"), 0);
    /* the same order again is a duplicate: the kept status is part of what came in */
    dg_doc *again = order_doc("3010", "US", "A-1:2:25.00", "GIFT-25:1:25.00", NULL);
    again->u.order.lines[1].status = dg_arena_strdup(again->arena, DG_LINE_NOT_SHIPPABLE);
    again->u.order.lines[1].status_reason = dg_arena_strdup(again->arena, "a gift card");
    res = ft_order(f, "shop", again);
    assert_int_equal(res.outcome, DG_FLOW_DUPLICATE);
    dg_doc_free(again);
    /* report orders names the line that is not to be routed */
    dg_flow_order_row *rows = NULL;
    size_t n = 0;
    dg_error err = {0};
    assert_int_equal(dg_flow_report_orders(f->s, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].status, "CONVERTED");
    assert_string_equal(rows[0].reasons, "GIFT-25: a gift card");
    free(rows);
    dg_doc_free(d);

    /* gift cards only, no ship-to address: an order with nothing to route */
    d = order_doc("3011", "US", "GIFT-50:1:50.00", "GIFT-10:2:10.00", NULL);
    d->u.order.ship_to.address1 = NULL;
    for (size_t i = 0; i < 2; i++)
        d->u.order.lines[i].status = dg_arena_strdup(d->arena, DG_LINE_NOT_SHIPPABLE);
    res = ft_order(f, "shop", d);
    assert_string_equal(res.status, DG_ORDER_FAILED);
    assert_int_equal(res.pos_created, 0);
    assert_string_equal(ft_qs(f, "SELECT reason FROM orders WHERE order_number = '3011'"),
                        "nothing to route: every line was left out by the mapping");
    assert_string_equal(ft_qs(f, "SELECT string_agg(l.status || ':' || l.reason, '|') FROM"
                                 " order_lines l JOIN orders o ON o.id = l.order_id"
                                 " WHERE o.order_number = '3011'"),
                        "NOT_SHIPPABLE:left out by the mapping|NOT_SHIPPABLE:left out by the "
                        "mapping");
    assert_int_equal(ft_q(f, "SELECT count(*) FROM status_history WHERE what = 'order'"
                             " AND to_status = 'FAILED' AND push_state = 'PENDING'"
                             " AND detail LIKE 'NOT_SHIPPABLE %'"),
                     1);
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
        cmocka_unit_test(not_shippable_lines_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
