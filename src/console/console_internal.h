/* Shared by the console's files: the server state, one request and its response, and the page
 * and action handlers the router calls (pages.c, detail.c, actions.c). */
#ifndef DG_CONSOLE_INTERNAL_H
#define DG_CONSOLE_INTERNAL_H

#include "console/console.h"
#include "gateway/gateway.h"

struct dg_store;
struct dg_flow_rules;
struct json_t;

struct dg_console {
    const dg_gw_config *cfg;
    dg_console_auth *auth;
    struct MHD_Daemon *mhd;
    uint16_t port;
    /* Used from the server's one thread only (the store is one handle per thread). Opened
     * on first use and reopened after a failure, so the console starts before the store exists
     * and /healthz says 503 until it does. */
    struct dg_store *store;
    struct dg_flow_rules *rules;
};

/* One request. */
typedef struct cn_req {
    dg_console *c;
    const char *method, *path;
    const char *remote; /* peer address, for the audit log */
    const char *host;   /* Host header */
    const char *origin; /* Origin header, NULL when absent */
    dg_form query;      /* the query string */
    dg_form form;       /* a POST's form body */
    const char *cred;   /* "session:<id>" or "bearer" when the client proved the token */
    char who[32];       /* the token's id, "anonymous" without a credential */
    char actor[128];    /* who in the operator_actions audit trail: "console token:ID@ADDR" */
    char csrf[65];      /* CSRF token to put into forms ("" when read-only) */
    int64_t now;
} cn_req;

typedef struct cn_resp {
    int status;
    const char *type; /* Content-Type; NULL: text/html */
    dg_buf body;
    char location[512];   /* a redirect (303) */
    char set_cookie[256]; /* one Set-Cookie header */
} cn_resp;

const char *cn_arg(const cn_req *r, const char *name);
/* The store (opened on demand); NULL with err filled when it cannot be opened. */
struct dg_store *cn_store(dg_console *c, dg_error *err);
void cn_store_reset(dg_console *c);

/* Page frame: <!DOCTYPE html>, title, the navigation, then the caller's body, then cn_end. */
void cn_begin(cn_resp *w, const cn_req *r, const char *title);
void cn_end(cn_resp *w);
/* An error page with status (404, 409, 503...) and message. */
void cn_error(cn_resp *w, const cn_req *r, int status, const char *title, const char *msg);
/* Escaped text; a UTC time ("-" for 0); a link with an escaped query value. */
void cn_text(cn_resp *w, const char *text);
void cn_time(cn_resp *w, int64_t t);
void cn_link(cn_resp *w, const char *path, const char *param, const char *value, const char *label);
/* The field k of o as text (integers printed), "" when absent. */
const char *cn_str(struct json_t *o, const char *k, char *buf, size_t size);

/* Records an action in the audit trail (operator_actions): target_kind "file", "console"...,
 * detail how it ended ("refused: ...", "failed: ..."); a failure to record is logged. */
void cn_audit(cn_req *r, const char *action, const char *target_kind, const char *target,
              const char *detail);

/* Pages (GET). */
void cn_page_overview(cn_req *r, cn_resp *w);
void cn_page_search(cn_req *r, cn_resp *w);
void cn_page_quarantine(cn_req *r, cn_resp *w);
void cn_page_reconcile(cn_req *r, cn_resp *w);
void cn_page_overdue(cn_req *r, cn_resp *w);
void cn_page_audit(cn_req *r, cn_resp *w);
void cn_page_po(cn_req *r, cn_resp *w);
void cn_page_order(cn_req *r, cn_resp *w);
void cn_page_doc(cn_req *r, cn_resp *w);
void cn_page_file(cn_req *r, cn_resp *w);
void cn_page_login(cn_req *r, cn_resp *w);
void cn_page_metrics(cn_req *r, cn_resp *w);
void cn_page_healthz(cn_req *r, cn_resp *w);

/* Actions (POST), called after the token and CSRF checks passed (login: the Origin check). */
void cn_action_login(cn_req *r, cn_resp *w);
void cn_action_logout(cn_req *r, cn_resp *w);
void cn_action_reprocess(cn_req *r, cn_resp *w);
void cn_action_poll(cn_req *r, cn_resp *w);

#endif
