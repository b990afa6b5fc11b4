/* JSON paths: the subset of JSONPath a mapping needs ($.a.b, [n], [*], equality filters),
 * compiled once at load and evaluated over jansson trees. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_internal.h"

static dg_json_path *fail(char *why, size_t size, const char *text, size_t at, const char *msg)
{
    snprintf(why, size, "'%s' is not a JSON path: %s (at character %zu)", text, msg, at + 1);
    return NULL;
}

/* A quoted name or literal: '...' or "..." with \\ \' \" escapes. Returns the end or NULL. */
static const char *quoted(dg_arena *a, const char *p, const char **out, size_t *len)
{
    char q = *p++;
    size_t cap = strlen(p) + 1, n = 0;
    char *s = dg_arena_alloc(a, cap);
    for (; *p && *p != q; p++) {
        if (*p == '\\' && p[1])
            p++;
        s[n++] = *p;
    }
    if (*p != q)
        return NULL;
    *out = s;
    *len = n;
    return p + 1;
}

static bool name_char(char c)
{
    return c && !strchr(".[]()'\"=!<> \t*@$?", c);
}

static const char *parse_steps(dg_arena *a, const char *text, const char *p, dg_json_path *path,
                               bool in_filter, char *why, size_t size, bool *ok);

static const char *parse_filter(dg_arena *a, const char *text, const char *p, json_step *st,
                                char *why, size_t size)
{
    /* p after "[?(" */
    while (*p == ' ')
        p++;
    if (*p != '@') {
        fail(why, size, text, (size_t)(p - text), "a filter compares a path from @");
        return NULL;
    }
    dg_json_path *sub = dg_arena_alloc(a, sizeof *sub);
    sub->relative = true;
    sub->text = "@";
    bool ok = true;
    p = parse_steps(a, text, p + 1, sub, true, why, size, &ok);
    if (!ok)
        return NULL;
    if (!dg_json_path_single(sub)) {
        fail(why, size, text, (size_t)(p - text), "a filter's path selects one value");
        return NULL;
    }
    while (*p == ' ')
        p++;
    if ((p[0] == '=' || p[0] == '!') && p[1] == '=') {
        st->not_equal = p[0] == '!';
        p += 2;
    } else {
        fail(why, size, text, (size_t)(p - text), "a filter compares with == or !=");
        return NULL;
    }
    while (*p == ' ')
        p++;
    if (*p == '\'' || *p == '"') {
        p = quoted(a, p, &st->lit, &st->lit_len);
        if (!p) {
            fail(why, size, text, strlen(text), "unclosed quote");
            return NULL;
        }
    } else {
        const char *s = p;
        while (*p && *p != ' ' && *p != ')')
            p++;
        if (p == s) {
            fail(why, size, text, (size_t)(p - text), "a filter needs a value to compare with");
            return NULL;
        }
        st->lit = dg_arena_strndup(a, s, (size_t)(p - s));
        st->lit_len = (size_t)(p - s);
        if (!strcmp(st->lit, "null")) {
            fail(why, size, text, (size_t)(s - text), "compare with null is not supported");
            return NULL;
        }
    }
    while (*p == ' ')
        p++;
    if (p[0] != ')' || p[1] != ']') {
        fail(why, size, text, (size_t)(p - text), "a filter ends with )]");
        return NULL;
    }
    st->sub = sub;
    st->kind = ST_FILTER;
    return p + 2;
}

/* Parses steps from p into path; stops at the end (or, in a filter, at anything else). */
static const char *parse_steps(dg_arena *a, const char *text, const char *p, dg_json_path *path,
                               bool in_filter, char *why, size_t size, bool *ok)
{
    size_t cap = 4;
    path->steps = dg_arena_alloc(a, cap * sizeof *path->steps);
    while (*p) {
        json_step st = {0};
        size_t at = (size_t)(p - text);
        if (p[0] == '.' && p[1] == '.') {
            *ok = false;
            fail(why, size, text, at, "'..' (recursive descent) is not supported");
            return p;
        } else if (p[0] == '.' && p[1] == '*') {
            st.kind = ST_ALL;
            p += 2;
        } else if (p[0] == '.') {
            const char *s = ++p;
            while (name_char(*p))
                p++;
            if (p == s) {
                *ok = false;
                fail(why, size, text, at, "'.' needs a member name");
                return p;
            }
            st.kind = ST_MEMBER;
            st.name = dg_arena_strndup(a, s, (size_t)(p - s));
        } else if (p[0] == '[' && p[1] == '*' && p[2] == ']') {
            st.kind = ST_ALL;
            p += 3;
        } else if (p[0] == '[' && (p[1] == '\'' || p[1] == '"')) {
            size_t len;
            p = quoted(a, p + 1, &st.name, &len);
            if (!p || *p != ']') {
                *ok = false;
                fail(why, size, text, at, "a quoted name is written ['name']");
                return p ? p : text + strlen(text);
            }
            p++;
            st.kind = ST_MEMBER;
        } else if (p[0] == '[' && p[1] == '?' && p[2] == '(') {
            if (in_filter) {
                *ok = false;
                fail(why, size, text, at, "filters do not nest");
                return p;
            }
            p = parse_filter(a, text, p + 3, &st, why, size);
            if (!p) {
                *ok = false;
                return text + strlen(text);
            }
        } else if (p[0] == '[' && (isdigit((unsigned char)p[1]) || p[1] == '-')) {
            char *end;
            st.index = strtol(p + 1, &end, 10);
            if (*end != ']') {
                *ok = false;
                fail(why, size, text, at,
                     *end == ':' ? "slices are not supported" : "an index is written [n]");
                return p;
            }
            st.kind = ST_INDEX;
            p = end + 1;
        } else if (in_filter) {
            break;
        } else {
            *ok = false;
            fail(why, size, text, at,
                 *p == '[' ? "expected [n], [*], ['name'] or [?(@.name == 'value')]"
                           : "expected .name or [...]");
            return p;
        }
        if (path->n == cap)
            path->steps =
                dg_arena_grow(a, path->steps, sizeof *path->steps, path->n, &cap, path->n + 1);
        path->steps[path->n++] = st;
    }
    return p;
}

