/* What suppliers send back: stock feeds, 997 acknowledgments of our POs, and ship notices, which
 * become tracking notifications for the storefront that placed the order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/model_json.h"
#include "flow/flow_internal.h"

/* ---- stock ------------------------------------------------------------------------------- */

static int sku_by_gtin(dg_store *s, const char *supplier, const char *gtin, char *out, size_t size,
                       dg_error *err)
{
    static const char sql[] =
        "SELECT supplier_sku FROM catalog WHERE supplier = ?1 AND gtin = ?2 LIMIT 1";
    out[0] = '\0';
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    fl_bind_text(st, 1, supplier);
    fl_bind_text(st, 2, gtin);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW)
        fl_col_copy(st, 0, out, size);
    dg_stmt_reset(st);
    return rc == DG_DB_ROW || rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "catalog by GTIN");
}

static int ingest_stock(dg_store *s, const char *supplier, const dg_doc *doc, int64_t file_id,
                        const fl_docrec *rec, dg_flow_stock_result *res, dg_error *err)
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
    memset(res, 0, sizeof *res);
    if (!supplier || !doc || doc->kind != DG_DOC_STOCK)
        return dg_error_set(err, DG_EINVAL, "ingest_stock: supplier and a stock document");
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    bool seen = false;
    int64_t doc_id = 0;
    if ((rc = fl_already(s, rec, doc, file_id, &seen, err)))
        goto fail;
    if (seen) {
        res->outcome = DG_FLOW_DUPLICATE;
        return dg_store_commit(s, err);
    }
    if ((rc = fl_document_add(s, supplier, rec, doc, file_id, "OK", &doc_id, err)))
        goto fail;
    const dg_stock *sk = &doc->u.stock;
    for (size_t i = 0; i < sk->n_items; i++) {
        const dg_stock_item *it = &sk->items[i];
        char by_gtin[128];
        const char *vsku = it->vendor_sku;
        if ((!vsku || !*vsku) && it->gtin) {
            if ((rc = sku_by_gtin(s, supplier, it->gtin, by_gtin, sizeof by_gtin, err)))
                goto fail;
            vsku = by_gtin[0] ? by_gtin : NULL;
        }
        if (!vsku || !*vsku || !it->quantity_available.set)
            continue; /* nothing to key it on, or no quantity: not a stock fact */
        dg_stmt *st;
        if ((rc = dg_store_prepare(s, sql, &st, err)))
            goto fail;
        fl_bind_text(st, 1, supplier);
        fl_bind_text(st, 2, vsku);
        fl_bind_text(st, 3, it->gtin);
        dg_stmt_bind_int64(st, 4, it->quantity_available.v < 0 ? 0 : it->quantity_available.v);
        fl_bind_dec(st, 5, it->cost);
        fl_bind_dec(st, 6, it->msrp);
        fl_bind_dec(st, 7, it->map_price);
        fl_bind_text(st, 8, it->warehouse);
        fl_bind_text(st, 9, it->available_date);
        dg_stmt_bind_int64(st, 10, doc_id);
        dg_stmt_bind_int64(st, 11, dg_store_now(s));
        if ((rc = fl_step_done(s, st, err, "updating stock")))
            goto fail;
        res->items++;
    }
    res->outcome = DG_FLOW_OK;
    return dg_store_commit(s, err);
fail:
    dg_store_rollback(s);
    return rc;
}

int dg_flow_ingest_stock(dg_store *s, const char *supplier, const dg_doc *doc, int64_t file_id,
                         dg_flow_stock_result *res, dg_error *err)
{
    fl_docrec rec = {0};
    if (doc)
        fl_docrec_init(&rec, doc);
    int rc = ingest_stock(s, supplier, doc, file_id, &rec, res, err);
    fl_docrec_free(&rec);
    return rc;
}

/* ---- 997 --------------------------------------------------------------------------------- */

static bool ack_accepts(const char *code)
{
    return code && (!strcmp(code, "A") || !strcmp(code, "E"));
}

