/* X12 reader: finds the delimiters in each ISA, streams the input through a fixed read buffer and
 * hands over one transaction set at a time, checking the ISA/GS/ST envelopes on the way. */
#include "x12/x12.h"

#include "x12/ctlset.h"
#include "x12/scan.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define READ_BUF (256u * 1024u)
#define ISA_MAX                                                                                    \
    600 /* a lenient (badly padded) ISA may be longer than 106 bytes, never this long              \
         */

enum { ST_NONE, ST_ISA, ST_GS, ST_SET };

/* Limits that keep one hostile set from taking the process down (memory follows the largest set,
 * and an allocation failure aborts): a set over the byte, element or segment limit is rejected
 * unread with AK5 code 5 and the reader goes on at its SE. Elements cost 16 bytes of index and
 * segments 44, hence at most bytes/6 elements and bytes/24 segments per set: a 64 MiB set of
 * ordinary segments (about 7 bytes an element, 25 a segment) fits, and the worst case stays
 * near 370 MiB instead of growing with the file. Offsets into the set buffer are
 * uint32_t: the byte limit (clamped to 1 GiB) keeps them in range. Every segment keeps at least
 * SEG_KEEP bytes so that envelope segments (SE, GE, IEA, ST) are still recognised. */
#define SET_BYTES_DEFAULT ((size_t)64 << 20)
#define SEG_ELEMS_DEFAULT ((size_t)1000)
#define SET_BYTES_CLAMP ((size_t)1 << 30)
#define SEG_KEEP ((size_t)256)
static _Thread_local size_t lim_set_bytes = SET_BYTES_DEFAULT, lim_seg_elems = SEG_ELEMS_DEFAULT;
static _Thread_local size_t dbg_read_buf; /* 0: READ_BUF */
static _Thread_local bool dbg_copy_mode;  /* true: never in place */
static _Thread_local bool dbg_no_blocks;  /* true: in place, but segment by segment (memchr) */
static _Thread_local bool dbg_no_windows; /* true: the block loop alone in read_set_body */

void dg_x12_debug_set_block_reading(bool on)
{
    dbg_no_blocks = !on;
}

void dg_x12_debug_set_split_windows(bool on)
{
    dbg_no_windows = !on;
}

void dg_x12_debug_set_read_buffer(size_t bytes, bool copy_mode)
{
    dbg_read_buf = bytes && bytes < 1024 ? 1024 : bytes;
    dbg_copy_mode = copy_mode;
}

void dg_x12_debug_set_limits(size_t set_bytes, size_t seg_elements)
{
    lim_set_bytes = set_bytes ? set_bytes : SET_BYTES_DEFAULT;
    if (lim_set_bytes > SET_BYTES_CLAMP)
        lim_set_bytes = SET_BYTES_CLAMP;
    if (lim_set_bytes < 1024)
        lim_set_bytes = 1024;
    lim_seg_elems = seg_elements ? seg_elements : SEG_ELEMS_DEFAULT;
}

typedef struct reader {
    const dg_x12_callbacks *cb;
    void *ctx;
    const char *name;
    dg_error *err;

    /* input: a read buffer refilled from the file or from the caller's memory */
    FILE *f;
    const char *mem; /* dg_x12_parse_mem: the bytes not yet copied into rbuf */
    size_t mem_left;
    char *rbuf;
    size_t rbuf_cap; /* READ_BUF (or the debug size); rbuf has SB_SLACK more, zeroed */
    const char *p, *end;
    bool eof;

    dg_x12_delims d;
    /* the byte classes of the read buffer's 64-byte blocks (block b: rbuf + 64 b), valid for
     * [cls_lo, cls_hi), classified a chunk at a time as reading reaches them (read_blocks) */
    dg_x12_block *blocks;
    size_t cls_lo, cls_hi;
    bool use_blocks; /* false: the debug hook turned them off */
    bool avx2;       /* classify with dg_x12_classify_avx2 */
    bool windows;    /* read_set_body_bmi (the CPU has BMI1, BMI2 and POPCNT) */
    bool have_delims;
    bool skip_cont; /* multi-byte (UTF-8) terminator: skip its continuation bytes */
    bool skip[256]; /* is_skip() of each byte for the delimiters in force (set_skip) */
    bool strip_ws;  /* "space + line break" terminators: lines are segments, trailing blanks go */
    bool bare;      /* sets without any ISA/GS envelope: delimiters assumed */
    bool stop;      /* nothing more can be read (unusable element separator) */

    /* the current set: bytes, element index and segment index, grow-only and reused. The bytes
     * are read in place (sb points into rbuf, the separators and terminators overwritten with
     * NULs) as long as the set lies inside the read buffer; a set that crosses the buffer's end
     * is copied into sb_own and goes on there (copy mode, the reader's original way). Offsets
     * are relative to sb in both modes, so the switch is one memcpy of the set so far. */
    char *sb;         /* rbuf + the set's start (in place) or sb_own */
    size_t sb_len;    /* bytes of sb in use: read so far (in place, gaps included) or kept */
    char *sb_own;     /* copy mode's buffer */
    size_t sb_cap;    /* of sb_own */
    bool inplace;     /* sb points into rbuf */
    bool can_inplace; /* false: copy mode always (a test compares both ways) */
    size_t set_bytes; /* the set's kept bytes with a NUL each, gaps not counted (the limit) */
    size_t max_set_el, max_set_segs; /* lim_set_bytes / 6 and / 24 */
    /* each element's start (into sb) and length, written as each segment is split; when the
     * bytes move (sb_own grows, a set leaves the read buffer, an ST or an oversize set's ST moves
     * to the front) the pointers are moved with them (rebase_pointers): there are no offsets to
     * recompute them from, one store per element less in the split */
    uint32_t *el_len;
    const char **el_ptr;
    size_t n_el, el_cap;
    bool seg_cut;      /* the segment just read was longer than it could keep */
    bool seg_many;     /* ... or had more elements than lim_seg_elems */
    bool oversize;     /* the current set went over a limit: its body is dropped */
    long dropped_segs; /* segments of an oversize set not kept (for the SE01 count) */
    char oversize_why[160];
    dg_x12_seg *segs;
    unsigned char *seg_scan; /* per segment: dg_x12_scan_seg's bits */
    size_t n_segs, seg_cap;

    int state;
    long file_seg;
    int n_isa;
    dg_x12_isa isa;
    dg_x12_gs gs;
    long groups_seen, sets_seen;
    dg_x12_set set;
    char set_codes[8][4];
    int n_set_codes;
    long orphan_seg;     /* file segment of the last out-of-place segment reported or skipped */
    char orphan_code[4]; /* and its code: a run of them is reported once */
    dg_ctlset st_ctl, gs_ctl, isa_ctl;
} reader;

static _Thread_local size_t peak_set_bytes;

size_t dg_x12_debug_peak_set_bytes(void)
{
    return peak_set_bytes;
}

static _Thread_local size_t peak_ctl_bytes;

size_t dg_x12_debug_peak_ctl_bytes(void)
{
    return peak_ctl_bytes;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("dropgate: out of memory\n", stderr);
        abort();
    }
    return q;
}

/* ---- small helpers ------------------------------------------------------------------------ */

static void copy_field(char *dst, size_t cap, const char *s, size_t n)
{
    if (n > cap - 1)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* 0: same text, 1: the same number with other zero padding (tolerated, warned), 2: different */
static int ctl_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    if (an == bn && !memcmp(a, b, an))
        return 0;
    if (all_digits(a, an) && all_digits(b, bn)) {
        while (an > 1 && *a == '0')
            a++, an--;
        while (bn > 1 && *b == '0')
            b++, bn--;
        if (an == bn && !memcmp(a, b, an))
            return 1;
    }
    return 2;
}

static bool is_alnum_c(char c)
{
    return isalnum((unsigned char)c) != 0;
}

/* ---- problems ----------------------------------------------------------------------------- */

static int report(reader *r, dg_x12_level lvl, const char *code, bool warning, const char *seg_id,
                  long file_seg, long set_seg, int elem, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));

static int report(reader *r, dg_x12_level lvl, const char *code, bool warning, const char *seg_id,
                  long file_seg, long set_seg, int elem, const char *fmt, ...)
{
    if (!r->cb->on_problem)
        return 0;
    dg_x12_problem pr;
    memset(&pr, 0, sizeof pr);
    pr.level = lvl;
    snprintf(pr.code, sizeof pr.code, "%s", code);
    pr.warning = warning;
    if (r->state != ST_NONE || lvl == DG_X12_LEVEL_INTERCHANGE)
        snprintf(pr.isa_control, sizeof pr.isa_control, "%s", r->isa.control);
    if ((r->state >= ST_GS && !(r->state == ST_SET && !r->set.gs)) || lvl == DG_X12_LEVEL_GROUP)
        snprintf(pr.gs_control, sizeof pr.gs_control, "%s", r->gs.control);
    if (lvl == DG_X12_LEVEL_SET) {
        snprintf(pr.st_control, sizeof pr.st_control, "%s", r->set.control);
        snprintf(pr.set_id, sizeof pr.set_id, "%s", r->set.id);
    }
    pr.file_seg = file_seg;
    pr.set_seg = set_seg;
    snprintf(pr.seg_id, sizeof pr.seg_id, "%s", seg_id ? seg_id : "");
    pr.elem = elem;
    va_list ap;
    va_start(ap, fmt);
    char m[200];
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    snprintf(pr.msg, sizeof pr.msg, "%s: segment %ld: %s", r->name, file_seg, m);
    return r->cb->on_problem(r->ctx, &pr);
}

/* ---- input -------------------------------------------------------------------------------- */

static void leave_read_buffer(reader *r);

/* The read buffer's bytes, their end or the delimiters changed: the classified blocks are void. */
static void forget_blocks(reader *r)
{
    r->cls_lo = r->cls_hi = 0;
}

/* Up to n more input bytes into dst; sets eof at the end of the input. */
static size_t source_read(reader *r, char *dst, size_t n)
{
    size_t got;
    if (r->f) {
        got = fread(dst, 1, n, r->f);
        if (got < n)
            r->eof = true;
    } else {
        got = n < r->mem_left ? n : r->mem_left;
        memcpy(dst, r->mem, got);
        r->mem += got;
        r->mem_left -= got;
        if (!r->mem_left)
            r->eof = true;
    }
    return got;
}

/* Refills the read buffer once the previous bytes are used up; 0 at end of input. */
static size_t refill(reader *r)
{
    if (r->eof)
        return 0;
    leave_read_buffer(r);
    forget_blocks(r);
    size_t n = source_read(r, r->rbuf, r->rbuf_cap);
    r->p = r->rbuf;
    r->end = r->rbuf + n;
    return n;
}

/* ensure() when the read buffer must be refilled. */
static size_t ensure_slow(reader *r, size_t n)
{
    leave_read_buffer(r);
    forget_blocks(r);
    size_t have = (size_t)(r->end - r->p);
    memmove(r->rbuf, r->p, have);
    r->p = r->rbuf;
    r->end = r->rbuf + have;
    while (have < n && !r->eof) {
        have += source_read(r, r->rbuf + have, r->rbuf_cap - have);
        r->end = r->rbuf + have;
    }
    return have;
}

