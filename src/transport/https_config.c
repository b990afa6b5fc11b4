/* The kind: https block of a partner's transport: the base URL, the credentials (token_* for
 * auth: bearer, password_* for basic), list: (how a listing reads), ack: and send:, checked
 * with errors naming file:line; and what such a transport can do (dg_transport_config_caps). */
#include <stdio.h>
#include <string.h>

#include "transport/https_internal.h"
#include "json/json.h"

static int https_sub(const dg_node *node, const char *key, const dg_conf_key *keys,
                     const dg_node **out, dg_error *err)
{
    *out = dg_conf_get(node, key);
    if (!*out)
        return 0;
    char what[64];
    snprintf(what, sizeof what, "the transport's '%s' block", key);
    return dg_conf_check(*out, what, keys, err);
}

const dg_json_path *tr_jpath_compile(dg_arena *a, const char *path, dg_error *err)
{
    if (!path || path[0] != '$') {
        dg_error_set(err, DG_ECONFIG, "JSON path '%s' does not start with '$'", path ? path : "");
        return NULL;
    }
    char why[400];
    const dg_json_path *p = dg_json_path_compile(a, path, why, sizeof why);
    if (!p)
        dg_error_set(err, DG_ECONFIG, "%s (steps are .name, ['name'] and [index]; no wildcards)",
                     why);
    else if (!dg_json_path_single(p))
        dg_error_set(err, DG_ECONFIG,
                     "JSON path '%s' may select several values (steps are .name, ['name'] and "
                     "[index]; no wildcards or filters)",
                     path);
    return p && dg_json_path_single(p) ? p : NULL;
}

/* A JSON path key of block (absent: def), checked as the transport will compile it. */
static int get_jpath(const dg_node *block, const char *key, const char *def, dg_arena *a,
                     const char **out, dg_error *err)
{
    *out = def;
    int rc = tr_conf_str(block, key, a, out, err);
    dg_error e = {0};
    if (!rc && *out && !tr_jpath_compile(a, *out, &e))
        return tr_conf_error(err, dg_conf_get(block, key), "%s: %s", key, e.msg);
    return rc;
}

/* One of allowed (a static string, so it outlives the YAML tree), else an error. */
/* The same, also taking the one word special (next: link-header). */
static int get_jpath_or(const dg_node *block, const char *key, const char *special, dg_arena *a,
                        const char **out, dg_error *err)
{
    const char *v = dg_conf_str(block, key, NULL);
    if (v && !strcmp(v, special)) {
        *out = special;
        return 0;
    }
    return get_jpath(block, key, NULL, a, out, err);
}

static int get_method(const dg_node *block, const char *key, const char *def,
                      const char *const *allowed, const char **out, dg_error *err)
{
    *out = dg_conf_str(block, key, def);
    for (const char *const *m = allowed; *m; m++)
        if (!strcmp(*out, *m)) {
            *out = *m;
            return 0;
        }
    return tr_conf_error(err, dg_conf_get(block, key), "%s: '%s' is not one of %s%s%s", key, *out,
                         allowed[0], allowed[1] ? ", " : "", allowed[1] ? allowed[1] : "");
}

