/* Re-routing: a line its supplier rejected (855, or a 997/999 that rejected the PO file) or
 * backordered too long is offered to the next eligible supplier by the routing rules, on a new
 * PO, never to a supplier it was offered to before and at most reroute.max_attempts times in
 * all; otherwise it ends with its status and the reason. Every candidate's verdict is recorded
 * (route_decisions) for `dropgate route --explain`. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"

#define MAX_TRIED 24 /* > the largest reroute.max_attempts (20) */

static const char *money(int64_t v, char *buf, size_t size)
{
    dg_dec d = {v, true};
    return v % 100 ? dg_dec_format(d, buf, size) : dg_dec_format_fixed(d, 2, buf, size);
}

static void why(fl_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void why(fl_verdict *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->reason, sizeof v->reason, fmt, ap);
    va_end(ap);
}

static bool ships_to(const dg_flow_rules *r, const dg_store_candidate *c, const char *country)
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

/* One candidate through the filters of routing.yaml, in their order, with the reason. */
static void judge(const dg_flow_rules *r, const fl_line_ask *ask, fl_verdict *v)
{
    const dg_store_candidate *c = &v->c;
    const fl_supplier *sp = fl_supplier_rules(r, c->supplier);
    char a[32], b[32], d[32], e[32];
    v->cost = c->has_feed_cost ? (dg_dec){c->feed_cost, true}
              : c->has_cost    ? (dg_dec){c->cost, true}
                               : (dg_dec){0, true};
    v->landed = dg_dec_add(dg_dec_add(dg_dec_mul(v->cost, ask->qty), (dg_dec){c->ship_est, true}),
                           (dg_dec){c->fee, true});
    for (size_t i = 0; i < ask->n_tried; i++)
        if (!strcmp(ask->tried[i].supplier, c->supplier)) {
            why(v, "already offered this line: %s", ask->tried[i].outcome);
            return;
        }
    /* test orders stay among partners in test mode, production orders never reach one */
    bool test_mode = fl_is_test_supplier(r, c->supplier);
    if (ask->test ? !test_mode && !(ask->via_twin && fl_test_twin(r, c->supplier)) : test_mode) {
        why(v,
            ask->test ? "test order: %s is not in test mode"
                      : "%s is in test mode (partner test: true)",
            c->supplier);
        return;
    }
    if (!c->approved || (sp && !sp->enabled)) {
        why(v, "not approved (%s)", !c->approved ? "catalog approved=0" : "supplier disabled");
        return;
    }
    if (!ships_to(r, c, ask->country)) {
        why(v, "does not ship to %s", ask->country);
        return;
    }
    if (!c->has_stock && fl_stock_required(r, c->supplier)) {
        why(v, "no stock feed row (stock_required)");
        return;
    }
    if (c->has_stock && c->stock_qty < ask->qty.v) {
        why(v, "stock %s, %s needed", dg_dec_format((dg_dec){c->stock_qty, true}, a, sizeof a),
            dg_dec_format(ask->qty, b, sizeof b));
        return;
    }
    if (dg_dec_overflowed(v->landed)) {
        why(v, "landed cost too large to compute");
        return;
    }
    dg_dec amount = ask->price.set ? dg_dec_mul(ask->price, ask->qty) : ask->price;
    if (!r->allow_loss && amount.set && dg_dec_cmp(v->landed, amount) > 0) {
        why(v, "landed cost %s above the selling price %s (allow_loss: false)",
            money(v->landed.v, a, sizeof a), money(amount.v, b, sizeof b));
        return;
    }
    v->eligible = true;
    why(v, "landed cost %s = %s x %s + shipping %s + dropship fee %s; priority %lld%s%s",
        money(v->landed.v, a, sizeof a), money(v->cost.v, b, sizeof b),
        dg_dec_format(ask->qty, d, sizeof d), money(c->ship_est, e, sizeof e),
        money(c->fee, (char[32]){0}, 32), (long long)c->priority, c->preferred ? "; preferred" : "",
        c->has_stock ? "; in stock" : "; no feed (stock not required)");
}

