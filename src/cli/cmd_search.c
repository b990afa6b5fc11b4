/* dropgate search TEXT: every order, PO, shipment, invoice, document and file that carries a
 * business number, as a table for an operator or --json for scripts. */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_state.h"
#include "cli/commands.h"
#include "gateway/gateway.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fputs("usage: dropgate search TEXT [--config FILE] [--json]\n"
          "\n"
          "Finds every record carrying TEXT as a business number: orders (order number), supplier\n"
          "POs (PO number, their order's number, the ISA13/GS06/ST02 they were sent with),\n"
          "shipments (shipment id, tracking number, SSCC, PO number), invoices (invoice number,\n"
          "PO number), received documents (ISA13/GS06/ST02), files (name, or a SHA-256 prefix of\n"
          "8 or more hex digits; archived path shown) and outbox entries (file name). Control\n"
          "numbers match with or without leading zeros. 'dropgate show order|po ID' tells the\n"
          "whole story of one order or PO.\n"
          "exit status: 0 found, 1 nothing found, 2 usage, configuration or state store error\n",
          f);
}

static const char *str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static void print_hits(const dg_cli_state *st, json_t *hits)
{
    printf("%-9s %-28s %-12s %-16s %-20s %s\n", "KIND", "KEY", "PARTNER", "MATCHED", "STATUS",
           "AT");
    size_t i;
    json_t *h;
    json_array_foreach(hits, i, h)
    {
        char at[32], path[4096];
        printf("%-9s %-28s %-12s %-16s %-20s %s\n", str(h, "kind"), str(h, "key"),
               str(h, "partner"), str(h, "matched"), str(h, "status"),
               dg_cli_time(json_integer_value(json_object_get(h, "at")), at, sizeof at));
        if (!strcmp(str(h, "kind"), "file") &&
            dg_cli_archive_path(st, str(h, "sha256"), path, sizeof path))
            printf("          archived: %s\n", path);
        if (*str(h, "note"))
            printf("          note: %s\n", str(h, "note"));
    }
}

/* Adds the archived path to every file hit, for --json. */
static void add_paths(const dg_cli_state *st, json_t *hits)
{
    size_t i;
    json_t *h;
    json_array_foreach(hits, i, h)
    {
        char path[4096];
        if (!strcmp(str(h, "kind"), "file") &&
            dg_cli_archive_path(st, str(h, "sha256"), path, sizeof path))
            json_object_set_new(h, "archived_path", json_string(path));
    }
}

int dg_cmd_search(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"json", no_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *config = NULL;
    bool as_json = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'j': as_json = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1 || !*argv[optind]) {
        usage(stderr);
        return 2;
    }
    dg_error err = {0};
    dg_cli_state st;
    json_t *hits = NULL;
    int rc = dg_cli_state_open(config, &st, &err);
    if (!rc)
        rc = dg_store_search(st.store, argv[optind], &hits, &err);
    int status = 2;
    if (rc) {
        fprintf(stderr, "dropgate search: %s\n", err.msg);
    } else {
        size_t n = json_array_size(hits);
        if (as_json) {
            add_paths(&st, hits);
            char *text = json_dumps(hits, JSON_INDENT(2));
            printf("%s\n", text ? text : "[]");
            free(text);
        } else if (n) {
            print_hits(&st, hits);
        } else {
            fprintf(stderr, "dropgate search: nothing carries '%s'\n", argv[optind]);
        }
        status = n ? 0 : 1;
    }
    json_decref(hits);
    dg_cli_state_close(&st);
    return status;
}
