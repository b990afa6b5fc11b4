/* Fixed-point decimal parsing, formatting and arithmetic (scale 10^4). */
#include "core/decimal.h"

#include <stdio.h>
#include <string.h>

#include "core/error.h"

int dg_dec_parse(const char *s, size_t len, int implied_decimals, dg_dec *out)
{
    size_t i = 0;
    bool neg = false;
    while (i < len && s[i] == ' ')
        i++;
    while (len > i && s[len - 1] == ' ')
        len--;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    int64_t whole = 0, frac = 0;
    int frac_digits = 0, digits = 0, round_digit = -1;
    bool dot = false;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '.' && !dot) {
            dot = true;
            continue;
        }
        if (c < '0' || c > '9')
            return DG_EPARSE;
        digits++;
        if (!dot) {
            if (whole > (INT64_MAX / DG_DEC_SCALE) / 10)
                return DG_EPARSE;
            whole = whole * 10 + (c - '0');
        } else if (frac_digits < 4) {
            frac = frac * 10 + (c - '0');
            frac_digits++;
        } else if (round_digit < 0) {
            round_digit = c - '0';
        }
    }
    if (digits == 0)
        return DG_EPARSE;
    for (int k = frac_digits; k < 4; k++)
        frac *= 10;
    int64_t v = whole * DG_DEC_SCALE + frac;
    if (round_digit >= 5)
        v += 1;
    if (implied_decimals > 0 && !dot) {
        int64_t div = 1;
        for (int k = 0; k < implied_decimals; k++)
            div *= 10;
        int64_t r = v % div;
        v = v / div + (r * 2 >= div ? 1 : 0);
    }
    out->v = neg ? -v : v;
    out->set = true;
    return 0;
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

dg_dec dg_dec_from_int(int64_t units) { return (dg_dec){units * DG_DEC_SCALE, true}; }
dg_dec dg_dec_add(dg_dec a, dg_dec b) { return (dg_dec){a.v + b.v, true}; }
dg_dec dg_dec_sub(dg_dec a, dg_dec b) { return (dg_dec){a.v - b.v, true}; }

dg_dec dg_dec_mul(dg_dec a, dg_dec b)
{
    __int128 p = (__int128)a.v * b.v;
    bool neg = p < 0;
    if (neg)
        p = -p;
    __int128 q = p / DG_DEC_SCALE, r = p % DG_DEC_SCALE;
    if (r * 2 >= DG_DEC_SCALE)
        q++;
    return (dg_dec){(int64_t)(neg ? -q : q), true};
}

int dg_dec_cmp(dg_dec a, dg_dec b) { return (a.v > b.v) - (a.v < b.v); }
dg_dec dg_dec_abs(dg_dec a) { return (dg_dec){a.v < 0 ? -a.v : a.v, a.set}; }
