/* The dropship flow over the state store: routing storefront orders to suppliers, supplier POs
 * (exactly once through the outbox), 997 acks, ASNs into storefront tracking, stock feeds,
 * invoice 3-way match, overdue POs and the status/report figures. Pure logic: no I/O but the db.
 *
 * Every call that changes state is one transaction (nested as a savepoint inside the caller's,
 * see store.h) and idempotent under replay: a document already recorded from the same
 * (file_id, position) is answered DG_FLOW_DUPLICATE without any change, an order number already
 * placed by the same storefront is DG_FLOW_DUPLICATE, so a crash and replay never places a second
 * PO. Errors that mean "this input is wrong" are DG_EVALID with the reason in err (the gateway
 * quarantines the file); DG_ESTATE is a database failure. */
#ifndef DG_FLOW_FLOW_H
#define DG_FLOW_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/decimal.h"
#include "core/error.h"
#include "core/model.h"
#include "store/store.h"

/* ---- rules: etc/routing.yaml ------------------------------------------------------------- */

/* Routing, supplier, reconciliation and overdue rules (see the comments in etc/routing.yaml). */
typedef struct dg_flow_rules dg_flow_rules;

/* Loads etc/routing.yaml; errors name file:line. */
int dg_flow_rules_load(const char *path, dg_flow_rules **out, dg_error *err);
/* The same from YAML text (tests); name is used in messages. */
int dg_flow_rules_parse(const char *text, size_t len, const char *name, dg_flow_rules **out,
                        dg_error *err);
/* Built-in defaults (choose preferred, landed cost, priority; split on; no retailer address). */
dg_flow_rules *dg_flow_rules_default(void);
void dg_flow_rules_free(dg_flow_rules *r);

/* Marks supplier as a partner in test mode (its partner file says test: true): only test
 * orders (dg_order_is_test) are routed to it, and no test order goes to any other supplier.
 * of (test_of: NAME, may be NULL): it also takes the test orders the catalog would route to the
 * production supplier NAME, so the catalog needs no rows of its own. */
int dg_flow_rules_add_test_supplier(dg_flow_rules *r, const char *supplier, const char *of,
                                    dg_error *err);

/* A supplier's SLA from its partner file (sla: {ack_997_hours, ack_855_hours, first_856_days}),
 * in seconds, -1 for what it does not set: the 997 (overrides routing.yaml's ack_after), the
 * 855 (none expected unless set) and the first 856 (overrides asn_after) are due that long
 * after the PO was sent. */
int dg_flow_rules_set_sla(dg_flow_rules *r, const char *supplier, long ack_997, long ack_855,
                          long first_856, dg_error *err);

/* Replaces the catalog table with etc/catalog.csv (one transaction). Columns, by header name:
 * retailer_sku, gtin, supplier, supplier_sku, cost, priority, preferred, ship_estimate,
 * dropship_fee, ship_to (countries separated by space or '|', empty: everywhere), approved
 * (1/0, default 1), description. Errors name file:line. *rows may be NULL. */
int dg_flow_catalog_load(dg_store *s, const char *csv_path, size_t *rows, dg_error *err);

/* ---- outcomes ---------------------------------------------------------------------------- */

typedef enum {
    DG_FLOW_OK = 0,      /* recorded and applied */
    DG_FLOW_DUPLICATE,   /* already recorded (replay or same order number): nothing changed */
    DG_FLOW_MATCHED,     /* invoice: 3-way match passed, approved for payment */
    DG_FLOW_DISCREPANCY, /* invoice: recorded with reasons (dg_flow_invoice_result) */
    DG_FLOW_CHANGED,     /* order: number already placed, other content: recorded, not applied */
} dg_flow_outcome;

const char *dg_flow_outcome_name(dg_flow_outcome o); /* "OK", "DUPLICATE", ... */

/* The longest order number an order is recorded under (results, reports and notifications
 * carry it in char[64]; a PO number is built from it). */