/* Makes at least n bytes contiguous at r->p when the input has them; returns what is there.
 * Inline: it runs before every segment, and the bytes are almost always there. */
static inline size_t ensure(reader *r, size_t n)
{
    size_t have = (size_t)(r->end - r->p);
    if (have >= n || r->eof)
        return have;
    return ensure_slow(r, n);
}

static bool is_skip(const reader *r, unsigned char c)
{
    if (c == ' ' || c == '\r' || c == '\n' || c == '\t' || c == 0x1a)
        return c != (unsigned char)r->d.elem || !r->have_delims;
    return r->skip_cont && c >= 0x80 && c < 0xc0;
}

/* Fills r->skip after the delimiters changed: one lookup per gap byte instead of five compares. */
static void set_skip(reader *r)
{
    forget_blocks(r);
    for (unsigned c = 0; c < 256; c++)
        r->skip[c] = is_skip(r, (unsigned char)c);
}

/* Skips line breaks, indentation (and a BOM before an ISA) between segments; false at the end. */
static bool skip_gap(reader *r)
{
    for (;;) {
        while (r->p < r->end && r->skip[(unsigned char)*r->p])
            r->p++;
        if (r->p < r->end) {
            if (r->state == ST_NONE && (unsigned char)*r->p == 0xef) {
                if (ensure(r, 3) >= 3 && !memcmp(r->p, "\xef\xbb\xbf", 3)) {
                    r->p += 3;
                    continue;
                }
            }
            return true;
        }
        if (!refill(r))
            return false;
    }
}

/* ---- the set buffer ----------------------------------------------------------------------- */

/* Room kept after the bytes of the set: the scanner reads a segment's last bytes 16 at a time */
#define SB_SLACK 16

/* The element pointers el_ptr[first..n_el) point `from` + offset: they now point to + offset
 * (the bytes were moved there). `from` is an integer: it may be the address of freed memory. */
static void rebase_pointers(reader *r, size_t first, uintptr_t from, const char *to)
{
    for (size_t i = first; i < r->n_el; i++)
        r->el_ptr[i] = to + ((uintptr_t)r->el_ptr[i] - from);
}

/* Copy mode only (sb is sb_own, and the element pointers point into it). */
static void sb_grow(reader *r, size_t n)
{
    size_t ncap = r->sb_cap ? r->sb_cap : 4096;
    while (ncap < r->sb_len + n + 1 + SB_SLACK)
        ncap *= 2;
    uintptr_t old = (uintptr_t)r->sb_own;
    r->sb = r->sb_own = xrealloc(r->sb_own, ncap);
    rebase_pointers(r, 0, old, r->sb);
    memset(r->sb + r->sb_cap, 0, ncap - r->sb_cap); /* the slack is read, so defined */
    r->sb_cap = ncap;
    if (ncap > peak_set_bytes)
        peak_set_bytes = ncap;
}

/* Inline: once per segment; the buffer grows only to the largest set. */
static inline void sb_append(reader *r, const char *s, size_t n)
{
    if (r->sb_len + n + 1 + SB_SLACK > r->sb_cap)
        sb_grow(r, n);
    memcpy(r->sb + r->sb_len, s, n);
    r->sb_len += n;
}

/* Lengths readable past a set's last element (dg_x12_set.padded: the validator reads them four
 * at a time), zeroed so that they are defined. */
#define EL_LEN_SLACK 4

static void grow_el(reader *r)
{
    size_t ncap = r->el_cap ? r->el_cap * 2 : 1024;
    uintptr_t old = (uintptr_t)r->el_ptr; /* (an integer: realloc may free it) */
    r->el_len = xrealloc(r->el_len, (ncap + EL_LEN_SLACK) * sizeof *r->el_len);
    memset(r->el_len + r->el_cap, 0, (ncap + EL_LEN_SLACK - r->el_cap) * sizeof *r->el_len);
    r->el_ptr = xrealloc(r->el_ptr, ncap * sizeof *r->el_ptr);
    r->el_cap = ncap;
    for (size_t k = 0; k < r->n_segs; k++) { /* the segments point into the index */
        size_t first = ((uintptr_t)r->segs[k].el - old) / sizeof *r->el_ptr;
        r->segs[k].el = r->el_ptr + first;
        r->segs[k].el_len = r->el_len + first;
    }
}

static void grow_segs(reader *r)
{
    size_t ncap = r->seg_cap ? r->seg_cap * 2 : 128;
    r->segs = xrealloc(r->segs, ncap * sizeof *r->segs);
    r->seg_scan = xrealloc(r->seg_scan, ncap);
    r->seg_cap = ncap;
}

static void reset_set_buffer(reader *r)
{
    r->sb_len = 0;
    r->set_bytes = 0;
    r->n_el = 0;
    r->n_segs = 0;
    r->inplace = r->can_inplace;
    if (!r->inplace)
        r->sb = r->sb_own;
}

/* In place -> copy mode: the segments read so far (and the gaps between them) move into sb_own
 * at the same offsets. */
static void to_copy_mode(reader *r)
{
    size_t n = r->n_segs ? (size_t)(r->p - r->sb) : 0;
    const char *from = r->sb;
    size_t n_el = r->n_el;
    r->inplace = false;
    r->n_el = 0; /* (sb_grow: nothing points into sb_own yet) */
    r->sb = r->sb_own;
    r->sb_len = 0;
    if (n + 1 + SB_SLACK > r->sb_cap)
        sb_grow(r, n);
    if (n)
        memcpy(r->sb, from, n);
    r->sb_len = n;
    r->n_el = n_el;
    rebase_pointers(r, 0, (uintptr_t)from, r->sb);
}

/* Called before the read buffer is refilled or its bytes moved. */
static void leave_read_buffer(reader *r)
{
    if (r->inplace && r->n_segs) /* (an empty set buffer starts again at the next segment) */
        to_copy_mode(r);
}

/* Indexes the segment at sb[start..e): NUL-terminates its elements in place and records them;
 * readable: bytes from sb + start that may be read (the scanner's overrun). */
static inline void index_segment(reader *r, size_t start, size_t e, size_t readable)
{
    r->sb[e] = '\0';
    r->set_bytes += e - start + 1;
    if (r->n_segs == r->seg_cap)
        grow_segs(r);
    size_t base = r->n_el;
    /* the id and at most lim_seg_elems elements (never more separators than bytes); the rest
     * of a longer segment stays in its last element, unsplit */
    size_t max_sep = lim_seg_elems < e - start ? lim_seg_elems : e - start;
    while (r->el_cap < base + max_sep + 1)
        grow_el(r);
    char *s = r->sb;
    uint32_t *len = r->el_len + base;
    const char **ptr = r->el_ptr + base;
    size_t n_sep;
    unsigned scan =
        dg_x12_scan_seg(s + start, e - start, readable, &r->d, len + 1, max_sep, &n_sep);
    /* len[j + 1] holds separator j until element j's length is written over len[j] */
    uint32_t f0 = (uint32_t)start;
    for (size_t j = 0; j < n_sep; j++) {
        uint32_t at = (uint32_t)start + len[j + 1];
        s[at] = '\0';
        len[j] = at - f0;
        ptr[j] = s + f0;
        f0 = at + 1;
    }
    len[n_sep] = (uint32_t)e - f0;
    ptr[n_sep] = s + f0;
    size_t n_el = base + n_sep + 1;
    r->n_el = n_el;
    r->seg_many = (scan & DG_X12_SCAN_MANY) != 0;
    dg_x12_seg *sg = &r->segs[r->n_segs++];
    sg->el = ptr;
    sg->el_len = len;
    sg->n_el = (int)(n_el - base - 1);
    sg->file_seg = ++r->file_seg;
    sg->set_seg = r->state == ST_SET ? (long)r->n_segs : 0;
    /* unsplit separators left in a value are not in the scan's byte classes */
    r->seg_scan[r->n_segs - 1] = r->seg_many ? 0 : (unsigned char)scan;
}

/* The end of a segment's kept bytes sb[start..e): a CR before a LF terminator and, for
 * "blank + line break" terminators, trailing blanks are not part of it. */
static inline size_t trim_end(const reader *r, size_t start, size_t e)
{
    if (e > start && r->sb[e - 1] == '\r' && r->d.seg != '\r')
        e--;
    while (r->strip_ws && e > start && (r->sb[e - 1] == ' ' || r->sb[e - 1] == '\t'))
        e--;
    return e;
}

/* ---- reading by 64-byte blocks -------------------------------------------------------------- */

/* A segment longer than BLOCK_SPAN blocks (at least 449 bytes) is read the plain way. */
#define BLOCK_SPAN 8u
/* Blocks classified at a time: one splat of the delimiters for 4 KiB. */
#define BLOCK_CHUNK 64u

/* Classifies the blocks from b on (a chunk, within the bytes read); reading only moves forward
 * between two forget_blocks, so every block is classified once. */
static __attribute__((noinline)) void classify_from(reader *r, size_t b)
{
    if (b < r->cls_lo || b > r->cls_hi)
        r->cls_lo = r->cls_hi = b; /* the plain path read on past the classified blocks */
    size_t upto = (size_t)(r->end - r->rbuf + 63) / 64;
    if (upto > b + BLOCK_CHUNK)
        upto = b + BLOCK_CHUNK;
    if (upto > r->cls_hi) {
        (r->avx2 ? dg_x12_classify_avx2 : dg_x12_classify)(
            r->rbuf + 64 * r->cls_hi, upto - r->cls_hi, r->d, r->blocks + r->cls_hi);
        r->cls_hi = upto;
        /* the old bytes after the input's end in its last block: no terminator or separator
         * there, and "other", so that no segment is taken from them */
        size_t tail = (size_t)(r->end - r->rbuf) % 64;
        if (tail && 64 * upto > (size_t)(r->end - r->rbuf)) {
            const uint64_t read = (1ULL << tail) - 1;
            r->blocks[upto - 1].term &= read;
            r->blocks[upto - 1].elem &= read;
            r->blocks[upto - 1].other |= ~read;
        }
    }
}

/* The segment at rbuf[po..]: its terminator's offset *q and the element separators of each
 * block up to it (em[0..*nb), em[i] for block po / 64 + i). True for the usual segment: its
 * terminator in the read buffer (limit: its bytes) within BLOCK_SPAN blocks, no byte of the
 * blocks' "other" class in it (so no component or repetition character, no byte to trim and
 * nothing the validator would look at twice: its scan bits are DG_X12_SCAN_DONE alone), at most
 * room bytes and lim_seg_elems separators (max_len: the smaller of the two; never more separators
 * than bytes, so the length bounds both); false sends it to the plain path. The caller has the
 * block of po classified (*cls_hi: r->cls_hi, kept by the caller in a local: stores into the
 * buffer could alias r's fields and make every read of them a load). */
