/* A tiny HTTP listener for webhook tests (see httpd.h). */
#define _GNU_SOURCE /* strcasestr */
#include "httpd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* Reads one request: headers, then Content-Length bytes of body. */
static size_t read_request(int c, char *buf, size_t size)
{
    size_t len = 0;
    long want = -1;
    for (;;) {
        ssize_t r = recv(c, buf + len, size - 1 - len, 0);
        if (r <= 0)
            break;
        len += (size_t)r;
        buf[len] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end && want < 0) {
            char *cl = strcasestr(buf, "Content-Length:");
            want = (long)(end + 4 - buf) + (cl ? strtol(cl + 15, NULL, 10) : 0);
        }
        if ((want >= 0 && (long)len >= want) || len == size - 1)
            break;
    }
    buf[len] = '\0';
    return len;
}

static void *serve(void *arg)
{
    dg_test_httpd *h = arg;
    for (;;) {
        int c = accept(h->fd, NULL, NULL);
        if (c < 0)
            return NULL;
        char buf[16384];
        read_request(c, buf, sizeof buf);
        pthread_mutex_lock(&h->mu);
        if (h->n < DG_TEST_HTTPD_MAX)
            h->req[h->n++] = strdup(buf);
        int status = h->status;
        pthread_mutex_unlock(&h->mu);
        char resp[128];
        int n = snprintf(resp, sizeof resp,
                         "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
        if (send(c, resp, (size_t)n, 0) < 0) {
            /* the client gave up: nothing to do */
        }
        close(c);
    }
}

int dg_test_httpd_start(dg_test_httpd *h, int status)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    h->status = status;
    h->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (h->fd < 0)
        return -1;
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    pthread_t th;
    if (bind(h->fd, (struct sockaddr *)&a, sizeof a) ||
        getsockname(h->fd, (struct sockaddr *)&a, &alen) || listen(h->fd, 16) ||
        pthread_create(&th, NULL, serve, h)) {
        close(h->fd);
        return -1;
    }
    h->port = ntohs(a.sin_port);
    pthread_detach(th);
    return 0;
}

void dg_test_httpd_set_status(dg_test_httpd *h, int status)
{
    pthread_mutex_lock(&h->mu);
    h->status = status;
    pthread_mutex_unlock(&h->mu);
}

int dg_test_httpd_count(dg_test_httpd *h)
{
    pthread_mutex_lock(&h->mu);
    int n = h->n;
    pthread_mutex_unlock(&h->mu);
    return n;
}

int dg_test_httpd_seen(dg_test_httpd *h, const char *text)
{
    int found = 0;
    pthread_mutex_lock(&h->mu);
    for (int i = 0; i < h->n && !found; i++)
        found = strstr(h->req[i], text) != NULL;
    pthread_mutex_unlock(&h->mu);
    return found;
}

void dg_test_httpd_header(dg_test_httpd *h, int i, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    pthread_mutex_lock(&h->mu);
    const char *line = i < h->n ? h->req[i] : NULL;
    size_t nl = strlen(name);
    /* header lines follow a CRLF and end at the blank line */
    for (const char *p = line ? strstr(line, "\r\n") : NULL; p && strncmp(p, "\r\n\r\n", 4);
         p = strstr(p + 2, "\r\n")) {
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
