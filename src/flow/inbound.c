/* What suppliers send back: stock feeds, 997 acknowledgments of our POs, and ship notices, which
 * become tracking notifications for the storefront that placed the order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/model_json.h"
#include "flow/flow_internal.h"

/* ---- stock ------------------------------------------------------------------------------- */

static int ingest_stock(dg_store *s, const char *supplier, const dg_doc *doc, int64_t file_id,
                        const fl_docrec *rec, dg_flow_stock_result *res, dg_error *err)
{
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
            if ((rc = dg_store_catalog_sku_by_gtin(s, supplier, it->gtin, by_gtin, sizeof by_gtin,
                                                   err)))
                goto fail;
            vsku = by_gtin[0] ? by_gtin : NULL;
        }
        if (!vsku || !*vsku || !it->quantity_available.set)
            continue; /* nothing to key it on, or no quantity: not a stock fact */
        dg_store_stock_fact f = {.supplier = supplier,
                                 .vendor_sku = vsku,
                                 .gtin = it->gtin,
                                 .warehouse = it->warehouse,
                                 .available_date = it->available_date,
                                 .qty = it->quantity_available.v < 0 ? 0 : it->quantity_available.v,
                                 .document_id = doc_id,
                                 .cost = it->cost,
                                 .msrp = it->msrp,
                                 .map = it->map_price};
        if ((rc = dg_store_stock_put(s, &f, err)))
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
    bool ok = ack_accepts(status);
    int64_t changed = 0;
    int rc = dg_store_po_ack_997(s, supplier, group, set, status, reason,
                                 ok ? DG_PO_ACCEPTED : DG_PO_REJECTED, &changed, err);
    if (rc)
        return rc;
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
    int rc = dg_store_shipment_add(s, supplier, ref, p->id, doc_id, sh->ship_date, sh->carrier,
                                   sh->service_level, ship_id, err);
    for (size_t i = 0; !rc && i < sh->n_packages; i++)
        rc =
            dg_store_package_add(s, *ship_id, sh->packages[i].tracking_number, sh->packages[i].sscc,
                                 sh->packages[i].weight, sh->packages[i].weight_uom, err);
    for (size_t i = 0; !rc && i < p->n_lines; i++) {
        if (p->lines[i].add.v <= 0)
            continue;
        const char *pref = NULL;
        for (size_t k = 0; k < sh->n_items && !pref; k++)
            if (fl_match_line(p->lines, p->n_lines, sh->items[k].line_number,
                              sh->items[k].vendor_sku, sh->items[k].buyer_sku,
                              sh->items[k].gtin) == (int)i)
                pref = sh->items[k].package_id;
        rc = dg_store_shipment_item_add(s, *ship_id, p->lines[i].id, p->lines[i].add.v, pref, err);
    }
    return rc;
}

static const char *po_ship_status(const po_info *p)
{
    bool all = true;
    for (size_t i = 0; i < p->n_lines; i++)
        if (dg_dec_cmp(dg_dec_add(p->lines[i].shipped, p->lines[i].add), p->lines[i].ordered) < 0)
            all = false;
    return all ? DG_PO_SHIPPED : DG_PO_PARTIALLY_SHIPPED;
}

