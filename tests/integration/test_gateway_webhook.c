/* Storefront webhook: each shipment is POSTed as JSON with the bearer secret to a real HTTP
 * listener on 127.0.0.1; a failing endpoint (HTTP 500) leaves the notification pending and the
 * next cycle delivers it; nothing is posted while the state store cannot record it; the secret
 * never appears in the log. */
#include <string.h>

#include "gateway/gateway.h"
#include "httpd.h"
#include "servers.h"
#include "store/store.h"
#include "testutil.h"

static dg_test_httpd g_http;

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
    /* a failing webhook is counted (send_failed) and logged; the cycle itself succeeds, and
     * anything else failing in it (a store error, a broken mapping) must fail the test */
    int rc = dg_gw_cycle(g, NULL, false, &err);
    if (rc)
        fail_msg("cycle: %s: %s", dg_error_name(rc), err.msg);
    dg_gw_stats s = *dg_gw_get_stats(g);
    dg_gw_close(g);
    return s;
}

static void test_webhook(void **state)
{
    (void)state;
    assert_int_equal(dg_test_httpd_start(&g_http, 500), 0);

    char *tmp = dg_test_tmpdir("gw_webhook");
    const char *src = dg_test_source_dir();
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "cp -r '%s/etc' '%s/mappings' '%s/edi' '%s/' && cp -r '%s/samples/demo/drops' "
             "'%s/drops' && printf '  webhook:\\n    url: http://127.0.0.1:%d/hooks/tracking\\n"
             "    secret_env: DG_TEST_WEBHOOK_SECRET\\n    timeout_seconds: 5\\n' >> "
             "'%s/etc/partners/shopfront.yaml'",
             src, src, src, tmp, src, tmp, g_http.port, tmp);
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
    assert_int_equal(dg_test_httpd_count(&g_http), 0);
    snprintf(cmd, sizeof cmd, "cp -r '%s/samples/demo/responses/.' '%s/drops/'", src, tmp);
    sh(cmd);
    dg_test_httpd_set_status(&g_http, 500); /* the storefront's endpoint is down */
    s = cycle(cfg);
    assert_int_equal(s.tracking_sent, 4);
    assert_int_equal(s.webhooks_sent, 0);
    assert_int_equal(s.send_failed, 1);
    assert_int_equal(dg_test_httpd_count(&g_http),
                     1); /* one try, the rest waits for the next cycle */
    dg_test_httpd_set_status(&g_http, 200);
    /* The endpoint is back but the state store cannot record anything (a full disk): nothing is
     * posted, however many polls, since no POST could be marked done. */
    {
        dg_gw *g = NULL;
        if (dg_gw_open(cfg, &g, &err))
            fail_msg("open: %s", err.msg);
        dg_store_debug_fail_commits(dg_gw_store(g), 0);
        for (int i = 0; i < 3; i++)
            assert_int_equal(dg_gw_cycle(g, NULL, false, &err), DG_ESTATE);
        assert_non_null(strstr(err.msg, "sending stopped"));
        assert_int_equal(dg_gw_get_stats(g)->webhooks_sent, 0);
        assert_int_equal(dg_test_httpd_count(&g_http), 1);
        dg_gw_close(g);
    }
    s = cycle(cfg);
    assert_int_equal(s.webhooks_sent, 4);
    assert_int_equal(s.send_failed, 0);
    assert_int_equal(dg_test_httpd_count(&g_http), 5);
    s = cycle(cfg);
    assert_int_equal(s.webhooks_sent, 0); /* delivered once */
    char *log = dg_test_capture_end();
    assert_non_null(log);
    assert_null(strstr(log, "s3cret-t0ken"));
    assert_non_null(strstr(log, "outcome=webhook-failed"));
    free(log);

    assert_true(dg_test_httpd_seen(&g_http, "POST /hooks/tracking"));
    assert_true(dg_test_httpd_seen(&g_http, "Authorization: Bearer s3cret-t0ken"));
    assert_true(dg_test_httpd_seen(&g_http, "Content-Type: application/json"));
    assert_true(dg_test_httpd_seen(&g_http, "1Z999AA10123456784"));
    assert_true(dg_test_httpd_seen(&g_http, "9400111899223100001234"));
    dg_gw_config_free(cfg);
    dg_test_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_webhook)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
