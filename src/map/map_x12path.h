/* X12 paths of inbound mappings: compiled once at load ("N1[N101=ST]/N4/N403", "PO1@VP",
 * "parent/MAN[MAN01=GM]/MAN02", "SLN05-1") and evaluated over one transaction set. */
#ifndef DG_MAP_X12PATH_H
#define DG_MAP_X12PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"

typedef struct xref {
    uint32_t seg; /* packed id */
    int el;       /* 1-based element position */
    int comp;     /* 1-based component, 0 = the whole element */
    int rep;      /* 0-based repetition ("#2" in a path is rep 1) */
} xref;

typedef struct xcond {
    xref ref;
    const char **vals; /* any of these */
    size_t *val_lens;
    size_t n_vals;
    uint32_t *keys; /* each value as x12_value_key (a whole element's values of up to 3 bytes) */
} xcond;

typedef struct xstep {
    int uid; /* equal steps of one mapping share a uid (x12_step_uids): results are cached */
    uint32_t seg;
    xcond *conds;
    size_t n_conds;
    bool keyed; /* every condition has keys: tested by x12_step_keyed */
    /* two keyed conditions of one value each (PID[PID01=F,PID02=08]): their elements as
     * el0 | el1 << 8 (0: not such a step) and their keys as key0 | key1 << 32, compared at once
     * with the segment's two element keys, which the walk packs once for every such step */
    uint16_t pair_els;
    uint64_t pair_key;
} xstep;

typedef struct xpath {
    int parents;    /* leading "parent/": evaluate in the parent HL's loop */
    bool outer;     /* leading "outer/": evaluate in the loop enclosing a 'within' group's loop */
    bool all_pairs; /* SEG@*: every (qualifier, id) pair as "Q=id;Q=id" */
    xstep *steps;   /* loop selectors before the element */
    size_t n_steps;
    xref ref;
    const char **quals; /* SEG@Q1,Q2: product id by qualifier over id pairs */
    size_t *qual_lens;
    size_t n_quals;
    uint32_t *qual_keys; /* each qualifier as x12_qual_key, or NULL: one is longer than 3 */
    int node;   /* its node in the plan of its rule list (x12_plan_add), -1: evaluated alone */
    bool whole; /* a whole element (no component, repetition or qualifier): read inline */
} xpath;

/* One segment of a set as the evaluator sees it; elem() gives element/component text. The
 * evaluator knows nothing of the X12 reader: map_x12.c builds this view over a dg_x12_set. */
typedef struct xseg {
    uint32_t id;
    int n_el; /* elements after the id */
    long pos; /* segment number in the file, for messages */
    const void *raw;
    /* the elements as read (el[1..n_el]): a whole element without repetitions is read here
     * without a call through elem (most paths ask for nothing else) */
    const char *const *el;
    const uint32_t *el_len;
} xseg;

typedef struct xset {
    const xseg *segs;
    size_t n;
    const uint32_t *next_same; /* index of the next segment with the same id, or n */
    const uint32_t *first_of;  /* hash (x12_id_slot) -> first index of that id, or n */
    const uint32_t *slot_id;   /* the id owning each hash slot (0: free) */
    struct xcache *cache;      /* per step uid: last scope searched and the answer, or NULL */
    size_t n_cache;
    uint32_t gen;                  /* cache entries of other generations (sets) are stale */
    const unsigned char *in_group; /* 1: inside a repeated-group loop (not header) */
    const char *(*elem)(const void *ctx, const void *raw, int el, int comp, int rep, size_t *len);
    const void *ctx;
    bool whole_el; /* no repetition separator: xseg.el holds each whole element */
    const uint32_t *until;
    size_t n_until;
    struct xscratch *scratch; /* text built by SEG@* (NULL: SEG@* gives nothing) */
} xset;

/* Ring of buffers for values built from several elements: each source of one rule gets its
 * own (a rule has at most X12_SCRATCH sources). */
#define X12_SCRATCH 12
typedef struct xscratch {
    char *buf[X12_SCRATCH];
    size_t cap[X12_SCRATCH];
    unsigned next;
} xscratch;

typedef struct xcache {
    uint32_t gen;
    size_t begin, end, at, loop_end; /* scope searched; the step's segment and loop end */
    bool header;
} xcache;

/* A scope: [begin, end), header scopes skip in_group segments. */
typedef struct xscope {
    size_t begin, end;
    bool header;
    size_t outer_begin, outer_end; /* the enclosing loop of a 'within' group (end 0: none) */
} xscope;

