/* X12 adapter, inbound: transaction sets from the streaming X12 reader -> canonical documents
 * through compiled X12 paths (map_x12path.c). Outbound is in map_x12_write.c. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decimal.h"
#include "map/map_internal.h"
#include "map/map_x12path.h"
#include "x12/x12.h"

enum { MAX_GROUPS = 16, MAX_SRC = MAP_MAX_SOURCES };

/* ---- compile -------------------------------------------------------------------------------- */

static int path_err(const dg_mapping *m, const map_rule *r, int line, const char *what,
                    const char *text, const char *msg, dg_error *err)
{
    if (r)
        return dg_error_set(err, DG_ECONFIG, "%s:%d: rule '%s': %s '%s' is not an X12 path: %s",
                            m->path, r->line, r->label, what, text, msg);
    return dg_error_set(err, DG_ECONFIG, "%s:%d: %s '%s' is not an X12 path: %s", m->path, line,
                        what, text, msg);
}

/* "SAC01=A" (or "SAC[SAC01=A]") -> a step whose conditions are tested on the value's segment. */
static int compile_cond(dg_mapping *m, map_rule *r, dg_error *err)
{
    const char *t = r->negate_if;
    xstep *st = dg_arena_alloc(m->arena, sizeof *st);
    const char *e;
    if (strchr(t, '[')) {
        e = x12_step_compile(m->arena, t, st);
    } else {
        size_t k = 0;
        while (t[k] && t[k] != '=' && !(t[k] >= '0' && t[k] <= '9'))
            k++;
        char *step = dg_arena_printf(m->arena, "%.*s[%s]", (int)k, t, t);
        e = k ? x12_step_compile(m->arena, step, st) : "write it as SEGNN=VALUE, like SAC01=A";
    }
    if (e)
        return path_err(m, r, 0, "negate_if", t, e, err);
    r->negate_c = st;
    return 0;
}

/* Whether source p is one the ops read: found by the walk, a whole element, SEG@Q or SEG@*. */
static bool op_source(const xpath *p)
{
    return p->node >= 0 && (p->whole || p->all_pairs || (p->n_quals && p->qual_keys));
}

/* The kind of op for rule r (XOP_RULE: the general engine). */
static int op_kind(const map_rule *r)
{
    if (!r->n_src || r->n_src > 4 || r->cnst || (r->n_src > 1 && !r->first))
        return XOP_RULE;
    for (size_t k = 0; k < r->n_src; k++)
        if (!op_source(r->src_c[k]))
            return XOP_RULE;
    if (r->field->type != DG_FIELD_STR) /* the number parsed as it is: nothing to take out */
        return r->table || r->strip || r->thou_sep || r->dec_sep ? XOP_RULE : XOP_DEC;
    if (r->date || r->time)
        return r->date && !strcmp(r->date, "%Y%m%d") && !r->table ? XOP_DATE : XOP_RULE;
    if (r->strip)
        return XOP_RULE;
    if (r->table)
        return XOP_TABLE;
    const xpath *p = r->src_c[0];
    return r->n_src == 1 && p->whole && r->case_ == MAP_CASE_NONE && !r->negate_c ? XOP_COPY
                                                                                  : XOP_TEXT;
}

/* Rule r of a list whose group record is list_group's (DG_FIELD_BODY: the header's) as an op. */
static xop compile_op(const map_rule *r, int list_group, bool quiet)
{
    xop op = {.kind = XOP_RULE, .quiet = quiet};
    int fg = r->field->group;
    if ((fg != DG_FIELD_BODY && fg != list_group) || r->max_bytes > UINT32_MAX ||
        r->field->offset > UINT32_MAX)
        return op;
    const xpath *p = r->n_src ? r->src_c[0] : NULL;
    op.kind = (uint8_t)op_kind(r);
    op.trim = r->trim;
    op.body = fg == DG_FIELD_BODY;
    op.node = p && p->node >= 0 ? (uint16_t)p->node : 0;
    op.el = p ? (uint16_t)p->ref.el : 0;
    op.off = (uint32_t)r->field->offset;
    op.max = (uint32_t)r->max_bytes;
    return op;
}

/* The root of the plan node a quiet one-source rule reads (the loop step it starts from),
 * -1 for other rules. */
static int rule_root(const xplan *pl, size_t i)
{
    int k = pl->single[i];
    if (k < 0 || !pl->quiet[i])
        return -1;
    while (pl->nodes[k].parent >= 0)
        k = pl->nodes[k].parent;
    return k;
}

/* Runs of quiet one-source rules under the same root step (the twelve rules of one N1 party)
 * in an op list: when the walk did not find the root, none of them can have a value, and the
 * run is skipped at once. The first op of a run holds its length. */
static void compile_runs(const xplan *pl, xop *ops, size_t n)
{
    for (size_t i = 0; i < n;) {
        int root = rule_root(pl, ops[i].rule);
        size_t j = i + 1;
        while (root >= 0 && j < n && rule_root(pl, ops[j].rule) == root && j - i < UINT16_MAX)
            j++;
        if (root >= 0) {
            ops[i].guard = (uint16_t)root;
            ops[i].run = (uint16_t)(j - i);
        }
        i = j;
    }
}

/* Whether rule i is the only rule of its list that sets its field: then when it is set does
 * not matter (no other rule of the list overwrites it, or is overwritten by it). */
static bool sole_setter(const map_rule *rules, size_t n, size_t i)
{
    const dg_field *f = rules[i].field;
    for (size_t j = 0; j < n; j++)
        if (j != i && rules[j].field->group == f->group && rules[j].field->offset == f->offset)
            return false;
    return true;
}

/* Splits a list's ops into node ops and the rest. A node op (a quiet rule with one source the
 * walk finds, compiled to an op, the only one setting its field) is applied with the other
 * ops of its node once the walk is done: one look at the node for all of them, none at all for
 * a node not found, and no turn of the rule loop. The field order
 * the document is written in is its field table's, so the order rules set distinct fields in does
 * not reach the output. */
static void compile_node_ops(dg_arena *a, xplan *pl, const map_rule *rules, size_t n)
{
    bool *node_op = dg_arena_alloc(a, (n + 1) * sizeof *node_op);
    uint32_t *count = dg_arena_alloc(a, (pl->n + 1) * sizeof *count);
    size_t n_node_ops = 0;
    for (size_t i = 0; i < n; i++) {
        const xop *op = &pl->ops[i];
        node_op[i] =
            op->kind != XOP_RULE && op->quiet && pl->single[i] >= 0 && sole_setter(rules, n, i);
        if (node_op[i]) {
            count[pl->single[i]]++;
            n_node_ops++;
        }
    }
    pl->nop = dg_arena_alloc(a, (n_node_ops + 1) * sizeof *pl->nop);
    pl->rest = dg_arena_alloc(a, (n - n_node_ops + 1) * sizeof *pl->rest);
    pl->nops = dg_arena_alloc(a, (pl->n + 1) * sizeof *pl->nops);
    uint32_t at = 0;
    for (size_t k = 0; k < pl->n; k++) /* nodes in node order, each with its ops' room */
        if (count[k]) {
            pl->nops[pl->n_nops++] = (xnops){(uint16_t)k, 0, at};
            at += count[k];
            count[k] = (uint32_t)pl->n_nops; /* from here on: its nops entry + 1 */
        }
    for (size_t i = 0; i < n; i++) {
        xop op = pl->ops[i];
        op.guard = op.run = 0;
        if (node_op[i]) {
            xnops *no = &pl->nops[count[pl->single[i]] - 1];
            pl->nop[no->first + no->n++] = op;
        } else {
            pl->rest[pl->n_rest++] = op;
        }
    }
    compile_runs(pl, pl->rest, pl->n_rest);
}

