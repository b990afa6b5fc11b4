/* Fixed-point decimals for money and quantities: int64 in ten-thousandths (4 decimal places).
 * Exact sums and comparisons for reconciliation, no binary floating point anywhere near money. */
#ifndef DG_CORE_DECIMAL_H
#define DG_CORE_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DG_DEC_SCALE 10000

typedef struct dg_dec {
    int64_t v;  /* value * 10^4 */
    bool set;   /* false: the field is absent (distinct from zero) */
} dg_dec;

/* Parses "12", "-3.5", "0.0001", "+7."; more than 4 decimals are rounded half away from zero.
 * implied_decimals > 0 treats "1234" as 12.34 (X12 N2 type). Returns 0 or DG_EPARSE. */
int dg_dec_parse(const char *s, size_t len, int implied_decimals, dg_dec *out);
/* Shortest exact text ("12.5", "3", "-0.0001") into buf; returns buf. */
char *dg_dec_format(dg_dec d, char *buf, size_t size);
/* Fixed number of decimals (0..4), rounding half away from zero: ("12.50" for places=2). */
char *dg_dec_format_fixed(dg_dec d, int places, char *buf, size_t size);

dg_dec dg_dec_from_int(int64_t units);
dg_dec dg_dec_add(dg_dec a, dg_dec b);
dg_dec dg_dec_sub(dg_dec a, dg_dec b);
/* Product rounded to 4 decimals, half away from zero (price * quantity). */
dg_dec dg_dec_mul(dg_dec a, dg_dec b);
int dg_dec_cmp(dg_dec a, dg_dec b);
dg_dec dg_dec_abs(dg_dec a);

#endif
