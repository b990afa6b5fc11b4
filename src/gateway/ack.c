/* X12 997s on the gateway's side, over src/x12/ack.h: the check of a received X12 file against
 * edi/ (a rejected set quarantines the file), the 997 we send back for it (accepted or rejected,
 * with AK3/AK4 detail), and the reading of the 997s a partner sends for our POs. */
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
}

int gw_ack_build_rejected(dg_gw *g, const char *path, const gw_ack_env *env, dg_buf *out,
                          dg_error *err)
{
    const dg_x12_defs *d = NULL;
    int rc = defs(g, &d, err);
    if (rc)
        return rc;
    dg_x12_file_result *res = NULL;
    if ((rc = dg_x12_check_file(d, path, &res, err)))
        return rc;
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
    if (r->n_997 == 0) {
        dg_x12_ack_report_free(r);
        return dg_error_set(err, DG_EVALID, "no 997 in the file (%ld other set(s))", r->n_other);
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
        rc = fn(ctx, &ack, err);
        free(sets);
        free(status);
    }
    dg_x12_ack_report_free(r);
    return rc;
}
