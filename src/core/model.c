/* Canonical documents: creation, destruction and growing their repeated parts. */
#include "core/model.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

dg_doc *dg_doc_new(dg_doc_kind kind)
{
    dg_arena *a = dg_arena_new();
    dg_doc *d = dg_arena_alloc(a, sizeof *d);
    d->kind = kind;
    d->arena = a;
    return d;
}

void dg_doc_free(dg_doc *doc)
{
    if (doc)
        dg_arena_free(doc->arena); /* the doc itself lives in its arena */
}

static const char *const kind_names[] = {"none",  "order",  "shipment",       "invoice",
                                         "stock", "cancel", "acknowledgment", "status"};

const char *dg_doc_kind_name(dg_doc_kind kind)
{
    return (unsigned)kind < sizeof kind_names / sizeof *kind_names ? kind_names[kind] : "none";
}

dg_doc_kind dg_doc_kind_from_name(const char *name)
{
    for (size_t i = 1; name && i < sizeof kind_names / sizeof *kind_names; i++)
        if (!strcmp(kind_names[i], name))
            return (dg_doc_kind)i;
    return DG_DOC_NONE;
}

#define ADD(doc, arr, n, cap)                                                                      \
    do {                                                                                           \
        (arr) = dg_arena_grow((doc)->arena, (arr), sizeof *(arr), (n), &(cap), (n) + 1);           \
        memset(&(arr)[(n)], 0, sizeof *(arr));                                                     \
        return &(arr)[(n)++];                                                                      \
    } while (0)

dg_order_line *dg_order_add_line(dg_doc *d)
{
    ADD(d, d->u.order.lines, d->u.order.n_lines, d->u.order.cap_lines);
}

dg_package *dg_shipment_add_package(dg_doc *d)
{
    ADD(d, d->u.shipment.packages, d->u.shipment.n_packages, d->u.shipment.cap_packages);
}

dg_shipment_item *dg_shipment_add_item(dg_doc *d)
{
    ADD(d, d->u.shipment.items, d->u.shipment.n_items, d->u.shipment.cap_items);
}

dg_invoice_line *dg_invoice_add_line(dg_doc *d)
{
    ADD(d, d->u.invoice.lines, d->u.invoice.n_lines, d->u.invoice.cap_lines);
}

dg_charge *dg_invoice_add_charge(dg_doc *d)
{
    ADD(d, d->u.invoice.charges, d->u.invoice.n_charges, d->u.invoice.cap_charges);
}

dg_stock_item *dg_stock_add_item(dg_doc *d)
{
    ADD(d, d->u.stock.items, d->u.stock.n_items, d->u.stock.cap_items);
}

bool dg_line_status_unrouted(const char *status)
{
    return status &&
           (!strcmp(status, DG_LINE_NOT_SHIPPABLE) || !strcmp(status, DG_LINE_NOT_ROUTED));
}

dg_status_line *dg_status_add_line(dg_doc *d)
{
    ADD(d, d->u.status.lines, d->u.status.n_lines, d->u.status.cap_lines);
}

bool dg_order_is_test(const dg_order *o)
{
    static const char *const yes[] = {"true", "yes", "1", "t", "y", "test"};
    if (!o || !o->test)
        return false;
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (!strcasecmp(o->test, yes[i]))
            return true;
    return false;
}
