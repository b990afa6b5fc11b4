/* X12 segment scanning (internal to src/x12): one pass over a segment's bytes that finds its
 * element separators and tells the validator what it would otherwise rescan every value for. */
#ifndef DG_X12_SCAN_H
#define DG_X12_SCAN_H

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
#else
static inline unsigned dg_x12_scan_seg(const char *s, size_t n, size_t readable,
                                       const dg_x12_delims *d, uint32_t *at, size_t max,
                                       size_t *n_at)
{
    (void)readable;
    return dg_x12_scan_seg_plain(s, n, d, at, max, n_at);
}
#endif

#endif
