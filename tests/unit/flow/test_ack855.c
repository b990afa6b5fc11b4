/* Supplier PO acknowledgments (issue 11): every ack code on a PO line (accepted, backordered,
 * rejected, changed quantity/price), the whole-PO answers, bad acknowledgments refused with the
 * reason, replays; then re-routing: a rejected or long-backordered line goes to the next
 * supplier once, never back to one that had it, within reroute.max_attempts, else it ends with
 * its status and the reason; a rejecting 997 and a passed promised date do the same. */
#include "flowtest.h"

#include <stdlib.h>

/* O-1: A-1 x1 (nw and bl carry it; nw is cheaper landed for one) and A-3 x2 (only nw): PO O-1-NW.
 */
static int setup(void **state)
{
    ft *f = ft_new();
    ft_stock(f, "nw", "NW-1:50:10.00", "NW-3:50:20.00", NULL);
    ft_stock(f, "bl", "BL-1:50:9.00", NULL);
    dg_doc *d = order_doc("O-1", "US", "A-1:1:25.00", "A-3:2:40.00", NULL);
    assert_string_equal(ft_order(f, "shop", d).status, DG_ORDER_CONVERTED);
    dg_doc_free(d);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos WHERE po_number='O-1-NW'"), 1);
    ft_send_pos(f, true);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    ft_free(*state);
    return 0;
}

/* ack_doc("O-1-NW", "ACCEPTED", "NW-1:IB:BACKORDERED:3::2026-12-24", NULL): per line
 * "SKU:code:STATUS:qty:price:date" (empty parts absent; SKU "-" for a line-less row). */
static dg_doc *ack_doc(const char *po, const char *header, ...)
{
    dg_doc *d = dg_doc_new(DG_DOC_ACK);
    dg_arena *a = d->arena;
    dg_ack *k = &d->u.ack;
    k->po_number = dg_arena_strdup(a, po);
    k->ack_type = dg_arena_strdup(a, "AC");
    k->ack_number = dg_arena_strdup(a, "SO-1");
    if (header)
        k->status = dg_arena_strdup(a, header);
    d->source.position = 3;
    va_list ap;
    va_start(ap, header);
    const char *spec;
    size_t no = 0;
    while ((spec = va_arg(ap, const char *))) {
        char part[6][64] = {{0}};
        const char *p = spec;
        for (int i = 0; i < 6 && p; i++) {
            const char *colon = strchr(p, ':');
            size_t len = colon ? (size_t)(colon - p) : strlen(p);
            snprintf(part[i], sizeof part[i], "%.*s", (int)len, p);
            p = colon ? colon + 1 : NULL;
        }
        dg_ack_line *l = dg_arena_alloc(a, sizeof *l);
        k->lines =
            dg_arena_grow(a, k->lines, sizeof *k->lines, k->n_lines, &k->cap_lines, k->n_lines + 1);
        memset(&k->lines[k->n_lines], 0, sizeof *l);
        l = &k->lines[k->n_lines++];
        no++;
        if (strcmp(part[0], "-")) {
            l->vendor_sku = dg_arena_strdup(a, part[0]);
            l->line_number = dg_arena_printf(a, "%zu", no);
        }
        if (part[1][0])
            l->code = dg_arena_strdup(a, part[1]);
        if (part[2][0])
            l->status = dg_arena_strdup(a, part[2]);
        if (part[3][0])
            l->quantity = D(part[3]);
        if (part[4][0])
            l->unit_price = D(part[4]);
        if (part[5][0])
            l->date = dg_arena_strdup(a, part[5]);
    }
    va_end(ap);
    return d;
}

static dg_flow_ack855_result ack(ft *f, const char *supplier, dg_doc *d)
{
    dg_flow_ack855_result res;
    dg_error err = {0};
    int rc = dg_flow_ingest_acknowledgment(f->s, f->r, supplier, d, ft_file(f), &res, &err);
    dg_doc_free(d);
    if (rc)
        fail_msg("ingest_acknowledgment: %s", err.msg);
    return res;
}

static int ack_fails(ft *f, dg_doc *d, dg_error *err)
{
    dg_flow_ack855_result res;
    int rc = dg_flow_ingest_acknowledgment(f->s, f->r, "nw", d, ft_file(f), &res, err);
    dg_doc_free(d);
    return rc;
}

static const char *line_q(ft *f, const char *col, const char *po, const char *sku)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT %s FROM order_lines l JOIN supplier_pos p ON p.id = l.po_id"
             " WHERE p.po_number = '%s' AND l.supplier_sku = '%s'",
             col, po, sku);
    return ft_qs(f, sql);
}

