/* The gateway: partner configuration (etc/), the poll cycle with pickup rules, the outbox that
 * sends supplier POs and storefront tracking exactly once, the schedule and the daemon's lock. */
#ifndef DG_GATEWAY_GATEWAY_H
#define DG_GATEWAY_GATEWAY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/conf.h"
#include "core/error.h"
#include "transport/transport.h"

/* ---- configuration (config.c) ---------------------------------------------------------- */

typedef enum { DG_AFTER_DELETE = 0, DG_AFTER_MOVE, DG_AFTER_LEAVE } dg_gw_after;
/* stable_seconds of a drop that sets neither it nor a done_marker. */
#define DG_GW_STABLE_DEFAULT 2
typedef enum { DG_ROLE_STOREFRONT = 1, DG_ROLE_SUPPLIER } dg_gw_role;

/* Default max_file_bytes of an inbound drop: far above any real order or EDI batch, far below
 * what would exhaust the machine (a 2 GB file of NULs once took 4 GB to be refused). */
#define DG_GW_MAX_FILE_BYTES (256L * 1024 * 1024)

/* Where `dropgate serve` listens unless console: listen: says otherwise: loopback only. */
#define DG_GW_CONSOLE_LISTEN "127.0.0.1:8080"

/* One of several mappings of a CSV/XML drop, with the rule that picks it for a file. */
typedef struct dg_gw_match {
    const char *mapping;  /* inbound mapping (absolute path) */
    const char *root;     /* XML: the document element's name (with or without its prefix) */
    const char **columns; /* CSV: header columns that must all be present */
    size_t n_columns;     /* (neither: matches every file; the first match wins) */
} dg_gw_match;

/* One inbound drop folder of a partner (a file there is picked up and mapped). */
typedef struct dg_gw_drop {
    const char *folder;   /* remote folder, relative to the transport root */
    const char **include; /* fnmatch globs on the file name; none: every file */
    size_t n_include;
    const char **exclude;
    size_t n_exclude;
    const char *mapping;  /* inbound mapping file (absolute path) */
    dg_gw_match *matches; /* or mappings: several, each with its match rule */
    size_t n_matches;
    dg_gw_after after;
    const char *archive_folder; /* remote folder for after: move */
    long stable_seconds;        /* unchanged size+mtime across two looks this far apart; 0: off
                                   (default DG_GW_STABLE_DEFAULT without a done_marker) */
    const char *done_marker;    /* suffix: "a.csv" is taken only once "a.csv.done" exists */
    long min_age_seconds;       /* mtime at least this old */
    long max_files;             /* per poll; 0: no limit */
    long max_file_bytes;        /* larger files are left in the drop, never fetched; 0: no limit */
    bool ack;                   /* X12: send a 997 (or 999) for each received group */
    bool acks;                  /* type: acks - incoming 997s for what we sent, no mapping */
    bool route_x12;             /* type: x12 - each set routed by its envelope, no mapping */
    const char **senders;       /* type: x12: partner names whose interchanges it accepts */
    size_t n_senders;           /*   (none: only this drop's partner) */
    bool senders_any;           /* senders: any - every partner (a VAN mailbox) */
    int line;                   /* where it is configured, for messages */
} dg_gw_drop;

/* The most POs one file may carry (outbound: po_per_file). */
#define DG_GW_PO_PER_FILE_MAX 1000

typedef struct dg_gw_outbound {
    const char *folder;           /* remote folder where our files go */
    const char *po_mapping;       /* supplier: outbound PO mapping */
    const char *tracking_mapping; /* storefront: outbound tracking mapping */
    const char *cancel_mapping;   /* supplier: cancellation requests (860 ...); storefront:
                                     what became of its cancellations */
    const char *ack_folder;       /* where 997s go; default: folder */
    long po_per_file;             /* supplier: up to this many POs in one file (default 1) */
    const char *webhook_url;      /* storefront: JSON POST of each shipment */
    const char *webhook_secret;   /* resolved from secret_env/secret_file; never logged */
    long webhook_timeout_ms;
    /* storefront status feed (status:): a batch file per cycle through status_mapping into
     * status_folder (default: folder), and/or a batch POSTed to status_webhook_url rendered by
     * status_webhook_mapping (JSON) */
    const char *status_mapping, *status_folder;
    const char *status_webhook_url, *status_webhook_secret, *status_webhook_mapping;
    long status_webhook_timeout_ms;
} dg_gw_outbound;

