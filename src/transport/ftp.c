/* FTP and FTPS (explicit AUTH TLS, TLS required on both channels) over one reused libcurl easy
 * handle, so a poll cycle keeps one control connection. Passive mode; MLSD when FEAT offers it,
 * LIST (unix "ls -l") otherwise; uploads go to a dot temp name and are renamed in the same call. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <pthread.h>

#include <curl/curl.h>

#include "core/buf.h"
#include "core/log.h"
#include "transport/transport_internal.h"

typedef struct ftp_state {
    CURL *curl;
    CURLM *multi; /* drives curl (see perform) and holds its connection cache */
    char errbuf[CURL_ERROR_SIZE];
    char base[600];   /* "ftp://host:port" */
    char entry[1024]; /* login folder (PWD), so relative paths work over a reused link */
    int mlsd;         /* -1 unknown, 0 no, 1 yes */
    dg_buf headers;   /* control-channel replies of the last call (FEAT) */
} ftp_state;

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static CURLcode g_init_rc;

static void init_curl(void)
{
    g_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static ftp_state *st_of(dg_transport *t)
{
    return t->impl;
}

static bool is_ftps(const dg_transport *t)
{
    return !strcmp(t->cfg.kind, "ftps");
}

/* Absolute server path: relative paths are taken from the login folder. */
static void absolute(dg_transport *t, const char *path, char *out, size_t size)
{
    ftp_state *s = st_of(t);
    if (path[0] == '/')
        snprintf(out, size, "%s", path);
    else if (!strcmp(path, "."))
        snprintf(out, size, "%s", s->entry[0] ? s->entry : "/");
    else
        tr_join(out, size, s->entry[0] ? s->entry : "/", path);
}

/* ftp://host:port/%2F<escaped absolute path>[/] ("%2F" makes curl start from the root). */
static int make_url(dg_transport *t, const char *path, bool dir, dg_buf *url, dg_error *err)
{
    ftp_state *s = st_of(t);
    char abs[2400];
    absolute(t, path, abs, sizeof abs);
    dg_buf_clear(url);
    dg_buf_puts(url, s->base);
    dg_buf_puts(url, "/%2F");
    const char *p = abs;
    while (*p == '/')
        p++;
    bool first = true;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n) {
            char *esc = curl_easy_escape(s->curl, p, (int)n);
            if (!esc)
                return dg_error_set(err, DG_ENOMEM, "out of memory");
            if (!first)
                dg_buf_putc(url, '/');
            dg_buf_puts(url, esc);
            curl_free(esc);
            first = false;
        }
        p += n;
        while (*p == '/')
            p++;
    }
    if (dir && !first)
        dg_buf_putc(url, '/');
    return 0;
}

