/* Certification's cross-document checks: the PO read back, and the partner's answers (ship
 * notices, invoices, acknowledgments) against the PO and each other. One row per check and
 * document, with the first difference found as its detail. */
#include <stdio.h>
#include <string.h>

#include "gateway/gw_internal.h"

static bool same(const char *a, const char *b)
{
    return a && b && *a && !strcmp(a, b);
}

/* The PO line an answer line means: by the supplier's SKU, ours, the GTIN (*by_id), else by
 * the PO line number. -1: none. */
static int po_line(const dg_order *po, const char *line_number, const char *vsku, const char *bsku,
                   const char *gtin, bool *by_id)
{
    *by_id = true;
    for (size_t i = 0; i < po->n_lines; i++) {
        const dg_order_line *l = &po->lines[i];
        if (same(vsku, l->vendor_sku) || same(bsku, l->buyer_sku) || same(gtin, l->gtin))
            return (int)i;
    }
    *by_id = false;
    for (size_t i = 0; i < po->n_lines; i++)
        if (same(line_number, po->lines[i].line_number))
            return (int)i;
    return -1;
}

static const char *q(dg_dec d, char *b)
{
    return d.set ? dg_dec_format(d, b, 32) : "(none)";
}

/* A check over the lines of one document: pass until the first failure, whose detail is kept. */
typedef struct row {
    bool pass;
    char detail[400];
} row;

static void row_fail(row *r, const char *fmt, const char *a, const char *b, const char *c)
{
    if (!r->pass)
        return;
    r->pass = false;
    snprintf(r->detail, sizeof r->detail, fmt, a, b, c);
}

#define FAIL3(r, fmt, a, b, c) row_fail(&(r), fmt, a, b, c)

static void uom_check(row *r, const char *line, const char *got, const char *want)
{
    if (got && *got && want && *want && strcmp(got, want))
        FAIL3(*r, "line %s: UoM %s, the PO says %s", line, got, want);
}

void gw_cert_po_back(dg_gw_cert_result *r, const dg_doc *po, const dg_doc *back)
{
    const dg_order *o = &po->u.order, *b = &back->u.order;
    const char *doc = "PO " DG_GW_CERT_PO " (read back)";
    row lines = {true, ""}, ids = {true, ""};
    char x[32], y[32];
    if (b->n_lines != o->n_lines) {
        snprintf(x, sizeof x, "%zu", b->n_lines);
        snprintf(y, sizeof y, "%zu", o->n_lines);
        FAIL3(lines, "%s line(s) read back, %s sent%s", x, y, "");
    }
    for (size_t i = 0; i < o->n_lines; i++) {
        const dg_order_line *l = &o->lines[i];
        bool by_id = false;
        int k = -1;
        for (size_t j = 0; j < b->n_lines && k < 0; j++)
            if (same(b->lines[j].vendor_sku, l->vendor_sku))
                k = (int)j;
        if (k < 0) {
            FAIL3(ids, "line %s: supplier SKU %s is not on the PO file%s", l->line_number,
                  l->vendor_sku, "");
            continue;
        }
        (void)by_id;
        const dg_order_line *g = &b->lines[k];
        if (l->gtin && !same(g->gtin, l->gtin) &&
            !(g->product_ids && strstr(g->product_ids, l->gtin)))
            FAIL3(ids, "line %s: GTIN %s is not on the PO file%s", l->line_number, l->gtin, "");
        if (dg_dec_cmp(g->quantity, l->quantity))
            FAIL3(lines, "line %s: quantity %s on the PO file, %s ordered", l->line_number,
                  q(g->quantity, x), q(l->quantity, y));
        else if (dg_dec_cmp(g->unit_price, l->unit_price))
            FAIL3(lines, "line %s: price %s on the PO file, %s ordered", l->line_number,
                  q(g->unit_price, x), q(l->unit_price, y));
        else
            uom_check(&lines, l->line_number, g->uom, l->uom);
    }
    gw_cert_add(r, "po_lines", doc, lines.pass, "%s",
                lines.pass ? "every line with its quantity, UoM and price" : lines.detail);
    gw_cert_add(r, "product_ids", doc, ids.pass, "%s",
                ids.pass ? "supplier SKU and GTIN of every line" : ids.detail);
}

/* What the answers shipped and invoiced per PO line. */
typedef struct totals {
    dg_dec shipped[64], invoiced[64];
} totals;