static const char *po_status(ft *f, const char *po)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT po_status FROM supplier_pos WHERE po_number = '%s'", po);
    return ft_qs(f, sql);
}

/* IA: accepted with the promised date; the PO is confirmed. */
static void ia_accepts(void **state)
{
    ft *f = *state;
    dg_flow_ack855_result r = ack(f, "nw",
                                  ack_doc("O-1-NW", "ACCEPTED", "NW-1:IA:ACCEPTED:1::2026-12-05",
                                          "NW-3:IA:ACCEPTED:2", NULL));
    assert_int_equal(r.outcome, DG_FLOW_OK);
    assert_int_equal(r.accepted, 2);
    assert_int_equal(r.rerouted, 0);
    assert_string_equal(r.po_status, DG_POS_AWAITING_SHIPMENT);
    assert_string_equal(line_q(f, "supplier_status", "O-1-NW", "NW-1"), DG_SUP_ACCEPTED);
    assert_string_equal(line_q(f, "ack_code", "O-1-NW", "NW-1"), "IA");
    assert_string_equal(line_q(f, "promised_date", "O-1-NW", "NW-1"), "2026-12-05");
    assert_string_equal(line_q(f, "coalesce(CAST(ack_qty AS TEXT), 'none')", "O-1-NW", "NW-1"),
                        "none");
    assert_int_not_equal(ft_q(f,
                              "SELECT count(*) FROM status_history WHERE cause = 'acknowledgment'"
                              " AND what = 'po' AND to_status = 'AWAITING_SHIPMENT'"
                              " AND document_id IS NOT NULL AND detail = 'AC supplier order SO-1'"),
                         0);
    /* the same document of the same file again changes nothing */
    long long hist = ft_q(f, "SELECT count(*) FROM status_history");
    dg_flow_ack855_result again;
    dg_error err = {0};
    dg_doc *d =
        ack_doc("O-1-NW", "ACCEPTED", "NW-1:IA:ACCEPTED:1::2026-12-05", "NW-3:IA:ACCEPTED:2", NULL);
    int64_t file = ft_file(f);
    assert_int_equal(dg_flow_ingest_acknowledgment(f->s, f->r, "nw", d, file, &again, &err), 0);
    assert_int_equal(dg_flow_ingest_acknowledgment(f->s, f->r, "nw", d, file, &again, &err), 0);
    dg_doc_free(d);
    assert_int_equal(again.outcome, DG_FLOW_DUPLICATE);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM status_history"), hist);
}

/* IB with a date within reroute.backorder_after (7 days): waits at the same supplier. */
static void ib_backorders_and_waits(void **state)
{
    ft *f = *state;
    dg_store_set_now(f->s, 1764720000); /* 2025-12-03 */
    dg_flow_ack855_result r =
        ack(f, "nw", ack_doc("O-1-NW", "ACCEPTED", "NW-1:IB:BACKORDERED:1::2025-12-08", NULL));
    assert_int_equal(r.backordered, 1);
    assert_int_equal(r.accepted, 1); /* NW-3 follows the header */
    assert_int_equal(r.rerouted, 0);
    assert_string_equal(r.po_status, DG_POS_AWAITING_FULFILMENT);
    assert_string_equal(line_q(f, "supplier_status", "O-1-NW", "NW-1"), DG_SUP_BACKORDERED);
    assert_string_equal(line_q(f, "promised_date", "O-1-NW", "NW-1"), "2025-12-08");
    /* the date passes: the next cycle offers the line to bl */
    size_t moved = 0, ended = 0;
    dg_error err = {0};
    assert_int_equal(dg_flow_reroute_due(f->s, f->r, 1764720000, &moved, &ended, &err), 0);
    assert_int_equal(moved, 0);
    dg_store_set_now(f->s, 1765324800); /* 2025-12-10 */
    assert_int_equal(dg_flow_reroute_due(f->s, f->r, 1765324800, &moved, &ended, &err), 0);
    assert_int_equal(moved, 1);
    assert_string_equal(line_q(f, "supplier_status", "O-1-NW", "NW-1"), DG_SUP_REROUTED);
    assert_string_equal(po_status(f, "O-1-BL"), DG_POS_AWAITING_CONFIRMATION);
    assert_string_equal(po_status(f, "O-1-NW"), DG_POS_AWAITING_SHIPMENT); /* NW-3 left */
    assert_string_equal(
        ft_qs(f, "SELECT cause FROM status_history WHERE what = 'line' AND to_status='REROUTED'"),
        "backorder");
    /* once is enough: a second scan moves nothing */
    assert_int_equal(dg_flow_reroute_due(f->s, f->r, 1765324800, &moved, &ended, &err), 0);
    assert_int_equal(moved, 0);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos"), 2);
}

