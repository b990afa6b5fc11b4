/* The state store: opening the database (SQLite with WAL, or PostgreSQL, through db.h) and its
 * migrations, nested transactions (BEGIN, then savepoints), a statement cache, and the records
 * the gateway keeps itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/array.h"
#include "store/store_internal.h"

static dg_db_errclass g_last_failure; /* why the store last failed (NONE: none/unknown) */

void st_note_failure(dg_db_errclass why)
{
    g_last_failure = why;
}

bool dg_store_failure_retryable(void)
{
    /* busy, locked, full, I/O, out of memory, constraint: may pass */
    return g_last_failure != DG_DBE_FATAL;
}

void dg_store_debug_fail_commits(dg_store *s, long after)
{
    s->fail_commits_after = after;
}

int dg_store_fail(dg_store *s, dg_error *err, const char *what)
{
    if (s && s->db)
        st_note_failure(dg_db_errclass_last(s->db));
    return dg_error_set(err, DG_ESTATE, "%s: %s: %s", s && s->path ? s->path : "store", what,
                        s && s->db ? dg_db_errmsg(s->db) : "not open");
}

int64_t dg_store_now(const dg_store *s)
{
    return s && s->now ? s->now : (int64_t)time(NULL);
}

void dg_store_set_now(dg_store *s, int64_t now)
{
    s->now = now;
}

dg_db *dg_store_db(dg_store *s)
{
    return s->db;
}

int dg_store_exec(dg_store *s, const char *sql, dg_error *err)
{
    dg_error e = {0};
    if (dg_db_exec(s->db, sql, &e) == 0)
        return 0;
    st_note_failure(dg_db_errclass_last(s->db));
    return dg_error_set(err, DG_ESTATE, "%s: %s", s->path, e.msg);
}

int dg_store_prepare(dg_store *s, const char *sql, dg_stmt **stmt, dg_error *err)
{
    for (size_t i = 0; i < s->n_cache; i++)
        if (s->cache[i].key == sql) {
            dg_stmt_reset(s->cache[i].stmt);
            *stmt = s->cache[i].stmt;
            return 0;
        }
    dg_stmt *st = NULL;
    dg_error e = {0};
    if (dg_db_prepare(s->db, sql, &st, &e) != 0) {
        st_note_failure(dg_db_errclass_last(s->db));
        return dg_error_set(err, e.code == DG_ENOMEM ? DG_ENOMEM : DG_ESTATE, "%s: %s", s->path,
                            e.msg);
    }
    if (s->n_cache == s->cap_cache) {
        size_t cap = s->cap_cache ? s->cap_cache * 2 : 64;
        st_cached *c = realloc(s->cache, cap * sizeof *c);
        if (!c) {
            dg_stmt_finalize(st);
            return dg_error_set(err, DG_ENOMEM, "out of memory");
        }
        s->cache = c;
        s->cap_cache = cap;
    }
    s->cache[s->n_cache].key = sql;
    s->cache[s->n_cache++].stmt = st;
    *stmt = st;
    return 0;
}

int dg_store_schema_version(dg_store *s)
{
    /* SQLite keeps the version in the file header too (PRAGMA user_version), so a file that is
     * not a database is told apart before any table is read; PostgreSQL has only the
     * migrations table (created before this is asked, in st_migrate). */
    const char *sql = dg_db_kind(s->db) == DG_DB_SQLITE
                          ? "PRAGMA user_version"
                          : "SELECT coalesce(max(version), 0) FROM migrations";
    dg_stmt *st = NULL;
    int v = -1;
    if (dg_db_prepare(s->db, sql, &st, NULL) == 0 && dg_stmt_step(st) == DG_DB_ROW)
        v = dg_stmt_int(st, 0);
    dg_stmt_finalize(st);
    return v;
}

/* SQLite only: the connection's settings (PostgreSQL's are the server's). */
static int sqlite_settings(dg_store *s, dg_error *err)
{
    /* How long a write waits for another process's lock before SQLITE_BUSY (DG_ESTATE, which
     * the daemon retries). DG_STORE_BUSY_TIMEOUT_MS shortens it for tests. */
    const char *busy = getenv("DG_STORE_BUSY_TIMEOUT_MS");
    char sql[200];
    /* WAL: readers (dropgate status) never block the daemon. synchronous=FULL: every commit is
     * on disk before it returns. With NORMAL the last commits could roll back on an OS crash or
     * power loss, yet right after a commit the gateway deletes/moves the partner's file
     * (after_pickup) and uploads POs: the inbound file would be gone from both sides and an
     * outbound PO re-rendered with new control numbers. The cost is one WAL fsync per commit;
     * the gateway batches what it can (PO rendering, 200 per commit): bench_gateway 10,000
     * orders 26.3 s NORMAL -> 28.4 s FULL (+8 %), measured when sent marks were batched too.
     * Sent marks are one commit per upload now (a crash may re-send only the file in flight),
     * which costs an fsync per upload; never weaken this to save it. temp_store=MEMORY: the
     * statement journal of each savepoint (the flow takes one per order and per PO file) stays
     * in memory instead of a temporary file written page by page (most of the cycle's write
     * calls); it only serves a rollback to the savepoint, never crash recovery (the WAL). */
    snprintf(sql, sizeof sql,
             "PRAGMA busy_timeout=%ld; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
             " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
             busy && *busy ? strtol(busy, NULL, 10) : 10000L);
    return dg_store_exec(s, sql, err);
}

