/* X12 path compiler and evaluator. Loops are found by position: a loop started by segment S
 * runs until the next S, a segment listed in x12.until, or the end of the enclosing scope. */
#include "map/map_x12path.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

const char *x12_unpack(uint32_t id, char buf[4])
{
    char tmp[4];
    int n = 0;
    while (id) {
        tmp[n++] = (char)(id & 0xFF);
        id >>= 8;
    }
    for (int i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return buf;
}

/* "N101", "SLN05-1", "REF04#2-1" -> segment, element, component (0 = whole), repetition. */
static const char *ref_compile(const char *t, size_t len, xref *r)
{
    size_t k = 0;
    while (k < len && t[k] != '-' && t[k] != '#')
        k++;
    if (k < 4 || k > 5 || !isdigit((unsigned char)t[k - 1]) || !isdigit((unsigned char)t[k - 2]))
        return "an element is a segment id and two digits, like BEG03 or N104";
    for (size_t i = 0; i < k - 2; i++)
        if (!isupper((unsigned char)t[i]) && !isdigit((unsigned char)t[i]))
            return "a segment id is upper-case letters and digits";
    if (!isupper((unsigned char)t[0]))
        return "a segment id starts with a letter";
    r->seg = x12_pack(t, k - 2);
    r->el = (t[k - 2] - '0') * 10 + (t[k - 1] - '0');
    r->comp = 0;
    r->rep = 0;
    if (r->el < 1)
        return "element positions start at 01";
    while (k < len) { /* "#R" repetition, then "-C" component, both 1-based */
        char kind = t[k++];
        int c = 0, nd = 0;
        while (k < len && isdigit((unsigned char)t[k]) && nd < 4) {
            c = c * 10 + (t[k++] - '0');
            nd++;
        }
        if (!nd || c < 1 || (kind == '#' && r->comp))
            return "after the element: '#' and a repetition, then '-' and a component, like "
                   "REF04#2-1 or SLN05-1 (both from 1)";
        if (kind == '#')
            r->rep = c - 1;
        else if (kind == '-' && !r->comp)
            r->comp = c;
        else
            return "after the element: '#' and a repetition, then '-' and a component, like "
                   "REF04#2-1 or SLN05-1 (both from 1)";
    }
    return NULL;
}

static bool seg_id_ok(const char *t, size_t len)
{
    if (len < 2 || len > 3 || !isupper((unsigned char)t[0]))
        return false;
    for (size_t i = 1; i < len; i++)
        if (!isupper((unsigned char)t[i]) && !isdigit((unsigned char)t[i]))
            return false;
    return true;
}

static const char **split_vals(dg_arena *a, const char *t, size_t len, char sep, size_t *n,
                               size_t **lens)
{
    size_t cnt = 1;
    for (size_t i = 0; i < len; i++)
        cnt += t[i] == sep;
    const char **v = dg_arena_alloc(a, cnt * sizeof *v);
    *lens = dg_arena_alloc(a, cnt * sizeof **lens);
    size_t start = 0;
    *n = 0;
    for (size_t i = 0; i <= len; i++)
        if (i == len || t[i] == sep) {
            (*lens)[*n] = i - start;
            v[(*n)++] = dg_arena_strndup(a, t + start, i - start);
            start = i + 1;
        }
    return v;
}

/* "HL[HL03=P]", "N1[N101=ST|BT]", "REF[REF01=IA,REF03=X]" */
const char *x12_step_compile(dg_arena *a, const char *t, xstep *st)
{
    const char *br = strchr(t, '[');
    size_t idlen = br ? (size_t)(br - t) : strlen(t);
    if (!seg_id_ok(t, idlen))
        return "a loop is a segment id, optionally with [ELEMENT=VALUE] conditions";
    st->seg = x12_pack(t, idlen);
    st->n_conds = 0;
    st->keyed = false;
    st->pair_els = 0;
    if (!br)
        return NULL;
    const char *end = strchr(br, ']');
    if (!end || end[1])
        return "conditions are written [N101=ST] and close the step";
    size_t cnt = 1;
    for (const char *p = br + 1; p < end; p++)
        cnt += *p == ',';
    st->conds = dg_arena_alloc(a, cnt * sizeof *st->conds);
    const char *p = br + 1;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (!eq)
            return "a condition is ELEMENT=VALUE (VALUE|VALUE for several)";
        xcond *c = &st->conds[st->n_conds++];
        const char *e = ref_compile(p, (size_t)(eq - p), &c->ref);
        if (e)
            return e;
        c->vals = split_vals(a, eq + 1, (size_t)(stop - eq - 1), '|', &c->n_vals, &c->val_lens);
        p = comma ? comma + 1 : end;
    }
    st->keyed = true;
    for (size_t c = 0; c < st->n_conds; c++) {
        xcond *cd = &st->conds[c];
        cd->keys = dg_arena_alloc(a, cd->n_vals * sizeof *cd->keys);
        for (size_t k = 0; k < cd->n_vals; k++)
            cd->keys[k] = x12_value_key(cd->vals[k], cd->val_lens[k]);
        for (size_t k = 0; k < cd->n_vals; k++)
            if (cd->keys[k] == UINT32_MAX || cd->ref.comp || cd->ref.rep)
                st->keyed = false; /* a long value, a component or a repetition: as text */
    }
    if (st->keyed && st->n_conds == 2 && st->conds[0].n_vals == 1 && st->conds[1].n_vals == 1 &&
        st->conds[0].ref.el < 256 && st->conds[1].ref.el < 256) {
        st->pair_els = (uint16_t)(st->conds[0].ref.el | st->conds[1].ref.el << 8);
        st->pair_key = st->conds[0].keys[0] | (uint64_t)st->conds[1].keys[0] << 32;
    }
    return NULL;
}

