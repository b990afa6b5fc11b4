/* Routing X12 by envelope (type: x12 drops): each interchange goes to the partner its sender
 * names (ISA05/06, GS02), each transaction set to that partner's mapping for its ST01/GS08. Sets
 * are applied one by one (a savepoint each): a bad set is rejected in the 997 while the others
 * are applied and the file says PARTIAL; an ISA13 already applied is not applied again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "flow/flow.h"
#include "gateway/gw_internal.h"
#include "map/map.h"
#include "store/store.h"
#include "x12/ack.h"
#include "x12/validate.h"

void gw_x12_outcome_clear(gw_x12_outcome *o)
{
    dg_x12_file_result_free(o->res);
    free(o->sender);
    free(o->duplicate);
    free(o->applied);
    memset(o, 0, sizeof *o);
}

static void sender_key(const dg_x12_isa *isa, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", isa->sender_qual, isa->sender_id);
}

static const dg_x12_group_result *first_group(const dg_x12_file_result *r, size_t ic)
{
    for (size_t i = 0; i < r->n_groups; i++)
        if (r->groups[i].interchange == ic)
            return &r->groups[i];
    return NULL;
}

/* The partner interchange ic comes from, or NULL with reason filled (the file is quarantined:
 * an unknown sender is a configuration the operator must add, never a guess). */
static const dg_gw_partner *route_sender(dg_gw *g, const gw_pickup *pk, const dg_x12_file_result *r,
                                         size_t ic, dg_error *reason)
{
    const dg_x12_isa *isa = &r->interchanges[ic].isa;
    const dg_x12_group_result *gr = first_group(r, ic);
    const char *gs02 = gr ? gr->gs.sender : "";
    const dg_gw_config *cfg = g->cfg;
    const dg_gw_partner *hit = NULL;
    int hits = 0;
    for (size_t i = 0; i < cfg->n_partners; i++) {
        const dg_gw_partner *p = &cfg->partners[i];
        if (!p->x12_id || strcmp(p->x12_id, isa->sender_id) ||
            strcmp(p->x12_qualifier, isa->sender_qual))
            continue;
        hits++;
        if (!hit || (strcmp(hit->x12_gs_id, gs02) && !strcmp(p->x12_gs_id, gs02)))
            hit = p;
    }
    const dg_gw_partner *own = pk->partner;
    if (!hit) {
        if (!own->x12_id)
            dg_error_set(reason, DG_EVALID,
                         "%s: interchange %s: sender %s/%s (ISA05/ISA06, GS02 '%s') matches no "
                         "partner: add x12: {qualifier: %s, id: %s} to %s",
                         pk->name, isa->control, isa->sender_qual, isa->sender_id, gs02,
                         isa->sender_qual, isa->sender_id, own->file);
        else
            dg_error_set(reason, DG_EVALID,
                         "%s: interchange %s: sender %s/%s (ISA05/ISA06, GS02 '%s') matches no "
                         "partner: add x12: {qualifier: %s, id: %s} to the sender's partner file "
                         "(a new one in %s), and name it in senders: of this drop in %s",
                         pk->name, isa->control, isa->sender_qual, isa->sender_id, gs02,
                         isa->sender_qual, isa->sender_id, cfg->partners_dir, own->file);
        return NULL;
    }
    if (hits > 1 && strcmp(hit->x12_gs_id, gs02)) {
        dg_error_set(reason, DG_EVALID,
                     "%s: interchange %s: sender %s/%s belongs to %d partners and GS02 '%s' "
                     "names none of them: give each its x12: gs_id",
                     pk->name, isa->control, isa->sender_qual, isa->sender_id, hits, gs02);
        return NULL;
    }
    if (!gw_drop_takes(pk->drop, own, hit)) {
        dg_error_set(reason, DG_EVALID,
                     "%s: interchange %s: sender %s/%s is partner %s (%s), which this drop does "
                     "not take: add it to senders: of the drop in %s",
                     pk->name, isa->control, isa->sender_qual, isa->sender_id, hit->name, hit->file,
                     own->file);
        return NULL;
    }
    return hit;
}

/* Nothing of the file is applied: every set and group is rejected in its 997. */
static void reject_all(dg_x12_file_result *r)
{
    for (size_t i = 0; i < r->n_groups; i++) {
        for (size_t k = 0; k < r->groups[i].n_sets; k++)
            r->groups[i].sets[k].status = 'R';
        r->groups[i].accepted = 0;
        r->groups[i].status = 'R';
    }
}

