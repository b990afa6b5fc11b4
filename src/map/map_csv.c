/* CSV adapter: rows -> canonical documents (header names or column numbers, grouping of
 * consecutive rows by a key column) and canonical documents -> rows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv/csv.h"
#include "map/map_internal.h"

/* Sources compile to ids; each read resolves ids to columns from that file's header, since
 * two exports of the same storefront may order their columns differently. */
static int assign_ids(dg_mapping *m, map_rule *rules, size_t n, long *next)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < rules[i].n_src; k++)
            rules[i].src_c[k] = (void *)(intptr_t)(*next)++;
    return 0;
    (void)m;
}

/* A source naming a column by number: "#3" (or "3" when the file has no header). 0 when not. */
static long column_number(const dg_mapping *m, const char *s)
{
    const char *p = s[0] == '#' ? s + 1 : (m->csv.header ? NULL : s);
    if (!p || !*p)
        return 0;
    char *end;
    long v = strtol(p, &end, 10);
    return *end || v < 1 ? 0 : v;
}

int map_csv_compile(dg_mapping *m, dg_error *err)
{
    (void)err;
    long next = 0;
    assign_ids(m, m->rules, m->n_rules, &next);
    for (size_t g = 0; g < m->n_groups; g++)
        assign_ids(m, m->groups[g].rules, m->groups[g].n_rules, &next);
    if (!m->csv.header) {
        for (size_t i = 0; i < m->n_rules; i++)
            for (size_t k = 0; k < m->rules[i].n_src; k++)
                if (!column_number(m, m->rules[i].src[k]))
                    return map_where_err(err, m->conf,
                                         "rule '%s' (line %d): without a header row a source is a "
                                         "column number, not '%s'",
                                         m->rules[i].label, m->rules[i].line, m->rules[i].src[k]);
    }
    return 0;
}

typedef struct {
    const dg_mapping *m;
    const map_reader *rd;
    long *cols; /* source id -> 0-based column */
    long n_ids;
    char **hdr; /* header names (when header) */
    size_t n_hdr;
    long group_col;
    long *when_cols;   /* per group, -1 none */
    long *filter_cols; /* the filters' columns, group g's from filter_at[g] */
    size_t *filter_at;
    map_verdict *verdict; /* per group, this row's */
    const map_filter **by;
    dg_doc *doc;
    char *key;      /* group key of the current document (the group_by column as written) */
    dg_buf key_buf; /* where key is kept (its memory reused from document to document) */
    char *doc_key;  /* its key as the mapping reads it ("1017" for "#1017"), NULL: unknown */
    long records;
    map_fail fail;         /* the current document's first failure */
    map_tally tally;       /* and what its filters did */
    struct csv_rule *plan; /* the rules with their columns (build_plan): header rules first, */
    size_t *plan_at;       /* then group g's from plan_at[g] */
} csv_read;

/* A rule with its column found for this file (after the header), so that the per-row loop
 * reads a single source's value straight from the row. */
typedef struct csv_rule {
    const map_rule *r;
    long col; /* the single source's column; COL_GENERAL: none or several sources */
} csv_rule;

#define COL_GENERAL (-2)

static long find_col(csv_read *c, const char *name)
{
    long num = column_number(c->m, name);
    if (num)
        return num - 1;
    for (size_t i = 0; i < c->n_hdr; i++)
        if (!strcmp(c->hdr[i], name))
            return (long)i;
    return -1;
}

static int resolve(csv_read *c, const map_rule *rules, size_t n, long record, dg_error *err)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < rules[i].n_src; k++) {
            long id = (long)(intptr_t)rules[i].src_c[k];
            c->cols[id] = find_col(c, rules[i].src[k]);
            if (c->cols[id] < 0 && !rules[i].optional) {
                map_pos pos = {"row", record, "(header)"};
                return map_err(err, DG_EMAP, &rules[i], &pos,
                               "column '%s' is not in the file's header", rules[i].src[k]);
            }
        }
    return 0;
}

static void plan_rules(csv_read *c, const map_rule *rules, size_t n, csv_rule *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i].r = &rules[i];
        out[i].col = rules[i].n_src == 1 ? c->cols[(intptr_t)rules[i].src_c[0]] : COL_GENERAL;
    }
}

