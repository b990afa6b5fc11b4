/* The migrations of schema.c as PostgreSQL runs them: the same SQL, with the few differences
 * translated here (the backend itself reads INTEGER as BIGINT, INTEGER PRIMARY KEY as an
 * identity column), and the migrating instance alone under an advisory lock. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/store_internal.h"

/* Any 64-bit key, the same for every dropgate: instances starting together take turns. */
#define MIGRATION_LOCK "4729115330"

static bool word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Foreign keys are not declared on PostgreSQL: the first migration names tables before they
 * exist (SQLite resolves a reference when it is used, PostgreSQL when it is declared), and the
 * rebuilds (copy, DROP TABLE, rename: SQLite cannot alter a CHECK) drop tables that others
 * reference, which PostgreSQL refuses. "REFERENCES t(c)" is left out; the store's code keeps
 * the references, as it does on SQLite. */
char *st_pg_migration_sql(const char *sql)
{
    size_t len = strlen(sql);
    char *out = malloc(len + 1), *o = out;
    if (!out)
        return NULL;
    const char *p = sql;
    while (*p) {
        if (*p == '\'') { /* a string: copied whole ('' stays inside) */
            const char *q = p + 1;
            while (*q && !(*q == '\'' && q[1] != '\''))
                q += *q == '\'' ? 2 : 1;
            if (*q)
                q++;
            memcpy(o, p, (size_t)(q - p));
            o += q - p;
            p = q;
            continue;
        }
        if ((p == sql || !word_char(p[-1])) && !strncasecmp(p, "REFERENCES", 10) &&
            !word_char(p[10])) {
            const char *q = p + 10;
            while (isspace((unsigned char)*q))
                q++;
            while (word_char(*q))
                q++;
            while (isspace((unsigned char)*q))
                q++;
            if (*q == '(') {
                const char *close = strchr(q, ')');
                q = close ? close + 1 : q + strlen(q);
            }
            while (o > out && o[-1] == ' ') /* " REFERENCES t(id)" goes whole */
                o--;
            p = q;
            continue;
        }
        *o++ = *p++;
    }
    *o = 0;
    return out;
}

/* A rebuild copies rows with their ids into a new table whose identity starts at 1: each
 * identity is moved past the largest id, so the next insert does not collide. */
int st_pg_reset_identities(dg_store *s, dg_error *err)
{
    return dg_store_exec(
        s,
        "DO $$ DECLARE r record; BEGIN"
        " FOR r IN SELECT table_name FROM information_schema.columns"
        "  WHERE table_schema = current_schema() AND column_name = 'id'"
        "  AND is_identity = 'YES' LOOP"
        "  EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L),"
        "   (SELECT coalesce(max(id), 0) + 1 FROM %I), false)', r.table_name, 'id',"
        "   r.table_name);"
        " END LOOP; END $$",
        err);
}

/* Session lock around the whole migration (the migrations table's creation included): a second
 * instance waits, then finds the versions applied. */
int st_pg_migration_lock(dg_store *s, bool take, dg_error *err)
{
    return dg_store_exec(s,
                         take ? "SELECT pg_advisory_lock(" MIGRATION_LOCK ")"
                              : "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")",
                         err);
}
