/* Field descriptors for the canonical model: every field reachable by a path such as
 * "ship_to.city" or "lines[].quantity", so the mapping engine and JSON need no big switches. */
#ifndef DG_CORE_MODEL_FIELDS_H
#define DG_CORE_MODEL_FIELDS_H

#include <stddef.h>

#include "core/decimal.h"
#include "core/model.h"

typedef enum {
    DG_FIELD_STR,   /* char * in the document's arena */
    DG_FIELD_DEC,   /* dg_dec quantity: written shortest ("3", "2.5") */
    DG_FIELD_MONEY, /* dg_dec amount: written with at least 2 decimals ("12.50") */
} dg_field_type;

/* Where a field's record lives: the document body, its source block, or a repeated group. */
#define DG_FIELD_BODY (-1)
#define DG_FIELD_SOURCE (-2)

typedef struct dg_field {
    const char *path;   /* "order_number", "ship_to.city", "lines[].quantity", "source.sender_id" */
    const char *name;   /* last part: "city" */
    const char *object; /* enclosing object in the body ("ship_to"), NULL when top level */
    dg_field_type type;
    int group;     /* DG_FIELD_BODY, DG_FIELD_SOURCE or an index into the kind's groups */
    size_t offset; /* from the record base */
} dg_field;

typedef struct dg_field_group {
    const char *name; /* "lines", "packages", "items", "charges" */
    size_t elem_size;
    size_t items_off, n_off, cap_off; /* within the document body (the union member) */
} dg_field_group;

/* All fields of a kind, in the order the JSON form writes them. */
const dg_field *dg_fields_list(dg_doc_kind kind, size_t *n);
const dg_field_group *dg_fields_groups(dg_doc_kind kind, size_t *n);
/* Field by path; inside a group the "lines[]." prefix may be left out when group >= 0 is given
 * (pass DG_FIELD_BODY to require full paths). NULL when unknown. */
const dg_field *dg_fields_find(dg_doc_kind kind, const char *path, int group);
/* Group index by name ("lines"), or -1. */
int dg_fields_group_index(dg_doc_kind kind, const char *name);

/* Record base for a field's record: body, source, or element idx of the field's group. */
void *dg_fields_record(dg_doc *doc, int group, size_t idx);
size_t dg_fields_count(const dg_doc *doc, int group);
/* Appends a zeroed element to the group and returns its index. */
size_t dg_fields_add(dg_doc *doc, int group);

/* Accessors on a record base. */
static inline char **dg_field_str(void *rec, const dg_field *f)
{
    return (char **)(void *)((char *)rec + f->offset);
}
static inline dg_dec *dg_field_dec(void *rec, const dg_field *f)
{
    return (dg_dec *)(void *)((char *)rec + f->offset);
}
/* True when the field holds a value (non-NULL string / set decimal). */
int dg_field_present(void *rec, const dg_field *f);
/* Text of the field (decimals formatted as in JSON) into buf; NULL when absent. */
const char *dg_field_text(void *rec, const dg_field *f, char *buf, size_t size);

#endif
