/* The flow's declarative inputs: routing rules from etc/routing.yaml and the product catalog from
 * etc/catalog.csv, plus the small SQL and JSON helpers the other flow files share. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/conf.h"
#include "flow/flow_internal.h"

/* ---- shared helpers ---------------------------------------------------------------------- */

int fl_date_text(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    return (int)strftime(out, size, "%Y-%m-%d", &tm);
}

#define PARTY_FIELDS(X)                                                                            \
    X(id)                                                                                          \
    X(id_qualifier)                                                                                \
    X(name)                                                                                        \
    X(company) X(address1) X(address2) X(city) X(state) X(postal_code) X(country) X(phone) X(email)

char *fl_party_json(const dg_party *p)
{
    json_t *o = json_object();
#define PUT(f)                                                                                     \
    if (p->f)                                                                                      \
        json_object_set_new(o, #f, json_string(p->f));
    PARTY_FIELDS(PUT)
#undef PUT
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return text;
}

void fl_party_from_json(dg_arena *a, const char *text, dg_party *p)
{
    memset(p, 0, sizeof *p);
    if (!text)
        return;
    json_t *o = json_loads(text, 0, NULL);
    if (!o)
        return;
#define GET(f) p->f = dg_arena_strdup(a, json_string_value(json_object_get(o, #f)));
    PARTY_FIELDS(GET)
#undef GET
    json_decref(o);
}

/* ---- rules ------------------------------------------------------------------------------- */

const fl_supplier *fl_supplier_rules(const dg_flow_rules *r, const char *name)
{
    for (size_t i = 0; r && name && i < r->n_suppliers; i++)
        if (!strcmp(r->suppliers[i].name, name))
            return &r->suppliers[i];
    return NULL;
}

bool fl_stock_required(const dg_flow_rules *r, const char *supplier)
{
    const fl_supplier *sp = fl_supplier_rules(r, supplier);
    if (sp && sp->stock_required >= 0)
        return sp->stock_required != 0;
    return r->stock_required;
}

bool fl_is_test_supplier(const dg_flow_rules *r, const char *supplier)
{
    for (size_t i = 0; r && supplier && i < r->n_test; i++)
        if (!strcmp(r->test_names[i], supplier))
            return true;
    return false;
}

const char *fl_test_twin(const dg_flow_rules *r, const char *supplier)
{
    for (size_t i = 0; r && supplier && i < r->n_test; i++)
        if (r->test_of[i] && !strcmp(r->test_of[i], supplier))
            return r->test_names[i];
    return NULL;
}

static const char *test_of(const dg_flow_rules *r, const char *supplier)
{
    for (size_t i = 0; r && supplier && i < r->n_test; i++)
        if (!strcmp(r->test_names[i], supplier))
            return r->test_of[i];
    return NULL;
}

int dg_flow_rules_add_test_supplier(dg_flow_rules *r, const char *supplier, const char *of,
                                    dg_error *err)
{
    if (!r || !supplier || !*supplier)
        return dg_error_set(err, DG_EINVAL, "add_test_supplier: rules and a supplier name");
    if (of && fl_test_twin(r, of))
        return dg_error_set(err, DG_ECONFIG,
                            "partners %s and %s both say test_of: %s (one test partner each)",
                            fl_test_twin(r, of), supplier, of);
    size_t cap = r->n_test;
    r->test_names = dg_arena_grow(r->arena, r->test_names, sizeof *r->test_names, r->n_test, &cap,
                                  r->n_test + 1);
    cap = r->n_test;
    r->test_of =
        dg_arena_grow(r->arena, r->test_of, sizeof *r->test_of, r->n_test, &cap, r->n_test + 1);
    r->test_names[r->n_test] = dg_arena_strdup(r->arena, supplier);
    r->test_of[r->n_test] = of ? dg_arena_strdup(r->arena, of) : NULL;
    r->n_test++;
    return 0;
}

int dg_flow_rules_set_sla(dg_flow_rules *r, const char *supplier, long ack_997, long ack_855,
                          long first_856, dg_error *err)
{
    if (!r || !supplier || !*supplier)
        return dg_error_set(err, DG_EINVAL, "set_sla: rules and a supplier name");
    fl_supplier *sp = (fl_supplier *)fl_supplier_rules(r, supplier);
    if (!sp) { /* not in routing.yaml: a supplier with the defaults, plus its SLA */
        fl_supplier *grown = dg_arena_alloc(r->arena, (r->n_suppliers + 2) * sizeof *grown);
        if (r->n_suppliers)
            memcpy(grown, r->suppliers, r->n_suppliers * sizeof *grown);
        r->suppliers = grown;
        sp = &r->suppliers[r->n_suppliers++];
        memset(sp, 0, sizeof *sp);
        sp->name = dg_arena_strdup(r->arena, supplier);
        sp->enabled = true;
        sp->stock_required = -1;
        sp->ack_after = sp->asn_after = sp->ack855_after = -1;
    }
    if (ack_997 >= 0)
        sp->ack_after = ack_997;
    if (ack_855 >= 0)
        sp->ack855_after = ack_855;
    if (first_856 >= 0)
        sp->asn_after = first_856;
    return 0;
}

void fl_supplier_code(const dg_flow_rules *r, const char *supplier, char *out, size_t size)
{
    const fl_supplier *sp = fl_supplier_rules(r, supplier);
    const char *of = sp && sp->code ? NULL : test_of(r, supplier);
    if (of) { /* a test twin without a code of its own: "<production code>T" ("2001-NWT") */
        char base[64];
        fl_supplier_code(r, of, base, sizeof base);
        snprintf(out, size, "%sT", base);
        return;
    }
    const char *code = sp && sp->code ? sp->code : supplier;
    size_t i = 0;
    for (; code[i] && i + 1 < size; i++)
        out[i] = (char)toupper((unsigned char)code[i]);
    out[i] = '\0';
}

static void defaults(dg_flow_rules *r)
{
    r->choose[0] = FL_BY_PREFERRED;
    r->choose[1] = FL_BY_LANDED_COST;
    r->choose[2] = FL_BY_PRIORITY;
    r->n_choose = 3;
    r->split = true;
    r->stock_required = true;
    r->default_country = "US";
    r->allow_loss = true;
    r->currency = "USD";
    r->price_abs = (dg_dec){100, true}; /* 0.01 */
    r->price_pct = (dg_dec){0, true};
    r->total_tolerance = (dg_dec){100, true};
    r->ack_after = 24 * 3600;
    r->asn_after = 72 * 3600;
    r->reroute_max_attempts = 3;
    r->reroute_backorder = 7 * 24 * 3600;
}

dg_flow_rules *dg_flow_rules_default(void)
{
    dg_arena *a = dg_arena_new();
    dg_flow_rules *r = dg_arena_alloc(a, sizeof *r);
    r->arena = a;
    defaults(r);
    return r;
}

void dg_flow_rules_free(dg_flow_rules *r)
{
    if (r)
        dg_arena_free(r->arena);
}

static int bad(const dg_node *n, dg_error *err, const char *what)
{
    char where[512];
    return dg_error_set(err, DG_ECONFIG, "%s: %s%s%s", dg_conf_where(n, where, sizeof where),
                        n && n->key ? n->key : "", n && n->key ? ": " : "", what);
}

/* Unknown keys and wrong shapes (a list where a value belongs) are errors, so a typo never
 * silently changes routing. An absent block is fine. */
enum { T = DG_SHAPE_TEXT, M = DG_SHAPE_MAP, L = DG_SHAPE_LIST };

static int known_keys(const dg_node *map, const char *what, const dg_conf_key *keys, dg_error *err)
{
    return map ? dg_conf_check(map, what, keys, err) : 0;
}

static int get_dec(const dg_node *map, const char *key, dg_dec *out, dg_error *err)
{
    const dg_node *n = dg_conf_get(map, key);
    if (!n)
        return 0;
    if (n->type != DG_NODE_SCALAR || dg_dec_parse(n->value, strlen(n->value), 0, out))
        return bad(n, err, "must be a decimal number such as 12.50");
    if (out->v < 0)
        return bad(n, err, "must not be negative");
    return 0;
}

static int parse_duration(const char *text, long *out)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (end == text || v < 0)
        return -1;
    long mult = 1;
    if (*end == 's')
        end++;
    else if (*end == 'm')
        mult = 60, end++;
    else if (*end == 'h')
        mult = 3600, end++;
    else if (*end == 'd')
        mult = 86400, end++;
    if (*end)
        return -1;
    *out = v * mult;
    return 0;
}

