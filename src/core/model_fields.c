/* The field-descriptor tables of the canonical model (one per document kind) and the generic
 * record access on them. Adding a model field means adding one line here. */
#include "core/model_fields.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define STR(T, m)                                                                                  \
    {                                                                                              \
#m, #m, NULL, DG_FIELD_STR, DG_FIELD_BODY, offsetof(T, m)                                  \
    }
#define DEC(T, m)                                                                                  \
    {                                                                                              \
#m, #m, NULL, DG_FIELD_DEC, DG_FIELD_BODY, offsetof(T, m)                                  \
    }
#define MON(T, m)                                                                                  \
    {                                                                                              \
#m, #m, NULL, DG_FIELD_MONEY, DG_FIELD_BODY, offsetof(T, m)                                \
    }
#define PF(T, p, m)                                                                                \
    {                                                                                              \
#p "." #m, #m, #p, DG_FIELD_STR, DG_FIELD_BODY, offsetof(T, p) + offsetof(dg_party, m)     \
    }
#define PARTY(T, p)                                                                                \
    PF(T, p, id), PF(T, p, id_qualifier), PF(T, p, name), PF(T, p, company), PF(T, p, address1),   \
        PF(T, p, address2), PF(T, p, city), PF(T, p, state), PF(T, p, postal_code),                \
        PF(T, p, country), PF(T, p, phone), PF(T, p, email)
#define GS(T, g, gi, m)                                                                            \
    {                                                                                              \
#g "[]." #m, #m, NULL, DG_FIELD_STR, gi, offsetof(T, m)                                    \
    }
#define GD(T, g, gi, m)                                                                            \
    {                                                                                              \
#g "[]." #m, #m, NULL, DG_FIELD_DEC, gi, offsetof(T, m)                                    \
    }
#define GM(T, g, gi, m)                                                                            \
    {                                                                                              \
#g "[]." #m, #m, NULL, DG_FIELD_MONEY, gi, offsetof(T, m)                                  \
    }
#define SRC(m)                                                                                     \
    {                                                                                              \
        "source." #m, #m, "source", DG_FIELD_STR, DG_FIELD_SOURCE, offsetof(dg_doc_source, m)      \
    }
#define SOURCE_FIELDS                                                                              \
    SRC(format), SRC(sender_id), SRC(receiver_id), SRC(interchange_control), SRC(group_control),   \
        SRC(set_control), SRC(transaction_set)
#define GROUP(T, E, arr, n, cap)                                                                   \
    {                                                                                              \
#arr, sizeof(E), offsetof(T, arr), offsetof(T, n), offsetof(T, cap)                        \
    }

/* Invariant: the fields of one record (body, each group, source) are contiguous in a table; the
 * JSON writer walks a record's run only (tests/unit/core/test_model_json.c checks it). */
static const dg_field order_fields[] = {STR(dg_order, order_number),
                                        STR(dg_order, order_date),
                                        STR(dg_order, purpose),
                                        STR(dg_order, version),
                                        STR(dg_order, order_type),
                                        STR(dg_order, currency),
                                        STR(dg_order, customer_order_number),
                                        PARTY(dg_order, buyer),
                                        PARTY(dg_order, seller),
                                        PARTY(dg_order, bill_to),
                                        PARTY(dg_order, ship_to),
                                        STR(dg_order, carrier),
                                        STR(dg_order, service_level),
                                        STR(dg_order, service_level_code),
                                        STR(dg_order, requested_ship_date),
                                        STR(dg_order, notes),
                                        STR(dg_order, test),
                                        MON(dg_order, total),
                                        GS(dg_order_line, lines, 0, line_number),
                                        GS(dg_order_line, lines, 0, buyer_sku),
                                        GS(dg_order_line, lines, 0, vendor_sku),
                                        GS(dg_order_line, lines, 0, gtin),
                                        GS(dg_order_line, lines, 0, product_ids),
                                        GS(dg_order_line, lines, 0, description),
                                        GS(dg_order_line, lines, 0, comment),
                                        GD(dg_order_line, lines, 0, quantity),
                                        GS(dg_order_line, lines, 0, uom),
                                        GM(dg_order_line, lines, 0, unit_price),
                                        GM(dg_order_line, lines, 0, retail_price),
                                        GS(dg_order_line, lines, 0, status),
                                        GS(dg_order_line, lines, 0, status_reason),
                                        GS(dg_order_line, lines, 0, supplier),
                                        GS(dg_charge, charges, 1, type),
                                        GS(dg_charge, charges, 1, code),
                                        GM(dg_charge, charges, 1, amount),
                                        GS(dg_charge, charges, 1, description),
                                        GS(dg_charge, charges, 1, line_number),
                                        GD(dg_charge, charges, 1, percent),
                                        SOURCE_FIELDS};
