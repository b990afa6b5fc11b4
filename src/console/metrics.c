/* /metrics in the Prometheus text exposition format (0.0.4): what came in and went out, the
 * documents by kind and outcome, files set aside, orders and POs by status, POs overdue for an
 * acknowledgment, and each partner's polls (duration histogram, last success). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "console/console.h"
#include "flow/flow.h"
#include "store/store.h"

static void head(dg_buf *b, const char *name, const char *type, const char *help)
{
    dg_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped, as the format asks. */
static void label(dg_buf *b, const char *v)
{
    for (const char *p = v ? v : ""; *p; p++) {
        if (*p == '\\' || *p == '"')
            dg_buf_putc(b, '\\');
        if (*p == '\n')
            dg_buf_puts(b, "\\n");
        else
            dg_buf_putc(b, *p);
    }
}

/* One sample per row of rows: name{l1="row[k1]"[,l2="row[k2]"]} row[value]. */
static void samples(dg_buf *b, const char *name, json_t *rows, const char *l1, const char *k1,
                    const char *l2, const char *k2, const char *value)
{
    size_t i;
    json_t *o;
    json_array_foreach(rows, i, o)
    {
        dg_buf_printf(b, "%s{%s=\"", name, l1);
        label(b, json_string_value(json_object_get(o, k1)));
        if (l2) {
            dg_buf_printf(b, "\",%s=\"", l2);
            label(b, json_string_value(json_object_get(o, k2)));
        }
        dg_buf_printf(b, "\"} %lld\n", (long long)json_integer_value(json_object_get(o, value)));
    }
}

static void poll_metrics(dg_buf *b, json_t *stats, json_t *hist)
{
    head(b, "dropgate_poll_duration_seconds", "histogram", "Duration of a partner's poll.");
    size_t i;
    json_t *st;
    json_array_foreach(stats, i, st)
    {
        const char *partner = json_string_value(json_object_get(st, "partner"));
        for (size_t k = 0; k < dg_store_n_poll_buckets; k++) {
            long long n = 0;
            size_t j;
            json_t *h;
            json_array_foreach(hist, j, h)
            {
                if (!strcmp(json_string_value(json_object_get(h, "partner")), partner) &&
                    json_integer_value(json_object_get(h, "le_ms")) == dg_store_poll_buckets_ms[k])
                    n = json_integer_value(json_object_get(h, "count"));
            }
            dg_buf_puts(b, "dropgate_poll_duration_seconds_bucket{partner=\"");
            label(b, partner);
            dg_buf_printf(b, "\",le=\"%g\"} %lld\n", (double)dg_store_poll_buckets_ms[k] / 1000.0,
                          n);
        }
        long long polls = json_integer_value(json_object_get(st, "polls"));
        dg_buf_puts(b, "dropgate_poll_duration_seconds_bucket{partner=\"");
        label(b, partner);
        dg_buf_printf(b, "\",le=\"+Inf\"} %lld\n", polls);
        dg_buf_puts(b, "dropgate_poll_duration_seconds_sum{partner=\"");
        label(b, partner);
        dg_buf_printf(b, "\"} %.3f\n",
                      (double)json_integer_value(json_object_get(st, "sum_ms")) / 1000.0);
        dg_buf_puts(b, "dropgate_poll_duration_seconds_count{partner=\"");
        label(b, partner);
        dg_buf_printf(b, "\"} %lld\n", polls);
    }
    head(b, "dropgate_poll_failures_total", "counter", "Polls of a partner that failed.");
    samples(b, "dropgate_poll_failures_total", stats, "partner", "partner", NULL, NULL, "failures");
    head(b, "dropgate_last_successful_poll_timestamp_seconds", "gauge",
         "When a partner's last successful poll ended (Unix time; absent: never).");
    json_array_foreach(stats, i, st)
    {
        if (!json_object_get(st, "last_ok_at"))
            continue;
        dg_buf_puts(b, "dropgate_last_successful_poll_timestamp_seconds{partner=\"");
        label(b, json_string_value(json_object_get(st, "partner")));
        dg_buf_printf(b, "\"} %lld\n",
                      (long long)json_integer_value(json_object_get(st, "last_ok_at")));
    }
}