/* AK9 after routing: A when every set was applied, P when some, R when none (a group the check
 * rejected as a whole stays R). */
static void regroup(dg_x12_file_result *r)
{
    for (size_t i = 0; i < r->n_groups; i++) {
        dg_x12_group_result *gr = &r->groups[i];
        long ok = 0;
        for (size_t k = 0; k < gr->n_sets; k++)
            if (gr->sets[k].status == 'A' || gr->sets[k].status == 'E')
                ok++;
        gr->accepted = ok;
        if (gr->status == 'R' && gr->n_codes)
            continue;
        gr->status = ok == (long)gr->n_sets && ok > 0 ? 'A' : ok == 0 ? 'R' : 'P';
    }
}

typedef struct route_ctx {
    dg_gw *g;
    const gw_pickup *pk;
    gw_x12_outcome *o;
    int64_t file_id;
    bool reprocess;
    size_t hint_g, hint_s;
    const dg_mapping **maps;
    dg_map_x12_reader **readers;
    size_t n_readers;
    long docs, ack_sets;
    dg_error *reason; /* a gateway failure that stops the file */
    char **refused;   /* mapping messages, for their AK3/AK4 after the pass */
    size_t n_refused;
} route_ctx;

static dg_x12_set_result *find_result(route_ctx *c, const dg_x12_set *set, size_t *ic,
                                      dg_x12_group_result **grp)
{
    dg_x12_file_result *r = c->o->res;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t gi = pass ? 0 : c->hint_g; gi < r->n_groups; gi++) {
            dg_x12_group_result *gr = &r->groups[gi];
            if (strcmp(gr->isa.control, set->isa->control) ||
                strcmp(gr->gs.control, set->gs->control))
                continue;
            for (size_t k = (!pass && gi == c->hint_g) ? c->hint_s : 0; k < gr->n_sets; k++)
                if (!strcmp(gr->sets[k].control, set->control) &&
                    !strcmp(gr->sets[k].id, set->id)) {
                    c->hint_g = gi;
                    c->hint_s = k + 1;
                    *ic = gr->interchange;
                    *grp = gr;
                    return &gr->sets[k];
                }
        }
    }
    return NULL;
}

/* The set's problem in words: the element in error when there is one (AK4 says more than its
 * AK3 "segment has data element errors"). */
static void check_reason(const dg_x12_file_result *r, const dg_x12_set_result *sr, char *out,
                         size_t size)
{
    const dg_x12_problem *best = NULL;
    for (size_t i = 0; i < sr->n_problems; i++) {
        const dg_x12_problem *p = &r->problems[sr->first_problem + i];
        if (p->warning)
            continue;
        if (!best || (best->level != DG_X12_LEVEL_ELEMENT && p->level == DG_X12_LEVEL_ELEMENT))
            best = p;
    }
    if (best) {
        char el[8] = "";
        if (best->elem)
            snprintf(el, sizeof el, "%02d", best->elem);
        snprintf(out, size, "rejected by the X12 check: segment %ld %s%s: %s", best->file_seg,
                 best->seg_id, el, best->msg);
    } else if (sr->n_codes)
        snprintf(out, size, "rejected by the X12 check: AK5 code %s (%s)", sr->codes[0],
                 dg_x12_code_text(DG_X12_LEVEL_SET, sr->codes[0]));
    else
        snprintf(out, size, "rejected by the X12 check");
}

static int reject(route_ctx *c, const dg_x12set_rec *rec, dg_x12_set_result *sr, const char *why)
{
    sr->status = 'R';
    c->o->sets_rejected++;
    if (!c->o->note[0])
        snprintf(c->o->note, sizeof c->o->note, "%s %s (ST02 %s, segment %ld): %s", rec->set_id,
                 rec->partner, rec->set_control, rec->position, why);
    dg_log_warn("partner=%s file=%s set=%s st=%s outcome=rejected reason=\"%s\"", rec->partner,
                c->pk->remote_path, rec->set_id, rec->set_control, why);
    return dg_store_x12set_record(c->g->store, rec, DG_X12SET_REJECTED, why, c->reason);
}