/* A segment id ("N1", "PO1") as a number: up to 3 characters, one byte each. */
static inline uint32_t x12_pack(const char *id, size_t len)
{
    if (len == 2) /* most ids: no loop */
        return (uint32_t)(unsigned char)id[0] << 8 | (unsigned char)id[1];
    if (len >= 3)
        return (uint32_t)(unsigned char)id[0] << 16 | (uint32_t)(unsigned char)id[1] << 8 |
               (unsigned char)id[2];
    uint32_t v = 0;
    for (size_t i = 0; i < len && i < 3; i++)
        v = v << 8 | (unsigned char)id[i];
    return v;
}
/* A qualifier of up to 3 bytes and its length as one number (0: longer), compared at once. */
static inline uint32_t x12_qual_key(const char *q, size_t len)
{
    switch (len) {
    case 1: return 1u << 24 | (unsigned char)q[0];
    case 2: return 2u << 24 | (unsigned char)q[0] << 8 | (unsigned char)q[1];
    case 3:
        return 3u << 24 | (unsigned char)q[0] << 16 | (unsigned char)q[1] << 8 |
               (unsigned char)q[2];
    default: return 0;
    }
}
/* A value of up to 3 bytes as x12_qual_key, 0 when empty, UINT32_MAX when longer (no key). */
static inline uint32_t x12_value_key(const char *v, size_t len)
{
    return len > 3 ? UINT32_MAX : len ? x12_qual_key(v, len) : 0;
}
/* The id index of a set: next_same chains and a first_of table of X12_ID_SLOTS entries. */
#define X12_ID_SLOTS 128
void x12_index(xset *s, uint32_t *next_same, uint32_t *first_of, uint32_t *slot_id);
const char *x12_unpack(uint32_t id, char buf[4]);

/* Parse helpers return NULL on success, or a message naming what is wrong. */
const char *x12_path_compile(dg_arena *a, const char *text, xpath *out);
const char *x12_step_compile(dg_arena *a, const char *text, xstep *out);

bool x12_step_conds(const xset *s, size_t i, const xstep *st);
/* true: no keyed shortcuts (conditions and qualifiers compared as text), the reference the
 * tests compare the shortcuts with (dg_map_debug_x12_paths_alone sets it) */
extern bool x12_reference;
/* x12_step_conds for a keyed step over whole elements: each element read and packed once and
 * compared with the values' keys as numbers (N1[N101=ST], PID[PID01=F,PID02=08]). */
static inline bool x12_step_keyed(const xset *s, size_t i, const xstep *st)
{
    const xseg *g = &s->segs[i];
    for (size_t c = 0; c < st->n_conds; c++) {
        const xcond *cd = &st->conds[c];
        int el = cd->ref.el;
        if (el <= g->n_el && !g->el[el])
            return false;
        uint32_t key = el > g->n_el ? 0 : x12_value_key(g->el[el], g->el_len[el]);
        size_t k = 0;
        while (k < cd->n_vals && cd->keys[k] != key)
            k++;
        if (k == cd->n_vals)
            return false;
    }
    return true;
}
/* Element el of segment i as x12_step_keyed compares it: its key, or UINT32_MAX (no
 * condition's key) for an element the reader left NULL. */
static inline uint32_t x12_elem_key(const xset *s, size_t i, int el)
{
    const xseg *g = &s->segs[i];
    if (el > g->n_el)
        return 0;
    return g->el[el] ? x12_value_key(g->el[el], g->el_len[el]) : UINT32_MAX;
}
/* Whether segment i is the step's segment and meets its conditions (the id test inline: most
 * segments a loop search passes are other segments). */
static inline bool x12_step_match(const xset *s, size_t i, const xstep *st)
{
    return s->segs[i].id == st->seg && (!st->n_conds || x12_step_conds(s, i, st));
}
/* Gives equal steps (same segment and conditions) the same uid; returns the next free uid. */
int x12_step_uid(xstep *st, const xstep **seen, int n_seen);
/* Where the loop started by segment i ends (next same segment, an until segment, end). */
size_t x12_loop_end(const xset *s, size_t i, size_t limit, uint32_t also_stop);
/* Evaluates p in scope; on success returns the text (len) and the segment index it came from. */
const char *x12_path_eval(const xset *s, const xpath *p, const xscope *scope, size_t *len,
                          size_t *seg);
/* The text p selects in segment at (which p's steps found): element, component, the id
 * chosen by qualifier (SEG@Q) or every pair (SEG@*); NULL when there is none. */
const char *x12_path_value(const xset *s, const xpath *p, size_t at, size_t *len);

