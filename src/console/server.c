/* The console's HTTP server (libmicrohttpd, one internal thread, so one store handle serves
 * every request): listen-address policy, the security headers of every response, the gate in
 * front of actions (Host, Origin, token, CSRF), and the route table. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console/console_internal.h"
#include "core/log.h"
#include "flow/flow.h"
#include "store/store.h"

/* Forms are a few fields; a larger body is not ours. */
#define MAX_BODY (16 * 1024)

static const char csp[] = "default-src 'none'; style-src 'self'; img-src 'self'; "
                          "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

int dg_console_parse_listen(const char *text, dg_console_addr *out, dg_error *err)
{
    memset(out, 0, sizeof *out);
    const char *colon = strrchr(text ? text : "", ':');
    if (!colon || colon == text)
        return dg_error_set(err, DG_EINVAL, "listen '%s': want HOST:PORT (e.g. 127.0.0.1:8080)",
                            text ? text : "");
    size_t hl = (size_t)(colon - text);
    const char *h = text;
    if (h[0] == '[') { /* [::1]:8080 */
        if (hl < 3 || h[hl - 1] != ']')
            return dg_error_set(err, DG_EINVAL, "listen '%s': unclosed [", text);
        h++;
        hl -= 2;
        out->ipv6 = true;
    }
    if (hl >= sizeof out->host)
        return dg_error_set(err, DG_EINVAL, "listen '%s': host too long", text);
    memcpy(out->host, h, hl);
    out->host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535)
        return dg_error_set(err, DG_EINVAL, "listen '%s': port must be 0..65535", text);
    out->port = (uint16_t)port;
    if (!out->ipv6 && !strcmp(out->host, "localhost"))
        snprintf(out->host, sizeof out->host, "127.0.0.1");
    if (out->ipv6) {
        struct in6_addr a6;
        if (inet_pton(AF_INET6, out->host, &a6) != 1)
            return dg_error_set(err, DG_EINVAL, "listen '%s': '%s' is not an IPv6 address", text,
                                out->host);
        out->loopback = IN6_IS_ADDR_LOOPBACK(&a6);
    } else {
        struct in_addr a4;
        if (inet_pton(AF_INET, out->host, &a4) != 1)
            return dg_error_set(err, DG_EINVAL,
                                "listen '%s': '%s' is not an IPv4 address (use a number, or "
                                "localhost)",
                                text, out->host);
        out->loopback = (ntohl(a4.s_addr) >> 24) == 127;
    }
    return 0;
}

/* ---- per-connection state ------------------------------------------------------------- */

typedef struct conn_state {
    dg_buf body;
    bool too_large;
} conn_state;

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    conn_state *cs = *con_cls;
    if (cs) {
        dg_buf_free(&cs->body);
        free(cs);
        *con_cls = NULL;
    }
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    dg_form *f = cls;
    if (f->n == sizeof f->name / sizeof *f->name)
        return MHD_NO;
    f->name[f->n] = strdup(key ? key : "");
    f->value[f->n] = strdup(value ? value : "");
    f->n++;
    return MHD_YES;
}

const char *cn_arg(const cn_req *r, const char *name)
{
    const char *v = dg_form_get(&r->query, name);
    return v ? v : dg_form_get(&r->form, name);
}

struct dg_store *cn_store(dg_console *c, dg_error *err)
{
    if (!c->store && dg_gw_open_store(c->cfg, &c->store, &c->rules, err))
        return NULL;
    return c->store;
}

void cn_store_reset(dg_console *c)
{
    dg_flow_rules_free(c->rules);
    dg_store_close(c->store);
    c->rules = NULL;
    c->store = NULL;
}

/* ---- the gate ------------------------------------------------------------------------- */

/* Host must name this machine when we listen on loopback: a page of another site whose name
 * was re-pointed at 127.0.0.1 (DNS rebinding) must not read the console. */
static bool host_ok(const dg_console *c, const char *host)
{
    if (c->cfg->console_allow_remote)
        return true;
    if (!host)
        return false;
    static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(names[i]);
        if (!strncmp(host, names[i], n) && (host[n] == '\0' || host[n] == ':'))
            return true;
    }
    return false;
}

/* Which credential the client proved: the token as a Bearer header, or a session cookie. */
static void find_credential(struct MHD_Connection *conn, cn_req *r, char *cred, size_t size)
{
    dg_console_auth *a = r->c->auth;
    r->cred = NULL;
    snprintf(r->who, sizeof r->who, "anonymous");
    const char *authz = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    const char *sid = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "dg_session");
    if (authz && !strncmp(authz, "Bearer ", 7) && dg_console_auth_token_ok(a, authz + 7)) {
        snprintf(cred, size, "bearer");
    } else if (sid && dg_console_auth_session_ok(a, sid, r->now)) {
        snprintf(cred, size, "session:%s", sid);
    } else {
        return;
    }
    r->cred = cred;
    dg_console_auth_token_id(a, r->who);
    dg_console_auth_csrf(a, cred, r->csrf);
}