/* Where pairs of (qualifier, id) start in segments that carry product ids. */
static int pair_start(uint32_t seg)
{
    static const struct {
        const char *id;
        int start;
    } t[] = {{"PO1", 6}, {"IT1", 6}, {"ACK", 7}, {"SLN", 9}, {"LIN", 2}, {"PER", 3}, {"POC", 8}};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (x12_pack(t[i].id, strlen(t[i].id)) == seg)
            return t[i].start;
    return 2;
}

const char *x12_path_compile(dg_arena *a, const char *text, xpath *p)
{
    memset(p, 0, sizeof *p);
    p->node = -1;
    if (!strncmp(text, "outer/", 6)) {
        p->outer = true;
        text += 6;
    }
    while (!strncmp(text, "parent/", 7)) {
        p->parents++;
        text += 7;
    }
    size_t cnt = 0;
    for (const char *c = text; *c; c++)
        cnt += *c == '/';
    p->steps = dg_arena_alloc(a, (cnt + 1) * sizeof *p->steps);
    const char *s = text;
    for (;;) {
        const char *slash = strchr(s, '/');
        if (!slash)
            break;
        char *step = dg_arena_strndup(a, s, (size_t)(slash - s));
        const char *e = x12_step_compile(a, step, &p->steps[p->n_steps++]);
        if (e)
            return e;
        s = slash + 1;
    }
    const char *at = strchr(s, '@');
    if (at) { /* PO1@VP,VN: the id whose qualifier is VP (else VN) among PO106/07, PO108/09... */
        if (!seg_id_ok(s, (size_t)(at - s)) || !at[1])
            return "a product id is written SEG@QUALIFIER, like PO1@VP or LIN@UP,EN";
        p->ref.seg = x12_pack(s, (size_t)(at - s));
        p->ref.el = pair_start(p->ref.seg);
        if (!strcmp(at + 1, "*")) { /* PO1@*: all of them */
            p->all_pairs = true;
            return NULL;
        }
        p->quals = split_vals(a, at + 1, strlen(at + 1), ',', &p->n_quals, &p->qual_lens);
        p->qual_keys = dg_arena_alloc(a, p->n_quals * sizeof *p->qual_keys);
        for (size_t q = 0; q < p->n_quals && p->qual_keys; q++)
            if (!(p->qual_keys[q] = x12_qual_key(p->quals[q], p->qual_lens[q])))
                p->qual_keys = NULL; /* compared as text */
        return NULL;
    }
    const char *e = ref_compile(s, strlen(s), &p->ref);
    p->whole = !e && !p->ref.comp && !p->ref.rep;
    return e;
}

