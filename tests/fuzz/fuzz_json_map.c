/* libFuzzer harness: JSON through the shipped inbound JSON mapping (the streamed reader with each
 * of its documents paths, the filters, one-shot and per document), the orders back out as JSON
 * and as a CSV PO; and the same bytes as canonical JSON, which translate --to reads. */
#include "fuzz_common.h"

static dg_mapping *in_map, *json_out, *csv_out;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    in_map = fuzz_map("mappings/storefront-order-json-in.yaml");
    json_out = fuzz_map("mappings/storefront-order-json-out.yaml");
    csv_out = fuzz_map("mappings/supplier-csv-po-out.yaml");
    return 0;
}

/* Every document not mapped says where and why. */
static int check_outcome(void *ctx, const dg_map_outcome *o, dg_error *err)
{
    (void)ctx;
    (void)err;
    if (!o->reason || !o->unit)
        abort();
    return 0;
}

/* The per-document reader (the gateway's): documents and outcomes, then the orders out. */
static void each(const char *path)
{
    fuzz_docs l = {0};
    dg_error err = {0};
    dg_map_read_each(in_map, path, fuzz_sink, check_outcome, &l, &err);
    dg_buf b = DG_BUF_INIT;
    if (l.n)
        dg_map_write(csv_out, l.docs, l.n, NULL, &b, &err);
    dg_buf_free(&b);
    for (size_t i = 0; i < l.n; i++)
        dg_doc_free(l.docs[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("in.json", data, size);
    fuzz_through(in_map, path, json_out);
    each(path);
    /* canonical JSON (translate --to without --map) */
    fuzz_docs l = {0};
    dg_error err = {0};
    dg_docs_from_json((const char *)data, size, fuzz_sink, &l, &err);
    size_t k = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (l.docs[i]->kind == DG_DOC_ORDER)
            l.docs[k++] = l.docs[i];
        else
            dg_doc_free(l.docs[i]);
    }
    dg_buf b = DG_BUF_INIT;
    if (k)
        dg_map_write(json_out, l.docs, k, NULL, &b, &err);
    dg_buf_free(&b);
    for (size_t i = 0; i < k; i++)
        dg_doc_free(l.docs[i]);
    return 0;
}
