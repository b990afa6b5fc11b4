/* X12 adapter, outbound: canonical documents -> one interchange (ISA/GS, one ST..SE per
 * document, GE/IEA) through the X12 writer, with HL numbering and paired product ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "map/map_internal.h"
#include "x12/validate.h"
#include "x12/x12.h"

/* ---- write ---------------------------------------------------------------------------------- */

enum { MAX_ELEMS = 64, MAX_LEVELS = 10 };

typedef struct {
    const dg_mapping *m;
    dg_x12_writer *w;
    dg_x12_delims d;
    dg_buf text, part, fit;
    bool placeholders, values; /* the segment has placeholders / one of them gave text */
    const dg_x12_version *ver; /* edi/ definitions of the mapping's version, or NULL */
    const dg_x12_set_def *set;
    struct {
        const map_out *o;
        const dg_x12_node *loop;
    } loops[32]; /* loop_of() answers: searched once per mapping segment and write call */
    size_t n_loops;
    long hl_count, hl_at[MAX_LEVELS + 1];
    char file_date[16], file_time[16]; /* ISO, as the envelope (ISA09/10, GS04/05) has them */
    dg_error *err;
} x12_write;

/* Partner text must not carry the delimiters (nor control characters, which X12 refuses);
 * they become spaces. */