/* Applies one AK5/AK9 result to the POs of supplier with these control numbers (set NULL: the
 * whole group). Control numbers compare as integers ("0001" == "1"). */
static int apply_ack(dg_store *s, const char *supplier, const char *group, const char *set,
                     const char *status, const char *reason, dg_flow_ack_result *res, dg_error *err)
{
    static const char sql[] =
        "UPDATE supplier_pos SET ack_at = ?5, ack_status = ?4, ack_reason = ?6,"
        " status = CASE WHEN status IN ('QUEUED','SENT','AWAITING_SHIPMENT','ACCEPTED','REJECTED')"
        " THEN ?7 ELSE status END"
        " WHERE supplier = ?1 AND CAST(group_control AS INTEGER) = CAST(?2 AS INTEGER)"
        " AND (?3 IS NULL OR CAST(set_control AS INTEGER) = CAST(?3 AS INTEGER))"
        " AND outbox_id IS NOT NULL";
    bool ok = ack_accepts(status);
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    fl_bind_text(st, 1, supplier);
    fl_bind_text(st, 2, group);
    fl_bind_text(st, 3, set);
    fl_bind_text(st, 4, status);
    dg_stmt_bind_int64(st, 5, dg_store_now(s));
    fl_bind_text(st, 6, reason);
    fl_bind_text(st, 7, ok ? DG_PO_ACCEPTED : DG_PO_REJECTED);
    if ((rc = fl_step_done(s, st, err, "recording a 997")))
        return rc;
    int64_t changed = dg_db_changes(dg_store_db(s));
    if (!changed)
        res->unknown++;
    else if (ok)
        res->accepted += (size_t)changed;
    else
        res->rejected += (size_t)changed;
    return 0;
}

int dg_flow_ingest_ack(dg_store *s, const char *supplier, const dg_flow_ack *ack, int64_t file_id,
                       dg_flow_ack_result *res, dg_error *err)
{
    memset(res, 0, sizeof *res);
    if (!supplier || !ack || !ack->group_control)
        return dg_error_set(err, DG_EVALID, "%s: 997 without a group control number (AK102)",
                            supplier ? supplier : "?");
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    int64_t seen = 0;
    if ((rc = dg_store_document_find(s, file_id, ack->position, "ack", &seen, err)))
        goto fail;
    if (seen) {
        res->outcome = DG_FLOW_DUPLICATE;
        return dg_store_commit(s, err);
    }
    if (ack->n_sets == 0) {
        if ((rc = apply_ack(s, supplier, ack->group_control, NULL,
                            ack->group_status ? ack->group_status : "A", NULL, res, err)))
            goto fail;
    }
    for (size_t i = 0; i < ack->n_sets; i++) {
        const dg_flow_ack_set *a = &ack->sets[i];
        if ((rc = apply_ack(s, supplier, ack->group_control, a->set_control,
                            a->status ? a->status : ack->group_status, a->reason, res, err)))
            goto fail;
    }
    char outcome[64];
    snprintf(outcome, sizeof outcome, "accepted=%zu rejected=%zu unknown=%zu", res->accepted,
             res->rejected, res->unknown);
    if ((rc = dg_store_document_add(s, "ack", supplier, file_id, ack->position, NULL,
                                    ack->group_control, NULL, NULL, outcome, NULL, err)))
        goto fail;
    res->outcome = DG_FLOW_OK;
    return dg_store_commit(s, err);
fail:
    dg_store_rollback(s);
    return rc;
}

/* ---- ASNs -------------------------------------------------------------------------------- */

void fl_po_info_free(po_info *p)
{
    free(p->ship_to_json);
    free(p->lines);
    p->ship_to_json = NULL;
    p->lines = NULL;
}

