/* X12 adapter (placeholder until src/x12/x12.h lands). */
#include "map/map_internal.h"

int map_x12_compile(dg_mapping *m, dg_error *err) { (void)m; (void)err; return 0; }
int map_x12_read(const dg_mapping *m, const char *path, dg_doc_sink sink, void *ctx, dg_error *err)
{
    (void)sink; (void)ctx;
    return dg_error_set(err, DG_EINVAL, "%s: X12 not available yet (%s)", m->path, path);
}
int map_x12_write(const dg_mapping *m, dg_doc *const *docs, size_t n, const dg_map_envelope *env,
                  dg_buf *out, dg_error *err)
{
    (void)docs; (void)n; (void)env; (void)out;
    return dg_error_set(err, DG_EINVAL, "%s: X12 not available yet", m->path);
}
