/* Reads a partner's `transport:` node into a dg_transport_config. Secrets are only ever named
 * (password_env / password_file, passphrase_env / passphrase_file): an inline secret is refused. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fs.h"
#include "core/log.h"
#include "transport/transport_internal.h"

/* Every transport key holds one value (dg_conf_check refuses a list or a map there). */
static const dg_conf_key known_keys[] = {{"kind", DG_SHAPE_TEXT},
                                         {"root", DG_SHAPE_TEXT},
                                         {"host", DG_SHAPE_TEXT},
                                         {"port", DG_SHAPE_TEXT},
                                         {"user", DG_SHAPE_TEXT},
                                         {"password_env", DG_SHAPE_TEXT},
                                         {"password_file", DG_SHAPE_TEXT},
                                         {"key_file", DG_SHAPE_TEXT},
                                         {"passphrase_env", DG_SHAPE_TEXT},
                                         {"passphrase_file", DG_SHAPE_TEXT},
                                         {"known_hosts", DG_SHAPE_TEXT},
                                         {"strict_host_key", DG_SHAPE_TEXT},
                                         {"ca_file", DG_SHAPE_TEXT},
                                         {"verify_tls", DG_SHAPE_TEXT},
                                         {"timeout", DG_SHAPE_TEXT},
                                         {"timeout_ms", DG_SHAPE_TEXT},
                                         {"retries", DG_SHAPE_TEXT},
                                         {"backoff", DG_SHAPE_TEXT},
                                         {"backoff_ms", DG_SHAPE_TEXT},
                                         {"keepalive", DG_SHAPE_TEXT},
                                         {"keepalive_s", DG_SHAPE_TEXT},
                                         {"passive", DG_SHAPE_TEXT},
                                         {"url", DG_SHAPE_TEXT},
                                         {"auth", DG_SHAPE_TEXT},
                                         {"token_env", DG_SHAPE_TEXT},
                                         {"token_file", DG_SHAPE_TEXT},
                                         {"list", DG_SHAPE_MAP},
                                         {"ack", DG_SHAPE_MAP},
                                         {"send", DG_SHAPE_MAP},
                                         {NULL, 0}};

