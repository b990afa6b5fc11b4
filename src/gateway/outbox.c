/* The outbox: what the flow has pending for a partner (supplier POs, storefront tracking, 997s)
 * is rendered once into var/outbox/<partner>/<name> and recorded in the same transaction that
 * takes its control numbers; then every unsent entry is uploaded and marked sent only after the
 * transport confirmed the upload. A retry uploads the SAME file (name and bytes) again. */
#define _GNU_SOURCE /* syncfs */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fs.h"
#include "core/log.h"
#include "flow/flow.h"
#include "gateway/gw_internal.h"
#include "store/store.h"
#include "x12/validate.h"

/* Keeps only characters that are safe in a file name on any partner's server. */
static void safe_name(const char *in, char *out, size_t size)
{
    size_t j = 0;
    for (size_t i = 0; in && in[i] && j + 1 < size; i++) {
        char c = in[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '-' || c == '_';
        out[j++] = ok ? c : '_';
    }
    out[j] = '\0';
}

/* A one-to-one name part: the raw text when every character is safe, else its safe form plus a
 * short hash of the raw text, so "A/1" and "A_1" never share a file name. */
static void unique_name(const char *in, char *out, size_t size)
{
    char safe[160];
    safe_name(in, safe, sizeof safe);
    if (in && !strcmp(safe, in)) {
        snprintf(out, size, "%s", safe);
        return;
    }
    char h[DG_SHA256_HEX_LEN];
    dg_sha256_hex(in ? in : "", in ? strlen(in) : 0, h);
    snprintf(out, size, "%s_%.8s", safe, h);
}

/* The temporary name of path while its entry is not committed. */
static void tmp_name(const char *path, char *tmp, size_t size)
{
    snprintf(tmp, size, "%s.tmp.%ld", path, (long)getpid());
}

/* Writes tmp only (no fsync): the caller renames it to its final name once the store entry that
 * names it is committed, so a rolled-back entry never leaves a final file behind. */
static int write_tmp(const char *tmp, const void *data, size_t len, dg_error *err)
{
    /* A stale tmp may be a second name of an archive copy (stage_po_file): never truncate it,
     * start a new file. */
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0)
        return dg_error_set(err, DG_EIO, "cannot create '%s': %s", tmp, strerror(errno));
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return dg_error_set(err, DG_EIO, "cannot write '%s': %s", tmp, strerror(e));
        }
        p += w;
        left -= (size_t)w;
    }
    if (close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return dg_error_set(err, DG_EIO, "cannot write '%s': %s", tmp, strerror(e));
    }
    return 0;
}

/* After the commit: the staged file takes its final name. A failure (or a crash before it) is
 * harmless: upload() sends the archived copy, checked against the recorded SHA-256. */
static void publish(const char *tmp, const char *path)
{
    if (rename(tmp, path) != 0) {
        dg_log_warn("file=%s outcome=rename-failed reason=\"%s\" (the archived copy is sent)", path,
                    strerror(errno));
        unlink(tmp);
    }
}

/* tmp + rename without fsync: the caller makes a whole batch durable with gw_sync_local before
 * the commit that records it (one sync per batch instead of four per file). */
static int write_nosync(const char *path, const void *data, size_t len, dg_error *err)
{
    char tmp[1500];
    tmp_name(path, tmp, sizeof tmp);
    int rc = write_tmp(tmp, data, len, err);
    if (rc)
        return rc;
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return dg_error_set(err, DG_EIO, "cannot write '%s': %s", path, strerror(e));
    }
    return 0;
}

int gw_sync_local(dg_gw *g, dg_error *err)
{
    const char *dirs[] = {g->cfg->outbox_dir, g->cfg->archive_dir};
    for (size_t i = 0; i < 2; i++) {
        int fd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || syncfs(fd) != 0) {
            int e = errno;
            if (fd >= 0)
                close(fd);
            return dg_error_set(err, DG_EIO, "%s: cannot sync: %s", dirs[i], strerror(e));
        }
        close(fd);
    }
    return 0;
}

/* The outbox path of name and the SHA-256 of the rendered bytes; nothing is written yet (the
 * caller reserves the name in the store first). */
static int local_path(dg_gw *g, const dg_gw_partner *p, const char *name, const dg_buf *b,
                      char *path, size_t size, char sha[DG_SHA256_HEX_LEN], dg_error *err)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", g->cfg->outbox_dir, p->name);
    int rc = dg_fs_mkdirs(dir, err);
    if (rc)
        return rc;
    snprintf(path, size, "%s/%s", dir, name);
    dg_sha256_hex(b->data ? b->data : "", b->len, sha);
    return 0;
}

/* The content-addressed archive copy (harmless when its entry is rolled back) and its record;
 * inside the caller's transaction, which records the outbox entry after gw_sync_local. */
static int put_archive(dg_gw *g, const dg_gw_partner *p, const char *name, const dg_buf *b,
                       const char sha[DG_SHA256_HEX_LEN], dg_error *err)
{
    char adir[1100], apath[1300];
    const char *data = b->data ? b->data : "";
    snprintf(adir, sizeof adir, "%s/%.2s", g->cfg->archive_dir, sha);
    snprintf(apath, sizeof apath, "%s/%s", adir, sha);
    int64_t file_id = 0;
    int rc = 0;
    if (!dg_fs_exists(apath) &&
        ((rc = dg_fs_mkdirs(adir, err)) || (rc = write_nosync(apath, data, b->len, err))))
        return rc;
    return dg_store_file_add(g->store, sha, p->name, "out", name, b->len, &file_id, err);
}

/* The outbox file of a PO staged as a second name (hard link) of its archive copy, which
 * put_archive wrote just before: the same bytes (checked against the recorded SHA-256 before
 * every upload), one file fewer to create and write per PO. Nothing writes either name in
 * place (write_tmp unlinks first; a resend writes a new file and renames it). Where no link can
 * be made (outbox and archive on different file systems) it is a copy. */
static int stage_po_file(dg_gw *g, const char sha[DG_SHA256_HEX_LEN], const char *tmp,
                         const dg_buf *b, dg_error *err)
{
    char apath[1300];
    snprintf(apath, sizeof apath, "%s/%.2s/%s", g->cfg->archive_dir, sha, sha);
    unlink(tmp);
    if (link(apath, tmp) == 0)
        return 0;
    return write_tmp(tmp, b->data ? b->data : "", b->len, err);
}

