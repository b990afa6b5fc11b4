/* The web console (`dropgate serve`): server-rendered HTML pages over the state store (overview,
 * search, order/PO/document detail, quarantine, reconciliation, overdue acknowledgments, audit
 * log), one action (reprocess) behind a token, CSRF and Origin checks, /metrics for Prometheus
 * and /healthz. Read-only without a token; loopback only unless the configuration allows more.
 * The pieces a test checks on their own (escaping, forms, tokens, CSRF, listen addresses) are
 * public here too. */
#ifndef DG_CONSOLE_CONSOLE_H
#define DG_CONSOLE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

struct dg_gw_config;

/* ---- the server (server.c) ----------------------------------------------------------- */

typedef struct dg_console dg_console;

/* Starts serving cfg's store on listen ("HOST:PORT"; port 0 picks a free one; NULL: the
 * configuration's console: listen). A non-loopback HOST is refused (DG_ECONFIG) unless
 * console: allow_remote: true. The token comes from $DG_CONSOLE_TOKEN, else console:
 * token_file (refused when others may read it); without one the console is read-only. The
 * server runs in its own thread; cfg must outlive it. */
int dg_console_start(const struct dg_gw_config *cfg, const char *listen, dg_console **out,
                     dg_error *err);
/* The port it listens on (useful with port 0). */
uint16_t dg_console_port(const dg_console *c);
/* Whether actions are enabled (a token was given). */
bool dg_console_writable(const dg_console *c);
void dg_console_stop(dg_console *c);

/* ---- listen addresses (server.c) ----------------------------------------------------- */

typedef struct dg_console_addr {
    char host[64];
    uint16_t port;
    bool ipv6;
    bool loopback;
} dg_console_addr;

/* Parses "127.0.0.1:8080", "[::1]:8080", "localhost:8080" (= 127.0.0.1) or "0.0.0.0:80": a
 * numeric address and a port; DG_EINVAL naming what is wrong. */
int dg_console_parse_listen(const char *text, dg_console_addr *out, dg_error *err);

/* ---- HTML (html.c) ------------------------------------------------------------------- */

/* Appends text with & < > " ' escaped (safe in element content and quoted attributes). NULL
 * appends nothing. Bytes that are not valid UTF-8 become U+FFFD; control characters other than
 * tab and newline become U+FFFD too, so no byte a partner sent can change the page. */
void dg_html_escape(dg_buf *b, const char *text);
/* Appends text percent-encoded for a query string value (unreserved characters kept). */
void dg_html_url_encode(dg_buf *b, const char *text);

/* A decoded application/x-www-form-urlencoded body or query string (at most 32 fields). */
typedef struct dg_form {
    size_t n;
    char *name[32];
    char *value[32];
} dg_form;
/* Decodes body (len bytes): '+' is a space, %XX a byte; DG_EINVAL on a bad escape, a NUL byte
 * or more than 32 fields. Free with dg_form_free. */
int dg_form_parse(const char *body, size_t len, dg_form *out, dg_error *err);
/* The first value of name, or NULL. */
const char *dg_form_get(const dg_form *f, const char *name);
void dg_form_free(dg_form *f);

/* ---- tokens, sessions and CSRF (auth.c) ---------------------------------------------- */

/* Shortest action token accepted: a guessable token would open the actions to anyone on the
 * machine. */
#define DG_CONSOLE_TOKEN_MIN 16

typedef struct dg_console_auth dg_console_auth;

/* The action token: $DG_CONSOLE_TOKEN when set, else the first line of token_file (NULL:
 * none), which must be private (mode 600, as every secret file). *token NULL: none given (the
 * console is read-only). DG_ECONFIG for a token shorter than DG_CONSOLE_TOKEN_MIN or a
 * readable-by-others file. The caller frees *token with dg_console_token_free (wiped). */
int dg_console_token_load(const char *token_file, char **token, dg_error *err);
void dg_console_token_free(char *token);

/* The checks of one console process: the token (NULL: read-only) and a random key for CSRF
 * tokens and session ids, new at every start. */
dg_console_auth *dg_console_auth_new(const char *token);
void dg_console_auth_free(dg_console_auth *a);
bool dg_console_auth_writable(const dg_console_auth *a);
/* Constant-time check of a token presented by a client. */
bool dg_console_auth_token_ok(const dg_console_auth *a, const char *presented);
/* "token:" and the first 12 hex digits of the token's SHA-256: names the token in the audit
 * log without revealing it. */
void dg_console_auth_token_id(const dg_console_auth *a, char out[32]);
/* A new session (after a login with the token): its id (64 hex) for the cookie. The sessions
 * live in memory for 12 hours at most (64 at a time; the oldest goes first). */
int dg_console_auth_session_new(dg_console_auth *a, int64_t now, char out[65]);
bool dg_console_auth_session_ok(const dg_console_auth *a, const char *sid, int64_t now);
void dg_console_auth_session_end(dg_console_auth *a, const char *sid);
/* The CSRF token of a credential (a session id, or "bearer"): HMAC-SHA-256 of it under the
 * process key, 64 hex. A form carries it in a hidden field; a POST must send it back. */
void dg_console_auth_csrf(const dg_console_auth *a, const char *credential, char out[65]);
bool dg_console_auth_csrf_ok(const dg_console_auth *a, const char *credential,
                             const char *presented);
/* Origin check of a state-changing request: an absent Origin passes (curl, old browsers: the
 * CSRF token still has to match); a present one must be exactly http://HOST with the request's
 * Host header. */
bool dg_console_origin_ok(const char *origin, const char *host);

/* ---- metrics (metrics.c) ------------------------------------------------------------- */

struct dg_store;
struct dg_flow_rules;
/* The Prometheus text exposition (format 0.0.4) of the store's counters, the partners' polls
 * and the POs overdue for an acknowledgment at now. */
int dg_console_metrics(struct dg_store *s, const struct dg_flow_rules *r, int64_t now, dg_buf *out,
                       dg_error *err);

#endif