static inline bool find_in_blocks(reader *r, const dg_x12_block *blocks, size_t limit,
                                  size_t *cls_hi, size_t po, size_t max_len, size_t *q,
                                  uint64_t em[BLOCK_SPAN], size_t *nb)
{
    size_t k = po / 64, n = 0;
    uint64_t keep = ~0ULL << (po % 64), other = 0, t;
    while (!(t = blocks[k].term & keep)) {
        other |= blocks[k].other & keep;
        em[n++] = blocks[k].elem & keep;
        keep = ~0ULL;
        if (n == BLOCK_SPAN || 64 * ++k >= limit)
            return false;
        if (k >= *cls_hi) {
            classify_from(r, k);
            *cls_hi = r->cls_hi;
        }
    }
    keep &= (t & (0 - t)) - 1; /* the bits before the terminator */
    other |= blocks[k].other & keep;
    em[n++] = blocks[k].elem & keep;
    *q = 64 * k + (size_t)__builtin_ctzll(t);
    *nb = n;
    return !other && *q < limit && *q - po <= max_len;
}

/* Writes the elements of the segment from f0 to its terminator e split at the separators em
 * (em[i]: the 64 bytes at blk + 64 i) over NULs, with their lengths and starts; returns the
 * number of separators. Pointers, not offsets: nothing to add per element. */
static inline size_t split_in_blocks(char *blk, const uint64_t *em, size_t nb, const char *f0,
                                     char *e, uint32_t *restrict len, const char **restrict ptr)
{
    size_t j = 0;
    for (size_t i = 0; i < nb; i++, blk += 64) {
        for (uint64_t m = em[i]; m; m &= m - 1, j++) {
            char *at = blk + __builtin_ctzll(m);
            *at = '\0';
            len[j] = (uint32_t)(at - f0);
            ptr[j] = f0;
            f0 = at + 1;
        }
    }
    *e = '\0';
    len[j] = (uint32_t)(e - f0);
    ptr[j] = f0;
    return j;
}

/* read_segment's in-place case from the classified blocks (find_in_blocks): does what
 * read_segment and index_segment do for the usual segment, with the same result; returns false,
 * having changed nothing, for any other segment (the plain path reads it). */
static inline bool read_blocks(reader *r, size_t room)
{
    char *const rb = r->rbuf;
    const size_t po = (size_t)(r->p - rb);
    size_t q, nb, cls_hi;
    uint64_t em[BLOCK_SPAN];
    if (po / 64 < r->cls_lo || po / 64 >= r->cls_hi)
        classify_from(r, po / 64);
    cls_hi = r->cls_hi;
    if (!find_in_blocks(r, r->blocks, (size_t)(r->end - rb), &cls_hi, po,
                        room < lim_seg_elems ? room : lim_seg_elems, &q, em, &nb))
        return false;
    r->p = rb + q + 1;
    r->sb_len = (size_t)(r->p - r->sb);
    if (r->sb_len > peak_set_bytes)
        peak_set_bytes = r->sb_len;
    r->set_bytes += q - po + 1;
    if (r->n_segs == r->seg_cap)
        grow_segs(r);
    const size_t base = r->n_el;
    while (r->el_cap < base + (q - po) + 1)
        grow_el(r);
    size_t j = split_in_blocks(rb + po / 64 * 64, em, nb, rb + po, rb + q, r->el_len + base,
                               r->el_ptr + base);
    r->n_el = base + j + 1;
    dg_x12_seg *sg = &r->segs[r->n_segs++];
    sg->el = r->el_ptr + base;
    sg->el_len = r->el_len + base;
    sg->n_el = (int)j;
    sg->file_seg = ++r->file_seg;
    sg->set_seg = r->state == ST_SET ? (long)r->n_segs : 0;
    r->seg_scan[r->n_segs - 1] = DG_X12_SCAN_DONE;
    return true;
}

/* Reads one segment (up to its terminator) and indexes it: in place when its terminator is in
 * the read buffer and it fits the set's byte limit, else into the set buffer. */
static void read_segment(reader *r)
{
    r->seg_cut = r->seg_many = false;
    size_t room = lim_set_bytes - 1 > r->set_bytes ? lim_set_bytes - 1 - r->set_bytes : 0;
    if (room < SEG_KEEP) /* 1 above: the NUL */
        room = SEG_KEEP;
    if (r->inplace) {
        if (!r->n_segs) { /* an empty set buffer starts here */
            r->sb = r->rbuf + (r->p - r->rbuf);
            r->sb_len = 0;
        }
        if (r->use_blocks && !r->strip_ws && read_blocks(r, room))
            return;
        const char *q = memchr(r->p, r->d.seg, (size_t)(r->end - r->p));
        if (q && (size_t)(q - r->p) <= room) {
            size_t start = (size_t)(r->p - r->sb), e = start + (size_t)(q - r->p);
            r->p = q + 1;
            r->sb_len = (size_t)(r->p - r->sb);
            if (r->sb_len > peak_set_bytes)
                peak_set_bytes = r->sb_len;
            e = trim_end(r, start, e);
            index_segment(r, start, e,
                          (size_t)(r->rbuf + r->rbuf_cap + SB_SLACK - (r->sb + start)));
            return;
        }
        to_copy_mode(r);
    }
    size_t start = r->sb_len;
    const char seg = r->d.seg;
    for (;;) {
        size_t avail = (size_t)(r->end - r->p);
        const char *q = memchr(r->p, seg, avail);
        size_t n = q ? (size_t)(q - r->p) : avail;
        size_t kept = r->sb_len - start;
        if (n > room - kept) { /* bytes past the limit are read but not kept */
            sb_append(r, r->p, room - kept);
            r->seg_cut = true;
        } else {
            sb_append(r, r->p, n);
        }
        if (q) {
            r->p = q + 1;
            break;
        }
        r->p = r->end;
        if (!refill(r))
            break; /* last segment without terminator: taken as it is */
    }
    size_t e = trim_end(r, start, r->sb_len);
    r->sb_len = e + 1; /* sb_append always leaves room for one more byte */
    index_segment(r, start, e, r->sb_cap - start);
}

/* Index (into el_ptr / el_len) of segment k's id. */
static size_t seg_first(const reader *r, size_t k)
{
    return (size_t)(r->segs[k].el - r->el_ptr);
}

/* Element i (0 = id) of segment k in the set buffer; "" when absent. */
static const char *el(const reader *r, size_t k, int i, size_t *n)
{
    if (i > r->segs[k].n_el) {
        if (n)
            *n = 0;
        return "";
    }
    size_t j = seg_first(r, k) + (size_t)i;
    if (n)
        *n = r->el_len[j];
    return r->el_ptr[j];
}

/* Kept bytes of segment k with its NUL (what it counts toward the set's byte limit). */
static size_t seg_bytes(const reader *r, size_t k)
{
    size_t first = seg_first(r, k), last = first + (size_t)r->segs[k].n_el;
    return (size_t)(r->el_ptr[last] + r->el_len[last] + 1 - r->el_ptr[first]);
}

/* Offset of element i of the index from the set buffer's start. */
static size_t el_offset(const reader *r, size_t i)
{
    return (size_t)(r->el_ptr[i] - r->sb);
}

/* ---- ISA ---------------------------------------------------------------------------------- */

static const int isa_sep_at[16] = {3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103};

static bool is_pad(const char *s, size_t i, size_t n, size_t *w)
{
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        *w = 1;
        return true;
    }
    if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0) { /* UTF-8 no-break space */
        *w = 2;
        return true;
    }
    if (c == 0xa0 && i > 0 && (unsigned char)s[i - 1] == 0xc2) {
        *w = 1;
        return true;
    }
    return false;
}

static void trim(const char **s, size_t *n)
{
    size_t w;
    while (*n && is_pad(*s, 0, *n, &w)) {
        *s += w;
        *n -= w;
    }
    while (*n) {
        if ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r' ||
            (*s)[*n - 1] == '\n')
            (*n)--;
        else if (*n >= 2 && (unsigned char)(*s)[*n - 1] == 0xa0 &&
                 (unsigned char)(*s)[*n - 2] == 0xc2)
            *n -= 2;
        else
            break;
    }
}

static bool valid_date6(const char *s, size_t n)
{
    if (n != 6 || !all_digits(s, 6))
        return false;
    int mm = (s[2] - '0') * 10 + s[3] - '0', dd = (s[4] - '0') * 10 + s[5] - '0';
    return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;
}

static bool valid_date8(const char *s)
{
    return all_digits(s, 8) && valid_date6(s + 2, 6);
}

static bool valid_time4(const char *s, size_t n)
{
    if (n != 4 || !all_digits(s, 4))
        return false;
    int hh = (s[0] - '0') * 10 + s[1] - '0', mi = (s[2] - '0') * 10 + s[3] - '0';
    return hh < 24 && mi < 60;
}

