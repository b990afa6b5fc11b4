/* Supplier PO acknowledgments in (X12 855 or a CSV/XML equivalent, as canonical
 * acknowledgments): each PO line gets the supplier's status, promised date and acknowledged
 * quantity/price; rejected and long-backordered lines are offered to the next supplier. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"

/* The canonical status (mapping tables turn codes into these) as the line's supplier status. */
static const char *line_status(const char *ack)
{
    if (!strcmp(ack, DG_ACK_ACCEPTED) || !strcmp(ack, DG_ACK_CHANGED))
        return DG_SUP_ACCEPTED;
    if (!strcmp(ack, DG_ACK_BACKORDERED))
        return DG_SUP_BACKORDERED;
    if (!strcmp(ack, DG_ACK_REJECTED))
        return DG_SUP_REJECTED;
    return NULL;
}

static bool closed(const po_line *l)
{
    const char *s = l->supplier_status;
    return !strcmp(s, DG_SUP_REJECTED) || !strcmp(s, DG_SUP_CANCELLED) ||
           !strcmp(s, DG_SUP_REROUTED);
}

static bool shipped(const po_line *l)
{
    return !strcmp(l->supplier_status, DG_SUP_SHIPPED) ||
           !strcmp(l->supplier_status, DG_SUP_PARTIALLY_SHIPPED);
}

static const char *ack_name(const dg_ack_line *al, char *buf, size_t size)
{
    const char *id = al->vendor_sku ? al->vendor_sku : al->buyer_sku ? al->buyer_sku : al->gtin;
    snprintf(buf, size, "line %s%s%s", al->line_number ? al->line_number : "?", id ? " " : "",
             id ? id : "");
    return buf;
}

/* Applies one answer to PO line l; the status as the partner said it is kept in the code. */
static int answer_line(dg_store *s, const dg_ack *a, const dg_ack_line *al, const char *status,
                       po_line *l, const dg_status_cause *c, dg_flow_ack855_result *res,
                       dg_error *err)
{
    if (closed(l)) { /* a later answer never reopens a rejected, cancelled or re-routed line */
        res->ignored++;
        return 0;
    }
    const char *sup = line_status(status);
    dg_store_answer ans = {.code = al && al->code ? al->code : a->ack_type,
                           .promised_date = al && al->date ? al->date : a->promised_date};
    const char *reason = al && al->reason ? al->reason : a->reason;
    char why[256];
    if (!strcmp(sup, DG_SUP_REJECTED) && !reason) {
        snprintf(why, sizeof why, "rejected by the supplier (%s)", ans.code ? ans.code : "?");
        reason = why;
    }
    ans.reason = reason;
    if (al && al->unit_price.set) {
        ans.has_price = true;
        ans.price = al->unit_price.v;
    }
    /* IQ/IC: the quantity the supplier will ship; for a backorder ACK02 is what waits */
    if (al && al->quantity.set && strcmp(sup, DG_SUP_BACKORDERED) &&
        dg_dec_cmp(al->quantity, l->ordered) != 0) {
        ans.has_qty = true;
        ans.qty = al->quantity.v;
    }
    if (shipped(l)) /* already on its way: keep the shipped state, record the answer */
        sup = NULL;
    ans.status = sup;
    int rc = dg_store_line_answer(s, l->id, &ans, c, err);
    if (rc)
        return rc;
    if (sup)
        snprintf(l->supplier_status, sizeof l->supplier_status, "%s", sup);
    if (!strcmp(status, DG_ACK_CHANGED))
        res->changed++;
    else if (!strcmp(status, DG_ACK_BACKORDERED))
        res->backordered++;
    else if (!strcmp(status, DG_ACK_REJECTED))
        res->rejected++;
    else
        res->accepted++;
    return 0;
}

/* A line's status, else the header's; DG_EVALID naming the code when neither is known. */
static int resolve(const char *supplier, const dg_ack *a, const dg_ack_line *al,
                   const char **status, dg_error *err)
{
    const char *st = al && al->status ? al->status : a->status;
    char name[160];
    if (!st)
        return dg_error_set(err, DG_EVALID,
                            "%s: acknowledgment of PO %s: %s has no status (ACK01) and the PO none "
                            "either (BAK02 '%s')",
                            supplier, a->po_number, al ? ack_name(al, name, sizeof name) : "header",
                            a->ack_type ? a->ack_type : "");
    if (!line_status(st))
        return dg_error_set(err, DG_EVALID,
                            "%s: acknowledgment of PO %s: %s: status '%s' is not a known "
                            "acknowledgment code (add it to the mapping's ack_codes table)",
                            supplier, a->po_number, al ? ack_name(al, name, sizeof name) : "header",
                            st);
    *status = st;
    return 0;
}

