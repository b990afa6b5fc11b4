/* The canonical model: orders, shipments (ASNs), invoices and stock records that every partner
 * format maps into and out of. The flow works only on these; see docs in mappings/README.md. */
#ifndef DG_CORE_MODEL_H
#define DG_CORE_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/decimal.h"
#include "core/error.h"

/* Strings are NUL-terminated, owned by the document's arena; NULL means absent.
 * Dates are ISO "YYYY-MM-DD", times "HH:MM:SS" (mapping transforms normalise partner formats).
 * Amounts and quantities are dg_dec (exact, 4 decimals). Countries are ISO 3166-1 alpha-2. */

typedef struct dg_party {
    char *id;           /* partner's id for the party (N104, GLN, customer number) */
    char *id_qualifier; /* N103 or equivalent */
    char *name;         /* person or main name */
    char *company;
    char *address1, *address2;
    char *city, *state, *postal_code, *country;
    char *phone, *email;
} dg_party;

/* Line statuses the routing assigns (strings so mappings and JSON carry them unchanged). */
#define DG_LINE_OPEN "OPEN"
#define DG_LINE_MATCHED "MATCHED"
#define DG_LINE_PRODUCT_NOT_FOUND "PRODUCT_NOT_FOUND"
#define DG_LINE_OUT_OF_STOCK "OUT_OF_STOCK"
#define DG_LINE_SHIPPING_UNAVAILABLE "SHIPPING_UNAVAILABLE"
#define DG_LINE_NOT_APPROVED "NOT_APPROVED"
/* Line statuses a mapping gives (a skip_when / only_when with a status): the line stays in the
 * order as it came and is never routed. */
#define DG_LINE_NOT_SHIPPABLE "NOT_SHIPPABLE" /* nothing to ship: gift card, digital good, tip */
#define DG_LINE_NOT_ROUTED "NOT_ROUTED" /* the storefront keeps it (fulfilled by the merchant) */
/* Whether status is one a mapping gives (the line is not to be routed); false for NULL. */
bool dg_line_status_unrouted(const char *status);

typedef struct dg_order_line {
    char *line_number; /* PO101 / storefront line id */
    char *buyer_sku;   /* retailer's SKU (BP / IN) */
    char *vendor_sku;  /* supplier's SKU (VP / VN) */
    char *gtin;        /* UPC/EAN/GTIN (UP / EN / UK) */
    char *product_ids; /* every id pair the partner sent, "VN=AB3542;CB=065322-117;SK=56065" */
    char *description;
    char *comment; /* the customer's note on this line (ICDF product comment) */
    dg_dec quantity;
    char *uom; /* X12 unit code: EA, CA, ... */
    dg_dec unit_price;
    dg_dec retail_price; /* CTP retail / resale price (what the end customer pays) */
    char *status;        /* DG_LINE_* */
    char *status_reason;
    char *supplier; /* set by routing: partner name of the chosen supplier */
} dg_order_line;

/* An allowance (negative amount) or charge, on the whole document or on one line (line_number:
 * the line's number, as in lines[].line_number). Orders (850 SAC) and invoices (810 SAC). */
typedef struct dg_charge {
    char *type;    /* FREIGHT, HANDLING, DISCOUNT, TAX, OTHER (SAC02 mapped by code table) */
    char *code;    /* partner's own code (SAC02) */
    dg_dec amount; /* positive charge; allowances negative */
    char *description;
    char *line_number; /* the line it applies to; NULL: the whole document */
    dg_dec percent;    /* SAC08 percent, when given instead of or with the amount */
} dg_charge;

typedef struct dg_order {
    char *order_number; /* BEG03 / storefront order id / supplier PO number when outbound */
    char *order_date;
    char *purpose;               /* BEG01: 00 original, 01 cancel, 05 replace */
    char *version;               /* the PO's version when it changes: 1 as first sent, one more
                                    with each change request (cXML orderVersion) */
    char *order_type;            /* BEG02: SA stand-alone, DS drop ship, ... */
    char *currency;              /* ISO 4217 */
    char *customer_order_number; /* the storefront's order number on a supplier PO */
    dg_party buyer;              /* the retailer (BY) */
    dg_party seller;             /* the supplier (SE / VN) */
    dg_party bill_to;            /* BT: the retailer on supplier POs */
    dg_party ship_to;            /* ST: the end customer */
    char *carrier;               /* requested carrier (SCAC) */
    char *service_level;         /* requested service (e.g. GROUND, 2DAY) */
    char *service_level_code;    /* TD512 service level code (CG ground, ND next day, SD ...) */
    char *requested_ship_date;
    char *notes;
    char *test;   /* a test order ("true", "1", "yes", "T"): routed only to suppliers in
                     test mode (partner test: true), never to production (dg_order_is_test) */
    dg_dec total; /* CTT/AMT total when the partner sends one */
    dg_order_line *lines;
    size_t n_lines, cap_lines;
    dg_charge *charges; /* header and line allowances and charges (SAC) */
    size_t n_charges, cap_charges;
} dg_order;

