/* A PO line split by the supplier's acknowledgment (issue 11): one PO1 answered by several ACKs
 * (5 accepted, 3 backordered) becomes one order line per part on the same PO line, each with
 * its own quantity and supplier status, so each part ships, waits or is re-routed on its own. */
#include "store/store_internal.h"

int dg_store_line_split(dg_store *s, int64_t from_id, int64_t qty, int64_t *new_id, dg_error *err)
{
    /* same PO, PO line, product and price; its own line_no (unique per order) and quantity */
    static const char sql[] =
        "INSERT INTO order_lines(order_id, line_no, line_number, retailer_sku, gtin, description,"
        " uom, qty_ordered, unit_price, status, reason, supplier, supplier_sku, cost,"
        " landed_cost, po_id, po_line, rerouted_from, attempt, split_from)"
        " SELECT order_id, (SELECT max(line_no) + 1 FROM order_lines WHERE order_id = l.order_id),"
        " line_number, retailer_sku, gtin, description, uom, ?2, unit_price, status, reason,"
        " supplier, supplier_sku, cost, landed_cost, po_id, po_line, rerouted_from, attempt, id"
        " FROM order_lines l WHERE id = ?1 RETURNING id";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, from_id);
    dg_stmt_bind_int64(st, 2, qty);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW)
        *new_id = dg_stmt_int64(st, 0);
    dg_stmt_reset(st);
    if (rc == DG_DB_ROW)
        return 0;
    if (rc == DG_DB_DONE)
        return dg_error_set(err, DG_ENOTFOUND, "order line %lld: not found", (long long)from_id);
    return dg_store_fail(s, err, "splitting an order line");
}

int dg_store_line_set_qty(dg_store *s, int64_t line_id, int64_t qty, dg_error *err)
{
    static const char sql[] = "UPDATE order_lines SET qty_ordered = ?2 WHERE id = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, line_id);
    dg_stmt_bind_int64(st, 2, qty);
    return st_step_done(s, st, err, "setting the quantity of a split line");
}
