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
    bool in_group, in_ic;
    const dg_x12_version *gver; /* the open group's version (for its ack codes) */
    /* the set being validated: its codes, and the segment-error cap */
    char set_codes[5][4];
    int n_set_codes;
    long seg_errors, left_out;
    bool skipping; /* past the cap: this AK3 and its AK4s are only counted */
    int cap;
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

/* snprintf(dst, size, "%s", src) without printf's cost (per set) */
static void copy_str(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void add_code(char codes[5][4], int *n, const char *code)
{
    if (!code[0])
        return; /* no code for it in this version (the rejection stands) */
    for (int i = 0; i < *n; i++)
        if (!strcmp(codes[i], code))
            return;
    if (*n < 5)
        snprintf(codes[(*n)++], 4, "%s", code);
}

static bool summary(const checker *c)
{
    return c->opts && c->opts->summary_only;
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
    if (summary(c))
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

static const char *ack_code(const checker *c, const char *kind, const char *code)
{
    return dg_x12_version_ack_code(c->gver, kind, code);
}

/* Group status from its counts and codes; a group of an interchange rejected by its TA1 is
 * rejected with every set in it (nothing of that interchange may be applied). Idempotent. */
static void close_group(dg_x12_file_result *r, dg_x12_group_result *g, bool ic_rejected)
{
    if (ic_rejected && g->accepted) {
        for (size_t k = 0; k < g->n_sets; k++)
            g->sets[k].status = 'R';
        r->n_sets_accepted -= g->accepted;
        g->accepted = 0;
    }
    if (g->n_codes || g->envelope_error || !g->received || g->accepted == 0)
        g->status = 'R';
    else
        g->status = g->accepted == g->received ? 'A' : 'P';
    /* a group with no sets at all but a clean envelope is accepted */
    if (!g->n_codes && !g->envelope_error && !g->received && g->complete && !ic_rejected)
        g->status = 'A';
    if (g->status != 'A')
        r->rejected = true;
}

/* The interchange at index ic ended: settle its groups; in summary mode drop what was accepted
 * (it is the last interchange, its groups the last groups), so memory stays flat. */
static void close_ic(checker *c, size_t ic)
{
    dg_x12_file_result *r = c->r;
    bool rej = r->interchanges[ic].rejected;
    bool keep = rej;
    size_t first = r->n_groups;
    while (first > 0 && r->groups[first - 1].interchange == ic)
        first--;
    size_t w = first;
    for (size_t i = first; i < r->n_groups; i++) {
        close_group(r, &r->groups[i], rej);
        if (summary(c) && r->groups[i].status == 'A') {
            free(r->groups[i].sets);
            continue;
        }
        keep = true;
        r->groups[w++] = r->groups[i];
    }
    if (rej)
        r->rejected = true;
    if (!summary(c))
        return;
    r->n_groups = w;
    if (!keep && ic + 1 == r->n_interchanges)
        r->n_interchanges--;
}

static int on_isa(void *ctx, const dg_x12_isa *isa)
{
    checker *c = ctx;
    dg_x12_file_result *r = c->r;
    if (c->in_ic) /* the previous one ended without IEA */
        close_ic(c, r->n_interchanges - 1);
    r->interchanges =
        grow(r->interchanges, &r->cap_interchanges, r->n_interchanges, sizeof *r->interchanges);
    dg_x12_interchange_result *ic = &r->interchanges[r->n_interchanges++];
    memset(ic, 0, sizeof *ic);
    ic->isa = *isa;
    snprintf(ic->ta1_code, sizeof ic->ta1_code, "000");
    c->in_group = false;
    c->in_ic = true;
    r->interchanges_read++;
    return 0;
}

static int on_iea(void *ctx, const dg_x12_interchange_end *iea)
{
    (void)iea;
    checker *c = ctx;
    if (c->in_ic)
        close_ic(c, c->r->n_interchanges - 1);
    c->in_ic = false;
    return 0;
}

static int on_ta1(void *ctx, const dg_x12_isa *isa, const dg_x12_seg *ta1)
{
    (void)isa;
    (void)ta1;
    dg_x12_interchange_result *ic = cur_ic(ctx);
    if (ic)
        ic->has_ta1 = true;
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
    g->supported = dg_x12_defs_supported(c->defs, gs->version);
    c->gver = dg_x12_defs_version(c->defs, gs->version);
    /* the received version with its industry identifier (a 997 for 004010VICS is a VICS 997),
     * but not an implementation guide's (005010X222A1 names the 837 guide, not the 997) */
    const char *v = gs->version;
    bool guide = strlen(v) > 7 && v[6] == 'X' && v[7] >= '0' && v[7] <= '9';
    if (g->supported)
        snprintf(g->ack_version, sizeof g->ack_version, "%.*s", guide ? 6 : 12,
                 v[0] ? v : "004010");
    else
        snprintf(g->ack_version, sizeof g->ack_version, "%s", dg_x12_version_name(c->gver));
    c->in_group = true;
    r->groups_read++;
    if (r->n_interchanges)
        r->interchanges[r->n_interchanges - 1].groups++;
    if (!g->supported) {
        dg_x12_problem p;
        memset(&p, 0, sizeof p);
        p.level = DG_X12_LEVEL_GROUP;
        snprintf(p.code, sizeof p.code, "2");
        snprintf(p.isa_control, sizeof p.isa_control, "%s", isa->control);
        snprintf(p.gs_control, sizeof p.gs_control, "%s", gs->control);
        snprintf(p.seg_id, sizeof p.seg_id, "GS");
        p.file_seg = gs->file_seg;
        p.elem = 8;
        snprintf(p.bad_value, sizeof p.bad_value, "%s", gs->version);
        snprintf(p.msg, sizeof p.msg,
                 "GS08 version %s is older than any definition in edi/ (lowest %s): the group "
                 "is not supported",
                 gs->version, dg_x12_version_name(c->gver));
        keep_problem(c, &p);
        add_code(g->codes, &g->n_codes, "2");
    }
    return 0;
}

/* Problems of the set being validated: its SET-level errors give AK5 codes; segment errors past
 * the cap are counted only. */
static int keep_set_problem(void *ctx, const dg_x12_problem *p)
{
    checker *c = ctx;
    if (p->level == DG_X12_LEVEL_SET && !p->warning) {
        dg_x12_problem q = *p;
        snprintf(q.code, sizeof q.code, "%s", ack_code(c, "AK502", p->code));
        add_code(c->set_codes, &c->n_set_codes, q.code);
        keep_problem(c, &q);
        return 0;
    }
    if (p->level == DG_X12_LEVEL_SEGMENT && !p->warning) {
        c->seg_errors++;
        c->skipping = c->cap >= 0 && c->seg_errors > c->cap;
        if (c->skipping)
            c->left_out++;
    }
    bool detail = p->level == DG_X12_LEVEL_SEGMENT || p->level == DG_X12_LEVEL_ELEMENT;
    if (c->skipping && detail && !p->warning) {
        c->r->n_errors++; /* counted, neither kept nor reported (see announce_left_out) */
        return 0;
    }
    keep_problem(c, p);
    return 0;
}

static void announce_left_out(checker *c, const dg_x12_set *set)
{
    dg_x12_problem p;
    memset(&p, 0, sizeof p);
    p.level = DG_X12_LEVEL_SET;
    p.warning = true;
    if (set->isa)
        snprintf(p.isa_control, sizeof p.isa_control, "%s", set->isa->control);
    if (set->gs)
        snprintf(p.gs_control, sizeof p.gs_control, "%s", set->gs->control);
    snprintf(p.st_control, sizeof p.st_control, "%s", set->control);
    snprintf(p.set_id, sizeof p.set_id, "%s", set->id);
    snprintf(p.seg_id, sizeof p.seg_id, "SE");
    snprintf(p.msg, sizeof p.msg,
             "%ld more segment error(s) in this set left out of the report and the "
             "acknowledgment (at most %d per set are detailed)",
             c->left_out, c->cap);
    keep_problem(c, &p);
}

static int on_set(void *ctx, const dg_x12_set *set)
{
    checker *c = ctx;
    dg_x12_file_result *r = c->r;
    dg_x12_group_result *g = cur_group(c);
    if (!g)
        c->gver = dg_x12_defs_version(c->defs, "");
    dg_x12_set_result sr;
    memset(&sr, 0, sizeof sr);
    c->n_set_codes = 0;
    bool envelope_error = c->n_pending > 0 || set->envelope_code;
    for (int i = 0; i < c->n_pending; i++)
        add_code(c->set_codes, &c->n_set_codes, ack_code(c, "AK502", c->pending_set_codes[i]));
    c->n_pending = 0;
    if (set->envelope_code) {
        char code[4];
        snprintf(code, sizeof code, "%d", set->envelope_code);
        add_code(c->set_codes, &c->n_set_codes, ack_code(c, "AK502", code));
    }
    sr.first_problem = r->n_problems;
    size_t errors_before = r->n_errors;
    c->seg_errors = c->left_out = 0;
    c->skipping = false;
    int rc = dg_x12_validate_set(c->defs, set, keep_set_problem, c);
    if (rc < 0)
        return rc;
    if (c->left_out) {
        sr.left_out = c->left_out;
        r->n_left_out += c->left_out;
        announce_left_out(c, set);
    }
    sr.n_problems = r->n_problems - sr.first_problem;
    if (c->seg_errors)
        add_code(c->set_codes, &c->n_set_codes, "5"); /* one or more segments in error */
    memcpy(sr.codes, c->set_codes, sizeof sr.codes);
    sr.n_codes = c->n_set_codes;
    sr.status = envelope_error || r->n_errors > errors_before || sr.n_codes ? 'R' : 'A';
    r->n_sets++;
    if (sr.status == 'A')
        r->n_sets_accepted++;
    if (!g)
        return 0;             /* a set outside any group: its interchange error says so */
    const char *id = set->id; /* 997 or 999, compared inline (once per set) */
    if (id[0] == '9' && id[1] == '9' && (id[2] == '7' || id[2] == '9') && !id[3])
        g->ack_sets++;
    if (!(summary(c) && sr.status == 'A')) { /* kept: then it needs its names */
        copy_str(sr.id, sizeof sr.id, set->id);
        copy_str(sr.control, sizeof sr.control, set->control);
        copy_str(sr.impl_ref, sizeof sr.impl_ref, set->impl_ref);
        sr.defined = dg_x12_defs_set(c->defs, set->gs ? set->gs->version : "", set->id) != NULL;
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
    if (p->warning) {
        keep_problem(c, p);
        return 0;
    }
    switch (p->level) {
    case DG_X12_LEVEL_INTERCHANGE: {
        keep_problem(c, p);
        dg_x12_interchange_result *ic = cur_ic(c);
        if (ic) {
            if (!ic->rejected)
                snprintf(ic->ta1_code, sizeof ic->ta1_code, "%s", p->code);
            ic->rejected = true;
        }
        break;
    }
    case DG_X12_LEVEL_GROUP: {
        /* the open group, or the one just closed (GE count problems come after its GE) */
        dg_x12_group_result *g = NULL;
        if (c->r->n_groups) {
            dg_x12_group_result *last = &c->r->groups[c->r->n_groups - 1];
            /* (summary mode may have dropped this interchange's groups: never take one of an
             * earlier interchange) */
            bool same_ic = c->in_ic && last->interchange + 1 == c->r->n_interchanges;
            if (c->in_group || (same_ic && !strcmp(last->gs.control, p->gs_control)))
                g = last;
        }
        dg_x12_problem q = *p;
        if (g)
            snprintf(q.code, sizeof q.code, "%s",
                     dg_x12_version_ack_code(dg_x12_defs_version(c->defs, g->gs.version), "AK905",
                                             p->code));
        keep_problem(c, &q);
        if (g)
            add_code(g->codes, &g->n_codes, q.code);
        else if (cur_ic(c)) /* a GE without its GS: the interchange is broken */
            cur_ic(c)->rejected = true;
        if (g)
            g->envelope_error = true; /* rejected even when this version has no code for it */
        break;
    }
    case DG_X12_LEVEL_SET: {
        dg_x12_problem q = *p;
        snprintf(q.code, sizeof q.code, "%s", ack_code(c, "AK502", p->code));
        keep_problem(c, &q);
        add_code(c->pending_set_codes, &c->n_pending, p->code);
        break;
    }
    default: keep_problem(c, p); break;
    }
    return 0;
}
static void finish(checker *c)
{
    dg_x12_file_result *r = c->r;
    if (c->in_ic) /* cut short without IEA */
        close_ic(c, r->n_interchanges - 1);
    c->in_ic = false;
    /* again for all that is kept: an interchange error found after its IEA (an orphan segment)
     * still rejects its groups */
    for (size_t i = 0; i < r->n_groups; i++) {
        size_t ic = r->groups[i].interchange;
        close_group(r, &r->groups[i], ic < r->n_interchanges && r->interchanges[ic].rejected);
    }
    for (size_t i = 0; i < r->n_interchanges; i++)
        if (r->interchanges[i].rejected)
            r->rejected = true;
    if (r->n_sets_accepted < r->n_sets)
        r->rejected = true;
    if (r->not_x12 || r->n_errors) /* e.g. a broken ISA reported before any interchange began */
        r->rejected = true;
}

bool dg_x12_ack_only(const dg_x12_file_result *r)
{
    if (!r || r->not_x12 || !r->interchanges_read)
        return false;
    bool any = false;
    for (size_t i = 0; i < r->n_groups; i++) {
        const dg_x12_group_result *g = &r->groups[i];
        if (strcmp(g->gs.functional_id, "FA") && (!g->received || g->ack_sets < g->received))
            return false;
        any = true;
    }
    for (size_t i = 0; i < r->n_interchanges; i++)
        any = any || r->interchanges[i].has_ta1;
    return any;
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
    c.cap = opts && opts->max_segment_errors ? opts->max_segment_errors : DG_X12_MAX_SEGMENT_ERRORS;
    dg_x12_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.on_isa = on_isa;
    cb.on_iea = on_iea;
    cb.on_ta1 = on_ta1;
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
    finish(&c);
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

int dg_x12_check_mem_opts(const dg_x12_defs *defs, const char *data, size_t len, const char *name,
                          const dg_x12_check_opts *opts, dg_x12_file_result **out, dg_error *err)
{
    return run(defs, name, data ? data : "", len, opts, out, err);
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