typedef struct controls {
    int64_t isa, gs, st;
    char isa_s[16], gs_s[16], st_s[16];
} controls;

/* The next ISA13/GS06 and n_sets ST02 numbers (c->st the first) of partner. */
static int take_controls_n(dg_gw *g, const dg_gw_partner *p, size_t n_sets, controls *c,
                           dg_error *err)
{
    int64_t v[3];
    int rc = dg_store_next_controls_n(g->store, p->name, (int64_t)n_sets, v, err);
    if (rc)
        return rc;
    c->isa = v[DG_CTL_INTERCHANGE];
    c->gs = v[DG_CTL_GROUP];
    c->st = v[DG_CTL_SET];
    snprintf(c->isa_s, sizeof c->isa_s, "%09lld", (long long)c->isa);
    snprintf(c->gs_s, sizeof c->gs_s, "%lld", (long long)c->gs);
    snprintf(c->st_s, sizeof c->st_s, "%04lld", (long long)c->st);
    return 0;
}

static int take_controls(dg_gw *g, const dg_gw_partner *p, controls *c, dg_error *err)
{
    return take_controls_n(g, p, 1, c, err);
}

static dg_map_envelope envelope(const dg_gw *g, const dg_gw_partner *p, const controls *c)
{
    dg_map_envelope e;
    memset(&e, 0, sizeof e);
    e.sender_qualifier = g->cfg->our_qualifier;
    e.sender_id = g->cfg->our_id;
    e.receiver_qualifier = p->x12_qualifier ? p->x12_qualifier : "ZZ";
    e.receiver_id = p->x12_id ? p->x12_id : p->name;
    e.interchange_control = (long)c->isa;
    e.group_control = (long)c->gs;
    e.first_set_control = (long)c->st;
    e.test = g->cfg->x12_test || p->test;
    return e;
}

/* Whether b validates against edi/; why says what the validator found first. */
static bool valid_x12(dg_gw *g, const dg_buf *b, dg_error *why)
{
    const dg_x12_defs *defs = NULL;
    dg_x12_file_result *r = NULL;
    if (gw_x12_defs(g, &defs, why) ||
        dg_x12_check_mem(defs, b->data ? b->data : "", b->len, "997", &r, why))
        return false;
    bool ok = !r->rejected;
    for (size_t i = 0; !ok && i < r->n_problems; i++)
        if (!r->problems[i].warning) {
            dg_error_set(why, DG_EVALID, "%s: %s", r->problems[i].seg_id, r->problems[i].msg);
            break;
        }
    dg_x12_file_result_free(r);
    return ok;
}

/* How an acknowledgment is rendered once its control numbers are taken. */
typedef struct ack_src {
    const gw_pickup *pk; /* built from the received file ... */
    bool rejected;
    const char *reason;
    const dg_x12_file_result *res; /* ... or from a result routing already amended */
} ack_src;

static int queue_ack(dg_gw *g, const dg_gw_partner *p, const char *prefix, const ack_src *src,
                     dg_error *err)
{
    controls c;
    int rc = take_controls(g, p, &c, err);
    if (rc)
        return rc;
    gw_ack_env env = {g->cfg->our_qualifier,
                      g->cfg->our_id,
                      p->x12_qualifier ? p->x12_qualifier : "ZZ",
                      p->x12_id ? p->x12_id : p->name,
                      c.isa_s,
                      c.gs_s,
                      c.st_s,
                      g->cfg->x12_test || p->test,
                      false};
    /* x12: ack: 999 answers with a 999 (a TA1 alone stays a TA1) */
    if (p->x12_ack == 999 && strcmp(prefix, "TA1")) {
        env.ack_999 = true;
        prefix = "999";
    }
    dg_buf b = DG_BUF_INIT;
    if (src->res)
        rc = gw_ack_build_result(src->res, &env, &b, err);
    else if (src->rejected)
        rc = gw_ack_build_rejected(g, src->pk->spool_path, src->reason, &env, &b, err);
    else
        rc = gw_ack_build(g, src->pk->spool_path, &env, &b, err);
    if (rc) {
        dg_buf_free(&b);
        return rc;
    }
    /* Our own acknowledgment passes the validator too. One that does not is a dropgate bug:
     * it is not sent (the partner's file is still applied), and the log says why. */
    dg_error why = {0};
    if (!valid_x12(g, &b, &why)) {
        g->stats.send_failed++;
        dg_log_error("partner=%s file=%s outcome=ack-held reason=\"%s\" (the %s is not sent)",
                     p->name, src->pk ? src->pk->name : prefix, why.msg, prefix);
        dg_buf_free(&b);
        return 0;
    }
    char name[128], path[1400], sha[DG_SHA256_HEX_LEN];
    int64_t id = 0;
    bool existed = true;
    /* The name is reserved in the store before the file is written. After the control numbers
     * wrapped, an older entry may hold 997_<ISA13>.edi: it keeps its file, this one gets a
     * suffix (never overwritten, never dropped as "already queued"). */
    for (int k = 1; !rc && existed && k <= 100; k++) {
        if (k == 1)
            snprintf(name, sizeof name, "%s_%s.edi", prefix, c.isa_s);
        else
            snprintf(name, sizeof name, "%s_%s_%d.edi", prefix, c.isa_s, k);
        existed = false;
        if (!(rc = local_path(g, p, name, &b, path, sizeof path, sha, err)))
            rc = dg_store_outbox_add(g->store, p->name, "ack", c.isa_s, name, sha, path, &id,
                                     &existed, err);
    }
    if (!rc && existed)
        rc = dg_error_set(err, DG_EDUP, "%s %s: no free outbox file name", prefix, c.isa_s);
    if (!rc && !(rc = put_archive(g, p, name, &b, sha, err)))
        rc = write_nosync(path, b.data ? b.data : "", b.len, err);
    dg_buf_free(&b);
    return rc;
}

int gw_queue_997(dg_gw *g, const dg_gw_partner *p, const gw_pickup *pk, dg_error *err)
{
    ack_src src = {pk, false, NULL, NULL};
    return queue_ack(g, p, "997", &src, err);
}

