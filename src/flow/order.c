/* Storefront orders in: deduplication, per-line routing over catalog + stock + rules, order and
 * line statuses, and one supplier PO per chosen supplier; then the POs out (pending, queued). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/model_json.h"
#include "flow/flow_internal.h"

typedef struct cand {
    char supplier[64];
    char supplier_sku[128];
    char gtin[64];
    char description[256];
    dg_dec cost; /* unit cost: the stock feed's, else the catalog's */
    int64_t priority;
    int preferred;
    dg_dec ship_est, fee, landed;
    bool has_stock;
    dg_dec stock_qty;
    char ship_to[256];
    int approved;
} cand;

/* What one supplier takes of a line: the whole quantity, or a share when split_lines splits it. */
typedef struct part {
    cand c;
    dg_dec qty;
    int64_t po_id;
    long po_line;
} part;

typedef struct line_plan {
    dg_order_line *in;
    const char *sku;
    const char *status;
    char reason[512];
    cand *cands; /* feasible candidates after every filter */
    size_t n_cands;
    int chosen;  /* index in cands, -1: none */
    part *parts; /* the chosen supplier(s), filled once routing is decided */
    size_t n_parts;
    bool test;            /* a test order's line: only partners in test mode may take it */
    fl_verdict *verdicts; /* every candidate as the rules saw it before any stock was reserved,
                             recorded for `dropgate route --explain` */
    size_t n_verdicts;
} line_plan;

static bool is_matched(const line_plan *lp)
{
    return lp->status && !strcmp(lp->status, DG_LINE_MATCHED);
}

/* A line the mapping left out with its status (a gift card: NOT_SHIPPABLE): it keeps that status
 * and reason and is not routed. */
static bool carried(line_plan *lp)
{
    const dg_order_line *l = lp->in;
    if (!dg_line_status_unrouted(l->status))
        return false;
    lp->chosen = -1;
    lp->sku = l->buyer_sku ? l->buyer_sku : l->vendor_sku;
    lp->status = l->status;
    snprintf(lp->reason, sizeof lp->reason, "%s",
             l->status_reason ? l->status_reason : "left out by the mapping");
    return true;
}

/* ---- candidates and filters -------------------------------------------------------------- */

/* The line's catalog candidates with their stock, read by the store (the query re-routing uses
 * too); ship estimate and fee are only ever added, so an absent one reads as zero. */
static int load_cands(dg_store *s, const char *sku, const char *gtin, cand **out, size_t *n,
                      dg_error *err)
{
    dg_store_candidate *rows = NULL;
    *out = NULL;
    int rc = dg_store_route_candidates(s, sku, gtin, &rows, n, err);
    if (rc)
        return rc;
    *out = calloc(*n ? *n : 1, sizeof **out);
    if (!*out) {
        free(rows);
        *n = 0;
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < *n; i++) {
        const dg_store_candidate *r = &rows[i];
        cand *c = &(*out)[i];
        snprintf(c->supplier, sizeof c->supplier, "%s", r->supplier);
        snprintf(c->supplier_sku, sizeof c->supplier_sku, "%s", r->supplier_sku);
        snprintf(c->gtin, sizeof c->gtin, "%s", r->gtin);
        snprintf(c->description, sizeof c->description, "%s", r->description);
        snprintf(c->ship_to, sizeof c->ship_to, "%s", r->ship_to);
        c->priority = r->priority;
        c->preferred = r->preferred;
        c->ship_est = (dg_dec){r->ship_est, true};
        c->fee = (dg_dec){r->fee, true};
        c->approved = r->approved;
        c->has_stock = r->has_stock;
        c->stock_qty = (dg_dec){r->stock_qty, r->has_stock};
        /* unit cost: the stock feed's, else the catalog's, else zero */
        c->cost = (dg_dec){r->has_feed_cost ? r->feed_cost : r->has_cost ? r->cost : 0, true};
    }
    free(rows);
    return 0;
}

static bool ships_to(const dg_flow_rules *r, const cand *c, const char *country)
{
    if (c->ship_to[0]) {
        char needle[16];
        snprintf(needle, sizeof needle, " %s ", country);
        if (!strstr(c->ship_to, needle))
            return false;
    }
    const fl_supplier *sp = fl_supplier_rules(r, c->supplier);
    if (sp && sp->n_ship_to) {
        for (size_t i = 0; i < sp->n_ship_to; i++)
            if (!strcmp(sp->ship_to[i], country))
                return true;
        return false;
    }
    return true;
}

static bool approved(const dg_flow_rules *r, const cand *c)
{
    const fl_supplier *sp = fl_supplier_rules(r, c->supplier);
    return c->approved && (!sp || sp->enabled);
}

/* Test orders go only to partners in test mode (or a production supplier's test twin, named
 * in at the end of routing); production orders never go to a partner in test mode. */
static bool test_mode_ok(const dg_flow_rules *r, const cand *c, bool test)
{
    if (fl_is_test_supplier(r, c->supplier))
        return test;
    return !test || fl_test_twin(r, c->supplier);
}

static bool in_stock(const dg_flow_rules *r, const cand *c, dg_dec qty)
{
    if (!c->has_stock)
        return !fl_stock_required(r, c->supplier);
    return dg_dec_cmp(c->stock_qty, qty) >= 0;
}

/* Keeps the candidates keep() accepts, in place; returns how many are left. */
#define FILTER(lp, cond)                                                                           \
    do {                                                                                           \
        size_t k_ = 0;                                                                             \
        for (size_t i_ = 0; i_ < (lp)->n_cands; i_++) {                                            \
            const cand *c = &(lp)->cands[i_];                                                      \
            if (cond)                                                                              \
                (lp)->cands[k_++] = (lp)->cands[i_];                                               \
        }                                                                                          \
        (lp)->n_cands = k_;                                                                        \
    } while (0)

static void set_status(line_plan *lp, const char *status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_status(line_plan *lp, const char *status, const char *fmt, ...)
{
    lp->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lp->reason, sizeof lp->reason, fmt, ap);
    va_end(ap);
}

