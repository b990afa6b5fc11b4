/* Leases of several gateway instances on one store (issue 13): claimed with one conditional
 * upsert, read on the database's clock, and checked inside each commit (fencing).
 *
 * Why an upsert and not SELECT ... FOR UPDATE SKIP LOCKED: a row lock lasts only as long as
 * the transaction that took it, and an instance works a partner over many transactions (one per
 * file). The lease is therefore a row with an expiry, and taking it is one statement that
 * either wins (no row, a lease that ran out, or our own) or returns nothing - one winner, no
 * waiting, like SKIP LOCKED, and the same SQL runs on SQLite. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

/* "Now" in milliseconds on the database's clock. PostgreSQL: clock_timestamp(), the server's
 * wall clock at this statement (now() would be the transaction's start, stale at a commit).
 * SQLite: the one machine's clock ('now' is fixed for the whole statement). */
#define NOW_PG "CAST(floor(extract(epoch from clock_timestamp()) * 1000) AS BIGINT)"
#define NOW_SQLITE "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"

/* ?1 name, ?2 holder, ?3 ttl. excluded.since is "now" for the whole statement. A claim of a
 * lease that ran out (expires_at > 0: not released) from another holder is a takeover. */
#define CLAIM_SQL(NOW)                                                                             \
    "INSERT INTO leases(name, holder, expires_at, since, previous, takeovers)"                     \
    " VALUES (?1, ?2, " NOW " + ?3, " NOW ", NULL, 0)"                                             \
    " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"                                  \
    " expires_at = excluded.expires_at,"                                                           \
    " since = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > 0"                 \
    "  THEN leases.since ELSE excluded.since END,"                                                 \
    " previous = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > 0"              \
    "  THEN leases.previous WHEN leases.holder <> excluded.holder AND leases.expires_at > 0"       \
    "  THEN leases.holder ELSE NULL END,"                                                          \
    " takeovers = leases.takeovers + CASE WHEN leases.holder <> excluded.holder"                   \
    "  AND leases.expires_at > 0 THEN 1 ELSE 0 END"                                                \
    " WHERE leases.expires_at <= excluded.since OR leases.holder = excluded.holder"                \
    " RETURNING holder, previous"
#define HELD_SQL(NOW) "SELECT holder, expires_at - " NOW " FROM leases WHERE name = ?1"
/* The fence: renews our lease; touches no row once another instance took it or it was
 * released (expires_at 0). */
#define FENCE_SQL(NOW)                                                                             \
    "UPDATE leases SET expires_at = " NOW " + ?3"                                                  \
    " WHERE name = ?1 AND holder = ?2 AND expires_at > 0"
/* A released lease (expires_at 0) has no expiry: expires_in_ms is NULL (left out of the JSON)
 * and released is 1, where "now - 0" would show a run-out of some 56 years. */
#define LIST_SQL(NOW)                                                                              \
    "SELECT name, holder,"                                                                         \
    " CASE WHEN expires_at > 0 THEN expires_at - " NOW " END AS expires_in_ms,"                    \
    " CASE WHEN expires_at > " NOW " THEN 1 ELSE 0 END AS held,"                                   \
    " CASE WHEN expires_at = 0 THEN 1 ELSE 0 END AS released,"                                     \
    " " NOW " - since AS held_for_ms, previous, takeovers FROM leases ORDER BY name"

/* Live instances: their "instance:<id>" leases that run now. Instances that ended long ago
 * (killed: ran out an hour since; stopped: released) are forgotten first. */
#define LIVE_SQL(NOW)                                                                              \
    "SELECT count(*) FROM leases WHERE name LIKE 'instance:%' AND expires_at > " NOW
#define FORGET_SQL(NOW)                                                                            \
    "DELETE FROM leases WHERE name LIKE 'instance:%' AND expires_at < " NOW " - 3600000"

static const char live_pg[] = LIVE_SQL(NOW_PG), live_sqlite[] = LIVE_SQL(NOW_SQLITE);
static const char forget_pg[] = FORGET_SQL(NOW_PG), forget_sqlite[] = FORGET_SQL(NOW_SQLITE);
static const char claim_pg[] = CLAIM_SQL(NOW_PG), claim_sqlite[] = CLAIM_SQL(NOW_SQLITE);
static const char held_pg[] = HELD_SQL(NOW_PG), held_sqlite[] = HELD_SQL(NOW_SQLITE);
static const char fence_pg[] = FENCE_SQL(NOW_PG), fence_sqlite[] = FENCE_SQL(NOW_SQLITE);
static const char list_pg[] = LIST_SQL(NOW_PG), list_sqlite[] = LIST_SQL(NOW_SQLITE);

static bool pg(dg_store *s)
{
    return dg_db_kind(s->db) == DG_DB_POSTGRES;
}

/* Who holds name now and for how long still (after a claim that was not won). */
static int held_by(dg_store *s, const char *name, dg_lease_claim *out, dg_error *err)
{
    dg_stmt *st;
    int rc = dg_store_prepare(s, pg(s) ? held_pg : held_sqlite, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, name);
    int step = dg_stmt_step(st);
    if (step == DG_DB_ROW) {
        st_col_copy(st, 0, out->holder, sizeof out->holder);
        out->expires_in_ms = dg_stmt_int64(st, 1);
    }
    dg_stmt_reset(st);
    return step == DG_DB_ERR ? dg_store_fail(s, err, "reading a lease") : 0;
}

