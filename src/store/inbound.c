/* What suppliers send back, as the store records it (flow/inbound.c decides): stock facts, 997
 * results on POs, the PO an ASN ships with its lines, shipments with their packages and items,
 * and the tracking notifications queued for the storefront. */
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "store/store_internal.h"

/* ---- stock -------------------------------------------------------------------------------- */

int dg_store_catalog_sku_by_gtin(dg_store *s, const char *supplier, const char *gtin, char *out,
                                 size_t size, dg_error *err)
{
    static const char sql[] =
        "SELECT supplier_sku FROM catalog WHERE supplier = ?1 AND gtin = ?2 LIMIT 1";
    out[0] = '\0';
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, supplier);
    dg_stmt_bind_text(st, 2, gtin);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW)
        st_col_copy(st, 0, out, size);
    dg_stmt_reset(st);
    return rc == DG_DB_ROW || rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "catalog by GTIN");
}

int dg_store_stock_put(dg_store *s, const dg_store_stock_fact *f, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO stock(supplier, vendor_sku, gtin, qty, cost, msrp, map, warehouse,"
        " available_date, document_id, updated_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        " ON CONFLICT(supplier, vendor_sku) DO UPDATE SET"
        " gtin = coalesce(excluded.gtin, stock.gtin),"
        /* several items of one SKU in one feed are its quantities at several locations (an
         * 846 with one LIN per warehouse): the stock is their sum, its warehouse none of them */
        " qty = CASE WHEN stock.document_id = excluded.document_id THEN stock.qty + excluded.qty"
        "  ELSE excluded.qty END, cost = coalesce(excluded.cost, stock.cost),"
        " msrp = coalesce(excluded.msrp, stock.msrp), map = coalesce(excluded.map, stock.map),"
        " warehouse = CASE WHEN stock.document_id = excluded.document_id"
        "  AND stock.warehouse IS DISTINCT FROM excluded.warehouse THEN NULL"
        "  ELSE excluded.warehouse END,"
        " available_date = excluded.available_date,"
        " document_id = excluded.document_id, updated_at = excluded.updated_at";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, f->supplier);
    dg_stmt_bind_text(st, 2, f->vendor_sku);
    dg_stmt_bind_text(st, 3, f->gtin);
    dg_stmt_bind_int64(st, 4, f->qty);
    st_bind_dec(st, 5, f->cost);
    st_bind_dec(st, 6, f->msrp);
    st_bind_dec(st, 7, f->map);
    dg_stmt_bind_text(st, 8, f->warehouse);
    dg_stmt_bind_text(st, 9, f->available_date);
    dg_stmt_bind_int64(st, 10, f->document_id);
    dg_stmt_bind_int64(st, 11, dg_store_now(s));
    return st_step_done(s, st, err, "updating stock");
}

/* ---- 997 ---------------------------------------------------------------------------------- */

int dg_store_po_ack_997(dg_store *s, const char *supplier, const char *group, const char *set,
                        const char *code, const char *reason, const char *po_status,
                        int64_t *changed, dg_error *err)
{
    static const char sql[] =
        "UPDATE supplier_pos SET ack_at = ?5, ack_status = ?4, ack_reason = ?6,"
        " status = CASE WHEN status IN ('QUEUED','SENT','AWAITING_SHIPMENT','ACCEPTED','REJECTED')"
        " THEN ?7 ELSE status END"
        " WHERE supplier = ?1 AND CAST(group_control AS INTEGER) = CAST(?2 AS INTEGER)"
        " AND (?3 IS NULL OR CAST(set_control AS INTEGER) = CAST(?3 AS INTEGER))"
        " AND outbox_id IS NOT NULL";
    *changed = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, supplier);
    dg_stmt_bind_text(st, 2, group);
    dg_stmt_bind_text(st, 3, set);
    dg_stmt_bind_text(st, 4, code);
    dg_stmt_bind_int64(st, 5, dg_store_now(s));
    dg_stmt_bind_text(st, 6, reason);
    dg_stmt_bind_text(st, 7, po_status);
    if ((rc = st_step_done(s, st, err, "recording a 997")))
        return rc;
    *changed = dg_db_changes(dg_store_db(s));
    return 0;
}