int dg_store_open_version(const char *path, int target, dg_store **out, dg_error *err)
{
    *out = NULL;
    if (!path || !*path)
        return dg_error_set(err, DG_EINVAL, "state store: no database path");
    dg_store *s = calloc(1, sizeof *s);
    if (!s) {
        free(s);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    s->fail_commits_after = -1;
    int rc = dg_db_open(path, &s->db, err);
    if (rc) {
        st_note_failure(rc == DG_ESTATE ? DG_DBE_IO : DG_DBE_FATAL);
        dg_store_close(s);
        return rc == DG_ENOMEM ? rc : rc == DG_EINVAL ? DG_EINVAL : DG_ESTATE;
    }
    /* Messages name the store by its location without a password. */
    if (!(s->path = strdup(dg_db_name(s->db)))) {
        dg_store_close(s);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    if (dg_db_kind(s->db) == DG_DB_SQLITE) {
        rc = sqlite_settings(s, err);
        if (!rc && dg_store_schema_version(s) < 0) {
            st_note_failure(DG_DBE_FATAL);
            rc = dg_error_set(err, DG_ESTATE, "%s: not a dropgate state database", path);
        }
    }
    if (!rc)
        rc = st_migrate(s, target, err);
    if (rc) {
        dg_store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

int dg_store_open(const char *path, dg_store **out, dg_error *err)
{
    int rc = dg_store_open_version(path, DG_STORE_SCHEMA_VERSION, out, err);
    /* Tests set the clock of a whole process (SLA deadlines, overdue): seconds since the epoch. */
    const char *now = getenv("DG_TEST_NOW");
    if (!rc && now && *now)
        (*out)->now = strtoll(now, NULL, 10);
    return rc;
}

void dg_store_close(dg_store *s)
{
    if (!s)
        return;
    while (s->db && s->depth > 0)
        dg_store_rollback(s);
    for (size_t i = 0; i < s->n_cache; i++)
        dg_stmt_finalize(s->cache[i].stmt);
    free(s->cache);
    dg_store_fence(s, NULL, NULL, 0);
    dg_db_close(s->db);
    free(s->path);
    free(s);
}

/* ---- transactions ------------------------------------------------------------------------ */

int dg_store_depth(const dg_store *s)
{
    return s->depth;
}

/* Transaction statements are prepared once per store and stepped (on SQLite: parsing BEGIN,
 * SAVEPOINT and COMMIT text on every call cost as much as a small insert); savepoints nested
 * deeper than the table, and every statement on PostgreSQL, run as text. The table entries are
 * the statement cache's keys (stable pointers). */
#define SP_PREPARED 8
static const char *const savepoint_sql[SP_PREPARED + 1] = {NULL,
                                                           "SAVEPOINT sp1",
                                                           "SAVEPOINT sp2",
                                                           "SAVEPOINT sp3",
                                                           "SAVEPOINT sp4",
                                                           "SAVEPOINT sp5",
                                                           "SAVEPOINT sp6",
                                                           "SAVEPOINT sp7",
                                                           "SAVEPOINT sp8"};
static const char *const release_sql[SP_PREPARED + 1] = {
    NULL,          "RELEASE sp1", "RELEASE sp2", "RELEASE sp3", "RELEASE sp4",
    "RELEASE sp5", "RELEASE sp6", "RELEASE sp7", "RELEASE sp8"};
static const char *const rollback_to_sql[SP_PREPARED + 1] = {NULL,
                                                             "ROLLBACK TO sp1",
                                                             "ROLLBACK TO sp2",
                                                             "ROLLBACK TO sp3",
                                                             "ROLLBACK TO sp4",
                                                             "ROLLBACK TO sp5",
                                                             "ROLLBACK TO sp6",
                                                             "ROLLBACK TO sp7",
                                                             "ROLLBACK TO sp8"};
static const char begin_immediate_sql[] = "BEGIN IMMEDIATE";
static const char commit_sql[] = "COMMIT";
static const char rollback_sql[] = "ROLLBACK";

/* Runs one transaction statement: sql from the tables above (prepared on SQLite), or, when sql
 * is NULL, the text fmt with savepoint number n. */
static int tx_run(dg_store *s, const char *sql, const char *fmt, int n, dg_error *err)
{
    if (!sql || dg_db_kind(s->db) != DG_DB_SQLITE) {
        char text[64];
        snprintf(text, sizeof text, fmt, n);
        return dg_store_exec(s, text, err);
    }
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    rc = dg_stmt_step(st) == DG_DB_ERR ? DG_ESTATE : 0;
    if (rc) {
        st_note_failure(dg_db_errclass_last(s->db));
        dg_error_set(err, DG_ESTATE, "%s: %s", s->path, dg_db_errmsg(s->db));
    }
    dg_stmt_reset(st);
    return rc;
}

static const char *sp_sql(const char *const *table, int n)
{
    return n >= 1 && n <= SP_PREPARED ? table[n] : NULL;
}

int dg_store_begin(dg_store *s, dg_error *err)
{
    int rc;
    /* SQLite: IMMEDIATE takes the write lock now, so a transaction never fails half-way on a
     * lock another writer took after it read. PostgreSQL locks rows as they are written. */
    if (s->depth == 0)
        rc = tx_run(s, begin_immediate_sql,
                    dg_db_kind(s->db) == DG_DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN", 0, err);
    else
        rc = tx_run(s, sp_sql(savepoint_sql, s->depth), "SAVEPOINT sp%d", s->depth, err);
    if (rc)
        return rc;
    s->depth++;
    return 0;
}

int dg_store_commit(dg_store *s, dg_error *err)
{
    if (s->depth <= 0)
        return dg_error_set(err, DG_EINVAL, "%s: commit without a transaction", s->path);
    if (s->depth == 1 && s->fail_commits_after == 0) {
        dg_store_rollback(s);
        st_note_failure(DG_DBE_FULL);
        return dg_error_set(err, DG_ESTATE, "%s: database or disk is full (test: commits refused)",
                            s->path);
    }
    if (s->depth == 1 && s->fail_commits_after > 0)
        s->fail_commits_after--;
    int rc;
    if (s->depth == 1 && s->fence_name && (rc = st_lease_fence_check(s, err))) {
        dg_store_rollback(s);
        return rc; /* DG_ELOCKED: another instance holds the lease now */
    }
    if (s->depth == 1)
        rc = tx_run(s, commit_sql, "COMMIT", 0, err);
    else
        rc = tx_run(s, sp_sql(release_sql, s->depth - 1), "RELEASE sp%d", s->depth - 1, err);
    if (rc) {
        dg_store_rollback(s);
        return DG_ESTATE;
    }
    s->depth--;
    return 0;
}

void dg_store_rollback(dg_store *s)
{
    if (s->depth <= 0)
        return;
    /* Statements still mid-step would make ROLLBACK fail: reset every cached one first. */
    for (size_t i = 0; i < s->n_cache; i++)
        dg_stmt_reset(s->cache[i].stmt);
    int n = s->depth - 1;
    if (n == 0) {
        tx_run(s, rollback_sql, "ROLLBACK", 0, NULL);
    } else if (!tx_run(s, sp_sql(rollback_to_sql, n), "ROLLBACK TO sp%d", n, NULL)) {
        tx_run(s, sp_sql(release_sql, n), "RELEASE sp%d", n, NULL);
    }
    s->depth--;
}

/* ---- helpers ----------------------------------------------------------------------------- */

void st_col_copy(dg_stmt *st, int i, char *dst, size_t size)
{
    const char *v = dg_stmt_text(st, i);
    snprintf(dst, size, "%s", v ? v : "");
}

void st_bind_dec(dg_stmt *st, int i, dg_dec d)
{
    if (d.set)
        dg_stmt_bind_int64(st, i, d.v);
    else
        dg_stmt_bind_null(st, i);
}

dg_dec st_col_dec(dg_stmt *st, int i)
{
    if (dg_stmt_column_null(st, i))
        return (dg_dec){0, false};
    return (dg_dec){dg_stmt_int64(st, i), true};
}

int st_step_end(dg_store *s, dg_stmt *st, int step, dg_error *err, const char *what)
{
    int rc = step == DG_DB_DONE || step == DG_DB_ROW
                 ? 0
                 : dg_store_fail(s, err, what); /* before reset */
    dg_stmt_reset(st);
    return rc;
}

int st_step_done(dg_store *s, dg_stmt *st, dg_error *err, const char *what)
{
    return st_step_end(s, st, dg_stmt_step(st), err, what);
}

char *st_col_dup(dg_stmt *st, int i)
{
    const char *t = dg_stmt_text(st, i);
    return t ? strdup(t) : NULL;
}

int dg_store_step_id(dg_store *s, dg_stmt *st, int64_t *id, dg_error *err, const char *what)
{
    int rc = dg_stmt_step(st);
    int64_t v = rc == DG_DB_ROW ? dg_stmt_int64(st, 0) : 0;
    if (rc != DG_DB_ROW) {
        if (rc == DG_DB_DONE)
            dg_error_set(err, DG_ESTATE, "%s: %s: no id returned", s->path, what);
        else
            dg_store_fail(s, err, what);
        dg_stmt_reset(st);
        return DG_ESTATE;
    }
    dg_stmt_reset(st);
    if (id)
        *id = v;
    return 0;
}

int st_collect(dg_store *s, dg_stmt *st, const st_rows *how, void *rows, size_t *n, dg_error *err)
{
    unsigned char *arr = NULL;
    size_t count = 0, cap = 0;
    int rc, fill_rc = 0;
    while ((rc = dg_stmt_step(st)) == DG_DB_ROW) {
        unsigned char *grown = dg_array_slot(arr, how->size, count, &cap, how->first);
        if (!grown) {
            fill_rc = DG_ENOMEM;
            break;
        }
        arr = grown;
        void *row = arr + count * how->size;
        memset(row, 0, how->size);
        count++;
        if ((fill_rc = how->fill(st, row, how->ctx)))
            break;
    }
    if (!fill_rc && rc == DG_DB_DONE) {
        dg_stmt_reset(st);
        memcpy(rows, &arr, sizeof arr);
        *n = count;
        return 0;
    }
    if (!fill_rc)
        dg_store_fail(s, err, how->what);
    dg_stmt_reset(st);
    for (size_t i = 0; how->clear && i < count; i++)
        how->clear(arr + i * how->size);
    free(arr);
    arr = NULL;
    memcpy(rows, &arr, sizeof arr);
    *n = 0;
    if (fill_rc)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    return DG_ESTATE;
}

static int id_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    *(int64_t *)row = dg_stmt_int64(st, 0);
    return 0;
}

int st_collect_ids(dg_store *s, dg_stmt *st, int64_t **ids, size_t *n, const char *what,
                   dg_error *err)
{
    st_rows how = {sizeof **ids, 8, id_fill, NULL, NULL, what};
    return st_collect(s, st, &how, ids, n, err);
}

/* Runs a write statement inside its own (possibly nested) transaction. */
/* ---- files ------------------------------------------------------------------------------- */

int dg_store_file_add(dg_store *s, const char *sha256, const char *partner, const char *direction,
                      const char *name, uint64_t size, int64_t *file_id, dg_error *err)
{
    static const char ins[] =
        "INSERT INTO files(sha256, partner, direction, name, size, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        " ON CONFLICT(sha256, partner, direction, name) DO NOTHING";
    static const char sel[] = "SELECT id FROM files WHERE sha256 = ?1 AND partner = ?2"
                              " AND direction = ?3 AND name = ?4";
    if (!sha256 || !partner || !direction || !name)
        return dg_error_set(err, DG_EINVAL, "file_add: sha256, partner, direction, name needed");
    if (strcmp(direction, "in") && strcmp(direction, "out"))
        return dg_error_set(err, DG_EINVAL, "file_add: direction must be in or out");
    dg_stmt *st;
    int rc = dg_store_prepare(s, ins, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, sha256);
    dg_stmt_bind_text(st, 2, partner);
    dg_stmt_bind_text(st, 3, direction);
    dg_stmt_bind_text(st, 4, name);
    dg_stmt_bind_int64(st, 5, (int64_t)size);
    dg_stmt_bind_int64(st, 6, dg_store_now(s));
    if ((rc = st_step_done(s, st, err, "recording a file")))
        return rc;
    if ((rc = dg_store_prepare(s, sel, &st, err)))
        return rc;
    dg_stmt_bind_text(st, 1, sha256);
    dg_stmt_bind_text(st, 2, partner);
    dg_stmt_bind_text(st, 3, direction);
    dg_stmt_bind_text(st, 4, name);
    rc = dg_stmt_step(st);
    if (rc != DG_DB_ROW) {
        dg_stmt_reset(st);
        return dg_store_fail(s, err, "reading a file record");
    }
    if (file_id)
        *file_id = dg_stmt_int64(st, 0);
    dg_stmt_reset(st);
    return 0;
}

/* ---- pickups ----------------------------------------------------------------------------- */

static const char *const pickup_names[] = {"NEW", "DONE", "QUARANTINED", "PARTIAL"};

static void bind_key(dg_stmt *st, const dg_pickup_key *k)
{
    dg_stmt_bind_text(st, 1, k->partner);
    dg_stmt_bind_text(st, 2, k->path);
    dg_stmt_bind_int64(st, 3, (int64_t)k->size);
    dg_stmt_bind_int64(st, 4, k->mtime);
    dg_stmt_bind_text(st, 5, k->sha256);
}

static int check_key(const dg_pickup_key *k, dg_error *err)
{
    if (!k || !k->partner || !k->path || !k->sha256)
        return dg_error_set(err, DG_EINVAL, "pickup: partner, path and sha256 are needed");
    return 0;
}

int dg_store_pickup_seen(dg_store *s, const char *partner, const char *path, uint64_t size,
                         int64_t mtime, bool *seen, dg_error *err)
{
    /* Served by the UNIQUE(partner, path, size, mtime, sha256) index. */
    static const char sql[] =
        "SELECT 1 FROM pickups WHERE partner = ?1 AND path = ?2 AND size = ?3 AND mtime = ?4"
        " AND state IN ('DONE', 'QUARANTINED', 'PARTIAL') LIMIT 1";
    *seen = false;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, partner);
    dg_stmt_bind_text(st, 2, path);
    dg_stmt_bind_int64(st, 3, (int64_t)size);
    dg_stmt_bind_int64(st, 4, mtime);
    rc = dg_stmt_step(st);
    *seen = rc == DG_DB_ROW;
    return st_step_end(s, st, rc, err, "looking up a pickup by size and mtime");
}

int dg_store_pickup_lookup(dg_store *s, const dg_pickup_key *k, dg_pickup_info *info, dg_error *err)
{
    static const char sql[] =
        "SELECT id, state, remote_done, file_id FROM pickups WHERE partner = ?1 AND path = ?2"
        " AND size = ?3 AND mtime = ?4 AND sha256 = ?5";
    memset(info, 0, sizeof *info);
    int rc = check_key(k, err);
    if (rc)
        return rc;
    dg_stmt *st;
    if ((rc = dg_store_prepare(s, sql, &st, err)))
        return rc;
    bind_key(st, k);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW) {
        info->id = dg_stmt_int64(st, 0);
        const char *state = dg_stmt_text(st, 1);
        for (int i = 0; i < 4; i++)
            if (state && !strcmp(state, pickup_names[i]))
                info->state = (dg_pickup_state)i;
        info->remote_done = dg_stmt_int(st, 2) != 0;
        info->file_id = dg_stmt_int64(st, 3);
    } else if (rc != DG_DB_DONE) {
        dg_stmt_reset(st);
        return dg_store_fail(s, err, "looking up a pickup");
    }
    dg_stmt_reset(st);
    return 0;
}

int dg_store_pickup_record(dg_store *s, const dg_pickup_key *k, dg_pickup_state state,
                           const char *reason, const char *quarantine_path, int64_t file_id,
                           int64_t *pickup_id, dg_error *err)
{
    static const char sql[] =
        "INSERT INTO pickups(partner, path, size, mtime, sha256, state, reason, quarantine_path,"
        " file_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)"
        " ON CONFLICT(partner, path, size, mtime, sha256) DO UPDATE SET state = excluded.state,"
        " reason = excluded.reason, quarantine_path = excluded.quarantine_path,"
        " file_id = coalesce(excluded.file_id, pickups.file_id), updated_at = excluded.updated_at";
    int rc = check_key(k, err);
    if (rc)
        return rc;
    if ((unsigned)state > DG_PICKUP_PARTIAL)
        return dg_error_set(err, DG_EINVAL, "pickup: bad state %d", (int)state);
    dg_stmt *st;
    if ((rc = dg_store_prepare(s, sql, &st, err)))
        return rc;
    bind_key(st, k);
    dg_stmt_bind_text(st, 6, pickup_names[state]);
    dg_stmt_bind_text(st, 7, reason);
    dg_stmt_bind_text(st, 8, quarantine_path);
    if (file_id > 0)
        dg_stmt_bind_int64(st, 9, file_id);
    dg_stmt_bind_int64(st, 10, dg_store_now(s));
    if ((rc = st_step_done(s, st, err, "recording a pickup")))
        return rc;
    if (pickup_id) {
        dg_pickup_info info;
        if ((rc = dg_store_pickup_lookup(s, k, &info, err)))
            return rc;
        *pickup_id = info.id;
    }
    return 0;
}

int dg_store_pickup_mark_remote_done(dg_store *s, const dg_pickup_key *k, dg_error *err)
{
    static const char sql[] =
        "UPDATE pickups SET remote_done = 1, updated_at = ?6 WHERE partner = ?1 AND path = ?2"
        " AND size = ?3 AND mtime = ?4 AND sha256 = ?5";
    int rc = check_key(k, err);
    if (rc)
        return rc;
    dg_stmt *st;
    if ((rc = dg_store_prepare(s, sql, &st, err)))
        return rc;
    bind_key(st, k);
    dg_stmt_bind_int64(st, 6, dg_store_now(s));
    if ((rc = st_step_done(s, st, err, "marking a pickup done remotely")))
        return rc;
    if (dg_db_changes(s->db) == 0)
        return dg_error_set(err, DG_ENOTFOUND, "pickup %s %s: not recorded", k->partner, k->path);
    return 0;
}

/* ---- documents --------------------------------------------------------------------------- */

int dg_store_document_find_sha(dg_store *s, int64_t file_id, long position, const char *kind,
                               const char *content_sha256, int64_t *doc_id, dg_error *err)
{
    static const char sql[] = "SELECT id FROM documents WHERE file_id = ?1 AND position = ?2"
                              " AND kind = ?3 AND content_sha256 IS NOT DISTINCT FROM ?4";
    *doc_id = 0;
    if (file_id <= 0)
        return 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, file_id);
    dg_stmt_bind_int64(st, 2, position);
    dg_stmt_bind_text(st, 3, kind);
    dg_stmt_bind_text(st, 4, content_sha256);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW)
        *doc_id = dg_stmt_int64(st, 0);
    dg_stmt_reset(st);
    if (rc != DG_DB_ROW && rc != DG_DB_DONE)
        return dg_store_fail(s, err, "looking up a document");
    return 0;
}

