/* Declarative mappings (mappings/NAME.yaml): partner files <-> canonical documents.
 * The engine is format-neutral; x12, csv, xml and json adapters plug into it. */
#ifndef DG_MAP_MAP_H
#define DG_MAP_MAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/model.h"

typedef struct dg_mapping dg_mapping;

typedef enum { DG_MAP_IN = 1, DG_MAP_OUT = 2 } dg_map_direction;

/* Loads and checks a mapping file; errors name file, line and rule. */
int dg_map_load(const char *path, dg_mapping **out, dg_error *err);
void dg_map_free(dg_mapping *m);

const char *dg_map_name(const dg_mapping *m);
dg_map_direction dg_map_get_direction(const dg_mapping *m);
dg_doc_kind dg_map_doc_kind(const dg_mapping *m);
const char *dg_map_format(const dg_mapping *m); /* "x12", "csv", "xml", "json" */
/* An outbound cancel mapping that writes the PO as it stands after the request (cancel_lines:
 * remaining: a cXML OrderRequest type="update" repeats the whole order) rather than the lines
 * the request changes (the default, as an X12 860 lists them). */
bool dg_map_cancel_remaining(const dg_mapping *m);
/* File extension a written file should carry ("edi", "csv", "xml", "json"). */
const char *dg_map_extension(const dg_mapping *m);

/* Inbound: reads a partner file (streamed where the format allows) and hands each canonical
 * document to sink. On a mapping failure nothing further is emitted and err names the
 * mapping file, the rule and the input position. */
int dg_map_read_file(const dg_mapping *m, const char *path, dg_doc_sink sink, void *ctx,
                     dg_error *err);

/* X12 routing by envelope: the caller reads a file once (src/x12) and maps each transaction
 * set through the mapping its sender and ST01 select. A reader belongs to one mapping and keeps
 * its buffers from set to set; dg_map_x12_read_set hands the set's documents to sink, or fails
 * with err naming the mapping, the rule and the input segment. */
struct dg_x12_set;
typedef struct dg_map_x12_reader dg_map_x12_reader;
int dg_map_x12_reader_new(const dg_mapping *m, dg_map_x12_reader **out, dg_error *err);
int dg_map_x12_read_set(dg_map_x12_reader *r, const struct dg_x12_set *set, dg_doc_sink sink,
                        void *ctx, dg_error *err);
void dg_map_x12_reader_free(dg_map_x12_reader *r);
/* The ST01 an inbound X12 mapping reads ("856"), NULL for other formats. */
const char *dg_map_x12_set_id(const dg_mapping *m);
/* Tests only: on, every inbound X12 path is evaluated alone from its scope, not through its
 * rule list's plan (the walk that finds every loop of a scope at once), and conditions and
 * qualifiers are compared as text, not as packed keys, so a test can compare the two. */
void dg_map_debug_x12_paths_alone(bool on);
/* Tests only: off, every plan's walk is walked, never answered from the memo of the last walk
 * of the same shape (on by default), so a test can compare the two. */
void dg_map_debug_x12_walk_memo(bool on);

/* One document of a file that the mapping did not turn into a canonical document. */
typedef struct dg_map_outcome {
    bool skipped;       /* true: every element of a filtered group was left out (skip_when /
                           only_when: a gift-card-only order); false: it failed */
    const char *unit;   /* "row", "segment", "line": where position counts */
    long position;      /* where the document starts in the file */
    const char *key;    /* its key when known (the CSV group_by value), else NULL */
    const char *reason; /* the mapping's message: rule, value and input position */
} dg_map_outcome;
typedef int (*dg_map_outcome_sink)(void *ctx, const dg_map_outcome *o, dg_error *err);

/* A file is a batch of documents: like dg_map_read_file, but a document the mapping cannot
 * complete (a required value missing, a bad date or number) goes to outcome and the reader
 * goes on with the next one. File-level problems (unreadable, malformed, a header column the
 * mapping needs is missing) still stop the read with an error. Both sinks share ctx. */
int dg_map_read_each(const dg_mapping *m, const char *path, dg_doc_sink sink,
                     dg_map_outcome_sink outcome, void *ctx, dg_error *err);

/* Envelope values for outbound X12 (ignored by other formats). Control numbers come from the
 * state store so that a re-send reproduces the same bytes. */
typedef struct dg_x12_defs dg_x12_defs;

typedef struct dg_map_envelope {
    const char *sender_qualifier, *sender_id;     /* ISA05/06, GS02 */
    const char *receiver_qualifier, *receiver_id; /* ISA07/08, GS03 */
    long interchange_control;                     /* ISA13 */
    long group_control;                           /* GS06 */
    long first_set_control;                       /* ST02 of the first set, then +1 */
    const char *date;                             /* CCYYMMDD; NULL: today */
    const char *time;                             /* HHMM; NULL: now */
    bool test;                                    /* ISA15 T instead of P */
    /* edi/ definitions, or NULL. When set, each segment is fitted to its definition (see
     * mappings/README.md, "Valid X12 out") and the whole output is validated: a document that
     * would not validate is refused with DG_EVALID and the validator's message. */
    const dg_x12_defs *defs;
} dg_map_envelope;

/* Outbound: whether one file can hold several documents (false for json single: true and for
 * XML whose document is its root, such as cXML). */
bool dg_map_writes_many(const dg_mapping *m);

/* Outbound: writes docs (all of the mapping's kind) as one partner file into out. */
int dg_map_write(const dg_mapping *m, dg_doc *const *docs, size_t n, const dg_map_envelope *env,
                 dg_buf *out, dg_error *err);

#endif
