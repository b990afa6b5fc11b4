/* A PO line answered in parts (issue 11): several ACKs on one PO1 (ACK*IA*5 and ACK*IB*3 for 8
 * ordered) or several CSV rows for one line. Parts with the same outcome add up (accepted and
 * changed are both "will ship"); each outcome gets its own order line on the same PO line
 * (store split.c), so the accepted 5 ship while the backordered 3 wait or are re-routed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow_internal.h"

/* 0 will ship, 1 backordered, 2 rejected, -1 unknown: the order of the parts on the PO line */
static int outcome(const char *ack)
{
    if (!strcmp(ack, DG_ACK_ACCEPTED) || !strcmp(ack, DG_ACK_CHANGED))
        return 0;
    if (!strcmp(ack, DG_ACK_BACKORDERED))
        return 1;
    if (!strcmp(ack, DG_ACK_REJECTED))
        return 2;
    return -1;
}

static bool closed(const po_line *l)
{
    const char *s = l->supplier_status;
    return !strcmp(s, DG_SUP_REJECTED) || !strcmp(s, DG_SUP_CANCELLED) ||
           !strcmp(s, DG_SUP_REROUTED);
}

typedef struct merged {
    dg_ack_line al; /* status, code, reason: the first part's; date: the latest; quantity: sum */
    bool used;
} merged;

static int bad(dg_error *err, const char *supplier, const dg_ack *a, const po_line *l,
               const char *what)
{
    return dg_error_set(err, DG_EVALID, "%s: acknowledgment of PO %s: line %ld %s: %s", supplier,
                        a->po_number, l->po_line, l->supplier_sku, what);
}

/* Adds the parts up per outcome; DG_EVALID when a part has no quantity. */
static int merge(const char *supplier, const dg_ack *a, const po_line *l, const dg_ack_line *parts,
                 size_t n, merged m[3], dg_dec *sum, dg_error *err)
{
    memset(m, 0, 3 * sizeof *m);
    *sum = (dg_dec){0, true};
    for (size_t i = 0; i < n; i++) {
        const dg_ack_line *p = &parts[i];
        char what[160];
        int o = outcome(p->status);
        if (o < 0 || !p->quantity.set || p->quantity.v < 0) {
            snprintf(what, sizeof what,
                     o < 0 ? "part %zu: status '%s' is not a known acknowledgment code"
                           : "part %zu (%s) of an answer in several parts has no quantity (ACK02)",
                     i + 1,
                     o < 0     ? p->status
                     : p->code ? p->code
                               : p->status);
            return bad(err, supplier, a, l, what);
        }
        if (p->quantity.v == 0) /* ACK*IB*0: nothing of the line in that state */
            continue;
        merged *g = &m[o];
        if (!g->used) {
            g->al = *p;
            g->used = true;
        } else {
            g->al.quantity = dg_dec_add(g->al.quantity, p->quantity);
            if (p->date && (!g->al.date || strcmp(p->date, g->al.date) > 0))
                g->al.date = p->date;
            if (!g->al.reason)
                g->al.reason = p->reason;
        }
        *sum = dg_dec_add(*sum, p->quantity);
    }
    return 0;
}

/* The open order lines of PO line k's PO line (an earlier split made several), by id. */
size_t fl_ack_siblings(const po_info *p, size_t k, size_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_lines && n < max; i++)
        if (p->lines[i].po_line == p->lines[k].po_line && !closed(&p->lines[i]))
            out[n++] = i;
    return n;
}