static void check_shipment(dg_gw_cert_result *r, const dg_order *po, const dg_shipment *s,
                           const char *doc, totals *t)
{
    char x[32], y[32];
    gw_cert_add(r, "asn_po", doc, same(s->po_number, po->order_number), "PO number %s%s%s",
                s->po_number ? s->po_number : "(none)",
                same(s->po_number, po->order_number) ? "" : ", want ",
                same(s->po_number, po->order_number) ? "" : po->order_number);
    row lines = {true, ""}, ids = {true, ""}, qty = {true, ""}, uom = {true, ""};
    for (size_t i = 0; i < s->n_items; i++) {
        const dg_shipment_item *it = &s->items[i];
        bool by_id = false;
        int k = po_line(po, it->line_number, it->vendor_sku, it->buyer_sku, it->gtin, &by_id);
        const char *name = it->vendor_sku    ? it->vendor_sku
                           : it->line_number ? it->line_number
                                             : "?";
        if (k < 0) {
            FAIL3(lines, "item %s is not on the PO%s%s", name, "", "");
            continue;
        }
        if (!by_id)
            FAIL3(ids,
                  "item %s: matched only by line number; none of its ids is the PO line's "
                  "(%s)%s",
                  name, po->lines[k].vendor_sku, "");
        if (k < 64)
            t->shipped[k] = dg_dec_add(t->shipped[k], it->quantity_shipped);
        if (k < 64 && dg_dec_cmp(t->shipped[k], po->lines[k].quantity) > 0)
            FAIL3(qty, "line %s: %s shipped, %s ordered", po->lines[k].line_number,
                  q(t->shipped[k], x), q(po->lines[k].quantity, y));
        uom_check(&uom, po->lines[k].line_number, it->uom, po->lines[k].uom);
    }
    if (!s->n_items)
        FAIL3(lines, "no items: the PO lines are not carried through%s%s%s", "", "", "");
    gw_cert_add(r, "asn_lines", doc, lines.pass, "%s",
                lines.pass ? "every item is a PO line" : lines.detail);
    gw_cert_add(r, "product_ids", doc, ids.pass, "%s",
                ids.pass ? "every item names its PO line's SKU or GTIN" : ids.detail);
    gw_cert_add(r, "asn_qty", doc, qty.pass, "%s", qty.pass ? "no line over-shipped" : qty.detail);
    gw_cert_add(r, "asn_uom", doc, uom.pass, "%s", uom.pass ? "UoM as on the PO" : uom.detail);
    bool tracking = false;
    for (size_t i = 0; i < s->n_packages; i++)
        tracking = tracking || (s->packages[i].tracking_number && *s->packages[i].tracking_number);
    gw_cert_add(r, "asn_tracking", doc, tracking, "%s",
                tracking ? "tracking number given" : "no package with a tracking number");
}