static int compile_rules(dg_mapping *m, map_rule *rules, size_t n, int list_group, void **plan_c,
                         dg_error *err)
{
    xplan *pl = dg_arena_alloc(m->arena, sizeof *pl);
    *plan_c = pl;
    pl->quiet = dg_arena_alloc(m->arena, (n + 1) * sizeof *pl->quiet);
    pl->single = dg_arena_alloc(m->arena, (n + 1) * sizeof *pl->single);
    for (size_t i = 0; i < n; i++) {
        map_rule *r = &rules[i];
        pl->quiet[i] = !r->cnst && !r->dflt && !r->required;
        pl->single[i] = -1;
        if (r->n_src > MAX_SRC)
            return dg_error_set(err, DG_ECONFIG, "%s:%d: rule '%s': at most %d sources", m->path,
                                r->line, r->label, MAX_SRC);
        for (size_t k = 0; k < r->n_src; k++) {
            xpath *p = dg_arena_alloc(m->arena, sizeof *p);
            const char *e = x12_path_compile(m->arena, r->src[k], p);
            if (e)
                return path_err(m, r, 0, "source", r->src[k], e, err);
            x12_plan_add(m->arena, pl, p);
            r->src_c[k] = p;
            pl->quiet[i] = pl->quiet[i] && p->node >= 0;
        }
        if (r->n_src == 1)
            pl->single[i] = ((const xpath *)r->src_c[0])->node;
        if (r->negate_if) {
            int rc = compile_cond(m, r, err);
            if (rc)
                return rc;
        }
    }
    if (pl->n > UINT16_MAX - 1) /* the dispatch numbers nodes in 16 bits */
        return dg_error_set(err, DG_ECONFIG, "%s: too many X12 rule paths in one rule list",
                            m->path);
    x12_plan_seal(m->arena, pl);
    pl->ops = dg_arena_alloc(m->arena, (n + 1) * sizeof *pl->ops);
    for (size_t i = 0; i < n; i++) {
        pl->ops[i] = compile_op(&rules[i], list_group, pl->quiet[i]);
        pl->ops[i].rule = (uint32_t)i;
    }
    compile_runs(pl, pl->ops, n);
    compile_node_ops(m->arena, pl, rules, n);
    if (pl->n > m->x12.max_plan)
        m->x12.max_plan = pl->n;
    pl->memo = (uint16_t)m->x12.n_plans++; /* at most 1 + MAX_GROUPS */
    return 0;
}

static int uid_rules(map_rule *rules, size_t n, const xstep **seen, int k, int cap)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < rules[i].n_src; j++) {
            xpath *p = rules[i].src_c[j];
            for (size_t s = 0; s < p->n_steps; s++) {
                if (k < cap)
                    k = x12_step_uid(&p->steps[s], seen, k);
                else
                    p->steps[s].uid = -1; /* past the table: looked up every time */
            }
        }
    return k;
}

/* Equal steps share a uid, so one lookup of N1[N101=ST] per set serves all its rules. */
static void assign_uids(dg_mapping *m)
{
    enum { CAP = 512 };
    const xstep **seen = dg_arena_alloc(m->arena, CAP * sizeof *seen);
    int k = uid_rules(m->rules, m->n_rules, seen, 0, CAP);
    for (size_t g = 0; g < m->n_groups; g++)
        k = uid_rules(m->groups[g].rules, m->groups[g].n_rules, seen, k, CAP);
    m->x12.n_step_uids = (size_t)k;
}

static bool any_alone(const map_rule *rules, size_t n, bool parent_only)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < rules[i].n_src; k++) {
            const xpath *p = rules[i].src_c[k];
            if (p->parents || (!parent_only && p->node < 0))
                return true;
        }
    return false;
}

/* Whether paths are evaluated alone over scopes that may be long (the header, an HL parent's
 * loop): then each set's ids are indexed, so their search follows the id's chain. Without,
 * the search scans its scope, with the same answers. */
static bool needs_index(const dg_mapping *m)
{
    if (any_alone(m->rules, m->n_rules, false))
        return true;
    for (size_t g = 0; g < m->n_groups; g++) {
        const map_group *gr = &m->groups[g];
        if (any_alone(gr->rules, gr->n_rules, !gr->each_document) ||
            (gr->each_document && gr->n_whens))
            return true;
        for (size_t k = 0; k < gr->n_whens; k++)
            if (((const xpath *)gr->whens_c[k])->parents)
                return true;
    }
    return false;
}

int map_x12_compile(dg_mapping *m, dg_error *err)
{
    if (m->dir == DG_MAP_OUT) {
        if (!m->x12.functional_id) { /* GS01 from the set id, as X12 assigns them */
            static const char *const ids[][2] = {{"850", "PO"}, {"855", "PR"}, {"856", "SH"},
                                                 {"810", "IN"}, {"846", "IB"}, {"860", "PC"},
                                                 {"997", "FA"}, {"940", "OW"}, {"945", "SW"}};
            for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
                if (!strcmp(ids[i][0], m->x12.set_id))
                    m->x12.functional_id = ids[i][1];
            if (!m->x12.functional_id)
                return dg_error_set(err, DG_ECONFIG,
                                    "%s: set x12.functional_id (GS01) for transaction set %s",
                                    m->path, m->x12.set_id);
        }
        return 0;
    }
    if (m->n_groups > MAX_GROUPS)
        return dg_error_set(err, DG_ECONFIG, "%s: at most %d groups", m->path, MAX_GROUPS);
    if (m->x12.document_per) {
        xstep *st = dg_arena_alloc(m->arena, sizeof *st);
        const char *e = x12_step_compile(m->arena, m->x12.document_per, st);
        if (e)
            return path_err(m, NULL, dg_conf_get(dg_conf_get(m->conf, "x12"), "document_per")->line,
                            "x12 'document_per'", m->x12.document_per, e, err);
        m->x12.document_per_c = st;
    }
    int rc = compile_rules(m, m->rules, m->n_rules, DG_FIELD_BODY, &m->x12.plan_c, err);
    for (size_t g = 0; !rc && g < m->n_groups; g++) {
        map_group *gr = &m->groups[g];
        const char *e;
        if (!gr->each_document) { /* "each: document" has no loop: the document's header */
            xstep *st = dg_arena_alloc(m->arena, sizeof *st);
            if ((e = x12_step_compile(m->arena, gr->each, st)))
                return path_err(m, NULL, gr->line, "group 'each'", gr->each, e, err);
            gr->each_c = st;
        }
        if (gr->n_body) {
            gr->body_c = dg_arena_alloc(m->arena, gr->n_body * sizeof *gr->body_c);
            for (size_t k = 0; k < gr->n_body; k++) {
                size_t len = strlen(gr->body[k]);
                if (len < 2 || len > 3)
                    return path_err(m, NULL, gr->line, "group 'body'", gr->body[k], "a segment id",
                                    err);
                gr->body_c[k] = x12_pack(gr->body[k], len);
            }
        }
        if (gr->within) {
            xstep *st = dg_arena_alloc(m->arena, sizeof *st);
            if ((e = x12_step_compile(m->arena, gr->within, st)))
                return path_err(m, NULL, gr->line, "group 'within'", gr->within, e, err);
            gr->within_c = st;
        }
        for (size_t k = 0; k < gr->n_whens; k++) {
            xpath *p = dg_arena_alloc(m->arena, sizeof *p);
            if ((e = x12_path_compile(m->arena, gr->whens[k], p)))
                return path_err(m, NULL, gr->line, "group 'when'", gr->whens[k], e, err);
            for (size_t st = 0; st < p->n_steps; st++)
                p->steps[st].uid = -1; /* not in the lookup cache */
            gr->whens_c[k] = p;
        }
        rc = compile_rules(m, gr->rules, gr->n_rules, gr->group, &gr->plan_c, err);
    }
    if (!rc)
        assign_uids(m);
    m->x12.needs_index = !rc && needs_index(m);
    return rc;
}