int fl_load_po(dg_store *s, const char *po_number, po_info *p, bool *found, dg_error *err)
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
    fl_bind_text(st, 1, po_number);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW) {
        *found = true;
        p->id = dg_stmt_int64(st, 0);
        fl_col_copy(st, 1, p->supplier, sizeof p->supplier);
        fl_col_copy(st, 2, p->status, sizeof p->status);
        p->order_id = dg_stmt_int64(st, 3);
        fl_col_copy(st, 4, p->storefront, sizeof p->storefront);
        fl_col_copy(st, 5, p->order_number, sizeof p->order_number);
        p->ship_to_json = fl_col_dup(st, 6);
        fl_col_copy(st, 7, p->currency, sizeof p->currency);
    }
    dg_stmt_reset(st);
    if (rc != DG_DB_ROW)
        return rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "looking up a PO");
    if ((rc = dg_store_prepare(s, lines, &st, err)))
        return rc;
    dg_stmt_bind_int64(st, 1, p->id);
    size_t cap = 0;
    while ((rc = dg_stmt_step(st)) == DG_DB_ROW) {
        po_line *grown = dg_array_slot(p->lines, sizeof *grown, p->n_lines, &cap, 8);
        if (!grown) {
            dg_stmt_reset(st);
            return dg_error_set(err, DG_ENOMEM, "out of memory");
        }
        p->lines = grown;
        po_line *l = &p->lines[p->n_lines++];
        l->id = dg_stmt_int64(st, 0);
        l->po_line = (long)dg_stmt_int64(st, 1);
        fl_col_copy(st, 2, l->line_number, sizeof l->line_number);
        fl_col_copy(st, 3, l->retailer_sku, sizeof l->retailer_sku);
        fl_col_copy(st, 4, l->supplier_sku, sizeof l->supplier_sku);
        fl_col_copy(st, 5, l->gtin, sizeof l->gtin);
        l->ordered = fl_col_dec(st, 6);
        l->shipped = fl_col_dec(st, 7);
        l->add = (dg_dec){0, true};
        l->cost = fl_col_dec(st, 8);
        l->invoiced = fl_col_dec(st, 9);
        l->cancelled = fl_col_dec(st, 10);
        l->ack_price = fl_col_dec(st, 11);
        fl_col_copy(st, 12, l->supplier_status, sizeof l->supplier_status);
    }
    dg_stmt_reset(st);
    return rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "reading PO lines");
}

int fl_match_line(const po_line *lines, size_t n, const char *line_number, const char *vsku,
                  const char *bsku, const char *gtin)
{
    const char *skus[2] = {vsku, bsku};
    for (size_t k = 0; k < 2; k++) {
        if (!skus[k] || !*skus[k])
            continue;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(lines[i].supplier_sku, skus[k]))
                return (int)i;
        for (size_t i = 0; i < n; i++)
            if (!strcmp(lines[i].retailer_sku, skus[k]))
                return (int)i;
    }
    if (gtin && *gtin)
        for (size_t i = 0; i < n; i++)
            if (!strcmp(lines[i].gtin, gtin))
                return (int)i;
    if (line_number && *line_number && !(vsku && *vsku) && !(bsku && *bsku)) {
        char *end = NULL;
        long no = strtol(line_number, &end, 10);
        for (size_t i = 0; end && !*end && i < n; i++)
            if (lines[i].po_line == no)
                return (int)i;
    }
    return -1;
}

/* A shipment is a duplicate when the supplier already sent this shipment id for this PO: one 856
 * covering several POs becomes one shipment per PO, all with the same id (BSN02). */
static int shipment_seen(dg_store *s, const char *supplier, const char *ref, int64_t po_id,
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
    fl_bind_text(st, 1, supplier);
    fl_bind_text(st, 2, ref);
    dg_stmt_bind_int64(st, 3, po_id);
    rc = dg_stmt_step(st);
    dg_stmt_reset(st);
    *seen = rc == DG_DB_ROW;
    return rc == DG_DB_ROW || rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "shipment lookup");
}

