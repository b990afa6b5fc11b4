/* The running gateway: opens the state store and var/ folders, caches the partners' mappings
 * and transports, and runs a cycle (suppliers, then storefronts, then every outbox). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/log.h"
#include "flow/flow.h"
#include "gateway/gw_internal.h"
#include "store/store.h"

void (*dg_gw_test_hook)(const char *point, void *ctx);
void *dg_gw_test_hook_ctx;

/* DG_GW_TEST_PAUSE_AT="point=ms,..." pauses those points that long (the others
 * DG_GW_TEST_PAUSE_MS), so a test can kill the process inside one chosen window. */
static long pause_at(const char *point)
{
    const char *at = getenv("DG_GW_TEST_PAUSE_AT");
    size_t len = strlen(point);
    for (const char *p = at; p && *p;) {
        if (!strncmp(p, point, len) && p[len] == '=')
            return strtol(p + len + 1, NULL, 10);
        p = strchr(p, ',');
        p = p ? p + 1 : NULL;
    }
    return -1;
}

void gw_test_pause(const char *point)
{
    if (dg_gw_test_hook)
        dg_gw_test_hook(point, dg_gw_test_hook_ctx);
    static long ms = -1;
    if (ms < 0) {
        const char *v = getenv("DG_GW_TEST_PAUSE_MS");
        ms = v ? strtol(v, NULL, 10) : 0;
    }
    long here = pause_at(point);
    if (here < 0)
        here = ms;
    if (here <= 0)
        return;
    dg_log_debug("test-pause point=%s ms=%ld", point, here);
    struct timespec ts = {here / 1000, (here % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

const char *dg_gw_config_path(const char *opt)
{
    if (opt && *opt)
        return opt;
    const char *env = getenv("DROPGATE_CONFIG");
    if (env && *env)
        return env;
    return "etc/dropgate.yaml";
}

/* What partner files say that routing and the SLAs need: partners in test mode, SLAs. */
static int rules_from_partners(const dg_gw_config *cfg, struct dg_flow_rules *r, dg_error *err)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < cfg->n_partners; i++) {
        const dg_gw_partner *p = &cfg->partners[i];
        if (p->test)
            rc = dg_flow_rules_add_test_supplier(r, p->name, p->test_of, err);
        if (!rc && (p->sla_ack_997 >= 0 || p->sla_ack_855 >= 0 || p->sla_first_856 >= 0))
            rc = dg_flow_rules_set_sla(r, p->name, p->sla_ack_997, p->sla_ack_855, p->sla_first_856,
                                       err);
    }
    return rc;
}

int dg_gw_open_store(const dg_gw_config *cfg, struct dg_store **store, struct dg_flow_rules **rules,
                     dg_error *err)
{
    *store = NULL;
    *rules = NULL;
    if (dg_gw_store_is_new(cfg)) { /* an empty file would become a new store here */
        char example[4096];
        if (dg_gw_state_history(cfg, example, sizeof example))
            return dg_error_set(err, DG_ENOTFOUND,
                                "%s is %s, but %s holds the history of an earlier store (%s): "
                                "restore the store from a backup (see README)",
                                cfg->db_path, dg_fs_exists(cfg->db_path) ? "empty" : "missing",
                                cfg->state_dir, example);
        return dg_error_set(err, DG_ENOTFOUND,
                            "%s: no state store yet (run 'dropgate poll --once' or 'dropgate run')",
                            cfg->db_path);
    }
    int rc = dg_store_open(cfg->db_path, store, err);
    if (!rc && dg_fs_exists(cfg->routing_file))
        rc = dg_flow_rules_load(cfg->routing_file, rules, err);
    else if (!rc && !(*rules = dg_flow_rules_default()))
        rc = dg_error_set(err, DG_ENOMEM, "out of memory");
    if (!rc)
        rc = rules_from_partners(cfg, *rules, err);
    if (rc) {
        dg_flow_rules_free(*rules);
        *rules = NULL;
        dg_store_close(*store);
        *store = NULL;
    }
    return rc;
}

struct dg_store *dg_gw_store(dg_gw *g)
{
    return g->store;
}

int gw_store_open(dg_gw *g, dg_error *err)
{
    const dg_gw_config *cfg = g->cfg;
    int rc = dg_gw_check_store(cfg, err);
    if (rc)
        return rc;
    rc = dg_store_open(cfg->db_path, &g->store, err);
    if (rc)
        return rc;
    if (dg_fs_exists(cfg->routing_file))
        rc = dg_flow_rules_load(cfg->routing_file, &g->rules, err);
    else if (!(g->rules = dg_flow_rules_default()))
        rc = dg_error_set(err, DG_ENOMEM, "out of memory");
    if (!rc)
        rc = rules_from_partners(cfg, g->rules, err);
    if (rc)
        return rc;
    /* The catalog file is the source of truth: reloaded at every start. */
    if (dg_fs_exists(cfg->catalog_file)) {
        size_t rows = 0;
        if ((rc = dg_flow_catalog_load(g->store, cfg->catalog_file, &rows, err)))
            return rc;
        dg_log_debug("catalog=%s rows=%zu", cfg->catalog_file, rows);
    }
    return 0;
}

void gw_store_close(dg_gw *g)
{
    dg_flow_rules_free(g->rules);
    g->rules = NULL;
    dg_store_close(g->store);
    g->store = NULL;
}

/* Removes what an interrupted run left in spool/<partner>/. A spool file is only ever a scratch
 * copy: before its pickup is committed the file is still in the partner's drop, after it the
 * archive holds it. A process killed between the after-action and the unlink leaves it behind;
 * the spool is this instance's own (under its state folder, whose lock it holds; other instances
 * on the same PostgreSQL store have their own), so nothing else is using it now. */
static void spool_sweep(const char *spool_dir)
{
    DIR *top = opendir(spool_dir);
    if (!top)
        return;
    size_t removed = 0;
    struct dirent *pe;
    while ((pe = readdir(top))) {
        if (pe->d_name[0] == '.' && (!pe->d_name[1] || !strcmp(pe->d_name, "..")))
            continue;
        char dir[2048];
        snprintf(dir, sizeof dir, "%s/%s", spool_dir, pe->d_name);
        DIR *d = opendir(dir);
        if (!d)
            continue;
        struct dirent *fe;
        while ((fe = readdir(d))) {
            char path[4096];
            struct stat st;
            snprintf(path, sizeof path, "%s/%s", dir, fe->d_name);
            if (!lstat(path, &st) && S_ISREG(st.st_mode) && !unlink(path))
                removed++;
        }
        closedir(d);
    }
    closedir(top);
    if (removed)
        dg_log_info("spool=%s outcome=swept files=%zu (left by an interrupted run)", spool_dir,
                    removed);
}

int dg_gw_open(const dg_gw_config *cfg, dg_gw **out, dg_error *err)
{
    *out = NULL;
    const char *dirs[] = {cfg->state_dir, cfg->spool_dir, cfg->archive_dir, cfg->quarantine_dir,
                          cfg->outbox_dir};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        int rc = dg_fs_mkdirs(dirs[i], err);
        if (rc)
            return rc;
    }
    spool_sweep(cfg->spool_dir);
    dg_gw *g = calloc(1, sizeof *g);
    if (!g)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    g->cfg = cfg;
    g->tr = calloc(cfg->n_partners + 1, sizeof *g->tr);
    g->looks = dg_gw_looks_new();
    if (!g->tr || !g->looks) {
        dg_gw_close(g);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    int rc = gw_store_open(g, err);
    if (!rc)
        rc = gw_leases_init(g, err);
    if (rc) {
        dg_gw_close(g);
        return rc;
    }
    *out = g;
    return 0;
}

void dg_gw_close(dg_gw *g)
{
    if (!g)
        return;
    for (size_t i = 0; g->tr && i < g->cfg->n_partners; i++)
        if (g->tr[i])
            dg_transport_close(g->tr[i]);
    free(g->tr);
    for (size_t i = 0; i < g->n_maps; i++) {
        free(g->maps[i].path);
        dg_map_free(g->maps[i].map);
    }
    free(g->maps);
    dg_gw_looks_free(g->looks);
    gw_ack_free(g);
    gw_leases_release(g); /* a clean stop: the others take this instance's partners at once */
    gw_store_close(g);
    free(g);
}

dg_gw_stats *dg_gw_get_stats(dg_gw *g)
{
    return &g->stats;
}

int gw_mapping(dg_gw *g, const char *path, const dg_mapping **out, dg_error *err)
{
    for (size_t i = 0; i < g->n_maps; i++)
        if (!strcmp(g->maps[i].path, path)) {
            *out = g->maps[i].map;
            return 0;
        }
    dg_mapping *m = NULL;
    int rc = dg_map_load(path, &m, err);
    if (rc)
        return rc;
    if (g->n_maps == g->cap_maps) {
        size_t cap = g->cap_maps ? g->cap_maps * 2 : 8;
        gw_map_cache *p = realloc(g->maps, cap * sizeof *p);
        if (!p)
            abort();
        g->maps = p;
        g->cap_maps = cap;
    }
    g->maps[g->n_maps].path = strdup(path);
    g->maps[g->n_maps].map = m;
    g->n_maps++;
    *out = m;
    return 0;
}

size_t gw_partner_index(const dg_gw *g, const dg_gw_partner *p)
{
    return (size_t)(p - g->cfg->partners);
}

int gw_transport(dg_gw *g, size_t partner, dg_transport **out, dg_error *err)
{
    if (!g->tr[partner]) {
        const dg_gw_partner *p = &g->cfg->partners[partner];
        if (p->secret_missing)
            return dg_error_set(err, DG_EAUTH, "partner %s: skipped: %s", p->name,
                                p->secret_missing);
        /* The spool copy need not be durable: what counts is the archive copy (fsync'd) made
         * before the pickup is recorded. */
        dg_transport_config tc = p->transport;
        tc.fetch_no_sync = true;
        int rc = dg_transport_open(&tc, &g->tr[partner], err);
        if (rc) {
            g->tr[partner] = NULL;
            return dg_error_prefix(err, "partner %s: ", p->name);
        }
    }
    *out = g->tr[partner];
    return 0;
}

void gw_transport_drop(dg_gw *g, size_t partner)
{
    if (g->tr[partner]) {
        dg_transport_close(g->tr[partner]);
        g->tr[partner] = NULL;
    }
}

static void keep_first(int *first, dg_error *err, int rc, const dg_error *e)
{
    if (rc && !*first) {
        *first = rc;
        *err = *e;
    }
}

int dg_gw_reroute_due(dg_gw *g, dg_error *err)
{
    gw_lease *shared = gw_lease_of(g, NULL, GW_LEASE_POLL);
    int rc = gw_lease_take(g, shared, err);
    if (rc == DG_ELOCKED)
        return 0; /* one instance re-routes at a time: another holds "shared" */
    if (rc)
        return rc;
    size_t moved = 0, ended = 0;
    gw_lease_fence(g, shared);
    rc = dg_flow_reroute_due(g->store, g->rules, dg_store_now(g->store), &moved, &ended, err);
    gw_lease_unfence(g);
    if (rc == DG_ELOCKED) {
        gw_lease_lost(g, shared, err);
        return 0;
    }
    g->stats.rerouted += (long)moved;
    g->stats.reroute_ended += (long)ended;
    if (moved || ended)
        dg_log_info("outcome=rerouted lines=%zu ended=%zu", moved, ended);
    return rc;
}

int dg_gw_cycle(dg_gw *g, const char *only, bool second_look, dg_error *err)
{
    const dg_gw_config *cfg = g->cfg;
    int first = 0;
    /* Suppliers first: fresh stock before routing, 997s and ASNs before the storefront's turn. */
    static const dg_gw_role order[] = {DG_ROLE_SUPPLIER, DG_ROLE_STOREFRONT};
    for (size_t r = 0; r < 2 && !dg_gw_stop_requested; r++)
        for (size_t i = 0; i < cfg->n_partners && !dg_gw_stop_requested; i++) {
            const dg_gw_partner *p = &cfg->partners[i];
            if (p->role != order[r] || (only && strcmp(only, p->name)))
                continue;
            dg_error e = {0};
            int rc = dg_gw_poll_partner(g, p, second_look, &e);
            keep_first(&first, err, rc, &e);
            if (rc == DG_ESTATE)
                return rc;
        }
    /* Lines a 997 rejected or whose backorder ran out go to the next supplier before the POs
     * are sent, so the new PO leaves in this cycle. */
    if (!dg_gw_stop_requested) {
        dg_error e = {0};
        int rc = dg_gw_reroute_due(g, &e);
        keep_first(&first, err, rc, &e);
        if (rc == DG_ESTATE)
            return rc;
    }
    for (size_t i = 0; i < cfg->n_partners && !dg_gw_stop_requested; i++) {
        const dg_gw_partner *p = &cfg->partners[i];
        if (only && strcmp(only, p->name))
            continue;
        dg_error e = {0};
        int rc = dg_gw_send_outbox(g, p, &e);
        keep_first(&first, err, rc, &e);
        if (rc == DG_ESTATE)
            return rc;
    }
    dg_error e = {0};
    int rc = dg_gw_sla_check(g, &e);
    keep_first(&first, err, rc, &e);
    if (rc != DG_ESTATE) { /* several instances: share the partners */
        rc = dg_gw_leases_balance(g, &e);
        keep_first(&first, err, rc, &e);
    }
    return rc == DG_ESTATE ? rc : first;
}