static const dg_field_group order_groups[] = {
    GROUP(dg_order, dg_order_line, lines, n_lines, cap_lines),
    GROUP(dg_order, dg_charge, charges, n_charges, cap_charges)};

static const dg_field shipment_fields[] = {STR(dg_shipment, shipment_id),
                                           STR(dg_shipment, po_number),
                                           STR(dg_shipment, ship_date),
                                           STR(dg_shipment, ship_time),
                                           STR(dg_shipment, carrier),
                                           STR(dg_shipment, service_level),
                                           STR(dg_shipment, service_level_code),
                                           DEC(dg_shipment, gross_weight),
                                           STR(dg_shipment, gross_weight_uom),
                                           PARTY(dg_shipment, ship_from),
                                           PARTY(dg_shipment, ship_to),
                                           GS(dg_package, packages, 0, tracking_number),
                                           GS(dg_package, packages, 0, sscc),
                                           GD(dg_package, packages, 0, weight),
                                           GS(dg_package, packages, 0, weight_uom),
                                           GS(dg_shipment_item, items, 1, line_number),
                                           GS(dg_shipment_item, items, 1, buyer_sku),
                                           GS(dg_shipment_item, items, 1, vendor_sku),
                                           GS(dg_shipment_item, items, 1, gtin),
                                           GD(dg_shipment_item, items, 1, quantity_shipped),
                                           GS(dg_shipment_item, items, 1, uom),
                                           GS(dg_shipment_item, items, 1, package_id),
                                           SOURCE_FIELDS};
static const dg_field_group shipment_groups[] = {
    GROUP(dg_shipment, dg_package, packages, n_packages, cap_packages),
    GROUP(dg_shipment, dg_shipment_item, items, n_items, cap_items)};

static const dg_field invoice_fields[] = {STR(dg_invoice, invoice_number),
                                          STR(dg_invoice, invoice_date),
                                          STR(dg_invoice, po_number),
                                          STR(dg_invoice, currency),
                                          STR(dg_invoice, terms),
                                          PARTY(dg_invoice, remit_to),
                                          PARTY(dg_invoice, bill_to),
                                          PARTY(dg_invoice, ship_to),
                                          MON(dg_invoice, tax),
                                          MON(dg_invoice, total),
                                          GS(dg_invoice_line, lines, 0, line_number),
                                          GS(dg_invoice_line, lines, 0, buyer_sku),
                                          GS(dg_invoice_line, lines, 0, vendor_sku),
                                          GS(dg_invoice_line, lines, 0, gtin),
                                          GS(dg_invoice_line, lines, 0, description),
                                          GD(dg_invoice_line, lines, 0, quantity),
                                          GS(dg_invoice_line, lines, 0, uom),
                                          GM(dg_invoice_line, lines, 0, unit_price),
                                          GS(dg_charge, charges, 1, type),
                                          GS(dg_charge, charges, 1, code),
                                          GM(dg_charge, charges, 1, amount),
                                          GS(dg_charge, charges, 1, description),
                                          GS(dg_charge, charges, 1, line_number),
                                          GD(dg_charge, charges, 1, percent),
                                          SOURCE_FIELDS};