static void check_invoice(dg_gw_cert_result *r, const dg_order *po, const dg_invoice *inv,
                          const char *doc, totals *t, bool have_asn)
{
    char x[32], y[32];
    gw_cert_add(r, "invoice_po", doc, same(inv->po_number, po->order_number), "PO number %s%s%s",
                inv->po_number ? inv->po_number : "(none)",
                same(inv->po_number, po->order_number) ? "" : ", want ",
                same(inv->po_number, po->order_number) ? "" : po->order_number);
    row lines = {true, ""}, ids = {true, ""}, qty = {true, ""}, price = {true, ""},
        uom = {true, ""};
    dg_dec sum = {0, true};
    for (size_t i = 0; i < inv->n_lines; i++) {
        const dg_invoice_line *l = &inv->lines[i];
        sum = dg_dec_add(sum, dg_dec_mul(l->quantity, l->unit_price));
        bool by_id = false;
        int k = po_line(po, l->line_number, l->vendor_sku, l->buyer_sku, l->gtin, &by_id);
        const char *name = l->vendor_sku ? l->vendor_sku : l->line_number ? l->line_number : "?";
        if (k < 0) {
            FAIL3(lines, "invoice line %s is not on the PO%s%s", name, "", "");
            continue;
        }
        if (!by_id)
            FAIL3(ids,
                  "line %s: matched only by line number; none of its ids is the PO line's "
                  "(%s)%s",
                  name, po->lines[k].vendor_sku, "");
        const dg_order_line *pl = &po->lines[k];
        if (k < 64) {
            t->invoiced[k] = dg_dec_add(t->invoiced[k], l->quantity);
            dg_dec limit = have_asn ? t->shipped[k] : pl->quantity;
            if (dg_dec_cmp(t->invoiced[k], limit) > 0)
                FAIL3(qty, "line %s: %s invoiced, %s", pl->line_number, q(t->invoiced[k], x),
                      have_asn ? "more than the ship notices shipped" : "more than ordered");
        }
        if (dg_dec_cmp(dg_dec_abs(dg_dec_sub(l->unit_price, pl->unit_price)), (dg_dec){100, true}) >
            0)
            FAIL3(price, "line %s: price %s, the PO says %s", pl->line_number, q(l->unit_price, x),
                  q(pl->unit_price, y));
        uom_check(&uom, pl->line_number, l->uom, pl->uom);
    }
    if (!inv->n_lines)
        FAIL3(lines, "no lines: the PO lines are not carried through%s%s%s", "", "", "");
    gw_cert_add(r, "invoice_lines", doc, lines.pass, "%s",
                lines.pass ? "every line is a PO line" : lines.detail);
    gw_cert_add(r, "product_ids", doc, ids.pass, "%s",
                ids.pass ? "every line names its PO line's SKU or GTIN" : ids.detail);
    gw_cert_add(r, "invoice_qty", doc, qty.pass, "%s",
                qty.pass ? (have_asn ? "not above what was shipped" : "not above what was ordered")
                         : qty.detail);
    gw_cert_add(r, "invoice_prices", doc, price.pass, "%s",
                price.pass ? "unit prices as on the PO (within 0.01)" : price.detail);
    gw_cert_add(r, "invoice_uom", doc, uom.pass, "%s", uom.pass ? "UoM as on the PO" : uom.detail);
    for (size_t i = 0; i < inv->n_charges; i++)
        sum = dg_dec_add(sum,
                         inv->charges[i].amount.set ? inv->charges[i].amount : (dg_dec){0, true});
    if (inv->tax.set)
        sum = dg_dec_add(sum, inv->tax);
    if (inv->total.set) {
        bool ok = dg_dec_cmp(dg_dec_abs(dg_dec_sub(sum, inv->total)), (dg_dec){100, true}) <= 0;
        gw_cert_add(r, "invoice_total", doc, ok, "lines + charges + tax = %s, total %s", q(sum, x),
                    q(inv->total, y));
    }
}

static bool known_ack(const char *st)
{
    return !strcmp(st, DG_ACK_ACCEPTED) || !strcmp(st, DG_ACK_BACKORDERED) ||
           !strcmp(st, DG_ACK_REJECTED) || !strcmp(st, DG_ACK_CHANGED);
}

/* Every ACK (acks[]: several per line answer it in parts): a known status, and per PO line
 * quantities that add up to at most what the PO ordered (each part needs one then). */
static void check_ack_parts(const dg_order *po, const dg_ack *a, row *codes, row *qty)
{
    for (size_t i = 0; i < po->n_lines; i++) {
        const dg_order_line *pl = &po->lines[i];
        dg_dec sum = {0, true};
        size_t n = 0;
        bool missing = false;
        for (size_t j = 0; j < a->n_acks; j++) {
            const dg_ack_part *p = &a->acks[j];
            bool by_id;
            if (!p->line_number || po_line(po, p->line_number, NULL, NULL, NULL, &by_id) != (int)i)
                continue;
            n++;
            if (!p->status || !known_ack(p->status))
                FAIL3(*codes, "line %s: ACK status '%s' is not one the flow knows (code %s)",
                      p->line_number, p->status ? p->status : "", p->code ? p->code : "none");
            if (p->quantity.set)
                sum = dg_dec_add(sum, p->quantity);
            else
                missing = true;
        }
        char x[32], y[32];
        if (n > 1 && missing)
            FAIL3(*qty, "line %s: answered in %s parts, one without a quantity (ACK02)%s",
                  pl->line_number ? pl->line_number : "?", n == 2 ? "two" : "several", "");
        else if (n > 1 && pl->quantity.set && dg_dec_cmp(sum, pl->quantity) > 0)
            FAIL3(*qty, "line %s: the ACKs add up to %s, the PO ordered %s",
                  pl->line_number ? pl->line_number : "?", dg_dec_format(sum, x, sizeof x),
                  dg_dec_format(pl->quantity, y, sizeof y));
    }
}

/* A PO acknowledgment (855 or its CSV/XML form): our PO number, every line a PO line named by
 * its ids, every line with a status the mapping understood (accepted, backordered, rejected,
 * changed). */
