/* X12 997s on the gateway's side, over src/x12/ack.h: the check of a received X12 file against
 * edi/ (a rejected set quarantines the file), the 997 we send back for it (accepted or rejected,
 * with AK3/AK4 detail), and the reading of the 997s a partner sends for our POs. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"
#include "gateway/gw_internal.h"
#include "x12/ack.h"
#include "x12/defs.h"
#include "x12/validate.h"

static int defs(dg_gw *g, const dg_x12_defs **out, dg_error *err)
{
    if (!g->defs) {
        int rc = dg_x12_defs_load(g->cfg->edi_dir, &g->defs, err);
        if (rc) {
            g->defs = NULL;
            dg_error_prefix(err, "X12 definitions (edi_dir %s): ", g->cfg->edi_dir);
            return DG_ECONFIG;
        }
    }
    *out = g->defs;
    return 0;
}

int gw_x12_defs(dg_gw *g, const dg_x12_defs **out, dg_error *err)
{
    return defs(g, out, err);
}

void gw_ack_free(dg_gw *g)
{
    dg_x12_defs_free(g->defs);
    g->defs = NULL;
}

int gw_x12_check(dg_gw *g, const char *path, const char *name, dg_error *reason)
{
    const dg_x12_defs *d = NULL;
    int rc = defs(g, &d, reason);
    if (rc)
        return rc;
    dg_x12_file_result *res = NULL;
    if ((rc = dg_x12_check_file(d, path, &res, reason)))
        return rc;
    if (res->not_x12)
        rc = dg_error_set(reason, DG_EPARSE, "%s: not X12: %s", name, res->not_x12_msg);
    else if (res->rejected) {
        const dg_x12_problem *p = NULL;
        for (size_t i = 0; i < res->n_problems && !p; i++)
            if (!res->problems[i].warning)
                p = &res->problems[i];
        rc = dg_error_set(reason, DG_EVALID,
                          "%s: rejected by the X12 check (%ld of %ld set(s) accepted): %s%s"
                          "ISA %s GS %s ST %s segment %ld %s: %s",
                          name, res->n_sets_accepted, res->n_sets, p ? "" : "envelope; ",
                          p ? "" : "", p ? p->isa_control : "", p ? p->gs_control : "",
                          p ? p->st_control : "", p ? p->file_seg : 0L, p ? p->seg_id : "",
                          p ? p->msg : "see dropgate validate");
    }
    dg_x12_file_result_free(res);
    return rc;
}

static void ack_opts(const gw_ack_env *env, dg_x12_ack_opts *o)
{
    memset(o, 0, sizeof *o);
    o->isa_control = env->isa_control;
    o->gs_control = env->gs_control;
    o->st_control = env->st_control;
    o->sender_qual = env->our_qualifier;
    o->sender_id = env->our_id;
    o->receiver_qual = env->their_qualifier;
    o->receiver_id = env->their_id;
    o->usage = env->test ? 'T' : 'P';
    o->newline = true;
    o->kind = env->ack_999 ? DG_X12_ACK_999 : DG_X12_ACK_997;
}

/* Where a mapping error says the value it refused is: "(input segment N ... /SEGnn)", N the
 * segment number in the file, SEGnn the element; and the AK403 code for what it says. Only
 * the value errors with a 997 code are taken; anything else gives no detail. */
typedef struct refused_at {
    long file_seg;
    char seg_id[4];
    int elem;
    const char *code;
} refused_at;

static bool parse_refused_at(const char *reason, refused_at *w)
{
    static const char mark[] = "(input segment ";
    const char *p = reason ? strstr(reason, mark) : NULL;
    if (!p)
        return false;
    if (strstr(reason, "' is not a number"))
        w->code = "6"; /* invalid character in data element */
    else if (strstr(reason, "' is not a date in format"))
        w->code = "8"; /* invalid date */
    else if (strstr(reason, "' is not a time in format"))
        w->code = "9"; /* invalid time */
    else if (strstr(reason, "' is not in table '"))
        w->code = "7"; /* invalid code value */
    else
        return false;
    char *end = NULL;
    w->file_seg = strtol(p + sizeof mark - 1, &end, 10);
    if (w->file_seg <= 0 || *end != ' ')
        return false;
    const char *detail = end + 1, *stop = detail + strcspn(detail, ")"), *last = detail;
    for (const char *q = detail; q < stop; q++)
        if (*q == '/')
            last = q + 1;
    size_t n = (size_t)(stop - last); /* "QTY02", "N404" */
    if (n < 4 || n > 5 || !isdigit((unsigned char)last[n - 1]) ||
        !isdigit((unsigned char)last[n - 2]))
        return false;
    for (size_t i = 0; i < n - 2; i++)
        if (!isupper((unsigned char)last[i]) && !isdigit((unsigned char)last[i]))
            return false;
    snprintf(w->seg_id, sizeof w->seg_id, "%.*s", (int)(n - 2), last);
    w->elem = (last[n - 2] - '0') * 10 + (last[n - 1] - '0');
    return w->elem > 0;
}