/* One row of a partner's X12 set table: ST01 (and optionally a GS08 prefix) -> mapping. */
typedef struct dg_gw_x12_set {
    const char *set_id;  /* "856" */
    const char *version; /* GS08 prefix ("005010"), NULL: any version */
    const char *mapping; /* inbound mapping (absolute path) */
} dg_gw_x12_set;

typedef struct dg_gw_partner {
    const char *name;
    dg_gw_role role;
    const char *x12_qualifier, *x12_id; /* the partner's interchange id */
    const char *x12_gs_id;              /* its GS02 application id (default: x12_id) */
    dg_gw_x12_set *x12_sets;            /* routing by envelope: ST01 -> mapping */
    size_t n_x12_sets;
    int x12_ack;               /* 997 (default) or 999: what we acknowledge with */
    long x12_duplicate_window; /* seconds an ISA13 is remembered (default 30 days) */
    dg_transport_config transport;
    long every_seconds; /* schedule */
    dg_gw_drop *drops;
    size_t n_drops;
    dg_gw_outbound out;
    long sla_ack_997, sla_ack_855, sla_first_856; /* sla: seconds after a PO is sent; -1: unset */
    bool test;           /* test mode: gets test orders only, ISA15 T on what we send it */
    const char *test_of; /* the production supplier it takes test orders for (may be NULL) */
    const char *file;    /* partner file, for messages */
    /* Why the partner cannot be reached now (a secret named by its file is not set or not
     * readable), or NULL. Such a partner is skipped by poll and send (logged each time); the
     * rest of the configuration works. */
    const char *secret_missing;
} dg_gw_partner;

typedef struct dg_gw_config {
    dg_arena *arena;  /* owns everything below */
    const char *file; /* the main config file */
    const char *root; /* project root: relative paths resolve against it */
    const char *state_dir, *db_path, *spool_dir, *archive_dir, *quarantine_dir, *outbox_dir;
    bool store_pg;         /* db_path is a postgresql:// URI (store:), shared by instances */
    long lease_seconds;    /* lease_seconds: a partner lease's time (several instances) */
    const char *lock_base; /* dg_gw_lock's "<lock_base>.lock": the store file, or on
                              PostgreSQL <state_dir>/dropgate (one daemon per state folder) */
    const char *edi_dir, *mappings_dir, *routing_file, *catalog_file, *partners_dir;
    const char *our_qualifier, *our_id; /* our own X12 interchange id */
    bool x12_test;                      /* ISA15 T */
    bool log_json;                      /* log_format: json (one JSON object per line) */
    const char *alerts_url;             /* alerts: webhook: SLA overdue events are POSTed there */
    const char *alerts_secret;          /* never logged */
    long alerts_timeout_ms;
    bool new_store; /* --new-store: a missing/empty store beside history is meant (statedir.c) */
    /* console: (dropgate serve): where it listens, whether a non-loopback address is allowed,
     * the file holding the action token (NULL: $DG_CONSOLE_TOKEN or read-only) */
    const char *console_listen;
    bool console_allow_remote;
    const char *console_token_file;
    dg_gw_partner *partners;
    size_t n_partners;
} dg_gw_config;

/* Loads etc/dropgate.yaml and every partner file in its partners folder. root may be NULL: the
 * parent of the config file's folder. Errors name file:line and the key to fix. */
int dg_gw_config_load(const char *path, const char *root, dg_gw_config **out, dg_error *err);
/* Loads one partner file into cfg's arena (used by the loader and by tests). */
int dg_gw_partner_load(dg_gw_config *cfg, const char *path, dg_gw_partner *out, dg_error *err);
void dg_gw_config_free(dg_gw_config *cfg);
const dg_gw_partner *dg_gw_config_partner(const dg_gw_config *cfg, const char *name);
/* "60s", "5m", "2h", "1d" or a bare number of seconds. */
int dg_gw_parse_duration(const char *text, long *seconds);
/* The mapping of p's set table for ST01 set_id in a group of GS08 version: the row with the
 * longest matching version prefix, else the row without a version; NULL when none. */
