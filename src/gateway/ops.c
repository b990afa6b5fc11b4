/* Operator actions on supplier POs and received files (issue 12): hold and release a PO, send a
 * PO's file again (same name and bytes, or rendered again with new control numbers), and run a
 * received file again after a mapping or configuration fix. Each action is recorded with who,
 * when and why (dg_store_action_add) in the same transaction as what it changed. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "flow/flow.h"
#include "gateway/gw_internal.h"
#include "store/store.h"

static void fill(dg_gw_po_action *out, const char *po_number, const dg_store_po_op *op)
{
    snprintf(out->po_number, sizeof out->po_number, "%s", po_number);
    snprintf(out->supplier, sizeof out->supplier, "%s", op->supplier);
    snprintf(out->status, sizeof out->status, "%s", op->status);
    out->was_held = op->op_held;
    out->validation_held = op->validation_held;
}

int dg_gw_po_hold(dg_store *s, const char *po_number, bool hold, const char *actor,
                  const char *reason, dg_gw_po_action *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    dg_store_po_op op;
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    if ((rc = dg_store_po_ops(s, po_number, &op, err)))
        goto fail;
    fill(out, po_number, &op);
    if (!hold && !op.op_held) {
        rc = dg_error_set(err, DG_EINVAL, "PO %s is not held by an operator%s", po_number,
                          op.validation_held ? " (it is held because its file does not validate: "
                                               "fix the mapping or data, the next cycle retries)"
                                             : "");
        goto fail;
    }
    if (hold && !strcmp(op.outbox_state, "SENT"))
        snprintf(out->note, sizeof out->note,
                 "already sent: the hold stops resends until it is released");
    else if (hold && op.outbox_id)
        snprintf(out->note, sizeof out->note, "queued, not sent: it stays unsent until released");
    else if (hold)
        snprintf(out->note, sizeof out->note,
                 "not rendered yet: it may be rendered, but is not sent until released");
    else
        snprintf(out->note, sizeof out->note, "the next cycle sends what is pending for it");
    char detail[700];
    snprintf(detail, sizeof detail, "status=%s outbox=%s%s%s", op.status,
             op.outbox_id ? op.outbox_state : "none",
             hold ? "" : " held_by=", hold ? "" : op.op_hold_by);
    if ((rc = dg_store_po_op_hold(s, po_number, actor, reason, hold, err)) ||
        (rc = dg_store_action_add(s, hold ? "hold" : "release", "po", po_number, actor, reason,
                                  detail, err)))
        goto fail;
    if ((rc = dg_store_commit(s, err)))
        return rc;
    dg_log_info("po=%s supplier=%s outcome=%s by=%s reason=\"%s\"", po_number, op.supplier,
                hold ? "operator-hold" : "operator-release", actor, reason ? reason : "");
    return 0;
fail:
    dg_store_rollback(s);
    return rc;
}

int dg_gw_po_resend_same(dg_store *s, const char *po_number, bool whole_file, const char *actor,
                         const char *reason, dg_gw_po_action *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    dg_store_po_op op;
    int rc = dg_store_begin(s, err);
    if (rc)
        return rc;
    if ((rc = dg_store_po_ops(s, po_number, &op, err)))
        goto fail;
    fill(out, po_number, &op);
    if (op.op_held) {
        rc = dg_error_set(err, DG_EINVAL, "PO %s is held by %s (%s): release it first", po_number,
                          op.op_hold_by, op.op_hold_reason);
        goto fail;
    }
    if (!op.outbox_id) {
        rc = dg_error_set(err, DG_EINVAL,
                          "PO %s was never queued (status %s%s): nothing to send "
                          "again",
                          po_number, op.status,
                          op.validation_held ? ", held: its file does not validate" : "");
        goto fail;
    }
    dg_outbox_entry e;
    memset(&e, 0, sizeof e);
    int64_t n_pos = 0;
    if ((rc = dg_store_outbox_get(s, op.outbox_id, &e, err)) ||
        (rc = dg_store_outbox_pos(s, op.outbox_id, &n_pos, err)))
        goto fail;
    snprintf(out->file, sizeof out->file, "%s", e.file_name);
    if (n_pos > 1 && !whole_file) {
        /* The partner would get the other POs of the file a second time. */
        rc = dg_error_set(err, DG_EINVAL,
                          "PO %s was sent in %s with %lld other PO(s) (outbound po_per_file): "
                          "sending that file again sends them all again. Use "
                          "--new-control-numbers to send PO %s alone in a new file (X12), or "
                          "--whole-file to send %s again as it is",
                          po_number, e.file_name, (long long)(n_pos - 1), po_number, e.file_name);
        dg_store_outbox_entry_clear(&e);
        goto fail;
    }
    char detail[400];
    snprintf(detail, sizeof detail, "file=%s sha256=%s outbox=%lld pos=%lld", e.file_name,
             e.content_sha256 ? e.content_sha256 : "", (long long)op.outbox_id,
             (long long)(n_pos > 0 ? n_pos : 1));
    dg_store_outbox_entry_clear(&e);
    if ((rc = dg_store_outbox_resend(s, op.outbox_id, err)) ||
        (rc = dg_store_action_add(s, "resend", "po", po_number, actor, reason, detail, err)))
        goto fail;
    if ((rc = dg_store_commit(s, err)))
        return rc;
    if (n_pos > 1)
        snprintf(out->note, sizeof out->note,
                 "queued again with the %lld POs it carries: the next cycle uploads it once",
                 (long long)n_pos);
    else
        snprintf(out->note, sizeof out->note, "queued again: the next cycle uploads it once");
    dg_log_info("po=%s supplier=%s file=%s outcome=resend-queued by=%s", po_number, op.supplier,
                out->file, actor);
    return 0;
