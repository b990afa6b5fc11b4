/* HTTPS partners (libcurl): a folder is a JSON listing of documents below the base URL, paged by a
 * next link or a cursor; each document is a file "<id>.<ext>" served from the listing or from its
 * own URL, remove acknowledges it, put POSTs or PUTs our file with an Idempotency-Key. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>

#include "core/buf.h"
#include "core/fs.h"
#include "core/log.h"
#include "transport/transport_internal.h"

#define PAGE_MAX_BYTES (16u << 20) /* one listing page; documents stream to disk instead */
#define EXCERPT_MAX 200            /* of an error answer's body, for the message */

typedef struct http_doc {
    char *path; /* the poller's name for it: listing path + "/" + file name */
    char *id;   /* as the partner gave it */
    char *body; /* inline document, or NULL */
    size_t body_len;
    char *url;        /* or its own URL */
    uint64_t fetched; /* bytes of the last fetch: what stat answers */
} http_doc;

typedef struct http_state {
    CURL *curl;
    char errbuf[CURL_ERROR_SIZE];
    char origin[700]; /* "https://host:port": every URL called starts with it */
    http_doc *docs;   /* the last listing of each folder (kept across reconnects) */
    size_t n, cap;
    uint64_t held; /* bytes of the inline documents in docs */
} http_state;

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static CURLcode g_init_rc;

static void init_curl(void)
{
    g_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static http_state *st_of(dg_transport *t)
{
    return t->impl;
}

/* ---- config copy ---- */

#define HTTP_STRINGS(X)                                                                            \
    X(url)                                                                                         \
    X(auth)                                                                                        \
    X(items) X(id) X(body) X(doc_url) X(doc_template) X(next) X(cursor) X(cursor_param)            \
        X(extension) X(ack_method) X(ack_template) X(send_method) X(content_type)

static char *dup_or_null(const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d)
        abort();
    return d;
}

dg_http_config *tr_http_dup(const dg_http_config *c)
{
    dg_http_config *d = calloc(1, sizeof *d);
    if (!d)
        abort();
    d->max_pages = c->max_pages;
    d->max_bytes = c->max_bytes;
#define COPY(f) d->f = dup_or_null(c->f);
    HTTP_STRINGS(COPY)
#undef COPY
    return d;
}

void tr_http_free(dg_http_config *c)
{
    if (!c)
        return;
#define FREE(f) free((char *)c->f);
    HTTP_STRINGS(FREE)
#undef FREE
    free(c);
}

/* ---- URLs ---- */

/* The scheme, host and port of url ("https://h:443"), into out; false when it is no URL. */
static bool origin_of(const char *url, char *out, size_t size)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    bool ok = u && !curl_url_set(u, CURLUPART_URL, url, 0) &&
              !curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) &&
              !curl_url_get(u, CURLUPART_HOST, &host, 0) &&
              !curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    if (ok)
        snprintf(out, size, "%s://%s:%s", scheme, host, port);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return ok;
}

int tr_http_split_url(const char *url, char *host, size_t host_size, int *port, char *path,
                      size_t path_size, dg_error *err)
{
    pthread_once(&g_once, init_curl);
    CURLU *u = curl_url();
    char *scheme = NULL, *h = NULL, *p = NULL, *pa = NULL, *user = NULL, *query = NULL;
    int rc = 0;
    if (!u || !url || curl_url_set(u, CURLUPART_URL, url, 0) ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) || curl_url_get(u, CURLUPART_HOST, &h, 0))
        rc = dg_error_set(err, DG_ECONFIG, "url '%s' is not a URL", url ? url : "");
    else if (strcasecmp(scheme, "https"))
        rc = dg_error_set(err, DG_ECONFIG,
                          "url '%s' is not https: documents and credentials only travel over "
                          "verified TLS",
                          url);
    else if (!curl_url_get(u, CURLUPART_USER, &user, 0))
        rc = dg_error_set(err, DG_ECONFIG,
                          "url '%s' holds a user name or password; use user: and password_env "
                          "or password_file",
                          url);
    else if (!curl_url_get(u, CURLUPART_QUERY, &query, 0))
        rc = dg_error_set(err, DG_ECONFIG,
                          "url '%s' has a query; the base URL names a folder only (put query "
                          "parameters in the drop's folder)",
                          url);
    if (!rc) {
        curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT);
        curl_url_get(u, CURLUPART_PATH, &pa, 0);
        snprintf(host, host_size, "%s", h);
        *port = p ? atoi(p) : 443;
        snprintf(path, path_size, "%s", pa && *pa ? pa : "/");
    }
    curl_free(scheme);
    curl_free(h);
    curl_free(p);
    curl_free(pa);
    curl_free(user);
    curl_free(query);
    curl_url_cleanup(u);
    return rc;
}

