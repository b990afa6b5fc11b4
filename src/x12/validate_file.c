/* Whole-file X12 check: the reader's envelope problems (TA1 / AK9 / AK5 codes) and the
 * set-level validation joined into one result per interchange, group and set, from which
 * `dropgate validate` prints its report and the 997 is built. */
#include "x12/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const dg_x12_defs *defs;
    const dg_x12_check_opts *opts;
    dg_x12_file_result *r;
    char pending_set_codes[5][4]; /* AK5 codes the reader reported before handing the set over */
    int n_pending;
    bool in_group;
} checker;

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 8;
    void *q = realloc(p, *cap * size);
    if (!q)
        abort();
    return q;
}

static void add_code(char codes[5][4], int *n, const char *code)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp(codes[i], code))
            return;
    if (*n < 5)
        snprintf(codes[(*n)++], 4, "%s", code);
}

static void keep_problem(checker *c, const dg_x12_problem *p)
{
    dg_x12_file_result *r = c->r;
    if (p->warning)
        r->n_warnings++;
    else
        r->n_errors++;
    if (c->opts && c->opts->on_problem)
        c->opts->on_problem(c->opts->ctx, r->path, p);
    if (c->opts && c->opts->summary_only)
        return;
    r->problems = grow(r->problems, &r->cap_problems, r->n_problems, sizeof *r->problems);
    r->problems[r->n_problems++] = *p;
}

static dg_x12_interchange_result *cur_ic(checker *c)
{
    return c->r->n_interchanges ? &c->r->interchanges[c->r->n_interchanges - 1] : NULL;
}

static dg_x12_group_result *cur_group(checker *c)
{
    return c->in_group && c->r->n_groups ? &c->r->groups[c->r->n_groups - 1] : NULL;
}

static int on_isa(void *ctx, const dg_x12_isa *isa)
{
    checker *c = ctx;
    dg_x12_file_result *r = c->r;
    r->interchanges =
        grow(r->interchanges, &r->cap_interchanges, r->n_interchanges, sizeof *r->interchanges);
    dg_x12_interchange_result *ic = &r->interchanges[r->n_interchanges++];
    memset(ic, 0, sizeof *ic);
    ic->isa = *isa;
    snprintf(ic->ta1_code, sizeof ic->ta1_code, "000");
    c->in_group = false;
    return 0;
}

static int on_gs(void *ctx, const dg_x12_isa *isa, const dg_x12_gs *gs)
{
    checker *c = ctx;
    dg_x12_file_result *r = c->r;
    r->groups = grow(r->groups, &r->cap_groups, r->n_groups, sizeof *r->groups);
    dg_x12_group_result *g = &r->groups[r->n_groups++];
    memset(g, 0, sizeof *g);
    g->isa = *isa;
    g->gs = *gs;
    g->interchange = r->n_interchanges ? r->n_interchanges - 1 : 0;
    g->included = -1;
    c->in_group = true;
    if (r->n_interchanges)
        r->interchanges[r->n_interchanges - 1].groups++;
    return 0;
}

static int keep_set_problem(void *ctx, const dg_x12_problem *p)
{
    keep_problem(ctx, p);
    return 0;
}

static int on_set(void *ctx, const dg_x12_set *set)
{
    checker *c = ctx;
    dg_x12_file_result *r = c->r;
    dg_x12_group_result *g = cur_group(c);
    dg_x12_set_result sr;
    memset(&sr, 0, sizeof sr);
    snprintf(sr.id, sizeof sr.id, "%s", set->id);
    snprintf(sr.control, sizeof sr.control, "%s", set->control);
    snprintf(sr.impl_ref, sizeof sr.impl_ref, "%s", set->impl_ref);
    for (int i = 0; i < c->n_pending; i++)
        add_code(sr.codes, &sr.n_codes, c->pending_set_codes[i]);
    c->n_pending = 0;
    if (set->envelope_code) {
        char code[4];
        snprintf(code, sizeof code, "%d", set->envelope_code);
        add_code(sr.codes, &sr.n_codes, code);
    }
    sr.first_problem = r->n_problems;
    size_t errors_before = r->n_errors;
    int rc = dg_x12_validate_set(c->defs, set, keep_set_problem, c);
    if (rc < 0)
        return rc;
    sr.n_problems = r->n_problems - sr.first_problem;
    sr.defined = dg_x12_defs_set(c->defs, set->gs ? set->gs->version : "", set->id) != NULL;
    if (r->n_errors > errors_before)
        add_code(sr.codes, &sr.n_codes, "5"); /* one or more segments in error */
    sr.status = sr.n_codes ? 'R' : 'A';
    r->n_sets++;
    if (sr.status == 'A')
        r->n_sets_accepted++;
    if (!g)
        return 0; /* a set outside any group: its interchange error says so */
    if (!(c->opts && c->opts->summary_only && sr.status == 'A')) {
        g->sets = grow(g->sets, &g->cap_sets, g->n_sets, sizeof *g->sets);
        g->sets[g->n_sets++] = sr;
    }
    g->received++;
    if (sr.status == 'A')
        g->accepted++;
    return 0;
}