fail:
    dg_store_rollback(s);
    return rc;
}

int dg_gw_po_resend_new(dg_gw *g, const char *po_number, const char *actor, const char *reason,
                        dg_gw_po_action *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    dg_store_po_op op;
    int rc = dg_store_po_ops(g->store, po_number, &op, err);
    if (rc)
        return rc;
    fill(out, po_number, &op);
    if (op.op_held)
        return dg_error_set(err, DG_EINVAL, "PO %s is held by %s (%s): release it first", po_number,
                            op.op_hold_by, op.op_hold_reason);
    if (!op.outbox_id)
        return dg_error_set(err, DG_EINVAL,
                            "PO %s was never queued (status %s): the next cycle renders it",
                            po_number, op.status);
    const dg_gw_partner *p = dg_gw_config_partner(g->cfg, op.supplier);
    if (!p || !p->out.po_mapping)
        return dg_error_set(err, DG_ECONFIG,
                            "PO %s: supplier %s has no partner file with an "
                            "outbound po_mapping",
                            po_number, op.supplier);
    dg_flow_po *po = NULL;
    if ((rc = dg_flow_po_load(g->store, po_number, &po, err)))
        return rc;
    rc = gw_requeue_po(g, p, po, actor, reason, out->file, sizeof out->file, err);
    dg_flow_pos_free(po, 1);
    if (!rc)
        snprintf(out->note, sizeof out->note,
                 "rendered again with new control numbers: the next cycle uploads it");
    return rc;
}

/* ---- reprocess ------------------------------------------------------------------------------ */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The drop of p that remote path came through: its folder, and its globs select the name. */
static const dg_gw_drop *drop_of(const dg_gw_partner *p, const char *path)
{
    const char *name = base_name(path);
    size_t dir = (size_t)(name - path);
    for (size_t i = 0; i < p->n_drops; i++) {
        const dg_gw_drop *d = &p->drops[i];
        bool here = !strcmp(d->folder, ".") || !*d->folder
                        ? dir == 0
                        : dir == strlen(d->folder) + 1 && !strncmp(path, d->folder, dir - 1);
        if (here && (d->route_x12 || dg_gw_glob_selected(d, name)))
            return d;
    }
    return NULL;
}

static const char *state_name(dg_pickup_state s)
{
    return s == DG_PICKUP_DONE          ? "DONE"
           : s == DG_PICKUP_PARTIAL     ? "PARTIAL"
           : s == DG_PICKUP_QUARANTINED ? "QUARANTINED"
                                        : "NEW";
}