#define DG_FLOW_MAX_ORDER_NUMBER 63

/* Order statuses (lines use DG_LINE_* from model.h). */
#define DG_ORDER_CONVERTED "CONVERTED"
#define DG_ORDER_PARTIALLY_CONVERTED "PARTIALLY_CONVERTED"
#define DG_ORDER_FAILED "FAILED"

/* Supplier PO statuses. */
#define DG_PO_QUEUED "QUEUED"     /* created by routing; not yet rendered or not yet sent */
#define DG_PO_SENT "SENT"         /* uploaded; an X12 997 is expected */
#define DG_PO_ACCEPTED "ACCEPTED" /* 997 accepted (A/E) */
#define DG_PO_REJECTED "REJECTED" /* 997 rejected (R/M/W/X) */
#define DG_PO_AWAITING_SHIPMENT "AWAITING_SHIPMENT" /* uploaded, no ack expected (CSV/XML) */
#define DG_PO_PARTIALLY_SHIPPED "PARTIALLY_SHIPPED"
#define DG_PO_SHIPPED "SHIPPED"
#define DG_PO_INVOICED "INVOICED" /* every ordered unit invoiced by MATCHED invoices */

/* Invoice discrepancy reason codes (each stored with a readable detail). */
#define DG_REASON_DUPLICATE_INVOICE "DUPLICATE_INVOICE"
#define DG_REASON_LINE_NOT_ON_PO "LINE_NOT_ON_PO"
#define DG_REASON_QTY_ABOVE_SHIPPED "QTY_ABOVE_SHIPPED"
#define DG_REASON_PRICE_ABOVE_TOLERANCE "PRICE_ABOVE_TOLERANCE"
#define DG_REASON_PRICE_BELOW_TOLERANCE "PRICE_BELOW_TOLERANCE"
#define DG_REASON_FREIGHT_ABOVE_LIMIT "FREIGHT_ABOVE_LIMIT"
#define DG_REASON_CHARGES_ABOVE_LIMIT "CHARGES_ABOVE_LIMIT"
#define DG_REASON_TOTAL_MISMATCH "TOTAL_MISMATCH"
#define DG_REASON_CURRENCY_MISMATCH "CURRENCY_MISMATCH"
#define DG_REASON_CANCELLED_LINE_INVOICED "CANCELLED_LINE_INVOICED"

/* ---- orders in: routing and POs ---------------------------------------------------------- */

typedef struct dg_flow_order_result {
    dg_flow_outcome outcome; /* OK, DUPLICATE or CHANGED */
    int64_t order_id;        /* the (existing, for DUPLICATE and CHANGED) order */
    char changed[128];       /* CHANGED: the parts that differ from the placed order */
    const char *status;      /* DG_ORDER_* (static string) */
    size_t lines, matched;   /* lines in the order, lines MATCHED */
    size_t pos_created;      /* supplier POs created (0 on DUPLICATE) */
} dg_flow_order_result;

/* A storefront order: deduplicated by (storefront, order_number); each line routed by the rules
 * (line->status, status_reason and supplier are written back into doc for logging); one PO per
 * chosen supplier (number "<order>-<supplier code>", unique), bill-to the rules' retailer,
 * ship-to the order's ship_to; stock reserved (decremented) at the chosen supplier. The
 * retailer's SKU of a line is buyer_sku, or vendor_sku when buyer_sku is absent (a storefront's
 * own export names its SKU as the vendor's). With split_lines in the rules, a line no single
 * supplier has enough stock for is shared out (one row and PO line per share; line->supplier
 * then lists them, "bl,nw"). DG_EVALID: no order number or no lines. */
int dg_flow_ingest_order(dg_store *s, const dg_flow_rules *r, const char *storefront, dg_doc *doc,
                         int64_t file_id, dg_flow_order_result *res, dg_error *err);

