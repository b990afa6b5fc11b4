/* The poll cycle of one partner: list each inbound drop, apply the pickup rules, fetch into the
 * spool, and hand each file to ingest; a bad file is quarantined and the rest of the poll goes on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/escape.h"
#include "core/fs.h"
#include "core/log.h"
#include "gateway/gw_internal.h"
#include "store/store.h"

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const dg_remote_file *)a)->name, ((const dg_remote_file *)b)->name);
}

static void join(char *out, size_t size, const char *dir, const char *name)
{
    if (!dir || !*dir || !strcmp(dir, "."))
        snprintf(out, size, "%s", name);
    else
        snprintf(out, size, "%s/%s", dir, name);
}

/* Delete, move or leave the remote file after it is safely recorded (or quarantined). The
 * done-marker goes with it so it cannot vouch for a later file of the same name. */
static int after_pickup(dg_transport *t, const dg_gw_drop *d, const char *name, dg_error *err)
{
    char path[1024], marker[1100], to[1100];
    join(path, sizeof path, d->folder, name);
    int rc = 0;
    if (d->after == DG_AFTER_DELETE) {
        rc = dg_transport_remove(t, path, err);
    } else if (d->after == DG_AFTER_MOVE) {
        if ((rc = dg_transport_mkdir(t, d->archive_folder, err)))
            return rc;
        join(to, sizeof to, d->archive_folder, name);
        /* A partner that reuses a file name (orders.csv every day) must not make the move
         * fail forever: an older file of that name in the archive folder keeps its place. */
        dg_remote_file old;
        dg_error ignored = {0};
        if (dg_transport_stat(t, to, &old, &ignored) == 0) {
            char stamp[32];
            time_t now = time(NULL);
            struct tm tm;
            gmtime_r(&now, &tm);
            strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
            size_t len = strlen(to);
            snprintf(to + len, sizeof to - len, ".%s", stamp);
        }
        rc = dg_transport_rename(t, path, to, err);
    }
    if (rc == DG_ENOTFOUND)
        rc = 0; /* already gone: a redo after a crash between the two steps */
    if (!rc && d->done_marker && *d->done_marker && d->after != DG_AFTER_LEAVE) {
        snprintf(marker, sizeof marker, "%s%s", path, d->done_marker);
        dg_error ignored = {0};
        dg_transport_remove(t, marker, &ignored);
    }
    return rc;
}

/* Replaces every from in text (size bytes) by to: a reason names the remote file, not the spool
 * copy that is deleted right away. */
static void replace_all(char *text, size_t size, const char *from, const char *to)
{
    size_t flen = strlen(from);
    if (!flen)
        return;
    char out[sizeof(((dg_error *)0)->msg)];
    size_t o = 0;
    const char *s = text;
    for (const char *hit; (hit = strstr(s, from)) && o < sizeof out - 1; s = hit + flen) {
        size_t n = (size_t)(hit - s);
        o += (size_t)snprintf(out + o, sizeof out - o, "%.*s%s", (int)n, s, to);
        if (o >= sizeof out)
            o = sizeof out - 1;
    }
    if (o < sizeof out - 1)
        snprintf(out + o, sizeof out - o, "%s", s);
    snprintf(text, size, "%s", out);
}

/* Listing and stat times agree as far as the listing can tell: FTP LIST gives minutes for
 * files of the last months, days for older ones (or dated in the future), where MDTM gives
 * seconds. 0 is "unknown" and proves nothing; the size is always compared exactly. */
static bool same_mtime(int64_t listed, int64_t now)
{
    if (listed == now || listed <= 0 || now <= 0)
        return true;
    int64_t grain = listed % 86400 == 0 ? 86400 : listed % 60 == 0 ? 60 : 1;
    return now > listed && now - listed < grain;
}

/* Whether the remote file is still the version that was fetched (its size and mtime). A file
 * that changed since (an export still being appended to) must not be deleted or moved: what was
 * written after the fetch would be lost. A file already gone is nothing to act on. */
