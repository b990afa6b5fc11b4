/* Canonical documents <-> their JSON form. Writing is a direct serializer over the field tables
 * (fast, deterministic key order); reading uses jansson. Absent fields are left out. */
#include "core/model_json.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model_fields.h"

typedef struct {
    dg_buf *b;
    bool pretty;
    int depth;
    bool first[16]; /* per nesting level: no comma needed yet */
} jw;

static inline void jw_copy(char *d, const char *s, size_t n);
static inline void jw_reserve(dg_buf *b, size_t extra);

/* A line break and the indentation of a nesting level (two spaces each, at most 15 levels: see
 * jw.first), copied in one piece instead of two bytes per level for every key. */
static const char jw_nl_indent[] = "\n                              ";

_Static_assert(sizeof jw_nl_indent == 32, "a line break and 15 levels of two spaces");

static inline size_t jw_indent_len(const jw *w)
{
    return 1 + 2 * (size_t)(w->depth < 15 ? w->depth : 15);
}

/* The caller has reserved jw_indent_len(w) bytes. */
static inline void jw_newline(jw *w)
{
    size_t n = jw_indent_len(w);
    jw_copy(w->b->data + w->b->len, jw_nl_indent, n);
    w->b->len += n;
}

/* Bytes that need escaping in a JSON string: controls, '"' and '\\'. */
static inline bool jw_esc(unsigned char c)
{
    return c < 0x20 || c == '"' || c == '\\';
}

/* Appends raw bytes; the caller has reserved room (the hot path writes without calls). */
static inline void jw_raw(dg_buf *b, const char *s, size_t n)
{
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

/* dg_buf_reserve without the call when there is room (it is called per value). */
static inline void jw_reserve(dg_buf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap)
        dg_buf_reserve(b, extra);
}

#define JW_LOW7 0x7f7f7f7f7f7f7f7fULL
#define JW_ONES 0x0101010101010101ULL

/* High bit of each byte of x that is zero (exact: no carries between bytes). */
static inline uint64_t jw_zero(uint64_t x)
{
    return ~(((x & JW_LOW7) + JW_LOW7) | x | JW_LOW7);
}

/* Nonzero when one of the 8 bytes of x needs escaping (jw_esc), 8 at a time. */
static inline uint64_t jw_esc8(uint64_t x)
{
    uint64_t ctl = ~(((x & JW_LOW7) + 0x6060606060606060ULL) | x); /* < 0x20 */
    return (ctl | jw_zero(x ^ (JW_ONES * '"')) | jw_zero(x ^ (JW_ONES * '\\'))) &
           0x8080808080808080ULL;
}

/* Copies n bytes to d (room reserved) with overlapping 8- or 4-byte moves: no call. */
static inline void jw_copy(char *d, const char *s, size_t n)
{
    if (n >= 8) {
        uint64_t x;
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&x, s + i, 8);
            memcpy(d + i, &x, 8);
        }
        memcpy(&x, s + n - 8, 8);
        memcpy(d + n - 8, &x, 8);
    } else if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + n - 4, 4);
        memcpy(d, &lo, 4);
        memcpy(d + n - 4, &hi, 4);
    } else {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    }
}

/* The general case: escapes, from the start of the string. */
static void jw_string_esc(dg_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    b->data[b->len++] = '"';
    const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
    for (; p < end; p++) {
        if (!jw_esc(*p))
            continue;
        char e[6];
        size_t el = 2;
        e[0] = '\\';
        switch (*p) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        default:
            memcpy(e + 1, "u00", 3);
            e[4] = hex[*p >> 4];
            e[5] = hex[*p & 15];
            el = 6;
        }
        dg_buf_reserve(b, (size_t)(p - run) + el + (size_t)(end - p) + 2);
        jw_raw(b, (const char *)run, (size_t)(p - run));
        jw_raw(b, e, el);
        run = p + 1;
    }
    jw_raw(b, (const char *)run, (size_t)(end - run));
    b->data[b->len++] = '"';
    b->data[b->len] = '\0';
}