/* Works out the quantities this ASN ships per PO line; DG_EVALID on a wrong ASN. */
static int plan_shipment(const dg_shipment *sh, po_info *p, dg_error *err)
{
    char a[32], b[32], c[32];
    if (sh->n_items == 0) { /* tracking only: everything still open ships */
        bool any = false;
        for (size_t i = 0; i < p->n_lines; i++) {
            p->lines[i].add = dg_dec_sub(p->lines[i].ordered, p->lines[i].shipped);
            any = any || p->lines[i].add.v > 0;
        }
        if (!any)
            return dg_error_set(err, DG_EVALID,
                                "ASN for PO %s: over-shipment: the PO is already fully shipped",
                                sh->po_number);
        return 0;
    }
    for (size_t i = 0; i < sh->n_items; i++) {
        const dg_shipment_item *it = &sh->items[i];
        int k = fl_match_line(p->lines, p->n_lines, it->line_number, it->vendor_sku, it->buyer_sku,
                              it->gtin);
        if (k < 0)
            return dg_error_set(
                err, DG_EVALID, "ASN for PO %s: item %s%s%s is not on the PO", sh->po_number,
                it->vendor_sku  ? it->vendor_sku
                : it->buyer_sku ? it->buyer_sku
                : it->gtin      ? it->gtin
                                : "(no SKU)",
                it->line_number ? " line " : "", it->line_number ? it->line_number : "");
        if (!it->quantity_shipped.set || it->quantity_shipped.v < 0)
            return dg_error_set(err, DG_EVALID, "ASN for PO %s: item %s has no shipped quantity",
                                sh->po_number, p->lines[k].supplier_sku);
        fl_split_spread(p, (size_t)k, it->quantity_shipped, false);
    }
    for (size_t i = 0; i < p->n_lines; i++) {
        po_line *l = &p->lines[i];
        if (dg_dec_cmp(dg_dec_add(l->shipped, l->add), l->ordered) > 0)
            return dg_error_set(
                err, DG_EVALID,
                "ASN for PO %s: over-shipment of %s (PO line %ld): ordered %s, "
                "shipped before %s, this ASN %s",
                sh->po_number, l->supplier_sku, l->po_line, dg_dec_format(l->ordered, a, sizeof a),
                dg_dec_format(l->shipped, b, sizeof b), dg_dec_format(l->add, c, sizeof c));
    }
    return 0;
}

static int record_shipment(dg_store *s, const char *supplier, const char *ref, int64_t doc_id,
                           const dg_shipment *sh, const po_info *p, int64_t *ship_id, dg_error *err)
{
    static const char ins[] =
        "INSERT INTO shipments(supplier, shipment_ref, po_id, document_id, ship_date, carrier,"
        " service, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
    static const char pkg[] =
        "INSERT INTO packages(shipment_id, tracking_number, sscc, weight, weight_uom)"
        " VALUES (?1, ?2, ?3, ?4, ?5)";
    static const char item[] =
        "INSERT INTO shipment_items(shipment_id, order_line_id, qty, package_ref)"
        " VALUES (?1, ?2, ?3, ?4)";
    static const char upd[] = "UPDATE order_lines SET qty_shipped = qty_shipped + ?2"
                              " WHERE id = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, ins, &st, err);
    if (rc)
        return rc;
    fl_bind_text(st, 1, supplier);
    fl_bind_text(st, 2, ref);
    dg_stmt_bind_int64(st, 3, p->id);
    dg_stmt_bind_int64(st, 4, doc_id);
    fl_bind_text(st, 5, sh->ship_date);
    fl_bind_text(st, 6, sh->carrier);
    fl_bind_text(st, 7, sh->service_level);
    dg_stmt_bind_int64(st, 8, dg_store_now(s));
    if ((rc = dg_store_step_id(s, st, ship_id, err, "recording a shipment")))
        return rc;
    for (size_t i = 0; i < sh->n_packages; i++) {
        if ((rc = dg_store_prepare(s, pkg, &st, err)))
            return rc;
        dg_stmt_bind_int64(st, 1, *ship_id);
        fl_bind_text(st, 2, sh->packages[i].tracking_number);
        fl_bind_text(st, 3, sh->packages[i].sscc);
        fl_bind_dec(st, 4, sh->packages[i].weight);
        fl_bind_text(st, 5, sh->packages[i].weight_uom);
        if ((rc = fl_step_done(s, st, err, "recording a package")))
            return rc;
    }
    for (size_t i = 0; i < p->n_lines; i++) {
        if (p->lines[i].add.v <= 0)
            continue;
        if ((rc = dg_store_prepare(s, item, &st, err)))
            return rc;
        dg_stmt_bind_int64(st, 1, *ship_id);
        dg_stmt_bind_int64(st, 2, p->lines[i].id);
        dg_stmt_bind_int64(st, 3, p->lines[i].add.v);
        const char *pref = NULL;
        for (size_t k = 0; k < sh->n_items && !pref; k++)
            if (fl_match_line(p->lines, p->n_lines, sh->items[k].line_number,
                              sh->items[k].vendor_sku, sh->items[k].buyer_sku,
                              sh->items[k].gtin) == (int)i)
                pref = sh->items[k].package_id;
        fl_bind_text(st, 4, pref);
        if ((rc = fl_step_done(s, st, err, "recording a shipped item")))
            return rc;
        if ((rc = dg_store_prepare(s, upd, &st, err)))
            return rc;
        dg_stmt_bind_int64(st, 1, p->lines[i].id);
        dg_stmt_bind_int64(st, 2, p->lines[i].add.v);
        if ((rc = fl_step_done(s, st, err, "updating shipped quantities")))
            return rc;
    }
    return 0;
}