/* The set holding segment w->file_seg, when that segment is the one the error names. */
typedef struct find_ctx {
    const refused_at *w;
    bool found;
    char isa[10], gs[10], st[10], set_id[4];
    long set_seg;
    char bad[100];
} find_ctx;

static int find_set(void *ctx, const dg_x12_set *set)
{
    find_ctx *f = ctx;
    for (size_t i = 0; i < set->n_segs && !f->found && set->gs; i++) {
        const dg_x12_seg *s = &set->segs[i];
        if (s->file_seg != f->w->file_seg)
            continue;
        if (strcmp(s->el[0], f->w->seg_id))
            return 1; /* not the segment the error names: no detail */
        size_t len = 0;
        const char *v = dg_x12_get(s, &set->isa->delims, f->w->elem, 0, 0, &len);
        snprintf(f->bad, sizeof f->bad, "%.*s", (int)(len < 99 ? len : 99), v);
        snprintf(f->isa, sizeof f->isa, "%s", set->isa->control);
        snprintf(f->gs, sizeof f->gs, "%s", set->gs->control);
        snprintf(f->st, sizeof f->st, "%s", set->control);
        snprintf(f->set_id, sizeof f->set_id, "%s", set->id);
        f->set_seg = s->set_seg;
        f->found = true;
        return 1; /* done */
    }
    return 0;
}

/* Adds an AK3 (code 8) + AK4 for the value the mapping refused to the set holding it, when the
 * check recorded nothing for that set; its AK5 gets code 5 (one or more segments in error). */
void gw_ack_add_refused_detail(dg_x12_file_result *res, const char *path, const char *reason)
{
    refused_at w;
    memset(&w, 0, sizeof w);
    if (!parse_refused_at(reason, &w))
        return;
    find_ctx f;
    memset(&f, 0, sizeof f);
    f.w = &w;
    dg_x12_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.on_set = find_set;
    dg_error ignored = {0};
    (void)dg_x12_parse_file(path, &cb, &f, &ignored);
    if (!f.found)
        return;
    for (size_t i = 0; i < res->n_groups; i++) {
        dg_x12_group_result *gr = &res->groups[i];
        if (strcmp(gr->isa.control, f.isa) || strcmp(gr->gs.control, f.gs))
            continue;
        for (size_t k = 0; k < gr->n_sets; k++) {
            dg_x12_set_result *s = &gr->sets[k];
            if (strcmp(s->control, f.st) || strcmp(s->id, f.set_id) || s->n_problems)
                continue;
            dg_x12_problem *p = realloc(res->problems, (res->n_problems + 2) * sizeof *p);
            if (!p)
                return;
            res->problems = p;
            res->cap_problems = res->n_problems + 2;
            p += res->n_problems;
            memset(p, 0, 2 * sizeof *p);
            for (int j = 0; j < 2; j++) {
                snprintf(p[j].isa_control, sizeof p[j].isa_control, "%s", f.isa);
                snprintf(p[j].gs_control, sizeof p[j].gs_control, "%s", f.gs);
                snprintf(p[j].st_control, sizeof p[j].st_control, "%s", f.st);
                snprintf(p[j].set_id, sizeof p[j].set_id, "%s", f.set_id);
                snprintf(p[j].seg_id, sizeof p[j].seg_id, "%s", w.seg_id);
                p[j].file_seg = w.file_seg;
                p[j].set_seg = f.set_seg;
                snprintf(p[j].msg, sizeof p[j].msg, "refused by the mapping");
            }
            p[0].level = DG_X12_LEVEL_SEGMENT;
            snprintf(p[0].code, sizeof p[0].code, "8"); /* segment has data element errors */
            p[1].level = DG_X12_LEVEL_ELEMENT;
            snprintf(p[1].code, sizeof p[1].code, "%s", w.code);
            p[1].elem = w.elem;
            snprintf(p[1].bad_value, sizeof p[1].bad_value, "%s", f.bad);
            s->first_problem = res->n_problems;
            s->n_problems = 2;
            res->n_problems += 2;
            if (s->n_codes == 0)
                snprintf(s->codes[s->n_codes++], sizeof s->codes[0], "5");
            return;
        }
    }
}

