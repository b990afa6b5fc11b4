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
