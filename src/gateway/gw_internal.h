/* Internal state of a running gateway shared by poll.c, ingest.c and outbox.c: the open store,
 * the partners' transports and loaded mappings, the looks of the stable check and counters. */
#ifndef DG_GATEWAY_INTERNAL_H
#define DG_GATEWAY_INTERNAL_H

#include "core/buf.h"
#include "gateway/gateway.h"
#include "map/map.h"

struct dg_store;
struct dg_flow_rules;
struct dg_x12_defs;

typedef struct gw_map_cache {
    char *path;
    dg_mapping *map;
} gw_map_cache;

struct dg_gw {
    const dg_gw_config *cfg;
    struct dg_store *store;
    struct dg_flow_rules *rules; /* etc/routing.yaml, or the flow's defaults */
    struct dg_x12_defs *defs;    /* edi/, loaded on the first X12 file */
    dg_transport **tr; /* per partner, opened on first use, closed after a network error */
    dg_gw_looks *looks;
    gw_map_cache *maps;
    size_t n_maps, cap_maps;
    dg_gw_stats stats;
    /* Leases (lease.c): this instance's id (host:pid:random), the lease time, and per
     * partner its "poll:" and "send:" lease, then the "shared" one (re-routing, SLAs). */
    char instance[160];
    int64_t lease_ms;
    struct gw_lease *leases; /* ... and last this instance's heartbeat "instance:<id>" */
    long live;               /* live instances, as last counted (lease.c: the fair share) */
    /* An upload whose sent mark the store could not commit (outbox.c): marked before anything
     * else is sent. 0: none. */
    int64_t unmarked_id;
    char unmarked_name[256];
};

/* lease.c: several instances on one store (issue 13). Each partner's inbound poll is done
 * only under its "poll:<partner>" lease, its outbox only under "send:<partner>", re-routing and
 * SLAs under "shared"; a lease another live instance holds means: skip it this cycle. */
typedef struct gw_lease {
    char name[300];
    bool held;               /* as far as this instance knows */
    struct timespec renewed; /* monotonic time of the last renewal that won */
} gw_lease;
typedef enum { GW_LEASE_POLL = 0, GW_LEASE_SEND = 1 } gw_lease_kind;
/* Makes the instance id and the leases' names; the lease time is lease_seconds: (default 60)
 * or DG_LEASE_MS (tests: short leases). */
int gw_leases_init(dg_gw *g, dg_error *err);
/* Gives back every lease this instance holds (clean shutdown) and frees them. */
void gw_leases_release(dg_gw *g);
/* p's lease of that kind, or the shared one for p NULL. */
gw_lease *gw_lease_of(dg_gw *g, const dg_gw_partner *p, gw_lease_kind kind);
/* Claims l, or renews it when a third of the lease time has passed since the last renewal:
 * cheap to call between files and uploads. 0 while this instance holds it; DG_ELOCKED (logged
 * at debug, or at warn when this instance held it until now) when another live instance does. */
int gw_lease_take(dg_gw *g, gw_lease *l, dg_error *err);
/* Fences the store's commits with l (dg_store_fence) until gw_lease_unfence. */
void gw_lease_fence(dg_gw *g, const gw_lease *l);
void gw_lease_unfence(dg_gw *g);
/* A commit refused by the fence (DG_ELOCKED): l is no longer ours; logged at warn. */
void gw_lease_lost(dg_gw *g, gw_lease *l, const dg_error *why);

/* gateway.c: opens the store (migrations), loads the routing rules and the catalog. */
int gw_store_open(dg_gw *g, dg_error *err);
void gw_store_close(dg_gw *g);
/* Crash tests: with DG_GW_TEST_PAUSE_MS set, sleeps that long at each step boundary that
 * matters for exactly-once (after fetch, after record, after upload...), so a SIGKILL at a
 * random time lands between the steps; DG_GW_TEST_PAUSE_AT="uploaded=5000" pauses one point
 * longer, so a test that sees its log line ("test-pause point=uploaded") kills inside that
 * window. Calls dg_gw_test_hook when set. A no-op otherwise. */
