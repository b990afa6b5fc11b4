/* The documented JSON form of canonical documents (jansson); see mappings/README.md.
 * Stable for other programs: field names never change meaning, new fields may appear. */
#ifndef DG_CORE_MODEL_JSON_H
#define DG_CORE_MODEL_JSON_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/model.h"

#define DG_JSON_PRETTY 1

/* {"kind":"order","source":{...},"order":{...}}; decimals as strings ("12.50" exact). */
int dg_doc_to_json(const dg_doc *doc, int flags, dg_buf *out, dg_error *err);
/* For tests: the number of bytes of s before its NUL or the first byte a JSON string escapes
 * (< 0x20, '"', '\\'), by the writer's vector scan or (plain) one byte at a time. */
size_t dg_json_debug_clean_len(const char *s, bool plain);
int dg_doc_from_json(const char *text, size_t len, dg_doc **out, dg_error *err);
/* Reads one document, an array of documents or JSON Lines, handing each to sink (which takes
 * ownership). Added by the mapping engine for `dropgate translate --to`. */
int dg_docs_from_json(const char *text, size_t len, dg_doc_sink sink, void *ctx, dg_error *err);

#endif
