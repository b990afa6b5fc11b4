/* libFuzzer harness: XML through every shipped inbound XML mapping, streamed as the gateway
 * reads it, and the orders back out as XML or as a CSV PO. */
#include "fuzz_common.h"

static const char *const ins[] = {"mappings/order-xml-in.yaml",
                                  "mappings/shipstation-orders-xml-in.yaml",
                                  "mappings/eci-order-xml-in.yaml", "mappings/x12xml-850-in.yaml"};
#define N_IN (sizeof ins / sizeof *ins)
static dg_mapping *in_maps[N_IN], *xml_out, *csv_out;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    for (size_t i = 0; i < N_IN; i++)
        in_maps[i] = fuzz_map(ins[i]);
    xml_out = fuzz_map("mappings/order-xml-out.yaml");
    csv_out = fuzz_map("mappings/supplier-csv-po-out.yaml");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("in.xml", data, size);
    for (size_t k = 0; k < N_IN; k++)
        fuzz_through(in_maps[k], path, k & 1 ? csv_out : xml_out);
    return 0;
}
