/* The versioned schema: an ordered list of migrations, each applied once in its own transaction
 * and recorded in "migrations"; PRAGMA user_version always equals the last one applied. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

/* Amounts and quantities are INTEGER dg_dec values (x 10^4) so sums stay exact in SQL.
 * Never edit a migration that has shipped: add a new one at the end. */
static const char mig1[] =
    "CREATE TABLE files("
    " id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, partner TEXT NOT NULL,"
    " direction TEXT NOT NULL CHECK(direction IN ('in','out')), name TEXT NOT NULL,"
    " size INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    " UNIQUE(sha256, partner, direction, name));"
    "CREATE TABLE pickups("
    " id INTEGER PRIMARY KEY, partner TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL,"
    " mtime INTEGER NOT NULL, sha256 TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN ('NEW','DONE','QUARANTINED')), reason TEXT,"
    " quarantine_path TEXT, remote_done INTEGER NOT NULL DEFAULT 0,"
    " file_id INTEGER REFERENCES files(id), created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL, UNIQUE(partner, path, size, mtime, sha256));"
    "CREATE TABLE documents("
    " id INTEGER PRIMARY KEY, kind TEXT NOT NULL, partner TEXT,"
    " file_id INTEGER REFERENCES files(id), position INTEGER NOT NULL DEFAULT 0,"
    " interchange_control TEXT, group_control TEXT, set_control TEXT, json TEXT, outcome TEXT,"
    " created_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX documents_source ON documents(file_id, position, kind)"
    " WHERE file_id IS NOT NULL;"
    "CREATE TABLE orders("
    " id INTEGER PRIMARY KEY, storefront TEXT NOT NULL, order_number TEXT NOT NULL,"
    " document_id INTEGER REFERENCES documents(id),"
    " status TEXT NOT NULL CHECK(status IN ('CONVERTED','PARTIALLY_CONVERTED','FAILED')),"
    " order_date TEXT, currency TEXT, ship_to_json TEXT, ship_country TEXT, carrier TEXT,"
    " service_level TEXT, notes TEXT, total INTEGER,"
    " lines_total INTEGER NOT NULL DEFAULT 0, lines_matched INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL, UNIQUE(storefront, order_number));"
    "CREATE TABLE order_lines("
    " id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),"
    " line_no INTEGER NOT NULL, line_number TEXT, retailer_sku TEXT, gtin TEXT,"
    " description TEXT, uom TEXT, qty_ordered INTEGER NOT NULL, unit_price INTEGER,"
    " status TEXT NOT NULL CHECK(status IN ('MATCHED','PRODUCT_NOT_FOUND','OUT_OF_STOCK',"
    "  'SHIPPING_UNAVAILABLE','NOT_APPROVED')), reason TEXT, supplier TEXT, supplier_sku TEXT,"
    " cost INTEGER, landed_cost INTEGER, po_id INTEGER REFERENCES supplier_pos(id),"
    " po_line INTEGER, qty_shipped INTEGER NOT NULL DEFAULT 0,"
    " qty_invoiced INTEGER NOT NULL DEFAULT 0, UNIQUE(order_id, line_no));"
    "CREATE TABLE supplier_pos("
    " id INTEGER PRIMARY KEY, po_number TEXT NOT NULL UNIQUE, supplier TEXT NOT NULL,"
    " order_id INTEGER NOT NULL REFERENCES orders(id),"
    " status TEXT NOT NULL CHECK(status IN ('QUEUED','SENT','ACCEPTED','REJECTED',"
    "  'AWAITING_SHIPMENT','PARTIALLY_SHIPPED','SHIPPED','INVOICED')),"
    " bill_to_json TEXT, currency TEXT, total INTEGER, expect_ack INTEGER NOT NULL DEFAULT 0,"
    " outbox_id INTEGER REFERENCES outbox(id), interchange_control TEXT, group_control TEXT,"
    " set_control TEXT, created_at INTEGER NOT NULL, sent_at INTEGER, ack_at INTEGER,"
    " ack_status TEXT, ack_reason TEXT, shipped_at INTEGER, UNIQUE(order_id, supplier));"
    "CREATE TABLE outbox("
    " id INTEGER PRIMARY KEY, partner TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT,"
    " file_name TEXT NOT NULL, content_sha256 TEXT, local_path TEXT,"
    " state TEXT NOT NULL CHECK(state IN ('PENDING','SENT','FAILED')),"
    " attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, created_at INTEGER NOT NULL,"
    " sent_at INTEGER, UNIQUE(partner, file_name));"
    "CREATE TABLE control_numbers("
    " partner TEXT NOT NULL, kind TEXT NOT NULL CHECK(kind IN ('ISA','GS','ST')),"
    " last INTEGER NOT NULL, PRIMARY KEY(partner, kind));"
    "CREATE TABLE stock("
    " supplier TEXT NOT NULL, vendor_sku TEXT NOT NULL, gtin TEXT, qty INTEGER NOT NULL,"
    " cost INTEGER, msrp INTEGER, map INTEGER, warehouse TEXT, available_date TEXT,"
    " document_id INTEGER REFERENCES documents(id), updated_at INTEGER NOT NULL,"
    " PRIMARY KEY(supplier, vendor_sku));"
    "CREATE TABLE catalog("
    " id INTEGER PRIMARY KEY, retailer_sku TEXT NOT NULL, gtin TEXT, supplier TEXT NOT NULL,"
    " supplier_sku TEXT NOT NULL, description TEXT, cost INTEGER,"
    " priority INTEGER NOT NULL DEFAULT 100, preferred INTEGER NOT NULL DEFAULT 0,"
    " ship_estimate INTEGER NOT NULL DEFAULT 0, dropship_fee INTEGER NOT NULL DEFAULT 0,"
    " ship_to TEXT, approved INTEGER NOT NULL DEFAULT 1, UNIQUE(retailer_sku, supplier));"
    "CREATE TABLE shipments("
    " id INTEGER PRIMARY KEY, supplier TEXT NOT NULL, shipment_ref TEXT,"
    " po_id INTEGER NOT NULL REFERENCES supplier_pos(id),"
    " document_id INTEGER REFERENCES documents(id), ship_date TEXT, carrier TEXT, service TEXT,"
    " created_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX shipments_ref ON shipments(supplier, shipment_ref)"
    " WHERE shipment_ref IS NOT NULL;"
    "CREATE TABLE packages("
    " id INTEGER PRIMARY KEY, shipment_id INTEGER NOT NULL REFERENCES shipments(id),"
    " tracking_number TEXT, sscc TEXT, weight INTEGER, weight_uom TEXT);"
    "CREATE TABLE shipment_items("
    " id INTEGER PRIMARY KEY, shipment_id INTEGER NOT NULL REFERENCES shipments(id),"
    " order_line_id INTEGER NOT NULL REFERENCES order_lines(id), qty INTEGER NOT NULL,"
    " package_ref TEXT);"
    "CREATE TABLE invoices("
    " id INTEGER PRIMARY KEY, supplier TEXT NOT NULL, invoice_number TEXT NOT NULL,"
    " po_id INTEGER REFERENCES supplier_pos(id), document_id INTEGER REFERENCES documents(id),"
    " invoice_date TEXT, currency TEXT, lines_amount INTEGER, charges INTEGER, tax INTEGER,"
    " total INTEGER, outcome TEXT NOT NULL CHECK(outcome IN ('MATCHED','DISCREPANCY')),"
    " duplicate_of INTEGER REFERENCES invoices(id), created_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX invoices_number ON invoices(supplier, invoice_number)"
    " WHERE duplicate_of IS NULL;"
    "CREATE TABLE invoice_lines("
    " id INTEGER PRIMARY KEY, invoice_id INTEGER NOT NULL REFERENCES invoices(id),"
    " line_number TEXT, order_line_id INTEGER REFERENCES order_lines(id), vendor_sku TEXT,"
    " qty INTEGER, unit_price INTEGER, amount INTEGER);"
    "CREATE TABLE charges("
    " id INTEGER PRIMARY KEY, invoice_id INTEGER NOT NULL REFERENCES invoices(id), type TEXT,"
    " code TEXT, amount INTEGER, description TEXT);"
    "CREATE TABLE discrepancies("
    " id INTEGER PRIMARY KEY, invoice_id INTEGER NOT NULL REFERENCES invoices(id),"
    " code TEXT NOT NULL, detail TEXT, resolved INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL);"
    "CREATE TABLE notifications("
    " id INTEGER PRIMARY KEY, storefront TEXT NOT NULL,"
    " order_id INTEGER NOT NULL REFERENCES orders(id),"
    " shipment_id INTEGER NOT NULL UNIQUE REFERENCES shipments(id), json TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN ('PENDING','QUEUED','SENT')),"
    " outbox_id INTEGER REFERENCES outbox(id), webhook_done INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL, sent_at INTEGER);";