int tr_conf_error(dg_error *err, const dg_node *n, const char *fmt, ...)
{
    char where[512], msg[700];
    dg_conf_where(n, where, sizeof where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return dg_error_set(err, DG_ECONFIG, "%s: transport: %s", where, msg);
}

/* A duration in seconds ("30", "30s", "5m", "1h") or milliseconds ("500ms"), as milliseconds. */
static int get_ms(const dg_node *map, const char *key, long *out, dg_error *err)
{
    const dg_node *n = dg_conf_get(map, key);
    if (!n)
        return 0;
    const char *v = n->type == DG_NODE_SCALAR && n->value ? n->value : "";
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    long mult = 1000;
    if (!strcmp(end, "ms"))
        mult = 1;
    else if (!strcmp(end, "s") || !*end)
        mult = 1000;
    else if (!strcmp(end, "m"))
        mult = 60000;
    else if (!strcmp(end, "h"))
        mult = 3600000;
    else
        end = NULL;
    if (errno || !end || end == v || x < 0 || x > 86400.0 * 7)
        return tr_conf_error(err, n, "%s: expected a duration such as 30s, 500ms or 2m, not '%s'",
                             key, v);
    *out = (long)(x * (double)mult);
    return 0;
}

int tr_conf_str(const dg_node *map, const char *key, dg_arena *a, const char **out, dg_error *err)
{
    const dg_node *n = dg_conf_get(map, key);
    if (!n)
        return 0;
    if (n->type != DG_NODE_SCALAR || !n->value)
        return tr_conf_error(err, n, "%s: expected text", key);
    *out = dg_arena_strdup(a, n->value);
    return 0;
}

/* A file name from the config: relative ones resolve against base (the project root), not the
 * current folder, so the daemon finds its keys wherever it was started. */
static const char *resolve(dg_arena *a, const char *base, const char *path)
{
    if (!path || !*path || path[0] == '/' || !base || !*base)
        return path;
    return dg_arena_printf(a, "%s/%s", base, path);
}

static int get_path(const dg_node *map, const char *key, const char *base, dg_arena *a,
                    const char **out, dg_error *err)
{
    int rc = tr_conf_str(map, key, a, out, err);
    if (!rc)
        *out = resolve(a, base, *out);
    return rc;
}

/* A secret file others may read or write is refused, as ssh refuses such a key. */
static int check_private(const dg_node *n, const char *path, dg_error *err)
{
    dg_error e = {0};
    if (!path || !dg_fs_check_private(path, &e))
        return 0;
    return tr_conf_error(err, n, "%s", e.msg);
}

/* The secret named by KEY_env or KEY_file (first line, without its newline). */
int tr_conf_secret(const dg_node *map, const char *env_key, const char *file_key, const char *base,
                   dg_arena *a, const char **out, dg_error *err)
{
    const dg_node *e = dg_conf_get(map, env_key);
    const dg_node *f = dg_conf_get(map, file_key);
    if (e && f)
        return tr_conf_error(err, f, "%s and %s both given; keep one", env_key, file_key);
    if (e) {
        if (e->type != DG_NODE_SCALAR || !e->value || !*e->value)
            return tr_conf_error(err, e, "%s: expected an environment variable name", env_key);
        const char *v = getenv(e->value);
        if (!v) { /* DG_EAUTH: the file is right, the secret is missing (the caller may skip) */
            tr_conf_error(err, e, "environment variable %s (named by %s) is not set", e->value,
                          env_key);
            return err ? (err->code = DG_EAUTH) : DG_EAUTH;
        }
        *out = dg_arena_strdup(a, v);
        return 0;
    }
    if (f) {
        if (f->type != DG_NODE_SCALAR || !f->value || !*f->value)
            return tr_conf_error(err, f, "%s: expected a file name", file_key);
        const char *path = resolve(a, base, f->value);
        int rc = check_private(f, path, err);
        if (rc)
            return rc;
        FILE *fp = fopen(path, "r");
        if (!fp) {
            char why[300];
            snprintf(why, sizeof why, "%s", strerror(errno));
            tr_conf_error(err, f, "cannot read secret file '%s': %s", path, why);
            return err ? (err->code = DG_EAUTH) : DG_EAUTH;
        }
        char line[4096] = "";
        if (!fgets(line, sizeof line, fp))
            line[0] = '\0';
        fclose(fp);
        line[strcspn(line, "\r\n")] = '\0';
        *out = dg_arena_strdup(a, line);
        explicit_bzero(line, sizeof line);
        return 0;
    }
    return 0;
}

int dg_transport_config_load(const dg_node *node, dg_arena *arena, dg_transport_config *out,
                             dg_error *err)
{
    return dg_transport_config_load_in(node, NULL, arena, out, err);
}

int dg_transport_config_load_in(const dg_node *node, const char *base, dg_arena *arena,
                                dg_transport_config *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    out->strict_host_key = true;
    out->verify_tls = true;
    out->timeout_ms = 30000;
    out->retries = 3;
    out->backoff_ms = 500;
    out->keepalive_s = 30;
    if (!node || node->type != DG_NODE_MAP)
        return tr_conf_error(err, node, "expected a map (kind, root, host, ...)");
    for (size_t i = 0; i < node->n_items; i++) {
        const dg_node *it = node->items[i];
        const char *k = it->key ? it->key : "";
        if (!strcmp(k, "password") || !strcmp(k, "passphrase") || !strcmp(k, "key_passphrase"))
            return tr_conf_error(err, it,
                                 "'%s' is never written in a config file; use %s_env or %s_file", k,
                                 !strcmp(k, "password") ? "password" : "passphrase",
                                 !strcmp(k, "password") ? "password" : "passphrase");
        bool ok = false;
        for (const dg_conf_key *kk = known_keys; kk->key && !ok; kk++)
            ok = !strcmp(kk->key, k);
        if (!ok)
            return tr_conf_error(err, it,
                                 "unknown key '%s' (known: kind, root, host, port, user, "
                                 "password_env, password_file, key_file, passphrase_env, "
                                 "passphrase_file, known_hosts, strict_host_key, ca_file, "
                                 "verify_tls, timeout, retries, backoff, keepalive; https: url, "
                                 "auth, token_env, token_file, list, ack, send)",
                                 k);
    }
    int rc = dg_conf_check(node, "transport", known_keys, err);
    if (rc)
        return rc;
    if ((rc = tr_conf_str(node, "kind", arena, &out->kind, err)) ||
        (rc = tr_conf_str(node, "root", arena, &out->root, err)) ||
        (rc = tr_conf_str(node, "host", arena, &out->host, err)) ||
        (rc = tr_conf_str(node, "user", arena, &out->user, err)) ||
        (rc = get_path(node, "key_file", base, arena, &out->key_file, err)) ||
        (rc = get_path(node, "known_hosts", base, arena, &out->known_hosts, err)) ||
        (rc = get_path(node, "ca_file", base, arena, &out->ca_file, err)))
        return rc;
    const char *kind = out->kind;
    if (!kind)
        return tr_conf_error(err, node, "missing key 'kind' (local, sftp, ftp, ftps or https)");
    bool remote = strcmp(kind, "local");
    if (remote && strcmp(kind, "sftp") && strcmp(kind, "ftp") && strcmp(kind, "ftps") &&
        strcmp(kind, "https"))
        return tr_conf_error(err, dg_conf_get(node, "kind"),
                             "kind '%s' is not local, sftp, ftp, ftps or https", kind);
    bool https = !strcmp(kind, "https");
    static const char *const https_only[] = {"url",  "auth", "token_env", "token_file",
                                             "list", "ack",  "send"};
    for (size_t i = 0; i < sizeof https_only / sizeof *https_only && !https; i++)
        if (dg_conf_get(node, https_only[i]))
            return tr_conf_error(err, dg_conf_get(node, https_only[i]),
                                 "'%s' is only for kind: https (this transport is %s)",
                                 https_only[i], kind);
    if (remote && !https && (!out->host || !*out->host))
        return tr_conf_error(err, node, "%s: missing key 'host'", kind);
    if (remote && !https && (!out->user || !*out->user))
        return tr_conf_error(err, node, "%s: missing key 'user'", kind);
    long port = 0, retries = 3;
    bool passive = true;
    if ((rc = dg_conf_long(node, "port", 0, &port, err)) ||
        (rc = dg_conf_long(node, "retries", 3, &retries, err)) ||
        (rc = dg_conf_bool(node, "strict_host_key", true, &out->strict_host_key, err)) ||
        (rc = dg_conf_bool(node, "verify_tls", true, &out->verify_tls, err)) ||
        (rc = dg_conf_bool(node, "passive", true, &passive, err)))
        return rc;
    if (port < 0 || port > 65535)
        return tr_conf_error(err, dg_conf_get(node, "port"), "port %s is not 1-65535",
                             dg_conf_str(node, "port", ""));
    if (retries < 0 || retries > 100)
        return tr_conf_error(err, dg_conf_get(node, "retries"), "retries %s is not 0-100",
                             dg_conf_str(node, "retries", ""));
    if (!passive)
        return tr_conf_error(err, dg_conf_get(node, "passive"),
                             "active FTP is not supported; passive mode is always used");
    out->port = (int)port;
    out->retries = (int)retries;
    long ka_ms = out->keepalive_s * 1000;
    long ms = -1;
    if ((rc = dg_conf_long(node, "timeout_ms", -1, &ms, err)))
        return rc;
    if (ms >= 0)
        out->timeout_ms = ms;
    if ((rc = get_ms(node, "timeout", &out->timeout_ms, err)) ||
        (rc = dg_conf_long(node, "backoff_ms", out->backoff_ms, &out->backoff_ms, err)) ||
        (rc = get_ms(node, "backoff", &out->backoff_ms, err)) ||
        (rc = dg_conf_long(node, "keepalive_s", out->keepalive_s, &out->keepalive_s, err)) ||
        (rc = get_ms(node, "keepalive", &ka_ms, err)))
        return rc;
    if (dg_conf_get(node, "keepalive"))
        out->keepalive_s = ka_ms / 1000;
    if (out->timeout_ms <= 0)
        return tr_conf_error(err, node, "timeout must be more than 0");
    if ((rc = tr_conf_secret(node, "password_env", "password_file", base, arena, &out->password,
                             err)) == DG_EAUTH &&
        https) {
        /* https: the rest of the block is still read (see tr_https_config_load) */
        dg_error missing = err ? *err : (dg_error){0};
        rc = tr_https_config_load(node, base, arena, out, err);
        if (!rc || rc == DG_EAUTH) {
            if (err)
                *err = missing;
            rc = DG_EAUTH;
        }
        return rc;
    }
    if (rc || (rc = tr_conf_secret(node, "passphrase_env", "passphrase_file", base, arena,
                                   &out->key_passphrase, err)))
        return rc;
    if ((rc = check_private(dg_conf_get(node, "key_file"), out->key_file, err)))
        return rc;
    if (https && (rc = tr_https_config_load(node, base, arena, out, err)))
        return rc;
    const char *risks[4];
    size_t n_risks = dg_transport_config_risks(out, risks, 4);
    for (size_t i = 0; i < n_risks; i++) {
        char where[512];
        dg_log_warn("%s: transport: %s", dg_conf_where(node, where, sizeof where), risks[i]);
    }
    if (!strcmp(kind, "sftp") && !out->password && !out->key_file)
        return tr_conf_error(err, node,
                             "sftp: no credentials; give key_file, password_env or "
                             "password_file");
    if (!strcmp(kind, "sftp") && out->strict_host_key && !out->known_hosts)
        return tr_conf_error(err, node,
                             "sftp: known_hosts is required while strict_host_key is true");
    if (!remote && (!out->root || !*out->root))
        out->root = NULL; /* the gateway resolves a missing local root to the project root */
    return 0;
}

size_t dg_transport_config_risks(const dg_transport_config *c, const char **out, size_t max)
{
    size_t n = 0;
    const char *kind = c->kind ? c->kind : "";
    if (!strcmp(kind, "ftp") && n < max)
        out[n++] = "kind: ftp is plain FTP: the password and every file cross the network "
                   "unencrypted (use ftps or sftp)";
    if (!strcmp(kind, "ftps") && !c->verify_tls && n < max)
        out[n++] = "verify_tls: false accepts any server certificate: anyone on the path can "
                   "pose as the server and read or change the files";
    if (!strcmp(kind, "sftp") && !c->strict_host_key && n < max)
        out[n++] = "strict_host_key: false accepts an unknown host key: anyone on the path can "
                   "pose as the server and read or change the files";
    return n;
}
