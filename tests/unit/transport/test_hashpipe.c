/* The fetch hash (hashpipe.c): hashed inline for small streams and on a second thread past a
 * few MiB, it must give the SHA-256 of the whole stream, in order, whatever the chunk sizes. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "transport/transport_internal.h"

static unsigned char *random_bytes(size_t n, unsigned seed)
{
    unsigned char *b = malloc(n ? n : 1);
    assert_non_null(b);
    unsigned x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (unsigned char)x;
    }
    return b;
}

/* Feeds n bytes in chunks chosen by seed (1 byte to 3 MiB, some exactly 1 MiB) and compares
 * with the one-shot hash; says whether the thread was used. */
static bool hashes_like_one_shot(size_t n, unsigned seed)
{
    unsigned char *b = random_bytes(n, seed);
    char want[DG_SHA256_HEX_LEN], got[DG_SHA256_HEX_LEN];
    dg_sha256_hex(b, n, want);
    tr_hasher *h = tr_hasher_begin();
    srand(seed);
    for (size_t off = 0; off < n;) {
        size_t k;
        switch (rand() % 4) {
        case 0: k = (size_t)(rand() % 64) + 1; break;
        case 1: k = 1u << 20; break;
        case 2: k = (size_t)(rand() % (3 << 20)) + 1; break;
        default: k = (size_t)(rand() % 70000) + 1; break;
        }
        if (k > n - off)
            k = n - off;
        tr_hasher_update(h, b + off, k);
        off += k;
    }
    bool threaded = tr_hasher_threaded(h);
    tr_hasher_end(h, got);
    assert_string_equal(got, want);
    free(b);
    return threaded;
}

static void test_small_streams_inline(void **state)
{
    (void)state;
    size_t sizes[] = {0, 1, 63, 4096, 100000, 4u << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        assert_false(hashes_like_one_shot(sizes[i], (unsigned)i + 1));
}

static void test_large_streams_on_the_thread_in_order(void **state)
{
    (void)state;
    size_t sizes[] = {(4u << 20) + 1, 5u << 20, (13u << 20) + 7, 40u << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (unsigned seed = 1; seed <= 3; seed++)
            assert_true(hashes_like_one_shot(sizes[i], seed * 100 + (unsigned)i));
}

/* A fetch that is retried drops the hasher of the failed attempt half way, thread running. */
static void test_ended_half_way(void **state)
{
    (void)state;
    unsigned char *b = random_bytes(9u << 20, 7);
    tr_hasher *h = tr_hasher_begin();
    tr_hasher_update(h, b, 9u << 20);
    assert_true(tr_hasher_threaded(h));
    tr_hasher_end(h, NULL);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_streams_inline),
        cmocka_unit_test(test_large_streams_on_the_thread_in_order),
        cmocka_unit_test(test_ended_half_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
