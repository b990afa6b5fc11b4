/* Read-only views for the web console and /metrics: files set aside, per-partner counts, today's
 * orders, one document or archived file, and the counters Prometheus scrapes. */
#include <jansson.h>
#include <stdio.h>

#include "store/store_internal.h"

int dg_store_quarantine_list(dg_store *s, json_t **out, dg_error *err)
{
    return st_rows_json(s,
                        "SELECT k.id, k.partner, k.path, k.state, k.reason, k.quarantine_path,"
                        " k.file_id, k.sha256, k.size, k.updated_at at FROM pickups k"
                        " WHERE k.state IN ('QUARANTINED', 'PARTIAL')"
                        " ORDER BY k.updated_at DESC, k.id DESC LIMIT 500",
                        NULL, 0, out, err);
}

int dg_store_partner_counts(dg_store *s, json_t **out, dg_error *err)
{
    return st_rows_json(
        s,
        "WITH p(partner) AS (SELECT partner FROM pickups UNION SELECT partner FROM outbox"
        "  UNION SELECT partner FROM files)"
        " SELECT p.partner,"
        " (SELECT count(*) FROM pickups k WHERE k.partner = p.partner"
        "  AND k.state = 'QUARANTINED') quarantined,"
        " (SELECT count(*) FROM pickups k WHERE k.partner = p.partner"
        "  AND k.state = 'PARTIAL') partial,"
        " (SELECT count(*) FROM outbox x WHERE x.partner = p.partner"
        "  AND x.state = 'PENDING') outbox_pending,"
        " (SELECT count(*) FROM outbox x WHERE x.partner = p.partner"
        "  AND x.state = 'FAILED') outbox_failed,"
        " (SELECT count(*) FROM files f WHERE f.partner = p.partner"
        "  AND f.direction = 'in') files_in,"
        " (SELECT count(*) FROM files f WHERE f.partner = p.partner"
        "  AND f.direction = 'out') files_out"
        " FROM p ORDER BY p.partner",
        NULL, 0, out, err);
}

int dg_store_orders_since(dg_store *s, int64_t since, json_t **out, dg_error *err)
{
    char t[32];
    snprintf(t, sizeof t, "%lld", (long long)since);
    const char *params[] = {t};
    return st_rows_json(s,
                        "SELECT status, count(*) n FROM orders"
                        " WHERE created_at >= CAST(?1 AS INTEGER) GROUP BY status ORDER BY status",
                        params, 1, out, err);
}

/* The first row of a one-row query as an object; DG_ENOTFOUND when there is none. */
static int one_row(dg_store *s, const char *sql, const char *param, const char *what, json_t **out,
                   dg_error *err)
{
    json_t *rows = NULL;
    const char *params[] = {param};
    int rc = st_rows_json(s, sql, params, 1, &rows, err);
    if (rc)
        return rc;
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return dg_error_set(err, DG_ENOTFOUND, "no %s '%s'", what, param);
    }
    *out = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return 0;
}

int dg_store_document_get(dg_store *s, int64_t id, json_t **out, dg_error *err)
{
    char n[32];
    snprintf(n, sizeof n, "%lld", (long long)id);
    return one_row(s,
                   "SELECT d.id, d.kind, d.partner, d.position, d.interchange_control,"
                   " d.group_control, d.set_control, d.outcome, d.created_at, d.json, d.file_id,"
                   " f.name file_name, f.sha256 file_sha256, f.direction FROM documents d"
                   " LEFT JOIN files f ON f.id = d.file_id WHERE d.id = CAST(?1 AS INTEGER)",
                   n, "document", out, err);
}

int dg_store_file_get(dg_store *s, const char *sha256, json_t **out, dg_error *err)
{
    const char *params[] = {sha256};
    json_t *files = NULL, *docs = NULL;
    int rc = st_rows_json(s,
                          "SELECT id, name, partner, direction, size, created_at FROM files"
                          " WHERE sha256 = ?1 ORDER BY id",
                          params, 1, &files, err);
    if (!rc && json_array_size(files) == 0)
        rc = dg_error_set(err, DG_ENOTFOUND, "no archived file with SHA-256 '%s'", sha256);
    if (!rc)
        rc = st_rows_json(s,
                          "SELECT d.id, d.kind, d.position, d.outcome FROM documents d"
                          " JOIN files f ON f.id = d.file_id WHERE f.sha256 = ?1"
                          " ORDER BY d.position, d.id",
                          params, 1, &docs, err);
    if (rc) {
        json_decref(files);
        return rc;
    }
    *out = json_pack("{s:o, s:o}", "files", files, "documents", docs);
    return *out ? 0 : dg_error_set(err, DG_ENOMEM, "out of memory");
}

int dg_store_metrics_counts(dg_store *s, json_t **out, dg_error *err)
{
    json_t *files = NULL, *docs = NULL, *pos = NULL, *orders = NULL, *po_status = NULL;
    int64_t quarantined = 0, partial = 0;
    /* An acknowledgment's outcome is its counts ("accepted=1 ..."): one label value for all. */
    int rc = st_rows_json(s,
                          "SELECT direction, count(*) n FROM files GROUP BY direction"
                          " ORDER BY direction",
                          NULL, 0, &files, err);
    if (!rc)
        rc = st_rows_json(s,
                          "SELECT kind, CASE WHEN outcome LIKE 'accepted=%' THEN 'RECEIVED'"
                          " ELSE coalesce(outcome, '') END outcome, count(*) n FROM documents"
                          " GROUP BY 1, 2 ORDER BY 1, 2",
                          NULL, 0, &docs, err);
    if (!rc)
        rc = st_rows_json(s,
                          "SELECT " DG_STORE_PO_SHOWN_STATUS(
                              "supplier_pos") " status, count(*) n"
                                              " FROM supplier_pos GROUP BY 1 ORDER BY 1",
                          NULL, 0, &pos, err);
    if (!rc)
        rc = st_rows_json(s,
                          "SELECT po_status status, count(*) n FROM supplier_pos"
                          " GROUP BY po_status ORDER BY po_status",
                          NULL, 0, &po_status, err);
    if (!rc)
        rc =
            st_rows_json(s, "SELECT status, count(*) n FROM orders GROUP BY status ORDER BY status",
                         NULL, 0, &orders, err);
    if (!rc)
        rc = dg_store_quarantined_count(s, &quarantined, err);
    if (!rc)
        rc = st_count(s, "SELECT count(*) FROM pickups WHERE state = 'PARTIAL'", &partial,
                      "counting", err);
    if (rc) {
        json_decref(files);
        json_decref(docs);
        json_decref(pos);
        json_decref(orders);
        json_decref(po_status);
        return rc;
    }
    *out = json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:I}", "files", files, "documents", docs,
                     "pos", pos, "po_status", po_status, "orders", orders, "quarantined",
                     (json_int_t)quarantined, "partial", (json_int_t)partial);
    return *out ? 0 : dg_error_set(err, DG_ENOMEM, "out of memory");
}