static int isa_checks(reader *r, const char *f[17], const size_t n[17], long fs)
{
    dg_x12_isa *isa = &r->isa;
    int rc = 0;
#define ISA_PROBLEM(code, el, ...)                                                                 \
    do {                                                                                           \
        if ((rc = report(r, DG_X12_LEVEL_INTERCHANGE, code, false, "ISA", fs, 0, el,               \
                         __VA_ARGS__)) != 0)                                                       \
            return rc;                                                                             \
    } while (0)
    if (n[1] != 2 || !all_digits(f[1], 2))
        ISA_PROBLEM("010", 1, "ISA01 authorization qualifier '%s' is not a 2-digit code",
                    isa->auth_qual);
    if (n[3] != 2 || !all_digits(f[3], 2))
        ISA_PROBLEM("012", 3, "ISA03 security qualifier '%s' is not a 2-digit code", isa->sec_qual);
    if (n[5] != 2 || !is_alnum_c(f[5][0]) || !is_alnum_c(f[5][1]))
        ISA_PROBLEM("005", 5, "ISA05 sender qualifier '%s' is not a 2-character code",
                    isa->sender_qual);
    if (n[6] == 0 || n[6] > 15)
        ISA_PROBLEM("006", 6, "ISA06 sender id '%.*s' must be 1-15 characters", (int)n[6], f[6]);
    if (n[7] != 2 || !is_alnum_c(f[7][0]) || !is_alnum_c(f[7][1]))
        ISA_PROBLEM("007", 7, "ISA07 receiver qualifier '%s' is not a 2-character code",
                    isa->receiver_qual);
    if (n[8] == 0 || n[8] > 15)
        ISA_PROBLEM("008", 8, "ISA08 receiver id '%.*s' must be 1-15 characters", (int)n[8], f[8]);
    if (!valid_date6(f[9], n[9]))
        ISA_PROBLEM("014", 9, "ISA09 date '%.*s' is not YYMMDD", (int)n[9], f[9]);
    if (!valid_time4(f[10], n[10]))
        ISA_PROBLEM("015", 10, "ISA10 time '%.*s' is not HHMM", (int)n[10], f[10]);
    bool v_num = n[12] == 5 && all_digits(f[12], 5);
    if (!v_num)
        ISA_PROBLEM("017", 12, "ISA12 version '%.*s' is not 5 digits", (int)n[12], f[12]);
    else if (memcmp(f[12], "00200", 5) < 0 &&
             (rc = report(r, DG_X12_LEVEL_INTERCHANGE, "017", true, "ISA", fs, 0, 12,
                          "ISA12 version '%.5s' is not a published interchange version", f[12])))
        return rc;
    if (n[11] == 0 &&
        (rc = report(r, DG_X12_LEVEL_INTERCHANGE, "016", true, "ISA", fs, 0, 11,
                     "ISA11 is blank: it is mandatory (U, the standards identifier, before "
                     "00402; the repetition separator from 00402 on)")) != 0)
        return rc;
    if (v_num && memcmp(f[12], "00402", 5) < 0 &&
        !(n[11] == 0 || (n[11] == 1 && f[11][0] == 'U'))) {
        /* a punctuation mark here is a repetition separator sent too early: tolerated */
        bool punct = n[11] == 1 && !is_alnum_c(f[11][0]);
        if ((rc = report(r, DG_X12_LEVEL_INTERCHANGE, "016", punct, "ISA", fs, 0, 11,
                         "ISA11 standards identifier '%.*s' should be U for version %.5s",
                         (int)n[11], f[11], f[12])) != 0)
            return rc;
    }
    if (n[13] != 9 || !all_digits(f[13], 9))
        ISA_PROBLEM("018", 13, "ISA13 control number '%.*s' is not 9 digits", (int)n[13], f[13]);
    if (n[14] != 1 || (f[14][0] != '0' && f[14][0] != '1'))
        ISA_PROBLEM("019", 14, "ISA14 acknowledgment requested '%.*s' is not 0 or 1", (int)n[14],
                    f[14]);
    if (n[15] != 1 || (f[15][0] != 'P' && f[15][0] != 'T' && f[15][0] != 'I'))
        ISA_PROBLEM("020", 15, "ISA15 usage indicator '%.*s' is not P, T or I", (int)n[15], f[15]);
    const dg_x12_delims *d = &isa->delims;
    if (is_alnum_c(d->elem))
        ISA_PROBLEM("026", 0, "element separator '%c' is a letter or digit", d->elem);
    if (is_alnum_c(d->comp) || d->comp == d->elem || d->comp == d->seg)
        ISA_PROBLEM("027", 16, "ISA16 component separator '%c' is not a usable delimiter", d->comp);
    if (is_alnum_c(d->seg) || d->seg == d->elem)
        ISA_PROBLEM("004", 0, "segment terminator '%c' is not a usable delimiter", d->seg);
    if (!dg_ctlset_add(&r->isa_ctl, isa->control))
        ISA_PROBLEM("025", 13, "ISA13 control number %s repeats an earlier interchange in the file",
                    isa->control);
#undef ISA_PROBLEM
    return 0;
}

/* Reads the ISA at r->p: fixed width when the separators sit where they must, otherwise split on
 * the element separator (reported as a warning). */
static int read_isa(reader *r)
{
    size_t avail = ensure(r, ISA_MAX);
    const char *s = r->p;
    if (avail < 4 || memcmp(s, "ISA", 3) != 0)
        return dg_error_set(r->err, DG_EPARSE, "%s: not X12: no ISA segment at the start", r->name);
    char elem = s[3];
    if (is_alnum_c(elem) || isspace((unsigned char)elem)) {
        r->stop = true;
        memset(&r->isa, 0, sizeof r->isa);
        return report(r, DG_X12_LEVEL_INTERCHANGE, "026", false, "ISA", r->file_seg + 1, 0, 0,
                      "ISA is followed by '%c', which cannot be the element separator; the "
                      "interchange cannot be read",
                      elem);
    }
    size_t seps[16];
    int ns = 0;
    size_t lim = avail < ISA_MAX ? avail : ISA_MAX;
    for (size_t i = 3; i < lim && ns < 16; i++)
        if (s[i] == elem)
            seps[ns++] = i;
    if (ns < 16 || seps[15] + 2 >= lim)
        return dg_error_set(r->err, DG_EPARSE,
                            "%s: ISA segment %d is cut short (%zu bytes, 106 needed): not X12",
                            r->name, r->n_isa + 1, avail < 106 ? avail : lim);
    bool fixed = true;
    for (int i = 0; i < 16; i++)
        if (seps[i] != (size_t)isa_sep_at[i])
            fixed = false;
    const char *f[17];
    size_t n[17];
    f[0] = s;
    n[0] = 3;
    for (int i = 1; i <= 16; i++) {
        f[i] = s + seps[i - 1] + 1;
        n[i] = i < 16 ? seps[i] - seps[i - 1] - 1 : 1;
    }
    dg_x12_isa *isa = &r->isa;
    memset(isa, 0, sizeof *isa);
    isa->delims.elem = elem;
    isa->delims.comp = f[16][0];
    isa->delims.seg = f[16][1];
    char isa11 = n[11] ? f[11][0] : ' ';
    char fb[16][40]; /* lenient: fields without the line breaks some senders wrap the ISA with */
    for (int i = 1; i <= 15; i++) {
        trim(&f[i], &n[i]);
        if (fixed || (!memchr(f[i], '\n', n[i]) && !memchr(f[i], '\r', n[i])))
            continue;
        size_t m = 0;
        for (size_t j = 0; j < n[i] && m < sizeof fb[i] - 1; j++)
            if (f[i][j] != '\n' && f[i][j] != '\r')
                fb[i][m++] = f[i][j];
        f[i] = fb[i];
        n[i] = m;
    }
    if (!fixed && (n[14] > 1 || n[15] > 1)) {
        /* ISA14/ISA15 are one character: longer means the ISA lacks elements and the 16th
         * separator was found in the segments after it; its delimiters cannot be trusted */
        r->stop = true;
        memset(&r->isa, 0, sizeof r->isa);
        return report(r, DG_X12_LEVEL_INTERCHANGE, "022", false, "ISA", r->file_seg + 1, 0, 0,
                      "ISA does not have its 16 elements before its terminator; the interchange "
                      "cannot be read");
    }
    copy_field(isa->auth_qual, sizeof isa->auth_qual, f[1], n[1]);
    copy_field(isa->auth, sizeof isa->auth, f[2], n[2]);
    copy_field(isa->sec_qual, sizeof isa->sec_qual, f[3], n[3]);
    copy_field(isa->sec, sizeof isa->sec, f[4], n[4]);
    copy_field(isa->sender_qual, sizeof isa->sender_qual, f[5], n[5]);
    copy_field(isa->sender_id, sizeof isa->sender_id, f[6], n[6]);
    copy_field(isa->receiver_qual, sizeof isa->receiver_qual, f[7], n[7]);
    copy_field(isa->receiver_id, sizeof isa->receiver_id, f[8], n[8]);
    copy_field(isa->date, sizeof isa->date, f[9], n[9]);
    copy_field(isa->time, sizeof isa->time, f[10], n[10]);
    copy_field(isa->isa11, sizeof isa->isa11, f[11], n[11]);
    copy_field(isa->version, sizeof isa->version, f[12], n[12]);
    copy_field(isa->control, sizeof isa->control, f[13], n[13]);
    copy_field(isa->ack_requested, sizeof isa->ack_requested, f[14], n[14]);
    copy_field(isa->usage, sizeof isa->usage, f[15], n[15]);
    bool rep_warn = false;
    if (n[12] == 5 && memcmp(f[12], "00402", 5) >= 0 && isa11 != ' ') {
        if (is_alnum_c(isa11) || isa11 == elem || isa11 == isa->delims.comp ||
            isa11 == isa->delims.seg)
            rep_warn = true;
        else
            isa->delims.rep = isa11;
    }
    isa->file_seg = ++r->file_seg;

    r->p = s + seps[15] + 3;
    r->strip_ws = false;
    bool ws_term = false;
    if ((isa->delims.seg == ' ' || isa->delims.seg == '\t') && r->p < r->end &&
        (*r->p == '\r' || *r->p == '\n')) {
        /* "> \r\n": a blank before the line break is no terminator, the line break is */
        isa->delims.seg = '\n';
        r->strip_ws = ws_term = true;
    }
    r->d = isa->delims;
    r->have_delims = true;
    r->skip_cont = ((unsigned char)r->d.seg & 0xc0) == 0xc0;
    set_skip(r);
    r->state = ST_ISA;
    r->n_isa++;
    r->groups_seen = 0;
    dg_ctlset_clear(&r->gs_ctl);
    int rc;
    if (r->cb->on_isa && (rc = r->cb->on_isa(r->ctx, isa)) != 0)
        return rc;
    if (!fixed && (rc = report(r, DG_X12_LEVEL_INTERCHANGE, "024", true, "ISA", isa->file_seg, 0, 0,
                               "ISA is not fixed width (%zu bytes, fields not at their 106-byte "
                               "positions); read by its separators",
                               seps[15] + 3)) != 0)
        return rc;
    if (ws_term &&
        (rc = report(r, DG_X12_LEVEL_INTERCHANGE, "004", true, "ISA", isa->file_seg, 0, 16,
                     "segment terminator is a blank followed by a line break; reading lines "
                     "as segments")) != 0)
        return rc;
    if (r->skip_cont &&
        (rc = report(r, DG_X12_LEVEL_INTERCHANGE, "004", true, "ISA", isa->file_seg, 0, 16,
                     "segment terminator is a multi-byte (UTF-8) character starting 0x%02x; X12 "
                     "delimiters are single characters; read as one terminator",
                     (unsigned char)isa->delims.seg)) != 0)
        return rc;
    if (rep_warn &&
        (rc = report(r, DG_X12_LEVEL_INTERCHANGE, "032", true, "ISA", isa->file_seg, 0, 11,
                     "ISA11 '%c' cannot be a repetition separator; ignored", isa11)) != 0)
        return rc;
    return isa_checks(r, f, n, isa->file_seg);
}

/* ---- envelopes ---------------------------------------------------------------------------- */

static void set_code(reader *r, const char *code)
{
    if (r->n_set_codes < 8)
        snprintf(r->set_codes[r->n_set_codes++], 4, "%s", code);
}

static int start_set(reader *r)
{
    size_t n1, n2, n3;
    const char *id = el(r, 0, 1, &n1), *ctl = el(r, 0, 2, &n2), *ref = el(r, 0, 3, &n3);
    dg_x12_set *st = &r->set;
    memset(st, 0, sizeof *st);
    st->isa = &r->isa;
    st->gs = r->state == ST_GS ? &r->gs : NULL;
    copy_field(st->id, sizeof st->id, id, n1);
    copy_field(st->control, sizeof st->control, ctl, n2);
    copy_field(st->impl_ref, sizeof st->impl_ref, ref, n3);
    r->n_set_codes = 0;
    r->oversize = false;
    r->dropped_segs = 0;
    bool id_ok = n1 == 3;
    for (size_t i = 0; i < n1; i++)
        id_ok = id_ok && is_alnum_c(id[i]);
    if (!id_ok)
        set_code(r, "6");
    if (n2 < 4 || n2 > 9)
        set_code(r, "7");
    else if (st->gs && !dg_ctlset_add(&r->st_ctl, st->control))
        set_code(r, "23");
    r->segs[0].set_seg = 1;
    int rc = 0;
    if (!st->gs && !r->bare)
        rc = report(r, DG_X12_LEVEL_INTERCHANGE, "024", false, "ST", r->segs[0].file_seg, 0, 0,
                    "ST %s outside any functional group (no GS before it)", st->control);
    r->state = ST_SET;
    return rc;
}

