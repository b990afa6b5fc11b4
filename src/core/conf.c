/* libyaml event stream -> dg_node tree. Owns all strings; dg_conf_free releases the tree. */
#include "core/conf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/buf.h"
#include "core/fs.h"

typedef struct {
    yaml_parser_t parser;
    const char *file;
    dg_error *err;
    int depth; /* maps and lists open around the current event */
} ctx;

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        abort();
    return p;
}

static dg_node *node_new(dg_node_type t, const yaml_event_t *ev, const char *file)
{
    dg_node *n = xcalloc(1, sizeof *n);
    n->type = t;
    n->line = (int)ev->start_mark.line + 1;
    n->column = (int)ev->start_mark.column + 1;
    n->file = file;
    return n;
}

static void node_push(dg_node *parent, dg_node *child)
{
    dg_node **p = realloc(parent->items, (parent->n_items + 1) * sizeof *p);
    if (!p)
        abort();
    parent->items = p;
    parent->items[parent->n_items++] = child;
}

static int next_event(ctx *c, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&c->parser, ev))
        return dg_error_set(c->err, DG_ECONFIG, "%s:%zu:%zu: YAML error: %s", c->file,
                            c->parser.problem_mark.line + 1, c->parser.problem_mark.column + 1,
                            c->parser.problem ? c->parser.problem : "syntax error");
    return 0;
}

static int parse_node(ctx *c, yaml_event_t *ev, dg_node **out);

static int parse_children(ctx *c, dg_node *n, yaml_event_type_t end)
{
    for (;;) {
        yaml_event_t ev;
        int rc = next_event(c, &ev);
        if (rc)
            return rc;
        if (ev.type == end) {
            yaml_event_delete(&ev);
            return 0;
        }
        char *key = NULL;
        if (n->type == DG_NODE_MAP) {
            if (ev.type != YAML_SCALAR_EVENT) {
                rc = dg_error_set(c->err, DG_ECONFIG, "%s:%zu: map keys must be plain text",
                                  c->file, ev.start_mark.line + 1);
                yaml_event_delete(&ev);
                return rc;
            }
            key = xstrdup((const char *)ev.data.scalar.value);
            yaml_event_delete(&ev);
            if ((rc = next_event(c, &ev))) {
                free(key);
                return rc;
            }
        }
        dg_node *child = NULL;
        rc = parse_node(c, &ev, &child);
        yaml_event_delete(&ev);
        if (rc) {
            free(key);
            return rc;
        }
        child->key = key;
        node_push(n, child);
    }
}

static int parse_node(ctx *c, yaml_event_t *ev, dg_node **out)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        dg_node *n = node_new(DG_NODE_SCALAR, ev, c->file);
        n->value = xstrdup((const char *)ev->data.scalar.value);
        n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        *out = n;
        return 0;
    }
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT: {
        bool map = ev->type == YAML_MAPPING_START_EVENT;
        if (c->depth >= DG_CONF_MAX_DEPTH)
            return dg_error_set(c->err, DG_ECONFIG,
                                "%s:%zu: maps and lists nested deeper than %d levels", c->file,
                                ev->start_mark.line + 1, DG_CONF_MAX_DEPTH);
        dg_node *n = node_new(map ? DG_NODE_MAP : DG_NODE_SEQ, ev, c->file);
        c->depth++;
        int rc = parse_children(c, n, map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT);
        c->depth--;
        if (rc) {
            dg_conf_free(n);
            return rc;
        }
        *out = n;
        return 0;
    }
    case YAML_ALIAS_EVENT:
        return dg_error_set(c->err, DG_ECONFIG, "%s:%zu: YAML aliases are not supported", c->file,
                            ev->start_mark.line + 1);
    default:
        return dg_error_set(c->err, DG_ECONFIG, "%s:%zu: unexpected YAML structure", c->file,
                            ev->start_mark.line + 1);
    }
}

int dg_conf_parse(const char *text, size_t len, const char *name, dg_node **root, dg_error *err)
{
    /* every node points at this copy (owned by the root), so messages outlive the caller's name */
    char *file = xstrdup(name);
    ctx c = {.file = file, .err = err};
    *root = NULL;
    yaml_parser_initialize(&c.parser);
    yaml_parser_set_input_string(&c.parser, (const unsigned char *)text, len);
    int rc = 0;
    dg_node *doc = NULL;
    for (;;) {
        yaml_event_t ev;
        if ((rc = next_event(&c, &ev)))
            break;
        yaml_event_type_t t = ev.type;
        if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT ||
            t == YAML_SCALAR_EVENT) {
            if (doc) {
                yaml_event_delete(&ev);
                rc = dg_error_set(err, DG_ECONFIG, "%s: only one YAML document is allowed", name);
                break;
            }
            rc = parse_node(&c, &ev, &doc);
        }
        yaml_event_delete(&ev);
        if (rc || t == YAML_STREAM_END_EVENT)
            break;
    }
    yaml_parser_delete(&c.parser);
    if (!rc && !doc)
        rc = dg_error_set(err, DG_ECONFIG, "%s: empty YAML document", name);
    if (rc) {
        dg_conf_free(doc);
        free(file);
        return rc;
    }
    doc->owned_file = file;
    *root = doc;
    return 0;
}

