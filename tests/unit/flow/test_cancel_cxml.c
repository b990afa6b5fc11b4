/* A cancellation to a cXML supplier (issue 11): a storefront cancels one line of a three-line
 * PO; the request, written through the shipped cxml-cancel-out (cancel_lines: remaining), is an
 * OrderRequest type="update" carrying the whole new order (the two lines left, with their
 * quantities and total), orderVersion 2 and a DocumentReference to the PO's own payloadID; a
 * second change is version 3; cancelling the rest is a type="delete". The X12/CSV rendering
 * (remaining off) still lists only the changed line. */
#include "flowtest.h"

#include "map/map.h"

/* O-8: A-1 x1, A-3 x2, A-6 x1, all at nw (bl has no BL-6 and is dearer for A-1): PO O-8-NW. */
static int setup(void **state)
{
    ft *f = ft_new();
    ft_stock(f, "nw", "NW-1:50:10.00", "NW-3:50:20.00", "NW-6:50:8.00", NULL);
    dg_doc *d = order_doc("O-8", "US", "A-1:1:25.00", "A-3:2:40.00", "A-6:1:15.00", NULL);
    assert_string_equal(ft_order(f, "shop", d).status, DG_ORDER_CONVERTED);
    dg_doc_free(d);
    ft_send_pos(f, false);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    ft_free(*state);
    return 0;
}

/* The storefront cancels SKU sku of O-8 (qty NULL: the whole line). */
static void cancel(ft *f, const char *sku, const char *qty)
{
    dg_doc *d = dg_doc_new(DG_DOC_CANCEL);
    d->u.order.order_number = dg_arena_strdup(d->arena, "O-8");
    d->u.order.notes = dg_arena_strdup(d->arena, "customer changed mind");
    if (sku) {
        dg_order_line *l = dg_order_add_line(d);
        l->vendor_sku = dg_arena_strdup(d->arena, sku);
        if (qty)
            l->quantity = D(qty);
    }
    dg_flow_cancel_result r;
    dg_error err = {0};
    if (dg_flow_ingest_cancel(f->s, "shop", d, ft_file(f), &r, &err))
        fail_msg("ingest_cancel: %s", err.msg);
    dg_doc_free(d);
    assert_true(r.requested > 0);
}

/* The pending request for nw written through mapping rel (the one request there is), then
 * marked queued and sent as the gateway does; the text in out. */
static void render(ft *f, const char *rel, dg_buf *out)
{
    dg_mapping *m = NULL;
    dg_error err = {0};
    if (dg_map_load(dg_test_path(rel), &m, &err))
        fail_msg("%s", err.msg);
    dg_flow_cancel_out *cs = NULL;
    size_t n = 0;
    assert_int_equal(dg_flow_pending_cancels(f->s, "nw", dg_map_cancel_remaining(m), &cs, &n, &err),
                     0);
    assert_int_equal(n, 1);
    dg_buf_clear(out);
    if (dg_map_write(m, &cs[0].doc, 1, NULL, out, &err))
        fail_msg("%s: %s", rel, err.msg);
    dg_map_free(m);
    dg_flow_cancels_free(cs, n);
}

static void sent(ft *f)
{
    dg_flow_cancel_out *cs = NULL;
    size_t n = 0;
    dg_error err = {0};
    assert_int_equal(dg_flow_pending_cancels(f->s, "nw", false, &cs, &n, &err), 0);
    assert_int_equal(n, 1);
    int64_t ob = 0;
    assert_int_equal(dg_flow_cancel_queued(f->s, &cs[0], "c.xml", "sha", "/tmp/c", &ob, &err), 0);
    assert_int_equal(dg_flow_outbox_sent(f->s, ob, &err), 0);
    dg_flow_cancels_free(cs, n);
}

static size_t count(const char *hay, const char *needle)
{
    size_t k = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        k++;
    return k;
}

static const char *po_line(ft *f, const char *sku)
{
    static char buf[3][32];
    static int k;
    char sql[256], *b = buf[k++ % 3];
    snprintf(sql, sizeof sql, "SELECT po_line FROM order_lines WHERE supplier_sku = '%s'", sku);
    snprintf(b, 32, "%s", ft_qs(f, sql));
    return b;
}