const dg_gw_x12_set *dg_gw_x12_set_find(const dg_gw_partner *p, const char *set_id,
                                        const char *version);
/* Joins base and rel unless rel is absolute; result in arena. */
const char *dg_gw_resolve(dg_arena *a, const char *base, const char *rel);

/* The mapping drop d takes local file path with: its mapping:, or the first of its mappings:
 * whose rule matches (XML root element, CSV header columns). DG_EMAP naming what the file has
 * when none does; DG_EIO when it cannot be read. (match.c) */
int dg_gw_drop_mapping(const dg_gw_drop *d, const char *path, const char **mapping, dg_error *err);

/* ---- pickup rules (pickup.c) ----------------------------------------------------------- */

/* Include/exclude selection by file name (fnmatch). */
bool dg_gw_glob_selected(const dg_gw_drop *d, const char *name);

/* What the gateway remembers between two looks at a drop folder. */
typedef struct dg_gw_looks dg_gw_looks;
dg_gw_looks *dg_gw_looks_new(void);
void dg_gw_looks_free(dg_gw_looks *l);

typedef enum {
    DG_PICK_TAKE = 0,
    DG_PICK_UNSTABLE, /* changed since the last look, or first seen: look again later */
    DG_PICK_TOO_YOUNG,
    DG_PICK_NO_MARKER,
    DG_PICK_SKIP,      /* not selected, a folder, or a done-marker itself */
    DG_PICK_TOO_LARGE, /* listed larger than the drop's max_file_bytes: left there */
} dg_gw_pick;

/* Decides whether file f of drop d (under key, e.g. "partner/folder") may be taken at time now.
 * listing/n is the whole folder listing (for done-markers). Records the look. */
dg_gw_pick dg_gw_pick_check(dg_gw_looks *l, const char *key, const dg_gw_drop *d,
                            const dg_remote_file *f, const dg_remote_file *listing, size_t n,
                            int64_t now);
const char *dg_gw_pick_name(dg_gw_pick p);
/* True the first time this version (size, mtime) of a file is noted, so a file left in the
 * drop (too large) is reported once, not on every poll. */
bool dg_gw_looks_first_note(dg_gw_looks *l, const char *key, const dg_remote_file *f);
/* Forgets the look at key/name (after the file was taken). */
void dg_gw_looks_forget(dg_gw_looks *l, const char *key, const char *name);
/* After a whole listing (listing/n) of key: forgets the looks at files of key that are no
 * longer listed, so a long-running daemon's table does not grow without bound. */
void dg_gw_looks_prune(dg_gw_looks *l, const char *key, const dg_remote_file *listing, size_t n);
/* Looks remembered (all keys), for tests and status. */
size_t dg_gw_looks_count(const dg_gw_looks *l);

/* ---- local files: spool, archive, quarantine (files.c) -------------------------------- */

/* Copies a local file into archive_dir/<sha[0:2]>/<sha> (kept once per content). */
int dg_gw_archive(const dg_gw_config *cfg, const char *path, const char *sha256, dg_error *err);
/* Moves a local file into quarantine/<partner>/<time>-<name> and writes the reason beside it
 * (<...>.reason.txt). Fills where (may be NULL) with the quarantined path. */
int dg_gw_quarantine(const dg_gw_config *cfg, const char *partner, const char *local_path,
                     const char *name, const char *reason, char *where, size_t where_size,
                     dg_error *err);

/* ---- schedule (schedule.c) ------------------------------------------------------------- */

typedef struct dg_gw_schedule {
    size_t n;
    int64_t *next_due; /* per partner, seconds since the epoch */
} dg_gw_schedule;

int dg_gw_schedule_init(dg_gw_schedule *s, const dg_gw_config *cfg, int64_t now);
void dg_gw_schedule_free(dg_gw_schedule *s);
/* Index of a partner due at now (the most overdue), or -1; *wait gets seconds to the next. */
long dg_gw_schedule_due(const dg_gw_schedule *s, int64_t now, long *wait);
void dg_gw_schedule_done(dg_gw_schedule *s, const dg_gw_config *cfg, size_t i, int64_t now);

/* ---- daemon support (daemon.c) --------------------------------------------------------- */

