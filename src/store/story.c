/* The whole story of one supplier PO or storefront order for `dropgate show`: the record, its
 * lines, the files that went out and came in (with their archived SHA-256), acknowledgments,
 * shipments with tracking, invoices with every discrepancy, in one JSON object. */
#include <jansson.h>
#include <stdio.h>

#include "store/store_internal.h"

/* Amounts and quantities are stored x 10^4 (dg_dec): shown exactly, as text. */
#define DEC4(c)                                                                                    \
    "(CASE WHEN " c " < 0 THEN '-' ELSE '' END || (abs(" c ") / 10000) || '.' ||"                  \
    " substr(CAST(10000 + abs(" c ") % 10000 AS TEXT), 2))"
#define AMT(c)                                                                                     \
    "CASE WHEN " c " IS NULL THEN NULL WHEN " c                                                    \
    " % 100 = 0 THEN substr(" DEC4(c) ", 1,"                                                       \
                                      " length(" DEC4(c) ") - 2) ELSE " DEC4(c) " END"
#define QTY(c) "CASE WHEN " c " IS NULL THEN NULL ELSE rtrim(rtrim(" DEC4(c) ", '0'), '.') END"

/* The archived file a received document came from. */
#define DOC_FILE(doc)                                                                              \
    "(SELECT f.name FROM documents d JOIN files f ON f.id = d.file_id WHERE d.id = " doc           \
    ") file_name, (SELECT f.sha256 FROM documents d JOIN files f ON f.id = d.file_id"              \
    " WHERE d.id = " doc ") file_sha256"

/* status: as every view shows it (CANCELLED once the PO is); transport_status: its file's */
#define PO_SHOWN DG_STORE_PO_SHOWN_STATUS("p") " status, p.status transport_status"
static const char po_sql[] = "SELECT p.id, p.po_number, p.supplier, " PO_SHOWN ", p.currency, " AMT(
    "p.total") " total,"
               " p.expect_ack, p.interchange_control isa13, p.group_control gs06, p.set_control "
               "st02,"
               " p.created_at, p.sent_at, p.ack_at, p.ack_status, p.ack_reason, p.shipped_at,"
               " p.hold_reason, p.held_at, p.op_hold_reason, p.op_hold_by, p.op_hold_at,"
               " o.storefront, o.order_number, o.status order_status,"
               " p.po_status, p.po_status_at, p.confirmed_at,"
               " (SELECT r.po_number FROM supplier_pos r WHERE r.id = p.rerouted_from) "
               "rerouted_from"
               " FROM supplier_pos p JOIN orders o ON o.id = p.order_id WHERE p.po_number = ?1";

static const char po_lines_sql[] =
    "SELECT l.line_no, l.retailer_sku, l.supplier_sku, l.description,"
    " " QTY(
        "l.qty_ordered") " qty_ordered,"
                         " " QTY(
                             "l.qty_shipped") " qty_shipped,"
                                              " " QTY(
                                                  "l.qty_invoiced") " qty_invoiced,"
                                                                    " " AMT(
                                                                        "l.cost") " cost, "
                                                                                  "l.supplier_"
                                                                                  "status, "
                                                                                  "l.supplier_"
                                                                                  "reason, "
                                                                                  "l.ack_code,"
                                                                                  " " QTY(
                                                                                      "l."
                                                                                      "ack_"
                                                                                      "qty") " ack_"
                                                                                             "qty,"
                                                                                             " " AMT(
                                                                                                 "l"
                                                                                                 "."
                                                                                                 "a"
                                                                                                 "c"
                                                                                                 "k"
                                                                                                 "_"
                                                                                                 "p"
                                                                                                 "r"
                                                                                                 "i"
                                                                                                 "c"
                                                                                                 "e") " ack_price,"
                                                                                                      " l.promised_date, l.attempt"
                                                                                                      " FROM "
                                                                                                      "order_lines l "
                                                                                                      "WHERE l.po_id = "
                                                                                                      "?1 ORDER BY "
                                                                                                      "l.po_line, "
                                                                                                      "l.line_no";

