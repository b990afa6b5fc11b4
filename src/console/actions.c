/* The console's actions and machine endpoints: log in/out (a session cookie after the token),
 * reprocess a file set aside, /metrics and /healthz. Every action ends in the audit log.
 *
 * Running beside the daemon: reads go through SQLite's WAL and never block `dropgate run`.
 * A reprocess changes state the way `dropgate reprocess` does, so it takes the same
 * one-instance lock (<db>.lock); while the daemon holds it the action is refused (409, audited)
 * and the operator stops the daemon or runs it later - never two writers of the flow at once. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/console_internal.h"
#include "core/log.h"
#include "store/store.h"

void cn_page_login(cn_req *r, cn_resp *w)
{
    cn_begin(w, r, "Log in");
    if (!dg_console_writable(r->c)) {
        dg_buf_puts(&w->body, "<p>This console is read-only: it was started without "
                              "DG_CONSOLE_TOKEN or console: token_file.</p>");
    } else {
        dg_buf_puts(&w->body, "<form method=\"post\" action=\"/login\"><label>Console token "
                              "<input type=\"password\" name=\"token\" autocomplete=\"off\">"
                              "</label> <button>Log in</button></form>");
    }
    cn_end(w);
}

void cn_audit(cn_req *r, const char *action, const char *target_kind, const char *target,
              const char *detail)
{
    dg_error err = {0};
    struct dg_store *s = cn_store(r->c, &err);
    if (!s || dg_store_action_add(s, action, target_kind, target, r->actor, NULL, detail, &err))
        dg_log_warn("console action=%s actor=\"%s\" audit=failed reason=\"%s\"", action, r->actor,
                    err.msg);
}

void cn_action_login(cn_req *r, cn_resp *w)
{
    if (!dg_console_auth_token_ok(r->c->auth, dg_form_get(&r->form, "token"))) {
        cn_audit(r, "login", "console", "session", "refused: wrong token");
        cn_error(w, r, 403, "Refused", "wrong token");
        return;
    }
    char sid[65];
    if (dg_console_auth_session_new(r->c->auth, r->now, sid)) {
        cn_error(w, r, 500, "Error", "no random bytes for a session");
        return;
    }
    dg_console_auth_token_id(r->c->auth, r->who);
    snprintf(r->actor, sizeof r->actor, "console %s@%s", r->who, r->remote);
    cn_audit(r, "login", "console", "session", "done");
    snprintf(w->set_cookie, sizeof w->set_cookie,
             "dg_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200", sid);
    explicit_bzero(sid, sizeof sid);
    w->status = 303;
    snprintf(w->location, sizeof w->location, "/");
}

void cn_action_logout(cn_req *r, cn_resp *w)
{
    if (!strncmp(r->cred, "session:", 8))
        dg_console_auth_session_end(r->c->auth, r->cred + 8);
    cn_audit(r, "logout", "console", "session", "done");
    snprintf(w->set_cookie, sizeof w->set_cookie, "dg_session=; Path=/; Max-Age=0");
    w->status = 303;
    snprintf(w->location, sizeof w->location, "/");
}

void cn_action_reprocess(cn_req *r, cn_resp *w)
{
    const char *id = dg_form_get(&r->form, "file_id");
    char *end = NULL;
    long long file_id = id ? strtoll(id, &end, 10) : 0;
    if (!id || !*id || *end || file_id <= 0) {
        cn_error(w, r, 400, "Bad request", "file_id must be a positive number");
        return;
    }
    char target[32], detail[1024];
    snprintf(target, sizeof target, "%lld", file_id);
    /* The configuration as it is on disk now: a reprocess follows a fix of a partner file or
     * mapping, which the console's copy from its start does not have. */
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    int lock = -1;
    int rc = dg_gw_config_load(r->c->cfg->file, r->c->cfg->root, &cfg, &err);
    if (!rc && (rc = dg_gw_lock(cfg->lock_base, &lock, &err)) == DG_ELOCKED) {
        dg_gw_config_free(cfg);
        cn_audit(r, "reprocess", "file", target,
                 "refused: the gateway daemon holds the store's lock");
        cn_error(w, r, 409, "Daemon running",
                 "the gateway daemon (dropgate run) holds the state store's lock: a reprocess "
                 "waits until it is stopped (or run 'dropgate reprocess' then)");
        return;
    }
    dg_gw *g = NULL;
    dg_gw_reprocess_result res = {0};
    /* dg_gw_reprocess records the run (lineage and the action, with our actor) itself. */
    if (!rc && !(rc = dg_gw_open(cfg, &g, &err)))
        rc = dg_gw_reprocess(g, file_id, r->actor, "console", &res, &err);
    dg_gw_close(g);
    dg_gw_unlock(lock);
    dg_gw_config_free(cfg);
    if (rc) {
        snprintf(detail, sizeof detail, "failed: %s", err.msg);
        cn_audit(r, "reprocess", "file", target, detail);
        cn_error(w, r, rc == DG_ENOTFOUND || rc == DG_EINVAL ? 404 : 500, "Reprocess failed",
                 err.msg);
        return;
    }
    snprintf(detail, sizeof detail,
             "state=%s %s=%ld applied_now=%ld applied_before=%ld rejected=%ld%s%s", res.state,
             res.x12 ? "sets" : "documents",
             res.x12 ? res.sets : res.applied_now + res.applied_before, res.applied_now,
             res.applied_before, res.rejected, res.note[0] ? ": " : "", res.note);
    cn_begin(w, r, "Reprocessed");
    dg_buf_printf(&w->body, "<p id=\"result\">file %s: ", target);
    cn_text(w, detail);
    dg_buf_puts(&w->body, "</p><p><a href=\"/quarantine\">Back to the quarantine</a></p>");
    cn_end(w);
}