/* Lookups the flow and the reports do on every order, ASN and invoice. */
static const char mig2[] =
    "CREATE INDEX catalog_sku ON catalog(retailer_sku);"
    "CREATE INDEX catalog_gtin ON catalog(gtin) WHERE gtin IS NOT NULL;"
    "CREATE INDEX order_lines_po ON order_lines(po_id);"
    "CREATE INDEX supplier_pos_order ON supplier_pos(order_id);"
    "CREATE INDEX supplier_pos_status ON supplier_pos(status);"
    "CREATE INDEX supplier_pos_ctl ON supplier_pos(supplier, group_control, set_control);"
    "CREATE INDEX outbox_state ON outbox(state, partner);"
    "CREATE INDEX shipments_po ON shipments(po_id);"
    "CREATE INDEX invoices_po ON invoices(po_id);"
    "CREATE INDEX discrepancies_invoice ON discrepancies(invoice_id);"
    "CREATE INDEX notifications_state ON notifications(state, storefront);";

/* Marking an outbox entry sent finds what it carries by outbox id. */
static const char mig3[] =
    "CREATE INDEX supplier_pos_outbox ON supplier_pos(outbox_id) WHERE outbox_id IS NOT NULL;"
    "CREATE INDEX notifications_outbox ON notifications(outbox_id) WHERE outbox_id IS NOT NULL;"
    "CREATE INDEX shipment_items_line ON shipment_items(order_line_id);"
    "CREATE INDEX invoice_lines_invoice ON invoice_lines(invoice_id);";