int gw_queue_997_rejected(dg_gw *g, const dg_gw_partner *p, const gw_pickup *pk, const char *reason,
                          dg_error *err)
{
    ack_src src = {pk, true, reason, NULL};
    return queue_ack(g, p, "997", &src, err);
}

int gw_queue_ack_result(dg_gw *g, const dg_gw_partner *p, const dg_x12_file_result *res,
                        const char *prefix, dg_error *err)
{
    ack_src src = {NULL, false, NULL, res};
    return queue_ack(g, p, prefix, &src, err);
}

bool gw_drop_takes(const dg_gw_drop *d, const dg_gw_partner *owner, const dg_gw_partner *p)
{
    if (!d->route_x12)
        return false;
    if (d->senders_any)
        return true;
    if (!d->n_senders)
        return owner == p || !strcmp(owner->name, p->name);
    for (size_t i = 0; i < d->n_senders; i++)
        if (!strcmp(d->senders[i], p->name))
            return true;
    return false;
}

bool gw_partner_sends_acks(const dg_gw_config *cfg, const dg_gw_partner *p)
{
    for (size_t i = 0; i < p->n_drops; i++)
        if (p->drops[i].acks)
            return true;
    for (size_t k = 0; k < cfg->n_partners; k++)
        for (size_t i = 0; i < cfg->partners[k].n_drops; i++)
            if (gw_drop_takes(&cfg->partners[k].drops[i], &cfg->partners[k], p))
                return true;
    return false;
}

/* The POs of a file of several (k > 1) recorded in the open transaction: one outbox entry, and
 * each PO linked to it with its own ST02 (the file's sets are numbered from c->st in order). */
static int record_po_file(dg_gw *g, const dg_gw_partner *p, const dg_flow_po *pos, size_t k,
                          bool x12, const controls *c, const char *name, const char *sha,
                          const char *path, dg_error *err)
{
    const char **numbers = calloc(k, sizeof *numbers);
    dg_flow_envelope *envs = calloc(k, sizeof *envs);
    char(*sts)[16] = calloc(k, sizeof *sts);
    if (!numbers || !envs || !sts)
        abort();
    for (size_t i = 0; i < k; i++) {
        numbers[i] = pos[i].po_number;
        snprintf(sts[i], sizeof sts[i], "%04lld", (long long)((c->st + (int64_t)i) % 1000000000));
        envs[i] = (dg_flow_envelope){c->isa_s, c->gs_s, sts[i]};
    }
    int64_t outbox_id = 0;
    int rc = dg_flow_pos_queued(g->store, p->name, numbers, k, name, sha, path, x12 ? envs : NULL,
                                x12 && gw_partner_sends_acks(g->cfg, p), &outbox_id, err);
    free(numbers);
    free(envs);
    free(sts);
    return rc;
}

/* One file into the outbox inside the batch's transaction (as a savepoint, so a file the mapping
 * cannot render gives back its control numbers and leaves the others alone): one PO (k = 1,
 * named PO_<number>), or k POs of the supplier sharing one file (outbound po_per_file, named
 * POS_<first number>_<k>: one interchange and group with a set per PO, or the rows of each). */
static int queue_po(dg_gw *g, const dg_gw_partner *p, const dg_mapping *m, dg_flow_po *pos,
                    size_t k, char *name, size_t name_size, char *path, size_t path_size,
                    dg_error *err)
{
    bool x12 = !strcmp(dg_map_format(m), "x12");
    int rc = dg_store_begin(g->store, err);
    if (rc)
        return rc;
    controls c;
    memset(&c, 0, sizeof c);
    dg_buf b = DG_BUF_INIT;
    char base[200], sha[DG_SHA256_HEX_LEN], tmp[1500] = "";
    const dg_x12_defs *defs = NULL;
    dg_doc **docs = calloc(k, sizeof *docs);
    if (!docs)
        abort();
    for (size_t i = 0; i < k; i++)
        docs[i] = pos[i].doc;
    if (x12 && ((rc = gw_x12_defs(g, &defs, err)) || (rc = take_controls_n(g, p, k, &c, err))))
        goto fail;
    dg_map_envelope env = envelope(g, p, &c);
    env.defs = defs; /* X12 is fitted to edi/ and validated before it is queued */
    if ((rc = dg_map_write(m, docs, k, &env, &b, err)))
        goto fail;
    gw_test_pause("po-rendered");
    unique_name(pos[0].po_number, base, sizeof base);
    if (k == 1)
        snprintf(name, name_size, "PO_%s.%s", base, dg_map_extension(m));
    else
        snprintf(name, name_size, "POS_%s_%zu.%s", base, k, dg_map_extension(m));
    if ((rc = local_path(g, p, name, &b, path, path_size, sha, err)))
        goto fail;
    /* The name is reserved (outbox entry) before any file is written; the file is staged under a
     * temporary name and takes its final name only after the batch commits. */
    dg_flow_envelope fenv = {c.isa_s, c.gs_s, c.st_s};
    int64_t outbox_id = 0;
    if (k == 1)
        rc = dg_flow_po_queued(g->store, pos[0].po_number, name, sha, path, x12 ? &fenv : NULL,
                               x12 && gw_partner_sends_acks(g->cfg, p), &outbox_id, err);
    else
        rc = record_po_file(g, p, pos, k, x12, &c, name, sha, path, err);
    for (size_t i = 0; !rc && i < k; i++) {
        bool was_held = false;
        if (!(rc = dg_store_po_release(g->store, pos[i].po_number, &was_held, err)) && was_held)
            dg_log_info("partner=%s po=%s outcome=released (its file now validates)", p->name,
                        pos[i].po_number);
    }
    if (rc || (rc = put_archive(g, p, name, &b, sha, err)))
        goto fail;
    tmp_name(path, tmp, sizeof tmp);
    if ((rc = stage_po_file(g, sha, tmp, &b, err))) {
        tmp[0] = '\0';
        goto fail;
    }
    dg_buf_free(&b);
    free(docs);
    if ((rc = dg_store_commit(g->store, err)))
        unlink(tmp);
    return rc;
fail:
    dg_store_rollback(g->store);
    if (tmp[0])
        unlink(tmp);
    dg_buf_free(&b);
    free(docs);
    return rc;
}

/* The end of queueing one file whose entry the open transaction records: the bytes staged
 * beside path and made durable, the commit, then the final name. On a failure before the commit
 * the transaction is rolled back and no file is left behind; *b is freed either way. */
