/* dropgate demo: the shipped dropship setup end to end on local folders. A fresh work folder
 * gets etc/, mappings/, edi/ and the sample drops; a cycle turns storefront orders into supplier
 * POs; the suppliers "answer" (ASNs, invoices, inventory, 997s); more cycles pass tracking back
 * and reconcile invoices; a summary says what happened and where to look. */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/log.h"
#include "flow/flow.h"
#include "gateway/gateway.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fputs("usage: dropgate demo [--dir DIR] [--source DIR] [--verbose]\n"
          "\n"
          "  --dir DIR     work folder (default ./dropgate-demo; a previous demo folder there is\n"
          "                replaced, any other non-empty folder is refused)\n"
          "  --source DIR  checkout holding samples/demo, etc/, mappings/, edi/ (default: found\n"
          "                from $DG_SOURCE_DIR, the binary's location or the current folder)\n"
          "  --verbose     log every event (one line per file and document)\n"
          "exit status: 0 the demo ran, 1 a step failed, 2 usage or setup error\n",
          f);
}

static int cycle(dg_gw *g, const char *title, dg_error *err)
{
    printf("== %s\n", title);
    fflush(stdout);
    return dg_gw_cycle(g, NULL, false, err);
}

/* Supplier acknowledgments and what was re-routed because of them (issue 11). */
static void print_reroutes(dg_store *s, const dg_gw_stats *st)
{
    dg_error err = {0};
    dg_store_reroute_row *rows = NULL;
    size_t n = 0;
    printf("PO acknowledgments:   %ld in\n", st->acknowledgments);
    if (dg_store_reroutes(s, &rows, &n, &err)) {
        printf("re-routed: %s\n", err.msg);
        return;
    }
    printf("lines re-routed:      %zu\n", n);
    for (size_t i = 0; i < n; i++)
        printf("  order %-8s %-10s %s %s (%s%s%s) -> %s PO %s\n", rows[i].order_number, rows[i].sku,
               rows[i].from_supplier, rows[i].why, rows[i].code,
               rows[i].promised_date[0] ? ", promised " : "", rows[i].promised_date,
               rows[i].to_supplier, rows[i].po_number);
    free(rows);
}

static void summary(dg_gw *g, const dg_gw_config *cfg, const char *dir)
{
    dg_store *s = dg_gw_store(g);
    dg_error err = {0};
    const dg_gw_stats *st = dg_gw_get_stats(g);
    dg_flow_order_row *orders = NULL;
    size_t n_orders = 0;
    printf("\n== Summary\n");
    if (dg_flow_report_orders(s, &orders, &n_orders, &err) == 0) {
        size_t conv = 0, part = 0, failed = 0;
        for (size_t i = 0; i < n_orders; i++) {
            const dg_flow_order_row *o = &orders[i];
            if (!strcmp(o->status, DG_ORDER_CONVERTED))
                conv++;
            else if (!strcmp(o->status, DG_ORDER_PARTIALLY_CONVERTED))
                part++;
            else
                failed++;
        }
        printf("orders placed:        %zu (%zu converted, %zu partially converted, %zu failed)\n",
               n_orders, conv, part, failed);
        for (size_t i = 0; i < n_orders; i++) {
            const dg_flow_order_row *o = &orders[i];
            char rev[32], cost[32], margin[32];
            dg_dec_format_fixed(o->revenue, 2, rev, sizeof rev);
            dg_dec_format_fixed(o->supplier_cost, 2, cost, sizeof cost);
            dg_dec_format_fixed(o->margin, 2, margin, sizeof margin);
            printf("  order %-8s %-20s lines %ld/%ld matched, %ld PO(s), %ld shipped; revenue "
                   "%s, cost %s, margin %s %s\n",
                   o->order_number, o->status, o->matched, o->lines, o->pos, o->pos_shipped, rev,
                   cost, margin, o->currency);
        }
    } else {
        printf("orders: %s\n", err.msg);
    }
    free(orders);
    printf("POs sent:             %ld\n", st->pos_sent);
    printf("997s in / out:        %ld / %ld\n", st->acks_in, st->acks_out);
    printf("ship notices in:      %ld\n", st->shipments);
    printf("tracking passed back: %ld file(s)%s\n", st->tracking_sent,
           st->webhooks_sent ? " + webhooks" : "");
    json_t *cc = json_object();
    if (cc && dg_store_cancel_counts(s, cc, &err) == 0) {
        json_int_t sent = json_integer_value(json_object_get(cc, "SENT")) +
                          json_integer_value(json_object_get(cc, "ANSWERED"));
        printf("cancellations:        %ld sent to suppliers (860 / CSV; %lld request(s) sent in "
               "all, %lld answered)\n",
               st->cancels_sent, (long long)sent,
               (long long)json_integer_value(json_object_get(cc, "ANSWERED")));
    }
    json_decref(cc);
    int64_t fp = 0, fq = 0, fs = 0;
    if (dg_store_status_feed_counts(s, NULL, &fp, &fq, &fs, &err) == 0)
        printf("status feed:          %lld update(s) sent to the storefront in %ld file(s) "
               "(%lld waiting)\n",
               (long long)fs, st->status_sent, (long long)(fp + fq));
    dg_flow_reconcile_row *inv = NULL;
    size_t n_inv = 0;
    if (dg_flow_report_reconcile(s, &inv, &n_inv, &err) == 0) {
        size_t matched = 0;
        for (size_t i = 0; i < n_inv; i++)
            matched += !strcmp(inv[i].outcome, "MATCHED");
        printf("invoices:             %zu matched, %zu flagged\n", matched, n_inv - matched);
        for (size_t i = 0; i < n_inv; i++)
            printf("  invoice %-10s %-10s PO %-14s %s%s%s\n", inv[i].invoice_number,
                   inv[i].supplier, inv[i].po_number, inv[i].outcome, inv[i].reasons[0] ? ": " : "",
                   inv[i].reasons);
    } else {
        printf("invoices: %s\n", err.msg);
    }
    free(inv);
    print_reroutes(s, st);
    printf("files quarantined:    %ld (see %s)\n", st->quarantined, cfg->quarantine_dir);
    printf("\nLook around:\n"
           "  %s/drops/<supplier>/...   what the suppliers received (POs) and sent\n"
           "  %s/drops/shopfront/tracking   tracking files for the storefront\n"
           "  %s/drops/shopfront/status     its status feed (each order, PO and line)\n"
           "  dropgate status --config %s/etc/dropgate.yaml\n"
           "  dropgate report reconcile --config %s/etc/dropgate.yaml\n",
           dir, dir, dir, dir, dir);
}