static int reader_for(route_ctx *c, const char *path, dg_map_x12_reader **out)
{
    const dg_mapping *m = NULL;
    int rc = gw_mapping(c->g, path, &m, c->reason);
    if (rc)
        return rc == DG_EIO || rc == DG_ENOTFOUND ? DG_ECONFIG : rc;
    for (size_t i = 0; i < c->n_readers; i++)
        if (c->maps[i] == m) {
            *out = c->readers[i];
            return 0;
        }
    if ((rc = dg_map_x12_reader_new(m, out, c->reason)))
        return rc;
    c->maps = realloc(c->maps, (c->n_readers + 1) * sizeof *c->maps);
    c->readers = realloc(c->readers, (c->n_readers + 1) * sizeof *c->readers);
    if (!c->maps || !c->readers)
        abort();
    c->maps[c->n_readers] = m;
    c->readers[c->n_readers++] = *out;
    return 0;
}

static void restore_counts(dg_gw *g, const dg_gw_stats *b)
{
    g->stats.docs = b->docs;
    g->stats.orders = b->orders;
    g->stats.shipments = b->shipments;
    g->stats.invoices = b->invoices;
    g->stats.stock = b->stock;
    g->stats.acks_in = b->acks_in;
}

/* Maps and applies one set in a savepoint of its own: a set the mapping or the flow refuses is
 * rolled back alone and rejected. Returns nonzero only for failures that stop the file. */
static int apply_set(route_ctx *c, const dg_x12_set *set, const dg_gw_partner *p,
                     dg_x12_set_result *sr, const dg_x12set_rec *rec, size_t ic)
{
    const dg_gw_x12_set *row = dg_gw_x12_set_find(p, set->id, set->gs->version);
    char why[900];
    if (!row) {
        sr->n_codes = 1;
        snprintf(sr->codes[0], sizeof sr->codes[0], "1"); /* transaction set not supported */
        snprintf(why, sizeof why,
                 "transaction set %s (GS08 %s) is not supported for partner %s: no mapping for "
                 "it in x12: sets: of %s",
                 set->id, set->gs->version, p->name, p->file);
        return reject(c, rec, sr, why);
    }
    dg_map_x12_reader *reader = NULL;
    int rc = reader_for(c, row->mapping, &reader);
    if (rc)
        return rc;
    dg_store *st = c->g->store;
    if ((rc = dg_store_begin(st, c->reason)))
        return rc;
    dg_gw_stats before = c->g->stats;
    gw_doc_ctx d;
    memset(&d, 0, sizeof d);
    d.g = c->g;
    d.partner = p;
    d.remote_path = c->pk->remote_path;
    d.file_id = c->file_id;
    dg_error e = {0};
    rc = dg_map_x12_read_set(reader, set, gw_apply_doc, &d, &e);
    if (rc && d.flow_rc) {
        rc = d.flow_rc;
        e = d.flow_err;
    }
    if (!rc && d.n == 0)
        rc = dg_error_set(&e, DG_EMAP, "%s: no document in the set", row->mapping);
    if (rc) {
        dg_store_rollback(st);
        restore_counts(c->g, &before);
        if (rc != DG_EPARSE && rc != DG_EMAP && rc != DG_EVALID && rc != DG_EDUP) {
            *c->reason = e; /* ours (state store, configuration): the file stays for later */
            return rc;
        }
        c->refused = realloc(c->refused, (c->n_refused + 1) * sizeof *c->refused);
        if (!c->refused || !(c->refused[c->n_refused++] = strdup(e.msg)))
            abort();
        return reject(c, rec, sr, e.msg);
    }
    if ((rc = dg_store_x12set_record(st, rec, DG_X12SET_APPLIED, NULL, c->reason))) {
        dg_store_rollback(st);
        restore_counts(c->g, &before);
        return rc;
    }
    if ((rc = dg_store_commit(st, c->reason)))
        return rc;
    c->docs += d.n;
    c->o->sets_applied++;
    c->o->applied[ic]++;
    return 0;
}