static void build_plan(csv_read *c)
{
    const dg_mapping *m = c->m;
    size_t total = m->n_rules;
    for (size_t g = 0; g < m->n_groups; g++) {
        c->plan_at[g] = total;
        total += m->groups[g].n_rules;
    }
    free(c->plan);
    c->plan = calloc(total + 1, sizeof *c->plan);
    if (!c->plan)
        abort();
    plan_rules(c, m->rules, m->n_rules, c->plan);
    for (size_t g = 0; g < m->n_groups; g++)
        plan_rules(c, m->groups[g].rules, m->groups[g].n_rules, c->plan + c->plan_at[g]);
}

static int on_header(csv_read *c, char **f, size_t n, long record, dg_error *err)
{
    const dg_mapping *m = c->m;
    if (m->csv.header) {
        c->hdr = calloc(n, sizeof *c->hdr);
        for (size_t i = 0; i < n; i++) {
            size_t l = strlen(f[i]);
            while (l && (f[i][l - 1] == ' ' || f[i][l - 1] == '\r'))
                l--;
            c->hdr[i] = strndup(f[i], l);
        }
        c->n_hdr = n;
    }
    int rc = resolve(c, m->rules, m->n_rules, record, err);
    for (size_t g = 0; !rc && g < m->n_groups; g++)
        rc = resolve(c, m->groups[g].rules, m->groups[g].n_rules, record, err);
    for (size_t g = 0; !rc && g < m->n_groups; g++) {
        c->when_cols[g] = -1;
        if (m->groups[g].when && (c->when_cols[g] = find_col(c, m->groups[g].when)) < 0)
            rc = dg_error_set(err, DG_EMAP,
                              "%s:%d: group 'when' column '%s' is not in the file's header",
                              m->path, m->groups[g].line, m->groups[g].when);
    }
    for (size_t g = 0; !rc && g < m->n_groups; g++)
        for (size_t k = 0; !rc && k < m->groups[g].n_filters; k++) {
            const map_filter *fl = &m->groups[g].filters[k];
            if ((c->filter_cols[c->filter_at[g] + k] = find_col(c, fl->source)) < 0)
                rc = dg_error_set(err, DG_EMAP, "%s:%d: %s column '%s' is not in the file's header",
                                  m->path, fl->line, fl->only ? "only_when" : "skip_when",
                                  fl->source);
        }
    c->group_col = -1;
    if (!rc && m->csv.group_by && (c->group_col = find_col(c, m->csv.group_by)) < 0)
        rc = dg_error_set(err, DG_EMAP, "%s: group_by column '%s' is not in the file's header",
                          m->path, m->csv.group_by);
    if (!rc)
        build_plan(c);
    return rc;
}

/* The document is complete: to the sink, or reported as skipped (a filter dropped every row of
 * a group: that wins even when it also failed) or failed (unless it has nothing to route). */
static int emit(csv_read *c, dg_error *err)
{
    dg_doc *d = c->doc;
    if (!d)
        return 0;
    dg_error why; /* set when skipped (not cleared whole: 1 KiB per document) */
    why.code = 0;
    why.msg[0] = '\0';
    bool skipped = map_tally_skipped(&c->tally, c->m, "row", &why) != NULL;
    int rc;
    if (skipped || (c->fail.failed && !map_fail_forgiven(&c->fail, d))) {
        rc = map_report(c->rd, skipped, "row", d->source.position, c->doc_key,
                        skipped ? &why : &c->fail.why, err);
        dg_doc_free(d);
    } else {
        rc = c->rd->sink(c->rd->ctx, d, err);
    }
    c->doc = NULL;
    free(c->doc_key);
    c->key = c->doc_key = NULL;
    c->fail.failed = false; /* why is read only when failed */
    map_tally_reset(&c->tally);
    return rc;
}

typedef struct {
    const csv_read *c;
    size_t g;
    char **f;
    const size_t *lens;
    size_t n;
} csv_row;

static const char *filter_src(void *ctx, size_t k, size_t *len)
{
    const csv_row *r = ctx;
    size_t col = (size_t)r->c->filter_cols[r->c->filter_at[r->g] + k];
    *len = col < r->n ? r->lens[col] : 0;
    return col < r->n ? r->f[col] : NULL;
}

