/* The transport handle shared by all back ends: path checks against the root, retries with
 * exponential backoff on network failures, and fetch into "local.part" -> fsync -> rename. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "transport/transport_internal.h"

static const tr_ops *ops_for(const char *kind)
{
    if (!kind)
        return NULL;
    if (!strcmp(kind, "local"))
        return &dg_tr_local_ops;
    if (!strcmp(kind, "sftp"))
        return &dg_tr_sftp_ops;
    if (!strcmp(kind, "ftp") || !strcmp(kind, "ftps"))
        return &dg_tr_ftp_ops;
    if (!strcmp(kind, "https"))
        return &dg_tr_https_ops;
    return NULL;
}

static const char *keep(dg_transport *t, size_t slot, const char *s)
{
    if (!s)
        return NULL;
    t->strings[slot] = strdup(s);
    if (!t->strings[slot])
        abort();
    return t->strings[slot];
}

static void forget_secret(char *s)
{
    if (s) {
        volatile char *p = s;
        while (*p)
            *p++ = '\0';
    }
}

static bool is_remote(const dg_transport *t)
{
    return t->ops != &dg_tr_local_ops;
}

/* Refuses ".." so a configured folder (or a partner-chosen name) never leaves the root. */
static int check_rel(const char *rel, dg_error *err)
{
    /* A line break would end an FTP command early and start another. */
    if (strpbrk(rel, "\r\n"))
        return dg_error_set(err, DG_EINVAL, "path contains a line break: refused");
    const char *p = rel;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return dg_error_set(err, DG_EINVAL, "path '%s' leaves the transport root ('..')", rel);
        p += n;
        while (*p == '/')
            p++;
    }
    return 0;
}

/* Full server path of rel: root/rel (a leading '/' in rel still stays under root). */
static int resolve(const dg_transport *t, const char *rel, char *out, size_t size, dg_error *err)
{
    if (!rel)
        rel = "";
    int rc = check_rel(rel, err);
    if (rc)
        return rc;
    const char *root = t->cfg.root;
    if (root && *root) {
        while (*rel == '/')
            rel++;
        tr_join(out, size, root, rel);
    } else {
        snprintf(out, size, "%s", *rel ? rel : ".");
    }
    if (strlen(out) + 1 >= size)
        return dg_error_set(err, DG_EINVAL, "path '%s' is too long", rel);
    return 0;
}

void tr_join(char *out, size_t size, const char *base, const char *rel)
{
    if (!rel || !*rel || !strcmp(rel, "."))
        snprintf(out, size, "%s", base);
    else if (!base || !*base || !strcmp(base, "."))
        snprintf(out, size, "%s", rel);
    else
        snprintf(out, size, "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/",
                 rel[0] == '/' ? rel + 1 : rel);
}

dg_remote_file *tr_list_add(tr_list *l)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        dg_remote_file *items = realloc(l->items, cap * sizeof *items);
        if (!items)
            abort();
        l->items = items;
        l->cap = cap;
    }
    dg_remote_file *f = &l->items[l->n++];
    memset(f, 0, sizeof *f);
    return f;
}

static void describe(dg_transport *t)
{
    const dg_transport_config *c = &t->cfg;
    if (!is_remote(t)) {
        snprintf(t->describe, sizeof t->describe, "local:%s", c->root ? c->root : ".");
        return;
    }
    const char *root = c->root && *c->root ? c->root : "";
    snprintf(t->describe, sizeof t->describe, "%s://%s%s%s:%d%s%s", c->kind, c->user ? c->user : "",
             c->user ? "@" : "", c->host, c->port, *root && *root != '/' ? "/" : "", root);
}

static bool retriable(int rc)
{
    return rc == DG_ENET || rc == DG_ETIMEOUT;
}

