/* The state store: one database (SQLite with WAL by default, or PostgreSQL; db.h is the layer
 * under it and the SQL dialect both accept; versioned schema with migrations) holding files seen,
 * pickups, documents, orders, supplier POs, the outbox, control numbers, stock, catalog,
 * shipments, invoices and notifications. The flow (src/flow) owns the business rules; this module
 * owns the schema, transactions and the small record-keeping calls the gateway makes itself.
 *
 * Transactions: dg_store_begin starts BEGIN IMMEDIATE (SQLite; BEGIN on PostgreSQL); a begin inside
 * an open transaction becomes a SAVEPOINT, so the flow's calls (each one transaction) compose
 * inside the gateway's "one transaction per picked-up file". Every function below that changes
 * state is atomic on its own: it opens (or nests in) a transaction and rolls its part back on
 * error.
 *
 * All times are seconds since the epoch (UTC). Strings returned in structs are malloc'd and freed
 * by the matching *_free call. Not thread-safe: one dg_store per thread. The exclusive
 * one-daemon-per-database lock is the gateway's (dg_gw_lock). */
#ifndef DG_STORE_STORE_H
#define DG_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/decimal.h"
#include "core/error.h"
#include "store/db.h"

struct json_t;

typedef struct dg_store dg_store;

/* Current schema version (PRAGMA user_version after dg_store_open). */
#define DG_STORE_SCHEMA_VERSION 20

/* ---- open / close / transactions --------------------------------------------------------- */

/* Opens (creating when absent) the database at path: WAL journal, synchronous=FULL,
 * foreign_keys=ON, busy timeout 10 s, then applies every pending migration (each in its own
 * transaction, recorded in table "migrations"). ":memory:" works for tests.
 * DG_ESTATE when the file is not a dropgate database or is newer than this build. */
int dg_store_open(const char *path, dg_store **out, dg_error *err);
void dg_store_close(dg_store *s);

/* For migration tests: opens and migrates only up to schema version target (1..current). */
int dg_store_open_version(const char *path, int target, dg_store **out, dg_error *err);

/* PRAGMA user_version of the open database (== DG_STORE_SCHEMA_VERSION after open). */
int dg_store_schema_version(dg_store *s);

/* BEGIN IMMEDIATE (depth 0) or SAVEPOINT (nested). Every begin must be matched by exactly one
 * commit or rollback. */
int dg_store_begin(dg_store *s, dg_error *err);
/* COMMIT (depth 1) or RELEASE of the innermost savepoint. On failure the transaction is rolled
 * back (the depth still drops by one) and DG_ESTATE returned - or DG_ELOCKED when a fence is set
 * (dg_store_fence) and this instance no longer holds that lease. */
int dg_store_commit(dg_store *s, dg_error *err);
/* ROLLBACK (depth 1) or ROLLBACK TO + RELEASE of the innermost savepoint. Never fails the caller.
 */
void dg_store_rollback(dg_store *s);
/* Transaction nesting depth: 0 outside any transaction. */
int dg_store_depth(const dg_store *s);

/* Whether the last DG_ESTATE of this process is worth retrying: a locked or busy database, a
 * full disk, an I/O error (true) - or not: a corrupt file, not a database, a newer schema, a
 * read-only file (false). Used by the daemon to back off instead of exiting. */
bool dg_store_failure_retryable(void);
/* Tests only: after `after` more successful COMMITs every COMMIT of s fails as a full disk
 * would ("database or disk is full", rolled back, DG_ESTATE); after < 0 turns it off. */
void dg_store_debug_fail_commits(dg_store *s, long after);

/* The database under the store (db.h), for the flow module; others use the calls here. */
dg_db *dg_store_db(dg_store *s);
/* Runs SQL text with no result rows (several statements allowed); DG_ESTATE with the
 * database's message on failure. For migrations, tests and maintenance. */
int dg_store_exec(dg_store *s, const char *sql, dg_error *err);
/* A prepared statement for sql, cached per store and reset with its bindings cleared; sql must
 * be a string that lives as long as the store (a literal). DG_ESTATE on a bad statement. */
int dg_store_prepare(dg_store *s, const char *sql, dg_stmt **stmt, dg_error *err);
/* Fills err with "what: <database message>" and returns DG_ESTATE (helper for the flow module).
 */
int dg_store_fail(dg_store *s, dg_error *err, const char *what);
/* Steps an INSERT ... RETURNING id (prepared and bound) once and reads the id; resets st.
 * DG_ESTATE "what: ..." when it fails or returns no row. */
int dg_store_step_id(dg_store *s, dg_stmt *st, int64_t *id, dg_error *err, const char *what);

/* ---- leases: several instances on one store (lease.c, issue 13) ------------------------ */

/* A named lease ("poll:<partner>", "send:<partner>", "shared") is held by one instance at a
 * time. Claimed with one conditional upsert (ON CONFLICT ... DO UPDATE ... WHERE the lease ran
 * out or is the claimer's own, RETURNING): one winner, nobody waits - the same as the
 * SELECT ... FOR UPDATE SKIP LOCKED of the issue, and it runs on SQLite too. Expiry is read on
 * the DATABASE's clock (PostgreSQL's clock_timestamp()), so instances on machines with skewed
 * clocks agree; on SQLite, the one machine's clock. Times here are milliseconds. */
typedef struct dg_lease_claim {
    bool won;
    char holder[160];      /* who holds it now (the claimer when won) */
    char previous[160];    /* won: the holder whose lease ran out and was taken over, or "" */
    int64_t expires_in_ms; /* lost: how long the other holder's lease still runs */
} dg_lease_claim;
/* Claims or renews name for holder for ttl_ms (its own statement: call outside a transaction).
 * Not won is not an error: out->won false, out->holder the other instance. */
int dg_store_lease_claim(dg_store *s, const char *name, const char *holder, int64_t ttl_ms,
                         dg_lease_claim *out, dg_error *err);
/* Gives name (NULL: every lease of holder) back at once: another instance may claim it now. */
int dg_store_lease_release(dg_store *s, const char *name, const char *holder, dg_error *err);
/* FENCING. While a fence is set, every outermost COMMIT of s first renews that lease for
 * holder in the same transaction (UPDATE leases ... WHERE name AND holder): when that touches
 * no row - the lease ran out while this instance stalled and another took it, or it was
 * released - the transaction is rolled back and DG_ELOCKED returned, so a stalled instance
 * never commits work another instance now owns. name NULL clears the fence. */
void dg_store_fence(dg_store *s, const char *name, const char *holder, int64_t ttl_ms);
/* How many instances are alive: "instance:<id>" leases that run now (each instance renews its
 * own as a heartbeat); those that ran out over an hour ago are deleted first. */
int dg_store_lease_live_instances(dg_store *s, long *n, dg_error *err);
/* Inside a transaction: waits until no other instance holds the lock name in an open
 * transaction, then holds it until this one ends (PostgreSQL: an advisory transaction lock;
 * SQLite: nothing to do, writers are serialized). For work that must not run twice at once on
 * a shared store (reloading the catalog). */
int dg_store_tx_lock(dg_store *s, const char *name, dg_error *err);
/* Every lease: name, holder, expires_in_ms (negative: ran out; absent once released), held
 * (0/1), released (0/1: given back, not run out), held_for_ms, previous, takeovers - for
 * `status`. */
int dg_store_leases_json(dg_store *s, struct json_t **out, dg_error *err);

/* Online backup (backup.c): a consistent copy of the whole store into dest, taken from one
 * snapshot while others keep writing; written as dest.part.PID, synced, renamed over dest.
 * Restore: stop the gateway, copy the file to var/dropgate.db (removing -wal and -shm). */
int dg_store_backup(dg_store *s, const char *dest, dg_error *err);

/* Time source: time(NULL) unless a test pinned it (0 unpins). Used for created/sent/ack stamps. */
int64_t dg_store_now(const dg_store *s);
void dg_store_set_now(dg_store *s, int64_t now);

/* ---- archived files ---------------------------------------------------------------------- */

/* Records a file archived under sha256 (64 hex) for partner; direction "in" or "out".
 * Idempotent: the same (sha256, partner, direction, name) returns the existing id. */
