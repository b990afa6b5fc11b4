/* Re-routing in the store: reading a line and who it was offered to, the catalog candidates
 * for a SKU, creating the new PO for a re-routed line, and the routing decisions recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_internal.h"

int dg_store_line_get(dg_store *s, int64_t line_id, dg_store_line *out, dg_error *err)
{
    static const char sql[] =
        "SELECT l.id, l.order_id, coalesce(l.po_id, 0), coalesce(l.rerouted_from, 0),"
        " coalesce(l.ack_at, 0), l.line_no, l.attempt, l.qty_ordered, l.qty_shipped,"
        " l.unit_price, l.line_number, l.retailer_sku, l.gtin, l.description, l.uom,"
        " l.supplier, l.supplier_status, l.supplier_reason, l.promised_date, o.storefront,"
        " o.order_number, o.ship_country, o.currency, l.status, l.reason"
        " FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE l.id = ?1";
    memset(out, 0, sizeof *out);
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, line_id);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW) {
        out->id = dg_stmt_int64(st, 0);
        out->order_id = dg_stmt_int64(st, 1);
        out->po_id = dg_stmt_int64(st, 2);
        out->rerouted_from = dg_stmt_int64(st, 3);
        out->ack_at = dg_stmt_int64(st, 4);
        out->line_no = (long)dg_stmt_int64(st, 5);
        out->attempt = (long)dg_stmt_int64(st, 6);
        out->qty_ordered = dg_stmt_int64(st, 7);
        out->qty_shipped = dg_stmt_int64(st, 8);
        out->has_price = !dg_stmt_column_null(st, 9);
        out->unit_price = dg_stmt_int64(st, 9);
        st_col_copy(st, 10, out->line_number, sizeof out->line_number);
        st_col_copy(st, 11, out->retailer_sku, sizeof out->retailer_sku);
        st_col_copy(st, 12, out->gtin, sizeof out->gtin);
        st_col_copy(st, 13, out->description, sizeof out->description);
        st_col_copy(st, 14, out->uom, sizeof out->uom);
        st_col_copy(st, 15, out->supplier, sizeof out->supplier);
        st_col_copy(st, 16, out->supplier_status, sizeof out->supplier_status);
        st_col_copy(st, 17, out->supplier_reason, sizeof out->supplier_reason);
        st_col_copy(st, 18, out->promised_date, sizeof out->promised_date);
        st_col_copy(st, 19, out->storefront, sizeof out->storefront);
        st_col_copy(st, 20, out->order_number, sizeof out->order_number);
        st_col_copy(st, 21, out->ship_country, sizeof out->ship_country);
        st_col_copy(st, 22, out->currency, sizeof out->currency);
        st_col_copy(st, 23, out->status, sizeof out->status);
        st_col_copy(st, 24, out->reason, sizeof out->reason);
    }
    dg_stmt_reset(st);
    if (rc == DG_DB_DONE)
        return dg_error_set(err, DG_ENOTFOUND, "order line %lld: not found", (long long)line_id);
    return rc == DG_DB_ROW ? 0 : dg_store_fail(s, err, "reading an order line");
}

/* Runs sql with its n_params (0 to 3) parameters (int64 p[0], p[1], then text day) and
 * collects column 0 as ids. */
static int ids_of(dg_store *s, const char *sql, int n_params, const int64_t *p, const char *day,
                  int64_t **ids, size_t *n, dg_error *err)
{
    *ids = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    for (int i = 0; i < n_params && i < 2; i++)
        dg_stmt_bind_int64(st, i + 1, p[i]);
    if (n_params > 2)
        dg_stmt_bind_text(st, 3, day);
    return st_collect_ids(s, st, ids, n, "listing lines", err);
}

int dg_store_po_line_ids(dg_store *s, int64_t po_id, int64_t **ids, size_t *n, dg_error *err)
{
    static const char sql[] = "SELECT id FROM order_lines WHERE po_id = ?1 ORDER BY po_line, id";
    return ids_of(s, sql, 1, &po_id, NULL, ids, n, err);
}

