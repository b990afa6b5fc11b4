/* X12 segment scanning (internal to src/x12): one pass over a segment's bytes that finds its
 * element separators and tells the validator what it would otherwise rescan every value for. */
#ifndef DG_X12_SCAN_H
#define DG_X12_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "x12/x12.h"

/* What one scan found (the bits of dg_x12_seg.scan; 0 there means "not scanned"). */
enum {
    DG_X12_SCAN_DONE = 1, /* the bits below describe the segment */
    DG_X12_SCAN_COMP = 2, /* the component separator occurs (maybe: also in the segment id) */
    DG_X12_SCAN_REP = 4,  /* the repetition separator occurs (same) */
    DG_X12_SCAN_ODD = 8,  /* a byte outside printable ASCII 0x20..0x7e, element separators apart */
    DG_X12_SCAN_MANY = 16 /* more than max element separators: at[] holds the first max */
};

/* Scans s[0..n): writes the offsets of its element separators (d->elem) to at[], at most max of
 * them, and returns how many it wrote in *n_at; returns the DG_X12_SCAN_* bits (DONE included).
 * A delimiter that is 0 is not looked for. The bytes up to s[readable - 1] (readable >= n) may
 * be read but are not looked at: the reader leaves room after a segment so that its last 16
 * bytes need no copy. */
unsigned dg_x12_scan_seg_plain(const char *s, size_t n, const dg_x12_delims *d, uint32_t *at,
                               size_t max, size_t *n_at);

/* The byte classes of one 64-byte block, one bit per byte (bit i: s[i]), for the reader's
 * block-wise pass (reader.c read_blocks): the segment terminator (d->seg), the element separator
 * (d->elem), and "other" - the component and repetition characters and every byte outside
 * printable ASCII 0x20..0x7e that is not the element separator, anything for which a segment
 * holding it is read the plain way (dg_x12_scan_seg). A delimiter that is 0 matches NUL bytes,
 * which are "other" anyway. Reads s[0..63]. */
typedef struct dg_x12_block {
    uint64_t term, elem, other;
} dg_x12_block;
void dg_x12_classify_plain(const char *s, const dg_x12_delims *d, dg_x12_block *out);

/* dg_x12_classify with AVX2 (32 bytes at a time) when dg_x12_have_avx2() says the CPU has it:
 * the classes are about a tenth of `dropgate validate`'s instructions with SSE2, and x86_64's
 * baseline (what the build targets) has no AVX2. Without it (or on other CPUs) it is
 * dg_x12_classify. */
bool dg_x12_have_avx2(void);
void dg_x12_classify_avx2(const char *s, size_t n_blocks, dg_x12_delims d, dg_x12_block *out);

/* Whether the CPU has BMI1, BMI2 and POPCNT (x86_64's baseline has none of them): the reader then
 * splits segments with its window path (reader.c read_set_body_bmi), compiled for them. */
bool dg_x12_have_bmi(void);

#ifdef __SSE2__
#include <emmintrin.h>
#include <string.h>

/* Why a vector path: splitting byte by byte was about 13% of `dropgate validate`, and the
 * validator then scanned every value once more for delimiters and non-printable bytes. With SSE2
 * (baseline on x86_64) 16 bytes are compared at once; elsewhere dg_x12_scan_seg_plain runs.
 * Both give the same result on every input (tests/unit/x12/test_scan.c checks the corpus).
 * Inline: it runs once per segment, most segments are 10-40 bytes. */
/* The last n < 16 bytes when nothing may be read after them (out of line: rarely taken). */
__attribute__((noinline)) static __m128i dg_x12_scan_tail(const char *s, size_t n)
{
    char t[16] = {0};
    memcpy(t, s, n);
    return _mm_loadu_si128((const __m128i *)(const void *)t);
}

/* _mm_set1_epi8 of a byte that is not a constant: gcc 12 stores the byte and loads it back as
 * 4 bytes, which stalls on every segment (store forwarding fails); a multiply stays in registers */
static inline __m128i dg_x12_splat(char c)
{
    return _mm_shuffle_epi32(_mm_cvtsi32_si128((int)(0x01010101u * (unsigned char)c)), 0);
}