int dg_conf_load(const char *path, dg_node **root, dg_error *err)
{
    dg_buf b = DG_BUF_INIT;
    int rc = dg_fs_read_all(path, &b, err);
    if (rc == 0)
        rc = dg_conf_parse(b.data, b.len, path, root, err);
    dg_buf_free(&b);
    return rc;
}

static void free_rec(dg_node *n)
{
    for (size_t i = 0; i < n->n_items; i++)
        free_rec(n->items[i]);
    free(n->items);
    free(n->key);
    free(n->value);
    free(n);
}

void dg_conf_free(dg_node *root)
{
    if (!root)
        return;
    char *owned = root->owned_file;
    free_rec(root);
    free(owned);
}

const dg_node *dg_conf_get(const dg_node *map, const char *key)
{
    if (!map || map->type != DG_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n_items; i++)
        if (!strcmp(map->items[i]->key, key))
            return map->items[i];
    return NULL;
}

const char *dg_conf_str(const dg_node *map, const char *key, const char *def)
{
    const dg_node *n = dg_conf_get(map, key);
    return n && n->type == DG_NODE_SCALAR ? n->value : def;
}

const char *dg_conf_where(const dg_node *n, char *buf, size_t size)
{
    snprintf(buf, size, "%s:%d", n && n->file ? n->file : "?", n ? n->line : 0);
    return buf;
}

int dg_conf_long(const dg_node *map, const char *key, long def, long *out, dg_error *err)
{
    const dg_node *n = dg_conf_get(map, key);
    *out = def;
    if (!n)
        return 0;
    char where[512];
    if (n->type != DG_NODE_SCALAR)
        return dg_error_set(err, DG_ECONFIG, "%s: '%s' must be a number",
                            dg_conf_where(n, where, sizeof where), key);
    char *end;
    errno = 0;
    long v = strtol(n->value, &end, 10);
    if (errno || end == n->value || *end)
        return dg_error_set(err, DG_ECONFIG, "%s: '%s' must be a whole number, not '%s'",
                            dg_conf_where(n, where, sizeof where), key, n->value);
    *out = v;
    return 0;
}

int dg_conf_bool(const dg_node *map, const char *key, bool def, bool *out, dg_error *err)
{
    const dg_node *n = dg_conf_get(map, key);
    *out = def;
    if (!n)
        return 0;
    const char *v = n->type == DG_NODE_SCALAR ? n->value : "";
    if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on"))
        *out = true;
    else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off"))
        *out = false;
    else {
        char where[512];
        return dg_error_set(err, DG_ECONFIG, "%s: '%s' must be true or false, not '%s'",
                            dg_conf_where(n, where, sizeof where), key, v);
    }
    return 0;
}

const char *dg_conf_shape_name(const dg_node *n)
{
    if (!n)
        return "missing";
    if (n->type == DG_NODE_MAP)
        return "a map";
    if (n->type == DG_NODE_SEQ)
        return "a list";
    if (!n->quoted &&
        (!n->value || !*n->value || !strcmp(n->value, "~") || !strcmp(n->value, "null") ||
         !strcmp(n->value, "Null") || !strcmp(n->value, "NULL")))
        return "empty";
    return "text";
}

static unsigned shape_bit(const dg_node *n)
{
    return n->type == DG_NODE_MAP   ? DG_SHAPE_MAP
           : n->type == DG_NODE_SEQ ? DG_SHAPE_LIST
                                    : DG_SHAPE_TEXT;
}

static const char *shapes_wanted(unsigned shapes)
{
    switch (shapes) {
    case DG_SHAPE_TEXT: return "text";
    case DG_SHAPE_MAP: return "a map";
    case DG_SHAPE_LIST: return "a list";
    case DG_SHAPE_TEXT | DG_SHAPE_LIST: return "text or a list";
    case DG_SHAPE_TEXT | DG_SHAPE_MAP: return "text or a map";
    case DG_SHAPE_MAP | DG_SHAPE_LIST: return "a map or a list";
    default: return "a value";
    }
}

int dg_conf_check(const dg_node *n, const char *what, const dg_conf_key *keys, dg_error *err)
{
    char where[512];
    if (!n || n->type != DG_NODE_MAP)
        return dg_error_set(err, DG_ECONFIG, "%s: %s must be a map of keys, not %s",
                            dg_conf_where(n, where, sizeof where), what, dg_conf_shape_name(n));
    for (size_t i = 0; i < n->n_items; i++) {
        const dg_node *v = n->items[i];
        const char *k = v->key ? v->key : "";
        const dg_conf_key *kk = keys;
        while (kk->key && strcmp(kk->key, k))
            kk++;
        if (!kk->key)
            return dg_error_set(err, DG_ECONFIG, "%s: unknown key '%s' in %s",
                                dg_conf_where(v, where, sizeof where), k, what);
        if (!(kk->shapes & shape_bit(v)))
            return dg_error_set(err, DG_ECONFIG, "%s: '%s' in %s must be %s, not %s",
                                dg_conf_where(v, where, sizeof where), k, what,
                                shapes_wanted(kk->shapes), dg_conf_shape_name(v));
    }
    return 0;
}
