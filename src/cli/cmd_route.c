/* dropgate route --explain ORDER: for each line of an order, every candidate supplier and why it
 * was chosen or skipped (stock, landed cost with dropship fee and shipping, country, priority),
 * as recorded when it was routed and re-routed, and as the rules would decide now. */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_state.h"
#include "cli/commands.h"
#include "flow/flow.h"

static void usage(FILE *f)
{
    fputs("usage: dropgate route --explain ORDER [--storefront NAME] [--config FILE] [--json]\n"
          "\n"
          "For each line of the storefront order ORDER: every candidate supplier and its verdict\n"
          "with the reason (not approved, does not ship to the country, stock, landed cost =\n"
          "cost x quantity + shipping + dropship fee, priority, preferred, already offered),\n"
          "  recorded  as decided when the order was routed (attempt 1) and each time the line\n"
          "            was re-routed (attempt 2, 3 ...): CHOSEN, ELIGIBLE, SKIPPED\n"
          "  now       a dry run of etc/routing.yaml over today's catalog and stock:\n"
          "            WOULD_CHOOSE, ELIGIBLE, SKIPPED (suppliers the line had before excluded)\n"
          "exit status: 0 shown, 1 no such order, 2 usage, configuration or state error\n",
          f);
}

static const char *str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static void print_verdicts(json_t *arr, const char *title)
{
    size_t i;
    json_t *v;
    printf("    %s:%s\n", title, json_array_size(arr) ? "" : " none");
    json_array_foreach(arr, i, v)
    {
        json_int_t attempt = json_integer_value(json_object_get(v, "attempt"));
        if (attempt)
            printf("      #%lld ", (long long)attempt);
        else
            printf("      ");
        printf("%-12s %-12s %s%s%s%s\n", str(v, "verdict"), str(v, "supplier"), str(v, "reason"),
               *str(v, "cause") ? "  (" : "", str(v, "cause"), *str(v, "cause") ? ")" : "");
    }
}

static void print_text(json_t *root)
{
    printf("order %s\n", str(root, "order_number"));
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(root, "lines"), i, l)
    {
        printf("  line %lld (storefront line %s) %s x %s: %s, %s (attempt %lld)%s%s\n",
               (long long)json_integer_value(json_object_get(l, "line_no")), str(l, "line_number"),
               str(l, "sku"), str(l, "quantity"),
               *str(l, "supplier") ? str(l, "supplier") : "no supplier", str(l, "supplier_status"),
               (long long)json_integer_value(json_object_get(l, "attempt")),
               *str(l, "supplier_reason") ? ": " : "", str(l, "supplier_reason"));
        if (strcmp(str(l, "routing"), "MATCHED"))
            printf("    routing: %s%s%s\n", str(l, "routing"),
                   *str(l, "routing_reason") ? ": " : "", str(l, "routing_reason"));
        print_verdicts(json_object_get(l, "recorded"), "recorded");
        print_verdicts(json_object_get(l, "now"), "now (dry run)");
    }
}

int dg_cmd_route(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, 0, 'c'}, {"storefront", required_argument, 0, 's'},
        {"explain", no_argument, 0, 'e'},      {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *config = NULL, *storefront = NULL;
    bool as_json = false, explain = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 's': storefront = optarg; break;
        case 'e': explain = true; break;
        case 'j': as_json = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!explain || optind != argc - 1 || !*argv[optind]) {
        usage(stderr);
        return 2;
    }
    dg_error err = {0};
    dg_cli_state st;
    json_t *root = NULL;
    int rc = dg_cli_state_open(config, &st, &err);
    if (!rc)
        rc = dg_flow_route_explain(st.store, st.rules, storefront, argv[optind], &root, &err);
    int status = 0;
    if (rc) {
        fprintf(stderr, "dropgate route: %s\n", err.msg);
        status = rc == DG_ENOTFOUND ? 1 : 2;
    } else if (as_json) {
        char *text = json_dumps(root, JSON_INDENT(2));
        printf("%s\n", text ? text : "{}");
        free(text);
    } else {
        print_text(root);
    }
    json_decref(root);
    dg_cli_state_close(&st);
    return status;
}