static void stock_reason(line_plan *lp, const cand *all, size_t n, dg_dec qty)
{
    char q[32], have[32];
    int k = snprintf(lp->reason, sizeof lp->reason, "SKU %s: %s ordered;", lp->sku,
                     dg_dec_format(qty, q, sizeof q));
    for (size_t i = 0; i < n && k > 0 && (size_t)k < sizeof lp->reason; i++) {
        if (all[i].has_stock)
            k += snprintf(lp->reason + k, sizeof lp->reason - (size_t)k, " %s has %s",
                          all[i].supplier, dg_dec_format(all[i].stock_qty, have, sizeof have));
        else
            k += snprintf(lp->reason + k, sizeof lp->reason - (size_t)k, " %s has no stock feed",
                          all[i].supplier);
    }
    lp->status = DG_LINE_OUT_OF_STOCK;
}

/* Runs the filters of routing.yaml over one line; leaves the feasible candidates in lp. */
static int route_line(dg_store *s, const dg_flow_rules *r, line_plan *lp, const char *country,
                      dg_error *err)
{
    dg_order_line *l = lp->in;
    lp->chosen = -1;
    lp->sku = l->buyer_sku ? l->buyer_sku : l->vendor_sku;
    const char *sku = lp->sku ? lp->sku : "(none)";
    if (!l->quantity.set || l->quantity.v <= 0) {
        set_status(lp, DG_LINE_NOT_APPROVED, "SKU %s: quantity must be more than 0", sku);
        return 0;
    }
    int rc = load_cands(s, lp->sku ? lp->sku : "", l->gtin, &lp->cands, &lp->n_cands, err);
    if (rc)
        return rc;
    if (!lp->n_cands) {
        set_status(lp, DG_LINE_PRODUCT_NOT_FOUND, "SKU %s%s%s is not in the catalog", sku,
                   l->gtin ? " / GTIN " : "", l->gtin ? l->gtin : "");
        return 0;
    }
    dg_dec amount = l->unit_price.set ? dg_dec_mul(l->unit_price, l->quantity) : l->unit_price;
    if (dg_dec_overflowed(amount)) {
        char q[32], p[32];
        set_status(lp, DG_LINE_NOT_APPROVED,
                   "SKU %s: line amount %s x %s is too large to compute (limit 922337203685477)",
                   sku, dg_dec_format(l->quantity, q, sizeof q),
                   dg_dec_format(l->unit_price, p, sizeof p));
        return 0;
    }
    if (r->max_line_amount.set && amount.set && dg_dec_cmp(amount, r->max_line_amount) > 0) {
        char a[32], m[32];
        set_status(lp, DG_LINE_NOT_APPROVED, "SKU %s: line amount %s above the approval limit %s",
                   sku, dg_dec_format(amount, a, sizeof a),
                   dg_dec_format(r->max_line_amount, m, sizeof m));
        return 0;
    }
    FILTER(lp, approved(r, c));
    if (!lp->n_cands) {
        set_status(lp, DG_LINE_NOT_APPROVED, "SKU %s: no approved supplier", sku);
        return 0;
    }
    FILTER(lp, test_mode_ok(r, c, lp->test));
    if (!lp->n_cands) {
        set_status(lp, DG_LINE_NOT_APPROVED,
                   lp->test ? "SKU %s: test order and no supplier of it is in test mode (partner "
                              "test: true), so it is not sent to a production supplier"
                            : "SKU %s: its only suppliers are in test mode (partner test: true)",
                   sku);
        return 0;
    }
    FILTER(lp, ships_to(r, c, country));
    if (!lp->n_cands) {
        set_status(lp, DG_LINE_SHIPPING_UNAVAILABLE, "SKU %s: no supplier ships to %s", sku,
                   country);
        return 0;
    }
    cand *before = malloc(lp->n_cands * sizeof *before);
    if (!before)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    size_t n_before = lp->n_cands;
    memcpy(before, lp->cands, n_before * sizeof *before);
    FILTER(lp, in_stock(r, c, l->quantity));
    if (!lp->n_cands)
        stock_reason(lp, before, n_before, l->quantity);
    free(before);
    if (!lp->n_cands)
        return 0;
    for (size_t i = 0; i < lp->n_cands; i++) {
        cand *c = &lp->cands[i];
        c->landed = dg_dec_add(dg_dec_add(dg_dec_mul(c->cost, l->quantity), c->ship_est), c->fee);
    }
    FILTER(lp, !dg_dec_overflowed(c->landed));
    if (!lp->n_cands) {
        set_status(lp, DG_LINE_NOT_APPROVED,
                   "SKU %s: landed cost of quantity %s is too large to compute", sku,
                   dg_dec_format(l->quantity, (char[32]){0}, 32));
        return 0;
    }
    if (!r->allow_loss && amount.set) {
        FILTER(lp, dg_dec_cmp(c->landed, amount) <= 0);
        if (!lp->n_cands) {
            set_status(lp, DG_LINE_NOT_APPROVED,
                       "SKU %s: every supplier's landed cost is above the selling price", sku);
            return 0;
        }
    }
    for (size_t i = 0; lp->test && i < lp->n_cands; i++) {
        const char *twin = fl_is_test_supplier(r, lp->cands[i].supplier)
                               ? NULL
                               : fl_test_twin(r, lp->cands[i].supplier);
        if (twin) /* the production supplier's stock decided; the test partner gets the PO */
            snprintf(lp->cands[i].supplier, sizeof lp->cands[i].supplier, "%s", twin);
    }
    lp->status = DG_LINE_MATCHED;
    return 0;
}

static int cmp_cand(const dg_flow_rules *r, const cand *a, const cand *b)
{
    for (size_t i = 0; i < r->n_choose; i++) {
        int d = 0;
        switch (r->choose[i]) {
        case FL_BY_PREFERRED: d = (b->preferred != 0) - (a->preferred != 0); break;
        case FL_BY_PRIORITY: d = (a->priority > b->priority) - (a->priority < b->priority); break;
        case FL_BY_LANDED_COST: d = dg_dec_cmp(a->landed, b->landed); break;
        }
        if (d)
            return d;
    }
    return strcmp(a->supplier, b->supplier);
}