int dg_store_order_line_ids(dg_store *s, int64_t order_id, int64_t **ids, size_t *n, dg_error *err)
{
    static const char sql[] = "SELECT id FROM order_lines WHERE order_id = ?1 ORDER BY line_no";
    return ids_of(s, sql, 1, &order_id, NULL, ids, n, err);
}

int dg_store_backorders_due(dg_store *s, int64_t now, long backorder_after, int64_t **ids,
                            size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT id FROM order_lines WHERE supplier_status = 'BACKORDERED' AND qty_shipped = 0"
        " AND coalesce(supplier_reason, '') NOT LIKE '%not re-routed:%'" /* ended: stays */
        " AND ((promised_date IS NOT NULL AND promised_date < ?3)"
        "  OR (promised_date IS NULL AND ack_at IS NOT NULL AND ack_at + ?2 < ?1))"
        " ORDER BY id";
    /* promised dates are YYYY-MM-DD: compared as text with today's date in UTC */
    char today[16] = "";
    time_t t = (time_t)now;
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(today, sizeof today, "%Y-%m-%d", &tm);
    int64_t p[2] = {now, backorder_after};
    return ids_of(s, sql, 3, p, today, ids, n, err);
}

int dg_store_ack_rejected_lines(dg_store *s, int64_t **ids, size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT l.id FROM order_lines l JOIN supplier_pos p ON p.id = l.po_id"
        " WHERE p.status = 'REJECTED' AND l.qty_shipped = 0"
        " AND (l.supplier_status IS NULL OR l.supplier_status IN ('ACCEPTED','BACKORDERED'))"
        " ORDER BY l.id";
    return ids_of(s, sql, 0, NULL, NULL, ids, n, err);
}

int dg_store_line_tried(dg_store *s, int64_t line_id, dg_store_tried *out, size_t max, size_t *n,
                        dg_error *err)
{
    static const char sql[] = "SELECT supplier, coalesce(supplier_status, 'OPEN'),"
                              " coalesce(supplier_reason, ''), coalesce(rerouted_from, 0)"
                              " FROM order_lines WHERE id = ?1";
    *n = 0;
    /* the chain is bounded by max (reroute.max_attempts): a cycle cannot loop here */
    for (int64_t id = line_id; id > 0 && *n < max;) {
        dg_stmt *st;
        int rc = dg_store_prepare(s, sql, &st, err);
        if (rc)
            return rc;
        dg_stmt_bind_int64(st, 1, id);
        rc = dg_stmt_step(st);
        id = 0;
        if (rc == DG_DB_ROW) {
            dg_store_tried *t = &out[(*n)++];
            st_col_copy(st, 0, t->supplier, sizeof t->supplier);
            const char *stt = dg_stmt_text(st, 1);
            const char *why = dg_stmt_text(st, 2);
            snprintf(t->outcome, sizeof t->outcome, "%s%s%s", stt ? stt : "",
                     why && *why ? ": " : "", why ? why : "");
            id = dg_stmt_int64(st, 3);
        }
        dg_stmt_reset(st);
        if (rc != DG_DB_ROW && rc != DG_DB_DONE)
            return dg_store_fail(s, err, "reading a line's suppliers");
    }
    return 0;
}

static int route_candidates_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_store_candidate *c = row;
    st_col_copy(st, 0, c->supplier, sizeof c->supplier);
    st_col_copy(st, 1, c->supplier_sku, sizeof c->supplier_sku);
    st_col_copy(st, 2, c->gtin, sizeof c->gtin);
    st_col_copy(st, 3, c->description, sizeof c->description);
    c->has_cost = !dg_stmt_column_null(st, 4);
    c->cost = dg_stmt_int64(st, 4);
    c->priority = dg_stmt_int64(st, 5);
    c->preferred = dg_stmt_int(st, 6);
    c->ship_est = dg_stmt_int64(st, 7);
    c->fee = dg_stmt_int64(st, 8);
    st_col_copy(st, 9, c->ship_to, sizeof c->ship_to);
    c->approved = dg_stmt_int(st, 10);
    c->has_stock = !dg_stmt_column_null(st, 11);
    c->stock_qty = dg_stmt_int64(st, 11);
    c->has_feed_cost = !dg_stmt_column_null(st, 12);
    c->feed_cost = dg_stmt_int64(st, 12);
    return 0;
}