/* A PO ready to be rendered through the supplier's PO mapping. */
typedef struct dg_flow_po {
    int64_t id;
    char *po_number;
    char *supplier;
    char *storefront;
    char *order_number; /* the storefront's order number */
    bool op_held;       /* an operator holds it (rendered alone, never in a shared file) */
    dg_doc *doc;        /* canonical order: order_number = PO number, customer_order_number =
                           storefront order, buyer/bill_to = retailer, seller = supplier,
                           ship_to = end customer, lines with buyer_sku, vendor_sku (supplier
                           SKU), gtin, quantity, unit_price = supplier cost, line_number 1..n */
} dg_flow_po;

/* POs of supplier (NULL: all) in state QUEUED with no outbox entry yet, oldest first. */
int dg_flow_pending_pos(dg_store *s, const char *supplier, dg_flow_po **pos, size_t *n,
                        dg_error *err);
/* The same a page at a time (memory bounded by limit, whatever is pending): the first limit
 * POs with an id above after_id; limit 0 means all. */
int dg_flow_pending_pos_page(dg_store *s, const char *supplier, int64_t after_id, size_t limit,
                             dg_flow_po **pos, size_t *n, dg_error *err);
void dg_flow_pos_free(dg_flow_po *pos, size_t n);
/* One PO by number, whatever its state (a resend renders it again): *po is an array of one,
 * freed with dg_flow_pos_free(*po, 1). DG_ENOTFOUND when there is no such PO. */
int dg_flow_po_load(dg_store *s, const char *po_number, dg_flow_po **po, dg_error *err);

/* Envelope numbers used when rendering a PO (NULL for non-X12 formats). */
typedef struct dg_flow_envelope {
    const char *interchange_control, *group_control, *set_control;
} dg_flow_envelope;

/* The rendered PO file is in the outbox: records the outbox entry (partner = supplier, kind "po",
 * ref = PO number, file_name, content sha256, local path) and links it to the PO with the
 * envelope numbers (997s are matched on group + set control) and whether a 997 is expected.
 * Idempotent: a PO already linked keeps its first entry (same file name and content on every
 * retry), *outbox_id gets it either way. Call it in the transaction that took the control
 * numbers. DG_ENOTFOUND: no such PO. */
int dg_flow_po_queued(dg_store *s, const char *po_number, const char *file_name,
                      const char *content_sha256, const char *local_path,
                      const dg_flow_envelope *env, bool expect_ack, int64_t *outbox_id,
                      dg_error *err);

/* Several POs of supplier rendered into one file (outbound po_per_file): one outbox entry (kind
 * "po", ref = the first PO) that every PO points at, each with its own envelope numbers (envs[i],
 * or NULL for non-X12). Not idempotent like po_queued: a PO already in a file is DG_EDUP (the
 * caller's transaction is rolled back and the PO keeps its first file). */
int dg_flow_pos_queued(dg_store *s, const char *supplier, const char *const *po_numbers, size_t n,
                       const char *file_name, const char *content_sha256, const char *local_path,
                       const dg_flow_envelope *envs, bool expect_ack, int64_t *outbox_id,
                       dg_error *err);

/* A confirmed upload of outbox entry id: marks it SENT and moves what it carries (PO -> SENT, or
 * AWAITING_SHIPMENT when no ack is expected, with sent_at; a tracking notification -> SENT).
 * Idempotent: a second call changes nothing. */
int dg_flow_outbox_sent(dg_store *s, int64_t outbox_id, dg_error *err);
/* The same, and *pos: how many POs this mark moved from QUEUED (a file of several POs moves
 * them all; a file sent again moves none). */
int dg_flow_outbox_sent_n(dg_store *s, int64_t outbox_id, size_t *pos, dg_error *err);
/* Convenience: the same by PO number (its linked outbox entry). */
int dg_flow_po_sent(dg_store *s, const char *po_number, dg_error *err);