int dg_store_file_add(dg_store *s, const char *sha256, const char *partner, const char *direction,
                      const char *name, uint64_t size, int64_t *file_id, dg_error *err);

/* ---- pickups (exactly-once receipt, issue #4) ------------------------------------------- */

typedef enum {
    DG_PICKUP_NEW = 0,     /* not recorded (or recorded but not finished): process it */
    DG_PICKUP_DONE,        /* processed: only the after-pickup action may still be due */
    DG_PICKUP_QUARANTINED, /* rejected with a reason; never processed again */
    DG_PICKUP_PARTIAL,     /* X12: some sets applied, the others rejected (see x12_sets) */
} dg_pickup_state;

/* The identity of one remote file version: UNIQUE(partner, path, size, mtime, sha256). */
typedef struct dg_pickup_key {
    const char *partner;
    const char *path; /* remote path, relative to the transport root */
    uint64_t size;
    int64_t mtime;
    const char *sha256; /* 64 hex digits */
} dg_pickup_key;

typedef struct dg_pickup_info {
    int64_t id; /* 0 when not recorded */
    dg_pickup_state state;
    bool remote_done; /* the remote file was deleted/moved (after-pickup action done) */
    int64_t file_id;  /* archived file, 0 when none */
} dg_pickup_info;

/* A finished pickup (done, partial or quarantined) of this partner's path with this size and
 * mtime exists: the version was seen, whatever its hash (lets a poll skip the download). */
int dg_store_pickup_seen(dg_store *s, const char *partner, const char *path, uint64_t size,
                         int64_t mtime, bool *seen, dg_error *err);
/* What the store knows about this exact pickup; info->id == 0 and state NEW when unknown. */
int dg_store_pickup_lookup(dg_store *s, const dg_pickup_key *k, dg_pickup_info *info,
                           dg_error *err);
/* Records (insert, or update the state of an existing row) the pickup with its outcome. Call it
 * inside the same transaction as the documents the file became. reason and quarantine_path are
 * for DG_PICKUP_QUARANTINED (may be NULL otherwise); file_id 0 for none. */
int dg_store_pickup_record(dg_store *s, const dg_pickup_key *k, dg_pickup_state state,
                           const char *reason, const char *quarantine_path, int64_t file_id,
                           int64_t *pickup_id, dg_error *err);
/* Sets remote_done once the remote file is deleted/moved. DG_ENOTFOUND when not recorded. */
int dg_store_pickup_mark_remote_done(dg_store *s, const dg_pickup_key *k, dg_error *err);

/* The pickup that recorded file_id (the newest when several did): its partner and remote path
 * (malloc'd, freed by the caller), state and sha256. DG_ENOTFOUND when none did. */
typedef struct dg_pickup_row {
    int64_t id, file_id;
    char *partner, *path, *reason;
    char sha256[65];
    uint64_t size;
    int64_t mtime;
    dg_pickup_state state;
} dg_pickup_row;
int dg_store_pickup_by_file(dg_store *s, int64_t file_id, dg_pickup_row *row, dg_error *err);
void dg_store_pickup_row_clear(dg_pickup_row *row);
/* Sets the state (and reason) of pickup id: a reprocess that applied the rest of a file. */
int dg_store_pickup_set_state(dg_store *s, int64_t id, dg_pickup_state state, const char *reason,
                              dg_error *err);

/* ---- X12 sets and interchanges (routing by envelope, store_x12.c) ----------------------- */

typedef enum { DG_X12SET_NONE = 0, DG_X12SET_APPLIED, DG_X12SET_REJECTED } dg_x12set_state;

/* One received transaction set: position is its ST segment number in the file (the same on a
 * reprocess of that file), partner the partner its sender was routed to, sender "QUAL/ID". */
typedef struct dg_x12set_rec {
    int64_t file_id;
    long position;
    const char *partner, *sender;
    const char *interchange_control, *group_control, *set_control, *set_id, *version;
} dg_x12set_rec;

/* Records (or updates) the outcome of a set; reason for a rejected one. */
int dg_store_x12set_record(dg_store *s, const dg_x12set_rec *r, dg_x12set_state state,
                           const char *reason, dg_error *err);
/* The recorded state of the set at (file_id, position): DG_X12SET_NONE when never recorded. */
int dg_store_x12set_state(dg_store *s, int64_t file_id, long position, dg_x12set_state *state,
                          dg_error *err);
/* Sets of file_id in each state (for tests, status and the reprocess summary). */
int dg_store_x12set_count(dg_store *s, int64_t file_id, dg_x12set_state state, long *n,
                          dg_error *err);

/* Files recorded PARTIAL (some X12 sets rejected), oldest first: for status and reprocess. */
typedef struct dg_partial_file {
    int64_t file_id;
    char partner[64];
    char path[256];
    char reason[512];
    int64_t at;
} dg_partial_file;
int dg_store_partial_files(dg_store *s, dg_partial_file **rows, size_t *n, dg_error *err);

/* Remembers that interchange control (ISA13) from sender ("QUAL/ID") was applied from file_id. */
int dg_store_interchange_add(dg_store *s, const char *sender, const char *control, int64_t file_id,
                             dg_error *err);
/* The latest receipt of (sender, control) at or after since from a file other than
 * except_file_id: *file_id and *at, or *file_id 0 when none. */
int dg_store_interchange_find(dg_store *s, const char *sender, const char *control, int64_t since,
                              int64_t except_file_id, int64_t *file_id, int64_t *at, dg_error *err);

/* ---- documents --------------------------------------------------------------------------- */

/* Looks up a document already recorded from (file_id, position, kind): *doc_id 0 when none.
 * The flow uses it to make every ingest idempotent under replay of the same file. */
int dg_store_document_find(dg_store *s, int64_t file_id, long position, const char *kind,
                           int64_t *doc_id, dg_error *err);
/* Records a document: kind ("order", "shipment", "invoice", "stock", "ack"), its source file
 * (0: none), position in the file, envelope control numbers (may be NULL), the canonical JSON for
 * replay, and the outcome the flow gave it. */
int dg_store_document_add(dg_store *s, const char *kind, const char *partner, int64_t file_id,
                          long position, const char *interchange_control, const char *group_control,
                          const char *set_control, const char *json, const char *outcome,
                          int64_t *doc_id, dg_error *err);

/* The same keyed also by the SHA-256 of the document's canonical JSON, so two different documents
 * at one file position (e.g. XML orders on one line) are told apart while a replay of the same
 * document is found. content_sha256 NULL matches rows recorded without one. */
int dg_store_document_find_sha(dg_store *s, int64_t file_id, long position, const char *kind,
                               const char *content_sha256, int64_t *doc_id, dg_error *err);
int dg_store_document_add_sha(dg_store *s, const char *kind, const char *partner, int64_t file_id,
                              long position, const char *interchange_control,
                              const char *group_control, const char *set_control, const char *json,
                              const char *content_sha256, const char *outcome, int64_t *doc_id,
                              dg_error *err);

/* ---- control numbers --------------------------------------------------------------------- */

typedef enum {
    DG_CTL_INTERCHANGE = 0, /* ISA13, 1..999999999 */
    DG_CTL_GROUP,           /* GS06, 1..999999999 */
    DG_CTL_SET,             /* ST02, 1..999999999 (rendered with at least 4 digits) */
} dg_control_kind;

/* Next control number for partner (per kind): strictly increasing, wrapping to 1 after
 * 999999999. Runs in (or nests in) a transaction, so a rolled-back caller gives the number back
 * and two callers never get the same number. */
int dg_store_next_control(dg_store *s, const char *partner, dg_control_kind kind, int64_t *out,
                          dg_error *err);
/* The last number handed out (0 when none yet), for status and tests. */
/* The next ISA, GS and ST numbers of partner at once (out[DG_CTL_INTERCHANGE] ...): one
 * statement, atomic on both backends, given back with the caller's transaction. */
int dg_store_next_controls(dg_store *s, const char *partner, int64_t out[3], dg_error *err);
/* The same for a file of n_sets transaction sets: out[DG_CTL_SET] is the first set's ST02, the
 * others follow it (+1 each); the ST counter moves on by n_sets (wrapping to 1 as a whole). */