/* Equal short texts (qualifiers, codes) without a call. */
static inline bool same_text(const char *a, const char *b, size_t len)
{
    switch (len) {
    case 1: return a[0] == b[0];
    case 2: return a[0] == b[0] && a[1] == b[1];
    case 3: return a[0] == b[0] && a[1] == b[1] && a[2] == b[2];
    default: return !memcmp(a, b, len);
    }
}

static inline const char *elem(const xset *s, size_t i, int el, int comp, int rep, size_t *len)
{
    *len = 0;
    const xseg *g = &s->segs[i];
    if (el > g->n_el) /* absent: no call into the reader */
        return "";
    if (!comp && !rep && s->whole_el && el >= 1) {
        *len = g->el_len[el];
        return g->el[el];
    }
    return s->elem(s->ctx, g->raw, el, comp, rep, len);
}

bool x12_reference;

bool x12_step_conds(const xset *s, size_t i, const xstep *st)
{
    if (st->keyed && s->whole_el && !x12_reference)
        return x12_step_keyed(s, i, st);
    for (size_t c = 0; c < st->n_conds; c++) {
        const xcond *cd = &st->conds[c];
        size_t len;
        const char *v = elem(s, i, cd->ref.el, cd->ref.comp, cd->ref.rep, &len);
        bool any = false;
        for (size_t k = 0; v && k < cd->n_vals && !any; k++)
            any = cd->val_lens[k] == len && same_text(cd->vals[k], v, len);
        if (!any)
            return false;
    }
    return true;
}

static inline bool is_until(const xset *s, uint32_t id)
{
    for (size_t k = 0; k < s->n_until; k++)
        if (s->until[k] == id)
            return true;
    return false;
}

size_t x12_loop_end(const xset *s, size_t i, size_t limit, uint32_t also_stop)
{
    uint32_t id = s->segs[i].id;
    size_t j = i + 1;
    while (j < limit && s->segs[j].id != id && s->segs[j].id != also_stop &&
           !is_until(s, s->segs[j].id))
        j++;
    return j;
}

static uint32_t id_slot(uint32_t id)
{
    return (id * 2654435761u) >> 25; /* 7 bits */
}

void x12_index(xset *s, uint32_t *next_same, uint32_t *first_of, uint32_t *slot_id)
{
    uint32_t n = (uint32_t)s->n, last[X12_ID_SLOTS];
    memset(slot_id, 0, X12_ID_SLOTS * sizeof *slot_id); /* first_of counts only where taken */
    uint32_t used = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t id = s->segs[i].id, k = id_slot(id);
        while (slot_id[k] && slot_id[k] != id) /* linear probing; a set has few distinct ids */
            k = (k + 1) % X12_ID_SLOTS;
        if (!slot_id[k] && ++used == X12_ID_SLOTS) {
            /* More distinct ids than slots (only a hostile or broken set): no index, find()
             * scans instead. Probing a full table would never end (found by fuzz_x12). */
            s->next_same = NULL;
            s->first_of = s->slot_id = NULL;
            return;
        }
        next_same[i] = n;
        if (!slot_id[k]) {
            slot_id[k] = id;
            first_of[k] = i;
        } else {
            next_same[last[k]] = i;
        }
        last[k] = i;
    }
    s->next_same = next_same;
    s->first_of = first_of;
    s->slot_id = slot_id;
}

static size_t first_index(const xset *s, uint32_t id)
{
    for (uint32_t k = id_slot(id), probes = 0; probes < X12_ID_SLOTS;
         k = (k + 1) % X12_ID_SLOTS, probes++) {
        if (s->slot_id[k] == id)
            return s->first_of[k];
        if (!s->slot_id[k])
            break;
    }
    return s->n;
}

/* First segment in scope with this id (and the step's conditions). Short scopes (a loop) are
 * scanned; long ones (the header) follow the same-id chain of the index. */