int gw_ack_build_rejected(dg_gw *g, const char *path, const char *reason, const gw_ack_env *env,
                          dg_buf *out, dg_error *err)
{
    const dg_x12_defs *d = NULL;
    int rc = defs(g, &d, err);
    if (rc)
        return rc;
    dg_x12_file_result *res = NULL;
    if ((rc = dg_x12_check_file(d, path, &res, err)))
        return rc;
    /* A value the mapping refused, where its message names it: AK3/AK4 for it. */
    gw_ack_add_refused_detail(res, path, reason);
    /* Nothing of a quarantined file was applied: every set is rejected (AK5 R, keeping the
     * AK3/AK4 detail the check found) and every group too (AK9 R, none accepted). */
    for (size_t i = 0; i < res->n_groups; i++) {
        dg_x12_group_result *gr = &res->groups[i];
        for (size_t k = 0; k < gr->n_sets; k++)
            gr->sets[k].status = 'R';
        gr->accepted = 0;
        gr->status = 'R';
    }
    dg_x12_ack_opts o;
    ack_opts(env, &o);
    rc = dg_x12_ack_build(res, &o, out, NULL, err);
    dg_x12_file_result_free(res);
    return rc;
}

int gw_ack_build(dg_gw *g, const char *path, const gw_ack_env *env, dg_buf *out, dg_error *err)
{
    const dg_x12_defs *d = NULL;
    int rc = defs(g, &d, err);
    if (rc)
        return rc;
    dg_x12_ack_opts o;
    ack_opts(env, &o);
    return dg_x12_ack_build_file(d, path, &o, out, NULL, err);
}

int gw_ack_parse(const char *path, gw_ack_fn fn, void *ctx, dg_error *err)
{
    dg_x12_ack_report *r = NULL;
    int rc = dg_x12_ack_parse_file(path, &r, err);
    if (rc)
        return rc;
    if (r->n_997 + r->n_999 == 0) { /* a 999 reads like a 997 (IK5 as AK5) */
        long other = r->n_other;    /* (read before the report is freed) */
        dg_x12_ack_report_free(r);
        return dg_error_set(err, DG_EVALID, "no 997 or 999 in the file (%ld other set(s))", other);
    }
    for (size_t i = 0; i < r->n_groups && !rc; i++) {
        const dg_x12_ack_group_status *gr = &r->groups[i];
        dg_flow_ack_set *sets = calloc(r->n_sets + 1, sizeof *sets);
        char(*status)[2] = calloc(r->n_sets + 1, sizeof *status);
        if (!sets || !status)
            abort();
        size_t n = 0;
        for (size_t k = 0; k < r->n_sets; k++) {
            const dg_x12_ack_set_status *s = &r->sets[k];
            if (strcmp(s->group_control, gr->group_control) ||
                strcmp(s->functional_id, gr->functional_id))
                continue;
            status[n][0] = s->status;
            sets[n].set_control = s->set_control;
            sets[n].status = status[n];
            sets[n].reason = s->detail[0] ? s->detail : s->n_codes ? s->codes[0] : NULL;
            n++;
        }
        char gstatus[2] = {gr->status, '\0'};
        dg_flow_ack ack = {gr->group_control, gstatus, sets, n, (long)i + 1};
        rc = fn(ctx, gr->ack_sender, gr->ack_isa_control, &ack, err);
        free(sets);
        free(status);
    }
    dg_x12_ack_report_free(r);
    return rc;
}

int gw_ack_build_result(const dg_x12_file_result *res, const gw_ack_env *env, dg_buf *out,
                        dg_error *err)
{
    dg_x12_ack_opts o;
    ack_opts(env, &o);
    return dg_x12_ack_build(res, &o, out, NULL, err);
}

/* Functional groups that are acknowledgments themselves (FA: 997, 999) are never acknowledged. */
static bool is_ack_group(const dg_x12_group_result *gr)
{
    return !strcmp(gr->gs.functional_id, "FA");
}

dg_x12_file_result *gw_ack_subset(const dg_x12_file_result *res, const bool *keep,
                                  const bool *ta1_only)
{
    dg_x12_file_result *sub = calloc(1, sizeof *sub);
    if (!sub)
        abort();
    *sub = *res;
    sub->interchanges = calloc(res->n_interchanges + 1, sizeof *sub->interchanges);
    sub->groups = calloc(res->n_groups + 1, sizeof *sub->groups);
    if (!sub->interchanges || !sub->groups)
        abort();
    sub->n_interchanges = sub->n_groups = 0;
    sub->cap_interchanges = res->n_interchanges + 1;
    sub->cap_groups = res->n_groups + 1;
    for (size_t ic = 0; ic < res->n_interchanges; ic++) {
        if (!keep[ic])
            continue;
        size_t to = sub->n_interchanges++;
        sub->interchanges[to] = res->interchanges[ic];
        for (size_t i = 0; i < res->n_groups && !(ta1_only && ta1_only[ic]); i++)
            if (res->groups[i].interchange == ic && !is_ack_group(&res->groups[i])) {
                sub->groups[sub->n_groups] = res->groups[i];
                sub->groups[sub->n_groups++].interchange = to;
            }
    }
    return sub;
}

void gw_ack_subset_free(dg_x12_file_result *sub)
{
    if (!sub)
        return;
    free(sub->interchanges);
    free(sub->groups);
    free(sub);
}
