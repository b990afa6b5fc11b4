/* cXML mappings: an OrderRequest's values, the order round trip (cxml-order-in -> out -> in),
 * and the DOCTYPE's remote DTD never fetched (a listener on loopback sees no connection). */
#include "maptest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* Several POs per file (outbound po_per_file) need a mapping that writes several documents
 * into one file; cXML (the request is the root) and json single: true write one, and say so
 * when given two. */
static void which_mappings_write_many(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        bool many;
    } cases[] = {{"mappings/x12-850-out.yaml", true},
                 {"mappings/supplier-csv-po-out.yaml", true},
                 {"mappings/storefront-order-json-out.yaml", true},
                 {"mappings/cxml-order-out.yaml", false},
                 {"mappings/storefront-tracking-json-out.yaml", false}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dg_mapping *m = load_map(cases[i].path);
        if (dg_map_writes_many(m) != cases[i].many)
            fail_msg("%s: writes_many is %d", cases[i].path, !cases[i].many);
        if (!cases[i].many) {
            dg_doc *docs[2] = {dg_doc_new(dg_map_doc_kind(m)), dg_doc_new(dg_map_doc_kind(m))};
            dg_buf b = DG_BUF_INIT;
            dg_error err = {0};
            assert_int_equal(dg_map_write(m, docs, 2, NULL, &b, &err), DG_EMAP);
            assert_non_null(strstr(err.msg, "one document per file"));
            dg_buf_free(&b);
            dg_doc_free(docs[0]);
            dg_doc_free(docs[1]);
        }
        dg_map_free(m);
    }
}

static void order_request_values(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/cxml-order-in.yaml", "samples/cxml/order-request.xml", &l);
    assert_int_equal(l.n, 1);
    dg_order *o = &l.docs[0]->u.order;
    assert_string_equal(o->order_number, "PO-88213");
    assert_string_equal(o->order_date, "2024-03-01");
    assert_string_equal(o->purpose, "00");
    assert_string_equal(o->currency, "USD");
    DEC_EQ(o->total, "463.18");
    assert_string_equal(o->buyer.id, "AN01000000147");
    assert_string_equal(o->ship_to.name, "Dr. Priya Nair"); /* the first DeliverTo */
    assert_string_equal(o->ship_to.company, "Bayview Dental Group");
    assert_string_equal(o->ship_to.address1, "2450 Marina Blvd");
    assert_string_equal(o->ship_to.address2, "Suite 210");
    assert_string_equal(o->ship_to.postal_code, "94577");
    assert_string_equal(o->ship_to.country, "US");
    assert_string_equal(o->ship_to.phone, "510 5550163");
    assert_string_equal(o->bill_to.city, "Oakland");
    assert_string_equal(o->service_level, "UPS Ground");
    assert_int_equal(o->n_lines, 2);
    assert_string_equal(o->lines[0].vendor_sku, "NIT-GLV-M-200");
    assert_string_equal(o->lines[0].buyer_sku, "BDG-10077");
    assert_string_equal(o->lines[0].uom, "BX");
    DEC_EQ(o->lines[0].quantity, "4");
    DEC_EQ(o->lines[0].unit_price, "42");
    assert_string_equal(o->lines[1].line_number, "2");
    assert_int_equal(o->n_charges, 2);
    assert_string_equal(o->charges[0].type, "FREIGHT");
    DEC_EQ(o->charges[0].amount, "18.5");
    assert_string_equal(o->charges[1].type, "TAX");
    DEC_EQ(o->charges[1].amount, "34.68");
    list_free(&l);
}