/* Copies len bytes of s to d (room reserved) and says whether one of them needs escaping.
 * Values are short and rarely need escaping: the bytes are checked and copied 8 (or 4) at a
 * time with overlapping loads and stores inside the string, no call per value. */
static inline __attribute__((always_inline)) uint64_t jw_copy_check(char *d, const char *s,
                                                                    size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t esc = 0;
    if (len >= 8) {
        uint64_t x;
        for (size_t i = 0; i + 8 < len; i += 8) {
            memcpy(&x, p + i, 8);
            esc |= jw_esc8(x);
            memcpy(d + i, &x, 8);
        }
        memcpy(&x, p + len - 8, 8); /* the last 8 bytes (overlapping: no byte loop) */
        esc |= jw_esc8(x);
        memcpy(d + len - 8, &x, 8);
    } else if (len >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, p, 4);
        memcpy(&hi, p + len - 4, 4);
        esc = jw_esc8((uint64_t)hi << 32 | lo);
        memcpy(d, &lo, 4);
        memcpy(d + len - 4, &hi, 4);
    } else {
        for (size_t i = 0; i < len; i++) {
            esc |= jw_esc(p[i]);
            d[i] = (char)p[i];
        }
    }
    return esc;
}

static void jw_string(dg_buf *b, const char *s)
{
    size_t len = strlen(s);
    jw_reserve(b, len + 3);
    char *d = b->data + b->len;
    if (jw_copy_check(d + 1, s, len)) {
        jw_string_esc(b, s, len);
        return;
    }
    d[0] = '"';
    d[len + 1] = '"';
    d[len + 2] = '\0';
    b->len += len + 2;
}

/* The longest decimal as a JSON string: '"', '-', 15 integer digits, '.', 4 decimals, '"'. */
#define JW_DEC_MAX 24

/* A decimal as its JSON string at o (JW_DEC_MAX bytes of room), returning its end: the
 * shortest exact text, with at least two decimals for money ("12.50"), what dg_field_text
 * gives (core_test_model_json decimals_like_field_text compares the two). */