int dg_store_next_controls_n(dg_store *s, const char *partner, int64_t n_sets, int64_t out[3],
                             dg_error *err);
int dg_store_last_control(dg_store *s, const char *partner, dg_control_kind kind, int64_t *out,
                          dg_error *err);

/* ---- outbox (exactly-once sending) ------------------------------------------------------- */

#define DG_OUTBOX_PENDING "PENDING"
#define DG_OUTBOX_SENT "SENT"
#define DG_OUTBOX_FAILED "FAILED" /* last attempt failed; still retried (same file, same name) */

typedef struct dg_outbox_entry {
    int64_t id;
    char *partner;
    char *kind;      /* "po", "tracking", "ack" */
    char *ref;       /* PO number, shipment ref, control number... */
    char *file_name; /* the remote name; UNIQUE per partner */
    char *content_sha256;
    char *local_path; /* rendered file, kept until sent (and after, for the archive) */
    char *state;      /* DG_OUTBOX_* */
    int attempts;
    char *last_error;
    int64_t created_at, sent_at;
} dg_outbox_entry;

/* Adds a rendered file for partner. Idempotent on (partner, file_name): an existing entry is left
 * unchanged and its id returned with *existed = true (existed may be NULL). */
int dg_store_outbox_add(dg_store *s, const char *partner, const char *kind, const char *ref,
                        const char *file_name, const char *content_sha256, const char *local_path,
                        int64_t *id, bool *existed, dg_error *err);
/* Entries of partner not yet sent (PENDING and FAILED), oldest first; partner NULL: all. POs an
 * operator holds (dg_store_po_op_hold) are left out until released. */
int dg_store_outbox_pending(dg_store *s, const char *partner, dg_outbox_entry **rows, size_t *n,
                            dg_error *err);
/* The same a page at a time: the first limit (> 0) entries with an id above after_id. */
int dg_store_outbox_pending_page(dg_store *s, const char *partner, int64_t after_id, size_t limit,
                                 dg_outbox_entry **rows, size_t *n, dg_error *err);
int dg_store_outbox_get(dg_store *s, int64_t id, dg_outbox_entry *row, dg_error *err);
void dg_store_outbox_entry_clear(dg_outbox_entry *row);
void dg_store_outbox_free(dg_outbox_entry *rows, size_t n);
/* Marks an entry SENT after a confirmed upload (only the outbox row; dg_flow_outbox_sent also
 * moves the PO or notification it carries). Idempotent. */
int dg_store_outbox_mark_sent(dg_store *s, int64_t id, dg_error *err);
/* Records a failed attempt (attempts + 1, last_error, state FAILED); the entry stays pending. */
/* A write that changes nothing, committed (its own transaction): proves the store can record a
 * sent mark now, before anything is uploaded or posted (id: the outbox entry to touch, or 0).
 * DG_ESTATE when it cannot (full, locked). */
int dg_store_outbox_probe(dg_store *s, int64_t id, dg_error *err);
int dg_store_outbox_mark_failed(dg_store *s, int64_t id, const char *error, dg_error *err);

/* ---- POs sharing a file (po_file.c) ---------------------------------------------------- */

/* Links a PO not yet in the outbox to outbox entry outbox_id (a file that may carry several POs)
 * with its envelope numbers (NULL for non-X12; 997s match on GS06 + ST02) and whether a 997 is
 * expected. DG_EDUP when there is no such PO or it is already linked. */
int dg_store_po_link_outbox(dg_store *s, const char *po_number, int64_t outbox_id, const char *isa,
                            const char *gs, const char *st_control, bool expect_ack, dg_error *err);
/* How many POs outbox entry outbox_id carries (0 for files that carry none). */
int dg_store_outbox_pos(dg_store *s, int64_t outbox_id, int64_t *n, dg_error *err);
/* Outbox entry outbox_id went out: the QUEUED POs it carries become SENT (a 997 is expected)
 * or AWAITING_SHIPMENT, with their sent time, and its notifications SENT. *pos (may be NULL):
 * how many POs changed status. */
int dg_store_outbox_carried_sent(dg_store *s, int64_t outbox_id, size_t *pos, dg_error *err);
/* A PO's id, supplier and the outbox entry that carries it (outbox_id 0: not in the outbox
 * yet); *found false when there is no such PO. */
typedef struct dg_store_po_ref {
    int64_t id, outbox_id;
    char supplier[64];
} dg_store_po_ref;
int dg_store_po_ref_get(dg_store *s, const char *po_number, dg_store_po_ref *r, bool *found,
                        dg_error *err);

/* ---- held POs (po_hold.c) -------------------------------------------------------------- */

/* A PO whose file is not valid for its partner is held: not queued, not sent, visible with its
 * reason in `status` and `report orders`. Holding again with the same reason changes nothing
 * (*changed false: log once); a PO already in the outbox is never held. */
int dg_store_po_hold(dg_store *s, const char *po_number, const char *reason, bool *changed,
                     dg_error *err);
/* Clears the hold once a render succeeded (*was_held: it was held). */
int dg_store_po_release(dg_store *s, const char *po_number, bool *was_held, dg_error *err);

typedef struct dg_store_held_po {
    char po_number[64], supplier[64], storefront[64], order_number[64];
    char reason[1024];
    int64_t held_at;
} dg_store_held_po;

/* Every held PO, oldest hold first (malloc'd array). */
int dg_store_held_pos(dg_store *s, dg_store_held_po **rows, size_t *n, dg_error *err);

/* ---- amendment attempts (amend.c) ----------------------------------------------------- */

/* The canonical JSON of the document a placed order came from (malloc'd; NULL when unknown). */
int dg_store_order_json(dg_store *s, int64_t order_id, char **json, dg_error *err);
/* Records that the order was sent again with other content (changed: which parts, e.g.
 * "lines, ship_to"); the order itself is left as placed. */
int dg_store_amendment_add(dg_store *s, int64_t order_id, int64_t document_id, const char *changed,
                           dg_error *err);

typedef struct dg_store_amendment {
    char storefront[64], order_number[64];
    char changed[256];
    int64_t at;
} dg_store_amendment;

/* Every amendment attempt, oldest first (malloc'd array). */
int dg_store_amendments(dg_store *s, dg_store_amendment **rows, size_t *n, dg_error *err);

/* The same for a storefront's tracking file (notification id): held, released, listed (the PO
 * the shipment answers in po_number, the storefront in storefront; supplier empty). */
int dg_store_tracking_hold(dg_store *s, int64_t notification_id, const char *reason, bool *changed,
                           dg_error *err);
int dg_store_tracking_release(dg_store *s, int64_t notification_id, bool *was_held, dg_error *err);
int dg_store_held_tracking(dg_store *s, dg_store_held_po **rows, size_t *n, dg_error *err);

/* ---- operator actions (ops.c) ------------------------------------------------------- */
/* Records who (actor) did what (action: "hold", "release", "resend", "reprocess"...) to which
 * target (target_kind "po" or "file", target its number or id) and why (reason, may be NULL),
 * with detail (what it did, may be NULL), at dg_store_now. The audit trail of every operator
 * action, from the command line or the console. */
int dg_store_action_add(dg_store *s, const char *action, const char *target_kind,
                        const char *target, const char *actor, const char *reason,
                        const char *detail, dg_error *err);
/* The recorded actions (target_kind / target NULL: any), oldest first, as a JSON array of
 * {id, action, target_kind, target, actor, reason, detail, created_at}. */
int dg_store_actions(dg_store *s, const char *target_kind, const char *target, struct json_t **out,
                     dg_error *err);
/* What an operator action on a PO needs to know: its state, its operator hold, its validation
 * hold, its newest outbox entry (0 when never queued). DG_ENOTFOUND when there is no such PO. */
typedef struct dg_store_po_op {
    int64_t id;
    char supplier[64], status[32];
    bool op_held, validation_held;
    char op_hold_reason[512], op_hold_by[128];
    int64_t op_hold_at;
    int64_t outbox_id;
    char outbox_state[16];
} dg_store_po_op;
int dg_store_po_ops(dg_store *s, const char *po_number, dg_store_po_op *out, dg_error *err);
/* Sets (hold) or clears the operator hold of a PO. A held PO is not uploaded
 * (dg_store_outbox_pending leaves its entries out) until released. DG_ENOTFOUND: no such PO. */