/* list: how a folder's listing reads: items, id, the document (inline body or its URL), paging. */
static int load_https_list(const dg_node *node, dg_arena *a, dg_http_config *h, dg_error *err)
{
    static const dg_conf_key keys[] = {
        {"items", DG_SHAPE_TEXT},     {"id", DG_SHAPE_TEXT},
        {"body", DG_SHAPE_TEXT},      {"document_url", DG_SHAPE_TEXT},
        {"document", DG_SHAPE_TEXT},  {"next", DG_SHAPE_TEXT},
        {"cursor", DG_SHAPE_TEXT},    {"cursor_param", DG_SHAPE_TEXT},
        {"extension", DG_SHAPE_TEXT}, {"max_pages", DG_SHAPE_TEXT},
        {"max_bytes", DG_SHAPE_TEXT}, {NULL, 0}};
    const dg_node *l = NULL;
    int rc = https_sub(node, "list", keys, &l, err);
    if (rc || !l)
        return rc;
    if ((rc = get_jpath(l, "items", "$", a, &h->items, err)) ||
        (rc = get_jpath(l, "id", "$.id", a, &h->id, err)) ||
        (rc = get_jpath(l, "body", NULL, a, &h->body, err)) ||
        (rc = get_jpath(l, "document_url", NULL, a, &h->doc_url, err)) ||
        (rc = tr_conf_str(l, "document", a, &h->doc_template, err)) ||
        (rc = get_jpath_or(l, "next", TR_HTTPS_LINK_HEADER, a, &h->next, err)) ||
        (rc = get_jpath(l, "cursor", NULL, a, &h->cursor, err)) ||
        (rc = tr_conf_str(l, "cursor_param", a, &h->cursor_param, err)) ||
        (rc = tr_conf_str(l, "extension", a, &h->extension, err)) ||
        (rc = dg_conf_long(l, "max_pages", 1000, &h->max_pages, err)) ||
        (rc = dg_conf_long(l, "max_bytes", 256L << 20, &h->max_bytes, err)))
        return rc;
    if (!h->body && !h->doc_url && !h->doc_template)
        return tr_conf_error(err, l,
                             "list: say where each document is: body (a path to the inline "
                             "document), document_url (a path to its URL) or document (a URL "
                             "template below url, with {id})");
    if (h->next && h->cursor)
        return tr_conf_error(
            err, dg_conf_get(l, "cursor"),
            "list: next (a link to the next page) and cursor both given; keep one");
    if (h->cursor && (!h->cursor_param || !*h->cursor_param))
        return tr_conf_error(err, dg_conf_get(l, "cursor"),
                             "list: cursor needs cursor_param (the query parameter that takes it)");
    if (h->cursor_param && !h->cursor)
        return tr_conf_error(err, dg_conf_get(l, "cursor_param"),
                             "list: cursor_param without cursor");
    if (h->cursor_param &&
        strspn(h->cursor_param, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
                                "VWXYZ0123456789_-.[]") != strlen(h->cursor_param))
        return tr_conf_error(err, dg_conf_get(l, "cursor_param"),
                             "list: cursor_param '%s' is not a plain query parameter name",
                             h->cursor_param);
    if (h->doc_template && !strstr(h->doc_template, "{id}"))
        return tr_conf_error(err, dg_conf_get(l, "document"),
                             "list: document '%s' has no {id} (where the document id goes)",
                             h->doc_template);
    size_t ext = h->extension ? strlen(h->extension) : 0;
    if (h->extension && (ext == 0 || ext > 15 ||
                         strspn(h->extension, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789") != ext))
        return tr_conf_error(err, dg_conf_get(l, "extension"),
                             "list: extension '%s' is not 1-15 letters and digits", h->extension);
    if (h->max_pages < 1 || h->max_pages > 100000)
        return tr_conf_error(err, dg_conf_get(l, "max_pages"), "list: max_pages is not 1-100000");
    if (h->max_bytes < 1)
        return tr_conf_error(err, dg_conf_get(l, "max_bytes"), "list: max_bytes must be 1 or more");
    return 0;
}

/* ack: how a taken document is acknowledged (after: delete); send: how ours go out. */
static int load_https_ack_send(const dg_node *node, dg_arena *a, dg_http_config *h, dg_error *err)
{
    static const dg_conf_key ack_keys[] = {
        {"method", DG_SHAPE_TEXT}, {"url", DG_SHAPE_TEXT}, {NULL, 0}};
    static const dg_conf_key send_keys[] = {
        {"method", DG_SHAPE_TEXT}, {"content_type", DG_SHAPE_TEXT}, {NULL, 0}};
    static const char *const ack_methods[] = {"DELETE", "POST", "PUT", NULL};
    static const char *const send_methods[] = {"POST", "PUT", NULL};
    const dg_node *ack = NULL, *send = NULL;
    int rc;
    if ((rc = https_sub(node, "ack", ack_keys, &ack, err)) ||
        (rc = https_sub(node, "send", send_keys, &send, err)))
        return rc;
    if (ack) {
        if ((rc = get_method(ack, "method", "DELETE", ack_methods, &h->ack_method, err)) ||
            (rc = tr_conf_str(ack, "url", a, &h->ack_template, err)))
            return rc;
        if (!h->ack_template || !strstr(h->ack_template, "{id}"))
            return tr_conf_error(err, ack,
                                 "ack: url is needed, a URL template below url with {id} (e.g. "
                                 "documents/{id})");
    }
    if (send) {
        if ((rc = get_method(send, "method", "POST", send_methods, &h->send_method, err)) ||
            (rc = tr_conf_str(send, "content_type", a, &h->content_type, err)))
            return rc;
        if (h->content_type && (strpbrk(h->content_type, "\r\n") || !*h->content_type))
            return tr_conf_error(err, dg_conf_get(send, "content_type"),
                                 "send: content_type is not a media type");
    }
    return 0;
}

/* kind: https: the base URL (host, port and root come from it), the credentials (token_* for
 * auth: bearer, password_* for basic), and the list:, ack: and send: blocks. */
int tr_https_config_load(const dg_node *node, const char *base, dg_arena *a,
                         dg_transport_config *out, dg_error *err)
{
    static const char *const not_https[] = {"host",           "port",
                                            "root",           "key_file",
                                            "passphrase_env", "passphrase_file",
                                            "known_hosts",    "strict_host_key",
                                            "passive",        "keepalive",
                                            "keepalive_s"};
    for (size_t i = 0; i < sizeof not_https / sizeof *not_https; i++)
        if (dg_conf_get(node, not_https[i]))
            return tr_conf_error(err, dg_conf_get(node, not_https[i]),
                                 "'%s' is not used by kind: https (url names the host, port and "
                                 "path)",
                                 not_https[i]);
    if (!out->verify_tls)
        return tr_conf_error(err, dg_conf_get(node, "verify_tls"),
                             "verify_tls: false is not offered for https; give ca_file with the "
                             "CA that signed the server's certificate");
    dg_http_config *h = dg_arena_alloc(a, sizeof *h);
    memset(h, 0, sizeof *h);
    int rc = tr_conf_str(node, "url", a, &h->url, err);
    if (rc)
        return rc;
    if (!h->url)
        return tr_conf_error(err, node, "https: missing key 'url' (https://host[:port][/path])");
    char host[512], path[1500];
    int port = 0;
    dg_error e = {0};
    if (tr_http_split_url(h->url, host, sizeof host, &port, path, sizeof path, &e))
        return tr_conf_error(err, dg_conf_get(node, "url"), "%s", e.msg);
    /* A secret named but not there (DG_EAUTH) is reported after the whole block is read: the
     * gateway then skips this partner, and its drops still know what the transport can do. */
    const char *token = NULL;
    dg_error missing = {0};
    int missing_rc = tr_conf_secret(node, "token_env", "token_file", base, a, &token, &missing);
    if (missing_rc && missing_rc != DG_EAUTH)
        return err ? (*err = missing, missing_rc) : missing_rc;
    bool has_token = dg_conf_get(node, "token_env") || dg_conf_get(node, "token_file");
    bool has_password = dg_conf_get(node, "password_env") || dg_conf_get(node, "password_file");
    if (has_token && has_password)
        return tr_conf_error(err,
                             dg_conf_get(node, "token_env") ? dg_conf_get(node, "token_env")
                                                            : dg_conf_get(node, "token_file"),
                             "a token and a password both given; keep one (token: auth: bearer, "
                             "password: auth: basic)");
    const char *def = has_token ? "bearer" : has_password ? "basic" : "none";
    static const char *const auths[] = {"bearer", "basic", "none", NULL};
    if ((rc = get_method(node, "auth", def, auths, &h->auth, err)))
        return rc;
    if (token)
        out->password = token;
    bool secret = has_token || has_password;
    const dg_node *an = dg_conf_get(node, "auth") ? dg_conf_get(node, "auth") : node;
    if (!strcmp(h->auth, "bearer") && !secret)
        return tr_conf_error(err, an, "auth: bearer needs token_env or token_file");
    if (!strcmp(h->auth, "basic") && (!secret || !out->user || !*out->user))
        return tr_conf_error(err, an, "auth: basic needs user and password_env or password_file");
    if (!strcmp(h->auth, "none") && secret)
        return tr_conf_error(err, an, "auth: none, yet a token or password is given");
    if ((rc = load_https_list(node, a, h, err)) || (rc = load_https_ack_send(node, a, h, err)))
        return rc;
    out->http = h;
    if (missing_rc && err)
        *err = missing;
    return missing_rc;
}

dg_transport_caps dg_transport_config_caps(const dg_transport_config *c)
{
    dg_transport_caps k = {.whole_files = false,
                           .can_list = true,
                           .can_remove = true,
                           .can_move = true,
                           .outbound_listable = true};
    if (c->kind && !strcmp(c->kind, "https")) {
        k.whole_files = true; /* a listed document is served whole */
        k.can_list = c->http && c->http->items;
        k.can_remove = c->http && c->http->ack_method && c->http->ack_template;
        k.can_move = false;
        k.outbound_listable = false;
    }
    return k;
}