static int apply(csv_read *c, const map_rule *r, char **f, const size_t *lens, size_t n, void *rec,
                 const map_pos *pos, dg_error *err)
{
    const char *vals[MAP_MAX_SOURCES];
    size_t vl[MAP_MAX_SOURCES];
    size_t k = r->n_src < MAP_MAX_SOURCES ? r->n_src : MAP_MAX_SOURCES;
    for (size_t i = 0; i < k; i++) {
        long col = c->cols[(intptr_t)r->src_c[i]];
        vals[i] = (size_t)col < n ? f[col] : NULL;
        vl[i] = (size_t)col < n ? lens[col] : 0;
    }
    return map_apply_in(c->m, r, vals, vl, k, c->doc, rec, pos, err);
}

/* One planned rule on a row: a single source's value read at its column (what apply does). */
static inline int apply_planned(csv_read *c, const csv_rule *p, char **f, const size_t *lens,
                                size_t n, void *rec, const map_pos *pos, dg_error *err)
{
    if (p->col == COL_GENERAL)
        return apply(c, p->r, f, lens, n, rec, pos, err);
    const char *v = (size_t)p->col < n ? f[p->col] : NULL;
    size_t vl = v ? lens[p->col] : 0;
    return map_apply_in(c->m, p->r, &v, &vl, 1, c->doc, rec, pos, err);
}

/* A rule's record in the document: the body or source (inline: per rule), or a group's first. */
static inline void *rule_record(dg_doc *doc, const map_rule *r)
{
    int g = r->field->group;
    return g == DG_FIELD_BODY     ? (void *)&doc->u
           : g == DG_FIELD_SOURCE ? (void *)&doc->source
                                  : dg_fields_record(doc, g, 0);
}

/* The key of the document this row starts as its mapping reads it (the first field of the kind:
 * an order's number with its '#' stripped), so an order that cannot be placed is recorded under
 * the same number as a placed one. When a rule before it failed, the key rule runs alone. */
static char *doc_key(csv_read *c, char **f, const size_t *lens, size_t n, const map_pos *pos)
{
    size_t nf;
    const dg_field *kf = dg_fields_list(c->m->kind, &nf);
    if (!nf || kf->group != DG_FIELD_BODY)
        return NULL;
    if (*dg_field_str(&c->doc->u, kf))
        return strdup(*dg_field_str(&c->doc->u, kf));
    char *key = NULL;
    for (size_t i = 0; i < c->m->n_rules && !key; i++) {
        if (c->m->rules[i].field != kf)
            continue;
        dg_doc *tmp = dg_doc_new(c->m->kind), *keep = c->doc;
        dg_error ignore = {0};
        c->doc = tmp;
        if (!apply(c, &c->m->rules[i], f, lens, n, &tmp->u, pos, &ignore) &&
            *dg_field_str(&tmp->u, kf))
            key = strdup(*dg_field_str(&tmp->u, kf));
        c->doc = keep;
        dg_doc_free(tmp);
    }
    return key;
}

/* One row: the document's fields on its first row, then one element per group. A mapping
 * failure is noted (the document's reason) and the row still mapped; a carried line's own
 * failures (a gift card without SKU) do not count. */