static int unchanged_since_fetch(dg_transport *t, const gw_pickup *pk, bool *same, dg_error *err)
{
    dg_remote_file now;
    *same = true;
    int rc = dg_transport_stat(t, pk->remote_path, &now, err);
    if (rc == DG_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    *same = now.size == pk->size && same_mtime(pk->mtime, now.mtime);
    if (!*same)
        dg_log_warn("partner=%s file=%s outcome=changed-after-fetch size=%llu->%llu "
                    "mtime=%lld->%lld (left in the drop: its new version is taken by a later "
                    "poll)",
                    pk->partner->name, pk->remote_path, (unsigned long long)pk->size,
                    (unsigned long long)now.size, (long long)pk->mtime, (long long)now.mtime);
    return 0;
}

static int finish(dg_gw *g, dg_transport *t, const gw_pickup *pk, dg_error *err)
{
    if (pk->drop->after != DG_AFTER_LEAVE) {
        bool same = true;
        int src = unchanged_since_fetch(t, pk, &same, err);
        if (src || !same)
            return src;
    }
    int rc = after_pickup(t, pk->drop, pk->name, err);
    if (rc)
        return rc;
    return gw_pickup_mark_remote_done(g, pk, err);
}

/* Takes one file. Returns 0 when the poll can go on (processed, duplicate or quarantined), or an
 * error that ends this partner's poll (network, state store). */
static int take_file(dg_gw *g, dg_transport *t, const dg_gw_partner *p, const dg_gw_drop *d,
                     const dg_remote_file *f, dg_error *err)
{
    char remote[1024], spool_dir[1024], spool[1400];
    join(remote, sizeof remote, d->folder, f->name);
    snprintf(spool_dir, sizeof spool_dir, "%s/%s", g->cfg->spool_dir, p->name);
    int rc = dg_fs_mkdirs(spool_dir, err);
    if (rc)
        return rc;
    snprintf(spool, sizeof spool, "%s/%s", spool_dir, f->name);
    gw_x12_outcome routed; /* type: x12 drops: what routing found, for a quarantine's 997s */
    memset(&routed, 0, sizeof routed);
    gw_pickup pk = {.partner = p,
                    .drop = d,
                    .remote_path = remote,
                    .name = f->name,
                    .size = f->size,
                    .mtime = f->mtime,
                    .spool_path = spool,
                    .x12 = &routed};
    uint64_t bytes = 0;
    rc = dg_transport_fetch_max(t, remote, spool, (uint64_t)d->max_file_bytes, pk.sha256, &bytes,
                                err);
    if (rc == DG_EVALID) { /* larger than the listing said: left in the drop, as in look() */
        g->stats.waiting++;
        dg_log_warn("partner=%s file=%s outcome=too-large reason=\"%s\" (left in the drop)",
                    p->name, remote, err->msg);
        return 0;
    }
    if (rc) {
        g->stats.failed++;
        dg_log_warn("partner=%s file=%s outcome=fetch-failed error=%s reason=\"%s\"", p->name,
                    remote, dg_error_name(rc), err->msg);
        return rc == DG_ENOTFOUND ? 0 : rc; /* vanished between list and fetch: not ours */
    }
    g->stats.taken++;
    gw_test_pause("fetched");
    /* The listing's size is the one we judged stable; trust what we actually received. */
    pk.size = bytes;
    gw_pickup_state st;
    if ((rc = gw_pickup_lookup(g, &pk, &st, err)))
        goto out;
    if (st != GW_PICKUP_NEW) {
        g->stats.duplicates++;
        rc = finish(g, t, &pk, err);
        /* With after: leave every poll sees the same files again: not worth a line each time. */
        dg_log(d->after == DG_AFTER_LEAVE ? DG_LOG_DEBUG : DG_LOG_INFO,
               "partner=%s file=%s outcome=duplicate was=%s sha256=%.12s", p->name, remote,
               st == GW_PICKUP_DONE ? "processed" : "quarantined", pk.sha256);
        goto out;
    }
    if ((rc = dg_gw_archive(g->cfg, spool, pk.sha256, err)))
        goto out;
    int docs = 0;
    dg_error reason = {0};
    rc = gw_ingest(g, &pk, &docs, &reason);
    if (rc == DG_ELOCKED) { /* the lease ran out and another instance took it: nothing kept */
        *err = reason;
        goto out;
    }
    /* The input is wrong: quarantine it. A configuration error (a missing or broken mapping)
     * is ours, not the partner's: the file stays in the drop and the poll of this partner ends. */
    if (rc == DG_EPARSE || rc == DG_EMAP || rc == DG_EVALID || rc == DG_EDUP) {
        char shown[1200], where[1400] = "", eshown[1200], espool[1400];
        snprintf(shown, sizeof shown, "%s/%s", p->name, remote);
        /* the message was escaped when it was set (dg_error_set): match it escaped */
        replace_all(reason.msg, sizeof reason.msg, dg_escape_ctl(spool, espool, sizeof espool),
                    dg_escape_ctl(shown, eshown, sizeof eshown));
        int q =
            dg_gw_quarantine(g->cfg, p->name, spool, f->name, reason.msg, where, sizeof where, err);
        if (!q)
            q = gw_pickup_record_quarantined(g, &pk, reason.msg, where, err);
        if (q) {
            rc = q;
            goto out;
        }
        g->stats.quarantined++;
        dg_log_warn("partner=%s file=%s outcome=quarantined error=%s reason=\"%s\" kept=%s",
                    p->name, remote, dg_error_name(rc), reason.msg, where);
    } else if (rc) {
        dg_error_set(err, rc, "%s", reason.msg);
        g->stats.failed++;
        dg_log_error("partner=%s file=%s outcome=failed error=%s reason=\"%s\"", p->name, remote,
                     dg_error_name(rc), reason.msg);
        goto out;
    } else {
        g->stats.processed++;
        dg_log_info("partner=%s file=%s outcome=processed docs=%d sha256=%.12s", p->name, remote,
                    docs, pk.sha256);
    }
    gw_test_pause("recorded");
    rc = finish(g, t, &pk, err);
    if (rc)
        dg_log_warn("partner=%s file=%s outcome=after-pickup-failed error=%s reason=\"%s\"",
                    p->name, remote, dg_error_name(rc), err->msg);
out:
    gw_x12_outcome_clear(&routed);
    unlink(spool);
    return rc;
}

static bool is_fatal(int rc)
{
    return rc == DG_ENET || rc == DG_ETIMEOUT || rc == DG_EAUTH || rc == DG_EHOSTKEY ||
           rc == DG_ESTATE || rc == DG_EIO || rc == DG_ENOMEM || rc == DG_ECONFIG ||
           rc == DG_ELOCKED; /* the partner's lease is another instance's now */
}

/* after: leave keeps every file in the drop, so each poll lists them again. A file whose version
 * (size and mtime) the store already holds as processed or quarantined is not fetched to be
 * hashed again; a new size or mtime is a new version: fetched, hashed and looked up as usual.
 * Checked before the pickup rules, so such a file takes no max_files slot and no second look.
 * An unknown mtime (0) proves nothing: that file is fetched. */
static int seen_before(dg_gw *g, const dg_gw_partner *p, const dg_gw_drop *d,
                       const dg_remote_file *f, bool *seen, dg_error *err)
{
    *seen = false;
    if (d->after != DG_AFTER_LEAVE || f->is_dir || f->mtime <= 0 ||
        !dg_gw_glob_selected(d, f->name))
        return 0;
    char remote[1024];
    join(remote, sizeof remote, d->folder, f->name);
    /* whatever its SHA-256: an after: leave drop need not fetch such a file again to hash it */
    int rc = dg_store_pickup_seen(g->store, p->name, remote, f->size, f->mtime, seen, err);
    if (!rc && *seen)
        dg_log_debug("partner=%s file=%s outcome=unchanged size=%llu mtime=%lld (already "
                     "recorded; not fetched)",
                     p->name, remote, (unsigned long long)f->size, (long long)f->mtime);
    return rc;
}

/* One look at a drop: the files to take now, in name order, at most max_files. */
static int look(dg_gw *g, dg_transport *t, const dg_gw_partner *p, const dg_gw_drop *d,
                dg_remote_file **take, size_t *n_take, long *wait_s, dg_error *err)
{
    dg_remote_file *files = NULL;
    size_t n = 0;
    *take = NULL;
    *n_take = 0;
    int rc = dg_transport_list(t, d->folder, &files, &n, err);
    if (rc == DG_ENOTFOUND) {
        /* Nothing dropped yet: many partners create a folder with their first file. */
        dg_log_debug("partner=%s folder=%s outcome=no-folder", p->name, d->folder);
        return 0;
    }
    if (rc)
        return rc;
    if (n > 1)
        qsort(files, n, sizeof *files, cmp_name);
    char key[600];
    snprintf(key, sizeof key, "%s/%s", p->name, d->folder);
    int64_t now = (int64_t)time(NULL);
    size_t k = 0;
    dg_gw_looks_prune(g->looks, key, files, n); /* forget files no longer listed */
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        if ((rc = seen_before(g, p, d, &files[i], &seen, err))) {
            free(files);
            return rc;
        }
        if (seen) {
            g->stats.listed++;
            g->stats.unchanged++;
            continue;
        }
        dg_gw_pick pick = dg_gw_pick_check(g->looks, key, d, &files[i], files, n, now);
        if (pick == DG_PICK_SKIP)
            continue;
        g->stats.listed++;
        if (pick == DG_PICK_TOO_LARGE) {
            g->stats.waiting++;
            if (dg_gw_looks_first_note(g->looks, key, &files[i]))
                dg_log_warn("partner=%s file=%s/%s outcome=too-large size=%llu "
                            "max_file_bytes=%ld reason=\"larger than the drop's max_file_bytes: "
                            "left in the drop, not fetched (raise max_file_bytes to take it)\"",
                            p->name, d->folder, files[i].name, (unsigned long long)files[i].size,
                            d->max_file_bytes);
            continue;
        }
        if (pick != DG_PICK_TAKE) {
            g->stats.waiting++;
            if (pick == DG_PICK_UNSTABLE && d->stable_seconds > *wait_s)
                *wait_s = d->stable_seconds;
            dg_log_debug("partner=%s file=%s/%s outcome=waiting why=%s", p->name, d->folder,
                         files[i].name, dg_gw_pick_name(pick));
            continue;
        }
        if (d->max_files > 0 && (long)k >= d->max_files)
            continue; /* the rest waits for the next poll */
        files[k++] = files[i];
    }
    *take = files;
    *n_take = k;
    return 0;
}

