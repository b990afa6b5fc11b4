/* Streaming reader for JSON files: walks the file's structure down the documents path and hands
 * each document's bytes to jansson on their own, so a 1 GB array of orders is read with memory
 * for one order. Positions are counted as jansson counts them (lines, UTF-8 characters). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_internal.h"

enum { MAX_DEPTH = 1024, KEY_MAX = 1024 };

typedef struct {
    FILE *f;
    const char *path;
    unsigned char buf[1 << 16];
    size_t pos, len;
    long line, col; /* of the next byte */
    /* capture of the bytes of one value */
    bool capturing, over;
    size_t cap_from, cap_max;
    dg_buf cap;
    /* the walk */
    const dg_json_read_opts *o;
    const dg_json_path *docs;
    dg_json_doc_fn fn;
    void *ctx;
    size_t found;
    bool reached; /* the documents path led to a container of the right kind */
    dg_error *err;
} rd;

static int perr(rd *r, long line, long col, const char *fmt, const char *arg)
{
    char msg[400];
    snprintf(msg, sizeof msg, fmt, arg);
    return dg_error_set(r->err, DG_EPARSE, "%s:%ld:%ld: not valid JSON: %s", r->path, line, col,
                        msg);
}

static void cap_flush(rd *r)
{
    if (!r->capturing || r->over)
        return;
    size_t n = r->pos - r->cap_from;
    if (r->cap.len + n > r->cap_max) {
        r->over = true;
        dg_buf_free(&r->cap);
        return;
    }
    dg_buf_append(&r->cap, r->buf + r->cap_from, n);
    r->cap_from = r->pos;
}

static bool fill(rd *r)
{
    cap_flush(r);
    r->len = fread(r->buf, 1, sizeof r->buf, r->f);
    r->pos = r->cap_from = 0;
    return r->len > 0;
}

static inline int peek(rd *r)
{
    if (r->pos == r->len && !fill(r))
        return -1;
    return r->buf[r->pos];
}

static inline int next(rd *r)
{
    if (r->pos == r->len && !fill(r))
        return -1;
    int c = r->buf[r->pos++];
    if (c == '\n') {
        r->line++;
        r->col = 1;
    } else if ((c & 0xC0) != 0x80) { /* a UTF-8 continuation byte is no new column */
        r->col++;
    }
    return c;
}

static int ws(rd *r)
{
    int c;
    while ((c = peek(r)) == ' ' || c == '\t' || c == '\n' || c == '\r')
        next(r);
    return c;
}

static int eof_in(rd *r, long line, long col)
{
    char at[64];
    snprintf(at, sizeof at, "line %ld column %ld", line, col);
    return perr(r, r->line, r->col, "the file ends inside the value that starts at %s", at);
}

/* The rest of a string after its opening quote. */
static int scan_string(rd *r, long line, long col)
{
    for (;;) {
        int c = next(r);
        if (c < 0)
            return eof_in(r, line, col);
        if (c == '"')
            return 0;
        if (c == '\\' && next(r) < 0)
            return eof_in(r, line, col);
    }
}

/* One value, checked only as far as finding its end: strings, bracket nesting. What is inside
 * is checked by jansson when the value is parsed. */
static int scan_value(rd *r)
{
    int c = ws(r);
    long line = r->line, col = r->col;
    if (c < 0)
        return perr(r, line, col, "the file ends where a value is expected%s", "");
    if (c == '"') {
        next(r);
        return scan_string(r, line, col);
    }
    if (c != '{' && c != '[') {
        size_t n = 0;
        while ((c = peek(r)) >= 0 && !strchr(",}] \t\r\n", c)) {
            next(r);
            n++;
        }
        if (!n) {
            char s[2] = {(char)c, 0};
            return perr(r, line, col, "unexpected '%s' where a value is expected", s);
        }
        return 0;
    }
    char stack[MAX_DEPTH];
    int depth = 0;
    for (;;) {
        long l = r->line, k = r->col;
        c = next(r);
        if (c < 0)
            return eof_in(r, line, col);
        if (c == '"') {
            if (scan_string(r, l, k))
                return r->err->code;
        } else if (c == '{' || c == '[') {
            if (depth == MAX_DEPTH)
                return perr(r, l, k, "nested deeper than %s levels", "1024");
            stack[depth++] = (char)c;
        } else if (c == '}' || c == ']') {
            char want = c == '}' ? '{' : '[';
            if (!depth || stack[depth - 1] != want)
                return perr(r, l, k, "'%s' does not close the bracket opened before it",
                            c == '}' ? "}" : "]");
            if (--depth == 0)
                return 0;
        }
    }
}

static void cap_start(rd *r)
{
    dg_buf_clear(&r->cap);
    r->capturing = true;
    r->over = false;
    r->cap_from = r->pos;
}

