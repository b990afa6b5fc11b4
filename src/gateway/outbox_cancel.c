/* Cancellations out: each request the flow has ready for a supplier (its PO sent) becomes one
 * file through the supplier's cancel_mapping (an X12 860, or its CSV), and each notice for a
 * storefront one file through the storefront's; both go through the outbox like POs, so a
 * crash and a retry send the same file under the same name, never a second request. */
#include <string.h>

#include "core/log.h"
#include "flow/flow.h"
#include "gateway/gw_internal.h"
#include "store/store.h"

static int record_request(dg_gw *g, void *ctx, const char *name, const char *sha, const char *path,
                          int64_t *outbox_id, dg_error *err)
{
    return dg_flow_cancel_queued(dg_gw_store(g), ctx, name, sha, path, outbox_id, err);
}

static int record_notice(dg_gw *g, void *ctx, const char *name, const char *sha, const char *path,
                         int64_t *outbox_id, dg_error *err)
{
    return dg_flow_cancel_notice_queued(dg_gw_store(g), ctx, name, sha, path, outbox_id, err);
}

/* A request or notice its mapping cannot write is logged and tried again next cycle. */
static int failed(dg_gw *g, const dg_gw_partner *p, const char *what, const char *ref, int rc,
                  const dg_error *e, dg_error *err)
{
    if (rc == DG_ESTATE || rc == DG_EIO || rc == DG_ELOCKED) { /* ELOCKED: lease lost */
        *err = *e;
        return rc;
    }
    g->stats.send_failed++;
    dg_log_error("partner=%s %s=%s outcome=render-failed error=%s reason=\"%s\" (tried again "
                 "next cycle)",
                 p->name, what, ref, dg_error_name(rc), e->msg);
    return 0;
}

static int render_requests(dg_gw *g, const dg_gw_partner *p, const dg_mapping *m, dg_error *err)
{
    dg_flow_cancel_out *cs = NULL;
    size_t n = 0;
    int rc = dg_flow_pending_cancels(g->store, p->name, dg_map_cancel_remaining(m), &cs, &n, err);
    for (size_t i = 0; !rc && i < n && !dg_gw_stop_requested; i++) {
        char base[160], name[256];
        snprintf(base, sizeof base, "CANCEL_%s", cs[i].number);
        dg_error e = {0};
        int qrc =
            gw_queue_doc(g, p, m, cs[i].doc, base, record_request, &cs[i], name, sizeof name, &e);
        if (qrc) {
            rc = failed(g, p, "cancel", cs[i].number, qrc, &e, err);
            continue;
        }
        g->stats.cancels_queued++;
        dg_log_info("partner=%s file=%s outcome=queued kind=cancel request=%s po=%s lines=%zu",
                    p->name, name, cs[i].number, cs[i].po_number, cs[i].doc->u.order.n_lines);
    }
    dg_flow_cancels_free(cs, n);
    return rc;
}

static int render_notices(dg_gw *g, const dg_gw_partner *p, const dg_mapping *m, dg_error *err)
{
    dg_flow_cancel_notice *ns = NULL;
    size_t n = 0;
    int rc = dg_flow_pending_cancel_notices(g->store, p->name, &ns, &n, err);
    for (size_t i = 0; !rc && i < n && !dg_gw_stop_requested; i++) {
        char base[160], name[256];
        snprintf(base, sizeof base, "CANCELLED_%s_%lld", ns[i].order_number, (long long)ns[i].id);
        dg_error e = {0};
        int qrc =
            gw_queue_doc(g, p, m, ns[i].doc, base, record_notice, &ns[i], name, sizeof name, &e);
        if (qrc) {
            rc = failed(g, p, "order", ns[i].order_number, qrc, &e, err);
            continue;
        }
        dg_log_info("partner=%s file=%s outcome=queued kind=cancel-notice order=%s lines=%zu",
                    p->name, name, ns[i].order_number, ns[i].doc->u.order.n_lines);
    }
    dg_flow_cancel_notices_free(ns, n);
    return rc;
}

int gw_render_cancels(dg_gw *g, const dg_gw_partner *p, dg_error *err)
{
    const dg_mapping *m = NULL;
    int rc = gw_mapping(g, p->out.cancel_mapping, &m, err);
    if (rc)
        return rc == DG_ESTATE ? rc : DG_ECONFIG;
    if (dg_map_doc_kind(m) != DG_DOC_CANCEL)
        return dg_error_set(err, DG_ECONFIG,
                            "%s: cancel_mapping %s writes %s documents, not cancel", p->name,
                            p->out.cancel_mapping, dg_doc_kind_name(dg_map_doc_kind(m)));
    return p->role == DG_ROLE_SUPPLIER ? render_requests(g, p, m, err)
                                       : render_notices(g, p, m, err);
}