/* The storefront's view of the shipment: its order number, its line numbers and SKUs. */
static int queue_notification(dg_store *s, const dg_shipment *sh, const po_info *p, int64_t ship_id,
                              dg_error *err)
{
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
    rc = dg_store_notification_add(s, p->storefront, p->order_id, ship_id, b.data, err);
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
    if ((rc = dg_store_po_load(s, sh->po_number, &p, &found, err)))
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
    /* A shipment is a duplicate when the supplier already sent this shipment id for this PO:
     * one 856 covering several POs becomes one shipment per PO, all with the same id (BSN02). */
    if ((rc = dg_store_shipment_seen(s, supplier, refp, p.id, &seen, err)))
        goto fail;
    if (seen) {
        res->outcome = DG_FLOW_DUPLICATE;
        dg_store_po_free(&p);
        return dg_store_commit(s, err);
    }
    if ((rc = plan_shipment(sh, &p, err)))
        goto fail;
    int64_t doc_id = 0;
    const char *status = po_ship_status(&p);
    if ((rc = fl_document_add(s, supplier, rec, doc, file_id, status, &doc_id, err)) ||
        (rc = record_shipment(s, supplier, refp, doc_id, sh, &p, &res->shipment_id, err)) ||
        (rc = dg_store_po_shipped(s, p.id, status, err)) ||
        (rc = queue_notification(s, sh, &p, res->shipment_id, err)))
        goto fail;
    dg_status_cause cause = {
        .kind = fl_cause_kind(doc), .document_id = doc_id, .detail = sh->shipment_id};
    if ((rc = dg_store_po_status_refresh(s, p.id, &cause, NULL, err)))
        goto fail;
    res->po_status = status;
    res->outcome = DG_FLOW_OK;
    dg_store_po_free(&p);
    return dg_store_commit(s, err);
fail:
    dg_store_po_free(&p);
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

/* The store's rows with their canonical shipment read back. */
static int list_notifications(dg_store *s, const char *storefront, bool webhooks,
                              dg_flow_notification **out, size_t *n, dg_error *err)
{
    *out = NULL;
    *n = 0;
    dg_store_notification *rows = NULL;
    size_t nr = 0;
    int rc = dg_store_notifications(s, storefront, webhooks, &rows, &nr, err);
    if (rc)
        return rc;
    dg_flow_notification *v = nr ? calloc(nr, sizeof *v) : NULL;
    if (nr && !v) {
        dg_store_notifications_free(rows, nr);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < nr; i++) {
        dg_flow_notification *x = &v[i];
        x->id = rows[i].id;
        x->storefront = rows[i].storefront;
        x->order_number = rows[i].order_number;
        x->po_number = rows[i].po_number;
        x->json = rows[i].json;
        rows[i] = (dg_store_notification){0}; /* moved */
        dg_error jerr = {0};
        if (!x->json || dg_doc_from_json(x->json, strlen(x->json), &x->doc, &jerr)) {
            long long id = (long long)x->id; /* x lives in v, freed next */
            dg_store_notifications_free(rows, nr);
            dg_flow_notifications_free(v, i + 1);
            return dg_error_set(err, DG_ESTATE, "notification %lld: bad stored JSON: %s", id,
                                jerr.msg);
        }
    }
    dg_store_notifications_free(rows, nr);
    *out = v;
    *n = nr;
    return 0;
}

int dg_flow_pending_notifications(dg_store *s, const char *storefront, dg_flow_notification **out,
                                  size_t *n, dg_error *err)
{
    return list_notifications(s, storefront, false, out, n, err);
}

int dg_flow_pending_webhooks(dg_store *s, const char *storefront, dg_flow_notification **out,
                             size_t *n, dg_error *err)
{
    return list_notifications(s, storefront, true, out, n, err);
}

int dg_flow_notification_queued(dg_store *s, int64_t notification_id, const char *file_name,
                                const char *content_sha256, const char *local_path,
                                int64_t *outbox_id, dg_error *err)
{
    if (!file_name)
        return dg_error_set(err, DG_EINVAL, "notification_queued: file name needed");
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    char storefront[64] = "", order[64] = "";
    int64_t existing = 0;
    bool found = false;
    if ((rc = dg_store_notification_find(s, notification_id, storefront, sizeof storefront, order,
                                         sizeof order, &existing, &found, err)))
        goto fail;
    if (!found) {
        rc = dg_error_set(err, DG_ENOTFOUND, "notification %lld: not found",
                          (long long)notification_id);
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
    if ((rc = dg_store_notification_mark(s, notification_id, DG_NOTE_QUEUED, id, err)))
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
    return dg_store_notification_mark(s, notification_id, DG_NOTE_SENT, 0, err);
}

int dg_flow_webhook_done(dg_store *s, int64_t notification_id, dg_error *err)
{
    return dg_store_notification_mark(s, notification_id, DG_NOTE_WEBHOOK_DONE, 0, err);
}