static size_t find(const xset *s, xscope sc, uint32_t seg, const xstep *st)
{
    uint32_t id = st ? st->seg : seg;
    bool chain = s->next_same && sc.end - sc.begin > 16;
    size_t i = chain ? first_index(s, id) : sc.begin;
    for (; i < sc.end; i = chain ? s->next_same[i] : i + 1) {
        if (i < sc.begin || s->segs[i].id != id || (sc.header && s->in_group[i]))
            continue;
        if (!st || !st->n_conds || x12_step_match(s, i, st))
            return i;
    }
    return SIZE_MAX;
}

static bool step_eq(const xstep *a, const xstep *b)
{
    if (a->seg != b->seg || a->n_conds != b->n_conds)
        return false;
    for (size_t c = 0; c < a->n_conds; c++) {
        const xcond *x = &a->conds[c], *y = &b->conds[c];
        if (x->ref.seg != y->ref.seg || x->ref.el != y->ref.el || x->ref.comp != y->ref.comp ||
            x->ref.rep != y->ref.rep || x->n_vals != y->n_vals)
            return false;
        for (size_t k = 0; k < x->n_vals; k++)
            if (strcmp(x->vals[k], y->vals[k]))
                return false;
    }
    return true;
}

int x12_step_uid(xstep *st, const xstep **seen, int n_seen)
{
    for (int k = 0; k < n_seen; k++)
        if (step_eq(st, seen[k])) {
            st->uid = seen[k]->uid;
            return n_seen;
        }
    st->uid = n_seen;
    seen[n_seen] = st;
    return n_seen + 1;
}

/* Finds a loop step in sc and narrows sc to its loop (to the next segment with the step's id),
 * remembering the answer per step uid: ten rules of one N1 loop look it up once per set. */
static bool enter_step(const xset *s, xscope *sc, const xstep *st, size_t *at)
{
    xcache *c =
        s->cache && st->uid >= 0 && (size_t)st->uid < s->n_cache ? &s->cache[st->uid] : NULL;
    if (c && c->gen == s->gen && c->begin == sc->begin && c->end == sc->end &&
        c->header == sc->header) {
        *at = c->at;
    } else {
        *at = find(s, *sc, 0, st);
        size_t end = *at;
        if (end != SIZE_MAX) {
            end++;
            while (end < sc->end && s->segs[end].id != st->seg && !(sc->header && s->in_group[end]))
                end++;
        }
        if (c)
            *c = (xcache){s->gen, sc->begin, sc->end, *at, end, sc->header};
        if (*at == SIZE_MAX)
            return false;
        sc->begin = *at;
        sc->end = end;
        return true;
    }
    if (*at == SIZE_MAX)
        return false;
    sc->begin = *at;
    sc->end = c->loop_end;
    return true;
}

static uint32_t HL_ID(void)
{
    return x12_pack("HL", 2);
}

/* The loop of the HL that is the parent (HL02) of the HL starting scope sc. Without HL02 (some
 * senders leave it out) the parent is the nearest HL before it of another level (HL03). */
static bool parent_scope(const xset *s, xscope *sc)
{
    size_t i = sc->begin, plen, len, llen = 0;
    if (s->segs[i].id != HL_ID())
        return false;
    const char *parent = elem(s, i, 2, 0, 0, &plen), *level = NULL;
    if (!parent || !plen) {
        level = elem(s, i, 3, 0, 0, &llen);
        if (!level || !llen)
            return false;
    }
    for (size_t j = i; j-- > 0;) {
        if (s->segs[j].id != HL_ID())
            continue;
        const char *id = level ? elem(s, j, 3, 0, 0, &len) : elem(s, j, 1, 0, 0, &len);
        if (level ? id && len && (len != llen || memcmp(id, level, len))
                  : id && len == plen && !memcmp(id, parent, len)) {
            sc->begin = j;
            sc->end = x12_loop_end(s, j, s->n, 0);
            sc->header = false;
            return true;
        }
    }
    return false;
}

