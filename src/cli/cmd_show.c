/* dropgate show order|po ID: the whole story of one storefront order or supplier PO (files in
 * and out with their archived copies, statuses with times, 997/999, shipments, invoice match). */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_state.h"
#include "cli/commands.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fputs("usage: dropgate show order|po ID [--storefront NAME] [--config FILE] [--json]\n"
          "\n"
          "  po ID      a supplier PO: status and times (created, sent, 997/999, shipped), its\n"
          "             order, lines, the file(s) sent with attempts, 997/999 groups received,\n"
          "             shipments with tracking numbers, invoices with every open discrepancy\n"
          "  order ID   a storefront order: status, each line's outcome and reason, amendment\n"
          "             attempts, tracking files passed back, and the story of each of its POs\n"
          "Every file is shown with the path of its archived copy (var/archive/xx/SHA-256).\n"
          "  --storefront NAME  the storefront, when several have an order with that number\n"
          "exit status: 0 shown, 1 no such order or PO, 2 usage, configuration or state error\n",
          f);
}

static const char *str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (json_is_integer(v)) {
        static char num[8][32]; /* a ring: several numbers go into one printf */
        static int next;
        char *b = num[next++ % 8];
        snprintf(b, 32, "%lld", (long long)json_integer_value(v));
        return b;
    }
    const char *s = json_string_value(v);
    return s ? s : "";
}

static const char *when(json_t *o, const char *k)
{
    static char buf[4][32]; /* up to four times in one printf */
    static int next;
    char *b = buf[next++ % 4];
    return dg_cli_time(json_integer_value(json_object_get(o, k)), b, 32);
}

/* Adds archived_path next to every file_sha256, at any depth. */
static void add_paths(const dg_cli_state *st, json_t *v)
{
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) add_paths(st, e);
        return;
    }
    if (!json_is_object(v))
        return;
    const char *k;
    json_t *e;
    json_object_foreach(v, k, e) add_paths(st, e);
    char path[4096];
    if (dg_cli_archive_path(st, json_string_value(json_object_get(v, "file_sha256")), path,
                            sizeof path))
        json_object_set_new(v, "archived_path", json_string(path));
}

static void file_line(json_t *o)
{
    if (*str(o, "file_name"))
        printf("      file %s  archived: %s\n", str(o, "file_name"), str(o, "archived_path"));
}

static void print_ack(json_t *po)
{
    const char *status = str(po, "ack_status");
    if (*status)
        printf("  %-14s %s at %s%s%s\n", "997/999:", status, when(po, "ack_at"),
               *str(po, "ack_reason") ? ": " : "", str(po, "ack_reason"));
    else if (!strcmp(str(po, "po_status"), "CANCELLED"))
        printf("  %-14s none received; not awaited, the PO is cancelled\n", "997/999:");
    else if (json_integer_value(json_object_get(po, "expect_ack")))
        printf("  %-14s expected, not received\n", "997/999:");
    else
        printf("  %-14s not expected from this supplier\n", "997/999:");
}

/* The supplier's answer on a PO line (855): status, code, changed quantity/price, date. */
static void print_answer(json_t *o)
{
    if (!*str(o, "supplier_status"))
        return;
    printf("        supplier: %s", str(o, "supplier_status"));
    if (*str(o, "ack_code"))
        printf(" (%s)", str(o, "ack_code"));
    if (*str(o, "ack_qty"))
        printf(" qty %s", str(o, "ack_qty"));
    if (*str(o, "ack_price"))
        printf(" price %s", str(o, "ack_price"));
    if (*str(o, "promised_date"))
        printf(" promised %s", str(o, "promised_date"));
    if (*str(o, "supplier_reason"))
        printf(": %s", str(o, "supplier_reason"));
    printf("\n");
}

/* only: "order" shows the order's own rows (its POs show theirs), NULL every row */
static void print_history(json_t *v, const char *only)
{
    size_t i;
    json_t *h;
    printf("  status history:%s\n", json_array_size(json_object_get(v, "history")) ? "" : " none");
    json_array_foreach(json_object_get(v, "history"), i, h)
    {
        if (only && strcmp(str(h, "what"), only))
            continue;
        printf("    %s  %-5s %s%s%s %s -> %s  (%s%s%s)\n", when(h, "at"), str(h, "what"),
               str(h, "po_number"), *str(h, "sku") ? " " : "", str(h, "sku"),
               *str(h, "from_status") ? str(h, "from_status") : "-", str(h, "to_status"),
               str(h, "cause"), *str(h, "detail") ? ": " : "", str(h, "detail"));
        file_line(h);
    }
}

