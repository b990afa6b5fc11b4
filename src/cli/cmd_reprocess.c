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
#include "gateway/gateway.h"

static void usage(FILE *f)
{
    fputs("usage: dropgate reprocess FILE-ID [--reason TEXT] [--by NAME] [--config FILE] [--json]\n"
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
          "name) and why (--reason). No acknowledgment is sent. Needs the state store's lock:\n"
          "stop the daemon first.\n"
          "exit status: 0 all applied, 1 some still rejected, 2 usage, no such file,\n"
          "configuration or state store error\n",
          f);
}

static json_t *result_json(int64_t id, const dg_gw_reprocess_result *r)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:s}", "file_id", (json_int_t)id, "state",
                     r->state ? r->state : "", "counts", r->x12 ? "sets" : "documents", "total",
                     (json_int_t)r->sets, "applied_now", (json_int_t)r->applied_now,
                     "applied_before", (json_int_t)r->applied_before, "rejected",
                     (json_int_t)r->rejected, "note", r->note);
}

int dg_cmd_reprocess(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'},  {"quarantined", no_argument, 0, 'q'},
        {"partner", required_argument, 0, 'p'}, {"reason", required_argument, 0, 'r'},
        {"by", required_argument, 0, 'b'},      {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    const char *config = NULL, *partner = NULL, *reason = NULL, *by = NULL;
    bool quarantined = false, as_json = false;
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
    if ((rc = dg_gw_lock(cfg->db_path, &lock, &err)) || (rc = dg_gw_open(cfg, &g, &err))) {
        fprintf(stderr, "dropgate reprocess: %s%s\n", err.msg,
                rc == DG_ELOCKED ? " (stop the daemon to reprocess)" : "");
        dg_gw_unlock(lock);
        dg_gw_config_free(cfg);
        return 2;
    }
    int64_t one = (int64_t)id, *ids = &one;
    size_t n = 1;
    if (quarantined && (rc = dg_gw_quarantined(g, partner, &ids, &n, &err))) {
        fprintf(stderr, "dropgate reprocess: %s\n", err.msg);
        n = 0;
        ids = NULL;
    }
    int status = rc ? 2 : 0;
    json_t *all = json_array();
    for (size_t i = 0; i < n && !dg_gw_stop_requested; i++) {
        dg_gw_reprocess_result r;
        dg_error e = {0};
        rc = dg_gw_reprocess(g, ids[i], actor, reason, &r, &e);
        if (rc) {
            fprintf(stderr, "dropgate reprocess: %s\n", e.msg);
            int s = rc == DG_EINVAL ? 1 : 2;
            status = s > status ? s : status;
            if (as_json)
                json_array_append_new(
                    all, json_pack("{s:I, s:s}", "file_id", (json_int_t)ids[i], "error", e.msg));
            continue;
        }
        if (r.rejected && status < 1)
            status = 1;
        if (as_json)
            json_array_append_new(all, result_json(ids[i], &r));
        else
            printf("file %lld: %ld %s: %ld applied now, %ld applied before, %ld still rejected; "
                   "state %s%s%s\n",
                   (long long)ids[i], r.sets, r.x12 ? "set(s)" : "document(s)", r.applied_now,
                   r.applied_before, r.rejected, r.state, r.note[0] ? "; " : "", r.note);
    }
    if (as_json) {
        char *text = json_dumps(quarantined ? all : json_array_get(all, 0),
                                JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", text ? text : "null");
        free(text);
    } else if (quarantined && n == 0 && !status) {
        printf("no quarantined file to reprocess%s%s\n", partner ? " for " : "",
               partner ? partner : "");
    }
    json_decref(all);
    if (ids != &one)
        free(ids);
    dg_gw_close(g);
    dg_gw_unlock(lock);
    dg_gw_config_free(cfg);
    return status;
}