static const char *po_ship_status(const po_info *p)
{
    bool all = true;
    for (size_t i = 0; i < p->n_lines; i++)
        if (dg_dec_cmp(dg_dec_add(p->lines[i].shipped, p->lines[i].add), p->lines[i].ordered) < 0)
            all = false;
    return all ? DG_PO_SHIPPED : DG_PO_PARTIALLY_SHIPPED;
}

static int set_po_status(dg_store *s, int64_t po_id, const char *status, dg_error *err)
{
    static const char sql[] = "UPDATE supplier_pos SET status = ?2, shipped_at = ?3 WHERE id = ?1"
                              " AND status <> 'INVOICED'";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, po_id);
    fl_bind_text(st, 2, status);
    dg_stmt_bind_int64(st, 3, dg_store_now(s));
    return fl_step_done(s, st, err, "moving a PO");
}

/* The storefront's view of the shipment: its order number, its line numbers and SKUs. */
static int queue_notification(dg_store *s, const dg_shipment *sh, const po_info *p, int64_t ship_id,
                              dg_error *err)
{
    static const char sql[] =
        "INSERT INTO notifications(storefront, order_id, shipment_id, json, state, created_at)"
        " VALUES (?1, ?2, ?3, ?4, 'PENDING', ?5)";
    dg_doc *d = dg_doc_new(DG_DOC_SHIPMENT);
    dg_shipment *o = &d->u.shipment;
    dg_arena *a = d->arena;
    o->shipment_id = dg_arena_strdup(a, sh->shipment_id);
    o->po_number = dg_arena_strdup(a, p->order_number);
    o->ship_date = dg_arena_strdup(a, sh->ship_date);
    o->ship_time = dg_arena_strdup(a, sh->ship_time);
    o->carrier = dg_arena_strdup(a, sh->carrier);
    o->service_level = dg_arena_strdup(a, sh->service_level);
    fl_party_from_json(a, p->ship_to_json, &o->ship_to);
    for (size_t i = 0; i < sh->n_packages; i++) {
        dg_package *pk = dg_shipment_add_package(d);
        pk->tracking_number = dg_arena_strdup(a, sh->packages[i].tracking_number);
        pk->sscc = dg_arena_strdup(a, sh->packages[i].sscc);
        pk->weight = sh->packages[i].weight;
        pk->weight_uom = dg_arena_strdup(a, sh->packages[i].weight_uom);
    }
    const char *only_pkg = sh->n_packages == 1 ? sh->packages[0].tracking_number : NULL;
    for (size_t i = 0; i < p->n_lines; i++) {
        const po_line *l = &p->lines[i];
        if (l->add.v <= 0)
            continue;
        dg_shipment_item *it = dg_shipment_add_item(d);
        it->line_number = l->line_number[0] ? dg_arena_strdup(a, l->line_number) : NULL;
        it->buyer_sku = dg_arena_strdup(a, l->retailer_sku);
        it->vendor_sku = dg_arena_strdup(a, l->retailer_sku);
        it->gtin = l->gtin[0] ? dg_arena_strdup(a, l->gtin) : NULL;
        it->quantity_shipped = l->add;
        it->uom = dg_arena_strdup(a, "EA");
        const char *pref = NULL;
        for (size_t k = 0; k < sh->n_items && !pref; k++)
            if (fl_match_line(p->lines, p->n_lines, sh->items[k].line_number,
                              sh->items[k].vendor_sku, sh->items[k].buyer_sku,
                              sh->items[k].gtin) == (int)i)
                pref = sh->items[k].package_id;
        it->package_id = dg_arena_strdup(a, pref ? pref : only_pkg);
    }
    dg_buf b = DG_BUF_INIT;
    int rc = dg_doc_to_json(d, 0, &b, err);
    dg_doc_free(d);
    if (rc) {
        dg_buf_free(&b);
        return rc;
    }
    dg_stmt *st;
    if (!(rc = dg_store_prepare(s, sql, &st, err))) {
        fl_bind_text(st, 1, p->storefront);
        dg_stmt_bind_int64(st, 2, p->order_id);
        dg_stmt_bind_int64(st, 3, ship_id);
        fl_bind_text(st, 4, b.data);
        dg_stmt_bind_int64(st, 5, dg_store_now(s));
        rc = fl_step_done(s, st, err, "queueing a tracking notification");
    }
    dg_buf_free(&b);
    return rc;
}

