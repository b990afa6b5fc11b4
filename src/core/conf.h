/* YAML configuration as a small tree with line numbers (libyaml), shared by partner configs
 * (etc/) and mapping files (mappings/), so every config error can name file and line. */
#ifndef DG_CORE_CONF_H
#define DG_CORE_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

typedef enum { DG_NODE_SCALAR, DG_NODE_MAP, DG_NODE_SEQ } dg_node_type;

typedef struct dg_node dg_node;
struct dg_node {
    dg_node_type type;
    int line, column; /* 1-based position in the YAML file */
    char *key;        /* set when this node is a value inside a map */
    char *value;      /* scalars only */
    bool quoted;      /* scalar was quoted (so "123" stays text, ~ is not null) */
    dg_node **items;  /* map values (each with key) or sequence items, in file order */
    size_t n_items;
    const char *file; /* the file it came from, for messages */
    char *owned_file; /* root only: the storage behind file */
};

/* Deepest nesting of maps and lists accepted: real configs need about 8 levels; a cap keeps a
 * hostile file (`a: [[[[...` 50,000 deep) from overflowing the stack in the recursive parser. */
#define DG_CONF_MAX_DEPTH 64

/* Parses a YAML file (no anchors/aliases, no multi-document) into a tree. */
int dg_conf_load(const char *path, dg_node **root, dg_error *err);
int dg_conf_parse(const char *text, size_t len, const char *name, dg_node **root, dg_error *err);
void dg_conf_free(dg_node *root);

/* Value of key in a map node, or NULL. */
const dg_node *dg_conf_get(const dg_node *map, const char *key);
/* Scalar text of key in a map node, or def when absent. */
const char *dg_conf_str(const dg_node *map, const char *key, const char *def);
/* Integer / boolean value of key; on a malformed value fills err naming file:line and returns
 * DG_ECONFIG. Absent keys give def. */
int dg_conf_long(const dg_node *map, const char *key, long def, long *out, dg_error *err);
int dg_conf_bool(const dg_node *map, const char *key, bool def, bool *out, dg_error *err);
/* Shapes a value may take (or-ed together) in a dg_conf_key table. */
enum { DG_SHAPE_TEXT = 1, DG_SHAPE_MAP = 2, DG_SHAPE_LIST = 4 };
typedef struct {
    const char *key;
    unsigned shapes;
} dg_conf_key;

/* The one shape check for every config block: n must be a map (what names it in messages, e.g.
 * "the 'csv' block"), each of its keys one of keys ({NULL} ends the table), each value of an
 * allowed shape. Fills err with "file:line: ..." and returns DG_ECONFIG otherwise; so a list
 * written where a map belongs, or a map where text belongs, is an error and never ignored. */
int dg_conf_check(const dg_node *n, const char *what, const dg_conf_key *keys, dg_error *err);
/* "a map", "a list", "empty" (blank or ~/null) or "text", for messages. */
const char *dg_conf_shape_name(const dg_node *n);
/* "file:line" prefix for messages about node n. */
const char *dg_conf_where(const dg_node *n, char *buf, size_t size);

#endif
