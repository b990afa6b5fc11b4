/* libFuzzer harness: CSV through every shipped inbound CSV mapping, and the documents back out
 * through an outbound mapping of their kind (CSV, or X12 for invoices). */
#include "fuzz_common.h"

static const char *const ins[] = {
    "mappings/storefront-orders-csv-in.yaml", "mappings/po-flat-csv-in.yaml",
    "mappings/supplier-csv-asn-in.yaml",      "mappings/tracking-csv-in.yaml",
    "mappings/supplier-csv-invoice-in.yaml",  "mappings/invoice-csv-in.yaml",
    "mappings/inventory-csv-in.yaml",         "mappings/supplier-csv-stock-in.yaml"};
static const char *const outs[] = {"mappings/supplier-csv-po-out.yaml", "mappings/po-csv-out.yaml",
                                   "mappings/tracking-csv-out.yaml", "mappings/x12-810-out.yaml"};
#define N_IN (sizeof ins / sizeof *ins)
#define N_OUT (sizeof outs / sizeof *outs)
static dg_mapping *in_maps[N_IN], *out_maps[N_OUT];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < N_IN; i++)
        in_maps[i] = fuzz_map(ins[i]);
    for (size_t i = 0; i < N_OUT; i++)
        out_maps[i] = fuzz_map(outs[i]);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("in.csv", data, size);
    for (size_t k = 0; k < N_IN; k++) {
        const dg_mapping *out = NULL;
        for (size_t i = 0; i < N_OUT && !out; i++)
            if (dg_map_doc_kind(out_maps[i]) == dg_map_doc_kind(in_maps[k]))
                out = out_maps[i];
        fuzz_through(in_maps[k], path, out);
    }
    return 0;
}