static int stage_commit_publish(dg_gw *g, const char *path, dg_buf *b, dg_error *err)
{
    char tmp[1500];
    tmp_name(path, tmp, sizeof tmp);
    int rc = write_tmp(tmp, b->data ? b->data : "", b->len, err);
    if (!rc && (rc = gw_sync_local(g, err)))
        unlink(tmp);
    dg_buf_free(b);
    if (rc) {
        dg_store_rollback(g->store);
        return rc;
    }
    gw_test_pause("staged"); /* the window: written and synced, not committed */
    if ((rc = dg_store_commit(g->store, err))) {
        unlink(tmp);
        return rc;
    }
    publish(tmp, path);
    return 0;
}

int gw_requeue_po(dg_gw *g, const dg_gw_partner *p, dg_flow_po *po, const char *actor,
                  const char *reason, char *name, size_t name_size, dg_error *err)
{
    const dg_mapping *m = NULL;
    const dg_x12_defs *defs = NULL;
    int rc = gw_mapping(g, p->out.po_mapping, &m, err);
    if (rc)
        return rc;
    if (strcmp(dg_map_format(m), "x12") != 0)
        return dg_error_set(err, DG_EINVAL,
                            "PO %s: %s's PO mapping writes %s, which has no control numbers; "
                            "resend it without --new-control-numbers",
                            po->po_number, p->name, dg_map_format(m));
    if ((rc = gw_x12_defs(g, &defs, err)) || (rc = dg_store_begin(g->store, err)))
        return rc;
    controls c;
    memset(&c, 0, sizeof c);
    dg_buf b = DG_BUF_INIT;
    char base[200], path[1400], sha[DG_SHA256_HEX_LEN], detail[400];
    if ((rc = take_controls(g, p, &c, err)))
        goto fail;
    dg_map_envelope env = envelope(g, p, &c);
    env.defs = defs; /* fitted and validated like every X12 file we write */
    dg_doc *docs[1] = {po->doc};
    if ((rc = dg_map_write(m, docs, 1, &env, &b, err)))
        goto fail;
    /* A new name (the ISA13 in it): the first file keeps its own outbox entry and archive. */
    unique_name(po->po_number, base, sizeof base);
    snprintf(name, name_size, "PO_%s_%s.%s", base, c.isa_s, dg_map_extension(m));
    int64_t outbox_id = 0;
    bool existed = false;
    snprintf(detail, sizeof detail, "file=%s isa13=%s gs06=%s st02=%s", name, c.isa_s, c.gs_s,
             c.st_s);
    if ((rc = local_path(g, p, name, &b, path, sizeof path, sha, err)) ||
        (rc = dg_store_outbox_add(g->store, p->name, "po", po->po_number, name, sha, path,
                                  &outbox_id, &existed, err)) ||
        (rc = dg_store_po_set_controls(g->store, po->po_number, c.isa_s, c.gs_s, c.st_s, err)) ||
        (rc = put_archive(g, p, name, &b, sha, err)) ||
        (rc = dg_store_action_add(g->store, "resend", "po", po->po_number, actor, reason, detail,
                                  err)))
        goto fail;
    if (existed) {
        rc = dg_error_set(err, DG_EDUP, "PO %s: outbox file name %s is already used", po->po_number,
                          name);
        goto fail;
    }
    if ((rc = stage_commit_publish(g, path, &b, err)))
        return rc;
    dg_log_info("partner=%s file=%s outcome=queued kind=po po=%s resend=new-control-numbers "
                "isa13=%s by=%s",
                p->name, name, po->po_number, c.isa_s, actor);
    return 0;
fail:
    dg_store_rollback(g->store);
    dg_buf_free(&b);
    return rc;
}

static int queue_tracking(dg_gw *g, const dg_gw_partner *p, const dg_mapping *m,
                          dg_flow_notification *n, dg_error *err)
{
    bool x12 = !strcmp(dg_map_format(m), "x12");
    int rc = dg_store_begin(g->store, err);
    if (rc)
        return rc;
    controls c;
    memset(&c, 0, sizeof c);
    dg_buf b = DG_BUF_INIT;
    char base[200], name[256], path[1400], sha[DG_SHA256_HEX_LEN];
    const dg_x12_defs *defs = NULL;
    if (x12 && ((rc = gw_x12_defs(g, &defs, err)) || (rc = take_controls(g, p, &c, err))))
        goto fail;
    dg_map_envelope env = envelope(g, p, &c);
    env.defs = defs;
    dg_doc *docs[1] = {n->doc};
    if ((rc = dg_map_write(m, docs, 1, &env, &b, err)))
        goto fail;
    safe_name(n->order_number, base, sizeof base);
    snprintf(name, sizeof name, "TRACKING_%s_%lld.%s", base, (long long)n->id, dg_map_extension(m));
    int64_t outbox_id = 0;
    bool was_held = false;
    /* Entry first, then the staged file; its final name only once committed. */
    if ((rc = local_path(g, p, name, &b, path, sizeof path, sha, err)) ||
        (rc = dg_flow_notification_queued(g->store, n->id, name, sha, path, &outbox_id, err)) ||
        (rc = dg_store_tracking_release(g->store, n->id, &was_held, err)) ||
        (rc = put_archive(g, p, name, &b, sha, err)))
        goto fail;
    if (was_held)
        dg_log_info("partner=%s order=%s outcome=released kind=tracking (its file now validates)",
                    p->name, n->order_number);
    if ((rc = stage_commit_publish(g, path, &b, err)))
        return rc;
    dg_log_info("partner=%s file=%s outcome=queued kind=tracking order=%s po=%s", p->name, name,
                n->order_number, n->po_number);
    return rc;
fail:
    dg_store_rollback(g->store);
    dg_buf_free(&b);
    return rc;
}

int gw_queue_doc(dg_gw *g, const dg_gw_partner *p, const dg_mapping *m, dg_doc *doc,
                 const char *base, gw_record_fn record, void *ctx, char *name, size_t name_size,
                 dg_error *err)
{
    dg_doc *docs[1] = {doc};
    return gw_queue_docs(g, p, m, docs, 1, base, record, ctx, name, name_size, err);
}

