/* Several gateway instances on one state store (issue 13): which partners this instance works
 * now. Each partner's inbound poll runs under its "poll:<partner>" lease, its outbox under
 * "send:<partner>", re-routing and SLA checks under "shared" (store/lease.c claims them).
 *
 * A lease is renewed while working (between files and uploads, and by every commit, which the
 * store fences with it), and runs out lease_seconds after the last renewal: a killed instance's
 * partners are taken over by another instance then. The one window left is the file in flight:
 * an upload that completed while its instance stalled past its lease may be sent again by the
 * instance that took over (README "Running several instances"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "gateway/gw_internal.h"
#include "store/store.h"

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (long)((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

/* host:pid:random - unique across machines and restarts (a reused pid gets another random). */
static void instance_id(char *out, size_t size)
{
    char host[64] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = 0;
    unsigned int r = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(&r, sizeof r, 1, f) != 1) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        r = (unsigned int)ts.tv_nsec ^ (unsigned int)getpid();
    }
    if (f)
        fclose(f);
    snprintf(out, size, "%s:%ld:%08x", host, (long)getpid(), r);
}

/* The work leases: poll and send per partner, then "shared"; after them the heartbeat. */
static size_t n_work(const dg_gw *g)
{
    return 2 * g->cfg->n_partners + 1;
}

static gw_lease *heartbeat(dg_gw *g)
{
    return &g->leases[n_work(g)];
}

/* The instance that used this state folder before (its id in <state_dir>/instance) is dead:
 * its lock on the folder is ours now. Its leases are given back at once, so a restarted
 * instance (or the one instance of a SQLite store) goes on without waiting for them to run
 * out. Then this instance's id is written there for the next. */
static void release_predecessor(dg_gw *g)
{
    char path[4096], tmp[4200], prev[160] = "";
    snprintf(path, sizeof path, "%s/instance", g->cfg->state_dir);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(prev, sizeof prev, f))
            prev[0] = 0;
        fclose(f);
        prev[strcspn(prev, "\r\n")] = 0;
    }
    /* The same process (host:pid:) is a reload: that gateway still runs, and gives its leases
     * back when it closes. */
    size_t own = (size_t)(strrchr(g->instance, ':') - g->instance) + 1;
    if (!strncmp(prev, g->instance, own))
        prev[0] = 0;
    dg_error e = {0};
    if (prev[0] && dg_store_lease_release(g->store, NULL, prev, &e))
        dg_log_warn("instance=%s outcome=lease-release-failed previous=%s reason=\"%s\"",
                    g->instance, prev, e.msg);
    else if (prev[0])
        dg_log_debug("instance=%s outcome=predecessor-leases-released previous=%s", g->instance,
                     prev);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if ((f = fopen(tmp, "w"))) {
        fprintf(f, "%s\n", g->instance);
        if (fclose(f) == 0)
            rename(tmp, path);
    }
}

int gw_leases_init(dg_gw *g, dg_error *err)
{
    const dg_gw_config *cfg = g->cfg;
    instance_id(g->instance, sizeof g->instance);
    g->lease_ms = (int64_t)cfg->lease_seconds * 1000;
    const char *env = getenv("DG_LEASE_MS"); /* tests: leases of a second or less */
    if (env && *env && atol(env) > 0)
        g->lease_ms = atol(env);
    if (!(g->leases = calloc(n_work(g) + 1, sizeof *g->leases)))
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    for (size_t i = 0; i < cfg->n_partners; i++) {
        snprintf(g->leases[2 * i].name, sizeof g->leases[0].name, "poll:%s", cfg->partners[i].name);
        snprintf(g->leases[2 * i + 1].name, sizeof g->leases[0].name, "send:%s",
                 cfg->partners[i].name);
    }
    snprintf(g->leases[n_work(g) - 1].name, sizeof g->leases[0].name, "shared");
    snprintf(heartbeat(g)->name, sizeof g->leases[0].name, "instance:%s", g->instance);
    release_predecessor(g);
    return 0;
}

void gw_leases_release(dg_gw *g)
{
    if (!g->leases)
        return;
    bool any = false;
    for (size_t i = 0; i <= n_work(g); i++)
        any |= g->leases[i].held;
    dg_error e = {0};
    if (any && g->store) {
        dg_store_fence(g->store, NULL, NULL, 0);
        if (dg_store_lease_release(g->store, NULL, g->instance, &e))
            dg_log_warn("instance=%s outcome=lease-release-failed reason=\"%s\" (they run out "
                        "after %lld ms)",
                        g->instance, e.msg, (long long)g->lease_ms);
        else
            dg_log_debug("instance=%s outcome=leases-released", g->instance);
    }
    free(g->leases);
    g->leases = NULL;
}

const char *dg_gw_instance(const dg_gw *g)
{
    return g->instance;
}

int64_t dg_gw_lease_ms(const dg_gw *g)
{
    return g->lease_ms;
}

