/* X12 writer: builds interchanges segment by segment with chosen delimiters, counting SE01, GE01
 * and IEA01 and repeating the header control numbers in the trailers. */
#include "x12/x12.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { W_NONE, W_ISA, W_GS, W_SET };

struct dg_x12_writer {
    dg_buf *out;
    dg_x12_delims d;
    char rep; /* repetition separator in use for this interchange (0 before 00402) */
    bool nl;
    int state;
    long groups, sets, segs;
    char isa13[10], gs06[10], st02[10];
};

dg_x12_delims dg_x12_default_delims(void)
{
    dg_x12_delims d = {'*', ':', '^', '~'};
    return d;
}

dg_x12_writer *dg_x12_writer_new(dg_buf *out, dg_x12_delims d, bool newline_after_segment)
{
    if (!out || !d.elem || !d.seg || !d.comp || d.elem == d.seg || d.comp == d.elem ||
        d.comp == d.seg || (d.rep && (d.rep == d.elem || d.rep == d.seg || d.rep == d.comp)))
        return NULL;
    dg_x12_writer *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->out = out;
    w->d = d;
    w->rep = d.rep;
    w->nl = newline_after_segment;
    return w;
}

void dg_x12_writer_free(dg_x12_writer *w)
{
    free(w);
}

static void end_segment(dg_x12_writer *w)
{
    dg_buf_putc(w->out, w->d.seg);
    if (w->nl && w->d.seg != '\n')
        dg_buf_putc(w->out, '\n');
}

/* Checks an element's text: the element separator and terminator may never appear in it; the
 * component and repetition separators only where they mean what they say (allow_sub). */
static int check_text(dg_x12_writer *w, const char *seg_id, int pos, const char *s, size_t n,
                      bool allow_sub, dg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool bad = c == w->d.elem || c == w->d.seg ||
                   (!allow_sub && (c == w->d.comp || (w->rep && c == w->rep)));
        if (bad)
            return dg_error_set(err, DG_EINVAL,
                                "%s%02d value '%.*s' holds the delimiter '%c'; it cannot be "
                                "written with these delimiters",
                                seg_id, pos, (int)n, s, c);
    }
    return 0;
}

static int order_error(dg_error *err, const char *what, const char *need)
{
    return dg_error_set(err, DG_EINVAL, "x12 writer: %s written %s", what, need);
}

/* Writes id and elements (already checked), dropping trailing empty elements. */
static void put_segment(dg_x12_writer *w, const char *id, const char *const *el, const size_t *len,
                        int n)
{
    while (n > 0 && len[n - 1] == 0)
        n--;
    dg_buf_puts(w->out, id);
    for (int i = 0; i < n; i++) {
        dg_buf_putc(w->out, w->d.elem);
        dg_buf_append(w->out, el[i], len[i]);
    }
    end_segment(w);
    if (w->state == W_SET)
        w->segs++;
}

static int put_checked(dg_x12_writer *w, const char *id, const char *const *el, int n,
                       bool allow_sub, dg_error *err)
{
    size_t lens[64];
    size_t *len = n <= 64 ? lens : malloc((size_t)n * sizeof *len);
    if (!len)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        len[i] = el[i] ? strlen(el[i]) : 0;
        rc = check_text(w, id, i + 1, el[i] ? el[i] : "", len[i], allow_sub, err);
    }
    if (!rc) {
        const char *empty[64];
        const char *const *ev = el;
        if (n <= 64) { /* NULL elements are written empty */
            for (int i = 0; i < n; i++)
                empty[i] = el[i] ? el[i] : "";
            ev = empty;
        }
        put_segment(w, id, ev, len, n);
    }
    if (len != lens)
        free(len);
    return rc;
}

static int check_id(const char *id, dg_error *err)
{
    size_t n = id ? strlen(id) : 0;
    bool ok = n >= 2 && n <= 3;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)id[i]) != 0;
    return ok ? 0
              : dg_error_set(err, DG_EINVAL, "x12 writer: '%s' is not a segment id",
                             id ? id : "(null)");
}

/* ISA field: text padded right with blanks, numbers left with zeros, to exactly w chars. */
static int pad(dg_x12_writer *w, char *dst, const char *src, const char *def, size_t width,
               bool zero, int pos, dg_error *err)
{
    const char *s = src && *src ? src : def;
    size_t n = strlen(s);
    if (n > width)
        return dg_error_set(err, DG_EINVAL, "ISA%02d value '%s' is longer than %zu characters", pos,
                            s, width);
    int rc = check_text(w, "ISA", pos, s, n, false, err);
    if (rc)
        return rc;
    size_t fill = width - n;
    if (zero) {
        memset(dst, '0', fill);
        memcpy(dst + fill, s, n);
    } else {
        memcpy(dst, s, n);
        memset(dst + n, ' ', fill);
    }
    dst[width] = '\0';
    return 0;
}