int dg_store_po_op_hold(dg_store *s, const char *po_number, const char *actor, const char *reason,
                        bool hold, dg_error *err);
/* POs an operator holds, oldest hold first: a JSON array of {po_number, supplier, order_number,
 * held_by, reason, held_at} (for `status`). */
int dg_store_op_held_pos(dg_store *s, struct json_t **out, dg_error *err);
/* Puts a SENT outbox entry back to PENDING (same name, same bytes): the next send uploads it
 * once more. DG_EDUP when it is not sent yet (it leaves anyway, once). */
int dg_store_outbox_resend(dg_store *s, int64_t id, dg_error *err);
/* Records the control numbers of a PO rendered again (a resend with new control numbers); a PO
 * its supplier had rejected goes back to SENT, waiting for the 997 of the new numbers. */
int dg_store_po_set_controls(dg_store *s, const char *po_number, const char *isa, const char *gs,
                             const char *st_control, dg_error *err);
/* One reprocess of a received file: a child row of the file (parent_file_id), with the state of
 * its pickup before and after and the documents applied now and found applied before. */
typedef struct dg_store_reprocess {
    int64_t parent_file_id, pickup_id;
    const char *state_before, *state_after;
    long applied, already;
    const char *reason, *actor;
} dg_store_reprocess;
int dg_store_reprocess_add(dg_store *s, const dg_store_reprocess *r, dg_error *err);
/* Documents recorded from file_id. */
int dg_store_file_documents(dg_store *s, int64_t file_id, long *n, dg_error *err);
/* Quarantined files that were archived (reprocess candidates) of partner (NULL: all), oldest
 * first (malloc'd array). */
int dg_store_quarantined_files(dg_store *s, const char *partner, dg_partial_file **rows, size_t *n,
                               dg_error *err);
/* ---- operator look-ups (search.c, story.c) ------------------------------------------- */

/* Every record that carries text as a business number: orders (order number), POs (PO number, the
 * order's number, ISA13/GS06/ST02 sent), shipments (shipment id, tracking number or SSCC, PO),
 * invoices (invoice number, PO), documents received (ISA13/GS06/ST02), archived files (name or a
 * SHA-256 prefix of 8+ hex digits), pickups not archived or quarantined (name), outbox entries
 * (file name). A JSON array of {kind, id, key, partner, matched, status, at, sha256 (files), note
 * (hold reason, quarantine reason, last send error)}, oldest first; empty when nothing matches.
 * Caller json_decref's it. */
int dg_store_search(dg_store *s, const char *text, struct json_t **hits, dg_error *err);

/* Files quarantined so far (pickups in state QUARANTINED), for `status`. */
int dg_store_quarantined_count(dg_store *s, int64_t *n, dg_error *err);

/* The whole story of one supplier PO: the PO (status, times, ISA13/GS06/ST02, 997/999 status,
 * hold reason, its order) with "lines", "sent" (outbox entries with file name, state, attempts,
 * SHA-256 of the archived copy), "acks" (997/999 groups received for its GS06), "shipments"
 * (tracking numbers, source file) and "invoices" (outcome, open discrepancies, source file).
 * Amounts and quantities as exact decimal text. DG_ENOTFOUND when there is no such PO. */
int dg_store_po_story(dg_store *s, const char *po_number, struct json_t **out, dg_error *err);
/* The same for a storefront order (storefront NULL: any, DG_EINVAL when several have the
 * number): the order with "lines" (status and reason each), "amendments", "tracking_files" and
 * "pos" (the story of each of its POs). */
int dg_store_order_story(dg_store *s, const char *storefront, const char *order_number,
                         struct json_t **out, dg_error *err);

/* ---- the order life: supplier order status and its history (po_status.c, issue 11) ------ */

/* A supplier PO's business status (supplier_pos.po_status), after the seeds' model. Kept apart from
 * the transport column supplier_pos.status (QUEUED, SENT, ACCEPTED/REJECTED by a 997, ...): a 997
 * says the file was readable, not that the supplier will fill the order. Derived from the PO's
 * lines on every change (dg_store_po_status_refresh), never set by hand: AWAITING_CONFIRMATION
 * placed (queued or sent), the supplier has not answered any line AWAITING_FULFILMENT    answered,
 * a line still open is backordered AWAITING_SHIPMENT      answered (or partly shipped), every open
 * line accepted AWAITING_DELIVERY      every open line shipped in full (by one ASN or several)
 *   COMPLETED              every open line shipped and invoiced by a matched invoice
 *   CANCELLED              no open line left: each rejected, cancelled or re-routed */
#define DG_POS_AWAITING_CONFIRMATION "AWAITING_CONFIRMATION"
#define DG_POS_AWAITING_FULFILMENT "AWAITING_FULFILMENT"
#define DG_POS_AWAITING_SHIPMENT "AWAITING_SHIPMENT"
#define DG_POS_AWAITING_DELIVERY "AWAITING_DELIVERY"
#define DG_POS_COMPLETED "COMPLETED"
#define DG_POS_CANCELLED "CANCELLED"
/* A PO's status as every view shows it (status, report, search, show po, the console): CANCELLED
 * once its business status is (every line re-routed away or cancelled), whatever its file did
 * before (SENT, ACCEPTED ...; show po names that too); a shipped or invoiced PO keeps its own.
 * p: the supplier_pos table or its alias in the query. */
#define DG_STORE_PO_SHOWN_STATUS(p)                                                                \
    "CASE WHEN " p ".po_status = 'CANCELLED' AND " p ".status NOT IN ('PARTIALLY_SHIPPED',"        \
    "'SHIPPED','INVOICED') THEN 'CANCELLED' ELSE " p ".status END"

/* A PO line's state on the supplier side (order_lines.supplier_status; NULL: no answer yet).
 * REJECTED, CANCELLED and REROUTED close the line on its PO; the shipped states follow the
 * shipped quantity against the ordered one (or the acknowledged one when the supplier changed
 * it). */
#define DG_SUP_ACCEPTED "ACCEPTED"
#define DG_SUP_BACKORDERED "BACKORDERED"
#define DG_SUP_REJECTED "REJECTED"
#define DG_SUP_CANCELLED "CANCELLED"
#define DG_SUP_REROUTED "REROUTED"
#define DG_SUP_PARTIALLY_SHIPPED "PARTIALLY_SHIPPED"
#define DG_SUP_SHIPPED "SHIPPED"

/* What caused a status change, as recorded in status_history. */
typedef struct dg_status_cause {
    const char *kind;    /* "order", "855", "997", "856", "810", "reroute", "cancel", ... */
    int64_t document_id; /* the document that caused it (0: none) */
    int64_t file_id;     /* its file (0: the document's file, or none) */
    const char *detail;  /* readable detail, may be NULL */
} dg_status_cause;

/* Records that PO po_id was created (history row "-> AWAITING_CONFIRMATION") and refreshes its
 * order's status. Call it in the transaction that created the PO and its lines. */
int dg_store_po_created(dg_store *s, int64_t po_id, const dg_status_cause *c, dg_error *err);

/* Sets a PO line's supplier state and reason (status_history row when it changed; *changed may
 * be NULL). Does not refresh the PO: call dg_store_po_status_refresh after the lines. */
int dg_store_line_set_status(dg_store *s, int64_t line_id, const char *status, const char *reason,
                             const dg_status_cause *c, bool *changed, dg_error *err);

/* The supplier's answer on one PO line (855 or its CSV equivalent). */
typedef struct dg_store_answer {
    const char *status;        /* DG_SUP_ACCEPTED, _BACKORDERED, _REJECTED; NULL: keep the line's */
    const char *reason;        /* the supplier's words or ours, may be NULL */
    const char *code;          /* the partner's code as sent (ACK01), may be NULL */
    bool has_qty, has_price;   /* the quantity / price the supplier acknowledged */
    int64_t qty, price;        /* x 10^4 like every stored quantity and amount */
    const char *promised_date; /* YYYY-MM-DD, may be NULL */
} dg_store_answer;