static void cap_end(rd *r)
{
    cap_flush(r);
    r->capturing = false;
}

static json_t *parse_cap(rd *r, long line, long col)
{
    json_error_t je;
    json_t *v = json_loadb(r->cap.data ? r->cap.data : "", r->cap.len,
                           JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        long l = je.line > 0 ? line + je.line - 1 : line;
        long c = je.line <= 1 ? col + (je.column > 0 ? je.column - 1 : 0) : je.column;
        perr(r, l, c, "%s", je.text);
    }
    return v;
}

/* A value off the documents path: found and checked, then dropped. */
static int skip_value(rd *r)
{
    ws(r);
    long line = r->line, col = r->col;
    cap_start(r);
    int rc = scan_value(r);
    cap_end(r);
    if (rc || r->over) /* too large to check here: its structure was */
        return rc;
    json_t *v = parse_cap(r, line, col);
    json_decref(v);
    return v ? 0 : r->err->code;
}

static int document(rd *r)
{
    ws(r);
    dg_json_doc d = {NULL, r->line, r->col, ++r->found, NULL};
    r->reached = true;
    cap_start(r);
    int rc = scan_value(r);
    cap_end(r);
    if (rc)
        return rc;
    char why[160];
    if (r->over) {
        snprintf(why, sizeof why,
                 "the document is larger than %zu bytes (json: max_document_bytes)", r->cap_max);
        d.problem = why;
        return r->fn(r->ctx, &d, r->err);
    }
    if (!(d.value = parse_cap(r, d.line, d.column)))
        return r->err->code;
    rc = r->fn(r->ctx, &d, r->err);
    json_decref(d.value);
    return rc;
}

/* An object member name, decoded enough to compare (escapes kept as written past KEY_MAX). */
static int read_key(rd *r, char *key, size_t *klen)
{
    long line = r->line, col = r->col;
    if (next(r) != '"')
        return perr(r, line, col, "expected a member name in double quotes%s", "");
    size_t n = 0;
    for (;;) {
        int c = next(r);
        if (c < 0)
            return eof_in(r, line, col);
        if (c == '"')
            break;
        if (c == '\\') {
            c = next(r);
            const char *esc = strchr("\"\\/bfnrt", c), *val = "\"\\/\b\f\n\r\t";
            if (c == 'u') /* names with \u escapes are compared undecoded: never a match */
                c = 0x01;
            else if (esc)
                c = val[esc - "\"\\/bfnrt"];
            else
                return perr(r, r->line, r->col, "bad escape in a member name%s", "");
        }
        if (n < KEY_MAX - 1)
            key[n++] = (char)c;
    }
    key[n] = '\0';
    *klen = n;
    return 0;
}

static int expect(rd *r, char want, const char *what)
{
    int c = ws(r);
    long line = r->line, col = r->col;
    if (c != want) {
        char got[8];
        snprintf(got, sizeof got, c < 0 ? "the end" : "'%c'", c);
        char msg[96];
        snprintf(msg, sizeof msg, "expected %s, found %s", what, got);
        return perr(r, line, col, "%s", msg);
    }
    next(r);
    return 0;
}

static int nav(rd *r, size_t i);

/* The members (or elements) of the container at the cursor; visit says which go down the path. */
static int each_member(rd *r, size_t i, const json_step *st)
{
    next(r); /* { */
    if (ws(r) == '}')
        return next(r), 0;
    char key[KEY_MAX];
    for (;;) {
        size_t klen;
        int rc = read_key(r, key, &klen);
        if (!rc)
            rc = expect(r, ':', "':' after a member name");
        if (!rc)
            rc = strlen(st->name) == klen && !memcmp(key, st->name, klen) ? nav(r, i + 1)
                                                                          : skip_value(r);
        if (rc)
            return rc;
        long line = (ws(r), r->line), col = r->col;
        int c = next(r);
        if (c == '}')
            return 0;
        if (c != ',')
            return perr(r, line, col, "expected ',' or '}' after a member%s", "");
        ws(r);
    }
}

static int each_element(rd *r, size_t i, const json_step *st)
{
    next(r); /* [ */
    if (ws(r) == ']')
        return next(r), 0;
    for (long k = 0;; k++) {
        int rc = st->kind == ST_ALL || k == st->index ? nav(r, i + 1) : skip_value(r);
        if (rc)
            return rc;
        long line = (ws(r), r->line), col = r->col;
        int c = next(r);
        if (c == ']')
            return 0;
        if (c != ',')
            return perr(r, line, col, "expected ',' or ']' after an element%s", "");
    }
}