/* ---- read ----------------------------------------------------------------------------------- */

typedef struct {
    const dg_mapping *m;
    map_reader rd;
    dg_error *err;
    xseg *segs;
    unsigned char *in_group;
    uint32_t *starts;    /* per start_at entry: the groups whose loop it starts (bit g) */
    uint32_t starts_any; /* the groups with a loop in the set (bit g) */
    uint32_t *next_same, first_of[X12_ID_SLOTS], slot_id[X12_ID_SLOTS];
    xcache *cache;
    uint32_t gen;
    size_t cap;
    uint32_t until[32];
    size_t n_until;
    long sets_mapped;
    size_t (*docs)[2]; /* document_per: [begin, end) of each document loop of the set */
    size_t n_docs, cap_docs;
    char others[48];    /* set ids seen that the mapping does not read, for the message */
    xscratch scratch;   /* SEG@* values */
    xplan_run run;      /* where the nodes of the plan being applied were found */
    xmemo *memo;        /* per plan: its last walk (x12_plan_walk_memo) */
    uint32_t *memo_pos; /* room for a set's segments and one more, for the memo */
    struct {
        const xstep *each;
        int g;
    } starters[MAX_GROUPS]; /* the groups with loops of their own (not 'within', not document) */
    size_t n_starters;
    uint64_t starter_bits; /* bit starter_bit(id) set for each starter's segment id */
    /* the 'within' groups (line SACs): their loops' segment ids, those ids' bits (starter_bit),
     * and per set the groups whose id some segment has (bit g), so a set without a SAC is not
     * searched for line SACs */
    struct {
        uint32_t seg;
        int g;
    } inner[MAX_GROUPS];
    size_t n_inner;
    uint64_t inner_bits;
    uint32_t inner_held;
    uint32_t *start_at;  /* the segments that start a group's loop, in order (mark_loops) */
    uint32_t *start_end; /* where that loop ends when one group starts there, else 0 */
    size_t n_start_at;
    char *text; /* the document's copied values: the free part of its text chunk */
    size_t text_left;
} x12_read;

static const char *seg_elem(const void *ctx, const void *raw, int el, int comp, int rep,
                            size_t *len)
{
    const dg_x12_seg *sg = raw;
    const dg_x12_delims *d = ctx;
    if (!comp && !rep && !d->rep && el >= 1 && el <= sg->n_el) { /* a whole element: as read */
        *len = sg->el_len[el];
        return sg->el[el];
    }
    return dg_x12_get(sg, d, el, comp, rep, len);
}

static void note_other(x12_read *x, const char *id)
{
    if (strstr(x->others, id) || strlen(x->others) + strlen(id) + 3 >= sizeof x->others)
        return;
    if (*x->others)
        strcat(x->others, ", ");
    strcat(x->others, id);
}

/* Where group gr's loop starting at i ends: after its body segments when it lists them (a SAC
 * loop is SAC and CUR), else at the next same segment or an 'until' one. */
static size_t group_end(const xset *s, const map_group *gr, size_t i, size_t limit)
{
    if (!gr->n_body)
        return x12_loop_end(s, i, limit, 0);
    size_t j = i + 1;
    for (; j < limit; j++) {
        bool in = false;
        for (size_t k = 0; k < gr->n_body && !in; k++)
            in = s->segs[j].id == gr->body_c[k];
        if (!in)
            break;
    }
    return j;
}

/* A segment id's bit in x12_read.starter_bits: a segment whose bit is clear starts no group's
 * loop, and mark_loops passes it with one test instead of a look at every group. */
static inline unsigned starter_bit(uint32_t id)
{
    return (id * 2654435761u) >> 26;
}

/* Finds the loops of the groups in one sweep: a segment that starts a group's loop opens it
 * unless it sits inside a loop already open (the SAC of an IT1 is not an invoice charge), and
 * header rules skip every segment of a loop (in_group). */
static void mark_loops(x12_read *x, const xset *s)
{
    const dg_mapping *m = x->m;
    /* the arrays and masks in locals: each byte stored to in_group could alias x's fields, and
     * the compiler would load them again for every segment */
    const xseg *segs = s->segs;
    const size_t n = s->n;
    uint32_t *starts_of = x->starts, *start_at = x->start_at, *start_end = x->start_end;
    unsigned char *in_group = x->in_group;
    const uint64_t inner_bits = x->inner_bits, starter_bits = x->starter_bits;
    size_t open_end = 0; /* the open loop's end: segments before it are inside it */
    size_t n_start_at = 0;
    uint32_t held = 0, starts_any = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t starts = 0, id = segs[i].id;
        uint64_t bit = 1ull << starter_bit(id);
        if (inner_bits & bit) /* a 'within' group's id (or one sharing its bit) */
            for (size_t k = 0; k < x->n_inner; k++)
                if (id == x->inner[k].seg)
                    held |= 1u << x->inner[k].g;
        if (i >= open_end && (starter_bits & bit)) {
            /* not nested in an open loop, and a starter's id (or one sharing its bit) */
            size_t end = 0;
            for (size_t k = 0; k < x->n_starters; k++)
                if (id == x->starters[k].each->seg && x12_step_match(s, i, x->starters[k].each)) {
                    int g = x->starters[k].g;
                    starts |= 1u << g;
                    size_t e = group_end(s, &m->groups[g], i, n);
                    end = e > end ? e : end;
                }
            if (starts) {
                open_end = end;
                /* one group's loop (the usual): its end, so map_doc need not find it again */
                start_end[n_start_at] = starts & (starts - 1) ? 0 : (uint32_t)end;
                starts_of[n_start_at] = starts;
                starts_any |= starts;
                start_at[n_start_at++] = (uint32_t)i;
            }
        }
        in_group[i] = i < open_end;
    }
    x->n_start_at = n_start_at;
    x->starts_any = starts_any;
    x->inner_held = held;
}

static bool paths_alone; /* dg_map_debug_x12_paths_alone */

void dg_map_debug_x12_walk_memo(bool on)
{
    x12_memo_off = !on;
}

