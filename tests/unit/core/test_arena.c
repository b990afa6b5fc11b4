/* The region allocator: zeroed, aligned allocations, growth past the first block, reset, and an
 * arena made after another was freed (dg_arena_free may keep the emptied arena for the next
 * dg_arena_new) starting empty and handing out cleared memory again. */
#include "testutil.h"

#include <stdint.h>
#include <string.h>

#include "core/arena.h"

/* Fills an arena well past its first block with non-zero bytes. */
static void scribble(dg_arena *a)
{
    for (int i = 0; i < 400; i++) {
        unsigned char *p = dg_arena_alloc(a, 100 + (size_t)i);
        assert_int_equal((uintptr_t)p % 16, 0);
        for (int k = 0; k < 100 + i; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xA5, 100 + (size_t)i);
        char *s = dg_arena_strndup(a, "abcdefghijklmnopqrstuvwxyz", (size_t)(i % 27));
        assert_int_equal(strlen(s), (size_t)(i % 27));
    }
}

static void allocations_are_zeroed_and_aligned(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new();
    scribble(a);
    assert_true(dg_arena_used(a) > 16384);
    dg_arena_reset(a);
    assert_int_equal(dg_arena_used(a), 0);
    scribble(a); /* the kept block's old bytes never show */
    dg_arena_free(a);
}

static void a_new_arena_after_a_freed_one_starts_clean(void **state)
{
    (void)state;
    for (int round = 0; round < 5; round++) {
        dg_arena *a = dg_arena_new();
        assert_int_equal(dg_arena_used(a), 0);
        scribble(a);
        dg_arena *b = dg_arena_new(); /* two at once: the second is its own */
        assert_ptr_not_equal(a, b);
        assert_int_equal(dg_arena_used(b), 0);
        scribble(b);
        char *s = dg_arena_strdup(a, "kept apart");
        dg_arena_free(b);
        assert_string_equal(s, "kept apart");
        dg_arena_free(a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(allocations_are_zeroed_and_aligned),
        cmocka_unit_test(a_new_arena_after_a_freed_one_starts_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