static int nav(rd *r, size_t i)
{
    const dg_json_path *p = r->docs;
    int c = ws(r);
    if (i == p->n)
        return document(r);
    const json_step *st = &p->steps[i];
    if (st->kind == ST_MEMBER && c == '{')
        return each_member(r, i, st);
    if (st->kind != ST_MEMBER && c == '[') {
        if (i + 1 == p->n)
            r->reached = true; /* an empty array of documents is no error */
        return each_element(r, i, st);
    }
    return skip_value(r); /* not on the path */
}

/* Which alternative applies to this file: the root's kind and, for an object, its member
 * names (a quick pass over the top level, then the file is read again from the start). */
static int choose(rd *r, const dg_json_path *const *alts, size_t n, const dg_json_path **out)
{
    int c = ws(r);
    size_t best = n;
    bool members = false;
    for (size_t k = 0; k < n && best == n; k++) {
        const dg_json_path *p = alts[k];
        if (!p->n)
            best = k;
        else if (p->steps[0].kind != ST_MEMBER && c == '[')
            best = k;
        else if (p->steps[0].kind == ST_MEMBER && c == '{')
            members = true;
    }
    if (members) {
        next(r);
        char key[KEY_MAX];
        int rc = 0;
        for (bool more = ws(r) != '}'; more && !rc;) {
            size_t klen;
            if ((rc = read_key(r, key, &klen)) || (rc = expect(r, ':', "':' after a member name")))
                break;
            for (size_t k = 0; k < best; k++)
                if (alts[k]->n && alts[k]->steps[0].kind == ST_MEMBER &&
                    strlen(alts[k]->steps[0].name) == klen &&
                    !memcmp(alts[k]->steps[0].name, key, klen))
                    best = k;
            if ((rc = scan_value(r)))
                break;
            long line = (ws(r), r->line), col = r->col;
            c = next(r);
            if (c != ',' && c != '}')
                rc = perr(r, line, col, "expected ',' or '}' after a member%s", "");
            more = c == ',';
            ws(r);
        }
        if (rc)
            return rc;
        rewind(r->f);
        r->pos = r->len = 0;
        r->line = r->col = 1;
        if (peek(r) == 0xEF && r->len >= 3 && !memcmp(r->buf, "\xEF\xBB\xBF", 3))
            r->pos = 3;
    }
    *out = best < n ? alts[best] : NULL;
    return 0;
}

int dg_json_read_file(const char *path, const dg_json_read_opts *o, dg_json_doc_fn fn, void *ctx,
                      size_t *found, dg_error *err)
{
    *found = 0;
    rd *r = calloc(1, sizeof *r);
    if (!r)
        return dg_error_set(err, DG_ENOMEM, "%s: out of memory", path);
    r->path = path;
    r->o = o;
    r->fn = fn;
    r->ctx = ctx;
    r->err = err;
    r->line = r->col = 1;
    r->cap_max = o && o->max_document_bytes ? o->max_document_bytes : (size_t)16 << 20;
    int rc = 0;
    if (!(r->f = fopen(path, "rb"))) {
        rc = dg_error_set(err, DG_EIO, "%s: %s", path, strerror(errno));
        free(r);
        return rc;
    }
    if (peek(r) == 0xEF && r->len >= 3 && !memcmp(r->buf, "\xEF\xBB\xBF", 3))
        r->pos = 3; /* a UTF-8 byte-order mark */
    static json_step every = {ST_ALL, NULL, 0, NULL, NULL, 0, false};
    static dg_json_path all = {"$[*]", false, &every, 1};
    static dg_json_path whole = {"$", false, NULL, 0};
    const dg_json_path *dflt[] = {&all, &whole};
    const dg_json_path *const *alts = o && o->n_documents ? o->documents : dflt;
    size_t n = o && o->n_documents ? o->n_documents : 2;
    if (ws(r) < 0)
        rc = dg_error_set(err, DG_EPARSE, "%s: empty file: no JSON value", path);
    if (!rc)
        rc = choose(r, alts, n, &r->docs);
    if (!rc && r->docs)
        rc = nav(r, 0);
    else if (!rc)
        rc = skip_value(r);
    if (!rc && ws(r) >= 0)
        rc = perr(r, r->line, r->col, "unexpected text after the end of the JSON value%s", "");
    if (!rc && !r->reached) {
        dg_buf names = DG_BUF_INIT;
        for (size_t k = 0; k < n; k++)
            dg_buf_printf(&names, "%s%s", k ? ", " : "", alts[k]->text);
        rc = dg_error_set(err, DG_EMAP, "%s: no documents at %s in this file", path, names.data);
        dg_buf_free(&names);
    }
    *found = r->found;
    fclose(r->f);
    dg_buf_free(&r->cap);
    free(r);
    return rc;
}