/* A file of a documents (CSV/XML/X12-with-mapping) or acks drop, mapped again from its archived
 * copy as a poll would: the whole file in one transaction; documents recorded from it before are
 * found by their (file, position, content) key and not applied again. */
static int reprocess_docs(dg_gw *g, const dg_pickup_row *row, const dg_gw_partner *p,
                          const dg_gw_drop *d, const char *archived, dg_gw_reprocess_result *out,
                          dg_error *err)
{
    long before = 0, after = 0;
    int rc = dg_store_file_documents(g->store, row->file_id, &before, err);
    if (rc)
        return rc;
    gw_x12_outcome o;
    memset(&o, 0, sizeof o);
    gw_pickup pk = {.partner = p,
                    .drop = d,
                    .remote_path = row->path,
                    .name = base_name(row->path),
                    .size = row->size,
                    .mtime = row->mtime,
                    .spool_path = archived,
                    .x12 = &o};
    snprintf(pk.sha256, sizeof pk.sha256, "%s", row->sha256);
    int docs = 0;
    dg_error why = {0};
    rc = gw_ingest(g, &pk, &docs, &why);
    gw_x12_outcome_clear(&o);
    out->x12 = false;
    if (rc == DG_EPARSE || rc == DG_EMAP || rc == DG_EVALID || rc == DG_EDUP) {
        out->state = state_name(row->state); /* nothing was applied: as it was */
        out->rejected = 1;
        snprintf(out->note, sizeof out->note, "%s", why.msg);
        return 0;
    }
    if (rc) {
        *err = why;
        return rc;
    }
    if ((rc = dg_store_file_documents(g->store, row->file_id, &after, err)))
        return rc;
    out->state = "DONE";
    out->sets = docs;
    out->applied_now = after - before;
    out->applied_before = docs - out->applied_now;
    return 0;
}

int dg_gw_reprocess(dg_gw *g, int64_t file_id, const char *actor, const char *reason,
                    dg_gw_reprocess_result *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    dg_pickup_row row;
    int rc = dg_store_pickup_by_file(g->store, file_id, &row, err);
    if (rc)
        return rc == DG_ENOTFOUND ? dg_error_set(err, DG_ENOTFOUND,
                                                 "file %lld: no received file with this id "
                                                 "(dropgate search NAME shows file ids)",
                                                 (long long)file_id)
                                  : rc;
    const dg_gw_partner *p = dg_gw_config_partner(g->cfg, row.partner);
    const dg_gw_drop *d = p ? drop_of(p, row.path) : NULL;
    char archived[1400];
    snprintf(archived, sizeof archived, "%s/%.2s/%s", g->cfg->archive_dir, row.sha256, row.sha256);
    const char *before = state_name(row.state);
    if (!p || !d)
        rc = dg_error_set(err, DG_EINVAL,
                          "file %lld (%s/%s): %s; reprocess runs a file through the drop it came "
                          "from",
                          (long long)file_id, row.partner, row.path,
                          p ? "no configured drop of this partner takes it any more"
                            : "no such partner in the configuration");
    else if (access(archived, R_OK) != 0)
        rc = dg_error_set(err, DG_ENOTFOUND, "file %lld (%s/%s): archived copy %s is missing",
                          (long long)file_id, row.partner, row.path, archived);
    else if (d->route_x12) {
        rc = dg_gw_reprocess_x12(g, file_id, out, err);
        out->x12 = true;
    } else
        rc = reprocess_docs(g, &row, p, d, archived, out, err);
    if (rc == DG_EVALID || rc == DG_EDUP) { /* the X12 check still rejects it */
        out->rejected = out->rejected ? out->rejected : 1;
        if (!out->note[0])
            snprintf(out->note, sizeof out->note, "%s", err->msg);
        rc = 0;
    }
    if (!rc) {
        /* The lineage: this run is a child row of the file, with what it applied. */
        dg_store_reprocess r = {
            file_id,   row.id, before, out->state, out->applied_now, out->applied_before,
            out->note, actor};
        char detail[300];
        snprintf(detail, sizeof detail, "state %s -> %s, applied now %ld, before %ld, rejected %ld",
                 before, out->state, out->applied_now, out->applied_before, out->rejected);
        char target[32];
        snprintf(target, sizeof target, "%lld", (long long)file_id);
        if (!(rc = dg_store_begin(g->store, err))) {
            if ((rc = dg_store_reprocess_add(g->store, &r, err)) ||
                (rc = dg_store_action_add(g->store, "reprocess", "file", target, actor, reason,
                                          detail, err)))
                dg_store_rollback(g->store);
            else
                rc = dg_store_commit(g->store, err);
        }
        if (!out->x12)
            dg_log_info("file_id=%lld partner=%s file=%s outcome=reprocessed applied_now=%ld "
                        "applied_before=%ld rejected=%ld state=%s by=%s",
                        (long long)file_id, row.partner, row.path, out->applied_now,
                        out->applied_before, out->rejected, out->state, actor);
    }
    dg_store_pickup_row_clear(&row);
    return rc;
}