static inline unsigned dg_x12_scan_seg(const char *s, size_t n, size_t readable,
                                       const dg_x12_delims *d, uint32_t *at, size_t max,
                                       size_t *n_at)
{
    const __m128i ve = dg_x12_splat(d->elem), vc = dg_x12_splat(d->comp), vr = dg_x12_splat(d->rep);
    const __m128i v20 = _mm_set1_epi8(0x20), v7f = _mm_set1_epi8(0x7f);
    unsigned comp = 0, rep = 0, odd = 0, many = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i += 16) {
        __m128i x;
        unsigned keep = 0xffff;
        if (i + 16 <= readable) {
            x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        } else {
            x = dg_x12_scan_tail(s + i, n - i);
        }
        if (i + 16 > n)
            keep = (1u << (n - i)) - 1;
        unsigned e = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, ve)) & keep;
        /* signed compare: 0x80..0xff are negative, so below 0x20 too */
        __m128i o = _mm_or_si128(_mm_cmplt_epi8(x, v20), _mm_cmpeq_epi8(x, v7f));
        odd |= (unsigned)_mm_movemask_epi8(o) & keep & ~e;
        comp |= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vc)) & keep;
        rep |= (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vr)) & keep;
        for (; e; e &= e - 1) {
            if (k == max) {
                many = 1;
                break;
            }
            at[k++] = (uint32_t)(i + (unsigned)__builtin_ctz(e));
        }
    }
    *n_at = k;
    return DG_X12_SCAN_DONE | (d->comp && comp ? DG_X12_SCAN_COMP : 0) |
           (d->rep && rep ? DG_X12_SCAN_REP : 0) | (odd ? DG_X12_SCAN_ODD : 0) |
           (many ? DG_X12_SCAN_MANY : 0);
}

/* dg_x12_classify_plain of n_blocks blocks from s (out[b]: s + 64 b), 16 bytes at a time. Why: the
 * reader classifies every input byte once here and then finds each segment's terminator and
 * separators from the bits (a bit scan per separator), instead of a memchr and a second pass per
 * segment (together about 370 instructions of a 27-byte segment, the largest part of the reader).
 */
/* The three classes of 16 bytes as 16-bit masks. */
static inline void dg_x12_classify16(const char *s, __m128i vt, __m128i ve, __m128i vc, __m128i vr,
                                     unsigned *t, unsigned *e, unsigned *o)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
    const __m128i is_e = _mm_cmpeq_epi8(x, ve);
    /* outside 0x20..0x7e: x + 1 (wrapping) below 0x21 as a signed byte (0x7f..0xfe become
     * negative, 0xff becomes 0, 0x00..0x1f become 1..0x20) */
    const __m128i odd = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(1)), _mm_set1_epi8(0x21));
    const __m128i cr = _mm_or_si128(_mm_cmpeq_epi8(x, vc), _mm_cmpeq_epi8(x, vr));
    *t = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vt));
    *e = (unsigned)_mm_movemask_epi8(is_e);
    *o = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_andnot_si128(is_e, odd), cr));
}

static inline void dg_x12_classify(const char *s, size_t n_blocks, dg_x12_delims d,
                                   dg_x12_block *out)
{
    const __m128i vt = dg_x12_splat(d.seg), ve = dg_x12_splat(d.elem);
    const __m128i vc = dg_x12_splat(d.comp), vr = dg_x12_splat(d.rep);
    for (size_t b = 0; b < n_blocks; b++, s += 64) {
        unsigned t0, t1, t2, t3, e0, e1, e2, e3, o0, o1, o2, o3;
        dg_x12_classify16(s, vt, ve, vc, vr, &t0, &e0, &o0);
        dg_x12_classify16(s + 16, vt, ve, vc, vr, &t1, &e1, &o1);
        dg_x12_classify16(s + 32, vt, ve, vc, vr, &t2, &e2, &o2);
        dg_x12_classify16(s + 48, vt, ve, vc, vr, &t3, &e3, &o3);
        out[b].term = t0 | (uint64_t)t1 << 16 | (uint64_t)t2 << 32 | (uint64_t)t3 << 48;
        out[b].elem = e0 | (uint64_t)e1 << 16 | (uint64_t)e2 << 32 | (uint64_t)e3 << 48;
        out[b].other = o0 | (uint64_t)o1 << 16 | (uint64_t)o2 << 32 | (uint64_t)o3 << 48;
    }
}
#else
static inline unsigned dg_x12_scan_seg(const char *s, size_t n, size_t readable,
                                       const dg_x12_delims *d, uint32_t *at, size_t max,
                                       size_t *n_at)
{
    (void)readable;
    return dg_x12_scan_seg_plain(s, n, d, at, max, n_at);
}

static inline void dg_x12_classify(const char *s, size_t n_blocks, dg_x12_delims d,
                                   dg_x12_block *out)
{
    for (size_t b = 0; b < n_blocks; b++)
        dg_x12_classify_plain(s + 64 * b, &d, &out[b]);
}
#endif

#endif
