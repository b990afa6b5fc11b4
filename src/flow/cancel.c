/* Cancellations: a storefront cancels order lines; what is not placed is cancelled at once,
 * what a supplier holds is asked of it (one request per PO, sent once through the outbox after
 * the PO), what is shipped is refused with the reason. The supplier's answer (865, or an 855
 * line reject after the request) or its own cancellation closes the lines and the storefront is
 * told. SQL is in src/store/cancel.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/model_json.h"
#include "flow/flow_internal.h"

static dg_dec dec(int64_t v)
{
    return (dg_dec){v, true};
}

static const char *qty_text(int64_t v, char *b)
{
    return dg_dec_format(dec(v), b, 32);
}

/* Lines for the storefront notice, collected while a document is applied. */
typedef struct notice {
    dg_doc *doc;
} notice;

static void notice_line(notice *nt, const dg_cancel_line_row *r, int64_t qty, const char *status,
                        const char *reason)
{
    if (!nt->doc)
        nt->doc = dg_doc_new(DG_DOC_CANCEL);
    dg_order_line *l = dg_order_add_line(nt->doc);
    dg_arena *a = nt->doc->arena;
    l->line_number = r->line_number[0] ? dg_arena_strdup(a, r->line_number) : NULL;
    l->vendor_sku = r->retailer_sku[0] ? dg_arena_strdup(a, r->retailer_sku) : NULL;
    l->buyer_sku = l->vendor_sku;
    l->quantity = dec(qty);
    l->uom = r->uom[0] ? dg_arena_strdup(a, r->uom) : NULL;
    l->status = dg_arena_strdup(a, status);
    l->status_reason = reason ? dg_arena_strdup(a, reason) : NULL;
    l->supplier = r->supplier[0] ? dg_arena_strdup(a, r->supplier) : NULL;
}

/* Records the notice (if any line went into it) for storefront's order order_id. */
static int notice_flush(dg_store *s, notice *nt, const char *storefront, int64_t order_id,
                        const char *order_number, const char *who, dg_error *err)
{
    if (!nt->doc)
        return 0;
    dg_arena *a = nt->doc->arena;
    nt->doc->u.order.order_number = dg_arena_strdup(a, order_number);
    nt->doc->u.order.notes = dg_arena_strdup(a, who);
    dg_buf b = DG_BUF_INIT;
    int rc = dg_doc_to_json(nt->doc, 0, &b, err);
    if (!rc)
        rc = dg_store_cancel_notice_add(s, storefront, order_id, b.data, err);
    dg_buf_free(&b);
    dg_doc_free(nt->doc);
    nt->doc = NULL;
    return rc;
}

static bool same(const char *a, const char *b)
{
    return a && b && *a && !strcmp(a, b);
}

/* Whether order line r is one the cancellation line cl names (no SKU and no line number: all). */
static bool names_line(const dg_order_line *cl, const dg_cancel_line_row *r)
{
    bool any = !(cl->vendor_sku && *cl->vendor_sku) && !(cl->buyer_sku && *cl->buyer_sku) &&
               !(cl->line_number && *cl->line_number) && !(cl->gtin && *cl->gtin);
    return any || same(cl->line_number, r->line_number) || same(cl->vendor_sku, r->retailer_sku) ||
           same(cl->buyer_sku, r->retailer_sku) || same(cl->gtin, r->gtin);
}

/* One order line of a storefront cancellation; want: the quantity still to cancel for the
 * cancellation line (updated), or -1: all of it. */