int dg_x12_write_isa(dg_x12_writer *w, const dg_x12_isa *isa, dg_error *err)
{
    if (w->state != W_NONE)
        return order_error(err, "ISA", "before the previous IEA");
    char date[7], tm[5];
    time_t now = time(NULL);
    struct tm t;
    gmtime_r(&now, &t);
    strftime(date, sizeof date, "%y%m%d", &t);
    strftime(tm, sizeof tm, "%H%M", &t);
    const char *version = *isa->version ? isa->version : "00401";
    bool has_rep = strlen(version) == 5 && strcmp(version, "00402") >= 0;
    if (has_rep && !w->d.rep)
        return dg_error_set(err, DG_EINVAL,
                            "ISA12 %s needs a repetition separator in ISA11; the writer has none",
                            version);
    w->rep = has_rep ? w->d.rep : 0;
    if (!*isa->sender_id || !*isa->receiver_id)
        return dg_error_set(err, DG_EINVAL, "ISA06 sender and ISA08 receiver ids are required");
    char f[16][16];
    char isa11[2] = {has_rep                                 ? w->d.rep
                     : isalpha((unsigned char)isa->isa11[0]) ? isa->isa11[0]
                                                             : 'U',
                     '\0'};
    for (const char *c = isa->control; *c; c++)
        if (!isdigit((unsigned char)*c))
            return dg_error_set(err, DG_EINVAL, "ISA13 control number '%s' is not numeric",
                                isa->control);
    int rc;
    if ((rc = pad(w, f[1], isa->auth_qual, "00", 2, false, 1, err)) ||
        (rc = pad(w, f[2], isa->auth, "", 10, false, 2, err)) ||
        (rc = pad(w, f[3], isa->sec_qual, "00", 2, false, 3, err)) ||
        (rc = pad(w, f[4], isa->sec, "", 10, false, 4, err)) ||
        (rc = pad(w, f[5], isa->sender_qual, "ZZ", 2, false, 5, err)) ||
        (rc = pad(w, f[6], isa->sender_id, "", 15, false, 6, err)) ||
        (rc = pad(w, f[7], isa->receiver_qual, "ZZ", 2, false, 7, err)) ||
        (rc = pad(w, f[8], isa->receiver_id, "", 15, false, 8, err)) ||
        (rc = pad(w, f[9], isa->date, date, 6, false, 9, err)) ||
        (rc = pad(w, f[10], isa->time, tm, 4, false, 10, err)) ||
        (rc = pad(w, f[12], version, "", 5, false, 12, err)) ||
        (rc = pad(w, f[13], isa->control, "1", 9, true, 13, err)) ||
        (rc = pad(w, f[14], isa->ack_requested, "0", 1, false, 14, err)) ||
        (rc = pad(w, f[15], isa->usage, "P", 1, false, 15, err)))
        return rc;
    memcpy(f[11], isa11, 2);
    dg_buf_puts(w->out, "ISA");
    for (int i = 1; i <= 15; i++) {
        dg_buf_putc(w->out, w->d.elem);
        dg_buf_puts(w->out, f[i]);
    }
    dg_buf_putc(w->out, w->d.elem);
    dg_buf_putc(w->out, w->d.comp);
    end_segment(w);
    snprintf(w->isa13, sizeof w->isa13, "%s", f[13]);
    w->state = W_ISA;
    w->groups = 0;
    return 0;
}

int dg_x12_write_gs(dg_x12_writer *w, const dg_x12_gs *gs, dg_error *err)
{
    if (w->state != W_ISA)
        return order_error(err, "GS", w->state == W_NONE ? "before an ISA" : "inside a group");
    if (!*gs->control)
        return dg_error_set(err, DG_EINVAL, "GS06 group control number is required");
    const char *el[8] = {gs->functional_id,
                         gs->sender,
                         gs->receiver,
                         gs->date,
                         gs->time,
                         gs->control,
                         *gs->agency ? gs->agency : "X",
                         gs->version};
    int rc = put_checked(w, "GS", el, 8, false, err);
    if (rc)
        return rc;
    snprintf(w->gs06, sizeof w->gs06, "%s", gs->control);
    w->state = W_GS;
    w->groups++;
    w->sets = 0;
    return 0;
}

int dg_x12_write_st(dg_x12_writer *w, const char *set_id, const char *control, const char *impl_ref,
                    dg_error *err)
{
    if (w->state != W_GS)
        return order_error(err, "ST",
                           w->state == W_SET ? "before the previous SE" : "outside a group");
    if (!set_id || !*set_id || !control || !*control)
        return dg_error_set(err, DG_EINVAL, "ST01 set id and ST02 control number are required");
    const char *el[3] = {set_id, control, impl_ref};
    int rc = put_checked(w, "ST", el, impl_ref ? 3 : 2, false, err);
    if (rc)
        return rc;
    snprintf(w->st02, sizeof w->st02, "%s", control);
    w->state = W_SET;
    w->segs = 1;
    w->sets++;
    return 0;
}

