/* Which database a store test opens: SQLite by default, or, when ctest runs the test a second
 * time with the `pg` fixture (DG_TEST_PG = the fixture's state file), a fresh PostgreSQL
 * database on the harness's private server (tests/support/pg_server.sh). */
#ifndef DG_PGTEST_H
#define DG_PGTEST_H

#include <stdbool.h>

/* Exit status ctest reads as "skipped" (SKIP_RETURN_CODE of the tests registered for pg). */
#define DG_TEST_SKIP_CODE 77

/* True when this run is the PostgreSQL one. */
bool dg_test_pg(void);
/* The location to open for a store the test keeps at sqlite_path: sqlite_path itself, or on
 * the pg run the URI of a fresh PostgreSQL schema (in the test's own database, dgt_<program>)
 * made for that path the first time it is asked for (so a test that reopens its path reopens
 * the same store; ":memory:" is a new one every time).
 * When the pg run cannot reach its server it prints why and exits DG_TEST_SKIP_CODE when the
 * package is missing, or fails when the server is broken. The string lives until exit. */
const char *dg_test_store_location(const char *sqlite_path);
/* The pg run: prints "SKIP: why" for a case that only means something on SQLite. Returns true
 * (the caller returns) on the pg run, false otherwise. */
bool dg_test_sqlite_only(const char *why);

#endif