int dg_store_route_candidates(dg_store *s, const char *sku, const char *gtin,
                              dg_store_candidate **rows, size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT c.supplier, c.supplier_sku, c.gtin, c.description, c.cost, c.priority,"
        " c.preferred, c.ship_estimate, c.dropship_fee, c.ship_to, c.approved, s.qty, s.cost"
        " FROM catalog c LEFT JOIN stock s ON s.supplier = c.supplier"
        " AND s.vendor_sku = c.supplier_sku"
        " WHERE c.retailer_sku = ?1 OR (?2 IS NOT NULL AND c.gtin = ?2) ORDER BY c.supplier";
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, sku ? sku : "");
    dg_stmt_bind_text(st, 2, gtin && *gtin ? gtin : NULL);
    static const st_rows how = {sizeof(dg_store_candidate), 4, route_candidates_fill, NULL, NULL,
                                "reading the catalog"};
    return st_collect(s, st, &how, rows, n, err);
}

/* po_base, or po_base-2, -3 ... : the first number no PO has yet. */
static int free_po_number(dg_store *s, const char *base, char *out, size_t size, dg_error *err)
{
    static const char sql[] = "SELECT 1 FROM supplier_pos WHERE po_number = ?1";
    snprintf(out, size, "%s", base);
    for (int k = 2; k <= 1000; k++) {
        dg_stmt *st;
        int rc = dg_store_prepare(s, sql, &st, err);
        if (rc)
            return rc;
        dg_stmt_bind_text(st, 1, out);
        rc = dg_stmt_step(st);
        dg_stmt_reset(st);
        if (rc == DG_DB_DONE)
            return 0;
        if (rc != DG_DB_ROW)
            return dg_store_fail(s, err, "checking a PO number");
        if ((size_t)snprintf(out, size, "%s-%d", base, k) >= size)
            break;
    }
    return dg_error_set(err, DG_EVALID, "no free PO number for %s", base);
}

/* "re-routed from PO 2006-NW": the reason on the new line and the new PO's first history row. */
static int old_po_number(dg_store *s, int64_t line_id, char *out, size_t size, dg_error *err)
{
    static const char sql[] = "SELECT p.po_number FROM order_lines l JOIN supplier_pos p"
                              " ON p.id = l.po_id WHERE l.id = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, line_id);
    rc = dg_stmt_step(st);
    const char *t = rc == DG_DB_ROW ? dg_stmt_text(st, 0) : NULL;
    snprintf(out, size, "re-routed from PO %s", t ? t : "?");
    dg_stmt_reset(st);
    return rc == DG_DB_ROW || rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "reading a PO");
}