static int cancel_row(dg_store *s, int64_t cancellation_id, const dg_cancel_line_row *r,
                      int64_t *want, notice *nt, dg_flow_cancel_result *res, dg_error *err)
{
    char a[32], b[32], why[256];
    int64_t left = r->ordered - r->cancelled;
    int rc = 0;
    if (!r->po_id || strcmp(r->status, DG_LINE_MATCHED)) { /* never placed: nothing to ask */
        int64_t q = *want < 0 || *want > left - r->requested ? left - r->requested : *want;
        if (q <= 0)
            return 0;
        if ((rc = dg_store_cancel_line_add(s, cancellation_id, 0, r->line_id, q, "CANCELLED",
                                           "not placed with a supplier", err)))
            return rc;
        notice_line(nt, r, q, "CANCELLED", "not placed with a supplier");
        res->cancelled++;
        if (*want > 0)
            *want -= q;
        return 0;
    }
    int64_t open = left - r->shipped - r->requested; /* what can still be cancelled */
    if (open < 0)
        open = 0;
    int64_t target = *want < 0 ? left - r->requested : *want;
    int64_t q = target < open ? target : open;
    if (q > 0) {
        int64_t req = 0;
        if ((rc = dg_store_cancel_request_for(s, cancellation_id, r->po_id, &req, err)) ||
            (rc = dg_store_cancel_line_add(s, cancellation_id, req, r->line_id, q, "REQUESTED",
                                           NULL, err)))
            return rc;
        res->requested++;
    }
    /* what is asked for beyond that is shipped already: refused, with why */
    int64_t over = target - q;
    if (over > 0 && r->shipped > 0) {
        snprintf(why, sizeof why, "already shipped (%s of %s)", qty_text(r->shipped, a),
                 qty_text(r->ordered, b));
        if ((rc = dg_store_cancel_line_add(s, cancellation_id, 0, r->line_id, over, "REFUSED", why,
                                           err)))
            return rc;
        notice_line(nt, r, over, "REFUSED", why);
        if (!res->refused)
            snprintf(res->detail, sizeof res->detail, "%s %s", r->retailer_sku, why);
        res->refused++;
        q += over;
    }
    if (*want > 0)
        *want = q >= *want ? 0 : *want - q;
    return 0;
}

/* What a cancellation asks, independent of where it came from: "line|sku|gtin|qty;..." */
static void content_key(const dg_order *o, char *key, size_t size)
{
    size_t k = 0;
    key[0] = '\0';
    for (size_t i = 0; i < o->n_lines && k + 1 < size; i++) {
        const dg_order_line *l = &o->lines[i];
        char q[32] = "";
        if (l->quantity.set)
            dg_dec_format(l->quantity, q, sizeof q);
        int w = snprintf(key + k, size - k, "%s|%s|%s|%s|%s;", l->line_number ? l->line_number : "",
                         l->vendor_sku ? l->vendor_sku : "", l->buyer_sku ? l->buyer_sku : "",
                         l->gtin ? l->gtin : "", q);
        if (w < 0)
            break;
        k += (size_t)w;
    }
}

