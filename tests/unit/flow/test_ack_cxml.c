/* A cXML supplier's ConfirmationRequest (issue 11) read through the shipped cxml-confirm-in
 * mapping behaves as an 855: one line accepted, one backordered with its promised date (it
 * waits), one rejected (re-routed to the next supplier on a new PO); a confirmation that splits a
 * line splits it; a type the flow has no status for is refused naming it, nothing recorded. */
#include "flowtest.h"

#include "map/map.h"

/* O-7: A-1 x1 (nw cheaper landed), A-3 x2 (only nw), A-6 x1 (bl preferred but out of stock):
 * one PO O-7-NW of three lines; bl stocks BL-1 for the re-route. */
static int setup(void **state)
{
    ft *f = ft_new();
    ft_stock(f, "nw", "NW-1:50:10.00", "NW-3:50:20.00", "NW-6:50:8.00", NULL);
    ft_stock(f, "bl", "BL-1:50:9.00", NULL);
    dg_doc *d = order_doc("O-7", "US", "A-1:1:25.00", "A-3:2:40.00", "A-6:1:15.00", NULL);
    assert_string_equal(ft_order(f, "shop", d).status, DG_ORDER_CONVERTED);
    dg_doc_free(d);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_lines l JOIN supplier_pos p"
                             " ON p.id = l.po_id WHERE p.po_number = 'O-7-NW'"),
                     3);
    ft_send_pos(f, false);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    ft_free(*state);
    return 0;
}

static int keep_doc(void *ctx, dg_doc *doc, dg_error *err)
{
    (void)err;
    dg_doc **out = ctx;
    if (*out)
        dg_doc_free(*out);
    *out = doc;
    return 0;
}

/* The confirmation text through mappings/cxml-confirm-in.yaml: its one document. */
static dg_doc *confirmation(ft *f, const char *xml)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/confirm.xml", f->dir);
    dg_test_write_file(path, xml);
    dg_mapping *m = NULL;
    dg_error err = {0};
    if (dg_map_load(dg_test_path("mappings/cxml-confirm-in.yaml"), &m, &err))
        fail_msg("%s", err.msg);
    dg_doc *d = NULL;
    if (dg_map_read_file(m, path, keep_doc, &d, &err))
        fail_msg("cxml-confirm-in: %s", err.msg);
    dg_map_free(m);
    assert_non_null(d);
    assert_int_equal(d->kind, DG_DOC_ACK);
    return d;
}

static const char *po_line(ft *f, const char *sku)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT po_line FROM order_lines WHERE supplier_sku = '%s'", sku);
    static char buf[3][32];
    static int k;
    char *b = buf[k++ % 3];
    snprintf(b, 32, "%s", ft_qs(f, sql));
    return b;
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