void dg_map_debug_x12_paths_alone(bool on)
{
    paths_alone = on;
    x12_reference = on;
    map_table_reference = on;
}

/* Whether the walk found the segment of any of r's sources (all of them have a node). */
static inline bool any_found(const xplan_run *run, const map_rule *r)
{
    for (size_t k = 0; k < r->n_src; k++)
        if (x12_plan_at(run, ((const xpath *)r->src_c[k])->node) != SIZE_MAX)
            return true;
    return false;
}

/* A copy of s (len bytes) and a NUL in the document's text chunk: one arena allocation per
 * TEXT_CHUNK bytes of values instead of one per value, and short values copied inline. */
enum { TEXT_CHUNK = 1024 };
static inline char *doc_text(x12_read *x, dg_doc *doc, const char *s, size_t len)
{
    /* each value starts on a 16-byte boundary, as dg_arena_strndup's do: the JSON writer scans
     * and copies values in aligned 16-byte blocks, and a value up to 15 bytes is then one block
     * with no shift (fewer instructions for the writer than the padding costs here) */
    size_t step = (len + 16) & ~(size_t)15; /* len + 1 rounded up */
    if (__builtin_expect(x->text_left < step, 0)) {
        size_t size = step > TEXT_CHUNK ? step : TEXT_CHUNK;
        x->text = dg_arena_alloc(doc->arena, size); /* zeroed: the NUL is there */
        x->text_left = size;
    }
    char *p = x->text;
    if (len >= 8 && len <= 16) { /* two overlapping words: no call, no byte loop */
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + len - 8, 8);
        memcpy(p, &a, 8);
        memcpy(p + len - 8, &b, 8);
    } else if (len >= 4 && len < 8) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + len - 4, 4);
        memcpy(p, &a, 4);
        memcpy(p + len - 4, &b, 4);
    } else if (len < 4) {
        for (size_t k = 0; k < len; k++)
            p[k] = s[k];
    } else {
        memcpy(p, s, len);
    }
    x->text += step;
    x->text_left -= step;
    return p;
}

/* Room for len bytes and a NUL in the document's text chunk, as doc_text takes it. */
static inline char *doc_room(x12_read *x, dg_doc *doc, size_t len)
{
    size_t step = (len + 16) & ~(size_t)15;
    if (__builtin_expect(x->text_left < step, 0)) {
        size_t size = step > TEXT_CHUNK ? step : TEXT_CHUNK;
        x->text = dg_arena_alloc(doc->arena, size); /* zeroed: the NUL is there */
        x->text_left = size;
    }
    char *p = x->text;
    x->text += step;
    x->text_left -= step;
    return p;
}

/* A SEG@* op without a case (PO1@*: "VP=SKU-1;UP=0123", every non-empty qualifier and id
 * pair from element from on, as x12_path_value gives it) written straight into the document's
 * text chunk: all_pairs builds it in a scratch buffer, one memcpy call per part, that the op
 * then copies again. true when done or nothing to set (no pair: a quiet rule); false when the
 * general way must do it (over the cap, or blanks at an end that trim would take off). */
static bool pairs_op(x12_read *x, const xseg *g, int from, const map_rule *r, const xop *op,
                     dg_doc *doc, char *rec)
{
    size_t n = 0;
    for (int el = from; el < g->n_el; el += 2)
        if (g->el_len[el] && g->el_len[el + 1])
            n += (n ? 1 : 0) + g->el_len[el] + 1 + g->el_len[el + 1];
    if (!n)
        return true;
    if (n > op->max)
        return false;
    char *t = doc_room(x, doc, n), *p = t;
    for (int el = from; el < g->n_el; el += 2) {
        size_t ql = g->el_len[el], vl = g->el_len[el + 1];
        if (!ql || !vl)
            continue;
        if (p > t)
            *p++ = ';';
        for (size_t k = 0; k < ql; k++)
            p[k] = g->el[el][k];
        p[ql] = '=';
        p += ql + 1;
        memcpy(p, g->el[el + 1], vl);
        p += vl;
    }
    if (r->trim && (map_is_space(*t) || map_is_space(t[n - 1])))
        return false; /* rare: the engine trims it (this copy is left unused) */
    *(char **)(void *)(rec + op->off) = t;
    return true;
}

/* An XOP_COPY rule: its element, trimmed, into its field. true when done (copied, or a quiet
 * rule without a value: nothing to do), false when it needs the general way (a default, a
 * required field missing, a value over the cap: the messages are the engine's). */
static inline bool copy_from(x12_read *x, const xseg *g, const xop *op, dg_doc *doc, char *body_rec,
                             char *grp_rec)
{
    size_t len = 0;
    const char *v = NULL;
    if (g) {
        if (op->el <= g->n_el && (v = g->el[op->el])) {
            len = g->el_len[op->el];
            /* blanks are control bytes or spaces: most values start and end with neither */
            if (op->trim && len && ((unsigned char)*v <= ' ' || (unsigned char)v[len - 1] <= ' '))
                map_trim(&v, &len);
        }
    }
    if (len && len <= op->max) {
        char *rec = op->body ? body_rec : grp_rec;
        *(char **)(void *)(rec + op->off) = doc_text(x, doc, v, len);
        return true;
    }
    return !len && op->quiet;
}

/* copy_from for the segment the walk found for op's node (NULL: none). */
static inline bool apply_copy(x12_read *x, const xset *s, const xop *op, dg_doc *doc,
                              char *body_rec, char *grp_rec)
{
    size_t seg = x12_plan_at(&x->run, op->node);
    return copy_from(x, seg != SIZE_MAX ? &s->segs[seg] : NULL, op, doc, body_rec, grp_rec);
}

enum { OP_DONE, OP_SKIP, OP_GENERAL };

/* The value of a typed op's sources (trimmed as the engine trims them: first_of takes the
 * first with something after its leading blanks). *raw: some source had a value at all
 * (then *at is its segment, for negate_if). */
static inline const char *op_value(x12_read *x, const xset *s, const map_rule *r, size_t *len,
                                   bool *raw, size_t *at)
{
    const char *v = NULL;
    *len = 0;
    *raw = false;
    for (size_t k = 0; k < r->n_src; k++) {
        const xpath *p = r->src_c[k];
        size_t seg = x12_plan_at(&x->run, p->node), l = 0;
        const char *w = seg != SIZE_MAX ? x12_path_value_at(s, p, seg, &l) : NULL;
        if (!w || !l)
            continue;
        if (!*raw) {
            *raw = true;
            *at = seg;
        }
        if (r->n_src == 1) {
            v = w;
            *len = l;
            break;
        }
        while (l && map_is_space(*w)) /* first_of: the engine skips leading blanks */
            w++, l--;
        if (l) {
            v = w;
            *len = l;
            break;
        }
    }
    if (v && r->trim)
        map_trim(&v, len);
    return v;
}

/* A typed op's work on its value v (len bytes, trimmed, some source had a value; at: its
 * segment): OP_DONE or OP_GENERAL. Inline in both its callers: a call with its nine arguments
 * cost more than the node ops save (246.0 M instead of 241.1 M for the bench file). */