/* Set by SIGTERM/SIGINT: the poll finishes the current file and stops. */
extern volatile sig_atomic_t dg_gw_stop_requested;
/* SIGTERM/SIGINT set the flag above (SA_RESTART: system calls in progress are retried). */
void dg_gw_install_signals(void);
/* Set by SIGHUP: the daemon reloads its configuration between two polls. */
extern volatile sig_atomic_t dg_gw_reload_requested;
/* Set by SIGUSR1: a request waits in var/requests (a manual poll). */
extern volatile sig_atomic_t dg_gw_wake_requested;
/* The daemon's SIGHUP and SIGUSR1 handlers (setting the flags above). */
void dg_gw_install_daemon_signals(void);
/* Sleeps up to ms milliseconds; returns at once when SIGTERM/SIGINT arrives (or has arrived)
 * and then false; true after a full sleep. SIGHUP and SIGUSR1 (when their flags are set) end
 * the sleep early too. */
bool dg_gw_nap(long ms);
/* Exclusive lock on "<base>.lock" (flock; base is cfg->lock_base) held until dg_gw_unlock;
 * DG_ELOCKED when another process holds it. */
int dg_gw_lock(const char *base, int *fd, dg_error *err);
void dg_gw_unlock(int fd);

/* Tests only: when set, called at each step boundary that matters for exactly-once ("fetched",
 * "recorded", "uploaded"...), e.g. to change a partner file between the fetch and the
 * after-pickup action. NULL (the default) in the product. */
extern void (*dg_gw_test_hook)(const char *point, void *ctx);
extern void *dg_gw_test_hook_ctx;

/* ---- webhook (webhook.c) --------------------------------------------------------------- */

/* POSTs a JSON body; 2xx is success, anything else DG_ENET with the status (never the secret,
 * which is sent as "Authorization: Bearer"). */
int dg_gw_webhook_post(const char *url, const char *secret, long timeout_ms, const char *json,
                       size_t len, dg_error *err);
/* The same with an "Idempotency-Key" header (NULL: none), the same on every retry. */
int dg_gw_webhook_post_key(const char *url, const char *secret, const char *idempotency_key,
                           long timeout_ms, const char *json, size_t len, dg_error *err);
/* DG_ECONFIG unless url is http(s); with a secret, plain http only to 127.0.0.1/localhost. */
int dg_gw_webhook_check_url(const char *url, bool has_secret, dg_error *err);

/* ---- the running gateway (gateway.c, poll.c, outbox.c) --------------------------------- */

typedef struct dg_gw_stats {
    long listed, taken, processed, duplicates, quarantined, waiting, failed;
    long docs, orders, shipments, invoices, stock, acks_in, acks_out;
    long acknowledgments;         /* supplier PO acknowledgments (855, CSV) applied */
    long rerouted, reroute_ended; /* lines moved to another supplier / that ended (issue 11) */
    long pos_queued, pos_sent, tracking_sent, webhooks_sent, send_failed;
    long cancels_queued, cancels_sent; /* cancellation requests to suppliers (860 ...) */
    long pos_held;    /* POs whose file would not be valid: held, not sent (store: hold_reason) */
    long unchanged;   /* after: leave files whose size+mtime are already recorded: not fetched */
    long sla_events;  /* overdue items reported (logged, and POSTed to alerts: webhook) */
    long status_sent; /* status feed batches delivered (files and webhook POSTs) */
} dg_gw_stats;

typedef struct dg_gw dg_gw;

/* ---- the state folder (statedir.c) ------------------------------------------------------- */

/* True when cfg's dropgate.db is missing or empty (0 bytes). */
bool dg_gw_store_is_new(const dg_gw_config *cfg);
/* True when var/archive, var/outbox or var/quarantine holds a file (one is named in example). */
bool dg_gw_state_history(const dg_gw_config *cfg, char *example, size_t size);
/* DG_ENOTFOUND when the store is new but the state folder holds history, unless cfg->new_store
 * (then a warning is logged). Called before the store is created or opened. */
int dg_gw_check_store(const dg_gw_config *cfg, dg_error *err);

/* Opens the state store of cfg (creating var/ folders); cfg must outlive the gateway. Refuses a
 * new store beside an earlier store's history (dg_gw_check_store). */