int dg_flow_ingest_cancel(dg_store *s, const char *storefront, dg_doc *doc, int64_t file_id,
                          dg_flow_cancel_result *res, dg_error *err)
{
    memset(res, 0, sizeof *res);
    if (!s || !storefront || !doc || doc->kind != DG_DOC_CANCEL)
        return dg_error_set(err, DG_EINVAL, "ingest_cancel: store, storefront and a cancellation");
    const dg_order *o = &doc->u.order;
    if (!o->order_number || !*o->order_number)
        return dg_error_set(err, DG_EVALID,
                            "%s: cancellation without an order number (position "
                            "%ld)",
                            storefront, doc->source.position);
    fl_docrec rec = {0};
    fl_docrec_init(&rec, doc);
    dg_cancel_line_row *rows = NULL;
    size_t n = 0;
    notice nt = {0};
    bool seen = false;
    int64_t order_id = 0, doc_id = 0, cid = 0;
    char key[1024];
    int rc = dg_store_begin(s, err);
    if (rc) {
        fl_docrec_free(&rec);
        return rc;
    }
    if ((rc = fl_already(s, &rec, doc, file_id, &seen, err)))
        goto fail;
    if (seen) {
        res->outcome = DG_FLOW_DUPLICATE;
        goto done;
    }
    if ((rc = dg_store_order_find(s, storefront, o->order_number, &order_id, err)))
        goto fail;
    if (!order_id) {
        rc = dg_error_set(err, DG_EVALID, "%s: cancellation of order %s: no such order was placed",
                          storefront, o->order_number);
        goto fail;
    }
    /* The same cancellation sent again (a re-export, another file) is not applied again. */
    content_key(o, key, sizeof key);
    if ((rc = dg_store_cancellation_seen(s, order_id, key, &seen, err)))
        goto fail;
    if (seen) {
        res->outcome = DG_FLOW_DUPLICATE;
        if ((rc = fl_document_add(s, storefront, &rec, doc, file_id, "DUPLICATE", &doc_id, err)))
            goto fail;
        goto done;
    }
    if ((rc = dg_store_cancel_lines(s, order_id, 0, &rows, &n, err)) ||
        (rc = fl_document_add(s, storefront, &rec, doc, file_id, "CANCEL", &doc_id, err)) ||
        (rc = dg_store_cancellation_add(s, order_id, doc_id, "storefront", o->notes, key, &cid,
                                        err)))
        goto fail;
    size_t n_cl = o->n_lines ? o->n_lines : 1;
    dg_order_line all = {0};
    for (size_t k = 0; !rc && k < n_cl; k++) {
        const dg_order_line *cl = o->n_lines ? &o->lines[k] : &all;
        int64_t want = cl->quantity.set && cl->quantity.v > 0 ? cl->quantity.v : -1;
        bool any = false;
        for (size_t i = 0; !rc && i < n && want != 0; i++)
            if (names_line(cl, &rows[i])) {
                any = true;
                rc = cancel_row(s, cid, &rows[i], &want, &nt, res, err);
            }
        if (!rc && !any) {
            rc = dg_error_set(err, DG_EVALID,
                              "%s: cancellation of order %s: line %s%s%s is not on the order",
                              storefront, o->order_number, cl->line_number ? cl->line_number : "",
                              cl->line_number ? " " : "", cl->vendor_sku ? cl->vendor_sku : "");
        }
    }
    if (rc || (rc = notice_flush(s, &nt, storefront, order_id, o->order_number, "storefront", err)))
        goto fail;
    if (!res->requested && !res->cancelled && !res->refused)
        res->outcome = DG_FLOW_DUPLICATE; /* all of it cancelled or asked for before */
done:
    free(rows);
    fl_docrec_free(&rec);
    return dg_store_commit(s, err);
fail:
    dg_doc_free(nt.doc);
    free(rows);
    fl_docrec_free(&rec);
    dg_store_rollback(s);
    return rc;
}

/* ---- the supplier's answer ----------------------------------------------------------------- */

/* ACK01 / POC02 / BCA02 codes that confirm a cancellation, and those that refuse it. */
static bool code_accepts(const char *c)
{
    static const char *const yes[] = {"IA", "AC", "AT", "DI", "ID", "QD", "CA", "CANCELLED"};
    for (size_t i = 0; c && i < sizeof yes / sizeof *yes; i++)
        if (!strcasecmp(c, yes[i]))
            return true;
    return false;
}

static bool code_refuses(const char *c)
{
    static const char *const no[] = {"IR", "R1", "R2", "R3", "R4", "RJ", "IB", "REFUSED"};
    for (size_t i = 0; c && i < sizeof no / sizeof *no; i++)
        if (!strcasecmp(c, no[i]))
            return true;
    return false;
}

typedef struct answer {
    dg_store *s;
    int64_t doc_id, order_id, cid; /* cid: a supplier's own cancellation, made on first need */
    const po_info *po;
    notice nt;
    dg_flow_cancel_result *res;
    const char *kind; /* the cause in status_history: "865", "acknowledgment" */
} answer;

static int answer_line(answer *an, const dg_cancel_line_row *r, bool ok, const char *reason,
                       dg_error *err)
{
    dg_status_cause c = {an->kind ? an->kind : "865", an->doc_id, 0, reason};
    int rc = dg_store_cancel_line_answer(an->s, r->cancel_line_id, ok ? "CANCELLED" : "REFUSED",
                                         reason, err);
    if (rc)
        return rc;
    notice_line(&an->nt, r, r->qty, ok ? "CANCELLED" : "REFUSED",
                reason ? reason
                : ok   ? "cancelled by the supplier"
                       : "refused by the supplier");
    if (ok) {
        an->res->cancelled++;
        /* the whole open quantity cancelled: the line is closed on its PO */
        if (r->ordered - r->cancelled - r->qty - r->shipped <= 0 && r->shipped == 0)
            rc = dg_store_line_set_status(an->s, r->line_id, DG_SUP_CANCELLED,
                                          reason ? reason : "cancelled on request", &c, NULL, err);
    } else {
        /* the line goes on as ordered (accepted, when the supplier had not said), saying why */
        char why[400];
        snprintf(why, sizeof why, "%s%s",
                 reason && !strncmp(reason, "cancellation", 12) ? "" : "cancellation refused: ",
                 reason ? reason : "refused by the supplier");
        rc = dg_store_line_set_status(an->s, r->line_id,
                                      r->sup_status[0] ? r->sup_status : DG_SUP_ACCEPTED, why, &c,
                                      NULL, err);
        if (!an->res->refused)
            snprintf(an->res->detail, sizeof an->res->detail, "%s refused: %s", r->supplier_sku,
                     reason ? reason : "by the supplier");
        an->res->refused++;
    }
    return rc;
}

