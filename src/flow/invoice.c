/* Supplier invoices: the 3-way match against the PO (price, what was ordered) and the ASNs (what
 * was shipped), charges within limits, consistent totals, duplicates caught; every reason kept. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "flow/flow_internal.h"

/* Every reason found, however many (the result struct holds the first DG_FLOW_MAX_REASONS). */
typedef struct reason_list {
    dg_flow_reason *v;
    size_t n, cap;
} reason_list;

static void add_reason(reason_list *rl, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_reason(reason_list *rl, const char *code, const char *fmt, ...)
{
    if (rl->n == rl->cap) {
        size_t cap = rl->cap ? rl->cap * 2 : 8;
        dg_flow_reason *v = realloc(rl->v, cap * sizeof *v);
        if (!v)
            abort(); /* like the arena: no caller could recover */
        rl->v = v;
        rl->cap = cap;
    }
    dg_flow_reason *r = &rl->v[rl->n++];
    snprintf(r->code, sizeof r->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
}

static bool is_type(const dg_charge *c, const char *type)
{
    return c->type && !strcasecmp(c->type, type);
}

/* Sums the charges: freight, tax charges, and the other positive charges (fees, handling). */
static void sum_charges(const dg_invoice *iv, dg_dec *all, dg_dec *freight, dg_dec *other,
                        dg_dec *tax)
{
    *all = *freight = *other = (dg_dec){0, true};
    *tax = iv->tax.set ? iv->tax : (dg_dec){0, true};
    for (size_t i = 0; i < iv->n_charges; i++) {
        const dg_charge *c = &iv->charges[i];
        if (!c->amount.set)
            continue;
        if (is_type(c, "TAX")) {
            *tax = dg_dec_add(*tax, c->amount);
            continue;
        }
        *all = dg_dec_add(*all, c->amount);
        if (is_type(c, "FREIGHT"))
            *freight = dg_dec_add(*freight, c->amount);
        else if (c->amount.v > 0)
            *other = dg_dec_add(*other, c->amount);
    }
}

/* Money for a person: at least 2 decimals ("20.50", "0.05"), more only when present ("0.052"). */
static const char *money(dg_dec d, char *buf, size_t size)
{
    return d.v % 100 ? dg_dec_format(d, buf, size) : dg_dec_format_fixed(d, 2, buf, size);
}

static void check_price(const dg_flow_rules *r, reason_list *res, const po_line *l,
                        const dg_invoice_line *il)
{
    /* The supplier's acknowledged price (855) is what it agreed to invoice; else our PO cost. */
    bool acked = l->ack_price.set;
    dg_dec cost = acked ? l->ack_price : l->cost;
    if (!il->unit_price.set || !cost.set)
        return;
    dg_dec diff = dg_dec_sub(il->unit_price, cost);
    dg_dec pct = dg_dec_mul(cost, r->price_pct);
    pct.v /= 100;
    dg_dec allowed = dg_dec_cmp(pct, r->price_abs) > 0 ? pct : r->price_abs;
    if (dg_dec_cmp(dg_dec_abs(diff), allowed) <= 0)
        return;
    /* Says the rule, not only its result: "allowed ±0.05 or 1% of the cost = ±0.052". */
    char a[32], b[32], c[32], d[32], e[32], rule[160];
    if (r->price_pct.v > 0)
        snprintf(rule, sizeof rule, "±%s or %s%% of the cost, whichever is more, = ±%s",
                 money(r->price_abs, d, sizeof d), dg_dec_format(r->price_pct, e, sizeof e),
                 money(allowed, c, sizeof c));
    else
        snprintf(rule, sizeof rule, "±%s", money(allowed, c, sizeof c));
    add_reason(res, diff.v > 0 ? DG_REASON_PRICE_ABOVE_TOLERANCE : DG_REASON_PRICE_BELOW_TOLERANCE,
               "%s (PO line %ld): unit price %s is %s %s the %s %s; allowed %s", l->supplier_sku,
               l->po_line, money(il->unit_price, a, sizeof a), money(dg_dec_abs(diff), e, sizeof e),
               diff.v > 0 ? "above" : "below", acked ? "acknowledged price" : "PO cost",
               money(cost, b, sizeof b), rule);
}

/* The match itself; fills res->reasons and the per-line quantities in p->lines[].add. */
static void match_invoice(const dg_flow_rules *r, const char *supplier, const dg_invoice *iv,
                          po_info *p, int64_t original, reason_list *res, dg_dec *lines_amount,
                          dg_dec *charges, dg_dec *tax)
{
    char a[32], b[32], c[32];
    if (original)
        add_reason(res, DG_REASON_DUPLICATE_INVOICE, "invoice %s was already received from %s",
                   iv->invoice_number, supplier);
    if (iv->currency && p->currency[0] && strcasecmp(iv->currency, p->currency))
        add_reason(res, DG_REASON_CURRENCY_MISMATCH, "invoice in %s, PO in %s", iv->currency,
                   p->currency);
    *lines_amount = (dg_dec){0, true};
    for (size_t i = 0; i < iv->n_lines; i++) {
        const dg_invoice_line *il = &iv->lines[i];
        dg_dec qty = il->quantity.set ? il->quantity : (dg_dec){0, true};
        if (il->unit_price.set)
            *lines_amount = dg_dec_add(*lines_amount, dg_dec_mul(qty, il->unit_price));
        int k = fl_match_line(p->lines, p->n_lines, il->line_number, il->vendor_sku, il->buyer_sku,
                              il->gtin);
        if (k < 0) {
            add_reason(res, DG_REASON_LINE_NOT_ON_PO, "invoice line %s %s is not on PO %s",
                       il->line_number ? il->line_number : "?",
                       il->vendor_sku  ? il->vendor_sku
                       : il->buyer_sku ? il->buyer_sku
                                       : "",
                       iv->po_number);
            continue;
        }
        fl_split_spread(p, (size_t)k, qty, true);
        check_price(r, res, &p->lines[k], il);
    }
    if (dg_dec_overflowed(*lines_amount))
        add_reason(res, DG_REASON_TOTAL_MISMATCH,
                   "invoice line amounts (quantity x unit price) are too large to add up");
    for (size_t i = 0; i < p->n_lines; i++) {
        const po_line *l = &p->lines[i];
        if (l->add.v <= 0)
            continue;
        if (dg_dec_cmp(dg_dec_add(l->invoiced, l->add), l->shipped) > 0)
            add_reason(res, DG_REASON_QTY_ABOVE_SHIPPED,
                       "%s (PO line %ld): invoiced %s (earlier invoices %s) but shipped %s",
                       l->supplier_sku, l->po_line, dg_dec_format(l->add, a, sizeof a),
                       dg_dec_format(l->invoiced, b, sizeof b),
                       dg_dec_format(l->shipped, c, sizeof c));
        /* a cancelled quantity billed: the supplier confirmed it would not ship it */
        if (l->cancelled.v > 0 &&
            dg_dec_cmp(dg_dec_add(l->invoiced, l->add), dg_dec_sub(l->ordered, l->cancelled)) > 0)
            add_reason(res, DG_REASON_CANCELLED_LINE_INVOICED,
                       "%s (PO line %ld): invoiced %s (earlier invoices %s) but %s of %s ordered "
                       "were cancelled",
                       l->supplier_sku, l->po_line, dg_dec_format(l->add, a, sizeof a),
                       dg_dec_format(l->invoiced, b, sizeof b),
                       dg_dec_format(l->cancelled, c, sizeof c),
                       dg_dec_format(l->ordered, (char[32]){0}, 32));
    }
    dg_dec freight, other;
    sum_charges(iv, charges, &freight, &other, tax);
    const fl_supplier *sp = fl_supplier_rules(r, supplier);
    dg_dec max_f = sp && sp->max_freight.set ? sp->max_freight : r->max_freight;
    dg_dec max_o = sp && sp->max_charges.set ? sp->max_charges : r->max_charges;
    if (max_f.set && dg_dec_cmp(freight, max_f) > 0)
        add_reason(res, DG_REASON_FREIGHT_ABOVE_LIMIT, "freight %s above the limit %s",
                   dg_dec_format(freight, a, sizeof a), dg_dec_format(max_f, b, sizeof b));
    if (max_o.set && dg_dec_cmp(other, max_o) > 0)
        add_reason(res, DG_REASON_CHARGES_ABOVE_LIMIT, "other charges %s above the limit %s",
                   dg_dec_format(other, a, sizeof a), dg_dec_format(max_o, b, sizeof b));
    if (iv->total.set) {
        dg_dec sum = dg_dec_add(dg_dec_add(*lines_amount, *charges), *tax);
        if (dg_dec_cmp(dg_dec_abs(dg_dec_sub(sum, iv->total)), r->total_tolerance) > 0)
            add_reason(res, DG_REASON_TOTAL_MISMATCH, "total %s but lines + charges + tax = %s",
                       dg_dec_format(iv->total, a, sizeof a), dg_dec_format(sum, b, sizeof b));
    }
}

static int record_invoice(dg_store *s, const char *supplier, const dg_invoice *iv, const po_info *p,
                          int64_t doc_id, int64_t original, const reason_list *res,
                          dg_dec lines_amount, dg_dec charges, dg_dec tax, int64_t *invoice_id,
                          dg_error *err)
{
    dg_store_invoice_rec rec = {.supplier = supplier,
                                .invoice_number = iv->invoice_number,
                                .invoice_date = iv->invoice_date,
                                .currency = iv->currency,
                                .outcome = res->n ? "DISCREPANCY" : "MATCHED",
                                .po_id = p->id,
                                .document_id = doc_id,
                                .duplicate_of = original,
                                .lines_amount = lines_amount,
                                .charges = charges,
                                .tax = tax,
                                .total = iv->total};
    int64_t id = 0;
    int rc = dg_store_invoice_add(s, &rec, &id, err);
    if (rc)
        return rc;
    *invoice_id = id;
    for (size_t i = 0; i < iv->n_lines; i++) {
        const dg_invoice_line *il = &iv->lines[i];
        int k = fl_match_line(p->lines, p->n_lines, il->line_number, il->vendor_sku, il->buyer_sku,
                              il->gtin);
        dg_store_invoice_line line = {.line_number = il->line_number,
                                      .vendor_sku = il->vendor_sku ? il->vendor_sku : il->buyer_sku,
                                      .order_line_id = k >= 0 ? p->lines[k].id : 0,
                                      .qty = il->quantity,
                                      .unit_price = il->unit_price,
                                      .amount = il->quantity.set && il->unit_price.set
                                                    ? dg_dec_mul(il->quantity, il->unit_price)
                                                    : (dg_dec){0, false}};
        if ((rc = dg_store_invoice_line_add(s, id, &line, err)))
            return rc;
    }
    for (size_t i = 0; i < iv->n_charges; i++) {
        const dg_charge *c = &iv->charges[i];
        if ((rc = dg_store_invoice_charge_add(s, id, c->type, c->code, c->amount, c->description,
                                              err)))
            return rc;
    }
    for (size_t i = 0; i < res->n; i++)
        if ((rc = dg_store_discrepancy_add(s, id, res->v[i].code, res->v[i].detail, err)))
            return rc;
    return 0;
}

/* A MATCHED invoice is approved for payment: its quantities count as invoiced, and a PO whose
 * every unit is invoiced is INVOICED. */
static int apply_matched(dg_store *s, const po_info *p, dg_error *err)
{
    for (size_t i = 0; i < p->n_lines; i++) {
        if (p->lines[i].add.v <= 0)
            continue;
        int rc = dg_store_line_invoiced_add(s, p->lines[i].id, p->lines[i].add.v, err);
        if (rc)
            return rc;
    }
    return dg_store_po_invoiced_if_complete(s, p->id, err);
}

static int ingest_invoice(dg_store *s, const dg_flow_rules *r, const char *supplier,
                          const dg_doc *doc, int64_t file_id, const fl_docrec *rec,
                          dg_flow_invoice_result *res, dg_error *err)
{
    memset(res, 0, sizeof *res);
    if (!s || !r || !supplier || !doc || doc->kind != DG_DOC_INVOICE)
        return dg_error_set(err, DG_EINVAL, "ingest_invoice: store, rules, supplier, invoice");
    const dg_invoice *iv = &doc->u.invoice;
    if (!iv->invoice_number || !*iv->invoice_number)
        return dg_error_set(err, DG_EVALID, "%s: invoice without an invoice number", supplier);
    if (!iv->po_number || !*iv->po_number)
        return dg_error_set(err, DG_EVALID, "%s: invoice %s names no PO number", supplier,
                            iv->invoice_number);
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    po_info p;
    memset(&p, 0, sizeof p);
    reason_list rl = {0};
    bool seen = false, found = false;
    if ((rc = fl_already(s, rec, doc, file_id, &seen, err)))
        goto fail;
    if (seen) {
        res->outcome = DG_FLOW_DUPLICATE;
        return dg_store_commit(s, err);
    }
    if ((rc = dg_store_po_load(s, iv->po_number, &p, &found, err)))
        goto fail;
    if (!found) {
        rc = dg_error_set(err, DG_EVALID, "%s: invoice %s for unknown PO %s", supplier,
                          iv->invoice_number, iv->po_number);
        goto fail;
    }
    if (strcmp(p.supplier, supplier)) {
        rc = dg_error_set(err, DG_EVALID, "%s: invoice %s for PO %s, which was sent to %s",
                          supplier, iv->invoice_number, iv->po_number, p.supplier);
        goto fail;
    }
    int64_t original = 0, doc_id = 0;
    if ((rc = dg_store_invoice_original(s, supplier, iv->invoice_number, &original, err)))
        goto fail;
    dg_dec lines_amount, charges, tax;
    match_invoice(r, supplier, iv, &p, original, &rl, &lines_amount, &charges, &tax);
    res->outcome = rl.n ? DG_FLOW_DISCREPANCY : DG_FLOW_MATCHED;
    res->n_reasons_total = rl.n;
    for (size_t i = 0; i < rl.n && i < DG_FLOW_MAX_REASONS; i++)
        res->reasons[res->n_reasons++] = rl.v[i];
    if ((rc = fl_document_add(s, supplier, rec, doc, file_id, dg_flow_outcome_name(res->outcome),
                              &doc_id, err)) ||
        (rc = record_invoice(s, supplier, iv, &p, doc_id, original, &rl, lines_amount, charges, tax,
                             &res->invoice_id, err)))
        goto fail;
    if (res->outcome == DG_FLOW_MATCHED) {
        dg_status_cause cause = {
            .kind = fl_cause_kind(doc), .document_id = doc_id, .detail = iv->invoice_number};
        if ((rc = apply_matched(s, &p, err)) ||
            (rc = dg_store_po_status_refresh(s, p.id, &cause, NULL, err)))
            goto fail;
    }
    dg_store_po_free(&p);
    free(rl.v);
    return dg_store_commit(s, err);
fail:
    dg_store_po_free(&p);
    free(rl.v);
    dg_store_rollback(s);
    return rc;
}

int dg_flow_ingest_invoice(dg_store *s, const dg_flow_rules *r, const char *supplier,
                           const dg_doc *doc, int64_t file_id, dg_flow_invoice_result *res,
                           dg_error *err)
{
    fl_docrec rec = {0};
    if (doc)
        fl_docrec_init(&rec, doc);
    int rc = ingest_invoice(s, r, supplier, doc, file_id, &rec, res, err);
    fl_docrec_free(&rec);
    return rc;
}
