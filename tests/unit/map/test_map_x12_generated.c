/* Only valid X12 leaves, by numbers: 1,000 generated canonical orders, shipments and invoices
 * each (seeded PRNG: empty and long fields, no carrier, no ids, many lines, the delimiters
 * * ~ : ^ > |, control characters and non-ASCII text) through every shipped X12 outbound
 * mapping, each output validated with our validator. A document is either written and valid,
 * or refused with a message naming the mapping, segment, element and document; never invalid. */
#include "core/model_fields.h"
#include "maptest.h"
#include "x12/validate.h"

enum { DOCS = 1000 };

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n) /* xorshift64*: the same documents on every run */
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 2685821657736338717ULL) >> 32) % (n ? n : 1);
}

static bool chance(uint32_t percent)
{
    return rnd(100) < percent;
}

static const char *pick(const char *const *v, size_t n)
{
    return v[rnd((uint32_t)n)];
}
#define PICK(...)                                                                                  \
    pick((const char *const[]){__VA_ARGS__},                                                       \
         sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* Free text as partners and storefronts send it: words, the X12 delimiters, control characters,
 * UTF-8 (2, 3 and 4 bytes), sometimes very long. */
static char *text(dg_arena *a, bool longer)
{
    static const char *const parts[] = {
        "Ana",     "Lopez", "Main St", "Apt 4", "*",   "~",      ":",    "^", ">",     "|",
        "\n",      "\t",    "\r\n",    "\x01",  "é",   "Müller", "東京", "😀", "  ",    "#1001",
        "O'Brien", "\"q\"", ",",       "&amp;", "<x>", "-",      "ß",    "0", "12345", "ÅÄÖ"};
    size_t n = longer && chance(30) ? 40 + rnd(80) : 1 + rnd(6);
    dg_buf b = DG_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            dg_buf_putc(&b, chance(70) ? ' ' : '-');
        dg_buf_puts(&b, parts[rnd(sizeof parts / sizeof *parts)]);
    }
    char *s = dg_arena_strdup(a, b.data);
    dg_buf_free(&b);
    return s;
}

static char *digits(dg_arena *a, size_t n)
{
    char *s = dg_arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)('0' + rnd(10));
    return s;
}

/* A value for a string field, by what the field means; mostly sensible, sometimes wrong in a way
 * a real partner or storefront gets wrong (which must be refused cleanly, never written). */
static char *str_value(dg_arena *a, const dg_field *f)
{
    const char *n = f->name;
    size_t len = strlen(n);
    if ((len >= 4 && !strcmp(n + len - 4, "date")) || !strcmp(n, "as_of")) {
        if (chance(1))
            return dg_arena_strdup(a, "2024-02-30"); /* not a date */
        return dg_arena_printf(a, "%04u-%02u-%02u", 1999 + rnd(30), 1 + rnd(12), 1 + rnd(28));
    }
    if (len >= 4 && !strcmp(n + len - 4, "time"))
        return dg_arena_printf(a, "%02u:%02u:%02u", rnd(24), rnd(60), rnd(60));
    if (!strcmp(n, "country"))
        return dg_arena_strdup(a, chance(1) ? "Deutschland" : PICK("US", "CA", "DE", "GB", "MX"));
    if (!strcmp(n, "state"))
        return dg_arena_strdup(a, chance(1) ? "Bavaria" : PICK("TX", "OR", "ON", "NY"));
    if (!strcmp(n, "postal_code"))
        return dg_arena_strdup(a, PICK("78701", "97201-1234", "SW1A 1AA", "10115", "M5V 2T6"));
    if (!strcmp(n, "currency"))
        return dg_arena_strdup(a, PICK("USD", "EUR", "CAD", "GBP"));
    if (!strcmp(n, "service_level_code"))
        return dg_arena_strdup(a, chance(1) ? "GROUND" : PICK("CG", "ND", "SE", "SD", "3D"));
    if (len >= 3 && !strcmp(n + len - 3, "uom"))
        return dg_arena_strdup(a, chance(1) ? "BOX" : PICK("EA", "ea", "CA", "PK", "LB", "KG"));
    if (!strcmp(n, "id_qualifier"))
        return dg_arena_strdup(a, PICK("92", "01", "9", "ZZ", "91"));
    if (!strcmp(n, "status"))
        return dg_arena_strdup(a, PICK("OPEN", "MATCHED", "OUT_OF_STOCK", "PRODUCT_NOT_FOUND",
                                       "NOT_APPROVED", "whatever"));
    if (!strcmp(n, "type"))
        return dg_arena_strdup(a, PICK("FREIGHT", "HANDLING", "DISCOUNT", "TAX", "OTHER", "odd"));
    if (!strcmp(n, "purpose"))
        return dg_arena_strdup(a, PICK("00", "05"));
    if (!strcmp(n, "order_type"))
        return dg_arena_strdup(a, PICK("SA", "DS"));
    if (!strcmp(n, "gtin") || !strcmp(n, "sscc"))
        return digits(a, !strcmp(n, "sscc") ? 20 : 12 + rnd(3));
    if (!strcmp(n, "line_number"))
        return chance(80) ? dg_arena_printf(a, "%u", 1 + rnd(999)) : text(a, false);
    if (!strcmp(n, "email"))
        return dg_arena_strdup(a, PICK("ana@example.com", "x*y~z@example.com", "büro@beispiel.de"));
    if (!strcmp(n, "phone"))
        return dg_arena_strdup(a, PICK("+1 512 555 0100", "(503) 555-0142", "0049 30 1234*5"));
    if (!strcmp(n, "carrier"))
        return dg_arena_strdup(a, PICK("UPSN", "FDEG", "USPS", "ups ground*~", "DHL"));
    return text(a, true);
}