/* "VN=AB3542;CB=065322-117": every non-empty (qualifier, id) pair of segment at, in order. */
static const char *all_pairs(const xset *s, size_t at, int from, size_t *len)
{
    xscratch *x = s->scratch;
    if (!x)
        return NULL;
    unsigned k = x->next++ % X12_SCRATCH;
    size_t n = 0;
    for (int el = from; el < s->segs[at].n_el; el += 2) {
        size_t ql, vl;
        const char *q = elem(s, at, el, 0, 0, &ql), *v = elem(s, at, el + 1, 0, 0, &vl);
        if (!ql || !vl)
            continue;
        size_t need = n + ql + vl + 3;
        if (need > x->cap[k]) {
            size_t cap = need * 2 > 256 ? need * 2 : 256;
            char *grown = realloc(x->buf[k], cap);
            if (!grown)
                abort();
            x->buf[k] = grown;
            x->cap[k] = cap;
        }
        if (n)
            x->buf[k][n++] = ';';
        memcpy(x->buf[k] + n, q, ql);
        n += ql;
        x->buf[k][n++] = '=';
        memcpy(x->buf[k] + n, v, vl);
        n += vl;
    }
    *len = n;
    if (!n)
        return "";
    x->buf[k][n] = '\0';
    return x->buf[k];
}

const char *x12_path_value(const xset *s, const xpath *p, size_t at, size_t *len)
{
    if (p->all_pairs)
        return all_pairs(s, at, p->ref.el, len);
    if (!p->n_quals)
        return elem(s, at, p->ref.el, p->ref.comp, p->ref.rep, len);
    if (p->qual_keys && s->whole_el && !x12_reference)
        return x12_qual_value(&s->segs[at], p, len);
    size_t best = p->n_quals;
    int best_el = 0;
    for (int el = p->ref.el; el < s->segs[at].n_el && best; el += 2) { /* first qualifier wins */
        size_t ql;
        const char *qv = elem(s, at, el, 0, 0, &ql);
        if (!qv || !ql) {
            if (!qv)
                break;
            continue;
        }
        for (size_t q = 0; q < best; q++)
            if (ql == p->qual_lens[q] && same_text(qv, p->quals[q], ql)) {
                best = q;
                best_el = el;
                break;
            }
    }
    return best_el ? elem(s, at, best_el + 1, 0, 0, len) : NULL;
}

const char *x12_path_eval(const xset *s, const xpath *p, const xscope *scope, size_t *len,
                          size_t *seg)
{
    xscope sc = *scope; /* by pointer: a 24-byte struct by value costs a store-forwarding stall */
    if (p->outer) {
        if (sc.outer_end <= sc.outer_begin)
            return NULL;
        sc = (xscope){sc.outer_begin, sc.outer_end, false, 0, 0};
    }
    for (int k = 0; k < p->parents; k++)
        if (!parent_scope(s, &sc))
            return NULL;
    size_t at = SIZE_MAX;
    for (size_t k = 0; k < p->n_steps; k++)
        if (!enter_step(s, &sc, &p->steps[k], &at))
            return NULL;
    if (at == SIZE_MAX || s->segs[at].id != p->ref.seg)
        at = find(s, sc, p->ref.seg, NULL);
    if (at == SIZE_MAX)
        return NULL;
    *seg = at;
    return x12_path_value(s, p, at, len);
}

/* ---- plans ----------------------------------------------------------------------------------- */

static int plan_node(dg_arena *a, xplan *pl, int parent, const xstep *step, uint32_t seg)
{
    for (size_t k = 0; k < pl->n; k++) {
        const xnode *nd = &pl->nodes[k];
        if (nd->parent == parent &&
            (step ? nd->step && step_eq(nd->step, step) : !nd->step && nd->seg == seg))
            return (int)k;
    }
    pl->nodes = dg_arena_grow(a, pl->nodes, sizeof *pl->nodes, pl->n, &pl->cap, pl->n + 1);
    pl->nodes[pl->n] = (xnode){parent, step, step ? step->seg : seg, false};
    if (parent >= 0)
        pl->nodes[parent].kids = true;
    return (int)pl->n++;
}

void x12_plan_add(dg_arena *a, xplan *pl, xpath *p)
{
    p->node = -1;
    if (p->outer || p->parents)
        return;
    int k = -1;
    for (size_t i = 0; i < p->n_steps; i++)
        k = plan_node(a, pl, k, &p->steps[i], 0);
    /* as x12_path_eval: the value's segment is searched unless the last step found it */
    if (!p->n_steps || p->steps[p->n_steps - 1].seg != p->ref.seg)
        k = plan_node(a, pl, k, NULL, p->ref.seg);
    p->node = k;
}