/* IB far beyond backorder_after: re-routed at once; A-3 has no other supplier: it ends
 * BACKORDERED at nw, saying why. */
static void ib_far_away_reroutes_now(void **state)
{
    ft *f = *state;
    dg_store_set_now(f->s, 1764720000); /* 2025-12-03 */
    dg_flow_ack855_result r = ack(f, "nw",
                                  ack_doc("O-1-NW", "ACCEPTED", "NW-1:IB:BACKORDERED:1::2026-03-01",
                                          "NW-3:IB:BACKORDERED:2", NULL));
    assert_int_equal(r.backordered, 2);
    assert_int_equal(r.rerouted, 1);
    assert_int_equal(r.ended, 1);
    assert_string_equal(line_q(f, "supplier_status", "O-1-BL", "BL-1"), "");
    assert_string_equal(line_q(f, "qty_ordered", "O-1-BL", "BL-1"), "10000");
    assert_string_equal(line_q(f, "attempt", "O-1-BL", "BL-1"), "2");
    assert_string_equal(line_q(f, "supplier_status", "O-1-NW", "NW-3"), DG_SUP_BACKORDERED);
    const char *why = line_q(f, "supplier_reason", "O-1-NW", "NW-3");
    assert_non_null(strstr(why, "not re-routed: no other eligible supplier (nw: already offered"));
    assert_string_equal(r.po_status, DG_POS_AWAITING_FULFILMENT);
    /* bl's stock was reserved for it */
    assert_int_equal(ft_q(f, "SELECT qty FROM stock WHERE supplier='bl' AND vendor_sku='BL-1'"),
                     490000);
}