int gw_queue_docs(dg_gw *g, const dg_gw_partner *p, const dg_mapping *m, dg_doc *const *docs,
                  size_t n_docs, const char *base, gw_record_fn record, void *ctx, char *name,
                  size_t name_size, dg_error *err)
{
    bool x12 = !strcmp(dg_map_format(m), "x12");
    int rc = dg_store_begin(g->store, err);
    if (rc)
        return rc;
    controls c;
    memset(&c, 0, sizeof c);
    dg_buf b = DG_BUF_INIT;
    char safe[200], path[1400], sha[DG_SHA256_HEX_LEN];
    const dg_x12_defs *defs = NULL;
    if (x12 && ((rc = gw_x12_defs(g, &defs, err)) || (rc = take_controls(g, p, &c, err))))
        goto fail;
    dg_map_envelope env = envelope(g, p, &c);
    env.defs = defs; /* X12 is fitted to edi/ and validated before it is queued */
    if ((rc = dg_map_write(m, docs, n_docs, &env, &b, err)))
        goto fail;
    gw_test_pause("doc-rendered");
    unique_name(base, safe, sizeof safe);
    snprintf(name, name_size, "%s.%s", safe, dg_map_extension(m));
    int64_t outbox_id = 0;
    if ((rc = local_path(g, p, name, &b, path, sizeof path, sha, err)) ||
        (rc = record(g, ctx, name, sha, path, &outbox_id, err)) ||
        (rc = put_archive(g, p, name, &b, sha, err)))
        goto fail;
    return stage_commit_publish(g, path, &b, err);
fail:
    dg_store_rollback(g->store);
    dg_buf_free(&b);
    return rc;
}

/* A PO the mapping cannot write, or whose file would not validate, is held with the reason:
 * never queued nor sent, shown by `status` and `report orders`, logged once per reason, and
 * rendered again each cycle, so a fixed mapping (or catalog, or partner file) releases it. */
static int hold_po(dg_gw *g, const dg_gw_partner *p, const dg_flow_po *po, int prc,
                   const dg_error *why, dg_error *err)
{
    g->stats.send_failed++;
    if (prc != DG_EMAP && prc != DG_EVALID && prc != DG_EINVAL) {
        dg_log_error("partner=%s po=%s outcome=render-failed error=%s reason=\"%s\"", p->name,
                     po->po_number, dg_error_name(prc), why->msg);
        return 0;
    }
    g->stats.pos_held++;
    bool changed = false;
    int rc = dg_store_po_hold(g->store, po->po_number, why->msg, &changed, err);
    if (rc)
        return rc;
    if (changed)
        dg_log_error("partner=%s po=%s order=%s outcome=held error=%s reason=\"%s\" (not sent; "
                     "fix the mapping or data: it is rendered again each cycle)",
                     p->name, po->po_number, po->order_number, dg_error_name(prc), why->msg);
    else
        dg_log_debug("partner=%s po=%s outcome=still-held", p->name, po->po_number);
    return 0;
}

/* POs are queued in batches: one transaction (and one file-system sync) per batch, each file a
 * savepoint in it. A crash before the batch commits leaves its POs pending with their control
 * numbers given back: they are rendered again, under the same names. */
#define PO_BATCH 200

/* What became of the POs of a batch: queued (in the file names[i], whose path is paths[i] at
 * the file's first PO and "" at the others) or not. */
typedef struct po_slots {
    bool *ok;
    char (*names)[256];
    char (*paths)[1400];
} po_slots;

/* How many POs from pos (n left) go into the next file: up to per, and a PO an operator holds
 * alone (a hold keeps its file back; it never keeps back another PO's). */
static size_t file_group(const dg_flow_po *pos, size_t n, size_t per)
{
    if (pos[0].op_held)
        return 1;
    size_t k = 1;
    while (k < n && k < per && !pos[k].op_held)
        k++;
    return k;
}

/* Queues pos[i..i+k) as one file. A file of several POs that cannot be rendered or does not
 * validate is queued again PO by PO: the ones at fault are held, the others go in a file each
 * this cycle. Only a state store or local disk failure is returned. */
static int place_pos(dg_gw *g, const dg_gw_partner *p, const dg_mapping *m, dg_flow_po *pos,
                     size_t k, const po_slots *sl, size_t i, dg_error *err)
{
    dg_error e = {0};
    int prc = queue_po(g, p, m, &pos[i], k, sl->names[i], sizeof sl->names[i], sl->paths[i],
                       sizeof sl->paths[i], &e);
    if (prc == DG_ESTATE || prc == DG_EIO) {
        *err = e;
        return prc;
    }
    if (prc && k > 1) {
        dg_log_warn("partner=%s po=%s outcome=batch-split pos=%zu error=%s reason=\"%s\" (each PO "
                    "of the file is queued alone)",
                    p->name, pos[i].po_number, k, dg_error_name(prc), e.msg);
        int rc = 0;
        for (size_t j = i; !rc && j < i + k && !dg_gw_stop_requested; j++)
            rc = place_pos(g, p, m, pos, 1, sl, j, err);
        return rc;
    }
    if (prc)
        return hold_po(g, p, &pos[i], prc, &e, err);
    for (size_t j = i; j < i + k; j++) {
        sl->ok[j] = true;
        if (j > i) {
            memcpy(sl->names[j], sl->names[i], sizeof sl->names[j]);
            sl->paths[j][0] = '\0';
        }
    }
    return 0;
}

static int queue_po_batch(dg_gw *g, const dg_gw_partner *p, const dg_mapping *m, dg_flow_po *pos,
                          size_t n, size_t per, dg_error *err)
{
    int rc = dg_store_begin(g->store, err);
    if (rc)
        return rc;
    po_slots sl = {calloc(n ? n : 1, sizeof *sl.ok), calloc(n ? n : 1, sizeof *sl.names),
                   calloc(n ? n : 1, sizeof *sl.paths)};
    if (!sl.ok || !sl.names || !sl.paths)
        abort();
    for (size_t i = 0, k = 0; !rc && i < n && !dg_gw_stop_requested; i += k) {
        k = file_group(&pos[i], n - i, per);
        rc = place_pos(g, p, m, pos, k, &sl, i, err);
    }
    if (!rc)
        rc = gw_sync_local(g, err);
    if (rc)
        dg_store_rollback(g->store);
    else
        rc = dg_store_commit(g->store, err);
    /* Staged files take their final names only now that their entries are committed. */
    for (size_t i = 0; i < n; i++) {
        if (!sl.ok[i] || !sl.paths[i][0])
            continue;
        char tmp[1500];
        tmp_name(sl.paths[i], tmp, sizeof tmp);
        if (rc)
            unlink(tmp);
        else
            publish(tmp, sl.paths[i]);
    }
    gw_test_pause("po-queued");
    for (size_t i = 0; !rc && i < n; i++) {
        if (!sl.ok[i])
            continue;
        g->stats.pos_queued++;
        dg_log_info("partner=%s file=%s outcome=queued kind=po po=%s order=%s", p->name,
                    sl.names[i], pos[i].po_number, pos[i].order_number);
    }
    free(sl.ok);
    free(sl.names);
    free(sl.paths);
    return rc;
}

