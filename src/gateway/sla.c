/* SLA events out: after each cycle the items overdue now are recorded once (store: sla_events)
 * and each new one is logged once and POSTed once to the alerts webhook (at least once: the
 * same Idempotency-Key on every retry), never again on the next poll. */
#include <string.h>

#include "core/log.h"
#include "flow/flow.h"
#include "gateway/gw_internal.h"
#include "store/store.h"

int dg_gw_sla_check(dg_gw *g, dg_error *err)
{
    /* Several instances: one checks at a time (under the "shared" lease), the others skip. */
    gw_lease *l = gw_lease_of(g, NULL, GW_LEASE_POLL);
    int rc = gw_lease_take(g, l, err);
    if (rc == DG_ELOCKED)
        return 0;
    if (rc)
        return rc;
    size_t added = 0;
    gw_lease_fence(g, l);
    rc = dg_flow_sla_record(g->store, g->rules, dg_store_now(g->store), &added, err);
    gw_lease_unfence(g);
    if (rc == DG_ELOCKED) {
        gw_lease_lost(g, l, err);
        return 0;
    }
    if (rc)
        return rc;
    dg_store_sla_event *ev = NULL;
    size_t n = 0;
    if ((rc = dg_store_sla_events(g->store, true, &ev, &n, err)))
        return rc;
    const dg_gw_config *cfg = g->cfg;
    for (size_t i = 0; !rc && i < n; i++) {
        if (cfg->alerts_url) {
            char key[64];
            snprintf(key, sizeof key, "dropgate-sla-%lld", (long long)ev[i].id);
            dg_error e = {0};
            if (dg_gw_webhook_post_key(cfg->alerts_url, cfg->alerts_secret, key,
                                       cfg->alerts_timeout_ms, ev[i].json, strlen(ev[i].json),
                                       &e)) {
                dg_log_warn("po=%s what=%s outcome=sla-webhook-failed reason=\"%s\" (retried next "
                            "cycle)",
                            ev[i].po_number, ev[i].what, e.msg);
                continue;
            }
        }
        if ((rc = dg_store_sla_event_done(g->store, ev[i].id, err)))
            break;
        g->stats.sla_events++;
        dg_log_warn("po=%s what=%s outcome=sla-overdue event=%s%s", ev[i].po_number, ev[i].what,
                    ev[i].json, cfg->alerts_url ? " notified=webhook" : "");
    }
    dg_store_sla_events_free(ev, n);
    return rc;
}
