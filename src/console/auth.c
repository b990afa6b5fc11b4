/* The console's gate for actions: the token (env or a private file), sessions made by a login
 * with it, CSRF tokens as an HMAC of the credential under a key new at every start, and the
 * Origin check. Secrets are compared in constant time and wiped when freed. */
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/console.h"
#include "core/fs.h"

#define SESSIONS 64
#define SESSION_SECONDS (12 * 3600)

typedef struct session {
    char id[65];
    int64_t created;
} session;

struct dg_console_auth {
    char *token; /* NULL: read-only */
    unsigned char key[32];
    session sessions[SESSIONS];
};

int dg_console_token_load(const char *token_file, char **token, dg_error *err)
{
    *token = NULL;
    const char *env = getenv("DG_CONSOLE_TOKEN");
    char line[512] = "";
    const char *from = "DG_CONSOLE_TOKEN";
    if (env && *env) {
        snprintf(line, sizeof line, "%s", env);
    } else if (token_file) {
        int rc = dg_fs_check_private(token_file, err);
        if (rc)
            return rc;
        FILE *f = fopen(token_file, "r");
        if (!f || !fgets(line, sizeof line, f)) {
            if (f)
                fclose(f);
            explicit_bzero(line, sizeof line);
            return dg_error_set(err, DG_ECONFIG, "console: cannot read token_file %s", token_file);
        }
        fclose(f);
        from = token_file;
    } else {
        return 0;
    }
    line[strcspn(line, "\r\n")] = '\0';
    size_t n = strlen(line);
    if (n < DG_CONSOLE_TOKEN_MIN) {
        explicit_bzero(line, sizeof line);
        return dg_error_set(err, DG_ECONFIG,
                            "console: the token in %s has %zu characters; use at least %d (e.g. "
                            "openssl rand -hex 32)",
                            from, n, DG_CONSOLE_TOKEN_MIN);
    }
    *token = strdup(line);
    explicit_bzero(line, sizeof line);
    return *token ? 0 : dg_error_set(err, DG_ENOMEM, "out of memory");
}

void dg_console_token_free(char *token)
{
    if (token) {
        explicit_bzero(token, strlen(token));
        free(token);
    }
}

dg_console_auth *dg_console_auth_new(const char *token)
{
    dg_console_auth *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    if ((token && !(a->token = strdup(token))) || RAND_bytes(a->key, sizeof a->key) != 1) {
        dg_console_auth_free(a);
        return NULL;
    }
    return a;
}

void dg_console_auth_free(dg_console_auth *a)
{
    if (!a)
        return;
    dg_console_token_free(a->token);
    OPENSSL_cleanse(a, sizeof *a);
    free(a);
}

bool dg_console_auth_writable(const dg_console_auth *a)
{
    return a && a->token;
}

/* Equal strings, in time that depends on the lengths only. */
static bool same(const char *x, const char *y)
{
    size_t n = strlen(x);
    return n == strlen(y) && CRYPTO_memcmp(x, y, n) == 0;
}

bool dg_console_auth_token_ok(const dg_console_auth *a, const char *presented)
{
    return a && a->token && presented && same(a->token, presented);
}

static void hex(const unsigned char *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
    out[2 * n] = '\0';
}

void dg_console_auth_token_id(const dg_console_auth *a, char out[32])
{
    if (!a || !a->token) {
        snprintf(out, 32, "none");
        return;
    }
    char h[DG_SHA256_HEX_LEN];
    dg_sha256_hex(a->token, strlen(a->token), h);
    snprintf(out, 32, "token:%.12s", h);
}

int dg_console_auth_session_new(dg_console_auth *a, int64_t now, char out[65])
{
    unsigned char r[32];
    if (RAND_bytes(r, sizeof r) != 1)
        return DG_EIO;
    session *slot = &a->sessions[0];
    for (size_t i = 0; i < SESSIONS; i++) {
        session *s = &a->sessions[i];
        if (!s->id[0] || now - s->created > SESSION_SECONDS) {
            slot = s;
            break;
        }
        if (s->created < slot->created)
            slot = s;
    }
    hex(r, sizeof r, slot->id);
    slot->created = now;
    memcpy(out, slot->id, 65);
    return 0;
}

static session *find(const dg_console_auth *a, const char *sid, int64_t now)
{
    if (!a || !sid || strlen(sid) != 64)
        return NULL;
    for (size_t i = 0; i < SESSIONS; i++) {
        const session *s = &a->sessions[i];
        if (s->id[0] && now - s->created <= SESSION_SECONDS && same(s->id, sid))
            return (session *)s;
    }
    return NULL;
}

bool dg_console_auth_session_ok(const dg_console_auth *a, const char *sid, int64_t now)
{
    return a && a->token && find(a, sid, now);
}

void dg_console_auth_session_end(dg_console_auth *a, const char *sid)
{
    session *s = find(a, sid, 0);
    for (size_t i = 0; !s && a && sid && i < SESSIONS; i++)
        if (a->sessions[i].id[0] && same(a->sessions[i].id, sid))
            s = &a->sessions[i];
    if (s)
        memset(s, 0, sizeof *s);
}

void dg_console_auth_csrf(const dg_console_auth *a, const char *credential, char out[65])
{
    unsigned char mac[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), a->key, sizeof a->key, (const unsigned char *)credential, strlen(credential),
         mac, &len);
    hex(mac, len, out);
}

bool dg_console_auth_csrf_ok(const dg_console_auth *a, const char *credential,
                             const char *presented)
{
    if (!a || !credential || !presented)
        return false;
    char want[65];
    dg_console_auth_csrf(a, credential, want);
    return same(want, presented);
}

bool dg_console_origin_ok(const char *origin, const char *host)
{
    if (!origin)
        return true;
    if (!host || strncmp(origin, "http://", 7))
        return false;
    return !strcmp(origin + 7, host);
}
