/* XML adapter (placeholder). */
#include "map/map_internal.h"

int map_xml_compile(dg_mapping *m, dg_error *err) { (void)m; (void)err; return 0; }
void map_xml_release(dg_mapping *m) { (void)m; }
int map_xml_read(const dg_mapping *m, const char *path, dg_doc_sink sink, void *ctx, dg_error *err)
{
    (void)sink; (void)ctx;
    return dg_error_set(err, DG_EINVAL, "%s: XML not available yet (%s)", m->path, path);
}
int map_xml_write(const dg_mapping *m, dg_doc *const *docs, size_t n, dg_buf *out, dg_error *err)
{
    (void)docs; (void)n; (void)out;
    return dg_error_set(err, DG_EINVAL, "%s: XML not available yet", m->path);
}