void gw_test_pause(const char *point);
/* The mapping at path, loaded once per gateway. */
int gw_mapping(dg_gw *g, const char *path, const dg_mapping **out, dg_error *err);
/* The partner's transport, opened on first use. */
int gw_transport(dg_gw *g, size_t partner, dg_transport **out, dg_error *err);
/* Forgets a transport after a network error, so the next use reconnects. */
void gw_transport_drop(dg_gw *g, size_t partner);
size_t gw_partner_index(const dg_gw *g, const dg_gw_partner *p);

/* Pickup states in the store (the store's own enum). */
typedef enum { GW_PICKUP_NEW = 0, GW_PICKUP_DONE, GW_PICKUP_QUARANTINED } gw_pickup_state;

typedef struct gw_pickup {
    const dg_gw_partner *partner;
    const dg_gw_drop *drop;
    const char *remote_path;
    const char *name;
    uint64_t size;
    int64_t mtime;
    char sha256[DG_SHA256_HEX_LEN];
    const char *spool_path;
    struct gw_x12_outcome *x12; /* type: x12 drops: what routing found (for the 997s) */
} gw_pickup;

/* route.c: routing X12 by envelope. What one file's routing found, kept for its 997s. */
typedef struct gw_x12_outcome {
    struct dg_x12_file_result *res; /* the check, set/group statuses as applied or rejected */
    const dg_gw_partner **sender;   /* per interchange: the partner it was routed to, or NULL */
    bool *duplicate;                /* per interchange: an ISA13 already received */
    long *applied;                  /* per interchange: sets applied */
    size_t n;
    long sets, sets_applied, sets_rejected, duplicates;
    long sets_already; /* reprocess: applied by an earlier run, skipped */
    char note[600];    /* the first rejection or duplicate, in words */
} gw_x12_outcome;
void gw_x12_outcome_clear(gw_x12_outcome *o);
/* Routes each set of the spooled X12 file to its sender's partner and mapping and records the
 * pickup (DONE, or PARTIAL when some sets were rejected) with its 997s, in one transaction.
 * Returns DG_EVALID/DG_EPARSE/DG_EDUP (nothing applied: quarantine; pk->x12 keeps what the
 * 997s need) or another error code as gw_ingest. */
int gw_ingest_x12(dg_gw *g, const gw_pickup *pk, int *docs, dg_error *reason);
/* Queues the 997 (or 999, TA1 for a duplicate) for each sender of o, in the caller's
 * transaction. */
int gw_x12_queue_acks(dg_gw *g, const gw_pickup *pk, const gw_x12_outcome *o, dg_error *err);

/* ingest.c: the document sink that hands each mapped document to the flow for partner. */
typedef struct gw_doc_ctx {
    dg_gw *g;
    const dg_gw_partner *partner;
    const char *remote_path;
    int64_t file_id;
    long n;
    int flow_rc; /* what the flow said, when it stopped the reader */
    dg_error flow_err;
    /* A batch file (CSV, XML): each document has its own outcome, a refused one is recorded
     * (documents.reason; an order with a number as a FAILED order) and the rest go on. */
    bool per_document;
    dg_doc_kind kind; /* the mapping's document kind */
    long applied, failed, skipped, orders_failed;
    char failures[1024]; /* the first failures, for the pickup's reason */
} gw_doc_ctx;
int gw_apply_doc(void *ctx, dg_doc *doc, dg_error *err);
/* The outcome sink of a batch file (dg_map_read_each): records a document the mapping did not
 * complete or a filter left out. */
int gw_doc_outcome(void *ctx, const struct dg_map_outcome *o, dg_error *err);
void gw_count_doc(dg_gw *g, dg_doc_kind k);

/* ingest.c: what the store knows about this exact pickup (partner, path, size, mtime, sha). */
int gw_pickup_lookup(dg_gw *g, const gw_pickup *pk, gw_pickup_state *st, dg_error *err);
/* Maps the spooled file and, in ONE store transaction, records the pickup with everything it
 * became. Returns 0, or DG_EPARSE/DG_EMAP/DG_EVALID with reason filled (nothing committed but
 * the caller records the pickup as quarantined), or another code for a gateway failure. */