static int on_ge(void *ctx, const dg_x12_group_end *ge)
{
    checker *c = ctx;
    dg_x12_group_result *g = cur_group(c);
    if (g) {
        g->included = ge->ge01;
        g->complete = ge->complete;
    }
    c->in_group = false;
    return 0;
}

static int on_problem(void *ctx, const dg_x12_problem *p)
{
    checker *c = ctx;
    keep_problem(c, p);
    if (p->warning)
        return 0;
    switch (p->level) {
    case DG_X12_LEVEL_INTERCHANGE: {
        dg_x12_interchange_result *ic = cur_ic(c);
        if (ic) {
            if (!ic->rejected)
                snprintf(ic->ta1_code, sizeof ic->ta1_code, "%s", p->code);
            ic->rejected = true;
        }
        break;
    }
    case DG_X12_LEVEL_GROUP: {
        dg_x12_group_result *g = cur_group(c);
        if (!g && c->r->n_groups &&
            !strcmp(c->r->groups[c->r->n_groups - 1].gs.control, p->gs_control))
            g = &c->r->groups[c->r->n_groups - 1];
        if (g)
            add_code(g->codes, &g->n_codes, p->code);
        else if (cur_ic(c)) /* a GE without its GS: the interchange is broken */
            cur_ic(c)->rejected = true;
        break;
    }
    case DG_X12_LEVEL_SET: add_code(c->pending_set_codes, &c->n_pending, p->code); break;
    default: break;
    }
    return 0;
}

static void finish(dg_x12_file_result *r)
{
    for (size_t i = 0; i < r->n_groups; i++) {
        dg_x12_group_result *g = &r->groups[i];
        if (g->n_codes || !g->received || g->accepted == 0)
            g->status = 'R';
        else
            g->status = g->accepted == g->received ? 'A' : 'P';
        /* a group with no sets at all but a clean envelope is accepted */
        if (!g->n_codes && !g->received && g->complete)
            g->status = 'A';
        if (g->status != 'A')
            r->rejected = true;
    }
    for (size_t i = 0; i < r->n_interchanges; i++)
        if (r->interchanges[i].rejected)
            r->rejected = true;
    if (r->n_sets_accepted < r->n_sets)
        r->rejected = true;
    if (r->not_x12 || r->n_errors) /* e.g. a broken ISA reported before any interchange began */
        r->rejected = true;
}

static int run(const dg_x12_defs *defs, const char *path, const char *data, size_t len,
               const dg_x12_check_opts *opts, dg_x12_file_result **out, dg_error *err)
{
    dg_x12_file_result *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    r->path = strdup(path ? path : "-");
    if (!r->path)
        abort();
    checker c;
    memset(&c, 0, sizeof c);
    c.defs = defs;
    c.opts = opts;
    c.r = r;
    dg_x12_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.on_isa = on_isa;
    cb.on_gs = on_gs;
    cb.on_set = on_set;
    cb.on_ge = on_ge;
    cb.on_problem = on_problem;
    dg_error perr = {0};
    int rc = data ? dg_x12_parse_mem(data, len, path, &cb, &c, &perr)
                  : dg_x12_parse_file(path, &cb, &c, &perr);
    if (rc == DG_EPARSE) {
        r->not_x12 = true;
        snprintf(r->not_x12_msg, sizeof r->not_x12_msg, "%s", perr.msg);
        rc = 0;
    }
    if (rc) {
        if (err)
            *err = perr;
        dg_x12_file_result_free(r);
        *out = NULL;
        return rc < 0 ? rc : DG_EIO;
    }
    finish(r);
    *out = r;
    return 0;
}

int dg_x12_check_file(const dg_x12_defs *defs, const char *path, dg_x12_file_result **out,
                      dg_error *err)
{
    return run(defs, path, NULL, 0, NULL, out, err);
}