static const char *set_code_text(const char *code)
{
    switch (atoi(code)) {
    case 2: return "transaction set trailer (SE) missing";
    case 3: return "SE02 does not match ST02";
    case 4: return "SE01 does not match the number of segments ST..SE";
    case 5: return "set rejected unread: over the reader's size limits";
    case 6: return "missing or invalid transaction set identifier (ST01)";
    case 7: return "missing or invalid transaction set control number (ST02)";
    case 23: return "ST02 control number is not unique within the group";
    default: return "envelope error";
    }
}

/* Hands over the set of the first n segments (SE included when complete). */
static int finish_set(reader *r, size_t n, bool complete)
{
    dg_x12_set *st = &r->set;
    int rc;
    st->complete = complete;
    if (complete) {
        size_t n1, n2;
        const char *se01 = el(r, n - 1, 1, &n1), *se02 = el(r, n - 1, 2, &n2);
        long counted = (long)n + r->dropped_segs;
        /* SE01 is N0 1/10: ten digits are allowed */
        if (!all_digits(se01, n1) || n1 > 10 || strtoll(se01, NULL, 10) != (long long)counted)
            set_code(r, "4");
        int c = ctl_cmp(se02, n2, st->control, strlen(st->control));
        if (c == 2)
            set_code(r, "3");
        else if (c == 1 &&
                 (rc = report(r, DG_X12_LEVEL_SET, "3", true, "SE", r->segs[n - 1].file_seg,
                              (long)n, 2, "SE02 '%s' is ST02 '%s' with other zero padding", se02,
                              st->control)) != 0)
            return rc;
    } else {
        set_code(r, "2");
    }
    if (r->oversize)
        set_code(r, "5");
    st->envelope_code = r->n_set_codes ? atoi(r->set_codes[0]) : 0;
    long fs = r->segs[n - 1].file_seg;
    for (int i = 0; i < r->n_set_codes; i++) {
        const char *c = r->set_codes[i];
        const char *sid =
            !strcmp(c, "6") || !strcmp(c, "7") || !strcmp(c, "23") || !complete ? "ST" : "SE";
        long at = sid[0] == 'S' && sid[1] == 'T' ? r->segs[0].file_seg : fs;
        long set_seg = sid[1] == 'T' ? 1 : (long)n;
        char extra[80] = "";
        if (!strcmp(c, "5")) {
            sid = "ST";
            at = r->segs[0].file_seg;
            set_seg = 1;
            snprintf(extra, sizeof extra, " (%.70s)", r->oversize_why);
        } else if (!strcmp(c, "4"))
            snprintf(extra, sizeof extra, " (SE01 %s, counted %ld)", el(r, n - 1, 1, NULL),
                     (long)n + r->dropped_segs);
        else if (!strcmp(c, "3"))
            snprintf(extra, sizeof extra, " (ST02 %s, SE02 %s)", st->control,
                     el(r, n - 1, 2, NULL));
        if ((rc = report(r, DG_X12_LEVEL_SET, c, false, sid, at, set_seg, 0, "%s %s: %s%s", st->id,
                         st->control, set_code_text(c), extra)) != 0)
            return rc;
    }
    st->segs = r->segs;
    st->seg_scan = r->seg_scan;
    st->padded = true;
    st->n_segs = n;
    r->sets_seen++;
    r->state = st->gs ? ST_GS : ST_ISA;
    if (r->cb->on_set && (rc = r->cb->on_set(r->ctx, st)) != 0)
        return rc;
    return 0;
}

/* A set cut short by the envelope segment just read (the last one in the buffer). */
static int cut_set(reader *r)
{
    return finish_set(r, r->n_segs - 1, false);
}

static int end_group(reader *r, long ge01, const char *ge02, long fs)
{
    dg_x12_group_end ge;
    memset(&ge, 0, sizeof ge);
    ge.isa = &r->isa;
    ge.gs = &r->gs;
    ge.sets_seen = r->sets_seen;
    ge.ge01 = ge01;
    snprintf(ge.ge02, sizeof ge.ge02, "%s", ge02 ? ge02 : "");
    ge.complete = ge02 != NULL;
    int rc;
    if (!ge02) {
        if ((rc = report(r, DG_X12_LEVEL_GROUP, "3", false, "GE", fs, 0, 0,
                         "group %s: functional group trailer (GE) missing", r->gs.control)) != 0)
            return rc;
    } else {
        if (ge01 != r->sets_seen && (rc = report(r, DG_X12_LEVEL_GROUP, "5", false, "GE", fs, 0, 1,
                                                 "group %s: GE01 says %ld sets, the group has %ld",
                                                 r->gs.control, ge01, r->sets_seen)) != 0)
            return rc;
        int c = ctl_cmp(ge02, strlen(ge02), r->gs.control, strlen(r->gs.control));
        if (c && (rc = report(r, DG_X12_LEVEL_GROUP, "4", c == 1, "GE", fs, 0, 2,
                              "group %s: GE02 '%s' does not match GS06%s", r->gs.control, ge02,
                              c == 1 ? " (zero padding only)" : "")) != 0)
            return rc;
    }
    r->state = ST_ISA;
    if (r->cb->on_ge && (rc = r->cb->on_ge(r->ctx, &ge)) != 0)
        return rc;
    return 0;
}

static int end_interchange(reader *r, long iea01, const char *iea02, long fs)
{
    dg_x12_interchange_end ie;
    memset(&ie, 0, sizeof ie);
    ie.isa = &r->isa;
    ie.groups_seen = r->groups_seen;
    ie.iea01 = iea01;
    snprintf(ie.iea02, sizeof ie.iea02, "%s", iea02 ? iea02 : "");
    ie.complete = iea02 != NULL;
    int rc;
    if (!iea02 && r->bare) {
        r->state = ST_NONE;
        return 0;
    }
    if (!iea02) {
        if ((rc = report(r, DG_X12_LEVEL_INTERCHANGE, "023", false, "IEA", fs, 0, 0,
                         "interchange %s: premature end, IEA missing", r->isa.control)) != 0)
            return rc;
    } else {
        if (iea01 != r->groups_seen &&
            (rc = report(r, DG_X12_LEVEL_INTERCHANGE, "021", false, "IEA", fs, 0, 1,
                         "interchange %s: IEA01 says %ld groups, the interchange has %ld",
                         r->isa.control, iea01, r->groups_seen)) != 0)
            return rc;
        int c = ctl_cmp(iea02, strlen(iea02), r->isa.control, strlen(r->isa.control));
        if (c && (rc = report(r, DG_X12_LEVEL_INTERCHANGE, "001", c == 1, "IEA", fs, 0, 2,
                              "interchange %s: IEA02 '%s' does not match ISA13%s", r->isa.control,
                              iea02, c == 1 ? " (zero padding only)" : "")) != 0)
            return rc;
    }
    r->state = ST_NONE;
    if (r->cb->on_iea && (rc = r->cb->on_iea(r->ctx, &ie)) != 0)
        return rc;
    return 0;
}

/* Closes whatever is open at this level and below; `fs` names where the closing happened. */
static int close_open(reader *r, int down_to, long fs, bool last_seg_is_trailer)
{
    int rc;
    if (r->state == ST_SET && down_to < ST_SET) {
        size_t n = last_seg_is_trailer ? r->n_segs - 1 : r->n_segs;
        if ((rc = finish_set(r, n, false)) != 0)
            return rc;
    }
    if (r->state == ST_GS && down_to < ST_GS)
        if ((rc = end_group(r, -1, NULL, fs)) != 0)
            return rc;
    if (r->state == ST_ISA && down_to < ST_ISA)
        if ((rc = end_interchange(r, -1, NULL, fs)) != 0)
            return rc;
    return 0;
}

static long num_or_neg(const char *s, size_t n)
{
    return n && n <= 9 && all_digits(s, n) ? strtol(s, NULL, 10) : -1;
}

/* GS04 is DT (CCYYMMDD from 004010 on, YYMMDD before), GS05 TM (HHMM[SS[d..]]). The 997 has
 * no group code for them: a bad GS date or time is interchange content (TA1 024). */
static int gs_date_time(reader *r, const dg_x12_gs *g)
{
    size_t nd = strlen(g->date), nt = strlen(g->time);
    bool y2k = strncmp(g->version, "004", 3) >= 0 || !g->version[0];
    int rc;
    bool date_ok = y2k ? nd == 8 && valid_date8(g->date) : nd == 6 && valid_date6(g->date, 6);
    if (!date_ok && (rc = report(r, DG_X12_LEVEL_INTERCHANGE, "024", false, "GS", g->file_seg, 0, 4,
                                 "GS04 date '%s' is not %s (version %s)", g->date,
                                 y2k ? "CCYYMMDD" : "YYMMDD", g->version)) != 0)
        return rc;
    bool time_ok = nt >= 4 && nt <= 8 && nt != 5 && all_digits(g->time, nt) &&
                   valid_time4(g->time, 4) &&
                   (nt < 6 || (g->time[4] - '0') * 10 + g->time[5] - '0' < 60);
    if (!time_ok && (rc = report(r, DG_X12_LEVEL_INTERCHANGE, "024", false, "GS", g->file_seg, 0, 5,
                                 "GS05 time '%s' is not HHMM[SS[d..]]", g->time)) != 0)
        return rc;
    return 0;
}

static int on_gs(reader *r, size_t k)
{
    int rc;
    if (r->state == ST_NONE)
        return 0;
    if ((rc = close_open(r, ST_ISA, r->segs[k].file_seg, true)) != 0)
        return rc;
    dg_x12_gs *g = &r->gs;
    memset(g, 0, sizeof *g);
    size_t n;
    const char *v;
    v = el(r, k, 1, &n), copy_field(g->functional_id, sizeof g->functional_id, v, n);
    v = el(r, k, 2, &n), copy_field(g->sender, sizeof g->sender, v, n);
    v = el(r, k, 3, &n), copy_field(g->receiver, sizeof g->receiver, v, n);
    v = el(r, k, 4, &n), copy_field(g->date, sizeof g->date, v, n);
    v = el(r, k, 5, &n), copy_field(g->time, sizeof g->time, v, n);
    v = el(r, k, 6, &n), copy_field(g->control, sizeof g->control, v, n);
    bool ctl_ok = n >= 1 && n <= 9 && all_digits(v, n);
    v = el(r, k, 7, &n), copy_field(g->agency, sizeof g->agency, v, n);
    v = el(r, k, 8, &n), copy_field(g->version, sizeof g->version, v, n);
    g->file_seg = r->segs[k].file_seg;
    r->state = ST_GS;
    r->groups_seen++;
    r->sets_seen = 0;
    dg_ctlset_clear(&r->st_ctl);
    if (r->cb->on_gs && (rc = r->cb->on_gs(r->ctx, &r->isa, g)) != 0)
        return rc;
    if ((rc = gs_date_time(r, g)) != 0)
        return rc;
    if (!ctl_ok)
        return report(r, DG_X12_LEVEL_GROUP, "6", false, "GS", g->file_seg, 0, 6,
                      "group control number GS06 '%s' is not 1-9 digits", g->control);
    if (!dg_ctlset_add(&r->gs_ctl, g->control))
        return report(r, DG_X12_LEVEL_GROUP, "19", false, "GS", g->file_seg, 0, 6,
                      "group control number GS06 '%s' repeats an earlier group of interchange %s",
                      g->control, r->isa.control);
    return 0;
}