/* ---- stock feeds ------------------------------------------------------------------------- */

typedef struct dg_flow_stock_result {
    dg_flow_outcome outcome; /* OK or DUPLICATE */
    size_t items;            /* rows upserted */
} dg_flow_stock_result;

/* Upserts (supplier, vendor_sku) rows: quantity, cost, msrp, MAP, gtin, updated. Items without a
 * vendor_sku are matched by gtin through the catalog, else skipped (counted out of items). */
int dg_flow_ingest_stock(dg_store *s, const char *supplier, const dg_doc *doc, int64_t file_id,
                         dg_flow_stock_result *res, dg_error *err);

/* ---- 997 acknowledgments for the POs we sent --------------------------------------------- */

typedef struct dg_flow_ack_set {
    const char *set_control; /* AK202 */
    const char *status;      /* AK501: A, E, R, M, W, X */
    const char *reason;      /* AK3/AK4/AK5 codes as text, may be NULL */
} dg_flow_ack_set;

typedef struct dg_flow_ack {
    const char *group_control; /* AK102 */
    const char *group_status;  /* AK901: A, E, P, R, M, W, X */
    const dg_flow_ack_set *sets;
    size_t n_sets; /* 0: the group status applies to every PO of the group */
    long position; /* where it starts in its file (idempotency key with file_id) */
} dg_flow_ack;

typedef struct dg_flow_ack_result {
    dg_flow_outcome outcome;   /* OK or DUPLICATE */
    size_t accepted, rejected; /* POs moved */
    size_t unknown;            /* sets that matched no PO we sent (logged, not an error) */
} dg_flow_ack_result;

/* Marks POs of supplier whose (group, set) control numbers match ACCEPTED or REJECTED (ack_at,
 * ack reason). A PO already past ACCEPTED (shipped...) keeps its status. */
int dg_flow_ingest_ack(dg_store *s, const char *supplier, const dg_flow_ack *ack, int64_t file_id,
                       dg_flow_ack_result *res, dg_error *err);

/* ---- supplier acknowledgments (855 and equivalents, ack855.c) and re-routing ------------ */

typedef struct dg_flow_ack855_result {
    dg_flow_outcome outcome; /* OK or DUPLICATE (the same document of the same file again) */
    char po_status[32];      /* DG_POS_* of the PO after it */
    size_t accepted, changed, backordered, rejected; /* lines answered so */
    size_t ignored;  /* answers for lines already closed (rejected, cancelled, re-routed) */
    size_t rerouted; /* lines offered to another supplier on a new PO */
    size_t ended;    /* rejected/backordered lines no other supplier may take (line says why) */
    size_t cancel_confirmed; /* lines whose requested cancellation the 855 confirmed */
    size_t cancel_refused;   /* lines whose requested cancellation the 855 refused (still live) */
} dg_flow_ack855_result;

/* Matches the acknowledgment to the PO (po_number, of this supplier) and each answer to a PO
 * line (supplier SKU, retailer SKU, GTIN, then line number); lines without an answer of their
 * own follow the header (BAK02) or a line-less row. Records per line the supplier status,
 * the code as sent, the acknowledged quantity (IQ/IC) and price (PO104: the invoice match
 * compares with it), the promised date; moves the PO's status; then re-routes (reroute.c) the
 * lines the supplier rejected or backordered beyond the rules' reroute.backorder_after, all in
 * one transaction. DG_EVALID (nothing recorded): no or unknown PO, PO of another supplier, a
 * line not on the PO, a status the mapping did not turn into ACCEPTED / BACKORDERED / REJECTED
 * / CHANGED. */
int dg_flow_ingest_acknowledgment(dg_store *s, const dg_flow_rules *r, const char *supplier,
                                  const dg_doc *doc, int64_t file_id, dg_flow_ack855_result *res,
                                  dg_error *err);

