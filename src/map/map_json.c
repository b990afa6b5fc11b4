/* JSON adapter: documents streamed out of a file one at a time (src/json) -> canonical documents
 * through JSON paths ($ the document, @ a group's element); canonical documents -> JSON built
 * from member paths, numbers and booleans written as the mapping says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map/map_internal.h"
#include "json/json.h"

/* In document fields @ and $ are both the document; in a group @ is the element. */
static void *compile(dg_mapping *m, const char *src, int line, dg_error *err)
{
    char why[300];
    dg_json_path *p = dg_json_path_compile(m->arena, src, why, sizeof why);
    if (!p)
        dg_error_set(err, DG_ECONFIG, "%s:%d: %s", m->path, line, why);
    return p;
}

/* Member paths are names joined by dots; "." (the element itself) only as the one element of an
 * 'each' with a path, which then fills an array of values (tracking_numbers: ["1Z..."]). */
static int check_outs(const dg_mapping *m, const map_out *outs, size_t n, bool values_ok,
                      dg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const map_out *o = &outs[i];
        const char *p = o->name;
        if (p && !strcmp(p, ".") && values_ok && n == 1)
            continue;
        if (p && (!*p || strstr(p, "..") || p[0] == '.' || p[strlen(p) - 1] == '.'))
            return dg_error_set(err, DG_ECONFIG,
                                "%s:%d: '%s' is not a member path (names joined by dots, such as "
                                "shipping_address.zip; '.' only as the one element of an 'each' "
                                "with a path)",
                                m->path, o->line, p);
        int rc = check_outs(m, o->kids, o->n_kids, o->each >= 0 && o->name, err);
        if (rc)
            return rc;
    }
    return 0;
}

int map_json_compile(dg_mapping *m, dg_error *err)
{
    if (m->dir == DG_MAP_OUT)
        return check_outs(m, m->outs, m->n_outs, false, err);
    map_json_opts *j = &m->json;
    const dg_node *jn = dg_conf_get(m->conf, "json");
    int line = jn ? jn->line : 1;
    j->documents_c = dg_arena_alloc(m->arena, (j->n_documents + 1) * sizeof *j->documents_c);
    for (size_t i = 0; i < j->n_documents; i++) {
        const dg_json_path *p = compile(m, j->documents[i], line, err);
        if (!p)
            return DG_ECONFIG;
        if (!dg_json_path_plain(p))
            return dg_error_set(err, DG_ECONFIG,
                                "%s:%d: documents '%s': a documents path starts at $ and uses "
                                "names, [n] and [*] only (no filters, no negative index)",
                                m->path, line, j->documents[i]);
        j->documents_c[i] = p;
    }
    return map_compile_paths(m, compile, err);
}

/* ---- inbound ---------------------------------------------------------------------------- */

typedef struct {
    const dg_mapping *m;
    const map_reader *rd;
    const char *path;
    char nums[MAP_MAX_SOURCES][64]; /* numbers' text */
    bool any;                       /* a document was seen */
    map_tally tally;                /* what the filters did to the current document */
} json_read;

/* The text a source selects; NULL when absent. An object or array is a mapping error. */
static int source_text(json_read *jr, const map_rule *r, size_t s, json_t *root, json_t *cur,
                       const char **v, size_t *l, const map_pos *pos, dg_error *err)
{
    json_t *n = dg_json_path_first(r->src_c[s], root, cur);
    int k = dg_json_text(n, v, l, jr->nums[s], sizeof jr->nums[s]);
    if (k < 0)
        return map_err(err, DG_EMAP, r, pos,
                       "'%s' is %s, not a value (point the source at one of its members)",
                       r->src[s], json_is_array(n) ? "an array" : "an object");
    if (!k) {
        *v = NULL;
        *l = 0;
    }
    return 0;
}

