/* Ingest of one picked-up file: map it through its drop's mapping, hand each document to the
 * flow, and record the pickup with everything it became in ONE store transaction, so a crash
 * leaves either nothing (the file is taken again) or all of it (only the after-action is redone).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

#include "core/log.h"
#include "flow/flow.h"
#include "gateway/gw_internal.h"
#include "store/store.h"

static dg_pickup_key key_of(const gw_pickup *pk)
{
    dg_pickup_key k = {pk->partner->name, pk->remote_path, pk->size, pk->mtime, pk->sha256};
    return k;
}

int gw_pickup_lookup(dg_gw *g, const gw_pickup *pk, gw_pickup_state *st, dg_error *err)
{
    dg_pickup_key k = key_of(pk);
    dg_pickup_info info = {0};
    int rc = dg_store_pickup_lookup(g->store, &k, &info, err);
    if (rc)
        return rc;
    *st = info.state == DG_PICKUP_DONE || info.state == DG_PICKUP_PARTIAL ? GW_PICKUP_DONE
          : info.state == DG_PICKUP_QUARANTINED                           ? GW_PICKUP_QUARANTINED
                                                                          : GW_PICKUP_NEW;
    return 0;
}

int gw_pickup_record_quarantined(dg_gw *g, const gw_pickup *pk, const char *reason,
                                 const char *where, dg_error *err)
{
    dg_pickup_key k = key_of(pk);
    int64_t file_id = 0, id = 0;
    int rc = dg_store_begin(g->store, err);
    if (rc)
        return rc;
    if ((rc = dg_store_file_add(g->store, pk->sha256, pk->partner->name, "in", pk->name, pk->size,
                                &file_id, err)) ||
        (rc = dg_store_pickup_record(g->store, &k, DG_PICKUP_QUARANTINED, reason, where, file_id,
                                     &id, err))) {
        dg_store_rollback(g->store);
        return rc;
    }
    /* The partner learns of the rejection from its 997: every set AK5 R (with the AK3/AK4
     * detail when the X12 check found it), also when the mapping or the flow refused a file
     * the check accepted. A file with no readable group cannot be acknowledged by a 997:
     * nothing is sent then. */
    bool routed = pk->drop->route_x12;
    if (pk->drop->ack && !pk->drop->acks && (!routed || (pk->x12 && pk->x12->res))) {
        dg_error e = {0};
        int arc = dg_store_begin(g->store, &e);
        if (!arc) {
            /* Routed by envelope: each sender gets its own 997 (or TA1 for a duplicate), from
             * what the routing found; an unknown sender gets nothing. */
            arc = routed ? gw_x12_queue_acks(g, pk, pk->x12, &e)
                         : gw_queue_997_rejected(g, pk->partner, pk, reason, &e);
            if (!arc)
                arc = gw_sync_local(g, &e);
            if (arc)
                dg_store_rollback(g->store);
            else
                arc = dg_store_commit(g->store, &e);
        }
        if (arc == DG_ESTATE) {
            dg_store_rollback(g->store);
            *err = e;
            return arc;
        }
        if (arc)
            dg_log_info("partner=%s file=%s outcome=no-997 reason=\"%s\"", pk->partner->name,
                        pk->remote_path, e.msg);
    }
    return dg_store_commit(g->store, err);
}

int gw_pickup_mark_remote_done(dg_gw *g, const gw_pickup *pk, dg_error *err)
{
    dg_pickup_key k = key_of(pk);
    int rc = dg_store_pickup_mark_remote_done(g->store, &k, err);
    return rc == DG_ENOTFOUND ? 0 : rc;
}

void gw_count_doc(dg_gw *g, dg_doc_kind k)
{
    g->stats.docs++;
    if (k == DG_DOC_ORDER)
        g->stats.orders++;
    else if (k == DG_DOC_SHIPMENT)
        g->stats.shipments++;
    else if (k == DG_DOC_INVOICE)
        g->stats.invoices++;
    else if (k == DG_DOC_STOCK)
        g->stats.stock++;
    else if (k == DG_DOC_ACK)
        g->stats.acknowledgments++;
}

/* One document of a batch file that was not applied: a documents row with its reason, an order
 * with a number as a FAILED order (its storefront's status feed says so), a warning in the log,
 * and the first reasons kept for the pickup's. */
