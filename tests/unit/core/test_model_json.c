/* Canonical JSON form: field names, exact decimals, round trip through dg_doc_from_json, and
 * clear errors for malformed documents. Also the field-descriptor table it is built on. */
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/model_fields.h"
#include "core/model_json.h"

static dg_doc *sample_order(void)
{
    dg_doc *d = dg_doc_new(DG_DOC_ORDER);
    dg_order *o = &d->u.order;
    o->order_number = dg_arena_strdup(d->arena, "PO-1001");
    o->order_date = dg_arena_strdup(d->arena, "2024-03-01");
    o->ship_to.name = dg_arena_strdup(d->arena, "Jane \"JD\" Doe");
    o->ship_to.city = dg_arena_strdup(d->arena, "Austin");
    o->notes = dg_arena_strdup(d->arena, "line1\nline2\t\\");
    dg_dec_parse("123.4", 5, 0, &o->total);
    dg_order_line *l = dg_order_add_line(d);
    l->vendor_sku = dg_arena_strdup(d->arena, "SKU-1");
    dg_dec_parse("2", 1, 0, &l->quantity);
    dg_dec_parse("12.5", 4, 0, &l->unit_price);
    l = dg_order_add_line(d);
    l->vendor_sku = dg_arena_strdup(d->arena, "SKU-2");
    dg_dec_parse("0.0001", 6, 0, &l->unit_price);
    d->source.format = dg_arena_strdup(d->arena, "x12");
    d->source.position = 7;
    return d;
}

static void writes_documented_form(void **state)
{
    (void)state;
    dg_doc *d = sample_order();
    dg_buf b = DG_BUF_INIT;
    dg_error err = {0};
    assert_int_equal(dg_doc_to_json(d, 0, &b, &err), 0);
    assert_non_null(
        strstr(b.data, "{\"kind\":\"order\",\"source\":{\"format\":\"x12\",\"position\":7}"));
    assert_non_null(strstr(b.data, "\"order_number\":\"PO-1001\""));
    assert_non_null(
        strstr(b.data, "\"ship_to\":{\"name\":\"Jane \\\"JD\\\" Doe\",\"city\":\"Austin\"}"));
    assert_non_null(strstr(b.data, "\"total\":\"123.40\""));
    assert_non_null(strstr(b.data, "\"notes\":\"line1\\nline2\\t\\\\\""));
    assert_non_null(strstr(
        b.data,
        "\"lines\":[{\"vendor_sku\":\"SKU-1\",\"quantity\":\"2\",\"unit_price\":\"12.50\"}"));
    assert_non_null(strstr(b.data, "\"unit_price\":\"0.0001\""));
    assert_null(strstr(b.data, "buyer\"")); /* empty parties are left out */
    dg_buf_free(&b);
    dg_doc_free(d);
}

static void round_trips_exactly(void **state)
{
    (void)state;
    dg_doc *d = sample_order();
    dg_buf a = DG_BUF_INIT, b = DG_BUF_INIT;
    dg_error err = {0};
    assert_int_equal(dg_doc_to_json(d, DG_JSON_PRETTY, &a, &err), 0);
    dg_doc *back = NULL;
    assert_int_equal(dg_doc_from_json(a.data, a.len, &back, &err), 0);
    assert_int_equal(back->u.order.n_lines, 2);
    assert_string_equal(back->u.order.lines[1].vendor_sku, "SKU-2");
    assert_int_equal(back->u.order.lines[0].quantity.v, 20000);
    assert_false(back->u.order.lines[1].quantity.set);
    assert_int_equal(back->source.position, 7);
    assert_int_equal(dg_doc_to_json(back, DG_JSON_PRETTY, &b, &err), 0);
    assert_string_equal(a.data, b.data);
    dg_buf_free(&a);
    dg_buf_free(&b);
    dg_doc_free(d);
    dg_doc_free(back);
}

static int count_sink(void *ctx, dg_doc *doc, dg_error *err)
{
    (void)err;
    (*(int *)ctx)++;
    dg_doc_free(doc);
    return 0;
}

