/* Public face of the mapping engine (map.h): accessors and dispatch to the format adapters. */
#include <string.h>

#include "map/map_internal.h"

const char *dg_map_name(const dg_mapping *m) { return m->name; }
dg_map_direction dg_map_get_direction(const dg_mapping *m) { return m->dir; }
dg_doc_kind dg_map_doc_kind(const dg_mapping *m) { return m->kind; }
const char *dg_map_format(const dg_mapping *m) { return m->format; }

const char *dg_map_extension(const dg_mapping *m)
{
    return !strcmp(m->format, "x12") ? "edi" : m->format;
}

int dg_map_read_file(const dg_mapping *m, const char *path, dg_doc_sink sink, void *ctx,
                     dg_error *err)
{
    if (m->dir != DG_MAP_IN)
        return dg_error_set(err, DG_EINVAL, "%s: is an outbound mapping; it cannot read %s",
                            m->path, path);
    if (!strcmp(m->format, "csv"))
        return map_csv_read(m, path, sink, ctx, err);
    if (!strcmp(m->format, "x12"))
        return map_x12_read(m, path, sink, ctx, err);
    return map_xml_read(m, path, sink, ctx, err);
}

int dg_map_write(const dg_mapping *m, dg_doc *const *docs, size_t n, const dg_map_envelope *env,
                 dg_buf *out, dg_error *err)
{
    if (m->dir != DG_MAP_OUT)
        return dg_error_set(err, DG_EINVAL, "%s: is an inbound mapping; it cannot write", m->path);
    for (size_t i = 0; i < n; i++)
        if (docs[i]->kind != m->kind)
            return dg_error_set(err, DG_EINVAL, "%s: writes %s documents, document %zu is a %s",
                                m->path, dg_doc_kind_name(m->kind), i + 1,
                                dg_doc_kind_name(docs[i]->kind));
    size_t start = out->len;
    int rc;
    if (!strcmp(m->format, "csv"))
        rc = map_csv_write(m, docs, n, out, err);
    else if (!strcmp(m->format, "x12"))
        rc = map_x12_write(m, docs, n, env, out, err);
    else
        rc = map_xml_write(m, docs, n, out, err);
    if (rc && out->data) { /* never hand back half a file */
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}