static int ingest_shipment(dg_store *s, const char *supplier, const dg_doc *doc, int64_t file_id,
                           const fl_docrec *rec, dg_flow_shipment_result *res, dg_error *err)
{
    memset(res, 0, sizeof *res);
    if (!supplier || !doc || doc->kind != DG_DOC_SHIPMENT)
        return dg_error_set(err, DG_EINVAL, "ingest_shipment: supplier and a shipment");
    const dg_shipment *sh = &doc->u.shipment;
    if (!sh->po_number || !*sh->po_number)
        return dg_error_set(err, DG_EVALID, "%s: ASN %s names no PO number", supplier,
                            sh->shipment_id ? sh->shipment_id : "(no id)");
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    po_info p;
    bool found = false, seen = false;
    if ((rc = fl_already(s, rec, doc, file_id, &seen, err)))
        goto fail0;
    if (seen) {
        res->outcome = DG_FLOW_DUPLICATE;
        return dg_store_commit(s, err);
    }
    if ((rc = fl_load_po(s, sh->po_number, &p, &found, err)))
        goto fail;
    if (!found) {
        rc = dg_error_set(err, DG_EVALID, "%s: ASN %s for unknown PO %s", supplier,
                          sh->shipment_id ? sh->shipment_id : "(no id)", sh->po_number);
        goto fail;
    }
    if (strcmp(p.supplier, supplier)) {
        rc = dg_error_set(err, DG_EVALID, "%s: ASN for PO %s, which was sent to %s", supplier,
                          sh->po_number, p.supplier);
        goto fail;
    }
    snprintf(res->storefront, sizeof res->storefront, "%s", p.storefront);
    snprintf(res->order_number, sizeof res->order_number, "%s", p.order_number);
    char ref[256];
    const char *refp = sh->shipment_id;
    if (!refp && sh->n_packages && sh->packages[0].tracking_number) {
        snprintf(ref, sizeof ref, "%s/%s", sh->po_number, sh->packages[0].tracking_number);
        refp = ref;
    }
    if ((rc = shipment_seen(s, supplier, refp, p.id, &seen, err)))
        goto fail;
    if (seen) {
        res->outcome = DG_FLOW_DUPLICATE;
        fl_po_info_free(&p);
        return dg_store_commit(s, err);
    }
    if ((rc = plan_shipment(sh, &p, err)))
        goto fail;
    int64_t doc_id = 0;
    const char *status = po_ship_status(&p);
    if ((rc = fl_document_add(s, supplier, rec, doc, file_id, status, &doc_id, err)) ||
        (rc = record_shipment(s, supplier, refp, doc_id, sh, &p, &res->shipment_id, err)) ||
        (rc = set_po_status(s, p.id, status, err)) ||
        (rc = queue_notification(s, sh, &p, res->shipment_id, err)))
        goto fail;
    dg_status_cause cause = {
        .kind = fl_cause_kind(doc), .document_id = doc_id, .detail = sh->shipment_id};
    if ((rc = dg_store_po_status_refresh(s, p.id, &cause, NULL, err)))
        goto fail;
    res->po_status = status;
    res->outcome = DG_FLOW_OK;
    fl_po_info_free(&p);
    return dg_store_commit(s, err);
fail:
    fl_po_info_free(&p);
fail0:
    dg_store_rollback(s);
    return rc;
}