int dg_store_document_find(dg_store *s, int64_t file_id, long position, const char *kind,
                           int64_t *doc_id, dg_error *err)
{
    return dg_store_document_find_sha(s, file_id, position, kind, NULL, doc_id, err);
}

int dg_store_document_add_sha(dg_store *s, const char *kind, const char *partner, int64_t file_id,
                              long position, const char *interchange_control,
                              const char *group_control, const char *set_control, const char *json,
                              const char *content_sha256, const char *outcome, int64_t *doc_id,
                              dg_error *err)
{
    static const char sql[] =
        "INSERT INTO documents(kind, partner, file_id, position, interchange_control,"
        " group_control, set_control, json, outcome, created_at, content_sha256)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id";
    if (!kind)
        return dg_error_set(err, DG_EINVAL, "document_add: kind needed");
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, kind);
    dg_stmt_bind_text(st, 2, partner);
    if (file_id > 0)
        dg_stmt_bind_int64(st, 3, file_id);
    dg_stmt_bind_int64(st, 4, position);
    dg_stmt_bind_text(st, 5, interchange_control);
    dg_stmt_bind_text(st, 6, group_control);
    dg_stmt_bind_text(st, 7, set_control);
    dg_stmt_bind_text(st, 8, json);
    dg_stmt_bind_text(st, 9, outcome);
    dg_stmt_bind_int64(st, 10, dg_store_now(s));
    dg_stmt_bind_text(st, 11, content_sha256);
    return dg_store_step_id(s, st, doc_id, err, "recording a document");
}