static void order_round_trip(void **state)
{
    (void)state;
    doc_list a = {0}, b = {0};
    read_ok("mappings/cxml-order-in.yaml", "samples/cxml/order-request.xml", &a);
    assert_int_equal(a.n, 1);
    dg_buf x = DG_BUF_INIT;
    write_read("mappings/cxml-order-out.yaml", a.docs, 1, "mappings/cxml-order-in.yaml", "po.xml",
               &b, &x);
    assert_non_null(strstr(x.data, "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/"));
    assert_non_null(strstr(x.data, "<cXML payloadID=\"PO-88213."));
    assert_int_equal(b.n, 1);
    dg_order *o1 = &a.docs[0]->u.order, *o2 = &b.docs[0]->u.order;
    assert_string_equal(o1->order_number, o2->order_number);
    assert_string_equal(o1->order_date, o2->order_date);
    assert_string_equal(o1->currency, o2->currency);
    assert_true(dg_dec_cmp(o1->total, o2->total) == 0);
    assert_string_equal(o1->buyer.id, o2->buyer.id);
    assert_string_equal(o1->ship_to.name, o2->ship_to.name);
    assert_string_equal(o1->ship_to.company, o2->ship_to.company);
    assert_string_equal(o1->ship_to.address1, o2->ship_to.address1);
    /* two Street elements, not "2450 Marina BlvdSuite 210" in one */
    assert_string_equal(o2->ship_to.address2, "Suite 210");
    assert_non_null(strstr(x.data, "<Street>2450 Marina Blvd</Street>"));
    assert_non_null(strstr(x.data, "<Street>Suite 210</Street>"));
    /* what the DTD's content models want: a Credential in Sender before its UserAgent, and
     * ItemDetail (UnitPrice, Description+ with xml:lang, UnitOfMeasure, Classification+) */
    const char *sender = strstr(x.data, "<Sender>");
    assert_non_null(sender);
    const char *cred = strstr(sender, "<Credential domain=\"NetworkID\">");
    const char *agent = strstr(sender, "<UserAgent>dropgate</UserAgent>");
    assert_true(cred && agent && cred < agent);
    assert_non_null(strstr(x.data, "<Description xml:lang=\"en\">Nitrile exam gloves"));
    const char *uom = strstr(x.data, "<UnitOfMeasure>BX</UnitOfMeasure>");
    const char *cls = strstr(x.data, "<Classification domain=\"custom\">0</Classification>");
    assert_true(uom && cls && uom < cls && cls < strstr(uom, "</ItemDetail>"));
    assert_string_equal(o1->ship_to.city, o2->ship_to.city);
    assert_string_equal(o1->ship_to.postal_code, o2->ship_to.postal_code);
    assert_string_equal(o1->ship_to.country, o2->ship_to.country);
    /* BillTo, which the DTD requires, between ShipTo and Shipping as its content model says */
    assert_string_equal(o2->bill_to.name, o1->bill_to.name);
    assert_string_equal(o2->bill_to.city, "Oakland");
    assert_string_equal(o2->bill_to.postal_code, o1->bill_to.postal_code);
    assert_string_equal(o2->bill_to.country, o1->bill_to.country);
    const char *ship = strstr(x.data, "<ShipTo>"), *bill = strstr(x.data, "<BillTo>"),
               *shipping = strstr(x.data, "<Shipping>");
    assert_non_null(ship);
    assert_non_null(bill);
    assert_non_null(shipping);
    assert_true(ship < bill && bill < shipping);
    assert_int_equal(o1->n_lines, o2->n_lines);
    for (size_t i = 0; i < o1->n_lines; i++) {
        assert_string_equal(o1->lines[i].vendor_sku, o2->lines[i].vendor_sku);
        assert_string_equal(o1->lines[i].line_number, o2->lines[i].line_number);
        assert_string_equal(o1->lines[i].description, o2->lines[i].description);
        assert_string_equal(o1->lines[i].uom, o2->lines[i].uom);
        assert_true(dg_dec_cmp(o1->lines[i].quantity, o2->lines[i].quantity) == 0);
        assert_true(dg_dec_cmp(o1->lines[i].unit_price, o2->lines[i].unit_price) == 0);
    }
    /* a cXML file carries one request: two orders are refused, not merged */
    dg_mapping *out = load_map("mappings/cxml-order-out.yaml");
    dg_error err = {0};
    dg_doc *two[2] = {a.docs[0], b.docs[0]};
    dg_buf_clear(&x);
    assert_int_equal(dg_map_write(out, two, 2, NULL, &x, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "one document per file"));
    dg_buf_free(&x);
    dg_map_free(out);
    list_free(&a);
    list_free(&b);
}

/* The DOCTYPE names a DTD on a loopback listener and another on a host that does not resolve:
 * the file maps, and the listener was never connected to. */
