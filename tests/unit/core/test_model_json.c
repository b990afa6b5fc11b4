/* Canonical JSON form: field names, exact decimals, round trip through dg_doc_from_json, and
 * clear errors for malformed documents. Also the field-descriptor table it is built on. */
#include "testutil.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
 * open object or array before it (the writer's key pieces are made once per table: a piece at
 * the wrong level would show here). */
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

/* dg_fields_add of every kind's every group: each new element zeroed (also one a shortened
 * array left filled, as translate --to's routable_only leaves them), the earlier ones kept
 * through each growth, and dg_fields_record at each. */
static void group_elements_added_zeroed(void **state)
{
    (void)state;
    size_t checked = 0;
    for (int k = DG_DOC_ORDER; k <= DG_DOC_STATUS; k++) {
        size_t ng;
        const dg_field_group *gs = dg_fields_groups((dg_doc_kind)k, &ng);
        for (size_t g = 0; g < ng; g++) {
            dg_doc *d = dg_doc_new((dg_doc_kind)k);
            size_t size = gs[g].elem_size, *n = (size_t *)(void *)((char *)&d->u + gs[g].n_off);
            char *zero = calloc(1, size);
            for (size_t round = 0; round < 2; round++)
                for (size_t i = round ? 3 : 0; i < 40; i++) {
                    assert_int_equal(dg_fields_add(d, (int)g), i);
                    assert_int_equal(*n, i + 1);
                    assert_int_equal(dg_fields_count(d, (int)g), i + 1);
                    char *items = *(char **)(void *)((char *)&d->u + gs[g].items_off);
                    char *rec = dg_fields_record(d, (int)g, i);
                    assert_ptr_equal(rec, items + i * size);
                    assert_memory_equal(rec, zero, size);
                    memset(rec, (int)(1 + i), size);
                    for (size_t j = 0; j < i; j++) /* the earlier ones as they were left */
                        assert_int_equal(items[j * size + size - 1], (char)(1 + j));
                    if (round == 0 && i == 39)
                        *n = 3; /* shortened: the elements past it keep their bytes */
                    checked++;
                }
            assert_ptr_equal(dg_fields_record(d, DG_FIELD_BODY, 0), &d->u);
            assert_ptr_equal(dg_fields_record(d, DG_FIELD_SOURCE, 0), &d->source);
            free(zero);
            dg_doc_free(d);
        }
    }
    assert_true(checked > 10 * 77);
}

/* Numbers of every length written in place (put_uint): positions and decimals' integer parts at
 * each power of ten and either side of it, against printf. */
