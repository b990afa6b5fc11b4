/* JSON as a mapping format: the shipped storefront order mapping on a real list response
 * written by others (samples/json/SOURCES.md) and on our partial-file sample (gift cards, a
 * test order, an order without address), the round trip order JSON -> canonical -> JSON -> in,
 * tracking out as a fulfillment object, mapping and input errors, and `translate` on JSON. */
#include "maptest.h"

#include <jansson.h>
#include <sys/wait.h>
#include <unistd.h>

#define STR_EQ(v, s) assert_string_equal((v) ? (v) : "(null)", s)

static void real_list_response(void **state)
{
    (void)state;
    doc_list l = {0};
    read_ok("mappings/storefront-order-json-in.yaml", "samples/json/shopify-python-api-orders.json",
            &l);
    assert_int_equal(l.n, 1);
    const dg_order *o = &l.docs[0]->u.order;
    STR_EQ(l.docs[0]->source.format, "json");
    assert_int_equal(l.docs[0]->source.position, 3);
    STR_EQ(o->order_number, "1001");
    STR_EQ(o->order_date, "2008-01-10");
    STR_EQ(o->currency, "USD");
    STR_EQ(o->customer_order_number, "450789469");
    STR_EQ(o->ship_to.name, "Bob Norman");
    STR_EQ(o->ship_to.address1, "Chestnut Street 92");
    assert_null(o->ship_to.address2); /* "" */
    STR_EQ(o->ship_to.city, "Louisville");
    STR_EQ(o->ship_to.state, "KY");
    STR_EQ(o->ship_to.postal_code, "40202");
    STR_EQ(o->ship_to.country, "US");
    STR_EQ(o->ship_to.phone, "555-625-1199");
    STR_EQ(o->ship_to.email, "bob.norman@hostmail.com");
    STR_EQ(o->bill_to.name, "Bob Norman");
    STR_EQ(o->service_level, "Free Shipping");
    DEC_EQ(o->total, "598.94");
    assert_int_equal(o->n_lines, 3);
    const char *skus[] = {"IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"};
    for (size_t i = 0; i < 3; i++) {
        STR_EQ(o->lines[i].vendor_sku, skus[i]);
        DEC_EQ(o->lines[i].quantity, "1");
        DEC_EQ(o->lines[i].unit_price, "199");
        STR_EQ(o->lines[i].uom, "EA");
    }
    STR_EQ(o->lines[0].line_number, "1");
    STR_EQ(o->lines[2].line_number, "3");
    STR_EQ(o->lines[0].description, "IPod Nano - 8gb - green");
    assert_int_equal(o->n_charges, 1);
    STR_EQ(o->charges[0].type, "FREIGHT");
    STR_EQ(o->charges[0].code, "Free Shipping");
    DEC_EQ(o->charges[0].amount, "0");
    list_free(&l);
}

typedef struct {
    doc_list docs;
    char outcomes[1024];
    size_t failed, skipped;
} batch;

static int batch_doc(void *ctx, dg_doc *doc, dg_error *err)
{
    return list_sink(&((batch *)ctx)->docs, doc, err);
}

static int batch_outcome(void *ctx, const dg_map_outcome *o, dg_error *err)
{
    (void)err;
    batch *b = ctx;
    *(o->skipped ? &b->skipped : &b->failed) += 1;
    char line[400];
    snprintf(line, sizeof line, "%s %s %ld %s: %s\n", o->skipped ? "skipped" : "failed", o->unit,
             o->position, o->key ? o->key : "-", o->reason);
    strncat(b->outcomes, line, sizeof b->outcomes - strlen(b->outcomes) - 1);
    return 0;
}

static int read_batch(const char *map, const char *input, batch *b, dg_error *err)
{
    memset(b, 0, sizeof *b);
    dg_mapping *m = map[0] == '/' ? NULL : load_map(map);
    if (!m && dg_map_load(map, &m, err))
        return err->code;
    int rc = dg_map_read_each(m, input[0] == '/' ? input : dg_test_path(input), batch_doc,
                              batch_outcome, b, err);
    dg_map_free(m);
    return rc;
}