/* Records the answer on the line (code, quantity, price, promised date, time) and moves its
 * supplier_status (status_history row). Call dg_store_po_status_refresh after the lines. */
int dg_store_line_answer(dg_store *s, int64_t line_id, const dg_store_answer *a,
                         const dg_status_cause *c, dg_error *err);

/* A PO line answered in parts (several ACKs on one PO1, split.c): a new order line on the same
 * PO line with qty (x 10^4) and everything else of from_id, split_from = from_id; the caller sets
 * from_id's own quantity with dg_store_line_set_qty (the parts add up to what was ordered). */
int dg_store_line_split(dg_store *s, int64_t from_id, int64_t qty, int64_t *new_id, dg_error *err);
int dg_store_line_set_qty(dg_store *s, int64_t line_id, int64_t qty, dg_error *err);

/* Brings the PO's lines (shipped states), the PO's po_status and its order's
 * fulfilment_status up to date with what is recorded, with one status_history row per change.
 * status (may be NULL, 32 bytes) gets the PO's status after it. Idempotent. */
int dg_store_po_status_refresh(dg_store *s, int64_t po_id, const dg_status_cause *c, char *status,
                               dg_error *err);
/* The same for every PO of an order (after an ASN or invoice that spans several). */
int dg_store_order_status_refresh(dg_store *s, int64_t order_id, const dg_status_cause *c,
                                  dg_error *err);

/* The PO's po_status (32 bytes) and id by number; DG_ENOTFOUND when unknown. */
int dg_store_po_status(dg_store *s, const char *po_number, int64_t *po_id, char *status,
                       dg_error *err);

/* ---- re-routing (reroute.c) ------------------------------------------------------------ */

/* One PO line (order_lines row) with what re-routing needs of its order. */
typedef struct dg_store_line {
    int64_t id, order_id, po_id, rerouted_from, ack_at;
    long line_no, attempt;
    int64_t qty_ordered, qty_shipped, unit_price; /* x 10^4 */
    bool has_price;
    char line_number[32], retailer_sku[128], gtin[64], description[256], uom[16];
    char supplier[64], supplier_status[32], supplier_reason[256], promised_date[16];
    char storefront[64], order_number[64], ship_country[8], currency[8];
    char status[32], reason[512]; /* routing's: MATCHED, PRODUCT_NOT_FOUND ... and why */
} dg_store_line;

int dg_store_line_get(dg_store *s, int64_t line_id, dg_store_line *out, dg_error *err);
/* Ids of the lines of PO po_id, in PO line order (malloc'd). */
int dg_store_po_line_ids(dg_store *s, int64_t po_id, int64_t **ids, size_t *n, dg_error *err);
/* Backordered lines due for re-routing at now: promised date before today, or none and
 * answered more than backorder_after seconds ago (malloc'd ids). */
int dg_store_backorders_due(dg_store *s, int64_t now, long backorder_after, int64_t **ids,
                            size_t *n, dg_error *err);
/* Open lines (unanswered, accepted or backordered, nothing shipped) of POs whose file the
 * supplier's 997/999 rejected (supplier_pos.status REJECTED), malloc'd ids. */
int dg_store_ack_rejected_lines(dg_store *s, int64_t **ids, size_t *n, dg_error *err);

/* The suppliers line_id and the lines it replaced were offered to, newest first, with how each
 * ended (their supplier_status and reason): "northwind: REJECTED: discontinued". */
typedef struct dg_store_tried {
    char supplier[64];
    char outcome[320];
} dg_store_tried;
int dg_store_line_tried(dg_store *s, int64_t line_id, dg_store_tried *out, size_t max, size_t *n,
                        dg_error *err);

/* A catalog row that may take a SKU, with its supplier's latest stock-feed row. */
typedef struct dg_store_candidate {
    char supplier[64], supplier_sku[128], gtin[64], description[256], ship_to[256];
    int64_t cost, feed_cost, priority, ship_est, fee, stock_qty; /* x 10^4 but priority */
    bool has_cost, has_feed_cost, has_stock;
    int preferred, approved;
} dg_store_candidate;
int dg_store_route_candidates(dg_store *s, const char *sku, const char *gtin,
                              dg_store_candidate **rows, size_t *n, dg_error *err);

/* A re-routed line: a new PO at the supplier (number po_base, or po_base-2, -3 ... when taken)
 * with one line, a copy of the old one for qty; the old line REROUTED with the reason; the new
 * PO's life starts (status_history). The caller reserves the stock (dg_store_stock_reserve). */
typedef struct dg_store_reroute {
    int64_t from_line_id;
    const char *supplier, *supplier_sku, *po_base;
    int64_t qty, cost, landed;
    const char *bill_to_json; /* the retailer on the PO */
    const char *currency;
} dg_store_reroute;
int dg_store_reroute_create(dg_store *s, const dg_store_reroute *rr, const dg_status_cause *c,
                            int64_t *po_id, int64_t *line_id, char *po_number, size_t size,
                            dg_error *err);

/* One routing decision (route_decisions): verdict "CHOSEN", "ELIGIBLE" or "SKIPPED". */
typedef struct dg_store_decision {
    int64_t order_id, line_id, at, landed;
    bool has_landed;
    long line_no, attempt;
    char supplier[64], verdict[16], reason[320], cause[16];
} dg_store_decision;
int dg_store_decision_add(dg_store *s, const dg_store_decision *d, dg_error *err);
/* The decisions recorded for an order, by line and attempt (malloc'd). */
int dg_store_decisions(dg_store *s, int64_t order_id, dg_store_decision **rows, size_t *n,
                       dg_error *err);
/* An order's id by number (storefront NULL: any; DG_EINVAL when several have it). */
int dg_store_order_id(dg_store *s, const char *storefront, const char *order_number, int64_t *id,
                      dg_error *err);
/* Ids of an order's lines (malloc'd), by line_no. */
int dg_store_order_line_ids(dg_store *s, int64_t order_id, int64_t **ids, size_t *n, dg_error *err);

/* Every re-routed line: the order, SKU, the supplier that let it go and why (its status before
 * the re-route, its code, promised date), and where it went (malloc'd, oldest first). */
typedef struct dg_store_reroute_row {
    char order_number[64], sku[128], from_supplier[64], why[32], code[16], promised_date[16];
    char to_supplier[64], po_number[64];
} dg_store_reroute_row;
int dg_store_reroutes(dg_store *s, dg_store_reroute_row **rows, size_t *n, dg_error *err);

/* Supplier POs per po_status, as a JSON object {"AWAITING_CONFIRMATION": n, ...}, and orders
 * per fulfilment_status likewise (for `dropgate status`). Caller json_decref's them. */
int dg_store_life_counts(dg_store *s, struct json_t **pos, struct json_t **orders, dg_error *err);

/* One status_history row. */
typedef struct dg_status_event {
    int64_t id, order_id, po_id, line_id, document_id, file_id, at;
    char what[8]; /* "order", "po", "line" */
    char from[32], to[32];
    char cause[16];
    char po_number[64], line_number[32], sku[128];
    char detail[512];
} dg_status_event;

/* The history of an order (po_number NULL) or of one PO, oldest first (malloc'd array). */
int dg_store_status_history(dg_store *s, int64_t order_id, int64_t po_id, dg_status_event **rows,
                            size_t *n, dg_error *err);
/* ---- SLA overdue events (sla.c) ------------------------------------------------------- */

/* Records that PO po_number is overdue for what ("ack", "ack855", "asn", "send") with the
 * event's JSON; *added false when that event was recorded before (one event per item).
 * DG_ENOTFOUND: no such PO. */
int dg_store_sla_event_add(dg_store *s, const char *po_number, const char *what, const char *json,
                           bool *added, dg_error *err);

typedef struct dg_store_sla_event {
    int64_t id;
    char po_number[64];
    char what[16];
    char *json;
    bool webhook_done;
    int64_t created_at, sent_at;
} dg_store_sla_event;

/* Events oldest first; pending_only: those not yet delivered to the alerts webhook. */
int dg_store_sla_events(dg_store *s, bool pending_only, dg_store_sla_event **rows, size_t *n,
                        dg_error *err);