/* SEG@Q1,Q2 over whole elements with every qualifier of up to 3 bytes (p->qual_keys): the id
 * after the first of the segment's qualifiers that is one of p's (the earliest of p's when
 * several are), each qualifier packed once and compared as a number; NULL when none is. */
static inline const char *x12_qual_value(const xseg *g, const xpath *p, size_t *len)
{
    size_t best = p->n_quals;
    int best_el = 0;
    for (int el = p->ref.el; el < g->n_el && best; el += 2) { /* first qualifier wins */
        if (!g->el[el])
            break;
        uint32_t key = x12_qual_key(g->el[el], g->el_len[el]);
        if (!key)
            continue; /* empty, or longer than any of p's */
        for (size_t q = 0; q < best; q++)
            if (p->qual_keys[q] == key) {
                best = q;
                best_el = el;
                break;
            }
    }
    if (!best_el)
        return NULL;
    if (best_el + 1 > g->n_el) {
        *len = 0;
        return "";
    }
    *len = g->el_len[best_el + 1];
    return g->el[best_el + 1];
}

/* x12_path_value with a whole element read inline: most paths ask for nothing else. */
static inline const char *x12_path_value_at(const xset *s, const xpath *p, size_t at, size_t *len)
{
    if (p->whole && s->whole_el && !x12_reference) {
        const xseg *g = &s->segs[at];
        if (p->ref.el > g->n_el) {
            *len = 0;
            return "";
        }
        *len = g->el_len[p->ref.el];
        return g->el[p->ref.el];
    }
    return x12_path_value(s, p, at, len);
}

/* The paths of one rule list (a mapping's header rules, one group's rules) as a tree of the
 * loops they enter, equal step prefixes sharing a node, compiled into a dispatch by segment id:
 * one walk over a scope's segments finds every node at once (x12_plan_walk), instead of a
 * search of the set per node. The answers are those of x12_path_eval: a step node is the first
 * segment of its parent's loop (the rules' scope for a root) with the step's id and conditions,
 * and its loop runs to the next segment with that id, the end of the parent's loop, or (header
 * scope) a group's segment; a value node is the first segment with its id in its parent's loop.
 * Paths with parent/ or outer/ leave the scope and stay evaluated alone. */
typedef struct xnode {
    int parent;        /* the node whose loop this one searches, -1: the rules' scope */
    const xstep *step; /* a loop step, or NULL: a value node */
    uint32_t seg;      /* the segment id it takes (the step's, or the value's) */
    bool kids;         /* other nodes search its loop: the walk tracks where that loop ends */
} xnode;

typedef struct xplan {
    xnode *nodes;
    size_t n, cap;
    /* dispatch (x12_plan_seal): hash slot -> segment id (0: free) and its nodes, in node order
     * (a parent before its children), by[first[slot] .. first[slot] + count[slot]) */
    uint32_t mask;
    uint32_t *slot_id;
    uint16_t *first, *count;
    uint16_t *by;
    bool *closes; /* per slot: the id is some loop node's, so it may end open loops */
    /* per rule of the list: true when every source has a node and the rule sets nothing
     * without a value (no constant, default or required): skipped when no node was found */
    bool *quiet;
    int *single;     /* per rule: the node of its one source, -1: several sources or none */
    struct xop *ops; /* per rule: what applying it takes (map_x12.c compiles them) */
    /* node ops: the ops of quiet one-source rules that alone set their field, grouped by the
     * plan node they read (nops[k]: node, and its ops nop[first .. first + n) in rule order),
     * applied once per node the walk found; rest: the other rules' ops, in rule order */
    struct xnops *nops;
    size_t n_nops;
    struct xop *nop, *rest;
    size_t n_rest;
    /* the walk's memo (x12_plan_walk_memo): per slot, the elements whose keys the conditions of
     * that id's steps read (up to X12_MEMO_KEYS, 0 ends the list); memo_ok: every step of the
     * plan is keyed (its answer a function of those keys), so a walk is a function of the
     * scope's ids, its group runs and those keys; memo: the plan's memo in a reader's array */
    uint8_t (*slot_kel)[4];
    bool memo_ok;
    uint16_t memo;
} xplan;

typedef struct xnops {
    uint16_t node;
    uint16_t n;
    uint32_t first;
} xnops;

/* A rule compiled at load for the walk's answers (map_x12.c). XOP_COPY: one source whose
 * segment the walk finds and whose value is a whole element, into a text field without a
 * transform (trim and the length cap aside): applying it is a lookup, a trim and a copy. The
 * typed ops take sources the walk finds (whole elements, SEG@Q qualifiers; one, or first_of)
 * into a text field with a case (XOP_TEXT), through a code table (XOP_TABLE), as a CCYYMMDD
 * date (XOP_DATE) or into a number (XOP_DEC, negate_if included). Whatever an op does not
 * cover (no value and a default or a required field, a value over the cap, a bad date or
 * number, a code a strict table lacks) and every other rule (XOP_RULE) go the general way,
 * which gives the same and the same messages. */