/* Gift-card lines kept as NOT_SHIPPABLE (a gift-card-only order is still an order, though it
 * has no shipping address), a test order skipped, an order without shipping address failed
 * with its line and reason, the rest mapped with their values. */
static void partial_file(void **state)
{
    (void)state;
    batch b;
    dg_error err = {0};
    assert_int_equal(read_batch("mappings/storefront-order-json-in.yaml",
                                "samples/json/storefront-orders.json", &b, &err),
                     0);
    assert_int_equal(b.docs.n, 3);
    assert_int_equal(b.failed, 1);
    assert_int_equal(b.skipped, 1);
    assert_null(strstr(b.outcomes, " 1102: "));
    assert_non_null(strstr(b.outcomes, "failed line 39 1103: "));
    assert_non_null(strstr(b.outcomes, "rule 'ship_to.name': required field missing"));
    assert_non_null(strstr(b.outcomes, "skipped line 53 1104: "));
    assert_non_null(strstr(b.outcomes, "left out by only_when (line 101: $.test)"));
    const dg_order *o = &b.docs.docs[0]->u.order;
    STR_EQ(o->order_number, "1101");
    STR_EQ(o->currency, "USD"); /* "usd" */
    STR_EQ(o->notes, "Leave at the \"back\" door");
    STR_EQ(o->ship_to.postal_code, "02134");
    assert_int_equal(o->n_lines, 3); /* the gift card stays, not to be routed */
    STR_EQ(o->lines[0].vendor_sku, "MUG-BLUE");
    assert_null(o->lines[0].status);
    DEC_EQ(o->lines[0].quantity, "2");
    STR_EQ(o->lines[1].vendor_sku, "GIFT-25");
    STR_EQ(o->lines[1].status, "NOT_SHIPPABLE");
    STR_EQ(o->lines[1].status_reason, "requires no shipping (gift card, digital good)");
    STR_EQ(o->lines[1].line_number, "2");
    DEC_EQ(o->lines[1].unit_price, "25");
    STR_EQ(o->lines[2].vendor_sku, "KETTLE-1L");
    STR_EQ(o->lines[2].line_number, "3");
    DEC_EQ(o->lines[2].unit_price, "48.5"); /* a JSON number */
    DEC_EQ(o->charges[0].amount, "6.99");
    /* gift card only, no shipping address: an order with nothing to route, not a failure */
    o = &b.docs.docs[1]->u.order;
    STR_EQ(o->order_number, "1102");
    assert_null(o->ship_to.address1);
    assert_int_equal(o->n_lines, 1);
    STR_EQ(o->lines[0].vendor_sku, "GIFT-50");
    STR_EQ(o->lines[0].status, "NOT_SHIPPABLE");
    o = &b.docs.docs[2]->u.order;
    STR_EQ(o->order_number, "1105");
    STR_EQ(o->ship_to.name, "Zoë Müller");
    STR_EQ(o->ship_to.company, "Müller & Söhne GmbH");
    STR_EQ(o->ship_to.country, "DE");
    assert_null(o->ship_to.phone); /* null */
    STR_EQ(o->lines[0].vendor_sku, "TEE-M-ÖKO");
    DEC_EQ(o->lines[0].quantity, "3");
    list_free(&b.docs);

    /* the one-shot reader stops at the first failure with its reason */
    doc_list l = {0};
    dg_mapping *m = load_map("mappings/storefront-order-json-in.yaml");
    assert_int_equal(dg_map_read_file(m, dg_test_path("samples/json/storefront-orders.json"),
                                      list_sink, &l, &err),
                     DG_EMAP);
    assert_non_null(strstr(err.msg, "rule 'ship_to.name': required field missing (input line 39)"));
    list_free(&l);
    dg_map_free(m);
}