/* ---- routing -------------------------------------------------------------------------- */

typedef struct route {
    const char *path;
    void (*get)(cn_req *, cn_resp *);
    void (*post)(cn_req *, cn_resp *);
} route;

static const route routes[] = {
    {"/", cn_page_overview, NULL},
    {"/search", cn_page_search, NULL},
    {"/quarantine", cn_page_quarantine, NULL},
    {"/reconcile", cn_page_reconcile, NULL},
    {"/overdue", cn_page_overdue, NULL},
    {"/audit", cn_page_audit, NULL},
    {"/po", cn_page_po, NULL},
    {"/order", cn_page_order, NULL},
    {"/doc", cn_page_doc, NULL},
    {"/file", cn_page_file, NULL},
    {"/login", cn_page_login, cn_action_login},
    {"/logout", NULL, cn_action_logout},
    {"/reprocess", NULL, cn_action_reprocess},
    {"/poll", NULL, cn_action_poll},
    {"/metrics", cn_page_metrics, NULL},
    {"/healthz", cn_page_healthz, NULL},
};

static const char style[] =
    "body{font-family:sans-serif;margin:0;color:#222}"
    "nav{background:#234;padding:.5em 1em}nav a{color:#fff;margin-right:1em}"
    "nav form{display:inline}main{padding:1em}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .5em;"
    "text-align:left;vertical-align:top}th{background:#eef}"
    ".side{display:flex;gap:1em}.side>section{flex:1;min-width:0;overflow:auto}"
    "ol.segments{font-family:monospace;white-space:pre}pre{background:#f6f6f6;padding:.5em}"
    "dl.fields{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}"
    "dl.fields dd{margin:0}.bad{color:#a00}.note{color:#555}";

/* The POST gate: Origin, then the token (Bearer or session), then the CSRF field. login is
 * the one action without a credential yet (it presents the token in its form). */
static void post_gate(const route *rt, cn_req *r, cn_resp *w)
{
    if (!dg_console_origin_ok(r->origin, r->host)) {
        dg_log_warn("console action=%s remote=%s outcome=refused reason=\"Origin %s\"", r->path,
                    r->remote, r->origin);
        cn_error(w, r, 403, "Refused", "the request came from another site (Origin header)");
        return;
    }
    if (!dg_console_writable(r->c)) {
        cn_error(w, r, 403, "Read-only",
                 "this console is read-only: start it with DG_CONSOLE_TOKEN or console: "
                 "token_file to enable actions");
        return;
    }
    if (rt->post == cn_action_login) {
        rt->post(r, w);
        return;
    }
    if (!r->cred) {
        dg_log_warn("console action=%s remote=%s outcome=refused reason=\"no token\"", r->path,
                    r->remote);
        cn_error(w, r, 403, "Refused", "this action needs the console token: log in first");
        return;
    }
    if (!dg_console_auth_csrf_ok(r->c->auth, r->cred, dg_form_get(&r->form, "csrf"))) {
        const char *file_id = dg_form_get(&r->form, "file_id");
        cn_audit(r, r->path + 1, file_id ? "file" : "console", file_id ? file_id : "-",
                 "refused: bad or missing CSRF token");
        cn_error(w, r, 403, "Refused",
                 "the form's CSRF token does not match: reload the page and try again");
        return;
    }
    rt->post(r, w);
}

static void dispatch(cn_req *r, cn_resp *w)
{
    if (!strcmp(r->path, "/style.css")) {
        w->type = "text/css";
        dg_buf_puts(&w->body, style);
        return;
    }
    const route *rt = NULL;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
        if (!strcmp(routes[i].path, r->path))
            rt = &routes[i];
    if (!rt) {
        cn_error(w, r, 404, "Not found", "no such page");
        return;
    }
    bool post = !strcmp(r->method, "POST");
    if (post ? !rt->post : !rt->get) {
        cn_error(w, r, 405, "Method not allowed", post ? "this page is read-only" : "POST only");
        return;
    }
    if (post)
        post_gate(rt, r, w);
    else
        rt->get(r, w);
}