/* ref (absolute, or relative to base) as an absolute URL (malloc'd) on our own origin: the
 * credentials never go to another host, whatever a listing links to. */
static int resolve_url(dg_transport *t, const char *base, const char *ref, char **out,
                       dg_error *err)
{
    *out = NULL;
    CURLU *u = curl_url();
    char *url = NULL;
    if (!u || curl_url_set(u, CURLUPART_URL, base, 0) || curl_url_set(u, CURLUPART_URL, ref, 0) ||
        curl_url_get(u, CURLUPART_URL, &url, 0)) {
        curl_url_cleanup(u);
        return dg_error_set(err, DG_EVALID, "%s: '%s' is not a URL", t->describe, ref);
    }
    curl_url_cleanup(u);
    char origin[700];
    if (!origin_of(url, origin, sizeof origin) || strcmp(origin, st_of(t)->origin)) {
        int rc = dg_error_set(err, DG_EVALID,
                              "%s: link '%s' leaves %s: refused (credentials go only to the host "
                              "of url)",
                              t->describe, url, st_of(t)->origin);
        curl_free(url);
        return rc;
    }
    *out = strdup(url);
    curl_free(url);
    if (!*out)
        abort();
    return 0;
}

/* The URL of a server path ("/v1/orders"; a folder may carry a query: "orders?state=new"). */
static int path_url(dg_transport *t, const char *path, char **out, dg_error *err)
{
    char buf[3000];
    snprintf(buf, sizeof buf, "%s%s%s", st_of(t)->origin, path[0] == '/' ? "" : "/",
             strcmp(path, ".") ? path : "");
    return resolve_url(t, buf, buf, out, err);
}

/* template below the base URL with "{id}" replaced by the escaped id. */
static int template_url(dg_transport *t, const char *tpl, const char *id, char **out, dg_error *err)
{
    dg_buf b = DG_BUF_INIT;
    char *esc = curl_easy_escape(NULL, id, 0);
    if (!esc)
        abort();
    for (const char *p = tpl; *p;) {
        if (!strncmp(p, "{id}", 4)) {
            dg_buf_puts(&b, esc);
            p += 4;
        } else {
            dg_buf_putc(&b, *p++);
        }
    }
    curl_free(esc);
    char base[2100];
    const char *u = t->http->url;
    snprintf(base, sizeof base, "%s%s", u, u[strlen(u) - 1] == '/' ? "" : "/");
    int rc = resolve_url(t, base, b.data ? b.data : "", out, err);
    dg_buf_free(&b);
    return rc;
}

/* ---- one request ---- */

typedef struct http_call {
    CURL *curl;
    const char *method; /* GET, POST, PUT, DELETE */
    const char *url;
    FILE *upload; /* body to send (POST/PUT), or NULL for none */
    curl_off_t upload_size;
    const char *content_type;
    const char *idem_key;
    tr_sink sink; /* where a 2xx body goes ... */
    void *sink_ctx;
    dg_buf *body;    /* ... or into body (at most PAGE_MAX_BYTES) */
    bool missing_ok; /* 404/410 is DG_ENOTFOUND (a document gone), not an error */
    int client_rc;   /* the code for any other 4xx */
    long status;
    bool sink_failed, too_big;
    char excerpt[EXCERPT_MAX + 1];
    size_t excerpt_len;
} http_call;

