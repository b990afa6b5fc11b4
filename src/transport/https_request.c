/* The https transport's requests (libcurl): base URLs and the links a listing gives, kept on the
 * origin of url; one request with its credentials, TLS always verified; and what an answer means
 * (2xx done, 401/403 credentials, 408/429/5xx retry after Retry-After, 404/410 gone, others
 * refused). */
#define _GNU_SOURCE /* strcasestr */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pthread.h>

#include "transport/https_internal.h"

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static CURLcode g_init_rc;

static void init_curl(void)
{
    g_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int tr_https_init(dg_error *err)
{
    pthread_once(&g_once, init_curl);
    return g_init_rc ? dg_error_set(err, DG_ENET, "curl_global_init failed") : 0;
}

/* ---- config copy ---- */

/* clang-format off */
#define HTTP_STRINGS(X)                                                                  \
    X(url) X(auth) X(items) X(id) X(body) X(doc_url) X(doc_template) X(next) X(cursor)   \
    X(cursor_param) X(extension) X(ack_method) X(ack_template) X(send_method)            \
    X(content_type)
/* clang-format on */

char *tr_https_strdup(const char *s)
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
#define COPY(f) d->f = tr_https_strdup(c->f);
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
bool tr_https_origin(const char *url, char *out, size_t size)
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
int tr_https_resolve(dg_transport *t, const char *base, const char *ref, char **out, dg_error *err)
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
    if (!tr_https_origin(url, origin, sizeof origin) || strcmp(origin, st_of(t)->origin)) {
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
int tr_https_path_url(dg_transport *t, const char *path, char **out, dg_error *err)
{
    char buf[3000];
    snprintf(buf, sizeof buf, "%s%s%s", st_of(t)->origin, path[0] == '/' ? "" : "/",
             strcmp(path, ".") ? path : "");
    return tr_https_resolve(t, buf, buf, out, err);
}

/* template below the base URL with "{id}" replaced by the escaped id. */
int tr_https_template_url(dg_transport *t, const char *tpl, const char *id, char **out,
                          dg_error *err)
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
    int rc = tr_https_resolve(t, base, b.data ? b.data : "", out, err);
    dg_buf_free(&b);
    return rc;
}

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

/* The target of rel="next" in one Link header value ("<u1>; rel=\"prev\", <u2>; rel=next"). */
static void link_next(const char *v, size_t len, char *out, size_t size)
{
    const char *end = v + len;
    for (const char *p = memchr(v, '<', len); p && p < end;) {
        const char *q = memchr(p, '>', (size_t)(end - p));
        if (!q)
            return;
        const char *params = q + 1;
        const char *stop = memchr(params, '<', (size_t)(end - params));
        size_t plen = (size_t)((stop ? stop : end) - params);
        char buf[256];
        snprintf(buf, sizeof buf, "%.*s", (int)(plen < 255 ? plen : 255), params);
        const char *rel = strcasestr(buf, "rel=");
        if (rel) {
            rel += 4 + (rel[4] == '"');
            size_t rlen = strcspn(rel, "\";,\r\n\t");
            /* rel may hold several space-separated types: "next last" */
            for (const char *w = rel; w < rel + rlen; w += strcspn(w, " ") + 1)
                if (!strncasecmp(w, "next", 4) && (w[4] == ' ' || w + 4 == rel + rlen)) {
                    snprintf(out, size, "%.*s", (int)(q - p - 1), p + 1);
                    return;
                }
        }
        p = stop;
    }
}

static size_t on_header(char *data, size_t size, size_t n, void *v)
{
    http_call *c = v;
    size_t len = size * n;
    if (len > 5 && !strncmp(data, "HTTP/", 5))
        c->link_next[0] = '\0'; /* a new answer (after a 100 or a redirect) */
    else if (len > 5 && !strncasecmp(data, "Link:", 5))
        link_next(data + 5, len - 5, c->link_next, sizeof c->link_next);
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
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
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

int tr_https_perform(dg_transport *t, http_call *c, dg_error *err)
{
    http_state *s = st_of(t);
    c->curl = s->curl;
    c->status = 0;
    c->excerpt_len = 0;
    c->excerpt[0] = '\0';
    c->link_next[0] = '\0';
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