/* Backordered lines whose promised date has passed (or that waited reroute.backorder_after
 * without one) are offered to the next supplier now; the gateway calls it every cycle.
 * *rerouted / *ended: lines moved to a new PO / lines that ended (may be NULL). */
int dg_flow_reroute_due(dg_store *s, const dg_flow_rules *r, int64_t now, size_t *rerouted,
                        size_t *ended, dg_error *err);

/* `dropgate route --explain`: for each line of the order (storefront NULL: any), the candidate
 * suppliers with verdict CHOSEN / ELIGIBLE / SKIPPED and the reason as recorded when it was
 * routed and re-routed ("recorded"), and as the rules would decide now ("now": WOULD_CHOOSE /
 * ELIGIBLE / SKIPPED, over today's catalog and stock, suppliers the line had before this row
 * excluded). JSON object {order_number, lines: [...]}; caller json_decref's it.
 * DG_ENOTFOUND: no such order; DG_EINVAL: several storefronts have it. */
struct json_t;
int dg_flow_route_explain(dg_store *s, const dg_flow_rules *r, const char *storefront,
                          const char *order_number, struct json_t **out, dg_error *err);

/* ---- ASNs in, tracking out --------------------------------------------------------------- */

typedef struct dg_flow_shipment_result {
    dg_flow_outcome outcome; /* OK or DUPLICATE (same supplier + shipment id + PO seen before;
                                one 856 shipping several POs is one shipment per PO) */
    int64_t shipment_id;
    const char *po_status; /* DG_PO_* after this ASN (static string) */
    char storefront[64];   /* who gets the tracking notification */
    char order_number[64]; /* the storefront's order number */
} dg_flow_shipment_result;

/* Matches the ASN to the PO by po_number (must belong to supplier), items to PO lines by
 * line_number, then supplier SKU, retailer SKU or GTIN; an ASN without items ships everything
 * still open. Records shipment, packages and items, adds shipped quantities, moves the PO to
 * PARTIALLY_SHIPPED or SHIPPED and queues a tracking notification for the storefront with its own
 * order number. DG_EVALID (nothing recorded) with the reason: no/unknown PO, PO of another
 * supplier, item not on the PO, over-shipment (more than ordered). */
int dg_flow_ingest_shipment(dg_store *s, const char *supplier, const dg_doc *doc, int64_t file_id,
                            dg_flow_shipment_result *res, dg_error *err);

/* A tracking notification for a storefront. */
typedef struct dg_flow_notification {
    int64_t id;
    char *storefront;
    char *order_number;
    char *po_number;
    dg_doc *doc; /* canonical shipment: po_number = the storefront's order number, shipment_id,
                    carrier, service_level, ship_date, ship_to, packages (tracking numbers),
                    items with line_number = the storefront's line, buyer_sku = its SKU,
                    vendor_sku = its SKU too (as its own order export named it), quantity */
    char *json;  /* the same as JSON (dg_doc_to_json), e.g. for the webhook */
} dg_flow_notification;

/* Notifications of storefront (NULL: all) not yet in the outbox, oldest first. */
int dg_flow_pending_notifications(dg_store *s, const char *storefront, dg_flow_notification **out,
                                  size_t *n, dg_error *err);
void dg_flow_notifications_free(dg_flow_notification *ns, size_t n);
/* The rendered tracking file is in the outbox (kind "tracking"); idempotent like po_queued.
 * dg_flow_outbox_sent then marks the notification SENT. */
int dg_flow_notification_queued(dg_store *s, int64_t notification_id, const char *file_name,
                                const char *content_sha256, const char *local_path,
                                int64_t *outbox_id, dg_error *err);
/* For a storefront without a tracking file (webhook only), or to mark it sent directly. */
int dg_flow_notification_sent(dg_store *s, int64_t notification_id, dg_error *err);
/* Webhook delivery: pending = notifications whose webhook was not yet delivered. */
int dg_flow_pending_webhooks(dg_store *s, const char *storefront, dg_flow_notification **out,
                             size_t *n, dg_error *err);