static int poll_drop(dg_gw *g, dg_transport *t, const dg_gw_partner *p, const dg_gw_drop *d,
                     long *wait_s, dg_error *err)
{
    dg_remote_file *take = NULL;
    size_t n = 0;
    int rc = look(g, t, p, d, &take, &n, wait_s, err);
    if (rc)
        return rc;
    char key[600];
    snprintf(key, sizeof key, "%s/%s", p->name, d->folder);
    gw_lease *l = gw_lease_of(g, p, GW_LEASE_POLL);
    for (size_t i = 0; i < n && !dg_gw_stop_requested; i++) {
        dg_error ferr = {0};
        /* renewed between files; another instance took it: its files are its own now */
        int frc = gw_lease_take(g, l, &ferr);
        if (!frc)
            frc = take_file(g, t, p, d, &take[i], &ferr);
        dg_gw_looks_forget(g->looks, key, take[i].name);
        if (frc && is_fatal(frc)) {
            *err = ferr;
            rc = frc;
            break;
        }
    }
    free(take);
    return rc;
}

static int poll_partner(dg_gw *g, const dg_gw_partner *p, bool second_look, dg_error *err)
{
    size_t pi = gw_partner_index(g, p);
    dg_transport *t = NULL;
    int rc = gw_transport(g, pi, &t, err);
    if (rc) {
        dg_log_warn("partner=%s outcome=%s error=%s reason=\"%s\"", p->name,
                    p->secret_missing ? "skipped" : "connect-failed", dg_error_name(rc), err->msg);
        return rc;
    }
    long wait_s = 0;
    for (int round = 0; round < 2 && !rc; round++) {
        long wait_next = 0;
        for (size_t i = 0; i < p->n_drops && !dg_gw_stop_requested; i++) {
            long w = 0;
            if ((rc = poll_drop(g, t, p, &p->drops[i], &w, err)))
                break;
            if (w > wait_next)
                wait_next = w;
        }
        wait_s = wait_next;
        /* Only worth a second look when some file was first seen now and could be stable. */
        if (!second_look || wait_s <= 0 || dg_gw_stop_requested)
            break;
        dg_log_info("partner=%s outcome=second-look wait=%lds", p->name, wait_s);
        dg_gw_nap(wait_s * 1000); /* SIGTERM ends the wait at once */
    }
    if (rc && rc != DG_ELOCKED) {
        dg_log_warn("partner=%s outcome=poll-failed error=%s reason=\"%s\"", p->name,
                    dg_error_name(rc), err->msg);
        if (rc == DG_ENET || rc == DG_ETIMEOUT)
            gw_transport_drop(g, pi);
    }
    return rc;
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (long)((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Every poll is recorded (duration, success or the error) for /metrics and the console. Not
 * when the store itself failed: it cannot record, and the daemon backs off anyway. */
int dg_gw_poll_partner(dg_gw *g, const dg_gw_partner *p, bool second_look, dg_error *err)
{
    /* Several instances: only the holder of "poll:<partner>" polls it; every pickup it commits
     * is fenced with that lease (a stalled instance that lost it commits nothing). */
    gw_lease *l = gw_lease_of(g, p, GW_LEASE_POLL);
    int rc = gw_lease_take(g, l, err);
    if (rc == DG_ELOCKED)
        return 0; /* another live instance polls p this cycle */
    if (rc)
        return rc;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int64_t started = dg_store_now(g->store);
    gw_lease_fence(g, l);
    rc = poll_partner(g, p, second_look, err);
    gw_lease_unfence(g);
    if (rc == DG_ELOCKED) {
        if (l->held)
            gw_lease_lost(g, l, err);
        return 0;
    }
    if (rc == DG_ESTATE)
        return rc;
    dg_error e = {0};
    if (dg_store_poll_record(g->store, p->name, started, elapsed_ms(&t0), rc ? err->msg : NULL, &e))
        dg_log_warn("partner=%s outcome=poll-not-recorded reason=\"%s\"", p->name, e.msg);
    return rc;
}
