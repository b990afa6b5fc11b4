/* Public face of the mapping engine (map.h): accessors and dispatch to the format adapters. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "map/map_internal.h"

const char *dg_map_name(const dg_mapping *m)
{
    return m->name;
}
dg_map_direction dg_map_get_direction(const dg_mapping *m)
{
    return m->dir;
}
dg_doc_kind dg_map_doc_kind(const dg_mapping *m)
{
    return m->kind;
}
bool dg_map_cancel_remaining(const dg_mapping *m)
{
    return m->cancel_remaining;
}
const char *dg_map_format(const dg_mapping *m)
{
    return m->format;
}

const char *dg_map_extension(const dg_mapping *m)
{
    return !strcmp(m->format, "x12") ? "edi" : m->format;
}

bool dg_map_writes_many(const dg_mapping *m)
{
    if (!strcmp(m->format, "json"))
        return !m->json.single;
    if (!strcmp(m->format, "xml")) /* document "": the root is the document (cXML) */
        return m->xml.document && *m->xml.document;
    return true; /* X12: a set per document; CSV: the rows of each document */
}

/* A UTF-16/UTF-32 file (Excel's "Unicode text" export) read as CSV or X12 fails somewhere in its
 * first row with a reason that hides the cause; its byte-order mark says it at once. XML is
 * left to libxml2, which reads UTF-16 documents as the XML standard wants. */
static int refuse_wide_text(const dg_mapping *m, const char *path, dg_error *err)
{
    static const struct {
        const char *bom;
        size_t len;
        const char *name;
    } boms[] = {{"\xFF\xFE\x00\x00", 4, "UTF-32LE"},
                {"\x00\x00\xFE\xFF", 4, "UTF-32BE"},
                {"\xFF\xFE", 2, "UTF-16LE"},
                {"\xFE\xFF", 2, "UTF-16BE"}};
    unsigned char head[4] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0; /* the reader reports it */
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    for (size_t i = 0; i < sizeof boms / sizeof *boms; i++)
        if (n >= boms[i].len && !memcmp(head, boms[i].bom, boms[i].len))
            return dg_error_set(err, DG_EPARSE,
                                "%s: the file is %s text (it starts with a %s byte-order mark); "
                                "%s files are read as UTF-8%s: ask for UTF-8 or convert it "
                                "(iconv -f %s -t UTF-8)",
                                path, boms[i].name, boms[i].name, m->format,
                                !strcmp(m->format, "csv") ? " or latin1 (csv: encoding)" : "",
                                boms[i].name);
    return 0;
}

static int read_with(const dg_mapping *m, const char *path, const map_reader *rd, dg_error *err)
{
    if (m->dir != DG_MAP_IN)
        return dg_error_set(err, DG_EINVAL, "%s: is an outbound mapping; it cannot read %s",
                            m->path, path);
    if (strcmp(m->format, "xml")) {
        int rc = refuse_wide_text(m, path, err);
        if (rc)
            return rc;
    }
    if (!strcmp(m->format, "csv"))
        return map_csv_read(m, path, rd, err);
    if (!strcmp(m->format, "x12"))
        return map_x12_read(m, path, rd, err);
    if (!strcmp(m->format, "json"))
        return map_json_read(m, path, rd, err);
    return map_xml_read(m, path, rd, err);
}

int dg_map_read_file(const dg_mapping *m, const char *path, dg_doc_sink sink, void *ctx,
                     dg_error *err)
{
    map_reader rd = {sink, NULL, ctx};
    return read_with(m, path, &rd, err);
}

int dg_map_read_each(const dg_mapping *m, const char *path, dg_doc_sink sink,
                     dg_map_outcome_sink outcome, void *ctx, dg_error *err)
{
    map_reader rd = {sink, outcome, ctx};
    return read_with(m, path, &rd, err);
}

int map_report(const map_reader *rd, bool skipped, const char *unit, long position, const char *key,
               const dg_error *why, dg_error *err)
{
    if (!rd->outcome) {
        if (skipped) /* the one-shot reader leaves a wholly filtered document out quietly */
            return 0;
        if (why != err)
            *err = *why;
        return err->code ? err->code : DG_EMAP;
    }
    dg_map_outcome o = {skipped, unit, position, key, why->msg};
    return rd->outcome(rd->ctx, &o, err);
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
    else if (!strcmp(m->format, "json"))
        rc = map_json_write(m, docs, n, out, err);
    else
        rc = map_xml_write(m, docs, n, out, err);
    if (rc && out->data) { /* never hand back half a file */
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}