int dg_store_document_add(dg_store *s, const char *kind, const char *partner, int64_t file_id,
                          long position, const char *interchange_control, const char *group_control,
                          const char *set_control, const char *json, const char *outcome,
                          int64_t *doc_id, dg_error *err)
{
    return dg_store_document_add_sha(s, kind, partner, file_id, position, interchange_control,
                                     group_control, set_control, json, NULL, outcome, doc_id, err);
}

/* ---- control numbers --------------------------------------------------------------------- */

static const char *const ctl_names[] = {"ISA", "GS", "ST"};
#define CTL_MAX 999999999LL

int dg_store_last_control(dg_store *s, const char *partner, dg_control_kind kind, int64_t *out,
                          dg_error *err)
{
    static const char sql[] = "SELECT last FROM control_numbers WHERE partner = ?1 AND kind = ?2";
    *out = 0;
    if (!partner || (unsigned)kind > DG_CTL_SET)
        return dg_error_set(err, DG_EINVAL, "control numbers: partner and kind needed");
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, partner);
    dg_stmt_bind_text(st, 2, ctl_names[kind]);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW)
        *out = dg_stmt_int64(st, 0);
    dg_stmt_reset(st);
    if (rc != DG_DB_ROW && rc != DG_DB_DONE)
        return dg_store_fail(s, err, "reading a control number");
    return 0;
}