/* order JSON in -> canonical -> JSON out -> in again: the same canonical orders. */
static void round_trip(const char *sample)
{
    doc_list first = {0}, again = {0};
    batch b;
    dg_error err = {0};
    assert_int_equal(read_batch("mappings/storefront-order-json-in.yaml", sample, &b, &err), 0);
    first = b.docs;
    assert_true(first.n > 0);
    write_read("mappings/storefront-order-json-out.yaml", first.docs, first.n,
               "mappings/storefront-order-json-in.yaml", "round.json", &again, NULL);
    assert_int_equal(again.n, first.n);
    for (size_t i = 0; i < first.n; i++) {
        char *a = body_json(first.docs[i]), *c = body_json(again.docs[i]);
        assert_string_equal(a, c);
        free(a);
        free(c);
    }
    list_free(&first);
    list_free(&again);
}

static void order_round_trip(void **state)
{
    (void)state;
    round_trip("samples/json/storefront-orders.json");
    round_trip("samples/json/shopify-python-api-orders.json");
    /* what the out mapping writes, by value */
    doc_list l = {0};
    read_ok("mappings/storefront-order-json-in.yaml", "samples/json/shopify-python-api-orders.json",
            &l);
    dg_mapping *out = load_map("mappings/storefront-order-json-out.yaml");
    dg_buf buf = DG_BUF_INIT;
    dg_error err = {0};
    assert_int_equal(dg_map_write(out, l.docs, 1, NULL, &buf, &err), 0);
    json_error_t je;
    json_t *j = json_loads(buf.data, 0, &je);
    assert_non_null(j);
    json_t *o = json_array_get(json_object_get(j, "orders"), 0);
    STR_EQ(json_string_value(json_object_get(o, "name")), "#1001");
    json_t *li = json_array_get(json_object_get(o, "line_items"), 2);
    STR_EQ(json_string_value(json_object_get(li, "sku")), "IPOD2008BLACK");
    assert_true(json_is_integer(json_object_get(li, "quantity")));
    assert_true(json_is_true(json_object_get(li, "requires_shipping")));
    assert_true(json_is_false(json_object_get(o, "test")));
    STR_EQ(json_string_value(json_object_get(json_object_get(o, "shipping_address"), "zip")),
           "40202");
    assert_non_null(strstr(buf.data, "\"price\": \"199.00\""));
    json_decref(j);
    dg_buf_free(&buf);
    dg_map_free(out);
    list_free(&l);
}

static dg_doc *shipment(const char *carrier, size_t packages)
{
    dg_doc *d = dg_doc_new(DG_DOC_SHIPMENT);
    dg_shipment *s = &d->u.shipment;
    s->shipment_id = dg_arena_strdup(d->arena, "ASN-77");
    s->po_number = dg_arena_strdup(d->arena, "1101");
    s->ship_date = dg_arena_strdup(d->arena, "2024-03-04");
    s->carrier = dg_arena_strdup(d->arena, carrier);
    for (size_t i = 0; i < packages; i++)
        dg_shipment_add_package(d)->tracking_number =
            dg_arena_printf(d->arena, "1Z999AA1012345678%zu", i + 4);
    dg_shipment_item *it = dg_shipment_add_item(d);
    it->line_number = dg_arena_strdup(d->arena, "1");
    it->vendor_sku = dg_arena_strdup(d->arena, "MUG-BLUE");
    it->quantity_shipped = dg_dec_from_int(2);
    return d;
}

static json_t *write_tracking(dg_doc *d, dg_error *err, int *rc)
{
    dg_mapping *m = load_map("mappings/storefront-tracking-json-out.yaml");
    dg_buf buf = DG_BUF_INIT;
    *rc = dg_map_write(m, &d, 1, NULL, &buf, err);
    json_error_t je;
    json_t *j = *rc ? NULL : json_loads(buf.data, 0, &je);
    dg_buf_free(&buf);
    dg_map_free(m);
    return j;
}

