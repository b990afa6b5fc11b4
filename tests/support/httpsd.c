/* A scripted HTTPS server for the https transport's tests (see httpsd.h): one thread, one request
 * per connection ("Connection: close"), so every request is seen and counted on its own. */
#define _GNU_SOURCE /* strcasestr */
#include "httpsd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Reads one request (headers, then Content-Length bytes of body) into a malloc'd buffer. */
static char *read_request(SSL *ssl, size_t *len_out)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    long want = -1;
    while (buf) {
        if (len + 1 >= cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown)
                break;
            buf = grown;
            cap *= 2;
        }
        int r = SSL_read(ssl, buf + len, (int)(cap - 1 - len));
        if (r <= 0)
            break;
        len += (size_t)r;
        buf[len] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end && want < 0) {
            char *cl = strcasestr(buf, "\r\nContent-Length:");
            want = (long)(end + 4 - buf) + (cl && cl < end ? strtol(cl + 17, NULL, 10) : 0);
        }
        if (want >= 0 && (long)len >= want)
            break;
    }
    if (buf)
        buf[len] = '\0';
    *len_out = len;
    return buf;
}

static void record(dg_test_httpsd *h, const char *raw, const char *method, const char *path)
{
    if (h->n_reqs >= DG_TEST_HTTPSD_REQS)
        return;
    dg_test_https_request *r = &h->reqs[h->n_reqs++];
    snprintf(r->method, sizeof r->method, "%s", method);
    snprintf(r->path, sizeof r->path, "%s", path);
    const char *end = strstr(raw, "\r\n\r\n");
    size_t head = end ? (size_t)(end - raw) + 2 : strlen(raw);
    r->head = strndup(raw, head);
    r->body = strdup(end ? end + 4 : "");
}

/* The answer for method + path (under the lock), or NULL for a 404. */
static const dg_test_https_answer *answer_for(dg_test_httpsd *h, const char *method,
                                              const char *path)
{
    for (int i = 0; i < h->n_routes; i++) {
        dg_test_https_route *r = &h->routes[i];
        if (strcmp(r->method, method) || strcmp(r->path, path))
            continue;
        int k = r->hits < r->n_script ? r->hits : r->n_script - 1;
        r->hits++;
        return &r->script[k];
    }
    return NULL;
}

static void handle(dg_test_httpsd *h, int c)
{
    struct timeval tv = {5, 0}; /* a client that stalls does not stop the server */
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    SSL *ssl = SSL_new(h->ctx);
    SSL_set_fd(ssl, c);
    if (SSL_accept(ssl) != 1) {
        pthread_mutex_lock(&h->mu);
        h->handshakes_failed++;
        pthread_mutex_unlock(&h->mu);
        SSL_free(ssl);
        return;
    }
    size_t len = 0;
    char *raw = read_request(ssl, &len);
    char method[8] = "", path[1024] = "";
    if (raw)
        sscanf(raw, "%7s %1023s", method, path);
    pthread_mutex_lock(&h->mu);
    record(h, raw ? raw : "", method, path);
    const dg_test_https_answer *a = answer_for(h, method, path);
    int status = a ? a->status : 404;
    char *headers = dup_or_null(a ? a->headers : NULL);
    char *body = dup_or_null(a ? a->body : "no such route\n");
    pthread_mutex_unlock(&h->mu);
    free(raw);
    if (status) {
        size_t blen = body ? strlen(body) : 0;
        char head[2048];
        int n = snprintf(head, sizeof head,
                         "HTTP/1.1 %d Scripted\r\nContent-Length: %zu\r\nContent-Type: "
                         "application/json\r\nConnection: close\r\n%s\r\n",
                         status, blen, headers ? headers : "");
        SSL_write(ssl, head, n);
        if (blen)
            SSL_write(ssl, body, (int)blen);
        SSL_shutdown(ssl);
    } /* status 0: closed without a word, as a server that died after reading */
    free(headers);
    free(body);
    SSL_free(ssl);
}

static void *serve(void *arg)
{
    dg_test_httpsd *h = arg;
    while (!h->stopping) {
        int c = accept(h->fd, NULL, NULL);
        if (c < 0) {
            if (h->stopping)
                break;
            continue;
        }
        handle(h, c);
        close(c);
    }
    return NULL;
}

static int run(const char *cmd)
{
    int st = system(cmd);
    return st == 0 ? 0 : -1;
}

