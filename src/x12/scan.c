/* X12 segment scanning, the plain path: one byte at a time, the reference the SSE2 path in
 * scan.h is tested against, and the path where SSE2 is not there. */
#include "x12/scan.h"

#include <stdbool.h>

unsigned dg_x12_scan_seg_plain(const char *s, size_t n, const dg_x12_delims *d, uint32_t *at,
                               size_t max, size_t *n_at)
{
    const unsigned char elem = (unsigned char)d->elem, comp = (unsigned char)d->comp,
                        rep = (unsigned char)d->rep;
    unsigned bits = DG_X12_SCAN_DONE;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (comp && c == comp)
            bits |= DG_X12_SCAN_COMP;
        if (rep && c == rep)
            bits |= DG_X12_SCAN_REP;
        if (c == elem) {
            if (k < max)
                at[k++] = (uint32_t)i;
            else
                bits |= DG_X12_SCAN_MANY;
        } else if (c < 0x20 || c >= 0x7f) {
            bits |= DG_X12_SCAN_ODD;
        }
    }
    *n_at = k;
    return bits;
}

void dg_x12_classify_plain(const char *s, const dg_x12_delims *d, dg_x12_block *out)
{
    const unsigned char elem = (unsigned char)d->elem, comp = (unsigned char)d->comp,
                        rep = (unsigned char)d->rep, seg = (unsigned char)d->seg;
    uint64_t t = 0, e = 0, o = 0;
    for (unsigned i = 0; i < 64; i++) {
        unsigned char c = (unsigned char)s[i];
        uint64_t bit = 1ULL << i;
        if (c == seg)
            t |= bit;
        if (c == elem)
            e |= bit;
        if (c == comp || c == rep || (c != elem && (c < 0x20 || c >= 0x7f)))
            o |= bit;
    }
    out->term = t;
    out->elem = e;
    out->other = o;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

bool dg_x12_have_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

bool dg_x12_have_bmi(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
           __builtin_cpu_supports("popcnt");
}

/* The 32-bit masks of 32 bytes (see dg_x12_classify16). */
__attribute__((target("avx2"))) static inline void classify32(const char *s, __m256i vt, __m256i ve,
                                                              __m256i vc, __m256i vr, uint64_t *t,
                                                              uint64_t *e, uint64_t *o)
{
    const __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)s);
    const __m256i is_e = _mm256_cmpeq_epi8(x, ve);
    /* outside 0x20..0x7e: x + 1 (wrapping) below 0x21 as a signed byte */
    const __m256i odd =
        _mm256_cmpgt_epi8(_mm256_set1_epi8(0x21), _mm256_add_epi8(x, _mm256_set1_epi8(1)));
    const __m256i cr = _mm256_or_si256(_mm256_cmpeq_epi8(x, vc), _mm256_cmpeq_epi8(x, vr));
    *t = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, vt));
    *e = (uint32_t)_mm256_movemask_epi8(is_e);
    *o = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_andnot_si256(is_e, odd), cr));
}

__attribute__((target("avx2"))) void dg_x12_classify_avx2(const char *s, size_t n_blocks,
                                                          dg_x12_delims d, dg_x12_block *out)
{
    const __m256i vt = _mm256_set1_epi8(d.seg), ve = _mm256_set1_epi8(d.elem);
    const __m256i vc = _mm256_set1_epi8(d.comp), vr = _mm256_set1_epi8(d.rep);
    for (size_t b = 0; b < n_blocks; b++, s += 64) {
        uint64_t t0, t1, e0, e1, o0, o1;
        classify32(s, vt, ve, vc, vr, &t0, &e0, &o0);
        classify32(s + 32, vt, ve, vc, vr, &t1, &e1, &o1);
        out[b].term = t0 | t1 << 32;
        out[b].elem = e0 | e1 << 32;
        out[b].other = o0 | o1 << 32;
    }
}
#else
bool dg_x12_have_avx2(void)
{
    return false;
}

bool dg_x12_have_bmi(void)
{
    return false;
}

void dg_x12_classify_avx2(const char *s, size_t n_blocks, dg_x12_delims d, dg_x12_block *out)
{
    dg_x12_classify(s, n_blocks, d, out);
}
#endif
