/* Supplier invoices as the store records them (flow/invoice.c decides the 3-way match): the
 * invoice with its lines, charges and discrepancies, and what a matched invoice approves. */
#include "store/store_internal.h"

int dg_store_invoice_original(dg_store *s, const char *supplier, const char *number, int64_t *id,
                              dg_error *err)
{
    static const char sql[] = "SELECT id FROM invoices WHERE supplier = ?1"
                              " AND invoice_number = ?2 AND duplicate_of IS NULL";
    *id = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, supplier);
    dg_stmt_bind_text(st, 2, number);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW)
        *id = dg_stmt_int64(st, 0);
    return st_step_end(s, st, rc, err, "invoice lookup");
}

int dg_store_invoice_add(dg_store *s, const dg_store_invoice_rec *r, int64_t *id, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO invoices(supplier, invoice_number, po_id, document_id, invoice_date,"
        " currency, lines_amount, charges, tax, total, outcome, duplicate_of, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) RETURNING id";
    *id = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, r->supplier);
    dg_stmt_bind_text(st, 2, r->invoice_number);
    dg_stmt_bind_int64(st, 3, r->po_id);
    dg_stmt_bind_int64(st, 4, r->document_id);
    dg_stmt_bind_text(st, 5, r->invoice_date);
    dg_stmt_bind_text(st, 6, r->currency);
    st_bind_dec(st, 7, r->lines_amount);
    st_bind_dec(st, 8, r->charges);
    st_bind_dec(st, 9, r->tax);
    st_bind_dec(st, 10, r->total);
    dg_stmt_bind_text(st, 11, r->outcome);
    if (r->duplicate_of)
        dg_stmt_bind_int64(st, 12, r->duplicate_of);
    else
        dg_stmt_bind_null(st, 12);
    dg_stmt_bind_int64(st, 13, dg_store_now(s));
    return dg_store_step_id(s, st, id, err, "recording an invoice");
}

int dg_store_invoice_line_add(dg_store *s, int64_t invoice_id, const dg_store_invoice_line *l,
                              dg_error *err)
{
    static const char sql[] =
        "INSERT INTO invoice_lines(invoice_id, line_number, order_line_id, vendor_sku, qty,"
        " unit_price, amount) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, invoice_id);
    dg_stmt_bind_text(st, 2, l->line_number);
    if (l->order_line_id)
        dg_stmt_bind_int64(st, 3, l->order_line_id);
    else
        dg_stmt_bind_null(st, 3);
    dg_stmt_bind_text(st, 4, l->vendor_sku);
    st_bind_dec(st, 5, l->qty);
    st_bind_dec(st, 6, l->unit_price);
    st_bind_dec(st, 7, l->amount);
    return st_step_done(s, st, err, "recording an invoice line");
}

int dg_store_invoice_charge_add(dg_store *s, int64_t invoice_id, const char *type, const char *code,
                                dg_dec amount, const char *description, dg_error *err)
{
    static const char sql[] = "INSERT INTO charges(invoice_id, type, code, amount, description)"
                              " VALUES (?1, ?2, ?3, ?4, ?5)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, invoice_id);
    dg_stmt_bind_text(st, 2, type);
    dg_stmt_bind_text(st, 3, code);
    st_bind_dec(st, 4, amount);
    dg_stmt_bind_text(st, 5, description);
    return st_step_done(s, st, err, "recording a charge");
}

int dg_store_discrepancy_add(dg_store *s, int64_t invoice_id, const char *code, const char *detail,
                             dg_error *err)
{
    static const char sql[] =
        "INSERT INTO discrepancies(invoice_id, code, detail, created_at) VALUES (?1, ?2, ?3, ?4)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, invoice_id);
    dg_stmt_bind_text(st, 2, code);
    dg_stmt_bind_text(st, 3, detail);
    dg_stmt_bind_int64(st, 4, dg_store_now(s));
    return st_step_done(s, st, err, "recording a discrepancy");
}

int dg_store_line_invoiced_add(dg_store *s, int64_t line_id, int64_t qty, dg_error *err)
{
    static const char sql[] = "UPDATE order_lines SET qty_invoiced = qty_invoiced + ?2"
                              " WHERE id = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, line_id);
    dg_stmt_bind_int64(st, 2, qty);
    return st_step_done(s, st, err, "updating invoiced quantities");
}

int dg_store_po_invoiced_if_complete(dg_store *s, int64_t po_id, dg_error *err)
{
    static const char sql[] =
        "UPDATE supplier_pos SET status = 'INVOICED' WHERE id = ?1 AND NOT EXISTS"
        " (SELECT 1 FROM order_lines WHERE po_id = ?1 AND qty_invoiced < qty_ordered)";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, po_id);
    return st_step_done(s, st, err, "moving a PO to INVOICED");
}
