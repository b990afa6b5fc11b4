/* Internal structures of a loaded mapping, shared by the loader, the rule engine and the
 * format adapters (x12, csv, xml, json). Everything lives in the mapping's arena. */
#ifndef DG_MAP_INTERNAL_H
#define DG_MAP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/conf.h"
#include "core/error.h"
#include "core/model.h"
#include "core/model_fields.h"
#include "map/map.h"
#include "x12/defs.h"

/* Default inbound cap on one value: no real name, address or note comes near it, and a 10 MB
 * "ship-to name" must not travel into the store and a supplier's PO. A rule's max_bytes
 * raises or lowers it. */
#define MAP_MAX_VALUE_BYTES 4096
#define MAP_MAX_VALUE_LIMIT (16 * 1024 * 1024)

typedef struct map_table {
    const char *name;
    const char **keys, **vals;
    size_t *klens;   /* strlen of each key, so a lookup compares lengths first */
    uint64_t *kpack; /* keys of up to 8 bytes as map_fold8 packs them (0: compared as text) */
    size_t n;
    /* open-addressed index of the packed keys: slot -> 1 + the first entry with that length
     * and kpack (0: free), hmask + 1 slots; NULL when the table has no packed key */
    uint32_t *hidx;
    uint32_t hmask;
    const char *dflt; /* "_default" entry: value for codes not in the table */
} map_table;

enum { MAP_CASE_NONE, MAP_CASE_UPPER, MAP_CASE_LOWER };

/* Special values an outbound placeholder can name instead of a canonical field. */
enum {
    MAP_SPECIAL_NONE,
    MAP_SPECIAL_INDEX,     /* {index}: 1-based position in the current loop */
    MAP_SPECIAL_COUNT,     /* {count:lines} */
    MAP_SPECIAL_SUM,       /* {sum:lines[].quantity} */
    MAP_SPECIAL_HL,        /* {hl}: this HL segment's number */
    MAP_SPECIAL_HL_PARENT, /* {hl_parent}: the parent level's HL number */
    MAP_SPECIAL_HL_COUNT,  /* {hl_count}: HL segments written so far in the set (CTT01 of 856) */
    MAP_SPECIAL_FILE_DATE, /* {file_date}: date the file is written (X12: the envelope's), ISO */
    MAP_SPECIAL_FILE_TIME, /* {file_time}: time the file is written (X12: the envelope's), ISO */
};

/* One rule: inbound it fills field from partner sources; outbound (a placeholder inside a
 * template) it renders field as partner text. The transforms are the same words both ways. */
typedef struct map_rule {
    const char *file;  /* mapping file, for messages */
    int line;          /* YAML line */
    const char *label; /* the rule's name in messages: target path or column/element */
    const dg_field *field;
    int special, special_group;
    /* inbound sources, compiled by the format adapter */
    const char **src;
    void **src_c;
    size_t n_src;
    const char *join;
    bool first; /* first_of: the first non-empty source wins (no concatenation) */
    const char *cnst, *dflt;
    bool required, trim;
    bool plain;    /* inbound: one source into a text field, no transform but trim */
    bool optional; /* CSV in: a source column the header lacks reads as empty */
    int case_;
    const map_table *table;
    bool table_strict;
    bool table_known;        /* outbound "known": a code not in the table empties the value */
    const char *date, *time; /* partner-side patterns, strftime-like ("%Y%m%d") */
    int implied;             /* implied decimals (X12 N2): "1234" is 12.34 */
    int places;              /* outbound: fixed decimals, -1 as stored */
    char dec_sep, thou_sep;
    const char *strip; /* characters removed before a number is parsed ("$ ") */
    size_t max_len;    /* outbound: cut to this many characters (0: no limit) */
    size_t max_bytes;  /* inbound: a longer value is an error (MAP_MAX_VALUE_BYTES) */
    const char *pair;  /* outbound X12: "VP" writes two elements VP*value, none if empty */
    bool abs;          /* outbound: absolute value of a number */
    const char *sign_neg, *sign_pos; /* outbound: "sign:A/C" writes A for negatives, C else */
    const char *negate_if;           /* inbound X12: "SAC01=A" makes the number negative */
    void *negate_c;
    /* outbound "or:NAME": when the value is empty, this field or special (file_time) instead,
     * through the same transforms */
    const dg_field *alt_field;
    int alt_special;
} map_rule;

