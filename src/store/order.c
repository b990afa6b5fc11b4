/* Customer orders as the store records them (flow/order.c routes them): the order, its lines or
 * each supplier's part of a line, the supplier POs with their numbers, and the stock a placed
 * line takes. */
#include <string.h>

#include "store/store_internal.h"

int dg_store_order_state(dg_store *s, const char *storefront, const char *number,
                         dg_store_order_found *o, dg_error *err)
{
    static const char sql[] = "SELECT id, status, lines_total, lines_matched FROM orders"
                              " WHERE storefront = ?1 AND order_number = ?2";
    memset(o, 0, sizeof *o);
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, storefront);
    dg_stmt_bind_text(st, 2, number);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW) {
        o->id = dg_stmt_int64(st, 0);
        st_col_copy(st, 1, o->status, sizeof o->status);
        o->lines = (size_t)dg_stmt_int64(st, 2);
        o->matched = (size_t)dg_stmt_int64(st, 3);
    }
    return st_step_end(s, st, rc, err, "looking up an order");
}

int dg_store_order_add(dg_store *s, const dg_store_order_rec *r, int64_t *id, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO orders(storefront, order_number, document_id, status, order_date, currency,"
        " ship_to_json, ship_country, carrier, service_level, notes, total, lines_total,"
        " lines_matched, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
        /* an order its mapping could not read (FAILED, no lines) is placed under the same row
         * when the storefront sends it again, corrected: one order, one number */
        " ON CONFLICT(storefront, order_number) DO UPDATE SET document_id = excluded.document_id,"
        " status = excluded.status, order_date = excluded.order_date,"
        " currency = excluded.currency, ship_to_json = excluded.ship_to_json,"
        " ship_country = excluded.ship_country, carrier = excluded.carrier,"
        " service_level = excluded.service_level, notes = excluded.notes, total = excluded.total,"
        " lines_total = excluded.lines_total, lines_matched = excluded.lines_matched, reason = NULL"
        " WHERE orders.status = 'FAILED' AND orders.lines_total = 0 RETURNING id";
    *id = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, r->storefront);
    dg_stmt_bind_text(st, 2, r->order_number);
    if (r->document_id > 0)
        dg_stmt_bind_int64(st, 3, r->document_id);
    else
        dg_stmt_bind_null(st, 3);
    dg_stmt_bind_text(st, 4, r->status);
    dg_stmt_bind_text(st, 5, r->order_date);
    dg_stmt_bind_text(st, 6, r->currency);
    dg_stmt_bind_text(st, 7, r->ship_to_json);
    dg_stmt_bind_text(st, 8, r->ship_country);
    dg_stmt_bind_text(st, 9, r->carrier);
    dg_stmt_bind_text(st, 10, r->service_level);
    dg_stmt_bind_text(st, 11, r->notes);
    st_bind_dec(st, 12, r->total);
    dg_stmt_bind_int64(st, 13, (int64_t)r->lines);
    dg_stmt_bind_int64(st, 14, (int64_t)r->matched);
    dg_stmt_bind_int64(st, 15, dg_store_now(s));
    rc = dg_stmt_step(st);
    *id = rc == DG_DB_ROW ? dg_stmt_int64(st, 0) : 0;
    if (rc == DG_DB_ROW)
        rc = dg_stmt_step(st);
    rc = rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "recording an order");
    dg_stmt_reset(st);
    if (!rc && !*id)
        rc = dg_error_set(err, DG_EDUP, "%s: order %s is recorded already", r->storefront,
                          r->order_number);
    return rc;
}

int dg_store_po_number_taken(dg_store *s, const char *number, bool *taken, dg_error *err)
{
    static const char sql[] = "SELECT 1 FROM supplier_pos WHERE po_number = ?1";
    *taken = false;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, number);
    rc = dg_stmt_step(st);
    *taken = rc == DG_DB_ROW;
    return st_step_end(s, st, rc, err, "checking a PO number");
}