static inline char *jw_dec(char *o, dg_dec d, bool money)
{
    uint64_t v = d.v < 0 ? (uint64_t)0 - (uint64_t)d.v : (uint64_t)d.v;
    uint64_t ip = v / DG_DEC_SCALE;
    unsigned frac = (unsigned)(v % DG_DEC_SCALE);
    char tmp[JW_DEC_MAX + 8], *e = tmp + sizeof tmp, *q = e;
    *--q = '"';
    if (frac) {
        unsigned places = 4;
        while (frac % 10 == 0) {
            frac /= 10;
            places--;
        }
        if (money && places < 2) {
            frac *= 10;
            places = 2;
        }
        for (unsigned k = 0; k < places; k++, frac /= 10)
            *--q = (char)('0' + frac % 10);
        *--q = '.';
    } else if (money) {
        q -= 3;
        memcpy(q, ".00", 3);
    }
    do {
        *--q = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    if (d.v < 0)
        *--q = '-';
    *--q = '"';
    size_t n = (size_t)(e - q);
    jw_copy(o, q, n);
    return o + n;
}

/* Keys are field names from the tables: plain ASCII, never escaped. */
/* The comma (after a sibling), line break and indentation (pretty form) and "key": (when key
 * is given) written at the end of the buffer, with room reserved for extra more bytes; returns
 * where the value goes. Keys here are the writer's own names: plain ASCII, never escaped. */
static char *jw_key_at(jw *w, const char *key, size_t extra)
{
    size_t kl = key ? strlen(key) : 0, ind = w->pretty ? jw_indent_len(w) : 0;
    jw_reserve(w->b, kl + ind + extra + 6);
    char *o = w->b->data + w->b->len;
    *o = ',';
    o += !w->first[w->depth];
    w->first[w->depth] = false;
    jw_copy(o, jw_nl_indent, ind);
    o += ind;
    if (key) {
        *o++ = '"';
        jw_copy(o, key, kl);
        o += kl;
        *o++ = '"';
        *o++ = ':';
        if (w->pretty)
            *o++ = ' ';
    }
    return o;
}

/* The buffer ends at o (room was reserved for it and its NUL). */
static inline void jw_end_at(jw *w, char *o)
{
    *o = '\0';
    w->b->len = (size_t)(o - w->b->data);
}

static void jw_key(jw *w, const char *key)
{
    jw_end_at(w, jw_key_at(w, key, 0));
}

static void jw_open(jw *w, const char *key, char c)
{
    char *o;
    if (w->depth > 0 || !w->first[0]) {
        o = jw_key_at(w, key, 1);
    } else { /* the root value */
        jw_reserve(w->b, 1);
        o = w->b->data + w->b->len;
    }
    w->first[0] = false; /* the root value is written once */
    *o++ = c;
    jw_end_at(w, o);
    w->depth++;
    w->first[w->depth] = true;
}

static void jw_close(jw *w, char c)
{
    bool empty = w->first[w->depth];
    w->depth--;
    size_t ind = !empty && w->pretty ? jw_indent_len(w) : 0;
    jw_reserve(w->b, ind + 1);
    char *o = w->b->data + w->b->len;
    jw_copy(o, jw_nl_indent, ind);
    o += ind;
    *o++ = c;
    jw_end_at(w, o);
}

/* A table field's key: precomputed "name": text, no strlen or escaping per value. In the pretty
 * form the line break, indentation and key come as one piece (json_pre) when the field is written
 * at the level its table expects, which dg_doc_to_json always does. */
static inline __attribute__((always_inline)) void jw_fkey(jw *w, const dg_field *f)
{
    if (w->pretty && f->json_pre_len == 2 * (size_t)w->depth + 2 + f->json_key_len) {
        jw_reserve(w->b, f->json_pre_len + 2);
        w->b->data[w->b->len] = ',';
        w->b->len += !w->first[w->depth];
        w->first[w->depth] = false;
        jw_copy(w->b->data + w->b->len, f->json_pre, f->json_pre_len);
        w->b->len += f->json_pre_len;
        w->b->data[w->b->len] = '\0';
        return;
    }
    jw_reserve(w->b, f->json_key_len + 4 + (w->pretty ? 1 + 2 * (size_t)w->depth : 0));
    if (!w->first[w->depth])
        w->b->data[w->b->len++] = ',';
    w->first[w->depth] = false;
    if (w->pretty)
        jw_newline(w);
    jw_copy(w->b->data + w->b->len, f->json_key, f->json_key_len);
    w->b->len += f->json_key_len;
    if (w->pretty)
        w->b->data[w->b->len++] = ' ';
    w->b->data[w->b->len] = '\0';
}

static void jw_field(jw *w, const char *key, const char *val)
{
    jw_key(w, key);
    jw_string(w->b, val);
}

/* Where each record's fields are in a table (a record's fields are one run), found once per
 * table: run[g + 2] for g = DG_FIELD_SOURCE, DG_FIELD_BODY, 0 .. JW_GROUPS - 3; empty when
 * absent. */
#define JW_GROUPS 32
typedef struct {
    size_t from, to;
} jw_run;

static void record_runs(const dg_field *fs, size_t n, jw_run run[JW_GROUPS])
{
    for (size_t g = 0; g < JW_GROUPS; g++)
        run[g] = (jw_run){n, n};
    for (size_t i = n; i-- > 0;) {
        int g = fs[i].group + 2;
        if (g < 0 || g >= JW_GROUPS)
            abort(); /* a table with more groups than JW_GROUPS: a programming error */
        if (run[g].to == n && run[g].from == n)
            run[g].to = i + 1;
        run[g].from = i;
    }
}

/* One present field, "key": and its value, reserved once and written through a local cursor
 * (each store through the buffer's char pointer would make the compiler reload the buffer's
 * fields). s: the text of a string field, else d is the decimal. The key is the table's piece:
 * with the line break and indentation in the pretty form when the field is written at the
 * level its table expects, which dg_doc_to_json always does (else jw_fkey's general way). */
static inline __attribute__((always_inline)) void jw_put(jw *w, const dg_field *f, const char *s,
                                                         dg_dec d)
{
    dg_buf *b = w->b;
    size_t len = s ? strlen(s) : 0;
    bool pretty = w->pretty, money = f->type == DG_FIELD_MONEY;
    char *o;
    if (pretty && f->json_pre_len != 2 * (size_t)w->depth + 2 + f->json_key_len) {
        jw_fkey(w, f);
        jw_reserve(b, len + JW_DEC_MAX + 3);
        o = b->data + b->len;
    } else { /* read everything first: each store through o could alias it */
        const char *key = pretty ? f->json_pre : f->json_key;
        size_t kl = pretty ? f->json_pre_len : f->json_key_len;
        bool *first = &w->first[w->depth];
        size_t comma = !*first;
        *first = false;
        jw_reserve(b, 1 + kl + len + JW_DEC_MAX + 3);
        o = b->data + b->len;
        *o = ',';
        o += comma;
        jw_copy(o, key, kl);
        o += kl;
    }
    char *data = b->data;
    if (!s) {
        o = jw_dec(o, d, money);
    } else if (jw_copy_check(o + 1, s, len)) {
        b->len = (size_t)(o - data);
        jw_string_esc(b, s, len);
        return;
    } else {
        o[0] = '"';
        o[len + 1] = '"';
        o += len + 2;
    }
    *o = '\0';
    b->len = (size_t)(o - data);
}

/* Writes the fields f .. end (one record's run) of record rec that are present: an absent
 * field costs one load and test. g: the record's group (source fields are never put in an
 * object of their own). */
static void write_record(jw *w, const dg_field *f, const dg_field *end, int g, void *rec)
{
    const char *open_obj = NULL;
    bool objects = g != DG_FIELD_SOURCE;
    for (; f < end; f++) {
        const char *s = NULL;
        dg_dec d = {0};
        if (f->type == DG_FIELD_STR) {
            if (!(s = *dg_field_str(rec, f)))
                continue;
        } else if (!(d = *dg_field_dec(rec, f)).set) {
            continue;
        }
        if (objects && f->object != open_obj) {
            if (open_obj && (!f->object || strcmp(open_obj, f->object))) {
                jw_close(w, '}');
                open_obj = NULL;
            }
            if (f->object && !open_obj) {
                jw_open(w, f->object, '{');
                open_obj = f->object;
            }
        }
        jw_put(w, f, s, d);
    }
    if (open_obj)
        jw_close(w, '}');
}

int dg_doc_to_json(const dg_doc *cdoc, int flags, dg_buf *out, dg_error *err)
{
    size_t n, ng;
    const dg_field *fs = dg_fields_list(cdoc->kind, &n);
    const dg_field_group *gs = dg_fields_groups(cdoc->kind, &ng);
    if (!fs)
        return dg_error_set(err, DG_EINVAL, "JSON: document has no kind");
    dg_doc *doc = (dg_doc *)cdoc; /* record access is read-only here */
    jw w = {.b = out, .pretty = (flags & DG_JSON_PRETTY) != 0, .depth = 0, .first = {true}};
    /* the group starts depend on the table only: found once per table (per thread) */
    static _Thread_local const dg_field *runs_of;
    static _Thread_local jw_run run[JW_GROUPS];
    if (runs_of != fs) {
        if (ng + 2 > JW_GROUPS)
            abort(); /* more groups than JW_GROUPS: a programming error in the tables */
        record_runs(fs, n, run);
        runs_of = fs;
    }
    jw_open(&w, NULL, '{');
    jw_field(&w, "kind", dg_doc_kind_name(doc->kind));
    jw_open(&w, "source", '{');
    const jw_run *src = &run[DG_FIELD_SOURCE + 2], *body = &run[DG_FIELD_BODY + 2];
    write_record(&w, fs + src->from, fs + src->to, DG_FIELD_SOURCE, &doc->source);
    if (doc->source.position > 0) {
        jw_key(&w, "position");
        char num[24], *e = num + sizeof num, *q = e; /* printf costs more than the rest */
        unsigned long v = (unsigned long)doc->source.position;
        do {
            *--q = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        dg_buf_append(out, q, (size_t)(e - q));
    }
    jw_close(&w, '}');
    jw_open(&w, dg_doc_kind_name(doc->kind), '{');
    write_record(&w, fs + body->from, fs + body->to, DG_FIELD_BODY, &doc->u);
    for (size_t g = 0; g < ng; g++) {
        size_t cnt = dg_fields_count(doc, (int)g);
        jw_open(&w, gs[g].name, '[');
        const jw_run *r = &run[g + 2];
        char *items = cnt ? dg_fields_record(doc, (int)g, 0) : NULL;
        for (size_t i = 0; i < cnt; i++) {
            jw_open(&w, NULL, '{');
            write_record(&w, fs + r->from, fs + r->to, (int)g, items + i * gs[g].elem_size);
            jw_close(&w, '}');
        }
        jw_close(&w, ']');
    }
    jw_close(&w, '}');
    jw_close(&w, '}');
    return 0;
}

/* Sets field f of record rec from JSON value v; where names the field for messages. */
static int read_value(dg_doc *doc, void *rec, const dg_field *f, json_t *v, const char *where,
                      dg_error *err)
{
    if (json_is_null(v))
        return 0;
    char tmp[64];
    const char *s = NULL;
    size_t len = 0;
    if (json_is_string(v)) {
        s = json_string_value(v);
        len = json_string_length(v);
    } else if (json_is_integer(v)) {
        len = (size_t)snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
        s = tmp;
    } else if (json_is_real(v) && f->type != DG_FIELD_STR) {
        len = (size_t)snprintf(tmp, sizeof tmp, "%.4f", json_real_value(v));
        s = tmp;
    } else {
        return dg_error_set(err, DG_EPARSE, "JSON: %s: expected a string", where);
    }
    if (f->type == DG_FIELD_STR) {
        *dg_field_str(rec, f) = dg_arena_strndup(doc->arena, s, len);
        return 0;
    }
    if (dg_dec_parse(s, len, 0, dg_field_dec(rec, f)))
        return dg_error_set(err, DG_EPARSE, "JSON: %s: '%s' is not a decimal number", where, s);
    return 0;
}

static int read_record(dg_doc *doc, const dg_field *fs, size_t n, int g, void *rec, json_t *obj,
                       const char *prefix, dg_error *err)
{
    char where[256];
    size_t i = 0;
    while (i < n && fs[i].group != g) /* a record's fields are contiguous in the table */
        i++;
    for (; i < n && fs[i].group == g; i++) {
        const dg_field *f = &fs[i];
        json_t *o = obj;
        if (f->object && g != DG_FIELD_SOURCE) {
            o = json_object_get(obj, f->object);
            if (o && !json_is_object(o))
                return dg_error_set(err, DG_EPARSE, "JSON: %s.%s: expected an object", prefix,
                                    f->object);
        }
        json_t *v = o ? json_object_get(o, f->name) : NULL;
        if (!v)
            continue;
        snprintf(where, sizeof where, "%s.%s", prefix, g >= 0 ? f->name : f->path);
        int rc = read_value(doc, rec, f, v, where, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int from_root(json_t *root, dg_doc **out, dg_error *err)
{
    if (!json_is_object(root))
        return dg_error_set(err, DG_EPARSE, "JSON: the document must be an object");
    const char *kname = json_string_value(json_object_get(root, "kind"));
    dg_doc_kind kind = dg_doc_kind_from_name(kname);
    if (kind == DG_DOC_NONE)
        return dg_error_set(err, DG_EPARSE,
                            "JSON: \"kind\" must be order, shipment, invoice, stock, "
                            "acknowledgment or status (got %s)",
                            kname ? kname : "nothing");
    json_t *body = json_object_get(root, kname);
    if (!json_is_object(body))
        return dg_error_set(err, DG_EPARSE, "JSON: missing object \"%s\"", kname);
    dg_doc *doc = dg_doc_new(kind);
    size_t n, ng;
    const dg_field *fs = dg_fields_list(kind, &n);
    const dg_field_group *gs = dg_fields_groups(kind, &ng);
    int rc = 0;
    json_t *src = json_object_get(root, "source");
    if (json_is_object(src)) {
        rc = read_record(doc, fs, n, DG_FIELD_SOURCE, &doc->source, src, "source", err);
        json_t *pos = json_object_get(src, "position");
        if (json_is_integer(pos))
            doc->source.position = (long)json_integer_value(pos);
    }
    if (!rc)
        rc = read_record(doc, fs, n, DG_FIELD_BODY, &doc->u, body, kname, err);
    for (size_t g = 0; !rc && g < ng; g++) {
        json_t *arr = json_object_get(body, gs[g].name);
        if (!arr)
            continue;
        if (!json_is_array(arr)) {
            rc = dg_error_set(err, DG_EPARSE, "JSON: %s.%s: expected an array", kname, gs[g].name);
            break;
        }
        for (size_t i = 0; !rc && i < json_array_size(arr); i++) {
            json_t *el = json_array_get(arr, i);
            char prefix[128];
            snprintf(prefix, sizeof prefix, "%s.%s[%zu]", kname, gs[g].name, i);
            if (!json_is_object(el)) {
                rc = dg_error_set(err, DG_EPARSE, "JSON: %s: expected an object", prefix);
                break;
            }
            size_t idx = dg_fields_add(doc, (int)g);
            rc = read_record(doc, fs, n, (int)g, dg_fields_record(doc, (int)g, idx), el, prefix,
                             err);
        }
    }
    if (rc) {
        dg_doc_free(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

int dg_doc_from_json(const char *text, size_t len, dg_doc **out, dg_error *err)
{
    json_error_t jerr;
    *out = NULL;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (!root)
        return dg_error_set(err, DG_EPARSE, "JSON line %d column %d: %s", jerr.line, jerr.column,
                            jerr.text);
    int rc = from_root(root, out, err);
    json_decref(root);
    return rc;
}

int dg_docs_from_json(const char *text, size_t len, dg_doc_sink sink, void *ctx, dg_error *err)
{
    size_t off = 0;
    while (off < len) {
        while (off < len && strchr(" \t\r\n", text[off]))
            off++;
        if (off >= len)
            break;
        json_error_t jerr;
        json_t *root = json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK, &jerr);
        if (!root)
            return dg_error_set(err, DG_EPARSE, "JSON at byte %zu: line %d column %d: %s", off,
                                jerr.line, jerr.column, jerr.text);
        off += jerr.position;
        size_t n = json_is_array(root) ? json_array_size(root) : 1;
        for (size_t i = 0; i < n; i++) {
            dg_doc *doc = NULL;
            int rc = from_root(json_is_array(root) ? json_array_get(root, i) : root, &doc, err);
            if (!rc)
                rc = sink(ctx, doc, err);
            if (rc) {
                if (json_is_array(root))
                    dg_error_prefix(err, "document %zu: ", i + 1);
                json_decref(root);
                return rc;
            }
        }
        json_decref(root);
    }
    return 0;
}