/* IR / R2: rejected lines go to the next supplier once, with the decisions recorded. */
static void ir_reroutes_once(void **state)
{
    ft *f = *state;
    dg_flow_ack855_result r = ack(
        f, "nw", ack_doc("O-1-NW", "ACCEPTED", "NW-1:R2:REJECTED:1", "NW-3:IA:ACCEPTED:2", NULL));
    assert_int_equal(r.rejected, 1);
    assert_int_equal(r.rerouted, 1);
    assert_string_equal(line_q(f, "supplier_status", "O-1-NW", "NW-1"), DG_SUP_REROUTED);
    assert_string_equal(line_q(f, "supplier_reason", "O-1-NW", "NW-1"),
                        "re-routed to bl on PO O-1-BL");
    assert_string_equal(ft_qs(f, "SELECT p.po_number FROM supplier_pos p JOIN supplier_pos o"
                                 " ON o.id = p.rerouted_from WHERE o.po_number = 'O-1-NW'"),
                        "O-1-BL");
    /* the new PO is pending like any other: it will be sent once */
    dg_flow_po *pos = NULL;
    size_t n = 0;
    dg_error err = {0};
    assert_int_equal(dg_flow_pending_pos(f->s, "bl", &pos, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(pos[0].po_number, "O-1-BL");
    assert_int_equal(pos[0].doc->u.order.n_lines, 1);
    assert_string_equal(pos[0].doc->u.order.lines[0].vendor_sku, "BL-1");
    dg_flow_pos_free(pos, n);
    /* why bl and not nw: recorded */
    assert_string_equal(ft_qs(f, "SELECT verdict || ' ' || supplier FROM route_decisions"
                                 " WHERE attempt = 2 ORDER BY verdict"),
                        "CHOSEN bl");
    assert_non_null(
        strstr(ft_qs(f, "SELECT reason FROM route_decisions WHERE supplier = 'nw' AND attempt = 2"),
               "already offered this line: REJECTED: rejected by the supplier (R2)"));
    assert_non_null(strstr(ft_qs(f, "SELECT reason FROM route_decisions WHERE supplier = 'bl'"),
                           "landed cost 14.00 = 9.00 x 1 + shipping 4.00 + dropship fee 1.00"));
    /* the PO at nw keeps A-3, accepted */
    assert_string_equal(po_status(f, "O-1-NW"), DG_POS_AWAITING_SHIPMENT);
    assert_string_equal(ft_qs(f, "SELECT fulfilment_status FROM orders WHERE order_number = 'O-1'"),
                        DG_POS_AWAITING_CONFIRMATION); /* O-1-BL waits for bl's answer */
}

/* Every supplier rejects: the line ends REJECTED with why, and never goes back to nw. */
static void all_suppliers_reject(void **state)
{
    ft *f = *state;
    ack(f, "nw", ack_doc("O-1-NW", "ACCEPTED", "NW-1:IR:REJECTED:1", NULL));
    ft_send_pos(f, false);
    dg_flow_ack855_result r = ack(f, "bl", ack_doc("O-1-BL", "REJECTED", NULL));
    assert_int_equal(r.rejected, 1);
    assert_int_equal(r.rerouted, 0);
    assert_int_equal(r.ended, 1);
    assert_string_equal(r.po_status, DG_POS_CANCELLED);
    assert_string_equal(line_q(f, "supplier_status", "O-1-BL", "BL-1"), DG_SUP_REJECTED);
    const char *why = line_q(f, "supplier_reason", "O-1-BL", "BL-1");
    assert_non_null(strstr(why, "rejected by the supplier (AC); not re-routed: no other eligible"));
    assert_non_null(strstr(why, "bl: already offered this line"));
    assert_non_null(strstr(why, "nw: already offered this line"));
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos"), 2); /* no third PO */
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_lines WHERE retailer_sku='A-1'"), 2);
}

/* A production order's rejected line is never re-routed to a partner in test mode (and a test
 * order's line never to a production supplier): bl in test mode leaves nw's rejection ended. */
static void no_reroute_across_test_mode(void **state)
{
    ft *f = *state;
    dg_error err = {0};
    assert_int_equal(dg_flow_rules_add_test_supplier(f->r, "bl", NULL, &err), 0);
    dg_flow_ack855_result r =
        ack(f, "nw", ack_doc("O-1-NW", "ACCEPTED", "NW-1:IR:REJECTED:1", NULL));
    assert_int_equal(r.rejected, 1);
    assert_int_equal(r.rerouted, 0);
    assert_int_equal(r.ended, 1);
    assert_non_null(strstr(line_q(f, "supplier_reason", "O-1-NW", "NW-1"),
                           "bl is in test mode (partner test: true)"));
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos"), 1); /* no PO at bl */
}

/* reroute.max_attempts: 1: nothing is re-routed, the reason names the rule. */
static void attempt_limit(void **state)
{
    (void)state;
    char rules[2048];
    snprintf(rules, sizeof rules, "%sreroute: {max_attempts: 1}\n", ft_rules);
    ft *f = ft_new_rules(rules);
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    ft_stock(f, "bl", "BL-1:50:9.00", NULL);
    dg_doc *d = order_doc("O-9", "US", "A-1:1:25.00", NULL);
    ft_order(f, "shop", d);
    dg_doc_free(d);
    ft_send_pos(f, true);
    dg_flow_ack855_result r = ack(f, "nw", ack_doc("O-9-NW", "REJECTED", NULL));
    assert_int_equal(r.ended, 1);
    assert_int_equal(r.rerouted, 0);
    assert_non_null(strstr(line_q(f, "supplier_reason", "O-9-NW", "NW-1"),
                           "offered to 1 supplier(s), reroute.max_attempts is 1"));
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos"), 1);
    ft_free(f);
    /* a bad limit is refused with the rule's name */
    dg_flow_rules *bad = NULL;
    dg_error err = {0};
    const char *t = "reroute: {max_attempts: 0}\n";
    assert_int_equal(dg_flow_rules_parse(t, strlen(t), "routing.yaml", &bad, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "reroute.max_attempts"));
}

/* IC / IQ / IP: accepted with another quantity or price; the invoice is matched against the
 * acknowledged price. */
static void changes_feed_the_invoice_match(void **state)
{
    ft *f = *state;
    dg_flow_ack855_result r =
        ack(f, "nw",
            ack_doc("O-1-NW", "ACCEPTED", "NW-1:IP:CHANGED:1:10.50", "NW-3:IQ:CHANGED:1", NULL));
    assert_int_equal(r.changed, 2);
    assert_string_equal(line_q(f, "ack_price", "O-1-NW", "NW-1"), "105000");
    assert_string_equal(line_q(f, "coalesce(CAST(ack_qty AS TEXT), 'none')", "O-1-NW", "NW-1"),
                        "none");
    assert_string_equal(line_q(f, "ack_qty", "O-1-NW", "NW-3"), "10000");
    assert_string_equal(line_q(f, "supplier_status", "O-1-NW", "NW-3"), DG_SUP_ACCEPTED);
    /* NW-3: 1 acknowledged, 1 shipped: that line is complete */
    dg_flow_shipment_result sr;
    dg_error err = {0};
    dg_doc *d = asn_doc("O-1-NW", "S-1", "1Z", "NW-1:1", "NW-3:1", NULL);
    assert_int_equal(dg_flow_ingest_shipment(f->s, "nw", d, ft_file(f), &sr, &err), 0);
    dg_doc_free(d);
    assert_string_equal(line_q(f, "supplier_status", "O-1-NW", "NW-3"), DG_SUP_SHIPPED);
    assert_string_equal(po_status(f, "O-1-NW"), DG_POS_AWAITING_DELIVERY);
    /* invoiced at the acknowledged 10.50: no price discrepancy although the PO cost is 10.00 */
    dg_flow_invoice_result iv;
    d = invoice_doc("INV-1", "O-1-NW", "30.50", "NW-1:1:10.50", "NW-3:1:20.00", NULL);
    assert_int_equal(dg_flow_ingest_invoice(f->s, f->r, "nw", d, ft_file(f), &iv, &err), 0);
    dg_doc_free(d);
    assert_int_equal(iv.outcome, DG_FLOW_MATCHED);
    assert_string_equal(po_status(f, "O-1-NW"), DG_POS_COMPLETED);
}

static void invoice_above_the_acknowledged_price(void **state)
{
    ft *f = *state;
    ack(f, "nw", ack_doc("O-1-NW", "ACCEPTED", "NW-1:IP:CHANGED:1:9.00", NULL));
    dg_flow_shipment_result sr;
    dg_error err = {0};
    dg_doc *d = asn_doc("O-1-NW", "S-1", "1Z", NULL);
    assert_int_equal(dg_flow_ingest_shipment(f->s, "nw", d, ft_file(f), &sr, &err), 0);
    dg_doc_free(d);
    dg_flow_invoice_result iv;
    d = invoice_doc("INV-2", "O-1-NW", "50.00", "NW-1:1:10.00", "NW-3:2:20.00", NULL);
    assert_int_equal(dg_flow_ingest_invoice(f->s, f->r, "nw", d, ft_file(f), &iv, &err), 0);
    dg_doc_free(d);
    assert_int_equal(iv.outcome, DG_FLOW_DISCREPANCY);
    assert_true(has_reason(&iv, DG_REASON_PRICE_ABOVE_TOLERANCE));
    assert_non_null(strstr(iv.reasons[0].detail, "the acknowledged price 9.00"));
}

/* A whole-PO rejection (BAK02 RJ, no lines): every line rejected; A-1 re-routed, A-3 ends. */
static void header_rejection(void **state)
{
    ft *f = *state;
    dg_flow_ack855_result r = ack(f, "nw", ack_doc("O-1-NW", "REJECTED", NULL));
    assert_int_equal(r.rejected, 2);
    assert_int_equal(r.rerouted, 1);
    assert_int_equal(r.ended, 1);
    assert_string_equal(r.po_status, DG_POS_CANCELLED);
    assert_string_equal(line_q(f, "supplier_status", "O-1-NW", "NW-3"), DG_SUP_REJECTED);
    assert_string_equal(ft_qs(f, "SELECT fulfilment_status FROM orders"),
                        DG_POS_AWAITING_CONFIRMATION);
    /* report orders counts the live PO only: O-1-NW was re-routed away and cancelled */
    dg_flow_order_row *rows = NULL;
    size_t n = 0;
    dg_error err = {0};
    assert_int_equal(dg_flow_report_orders(f->s, &rows, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos"), 2);
    assert_int_equal(rows[0].pos, 1);
    assert_int_equal(rows[0].pos_shipped, 0);
    free(rows);
}

/* A line-less row (CSV "whole PO") answers the lines no other row names. */
static void line_less_row_answers_the_rest(void **state)
{
    ft *f = *state;
    dg_flow_ack855_result r = ack(f, "nw",
                                  ack_doc("O-1-NW", NULL, "NW-3:ok:ACCEPTED",
                                          "-:backordered:BACKORDERED:::2099-01-01", NULL));
    assert_int_equal(r.accepted, 1);
    assert_int_equal(r.backordered, 1);
    assert_string_equal(line_q(f, "ack_code", "O-1-NW", "NW-1"), "backordered");
}

static void bad_acknowledgments_are_refused(void **state)
{
    ft *f = *state;
    dg_error err = {0};
    long long hist = ft_q(f, "SELECT count(*) FROM status_history");
    assert_int_equal(ack_fails(f, ack_doc("NOPE", "ACCEPTED", NULL), &err), DG_EVALID);
    assert_non_null(strstr(err.msg, "acknowledgment for unknown PO NOPE"));
    dg_flow_ack855_result res;
    dg_doc *d = ack_doc("O-1-NW", "ACCEPTED", NULL);
    assert_int_equal(dg_flow_ingest_acknowledgment(f->s, f->r, "bl", d, ft_file(f), &res, &err),
                     DG_EVALID);
    dg_doc_free(d);
    assert_non_null(strstr(err.msg, "which was sent to nw"));
    assert_int_equal(ack_fails(f, ack_doc("O-1-NW", "ACCEPTED", "XX-9:IA:ACCEPTED", NULL), &err),
                     DG_EVALID);
    assert_non_null(strstr(err.msg, "line 1 XX-9 is not on the PO"));
    assert_int_equal(ack_fails(f, ack_doc("O-1-NW", "ACCEPTED", "NW-1:ZZ:ZZ", NULL), &err),
                     DG_EVALID);
    assert_non_null(strstr(err.msg, "status 'ZZ' is not a known acknowledgment code"));
    assert_int_equal(ack_fails(f, ack_doc("O-1-NW", NULL, "NW-1:IA:ACCEPTED", NULL), &err),
                     DG_EVALID); /* NW-3 has no answer and the header none */
    assert_non_null(strstr(err.msg, "has no status (ACK01)"));
    /* nothing of them was recorded */
    assert_int_equal(ft_q(f, "SELECT count(*) FROM status_history"), hist);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_lines WHERE ack_at IS NOT NULL"), 0);
}

/* A 997 that rejects the PO file: its lines are rejected and re-routed by the next cycle. */
static void rejecting_997_reroutes(void **state)
{
    ft *f = *state;
    dg_flow_ack_set set = {"0001", "R", "AK3 ..."};
    dg_flow_ack a = {.group_control = "1", .group_status = "R", .sets = &set, .n_sets = 1};
    dg_flow_ack_result ar;
    dg_error err = {0};
    assert_int_equal(dg_flow_ingest_ack(f->s, "nw", &a, ft_file(f), &ar, &err), 0);
    assert_int_equal(ar.rejected, 1);
    size_t moved = 0, ended = 0;
    assert_int_equal(dg_flow_reroute_due(f->s, f->r, 1700000000, &moved, &ended, &err), 0);
    assert_int_equal(moved, 1);
    assert_int_equal(ended, 1);
    assert_string_equal(po_status(f, "O-1-NW"), DG_POS_CANCELLED);
    assert_string_equal(po_status(f, "O-1-BL"), DG_POS_AWAITING_CONFIRMATION);
    assert_non_null(strstr(line_q(f, "supplier_reason", "O-1-NW", "NW-3"),
                           "the supplier's 997/999 rejected the PO file; not re-routed"));
    /* the next cycle finds nothing more to do */
    assert_int_equal(dg_flow_reroute_due(f->s, f->r, 1700000000, &moved, &ended, &err), 0);
    assert_int_equal(moved + ended, 0);
}

/* Adds an ACK segment (acks[]) for line `no`: "code:STATUS:qty:date". */
static void add_part(dg_doc *d, const char *no, const char *spec)
{
    dg_arena *a = d->arena;
    dg_ack *k = &d->u.ack;
    char part[4][32] = {{0}};
    const char *p = spec;
    for (int i = 0; i < 4 && p; i++) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        snprintf(part[i], sizeof part[i], "%.*s", (int)len, p);
        p = colon ? colon + 1 : NULL;
    }
    k->acks = dg_arena_grow(a, k->acks, sizeof *k->acks, k->n_acks, &k->cap_acks, k->n_acks + 1);
    dg_ack_part *x = &k->acks[k->n_acks++];
    memset(x, 0, sizeof *x);
    x->line_number = dg_arena_strdup(a, no);
    x->code = dg_arena_strdup(a, part[0]);
    x->status = dg_arena_strdup(a, part[1]);
    if (part[2][0])
        x->quantity = D(part[2]);
    if (part[3][0])
        x->date = dg_arena_strdup(a, part[3]);
}

/* O-2: A-1 x8, placed at bl (cheaper landed for 8). */
static ft *eight(void)
{
    ft *f = ft_new();
    ft_stock(f, "nw", "NW-1:50:10.00", NULL);
    ft_stock(f, "bl", "BL-1:50:9.00", NULL);
    dg_doc *d = order_doc("O-2", "US", "A-1:8:25.00", NULL);
    ft_order(f, "shop", d);
    dg_doc_free(d);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos WHERE po_number='O-2-BL'"), 1);
    ft_send_pos(f, true);
    return f;
}

static const char *part_q(ft *f, const char *col, const char *po, const char *status)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT %s FROM order_lines l JOIN supplier_pos p ON p.id = l.po_id"
             " WHERE p.po_number = '%s' AND l.supplier_status = '%s'",
             col, po, status);
    return ft_qs(f, sql);
}

/* ACK*IA*5 and ACK*IB*3 on one PO1 of 8 (acks[], as x12-855-in reads them): the accepted 5 go
 * on and ship; the backordered 3 wait on a line of their own, then are re-routed alone when the
 * promised date passes; the quantities add up to 8 all the way. */
static void several_acks_split_the_line(void **state)
{
    (void)state;
    ft *f = eight();
    dg_store_set_now(f->s, 1764720000); /* 2025-12-03 */
    dg_doc *d = ack_doc("O-2-BL", "ACCEPTED", "BL-1:IA:ACCEPTED:5::2025-12-05", NULL);
    add_part(d, "1", "IA:ACCEPTED:5:2025-12-05");
    add_part(d, "1", "IB:BACKORDERED:3:2025-12-08");
    dg_flow_ack855_result r = ack(f, "bl", d);
    assert_int_equal(r.accepted, 1);
    assert_int_equal(r.backordered, 1);
    assert_int_equal(r.rerouted, 0);
    assert_string_equal(r.po_status, DG_POS_AWAITING_FULFILMENT);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_lines WHERE po_id IS NOT NULL"), 2);
    assert_string_equal(part_q(f, "qty_ordered", "O-2-BL", "ACCEPTED"), "50000");
    assert_string_equal(part_q(f, "qty_ordered", "O-2-BL", "BACKORDERED"), "30000");
    assert_string_equal(part_q(f, "promised_date", "O-2-BL", "BACKORDERED"), "2025-12-08");
    assert_string_equal(part_q(f, "ack_code", "O-2-BL", "BACKORDERED"), "IB");
    assert_string_equal(part_q(f, "promised_date", "O-2-BL", "ACCEPTED"), "2025-12-05");
    assert_string_equal(part_q(f, "coalesce(CAST(ack_qty AS TEXT), 'none')", "O-2-BL", "ACCEPTED"),
                        "none");
    assert_string_equal(part_q(f,
                               "po_line || '/' || CASE WHEN split_from IS NULL THEN 0 ELSE 1 END",
                               "O-2-BL", "BACKORDERED"),
                        "1/1");
    /* the accepted 5 ship: that part is complete, the backorder keeps the PO open */
    dg_flow_shipment_result sr;
    dg_error err = {0};
    d = asn_doc("O-2-BL", "S-1", "1Z", "BL-1:5", NULL);
    assert_int_equal(dg_flow_ingest_shipment(f->s, "bl", d, ft_file(f), &sr, &err), 0);
    dg_doc_free(d);
    assert_string_equal(part_q(f, "qty_shipped", "O-2-BL", "SHIPPED"), "50000");
    assert_string_equal(part_q(f, "qty_shipped", "O-2-BL", "BACKORDERED"), "0");
    assert_string_equal(po_status(f, "O-2-BL"), DG_POS_AWAITING_FULFILMENT);
    /* the promised date passes: only the 3 go to nw */
    size_t moved = 0, ended = 0;
    dg_store_set_now(f->s, 1765324800); /* 2025-12-10 */
    assert_int_equal(dg_flow_reroute_due(f->s, f->r, 1765324800, &moved, &ended, &err), 0);
    assert_int_equal(moved, 1);
    assert_string_equal(line_q(f, "qty_ordered", "O-2-NW", "NW-1"), "30000");
    assert_string_equal(part_q(f, "qty_ordered", "O-2-BL", "REROUTED"), "30000");
    assert_string_equal(po_status(f, "O-2-BL"), DG_POS_AWAITING_DELIVERY);
    assert_int_equal(ft_q(f, "SELECT sum(qty_ordered) FROM order_lines"
                             " WHERE coalesce(supplier_status, '') <> 'REROUTED'"),
                     80000);
    ft_free(f);
}

/* The same with an ASN that ships all 8 in one (the backorder arrived in time): the shipped
 * quantity fills both parts; and an invoice for 8 matches them. */
static void one_asn_ships_both_parts(void **state)
{
    (void)state;
    ft *f = eight();
    dg_store_set_now(f->s, 1764720000);
    dg_doc *d = ack_doc("O-2-BL", "ACCEPTED", "BL-1:IA:ACCEPTED:5", NULL);
    add_part(d, "1", "IA:ACCEPTED:5");
    add_part(d, "1", "IB:BACKORDERED:3:2025-12-08");
    ack(f, "bl", d);
    dg_flow_shipment_result sr;
    dg_error err = {0};
    d = asn_doc("O-2-BL", "S-1", "1Z", "BL-1:8", NULL);
    assert_int_equal(dg_flow_ingest_shipment(f->s, "bl", d, ft_file(f), &sr, &err), 0);
    dg_doc_free(d);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_lines WHERE supplier_status = 'SHIPPED'"),
                     2);
    assert_string_equal(po_status(f, "O-2-BL"), DG_POS_AWAITING_DELIVERY);
    dg_flow_invoice_result iv;
    d = invoice_doc("INV-2", "O-2-BL", "72.00", "BL-1:8:9.00", NULL);
    assert_int_equal(dg_flow_ingest_invoice(f->s, f->r, "bl", d, ft_file(f), &iv, &err), 0);
    dg_doc_free(d);
    assert_int_equal(iv.outcome, DG_FLOW_MATCHED);
    assert_string_equal(po_status(f, "O-2-BL"), DG_POS_COMPLETED);
    /* one more is an over-shipment, refused */
    d = asn_doc("O-2-BL", "S-2", "1Z2", "BL-1:1", NULL);
    assert_int_equal(dg_flow_ingest_shipment(f->s, "bl", d, ft_file(f), &sr, &err), DG_EVALID);
    dg_doc_free(d);
    assert_non_null(strstr(err.msg, "over-shipment"));
    ft_free(f);
}