int dg_store_reroute_create(dg_store *s, const dg_store_reroute *rr, const dg_status_cause *c,
                            int64_t *po_id, int64_t *line_id, char *po_number, size_t size,
                            dg_error *err)
{
    static const char po_sql[] =
        "INSERT INTO supplier_pos(po_number, supplier, order_id, status, bill_to_json, currency,"
        " total, created_at, rerouted_from)"
        " SELECT ?1, ?2, order_id, 'QUEUED', ?3, ?4, ?5, ?6, po_id FROM order_lines WHERE id = ?7"
        " RETURNING id";
    static const char line_sql[] =
        "INSERT INTO order_lines(order_id, line_no, line_number, retailer_sku, gtin, description,"
        " uom, qty_ordered, unit_price, status, reason, supplier, supplier_sku, cost,"
        " landed_cost, po_id, po_line, rerouted_from, attempt)"
        " SELECT order_id, (SELECT max(line_no) + 1 FROM order_lines WHERE order_id = l.order_id),"
        " line_number, retailer_sku, gtin, description, uom, ?2, unit_price, 'MATCHED', ?3, ?4,"
        " ?5, ?6, ?7, ?8, 1, id, attempt + 1 FROM order_lines l WHERE id = ?1 RETURNING id";
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    char number[128], reason[320];
    dg_stmt *st;
    if ((rc = free_po_number(s, rr->po_base, number, sizeof number, err)) ||
        (rc = dg_store_prepare(s, po_sql, &st, err)))
        goto fail;
    dg_stmt_bind_text(st, 1, number);
    dg_stmt_bind_text(st, 2, rr->supplier);
    dg_stmt_bind_text(st, 3, rr->bill_to_json);
    dg_stmt_bind_text(st, 4, rr->currency);
    dg_stmt_bind_int64(st, 5, rr->cost * rr->qty / 10000); /* x 10^4 times x 10^4 */
    dg_stmt_bind_int64(st, 6, dg_store_now(s));
    dg_stmt_bind_int64(st, 7, rr->from_line_id);
    if ((rc = dg_store_step_id(s, st, po_id, err, "creating a re-routed PO")))
        goto fail;
    if ((rc = old_po_number(s, rr->from_line_id, reason, sizeof reason, err)) ||
        (rc = dg_store_prepare(s, line_sql, &st, err)))
        goto fail;
    dg_stmt_bind_int64(st, 1, rr->from_line_id);
    dg_stmt_bind_int64(st, 2, rr->qty);
    dg_stmt_bind_text(st, 3, reason);
    dg_stmt_bind_text(st, 4, rr->supplier);
    dg_stmt_bind_text(st, 5, rr->supplier_sku);
    dg_stmt_bind_int64(st, 6, rr->cost);
    dg_stmt_bind_int64(st, 7, rr->landed);
    dg_stmt_bind_int64(st, 8, *po_id);
    if ((rc = dg_store_step_id(s, st, line_id, err, "recording a re-routed line")))
        goto fail;
    /* the new PO starts by the re-route; the old line moves by what caused it (855, 997 ...) */
    char from[320];
    snprintf(from, sizeof from, "%s", reason);
    dg_status_cause created = c ? *c : (dg_status_cause){0};
    created.kind = "reroute";
    created.detail = from;
    snprintf(reason, sizeof reason, "re-routed to %s on PO %s", rr->supplier, number);
    if ((rc = dg_store_po_created(s, *po_id, &created, err)) ||
        (rc = dg_store_line_set_status(s, rr->from_line_id, DG_SUP_REROUTED, reason, c, NULL, err)))
        goto fail;
    snprintf(po_number, size, "%s", number);
    return dg_store_commit(s, err);
fail:
    dg_store_rollback(s);
    return rc;
}

int dg_store_decision_add(dg_store *s, const dg_store_decision *d, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO route_decisions(order_id, order_line_id, line_no, attempt, supplier, verdict,"
        " reason, landed_cost, cause, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, d->order_id);
    if (d->line_id > 0)
        dg_stmt_bind_int64(st, 2, d->line_id);
    dg_stmt_bind_int64(st, 3, d->line_no);
    dg_stmt_bind_int64(st, 4, d->attempt);
    dg_stmt_bind_text(st, 5, d->supplier);
    dg_stmt_bind_text(st, 6, d->verdict);
    dg_stmt_bind_text(st, 7, d->reason);
    if (d->has_landed)
        dg_stmt_bind_int64(st, 8, d->landed);
    dg_stmt_bind_text(st, 9, d->cause);
    dg_stmt_bind_int64(st, 10, dg_store_now(s));
    return st_step_done(s, st, err, "recording a routing decision");
}

static int decisions_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_store_decision *d = row;
    d->order_id = dg_stmt_int64(st, 0);
    d->line_id = dg_stmt_int64(st, 1);
    d->at = dg_stmt_int64(st, 2);
    d->has_landed = !dg_stmt_column_null(st, 3);
    d->landed = dg_stmt_int64(st, 3);
    d->line_no = (long)dg_stmt_int64(st, 4);
    d->attempt = (long)dg_stmt_int64(st, 5);
    st_col_copy(st, 6, d->supplier, sizeof d->supplier);
    st_col_copy(st, 7, d->verdict, sizeof d->verdict);
    st_col_copy(st, 8, d->reason, sizeof d->reason);
    st_col_copy(st, 9, d->cause, sizeof d->cause);
    return 0;
}

