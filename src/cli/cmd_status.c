/* dropgate status: orders by state, POs by state, the outbox, overdue acks and ASNs, open
 * invoice discrepancies; as text for an operator or --json for monitoring. */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/commands.h"
#include "flow/flow.h"
#include "gateway/gateway.h"
#include "store/store.h"

static void usage(FILE *f)
{
    fputs("usage: dropgate status [--config FILE] [--json]\n"
          "\n"
          "Orders by state, supplier POs by state, the outbox, POs held because their file is not\n"
          "valid X12 (with the validator's message), POs overdue for a 997 or an ASN (counted\n"
          "and listed; overdue: no 997 24h after it was sent, no ASN after 72h, by default;\n"
          "routing.yaml overdue: ack_after/asn_after, per supplier too), files quarantined, and\n"
          "invoices with open discrepancies. --json prints the same as one JSON object.\n"
          "exit status: 0 ok (even with overdue POs), 2 configuration or state store error\n",
          f);
}

static void print_counts(const char *title, json_t *obj)
{
    printf("%-24s", title);
    if (!json_is_object(obj) || json_object_size(obj) == 0) {
        printf(" none\n");
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) printf(" %s=%lld", k, (long long)json_integer_value(v));
    printf("\n");
}

/* 86400 -> "24h", 90 -> "90s": thresholds as they are written in routing.yaml. */
static const char *duration(long long s, char *buf, size_t size)
{
    if (s > 0 && s % 3600 == 0)
        snprintf(buf, size, "%lldh", s / 3600);
    else if (s > 0 && s % 60 == 0)
        snprintf(buf, size, "%lldm", s / 60);
    else
        snprintf(buf, size, "%llds", s);
    return buf;
}

static void print_leases(json_t *leases);

static void print_text(const char *text)
{
    json_error_t je;
    json_t *root = json_loads(text, 0, &je);
    if (!root) {
        fputs(text, stdout);
        return;
    }
    print_counts("orders:", json_object_get(root, "orders"));
    print_counts("supplier POs:", json_object_get(root, "pos"));
    print_counts("PO order status:", json_object_get(root, "po_status"));
    print_counts("order fulfilment:", json_object_get(root, "fulfilment"));
    print_counts("outbox:", json_object_get(root, "outbox"));
    print_counts("invoices:", json_object_get(root, "invoices"));
    printf("%-24s %lld\n", "tracking not yet sent:",
           (long long)json_integer_value(json_object_get(root, "notifications_pending")));
    json_int_t quarantined = json_integer_value(json_object_get(root, "files_quarantined"));
    printf("%-24s %lld%s\n", "files quarantined:", (long long)quarantined,
           quarantined ? " (reasons: dropgate search FILE-NAME, var/quarantine/*.reason.txt)" : "");
    printf("%-24s %lld\n", "open discrepancies:",
           (long long)json_integer_value(json_object_get(root, "discrepancies_open")));
    json_t *held = json_object_get(root, "held");
    size_t nh = json_is_array(held) ? json_array_size(held) : 0;
    printf("%-24s %zu%s\n", "held POs (not sent):", nh,
           nh ? " (their file is not valid; fix the mapping or data, the next cycle retries)" : "");
    for (size_t i = 0; i < nh; i++) {
        json_t *o = json_array_get(held, i);
        printf("  %-20s supplier=%-12s order=%-10s %s\n",
               json_string_value(json_object_get(o, "po_number")),
               json_string_value(json_object_get(o, "supplier")),
               json_string_value(json_object_get(o, "order_number")),
               json_string_value(json_object_get(o, "reason")));
    }
    json_t *oh = json_object_get(root, "operator_held");
    size_t no = json_is_array(oh) ? json_array_size(oh) : 0;
    printf("%-24s %zu%s\n", "POs held by operators:", no,
           no ? " (not sent until 'dropgate release PO')" : "");
    for (size_t i = 0; i < no; i++) {
        json_t *o = json_array_get(oh, i);
        printf("  %-20s supplier=%-12s order=%-10s by %s: %s\n",
               json_string_value(json_object_get(o, "po_number")),
               json_string_value(json_object_get(o, "supplier")),
               json_string_value(json_object_get(o, "order_number")),
               json_string_value(json_object_get(o, "held_by")),
               json_string_value(json_object_get(o, "reason")));
    }
    json_t *held_t = json_object_get(root, "held_tracking");
    size_t nt = json_is_array(held_t) ? json_array_size(held_t) : 0;
    printf("%-24s %zu\n", "held tracking files:", nt);
    for (size_t i = 0; i < nt; i++) {
        json_t *o = json_array_get(held_t, i);
        printf("  storefront=%-12s order=%-10s po=%-12s %s\n",
               json_string_value(json_object_get(o, "storefront")),
               json_string_value(json_object_get(o, "order_number")),
               json_string_value(json_object_get(o, "po_number")),
               json_string_value(json_object_get(o, "reason")));
    }
    json_t *partial = json_object_get(root, "partial_files");
    size_t np = json_is_array(partial) ? json_array_size(partial) : 0;
    printf("%-24s %zu%s\n", "partial X12 files:", np,
           np ? " (some sets rejected; after a fix: dropgate reprocess FILE-ID)" : "");
    for (size_t i = 0; i < np; i++) {
        json_t *o = json_array_get(partial, i);
        printf("  file_id=%-6lld partner=%-12s %s: %s\n",
               (long long)json_integer_value(json_object_get(o, "file_id")),
               json_string_value(json_object_get(o, "partner")),
               json_string_value(json_object_get(o, "path")),
               json_string_value(json_object_get(o, "reason")));
    }
    json_t *over = json_object_get(root, "overdue");
    size_t n = json_is_array(over) ? json_array_size(over) : 0;
    json_t *oc = json_object_get(root, "overdue_counts");
#define OC(k) ((long long)json_integer_value(json_object_get(oc, k)))
    char ack[32], asn[32];
    printf("%-24s %zu (no 997 after %s: %lld, no ASN after %s: %lld, never sent: %lld)\n",
           "overdue POs:", n, duration(OC("ack_after_seconds"), ack, sizeof ack), OC("no_997"),
           duration(OC("asn_after_seconds"), asn, sizeof asn), OC("no_asn"), OC("never_sent"));
#undef OC
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(over, i);
        const char *note = json_string_value(json_object_get(o, "note")); /* in words */
        printf("  %-20s supplier=%-12s order=%-10s status=%-18s waiting for %s for %llds%s%s%s\n",
               json_string_value(json_object_get(o, "po_number")),
               json_string_value(json_object_get(o, "supplier")),
               json_string_value(json_object_get(o, "order_number")),
               json_string_value(json_object_get(o, "status")),
               json_string_value(json_object_get(o, "what")),
               (long long)json_integer_value(json_object_get(o, "age_seconds")), note ? " (" : "",
               note ? note : "", note ? ")" : "");
    }
    print_leases(json_object_get(root, "leases"));
    json_decref(root);
}