static int on_set(void *ctx, const dg_x12_set *set)
{
    route_ctx *c = ctx;
    if (!set->isa || !set->gs)
        return 0; /* outside any group: the check rejected it, no 997 can name it */
    size_t ic = 0;
    dg_x12_group_result *gr = NULL;
    dg_x12_set_result *sr = find_result(c, set, &ic, &gr);
    if (!sr || ic >= c->o->n || !c->o->sender[ic] || c->o->duplicate[ic])
        return 0;
    const dg_gw_partner *p = c->o->sender[ic];
    c->o->sets++;
    char sender[40];
    sender_key(set->isa, sender, sizeof sender);
    dg_x12set_rec rec = {c->file_id,        set->n_segs ? set->segs[0].file_seg : 0,
                         p->name,           sender,
                         set->isa->control, set->gs->control,
                         set->control,      set->id,
                         set->gs->version};
    int rc;
    if (c->reprocess) {
        dg_x12set_state was = DG_X12SET_NONE;
        if ((rc = dg_store_x12set_state(c->g->store, c->file_id, rec.position, &was, c->reason)))
            return rc;
        if (was == DG_X12SET_APPLIED) {
            c->o->sets_applied++;
            c->o->sets_already++;
            c->o->applied[ic]++;
            return 0;
        }
    }
    if (!strcmp(set->id, "997") || !strcmp(set->id, "999")) {
        /* acknowledgments of what we sent: read after the pass (they are never acknowledged) */
        c->ack_sets++;
        c->o->sets_applied++;
        c->o->applied[ic]++;
        return dg_store_x12set_record(c->g->store, &rec, DG_X12SET_APPLIED, NULL, c->reason);
    }
    char why[600];
    const dg_x12_interchange_result *ir = &c->o->res->interchanges[ic];
    if (ir->rejected) {
        snprintf(why, sizeof why, "its interchange was rejected (TA1 %s: %s)", ir->ta1_code,
                 dg_x12_code_text(DG_X12_LEVEL_INTERCHANGE, ir->ta1_code));
        return reject(c, &rec, sr, why);
    }
    if (gr->status == 'R' && gr->n_codes) {
        snprintf(why, sizeof why, "its group was rejected (AK905 %s: %s)", gr->codes[0],
                 dg_x12_code_text(DG_X12_LEVEL_GROUP, gr->codes[0]));
        return reject(c, &rec, sr, why);
    }
    if (sr->status != 'A' && sr->status != 'E') {
        check_reason(c->o->res, sr, why, sizeof why);
        return reject(c, &rec, sr, why);
    }
    return apply_set(c, set, p, sr, &rec, ic);
}

/* 997s in the file mark the POs of their partner accepted or rejected. */
typedef struct acks_ctx {
    route_ctx *c;
    long groups;
} acks_ctx;

static int on_ack(void *ctx, const char *sender, const char *isa_control, const dg_flow_ack *ack,
                  dg_error *err)
{
    acks_ctx *a = ctx;
    route_ctx *c = a->c;
    const gw_x12_outcome *o = c->o;
    const dg_gw_partner *p = NULL;
    for (size_t ic = 0; ic < o->n && !p; ic++)
        if (o->sender[ic] && !o->duplicate[ic] &&
            !strcmp(o->res->interchanges[ic].isa.control, isa_control) &&
            !strcmp(o->res->interchanges[ic].isa.sender_id, sender))
            p = o->sender[ic];
    if (!p)
        return 0;
    dg_flow_ack_result res;
    memset(&res, 0, sizeof res);
    int rc = dg_flow_ingest_ack(c->g->store, p->name, ack, c->file_id, &res, err);
    if (rc)
        return rc;
    a->groups++;
    c->g->stats.acks_in++;
    dg_log_info("partner=%s file=%s doc=997 group=%s status=%s outcome=%s accepted=%zu "
                "rejected=%zu unknown=%zu",
                p->name, c->pk->remote_path, ack->group_control,
                ack->group_status ? ack->group_status : "?", dg_flow_outcome_name(res.outcome),
                res.accepted, res.rejected, res.unknown);
    return 0;
}