int dg_x12_check_file_opts(const dg_x12_defs *defs, const char *path, const dg_x12_check_opts *opts,
                           dg_x12_file_result **out, dg_error *err)
{
    return run(defs, path, NULL, 0, opts, out, err);
}

int dg_x12_check_mem(const dg_x12_defs *defs, const char *data, size_t len, const char *name,
                     dg_x12_file_result **out, dg_error *err)
{
    return run(defs, name, data ? data : "", len, NULL, out, err);
}

void dg_x12_file_result_free(dg_x12_file_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_groups; i++)
        free(r->groups[i].sets);
    free(r->groups);
    free(r->interchanges);
    free(r->problems);
    free(r->path);
    free(r);
}

const char *dg_x12_code_text(dg_x12_level level, const char *code)
{
    int n = atoi(code);
    switch (level) {
    case DG_X12_LEVEL_SEGMENT:
        switch (n) {
        case 1: return "unrecognized segment ID";
        case 2: return "unexpected segment";
        case 3: return "mandatory segment missing";
        case 4: return "loop occurs over maximum times";
        case 5: return "segment exceeds maximum use";
        case 6: return "segment not in defined transaction set";
        case 7: return "segment not in proper sequence";
        case 8: return "segment has data element errors";
        }
        break;
    case DG_X12_LEVEL_ELEMENT:
        switch (n) {
        case 1: return "mandatory data element missing";
        case 2: return "conditional required data element missing";
        case 3: return "too many data elements";
        case 4: return "data element too short";
        case 5: return "data element too long";
        case 6: return "invalid character in data element";
        case 7: return "invalid code value";
        case 8: return "invalid date";
        case 9: return "invalid time";
        case 10: return "exclusion condition violated";
        case 12: return "too many repetitions";
        case 13: return "too many components";
        }
        break;
    case DG_X12_LEVEL_SET:
        switch (n) {
        case 1: return "transaction set not supported";
        case 2: return "transaction set trailer missing";
        case 3: return "transaction set control number in header and trailer do not match";
        case 4: return "number of included segments does not match actual count";
        case 5: return "one or more segments in error";
        case 6: return "missing or invalid transaction set identifier";
        case 7: return "missing or invalid transaction set control number";
        case 23: return "transaction set control number not unique within the functional group";
        }
        break;
    case DG_X12_LEVEL_GROUP:
        switch (n) {
        case 1: return "functional group not supported";
        case 2: return "functional group version not supported";
        case 3: return "functional group trailer missing";
        case 4: return "group control number in the header and trailer do not agree";
        case 5: return "number of included transaction sets does not match actual count";
        case 6: return "group control number violates syntax";
        case 19: return "functional group control number not unique within interchange";
        }
        break;
    case DG_X12_LEVEL_INTERCHANGE:
        switch (n) {
        case 0: return "no error";
        case 1: return "interchange control numbers in header and trailer do not match";
        case 2: return "standard in ISA11 not supported";
        case 3: return "version of the controls not supported";
        case 4: return "segment terminator invalid";
        case 5: return "invalid interchange ID qualifier for sender";
        case 6: return "invalid interchange sender ID";
        case 7: return "invalid interchange ID qualifier for receiver";
        case 8: return "invalid interchange receiver ID";
        case 9: return "unknown interchange receiver ID";
        case 10: return "invalid authorization information qualifier value";
        case 11: return "invalid authorization information value";
        case 12: return "invalid security information qualifier value";
        case 13: return "invalid security information value";
        case 16: return "invalid interchange standards identifier value";
        case 17: return "invalid interchange version ID value";
        case 19: return "invalid acknowledgment requested value";
        case 20: return "invalid test indicator value";
        case 14: return "invalid interchange date";
        case 15: return "invalid interchange time";
        case 18: return "invalid interchange control number";
        case 21: return "invalid number of included groups";
        case 22: return "invalid control structure";
        case 23: return "improper (premature) end-of-file";
        case 24: return "invalid interchange content";
        case 25: return "duplicate interchange control number";
        case 26: return "invalid data element separator";
        case 27: return "invalid component element separator";
        case 28: return "invalid delivery date in deferred delivery request";
        case 29: return "invalid delivery time in deferred delivery request";
        case 30: return "invalid delivery time code in deferred delivery request";
        case 31: return "invalid grade of service code";
        }
        break;
    }
    return "error";
}
