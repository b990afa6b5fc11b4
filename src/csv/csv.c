/* libcsv-driven record reader and a small field writer. libcsv hands us fields one by one; we
 * collect them into a reusable row buffer and call back once per record. */
#include "csv/csv.h"

#include <csv.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
    /* the line scan's marks (scan_line): offsets of the delimiters and quotes of one line */
    uint32_t *dpos, *qpos;
    size_t mark_cap;
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
    free(r->dpos);
    free(r->qpos);
}

/* Space or tab (one compare for the usual byte above ' '). */
static inline bool blank(char c)
{
    return (unsigned char)c <= ' ' && (c == ' ' || c == '\t');
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

/* Room for need fields in the record's arrays. */
static void fields_room(reader *r, size_t need)
{
    if (need <= r->cap)
        return;
    while (r->cap < need)
        r->cap = r->cap ? r->cap * 2 : 64;
    r->offs = realloc(r->offs, r->cap * sizeof *r->offs);
    r->lens = realloc(r->lens, r->cap * sizeof *r->lens);
    r->ptrs = realloc(r->ptrs, r->cap * sizeof *r->ptrs);
    if (!r->offs || !r->lens || !r->ptrs)
        abort();
}

/* The split line's record to the callback (on_record without turning offsets into pointers). */
static void split_done(reader *r)
{
    if (r->rc)
        return;
    r->record++;
    r->rc = r->fn(r->ctx, r->ptrs, r->lens, r->n, r->record, r->err);
    r->n = 0;
    dg_buf_clear(&r->data);
}

/* ---- the line scan ------------------------------------------------------------------------ */

/* What one pass over a line finds: its end, and where its delimiters and quotes are (offsets
 * from the line's start, in r->dpos / r->qpos) and its first CR. The splitter below works from
 * these marks instead of searching each field again (a memchr call per field and per quote
 * test before). */
typedef struct {
    size_t len;      /* bytes before the '\n' */
    size_t nd, nq;   /* delimiters, quotes */
    size_t first_cr; /* offset of the first CR, SIZE_MAX: none */
} line_marks;

/* Longest line the scan takes: the same as the reading chunk of a file (a longer line never had
 * its line end in one chunk, so it went through libcsv before too). */
#define SCAN_MAX ((size_t)1 << 16)

static void marks_room(reader *r, size_t need)
{
    if (need <= r->mark_cap)
        return;
    size_t cap = r->mark_cap ? r->mark_cap * 2 : 256;
    while (cap < need)
        cap *= 2;
    r->dpos = realloc(r->dpos, cap * sizeof *r->dpos);
    r->qpos = realloc(r->qpos, cap * sizeof *r->qpos);
    if (!r->dpos || !r->qpos)
        abort();
    r->mark_cap = cap;
}

/* The plain scan, one byte at a time: the reference the SSE2 scan is tested against
 * (csv_test_csv, dg_csv_debug_plain_scan), and the scan where SSE2 is not there. */
static bool scan_line_plain(reader *r, const char *s, size_t n, char delim, char quote,
                            line_marks *m)
{
    marks_room(r, n + 1);
    size_t nd = 0, nq = 0, cr = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n') {
            *m = (line_marks){i, nd, nq, cr};
            return true;
        }
        if (c == delim)
            r->dpos[nd++] = (uint32_t)i;
        else if (c == quote)
            r->qpos[nq++] = (uint32_t)i;
        else if (c == '\r' && cr == SIZE_MAX)
            cr = i;
    }
    return false;
}

#ifdef __SSE2__
/* Positions of the set bits of mask (block at offset base) appended to pos. */
static inline size_t put_marks(uint32_t *pos, size_t k, unsigned mask, size_t base)
{
    while (mask) {
        pos[k++] = (uint32_t)(base + (size_t)__builtin_ctz(mask));
        mask &= mask - 1;
    }
    return k;
}

/* 16 bytes at a time (SSE2 is part of x86-64): four compares per block give the line end,
 * the delimiters, quotes and CRs; the bytes past n in the last block are not read (a partial
 * block is copied first), so the caller's buffer is never read beyond its end. */
static bool scan_line_sse2(reader *r, const char *s, size_t n, char delim, char quote,
                           line_marks *m)
{
    marks_room(r, n + 17);
    const __m128i vd = _mm_set1_epi8(delim), vq = _mm_set1_epi8(quote), vn = _mm_set1_epi8('\n'),
                  vr = _mm_set1_epi8('\r');
    size_t nd = 0, nq = 0, cr = SIZE_MAX;
    for (size_t i = 0; i < n; i += 16) {
        __m128i x;
        unsigned valid = 0xFFFF;
        if (n - i >= 16) {
            x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        } else {
            char tail[16] = {0};
            memcpy(tail, s + i, n - i);
            x = _mm_loadu_si128((const __m128i *)(const void *)tail);
            valid = (1u << (n - i)) - 1;
        }
        unsigned nl = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vn)) & valid;
        unsigned before = nl ? (nl & -nl) - 1 : valid; /* the bytes of this line */
        unsigned dm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vd)) & before;
        unsigned qm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vq)) & before;
        unsigned rm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vr)) & before;
        nd = put_marks(r->dpos, nd, dm, i);
        nq = put_marks(r->qpos, nq, qm, i);
        if (rm && cr == SIZE_MAX)
            cr = i + (size_t)__builtin_ctz(rm);
        if (nl) {
            *m = (line_marks){i + (size_t)__builtin_ctz(nl), nd, nq, cr};
            return true;
        }
    }
    return false;
}
#endif

