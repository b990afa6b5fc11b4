/* X12 997 functional acknowledgments on the gateway's side: the 997 we send for each X12 file a
 * partner drops (one AK1 group per received GS, AK2/AK5 per set), and the reading of the 997s a
 * partner sends back for our POs (handed to the flow as dg_flow_ack). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flow/flow.h"
#include "gateway/gw_internal.h"
#include "x12/x12.h"

/* ---- building ---------------------------------------------------------------------------- */

typedef struct set_seen {
    char id[4], control[10];
    int code; /* AK5 code of an envelope problem, 0: accepted */
} set_seen;

typedef struct group_seen {
    char functional_id[3], control[10], version[13];
    set_seen *sets;
    size_t n_sets, cap_sets;
    bool bad; /* an envelope problem at group level */
} group_seen;

typedef struct build_ctx {
    group_seen *groups;
    size_t n, cap;
} build_ctx;

static int on_gs(void *ctx, const dg_x12_isa *isa, const dg_x12_gs *gs)
{
    (void)isa;
    build_ctx *b = ctx;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 4;
        group_seen *p = realloc(b->groups, b->cap * sizeof *p);
        if (!p)
            abort();
        b->groups = p;
    }
    group_seen *g = &b->groups[b->n++];
    memset(g, 0, sizeof *g);
    snprintf(g->functional_id, sizeof g->functional_id, "%s", gs->functional_id);
    snprintf(g->control, sizeof g->control, "%s", gs->control);
    snprintf(g->version, sizeof g->version, "%s", gs->version);
    return 0;
}

static int on_set(void *ctx, const dg_x12_set *set)
{
    build_ctx *b = ctx;
    if (!set->gs || b->n == 0)
        return 0; /* a set outside any group cannot be acknowledged by a 997 */
    group_seen *g = &b->groups[b->n - 1];
    if (g->n_sets == g->cap_sets) {
        g->cap_sets = g->cap_sets ? g->cap_sets * 2 : 8;
        set_seen *p = realloc(g->sets, g->cap_sets * sizeof *p);
        if (!p)
            abort();
        g->sets = p;
    }
    set_seen *s = &g->sets[g->n_sets++];
    memset(s, 0, sizeof *s);
    snprintf(s->id, sizeof s->id, "%s", set->id);
    snprintf(s->control, sizeof s->control, "%s", set->control);
    s->code = set->envelope_code ? set->envelope_code : (set->complete ? 0 : 2);
    return 0;
}

static int on_problem(void *ctx, const dg_x12_problem *p)
{
    build_ctx *b = ctx;
    if (p->warning || b->n == 0)
        return 0;
    if (p->level == DG_X12_LEVEL_GROUP)
        b->groups[b->n - 1].bad = true;
    return 0;
}

static void free_build(build_ctx *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->groups[i].sets);
    free(b->groups);
}

static int seg(dg_x12_writer *w, const char *id, dg_error *err, int n, ...)
{
    const char *el[12];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n && i < 12; i++)
        el[i] = va_arg(ap, const char *);
    va_end(ap);
    return dg_x12_write_seg(w, id, el, n, err);
}

static int write_group_ack(dg_x12_writer *w, const group_seen *g, long set_control,
                           dg_error *err)
{
    char ctl[16], n_sets[16], n_ok[16];
    snprintf(ctl, sizeof ctl, "%04ld", set_control);
    int rc = dg_x12_write_st(w, "997", ctl, NULL, err);
    if (!rc)
        rc = seg(w, "AK1", err, 2, g->functional_id, g->control);
    size_t ok = 0;
    for (size_t i = 0; !rc && i < g->n_sets; i++) {
        const set_seen *s = &g->sets[i];
        char code[8];
        snprintf(code, sizeof code, "%d", s->code);
        rc = seg(w, "AK2", err, 2, s->id, s->control);
        if (!rc)
            rc = s->code ? seg(w, "AK5", err, 2, "R", code) : seg(w, "AK5", err, 1, "A");
        if (!s->code)
            ok++;
    }
    snprintf(n_sets, sizeof n_sets, "%zu", g->n_sets);
    snprintf(n_ok, sizeof n_ok, "%zu", g->bad ? 0 : ok);
    const char *status = g->bad || ok == 0 ? "R" : ok == g->n_sets ? "A" : "P";
    if (!rc)
        rc = seg(w, "AK9", err, 4, status, n_sets, n_sets, n_ok);
    if (!rc)
        rc = dg_x12_write_se(w, err);
    return rc;
}