static size_t on_data(char *data, size_t size, size_t n, void *v)
{
    http_call *c = v;
    size_t len = size * n;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &c->status);
    if (c->status < 200 || c->status > 299) {
        size_t k = len < EXCERPT_MAX - c->excerpt_len ? len : EXCERPT_MAX - c->excerpt_len;
        memcpy(c->excerpt + c->excerpt_len, data, k);
        c->excerpt_len += k;
        c->excerpt[c->excerpt_len] = '\0';
        return len;
    }
    if (c->sink) {
        if (c->sink(c->sink_ctx, data, len)) {
            c->sink_failed = true;
            return 0;
        }
    } else if (c->body) {
        if (c->body->len + len > PAGE_MAX_BYTES) {
            c->too_big = true;
            return 0;
        }
        dg_buf_append(c->body, data, len);
    }
    return len;
}

static size_t from_file(char *data, size_t size, size_t n, void *v)
{
    FILE *f = v;
    size_t r = fread(data, 1, size * n, f);
    return r == 0 && ferror(f) ? CURL_READFUNC_ABORT : r;
}

static void set_auth(dg_transport *t, CURL *c)
{
    const char *auth = t->http->auth ? t->http->auth : "none";
    const char *secret = t->cfg.password ? t->cfg.password : "";
    if (!strcmp(auth, "bearer")) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
        curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, secret);
    } else if (!strcmp(auth, "basic")) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, t->cfg.user ? t->cfg.user : "");
        curl_easy_setopt(c, CURLOPT_PASSWORD, secret);
    }
}

static void set_options(dg_transport *t, http_call *c, struct curl_slist *headers)
{
    http_state *s = st_of(t);
    CURL *h = s->curl;
    curl_easy_reset(h);
    s->errbuf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect is reported, not followed */
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (t->cfg.ca_file && *t->cfg.ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, t->cfg.ca_file);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, t->cfg.timeout_ms);
    /* A transfer may take long; one that stalls (or an answer that never comes) is dead. */
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (t->cfg.timeout_ms + 999) / 1000);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    set_auth(t, h);
    if (strcmp(c->method, "GET")) {
        /* Every other method carries a body (maybe empty): POST mechanics, the method's name. */
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        if (strcmp(c->method, "POST"))
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
        if (c->upload) {
            curl_easy_setopt(h, CURLOPT_READFUNCTION, from_file);
            curl_easy_setopt(h, CURLOPT_READDATA, c->upload);
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, c->upload_size);
        } else {
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
        }
    }
}

static int curl_failed(dg_transport *t, http_call *c, CURLcode cc, dg_error *err)
{
    const char *detail = st_of(t)->errbuf[0] ? st_of(t)->errbuf : curl_easy_strerror(cc);
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return dg_error_set(err, DG_ETIMEOUT, "%s: %s %s: timed out (%s)", t->describe, c->method,
                            c->url, detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
        return dg_error_set(err, DG_EHOSTKEY,
                            "%s: the server's TLS certificate is not trusted (%s); refused. Set "
                            "ca_file to the CA that signed it",
                            t->describe, detail);
    default:
        return dg_error_set(err, DG_ENET, "%s: %s %s: %s", t->describe, c->method, c->url, detail);
    }
}

/* What an HTTP status means for us: 2xx done; 401/403 credentials; 408, 429 and 5xx worth a
 * retry (after Retry-After when the server said); 404/410 gone; 3xx and other 4xx refused. */