static void reads_arrays_and_json_lines(void **state)
{
    (void)state;
    const char *t = "[{\"kind\":\"stock\",\"stock\":{\"items\":[{\"vendor_sku\":\"A\"}]}},"
                    "{\"kind\":\"invoice\",\"invoice\":{\"total\":\"10\"}}]\n"
                    "{\"kind\":\"shipment\",\"shipment\":{}}\n";
    int n = 0;
    dg_error err = {0};
    assert_int_equal(dg_docs_from_json(t, strlen(t), count_sink, &n, &err), 0);
    assert_int_equal(n, 3);
}

static void rejects_bad_documents(void **state)
{
    (void)state;
    dg_doc *d = NULL;
    dg_error err = {0};
    const char *bad_syntax = "{\"kind\":\"order\",";
    assert_int_equal(dg_doc_from_json(bad_syntax, strlen(bad_syntax), &d, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "JSON line 1"));
    const char *bad_kind = "{\"kind\":\"banana\"}";
    assert_int_equal(dg_doc_from_json(bad_kind, strlen(bad_kind), &d, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "banana"));
    const char *bad_qty = "{\"kind\":\"order\",\"order\":{\"lines\":[{\"quantity\":\"two\"}]}}";
    assert_int_equal(dg_doc_from_json(bad_qty, strlen(bad_qty), &d, &err), DG_EPARSE);
    assert_non_null(strstr(err.msg, "order.lines[0].quantity"));
    const char *bad_party = "{\"kind\":\"order\",\"order\":{\"ship_to\":3}}";
    assert_int_equal(dg_doc_from_json(bad_party, strlen(bad_party), &d, &err), DG_EPARSE);
    assert_null(d);
}

static void field_table_paths(void **state)
{
    (void)state;
    const dg_field *f = dg_fields_find(DG_DOC_ORDER, "ship_to.postal_code", DG_FIELD_BODY);
    assert_non_null(f);
    assert_string_equal(f->object, "ship_to");
    assert_int_equal(f->offset, offsetof(dg_order, ship_to) + offsetof(dg_party, postal_code));
    f = dg_fields_find(DG_DOC_SHIPMENT, "tracking_number", 0);
    assert_non_null(f);
    assert_string_equal(f->path, "packages[].tracking_number");
    assert_null(dg_fields_find(DG_DOC_SHIPMENT, "tracking_number", DG_FIELD_BODY));
    assert_null(dg_fields_find(DG_DOC_ORDER, "ship_to.planet", DG_FIELD_BODY));
    assert_int_equal(dg_fields_group_index(DG_DOC_INVOICE, "charges"), 1);
    dg_doc *d = dg_doc_new(DG_DOC_INVOICE);
    size_t i = dg_fields_add(d, 1);
    f = dg_fields_find(DG_DOC_INVOICE, "charges[].amount", DG_FIELD_BODY);
    dg_field_dec(dg_fields_record(d, 1, i), f)->set = true;
    assert_int_equal(d->u.invoice.n_charges, 1);
    assert_true(d->u.invoice.charges[0].amount.set);
    dg_doc_free(d);
}

/* The JSON writer relies on each record's fields being one run in the table. */
static void field_groups_are_contiguous(void **state)
{
    (void)state;
    for (int k = DG_DOC_ORDER; k <= DG_DOC_STOCK; k++) {
        size_t n;
        const dg_field *fs = dg_fields_list((dg_doc_kind)k, &n);
        assert_true(n > 0);
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j + 1 < i; j++)
                if (fs[j].group == fs[i].group && fs[i - 1].group != fs[i].group)
                    fail_msg("%s: field %s is apart from the other fields of its record",
                             dg_doc_kind_name((dg_doc_kind)k), fs[i].path);
    }
}

/* The pretty form with every field of every kind set: each line is indented two spaces per
 * open object or array before it, whether a key came from the table's precomputed piece
 * (json_pre) or the general writer; a key piece at the wrong level would show here. */
