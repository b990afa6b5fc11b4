/* Temporary stubs so the API links while the implementation lands. */
#include "flow/flow.h"

int dg_flow_rules_load(const char *path, dg_flow_rules **out, dg_error *err)
{
    (void)path;
    (void)out;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_rules_parse(const char *text, size_t len, const char *name, dg_flow_rules **out, dg_error *err)
{
    (void)text;
    (void)len;
    (void)name;
    (void)out;
    (void)err;
    return DG_EINVAL;
}

dg_flow_rules *dg_flow_rules_default(void)
{
    return NULL;
}

void dg_flow_rules_free(dg_flow_rules *r)
{
    (void)r;
}

int dg_flow_catalog_load(dg_store *s, const char *csv_path, size_t *rows, dg_error *err)
{
    (void)s;
    (void)csv_path;
    (void)rows;
    (void)err;
    return DG_EINVAL;
}

const char *dg_flow_outcome_name(dg_flow_outcome o)
{
    (void)o;
    return NULL;
}

int dg_flow_ingest_order(dg_store *s, const dg_flow_rules *r, const char *storefront, dg_doc *doc, int64_t file_id, dg_flow_order_result *res, dg_error *err)
{
    (void)s;
    (void)r;
    (void)storefront;
    (void)doc;
    (void)file_id;
    (void)res;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_pending_pos(dg_store *s, const char *supplier, dg_flow_po **pos, size_t *n, dg_error *err)
{
    (void)s;
    (void)supplier;
    (void)pos;
    (void)n;
    (void)err;
    return DG_EINVAL;
}

void dg_flow_pos_free(dg_flow_po *pos, size_t n)
{
    (void)pos;
    (void)n;
}

int dg_flow_po_queued(dg_store *s, const char *po_number, const char *file_name, const char *content_sha256, const char *local_path, const dg_flow_envelope *env, bool expect_ack, int64_t *outbox_id, dg_error *err)
{
    (void)s;
    (void)po_number;
    (void)file_name;
    (void)content_sha256;
    (void)local_path;
    (void)env;
    (void)expect_ack;
    (void)outbox_id;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_outbox_sent(dg_store *s, int64_t outbox_id, dg_error *err)
{
    (void)s;
    (void)outbox_id;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_po_sent(dg_store *s, const char *po_number, dg_error *err)
{
    (void)s;
    (void)po_number;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_ingest_stock(dg_store *s, const char *supplier, const dg_doc *doc, int64_t file_id, dg_flow_stock_result *res, dg_error *err)
{
    (void)s;
    (void)supplier;
    (void)doc;
    (void)file_id;
    (void)res;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_ingest_ack(dg_store *s, const char *supplier, const dg_flow_ack *ack, int64_t file_id, dg_flow_ack_result *res, dg_error *err)
{
    (void)s;
    (void)supplier;
    (void)ack;
    (void)file_id;
    (void)res;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_ingest_shipment(dg_store *s, const char *supplier, const dg_doc *doc, int64_t file_id, dg_flow_shipment_result *res, dg_error *err)
{
    (void)s;
    (void)supplier;
    (void)doc;
    (void)file_id;
    (void)res;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_pending_notifications(dg_store *s, const char *storefront, dg_flow_notification **out, size_t *n, dg_error *err)
{
    (void)s;
    (void)storefront;
    (void)out;
    (void)n;
    (void)err;
    return DG_EINVAL;
}

void dg_flow_notifications_free(dg_flow_notification *ns, size_t n)
{
    (void)ns;
    (void)n;
}

int dg_flow_notification_queued(dg_store *s, int64_t notification_id, const char *file_name, const char *content_sha256, const char *local_path, int64_t *outbox_id, dg_error *err)
{
    (void)s;
    (void)notification_id;
    (void)file_name;
    (void)content_sha256;
    (void)local_path;
    (void)outbox_id;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_notification_sent(dg_store *s, int64_t notification_id, dg_error *err)
{
    (void)s;
    (void)notification_id;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_pending_webhooks(dg_store *s, const char *storefront, dg_flow_notification **out, size_t *n, dg_error *err)
{
    (void)s;
    (void)storefront;
    (void)out;
    (void)n;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_webhook_done(dg_store *s, int64_t notification_id, dg_error *err)
{
    (void)s;
    (void)notification_id;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_ingest_invoice(dg_store *s, const dg_flow_rules *r, const char *supplier, const dg_doc *doc, int64_t file_id, dg_flow_invoice_result *res, dg_error *err)
{
    (void)s;
    (void)r;
    (void)supplier;
    (void)doc;
    (void)file_id;
    (void)res;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_ingest_doc(dg_store *s, const dg_flow_rules *r, const char *partner, bool storefront, dg_doc *doc, int64_t file_id, dg_flow_result *res, dg_error *err)
{
    (void)s;
    (void)r;
    (void)partner;
    (void)storefront;
    (void)doc;
    (void)file_id;
    (void)res;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_overdue_pos(dg_store *s, const dg_flow_rules *r, int64_t now, dg_flow_overdue **rows, size_t *n, dg_error *err)
{
    (void)s;
    (void)r;
    (void)now;
    (void)rows;
    (void)n;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_status_json(dg_store *s, const dg_flow_rules *r, int64_t now, char **json, dg_error *err)
{
    (void)s;
    (void)r;
    (void)now;
    (void)json;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_report_orders(dg_store *s, dg_flow_order_row **rows, size_t *n, dg_error *err)
{
    (void)s;
    (void)rows;
    (void)n;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_report_reconcile(dg_store *s, dg_flow_reconcile_row **rows, size_t *n, dg_error *err)
{
    (void)s;
    (void)rows;
    (void)n;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_report_orders_json(dg_store *s, char **json, dg_error *err)
{
    (void)s;
    (void)json;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_report_reconcile_json(dg_store *s, char **json, dg_error *err)
{
    (void)s;
    (void)json;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_report_orders_csv(dg_store *s, char **csv, dg_error *err)
{
    (void)s;
    (void)csv;
    (void)err;
    return DG_EINVAL;
}

int dg_flow_report_reconcile_csv(dg_store *s, char **csv, dg_error *err)
{
    (void)s;
    (void)csv;
    (void)err;
    return DG_EINVAL;
}
