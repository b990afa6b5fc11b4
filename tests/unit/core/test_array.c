/* dg_array_slot: room for one more zeroed element, contents kept, NULL on overflow. */
#include "testutil.h"

#include <stdint.h>
#include <stdlib.h>

#include "core/array.h"

typedef struct rec {
    long id;
    char name[12];
} rec;

static void test_grows_keeps_and_zeroes(void **state)
{
    (void)state;
    rec *v = NULL;
    size_t n = 0, cap = 0;
    for (long i = 0; i < 100; i++) {
        rec *g = dg_array_slot(v, sizeof *g, n, &cap, 4);
        assert_non_null(g);
        v = g;
        assert_int_equal(v[n].id, 0);
        assert_int_equal(v[n].name[0], 0);
        v[n++].id = i;
    }
    assert_true(cap >= 100);
    assert_int_equal(cap, 128); /* 4, doubled */
    for (long i = 0; i < 100; i++)
        assert_int_equal(v[i].id, i);
    free(v);
}

static void test_first_zero_means_one(void **state)
{
    (void)state;
    size_t cap = 0;
    int *v = dg_array_slot(NULL, sizeof *v, 0, &cap, 0);
    assert_non_null(v);
    assert_int_equal(cap, 1);
    free(v);
}

static void test_overflow_leaves_array(void **state)
{
    (void)state;
    size_t cap = 2;
    rec *v = calloc(2, sizeof *v);
    v[0].id = 7;
    size_t huge_cap = SIZE_MAX / 2;
    assert_null(dg_array_slot(v, sizeof *v, huge_cap, &huge_cap, 4));
    assert_int_equal(huge_cap, SIZE_MAX / 2);
    assert_int_equal(v[0].id, 7); /* untouched, still ours to free */
    assert_int_equal(cap, 2);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grows_keeps_and_zeroes),
        cmocka_unit_test(test_first_zero_means_one),
        cmocka_unit_test(test_overflow_leaves_array),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