int dg_flow_webhook_done(dg_store *s, int64_t notification_id, dg_error *err);

/* ---- invoices in: 3-way match ------------------------------------------------------------ */

typedef struct dg_flow_reason {
    char code[32];    /* DG_REASON_* */
    char detail[256]; /* "line 2 NW-1002: unit price 5.50 vs PO 5.00 (tolerance 0.10)" */
} dg_flow_reason;

#define DG_FLOW_MAX_REASONS 32

typedef struct dg_flow_invoice_result {
    dg_flow_outcome outcome; /* MATCHED, DISCREPANCY or DUPLICATE (replay of the same file) */
    int64_t invoice_id;
    dg_flow_reason reasons[DG_FLOW_MAX_REASONS]; /* every reason (also stored) */
    size_t n_reasons;
    size_t n_reasons_total; /* every reason found and stored (reasons[] holds the first ones) */
} dg_flow_invoice_result;

/* Matches against the PO (po_number, of this supplier) and what was shipped: quantity invoiced
 * (with earlier MATCHED invoices) not above shipped, unit price within the rules' tolerance
 * (|price - cost| <= max(abs, cost * pct / 100)), freight and other charges within limits, lines
 * + charges + tax == total (within total_tolerance), invoice number not seen before from this
 * supplier. Records invoice, lines, charges and every discrepancy. MATCHED invoices add their
 * quantities to the PO lines (qty_invoiced) and may move the PO to INVOICED.
 * DG_EVALID: no invoice number, no/unknown PO or a PO of another supplier. */
int dg_flow_ingest_invoice(dg_store *s, const dg_flow_rules *r, const char *supplier,
                           const dg_doc *doc, int64_t file_id, dg_flow_invoice_result *res,
                           dg_error *err);

/* ---- cancellations (cancel.c) ----------------------------------------------------------- */

typedef struct dg_flow_cancel_result {
    dg_flow_outcome outcome; /* OK, or DUPLICATE (the same document again, or nothing left) */
    size_t requested;        /* lines asked of a supplier (an 860 or its CSV, once per PO) */
    size_t cancelled;        /* lines cancelled now (not placed, or confirmed by the supplier) */
    size_t refused;          /* lines refused: already shipped, or the supplier refused */
    size_t requests;         /* POs a request goes to */
    char detail[512];        /* the first refusal, in words */
} dg_flow_cancel_result;

/* A storefront's cancellation (doc kind cancel, order_number = its order; lines by SKU or line
 * number with an optional quantity; no line or a line without either: every line). Cancels
 * what is not shipped: lines never placed at once; placed lines by a request to their PO's
 * supplier (sent once its PO was sent); shipped quantities are refused with the reason. The
 * storefront gets a notice of what was refused or cancelled at once. DG_EVALID: no such
 * order. Idempotent: a replay, or a cancellation of what is already requested, changes
 * nothing. */
int dg_flow_ingest_cancel(dg_store *s, const char *storefront, dg_doc *doc, int64_t file_id,
                          dg_flow_cancel_result *res, dg_error *err);
/* A supplier's answer to a request (865: order_number = PO, order_type AC/AT accepted, RJ
 * refused, lines with ACK01 or POC02 codes) or its own cancellation of lines (an 865 without a
 * request): the lines become CANCELLED (supplier status, PO status refreshed) or stay with the
 * refusal; the storefront gets a notice. DG_EVALID: unknown PO or one of another supplier. */
int dg_flow_ingest_cancel_answer(dg_store *s, const char *supplier, dg_doc *doc, int64_t file_id,
                                 dg_flow_cancel_result *res, dg_error *err);