static bool names_a_line(const dg_ack_line *al)
{
    return (al->line_number && *al->line_number) || (al->vendor_sku && *al->vendor_sku) ||
           (al->buyer_sku && *al->buyer_sku) || (al->gtin && *al->gtin);
}

/* Every PO line gets the answer meant for it: its own line, else a line-less row of the
 * document (CSV "whole PO" row), else the header's status. */
static int apply_answers(dg_store *s, const char *supplier, const dg_ack *a, po_info *p,
                         const dg_status_cause *c, dg_flow_ack855_result *res, dg_error *err)
{
    bool *done = calloc(p->n_lines ? p->n_lines : 1, sizeof *done);
    if (!done)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    const dg_ack_line *whole = NULL;
    int rc = 0;
    for (size_t i = 0; i < a->n_lines && !rc; i++) {
        const dg_ack_line *al = &a->lines[i];
        if (!names_a_line(al)) {
            whole = al;
            continue;
        }
        int k = fl_match_line(p->lines, p->n_lines, al->line_number, al->vendor_sku, al->buyer_sku,
                              al->gtin);
        char name[160];
        const char *status = NULL;
        if (k < 0)
            rc = dg_error_set(err, DG_EVALID, "%s: acknowledgment of PO %s: %s is not on the PO",
                              supplier, a->po_number, ack_name(al, name, sizeof name));
        else if (!(rc = resolve(supplier, a, al, &status, err)))
            rc = answer_line(s, a, al, status, &p->lines[k], c, res, err);
        if (k >= 0)
            done[k] = true;
    }
    for (size_t k = 0; k < p->n_lines && !rc; k++) {
        if (done[k])
            continue;
        const char *status = NULL;
        if (!(rc = resolve(supplier, a, whole, &status, err)))
            rc = answer_line(s, a, whole, status, &p->lines[k], c, res, err);
    }
    free(done);
    return rc;
}

static int ingest(dg_store *s, const dg_flow_rules *r, const char *supplier, const dg_doc *doc,
                  int64_t file_id, const fl_docrec *rec, dg_flow_ack855_result *res, dg_error *err)
{
    const dg_ack *a = &doc->u.ack;
    if (!a->po_number || !*a->po_number)
        return dg_error_set(err, DG_EVALID, "%s: acknowledgment without a PO number (BAK03)",
                            supplier);
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    bool seen = false, found = false;
    po_info p;
    memset(&p, 0, sizeof p);
    if ((rc = fl_already(s, rec, doc, file_id, &seen, err)))
        goto fail;
    if (seen) {
        res->outcome = DG_FLOW_DUPLICATE;
        return dg_store_commit(s, err);
    }
    if ((rc = fl_load_po(s, a->po_number, &p, &found, err)))
        goto fail;
    if (!found || strcmp(p.supplier, supplier)) {
        rc = !found ? dg_error_set(err, DG_EVALID, "%s: acknowledgment for unknown PO %s", supplier,
                                   a->po_number)
                    : dg_error_set(err, DG_EVALID,
                                   "%s: acknowledgment for PO %s, which was sent to %s", supplier,
                                   a->po_number, p.supplier);
        goto fail;
    }
    int64_t doc_id = 0;
    char detail[160];
    snprintf(detail, sizeof detail, "%s%s%s", a->ack_type ? a->ack_type : "",
             a->ack_number ? " supplier order " : "", a->ack_number ? a->ack_number : "");
    dg_status_cause c = {.kind = fl_cause_kind(doc), .detail = detail};
    if ((rc = fl_document_add(s, supplier, rec, doc, file_id, "OK", &doc_id, err)))
        goto fail;
    c.document_id = doc_id;
    if ((rc = apply_answers(s, supplier, a, &p, &c, res, err)) ||
        (rc = fl_reroute_po(s, r, p.id, &c, &res->rerouted, &res->ended, err)) ||
        (rc = dg_store_po_status_refresh(s, p.id, &c, res->po_status, err)))
        goto fail;
    res->outcome = DG_FLOW_OK;
    fl_po_info_free(&p);
    return dg_store_commit(s, err);
fail:
    fl_po_info_free(&p);
    dg_store_rollback(s);
    return rc;
}

int dg_flow_ingest_acknowledgment(dg_store *s, const dg_flow_rules *r, const char *supplier,
                                  const dg_doc *doc, int64_t file_id, dg_flow_ack855_result *res,
                                  dg_error *err)
{
    memset(res, 0, sizeof *res);
    if (!s || !r || !supplier || !doc || doc->kind != DG_DOC_ACK)
        return dg_error_set(err, DG_EINVAL,
                            "ingest_acknowledgment: store, rules, supplier, acknowledgment");
    fl_docrec rec = {0};
    fl_docrec_init(&rec, doc);
    int rc = ingest(s, r, supplier, doc, file_id, &rec, res, err);
    fl_docrec_free(&rec);
    return rc;
}