static uint32_t plan_slot(const xplan *pl, uint32_t id)
{
    uint32_t k = (id * 2654435761u) >> 16 & pl->mask;
    while (pl->slot_id[k] && pl->slot_id[k] != id) /* the table is at most half full */
        k = (k + 1) & pl->mask;
    return k;
}

void x12_plan_seal(dg_arena *a, xplan *pl)
{
    uint32_t size = 8;
    while (size < 2 * pl->n + 2)
        size *= 2;
    pl->mask = size - 1;
    pl->slot_id = dg_arena_alloc(a, size * sizeof *pl->slot_id);
    pl->first = dg_arena_alloc(a, size * sizeof *pl->first);
    pl->count = dg_arena_alloc(a, size * sizeof *pl->count);
    pl->by = dg_arena_alloc(a, (pl->n + 1) * sizeof *pl->by);
    memset(pl->slot_id, 0, size * sizeof *pl->slot_id);
    memset(pl->count, 0, size * sizeof *pl->count);
    for (size_t k = 0; k < pl->n; k++) { /* count the nodes of each id */
        uint32_t sl = plan_slot(pl, pl->nodes[k].seg);
        pl->slot_id[sl] = pl->nodes[k].seg;
        pl->count[sl]++;
    }
    uint16_t at = 0;
    for (uint32_t sl = 0; sl < size; sl++) {
        pl->first[sl] = at;
        at = (uint16_t)(at + pl->count[sl]);
        pl->count[sl] = 0;
    }
    pl->closes = dg_arena_alloc(a, size * sizeof *pl->closes);
    for (size_t k = 0; k < pl->n; k++) { /* then list them, in node order */
        uint32_t sl = plan_slot(pl, pl->nodes[k].seg);
        pl->by[pl->first[sl] + pl->count[sl]++] = (uint16_t)k;
        if (pl->nodes[k].kids)
            pl->closes[sl] = true;
    }
    /* the elements each id's conditions read, for the memo (zeroed: no element) */
    pl->slot_kel = dg_arena_alloc(a, size * sizeof *pl->slot_kel);
    pl->memo_ok = true;
    for (size_t k = 0; k < pl->n; k++) {
        const xstep *st = pl->nodes[k].step;
        if (!st || !st->n_conds)
            continue;
        if (!st->keyed) { /* compared as text: its answer is not a function of the keys */
            pl->memo_ok = false;
            continue;
        }
        uint8_t *kel = pl->slot_kel[plan_slot(pl, pl->nodes[k].seg)];
        for (size_t c = 0; c < st->n_conds; c++) {
            int el = st->conds[c].ref.el;
            size_t e = 0;
            while (e < X12_MEMO_KEYS && kel[e] && kel[e] != el)
                e++;
            if (e == X12_MEMO_KEYS || el > UINT8_MAX)
                pl->memo_ok = false;
            else
                kel[e] = (uint8_t)el;
        }
    }
}

/* Segment i ends the open loops whose step has its id, and with them the loops opened inside
 * (a child's loop ends with its parent's); all of them when i is a group's segment and the
 * scope is the header (all_end). The open list is in the order found: parents first. */
static void close_loops(const xplan *pl, xplan_run *r, size_t *n_open, uint32_t id, size_t i,
                        bool all_end)
{
    size_t kept = 0;
    for (size_t o = 0; o < *n_open; o++) {
        uint16_t k = r->open[o];
        int p = pl->nodes[k].parent;
        if (all_end || pl->nodes[k].seg == id || (p >= 0 && r->end[p] != SIZE_MAX))
            r->end[k] = i;
        else
            r->open[kept++] = k;
    }
    *n_open = kept;
}