static void print_po(json_t *po, const char *indent)
{
    /* a cancelled PO says what its file did before (SENT, ACCEPTED ...) */
    bool differs =
        *str(po, "transport_status") && strcmp(str(po, "status"), str(po, "transport_status"));
    printf("%sPO %s  supplier %s  status %s%s%s%s\n", indent, str(po, "po_number"),
           str(po, "supplier"), str(po, "status"), differs ? " (its file: " : "",
           differs ? str(po, "transport_status") : "", differs ? ")" : "");
    printf("  %-14s %s at %s (%s)\n", "order:", str(po, "order_number"), str(po, "storefront"),
           str(po, "order_status"));
    printf("  %-14s %s since %s%s%s\n", "order status:", str(po, "po_status"),
           when(po, "po_status_at"), *str(po, "rerouted_from") ? "; re-routed from PO " : "",
           str(po, "rerouted_from"));
    printf("  %-14s %s %s\n", "total:", str(po, "total"), str(po, "currency"));
    printf("  %-14s %s\n", "created:", when(po, "created_at"));
    if (*str(po, "hold_reason"))
        printf("  %-14s since %s: %s\n", "HELD:", when(po, "held_at"), str(po, "hold_reason"));
    if (json_object_get(po, "op_hold_at"))
        printf("  %-14s by %s since %s: %s (dropgate release %s)\n",
               "HELD (operator):", str(po, "op_hold_by"), when(po, "op_hold_at"),
               str(po, "op_hold_reason"), str(po, "po_number"));
    json_t *acts = json_object_get(po, "actions");
    for (size_t i = 0; json_is_array(acts) && i < json_array_size(acts); i++) {
        json_t *a = json_array_get(acts, i);
        printf("  %-14s %s %s by %s%s%s%s%s\n", i ? "" : "operator:", when(a, "created_at"),
               str(a, "action"), str(a, "actor"), *str(a, "reason") ? ": " : "", str(a, "reason"),
               *str(a, "detail") ? " - " : "", str(a, "detail"));
    }
    printf("  %-14s %s", "sent:", when(po, "sent_at"));
    if (*str(po, "isa13"))
        printf("  ISA13 %s", str(po, "isa13"));
    if (*str(po, "gs06"))
        printf(" GS06 %s", str(po, "gs06"));
    if (*str(po, "st02"))
        printf(" ST02 %s", str(po, "st02"));
    printf("\n");
    print_ack(po);
    printf("  %-14s %s\n", "shipped:", when(po, "shipped_at"));
    size_t i;
    json_t *o;
    printf("  lines:\n");
    json_array_foreach(json_object_get(po, "lines"), i, o)
    {
        printf("    %-3s %-14s supplier sku %-12s qty %s shipped %s invoiced %s cost %s\n",
               str(o, "line_no"), str(o, "retailer_sku"), str(o, "supplier_sku"),
               str(o, "qty_ordered"), str(o, "qty_shipped"), str(o, "qty_invoiced"),
               str(o, "cost"));
        print_answer(o);
    }
    printf("  files sent:%s\n", json_array_size(json_object_get(po, "sent")) ? "" : " none");
    json_array_foreach(json_object_get(po, "sent"), i, o)
    {
        printf("    %s  %s at %s, %s attempt(s)%s%s\n", str(o, "file_name"), str(o, "state"),
               when(o, "sent_at"), str(o, "attempts"),
               *str(o, "last_error") ? "; last error: " : "", str(o, "last_error"));
        printf("      archived: %s\n", str(o, "archived_path"));
    }
    printf("  997/999 received:%s\n", json_array_size(json_object_get(po, "acks")) ? "" : " none");
    json_array_foreach(json_object_get(po, "acks"), i, o)
    {
        printf("    %s at %s\n", str(o, "outcome"), when(o, "created_at"));
        file_line(o);
    }
    printf("  shipments:%s\n", json_array_size(json_object_get(po, "shipments")) ? "" : " none");
    json_array_foreach(json_object_get(po, "shipments"), i, o)
    {
        printf("    %s shipped %s %s %s, tracking %s (received %s)\n", str(o, "shipment_ref"),
               str(o, "ship_date"), str(o, "carrier"), str(o, "service"), str(o, "tracking"),
               when(o, "created_at"));
        file_line(o);
    }
    printf("  invoices:%s\n", json_array_size(json_object_get(po, "invoices")) ? "" : " none");
    json_array_foreach(json_object_get(po, "invoices"), i, o)
    {
        printf("    %s %s total %s (received %s)%s%s\n", str(o, "invoice_number"),
               str(o, "outcome"), str(o, "total"), when(o, "created_at"),
               *str(o, "discrepancies") ? ": " : "", str(o, "discrepancies"));
        if (*str(o, "duplicate_of"))
            printf("      duplicate of %s\n", str(o, "duplicate_of"));
        file_line(o);
    }
    print_history(po, NULL);
}

