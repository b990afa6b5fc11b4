/* Operator look-ups: `dropgate search` finds every record that carries a business number (order,
 * PO, invoice, shipment, tracking, ISA13/GS06/ST02, file name, SHA-256 prefix) in one query. */
#include <ctype.h>
#include <jansson.h>
#include <string.h>

#include "store/store_internal.h"

int st_count(dg_store *s, const char *sql, int64_t *n, const char *what, dg_error *err)
{
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    rc = dg_stmt_step(st);
    *n = rc == DG_DB_ROW ? dg_stmt_int64(st, 0) : 0;
    dg_stmt_reset(st);
    return rc == DG_DB_ROW ? 0 : dg_store_fail(s, err, what);
}

int st_count_by(dg_store *s, const char *sql, json_t *obj, const char *what, dg_error *err)
{
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    while ((rc = dg_stmt_step(st)) == DG_DB_ROW) {
        const char *k = dg_stmt_text(st, 0);
        json_object_set_new(obj, k ? k : "", json_integer(dg_stmt_int64(st, 1)));
    }
    dg_stmt_reset(st);
    return rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, what);
}

int st_rows_json(dg_store *s, const char *sql, const char *const *params, size_t n_params,
                 json_t **out, dg_error *err)
{
    *out = NULL;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n_params; i++) {
        if (params[i])
            dg_stmt_bind_text(st, (int)i + 1, params[i]);
        else
            dg_stmt_bind_null(st, (int)i + 1);
    }
    json_t *arr = json_array();
    while (arr && (rc = dg_stmt_step(st)) == DG_DB_ROW) {
        json_t *row = json_object();
        int nc = dg_stmt_column_count(st);
        for (int c = 0; row && c < nc; c++) {
            json_t *v;
            switch (dg_stmt_column_type(st, c)) {
            case DG_DB_T_NULL: continue; /* absent keys: the CLI prints only what is known */
            case DG_DB_T_INT: v = json_integer(dg_stmt_int64(st, c)); break;
            default: v = json_string(dg_stmt_text(st, c)); break;
            }
            /* json_string refuses bytes that are not UTF-8: keep the key, say so */
            json_object_set_new(row, dg_stmt_column_name(st, c), v ? v : json_string("?"));
        }
        json_array_append_new(arr, row);
    }
    dg_stmt_reset(st);
    if (!arr || rc != DG_DB_DONE) {
        json_decref(arr);
        return arr ? dg_store_fail(s, err, "reading records")
                   : dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    *out = arr;
    return 0;
}

/* One hit per row: kind, id, key (the record's own number), partner, matched (the field that
 * carries the text), status, at, sha256, note. ?1 the text; ?2 the text as a SHA-256 prefix (NULL
 * when it is not 8..64 hex digits); ?3 the text without leading zeros when all digits (control
 * numbers are stored as sent, zero-padded or not). */