/* Outbound template: literal text and placeholders ({field|transform|...}). */
typedef struct map_tpl_part {
    const char *lit; /* literal when rule is NULL */
    map_rule *rule;
} map_tpl_part;

typedef struct map_tpl {
    map_tpl_part *parts;
    size_t n;
} map_tpl;

/* skip_when / only_when on a group: an element whose source value is (skip) or is not (only)
 * one of equals is left out (trimmed, ASCII case-insensitive). Without a status it is dropped
 * (a header row, a test order's lines); with one (order lines only) it stays in the order with
 * that status and reason, marked not to be routed (a gift card: NOT_SHIPPABLE). */
typedef struct map_filter {
    int line;
    const char *source; /* CSV column, XPath relative to the element */
    void *source_c;
    const char **equals;
    size_t n_equals;
    bool only;
    const char *status, *reason; /* DG_LINE_NOT_SHIPPABLE ..., its reason; NULL: dropped */
} map_filter;

/* Inbound repeated group: each partner loop/row/node -> one element of a canonical group. */
typedef struct map_group {
    int line;
    int group;        /* canonical group index */
    const char *each; /* partner selector (X12 "PO1" / "HL[HL03=P]", CSV "row", XPath) */
    void *each_c;
    const dg_field *unique; /* skip a new element whose value equals an existing one's */
    const dg_field *number; /* filled with the 1-based element number when left empty */
    const char *when;       /* only loops/rows/nodes where this source is non-empty */
    const char **whens;     /* X12: 'when' as a list, any of them non-empty (whens[0] == when) */
    size_t n_whens;
    void **whens_c;
    int if_empty;       /* only when this group has no elements yet (-1: always) */
    bool each_document; /* X12 "each: document": one element per document, header scope */
    bool once;          /* CSV: only from the first row of each document (header charges) */
    const char *within; /* X12: loops found only inside loops of this step ("PO1": line SACs);
                           rules reach the enclosing loop with "outer/" */
    void *within_c;
    const char **body; /* X12: the segments a loop holds after its first ([CUR] for SAC); the
                          loop ends at any other. NULL: to the next same segment or 'until' */
    size_t n_body;
    uint32_t *body_c; /* packed ids */
    void *when_c;
    map_filter *filters; /* skip_when / only_when (CSV and XML) */
    size_t n_filters;
    map_rule *rules;
    size_t n_rules;
    void *plan_c; /* X12: the rules' paths as one tree of loops (xplan) */
} map_group;

/* Outbound node: an X12 segment, a CSV column, an XML element/attribute, or a loop of them. */
typedef struct map_out {
    int line;
    const char *name; /* segment id, column header, XML path */
    map_tpl *vals;    /* X12: elements; CSV/XML: vals[0] */
    size_t n_vals;
    const dg_field *when;                          /* written only when this field is present */
    int each;                                      /* canonical group to loop over, -1 none */
    const dg_field *match_child, *match_parent[2]; /* nested loops: child.x == parent.y|z */
    int if_empty;  /* loop only when this group has no elements (-1: always) */
    int unmatched; /* with match: only elements matching no element of this group */
    int hl_level;  /* X12 HL: hierarchical level 1.., 0 none */
    int json_type; /* JSON: MAP_JSON_STRING, _NUMBER or _BOOLEAN */
    struct map_out *kids;
    size_t n_kids;
} map_out;

typedef struct map_csv_opts {
    char delim, quote;
    bool header, single_document, allow_short_rows;
    const char *group_by;
    long group_col; /* resolved column, -1 none */
    long skip_rows;
    bool latin1;
    const char *each_group; /* outbound: one row per element of this group */
    int each_out;
    const char *line_end;
    bool escape_formulas; /* outbound: quote cells a spreadsheet would run (default true) */
} map_csv_opts;