int fl_ack_parts(const fl_ack_run *run, po_info *p, size_t k, const dg_ack_line *parts, size_t n,
                 dg_error *err)
{
    dg_store *s = run->s;
    const char *supplier = run->supplier;
    const dg_ack *a = run->a;
    po_line *l = &p->lines[k];
    size_t sib[8], ns = fl_ack_siblings(p, k, sib, 8);
    if (!ns) { /* a later answer never reopens a closed line */
        run->res->ignored++;
        return 0;
    }
    int rc = 0;
    if (n == 1) { /* one answer for a line split before: each of its parts takes it */
        for (size_t i = 0; i < ns && !rc; i++) {
            dg_ack_line one = parts[0];
            one.quantity = (dg_dec){0, false}; /* the quantity is the line's, not one part's */
            rc = fl_ack_answer_line(run, &one, one.status, &p->lines[sib[i]], err);
        }
        return rc;
    }
    merged m[3];
    dg_dec sum;
    if ((rc = merge(supplier, a, l, parts, n, m, &sum, err)))
        return rc;
    dg_dec total = {0, true};
    for (size_t i = 0; i < ns; i++)
        total = dg_dec_add(total, dg_dec_sub(p->lines[sib[i]].ordered, p->lines[sib[i]].cancelled));
    char what[256], x[32], y[32];
    if (dg_dec_cmp(sum, total) > 0) {
        snprintf(what, sizeof what, "the parts add up to %s, the PO line has %s open",
                 dg_dec_format(sum, x, sizeof x), dg_dec_format(total, y, sizeof y));
        return bad(err, supplier, a, l, what);
    }
    merged *use[3];
    size_t nu = 0;
    for (int o = 0; o < 3; o++)
        if (m[o].used)
            use[nu++] = &m[o];
    if (nu == 0) {
        snprintf(what, sizeof what, "every part has quantity 0");
        return bad(err, supplier, a, l, what);
    }
    if (nu == 1) { /* one outcome for the whole line (its lines, when split before) */
        for (size_t i = 0; i < ns && !rc; i++) {
            dg_ack_line one = use[0]->al;
            if (ns > 1) /* the quantity is the line's, not one part's */
                one.quantity = (dg_dec){0, false};
            rc = fl_ack_answer_line(run, &one, one.status, &p->lines[sib[i]], err);
        }
        return rc;
    }
    if (ns > nu) {
        snprintf(what, sizeof what,
                 "an earlier acknowledgment split it into %zu parts; this one answers it in %zu: "
                 "not applied (send one answer per part, or one for the whole line)",
                 ns, nu);
        return bad(err, supplier, a, l, what);
    }
    /* part 0 (the most advanced outcome) stays on the first line and keeps what no part names;
     * every other part gets its quantity on a line of its own */
    dg_dec rest = total;
    for (size_t i = 1; i < nu; i++)
        rest = dg_dec_sub(rest, use[i]->al.quantity);
    for (size_t i = 0; i < nu && !rc; i++) {
        dg_dec qty = i ? use[i]->al.quantity : rest;
        po_line row;
        if (i < ns) {
            row = p->lines[sib[i]];
            if (dg_dec_cmp(row.shipped, qty) > 0) {
                snprintf(what, sizeof what, "%s already shipped, more than the part of %s (%s)",
                         dg_dec_format(row.shipped, x, sizeof x), dg_dec_format(qty, y, sizeof y),
                         use[i]->al.code ? use[i]->al.code : use[i]->al.status);
                return bad(err, supplier, a, l, what);
            }
            if (dg_dec_cmp(qty, dg_dec_sub(row.ordered, row.cancelled)) != 0 &&
                (rc = dg_store_line_set_qty(s, row.id, dg_dec_add(qty, row.cancelled).v, err)))
                return rc;
        } else {
            row = p->lines[sib[0]];
            row.shipped = row.cancelled = (dg_dec){0, true};
            row.supplier_status[0] = '\0';
            if ((rc = dg_store_line_split(s, row.id, qty.v, &row.id, err)))
                return rc;
        }
        row.ordered = dg_dec_add(qty, row.cancelled);
        rc = fl_ack_answer_line(run, &use[i]->al, use[i]->al.status, &row, err);
    }
    return rc;
}

void fl_split_spread(po_info *p, size_t k, dg_dec qty, bool invoice)
{
    size_t sib[8], ns = fl_ack_siblings(p, k, sib, 8);
    for (size_t i = 0; ns > 1 && i < ns && qty.v > 0; i++) {
        po_line *l = &p->lines[sib[i]];
        dg_dec room = invoice ? dg_dec_sub(dg_dec_sub(l->shipped, l->invoiced), l->add)
                              : dg_dec_sub(dg_dec_sub(l->ordered, l->shipped), l->add);
        if (room.v <= 0)
            continue;
        dg_dec take = dg_dec_cmp(room, qty) < 0 ? room : qty;
        l->add = dg_dec_add(l->add, take);
        qty = dg_dec_sub(qty, take);
    }
    if (qty.v > 0 || ns <= 1) /* what no part has room for: the line named (over-shipment) */
        p->lines[k].add = dg_dec_add(p->lines[k].add, qty);
}