static int record_not_applied(gw_doc_ctx *c, bool skipped, const char *unit, long position,
                              const char *key, const char *why, dg_error *err)
{
    dg_store *s = c->g->store;
    char text[1536];
    snprintf(text, sizeof text, "%s %ld%s%s%s: %s", unit, position, key && *key ? " (" : "",
             key && *key ? key : "", key && *key ? ")" : "", why);
    int64_t doc_id = 0;
    int rc =
        dg_store_document_not_applied(s, dg_doc_kind_name(c->kind), c->partner->name, c->file_id,
                                      position, skipped ? "SKIPPED" : "FAILED", text, &doc_id, err);
    if (rc)
        return rc;
    if (skipped) {
        c->skipped++;
        dg_log_info("partner=%s file=%s doc=%s outcome=skipped at=\"%s\"", c->partner->name,
                    c->remote_path, dg_doc_kind_name(c->kind), text);
        return 0;
    }
    c->failed++;
    bool created = false;
    if (c->kind == DG_DOC_ORDER && c->partner->role == DG_ROLE_STOREFRONT && key && *key &&
        strlen(key) <= DG_FLOW_MAX_ORDER_NUMBER &&
        (rc = dg_store_order_unmapped(s, c->partner->name, key, doc_id, text, &created, err)))
        return rc;
    c->orders_failed += created;
    size_t w = strlen(c->failures);
    if (w + 4 < sizeof c->failures)
        snprintf(c->failures + w, sizeof c->failures - w, "%s%s", w ? "; " : "", text);
    dg_log_warn("partner=%s file=%s doc=%s outcome=failed%s at=\"%s\"", c->partner->name,
                c->remote_path, dg_doc_kind_name(c->kind), created ? " order=FAILED" : "", text);
    return 0;
}

static int not_applied(gw_doc_ctx *c, const dg_doc *doc, const dg_error *why, dg_error *err)
{
    const char *key = doc->kind == DG_DOC_ORDER ? doc->u.order.order_number : NULL;
    return record_not_applied(c, false, "document", doc->source.position, key, why->msg, err);
}

int gw_doc_outcome(void *ctx, const dg_map_outcome *o, dg_error *err)
{
    gw_doc_ctx *c = ctx;
    return record_not_applied(c, o->skipped, o->unit, o->position, o->key, o->reason, err);
}

/* Each document goes to the flow as the reader produces it, inside the file's transaction: memory
 * holds one document at a time, and a file that fails half way is rolled back whole. */
int gw_apply_doc(void *ctx, dg_doc *doc, dg_error *err)
{
    (void)err;
    gw_doc_ctx *c = ctx;
    const dg_gw_partner *p = c->partner;
    c->n++;
    if (doc->kind == DG_DOC_STOCK && !doc->u.stock.supplier)
        doc->u.stock.supplier = dg_arena_strdup(doc->arena, p->name);
    if (doc->source.position == 0)
        doc->source.position = c->n; /* the flow's replay key needs one per document */
    dg_flow_result res;
    memset(&res, 0, sizeof res);
    int rc = dg_flow_ingest_doc(c->g->store, c->g->rules, p->name, p->role == DG_ROLE_STOREFRONT,
                                doc, c->file_id, &res, &c->flow_err);
    if (rc && c->per_document && (rc == DG_EVALID || rc == DG_ENOTFOUND || rc == DG_EDUP)) {
        /* the flow refused this document (its own savepoint is rolled back): it is recorded
         * with its reason, the file goes on */
        rc = not_applied(c, doc, &c->flow_err, err);
        dg_doc_free(doc);
        return rc;
    }
    if (rc) {
        if (rc != DG_ESTATE)
            dg_error_prefix(&c->flow_err, "%s %ld: ", dg_doc_kind_name(doc->kind), c->n);
        c->flow_rc = rc == DG_ENOTFOUND || rc == DG_EDUP ? DG_EVALID : rc;
        dg_doc_free(doc);
        return c->flow_rc;
    }
    gw_count_doc(c->g, doc->kind);
    c->applied++;
    /* an order sent again with other content is not applied: someone must look at it */
    dg_log(res.outcome == DG_FLOW_CHANGED ? DG_LOG_WARN : DG_LOG_INFO,
           "partner=%s file=%s doc=%s result=%s %s", p->name, c->remote_path,
           dg_doc_kind_name(doc->kind), dg_flow_outcome_name(res.outcome), res.summary);
    dg_doc_free(doc);
    return 0;
}

typedef struct ack_ctx {
    dg_gw *g;
    const gw_pickup *pk;
    int64_t file_id;
    long groups;
} ack_ctx;

static int on_ack(void *ctx, const char *sender, const char *isa_control,
                  const struct dg_flow_ack *ack, dg_error *err)
{
    (void)sender;
    (void)isa_control;
    ack_ctx *a = ctx;
    dg_flow_ack_result res;
    memset(&res, 0, sizeof res);
    int rc = dg_flow_ingest_ack(a->g->store, a->pk->partner->name, ack, a->file_id, &res, err);
    if (rc)
        return rc;
    a->groups++;
    a->g->stats.acks_in++;
    dg_log_info("partner=%s file=%s doc=997 group=%s status=%s outcome=%s accepted=%zu "
                "rejected=%zu unknown=%zu",
                a->pk->partner->name, a->pk->remote_path, ack->group_control,
                ack->group_status ? ack->group_status : "?", dg_flow_outcome_name(res.outcome),
                res.accepted, res.rejected, res.unknown);
    return 0;
}

/* A batch file some of whose documents were not applied: PARTIAL, saying which. Nothing at all
 * recorded (every document failed, none carried an order number to record it by) is the file's
 * failure as before: quarantined with the first reason. Only skipped documents (gift-card-only
 * orders): done, nothing to do. */
