/* dropgate run: the gateway daemon. Polls each partner on its schedule, sends the outbox after
 * each poll, holds the state store's lock, and on SIGTERM finishes the current file and exits 0. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "core/log.h"
#include "gateway/gateway.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fputs("usage: dropgate run [--config FILE] [--every SECONDS] [--cycles N] [--new-store]\n"
          "\n"
          "  --config FILE   main configuration (default $DROPGATE_CONFIG, else "
          "./etc/dropgate.yaml)\n"
          "  --every SECONDS poll every partner this often instead of its schedule (tests, demos)\n"
          "  --cycles N      stop after N partner polls (0, the default: run until SIGTERM)\n"
          "  --new-store     start on a new (missing or empty) state store although var/ holds an\n"
          "                  earlier store's files (refused otherwise: restore a backup instead)\n"
          "SIGTERM or SIGINT: the current file is finished, then dropgate exits with status 0.\n"
          "SIGHUP: the configuration is read again between two polls (a partner's new schedule,\n"
          "mappings, routing, catalog take effect); one that does not load is refused (logged)\n"
          "and the running one kept. 'dropgate poll --once' meanwhile asks this daemon to poll.\n"
          "exit status: 0 stopped cleanly, 2 configuration or lock error, or a state store that\n"
          "no retry can fix (corrupt, not a database). A partner that cannot be reached, a file\n"
          "that fails, a locked or full state store are logged and retried, never fatal.\n",
          f);
}

/* Sleeps until the next partner is due (200 ms when one is due now), 5 s at most (a request
 * whose signal was lost), and at most renew_ms (several instances: the leases are renewed
 * between naps); wakes at once on SIGTERM. */
static void nap(long due_s, long renew_ms)
{
    long ms = due_s > 0 ? (due_s > 5 ? 5 : due_s) * 1000 : 200;
    if (renew_ms > 0 && ms > renew_ms)
        ms = renew_ms;
    if (due_s > 0)
        dg_log_debug("outcome=sleeping wait=%ldms", ms);
    dg_gw_nap(ms);
}

/* A state store that is locked by another process or full (ESTATE) is waited out, not a reason
 * to stop: the daemon backs off (1 s doubling to 60 s) and polls again; a partner whose poll
 * failed is not marked done, so it is polled again first. Only a failure no retry can fix
 * (a corrupt file, not a database, a newer schema) ends the daemon with status 2. */
typedef struct backoff {
    long wait_s;
    long failures;
} backoff;

static bool store_failed(backoff *b, const char *partner, const dg_error *err)
{
    if (!dg_store_failure_retryable()) {
        dg_log_error("partner=%s outcome=stopping error=ESTATE reason=\"%s\" (a retry cannot fix "
                     "this)",
                     partner, err->msg);
        return false;
    }
    b->wait_s = b->wait_s ? (b->wait_s * 2 > 60 ? 60 : b->wait_s * 2) : 1;
    b->failures++;
    dg_log_error("partner=%s outcome=store-unavailable error=ESTATE reason=\"%s\" retry_in=%lds "
                 "failures=%ld",
                 partner, err->msg, b->wait_s, b->failures);
    return true;
}

static void store_ok(backoff *b)
{
    if (b->failures)
        dg_log_info("outcome=store-available after=%ld failure(s)", b->failures);
    b->wait_s = 0;
    b->failures = 0;
}

/* A store-wide step of the loop (re-routing, SLA checks), skipped while the store is down. A
 * store failure starts the back-off (logged under name, *store_down set) or, when no retry can
 * fix it, returns false: the daemon stops. Another failure is logged as outcome=<failed>. */
static bool store_step(int (*step)(dg_gw *, dg_error *), dg_gw *g, const char *name,
                       const char *failed, backoff *b, bool *store_down)
{
    if (*store_down || dg_gw_stop_requested)
        return true;
    dg_error err = {0};
    int rc = step(g, &err);
    if (rc == DG_ESTATE) {
        if (!store_failed(b, name, &err))
            return false;
        *store_down = true;
    } else if (rc) {
        dg_log_error("outcome=%s reason=\"%s\"", failed, err.msg);
    }
    return true;
}

/* What the daemon runs with; a reload (SIGHUP) replaces cfg, g and the schedule together. */
typedef struct daemon_state {
    const char *path; /* the main configuration file, read again on SIGHUP */
    long every;       /* --every override (0: the partners' schedules) */
    bool new_store;
    dg_gw_config *cfg;
    dg_gw *g;
    dg_gw_schedule s;
} daemon_state;