/* Poll now: with no daemon, this process takes the lock and runs one cycle (as `poll --once`);
 * beside the daemon, the daemon is asked (var/requests + SIGUSR1) and its answer awaited up to
 * POLL_WAIT seconds. Either way the summary line is shown and the action audited. */
#define POLL_WAIT 30

void cn_action_poll(cn_req *r, cn_resp *w)
{
    const char *partner = dg_form_get(&r->form, "partner");
    if (partner && !*partner)
        partner = NULL;
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    char text[512] = "", detail[700];
    int code = 2, lock = -1;
    int rc = dg_gw_config_load(r->c->cfg->file, r->c->cfg->root, &cfg, &err);
    if (!rc && partner && !dg_gw_config_partner(cfg, partner))
        rc = dg_error_set(&err, DG_EINVAL, "no partner '%s' in the configuration", partner);
    bool asked = false;
    if (!rc && (rc = dg_gw_lock(cfg->lock_base, &lock, &err)) == DG_ELOCKED) {
        asked = true;
        rc = dg_gw_request_poll(cfg, partner, POLL_WAIT, &code, text, sizeof text, &err);
    } else if (!rc) {
        dg_gw *g = NULL;
        if (!(rc = dg_gw_open(cfg, &g, &err))) {
            rc = dg_gw_cycle(g, partner, false, &err);
            code = dg_gw_poll_exit(rc, dg_gw_get_stats(g));
            dg_gw_stats_format(dg_gw_get_stats(g), text, sizeof text);
            rc = code == 2 ? rc : 0;
        }
        dg_gw_close(g);
    }
    dg_gw_unlock(lock);
    dg_gw_config_free(cfg);
    if (rc) {
        snprintf(detail, sizeof detail, "failed: %s", err.msg);
        cn_audit(r, "poll", "partner", partner ? partner : "all", detail);
        cn_error(w, r,
                 rc == DG_ETIMEOUT ? 504
                 : rc == DG_EINVAL ? 400
                                   : 500,
                 "Poll failed", err.msg);
        return;
    }
    snprintf(detail, sizeof detail, "%s exit %d: %s", asked ? "by the daemon," : "here,", code,
             text);
    cn_audit(r, "poll", "partner", partner ? partner : "all", detail);
    cn_begin(w, r, "Polled");
    dg_buf_puts(&w->body, "<p id=\"result\">");
    cn_text(w, detail);
    dg_buf_puts(&w->body, "</p><p><a href=\"/\">Back to the overview</a></p>");
    cn_end(w);
}

void cn_page_metrics(cn_req *r, cn_resp *w)
{
    dg_error err = {0};
    struct dg_store *s = cn_store(r->c, &err);
    w->type = "text/plain; version=0.0.4; charset=utf-8";
    if (!s || dg_console_metrics(s, r->c->rules, r->now, &w->body, &err)) {
        if (s)
            cn_store_reset(r->c);
        dg_buf_clear(&w->body);
        w->status = 503;
        dg_buf_printf(&w->body, "# state store unavailable\n");
    }
}

void cn_page_healthz(cn_req *r, cn_resp *w)
{
    dg_error err = {0};
    struct dg_store *s = cn_store(r->c, &err);
    int version = s ? dg_store_schema_version(s) : 0;
    json_t *o = version > 0 ? json_pack("{s:s, s:i}", "status", "ok", "schema", version)
                            : json_pack("{s:s, s:s}", "status", "unavailable", "error",
                                        s ? "cannot read the state store" : err.msg);
    if (version <= 0) {
        cn_store_reset(r->c);
        w->status = 503;
    }
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    w->type = "application/json";
    dg_buf_puts(&w->body, text ? text : "{}");
    dg_buf_putc(&w->body, '\n');
    free(text);
    json_decref(o);
}
