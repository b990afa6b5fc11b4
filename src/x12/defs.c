/* Loader for the edi/ definition folders: YAML -> resolved tables per version. A version that
 * inherits another sees the parent's elements, segments, code lists and sets unless it defines
 * its own with the same key; every reference is resolved at load time, so validation never
 * looks anything up by name except the segment id of an unexpected segment. */
#include "x12/defs.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/conf.h"

#define MAX_VERSIONS 16
#define MAX_FILES 64

typedef struct {
    const char *key;
    const dg_node *node;
} raw;

typedef struct {
    raw *items;
    size_t n, cap;
} raw_list;

struct dg_x12_version {
    char name[7];
    char inherits[7];
    bool is_default;
    const dg_x12_version *parent;
    raw_list elements, composites, segments, codes, known, sets, ack_codes;
    /* ack_codes resolved: kind ("AK905"), checker code, code written in this version */
    struct ack_map {
        char kind[6], from[4], to[4];
    } * acks;
    size_t n_acks, cap_acks;
    /* resolved, sorted by key */
    dg_x12_elem_def **elem;
    size_t n_elem;
    dg_x12_comp_def **comp;
    size_t n_comp;
    dg_x12_seg_def **seg;
    size_t n_seg;
    dg_x12_set_def **set;
    size_t n_set;
    bool resolved;
};

struct dg_x12_defs {
    uint64_t serial; /* dg_x12_defs_serial */
    dg_arena *arena;
    dg_x12_version *versions[MAX_VERSIONS];
    size_t n_versions;
    dg_node *files[MAX_FILES * MAX_VERSIONS];
    size_t n_files;
};

static const char *where(const dg_node *n, char *buf, size_t size)
{
    return dg_conf_where(n, buf, size);
}

static int bad(const dg_node *n, const char *fmt, const char *a, const char *b, dg_error *err)
{
    char w[512];
    char msg[512];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    return dg_error_set(err, DG_ECONFIG, "%s: %s", where(n, w, sizeof w), msg);
}

static void raw_add(dg_arena *a, raw_list *l, const char *key, const dg_node *node)
{
    l->items = dg_arena_grow(a, l->items, sizeof *l->items, l->n, &l->cap, l->n + 1);
    l->items[l->n].key = key;
    l->items[l->n].node = node;
    l->n++;
}

/* Nearest definition of key along the inheritance chain. */
static const dg_node *raw_find(const dg_x12_version *v, size_t list_off, const char *key)
{
    for (; v; v = v->parent) {
        const raw_list *l = (const raw_list *)((const char *)v + list_off);
        for (size_t i = l->n; i-- > 0;)
            if (!strcmp(l->items[i].key, key))
                return l->items[i].node;
    }
    return NULL;
}

#define FIND(v, list, key) raw_find(v, offsetof(dg_x12_version, list), key)

static uint64_t use_mask(const dg_x12_elem_use *u, int n);
static void index_rules(dg_arena *a, const dg_x12_rule *rules, int n, const uint64_t **at,
                        uint64_t *r_rules);

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- elements -------------------------------------------------------------------------- */

static int parse_type(const char *s, dg_x12_type *t, int *dec)
{
    static const struct {
        const char *name;
        dg_x12_type t;
    } types[] = {{"AN", DG_X12_AN}, {"ID", DG_X12_ID}, {"R", DG_X12_R}, {"DT", DG_X12_DT},
                 {"TM", DG_X12_TM}, {"B", DG_X12_B},   {"N", DG_X12_N}};
    *dec = 0;
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (!strcmp(s, types[i].name)) {
            *t = types[i].t;
            return 0;
        }
    if (s[0] == 'N' && s[1] >= '0' && s[1] <= '9' && !s[2]) {
        *t = DG_X12_N;
        *dec = s[1] - '0';
        return 0;
    }
    return -1;
}

static int scalar_long(const dg_node *n, long *out)
{
    if (!n || n->type != DG_NODE_SCALAR || !n->value[0])
        return -1;
    char *end;
    *out = strtol(n->value, &end, 10);
    return *end ? -1 : 0;
}

/* Up to 8 bytes as a big-endian integer, zero padded: same order as the strings. */
static uint64_t pack8(const char *s, size_t n)
{
    return dg_x12_pack8(s, n);
}

static uint64_t mix64(uint64_t k)
{
    return dg_x12_mix64(k);
}