/* The PO's file(s) in the outbox: what was sent, when, how often tried. */
static const char po_sent_sql[] =
    "SELECT x.file_name, x.state, x.attempts, x.last_error, x.created_at, x.sent_at,"
    " x.content_sha256 file_sha256, x.local_path FROM outbox x JOIN supplier_pos p"
    " ON p.outbox_id = x.id OR (x.kind = 'po' AND x.ref = p.po_number AND x.partner = p.supplier)"
    " WHERE p.id = ?1 GROUP BY x.id ORDER BY x.id";

/* 997/999 groups received for the PO's GS06 from its supplier. */
static const char po_acks_sql[] = "SELECT a.outcome, a.created_at, " DOC_FILE(
    "a.id") " FROM documents a JOIN supplier_pos p"
            " ON a.partner = p.supplier AND a.group_control = p.group_control"
            " WHERE a.kind = 'ack' AND p.id = ?1 ORDER BY a.id";

static const char po_shipments_sql[] =
    "SELECT sh.shipment_ref, sh.ship_date, sh.carrier, sh.service, sh.created_at,"
    " (SELECT string_agg(coalesce(k.tracking_number, k.sscc), ' ') FROM packages k"
    " WHERE k.shipment_id = sh.id) tracking, " DOC_FILE(
        "sh.document_id") " FROM shipments sh WHERE sh.po_id = ?1 ORDER BY sh.id";

static const char po_invoices_sql[] = "SELECT i.invoice_number, i.invoice_date, i.outcome, " AMT(
    "i.total") " total,"
               " " AMT("i.lines_amount") " lines_amount, " AMT(
                   "i.charges") " charges, i.created_at,"
                                " (SELECT d2.invoice_number FROM invoices d2 WHERE d2.id = "
                                "i.duplicate_of) duplicate_of,"
                                " (SELECT string_agg(c.code || coalesce(': ' || c.detail, ''), "
                                "'; ') FROM discrepancies c"
                                " WHERE c.invoice_id = i.id AND c.resolved = 0) "
                                "discrepancies, " DOC_FILE(
                                    "i.document_id") " FROM invoices i WHERE i.po_id = ?1 ORDER BY "
                                                     "i.id";

static const char order_sql[] =
    "SELECT o.id, o.storefront, o.order_number, o.status, o.fulfilment_status, o.order_date,"
    " o.currency,"
    " " AMT("o.total") " total, o.lines_total, o.lines_matched, o.carrier, o.service_level,"
                       " o.created_at, " DOC_FILE(
                           "o.document_id") " FROM orders o WHERE o.order_number = ?1"
                                            " AND (?2 IS NULL OR o.storefront = ?2) ORDER BY o.id";

static const char order_lines_sql[] =
    "SELECT l.line_no, l.retailer_sku, l.description, l.status, l.reason, l.supplier,"
    " l.supplier_sku, p.po_number,"
    " " QTY("l.qty_ordered") " qty_ordered,"
                             " " QTY(
                                 "l.qty_shipped") " qty_shipped,"
                                                  " " QTY(
                                                      "l.qty_invoiced") " qty_invoiced, "
                                                                        "l.supplier_status, "
                                                                        "l.supplier_reason, "
                                                                        "l.promised_date,"
                                                                        " l.attempt FROM "
                                                                        "order_lines l LEFT "
                                                                        "JOIN supplier_pos p ON "
                                                                        "p.id = l.po_id"
                                                                        " WHERE l.order_id = ?1 "
                                                                        "ORDER BY l.line_no";

static const char order_pos_sql[] =
    "SELECT p.po_number FROM supplier_pos p WHERE p.order_id = ?1 ORDER BY p.id";

static const char order_amend_sql[] =
    "SELECT a.changed, a.created_at FROM order_amendments a WHERE a.order_id = ?1 ORDER BY a.id";

/* Tracking files passed back to the storefront. */
static const char order_tracking_sql[] =
    "SELECT n.state, n.created_at, n.sent_at, n.hold_reason, x.file_name, x.state send_state,"
    " x.content_sha256 file_sha256, sh.shipment_ref FROM notifications n"
    " JOIN shipments sh ON sh.id = n.shipment_id LEFT JOIN outbox x ON x.id = n.outbox_id"
    " WHERE n.order_id = ?1 ORDER BY n.id";

