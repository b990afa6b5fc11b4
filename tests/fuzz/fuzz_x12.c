/* libFuzzer harness: the X12 reader and validator over arbitrary bytes (full and summary
 * modes, with the 850 mapping's X12 adapter on the same input). Nothing may crash, leak or
 * read out of bounds, whatever the file holds. */
#include "fuzz_common.h"

#include "x12/defs.h"
#include "x12/validate.h"

static dg_x12_defs *defs;
static dg_mapping *m850, *m856;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    dg_error err = {0};
    if (dg_x12_defs_load(fuzz_src("edi"), &defs, &err)) {
        fprintf(stderr, "fuzz: %s\n", err.msg);
        abort();
    }
    m850 = fuzz_map("mappings/x12-850-in.yaml");
    m856 = fuzz_map("mappings/x12-856-in.yaml");
    return 0;
}

static void on_problem(void *ctx, const char *path, const dg_x12_problem *p)
{
    (void)path;
    (void)p;
    ++*(long *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dg_error err = {0};
    dg_x12_file_result *r = NULL;
    dg_x12_check_mem(defs, (const char *)data, size, "fuzz.edi", &r, &err);
    if (r)
        (void)dg_x12_ack_only(r);
    dg_x12_file_result_free(r);
    long problems = 0;
    dg_x12_check_opts o = {
        .summary_only = true, .on_problem = on_problem, .ctx = &problems, .max_segment_errors = 5};
    r = NULL;
    dg_x12_check_mem_opts(defs, (const char *)data, size, "fuzz.edi", &o, &r, &err);
    dg_x12_file_result_free(r);
    const char *path = fuzz_write("in.edi", data, size);
    fuzz_through(size && data[0] & 1 ? m856 : m850, path, NULL);
    return 0;
}