static const dg_field_group invoice_groups[] = {
    GROUP(dg_invoice, dg_invoice_line, lines, n_lines, cap_lines),
    GROUP(dg_invoice, dg_charge, charges, n_charges, cap_charges)};

static const dg_field stock_fields[] = {STR(dg_stock, supplier),
                                        STR(dg_stock, as_of),
                                        GS(dg_stock_item, items, 0, vendor_sku),
                                        GS(dg_stock_item, items, 0, buyer_sku),
                                        GS(dg_stock_item, items, 0, gtin),
                                        GS(dg_stock_item, items, 0, description),
                                        GD(dg_stock_item, items, 0, quantity_available),
                                        GM(dg_stock_item, items, 0, cost),
                                        GM(dg_stock_item, items, 0, msrp),
                                        GM(dg_stock_item, items, 0, map_price),
                                        GS(dg_stock_item, items, 0, warehouse),
                                        GS(dg_stock_item, items, 0, available_date),
                                        GS(dg_stock_location, locations, 1, vendor_sku),
                                        GS(dg_stock_location, locations, 1, buyer_sku),
                                        GS(dg_stock_location, locations, 1, gtin),
                                        GS(dg_stock_location, locations, 1, warehouse),
                                        GD(dg_stock_location, locations, 1, quantity_available),
                                        SOURCE_FIELDS};
static const dg_field_group stock_groups[] = {
    GROUP(dg_stock, dg_stock_item, items, n_items, cap_items),
    GROUP(dg_stock, dg_stock_location, locations, n_locations, cap_locations)};

static const dg_field ack_fields[] = {STR(dg_ack, po_number),
                                      STR(dg_ack, ack_number),
                                      STR(dg_ack, ack_date),
                                      STR(dg_ack, purpose),
                                      STR(dg_ack, ack_type),
                                      STR(dg_ack, status),
                                      STR(dg_ack, promised_date),
                                      STR(dg_ack, currency),
                                      STR(dg_ack, reason),
                                      GS(dg_ack_line, lines, 0, line_number),
                                      GS(dg_ack_line, lines, 0, buyer_sku),
                                      GS(dg_ack_line, lines, 0, vendor_sku),
                                      GS(dg_ack_line, lines, 0, gtin),
                                      GD(dg_ack_line, lines, 0, quantity_ordered),
                                      GS(dg_ack_line, lines, 0, uom),
                                      GM(dg_ack_line, lines, 0, unit_price),
                                      GS(dg_ack_line, lines, 0, status),
                                      GS(dg_ack_line, lines, 0, code),
                                      GD(dg_ack_line, lines, 0, quantity),
                                      GS(dg_ack_line, lines, 0, date),
                                      GS(dg_ack_line, lines, 0, reason),
                                      GS(dg_ack_part, acks, 1, line_number),
                                      GS(dg_ack_part, acks, 1, status),
                                      GS(dg_ack_part, acks, 1, code),
                                      GD(dg_ack_part, acks, 1, quantity),
                                      GS(dg_ack_part, acks, 1, date),
                                      GS(dg_ack_part, acks, 1, reason),
                                      SOURCE_FIELDS};
static const dg_field_group ack_groups[] = {GROUP(dg_ack, dg_ack_line, lines, n_lines, cap_lines),
                                            GROUP(dg_ack, dg_ack_part, acks, n_acks, cap_acks)};