static const char cxml_head[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.014/Fulfill.dtd\">\n"
    "<cXML payloadID=\"c-1@nw.example\" timestamp=\"2025-12-03T10:00:00-08:00\">\n"
    "<Header><From><Credential domain=\"NetworkID\"><Identity>NW</Identity></Credential></From>"
    "<To><Credential domain=\"NetworkID\"><Identity>RET</Identity></Credential></To>"
    "<Sender><Credential domain=\"NetworkID\"><Identity>NW</Identity></Credential>"
    "<UserAgent>nw</UserAgent></Sender></Header>\n<Request><ConfirmationRequest>\n";

/* accept NW-3, backorder NW-6 to 2025-12-08 (within backorder_after: it waits), reject NW-1 */
static void accept_backorder_reject(void **state)
{
    ft *f = *state;
    dg_store_set_now(f->s, 1764720000); /* 2025-12-03 */
    char xml[4096];
    snprintf(
        xml, sizeof xml,
        "%s<ConfirmationHeader type=\"detail\" noticeDate=\"2025-12-03T10:00:00-08:00\""
        " confirmID=\"NW-SO-77\"/>\n"
        "<OrderReference orderID=\"O-7-NW\"><DocumentReference"
        " payloadID=\"O-7-NW.2025-12-02@dropgate\"/></OrderReference>\n"
        "<ConfirmationItem quantity=\"2\" lineNumber=\"%s\"><UnitOfMeasure>EA</UnitOfMeasure>"
        "<ConfirmationStatus quantity=\"2\" type=\"accept\" deliveryDate=\"2025-12-05\">"
        "<UnitOfMeasure>EA</UnitOfMeasure><ItemIn quantity=\"2\"><ItemID>"
        "<SupplierPartID>NW-3</SupplierPartID></ItemID></ItemIn>"
        "</ConfirmationStatus></ConfirmationItem>\n"
        "<ConfirmationItem quantity=\"1\" lineNumber=\"%s\"><UnitOfMeasure>EA</UnitOfMeasure>"
        "<ConfirmationStatus quantity=\"1\" type=\"backordered\""
        " shipmentDate=\"2025-12-07T09:00:00-08:00\" deliveryDate=\"2025-12-08T09:00:00-08:00\">"
        "<UnitOfMeasure>EA</UnitOfMeasure><Comments xml:lang=\"en\">restock due</Comments>"
        "</ConfirmationStatus></ConfirmationItem>\n"
        "<ConfirmationItem quantity=\"1\" lineNumber=\"%s\"><UnitOfMeasure>EA</UnitOfMeasure>"
        "<ConfirmationStatus quantity=\"1\" type=\"reject\"><UnitOfMeasure>EA</UnitOfMeasure>"
        "<Comments xml:lang=\"en\">discontinued</Comments></ConfirmationStatus>"
        "</ConfirmationItem>\n</ConfirmationRequest></Request></cXML>\n",
        cxml_head, po_line(f, "NW-3"), po_line(f, "NW-6"), po_line(f, "NW-1"));
    dg_doc *d = confirmation(f, xml);
    dg_flow_ack855_result r;
    dg_error err = {0};
    int rc = dg_flow_ingest_acknowledgment(f->s, f->r, "nw", d, ft_file(f), &r, &err);
    dg_doc_free(d);
    if (rc)
        fail_msg("ingest: %s", err.msg);
    assert_int_equal(r.outcome, DG_FLOW_OK);
    assert_int_equal(r.accepted, 1);
    assert_int_equal(r.backordered, 1);
    assert_int_equal(r.rejected, 1);
    assert_int_equal(r.rerouted, 1);
    assert_int_equal(r.ended, 0);
    assert_string_equal(r.po_status, DG_POS_AWAITING_FULFILMENT);
    /* accepted, with its promised date and the type as sent */
    assert_string_equal(line_q(f, "supplier_status", "O-7-NW", "NW-3"), DG_SUP_ACCEPTED);
    assert_string_equal(line_q(f, "ack_code", "O-7-NW", "NW-3"), "accept");
    assert_string_equal(line_q(f, "promised_date", "O-7-NW", "NW-3"), "2025-12-05");
    /* backordered: the delivery date, waiting at nw */
    assert_string_equal(line_q(f, "supplier_status", "O-7-NW", "NW-6"), DG_SUP_BACKORDERED);
    assert_string_equal(line_q(f, "ack_code", "O-7-NW", "NW-6"), "backordered");
    assert_string_equal(line_q(f, "promised_date", "O-7-NW", "NW-6"), "2025-12-08");
    /* rejected: re-routed to bl on a new PO, pending like any other */
    assert_string_equal(line_q(f, "supplier_status", "O-7-NW", "NW-1"), DG_SUP_REROUTED);
    assert_string_equal(line_q(f, "supplier_reason", "O-7-NW", "NW-1"),
                        "re-routed to bl on PO O-7-BL");
    dg_flow_po *pos = NULL;
    size_t n = 0;
    assert_int_equal(dg_flow_pending_pos(f->s, "bl", &pos, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(pos[0].po_number, "O-7-BL");
    assert_int_equal(pos[0].doc->u.order.n_lines, 1);
    assert_string_equal(pos[0].doc->u.order.lines[0].vendor_sku, "BL-1");
    dg_flow_pos_free(pos, n);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM supplier_pos"), 2);
    /* the supplier's order number and the cause are recorded */
    assert_int_not_equal(ft_q(f, "SELECT count(*) FROM status_history WHERE cause ="
                                 " 'acknowledgment' AND detail LIKE 'detail supplier order"
                                 " NW-SO-77%'"),
                         0);
    /* the backorder's date passes: the next cycle offers NW-6... to nobody (bl has none) */
    size_t moved = 0, ended = 0;
    assert_int_equal(dg_flow_reroute_due(f->s, f->r, 1764720000, &moved, &ended, &err), 0);
    assert_int_equal(moved + ended, 0);
}

/* Coupa's shape: 5 ordered, 3 accepted and 2 rejected in one ConfirmationItem: the line is
 * split; the rejected part alone is re-routed. */
static void one_item_in_two_parts(void **state)
{
    ft *f = *state;
    char xml[4096];
    snprintf(xml, sizeof xml,
             "%s<ConfirmationHeader type=\"detail\" noticeDate=\"2025-12-03T10:00:00-08:00\"/>\n"
             "<OrderReference orderID=\"O-7-NW\"/>\n"
             "<ConfirmationItem quantity=\"1\" lineNumber=\"%s\"><UnitOfMeasure>EA</UnitOfMeasure>"
             "<ConfirmationStatus quantity=\"1\" type=\"accept\"><UnitOfMeasure>EA</UnitOfMeasure>"
             "</ConfirmationStatus>"
             "<ConfirmationStatus quantity=\"1\" type=\"unknown\"><UnitOfMeasure>EA</UnitOfMeasure>"
             "</ConfirmationStatus></ConfirmationItem>\n"
             "<ConfirmationItem quantity=\"2\" lineNumber=\"%s\"><UnitOfMeasure>EA</UnitOfMeasure>"
             "<ConfirmationStatus quantity=\"1\" type=\"accept\"><UnitOfMeasure>EA</UnitOfMeasure>"
             "</ConfirmationStatus>"
             "<ConfirmationStatus quantity=\"1\" type=\"reject\"><UnitOfMeasure>EA</UnitOfMeasure>"
             "</ConfirmationStatus></ConfirmationItem>\n"
             "</ConfirmationRequest></Request></cXML>\n",
             cxml_head, po_line(f, "NW-1"), po_line(f, "NW-3"));
    dg_doc *d = confirmation(f, xml);
    assert_int_equal(d->u.ack.n_acks, 3); /* the "unknown" status says nothing */
    dg_flow_ack855_result r;
    dg_error err = {0};
    int rc = dg_flow_ingest_acknowledgment(f->s, f->r, "nw", d, ft_file(f), &r, &err);
    dg_doc_free(d);
    if (rc)
        fail_msg("ingest: %s", err.msg);
    assert_int_equal(r.rejected, 1);
    assert_int_equal(r.rerouted, 0); /* NW-3 has no other supplier: the part ends */
    assert_int_equal(r.ended, 1);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_lines WHERE retailer_sku = 'A-3'"), 2);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_lines WHERE retailer_sku = 'A-3'"
                             " AND supplier_status = 'REJECTED' AND qty_ordered = 10000"),
                     1);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_lines WHERE retailer_sku = 'A-3'"
                             " AND supplier_status = 'ACCEPTED' AND qty_ordered = 10000"),
                     1);
    assert_string_equal(line_q(f, "supplier_status", "O-7-NW", "NW-1"), DG_SUP_ACCEPTED);
    assert_string_equal(line_q(f, "supplier_status", "O-7-NW", "NW-6"), DG_SUP_ACCEPTED);
}