/* ---- the PO an answer is about ------------------------------------------------------------ */

void dg_store_po_free(dg_store_po *p)
{
    free(p->ship_to_json);
    free(p->lines);
    p->ship_to_json = NULL;
    p->lines = NULL;
}

int dg_store_po_load(dg_store *s, const char *po_number, dg_store_po *p, bool *found, dg_error *err)
{
    static const char head[] =
        "SELECT p.id, p.supplier, p.status, p.order_id, o.storefront, o.order_number,"
        " o.ship_to_json, p.currency FROM supplier_pos p JOIN orders o ON o.id = p.order_id"
        " WHERE p.po_number = ?1";
    static const char lines[] =
        "SELECT id, po_line, line_number, retailer_sku, supplier_sku, gtin, qty_ordered,"
        " qty_shipped, cost, qty_invoiced, qty_cancelled, ack_price, supplier_status"
        " FROM order_lines WHERE po_id = ?1 ORDER BY po_line, id";
    memset(p, 0, sizeof *p);
    *found = false;
    dg_stmt *st;
    int rc = dg_store_prepare(s, head, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, po_number);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW) {
        *found = true;
        p->id = dg_stmt_int64(st, 0);
        st_col_copy(st, 1, p->supplier, sizeof p->supplier);
        st_col_copy(st, 2, p->status, sizeof p->status);
        p->order_id = dg_stmt_int64(st, 3);
        st_col_copy(st, 4, p->storefront, sizeof p->storefront);
        st_col_copy(st, 5, p->order_number, sizeof p->order_number);
        p->ship_to_json = st_col_dup(st, 6);
        st_col_copy(st, 7, p->currency, sizeof p->currency);
    }
    dg_stmt_reset(st);
    if (rc != DG_DB_ROW)
        return rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "looking up a PO");
    if ((rc = dg_store_prepare(s, lines, &st, err)))
        return rc;
    dg_stmt_bind_int64(st, 1, p->id);
    size_t cap = 0;
    while ((rc = dg_stmt_step(st)) == DG_DB_ROW) {
        dg_store_po_line *grown = dg_array_slot(p->lines, sizeof *grown, p->n_lines, &cap, 8);
        if (!grown) {
            dg_stmt_reset(st);
            return dg_error_set(err, DG_ENOMEM, "out of memory");
        }
        p->lines = grown;
        dg_store_po_line *l = &p->lines[p->n_lines++];
        l->id = dg_stmt_int64(st, 0);
        l->po_line = (long)dg_stmt_int64(st, 1);
        st_col_copy(st, 2, l->line_number, sizeof l->line_number);
        st_col_copy(st, 3, l->retailer_sku, sizeof l->retailer_sku);
        st_col_copy(st, 4, l->supplier_sku, sizeof l->supplier_sku);
        st_col_copy(st, 5, l->gtin, sizeof l->gtin);
        l->ordered = st_col_dec(st, 6);
        l->shipped = st_col_dec(st, 7);
        l->add = (dg_dec){0, true};
        l->cost = st_col_dec(st, 8);
        l->invoiced = st_col_dec(st, 9);
        l->cancelled = st_col_dec(st, 10);
        l->ack_price = st_col_dec(st, 11);
        st_col_copy(st, 12, l->supplier_status, sizeof l->supplier_status);
    }
    dg_stmt_reset(st);
    return rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "reading PO lines");
}

/* ---- shipments ---------------------------------------------------------------------------- */

