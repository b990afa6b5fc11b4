/* JSON files as batches of documents: a streaming splitter that hands one document at a time
 * to jansson (memory bounded by the largest document), a small path language to reach values
 * inside a document, and a builder that writes JSON with exact numbers. */
#ifndef DG_JSON_JSON_H
#define DG_JSON_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"

/* ---- paths (mappings/README.md, "JSON paths") ------------------------------------------------
 * $            the document            @           the current element (a group's node)
 * .name        member of an object     ['a b']     member whose name needs quoting
 * [n], [-1]    element n of an array (from 0; negative from the end)
 * [*], .*      every element of an array (every member value of an object)
 * [?(@.k == 'v')], [?(@.k != 'v')]  elements whose value at @.k is (is not) v (text, number,
 *              true, false)
 * '..' (recursive descent), slices and scripts are not supported: they are errors at load. */
typedef struct dg_json_path dg_json_path;

/* Compiles text into a (allocations in a); on error returns NULL with why naming the position. */
dg_json_path *dg_json_path_compile(dg_arena *a, const char *text, char *why, size_t why_size);
/* True when the path selects at most one node (no [*], .* or filter). */
bool dg_json_path_single(const dg_json_path *p);
/* True when the path is only names and indexes and [*] (what a documents path may use). */
bool dg_json_path_plain(const dg_json_path *p);
const char *dg_json_path_text(const dg_json_path *p);

/* Calls fn for each node p selects ($ is root, @ is cur), in document order, until fn returns
 * non-zero (returned). JSON null counts as no node. */
typedef int (*dg_json_visit)(void *ctx, json_t *node);
int dg_json_path_each(const dg_json_path *p, json_t *root, json_t *cur, dg_json_visit fn,
                      void *ctx);
/* The first node p selects, or NULL. */
json_t *dg_json_path_first(const dg_json_path *p, json_t *root, json_t *cur);

/* Text of a scalar: a string as it is, a number in its shortest exact form ("199", "0.06"),
 * true/false; returns 1 with s and len set (buf holds numbers), 0 for NULL or null, -1 for an
 * object or array (not a value). */
int dg_json_text(json_t *v, const char **s, size_t *len, char *buf, size_t size);

/* ---- reading a file ---------------------------------------------------------------------- */

typedef struct dg_json_doc {
    json_t *value;       /* the document, owned by the reader (freed after the callback) */
    long line, column;   /* where it starts in the file */
    size_t index;        /* 1-based number among the file's documents */
    const char *problem; /* non-NULL instead of value: why it was not parsed (too large) */
} dg_json_doc;
typedef int (*dg_json_doc_fn)(void *ctx, const dg_json_doc *d, dg_error *err);

typedef struct dg_json_read_opts {
    /* Where the documents are: alternatives tried in order, the first that applies to the
     * file's root wins (mappings/README.md). NULL/0: "$[*]" then "$" (an array of documents, or
     * one document). */
    const dg_json_path *const *documents;
    size_t n_documents;
    size_t max_document_bytes; /* 0: 16 MiB */
} dg_json_read_opts;

/* Streams path: each document is parsed on its own (jansson, duplicate keys refused) and handed
 * to fn. Malformed JSON anywhere is DG_EPARSE naming file, line and column; a document larger
 * than the cap goes to fn with problem set and is skipped without being held. Returns the
 * number of documents through *found. */
int dg_json_read_file(const char *path, const dg_json_read_opts *o, dg_json_doc_fn fn, void *ctx,
                      size_t *found, dg_error *err);

/* ---- writing ------------------------------------------------------------------------------ */

typedef struct dg_json_out dg_json_out;
typedef enum {
    DG_JSON_OBJECT,
    DG_JSON_ARRAY,
    DG_JSON_STRING,
    DG_JSON_RAW /* number, true, false: written as given */
} dg_json_kind;

/* A tree of output nodes in arena a; keys keep the order they were first set in. */
dg_json_out *dg_json_out_new(dg_arena *a, dg_json_kind kind);
/* Member key of object o (created with kind when absent; an existing one of another kind is
 * replaced). dotted: "a.b.c" walks/creates objects. */
dg_json_out *dg_json_out_member(dg_arena *a, dg_json_out *o, const char *dotted, dg_json_kind kind);
dg_json_out *dg_json_out_append(dg_arena *a, dg_json_out *arr, dg_json_kind kind);
/* Sets a scalar's text (copied). */
void dg_json_out_set(dg_arena *a, dg_json_out *v, const char *text, size_t len);
/* Whether text is a JSON number (RFC 8259 grammar). */
bool dg_json_is_number(const char *s, size_t len);
/* Writes the tree (2-space indent when pretty); DG_EPARSE when a string is not UTF-8. */
int dg_json_out_write(const dg_json_out *o, bool pretty, dg_buf *out, dg_error *err);

#endif