static void doctype_is_never_fetched(void **state)
{
    (void)state;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(s, 4), 0);
    socklen_t sl = sizeof sa;
    assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &sl), 0);
    fcntl(s, F_SETFL, O_NONBLOCK);
    char *xml = dg_test_read_file(dg_test_path("samples/cxml/order-request.xml"), NULL);
    assert_non_null(xml);
    const char *dt = "\"http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd\"";
    char *at = strstr(xml, dt);
    assert_non_null(at);
    const char *urls[] = {"http://127.0.0.1:%d/cXML.dtd", "http://cxml.invalid:%d/cXML.dtd"};
    for (int u = 0; u < 2; u++) {
        char url[128], *doc = malloc(strlen(xml) + 256);
        snprintf(url, sizeof url, urls[u], ntohs(sa.sin_port));
        sprintf(doc, "%.*s\"%s\"%s", (int)(at - xml), xml, url, at + strlen(dt));
        const char *path = tmp_path("remote-dtd.xml");
        dg_test_write_file(path, doc);
        free(doc);
        doc_list l = {0};
        read_ok("mappings/cxml-order-in.yaml", path, &l);
        assert_int_equal(l.n, 1);
        assert_string_equal(l.docs[0]->u.order.order_number, "PO-88213");
        list_free(&l);
    }
    free(xml);
    int c = accept(s, NULL, NULL);
    assert_int_equal(c, -1); /* nobody asked for the DTD */
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    close(s);
}

static void ship_notice_values(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/cxml-shipnotice-in.yaml", "samples/cxml/ship-notice.xml", &l);
    assert_int_equal(l.n, 1);
    dg_shipment *s = &l.docs[0]->u.shipment;
    assert_string_equal(s->shipment_id, "ASN-240305-0017");
    assert_string_equal(s->po_number, "PO-88213");
    assert_string_equal(s->ship_date, "2024-03-05"); /* shipmentDate, not noticeDate */
    assert_string_equal(s->carrier, "UPSN");         /* the SCAC, though companyName is first */
    assert_string_equal(s->service_level, "Ground");
    assert_string_equal(s->ship_to.postal_code, "94577");
    assert_int_equal(s->n_packages, 2);
    assert_string_equal(s->packages[0].tracking_number, "1Z999AA10123456784");
    assert_string_equal(s->packages[1].tracking_number, "1Z999AA10123456793");
    assert_int_equal(s->n_items, 2);
    assert_string_equal(s->items[0].vendor_sku, "NIT-GLV-M-200");
    assert_string_equal(s->items[0].line_number, "1");
    DEC_EQ(s->items[0].quantity_shipped, "4");
    assert_string_equal(s->items[1].uom, "CA");
    DEC_EQ(s->items[1].quantity_shipped, "1");
    list_free(&l);
}

static void invoice_detail_values(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/cxml-invoice-in.yaml", "samples/cxml/invoice-detail.xml", &l);
    assert_int_equal(l.n, 1);
    dg_invoice *v = &l.docs[0]->u.invoice;
    assert_string_equal(v->invoice_number, "INV-2024-05521");
    assert_string_equal(v->invoice_date, "2024-03-06");
    assert_string_equal(v->po_number, "PO-88213");
    assert_string_equal(v->currency, "USD");
    assert_string_equal(v->terms, "30");
    assert_string_equal(v->remit_to.name, "Westcoast Medical Supply, Inc.");
    DEC_EQ(v->tax, "34.68");
    DEC_EQ(v->total, "470.68");
    assert_int_equal(v->n_lines, 2);
    assert_string_equal(v->lines[1].vendor_sku, "STR-POUCH-35");
    DEC_EQ(v->lines[1].quantity, "2");
    DEC_EQ(v->lines[1].unit_price, "121");
    assert_int_equal(v->n_charges, 2);
    assert_string_equal(v->charges[0].type, "FREIGHT");
    DEC_EQ(v->charges[0].amount, "18.5");
    assert_string_equal(v->charges[1].type, "HANDLING");
    DEC_EQ(v->charges[1].amount, "7.5");
    assert_string_equal(v->charges[1].description, "Residential delivery");
    list_free(&l);
}

/* A cancellation to a cXML supplier (cxml-cancel-out): an OrderRequest whose header says
 * type="delete" (the whole PO, purpose 01) or "update" (04: its lines are the whole new order,
 * which the flow gives it with cancel_lines: remaining) and names the original order by its
 * orderID, orderDate and payloadID, as the cXML User's Guide changes orders; BillTo repeated
 * (the DTD requires it); a purpose with no cXML form is refused naming the code. */