/* Two documents can share a file position (several XML orders on one line): the replay key
 * includes the SHA-256 of the document's canonical JSON. */
static const char mig4[] =
    "ALTER TABLE documents ADD COLUMN content_sha256 TEXT;"
    "DROP INDEX documents_source;"
    "CREATE UNIQUE INDEX documents_source ON documents(file_id, position, kind, content_sha256)"
    " WHERE file_id IS NOT NULL;";

/* One X12 856 may ship several POs under one shipment id (BSN02): each PO's shipment is its own
 * row, so the duplicate key is (supplier, shipment id, PO). Rows kept under the old key are unique
 * under the new one too. */
static const char mig5[] =
    "DROP INDEX shipments_ref;"
    "CREATE UNIQUE INDEX shipments_ref ON shipments(supplier, shipment_ref, po_id)"
    " WHERE shipment_ref IS NOT NULL;";

/* A PO whose rendered file is not valid X12 is held with the validator's message (issue 8):
 * hold_reason non-NULL = held, never queued; cleared by the next render that validates. */
static const char mig6[] = "ALTER TABLE supplier_pos ADD COLUMN hold_reason TEXT;"
                           "ALTER TABLE supplier_pos ADD COLUMN held_at INTEGER;";

/* An order number sent again with other content is recorded, not applied (issue 9 item 10). */
static const char mig7[] =
    "CREATE TABLE order_amendments("
    " id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),"
    " document_id INTEGER REFERENCES documents(id), changed TEXT NOT NULL,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX order_amendments_order ON order_amendments(order_id);";

/* Tracking files for storefronts are held the same way when their X12 does not validate. */
static const char mig8[] = "ALTER TABLE notifications ADD COLUMN hold_reason TEXT;"
                           "ALTER TABLE notifications ADD COLUMN held_at INTEGER;";

/* Routing by envelope (issue 8): a file can be PARTIAL (some of its X12 sets applied, the others
 * rejected); each set has its own record, so a reprocess applies only what was not applied; each
 * applied interchange is remembered per sender, so a duplicate ISA13 is not applied twice. The
 * pickups table is rebuilt because SQLite cannot change a CHECK constraint in place. */
static const char mig9[] =
    "CREATE TABLE pickups_v9("
    " id INTEGER PRIMARY KEY, partner TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL,"
    " mtime INTEGER NOT NULL, sha256 TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN ('NEW','DONE','QUARANTINED','PARTIAL')), reason TEXT,"
    " quarantine_path TEXT, remote_done INTEGER NOT NULL DEFAULT 0,"
    " file_id INTEGER REFERENCES files(id), created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL, UNIQUE(partner, path, size, mtime, sha256));"
    "INSERT INTO pickups_v9 SELECT id, partner, path, size, mtime, sha256, state, reason,"
    " quarantine_path, remote_done, file_id, created_at, updated_at FROM pickups;"
    "DROP TABLE pickups;"
    "ALTER TABLE pickups_v9 RENAME TO pickups;"
    "CREATE INDEX pickups_file ON pickups(file_id) WHERE file_id IS NOT NULL;"
    "CREATE TABLE x12_sets("
    " id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL REFERENCES files(id),"
    " position INTEGER NOT NULL, partner TEXT NOT NULL, sender TEXT NOT NULL,"
    " interchange_control TEXT NOT NULL, group_control TEXT, set_control TEXT NOT NULL,"
    " set_id TEXT NOT NULL, version TEXT,"
    " state TEXT NOT NULL CHECK(state IN ('APPLIED','REJECTED')), reason TEXT,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, UNIQUE(file_id, position));"
    "CREATE TABLE interchanges("
    " id INTEGER PRIMARY KEY, sender TEXT NOT NULL, control TEXT NOT NULL,"
    " file_id INTEGER NOT NULL REFERENCES files(id), received_at INTEGER NOT NULL,"
    " UNIQUE(sender, control, file_id));"
    "CREATE INDEX interchanges_recent ON interchanges(sender, control, received_at);";