int dg_gw_quarantined(dg_gw *g, const char *partner, int64_t **ids, size_t *n, dg_error *err)
{
    dg_partial_file *rows = NULL;
    *ids = NULL;
    int rc = dg_store_quarantined_files(g->store, partner, &rows, n, err);
    if (rc)
        return rc;
    *ids = calloc(*n ? *n : 1, sizeof **ids);
    if (!*ids)
        abort();
    for (size_t i = 0; i < *n; i++)
        (*ids)[i] = rows[i].file_id;
    free(rows);
    return 0;
}

static json_t *result_json(int64_t id, const dg_gw_reprocess_result *r)
{
    return json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:s}", "file_id", (json_int_t)id, "state",
                     r->state ? r->state : "", "counts", r->x12 ? "sets" : "documents", "total",
                     (json_int_t)r->sets, "applied_now", (json_int_t)r->applied_now,
                     "applied_before", (json_int_t)r->applied_before, "rejected",
                     (json_int_t)r->rejected, "note", r->note);
}

int dg_gw_reprocess_report(dg_gw *g, int64_t file_id, const char *partner, const char *actor,
                           const char *reason, bool as_json, dg_buf *out, dg_buf *errs)
{
    bool all_quarantined = file_id <= 0;
    int64_t one = file_id, *ids = &one;
    size_t n = 1;
    dg_error err = {0};
    int status = 0;
    if (all_quarantined && dg_gw_quarantined(g, partner, &ids, &n, &err)) {
        dg_buf_printf(errs, "dropgate reprocess: %s\n", err.msg);
        ids = NULL;
        n = 0;
        status = 2;
    }
    json_t *all = json_array();
    for (size_t i = 0; i < n && !dg_gw_stop_requested; i++) {
        dg_gw_reprocess_result r;
        dg_error e = {0};
        int rc = dg_gw_reprocess(g, ids[i], actor, reason, &r, &e);
        if (rc) {
            dg_buf_printf(errs, "dropgate reprocess: %s\n", e.msg);
            int s = rc == DG_EINVAL ? 1 : 2;
            status = s > status ? s : status;
            json_array_append_new(
                all, json_pack("{s:I, s:s}", "file_id", (json_int_t)ids[i], "error", e.msg));
            continue;
        }
        if (r.rejected && status < 1)
            status = 1;
        json_array_append_new(all, result_json(ids[i], &r));
        if (!as_json)
            dg_buf_printf(out,
                          "file %lld: %ld %s: %ld applied now, %ld applied before, %ld still "
                          "rejected; state %s%s%s\n",
                          (long long)ids[i], r.sets, r.x12 ? "set(s)" : "document(s)",
                          r.applied_now, r.applied_before, r.rejected, r.state,
                          r.note[0] ? "; " : "", r.note);
    }
    if (as_json) {
        char *text = json_dumps(all_quarantined ? all : json_array_get(all, 0),
                                JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        dg_buf_printf(out, "%s\n", text ? text : "null");
        free(text);
    } else if (all_quarantined && n == 0 && !status) {
        dg_buf_printf(out, "no quarantined file to reprocess%s%s\n", partner ? " for " : "",
                      partner ? partner : "");
    }
    json_decref(all);
    if (ids != &one)
        free(ids);
    return status;
}
