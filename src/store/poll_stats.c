/* Poll statistics per partner: counters, the last poll and its error, and a cumulative duration
 * histogram, kept as a few rows per partner (no row per poll) for /metrics and the console. */
#include <jansson.h>

#include "store/store_internal.h"

/* Prometheus-style bounds: a local poll takes milliseconds, a slow SFTP partner minutes. */
const long dg_store_poll_buckets_ms[] = {100,  250,   500,   1000,  2500,
                                         5000, 10000, 30000, 60000, 300000};
const size_t dg_store_n_poll_buckets = sizeof dg_store_poll_buckets_ms / sizeof(long);

static const char stats_sql[] =
    "INSERT INTO poll_stats(partner, polls, failures, sum_ms, last_at, last_ms, last_ok_at,"
    " last_error, last_error_at) VALUES (?1, 1, CASE WHEN ?4 IS NULL THEN 0 ELSE 1 END, ?3, ?2, ?3,"
    " CASE WHEN ?4 IS NULL THEN ?2 + ?3 / 1000 END, ?4, CASE WHEN ?4 IS NOT NULL THEN ?2 END)"
    " ON CONFLICT(partner) DO UPDATE SET polls = poll_stats.polls + 1,"
    " failures = poll_stats.failures + CASE WHEN ?4 IS NULL THEN 0 ELSE 1 END,"
    " sum_ms = poll_stats.sum_ms + ?3, last_at = ?2, last_ms = ?3,"
    " last_ok_at = CASE WHEN ?4 IS NULL THEN ?2 + ?3 / 1000 ELSE poll_stats.last_ok_at END,"
    " last_error = coalesce(?4, poll_stats.last_error),"
    " last_error_at = CASE WHEN ?4 IS NOT NULL THEN ?2 ELSE poll_stats.last_error_at END";

static const char bucket_sql[] =
    "INSERT INTO poll_buckets(partner, le_ms, count) VALUES (?1, ?2, 1)"
    " ON CONFLICT(partner, le_ms) DO UPDATE SET count = poll_buckets.count + 1";

int dg_store_poll_record(dg_store *s, const char *partner, int64_t started_at, long ms,
                         const char *error, dg_error *err)
{
    if (ms < 0)
        ms = 0;
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    dg_stmt *st;
    if (!(rc = dg_store_prepare(s, stats_sql, &st, err))) {
        dg_stmt_bind_text(st, 1, partner);
        dg_stmt_bind_int64(st, 2, started_at);
        dg_stmt_bind_int64(st, 3, ms);
        dg_stmt_bind_text(st, 4, error);
        rc = st_step_done(s, st, err, "recording a poll");
    }
    for (size_t i = 0; !rc && i < dg_store_n_poll_buckets; i++) {
        if (dg_store_poll_buckets_ms[i] < ms)
            continue; /* cumulative: only the buckets at or above this duration */
        if (!(rc = dg_store_prepare(s, bucket_sql, &st, err))) {
            dg_stmt_bind_text(st, 1, partner);
            dg_stmt_bind_int64(st, 2, dg_store_poll_buckets_ms[i]);
            rc = st_step_done(s, st, err, "recording a poll");
        }
    }
    if (rc) {
        dg_store_rollback(s);
        return rc;
    }
    return dg_store_commit(s, err);
}

int dg_store_poll_stats(dg_store *s, json_t **out, dg_error *err)
{
    return st_rows_json(s,
                        "SELECT partner, polls, failures, sum_ms, last_at, last_ms, last_ok_at,"
                        " last_error, last_error_at FROM poll_stats ORDER BY partner",
                        NULL, 0, out, err);
}

int dg_store_poll_histogram(dg_store *s, json_t **out, dg_error *err)
{
    return st_rows_json(s, "SELECT partner, le_ms, count FROM poll_buckets ORDER BY partner, le_ms",
                        NULL, 0, out, err);
}