/* A segment out of place; one report for a run of them (same code, one after the other). */
static int orphan(reader *r, size_t k, const char *code, const char *why)
{
    long fs = r->segs[k].file_seg;
    bool run = r->orphan_seg == fs - 1 && !strcmp(r->orphan_code, code);
    r->orphan_seg = fs;
    snprintf(r->orphan_code, sizeof r->orphan_code, "%s", code);
    if (run)
        return 0;
    return report(r, DG_X12_LEVEL_INTERCHANGE, code, false, el(r, k, 0, NULL), fs, 0, 0,
                  "%s segment %s (any out-of-place segments right after it are not reported "
                  "again)",
                  el(r, k, 0, NULL), why);
}

/* Acts on the segment just read (the last in the buffer). */
static int dispatch(reader *r)
{
    size_t k = r->n_segs - 1;
    /* the segment just read: its element pointers are current */
    size_t idn = r->segs[k].el_len[0];
    const char *id = r->segs[k].el[0];
    long fs = r->segs[k].file_seg;
    int rc;
    if (idn == 2 && id[0] == 'S' && id[1] == 'E') {
        if (r->state == ST_SET)
            return finish_set(r, r->n_segs, true);
        return orphan(r, k, r->state == ST_NONE ? "022" : "024", "without a matching ST");
    }
    if (idn == 2 && id[0] == 'S' && id[1] == 'T') {
        if (r->state == ST_NONE)
            return orphan(r, k, "022", "outside any interchange");
        if (r->state == ST_SET) {
            if ((rc = cut_set(r)) != 0)
                return rc;
            /* move the new ST to the front of the buffer (in place: the front moves to it) */
            size_t b = seg_first(r, k), off0 = el_offset(r, b);
            size_t nel = r->n_el - b;
            /* in place the front moves to the ST, its bytes stay; else they move to the front */
            size_t moved = r->inplace ? 0 : off0;
            if (!r->inplace)
                memmove(r->sb, r->sb + off0, r->sb_len - off0);
            r->sb_len -= off0;
            r->set_bytes = seg_bytes(r, k);
            for (size_t i = 0; i < nel; i++) {
                r->el_ptr[i] = r->el_ptr[b + i] - moved;
                r->el_len[i] = r->el_len[b + i];
            }
            r->sb += off0 - moved;
            r->n_el = nel;
            r->segs[0] = r->segs[k];
            r->segs[0].el = r->el_ptr;
            r->segs[0].el_len = r->el_len;
            r->seg_scan[0] = r->seg_scan[k];
            r->n_segs = 1;
        }
        return start_set(r);
    }
    /* inline byte compares: this runs for every segment of every set */
    bool iea = idn == 3 && id[0] == 'I' && id[1] == 'E' && id[2] == 'A';
    if (r->state == ST_SET && !(idn == 2 && id[0] == 'G' && (id[1] == 'S' || id[1] == 'E')) && !iea)
        return 0; /* an ordinary segment of the set */
    if (idn == 2 && id[0] == 'G' && id[1] == 'S')
        return r->state == ST_NONE ? orphan(r, k, "022", "outside any interchange") : on_gs(r, k);
    if (idn == 2 && id[0] == 'G' && id[1] == 'E') {
        if (r->state == ST_SET && (rc = cut_set(r)) != 0)
            return rc;
        if (r->state != ST_GS)
            return orphan(r, k, "022", "without a matching GS");
        size_t n1, n2;
        const char *ge01 = el(r, k, 1, &n1), *ge02 = el(r, k, 2, &n2);
        char g2[10];
        copy_field(g2, sizeof g2, ge02, n2);
        if (n2 > 9)
            snprintf(g2, sizeof g2, "%.8s~", ge02);
        return end_group(r, num_or_neg(ge01, n1), g2, fs);
    }
    if (iea) {
        if (r->state == ST_NONE)
            return orphan(r, k, "022", "without a matching ISA");
        if ((rc = close_open(r, ST_ISA, fs, true)) != 0)
            return rc;
        size_t n1, n2;
        const char *i1 = el(r, k, 1, &n1), *i2 = el(r, k, 2, &n2);
        char c2[10];
        copy_field(c2, sizeof c2, i2, n2);
        if (n2 > 9)
            snprintf(c2, sizeof c2, "%.8s~", i2);
        return end_interchange(r, num_or_neg(i1, n1), c2, fs);
    }
    if (r->state == ST_NONE)
        return orphan(r, k, "022", "outside any interchange (after IEA, before ISA)");
    if (r->state == ST_ISA) {
        if (idn == 3 && !strcmp(id, "TA1")) {
            if (!r->cb->on_ta1)
                return 0;
            return r->cb->on_ta1(r->ctx, &r->isa, &r->segs[k]);
        }
        if (idn == 3 && (!strcmp(id, "ISB") || !strcmp(id, "ISE")))
            return 0; /* interchange-level service segments */
        return orphan(r, k, "024", "outside any functional group");
    }
    return orphan(r, k, "024", "outside any transaction set");
}

/* Bare transaction sets with no ISA (some systems hand them over like that): take the element
 * separator after "ST", the terminator from the first non-alphanumeric byte that follows. */
static int start_bare(reader *r)
{
    size_t avail = ensure(r, 256);
    const char *s = r->p;
    if (avail < 4 || s[0] != 'S' || s[1] != 'T' || is_alnum_c(s[2]) || s[2] == ' ')
        return dg_error_set(r->err, DG_EPARSE, "%s: not X12: the input does not start with ISA",
                            r->name);
    dg_x12_delims d = {s[2], ':', 0, 0};
    for (size_t i = 3; i < avail && !d.seg; i++)
        if (!is_alnum_c(s[i]) && s[i] != d.elem && s[i] != ' ' && s[i] != '-' && s[i] != '.')
            d.seg = s[i] == '\r' ? '\n' : s[i];
    if (!d.seg)
        return dg_error_set(r->err, DG_EPARSE, "%s: not X12: no ISA and no segment terminator",
                            r->name);
    memset(&r->isa, 0, sizeof r->isa);
    r->isa.delims = d;
    r->d = d;
    r->have_delims = r->bare = true;
    set_skip(r);
    r->state = ST_ISA;
    return report(r, DG_X12_LEVEL_INTERCHANGE, "024", true, "ST", 1, 0, 0,
                  "no ISA/GS envelope: transaction sets read with assumed delimiters "
                  "('%c' elements, ':' components)",
                  d.elem);
}

/* Per-set limits, checked after each segment read inside a set (the segment is the last one). */
static void check_set_limits(reader *r)
{
    size_t k = r->n_segs - 1, max_el = r->max_set_el, max_segs = r->max_set_segs;
    if (r->oversize || (!r->seg_many && !r->seg_cut && r->set_bytes < lim_set_bytes &&
                        r->n_el <= max_el && r->n_segs <= max_segs))
        return; /* (every segment of a set: the messages below only when one is over) */
    const char *id = el(r, k, 0, NULL);
    if (r->seg_many)
        snprintf(r->oversize_why, sizeof r->oversize_why,
                 "segment %.3s at file segment %ld has more than %zu elements", id,
                 r->segs[k].file_seg, lim_seg_elems);
    else if (r->seg_cut || r->set_bytes >= lim_set_bytes)
        snprintf(r->oversize_why, sizeof r->oversize_why, "set larger than %zu bytes",
                 lim_set_bytes);
    else if (r->n_el > max_el || r->n_segs > max_segs)
        snprintf(r->oversize_why, sizeof r->oversize_why,
                 "set has more than %zu elements or %zu segments", max_el, max_segs);
    else
        return;
    r->oversize = true;
}

/* An oversize set keeps only its ST (SE, GE, IEA or a next ST are acted on by dispatch before
 * this is called); its ordinary segments are counted for SE01 and dropped. */
static void drop_set_body(reader *r)
{
    if (r->n_segs < 2)
        return;
    r->dropped_segs += (long)(r->n_segs - 1);
    size_t b = seg_first(r, 1), keep = el_offset(r, b);
    r->set_bytes = seg_bytes(r, 0);
    r->n_el = b;
    if (r->inplace) { /* the ST's bytes move up to the read position: the window is the ST */
        char *to = r->rbuf + (r->p - r->rbuf) - keep;
        memmove(to, r->sb, keep);
        rebase_pointers(r, 0, (uintptr_t)r->sb, to);
        r->sb = to;
    }
    r->sb_len = keep;
    r->n_segs = 1;
}

/* The longest segment a set of set_bytes may still take in whole: the bytes left under the
 * set's limit (at least SEG_KEEP, as read_segment's room), and at most lim_seg_elems. */
static size_t seg_max_len(size_t set_bytes)
{
    size_t room = lim_set_bytes - 1 > set_bytes ? lim_set_bytes - 1 - set_bytes : 0;
    if (room < SEG_KEEP)
        room = SEG_KEEP;
    return room < lim_seg_elems ? room : lim_seg_elems;
}

/* SE, ST, GS, GE or IEA: the segments dispatch acts on inside a set (the rest it leaves alone). */
static inline bool envelope_id(const char *id, uint32_t n)
{
    if (n == 2)
        return (id[0] == 'S' && (id[1] == 'E' || id[1] == 'T')) ||
               (id[0] == 'G' && (id[1] == 'S' || id[1] == 'E'));
    return n == 3 && id[0] == 'I' && id[1] == 'E' && id[2] == 'A';
}

/* The window path of read_set_body (read_windows): a segment that ends within 64 bytes of its
 * start (nearly all do) is taken from the 64 bits of each class that begin at its first byte,
 * cut from its block and the next - its terminator is the lowest bit of one, its separators and
 * "other" bytes the bits below it of the others - and split in one loop over its separators.
 * Why: the block loop goes block by block, and whether a segment goes on in the next block (about
 * 2 in 5 of the 850's 26-byte segments do) is a branch the CPU mostly mispredicts, with more work
 * per block (masks kept, terminator tested, cursor moved); the window is the same bits in one go.
 * And in a loop of its own, with few values live: beside the block loop's, gcc kept half of them
 * on the stack. */

/* 64 bits of a class from bit s (0..63) of block lo on, the next block hi after it: the bytes
 * from a segment's start on, wherever it starts in its block (with BMI2: shrx, shlx). */
static inline uint64_t window(uint64_t lo, uint64_t hi, unsigned s)
{
    return lo >> s | hi << 1 << (~s & 63); /* (~s & 63: 63 - s) */
}

