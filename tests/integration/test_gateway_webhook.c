/* Storefront webhook: each shipment is POSTed as JSON with the bearer secret to a real HTTP
 * listener on 127.0.0.1; a failing endpoint (HTTP 500) leaves the notification pending and the
 * next cycle delivers it; the secret never appears in the log. */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway/gateway.h"
#include "servers.h"
#include "testutil.h"

static int g_listen = -1;
static int g_port;
static volatile int g_status = 500;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static char g_requests[65536];
static int g_n_requests;

/* One request per connection: headers, then Content-Length bytes; answers g_status. */
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
        pthread_mutex_lock(&g_mu);
        size_t used = strlen(g_requests);
        snprintf(g_requests + used, sizeof g_requests - used, "%s\n----\n", buf);
        g_n_requests++;
        int status = g_status;
        pthread_mutex_unlock(&g_mu);
        char resp[128];
        int n = snprintf(resp, sizeof resp,
                         "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status);
        if (send(c, resp, (size_t)n, 0) < 0) {
            /* the client gave up: nothing to do */
        }
        close(c);
    }
}

static void sh(const char *cmd)
{
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

static dg_gw_stats cycle(dg_gw_config *cfg)
{
    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    int rc = dg_gw_cycle(g, NULL, false, &err);
    (void)rc; /* a failing webhook is reported, the cycle goes on */
    dg_gw_stats s = *dg_gw_get_stats(g);
    dg_gw_close(g);
    return s;
}

static void test_webhook(void **state)
{
    (void)state;
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

    char *tmp = dg_test_tmpdir("gw_webhook");
    const char *src = dg_test_source_dir();
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cp -r '%s/etc' '%s/mappings' '%s/edi' '%s/' && cp -r '%s/samples/demo/drops' "
             "'%s/drops' && printf '  webhook:\\n    url: http://127.0.0.1:%d/hooks/tracking\\n"
             "    secret_env: DG_TEST_WEBHOOK_SECRET\\n    timeout_seconds: 5\\n' >> "
             "'%s/etc/partners/shopfront.yaml'",
             src, src, src, tmp, src, tmp, g_port, tmp);
    sh(cmd);
    setenv("DG_TEST_WEBHOOK_SECRET", "s3cret-t0ken", 1);
    char path[2048];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", tmp);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (dg_gw_config_load(path, NULL, &cfg, &err))
        fail_msg("config: %s", err.msg);
    assert_non_null(dg_gw_config_partner(cfg, "shopfront")->out.webhook_url);

    dg_test_capture_begin();
    dg_gw_stats s = cycle(cfg); /* orders in, POs out: no shipment yet, no webhook */
    assert_int_equal(s.webhooks_sent, 0);
    assert_int_equal(g_n_requests, 0);
    snprintf(cmd, sizeof cmd, "cp -r '%s/samples/demo/responses/.' '%s/drops/'", src, tmp);
    sh(cmd);
    g_status = 500; /* the storefront's endpoint is down */
    s = cycle(cfg);
    assert_int_equal(s.tracking_sent, 4);
    assert_int_equal(s.webhooks_sent, 0);
    assert_int_equal(g_n_requests, 1); /* one try, the rest waits for the next cycle */
    g_status = 200;
    s = cycle(cfg);
    assert_int_equal(s.webhooks_sent, 4);
    assert_int_equal(g_n_requests, 5);
    s = cycle(cfg);
    assert_int_equal(s.webhooks_sent, 0); /* delivered once */
    char *log = dg_test_capture_end();
    assert_non_null(log);
    assert_null(strstr(log, "s3cret-t0ken"));
    assert_non_null(strstr(log, "outcome=webhook-failed"));
    free(log);

    pthread_mutex_lock(&g_mu);
    assert_non_null(strstr(g_requests, "POST /hooks/tracking"));
    assert_non_null(strstr(g_requests, "Authorization: Bearer s3cret-t0ken"));
    assert_non_null(strstr(g_requests, "Content-Type: application/json"));
    assert_non_null(strstr(g_requests, "1Z999AA10123456784"));
    assert_non_null(strstr(g_requests, "9400111899223100001234"));
    pthread_mutex_unlock(&g_mu);
    dg_gw_config_free(cfg);
    dg_test_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_webhook)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
