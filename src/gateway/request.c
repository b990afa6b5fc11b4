/* Requests to a running daemon: a manual `poll --once` while `dropgate run` holds the state
 * store's lock is handed to the daemon (a file in <state_dir>/requests, SIGUSR1 to wake it) and
 * answered by it between two of its own polls, so the two never run a cycle at the same time. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "gateway/gw_internal.h"

void dg_gw_stats_format(const dg_gw_stats *s, char *out, size_t size)
{
    snprintf(out, size,
             "poll: %ld file(s) taken: %ld processed, %ld duplicate, %ld quarantined, %ld waiting, "
             "%ld unchanged (left in place, not fetched); "
             "%ld order(s), %ld shipment(s), %ld invoice(s), %ld stock feed(s), %ld 997(s) in; "
             "%ld PO(s) sent, %ld tracking file(s) sent, %ld 997(s) sent, %ld send failure(s)",
             s->taken, s->processed, s->duplicates, s->quarantined, s->waiting, s->unchanged,
             s->orders, s->shipments, s->invoices, s->stock, s->acks_in, s->pos_sent,
             s->tracking_sent, s->acks_out, s->send_failed);
}

int dg_gw_poll_exit(int rc, const dg_gw_stats *s)
{
    if (rc == DG_ESTATE || rc == DG_EIO || rc == DG_ECONFIG)
        return 2;
    return rc ? 1 : s->quarantined > 0 ? 3 : 0;
}

static void req_dir(const dg_gw_config *cfg, char *out, size_t size)
{
    snprintf(out, size, "%s/requests", cfg->state_dir);
}

/* The daemon's pid from the lock file it holds; 0 when unknown. */
static long daemon_pid(const dg_gw_config *cfg)
{
    char path[1100], buf[32] = "";
    snprintf(path, sizeof path, "%s.lock", cfg->lock_base);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    if (!fgets(buf, sizeof buf, f))
        buf[0] = '\0';
    fclose(f);
    return strtol(buf, NULL, 10);
}

static int write_file(const char *path, const char *text, dg_error *err)
{
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return dg_error_set(err, DG_EIO, "%s: %s", tmp, strerror(errno));
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return dg_error_set(err, DG_EIO, "%s: cannot write", path);
    }
    return 0;
}

/* One line value: a reason with a newline must not become a second key. */
static void put_value(dg_buf *b, const char *key, const char *v)
{
    dg_buf_printf(b, "%s=", key);
    for (const char *p = v ? v : ""; *p; p++)
        dg_buf_putc(b, *p == '\n' || *p == '\r' ? ' ' : *p);
    dg_buf_putc(b, '\n');
}

int dg_gw_request_send(const dg_gw_config *cfg, const dg_gw_request *rq, long timeout_s,
                       int *exit_code, char *out, size_t out_size, char *errs, size_t errs_size,
                       dg_error *err)
{
    char dir[1100], req[1300], done[1300], work[1300];
    req_dir(cfg, dir, sizeof dir);
    int rc = dg_fs_mkdirs(dir, err);
    if (rc)
        return rc;
    long pid = daemon_pid(cfg);
    if (pid <= 0 || kill((pid_t)pid, 0) != 0)
        return dg_error_set(err, DG_ENOTFOUND, "no running daemon found (%s.lock)", cfg->lock_base);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char name[96];
    snprintf(name, sizeof name, "%s-%ld-%lld%09ld", rq->action, (long)getpid(),
             (long long)ts.tv_sec, ts.tv_nsec);
    snprintf(req, sizeof req, "%s/%s.req", dir, name);
    snprintf(work, sizeof work, "%s/%s.work", dir, name);
    snprintf(done, sizeof done, "%s/%s.done", dir, name);
    dg_buf body = DG_BUF_INIT;
    put_value(&body, "action", rq->action);
    put_value(&body, "partner", rq->partner);
    dg_buf_printf(&body, "file_id=%lld\njson=%d\n", (long long)rq->file_id, rq->json ? 1 : 0);
    put_value(&body, "actor", rq->actor);
    put_value(&body, "reason", rq->reason);
    dg_buf_putc(&body, '\0');
    rc = write_file(req, body.data, err);
    dg_buf_free(&body);
    if (rc)
        return rc;
    kill((pid_t)pid, SIGUSR1); /* the daemon also looks every few seconds without it */
    for (long waited = 0; waited < timeout_s * 20; waited++) {
        FILE *f = fopen(done, "r");
        if (f) {
            char line[64] = "";
            if (!fgets(line, sizeof line, f))
                line[0] = '\0';
            *exit_code = (int)strtol(line + (strncmp(line, "exit=", 5) ? 0 : 5), NULL, 10);
            char *all = calloc(1, out_size + errs_size + 2);
            size_t n = all ? fread(all, 1, out_size + errs_size, f) : 0;
            fclose(f);
            unlink(done);
            /* stdout text, then a record separator, then stderr text */
            char *sep = all ? memchr(all, '\x1e', n) : NULL;
            snprintf(out, out_size, "%.*s", (int)(sep ? (size_t)(sep - all) : n), all ? all : "");
            snprintf(errs, errs_size, "%s", sep ? sep + 1 : "");
            free(all);
            return 0;
        }
        if (kill((pid_t)pid, 0) != 0 && access(work, F_OK) != 0) {
            unlink(req);
            return dg_error_set(err, DG_ENOTFOUND,
                                "the daemon (pid %ld) stopped before it answered", pid);
        }
        struct timespec nap = {0, 50 * 1000000L};
        nanosleep(&nap, NULL);
    }
    bool taken = unlink(req) != 0; /* not taken yet: withdrawn */
    return dg_error_set(
        err, DG_ETIMEOUT, "the daemon (pid %ld) did not answer within %lds%s", pid, timeout_s,
        taken ? " (it is running the request; see its log)" : " (request withdrawn)");
}