int dg_store_next_control(dg_store *s, const char *partner, dg_control_kind kind, int64_t *out,
                          dg_error *err)
{
    /* One statement: the increment and the read cannot be split by another writer, and the
     * surrounding transaction gives the number back on rollback. */
    static const char sql[] = "INSERT INTO control_numbers(partner, kind, last) VALUES (?1, ?2, 1)"
                              " ON CONFLICT(partner, kind) DO UPDATE SET"
                              " last = CASE WHEN control_numbers.last >= 999999999 THEN 1"
                              " ELSE control_numbers.last + 1 END"
                              " RETURNING last";
    if (!partner || (unsigned)kind > DG_CTL_SET)
        return dg_error_set(err, DG_EINVAL, "control numbers: partner and kind needed");
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    dg_stmt *st;
    if ((rc = dg_store_prepare(s, sql, &st, err))) {
        dg_store_rollback(s);
        return rc;
    }
    dg_stmt_bind_text(st, 1, partner);
    dg_stmt_bind_text(st, 2, ctl_names[kind]);
    int step = dg_stmt_step(st);
    int64_t v = step == DG_DB_ROW ? dg_stmt_int64(st, 0) : 0;
    if (step == DG_DB_ROW)
        step = dg_stmt_step(st);
    dg_stmt_reset(st);
    if (step != DG_DB_DONE || v <= 0 || v > CTL_MAX) {
        dg_store_fail(s, err, "taking the next control number");
        dg_store_rollback(s);
        return DG_ESTATE;
    }
    if ((rc = dg_store_commit(s, err)))
        return rc;
    *out = v;
    return 0;
}