typedef struct dg_shipment_item {
    char *line_number; /* PO line it ships (LIN01 / PO101) */
    char *buyer_sku, *vendor_sku, *gtin;
    dg_dec quantity_shipped;
    char *uom;
    char *package_id; /* which package (tracking or SSCC) holds it, when known */
} dg_shipment_item;

typedef struct dg_package {
    char *tracking_number;
    char *sscc; /* MAN*GM serial shipping container code */
    dg_dec weight;
    char *weight_uom;
} dg_package;

typedef struct dg_shipment {
    char *shipment_id; /* BSN02 */
    char *po_number;   /* PRF01 of the (first) order level */
    char *ship_date;
    char *ship_time;
    char *carrier;            /* TD503 SCAC */
    char *service_level;      /* TD505 routing / service */
    char *service_level_code; /* TD512 */
    dg_dec gross_weight;      /* shipment-level TD1 weight (packages have their own) */
    char *gross_weight_uom;
    dg_party ship_from;
    dg_party ship_to;
    dg_package *packages;
    size_t n_packages, cap_packages;
    dg_shipment_item *items;
    size_t n_items, cap_items;
} dg_shipment;

typedef struct dg_invoice_line {
    char *line_number;
    char *buyer_sku, *vendor_sku, *gtin;
    char *description;
    dg_dec quantity;
    char *uom;
    dg_dec unit_price;
} dg_invoice_line;

typedef struct dg_invoice {
    char *invoice_number; /* BIG02 */
    char *invoice_date;
    char *po_number; /* BIG04 */
    char *currency;
    char *terms; /* ITD description or net days */
    dg_party remit_to;
    dg_party bill_to;
    dg_party ship_to;
    dg_invoice_line *lines;
    size_t n_lines, cap_lines;
    dg_charge *charges;
    size_t n_charges, cap_charges;
    dg_dec tax;
    dg_dec total; /* TDS01 (implied 2 decimals in X12) */
} dg_invoice;

typedef struct dg_stock_item {
    char *vendor_sku;
    char *buyer_sku;
    char *gtin;
    char *description;
    dg_dec quantity_available;
    dg_dec cost;
    dg_dec msrp;
    dg_dec map_price; /* minimum advertised price */
    char *warehouse;
    char *available_date; /* restock date when quantity is 0 */
} dg_stock_item;

/* An item's quantity at one location (846 N1/SDQ per warehouse); the item keeps the total. */
typedef struct dg_stock_location {
    char *vendor_sku, *buyer_sku, *gtin; /* the item, as its LIN names it */
    char *warehouse;                     /* location id (N104 / SDQ id), else its name */
    dg_dec quantity_available;
} dg_stock_location;

typedef struct dg_stock {
    char *supplier; /* partner that sent the feed (filled by the gateway when blank) */
    char *as_of;    /* date of the feed */
    dg_stock_item *items;
    size_t n_items, cap_items;
    dg_stock_location *locations;
    size_t n_locations, cap_locations;
} dg_stock;

/* A supplier's acknowledgment of one of our POs (X12 855, or a CSV/XML equivalent). Mappings
 * turn the partner's codes into the canonical statuses below (ack_codes tables); the code as
 * sent is kept beside it. */
#define DG_ACK_ACCEPTED "ACCEPTED"       /* IA, AR, SP ...: will ship as ordered */
#define DG_ACK_BACKORDERED "BACKORDERED" /* IB, BP: accepted, not in stock now (see date) */
#define DG_ACK_REJECTED "REJECTED"       /* IR, R1..R8, ID: will not ship */
#define DG_ACK_CHANGED "CHANGED"         /* IC, IQ, IP, IS: accepted with another quantity/price */

typedef struct dg_ack_line {
    char *line_number; /* PO101: the line of our PO it answers */
    char *buyer_sku, *vendor_sku, *gtin;
    dg_dec quantity_ordered; /* PO102 as the supplier repeats it */
    char *uom;
    dg_dec unit_price; /* PO104: the price the supplier confirms (changed with IP/IC) */
    char *status;      /* DG_ACK_*; absent: the header's status */
    char *code;        /* the partner's code as sent (ACK01) */
    dg_dec quantity;   /* ACK02: the quantity the status is about */
    char *date;        /* promised ship/delivery date (ACK05, ACK DTM, SCH) */
    char *reason;      /* the supplier's words, when it sends any */
} dg_ack_line;

/* One ACK segment: a PO1 may carry several, each about part of the line's quantity (ACK*IA*5 and
 * ACK*IB*3 for 8 ordered: 5 go on, 3 wait). lines[] keeps the first per line; acks[] every one. */
typedef struct dg_ack_part {
    char *line_number; /* the PO line it answers (PO101 of its PO1) */
    char *status;      /* DG_ACK_* */
    char *code;        /* ACK01 as sent */
    dg_dec quantity;   /* ACK02: how much of the line this status is about */
    char *date;        /* ACK05 or the ACK loop's DTM */
    char *reason;
} dg_ack_part;

