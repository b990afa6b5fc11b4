/* src/json: the path subset (what it selects, what it refuses and why), the streaming reader
 * (documents found where the documents path says, bad JSON named by line and column, memory
 * bounded by the largest document) and the writer (exact numbers, escapes, UTF-8 only). */
#include "testutil.h"

#include <string.h>

#include "json/json.h"

static char *scratch;
static dg_arena *arena;

static const dg_json_path *path_ok(const char *text)
{
    char why[300] = "";
    const dg_json_path *p = dg_json_path_compile(arena, text, why, sizeof why);
    if (!p)
        fail_msg("%s: %s", text, why);
    return p;
}

static void path_refused(const char *text, const char *reason)
{
    char why[300] = "";
    assert_null(dg_json_path_compile(arena, text, why, sizeof why));
    if (!strstr(why, reason))
        fail_msg("%s: expected '%s' in: %s", text, reason, why);
    assert_non_null(strstr(why, text)); /* the message names the path */
}

/* Text of the first node path selects in doc ("" when none). */
static const char *first_text(const char *path, json_t *doc, json_t *cur)
{
    static char out[256];
    char buf[64];
    const char *s;
    size_t len;
    json_t *n = dg_json_path_first(path_ok(path), doc, cur);
    int k = dg_json_text(n, &s, &len, buf, sizeof buf);
    if (k != 1)
        return k < 0 ? "(container)" : "";
    snprintf(out, sizeof out, "%.*s", (int)len, s);
    return out;
}

static const char order[] =
    "{\"id\": 450789469, \"name\": \"#1001\", \"test\": false, \"total\": 19.99, \"rate\": 0.06,"
    " \"tiny\": 0.00001, \"big\": 820982911946154508, \"note\": null,"
    " \"shipping address\": {\"zip\": \"02134\"},"
    " \"shipping_address\": {\"zip\": \"40202\", \"lines\": [\"a\", \"b\"]},"
    " \"line_items\": [{\"sku\": \"A\", \"quantity\": 1, \"requires_shipping\": true},"
    "                 {\"sku\": \"GIFT\", \"quantity\": 1, \"requires_shipping\": false},"
    "                 {\"sku\": \"C\", \"quantity\": 3, \"requires_shipping\": true}]}";

typedef struct {
    char seen[256];
} seen_list;

static int collect(void *ctx, json_t *node)
{
    seen_list *l = ctx;
    char buf[64];
    const char *s;
    size_t len;
    json_t *sku = json_is_object(node) ? json_object_get(node, "sku") : node;
    if (dg_json_text(sku, &s, &len, buf, sizeof buf) == 1) {
        strncat(l->seen, s, len);
        strcat(l->seen, ",");
    }
    return 0;
}