/* A rule the document lacks is noted in fail and the next one applied (map_fail). */
static int apply_rules(json_read *jr, const map_rule *rules, size_t n, json_t *root, json_t *cur,
                       dg_doc *doc, int group, size_t idx, const map_pos *pos, map_fail *fail,
                       dg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const map_rule *r = &rules[i];
        const char *v[MAP_MAX_SOURCES];
        size_t l[MAP_MAX_SOURCES];
        size_t k = r->n_src < MAP_MAX_SOURCES ? r->n_src : MAP_MAX_SOURCES;
        int rc = 0;
        for (size_t s = 0; !rc && s < k; s++)
            rc = source_text(jr, r, s, root, cur, &v[s], &l[s], pos, err);
        void *rec = dg_fields_record(doc, r->field->group == group ? group : r->field->group,
                                     r->field->group == group ? idx : 0);
        if (!rc)
            rc = map_apply_in(jr->m, r, v, l, k, doc, rec, pos, err);
        if ((rc = map_fail_note(fail, rc, err)))
            return rc;
    }
    return 0;
}

/* Text at a when/filter path from an element, for comparisons; NULL when absent or not a value. */
static const char *text_at(const void *path, json_t *root, json_t *el, size_t *len, char *buf)
{
    const char *s = NULL;
    *len = 0;
    if (dg_json_text(dg_json_path_first(path, root, el), &s, len, buf, 64) != 1)
        return NULL;
    return s;
}

typedef struct {
    json_read *jr;
    const map_group *gr;
    json_t *root, *el;
    dg_doc *doc;
    const map_pos *doc_pos;
    size_t n;       /* elements selected so far */
    map_fail *fail; /* the document's */
    map_tally *tally;
    dg_error *err;
    char buf[64];
} group_walk;

static const char *filter_src(void *ctx, size_t k, size_t *len)
{
    group_walk *w = ctx;
    return text_at(w->gr->filters[k].source_c, w->root, w->el, len, w->buf);
}

static int on_element(void *ctx, json_t *el)
{
    group_walk *w = ctx;
    const map_group *gr = w->gr;
    char detail[160];
    size_t len;
    w->n++;
    w->el = el;
    if (gr->when_c && (!text_at(gr->when_c, w->root, el, &len, w->buf) || !len))
        return 0;
    const map_filter *by = NULL;
    map_verdict v = gr->n_filters ? map_filter_element(gr, filter_src, w, &by) : MAP_KEEP;
    if (gr->n_filters)
        map_tally_add(w->tally, w->jr->m, gr, v, by);
    if (v == MAP_DROP)
        return 0;
    snprintf(detail, sizeof detail, "%s #%zu", gr->each, w->n);
    map_pos pos = {w->doc_pos->unit, w->doc_pos->n, detail};
    map_fail own = {0};
    size_t idx = dg_fields_add(w->doc, gr->group);
    int rc = apply_rules(w->jr, gr->rules, gr->n_rules, w->root, el, w->doc, gr->group, idx, &pos,
                         v == MAP_CARRY ? &own : w->fail, w->err);
    if (!rc && v == MAP_CARRY)
        map_filter_carry(by, w->doc, dg_fields_record(w->doc, gr->group, idx));
    if (!rc)
        map_group_finish(gr, w->doc, idx);
    return rc;
}

/* One document: its fields, then its groups' elements (kept, dropped or carried by the filters,
 * tallied in t). Mapping failures are noted in fail; a carried line's own do not count. */
static int read_doc(json_read *jr, const dg_json_doc *d, dg_doc **out, map_fail *fail, map_tally *t,
                    dg_error *err)
{
    const dg_mapping *m = jr->m;
    dg_doc *doc = dg_doc_new(m->kind);
    doc->source.format = dg_arena_strdup(doc->arena, "json");
    doc->source.position = d->line;
    map_pos pos = {"line", d->line, NULL};
    json_t *root = d->value;
    int rc =
        apply_rules(jr, m->rules, m->n_rules, root, root, doc, DG_FIELD_BODY, 0, &pos, fail, err);
    for (size_t g = 0; !rc && g < m->n_groups; g++) {
        const map_group *gr = &m->groups[g];
        if (gr->if_empty >= 0 && dg_fields_count(doc, gr->if_empty))
            continue;
        group_walk w = {.jr = jr,
                        .gr = gr,
                        .root = root,
                        .doc = doc,
                        .doc_pos = &pos,
                        .fail = fail,
                        .tally = t,
                        .err = err};
        rc = dg_json_path_each(gr->each_c, root, root, on_element, &w);
    }
    if (rc) {
        dg_doc_free(doc);
        return rc;
    }
    *out = doc;
    return 0;
}