/* A request ready for its supplier: doc is the cancellation in the PO's terms (order_number =
 * PO, order_date the PO's, the PO's parties and currency, purpose 01 when no line of the PO
 * stays open else 04, version the PO's version after it: 2 for its first request), lines with
 * po line numbers, supplier SKUs, status DI (whole line) or QD (decrease) and the new quantity.
 * remaining (a mapping with cancel_lines: remaining, cXML): a 04 request's lines are instead
 * the whole PO as it stands after it, every line left open with its quantity, and total. */
typedef struct dg_flow_cancel_out {
    int64_t id;
    char number[96]; /* "<PO>-C<n>": the file name */
    char supplier[64];
    char po_number[64];
    dg_doc *doc;
} dg_flow_cancel_out;
int dg_flow_pending_cancels(dg_store *s, const char *supplier, bool remaining,
                            dg_flow_cancel_out **out, size_t *n, dg_error *err);
void dg_flow_cancels_free(dg_flow_cancel_out *out, size_t n);
/* The rendered request is in the outbox (kind "cancel"), in the caller's transaction;
 * idempotent like po_queued. dg_flow_outbox_sent marks it SENT. */
int dg_flow_cancel_queued(dg_store *s, const dg_flow_cancel_out *c, const char *file_name,
                          const char *content_sha256, const char *local_path, int64_t *outbox_id,
                          dg_error *err);

/* What became of a storefront's cancellation (doc kind cancel: order_number = its order,
 * lines with its line number, SKU, quantity, status CANCELLED or REFUSED and the reason). */
typedef struct dg_flow_cancel_notice {
    int64_t id;
    char storefront[64], order_number[64];
    dg_doc *doc;
    char *json;
} dg_flow_cancel_notice;
int dg_flow_pending_cancel_notices(dg_store *s, const char *storefront, dg_flow_cancel_notice **out,
                                   size_t *n, dg_error *err);
void dg_flow_cancel_notices_free(dg_flow_cancel_notice *ns, size_t n);
int dg_flow_cancel_notice_queued(dg_store *s, const dg_flow_cancel_notice *c, const char *file_name,
                                 const char *content_sha256, const char *local_path,
                                 int64_t *outbox_id, dg_error *err);

/* ---- one entry point for the gateway ----------------------------------------------------- */

typedef struct dg_flow_result {
    dg_doc_kind kind;
    dg_flow_outcome outcome;
    char summary[512]; /* one log-ready line: "order=1001 status=CONVERTED pos=2" */
} dg_flow_result;

/* Dispatches doc by kind: orders from a storefront, stock/shipment/invoice from a supplier
 * (storefront == true: partner is a storefront). DG_EVALID for a kind the partner's role does
 * not send (e.g. an order from a supplier). */
int dg_flow_ingest_doc(dg_store *s, const dg_flow_rules *r, const char *partner, bool storefront,
                       dg_doc *doc, int64_t file_id, dg_flow_result *res, dg_error *err);

/* ---- overdue, status, reports ------------------------------------------------------------ */

typedef struct dg_flow_overdue {
    char po_number[64];
    char supplier[64];
    char order_number[64];
    char status[32];
    char what[8];        /* "ack" (no 997 after rules ack_after), "asn" (no ASN after asn_after) or
                            "send" (still QUEUED, never sent, after the earlier of the two) */
    char note[32];       /* "no 997 received", "no ASN received", "never sent" */
    int64_t sent_at;     /* 0 for "send" */
    int64_t age_seconds; /* since sent_at, or since the PO was created for "send" */
    long limit_seconds;  /* what was allowed (routing.yaml or the partner's sla:) */
    int64_t po_id;       /* the PO's row (order among equal ages) */
} dg_flow_overdue;

/* POs overdue at now (seconds since the epoch), oldest first; *rows malloc'd (free()). A PO
 * still QUEUED (its supplier has no partner configuration, or its file is never uploaded) is
 * overdue "send" once min(ack_after, asn_after) of its supplier has passed since it was
 * created. */