/* Rendering failures (a PO the mapping cannot express) are logged and retried next cycle; they
 * never stop the other POs. Only a state store or local disk failure is returned. */
static int render_pos(dg_gw *g, const dg_gw_partner *p, dg_error *err)
{
    const dg_mapping *m = NULL;
    int rc = gw_mapping(g, p->out.po_mapping, &m, err);
    if (rc)
        return rc == DG_ESTATE ? rc : DG_ECONFIG;
    const dg_x12_defs *defs = NULL; /* no X12 PO leaves unvalidated: no edi/, no POs */
    if (!strcmp(dg_map_format(m), "x12") && (rc = gw_x12_defs(g, &defs, err)))
        return rc;
    size_t per = p->out.po_per_file > 1 ? (size_t)p->out.po_per_file : 1;
    if (per > 1 && !dg_map_writes_many(m)) {
        dg_log_warn("partner=%s outcome=po-per-file-ignored mapping=%s reason=\"the mapping writes "
                    "one document per file: one PO per file\"",
                    p->name, p->out.po_mapping);
        per = 1;
    }
    /* A page of POs per batch (a whole number of files): memory stays flat however many are
     * pending. A PO held in a batch keeps its place (QUEUED, no outbox entry) and is not read
     * again this cycle. */
    size_t page = per >= PO_BATCH ? per : PO_BATCH / per * per;
    int64_t after = 0;
    for (size_t n = page; !rc && n == page && !dg_gw_stop_requested;) {
        dg_flow_po *pos = NULL;
        n = 0;
        if ((rc = dg_flow_pending_pos_page(g->store, p->name, after, page, &pos, &n, err)))
            break;
        if (n > 0) {
            after = pos[n - 1].id;
            rc = queue_po_batch(g, p, m, pos, n, per, err);
        }
        dg_flow_pos_free(pos, n);
    }
    return rc;
}

/* As hold_po: a tracking file the mapping cannot write or that would not validate is held with
 * the reason (shown by `status`), logged once, rendered again each cycle. */
static int hold_tracking(dg_gw *g, const dg_gw_partner *p, const dg_flow_notification *n, int nrc,
                         const dg_error *why, dg_error *err)
{
    g->stats.send_failed++;
    if (nrc != DG_EMAP && nrc != DG_EVALID && nrc != DG_EINVAL) {
        dg_log_error("partner=%s order=%s outcome=render-failed kind=tracking error=%s "
                     "reason=\"%s\"",
                     p->name, n->order_number, dg_error_name(nrc), why->msg);
        return 0;
    }
    bool changed = false;
    int rc = dg_store_tracking_hold(g->store, n->id, why->msg, &changed, err);
    if (rc)
        return rc;
    if (changed)
        dg_log_error("partner=%s order=%s po=%s outcome=held kind=tracking error=%s reason=\"%s\" "
                     "(not sent; fix the mapping or data: it is rendered again each cycle)",
                     p->name, n->order_number, n->po_number, dg_error_name(nrc), why->msg);
    return 0;
}

static int render_tracking(dg_gw *g, const dg_gw_partner *p, dg_error *err)
{
    const dg_mapping *m = NULL;
    int rc = gw_mapping(g, p->out.tracking_mapping, &m, err);
    if (rc)
        return rc == DG_ESTATE ? rc : DG_ECONFIG;
    const dg_x12_defs *defs = NULL;
    if (!strcmp(dg_map_format(m), "x12") && (rc = gw_x12_defs(g, &defs, err)))
        return rc;
    dg_flow_notification *ns = NULL;
    size_t n = 0;
    if ((rc = dg_flow_pending_notifications(g->store, p->name, &ns, &n, err)))
        return rc;
    for (size_t i = 0; i < n && !dg_gw_stop_requested; i++) {
        dg_error e = {0};
        int nrc = queue_tracking(g, p, m, &ns[i], &e);
        if (nrc == DG_ESTATE || nrc == DG_ELOCKED) { /* ELOCKED: the lease was lost */
            *err = e;
            rc = nrc;
            break;
        }
        if (nrc && (rc = hold_tracking(g, p, &ns[i], nrc, &e, err)))
            break;
    }
    dg_flow_notifications_free(ns, n);
    return rc;
}

/* While the store cannot record what was sent, nothing is sent: an upload it cannot mark would
 * be repeated by every later poll. The file whose mark failed is remembered (in this process)
 * and marked first when the store works again, so it is not sent again either. */
static int store_stopped(const dg_gw_partner *p, const char *file, const dg_error *why,
                         dg_error *err)
{
    dg_log_error("partner=%s outcome=sending-stopped error=ESTATE reason=\"the state store cannot "
                 "record what is sent (%s): no upload until it can%s%s\"",
                 p->name, why->msg, file ? "; uploaded but not yet marked: " : "",
                 file ? file : "");
    return dg_error_set(err, DG_ESTATE,
                        "%s: sending stopped: the state store cannot record what is "
                        "sent: %s",
                        p->name, why->msg);
}