/* Every status change with its cause and the file that caused it (status_history). */
#define HISTORY_SQL(where)                                                                         \
    "SELECT h.at, h.what, p.po_number, l.line_number, l.retailer_sku sku, h.from_status,"          \
    " h.to_status, h.cause, h.detail, f.name file_name, f.sha256 file_sha256"                      \
    " FROM status_history h LEFT JOIN order_lines l ON l.id = h.order_line_id"                     \
    " LEFT JOIN supplier_pos p ON p.id = coalesce(h.po_id, l.po_id)"                               \
    " LEFT JOIN files f ON f.id = h.file_id WHERE " where " ORDER BY h.id"
static const char po_history_sql[] =
    HISTORY_SQL("coalesce(h.po_id, l.po_id) = CAST(?1 AS INTEGER)");
static const char order_history_sql[] = HISTORY_SQL("h.order_id = ?1");

/* Runs sql with one parameter and sets the rows as root[key]. */
static int add_rows(dg_store *s, json_t *root, const char *key, const char *sql, const char *param,
                    dg_error *err)
{
    json_t *rows;
    const char *params[1] = {param};
    int rc = st_rows_json(s, sql, params, 1, &rows, err);
    if (!rc)
        json_object_set_new(root, key, rows);
    return rc;
}

int dg_store_po_story(dg_store *s, const char *po_number, json_t **out, dg_error *err)
{
    *out = NULL;
    json_t *rows;
    const char *params[1] = {po_number};
    int rc = st_rows_json(s, po_sql, params, 1, &rows, err);
    if (rc)
        return rc;
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return dg_error_set(err, DG_ENOTFOUND, "no supplier PO '%s'", po_number);
    }
    json_t *po = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(po, "id")));
    if (!(rc = add_rows(s, po, "lines", po_lines_sql, id, err)) &&
        !(rc = add_rows(s, po, "sent", po_sent_sql, id, err)) &&
        !(rc = add_rows(s, po, "acks", po_acks_sql, id, err)) &&
        !(rc = add_rows(s, po, "shipments", po_shipments_sql, id, err)) &&
        !(rc = add_rows(s, po, "invoices", po_invoices_sql, id, err)))
        rc = add_rows(s, po, "history", po_history_sql, id, err);
    json_t *actions = NULL; /* hold, release, resend: who, when, why */
    if (!rc && !(rc = dg_store_actions(s, "po", po_number, &actions, err)))
        json_object_set_new(po, "actions", actions);
    if (rc) {
        json_decref(po);
        return rc;
    }
    *out = po;
    return 0;
}

int dg_store_order_story(dg_store *s, const char *storefront, const char *order_number,
                         json_t **out, dg_error *err)
{
    *out = NULL;
    json_t *rows;
    const char *params[2] = {order_number, storefront};
    int rc = st_rows_json(s, order_sql, params, 2, &rows, err);
    if (rc)
        return rc;
    size_t n = json_array_size(rows);
    if (n != 1) {
        json_decref(rows);
        return n ? dg_error_set(err, DG_EINVAL,
                                "order '%s' exists at %zu storefronts: name one (--storefront)",
                                order_number, n)
                 : dg_error_set(err, DG_ENOTFOUND, "no order '%s'%s%s", order_number,
                                storefront ? " at storefront " : "", storefront ? storefront : "");
    }
    json_t *order = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(order, "id")));
    json_t *pos = NULL;
    if (!(rc = add_rows(s, order, "lines", order_lines_sql, id, err)) &&
        !(rc = add_rows(s, order, "amendments", order_amend_sql, id, err)) &&
        !(rc = add_rows(s, order, "tracking_files", order_tracking_sql, id, err)) &&
        !(rc = add_rows(s, order, "history", order_history_sql, id, err))) {
        const char *p1[1] = {id};
        rc = st_rows_json(s, order_pos_sql, p1, 1, &pos, err);
    }
    json_t *stories = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(rc ? NULL : pos, i, row)
    {
        json_t *story;
        if ((rc = dg_store_po_story(s, json_string_value(json_object_get(row, "po_number")), &story,
                                    err)))
            break;
        json_array_append_new(stories, story);
    }
    json_decref(pos);
    json_object_set_new(order, "pos", stories);
    if (rc) {
        json_decref(order);
        return rc;
    }
    *out = order;
    return 0;
}