int dg_console_metrics(struct dg_store *s, const struct dg_flow_rules *r, int64_t now, dg_buf *b,
                       dg_error *err)
{
    json_t *c = NULL, *stats = NULL, *hist = NULL;
    dg_flow_overdue *od = NULL;
    size_t n_od = 0;
    int rc = dg_store_metrics_counts(s, &c, err);
    if (!rc)
        rc = dg_store_poll_stats(s, &stats, err);
    if (!rc)
        rc = dg_store_poll_histogram(s, &hist, err);
    if (!rc)
        rc = dg_flow_overdue_pos(s, r, now, &od, &n_od, err);
    if (rc) {
        json_decref(c);
        json_decref(stats);
        json_decref(hist);
        return rc;
    }
    head(b, "dropgate_files_total", "counter",
         "Files archived: in (received from partners), out (sent to partners).");
    samples(b, "dropgate_files_total", json_object_get(c, "files"), "direction", "direction", NULL,
            NULL, "n");
    head(b, "dropgate_documents_total", "counter", "Documents read, by kind and outcome.");
    samples(b, "dropgate_documents_total", json_object_get(c, "documents"), "kind", "kind",
            "outcome", "outcome", "n");
    head(b, "dropgate_files_quarantined", "gauge", "Received files quarantined (not applied).");
    dg_buf_printf(b, "dropgate_files_quarantined %lld\n",
                  (long long)json_integer_value(json_object_get(c, "quarantined")));
    head(b, "dropgate_files_partial", "gauge", "X12 files with some sets rejected.");
    dg_buf_printf(b, "dropgate_files_partial %lld\n",
                  (long long)json_integer_value(json_object_get(c, "partial")));
    head(b, "dropgate_orders", "gauge", "Storefront orders by status.");
    samples(b, "dropgate_orders", json_object_get(c, "orders"), "status", "status", NULL, NULL,
            "n");
    head(b, "dropgate_purchase_orders", "gauge",
         "Supplier POs by how their file travelled (QUEUED, SENT, ACCEPTED by a 997...).");
    samples(b, "dropgate_purchase_orders", json_object_get(c, "pos"), "status", "status", NULL,
            NULL, "n");
    head(b, "dropgate_purchase_orders_by_po_status", "gauge",
         "Supplier POs by the supplier order's status (AWAITING_CONFIRMATION ... COMPLETED).");
    samples(b, "dropgate_purchase_orders_by_po_status", json_object_get(c, "po_status"),
            "po_status", "status", NULL, NULL, "n");
    long acks = 0, asns = 0, sends = 0;
    for (size_t i = 0; i < n_od; i++) {
        acks += !strcmp(od[i].what, "ack");
        asns += !strcmp(od[i].what, "asn");
        sends += !strcmp(od[i].what, "send");
    }
    head(b, "dropgate_acks_overdue", "gauge",
         "POs sent without a 997/999 after their supplier's ack_after.");
    dg_buf_printf(b, "dropgate_acks_overdue %ld\n", acks);
    head(b, "dropgate_pos_overdue", "gauge", "Overdue POs by what they wait for.");
    dg_buf_printf(b, "dropgate_pos_overdue{waiting_for=\"ack\"} %ld\n", acks);
    dg_buf_printf(b, "dropgate_pos_overdue{waiting_for=\"asn\"} %ld\n", asns);
    dg_buf_printf(b, "dropgate_pos_overdue{waiting_for=\"send\"} %ld\n", sends);
    poll_metrics(b, stats, hist);
    free(od);
    json_decref(c);
    json_decref(stats);
    json_decref(hist);
    return 0;
}
