/* Fixed-point decimal parsing, formatting and arithmetic (scale 10^4). */
#include "core/decimal.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"

/* Largest magnitude of an ordinary value; DG_DEC_OVF itself marks an overflow. */
#define DG_DEC_LIM (DG_DEC_OVF - 1)
#define DG_DEC_ULIM ((uint64_t)DG_DEC_LIM)

/* Exponent of an X12 R-type number ("E" or "e", optional sign, digits) starting at s[i]. More
 * than 3 digits cannot give a number that both fits and is not zero, so it is refused early. */
static int parse_exponent(const char *s, size_t i, size_t len, int *exp)
{
    bool neg = false;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i == len || len - i > 3)
        return DG_EPARSE;
    int e = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return DG_EPARSE;
        e = e * 10 + (s[i] - '0');
    }
    *exp = neg ? -e : e;
    return 0;
}

/* Two passes: the first validates the mantissa and reads the exponent, the second adds each
 * digit at its place (10^4 scale shifted by the exponent). Digits above the 10^-4 place go into
 * an accumulator checked against DG_DEC_LIM before every step, the first digit below it
 * rounds, later ones are ignored; leading zeros never grow the accumulator, so any length of
 * input is safe. */
int dg_dec_parse_general(const char *s, size_t len, int implied_decimals, dg_dec *out)
{
    size_t i = 0;
    bool neg = false;
    while (i < len && s[i] == ' ')
        i++;
    while (len > i && s[len - 1] == ' ')
        len--;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    size_t mant_end = i;
    long int_digits = 0, digits = 0;
    bool dot = false;
    for (; mant_end < len; mant_end++) {
        char c = s[mant_end];
        if (c == '.' && !dot) {
            dot = true;
            continue;
        }
        if (c == 'E' || c == 'e')
            break;
        if (c < '0' || c > '9')
            return DG_EPARSE;
        digits++;
        if (!dot)
            int_digits++;
    }
    if (digits == 0)
        return DG_EPARSE;
    int exp = 0;
    bool has_exp = mant_end < len;
    if (has_exp && parse_exponent(s, mant_end + 1, len, &exp))
        return DG_EPARSE;
    /* place of the first digit, counted in ten-thousandths: "12" -> 10^5 */
    long place = int_digits - 1 + exp + 4;
    uint64_t v = 0;
    int round_digit = -1;
    for (size_t k = i; k < mant_end; k++) {
        if (s[k] == '.')
            continue;
        unsigned d = (unsigned)(s[k] - '0');
        if (place >= 0) {
            if (v > (DG_DEC_ULIM - d) / 10)
                return DG_EVALID;
            v = v * 10 + d;
        } else if (place == -1) {
            round_digit = (int)d;
        }
        place--;
    }
    for (; place >= 0; place--) { /* "12E3": trailing places the mantissa did not give */
        if (v > DG_DEC_ULIM / 10)
            return DG_EVALID;
        v *= 10;
    }
    if (round_digit >= 5) {
        if (v == DG_DEC_ULIM)
            return DG_EVALID;
        v++;
    }
    if (implied_decimals > 0 && !dot && !has_exp) {
        uint64_t div = 1;
        for (int k = 0; k < implied_decimals && k < 18; k++)
            div *= 10;
        uint64_t r = v % div;
        v = v / div + (r * 2 >= div ? 1 : 0);
    }
    out->v = neg ? -(int64_t)v : (int64_t)v;
    out->set = true;
    return 0;
}

int dg_dec_parse(const char *s, size_t len, int implied_decimals, dg_dec *out)
{
    if (dg_dec_parse_simple(s, len, implied_decimals, out))
        return 0;
    return dg_dec_parse_general(s, len, implied_decimals, out);
}

char *dg_dec_format_fixed(dg_dec d, int places, char *buf, size_t size)
{
    if (places < 0)
        places = 0;
    if (places > 4)
        places = 4;
    int64_t div = 1;
    for (int k = places; k < 4; k++)
        div *= 10;
    int64_t v = d.v < 0 ? -d.v : d.v;
    int64_t q = v / div, r = v % div;
    if (r * 2 >= div && div > 1)
        q++;
    int64_t p10 = 1;
    for (int k = 0; k < places; k++)
        p10 *= 10;
    const char *sign = (d.v < 0 && q != 0) ? "-" : "";
    if (places == 0)
        snprintf(buf, size, "%s%lld", sign, (long long)q);
    else
        snprintf(buf, size, "%s%lld.%0*lld", sign, (long long)(q / p10), places,
                 (long long)(q % p10));
    return buf;
}

char *dg_dec_format(dg_dec d, char *buf, size_t size)
{
    int64_t v = d.v < 0 ? -d.v : d.v;
    int places = 4;
    while (places > 0 && v % 10 == 0) {
        v /= 10;
        places--;
    }
    return dg_dec_format_fixed(d, places, buf, size);
}

static dg_dec saturate(bool neg)
{
    return (dg_dec){neg ? -DG_DEC_OVF : DG_DEC_OVF, true};
}

dg_dec dg_dec_from_int(int64_t units)
{
    if (units > DG_DEC_LIM / DG_DEC_SCALE || units < -(DG_DEC_LIM / DG_DEC_SCALE))
        return saturate(units < 0);
    return (dg_dec){units * DG_DEC_SCALE, true};
}

/* Result whose exact value is r; an overflowed operand makes it overflowed whatever r is (the
 * marker's sign follows r, zero counts as positive so a limit check fails safe). */
static dg_dec fit(__int128 r, bool ovf)
{
    if (ovf || r > DG_DEC_LIM || r < -(__int128)DG_DEC_LIM)
        return saturate(r < 0);
    return (dg_dec){(int64_t)r, true};
}

dg_dec dg_dec_add(dg_dec a, dg_dec b)
{
    return fit((__int128)a.v + b.v, dg_dec_overflowed(a) || dg_dec_overflowed(b));
}

dg_dec dg_dec_sub(dg_dec a, dg_dec b)
{
    return fit((__int128)a.v - b.v, dg_dec_overflowed(a) || dg_dec_overflowed(b));
}

dg_dec dg_dec_mul(dg_dec a, dg_dec b)
{
    /* |a.v * b.v| < 2^126: fits in __int128 */
    __int128 p = (__int128)a.v * b.v;
    bool neg = p < 0;
    if (neg)
        p = -p;
    __int128 q = p / DG_DEC_SCALE, r = p % DG_DEC_SCALE;
    if (r * 2 >= DG_DEC_SCALE)
        q++;
    return fit(neg ? -q : q, dg_dec_overflowed(a) || dg_dec_overflowed(b));
}

int dg_dec_cmp(dg_dec a, dg_dec b)
{
    return (a.v > b.v) - (a.v < b.v);
}
dg_dec dg_dec_abs(dg_dec a)
{
    if (a.v == INT64_MIN) /* not made here; a value read back from elsewhere */
        return saturate(false);
    return (dg_dec){a.v < 0 ? -a.v : a.v, a.set};
}
