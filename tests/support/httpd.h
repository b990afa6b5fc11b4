/* A tiny HTTP listener on 127.0.0.1 for webhook tests: one request per connection, every request
 * kept as received (headers and body), every answer the status set last. */
#ifndef DG_TEST_HTTPD_H
#define DG_TEST_HTTPD_H

#include <pthread.h>
#include <stddef.h>

#define DG_TEST_HTTPD_MAX 64

typedef struct dg_test_httpd {
    int port;
    int fd;
    int status;
    pthread_mutex_t mu;
    char *req[DG_TEST_HTTPD_MAX]; /* raw requests in arrival order (later ones are dropped) */
    int n;
} dg_test_httpd;

/* Listens on a free port, answering status; 0, or -1 with errno. */
int dg_test_httpd_start(dg_test_httpd *h, int status);
void dg_test_httpd_set_status(dg_test_httpd *h, int status);
int dg_test_httpd_count(dg_test_httpd *h);
/* Whether any request so far contains text. */
int dg_test_httpd_seen(dg_test_httpd *h, const char *text);
/* Value of header name ("Idempotency-Key") of request i into out; "" when absent. */
void dg_test_httpd_header(dg_test_httpd *h, int i, const char *name, char *out, size_t size);

#endif