typedef struct map_x12_opts {
    const char *set_id; /* "850" */
    const char **until; /* segments that end the detail loops (CTT, SE ...) */
    size_t n_until;
    const char *functional_id, *version, *isa_version;
    char elem_sep, comp_sep, seg_term, rep_sep;
    const char *seg_suffix; /* written after each terminator ("\n") */
    size_t n_step_uids;     /* distinct loop steps in the paths (map_x12.c caches their lookups) */
    const char *document_per; /* inbound: one document per loop of this step ("HL[HL03=O]") */
    void *document_per_c;
    void *plan_c;     /* inbound: the header rules' paths as one tree of loops (xplan) */
    size_t max_plan;  /* nodes of the largest plan (the header's or a group's) */
    size_t n_plans;   /* plans (the header's and each group's): a reader keeps a walk memo each */
    bool needs_index; /* paths evaluated alone over long scopes: index each set's ids */
} map_x12_opts;

typedef struct map_xml_ns {
    const char *prefix, *uri;
} map_xml_ns;

typedef struct map_xml_opts {
    map_xml_ns *ns;
    size_t n_ns;
    const char *documents; /* inbound: XPath selecting one node per document */
    void *documents_c;
    const char *root, *document; /* outbound: root element and per-document element path */
    const char *ns_uri;          /* outbound default namespace */
    const char *doctype;         /* outbound DOCTYPE's system id (cXML's DTD URL), or NULL */
} map_xml_opts;

enum { MAP_JSON_STRING, MAP_JSON_NUMBER, MAP_JSON_BOOLEAN };

typedef struct map_json_opts {
    const char **documents; /* inbound: paths to the documents, alternatives in order */
    size_t n_documents;
    const void **documents_c;
    long max_document_bytes;
    const char *root, *wrap; /* outbound: {"root": [docs]}, each doc as {"wrap": {...}} */
    bool single;             /* outbound: the file is one document, not an array */
} map_json_opts;

struct dg_mapping {
    dg_arena *arena;
    dg_node *conf;
    const char *path, *name;
    dg_map_direction dir;
    dg_doc_kind kind;
    const char *format;
    bool cancel_remaining; /* cancel_lines: remaining (see dg_map_cancel_remaining) */
    map_table *tables;
    size_t n_tables;
    map_rule *rules; /* inbound document-level rules */
    size_t n_rules;
    map_group *groups;
    size_t n_groups;
    map_out *outs; /* outbound segments / columns / elements */
    size_t n_outs;
    map_csv_opts csv;
    map_x12_opts x12;
    map_xml_opts xml;
    map_json_opts json;
    void *xml_priv; /* compiled XPath state owned by the xml adapter */
};

/* Input position for messages, formatted only when an error happens. */
typedef struct map_pos {
    const char *unit; /* "row", "segment", "line" */
    long n;
    const char *detail; /* segment id or element name, may be NULL */
} map_pos;

/* Rule engine (map_rule.c). */
/* A code of up to 8 bytes, ASCII upper-cased (as strncasecmp compares in the C locale), packed
 * in one number: a table lookup compares lengths and numbers instead of calling strncasecmp. */
static inline uint64_t map_fold8(const char *s, size_t len)
{
    uint64_t k = 0;
    for (size_t i = 0; i < len && i < 8; i++) {
        unsigned char c = (unsigned char)s[i];
        k |= (uint64_t)(c >= 'a' && c <= 'z' ? c - 32 : c) << (8 * i);
    }
    return k;
}
/* The slot a packed key of len bytes starts its probe at in a table's index (map_table_index). */
static inline uint32_t map_table_slot(uint64_t k, size_t len, uint32_t mask)
{
    uint64_t h = (k ^ len) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> 40) & mask;
}
/* true: map_table_find scans every key (the reference the tests compare the index with) */
extern bool map_table_reference;
/* Builds t's index of packed keys once its entries are read. */
void map_table_index(dg_arena *a, map_table *t);
/* The value table t gives code s (its default for a code it lacks), NULL when none. */
const char *map_table_find(const map_table *t, const char *s, size_t len);
/* Days of month m (1-12) of year y, leap years counted. */
int map_days_in_month(int y, int m);
int map_apply_any(const dg_mapping *m, const map_rule *r, const char *const *vals,
                  const size_t *lens, size_t n, dg_doc *doc, void *rec, const map_pos *pos,
                  dg_error *err);