static int on_row(csv_read *c, char **f, const size_t *lens, size_t n, long record, dg_error *err)
{
    const dg_mapping *m = c->m;
    map_pos pos = {"row", record, NULL};
    size_t need = m->csv.header ? c->n_hdr : 0;
    const char *key = c->group_col >= 0 && (size_t)c->group_col < n ? f[c->group_col] : "";
    bool same = c->doc && (m->csv.single_document || (c->group_col >= 0 && !strcmp(key, c->key)));
    int rc = 0;
    if (!same) {
        if ((rc = emit(c, err)))
            return rc;
        c->doc = dg_doc_new(m->kind);
        dg_buf_clear(&c->key_buf);
        dg_buf_append(&c->key_buf, key, strlen(key));
        c->key = c->key_buf.data;
        c->doc->source.format = dg_arena_strdup(c->doc->arena, "csv");
        c->doc->source.position = record;
        size_t nr = n >= need || m->csv.allow_short_rows ? m->n_rules : 0;
        for (size_t i = 0; !rc && i < nr; i++) {
            const csv_rule *p = &c->plan[i];
            int e = apply_planned(c, p, f, lens, n, rule_record(c->doc, p->r), &pos, err);
            if (e)
                rc = map_fail_note(&c->fail, e, err);
        }
        if (c->rd->outcome)
            c->doc_key = doc_key(c, f, lens, n, &pos);
    }
    for (size_t g = 0; g < m->n_groups; g++) {
        csv_row row = {c, g, f, lens, n};
        c->verdict[g] = MAP_KEEP;
        if (!m->groups[g].n_filters)
            continue;
        c->verdict[g] = map_filter_element(&m->groups[g], filter_src, &row, &c->by[g]);
        map_tally_add(&c->tally, m, &m->groups[g], c->verdict[g], c->by[g]);
    }
    if (!rc && n < need && !m->csv.allow_short_rows)
        rc = map_fail_note(&c->fail,
                           dg_error_set(err, DG_EMAP,
                                        "%s: row %ld has %zu columns, the header has %zu (set "
                                        "csv.allow_short_rows to accept)",
                                        m->path, record, n, need),
                           err);
    for (size_t g = 0; !rc && g < m->n_groups; g++) {
        const map_group *gr = &m->groups[g];
        if ((gr->once && same) || (gr->if_empty >= 0 && dg_fields_count(c->doc, gr->if_empty)))
            continue;
        if (c->verdict[g] == MAP_DROP)
            continue;
        if (c->when_cols[g] >= 0 && ((size_t)c->when_cols[g] >= n || !lens[c->when_cols[g]]))
            continue;
        bool carry = c->verdict[g] == MAP_CARRY;
        map_fail own; /* a carried line's own failures: why read only when failed */
        own.failed = false;
        size_t idx = dg_fields_add(c->doc, gr->group);
        void *rec = dg_fields_record(c->doc, gr->group, idx);
        const csv_rule *plan = c->plan + c->plan_at[g];
        for (size_t i = 0; !rc && i < gr->n_rules; i++) {
            const map_rule *r = plan[i].r;
            int e = apply_planned(c, &plan[i], f, lens, n,
                                  r->field->group == gr->group ? rec : rule_record(c->doc, r), &pos,
                                  err);
            if (e)
                rc = map_fail_note(carry ? &own : &c->fail, e, err);
        }
        if (rc)
            break;
        if (carry)
            map_filter_carry(c->by[g], c->doc, rec);
        map_group_finish(gr, c->doc, idx);
    }
    return rc;
}

static int on_record(void *ctx, char **f, const size_t *lens, size_t n, long record, dg_error *err)
{
    csv_read *c = ctx;
    long k = c->records++;
    if (k < c->m->csv.skip_rows)
        return 0;
    if (k == c->m->csv.skip_rows) {
        int rc = on_header(c, f, n, record, err);
        if (rc || c->m->csv.header)
            return rc;
    }
    return on_row(c, f, lens, n, record, err);
}

int map_csv_read(const dg_mapping *m, const char *path, const map_reader *rd, dg_error *err)
{
    csv_read c = {.m = m, .rd = rd};
    long ids = 0;
    for (size_t i = 0; i < m->n_rules; i++)
        ids += (long)m->rules[i].n_src;
    for (size_t g = 0; g < m->n_groups; g++)
        for (size_t i = 0; i < m->groups[g].n_rules; i++)
            ids += (long)m->groups[g].rules[i].n_src;
    c.cols = calloc((size_t)ids + 1, sizeof *c.cols);
    size_t nf = 0, ng = m->n_groups ? m->n_groups : 1;
    c.filter_at = calloc(ng, sizeof *c.filter_at);
    for (size_t g = 0; g < m->n_groups; g++) {
        c.filter_at[g] = nf;
        nf += m->groups[g].n_filters;
    }
    c.filter_cols = calloc(nf + 1, sizeof *c.filter_cols);
    c.when_cols = calloc(ng, sizeof *c.when_cols);
    c.verdict = calloc(ng, sizeof *c.verdict);
    c.by = calloc(ng, sizeof *c.by);
    c.plan_at = calloc(ng, sizeof *c.plan_at);
    if (!c.cols || !c.filter_at || !c.filter_cols || !c.when_cols || !c.verdict || !c.by ||
        !c.plan_at)
        abort();
    map_tally_init(&c.tally, m);
    dg_csv_opts o = {m->csv.delim, m->csv.quote, m->csv.latin1};
    int rc = dg_csv_read_file(path, &o, on_record, &c, err);
    if (!rc)
        rc = emit(&c, err);
    if (rc && c.doc)
        dg_doc_free(c.doc);
    dg_buf_free(&c.key_buf);
    free(c.doc_key);
    for (size_t i = 0; i < c.n_hdr; i++)
        free(c.hdr[i]);
    free(c.hdr);
    free(c.cols);
    free(c.filter_at);
    free(c.filter_cols);
    free(c.when_cols);
    free(c.verdict);
    free(c.by);
    free(c.plan);
    free(c.plan_at);
    map_tally_free(&c.tally);
    if (rc && rc != DG_EIO && !strstr(err->msg, path))
        dg_error_prefix(err, "%s: ", path);
    return rc;
}