int dg_gw_open(const dg_gw_config *cfg, dg_gw **out, dg_error *err);
void dg_gw_close(dg_gw *g);
/* Several instances (lease.c), after each cycle: renews this instance's heartbeat lease, counts
 * the live instances, and gives back the partner leases it holds beyond its fair share (all of
 * them / live instances, rounded up), so an instance that starts later gets work. */
int dg_gw_leases_balance(dg_gw *g, dg_error *err);
/* The lease time in milliseconds: the daemon wakes at least every third of it to renew. */
int64_t dg_gw_lease_ms(const dg_gw *g);
/* This instance's id in the leases (host:pid:random), for logs and `status`. */
const char *dg_gw_instance(const dg_gw *g);
dg_gw_stats *dg_gw_get_stats(dg_gw *g);

/* One poll of one partner's inbound drops. A file that fails is quarantined and the poll goes
 * on; a network failure ends this partner's poll (its files stay for the next one). With
 * second_look, files first seen now are looked at again after the drop's stable_seconds, so
 * `poll --once` can take a file that is already complete. */
int dg_gw_poll_partner(dg_gw *g, const dg_gw_partner *p, bool second_look, dg_error *err);
/* Renders what the flow has pending for p (supplier POs, storefront tracking) into the outbox
 * and uploads every unsent outbox entry of p; exactly once (see outbox.c). */
int dg_gw_send_outbox(dg_gw *g, const dg_gw_partner *p, dg_error *err);
/* Backordered lines whose promised date passed and lines a 997 rejected go to the next
 * supplier (dg_flow_reroute_due on the store's clock), under the "shared" lease (skipped
 * while another instance holds it). Part of every cycle: dg_gw_cycle and the daemon's loop. */
int dg_gw_reroute_due(dg_gw *g, dg_error *err);

/* A whole cycle: suppliers are polled first (stock, ASNs, invoices), then storefronts (orders),
 * then every outbox is sent. only: a partner name or NULL for all. Returns the first partner
 * error (after trying every partner), or 0. */
int dg_gw_cycle(dg_gw *g, const char *only, bool second_look, dg_error *err);
/* SLAs (sla.c): records each item overdue now (a PO without its 997, 855 or first 856 within
 * the partner's sla: or routing.yaml's limits) once, logs it once and POSTs it once to the
 * main configuration's alerts: webhook. Run after each cycle; cheap when nothing is overdue. */
int dg_gw_sla_check(dg_gw *g, dg_error *err);
/* Reprocess of a file received through a type: x12 drop (from its archived copy): the sets not
 * yet applied are routed and applied again with today's configuration (e.g. after adding a
 * mapping to x12: sets:, or fixing one); the applied ones are skipped, so nothing is applied
 * twice. No acknowledgment is sent. The file's state becomes DONE once no set is rejected. */
typedef struct dg_gw_reprocess_result {
    long sets;           /* sets routed to a partner */
    long applied_now;    /* applied by this run */
    long applied_before; /* skipped: applied earlier */
    long rejected;       /* still rejected */
    const char *state;   /* the file's state after it: DONE, PARTIAL or QUARANTINED */
    bool x12;            /* counts are X12 sets (a type: x12 drop), else documents */
    char note[600];      /* the first set still rejected, in words */
} dg_gw_reprocess_result;
int dg_gw_reprocess_x12(dg_gw *g, int64_t file_id, dg_gw_reprocess_result *out, dg_error *err);
/* ---- operator actions (ops.c) ------------------------------------------------------------ */

struct dg_store;

/* What an operator action did to a PO (for the command's text and --json). */
typedef struct dg_gw_po_action {
    char po_number[64], supplier[64], status[32];
    char file[256];       /* resend: the file queued (again) */
    bool was_held;        /* held by an operator before the action */
    bool validation_held; /* held because its file does not validate (hold_reason) */
    char note[256];       /* what happens next, in words */
} dg_gw_po_action;
/* Operator hold (hold true) or release of a PO, recorded with actor and reason. A held PO is not
 * uploaded (nor resent) until released (it may be rendered into the outbox meanwhile); works beside
 * a running daemon (store only). Releasing a PO that is not held is DG_EINVAL. */