static void numbers_at_every_power_of_ten(void **state)
{
    (void)state;
    size_t checked = 0;
    for (int pretty = 0; pretty < 2; pretty++)
        for (long p = 1, k = 0; k<19; k++, p = p> LONG_MAX / 10 ? LONG_MAX : p * 10)
            for (long delta = -1; delta <= 1; delta++) {
                long pos = p + delta > 0 ? p + delta : 1;
                dg_doc *d = dg_doc_new(DG_DOC_ORDER);
                d->source.position = pos;
                int64_t whole = pos > INT64_MAX / DG_DEC_SCALE ? pos / DG_DEC_SCALE : pos;
                d->u.order.total = (dg_dec){whole * DG_DEC_SCALE + 5, true};
                dg_buf b = DG_BUF_INIT;
                dg_error err = {0};
                assert_int_equal(dg_doc_to_json(d, pretty ? DG_JSON_PRETTY : 0, &b, &err), 0);
                char want[64];
                snprintf(want, sizeof want, pretty ? "\"position\": %ld\n" : "\"position\":%ld}",
                         pos);
                assert_non_null(strstr(b.data, want));
                snprintf(want, sizeof want,
                         pretty ? "\"total\": \"%lld.0005\"" : "\"total\":\"%lld.0005\"",
                         (long long)whole);
                assert_non_null(strstr(b.data, want));
                dg_buf_free(&b);
                dg_doc_free(d);
                checked++;
            }
    assert_int_equal(checked, 2 * 19 * 3);
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

/* The vector scan of a value (16 bytes at a time, aligned blocks) against the plain one: every
 * length 0..70 at every alignment, each byte class (each control, '"', '\\', and bytes that
 * need no escape: ' ', DEL, UTF-8) at every position, and what lies after the NUL. */
static void value_scan_vector_like_plain(void **state)
{
    (void)state;
    static const unsigned char classes[] = {'"', '\\', 0x01, 0x08, 0x09, 0x0a, 0x0d, 0x1f,
                                            ' ', 0x7f, 0x80, 0xc3, 0xff, '!',  '#',  '[',
                                            ']', '/',  0x21, 0x5b, 0x5d, 0x60, 'A'};
    _Alignas(16) char buf[128];
    size_t checked = 0;
    for (size_t len = 0; len <= 70; len++)
        for (size_t align = 0; align < 16; align++)
            for (size_t k = 0; k <= sizeof classes; k++)
                for (size_t at = 0; at < (k < sizeof classes && len ? len : 1); at++) {
                    char *s = buf + align;
                    memset(buf, (k & 1) ? '"' : 0x01, sizeof buf); /* specials around it */
                    for (size_t i = 0; i < len; i++)
                        s[i] = (char)('a' + (i + k) % 26);
                    if (k < sizeof classes && len)
                        s[at] = (char)classes[k];
                    s[len] = '\0';
                    size_t want = 0;
                    while ((unsigned char)s[want] >= 0x20 && s[want] != '"' && s[want] != '\\')
                        want++;
                    assert_int_equal(dg_json_debug_clean_len(s, true), want);
                    assert_int_equal(dg_json_debug_clean_len(s, false), want);
                    checked++;
                }
    assert_true(checked > 500000);
}

/* A value that ends at the end of a page whose next page is not readable: the vector scan
 * reads aligned 16-byte blocks only, so it never touches the next page (no SIGSEGV). */
static void value_scan_stays_in_the_page(void **state)
{
    (void)state;
    long page = sysconf(_SC_PAGESIZE);
    char *m =
        mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(m != MAP_FAILED);
    assert_int_equal(mprotect(m + page, (size_t)page, PROT_NONE), 0);
    for (size_t len = 0; len <= 70; len++) {
        char *s = m + page - len - 1;
        memset(s, 'x', len);
        s[len] = '\0';
        assert_int_equal(dg_json_debug_clean_len(s, false), len);
        assert_int_equal(dg_json_debug_clean_len(s, true), len);
        dg_doc *d = dg_doc_new(DG_DOC_ORDER);
        d->u.order.notes = s; /* not from the arena: any alignment */
        dg_buf b = DG_BUF_INIT;
        dg_error err = {0};
        assert_int_equal(dg_doc_to_json(d, 0, &b, &err), 0);
        char want[128];
        snprintf(want, sizeof want, "\"notes\":\"%s\"", s);
        assert_non_null(strstr(b.data, want));
        dg_buf_free(&b);
        dg_doc_free(d);
    }
    munmap(m, 2 * (size_t)page);
}

/* ---- The reference writer: the documented form, one byte and one key at a time ---- */

static void ref_string(dg_buf *b, const char *s)
{
    dg_buf_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            dg_buf_printf(b, "\\%c", c);
        else if (c == '\n')
            dg_buf_puts(b, "\\n");
        else if (c == '\r')
            dg_buf_puts(b, "\\r");
        else if (c == '\t')
            dg_buf_puts(b, "\\t");
        else if (c < 0x20)
            dg_buf_printf(b, "\\u%04x", c);
        else
            dg_buf_putc(b, (char)c);
    }
    dg_buf_putc(b, '"');
}

/* A member's comma, line break and indentation, and its key (none for an array element). */
static void ref_key(dg_buf *b, bool pretty, int level, bool *first, const char *key)
{
    if (!*first)
        dg_buf_putc(b, ',');
    *first = false;
    if (pretty)
        dg_buf_printf(b, "\n%*s", 2 * level, "");
    if (key)
        dg_buf_printf(b, "\"%s\":%s", key, pretty ? " " : "");
}

static void ref_close(dg_buf *b, bool pretty, int level, bool empty, char c)
{
    if (pretty && !empty)
        dg_buf_printf(b, "\n%*s", 2 * level, "");
    dg_buf_putc(b, c);
}

/* The present fields of group g's record rec, at level; body fields of a party in its object. */
static void ref_record(dg_buf *b, bool pretty, int level, bool *first, const dg_field *fs, size_t n,
                       int g, void *rec)
{
    const char *open = NULL;
    bool open_first = true;
    for (size_t i = 0; i < n; i++) {
        const dg_field *f = &fs[i];
        char num[64];
        const char *text = f->group == g ? dg_field_text(rec, f, num, sizeof num) : NULL;
        if (!text)
            continue;
        const char *obj = g == DG_FIELD_BODY ? f->object : NULL;
        if (open && (!obj || strcmp(open, obj))) {
            ref_close(b, pretty, level, open_first, '}');
            open = NULL;
        }
        if (obj && !open) {
            ref_key(b, pretty, level, first, obj);
            dg_buf_putc(b, '{');
            open = obj;
            open_first = true;
        }
        ref_key(b, pretty, open ? level + 1 : level, open ? &open_first : first, f->name);
        ref_string(b, text);
    }
    if (open)
        ref_close(b, pretty, level, open_first, '}');
}

