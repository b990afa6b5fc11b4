/* One gateway instance per PostgreSQL store, until partner leases exist (issue 13).
 *
 * On SQLite the gateway's lock file (dg_gw_lock) already keeps a second daemon out: the store is
 * a file beside it. A PostgreSQL store is shared by location, so two daemons with different state
 * folders would both pass their lock files and poll the same drops. Exactly-once pickup and the
 * PO rules are unique constraints, but two pollers racing on one file turn those into failed
 * transactions and quarantines, so a second instance is refused here instead. The claim is a
 * session-level advisory lock on its own connection: the server drops it when the process dies
 * (kill -9 included), so a restarted instance is never locked out by a dead one. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/store.h"

/* Any fixed key: one per database. ('dgin' as ASCII.) */
#define INSTANCE_LOCK_KEY "1684498798"

struct dg_store_claim {
    dg_db *db;
};

int dg_store_instance_claim(const char *location, dg_store_claim **out, dg_error *err)
{
    *out = NULL;
    dg_db *db = NULL;
    if (strncmp(location, "postgresql://", 13) && strncmp(location, "postgres://", 11))
        return 0; /* SQLite: the lock file beside the database is the claim */
    int rc = dg_db_open(location, &db, err);
    if (rc)
        return rc;
    dg_stmt *st = NULL;
    rc = dg_db_prepare(db, "SELECT pg_try_advisory_lock(" INSTANCE_LOCK_KEY ")", &st, err);
    if (!rc && dg_stmt_step(st) != DG_DB_ROW)
        rc =
            dg_error_set(err, DG_ESTATE, "%s: instance lock: %s", dg_db_name(db), dg_db_errmsg(db));
    if (!rc) {
        const char *v = dg_stmt_text(st, 0);
        if (!v || (*v != 't' && *v != '1'))
            rc = dg_error_set(err, DG_ELOCKED,
                              "%s: another dropgate instance is using this state store (one "
                              "instance per PostgreSQL store until partner leases exist)",
                              dg_db_name(db));
    }
    dg_stmt_finalize(st);
    if (rc) {
        dg_db_close(db);
        return rc;
    }
    dg_store_claim *c = malloc(sizeof *c);
    if (!c) {
        dg_db_close(db);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    c->db = db;
    *out = c;
    return 0;
}

void dg_store_instance_release(dg_store_claim *c)
{
    if (!c)
        return;
    dg_db_close(c->db); /* closing the session releases the advisory lock */
    free(c);
}