static int build_elem(dg_arena *a, const dg_x12_version *v, const raw *r, dg_x12_elem_def **out,
                      dg_error *err)
{
    const dg_node *n = r->node;
    if (n->type != DG_NODE_SEQ || n->n_items < 3 || n->items[0]->type != DG_NODE_SCALAR)
        return bad(n, "element %s: expected [TYPE, MIN, MAX, name]", r->key, NULL, err);
    if (strlen(r->key) >= sizeof((*out)->ref))
        return bad(n, "element id '%s' is too long", r->key, NULL, err);
    dg_x12_elem_def *e = dg_arena_alloc(a, sizeof *e);
    snprintf(e->ref, sizeof e->ref, "%s", r->key);
    if (parse_type(n->items[0]->value, &e->type, &e->decimals))
        return bad(n, "element %s: unknown type '%s' (AN, ID, N0..N9, R, DT, TM, B)", r->key,
                   n->items[0]->value, err);
    long mn, mx;
    if (scalar_long(n->items[1], &mn) || scalar_long(n->items[2], &mx) || mn < 0 || mx < 1 ||
        mn > mx || mx > 100000)
        return bad(n, "element %s: MIN and MAX must be numbers with 0 <= MIN <= MAX", r->key, NULL,
                   err);
    e->min = (int)mn;
    e->max = (int)mx;
    e->name = n->n_items > 3 && n->items[3]->type == DG_NODE_SCALAR
                  ? dg_arena_strdup(a, n->items[3]->value)
                  : "";
    /* the nearest version that lists codes for this element decides, closed or known-only */
    const dg_node *codes = NULL;
    for (const dg_x12_version *p = v; p && !codes; p = p->parent) {
        dg_x12_version one = *p;
        one.parent = NULL;
        if ((codes = FIND(&one, codes, r->key)) == NULL && (codes = FIND(&one, known, r->key)))
            e->codes_open = true;
    }
    if (codes) {
        if (codes->type != DG_NODE_SEQ)
            return bad(codes, "codes for %s: expected a list of values", r->key, NULL, err);
        const char **vals = dg_arena_alloc(a, (codes->n_items + 1) * sizeof *vals);
        for (size_t i = 0; i < codes->n_items; i++) {
            if (codes->items[i]->type != DG_NODE_SCALAR)
                return bad(codes->items[i], "codes for %s: expected a value", r->key, NULL, err);
            vals[i] = dg_arena_strdup(a, codes->items[i]->value);
        }
        qsort(vals, codes->n_items, sizeof *vals, cmp_str);
        e->codes = vals;
        e->n_codes = codes->n_items;
        uint64_t *packed = dg_arena_alloc(a, (codes->n_items + 1) * sizeof *packed);
        bool all_short = true;
        for (size_t i = 0; i < e->n_codes && all_short; i++) {
            size_t len = strlen(vals[i]);
            all_short = len <= 8;
            packed[i] = pack8(vals[i], len);
        }
        if (all_short) { /* sorted strings of <= 8 bytes pack in the same order */
            e->packed = packed;
            size_t cap = 16;
            while (cap < e->n_codes * 3)
                cap *= 2;
            uint64_t *h = dg_arena_alloc(a, cap * sizeof *h);
            for (size_t i = 0; i < e->n_codes; i++) {
                size_t j = (size_t)mix64(packed[i]) & (cap - 1);
                while (h[j] && h[j] != packed[i])
                    j = (j + 1) & (cap - 1);
                h[j] = packed[i];
            }
            e->hash = h;
            e->hash_mask = cap - 1;
        }
    }
    *out = e;
    return 0;
}