/* The whole order life (issue 11). A supplier PO gets a business status after the seeds' model
 * (po_status: AWAITING_CONFIRMATION -> AWAITING_FULFILMENT -> AWAITING_SHIPMENT ->
 * AWAITING_DELIVERY -> COMPLETED, or CANCELLED) beside the transport/progress column it had
 * (status: QUEUED, SENT, ACCEPTED by a 997 ...). A PO line (order_lines row) gets the supplier's
 * answer (supplier_status, acknowledged quantity and price, promised date) and, when a line is
 * re-routed, the row it replaces. Every change of a PO, order or line status is one
 * status_history row with its time and cause (the document/file that caused it), which is also
 * what the storefront is told (push_state, webhook_done). supplier_pos is rebuilt: a re-routed
 * line may go to a supplier that already has a PO for the order, so UNIQUE(order_id, supplier)
 * goes (PO numbers stay unique). Foreign keys are off while it is rebuilt (fk_off below). */
static const char mig10[] =
    "CREATE TABLE supplier_pos_v10("
    " id INTEGER PRIMARY KEY, po_number TEXT NOT NULL UNIQUE, supplier TEXT NOT NULL,"
    " order_id INTEGER NOT NULL REFERENCES orders(id),"
    " status TEXT NOT NULL CHECK(status IN ('QUEUED','SENT','ACCEPTED','REJECTED',"
    "  'AWAITING_SHIPMENT','PARTIALLY_SHIPPED','SHIPPED','INVOICED')),"
    " bill_to_json TEXT, currency TEXT, total INTEGER, expect_ack INTEGER NOT NULL DEFAULT 0,"
    " outbox_id INTEGER REFERENCES outbox(id), interchange_control TEXT, group_control TEXT,"
    " set_control TEXT, created_at INTEGER NOT NULL, sent_at INTEGER, ack_at INTEGER,"
    " ack_status TEXT, ack_reason TEXT, shipped_at INTEGER, hold_reason TEXT, held_at INTEGER,"
    " po_status TEXT NOT NULL DEFAULT 'AWAITING_CONFIRMATION' CHECK(po_status IN"
    "  ('AWAITING_CONFIRMATION','AWAITING_FULFILMENT','AWAITING_SHIPMENT','AWAITING_DELIVERY',"
    "  'COMPLETED','CANCELLED')),"
    " po_status_at INTEGER, confirmed_at INTEGER, rerouted_from INTEGER"
    "  REFERENCES supplier_pos(id));"
    "INSERT INTO supplier_pos_v10(id, po_number, supplier, order_id, status, bill_to_json,"
    " currency, total, expect_ack, outbox_id, interchange_control, group_control, set_control,"
    " created_at, sent_at, ack_at, ack_status, ack_reason, shipped_at, hold_reason, held_at,"
    " po_status, po_status_at)"
    " SELECT id, po_number, supplier, order_id, status, bill_to_json, currency, total,"
    " expect_ack, outbox_id, interchange_control, group_control, set_control, created_at,"
    " sent_at, ack_at, ack_status, ack_reason, shipped_at, hold_reason, held_at,"
    " CASE status WHEN 'PARTIALLY_SHIPPED' THEN 'AWAITING_SHIPMENT'"
    "  WHEN 'SHIPPED' THEN 'AWAITING_DELIVERY' WHEN 'INVOICED' THEN 'COMPLETED'"
    "  ELSE 'AWAITING_CONFIRMATION' END, created_at FROM supplier_pos;"
    "DROP TABLE supplier_pos;"
    "ALTER TABLE supplier_pos_v10 RENAME TO supplier_pos;"
    "CREATE INDEX supplier_pos_order ON supplier_pos(order_id);"
    "CREATE INDEX supplier_pos_status ON supplier_pos(status);"
    "CREATE INDEX supplier_pos_ctl ON supplier_pos(supplier, group_control, set_control);"
    "CREATE INDEX supplier_pos_outbox ON supplier_pos(outbox_id) WHERE outbox_id IS NOT NULL;"
    "CREATE INDEX supplier_pos_po_status ON supplier_pos(po_status);"
    "ALTER TABLE order_lines ADD COLUMN supplier_status TEXT CHECK(supplier_status IN"
    " ('ACCEPTED','BACKORDERED','REJECTED','CANCELLED','REROUTED','PARTIALLY_SHIPPED',"
    "  'SHIPPED'));"
    "ALTER TABLE order_lines ADD COLUMN supplier_reason TEXT;"
    "ALTER TABLE order_lines ADD COLUMN ack_code TEXT;"
    "ALTER TABLE order_lines ADD COLUMN ack_qty INTEGER;"
    "ALTER TABLE order_lines ADD COLUMN ack_price INTEGER;"
    "ALTER TABLE order_lines ADD COLUMN promised_date TEXT;"
    "ALTER TABLE order_lines ADD COLUMN ack_at INTEGER;"
    "ALTER TABLE order_lines ADD COLUMN rerouted_from INTEGER REFERENCES order_lines(id);"
    "ALTER TABLE order_lines ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;"
    "UPDATE order_lines SET supplier_status = CASE WHEN qty_shipped >= qty_ordered"
    " THEN 'SHIPPED' ELSE 'PARTIALLY_SHIPPED' END WHERE po_id IS NOT NULL AND qty_shipped > 0;"
    "ALTER TABLE orders ADD COLUMN fulfilment_status TEXT;"
    /* an order is as far as its least advanced PO (none is CANCELLED yet) */
    "UPDATE orders SET fulfilment_status = (SELECT p.po_status FROM supplier_pos p"
    " WHERE p.order_id = orders.id ORDER BY CASE p.po_status"
    "  WHEN 'AWAITING_CONFIRMATION' THEN 1 WHEN 'AWAITING_SHIPMENT' THEN 3"
    "  WHEN 'AWAITING_DELIVERY' THEN 4 ELSE 5 END LIMIT 1);"
    "CREATE TABLE status_history("
    " id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),"
    " po_id INTEGER REFERENCES supplier_pos(id), order_line_id INTEGER REFERENCES order_lines(id),"
    " what TEXT NOT NULL CHECK(what IN ('order','po','line')), from_status TEXT,"
    " to_status TEXT NOT NULL, cause TEXT NOT NULL, document_id INTEGER REFERENCES documents(id),"
    " file_id INTEGER REFERENCES files(id), detail TEXT, at INTEGER NOT NULL,"
    " push_state TEXT CHECK(push_state IN ('PENDING','QUEUED','SENT')),"
    " outbox_id INTEGER REFERENCES outbox(id), webhook_done INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX status_history_order ON status_history(order_id, id);"
    "CREATE INDEX status_history_po ON status_history(po_id) WHERE po_id IS NOT NULL;"
    "CREATE INDEX status_history_push ON status_history(push_state) WHERE push_state IS NOT NULL;"
    "CREATE INDEX order_lines_rerouted ON order_lines(rerouted_from)"
    " WHERE rerouted_from IS NOT NULL;";