/* Several instances on one store: which instance works which partner now. */
static void print_leases(json_t *leases)
{
    size_t n = json_is_array(leases) ? json_array_size(leases) : 0;
    size_t held = 0;
    for (size_t i = 0; i < n; i++)
        held += json_integer_value(json_object_get(json_array_get(leases, i), "held")) != 0;
    printf("%-24s %zu held of %zu\n", "leases:", held, n);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(leases, i);
        long long in_ms = (long long)json_integer_value(json_object_get(o, "expires_in_ms"));
        bool on = json_integer_value(json_object_get(o, "held")) != 0;
        bool released = json_integer_value(json_object_get(o, "released")) != 0;
        printf("  %-28s %s %s", json_string_value(json_object_get(o, "name")),
               on         ? "held by"
               : released ? "free, released by"
                          : "free, ran out for",
               json_string_value(json_object_get(o, "holder")));
        if (on)
            printf(" (runs out in %.1fs)", (double)in_ms / 1000.0);
        else if (!released)
            printf(" (%.1fs ago)", (double)-in_ms / 1000.0);
        printf("\n");
    }
}

/* The flow's status with the leases added (the store's, not the flow's). */
static int add_leases(dg_store *s, char **json, dg_error *err)
{
    json_t *leases = NULL;
    int rc = dg_store_leases_json(s, &leases, err);
    if (rc)
        return rc;
    json_error_t je;
    json_t *root = json_loads(*json, 0, &je);
    if (!root) {
        json_decref(leases);
        return 0;
    }
    json_object_set_new(root, "leases", leases);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    free(*json);
    *json = text;
    return 0;
}

int dg_cmd_status(int argc, char **argv)
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
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    dg_error err = {0};
    dg_gw_config *cfg = NULL;
    dg_store *s = NULL;
    dg_flow_rules *r = NULL;
    char *json = NULL;
    int rc = dg_gw_config_load(dg_gw_config_path(config), NULL, &cfg, &err);
    if (!rc)
        rc = dg_gw_open_store(cfg, &s, &r, &err);
    if (!rc)
        rc = dg_flow_status_json(s, r, dg_store_now(s), &json, &err);
    if (!rc)
        rc = add_leases(s, &json, &err);
    if (rc)
        fprintf(stderr, "dropgate status: %s\n", err.msg);
    else if (as_json)
        printf("%s\n", json);
    else
        print_text(json);
    free(json);
    dg_flow_rules_free(r);
    dg_store_close(s);
    dg_gw_config_free(cfg);
    return rc ? 2 : 0;
}