dg_json_path *dg_json_path_compile(dg_arena *a, const char *text, char *why, size_t why_size)
{
    if (!text || (text[0] != '$' && text[0] != '@'))
        return fail(why, why_size, text ? text : "", 0,
                    "start it with $ (the document) or @ (the current element), e.g. $.id");
    dg_json_path *p = dg_arena_alloc(a, sizeof *p);
    p->text = dg_arena_strdup(a, text);
    p->relative = text[0] == '@';
    bool ok = true;
    parse_steps(a, text, text + 1, p, false, why, why_size, &ok);
    return ok ? p : NULL;
}

bool dg_json_path_single(const dg_json_path *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->steps[i].kind == ST_ALL || p->steps[i].kind == ST_FILTER)
            return false;
    return true;
}

bool dg_json_path_plain(const dg_json_path *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->steps[i].kind == ST_FILTER ||
            (p->steps[i].kind == ST_INDEX && p->steps[i].index < 0))
            return false;
    return !p->relative;
}

const char *dg_json_path_text(const dg_json_path *p)
{
    return p->text;
}

/* ---- evaluation ------------------------------------------------------------------------- */

int dg_json_text(json_t *v, const char **s, size_t *len, char *buf, size_t size)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_STRING:
        *s = json_string_value(v);
        *len = json_string_length(v);
        return 1;
    case JSON_INTEGER: snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
    case JSON_REAL: {
        /* the shortest form that reads back as the same double: 19.99, not 19.989999999999998
         * (15 significant digits cover every amount with cents) */
        double d = json_real_value(v);
        snprintf(buf, size, "%.15g", d);
        if (strtod(buf, NULL) != d)
            snprintf(buf, size, "%.17g", d);
        if (strchr(buf, 'e') && fabs(d) < 1e15 && fabs(d) >= 1e-10) { /* 1e-05 -> 0.00001 */
            snprintf(buf, size, "%.10f", d);
            size_t n = strlen(buf);
            while (n > 1 && buf[n - 1] == '0')
                buf[--n] = '\0';
            if (buf[n - 1] == '.')
                buf[n - 1] = '\0';
        }
        break;
    }
    case JSON_TRUE: snprintf(buf, size, "true"); break;
    case JSON_FALSE: snprintf(buf, size, "false"); break;
    case JSON_NULL: return 0;
    default: return -1;
    }
    *s = buf;
    *len = strlen(buf);
    return 1;
}

static bool filter_keeps(const json_step *st, json_t *root, json_t *el)
{
    json_t *v = dg_json_path_first(st->sub, root, el);
    const char *s = NULL;
    size_t len = 0;
    char buf[64];
    bool eq = dg_json_text(v, &s, &len, buf, sizeof buf) == 1 && len == st->lit_len &&
              !memcmp(s, st->lit, len);
    return st->not_equal ? !eq : eq;
}

static int walk(const dg_json_path *p, size_t i, json_t *root, json_t *node, dg_json_visit fn,
                void *ctx)
{
    if (!node || json_is_null(node))
        return 0;
    if (i == p->n)
        return fn(ctx, node);
    const json_step *st = &p->steps[i];
    int rc = 0;
    switch (st->kind) {
    case ST_MEMBER:
        return json_is_object(node) ? walk(p, i + 1, root, json_object_get(node, st->name), fn, ctx)
                                    : 0;
    case ST_INDEX: {
        if (!json_is_array(node))
            return 0;
        long n = (long)json_array_size(node), k = st->index < 0 ? n + st->index : st->index;
        return k >= 0 && k < n ? walk(p, i + 1, root, json_array_get(node, (size_t)k), fn, ctx) : 0;
    }
    default: break;
    }
    if (json_is_array(node)) {
        for (size_t k = 0; !rc && k < json_array_size(node); k++) {
            json_t *el = json_array_get(node, k);
            if (st->kind == ST_ALL || filter_keeps(st, root, el))
                rc = walk(p, i + 1, root, el, fn, ctx);
        }
    } else if (json_is_object(node)) {
        const char *key;
        json_t *el;
        json_object_foreach(node, key, el)
        {
            if (!rc && (st->kind == ST_ALL || filter_keeps(st, root, el)))
                rc = walk(p, i + 1, root, el, fn, ctx);
        }
    }
    return rc;
}

int dg_json_path_each(const dg_json_path *p, json_t *root, json_t *cur, dg_json_visit fn, void *ctx)
{
    return walk(p, 0, root, p->relative ? cur : root, fn, ctx);
}

static int take_first(void *ctx, json_t *node)
{
    *(json_t **)ctx = node;
    return 1;
}

json_t *dg_json_path_first(const dg_json_path *p, json_t *root, json_t *cur)
{
    json_t *found = NULL;
    dg_json_path_each(p, root, cur, take_first, &found);
    return found;
}
