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

static void usage(FILE *f)
{
    fputs("usage: dropgate run [--config FILE] [--every SECONDS] [--cycles N]\n"
          "\n"
          "  --config FILE   main configuration (default $DROPGATE_CONFIG, else "
          "./etc/dropgate.yaml)\n"
          "  --every SECONDS poll every partner this often instead of its schedule (tests, demos)\n"
          "  --cycles N      stop after N partner polls (0, the default: run until SIGTERM)\n"
          "SIGTERM or SIGINT: the current file is finished, then dropgate exits with status 0.\n"
          "exit status: 0 stopped cleanly, 2 configuration, lock or state store error (a partner\n"
          "that cannot be reached or a file that fails is logged and retried, never fatal)\n",
          f);
}

/* Sleeps up to s seconds (200 ms when nothing is due yet), waking at once on SIGTERM. */
static void nap(long s)
{
    if (s > 0)
        dg_log_debug("outcome=sleeping wait=%lds", s);
    dg_gw_nap(s > 0 ? s * 1000 : 200);
}

static int loop(dg_gw *g, dg_gw_config *cfg, long cycles)
{
    dg_gw_schedule s;
    if (dg_gw_schedule_init(&s, cfg, (int64_t)time(NULL)))
        return 2;
    long done = 0;
    int status = 0;
    while (!dg_gw_stop_requested && (cycles <= 0 || done < cycles)) {
        long wait = 0;
        long i = dg_gw_schedule_due(&s, (int64_t)time(NULL), &wait);
        if (i < 0) {
            nap(wait);
            continue;
        }
        const dg_gw_partner *p = &cfg->partners[i];
        dg_error err = {0};
        int rc = dg_gw_poll_partner(g, p, false, &err);
        if (rc == DG_ESTATE) {
            dg_log_error("partner=%s outcome=stopping error=%s reason=\"%s\"", p->name,
                         dg_error_name(rc), err.msg);
            status = 2;
            break;
        }
        /* What the poll produced leaves at once: POs after orders, tracking after ASNs. */
        for (size_t k = 0; k < cfg->n_partners && !dg_gw_stop_requested; k++) {
            dg_error serr = {0};
            rc = dg_gw_send_outbox(g, &cfg->partners[k], &serr);
            if (rc == DG_ESTATE) {
                dg_log_error("partner=%s outcome=stopping error=%s reason=\"%s\"",
                             cfg->partners[k].name, dg_error_name(rc), serr.msg);
                status = 2;
                break;
            }
        }
        if (status)
            break;
        dg_gw_schedule_done(&s, cfg, (size_t)i, (int64_t)time(NULL));
        done++;
    }
    dg_gw_schedule_free(&s);
    return status;
}

int dg_cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"every", required_argument, 0, 'e'},
                                         {"cycles", required_argument, 0, 'n'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *config = NULL;
    long every = 0, cycles = 0;
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
    for (size_t i = 0; every && i < cfg->n_partners; i++)
        cfg->partners[i].every_seconds = every;
    int lock = -1;
    dg_gw *g = NULL;
    if (dg_gw_lock(cfg->db_path, &lock, &err) || dg_gw_open(cfg, &g, &err)) {
        fprintf(stderr, "dropgate run: %s\n", err.msg);
        dg_gw_unlock(lock);
        dg_gw_config_free(cfg);
        return 2;
    }
    dg_gw_install_signals();
    dg_log_info("outcome=started partners=%zu state=%s pid=%ld", cfg->n_partners, cfg->db_path,
                (long)getpid());
    int status = loop(g, cfg, cycles);
    dg_log_info("outcome=stopped signal=%s", dg_gw_stop_requested ? "yes" : "no");
    dg_gw_close(g);
    dg_gw_unlock(lock);
    dg_gw_config_free(cfg);
    return status;
}