static inline __attribute__((always_inline)) int typed_value(x12_read *x, const xset *s,
                                                             const map_rule *r, const xop *op,
                                                             const char *v, size_t len, size_t at,
                                                             dg_doc *doc, char *rec)
{
    if (!len || len > op->max)
        return OP_GENERAL;
    char **out = (char **)(void *)(rec + op->off);
    switch (op->kind) {
    case XOP_DEC: {
        /* the usual short forms ("12.99", "3") in one pass, inline; anything else (a blank
         * inside, an exponent, more decimals, a bad number) the engine reads, with its message */
        dg_dec *d = (dg_dec *)(void *)(rec + op->off);
        if (!dg_dec_parse_simple(v, len, r->implied, d))
            return OP_GENERAL;
        if (r->negate_c && x12_step_match(s, at, r->negate_c))
            d->v = -d->v;
        return OP_DONE;
    }
    case XOP_DATE: { /* CCYYMMDD, the usual X12 date; any other shape goes the general way */
        int y = 0, mo = 0, d = 0;
        if (len != 8)
            return OP_GENERAL;
        for (size_t k = 0; k < 8; k++) {
            unsigned c = (unsigned char)v[k] - '0';
            if (c > 9)
                return OP_GENERAL;
            if (k < 4)
                y = y * 10 + (int)c;
            else if (k < 6)
                mo = mo * 10 + (int)c;
            else
                d = d * 10 + (int)c;
        }
        if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > map_days_in_month(y, mo))
            return OP_GENERAL;
        char iso[10] = {v[0], v[1], v[2], v[3], '-', v[4], v[5], '-', v[6], v[7]};
        *out = doc_text(x, doc, iso, sizeof iso);
        return OP_DONE;
    }
    case XOP_TABLE: {
        const char *t = map_table_find(r->table, v, len);
        if (t) {
            v = t;
            len = strlen(t);
        } else if (r->table_strict) {
            return OP_GENERAL;
        }
        break;
    }
    default: break;
    }
    char *c = doc_text(x, doc, v, len);
    if (r->case_ != MAP_CASE_NONE)
        for (char *p = c; *p; p++)
            *p = (char)(r->case_ == MAP_CASE_UPPER ? toupper((unsigned char)*p)
                                                   : tolower((unsigned char)*p));
    *out = c;
    return OP_DONE;
}

/* A typed op (not XOP_COPY): OP_DONE, OP_SKIP (a quiet rule without a value) or OP_GENERAL
 * (anything else: the engine does it, with its messages). */
static inline int apply_typed(x12_read *x, const xset *s, const map_rule *r, const xop *op,
                              dg_doc *doc, char *rec)
{
    size_t len, at = SIZE_MAX;
    bool raw;
    const char *v = op_value(x, s, r, &len, &raw, &at);
    if (!raw)
        return op->quiet ? OP_SKIP : OP_GENERAL;
    return typed_value(x, s, r, op, v, len, at, doc, rec);
}

/* Rule i of a list the general way: its sources through the walk's answers or evaluated alone,
 * its value through map_apply_in (every transform, the defaults, the messages). */
static int apply_rule(x12_read *x, const xset *s, const map_rule *r, const xplan *pl, size_t i,
                      bool walked, const xscope *scope, dg_doc *doc, int group, void *grp_rec,
                      void *body_rec, char *scope_id)
{
    const char *vals[MAX_SRC];
    size_t lens[MAX_SRC], at[MAX_SRC];
    long found = -1;
    size_t n_src = r->n_src;
    if (walked && pl->single[i] >= 0) { /* the usual rule: one source, found by the walk */
        size_t seg = x12_plan_at(&x->run, pl->single[i]), len = 0;
        if (seg == SIZE_MAX && pl->quiet[i])
            return 0; /* nothing to set: most party rules of a set without that party */
        vals[0] = seg != SIZE_MAX ? x12_path_value_at(s, r->src_c[0], seg, &len) : NULL;
        lens[0] = vals[0] ? len : 0;
        at[0] = seg;
        if (vals[0] && len)
            found = 0;
    } else {
        if (walked && pl->quiet[i] && !any_found(&x->run, r))
            return 0;
        for (size_t k = 0; k < n_src; k++) {
            const xpath *p = r->src_c[k];
            size_t len = 0, seg = SIZE_MAX;
            if (p->node >= 0 && walked) { /* the walk found its segment */
                seg = x12_plan_at(&x->run, p->node);
                vals[k] = seg != SIZE_MAX ? x12_path_value_at(s, p, seg, &len) : NULL;
            } else {
                vals[k] = x12_path_eval(s, p, scope, &len, &seg);
            }
            lens[k] = vals[k] ? len : 0;
            at[k] = seg;
            if (vals[k] && len && found < 0) {
                found = (long)k;
                if (r->first && vals[k][0] != ' ')
                    n_src = k + 1; /* first_of: the rest cannot win */
            }
        }
    }
    if (found < 0 && !r->cnst && !r->dflt && !r->required)
        return 0; /* found, but empty */
    map_pos pos = {"segment", s->segs[scope->begin].pos, scope_id};
    if (found >= 0) {
        pos.n = s->segs[at[found]].pos;
        pos.detail = r->src[found];
    } else if (!scope_id[0]) { /* for messages: the scope's segment */
        x12_unpack(s->segs[scope->begin].id, scope_id);
    }
    int fg = r->field->group;
    void *rec = fg == group && grp_rec ? grp_rec
                : fg == DG_FIELD_BODY  ? body_rec
                                       : dg_fields_record(doc, fg, 0);
    int rc = map_apply_in(x->m, r, vals, lens, n_src, doc, rec, &pos, x->err);
    if (rc)
        return rc;
    if (r->negate_c && found >= 0 && r->field->type != DG_FIELD_STR &&
        x12_step_match(s, at[found], r->negate_c)) {
        dg_dec *d = dg_field_dec(rec, r->field);
        d->v = -d->v;
    }
    return 0;
}

/* The node ops of a plan (compile_node_ops) after its walk: each found node's ops at once.
 * false when one of them needs the general way (a value over its cap, a bad number...): the
 * caller then applies every rule in rule order, which sets these fields again to the same
 * values and gives the first failure in rule order, as without node ops. (Taking that one op
 * the general way at once, or the rules with a default or required field as node ops too,
 * cost more instructions than it saved: 233.0 M and 231.4 M instead of 230.7 M.) */
static bool apply_node_ops(x12_read *x, const xset *s, const map_rule *rules, const xplan *pl,
                           dg_doc *doc, char *body_rec, char *grp_rec)
{
    for (size_t k = 0; k < pl->n_nops; k++) {
        const xnops *no = &pl->nops[k];
        size_t seg = x12_plan_at(&x->run, no->node);
        if (seg == SIZE_MAX)
            continue; /* quiet rules: nothing to set */
        const xseg *g = &s->segs[seg];
        for (const xop *op = pl->nop + no->first, *e = op + no->n; op < e; op++) {
            if (op->kind == XOP_COPY) {
                if (!copy_from(x, g, op, doc, body_rec, grp_rec))
                    return false;
                continue;
            }
            const map_rule *r = &rules[op->rule];
            const xpath *p = r->src_c[0];
            char *rec = op->body ? body_rec : grp_rec;
            if (p->all_pairs && op->kind == XOP_TEXT && r->case_ == MAP_CASE_NONE) {
                if (!pairs_op(x, g, p->ref.el, r, op, doc, rec))
                    return false;
                continue;
            }
            size_t len = 0;
            const char *v;
            if (p->whole) /* as x12_path_value_at */
                v = op->el <= g->n_el ? g->el[op->el] : NULL, len = v ? g->el_len[op->el] : 0;
            else if (p->n_quals && p->qual_keys) /* as x12_path_value */
                v = x12_qual_value(g, p, &len);
            else
                v = x12_path_value(s, p, seg, &len);
            if (!v || !len)
                continue; /* no value: a quiet rule sets nothing */
            if (r->trim)
                map_trim(&v, &len);
            if (typed_value(x, s, r, op, v, len, seg, doc, rec) != OP_DONE)
                return false;
        }
    }
    return true;
}