int dg_x12_write_seg(dg_x12_writer *w, const char *id, const char *const *elems, int n,
                     dg_error *err)
{
    int rc = check_id(id, err);
    if (rc)
        return rc;
    if (!strcmp(id, "ST") || !strcmp(id, "SE") || !strcmp(id, "GS") || !strcmp(id, "GE") ||
        !strcmp(id, "ISA") || !strcmp(id, "IEA"))
        return dg_error_set(err, DG_EINVAL,
                            "x12 writer: write %s with its own function (counts are computed)", id);
    if (w->state != W_SET && !(w->state == W_ISA && !strcmp(id, "TA1")))
        return order_error(err, id, "outside a transaction set");
    return put_checked(w, id, elems, n < 0 ? 0 : n, true, err);
}

/* Copies a parsed element into b with this writer's component/repetition separators. */
static int translate(dg_x12_writer *w, dg_buf *b, const char *id, int pos, const char *s, size_t n,
                     const dg_x12_delims *from, dg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == from->comp)
            c = w->d.comp;
        else if (from->rep && c == from->rep) {
            if (!w->rep)
                return dg_error_set(err, DG_EINVAL,
                                    "%s%02d repeats, but this interchange version has no "
                                    "repetition separator",
                                    id, pos);
            c = w->rep;
        } else if (c == w->d.elem || c == w->d.seg || c == w->d.comp || (w->rep && c == w->rep))
            return dg_error_set(err, DG_EINVAL,
                                "%s%02d value '%.*s' holds '%c', a delimiter of the output", id,
                                pos, (int)n, s, c);
        dg_buf_putc(b, c);
    }
    return 0;
}

int dg_x12_write_parsed(dg_x12_writer *w, const dg_x12_seg *s, const dg_x12_delims *from,
                        dg_error *err)
{
    const char *id = dg_x12_seg_id(s);
    if (!strcmp(id, "ST"))
        return dg_x12_write_st(w, s->n_el >= 1 ? s->el[1] : "", s->n_el >= 2 ? s->el[2] : "",
                               s->n_el >= 3 && s->el_len[3] ? s->el[3] : NULL, err);
    if (!strcmp(id, "SE"))
        return dg_x12_write_se(w, err);
    int rc = check_id(id, err);
    if (rc)
        return rc;
    if (!strcmp(id, "GS") || !strcmp(id, "GE") || !strcmp(id, "ISA") || !strcmp(id, "IEA"))
        return dg_error_set(err, DG_EINVAL,
                            "x12 writer: write %s with its own function (counts are computed)", id);
    if (w->state != W_SET && !(w->state == W_ISA && !strcmp(id, "TA1")))
        return order_error(err, id, "outside a transaction set");
    int n = s->n_el;
    while (n > 0 && s->el_len[n] == 0)
        n--;
    size_t start = w->out->len;
    dg_buf_puts(w->out, id);
    for (int i = 1; i <= n; i++) {
        dg_buf_putc(w->out, w->d.elem);
        if ((rc = translate(w, w->out, id, i, s->el[i], s->el_len[i], from, err)) != 0) {
            w->out->len = start; /* nothing half-written */
            w->out->data[start] = '\0';
            return rc;
        }
    }
    end_segment(w);
    if (w->state == W_SET)
        w->segs++;
    return 0;
}

static int put_trailer(dg_x12_writer *w, const char *id, long count, const char *ctl)
{
    char num[24];
    snprintf(num, sizeof num, "%ld", count);
    const char *el[2] = {num, ctl};
    size_t len[2] = {strlen(num), strlen(ctl)};
    put_segment(w, id, el, len, 2);
    return 0;
}

int dg_x12_write_se(dg_x12_writer *w, dg_error *err)
{
    if (w->state != W_SET)
        return order_error(err, "SE", "without an ST");
    put_trailer(w, "SE", w->segs + 1, w->st02);
    w->state = W_GS;
    return 0;
}

int dg_x12_write_ge(dg_x12_writer *w, dg_error *err)
{
    if (w->state != W_GS)
        return order_error(err, "GE", w->state == W_SET ? "before SE" : "without a GS");
    w->state = W_ISA;
    return put_trailer(w, "GE", w->sets, w->gs06);
}

int dg_x12_write_iea(dg_x12_writer *w, dg_error *err)
{
    if (w->state != W_ISA)
        return order_error(err, "IEA", w->state == W_NONE ? "without an ISA" : "before GE");
    w->state = W_NONE;
    return put_trailer(w, "IEA", w->groups, w->isa13);
}