static int send_webhooks(dg_gw *g, const dg_gw_partner *p, dg_error *err)
{
    if (p->secret_missing) /* never a POST without the secret the partner checks */
        return dg_error_set(err, DG_EAUTH, "partner %s: webhooks skipped: %s", p->name,
                            p->secret_missing);
    dg_flow_notification *ns = NULL;
    size_t n = 0;
    int rc = dg_flow_pending_webhooks(g->store, p->name, &ns, &n, err);
    if (rc)
        return rc;
    /* As for uploads: no POST while the store cannot record it (see store_stopped). */
    dg_error pe = {0};
    if (n > 0 && (rc = dg_store_outbox_probe(g->store, 0, &pe))) {
        dg_flow_notifications_free(ns, n);
        return rc == DG_ESTATE ? store_stopped(p, NULL, &pe, err) : (*err = pe, rc);
    }
    for (size_t i = 0; i < n && !dg_gw_stop_requested; i++) {
        dg_error e = {0};
        const char *json = ns[i].json ? ns[i].json : "{}";
        char key[64];
        snprintf(key, sizeof key, "dropgate-notification-%lld", (long long)ns[i].id);
        int wrc = dg_gw_webhook_post_key(p->out.webhook_url, p->out.webhook_secret, key,
                                         p->out.webhook_timeout_ms, json, strlen(json), &e);
        if (wrc) {
            g->stats.send_failed++;
            dg_log_warn("partner=%s order=%s outcome=webhook-failed error=%s reason=\"%s\"",
                        p->name, ns[i].order_number, dg_error_name(wrc), e.msg);
            break; /* the endpoint is down: the rest waits for the next cycle */
        }
        if ((rc = dg_flow_webhook_done(g->store, ns[i].id, err)))
            break;
        if (!p->out.tracking_mapping && (rc = dg_flow_notification_sent(g->store, ns[i].id, err)))
            break;
        g->stats.webhooks_sent++;
        dg_log_info("partner=%s order=%s outcome=webhook-sent po=%s", p->name, ns[i].order_number,
                    ns[i].po_number);
    }
    dg_flow_notifications_free(ns, n);
    return rc;
}

static bool is_network(int rc)
{
    return rc == DG_ENET || rc == DG_ETIMEOUT || rc == DG_EAUTH || rc == DG_EHOSTKEY;
}

/* Uploads one entry; the local file, or its archived copy when the outbox copy is gone. The
 * remote folder is created once per round (made[]: outbound folder, ack folder). */
static int upload(dg_gw *g, dg_transport *t, const dg_gw_partner *p, const dg_outbox_entry *o,
                  bool made[3], dg_error *err)
{
    bool hook = !strcmp(o->kind, "status-hook");
    const char *folder = !strcmp(o->kind, "ack") && p->out.ack_folder         ? p->out.ack_folder
                         : !strcmp(o->kind, "status") && p->out.status_folder ? p->out.status_folder
                                                                              : p->out.folder;
    if (hook && !p->out.status_webhook_url)
        return dg_error_set(err, DG_ECONFIG, "%s: partner %s has no status webhook (%s waits)",
                            p->file, p->name, o->file_name);
    if (!folder && !hook)
        return dg_error_set(err, DG_ECONFIG, "%s: partner %s has no outbound folder", p->file,
                            p->name);
    char src[1400];
    snprintf(src, sizeof src, "%s", o->local_path ? o->local_path : "");
    if (!dg_fs_exists(src) && o->content_sha256)
        snprintf(src, sizeof src, "%s/%.2s/%s", g->cfg->archive_dir, o->content_sha256,
                 o->content_sha256);
    /* Only the bytes that were recorded are ever sent under this name. */
    if (o->content_sha256 && *o->content_sha256) {
        char have[DG_SHA256_HEX_LEN];
        int src_rc = dg_sha256_file(src, have, err);
        if (src_rc)
            return src_rc;
        if (strcmp(have, o->content_sha256))
            return dg_error_set(err, DG_EVALID,
                                "%s: content does not match what was queued (sha256 %.12s, "
                                "recorded %.12s): not sent, the file is kept for inspection",
                                src, have, o->content_sha256);
    }
    if (hook)
        return gw_post_status_hook(g, p, src, o->file_name, o->content_sha256, err);
    size_t k = folder == p->out.folder ? 0 : folder == p->out.ack_folder ? 1 : 2;
    int rc = made[k] ? 0 : dg_transport_mkdir(t, folder, err);
    if (!rc) {
        made[k] = true;
        rc = dg_transport_put(t, src, folder, o->file_name, err);
    }
    return rc;
}

/* pos: the POs the file's mark moved (several for a file of several POs; 0 for a file sent
 * again, which still counts one). */
static void log_sent(dg_gw *g, const char *partner, const dg_outbox_entry *o, size_t pos)
{
    if (!strcmp(o->kind, "po"))
        g->stats.pos_sent += pos ? (long)pos : 1;
    else if (!strcmp(o->kind, "tracking"))
        g->stats.tracking_sent++;
    else if (!strcmp(o->kind, "ack"))
        g->stats.acks_out++;
    else if (!strcmp(o->kind, "cancel"))
        g->stats.cancels_sent++;
    else if (!strncmp(o->kind, "status", 6))
        g->stats.status_sent++;
    dg_log_info("partner=%s file=%s outcome=sent kind=%s ref=%s sha256=%.12s", partner,
                o->file_name, o->kind, o->ref ? o->ref : "",
                o->content_sha256 ? o->content_sha256 : "");
}

/* Records the mark of an upload whose commit failed before (see store_stopped). */
static int record_unmarked(dg_gw *g, const dg_gw_partner *p, dg_error *err)
{
    if (!g->unmarked_id)
        return 0;
    dg_error e = {0};
    dg_outbox_entry o;
    int rc = dg_store_outbox_get(g->store, g->unmarked_id, &o, &e);
    size_t pos = 0;
    if (!rc && !(rc = dg_flow_outbox_sent_n(g->store, g->unmarked_id, &pos, &e))) {
        log_sent(g, o.partner ? o.partner : p->name, &o, pos);
        g->unmarked_id = 0;
    }
    char name[256];
    snprintf(name, sizeof name, "%s", !rc && o.file_name ? o.file_name : g->unmarked_name);
    dg_store_outbox_entry_clear(&o);
    if (rc == DG_ESTATE)
        return store_stopped(p, name, &e, err);
    if (rc) /* the entry is gone: nothing left to record */
        g->unmarked_id = 0;
    return 0;
}

/* Uploads one page of entries, each marked sent in its own commit; stops at a failure that
 * holds the rest back (the network, the store). */
