/* libcsv-driven record reader and a small field writer. libcsv hands us fields one by one; we
 * collect them into a reusable row buffer and call back once per record. */
#include "csv/csv.h"

#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    dg_csv_record_fn fn;
    void *ctx;
    dg_error *err;
    bool latin1;
    dg_buf data; /* field bytes of the current record, each NUL-terminated */
    size_t *offs, *lens;
    char **ptrs;
    size_t n, cap;
    long record;
    size_t pending; /* bytes given to libcsv since the last record ended */
    int rc;         /* first non-zero callback result: stops everything */
} reader;

/* Windows-1252 0x80-0x9F (where ISO-8859-1 has control codes): euro sign, curly quotes,
 * dashes... Unassigned bytes keep their ISO-8859-1 meaning. */
static const unsigned short cp1252[32] = {
    0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};

static void put_utf8(dg_buf *b, unsigned cp)
{
    if (cp < 0x80) {
        dg_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        char u[2] = {(char)(0xC0 | (cp >> 6)), (char)(0x80 | (cp & 0x3F))};
        dg_buf_append(b, u, 2);
    } else {
        char u[3] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
                     (char)(0x80 | (cp & 0x3F))};
        dg_buf_append(b, u, 3);
    }
}

static void on_field(void *s, size_t len, void *data)
{
    reader *r = data;
    if (r->rc)
        return;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->offs = realloc(r->offs, r->cap * sizeof *r->offs);
        r->lens = realloc(r->lens, r->cap * sizeof *r->lens);
        r->ptrs = realloc(r->ptrs, r->cap * sizeof *r->ptrs);
        if (!r->offs || !r->lens || !r->ptrs)
            abort();
    }
    r->offs[r->n] = r->data.len;
    if (r->latin1) { /* Windows-1252 (a superset of ISO-8859-1's printable range) -> UTF-8 */
        const unsigned char *p = s;
        for (size_t i = 0; i < len; i++)
            put_utf8(&r->data, p[i] >= 0x80 && p[i] < 0xA0 ? cp1252[p[i] - 0x80] : p[i]);
    } else if (len) {
        dg_buf_append(&r->data, s, len);
    }
    r->lens[r->n] = r->data.len - r->offs[r->n];
    dg_buf_putc(&r->data, '\0');
    r->n++;
}

static void on_record(int c, void *data)
{
    (void)c;
    reader *r = data;
    if (r->rc)
        return;
    r->record++;
    for (size_t i = 0; i < r->n; i++)
        r->ptrs[i] = r->data.data + r->offs[i];
    if (r->n)
        r->rc = r->fn(r->ctx, r->ptrs, r->lens, r->n, r->record, r->err);
    r->n = 0;
    dg_buf_clear(&r->data);
}

static int setup(struct csv_parser *p, reader *r, const dg_csv_opts *o, dg_csv_record_fn fn,
                 void *ctx, dg_error *err)
{
    memset(r, 0, sizeof *r);
    r->fn = fn;
    r->ctx = ctx;
    r->err = err;
    r->latin1 = o && o->latin1;
    if (csv_init(p, 0) != 0)
        return dg_error_set(err, DG_ENOMEM, "CSV parser could not start");
    csv_set_delim(p, (unsigned char)(o && o->delim ? o->delim : ','));
    csv_set_quote(p, (unsigned char)(o && o->quote ? o->quote : '"'));
    return 0;
}

