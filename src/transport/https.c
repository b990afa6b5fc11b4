/* HTTPS partners (libcurl): a folder is a JSON listing of documents below the base URL, paged by a
 * next link or a cursor; each document is a file "<id>.<ext>" served from the listing or from its
 * own URL, remove acknowledges it, put POSTs or PUTs our file with an Idempotency-Key. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/fs.h"
#include "transport/https_internal.h"

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
    http_doc *d = tr_https_find(st_of(t), path);
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
    int rc = tr_https_perform(t, &c, err);
    if (!rc)
        d->fetched = cs.bytes;
    return rc;
}

static int https_stat(dg_transport *t, const char *path, dg_remote_file *out, dg_error *err)
{
    http_doc *d = tr_https_find(st_of(t), path);
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
    http_doc *d = tr_https_find(s, path);
    if (!d)
        return not_listed(t, path, err);
    char *url = NULL;
    int rc = tr_https_template_url(t, h->ack_template, d->id, &url, err);
    if (rc)
        return rc;
    http_call c = {.method = h->ack_method, .url = url, .missing_ok = true};
    rc = tr_https_perform(t, &c, err);
    free(url);
    if (!rc || rc == DG_ENOTFOUND)
        tr_https_forget(s, d);
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
    if ((rc = tr_https_path_url(t, target, &url, err)))
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
    rc = tr_https_perform(t, &c, err);
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
    tr_https_forget_all(s);
    dg_arena_free(s->paths.arena);
    free(s);
    t->impl = NULL;
}

/* The listing's paths, compiled once; a path the configuration load would refuse is refused
 * here too (a configuration built in code). */
static int compile_paths(dg_transport *t, http_paths *p, dg_error *err)
{
    const dg_http_config *h = t->http;
    const char *text[] = {h->items,
                          h->id,
                          h->body,
                          h->doc_url,
                          h->next && strcmp(h->next, TR_HTTPS_LINK_HEADER) ? h->next : NULL,
                          h->cursor};
    const struct dg_json_path **out[] = {&p->items,   &p->id,   &p->body,
                                         &p->doc_url, &p->next, &p->cursor};
    p->arena = dg_arena_new();
    for (size_t i = 0; i < sizeof text / sizeof *text; i++)
        if (text[i] && !(*out[i] = tr_jpath_compile(p->arena, text[i], err))) {
            dg_error_prefix(err, "%s: list: ", t->describe);
            return DG_ECONFIG;
        }
    return 0;
}

/* No request yet: a connection is made by the first call and reused while the server keeps it. */
static int https_connect(dg_transport *t, dg_error *err)
{
    int rc = tr_https_init(err);
    if (rc)
        return rc;
    if (!t->http || !t->http->url)
        return dg_error_set(err, DG_ECONFIG, "https transport: no url");
    http_state *s = st_of(t);
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            return dg_error_set(err, DG_ENOMEM, "out of memory");
        t->impl = s;
        if (!tr_https_origin(t->http->url, s->origin, sizeof s->origin))
            return dg_error_set(err, DG_ECONFIG, "https transport: url '%s' is not a URL",
                                t->http->url);
        if ((rc = compile_paths(t, &s->paths, err)))
            return rc;
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
    .list = tr_https_list,
    .fetch = https_fetch,
    .put = https_put,
    .rename = https_rename,
    .remove = https_remove,
    .mkdir1 = https_mkdir1,
    .stat = https_stat,
    .destroy = https_destroy,
};