void dg_store_sla_events_free(dg_store_sla_event *rows, size_t n);
/* The event was delivered (or there is no webhook to deliver it to): not delivered again. */
int dg_store_sla_event_done(dg_store *s, int64_t id, dg_error *err);

/* ---- poll statistics (poll_stats.c) ------------------------------------------------------ */

/* Upper bounds in milliseconds of the poll duration histogram's buckets, ascending (+Inf, the
 * poll count, is not listed). */
extern const long dg_store_poll_buckets_ms[];
extern const size_t dg_store_n_poll_buckets;
/* Records one poll of partner that started at started_at and took ms milliseconds; error NULL
 * when it succeeded (then last_ok_at = started_at + its duration). One transaction. */
int dg_store_poll_record(dg_store *s, const char *partner, int64_t started_at, long ms,
                         const char *error, dg_error *err);
/* One object per partner ever polled: {partner, polls, failures, sum_ms, last_at, last_ms,
 * last_ok_at, last_error, last_error_at} (absent keys: never). */
int dg_store_poll_stats(dg_store *s, struct json_t **out, dg_error *err);
/* The recorded buckets {partner, le_ms, count} (cumulative: a poll counts in every bucket whose
 * bound is at or above its duration; a bucket never recorded is 0). */
int dg_store_poll_histogram(dg_store *s, struct json_t **out, dg_error *err);

/* ---- console and metrics views (views.c) ----------------------------------------------- */

/* Files set aside: pickups QUARANTINED or PARTIAL, newest first (at most 500): {id, partner,
 * path, state, reason, quarantine_path, file_id, sha256, size, at}. */
int dg_store_quarantine_list(dg_store *s, struct json_t **out, dg_error *err);
/* Per partner: {partner, quarantined, partial, outbox_pending, outbox_failed, files_in,
 * files_out} (only partners with some record). */
int dg_store_partner_counts(dg_store *s, struct json_t **out, dg_error *err);
/* Orders received at or after since, by status: [{status, n}]. */
int dg_store_orders_since(dg_store *s, int64_t since, struct json_t **out, dg_error *err);
/* One received document: {id, kind, partner, position, interchange_control, group_control,
 * set_control, outcome, created_at, json, file_id, file_name, file_sha256, direction}.
 * DG_ENOTFOUND when there is none. */
int dg_store_document_get(dg_store *s, int64_t id, struct json_t **out, dg_error *err);
/* The archived files with that SHA-256: [{id, name, partner, direction, size, created_at}],
 * and the documents read from them [{id, kind, position, outcome}] under "documents".
 * DG_ENOTFOUND when no file has it. */
int dg_store_file_get(dg_store *s, const char *sha256, struct json_t **out, dg_error *err);
/* Counters for /metrics: {"files":[{direction, n}], "documents":[{kind, outcome, n}],
 * "pos":[{status, n}] (how the file travelled), "po_status":[{status, n}] (the supplier order's
 * business status), "orders":[{status, n}], "quarantined": n, "partial": n}. */
int dg_store_metrics_counts(dg_store *s, struct json_t **out, dg_error *err);
/* ---- cancellations (cancel.c, issue 11) ------------------------------------------------ */

/* An order line as a cancellation sees it (quantities x 10^4, as stored). For lines of a
 * request, cancel_line_id/request_id/qty are the requested cancellation; else 0. */
typedef struct dg_cancel_line_row {
    int64_t line_id, po_id, cancel_line_id, request_id;
    long po_line;
    char line_number[32], retailer_sku[128], supplier_sku[128], gtin[64], uom[8];
    char status[32];     /* routing status (MATCHED ...) */
    char sup_status[32]; /* supplier_status ("" when none) */
    char po_number[64], supplier[64];
    int64_t ordered, shipped, cancelled, requested; /* requested: REQUESTED, not yet answered */
    int64_t cost;
    bool cost_set, po_sent;
    int64_t qty;
} dg_cancel_line_row;

/* The id of storefront's order order_number, 0 when there is none. */
int dg_store_order_find(dg_store *s, const char *storefront, const char *order_number,
                        int64_t *order_id, dg_error *err);
/* The PO of order line line_id (0: none). */
int dg_store_line_po(dg_store *s, int64_t line_id, int64_t *po_id, dg_error *err);
/* The lines of an order (po_id 0) or of a PO, in line order (malloc'd array). */
int dg_store_cancel_lines(dg_store *s, int64_t order_id, int64_t po_id, dg_cancel_line_row **rows,
                          size_t *n, dg_error *err);
/* The REQUESTED lines of PO po_id (request 0: of every request), oldest first. */
int dg_store_cancel_requested(dg_store *s, int64_t po_id, int64_t request_id,
                              dg_cancel_line_row **rows, size_t *n, dg_error *err);

/* content_key (may be NULL): what was asked, so the same cancellation sent again (a re-export)
 * is recognised (dg_store_cancellation_seen) and not applied twice. */
int dg_store_cancellation_add(dg_store *s, int64_t order_id, int64_t document_id,
                              const char *source, const char *reason, const char *content_key,
                              int64_t *id, dg_error *err);
int dg_store_cancellation_seen(dg_store *s, int64_t order_id, const char *content_key, bool *seen,
                               dg_error *err);
/* The request of cancellation for PO po_id: created PENDING ("<PO>-C<n>") on first use. */
int dg_store_cancel_request_for(dg_store *s, int64_t cancellation_id, int64_t po_id,
                                int64_t *request_id, dg_error *err);
/* A line of a cancellation (request_id 0: none) in state REQUESTED, CANCELLED or REFUSED;
 * CANCELLED also adds qty to the order line's qty_cancelled. */
int dg_store_cancel_line_add(dg_store *s, int64_t cancellation_id, int64_t request_id,
                             int64_t line_id, int64_t qty, const char *state, const char *reason,
                             dg_error *err);
/* A requested line answered: CANCELLED (adds to qty_cancelled) or REFUSED, with the reason;
 * its request becomes ANSWERED once none of its lines is REQUESTED. */
int dg_store_cancel_line_answer(dg_store *s, int64_t cancel_line_id, const char *state,
                                const char *reason, dg_error *err);

/* A request ready to go to its supplier (PENDING, its PO sent). */
typedef struct dg_cancel_request {
    int64_t id, po_id, order_id;
    char number[96], po_number[64], supplier[64], storefront[64], order_number[64];
    char reason[256];
    int64_t po_created;
    int64_t seq; /* 1 for the PO's first request, 2 for its second ... */
} dg_cancel_request;
int dg_store_cancel_requests_pending(dg_store *s, const char *supplier, dg_cancel_request **rows,
                                     size_t *n, dg_error *err);
/* The request's file is in the outbox (same transaction as the entry): QUEUED. */
int dg_store_cancel_request_queued(dg_store *s, int64_t request_id, int64_t outbox_id,
                                   dg_error *err);
/* A confirmed upload of outbox entry outbox_id: the request or notice it carries is SENT. */
int dg_store_cancel_outbox_sent(dg_store *s, int64_t outbox_id, dg_error *err);
/* Requests per state, for status: {"PENDING": n, ...} into counts (caller's JSON object). */
int dg_store_cancel_counts(dg_store *s, struct json_t *counts, dg_error *err);

/* A notice for the storefront (the canonical cancel JSON of what became of its lines). */
int dg_store_cancel_notice_add(dg_store *s, const char *storefront, int64_t order_id,
                               const char *json, dg_error *err);
typedef struct dg_cancel_notice {
    int64_t id;
    char storefront[64], order_number[64];
    char *json;
} dg_cancel_notice;
/* Notices of storefront not yet in the outbox, oldest first. */
int dg_store_cancel_notices_pending(dg_store *s, const char *storefront, dg_cancel_notice **rows,
                                    size_t *n, dg_error *err);
void dg_store_cancel_notices_free(dg_cancel_notice *rows, size_t n);
int dg_store_cancel_notice_queued(dg_store *s, int64_t notice_id, int64_t outbox_id, dg_error *err);

/* ---- documents and orders not applied (outcome.c, issue 10) ------------------------------ */

/* A document of file_id at position that was not applied: outcome "FAILED" (its mapping could
 * not complete it, or the flow refused it) or "SKIPPED" (a filter left every line out), with
 * the reason (mapping file, rule, input position). */