int dg_flow_overdue_pos(dg_store *s, const dg_flow_rules *r, int64_t now, dg_flow_overdue **rows,
                        size_t *n, dg_error *err);

/* ---- SLAs (sla.c) ------------------------------------------------------------------------ */

/* Records one event per overdue item (PO and what it waits for) at now: *added gets how many
 * are new (each logged once by the caller, delivered once to the alerts webhook); an item
 * already recorded is not recorded again, whatever the number of polls. One transaction. */
int dg_flow_sla_record(dg_store *s, const dg_flow_rules *r, int64_t now, size_t *added,
                       dg_error *err);
/* `dropgate report overdue`: every item overdue at now (po_number, supplier, order_number,
 * status, what, note, sent_at, due_at, overdue_seconds, event: "new" | "recorded" | "notified")
 * as a JSON array or CSV with a header row (malloc'd text). */
int dg_flow_report_overdue_json(dg_store *s, const dg_flow_rules *r, int64_t now, char **json,
                                dg_error *err);
int dg_flow_report_overdue_csv(dg_store *s, const dg_flow_rules *r, int64_t now, char **csv,
                               dg_error *err);

/* `dropgate status` as JSON text (malloc'd; free()): {"orders":{"CONVERTED":n,...},
 * "pos":{"SENT":n,...}, "outbox":{"PENDING":n,...}, "notifications_pending":n,
 * "overdue":[{po_number,supplier,order_number,status,what,age_seconds,note}...],
 * "discrepancies_open":n, "invoices":{"MATCHED":n,"DISCREPANCY":n}}. */
int dg_flow_status_json(dg_store *s, const dg_flow_rules *r, int64_t now, char **json,
                        dg_error *err);

/* One row of `dropgate report orders`. Money in the order's currency. */
typedef struct dg_flow_order_row {
    char storefront[64];
    char order_number[64];
    char status[32]; /* DG_ORDER_* */
    char currency[8];
    int64_t created_at;
    long lines, matched, pos, pos_shipped;
    dg_dec revenue;       /* storefront price x quantity of MATCHED lines */
    dg_dec supplier_cost; /* PO cost x quantity ordered */
    dg_dec freight;       /* charges on non-duplicate invoices of the order's POs */
    dg_dec margin;        /* revenue - supplier_cost - freight */
    long pos_held;        /* POs held because their file would not be valid (not sent) */
    char held[1024];      /* "PO: reason; PO: reason" */
    long amendments;      /* times the order was sent again with other content (not applied) */
    char amended[512];    /* "2026-12-03T10:00:00Z lines, ship_to; ..." */
    char reasons[1024];   /* lines not placed: "SKU: reason; SKU: reason" (empty: none) */
} dg_flow_order_row;

int dg_flow_report_orders(dg_store *s, dg_flow_order_row **rows, size_t *n, dg_error *err);

/* One row of `dropgate report reconcile` (one per invoice). */
typedef struct dg_flow_reconcile_row {
    char supplier[64];
    char invoice_number[64];
    char po_number[64];
    char order_number[64];
    char outcome[16]; /* MATCHED | DISCREPANCY */
    dg_dec lines_amount, charges, tax, total;
    dg_dec po_amount;   /* PO cost x quantity invoiced */
    char reasons[1024]; /* "CODE: detail; CODE: detail" */
    int64_t created_at;
} dg_flow_reconcile_row;

int dg_flow_report_reconcile(dg_store *s, dg_flow_reconcile_row **rows, size_t *n, dg_error *err);

/* The reports as JSON arrays (malloc'd text) or CSV with a header row (malloc'd text). */
int dg_flow_report_orders_json(dg_store *s, char **json, dg_error *err);
int dg_flow_report_reconcile_json(dg_store *s, char **json, dg_error *err);
int dg_flow_report_orders_csv(dg_store *s, char **csv, dg_error *err);
int dg_flow_report_reconcile_csv(dg_store *s, char **csv, dg_error *err);

#endif