static int map_curl(dg_transport *t, CURLcode c, const char *what, const char *path, dg_error *err)
{
    ftp_state *s = st_of(t);
    const char *detail = s->errbuf[0] ? s->errbuf : curl_easy_strerror(c);
    int code;
    switch (c) {
    case CURLE_OPERATION_TIMEDOUT: code = DG_ETIMEOUT; break;
    case CURLE_LOGIN_DENIED:
        return dg_error_set(err, DG_EAUTH, "%s: login refused for user '%s' (%s)", t->describe,
                            t->cfg.user ? t->cfg.user : "", detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        return dg_error_set(err, DG_EHOSTKEY,
                            "%s: the server's TLS certificate is not trusted (%s); refused. "
                            "Set ca_file to the CA that signed it",
                            t->describe, detail);
    case CURLE_USE_SSL_FAILED:
        return dg_error_set(err, DG_EHOSTKEY, "%s: the server does not offer TLS (AUTH TLS)",
                            t->describe);
    case CURLE_REMOTE_FILE_NOT_FOUND:
    case CURLE_FTP_COULDNT_RETR_FILE:
    case CURLE_REMOTE_ACCESS_DENIED: code = DG_ENOTFOUND; break;
    case CURLE_QUOTE_ERROR:
    case CURLE_UPLOAD_FAILED:
    case CURLE_WRITE_ERROR:
    case CURLE_READ_ERROR:
    case CURLE_REMOTE_DISK_FULL:
    case CURLE_FILE_COULDNT_READ_FILE:
    case CURLE_ABORTED_BY_CALLBACK: code = DG_EIO; break;
    default: code = DG_ENET; break;
    }
    return dg_error_set(err, code, "%s: %s '%s': %s", t->describe, what, path, detail);
}

static size_t header_cb(char *data, size_t size, size_t n, void *ctx)
{
    dg_buf *b = ctx;
    if (b->len < 65536)
        dg_buf_append(b, data, size * n);
    return size * n;
}

static size_t discard(char *data, size_t size, size_t n, void *ctx)
{
    (void)data;
    (void)ctx;
    return size * n;
}

/* Options every call shares; the per-call ones are reset before each perform. */
static void base_options(dg_transport *t)
{
    ftp_state *s = st_of(t);
    CURL *c = s->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_USERNAME, t->cfg.user ? t->cfg.user : "anonymous");
    curl_easy_setopt(c, CURLOPT_PASSWORD, t->cfg.password ? t->cfg.password : "");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, t->cfg.timeout_ms);
    curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, (t->cfg.timeout_ms + 999) / 1000);
    curl_easy_setopt(c, CURLOPT_ACCEPTTIMEOUT_MS, t->cfg.timeout_ms);
    /* A transfer may take long; one that stalls for the timeout is dead. */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (t->cfg.timeout_ms + 999) / 1000);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPIDLE, t->cfg.keepalive_s > 0 ? t->cfg.keepalive_s : 60L);
    curl_easy_setopt(c, CURLOPT_FTP_USE_EPSV, 1L);
    curl_easy_setopt(c, CURLOPT_FTP_FILEMETHOD, (long)CURLFTPMETHOD_SINGLECWD);
    curl_easy_setopt(c, CURLOPT_FTP_SKIP_PASV_IP, 1L);
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
    curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 2L * 1024 * 1024);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "ftp");
    if (is_ftps(t)) {
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
        curl_easy_setopt(c, CURLOPT_FTPSSLAUTH, (long)CURLFTPAUTH_TLS);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, t->cfg.verify_tls ? 1L : 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, t->cfg.verify_tls ? 2L : 0L);
        if (t->cfg.ca_file && *t->cfg.ca_file)
            curl_easy_setopt(c, CURLOPT_CAINFO, t->cfg.ca_file);
    }
    s->errbuf[0] = '\0';
}

/* Passes in a row in which curl had nothing to wait on before perform sleeps as
 * curl_multi_poll does (until curl's next timer): no busy loop in a state that only waits for
 * time to pass. */
#define IDLE_PASSES_MAX 8

/* curl_easy_perform, without its one-second sleep after a quick EPSV/PASV answer. When the
 * server's "229" is already there as libcurl 7.88 (Debian 12) sends EPSV, it reads it, sets
 * the data connection up without opening its socket yet, and has nothing to wait on: the
 * easy interface then sleeps its default second before the next pass opens the socket (traced
 * with strace: poll on nothing for 1.00 s, then socket(); 1 of 3-30 small transfers, 3-50
 * transfers/s instead of hundreds, for curl(1) alike). curl_multi_wait returns at once when
 * curl has nothing to wait on, so the next pass comes straight away. */