static int cmp(const dg_flow_rules *r, const fl_verdict *a, const fl_verdict *b)
{
    for (size_t i = 0; i < r->n_choose; i++) {
        int d = 0;
        switch (r->choose[i]) {
        case FL_BY_PREFERRED: d = (b->c.preferred != 0) - (a->c.preferred != 0); break;
        case FL_BY_PRIORITY:
            d = (a->c.priority > b->c.priority) - (a->c.priority < b->c.priority);
            break;
        case FL_BY_LANDED_COST: d = dg_dec_cmp(a->landed, b->landed); break;
        }
        if (d)
            return d;
    }
    return strcmp(a->c.supplier, b->c.supplier);
}

int fl_route_evaluate(dg_store *s, const dg_flow_rules *r, const fl_line_ask *ask, fl_verdict **out,
                      size_t *n, int *best, dg_error *err)
{
    dg_store_candidate *cs = NULL;
    *out = NULL;
    *n = 0;
    *best = -1;
    int rc = dg_store_route_candidates(s, ask->sku, ask->gtin, &cs, n, err);
    if (rc)
        return rc;
    *out = calloc(*n ? *n : 1, sizeof **out);
    if (!*out) {
        free(cs);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < *n; i++) {
        (*out)[i].c = cs[i];
        judge(r, ask, &(*out)[i]);
        if ((*out)[i].eligible && (*best < 0 || cmp(r, &(*out)[i], &(*out)[*best]) < 0))
            *best = (int)i;
    }
    free(cs);
    return 0;
}