/* The blanks trim takes off both ends of a value. */
static inline bool map_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
/* Takes the blanks off both ends of the len bytes at *s. */
static inline void map_trim(const char **s, size_t *len)
{
    while (*len && map_is_space(**s))
        ++*s, --*len;
    while (*len && map_is_space((*s)[*len - 1]))
        --*len;
}
/* Sets r's field from its source values (NULL: absent). A plain rule with a value that fits is
 * done here, inline: that is most values of every inbound document, and the general engine's
 * tests and its call cost a fifth of a CSV translate; anything else (empty, too long, defaults,
 * tables, dates, numbers...) goes to map_apply_any, which gives the same for the plain case. */
static inline int map_apply_in(const dg_mapping *m, const map_rule *r, const char *const *vals,
                               const size_t *lens, size_t n, dg_doc *doc, void *rec,
                               const map_pos *pos, dg_error *err)
{
    if (r->plain && n == 1 && vals[0]) {
        const char *s = vals[0];
        size_t len = lens[0];
        if (r->trim)
            map_trim(&s, &len);
        if (len && len <= r->max_bytes) {
            *dg_field_str(rec, r->field) = dg_arena_strndup(doc->arena, s, len);
            return 0;
        }
    }
    return map_apply_any(m, r, vals, lens, n, doc, rec, pos, err);
}
/* After a group element is filled: numbering and de-duplication. Returns false when the
 * element duplicates an earlier one (by 'unique') and was dropped. */
bool map_group_finish(const map_group *g, dg_doc *doc, size_t idx);
/* Loop state for outbound rendering. */
typedef struct map_out_ctx {
    dg_doc *doc;
    int group;       /* current loop group or -1 */
    size_t idx;      /* element index in that group */
    int outer_group; /* enclosing loop (nested loops), -1 none */
    size_t outer_idx;
    long hl_self, hl_parent, hl_count;
    size_t doc_no;                     /* 1-based document number in the batch, for messages */
    const char *file_date, *file_time; /* ISO date/time the file is written; NULL: now (UTC) */
} map_out_ctx;
/* Renders a template into out; returns 0 or DG_EMAP (required value missing, bad date...). */
int map_render(const dg_mapping *m, const map_tpl *t, const map_out_ctx *c, dg_buf *out,
               dg_error *err);