static void ref_doc(dg_buf *b, dg_doc *d, bool pretty)
{
    size_t n, ng;
    const dg_field *fs = dg_fields_list(d->kind, &n);
    const dg_field_group *gs = dg_fields_groups(d->kind, &ng);
    const char *kind = dg_doc_kind_name(d->kind);
    bool root = true, source = true, body = true;
    dg_buf_putc(b, '{');
    ref_key(b, pretty, 1, &root, "kind");
    ref_string(b, kind);
    ref_key(b, pretty, 1, &root, "source");
    dg_buf_putc(b, '{');
    ref_record(b, pretty, 2, &source, fs, n, DG_FIELD_SOURCE, &d->source);
    if (d->source.position > 0) {
        ref_key(b, pretty, 2, &source, "position");
        dg_buf_printf(b, "%ld", d->source.position);
    }
    ref_close(b, pretty, 1, source, '}');
    ref_key(b, pretty, 1, &root, kind);
    dg_buf_putc(b, '{');
    ref_record(b, pretty, 2, &body, fs, n, DG_FIELD_BODY, &d->u);
    for (size_t g = 0; g < ng; g++) {
        bool items = true;
        ref_key(b, pretty, 2, &body, gs[g].name);
        dg_buf_putc(b, '[');
        for (size_t i = 0; i < dg_fields_count(d, (int)g); i++) {
            bool item = true;
            ref_key(b, pretty, 3, &items, NULL);
            dg_buf_putc(b, '{');
            ref_record(b, pretty, 4, &item, fs, n, (int)g, dg_fields_record(d, (int)g, i));
            ref_close(b, pretty, 3, item, '}');
        }
        ref_close(b, pretty, 2, items, ']');
    }
    ref_close(b, pretty, 1, body, '}');
    ref_close(b, pretty, 0, false, '}');
}

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* A random value at a random place of the pool (any alignment; not from the arena): mostly
 * short plain text, sometimes longer, with bytes to escape or UTF-8, now and then longer than
 * the writer's room for a record (16 KiB). */
static char *random_text(uint64_t *x, char *pool, size_t pool_size, size_t *used)
{
    size_t r = rnd(x) % 100, len = r < 70   ? rnd(x) % 17
                                   : r < 97 ? rnd(x) % 71
                                   : r < 99 ? rnd(x) % 400
                                            : 20000 + rnd(x) % 30000;
    size_t skew = rnd(x) % 16;
    if (*used + skew + len + 1 > pool_size)
        *used = 0;
    char *s = pool + *used + skew;
    for (size_t i = 0; i < len; i++) {
        size_t c = rnd(x) % 200;
        s[i] = c < 185   ? (char)('!' + c % 94)         /* plain */
               : c < 190 ? " \x7f"[c % 2]               /* no escape either */
               : c < 193 ? "\"\\\n"[c - 190]            /* escaped */
               : c < 196 ? (char)(1 + rnd(x) % 31)      /* every control */
                         : (char)(0x80 + rnd(x) % 128); /* UTF-8 bytes */
    }
    s[len] = '\0';
    *used += skew + len + 1;
    return s;
}

static void fill_record(uint64_t *x, const dg_field *fs, size_t n, int g, void *rec, char *pool,
                        size_t pool_size, size_t *used, dg_doc *d)
{
    for (size_t i = 0; i < n; i++) {
        if (fs[i].group != g || rnd(x) % 3 == 0)
            continue; /* a third absent */
        if (fs[i].type == DG_FIELD_STR) {
            char *s = random_text(x, pool, pool_size, used);
            *dg_field_str(rec, &fs[i]) = rnd(x) % 2 ? s : dg_arena_strdup(d->arena, s);
        } else {
            int64_t v = (int64_t)(rnd(x) >> (rnd(x) % 60 + 4)) * (rnd(x) % 2 ? 1 : -1);
            *dg_field_dec(rec, &fs[i]) = (dg_dec){v, true};
        }
    }
}

/* The writer against the reference on random documents of every kind, both forms, appended to
 * a buffer that already holds text: values at every alignment, from the arena and not, with
 * escapes, longer than the writer's first block and than its room; absent parties, empty and
 * absent groups, positions. */