int dg_store_document_not_applied(dg_store *s, const char *kind, const char *partner,
                                  int64_t file_id, long position, const char *outcome,
                                  const char *reason, int64_t *doc_id, dg_error *err);
/* An order its mapping could not complete, known only by its number (the file's key): recorded
 * FAILED without lines, with the reason, and queued for the storefront's status feed
 * (status_history). *created false when the storefront's order number is already recorded. */
int dg_store_order_unmapped(dg_store *s, const char *storefront, const char *order_number,
                            int64_t doc_id, const char *reason, bool *created, dg_error *err);
/* A placed order that is not wholly converted (FAILED, PARTIALLY_CONVERTED): its order-level
 * reason (may be NULL) and a status feed row with detail (the lines' reasons). */
int dg_store_order_outcome(dg_store *s, int64_t order_id, const char *status, const char *reason,
                           const char *detail, int64_t doc_id, dg_error *err);

/* ---- the storefront status feed (status_feed.c, issues 10 and 11) ----------------------- */

struct dg_doc;
typedef enum { DG_STATUS_FILE = 0, DG_STATUS_HOOK = 1 } dg_status_channel;
/* Up to max status_history rows of storefront's orders that channel has not carried yet
 * (push_state PENDING or QUEUED) with an id above after_id (0: from the first), oldest first,
 * each as a canonical status update (DG_DOC_STATUS; ids[i] its row). The caller frees each doc
 * and the arrays; the next page starts after ids[n - 1]. */
int dg_store_status_updates(dg_store *s, const char *storefront, dg_status_channel ch,
                            int64_t after_id, size_t max, struct dg_doc ***docs, int64_t **ids,
                            size_t *n, dg_error *err);
/* The rows ids are carried by outbox entry outbox_id on channel ch (same transaction as the
 * entry): QUEUED once every channel the storefront has (need_file, need_hook) carries them. */
int dg_store_status_queued(dg_store *s, const int64_t *ids, size_t n, dg_status_channel ch,
                           int64_t outbox_id, bool need_file, bool need_hook, dg_error *err);
/* A confirmed upload or POST of outbox_id: the rows it carries are SENT when every entry
 * carrying them is. */
int dg_store_status_outbox_sent(dg_store *s, int64_t outbox_id, dg_error *err);
/* push_state counts of storefront's rows ({"PENDING": n, ...}; storefront NULL: all), for
 * status and tests. */
int dg_store_status_feed_counts(dg_store *s, const char *storefront, int64_t *pending,
                                int64_t *queued, int64_t *sent, dg_error *err);

/* ---- the operator's reports (report.c; flow/report.c makes the views) --------------------- */

/* A PO that may be overdue: sent and not shipped, or never sent; since: sent_at, else
 * created_at (a QUEUED PO); acked: a 997 came; line_acked: an 855 answered a line. */
typedef struct dg_store_po_age {
    char po_number[64], supplier[64], order_number[64], status[32];
    int64_t since, po_id;
    bool expect_ack, acked, queued, line_acked;
} dg_store_po_age;
/* Each such PO to each, one at a time and in no order (every open PO passes: none is kept); a
 * non-zero return from each stops and is returned. */
typedef int (*dg_store_po_age_fn)(void *ctx, const dg_store_po_age *a, dg_error *err);
int dg_store_po_ages(dg_store *s, dg_store_po_age_fn each, void *ctx, dg_error *err);
/* Counts per status into root's "orders", "lines", "pos" (as shown), "outbox", "invoices"
 * objects (created), and the notifications not sent and discrepancies not resolved. */
int dg_store_status_counts(dg_store *s, struct json_t *root, int64_t *notifications_pending,
                           int64_t *discrepancies_open, dg_error *err);
/* One row per order (report orders): revenue_x8 and cost_x8 are sums of two x10^4 values
 * (x10^8); freight is x10^4; pos counts the live POs (not cancelled or re-routed away before
 * they shipped); reasons: why the order or its lines were not placed. */
typedef struct dg_store_order_report {
    char storefront[64], order_number[64], status[32], currency[8];
    int64_t created_at, lines, matched, pos, pos_shipped;
    int64_t revenue_x8, cost_x8, freight;
    char reasons[1024];
} dg_store_order_report;
int dg_store_report_orders(dg_store *s, dg_store_order_report **rows, size_t *n, dg_error *err);
/* One row per invoice (report reconcile): po_amount_x8 = PO cost x quantity invoiced (x10^8). */
typedef struct dg_store_invoice_report {
    char supplier[64], invoice_number[64], po_number[64], order_number[64], outcome[16];
    dg_dec lines_amount, charges, tax, total;
    int64_t po_amount_x8;
    char reasons[1024];
    int64_t created_at;
} dg_store_invoice_report;
int dg_store_report_invoices(dg_store *s, dg_store_invoice_report **rows, size_t *n, dg_error *err);

/* ---- what suppliers send back (inbound.c; flow/inbound.c decides) ------------------------- */

/* The supplier's SKU of a catalog row with this GTIN ("" when none). */
int dg_store_catalog_sku_by_gtin(dg_store *s, const char *supplier, const char *gtin, char *out,
                                 size_t size, dg_error *err);
/* One stock fact: upserted by (supplier, vendor_sku); several facts of one SKU from the same
 * document add up (one per warehouse), its warehouse then none of them. */
typedef struct dg_store_stock_fact {
    const char *supplier, *vendor_sku, *gtin, *warehouse, *available_date;
    int64_t qty, document_id;
    dg_dec cost, msrp, map;
} dg_store_stock_fact;
int dg_store_stock_put(dg_store *s, const dg_store_stock_fact *f, dg_error *err);
/* A 997 result (AK5/AK9 code, reason) on the sent POs of supplier with these control numbers
 * (set NULL: the whole group; compared as integers); po_status: what they become unless
 * shipped or invoiced. *changed: how many POs. */
int dg_store_po_ack_997(dg_store *s, const char *supplier, const char *group, const char *set,
                        const char *code, const char *reason, const char *po_status,
                        int64_t *changed, dg_error *err);
/* A PO with its lines, as the answers to it (855, ASN, invoice, cancellation) see it; add is the
 * flow's working quantity (what this document ships, invoices ...), 0 when loaded. */
typedef struct dg_store_po_line {
    int64_t id;
    long po_line;
    char line_number[32]; /* the storefront's line */
    char retailer_sku[128], supplier_sku[128], gtin[64];
    dg_dec ordered, shipped, add;
    dg_dec cost, invoiced;
    dg_dec cancelled;         /* confirmed cancelled: not to be invoiced */
    dg_dec ack_price;         /* the price the supplier acknowledged (855 PO104), unset: none */
    char supplier_status[32]; /* DG_SUP_*, "" when the supplier has not answered */
} dg_store_po_line;
typedef struct dg_store_po {
    int64_t id, order_id;
    char supplier[64], status[32], storefront[64], order_number[64], currency[8];
    char *ship_to_json;
    dg_store_po_line *lines;
    size_t n_lines;
} dg_store_po;
/* Loads a PO by number with its lines; *found false when unknown. */
int dg_store_po_load(dg_store *s, const char *po_number, dg_store_po *p, bool *found,
                     dg_error *err);
void dg_store_po_free(dg_store_po *p);
/* This shipment id (ref) was recorded for this PO already. */
int dg_store_shipment_seen(dg_store *s, const char *supplier, const char *ref, int64_t po_id,
                           bool *seen, dg_error *err);
int dg_store_shipment_add(dg_store *s, const char *supplier, const char *ref, int64_t po_id,
                          int64_t doc_id, const char *ship_date, const char *carrier,
                          const char *service, int64_t *id, dg_error *err);
int dg_store_package_add(dg_store *s, int64_t shipment_id, const char *tracking, const char *sscc,
                         dg_dec weight, const char *weight_uom, dg_error *err);
/* qty (x10^4) of PO line line_id in the shipment, in package package_ref (may be NULL); the
 * line's shipped quantity grows by it. */
int dg_store_shipment_item_add(dg_store *s, int64_t shipment_id, int64_t line_id, int64_t qty,
                               const char *package_ref, dg_error *err);