static void tracking_as_fulfillment(void **state)
{
    (void)state;
    dg_error err = {0};
    int rc;
    dg_doc *d = shipment("UPSN", 2);
    json_t *j = write_tracking(d, &err, &rc);
    assert_int_equal(rc, 0);
    json_t *f = json_object_get(j, "fulfillment");
    assert_non_null(f);
    STR_EQ(json_string_value(json_object_get(f, "order_number")), "1101");
    STR_EQ(json_string_value(json_object_get(f, "tracking_company")), "UPS");
    STR_EQ(json_string_value(json_object_get(f, "tracking_number")), "1Z999AA10123456784");
    STR_EQ(json_string_value(json_object_get(f, "tracking_url")),
           "https://www.ups.com/track?tracknum=1Z999AA10123456784");
    json_t *nums = json_object_get(f, "tracking_numbers");
    assert_int_equal(json_array_size(nums), 2);
    STR_EQ(json_string_value(json_array_get(nums, 1)), "1Z999AA10123456785");
    json_t *li = json_array_get(json_object_get(f, "line_items"), 0);
    STR_EQ(json_string_value(json_object_get(li, "sku")), "MUG-BLUE");
    assert_int_equal(json_integer_value(json_object_get(li, "quantity")), 2);
    json_decref(j);
    dg_doc_free(d);
    /* a carrier the table does not know: no made-up URL, the rest as before */
    d = shipment("XPOL", 1);
    j = write_tracking(d, &err, &rc);
    f = json_object_get(j, "fulfillment");
    STR_EQ(json_string_value(json_object_get(f, "tracking_company")), "XPOL");
    assert_null(json_object_get(f, "tracking_url"));
    STR_EQ(json_string_value(json_object_get(f, "tracking_number")), "1Z999AA10123456784");
    json_decref(j);
    dg_doc_free(d);
    /* no package yet: no tracking number, an empty list, the lines */
    d = shipment("UPSN", 0);
    j = write_tracking(d, &err, &rc);
    assert_int_equal(rc, 0);
    f = json_object_get(j, "fulfillment");
    assert_null(json_object_get(f, "tracking_number"));
    assert_int_equal(json_array_size(json_object_get(f, "tracking_numbers")), 0);
    assert_int_equal(json_array_size(json_object_get(f, "line_items")), 1);
    json_decref(j);
    dg_doc_free(d);
    /* one per file */
    dg_mapping *m = load_map("mappings/storefront-tracking-json-out.yaml");
    dg_doc *two[2] = {shipment("UPSN", 1), shipment("UPSN", 1)};
    dg_buf buf = DG_BUF_INIT;
    assert_int_equal(dg_map_write(m, two, 2, NULL, &buf, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "one document per file"));
    dg_buf_free(&buf);
    dg_doc_free(two[0]);
    dg_doc_free(two[1]);
    dg_map_free(m);
}