/* CSV: two rows for one line (accepted 5, rejected 3): the rejected part is re-routed at once
 * on its own; rows that add up to more than ordered, or a part without quantity, are refused
 * naming the line, and nothing is recorded. */
static void rows_in_parts_and_bad_parts(void **state)
{
    (void)state;
    ft *f = eight();
    dg_error err = {0};
    long long hist = ft_q(f, "SELECT count(*) FROM status_history");
    dg_flow_ack855_result res;
    dg_doc *d = ack_doc("O-2-BL", "ACCEPTED", "BL-1:IA:ACCEPTED:6", "BL-1:IR:REJECTED:3", NULL);
    assert_int_equal(dg_flow_ingest_acknowledgment(f->s, f->r, "bl", d, ft_file(f), &res, &err),
                     DG_EVALID);
    dg_doc_free(d);
    assert_non_null(strstr(err.msg, "line 1 BL-1: the parts add up to 9, the PO line has 8 open"));
    d = ack_doc("O-2-BL", "ACCEPTED", "BL-1:IA:ACCEPTED", NULL);
    add_part(d, "1", "IA:ACCEPTED:");
    add_part(d, "1", "IB:BACKORDERED:3");
    assert_int_equal(dg_flow_ingest_acknowledgment(f->s, f->r, "bl", d, ft_file(f), &res, &err),
                     DG_EVALID);
    dg_doc_free(d);
    assert_non_null(strstr(err.msg, "part 1 (IA) of an answer in several parts has no quantity"));
    assert_int_equal(ft_q(f, "SELECT count(*) FROM status_history"), hist);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_lines"), 1);
    dg_flow_ack855_result r = ack(
        f, "bl", ack_doc("O-2-BL", "ACCEPTED", "BL-1:IA:ACCEPTED:5", "BL-1:IR:REJECTED:3", NULL));
    assert_int_equal(r.rejected, 1);
    assert_int_equal(r.rerouted, 1);
    assert_string_equal(part_q(f, "qty_ordered", "O-2-BL", "ACCEPTED"), "50000");
    assert_string_equal(part_q(f, "qty_ordered", "O-2-BL", "REROUTED"), "30000");
    assert_string_equal(line_q(f, "qty_ordered", "O-2-NW", "NW-1"), "30000");
    assert_string_equal(r.po_status, DG_POS_AWAITING_SHIPMENT);
    /* a later answer for the whole line reaches every open part of it */
    r = ack(f, "bl", ack_doc("O-2-BL", "ACCEPTED", "BL-1:IA:ACCEPTED:5::2025-12-20", NULL));
    assert_int_equal(r.accepted, 1);
    assert_string_equal(part_q(f, "promised_date", "O-2-BL", "ACCEPTED"), "2025-12-20");
    ft_free(f);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(ia_accepts),
        T(ib_backorders_and_waits),
        T(ib_far_away_reroutes_now),
        T(ir_reroutes_once),
        T(all_suppliers_reject),
        T(no_reroute_across_test_mode),
        cmocka_unit_test(attempt_limit),
        T(changes_feed_the_invoice_match),
        T(invoice_above_the_acknowledged_price),
        T(header_rejection),
        T(line_less_row_answers_the_rest),
        T(bad_acknowledgments_are_refused),
        T(rejecting_997_reroutes),
        cmocka_unit_test(several_acks_split_the_line),
        cmocka_unit_test(one_asn_ships_both_parts),
        cmocka_unit_test(rows_in_parts_and_bad_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