int dg_store_lease_claim(dg_store *s, const char *name, const char *holder, int64_t ttl_ms,
                         dg_lease_claim *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    dg_stmt *st;
    int rc = dg_store_prepare(s, pg(s) ? claim_pg : claim_sqlite, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, name);
    dg_stmt_bind_text(st, 2, holder);
    dg_stmt_bind_int64(st, 3, ttl_ms);
    int step = dg_stmt_step(st);
    if (step == DG_DB_ROW) {
        out->won = true;
        st_col_copy(st, 0, out->holder, sizeof out->holder);
        st_col_copy(st, 1, out->previous, sizeof out->previous);
    }
    dg_stmt_reset(st);
    if (step == DG_DB_ERR) {
        /* Two first claims of a new name at once: the loser's insert may meet the winner's
         * row as a unique violation on PostgreSQL; it lost. */
        if (dg_db_errclass_last(s->db) != DG_DBE_CONSTRAINT)
            return dg_store_fail(s, err, "claiming a lease");
    }
    return out->won ? 0 : held_by(s, name, out, err);
}

int dg_store_lease_release(dg_store *s, const char *name, const char *holder, dg_error *err)
{
    static const char one[] =
        "UPDATE leases SET expires_at = 0 WHERE name = ?1 AND holder = ?2 AND expires_at > 0";
    static const char all[] =
        "UPDATE leases SET expires_at = 0 WHERE holder = ?1 AND expires_at > 0";
    dg_stmt *st;
    int rc = dg_store_prepare(s, name ? one : all, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, name ? name : holder);
    if (name)
        dg_stmt_bind_text(st, 2, holder);
    int step = dg_stmt_step(st);
    dg_stmt_reset(st);
    return step == DG_DB_ERR ? dg_store_fail(s, err, "releasing a lease") : 0;
}

void dg_store_fence(dg_store *s, const char *name, const char *holder, int64_t ttl_ms)
{
    free(s->fence_name);
    free(s->fence_holder);
    s->fence_name = name ? strdup(name) : NULL;
    s->fence_holder = name && holder ? strdup(holder) : NULL;
    s->fence_ttl_ms = ttl_ms;
    if (name && (!s->fence_name || !s->fence_holder))
        abort(); /* as the arena: out of memory here cannot be recovered */
}

int st_lease_fence_check(dg_store *s, dg_error *err)
{
    dg_stmt *st;
    int rc = dg_store_prepare(s, pg(s) ? fence_pg : fence_sqlite, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, s->fence_name);
    dg_stmt_bind_text(st, 2, s->fence_holder);
    dg_stmt_bind_int64(st, 3, s->fence_ttl_ms);
    int step = dg_stmt_step(st);
    dg_stmt_reset(st);
    if (step == DG_DB_ERR)
        return dg_store_fail(s, err, "renewing a lease at commit");
    if (dg_db_changes(s->db) == 1)
        return 0;
    dg_lease_claim now = {0};
    dg_error ignored = {0};
    held_by(s, s->fence_name, &now, &ignored);
    return dg_error_set(err, DG_ELOCKED,
                        "lease %s: no longer held by this instance (%s; now held by %s): its "
                        "lease ran out, nothing committed",
                        s->fence_name, s->fence_holder, now.holder[0] ? now.holder : "nobody");
}

int dg_store_leases_json(dg_store *s, struct json_t **out, dg_error *err)
{
    return st_rows_json(s, pg(s) ? list_pg : list_sqlite, NULL, 0, out, err);
}

int dg_store_lease_live_instances(dg_store *s, long *n, dg_error *err)
{
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, pg(s) ? forget_pg : forget_sqlite, &st, err);
    if (rc)
        return rc;
    int step = dg_stmt_step(st);
    dg_stmt_reset(st);
    if (step == DG_DB_ERR)
        return dg_store_fail(s, err, "forgetting ended instances");
    if ((rc = dg_store_prepare(s, pg(s) ? live_pg : live_sqlite, &st, err)))
        return rc;
    step = dg_stmt_step(st);
    if (step == DG_DB_ROW)
        *n = (long)dg_stmt_int64(st, 0);
    dg_stmt_reset(st);
    return step == DG_DB_ERR ? dg_store_fail(s, err, "counting live instances") : 0;
}

int dg_store_tx_lock(dg_store *s, const char *name, dg_error *err)
{
    if (dg_store_depth(s) == 0)
        return dg_error_set(err, DG_EINVAL, "%s: a transaction lock outside a transaction",
                            s->path);
    if (!pg(s))
        return 0; /* SQLite: BEGIN IMMEDIATE has serialized the writers already */
    /* PostgreSQL: a transaction-scoped advisory lock on a key made from the name (FNV-1a):
     * a second instance's same call waits until this transaction ends, and its later
     * statements see what it committed. */
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    dg_stmt *st;
    int rc = dg_store_prepare(s, "SELECT pg_advisory_xact_lock(?1)", &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, (int64_t)(h >> 1));
    int step = dg_stmt_step(st);
    dg_stmt_reset(st);
    return step == DG_DB_ERR ? dg_store_fail(s, err, "taking a transaction lock") : 0;
}