/* Duplicate ISA13s: remembered per sender for the partner's window; the TA1 answers 025. */
static int find_duplicates(route_ctx *c)
{
    gw_x12_outcome *o = c->o;
    int64_t now = dg_store_now(c->g->store);
    for (size_t ic = 0; ic < o->n; ic++) {
        dg_x12_interchange_result *ir = &o->res->interchanges[ic];
        if (!o->sender[ic])
            continue;
        char sender[40];
        sender_key(&ir->isa, sender, sizeof sender);
        int64_t fid = 0, at = 0;
        int rc = dg_store_interchange_find(c->g->store, sender, ir->isa.control,
                                           now - o->sender[ic]->x12_duplicate_window, c->file_id,
                                           &fid, &at, c->reason);
        if (rc)
            return rc;
        if (!fid)
            continue;
        o->duplicate[ic] = true;
        o->duplicates++;
        snprintf(ir->ta1_code, sizeof ir->ta1_code, "025"); /* duplicate interchange control */
        ir->rejected = true;
        char when[32];
        time_t t = (time_t)at;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%SZ", &tm);
        if (!o->note[0])
            snprintf(o->note, sizeof o->note,
                     "duplicate interchange: ISA13 %s from %s (partner %s) was already applied "
                     "on %s from file %lld; not applied again",
                     ir->isa.control, sender, o->sender[ic]->name, when, (long long)fid);
        dg_log_warn("partner=%s file=%s interchange=%s outcome=duplicate first_file=%lld at=%s",
                    o->sender[ic]->name, c->pk->remote_path, ir->isa.control, (long long)fid, when);
    }
    return 0;
}

static void route_ctx_free(route_ctx *c)
{
    for (size_t i = 0; i < c->n_readers; i++)
        dg_map_x12_reader_free(c->readers[i]);
    free(c->readers);
    free(c->maps);
    for (size_t i = 0; i < c->n_refused; i++)
        free(c->refused[i]);
    free(c->refused);
}

/* Inside the caller's transaction: checks the file, routes every interchange, applies its sets.
 * Returns 0 when at least one set was applied (or was, before a reprocess), else the error that
 * quarantines the file (o keeps the statuses its 997s need). */
static int route_file(dg_gw *g, const gw_pickup *pk, int64_t file_id, bool reprocess,
                      gw_x12_outcome *o, long *docs, dg_error *reason)
{
    const dg_x12_defs *defs = NULL;
    int rc = gw_x12_defs(g, &defs, reason);
    if (rc)
        return rc;
    if ((rc = dg_x12_check_file(defs, pk->spool_path, &o->res, reason)))
        return rc;
    dg_x12_file_result *r = o->res;
    if (r->not_x12)
        return dg_error_set(reason, DG_EPARSE, "%s: not X12: %s", pk->name, r->not_x12_msg);
    o->n = r->n_interchanges;
    o->sender = calloc(o->n + 1, sizeof *o->sender);
    o->duplicate = calloc(o->n + 1, sizeof *o->duplicate);
    o->applied = calloc(o->n + 1, sizeof *o->applied);
    if (!o->sender || !o->duplicate || !o->applied)
        abort();
    for (size_t ic = 0; ic < o->n; ic++)
        if (!(o->sender[ic] = route_sender(g, pk, r, ic, reason))) {
            memset(o->sender, 0, o->n * sizeof *o->sender); /* nothing applied, nobody answered */
            return DG_EVALID;
        }
    route_ctx c;
    memset(&c, 0, sizeof c);
    c.g = g;
    c.pk = pk;
    c.o = o;
    c.file_id = file_id;
    c.reprocess = reprocess;
    c.reason = reason;
    if ((rc = find_duplicates(&c)))
        return rc;
    if (o->duplicates == (long)o->n) {
        dg_error_set(reason, DG_EDUP, "%s: %s", pk->name, o->note);
        return DG_EDUP;
    }
    dg_x12_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.on_set = on_set;
    dg_error perr = {0};
    rc = dg_x12_parse_file(pk->spool_path, &cb, &c, &perr);
    if (rc && !reason->msg[0])
        *reason = perr;
    if (!rc && c.ack_sets) {
        acks_ctx a = {&c, 0};
        dg_error aerr = {0};
        rc = gw_ack_parse(pk->spool_path, on_ack, &a, &aerr);
        if (rc == DG_EVALID) /* no 997/999 group to read (e.g. only rejected sets) */
            rc = 0;
        else if (rc)
            *reason = aerr;
    }
    for (size_t i = 0; !rc && i < c.n_refused; i++)
        gw_ack_add_refused_detail(r, pk->spool_path, c.refused[i]);
    *docs = c.docs + c.ack_sets;
    route_ctx_free(&c);
    if (rc)
        return rc;
    regroup(r);
    if (o->sets_applied == 0) {
        reject_all(r);
        if (o->sets == 0 && !o->duplicates)
            return dg_error_set(reason, DG_EVALID, "%s: no transaction set in the file", pk->name);
        return dg_error_set(reason, DG_EVALID, "%s: no transaction set applied (%ld rejected): %s",
                            pk->name, o->sets_rejected, o->note);
    }
    return 0;
}

