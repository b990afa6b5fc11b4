/* Group filters (skip_when / only_when) and document failures, shared by the csv, xml and json
 * readers: which elements are kept, dropped or carried with a line status, and when a document
 * is skipped, failed, or forgiven because it has nothing to route. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "map/map_internal.h"

bool map_filter_leaves_out(const map_filter *f, const char *v, size_t len)
{
    while (v && len && (*v == ' ' || *v == '\t')) {
        v++;
        len--;
    }
    while (v && len && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
        len--;
    bool hit = false;
    for (size_t i = 0; !hit && i < f->n_equals; i++)
        hit = strlen(f->equals[i]) == (v ? len : 0) && (!len || !strncasecmp(f->equals[i], v, len));
    return f->only ? !hit : hit;
}

map_verdict map_filter_element(const map_group *g, map_filter_src src, void *ctx,
                               const map_filter **by)
{
    map_verdict v = MAP_KEEP;
    *by = NULL;
    for (size_t k = 0; k < g->n_filters; k++) {
        const map_filter *f = &g->filters[k];
        if (v == MAP_CARRY && f->status) /* the first status stands */
            continue;
        size_t len = 0;
        const char *s = src(ctx, k, &len);
        if (!map_filter_leaves_out(f, s, len))
            continue;
        *by = f;
        if (!f->status)
            return MAP_DROP;
        v = MAP_CARRY;
    }
    return v;
}

void map_filter_carry(const map_filter *f, dg_doc *doc, void *rec)
{
    dg_order_line *l = rec; /* the loader allows a status only on order lines */
    l->status = dg_arena_strdup(doc->arena, f->status);
    l->status_reason = dg_arena_strdup(doc->arena, f->reason);
}

void map_tally_init(map_tally *t, const dg_mapping *m)
{
    t->n = m->n_groups;
    t->seen = calloc(t->n ? t->n : 1, 1);
    t->drop = calloc(t->n ? t->n : 1, sizeof *t->drop);
    if (!t->seen || !t->drop)
        abort();
}

void map_tally_reset(map_tally *t)
{
    memset(t->seen, 0, t->n);
    memset(t->drop, 0, t->n * sizeof *t->drop);
}

void map_tally_free(map_tally *t)
{
    free(t->seen);
    free(t->drop);
    t->seen = NULL;
    t->drop = NULL;
}

void map_tally_add(map_tally *t, const dg_mapping *m, const map_group *g, map_verdict v,
                   const map_filter *by)
{
    size_t i = (size_t)(g - m->groups);
    if (i >= t->n)
        return;
    t->seen[i] |= v == MAP_KEEP   ? MAP_SEEN_KEPT
                  : v == MAP_DROP ? MAP_SEEN_DROPPED
                                  : MAP_SEEN_CARRIED;
    if (v == MAP_DROP)
        t->drop[i] = by;
}

const map_group *map_tally_skipped(const map_tally *t, const dg_mapping *m, const char *unit,
                                   dg_error *why)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->seen[i] != MAP_SEEN_DROPPED)
            continue;
        const map_group *g = &m->groups[i];
        const map_filter *f = t->drop[i];
        size_t ng;
        dg_error_set(why, 0, "%s: every %s of its '%s' was left out by %s (line %d: %s)", m->path,
                     unit, dg_fields_groups(m->kind, &ng)[g->group].name,
                     f->only ? "only_when" : "skip_when", f->line, f->source);
        return g;
    }
    return NULL;
}

int map_fail_note(map_fail *f, int rc, dg_error *err)
{
    if (rc != DG_EMAP)
        return rc;
    if (!f->failed) {
        f->failed = true;
        f->why = *err;
    }
    dg_error_clear(err);
    return 0;
}

bool map_fail_forgiven(const map_fail *f, const dg_doc *doc)
{
    const dg_order *o = &doc->u.order; /* not without its number: that is no order at all */
    if (!f->failed || doc->kind != DG_DOC_ORDER || !o->n_lines || !o->order_number ||
        !*o->order_number)
        return false;
    for (size_t i = 0; i < o->n_lines; i++)
        if (!dg_line_status_unrouted(o->lines[i].status))
            return false;
    return true;
}