/* Applies the rules of the ops ops[0..n) in their order: through the op when fast (the walk's
 * answers over whole elements), else (or when the op hands it on) the general way. */
static int apply_ops(x12_read *x, const xset *s, const map_rule *rules, const xplan *pl,
                     const xop *ops, size_t n, bool fast, bool walked, const xscope *sc,
                     dg_doc *doc, int group, char *grp_rec, char *body_rec)
{
    char scope_id[4] = "";
    for (size_t j = 0; j < n; j++) {
        const xop *op = &ops[j];
        if (fast) {
            if (op->run > 1 && x12_plan_at(&x->run, op->guard) == SIZE_MAX) {
                j += op->run - 1; /* quiet rules under a loop the set lacks: a party not sent */
                continue;
            }
            if (op->kind == XOP_COPY ? apply_copy(x, s, op, doc, body_rec, grp_rec)
                                     : op->kind != XOP_RULE &&
                                           apply_typed(x, s, &rules[op->rule], op, doc,
                                                       op->body ? body_rec : grp_rec) != OP_GENERAL)
                continue;
        }
        int rc = apply_rule(x, s, &rules[op->rule], pl, op->rule, walked, sc, doc, group, grp_rec,
                            body_rec, scope_id);
        if (rc)
            return rc;
    }
    return 0;
}

static int apply_rules(x12_read *x, const xset *s, const map_rule *rules, size_t n, const xplan *pl,
                       xscope sc, dg_doc *doc, int group, size_t idx)
{
    char *grp_rec = group >= 0 ? dg_fields_record(doc, group, idx) : NULL,
         *body_rec = dg_fields_record(doc, DG_FIELD_BODY, 0);
    if (++x->run.gen == 0) { /* wrapped: no stamp may look current */
        memset(x->run.stamp, 0, x->m->x12.max_plan * sizeof *x->run.stamp);
        x->run.gen = 1;
    }
    bool walked = pl->n && !paths_alone;
    if (walked)
        /* every node of the plan, in one walk (or from the last walk of the same shape) */
        x12_plan_walk_memo(s, pl, &x->run, &sc, &x->memo[pl->memo], x->memo_pos);
    bool fast = walked && s->whole_el; /* the ops read whole elements as the reader split them */
    if (fast && apply_node_ops(x, s, rules, pl, doc, body_rec, grp_rec))
        return apply_ops(x, s, rules, pl, pl->rest, pl->n_rest, true, true, &sc, doc, group,
                         grp_rec, body_rec);
    return apply_ops(x, s, rules, pl, pl->ops, n, fast, walked, &sc, doc, group, grp_rec, body_rec);
}

/* The document's source fields, the envelope's texts copied in one piece of its arena: each
 * text is a fixed-size array of the reader's (NUL-terminated inside it), copied whole into its
 * own 16-byte slot (32 for the 16-byte ids, so a NUL follows even a full array). No strlen and
 * no memcpy call per text, and each value starts on 16 bytes, as the JSON writer reads best. */
enum { SRC_SLOTS = 9 }; /* "x12", the two ids (two slots each), three controls, the set id */
static inline char *source_text(char *slot, const char *text, size_t size)
{
    memcpy(slot, text, size);
    return slot;
}

static void fill_source(dg_doc *doc, const dg_x12_set *set)
{
    dg_doc_source *src = &doc->source;
    char *p = dg_arena_alloc(doc->arena, SRC_SLOTS * 16); /* zeroed */
    const dg_x12_isa *isa = set->isa;
    src->format = source_text(p, "x12", 4);
    _Static_assert(sizeof isa->sender_id <= 16 && sizeof isa->receiver_id <= 16 &&
                       sizeof isa->control <= 16 && sizeof set->gs->control <= 16 &&
                       sizeof set->control <= 16 && sizeof set->id <= 16,
                   "each envelope text fits its slot");
    if (isa) {
        src->sender_id = source_text(p + 16, isa->sender_id, sizeof isa->sender_id);
        src->receiver_id = source_text(p + 48, isa->receiver_id, sizeof isa->receiver_id);
        src->interchange_control = source_text(p + 80, isa->control, sizeof isa->control);
    }
    if (set->gs)
        src->group_control = source_text(p + 96, set->gs->control, sizeof set->gs->control);
    src->set_control = source_text(p + 112, set->control, sizeof set->control);
    src->transaction_set = source_text(p + 128, set->id, sizeof set->id);
    src->position = set->n_segs ? set->segs[0].file_seg : 0;
}

enum { HIDDEN = 2 }; /* in_group bit: the segment belongs to another document of the set */

/* A group's 'when': one of its sources has a value in the loop. */
static bool any_value(const xset *s, const map_group *gr, xscope sc)
{
    for (size_t k = 0; k < gr->n_whens; k++) {
        size_t len = 0, at;
        if (x12_path_eval(s, gr->whens_c[k], &sc, &len, &at) && len)
            return true;
    }
    return false;
}

/* A 'within' group: its loops inside each loop of the within step in [begin, end) (the SACs
 * of a PO1), each seeing the enclosing loop through "outer/". */
static int map_within(x12_read *x, const xset *s, const map_group *gr, size_t begin, size_t end,
                      dg_doc *doc)
{
    int rc = 0;
    size_t ordinal = 0; /* of the enclosing loop: its line's number when the partner sends none */
    for (size_t i = begin; !rc && i < end; i++) {
        if ((x->in_group[i] & HIDDEN) || !x12_step_match(s, i, gr->within_c))
            continue;
        ordinal++;
        size_t oe = x12_loop_end(s, i, end, 0);
        for (size_t j = i + 1; !rc && j < oe; j++) {
            if (!x12_step_match(s, j, gr->each_c))
                continue;
            xscope sc = {j, group_end(s, gr, j, oe), false, i, oe};
            if (gr->n_whens && !any_value(s, gr, sc))
                continue;
            size_t idx = dg_fields_add(doc, gr->group);
            rc = apply_rules(x, s, gr->rules, gr->n_rules, gr->plan_c, sc, doc, gr->group, idx);
            char **num =
                gr->number ? dg_field_str(dg_fields_record(doc, gr->group, idx), gr->number) : NULL;
            if (!rc && num && !*num)
                *num = dg_arena_printf(doc->arena, "%zu", ordinal);
            if (!rc)
                map_group_finish(gr, doc, idx);
        }
        i = oe - 1;
    }
    return rc;
}