static int best_cand(const dg_flow_rules *r, const line_plan *lp)
{
    int best = -1;
    for (size_t i = 0; i < lp->n_cands; i++)
        if (best < 0 || cmp_cand(r, &lp->cands[i], &lp->cands[best]) < 0)
            best = (int)i;
    return best;
}

static int find_supplier(const line_plan *lp, const char *supplier)
{
    for (size_t i = 0; i < lp->n_cands; i++)
        if (!strcmp(lp->cands[i].supplier, supplier))
            return (int)i;
    return -1;
}

/* split: false - one supplier for the whole order: the one that can take the most lines, then
 * the lowest total landed cost. Lines it cannot take stay unplaced, with the reason. */
static void choose_single(line_plan *lp, size_t n)
{
    const char *best = NULL;
    size_t best_count = 0;
    dg_dec best_cost = {0, true};
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < lp[i].n_cands; j++) {
            const char *sup = lp[i].cands[j].supplier;
            size_t count = 0;
            dg_dec cost = {0, true};
            for (size_t k = 0; k < n; k++) {
                int c = is_matched(&lp[k]) ? find_supplier(&lp[k], sup) : -1;
                if (c >= 0) {
                    count++;
                    cost = dg_dec_add(cost, lp[k].cands[c].landed);
                }
            }
            if (!best || count > best_count ||
                (count == best_count &&
                 (dg_dec_cmp(cost, best_cost) < 0 ||
                  (!dg_dec_cmp(cost, best_cost) && strcmp(sup, best) < 0)))) {
                best = sup;
                best_count = count;
                best_cost = cost;
            }
        }
    char chosen[64] = "";
    if (best)
        snprintf(chosen, sizeof chosen, "%s", best);
    for (size_t k = 0; k < n; k++) {
        if (!is_matched(&lp[k]))
            continue;
        lp[k].chosen = find_supplier(&lp[k], chosen);
        if (lp[k].chosen < 0)
            set_status(&lp[k], DG_LINE_NOT_APPROVED,
                       "SKU %s: the order may not be split (split: false) and %s takes its "
                       "other lines",
                       lp[k].sku, chosen);
    }
}

/* Takes the stock of every part of the line (parts without a stock row take none). When a part's
 * stock is no longer there - another order took it after this one looked: an instance beside
 * this one on a shared store, or with split: false an earlier line of this order, as every line
 * is judged before any is reserved - the parts already taken are given back and *short_ is set;
 * nothing is ever reserved below zero. */
static int reserve_parts(dg_store *s, const line_plan *lp, bool *short_, dg_error *err)
{
    *short_ = false;
    size_t k = 0;
    int rc = 0;
    for (; k < lp->n_parts; k++) {
        const part *p = &lp->parts[k];
        bool taken = true;
        if (p->c.has_stock && (rc = dg_store_stock_reserve(s, p->c.supplier, p->c.supplier_sku,
                                                           p->qty.v, &taken, err)))
            return rc;
        if (!taken) {
            *short_ = true;
            break;
        }
    }
    for (size_t i = 0; *short_ && i < k; i++) {
        const part *p = &lp->parts[i];
        if (p->c.has_stock &&
            (rc = dg_store_stock_unreserve(s, p->c.supplier, p->c.supplier_sku, p->qty.v, err)))
            return rc;
    }
    return 0;
}

/* A line whose stock went while it was routed: placed on nothing, with the reason. */
static void stock_gone(line_plan *lp)
{
    char q[32];
    const char *sup = lp->n_parts ? lp->parts[0].c.supplier : "?";
    snprintf(lp->reason, sizeof lp->reason,
             "SKU %s: %s ordered; the stock at %s was taken by another order while this one "
             "was routed",
             lp->sku ? lp->sku : "(none)", dg_dec_format(lp->in->quantity, q, sizeof q), sup);
    lp->status = DG_LINE_OUT_OF_STOCK;
    free(lp->parts);
    lp->parts = NULL;
    lp->n_parts = 0;
    lp->chosen = -1;
}

/* Forgets a line's routing (candidates, parts, status) so it can be routed again. */
static void unroute(line_plan *lp)
{
    free(lp->cands);
    free(lp->parts);
    lp->cands = NULL;
    lp->parts = NULL;
    lp->n_cands = lp->n_parts = 0;
    lp->chosen = -1;
    lp->status = NULL;
    lp->reason[0] = '\0';
}

/* ---- recording ----------------------------------------------------------------------------- */

static int find_order(dg_store *s, const char *storefront, const char *number, int64_t *id,
                      const char **status, size_t *lines, size_t *matched, dg_error *err)
{
    dg_store_order_found o;
    int rc = dg_store_order_state(s, storefront, number, &o, err);
    if (rc)
        return rc;
    *id = o.id;
    if (o.id) {
        *status = !strcmp(o.status, DG_ORDER_CONVERTED)             ? DG_ORDER_CONVERTED
                  : !strcmp(o.status, DG_ORDER_PARTIALLY_CONVERTED) ? DG_ORDER_PARTIALLY_CONVERTED
                                                                    : DG_ORDER_FAILED;
        *lines = o.lines;
        *matched = o.matched;
    }
    return 0;
}

static int insert_order(dg_store *s, const char *storefront, const dg_doc *doc, int64_t doc_id,
                        const char *status, const char *country, size_t lines, size_t matched,
                        int64_t *id, dg_error *err)
{
    const dg_order *o = &doc->u.order;
    char *ship = fl_party_json(&o->ship_to);
    dg_store_order_rec rec = {.storefront = storefront,
                              .order_number = o->order_number,
                              .status = status,
                              .order_date = o->order_date,
                              .currency = o->currency,
                              .ship_to_json = ship,
                              .ship_country = country,
                              .carrier = o->carrier,
                              .service_level = o->service_level,
                              .notes = o->notes,
                              .document_id = doc_id,
                              .total = o->total,
                              .lines = lines,
                              .matched = matched};
    int rc = dg_store_order_add(s, &rec, id, err);
    free(ship);
    return rc;
}

