/* 997/999 building (from a dg_x12_file_result, through the X12 writer), TA1s, and 997/999
 * reading (through the streaming reader) for marking sent purchase orders accepted or rejected. */
#include "x12/ack.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- building -------------------------------------------------------------------------- */

static bool digits(const char *s)
{
    if (!s || !*s)
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* base + k as decimal text, keeping base's width when it had leading zeros. */
static void count_up(char *dst, size_t size, const char *base, long k)
{
    unsigned long long v = strtoull(base, NULL, 10) + (unsigned long long)k;
    int width = base[0] == '0' ? (int)strlen(base) : 0;
    snprintf(dst, size, "%0*llu", width, v);
}

static const char *skip_zeros(const char *s)
{
    while (s[0] == '0' && s[1])
        s++;
    return s;
}

/* Bad-data copies may hold the 997's own delimiters: those become spaces. */
static void clean(char *dst, size_t size, const char *src, const dg_x12_delims *d)
{
    size_t i = 0;
    for (; src[i] && i + 1 < size; i++) {
        char c = src[i];
        bool delim = c == d->elem || c == d->comp || c == d->seg || (d->rep && c == d->rep);
        dst[i] = delim || (unsigned char)c < 0x20 ? ' ' : c;
    }
    dst[i] = '\0';
}

typedef struct {
    dg_x12_writer *w;
    dg_x12_delims d;
    dg_error *err;
    bool k999; /* IK3/IK4/IK5 in place of AK3/AK4/AK5 */
} out_ctx;

static int seg(out_ctx *o, const char *id, const char *const *el, int n)
{
    return dg_x12_write_seg(o->w, id, el, n, o->err);
}

/* AK3/AK4 (IK3/IK4) for the kept problems of a set, at most 99 element notes per segment note
 * (AK4's max use) and never the same element note twice under one segment note. */
static int write_set_notes(out_ctx *o, const dg_x12_file_result *res, const dg_x12_set_result *s)
{
    int rc = 0, ak4s = 0;
    const dg_x12_problem *prev = NULL; /* the previous element note under this segment note */
    for (size_t i = 0; i < s->n_problems && !rc; i++) {
        const dg_x12_problem *p = &res->problems[s->first_problem + i];
        if (p->warning || !p->code[0])
            continue;
        if (p->level == DG_X12_LEVEL_SEGMENT) {
            char pos[16], sid[8], loop[16];
            snprintf(pos, sizeof pos, "%ld", p->set_seg);
            clean(sid, sizeof sid, p->seg_id, &o->d);
            clean(loop, sizeof loop, p->loop_id, &o->d);
            const char *el[4] = {sid, pos, loop, p->code};
            rc = seg(o, o->k999 ? "IK3" : "AK3", el, 4);
            ak4s = 0;
            prev = NULL;
        } else if (p->level == DG_X12_LEVEL_ELEMENT && ak4s < 99) {
            if (prev && prev->elem == p->elem && prev->comp == p->comp &&
                !strcmp(prev->code, p->code))
                continue;
            prev = p;
            ak4s++;
            char pos[16], bad[100];
            if (p->comp)
                snprintf(pos, sizeof pos, "%d%c%d", p->elem, o->d.comp, p->comp);
            else
                snprintf(pos, sizeof pos, "%d", p->elem);
            clean(bad, sizeof bad, p->bad_value, &o->d);
            const char *el[4] = {pos, p->elem_ref, p->code, bad};
            rc = seg(o, o->k999 ? "IK4" : "AK4", el, 4);
        }
    }
    return rc;
}

static const char ack_999_ref[] = "005010X231A1";

static int write_997(out_ctx *o, const dg_x12_file_result *res, const dg_x12_group_result *g,
                     const char *st_control, bool v5010)
{
    int rc;
    if ((rc = dg_x12_write_st(o->w, o->k999 ? "999" : "997", st_control,
                              o->k999 ? ack_999_ref : NULL, o->err)))
        return rc;
    /* received values may hold this 997's delimiters (a broken ISA16 ...): blank those */
    char fid[4], gctl[16], gver[16], sid[8], sctl[16], sref[40];
    clean(fid, sizeof fid, g->gs.functional_id, &o->d);
    clean(gctl, sizeof gctl, g->gs.control, &o->d);
    clean(gver, sizeof gver, g->gs.version, &o->d);
    const char *ak1[3] = {fid, gctl, gver};
    if ((rc = seg(o, "AK1", ak1, v5010 ? 3 : 2)))
        return rc;
    for (size_t i = 0; i < g->n_sets; i++) {
        const dg_x12_set_result *s = &g->sets[i];
        clean(sid, sizeof sid, s->id, &o->d);
        clean(sctl, sizeof sctl, s->control, &o->d);
        clean(sref, sizeof sref, s->impl_ref, &o->d);
        const char *ak2[3] = {sid, sctl, sref};
        if ((rc = seg(o, "AK2", ak2, v5010 ? 3 : 2)) || (rc = write_set_notes(o, res, s)))
            return rc;
        char st[2] = {s->status, 0};
        const char *ak5[6] = {st, "", "", "", "", ""};
        for (int k = 0; k < s->n_codes; k++)
            ak5[k + 1] = s->codes[k];
        if ((rc = seg(o, o->k999 ? "IK5" : "AK5", ak5, 1 + s->n_codes)))
            return rc;
    }
    char st[2] = {g->status, 0}, inc[24], rec[24], acc[24];
    snprintf(inc, sizeof inc, "%ld", g->included >= 0 ? g->included : g->received);
    snprintf(rec, sizeof rec, "%ld", g->received);
    snprintf(acc, sizeof acc, "%ld", g->accepted);
    const char *ak9[9] = {st, inc, rec, acc, "", "", "", "", ""};
    for (int k = 0; k < g->n_codes; k++)
        ak9[k + 4] = g->codes[k];
    if ((rc = seg(o, "AK9", ak9, 4 + g->n_codes)))
        return rc;
    return dg_x12_write_se(o->w, o->err);
}

static void fill_isa(dg_x12_isa *isa, const dg_x12_isa *rx, const dg_x12_ack_opts *o,
                     const char *control, const char *date6, const char *time4,
                     const dg_x12_delims *d)
{
    memset(isa, 0, sizeof *isa);
    snprintf(isa->auth_qual, sizeof isa->auth_qual, "00");
    snprintf(isa->sec_qual, sizeof isa->sec_qual, "00");
    snprintf(isa->sender_qual, sizeof isa->sender_qual, "%s",
             o->sender_qual ? o->sender_qual : rx->receiver_qual);
    snprintf(isa->sender_id, sizeof isa->sender_id, "%s",
             o->sender_id ? o->sender_id : rx->receiver_id);
    snprintf(isa->receiver_qual, sizeof isa->receiver_qual, "%s",
             o->receiver_qual ? o->receiver_qual : rx->sender_qual);
    snprintf(isa->receiver_id, sizeof isa->receiver_id, "%s",
             o->receiver_id ? o->receiver_id : rx->sender_id);
    snprintf(isa->date, sizeof isa->date, "%s", date6);
    snprintf(isa->time, sizeof isa->time, "%s", time4);
    /* answer in the received interchange version when it is a real one */
    const char *ver = rx->version;
    bool ok =
        strlen(ver) == 5 && digits(ver) && strcmp(ver, "00200") >= 0 && strcmp(ver, "00801") <= 0;
    snprintf(isa->version, sizeof isa->version, "%s", ok ? ver : "00401");
    if (o->kind == DG_X12_ACK_999 && strcmp(isa->version, "00501") < 0)
        snprintf(isa->version, sizeof isa->version, "00501"); /* a 999 is a 005010 set */
    snprintf(isa->isa11, sizeof isa->isa11, "U");
    snprintf(isa->control, sizeof isa->control, "%s", control);
    snprintf(isa->ack_requested, sizeof isa->ack_requested, "0");
    char usage = o->usage ? o->usage : (rx->usage[0] == 'T' ? 'T' : 'P');
    isa->usage[0] = usage;
    /* ids echoed from a broken interchange may hold our delimiters */
    clean(isa->sender_qual, sizeof isa->sender_qual, isa->sender_qual, d);
    clean(isa->sender_id, sizeof isa->sender_id, isa->sender_id, d);
    clean(isa->receiver_qual, sizeof isa->receiver_qual, isa->receiver_qual, d);
    clean(isa->receiver_id, sizeof isa->receiver_id, isa->receiver_id, d);
    if (!isa->sender_id[0] || isa->sender_id[0] == ' ')
        snprintf(isa->sender_id, sizeof isa->sender_id, "UNKNOWN");
    if (!isa->receiver_id[0] || isa->receiver_id[0] == ' ')
        snprintf(isa->receiver_id, sizeof isa->receiver_id, "UNKNOWN");
}

/* An acknowledgment group (FA, or only 997/999 sets): never acknowledged itself. */
static bool is_ack_group(const dg_x12_group_result *g)
{
    return !strcmp(g->gs.functional_id, "FA") || (g->received && g->ack_sets == g->received);
}

static bool is_duplicate(const dg_x12_ack_opts *o, const char *isa13)
{
    for (size_t i = 0; i < o->n_duplicate_isa; i++)
        if (o->duplicate_isa[i] && !strcmp(skip_zeros(o->duplicate_isa[i]), skip_zeros(isa13)))
            return true;
    return false;
}

/* The FA group answering every group of interchange ic (first is its first group). */
static int write_fa_group(out_ctx *o, const dg_x12_file_result *res, size_t ic,
                          const dg_x12_group_result *first, const dg_x12_ack_opts *opt, long *gs_k,
                          long *st_k, const char *date8, const char *time4)
{
    int rc;
    dg_x12_gs gs;
    memset(&gs, 0, sizeof gs);
    snprintf(gs.functional_id, sizeof gs.functional_id, "FA");
    snprintf(gs.sender, sizeof gs.sender, "%s",
             opt->sender_id ? opt->sender_id : first->gs.receiver);
    snprintf(gs.receiver, sizeof gs.receiver, "%s",
             opt->receiver_id ? opt->receiver_id : first->gs.sender);
    snprintf(gs.date, sizeof gs.date, "%s", date8);
    snprintf(gs.time, sizeof gs.time, "%s", time4);
    count_up(gs.control, sizeof gs.control,
             opt->gs_control ? opt->gs_control : skip_zeros(opt->isa_control), (*gs_k)++);
    snprintf(gs.agency, sizeof gs.agency, "X");
    clean(gs.sender, sizeof gs.sender, gs.sender, &o->d);
    clean(gs.receiver, sizeof gs.receiver, gs.receiver, &o->d);
    if (opt->version)
        snprintf(gs.version, sizeof gs.version, "%s", opt->version);
    else if (o->k999)
        snprintf(gs.version, sizeof gs.version, "%s", ack_999_ref);
    else /* echo the received version: a 997 for a 004010 group is a 004010 997 */
        clean(gs.version, sizeof gs.version, first->ack_version[0] ? first->ack_version : "004010",
              &o->d);
    bool v5010 = strcmp(gs.version, "005010") >= 0;
    if (strncmp(gs.version, "004", 3) < 0) /* GS04 is YYMMDD before 004010 */
        snprintf(gs.date, sizeof gs.date, "%s", date8 + 2);
    if ((rc = dg_x12_write_gs(o->w, &gs, o->err)))
        return rc;
    for (size_t i = 0; i < res->n_groups; i++) {
        if (res->groups[i].interchange != ic || is_ack_group(&res->groups[i]))
            continue;
        char st[16];
        count_up(st, sizeof st, opt->st_control ? opt->st_control : "0001", (*st_k)++);
        if ((rc = write_997(o, res, &res->groups[i], st, v5010)))
            return rc;
    }
    return dg_x12_write_ge(o->w, o->err);
}

/* TA1 answering the received interchange: its ISA13, date, time, A or R, note code. */
static int write_ta1(out_ctx *o, const dg_x12_isa *rx, char ack, const char *note)
{
    char ctl[16], date[8], tm[8], code[4], a[2] = {ack, 0};
    clean(ctl, sizeof ctl, rx->control, &o->d);
    clean(date, sizeof date, rx->date, &o->d);
    clean(tm, sizeof tm, rx->time, &o->d);
    clean(code, sizeof code, note, &o->d);
    const char *el[5] = {ctl, date, tm, a, code};
    return seg(o, "TA1", el, 5);
}

/* One answering interchange: a TA1 when the received one was rejected or asked for one
 * (ISA14 = 1), and the 997 group for its groups. Nothing when neither applies. */
static int write_interchange(out_ctx *o, const dg_x12_file_result *res, size_t ic,
                             const dg_x12_ack_opts *opt, long k, long *gs_k, long *st_k,
                             const char *date8, const char *time4)
{
    const dg_x12_interchange_result *rx = &res->interchanges[ic];
    const dg_x12_group_result *first = NULL;
    bool acks = rx->has_ta1;
    for (size_t i = 0; i < res->n_groups && !first; i++)
        if (res->groups[i].interchange == ic) {
            if (!is_ack_group(&res->groups[i]))
                first = &res->groups[i];
            else
                acks = true;
        }
    if (!first && acks)
        return 0; /* only acknowledgments: nothing answers them, not even a TA1 */
    bool dup = is_duplicate(opt, rx->isa.control);
    if (dup)
        first = NULL; /* a duplicate is not processed again: no 997/999 for it */
    bool ta1 = !opt->no_ta1 && (rx->rejected || !strcmp(rx->isa.ack_requested, "1"));
    if (dup)
        ta1 = !opt->no_ta1 && !strcmp(rx->isa.ack_requested, "1");
    if (!first && !ta1)
        return 0;
    char isa_ctl[16];
    count_up(isa_ctl, sizeof isa_ctl, opt->isa_control, k);
    dg_x12_isa isa;
    fill_isa(&isa, first ? &first->isa : &rx->isa, opt, isa_ctl, date8 + 2, time4, &o->d);
    int rc;
    if ((rc = dg_x12_write_isa(o->w, &isa, o->err)))
        return rc;
    if (ta1 && (rc = write_ta1(o, &rx->isa, dup || rx->rejected ? 'R' : 'A',
                               dup && !rx->rejected ? "025" : rx->ta1_code)))
        return rc;
    if (first && (rc = write_fa_group(o, res, ic, first, opt, gs_k, st_k, date8, time4)))
        return rc;
    return dg_x12_write_iea(o->w, o->err);
}

int dg_x12_ack_build(const dg_x12_file_result *res, const dg_x12_ack_opts *opt, dg_buf *out,
                     long *n_interchanges, dg_error *err)
{
    if (n_interchanges)
        *n_interchanges = 0;
    if (!opt || !digits(opt->isa_control) || strlen(opt->isa_control) > 9)
        return dg_error_set(err, DG_EINVAL, "997: ISA13 control number must be 1-9 digits");
    if ((opt->gs_control && (!digits(opt->gs_control) || strlen(opt->gs_control) > 9)) ||
        (opt->st_control && (!digits(opt->st_control) || strlen(opt->st_control) > 9)))
        return dg_error_set(err, DG_EINVAL, "997: GS06/ST02 control numbers must be 1-9 digits");
    if (!res->n_interchanges)
        return dg_error_set(err, DG_EVALID, "%s: no interchange (ISA) to acknowledge", res->path);
    char date8[16], time4[8];
    time_t now = time(NULL);
    struct tm t;
    gmtime_r(&now, &t);
    if (opt->date && (strlen(opt->date) != 8 || !digits(opt->date)))
        return dg_error_set(err, DG_EINVAL, "997: date must be CCYYMMDD");
    if (opt->time && (strlen(opt->time) != 4 || !digits(opt->time)))
        return dg_error_set(err, DG_EINVAL, "997: time must be HHMM");
    if (opt->date)
        snprintf(date8, sizeof date8, "%s", opt->date);
    else
        strftime(date8, sizeof date8, "%Y%m%d", &t);
    if (opt->time)
        snprintf(time4, sizeof time4, "%s", opt->time);
    else
        strftime(time4, sizeof time4, "%H%M", &t);
    if (dg_x12_ack_only(res))
        return dg_error_set(err, DG_EVALID,
                            "%s holds only acknowledgments (997/999/TA1): acknowledgments are "
                            "never acknowledged",
                            res->path);
    out_ctx o;
    o.d = opt->have_delims ? opt->delims : dg_x12_default_delims();
    o.err = err;
    o.k999 = opt->kind == DG_X12_ACK_999;
    o.w = dg_x12_writer_new(out, o.d, opt->newline);
    long k = 0, gs_k = 0, st_k = 0;
    int rc = 0;
    for (size_t ic = 0; ic < res->n_interchanges && !rc; ic++) {
        size_t before = out->len;
        rc = write_interchange(&o, res, ic, opt, k, &gs_k, &st_k, date8, time4);
        if (!rc && out->len > before)
            k++;
    }
    dg_x12_writer_free(o.w);
    if (n_interchanges)
        *n_interchanges = k;
    if (!rc && !k)
        rc = dg_error_set(err, DG_EVALID,
                          "%s: no functional group (GS) to acknowledge with a 997, and no TA1 due",
                          res->path);
    return rc;
}

int dg_x12_ta1_build(const dg_x12_isa *received, char ack_code, const char *note,
                     const dg_x12_ack_opts *opt, dg_buf *out, dg_error *err)
{
    if (!received || !opt || !digits(opt->isa_control) || strlen(opt->isa_control) > 9)
        return dg_error_set(err, DG_EINVAL, "TA1: ISA13 control number must be 1-9 digits");
    if ((ack_code != 'A' && ack_code != 'R' && ack_code != 'E') || !note || strlen(note) != 3 ||
        !digits(note))
        return dg_error_set(err, DG_EINVAL, "TA1: acknowledgment code A/E/R and a 3-digit note");
    if ((opt->date && (strlen(opt->date) != 8 || !digits(opt->date))) ||
        (opt->time && (strlen(opt->time) != 4 || !digits(opt->time))))
        return dg_error_set(err, DG_EINVAL, "TA1: date must be CCYYMMDD and time HHMM");
    char date8[16], time4[8], isa_ctl[16];
    time_t now = time(NULL);
    struct tm t;
    gmtime_r(&now, &t);
    if (opt->date)
        snprintf(date8, sizeof date8, "%s", opt->date);
    else
        strftime(date8, sizeof date8, "%Y%m%d", &t);
    if (opt->time)
        snprintf(time4, sizeof time4, "%s", opt->time);
    else
        strftime(time4, sizeof time4, "%H%M", &t);
    count_up(isa_ctl, sizeof isa_ctl, opt->isa_control, 0);
    out_ctx o;
    memset(&o, 0, sizeof o);
    o.d = opt->have_delims ? opt->delims : dg_x12_default_delims();
    o.err = err;
    o.w = dg_x12_writer_new(out, o.d, opt->newline);
    dg_x12_ack_opts plain = *opt;
    plain.kind = DG_X12_ACK_997; /* a TA1 answers in the received interchange version */
    dg_x12_isa isa;
    fill_isa(&isa, received, &plain, isa_ctl, date8 + 2, time4, &o.d);
    int rc = dg_x12_write_isa(o.w, &isa, err);
    if (!rc)
        rc = write_ta1(&o, received, ack_code, note);
    if (!rc)
        rc = dg_x12_write_iea(o.w, err);
    dg_x12_writer_free(o.w);
    return rc;
}

int dg_x12_ack_build_file(const dg_x12_defs *defs, const char *path, const dg_x12_ack_opts *o,
                          dg_buf *out, dg_x12_file_result **res_out, dg_error *err)
{
    dg_x12_file_result *res = NULL;
    if (res_out)
        *res_out = NULL;
    int rc = dg_x12_check_file(defs, path, &res, err);
    if (rc)
        return rc;
    rc = dg_x12_ack_build(res, o, out, NULL, err);
    if (res_out)
        *res_out = res;
    else
        dg_x12_file_result_free(res);
    return rc;
}

/* ---- reading --------------------------------------------------------------------------- */

typedef struct {
    dg_x12_ack_report *r;
    dg_x12_isa isa;
} reader_ctx;

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

static const char *el(const dg_x12_seg *s, int i)
{
    return i <= s->n_el ? s->el[i] : "";
}

static void take_codes(const dg_x12_seg *s, int from, char codes[5][4], int *n)
{
    for (int i = from; i < from + 5 && i <= s->n_el; i++)
        if (s->el[i][0] && *n < 5)
            snprintf(codes[(*n)++], 4, "%s", s->el[i]);
}

static int on_isa_r(void *ctx, const dg_x12_isa *isa)
{
    ((reader_ctx *)ctx)->isa = *isa;
    return 0;
}

static int on_problem_r(void *ctx, const dg_x12_problem *p)
{
    if (!p->warning)
        ((reader_ctx *)ctx)->r->envelope_errors = true;
    return 0;
}

static int on_set_r(void *ctx, const dg_x12_set *set)
{
    reader_ctx *c = ctx;
    dg_x12_ack_report *r = c->r;
    bool k999 = !strcmp(set->id, "999");
    if (strcmp(set->id, "997") && !k999) {
        r->n_other++;
        return 0;
    }
    if (k999)
        r->n_999++;
    else
        r->n_997++;
    /* a 999 says the same with IK3/IK4/IK5 where a 997 has AK3/AK4/AK5 */
    const char *id3 = k999 ? "IK3" : "AK3", *id4 = k999 ? "IK4" : "AK4",
               *id5 = k999 ? "IK5" : "AK5";
    dg_x12_ack_group_status *g = NULL;
    dg_x12_ack_set_status *st = NULL;
    for (size_t i = 0; i < set->n_segs; i++) {
        const dg_x12_seg *s = &set->segs[i];
        const char *id = s->el[0];
        if (!strcmp(id, "AK1")) {
            r->groups = grow(r->groups, &r->cap_groups, r->n_groups, sizeof *r->groups);
            g = &r->groups[r->n_groups++];
            memset(g, 0, sizeof *g);
            snprintf(g->functional_id, sizeof g->functional_id, "%s", el(s, 1));
            snprintf(g->group_control, sizeof g->group_control, "%s", el(s, 2));
            snprintf(g->ack_isa_control, sizeof g->ack_isa_control, "%s", c->isa.control);
            snprintf(g->ack_gs_control, sizeof g->ack_gs_control, "%s",
                     set->gs ? set->gs->control : "");
            snprintf(g->ack_st_control, sizeof g->ack_st_control, "%s", set->control);
            snprintf(g->ack_sender, sizeof g->ack_sender, "%s", c->isa.sender_id);
            snprintf(g->ack_receiver, sizeof g->ack_receiver, "%s", c->isa.receiver_id);
            snprintf(g->ack_set_id, sizeof g->ack_set_id, "%s", set->id);
        } else if (!strcmp(id, "AK2") && g) {
            r->sets = grow(r->sets, &r->cap_sets, r->n_sets, sizeof *r->sets);
            st = &r->sets[r->n_sets++];
            memset(st, 0, sizeof *st);
            snprintf(st->functional_id, sizeof st->functional_id, "%s", g->functional_id);
            snprintf(st->group_control, sizeof st->group_control, "%s", g->group_control);
            snprintf(st->set_id, sizeof st->set_id, "%s", el(s, 1));
            snprintf(st->set_control, sizeof st->set_control, "%s", el(s, 2));
        } else if (!strcmp(id, id3) && st) {
            if (!st->n_segment_notes++)
                snprintf(st->detail, sizeof st->detail, "segment %s at position %s: %s04 %s",
                         el(s, 1), el(s, 2), id3, el(s, 4));
        } else if (!strcmp(id, id4) && st && st->n_segment_notes == 1 &&
                   !strstr(st->detail, "403")) {
            size_t n = strlen(st->detail);
            snprintf(st->detail + n, sizeof st->detail - n, "; element %s (ref %s): %s03 %s%s%s",
                     el(s, 1), el(s, 2), id4, el(s, 3), el(s, 4)[0] ? " bad '" : "",
                     el(s, 4)[0] ? el(s, 4) : "");
            if (el(s, 4)[0] && strlen(st->detail) + 1 < sizeof st->detail)
                strcat(st->detail, "'");
        } else if (!strcmp(id, id5) && st) {
            st->status = el(s, 1)[0];
            take_codes(s, 2, st->codes, &st->n_codes);
            st = NULL;
        } else if (!strcmp(id, "AK9") && g) {
            g->status = el(s, 1)[0];
            g->included = atol(el(s, 2));
            g->received = atol(el(s, 3));
            g->accepted = atol(el(s, 4));
            take_codes(s, 5, g->codes, &g->n_codes);
        }
    }
    return 0;
}

static int parse(const char *path, const char *data, size_t len, dg_x12_ack_report **out,
                 dg_error *err)
{
    *out = NULL;
    dg_x12_ack_report *r = calloc(1, sizeof *r);
    if (!r)
        abort();
    reader_ctx c;
    memset(&c, 0, sizeof c);
    c.r = r;
    dg_x12_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.on_isa = on_isa_r;
    cb.on_set = on_set_r;
    cb.on_problem = on_problem_r;
    int rc = data ? dg_x12_parse_mem(data, len, path, &cb, &c, err)
                  : dg_x12_parse_file(path, &cb, &c, err);
    if (rc) {
        dg_x12_ack_report_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

int dg_x12_ack_parse_file(const char *path, dg_x12_ack_report **out, dg_error *err)
{
    return parse(path, NULL, 0, out, err);
}

int dg_x12_ack_parse_mem(const char *data, size_t len, const char *name, dg_x12_ack_report **out,
                         dg_error *err)
{
    return parse(name ? name : "-", data ? data : "", len, out, err);
}

void dg_x12_ack_report_free(dg_x12_ack_report *r)
{
    if (!r)
        return;
    free(r->groups);
    free(r->sets);
    free(r);
}

static bool ctl_eq(const char *a, const char *b)
{
    if (digits(a) && digits(b))
        return !strcmp(skip_zeros(a), skip_zeros(b));
    return !strcmp(a, b);
}

char dg_x12_ack_outcome(const dg_x12_ack_report *r, const char *group_control,
                        const char *set_control)
{
    if (!r)
        return 0;
    for (size_t i = r->n_sets; i-- > 0;) { /* the latest 997 wins */
        const dg_x12_ack_set_status *s = &r->sets[i];
        if (ctl_eq(s->group_control, group_control) && ctl_eq(s->set_control, set_control))
            return s->status;
    }
    for (size_t i = r->n_groups; i-- > 0;) {
        const dg_x12_ack_group_status *g = &r->groups[i];
        if (!ctl_eq(g->group_control, group_control))
            continue;
        switch (g->status) {
        case 'A':
        case 'E':
        case 'R':
        case 'P': return g->status;
        default: return 0;
        }
    }
    return 0;
}