static void pretty_levels_of_every_field(void **state)
{
    (void)state;
    for (int k = DG_DOC_ORDER; k <= DG_DOC_STATUS; k++) {
        size_t n, ng;
        const dg_field *fs = dg_fields_list((dg_doc_kind)k, &n);
        dg_fields_groups((dg_doc_kind)k, &ng);
        dg_doc *d = dg_doc_new((dg_doc_kind)k);
        for (size_t g = 0; g < ng; g++)
            for (int e = 0; e < 2; e++)
                dg_fields_add(d, (int)g);
        for (size_t i = 0; i < n; i++) {
            int g = fs[i].group;
            for (size_t e = 0; e < (g >= 0 ? 2u : 1u); e++) {
                void *rec = g == DG_FIELD_SOURCE ? (void *)&d->source : dg_fields_record(d, g, e);
                if (fs[i].type == DG_FIELD_STR)
                    *dg_field_str(rec, &fs[i]) = dg_arena_strdup(d->arena, "x");
                else
                    dg_dec_parse("1.5", 3, 0, dg_field_dec(rec, &fs[i]));
            }
            /* the piece is the key at the level the table gives the field */
            int level = g == DG_FIELD_SOURCE ? 2 : g == DG_FIELD_BODY ? (fs[i].object ? 3 : 2) : 4;
            char want[128];
            snprintf(want, sizeof want, "\n%*s%s ", 2 * level, "", fs[i].json_key);
            assert_string_equal(fs[i].json_pre, want);
            assert_int_equal(fs[i].json_pre_len, strlen(want));
        }
        d->source.position = 3;
        dg_buf b = DG_BUF_INIT;
        dg_error err = {0};
        assert_int_equal(dg_doc_to_json(d, DG_JSON_PRETTY, &b, &err), 0);
        int depth = 0, keys = 0;
        for (const char *p = b.data; *p; p++) {
            if (*p == '{' || *p == '[')
                depth++;
            else if (*p == '}' || *p == ']')
                depth--;
            else if (*p == '\n') {
                size_t sp = strspn(p + 1, " ");
                bool closer = p[1 + sp] == '}' || p[1 + sp] == ']';
                if (sp != 2 * (size_t)(closer ? depth - 1 : depth))
                    fail_msg("%s: line indented %zu at depth %d: %.40s",
                             dg_doc_kind_name((dg_doc_kind)k), sp, depth, p + 1);
                keys += p[1 + sp] == '"';
            }
        }
        assert_int_equal(depth, 0);
        assert_true(keys > (int)n); /* every field written (group fields twice) */
        dg_buf_free(&b);
        dg_doc_free(d);
    }
}

/* The value of "key": in compact JSON text (the first occurrence), copied into out. */
static const char *json_value(const char *json, const char *key, char *out, size_t size)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(json, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    size_t n = 0;
    while (p[n] && !(p[n] == '"' && (n == 0 || p[n - 1] != '\\' || (n >= 2 && p[n - 2] == '\\'))))
        n++;
    snprintf(out, size, "%.*s", (int)n, p);
    return out;
}

/* The writer formats decimals straight into the output (jw_dec): the same text as
 * dg_field_text, the general formatter, for money (at least two decimals) and quantities, over
 * edge values (zero, signs, each number of decimals, the largest, the overflow markers) and a
 * spread of others. */