static CURLcode perform(ftp_state *s)
{
    s->errbuf[0] = '\0';
    if (curl_multi_add_handle(s->multi, s->curl))
        return CURLE_OUT_OF_MEMORY;
    int running = 1, idle = 0;
    CURLMcode mc = CURLM_OK;
    while (mc == CURLM_OK) {
        mc = curl_multi_perform(s->multi, &running);
        if (mc != CURLM_OK || !running)
            break;
        int ready = 0;
        if (idle < IDLE_PASSES_MAX)
            mc = curl_multi_wait(s->multi, NULL, 0, 1000, &ready);
        else
            mc = curl_multi_poll(s->multi, NULL, 0, 1000, &ready);
        idle = ready ? 0 : idle + 1;
    }
    CURLcode rc = mc == CURLM_OK ? CURLE_OK : CURLE_OUT_OF_MEMORY;
    int left = 0;
    for (CURLMsg *m; (m = curl_multi_info_read(s->multi, &left));)
        if (m->msg == CURLMSG_DONE && m->easy_handle == s->curl)
            rc = m->data.result;
    curl_multi_remove_handle(s->multi, s->curl);
    return rc;
}

static void ftp_disconnect(dg_transport *t)
{
    ftp_state *s = st_of(t);
    if (!s)
        return;
    if (s->multi && s->curl)
        curl_multi_remove_handle(s->multi, s->curl);
    if (s->multi) /* closes the connection it holds */
        curl_multi_cleanup(s->multi);
    if (s->curl)
        curl_easy_cleanup(s->curl);
    dg_buf_free(&s->headers);
    free(s);
    t->impl = NULL;
}

/* Logs in (a no-body request on the login folder) and learns the login folder. */
static int ftp_connect(dg_transport *t, dg_error *err)
{
    pthread_once(&g_once, init_curl);
    if (g_init_rc)
        return dg_error_set(err, DG_ENET, "curl_global_init failed");
    ftp_state *s = calloc(1, sizeof *s);
    if (!s)
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    t->impl = s;
    s->mlsd = -1;
    s->curl = curl_easy_init();
    s->multi = curl_multi_init();
    if (!s->curl || !s->multi) {
        ftp_disconnect(t);
        return dg_error_set(err, DG_ENOMEM, "curl_easy_init failed");
    }
    const char *host = t->cfg.host;
    bool v6 = strchr(host, ':') != NULL;
    snprintf(s->base, sizeof s->base, "ftp://%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "",
             t->cfg.port);
    base_options(t);
    char url[700];
    snprintf(url, sizeof url, "%s/", s->base);
    curl_easy_setopt(s->curl, CURLOPT_URL, url);
    curl_easy_setopt(s->curl, CURLOPT_NOBODY, 1L);
    CURLcode c = perform(s);
    if (c) {
        int rc = map_curl(t, c, "cannot log in at", "/", err);
        if (rc == DG_ENOTFOUND)
            rc = dg_error_set(err, DG_ENET, "%s: cannot log in: %s", t->describe, err->msg);
        ftp_disconnect(t);
        return rc;
    }
    char *entry = NULL;
    if (!curl_easy_getinfo(s->curl, CURLINFO_FTP_ENTRY_PATH, &entry) && entry)
        snprintf(s->entry, sizeof s->entry, "%s", entry);
    else
        snprintf(s->entry, sizeof s->entry, "/");
    return 0;
}

/* Runs a list of FTP commands on the reused connection (no transfer). A leading '*' lets a
 * command fail without failing the call. */