static _Thread_local bool plain_scan;

void dg_csv_debug_plain_scan(bool on)
{
    plain_scan = on;
}

/* Finds the line starting at s (at most n bytes, SCAN_MAX looked at) and its marks; false
 * when its end is not there. */
static bool scan_line(reader *r, const char *s, size_t n, char delim, char quote, line_marks *m)
{
    if (n > SCAN_MAX)
        n = SCAN_MAX;
#ifdef __SSE2__
    if (!plain_scan)
        return scan_line_sse2(r, s, n, delim, quote, m);
#endif
    return scan_line_plain(r, s, n, delim, quote, m);
}

/* A complete line (m->len bytes, no CR in it, a CR before its '\n' already left out) whose
 * quoted fields are plain: the quote right at the field's start, right before the next
 * delimiter or the line's end, and "" for a quote inside. The line is copied once into the
 * record buffer and split there from its marks, NULs over the delimiters, quoted fields taken
 * between their quotes (unescaped in place when they hold ""): the fields libcsv gives,
 * without its byte-by-byte state machine and a copy per field. False (nothing emitted) for
 * any other shape (blanks before an opening quote, text after a closing one, a quote inside
 * an unquoted field, a quoted field not closed on the line): libcsv reads it. The delimiter
 * and quote must not be blanks (blanks around a field are trimmed). */
static bool split_marked(reader *r, const char *s, const line_marks *m, char delim, char quote)
{
    size_t len = m->len, nq = m->nq;
    const uint32_t *dpos = r->dpos, *qpos = r->qpos;
    r->dpos[m->nd] = (uint32_t)len; /* the line's end closes the last field */
    r->qpos[nq] = UINT32_MAX;       /* no quote after the last */
    dg_buf_reserve(&r->data, len + 1);
    fields_room(r, m->nd + 1);              /* a field per delimiter and one */
    char *b = r->data.data, **fp = r->ptrs; /* locals: the stores into the line would make */
    size_t *fl = r->lens, nf = 0;           /* the compiler reload r's fields each time */
    memcpy(b, s, len);
    b[len] = '\0';
    size_t i = 0;
    while (i < len && blank(b[i]))
        i++;
    if (i == len)
        return true;     /* a blank line: no record */
    size_t k = 0, q = 0; /* the next delimiter and quote marks */
    for (i = 0;;) {
        size_t fb = i;
        while (blank(b[fb])) /* b[len] is NUL: no blank */
            fb++;
        if (b[fb] == quote && fb < len) {
            if (fb != i)
                goto other;              /* blanks before an opening quote */
            size_t j = q + 1, pairs = 0; /* q: this opening quote */
            while (j < nq && qpos[j] + 1 < len && b[qpos[j] + 1] == quote) {
                j += 2; /* "" inside */
                pairs++;
            }
            if (j >= nq)
                goto other; /* not closed on this line */
            size_t at = qpos[j];
            if (at + 1 < len && b[at + 1] != delim)
                goto other; /* text after the closing quote */
            if (!pairs) {
                b[at] = '\0';
                fp[nf] = b + fb + 1;
                fl[nf++] = at - fb - 1;
            } else { /* "" -> ": the pieces between the pairs moved together */
                size_t out = fb;
                for (size_t x = q + 1, from = fb + 1; x <= j; x += 2) {
                    size_t to = qpos[x] + (x < j); /* a pair keeps one quote */
                    memmove(b + out, b + from, to - from);
                    out += to - from;
                    from = qpos[x] + 2;
                }
                b[out] = '\0';
                fp[nf] = b + fb;
                fl[nf++] = out - fb;
            }
            q = j + 1;
            while (dpos[k] < at)
                k++; /* delimiters inside the quotes */
            i = at + 1;
            if (i == len)
                break;
            i++; /* the delimiter (one ending the line: an empty field follows) */
            k++;
            continue;
        }
        size_t fe = dpos[k];
        if (qpos[q] < fe)
            goto other; /* a quote inside an unquoted field */
        size_t end = fe;
        while (end > fb && blank(b[end - 1]))
            end--;
        b[end] = '\0';
        fp[nf] = b + fb;
        fl[nf++] = end - fb;
        if (fe == len)
            break;
        i = fe + 1;
        k++;
    }
    r->data.len = len + 1;
    r->n = nf;
    split_done(r);
    return true;
other:
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
    /* the marks splitter takes UTF-8 lines whose delimiter and quote are neither blanks nor
     * line ends (blanks around fields are trimmed; any other setting reads through libcsv) */
    bool marks = !r->latin1 && delim != quote && !blank(delim) && !blank(quote) && delim != '\r' &&
                 quote != '\r' && delim != '\n' && quote != '\n';
    while (s < end && !r->rc) {
        line_marks lm;
        if (marks && p->pstate == 0 /* no row begun */ && !only_libcsv &&
            scan_line(r, s, (size_t)(end - s), delim, quote, &lm)) {
            size_t next = lm.len + 1;
            if (lm.len && s[lm.len - 1] == '\r')
                lm.len--;
            if (lm.first_cr >= lm.len && split_marked(r, s, &lm, delim, quote)) {
                r->pending = 0;
                s += next;
                continue;
            }
        }
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(end - s);
        if (nl && r->latin1 && p->pstate == 0 && !only_libcsv) {
            size_t ll = (size_t)(nl - s);
            if (ll && s[ll - 1] == '\r')
                ll--;
            if (!memchr(s, quote, ll) && !memchr(s, '\r', ll)) {
                fast_record(r, s, ll, delim);
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