/* One element of group gr from its loop sc, unless the group's 'when' finds no value there. */
static int map_element(x12_read *x, const xset *s, const map_group *gr, xscope sc, dg_doc *doc)
{
    if (gr->n_whens && !any_value(s, gr, sc))
        return 0;
    size_t idx = dg_fields_add(doc, gr->group);
    int rc = apply_rules(x, s, gr->rules, gr->n_rules, gr->plan_c, sc, doc, gr->group, idx);
    if (!rc)
        map_group_finish(gr, doc, idx);
    return rc;
}

/* Maps one document: header rules see every segment that no group loop and no other document
 * holds; groups take their loops in [begin, end), or with shared every loop no other document
 * holds (the first document also gets loops outside all document loops). */
static int map_doc(x12_read *x, const xset *s, size_t begin, size_t end, bool shared, dg_doc *doc)
{
    const dg_mapping *m = x->m;
    xscope all = {0, s->n, true, 0, 0};
    int rc = apply_rules(x, s, m->rules, m->n_rules, m->x12.plan_c, all, doc, DG_FIELD_BODY, 0);
    if (shared) {
        begin = 0;
        end = s->n;
    }
    for (size_t g = 0; !rc && g < m->n_groups; g++) {
        const map_group *gr = &m->groups[g];
        if (gr->if_empty >= 0 && dg_fields_count(doc, gr->if_empty))
            continue;
        if (gr->within_c) { /* the line SACs: most sets have no SAC at all, nothing to look for */
            if (x->inner_held >> g & 1)
                rc = map_within(x, s, gr, begin, end, doc);
            continue;
        }
        if (gr->each_document) { /* once, seeing what the document's fields see */
            if (begin < end)
                rc = map_element(x, s, gr, all, doc);
            continue;
        }
        if (!(x->starts_any >> g & 1))
            continue; /* no loop of this group in the set (an order without charges) */
        for (size_t k = 0; !rc && k < x->n_start_at; k++) { /* the segments starting loops */
            size_t i = x->start_at[k];
            if (i < begin || i >= end || !(x->starts[k] & (1u << g)) || (x->in_group[i] & HIDDEN))
                continue;
            size_t e = x->start_end[k] ? x->start_end[k] : group_end(s, gr, i, s->n);
            rc = map_element(x, s, gr, (xscope){i, e, false, 0, 0}, doc);
        }
    }
    return rc;
}

static size_t hl_id(const xset *s, size_t i, int el, const char **v)
{
    size_t len = 0;
    *v = el <= s->segs[i].n_el ? s->elem(s->ctx, s->segs[i].raw, el, 0, 0, &len) : NULL;
    return *v ? len : 0;
}

/* Where the document loop starting at b ends. An HL loop holds the HL's descendants (its whole
 * subtree: HL02 names an HL still open; an HL without HL02 stays inside), so the order level
 * keeps its packs and items; any other loop runs to its next start or an 'until' segment. */
static size_t doc_end(const xset *s, size_t b, const xstep *st)
{
    static const uint32_t HL = ('H' << 8) | 'L';
    if (s->segs[b].id != HL)
        return x12_loop_end(s, b, s->n, 0);
    enum { DEPTH = 32 };
    const char *ids[DEPTH];
    size_t lens[DEPTH], depth = 1;
    lens[0] = hl_id(s, b, 1, &ids[0]);
    size_t j = b + 1;
    for (; j < s->n; j++) {
        uint32_t id = s->segs[j].id;
        bool until = false;
        for (size_t k = 0; k < s->n_until && !until; k++)
            until = s->until[k] == id;
        if (until)
            break;
        if (id != HL)
            continue;
        if (x12_step_match(s, j, st))
            break; /* the next document */
        const char *p, *own;
        size_t plen = hl_id(s, j, 2, &p), olen = hl_id(s, j, 1, &own);
        if (plen) { /* close the open levels down to the parent; none left: outside */
            while (depth && !(lens[depth - 1] == plen && !memcmp(ids[depth - 1], p, plen)))
                depth--;
            if (!depth)
                break;
        }
        if (depth < DEPTH) {
            ids[depth] = own;
            lens[depth++] = olen;
        }
    }
    return j;
}

static void set_hidden(const x12_read *x, size_t b, size_t e, bool on)
{
    for (size_t i = b; i < e; i++)
        x->in_group[i] = (unsigned char)(on ? x->in_group[i] | HIDDEN : x->in_group[i] & ~HIDDEN);
}

static int emit(x12_read *x, const xset *s, const dg_x12_set *set, size_t begin, size_t end,
                bool shared, long position)
{
    dg_doc *doc = dg_doc_new(x->m->kind);
    x->text_left = 0; /* a new chunk in the new document's arena */
    fill_source(doc, set);
    if (position)
        doc->source.position = position;
    int rc = map_doc(x, s, begin, end, shared, doc);
    if (rc) {
        long where = doc->source.position;
        dg_doc_free(doc);
        if (rc != DG_EMAP)
            return rc;
        x->sets_mapped++; /* found and reported: not "no such set in the file" */
        dg_error why = *x->err;
        x->err->code = 0;
        return map_report(&x->rd, false, "segment", where, set->control, &why, x->err);
    }
    x->sets_mapped++;
    return x->rd.sink(x->rd.ctx, doc, x->err);
}

/* One document per set, or with x12.document_per one per loop of that step: each sees the
 * set's shared segments (the 856 shipment level) and its own loop, not the other documents'.
 * Group loops outside every document loop go with the first document. */
static int map_set(x12_read *x, xset *s, const dg_x12_set *set)
{
    const xstep *per = x->m->x12.document_per_c;
    mark_loops(x, s);
    x->n_docs = 0;
    for (size_t i = 0; per && i < s->n; i++) {
        if (!x12_step_match(s, i, per))
            continue;
        if (x->n_docs == x->cap_docs) {
            x->cap_docs = x->cap_docs ? x->cap_docs * 2 : 16;
            x->docs = realloc(x->docs, x->cap_docs * sizeof *x->docs);
            if (!x->docs)
                abort();
        }
        size_t e = doc_end(s, i, per);
        x->docs[x->n_docs][0] = i;
        x->docs[x->n_docs++][1] = e;
        set_hidden(x, i, e, true);
        i = e - 1;
    }
    if (!x->n_docs)
        return emit(x, s, set, 0, s->n, true, 0);
    for (size_t k = 0; k < x->n_docs; k++) {
        size_t b = x->docs[k][0], e = x->docs[k][1];
        set_hidden(x, b, e, false);
        s->gen = ++x->gen; /* what the header sees changed: cached lookups are stale */
        /* the first document starts with the set, the next ones at their own loop */
        int rc = emit(x, s, set, b, e, k == 0, k ? s->segs[b].pos : 0);
        set_hidden(x, b, e, true);
        if (rc)
            return rc;
    }
    return 0;
}