static int status_failed(dg_transport *t, http_call *c, dg_error *err)
{
    long st = c->status;
    char tail[EXCERPT_MAX + 16] = "";
    if (c->excerpt_len)
        snprintf(tail, sizeof tail, ": \"%s\"", c->excerpt);
    if (st == 401 || st == 403)
        return dg_error_set(err, DG_EAUTH,
                            "%s: %s %s: HTTP %ld: the server refused our credentials (auth: %s; "
                            "check the token or password)%s",
                            t->describe, c->method, c->url, st,
                            t->http->auth ? t->http->auth : "none", tail);
    if (st == 408 || st == 429 || st >= 500) {
        curl_off_t after = -1;
        if (!curl_easy_getinfo(c->curl, CURLINFO_RETRY_AFTER, &after) && after > 0)
            t->retry_after_ms = after > 86400 ? 86400000L : (long)after * 1000;
        return dg_error_set(err, DG_ENET, "%s: %s %s: HTTP %ld%s", t->describe, c->method, c->url,
                            st, tail);
    }
    if ((st == 404 || st == 410) && c->missing_ok)
        return dg_error_set(err, DG_ENOTFOUND, "%s: %s %s: HTTP %ld (gone)", t->describe, c->method,
                            c->url, st);
    if (st >= 300 && st < 400) {
        char *loc = NULL;
        curl_easy_getinfo(c->curl, CURLINFO_REDIRECT_URL, &loc);
        return dg_error_set(err, DG_EIO,
                            "%s: %s %s: HTTP %ld redirect to %s: not followed (set url to the "
                            "final address)",
                            t->describe, c->method, c->url, st, loc ? loc : "(none)");
    }
    return dg_error_set(err, c->client_rc, "%s: %s %s: HTTP %ld%s", t->describe, c->method, c->url,
                        st, tail);
}

static int http_perform(dg_transport *t, http_call *c, dg_error *err)
{
    http_state *s = st_of(t);
    c->curl = s->curl;
    c->status = 0;
    c->excerpt_len = 0;
    c->excerpt[0] = '\0';
    c->sink_failed = c->too_big = false;
    if (!c->client_rc)
        c->client_rc = DG_EIO;
    struct curl_slist *h = curl_slist_append(NULL, "Expect:"); /* no 100-continue round trip */
    char ct[300], key[200];
    if (!strcmp(c->method, "GET"))
        h = curl_slist_append(h, "Accept: application/json");
    if (c->content_type) {
        snprintf(ct, sizeof ct, "Content-Type: %s", c->content_type);
        h = curl_slist_append(h, ct);
    }
    if (c->idem_key) {
        snprintf(key, sizeof key, "Idempotency-Key: %s", c->idem_key);
        h = curl_slist_append(h, key);
    }
    set_options(t, c, h);
    CURLcode cc = curl_easy_perform(s->curl);
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &c->status);
    curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(h);
    if (c->sink_failed)
        return dg_error_set(err, DG_EIO, "%s: cannot store '%s' locally", t->describe, c->url);
    if (c->too_big)
        return dg_error_set(err, DG_EVALID, "%s: %s %s: the answer is larger than %u bytes",
                            t->describe, c->method, c->url, PAGE_MAX_BYTES);
    if (cc)
        return curl_failed(t, c, cc, err);
    if (c->status < 200 || c->status > 299)
        return status_failed(t, c, err);
    return 0;
}

/* ---- the listing ---- */

static http_doc *find_doc(http_state *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->docs[i].path, path))
            return &s->docs[i];
    return NULL;
}

static void doc_free(http_doc *d)
{
    free(d->path);
    free(d->id);
    free(d->body);
    free(d->url);
}

/* Forgets the documents listed under dir (a new listing replaces them). */
static void forget_listing(http_state *s, const char *dir)
{
    size_t len = strlen(dir);
    for (size_t i = 0; i < s->n;) {
        const char *p = s->docs[i].path;
        if (!strncmp(p, dir, len) && p[len] == '/' && !strchr(p + len + 1, '/')) {
            s->held -= s->docs[i].body_len;
            doc_free(&s->docs[i]);
            s->docs[i] = s->docs[--s->n];
        } else {
            i++;
        }
    }
}

/* A file name for id: the id where every character is safe ([A-Za-z0-9._-], no leading dot),
 * else its safe form and a short hash of the id, so "a/b" and "a_b" never share a name. */