enum { XOP_RULE, XOP_COPY, XOP_TEXT, XOP_TABLE, XOP_DATE, XOP_DEC };
typedef struct xop {
    uint8_t kind;
    bool quiet;     /* the rule sets nothing without a value (as xplan.quiet) */
    bool trim;      /* the rule's trim */
    bool body;      /* the field is in the document's body, else in the list's group record */
    uint16_t node;  /* XOP_COPY: the plan node of the one source */
    uint16_t el;    /* XOP_COPY: the element copied (1-based) */
    uint32_t off;   /* the field's offset in its record */
    uint32_t max;   /* the rule's max_bytes */
    uint16_t guard; /* with run > 1: the loop step the next run rules all read under */
    uint16_t run;   /* rules from this one that set nothing when guard is not found */
    uint32_t rule;  /* the rule's index in its list */
} xop;

/* Where the nodes of one plan were found in the scope last walked: at[k] holds while
 * stamp[k] == gen (else node k found nothing); end[k], for nodes with kids, is where the loop
 * ended (SIZE_MAX while the walk has it open). Arrays of x12.max_plan entries. */
typedef struct xplan_run {
    uint32_t gen;
    uint32_t *stamp;
    size_t *at, *end;
    uint16_t *open; /* nodes with kids whose loop is open, in the order found */
} xplan_run;

/* The last walk of one plan, to be repeated without walking (x12_plan_walk_memo). A walk's
 * answers are a function of its scope's shape: the ids of the segments it sees, where a group's
 * loop (a run of in_group segments, in a header scope) interrupts them, whatever the run's
 * length, and the keys of the elements the steps' conditions read (xplan.slot_kel). The memo
 * holds that shape ("positions": a segment, or one marker per group run) and the nodes found,
 * as positions; a scope of the same shape gets the same nodes at the segments now at those
 * positions, which is what the walk would find. The 850's header and line loops repeat their
 * shape from order to order, so most walks are a compare of the shape. */
#define X12_MEMO_POS 128 /* positions: a longer scope is walked, not remembered */
#define X12_MEMO_KEYS 4  /* condition elements per segment id */
typedef struct xmemo {
    uint32_t n;                 /* positions remembered, 0: none */
    bool header;                /* the scope was a header scope */
    bool off;                   /* too many misses: the plan's walks are not remembered any more */
    uint32_t hits, misses;      /* for off */
    uint32_t ids[X12_MEMO_POS]; /* per position: the segment id, X12_MEMO_RUN: a group run */
    uint32_t kslot[X12_MEMO_POS]; /* per position: 1 + its id's slot when that has keys, else 0 */
    uint32_t keys[X12_MEMO_POS * X12_MEMO_KEYS]; /* the keys, position after position */
    uint32_t n_found;
    uint16_t *found;  /* the nodes found (room for the plan's nodes) */
    uint32_t *at_pos; /* the position of each one's segment */
} xmemo;
#define X12_MEMO_RUN UINT32_MAX
#define X12_MEMO_END (UINT32_MAX - 1) /* after the last position: matches nothing */

/* Adds p's steps and value segment to pl and sets p->node; a path with parent/ or outer/
 * leaves the scope and stays evaluated alone (node -1). */
void x12_plan_add(dg_arena *a, xplan *pl, xpath *p);
/* Builds pl's dispatch once every path is added. */
void x12_plan_seal(dg_arena *a, xplan *pl);
/* Finds every node of pl in scope sc, in one walk over its segments. */
void x12_plan_walk(const xset *s, const xplan *pl, xplan_run *r, const xscope *sc);
/* x12_plan_walk, or when scope sc has the shape memo m remembers, its answers without a walk
 * (m NULL: always the walk). A walk m could not answer is remembered in it. pos: room for
 * s->n + 1 entries. */
void x12_plan_walk_memo(const xset *s, const xplan *pl, xplan_run *r, const xscope *sc, xmemo *m,
                        uint32_t *pos);
/* true: walks are never answered from a memo (the reference the tests compare the memo with) */
extern bool x12_memo_off;

/* The segment node k selects in the scope last walked, SIZE_MAX when there is none. */
static inline size_t x12_plan_at(const xplan_run *r, int k)
{
    return r->stamp[k] == r->gen ? r->at[k] : SIZE_MAX;
}

#endif