static int on_set(void *ctx, const dg_x12_set *set)
{
    x12_read *x = ctx;
    const dg_mapping *m = x->m;
    if (strcmp(set->id, m->x12.set_id)) {
        note_other(x, set->id);
        return 0;
    }
    long where = set->n_segs ? set->segs[0].file_seg : 0;
    if (!set->complete)
        return dg_error_set(
            x->err, DG_EPARSE,
            "%s: transaction set %s (ST02 %s, segment %ld) ends without SE; the file is cut short",
            m->path, set->id, set->control, where);
    if (set->n_segs > x->cap) {
        x->cap = set->n_segs * 2;
        free(x->segs);
        free(x->in_group);
        free(x->starts);
        free(x->start_at);
        free(x->start_end);
        free(x->next_same);
        free(x->memo_pos);
        x->memo_pos = malloc((x->cap + 1) * sizeof *x->memo_pos);
        x->start_at = malloc(x->cap * sizeof *x->start_at);
        x->start_end = malloc(x->cap * sizeof *x->start_end);
        x->next_same = malloc(x->cap * sizeof *x->next_same);
        x->segs = malloc(x->cap * sizeof *x->segs);
        x->in_group = malloc(x->cap);
        x->starts = malloc(x->cap * sizeof *x->starts);
        if (!x->segs || !x->in_group || !x->starts || !x->next_same || !x->start_at ||
            !x->start_end || !x->memo_pos)
            abort();
    }
    for (size_t i = 0; i < set->n_segs; i++) {
        const dg_x12_seg *sg = &set->segs[i];
        x->segs[i].id = x12_pack(dg_x12_seg_id(sg), sg->n_el >= 0 ? sg->el_len[0] : 0);
        x->segs[i].pos = sg->file_seg;
        x->segs[i].n_el = sg->n_el;
        x->segs[i].raw = sg;
        x->segs[i].el = sg->el;
        x->segs[i].el_len = sg->el_len;
    }
    static const dg_x12_delims bare = {'*', '>', 0, '~'}; /* a set outside any ISA */
    const dg_x12_delims *d = set->isa ? &set->isa->delims : &bare;
    xset s = {.whole_el = !d->rep,
              .segs = x->segs,
              .n = set->n_segs,
              .cache = x->cache,
              .n_cache = m->x12.n_step_uids,
              .gen = ++x->gen,
              .in_group = x->in_group,
              .elem = seg_elem,
              .ctx = d,
              .until = x->until,
              .n_until = x->n_until,
              .scratch = &x->scratch};
    if (m->x12.needs_index || paths_alone)
        x12_index(&s, x->next_same, x->first_of, x->slot_id);
    return map_set(x, &s, set);
}

static void reader_init(x12_read *x, const dg_mapping *m)
{
    memset(x, 0, sizeof *x);
    x->m = m;
    for (size_t i = 0; i < m->x12.n_until && x->n_until < 32; i++)
        x->until[x->n_until++] = x12_pack(m->x12.until[i], strlen(m->x12.until[i]));
    for (size_t g = 0; g < m->n_groups; g++)
        if (m->groups[g].each_c && !m->groups[g].within_c) {
            x->starters[x->n_starters].each = m->groups[g].each_c;
            x->starters[x->n_starters++].g = (int)g;
            x->starter_bits |= 1ull << starter_bit(((const xstep *)m->groups[g].each_c)->seg);
        } else if (m->groups[g].within_c) {
            uint32_t seg = ((const xstep *)m->groups[g].each_c)->seg;
            x->inner[x->n_inner].seg = seg;
            x->inner[x->n_inner++].g = (int)g;
            x->inner_bits |= 1ull << starter_bit(seg);
        }
    x->cache = calloc(m->x12.n_step_uids + 1, sizeof *x->cache);
    size_t np = m->x12.max_plan + 1;
    x->run.stamp = calloc(np, sizeof *x->run.stamp);
    x->run.at = malloc(np * sizeof *x->run.at);
    x->run.end = malloc(np * sizeof *x->run.end);
    x->run.open = malloc(np * sizeof *x->run.open);
    if (!x->cache || !x->run.stamp || !x->run.at || !x->run.end || !x->run.open)
        abort();
    x->memo = calloc(m->x12.n_plans + 1, sizeof *x->memo);
    if (!x->memo)
        abort();
    for (size_t k = 0; k < m->x12.n_plans; k++) {
        xmemo *mo = &x->memo[k];
        mo->found = malloc(np * sizeof *mo->found);
        mo->at_pos = malloc(np * sizeof *mo->at_pos);
        if (!mo->found || !mo->at_pos)
            abort();
    }
}

static void reader_clear(x12_read *x)
{
    free(x->segs);
    free(x->in_group);
    free(x->starts);
    free(x->start_at);
    free(x->start_end);
    free(x->next_same);
    free(x->cache);
    free(x->run.stamp);
    free(x->run.at);
    free(x->run.end);
    free(x->run.open);
    for (size_t k = 0; x->memo && k < x->m->x12.n_plans; k++) {
        free(x->memo[k].found);
        free(x->memo[k].at_pos);
    }
    free(x->memo);
    free(x->memo_pos);
    free(x->docs);
    for (size_t k = 0; k < X12_SCRATCH; k++)
        free(x->scratch.buf[k]);
}

int map_x12_read(const dg_mapping *m, const char *path, const map_reader *rd, dg_error *err)
{
    x12_read x;
    reader_init(&x, m);
    x.rd = *rd;
    x.err = err;
    dg_x12_callbacks cb = {.on_set = on_set};
    int rc = dg_x12_parse_file(path, &cb, &x, err);
    if (!rc && !x.sets_mapped)
        rc = dg_error_set(err, DG_EMAP, "%s: no %s transaction set in the file%s%s%s", m->path,
                          m->x12.set_id, *x.others ? " (it holds " : "", x.others,
                          *x.others ? ")" : "");
    reader_clear(&x);
    if (rc && rc != DG_EIO && !strstr(err->msg, path))
        dg_error_prefix(err, "%s: ", path);
    return rc;
}

/* Routing by envelope: the caller parses the file once and hands each set to the mapping the
 * set's sender and ST01 select; the reader keeps its buffers between sets. */
struct dg_map_x12_reader {
    x12_read x;
};

int dg_map_x12_reader_new(const dg_mapping *m, dg_map_x12_reader **out, dg_error *err)
{
    *out = NULL;
    if (strcmp(dg_map_format(m), "x12") || dg_map_get_direction(m) != DG_MAP_IN)
        return dg_error_set(err, DG_ECONFIG, "%s: not an inbound X12 mapping", m->path);
    dg_map_x12_reader *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    reader_init(&r->x, m);
    *out = r;
    return 0;
}

const char *dg_map_x12_set_id(const dg_mapping *m)
{
    return strcmp(dg_map_format(m), "x12") ? NULL : m->x12.set_id;
}

int dg_map_x12_read_set(dg_map_x12_reader *r, const dg_x12_set *set, dg_doc_sink sink, void *ctx,
                        dg_error *err)
{
    x12_read *x = &r->x;
    if (strcmp(set->id, x->m->x12.set_id))
        return dg_error_set(err, DG_ECONFIG, "%s reads %s sets, not %s (ST02 %s)", x->m->path,
                            x->m->x12.set_id, set->id, set->control);
    x->rd = (map_reader){sink, NULL, ctx}; /* one set, one-shot: its failure is the error */
    x->err = err;
    x->sets_mapped = 0;
    return on_set(x, set);
}

void dg_map_x12_reader_free(dg_map_x12_reader *r)
{
    if (!r)
        return;
    reader_clear(&r->x);
    free(r);
}