/* The supplier cancels line r itself (no request of ours): the open quantity is cancelled. */
static int supplier_cancels(answer *an, const dg_cancel_line_row *r, const char *reason,
                            dg_error *err)
{
    int64_t open = r->ordered - r->cancelled - r->shipped - r->requested;
    if (open <= 0)
        return 0;
    int rc = 0;
    if (!an->cid)
        rc = dg_store_cancellation_add(an->s, an->order_id, an->doc_id, "supplier",
                                       reason ? reason : "cancelled by the supplier", NULL,
                                       &an->cid, err);
    dg_status_cause c = {"865", an->doc_id, 0, reason};
    if (!rc)
        rc = dg_store_cancel_line_add(an->s, an->cid, 0, r->line_id, open, "CANCELLED",
                                      reason ? reason : "cancelled by the supplier", err);
    if (!rc && r->shipped == 0)
        rc = dg_store_line_set_status(an->s, r->line_id, DG_SUP_CANCELLED,
                                      reason ? reason : "cancelled by the supplier", &c, NULL, err);
    if (rc)
        return rc;
    notice_line(&an->nt, r, open, "CANCELLED", reason ? reason : "cancelled by the supplier");
    an->res->cancelled++;
    return 0;
}

static bool row_is(const dg_order_line *al, const dg_cancel_line_row *r)
{
    char no[24];
    snprintf(no, sizeof no, "%ld", r->po_line);
    return same(al->vendor_sku, r->supplier_sku) || same(al->line_number, no) ||
           same(al->buyer_sku, r->retailer_sku) || same(al->gtin, r->gtin);
}

static int apply_answer(answer *an, const dg_order *o, dg_error *err)
{
    dg_cancel_line_row *req = NULL, *lines = NULL;
    size_t nr = 0, nl = 0;
    int rc = dg_store_cancel_requested(an->s, an->po->id, 0, &req, &nr, err);
    if (!rc)
        rc = dg_store_cancel_lines(an->s, 0, an->po->id, &lines, &nl, err);
    bool header_refuses = code_refuses(o->order_type);
    if (!rc && !o->n_lines) /* the whole request, by BCA02 */
        for (size_t i = 0; !rc && i < nr; i++)
            rc = answer_line(an, &req[i], !header_refuses,
                             header_refuses ? "refused by the supplier" : NULL, err);
    for (size_t k = 0; !rc && k < o->n_lines; k++) {
        const dg_order_line *al = &o->lines[k];
        bool ok = !header_refuses && !code_refuses(al->status) &&
                  (code_accepts(al->status) || !al->status);
        bool matched = false;
        for (size_t i = 0; !rc && i < nr; i++)
            if (row_is(al, &req[i]) && req[i].cancel_line_id) {
                matched = true;
                rc = answer_line(an, &req[i], ok, al->status_reason, err);
                req[i].cancel_line_id = 0; /* answered */
            }
        for (size_t i = 0; !rc && !matched && i < nl; i++)
            if (row_is(al, &lines[i])) {
                matched = true;
                if (ok)
                    rc = supplier_cancels(an, &lines[i], al->status_reason, err);
            }
        if (!rc && !matched)
            rc = dg_error_set(err, DG_EVALID,
                              "PO %s: cancellation answer for line %s %s: not on "
                              "the PO",
                              an->po->order_number, al->line_number ? al->line_number : "",
                              al->vendor_sku ? al->vendor_sku : "");
    }
    free(req);
    free(lines);
    return rc;
}

