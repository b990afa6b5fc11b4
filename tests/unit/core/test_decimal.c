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
    assert_int_equal(P("1234", 2).v, 123400);   /* 12.34 */
    assert_int_equal(P("12.5", 2).v, 125000);   /* explicit dot wins */
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
    assert_int_equal(dg_dec_parse("99999999999999999999", 20, 0, &d), DG_EPARSE);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_plain_and_signed),
        cmocka_unit_test(rounds_extra_decimals_half_away),
        cmocka_unit_test(implied_decimals_only_without_dot),
        cmocka_unit_test(rejects_garbage),
        cmocka_unit_test(formats_shortest_and_fixed),
        cmocka_unit_test(arithmetic_is_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