static void writer_like_reference(void **state)
{
    (void)state;
    static char pool[1 << 20], before_text[100000];
    memset(before_text, 'p', sizeof before_text);
    size_t used = 0, docs = 0;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int round = 0; round < 150; round++)
        for (int k = DG_DOC_ORDER; k <= DG_DOC_STATUS; k++) {
            size_t n, ng;
            const dg_field *fs = dg_fields_list((dg_doc_kind)k, &n);
            dg_fields_groups((dg_doc_kind)k, &ng);
            dg_doc *d = dg_doc_new((dg_doc_kind)k);
            fill_record(&x, fs, n, DG_FIELD_SOURCE, &d->source, pool, sizeof pool, &used, d);
            fill_record(&x, fs, n, DG_FIELD_BODY, &d->u, pool, sizeof pool, &used, d);
            for (size_t g = 0; g < ng; g++)
                for (size_t e = rnd(&x) % 4; e > 0; e--) {
                    size_t i = dg_fields_add(d, (int)g);
                    fill_record(&x, fs, n, (int)g, dg_fields_record(d, (int)g, i), pool,
                                sizeof pool, &used, d);
                }
            /* positions of every length, 1 to 19 digits (the writer puts them in place) */
            d->source.position = rnd(&x) % 3 ? (long)(rnd(&x) >> (rnd(&x) % 63 + 1)) : 0;
            for (int pretty = 0; pretty < 2; pretty++) {
                dg_buf got = DG_BUF_INIT, want = DG_BUF_INIT;
                dg_error err = {0};
                /* text before it that leaves any room, often little, before the end */
                dg_buf_reserve(&got, rnd(&x) % sizeof before_text);
                size_t left = rnd(&x) % 20000, before = got.cap - 1 > left ? got.cap - 1 - left : 0;
                before = before < sizeof before_text ? before : sizeof before_text - 1;
                dg_buf_append(&got, before_text, before);
                dg_buf_append(&want, before_text, before);
                assert_int_equal(dg_doc_to_json(d, pretty ? DG_JSON_PRETTY : 0, &got, &err), 0);
                ref_doc(&want, d, pretty);
                assert_int_equal(got.len, strlen(got.data));
                if (strcmp(got.data, want.data)) {
                    size_t at = 0;
                    while (got.data[at] == want.data[at])
                        at++;
                    fail_msg("%s %s: differs at %zu: got '%.60s' want '%.60s'",
                             dg_doc_kind_name((dg_doc_kind)k), pretty ? "pretty" : "compact", at,
                             got.data + at, want.data + at);
                }
                dg_buf_free(&got);
                dg_buf_free(&want);
                docs++;
            }
            dg_doc_free(d);
        }
    assert_int_equal(docs, 150 * 7 * 2);
}

/* Values longer than the room the writer keeps for a record (16 KiB), in a buffer whose room
 * ends anywhere from just enough for a record to past the value: the writer grows the buffer
 * in time (under AddressSanitizer a write past it would show). From the arena (copied 16 bytes
 * at a time) and not. */
static void long_values_at_the_end_of_the_room(void **state)
{
    (void)state;
    static char text[40001], before[65536];
    memset(before, 'p', sizeof before);
    for (size_t i = 0; i < sizeof text - 1; i++)
        text[i] = (char)('a' + i % 26);
    size_t runs = 0;
    for (size_t len = 16000; len <= 40000; len += 8000)
        for (size_t left = 16386; left < len + 16500; left += 1999)
            for (int arena = 0; arena < 2; arena++) {
                dg_doc *d = dg_doc_new(DG_DOC_ORDER);
                text[len] = '\0';
                d->u.order.notes = arena ? dg_arena_strdup(d->arena, text) : text + 1;
                dg_buf got = DG_BUF_INIT;
                dg_error err = {0};
                dg_buf_reserve(&got, 32768); /* 64 KiB */
                dg_buf_append(&got, before, got.cap - 1 - left);
                assert_int_equal(dg_doc_to_json(d, 0, &got, &err), 0);
                const char *v = strstr(got.data, "\"notes\":\"") + 9;
                assert_int_equal(strlen(d->u.order.notes), (size_t)(strchr(v, '"') - v));
                assert_memory_equal(v, d->u.order.notes, strlen(d->u.order.notes));
                text[len] = 'x';
                dg_buf_free(&got);
                dg_doc_free(d);
                runs++;
            }
    assert_true(runs > 50);
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
                                       cmocka_unit_test(numbers_at_every_power_of_ten),
                                       cmocka_unit_test(group_elements_added_zeroed),
                                       cmocka_unit_test(strings_escaped_at_every_position),
                                       cmocka_unit_test(value_scan_vector_like_plain),
                                       cmocka_unit_test(value_scan_stays_in_the_page),
                                       cmocka_unit_test(writer_like_reference),
                                       cmocka_unit_test(long_values_at_the_end_of_the_room)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