/* Operator actions (issue 12): an operator hold of a PO has its own columns (the validation
 * hold_reason is cleared by the next render that validates; an operator hold only by release);
 * every hold, release, resend and reprocess is recorded with who, when and why; a reprocess of a
 * received file is a child row of that file (its lineage), with what it applied. */
static const char mig11[] =
    "ALTER TABLE supplier_pos ADD COLUMN op_hold_reason TEXT;"
    "ALTER TABLE supplier_pos ADD COLUMN op_hold_by TEXT;"
    "ALTER TABLE supplier_pos ADD COLUMN op_hold_at INTEGER;"
    "CREATE TABLE operator_actions("
    " id INTEGER PRIMARY KEY, action TEXT NOT NULL, target_kind TEXT NOT NULL,"
    " target TEXT NOT NULL, actor TEXT NOT NULL, reason TEXT, detail TEXT,"
    " created_at INTEGER NOT NULL);"
    "CREATE INDEX operator_actions_target ON operator_actions(target_kind, target);"
    "CREATE TABLE reprocesses("
    " id INTEGER PRIMARY KEY, parent_file_id INTEGER NOT NULL REFERENCES files(id),"
    " pickup_id INTEGER REFERENCES pickups(id), state_before TEXT NOT NULL,"
    " state_after TEXT NOT NULL, applied INTEGER NOT NULL, already INTEGER NOT NULL,"
    " reason TEXT, actor TEXT NOT NULL, created_at INTEGER NOT NULL);"
    "CREATE INDEX reprocesses_parent ON reprocesses(parent_file_id);";
/* Each partner's polls (issue 12) as counters and a cumulative duration histogram (le_ms
 * buckets, fixed in poll_stats.c), so /metrics and the console read them without a row per
 * poll. */
static const char mig12[] =
    "CREATE TABLE poll_stats("
    " partner TEXT PRIMARY KEY, polls INTEGER NOT NULL DEFAULT 0,"
    " failures INTEGER NOT NULL DEFAULT 0, sum_ms INTEGER NOT NULL DEFAULT 0, last_at INTEGER,"
    " last_ms INTEGER, last_ok_at INTEGER, last_error TEXT, last_error_at INTEGER);"
    "CREATE TABLE poll_buckets("
    " partner TEXT NOT NULL, le_ms INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(partner, le_ms));";

/* Documents of a batch file that were not applied keep their reason (issue 10: one bad order
 * does not take its file down), and an order that cannot be placed says why. */
static const char mig13[] = "ALTER TABLE orders ADD COLUMN reason TEXT;"
                            "ALTER TABLE documents ADD COLUMN reason TEXT;";

/* SLAs (issue 11): each overdue item (a PO without its 997, 855 or first 856 in time) is one
 * event, recorded once and delivered once to the alerts webhook, not on every poll. */