static enum MHD_Result respond(struct MHD_Connection *conn, cn_resp *w, bool head)
{
    size_t len = w->body.len;
    char *data = dg_buf_take(&w->body);
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        head ? 0 : len, head ? (void *)"" : (data ? data : (void *)""),
        head || !data ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
    if (head || !data)
        free(data);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", w->type ? w->type : "text/html; charset=utf-8");
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    if (w->location[0])
        MHD_add_response_header(resp, "Location", w->location);
    if (w->set_cookie[0])
        MHD_add_response_header(resp, "Set-Cookie", w->set_cookie);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)w->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void remote_of(struct MHD_Connection *conn, char *out, size_t size)
{
    snprintf(out, size, "?");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)size);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    dg_console *c = cls;
    conn_state *cs = *con_cls;
    if (!cs) { /* first call: headers only */
        if (!(cs = calloc(1, sizeof *cs)))
            return MHD_NO;
        *con_cls = cs;
        return MHD_YES;
    }
    if (*upload_size) {
        if (cs->body.len + *upload_size > MAX_BODY)
            cs->too_large = true;
        else
            dg_buf_append(&cs->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    char remote[64], cred[96];
    remote_of(conn, remote, sizeof remote);
    cn_req r = {.c = c, .method = method, .path = url, .remote = remote, .now = time(NULL)};
    r.host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
    r.origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
    cn_resp w = {.status = 200};
    bool head = !strcmp(method, "HEAD");
    if (head)
        r.method = "GET";
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &r.query);
    find_credential(conn, &r, cred, sizeof cred);
    snprintf(r.actor, sizeof r.actor, "console %s@%s", r.who, remote);
    dg_error err = {0};
    if (!host_ok(c, r.host)) {
        cn_error(&w, &r, 403, "Refused", "the Host header does not name this machine");
    } else if (strcmp(r.method, "GET") && strcmp(r.method, "POST")) {
        cn_error(&w, &r, 405, "Method not allowed", "GET and POST only");
    } else if (cs->too_large) {
        cn_error(&w, &r, 413, "Too large", "the form is larger than any of this console's");
    } else if (!strcmp(r.method, "POST") &&
               dg_form_parse(cs->body.data ? cs->body.data : "", cs->body.len, &r.form, &err)) {
        cn_error(&w, &r, 400, "Bad request", err.msg);
    } else {
        dispatch(&r, &w);
    }
    enum MHD_Result ret = respond(conn, &w, head);
    dg_buf_free(&w.body);
    dg_form_free(&r.query);
    dg_form_free(&r.form);
    explicit_bzero(cred, sizeof cred);
    return ret;
}

int dg_console_start(const dg_gw_config *cfg, const char *listen, dg_console **out, dg_error *err)
{
    *out = NULL;
    dg_console_addr addr;
    int rc = dg_console_parse_listen(listen ? listen : cfg->console_listen, &addr, err);
    if (rc)
        return rc;
    if (!addr.loopback && !cfg->console_allow_remote)
        return dg_error_set(err, DG_ECONFIG,
                            "listen %s: not a loopback address; the console binds to 127.0.0.1 "
                            "unless %s sets console: allow_remote: true (then put TLS and access "
                            "control in front of it)",
                            addr.host, cfg->file);
    char *token = NULL;
    if ((rc = dg_console_token_load(cfg->console_token_file, &token, err)))
        return rc;
    dg_console *c = calloc(1, sizeof *c);
    if (!c || !(c->auth = dg_console_auth_new(token))) {
        dg_console_token_free(token);
        free(c);
        return dg_error_set(err, DG_ENOMEM, "out of memory");
    }
    dg_console_token_free(token);
    c->cfg = cfg;
    struct sockaddr_in sa4 = {.sin_family = AF_INET, .sin_port = htons(addr.port)};
    struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6, .sin6_port = htons(addr.port)};
    if (addr.ipv6)
        inet_pton(AF_INET6, addr.host, &sa6.sin6_addr);
    else
        inet_pton(AF_INET, addr.host, &sa4.sin_addr);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG |
                     (addr.ipv6 ? MHD_USE_IPv6 : 0);
    /* The server thread never takes SIGTERM/SIGINT (it inherits this mask): they wake the
     * thread that waits for them (dropgate serve's dg_gw_nap). */
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    c->mhd = MHD_start_daemon(flags, addr.port, NULL, NULL, handle, c, MHD_OPTION_SOCK_ADDR,
                              addr.ipv6 ? (struct sockaddr *)&sa6 : (struct sockaddr *)&sa4,
                              MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_END);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!c->mhd) {
        dg_console_auth_free(c->auth);
        free(c);
        return dg_error_set(err, DG_EIO, "console: cannot listen on %s:%u (in use?)", addr.host,
                            (unsigned)addr.port);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(c->mhd, MHD_DAEMON_INFO_BIND_PORT);
    c->port = di ? di->port : addr.port;
    *out = c;
    return 0;
}

uint16_t dg_console_port(const dg_console *c)
{
    return c->port;
}

bool dg_console_writable(const dg_console *c)
{
    return dg_console_auth_writable(c->auth);
}

void dg_console_stop(dg_console *c)
{
    if (!c)
        return;
    MHD_stop_daemon(c->mhd);
    cn_store_reset(c);
    dg_console_auth_free(c->auth);
    free(c);
}