int dg_test_httpsd_start(dg_test_httpsd *h)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    signal(SIGPIPE, SIG_IGN); /* a client that hung up must not end the test process */
    char tmpl[] = "/tmp/dg-httpsd-XXXXXX";
    if (!mkdtemp(tmpl)) {
        snprintf(h->why, sizeof h->why, "cannot create a folder under /tmp");
        return -1;
    }
    snprintf(h->dir, sizeof h->dir, "%s", tmpl);
    snprintf(h->cert_file, sizeof h->cert_file, "%s/cert.pem", h->dir);
    snprintf(h->other_ca_file, sizeof h->other_ca_file, "%s/other.pem", h->dir);
    char cmd[4096];
    const char *req = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                      "-days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1";
    snprintf(cmd, sizeof cmd,
             "%s -keyout '%s/key.pem' -out '%s' >/dev/null 2>&1 && %s -keyout '%s/other.key' "
             "-out '%s' >/dev/null 2>&1",
             req, h->dir, h->cert_file, req, h->dir, h->other_ca_file);
    if (run(cmd)) {
        snprintf(h->why, sizeof h->why, "openssl req failed (is the openssl command installed?)");
        return -1;
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    char key[1100];
    snprintf(key, sizeof key, "%s/key.pem", h->dir);
    if (!ctx || SSL_CTX_use_certificate_file(ctx, h->cert_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        snprintf(h->why, sizeof h->why, "cannot load the generated certificate");
        SSL_CTX_free(ctx);
        return -1;
    }
    h->ctx = ctx;
    h->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    if (h->fd < 0 || bind(h->fd, (struct sockaddr *)&a, sizeof a) ||
        getsockname(h->fd, (struct sockaddr *)&a, &alen) || listen(h->fd, 64) ||
        pthread_create(&h->thread, NULL, serve, h)) {
        snprintf(h->why, sizeof h->why, "cannot listen on 127.0.0.1");
        if (h->fd >= 0)
            close(h->fd);
        SSL_CTX_free(ctx);
        h->ctx = NULL;
        return -1;
    }
    h->port = ntohs(a.sin_port);
    return 0;
}

void dg_test_httpsd_reset(dg_test_httpsd *h)
{
    pthread_mutex_lock(&h->mu);
    for (int i = 0; i < h->n_routes; i++)
        for (int k = 0; k < h->routes[i].n_script; k++) {
            free(h->routes[i].script[k].headers);
            free(h->routes[i].script[k].body);
        }
    for (int i = 0; i < h->n_reqs; i++) {
        free(h->reqs[i].head);
        free(h->reqs[i].body);
    }
    h->n_routes = 0;
    h->n_reqs = 0;
    h->handshakes_failed = 0;
    pthread_mutex_unlock(&h->mu);
}

void dg_test_httpsd_stop(dg_test_httpsd *h)
{
    if (!h->ctx)
        return;
    h->stopping = true;
    shutdown(h->fd, SHUT_RDWR); /* wakes the accept */
    pthread_join(h->thread, NULL);
    close(h->fd);
    dg_test_httpsd_reset(h);
    SSL_CTX_free(h->ctx);
    h->ctx = NULL;
    if (!strncmp(h->dir, "/tmp/dg-httpsd-", 15)) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", h->dir);
        if (run(cmd)) {
            /* a leftover in /tmp: harmless */
        }
    }
}

void dg_test_httpsd_script(dg_test_httpsd *h, const char *method, const char *path, int status,
                           const char *headers, const char *body)
{
    pthread_mutex_lock(&h->mu);
    dg_test_https_route *r = NULL;
    for (int i = 0; i < h->n_routes && !r; i++)
        if (!strcmp(h->routes[i].method, method) && !strcmp(h->routes[i].path, path))
            r = &h->routes[i];
    if (!r && h->n_routes < DG_TEST_HTTPSD_ROUTES) {
        r = &h->routes[h->n_routes++];
        memset(r, 0, sizeof *r);
        snprintf(r->method, sizeof r->method, "%s", method);
        snprintf(r->path, sizeof r->path, "%s", path);
    }
    if (r && r->n_script < DG_TEST_HTTPSD_SCRIPT) {
        dg_test_https_answer *a = &r->script[r->n_script++];
        a->status = status;
        a->headers = dup_or_null(headers);
        a->body = dup_or_null(body);
    }
    pthread_mutex_unlock(&h->mu);
}

int dg_test_httpsd_hits(dg_test_httpsd *h, const char *method, const char *path)
{
    int n = 0;
    pthread_mutex_lock(&h->mu);
    for (int i = 0; i < h->n_reqs; i++)
        n += !strcmp(h->reqs[i].method, method) && !strcmp(h->reqs[i].path, path);
    pthread_mutex_unlock(&h->mu);
    return n;
}

int dg_test_httpsd_count(dg_test_httpsd *h)
{
    pthread_mutex_lock(&h->mu);
    int n = h->n_reqs;
    pthread_mutex_unlock(&h->mu);
    return n;
}

void dg_test_httpsd_request(dg_test_httpsd *h, int i, char *method, size_t msize, char *path,
                            size_t psize, char *body, size_t bsize)
{
    pthread_mutex_lock(&h->mu);
    const dg_test_https_request *r = i >= 0 && i < h->n_reqs ? &h->reqs[i] : NULL;
    if (method)
        snprintf(method, msize, "%s", r ? r->method : "");
    if (path)
        snprintf(path, psize, "%s", r ? r->path : "");
    if (body)
        snprintf(body, bsize, "%s", r && r->body ? r->body : "");
    pthread_mutex_unlock(&h->mu);
}

void dg_test_httpsd_header(dg_test_httpsd *h, int i, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    pthread_mutex_lock(&h->mu);
    const char *head = i >= 0 && i < h->n_reqs ? h->reqs[i].head : NULL;
    size_t nl = strlen(name);
    for (const char *p = head ? strstr(head, "\r\n") : NULL; p && p[2]; p = strstr(p + 2, "\r\n")) {
        const char *f = p + 2;
        if (!strncasecmp(f, name, nl) && f[nl] == ':') {
            f += nl + 1;
            while (*f == ' ')
                f++;
            snprintf(out, size, "%.*s", (int)strcspn(f, "\r\n"), f);
            break;
        }
    }
    pthread_mutex_unlock(&h->mu);
}