/* SIGHUP, between two polls (no file is in progress): the configuration is loaded again and, if
 * it loads, a gateway opened on it replaces the running one; a partner's next poll is the
 * earlier of the old plan and now + its new interval, so a shorter schedule takes effect at
 * once. A configuration that does not load is refused and the running one kept. */
static void reload(daemon_state *d)
{
    dg_gw_reload_requested = 0;
    dg_error err = {0};
    dg_gw_config *nc = NULL;
    dg_gw *ng = NULL;
    dg_gw_schedule ns = {0, NULL};
    int64_t now = (int64_t)time(NULL);
    int rc = dg_gw_config_load(d->path, NULL, &nc, &err);
    if (!rc && strcmp(nc->db_path, d->cfg->db_path) != 0)
        rc = dg_error_set(&err, DG_ECONFIG,
                          "state_dir changed (%s -> %s): restart the daemon to move to another "
                          "state store",
                          d->cfg->state_dir, nc->state_dir);
    if (!rc) {
        nc->new_store = d->new_store;
        for (size_t i = 0; d->every && i < nc->n_partners; i++)
            nc->partners[i].every_seconds = d->every;
        rc = dg_gw_open(nc, &ng, &err);
    }
    if (!rc)
        rc = dg_gw_schedule_init(&ns, nc, now) ? DG_ENOMEM : 0;
    if (rc) {
        dg_log_set_format(d->cfg->log_json ? DG_LOG_FORMAT_JSON : DG_LOG_FORMAT_TEXT);
        dg_log_error("outcome=reload-refused config=%s error=%s reason=\"%s\" (the running "
                     "configuration is kept)",
                     d->path, dg_error_name(rc), err.msg);
        dg_gw_close(ng);
        dg_gw_config_free(nc);
        return;
    }
    for (size_t i = 0; i < nc->n_partners; i++) {
        const char *name = nc->partners[i].name;
        int64_t planned =
            now + (nc->partners[i].every_seconds > 0 ? nc->partners[i].every_seconds : 60);
        ns.next_due[i] = now; /* a new partner: polled at once */
        for (size_t k = 0; k < d->cfg->n_partners; k++)
            if (!strcmp(d->cfg->partners[k].name, name))
                ns.next_due[i] = d->s.next_due[k] < planned ? d->s.next_due[k] : planned;
    }
    dg_gw_schedule_free(&d->s);
    dg_gw_close(d->g);
    dg_gw_config_free(d->cfg);
    d->s = ns;
    d->g = ng;
    d->cfg = nc;
    dg_log_info("outcome=reloaded config=%s partners=%zu", d->path, nc->n_partners);
}

static int loop(daemon_state *d, long cycles)
{
    if (dg_gw_schedule_init(&d->s, d->cfg, (int64_t)time(NULL)))
        return 2;
    long done = 0;
    int status = 0;
    backoff b = {0, 0};
    while (!dg_gw_stop_requested && (cycles <= 0 || done < cycles)) {
        if (b.wait_s > 0)
            dg_gw_nap(b.wait_s * 1000);
        if (dg_gw_stop_requested)
            break;
        if (dg_gw_reload_requested)
            reload(d);
        /* A manual poll (dropgate poll --once) waiting for us; looked for after every sleep. */
        dg_gw_wake_requested = 0;
        dg_gw_serve_requests(d->g);
        dg_gw_config *cfg = d->cfg;
        dg_gw *g = d->g;
        long wait = 0;
        long i = dg_gw_schedule_due(&d->s, (int64_t)time(NULL), &wait);
        if (i < 0) {
            /* Nothing due: the leases are renewed (several instances) and the nap ends in time
             * for the next renewal; a request whose signal was lost waits 5 s at most. */
            dg_error lerr = {0};
            if (dg_gw_leases_balance(g, &lerr))
                dg_log_warn("outcome=lease-balance-failed reason=\"%s\"", lerr.msg);
            nap(wait, (long)(dg_gw_lease_ms(g) / 3));
            continue;
        }
        const dg_gw_partner *p = &cfg->partners[i];
        dg_error err = {0};
        int rc = dg_gw_poll_partner(g, p, false, &err);
        bool store_down = false;
        if (rc == DG_ESTATE) {
            if (!store_failed(&b, p->name, &err)) {
                status = 2;
                break;
            }
            store_down = true;
        }
        /* Lines whose backorder ran out or that a 997 rejected get their new PO before the
         * outboxes go, as in a poll --once cycle. */
        if (!store_step(dg_gw_reroute_due, g, "reroute", "reroute-failed", &b, &store_down)) {
            status = 2;
            break;
        }
        /* What the poll produced leaves at once: POs after orders, tracking after ASNs. Other
         * partners' outboxes are tried even after a failed poll: a full disk may still let
         * what was queued be sent once the store takes marks again. */
        for (size_t k = 0; k < cfg->n_partners && !dg_gw_stop_requested; k++) {
            dg_error serr = {0};
            rc = dg_gw_send_outbox(g, &cfg->partners[k], &serr);
            if (rc == DG_ESTATE) {
                if (!store_down && !store_failed(&b, cfg->partners[k].name, &serr)) {
                    status = 2;
                    break;
                }
                store_down = true;
                break; /* every outbox needs the store: wait before the next try */
            }
        }
        if (status)
            break;
        if (!store_step(dg_gw_sla_check, g, "sla", "sla-check-failed", &b, &store_down)) {
            status = 2;
            break;
        }
        if (!store_down && !dg_gw_stop_requested) { /* several instances: share the partners */
            dg_error lerr = {0};
            if ((rc = dg_gw_leases_balance(g, &lerr)))
                dg_log_warn("outcome=lease-balance-failed reason=\"%s\"", lerr.msg);
        }
        if (store_down)
            continue; /* not done: this partner is polled again after the back-off */
        store_ok(&b);
        dg_gw_schedule_done(&d->s, cfg, (size_t)i, (int64_t)time(NULL));
        done++;
    }
    dg_gw_schedule_free(&d->s);
    return status;
}

