/* dropgate report orders|reconcile: per-order revenue, cost, freight and margin, or the invoice
 * reconciliation (MATCHED / DISCREPANCY with every reason), as CSV (default) or JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/fs.h"
#include "flow/flow.h"
#include "gateway/gateway.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fputs("usage: dropgate report orders|reconcile|overdue [--format csv|json | --json] [-o FILE]\n"
          "                                       [--config FILE]\n"
          "\n"
          "  orders     one row per storefront order: status, lines matched, POs, revenue,\n"
          "             supplier cost, freight, margin, held POs, amendment attempts, and why\n"
          "             the order could not be placed (no ship-to, its file's mapping could not\n"
          "             complete it) or each line that was not placed failed (reasons)\n"
          "  reconcile  one row per supplier invoice: PO, outcome (MATCHED or DISCREPANCY),\n"
          "             amounts and every discrepancy reason\n"
          "  overdue    one row per item a supplier owes past its SLA (partner sla:, routing.yaml\n"
          "             ack_after/asn_after): PO, what (ack = 997, ack855, asn = first 856, send),\n"
          "             sent_at, due_at, overdue_seconds, event (new, recorded, notified)\n"
          "  -o FILE    write there (atomically) instead of standard output\n"
          "exit status: 0 ok, 2 usage, configuration or state store error\n",
          f);
}

int dg_cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"format", required_argument, 0, 'f'},
        {"output", required_argument, 0, 'o'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *config = NULL, *format = "csv", *out = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:f:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'f': format = optarg; break;
        case 'o': out = optarg; break;
        case 'j': format = "json"; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1 || (strcmp(format, "csv") && strcmp(format, "json"))) {
        usage(stderr);
        return 2;
    }
    const char *what = argv[optind];
    bool orders = !strcmp(what, "orders"), overdue = !strcmp(what, "overdue");
    if (!orders && !overdue && strcmp(what, "reconcile")) {
        fprintf(stderr, "dropgate report: '%s' is not orders, reconcile or overdue\n", what);
        return 2;
    }
    bool json = !strcmp(format, "json");
    dg_error err = {0};
    dg_gw_config *cfg = NULL;
    dg_store *s = NULL;
    dg_flow_rules *r = NULL;
    char *text = NULL;
    int rc = dg_gw_config_load(dg_gw_config_path(config), NULL, &cfg, &err);
    if (!rc)
        rc = dg_gw_open_store(cfg, &s, &r, &err);
    if (!rc && overdue)
        rc = json ? dg_flow_report_overdue_json(s, r, dg_store_now(s), &text, &err)
                  : dg_flow_report_overdue_csv(s, r, dg_store_now(s), &text, &err);
    else if (!rc)
        rc = orders ? (json ? dg_flow_report_orders_json(s, &text, &err)
                            : dg_flow_report_orders_csv(s, &text, &err))
                    : (json ? dg_flow_report_reconcile_json(s, &text, &err)
                            : dg_flow_report_reconcile_csv(s, &text, &err));
    if (!rc) {
        size_t len = strlen(text);
        if (out)
            rc = dg_fs_write_atomic(out, text, len, &err);
        else if (fwrite(text, 1, len, stdout) != len)
            rc = dg_error_set(&err, DG_EIO, "stdout: %s", strerror(errno));
    }
    if (rc)
        fprintf(stderr, "dropgate report: %s\n", err.msg);
    free(text);
    dg_flow_rules_free(r);
    dg_store_close(s);
    dg_gw_config_free(cfg);
    return rc ? 2 : 0;
}