/* A prepayment request has no canonical status: refused naming it, nothing recorded. */
static void request_to_pay_is_refused(void **state)
{
    ft *f = *state;
    char xml[2048];
    snprintf(xml, sizeof xml,
             "%s<ConfirmationHeader type=\"requestToPay\" noticeDate=\"2025-12-03\"/>\n"
             "<OrderReference><DocumentReference payloadID=\"O-7-NW.2025-12-02@dropgate\"/>"
             "</OrderReference>\n</ConfirmationRequest></Request></cXML>\n",
             cxml_head);
    dg_doc *d = confirmation(f, xml);
    assert_string_equal(d->u.ack.po_number, "O-7-NW"); /* from our own payloadID */
    long long hist = ft_q(f, "SELECT count(*) FROM status_history");
    dg_flow_ack855_result r;
    dg_error err = {0};
    assert_int_equal(dg_flow_ingest_acknowledgment(f->s, f->r, "nw", d, ft_file(f), &r, &err),
                     DG_EVALID);
    dg_doc_free(d);
    assert_non_null(strstr(err.msg, "requestToPay"));
    assert_int_equal(ft_q(f, "SELECT count(*) FROM status_history"), hist);
    assert_int_equal(ft_q(f, "SELECT count(*) FROM order_lines WHERE supplier_status IS NOT NULL"
                             " AND supplier_status <> ''"),
                     0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(accept_backorder_reject),
        T(one_item_in_two_parts),
        T(request_to_pay_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