static const dg_field status_fields[] = {STR(dg_status, update_id),
                                         STR(dg_status, order_number),
                                         STR(dg_status, what),
                                         STR(dg_status, status),
                                         STR(dg_status, previous_status),
                                         STR(dg_status, order_status),
                                         STR(dg_status, fulfilment_status),
                                         STR(dg_status, po_number),
                                         STR(dg_status, supplier),
                                         STR(dg_status, cause),
                                         STR(dg_status, reason),
                                         STR(dg_status, changed_at),
                                         GS(dg_status_line, lines, 0, line_number),
                                         GS(dg_status_line, lines, 0, sku),
                                         GS(dg_status_line, lines, 0, description),
                                         GD(dg_status_line, lines, 0, quantity),
                                         GD(dg_status_line, lines, 0, quantity_shipped),
                                         GD(dg_status_line, lines, 0, quantity_cancelled),
                                         GS(dg_status_line, lines, 0, status),
                                         GS(dg_status_line, lines, 0, reason),
                                         GS(dg_status_line, lines, 0, supplier),
                                         GS(dg_status_line, lines, 0, po_number),
                                         SOURCE_FIELDS};
static const dg_field_group status_groups[] = {
    GROUP(dg_status, dg_status_line, lines, n_lines, cap_lines)};

#define N(a) (sizeof(a) / sizeof *(a))

const dg_field *dg_fields_list(dg_doc_kind kind, size_t *n)
{
    switch (kind) {
    case DG_DOC_ORDER:
    case DG_DOC_CANCEL: *n = N(order_fields); return order_fields;
    case DG_DOC_SHIPMENT: *n = N(shipment_fields); return shipment_fields;
    case DG_DOC_INVOICE: *n = N(invoice_fields); return invoice_fields;
    case DG_DOC_STOCK: *n = N(stock_fields); return stock_fields;
    case DG_DOC_ACK: *n = N(ack_fields); return ack_fields;
    case DG_DOC_STATUS: *n = N(status_fields); return status_fields;
    default: *n = 0; return NULL;
    }
}

/* Each kind's groups, by kind: the mapping adds an element and finds its record for every line
 * of every document, and a table lookup costs less than the switch and its call. */
typedef struct {
    const dg_field_group *g;
    size_t n;
} kind_groups;

static const kind_groups groups_by_kind[DG_DOC_STATUS + 1] = {
    [DG_DOC_ORDER] = {order_groups, N(order_groups)},
    [DG_DOC_CANCEL] = {order_groups, N(order_groups)},
    [DG_DOC_SHIPMENT] = {shipment_groups, N(shipment_groups)},
    [DG_DOC_INVOICE] = {invoice_groups, N(invoice_groups)},
    [DG_DOC_STOCK] = {stock_groups, N(stock_groups)},
    [DG_DOC_ACK] = {ack_groups, N(ack_groups)},
    [DG_DOC_STATUS] = {status_groups, N(status_groups)},
};

const dg_field_group *dg_fields_groups(dg_doc_kind kind, size_t *n)
{
    if ((unsigned)kind >= N(groups_by_kind) || !groups_by_kind[kind].g) {
        *n = 0;
        return NULL;
    }
    *n = groups_by_kind[kind].n;
    return groups_by_kind[kind].g;
}

const dg_field *dg_fields_find(dg_doc_kind kind, const char *path, int group)
{
    size_t n;
    const dg_field *fs = dg_fields_list(kind, &n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(fs[i].path, path))
            return &fs[i];
    if (group >= 0) /* short name inside a group: "quantity" for "lines[].quantity" */
        for (size_t i = 0; i < n; i++)
            if (fs[i].group == group && !strcmp(fs[i].name, path))
                return &fs[i];
    return NULL;
}

int dg_fields_group_index(dg_doc_kind kind, const char *name)
{
    size_t n;
    const dg_field_group *gs = dg_fields_groups(kind, &n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(gs[i].name, name))
            return (int)i;
    return -1;
}

static char *body(dg_doc *doc)
{
    return (char *)&doc->u;
}

