/* SLAs: what a supplier owes us after a PO is sent (997, 855, first 856, per partner sla: or
 * routing.yaml), each overdue item recorded once as an event, and `report overdue`. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "flow/flow_internal.h"

static void iso(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (t <= 0 || !gmtime_r(&tt, &tm) || !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, size, "%s", "");
}

/* The moment an item fell due: sent (or created, for "send") + what was allowed. */
static int64_t due_at(const dg_flow_overdue *o, int64_t now)
{
    int64_t since = o->sent_at ? o->sent_at : now - o->age_seconds;
    return since + o->limit_seconds;
}

static json_t *event_json(const dg_flow_overdue *o, int64_t now)
{
    char sent[32], due[32], at[32];
    iso(o->sent_at, sent, sizeof sent);
    iso(due_at(o, now), due, sizeof due);
    iso(now, at, sizeof at);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "event", "sla_overdue",
                     "po_number", o->po_number, "supplier", o->supplier, "order_number",
                     o->order_number, "status", o->status, "what", o->what, "note", o->note,
                     "sent_at", sent, "due_at", due, "overdue_seconds",
                     (json_int_t)(now - due_at(o, now)));
}

int dg_flow_sla_record(dg_store *s, const dg_flow_rules *r, int64_t now, size_t *added,
                       dg_error *err)
{
    *added = 0;
    dg_flow_overdue *od = NULL;
    size_t n = 0;
    int rc = dg_flow_overdue_pos(s, r, now, &od, &n, err);
    if (rc || !n) {
        free(od);
        return rc;
    }
    if ((rc = dg_store_begin(s, err))) {
        free(od);
        return rc;
    }
    for (size_t i = 0; !rc && i < n; i++) {
        json_t *j = event_json(&od[i], now);
        char *text = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(j);
        bool is_new = false;
        rc = text ? dg_store_sla_event_add(s, od[i].po_number, od[i].what, text, &is_new, err)
                  : dg_error_set(err, DG_ENOMEM, "out of memory");
        free(text);
        *added += is_new;
    }
    free(od);
    if (rc) {
        dg_store_rollback(s);
        *added = 0;
        return rc;
    }
    return dg_store_commit(s, err);
}

/* Whether the event of (po, what) was recorded, and delivered. */
static const char *event_state(const dg_store_sla_event *ev, size_t n, const dg_flow_overdue *o)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(ev[i].po_number, o->po_number) && !strcmp(ev[i].what, o->what))
            return ev[i].webhook_done ? "notified" : "recorded";
    return "new";
}

static int overdue_rows(dg_store *s, const dg_flow_rules *r, int64_t now, json_t **out,
                        dg_error *err)
{
    dg_flow_overdue *od = NULL;
    dg_store_sla_event *ev = NULL;
    size_t n = 0, ne = 0;
    int rc = dg_flow_overdue_pos(s, r, now, &od, &n, err);
    if (!rc)
        rc = dg_store_sla_events(s, false, &ev, &ne, err);
    json_t *arr = rc ? NULL : json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *j = event_json(&od[i], now);
        json_object_del(j, "event");
        json_object_set_new(j, "event", json_string(event_state(ev, ne, &od[i])));
        json_array_append_new(arr, j);
    }
    free(od);
    dg_store_sla_events_free(ev, ne);
    if (!rc && !arr)
        rc = dg_error_set(err, DG_ENOMEM, "out of memory");
    *out = arr;
    return rc;
}

int dg_flow_report_overdue_json(dg_store *s, const dg_flow_rules *r, int64_t now, char **json,
                                dg_error *err)
{
    json_t *arr = NULL;
    int rc = overdue_rows(s, r, now, &arr, err);
    *json = rc ? NULL : json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(arr);
    return rc ? rc : *json ? 0 : dg_error_set(err, DG_ENOMEM, "out of memory");
}

int dg_flow_report_overdue_csv(dg_store *s, const dg_flow_rules *r, int64_t now, char **csv,
                               dg_error *err)
{
    static const char *const cols[] = {
        "po_number", "supplier", "order_number", "status",          "what",
        "note",      "sent_at",  "due_at",       "overdue_seconds", "event"};
    json_t *arr = NULL;
    int rc = overdue_rows(s, r, now, &arr, err);
    if (rc)
        return rc;
    dg_buf b = DG_BUF_INIT;
    size_t nc = sizeof cols / sizeof *cols;
    for (size_t k = 0; k < nc; k++)
        dg_buf_printf(&b, "%s%s", cols[k], k + 1 < nc ? "," : "\n");
    size_t i;
    json_t *row;
    json_array_foreach(arr, i, row)
    {
        for (size_t k = 0; k < nc; k++) {
            json_t *v = json_object_get(row, cols[k]);
            const char *t = json_string_value(v);
            if (json_is_integer(v))
                dg_buf_printf(&b, "%lld", (long long)json_integer_value(v));
            else if (t && strpbrk(t, ",\"\r\n")) {
                dg_buf_putc(&b, '"');
                for (; *t; t++) {
                    if (*t == '"')
                        dg_buf_putc(&b, '"');
                    dg_buf_putc(&b, *t);
                }
                dg_buf_putc(&b, '"');
            } else
                dg_buf_puts(&b, t ? t : "");
            dg_buf_putc(&b, k + 1 < nc ? ',' : '\n');
        }
    }
    json_decref(arr);
    *csv = dg_buf_take(&b);
    return *csv ? 0 : dg_error_set(err, DG_ENOMEM, "out of memory");
}