static CURLcode quote(dg_transport *t, const char *const *cmds, size_t n)
{
    ftp_state *s = st_of(t);
    struct curl_slist *l = NULL;
    for (size_t i = 0; i < n; i++)
        l = curl_slist_append(l, cmds[i]);
    base_options(t);
    char url[700];
    snprintf(url, sizeof url, "%s/", s->base);
    curl_easy_setopt(s->curl, CURLOPT_URL, url);
    curl_easy_setopt(s->curl, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(s->curl, CURLOPT_QUOTE, l);
    dg_buf_clear(&s->headers);
    curl_easy_setopt(s->curl, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(s->curl, CURLOPT_HEADERDATA, &s->headers);
    CURLcode c = perform(s);
    curl_easy_setopt(s->curl, CURLOPT_QUOTE, NULL);
    curl_slist_free_all(l);
    return c;
}

static void detect_mlsd(dg_transport *t)
{
    ftp_state *s = st_of(t);
    if (s->mlsd >= 0)
        return;
    static const char *const feat[] = {"*FEAT"};
    s->mlsd = 0;
    if (quote(t, feat, 1) == CURLE_OK && s->headers.data) {
        /* FEAT lists one feature per line, indented: " MLST type*;size*;modify*;". */
        for (const char *p = s->headers.data; (p = strstr(p, "MLST")); p += 4)
            if (p > s->headers.data && p[-1] == ' ') {
                s->mlsd = 1;
                break;
            }
    }
    dg_log_debug("transport=%s listing=%s", t->describe, s->mlsd ? "MLSD" : "LIST");
}

static size_t to_buf(char *data, size_t size, size_t n, void *ctx)
{
    dg_buf_append(ctx, data, size * n);
    return size * n;
}

static int ftp_stat(dg_transport *t, const char *path, dg_remote_file *out, dg_error *err);

/* LIST times have minute precision. A file written in the last minutes may still be growing,
 * and the poller's stable check compares mtimes: ask MDTM/SIZE for those (a bounded number),
 * so two looks within one minute still see a change. */
static void refine_recent(dg_transport *t, const char *dir, tr_list *l, int64_t now)
{
    int asked = 0;
    for (size_t i = 0; i < l->n && asked < 100; i++) {
        dg_remote_file *f = &l->items[i];
        if (f->is_dir || now - f->mtime > 15 * 60)
            continue;
        char path[2400];
        tr_join(path, sizeof path, dir, f->name);
        dg_remote_file st;
        dg_error ignored = {0};
        asked++;
        if (!ftp_stat(t, path, &st, &ignored)) {
            f->mtime = st.mtime;
            f->size = st.size;
        }
    }
}

static int ftp_list(dg_transport *t, const char *dir, dg_remote_file **files, size_t *n,
                    dg_error *err)
{
    ftp_state *s = st_of(t);
    detect_mlsd(t);
    dg_buf url = DG_BUF_INIT, body = DG_BUF_INIT;
    int rc = make_url(t, dir, true, &url, err);
    if (rc)
        return rc;
    base_options(t);
    curl_easy_setopt(s->curl, CURLOPT_URL, url.data);
    curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, to_buf);
    curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, &body);
    if (s->mlsd)
        curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, "MLSD");
    else
        curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, "LIST");
    CURLcode c = perform(s);
    dg_buf_free(&url);
    if (c) {
        dg_buf_free(&body);
        return map_curl(t, c, "cannot list", dir, err);
    }
    tr_list l = {0};
    int64_t now = (int64_t)time(NULL);
    for (char *line = body.data; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        dg_remote_file f;
        bool ok = s->mlsd ? tr_parse_mlsd_line(line, &f) : tr_parse_ls_line(line, now, &f);
        if (ok)
            *tr_list_add(&l) = f;
        line = nl ? nl + 1 : NULL;
    }
    dg_buf_free(&body);
    if (!s->mlsd)
        refine_recent(t, dir, &l, now);
    *files = l.items;
    *n = l.n;
    return 0;
}

typedef struct fetch_ctx {
    tr_sink sink;
    void *ctx;
    bool failed;
} fetch_ctx;

static size_t to_sink(char *data, size_t size, size_t n, void *v)
{
    fetch_ctx *f = v;
    if (f->sink(f->ctx, data, size * n)) {
        f->failed = true;
        return 0;
    }
    return size * n;
}