int dg_gw_po_hold(struct dg_store *s, const char *po_number, bool hold, const char *actor,
                  const char *reason, dg_gw_po_action *out, dg_error *err);
/* Sends a PO's last file again, same name and bytes (the outbox entry goes back to PENDING; the
 * next send uploads it once). DG_EINVAL when held or never queued, DG_EDUP when not sent yet. A
 * file that carries other POs too (outbound po_per_file) would send them again: refused
 * (DG_EINVAL, naming how many) unless whole_file. */
int dg_gw_po_resend_same(struct dg_store *s, const char *po_number, bool whole_file,
                         const char *actor, const char *reason, dg_gw_po_action *out,
                         dg_error *err);
/* Renders the PO again with new ISA13/GS06/ST02 under a new name (X12 suppliers only). */
int dg_gw_po_resend_new(dg_gw *g, const char *po_number, const char *actor, const char *reason,
                        dg_gw_po_action *out, dg_error *err);

/* Runs a received file again from its archived copy through the drop it came from, with today's
 * configuration (after a mapping or configuration fix): quarantined, partial or done files of any
 * drop. X12 files routed by envelope as dg_gw_reprocess_x12; other files are mapped again as a
 * whole, and documents already recorded from the file are not applied again. A file that still
 * fails is left as it was (rejected 1, note: why). Each run is recorded as a child of the file
 * (table reprocesses: state before/after, applied now/before) and as an operator action (actor,
 * reason). DG_ENOTFOUND: no such file or no archived copy; DG_EINVAL: its partner or drop is
 * not configured any more. */
int dg_gw_reprocess(dg_gw *g, int64_t file_id, const char *actor, const char *reason,
                    dg_gw_reprocess_result *out, dg_error *err);
/* reprocess as a command reports it: file_id (0: every quarantined file of partner, NULL: all)
 * run with dg_gw_reprocess; out gets the summary (text lines, or JSON: one object, an array for
 * all quarantined files), errs the error lines. Returns the command's exit status: 0 all
 * applied, 1 some still rejected, 2 an error. Used by the CLI and by a daemon serving a
 * request. */
struct dg_buf;
int dg_gw_reprocess_report(dg_gw *g, int64_t file_id, const char *partner, const char *actor,
                           const char *reason, bool as_json, struct dg_buf *out,
                           struct dg_buf *errs);
/* File ids of the archived quarantined files of partner (NULL: all), oldest first (free()). */
int dg_gw_quarantined(dg_gw *g, const char *partner, int64_t **ids, size_t *n, dg_error *err);
/* Locate the main config: opt (--config), else $DROPGATE_CONFIG, else ./etc/dropgate.yaml. */
const char *dg_gw_config_path(const char *opt);
/* The state store and routing rules of cfg for read-mostly commands (status, report): no
 * folders are created and the catalog is not reloaded; a running daemon is not disturbed. A
 * missing or empty store is DG_ENOTFOUND (never created here). */
struct dg_store;
struct dg_flow_rules;
int dg_gw_open_store(const dg_gw_config *cfg, struct dg_store **store, struct dg_flow_rules **rules,
                     dg_error *err);
/* The store of a running gateway (reports at the end of a demo, tests). */
struct dg_store *dg_gw_store(dg_gw *g);

/* ---- requests to a running daemon (request.c) ------------------------------------------- */

/* A manual `poll --once` while the daemon holds the store's lock asks the daemon instead: the
 * request is a file in <state_dir>/requests (written under a temporary name, then renamed), the
 * daemon is woken with SIGUSR1 (its pid is in the lock file), runs the cycle between two of its
 * polls and answers in <name>.done (exit code and the poll's summary line). */
/* The summary line of a poll (what `poll --once` prints), from stats. */
void dg_gw_stats_format(const dg_gw_stats *s, char *out, size_t size);
/* poll --once's exit code for a cycle that returned rc with stats s: 0 ok, 1 a partner failed,
 * 2 configuration or state store error, 3 files quarantined. */
int dg_gw_poll_exit(int rc, const dg_gw_stats *s);
/* What a client asks of the daemon: "poll" (partner NULL: all) or "reprocess" (file_id, 0: every
 * quarantined file of partner), with who and why for the audit trail, answered as text or JSON. */
