/* The storefront status feed in the store: status_history rows a storefront has not been told
 * yet, read as canonical status updates (DG_DOC_STATUS), and their bookkeeping per channel
 * (PENDING -> QUEUED in the transaction of the outbox entry that carries them -> SENT). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/array.h"
#include "core/model.h"
#include "store/store_internal.h"

static char *col(dg_doc *d, dg_stmt *st, int i)
{
    const char *v = dg_stmt_text(st, i);
    return v && *v ? dg_arena_strdup(d->arena, v) : NULL;
}

static dg_dec qty(dg_stmt *st, int i)
{
    dg_dec q = {dg_stmt_int64(st, i), true};
    return q;
}

/* The lines an update is about: the line changed, else the PO's, else the order's. */
static int add_lines(dg_store *s, dg_doc *d, int64_t line_id, int64_t po_id, int64_t order_id,
                     dg_error *err)
{
    static const char sql[] =
        "SELECT l.line_number, l.retailer_sku, l.description, l.qty_ordered, l.qty_shipped,"
        " l.qty_cancelled, coalesce(l.supplier_status, l.status),"
        " CASE WHEN l.supplier_status IS NOT NULL THEN l.supplier_reason ELSE l.reason END,"
        " l.supplier, p.po_number FROM order_lines l"
        " LEFT JOIN supplier_pos p ON p.id = l.po_id"
        " WHERE (?1 > 0 AND l.id = ?1) OR (?1 = 0 AND ?2 > 0 AND l.po_id = ?2)"
        " OR (?1 = 0 AND ?2 = 0 AND l.order_id = ?3) ORDER BY l.line_no, l.id";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, line_id);
    dg_stmt_bind_int64(st, 2, po_id);
    dg_stmt_bind_int64(st, 3, order_id);
    while ((rc = dg_stmt_step(st)) == DG_DB_ROW) {
        dg_status_line *l = dg_status_add_line(d);
        l->line_number = col(d, st, 0);
        l->sku = col(d, st, 1);
        l->description = col(d, st, 2);
        l->quantity = qty(st, 3);
        l->quantity_shipped = qty(st, 4);
        l->quantity_cancelled = qty(st, 5);
        l->status = col(d, st, 6);
        l->reason = col(d, st, 7);
        l->supplier = col(d, st, 8);
        l->po_number = col(d, st, 9);
    }
    dg_stmt_reset(st);
    if (rc != DG_DB_DONE)
        return dg_store_fail(s, err, "reading the lines of a status update");
    /* an order its mapping could not read has no line: one without values keeps its row in a
     * line-by-line file (csv each: lines) */
    if (!d->u.status.n_lines)
        dg_status_add_line(d);
    return 0;
}

static void iso_time(int64_t at, char *out, size_t size)
{
    time_t t = (time_t)at;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

typedef struct head {
    int64_t id, order_id, po_id, line_id;
    dg_doc *doc;
} head;

static void heads_free(head *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dg_doc_free(h[i].doc);
    free(h);
}

/* Where the first page of a cycle starts: before the storefront's first row that channel has
 * not carried, found once through the push_state index (every waiting row visited once, no
 * sort; "|| ''": not through the storefront's whole history). *none when there is no such
 * row. */
static int first_waiting(dg_store *s, const char *storefront, dg_status_channel ch, int64_t *before,
                         bool *none, dg_error *err)
{
    static const char sql[] =
        "SELECT min(h.id) FROM status_history h JOIN orders o ON o.id = h.order_id"
        " WHERE h.push_state IN ('PENDING', 'QUEUED') AND (o.storefront || '') = ?1"
        " AND (CASE WHEN ?2 = 1 THEN h.hook_outbox_id ELSE h.outbox_id END) IS NULL";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, storefront);
    dg_stmt_bind_int64(st, 2, ch == DG_STATUS_HOOK);
    rc = dg_stmt_step(st);
    *none = rc != DG_DB_ROW || dg_stmt_column_null(st, 0);
    *before = *none ? 0 : dg_stmt_int64(st, 0) - 1;
    dg_stmt_reset(st);
    return rc == DG_DB_ROW ? 0 : dg_store_fail(s, err, "reading the status feed");
}

/* The rows themselves first (the statement is done before the lines are read). They are read
 * walking the table in id order from after_id and stop at max: a page costs the rows it passes,
 * not every row waiting (through the push_state or the storefront index and a sort, the pages
 * of one cycle cost the square of what waits). "|| ''" keeps the planner off those indexes. */
