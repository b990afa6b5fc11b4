/* The store tests' second backend: a database per store path on the harness's PostgreSQL,
 * created through libpq from the fixture's state file (tests/support/pg_server.sh). */
#include "pgtest.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char *program_invocation_short_name;

typedef struct made {
    char *path;
    char *uri;
} made;
static made g_made[256];
static size_t g_n_made;

bool dg_test_pg(void)
{
    const char *v = getenv("DG_TEST_PG");
    return v && *v;
}

bool dg_test_sqlite_only(const char *why)
{
    if (!dg_test_pg())
        return false;
    printf("SKIP on PostgreSQL: %s\n", why);
    return true;
}

/* The server's socket folder from the state file, or exit: 77 with the reason when the fixture
 * skipped (no package), 1 when it is missing (the fixture did not run). */
static const char *socket_dir(void)
{
    static char dir[512];
    if (dir[0])
        return dir;
    const char *state = getenv("DG_TEST_PG");
    FILE *f = fopen(state, "r");
    if (!f) {
        fprintf(stderr, "%s: %s (the pg fixture did not start a server)\n", state, strerror(errno));
        exit(1);
    }
    char line[512] = "";
    if (!fgets(line, sizeof line, f))
        line[0] = 0;
    fclose(f);
    line[strcspn(line, "\n")] = 0;
    if (!strncmp(line, "SKIP", 4)) {
        printf("%s\n", line);
        exit(DG_TEST_SKIP_CODE);
    }
    snprintf(dir, sizeof dir, "%s", line);
    return dir;
}

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

/* Runs sql in database db of the test server, or exits. */
static void admin(const char *sql, const char *db)
{
    char conninfo[700];
    snprintf(conninfo, sizeof conninfo, "host=%s user=dgtest dbname=%s", socket_dir(), db);
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "pg test server: %s", PQerrorMessage(c));
        exit(1);
    }
    PQsetNoticeProcessor(c, quiet, NULL);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "pg test server: %s: %s", sql, PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
    PQfinish(c);
}

/* The test's own database, made (afresh) at its first store: dgt_<program>. */
static const char *test_database(void)
{
    static char name[64];
    if (name[0])
        return name;
    char prog[40];
    snprintf(prog, sizeof prog, "%s", program_invocation_short_name);
    for (char *p = prog; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            *p = '_';
    char sql[200];
    snprintf(name, sizeof name, "dgt_%s", prog);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
    admin(sql, "postgres");
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    admin(sql, "postgres");
    return name;
}

const char *dg_test_store_location(const char *sqlite_path)
{
    if (!dg_test_pg())
        return sqlite_path;
    bool memory = !strcmp(sqlite_path, ":memory:");
    for (size_t i = 0; i < g_n_made && !memory; i++)
        if (!strcmp(g_made[i].path, sqlite_path))
            return g_made[i].uri;
    if (g_n_made == sizeof g_made / sizeof *g_made) {
        fprintf(stderr, "pgtest: more than %zu stores in one test\n", g_n_made);
        exit(1);
    }
    /* A store is a schema of the test's database (a database each would cost half a second to
     * create): the connection's search_path puts everything the store makes there. */
    const char *db = test_database();
    char schema[32], sql[200];
    snprintf(schema, sizeof schema, "s%zu", g_n_made + 1);
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
    admin(sql, db);
    char uri[800];
    snprintf(uri, sizeof uri, "postgresql:///%s?host=%s&user=dgtest&options=-csearch_path%%3D%s",
             db, socket_dir(), schema);
    g_made[g_n_made].path = strdup(sqlite_path);
    g_made[g_n_made].uri = strdup(uri);
    return g_made[g_n_made++].uri;
}