static dg_doc *cancel_request(const char *purpose)
{
    dg_doc *d = dg_doc_new(DG_DOC_CANCEL);
    dg_arena *a = d->arena;
    dg_order *o = &d->u.order;
    o->order_number = dg_arena_strdup(a, "2004-NW");
    o->order_date = dg_arena_strdup(a, "2026-11-20");
    o->purpose = dg_arena_strdup(a, purpose);
    o->version = dg_arena_strdup(a, "2");
    o->notes = dg_arena_strdup(a, "customer changed mind");
    o->bill_to.name = dg_arena_strdup(a, "Retail Co");
    dg_order_line *l = dg_order_add_line(d);
    l->line_number = dg_arena_strdup(a, "1");
    l->vendor_sku = dg_arena_strdup(a, "NW-1006");
    l->quantity = (dg_dec){0, true};
    l->status = dg_arena_strdup(a, "DI");
    return d;
}

static void cancellation_is_a_delete_order(void **state)
{
    (void)state;
    dg_mapping *m = load_map("mappings/cxml-cancel-out.yaml");
    assert_true(dg_map_cancel_remaining(m));
    dg_doc *d = cancel_request("01");
    dg_buf b = DG_BUF_INIT;
    dg_error err = {0};
    assert_int_equal(dg_map_write(m, &d, 1, NULL, &b, &err), 0);
    assert_non_null(strstr(b.data, "<OrderRequestHeader orderID=\"2004-NW\" "
                                   "orderDate=\"2026-11-20\" type=\"delete\" orderVersion=\"2\">"));
    assert_non_null(strstr(b.data, "<SupplierPartID>NW-1006</SupplierPartID>"));
    assert_non_null(strstr(b.data, "<Comments>customer changed mind</Comments>"));
    assert_non_null(
        strstr(b.data, "<DocumentReference payloadID=\"2004-NW.2026-11-20@dropgate\"/>"));
    assert_non_null(strstr(b.data, "payloadID=\"2004-NW.2026-11-20.delete2@dropgate\""));
    assert_non_null(strstr(b.data, "<BillTo>"));
    assert_null(strstr(b.data, "type=\"new\""));
    dg_buf_free(&b);
    dg_doc_free(d);
    /* part of the PO stays open: an update */
    d = cancel_request("04");
    b = (dg_buf)DG_BUF_INIT;
    assert_int_equal(dg_map_write(m, &d, 1, NULL, &b, &err), 0);
    assert_non_null(strstr(b.data, "type=\"update\" orderVersion=\"2\""));
    dg_buf_free(&b);
    dg_doc_free(d);
    /* no cXML form for another purpose; no BillTo is refused too */
    d = cancel_request("05");
    b = (dg_buf)DG_BUF_INIT;
    assert_int_not_equal(dg_map_write(m, &d, 1, NULL, &b, &err), 0);
    assert_non_null(strstr(err.msg, "05"));
    dg_buf_free(&b);
    d->u.order.purpose = dg_arena_strdup(d->arena, "01");
    d->u.order.bill_to.name = NULL;
    b = (dg_buf)DG_BUF_INIT;
    assert_int_not_equal(dg_map_write(m, &d, 1, NULL, &b, &err), 0);
    assert_non_null(strstr(err.msg, "bill_to"));
    dg_buf_free(&b);
    dg_doc_free(d);
    dg_map_free(m);
    /* the option is for outbound cancel mappings only, and takes changed or remaining */
    const char *bad[] = {
        "name: x\ndirection: out\ndocument: order\nformat: xml\n"
        "cancel_lines: remaining\nxml: {root: a}\nelements: [{path: b, value: c}]\n",
        "name: x\ndirection: out\ndocument: cancel\nformat: xml\n"
        "cancel_lines: all\nxml: {root: a}\nelements: [{path: b, value: c}]\n"};
    for (size_t i = 0; i < 2; i++) {
        dg_mapping *x = NULL;
        assert_int_not_equal(dg_map_load(write_tmp("cl.yaml", bad[i]), &x, &err), 0);
        assert_non_null(strstr(err.msg, "cancel_lines"));
    }
    m = load_map("mappings/x12-860-out.yaml");
    assert_false(dg_map_cancel_remaining(m));
    dg_map_free(m);
}

/* cxml-confirm-in on ConfirmationRequests written by others (tests/data/SOURCES.tsv): a
 * marketplace's line-by-line "detail" with ItemIn ids and prices, Oracle's whole-PO "reject"
 * payload (a bare ConfirmationRequest, its misspelt Confirmationitem read as no line), the
 * punchoutcommerce guide's skeleton (an item without status follows the header) and Coupa's
 * confirmation whose line 2 is 3 accepted + 2 rejected (two acks[] for one line). */