static int ftp_fetch(dg_transport *t, const char *path, tr_sink sink, void *ctx, dg_error *err)
{
    ftp_state *s = st_of(t);
    dg_buf url = DG_BUF_INIT;
    int rc = make_url(t, path, false, &url, err);
    if (rc)
        return rc;
    fetch_ctx f = {sink, ctx, false};
    base_options(t);
    curl_easy_setopt(s->curl, CURLOPT_URL, url.data);
    curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, to_sink);
    curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, &f);
    CURLcode c = perform(s);
    dg_buf_free(&url);
    if (f.failed)
        return dg_error_set(err, DG_EIO, "%s: cannot store '%s' locally", t->describe, path);
    return c ? map_curl(t, c, "cannot download", path, err) : 0;
}

static size_t from_file(char *data, size_t size, size_t n, void *v)
{
    FILE *f = v;
    size_t r = fread(data, 1, size * n, f);
    if (r == 0 && ferror(f))
        return CURL_READFUNC_ABORT;
    return r;
}

static int ftp_put(dg_transport *t, const char *local_path, const char *tmp_path,
                   const char *final_path, dg_error *err)
{
    ftp_state *s = st_of(t);
    FILE *in = fopen(local_path, "rb");
    if (!in)
        return dg_error_set(err, DG_EIO, "cannot open '%s': %s", local_path, strerror(errno));
    fseeko(in, 0, SEEK_END);
    off_t size = ftello(in);
    rewind(in);
    dg_buf url = DG_BUF_INIT;
    int rc = make_url(t, tmp_path, false, &url, err);
    if (rc) {
        fclose(in);
        return rc;
    }
    char from[2500], to[2500], abs_tmp[2400], abs_final[2400];
    absolute(t, tmp_path, abs_tmp, sizeof abs_tmp);
    absolute(t, final_path, abs_final, sizeof abs_final);
    snprintf(from, sizeof from, "RNFR %s", abs_tmp);
    snprintf(to, sizeof to, "RNTO %s", abs_final);
    struct curl_slist *post = curl_slist_append(NULL, from);
    post = curl_slist_append(post, to);
    base_options(t);
    curl_easy_setopt(s->curl, CURLOPT_URL, url.data);
    curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, from_file);
    curl_easy_setopt(s->curl, CURLOPT_READDATA, in);
    curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)size);
    curl_easy_setopt(s->curl, CURLOPT_POSTQUOTE, post);
    CURLcode c = perform(s);
    curl_easy_setopt(s->curl, CURLOPT_POSTQUOTE, NULL);
    curl_slist_free_all(post);
    dg_buf_free(&url);
    fclose(in);
    if (c) {
        rc = map_curl(t, c, "cannot upload", final_path, err);
        if (rc == DG_ENOTFOUND)
            rc = dg_error_set(err, DG_EIO, "%s: cannot upload '%s': %s", t->describe, final_path,
                              s->errbuf);
        if (c == CURLE_QUOTE_ERROR) {
            char dele[2500];
            snprintf(dele, sizeof dele, "*DELE %s", abs_tmp);
            const char *cmds[] = {dele};
            quote(t, cmds, 1);
        }
    }
    return rc;
}

/* A failed command on a path that does not exist is DG_ENOTFOUND (the poller relies on it). */
static int command_failed(dg_transport *t, CURLcode c, const char *what, const char *path,
                          dg_error *err)
{
    if (c == CURLE_QUOTE_ERROR) {
        dg_remote_file st;
        dg_error ignored = {0};
        char msg[CURL_ERROR_SIZE];
        snprintf(msg, sizeof msg, "%s", st_of(t)->errbuf);
        if (ftp_stat(t, path, &st, &ignored) == DG_ENOTFOUND)
            return dg_error_set(err, DG_ENOTFOUND, "%s: %s '%s': no such file", t->describe, what,
                                path);
        return dg_error_set(err, DG_EIO, "%s: %s '%s': %s", t->describe, what, path, msg);
    }
    return map_curl(t, c, what, path, err);
}