int dg_flow_ingest_shipment(dg_store *s, const char *supplier, const dg_doc *doc, int64_t file_id,
                            dg_flow_shipment_result *res, dg_error *err)
{
    fl_docrec rec = {0};
    if (doc)
        fl_docrec_init(&rec, doc);
    int rc = ingest_shipment(s, supplier, doc, file_id, &rec, res, err);
    fl_docrec_free(&rec);
    return rc;
}

/* ---- notifications ----------------------------------------------------------------------- */

void dg_flow_notifications_free(dg_flow_notification *ns, size_t n)
{
    for (size_t i = 0; ns && i < n; i++) {
        free(ns[i].storefront);
        free(ns[i].order_number);
        free(ns[i].po_number);
        free(ns[i].json);
        dg_doc_free(ns[i].doc);
    }
    free(ns);
}

static int list_notifications(dg_store *s, const char *sql, const char *storefront,
                              dg_flow_notification **out, size_t *n, dg_error *err)
{
    *out = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    fl_bind_text(st, 1, storefront);
    size_t cap = 0, count = 0;
    dg_flow_notification *v = NULL;
    while ((rc = dg_stmt_step(st)) == DG_DB_ROW) {
        dg_flow_notification *grown = dg_array_slot(v, sizeof *grown, count, &cap, 8);
        if (!grown) {
            rc = DG_ENOMEM;
            break;
        }
        v = grown;
        dg_flow_notification *x = &v[count++];
        x->id = dg_stmt_int64(st, 0);
        x->storefront = fl_col_dup(st, 1);
        x->order_number = fl_col_dup(st, 2);
        x->po_number = fl_col_dup(st, 3);
        x->json = fl_col_dup(st, 4);
        dg_error jerr = {0};
        if (!x->json || dg_doc_from_json(x->json, strlen(x->json), &x->doc, &jerr)) {
            long long id = (long long)x->id; /* x lives in v, freed next */
            dg_stmt_reset(st);
            dg_flow_notifications_free(v, count);
            return dg_error_set(err, DG_ESTATE, "notification %lld: bad stored JSON: %s", id,
                                jerr.msg);
        }
    }
    dg_stmt_reset(st);
    if (rc != DG_DB_DONE) {
        dg_flow_notifications_free(v, count);
        return dg_store_fail(s, err, "listing notifications");
    }
    *out = v;
    *n = count;
    return 0;
}

int dg_flow_pending_notifications(dg_store *s, const char *storefront, dg_flow_notification **out,
                                  size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT n.id, n.storefront, o.order_number, p.po_number, n.json FROM notifications n"
        " JOIN orders o ON o.id = n.order_id JOIN shipments sh ON sh.id = n.shipment_id"
        " JOIN supplier_pos p ON p.id = sh.po_id"
        " WHERE n.state = 'PENDING' AND (?1 IS NULL OR n.storefront = ?1) ORDER BY n.id";
    return list_notifications(s, sql, storefront, out, n, err);
}