static int record(dg_store *s, const dg_store_line *l, long attempt, const fl_verdict *v, size_t n,
                  int best, const dg_status_cause *c, dg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        dg_store_decision d = {.order_id = l->order_id,
                               .line_id = l->id,
                               .line_no = l->line_no,
                               .attempt = attempt,
                               .has_landed = v[i].eligible,
                               .landed = v[i].landed.v};
        snprintf(d.supplier, sizeof d.supplier, "%s", v[i].c.supplier);
        snprintf(d.verdict, sizeof d.verdict, "%s",
                 (int)i == best  ? "CHOSEN"
                 : v[i].eligible ? "ELIGIBLE"
                                 : "SKIPPED");
        snprintf(d.reason, sizeof d.reason, "%s", v[i].reason);
        snprintf(d.cause, sizeof d.cause, "%s", c && c->kind ? c->kind : "reroute");
        int rc = dg_store_decision_add(s, &d, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* The line ends where it is: its status stays, the reason says why nothing else happened. */
static int end_line(dg_store *s, const dg_store_line *l, const char *why_not,
                    const dg_status_cause *c, size_t *ended, dg_error *err)
{
    char reason[512];
    const char *was = l->supplier_reason[0] ? l->supplier_reason : l->supplier_status;
    snprintf(reason, sizeof reason, "%.200s; not re-routed: %.290s", was, why_not);
    (*ended)++;
    return dg_store_line_set_status(s, l->id, l->supplier_status, reason, c, NULL, err);
}

/* Why no candidate was taken, one clause per supplier. */
static void none_reason(const fl_verdict *v, size_t n, long max, char *out, size_t size)
{
    int k = snprintf(out, size, "no other eligible supplier");
    for (size_t i = 0; i < n && k > 0 && (size_t)k < size; i++)
        k += snprintf(out + k, size - (size_t)k, "%s%s: %s", i ? "; " : " (", v[i].c.supplier,
                      v[i].reason);
    if (n && k > 0 && (size_t)k < size)
        snprintf(out + k, size - (size_t)k, ")");
    (void)max;
}

/* The line on a new PO at b's supplier, b's stock reserved first: *gone (nothing changed) when
 * that stock is no longer there. */
static int place_reroute(dg_store *s, const dg_flow_rules *r, const dg_store_line *l,
                         const fl_verdict *b, const dg_status_cause *c, bool *gone, dg_error *err)
{
    *gone = false;
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    bool taken = true;
    if (b->c.has_stock && (rc = dg_store_stock_reserve(s, b->c.supplier, b->c.supplier_sku,
                                                       l->qty_ordered, &taken, err)))
        goto fail;
    if (!taken) {
        *gone = true;
        dg_store_rollback(s);
        return 0;
    }
    char code[32], base[160], number[160];
    fl_supplier_code(r, b->c.supplier, code, sizeof code);
    snprintf(base, sizeof base, "%s-%s", l->order_number, code);
    char *bill = fl_party_json(&r->retailer);
    dg_store_reroute rr = {.from_line_id = l->id,
                           .supplier = b->c.supplier,
                           .supplier_sku = b->c.supplier_sku,
                           .po_base = base,
                           .qty = l->qty_ordered,
                           .cost = b->cost.v,
                           .landed = b->landed.v,
                           .bill_to_json = bill,
                           .currency = l->currency[0] ? l->currency : r->currency};
    int64_t po_id = 0, new_line = 0;
    rc = dg_store_reroute_create(s, &rr, c, &po_id, &new_line, number, sizeof number, err);
    free(bill);
    if (rc)
        goto fail;
    return dg_store_commit(s, err);
fail:
    dg_store_rollback(s);
    return rc;
}

static int reroute_line(dg_store *s, const dg_flow_rules *r, int64_t line_id,
                        const dg_status_cause *c, size_t *rerouted, size_t *ended, dg_error *err)
{
    dg_store_line l;
    int rc = dg_store_line_get(s, line_id, &l, err);
    if (rc)
        return rc;
    if (l.qty_shipped > 0) /* part is on its way: the rest is the supplier's to settle */
        return end_line(s, &l, "part of the line has shipped", c, ended, err);
    fl_line_ask ask = {.sku = l.retailer_sku,
                       .gtin = l.gtin,
                       .qty = {l.qty_ordered, true},
                       .price = {l.unit_price, l.has_price},
                       .country = l.ship_country[0] ? l.ship_country : r->default_country,
                       .test = fl_is_test_supplier(r, l.supplier)};
    if ((rc = dg_store_line_tried(s, line_id, ask.tried, MAX_TRIED, &ask.n_tried, err)))
        return rc;
    char msg[1024];
    if ((long)ask.n_tried >= r->reroute_max_attempts) {
        snprintf(msg, sizeof msg, "offered to %zu supplier(s), reroute.max_attempts is %ld",
                 ask.n_tried, r->reroute_max_attempts);
        return end_line(s, &l, msg, c, ended, err);
    }
    /* Evaluated on the stock it reads; when the chosen supplier's stock is gone by the time it
     * is reserved (another order took it), evaluated once more on what is there now. */
    for (int pass = 0;; pass++) {
        fl_verdict *v = NULL;
        size_t n = 0;
        int best = -1;
        bool gone = false;
        if ((rc = fl_route_evaluate(s, r, &ask, &v, &n, &best, err)) == 0 && best >= 0)
            rc = place_reroute(s, r, &l, &v[best], c, &gone, err);
        if (!rc && gone && pass == 0) {
            free(v);
            continue;
        }
        if (!rc)
            rc = record(s, &l, l.attempt + 1, v, n, gone ? -1 : best, c, err);
        if (!rc && best < 0) {
            none_reason(v, n, r->reroute_max_attempts, msg, sizeof msg);
            rc = end_line(s, &l, msg, c, ended, err);
        } else if (!rc && gone) {
            snprintf(msg, sizeof msg,
                     "the stock at %s was taken by another order while the line was re-routed",
                     v[best].c.supplier);
            rc = end_line(s, &l, msg, c, ended, err);
        } else if (!rc) {
            (*rerouted)++;
        }
        free(v);
        return rc;
    }
}

/* Whether a line is for re-routing now: rejected, or backordered with no promised date or one
 * further away than reroute.backorder_after (due: the gateway's scan found it overdue). */
static bool wants_reroute(const dg_flow_rules *r, const dg_store_line *l, int64_t now, bool due)
{
    if (!strcmp(l->supplier_status, DG_SUP_REJECTED))
        return true;
    if (strcmp(l->supplier_status, DG_SUP_BACKORDERED))
        return false;
    if (due || !l->promised_date[0])
        return true;
    char limit[16];
    fl_date_text(now + r->reroute_backorder, limit, sizeof limit);
    return strcmp(l->promised_date, limit) > 0;
}

static int reroute_ids(dg_store *s, const dg_flow_rules *r, const int64_t *ids, size_t n, bool due,
                       const dg_status_cause *c, size_t *rerouted, size_t *ended, dg_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        dg_store_line l;
        if ((rc = dg_store_line_get(s, ids[i], &l, err)))
            break;
        /* a line that already ended says so in its reason: it is not offered again */
        if (!wants_reroute(r, &l, dg_store_now(s), due) ||
            strstr(l.supplier_reason, "not re-routed:"))
            continue;
        rc = reroute_line(s, r, ids[i], c, rerouted, ended, err);
    }
    return rc;
}

int fl_reroute_po(dg_store *s, const dg_flow_rules *r, int64_t po_id, const dg_status_cause *c,
                  size_t *rerouted, size_t *ended, dg_error *err)
{
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = dg_store_po_line_ids(s, po_id, &ids, &n, err);
    if (!rc)
        rc = reroute_ids(s, r, ids, n, false, c, rerouted, ended, err);
    free(ids);
    return rc;
}

/* Refreshes the POs of the lines after they moved. */
static int refresh_lines(dg_store *s, const int64_t *ids, size_t n, const dg_status_cause *c,
                         dg_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        dg_store_line l;
        if (!(rc = dg_store_line_get(s, ids[i], &l, err)))
            rc = dg_store_po_status_refresh(s, l.po_id, c, NULL, err);
    }
    return rc;
}