static int ftp_rename(dg_transport *t, const char *from, const char *to, dg_error *err)
{
    char a[2400], b[2400], c1[2500], c2[2500];
    absolute(t, from, a, sizeof a);
    absolute(t, to, b, sizeof b);
    snprintf(c1, sizeof c1, "RNFR %s", a);
    snprintf(c2, sizeof c2, "RNTO %s", b);
    const char *cmds[] = {c1, c2};
    /* Look first: curl drops the control connection after a failed command. */
    dg_remote_file st;
    int rc = ftp_stat(t, from, &st, err);
    if (rc)
        return rc;
    CURLcode c = quote(t, cmds, 2);
    return c ? command_failed(t, c, "cannot rename", from, err) : 0;
}

static int ftp_remove(dg_transport *t, const char *path, dg_error *err)
{
    char a[2400], c1[2500];
    absolute(t, path, a, sizeof a);
    snprintf(c1, sizeof c1, "DELE %s", a);
    const char *cmds[] = {c1};
    dg_remote_file st;
    int rc = ftp_stat(t, path, &st, err);
    if (rc)
        return rc;
    CURLcode c = quote(t, cmds, 1);
    return c ? command_failed(t, c, "cannot remove", path, err) : 0;
}

static int ftp_mkdir1(dg_transport *t, const char *path, dg_error *err)
{
    ftp_state *s = st_of(t);
    char a[2400], c1[2500];
    absolute(t, path, a, sizeof a);
    snprintf(c1, sizeof c1, "*MKD %s", a);
    const char *cmds[] = {c1};
    CURLcode c = quote(t, cmds, 1);
    if (c)
        return map_curl(t, c, "cannot create folder", path, err);
    /* MKD of an existing folder fails; a CWD into it tells whether the folder is there now. */
    dg_buf url = DG_BUF_INIT;
    int rc = make_url(t, path, true, &url, err);
    if (rc)
        return rc;
    base_options(t);
    curl_easy_setopt(s->curl, CURLOPT_URL, url.data);
    curl_easy_setopt(s->curl, CURLOPT_NOBODY, 1L);
    c = perform(s);
    dg_buf_free(&url);
    if (c == CURLE_REMOTE_ACCESS_DENIED)
        return dg_error_set(err, DG_EIO, "%s: cannot create folder '%s'", t->describe, path);
    return c ? map_curl(t, c, "cannot create folder", path, err) : 0;
}

static int ftp_stat(dg_transport *t, const char *path, dg_remote_file *out, dg_error *err)
{
    ftp_state *s = st_of(t);
    dg_buf url = DG_BUF_INIT;
    int rc = make_url(t, path, false, &url, err);
    if (rc)
        return rc;
    base_options(t);
    curl_easy_setopt(s->curl, CURLOPT_URL, url.data);
    curl_easy_setopt(s->curl, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(s->curl, CURLOPT_FILETIME, 1L);
    CURLcode c = perform(s); /* MDTM + SIZE */
    dg_buf_free(&url);
    if (c)
        return map_curl(t, c, "cannot stat", path, err);
    curl_off_t size = -1, mtime = -1;
    curl_easy_getinfo(s->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &size);
    curl_easy_getinfo(s->curl, CURLINFO_FILETIME_T, &mtime);
    if (size < 0 && mtime < 0)
        return dg_error_set(err, DG_ENOTFOUND, "%s: cannot stat '%s': no such file", t->describe,
                            path);
    out->size = size > 0 ? (uint64_t)size : 0;
    out->mtime = mtime > 0 ? (int64_t)mtime : 0;
    out->is_dir = false;
    return 0;
}

const tr_ops dg_tr_ftp_ops = {
    .scheme = "ftp",
    .connect = ftp_connect,
    .disconnect = ftp_disconnect,
    .list = ftp_list,
    .fetch = ftp_fetch,
    .put = ftp_put,
    .rename = ftp_rename,
    .remove = ftp_remove,
    .mkdir1 = ftp_mkdir1,
    .stat = ftp_stat,
};