int dg_store_shipment_seen(dg_store *s, const char *supplier, const char *ref, int64_t po_id,
                           bool *seen, dg_error *err)
{
    static const char sql[] = "SELECT 1 FROM shipments WHERE supplier = ?1 AND shipment_ref = ?2"
                              " AND po_id = ?3";
    *seen = false;
    if (!ref)
        return 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, supplier);
    dg_stmt_bind_text(st, 2, ref);
    dg_stmt_bind_int64(st, 3, po_id);
    rc = dg_stmt_step(st);
    dg_stmt_reset(st);
    *seen = rc == DG_DB_ROW;
    return rc == DG_DB_ROW || rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "shipment lookup");
}

int dg_store_shipment_add(dg_store *s, const char *supplier, const char *ref, int64_t po_id,
                          int64_t doc_id, const char *ship_date, const char *carrier,
                          const char *service, int64_t *id, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO shipments(supplier, shipment_ref, po_id, document_id, ship_date, carrier,"
        " service, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, supplier);
    dg_stmt_bind_text(st, 2, ref);
    dg_stmt_bind_int64(st, 3, po_id);
    dg_stmt_bind_int64(st, 4, doc_id);
    dg_stmt_bind_text(st, 5, ship_date);
    dg_stmt_bind_text(st, 6, carrier);
    dg_stmt_bind_text(st, 7, service);
    dg_stmt_bind_int64(st, 8, dg_store_now(s));
    return dg_store_step_id(s, st, id, err, "recording a shipment");
}

int dg_store_package_add(dg_store *s, int64_t shipment_id, const char *tracking, const char *sscc,
                         dg_dec weight, const char *weight_uom, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO packages(shipment_id, tracking_number, sscc, weight, weight_uom)"
        " VALUES (?1, ?2, ?3, ?4, ?5)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, shipment_id);
    dg_stmt_bind_text(st, 2, tracking);
    dg_stmt_bind_text(st, 3, sscc);
    st_bind_dec(st, 4, weight);
    dg_stmt_bind_text(st, 5, weight_uom);
    return st_step_done(s, st, err, "recording a package");
}

int dg_store_shipment_item_add(dg_store *s, int64_t shipment_id, int64_t line_id, int64_t qty,
                               const char *package_ref, dg_error *err)
{
    static const char item[] =
        "INSERT INTO shipment_items(shipment_id, order_line_id, qty, package_ref)"
        " VALUES (?1, ?2, ?3, ?4)";
    static const char upd[] = "UPDATE order_lines SET qty_shipped = qty_shipped + ?2"
                              " WHERE id = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, item, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, shipment_id);
    dg_stmt_bind_int64(st, 2, line_id);
    dg_stmt_bind_int64(st, 3, qty);
    dg_stmt_bind_text(st, 4, package_ref);
    if ((rc = st_step_done(s, st, err, "recording a shipped item")))
        return rc;
    if ((rc = dg_store_prepare(s, upd, &st, err)))
        return rc;
    dg_stmt_bind_int64(st, 1, line_id);
    dg_stmt_bind_int64(st, 2, qty);
    return st_step_done(s, st, err, "updating shipped quantities");
}

int dg_store_po_shipped(dg_store *s, int64_t po_id, const char *status, dg_error *err)
{
    static const char sql[] = "UPDATE supplier_pos SET status = ?2, shipped_at = ?3 WHERE id = ?1"
                              " AND status <> 'INVOICED'";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, po_id);
    dg_stmt_bind_text(st, 2, status);
    dg_stmt_bind_int64(st, 3, dg_store_now(s));
    return st_step_done(s, st, err, "moving a PO");
}

/* ---- tracking notifications --------------------------------------------------------------- */

int dg_store_notification_add(dg_store *s, const char *storefront, int64_t order_id,
                              int64_t shipment_id, const char *json, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO notifications(storefront, order_id, shipment_id, json, state, created_at)"
        " VALUES (?1, ?2, ?3, ?4, 'PENDING', ?5)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, storefront);
    dg_stmt_bind_int64(st, 2, order_id);
    dg_stmt_bind_int64(st, 3, shipment_id);
    dg_stmt_bind_text(st, 4, json);
    dg_stmt_bind_int64(st, 5, dg_store_now(s));
    return st_step_done(s, st, err, "queueing a tracking notification");
}

