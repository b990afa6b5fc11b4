/* Mapping-file loader: YAML (mappings/README.md) -> compiled rules, groups, code tables and
 * outbound templates. Unknown keys are errors, so a typo in a mapping never passes silently. */
#include <ctype.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map/map_internal.h"

int map_where_err(dg_error *err, const dg_node *n, const char *fmt, ...)
{
    char msg[700], where[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dg_error_set(err, DG_ECONFIG, "%s: %s", dg_conf_where(n, where, sizeof where), msg);
}

static const char *scalar(const dg_node *n) { return n && n->type == DG_NODE_SCALAR ? n->value : NULL; }

/* Shapes of each block's keys (dg_conf_check): a list where a map belongs, or a map where a value
 * belongs, is an error naming file:line, never a crash or a silently ignored key. */
enum { T = DG_SHAPE_TEXT, M = DG_SHAPE_MAP, L = DG_SHAPE_LIST };

/* Named partner date/time formats -> strftime-like patterns. */
static const char *date_pattern(const char *name)
{
    static const char *const named[][2] = {
        {"CCYYMMDD", "%Y%m%d"},   {"YYYYMMDD", "%Y%m%d"},     {"YYMMDD", "%y%m%d"},
        {"ISO", "%Y-%m-%d"},      {"CCYY-MM-DD", "%Y-%m-%d"}, {"YYYY-MM-DD", "%Y-%m-%d"},
        {"MM/DD/YYYY", "%m/%d/%Y"}, {"DD/MM/YYYY", "%d/%m/%Y"}, {"DD.MM.YYYY", "%d.%m.%Y"},
        {"MM/DD/YY", "%m/%d/%y"}, {"HHMM", "%H%M"},           {"HHMMSS", "%H%M%S"},
        {"HH:MM", "%H:%M"},       {"HH:MM:SS", "%H:%M:%S"},
    };
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (!strcmp(named[i][0], name))
            return named[i][1];
    return strchr(name, '%') ? name : NULL;
}

static const map_table *find_table(const dg_mapping *m, const char *name)
{
    for (size_t i = 0; i < m->n_tables; i++)
        if (!strcmp(m->tables[i].name, name))
            return &m->tables[i];
    return NULL;
}

static char sep_char(const char *v)
{
    if (!v || !*v)
        return 0;
    if (!strcmp(v, "tab") || !strcmp(v, "\\t"))
        return '\t';
    return v[0];
}

/* ---- code tables ---------------------------------------------------------------------------- */

static int table_from_node(dg_mapping *m, map_table *t, const dg_node *n, dg_error *err)
{
    if (n->type != DG_NODE_MAP)
        return map_where_err(err, n, "table '%s' must map codes to values", t->name);
    t->keys = dg_arena_alloc(m->arena, (n->n_items + 1) * sizeof *t->keys);
    t->klens = dg_arena_alloc(m->arena, (n->n_items + 1) * sizeof *t->klens);
    t->vals = dg_arena_alloc(m->arena, (n->n_items + 1) * sizeof *t->vals);
    t->kpack = dg_arena_alloc(m->arena, (n->n_items + 1) * sizeof *t->kpack);
    for (size_t i = 0; i < n->n_items; i++) {
        const dg_node *e = n->items[i];
        if (e->type != DG_NODE_SCALAR)
            return map_where_err(err, e, "table '%s': value of '%s' must be text", t->name, e->key);
        if (!strcmp(e->key, "_default")) {
            t->dflt = dg_arena_strdup(m->arena, e->value);
            continue;
        }
        t->klens[t->n] = strlen(e->key);
        t->keys[t->n] = dg_arena_strdup(m->arena, e->key);
        t->kpack[t->n] = t->klens[t->n] <= 8 ? map_fold8(e->key, t->klens[t->n]) : 0;
        t->vals[t->n++] = dg_arena_strdup(m->arena, e->value);
    }
    map_table_index(m->arena, t);
    return 0;
}

static int load_tables(dg_mapping *m, const dg_node *tabs, dg_error *err)
{
    if (!tabs)
        return 0;
    if (tabs->type != DG_NODE_MAP)
        return map_where_err(err, tabs, "'tables' must be a map of table names");
    m->tables = dg_arena_alloc(m->arena, tabs->n_items * sizeof *m->tables);
    for (size_t i = 0; i < tabs->n_items; i++) {
        const dg_node *tn = tabs->items[i];
        map_table *t = &m->tables[m->n_tables++];
        t->name = dg_arena_strdup(m->arena, tn->key);
        if (tn->type != DG_NODE_SCALAR) {
            int rc = table_from_node(m, t, tn, err);
            if (rc)
                return rc;
            continue;
        }
        /* a file, relative to the mapping file's folder (shared tables in mappings/tables/) */
        char dir[1024], path[2048];
        snprintf(dir, sizeof dir, "%s", m->path);
        snprintf(path, sizeof path, "%s/%s", dirname(dir), tn->value);
        dg_node *root = NULL;
        int rc = dg_conf_load(path, &root, err);
        if (rc) {
            char where[400];
            return dg_error_prefix(err, "%s: table '%s': ", dg_conf_where(tn, where, sizeof where),
                                   t->name);
        }
        rc = table_from_node(m, t, root, err);
        dg_conf_free(root);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- inbound rules -------------------------------------------------------------------------- */

static int parse_int(const dg_node *n, const char *key, int lo, int hi, int *out, dg_error *err)
{
    const char *v = scalar(n);
    char *end;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || !*v || *end || x < lo || x > hi)
        return map_where_err(err, n, "'%s' must be a number from %d to %d", key, lo, hi);
    *out = (int)x;
    return 0;
}

static void rule_defaults(const dg_mapping *m, map_rule *r, const dg_node *n)
{
    r->file = m->path;
    r->line = n->line;
    r->trim = true;
    r->places = -1;
    r->join = " ";
    r->max_bytes = MAP_MAX_VALUE_BYTES;
}

/* Transform keys shared by both directions; returns 1 when key is not one of them. */
static int rule_transform(dg_mapping *m, map_rule *r, const dg_node *e, dg_error *err)
{
    const char *k = e->key, *v = scalar(e);
    bool b;
    if (!strcmp(k, "const")) r->cnst = v;
    else if (!strcmp(k, "default")) r->dflt = v;
    else if (!strcmp(k, "join")) r->join = v;
    else if (!strcmp(k, "strip")) r->strip = v;
    else if (!strcmp(k, "decimal_separator")) r->dec_sep = sep_char(v);
    else if (!strcmp(k, "thousands_separator")) r->thou_sep = sep_char(v);
    else if (!strcmp(k, "required") || !strcmp(k, "trim") || !strcmp(k, "table_strict") ||
             !strcmp(k, "optional")) {
        if (!v || (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "yes") && strcmp(v, "no")))
            return map_where_err(err, e, "'%s' must be true or false", k);
        b = !strcmp(v, "true") || !strcmp(v, "yes");
        if (k[0] == 'r') r->required = b;
        else if (k[0] == 'o') r->optional = b;
        else if (k[1] == 'r') r->trim = b;
        else r->table_strict = b;
    } else if (!strcmp(k, "case")) {
        if (v && !strcmp(v, "upper")) r->case_ = MAP_CASE_UPPER;
        else if (v && !strcmp(v, "lower")) r->case_ = MAP_CASE_LOWER;
        else return map_where_err(err, e, "'case' must be upper or lower");
    } else if (!strcmp(k, "table")) {
        if (!v || !(r->table = find_table(m, v)))
            return map_where_err(err, e, "unknown table '%s' (define it under 'tables')", v ? v : "");
    } else if (!strcmp(k, "date") || !strcmp(k, "time")) {
        const char *p = v ? date_pattern(v) : NULL;
        if (!p)
            return map_where_err(err, e, "unknown %s format '%s' (use CCYYMMDD, YYMMDD, ISO, HHMM or a %%Y-%%m-%%d pattern)", k, v ? v : "");
        if (k[0] == 'd') r->date = p;
        else r->time = p;
    } else if (!strcmp(k, "pair")) r->pair = v;
    else if (!strcmp(k, "negate_if")) r->negate_if = v;
    else if (!strcmp(k, "abs")) r->abs = true;
    else if (!strcmp(k, "sign")) {
        const char *slash = v ? strchr(v, '/') : NULL;
        if (!slash)
            return map_where_err(err, e, "'sign' is NEGATIVE/POSITIVE codes, like sign:A/C");
        r->sign_neg = dg_arena_strndup(m->arena, v, (size_t)(slash - v));
        r->sign_pos = dg_arena_strdup(m->arena, slash + 1);
    } else if (!strcmp(k, "decimals")) return parse_int(e, k, 0, 4, &r->implied, err);
    else if (!strcmp(k, "places")) return parse_int(e, k, 0, 4, &r->places, err);
    else if (!strcmp(k, "max_length")) {
        int x;
        int rc = parse_int(e, k, 1, 100000, &x, err);
        r->max_len = (size_t)x;
        return rc;
    } else return 1;
    if (!v)
        return map_where_err(err, e, "'%s' must be a single value", k);
    return 0;
}

static int parse_rule_in(dg_mapping *m, map_rule *r, const dg_node *n, int group, dg_error *err)
{
    if (n->type != DG_NODE_MAP)
        return map_where_err(err, n, "a rule must be a map with 'target' and 'source'");
    rule_defaults(m, r, n);
    const dg_node *src = NULL;
    for (size_t i = 0; i < n->n_items; i++) {
        const dg_node *e = n->items[i];
        if (!strcmp(e->key, "target")) {
            const char *t = scalar(e);
            r->label = t;
            r->field = t ? dg_fields_find(m->kind, t, group) : NULL;
            if (!r->field || (r->field->group != group && r->field->group != DG_FIELD_SOURCE))
                return map_where_err(err, e, "unknown %s field '%s' for a %s%s%s", group >= 0 ? "group" : "document", t ? t : "",
                                     dg_doc_kind_name(m->kind), group >= 0 ? " here; group fields look like " : "",
                                     group >= 0 ? "'lines[].quantity'" : "");
        } else if (!strcmp(e->key, "source") || !strcmp(e->key, "sources") ||
                   !strcmp(e->key, "first_of")) {
            src = e;
            r->first = !strcmp(e->key, "first_of");
        } else if (!strcmp(e->key, "max_bytes")) {
            int x = 0; /* set by parse_int on success; gcc -O3 cannot see that */
            int rc = parse_int(e, e->key, 1, MAP_MAX_VALUE_LIMIT, &x, err);
            if (rc)
                return rc;
            r->max_bytes = (size_t)x;
        } else {
            int rc = rule_transform(m, r, e, err);
            if (rc == 1)
                return map_where_err(err, e, "unknown key '%s' in rule", e->key);
            if (rc)
                return rc;
        }
    }
    if (!r->field)
        return map_where_err(err, n, "rule has no 'target'");
    if (src && src->type == DG_NODE_SCALAR) {
        r->n_src = 1;
        r->src = dg_arena_alloc(m->arena, sizeof *r->src);
        r->src[0] = src->value;
    } else if (src && src->type == DG_NODE_SEQ) {
        if (src->n_items > MAP_MAX_SOURCES) /* the adapters gather that many values per rule */
            return map_where_err(err, src, "at most %d sources in one rule", MAP_MAX_SOURCES);
        r->n_src = src->n_items;
        r->src = dg_arena_alloc(m->arena, (src->n_items + 1) * sizeof *r->src);
        for (size_t i = 0; i < src->n_items; i++)
            if (!(r->src[i] = scalar(src->items[i])))
                return map_where_err(err, src->items[i], "a source must be text");
    } else if (src) {
        return map_where_err(err, src, "'source' must be text or a list");
    }
    if (!r->n_src && !r->cnst && !r->dflt)
        return map_where_err(err, n, "rule '%s' needs 'source', 'const' or 'default'", r->label);
    r->src_c = dg_arena_alloc(m->arena, (r->n_src + 1) * sizeof *r->src_c);
    /* the usual rule takes map_apply_in's inline path */
    r->plain = r->n_src == 1 && !r->cnst && r->field->type == DG_FIELD_STR && !r->table &&
               !r->date && !r->time && !r->strip && r->case_ == MAP_CASE_NONE;
    return 0;
}

static int parse_rules(dg_mapping *m, const dg_node *list, int group, map_rule **out, size_t *n,
                       dg_error *err)
{
    if (!list)
        return 0;
    if (list->type != DG_NODE_SEQ)
        return map_where_err(err, list, "'fields' must be a list of rules");
    *out = dg_arena_alloc(m->arena, (list->n_items + 1) * sizeof **out);
    for (size_t i = 0; i < list->n_items; i++) {
        int rc = parse_rule_in(m, &(*out)[i], list->items[i], group, err);
        if (rc)
            return rc;
    }
    *n = list->n_items;
    return 0;
}

/* A filter's default reason, said once at load: "left out by skip_when: Lineitem requires
 * shipping is false or no". */
static const char *filter_reason(dg_mapping *m, const map_filter *f)
{
    dg_buf b = DG_BUF_INIT;
    dg_buf_printf(&b, "left out by %s: %s is %s", f->only ? "only_when" : "skip_when", f->source,
                  f->only ? "not " : "");
    for (size_t e = 0; e < f->n_equals; e++)
        dg_buf_printf(&b, "%s%s", e ? " or " : "", *f->equals[e] ? f->equals[e] : "empty");
    const char *r = dg_arena_strdup(m->arena, b.data ? b.data : "");
    dg_buf_free(&b);
    return r;
}

/* One filter: {source: COLUMN-OR-PATH, equals: VALUE or [VALUES], status: S, reason: TEXT}. */
static int parse_filter(dg_mapping *m, const dg_node *fn, const char *name, map_group *g,
                        map_filter *f, dg_error *err)
{
    static const dg_conf_key keys[] = {
        {"source", T}, {"equals", T | L}, {"status", T}, {"reason", T}, {NULL, 0}};
    int rc = dg_conf_check(fn, name, keys, err);
    if (rc)
        return rc;
    f->line = fn->line;
    f->only = !strcmp(name, "only_when");
    const dg_node *eq = dg_conf_get(fn, "equals");
    if (!(f->source = dg_conf_str(fn, "source", NULL)) || !eq)
        return map_where_err(err, fn, "'%s' needs 'source' and 'equals'", name);
    size_t cnt = eq->type == DG_NODE_SEQ ? eq->n_items : 1;
    f->equals = dg_arena_alloc(m->arena, (cnt + 1) * sizeof *f->equals);
    for (size_t e = 0; e < cnt; e++) {
        const char *v = scalar(eq->type == DG_NODE_SEQ ? eq->items[e] : eq);
        if (!v)
            return map_where_err(err, eq, "'equals' lists text values");
        f->equals[f->n_equals++] = v;
    }
    f->status = dg_conf_str(fn, "status", NULL);
    const char *reason = dg_conf_str(fn, "reason", NULL);
    if (reason && !f->status)
        return map_where_err(
            err, fn, "'reason' goes with 'status' (without a status the element is dropped)");
    if (f->status &&
        (m->kind != DG_DOC_ORDER || g->group != dg_fields_group_index(m->kind, "lines")))
        return map_where_err(err, dg_conf_get(fn, "status"),
                             "'status' is for order lines (a left-out line stays in the order "
                             "with it); other elements are only dropped");
    if (f->status && !dg_line_status_unrouted(f->status))
        return map_where_err(err, dg_conf_get(fn, "status"),
                             "status '%s': a line left out is %s (nothing to ship: gift card, "
                             "digital good) or %s (the storefront keeps it); routing gives the "
                             "other statuses",
                             f->status, DG_LINE_NOT_SHIPPABLE, DG_LINE_NOT_ROUTED);
    if (f->status)
        f->reason = reason ? reason : filter_reason(m, f);
    return 0;
}

/* skip_when / only_when: one filter or a list of them (a gift card NOT_SHIPPABLE, a line the
 * merchant fulfilled NOT_ROUTED). */
static int parse_filters(dg_mapping *m, const dg_node *n, map_group *g, dg_error *err)
{
    static const char *names[] = {"skip_when", "only_when"};
    size_t cap = 0;
    for (int k = 0; k < 2; k++) {
        const dg_node *fn = dg_conf_get(n, names[k]);
        cap += !fn ? 0 : fn->type == DG_NODE_SEQ ? fn->n_items : 1;
    }
    g->filters = dg_arena_alloc(m->arena, (cap + 1) * sizeof *g->filters);
    for (int k = 0; k < 2; k++) {
        const dg_node *fn = dg_conf_get(n, names[k]);
        if (!fn)
            continue;
        if (strcmp(m->format, "csv") && strcmp(m->format, "xml") && strcmp(m->format, "json"))
            return map_where_err(err, fn, "'%s' is for csv, xml and json groups", names[k]);
        size_t cnt = fn->type == DG_NODE_SEQ ? fn->n_items : 1;
        for (size_t i = 0; i < cnt; i++) {
            const dg_node *one = fn->type == DG_NODE_SEQ ? fn->items[i] : fn;
            if (one->type != DG_NODE_MAP)
                return map_where_err(
                    err, one, "'%s' is a map (source, equals ...) or a list of them", names[k]);
            int rc = parse_filter(m, one, names[k], g, &g->filters[g->n_filters++], err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int parse_groups(dg_mapping *m, const dg_node *list, dg_error *err)
{
    if (!list)
        return 0;
    if (list->type != DG_NODE_SEQ)
        return map_where_err(err, list, "'groups' must be a list");
    m->groups = dg_arena_alloc(m->arena, (list->n_items + 1) * sizeof *m->groups);
    static const dg_conf_key keys[] = {
        {"target", T},        {"each", T},          {"fields", L},   {"unique", T}, {"when", T | L},
        {"number", T},        {"once", T},          {"if_empty", T}, {"within", T}, {"body", L},
        {"skip_when", M | L}, {"only_when", M | L}, {NULL, 0}};
    for (size_t i = 0; i < list->n_items; i++) {
        const dg_node *n = list->items[i];
        map_group *g = &m->groups[m->n_groups++];
        g->line = n->line;
        int rc = dg_conf_check(n, "a group", keys, err);
        if (rc)
            return rc;
        const char *t = dg_conf_str(n, "target", NULL);
        g->group = t ? dg_fields_group_index(m->kind, t) : -1;
        if (g->group < 0)
            return map_where_err(err, n, "group 'target' must name a repeated part of a %s (%s)",
                                 dg_doc_kind_name(m->kind), t ? t : "missing");
        g->each = dg_conf_str(n, "each", NULL);
        g->each_document = g->each && !strcmp(m->format, "x12") && !strcmp(g->each, "document");
        const dg_node *wn = dg_conf_get(n, "when");
        if (wn && wn->type == DG_NODE_SEQ) { /* X12: any of these sources has a value */
            if (strcmp(m->format, "x12") || !wn->n_items)
                return map_where_err(err, wn, "'when' as a list of sources is for x12 mappings");
            g->whens = dg_arena_alloc(m->arena, wn->n_items * sizeof *g->whens);
            g->whens_c = dg_arena_alloc(m->arena, wn->n_items * sizeof *g->whens_c);
            for (size_t k = 0; k < wn->n_items; k++)
                if (!(g->whens[g->n_whens++] = scalar(wn->items[k])))
                    return map_where_err(err, wn->items[k], "a 'when' source must be text");
            g->when = g->whens[0];
        } else if (wn) {
            if (!(g->when = scalar(wn)))
                return map_where_err(err, wn, "'when' must be a source or a list of them");
            g->whens = dg_arena_alloc(m->arena, sizeof *g->whens);
            g->whens_c = dg_arena_alloc(m->arena, sizeof *g->whens_c);
            g->whens[g->n_whens++] = g->when;
        }
        const char *ie = dg_conf_str(n, "if_empty", NULL);
        g->if_empty = ie ? dg_fields_group_index(m->kind, ie) : -1;
        if (ie && g->if_empty < 0)
            return map_where_err(err, dg_conf_get(n, "if_empty"), "'if_empty: %s' is not a repeated part of a %s", ie, dg_doc_kind_name(m->kind));
        if ((rc = dg_conf_bool(n, "once", false, &g->once, err)))
            return rc;
        const dg_node *bn = dg_conf_get(n, "body");
        if (bn && strcmp(m->format, "x12"))
            return map_where_err(err, bn, "'body' is for x12 groups");
        if (bn) {
            g->body = dg_arena_alloc(m->arena, (bn->n_items + 1) * sizeof *g->body);
            for (size_t k = 0; k < bn->n_items; k++)
                if (!(g->body[g->n_body++] = scalar(bn->items[k])))
                    return map_where_err(err, bn->items[k], "'body' lists segment ids");
        }
        g->within = dg_conf_str(n, "within", NULL);
        if (g->within && (strcmp(m->format, "x12") || g->each_document))
            return map_where_err(err, dg_conf_get(n, "within"),
                                 "'within' is for x12 groups with a loop 'each'");
        if (!g->each && strcmp(m->format, "csv"))
            return map_where_err(err, n, "group '%s' needs 'each'", t);
        const char *u = dg_conf_str(n, "unique", NULL);
        if (u && !(g->unique = dg_fields_find(m->kind, u, g->group)))
            return map_where_err(err, n, "unknown field '%s' in 'unique'", u);
        const char *num = dg_conf_str(n, "number", NULL);
        if (num && (!(g->number = dg_fields_find(m->kind, num, g->group)) || g->number->type != DG_FIELD_STR))
            return map_where_err(err, n, "'number' must name a text field of the group, not '%s'", num);
        if ((rc = parse_filters(m, n, g, err)))
            return rc;
        if ((rc = parse_rules(m, dg_conf_get(n, "fields"), g->group, &g->rules, &g->n_rules, err)))
            return rc;
    }
    return 0;
}

/* ---- outbound templates --------------------------------------------------------------------- */

static int placeholder(dg_mapping *m, const dg_node *n, char *spec, int g1, int g2, map_rule *r,
                       dg_error *err)
{
    rule_defaults(m, r, n);
    char *save = NULL;
    char *name = strtok_r(spec, "|", &save);
    r->label = dg_arena_strdup(m->arena, name ? name : "");
    if (!name)
        return map_where_err(err, n, "empty placeholder '{}'");
    if (!strcmp(name, "index")) r->special = MAP_SPECIAL_INDEX;
    else if (!strcmp(name, "file_date")) r->special = MAP_SPECIAL_FILE_DATE;
    else if (!strcmp(name, "file_time")) r->special = MAP_SPECIAL_FILE_TIME;
    else if (!strcmp(name, "hl_count")) r->special = MAP_SPECIAL_HL_COUNT;
    else if (!strcmp(name, "hl")) r->special = MAP_SPECIAL_HL;
    else if (!strcmp(name, "hl_parent")) r->special = MAP_SPECIAL_HL_PARENT;
    else if (!strncmp(name, "count:", 6)) {
        r->special = MAP_SPECIAL_COUNT;
        if ((r->special_group = dg_fields_group_index(m->kind, name + 6)) < 0)
            return map_where_err(err, n, "unknown group '%s' in {%s}", name + 6, name);
    } else {
        bool sum = !strncmp(name, "sum:", 4);
        const char *fname = sum ? name + 4 : name;
        r->special = sum ? MAP_SPECIAL_SUM : MAP_SPECIAL_NONE;
        r->field = dg_fields_find(m->kind, fname, g1);
        if (!r->field && g2 >= 0)
            r->field = dg_fields_find(m->kind, fname, g2);
        size_t ng;
        const dg_field_group *gs = dg_fields_groups(m->kind, &ng);
        for (size_t gi = 0; !r->field && gi < ng; gi++)
            if (dg_fields_find(m->kind, fname, (int)gi))
                return map_where_err(err, n, "field '%s' is only available inside 'each: %s'", fname, gs[gi].name);
        if (!r->field)
            return map_where_err(err, n, "unknown %s field '%s'", dg_doc_kind_name(m->kind), fname);
        if (sum && (r->field->type == DG_FIELD_STR || r->field->group < 0))
            return map_where_err(err, n, "{sum:...} needs a number field of a group, not '%s'", fname);
        if (!sum && r->field->group >= 0 && r->field->group != g1 && r->field->group != g2)
            return map_where_err(err, n, "field '%s' is only available inside 'each: %s'", fname,
                                 dg_fields_groups(m->kind, &(size_t){0})[r->field->group].name);
    }
    for (char *t; (t = strtok_r(NULL, "|", &save));) {
        char *arg = strchr(t, ':');
        if (arg)
            *arg++ = '\0';
        if (!strcmp(t, "upper")) r->case_ = MAP_CASE_UPPER;
        else if (!strcmp(t, "lower")) r->case_ = MAP_CASE_LOWER;
        else if (!strcmp(t, "required")) r->required = true;
        else if (!strcmp(t, "strict")) r->table_strict = true;
        else if (!strcmp(t, "known")) r->table_known = true;
        else if (!strcmp(t, "notrim")) r->trim = false;
        else if (!strcmp(t, "abs")) r->abs = true;
        else if (!arg)
            return map_where_err(err, n, "unknown transform '%s' in {%s} (upper, lower, required, strict, known, notrim, abs, date:, time:, decimals:, places:, table:, default:, const:, or:, max:, pair:, sign:)", t, r->label);
        else if (!strcmp(t, "or")) { /* {ship_time|time:HHMM|or:file_time} */
            if (!strcmp(arg, "file_date")) r->alt_special = MAP_SPECIAL_FILE_DATE;
            else if (!strcmp(arg, "file_time")) r->alt_special = MAP_SPECIAL_FILE_TIME;
            else if (!(r->alt_field = dg_fields_find(m->kind, arg, g1)) &&
                     !(g2 >= 0 && (r->alt_field = dg_fields_find(m->kind, arg, g2))))
                return map_where_err(err, n, "'or:%s' in {%s}: not a field here, nor file_date or file_time", arg, r->label);
            else if (r->alt_field->group >= 0 && r->alt_field->group != g1 && r->alt_field->group != g2)
                return map_where_err(err, n, "'or:%s' in {%s}: not a field here", arg, r->label);
        }
        else {
            dg_node tmp = *n;
            tmp.type = DG_NODE_SCALAR;
            tmp.key = !strcmp(t, "max") ? "max_length" : t;
            tmp.value = dg_arena_strdup(m->arena, arg);
            tmp.n_items = 0;
            int rc = rule_transform(m, r, &tmp, err);
            if (rc == 1)
                return map_where_err(err, n, "unknown transform '%s' in {%s}", t, r->label);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* "PO-{order_number|upper}" -> literal and placeholder parts. */
static int parse_template(dg_mapping *m, const dg_node *n, int g1, int g2, map_tpl **out,
                          dg_error *err)
{
    const char *s = scalar(n);
    if (!s)
        return map_where_err(err, n, "expected text (a value or a {field} template)");
    map_tpl *t = dg_arena_alloc(m->arena, sizeof *t);
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == '{' ? 2 : 0;
    t->parts = dg_arena_alloc(m->arena, (cap + 1) * sizeof *t->parts);
    const char *p = s;
    while (*p) {
        const char *open = strchr(p, '{');
        if (open != p) {
            size_t len = open ? (size_t)(open - p) : strlen(p);
            t->parts[t->n++].lit = dg_arena_strndup(m->arena, p, len);
            p += len;
            continue;
        }
        const char *close = strchr(open, '}');
        if (!close)
            return map_where_err(err, n, "'{' without '}' in '%s'", s);
        char *spec = dg_arena_strndup(m->arena, open + 1, (size_t)(close - open - 1));
        map_rule *r = dg_arena_alloc(m->arena, sizeof *r);
        int rc = placeholder(m, n, spec, g1, g2, r, err);
        if (rc)
            return rc;
        t->parts[t->n++].rule = r;
        p = close + 1;
    }
    *out = t;
    return 0;
}

static int parse_outs(dg_mapping *m, const dg_node *list, int g1, int g2, map_out **out,
                      size_t *n, dg_error *err);

static int parse_when(dg_mapping *m, const dg_node *n, int g1, int g2, const dg_field **out,
                      dg_error *err)
{
    const char *w = dg_conf_str(n, "when", NULL);
    if (!w)
        return 0;
    *out = dg_fields_find(m->kind, w, g1);
    if (!*out && g2 >= 0)
        *out = dg_fields_find(m->kind, w, g2);
    return *out ? 0 : map_where_err(err, n, "unknown field '%s' in 'when'", w);
}

static int parse_out(dg_mapping *m, const dg_node *n, int g1, int g2, map_out *o, dg_error *err)
{
    o->line = n->line;
    o->each = -1;
    o->if_empty = -1;
    o->unmatched = -1;
    bool x12 = !strcmp(m->format, "x12");
    if (n->type != DG_NODE_MAP)
        return map_where_err(err, n, "expected a map (%s)", x12 ? "SEG: [elements] or each:" : "header/path and value, or each:");
    if (dg_conf_get(n, "each")) {
        static const dg_conf_key keys[] = {{"each", T}, {"segments", L}, {"columns", L}, {"elements", L}, {"when", T}, {"match", M}, {"path", T}, {"if_empty", T}, {"unmatched", T}, {NULL, 0}};
        int rc = dg_conf_check(n, "an 'each' block", keys, err);
        if (rc)
            return rc;
        const char *each = dg_conf_str(n, "each", "");
        o->each = dg_fields_group_index(m->kind, each);
        if (o->each < 0)
            return map_where_err(err, n, "'each: %s' is not a repeated part of a %s", each, dg_doc_kind_name(m->kind));
        o->name = dg_conf_str(n, "path", NULL);
        const char *ie = dg_conf_str(n, "if_empty", NULL);
        o->if_empty = ie ? dg_fields_group_index(m->kind, ie) : -1;
        if (ie && o->if_empty < 0)
            return map_where_err(err, n, "'if_empty: %s' is not a repeated part of a %s", ie, dg_doc_kind_name(m->kind));
        const char *um = dg_conf_str(n, "unmatched", NULL);
        o->unmatched = um ? dg_fields_group_index(m->kind, um) : -1;
        if (um && (o->unmatched < 0 || !dg_conf_get(n, "match")))
            return map_where_err(err, n, "'unmatched: %s' needs a repeated part of a %s and a 'match'", um, dg_doc_kind_name(m->kind));
        if ((rc = parse_when(m, n, g1, g2, &o->when, err)))
            return rc;
        int pg = o->unmatched >= 0 ? o->unmatched : g1; /* where the match's parent fields live */
        const dg_node *match = dg_conf_get(n, "match");
        if (match) { /* nested loop: items whose package_id equals the package's tracking number */
            if (match->type != DG_NODE_MAP || match->n_items != 1)
                return map_where_err(err, match, "'match' must be one 'child_field: parent_field' pair");
            const dg_node *pv = match->items[0];
            o->match_child = dg_fields_find(m->kind, pv->key, o->each);
            size_t np = pv->type == DG_NODE_SEQ ? pv->n_items : 1;
            for (size_t k = 0; k < np && k < 2; k++) {
                const char *pf = scalar(pv->type == DG_NODE_SEQ ? pv->items[k] : pv);
                o->match_parent[k] = dg_fields_find(m->kind, pf ? pf : "", pg);
                if (!o->match_parent[k])
                    return map_where_err(err, match, "'match' names an unknown field '%s'", pf ? pf : "");
            }
            if (!o->match_child)
                return map_where_err(err, match, "'match' names an unknown field '%s'", pv->key);
        }
        const dg_node *kids = dg_conf_get(n, "segments");
        if (!kids) kids = dg_conf_get(n, "columns");
        if (!kids) kids = dg_conf_get(n, "elements");
        if (!kids)
            return map_where_err(err, n, "'each' needs a list of %s", x12 ? "segments" : "elements");
        return parse_outs(m, kids, o->each, g1, &o->kids, &o->n_kids, err);
    }
    if (x12) {
        const dg_node *els = NULL;
        const char *seg = NULL;
        if (dg_conf_get(n, "segment")) {
            static const dg_conf_key keys[] = {{"segment", T}, {"elements", L}, {"when", T}, {"level", T}, {NULL, 0}};
            int rc = dg_conf_check(n, "a segment", keys, err);
            seg = dg_conf_str(n, "segment", NULL);
            if (rc)
                return rc;
            els = dg_conf_get(n, "elements");
            long lv = 0;
            if ((rc = dg_conf_long(n, "level", 0, &lv, err)))
                return rc;
            o->hl_level = (int)lv;
        } else if (n->n_items == 1) { /* shorthand  - BEG: ["00", SA, "{order_number}"] */
            seg = n->items[0]->key;
            els = n->items[0];
        }
        if (!seg || strlen(seg) < 2 || strlen(seg) > 3)
            return map_where_err(err, n, "expected 'SEG: [elements]' or 'segment: SEG'");
        for (const char *c = seg; *c; c++)
            if (!isupper((unsigned char)*c) && !isdigit((unsigned char)*c))
                return map_where_err(err, n, "'%s' is not a segment id", seg);
        o->name = seg;
        if (!els || els->type != DG_NODE_SEQ)
            return map_where_err(err, n, "segment %s needs a list of elements", seg);
        o->n_vals = els->n_items;
        o->vals = dg_arena_alloc(m->arena, (els->n_items + 1) * sizeof *o->vals);
        for (size_t i = 0; i < els->n_items; i++) {
            map_tpl *t;
            int rc = parse_template(m, els->items[i], g1, g2, &t, err);
            if (rc)
                return rc;
            o->vals[i] = *t;
        }
        return parse_when(m, n, g1, g2, &o->when, err);
    }
    static const dg_conf_key keys[] = {{"header", T}, {"path", T}, {"value", T}, {"when", T}, {"type", T}, {NULL, 0}};
    int rc = dg_conf_check(n, !strcmp(m->format, "csv") ? "a column" : "an element", keys, err);
    if (rc)
        return rc;
    const char *type = dg_conf_str(n, "type", NULL);
    if (type && strcmp(m->format, "json"))
        return map_where_err(err, dg_conf_get(n, "type"), "'type' is for json elements");
    if (type && !strcmp(type, "number"))
        o->json_type = MAP_JSON_NUMBER;
    else if (type && !strcmp(type, "boolean"))
        o->json_type = MAP_JSON_BOOLEAN;
    else if (type && strcmp(type, "string"))
        return map_where_err(err, dg_conf_get(n, "type"), "'type' is string, number or boolean, not '%s'", type);
    o->name = dg_conf_str(n, "header", dg_conf_str(n, "path", NULL));
    const dg_node *v = dg_conf_get(n, "value");
    if (!o->name || !v)
        return map_where_err(err, n, "needs '%s' and 'value'", !strcmp(m->format, "csv") ? "header" : "path");
    map_tpl *t;
    if ((rc = parse_template(m, v, g1, g2, &t, err)))
        return rc;
    o->vals = t;
    o->n_vals = 1;
    return parse_when(m, n, g1, g2, &o->when, err);
}

static int parse_outs(dg_mapping *m, const dg_node *list, int g1, int g2, map_out **out,
                      size_t *n, dg_error *err)
{
    if (list->type != DG_NODE_SEQ)
        return map_where_err(err, list, "expected a list");
    *out = dg_arena_alloc(m->arena, (list->n_items + 1) * sizeof **out);
    for (size_t i = 0; i < list->n_items; i++) {
        int rc = parse_out(m, list->items[i], g1, g2, &(*out)[i], err);
        if (rc)
            return rc;
    }
    *n = list->n_items;
    return 0;
}

/* ---- format options ------------------------------------------------------------------------- */

static int load_csv_opts(dg_mapping *m, const dg_node *o, dg_error *err)
{
    map_csv_opts *c = &m->csv;
    c->delim = ',';
    c->quote = '"';
    c->group_col = -1;
    c->each_out = -1;
    c->line_end = "\n";
    c->header = true;
    c->escape_formulas = true;
    if (!o)
        return 0;
    static const dg_conf_key keys[] = {{"delimiter", T}, {"quote", T}, {"header", T}, {"encoding", T}, {"group_by", T}, {"single_document", T}, {"allow_short_rows", T}, {"skip_rows", T}, {"each", T}, {"line_end", T}, {"escape_formulas", T}, {NULL, 0}};
    int rc = dg_conf_check(o, "the 'csv' block", keys, err);
    if (!rc) rc = dg_conf_bool(o, "header", true, &c->header, err);
    if (!rc) rc = dg_conf_bool(o, "single_document", false, &c->single_document, err);
    if (!rc) rc = dg_conf_bool(o, "allow_short_rows", false, &c->allow_short_rows, err);
    if (!rc) rc = dg_conf_long(o, "skip_rows", 0, &c->skip_rows, err);
    if (!rc) rc = dg_conf_bool(o, "escape_formulas", true, &c->escape_formulas, err);
    if (rc)
        return rc;
    if (dg_conf_str(o, "delimiter", NULL)) c->delim = sep_char(dg_conf_str(o, "delimiter", NULL));
    if (dg_conf_str(o, "quote", NULL)) c->quote = sep_char(dg_conf_str(o, "quote", NULL));
    const char *le = dg_conf_str(o, "line_end", NULL);
    if (le) c->line_end = !strcmp(le, "crlf") ? "\r\n" : "\n";
    c->group_by = dg_conf_str(o, "group_by", NULL);
    const char *enc = dg_conf_str(o, "encoding", "utf-8");
    if (!strcasecmp(enc, "latin1") || !strcasecmp(enc, "iso-8859-1") || !strcasecmp(enc, "windows-1252") || !strcasecmp(enc, "cp1252"))
        c->latin1 = true;
    else if (strcasecmp(enc, "utf-8") && strcasecmp(enc, "utf8") && strcasecmp(enc, "ascii"))
        return map_where_err(err, dg_conf_get(o, "encoding"), "encoding must be utf-8 or latin1/windows-1252, not '%s'", enc);
    c->each_group = dg_conf_str(o, "each", NULL);
    if (c->each_group && (c->each_out = dg_fields_group_index(m->kind, c->each_group)) < 0)
        return map_where_err(err, dg_conf_get(o, "each"), "'each: %s' is not a repeated part of a %s", c->each_group, dg_doc_kind_name(m->kind));
    return 0;
}

static int load_x12_opts(dg_mapping *m, const dg_node *o, dg_error *err)
{
    map_x12_opts *x = &m->x12;
    x->elem_sep = '*';
    x->comp_sep = '>';
    x->seg_term = '~';
    x->rep_sep = 'U';
    x->seg_suffix = "\n";
    x->version = "004010";
    x->isa_version = "00401";
    static const char *const dflt_until[] = {"CTT", "TDS", "SE"};
    x->until = (const char **)dflt_until;
    x->n_until = 3;
    if (!o)
        return map_where_err(err, m->conf, "an x12 mapping needs an 'x12:' block with transaction_set");
    static const dg_conf_key keys[] = {{"transaction_set", T}, {"until", L}, {"functional_id", T}, {"version", T}, {"isa_version", T}, {"element_separator", T}, {"component_separator", T}, {"segment_terminator", T}, {"repetition_separator", T}, {"segment_suffix", T}, {"document_per", T}, {NULL, 0}};
    int rc = dg_conf_check(o, "the 'x12' block", keys, err);
    if (rc)
        return rc;
    x->set_id = dg_conf_str(o, "transaction_set", NULL);
    if (!x->set_id || strlen(x->set_id) != 3)
        return map_where_err(err, o, "'transaction_set' must be a 3-digit set id such as \"850\"");
    x->functional_id = dg_conf_str(o, "functional_id", NULL);
    x->document_per = dg_conf_str(o, "document_per", NULL);
    if (x->document_per && m->dir != DG_MAP_IN)
        return map_where_err(err, dg_conf_get(o, "document_per"), "'document_per' is for inbound mappings");
    x->version = dg_conf_str(o, "version", x->version);
    x->isa_version = dg_conf_str(o, "isa_version", x->isa_version);
    if (dg_conf_str(o, "element_separator", NULL)) x->elem_sep = sep_char(dg_conf_str(o, "element_separator", NULL));
    if (dg_conf_str(o, "component_separator", NULL)) x->comp_sep = sep_char(dg_conf_str(o, "component_separator", NULL));
    if (dg_conf_str(o, "segment_terminator", NULL)) x->seg_term = sep_char(dg_conf_str(o, "segment_terminator", NULL));
    if (dg_conf_str(o, "repetition_separator", NULL)) x->rep_sep = sep_char(dg_conf_str(o, "repetition_separator", NULL));
    const char *suf = dg_conf_str(o, "segment_suffix", NULL);
    if (suf) x->seg_suffix = !strcmp(suf, "none") ? "" : !strcmp(suf, "crlf") ? "\r\n" : "\n";
    const dg_node *u = dg_conf_get(o, "until");
    if (u) {
        if (u->type != DG_NODE_SEQ)
            return map_where_err(err, u, "'until' must be a list of segment ids");
        x->until = dg_arena_alloc(m->arena, (u->n_items + 1) * sizeof *x->until);
        x->n_until = u->n_items;
        for (size_t i = 0; i < u->n_items; i++)
            x->until[i] = scalar(u->items[i]) ? scalar(u->items[i]) : "";
    }
    return 0;
}

static int load_xml_opts(dg_mapping *m, const dg_node *o, dg_error *err)
{
    map_xml_opts *x = &m->xml;
    if (!o)
        return map_where_err(err, m->conf, "an xml mapping needs an 'xml:' block (documents: XPATH inbound, root/document outbound)");
    static const dg_conf_key keys[] = {{"namespaces", M}, {"documents", T}, {"root", T},
                                       {"document", T},   {"namespace", T}, {"doctype", T},
                                       {NULL, 0}};
    int rc = dg_conf_check(o, "the 'xml' block", keys, err);
    if (rc)
        return rc;
    x->documents = dg_conf_str(o, "documents", NULL);
    x->root = dg_conf_str(o, "root", NULL);
    x->document = dg_conf_str(o, "document", NULL);
    x->ns_uri = dg_conf_str(o, "namespace", NULL);
    x->doctype = dg_conf_str(o, "doctype", NULL);
    const dg_node *ns = dg_conf_get(o, "namespaces");
    if (ns) {
        if (ns->type != DG_NODE_MAP)
            return map_where_err(err, ns, "'namespaces' must map prefixes to URIs");
        x->ns = dg_arena_alloc(m->arena, (ns->n_items + 1) * sizeof *x->ns);
        for (size_t i = 0; i < ns->n_items; i++) {
            x->ns[i].prefix = ns->items[i]->key;
            x->ns[i].uri = scalar(ns->items[i]) ? scalar(ns->items[i]) : "";
        }
        x->n_ns = ns->n_items;
    }
    if (m->dir == DG_MAP_IN && !x->documents)
        return map_where_err(err, o, "inbound xml needs 'documents: XPATH' (one node per document)");
    if (m->dir == DG_MAP_OUT && (!x->root || !x->document))
        return map_where_err(err, o, "outbound xml needs 'root' and 'document' element names");
    return 0;
}

static int load_json_opts(dg_mapping *m, const dg_node *o, dg_error *err)
{
    map_json_opts *j = &m->json;
    if (!o)
        return 0; /* inbound: an array of documents or one; outbound: an array */
    static const dg_conf_key keys[] = {{"documents", T | L}, {"max_document_bytes", T}, {"root", T}, {"wrap", T}, {"single", T}, {NULL, 0}};
    int rc = dg_conf_check(o, "the 'json' block", keys, err);
    if (!rc) rc = dg_conf_long(o, "max_document_bytes", 0, &j->max_document_bytes, err);
    if (!rc) rc = dg_conf_bool(o, "single", false, &j->single, err);
    if (rc)
        return rc;
    if (j->max_document_bytes < 0 || j->max_document_bytes > (1L << 30))
        return map_where_err(err, dg_conf_get(o, "max_document_bytes"), "'max_document_bytes' must be from 1 to 1073741824");
    j->root = dg_conf_str(o, "root", NULL);
    j->wrap = dg_conf_str(o, "wrap", NULL);
    const dg_node *d = dg_conf_get(o, "documents");
    if (d && m->dir != DG_MAP_IN)
        return map_where_err(err, d, "'documents' is for inbound mappings (outbound: root, wrap, single)");
    if (m->dir == DG_MAP_IN && (j->root || j->wrap || dg_conf_get(o, "single")))
        return map_where_err(err, o, "'root', 'wrap' and 'single' are for outbound mappings (inbound: documents)");
    if (j->single && j->root)
        return map_where_err(err, o, "'single' writes one document, 'root' an array of them: choose one");
    if (d) {
        j->n_documents = d->type == DG_NODE_SEQ ? d->n_items : 1;
        if (!j->n_documents || j->n_documents > 8)
            return map_where_err(err, d, "'documents' is a path or a list of 1 to 8 paths");
        j->documents = dg_arena_alloc(m->arena, j->n_documents * sizeof *j->documents);
        for (size_t i = 0; i < j->n_documents; i++)
            if (!(j->documents[i] = scalar(d->type == DG_NODE_SEQ ? d->items[i] : d)))
                return map_where_err(err, d, "'documents' lists paths such as $.orders[*]");
    }
    return 0;
}

/* ---- the file ------------------------------------------------------------------------------- */

static int load(dg_mapping *m, dg_error *err)
{
    const dg_node *root = m->conf;
    static const dg_conf_key keys[] = {{"name", T}, {"description", T}, {"direction", T}, {"document", T}, {"format", T}, {"csv", M}, {"x12", M}, {"xml", M}, {"json", M}, {"tables", M}, {"fields", L}, {"groups", L}, {"segments", L}, {"columns", L}, {"elements", L}, {"cancel_lines", T}, {NULL, 0}};
    int rc = dg_conf_check(root, "a mapping file", keys, err);
    if (rc)
        return rc;
    const char *dir = dg_conf_str(root, "direction", NULL);
    if (!dir || (strcmp(dir, "in") && strcmp(dir, "out")))
        return map_where_err(err, root, "'direction' must be in or out");
    m->dir = !strcmp(dir, "in") ? DG_MAP_IN : DG_MAP_OUT;
    const char *kind = dg_conf_str(root, "document", NULL);
    m->kind = dg_doc_kind_from_name(kind);
    if (m->kind == DG_DOC_NONE)
        return map_where_err(err, root, "'document' must be order, shipment, invoice or stock");
    const char *cl = dg_conf_str(root, "cancel_lines", NULL);
    if (cl && (m->kind != DG_DOC_CANCEL || m->dir != DG_MAP_OUT))
        return map_where_err(err, root, "'cancel_lines' is for outbound cancel mappings");
    if (cl && strcmp(cl, "changed") && strcmp(cl, "remaining"))
        return map_where_err(err, root, "'cancel_lines' must be changed or remaining, not '%s'", cl);
    m->cancel_remaining = cl && !strcmp(cl, "remaining");
    m->format = dg_conf_str(root, "format", "");
    if (strcmp(m->format, "x12") && strcmp(m->format, "csv") && strcmp(m->format, "xml") && strcmp(m->format, "json"))
        return map_where_err(err, root, "'format' must be x12, csv, xml or json");
    if (!m->name) {
        const char *base = strrchr(m->path, '/');
        base = base ? base + 1 : m->path;
        const char *dot = strrchr(base, '.');
        m->name = dg_arena_strndup(m->arena, base, dot ? (size_t)(dot - base) : strlen(base));
    }
    if ((rc = load_tables(m, dg_conf_get(root, "tables"), err)))
        return rc;
    if (!strcmp(m->format, "csv")) rc = load_csv_opts(m, dg_conf_get(root, "csv"), err);
    else if (!strcmp(m->format, "x12")) rc = load_x12_opts(m, dg_conf_get(root, "x12"), err);
    else if (!strcmp(m->format, "json")) rc = load_json_opts(m, dg_conf_get(root, "json"), err);
    else rc = load_xml_opts(m, dg_conf_get(root, "xml"), err);
    if (rc)
        return rc;
    if (m->dir == DG_MAP_IN) {
        if ((rc = parse_rules(m, dg_conf_get(root, "fields"), DG_FIELD_BODY, &m->rules, &m->n_rules, err)))
            return rc;
        if ((rc = parse_groups(m, dg_conf_get(root, "groups"), err)))
            return rc;
        if (!m->n_rules && !m->n_groups)
            return map_where_err(err, root, "an inbound mapping needs 'fields' or 'groups'");
    } else {
        const char *key = !strcmp(m->format, "x12") ? "segments" : !strcmp(m->format, "csv") ? "columns" : "elements";
        const dg_node *outs = dg_conf_get(root, key);
        if (!outs)
            return map_where_err(err, root, "an outbound %s mapping needs '%s'", m->format, key);
        int g = !strcmp(m->format, "csv") ? m->csv.each_out : -1;
        if ((rc = parse_outs(m, outs, g, -1, &m->outs, &m->n_outs, err)))
            return rc;
    }
    if (!strcmp(m->format, "csv")) return map_csv_compile(m, err);
    if (!strcmp(m->format, "x12")) return map_x12_compile(m, err);
    if (!strcmp(m->format, "json")) return map_json_compile(m, err);
    return map_xml_compile(m, err);
}

int dg_map_load(const char *path, dg_mapping **out, dg_error *err)
{
    *out = NULL;
    dg_node *root = NULL;
    int rc = dg_conf_load(path, &root, err);
    if (rc)
        return rc;
    dg_arena *a = dg_arena_new();
    dg_mapping *m = dg_arena_alloc(a, sizeof *m);
    m->arena = a;
    m->conf = root;
    m->path = dg_arena_strdup(a, path);
    m->name = dg_conf_str(root, "name", NULL);
    rc = load(m, err);
    if (rc) {
        dg_map_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void dg_map_free(dg_mapping *m)
{
    if (!m)
        return;
    map_xml_release(m);
    dg_conf_free(m->conf);
    dg_arena_free(m->arena);
}

static int compile_rule_paths(dg_mapping *m, map_path_compiler fn, map_rule *rules, size_t n,
                              dg_error *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < rules[i].n_src; k++)
            if (!(rules[i].src_c[k] = fn(m, rules[i].src[k], rules[i].line, err)))
                return DG_ECONFIG;
    return 0;
}

int map_compile_paths(dg_mapping *m, map_path_compiler fn, dg_error *err)
{
    int rc = compile_rule_paths(m, fn, m->rules, m->n_rules, err);
    for (size_t g = 0; !rc && g < m->n_groups; g++) {
        map_group *gr = &m->groups[g];
        if (!(gr->each_c = fn(m, gr->each, gr->line, err)))
            return DG_ECONFIG;
        if (gr->when && !(gr->when_c = fn(m, gr->when, gr->line, err)))
            return DG_ECONFIG;
        for (size_t k = 0; k < gr->n_filters; k++)
            if (!(gr->filters[k].source_c = fn(m, gr->filters[k].source, gr->filters[k].line, err)))
                return DG_ECONFIG;
        rc = compile_rule_paths(m, fn, gr->rules, gr->n_rules, err);
    }
    return rc;
}