static void mapping_errors(void **state)
{
    (void)state;
    dg_mapping *m = NULL;
    dg_error err = {0};
    const char *head = "direction: in\ndocument: order\nformat: json\n";
    char text[1024];
    snprintf(text, sizeof text, "%sfields:\n  - {target: order_number, source: name}\n", head);
    assert_int_equal(dg_map_load(write_tmp("m1.yaml", text), &m, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "m1.yaml:5: 'name' is not a JSON path: start it with $"));
    snprintf(text, sizeof text, "%sfields:\n  - {target: order_number, source: \"$..name\"}\n",
             head);
    assert_int_equal(dg_map_load(write_tmp("m2.yaml", text), &m, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "recursive descent"));
    snprintf(text, sizeof text,
             "%sjson: {documents: \"$.orders[?(@.x == 1)]\"}\nfields:\n"
             "  - {target: order_number, source: $.name}\n",
             head);
    assert_int_equal(dg_map_load(write_tmp("m3.yaml", text), &m, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "m3.yaml:4: documents"));
    snprintf(text, sizeof text,
             "%sjson: {root: x}\nfields:\n  - {target: order_number, source: $.name}\n", head);
    assert_int_equal(dg_map_load(write_tmp("m4.yaml", text), &m, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "are for outbound mappings"));
    assert_int_equal(dg_map_load(write_tmp("m5.yaml", "direction: out\ndocument: order\n"
                                                      "format: csv\ncolumns:\n"
                                                      "  - {header: q, value: x, type: number}\n"),
                                 &m, &err),
                     DG_ECONFIG);
    assert_non_null(strstr(err.msg, "'type' is for json elements"));
    assert_int_equal(dg_map_load(write_tmp("m6.yaml", "direction: out\ndocument: order\n"
                                                      "format: json\nelements:\n"
                                                      "  - {path: \"a..b\", value: x}\n"),
                                 &m, &err),
                     DG_ECONFIG);
    assert_non_null(strstr(err.msg, "m6.yaml:5: 'a..b' is not a member path"));
    /* a number that is not one is the document's error, naming the element */
    assert_int_equal(dg_map_load(write_tmp("m7.yaml", "direction: out\ndocument: order\n"
                                                      "format: json\nelements:\n"
                                                      "  - {path: n, value: \"{order_number}\","
                                                      " type: number}\n"),
                                 &m, &err),
                     0);
    dg_doc *d = dg_doc_new(DG_DOC_ORDER);
    d->u.order.order_number = dg_arena_strdup(d->arena, "PO-1");
    dg_buf buf = DG_BUF_INIT;
    assert_int_equal(dg_map_write(m, &d, 1, NULL, &buf, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "m7.yaml:5: 'n' of document 1: 'PO-1' is not a JSON number"));
    assert_null(buf.data && buf.len ? buf.data : NULL); /* nothing half written */
    dg_buf_free(&buf);
    dg_doc_free(d);
    dg_map_free(m);
}

static void bad_inputs(void **state)
{
    (void)state;
    batch b;
    dg_error err = {0};
    /* malformed: the file is refused with line and column */
    const char *bad =
        write_tmp("bad.json", "{\"orders\": [\n  {\"name\": \"#1\",\n   \"x\": [1,]}\n]}");
    assert_int_equal(read_batch("mappings/storefront-order-json-in.yaml", bad, &b, &err),
                     DG_EPARSE);
    assert_non_null(strstr(err.msg, "bad.json:3:"));
    assert_non_null(strstr(err.msg, "not valid JSON"));
    /* a source that lands on an object: that document fails, saying so; the next one maps */
    const char *map = write_tmp("obj.yaml", "direction: in\ndocument: order\nformat: json\n"
                                            "fields:\n  - {target: order_number, source: $.id}\n"
                                            "  - {target: notes, source: $.note}\n");
    const char *in = write_tmp("obj.json", "[{\"id\": 1, \"note\": {\"a\": 1}}, {\"id\": 2}]");
    assert_int_equal(read_batch(map, in, &b, &err), 0);
    assert_int_equal(b.docs.n, 1);
    STR_EQ(b.docs.docs[0]->u.order.order_number, "2");
    assert_non_null(strstr(b.outcomes, "failed line 1 1: "));
    assert_non_null(strstr(b.outcomes, "'$.note' is an object, not a value"));
    list_free(&b.docs);
    /* a document over max_document_bytes is failed without being held; the others go on */
    map = write_tmp("max.yaml", "direction: in\ndocument: order\nformat: json\n"
                                "json: {max_document_bytes: 64}\n"
                                "fields:\n  - {target: order_number, source: $.id}\n");
    char big[600];
    snprintf(big, sizeof big, "[{\"id\": 1},\n{\"id\": 2, \"pad\": \"%0200d\"},\n{\"id\": 3}]", 0);
    in = write_tmp("max.json", big);
    assert_int_equal(read_batch(map, in, &b, &err), 0);
    assert_int_equal(b.docs.n, 2);
    assert_int_equal(b.failed, 1);
    assert_non_null(strstr(b.outcomes, "failed line 2 -: "));
    assert_non_null(strstr(b.outcomes, "larger than 64 bytes (json: max_document_bytes)"));
    list_free(&b.docs);
    /* the documents path finds nothing: the file is refused naming the paths tried */
    map = write_tmp("env.yaml", "direction: in\ndocument: order\nformat: json\n"
                                "json:\n  documents: $.orders[*]\n"
                                "fields:\n  - {target: order_number, source: $.id}\n");
    in = write_tmp("env.json", "{\"order\": {\"id\": 1}}");
    assert_int_equal(read_batch(map, in, &b, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "no documents at $.orders[*]"));
    assert_non_null(strstr(err.msg, "env.json"));
}