static int upload_page(dg_gw *g, const dg_gw_partner *p, gw_lease *l, dg_transport *t, size_t pi,
                       const dg_outbox_entry *rows, size_t n, bool made[3], dg_error *err)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc && !dg_gw_stop_requested; i++) {
        const dg_outbox_entry *o = &rows[i];
        dg_error ue = {0};
        if ((rc = gw_lease_take(g, l, err))) /* ELOCKED: lost while uploading; stop */
            break;
        dg_log_debug("partner=%s file=%s outcome=uploading kind=%s", p->name, o->file_name,
                     o->kind);
        int urc = upload(g, t, p, o, made, &ue);
        if (urc) {
            g->stats.send_failed++;
            dg_log_warn("partner=%s file=%s outcome=send-failed kind=%s ref=%s attempt=%d "
                        "error=%s reason=\"%s\"",
                        p->name, o->file_name, o->kind, o->ref ? o->ref : "", o->attempts + 1,
                        dg_error_name(urc), ue.msg);
            dg_error me = {0};
            if (dg_store_outbox_mark_failed(g->store, o->id, ue.msg, &me) == DG_ESTATE) {
                rc = store_stopped(p, NULL, &me, err);
            } else if (is_network(urc)) {
                gw_transport_drop(g, pi);
                *err = ue;
                rc = urc;
            }
            continue;
        }
        dg_log_debug("partner=%s file=%s outcome=uploaded kind=%s", p->name, o->file_name, o->kind);
        gw_test_pause("uploaded"); /* the window: at the partner, not yet marked */
        dg_error se = {0};
        size_t pos = 0;
        if ((rc = dg_flow_outbox_sent_n(g->store, o->id, &pos, &se))) {
            if (rc == DG_ESTATE) {
                g->unmarked_id = o->id;
                snprintf(g->unmarked_name, sizeof g->unmarked_name, "%s", o->file_name);
                rc = store_stopped(p, o->file_name, &se, err);
            } else {
                *err = se;
            }
            break;
        }
        log_sent(g, p->name, o, pos);
    }
    return rc;
}

/* Entries are read a page at a time (memory stays flat however many are pending). */
#define UPLOAD_PAGE 200

/* Each upload is marked sent in its own commit right after the transport confirmed it (temporary
 * name renamed): a crash can re-send only the one file in flight, under the same name with the
 * same bytes. Before the first upload a write transaction proves the store can take the marks. */
static int upload_pending(dg_gw *g, const dg_gw_partner *p, gw_lease *l, dg_error *err)
{
    int rc = record_unmarked(g, p, err);
    if (rc)
        return rc;
    dg_transport *t = NULL;
    size_t pi = gw_partner_index(g, p);
    bool made[3] = {false, false, false};
    int64_t after = 0;
    for (size_t n = UPLOAD_PAGE; !rc && n == UPLOAD_PAGE && !dg_gw_stop_requested;) {
        dg_outbox_entry *rows = NULL;
        n = 0;
        if ((rc = dg_store_outbox_pending_page(g->store, p->name, after, UPLOAD_PAGE, &rows, &n,
                                               err)) ||
            n == 0) {
            dg_store_outbox_free(rows, n);
            break;
        }
        after = rows[n - 1].id;
        if (!t) { /* the first page: the store takes marks, the partner answers */
            dg_error e = {0};
            if ((rc = dg_store_outbox_probe(g->store, rows[0].id, &e))) {
                dg_store_outbox_free(rows, n);
                return rc == DG_ESTATE ? store_stopped(p, NULL, &e, err) : (*err = e, rc);
            }
            if ((rc = gw_transport(g, pi, &t, err))) {
                dg_log_warn("partner=%s outcome=%s error=%s reason=\"%s\" pending=%zu%s", p->name,
                            p->secret_missing ? "skipped" : "connect-failed", dg_error_name(rc),
                            err->msg, n, n == UPLOAD_PAGE ? "+" : "");
                dg_store_outbox_free(rows, n);
                return rc;
            }
        }
        rc = upload_page(g, p, l, t, pi, rows, n, made, err);
        dg_store_outbox_free(rows, n);
    }
    return rc;
}

static int render_all(dg_gw *g, const dg_gw_partner *p, dg_error *err);

/* Several instances: p's outbox is worked only under its "send:" lease (skipped while another
 * instance holds it). What is rendered commits under the store's fence, so a stalled instance
 * that lost the lease queues nothing. An upload starts only while the lease is held (renewed
 * before each one); its sent mark is recorded even when the lease ran out during the upload:
 * the file is at the partner, and refusing to record that would only make the instance that
 * took over send it again. */
int dg_gw_send_outbox(dg_gw *g, const dg_gw_partner *p, dg_error *err)
{
    gw_lease *l = gw_lease_of(g, p, GW_LEASE_SEND);
    int rc = gw_lease_take(g, l, err);
    if (rc == DG_ELOCKED)
        return 0; /* another instance sends for p */
    if (rc)
        return rc;
    gw_lease_fence(g, l);
    rc = render_all(g, p, err);
    gw_lease_unfence(g);
    if (rc == DG_ELOCKED) {
        gw_lease_lost(g, l, err);
        return 0;
    }
    if (rc == DG_ESTATE)
        return rc;
    if (rc)
        dg_log_error("partner=%s outcome=render-failed error=%s reason=\"%s\"", p->name,
                     dg_error_name(rc), err->msg);
    dg_error e = {0};
    int urc = upload_pending(g, p, l, &e);
    if (urc == DG_ELOCKED)
        return rc;
    if (urc && !rc) {
        *err = e;
        rc = urc;
    }
    return rc;
}

static int render_all(dg_gw *g, const dg_gw_partner *p, dg_error *err)
{
    int rc = 0;
    if (p->role == DG_ROLE_SUPPLIER && p->out.po_mapping)
        rc = render_pos(g, p, err);
    if (!rc && p->role == DG_ROLE_STOREFRONT && p->out.tracking_mapping)
        rc = render_tracking(g, p, err);
    if (!rc && p->role == DG_ROLE_STOREFRONT && p->out.webhook_url)
        rc = send_webhooks(g, p, err);
    if (!rc && p->out.cancel_mapping)
        rc = gw_render_cancels(g, p, err);
    if (!rc && p->role == DG_ROLE_STOREFRONT &&
        (p->out.status_mapping || p->out.status_webhook_url))
        rc = gw_render_status(g, p, err);
    return rc;
}
