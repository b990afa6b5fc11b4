/* State store: migrations from empty and from an older version, re-open, nested transactions,
 * pickup uniqueness, control numbers (monotonic, per partner, transactional), outbox. */
#include "pgtest.h"
#include "testutil.h"

#include "store/db.h"
#include <stdio.h>
#include <string.h>

#include "store/store.h"

typedef struct fx {
    char *dir;
    char path[4096];
    dg_store *s;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->dir = dg_test_tmpdir("store");
    snprintf(f->path, sizeof f->path, "%s/dropgate.db", f->dir);
    dg_error err = {0};
    assert_int_equal(dg_store_open(dg_test_store_location(f->path), &f->s, &err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    dg_store_close(f->s);
    dg_test_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static long long q1(dg_store *s, const char *sql)
{
    dg_stmt *st = NULL;
    assert_int_equal(dg_db_prepare(dg_store_db(s), sql, &st, NULL), 0);
    long long v = -1;
    if (dg_stmt_step(st) == DG_DB_ROW)
        v = dg_stmt_int64(st, 0);
    dg_stmt_finalize(st);
    return v;
}

static const char *qtext(dg_store *s, const char *sql, char *buf, size_t size)
{
    dg_stmt *st = NULL;
    assert_int_equal(dg_db_prepare(dg_store_db(s), sql, &st, NULL), 0);
    buf[0] = '\0';
    if (dg_stmt_step(st) == DG_DB_ROW && dg_stmt_text(st, 0))
        snprintf(buf, size, "%s", dg_stmt_text(st, 0));
    dg_stmt_finalize(st);
    return buf;
}

/* Whether the schema holds a table or index of that name, in SQLite's catalog or PostgreSQL's
 * (the store's schema is the connection's current one). */
static long long has_object(dg_store *s, const char *name)
{
    char sql[300];
    if (dg_db_kind(dg_store_db(s)) == DG_DB_SQLITE)
        snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE name='%s'", name);
    else
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                 " WHERE n.nspname = current_schema() AND c.relname = '%s'",
                 name);
    return q1(s, sql);
}

/* The definition of index name, as each backend writes it. */
static const char *index_sql(dg_store *s, const char *name, char *buf, size_t size)
{
    char sql[300];
    if (dg_db_kind(dg_store_db(s)) == DG_DB_SQLITE)
        snprintf(sql, sizeof sql, "SELECT sql FROM sqlite_master WHERE name='%s'", name);
    else
        snprintf(sql, sizeof sql,
                 "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()"
                 " AND indexname = '%s'",
                 name);
    return qtext(s, sql, buf, size);
}

static void migrates_from_empty_and_reopens(void **state)
{
    fx *f = *state;
    char buf[64];
    assert_int_equal(dg_store_schema_version(f->s), DG_STORE_SCHEMA_VERSION);
    assert_int_equal(q1(f->s, "SELECT count(*) FROM migrations"), DG_STORE_SCHEMA_VERSION);
    if (!dg_test_pg()) { /* SQLite's settings; PostgreSQL's are the server's */
        assert_string_equal(qtext(f->s, "PRAGMA journal_mode", buf, sizeof buf), "wal");
        assert_int_equal(q1(f->s, "PRAGMA foreign_keys"), 1);
    }
    const char *tables[] = {"files",          "pickups",      "documents",     "orders",
                            "order_lines",    "supplier_pos", "outbox",        "control_numbers",
                            "stock",          "catalog",      "shipments",     "packages",
                            "shipment_items", "invoices",     "invoice_lines", "charges",
                            "discrepancies",  "notifications"};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
        assert_int_equal(has_object(f->s, tables[i]), 1);
    /* Re-open: nothing applied twice, data kept. */
    dg_error err = {0};
    int64_t id = 0;
    assert_int_equal(dg_store_file_add(f->s, "ab", "p", "in", "a.csv", 3, &id, &err), 0);
    dg_store_close(f->s);
    assert_int_equal(dg_store_open(dg_test_store_location(f->path), &f->s, &err), 0);
    assert_int_equal(dg_store_schema_version(f->s), DG_STORE_SCHEMA_VERSION);
    assert_int_equal(q1(f->s, "SELECT count(*) FROM migrations"), DG_STORE_SCHEMA_VERSION);
    assert_int_equal(q1(f->s, "SELECT count(*) FROM files"), 1);
}

static void migrates_from_version_1(void **state)
{
    fx *f = *state;
    char path[4200];
    snprintf(path, sizeof path, "%s/old.db", f->dir);
    dg_error err = {0};
    dg_store *old = NULL;
    assert_int_equal(dg_store_open_version(dg_test_store_location(path), 1, &old, &err), 0);
    assert_int_equal(dg_store_schema_version(old), 1);
    assert_int_equal(has_object(old, "catalog_sku"), 0);
    dg_store_close(old);
    assert_int_equal(dg_store_open(dg_test_store_location(path), &old, &err), 0);
    assert_int_equal(dg_store_schema_version(old), DG_STORE_SCHEMA_VERSION);
    assert_int_equal(has_object(old, "catalog_sku"), 1);
    assert_int_equal(has_object(old, "supplier_pos_outbox"), 1);
    assert_int_equal(q1(old, "SELECT max(version) FROM migrations"), DG_STORE_SCHEMA_VERSION);
    assert_int_equal(q1(old, "SELECT count(*) FROM migrations"), DG_STORE_SCHEMA_VERSION);
    dg_store_close(old);
}

/* Version 4 -> 5: the shipment duplicate key gains the PO (one 856 shipping several POs under
 * one shipment id). A version-4 database with shipments migrates with its rows kept, and then
 * takes a second PO's shipment under the same id while still refusing the same PO twice. */
static void migrates_shipment_key_from_version_4(void **state)
{
    fx *f = *state;
    char path[4200];
    snprintf(path, sizeof path, "%s/v4.db", f->dir);
    dg_error err = {0};
    dg_store *old = NULL;
    assert_int_equal(dg_store_open_version(dg_test_store_location(path), 4, &old, &err), 0);
    assert_int_equal(dg_store_schema_version(old), 4);
    static const char rows[] =
        "INSERT INTO orders(id, storefront, order_number, status, created_at)"
        " VALUES (1, 'shop', '1001', 'CONVERTED', 0), (2, 'shop', '1002', 'CONVERTED', 0);"
        "INSERT INTO supplier_pos(id, po_number, supplier, order_id, status, created_at)"
        " VALUES (1, '1001-NW', 'nw', 1, 'SHIPPED', 0), (2, '1002-NW', 'nw', 2, 'SENT', 0);"
        "INSERT INTO shipments(supplier, shipment_ref, po_id, created_at)"
        " VALUES ('nw', 'SO-1', 1, 0), ('nw', 'SO-2', 2, 0), ('nw', NULL, 2, 0);";
    assert_int_equal(dg_store_exec(old, rows, &err), 0);
    /* The old key: the same shipment id for the second PO is refused. */
    assert_int_equal(
        dg_store_exec(old,
                      "INSERT INTO shipments(supplier, shipment_ref, po_id, created_at)"
                      " VALUES ('nw', 'SO-1', 2, 0)",
                      &err),
        DG_ESTATE);
    dg_store_close(old);
    old = NULL;
    assert_int_equal(dg_store_open(dg_test_store_location(path), &old, &err), 0);
    assert_int_equal(dg_store_schema_version(old), DG_STORE_SCHEMA_VERSION);
    assert_int_equal(q1(old, "SELECT max(version) FROM migrations"), DG_STORE_SCHEMA_VERSION);
    assert_int_equal(q1(old, "SELECT count(*) FROM shipments"), 3);
    char buf[512];
    assert_non_null(strstr(index_sql(old, "shipments_ref", buf, sizeof buf), "po_id"));
    assert_int_equal(
        dg_store_exec(old,
                      "INSERT INTO shipments(supplier, shipment_ref, po_id, created_at)"
                      " VALUES ('nw', 'SO-1', 2, 0)",
                      &err),
        0);
    assert_int_equal(
        dg_store_exec(old,
                      "INSERT INTO shipments(supplier, shipment_ref, po_id, created_at)"
                      " VALUES ('nw', 'SO-1', 1, 0)",
                      &err),
        DG_ESTATE);
    assert_int_equal(q1(old, "SELECT count(*) FROM shipments WHERE shipment_ref = 'SO-1'"), 2);
    dg_store_close(old);
    /* Re-open: nothing applied twice. */
    assert_int_equal(dg_store_open(dg_test_store_location(path), &old, &err), 0);
    assert_int_equal(q1(old, "SELECT count(*) FROM migrations"), DG_STORE_SCHEMA_VERSION);
    dg_store_close(old);
}

/* Version 17 -> 18: order_lines is rebuilt so a line may be NOT_SHIPPABLE or NOT_ROUTED (a
 * status a mapping gives). Every row and column (split_from of migration 17 too) is kept, rows
 * that refer to a line still do, and the CHECK still refuses an unknown status. */
static void migrates_line_statuses_from_version_17(void **state)
{
    fx *f = *state;
    char path[4200];
    snprintf(path, sizeof path, "%s/v17.db", f->dir);
    dg_error err = {0};
    dg_store *old = NULL;
    assert_int_equal(dg_store_open_version(dg_test_store_location(path), 17, &old, &err), 0);
    static const char rows[] =
        "INSERT INTO orders(id, storefront, order_number, status, created_at)"
        " VALUES (1, 'shop', '1001', 'CONVERTED', 0);"
        "INSERT INTO supplier_pos(id, po_number, supplier, order_id, status, created_at)"
        " VALUES (1, '1001-NW', 'nw', 1, 'SHIPPED', 0);"
        "INSERT INTO order_lines(id, order_id, line_no, retailer_sku, qty_ordered, status, po_id,"
        " po_line, qty_shipped, supplier_status, ack_code, attempt, qty_cancelled)"
        " VALUES (7, 1, 1, 'A-1', 20000, 'MATCHED', 1, 1, 20000, 'SHIPPED', 'IA', 2, 10000),"
        " (8, 1, 2, 'ZZ', 10000, 'PRODUCT_NOT_FOUND', NULL, NULL, 0, NULL, NULL, 1, 0);"
        "UPDATE order_lines SET split_from = 7 WHERE id = 8;"
        "INSERT INTO shipments(id, supplier, po_id, created_at) VALUES (1, 'nw', 1, 0);"
        "INSERT INTO shipment_items(shipment_id, order_line_id, qty) VALUES (1, 7, 20000);";
    assert_int_equal(dg_store_exec(old, rows, &err), 0);
    assert_int_equal(dg_store_exec(old,
                                   "INSERT INTO order_lines(order_id, line_no, qty_ordered, status)"
                                   " VALUES (1, 3, 1, 'NOT_SHIPPABLE')",
                                   &err),
                     DG_ESTATE);
    dg_store_close(old);
    old = NULL;
    assert_int_equal(dg_store_open(dg_test_store_location(path), &old, &err), 0);
    assert_int_equal(dg_store_schema_version(old), DG_STORE_SCHEMA_VERSION);
    char buf[512];
    assert_string_equal(
        qtext(old,
              "SELECT string_agg(id || ':' || retailer_sku || ':' || status || ':'"
              " || coalesce(supplier_status, '-') || ':' || coalesce(ack_code, '-')"
              " || ':' || attempt || ':' || qty_cancelled || ':' || qty_shipped"
              " || ':' || coalesce(CAST(split_from AS TEXT), '-'), ' ') FROM"
              " (SELECT * FROM order_lines ORDER BY id) AS l",
              buf, sizeof buf),
        "7:A-1:MATCHED:SHIPPED:IA:2:10000:20000:- 8:ZZ:PRODUCT_NOT_FOUND:-:-:1:0:0:7");
    assert_int_equal(q1(old, "SELECT count(*) FROM shipment_items i JOIN order_lines l"
                             " ON l.id = i.order_line_id WHERE l.retailer_sku = 'A-1'"),
                     1);
    assert_int_equal(has_object(old, "order_lines_po"), 1);
    assert_int_equal(has_object(old, "order_lines_rerouted"), 1);
    assert_int_equal(dg_store_exec(old,
                                   "INSERT INTO order_lines(order_id, line_no, qty_ordered, status,"
                                   " reason) VALUES (1, 3, 10000, 'NOT_SHIPPABLE', 'gift card'),"
                                   " (1, 4, 10000, 'NOT_ROUTED', NULL)",
                                   &err),
                     0);
    assert_int_equal(dg_store_exec(old,
                                   "INSERT INTO order_lines(order_id, line_no, qty_ordered, status)"
                                   " VALUES (1, 5, 1, 'BOGUS')",
                                   &err),
                     DG_ESTATE);
    /* a line still refers to an order that exists (foreign keys are SQLite's: PostgreSQL's
     * schema leaves them out, schema_pg.c) */
    if (!dg_test_pg())
        assert_int_equal(
            dg_store_exec(old,
                          "INSERT INTO order_lines(order_id, line_no, qty_ordered, status)"
                          " VALUES (99, 1, 1, 'MATCHED')",
                          &err),
            DG_ESTATE);
    dg_store_close(old);
}

static void refuses_newer_schema_and_non_database(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    /* SQLite reads the version from its file header, PostgreSQL from the migrations table */
    assert_int_equal(dg_store_exec(f->s,
                                   dg_test_pg()
                                       ? "INSERT INTO migrations(version, name, applied_at)"
                                         " VALUES (99, 'from the future', 0)"
                                       : "PRAGMA user_version = 99",
                                   &err),
                     0);
    dg_store_close(f->s);
    f->s = NULL;
    assert_int_equal(dg_store_open(dg_test_store_location(f->path), &f->s, &err), DG_ESTATE);
    assert_null(f->s);
    assert_non_null(strstr(err.msg, "newer"));
    if (dg_test_sqlite_only("a file that is not a database"))
        return;
    char junk[4200];
    snprintf(junk, sizeof junk, "%s/junk.db", f->dir);
    dg_test_write_file(junk, "this is not a database, just text that is long enough to matter");
    dg_store *j = NULL;
    assert_int_equal(dg_store_open(dg_test_store_location(junk), &j, &err), DG_ESTATE);
    assert_null(j);
}

static void nested_transactions_roll_back_inner_only(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    int64_t id;
    assert_int_equal(dg_store_begin(f->s, &err), 0);
    assert_int_equal(dg_store_file_add(f->s, "a1", "p", "in", "one", 1, &id, &err), 0);
    assert_int_equal(dg_store_begin(f->s, &err), 0);
    assert_int_equal(dg_store_depth(f->s), 2);
    assert_int_equal(dg_store_file_add(f->s, "a2", "p", "in", "two", 1, &id, &err), 0);
    dg_store_rollback(f->s);
    assert_int_equal(dg_store_begin(f->s, &err), 0);
    assert_int_equal(dg_store_file_add(f->s, "a3", "p", "in", "three", 1, &id, &err), 0);
    assert_int_equal(dg_store_commit(f->s, &err), 0);
    assert_int_equal(dg_store_commit(f->s, &err), 0);
    assert_int_equal(dg_store_depth(f->s), 0);
    assert_int_equal(q1(f->s, "SELECT count(*) FROM files"), 2);
    assert_int_equal(q1(f->s, "SELECT count(*) FROM files WHERE name='two'"), 0);
    /* An outer rollback drops everything, committed savepoints included. */
    assert_int_equal(dg_store_begin(f->s, &err), 0);
    assert_int_equal(dg_store_begin(f->s, &err), 0);
    assert_int_equal(dg_store_file_add(f->s, "a4", "p", "in", "four", 1, &id, &err), 0);
    assert_int_equal(dg_store_commit(f->s, &err), 0);
    dg_store_rollback(f->s);
    assert_int_equal(q1(f->s, "SELECT count(*) FROM files"), 2);
    assert_int_equal(dg_store_commit(f->s, &err), DG_EINVAL);
}

static void file_add_is_idempotent(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    int64_t a = 0, b = 0, c = 0;
    assert_int_equal(dg_store_file_add(f->s, "ff", "nw", "in", "x.edi", 10, &a, &err), 0);
    assert_int_equal(dg_store_file_add(f->s, "ff", "nw", "in", "x.edi", 10, &b, &err), 0);
    assert_int_equal(dg_store_file_add(f->s, "ff", "nw", "out", "x.edi", 10, &c, &err), 0);
    assert_true(a > 0);
    assert_int_equal(a, b);
    assert_true(c != a);
    assert_int_equal(dg_store_file_add(f->s, "ff", "nw", "sideways", "x", 1, &c, &err), DG_EINVAL);
}

static void pickups_are_unique_per_version_of_a_file(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    dg_pickup_key k = {"northwind", "outbound/856_1.edi", 120, 1700000000,
                       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    dg_pickup_info info;
    assert_int_equal(dg_store_pickup_lookup(f->s, &k, &info, &err), 0);
    assert_int_equal(info.id, 0);
    assert_int_equal(info.state, DG_PICKUP_NEW);
    int64_t fid = 0, pid = 0, pid2 = 0;
    assert_int_equal(
        dg_store_file_add(f->s, k.sha256, k.partner, "in", "856_1.edi", 120, &fid, &err), 0);
    assert_int_equal(dg_store_pickup_record(f->s, &k, DG_PICKUP_DONE, NULL, NULL, fid, &pid, &err),
                     0);
    assert_int_equal(dg_store_pickup_lookup(f->s, &k, &info, &err), 0);
    assert_int_equal(info.id, pid);
    assert_int_equal(info.state, DG_PICKUP_DONE);
    assert_int_equal(info.file_id, fid);
    assert_false(info.remote_done);
    /* Recording the same key again updates, never duplicates. */
    assert_int_equal(dg_store_pickup_record(f->s, &k, DG_PICKUP_QUARANTINED, "bad ISA",
                                            "var/quarantine/northwind/x", 0, &pid2, &err),
                     0);
    assert_int_equal(pid, pid2);
    assert_int_equal(q1(f->s, "SELECT count(*) FROM pickups"), 1);
    char buf[128];
    assert_string_equal(qtext(f->s, "SELECT reason FROM pickups", buf, sizeof buf), "bad ISA");
    assert_int_equal(q1(f->s, "SELECT file_id FROM pickups"), fid); /* kept */
    /* Same path, new content (size, mtime or sha) is a new pickup. */
    dg_pickup_key k2 = k;
    k2.mtime++;
    assert_int_equal(dg_store_pickup_lookup(f->s, &k2, &info, &err), 0);
    assert_int_equal(info.state, DG_PICKUP_NEW);
    dg_pickup_key k3 = k;
    k3.sha256 = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    assert_int_equal(dg_store_pickup_record(f->s, &k3, DG_PICKUP_DONE, NULL, NULL, 0, NULL, &err),
                     0);
    assert_int_equal(q1(f->s, "SELECT count(*) FROM pickups"), 2);
    /* The table itself refuses a second row for the same key. */
    assert_int_not_equal(
        dg_store_exec(f->s,
                      "INSERT INTO pickups(partner, path, size, mtime, sha256, state, created_at,"
                      " updated_at) SELECT partner, path, size, mtime, sha256, 'NEW', 0, 0"
                      " FROM pickups WHERE id = 1",
                      &err),
        0);
    assert_int_equal(dg_store_pickup_mark_remote_done(f->s, &k, &err), 0);
    assert_int_equal(dg_store_pickup_lookup(f->s, &k, &info, &err), 0);
    assert_true(info.remote_done);
    assert_int_equal(dg_store_pickup_mark_remote_done(f->s, &k2, &err), DG_ENOTFOUND);
}

static void control_numbers_monotonic_and_transactional(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    int64_t v = 0, last = 0;
    for (int64_t i = 1; i <= 5; i++) {
        assert_int_equal(dg_store_next_control(f->s, "northwind", DG_CTL_INTERCHANGE, &v, &err), 0);
        assert_int_equal(v, i);
    }
    /* Per partner and per kind. */
    assert_int_equal(dg_store_next_control(f->s, "northwind", DG_CTL_GROUP, &v, &err), 0);
    assert_int_equal(v, 1);
    assert_int_equal(dg_store_next_control(f->s, "acme", DG_CTL_INTERCHANGE, &v, &err), 0);
    assert_int_equal(v, 1);
    /* A rolled-back transaction gives its numbers back. */
    assert_int_equal(dg_store_begin(f->s, &err), 0);
    assert_int_equal(dg_store_next_control(f->s, "northwind", DG_CTL_INTERCHANGE, &v, &err), 0);
    assert_int_equal(v, 6);
    dg_store_rollback(f->s);
    assert_int_equal(dg_store_last_control(f->s, "northwind", DG_CTL_INTERCHANGE, &last, &err), 0);
    assert_int_equal(last, 5);
    assert_int_equal(dg_store_next_control(f->s, "northwind", DG_CTL_INTERCHANGE, &v, &err), 0);
    assert_int_equal(v, 6);
    /* Survives a re-open and wraps after 999999999. */
    dg_store_close(f->s);
    assert_int_equal(dg_store_open(dg_test_store_location(f->path), &f->s, &err), 0);
    assert_int_equal(dg_store_next_control(f->s, "northwind", DG_CTL_INTERCHANGE, &v, &err), 0);
    assert_int_equal(v, 7);
    assert_int_equal(dg_store_exec(f->s,
                                   "UPDATE control_numbers SET last = 999999999"
                                   " WHERE partner='acme' AND kind='ISA'",
                                   &err),
                     0);
    assert_int_equal(dg_store_next_control(f->s, "acme", DG_CTL_INTERCHANGE, &v, &err), 0);
    assert_int_equal(v, 1);
    assert_int_equal(dg_store_last_control(f->s, "nobody", DG_CTL_SET, &last, &err), 0);
    assert_int_equal(last, 0);
}

static void control_numbers_two_connections_never_collide(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    dg_store *other = NULL;
    assert_int_equal(dg_store_open(dg_test_store_location(f->path), &other, &err), 0);
    int64_t seen[40] = {0};
    for (int i = 0; i < 40; i++) {
        int64_t v = 0;
        assert_int_equal(dg_store_next_control(i % 2 ? other : f->s, "nw", DG_CTL_SET, &v, &err),
                         0);
        seen[i] = v;
    }
    for (int i = 1; i < 40; i++)
        assert_int_equal(seen[i], seen[i - 1] + 1);
    dg_store_close(other);
}

/* The three numbers of an X12 file from one statement: each kind moves by one, follows what
 * the single-kind call handed out, wraps alone, and is given back with a rollback. */
static void control_numbers_three_at_once(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    int64_t v = 0, c[3] = {0, 0, 0}, last = 0;
    assert_int_equal(dg_store_next_controls(f->s, "nw", c, &err), 0);
    assert_int_equal(c[DG_CTL_INTERCHANGE], 1);
    assert_int_equal(c[DG_CTL_GROUP], 1);
    assert_int_equal(c[DG_CTL_SET], 1);
    assert_int_equal(dg_store_next_control(f->s, "nw", DG_CTL_SET, &v, &err), 0);
    assert_int_equal(v, 2);
    assert_int_equal(dg_store_exec(f->s,
                                   "UPDATE control_numbers SET last = 999999999"
                                   " WHERE partner='nw' AND kind='GS'",
                                   &err),
                     0);
    assert_int_equal(dg_store_next_controls(f->s, "nw", c, &err), 0);
    assert_int_equal(c[DG_CTL_INTERCHANGE], 2);
    assert_int_equal(c[DG_CTL_GROUP], 1); /* wrapped */
    assert_int_equal(c[DG_CTL_SET], 3);
    assert_int_equal(dg_store_begin(f->s, &err), 0);
    assert_int_equal(dg_store_next_controls(f->s, "nw", c, &err), 0);
    assert_int_equal(c[DG_CTL_INTERCHANGE], 3);
    dg_store_rollback(f->s);
    assert_int_equal(dg_store_last_control(f->s, "nw", DG_CTL_INTERCHANGE, &last, &err), 0);
    assert_int_equal(last, 2);
    assert_int_equal(dg_store_last_control(f->s, "nw", DG_CTL_SET, &last, &err), 0);
    assert_int_equal(last, 3);
    assert_int_equal(dg_store_next_controls(f->s, NULL, c, &err), DG_EINVAL);
}

/* A file of n sets: ISA and GS move by one, ST by n, the first set's number is returned and the
 * next file starts after the last set; a run of sets that would pass 999999999 starts at 1. */
static void control_numbers_for_several_sets(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    int64_t c[3] = {0, 0, 0}, last = 0;
    assert_int_equal(dg_store_next_controls_n(f->s, "nw", 4, c, &err), 0);
    assert_int_equal(c[DG_CTL_INTERCHANGE], 1);
    assert_int_equal(c[DG_CTL_GROUP], 1);
    assert_int_equal(c[DG_CTL_SET], 1); /* sets 1..4 */
    assert_int_equal(dg_store_next_controls_n(f->s, "nw", 3, c, &err), 0);
    assert_int_equal(c[DG_CTL_INTERCHANGE], 2);
    assert_int_equal(c[DG_CTL_GROUP], 2);
    assert_int_equal(c[DG_CTL_SET], 5); /* sets 5..7 */
    assert_int_equal(dg_store_next_controls(f->s, "nw", c, &err), 0);
    assert_int_equal(c[DG_CTL_SET], 8);
    assert_int_equal(dg_store_exec(f->s,
                                   "UPDATE control_numbers SET last = 999999997"
                                   " WHERE partner='nw' AND kind='ST'",
                                   &err),
                     0);
    assert_int_equal(dg_store_next_controls_n(f->s, "nw", 2, c, &err), 0);
    assert_int_equal(c[DG_CTL_SET], 999999998); /* 999999998 and 999999999 still fit */
    assert_int_equal(dg_store_next_controls_n(f->s, "nw", 2, c, &err), 0);
    assert_int_equal(c[DG_CTL_SET], 1); /* wrapped as a whole */
    assert_int_equal(dg_store_last_control(f->s, "nw", DG_CTL_SET, &last, &err), 0);
    assert_int_equal(last, 2);
    assert_int_equal(dg_store_next_controls_n(f->s, "nw", 0, c, &err), DG_EINVAL);
}

static void outbox_exactly_once_bookkeeping(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    int64_t id = 0, id2 = 0;
    bool existed = true;
    assert_int_equal(dg_store_outbox_add(f->s, "northwind", "po", "1001-NW", "PO_1001-NW.edi",
                                         "c0ffee", "/var/outbox/northwind/PO_1001-NW.edi", &id,
                                         &existed, &err),
                     0);
    assert_false(existed);
    /* Same name again: the first entry (content) stays. */
    assert_int_equal(dg_store_outbox_add(f->s, "northwind", "po", "other", "PO_1001-NW.edi",
                                         "different", "/elsewhere", &id2, &existed, &err),
                     0);
    assert_true(existed);
    assert_int_equal(id, id2);
    dg_outbox_entry *rows = NULL;
    size_t n = 0;
    assert_int_equal(dg_store_outbox_pending(f->s, "northwind", &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].content_sha256, "c0ffee");
    assert_string_equal(rows[0].ref, "1001-NW");
    assert_string_equal(rows[0].state, DG_OUTBOX_PENDING);
    dg_store_outbox_free(rows, n);
    assert_int_equal(dg_store_outbox_mark_failed(f->s, id, "connection refused", &err), 0);
    assert_int_equal(dg_store_outbox_pending(f->s, NULL, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].state, DG_OUTBOX_FAILED);
    assert_int_equal(rows[0].attempts, 1);
    assert_string_equal(rows[0].last_error, "connection refused");
    dg_store_outbox_free(rows, n);
    assert_int_equal(dg_store_outbox_mark_sent(f->s, id, &err), 0);
    assert_int_equal(dg_store_outbox_mark_sent(f->s, id, &err), 0); /* idempotent */
    assert_int_equal(dg_store_outbox_pending(f->s, "northwind", &rows, &n, &err), 0);
    assert_int_equal(n, 0);
    free(rows);
    dg_outbox_entry e;
    assert_int_equal(dg_store_outbox_get(f->s, id, &e, &err), 0);
    assert_string_equal(e.state, DG_OUTBOX_SENT);
    assert_int_equal(e.attempts, 2);
    assert_true(e.sent_at > 0);
    dg_store_outbox_entry_clear(&e);
    /* A late failure report does not un-send it. */
    assert_int_equal(dg_store_outbox_mark_failed(f->s, id, "late", &err), 0);
    assert_int_equal(dg_store_outbox_get(f->s, id, &e, &err), 0);
    assert_string_equal(e.state, DG_OUTBOX_SENT);
    dg_store_outbox_entry_clear(&e);
    assert_int_equal(dg_store_outbox_get(f->s, 999, &e, &err), DG_ENOTFOUND);
    assert_int_equal(dg_store_outbox_mark_sent(f->s, 999, &err), DG_ENOTFOUND);
}

static void documents_found_by_source_position(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    int64_t fid = 0, did = 0, found = 0;
    assert_int_equal(dg_store_file_add(f->s, "dd", "shop", "in", "o.csv", 5, &fid, &err), 0);
    assert_int_equal(dg_store_document_find(f->s, fid, 2, "order", &found, &err), 0);
    assert_int_equal(found, 0);
    assert_int_equal(dg_store_document_add(f->s, "order", "shop", fid, 2, NULL, NULL, NULL, "{}",
                                           "CONVERTED", &did, &err),
                     0);
    assert_int_equal(dg_store_document_find(f->s, fid, 2, "order", &found, &err), 0);
    assert_int_equal(found, did);
    assert_int_equal(dg_store_document_find(f->s, fid, 3, "order", &found, &err), 0);
    assert_int_equal(found, 0);
    /* With a content hash: the same document again at that position is refused by the
     * schema, a different one (two XML orders on one line) is its own record. */
    int64_t a = 0, b = 0;
    assert_int_equal(dg_store_document_add_sha(f->s, "order", "shop", fid, 7, NULL, NULL, NULL,
                                               "{1}", "aa", "CONVERTED", &a, &err),
                     0);
    assert_int_equal(dg_store_document_add_sha(f->s, "order", "shop", fid, 7, NULL, NULL, NULL,
                                               "{1}", "aa", "CONVERTED", &b, &err),
                     DG_ESTATE);
    assert_int_equal(dg_store_document_add_sha(f->s, "order", "shop", fid, 7, NULL, NULL, NULL,
                                               "{2}", "bb", "CONVERTED", &b, &err),
                     0);
    assert_int_equal(dg_store_document_find_sha(f->s, fid, 7, "order", "aa", &found, &err), 0);
    assert_int_equal(found, a);
    assert_int_equal(dg_store_document_find_sha(f->s, fid, 7, "order", "bb", &found, &err), 0);
    assert_int_equal(found, b);
    assert_int_equal(dg_store_document_find_sha(f->s, fid, 7, "order", "cc", &found, &err), 0);
    assert_int_equal(found, 0);
    assert_int_equal(dg_store_document_find(f->s, fid, 7, "order", &found, &err), 0);
    assert_int_equal(found, 0); /* no hash given: only rows recorded without one */
}

static void bad_arguments_are_einval(void **state)
{
    fx *f = *state;
    dg_error err = {0};
    dg_store *s = NULL;
    assert_int_equal(dg_store_open("", &s, &err), DG_EINVAL);
    dg_pickup_key k = {0};
    dg_pickup_info info;
    assert_int_equal(dg_store_pickup_lookup(f->s, &k, &info, &err), DG_EINVAL);
    int64_t v;
    assert_int_equal(dg_store_next_control(f->s, NULL, DG_CTL_SET, &v, &err), DG_EINVAL);
    assert_int_equal(dg_store_exec(f->s, "SELECT nonsense FROM nowhere", &err), DG_ESTATE);
    assert_non_null(strstr(err.msg, "nowhere"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(migrates_from_empty_and_reopens, setup, teardown),
        cmocka_unit_test_setup_teardown(migrates_from_version_1, setup, teardown),
        cmocka_unit_test_setup_teardown(migrates_shipment_key_from_version_4, setup, teardown),
        cmocka_unit_test_setup_teardown(migrates_line_statuses_from_version_17, setup, teardown),
        cmocka_unit_test_setup_teardown(refuses_newer_schema_and_non_database, setup, teardown),
        cmocka_unit_test_setup_teardown(nested_transactions_roll_back_inner_only, setup, teardown),
        cmocka_unit_test_setup_teardown(file_add_is_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(pickups_are_unique_per_version_of_a_file, setup, teardown),
        cmocka_unit_test_setup_teardown(control_numbers_monotonic_and_transactional, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(control_numbers_two_connections_never_collide, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(control_numbers_three_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(control_numbers_for_several_sets, setup, teardown),
        cmocka_unit_test_setup_teardown(outbox_exactly_once_bookkeeping, setup, teardown),
        cmocka_unit_test_setup_teardown(documents_found_by_source_position, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_arguments_are_einval, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