static const char mig14[] =
    "CREATE TABLE sla_events("
    " id INTEGER PRIMARY KEY, po_id INTEGER NOT NULL REFERENCES supplier_pos(id),"
    " what TEXT NOT NULL, json TEXT NOT NULL, webhook_done INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL, sent_at INTEGER, UNIQUE(po_id, what));"
    "CREATE INDEX sla_events_pending ON sla_events(webhook_done) WHERE webhook_done = 0;";

/* Cancellations (issue 11): a storefront's cancellation (or a supplier's own) of order lines;
 * per affected PO one request (the 860 or its CSV) sent once through the outbox and answered
 * by the supplier (865, or an 855 line reject); each line's requested, cancelled or refused
 * quantity; notices that tell the storefront what became of it. */
static const char mig15[] =
    "ALTER TABLE order_lines ADD COLUMN qty_cancelled INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE cancellations("
    " id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),"
    " document_id INTEGER REFERENCES documents(id),"
    " source TEXT NOT NULL CHECK(source IN ('storefront','supplier')), reason TEXT,"
    " content_key TEXT, created_at INTEGER NOT NULL);"
    "CREATE INDEX cancellations_order ON cancellations(order_id, content_key);"
    "CREATE TABLE cancel_requests("
    " id INTEGER PRIMARY KEY, cancellation_id INTEGER NOT NULL REFERENCES cancellations(id),"
    " po_id INTEGER NOT NULL REFERENCES supplier_pos(id), number TEXT NOT NULL UNIQUE,"
    " state TEXT NOT NULL CHECK(state IN ('PENDING','QUEUED','SENT','ANSWERED')),"
    " outbox_id INTEGER REFERENCES outbox(id), created_at INTEGER NOT NULL, sent_at INTEGER,"
    " answered_at INTEGER);"
    "CREATE INDEX cancel_requests_po ON cancel_requests(po_id);"
    "CREATE INDEX cancel_requests_outbox ON cancel_requests(outbox_id) WHERE outbox_id IS NOT NULL;"
    "CREATE TABLE cancel_lines("
    " id INTEGER PRIMARY KEY, cancellation_id INTEGER NOT NULL REFERENCES cancellations(id),"
    " request_id INTEGER REFERENCES cancel_requests(id),"
    " order_line_id INTEGER NOT NULL REFERENCES order_lines(id), qty INTEGER NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN ('REQUESTED','CANCELLED','REFUSED')), reason TEXT,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX cancel_lines_line ON cancel_lines(order_line_id);"
    "CREATE INDEX cancel_lines_request ON cancel_lines(request_id) WHERE request_id IS NOT NULL;"
    "CREATE TABLE cancel_notices("
    " id INTEGER PRIMARY KEY, storefront TEXT NOT NULL,"
    " order_id INTEGER NOT NULL REFERENCES orders(id), json TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK(state IN ('PENDING','QUEUED','SENT')),"
    " outbox_id INTEGER REFERENCES outbox(id), created_at INTEGER NOT NULL, sent_at INTEGER);"
    "CREATE INDEX cancel_notices_state ON cancel_notices(state, storefront);";
/* Why each candidate supplier was chosen or skipped for a line, as routing saw it when a line
 * was re-routed (issue 11): `dropgate route --explain ORDER` shows these after the fact. */
static const char mig16[] =
    "CREATE TABLE route_decisions("
    " id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),"
    " order_line_id INTEGER REFERENCES order_lines(id), line_no INTEGER NOT NULL,"
    " attempt INTEGER NOT NULL, supplier TEXT NOT NULL,"
    " verdict TEXT NOT NULL CHECK(verdict IN ('CHOSEN','ELIGIBLE','SKIPPED')), reason TEXT,"
    " landed_cost INTEGER, cause TEXT, at INTEGER NOT NULL);"
    "CREATE INDEX route_decisions_order ON route_decisions(order_id, line_no, attempt);";

/* A PO line answered in parts by the supplier (several ACKs on one PO1) is split into one order
 * line per part on the same PO line; split_from names the line it came from. */
static const char mig17[] =
    "ALTER TABLE order_lines ADD COLUMN split_from INTEGER REFERENCES order_lines(id);";

/* Lines a mapping leaves out with a status (issue 10: a gift card is NOT_SHIPPABLE, a line the
 * storefront keeps is NOT_ROUTED) are recorded with the order instead of vanishing. SQLite
 * cannot change a CHECK constraint, so order_lines is rebuilt with every row and column kept
 * (foreign keys off while it runs, fk_off below; its indexes made again). */