static dg_pickup_state batch_state(const gw_doc_ctx *c, const gw_pickup *pk, const dg_mapping *m,
                                   dg_error *reason, int *rc, char *why, size_t size)
{
    if (!c->failed)
        return DG_PICKUP_DONE;
    if (!c->applied && !c->orders_failed) {
        *rc = dg_error_set(reason, DG_EMAP, "%s: no document could be applied (mapping %s): %s",
                           pk->name, dg_map_name(m), c->failures);
        return DG_PICKUP_DONE;
    }
    snprintf(why, size, "%ld of %ld document(s) not applied: %s", c->failed,
             c->applied + c->failed + c->skipped, c->failures);
    return DG_PICKUP_PARTIAL;
}

int gw_ingest(dg_gw *g, const gw_pickup *pk, int *docs, dg_error *reason)
{
    const dg_gw_drop *d = pk->drop;
    const dg_mapping *m = NULL;
    int rc = 0;
    *docs = 0;
    if (d->route_x12)
        return gw_ingest_x12(g, pk, docs, reason);
    if (!d->acks) {
        const char *mpath = NULL;
        if ((rc = dg_gw_drop_mapping(d, pk->spool_path, &mpath, reason))) {
            if (rc == DG_EMAP)
                dg_error_prefix(reason, "%s: ", pk->name);
            return rc == DG_EIO ? DG_EPARSE : rc;
        }
        if ((rc = gw_mapping(g, mpath, &m, reason)))
            return rc == DG_EIO || rc == DG_ENOTFOUND ? DG_ECONFIG : rc;
        if (dg_map_get_direction(m) != DG_MAP_IN)
            return dg_error_set(reason, DG_ECONFIG, "%s is not an inbound mapping", mpath);
        /* X12 is checked against edi/ first, on every drop (acknowledging is a separate
         * choice): what the check rejects is never applied (it is quarantined, and with ack:
         * true the 997 tells the partner why). */
        if (!strcmp(dg_map_format(m), "x12") &&
            (rc = gw_x12_check(g, pk->spool_path, pk->name, reason)))
            return rc;
    }
    if ((rc = dg_store_begin(g->store, reason)))
        return rc;
    dg_pickup_state state = DG_PICKUP_DONE;
    char pk_reason[1536] = "";
    dg_gw_stats before = g->stats; /* what a rolled-back file counted never happened */
    int64_t file_id = 0, pickup_id = 0;
    dg_pickup_key k = key_of(pk);
    rc = dg_store_file_add(g->store, pk->sha256, pk->partner->name, "in", pk->name, pk->size,
                           &file_id, reason);
    if (!rc && d->acks) {
        ack_ctx a = {g, pk, file_id, 0};
        rc = gw_ack_parse(pk->spool_path, on_ack, &a, reason);
        if (!rc && a.groups == 0)
            rc = dg_error_set(reason, DG_EVALID, "%s: no 997 functional group in the file",
                              pk->name);
        *docs = (int)a.groups;
    } else if (!rc) {
        gw_doc_ctx c;
        memset(&c, 0, sizeof c);
        c.g = g;
        c.partner = pk->partner;
        c.remote_path = pk->remote_path;
        c.file_id = file_id;
        c.kind = dg_map_doc_kind(m);
        /* CSV and XML files are batches: one document's failure is its own (an X12 file's sets
         * are acknowledged together; routed X12 has its per-set path in route.c) */
        c.per_document = strcmp(dg_map_format(m), "x12") != 0;
        if (c.per_document)
            rc = dg_map_read_each(m, pk->spool_path, gw_apply_doc, gw_doc_outcome, &c, reason);
        else
            rc = dg_map_read_file(m, pk->spool_path, gw_apply_doc, &c, reason);
        if (!rc && c.per_document && (c.failed || c.skipped))
            state = batch_state(&c, pk, m, reason, &rc, pk_reason, sizeof pk_reason);
        if (rc && c.flow_rc) {
            rc = c.flow_rc;
            *reason = c.flow_err;
        } else if (rc == DG_EIO) {
            rc = DG_EPARSE;
        } else if (!rc && c.n == 0 && !c.failed && !c.skipped) {
            rc = dg_error_set(reason, DG_EMAP, "%s: no document in the file (mapping %s)", pk->name,
                              dg_map_name(m));
        }
        *docs = (int)c.n;
    }
    /* The 997 for what the partner sent leaves in the same transaction as what it became. */
    if (!rc && d->ack && !d->acks && !(rc = gw_queue_997(g, pk->partner, pk, reason)))
        rc = gw_sync_local(g, reason);
    if (!rc)
        rc = dg_store_pickup_record(g->store, &k, state, pk_reason[0] ? pk_reason : NULL, NULL,
                                    file_id, &pickup_id, reason);
    if (!rc)
        rc = dg_store_commit(g->store, reason);
    else
        dg_store_rollback(g->store);
    if (rc) {
        g->stats.docs = before.docs;
        g->stats.orders = before.orders;
        g->stats.shipments = before.shipments;
        g->stats.invoices = before.invoices;
        g->stats.stock = before.stock;
        g->stats.acks_in = before.acks_in;
    }
    return rc;
}