static int get_duration(const dg_node *map, const char *key, long *out, dg_error *err)
{
    const dg_node *n = dg_conf_get(map, key);
    if (!n)
        return 0;
    if (n->type != DG_NODE_SCALAR || parse_duration(n->value, out))
        return bad(n, err, "must be a duration such as 90m, 24h or 3d");
    return 0;
}

static int get_bool(const dg_node *map, const char *key, bool *out, dg_error *err)
{
    return dg_conf_bool(map, key, *out, out, err);
}

/* A scalar or a sequence of scalars, upper-cased (country codes). */
static int get_list(dg_arena *a, const dg_node *map, const char *key, const char ***out, size_t *n,
                    dg_error *err)
{
    const dg_node *v = dg_conf_get(map, key);
    *out = NULL;
    *n = 0;
    if (!v)
        return 0;
    const dg_node *const *items = (const dg_node *const *)v->items;
    size_t count = v->n_items;
    if (v->type == DG_NODE_SCALAR) {
        items = &v;
        count = 1;
    } else if (v->type != DG_NODE_SEQ) {
        return bad(v, err, "must be a list such as [US, CA]");
    }
    *out = dg_arena_alloc(a, (count + 1) * sizeof **out);
    for (size_t i = 0; i < count; i++) {
        if (items[i]->type != DG_NODE_SCALAR)
            return bad(items[i], err, "list items must be plain values");
        char *c = dg_arena_strdup(a, items[i]->value);
        for (char *p = c; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        (*out)[(*n)++] = c;
    }
    return 0;
}

static int parse_choose(dg_flow_rules *r, const dg_node *root, dg_error *err)
{
    const dg_node *v = dg_conf_get(root, "choose");
    if (!v)
        return 0;
    const dg_node *const *items = (const dg_node *const *)v->items;
    size_t count = v->n_items;
    if (v->type == DG_NODE_SCALAR) {
        items = &v;
        count = 1;
    }
    if (v->type == DG_NODE_MAP || count == 0 || count > 3)
        return bad(v, err, "must list one to three of preferred, priority, landed_cost");
    r->n_choose = 0;
    for (size_t i = 0; i < count; i++) {
        const char *c = items[i]->value ? items[i]->value : "";
        fl_criterion k = !strcmp(c, "preferred")     ? FL_BY_PREFERRED
                         : !strcmp(c, "priority")    ? FL_BY_PRIORITY
                         : !strcmp(c, "landed_cost") ? FL_BY_LANDED_COST
                                                     : 0;
        if (!k)
            return bad(items[i], err, "choose: expected preferred, priority or landed_cost");
        r->choose[r->n_choose++] = k;
    }
    return 0;
}

static int parse_suppliers(dg_flow_rules *r, const dg_node *root, dg_error *err)
{
    static const dg_conf_key keys[] = {
        {"code", T},        {"enabled", T},     {"stock_required", T},
        {"ship_to", T | L}, {"ack_after", T},   {"asn_after", T},
        {"max_freight", T}, {"max_charges", T}, {NULL, 0}};
    const dg_node *m = dg_conf_get(root, "suppliers");
    if (!m)
        return 0;
    if (m->type != DG_NODE_MAP)
        return bad(m, err, "must map supplier names to their rules");
    r->suppliers = dg_arena_alloc(r->arena, (m->n_items + 1) * sizeof *r->suppliers);
    for (size_t i = 0; i < m->n_items; i++) {
        const dg_node *n = m->items[i];
        fl_supplier *sp = &r->suppliers[r->n_suppliers++];
        sp->name = dg_arena_strdup(r->arena, n->key);
        sp->enabled = true;
        sp->stock_required = -1;
        sp->ack_after = sp->asn_after = sp->ack855_after = -1;
        if (n->type == DG_NODE_SCALAR && (!n->value || !*n->value))
            continue; /* "brightline:" with no rules */
        int rc = known_keys(n, "a supplier's rules", keys, err);
        if (rc)
            return rc;
        sp->code = dg_arena_strdup(r->arena, dg_conf_str(n, "code", NULL));
        bool b = true;
        if ((rc = get_bool(n, "enabled", &b, err)))
            return rc;
        sp->enabled = b;
        if (dg_conf_get(n, "stock_required")) {
            b = true;
            if ((rc = get_bool(n, "stock_required", &b, err)))
                return rc;
            sp->stock_required = b;
        }
        if ((rc = get_list(r->arena, n, "ship_to", &sp->ship_to, &sp->n_ship_to, err)) ||
            (rc = get_duration(n, "ack_after", &sp->ack_after, err)) ||
            (rc = get_duration(n, "asn_after", &sp->asn_after, err)) ||
            (rc = get_dec(n, "max_freight", &sp->max_freight, err)) ||
            (rc = get_dec(n, "max_charges", &sp->max_charges, err)))
            return rc;
    }
    return 0;
}

static int parse_retailer(dg_flow_rules *r, const dg_node *root, dg_error *err)
{
    static const dg_conf_key keys[] = {
        {"id", T},       {"id_qualifier", T}, {"name", T},  {"company", T},     {"address1", T},
        {"address2", T}, {"city", T},         {"state", T}, {"postal_code", T}, {"country", T},
        {"phone", T},    {"email", T},        {NULL, 0}};
    const dg_node *m = dg_conf_get(root, "retailer");
    int rc = known_keys(m, "retailer", keys, err);
    if (rc || !m)
        return rc;
#define GET(f) r->retailer.f = dg_arena_strdup(r->arena, dg_conf_str(m, #f, NULL));
    PARTY_FIELDS(GET)
#undef GET
    return 0;
}

static int parse_rules(dg_flow_rules *r, const dg_node *root, dg_error *err)
{
    static const dg_conf_key top[] = {
        {"retailer", M},  {"currency", T},    {"default_country", T}, {"choose", T | L},
        {"split", T},     {"split_lines", T}, {"stock_required", T},  {"approval", M},
        {"suppliers", M}, {"reconcile", M},   {"overdue", M},         {"reroute", M},
        {NULL, 0}};
    static const dg_conf_key reroute[] = {{"max_attempts", T}, {"backorder_after", T}, {NULL, 0}};
    static const dg_conf_key approval[] = {{"max_line_amount", T}, {"allow_loss", T}, {NULL, 0}};
    static const dg_conf_key reconcile[] = {{"price_tolerance_abs", T}, {"price_tolerance_pct", T},
                                            {"max_freight", T},         {"max_charges", T},
                                            {"total_tolerance", T},     {NULL, 0}};
    static const dg_conf_key overdue[] = {{"ack_after", T}, {"asn_after", T}, {NULL, 0}};
    const dg_node *ap = dg_conf_get(root, "approval");
    const dg_node *rc_ = dg_conf_get(root, "reconcile");
    const dg_node *od = dg_conf_get(root, "overdue");
    const dg_node *rr = dg_conf_get(root, "reroute");
    int rc;
    if ((rc = dg_conf_check(root, "the routing rules", top, err)) ||
        (rc = known_keys(ap, "approval", approval, err)) ||
        (rc = known_keys(rc_, "reconcile", reconcile, err)) ||
        (rc = known_keys(od, "overdue", overdue, err)) ||
        (rc = known_keys(rr, "reroute", reroute, err)))
        return rc;
    r->currency = dg_arena_strdup(r->arena, dg_conf_str(root, "currency", r->currency));
    const char *dc = dg_conf_str(root, "default_country", r->default_country);
    char *c = dg_arena_strdup(r->arena, dc);
    for (char *p = c; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    r->default_country = c;
    if ((rc = parse_retailer(r, root, err)) || (rc = parse_choose(r, root, err)) ||
        (rc = get_bool(root, "split", &r->split, err)) ||
        (rc = get_bool(root, "split_lines", &r->split_lines, err)) ||
        (rc = get_bool(root, "stock_required", &r->stock_required, err)) ||
        (rc = get_dec(ap, "max_line_amount", &r->max_line_amount, err)) ||
        (rc = get_bool(ap, "allow_loss", &r->allow_loss, err)) ||
        (rc = parse_suppliers(r, root, err)) ||
        (rc = get_dec(rc_, "price_tolerance_abs", &r->price_abs, err)) ||
        (rc = get_dec(rc_, "price_tolerance_pct", &r->price_pct, err)) ||
        (rc = get_dec(rc_, "max_freight", &r->max_freight, err)) ||
        (rc = get_dec(rc_, "max_charges", &r->max_charges, err)) ||
        (rc = get_dec(rc_, "total_tolerance", &r->total_tolerance, err)) ||
        (rc = get_duration(od, "ack_after", &r->ack_after, err)) ||
        (rc = get_duration(od, "asn_after", &r->asn_after, err)) ||
        (rc = get_duration(rr, "backorder_after", &r->reroute_backorder, err)) ||
        (rc = dg_conf_long(rr, "max_attempts", r->reroute_max_attempts, &r->reroute_max_attempts,
                           err)))
        return rc;
    if (r->reroute_max_attempts < 1 || r->reroute_max_attempts > 20)
        return dg_error_set(err, DG_ECONFIG,
                            "routing rules: reroute.max_attempts must be 1..20 (suppliers a line "
                            "may be offered to in all, the first one included), got %ld",
                            r->reroute_max_attempts);
    return 0;
}

static int rules_from_tree(dg_node *root, dg_flow_rules **out, dg_error *err)
{
    dg_flow_rules *r = dg_flow_rules_default();
    int rc = parse_rules(r, root, err);
    dg_conf_free(root);
    if (rc) {
        dg_flow_rules_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int dg_flow_rules_load(const char *path, dg_flow_rules **out, dg_error *err)
{
    *out = NULL;
    dg_node *root = NULL;
    int rc = dg_conf_load(path, &root, err);
    if (rc)
        return rc;
    return rules_from_tree(root, out, err);
}

int dg_flow_rules_parse(const char *text, size_t len, const char *name, dg_flow_rules **out,
                        dg_error *err)
{
    *out = NULL;
    dg_node *root = NULL;
    int rc = dg_conf_parse(text, len, name, &root, err);
    if (rc)
        return rc;
    if (!root) /* empty document: defaults */
        return (*out = dg_flow_rules_default()) ? 0 : DG_ENOMEM;
    return rules_from_tree(root, out, err);
}

/* ---- catalog ----------------------------------------------------------------------------- */

enum {
    C_SKU,
    C_GTIN,
    C_SUPPLIER,
    C_SUPPLIER_SKU,
    C_COST,
    C_PRIORITY,
    C_PREFERRED,
    C_SHIP_EST,
    C_FEE,
    C_SHIP_TO,
    C_APPROVED,
    C_DESC,
    C_N
};
static const char *const cat_cols[C_N] = {"retailer_sku", "gtin",     "supplier",  "supplier_sku",
                                          "cost",         "priority", "preferred", "ship_estimate",
                                          "dropship_fee", "ship_to",  "approved",  "description"};

/* Splits one CSV record in place (RFC 4180 quotes, no embedded newlines). */
static size_t csv_split(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    while (n < max) {
        char *out = p, *start = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '"' && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else if (!*p) {
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            while (*p && *p != ',')
                p++;
        } else {
            while (*p && *p != ',')
                *out++ = *p++;
        }
        char sep = *p;
        *out = '\0';
        /* trim */
        while (*start == ' ' || *start == '\t')
            start++;
        for (char *e = start + strlen(start); e > start && (e[-1] == ' ' || e[-1] == '\t');)
            *--e = '\0';
        fields[n++] = start;
        if (!sep)
            break;
        p++;
    }
    return n;
}

static int cat_dec(const char *v, dg_dec *d)
{
    *d = (dg_dec){0, false};
    if (!v || !*v)
        return 0;
    return dg_dec_parse(v, strlen(v), 0, d);
}

static int catalog_row(dg_store *s, char **f, const int *col, const char *path, int lineno,
                       dg_error *err)
{
    const char *v[C_N];
    for (int i = 0; i < C_N; i++)
        v[i] = col[i] >= 0 && f[col[i]] && *f[col[i]] ? f[col[i]] : NULL;
    if (!v[C_SKU] || !v[C_SUPPLIER] || !v[C_SUPPLIER_SKU])
        return dg_error_set(err, DG_ECONFIG,
                            "%s:%d: retailer_sku, supplier and supplier_sku are required", path,
                            lineno);
    dg_dec cost, est, fee;
    const char *which = NULL;
    if (cat_dec(v[C_COST], &cost))
        which = "cost";
    else if (cat_dec(v[C_SHIP_EST], &est))
        which = "ship_estimate";
    else if (cat_dec(v[C_FEE], &fee))
        which = "dropship_fee";
    if (which)
        return dg_error_set(err, DG_ECONFIG, "%s:%d: %s must be a decimal number", path, lineno,
                            which);
    char ship[256] = "";
    if (v[C_SHIP_TO]) { /* normalise "US|CA" or "US CA" to " US CA " for LIKE matching */
        size_t k = 0;
        ship[k++] = ' ';
        for (const char *p = v[C_SHIP_TO]; *p && k + 2 < sizeof ship; p++)
            ship[k++] =
                (*p == '|' || *p == ';' || *p == ',') ? ' ' : (char)toupper((unsigned char)*p);
        ship[k++] = ' ';
        ship[k] = '\0';
    }
    dg_store_catalog_row row = {.retailer_sku = v[C_SKU],
                                .gtin = v[C_GTIN],
                                .supplier = v[C_SUPPLIER],
                                .supplier_sku = v[C_SUPPLIER_SKU],
                                .description = v[C_DESC],
                                .ship_to = ship[0] ? ship : NULL,
                                .cost = cost,
                                .priority = v[C_PRIORITY] ? strtol(v[C_PRIORITY], NULL, 10) : 100,
                                .ship_estimate = est.set ? est.v : 0,
                                .dropship_fee = fee.set ? fee.v : 0,
                                .preferred = v[C_PREFERRED] && strchr("1yYtT", v[C_PREFERRED][0]),
                                .approved = !v[C_APPROVED] || strchr("1yYtT", v[C_APPROVED][0])};
    dg_error why = {0};
    if (dg_store_catalog_add(s, &row, &why))
        return dg_error_set(err, DG_ECONFIG, "%s:%d: %s", path, lineno, why.msg);
    return 0;
}

int dg_flow_catalog_load(dg_store *s, const char *path, size_t *rows, dg_error *err)
{
    if (rows)
        *rows = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return dg_error_set(err, DG_ECONFIG, "%s: cannot open the catalog", path);
    int rc = dg_store_begin(s, err);
    if (rc) {
        fclose(f);
        return rc;
    }
    if ((rc = dg_store_catalog_clear(s, err)))
        goto fail;
    char line[4096];
    char *fields[64];
    int col[C_N], lineno = 0;
    bool header = false;
    size_t count = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        size_t n = csv_split(line, fields, 64);
        if (!header) {
            for (int i = 0; i < C_N; i++) {
                col[i] = -1;
                for (size_t k = 0; k < n; k++)
                    if (!strcmp(fields[k], cat_cols[i]))
                        col[i] = (int)k;
            }
            if (col[C_SKU] < 0 || col[C_SUPPLIER] < 0 || col[C_SUPPLIER_SKU] < 0) {
                rc = dg_error_set(err, DG_ECONFIG,
                                  "%s:%d: header must name retailer_sku, supplier and "
                                  "supplier_sku",
                                  path, lineno);
                goto fail;
            }
            header = true;
            continue;
        }
        for (size_t k = n; k < 64; k++)
            fields[k] = NULL;
        if ((rc = catalog_row(s, fields, col, path, lineno, err)))
            goto fail;
        count++;
    }
    fclose(f);
    f = NULL;
    if ((rc = dg_store_commit(s, err)))
        return rc;
    if (rows)
        *rows = count;
    return 0;
fail:
    if (f)
        fclose(f);
    dg_store_rollback(s);
    return rc;
}
