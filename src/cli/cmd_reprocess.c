/* dropgate reprocess FILE-ID|--quarantined: runs received files again (from their archived copies)
 * with today's configuration, after a mapping or configuration fix; nothing already applied is
 * applied twice, and each run is recorded as a child of the file (lineage) with who and why. */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/buf.h"
#include "gateway/gateway.h"

static void usage(FILE *f)
{
    fputs("usage: dropgate reprocess FILE-ID [--reason TEXT] [--by NAME] [--config FILE] [--json]\n"
          "                          [--wait SECONDS]\n"
          "       dropgate reprocess --quarantined [--partner NAME] [...]\n"
          "\n"
          "Runs a received file again from its archived copy, through the drop it came from, with\n"
          "today's configuration: after fixing the mapping, partner file, routing or catalog that\n"
          "made it fail. Quarantined, partial and processed files alike; nothing already applied\n"
          "is applied twice (X12 sets already applied are skipped; documents already recorded\n"
          "from the file are found, not placed again). A file that still fails stays as it was.\n"
          "--quarantined runs every quarantined file (of --partner NAME). FILE-ID is in 'dropgate\n"
          "status', 'dropgate search NAME' and the poll's outcome=partial lines. Each run is\n"
          "recorded as a child of the file (table reprocesses) with who (--by, else the login\n"
          "name) and why (--reason). No acknowledgment is sent. While the daemon runs, it is\n"
          "asked to run the reprocess between two of its polls (--wait SECONDS for its answer,\n"
          "default 300) and answers with the same output and exit status.\n"
          "exit status: 0 all applied, 1 some still rejected, 2 usage, no such file,\n"
          "configuration or state store error\n",
          f);
}

int dg_cmd_reprocess(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"quarantined", no_argument, 0, 'q'},
                                         {"partner", required_argument, 0, 'p'},
                                         {"reason", required_argument, 0, 'r'},
                                         {"by", required_argument, 0, 'b'},
                                         {"json", no_argument, 0, 'j'},
                                         {"wait", required_argument, 0, 'w'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *config = NULL, *partner = NULL, *reason = NULL, *by = NULL;
    bool quarantined = false, as_json = false;
    long wait_s = 300;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'q': quarantined = true; break;
        case 'p': partner = optarg; break;
        case 'r': reason = optarg; break;
        case 'b': by = optarg; break;
        case 'j': as_json = true; break;
        case 'w': wait_s = strtol(optarg, NULL, 10) > 0 ? strtol(optarg, NULL, 10) : 300; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    long long id = 0;
    if (!quarantined) {
        char *end = NULL;
        id = optind + 1 == argc ? strtoll(argv[optind], &end, 10) : 0;
        if (id <= 0 || !end || *end || partner) {
            usage(stderr);
            return 2;
        }
    } else if (optind != argc) {
        usage(stderr);
        return 2;
    }
    const char *actor = dg_cli_actor(by);
    dg_error err = {0};
    dg_gw_config *cfg = NULL;
    int rc = dg_gw_config_load(dg_gw_config_path(config), NULL, &cfg, &err);
    if (rc) {
        fprintf(stderr, "dropgate reprocess: %s\n", err.msg);
        return 2;
    }
    if (partner && !dg_gw_config_partner(cfg, partner)) {
        fprintf(stderr, "dropgate reprocess: no partner named '%s'\n", partner);
        dg_gw_config_free(cfg);
        return 2;
    }
    int lock = -1;
    dg_gw *g = NULL;
    if ((rc = dg_gw_lock(cfg->lock_base, &lock, &err)) == DG_ELOCKED) {
        /* The daemon holds the store: it runs the reprocess between two of its polls. */
        dg_gw_request rq = {"reprocess", partner, quarantined ? 0 : (int64_t)id,
                            actor,       reason,  as_json};
        static char out[1 << 16], errs[1 << 14];
        int code = 2;
        rc = dg_gw_request_send(cfg, &rq, wait_s, &code, out, sizeof out, errs, sizeof errs, &err);
        dg_gw_config_free(cfg);
        if (rc) {
            fprintf(stderr,
                    "dropgate reprocess: the state store is locked by a running daemon "
                    "and asking it failed: %s\n",
                    err.msg);
            return rc == DG_ETIMEOUT ? 1 : 2;
        }
        fputs(out, stdout);
        fputs(errs, stderr);
        return code;
    }
    if (rc || (rc = dg_gw_open(cfg, &g, &err))) {
        fprintf(stderr, "dropgate reprocess: %s\n", err.msg);
        dg_gw_unlock(lock);
        dg_gw_config_free(cfg);
        return 2;
    }
    dg_buf out = DG_BUF_INIT, errs = DG_BUF_INIT;
    int status = dg_gw_reprocess_report(g, quarantined ? 0 : (int64_t)id, partner, actor, reason,
                                        as_json, &out, &errs);
    fwrite(errs.data ? errs.data : "", 1, errs.len, stderr);
    fwrite(out.data ? out.data : "", 1, out.len, stdout);
    dg_buf_free(&out);
    dg_buf_free(&errs);
    dg_gw_close(g);
    dg_gw_unlock(lock);
    dg_gw_config_free(cfg);
    return status;
}
