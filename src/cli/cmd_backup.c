/* dropgate backup FILE: an online copy of the state store (var/dropgate.db) taken while the
 * daemon runs; restore it by stopping the gateway and copying it back (README, "Backup"). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "flow/flow.h"
#include "gateway/gateway.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fputs("usage: dropgate backup [--config FILE] FILE\n"
          "\n"
          "Copies the state store (var/dropgate.db) to FILE from one consistent snapshot, without\n"
          "stopping a running gateway (SQLite online backup). FILE is written under a temporary\n"
          "name and renamed, so it is either a whole backup or absent. Copy var/archive and\n"
          "var/outbox after it (see README, \"Backup and restore\").\n"
          "exit status: 0 written, 2 configuration, store or I/O error\n",
          f);
}

int dg_cmd_backup(int argc, char **argv)
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
    if (argc - optind != 1) {
        usage(stderr);
        return 2;
    }
    const char *dest = argv[optind];
    dg_error err = {0};
    dg_gw_config *cfg = NULL;
    dg_store *s = NULL;
    dg_flow_rules *rules = NULL;
    int rc = dg_gw_config_load(dg_gw_config_path(config), NULL, &cfg, &err);
    if (!rc && cfg->store_pg) /* the online backup is SQLite's; the server has its own tools */
        rc = dg_error_set(&err, DG_EINVAL,
                          "the store is a PostgreSQL database: back it up with pg_dump (or the "
                          "server's continuous archiving)");
    if (!rc && !strcmp(dest, cfg->db_path))
        rc = dg_error_set(&err, DG_EINVAL, "%s is the store itself: back up to another file", dest);
    if (!rc)
        rc = dg_gw_open_store(cfg, &s, &rules, &err);
    if (!rc)
        rc = dg_store_backup(s, dest, &err);
    if (rc)
        fprintf(stderr, "dropgate backup: %s\n", err.msg);
    else
        printf("backup: %s -> %s\n", cfg->db_path, dest);
    dg_flow_rules_free(rules);
    dg_store_close(s);
    dg_gw_config_free(cfg);
    return rc ? 2 : 0;
}
