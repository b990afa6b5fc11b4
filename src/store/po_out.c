/* Supplier POs as they go out (flow/order.c turns each into a canonical document to render): the
 * PO with its order's ship-to and delivery details, and its lines in PO line order. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

static void line_clear(void *row)
{
    dg_store_po_out_line *l = row;
    free(l->retailer_sku);
    free(l->supplier_sku);
    free(l->gtin);
    free(l->description);
    free(l->uom);
}

static int line_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_store_po_out_line *l = row;
    l->po_line = (long)dg_stmt_int64(st, 0);
    l->retailer_sku = st_col_dup(st, 1);
    l->supplier_sku = st_col_dup(st, 2);
    l->gtin = st_col_dup(st, 3);
    l->description = st_col_dup(st, 4);
    l->qty = st_col_dec(st, 5);
    l->uom = st_col_dup(st, 6);
    l->cost = st_col_dec(st, 7);
    return 0; /* a failed strdup reads as a missing value, as a NULL column does */
}

static int po_lines(dg_store *s, dg_store_po_out *p, dg_error *err)
{
    static const char sql[] =
        "SELECT po_line, retailer_sku, supplier_sku, gtin, description, qty_ordered, uom, cost"
        " FROM order_lines WHERE po_id = ?1 ORDER BY po_line";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, p->id);
    st_rows how = {sizeof *p->lines, 8, line_fill, line_clear, NULL, "reading PO lines"};
    return st_collect(s, st, &how, &p->lines, &p->n_lines, err);
}

static void po_clear(void *row)
{
    dg_store_po_out *p = row;
    free(p->po_number);
    free(p->supplier);
    free(p->storefront);
    free(p->order_number);
    free(p->bill_to_json);
    free(p->ship_to_json);
    free(p->currency);
    free(p->carrier);
    free(p->service_level);
    free(p->notes);
    for (size_t i = 0; i < p->n_lines; i++)
        line_clear(&p->lines[i]);
    free(p->lines);
}

static int po_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    dg_store_po_out *p = row;
    p->id = dg_stmt_int64(st, 0);
    p->po_number = st_col_dup(st, 1);
    p->supplier = st_col_dup(st, 2);
    p->storefront = st_col_dup(st, 3);
    p->order_number = st_col_dup(st, 4);
    p->bill_to_json = st_col_dup(st, 5);
    p->ship_to_json = st_col_dup(st, 6);
    p->currency = st_col_dup(st, 7);
    p->total = st_col_dec(st, 8);
    p->created_at = dg_stmt_int64(st, 9);
    p->carrier = st_col_dup(st, 10);
    p->service_level = st_col_dup(st, 11);
    p->notes = st_col_dup(st, 12);
    p->op_held = !dg_stmt_column_null(st, 13);
    return p->po_number && p->supplier ? 0 : DG_ENOMEM;
}

void dg_store_po_outs_free(dg_store_po_out *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        po_clear(&rows[i]);
    free(rows);
}

/* The POs sql selects (?1 bound to key; a page query's ?2 to after, ?3 to limit), with their
 * lines. */
static int load(dg_store *s, const char *sql, const char *key, int64_t after, int64_t limit,
                dg_store_po_out **rows, size_t *n, dg_error *err)
{
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, key);
    if (limit > 0) {
        dg_stmt_bind_int64(st, 2, after);
        dg_stmt_bind_int64(st, 3, limit);
    }
    dg_store_po_out *out = NULL;
    size_t count = 0;
    st_rows how = {sizeof *out, 16, po_fill, po_clear, NULL, "listing POs"};
    if ((rc = st_collect(s, st, &how, &out, &count, err)))
        return rc;
    /* Lines after the outer statement is reset: the cached line statement is a different one. */
    for (size_t i = 0; i < count; i++)
        if ((rc = po_lines(s, &out[i], err))) {
            dg_store_po_outs_free(out, count);
            return rc;
        }
    *rows = out;
    *n = count;
    return 0;
}

#define PO_COLS                                                                                    \
    "SELECT p.id, p.po_number, p.supplier, o.storefront, o.order_number, p.bill_to_json,"          \
    " o.ship_to_json, p.currency, p.total, p.created_at, o.carrier, o.service_level, o.notes,"     \
    " p.op_hold_at FROM supplier_pos p JOIN orders o ON o.id = p.order_id"

int dg_store_pos_unqueued(dg_store *s, const char *supplier, int64_t after_id, size_t limit,
                          dg_store_po_out **rows, size_t *n, dg_error *err)
{
    static const char all[] = PO_COLS " WHERE p.status = 'QUEUED' AND p.outbox_id IS NULL"
                                      " AND (?1 IS NULL OR p.supplier = ?1) ORDER BY p.id";
    static const char page[] = PO_COLS " WHERE p.status = 'QUEUED' AND p.outbox_id IS NULL"
                                       " AND (?1 IS NULL OR p.supplier = ?1) AND p.id > ?2"
                                       " ORDER BY p.id LIMIT ?3";
    return load(s, limit ? page : all, supplier, after_id, (int64_t)limit, rows, n, err);
}

int dg_store_po_out_get(dg_store *s, const char *po_number, dg_store_po_out **rows, size_t *n,
                        dg_error *err)
{
    static const char sql[] = PO_COLS " WHERE p.po_number = ?1";
    return load(s, sql, po_number, 0, 0, rows, n, err);
}