static void print_order(json_t *o)
{
    printf("order %s  storefront %s  status %s\n", str(o, "order_number"), str(o, "storefront"),
           str(o, "status"));
    if (*str(o, "fulfilment_status"))
        printf("  %-14s %s\n", "fulfilment:", str(o, "fulfilment_status"));
    printf("  %-14s %s\n", "order date:", str(o, "order_date"));
    printf("  %-14s %s %s\n", "total:", str(o, "total"), str(o, "currency"));
    printf("  %-14s %s\n", "received:", when(o, "created_at"));
    printf("  %-14s %s of %s\n", "lines matched:", str(o, "lines_matched"), str(o, "lines_total"));
    if (*str(o, "file_name"))
        printf("  %-14s %s  archived: %s\n", "source file:", str(o, "file_name"),
               str(o, "archived_path"));
    size_t i;
    json_t *e;
    printf("  lines:\n");
    json_array_foreach(json_object_get(o, "lines"), i, e)
    {
        const char *sku = str(e, "retailer_sku"); /* a gift card has none: its description */
        printf("    %-3s %-14s qty %-4s %-20s", str(e, "line_no"),
               *sku ? sku : str(e, "description"), str(e, "qty_ordered"), str(e, "status"));
        if (*str(e, "po_number"))
            printf(" PO %s (%s %s)", str(e, "po_number"), str(e, "supplier"),
                   str(e, "supplier_sku"));
        if (*str(e, "reason"))
            printf(" reason: %s", str(e, "reason"));
        if (*str(e, "supplier_status"))
            printf(" supplier: %s%s%s", str(e, "supplier_status"),
                   *str(e, "supplier_reason") ? ": " : "", str(e, "supplier_reason"));
        printf("\n");
    }
    json_array_foreach(json_object_get(o, "amendments"), i, e) printf(
        "  amendment attempt at %s (not applied): %s\n", when(e, "created_at"), str(e, "changed"));
    printf("  tracking files:%s\n",
           json_array_size(json_object_get(o, "tracking_files")) ? "" : " none");
    json_array_foreach(json_object_get(o, "tracking_files"), i, e)
    {
        printf("    shipment %s: %s %s%s%s\n", str(e, "shipment_ref"), str(e, "state"),
               str(e, "file_name"), *str(e, "hold_reason") ? " HELD: " : "", str(e, "hold_reason"));
        if (*str(e, "archived_path"))
            printf("      archived: %s\n", str(e, "archived_path"));
    }
    print_history(o, "order");
    json_array_foreach(json_object_get(o, "pos"), i, e)
    {
        printf("\n");
        print_po(e, "");
    }
}

int dg_cmd_show(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"storefront", required_argument, 0, 's'},
                                         {"json", no_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *config = NULL, *storefront = NULL;
    bool as_json = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 's': storefront = optarg; break;
        case 'j': as_json = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 2) {
        usage(stderr);
        return 2;
    }
    const char *kind = argv[optind], *id = argv[optind + 1];
    bool po = !strcmp(kind, "po");
    if (!po && strcmp(kind, "order")) {
        fprintf(stderr, "dropgate show: '%s' is not order or po\n", kind);
        return 2;
    }
    dg_error err = {0};
    dg_cli_state st;
    json_t *story = NULL;
    int rc = dg_cli_state_open(config, &st, &err);
    if (!rc)
        rc = po ? dg_store_po_story(st.store, id, &story, &err)
                : dg_store_order_story(st.store, storefront, id, &story, &err);
    if (!rc) {
        add_paths(&st, story);
        if (as_json) {
            char *text = json_dumps(story, JSON_INDENT(2));
            printf("%s\n", text ? text : "{}");
            free(text);
        } else if (po) {
            print_po(story, "");
        } else {
            print_order(story);
        }
    } else {
        fprintf(stderr, "dropgate show: %s\n", err.msg);
    }
    json_decref(story);
    dg_cli_state_close(&st);
    return !rc ? 0 : rc == DG_ENOTFOUND ? 1 : 2;
}