static void check_ack(dg_gw_cert_result *r, const dg_order *po, const dg_ack *a, const char *doc)
{
    gw_cert_add(r, "ack_po", doc, same(a->po_number, po->order_number), "PO number %s%s%s",
                a->po_number ? a->po_number : "(none)",
                same(a->po_number, po->order_number) ? "" : ", want ",
                same(a->po_number, po->order_number) ? "" : po->order_number);
    row lines = {true, ""}, codes = {true, ""};
    for (size_t i = 0; i < a->n_lines; i++) {
        const dg_ack_line *l = &a->lines[i];
        bool by_id = false;
        const char *name = l->vendor_sku ? l->vendor_sku : l->line_number ? l->line_number : "?";
        if (po_line(po, l->line_number, l->vendor_sku, l->buyer_sku, l->gtin, &by_id) < 0)
            FAIL3(lines, "acknowledged line %s is not on the PO%s%s", name, "", "");
        const char *st = l->status && *l->status ? l->status : a->status;
        if (!st || !*st)
            FAIL3(codes, "line %s: no status read (code %s)%s", name, l->code ? l->code : "none",
                  "");
        else if (!known_ack(st))
            FAIL3(codes, "line %s: status '%s' is not one the flow knows (code %s)", name, st,
                  l->code ? l->code : "none");
    }
    gw_cert_add(r, "ack_lines", doc, lines.pass, "%s",
                lines.pass ? "every acknowledged line is a PO line" : lines.detail);
    row qty = {true, ""};
    check_ack_parts(po, a, &codes, &qty);
    gw_cert_add(r, "ack_codes", doc, codes.pass, "%s",
                codes.pass ? "every line has a status the mapping understood" : codes.detail);
    if (a->n_acks)
        gw_cert_add(r, "ack_qty", doc, qty.pass, "%s",
                    qty.pass ? "the ACKs of each line add up to at most its PO quantity"
                             : qty.detail);
}

/* Every PO line appears in at least one document of the kind (line carry-through). */
static void carried(dg_gw_cert_result *r, const dg_order *po, const char *what, const dg_dec *got,
                    bool any)
{
    if (!any)
        return;
    for (size_t k = 0; k < po->n_lines && k < 64; k++)
        if (!got[k].set || got[k].v == 0) {
            gw_cert_add(r, "line_carry_through", what, false, "PO line %s (%s) is on none of them",
                        po->lines[k].line_number, po->lines[k].vendor_sku);
            return;
        }
    gw_cert_add(r, "line_carry_through", what, true, "every PO line is on them");
}

void gw_cert_cross(dg_gw_cert_result *r, const dg_doc *podoc, dg_doc *const *docs,
                   const char *const *from, size_t n, bool want_ack)
{
    const dg_order *po = &podoc->u.order;
    totals t;
    memset(&t, 0, sizeof t);
    size_t n_asn = 0, n_inv = 0;
    char doc[160];
    for (size_t i = 0; i < n; i++)
        if (docs[i]->kind == DG_DOC_SHIPMENT) {
            n_asn++;
            snprintf(doc, sizeof doc, "ship notice %s (%s)",
                     docs[i]->u.shipment.shipment_id ? docs[i]->u.shipment.shipment_id : "?",
                     from[i]);
            check_shipment(r, po, &docs[i]->u.shipment, doc, &t);
        }
    for (size_t i = 0; i < n; i++)
        if (docs[i]->kind == DG_DOC_INVOICE) {
            n_inv++;
            snprintf(doc, sizeof doc, "invoice %s (%s)",
                     docs[i]->u.invoice.invoice_number ? docs[i]->u.invoice.invoice_number : "?",
                     from[i]);
            check_invoice(r, po, &docs[i]->u.invoice, doc, &t, n_asn > 0);
        }
    size_t n_ack = 0;
    for (size_t i = 0; i < n; i++)
        if (docs[i]->kind == DG_DOC_ACK) {
            n_ack++;
            snprintf(doc, sizeof doc, "acknowledgment %s (%s)",
                     docs[i]->u.ack.ack_type ? docs[i]->u.ack.ack_type : "?", from[i]);
            check_ack(r, po, &docs[i]->u.ack, doc);
        }
    carried(r, po, "ship notices", t.shipped, n_asn > 0);
    carried(r, po, "invoices", t.invoiced, n_inv > 0);
    gw_cert_add(r, "answers", "ship notice (856)", n_asn > 0, "%zu read", n_asn);
    gw_cert_add(r, "answers", "invoice (810)", n_inv > 0, "%zu read", n_inv);
    if (want_ack || n_ack)
        gw_cert_add(r, "answers", "acknowledgment (855)", n_ack > 0, "%s",
                    n_ack ? "read" : "the partner sends 855s but none was read");
}