static void teardown(struct csv_parser *p, reader *r)
{
    csv_free(p);
    dg_buf_free(&r->data);
    free(r->offs);
    free(r->lens);
    free(r->ptrs);
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* A complete line without quote characters in Latin-1 input (each field converted on its way
 * into the record), split here rather than byte by byte in libcsv: the same result (fields
 * trimmed of spaces and tabs, blank lines skipped) at a fraction of the cost. */
static void fast_record(reader *r, const char *s, size_t len, char delim)
{
    size_t k = 0;
    while (k < len && blank(s[k]))
        k++;
    if (k == len)
        return;
    const char *end = s + len;
    for (;;) {
        const char *d = memchr(s, delim, (size_t)(end - s));
        const char *fe = d ? d : end, *fb = s;
        while (fb < fe && blank(*fb))
            fb++;
        while (fe > fb && blank(fe[-1]))
            fe--;
        on_field((void *)(uintptr_t)fb, (size_t)(fe - fb), r);
        if (!d)
            break;
        s = d + 1;
    }
    on_record('\n', r);
}

/* The test hook: every line through libcsv (the reference the fast paths are tested against). */
static _Thread_local bool only_libcsv;

void dg_csv_debug_only_libcsv(bool on)
{
    only_libcsv = on;
}

/* A field's slot in the record (offset into r->data, length). Inline: once per field. */
static inline void add_field(reader *r, size_t off, size_t len)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->offs = realloc(r->offs, r->cap * sizeof *r->offs);
        r->lens = realloc(r->lens, r->cap * sizeof *r->lens);
        r->ptrs = realloc(r->ptrs, r->cap * sizeof *r->ptrs);
        if (!r->offs || !r->lens || !r->ptrs)
            abort();
    }
    r->offs[r->n] = off;
    r->lens[r->n] = len;
    r->n++;
}

/* A complete line (no CR in it) without quotes, or whose quoted fields are plain (quotes: the
 * line has a quote character): the quote right at the field's
 * start, right before the next delimiter or the line's end, and "" for a quote inside. The
 * line is copied once into the record buffer and split there (NULs over the delimiters, quoted
 * fields unescaped in place): the same fields libcsv gives, without its byte-by-byte state
 * machine and a copy per field. False (nothing emitted) for any other shape: libcsv reads it.
 * Fields are found with memchr (vectorised in the C library), so only the bytes inside quotes
 * are looked at one quote at a time. */
static bool split_record(reader *r, const char *s, size_t len, char delim, char quote, bool quotes)
{
    dg_buf_reserve(&r->data, len + 1);
    char *b = r->data.data;
    memcpy(b, s, len);
    b[len] = '\0';
    size_t i = 0;
    while (i < len && blank(b[i]))
        i++;
    if (i == len)
        return true; /* a blank line: no record */
    for (i = 0;;) {
        size_t fb = i;
        while (fb < len && blank(b[fb]))
            fb++;
        if (quotes && fb < len && b[fb] == quote) {
            if (fb != i)
                goto other; /* blanks before an opening quote */
            size_t out = fb, j = fb + 1;
            for (;;) {
                const char *q = memchr(b + j, quote, len - j);
                if (!q)
                    goto other; /* not closed on this line */
                size_t at = (size_t)(q - b);
                memmove(b + out, b + j, at - j);
                out += at - j;
                if (at + 1 < len && b[at + 1] == quote) {
                    b[out++] = quote;
                    j = at + 2;
                    continue;
                }
                if (at + 1 < len && b[at + 1] != delim)
                    goto other; /* text after the closing quote */
                b[out] = '\0';
                add_field(r, fb, out - fb);
                i = at + 1;
                break;
            }
            if (i == len)
                break;
            i++; /* the delimiter (one ending the line: an empty field follows) */
            continue;
        }
        const char *d = memchr(b + fb, delim, len - fb);
        size_t fe = d ? (size_t)(d - b) : len;
        if (quotes && memchr(b + fb, quote, fe - fb))
            goto other; /* a quote inside an unquoted field */
        size_t end = fe;
        while (end > fb && blank(b[end - 1]))
            end--;
        b[end] = '\0';
        add_field(r, fb, end - fb);
        if (!d)
            break;
        i = fe + 1;
    }
    r->data.len = len + 1;
    on_record('\n', r);
    return true;
other:
    r->n = 0;
    return false;
}

#define FEED_STEP ((size_t)1 << 16)

/* Feeds one chunk; first says whether a BOM may start it. Lines go to libcsv one at a time
 * (so its state is known at each line start) unless they can take the fast path. */