/* read_set_body's cursors, handed to read_windows and back, and its bounds */
typedef struct win_state {
    size_t po, set_bytes;
    const char **ptr;
    uint32_t *len;
    dg_x12_seg *sg;
    long file_seg, set_seg; /* of the last segment read */
    bool act;               /* it is an envelope segment */
    uint32_t isa_word;
    size_t limit, k_end, near, po_stop;
    uintptr_t ptr_lim, sg_lim;
} win_state;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define WIN_TARGET __attribute__((noinline, target("bmi,bmi2,popcnt")))
#include <emmintrin.h>
/* a segment's file_seg and set_seg, one after the other, counted on together in one SSE2
 * register (one add and one store a segment, and two general registers fewer in the loop) */
_Static_assert(offsetof(dg_x12_seg, set_seg) == offsetof(dg_x12_seg, file_seg) + 8 &&
                   sizeof(long) == 8,
               "file_seg and set_seg side by side");
typedef __m128i seg_numbers;
static inline seg_numbers seg_numbers_of(long file_seg, long set_seg)
{
    return _mm_set_epi64x(set_seg, file_seg);
}
static inline seg_numbers seg_numbers_next(seg_numbers n, dg_x12_seg *sg)
{
    n = _mm_add_epi64(n, _mm_set1_epi64x(1));
    _mm_storeu_si128((__m128i *)(void *)&sg->file_seg, n);
    return n;
}
static inline long seg_numbers_file(seg_numbers n)
{
    return _mm_cvtsi128_si64(n);
}
#else
#define WIN_TARGET __attribute__((noinline))
typedef struct seg_numbers {
    long file_seg, set_seg;
} seg_numbers;
static inline seg_numbers seg_numbers_of(long file_seg, long set_seg)
{
    return (seg_numbers){file_seg, set_seg};
}
static inline seg_numbers seg_numbers_next(seg_numbers n, dg_x12_seg *sg)
{
    sg->file_seg = ++n.file_seg;
    sg->set_seg = ++n.set_seg;
    return n;
}
static inline long seg_numbers_file(seg_numbers n)
{
    return n.file_seg;
}
#endif

/* bit c & 63 for c = S, G and I */
#define ENVELOPE_STARTS ((1ULL << ('S' & 63)) | (1ULL << ('G' & 63)) | (1ULL << ('I' & 63)))

/* read_set_body's loop for the segments of the window path: reads segments from w->po on while
 * they end within 64 bytes of their start, hold no "other" byte, start 4 bytes or more before the
 * read buffer's end, are no ISA and keep the set under its near-limit bytes (so that no segment
 * is over max_len: see read_set_body); stops before any other segment (the gap before it
 * skipped), or after one that needs read_set_body's end-of-segment checks (an envelope segment,
 * the index full or a set limit near: returns true). */
static WIN_TARGET bool read_windows(reader *r, win_state *w)
{
    char *const rb = r->rbuf;
    const dg_x12_block *const blocks = r->blocks;
    size_t po = w->po;
    /* the set's bytes less po: the same over a segment, one less for each byte of a gap */
    size_t bytes_less_po = w->set_bytes - po;
    const char **ptr = w->ptr;
    uint32_t *len = w->len;
    dg_x12_seg *sg = w->sg;
    seg_numbers num = seg_numbers_of(w->file_seg, w->set_seg);
    /* below po_win: 4 bytes readable, the block and the next classified, the set under near */
    const size_t po_end = po + (w->near - w->set_bytes), by_bytes = w->limit - 3;
    w->po_stop = po_end < by_bytes ? po_end : by_bytes; /* (in w: rarely needed) */
    size_t po_win = 64 * (r->cls_hi - 1); /* (read_set_body has po's block classified) */
    po_win = po_win < w->po_stop ? po_win : w->po_stop;
    bool act = false, check = false;
    for (;;) {
        while (r->skip[(unsigned char)rb[po]]) {
            po++;
            bytes_less_po--;
        }
        if (po >= po_win) {
            const size_t k = po / 64;
            if (po >= w->po_stop || k + 1 >= w->k_end)
                break;
            classify_from(r, k < r->cls_hi ? r->cls_hi : k);
            po_win = 64 * (r->cls_hi - 1);
            po_win = po_win < w->po_stop ? po_win : w->po_stop;
            continue;
        }
        char *const f = rb + po;
        const unsigned char c0 = (unsigned char)*f;
        /* an id starting with S, G or I (or a byte 64, 128 or 192 from one: then envelope_id
         * says no) may be an envelope segment's: a bit test instead of three compares */
        const bool env = (ENVELOPE_STARTS >> (c0 & 63)) & 1;
        uint32_t w4;
        if (env && c0 == 'I' && (memcpy(&w4, f, 4), w4 == w->isa_word))
            break;
        const dg_x12_block *b = &blocks[po / 64];
        const unsigned s = po % 64;
        const uint64_t wt = window(b[0].term, b[1].term, s);
        if (!wt)
            break; /* for read_set_body's loop; nothing written */
        const unsigned n = (unsigned)__builtin_ctzll(wt);
        const uint64_t before = ((uint64_t)1 << n) - 1; /* the bits before the terminator (bzhi) */
        if (window(b[0].other, b[1].other, s) & before)
            break;
        /* the split, as the block loop's, the cursors moving along */
        const char **p = ptr;
        uint32_t *l = len;
        const char *st = f; /* the element's start */
        for (uint64_t m = window(b[0].elem, b[1].elem, s) & before; m; m &= m - 1) {
            char *const at = f + __builtin_ctzll(m);
            *at = '\0';
            *l++ = (uint32_t)(at - st);
            *p++ = st;
            st = at + 1;
        }
        f[n] = '\0';
        *l = (uint32_t)(f + n - st);
        *p = st;
        sg->el = ptr;
        sg->el_len = len;
        sg->n_el = (int)(p - ptr);
        num = seg_numbers_next(num, sg);
        sg++;
        act = env && envelope_id(f, len[0]);
        ptr = p + 1;
        len = l + 1;
        po += n + 1;
        if (act || (uintptr_t)ptr > w->ptr_lim || (uintptr_t)sg > w->sg_lim) {
            check = true;
            break;
        }
    }
    w->po = po;
    w->set_bytes = po + bytes_less_po;
    w->ptr = ptr;
    w->len = len;
    w->sg = sg;
    w->file_seg = seg_numbers_file(num);
    w->act = act;
    return check;
}

/* The open set's segments one after the other from the classified blocks, the reader's state in
 * locals: what run's loop does for each (skip_gap, read_segment, check_set_limits, dispatch),
 * less the steps that do nothing for an ordinary segment read in place. It stops before a
 * segment that needs more - one the blocks leave to the plain path (find_in_blocks says which),
 * fewer than 4 bytes left in the read buffer, an ISA, an index without room for the largest
 * segment of the blocks (grown on entry) - and after an envelope segment (SE, ST, GS, GE, IEA)
 * or one that takes the set over a limit, which it hands to check_set_limits and dispatch as run
 * does. Returns what dispatch returned, else 0.
 * Each segment is split block by block while its terminator is looked for, in one pass over the
 * blocks' masks (no separate find and split, no mask array); a segment that turns out to be one
 * for the plain path gets its separators back. Few values live across the loop (element and
 * segment cursors instead of counts and bases, limits as the cursor values that reach them, the
 * scan bits written once at the end, nothing read from r that a store into the buffer could
 * change): with more, gcc keeps them on the stack and reloads them for every segment.
 * With windows (read_set_body_bmi), read_windows reads the segments the window path can take,
 * and this loop each of the others. */
