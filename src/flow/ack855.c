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

/* BAK01 04 (change): the 855 answers our change request (the 860 that asked to cancel), not
 * the PO itself. */
static bool answers_change(const dg_ack *a)
{
    return a->purpose && !strcmp(a->purpose, "04");
}

/* An answer on a line whose cancellation we asked for (an 860 went out). In an 855 answering
 * the PO, a rejection means the line will not ship - what was asked: the cancellation is
 * confirmed and the line CANCELLED, never re-routed. An 855 answering the change (BAK01 04)
 * settles it: rejected - the cancellation is refused and the line stays live (accepted as
 * ordered) with the supplier's reason; accepted - confirmed. A backorder leaves it open.
 * *done: nothing more to record on the line. */
static int meets_cancellation(const fl_ack_run *run, const dg_ack_line *al, const char *status,
                              po_line *l, bool *done, dg_error *err)
{
    const dg_ack *a = run->a;
    bool whole = false;
    *done = false;
    if (!fl_cancel_pending(run->cancels, l->id, &whole) || !strcmp(status, DG_ACK_BACKORDERED))
        return 0;
    const char *code = al && al->code ? al->code : a->ack_type ? a->ack_type : "?";
    const char *said = al && al->reason ? al->reason : a->reason;
    bool rejected = !strcmp(status, DG_ACK_REJECTED);
    char why[320];
    if (!answers_change(a) && !rejected)
        return 0; /* the PO's own answer: the request is still open */
    if (!answers_change(a) || !rejected) {
        snprintf(why, sizeof why, "%s by the supplier (855 %s)%s%s",
                 rejected ? "rejected" : "cancellation accepted", code, said ? ": " : "",
                 said ? said : "");
        int rc = fl_cancel_settle(run->cancels, l->id, true, why, err);
        if (!rc)
            run->res->cancel_confirmed++;
        *done = whole; /* a part still open takes the answer as any line would */
        if (whole)
            snprintf(l->supplier_status, sizeof l->supplier_status, "%s", DG_SUP_CANCELLED);
        return rc;
    }
    snprintf(why, sizeof why, "cancellation refused by the supplier (855 %s)%s%s", code,
             said ? ": " : "", said ? said : "");
    int rc = fl_cancel_settle(run->cancels, l->id, false, why, err);
    if (!rc && !l->supplier_status[0])
        snprintf(l->supplier_status, sizeof l->supplier_status, "%s", DG_SUP_ACCEPTED);
    run->res->cancel_refused++;
    *done = true;
    return rc;
}