/* a PO's status as every view shows it */
#define PO_SHOWN DG_STORE_PO_SHOWN_STATUS("p")
#define SEARCH_SQL(DOC_NUMBER)                                                                        \
    "SELECT 'order' kind, o.id, o.order_number key, o.storefront partner,"                            \
    "  'order_number' matched, o.status, o.created_at at, NULL sha256, NULL note FROM orders o "      \
    "WHERE o.order_number = ?1"                                                                       \
    " UNION ALL SELECT 'po', p.id, p.po_number, p.supplier, 'po_number', " PO_SHOWN                   \
    ", p.created_at, "                                                                                \
    "NULL, p.hold_reason"                                                                             \
    "  FROM supplier_pos p WHERE p.po_number = ?1"                                                    \
    " UNION ALL SELECT 'po', p.id, p.po_number, p.supplier, 'order_number', " PO_SHOWN ","            \
    "  p.created_at, NULL, p.hold_reason FROM supplier_pos p JOIN orders o ON o.id = p.order_id"      \
    "  WHERE o.order_number = ?1"                                                                     \
    " UNION ALL SELECT 'po', p.id, p.po_number, p.supplier,"                                          \
    "  CASE WHEN ltrim(p.interchange_control, '0') = ?3 OR p.interchange_control = ?1"                \
    "  THEN 'isa13' WHEN ltrim(p.group_control, '0') = ?3 OR p.group_control = ?1 THEN 'gs06'"        \
    "  ELSE 'st02' END, " PO_SHOWN ", p.created_at, NULL, p.hold_reason FROM supplier_pos p"          \
    "  WHERE ?1 IN (p.interchange_control, p.group_control, p.set_control)"                           \
    "  OR ?3 IN (ltrim(p.interchange_control, '0'), ltrim(p.group_control, '0'),"                     \
    "  ltrim(p.set_control, '0'))"                                                                    \
    " UNION ALL SELECT 'shipment', sh.id, coalesce(sh.shipment_ref, ''), sh.supplier,"                \
    "  CASE WHEN sh.shipment_ref = ?1 THEN 'shipment_ref' ELSE 'tracking_number' END,"                \
    "  'PO ' || p.po_number, sh.created_at, NULL, NULL FROM shipments sh JOIN supplier_pos p ON "     \
    "p.id = sh.po_id"                                                                                 \
    "  WHERE sh.shipment_ref = ?1 OR EXISTS (SELECT 1 FROM packages k WHERE k.shipment_id = sh.id"    \
    "  AND (k.tracking_number = ?1 OR k.sscc = ?1))"                                                  \
    " UNION ALL SELECT 'shipment', sh.id, coalesce(sh.shipment_ref, ''), sh.supplier,"                \
    "  'po_number', 'PO ' || p.po_number, sh.created_at, NULL, NULL FROM shipments sh"                \
    "  JOIN supplier_pos p ON p.id = sh.po_id WHERE p.po_number = ?1"                                 \
    " UNION ALL SELECT 'invoice', i.id, i.invoice_number, i.supplier, 'invoice_number',"              \
    "  i.outcome, i.created_at, NULL, NULL FROM invoices i WHERE i.invoice_number = ?1"               \
    " UNION ALL SELECT 'invoice', i.id, i.invoice_number, i.supplier, 'po_number', i.outcome,"        \
    "  i.created_at, NULL, NULL FROM invoices i JOIN supplier_pos p ON p.id = i.po_id WHERE "         \
    "p.po_number = ?1"                                                                                \
    " UNION ALL SELECT 'document', d.id, d.kind || coalesce(':' || " DOC_NUMBER                       \
    ", ''), d.partner,"                                                                               \
    "  CASE WHEN ltrim(d.interchange_control, '0') = ?3 OR d.interchange_control = ?1"                \
    "  THEN 'isa13' WHEN ltrim(d.group_control, '0') = ?3 OR d.group_control = ?1 THEN 'gs06'"        \
    "  ELSE 'st02' END, d.outcome, d.created_at, NULL, NULL FROM documents d"                         \
    "  WHERE ?1 IN (d.interchange_control, d.group_control, d.set_control)"                           \
    "  OR ?3 IN (ltrim(d.interchange_control, '0'), ltrim(d.group_control, '0'),"                     \
    "  ltrim(d.set_control, '0'))"                                                                    \
    " UNION ALL SELECT 'file', f.id, f.name, f.partner,"                                              \
    "  CASE WHEN f.name = ?1 THEN 'file_name' ELSE 'sha256' END, f.direction, f.created_at, "         \
    "f.sha256, NULL"                                                                                  \
    "  FROM files f WHERE f.name = ?1 OR substr(f.sha256, 1, length(?2)) = ?2"                        \
    " UNION ALL SELECT 'pickup', k.id, k.path, k.partner,"                                            \
    "  CASE WHEN substr(k.sha256, 1, length(?2)) = ?2 THEN 'sha256' ELSE 'file_name' END,"            \
    "  k.state, k.created_at, k.sha256,"                                                              \
    "  k.reason || coalesce(' (kept: ' || k.quarantine_path || ')', '') FROM pickups k"               \
    "  WHERE (k.file_id IS NULL OR k.state = 'QUARANTINED') AND (k.path = ?1"                         \
    "  OR (length(k.path) > length(?1) AND substr(k.path, length(k.path) - length(?1)) = '/' || "     \
    "?1)"                                                                                             \
    "  OR substr(k.sha256, 1, length(?2)) = ?2)"                                                      \
    " UNION ALL SELECT 'outbox', x.id, x.file_name, x.partner, 'file_name', x.state,"                 \
    "  x.created_at, x.content_sha256, x.last_error FROM outbox x WHERE x.file_name = ?1" /* the      \
                                                                                             POs a    \
                                                                                             file     \
                                                                                             carries  \
                                                                                             (several \
                                                                                             when     \
                                                                                             the      \
                                                                                             supplier \
                                                                                             takes    \
                                                                                             several  \
                                                                                             POs      \
                                                                                             per      \
                                                                                             file)    \
                                                                                           */         \
    " UNION ALL SELECT 'po', p.id, p.po_number, p.supplier, 'file_name', " PO_SHOWN ","               \
    "  p.created_at, NULL, p.hold_reason FROM supplier_pos p JOIN outbox x ON x.id = p.outbox_id"     \
    "  WHERE x.file_name = ?1"                                                                        \
    " ORDER BY at, kind, id"

