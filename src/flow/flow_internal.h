/* Private parts of the flow shared by its files: the loaded rules, SQL binding helpers and the
 * party <-> JSON helpers used to keep addresses on orders and POs. */
#ifndef DG_FLOW_INTERNAL_H
#define DG_FLOW_INTERNAL_H

#include "store/db.h"

#include "core/arena.h"
#include "flow/flow.h"

typedef enum { FL_BY_PREFERRED = 1, FL_BY_PRIORITY, FL_BY_LANDED_COST } fl_criterion;

typedef struct fl_supplier {
    const char *name;
    const char *code;     /* PO number suffix ("NW"); default: upper-case name */
    bool enabled;         /* false: every line for it is NOT_APPROVED */
    int stock_required;   /* -1: the rules' default */
    const char **ship_to; /* countries it ships to; none: no restriction */
    size_t n_ship_to;
    long ack_after, asn_after;       /* seconds; -1: the rules' default */
    long ack855_after;               /* seconds to the 855 (partner sla:); -1: none expected */
    dg_dec max_freight, max_charges; /* unset: the reconcile defaults */
} fl_supplier;

struct dg_flow_rules {
    dg_arena *arena;
    fl_criterion choose[4];
    size_t n_choose;
    bool split;
    bool split_lines;    /* a line may be shared out when no one supplier has its quantity */
    bool stock_required; /* default for suppliers */
    const char *default_country;
    dg_dec max_line_amount; /* approval: lines above it are NOT_APPROVED; unset: no limit */
    bool allow_loss;        /* false: a supplier whose landed cost exceeds the price is out */
    dg_party retailer;      /* bill-to and buyer on every PO */
    const char *currency;
    fl_supplier *suppliers;
    size_t n_suppliers;
    /* reconcile */
    dg_dec price_abs, price_pct, max_freight, max_charges, total_tolerance;
    /* overdue */
    long ack_after, asn_after;
    /* partners in test mode (partner file test: true), each with the production supplier whose
     * catalog rows it takes test orders for (test_of; NULL: its own rows only) */
    const char **test_names, **test_of;
    size_t n_test;
    /* re-routing (reroute.c): a line goes to at most reroute_max_attempts suppliers in all; a
     * backordered line is re-routed when its promised date is more than reroute_backorder
     * seconds away (or unknown), or has passed */
    long reroute_max_attempts, reroute_backorder;
};

/* The supplier's rules (NULL when routing.yaml does not name it: defaults apply). */
const fl_supplier *fl_supplier_rules(const dg_flow_rules *r, const char *name);
/* Whether supplier is a partner in test mode. */
bool fl_is_test_supplier(const dg_flow_rules *r, const char *supplier);
/* The test-mode partner that takes test orders for production supplier (test_of), or NULL. */
const char *fl_test_twin(const dg_flow_rules *r, const char *supplier);
bool fl_stock_required(const dg_flow_rules *r, const char *supplier);
/* Upper-case code for PO numbers. */
void fl_supplier_code(const dg_flow_rules *r, const char *supplier, char *out, size_t size);

/* A party as a JSON object text (malloc'd) and back into an arena. */
char *fl_party_json(const dg_party *p);
void fl_party_from_json(dg_arena *a, const char *json, dg_party *p);

/* A document's replay identity: its canonical JSON (as received, before the flow writes line
 * statuses into it) and the SHA-256 of that JSON. */
typedef struct fl_docrec {
    char *json; /* malloc'd; NULL when the document cannot be expressed as JSON */
    char sha[65];
} fl_docrec;

void fl_docrec_init(fl_docrec *r, const dg_doc *doc);
void fl_docrec_free(fl_docrec *r);
/* The same document was already ingested from this file position: answer DUPLICATE. */
int fl_already(dg_store *s, const fl_docrec *r, const dg_doc *doc, int64_t file_id, bool *seen,
               dg_error *err);
/* Records the document row for an ingest. */
int fl_document_add(dg_store *s, const char *partner, const fl_docrec *r, const dg_doc *doc,
                    int64_t file_id, const char *outcome, int64_t *doc_id, dg_error *err);

/* Which parts of order order_id (as placed) differ in json, the canonical JSON of the same order
 * number sent again: "lines, ship_to" into out, or "" when it is the same order (amend.c). */
int fl_order_changes(dg_store *s, int64_t order_id, const char *json, char *out, size_t size,
                     dg_error *err);

/* A supplier PO with its lines, as ASNs and invoices match against it (store.h dg_store_po,
 * loaded by dg_store_po_load). */
typedef dg_store_po_line po_line;
typedef dg_store_po po_info;

/* The PO line an item or invoice line means: by SKU (the supplier's, then ours), GTIN, and only
 * then by PO line number (a partner's own line numbering is often its own sequence). -1: none. */