static int notification_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_store_notification *x = row;
    x->id = dg_stmt_int64(st, 0);
    x->storefront = st_col_dup(st, 1);
    x->order_number = st_col_dup(st, 2);
    x->po_number = st_col_dup(st, 3);
    x->json = st_col_dup(st, 4);
    return 0;
}

static void notification_clear(void *row)
{
    dg_store_notification *x = row;
    free(x->storefront);
    free(x->order_number);
    free(x->po_number);
    free(x->json);
}

void dg_store_notifications_free(dg_store_notification *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        notification_clear(&rows[i]);
    free(rows);
}

int dg_store_notifications(dg_store *s, const char *storefront, bool webhooks,
                           dg_store_notification **rows, size_t *n, dg_error *err)
{
#define NOTIFICATIONS(WHERE)                                                                       \
    "SELECT n.id, n.storefront, o.order_number, p.po_number, n.json FROM notifications n"          \
    " JOIN orders o ON o.id = n.order_id JOIN shipments sh ON sh.id = n.shipment_id"               \
    " JOIN supplier_pos p ON p.id = sh.po_id"                                                      \
    " WHERE " WHERE " AND (?1 IS NULL OR n.storefront = ?1) ORDER BY n.id"
    static const char files[] = NOTIFICATIONS("n.state = 'PENDING'");
    static const char hooks[] = NOTIFICATIONS("n.webhook_done = 0");
#undef NOTIFICATIONS
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, webhooks ? hooks : files, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, storefront);
    static const st_rows how = {
        sizeof(dg_store_notification), 8, notification_fill, notification_clear, NULL,
        "listing notifications"};
    return st_collect(s, st, &how, rows, n, err);
}

int dg_store_notification_find(dg_store *s, int64_t id, char *storefront, size_t sf_size,
                               char *order_number, size_t on_size, int64_t *outbox_id, bool *found,
                               dg_error *err)
{
    static const char sql[] =
        "SELECT n.storefront, n.outbox_id, o.order_number FROM notifications n"
        " JOIN orders o ON o.id = n.order_id WHERE n.id = ?1";
    *found = false;
    *outbox_id = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, id);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW) {
        *found = true;
        st_col_copy(st, 0, storefront, sf_size);
        *outbox_id = dg_stmt_int64(st, 1);
        st_col_copy(st, 2, order_number, on_size);
    }
    dg_stmt_reset(st);
    return rc == DG_DB_ROW || rc == DG_DB_DONE ? 0
                                               : dg_store_fail(s, err, "reading a notification");
}

int dg_store_notification_mark(dg_store *s, int64_t id, dg_notification_mark what,
                               int64_t outbox_id, dg_error *err)
{
    static const char queued[] =
        "UPDATE notifications SET outbox_id = ?2, state = 'QUEUED' WHERE id = ?1"
        " AND state = 'PENDING'";
    static const char sent[] = "UPDATE notifications SET state = 'SENT', sent_at = ?2"
                               " WHERE id = ?1 AND state <> 'SENT'";
    static const char hook[] = "UPDATE notifications SET webhook_done = 1 WHERE id = ?1"
                               " AND ?2 = ?2";
    dg_stmt *st;
    int rc = dg_store_prepare(s,
                              what == DG_NOTE_QUEUED ? queued
                              : what == DG_NOTE_SENT ? sent
                                                     : hook,
                              &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, id);
    dg_stmt_bind_int64(st, 2,
                       what == DG_NOTE_QUEUED ? outbox_id
                       : what == DG_NOTE_SENT ? dg_store_now(s)
                                              : 0);
    return st_step_done(s, st, err, "updating a notification");
}
