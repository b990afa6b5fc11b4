/* libFuzzer harness: the mapping loader over arbitrary YAML. A shape error, a bad transform
 * or XPath, deep nesting: always a message, never a crash. A mapping that loads is also used
 * once on a small input of its format, so what the loader accepted is something the engine
 * can run. */
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static const char *sample_for(const dg_mapping *m)
{
    const char *f = dg_map_format(m);
    if (!strcmp(f, "csv"))
        return fuzz_src("samples/mapping/storefront-orders.csv");
    if (!strcmp(f, "xml"))
        return fuzz_src("samples/mapping/orders.xml");
    return fuzz_src("samples/mapping/po-850.edi");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("m.yaml", data, size);
    dg_mapping *m = NULL;
    dg_error err = {0};
    if (dg_map_load(path, &m, &err) == 0) {
        if (dg_map_get_direction(m) == DG_MAP_IN)
            fuzz_through(m, sample_for(m), NULL);
        dg_map_free(m);
    } else if (!err.msg[0]) {
        abort(); /* every refusal says why */
    }
    return 0;
}