static void file_name(const char *id, const char *ext, char *out, size_t size)
{
    char safe[160];
    size_t j = 0;
    bool changed = false;
    for (size_t i = 0; id[i] && j + 1 < sizeof safe; i++) {
        char c = id[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || (c == '.' && j > 0);
        safe[j++] = ok ? c : '_';
        changed |= !ok;
    }
    safe[j] = '\0';
    changed |= strlen(id) != j;
    if (changed) {
        char h[DG_SHA256_HEX_LEN];
        dg_sha256_hex(id, strlen(id), h);
        snprintf(out, size, "%s_%.8s.%s", safe, h, ext);
    } else {
        snprintf(out, size, "%s.%s", safe, ext);
    }
}

typedef struct page_ctx {
    dg_transport *t;
    const char *dir, *url;
    int page;
    tr_list *list;
} page_ctx;

static void skip_item(const page_ctx *pc, size_t i, const char *why)
{
    dg_log_warn("transport=%s listing=%s page=%d item=%zu outcome=skipped reason=\"%s\" (left at "
                "the partner)",
                pc->t->describe, pc->dir, pc->page, i + 1, why);
}

/* One listed document into the cache and the listing; a malformed item is logged and left. */
static void add_item(page_ctx *pc, json_t *item, size_t i)
{
    dg_transport *t = pc->t;
    const dg_http_config *h = t->http;
    http_state *s = st_of(t);
    json_t *idv = tr_jpath_get(item, h->id);
    char id[220];
    if (json_is_string(idv) && json_string_length(idv) > 0 && json_string_length(idv) < 200 &&
        !memchr(json_string_value(idv), '\0', json_string_length(idv)))
        snprintf(id, sizeof id, "%s", json_string_value(idv));
    else if (json_is_integer(idv))
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(idv));
    else {
        skip_item(pc, i, "no usable document id (text of 1-199 characters or a number)");
        return;
    }
    char name[256], path[2400];
    file_name(id, h->extension ? h->extension : "json", name, sizeof name);
    snprintf(path, sizeof path, "%s/%s", pc->dir, name);
    if (find_doc(s, path))
        return; /* listed twice (it moved between pages while we paged): once is enough */
    http_doc d = {0};
    json_t *body = h->body ? tr_jpath_get(item, h->body) : NULL;
    json_t *link = h->doc_url ? tr_jpath_get(item, h->doc_url) : NULL;
    dg_error e = {0};
    if (body && !json_is_null(body)) {
        if (json_is_string(body)) {
            d.body_len = json_string_length(body);
            d.body = malloc(d.body_len + 1);
            if (!d.body)
                abort();
            memcpy(d.body, json_string_value(body), d.body_len + 1);
        } else {
            d.body = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
            d.body_len = d.body ? strlen(d.body) : 0;
        }
    } else if (json_is_string(link) || h->doc_template) {
        int rc = json_is_string(link) ? resolve_url(t, pc->url, json_string_value(link), &d.url, &e)
                                      : template_url(t, h->doc_template, id, &d.url, &e);
        if (rc) {
            skip_item(pc, i, e.msg);
            return;
        }
    } else {
        skip_item(pc, i, "neither an inline document nor a document URL");
        return;
    }
    d.path = dup_or_null(path);
    d.id = dup_or_null(id);
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        http_doc *docs = realloc(s->docs, cap * sizeof *docs);
        if (!docs)
            abort();
        s->docs = docs;
        s->cap = cap;
    }
    s->docs[s->n++] = d;
    s->held += d.body_len;
    dg_remote_file *f = tr_list_add(pc->list);
    snprintf(f->name, sizeof f->name, "%s", name);
    f->size = d.body ? d.body_len : 0; /* a linked document's size is known once fetched */
    f->mtime = 0; /* unknown: the exactly-once key is partner, name (id) and content hash */
}

