/* The retailer's catalog as the store keeps it (flow/rules.c reads the CSV): which suppliers may
 * take a SKU, at what cost and priority, shipping where. Reloaded whole at start-up. */
#include "store/store_internal.h"

int dg_store_catalog_clear(dg_store *s, dg_error *err)
{
    /* Instances starting together on one PostgreSQL store reload it one after the other (a
     * second DELETE + INSERT beside the first would break the unique key). */
    int rc = dg_store_tx_lock(s, "catalog", err);
    return rc ? rc : dg_store_exec(s, "DELETE FROM catalog", err);
}

int dg_store_catalog_add(dg_store *s, const dg_store_catalog_row *r, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO catalog(retailer_sku, gtin, supplier, supplier_sku, description, cost,"
        " priority, preferred, ship_estimate, dropship_fee, ship_to, approved)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, r->retailer_sku);
    dg_stmt_bind_text(st, 2, r->gtin);
    dg_stmt_bind_text(st, 3, r->supplier);
    dg_stmt_bind_text(st, 4, r->supplier_sku);
    dg_stmt_bind_text(st, 5, r->description);
    st_bind_dec(st, 6, r->cost);
    dg_stmt_bind_int64(st, 7, r->priority);
    dg_stmt_bind_int64(st, 8, r->preferred);
    dg_stmt_bind_int64(st, 9, r->ship_estimate);
    dg_stmt_bind_int64(st, 10, r->dropship_fee);
    dg_stmt_bind_text(st, 11, r->ship_to);
    dg_stmt_bind_int64(st, 12, r->approved);
    return st_step_done(s, st, err, "adding a catalog row");
}