static void paths_select(void **state)
{
    (void)state;
    json_error_t je;
    json_t *doc = json_loads(order, 0, &je);
    assert_non_null(doc);
    assert_string_equal(first_text("$.id", doc, doc), "450789469");
    assert_string_equal(first_text("$.name", doc, doc), "#1001");
    assert_string_equal(first_text("$.test", doc, doc), "false");
    assert_string_equal(first_text("$.total", doc, doc), "19.99"); /* not 19.989999999999998 */
    assert_string_equal(first_text("$.rate", doc, doc), "0.06");
    assert_string_equal(first_text("$.tiny", doc, doc), "0.00001");
    assert_string_equal(first_text("$.big", doc, doc), "820982911946154508"); /* > 2^53: exact */
    assert_string_equal(first_text("$.note", doc, doc), "");                  /* null: absent */
    assert_string_equal(first_text("$.missing.deeper", doc, doc), "");
    assert_string_equal(first_text("$.shipping_address.zip", doc, doc), "40202");
    assert_string_equal(first_text("$['shipping address'].zip", doc, doc), "02134");
    assert_string_equal(first_text("$[\"shipping address\"][\"zip\"]", doc, doc), "02134");
    assert_string_equal(first_text("$.shipping_address", doc, doc), "(container)");
    assert_string_equal(first_text("$.line_items[0].sku", doc, doc), "A");
    assert_string_equal(first_text("$.line_items[2].sku", doc, doc), "C");
    assert_string_equal(first_text("$.line_items[-1].sku", doc, doc), "C");
    assert_string_equal(first_text("$.line_items[3].sku", doc, doc), "");
    assert_string_equal(first_text("$.line_items[*].sku", doc, doc), "A"); /* first match */
    assert_string_equal(first_text("$.line_items[?(@.sku == 'GIFT')].quantity", doc, doc), "1");
    assert_string_equal(first_text("$.line_items[?(@.requires_shipping==true)].sku", doc, doc),
                        "A");
    assert_string_equal(first_text("$.line_items[?(@.quantity == 3)].sku", doc, doc), "C");
    /* @ is the current element; $ stays the document */
    json_t *second = json_array_get(json_object_get(doc, "line_items"), 1);
    assert_string_equal(first_text("@.sku", doc, second), "GIFT");
    assert_string_equal(first_text("$.name", doc, second), "#1001");

    seen_list l = {""};
    dg_json_path_each(path_ok("$.line_items[*]"), doc, doc, collect, &l);
    assert_string_equal(l.seen, "A,GIFT,C,");
    l.seen[0] = '\0';
    dg_json_path_each(path_ok("$.line_items[?(@.requires_shipping != false)]"), doc, doc, collect,
                      &l);
    assert_string_equal(l.seen, "A,C,");
    l.seen[0] = '\0';
    dg_json_path_each(path_ok("$.shipping_address.lines.*"), doc, doc, collect, &l);
    assert_string_equal(l.seen, "a,b,");
    assert_true(dg_json_path_single(path_ok("$.a[0].b")));
    assert_false(dg_json_path_single(path_ok("$.a[*].b")));
    assert_true(dg_json_path_plain(path_ok("$.orders[*]")));
    assert_false(dg_json_path_plain(path_ok("$.orders[-1]")));
    assert_false(dg_json_path_plain(path_ok("@.orders")));
    json_decref(doc);
}

static void paths_refused(void **state)
{
    (void)state;
    path_refused("id", "start it with $");
    path_refused("", "start it with $");
    path_refused("$..sku", "recursive descent");
    path_refused("$.line_items[0:2]", "slices are not supported");
    path_refused("$.a[", "expected [n], [*]");
    path_refused("$.a.", "needs a member name");
    path_refused("$.a b", "expected .name or [...]");
    path_refused("$['a", "['name']");
    path_refused("$.a[?(@.b = 1)]", "== or !=");
    path_refused("$.a[?(@.b == null)]", "null is not supported");
    path_refused("$.a[?(@.b == 'x'", "ends with )]");
    path_refused("$.a[?($.b == 'x')]", "from @");
    path_refused("$.a[?(@.b[*] == 'x')]", "selects one value");
}

/* ---- the reader ---------------------------------------------------------------------------- */

typedef struct {
    char keys[512];
    size_t n, problems;
    long lines[16];
} docs_seen;

static int on_doc(void *ctx, const dg_json_doc *d, dg_error *err)
{
    (void)err;
    docs_seen *s = ctx;
    if (s->n < 16)
        s->lines[s->n] = d->line;
    s->n++;
    if (d->problem) {
        s->problems++;
        strcat(s->keys, "!,");
        return 0;
    }
    json_t *id = json_is_object(d->value) ? json_object_get(d->value, "id") : NULL;
    char buf[64];
    const char *t = "?";
    size_t len = 1;
    dg_json_text(id, &t, &len, buf, sizeof buf);
    strncat(s->keys, t, len);
    strcat(s->keys, ",");
    return 0;
}

static int read_text(const char *text, const char *const *docs, size_t n_docs, size_t max,
                     docs_seen *s, dg_error *err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/in.json", scratch);
    dg_test_write_file(path, text);
    const dg_json_path *ps[8];
    for (size_t i = 0; i < n_docs; i++)
        ps[i] = path_ok(docs[i]);
    dg_json_read_opts o = {ps, n_docs, max};
    size_t found = 0;
    memset(s, 0, sizeof *s);
    int rc = dg_json_read_file(path, &o, on_doc, s, &found, err);
    assert_true(found >= s->n); /* a document that is not valid JSON is found, not handed over */
    return rc;
}