int gw_ack_build(const char *path, const gw_ack_env *env, dg_buf *out, long *groups,
                 dg_error *err)
{
    build_ctx b = {0};
    dg_x12_callbacks cb = {0};
    cb.on_gs = on_gs;
    cb.on_set = on_set;
    cb.on_problem = on_problem;
    int rc = dg_x12_parse_file(path, &cb, &b, err);
    *groups = (long)b.n;
    if (rc || b.n == 0) {
        free_build(&b);
        return rc ? rc : dg_error_set(err, DG_EPARSE, "%s: no functional group to acknowledge",
                                      path);
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    dg_x12_isa isa;
    memset(&isa, 0, sizeof isa);
    snprintf(isa.auth_qual, sizeof isa.auth_qual, "00");
    snprintf(isa.sec_qual, sizeof isa.sec_qual, "00");
    snprintf(isa.sender_qual, sizeof isa.sender_qual, "%s", env->our_qualifier);
    snprintf(isa.sender_id, sizeof isa.sender_id, "%s", env->our_id);
    snprintf(isa.receiver_qual, sizeof isa.receiver_qual, "%s", env->their_qualifier);
    snprintf(isa.receiver_id, sizeof isa.receiver_id, "%s", env->their_id);
    snprintf(isa.date, sizeof isa.date, "%02d%02d%02d", tm.tm_year % 100, tm.tm_mon + 1,
             tm.tm_mday);
    snprintf(isa.time, sizeof isa.time, "%02d%02d", tm.tm_hour, tm.tm_min);
    snprintf(isa.isa11, sizeof isa.isa11, "U");
    snprintf(isa.version, sizeof isa.version, "00401");
    snprintf(isa.control, sizeof isa.control, "%09ld", env->interchange_control);
    snprintf(isa.ack_requested, sizeof isa.ack_requested, "0");
    snprintf(isa.usage, sizeof isa.usage, "%s", env->test ? "T" : "P");
    dg_x12_gs gs;
    memset(&gs, 0, sizeof gs);
    snprintf(gs.functional_id, sizeof gs.functional_id, "FA");
    snprintf(gs.sender, sizeof gs.sender, "%s", env->our_id);
    snprintf(gs.receiver, sizeof gs.receiver, "%s", env->their_id);
    snprintf(gs.date, sizeof gs.date, "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday);
    snprintf(gs.time, sizeof gs.time, "%02d%02d", tm.tm_hour, tm.tm_min);
    snprintf(gs.control, sizeof gs.control, "%ld", env->group_control);
    snprintf(gs.agency, sizeof gs.agency, "X");
    snprintf(gs.version, sizeof gs.version, "%s", b.groups[0].version[0] ? b.groups[0].version
                                                                            : "004010");
    dg_x12_writer *w = dg_x12_writer_new(out, dg_x12_default_delims(), true);
    rc = dg_x12_write_isa(w, &isa, err);
    if (!rc)
        rc = dg_x12_write_gs(w, &gs, err);
    for (size_t i = 0; !rc && i < b.n; i++)
        rc = write_group_ack(w, &b.groups[i], env->set_control + (long)i, err);
    if (!rc)
        rc = dg_x12_write_ge(w, err);
    if (!rc)
        rc = dg_x12_write_iea(w, err);
    dg_x12_writer_free(w);
    free_build(&b);
    return rc;
}

/* ---- reading ----------------------------------------------------------------------------- */

typedef struct parse_ctx {
    gw_ack_fn fn;
    void *fctx;
    dg_error *err;
    long sets;
} parse_ctx;

#define MAX_ACK_SETS 1000

static char *copy_el(const dg_x12_seg *s, const dg_x12_delims *d, int el)
{
    size_t len = 0;
    const char *v = dg_x12_get(s, d, el, 1, 0, &len);
    char *out = malloc(len + 1);
    if (!out)
        abort();
    memcpy(out, v, len);
    out[len] = '\0';
    return out;
}

/* One 997 set: AK1 (group), AK2/AK5 per acknowledged set, AK9 (group status). */
static int on_997(void *ctx, const dg_x12_set *set)
{
    parse_ctx *p = ctx;
    if (strcmp(set->id, "997"))
        return dg_error_set(p->err, DG_EVALID, "set %s (ST02 %s) is not a 997", set->id,
                            set->control);
    const dg_x12_delims *d = &set->isa->delims;
    dg_flow_ack_set *sets = calloc(MAX_ACK_SETS, sizeof *sets);
    char *strs[3 * MAX_ACK_SETS + 2];
    size_t n_strs = 0, n = 0;
    char *group = NULL, *gstatus = NULL;
    for (size_t i = 0; i < set->n_segs && n_strs + 3 < sizeof strs / sizeof *strs; i++) {
        const dg_x12_seg *s = &set->segs[i];
        const char *id = dg_x12_seg_id(s);
        if (!strcmp(id, "AK1") && !group)
            group = strs[n_strs++] = copy_el(s, d, 2);
        else if (!strcmp(id, "AK2") && n < MAX_ACK_SETS)
            sets[n++].set_control = strs[n_strs++] = copy_el(s, d, 2);
        else if (!strcmp(id, "AK5") && n > 0) {
            sets[n - 1].status = strs[n_strs++] = copy_el(s, d, 1);
            char *why = copy_el(s, d, 2);
            strs[n_strs++] = why;
            sets[n - 1].reason = *why ? why : NULL;
        } else if (!strcmp(id, "AK9") && !gstatus)
            gstatus = strs[n_strs++] = copy_el(s, d, 1);
    }
    int rc = 0;
    if (!group || !*group)
        rc = dg_error_set(p->err, DG_EVALID, "997 ST02 %s: no AK1 group control number",
                          set->control);
    else {
        dg_flow_ack ack = {group, gstatus, sets, n, set->segs[0].file_seg};
        rc = p->fn(p->fctx, &ack, p->err);
        p->sets++;
    }
    for (size_t i = 0; i < n_strs; i++)
        free(strs[i]);
    free(sets);
    return rc;
}

int gw_ack_parse(const char *path, gw_ack_fn fn, void *ctx, dg_error *err)
{
    parse_ctx p = {fn, ctx, err, 0};
    dg_x12_callbacks cb = {0};
    cb.on_set = on_997;
    return dg_x12_parse_file(path, &cb, &p, err);
}