int gw_ingest(dg_gw *g, const gw_pickup *pk, int *docs, dg_error *reason);
int gw_pickup_record_quarantined(dg_gw *g, const gw_pickup *pk, const char *reason,
                                 const char *where, dg_error *err);
int gw_pickup_mark_remote_done(dg_gw *g, const gw_pickup *pk, dg_error *err);

/* ack.c: X12 997s over src/x12/ack.h. gw_x12_check validates a received X12 file against
 * edi/ (DG_EVALID with the first problem when a set or envelope is rejected, DG_EPARSE when it
 * is not X12). gw_ack_build writes the 997 for it (accepted or rejected, AK3/AK4 detail),
 * enveloped from us to the partner with our control numbers. gw_ack_parse reads a received 997
 * and hands each acknowledged group to fn. */
typedef struct gw_ack_env {
    const char *our_qualifier, *our_id, *their_qualifier, *their_id;
    const char *isa_control, *gs_control, *st_control;
    bool test;
    bool ack_999; /* a 999 (IK3/IK4/IK5, 005010X231A1) instead of a 997: x12: ack: 999 */
} gw_ack_env;
int gw_x12_check(dg_gw *g, const char *path, const char *name, dg_error *reason);
int gw_ack_build(dg_gw *g, const char *path, const gw_ack_env *env, dg_buf *out, dg_error *err);
/* The 997 for a file that was quarantined (by the check, the mapping or the flow): every set
 * AK5 R and every group AK9 R, never an acceptance of what was not applied. reason (may be NULL)
 * is why it was quarantined: a value the mapping refused, named there with its segment and
 * element, gets an AK3/AK4. */
int gw_ack_build_rejected(dg_gw *g, const char *path, const char *reason, const gw_ack_env *env,
                          dg_buf *out, dg_error *err);
struct dg_flow_ack;
/* sender: the 997's ISA06, isa_control its ISA13 (to route a group to its partner). */
typedef int (*gw_ack_fn)(void *ctx, const char *sender, const char *isa_control,
                         const struct dg_flow_ack *ack, dg_error *err);
int gw_ack_parse(const char *path, gw_ack_fn fn, void *ctx, dg_error *err);
/* edi/ definitions, loaded once (DG_ECONFIG naming edi_dir when they cannot be). */
int gw_x12_defs(dg_gw *g, const struct dg_x12_defs **out, dg_error *err);
void gw_ack_free(dg_gw *g);
struct dg_x12_file_result;
/* A value a mapping refused, where reason names its segment and element: AK3/AK4 for its set
 * in res (when the check found nothing there). */
void gw_ack_add_refused_detail(struct dg_x12_file_result *res, const char *path,
                               const char *reason);
/* The 997 for an already checked (and possibly amended) result. */
int gw_ack_build_result(const struct dg_x12_file_result *res, const gw_ack_env *env, dg_buf *out,
                        dg_error *err);
/* A view of res with only the interchanges keep[] marks and their groups (FA groups left out:
 * acknowledgments are never acknowledged; ta1_only[ic]: no group, the TA1 alone). The sets and
 * problems are res's own: res must outlive it. */
struct dg_x12_file_result *gw_ack_subset(const struct dg_x12_file_result *res, const bool *keep,
                                         const bool *ta1_only);
void gw_ack_subset_free(struct dg_x12_file_result *sub);

/* outbox.c: queues an acknowledgment rendered from a checked result (997; prefix names the
 * outbox file: "997", "999", "TA1"), inside the caller's transaction. */
int gw_queue_ack_result(dg_gw *g, const dg_gw_partner *p, const struct dg_x12_file_result *res,
                        const char *prefix, dg_error *err);
/* Whether p's 997s reach us (a type: acks drop, or a type: x12 drop that takes p's interchanges):
 * its POs then wait for one. */
