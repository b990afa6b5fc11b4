/* dropgate reprocess FILE-ID: runs a file received through a type: x12 drop again (from its
 * archived copy) with today's configuration; only the sets not yet applied are applied. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "gateway/gateway.h"

static void usage(FILE *f)
{
    fputs(
        "usage: dropgate reprocess FILE-ID [--config FILE]\n"
        "\n"
        "Routes the sets of an archived X12 file (received through a type: x12 drop) again, with\n"
        "today's configuration: sets already applied are skipped, so nothing is applied twice.\n"
        "FILE-ID is in the poll's 'outcome=partial file_id=N' line. No acknowledgment is sent.\n"
        "exit status: 0 every set applied, 1 some still rejected, 2 usage, configuration or "
        "state store error\n",
        f);
}

int dg_cmd_reprocess(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *config = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    char *end = NULL;
    long long id = optind + 1 == argc ? strtoll(argv[optind], &end, 10) : 0;
    if (id <= 0 || !end || *end) {
        usage(stderr);
        return 2;
    }
    dg_error err = {0};
    dg_gw_config *cfg = NULL;
    int rc = dg_gw_config_load(dg_gw_config_path(config), NULL, &cfg, &err);
    if (rc) {
        fprintf(stderr, "dropgate reprocess: %s\n", err.msg);
        return 2;
    }
    int lock = -1;
    dg_gw *g = NULL;
    if ((rc = dg_gw_lock(cfg->db_path, &lock, &err)) || (rc = dg_gw_open(cfg, &g, &err))) {
        fprintf(stderr, "dropgate reprocess: %s\n", err.msg);
        dg_gw_unlock(lock);
        dg_gw_config_free(cfg);
        return 2;
    }
    dg_gw_reprocess_result r;
    rc = dg_gw_reprocess_x12(g, (int64_t)id, &r, &err);
    if (rc && rc != DG_EVALID && rc != DG_EDUP)
        fprintf(stderr, "dropgate reprocess: %s\n", err.msg);
    else
        printf("file %lld: %ld set(s): %ld applied now, %ld applied before, %ld still rejected; "
               "state %s%s%s\n",
               id, r.sets, r.applied_now, r.applied_before, r.rejected, r.state,
               r.note[0] ? "; " : "", r.note);
    dg_gw_close(g);
    dg_gw_unlock(lock);
    dg_gw_config_free(cfg);
    if (rc && rc != DG_EVALID && rc != DG_EDUP)
        return 2;
    return rc || r.rejected ? 1 : 0;
}
