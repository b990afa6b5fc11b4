/* The storefront status feed: what became of a storefront's orders (an order FAILED or
 * PARTIALLY_CONVERTED and why, each supplier PO's and line's status, shipped and cancelled lines)
 * is sent once, in batches: each cycle the status_history rows a channel has not carried yet
 * become one file through the storefront's status mapping, and/or one webhook body through its
 * webhook_mapping. Both are outbox entries: rendered once, recorded with the rows they carry in
 * one transaction, then uploaded or POSTed and marked sent, so a crash or a retry sends the
 * same bytes under the same name (or Idempotency-Key) and never a second copy of an update. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "gateway/gw_internal.h"
#include "store/store.h"

/* Updates per file or POST; a cycle sends more batches when more are waiting. */
#define STATUS_BATCH 500

typedef struct batch {
    const dg_gw_partner *p;
    dg_status_channel ch;
    const int64_t *ids;
    size_t n;
} batch;

static int record_batch(dg_gw *g, void *ctx, const char *name, const char *sha, const char *path,
                        int64_t *outbox_id, dg_error *err)
{
    batch *b = ctx;
    dg_store *s = dg_gw_store(g);
    char ref[64];
    snprintf(ref, sizeof ref, "%lld-%lld", (long long)b->ids[0], (long long)b->ids[b->n - 1]);
    bool existed = false;
    int rc = dg_store_outbox_add(s, b->p->name, b->ch == DG_STATUS_HOOK ? "status-hook" : "status",
                                 ref, name, sha, path, outbox_id, &existed, err);
    if (!rc && existed) /* the rows of a batch are carried once: a name is never taken twice */
        rc = dg_error_set(err, DG_EDUP, "status batch %s: outbox file name %s is already used", ref,
                          name);
    if (!rc)
        rc = dg_store_status_queued(s, b->ids, b->n, b->ch, *outbox_id,
                                    b->p->out.status_mapping != NULL,
                                    b->p->out.status_webhook_url != NULL, err);
    return rc;
}

static int load_mapping(dg_gw *g, const dg_gw_partner *p, const char *path, const char *key,
                        const dg_mapping **m, dg_error *err)
{
    int rc = gw_mapping(g, path, m, err);
    if (rc)
        return rc == DG_ESTATE ? rc : DG_ECONFIG;
    if (dg_map_doc_kind(*m) != DG_DOC_STATUS)
        return dg_error_set(err, DG_ECONFIG, "%s: status: %s %s writes %s documents, not status",
                            p->name, key, path, dg_doc_kind_name(dg_map_doc_kind(*m)));
    if (!strcmp(key, "webhook_mapping") && strcmp(dg_map_format(*m), "json"))
        return dg_error_set(err, DG_ECONFIG,
                            "%s: status: webhook_mapping %s writes %s; a webhook body is JSON",
                            p->name, path, dg_map_format(*m));
    return 0;
}

static void docs_free(dg_doc **docs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dg_doc_free(docs[i]);
    free(docs);
}

/* One batch of ch into the outbox; *n the updates it carries (0: none waiting). */
static int queue_batch(dg_gw *g, const dg_gw_partner *p, const dg_mapping *m, dg_status_channel ch,
                       int64_t *after, size_t *n, dg_error *err)
{
    dg_doc **docs = NULL;
    int64_t *ids = NULL;
    int rc = dg_store_status_updates(dg_gw_store(g), p->name, ch, *after, STATUS_BATCH, &docs, &ids,
                                     n, err);
    if (rc || *n == 0) {
        free(ids);
        return rc;
    }
    *after = ids[*n - 1]; /* the next page starts after this one */
    /* STATUS_<first>-<last>: the rows' ids name the batch, so its name is its content's */
    char base[96], name[256];
    snprintf(base, sizeof base, "STATUS%s_%lld-%lld", ch == DG_STATUS_HOOK ? "_HOOK" : "",
             (long long)ids[0], (long long)ids[*n - 1]);
    batch b = {p, ch, ids, *n};
    rc = gw_queue_docs(g, p, m, docs, *n, base, record_batch, &b, name, sizeof name, err);
    if (!rc)
        dg_log_info("partner=%s file=%s outcome=queued kind=%s updates=%zu first=%lld last=%lld",
                    p->name, name, ch == DG_STATUS_HOOK ? "status-hook" : "status", *n,
                    (long long)ids[0], (long long)ids[*n - 1]);
    docs_free(docs, *n);
    free(ids);
    return rc;
}

static int render_channel(dg_gw *g, const dg_gw_partner *p, dg_status_channel ch, dg_error *err)
{
    const char *path = ch == DG_STATUS_HOOK ? p->out.status_webhook_mapping : p->out.status_mapping;
    const char *key = ch == DG_STATUS_HOOK ? "webhook_mapping" : "mapping";
    const dg_mapping *m = NULL;
    int rc = load_mapping(g, p, path, key, &m, err);
    size_t n = STATUS_BATCH;
    int64_t after = 0;
    while (!rc && n == STATUS_BATCH && !dg_gw_stop_requested) {
        dg_error e = {0};
        int qrc = queue_batch(g, p, m, ch, &after, &n, &e);
        if (qrc == DG_ESTATE || qrc == DG_EIO || qrc == DG_ELOCKED) { /* ELOCKED: lease lost */
            *err = e;
            return qrc;
        }
        if (qrc) { /* the mapping cannot write the batch: nothing is queued, tried next cycle */
            g->stats.send_failed++;
            dg_log_error("partner=%s outcome=render-failed kind=status error=%s reason=\"%s\" "
                         "(tried again next cycle)",
                         p->name, dg_error_name(qrc), e.msg);
            return 0;
        }
    }
    return rc;
}

int gw_render_status(dg_gw *g, const dg_gw_partner *p, dg_error *err)
{
    int rc = 0;
    if (p->out.status_mapping)
        rc = render_channel(g, p, DG_STATUS_FILE, err);
    if (!rc && p->out.status_webhook_url) {
        if (p->secret_missing) /* never a POST without the secret the storefront checks */
            return dg_error_set(err, DG_EAUTH, "partner %s: status webhook skipped: %s", p->name,
                                p->secret_missing);
        rc = render_channel(g, p, DG_STATUS_HOOK, err);
    }
    return rc;
}

int gw_post_status_hook(dg_gw *g, const dg_gw_partner *p, const char *path, const char *name,
                        const char *sha, dg_error *err)
{
    (void)g;
    dg_buf body = DG_BUF_INIT;
    int rc = dg_fs_read_all(path, &body, err);
    if (rc) {
        dg_buf_free(&body);
        return rc;
    }
    /* one key per batch, the same on every retry: the receiver drops a repeat */
    char key[160];
    snprintf(key, sizeof key, "dropgate-%s-%.16s", name, sha ? sha : "");
    rc = dg_gw_webhook_post_key(p->out.status_webhook_url, p->out.status_webhook_secret, key,
                                p->out.status_webhook_timeout_ms, body.data ? body.data : "",
                                body.len, err);
    dg_buf_free(&body);
    return rc;
}