static const char mig18[] =
    "CREATE TABLE order_lines_v18("
    " id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),"
    " line_no INTEGER NOT NULL, line_number TEXT, retailer_sku TEXT, gtin TEXT,"
    " description TEXT, uom TEXT, qty_ordered INTEGER NOT NULL, unit_price INTEGER,"
    " status TEXT NOT NULL CHECK(status IN ('MATCHED','PRODUCT_NOT_FOUND','OUT_OF_STOCK',"
    "  'SHIPPING_UNAVAILABLE','NOT_APPROVED','NOT_SHIPPABLE','NOT_ROUTED')), reason TEXT,"
    " supplier TEXT, supplier_sku TEXT, cost INTEGER, landed_cost INTEGER,"
    " po_id INTEGER REFERENCES supplier_pos(id), po_line INTEGER,"
    " qty_shipped INTEGER NOT NULL DEFAULT 0, qty_invoiced INTEGER NOT NULL DEFAULT 0,"
    " supplier_status TEXT CHECK(supplier_status IN ('ACCEPTED','BACKORDERED','REJECTED',"
    "  'CANCELLED','REROUTED','PARTIALLY_SHIPPED','SHIPPED')),"
    " supplier_reason TEXT, ack_code TEXT, ack_qty INTEGER, ack_price INTEGER,"
    " promised_date TEXT, ack_at INTEGER, rerouted_from INTEGER REFERENCES order_lines(id),"
    " attempt INTEGER NOT NULL DEFAULT 1, qty_cancelled INTEGER NOT NULL DEFAULT 0,"
    " split_from INTEGER REFERENCES order_lines(id), UNIQUE(order_id, line_no));"
    "INSERT INTO order_lines_v18(id, order_id, line_no, line_number, retailer_sku, gtin,"
    " description, uom, qty_ordered, unit_price, status, reason, supplier, supplier_sku, cost,"
    " landed_cost, po_id, po_line, qty_shipped, qty_invoiced, supplier_status, supplier_reason,"
    " ack_code, ack_qty, ack_price, promised_date, ack_at, rerouted_from, attempt,"
    " qty_cancelled, split_from)"
    " SELECT id, order_id, line_no, line_number, retailer_sku, gtin, description, uom,"
    " qty_ordered, unit_price, status, reason, supplier, supplier_sku, cost, landed_cost, po_id,"
    " po_line, qty_shipped, qty_invoiced, supplier_status, supplier_reason, ack_code, ack_qty,"
    " ack_price, promised_date, ack_at, rerouted_from, attempt, qty_cancelled, split_from"
    " FROM order_lines;"
    "DROP TABLE order_lines;"
    "ALTER TABLE order_lines_v18 RENAME TO order_lines;"
    "CREATE INDEX order_lines_po ON order_lines(po_id);"
    "CREATE INDEX order_lines_rerouted ON order_lines(rerouted_from)"
    " WHERE rerouted_from IS NOT NULL;";

/* The storefront status feed (issues 10 and 11): each status_history row is sent once per
 * channel the storefront has, a status file (outbox_id: the outbox entry of the batch file that
 * carries it) and a webhook (hook_outbox_id: the batch POSTed); push_state is SENT once every
 * entry carrying it is. */
static const char mig19[] =
    "ALTER TABLE status_history ADD COLUMN hook_outbox_id INTEGER REFERENCES outbox(id);"
    "CREATE INDEX status_history_outbox ON status_history(outbox_id) WHERE outbox_id IS NOT NULL;"
    "CREATE INDEX status_history_hook ON status_history(hook_outbox_id)"
    " WHERE hook_outbox_id IS NOT NULL;";

/* Several instances on one store (issue 13): a named lease ("poll:<partner>", "send:<partner>",
 * "shared") is held by one instance (holder: host:pid:random) until expires_at, milliseconds on
 * the database's clock. since: when this holder took it; previous: the holder whose lease ran
 * out when it was taken over (NULL after a clean release); takeovers counts those. A released
 * lease keeps its row with expires_at 0, so a late commit of its old holder still fails. */
static const char mig20[] =
    "CREATE TABLE leases("
    " name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL,"
    " since INTEGER NOT NULL, previous TEXT, takeovers INTEGER NOT NULL DEFAULT 0);";

static const struct {
    int version;
    const char *name;
    const char *sql;
    bool fk_off; /* rebuilds a table others reference: foreign keys off while it runs */
} migrations[] = {
    {1, "initial schema", mig1, false},
    {2, "lookup indexes", mig2, false},
    {3, "outbox and line indexes", mig3, false},
    {4, "document replay key with content hash", mig4, false},
    {5, "shipment duplicate key per PO", mig5, false},
    {6, "held supplier POs", mig6, false},
    {7, "order amendment attempts", mig7, false},
    {8, "held tracking files", mig8, false},
    {9, "partial files, X12 set records and received interchanges", mig9, false},
    {10, "supplier order status, line answers and status history", mig10, true},
    {11, "operator holds, operator actions and reprocess lineage", mig11, false},
    {12, "poll statistics", mig12, false},
    {13, "reasons of orders and documents not applied", mig13, false},
    {14, "SLA overdue events", mig14, false},
    {15, "cancellations, their requests to suppliers and notices", mig15, false},
    {16, "routing decisions for re-routed lines", mig16, false},
    {17, "order lines split by a supplier acknowledgment", mig17, false},
    {18, "line statuses a mapping gives (NOT_SHIPPABLE, NOT_ROUTED)", mig18, true},
    {19, "status feed channels", mig19, false},
    {20, "leases of several instances", mig20, false},
};

