/* Canonical documents from their JSON form, with jansson (the writer is model_json_write.c). */
#include "core/model_json.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model_fields.h"

/* Sets field f of record rec from JSON value v; where names the field for messages. */
static int read_value(dg_doc *doc, void *rec, const dg_field *f, json_t *v, const char *where,
                      dg_error *err)
{
    if (json_is_null(v))
        return 0;
    char tmp[64];
    const char *s = NULL;
    size_t len = 0;
    if (json_is_string(v)) {
        s = json_string_value(v);
        len = json_string_length(v);
    } else if (json_is_integer(v)) {
        len = (size_t)snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
        s = tmp;
    } else if (json_is_real(v) && f->type != DG_FIELD_STR) {
        len = (size_t)snprintf(tmp, sizeof tmp, "%.4f", json_real_value(v));
        s = tmp;
    } else {
        return dg_error_set(err, DG_EPARSE, "JSON: %s: expected a string", where);
    }
    if (f->type == DG_FIELD_STR) {
        *dg_field_str(rec, f) = dg_arena_strndup(doc->arena, s, len);
        return 0;
    }
    if (dg_dec_parse(s, len, 0, dg_field_dec(rec, f)))
        return dg_error_set(err, DG_EPARSE, "JSON: %s: '%s' is not a decimal number", where, s);
    return 0;
}

static int read_record(dg_doc *doc, const dg_field *fs, size_t n, int g, void *rec, json_t *obj,
                       const char *prefix, dg_error *err)
{
    char where[256];
    size_t i = 0;
    while (i < n && fs[i].group != g) /* a record's fields are contiguous in the table */
        i++;
    for (; i < n && fs[i].group == g; i++) {
        const dg_field *f = &fs[i];
        json_t *o = obj;
        if (f->object && g != DG_FIELD_SOURCE) {
            o = json_object_get(obj, f->object);
            if (o && !json_is_object(o))
                return dg_error_set(err, DG_EPARSE, "JSON: %s.%s: expected an object", prefix,
                                    f->object);
        }
        json_t *v = o ? json_object_get(o, f->name) : NULL;
        if (!v)
            continue;
        snprintf(where, sizeof where, "%s.%s", prefix, g >= 0 ? f->name : f->path);
        int rc = read_value(doc, rec, f, v, where, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int from_root(json_t *root, dg_doc **out, dg_error *err)
{
    if (!json_is_object(root))
        return dg_error_set(err, DG_EPARSE, "JSON: the document must be an object");
    const char *kname = json_string_value(json_object_get(root, "kind"));
    dg_doc_kind kind = dg_doc_kind_from_name(kname);
    if (kind == DG_DOC_NONE)
        return dg_error_set(err, DG_EPARSE,
                            "JSON: \"kind\" must be order, shipment, invoice, stock, "
                            "acknowledgment or status (got %s)",
                            kname ? kname : "nothing");
    json_t *body = json_object_get(root, kname);
    if (!json_is_object(body))
        return dg_error_set(err, DG_EPARSE, "JSON: missing object \"%s\"", kname);
    dg_doc *doc = dg_doc_new(kind);
    size_t n, ng;
    const dg_field *fs = dg_fields_list(kind, &n);
    const dg_field_group *gs = dg_fields_groups(kind, &ng);
    int rc = 0;
    json_t *src = json_object_get(root, "source");
    if (json_is_object(src)) {
        rc = read_record(doc, fs, n, DG_FIELD_SOURCE, &doc->source, src, "source", err);
        json_t *pos = json_object_get(src, "position");
        if (json_is_integer(pos))
            doc->source.position = (long)json_integer_value(pos);
    }
    if (!rc)
        rc = read_record(doc, fs, n, DG_FIELD_BODY, &doc->u, body, kname, err);
    for (size_t g = 0; !rc && g < ng; g++) {
        json_t *arr = json_object_get(body, gs[g].name);
        if (!arr)
            continue;
        if (!json_is_array(arr)) {
            rc = dg_error_set(err, DG_EPARSE, "JSON: %s.%s: expected an array", kname, gs[g].name);
            break;
        }
        for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
            json_t *el = json_array_get(arr, i);
            char prefix[128];
            snprintf(prefix, sizeof prefix, "%s.%s[%zu]", kname, gs[g].name, i);
            if (!json_is_object(el)) {
                rc = dg_error_set(err, DG_EPARSE, "JSON: %s: expected an object", prefix);
                break;
            }
            size_t idx = dg_fields_add(doc, (int)g);
            rc = read_record(doc, fs, n, (int)g, dg_fields_record(doc, (int)g, idx), el, prefix,
                             err);
        }
    }
    if (rc) {
        dg_doc_free(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

int dg_doc_from_json(const char *text, size_t len, dg_doc **out, dg_error *err)
{
    json_error_t jerr;
    *out = NULL;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (!root)
        return dg_error_set(err, DG_EPARSE, "JSON line %d column %d: %s", jerr.line, jerr.column,
                            jerr.text);
    int rc = from_root(root, out, err);
    json_decref(root);
    return rc;
}

int dg_docs_from_json(const char *text, size_t len, dg_doc_sink sink, void *ctx, dg_error *err)
{
    size_t off = 0;
    while (off < len) {
        while (off < len && strchr(" \t\r\n", text[off]))
            off++;
        if (off >= len)
            break;
        json_error_t jerr;
        json_t *root = json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK, &jerr);
        if (!root)
            return dg_error_set(err, DG_EPARSE, "JSON at byte %zu: line %d column %d: %s", off,
                                jerr.line, jerr.column, jerr.text);
        off += jerr.position;
        size_t n = json_is_array(root) ? json_array_size(root) : 1;
        for (size_t i = 0; i < n; i++) {
            dg_doc *doc = NULL;
            int rc = from_root(json_is_array(root) ? json_array_get(root, i) : root, &doc, err);
            if (!rc)
                rc = sink(ctx, doc, err);
            if (rc) {
                if (json_is_array(root))
                    dg_error_prefix(err, "document %zu: ", i + 1);
                json_decref(root);
                return rc;
            }
        }
        json_decref(root);
    }
    return 0;
}