int dg_store_next_controls(dg_store *s, const char *partner, int64_t out[3], dg_error *err)
{
    return dg_store_next_controls_n(s, partner, 1, out, err);
}

int dg_store_next_controls_n(dg_store *s, const char *partner, int64_t n_sets, int64_t out[3],
                             dg_error *err)
{
    /* One upsert of the three rows: no savepoint, no read between the increment and its use;
     * RETURNING gives the rows in no set order, so each says its kind. ISA and GS step by one,
     * ST by the file's number of sets (excluded.last is the step); a step that would pass
     * 999999999 starts again at 1. */
    static const char sql[] =
        "INSERT INTO control_numbers(partner, kind, last) VALUES (?1, 'ISA', 1), (?1, 'GS', 1),"
        " (?1, 'ST', ?2) ON CONFLICT(partner, kind) DO UPDATE SET last = CASE WHEN"
        " control_numbers.last > 999999999 - excluded.last THEN excluded.last"
        " ELSE control_numbers.last + excluded.last END"
        " RETURNING kind, last";
    if (!partner)
        return dg_error_set(err, DG_EINVAL, "control numbers: partner needed");
    if (n_sets < 1 || n_sets > 100000)
        return dg_error_set(err, DG_EINVAL, "control numbers: %lld sets in one file",
                            (long long)n_sets);
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, partner);
    dg_stmt_bind_int64(st, 2, n_sets);
    int64_t v[3] = {0, 0, 0};
    while ((rc = dg_stmt_step(st)) == DG_DB_ROW) {
        const char *kind = dg_stmt_text(st, 0);
        for (int k = 0; k < 3; k++)
            if (kind && !strcmp(kind, ctl_names[k]))
                v[k] = dg_stmt_int64(st, 1);
    }
    dg_stmt_reset(st);
    if (rc != DG_DB_DONE)
        return dg_store_fail(s, err, "taking the next control numbers");
    v[DG_CTL_SET] -= n_sets - 1; /* the first set's number; the file's sets follow it */
    for (int k = 0; k < 3; k++) {
        if (v[k] <= 0 || v[k] > CTL_MAX)
            return dg_error_set(err, DG_ESTATE, "%s: control number %s of %s out of range", s->path,
                                ctl_names[k], partner);
        out[k] = v[k];
    }
    return 0;
}