bool gw_partner_sends_acks(const dg_gw_config *cfg, const dg_gw_partner *p);
/* Whether type: x12 drop d (of owner) takes interchanges from partner p. */
bool gw_drop_takes(const dg_gw_drop *d, const dg_gw_partner *owner, const dg_gw_partner *p);
/* outbox.c: renders and queues the 997 for a received X12 file of partner p (inside the
 * caller's transaction). DG_EVALID when the file holds no group a 997 can acknowledge. */
int gw_queue_997(dg_gw *g, const dg_gw_partner *p, const gw_pickup *pk, dg_error *err);
/* The same for a quarantined file (reason: why): the 997 rejects every set
 * (gw_ack_build_rejected). */
int gw_queue_997_rejected(dg_gw *g, const dg_gw_partner *p, const gw_pickup *pk, const char *reason,
                          dg_error *err);
/* outbox.c: renders PO po again for p with fresh ISA13/GS06/ST02 into a new outbox entry
 * (name: PO_<number>_<ISA13>.<ext>, filled in), records the PO's new control numbers and the
 * operator action (actor, reason) in one transaction. DG_EINVAL when p's PO mapping is not X12;
 * DG_EVALID/DG_EMAP when the file would not be valid (nothing queued). */
struct dg_flow_po;
int gw_requeue_po(dg_gw *g, const dg_gw_partner *p, struct dg_flow_po *po, const char *actor,
                  const char *reason, char *name, size_t name_size, dg_error *err);
/* Makes the files written into var/outbox and var/archive durable (syncfs): called before the
 * commit that records them. */
int gw_sync_local(dg_gw *g, dg_error *err);

/* certify.c / certify_check.c: a row of the table (printf-like detail), and the
 * cross-document checks of the answers (docs) against the sample PO. */
void gw_cert_add(dg_gw_cert_result *r, const char *check, const char *doc, bool pass,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void gw_cert_cross(dg_gw_cert_result *r, const dg_doc *po, dg_doc *const *docs,
                   const char *const *from, size_t n, bool want_ack);
/* The PO as rendered, read back: every line with its ids, quantity, UoM and price. */
void gw_cert_po_back(dg_gw_cert_result *r, const dg_doc *po, const dg_doc *back);

/* outbox.c: renders doc through m for p into the outbox as "<base>.<ext>" (X12: control
 * numbers taken, fitted to edi/ and validated) in one transaction; record() records the outbox
 * entry and what it carries in it. name gets the file name. The file is published once the
 * transaction commits, so a crash leaves nothing half-recorded (as for POs). */
typedef int (*gw_record_fn)(dg_gw *g, void *ctx, const char *name, const char *sha,
                            const char *path, int64_t *outbox_id, dg_error *err);
int gw_queue_doc(dg_gw *g, const dg_gw_partner *p, const dg_mapping *m, dg_doc *doc,
                 const char *base, gw_record_fn record, void *ctx, char *name, size_t name_size,
                 dg_error *err);
/* As gw_queue_doc for several documents in one file (a batch of status updates). */
int gw_queue_docs(dg_gw *g, const dg_gw_partner *p, const dg_mapping *m, dg_doc *const *docs,
                  size_t n_docs, const char *base, gw_record_fn record, void *ctx, char *name,
                  size_t name_size, dg_error *err);
/* status_feed.c: a storefront's status updates not yet carried, one batch per channel and cycle
 * (more when there are many): a file through outbound status: mapping into the outbox, and/or
 * a webhook body through its webhook_mapping (outbox kind "status-hook", POSTed by the upload). */
int gw_render_status(dg_gw *g, const dg_gw_partner *p, dg_error *err);
/* POSTs a status-hook outbox entry's bytes (the archived copy when the outbox file is gone),
 * with an Idempotency-Key from its name and content, the same on every retry. */
int gw_post_status_hook(dg_gw *g, const dg_gw_partner *p, const char *path, const char *name,
                        const char *sha, dg_error *err);
/* outbox_cancel.c: a supplier's pending cancellation requests (860 or CSV), or a storefront's
 * cancellation notices, through the partner's outbound cancel_mapping into the outbox. */
int gw_render_cancels(dg_gw *g, const dg_gw_partner *p, dg_error *err);

#endif