/* Rows PRAGMA foreign_key_check reports: a rebuilt table must leave no dangling reference. */
static int fk_violations(dg_store *s, dg_error *err)
{
    dg_stmt *st = NULL;
    if (dg_db_prepare(s->db, "PRAGMA foreign_key_check", &st, NULL) != 0)
        return dg_store_fail(s, err, "foreign_key_check");
    int rc = dg_stmt_step(st);
    char table[64] = "";
    if (rc == DG_DB_ROW)
        st_col_copy(st, 0, table, sizeof table);
    dg_stmt_finalize(st);
    if (rc == DG_DB_ROW)
        return dg_error_set(err, DG_ESTATE, "a row of %s refers to a row that is gone", table);
    return rc == DG_DB_DONE ? 0 : dg_store_fail(s, err, "foreign_key_check");
}

/* Applies migrations[i] (version v) in its own transaction and records it. */
static int migrate_one(dg_store *s, size_t i, int v, dg_error *err)
{
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    /* Another process may have migrated while we waited for the write lock. */
    if (dg_store_schema_version(s) >= v)
        return dg_store_commit(s, err);
    bool sqlite = dg_db_kind(s->db) == DG_DB_SQLITE;
    char sql[256], pragma[48] = "";
    if (sqlite) /* the version in the file header too: dg_store_schema_version reads it */
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d;", v);
    snprintf(sql, sizeof sql,
             "INSERT INTO migrations(version, name, applied_at) VALUES (%d, '%s', %lld);%s", v,
             migrations[i].name, (long long)dg_store_now(s), pragma);
    if (sqlite) {
        rc = dg_store_exec(s, migrations[i].sql, err);
    } else { /* PostgreSQL: the same SQL less its foreign keys; ids continued after a copy */
        char *pg = st_pg_migration_sql(migrations[i].sql);
        rc = pg ? dg_store_exec(s, pg, err) : dg_error_set(err, DG_ENOMEM, "out of memory");
        free(pg);
        if (!rc)
            rc = strstr(migrations[i].sql, "INSERT INTO") ? st_pg_reset_identities(s, err) : 0;
    }
    if (!rc && migrations[i].fk_off && sqlite)
        rc = fk_violations(s, err);
    if (!rc)
        rc = dg_store_exec(s, sql, err);
    if (rc) {
        dg_store_rollback(s);
        if (err)
            dg_error_prefix(err, "%s: migration %d (%s): ", s->path, v, migrations[i].name);
        return DG_ESTATE;
    }
    return dg_store_commit(s, err);
}

static int migrate(dg_store *s, int target, dg_error *err);

int st_migrate(dg_store *s, int target, dg_error *err)
{
    if (dg_db_kind(s->db) == DG_DB_SQLITE) /* BEGIN IMMEDIATE serializes migrating processes */
        return migrate(s, target, err);
    int rc = st_pg_migration_lock(s, true, err);
    if (rc)
        return rc;
    rc = migrate(s, target, err);
    int urc = st_pg_migration_lock(s, false, rc ? NULL : err);
    return rc ? rc : urc;
}

static int migrate(dg_store *s, int target, dg_error *err)
{
    int rc = dg_store_exec(s,
                           "CREATE TABLE IF NOT EXISTS migrations(version INTEGER PRIMARY KEY,"
                           " name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
                           err);
    if (rc)
        return rc;
    int have = dg_store_schema_version(s);
    if (have > DG_STORE_SCHEMA_VERSION) {
        st_note_failure(DG_DBE_FATAL); /* no retry makes this dropgate newer */
        return dg_error_set(err, DG_ESTATE,
                            "%s: schema version %d is newer than this dropgate (%d); upgrade "
                            "dropgate",
                            s->path, have, DG_STORE_SCHEMA_VERSION);
    }
    for (size_t i = 0; i < sizeof migrations / sizeof *migrations; i++) {
        int v = migrations[i].version;
        if (v <= have || v > target)
            continue;
        /* SQLite changes foreign_keys only outside a transaction; the rebuilt table is checked
         * whole (foreign_key_check) before the commit instead. */
        bool fk_off = migrations[i].fk_off && dg_db_kind(s->db) == DG_DB_SQLITE;
        if (fk_off && (rc = dg_store_exec(s, "PRAGMA foreign_keys=OFF", err)))
            return rc;
        rc = migrate_one(s, i, v, err);
        if (fk_off) {
            int frc = dg_store_exec(s, "PRAGMA foreign_keys=ON", rc ? NULL : err);
            if (!rc)
                rc = frc;
        }
        if (rc)
            return rc;
    }
    return 0;
}