/* The business number a document's canonical JSON carries (order, shipment, invoice): SQLite
 * guards json_extract with json_valid; on PostgreSQL json is canonical JSON or NULL (a document
 * the mapping could not read), and a NULL casts to NULL. */
static const char search_sqlite[] =
    SEARCH_SQL("CASE WHEN json_valid(d.json) THEN coalesce(" DG_DB_JSON_TEXT_SQLITE(
        "d.json", "order",
        "order_number") ", " DG_DB_JSON_TEXT_SQLITE("d.json", "shipment",
                                                    "shipment_id") ", " DG_DB_JSON_TEXT_SQLITE("d."
                                                                                               "jso"
                                                                                               "n",
                                                                                               "inv"
                                                                                               "oic"
                                                                                               "e",
                                                                                               "inv"
                                                                                               "oic"
                                                                                               "e_"
                                                                                               "num"
                                                                                               "be"
                                                                                               "r") ") END");
static const char search_pg[] = SEARCH_SQL(
    "coalesce(" DG_DB_JSON_TEXT_PG("d.json", "order", "order_number") ", " DG_DB_JSON_TEXT_PG(
        "d.json", "shipment", "shipment_id") ", " DG_DB_JSON_TEXT_PG("d.json", "invoice",
                                                                     "invoice_number") ")");

/* The text as a SHA-256 prefix: 8..64 hex digits, lowercased; NULL otherwise. */
static const char *sha_prefix(const char *text, char *buf, size_t size)
{
    size_t n = strlen(text);
    if (n < 8 || n > 64 || n >= size)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)text[i]))
            return NULL;
        buf[i] = (char)tolower((unsigned char)text[i]);
    }
    buf[n] = '\0';
    return buf;
}

/* The text as a control number without leading zeros; NULL when not all digits. */
static const char *control_digits(const char *text)
{
    if (!*text)
        return NULL;
    for (const char *p = text; *p; p++)
        if (!isdigit((unsigned char)*p))
            return NULL;
    while (text[0] == '0' && text[1])
        text++;
    return text;
}

int dg_store_search(dg_store *s, const char *text, json_t **hits, dg_error *err)
{
    char sha[80];
    const char *params[3] = {text, sha_prefix(text, sha, sizeof sha), control_digits(text)};
    bool pg = dg_db_kind(dg_store_db(s)) == DG_DB_POSTGRES;
    return st_rows_json(s, pg ? search_pg : search_sqlite, params, 3, hits, err);
}

int dg_store_quarantined_count(dg_store *s, int64_t *n, dg_error *err)
{
    return st_count(s, "SELECT count(*) FROM pickups WHERE state = 'QUARANTINED'", n,
                    "counting quarantined files", err);
}