void x12_plan_walk(const xset *s, const xplan *pl, xplan_run *r, const xscope *sc)
{
    size_t n_open = 0;
    for (size_t i = sc->begin; i < sc->end; i++) {
        if (sc->header && s->in_group[i]) { /* a group's loop: not seen, but ends every loop */
            if (n_open)
                close_loops(pl, r, &n_open, 0, i, true);
            const unsigned char *next = memchr(s->in_group + i, 0, sc->end - i);
            if (!next)
                break;
            i = (size_t)(next - s->in_group) - 1;
            continue;
        }
        uint32_t id = s->segs[i].id;
        uint32_t sl = plan_slot(pl, id);
        if (!pl->slot_id[sl])
            continue; /* no rule reads this segment, and no loop ends at it */
        /* only a loop node's id ends loops (its own, and with it the ones inside) */
        if (n_open && pl->closes[sl])
            close_loops(pl, r, &n_open, id, i, false);
        int key_el = -1; /* the element whose key was packed for this segment, and the key */
        uint32_t key = 0;
        uint16_t pair_els = 0; /* the two elements whose keys were packed, and the keys */
        uint64_t pair = 0;
        for (const uint16_t *k = pl->by + pl->first[sl], *e = k + pl->count[sl]; k < e; k++) {
            const xnode *nd = &pl->nodes[*k];
            if (r->stamp[*k] == r->gen)
                continue; /* the first match wins */
            if (nd->parent >= 0 &&
                (r->stamp[nd->parent] != r->gen || r->end[nd->parent] != SIZE_MAX))
                continue; /* its parent's loop is not found yet, or has ended */
            const xstep *st = nd->step;
            if (st && st->n_conds == 1 && st->keyed && s->whole_el) {
                /* N1[N101=ST], N1[N101=BT] ...: the element packed once for all of them */
                const xcond *cd = &st->conds[0];
                if (cd->ref.el != key_el) {
                    key_el = cd->ref.el;
                    key = x12_elem_key(s, i, key_el);
                }
                size_t v = 0;
                while (v < cd->n_vals && cd->keys[v] != key)
                    v++;
                if (v == cd->n_vals)
                    continue;
            } else if (st && st->pair_els && s->whole_el) {
                /* PID[PID01=F,PID02=08], PID[PID01=F,PID02=] ...: as x12_step_keyed (a NULL
                 * element's key matches no condition's), both elements packed once */
                if (st->pair_els != pair_els) {
                    pair_els = st->pair_els;
                    pair = x12_elem_key(s, i, pair_els & 0xff) |
                           (uint64_t)x12_elem_key(s, i, pair_els >> 8) << 32;
                }
                if (pair != st->pair_key)
                    continue;
            } else if (st && st->n_conds &&
                       !(st->keyed && s->whole_el ? x12_step_keyed(s, i, st)
                                                  : x12_step_conds(s, i, st))) {
                continue;
            }
            r->stamp[*k] = r->gen;
            r->at[*k] = i;
            if (nd->kids) {
                r->end[*k] = SIZE_MAX;
                r->open[n_open++] = *k;
            }
        }
    }
}

/* ---- the walk's memo ------------------------------------------------------------------------ */

bool x12_memo_off;

/* The next segment of header scope sc after the group run at i, or sc->end when it runs to the
 * end (as the walk skips a run). */
static size_t after_run(const xset *s, const xscope *sc, size_t i)
{
    const unsigned char *next = memchr(s->in_group + i, 0, sc->end - i);
    return next ? (size_t)(next - s->in_group) : sc->end;
}

/* Whether header scope sc has memo m's shape (the same ids at the same positions, group runs
 * where m has them, the same keys of the condition elements); pos[p]: the segment now at
 * position p. m->ids[m->n] is X12_MEMO_END, which no segment and no run matches: a longer
 * scope fails there, with no count test per position. */
static bool memo_fits(const xset *s, const xplan *pl, const xscope *sc, const xmemo *m,
                      uint32_t *pos)
{
    if (!m->n || !m->header)
        return false;
    const uint32_t *key = m->keys;
    size_t p = 0;
    for (size_t i = sc->begin; i < sc->end; i++) {
        pos[p] = (uint32_t)i;
        if (s->in_group[i]) {
            if (m->ids[p++] != X12_MEMO_RUN)
                return false;
            i = after_run(s, sc, i) - 1;
            continue;
        }
        if (m->ids[p] != s->segs[i].id)
            return false;
        if (m->kslot[p]) {
            const uint8_t *kel = pl->slot_kel[m->kslot[p] - 1];
            for (size_t e = 0; e < X12_MEMO_KEYS && kel[e]; e++)
                if (x12_elem_key(s, i, kel[e]) != *key++)
                    return false;
        }
        p++;
    }
    return p == m->n;
}