/* Whether element k of loop o's group takes part (its 'match' / 'unmatched'). */
bool map_out_matches(const map_out *o, const map_out_ctx *c, size_t k);
/* Record a field lives in for the loop context (body, current or outer element), or NULL. */
void *map_out_record(const map_out_ctx *c, const dg_field *f);
int map_err(dg_error *err, int code, const map_rule *r, const map_pos *pos, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
const char *map_pos_text(const map_pos *pos, char *buf, size_t size);

/* Loader helpers shared by the adapters (map_load.c). */
int map_where_err(dg_error *err, const dg_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- filters (map_filter.c), shared by the csv, xml and json readers ---- */

/* Whether value v (len bytes, NULL: absent) leaves the element out under filter f. */
bool map_filter_leaves_out(const map_filter *f, const char *v, size_t len);
typedef enum { MAP_KEEP, MAP_DROP, MAP_CARRY } map_verdict;
/* The value of filter k's source for the element being read (NULL: absent); the text stays
 * valid until the next call. */
typedef const char *(*map_filter_src)(void *ctx, size_t k, size_t *len);
/* What g's filters make of one element: DROP when a filter without a status leaves it out
 * (it wins: a test order's gift card is dropped too), CARRY when only filters with a status
 * do (*by: the first of them), else KEEP. */
map_verdict map_filter_element(const map_group *g, map_filter_src src, void *ctx,
                               const map_filter **by);
/* Gives a carried element (rec: its record, an order line) the status and reason of f. */
void map_filter_carry(const map_filter *f, dg_doc *doc, void *rec);

/* What the filters did to one document, group by group (a reader keeps one per document). */
enum { MAP_SEEN_KEPT = 1, MAP_SEEN_DROPPED = 2, MAP_SEEN_CARRIED = 4 };
typedef struct map_tally {
    unsigned char *seen;     /* per group: MAP_SEEN_* bits */
    const map_filter **drop; /* per group: the last filter that dropped an element */
    size_t n;
} map_tally;
void map_tally_init(map_tally *t, const dg_mapping *m);
void map_tally_reset(map_tally *t);
void map_tally_free(map_tally *t);
void map_tally_add(map_tally *t, const dg_mapping *m, const map_group *g, map_verdict v,
                   const map_filter *by);
/* A filtered group that dropped every element and kept or carried none: the document is
 * skipped (a test order), why says so naming the group and its filter. NULL: not skipped. */
const map_group *map_tally_skipped(const map_tally *t, const dg_mapping *m, const char *unit,
                                   dg_error *why);

/* A document's mapping failures. The first one is the document's reason; the reader still
 * maps the rest of it, because an order whose every line a filter carried with a status has
 * nothing to route: what the mapping could not fill (a gift-card order has no ship-to) is no
 * failure then, and the order is recorded with those line statuses. */
typedef struct map_fail {
    bool failed;
    dg_error why;
} map_fail;
/* rc of a rule: DG_EMAP is noted in f (the first kept, err cleared) and 0 returned so the
 * reader goes on; other codes come back (a mapping bug, out of memory). */
int map_fail_note(map_fail *f, int rc, dg_error *err);
/* Whether a failed document is still handed on: an order whose lines are all carried. */
bool map_fail_forgiven(const map_fail *f, const dg_doc *doc);

/* Where an inbound adapter hands its results: documents to sink, per-document failures to
 * outcome (NULL: the first failure stops the read, as dg_map_read_file promises). */
typedef struct map_reader {
    dg_doc_sink sink;
    dg_map_outcome_sink outcome;
    void *ctx;
} map_reader;
/* Reports one document that was not mapped; without an outcome sink err keeps why and the
 * read stops (returns why's code). */
int map_report(const map_reader *rd, bool skipped, const char *unit, long position, const char *key,
               const dg_error *why, dg_error *err);

/* Format adapters. */
/* Compiles one source path of a mapping (an XPath, a JSON path) read at line; NULL with err set. */
typedef void *(*map_path_compiler)(dg_mapping *m, const char *src, int line, dg_error *err);
/* Compiles, with fn, every path an inbound tree mapping (XML, JSON) reads: each rule's sources,
 * and each group's each, when and filter sources and its rules' sources. */
int map_compile_paths(dg_mapping *m, map_path_compiler fn, dg_error *err);
int map_csv_compile(dg_mapping *m, dg_error *err);
int map_csv_read(const dg_mapping *m, const char *path, const map_reader *rd, dg_error *err);
int map_csv_write(const dg_mapping *m, dg_doc *const *docs, size_t n, dg_buf *out, dg_error *err);
int map_x12_compile(dg_mapping *m, dg_error *err);
int map_x12_read(const dg_mapping *m, const char *path, const map_reader *rd, dg_error *err);
int map_x12_write(const dg_mapping *m, dg_doc *const *docs, size_t n, const dg_map_envelope *env,
                  dg_buf *out, dg_error *err);
/* Sources one rule may list (first_of over every level a partner may use). */
enum { MAP_MAX_SOURCES = 12 };
/* Spare bytes after each rendered X12 value, so map_x12_tidy can pad text to its minimum. */
enum { MAP_X12_PAD = 16 };
/* Fits one rendered segment (els[0..*n), each writable with MAP_X12_PAD spare bytes) to its
 * edi/ definition: blanks trimmed, syntax notes met by leaving out the lone half of a pair or a
 * condition without its partner, text cut/padded to its length; *write false (and why) when
 * the segment lacks a required value. DG_EMAP (naming the element) for a value that cannot fit. */
int map_x12_tidy(const dg_x12_seg_def *sd, char **els, int *n, bool *write, char *why,
                 size_t why_size, dg_error *err);
int map_xml_compile(dg_mapping *m, dg_error *err);
void map_xml_release(dg_mapping *m);
int map_xml_read(const dg_mapping *m, const char *path, const map_reader *rd, dg_error *err);
int map_xml_write(const dg_mapping *m, dg_doc *const *docs, size_t n, dg_buf *out, dg_error *err);
int map_json_compile(dg_mapping *m, dg_error *err);
int map_json_read(const dg_mapping *m, const char *path, const map_reader *rd, dg_error *err);
int map_json_write(const dg_mapping *m, dg_doc *const *docs, size_t n, dg_buf *out, dg_error *err);

#endif