int dg_store_decisions(dg_store *s, int64_t order_id, dg_store_decision **rows, size_t *n,
                       dg_error *err)
{
    static const char sql[] =
        "SELECT order_id, coalesce(order_line_id, 0), at, landed_cost, line_no, attempt,"
        " supplier, verdict, reason, cause FROM route_decisions WHERE order_id = ?1"
        " ORDER BY line_no, attempt, CASE verdict WHEN 'CHOSEN' THEN 0 WHEN 'ELIGIBLE' THEN 1"
        " ELSE 2 END, id";
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, order_id);
    static const st_rows how = {sizeof(dg_store_decision),  8, decisions_fill, NULL, NULL,
                                "reading routing decisions"};
    return st_collect(s, st, &how, rows, n, err);
}

int dg_store_order_id(dg_store *s, const char *storefront, const char *order_number, int64_t *id,
                      dg_error *err)
{
    static const char sql[] = "SELECT id FROM orders WHERE order_number = ?1"
                              " AND (?2 IS NULL OR storefront = ?2) ORDER BY id";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, order_number);
    dg_stmt_bind_text(st, 2, storefront);
    *id = 0;
    int found = 0;
    while ((rc = dg_stmt_step(st)) == DG_DB_ROW) {
        *id = dg_stmt_int64(st, 0);
        found++;
    }
    dg_stmt_reset(st);
    if (rc != DG_DB_DONE)
        return dg_store_fail(s, err, "looking up an order");
    if (!found)
        return dg_error_set(err, DG_ENOTFOUND, "no order '%s'%s%s", order_number,
                            storefront ? " at storefront " : "", storefront ? storefront : "");
    if (found > 1)
        return dg_error_set(err, DG_EINVAL,
                            "order '%s' exists at %d storefronts: name one (--storefront)",
                            order_number, found);
    return 0;
}

static int reroutes_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_store_reroute_row *r = row;
    st_col_copy(st, 0, r->order_number, sizeof r->order_number);
    st_col_copy(st, 1, r->sku, sizeof r->sku);
    st_col_copy(st, 2, r->from_supplier, sizeof r->from_supplier);
    st_col_copy(st, 3, r->why, sizeof r->why);
    st_col_copy(st, 4, r->code, sizeof r->code);
    st_col_copy(st, 5, r->promised_date, sizeof r->promised_date);
    st_col_copy(st, 6, r->to_supplier, sizeof r->to_supplier);
    st_col_copy(st, 7, r->po_number, sizeof r->po_number);
    return 0;
}

int dg_store_reroutes(dg_store *s, dg_store_reroute_row **rows, size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT o.order_number, l.retailer_sku, l.supplier,"
        " coalesce((SELECT h.from_status FROM status_history h WHERE h.order_line_id = l.id"
        "  AND h.to_status = 'REROUTED' ORDER BY h.id DESC LIMIT 1), ''),"
        " coalesce(l.ack_code, ''), coalesce(l.promised_date, ''), nl.supplier, p.po_number"
        " FROM order_lines nl JOIN order_lines l ON l.id = nl.rerouted_from"
        " JOIN orders o ON o.id = l.order_id JOIN supplier_pos p ON p.id = nl.po_id"
        " ORDER BY nl.id";
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    static const st_rows how = {sizeof(dg_store_reroute_row), 4, reroutes_fill, NULL, NULL,
                                "listing re-routed lines"};
    return st_collect(s, st, &how, rows, n, err);
}