int fl_match_line(const po_line *lines, size_t n, const char *line_number, const char *vsku,
                  const char *bsku, const char *gtin);

int fl_date_text(int64_t t, char *out, size_t size); /* "YYYY-MM-DD" (UTC) */

/* A line as routing sees it (reroute.c): what, how many, at what price, where to, and the
 * suppliers it was already offered to (never offered again). */
typedef struct fl_line_ask {
    const char *sku, *gtin, *country;
    dg_dec qty, price;
    bool test;     /* the line's order is a test order: only partners in test mode may take it */
    bool via_twin; /* first routing: a production supplier with a test twin (test_of) counts, its
                      twin gets the PO; a re-route places on the candidate itself, so it does not */
    dg_store_tried tried[24];
    size_t n_tried;
} fl_line_ask;

/* One candidate supplier's verdict: eligible or not, and why (the filter that removed it, or
 * its landed cost broken down). */
typedef struct fl_verdict {
    dg_store_candidate c;
    dg_dec cost, landed;
    bool eligible;
    char reason[320];
} fl_verdict;

/* Every catalog candidate of the line through the routing filters; *best the one the rules'
 * `choose` order takes (-1: none eligible). *out malloc'd. */
int fl_route_evaluate(dg_store *s, const dg_flow_rules *r, const fl_line_ask *ask, fl_verdict **out,
                      size_t *n, int *best, dg_error *err);

/* Re-routes the lines of PO po_id that its supplier rejected, or backordered beyond the rules'
 * reroute.backorder_after (reroute.c): each to the next eligible supplier by the routing rules
 * (never one it was offered to before, at most reroute.max_attempts suppliers in all) on a new
 * PO, or it ends with its status and the reason. Counts added to *rerouted and *ended. */
int fl_reroute_po(dg_store *s, const dg_flow_rules *r, int64_t po_id, const dg_status_cause *c,
                  size_t *rerouted, size_t *ended, dg_error *err);

/* The cause a document gives a status change: its X12 set ("856") or its kind ("shipment"). */
const char *fl_cause_kind(const dg_doc *doc);

/* Cancellations an 855 meets (cancel.c): the PO's requested, unanswered cancellation lines. */
typedef struct fl_cancel_ctx fl_cancel_ctx;
/* *out NULL when the PO has none. */
int fl_cancel_ctx_open(dg_store *s, const po_info *po, int64_t doc_id, fl_cancel_ctx **out,
                       dg_error *err);
/* Whether line_id's cancellation is requested (x may be NULL); *whole (may be NULL): the request
 * covers all of the line still open. */
bool fl_cancel_pending(fl_cancel_ctx *x, int64_t line_id, bool *whole);
/* Answers it: cancelled (the line CANCELLED when the whole open quantity was asked) or refused
 * (the line stays as it is), with the reason on the cancellation line and the notice. */
int fl_cancel_settle(fl_cancel_ctx *x, int64_t line_id, bool cancelled, const char *reason,
                     dg_error *err);
/* Records the storefront notice of what was settled. */
int fl_cancel_ctx_close(fl_cancel_ctx *x, const po_info *po, const char *supplier, dg_error *err);
void fl_cancel_ctx_free(fl_cancel_ctx *x);

/* Acknowledgments (ack855.c, ack_split.c): one document being applied. */
typedef struct fl_ack_run {
    dg_store *s;
    const char *supplier;
    const dg_ack *a;
    const dg_status_cause *c;
    dg_flow_ack855_result *res;
    fl_cancel_ctx *cancels; /* requested cancellations on the PO, NULL: none */
} fl_ack_run;
/* One answer on one PO line: al may be NULL (the header's), status is DG_ACK_*. */
int fl_ack_answer_line(const fl_ack_run *run, const dg_ack_line *al, const char *status, po_line *l,
                       dg_error *err);
/* A line's answer in parts (several ACKs on one PO1, several CSV rows for one line): parts is
 * an array of n dg_ack_line with their status resolved (DG_ACK_*). Splits PO line k into one
 * order line per status (parts with the same status add up) - see ack_split.c. */
int fl_ack_parts(const fl_ack_run *run, po_info *p, size_t k, const dg_ack_line *parts, size_t n,
                 dg_error *err);
/* The open (not rejected, cancelled, re-routed) order lines on PO line k's PO line, by id:
 * more than one when an earlier acknowledgment split it. */
size_t fl_ack_siblings(const po_info *p, size_t k, size_t *out, size_t max);
/* Adds qty shipped (or invoiced) on PO line k to the lines' `add`, spread over the lines split
 * from the same PO line, each up to what it still has open (ordered - shipped, or shipped -
 * invoiced), in order; the rest (an over-shipment) goes to k. Without a split: all to k. */
void fl_split_spread(po_info *p, size_t k, dg_dec qty, bool invoice);

#endif
