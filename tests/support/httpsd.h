/* A real HTTPS server for the https transport's tests: OpenSSL on 127.0.0.1 and a free port, a
 * certificate generated at start (openssl req), answers scripted per method and path (pages, 401,
 * 500 then 200, 429 with Retry-After, a dropped connection), every request kept. */
#ifndef DG_TEST_HTTPSD_H
#define DG_TEST_HTTPSD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define DG_TEST_HTTPSD_ROUTES 64
#define DG_TEST_HTTPSD_SCRIPT 8
#define DG_TEST_HTTPSD_REQS 512

typedef struct dg_test_https_answer {
    int status;    /* 0: the connection is closed without an answer (a lost answer) */
    char *headers; /* extra header lines, each ending in "\r\n", or NULL */
    char *body;
} dg_test_https_answer;

typedef struct dg_test_https_route {
    char method[8];
    char path[1024]; /* with its query: "/v1/orders?cursor=c2" */
    dg_test_https_answer script[DG_TEST_HTTPSD_SCRIPT];
    int n_script;
    int hits;
} dg_test_https_route;

typedef struct dg_test_https_request {
    char method[8];
    char path[1024];
    char *head; /* request line and headers */
    char *body;
} dg_test_https_request;

typedef struct dg_test_httpsd {
    int port;
    int fd;
    char dir[1024];           /* scratch: key and certificates (removed on stop) */
    char cert_file[1024];     /* the server's self-signed certificate: a ca_file that trusts it */
    char other_ca_file[1024]; /* an unrelated self-signed certificate: trusts nothing here */
    char why[512];            /* why start failed */
    void *ctx;                /* SSL_CTX */
    pthread_t thread;
    pthread_mutex_t mu;
    volatile bool stopping;
    dg_test_https_route routes[DG_TEST_HTTPSD_ROUTES];
    int n_routes;
    dg_test_https_request reqs[DG_TEST_HTTPSD_REQS];
    int n_reqs;
    int handshakes_failed; /* TLS handshakes a client broke off (an untrusted certificate) */
} dg_test_httpsd;

/* Starts the server; 0, or -1 with why filled. */
int dg_test_httpsd_start(dg_test_httpsd *h);
void dg_test_httpsd_stop(dg_test_httpsd *h);
/* Adds an answer to the script of method + path: the n-th request there gets the n-th answer,
 * the last one repeats. A path without a script answers 404. headers/body may be NULL. */
void dg_test_httpsd_script(dg_test_httpsd *h, const char *method, const char *path, int status,
                           const char *headers, const char *body);
/* Forgets every script and request (the port and certificate stay). */
void dg_test_httpsd_reset(dg_test_httpsd *h);
/* Requests seen at method + path, and in all. */
int dg_test_httpsd_hits(dg_test_httpsd *h, const char *method, const char *path);
int dg_test_httpsd_count(dg_test_httpsd *h);
/* Request i (arrival order): its method, path and body ("" when absent). */
void dg_test_httpsd_request(dg_test_httpsd *h, int i, char *method, size_t msize, char *path,
                            size_t psize, char *body, size_t bsize);
/* Value of header name of request i into out; "" when absent. */
void dg_test_httpsd_header(dg_test_httpsd *h, int i, const char *name, char *out, size_t size);

#endif