/* The key of a document that was not mapped (its order number, as the mapping reads it), so a
 * storefront order that cannot be placed is recorded under its own number; "" when unknown. */
static void doc_key(json_read *jr, const dg_json_doc *d, char *key, size_t size)
{
    size_t nf;
    const dg_field *kf = dg_fields_list(jr->m->kind, &nf);
    key[0] = '\0';
    for (size_t i = 0; d->value && nf && i < jr->m->n_rules; i++) {
        if (jr->m->rules[i].field != kf)
            continue;
        dg_doc *tmp = dg_doc_new(jr->m->kind);
        dg_error ignore = {0};
        map_fail fail = {0};
        map_pos pos = {"line", d->line, NULL};
        if (!apply_rules(jr, &jr->m->rules[i], 1, d->value, d->value, tmp, DG_FIELD_BODY, 0, &pos,
                         &fail, &ignore) &&
            !fail.failed && *dg_field_str(&tmp->u, kf))
            snprintf(key, size, "%s", *dg_field_str(&tmp->u, kf));
        dg_doc_free(tmp);
        return;
    }
}

/* A document goes to the sink, or is reported skipped or failed (or stops the read). */
static int on_doc(void *ctx, const dg_json_doc *d, dg_error *err)
{
    json_read *jr = ctx;
    char key[128];
    jr->any = true;
    dg_error why = {0};
    bool skipped = false;
    if (d->problem) {
        dg_error_set(&why, DG_EMAP, "%s:%ld:%ld: %s", jr->path, d->line, d->column, d->problem);
    } else {
        dg_doc *doc = NULL;
        map_fail fail = {0};
        map_tally_reset(&jr->tally);
        int rc = read_doc(jr, d, &doc, &fail, &jr->tally, err);
        if (rc)
            return rc;
        skipped = map_tally_skipped(&jr->tally, jr->m, "element", &why) != NULL;
        if (!skipped && !(fail.failed && !map_fail_forgiven(&fail, doc)))
            return jr->rd->sink(jr->rd->ctx, doc, err);
        dg_doc_free(doc);
        if (!skipped)
            why = fail.why;
    }
    dg_error_clear(err);
    doc_key(jr, d, key, sizeof key);
    return map_report(jr->rd, skipped, "line", d->line, *key ? key : NULL, &why, err);
}

int map_json_read(const dg_mapping *m, const char *path, const map_reader *rd, dg_error *err)
{
    json_read *jr = calloc(1, sizeof *jr);
    if (!jr)
        return dg_error_set(err, DG_ENOMEM, "%s: out of memory", path);
    jr->m = m;
    jr->rd = rd;
    jr->path = path;
    map_tally_init(&jr->tally, m);
    dg_json_read_opts o = {(const dg_json_path *const *)m->json.documents_c, m->json.n_documents,
                           (size_t)m->json.max_document_bytes};
    size_t found = 0;
    int rc = dg_json_read_file(path, &o, on_doc, jr, &found, err);
    map_tally_free(&jr->tally);
    free(jr);
    if (rc == DG_EMAP && !found && !strstr(err->msg, m->path))
        dg_error_prefix(err, "%s: ", m->path);
    if (rc && rc != DG_EIO && !strstr(err->msg, path))
        dg_error_prefix(err, "%s: ", path);
    return rc;
}

/* ---- outbound --------------------------------------------------------------------------- */

typedef struct {
    const dg_mapping *m;
    dg_arena *a;
    dg_buf tmp;
} json_write;