static void disconnect(dg_transport *t)
{
    if (t->connected)
        t->ops->disconnect(t);
    t->connected = false;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

typedef int (*tr_call)(dg_transport *t, void *args, dg_error *err);

/* Runs call, reconnecting first when needed; on a network failure disconnects, logs, waits
 * backoff_ms (doubled each time) and tries again, at most cfg.retries more times. */
static int with_retry(dg_transport *t, const char *op, const char *path, tr_call call, void *args,
                      dg_error *err)
{
    long backoff = t->cfg.backoff_ms > 0 ? t->cfg.backoff_ms : 500;
    int retries = t->cfg.retries >= 0 ? t->cfg.retries : 0;
    for (int attempt = 0;; attempt++) {
        int rc = 0;
        t->retry_after_ms = 0;
        if (!t->connected) {
            rc = t->ops->connect(t, err);
            t->connected = rc == 0;
        }
        if (!rc && call)
            rc = call(t, args, err);
        if (!rc)
            return 0;
        if (retriable(rc))
            disconnect(t);
        if (!retriable(rc) || attempt >= retries) {
            if (retriable(rc) && retries > 0)
                dg_log_warn("transport=%s op=%s path=%s outcome=gave-up attempts=%d error=%s "
                            "reason=\"%s\"",
                            t->describe, op, path, attempt + 1, dg_error_name(rc),
                            err ? err->msg : "");
            return rc;
        }
        /* An HTTP server that said when to come back (429/503 Retry-After) is waited for; one
         * that asks for more than a minute gets its answer at the next poll. */
        long wait = backoff;
        if (t->retry_after_ms > 0) {
            wait = t->retry_after_ms > backoff ? t->retry_after_ms : backoff;
            t->retry_after_ms = 0;
            if (wait > 60000) {
                dg_log_warn("transport=%s op=%s path=%s outcome=gave-up attempts=%d "
                            "reason=\"the server asks to retry in %lds: left for the next poll\"",
                            t->describe, op, path, attempt + 1, wait / 1000);
                return rc;
            }
        }
        dg_log_warn("transport=%s op=%s path=%s outcome=retry attempt=%d/%d error=%s "
                    "reason=\"%s\" retry_in=%ldms",
                    t->describe, op, path, attempt + 1, retries + 1, dg_error_name(rc),
                    err ? err->msg : "", wait);
        sleep_ms(wait);
        backoff = backoff > 30000 ? 60000 : backoff * 2;
    }
}

int dg_transport_open(const dg_transport_config *cfg, dg_transport **out, dg_error *err)
{
    *out = NULL;
    const tr_ops *ops = ops_for(cfg->kind);
    if (!ops)
        return dg_error_set(err, DG_ECONFIG,
                            "transport kind '%s' is not local, sftp, ftp, ftps or https",
                            cfg->kind ? cfg->kind : "(none)");
    char http_host[512], http_root[1500];
    dg_transport_config hc;
    if (ops == &dg_tr_https_ops) {
        /* host, port and root are those of the base URL */
        if (!cfg->http || !cfg->http->url)
            return dg_error_set(err, DG_ECONFIG, "https transport: no url");
        hc = *cfg;
        int rc = tr_http_split_url(cfg->http->url, http_host, sizeof http_host, &hc.port, http_root,
                                   sizeof http_root, err);
        if (rc)
            return rc;
        hc.host = http_host;
        hc.root = http_root;
        cfg = &hc;
    }
    if (ops != &dg_tr_local_ops && (!cfg->host || !*cfg->host))
        return dg_error_set(err, DG_ECONFIG, "%s transport: no host", cfg->kind);
    if (ops == &dg_tr_local_ops && (!cfg->root || !*cfg->root))
        return dg_error_set(err, DG_ECONFIG, "local transport: no root folder");
    dg_transport *t = calloc(1, sizeof *t);
    if (!t)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    t->ops = ops;
    t->cfg = *cfg;
    t->cfg.kind = keep(t, 0, cfg->kind);
    t->cfg.root = keep(t, 1, cfg->root);
    t->cfg.host = keep(t, 2, cfg->host);
    t->cfg.user = keep(t, 3, cfg->user);
    t->cfg.password = keep(t, 4, cfg->password);
    t->cfg.key_file = keep(t, 5, cfg->key_file);
    t->cfg.key_passphrase = keep(t, 6, cfg->key_passphrase);
    t->cfg.known_hosts = keep(t, 7, cfg->known_hosts);
    t->cfg.ca_file = keep(t, 8, cfg->ca_file);
    if (cfg->http)
        t->cfg.http = t->http = tr_http_dup(cfg->http);
    if (t->cfg.port <= 0)
        t->cfg.port = ops == &dg_tr_sftp_ops ? 22 : ops == &dg_tr_ftp_ops ? 21 : 0;
    if (t->cfg.timeout_ms <= 0)
        t->cfg.timeout_ms = 30000;
    if (t->cfg.keepalive_s < 0)
        t->cfg.keepalive_s = 0;
    describe(t);
    int rc = with_retry(t, "connect", "", NULL, NULL, err);
    if (rc) {
        dg_transport_close(t);
        return rc;
    }
    *out = t;
    return 0;
}

void dg_transport_close(dg_transport *t)
{
    if (!t)
        return;
    disconnect(t);
    if (t->ops->destroy)
        t->ops->destroy(t);
    tr_http_free(t->http);
    forget_secret(t->strings[4]);
    forget_secret(t->strings[6]);
    for (size_t i = 0; i < sizeof t->strings / sizeof *t->strings; i++)
        free(t->strings[i]);
    free(t);
}

const char *dg_transport_describe(const dg_transport *t)
{
    return t ? t->describe : "(none)";
}

/* ---- list ---- */

typedef struct list_args {
    const char *path;
    dg_remote_file **files;
    size_t *n;
} list_args;

static int call_list(dg_transport *t, void *a, dg_error *err)
{
    list_args *la = a;
    return t->ops->list(t, la->path, la->files, la->n, err);
}

int dg_transport_list(dg_transport *t, const char *dir, dg_remote_file **files, size_t *n,
                      dg_error *err)
{
    *files = NULL;
    *n = 0;
    char path[2048];
    int rc = resolve(t, dir, path, sizeof path, err);
    if (rc)
        return rc;
    list_args a = {path, files, n};
    return with_retry(t, "list", path, call_list, &a, err);
}

/* ---- fetch ---- */

typedef struct fetch_args {
    const char *remote, *local;
    char part[2100];
    int fd;
    tr_hasher *sha;
    uint64_t bytes, max_bytes;
    bool too_large, write_failed;
    int write_errno;
} fetch_args;

static int sink_to_file(void *ctx, const void *data, size_t len)
{
    fetch_args *a = ctx;
    const char *p = data;
    size_t left = len;
    if (a->max_bytes && a->bytes + len > a->max_bytes) {
        a->too_large = true;
        return -1;
    }
    while (left) {
        ssize_t w = write(a->fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            a->write_failed = true;
            a->write_errno = errno;
            return -1;
        }
        p += w;
        left -= (size_t)w;
    }
    tr_hasher_update(a->sha, data, len);
    a->bytes += len;
    return 0;
}

static int call_fetch(dg_transport *t, void *v, dg_error *err)
{
    fetch_args *a = v;
    a->fd = open(a->part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (a->fd < 0)
        return dg_error_set(err, DG_EIO, "cannot create '%s': %s", a->part, strerror(errno));
    if (a->sha)
        tr_hasher_end(a->sha, NULL); /* a previous attempt's partial hash */
    a->sha = tr_hasher_begin();
    a->bytes = 0;
    a->write_failed = false;
    a->too_large = false;
    int rc = t->ops->fetch(t, a->remote, sink_to_file, a, err);
    if (a->too_large)
        rc = dg_error_set(err, DG_EVALID,
                          "'%s' is larger than max_file_bytes (%llu bytes): not taken (raise "
                          "max_file_bytes of the drop to take it)",
                          a->remote, (unsigned long long)a->max_bytes);
    else if (a->write_failed)
        rc = dg_error_set(err, DG_EIO, "cannot write '%s': %s", a->part, strerror(a->write_errno));
    if (!rc && !t->cfg.fetch_no_sync && fdatasync(a->fd)) /* data and size, not mtime */
        rc = dg_error_set(err, DG_EIO, "cannot fsync '%s': %s", a->part, strerror(errno));
    if (close(a->fd) && !rc)
        rc = dg_error_set(err, DG_EIO, "cannot close '%s': %s", a->part, strerror(errno));
    a->fd = -1;
    if (!rc && rename(a->part, a->local))
        rc = dg_error_set(err, DG_EIO, "cannot rename '%s' to '%s': %s", a->part, a->local,
                          strerror(errno));
    if (rc)
        unlink(a->part);
    return rc;
}

int dg_transport_fetch(dg_transport *t, const char *remote_path, const char *local_path,
                       char sha256_hex[DG_SHA256_HEX_LEN], uint64_t *bytes, dg_error *err)
{
    return dg_transport_fetch_max(t, remote_path, local_path, 0, sha256_hex, bytes, err);
}

int dg_transport_fetch_max(dg_transport *t, const char *remote_path, const char *local_path,
                           uint64_t max_bytes, char sha256_hex[DG_SHA256_HEX_LEN], uint64_t *bytes,
                           dg_error *err)
{
    char path[2048];
    int rc = resolve(t, remote_path, path, sizeof path, err);
    if (rc)
        return rc;
    fetch_args a = {.remote = path, .local = local_path, .fd = -1, .max_bytes = max_bytes};
    snprintf(a.part, sizeof a.part, "%s.part", local_path);
    rc = with_retry(t, "fetch", path, call_fetch, &a, err);
    char hex[DG_SHA256_HEX_LEN] = "";
    if (a.sha)
        tr_hasher_end(a.sha, hex);
    if (rc)
        return rc;
    char dir[2100];
    snprintf(dir, sizeof dir, "%s", local_path);
    char *slash = strrchr(dir, '/');
    if (t->cfg.fetch_no_sync) {
        /* the caller makes it durable */
    } else if (slash) {
        *slash = '\0';
        dg_fs_sync_dir(*dir ? dir : "/");
    } else {
        dg_fs_sync_dir(".");
    }
    if (sha256_hex)
        memcpy(sha256_hex, hex, DG_SHA256_HEX_LEN);
    if (bytes)
        *bytes = a.bytes;
    return 0;
}

/* ---- put ---- */

typedef struct put_args {
    const char *local, *tmp, *final;
} put_args;

static int call_put(dg_transport *t, void *v, dg_error *err)
{
    put_args *a = v;
    return t->ops->put(t, a->local, a->tmp, a->final, err);
}

int dg_transport_put(dg_transport *t, const char *local_path, const char *remote_dir,
                     const char *name, dg_error *err)
{
    if (!name || !*name || strpbrk(name, "/\r\n") || !strcmp(name, ".") || !strcmp(name, ".."))
        return dg_error_set(err, DG_EINVAL, "upload name '%s' is not a plain file name",
                            name ? name : "");
    if (access(local_path, R_OK))
        return dg_error_set(err, DG_EIO, "cannot read '%s': %s", local_path, strerror(errno));
    char dir[2048], final[2400], tmpname[300], tmp[2400];
    int rc = resolve(t, remote_dir, dir, sizeof dir, err);
    if (rc)
        return rc;
    /* A dot name ending in .part: pollers (ours included) skip it until the rename. */
    snprintf(tmpname, sizeof tmpname, ".%s.part", name);
    tr_join(final, sizeof final, dir, name);
    tr_join(tmp, sizeof tmp, dir, tmpname);
    put_args a = {local_path, tmp, final};
    return with_retry(t, "put", final, call_put, &a, err);
}

/* ---- rename, remove, stat ---- */

typedef struct path2_args {
    const char *a, *b;
    dg_remote_file *st;
} path2_args;

static int call_rename(dg_transport *t, void *v, dg_error *err)
{
    path2_args *p = v;
    return t->ops->rename(t, p->a, p->b, err);
}

static int call_remove(dg_transport *t, void *v, dg_error *err)
{
    path2_args *p = v;
    return t->ops->remove(t, p->a, err);
}

static int call_stat(dg_transport *t, void *v, dg_error *err)
{
    path2_args *p = v;
    return t->ops->stat(t, p->a, p->st, err);
}

static int call_mkdir1(dg_transport *t, void *v, dg_error *err)
{
    path2_args *p = v;
    return t->ops->mkdir1(t, p->a, err);
}

int dg_transport_rename(dg_transport *t, const char *from, const char *to, dg_error *err)
{
    char a[2048], b[2048];
    int rc = resolve(t, from, a, sizeof a, err);
    if (!rc)
        rc = resolve(t, to, b, sizeof b, err);
    if (rc)
        return rc;
    path2_args p = {a, b, NULL};
    return with_retry(t, "rename", a, call_rename, &p, err);
}

int dg_transport_remove(dg_transport *t, const char *path, dg_error *err)
{
    char a[2048];
    int rc = resolve(t, path, a, sizeof a, err);
    if (rc)
        return rc;
    path2_args p = {a, NULL, NULL};
    return with_retry(t, "remove", a, call_remove, &p, err);
}

int dg_transport_stat(dg_transport *t, const char *path, dg_remote_file *out, dg_error *err)
{
    char a[2048];
    int rc = resolve(t, path, a, sizeof a, err);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    path2_args p = {a, NULL, out};
    rc = with_retry(t, "stat", a, call_stat, &p, err);
    if (!rc) {
        const char *slash = strrchr(a, '/');
        snprintf(out->name, sizeof out->name, "%s", slash ? slash + 1 : a);
    }
    return rc;
}

int dg_transport_mkdir(dg_transport *t, const char *path, dg_error *err)
{
    char full[2048];
    int rc = resolve(t, path, full, sizeof full, err);
    if (rc)
        return rc;
    /* Every prefix below the root, shallowest first; the root itself must exist. */
    size_t skip = t->cfg.root && *t->cfg.root ? strlen(t->cfg.root) : 0;
    for (char *p = full + skip + (full[skip] == '/' ? 1 : 0);; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char save = *p;
        *p = '\0';
        if (p > full && p[-1] != '/' && strcmp(full, ".")) {
            path2_args a = {full, NULL, NULL};
            rc = with_retry(t, "mkdir", full, call_mkdir1, &a, err);
        }
        *p = save;
        if (rc || !save)
            return rc;
    }
}

/* ---- listing formats and fingerprints ---- */

static int month_of(const char *m)
{
    static const char *const names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
    for (int i = 0; i < 12; i++)
        if (!strncasecmp(m, names[i], 3) && strlen(m) == 3)
            return i;
    return -1;
}

/* Splits off the next whitespace-separated token of *s into tok; false at the end. */
static bool next_token(const char **s, char *tok, size_t size)
{
    const char *p = *s;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return false;
    size_t n = 0;
    while (p[n] && p[n] != ' ' && p[n] != '\t')
        n++;
    if (n >= size)
        return false;
    memcpy(tok, p, n);
    tok[n] = '\0';
    *s = p + n;
    return true;
}

bool tr_parse_ls_line(const char *line, int64_t now, dg_remote_file *out)
{
    memset(out, 0, sizeof *out);
    const char *s = line;
    char perms[32], links[32], owner[64], group[64], size[32], mon[8], day[8], tm[16];
    if (!next_token(&s, perms, sizeof perms) || strlen(perms) < 10)
        return false;
    char type = perms[0];
    if (type != '-' && type != 'd' && type != 'l')
        return false;
    if (!next_token(&s, links, sizeof links) || !next_token(&s, owner, sizeof owner) ||
        !next_token(&s, group, sizeof group) || !next_token(&s, size, sizeof size) ||
        !next_token(&s, mon, sizeof mon) || !next_token(&s, day, sizeof day) ||
        !next_token(&s, tm, sizeof tm))
        return false;
    int m = month_of(mon);
    char *end;
    unsigned long long sz = strtoull(size, &end, 10);
    if (m < 0 || *end)
        return false;
    if (*s == ' ')
        s++; /* exactly one separator: names may start with spaces on some servers */
    if (!*s)
        return false;
    size_t len = strcspn(s, "\r\n");
    if (type == 'l') {
        const char *arrow = strstr(s, " -> ");
        if (arrow && (size_t)(arrow - s) < len)
            len = (size_t)(arrow - s);
    }
    if (len == 0 || len >= sizeof out->name)
        return false;
    memcpy(out->name, s, len);
    out->name[len] = '\0';
    if (!strcmp(out->name, ".") || !strcmp(out->name, ".."))
        return false;
    struct tm t = {0};
    t.tm_mon = m;
    t.tm_mday = atoi(day);
    int hh = 0, mm = 0, year = 0;
    if (sscanf(tm, "%d:%d", &hh, &mm) == 2) {
        time_t nt = (time_t)now;
        struct tm nowtm;
        gmtime_r(&nt, &nowtm);
        t.tm_year = nowtm.tm_year;
        t.tm_hour = hh;
        t.tm_min = mm;
        /* "Mon dd hh:mm" is within the last six months: a date ahead of now is last year's. */
        if ((int64_t)timegm(&t) > now + 86400)
            t.tm_year--;
    } else if (sscanf(tm, "%d", &year) == 1 && year > 1900) {
        t.tm_year = year - 1900;
    } else {
        return false;
    }
    out->mtime = (int64_t)timegm(&t);
    out->size = (uint64_t)sz;
    out->is_dir = type == 'd';
    return true;
}

bool tr_parse_mlsd_line(const char *line, dg_remote_file *out)
{
    memset(out, 0, sizeof *out);
    const char *sp = strchr(line, ' ');
    if (!sp)
        return false;
    size_t len = strcspn(sp + 1, "\r\n");
    if (len == 0 || len >= sizeof out->name)
        return false;
    memcpy(out->name, sp + 1, len);
    out->name[len] = '\0';
    bool typed = false;
    for (const char *f = line; f < sp;) {
        const char *semi = memchr(f, ';', (size_t)(sp - f));
        size_t flen = semi ? (size_t)(semi - f) : (size_t)(sp - f);
        char fact[128];
        if (flen < sizeof fact) {
            memcpy(fact, f, flen);
            fact[flen] = '\0';
            if (!strncasecmp(fact, "type=", 5)) {
                const char *v = fact + 5;
                if (!strcasecmp(v, "cdir") || !strcasecmp(v, "pdir"))
                    return false;
                if (!strcasecmp(v, "dir"))
                    out->is_dir = true;
                else if (strcasecmp(v, "file") && strncasecmp(v, "OS.unix=slink", 13))
                    return false; /* devices, sockets and the like */
                typed = true;
            } else if (!strncasecmp(fact, "size=", 5)) {
                out->size = strtoull(fact + 5, NULL, 10);
            } else if (!strncasecmp(fact, "modify=", 7) && strlen(fact) >= 21) {
                struct tm t = {0};
                if (sscanf(fact + 7, "%4d%2d%2d%2d%2d%2d", &t.tm_year, &t.tm_mon, &t.tm_mday,
                           &t.tm_hour, &t.tm_min, &t.tm_sec) == 6) {
                    t.tm_year -= 1900;
                    t.tm_mon -= 1;
                    out->mtime = (int64_t)timegm(&t);
                }
            }
        }
        if (!semi)
            break;
        f = semi + 1;
    }
    return typed && strcmp(out->name, ".") && strcmp(out->name, "..");
}

void tr_base64_nopad(const unsigned char *in, size_t len, char *out, size_t size)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < size; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        out[o++] = tab[(v >> 18) & 63];
        out[o++] = tab[(v >> 12) & 63];
        if (i + 1 < len)
            out[o++] = tab[(v >> 6) & 63];
        if (i + 2 < len)
            out[o++] = tab[v & 63];
    }
    out[o] = '\0';
}