int dg_flow_ingest_cancel_answer(dg_store *s, const char *supplier, dg_doc *doc, int64_t file_id,
                                 dg_flow_cancel_result *res, dg_error *err)
{
    memset(res, 0, sizeof *res);
    if (!s || !supplier || !doc || doc->kind != DG_DOC_CANCEL)
        return dg_error_set(err, DG_EINVAL, "cancel_answer: store, supplier and a cancellation");
    const dg_order *o = &doc->u.order;
    if (!o->order_number || !*o->order_number)
        return dg_error_set(err, DG_EVALID, "%s: cancellation answer without a PO number",
                            supplier);
    po_info po;
    bool found = false;
    int rc = dg_store_po_load(s, o->order_number, &po, &found, err);
    if (rc)
        return rc;
    if (!found || strcmp(po.supplier, supplier)) {
        rc = dg_error_set(err, DG_EVALID, "%s: cancellation answer for PO %s: %s", supplier,
                          o->order_number, found ? "a PO of another supplier" : "no such PO");
        dg_store_po_free(&po);
        return rc;
    }
    fl_docrec rec = {0};
    fl_docrec_init(&rec, doc);
    answer an = {s, 0, po.order_id, 0, &po, {0}, res, "865"};
    bool seen = false;
    char status[32];
    dg_status_cause c = {"865", 0, 0, NULL};
    if ((rc = dg_store_begin(s, err)))
        goto out;
    if ((rc = fl_already(s, &rec, doc, file_id, &seen, err)))
        goto fail;
    if (seen) {
        res->outcome = DG_FLOW_DUPLICATE;
        rc = dg_store_commit(s, err);
        goto out;
    }
    if ((rc = fl_document_add(s, supplier, &rec, doc, file_id, "CANCEL_ANSWER", &an.doc_id, err)))
        goto fail;
    c.document_id = an.doc_id;
    if ((rc = apply_answer(&an, o, err)) ||
        (rc = dg_store_po_status_refresh(s, po.id, &c, status, err)) ||
        (rc = notice_flush(s, &an.nt, po.storefront, po.order_id, po.order_number, supplier, err)))
        goto fail;
    if (!res->cancelled && !res->refused)
        res->outcome = DG_FLOW_DUPLICATE;
    rc = dg_store_commit(s, err);
    goto out;
fail:
    dg_store_rollback(s);
out:
    dg_doc_free(an.nt.doc);
    fl_docrec_free(&rec);
    dg_store_po_free(&po);
    return rc;
}

/* ---- an 855 that meets a requested cancellation (ack855.c) ------------------------------- */

struct fl_cancel_ctx {
    answer an;
    dg_flow_cancel_result res;
    dg_cancel_line_row *req;
    size_t n;
};