typedef struct dg_ack {
    char *po_number;     /* BAK03: our PO number */
    char *ack_number;    /* BAK08: the supplier's own order number */
    char *ack_date;      /* BAK04 */
    char *purpose;       /* BAK01: 00 original, 05 replace, ... */
    char *ack_type;      /* BAK02 as sent: AC, AD, AE, AK, RD, RJ ... */
    char *status;        /* DG_ACK_*: the whole PO (lines without their own status follow it) */
    char *promised_date; /* header DTM 067/068/017/002 */
    char *currency;
    char *reason;
    dg_ack_line *lines;
    size_t n_lines, cap_lines;
    dg_ack_part *acks;
    size_t n_acks, cap_acks;
} dg_ack;

/* One update of the storefront status feed (issue 10/11): a change of an order, a supplier PO or
 * an order line, as the storefront is told it (outbound only; src/gateway/status_feed.c builds
 * it from a status_history row). Lines: the line changed, the PO's lines, or the order's. */
typedef struct dg_status_line {
    char *line_number; /* the storefront's line number */
    char *sku;         /* the storefront's SKU */
    char *description;
    dg_dec quantity; /* ordered */
    dg_dec quantity_shipped;
    dg_dec quantity_cancelled;
    char *status; /* the supplier's (ACCEPTED, BACKORDERED, SHIPPED, CANCELLED ...), else
                     routing's (MATCHED, PRODUCT_NOT_FOUND ...) */
    char *reason;
    char *supplier;
    char *po_number;
} dg_status_line;

typedef struct dg_status {
    char *update_id;    /* unique and stable per update: a receiver drops a repeat */
    char *order_number; /* the storefront's order number */
    char *what;         /* order, po or line: what changed */
    char *status;       /* its new status */
    char *previous_status;
    char *order_status;      /* CONVERTED, PARTIALLY_CONVERTED, FAILED */
    char *fulfilment_status; /* the order's, from its POs (AWAITING_... COMPLETED, CANCELLED) */
    char *po_number;
    char *supplier;
    char *cause;      /* what caused it: order, mapping, ack, shipment, cancel, reroute ... */
    char *reason;     /* why, in words */
    char *changed_at; /* ISO 8601 UTC, "2026-12-03T10:15:00Z" */
    dg_status_line *lines;
    size_t n_lines, cap_lines;
} dg_status;

typedef enum {
    DG_DOC_NONE = 0,
    DG_DOC_ORDER,
    DG_DOC_SHIPMENT,
    DG_DOC_INVOICE,
    DG_DOC_STOCK,
    DG_DOC_CANCEL, /* a cancellation, in the order's shape (u.order): a storefront's (order_number
                      = its order, lines to cancel; none: every line not shipped), ours to a
                      supplier (860: order_number = PO, lines with status DI/QD and the new
                      quantity) or a supplier's answer or own cancellation (865: order_number = PO,
                      order_type = BCA02 AC/AT/RJ, lines with status = ACK01/POC02) */
    DG_DOC_ACK,    /* "acknowledgment" */
    DG_DOC_STATUS, /* a storefront status feed update (outbound only) */
} dg_doc_kind;

/* Envelope facts of the source document, kept for acknowledgments and tracing. */
typedef struct dg_doc_source {
    char *format;    /* "x12", "csv", "xml", "json" */
    char *sender_id; /* ISA06 / GS02 or configured partner id */
    char *receiver_id;
    char *interchange_control; /* ISA13 */
    char *group_control;       /* GS06 */
    char *set_control;         /* ST02 */
    char *transaction_set;     /* "850", ... */
    long position;             /* record or segment number where the document starts */
} dg_doc_source;

/* One canonical document; everything it points to lives in its arena. */
typedef struct dg_doc {
    dg_doc_kind kind;
    dg_arena *arena;
    dg_doc_source source;
    union {
        dg_order order; /* DG_DOC_ORDER and DG_DOC_CANCEL */
        dg_shipment shipment;
        dg_invoice invoice;
        dg_stock stock;
        dg_ack ack;
        dg_status status;
    } u;
} dg_doc;

dg_doc *dg_doc_new(dg_doc_kind kind);
void dg_doc_free(dg_doc *doc);
const char *dg_doc_kind_name(dg_doc_kind kind);      /* "order", "shipment", ... */
dg_doc_kind dg_doc_kind_from_name(const char *name); /* DG_DOC_NONE when unknown */

/* Append a zeroed element and return it (arrays grow inside the doc's arena). */
dg_order_line *dg_order_add_line(dg_doc *doc);
/* Whether an order's test flag says it is a test order (true/yes/1/t/y/test, any case). */
bool dg_order_is_test(const dg_order *o);
dg_package *dg_shipment_add_package(dg_doc *doc);
dg_shipment_item *dg_shipment_add_item(dg_doc *doc);
dg_invoice_line *dg_invoice_add_line(dg_doc *doc);
dg_charge *dg_invoice_add_charge(dg_doc *doc);
dg_stock_item *dg_stock_add_item(dg_doc *doc);
dg_status_line *dg_status_add_line(dg_doc *doc);

/* Receives each document as a reader produces it; the callee takes ownership of doc.
 * Returning non-zero stops the reader and is passed back to its caller. */
typedef int (*dg_doc_sink)(void *ctx, dg_doc *doc, dg_error *err);

#endif