static int read_heads(dg_store *s, const char *storefront, dg_status_channel ch, int64_t after_id,
                      size_t max, head **out, size_t *n, dg_error *err)
{
    static const char sql[] =
        "SELECT h.id, h.order_id, coalesce(h.po_id, l.po_id, 0), coalesce(h.order_line_id, 0),"
        " h.at, h.what, h.from_status, h.to_status, h.cause, h.detail, o.order_number, o.status,"
        " o.fulfilment_status, p.po_number, p.supplier"
        " FROM status_history h JOIN orders o ON o.id = h.order_id"
        " LEFT JOIN order_lines l ON l.id = h.order_line_id"
        " LEFT JOIN supplier_pos p ON p.id = coalesce(h.po_id, l.po_id)"
        " WHERE h.id > ?4 AND (h.push_state || '') IN ('PENDING', 'QUEUED') AND (o.storefront || "
        "'') = ?1"
        " AND (CASE WHEN ?2 = 1 THEN h.hook_outbox_id ELSE h.outbox_id END) IS NULL"
        " ORDER BY h.id LIMIT ?3";
    *out = NULL;
    *n = 0;
    int rc = 0;
    if (after_id <= 0) { /* a cycle's first page */
        bool none = false;
        if ((rc = first_waiting(s, storefront, ch, &after_id, &none, err)) || none)
            return rc;
    }
    dg_stmt *st;
    if ((rc = dg_store_prepare(s, sql, &st, err)))
        return rc;
    dg_stmt_bind_text(st, 1, storefront);
    dg_stmt_bind_int64(st, 2, ch == DG_STATUS_HOOK);
    dg_stmt_bind_int64(st, 3, (int64_t)max);
    dg_stmt_bind_int64(st, 4, after_id);
    size_t cap = 0;
    bool nomem = false;
    while ((rc = dg_stmt_step(st)) == DG_DB_ROW) {
        head *grown = dg_array_slot(*out, sizeof *grown, *n, &cap, 32);
        if (!grown) {
            nomem = true;
            break;
        }
        *out = grown;
        head *h = &(*out)[(*n)++];
        h->id = dg_stmt_int64(st, 0);
        h->order_id = dg_stmt_int64(st, 1);
        h->po_id = dg_stmt_int64(st, 2);
        h->line_id = dg_stmt_int64(st, 3);
        dg_doc *d = h->doc = dg_doc_new(DG_DOC_STATUS);
        dg_status *u = &d->u.status;
        char at[32];
        iso_time(dg_stmt_int64(st, 4), at, sizeof at);
        u->update_id = dg_arena_printf(d->arena, "%lld", (long long)h->id);
        u->changed_at = dg_arena_strdup(d->arena, at);
        u->what = col(d, st, 5);
        u->previous_status = col(d, st, 6);
        u->status = col(d, st, 7);
        u->cause = col(d, st, 8);
        u->reason = col(d, st, 9);
        u->order_number = col(d, st, 10);
        u->order_status = col(d, st, 11);
        u->fulfilment_status = col(d, st, 12);
        u->po_number = col(d, st, 13);
        u->supplier = col(d, st, 14);
    }
    dg_stmt_reset(st);
    if (nomem || rc != DG_DB_DONE) {
        heads_free(*out, *n);
        *out = NULL;
        *n = 0;
        return nomem ? dg_error_set(err, DG_ENOMEM, "out of memory")
                     : dg_store_fail(s, err, "reading the status feed");
    }
    return 0;
}

int dg_store_status_updates(dg_store *s, const char *storefront, dg_status_channel ch,
                            int64_t after_id, size_t max, struct dg_doc ***docs, int64_t **ids,
                            size_t *n, dg_error *err)
{
    *docs = NULL;
    *ids = NULL;
    *n = 0;
    head *h = NULL;
    size_t k = 0;
    int rc = read_heads(s, storefront, ch, after_id, max, &h, &k, err);
    for (size_t i = 0; !rc && i < k; i++)
        /* an order-level update is about the whole order, not one PO */
        rc = add_lines(s, h[i].doc, h[i].line_id,
                       strcmp(h[i].doc->u.status.what ? h[i].doc->u.status.what : "", "order")
                           ? h[i].po_id
                           : 0,
                       h[i].order_id, err);
    if (!rc && k) {
        *docs = malloc(k * sizeof **docs);
        *ids = malloc(k * sizeof **ids);
        if (!*docs || !*ids) {
            free(*docs);
            free(*ids);
            *docs = NULL;
            *ids = NULL;
            rc = dg_error_set(err, DG_ENOMEM, "out of memory");
        }
    }
    if (rc) {
        heads_free(h, k);
        return rc;
    }
    for (size_t i = 0; i < k; i++) {
        (*docs)[i] = h[i].doc;
        (*ids)[i] = h[i].id;
    }
    free(h);
    *n = k;
    return 0;
}