static dg_dec dec_value(const dg_field *f)
{
    bool money = f->type == DG_FIELD_MONEY;
    int64_t units = money ? (int64_t)rnd(10000000) * 100 : (int64_t)(1 + rnd(9999)) * 10000;
    if (!money && chance(10))
        units += rnd(10000); /* 2.5 boxes */
    if (!strcmp(f->name, "amount") && chance(40))
        units = -units; /* an allowance */
    if (chance(1))
        units = 0;
    return (dg_dec){units, true};
}

/* Fills every field of one record (body or group element) that is not a source field. */
static void fill(dg_doc *d, int group, size_t idx, uint32_t empty_percent)
{
    size_t n = 0;
    const dg_field *fs = dg_fields_list(d->kind, &n);
    void *rec = dg_fields_record(d, group, idx);
    for (size_t i = 0; i < n; i++) {
        if (fs[i].group != group || chance(empty_percent))
            continue;
        if (fs[i].type == DG_FIELD_STR)
            *dg_field_str(rec, &fs[i]) = str_value(d->arena, &fs[i]);
        else
            *dg_field_dec(rec, &fs[i]) = dec_value(&fs[i]);
    }
}

/* The key fields the mappings require are there 98% of the time. */
static const char *const required[] = {
    "order_number", "order_date", "shipment_id", "ship_date",        "po_number", "invoice_number",
    "invoice_date", "total",      "quantity",    "quantity_shipped", "unit_price"};

static void keep_required(dg_doc *d, int group, size_t idx)
{
    size_t n = 0;
    const dg_field *fs = dg_fields_list(d->kind, &n);
    void *rec = dg_fields_record(d, group, idx);
    for (size_t i = 0; i < n; i++) {
        if (fs[i].group != group || chance(2))
            continue;
        for (size_t k = 0; k < sizeof required / sizeof *required; k++) {
            if (strcmp(fs[i].name, required[k]))
                continue;
            if (fs[i].type == DG_FIELD_STR && !*dg_field_str(rec, &fs[i]))
                *dg_field_str(rec, &fs[i]) = str_value(d->arena, &fs[i]);
            else if (fs[i].type != DG_FIELD_STR && !dg_field_dec(rec, &fs[i])->set)
                *dg_field_dec(rec, &fs[i]) = dec_value(&fs[i]);
        }
    }
}