/* memo_fits for a scope that is not a header's (a group's loop: no runs), its position p
 * being segment sc->begin + p: one compare per segment, nothing stored. */
static bool memo_fits_loop(const xset *s, const xplan *pl, const xscope *sc, const xmemo *m)
{
    if (!m->n || m->header || sc->end - sc->begin != m->n)
        return false;
    const uint32_t *key = m->keys;
    const xseg *g = s->segs + sc->begin;
    for (size_t p = 0; p < m->n; p++) {
        if (m->ids[p] != g[p].id)
            return false;
        if (m->kslot[p]) {
            const uint8_t *kel = pl->slot_kel[m->kslot[p] - 1];
            for (size_t e = 0; e < X12_MEMO_KEYS && kel[e]; e++)
                if (x12_elem_key(s, sc->begin + p, kel[e]) != *key++)
                    return false;
        }
    }
    return true;
}

/* The answers m remembers, at the segments pos gives for its positions. (Where loops ended,
 * r->end, is the walk's own state: nothing after the walk reads it.) */
static void memo_apply(xplan_run *r, const xmemo *m, const uint32_t *pos)
{
    for (size_t f = 0; f < m->n_found; f++) {
        uint16_t k = m->found[f];
        r->stamp[k] = r->gen;
        r->at[k] = pos[m->at_pos[f]];
    }
}

/* Remembers the walk just done over sc in m: its shape and its answers as positions (comp:
 * room for the scope's length). A scope of more than X12_MEMO_POS positions is not kept. */
static void memo_record(const xset *s, const xplan *pl, const xplan_run *r, const xscope *sc,
                        xmemo *m, uint32_t *comp)
{
    m->n = 0;
    m->header = sc->header;
    uint32_t *key = m->keys, p = 0;
    for (size_t i = sc->begin; i < sc->end; i++) {
        if (p == X12_MEMO_POS - 1) /* room for the end mark */
            return;
        comp[i - sc->begin] = p;
        m->kslot[p] = 0;
        if (sc->header && s->in_group[i]) {
            m->ids[p++] = X12_MEMO_RUN;
            i = after_run(s, sc, i) - 1;
            continue;
        }
        uint32_t id = s->segs[i].id, sl = plan_slot(pl, id);
        m->ids[p] = id;
        if (pl->slot_id[sl] == id && pl->slot_kel[sl][0]) {
            m->kslot[p] = sl + 1;
            for (size_t e = 0; e < X12_MEMO_KEYS && pl->slot_kel[sl][e]; e++)
                *key++ = x12_elem_key(s, i, pl->slot_kel[sl][e]);
        }
        p++;
    }
    m->n_found = 0;
    for (size_t k = 0; k < pl->n; k++) {
        if (r->stamp[k] != r->gen)
            continue;
        m->found[m->n_found] = (uint16_t)k;
        m->at_pos[m->n_found++] = comp[r->at[k] - sc->begin];
    }
    m->ids[p] = X12_MEMO_END;
    m->n = p;
}

void x12_plan_walk_memo(const xset *s, const xplan *pl, xplan_run *r, const xscope *sc, xmemo *m,
                        uint32_t *pos)
{
    if (!m || m->off || x12_memo_off || !pl->memo_ok || !s->whole_el) {
        x12_plan_walk(s, pl, r, sc);
        return;
    }
    if (!sc->header) { /* a group's loop: position p is segment begin + p */
        if (memo_fits_loop(s, pl, sc, m)) {
            m->hits++;
            for (size_t f = 0; f < m->n_found; f++) {
                r->stamp[m->found[f]] = r->gen;
                r->at[m->found[f]] = sc->begin + m->at_pos[f];
            }
            return;
        }
    } else if (memo_fits(s, pl, sc, m, pos)) {
        m->hits++;
        memo_apply(r, m, pos);
        return;
    }
    x12_plan_walk(s, pl, r, sc);
    /* shapes that keep changing: the compare and the record cost more than they save */
    if (++m->misses > 64 && m->misses > 4 * m->hits) {
        m->off = true;
        return;
    }
    memo_record(s, pl, r, sc, m, pos);
}