/* ---- outbox ------------------------------------------------------------------------------ */

#define OUTBOX_COLS                                                                                \
    "id, partner, kind, ref, file_name, content_sha256, local_path, state, attempts,"              \
    " last_error, created_at, sent_at"

static void outbox_row(dg_stmt *st, dg_outbox_entry *e)
{
    e->id = dg_stmt_int64(st, 0);
    e->partner = st_col_dup(st, 1);
    e->kind = st_col_dup(st, 2);
    e->ref = st_col_dup(st, 3);
    e->file_name = st_col_dup(st, 4);
    e->content_sha256 = st_col_dup(st, 5);
    e->local_path = st_col_dup(st, 6);
    e->state = st_col_dup(st, 7);
    e->attempts = dg_stmt_int(st, 8);
    e->last_error = st_col_dup(st, 9);
    e->created_at = dg_stmt_int64(st, 10);
    e->sent_at = dg_stmt_int64(st, 11);
}

static int outbox_fill(dg_stmt *st, void *row, void *ctx)
{
    (void)ctx;
    outbox_row(st, row);
    return 0;
}

static void outbox_clear(void *row)
{
    dg_store_outbox_entry_clear(row);
}

void dg_store_outbox_entry_clear(dg_outbox_entry *e)
{
    if (!e)
        return;
    free(e->partner);
    free(e->kind);
    free(e->ref);
    free(e->file_name);
    free(e->content_sha256);
    free(e->local_path);
    free(e->state);
    free(e->last_error);
    memset(e, 0, sizeof *e);
}

void dg_store_outbox_free(dg_outbox_entry *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        dg_store_outbox_entry_clear(&rows[i]);
    free(rows);
}

int dg_store_outbox_add(dg_store *s, const char *partner, const char *kind, const char *ref,
                        const char *file_name, const char *content_sha256, const char *local_path,
                        int64_t *id, bool *existed, dg_error *err)
{
    static const char ins[] =
        "INSERT INTO outbox(partner, kind, ref, file_name, content_sha256, local_path, state,"
        " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'PENDING', ?7)"
        " ON CONFLICT(partner, file_name) DO NOTHING";
    static const char sel[] = "SELECT id FROM outbox WHERE partner = ?1 AND file_name = ?2";
    if (!partner || !kind || !file_name)
        return dg_error_set(err, DG_EINVAL, "outbox: partner, kind and file name needed");
    dg_stmt *st;
    int rc = dg_store_prepare(s, ins, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, partner);
    dg_stmt_bind_text(st, 2, kind);
    dg_stmt_bind_text(st, 3, ref);
    dg_stmt_bind_text(st, 4, file_name);
    dg_stmt_bind_text(st, 5, content_sha256);
    dg_stmt_bind_text(st, 6, local_path);
    dg_stmt_bind_int64(st, 7, dg_store_now(s));
    if ((rc = st_step_done(s, st, err, "adding to the outbox")))
        return rc;
    bool added = dg_db_changes(s->db) > 0;
    if (existed)
        *existed = !added;
    if ((rc = dg_store_prepare(s, sel, &st, err)))
        return rc;
    dg_stmt_bind_text(st, 1, partner);
    dg_stmt_bind_text(st, 2, file_name);
    rc = dg_stmt_step(st);
    int64_t v = rc == DG_DB_ROW ? dg_stmt_int64(st, 0) : 0;
    dg_stmt_reset(st);
    if (rc != DG_DB_ROW)
        return dg_store_fail(s, err, "reading an outbox entry");
    if (id)
        *id = v;
    return 0;
}