int gw_x12_queue_acks(dg_gw *g, const gw_pickup *pk, const gw_x12_outcome *o, dg_error *err)
{
    (void)pk;
    if (!o || !o->res || !o->n)
        return 0;
    const dg_x12_file_result *r = o->res;
    bool *keep = calloc(o->n, sizeof *keep), *ta1 = calloc(o->n, sizeof *ta1);
    if (!keep || !ta1)
        abort();
    int rc = 0;
    for (size_t first = 0; first < o->n && !rc; first++) {
        const dg_gw_partner *p = o->sender[first];
        bool seen = false;
        for (size_t k = 0; k < first && !seen; k++)
            seen = o->sender[k] == p;
        if (!p || seen)
            continue;
        /* One answer per sender: its interchanges' groups (FA groups left out), and a TA1 025
         * for a duplicate only when that interchange asked for a TA1 (ISA14 = 1). */
        bool any = false;
        for (size_t ic = 0; ic < o->n; ic++) {
            const dg_x12_interchange_result *ir = &r->interchanges[ic];
            bool asked = !strcmp(ir->isa.ack_requested, "1");
            keep[ic] = o->sender[ic] == p && (!o->duplicate[ic] || asked);
            ta1[ic] = o->duplicate[ic];
            if (!keep[ic])
                continue;
            if (o->duplicate[ic] || asked || ir->rejected)
                any = true;
            for (size_t i = 0; i < r->n_groups && !any; i++)
                any = r->groups[i].interchange == ic && strcmp(r->groups[i].gs.functional_id, "FA");
        }
        if (!any)
            continue; /* only acknowledgments from it: nothing to answer */
        dg_x12_file_result *sub = gw_ack_subset(r, keep, ta1);
        rc = gw_queue_ack_result(g, p, sub, sub->n_groups ? "997" : "TA1", err);
        gw_ack_subset_free(sub);
    }
    free(keep);
    free(ta1);
    return rc;
}

static int record_interchanges(dg_gw *g, const gw_x12_outcome *o, int64_t file_id, dg_error *err)
{
    for (size_t ic = 0; ic < o->n; ic++) {
        if (!o->sender[ic] || o->duplicate[ic] || !o->applied[ic])
            continue;
        char sender[40];
        sender_key(&o->res->interchanges[ic].isa, sender, sizeof sender);
        int rc = dg_store_interchange_add(g->store, sender, o->res->interchanges[ic].isa.control,
                                          file_id, err);
        if (rc)
            return rc;
    }
    return 0;
}

static void partial_reason(const gw_x12_outcome *o, char *out, size_t size)
{
    snprintf(out, size, "%ld of %ld transaction set(s) applied%s; %s", o->sets_applied, o->sets,
             o->duplicates ? " (duplicate interchanges skipped)" : "", o->note);
}