/* ---- translate ------------------------------------------------------------------------------ */

static int run(const char *args, char **err_text)
{
    char cmd[4096], errf[1024];
    snprintf(errf, sizeof errf, "%s/stderr.txt", scratch);
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' translate %s 2>'%s' >'%s/stdout.txt'",
             dg_test_source_dir(), getenv("DG_BIN"), args, errf, scratch);
    int st = system(cmd);
    if (err_text)
        *err_text = dg_test_read_file(errf, NULL);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void translate_json(void **state)
{
    (void)state;
    const char *bin = getenv("DG_BIN");
    if (!bin || access(bin, X_OK)) {
        print_message("SKIP: DG_BIN (the dropgate command) is not built\n");
        skip();
    }
    char args[2048], out[1024], *e = NULL;
    snprintf(out, sizeof out, "%s/orders.json", scratch);
    snprintf(args, sizeof args,
             "--map mappings/storefront-order-json-in.yaml samples/json/storefront-orders.json "
             "-o '%s'",
             out);
    assert_int_equal(run(args, &e), 3); /* some failed, the others written */
    assert_non_null(strstr(e, "order failed at line 39 (1103): "));
    assert_non_null(strstr(e, "order skipped at line 53 (1104): "));
    assert_non_null(strstr(e, "3 order(s) written, 1 failed, 1 skipped"));
    free(e);
    char *json = dg_test_read_file(out, NULL);
    assert_non_null(strstr(json, "\"order_number\": \"1101\""));
    assert_non_null(strstr(json, "\"order_number\": \"1105\""));
    assert_non_null(
        strstr(json, "\"status\": \"NOT_SHIPPABLE\"")); /* 1101's and 1102's gift cards */
    assert_null(strstr(json, "\"order_number\": \"1103\""));
    free(json);
    /* JSON in -> X12 850 out, and canonical -> JSON out */
    snprintf(args, sizeof args,
             "--map mappings/storefront-order-json-in.yaml --to mappings/x12-850-out.yaml "
             "samples/json/shopify-python-api-orders.json --date 20240301 --time 0800");
    assert_int_equal(run(args, &e), 0);
    free(e);
    char sp[1024];
    snprintf(sp, sizeof sp, "%s/stdout.txt", scratch);
    char *x = dg_test_read_file(sp, NULL);
    assert_non_null(strstr(x, "BEG*00*DS*1001**20080110~"));
    assert_non_null(strstr(x, "IPOD2008BLACK"));
    free(x);
    snprintf(args, sizeof args, "--to mappings/storefront-order-json-out.yaml '%s'", out);
    assert_int_equal(run(args, &e), 0);
    free(e);
    x = dg_test_read_file(sp, NULL);
    assert_non_null(strstr(x, "\"name\": \"#1105\""));
    free(x);
    /* malformed JSON: exit 1, the position named, no output file */
    unlink(out);
    const char *bad = write_tmp("bad.json", "[{\"name\": \"#1\"}\n {\"name\": \"#2\"}]");
    snprintf(args, sizeof args, "--map mappings/storefront-order-json-in.yaml '%s' -o '%s'", bad,
             out);
    assert_int_equal(run(args, &e), 1);
    assert_non_null(strstr(e, "bad.json:2:2: not valid JSON"));
    free(e);
    assert_int_not_equal(access(out, F_OK), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_list_response), cmocka_unit_test(partial_file),
        cmocka_unit_test(order_round_trip),   cmocka_unit_test(tracking_as_fulfillment),
        cmocka_unit_test(mapping_errors),     cmocka_unit_test(bad_inputs),
        cmocka_unit_test(translate_json),
    };
    return cmocka_run_group_tests(tests, maptest_setup, maptest_teardown);
}