static int feed(struct csv_parser *p, reader *r, const char *buf, size_t len, bool first,
                const char *name)
{
    if (first && len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
        buf += 3;
        len -= 3;
    }
    const char *s = buf, *end = buf + len;
    char quote = (char)csv_get_quote(p), delim = (char)csv_get_delim(p);
    while (s < end && !r->rc) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
        if (nl && p->pstate == 0 /* no row begun */ && !only_libcsv) {
            size_t ll = (size_t)(nl - s);
            if (ll && s[ll - 1] == '\r')
                ll--;
            bool quotes = memchr(s, quote, ll) != NULL;
            if (!memchr(s, '\r', ll) &&
                (r->latin1 ? !quotes && (fast_record(r, s, ll, delim), true)
                           : split_record(r, s, ll, delim, quote, quotes))) {
                r->pending = 0;
                s += n;
                continue;
            }
        }
        if (n > FEED_STEP) /* a very long line: in steps, so the checks below run as it grows */
            n = FEED_STEP;
        long before = r->record;
        if (csv_parse(p, s, n, on_field, on_record, r) != n && !r->rc)
            return dg_error_set(r->err, DG_EPARSE, "%s: CSV record %ld: %s", name, r->record + 1,
                                csv_strerror(csv_error(p)));
        r->pending = r->record == before ? r->pending + n : 0;
        /* libcsv grows its field buffer by a fixed block: let the block follow the record's
         * size so a long field costs a few reallocations, not one per 128 bytes */
        csv_set_blk_size(p, r->pending > 128 ? r->pending : 128);
        if (r->pending > DG_CSV_MAX_RECORD && !r->rc)
            return dg_error_set(r->err, DG_EPARSE,
                                "%s: CSV record %ld is longer than %u MiB (no line end: a binary "
                                "file, or a quote that is never closed?)",
                                name, r->record + 1, DG_CSV_MAX_RECORD >> 20);
        s += n;
    }
    return r->rc;
}

static int finish(struct csv_parser *p, reader *r, const char *name)
{
    if (r->rc)
        return r->rc;
    if (csv_fini(p, on_field, on_record, r) != 0 && !r->rc)
        return dg_error_set(r->err, DG_EPARSE, "%s: CSV record %ld: %s", name, r->record + 1,
                            csv_strerror(csv_error(p)));
    return r->rc;
}

int dg_csv_read_file(const char *path, const dg_csv_opts *opts, dg_csv_record_fn fn, void *ctx,
                     dg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dg_error_set(err, DG_EIO, "%s: %s", path, strerror(errno));
    struct csv_parser p;
    reader r;
    int rc = setup(&p, &r, opts, fn, ctx, err);
    if (rc) {
        fclose(f);
        return rc;
    }
    char *chunk = malloc(1 << 16);
    if (!chunk)
        abort();
    bool first = true;
    size_t got;
    while (!rc && (got = fread(chunk, 1, 1 << 16, f)) > 0) {
        rc = feed(&p, &r, chunk, got, first, path);
        first = false;
    }
    if (!rc && ferror(f))
        rc = dg_error_set(err, DG_EIO, "%s: read error", path);
    if (!rc)
        rc = finish(&p, &r, path);
    fclose(f);
    free(chunk);
    teardown(&p, &r);
    return rc;
}

int dg_csv_read_buf(const char *data, size_t len, const char *name, const dg_csv_opts *opts,
                    dg_csv_record_fn fn, void *ctx, dg_error *err)
{
    struct csv_parser p;
    reader r;
    int rc = setup(&p, &r, opts, fn, ctx, err);
    if (!rc)
        rc = feed(&p, &r, data, len, true, name);
    if (!rc)
        rc = finish(&p, &r, name);
    teardown(&p, &r);
    return rc;
}

void dg_csv_put_field(dg_buf *out, const char *s, size_t len, char delim, char quote)
{
    bool need = len && (s[0] == ' ' || s[len - 1] == ' ');
    for (size_t i = 0; i < len && !need; i++)
        need = s[i] == delim || s[i] == quote || s[i] == '\n' || s[i] == '\r';
    if (!need) {
        dg_buf_append(out, s, len);
        return;
    }
    dg_buf_putc(out, quote);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == quote)
            dg_buf_putc(out, quote);
        dg_buf_putc(out, s[i]);
    }
    dg_buf_putc(out, quote);
}