/* Longest order number taken: results, reports and tracking notifications carry the storefront's
 * order number in char[64] fields (flow.h), and a PO number is built from it; a longer one is
 * refused as DG_EVALID (the file is quarantined) instead of being cut short. */
#define MAX_ORDER_NUMBER DG_FLOW_MAX_ORDER_NUMBER
/* "-2" ... "-1000": the same order number re-used by that many storefronts is a loop, not trade */
#define MAX_PO_SUFFIX 1000

/* "<order>-<SUPPLIER CODE>", with "-2", "-3"... only when another storefront already used the
 * same order number with the same supplier. Deterministic for a given store history. */
static int create_po(dg_store *s, const dg_flow_rules *r, const char *supplier, const dg_order *o,
                     int64_t order_id, dg_dec total, int64_t *po_id, dg_error *err)
{
    if (dg_dec_overflowed(total)) /* never store or send a saturated amount */
        return dg_error_set(err, DG_EVALID,
                            "order %.40s: PO total for %s is too large to compute (limit "
                            "922337203685477)",
                            o->order_number, supplier);
    char code[32], number[MAX_ORDER_NUMBER + sizeof code + 16];
    fl_supplier_code(r, supplier, code, sizeof code);
    int n = snprintf(number, sizeof number, "%s-%s", o->order_number, code);
    int rc;
    for (int k = 2;; k++) {
        /* a cut-off number could never become free: refuse it instead of looping */
        if (n < 0 || (size_t)n >= sizeof number)
            return dg_error_set(err, DG_EVALID, "order %.40s: PO number for %s too long",
                                o->order_number, supplier);
        bool taken = false;
        if ((rc = dg_store_po_number_taken(s, number, &taken, err)))
            return rc;
        if (!taken)
            break;
        if (k > MAX_PO_SUFFIX)
            return dg_error_set(err, DG_EVALID,
                                "order %.40s: PO numbers %s-%s up to -%d are all taken",
                                o->order_number, o->order_number, code, MAX_PO_SUFFIX);
        n = snprintf(number, sizeof number, "%s-%s-%d", o->order_number, code, k);
    }
    char *bill = fl_party_json(&r->retailer);
    dg_store_po_rec rec = {.po_number = number,
                           .supplier = supplier,
                           .bill_to_json = bill,
                           .currency = o->currency ? o->currency : r->currency,
                           .order_id = order_id,
                           .total = total};
    rc = dg_store_po_add(s, &rec, po_id, err);
    free(bill);
    return rc;
}

/* One order_lines row: the line, or one supplier's part of it (p NULL: not placed). */
static int insert_row(dg_store *s, int64_t order_id, size_t no, const line_plan *lp, const part *p,
                      dg_error *err)
{
    const dg_order_line *l = lp->in;
    const cand *c = p ? &p->c : NULL;
    dg_dec qty = p ? p->qty : l->quantity;
    dg_store_order_line_rec rec = {.order_id = order_id,
                                   .line_no = no,
                                   .line_number = l->line_number,
                                   .retailer_sku = lp->sku,
                                   .gtin = l->gtin           ? l->gtin
                                           : c && c->gtin[0] ? c->gtin
                                                             : NULL,
                                   .description = l->description           ? l->description
                                                  : c && c->description[0] ? c->description
                                                                           : NULL,
                                   .uom = l->uom,
                                   .qty = qty.set ? qty.v : 0,
                                   .unit_price = l->unit_price,
                                   .status = lp->status,
                                   .reason = lp->reason[0] ? lp->reason : NULL,
                                   .supplier = c ? c->supplier : NULL,
                                   .supplier_sku = c ? c->supplier_sku : NULL,
                                   .cost = c ? c->cost : (dg_dec){0, false},
                                   .landed_cost = c ? c->landed : (dg_dec){0, false},
                                   .po_id = p ? p->po_id : 0,
                                   .po_line = p ? p->po_line : 0};
    return dg_store_order_line_add(s, &rec, err);
}

static int insert_lines(dg_store *s, int64_t order_id, const line_plan *lp, size_t n, dg_error *err)
{
    size_t no = 0;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!lp[i].n_parts)
            rc = insert_row(s, order_id, ++no, &lp[i], NULL, err);
        for (size_t k = 0; k < lp[i].n_parts && !rc; k++)
            rc = insert_row(s, order_id, ++no, &lp[i], &lp[i].parts[k], err);
    }
    return rc;
}

/* Groups the parts by supplier (first appearance order) and creates their POs. */
static int create_pos(dg_store *s, const dg_flow_rules *r, const dg_order *o, int64_t order_id,
                      line_plan *lp, size_t n, size_t *created, dg_error *err)
{
    *created = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < lp[i].n_parts; j++) {
            if (lp[i].parts[j].po_id)
                continue;
            const char *sup = lp[i].parts[j].c.supplier;
            dg_dec total = {0, true};
            for (size_t k = i; k < n; k++)
                for (size_t q = 0; q < lp[k].n_parts; q++)
                    if (!strcmp(lp[k].parts[q].c.supplier, sup))
                        total = dg_dec_add(total,
                                           dg_dec_mul(lp[k].parts[q].c.cost, lp[k].parts[q].qty));
            int64_t po_id = 0;
            int rc = create_po(s, r, sup, o, order_id, total, &po_id, err);
            if (rc)
                return rc;
            (*created)++;
            long line = 0;
            for (size_t k = i; k < n; k++)
                for (size_t q = 0; q < lp[k].n_parts; q++)
                    if (!strcmp(lp[k].parts[q].c.supplier, sup)) {
                        lp[k].parts[q].po_id = po_id;
                        lp[k].parts[q].po_line = ++line;
                    }
        }
    return 0;
}

/* The chosen candidate takes the whole line. */
static int whole_part(line_plan *lp, dg_error *err)
{
    lp->parts = calloc(1, sizeof *lp->parts);
    if (!lp->parts)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    lp->parts[0].c = lp->cands[lp->chosen];
    lp->parts[0].qty = lp->in->quantity;
    lp->n_parts = 1;
    return 0;
}