size_t dg_fields_count(const dg_doc *doc, int group)
{
    size_t n;
    const dg_field_group *gs = dg_fields_groups(doc->kind, &n);
    if (group < 0 || (size_t)group >= n)
        return 0;
    return *(const size_t *)(const void *)((const char *)&doc->u + gs[group].n_off);
}

/* The descriptor of a group of the document's kind (group is one of its groups). */
static const dg_field_group *group_of(const dg_doc *doc, int group)
{
    return &groups_by_kind[doc->kind].g[group];
}

void *dg_fields_record(dg_doc *doc, int group, size_t idx)
{
    if (group == DG_FIELD_BODY)
        return body(doc);
    if (group == DG_FIELD_SOURCE)
        return &doc->source;
    const dg_field_group *g = group_of(doc, group);
    char *items = *(char **)(void *)(body(doc) + g->items_off);
    return items + idx * g->elem_size;
}

/* Grows a group's array as dg_arena_grow would (8 elements first, then twice as many), from
 * dg_arena_alloc, which hands out zeroed memory: the new element needs no clearing. */
__attribute__((noinline)) static void grow_group(dg_doc *doc, char **items, size_t n, size_t *cap,
                                                 size_t size)
{
    size_t ncap = *cap ? *cap * 2 : 8;
    while (ncap < n + 1)
        ncap *= 2;
    char *p = dg_arena_alloc(doc->arena, ncap * size);
    if (*items && n)
        memcpy(p, *items, n * size);
    *items = p;
    *cap = ncap;
}

size_t dg_fields_add(dg_doc *doc, int group)
{
    const dg_field_group *g = group_of(doc, group);
    char *b = body(doc);
    char **items = (char **)(void *)(b + g->items_off);
    size_t *n = (size_t *)(void *)(b + g->n_off), i = *n;
    size_t *cap = (size_t *)(void *)(b + g->cap_off);
    if (i < *cap && *items) /* room: the element may hold what a shortened array left there */
        memset(*items + i * g->elem_size, 0, g->elem_size);
    else
        grow_group(doc, items, i, cap, g->elem_size);
    *n = i + 1;
    return i;
}

int dg_field_present(void *rec, const dg_field *f)
{
    if (f->type == DG_FIELD_STR)
        return *dg_field_str(rec, f) != NULL;
    return dg_field_dec(rec, f)->set;
}

/* dg_dec_format / dg_dec_format_fixed(2) for money without snprintf: JSON output writes one
 * of these per amount, and the formatter is on the translate hot path. */
static const char *dec_text(dg_dec d, bool money, char *buf, size_t size)
{
    uint64_t v = d.v < 0 ? (uint64_t)0 - (uint64_t)d.v : (uint64_t)d.v;
    uint64_t ip = v / DG_DEC_SCALE, frac = v % DG_DEC_SCALE;
    int places = 4;
    while (places > (money ? 2 : 0) && frac % 10 == 0) {
        frac /= 10;
        places--;
    }
    char tmp[48];
    size_t n = sizeof tmp;
    for (int k = 0; k < places; k++) {
        tmp[--n] = (char)('0' + frac % 10);
        frac /= 10;
    }
    if (places)
        tmp[--n] = '.';
    do {
        tmp[--n] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    if (d.v < 0)
        tmp[--n] = '-';
    size_t len = sizeof tmp - n;
    if (len + 1 > size)
        return money ? dg_dec_format_fixed(d, 2, buf, size) : dg_dec_format(d, buf, size);
    memcpy(buf, tmp + n, len);
    buf[len] = '\0';
    return buf;
}

const char *dg_field_text(void *rec, const dg_field *f, char *buf, size_t size)
{
    if (f->type == DG_FIELD_STR)
        return *dg_field_str(rec, f);
    dg_dec d = *dg_field_dec(rec, f);
    if (!d.set)
        return NULL;
    if (f->type == DG_FIELD_MONEY && d.v % 100 == 0)
        return dec_text(d, true, buf, size);
    return dec_text(d, false, buf, size);
}