static const dg_ack *one_ack(doc_list *l, const char *file)
{
    read_ok("mappings/cxml-confirm-in.yaml", file, l);
    assert_int_equal(l->n, 1);
    assert_int_equal(l->docs[0]->kind, DG_DOC_ACK);
    return &l->docs[0]->u.ack;
}

static void confirmation_real_documents(void **state)
{
    (void)state;
    doc_list l = {0};
    const dg_ack *a = one_ack(&l, "tests/data/cxml/dnas-confirmation-detail.xml");
    assert_string_equal(a->po_number, "269765");
    assert_string_equal(a->ack_type, "detail");
    assert_string_equal(a->status, DG_ACK_ACCEPTED);
    assert_string_equal(a->ack_date, "2021-02-23");
    assert_string_equal(a->purpose, "00");
    assert_string_equal(a->currency, "USD");
    assert_int_equal(a->n_lines, 2);
    assert_string_equal(a->lines[0].line_number, "1");
    assert_string_equal(a->lines[0].vendor_sku, "261950");
    assert_string_equal(a->lines[0].status, DG_ACK_ACCEPTED);
    assert_string_equal(a->lines[0].code, "accept");
    DEC_EQ(a->lines[0].quantity, "2");
    DEC_EQ(a->lines[0].quantity_ordered, "2");
    DEC_EQ(a->lines[0].unit_price, "0.5");
    assert_string_equal(a->lines[1].vendor_sku, "2271092");
    DEC_EQ(a->lines[1].unit_price, "0.12");
    assert_int_equal(a->n_acks, 2);
    list_free(&l);

    a = one_ack(&l, "tests/data/cxml/oracle-confirmation-reject.xml");
    assert_string_equal(a->po_number, "123456");
    assert_string_equal(a->status, DG_ACK_REJECTED);
    assert_string_equal(a->reason, "Header comment");
    assert_null(a->ack_number); /* the SUPPLIERORDERNUMBER extrinsic is empty */
    assert_int_equal(a->n_lines, 0);
    list_free(&l);

    a = one_ack(&l, "tests/data/cxml/punchoutcommerce-confirmation.xml");
    assert_string_equal(a->po_number, "123456");
    assert_string_equal(a->ack_number, "7890");
    assert_string_equal(a->ack_date, "2019-01-01");
    assert_int_equal(a->n_lines, 1);
    assert_null(a->lines[0].status); /* follows the header: ACCEPTED */
    assert_string_equal(a->status, DG_ACK_ACCEPTED);
    assert_int_equal(a->n_acks, 0);
    list_free(&l);

    a = one_ack(&l, "tests/data/cxml/coupa-confirmation-split.xml");
    assert_string_equal(a->po_number, "${po_number}"); /* the test's template, verbatim */
    assert_string_equal(a->reason, "Look's great, but for the price.");
    assert_int_equal(a->n_lines, 2);
    assert_string_equal(a->lines[1].date, "2025-02-25");
    DEC_EQ(a->lines[1].quantity, "3");
    DEC_EQ(a->lines[1].quantity_ordered, "5");
    DEC_EQ(a->lines[1].unit_price, "100");
    assert_int_equal(a->n_acks, 3);
    assert_string_equal(a->acks[1].line_number, "2");
    assert_string_equal(a->acks[1].status, DG_ACK_ACCEPTED);
    DEC_EQ(a->acks[1].quantity, "3");
    assert_string_equal(a->acks[2].line_number, "2");
    assert_string_equal(a->acks[2].status, DG_ACK_REJECTED);
    assert_string_equal(a->acks[2].code, "reject");
    DEC_EQ(a->acks[2].quantity, "2");
    assert_string_equal(a->acks[2].date, "2025-02-25");
    list_free(&l);
}

/* Each ConfirmationStatus type and header type to its canonical status; a confirmation naming
 * neither orderID nor one of our payloadIDs is refused naming the rule. */