int fl_cancel_ctx_open(dg_store *s, const po_info *po, int64_t doc_id, fl_cancel_ctx **out,
                       dg_error *err)
{
    *out = NULL;
    dg_cancel_line_row *req = NULL;
    size_t n = 0;
    int rc = dg_store_cancel_requested(s, po->id, 0, &req, &n, err);
    if (rc || !n) {
        free(req);
        return rc;
    }
    fl_cancel_ctx *x = calloc(1, sizeof *x);
    if (!x) {
        free(req);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    x->an = (answer){s, doc_id, po->order_id, 0, po, {0}, &x->res, "acknowledgment"};
    x->req = req;
    x->n = n;
    *out = x;
    return 0;
}

static dg_cancel_line_row *pending(fl_cancel_ctx *x, int64_t line_id)
{
    for (size_t i = 0; x && i < x->n; i++)
        if (x->req[i].line_id == line_id && x->req[i].cancel_line_id)
            return &x->req[i];
    return NULL;
}

bool fl_cancel_pending(fl_cancel_ctx *x, int64_t line_id, bool *whole)
{
    const dg_cancel_line_row *r = pending(x, line_id);
    if (r && whole)
        *whole = r->ordered - r->cancelled - r->qty - r->shipped <= 0 && r->shipped == 0;
    return r != NULL;
}

int fl_cancel_settle(fl_cancel_ctx *x, int64_t line_id, bool cancelled, const char *reason,
                     dg_error *err)
{
    dg_cancel_line_row *r = pending(x, line_id);
    if (!r)
        return 0;
    int rc = answer_line(&x->an, r, cancelled, reason, err);
    r->cancel_line_id = 0; /* answered */
    return rc;
}

int fl_cancel_ctx_close(fl_cancel_ctx *x, const po_info *po, const char *supplier, dg_error *err)
{
    if (!x)
        return 0;
    return notice_flush(x->an.s, &x->an.nt, po->storefront, po->order_id, po->order_number,
                        supplier, err);
}

void fl_cancel_ctx_free(fl_cancel_ctx *x)
{
    if (!x)
        return;
    dg_doc_free(x->an.nt.doc);
    free(x->req);
    free(x);
}

/* ---- requests out ------------------------------------------------------------------------- */

/* The PO's header as it was sent (parties, currency, carrier): a change request that repeats
 * the order (cXML) needs its BillTo and ShipTo again. */
static int request_header(dg_store *s, const dg_cancel_request *r, dg_doc *d, dg_error *err)
{
    dg_flow_po *po = NULL;
    int rc = dg_flow_po_load(s, r->po_number, &po, err);
    if (rc)
        return rc;
    dg_order *o = &d->u.order;
    const dg_order *p = &po->doc->u.order;
    dg_arena *a = d->arena;
    o->currency = p->currency ? dg_arena_strdup(a, p->currency) : NULL;
    o->carrier = p->carrier ? dg_arena_strdup(a, p->carrier) : NULL;
    o->service_level = p->service_level ? dg_arena_strdup(a, p->service_level) : NULL;
    dg_party *to[] = {&o->buyer, &o->seller, &o->bill_to, &o->ship_to};
    const dg_party *from[] = {&p->buyer, &p->seller, &p->bill_to, &p->ship_to};
    for (size_t k = 0; k < 4; k++) {
        char **t[] = {&to[k]->id,          &to[k]->id_qualifier, &to[k]->name,  &to[k]->company,
                      &to[k]->address1,    &to[k]->address2,     &to[k]->city,  &to[k]->state,
                      &to[k]->postal_code, &to[k]->country,      &to[k]->phone, &to[k]->email};
        char *const f[] = {from[k]->id,      from[k]->id_qualifier, from[k]->name,
                           from[k]->company, from[k]->address1,     from[k]->address2,
                           from[k]->city,    from[k]->state,        from[k]->postal_code,
                           from[k]->country, from[k]->phone,        from[k]->email};
        for (size_t i = 0; i < sizeof f / sizeof *f; i++)
            *t[i] = f[i] ? dg_arena_strdup(a, f[i]) : NULL;
    }
    dg_flow_pos_free(po, 1);
    return 0;
}

/* A line still open at the supplier after every pending request: not closed on its PO
 * (rejected, cancelled, re-routed) and with a quantity left. */
static int64_t left_after(const dg_cancel_line_row *l)
{
    if (strcmp(l->status, DG_LINE_MATCHED) || !strcmp(l->sup_status, DG_SUP_REJECTED) ||
        !strcmp(l->sup_status, DG_SUP_CANCELLED) || !strcmp(l->sup_status, DG_SUP_REROUTED))
        return 0;
    int64_t left = l->ordered - l->cancelled - l->requested;
    return left > 0 ? left : 0;
}

/* The lines the request changes: DI (whole line) or QD with the new quantity. */
static void changed_lines(dg_doc *d, const dg_cancel_line_row *req, size_t nr)
{
    dg_arena *a = d->arena;
    for (size_t i = 0; i < nr; i++) {
        const dg_cancel_line_row *q = &req[i];
        dg_order_line *l = dg_order_add_line(d);
        int64_t new_qty = q->ordered - q->cancelled - q->requested;
        l->line_number = dg_arena_printf(a, "%ld", q->po_line);
        l->vendor_sku = q->supplier_sku[0] ? dg_arena_strdup(a, q->supplier_sku) : NULL;
        l->buyer_sku = q->retailer_sku[0] ? dg_arena_strdup(a, q->retailer_sku) : NULL;
        l->gtin = q->gtin[0] ? dg_arena_strdup(a, q->gtin) : NULL;
        l->uom = q->uom[0] ? dg_arena_strdup(a, q->uom) : NULL;
        l->quantity = dec(new_qty > 0 ? new_qty : 0);
        l->unit_price = q->cost_set ? dec(q->cost) : (dg_dec){0, false};
        l->status = dg_arena_strdup(a, new_qty > 0 ? "QD" : "DI");
    }
}

/* The PO as it stands after the request: every line left open with its quantity (the parts of
 * a line split by an acknowledgment added up under its PO line number), total = cost x qty. */
static void remaining_lines(dg_doc *d, const dg_cancel_line_row *lines, size_t nl)
{
    dg_arena *a = d->arena;
    dg_order *o = &d->u.order;
    o->total = dec(0);
    for (size_t i = 0; i < nl; i++) {
        const dg_cancel_line_row *q = &lines[i];
        int64_t left = left_after(q);
        if (!left)
            continue;
        char no[32];
        snprintf(no, sizeof no, "%ld", q->po_line);
        dg_order_line *l = NULL;
        for (size_t k = 0; k < o->n_lines && !l; k++)
            if (!strcmp(o->lines[k].line_number, no))
                l = &o->lines[k];
        if (l) {
            l->quantity = dg_dec_add(l->quantity, dec(left));
        } else {
            l = dg_order_add_line(d);
            l->line_number = dg_arena_strdup(a, no);
            l->vendor_sku = q->supplier_sku[0] ? dg_arena_strdup(a, q->supplier_sku) : NULL;
            l->buyer_sku = q->retailer_sku[0] ? dg_arena_strdup(a, q->retailer_sku) : NULL;
            l->gtin = q->gtin[0] ? dg_arena_strdup(a, q->gtin) : NULL;
            l->uom = q->uom[0] ? dg_arena_strdup(a, q->uom) : NULL;
            l->quantity = dec(left);
            l->unit_price = q->cost_set ? dec(q->cost) : (dg_dec){0, false};
        }
        if (q->cost_set)
            o->total = dg_dec_add(o->total, dg_dec_mul(dec(q->cost), dec(left)));
    }
}

static int request_doc(dg_store *s, const dg_cancel_request *r, bool remaining, dg_doc **out,
                       dg_error *err)
{
    dg_cancel_line_row *req = NULL, *lines = NULL;
    size_t nr = 0, nl = 0;
    int rc = dg_store_cancel_requested(s, r->po_id, r->id, &req, &nr, err);
    if (!rc)
        rc = dg_store_cancel_lines(s, 0, r->po_id, &lines, &nl, err);
    dg_doc *d = dg_doc_new(DG_DOC_CANCEL);
    if (!rc)
        rc = request_header(s, r, d, err);
    if (rc) {
        free(req);
        free(lines);
        dg_doc_free(d);
        return rc;
    }
    dg_order *o = &d->u.order;
    dg_arena *a = d->arena;
    char date[16];
    fl_date_text(r->po_created, date, sizeof date);
    o->order_number = dg_arena_strdup(a, r->po_number);
    o->order_date = dg_arena_strdup(a, date);
    o->customer_order_number = dg_arena_strdup(a, r->order_number);
    o->notes = r->reason[0] ? dg_arena_strdup(a, r->reason) : NULL;
    o->order_type = dg_arena_strdup(a, "DS");
    o->version = dg_arena_printf(a, "%lld", (long long)r->seq + 1);
    /* 01 (cancel the PO) when no line stays open after this request, else 04 (change) */
    int64_t open_after = 0;
    for (size_t i = 0; i < nl; i++)
        if (!strcmp(lines[i].status, DG_LINE_MATCHED))
            open_after += lines[i].ordered - lines[i].cancelled - lines[i].requested;
    if (remaining && open_after > 0)
        remaining_lines(d, lines, nl);
    if (!o->n_lines) { /* nothing is left open at the supplier (re-routed lines are gone): 01 */
        open_after = remaining ? 0 : open_after;
        changed_lines(d, req, nr);
    }
    o->purpose = dg_arena_strdup(a, open_after > 0 ? "04" : "01");
    free(req);
    free(lines);
    *out = d;
    return 0;
}

int dg_flow_pending_cancels(dg_store *s, const char *supplier, bool remaining,
                            dg_flow_cancel_out **out, size_t *n, dg_error *err)
{
    *out = NULL;
    *n = 0;
    dg_cancel_request *rq = NULL;
    size_t nq = 0;
    int rc = dg_store_cancel_requests_pending(s, supplier, &rq, &nq, err);
    if (rc || !nq) {
        free(rq);
        return rc;
    }
    dg_flow_cancel_out *o = calloc(nq, sizeof *o);
    if (!o) {
        free(rq);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; !rc && i < nq; i++) {
        o[i].id = rq[i].id;
        snprintf(o[i].number, sizeof o[i].number, "%s", rq[i].number);
        snprintf(o[i].supplier, sizeof o[i].supplier, "%s", rq[i].supplier);
        snprintf(o[i].po_number, sizeof o[i].po_number, "%s", rq[i].po_number);
        rc = request_doc(s, &rq[i], remaining, &o[i].doc, err);
    }
    free(rq);
    if (rc) {
        dg_flow_cancels_free(o, nq);
        return rc;
    }
    *out = o;
    *n = nq;
    return 0;
}

void dg_flow_cancels_free(dg_flow_cancel_out *out, size_t n)
{
    for (size_t i = 0; out && i < n; i++)
        dg_doc_free(out[i].doc);
    free(out);
}

int dg_flow_cancel_queued(dg_store *s, const dg_flow_cancel_out *c, const char *file_name,
                          const char *content_sha256, const char *local_path, int64_t *outbox_id,
                          dg_error *err)
{
    bool existed = false;
    int rc = dg_store_outbox_add(s, c->supplier, "cancel", c->number, file_name, content_sha256,
                                 local_path, outbox_id, &existed, err);
    return rc ? rc : dg_store_cancel_request_queued(s, c->id, *outbox_id, err);
}

/* ---- notices to the storefront ------------------------------------------------------------ */

int dg_flow_pending_cancel_notices(dg_store *s, const char *storefront, dg_flow_cancel_notice **out,
                                   size_t *n, dg_error *err)
{
    *out = NULL;
    *n = 0;
    dg_cancel_notice *rows = NULL;
    size_t nr = 0;
    int rc = dg_store_cancel_notices_pending(s, storefront, &rows, &nr, err);
    if (rc || !nr) {
        dg_store_cancel_notices_free(rows, nr);
        return rc;
    }
    dg_flow_cancel_notice *o = calloc(nr, sizeof *o);
    if (!o) {
        dg_store_cancel_notices_free(rows, nr);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; !rc && i < nr; i++) {
        o[i].id = rows[i].id;
        snprintf(o[i].storefront, sizeof o[i].storefront, "%s", rows[i].storefront);
        snprintf(o[i].order_number, sizeof o[i].order_number, "%s", rows[i].order_number);
        o[i].json = rows[i].json;
        rows[i].json = NULL;
        rc = dg_doc_from_json(o[i].json, strlen(o[i].json), &o[i].doc, err);
    }
    dg_store_cancel_notices_free(rows, nr);
    if (rc) {
        dg_flow_cancel_notices_free(o, nr);
        return rc;
    }
    *out = o;
    *n = nr;
    return 0;
}

void dg_flow_cancel_notices_free(dg_flow_cancel_notice *ns, size_t n)
{
    for (size_t i = 0; ns && i < n; i++) {
        dg_doc_free(ns[i].doc);
        free(ns[i].json);
    }
    free(ns);
}

int dg_flow_cancel_notice_queued(dg_store *s, const dg_flow_cancel_notice *c, const char *file_name,
                                 const char *content_sha256, const char *local_path,
                                 int64_t *outbox_id, dg_error *err)
{
    bool existed = false;
    char ref[32];
    snprintf(ref, sizeof ref, "%lld", (long long)c->id);
    int rc = dg_store_outbox_add(s, c->storefront, "cancel-notice", ref, file_name, content_sha256,
                                 local_path, outbox_id, &existed, err);
    return rc ? rc : dg_store_cancel_notice_queued(s, c->id, *outbox_id, err);
}
