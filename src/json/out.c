/* JSON output: a small tree (objects keep their keys in the order they were first set) written
 * by hand, so numbers leave exactly as the mapping rendered them ("12.50" stays 12.50). */
#include <string.h>

#include "json/json.h"

struct dg_json_out {
    dg_json_kind kind;
    const char *key; /* member name inside an object */
    const char *text;
    size_t len;
    dg_json_out *first, *last, *next;
};

dg_json_out *dg_json_out_new(dg_arena *a, dg_json_kind kind)
{
    dg_json_out *o = dg_arena_alloc(a, sizeof *o);
    o->kind = kind;
    return o;
}

static dg_json_out *add(dg_arena *a, dg_json_out *parent, dg_json_kind kind)
{
    dg_json_out *o = dg_json_out_new(a, kind);
    if (parent->last)
        parent->last->next = o;
    else
        parent->first = o;
    parent->last = o;
    return o;
}

static dg_json_out *member(dg_arena *a, dg_json_out *o, const char *key, size_t klen,
                           dg_json_kind kind)
{
    for (dg_json_out *c = o->first; c; c = c->next)
        if (strlen(c->key) == klen && !memcmp(c->key, key, klen)) {
            if (c->kind != kind) { /* a value set twice under one name: the last one counts */
                c->kind = kind;
                c->first = c->last = NULL;
                c->text = NULL;
            }
            return c;
        }
    dg_json_out *c = add(a, o, kind);
    c->key = dg_arena_strndup(a, key, klen);
    return c;
}

dg_json_out *dg_json_out_member(dg_arena *a, dg_json_out *o, const char *dotted, dg_json_kind kind)
{
    for (const char *dot; (dot = strchr(dotted, '.'));) {
        o = member(a, o, dotted, (size_t)(dot - dotted), DG_JSON_OBJECT);
        dotted = dot + 1;
    }
    return member(a, o, dotted, strlen(dotted), kind);
}

dg_json_out *dg_json_out_append(dg_arena *a, dg_json_out *arr, dg_json_kind kind)
{
    return add(a, arr, kind);
}

void dg_json_out_set(dg_arena *a, dg_json_out *v, const char *text, size_t len)
{
    v->text = dg_arena_strndup(a, text, len);
    v->len = len;
}

bool dg_json_is_number(const char *s, size_t len)
{
    size_t i = 0;
    if (i < len && s[i] == '-')
        i++;
    if (i < len && s[i] == '0')
        i++;
    else if (i < len && s[i] >= '1' && s[i] <= '9')
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return false;
    if (i < len && s[i] == '.') {
        size_t d = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    return i == len;
}

/* Length of the UTF-8 sequence at s (up to end), 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, const unsigned char *end)
{
    size_t n = s[0] < 0x80             ? 1
               : (s[0] & 0xE0) == 0xC0 ? 2
               : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (!n || (size_t)(end - s) < n || (n == 2 && s[0] < 0xC2))
        return 0;
    for (size_t k = 1; k < n; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return n;
}

static int put_string(dg_buf *out, const char *s, size_t len, dg_error *err)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    dg_buf_putc(out, '"');
    while (p < end) {
        size_t n = utf8_len(p, end);
        if (!n)
            return dg_error_set(err, DG_EPARSE,
                                "'%.*s' is not UTF-8 text (byte 0x%02X at %zu): JSON holds UTF-8 "
                                "only",
                                (int)len, s, *p, (size_t)(p - (const unsigned char *)s) + 1);
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            dg_buf_putc(out, '\\');
            dg_buf_putc(out, (char)c);
        } else if (c < 0x20) {
            const char *esc = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
            if (esc)
                dg_buf_puts(out, esc);
            else
                dg_buf_printf(out, "\\u%04x", c);
        } else {
            dg_buf_append(out, p, n);
        }
        p += n;
    }
    dg_buf_putc(out, '"');
    return 0;
}

static void indent(dg_buf *out, bool pretty, int depth)
{
    if (!pretty)
        return;
    dg_buf_putc(out, '\n');
    for (int i = 0; i < depth; i++)
        dg_buf_puts(out, "  ");
}

static int write_node(const dg_json_out *o, bool pretty, int depth, dg_buf *out, dg_error *err)
{
    if (o->kind == DG_JSON_STRING)
        return put_string(out, o->text ? o->text : "", o->len, err);
    if (o->kind == DG_JSON_RAW) {
        dg_buf_append(out, o->text ? o->text : "null", o->text ? o->len : 4);
        return 0;
    }
    bool obj = o->kind == DG_JSON_OBJECT;
    dg_buf_putc(out, obj ? '{' : '[');
    for (const dg_json_out *c = o->first; c; c = c->next) {
        indent(out, pretty, depth + 1);
        if (obj) {
            int rc = put_string(out, c->key, strlen(c->key), err);
            if (rc)
                return rc;
            dg_buf_puts(out, pretty ? ": " : ":");
        }
        int rc = write_node(c, pretty, depth + 1, out, err);
        if (rc)
            return rc;
        if (c->next)
            dg_buf_putc(out, ',');
    }
    if (o->first)
        indent(out, pretty, depth);
    dg_buf_putc(out, obj ? '}' : ']');
    return 0;
}

int dg_json_out_write(const dg_json_out *o, bool pretty, dg_buf *out, dg_error *err)
{
    int rc = write_node(o, pretty, 0, out, err);
    if (!rc && pretty)
        dg_buf_putc(out, '\n');
    return rc;
}