int dg_store_po_add(dg_store *s, const dg_store_po_rec *r, int64_t *id, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO supplier_pos(po_number, supplier, order_id, status, bill_to_json, currency,"
        " total, created_at) VALUES (?1, ?2, ?3, 'QUEUED', ?4, ?5, ?6, ?7) RETURNING id";
    *id = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, r->po_number);
    dg_stmt_bind_text(st, 2, r->supplier);
    dg_stmt_bind_int64(st, 3, r->order_id);
    dg_stmt_bind_text(st, 4, r->bill_to_json);
    dg_stmt_bind_text(st, 5, r->currency);
    st_bind_dec(st, 6, r->total);
    dg_stmt_bind_int64(st, 7, dg_store_now(s));
    return dg_store_step_id(s, st, id, err, "creating a supplier PO");
}

int dg_store_order_line_add(dg_store *s, const dg_store_order_line_rec *r, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO order_lines(order_id, line_no, line_number, retailer_sku, gtin, description,"
        " uom, qty_ordered, unit_price, status, reason, supplier, supplier_sku, cost,"
        " landed_cost, po_id, po_line)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, r->order_id);
    dg_stmt_bind_int64(st, 2, (int64_t)r->line_no);
    dg_stmt_bind_text(st, 3, r->line_number);
    dg_stmt_bind_text(st, 4, r->retailer_sku);
    dg_stmt_bind_text(st, 5, r->gtin);
    dg_stmt_bind_text(st, 6, r->description);
    dg_stmt_bind_text(st, 7, r->uom);
    dg_stmt_bind_int64(st, 8, r->qty);
    st_bind_dec(st, 9, r->unit_price);
    dg_stmt_bind_text(st, 10, r->status);
    dg_stmt_bind_text(st, 11, r->reason);
    dg_stmt_bind_text(st, 12, r->supplier);
    dg_stmt_bind_text(st, 13, r->supplier ? r->supplier_sku : NULL);
    st_bind_dec(st, 14, r->supplier ? r->cost : (dg_dec){0, false});
    st_bind_dec(st, 15, r->supplier ? r->landed_cost : (dg_dec){0, false});
    if (r->supplier) {
        dg_stmt_bind_int64(st, 16, r->po_id);
        dg_stmt_bind_int64(st, 17, r->po_line);
    } else {
        dg_stmt_bind_null(st, 16);
        dg_stmt_bind_null(st, 17);
    }
    return st_step_done(s, st, err, "recording an order line");
}

int dg_store_stock_reserve(dg_store *s, const char *supplier, const char *supplier_sku, int64_t qty,
                           bool *taken, dg_error *err)
{
    /* Only from stock that is there now: routing judged the row before (another instance's
     * order, or an earlier line of this one, may have taken it since). On PostgreSQL the UPDATE
     * waits for a transaction that holds the row and re-checks qty on what it committed. */
    static const char sql[] = "UPDATE stock SET qty = qty - ?3 WHERE supplier = ?1"
                              " AND vendor_sku = ?2 AND qty >= ?3";
    *taken = false;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, supplier);
    dg_stmt_bind_text(st, 2, supplier_sku);
    dg_stmt_bind_int64(st, 3, qty);
    if ((rc = st_step_done(s, st, err, "reserving stock")))
        return rc;
    if (dg_db_changes(s->db) > 0) {
        *taken = true;
        return 0;
    }
    /* No row to take from is not a shortage: a test partner's twin is routed on its real
     * supplier's stock and reserves none (the UPDATE finds no row of its own). */
    static const char row_sql[] = "SELECT 1 FROM stock WHERE supplier = ?1 AND vendor_sku = ?2";
    if ((rc = dg_store_prepare(s, row_sql, &st, err)))
        return rc;
    dg_stmt_bind_text(st, 1, supplier);
    dg_stmt_bind_text(st, 2, supplier_sku);
    int step = dg_stmt_step(st);
    *taken = step == DG_DB_DONE;
    return st_step_end(s, st, step, err, "reading stock");
}

int dg_store_stock_unreserve(dg_store *s, const char *supplier, const char *supplier_sku,
                             int64_t qty, dg_error *err)
{
    static const char sql[] =
        "UPDATE stock SET qty = qty + ?3 WHERE supplier = ?1 AND vendor_sku = ?2";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, supplier);
    dg_stmt_bind_text(st, 2, supplier_sku);
    dg_stmt_bind_int64(st, 3, qty);
    return st_step_done(s, st, err, "giving back reserved stock");
}
