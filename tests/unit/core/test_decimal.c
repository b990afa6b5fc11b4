/* Fixed-point decimals: parsing partner numbers, formatting, exact arithmetic. */
#include "testutil.h"

#include <string.h>

#include "core/decimal.h"
#include "core/error.h"

static dg_dec P(const char *s, int implied)
{
    dg_dec d = {0};
    assert_int_equal(dg_dec_parse(s, strlen(s), implied, &d), 0);
    return d;
}

static void parses_plain_and_signed(void **state)
{
    (void)state;
    assert_int_equal(P("12", 0).v, 120000);
    assert_int_equal(P("-3.5", 0).v, -35000);
    assert_int_equal(P("+0.0001", 0).v, 1);
    assert_int_equal(P(" 7. ", 0).v, 70000);
    assert_int_equal(P(".25", 0).v, 2500);
    assert_true(P("0", 0).set);
}

static void rounds_extra_decimals_half_away(void **state)
{
    (void)state;
    assert_int_equal(P("1.00005", 0).v, 10001);
    assert_int_equal(P("1.00004", 0).v, 10000);
    assert_int_equal(P("-1.00005", 0).v, -10001);
}

static void implied_decimals_only_without_dot(void **state)
{
    (void)state;
    assert_int_equal(P("1234", 2).v, 123400); /* 12.34 */
    assert_int_equal(P("12.5", 2).v, 125000); /* explicit dot wins */
    assert_int_equal(P("-500", 2).v, -50000);
}

static void rejects_garbage(void **state)
{
    (void)state;
    dg_dec d = {0};
    assert_int_equal(dg_dec_parse("", 0, 0, &d), DG_EPARSE);
    assert_int_equal(dg_dec_parse("1.2.3", 5, 0, &d), DG_EPARSE);
    assert_int_equal(dg_dec_parse("12a", 3, 0, &d), DG_EPARSE);
    assert_int_equal(dg_dec_parse("-", 1, 0, &d), DG_EPARSE);
    assert_int_equal(dg_dec_parse("99999999999999999999", 20, 0, &d), DG_EVALID); /* too big */
    assert_false(d.set);
}

static void formats_shortest_and_fixed(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(dg_dec_format(P("12.50", 0), b, sizeof b), "12.5");
    assert_string_equal(dg_dec_format(P("3", 0), b, sizeof b), "3");
    assert_string_equal(dg_dec_format(P("-0.0001", 0), b, sizeof b), "-0.0001");
    assert_string_equal(dg_dec_format_fixed(P("12.5", 0), 2, b, sizeof b), "12.50");
    assert_string_equal(dg_dec_format_fixed(P("2.345", 0), 2, b, sizeof b), "2.35");
    assert_string_equal(dg_dec_format_fixed(P("-2.345", 0), 2, b, sizeof b), "-2.35");
    assert_string_equal(dg_dec_format_fixed(P("9.99", 0), 0, b, sizeof b), "10");
}

static void arithmetic_is_exact(void **state)
{
    (void)state;
    dg_dec sum = dg_dec_from_int(0);
    for (int i = 0; i < 10; i++)
        sum = dg_dec_add(sum, P("0.1", 0));
    assert_int_equal(dg_dec_cmp(sum, dg_dec_from_int(1)), 0);
    assert_int_equal(dg_dec_mul(P("19.99", 0), P("3", 0)).v, 599700);
    assert_int_equal(dg_dec_mul(P("0.3333", 0), P("0.5", 0)).v, 1667); /* 0.16665 rounds up */
    assert_int_equal(dg_dec_cmp(P("1", 0), P("2", 0)), -1);
    assert_int_equal(dg_dec_abs(P("-4", 0)).v, 40000);
}

/* Audit H3: the parser's bound was one digit too loose (UB in whole * 10^4). */
static void parse_refuses_out_of_range_without_ub(void **state)
{
    (void)state;
    dg_dec d = {0};
    assert_int_equal(dg_dec_parse("922337203685479", 15, 0, &d), DG_EVALID);
    assert_int_equal(dg_dec_parse("922337203685477.5807", 20, 0, &d), DG_EVALID); /* marker */
    assert_int_equal(dg_dec_parse("-922337203685478", 16, 0, &d), DG_EVALID);
    assert_false(d.set);
    assert_int_equal(P("922337203685477.5806", 0).v, INT64_MAX - 1);
    assert_int_equal(P("-922337203685477.5806", 0).v, -(INT64_MAX - 1));
    assert_false(dg_dec_overflowed(P("922337203685477.5806", 0)));
    char big[4096];
    memset(big, '9', sizeof big);
    assert_int_equal(dg_dec_parse(big, sizeof big, 0, &d), DG_EVALID);
    memset(big, '0', sizeof big); /* long but small: leading zeros, many decimals */
    big[sizeof big - 1] = '7';
    assert_int_equal(dg_dec_parse(big, sizeof big, 0, &d), 0);
    assert_int_equal(d.v, 70000);
    big[1] = '.';
    assert_int_equal(dg_dec_parse(big, sizeof big, 0, &d), 0);
    assert_int_equal(d.v, 0);
}