int dg_store_status_queued(dg_store *s, const int64_t *ids, size_t n, dg_status_channel ch,
                           int64_t outbox_id, bool need_file, bool need_hook, dg_error *err)
{
    /* One statement per row: the channel's entry, and QUEUED once every channel the
     * storefront has carries it (the right-hand sides read the row as it was). */
    static const char sql[] =
        "UPDATE status_history SET"
        " outbox_id = CASE WHEN ?3 = 0 THEN ?2 ELSE outbox_id END,"
        " hook_outbox_id = CASE WHEN ?3 = 1 THEN ?2 ELSE hook_outbox_id END,"
        " push_state = CASE WHEN push_state = 'PENDING'"
        "  AND (?4 = 0 OR ?3 = 0 OR outbox_id IS NOT NULL)"
        "  AND (?5 = 0 OR ?3 = 1 OR hook_outbox_id IS NOT NULL) THEN 'QUEUED' ELSE push_state END"
        " WHERE id = ?1";
    for (size_t i = 0; i < n; i++) {
        dg_stmt *st;
        int rc = dg_store_prepare(s, sql, &st, err);
        if (rc)
            return rc;
        dg_stmt_bind_int64(st, 1, ids[i]);
        dg_stmt_bind_int64(st, 2, outbox_id);
        dg_stmt_bind_int64(st, 3, ch == DG_STATUS_HOOK);
        dg_stmt_bind_int64(st, 4, need_file);
        dg_stmt_bind_int64(st, 5, need_hook);
        rc = dg_stmt_step(st);
        dg_stmt_reset(st);
        if (rc != DG_DB_DONE)
            return dg_store_fail(s, err, "queueing a status update");
    }
    return 0;
}

int dg_store_status_outbox_sent(dg_store *s, int64_t outbox_id, dg_error *err)
{
    static const char hook[] =
        "UPDATE status_history SET webhook_done = 1 WHERE hook_outbox_id = ?1 AND webhook_done = 0";
    /* sent when no entry carrying the row is still unsent (this one is marked already); one
     * statement per channel, each found through its outbox index ("|| ''": not through the
     * push_state index, which would visit every QUEUED row on every mark) */
#define STATUS_SENT(col)                                                                           \
    "UPDATE status_history SET push_state = 'SENT'"                                                \
    " WHERE " col " = ?1 AND (push_state || '') = 'QUEUED'"                                        \
    " AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.state <> 'SENT'"                              \
    "  AND (x.id = status_history.outbox_id OR x.id = status_history.hook_outbox_id))"
    static const char sent_file[] = STATUS_SENT("outbox_id");
    static const char sent_hook[] = STATUS_SENT("hook_outbox_id");
#undef STATUS_SENT
    const char *const sqls[] = {hook, sent_file, sent_hook};
    for (size_t i = 0; i < 3; i++) {
        dg_stmt *st;
        int rc = dg_store_prepare(s, sqls[i], &st, err);
        if (rc)
            return rc;
        dg_stmt_bind_int64(st, 1, outbox_id);
        rc = dg_stmt_step(st);
        dg_stmt_reset(st);
        if (rc != DG_DB_DONE)
            return dg_store_fail(s, err, "marking status updates sent");
    }
    return 0;
}

int dg_store_status_feed_counts(dg_store *s, const char *storefront, int64_t *pending,
                                int64_t *queued, int64_t *sent, dg_error *err)
{
    static const char sql[] =
        "SELECT h.push_state, count(*) FROM status_history h JOIN orders o ON o.id = h.order_id"
        " WHERE h.push_state IS NOT NULL AND (?1 = '' OR o.storefront = ?1)"
        " GROUP BY h.push_state";
    *pending = *queued = *sent = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, storefront ? storefront : "");
    while ((rc = dg_stmt_step(st)) == DG_DB_ROW) {
        const char *state = dg_stmt_text(st, 0);
        int64_t k = dg_stmt_int64(st, 1);
        if (!strcmp(state, "PENDING"))
            *pending = k;
        else if (!strcmp(state, "QUEUED"))
            *queued = k;
        else
            *sent = k;
    }
    dg_stmt_reset(st);
    return rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "counting the status feed");
}