int dg_flow_reroute_due(dg_store *s, const dg_flow_rules *r, int64_t now, size_t *rerouted,
                        size_t *ended, dg_error *err)
{
    size_t a = 0, b = 0, n_rej = 0, n_back = 0;
    int64_t *rej = NULL, *back = NULL;
    if (rerouted)
        *rerouted = 0;
    if (ended)
        *ended = 0;
    /* Look first: a cycle with nothing due writes nothing (a full store still lets the
     * outbox say why it stops sending). */
    int rc = dg_store_ack_rejected_lines(s, &rej, &n_rej, err);
    if (!rc)
        rc = dg_store_backorders_due(s, now, r->reroute_backorder, &back, &n_back, err);
    if (rc || (!n_rej && !n_back)) {
        free(rej);
        free(back);
        return rc;
    }
    if ((rc = dg_store_begin(s, err))) {
        free(rej);
        free(back);
        return rc;
    }
    /* a 997/999 that rejected the PO file: no line of it will ship */
    dg_status_cause c = {.kind = "997", .detail = "the supplier's 997/999 rejected the PO file"};
    for (size_t i = 0; i < n_rej && !rc; i++)
        rc = dg_store_line_set_status(s, rej[i], DG_SUP_REJECTED, c.detail, &c, NULL, err);
    if (!rc && !(rc = reroute_ids(s, r, rej, n_rej, false, &c, &a, &b, err)))
        rc = refresh_lines(s, rej, n_rej, &c, err);
    dg_status_cause bc = {.kind = "backorder", .detail = "promised date passed"};
    if (!rc && !(rc = reroute_ids(s, r, back, n_back, true, &bc, &a, &b, err)))
        rc = refresh_lines(s, back, n_back, &bc, err);
    free(rej);
    free(back);
    if (rc) {
        dg_store_rollback(s);
        return rc;
    }
    if (rerouted)
        *rerouted = a;
    if (ended)
        *ended = b;
    return dg_store_commit(s, err);
}
