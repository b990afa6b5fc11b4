/* dropgate poll --once: one poll cycle over every partner (or one), then the outbox is sent;
 * for cron jobs and tests. The daemon (dropgate run) does the same on a schedule. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/log.h"
#include "gateway/gateway.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fputs(
        "usage: dropgate poll --once [--partner NAME] [--config FILE] [--no-wait] [--new-store]\n"
        "                          [--wait SECONDS]\n"
        "\n"
        "  --once          one cycle: suppliers (stock, ASNs, invoices, 997s), then storefronts\n"
        "                  (orders), then every outbox (POs, tracking, 997s)\n"
        "  --partner NAME  only this partner (its drops and its outbox)\n"
        "  --config FILE   main configuration (default $DROPGATE_CONFIG, else "
        "./etc/dropgate.yaml)\n"
        "  --no-wait       do not wait stable_seconds for a second look at files first seen now\n"
        "  --new-store     start on a new (missing or empty) state store although var/ holds an\n"
        "                  earlier store's files (refused otherwise: restore a backup instead)\n"
        "  --wait SECONDS  while the daemon runs ('dropgate run' holds the state store), the\n"
        "                  poll is asked of it (it runs the cycle between two of its polls and\n"
        "                  answers with the same summary and exit status); this long at most\n"
        "                  (default 300; the daemon's log has the details)\n"
        "exit status: 0 ok, 1 a partner could not be polled or sent to, 2 configuration or state\n"
        "store error, 3 the cycle ran but file(s) were quarantined (see 'dropgate status' and\n"
        "var/quarantine/PARTNER/*.reason.txt)\n",
        f);
}

static void print_stats(const dg_gw_stats *s)
{
    char line[1024];
    dg_gw_stats_format(s, line, sizeof line);
    printf("%s\n", line);
}

/* The daemon holds the store: it runs the cycle for us between two of its polls. */
static int ask_daemon(const dg_gw_config *cfg, const char *partner, long wait_s)
{
    int code = 2;
    char text[4096] = "";
    dg_error err = {0};
    int rc = dg_gw_request_poll(cfg, partner, wait_s, &code, text, sizeof text, &err);
    if (rc) {
        fprintf(stderr,
                "dropgate poll: the state store is locked by a running daemon and "
                "asking it failed: %s\n",
                err.msg);
        return rc == DG_ETIMEOUT ? 1 : 2;
    }
    fputs(text, stdout);
    return code;
}

int dg_cmd_poll(int argc, char **argv)
{
    static const struct option opts[] = {
        {"once", no_argument, 0, '1'},         {"partner", required_argument, 0, 'p'},
        {"config", required_argument, 0, 'c'}, {"no-wait", no_argument, 0, 'n'},
        {"new-store", no_argument, 0, 'N'},    {"wait", required_argument, 0, 'w'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *partner = NULL, *config = NULL;
    bool once = false, second_look = true, new_store = false;
    long wait_s = 300;
    char *end = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "p:c:h", opts, NULL)) != -1) {
        switch (c) {
        case '1': once = true; break;
        case 'p': partner = optarg; break;
        case 'c': config = optarg; break;
        case 'n': second_look = false; break;
        case 'N': new_store = true; break;
        case 'w':
            wait_s = strtol(optarg, &end, 10);
            if (wait_s <= 0 || *end) {
                fprintf(stderr, "dropgate poll: --wait: '%s' is not a number of seconds\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!once || optind != argc) {
        if (!once)
            fputs("dropgate poll: --once is required (the daemon is 'dropgate run')\n", stderr);
        usage(stderr);
        return 2;
    }
    dg_error err = {0};
    dg_gw_config *cfg = NULL;
    const char *path = dg_gw_config_path(config);
    int rc = dg_gw_config_load(path, NULL, &cfg, &err);
    if (rc) {
        fprintf(stderr, "dropgate poll: %s\n", err.msg);
        return 2;
    }
    cfg->new_store = new_store;
    if (partner && !dg_gw_config_partner(cfg, partner)) {
        fprintf(stderr, "dropgate poll: %s: no partner named '%s'\n", path, partner);
        dg_gw_config_free(cfg);
        return 2;
    }
    int lock = -1;
    dg_gw *g = NULL;
    if ((rc = dg_gw_lock(cfg->lock_base, &lock, &err)) == DG_ELOCKED) {
        rc = ask_daemon(cfg, partner, wait_s);
        dg_gw_config_free(cfg);
        return rc;
    }
    if (rc || (rc = dg_gw_open(cfg, &g, &err))) {
        fprintf(stderr, "dropgate poll: %s\n", err.msg);
        dg_gw_unlock(lock);
        dg_gw_config_free(cfg);
        return 2;
    }
    dg_gw_install_signals();
    rc = dg_gw_cycle(g, partner, second_look, &err);
    print_stats(dg_gw_get_stats(g));
    if (rc)
        fprintf(stderr, "dropgate poll: %s\n", err.msg);
    int code = dg_gw_poll_exit(rc, dg_gw_get_stats(g));
    dg_gw_close(g);
    dg_gw_unlock(lock);
    dg_gw_config_free(cfg);
    return code;
}
