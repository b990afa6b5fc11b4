/* The parts of the https transport shared by its files: https_request.c (URLs, one request and
 * what its answer means), https_list.c (listings and the documents they name), https.c (fetch,
 * acknowledge, send and the transport operations). */
#ifndef DG_TRANSPORT_HTTPS_INTERNAL_H
#define DG_TRANSPORT_HTTPS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <curl/curl.h>

#include "core/buf.h"
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

/* The listing's JSON paths, compiled once per transport (NULL: not configured). */
typedef struct http_paths {
    dg_arena *arena;
    const struct dg_json_path *items, *id, *body, *doc_url, *next, *cursor;
} http_paths;

typedef struct http_state {
    CURL *curl;
    http_paths paths;
    char errbuf[CURL_ERROR_SIZE];
    char origin[700]; /* "https://host:port": every URL called starts with it */
    http_doc *docs;   /* the last listing of each folder (kept across reconnects) */
    size_t n, cap;
    uint64_t held; /* bytes of the inline documents in docs */
} http_state;

static inline http_state *st_of(dg_transport *t)
{
    return t->impl;
}

/* One request: set method, url and where the body goes; the rest is filled by perform. */
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
    char link_next[2048]; /* the answer's Link header rel="next" target, or "" */
} http_call;

/* list: next: link-header - pages linked by the HTTP Link header (RFC 8288), not the body. */
#define TR_HTTPS_LINK_HEADER "link-header"

/* curl_global_init, once per process. 0 or DG_ENET. */
int tr_https_init(dg_error *err);
/* Performs c: 0 for a 2xx answer, else the code of what went wrong (see https_request.c). */
int tr_https_perform(dg_transport *t, http_call *c, dg_error *err);
/* The scheme, host and port of url ("https://h:443"); false when it is no URL. */
bool tr_https_origin(const char *url, char *out, size_t size);
/* ref (absolute, or relative to base) as an absolute URL (malloc'd) on the origin of url:
 * DG_EVALID naming the link when it points anywhere else. */
int tr_https_resolve(dg_transport *t, const char *base, const char *ref, char **out, dg_error *err);
/* The URL of a server path ("/v1/orders"); a template below url with {id} replaced. */
int tr_https_path_url(dg_transport *t, const char *path, char **out, dg_error *err);
int tr_https_template_url(dg_transport *t, const char *tpl, const char *id, char **out,
                          dg_error *err);
/* strdup that aborts on out of memory, NULL for NULL. */
char *tr_https_strdup(const char *s);

/* https_list.c: the listing of dir (pages followed), its documents kept in the state. */
int tr_https_list(dg_transport *t, const char *dir, dg_remote_file **files, size_t *n,
                  dg_error *err);
http_doc *tr_https_find(http_state *s, const char *path);
/* Drops d from the state (acknowledged or gone). */
void tr_https_forget(http_state *s, http_doc *d);
/* Frees every document of the state. */
void tr_https_forget_all(http_state *s);

#endif