typedef struct dg_gw_request {
    const char *action;
    const char *partner;
    int64_t file_id;
    const char *actor, *reason;
    bool json;
} dg_gw_request;
/* Sends rq and waits up to timeout_s for the answer: the command's exit code, what it would
 * print on stdout (out) and stderr (errs). Errors as dg_gw_request_poll. */
int dg_gw_request_send(const dg_gw_config *cfg, const dg_gw_request *rq, long timeout_s,
                       int *exit_code, char *out, size_t out_size, char *errs, size_t errs_size,
                       dg_error *err);
/* Client side: asks the daemon of cfg to poll (partner NULL: all) and waits up to timeout_s for
 * its answer: *exit_code and the summary (in text). DG_ETIMEOUT when no answer came (the
 * request is withdrawn when the daemon had not taken it), DG_ENOTFOUND when no daemon runs. */
int dg_gw_request_poll(const dg_gw_config *cfg, const char *partner, long timeout_s, int *exit_code,
                       char *text, size_t size, dg_error *err);
/* Daemon side: runs every waiting request; returns the number served. Errors of a request are
 * answered to its client, never fatal to the daemon. */
int dg_gw_serve_requests(dg_gw *g);

/* ---- partner certification (certify.c, certify_check.c) -------------------------------- */

/* One line of the pass/fail table. */
typedef struct dg_gw_cert_check {
    char check[32]; /* po_render, po_x12_valid, po_lines, answer_read, answer_x12_valid,
                       answer_sender, ack_po, ack_lines, ack_codes, asn_po, asn_lines,
                       asn_qty, asn_uom, asn_tracking, invoice_po, invoice_lines, invoice_qty,
                       invoice_prices, invoice_uom, invoice_total, product_ids, answers */
    char doc[160];  /* what it looked at: "PO CERT-0001", "shipment SH-1 (856.x12)" */
    bool pass;
    char detail[1024];
} dg_gw_cert_check;

typedef struct dg_gw_cert_result {
    dg_gw_cert_check *checks;
    size_t n, cap, failed;
    const char *root; /* "<root>/" is left out of details: mappings/x12-810-in.yaml:69 ... */
} dg_gw_cert_result;

/* The PO number of the sample order certification sends (the partner's answers refer to it). */
#define DG_GW_CERT_PO "CERT-0001"

/* Offline certification of supplier p with its own mappings and configuration: a sample order
 * becomes a PO through its po_mapping (X12 fitted to edi/ and validated, then read back); the
 * partner's sample answers in answers_dir (855/856/810 X12, or CSV/XML through its inbound
 * drops' mappings) are read back through its inbound mappings and checked against the PO and
 * each other (lines carried through, product ids, quantities, UoM, prices, ack codes, ASN vs
 * PO, invoice vs PO and ASN, X12 validity). Every check is a row of out; 0 when the run
 * happened (see out->failed), DG_ECONFIG/DG_EIO when it could not. */
int dg_gw_certify(const dg_gw_config *cfg, const dg_gw_partner *p, const char *answers_dir,
                  dg_gw_cert_result *out, dg_error *err);
void dg_gw_cert_result_free(dg_gw_cert_result *r);

/* ---- the shipped demo (demo.c) --------------------------------------------------------- */

/* Fresh work folder dir (a previous demo folder is replaced; any other non-empty folder is
 * refused) with copies of etc/, mappings/, edi/ and samples/demo/drops as drops/. */
int dg_gw_demo_setup(const char *source, const char *dir, dg_error *err);
/* "The suppliers answer": copies samples/demo/responses/<partner>/... into dir/drops/. */
int dg_gw_demo_answer(const char *source, const char *dir, dg_error *err);
/* Drops samples/demo/<what> (late-order, late-answers) into the demo's drops/. */
int dg_gw_demo_drop(const char *source, const char *what, const char *dir, dg_error *err);
/* The source checkout holding samples/demo: opt, $DG_SOURCE_DIR, the binary's parent folder
 * (build/dropgate), or the current folder. DG_ENOTFOUND when none has it. */
int dg_gw_demo_find_source(const char *opt, const char *argv0, char *out, size_t size);

#endif