int gw_ingest_x12(dg_gw *g, const gw_pickup *pk, int *docs, dg_error *reason)
{
    gw_x12_outcome local;
    memset(&local, 0, sizeof local);
    gw_x12_outcome *o = pk->x12 ? pk->x12 : &local;
    gw_x12_outcome_clear(o);
    *docs = 0;
    int rc = dg_store_begin(g->store, reason);
    if (rc)
        return rc;
    dg_gw_stats before = g->stats;
    int64_t file_id = 0, pickup_id = 0;
    dg_pickup_key k = {pk->partner->name, pk->remote_path, pk->size, pk->mtime, pk->sha256};
    long n = 0;
    rc = dg_store_file_add(g->store, pk->sha256, pk->partner->name, "in", pk->name, pk->size,
                           &file_id, reason);
    if (!rc)
        rc = route_file(g, pk, file_id, false, o, &n, reason);
    if (!rc)
        rc = record_interchanges(g, o, file_id, reason);
    /* The 997s leave in the same transaction as what the sets became. */
    if (!rc && pk->drop->ack && !(rc = gw_x12_queue_acks(g, pk, o, reason)))
        rc = gw_sync_local(g, reason);
    bool partial = o->sets_rejected > 0 || o->duplicates > 0;
    char why[1000] = "";
    if (!rc && partial)
        partial_reason(o, why, sizeof why);
    if (!rc)
        rc = dg_store_pickup_record(g->store, &k, partial ? DG_PICKUP_PARTIAL : DG_PICKUP_DONE,
                                    partial ? why : NULL, NULL, file_id, &pickup_id, reason);
    if (!rc)
        rc = dg_store_commit(g->store, reason);
    else
        dg_store_rollback(g->store);
    if (rc)
        restore_counts(g, &before);
    else if (partial)
        dg_log_warn("partner=%s file=%s outcome=partial file_id=%lld reason=\"%s\"",
                    pk->partner->name, pk->remote_path, (long long)file_id, why);
    *docs = (int)n;
    if (o == &local)
        gw_x12_outcome_clear(&local);
    return rc;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The type: x12 drop of p that remote path came through. */
static const dg_gw_drop *drop_of(const dg_gw_partner *p, const char *path)
{
    size_t dir = (size_t)(base_name(path) - path);
    for (size_t i = 0; i < p->n_drops; i++) {
        const dg_gw_drop *d = &p->drops[i];
        if (!d->route_x12)
            continue;
        bool here = !strcmp(d->folder, ".") || !*d->folder
                        ? dir == 0
                        : dir == strlen(d->folder) + 1 && !strncmp(path, d->folder, dir - 1);
        if (here)
            return d;
    }
    return NULL;
}

int dg_gw_reprocess_x12(dg_gw *g, int64_t file_id, dg_gw_reprocess_result *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    dg_pickup_row row;
    int rc = dg_store_pickup_by_file(g->store, file_id, &row, err);
    if (rc)
        return rc;
    const dg_gw_partner *p = dg_gw_config_partner(g->cfg, row.partner);
    const dg_gw_drop *d = p ? drop_of(p, row.path) : NULL;
    if (!p || !d) {
        rc = dg_error_set(err, DG_EINVAL,
                          "file %lld (%s/%s) did not come through a type: x12 drop of a "
                          "configured partner: reprocess takes X12 files routed by envelope",
                          (long long)file_id, row.partner, row.path);
        dg_store_pickup_row_clear(&row);
        return rc;
    }
    char archived[1400];
    snprintf(archived, sizeof archived, "%s/%.2s/%s", g->cfg->archive_dir, row.sha256, row.sha256);
    gw_x12_outcome o;
    memset(&o, 0, sizeof o);
    gw_pickup pk = {.partner = p,
                    .drop = d,
                    .remote_path = row.path,
                    .name = base_name(row.path),
                    .size = row.size,
                    .mtime = row.mtime,
                    .spool_path = archived,
                    .x12 = &o};
    snprintf(pk.sha256, sizeof pk.sha256, "%s", row.sha256);
    long n = 0;
    dg_gw_stats before = g->stats;
    if (!(rc = dg_store_begin(g->store, err))) {
        rc = route_file(g, &pk, file_id, true, &o, &n, err);
        if (!rc)
            rc = record_interchanges(g, &o, file_id, err);
        bool partial = o.sets_rejected > 0 || o.duplicates > 0;
        char why[1000] = "";
        if (partial)
            partial_reason(&o, why, sizeof why);
        out->state = partial ? "PARTIAL" : "DONE";
        if (!rc)
            rc = dg_store_pickup_set_state(g->store, row.id,
                                           partial ? DG_PICKUP_PARTIAL : DG_PICKUP_DONE,
                                           partial ? why : NULL, err);
        if (!rc)
            rc = dg_store_commit(g->store, err);
        else
            dg_store_rollback(g->store);
    }
    if (rc) {
        restore_counts(g, &before);
        out->state = row.state == DG_PICKUP_PARTIAL ? "PARTIAL"
                     : row.state == DG_PICKUP_DONE  ? "DONE"
                                                    : "QUARANTINED";
    }
    out->sets = o.sets;
    out->applied_before = o.sets_already;
    out->applied_now = rc ? 0 : o.sets_applied - o.sets_already;
    out->rejected = o.sets_rejected;
    snprintf(out->note, sizeof out->note, "%s", o.note);
    dg_log_info("file_id=%lld partner=%s file=%s outcome=reprocessed applied_now=%ld "
                "applied_before=%ld rejected=%ld state=%s",
                (long long)file_id, p->name, row.path, out->applied_now, out->applied_before,
                out->rejected, out->state);
    gw_x12_outcome_clear(&o);
    dg_store_pickup_row_clear(&row);
    return rc;
}