/* Audit H3/H4: X12 005010 R-type exponents, which the validator accepts. */
static void parses_x12_exponents(void **state)
{
    (void)state;
    assert_int_equal(P("1.2E2", 0).v, 1200000);
    assert_int_equal(P("1.2e2", 0).v, 1200000);
    assert_int_equal(P("-5E-3", 0).v, -50);
    assert_int_equal(P("12E+3", 0).v, 120000000);
    assert_int_equal(P("1.5E-4", 0).v, 2); /* 0.00015 rounds half away */
    assert_int_equal(P("123E-6", 0).v, 1);
    assert_int_equal(P("0E999", 0).v, 0);
    assert_int_equal(P("12E2", 2).v, 12000000); /* exponent: no implied decimals */
    dg_dec d = {0};
    assert_int_equal(dg_dec_parse("1E", 2, 0, &d), DG_EPARSE);
    assert_int_equal(dg_dec_parse("E2", 2, 0, &d), DG_EPARSE);
    assert_int_equal(dg_dec_parse("1E2.5", 5, 0, &d), DG_EPARSE);
    assert_int_equal(dg_dec_parse("1E1000", 6, 0, &d), DG_EPARSE);
    assert_int_equal(dg_dec_parse("1E15", 4, 0, &d), DG_EVALID);
}

/* Audit H3: 1,000,000 x 1,000,000,000 wrapped negative and passed an approval limit. */
static void arithmetic_overflow_saturates_and_sticks(void **state)
{
    (void)state;
    dg_dec p = dg_dec_mul(P("1000000", 0), P("1000000000", 0));
    assert_true(dg_dec_overflowed(p));
    assert_true(dg_dec_cmp(p, P("5000", 0)) > 0);
    dg_dec n = dg_dec_mul(P("-1000000", 0), P("1000000000", 0));
    assert_true(dg_dec_overflowed(n));
    assert_true(dg_dec_cmp(n, P("-5000", 0)) < 0);
    /* sticky: adding something back does not make it an ordinary number again */
    assert_true(dg_dec_overflowed(dg_dec_add(p, P("-1", 0))));
    assert_true(dg_dec_overflowed(dg_dec_sub(p, p)));
    assert_true(dg_dec_overflowed(dg_dec_mul(p, P("0", 0))));
    assert_true(dg_dec_overflowed(dg_dec_abs(n)));
    dg_dec max = P("922337203685477.5806", 0);
    assert_true(dg_dec_overflowed(dg_dec_add(max, P("0.0001", 0))));
    assert_true(dg_dec_overflowed(dg_dec_sub(dg_dec_sub(P("0", 0), max), P("0.0001", 0))));
    assert_false(dg_dec_overflowed(dg_dec_add(max, P("0", 0))));
    assert_true(dg_dec_overflowed(dg_dec_from_int(INT64_MAX / 100)));
    assert_int_equal(dg_dec_from_int(-3).v, -30000);
}

/* dg_dec_parse reads the usual short forms in one pass (parse_simple) and leaves the rest to
 * the general path: both give the same result and value on numbers built around the fast
 * path's limits (signs, 0-17 integer digits, 0-6 decimals, a lone dot, spaces, exponents, stray
 * characters, implied decimals). */
static void simple_like_general(void **state)
{
    (void)state;
    unsigned seed = 14;
    size_t simple = 0;
    for (int n = 0; n < 200000; n++) {
        char s[64];
        size_t k = 0;
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 8;
        if (r % 5 == 0)
            s[k++] = r % 2 ? '-' : '+';
        size_t nint = (r >> 3) % 18, nfrac = (r >> 8) % 7;
        for (size_t i = 0; i < nint; i++) {
            seed = seed * 1103515245u + 12345u;
            s[k++] = (char)('0' + (seed >> 16) % 10);
        }
        if ((r >> 11) % 4)
            s[k++] = '.';
        for (size_t i = 0; i < nfrac; i++) {
            seed = seed * 1103515245u + 12345u;
            s[k++] = (char)('0' + (seed >> 16) % 10);
        }
        if ((r >> 13) % 16 == 0) /* something the fast path leaves alone */
            s[(r >> 17) % (k + 1)] = " Ee.x-"[(r >> 20) % 6];
        if ((r >> 13) % 16 == 1)
            s[k++] = (r >> 18) % 2 ? ' ' : 'E';
        int implied = (r >> 22) % 3 == 0 ? 2 : 0;
        dg_dec a = {0}, b = {0};
        int ra = dg_dec_parse(s, k, implied, &a), rb = dg_dec_parse_general(s, k, implied, &b);
        if (ra != rb || (!ra && (a.v != b.v || a.set != b.set)))
            fail_msg("'%.*s' (implied %d): %d %lld vs general %d %lld", (int)k, s, implied, ra,
                     (long long)a.v, rb, (long long)b.v);
        simple += !ra && k < 20;
    }
    assert_true(simple > 50000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_plain_and_signed),
        cmocka_unit_test(rounds_extra_decimals_half_away),
        cmocka_unit_test(implied_decimals_only_without_dot),
        cmocka_unit_test(rejects_garbage),
        cmocka_unit_test(formats_shortest_and_fixed),
        cmocka_unit_test(arithmetic_is_exact),
        cmocka_unit_test(parse_refuses_out_of_range_without_ub),
        cmocka_unit_test(parses_x12_exponents),
        cmocka_unit_test(arithmetic_overflow_saturates_and_sticks),
        cmocka_unit_test(simple_like_general),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