/* Not sent yet, of partner ?1 (NULL: all); a PO an operator holds stays in the outbox, unsent,
 * until it is released. */
#define OUTBOX_PENDING                                                                             \
    "state <> 'SENT' AND (?1 IS NULL OR partner = ?1) AND NOT (kind = 'po' AND (EXISTS (SELECT 1"  \
    " FROM supplier_pos p WHERE p.po_number = outbox.ref AND p.op_hold_at IS NOT NULL) OR EXISTS"  \
    " (SELECT 1 FROM supplier_pos p WHERE p.outbox_id = outbox.id AND p.op_hold_at IS NOT NULL)))"

int dg_store_outbox_pending(dg_store *s, const char *partner, dg_outbox_entry **rows, size_t *n,
                            dg_error *err)
{
    static const char sql[] =
        "SELECT " OUTBOX_COLS " FROM outbox WHERE " OUTBOX_PENDING " ORDER BY id";
    *rows = NULL;
    *n = 0;
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, partner);
    static const st_rows how = {sizeof(dg_outbox_entry), 16, outbox_fill, outbox_clear, NULL,
                                "listing the outbox"};
    return st_collect(s, st, &how, rows, n, err);
}

int dg_store_outbox_pending_page(dg_store *s, const char *partner, int64_t after_id, size_t limit,
                                 dg_outbox_entry **rows, size_t *n, dg_error *err)
{
    /* Walks the outbox in id order from after_id and stops at limit: one page costs the rows
     * it passes, not the whole outbox. */
    static const char sql[] = "SELECT " OUTBOX_COLS " FROM outbox WHERE id > ?2 AND " OUTBOX_PENDING
                              " ORDER BY id LIMIT ?3";
    *rows = NULL;
    *n = 0;
    if (limit == 0)
        return dg_error_set(err, DG_EINVAL, "outbox page: limit needed");
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_text(st, 1, partner);
    dg_stmt_bind_int64(st, 2, after_id);
    dg_stmt_bind_int64(st, 3, (int64_t)limit);
    static const st_rows how = {sizeof(dg_outbox_entry), 16, outbox_fill, outbox_clear, NULL,
                                "listing the outbox"};
    return st_collect(s, st, &how, rows, n, err);
}

int dg_store_outbox_get(dg_store *s, int64_t id, dg_outbox_entry *row, dg_error *err)
{
    static const char sql[] = "SELECT " OUTBOX_COLS " FROM outbox WHERE id = ?1";
    memset(row, 0, sizeof *row);
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, id);
    rc = dg_stmt_step(st);
    if (rc == DG_DB_ROW)
        outbox_row(st, row);
    dg_stmt_reset(st);
    if (rc == DG_DB_DONE)
        return dg_error_set(err, DG_ENOTFOUND, "outbox entry %lld: not found", (long long)id);
    if (rc != DG_DB_ROW)
        return dg_store_fail(s, err, "reading an outbox entry");
    return 0;
}

int dg_store_outbox_mark_sent(dg_store *s, int64_t id, dg_error *err)
{
    static const char sql[] = "UPDATE outbox SET state = 'SENT', sent_at = coalesce(sent_at, ?2),"
                              " attempts = attempts + CASE WHEN state <> 'SENT' THEN 1 ELSE 0 END"
                              " WHERE id = ?1";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, id);
    dg_stmt_bind_int64(st, 2, dg_store_now(s));
    if ((rc = st_step_done(s, st, err, "marking an outbox entry sent")))
        return rc;
    if (dg_db_changes(s->db) == 0)
        return dg_error_set(err, DG_ENOTFOUND, "outbox entry %lld: not found", (long long)id);
    return 0;
}

int dg_store_outbox_probe(dg_store *s, int64_t id, dg_error *err)
{
    /* id 0 (nothing of the outbox to touch yet): the newest migration row, which always exists,
     * so the probe always writes a page. */
    static const char sql[] = "UPDATE outbox SET attempts = attempts WHERE id = ?1";
    static const char sql0[] =
        "UPDATE migrations SET applied_at = applied_at WHERE version = (SELECT max(version)"
        " FROM migrations)";
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    dg_stmt *st;
    if ((rc = dg_store_prepare(s, id ? sql : sql0, &st, err))) {
        dg_store_rollback(s);
        return rc;
    }
    if (id)
        dg_stmt_bind_int64(st, 1, id);
    if ((rc = st_step_done(s, st, err, "recording a send attempt"))) {
        dg_store_rollback(s);
        return rc;
    }
    return dg_store_commit(s, err);
}

int dg_store_outbox_mark_failed(dg_store *s, int64_t id, const char *error, dg_error *err)
{
    static const char sql[] =
        "UPDATE outbox SET state = 'FAILED', attempts = attempts + 1, last_error = ?2"
        " WHERE id = ?1 AND state <> 'SENT'";
    dg_stmt *st;
    int rc = dg_store_prepare(s, sql, &st, err);
    if (rc)
        return rc;
    dg_stmt_bind_int64(st, 1, id);
    dg_stmt_bind_text(st, 2, error);
    return st_step_done(s, st, err, "recording a failed send");
}