static dg_doc *generate(dg_doc_kind kind)
{
    dg_doc *d = dg_doc_new(kind);
    uint32_t empty = (uint32_t[]){0, 30, 60, 95}[rnd(4)]; /* full ... nearly nothing */
    fill(d, DG_FIELD_BODY, 0, empty);
    keep_required(d, DG_FIELD_BODY, 0);
    size_t ng = 0;
    dg_fields_groups(kind, &ng);
    for (int g = 0; g < (int)ng; g++) {
        /* none (an 850 without lines cannot be written), many, or a few */
        size_t count = chance(3) ? 0 : chance(5) ? 150 + rnd(150) : 1 + rnd(5);
        for (size_t k = 0; k < count; k++) {
            size_t idx = dg_fields_add(d, g);
            fill(d, g, idx, empty);
            keep_required(d, g, idx);
        }
    }
    if (kind == DG_DOC_SHIPMENT && chance(50)) { /* items that name their package */
        for (size_t k = 0; k < d->u.shipment.n_items && d->u.shipment.n_packages; k++)
            d->u.shipment.items[k].package_id =
                d->u.shipment.packages[k % d->u.shipment.n_packages].tracking_number;
    }
    return d;
}

typedef struct {
    const char *map;
    dg_doc_kind kind;
} target;

static void run(const target *t)
{
    dg_mapping *m = load_map(t->map);
    long ok = 0, refused = 0, structure = 0;
    dg_buf out = DG_BUF_INIT;
    for (int i = 0; i < DOCS; i++) {
        dg_doc *d = generate(t->kind);
        dg_map_envelope env = {"ZZ", "DROPGATE", "ZZ",   "PARTNER", i + 1,      i + 1,
                               1,    "20240305", "0930", false,     test_defs()};
        dg_error err = {0};
        dg_buf_clear(&out);
        int rc = dg_map_write(m, &d, 1, &env, &out, &err);
        if (rc == 0) {
            /* independent of the writer's own check: validate what it wrote */
            dg_x12_file_result *r = NULL;
            dg_error verr = {0};
            assert_int_equal(dg_x12_check_mem(test_defs(), out.data, out.len, "gen", &r, &verr), 0);
            if (r->rejected)
                fail_msg("%s: document %d written invalid: %s\n%s", t->map, i,
                         r->n_problems ? r->problems[0].msg : "?", out.data);
            assert_int_equal(r->n_sets, 1);
            dg_x12_file_result_free(r);
            ok++;
        } else if (rc == DG_EMAP || rc == DG_EVALID) {
            /* refused: the message names the mapping, the segment or rule, and the document */
            if (!strstr(err.msg, t->map) || !strstr(err.msg, "document 1"))
                fail_msg("%s: document %d refused with an unclear message: %s", t->map, i, err.msg);
            assert_int_equal(out.len, 0);
            refused++;
            if (getenv("GEN_DEBUG"))
                fprintf(stderr, "R %s\n", err.msg);
            /* The validator's refusal is only for what no segment-by-segment fitting can
             * mend: a mandatory loop with nothing in it (an 850 without lines), more loops
             * than the set allows (30 charges where the 810 takes 25). */
            if (rc == DG_EVALID) {
                if (!strstr(err.msg, "does not validate") ||
                    (!strstr(err.msg, "mandatory loop") && !strstr(err.msg, "occurs more than")))
                    fail_msg("%s: document %d: the writer produced X12 it could not make valid: "
                             "%s",
                             t->map, i, err.msg);
                structure++;
            }
        } else {
            fail_msg("%s: document %d: %s (%s): the writer produced X12 it could not make valid",
                     t->map, i, err.msg, dg_error_name(rc));
        }
        dg_doc_free(d);
    }
    dg_buf_free(&out);
    dg_map_free(m);
    print_message("%s: %d generated, %ld written and valid, %ld refused with a message (%ld of "
                  "them by the validator: an empty mandatory loop, too many loops)\n",
                  t->map, DOCS, ok, refused, structure);
    assert_int_equal(ok + refused, DOCS);
    assert_true(ok >= DOCS * 6 / 10); /* the refusals are the rare wrong values, not the rule */
}

static void orders_850(void **state)
{
    (void)state;
    run(&(target){"mappings/x12-850-out.yaml", DG_DOC_ORDER});
}

static void orders_855(void **state)
{
    (void)state;
    run(&(target){"mappings/x12-855-out.yaml", DG_DOC_ORDER});
}

static void shipments_856(void **state)
{
    (void)state;
    run(&(target){"mappings/x12-856-out.yaml", DG_DOC_SHIPMENT});
}

static void invoices_810(void **state)
{
    (void)state;
    run(&(target){"mappings/x12-810-out.yaml", DG_DOC_INVOICE});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(orders_850),
        cmocka_unit_test(orders_855),
        cmocka_unit_test(shipments_856),
        cmocka_unit_test(invoices_810),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