int dg_flow_pending_webhooks(dg_store *s, const char *storefront, dg_flow_notification **out,
                             size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT n.id, n.storefront, o.order_number, p.po_number, n.json FROM notifications n"
        " JOIN orders o ON o.id = n.order_id JOIN shipments sh ON sh.id = n.shipment_id"
        " JOIN supplier_pos p ON p.id = sh.po_id"
        " WHERE n.webhook_done = 0 AND (?1 IS NULL OR n.storefront = ?1) ORDER BY n.id";
    return list_notifications(s, sql, storefront, out, n, err);
}

static int notification_exec(dg_store *s, const char *sql, int64_t id, int64_t arg, dg_error *err)
{
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, id);
    dg_stmt_bind_int64(st, 2, arg);
    if ((rc = fl_step_done(s, st, err, "updating a notification")))
        return rc;
    return 0;
}

int dg_flow_notification_queued(dg_store *s, int64_t notification_id, const char *file_name,
                                const char *content_sha256, const char *local_path,
                                int64_t *outbox_id, dg_error *err)
{
    static const char sel[] =
        "SELECT n.storefront, n.outbox_id, o.order_number FROM notifications n"
        " JOIN orders o ON o.id = n.order_id WHERE n.id = ?1";
    static const char upd[] =
        "UPDATE notifications SET outbox_id = ?2, state = 'QUEUED' WHERE id = ?1"
        " AND state = 'PENDING'";
    if (!file_name)
        return dg_error_set(err, DG_EINVAL, "notification_queued: file name needed");
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    dg_stmt *st;
    if ((rc = dg_store_prepare(s, sel, &st, err)))
        goto fail;
    dg_stmt_bind_int64(st, 1, notification_id);
    int step = dg_stmt_step(st);
    char storefront[64] = "", order[64] = "";
    int64_t existing = 0;
    if (step == DG_DB_ROW) {
        fl_col_copy(st, 0, storefront, sizeof storefront);
        existing = dg_stmt_int64(st, 1);
        fl_col_copy(st, 2, order, sizeof order);
    }
    dg_stmt_reset(st);
    if (step != DG_DB_ROW) {
        rc = step == DG_DB_DONE ? dg_error_set(err, DG_ENOTFOUND, "notification %lld: not found",
                                               (long long)notification_id)
                                : dg_store_fail(s, err, "reading a notification");
        goto fail;
    }
    if (existing > 0) {
        if (outbox_id)
            *outbox_id = existing;
        return dg_store_commit(s, err);
    }
    int64_t id = 0;
    bool existed = false;
    if ((rc = dg_store_outbox_add(s, storefront, "tracking", order, file_name, content_sha256,
                                  local_path, &id, &existed, err)))
        goto fail;
    if (existed) {
        rc = dg_error_set(err, DG_EDUP, "notification %lld: outbox file name %s already used",
                          (long long)notification_id, file_name);
        goto fail;
    }
    if ((rc = notification_exec(s, upd, notification_id, id, err)))
        goto fail;
    if (outbox_id)
        *outbox_id = id;
    return dg_store_commit(s, err);
fail:
    dg_store_rollback(s);
    return rc;
}

int dg_flow_notification_sent(dg_store *s, int64_t notification_id, dg_error *err)
{
    static const char sql[] = "UPDATE notifications SET state = 'SENT', sent_at = ?2"
                              " WHERE id = ?1 AND state <> 'SENT'";
    return notification_exec(s, sql, notification_id, dg_store_now(s), err);
}

int dg_flow_webhook_done(dg_store *s, int64_t notification_id, dg_error *err)
{
    static const char sql[] = "UPDATE notifications SET webhook_done = 1 WHERE id = ?1"
                              " AND ?2 = ?2";
    return notification_exec(s, sql, notification_id, 0, err);
}