static void decimals_like_field_text(void **state)
{
    (void)state;
    static const int64_t edges[] = {0,
                                    1,
                                    -1,
                                    9,
                                    10,
                                    99,
                                    100,
                                    101,
                                    1000,
                                    9999,
                                    10000,
                                    10001,
                                    -10000,
                                    -5,
                                    123450,
                                    1234500,
                                    -1234500,
                                    99999990000,
                                    500,
                                    -500,
                                    INT64_MAX - 1,
                                    -(INT64_MAX - 1),
                                    INT64_MAX,
                                    -INT64_MAX};
    const dg_field *money = dg_fields_find(DG_DOC_ORDER, "total", DG_FIELD_BODY);
    const dg_field *qty = dg_fields_find(DG_DOC_ORDER, "lines[].quantity", DG_FIELD_BODY);
    uint64_t x = 88172645463325252ULL;
    size_t checked = 0;
    for (size_t i = 0; i < 4000; i++) {
        int64_t v;
        if (i < sizeof edges / sizeof *edges) {
            v = edges[i];
        } else { /* xorshift: magnitudes of every size, and their last digits */
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v = (int64_t)(x >> (x % 60 + 1)) * ((x & 1) ? -1 : 1);
        }
        dg_doc *d = dg_doc_new(DG_DOC_ORDER);
        d->u.order.total = (dg_dec){v, true};
        dg_order_line *l = dg_order_add_line(d);
        l->quantity = (dg_dec){v, true};
        dg_buf b = DG_BUF_INIT;
        dg_error err = {0};
        assert_int_equal(dg_doc_to_json(d, 0, &b, &err), 0);
        char want[64], got[64];
        assert_non_null(json_value(b.data, "total", got, sizeof got));
        assert_string_equal(got, dg_field_text(&d->u, money, want, sizeof want));
        assert_non_null(json_value(b.data, "quantity", got, sizeof got));
        assert_string_equal(got, dg_field_text(l, qty, want, sizeof want));
        checked += 2;
        dg_buf_free(&b);
        dg_doc_free(d);
    }
    assert_int_equal(checked, 8000);
}

/* The reference: JSON string escaping one byte at a time. */
static void escape_plain(const char *s, char *out)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            out += sprintf(out, "\\%c", c);
        else if (c == '\n')
            out += sprintf(out, "\\n");
        else if (c == '\r')
            out += sprintf(out, "\\r");
        else if (c == '\t')
            out += sprintf(out, "\\t");
        else if (c < 0x20)
            out += sprintf(out, "\\u%04x", c);
        else
            *out++ = (char)c;
    }
    *out = '\0';
}

/* Strings are checked 8 or 4 bytes at a time (jw_copy_check): every length from 0 to 40 with
 * each byte that needs escaping (and UTF-8 and DEL, which do not) at every position gives the
 * text of the byte-by-byte reference, in both forms. */
static void strings_escaped_at_every_position(void **state)
{
    (void)state;
    static const char specials[] = {'"', '\\', '\n', '\r', '\t', 0x01, 0x1f, 0x7f, (char)0xc3, 'a'};
    for (size_t len = 0; len <= 40; len++)
        for (size_t at = 0; at < (len ? len : 1); at++)
            for (size_t k = 0; k < sizeof specials; k++) {
                char s[48], want[300], got[300];
                for (size_t i = 0; i < len; i++)
                    s[i] = (char)('A' + i % 26);
                s[len] = '\0';
                if (len)
                    s[at] = specials[k];
                escape_plain(s, want);
                for (int pretty = 0; pretty < 2; pretty++) {
                    dg_doc *d = dg_doc_new(DG_DOC_ORDER);
                    d->u.order.ship_to.city = dg_arena_strdup(d->arena, s);
                    dg_buf b = DG_BUF_INIT;
                    dg_error err = {0};
                    assert_int_equal(dg_doc_to_json(d, pretty ? DG_JSON_PRETTY : 0, &b, &err), 0);
                    const char *p = strstr(b.data, pretty ? "\"city\": \"" : "\"city\":\"");
                    assert_non_null(p);
                    p = strchr(p + 7, '"') + 1;
                    size_t wl = strlen(want);
                    snprintf(got, sizeof got, "%.*s", (int)wl, p);
                    assert_string_equal(got, want);
                    assert_int_equal(p[wl], '"');
                    assert_int_equal(strlen(b.data), b.len);
                    dg_buf_free(&b);
                    dg_doc_free(d);
                }
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(writes_documented_form),
                                       cmocka_unit_test(round_trips_exactly),
                                       cmocka_unit_test(reads_arrays_and_json_lines),
                                       cmocka_unit_test(rejects_bad_documents),
                                       cmocka_unit_test(field_table_paths),
                                       cmocka_unit_test(field_groups_are_contiguous),
                                       cmocka_unit_test(pretty_levels_of_every_field),
                                       cmocka_unit_test(decimals_like_field_text),
                                       cmocka_unit_test(strings_escaped_at_every_position)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