/* split_lines: a line no single supplier has enough stock for is shared out among the suppliers
 * that may take it, in `choose` order, each taking what its stock allows. */
static int split_line(dg_store *s, const dg_flow_rules *r, line_plan *lp, const char *country,
                      dg_error *err)
{
    const dg_order_line *l = lp->in;
    cand *all = NULL;
    size_t n = 0;
    int rc = load_cands(s, lp->sku ? lp->sku : "", l->gtin, &all, &n, err);
    if (rc) {
        free(all);
        return rc;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (approved(r, &all[i]) && !fl_is_test_supplier(r, all[i].supplier) &&
            ships_to(r, &all[i], country) && all[i].has_stock && all[i].stock_qty.v > 0) {
            all[k] = all[i];
            all[k].landed = dg_dec_add(
                dg_dec_add(dg_dec_mul(all[k].cost, l->quantity), all[k].ship_est), all[k].fee);
            k++;
        }
    for (size_t i = 1; i < k; i++) /* insertion sort by the rules' choice */
        for (size_t j = i; j > 0 && cmp_cand(r, &all[j], &all[j - 1]) < 0; j--) {
            cand tmp = all[j];
            all[j] = all[j - 1];
            all[j - 1] = tmp;
        }
    dg_dec left = l->quantity;
    lp->parts = calloc(k ? k : 1, sizeof *lp->parts);
    if (!lp->parts) {
        free(all);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < k && left.v > 0; i++) {
        part *p = &lp->parts[lp->n_parts++];
        p->c = all[i];
        p->qty = dg_dec_cmp(all[i].stock_qty, left) < 0 ? all[i].stock_qty : left;
        p->c.landed =
            dg_dec_add(dg_dec_add(dg_dec_mul(p->c.cost, p->qty), p->c.ship_est), p->c.fee);
        left = dg_dec_sub(left, p->qty);
    }
    free(all);
    bool loss = false;
    for (size_t i = 0; i < lp->n_parts && !r->allow_loss && l->unit_price.set; i++)
        loss = loss ||
               dg_dec_cmp(lp->parts[i].c.landed, dg_dec_mul(l->unit_price, lp->parts[i].qty)) > 0;
    /* Not enough even together (or a share would sell at a loss): stays OUT_OF_STOCK. */
    if (left.v > 0 || lp->n_parts < 2 || loss) {
        free(lp->parts);
        lp->parts = NULL;
        lp->n_parts = 0;
        return 0;
    }
    lp->status = DG_LINE_MATCHED;
    int w = snprintf(lp->reason, sizeof lp->reason, "SKU %s split:", lp->sku);
    for (size_t i = 0; i < lp->n_parts && w > 0 && (size_t)w < sizeof lp->reason; i++) {
        char q[32];
        w += snprintf(lp->reason + w, sizeof lp->reason - (size_t)w, " %s %s",
                      lp->parts[i].c.supplier, dg_dec_format(lp->parts[i].qty, q, sizeof q));
    }
    return 0;
}

/* Every candidate of the line through the routing filters with the reason, before this order
 * reserves any stock (reroute.c judges the same way when a line is re-routed). */
static int judge_line(dg_store *s, const dg_flow_rules *r, line_plan *lp, const char *country,
                      dg_error *err)
{
    const dg_order_line *l = lp->in;
    const char *sku = l->buyer_sku ? l->buyer_sku : l->vendor_sku;
    if (!l->quantity.set || l->quantity.v <= 0)
        return 0;
    fl_line_ask ask = {.sku = sku ? sku : "",
                       .gtin = l->gtin,
                       .country = country,
                       .qty = l->quantity,
                       .price = l->unit_price,
                       .test = lp->test,
                       .via_twin = true};
    int best = -1;
    return fl_route_evaluate(s, r, &ask, &lp->verdicts, &lp->n_verdicts, &best, err);
}

/* The verdicts as route_decisions of attempt 1, the supplier(s) routing took CHOSEN. */
static int record_judgements(dg_store *s, int64_t order_id, const line_plan *lp, size_t n,
                             dg_error *err)
{
    long no = 0;
    for (size_t i = 0; i < n; i++) {
        long first = no + 1;
        no += lp[i].n_parts ? (long)lp[i].n_parts : 1;
        for (size_t k = 0; k < lp[i].n_verdicts; k++) {
            const fl_verdict *v = &lp[i].verdicts[k];
            bool chosen = false;
            for (size_t q = 0; q < lp[i].n_parts; q++)
                chosen = chosen || !strcmp(lp[i].parts[q].c.supplier, v->c.supplier);
            dg_store_decision d = {.order_id = order_id,
                                   .line_no = first,
                                   .attempt = 1,
                                   .has_landed = v->eligible,
                                   .landed = v->landed.v};
            snprintf(d.supplier, sizeof d.supplier, "%s", v->c.supplier);
            snprintf(d.verdict, sizeof d.verdict, "%s",
                     chosen        ? "CHOSEN"
                     : v->eligible ? "ELIGIBLE"
                                   : "SKIPPED");
            snprintf(d.reason, sizeof d.reason, "%s", v->reason);
            snprintf(d.cause, sizeof d.cause, "order");
            int rc = dg_store_decision_add(s, &d, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Each new PO starts its life AWAITING_CONFIRMATION (a status_history row caused by the order). */
static int pos_created(dg_store *s, const line_plan *lp, size_t n, int64_t doc_id, dg_error *err)
{
    dg_status_cause c = {.kind = "order", .document_id = doc_id};
    int64_t last = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < lp[i].n_parts; k++) {
            int64_t id = lp[i].parts[k].po_id;
            bool seen = id <= last; /* POs are created in increasing id order */
            if (seen)
                continue;
            last = id;
            int rc = dg_store_po_created(s, id, &c, err);
            if (rc)
                return rc;
        }
    return 0;
}

static bool has_text(const char *v)
{
    while (v && (*v == ' ' || *v == '\t'))
        v++;
    return v && *v;
}

/* An order not wholly converted says why: its own reason (no address) and, for its storefront's
 * status feed, the reasons of the lines that were not placed. */
static int not_converted(dg_store *s, int64_t order_id, const char *status, const char *reason,
                         const line_plan *lp, size_t n, int64_t doc_id, bool reopened,
                         dg_error *err)
{
    /* a re-sent order that failed in its mapping before: the storefront is told it is placed */
    if (!strcmp(status, DG_ORDER_CONVERTED))
        return reopened ? dg_store_order_outcome(s, order_id, status, NULL, NULL, doc_id, err) : 0;
    char detail[1024];
    size_t w = 0;
    detail[0] = '\0';
    for (size_t i = 0; i < n && w < sizeof detail; i++) {
        if (lp[i].n_parts || !lp[i].reason[0])
            continue;
        int k = snprintf(detail + w, sizeof detail - w, "%s%s %s", w ? "; " : "", lp[i].status,
                         lp[i].reason);
        w = k < 0 ? sizeof detail : w + (size_t)k;
    }
    return dg_store_order_outcome(s, order_id, status, reason, detail[0] ? detail : NULL, doc_id,
                                  err);
}

/* lines: those routing took (a NOT_SHIPPABLE gift card neither helps nor hurts); none: FAILED. */
static const char *order_status(size_t lines, size_t matched)
{
    return matched == 0       ? DG_ORDER_FAILED
           : matched == lines ? DG_ORDER_CONVERTED
                              : DG_ORDER_PARTIALLY_CONVERTED;
}

static int place_order(dg_store *s, const dg_flow_rules *r, const char *storefront, dg_doc *doc,
                       int64_t file_id, const fl_docrec *rec, line_plan *lp, bool reopened,
                       dg_flow_order_result *res, dg_error *err)
{
    dg_order *o = &doc->u.order;
    char country[8];
    snprintf(country, sizeof country, "%s",
             o->ship_to.country && *o->ship_to.country ? o->ship_to.country : r->default_country);
    for (char *p = country; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    int rc;
    /* No street and city to ship to: nothing can be placed; every line says why (issue 10). */
    const char *no_address = !has_text(o->ship_to.address1) || !has_text(o->ship_to.city)
                                 ? "no ship-to address (street and city)"
                                 : NULL;
    size_t routable = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        lp[i].in = &o->lines[i];
        lp[i].test = dg_order_is_test(o);
        if (carried(&lp[i]))
            continue;
        routable++;
        if (no_address) {
            lp[i].chosen = -1;
            lp[i].sku = o->lines[i].buyer_sku ? o->lines[i].buyer_sku : o->lines[i].vendor_sku;
            set_status(&lp[i], DG_LINE_SHIPPING_UNAVAILABLE, "SKU %s: the order has %s",
                       lp[i].sku ? lp[i].sku : "(none)", no_address);
            continue;
        }
        if ((rc = judge_line(s, r, &lp[i], country, err)))
            return rc;
        /* Routed on the stock it reads; when that stock is gone by the time it is reserved,
         * routed once more on what is there now, then out of stock. */
        for (int attempt = 0;; attempt++) {
            bool short_ = false;
            if ((rc = route_line(s, r, &lp[i], country, err)))
                return rc;
            if (!r->split)
                break;
            if (is_matched(&lp[i])) {
                lp[i].chosen = best_cand(r, &lp[i]);
                rc = whole_part(&lp[i], err);
            } else if (r->split_lines && !lp[i].test &&
                       !strcmp(lp[i].status, DG_LINE_OUT_OF_STOCK)) {
                rc = split_line(s, r, &lp[i], country, err);
            }
            if (rc || (rc = reserve_parts(s, &lp[i], &short_, err)))
                return rc;
            if (!short_)
                break;
            if (attempt == 1) {
                stock_gone(&lp[i]);
                break;
            }
            unroute(&lp[i]);
        }
    }
    if (!r->split) {
        choose_single(lp, o->n_lines);
        for (size_t i = 0; i < o->n_lines; i++) {
            bool short_ = false;
            if (lp[i].chosen < 0)
                continue;
            if ((rc = whole_part(&lp[i], err)) || (rc = reserve_parts(s, &lp[i], &short_, err)))
                return rc;
            if (short_) /* the order's one supplier has no more of it: this line stays out */
                stock_gone(&lp[i]);
        }
    }
    size_t matched = 0;
    for (size_t i = 0; i < o->n_lines; i++) {
        dg_order_line *l = &o->lines[i];
        l->status = (char *)lp[i].status;
        l->status_reason = lp[i].reason[0] ? dg_arena_strdup(doc->arena, lp[i].reason) : NULL;
        if (lp[i].n_parts) {
            matched++;
            l->supplier = dg_arena_strdup(doc->arena, lp[i].parts[0].c.supplier);
            for (size_t k = 1; k < lp[i].n_parts; k++)
                l->supplier =
                    dg_arena_printf(doc->arena, "%s,%s", l->supplier, lp[i].parts[k].c.supplier);
        }
    }
    res->lines = o->n_lines;
    res->matched = matched;
    res->status = order_status(routable, matched);
    const char *reason =
        routable ? no_address : "nothing to route: every line was left out by the mapping";
    int64_t doc_id = 0, order_id = 0;
    if ((rc = fl_document_add(s, storefront, rec, doc, file_id, res->status, &doc_id, err)) ||
        (rc = insert_order(s, storefront, doc, doc_id, res->status, country, o->n_lines, matched,
                           &order_id, err)) ||
        (rc = create_pos(s, r, o, order_id, lp, o->n_lines, &res->pos_created, err)) ||
        (rc = insert_lines(s, order_id, lp, o->n_lines, err)) ||
        (rc = pos_created(s, lp, o->n_lines, doc_id, err)) ||
        (rc = not_converted(s, order_id, res->status, reason, lp, o->n_lines, doc_id, reopened,
                            err)) ||
        (rc = record_judgements(s, order_id, lp, o->n_lines, err)))
        return rc;
    res->order_id = order_id;
    return 0;
}

int dg_flow_ingest_order(dg_store *s, const dg_flow_rules *r, const char *storefront, dg_doc *doc,
                         int64_t file_id, dg_flow_order_result *res, dg_error *err)
{
    memset(res, 0, sizeof *res);
    res->status = DG_ORDER_FAILED;
    if (!s || !r || !storefront || !doc || doc->kind != DG_DOC_ORDER)
        return dg_error_set(err, DG_EINVAL, "ingest_order: store, rules, storefront and an order");
    dg_order *o = &doc->u.order;
    if (!o->order_number || !*o->order_number)
        return dg_error_set(err, DG_EVALID, "%s: order without an order number (position %ld)",
                            storefront, doc->source.position);
    if (strlen(o->order_number) > MAX_ORDER_NUMBER)
        return dg_error_set(err, DG_EVALID,
                            "%s: order number '%.40s...' is %zu characters long, more than the "
                            "%d allowed (position %ld)",
                            storefront, o->order_number, strlen(o->order_number), MAX_ORDER_NUMBER,
                            doc->source.position);
    if (!o->n_lines)
        return dg_error_set(err, DG_EVALID, "%s: order %s has no lines", storefront,
                            o->order_number);
    /* Routing owns the line statuses: what came in is dropped, so the replay identity (taken
     * here) is the same for a re-read file and for this doc after routing wrote into it. A
     * status the mapping gave (a gift card NOT_SHIPPABLE) stays: routing never gives it, and
     * the line is not routed. */
    for (size_t i = 0; i < o->n_lines; i++) {
        dg_order_line *l = &o->lines[i];
        if (!dg_line_status_unrouted(l->status))
            l->status = l->status_reason = NULL;
        l->supplier = NULL;
    }
    fl_docrec rec = {0};
    fl_docrec_init(&rec, doc);
    int rc = dg_store_begin(s, err);
    if (rc) {
        fl_docrec_free(&rec);
        return rc;
    }
    bool seen = false;
    if ((rc = fl_already(s, &rec, doc, file_id, &seen, err)) ||
        (rc = find_order(s, storefront, o->order_number, &res->order_id, &res->status, &res->lines,
                         &res->matched, err)))
        goto fail;
    /* FAILED without lines: its mapping could not read it; a corrected copy is placed */
    bool reopened =
        !seen && res->order_id && res->lines == 0 && !strcmp(res->status, DG_ORDER_FAILED);
    if (seen || (res->order_id && !reopened)) {
        res->outcome = DG_FLOW_DUPLICATE;
        /* Record a new sighting (a re-sent order), never a replay of the same file position.
         * Other content under the same number is an amendment attempt: recorded, not applied. */
        if (!seen) {
            int64_t doc_id = 0;
            if ((rc = fl_order_changes(s, res->order_id, rec.json, res->changed,
                                       sizeof res->changed, err)) ||
                (rc = fl_document_add(s, storefront, &rec, doc, file_id,
                                      res->changed[0] ? "CHANGED" : "DUPLICATE", &doc_id, err)))
                goto fail;
            if (res->changed[0]) {
                res->outcome = DG_FLOW_CHANGED;
                if ((rc = dg_store_amendment_add(s, res->order_id, doc_id, res->changed, err)))
                    goto fail;
            }
        }
        fl_docrec_free(&rec);
        return dg_store_commit(s, err);
    }
    line_plan *lp = calloc(o->n_lines, sizeof *lp);
    if (!lp) {
        rc = dg_error_set(err, DG_ENOMEM, "out of memory");
        goto fail;
    }
    rc = place_order(s, r, storefront, doc, file_id, &rec, lp, reopened, res, err);
    for (size_t i = 0; i < o->n_lines; i++) {
        free(lp[i].cands);
        free(lp[i].parts);
        free(lp[i].verdicts);
    }
    free(lp);
    if (rc)
        goto fail;
    res->outcome = DG_FLOW_OK;
    fl_docrec_free(&rec);
    return dg_store_commit(s, err);
fail:
    fl_docrec_free(&rec);
    dg_store_rollback(s);
    return rc;
}

/* ---- POs out ------------------------------------------------------------------------------- */

static char *arena_dup(dg_arena *a, const char *v)
{
    return v ? dg_arena_strdup(a, v) : NULL;
}

static void po_doc_lines(const dg_store_po_out *p, dg_doc *d)
{
    for (size_t i = 0; i < p->n_lines; i++) {
        const dg_store_po_out_line *in = &p->lines[i];
        dg_order_line *l = dg_order_add_line(d);
        l->line_number = dg_arena_printf(d->arena, "%ld", in->po_line);
        l->buyer_sku = arena_dup(d->arena, in->retailer_sku);
        l->vendor_sku = arena_dup(d->arena, in->supplier_sku);
        l->gtin = arena_dup(d->arena, in->gtin);
        l->description = arena_dup(d->arena, in->description);
        l->quantity = in->qty;
        l->uom = dg_arena_strdup(d->arena, in->uom ? in->uom : "EA");
        l->unit_price = in->cost;
        l->status = DG_LINE_MATCHED;
    }
}

void dg_flow_pos_free(dg_flow_po *pos, size_t n)
{
    for (size_t i = 0; pos && i < n; i++) {
        free(pos[i].po_number);
        free(pos[i].supplier);
        free(pos[i].storefront);
        free(pos[i].order_number);
        dg_doc_free(pos[i].doc);
    }
    free(pos);
}

static void po_doc_header(const dg_store_po_out *p, dg_doc *d)
{
    dg_order *o = &d->u.order;
    dg_arena *a = d->arena;
    o->order_number = arena_dup(a, p->po_number);
    o->customer_order_number = arena_dup(a, p->order_number);
    char date[16];
    fl_date_text(p->created_at, date, sizeof date);
    o->order_date = dg_arena_strdup(a, date);
    o->purpose = dg_arena_strdup(a, "00");
    o->order_type = dg_arena_strdup(a, "DS");
    o->currency = arena_dup(a, p->currency);
    fl_party_from_json(a, p->bill_to_json, &o->bill_to);
    fl_party_from_json(a, p->bill_to_json, &o->buyer);
    fl_party_from_json(a, p->ship_to_json, &o->ship_to);
    o->seller.id = arena_dup(a, p->supplier);
    o->seller.name = arena_dup(a, p->supplier);
    o->carrier = arena_dup(a, p->carrier);
    o->service_level = arena_dup(a, p->service_level);
    o->notes = arena_dup(a, p->notes);
    o->total = p->total;
    d->source.format = dg_arena_strdup(a, "canonical");
}

/* The store's POs as flow POs, each with its canonical document for rendering; the rows' strings
 * move over (taken, so freeing the rows leaves them). */
static int to_flow_pos(dg_store_po_out *rows, size_t n, dg_flow_po **pos, dg_error *err)
{
    *pos = n ? calloc(n, sizeof **pos) : NULL;
    if (n && !*pos)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        dg_store_po_out *r = &rows[i];
        dg_flow_po *p = &(*pos)[i];
        p->id = r->id;
        p->op_held = r->op_held;
        p->doc = dg_doc_new(DG_DOC_ORDER);
        po_doc_header(r, p->doc);
        po_doc_lines(r, p->doc);
        p->po_number = r->po_number;
        p->supplier = r->supplier;
        p->storefront = r->storefront;
        p->order_number = r->order_number;
        r->po_number = r->supplier = r->storefront = r->order_number = NULL;
    }
    return 0;
}

int dg_flow_pending_pos(dg_store *s, const char *supplier, dg_flow_po **pos, size_t *n,
                        dg_error *err)
{
    /* A PO an operator holds is rendered like any other; its file waits in the outbox
     * (dg_store_outbox_pending leaves it out) until it is released. */
    return dg_flow_pending_pos_page(s, supplier, 0, 0, pos, n, err);
}

int dg_flow_pending_pos_page(dg_store *s, const char *supplier, int64_t after_id, size_t limit,
                             dg_flow_po **pos, size_t *n, dg_error *err)
{
    *pos = NULL;
    *n = 0;
    dg_store_po_out *rows = NULL;
    size_t count = 0;
    int rc = dg_store_pos_unqueued(s, supplier, after_id, limit, &rows, &count, err);
    if (!rc && !(rc = to_flow_pos(rows, count, pos, err)))
        *n = count;
    dg_store_po_outs_free(rows, count);
    return rc;
}

int dg_flow_po_load(dg_store *s, const char *po_number, dg_flow_po **po, dg_error *err)
{
    *po = NULL;
    dg_store_po_out *rows = NULL;
    size_t n = 0;
    int rc = dg_store_po_out_get(s, po_number, &rows, &n, err);
    if (!rc && n == 0)
        rc = dg_error_set(err, DG_ENOTFOUND, "PO %s: no such supplier PO", po_number);
    if (!rc)
        rc = to_flow_pos(rows, n, po, err);
    dg_store_po_outs_free(rows, n);
    return rc;
}

int dg_flow_po_queued(dg_store *s, const char *po_number, const char *file_name,
                      const char *content_sha256, const char *local_path,
                      const dg_flow_envelope *env, bool expect_ack, int64_t *outbox_id,
                      dg_error *err)
{
    if (!po_number || !file_name)
        return dg_error_set(err, DG_EINVAL, "po_queued: PO number and file name needed");
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    dg_store_po_ref po;
    bool found = false;
    if ((rc = dg_store_po_ref_get(s, po_number, &po, &found, err)))
        goto fail;
    if (!found) {
        rc = dg_error_set(err, DG_ENOTFOUND, "PO %s: not found", po_number);
        goto fail;
    }
    int64_t existing = po.outbox_id;
    if (existing > 0) { /* already queued: the first file stays the one we send */
        if (outbox_id)
            *outbox_id = existing;
        return dg_store_commit(s, err);
    }
    int64_t id = 0;
    bool existed = false;
    if ((rc = dg_store_outbox_add(s, po.supplier, "po", po_number, file_name, content_sha256,
                                  local_path, &id, &existed, err)))
        goto fail;
    if (existed) {
        rc = dg_error_set(err, DG_EDUP, "PO %s: outbox file name %s is already used for %s",
                          po_number, file_name, po.supplier);
        goto fail;
    }
    if ((rc = dg_store_po_link_outbox(s, po_number, id, env ? env->interchange_control : NULL,
                                      env ? env->group_control : NULL,
                                      env ? env->set_control : NULL, expect_ack, err)))
        goto fail;
    if (outbox_id)
        *outbox_id = id;
    return dg_store_commit(s, err);
fail:
    dg_store_rollback(s);
    return rc;
}

int dg_flow_pos_queued(dg_store *s, const char *supplier, const char *const *po_numbers, size_t n,
                       const char *file_name, const char *content_sha256, const char *local_path,
                       const dg_flow_envelope *envs, bool expect_ack, int64_t *outbox_id,
                       dg_error *err)
{
    if (!supplier || !po_numbers || n == 0 || !file_name)
        return dg_error_set(err, DG_EINVAL, "pos_queued: supplier, POs and file name needed");
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    int64_t id = 0;
    bool existed = false;
    /* The entry's ref is the file's first PO; each PO points at the entry (outbox_id). */
    if ((rc = dg_store_outbox_add(s, supplier, "po", po_numbers[0], file_name, content_sha256,
                                  local_path, &id, &existed, err)))
        goto fail;
    if (existed) {
        rc = dg_error_set(err, DG_EDUP, "PO %s: outbox file name %s is already used for %s",
                          po_numbers[0], file_name, supplier);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        const dg_flow_envelope *e = envs ? &envs[i] : NULL;
        if ((rc = dg_store_po_link_outbox(s, po_numbers[i], id, e ? e->interchange_control : NULL,
                                          e ? e->group_control : NULL, e ? e->set_control : NULL,
                                          expect_ack, err)))
            goto fail;
    }
    if (outbox_id)
        *outbox_id = id;
    return dg_store_commit(s, err);
fail:
    dg_store_rollback(s);
    return rc;
}