static const dg_x12_elem_def *v_elem(const dg_x12_version *v, const char *ref)
{
    size_t lo = 0, hi = v->n_elem;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(v->elem[mid]->ref, ref);
        if (!c)
            return v->elem[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const dg_x12_comp_def *v_comp(const dg_x12_version *v, const char *ref)
{
    for (size_t i = 0; i < v->n_comp; i++)
        if (!strcmp(v->comp[i]->ref, ref))
            return v->comp[i];
    return NULL;
}

/* "353 M" / "C001 O" -> one element use. */
static int parse_use(const dg_x12_version *v, const dg_node *n, const char *owner,
                     dg_x12_elem_use *u, bool allow_comp, dg_error *err)
{
    char ref[16], usage[4];
    if (n->type != DG_NODE_SCALAR || sscanf(n->value, "%15s %3s", ref, usage) != 2 ||
        strlen(usage) != 1)
        return bad(n, "%s: element entry must be 'REF USAGE' (e.g. '353 M'), got '%s'", owner,
                   n->type == DG_NODE_SCALAR ? n->value : "(not text)", err);
    char us = usage[0] == 'C' ? 'X' : usage[0];
    if (us != 'M' && us != 'O' && us != 'X')
        return bad(n, "%s: usage must be M, O or X, got '%s'", owner, usage, err);
    u->usage = us;
    if (ref[0] == 'C' && ref[1] >= '0' && ref[1] <= '9') {
        if (!allow_comp)
            return bad(n, "%s: a composite cannot hold composite %s", owner, ref, err);
        u->comp = v_comp(v, ref);
        if (!u->comp)
            return bad(n, "%s: unknown composite %s", owner, ref, err);
    } else {
        u->elem = v_elem(v, ref);
        if (!u->elem)
            return bad(n, "%s: unknown data element %s (add it under elements:)", owner, ref, err);
    }
    return 0;
}

static int parse_rules(dg_arena *a, const dg_node *map, const char *owner, const dg_x12_rule **out,
                       int *n_out, int n_elems, dg_error *err)
{
    const dg_node *syn = dg_conf_get(map, "syntax");
    *out = NULL;
    *n_out = 0;
    if (!syn)
        return 0;
    if (syn->type != DG_NODE_SEQ)
        return bad(syn, "%s: syntax must be a list like [P0304, R0203]", owner, NULL, err);
    dg_x12_rule *rules = dg_arena_alloc(a, (syn->n_items + 1) * sizeof *rules);
    for (size_t i = 0; i < syn->n_items; i++) {
        const dg_node *r = syn->items[i];
        const char *s = r->type == DG_NODE_SCALAR ? r->value : "";
        size_t len = strlen(s);
        if (!strchr("PRECL", s[0]) || !s[0] || len < 5 || (len - 1) % 2 || len > 17)
            return bad(r, "%s: bad syntax rule '%s' (P, R, E, C or L and 2-digit positions)", owner,
                       s, err);
        dg_x12_rule *ru = &rules[i];
        ru->kind = s[0];
        snprintf(ru->text, sizeof ru->text, "%s", s);
        for (size_t k = 1; k < len; k += 2) {
            if (s[k] < '0' || s[k] > '9' || s[k + 1] < '0' || s[k + 1] > '9')
                return bad(r, "%s: bad syntax rule '%s'", owner, s, err);
            int p = (s[k] - '0') * 10 + (s[k + 1] - '0');
            if (p < 1 || p > n_elems)
                return bad(r, "%s: syntax rule '%s' names a position the segment lacks", owner, s,
                           err);
            ru->pos[ru->n++] = p;
            if (p < 64)
                ru->mask |= 1ULL << p;
        }
    }
    *out = rules;
    *n_out = (int)syn->n_items;
    return 0;
}

static int parse_uses(dg_arena *a, const dg_x12_version *v, const dg_node *map, const char *key,
                      const char *owner, const dg_x12_elem_use **out, int *n_out, bool allow_comp,
                      dg_error *err)
{
    const dg_node *list = dg_conf_get(map, key);
    if (!list || list->type != DG_NODE_SEQ)
        return bad(map, "%s: needs a '%s' list", owner, key, err);
    dg_x12_elem_use *uses = dg_arena_alloc(a, (list->n_items + 1) * sizeof *uses);
    for (size_t i = 0; i < list->n_items; i++) {
        int rc = parse_use(v, list->items[i], owner, &uses[i], allow_comp, err);
        if (rc)
            return rc;
    }
    *out = uses;
    *n_out = (int)list->n_items;
    return 0;
}

static int build_comp(dg_arena *a, const dg_x12_version *v, const raw *r, dg_x12_comp_def **out,
                      dg_error *err)
{
    const dg_node *n = r->node;
    if (n->type != DG_NODE_MAP)
        return bad(n, "composite %s: expected a map with name and components", r->key, NULL, err);
    dg_x12_comp_def *c = dg_arena_alloc(a, sizeof *c);
    snprintf(c->ref, sizeof c->ref, "%s", r->key);
    c->name = dg_arena_strdup(a, dg_conf_str(n, "name", ""));
    int rc = parse_uses(a, v, n, "components", r->key, &c->comps, &c->n_comps, false, err);
    if (!rc)
        rc = parse_rules(a, n, r->key, &c->rules, &c->n_rules, c->n_comps, err);
    if (!rc)
        c->mandatory = use_mask(c->comps, c->n_comps);
    if (!rc)
        index_rules(a, c->rules, c->n_rules, &c->rules_at, &c->rules_r);
    *out = c;
    return rc;
}

/* The compiled checks of each element position (see dg_x12_flat). */
static const dg_x12_flat *flatten(dg_arena *a, const dg_x12_elem_use *uses, int n)
{
    dg_x12_flat *f = dg_arena_alloc(a, ((size_t)n + 1) * sizeof *f);
    for (int i = 0; i < n; i++) {
        const dg_x12_elem_def *e = uses[i].elem;
        if (!e)
            continue; /* a composite: DG_X12_FLAT_GENERAL */
        f[i].min = (uint32_t)e->min;
        f[i].max = (uint32_t)e->max;
        switch (e->type) {
        case DG_X12_ID:
            if (!e->codes) {
                f[i].kind = DG_X12_FLAT_TEXT;
            } else if (e->hash) {
                f[i].kind = DG_X12_FLAT_CODE;
                f[i].hash = e->hash;
                f[i].hash_mask = (uint32_t)e->hash_mask;
            }
            break;
        case DG_X12_AN: f[i].kind = DG_X12_FLAT_TEXT; break;
        case DG_X12_N: f[i].kind = DG_X12_FLAT_INT; break;
        case DG_X12_R: f[i].kind = DG_X12_FLAT_DEC; break;
        case DG_X12_DT: f[i].kind = DG_X12_FLAT_DATE; break;
        case DG_X12_TM: f[i].kind = DG_X12_FLAT_TIME; break;
        case DG_X12_B: f[i].kind = DG_X12_FLAT_ANY; break;
        }
    }
    return f;
}

/* dg_x12_seg_def.flat_lo/hi and the kind masks from s->flat: the length bounds under which
 * flat_ok (validate.c) can say yes, so that a length outside them is refused without a look at
 * the value (a refused value goes to the general checks; only a yes must be exact). */
static void flat_bounds(dg_arena *a, dg_x12_seg_def *s)
{
    size_t n = ((size_t)s->n_elems + 3) / 4 * 4 + 4;
    int32_t *lo = dg_arena_alloc(a, n * sizeof *lo), *hi = dg_arena_alloc(a, n * sizeof *hi);
    for (size_t i = 0; i < n; i++) {
        lo[i] = 1; /* never: no length is >= 1 and <= 0 */
        hi[i] = 0;
    }
    for (int i = 0; i < s->n_elems; i++) {
        const dg_x12_flat *f = &s->flat[i];
        const uint64_t bit = i < 63 ? 1ULL << (i + 1) : 0;
        /* values are shorter than the reader's 1 GiB limit, so a bound of INT32_MAX is none */
        int32_t min = f->min > INT32_MAX ? INT32_MAX : (int32_t)f->min;
        int32_t max = f->max > INT32_MAX ? INT32_MAX : (int32_t)f->max;
        switch ((dg_x12_flat_kind)f->kind) {
        case DG_X12_FLAT_GENERAL: continue;
        case DG_X12_FLAT_TEXT: lo[i] = min, hi[i] = max; break;
        case DG_X12_FLAT_CODE: /* codes of at most 8 bytes are in the hash table */
            lo[i] = min, hi[i] = max < 8 ? max : 8;
            s->flat_code |= bit;
            break;
        case DG_X12_FLAT_INT: /* digits are counted, not bytes: the value's test decides */
        case DG_X12_FLAT_DEC:
            lo[i] = 1, hi[i] = INT32_MAX;
            s->flat_num |= bit;
            break;
        case DG_X12_FLAT_DATE:
            lo[i] = min, hi[i] = max;
            s->flat_date |= bit;
            break;
        case DG_X12_FLAT_TIME:
            lo[i] = 1, hi[i] = INT32_MAX;
            s->flat_time |= bit;
            break;
        case DG_X12_FLAT_ANY: lo[i] = 1, hi[i] = INT32_MAX; break;
        }
    }
    s->flat_lo = lo;
    s->flat_hi = hi;
}

static int build_seg(dg_arena *a, const dg_x12_version *v, const raw *r, dg_x12_seg_def **out,
                     dg_error *err)
{
    const dg_node *n = r->node;
    if (n->type != DG_NODE_MAP)
        return bad(n, "segment %s: expected a map with name and elements", r->key, NULL, err);
    if (strlen(r->key) < 2 || strlen(r->key) > 3)
        return bad(n, "segment id '%s' must have 2 or 3 characters", r->key, NULL, err);
    dg_x12_seg_def *s = dg_arena_alloc(a, sizeof *s);
    snprintf(s->id, sizeof s->id, "%s", r->key);
    s->key = dg_x12_seg_key(s->id);
    s->name = dg_arena_strdup(a, dg_conf_str(n, "name", ""));
    if (!dg_conf_get(n, "elements")) { /* structure only: content not checked */
        s->n_elems = -1;
        *out = s;
        return 0;
    }
    int rc = parse_uses(a, v, n, "elements", r->key, &s->elems, &s->n_elems, true, err);
    if (!rc)
        rc = parse_rules(a, n, r->key, &s->rules, &s->n_rules, s->n_elems, err);
    if (!rc)
        s->mandatory = use_mask(s->elems, s->n_elems);
    if (!rc)
        index_rules(a, s->rules, s->n_rules, &s->rules_at, &s->rules_r);
    if (!rc)
        s->flat = flatten(a, s->elems, s->n_elems);
    if (!rc)
        flat_bounds(a, s);
    *out = s;
    return rc;
}

/* ---- set structure --------------------------------------------------------------------- */

static const dg_x12_seg_def *v_seg(const dg_x12_version *v, const char *id)
{
    size_t lo = 0, hi = v->n_seg;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(v->seg[mid]->id, id);
        if (!c)
            return v->seg[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int parse_max(const char *s, long *max)
{
    if (!strcmp(s, ">1")) {
        *max = 0;
        return 0;
    }
    char *end;
    *max = strtol(s, &end, 10);
    return *end || *max < 1 ? -1 : 0;
}

static int build_body(dg_arena *a, const dg_x12_version *v, const dg_node *list, const char *set,
                      dg_x12_node **out, size_t *n_out, dg_error *err);

/* For each position, which rules name it: the validator then looks only at rules touching a
 * present element, plus the R rules (which fail when nothing is present). */
static void index_rules(dg_arena *a, const dg_x12_rule *rules, int n, const uint64_t **at,
                        uint64_t *r_rules)
{
    *at = NULL;
    *r_rules = 0;
    if (!n || n > 64)
        return;
    uint64_t *t = dg_arena_alloc(a, 64 * sizeof *t);
    for (int r = 0; r < n; r++) {
        if (rules[r].kind == 'R')
            *r_rules |= 1ULL << r;
        for (int k = 0; k < rules[r].n; k++)
            if (rules[r].pos[k] < 64)
                t[rules[r].pos[k]] |= 1ULL << r;
    }
    *at = t;
}

static uint64_t use_mask(const dg_x12_elem_use *u, int n)
{
    uint64_t m = 0;
    for (int i = 0; i < n && i < 63; i++)
        if (u[i].usage == 'M')
            m |= 1ULL << (i + 1);
    return m;
}

static void bloom_of(uint64_t bloom[4], const dg_x12_node *body, size_t n, bool is_loop)
{
    for (size_t q = is_loop ? 1 : 0; q < n; q++) {
        unsigned bit = dg_x12_key_bit(body[q].key);
        bloom[bit / 64] |= 1ULL << (bit % 64);
    }
}

static const uint32_t *keys_of(dg_arena *a, const dg_x12_node *body, size_t n)
{
    uint32_t *k = dg_arena_alloc(a, (n + 1) * sizeof *k);
    for (size_t q = 0; q < n; q++)
        k[q] = body[q].key;
    return k;
}

static uint64_t mandatory_mask(const dg_x12_node *body, size_t n)
{
    if (n > 64)
        return ~0ULL;
    uint64_t m = 0;
    for (size_t q = 0; q < n; q++)
        if (body[q].usage == 'M')
            m |= 1ULL << q;
    return m;
}

static int build_entry(dg_arena *a, const dg_x12_version *v, const dg_node *e, const char *set,
                       dg_x12_node *node, dg_error *err)
{
    if (e->type == DG_NODE_SCALAR) {
        char id[8], usage[4], max[16];
        if (sscanf(e->value, "%7s %3s %15s", id, usage, max) != 3)
            return bad(e, "set %s: entry must be 'SEG USAGE MAX' (e.g. 'REF O >1'), got '%s'", set,
                       e->value, err);
        node->seg = v_seg(v, id);
        if (!node->seg)
            return bad(e, "set %s: segment %s is not in the segment dictionary", set, id, err);
        node->key = node->seg->key;
        node->usage = usage[0];
        if ((usage[0] != 'M' && usage[0] != 'O') || usage[1])
            return bad(e, "set %s: usage must be M or O, got '%s'", set, usage, err);
        if (parse_max(max, &node->max))
            return bad(e, "set %s: max use must be a number or '>1', got '%s'", set, max, err);
        return 0;
    }
    if (e->type != DG_NODE_MAP || !dg_conf_get(e, "loop"))
        return bad(e, "set %s: entry must be a segment line or a map with loop/usage/repeat/body",
                   set, NULL, err);
    const char *lid = dg_conf_str(e, "loop", "");
    const char *usage = dg_conf_str(e, "usage", "O");
    const char *rep = dg_conf_str(e, "repeat", ">1");
    if (!lid[0] || strlen(lid) >= sizeof node->loop_id)
        return bad(e, "set %s: loop id '%s' must have 1 to 6 characters", set, lid, err);
    snprintf(node->loop_id, sizeof node->loop_id, "%s", lid);
    if ((usage[0] != 'M' && usage[0] != 'O') || usage[1])
        return bad(e, "set %s: loop usage must be M or O, got '%s'", set, usage, err);
    node->usage = usage[0];
    if (parse_max(rep, &node->max))
        return bad(e, "set %s: loop repeat must be a number or '>1', got '%s'", set, rep, err);
    const dg_node *body = dg_conf_get(e, "body");
    if (!body || body->type != DG_NODE_SEQ || !body->n_items)
        return bad(e, "set %s: loop %s needs a non-empty body list", set, lid, err);
    dg_x12_node *kids;
    size_t nk;
    int rc = build_body(a, v, body, set, &kids, &nk, err);
    if (rc)
        return rc;
    if (kids[0].loop_id[0])
        return bad(e, "set %s: loop %s must start with a segment, not a loop", set, lid, err);
    node->seg = kids[0].seg;
    node->key = kids[0].key;
    node->body = kids;
    node->n_body = nk;
    node->mandatory = mandatory_mask(kids, nk);
    bloom_of(node->bloom, kids, nk, true);
    node->keys = keys_of(a, kids, nk);
    return 0;
}

static int build_body(dg_arena *a, const dg_x12_version *v, const dg_node *list, const char *set,
                      dg_x12_node **out, size_t *n_out, dg_error *err)
{
    dg_x12_node *nodes = dg_arena_alloc(a, (list->n_items + 1) * sizeof *nodes);
    for (size_t i = 0; i < list->n_items; i++) {
        int rc = build_entry(a, v, list->items[i], set, &nodes[i], err);
        if (rc)
            return rc;
    }
    *out = nodes;
    *n_out = list->n_items;
    return 0;
}

static int build_hl(dg_arena *a, const dg_node *n, const char *set, dg_x12_set_def *s,
                    dg_error *err)
{
    if (n->type != DG_NODE_MAP)
        return bad(n, "set %s: hl_levels must map a level code to its allowed parent codes", set,
                   NULL, err);
    dg_x12_hl_level *lv = dg_arena_alloc(a, (n->n_items + 1) * sizeof *lv);
    for (size_t i = 0; i < n->n_items; i++) {
        const dg_node *p = n->items[i];
        snprintf(lv[i].code, sizeof lv[i].code, "%s", p->key);
        if (p->type != DG_NODE_SEQ)
            return bad(p, "set %s: hl_levels.%s must be a list of parent codes ('-' = none)", set,
                       p->key, err);
        const char **par = dg_arena_alloc(a, (p->n_items + 1) * sizeof *par);
        for (size_t k = 0; k < p->n_items; k++) {
            const char *val = p->items[k]->type == DG_NODE_SCALAR ? p->items[k]->value : "";
            par[k] = dg_arena_strdup(a, strcmp(val, "-") ? val : "");
        }
        lv[i].parents = par;
        lv[i].n_parents = p->n_items;
    }
    s->hl_levels = lv;
    s->n_hl_levels = n->n_items;
    return 0;
}

static int build_set(dg_arena *a, const dg_x12_version *v, const raw *r, dg_x12_set_def **out,
                     dg_error *err)
{
    const dg_node *n = r->node;
    dg_x12_set_def *s = dg_arena_alloc(a, sizeof *s);
    snprintf(s->id, sizeof s->id, "%s", r->key);
    s->name = dg_arena_strdup(a, dg_conf_str(n, "name", ""));
    snprintf(s->group, sizeof s->group, "%s", dg_conf_str(n, "group", ""));
    s->version = v->name;
    const dg_node *st = dg_conf_get(n, "structure");
    if (!st || st->type != DG_NODE_SEQ || st->n_items < 2)
        return bad(n, "set %s: needs a 'structure' list from ST to SE", r->key, NULL, err);
    dg_x12_node *body;
    size_t nb;
    int rc = build_body(a, v, st, r->key, &body, &nb, err);
    if (rc)
        return rc;
    if (strcmp(body[0].seg->id, "ST") || strcmp(body[nb - 1].seg->id, "SE") ||
        body[nb - 1].loop_id[0])
        return bad(st, "set %s: structure must start with ST and end with SE", r->key, NULL, err);
    s->root.seg = body[0].seg;
    s->root.key = body[0].key;
    s->root.usage = 'M';
    s->root.max = 1;
    s->root.body = body;
    s->root.n_body = nb;
    s->root.mandatory = mandatory_mask(body, nb);
    bloom_of(s->root.bloom, body, nb, false);
    s->root.keys = keys_of(a, body, nb);
    const dg_node *hl = dg_conf_get(n, "hl_levels");
    if (hl && (rc = build_hl(a, hl, r->key, s, err)))
        return rc;
    *out = s;
    return 0;
}

/* ---- resolution ------------------------------------------------------------------------ */

/* Union of keys of a raw list along the chain, nearest definition first. */
static size_t chain_keys(const dg_x12_version *v, size_t off, raw *out, size_t cap)
{
    size_t n = 0;
    for (const dg_x12_version *p = v; p; p = p->parent) {
        const raw_list *l = (const raw_list *)((const char *)p + off);
        for (size_t i = l->n; i-- > 0;) {
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++)
                seen = !strcmp(out[k].key, l->items[i].key);
            if (!seen && n < cap)
                out[n++] = l->items[i];
        }
    }
    return n;
}

static int cmp_elem(const void *a, const void *b)
{
    return strcmp((*(dg_x12_elem_def *const *)a)->ref, (*(dg_x12_elem_def *const *)b)->ref);
}

static int cmp_comp(const void *a, const void *b)
{
    return strcmp((*(dg_x12_comp_def *const *)a)->ref, (*(dg_x12_comp_def *const *)b)->ref);
}

static int cmp_seg(const void *a, const void *b)
{
    return strcmp((*(dg_x12_seg_def *const *)a)->id, (*(dg_x12_seg_def *const *)b)->id);
}

static int cmp_set(const void *a, const void *b)
{
    return strcmp((*(dg_x12_set_def *const *)a)->id, (*(dg_x12_set_def *const *)b)->id);
}

#define RESOLVE(list, arr, count, builder, cmp)                                                    \
    do {                                                                                           \
        size_t cap = 0;                                                                            \
        for (const dg_x12_version *p = v; p; p = p->parent)                                        \
            cap += p->list.n;                                                                      \
        raw *keys = malloc((cap + 1) * sizeof *keys);                                              \
        if (!keys)                                                                                 \
            abort();                                                                               \
        size_t nk = chain_keys(v, offsetof(dg_x12_version, list), keys, cap);                      \
        v->arr = dg_arena_alloc(a, (nk + 1) * sizeof *v->arr);                                     \
        for (size_t i = 0; i < nk; i++) {                                                          \
            int rc_ = builder(a, v, &keys[i], &v->arr[i], err);                                    \
            if (rc_) {                                                                             \
                free(keys);                                                                        \
                return rc_;                                                                        \
            }                                                                                      \
            v->count = i + 1;                                                                      \
        }                                                                                          \
        qsort(v->arr, v->count, sizeof *v->arr, cmp);                                              \
        free(keys);                                                                                \
    } while (0)

/* The ack code translations of v: for each kind, the nearest map along the inheritance chain
 * (a version that redefines a kind replaces the whole map, as with code lists). */
static int resolve_acks(dg_arena *a, dg_x12_version *v, dg_error *err)
{
    static const char *kinds[] = {"AK905", "AK502", "AK304", "AK403", "TA105"};
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        const dg_node *m = FIND(v, ack_codes, kinds[k]);
        if (!m)
            continue;
        if (m->type != DG_NODE_MAP)
            return bad(m, "ack_codes %s must be a map of code: code", kinds[k], NULL, err);
        for (size_t i = 0; i < m->n_items; i++) {
            const dg_node *to = m->items[i];
            if (to->type != DG_NODE_SCALAR || strlen(to->key) > 3 || strlen(to->value) > 3)
                return bad(to, "ack_codes %s: '%s' must map to a code of 0-3 characters", kinds[k],
                           to->key, err);
            v->acks =
                dg_arena_grow(a, v->acks, sizeof *v->acks, v->n_acks, &v->cap_acks, v->n_acks + 1);
            struct ack_map *am = &v->acks[v->n_acks++];
            snprintf(am->kind, sizeof am->kind, "%s", kinds[k]);
            snprintf(am->from, sizeof am->from, "%s", to->key);
            snprintf(am->to, sizeof am->to, "%s", to->value);
        }
    }
    return 0;
}

static int resolve(dg_arena *a, dg_x12_version *v, dg_error *err)
{
    int arc = resolve_acks(a, v, err);
    if (arc)
        return arc;
    RESOLVE(elements, elem, n_elem, build_elem, cmp_elem);
    RESOLVE(composites, comp, n_comp, build_comp, cmp_comp);
    RESOLVE(segments, seg, n_seg, build_seg, cmp_seg);
    RESOLVE(sets, set, n_set, build_set, cmp_set);
    v->resolved = true;
    return 0;
}

/* ---- files ----------------------------------------------------------------------------- */

static int add_map(dg_arena *a, raw_list *l, const dg_node *root, const char *key, dg_error *err)
{
    const dg_node *m = dg_conf_get(root, key);
    if (!m)
        return 0;
    if (m->type != DG_NODE_MAP)
        return bad(m, "'%s' must be a map", key, NULL, err);
    for (size_t i = 0; i < m->n_items; i++)
        raw_add(a, l, m->items[i]->key, m->items[i]);
    return 0;
}

static int take_file(dg_x12_defs *d, dg_x12_version *v, const dg_node *root, dg_error *err)
{
    if (root->type != DG_NODE_MAP)
        return bad(root, "a definition file must be a YAML map", NULL, NULL, err);
    static const char *known[] = {"version",     "inherits",  "elements",  "composites",
                                  "segments",    "codes",     "set",       "name",
                                  "group",       "structure", "hl_levels", "notes",
                                  "known_codes", "default",   "ack_codes"};
    for (size_t i = 0; i < root->n_items; i++) {
        bool ok = false;
        for (size_t k = 0; k < sizeof known / sizeof *known && !ok; k++)
            ok = !strcmp(root->items[i]->key, known[k]);
        if (!ok)
            return bad(root->items[i], "unknown key '%s'", root->items[i]->key, NULL, err);
    }
    const char *ver = dg_conf_str(root, "version", NULL);
    if (ver && strcmp(ver, v->name))
        return bad(dg_conf_get(root, "version"), "version '%s' does not match its folder %s", ver,
                   v->name, err);
    bool dflt = false;
    int brc = dg_conf_bool(root, "default", false, &dflt, err);
    if (brc)
        return brc;
    if (dflt)
        v->is_default = true;
    const char *inh = dg_conf_str(root, "inherits", NULL);
    if (inh)
        snprintf(v->inherits, sizeof v->inherits, "%s", inh);
    int rc = add_map(d->arena, &v->elements, root, "elements", err);
    if (!rc)
        rc = add_map(d->arena, &v->composites, root, "composites", err);
    if (!rc)
        rc = add_map(d->arena, &v->segments, root, "segments", err);
    if (!rc)
        rc = add_map(d->arena, &v->codes, root, "codes", err);
    if (!rc)
        rc = add_map(d->arena, &v->known, root, "known_codes", err);
    if (!rc)
        rc = add_map(d->arena, &v->ack_codes, root, "ack_codes", err);
    const dg_node *set = dg_conf_get(root, "set");
    if (!rc && set) {
        if (set->type != DG_NODE_SCALAR || strlen(set->value) != 3)
            return bad(set, "set must be a 3-character transaction set id", NULL, NULL, err);
        raw_add(d->arena, &v->sets, set->value, root);
    }
    return rc;
}

static int is_yaml(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return e->d_name[0] != '.' && n > 5 && !strcmp(e->d_name + n - 5, ".yaml");
}

static int is_version_dir(const struct dirent *e)
{
    if (strlen(e->d_name) != 6)
        return 0;
    for (int i = 0; i < 6; i++)
        if (e->d_name[i] < '0' || e->d_name[i] > '9')
            return 0;
    return 1;
}

static int load_version(dg_x12_defs *d, const char *dir, const char *name, dg_error *err)
{
    if (d->n_versions >= MAX_VERSIONS)
        return dg_error_set(err, DG_ECONFIG, "%s: too many version folders", dir);
    dg_x12_version *v = dg_arena_alloc(d->arena, sizeof *v);
    snprintf(v->name, sizeof v->name, "%s", name);
    d->versions[d->n_versions++] = v;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct dirent **list;
    int n = scandir(path, &list, is_yaml, alphasort);
    if (n < 0)
        return dg_error_set(err, DG_EIO, "%s: cannot list definition folder", path);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (!rc && d->n_files >= sizeof d->files / sizeof *d->files)
            rc = dg_error_set(err, DG_ECONFIG, "%s: too many definition files", path);
        if (!rc) {
            char f[PATH_MAX + 256];
            snprintf(f, sizeof f, "%s/%s", path, list[i]->d_name);
            dg_node *root = NULL;
            rc = dg_conf_load(f, &root, err);
            if (!rc) {
                d->files[d->n_files++] = root;
                rc = take_file(d, v, root, err);
            }
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

static dg_x12_version *find_version(const dg_x12_defs *d, const char *name)
{
    for (size_t i = 0; i < d->n_versions; i++)
        if (!strcmp(d->versions[i]->name, name))
            return d->versions[i];
    return NULL;
}

static int link_and_resolve(dg_x12_defs *d, const char *dir, dg_error *err)
{
    for (size_t i = 0; i < d->n_versions; i++) {
        dg_x12_version *v = d->versions[i];
        if (!v->inherits[0])
            continue;
        v->parent = find_version(d, v->inherits);
        if (!v->parent || v->parent == v)
            return dg_error_set(err, DG_ECONFIG, "%s/%s: inherits unknown version '%s'", dir,
                                v->name, v->inherits);
        size_t depth = 0;
        for (const dg_x12_version *p = v->parent; p; p = p->parent)
            if (++depth > MAX_VERSIONS || p == v)
                return dg_error_set(err, DG_ECONFIG, "%s/%s: inheritance loop", dir, v->name);
    }
    for (size_t i = 0; i < d->n_versions; i++) {
        int rc = resolve(d->arena, d->versions[i], err);
        if (rc)
            return rc;
    }
    return 0;
}

int dg_x12_defs_load(const char *edi_dir, dg_x12_defs **out, dg_error *err)
{
    *out = NULL;
    struct dirent **list;
    int n = scandir(edi_dir, &list, is_version_dir, alphasort);
    if (n < 0)
        return dg_error_set(err, DG_EIO, "%s: cannot open the X12 definition folder (edi/)",
                            edi_dir);
    dg_x12_defs *d = calloc(1, sizeof *d);
    static _Atomic uint64_t loads;
    if (d)
        d->serial = ++loads;
    if (!d)
        abort();
    d->arena = dg_arena_new();
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (!rc)
            rc = load_version(d, edi_dir, list[i]->d_name, err);
        free(list[i]);
    }
    free(list);
    if (!rc && !d->n_versions)
        rc = dg_error_set(err, DG_ECONFIG, "%s: no version folders (like 004010/) found", edi_dir);
    if (!rc)
        rc = link_and_resolve(d, edi_dir, err);
    /* Everything needed was copied into the arena: the YAML trees can go. */
    for (size_t i = 0; i < d->n_files; i++)
        dg_conf_free(d->files[i]);
    d->n_files = 0;
    for (size_t i = 0; i < d->n_versions; i++) {
        dg_x12_version *v = d->versions[i];
        memset(&v->elements, 0, sizeof v->elements);
        memset(&v->composites, 0, sizeof v->composites);
        memset(&v->segments, 0, sizeof v->segments);
        memset(&v->codes, 0, sizeof v->codes);
        memset(&v->known, 0, sizeof v->known);
        memset(&v->sets, 0, sizeof v->sets);
        memset(&v->ack_codes, 0, sizeof v->ack_codes);
    }
    if (rc) {
        dg_x12_defs_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

void dg_x12_defs_free(dg_x12_defs *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_files; i++)
        dg_conf_free(d->files[i]);
    dg_arena_free(d->arena);
    free(d);
}

/* ---- lookups --------------------------------------------------------------------------- */

const dg_x12_version *dg_x12_defs_version(const dg_x12_defs *d, const char *gs08)
{
    if (!d || !d->n_versions)
        return NULL;
    char want[7] = "";
    size_t n_want = 0; /* the first six characters (called once per set: no printf) */
    for (; gs08 && n_want < 6 && gs08[n_want]; n_want++)
        want[n_want] = gs08[n_want];
    want[n_want] = '\0';
    const dg_x12_version *best = NULL;
    if (n_want < 5 || want[0] < '0' || want[0] > '9') /* no GS (bare sets) or no version */
        for (size_t i = 0; i < d->n_versions; i++)
            if (d->versions[i]->is_default)
                return d->versions[i];
    for (size_t i = 0; i < d->n_versions; i++) { /* sorted ascending by name */
        const dg_x12_version *v = d->versions[i];
        if (strcmp(v->name, want) <= 0)
            best = v;
    }
    return best ? best : d->versions[0];
}

bool dg_x12_defs_supported(const dg_x12_defs *d, const char *gs08)
{
    if (!d || !d->n_versions || !gs08 || strlen(gs08) < 6)
        return true; /* no version to judge: the default definitions apply */
    for (int i = 0; i < 6; i++)
        if (gs08[i] < '0' || gs08[i] > '9')
            return true;
    return strncmp(gs08, d->versions[0]->name, 6) >= 0; /* sorted ascending */
}

const char *dg_x12_version_ack_code(const dg_x12_version *v, const char *kind, const char *code)
{
    for (size_t i = 0; v && i < v->n_acks; i++)
        if (!strcmp(v->acks[i].kind, kind) && !strcmp(v->acks[i].from, code))
            return v->acks[i].to;
    return code;
}

const char *dg_x12_version_name(const dg_x12_version *v)
{
    return v ? v->name : "";
}

bool dg_x12_version_is_5010(const dg_x12_version *v)
{
    return v && strcmp(v->name, "005010") >= 0;
}

const dg_x12_set_def *dg_x12_version_set(const dg_x12_version *v, const char *set_id)
{
    if (!v || !set_id)
        return NULL;
    size_t lo = 0, hi = v->n_set;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(v->set[mid]->id, set_id);
        if (!c)
            return v->set[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const dg_x12_seg_def *dg_x12_version_seg(const dg_x12_version *v, const char *seg_id)
{
    return v && seg_id ? v_seg(v, seg_id) : NULL;
}

const dg_x12_elem_def *dg_x12_version_elem(const dg_x12_version *v, const char *ref)
{
    return v && ref ? v_elem(v, ref) : NULL;
}

const dg_x12_set_def *dg_x12_defs_set(const dg_x12_defs *d, const char *gs08, const char *set_id)
{
    return dg_x12_version_set(dg_x12_defs_version(d, gs08), set_id);
}

bool dg_x12_elem_code_ok(const dg_x12_elem_def *e, const char *value, size_t len)
{
    if (!e || !e->codes)
        return true;
    if (e->hash) {
        if (len > 8 || !len)
            return false;
        uint64_t k = pack8(value, len);
        for (size_t j = (size_t)mix64(k) & e->hash_mask;; j = (j + 1) & e->hash_mask) {
            if (e->hash[j] == k)
                return true;
            if (!e->hash[j])
                return false;
        }
    }
    if (e->packed) {
        if (len > 8)
            return false;
        uint64_t k = pack8(value, len);
        size_t lo = 0, hi = e->n_codes;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (e->packed[mid] == k)
                return true;
            if (e->packed[mid] < k)
                lo = mid + 1;
            else
                hi = mid;
        }
        return false;
    }
    size_t lo = 0, hi = e->n_codes;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *c = e->codes[mid];
        int r = strncmp(c, value, len);
        if (!r && c[len])
            r = 1;
        if (!r)
            return true;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* ---- finding edi/ ---------------------------------------------------------------------- */

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *dg_x12_find_edi_dir(const char *argv0, char *buf, size_t size)
{
    const char *env = getenv("DG_EDI_DIR");
    if (env && *env) {
        snprintf(buf, size, "%s", env);
        return is_dir(buf) ? buf : NULL;
    }
    char exe[PATH_MAX] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0)
        exe[n] = '\0';
    else if (argv0 && strchr(argv0, '/'))
        snprintf(exe, sizeof exe, "%s", argv0);
    char *slash = strrchr(exe, '/');
    if (slash) {
        *slash = '\0';
#ifndef DG_DATADIR_REL
#define DG_DATADIR_REL "../share/dropgate"
#endif
        /* a build tree (build/dropgate), then an installed tree (bin/ -> share/dropgate/) */
        static const char *rel[] = {"../edi", "../../edi", DG_DATADIR_REL "/edi",
                                    "../share/dropgate/edi", "edi"};
        for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
            snprintf(buf, size, "%s/%s", exe, rel[i]);
            if (is_dir(buf))
                return buf;
        }
    }
    snprintf(buf, size, "edi");
    return is_dir(buf) ? buf : NULL;
}

uint64_t dg_x12_defs_serial(const dg_x12_defs *d)
{
    return d ? d->serial : 0;
}
