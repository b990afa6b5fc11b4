/* dropgate fields: the canonical fields a mapping can read or write, with type and meaning (the
 * reference in mappings/README.md is this command's --markdown output). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "core/model_doc.h"

static void usage(FILE *f)
{
    fputs(
        "usage: dropgate fields [order|shipment|invoice|stock|acknowledgment|status] [--markdown]\n"
        "\n"
        "Lists every canonical field (path, type, meaning) of each document kind, or of one;\n"
        "--markdown writes the reference section of mappings/README.md.\n"
        "exit status: 0, 1 a field of the model has no meaning written, 2 usage\n",
        f);
}

static int plain(dg_doc_kind only)
{
    static const dg_doc_kind kinds[] = {DG_DOC_ORDER, DG_DOC_SHIPMENT, DG_DOC_INVOICE,
                                        DG_DOC_STOCK, DG_DOC_ACK,      DG_DOC_STATUS};
    int missing = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        if (only != DG_DOC_NONE && kinds[k] != only)
            continue;
        size_t n;
        const dg_field *fs = dg_fields_list(kinds[k], &n);
        for (size_t i = 0; i < n; i++) {
            const char *m = dg_field_meaning(kinds[k], &fs[i]);
            missing += !m;
            printf("%-9s %-32s %-9s %s\n", dg_doc_kind_name(kinds[k]), fs[i].path,
                   dg_field_type_name(fs[i].type), m ? m : "(no meaning written)");
        }
    }
    return missing ? 1 : 0;
}

int dg_cmd_fields(int argc, char **argv)
{
    static const struct option opts[] = {
        {"markdown", no_argument, 0, 'm'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    bool md = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'm')
            md = true;
        else {
            usage(c == 'h' ? stdout : stderr);
            return c == 'h' ? 0 : 2;
        }
    }
    dg_doc_kind only = DG_DOC_NONE;
    if (optind < argc) {
        only = dg_doc_kind_from_name(argv[optind]);
        if (only == DG_DOC_NONE || optind + 1 < argc || md) {
            usage(stderr);
            return 2;
        }
    }
    if (!md)
        return plain(only);
    dg_buf b = DG_BUF_INIT;
    size_t missing = dg_fields_markdown(&b);
    fwrite(b.data, 1, b.len, stdout);
    dg_buf_free(&b);
    if (missing)
        fprintf(stderr,
                "dropgate fields: %zu field(s) of the model have no meaning written in "
                "src/core/model_doc.c\n",
                missing);
    return missing ? 1 : 0;
}
