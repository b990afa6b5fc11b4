/* The https transport's listings: GET <url>/<folder>, pages followed by a next link or a cursor,
 * each item a document with an id, inline or at its own URL, named "<id>.<extension>" for the
 * poller and kept in the transport's state until the next listing of that folder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/fs.h"
#include "core/log.h"
#include "transport/https_internal.h"
#include "json/json.h"

/* ---- the listing ---- */

http_doc *tr_https_find(http_state *s, const char *path)
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

void tr_https_forget(http_state *s, http_doc *d)
{
    s->held -= d->body_len;
    doc_free(d);
    *d = s->docs[--s->n];
}

void tr_https_forget_all(http_state *s)
{
    for (size_t i = 0; i < s->n; i++)
        doc_free(&s->docs[i]);
    free(s->docs);
    s->docs = NULL;
    s->n = s->cap = 0;
    s->held = 0;
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
    json_t *idv = dg_json_path_first(s->paths.id, item, item);
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
    if (tr_https_find(s, path))
        return; /* listed twice (it moved between pages while we paged): once is enough */
    http_doc d = {0};
    json_t *body = s->paths.body ? dg_json_path_first(s->paths.body, item, item) : NULL;
    json_t *link = s->paths.doc_url ? dg_json_path_first(s->paths.doc_url, item, item) : NULL;
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
        int rc = json_is_string(link)
                     ? tr_https_resolve(t, pc->url, json_string_value(link), &d.url, &e)
                     : tr_https_template_url(t, h->doc_template, id, &d.url, &e);
        if (rc) {
            skip_item(pc, i, e.msg);
            return;
        }
    } else {
        skip_item(pc, i, "neither an inline document nor a document URL");
        return;
    }
    d.path = tr_https_strdup(path);
    d.id = tr_https_strdup(id);
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
static int next_page(dg_transport *t, json_t *root, const char *first, const http_call *c,
                     char **next, dg_error *err)
{
    const dg_http_config *h = t->http;
    const char *url = c->url;
    *next = NULL;
    if (h->next && !strcmp(h->next, TR_HTTPS_LINK_HEADER))
        return c->link_next[0] ? tr_https_resolve(t, url, c->link_next, next, err) : 0;
    if (h->next) {
        json_t *v = dg_json_path_first(st_of(t)->paths.next, root, root);
        if (!json_is_string(v) || !*json_string_value(v))
            return 0;
        return tr_https_resolve(t, url, json_string_value(v), next, err);
    }
    if (!h->cursor)
        return 0;
    json_t *v = dg_json_path_first(st_of(t)->paths.cursor, root, root);
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
    json_t *items = dg_json_path_first(st_of(t)->paths.items, *root, *root);
    if (!json_is_array(items))
        return dg_error_set(err, DG_EVALID,
                            "%s: listing %s page %d: items '%s' is not a list of documents",
                            t->describe, pc->url, pc->page, t->http->items);
    for (size_t i = 0; i < json_array_size(items); i++)
        add_item(pc, json_array_get(items, i), i);
    return 0;
}

int tr_https_list(dg_transport *t, const char *dir, dg_remote_file **files, size_t *n,
                  dg_error *err)
{
    const dg_http_config *h = t->http;
    if (!h->items || !h->id)
        return dg_error_set(err, DG_ECONFIG, "%s: no list: block, so no folder can be listed",
                            t->describe);
    http_state *s = st_of(t);
    forget_listing(s, dir);
    char *first = NULL, *url = NULL;
    int rc = tr_https_path_url(t, dir, &first, err);
    if (rc)
        return rc;
    url = tr_https_strdup(first);
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
        rc = tr_https_perform(t, &c, err);
        if (!rc)
            rc = read_page(t, &pc, &body, &root, err);
        if (!rc)
            rc = next_page(t, root, first, &c, &next, err);
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
