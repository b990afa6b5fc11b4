/* Poll statistics (migration 12): counters, last success/error, and the cumulative duration
 * histogram (a poll counts in every bucket at or above its duration, so buckets never decrease). */
#include "pgtest.h"
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"

static dg_store *open_mem(void)
{
    dg_store *s = NULL;
    dg_error err = {0};
    assert_int_equal(dg_store_open(dg_test_store_location(":memory:"), &s, &err), 0);
    return s;
}

static json_int_t geti(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* The count of partner's bucket le_ms (0 when never recorded). */
static json_int_t bucket(json_t *hist, const char *partner, long le_ms)
{
    size_t i;
    json_t *h;
    json_array_foreach(hist, i, h)
    {
        if (!strcmp(json_string_value(json_object_get(h, "partner")), partner) &&
            geti(h, "le_ms") == le_ms)
            return geti(h, "count");
    }
    return 0;
}

static void polls_counted_with_histogram(void **state)
{
    (void)state;
    dg_store *s = open_mem();
    dg_error err = {0};
    assert_int_equal(dg_store_poll_record(s, "acme", 1000, 80, NULL, &err), 0);
    assert_int_equal(dg_store_poll_record(s, "acme", 2000, 1200, NULL, &err), 0);
    assert_int_equal(dg_store_poll_record(s, "acme", 3000, 400000, "connection refused", &err), 0);
    assert_int_equal(dg_store_poll_record(s, "beta", 4000, 3000, NULL, &err), 0);
    json_t *stats = NULL, *hist = NULL;
    assert_int_equal(dg_store_poll_stats(s, &stats, &err), 0);
    assert_int_equal(dg_store_poll_histogram(s, &hist, &err), 0);
    assert_int_equal(json_array_size(stats), 2);
    json_t *a = json_array_get(stats, 0);
    assert_string_equal(json_string_value(json_object_get(a, "partner")), "acme");
    assert_int_equal(geti(a, "polls"), 3);
    assert_int_equal(geti(a, "failures"), 1);
    assert_int_equal(geti(a, "sum_ms"), 80 + 1200 + 400000);
    assert_int_equal(geti(a, "last_at"), 3000);
    assert_int_equal(geti(a, "last_ok_at"), 2001); /* started 2000, took 1.2 s */
    assert_int_equal(geti(a, "last_error_at"), 3000);
    assert_string_equal(json_string_value(json_object_get(a, "last_error")), "connection refused");
    /* 80 ms is in every bucket, 1.2 s from 2.5 s up, 400 s in none (only +Inf = polls). */
    assert_int_equal(bucket(hist, "acme", 100), 1);
    assert_int_equal(bucket(hist, "acme", 1000), 1);
    assert_int_equal(bucket(hist, "acme", 2500), 2);
    assert_int_equal(bucket(hist, "acme", 300000), 2);
    assert_int_equal(bucket(hist, "beta", 2500), 0);
    assert_int_equal(bucket(hist, "beta", 5000), 1);
    json_int_t prev = 0;
    for (size_t k = 0; k < dg_store_n_poll_buckets; k++) {
        json_int_t n = bucket(hist, "acme", dg_store_poll_buckets_ms[k]);
        assert_true(n >= prev);
        prev = n;
        if (k)
            assert_true(dg_store_poll_buckets_ms[k] > dg_store_poll_buckets_ms[k - 1]);
    }
    /* A later success keeps the last error but moves the last success. */
    assert_int_equal(dg_store_poll_record(s, "acme", 5000, 10, NULL, &err), 0);
    json_decref(stats);
    assert_int_equal(dg_store_poll_stats(s, &stats, &err), 0);
    a = json_array_get(stats, 0);
    assert_int_equal(geti(a, "last_ok_at"), 5000);
    assert_int_equal(geti(a, "last_error_at"), 3000);
    json_decref(stats);
    json_decref(hist);
    dg_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(polls_counted_with_histogram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