static inline __attribute__((always_inline)) int read_set_body_as(reader *r, const bool windows)
{
    /* room for any segment of the blocks: checked once per segment, grown here */
    if (r->n_segs == r->seg_cap)
        grow_segs(r);
    while (r->el_cap < r->n_el + BLOCK_SPAN * 64 + 1)
        grow_el(r);
    char *const rb = r->rbuf;
    const size_t limit = (size_t)(r->end - rb);
    /* a byte that is never skipped after the input's bytes ends the gap loop (the read buffer
     * has slack there; the byte is no input, and the blocks never take it, see classify_from) */
    rb[limit] = '\0';
    const char elem = r->d.elem;
    const char isa_bytes[4] = {'I', 'S', 'A', elem};
    uint32_t isa_word;
    memcpy(&isa_word, isa_bytes, 4);
    const size_t near = lim_set_bytes - BLOCK_SPAN * 64; /* (lim_set_bytes >= 1024) */
    const char **ptr = r->el_ptr + r->n_el;              /* the next element's start ... */
    uint32_t *len = r->el_len + r->n_el;                 /* ... and length */
    dg_x12_seg *sg = r->segs + r->n_segs;                /* the next segment */
    dg_x12_seg *const sg0 = sg;
    /* past these the set is over a limit (act), or the index has no room for one more segment
     * (stop); the loop compares with the lower of the two */
    const uintptr_t ptr_max = (uintptr_t)r->el_ptr + r->max_set_el * sizeof *ptr;
    const uintptr_t sg_max = (uintptr_t)r->segs + r->max_set_segs * sizeof *sg;
    uintptr_t ptr_lim = (uintptr_t)(r->el_ptr + r->el_cap) - (BLOCK_SPAN * 64 + 1) * sizeof *ptr;
    uintptr_t sg_lim = (uintptr_t)(r->segs + r->seg_cap - 1);
    ptr_lim = ptr_lim < ptr_max ? ptr_lim : ptr_max;
    sg_lim = sg_lim < sg_max ? sg_lim : sg_max;
    long file_seg = r->file_seg;
    const long set_seg_less = file_seg - (long)r->n_segs; /* file_seg - set_seg */
    size_t set_bytes = r->set_bytes;
    size_t po = (size_t)(r->p - rb);
    if (po < limit && (po / 64 < r->cls_lo || po / 64 >= r->cls_hi))
        classify_from(r, po / 64);
    size_t cls_hi = r->cls_hi;
    const size_t k_end = (limit + 63) / 64; /* the blocks holding read bytes */
    /* the set's byte limit leaves room for any segment of the blocks (< BLOCK_SPAN * 64 bytes)
     * until the set nears it */
    size_t max_len = set_bytes >= near ? seg_max_len(set_bytes) : lim_seg_elems;
    /* the window path's segments (< 64 bytes) are never over max_len (at least the lower of
     * lim_seg_elems and SEG_KEEP) when lim_seg_elems is 64 or more */
    const bool win = lim_seg_elems >= 64;
    bool act = false; /* the last segment read goes to dispatch */
    for (;;) {
        while (r->skip[(unsigned char)rb[po]])
            po++;
        uint32_t w4;
        if (limit - po < 4 || (memcpy(&w4, rb + po, 4), w4 == isa_word))
            break;
        if (windows && win && set_bytes < near) {
            /* the window path until a segment needs this loop (read_windows) */
            win_state c = {po,    set_bytes, ptr,   len,   sg,   file_seg, file_seg - set_seg_less,
                           false, isa_word,  limit, k_end, near, 0,        ptr_lim,
                           sg_lim};
            const bool check = read_windows(r, &c);
            po = c.po;
            set_bytes = c.set_bytes;
            ptr = c.ptr;
            len = c.len;
            sg = c.sg;
            file_seg = c.file_seg;
            cls_hi = r->cls_hi;
            if (set_bytes >= near) /* (its last segment took the set there) */
                max_len = seg_max_len(set_bytes);
            if (check) { /* a segment read that needs the end-of-segment checks */
                act = c.act;
                goto check;
            }
            if (limit - po < 4 || (memcpy(&w4, rb + po, 4), w4 == isa_word))
                break;
        }
        size_t k = po / 64, j = 0;
        /* split block by block as the terminator is looked for, then undone (the NULs put back)
         * for a segment that turns out to be one for the plain path (see find_in_blocks) */
        const size_t k_span = k + BLOCK_SPAN;
        if (k >= cls_hi) {
            classify_from(r, k);
            cls_hi = r->cls_hi;
        }
        char *blk = rb + 64 * k;
        const char *f0 = rb + po;
        uint64_t keep = ~0ULL << (po % 64), t;
        for (;;) {
            const dg_x12_block *b = &r->blocks[k];
            t = b->term & keep;
            keep &= (t & (0 - t)) - 1; /* the bits before the terminator (all when none) */
            if (b->other & keep)
                goto plain;
            for (uint64_t m = b->elem & keep; m; m &= m - 1, j++) {
                char *at = blk + (unsigned)__builtin_ctzll(m);
                *at = '\0';
                len[j] = (uint32_t)(at - f0);
                ptr[j] = f0;
                f0 = at + 1;
            }
            if (t)
                break;
            if (++k == k_span)
                goto plain;
            if (k >= cls_hi) {
                if (k >= k_end)
                    goto plain;
                classify_from(r, k);
                cls_hi = r->cls_hi;
            }
            blk += 64;
            keep = ~0ULL;
        }
        /* (no terminator bit after the input's end: classify_from) */
        const size_t q = 64 * k + (unsigned)__builtin_ctzll(t);
        if (q - po > max_len) {
        plain:
            for (size_t i = 0; i < j; i++)
                ((char *)ptr[i])[len[i]] = elem;
            break;
        }
        rb[q] = '\0';
        len[j] = (uint32_t)(rb + q - f0);
        ptr[j] = f0;
        sg->el = ptr;
        sg->el_len = len;
        sg->n_el = (int)j;
        sg->file_seg = ++file_seg;
        sg->set_seg = file_seg - set_seg_less;
        sg++;
        /* (most ids start with another letter than S, G or I: one well-predicted test) */
        const char c0 = (char)rb[po];
        act = (c0 == 'S' || c0 == 'G' || c0 == 'I') && envelope_id(rb + po, len[0]);
        ptr += j + 1;
        len += j + 1;
        set_bytes += q - po + 1;
        po = q + 1;
        if (set_bytes >= near) { /* (rare) */
            act = act || set_bytes >= lim_set_bytes;
            max_len = seg_max_len(set_bytes);
        }
    check:
        if (act || (uintptr_t)ptr > ptr_lim || (uintptr_t)sg > sg_lim) {
            act = act || (uintptr_t)ptr > ptr_max || (uintptr_t)sg > sg_max;
            break;
        }
    }
    r->p = rb + po;
    if (sg == sg0)
        return 0;
    size_t n0 = r->n_segs, n_segs = (size_t)(sg - r->segs);
    memset(r->seg_scan + n0, DG_X12_SCAN_DONE, n_segs - n0);
    r->sb_len = (size_t)(ptr[-1] + len[-1] + 1 - r->sb); /* up to the last terminator */
    if (r->sb_len > peak_set_bytes)
        peak_set_bytes = r->sb_len;
    r->seg_cut = r->seg_many = false;
    r->n_el = (size_t)(ptr - r->el_ptr);
    r->n_segs = n_segs;
    r->set_bytes = set_bytes;
    r->file_seg = file_seg;
    if (!act)
        return 0;
    check_set_limits(r);
    int rc = dispatch(r);
    if (rc)
        return rc;
    if (r->state != ST_SET)
        reset_set_buffer(r);
    else if (r->oversize)
        drop_set_body(r);
    return 0;
}

/* The block loop alone: the fallback where the CPU lacks BMI1, BMI2 or POPCNT (and the reference
 * the tests compare the window path with). */
static __attribute__((noinline)) int read_set_body_plain(reader *r)
{
    return read_set_body_as(r, false);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* The window path, compiled for BMI1 (tzcnt, blsr, blsi), BMI2 (shrx, shlx: shifts by a count in
 * any register) and POPCNT, chosen at run time (dg_x12_have_bmi): x86_64's baseline has none of
 * them, and without them each window and separator costs a few instructions more. */
static __attribute__((noinline, target("bmi,bmi2,popcnt"))) int read_set_body_bmi(reader *r)
{
    return read_set_body_as(r, true);
}
#else
static int read_set_body_bmi(reader *r)
{
    return read_set_body_as(r, true);
}
#endif

static int read_set_body(reader *r)
{
    return r->windows ? read_set_body_bmi(r) : read_set_body_plain(r);
}

static int run(reader *r)
{
    int rc;
    for (;;) {
        if (r->state == ST_SET && r->inplace && r->use_blocks && !r->strip_ws && !r->oversize &&
            r->n_segs && (rc = read_set_body(r)) != 0)
            return rc;
        if (!skip_gap(r))
            break;
        size_t avail = ensure(r, 4);
        bool isa = avail >= 3 && !memcmp(r->p, "ISA", 3) &&
                   (r->state == ST_NONE || (avail >= 4 && r->p[3] == r->d.elem));
        if (isa) {
            if (r->state != ST_NONE && (rc = close_open(r, ST_NONE, r->file_seg + 1, false)) != 0)
                return rc;
            reset_set_buffer(r);
            if ((rc = read_isa(r)) != 0 || r->stop)
                return rc;
            continue;
        }
        if (!r->have_delims && (rc = start_bare(r)) != 0)
            return rc;
        read_segment(r);
        if (r->state == ST_SET)
            check_set_limits(r);
        if ((rc = dispatch(r)) != 0)
            return rc;
        if (r->state != ST_SET)
            reset_set_buffer(r);
        else if (r->oversize)
            drop_set_body(r);
    }
    if (r->f && ferror(r->f))
        return dg_error_set(r->err, DG_EIO, "%s: read error: %s", r->name, strerror(errno));
    if (!r->have_delims)
        return dg_error_set(r->err, DG_EPARSE, "%s: not X12: empty input, no ISA segment", r->name);
    return close_open(r, ST_NONE, r->file_seg, false);
}

static int parse(reader *r)
{
    peak_set_bytes = 0;
    int rc = run(r);
    free(r->sb_own);
    free(r->el_len);
    free(r->el_ptr);
    free(r->segs);
    free(r->seg_scan);
    size_t ctl =
        dg_ctlset_bytes(&r->st_ctl) + dg_ctlset_bytes(&r->gs_ctl) + dg_ctlset_bytes(&r->isa_ctl);
    peak_ctl_bytes = ctl; /* they only grow: their size at the end is their peak */
    dg_ctlset_free(&r->st_ctl);
    dg_ctlset_free(&r->gs_ctl);
    dg_ctlset_free(&r->isa_ctl);
    return rc;
}

static void init(reader *r, const char *name, const dg_x12_callbacks *cb, void *ctx, dg_error *err)
{
    static const dg_x12_callbacks none;
    memset(r, 0, sizeof *r);
    r->cb = cb ? cb : &none;
    r->ctx = ctx;
    r->name = name ? name : "(input)";
    r->err = err;
    set_skip(r);
}

/* Both inputs go through the read buffer: the reader writes NULs into the bytes it reads, which
 * the caller's memory must not see. */
static int parse_input(reader *r)
{
    r->rbuf_cap = dbg_read_buf ? dbg_read_buf : READ_BUF;
    /* the slack is read by the scanner, whole 64-byte blocks by dg_x12_classify */
    r->rbuf = calloc(1, (r->rbuf_cap + 63) / 64 * 64 + 64);
    if (!r->rbuf)
        abort();
    r->p = r->end = r->rbuf;
    r->can_inplace = r->inplace = !dbg_copy_mode;
    r->use_blocks = !dbg_no_blocks;
    r->avx2 = dg_x12_have_avx2();
    r->windows = !dbg_no_windows && dg_x12_have_bmi();
    r->blocks = malloc(((r->rbuf_cap + 63) / 64 + 1) * sizeof *r->blocks);
    if (!r->blocks)
        abort();
    r->max_set_el = lim_set_bytes / 6;
    r->max_set_segs = lim_set_bytes / 24;
    int rc = parse(r);
    free(r->blocks);
    free(r->rbuf);
    return rc;
}

int dg_x12_parse_mem(const char *data, size_t len, const char *name, const dg_x12_callbacks *cb,
                     void *ctx, dg_error *err)
{
    reader r;
    init(&r, name, cb, ctx, err);
    r.mem = data ? data : "";
    r.mem_left = len;
    r.eof = len == 0;
    return parse_input(&r);
}

int dg_x12_parse_stream(FILE *f, const char *name, const dg_x12_callbacks *cb, void *ctx,
                        dg_error *err)
{
    reader r;
    init(&r, name, cb, ctx, err);
    r.f = f;
    return parse_input(&r);
}

int dg_x12_parse_file(const char *path, const dg_x12_callbacks *cb, void *ctx, dg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return dg_error_set(err, DG_EIO, "%s: cannot open: %s", path, strerror(errno));
    int rc = dg_x12_parse_stream(f, path, cb, ctx, err);
    fclose(f);
    return rc;
}

/* ---- element access ----------------------------------------------------------------------- */

const char *dg_x12_get(const dg_x12_seg *s, const dg_x12_delims *d, int el_no, int comp, int rep,
                       size_t *len)
{
    size_t dummy;
    if (!len)
        len = &dummy;
    *len = 0;
    if (!s || el_no < 1 || el_no > s->n_el || rep < 0 || comp < 0)
        return "";
    const char *e = s->el[el_no];
    size_t n = s->el_len[el_no];
    if (d && d->rep) {
        const char *end = e + n;
        for (int i = 0; i < rep; i++) {
            const char *q = memchr(e, d->rep, (size_t)(end - e));
            if (!q)
                return "";
            e = q + 1;
        }
        const char *q = memchr(e, d->rep, (size_t)(end - e));
        n = q ? (size_t)(q - e) : (size_t)(end - e);
    } else if (rep > 0) {
        return "";
    }
    if (comp == 0) {
        *len = n;
        return e;
    }
    char cs = d ? d->comp : ':';
    const char *end = e + n;
    for (int i = 1; i < comp; i++) {
        const char *q = memchr(e, cs, (size_t)(end - e));
        if (!q)
            return "";
        e = q + 1;
    }
    const char *q = memchr(e, cs, (size_t)(end - e));
    *len = q ? (size_t)(q - e) : (size_t)(end - e);
    return e;
}