/* Renders o's value into parent (an object: member o->name; an array: one more element). */
static int put_value(json_write *w, const map_out *o, const map_out_ctx *c, dg_json_out *parent,
                     bool append, dg_error *err)
{
    dg_buf_clear(&w->tmp);
    int rc = map_render(w->m, o->vals, c, &w->tmp, err);
    if (rc || !w->tmp.len) /* an empty value leaves its member out */
        return rc;
    const char *v = w->tmp.data;
    size_t len = w->tmp.len;
    dg_json_kind kind = DG_JSON_STRING;
    if (o->json_type == MAP_JSON_NUMBER) {
        if (!dg_json_is_number(v, len))
            return dg_error_set(err, DG_EMAP,
                                "%s:%d: '%s' of document %zu: '%s' is not a JSON number",
                                w->m->path, o->line, o->name, c->doc_no, v);
        kind = DG_JSON_RAW;
    } else if (o->json_type == MAP_JSON_BOOLEAN) {
        if (strcmp(v, "true") && strcmp(v, "false"))
            return dg_error_set(err, DG_EMAP,
                                "%s:%d: '%s' of document %zu: '%s' is not true or false (map it "
                                "with a table)",
                                w->m->path, o->line, o->name, c->doc_no, v);
        kind = DG_JSON_RAW;
    }
    dg_json_out *node = append ? dg_json_out_append(w->a, parent, kind)
                               : dg_json_out_member(w->a, parent, o->name, kind);
    dg_json_out_set(w->a, node, v, len);
    return 0;
}

static int write_outs(json_write *w, const map_out *outs, size_t n, dg_json_out *parent,
                      map_out_ctx *c, dg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        const map_out *o = &outs[i];
        /* when: on a field of the loop's own group is asked of each element */
        bool each_when = o->each >= 0 && o->when && o->when->group == o->each;
        if (o->when && !each_when) {
            void *rec = map_out_record(c, o->when);
            if (!rec || !dg_field_present(rec, o->when))
                continue;
        }
        if (o->each < 0) {
            int rc = put_value(w, o, c, parent, false, err);
            if (rc)
                return rc;
            continue;
        }
        if (o->if_empty >= 0 && dg_fields_count(c->doc, o->if_empty))
            continue;
        /* with a path: an array, one entry per element; without: the first element's values
         * go into the enclosing object (tracking_number of the first package) */
        dg_json_out *arr =
            o->name ? dg_json_out_member(w->a, parent, o->name, DG_JSON_ARRAY) : NULL;
        bool values = arr && o->n_kids == 1 && !strcmp(o->kids[0].name, ".");
        map_out_ctx sub = *c;
        sub.outer_group = c->group;
        sub.outer_idx = c->idx;
        sub.group = o->each;
        size_t cnt = dg_fields_count(c->doc, o->each);
        for (size_t k = 0; k < cnt; k++) {
            if (!map_out_matches(o, c, k))
                continue;
            sub.idx = k;
            if (each_when && !dg_field_present(map_out_record(&sub, o->when), o->when))
                continue;
            int rc = values
                         ? put_value(w, &o->kids[0], &sub, arr, true, err)
                         : write_outs(w, o->kids, o->n_kids,
                                      arr ? dg_json_out_append(w->a, arr, DG_JSON_OBJECT) : parent,
                                      &sub, err);
            if (rc)
                return rc;
            if (!arr)
                break;
        }
    }
    return 0;
}

int map_json_write(const dg_mapping *m, dg_doc *const *docs, size_t n, dg_buf *out, dg_error *err)
{
    const map_json_opts *j = &m->json;
    if (j->single && n != 1)
        return dg_error_set(err, DG_EMAP,
                            "%s: writes one document per file (json: single), not %zu", m->path, n);
    json_write w = {m, dg_arena_new(), DG_BUF_INIT};
    dg_json_out *top = dg_json_out_new(w.a, j->single ? DG_JSON_OBJECT
                                            : j->root ? DG_JSON_OBJECT
                                                      : DG_JSON_ARRAY);
    dg_json_out *arr = j->root ? dg_json_out_member(w.a, top, j->root, DG_JSON_ARRAY) : top;
    int rc = 0;
    for (size_t d = 0; !rc && d < n; d++) {
        map_out_ctx c = {.doc = docs[d], .group = -1, .outer_group = -1, .doc_no = d + 1};
        dg_json_out *el = j->single ? top : dg_json_out_append(w.a, arr, DG_JSON_OBJECT);
        if (j->wrap)
            el = dg_json_out_member(w.a, el, j->wrap, DG_JSON_OBJECT);
        rc = write_outs(&w, m->outs, m->n_outs, el, &c, err);
    }
    if (!rc && (rc = dg_json_out_write(top, true, out, err)))
        dg_error_prefix(err, "%s: ", m->path);
    dg_buf_free(&w.tmp);
    dg_arena_free(w.a);
    return rc;
}
