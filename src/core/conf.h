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
    int line, column;   /* 1-based position in the YAML file */
    char *key;          /* set when this node is a value inside a map */
    char *value;        /* scalars only */
    bool quoted;        /* scalar was quoted (so "123" stays text, ~ is not null) */
    dg_node **items;    /* map values (each with key) or sequence items, in file order */
    size_t n_items;
    const char *file;   /* the file it came from, for messages */
    char *owned_file;   /* root only: the storage behind file */
};

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
/* "file:line" prefix for messages about node n. */
const char *dg_conf_where(const dg_node *n, char *buf, size_t size);

#endif