static void confirmation_types(void **state)
{
    (void)state;
    static const char *const st[][2] = {
        {"accept", DG_ACK_ACCEPTED},   {"backordered", DG_ACK_BACKORDERED},
        {"reject", DG_ACK_REJECTED},   {"detail", DG_ACK_CHANGED},
        {"allDetail", DG_ACK_CHANGED}, {"except", DG_ACK_CHANGED}};
    static const char *const hd[][2] = {
        {"accept", DG_ACK_ACCEPTED},        {"detail", DG_ACK_ACCEPTED},
        {"allDetail", DG_ACK_ACCEPTED},     {"except", DG_ACK_ACCEPTED},
        {"replace", DG_ACK_ACCEPTED},       {"reject", DG_ACK_REJECTED},
        {"backordered", DG_ACK_BACKORDERED}};
    for (size_t i = 0; i < sizeof st / sizeof *st; i++) {
        char xml[1024];
        snprintf(xml, sizeof xml,
                 "<cXML><Request><ConfirmationRequest><ConfirmationHeader type=\"%s\"/>"
                 "<OrderReference orderID=\"P-1\"/><ConfirmationItem lineNumber=\"4\""
                 " quantity=\"3\"><ConfirmationStatus type=\"%s\" quantity=\"3\"/>"
                 "</ConfirmationItem></ConfirmationRequest></Request></cXML>",
                 i < sizeof hd / sizeof *hd ? hd[i][0] : "detail", st[i][0]);
        doc_list l = {0};
        const dg_ack *a = one_ack(&l, write_tmp("types.xml", xml));
        assert_string_equal(a->lines[0].status, st[i][1]);
        assert_string_equal(a->lines[0].code, st[i][0]);
        assert_string_equal(a->acks[0].status, st[i][1]);
        if (i < sizeof hd / sizeof *hd)
            assert_string_equal(a->status, hd[i][1]);
        list_free(&l);
    }
    for (size_t i = sizeof st / sizeof *st; i < sizeof hd / sizeof *hd; i++) {
        char xml[512];
        snprintf(xml, sizeof xml,
                 "<cXML><Request><ConfirmationRequest><ConfirmationHeader type=\"%s\"/>"
                 "<OrderReference orderID=\"P-1\"/></ConfirmationRequest></Request></cXML>",
                 hd[i][0]);
        doc_list l = {0};
        assert_string_equal(one_ack(&l, write_tmp("types.xml", xml))->status, hd[i][1]);
        list_free(&l);
    }
    /* our payloadID names the PO; a change's, or someone else's, names none */
    const char *ours =
        "<cXML><Request><ConfirmationRequest><ConfirmationHeader type=\"accept\"/>"
        "<OrderReference><DocumentReference payloadID=\"1.5-NW.2026-11-20@dropgate\"/>"
        "</OrderReference></ConfirmationRequest></Request></cXML>";
    doc_list l = {0};
    assert_string_equal(one_ack(&l, write_tmp("ours.xml", ours))->po_number, "1.5-NW");
    list_free(&l);
    const char *change =
        "<cXML><Request><ConfirmationRequest><ConfirmationHeader type=\"accept\"/>"
        "<OrderReference><DocumentReference payloadID=\"5-NW.2026-11-20.update2@dropgate\"/>"
        "</OrderReference></ConfirmationRequest></Request></cXML>";
    dg_error e2 = {0};
    assert_int_not_equal(read_fail(dg_test_path("mappings/cxml-confirm-in.yaml"),
                                   write_tmp("change.xml", change), &e2),
                         0);
    assert_non_null(strstr(e2.msg, "po_number"));
    /* someone else's payloadID names no PO of ours */
    const char *bad = "<cXML><Request><ConfirmationRequest><ConfirmationHeader type=\"accept\"/>"
                      "<OrderReference><DocumentReference payloadID=\"x.2025-01-01@elsewhere\"/>"
                      "</OrderReference></ConfirmationRequest></Request></cXML>";
    dg_error err = {0};
    assert_int_not_equal(
        read_fail(dg_test_path("mappings/cxml-confirm-in.yaml"), write_tmp("bad.xml", bad), &err),
        0);
    assert_non_null(strstr(err.msg, "po_number"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(which_mappings_write_many),
        cmocka_unit_test(order_request_values),
        cmocka_unit_test(order_round_trip),
        cmocka_unit_test(doctype_is_never_fetched),
        cmocka_unit_test(ship_notice_values),
        cmocka_unit_test(invoice_detail_values),
        cmocka_unit_test(cancellation_is_a_delete_order),
        cmocka_unit_test(confirmation_real_documents),
        cmocka_unit_test(confirmation_types),
    };
    return cmocka_run_group_tests(tests, maptest_setup, maptest_teardown);
}