/* Applies one answer to PO line l; the status as the partner said it is kept in the code. */
int fl_ack_answer_line(const fl_ack_run *run, const dg_ack_line *al, const char *status, po_line *l,
                       dg_error *err)
{
    dg_store *s = run->s;
    const dg_ack *a = run->a;
    const dg_status_cause *c = run->c;
    dg_flow_ack855_result *res = run->res;
    if (closed(l)) { /* a later answer never reopens a rejected, cancelled or re-routed line */
        res->ignored++;
        return 0;
    }
    bool done = false;
    int rc = meets_cancellation(run, al, status, l, &done, err);
    if (rc || done)
        return rc;
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
    rc = dg_store_line_answer(s, l->id, &ans, c, err);
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

/* The acks[] (every ACK segment) that answer lines[] entry al: those of its line number. */
static size_t acks_of(const dg_ack *a, const dg_ack_line *al)
{
    size_t n = 0;
    for (size_t i = 0; al->line_number && i < a->n_acks; i++)
        n += a->acks[i].line_number && !strcmp(a->acks[i].line_number, al->line_number);
    return n;
}

/* PO line k's answer in parts: its several lines[] entries (CSV rows), else the acks[] of its
 * one entry (ACK segments); each part with its status resolved. */
static int answer_parts(const fl_ack_run *run, po_info *p, size_t k, const int *match,
                        dg_error *err)
{
    const dg_ack *a = run->a;
    const char *supplier = run->supplier;
    size_t n = 0, first = a->n_lines;
    for (size_t i = 0; i < a->n_lines; i++)
        if (match[i] == (int)k) {
            n++;
            first = first < i ? first : i;
        }
    const dg_ack_line *one = &a->lines[first];
    bool rows = n > 1;
    size_t cnt = rows ? n : acks_of(a, one);
    bool single = !rows && cnt < 2; /* one answer for a line split by an earlier one */
    if (single)
        cnt = 1;
    dg_ack_line *parts = calloc(cnt ? cnt : 1, sizeof *parts);
    if (!parts)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    size_t m = 0;
    int rc = 0;
    for (size_t i = 0; rows && i < a->n_lines; i++)
        if (match[i] == (int)k)
            parts[m++] = a->lines[i];
    if (single)
        parts[m++] = *one;
    for (size_t i = 0; !rows && !single && i < a->n_acks; i++) {
        const dg_ack_part *ap = &a->acks[i];
        if (!ap->line_number || strcmp(ap->line_number, one->line_number))
            continue;
        dg_ack_line *q = &parts[m++];
        *q = *one; /* the PO1's ids and price, this ACK's status, quantity and date */
        q->status = ap->status;
        q->code = ap->code;
        q->quantity = ap->quantity;
        q->date = ap->date ? ap->date : one->date;
        q->reason = ap->reason ? ap->reason : one->reason;
    }
    for (size_t i = 0; i < m && !rc; i++) {
        const char *st = NULL;
        if (!(rc = resolve(supplier, a, &parts[i], &st, err)))
            parts[i].status = (char *)st;
    }
    if (!rc)
        rc = fl_ack_parts(run, p, k, parts, m, err);
    free(parts);
    return rc;
}

/* Every PO line gets the answer meant for it: its own line (in parts when several lines or ACKs
 * answer it), else a line-less row of the document (CSV "whole PO" row), else the header's
 * status. */
static int apply_answers(const fl_ack_run *run, po_info *p, dg_error *err)
{
    const dg_ack *a = run->a;
    const char *supplier = run->supplier;
    int *match = calloc(a->n_lines ? a->n_lines : 1, sizeof *match);
    size_t *answers = calloc(p->n_lines ? p->n_lines : 1, sizeof *answers);
    if (!match || !answers) {
        free(match);
        free(answers);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    const dg_ack_line *whole = NULL;
    int rc = 0;
    for (size_t i = 0; i < a->n_lines && !rc; i++) {
        const dg_ack_line *al = &a->lines[i];
        match[i] = -1;
        if (!names_a_line(al)) {
            whole = al;
            continue;
        }
        int k = fl_match_line(p->lines, p->n_lines, al->line_number, al->vendor_sku, al->buyer_sku,
                              al->gtin);
        char name[160];
        if (k < 0)
            rc = dg_error_set(err, DG_EVALID, "%s: acknowledgment of PO %s: %s is not on the PO",
                              supplier, a->po_number, ack_name(al, name, sizeof name));
        else
            answers[k]++;
        match[i] = k;
    }
    for (size_t i = 0; i < a->n_lines && !rc; i++) {
        int k = match[i];
        if (k < 0 || answers[k] == 0)
            continue;
        const dg_ack_line *al = &a->lines[i];
        const char *status = NULL;
        size_t sib[2], ns = fl_ack_siblings(p, (size_t)k, sib, 2);
        if (answers[k] > 1 || acks_of(a, al) > 1 || ns > 1 || (ns == 1 && sib[0] != (size_t)k))
            rc = answer_parts(run, p, (size_t)k, match, err);
        else if (!(rc = resolve(supplier, a, al, &status, err)))
            rc = fl_ack_answer_line(run, al, status, &p->lines[k], err);
        answers[k] = 0; /* answered: also the rows matched to it after this one */
    }
    for (size_t k = 0; k < p->n_lines && !rc; k++) {
        bool done = false;
        for (size_t i = 0; i < a->n_lines && !done; i++)
            done = match[i] >= 0 && p->lines[match[i]].po_line == p->lines[k].po_line;
        if (done) /* itself, or a line split from the same PO line */
            continue;
        /* an answer to our change speaks for the lines it changes, not the rest of the PO */
        if (answers_change(a) && !fl_cancel_pending(run->cancels, p->lines[k].id, NULL))
            continue;
        const char *status = NULL;
        if (!(rc = resolve(supplier, a, whole, &status, err)))
            rc = fl_ack_answer_line(run, whole, status, &p->lines[k], err);
    }
    free(match);
    free(answers);
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
    dg_status_cause c = {.kind = fl_cause_kind(doc)};
    fl_ack_run run = {s, supplier, a, &c, res, NULL};
    if ((rc = fl_already(s, rec, doc, file_id, &seen, err)))
        goto fail;
    if (seen) {
        res->outcome = DG_FLOW_DUPLICATE;
        return dg_store_commit(s, err);
    }
    if ((rc = dg_store_po_load(s, a->po_number, &p, &found, err)))
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
    c.detail = detail;
    if ((rc = fl_document_add(s, supplier, rec, doc, file_id, "OK", &doc_id, err)))
        goto fail;
    c.document_id = doc_id;
    if ((rc = fl_cancel_ctx_open(s, &p, doc_id, &run.cancels, err)) ||
        (rc = apply_answers(&run, &p, err)) ||
        (rc = fl_cancel_ctx_close(run.cancels, &p, supplier, err)) ||
        (rc = fl_reroute_po(s, r, p.id, &c, &res->rerouted, &res->ended, err)) ||
        (rc = dg_store_po_status_refresh(s, p.id, &c, res->po_status, err)))
        goto fail;
    res->outcome = DG_FLOW_OK;
    fl_cancel_ctx_free(run.cancels);
    dg_store_po_free(&p);
    return dg_store_commit(s, err);
fail:
    fl_cancel_ctx_free(run.cancels);
    dg_store_po_free(&p);
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