/* The PO's shipped status (SHIPPED / PARTIALLY_SHIPPED) unless it is invoiced. */
int dg_store_po_shipped(dg_store *s, int64_t po_id, const char *status, dg_error *err);
/* A tracking notification for the storefront (json: the canonical shipment in its terms). */
int dg_store_notification_add(dg_store *s, const char *storefront, int64_t order_id,
                              int64_t shipment_id, const char *json, dg_error *err);
typedef struct dg_store_notification {
    int64_t id;
    char *storefront, *order_number, *po_number, *json;
} dg_store_notification;
/* Notifications of storefront (NULL: all) not yet in the outbox (webhooks: not yet POSTed),
 * oldest first. */
int dg_store_notifications(dg_store *s, const char *storefront, bool webhooks,
                           dg_store_notification **rows, size_t *n, dg_error *err);
void dg_store_notifications_free(dg_store_notification *rows, size_t n);
int dg_store_notification_find(dg_store *s, int64_t id, char *storefront, size_t sf_size,
                               char *order_number, size_t on_size, int64_t *outbox_id, bool *found,
                               dg_error *err);
typedef enum { DG_NOTE_QUEUED, DG_NOTE_SENT, DG_NOTE_WEBHOOK_DONE } dg_notification_mark;
/* QUEUED (in outbox entry outbox_id, from PENDING), SENT, or its webhook done. */
int dg_store_notification_mark(dg_store *s, int64_t id, dg_notification_mark what,
                               int64_t outbox_id, dg_error *err);

/* ---- orders in, supplier POs out (order.c; flow/order.c routes) ------------------------- */

typedef struct dg_store_order_found {
    int64_t id; /* 0: no such order */
    char status[32];
    size_t lines, matched;
} dg_store_order_found;
/* The order storefront recorded under number with its status and line counts (id 0: none). */
int dg_store_order_state(dg_store *s, const char *storefront, const char *number,
                         dg_store_order_found *o, dg_error *err);
typedef struct dg_store_order_rec {
    const char *storefront, *order_number, *status, *order_date, *currency;
    const char *ship_to_json, *ship_country, *carrier, *service_level, *notes;
    int64_t document_id; /* 0: none */
    dg_dec total;
    size_t lines, matched;
} dg_store_order_rec;
/* Records the order; one its mapping could not read (FAILED with no lines) is replaced in
 * place. DG_EDUP when the number is recorded already otherwise. */
int dg_store_order_add(dg_store *s, const dg_store_order_rec *r, int64_t *id, dg_error *err);
/* Whether a supplier PO has this number already. */
int dg_store_po_number_taken(dg_store *s, const char *number, bool *taken, dg_error *err);
typedef struct dg_store_po_rec {
    const char *po_number, *supplier, *bill_to_json, *currency;
    int64_t order_id;
    dg_dec total;
} dg_store_po_rec;
/* A new supplier PO, QUEUED. */
int dg_store_po_add(dg_store *s, const dg_store_po_rec *r, int64_t *id, dg_error *err);
/* One order_lines row: a line, or one supplier's part of it; supplier NULL: not placed (no
 * supplier, cost or PO). qty x10^4. */
typedef struct dg_store_order_line_rec {
    int64_t order_id;
    size_t line_no;
    const char *line_number, *retailer_sku, *gtin, *description, *uom, *status, *reason;
    int64_t qty;
    dg_dec unit_price;
    const char *supplier, *supplier_sku;
    dg_dec cost, landed_cost;
    int64_t po_id;
    long po_line;
} dg_store_order_line_rec;
int dg_store_order_line_add(dg_store *s, const dg_store_order_line_rec *r, dg_error *err);
/* A placed line takes qty (x10^4) from the supplier's stock row of supplier_sku, only if the
 * row still holds that much: *taken false (nothing changed) when it does not - never below what
 * is there, whoever took it since routing looked. No row: nothing to take, *taken true. */
int dg_store_stock_reserve(dg_store *s, const char *supplier, const char *supplier_sku, int64_t qty,
                           bool *taken, dg_error *err);
/* Gives qty back (a line whose other parts could not be reserved). */
int dg_store_stock_unreserve(dg_store *s, const char *supplier, const char *supplier_sku,
                             int64_t qty, dg_error *err);

/* A supplier PO as it goes out (po_out.c), with its order's ship-to and delivery details. */
typedef struct dg_store_po_out_line {
    long po_line;
    char *retailer_sku, *supplier_sku, *gtin, *description, *uom; /* NULL: none */
    dg_dec qty, cost;
} dg_store_po_out_line;
typedef struct dg_store_po_out {
    int64_t id, created_at;
    char *po_number, *supplier, *storefront, *order_number, *currency;
    char *bill_to_json, *ship_to_json, *carrier, *service_level, *notes; /* NULL: none */
    dg_dec total;
    bool op_held; /* an operator holds it */
    dg_store_po_out_line *lines;
    size_t n_lines;
} dg_store_po_out;
/* POs of supplier (NULL: all) QUEUED with no outbox entry yet, by id: all (limit 0), or the
 * first limit with an id above after_id. */
int dg_store_pos_unqueued(dg_store *s, const char *supplier, int64_t after_id, size_t limit,
                          dg_store_po_out **rows, size_t *n, dg_error *err);
/* The PO po_number whatever its state (*n 0: none). */
int dg_store_po_out_get(dg_store *s, const char *po_number, dg_store_po_out **rows, size_t *n,
                        dg_error *err);
void dg_store_po_outs_free(dg_store_po_out *rows, size_t n);

/* ---- the catalog (catalog.c; flow/rules.c reads the CSV) ------------------------------------ */

/* Inside a transaction: empties the catalog for a reload, after any other instance's reload in
 * an open transaction has ended (dg_store_tx_lock). */
int dg_store_catalog_clear(dg_store *s, dg_error *err);
typedef struct dg_store_catalog_row {
    const char *retailer_sku, *gtin, *supplier, *supplier_sku, *description;
    const char *ship_to; /* " US CA " (spaces around each country, for LIKE), NULL: anywhere */
    dg_dec cost;
    int64_t priority, ship_estimate, dropship_fee; /* x 10^4 but priority */
    bool preferred, approved;
} dg_store_catalog_row;
int dg_store_catalog_add(dg_store *s, const dg_store_catalog_row *r, dg_error *err);

/* ---- supplier invoices (invoice.c; flow/invoice.c decides the match) -------------------- */

/* The first (not duplicate) invoice of supplier with this number; *id 0 when none. */
int dg_store_invoice_original(dg_store *s, const char *supplier, const char *number, int64_t *id,
                              dg_error *err);
typedef struct dg_store_invoice_rec {
    const char *supplier, *invoice_number, *invoice_date, *currency;
    const char *outcome; /* MATCHED or DISCREPANCY */
    int64_t po_id, document_id;
    int64_t duplicate_of; /* the original's id, 0 when this is the original */
    dg_dec lines_amount, charges, tax, total;
} dg_store_invoice_rec;
int dg_store_invoice_add(dg_store *s, const dg_store_invoice_rec *r, int64_t *id, dg_error *err);
typedef struct dg_store_invoice_line {
    const char *line_number, *vendor_sku;
    int64_t order_line_id; /* the PO line it matched, 0 when none */
    dg_dec qty, unit_price, amount;
} dg_store_invoice_line;
int dg_store_invoice_line_add(dg_store *s, int64_t invoice_id, const dg_store_invoice_line *l,
                              dg_error *err);
int dg_store_invoice_charge_add(dg_store *s, int64_t invoice_id, const char *type, const char *code,
                                dg_dec amount, const char *description, dg_error *err);
/* One reason the invoice did not match (code, detail). */
int dg_store_discrepancy_add(dg_store *s, int64_t invoice_id, const char *code, const char *detail,
                             dg_error *err);
/* A matched invoice approves qty (x10^4) of PO line line_id for payment. */
int dg_store_line_invoiced_add(dg_store *s, int64_t line_id, int64_t qty, dg_error *err);
/* The PO becomes INVOICED once every unit of every line is invoiced. */
int dg_store_po_invoiced_if_complete(dg_store *s, int64_t po_id, dg_error *err);

#endif