/* ---- outbound ------------------------------------------------------------------------------- */

/* Spreadsheet formula injection (OWASP "CSV injection"): a cell starting with = + - @, tab or CR
 * is run as a formula when the PO is opened in a spreadsheet, so a storefront value such as
 * "=HYPERLINK(...)" gets a leading single quote. A cell of only digits, spaces and + - . , ( ) /
 * is left as it is: without letters no formula can name a function, a cell or a DDE program, and
 * numbers ("-5", quantities and credits mapped as numbers) and phone numbers ("+1 (555) 010-0100")
 * must keep their text. Literal text the mapping itself starts a column with is trusted. */
static bool formula_risk(const char *s, size_t len)
{
    if (!len || !s[0] || !strchr("=+-@\t\r", s[0]))
        return false;
    if (s[0] != '+' && s[0] != '-')
        return true;
    for (size_t i = 1; i < len; i++)
        if (!s[i] || !strchr("0123456789 +-.,()/", s[i]))
            return true;
    return false;
}

static int write_row(const dg_mapping *m, const map_out_ctx *c, dg_buf *out, dg_buf *tmp,
                     dg_error *err)
{
    for (size_t i = 0; i < m->n_outs; i++) {
        const map_out *o = &m->outs[i];
        if (i)
            dg_buf_putc(out, m->csv.delim);
        void *rec = o->when ? map_out_record(c, o->when) : NULL;
        if (o->when && (!rec || !dg_field_present(rec, o->when)))
            continue;
        dg_buf_clear(tmp);
        dg_buf_putc(tmp, '\''); /* the guard, used when the value needs it */
        int rc = map_render(m, o->vals, c, tmp, err);
        if (rc)
            return rc;
        bool trusted = o->vals->n && !o->vals->parts[0].rule && *o->vals->parts[0].lit;
        size_t skip =
            m->csv.escape_formulas && !trusted && formula_risk(tmp->data + 1, tmp->len - 1) ? 0 : 1;
        dg_csv_put_field(out, tmp->data + skip, tmp->len - skip, m->csv.delim, m->csv.quote);
    }
    dg_buf_puts(out, m->csv.line_end);
    return 0;
}

int map_csv_write(const dg_mapping *m, dg_doc *const *docs, size_t n, dg_buf *out, dg_error *err)
{
    for (size_t i = 0; i < m->n_outs; i++)
        if (m->outs[i].each >= 0)
            return dg_error_set(err, DG_ECONFIG,
                                "%s:%d: CSV columns cannot loop; set csv.each instead", m->path,
                                m->outs[i].line);
    if (m->csv.header) {
        for (size_t i = 0; i < m->n_outs; i++) {
            if (i)
                dg_buf_putc(out, m->csv.delim);
            dg_csv_put_field(out, m->outs[i].name, strlen(m->outs[i].name), m->csv.delim,
                             m->csv.quote);
        }
        dg_buf_puts(out, m->csv.line_end);
    }
    dg_buf tmp = DG_BUF_INIT;
    int rc = 0;
    for (size_t d = 0; !rc && d < n; d++) {
        map_out_ctx c = {
            .doc = docs[d], .group = m->csv.each_out, .outer_group = -1, .doc_no = d + 1};
        size_t rows = m->csv.each_out >= 0 ? dg_fields_count(docs[d], m->csv.each_out) : 1;
        for (size_t r = 0; !rc && r < rows; r++) {
            c.idx = r;
            rc = write_row(m, &c, out, &tmp, err);
        }
    }
    dg_buf_free(&tmp);
    return rc;
}