static void scrub(const x12_write *xw, char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == xw->d.elem || s[i] == xw->d.seg || s[i] == xw->d.comp ||
            (xw->d.rep && s[i] == xw->d.rep) || (unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            s[i] = ' ';
}

/* Renders one template into xw->text; placeholder output is scrubbed, literals kept (so a
 * literal component separator in a template stays one). */
static int render_elem(x12_write *xw, const map_tpl *t, const map_out_ctx *c)
{
    for (size_t i = 0; i < t->n; i++) {
        if (!t->parts[i].rule) {
            dg_buf_puts(&xw->text, t->parts[i].lit);
            continue;
        }
        map_tpl one = {&t->parts[i], 1};
        xw->placeholders = true;
        dg_buf_clear(&xw->part);
        int rc = map_render(xw->m, &one, c, &xw->part, xw->err);
        if (rc)
            return rc;
        if (xw->part.len) {
            xw->values = true;
            scrub(xw, xw->part.data, xw->part.len);
            dg_buf_append(&xw->text, xw->part.data, xw->part.len);
        }
    }
    return 0;
}

/* Whether seg_id is a mandatory segment of the set's own level (BEG, BSN, BIG ...): leaving it
 * out would never validate, so its missing value is the document's error. */
static bool mandatory_in_set(const dg_x12_set_def *set, const char *seg_id)
{
    for (size_t q = 0; set && q < set->root.n_body; q++) {
        const dg_x12_node *b = &set->root.body[q];
        if (!b->n_body && b->usage == 'M' && b->seg && !strcmp(b->seg->id, seg_id))
            return true;
    }
    return false;
}

/* " KEY": the document's key (order number, shipment id ...) for messages, at most 40 bytes,
 * control characters as blanks (it ends up in logs); "" when it has none. */
static const char *doc_key(dg_doc *d, char *buf, size_t size)
{
    size_t nf = 0;
    const dg_field *key = dg_fields_list(d->kind, &nf);
    char **v = nf ? dg_field_str(&d->u, key) : NULL;
    snprintf(buf, size, "%s%.40s", v && *v && **v ? " " : "", v && *v ? *v : "");
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return buf;
}

/* Writes one segment, or nothing (*written false) when it has no values or, with edi/
 * definitions, lacks a value its definition requires. */
static int write_segment(x12_write *xw, const map_out *o, const map_out_ctx *c0, bool *written)
{
    *written = false;
    map_out_ctx c = *c0;
    if (o->hl_level > 0) {
        int lv = o->hl_level > MAX_LEVELS ? MAX_LEVELS : o->hl_level;
        c.hl_self = ++xw->hl_count;
        c.hl_parent = lv > 1 ? xw->hl_at[lv - 1] : 0;
        xw->hl_at[lv] = c.hl_self;
        for (int k = lv + 1; k <= MAX_LEVELS; k++)
            xw->hl_at[k] = 0;
    }
    c.hl_count = xw->hl_count;
    size_t off[MAX_ELEMS];
    int n = 0;
    dg_buf_clear(&xw->text);
    xw->placeholders = xw->values = false;
    for (size_t i = 0; i < o->n_vals && n < MAX_ELEMS - 1; i++) {
        const map_tpl *t = &o->vals[i];
        const map_rule *pr =
            t->n == 1 && t->parts[0].rule && t->parts[0].rule->pair ? t->parts[0].rule : NULL;
        if (pr) { /* "{vendor_sku|pair:VP}": VP*value as two elements, nothing when empty */
            size_t start = xw->text.len;
            int rc = render_elem(xw, t, &c);
            if (rc)
                return rc;
            if (xw->text.len == start)
                continue;
            char *val = strndup(xw->text.data + start, xw->text.len - start);
            xw->text.len = start;
            off[n++] = xw->text.len;
            dg_buf_puts(&xw->text, pr->pair);
            dg_buf_putc(&xw->text, '\0');
            off[n++] = xw->text.len;
            dg_buf_puts(&xw->text, val);
            dg_buf_putc(&xw->text, '\0');
            free(val);
            continue;
        }
        off[n++] = xw->text.len;
        int rc = render_elem(xw, t, &c);
        if (rc)
            return rc;
        dg_buf_putc(&xw->text, '\0');
    }
    if (xw->placeholders && !xw->values) /* REF*CO with no customer order number: no REF */
        return 0;
    char *els[MAX_ELEMS];
    const dg_x12_seg_def *sd = xw->ver ? dg_x12_version_seg(xw->ver, o->name) : NULL;
    int rc = 0;
    if (sd) { /* each value gets spare room, so text can be padded to its minimum */
        dg_buf_clear(&xw->fit);
        size_t at[MAX_ELEMS];
        for (int i = 0; i < n; i++) {
            at[i] = xw->fit.len;
            dg_buf_puts(&xw->fit, xw->text.data + off[i]);
            for (int k = 0; k <= MAP_X12_PAD; k++)
                dg_buf_putc(&xw->fit, '\0');
        }
        for (int i = 0; i < n; i++)
            els[i] = xw->fit.data + at[i];
        bool write = false;
        char why[160] = "";
        if ((rc = map_x12_tidy(sd, els, &n, &write, why, sizeof why, xw->err)))
            goto fail;
        if (!write && mandatory_in_set(xw->set, o->name)) {
            rc = dg_error_set(xw->err, DG_EMAP,
                              "%s is mandatory in the %s and cannot be written: %s", o->name,
                              xw->m->x12.set_id, why);
            goto fail;
        }
        if (!write)
            return 0;
    } else {
        for (int i = 0; i < n; i++)
            els[i] = xw->text.data + off[i];
    }
    if ((rc = dg_x12_write_seg(xw->w, o->name, (const char **)els, n, xw->err)))
        goto fail;
    *written = true;
    return 0;
fail:; /* a label cannot precede a declaration in C11 (clang refuses) */
    char key[64];
    dg_error_prefix(xw->err, "%s:%d: segment %s of document %zu%s: ", xw->m->path, o->line, o->name,
                    c.doc_no, doc_key(c.doc, key, sizeof key));
    return rc;
}

/* The loop (of the set's definition) that seg_id starts, so that its other segments are left
 * out with it; NULL when seg_id starts none. */
static const dg_x12_node *loop_started_by(const dg_x12_node *n, const char *seg_id)
{
    for (size_t q = 0; q < n->n_body; q++) {
        const dg_x12_node *b = &n->body[q];
        if (!b->n_body)
            continue;
        if (b->seg && !strcmp(b->seg->id, seg_id))
            return b;
        const dg_x12_node *in = loop_started_by(b, seg_id);
        if (in)
            return in;
    }
    return NULL;
}

static const dg_x12_node *loop_of(x12_write *xw, const map_out *o)
{
    if (!xw->set)
        return NULL;
    for (size_t i = 0; i < xw->n_loops; i++)
        if (xw->loops[i].o == o)
            return xw->loops[i].loop;
    const dg_x12_node *loop = loop_started_by(&xw->set->root, o->name);
    if (xw->n_loops < sizeof xw->loops / sizeof *xw->loops) {
        xw->loops[xw->n_loops].o = o;
        xw->loops[xw->n_loops++].loop = loop;
    }
    return loop;
}

static bool loop_has(const dg_x12_node *loop, const char *seg_id)
{
    for (size_t q = 1; q < loop->n_body; q++)
        if (loop->body[q].seg && !strcmp(loop->body[q].seg->id, seg_id))
            return true;
    return false;
}

static int write_outs(x12_write *xw, const map_out *outs, size_t n, const map_out_ctx *c)
{
    const dg_x12_node *left_out = NULL; /* a loop whose first segment was not written */
    for (size_t i = 0; i < n; i++) {
        const map_out *o = &outs[i];
        if (left_out && o->each < 0 && loop_has(left_out, o->name))
            continue; /* N3/N4 of an N1 that was left out would stand in the wrong loop */
        left_out = NULL;
        bool written = false;
        if (o->when) {
            void *rec = map_out_record(c, o->when);
            if (!rec || !dg_field_present(rec, o->when)) {
                if (o->each < 0)
                    left_out = loop_of(xw, o);
                continue;
            }
        }
        if (o->each < 0) {
            int rc = write_segment(xw, o, c, &written);
            if (rc)
                return rc;
            if (!written)
                left_out = loop_of(xw, o);
            continue;
        }
        if (o->if_empty >= 0 && dg_fields_count(c->doc, o->if_empty) > 0)
            continue;
        map_out_ctx sub = *c;
        sub.outer_group = c->group;
        sub.outer_idx = c->idx;
        sub.group = o->each;
        size_t cnt = dg_fields_count(c->doc, o->each);
        for (size_t k = 0; k < cnt; k++) {
            if (!map_out_matches(o, c, k))
                continue;
            sub.idx = k;
            int rc = write_outs(xw, o->kids, o->n_kids, &sub);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static void copy_field(char *dst, size_t cap, const char *s)
{
    snprintf(dst, cap, "%s", s ? s : "");
}

static int write_envelope_head(x12_write *xw, const dg_map_envelope *env, dg_error *err)
{
    const map_x12_opts *o = &xw->m->x12;
    char date[16], tm[8];
    time_t now = time(NULL);
    struct tm t;
    gmtime_r(&now, &t);
    if (env->date && strlen(env->date) == 8)
        copy_field(date, sizeof date, env->date);
    else
        strftime(date, sizeof date, "%Y%m%d", &t);
    if (env->time && strlen(env->time) == 4)
        copy_field(tm, sizeof tm, env->time);
    else
        strftime(tm, sizeof tm, "%H%M", &t);
    /* {file_date} / {file_time}: the time the file is written is the envelope's */
    snprintf(xw->file_date, sizeof xw->file_date, "%.4s-%.2s-%.2s", date, date + 4, date + 6);
    snprintf(xw->file_time, sizeof xw->file_time, "%.2s:%.2s:00", tm, tm + 2);
    dg_x12_isa isa;
    memset(&isa, 0, sizeof isa);
    copy_field(isa.auth_qual, sizeof isa.auth_qual, "00");
    copy_field(isa.sec_qual, sizeof isa.sec_qual, "00");
    copy_field(isa.sender_qual, sizeof isa.sender_qual,
               env->sender_qualifier ? env->sender_qualifier : "ZZ");
    copy_field(isa.sender_id, sizeof isa.sender_id, env->sender_id);
    copy_field(isa.receiver_qual, sizeof isa.receiver_qual,
               env->receiver_qualifier ? env->receiver_qualifier : "ZZ");
    copy_field(isa.receiver_id, sizeof isa.receiver_id, env->receiver_id);
    copy_field(isa.date, sizeof isa.date, date + 2);
    copy_field(isa.time, sizeof isa.time, tm);
    copy_field(isa.isa11, sizeof isa.isa11, xw->d.rep ? (char[2]){xw->d.rep, 0} : "U");
    copy_field(isa.version, sizeof isa.version, o->isa_version);
    snprintf(isa.control, sizeof isa.control, "%09ld", env->interchange_control % 1000000000L);
    copy_field(isa.ack_requested, sizeof isa.ack_requested, "0");
    copy_field(isa.usage, sizeof isa.usage, env->test ? "T" : "P");
    dg_x12_gs gs;
    memset(&gs, 0, sizeof gs);
    copy_field(gs.functional_id, sizeof gs.functional_id, o->functional_id);
    copy_field(gs.sender, sizeof gs.sender, env->sender_id);
    copy_field(gs.receiver, sizeof gs.receiver, env->receiver_id);
    copy_field(gs.date, sizeof gs.date, date);
    copy_field(gs.time, sizeof gs.time, tm);
    snprintf(gs.control, sizeof gs.control, "%ld", env->group_control % 1000000000L);
    copy_field(gs.agency, sizeof gs.agency, "X");
    copy_field(gs.version, sizeof gs.version, o->version);
    int rc = dg_x12_write_isa(xw->w, &isa, err);
    return rc ? rc : dg_x12_write_gs(xw->w, &gs, err);
}

/* What dropgate writes is checked by the validator that checks what partners send: the first
 * error, with the document it is in, refuses the output. */
static int check_output(const dg_mapping *m, dg_doc *const *docs, size_t n,
                        const dg_map_envelope *env, const char *data, size_t len, dg_error *err)
{
    dg_x12_file_result *r = NULL;
    int rc = dg_x12_check_mem(env->defs, data, len, m->path, &r, err);
    if (rc)
        return rc;
    if (r->rejected) {
        const dg_x12_problem *p = NULL;
        for (size_t i = 0; i < r->n_problems && !p; i++)
            if (!r->problems[i].warning)
                p = &r->problems[i];
        long d =
            p && *p->st_control ? strtol(p->st_control, NULL, 10) - env->first_set_control : -1;
        if (d >= (long)n)
            d = -1;
        char where[160] = " this batch", at[64] = "", key[64];
        if (d >= 0)
            snprintf(where, sizeof where, " document %ld%s", d + 1,
                     doc_key(docs[d], key, sizeof key));
        if (p && *p->seg_id && p->elem)
            snprintf(at, sizeof at, "%s%02d (set segment %ld): ", p->seg_id, p->elem, p->set_seg);
        else if (p && *p->seg_id)
            snprintf(at, sizeof at, "%s (set segment %ld): ", p->seg_id, p->set_seg);
        rc = dg_error_set(err, DG_EVALID, "%s: the X12 written for%s does not validate: %s%s",
                          m->path, where, at,
                          p            ? p->msg
                          : r->not_x12 ? r->not_x12_msg
                                       : "rejected");
    }
    dg_x12_file_result_free(r);
    return rc;
}

int map_x12_write(const dg_mapping *m, dg_doc *const *docs, size_t n, const dg_map_envelope *env,
                  dg_buf *out, dg_error *err)
{
    static const dg_map_envelope dflt = {"ZZ", "DROPGATE", "ZZ", "PARTNER", 1,   1,
                                         1,    NULL,       NULL, false,     NULL};
    if (!env)
        env = &dflt;
    if (!env->sender_id || !env->receiver_id || !*env->sender_id || !*env->receiver_id)
        return dg_error_set(err, DG_EINVAL, "%s: X12 needs sender and receiver ids (ISA06/ISA08)",
                            m->path);
    const map_x12_opts *o = &m->x12;
    bool v402 = strcmp(o->isa_version, "00402") >= 0;
    char rep = o->rep_sep == 'U' ? '^' : o->rep_sep;
    x12_write xw = {.m = m, .err = err};
    if (env->defs && (xw.ver = dg_x12_defs_version(env->defs, o->version)))
        xw.set = dg_x12_version_set(xw.ver, o->set_id);
    xw.d = (dg_x12_delims){o->elem_sep, o->comp_sep, v402 ? rep : 0, o->seg_term};
    size_t start = out->len;
    xw.w = dg_x12_writer_new(out, xw.d, *o->seg_suffix != '\0');
    int rc = write_envelope_head(&xw, env, err);
    for (size_t d = 0; !rc && d < n; d++) {
        char ctl[16];
        snprintf(ctl, sizeof ctl, "%04ld", (env->first_set_control + (long)d) % 1000000000L);
        xw.hl_count = 0;
        memset(xw.hl_at, 0, sizeof xw.hl_at);
        map_out_ctx c = {.doc = docs[d],
                         .group = -1,
                         .outer_group = -1,
                         .doc_no = d + 1,
                         .file_date = xw.file_date,
                         .file_time = xw.file_time};
        rc = dg_x12_write_st(xw.w, o->set_id, ctl, NULL, err);
        if (!rc)
            rc = write_outs(&xw, m->outs, m->n_outs, &c);
        if (!rc)
            rc = dg_x12_write_se(xw.w, err);
    }
    if (!rc)
        rc = dg_x12_write_ge(xw.w, err);
    if (!rc)
        rc = dg_x12_write_iea(xw.w, err);
    dg_x12_writer_free(xw.w);
    dg_buf_free(&xw.text);
    dg_buf_free(&xw.part);
    dg_buf_free(&xw.fit);
    if (!rc && env->defs)
        rc = check_output(m, docs, n, env, out->data + start, out->len - start, err);
    return rc;
}