gw_lease *gw_lease_of(dg_gw *g, const dg_gw_partner *p, gw_lease_kind kind)
{
    if (!p)
        return &g->leases[n_work(g) - 1];
    return &g->leases[2 * gw_partner_index(g, p) + (kind == GW_LEASE_SEND ? 1 : 0)];
}

/* Still ours for sure: renewed less than a lease time ago (on our monotonic clock). */
static bool fresh(const dg_gw *g, const gw_lease *l)
{
    return l->held && elapsed_ms(&l->renewed) < g->lease_ms;
}

static size_t n_held(dg_gw *g)
{
    size_t n = 0;
    for (size_t i = 0; i < n_work(g); i++)
        n += fresh(g, &g->leases[i]);
    return n;
}

static size_t fair_share(const dg_gw *g)
{
    size_t live = g->live > 1 ? (size_t)g->live : 1;
    return (n_work(g) + live - 1) / live;
}

static int claim(dg_gw *g, gw_lease *l, dg_error *err)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    dg_lease_claim c;
    int rc = dg_store_lease_claim(g->store, l->name, g->instance, g->lease_ms, &c, err);
    if (rc)
        return rc;
    if (c.won) {
        if (!l->held && c.previous[0])
            dg_log_info("lease=%s outcome=lease-taken-over from=%s instance=%s", l->name,
                        c.previous, g->instance);
        else if (!l->held)
            dg_log_debug("lease=%s outcome=lease-claimed instance=%s", l->name, g->instance);
        l->held = true;
        l->renewed = t0;
        return 0;
    }
    if (fresh(g, l))
        dg_log_warn("lease=%s outcome=lease-lost holder=%s instance=%s (this instance stalled "
                    "past its lease; the other one works it now)",
                    l->name, c.holder, g->instance);
    else
        dg_log_debug("lease=%s outcome=skipped holder=%s expires_in_ms=%lld", l->name, c.holder,
                     (long long)c.expires_in_ms);
    l->held = false;
    return dg_error_set(err, DG_ELOCKED, "lease %s is held by %s", l->name, c.holder);
}

/* The heartbeat and the count of live instances, at most every third of a lease time. */
static int refresh_live(dg_gw *g, dg_error *err)
{
    gw_lease *hb = heartbeat(g);
    if (g->live > 0 && hb->held && elapsed_ms(&hb->renewed) < g->lease_ms / 3)
        return 0;
    int rc = claim(g, hb, err);
    if (!rc)
        rc = dg_store_lease_live_instances(g->store, &g->live, err);
    return rc;
}

int gw_lease_take(dg_gw *g, gw_lease *l, dg_error *err)
{
    /* Renewed a third of the lease time ago or less: still ours, whatever the other clocks
     * say (the expiry was set lease_ms after that renewal on the database's clock). */
    if (l->held && elapsed_ms(&l->renewed) < g->lease_ms / 3)
        return 0;
    if (!fresh(g, l)) { /* a new one: only within this instance's fair share */
        int rc = refresh_live(g, err);
        if (rc)
            return rc;
        if (n_held(g) >= fair_share(g)) {
            dg_log_debug("lease=%s outcome=skipped why=fair-share held=%zu live=%ld", l->name,
                         n_held(g), g->live);
            l->held = false;
            return dg_error_set(err, DG_ELOCKED, "lease %s: this instance has its share", l->name);
        }
    }
    return claim(g, l, err);
}

int dg_gw_leases_balance(dg_gw *g, dg_error *err)
{
    int rc = refresh_live(g, err);
    if (rc)
        return rc;
    /* Every lease held is renewed here too, not only when its partner is worked: a partner
     * polled less often than the lease time stays with its instance (whose memory of the
     * drop's files - the stable-file check - is what lets a growing file be taken). */
    for (size_t i = 0; i < n_work(g); i++) {
        gw_lease *l = &g->leases[i];
        dg_error e = {0};
        if (fresh(g, l) && elapsed_ms(&l->renewed) >= g->lease_ms / 3 && (rc = claim(g, l, &e)) &&
            rc != DG_ELOCKED) {
            *err = e;
            return rc;
        }
    }
    size_t held = n_held(g), share = fair_share(g);
    for (size_t i = n_work(g); i-- > 0 && held > share;) {
        gw_lease *l = &g->leases[i];
        if (!fresh(g, l))
            continue;
        if ((rc = dg_store_lease_release(g->store, l->name, g->instance, err)))
            return rc;
        l->held = false;
        held--;
        dg_log_info("lease=%s outcome=lease-given-back instance=%s live=%ld share=%zu", l->name,
                    g->instance, g->live, share);
    }
    return 0;
}

void gw_lease_fence(dg_gw *g, const gw_lease *l)
{
    dg_store_fence(g->store, l->name, g->instance, g->lease_ms);
}

void gw_lease_unfence(dg_gw *g)
{
    dg_store_fence(g->store, NULL, NULL, 0);
}

void gw_lease_lost(dg_gw *g, gw_lease *l, const dg_error *why)
{
    l->held = false;
    dg_log_warn("lease=%s outcome=lease-lost instance=%s reason=\"%s\"", l->name, g->instance,
                why->msg);
}
