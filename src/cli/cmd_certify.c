/* dropgate certify PARTNER: the offline onboarding exchange - a sample PO in the supplier's own
 * format, its sample answers read back through its own mappings, cross-document checks - as a
 * pass/fail table or --json. */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"
#include "gateway/gateway.h"

static void usage(FILE *f)
{
    fputs("usage: dropgate certify PARTNER [--answers DIR] [--config FILE] [--json]\n"
          "\n"
          "Runs the onboarding exchange offline with the supplier's own configuration and\n"
          "mappings: the sample order becomes PO " DG_GW_CERT_PO " in the partner's format\n"
          "(X12 validated against edi/ and read back); the partner's sample answers to it\n"
          "(855, 856, 810 or their CSV/XML equivalents) in DIR (default etc/certify/PARTNER)\n"
          "are read through its inbound mappings and checked: lines carried through, product\n"
          "ids, quantities, UoM, prices, ack codes, ASN vs PO, invoice vs PO and ASN, X12\n"
          "validity. Nothing is sent and the state store is not touched.\n"
          "exit status: 0 every check passed, 1 a check failed, 2 usage or configuration error\n",
          f);
}

static void print_json(const char *partner, const char *dir, const dg_gw_cert_result *r)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < r->n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s}", "check", r->checks[i].check,
                                             "document", r->checks[i].doc, "result",
                                             r->checks[i].pass ? "PASS" : "FAIL", "detail",
                                             r->checks[i].detail));
    json_t *root = json_pack("{s:s,s:s,s:s,s:I,s:I,s:o}", "partner", partner, "answers", dir,
                             "po_number", DG_GW_CERT_PO, "passed", (json_int_t)(r->n - r->failed),
                             "failed", (json_int_t)r->failed, "checks", arr);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(root);
}

static void print_table(const char *partner, const char *dir, const dg_gw_cert_result *r)
{
    printf("certify %s: PO %s, answers from %s\n\n", partner, DG_GW_CERT_PO, dir);
    printf("%-20s %-44s %-6s %s\n", "CHECK", "DOCUMENT", "RESULT", "DETAIL");
    for (size_t i = 0; i < r->n; i++)
        printf("%-20s %-44s %-6s %s\n", r->checks[i].check, r->checks[i].doc,
               r->checks[i].pass ? "PASS" : "FAIL", r->checks[i].detail);
    printf("\n%zu check(s): %zu passed, %zu failed\n", r->n, r->n - r->failed, r->failed);
}

int dg_cmd_certify(int argc, char **argv)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"answers", required_argument, 0, 'a'},
                                         {"json", no_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *config = NULL, *answers = NULL;
    bool as_json = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:a:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'a': answers = optarg; break;
        case 'j': as_json = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[optind];
    dg_error err = {0};
    dg_gw_config *cfg = NULL;
    int rc = dg_gw_config_load(dg_gw_config_path(config), NULL, &cfg, &err);
    const dg_gw_partner *p = rc ? NULL : dg_gw_config_partner(cfg, name);
    if (!rc && !p)
        rc = dg_error_set(&err, DG_ENOTFOUND, "no partner '%s' (partner files in %s)", name,
                          cfg->partners_dir);
    char dir[2048];
    if (!rc) {
        if (answers)
            snprintf(dir, sizeof dir, "%s", answers);
        else
            snprintf(dir, sizeof dir, "%s/etc/certify/%s", cfg->root, name);
    }
    dg_gw_cert_result r = {0};
    if (!rc)
        rc = dg_gw_certify(cfg, p, dir, &r, &err);
    if (rc) {
        fprintf(stderr, "dropgate certify: %s\n", err.msg);
        dg_gw_config_free(cfg);
        return 2;
    }
    if (as_json)
        print_json(name, dir, &r);
    else
        print_table(name, dir, &r);
    int status = r.failed ? 1 : 0;
    dg_gw_cert_result_free(&r);
    dg_gw_config_free(cfg);
    return status;
}