int dg_cmd_demo(int argc, char **argv)
{
    static const struct option opts[] = {{"dir", required_argument, 0, 'd'},
                                         {"source", required_argument, 0, 's'},
                                         {"verbose", no_argument, 0, 'v'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *dir = "dropgate-demo", *source_opt = NULL;
    bool verbose = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "d:s:vh", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 's': source_opt = optarg; break;
        case 'v': verbose = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    if (!verbose && !getenv("DG_LOG_LEVEL"))
        dg_log_set_level(DG_LOG_WARN);
    char source[2048];
    if (dg_gw_demo_find_source(source_opt, argv[0], source, sizeof source)) {
        fprintf(stderr, "dropgate demo: cannot find samples/demo; give --source (the checkout)\n");
        return 2;
    }
    dg_error err = {0};
    if (dg_gw_demo_setup(source, dir, &err)) {
        fprintf(stderr, "dropgate demo: %s\n", err.msg);
        return 2;
    }
    char real[4096], path[4200];
    if (!realpath(dir, real))
        snprintf(real, sizeof real, "%s", dir);
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", real);
    printf("dropgate demo in %s (from %s)\n", real, source);
    dg_gw_config *cfg = NULL;
    dg_gw *g = NULL;
    if (dg_gw_config_load(path, real, &cfg, &err) || dg_gw_open(cfg, &g, &err)) {
        fprintf(stderr, "dropgate demo: %s\n", err.msg);
        dg_gw_config_free(cfg);
        return 2;
    }
    int rc = cycle(g, "Cycle 1: inventory feeds in, storefront orders in, supplier POs out", &err);
    if (!rc) {
        printf("== The suppliers answer: 997s, ship notices, invoices\n");
        rc = dg_gw_demo_answer(source, real, &err);
    }
    if (!rc)
        rc = cycle(g, "Cycle 2: 997s, ASNs and invoices in, tracking out", &err);
    if (!rc)
        rc = cycle(g, "Cycle 3: nothing left but what is still pending", &err);
    if (!rc) {
        printf("== A late order: 2006\n");
        rc = dg_gw_demo_drop(source, "late-order", real, &err);
    }
    if (!rc)
        rc = cycle(g, "Cycle 4: order 2006 in, its PO out to northwind", &err);
    if (!rc) {
        printf("== northwind acknowledges 2006-NW (855): the line is backordered for weeks\n");
        rc = dg_gw_demo_drop(source, "late-answers", real, &err);
    }
    if (!rc)
        rc =
            cycle(g, "Cycle 5: the 855 in, the line re-routed, the new PO out to brightline", &err);
    if (rc)
        fprintf(stderr, "dropgate demo: %s\n", err.msg);
    summary(g, cfg, real);
    dg_gw_close(g);
    dg_gw_config_free(cfg);
    return rc ? 1 : 0;
}