/* The next page's URL (malloc'd) from a page, or NULL after the last page. */
static int next_page(dg_transport *t, json_t *root, const char *first, const char *url, char **next,
                     dg_error *err)
{
    const dg_http_config *h = t->http;
    *next = NULL;
    if (h->next) {
        json_t *v = tr_jpath_get(root, h->next);
        if (!json_is_string(v) || !*json_string_value(v))
            return 0;
        return resolve_url(t, url, json_string_value(v), next, err);
    }
    if (!h->cursor)
        return 0;
    json_t *v = tr_jpath_get(root, h->cursor);
    char cur[256];
    if (json_is_string(v) && *json_string_value(v))
        snprintf(cur, sizeof cur, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(cur, sizeof cur, "%lld", (long long)json_integer_value(v));
    else
        return 0;
    char *esc = curl_easy_escape(NULL, cur, 0);
    if (!esc)
        abort();
    dg_buf b = DG_BUF_INIT;
    dg_buf_printf(&b, "%s%c%s=%s", first, strchr(first, '?') ? '&' : '?', h->cursor_param, esc);
    curl_free(esc);
    *next = dg_buf_take(&b);
    return 0;
}

static int read_page(dg_transport *t, page_ctx *pc, const dg_buf *body, json_t **root,
                     dg_error *err)
{
    json_error_t je;
    *root = json_loadb(body->data ? body->data : "", body->len, 0, &je);
    if (!*root)
        return dg_error_set(err, DG_EVALID, "%s: listing %s page %d: not JSON: %s (line %d)",
                            t->describe, pc->url, pc->page, je.text, je.line);
    json_t *items = tr_jpath_get(*root, t->http->items);
    if (!json_is_array(items))
        return dg_error_set(err, DG_EVALID,
                            "%s: listing %s page %d: items '%s' is not a list of documents",
                            t->describe, pc->url, pc->page, t->http->items);
    for (size_t i = 0; i < json_array_size(items); i++)
        add_item(pc, json_array_get(items, i), i);
    return 0;
}

static int https_list(dg_transport *t, const char *dir, dg_remote_file **files, size_t *n,
                      dg_error *err)
{
    const dg_http_config *h = t->http;
    if (!h->items || !h->id)
        return dg_error_set(err, DG_ECONFIG, "%s: no list: block, so no folder can be listed",
                            t->describe);
    http_state *s = st_of(t);
    forget_listing(s, dir);
    char *first = NULL, *url = NULL;
    int rc = path_url(t, dir, &first, err);
    if (rc)
        return rc;
    url = dup_or_null(first);
    tr_list l = {0};
    long max_pages = h->max_pages > 0 ? h->max_pages : 1000;
    uint64_t max_bytes = h->max_bytes > 0 ? (uint64_t)h->max_bytes : 256u << 20;
    for (int page = 1; url; page++) {
        /* Memory stays bounded: the documents listed so far are taken first, the rest of the
         * pages at a later poll (after: delete empties the first pages meanwhile). */
        if (page > max_pages || s->held > max_bytes) {
            dg_log_warn("transport=%s listing=%s outcome=listing-limit pages=%d max_pages=%ld "
                        "inline_bytes=%llu max_bytes=%llu (the rest is listed by a later poll)",
                        t->describe, first, page - 1, max_pages, (unsigned long long)s->held,
                        (unsigned long long)max_bytes);
            break;
        }
        dg_buf body = DG_BUF_INIT;
        http_call c = {.method = "GET", .url = url, .body = &body};
        page_ctx pc = {t, dir, url, page, &l};
        json_t *root = NULL;
        char *next = NULL;
        rc = http_perform(t, &c, err);
        if (!rc)
            rc = read_page(t, &pc, &body, &root, err);
        if (!rc)
            rc = next_page(t, root, first, url, &next, err);
        json_decref(root);
        dg_buf_free(&body);
        if (next && !strcmp(next, url)) { /* a server that links a page to itself */
            free(next);
            next = NULL;
        }
        free(url);
        url = next;
        if (rc)
            break;
    }
    free(url);
    free(first);
    if (rc) {
        free(l.items);
        return rc;
    }
    *files = l.items;
    *n = l.n;
    return 0;
}

/* ---- fetch, stat, acknowledge ---- */

typedef struct count_sink {
    tr_sink sink;
    void *ctx;
    uint64_t bytes;
} count_sink;

static int counting(void *v, const void *data, size_t len)
{
    count_sink *c = v;
    c->bytes += len;
    return c->sink(c->ctx, data, len);
}

static int not_listed(dg_transport *t, const char *path, dg_error *err)
{
    return dg_error_set(err, DG_ENOTFOUND, "%s: '%s' is not in the last listing", t->describe,
                        path);
}

static int https_fetch(dg_transport *t, const char *path, tr_sink sink, void *ctx, dg_error *err)
{
    http_doc *d = find_doc(st_of(t), path);
    if (!d)
        return not_listed(t, path, err);
    if (d->body) {
        if (sink(ctx, d->body, d->body_len))
            return dg_error_set(err, DG_EIO, "%s: cannot store '%s' locally", t->describe, path);
        d->fetched = d->body_len;
        return 0;
    }
    count_sink cs = {sink, ctx, 0};
    http_call c = {
        .method = "GET", .url = d->url, .sink = counting, .sink_ctx = &cs, .missing_ok = true};
    int rc = http_perform(t, &c, err);
    if (!rc)
        d->fetched = cs.bytes;
    return rc;
}

static int https_stat(dg_transport *t, const char *path, dg_remote_file *out, dg_error *err)
{
    http_doc *d = find_doc(st_of(t), path);
    if (!d)
        return not_listed(t, path, err);
    memset(out, 0, sizeof *out);
    out->size = d->fetched ? d->fetched : d->body_len;
    return 0;
}

/* Acknowledges (deletes) a taken document; one already gone (404/410) is DG_ENOTFOUND. */
static int https_remove(dg_transport *t, const char *path, dg_error *err)
{
    const dg_http_config *h = t->http;
    if (!h->ack_method || !h->ack_template)
        return dg_error_set(err, DG_EINVAL,
                            "%s: documents cannot be removed: no ack: is configured (use after: "
                            "leave)",
                            t->describe);
    http_state *s = st_of(t);
    http_doc *d = find_doc(s, path);
    if (!d)
        return not_listed(t, path, err);
    char *url = NULL;
    int rc = template_url(t, h->ack_template, d->id, &url, err);
    if (rc)
        return rc;
    http_call c = {.method = h->ack_method, .url = url, .missing_ok = true};
    rc = http_perform(t, &c, err);
    free(url);
    if (!rc || rc == DG_ENOTFOUND) {
        s->held -= d->body_len;
        doc_free(d);
        *d = s->docs[--s->n];
    }
    return rc;
}

/* ---- send ---- */

static const char *content_type_of(const dg_http_config *h, const char *name)
{
    if (h->content_type)
        return h->content_type;
    const char *dot = strrchr(name, '.');
    static const char *const types[][2] = {
        {"json", "application/json"},   {"xml", "application/xml"},     {"csv", "text/csv"},
        {"edi", "application/edi-x12"}, {"x12", "application/edi-x12"}, {"txt", "text/plain"}};
    for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
        if (!strcasecmp(dot + 1, types[i][0]))
            return types[i][1];
    return "application/octet-stream";
}

/* The same key for every try of one outbox file (its remote name and its bytes), across
 * retries and restarts, so the partner can drop a repeat that follows a lost answer. */
static int idempotency_key(const char *final_path, const char *local_path, char *out, size_t size,
                           dg_error *err)
{
    char content[DG_SHA256_HEX_LEN], key[DG_SHA256_HEX_LEN];
    int rc = dg_sha256_file(local_path, content, err);
    if (rc)
        return rc;
    dg_buf b = DG_BUF_INIT;
    dg_buf_printf(&b, "dropgate\n%s\n%s", final_path, content);
    dg_sha256_hex(b.data, b.len, key);
    dg_buf_free(&b);
    snprintf(out, size, "dg-%.40s", key);
    return 0;
}

static int https_put(dg_transport *t, const char *local_path, const char *tmp_path,
                     const char *final_path, dg_error *err)
{
    (void)tmp_path; /* a POST or PUT is whole or nothing: no temporary name */
    const dg_http_config *h = t->http;
    const char *method = h->send_method ? h->send_method : "POST";
    char key[64], target[2400];
    int rc = idempotency_key(final_path, local_path, key, sizeof key, err);
    if (rc)
        return rc;
    snprintf(target, sizeof target, "%s", final_path);
    const char *slash = strrchr(final_path, '/');
    const char *name = slash ? slash + 1 : final_path;
    if (!strcmp(method, "POST") && slash) /* POST to the folder, PUT to folder/name */
        target[slash - final_path] = '\0';
    char *url = NULL;
    if ((rc = path_url(t, target, &url, err)))
        return rc;
    FILE *in = fopen(local_path, "rb");
    if (!in) {
        free(url);
        return dg_error_set(err, DG_EIO, "cannot open '%s': %s", local_path, strerror(errno));
    }
    fseeko(in, 0, SEEK_END);
    off_t size = ftello(in);
    rewind(in);
    http_call c = {.method = method,
                   .url = url,
                   .upload = in,
                   .upload_size = (curl_off_t)size,
                   .content_type = content_type_of(h, name),
                   .idem_key = key,
                   .client_rc = DG_EVALID};
    rc = http_perform(t, &c, err);
    fclose(in);
    free(url);
    return rc;
}

/* ---- connection ---- */

static void https_disconnect(dg_transport *t)
{
    http_state *s = st_of(t);
    if (s && s->curl) {
        curl_easy_cleanup(s->curl);
        s->curl = NULL;
    }
}

static void https_destroy(dg_transport *t)
{
    http_state *s = st_of(t);
    if (!s)
        return;
    https_disconnect(t);
    for (size_t i = 0; i < s->n; i++)
        doc_free(&s->docs[i]);
    free(s->docs);
    free(s);
    t->impl = NULL;
}

/* No request yet: a connection is made by the first call and reused while the server keeps it. */
static int https_connect(dg_transport *t, dg_error *err)
{
    pthread_once(&g_once, init_curl);
    if (g_init_rc)
        return dg_error_set(err, DG_ENET, "curl_global_init failed");
    if (!t->http || !t->http->url)
        return dg_error_set(err, DG_ECONFIG, "https transport: no url");
    http_state *s = st_of(t);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            return dg_error_set(err, DG_ENOMEM, "out of memory");
        t->impl = s;
        if (!origin_of(t->http->url, s->origin, sizeof s->origin))
            return dg_error_set(err, DG_ECONFIG, "https transport: url '%s' is not a URL",
                                t->http->url);
    }
    s->curl = curl_easy_init();
    if (!s->curl)
        return dg_error_set(err, DG_ENOMEM, "curl_easy_init failed");
    return 0;
}

static int https_rename(dg_transport *t, const char *from, const char *to, dg_error *err)
{
    (void)to;
    return dg_error_set(err, DG_EINVAL,
                        "%s: '%s': documents of an https partner cannot be moved (use after: "
                        "delete with ack:, or after: leave)",
                        t->describe, from);
}

static int https_mkdir1(dg_transport *t, const char *path, dg_error *err)
{
    (void)t;
    (void)path;
    (void)err;
    return 0; /* an API's collections exist or not; nothing to create */
}

const tr_ops dg_tr_https_ops = {
    .scheme = "https",
    .connect = https_connect,
    .disconnect = https_disconnect,
    .list = https_list,
    .fetch = https_fetch,
    .put = https_put,
    .rename = https_rename,
    .remove = https_remove,
    .mkdir1 = https_mkdir1,
    .stat = https_stat,
    .destroy = https_destroy,
};
