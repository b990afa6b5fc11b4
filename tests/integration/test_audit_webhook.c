/* Audit M5 (storefront webhook). Every POST of a notification carries "Idempotency-Key:
 * dropgate-notification-<id>", the same on the retry after a failed attempt, so a receiver can
 * drop a repeat; a bearer secret is never sent over plain http except to 127.0.0.1/localhost:
 * such a partner file is refused at load (file:line) and the post itself refuses it too. */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway/gateway.h"
#include "testutil.h"

static int g_listen = -1;
static int g_port;
static volatile int g_status = 500;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static char g_keys[64][80]; /* Idempotency-Key of each request, "" when none */
static char g_auth[64][80];
static int g_n;

static void header(const char *buf, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    const char *h = strcasestr(buf, name);
    if (!h)
        return;
    h += strlen(name);
    while (*h == ' ')
        h++;
    size_t n = strcspn(h, "\r\n");
    snprintf(out, size, "%.*s", (int)n, h);
}

static void *serve(void *arg)
{
    (void)arg;
    for (;;) {
        int c = accept(g_listen, NULL, NULL);
        if (c < 0)
            return NULL;
        char buf[16384];
        size_t len = 0;
        long want = -1;
        for (;;) {
            ssize_t r = recv(c, buf + len, sizeof buf - 1 - len, 0);
            if (r <= 0)
                break;
            len += (size_t)r;
            buf[len] = '\0';
            char *end = strstr(buf, "\r\n\r\n");
            if (end && want < 0) {
                char *cl = strcasestr(buf, "Content-Length:");
                want = (long)(end + 4 - buf) + (cl ? strtol(cl + 15, NULL, 10) : 0);
            }
            if (want >= 0 && (long)len >= want)
                break;
        }
        buf[len] = '\0';
        pthread_mutex_lock(&g_mu);
        if (g_n < 64) {
            header(buf, "\r\nIdempotency-Key:", g_keys[g_n], sizeof g_keys[g_n]);
            header(buf, "\r\nAuthorization:", g_auth[g_n], sizeof g_auth[g_n]);
            g_n++;
        }
        int status = g_status;
        pthread_mutex_unlock(&g_mu);
        char resp[128];
        int n = snprintf(resp, sizeof resp,
                         "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
        if (send(c, resp, (size_t)n, 0) < 0) {
            /* the client gave up */
        }
        close(c);
    }
}

static void sh(const char *cmd)
{
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

static void cycle(dg_gw_config *cfg)
{
    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    (void)dg_gw_cycle(g, NULL, false, &err);
    dg_gw_close(g);
}

static void start_listener(void)
{
    g_listen = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(g_listen >= 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(g_listen, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t alen = sizeof a;
    assert_int_equal(getsockname(g_listen, (struct sockaddr *)&a, &alen), 0);
    g_port = ntohs(a.sin_port);
    assert_int_equal(listen(g_listen, 16), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, serve, NULL), 0);
    pthread_detach(th);
}

/* A copy of etc/ etc. in a fresh folder with the given webhook block for shopfront. */
static char *setup(const char *tag, const char *webhook)
{
    char *tmp = dg_test_tmpdir(tag);
    const char *src = dg_test_source_dir();
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cp -r '%s/etc' '%s/mappings' '%s/edi' '%s/' && cp -r '%s/samples/demo/drops' "
             "'%s/drops' && printf '%s' >> '%s/etc/partners/shopfront.yaml'",
             src, src, src, tmp, src, tmp, webhook, tmp);
    sh(cmd);
    return tmp;
}

static int load(const char *tmp, dg_gw_config **cfg, dg_error *err)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", tmp);
    *cfg = NULL;
    return dg_gw_config_load(path, NULL, cfg, err);
}

static void test_secret_needs_https(void **state)
{
    (void)state;
    setenv("DG_AUDIT_WEBHOOK_SECRET", "audit-s3cret", 1);
    static const char *const refused[] = {
        "http://shop.example.com/hooks", "http://127.0.0.1.example.com/hooks",
        "http://127.0.0.1@shop.example.com/hooks", "HTTP://shop.example.com:80/hooks",
        "ftp://shop.example.com/hooks"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        char block[512];
        snprintf(block, sizeof block,
                 "  webhook:\\n    url: %s\\n    secret_env: DG_AUDIT_WEBHOOK_SECRET\\n",
                 refused[i]);
        char *tmp = setup("audit_webhook_cfg", block);
        dg_gw_config *cfg = NULL;
        dg_error err = {0};
        assert_int_equal(load(tmp, &cfg, &err), DG_ECONFIG);
        assert_non_null(strstr(err.msg, "shopfront.yaml:"));
        assert_null(strstr(err.msg, "audit-s3cret"));
        dg_test_rmtree(tmp);
        free(tmp);
        /* the post refuses it too, before any connection */
        err = (dg_error){0};
        assert_int_equal(
            dg_gw_webhook_post_key(refused[i], "audit-s3cret", "k", 1000, "{}", 2, &err),
            DG_ECONFIG);
    }
    static const char *const allowed[] = {"https://shop.example.com/hooks",
                                          "http://127.0.0.1:9/hooks", "http://localhost:9/hooks"};
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++) {
        char block[512];
        snprintf(block, sizeof block,
                 "  webhook:\\n    url: %s\\n    secret_env: DG_AUDIT_WEBHOOK_SECRET\\n",
                 allowed[i]);
        char *tmp = setup("audit_webhook_cfg", block);
        dg_gw_config *cfg = NULL;
        dg_error err = {0};
        if (load(tmp, &cfg, &err))
            fail_msg("%s refused: %s", allowed[i], err.msg);
        dg_gw_config_free(cfg);
        dg_test_rmtree(tmp);
        free(tmp);
    }
    /* without a secret plain http is the operator's choice */
    dg_error err = {0};
    assert_int_equal(dg_gw_webhook_check_url("http://shop.example.com/hooks", false, &err), 0);
}

static void test_idempotency_key(void **state)
{
    (void)state;
    start_listener();
    setenv("DG_AUDIT_WEBHOOK_SECRET", "audit-s3cret", 1);
    char block[512];
    snprintf(block, sizeof block,
             "  webhook:\\n    url: http://127.0.0.1:%d/hooks/tracking\\n"
             "    secret_env: DG_AUDIT_WEBHOOK_SECRET\\n    timeout_seconds: 5\\n",
             g_port);
    char *tmp = setup("audit_webhook", block);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (load(tmp, &cfg, &err))
        fail_msg("config: %s", err.msg);
    cycle(cfg); /* orders in, POs out */
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp -r '%s/samples/demo/responses/.' '%s/drops/'",
             dg_test_source_dir(), tmp);
    sh(cmd);
    g_status = 500; /* the first attempt fails */
    cycle(cfg);
    g_status = 200;
    cycle(cfg);
    pthread_mutex_lock(&g_mu);
    int n = g_n;
    pthread_mutex_unlock(&g_mu);
    assert_true(n >= 3);
    for (int i = 0; i < n; i++) {
        assert_int_equal(strncmp(g_keys[i], "dropgate-notification-", 22), 0);
        assert_string_equal(g_auth[i], "Bearer audit-s3cret");
    }
    /* the retry of the failed notification carries its key again */
    assert_string_equal(g_keys[0], g_keys[1]);
    /* and every delivered notification has a key of its own */
    for (int i = 1; i < n; i++)
        for (int j = i + 1; j < n; j++)
            assert_string_not_equal(g_keys[i], g_keys[j]);
    dg_gw_config_free(cfg);
    dg_test_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_needs_https),
        cmocka_unit_test(test_idempotency_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