static void one_line_cancelled_is_an_update(void **state)
{
    ft *f = *state;
    cancel(f, "A-3", NULL);
    dg_buf x = DG_BUF_INIT;
    render(f, "mappings/cxml-cancel-out.yaml", &x);
    /* the whole new order: NW-1 x1 and NW-6 x1 with their PO line numbers, not NW-3 */
    assert_non_null(strstr(x.data, "type=\"update\""));
    assert_null(strstr(x.data, "type=\"delete\""));
    assert_non_null(strstr(x.data, "orderVersion=\"2\""));
    assert_non_null(strstr(x.data, "<OrderRequestHeader orderID=\"O-8-NW\""));
    assert_int_equal(count(x.data, "<ItemOut "), 2);
    char want[128];
    snprintf(want, sizeof want, "<ItemOut quantity=\"1\" lineNumber=\"%s\">", po_line(f, "NW-1"));
    assert_non_null(strstr(x.data, want));
    snprintf(want, sizeof want, "<ItemOut quantity=\"1\" lineNumber=\"%s\">", po_line(f, "NW-6"));
    assert_non_null(strstr(x.data, want));
    assert_null(strstr(x.data, "NW-3"));
    assert_non_null(strstr(x.data, "<SupplierPartID>NW-1</SupplierPartID>"));
    assert_non_null(strstr(x.data, "<SupplierPartID>NW-6</SupplierPartID>"));
    assert_non_null(strstr(x.data, "<Money currency=\"USD\">18.00</Money>")); /* 10 + 8 */
    /* it references the PO as cxml-order-out wrote it */
    dg_flow_po *po = NULL;
    dg_error err = {0};
    assert_int_equal(dg_flow_po_load(f->s, "O-8-NW", &po, &err), 0);
    dg_mapping *om = NULL;
    assert_int_equal(dg_map_load(dg_test_path("mappings/cxml-order-out.yaml"), &om, &err), 0);
    dg_buf orig = DG_BUF_INIT;
    assert_int_equal(dg_map_write(om, &po->doc, 1, NULL, &orig, &err), 0);
    const char *pid = strstr(orig.data, "payloadID=\"");
    assert_non_null(pid);
    char ref[160];
    snprintf(ref, sizeof ref, "<DocumentReference %.*s", (int)(strchr(pid + 11, '"') - pid + 1),
             pid);
    assert_non_null(strstr(x.data, ref));
    assert_null(strstr(orig.data, "orderVersion")); /* the PO itself: version 1 */
    /* BillTo (the retailer) and ShipTo (the customer) are repeated */
    assert_non_null(strstr(x.data, "<BillTo>"));
    assert_non_null(strstr(x.data, "<DeliverTo>Ana Lopez</DeliverTo>"));
    dg_buf_free(&orig);
    dg_map_free(om);
    dg_flow_pos_free(po, 1);
    /* the X12 860 of the same request lists the changed line only */
    render(f, "mappings/x12-860-out.yaml", &x);
    assert_int_equal(count(x.data, "POC*"), 1);
    assert_non_null(strstr(x.data, "*DI*0*"));
    assert_non_null(strstr(x.data, "VP*NW-3"));
    dg_buf_free(&x);
}

/* A second change is version 3 and leaves only what is still open; the last line cancelled
 * deletes the PO. */
static void later_changes_and_the_delete(void **state)
{
    ft *f = *state;
    cancel(f, "A-3", "1"); /* 2 -> 1 */
    dg_buf x = DG_BUF_INIT;
    render(f, "mappings/cxml-cancel-out.yaml", &x);
    assert_non_null(strstr(x.data, "orderVersion=\"2\""));
    assert_int_equal(count(x.data, "<ItemOut "), 3);
    char want[128];
    snprintf(want, sizeof want, "<ItemOut quantity=\"1\" lineNumber=\"%s\">", po_line(f, "NW-3"));
    assert_non_null(strstr(x.data, want));
    sent(f);
    cancel(f, "A-1", NULL);
    render(f, "mappings/cxml-cancel-out.yaml", &x);
    assert_non_null(strstr(x.data, "orderVersion=\"3\""));
    assert_int_equal(count(x.data, "<ItemOut "), 2);
    assert_null(strstr(x.data, "NW-1"));
    sent(f);
    cancel(f, NULL, NULL); /* the rest */
    render(f, "mappings/cxml-cancel-out.yaml", &x);
    assert_non_null(strstr(x.data, "type=\"delete\""));
    assert_non_null(strstr(x.data, "orderVersion=\"4\""));
    assert_non_null(strstr(x.data, "<SupplierPartID>NW-3</SupplierPartID>"));
    assert_non_null(strstr(x.data, "<SupplierPartID>NW-6</SupplierPartID>"));
    dg_buf_free(&x);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(one_line_cancelled_is_an_update),
        T(later_changes_and_the_delete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
