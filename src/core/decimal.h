/* Fixed-point decimals for money and quantities: int64 in ten-thousandths (4 decimal places).
 * Exact sums and comparisons for reconciliation, no binary floating point anywhere near money. */
#ifndef DG_CORE_DECIMAL_H
#define DG_CORE_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DG_DEC_SCALE 10000

/* Overflow marker: an add/sub/mul/from_int result that does not fit is saturated to
 * +-DG_DEC_OVF (a value dg_dec_parse never returns), so a comparison with any limit still says
 * "too big" where a wrapped value could say "small" and pass an approval limit. The marker is
 * sticky: every result computed from an overflowed operand is overflowed too, so one check of
 * the final amount covers the whole expression. Code that decides on, stores or sends an amount
 * must test dg_dec_overflowed(). Largest ordinary magnitude: 922,337,203,685,477.5806. */
#define DG_DEC_OVF INT64_MAX

typedef struct dg_dec {
    int64_t v; /* value * 10^4 */
    bool set;  /* false: the field is absent (distinct from zero) */
} dg_dec;

/* Parses "12", "-3.5", "0.0001", "+7.", and X12 R-type exponents "1.2E2", "-5E-3" (005010);
 * more than 4 decimals are rounded half away from zero. implied_decimals > 0 treats "1234" as
 * 12.34 (X12 N2 type; not applied when there is a dot or an exponent). Any number of digits is
 * read without undefined behaviour. Returns 0, DG_EPARSE (not a number) or DG_EVALID (a number
 * whose magnitude is beyond 922,337,203,685,477.5806). */
int dg_dec_parse(const char *s, size_t len, int implied_decimals, dg_dec *out);
/* The usual amount or quantity ("12.99", "3", "-0.5", "1086.16"): a sign, at most 14 integer
 * digits (no overflow is possible), a dot and at most 4 decimals, nothing else; read in one
 * pass. False for any other text (spaces, exponents, more digits, implied decimals without a
 * dot): the general path reads it. core_test_decimal simple_like_general compares the two. Inline
 * here: the X12 mapping's number ops call it for every quantity and price. */
static inline bool dg_dec_parse_simple(const char *s, size_t len, int implied_decimals, dg_dec *out)
{
    size_t i = 0;
    bool neg = false;
    if (len && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    uint64_t ip = 0;
    size_t start = i;
    for (; i < len && (unsigned)(s[i] - '0') < 10; i++)
        ip = ip * 10 + (unsigned)(s[i] - '0');
    size_t nint = i - start, nfrac = 0;
    if (nint > 14)
        return false;
    bool dot = i < len && s[i] == '.';
    uint64_t frac = 0;
    if (dot) {
        size_t from = ++i;
        for (; i < len && (unsigned)(s[i] - '0') < 10; i++)
            frac = frac * 10 + (unsigned)(s[i] - '0');
        nfrac = i - from;
    }
    if (i != len || nint + nfrac == 0 || nfrac > 4 || (implied_decimals > 0 && !dot))
        return false;
    static const uint64_t pad[5] = {10000, 1000, 100, 10, 1};
    uint64_t v = ip * DG_DEC_SCALE + frac * pad[nfrac];
    out->v = neg ? -(int64_t)v : (int64_t)v;
    out->set = true;
    return true;
}

/* The same by the general path alone (dg_dec_parse reads the usual short forms in one pass
 * first; tests compare the two). */
int dg_dec_parse_general(const char *s, size_t len, int implied_decimals, dg_dec *out);
/* Shortest exact text ("12.5", "3", "-0.0001") into buf; returns buf. */
char *dg_dec_format(dg_dec d, char *buf, size_t size);
/* Fixed number of decimals (0..4), rounding half away from zero: ("12.50" for places=2). */
char *dg_dec_format_fixed(dg_dec d, int places, char *buf, size_t size);

/* Arithmetic saturates to the overflow marker instead of wrapping (see DG_DEC_OVF). */
dg_dec dg_dec_from_int(int64_t units);
dg_dec dg_dec_add(dg_dec a, dg_dec b);
dg_dec dg_dec_sub(dg_dec a, dg_dec b);
/* Product rounded to 4 decimals, half away from zero (price * quantity). */
dg_dec dg_dec_mul(dg_dec a, dg_dec b);
static inline bool dg_dec_overflowed(dg_dec d)
{
    return d.v == DG_DEC_OVF || d.v == -DG_DEC_OVF;
}
int dg_dec_cmp(dg_dec a, dg_dec b);
/* |a|; keeps .set (an overflowed value stays overflowed). */
dg_dec dg_dec_abs(dg_dec a);

#endif