int dg_gw_request_poll(const dg_gw_config *cfg, const char *partner, long timeout_s, int *exit_code,
                       char *text, size_t size, dg_error *err)
{
    dg_gw_request rq = {"poll", partner, 0, NULL, NULL, false};
    char errs[1200];
    int rc = dg_gw_request_send(cfg, &rq, timeout_s, exit_code, text, size, errs, sizeof errs, err);
    if (!rc && *errs) { /* one text, as before */
        size_t len = strlen(text);
        snprintf(text + len, size - len, "%s", errs);
    }
    return rc;
}

/* The value of key in a request body ("" when absent). */
static const char *value(const char *body, const char *key, char *buf, size_t size)
{
    size_t k = strlen(key);
    for (const char *p = body; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (!strncmp(p, key, k) && p[k] == '=') {
            const char *v = p + k + 1;
            snprintf(buf, size, "%.*s", (int)strcspn(v, "\n"), v);
            return buf;
        }
    buf[0] = '\0';
    return buf;
}

/* A poll as `poll --once` would run it: the cycle's own figures (the counters only grow). */
static int serve_poll(dg_gw *g, const char *partner, dg_buf *out, dg_buf *errs)
{
    dg_error err = {0};
    dg_gw_stats before = g->stats, diff;
    int rc = dg_gw_cycle(g, *partner ? partner : NULL, false, &err);
    const long *a = (const long *)&g->stats, *b = (const long *)&before;
    long *d = (long *)&diff;
    for (size_t i = 0; i < sizeof diff / sizeof(long); i++) /* every field is a long */
        d[i] = a[i] - b[i];
    char summary[1024];
    dg_gw_stats_format(&diff, summary, sizeof summary);
    dg_buf_printf(out, "%s (run by the daemon, pid %ld)\n", summary, (long)getpid());
    if (rc)
        dg_buf_printf(errs, "dropgate poll: %s\n", err.msg);
    return dg_gw_poll_exit(rc, &diff);
}

/* Runs one request file (already claimed as path .work) and answers it in .done. */
static void serve_one(dg_gw *g, const char *dir, const char *base)
{
    char work[1400], done[1400], body[4096] = "";
    snprintf(work, sizeof work, "%s/%s.work", dir, base);
    snprintf(done, sizeof done, "%s/%s.done", dir, base);
    FILE *f = fopen(work, "r");
    if (f) {
        size_t n = fread(body, 1, sizeof body - 1, f);
        body[n] = '\0';
        fclose(f);
    }
    char action[32], partner[256], file[32], json[8], actor[256], reason[1024];
    value(body, "action", action, sizeof action);
    value(body, "partner", partner, sizeof partner);
    value(body, "file_id", file, sizeof file);
    value(body, "json", json, sizeof json);
    value(body, "actor", actor, sizeof actor);
    value(body, "reason", reason, sizeof reason);
    dg_buf out = DG_BUF_INIT, errs = DG_BUF_INIT;
    int code;
    if (*partner && !dg_gw_config_partner(g->cfg, partner)) {
        code = 2;
        dg_buf_printf(&errs, "dropgate %s: no partner named '%s' in the daemon's configuration\n",
                      action, partner);
    } else if (!strcmp(action, "poll")) {
        code = serve_poll(g, partner, &out, &errs);
    } else if (!strcmp(action, "reprocess")) {
        code = dg_gw_reprocess_report(g, strtoll(file, NULL, 10), *partner ? partner : NULL,
                                      *actor ? actor : "unknown", *reason ? reason : NULL,
                                      !strcmp(json, "1"), &out, &errs);
    } else {
        code = 2;
        dg_buf_printf(&errs, "dropgate: the daemon does not know the request '%s'\n", action);
    }
    dg_buf answer = DG_BUF_INIT;
    dg_buf_printf(&answer, "exit=%d\n", code);
    dg_buf_append(&answer, out.data ? out.data : "", out.len);
    dg_buf_putc(&answer, '\x1e');
    dg_buf_append(&answer, errs.data ? errs.data : "", errs.len);
    dg_buf_putc(&answer, '\0');
    dg_error werr = {0};
    if (write_file(done, answer.data, &werr))
        dg_log_error("outcome=request-unanswered request=%s reason=\"%s\"", base, werr.msg);
    dg_buf_free(&answer);
    dg_buf_free(&out);
    dg_buf_free(&errs);
    unlink(work);
    dg_log_info("outcome=%s-request request=%s partner=%s exit=%d", action, base,
                *partner ? partner : "all", code);
}

int dg_gw_serve_requests(dg_gw *g)
{
    char dir[1100];
    req_dir(g->cfg, dir, sizeof dir);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int served = 0;
    struct dirent *e;
    /* names first (the loop renames files in the folder it reads) */
    char(*names)[256] = NULL;
    size_t n = 0, cap = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || len >= 250 || strcmp(e->d_name + len - 4, ".req") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            char(*grown)[256] = realloc(names, cap * sizeof *names);
            if (!grown)
                break;
            names = grown;
        }
        snprintf(names[n], sizeof names[n], "%.*s", (int)(len - 4), e->d_name);
        n++;
    }
    closedir(d);
    for (size_t i = 0; i < n && !dg_gw_stop_requested; i++) {
        char req[1400], work[1400];
        snprintf(req, sizeof req, "%s/%s.req", dir, names[i]);
        snprintf(work, sizeof work, "%s/%s.work", dir, names[i]);
        if (rename(req, work) != 0) /* withdrawn by its client */
            continue;
        serve_one(g, dir, names[i]);
        served++;
    }
    free(names);
    return served;
}