/* Opening the store (migrations, catalog) is retried like a poll while the store is locked or
 * full; SIGTERM ends the wait. */
static int open_gateway(dg_gw_config *cfg, dg_gw **g, dg_error *err)
{
    backoff b = {0, 0};
    for (;;) {
        int rc = dg_gw_open(cfg, g, err);
        if (rc != DG_ESTATE || !store_failed(&b, "-", err))
            return rc;
        if (!dg_gw_nap(b.wait_s * 1000))
            return rc;
    }
}

int dg_cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"every", required_argument, 0, 'e'},
        {"cycles", required_argument, 0, 'n'}, {"new-store", no_argument, 0, 'N'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *config = NULL;
    long every = 0, cycles = 0;
    bool new_store = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'e':
            if (dg_gw_parse_duration(optarg, &every) || every <= 0) {
                fprintf(stderr, "dropgate run: --every: '%s' is not a duration\n", optarg);
                return 2;
            }
            break;
        case 'n': cycles = strtol(optarg, NULL, 10); break;
        case 'N': new_store = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    dg_error err = {0};
    dg_gw_config *cfg = NULL;
    if (dg_gw_config_load(dg_gw_config_path(config), NULL, &cfg, &err)) {
        fprintf(stderr, "dropgate run: %s\n", err.msg);
        return 2;
    }
    cfg->new_store = new_store;
    for (size_t i = 0; every && i < cfg->n_partners; i++)
        cfg->partners[i].every_seconds = every;
    int lock = -1;
    dg_gw *g = NULL;
    dg_gw_install_signals(); /* before the open, whose retries SIGTERM must end */
    dg_gw_install_daemon_signals();
    if (dg_gw_lock(cfg->lock_base, &lock, &err) || open_gateway(cfg, &g, &err)) {
        fprintf(stderr, "dropgate run: %s\n", err.msg);
        dg_gw_unlock(lock);
        dg_gw_config_free(cfg);
        return 2;
    }
    dg_log_info("outcome=started partners=%zu state=%s pid=%ld instance=%s", cfg->n_partners,
                cfg->db_path, (long)getpid(), dg_gw_instance(g));
    for (size_t i = 0; i < cfg->n_partners; i++)
        if (cfg->partners[i].secret_missing)
            dg_log_error("partner=%s outcome=skipped reason=\"%s\" (the others go on; set it "
                         "and reload: kill -HUP %ld)",
                         cfg->partners[i].name, cfg->partners[i].secret_missing, (long)getpid());
    daemon_state d = {dg_gw_config_path(config), every, new_store, cfg, g, {0, NULL}};
    int status = loop(&d, cycles);
    dg_log_info("outcome=stopped signal=%s", dg_gw_stop_requested ? "yes" : "no");
    dg_gw_close(d.g);
    dg_gw_unlock(lock);
    dg_gw_config_free(d.cfg);
    return status;
}