static void reads_where_the_documents_are(void **state)
{
    (void)state;
    docs_seen s;
    dg_error err = {0};
    /* defaults: an array of documents, or one */
    assert_int_equal(read_text("[{\"id\":1},\n {\"id\":2},\n\n {\"id\":3}]", NULL, 0, 0, &s, &err),
                     0);
    assert_string_equal(s.keys, "1,2,3,");
    assert_int_equal(s.lines[2], 4);
    assert_int_equal(read_text("\xEF\xBB\xBF{\"id\": 7, \"x\": [1,2]}\n", NULL, 0, 0, &s, &err), 0);
    assert_string_equal(s.keys, "7,");
    /* an envelope: other members are checked and passed over */
    const char *orders[] = {"$.orders[*]"};
    assert_int_equal(read_text("{\"count\": 2, \"meta\": {\"a\": [1, {\"b\": \"]}\"}]},\n"
                               " \"orders\": [{\"id\": \"a\"}, {\"id\": \"b\"}], \"next\": null}",
                               orders, 1, 0, &s, &err),
                     0);
    assert_string_equal(s.keys, "a,b,");
    assert_int_equal(s.lines[0], 2);
    /* an empty list is no error; a missing one is */
    assert_int_equal(read_text("{\"orders\": []}", orders, 1, 0, &s, &err), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(read_text("{\"order\": {\"id\": 1}}", orders, 1, 0, &s, &err), DG_EMAP);
    assert_non_null(strstr(err.msg, "no documents at $.orders[*]"));
    /* alternatives: the first that fits the root wins, whatever the member order */
    const char *alts[] = {"$.orders[*]", "$.order", "$[*]", "$"};
    assert_int_equal(read_text("{\"order\": {\"id\": 5}}", alts, 4, 0, &s, &err), 0);
    assert_string_equal(s.keys, "5,");
    assert_int_equal(
        read_text("{\"order\": {\"id\": 5}, \"orders\": [{\"id\": 6}]}", alts, 4, 0, &s, &err), 0);
    assert_string_equal(s.keys, "6,");
    assert_int_equal(read_text("[{\"id\": 8}, {\"id\": 9}]", alts, 4, 0, &s, &err), 0);
    assert_string_equal(s.keys, "8,9,");
    assert_int_equal(read_text("{\"id\": 10, \"name\": \"#10\"}", alts, 4, 0, &s, &err), 0);
    assert_string_equal(s.keys, "10,");
    /* an index */
    const char *second[] = {"$.pages[1].items[*]"};
    assert_int_equal(read_text("{\"pages\": [{\"items\": [{\"id\": 1}]}, {\"items\": [{\"id\": 2}, "
                               "{\"id\": 3}]}]}",
                               second, 1, 0, &s, &err),
                     0);
    assert_string_equal(s.keys, "2,3,");
}

static void bad_json_named_by_line_and_column(void **state)
{
    (void)state;
    docs_seen s;
    dg_error err = {0};
    /* inside a document: jansson's reason, at the file's line */
    assert_int_equal(read_text("[{\"id\": 1},\n {\"id\": 2,\n  \"x\": tru}]", NULL, 0, 0, &s, &err),
                     DG_EPARSE);
    assert_non_null(strstr(err.msg, "in.json:3:"));
    assert_non_null(strstr(err.msg, "not valid JSON"));
    assert_string_equal(s.keys, "1,"); /* streamed: the first was handed over already */
    /* a missing comma between documents */
    assert_int_equal(read_text("[{\"id\": 1}\n {\"id\": 2}]", NULL, 0, 0, &s, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "in.json:2:2: not valid JSON: expected ',' or ']'"));
    /* cut short */
    assert_int_equal(read_text("[{\"id\": 1}, {\"id\": \"2", NULL, 0, 0, &s, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "in.json:1:22: not valid JSON: the file ends inside the value "
                                    "that starts at line 1 column 20"));
    /* brackets that do not pair */
    assert_int_equal(read_text("[{\"id\": [1}]", NULL, 0, 0, &s, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "in.json:1:11:"));
    /* duplicate keys are ambiguous: refused */
    assert_int_equal(read_text("{\"id\": 1, \"id\": 2}", NULL, 0, 0, &s, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "duplicate"));
    /* in an envelope member that is not a document */
    const char *orders[] = {"$.orders[*]"};
    assert_int_equal(
        read_text("{\"meta\": {\"a\": nul},\n \"orders\": []}", orders, 1, 0, &s, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "in.json:1:"));
    assert_int_equal(read_text("{\"orders\" [] }", orders, 1, 0, &s, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "expected ':' after a member name"));
    /* text after the value, an empty file */
    assert_int_equal(read_text("[{\"id\": 1}] x", NULL, 0, 0, &s, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "1:13: not valid JSON: unexpected text after the end"));
    assert_int_equal(read_text(" \n ", NULL, 0, 0, &s, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "empty file"));
}

static void oversized_document_passed_over(void **state)
{
    (void)state;
    docs_seen s;
    dg_error err = {0};
    char big[4096] = "[{\"id\": 1}, {\"id\": 2, \"pad\": \"";
    size_t n = strlen(big);
    memset(big + n, 'x', 300);
    strcpy(big + n + 300, "\"}, {\"id\": 3}]");
    assert_int_equal(read_text(big, NULL, 0, 200, &s, &err), 0);
    assert_string_equal(s.keys, "1,!,3,");
    assert_int_equal(s.problems, 1);
}

/* ---- the writer ---------------------------------------------------------------------------- */

static void writes_exact_json(void **state)
{
    (void)state;
    dg_json_out *root = dg_json_out_new(arena, DG_JSON_OBJECT);
    dg_json_out_set(arena, dg_json_out_member(arena, root, "name", DG_JSON_STRING),
                    "a\"b\\c\n\x01é", strlen("a\"b\\c\n\x01é"));
    dg_json_out_set(arena, dg_json_out_member(arena, root, "addr.zip", DG_JSON_STRING), "02134", 5);
    dg_json_out_set(arena, dg_json_out_member(arena, root, "addr.city", DG_JSON_STRING), "B", 1);
    dg_json_out_set(arena, dg_json_out_member(arena, root, "price", DG_JSON_RAW), "12.50", 5);
    dg_json_out *arr = dg_json_out_member(arena, root, "tags", DG_JSON_ARRAY);
    dg_json_out_set(arena, dg_json_out_append(arena, arr, DG_JSON_STRING), "x", 1);
    dg_json_out_member(arena, root, "empty", DG_JSON_ARRAY);
    dg_buf b = DG_BUF_INIT;
    dg_error err = {0};
    assert_int_equal(dg_json_out_write(root, false, &b, &err), 0);
    assert_string_equal(b.data, "{\"name\":\"a\\\"b\\\\c\\n\\u0001é\",\"addr\":{\"zip\":\"02134\","
                                "\"city\":\"B\"},\"price\":12.50,\"tags\":[\"x\"],\"empty\":[]}");
    json_error_t je; /* and jansson reads it */
    json_t *back = json_loads(b.data, 0, &je);
    assert_non_null(back);
    json_decref(back);
    dg_buf_clear(&b);
    dg_json_out_set(arena, dg_json_out_member(arena, root, "name", DG_JSON_STRING), "caf\xE9", 4);
    assert_int_equal(dg_json_out_write(root, true, &b, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "not UTF-8"));
    dg_buf_free(&b);
    assert_true(dg_json_is_number("0", 1));
    assert_true(dg_json_is_number("-12.50", 6));
    assert_true(dg_json_is_number("1e-5", 4));
    assert_false(dg_json_is_number("012", 3));
    assert_false(dg_json_is_number("1,234.00", 8));
    assert_false(dg_json_is_number("12.", 3));
    assert_false(dg_json_is_number("", 0));
    assert_false(dg_json_is_number("+1", 2));
}

static int setup(void **state)
{
    (void)state;
    scratch = dg_test_tmpdir("json");
    arena = dg_arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dg_arena_free(arena);
    dg_test_rmtree(scratch);
    free(scratch);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_select),
        cmocka_unit_test(paths_refused),
        cmocka_unit_test(reads_where_the_documents_are),
        cmocka_unit_test(bad_json_named_by_line_and_column),
        cmocka_unit_test(oversized_document_passed_over),
        cmocka_unit_test(writes_exact_json),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
