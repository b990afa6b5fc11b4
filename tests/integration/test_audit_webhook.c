/* Audit M5 (storefront webhook). Every POST of a notification carries "Idempotency-Key:
 * dropgate-notification-<id>", the same on the retry after a failed attempt, so a receiver can
 * drop a repeat; a bearer secret is never sent over plain http except to 127.0.0.1/localhost:
 * such a partner file is refused at load (file:line) and the post itself refuses it too. */
#include <string.h>

#include "gateway/gateway.h"
#include "httpd.h"
#include "testutil.h"

static dg_test_httpd g_http;

static void sh(const char *cmd)
{
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

/* One cycle; it must succeed (a failed webhook is counted in send_failed, not an error). */
static dg_gw_stats cycle(dg_gw_config *cfg)
{
    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    int rc = dg_gw_cycle(g, NULL, false, &err);
    if (rc)
        fail_msg("cycle: %s: %s", dg_error_name(rc), err.msg);
    dg_gw_stats s = *dg_gw_get_stats(g);
    dg_gw_close(g);
    return s;
}

/* A copy of etc/ etc. in a fresh folder with the given webhook block for shopfront. */
static char *setup(const char *tag, const char *webhook)
{
    char *tmp = dg_test_tmpdir(tag);
    dg_test_copy_demo(tmp);
    char path[2048];
    snprintf(path, sizeof path, "%s/etc/partners/shopfront.yaml", tmp);
    dg_test_append_file(path, webhook);
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
                 "  webhook:\n    url: %s\n    secret_env: DG_AUDIT_WEBHOOK_SECRET\n", refused[i]);
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
                 "  webhook:\n    url: %s\n    secret_env: DG_AUDIT_WEBHOOK_SECRET\n", allowed[i]);
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
    assert_int_equal(dg_test_httpd_start(&g_http, 500), 0);
    setenv("DG_AUDIT_WEBHOOK_SECRET", "audit-s3cret", 1);
    char block[512];
    snprintf(block, sizeof block,
             "  webhook:\n    url: http://127.0.0.1:%d/hooks/tracking\n"
             "    secret_env: DG_AUDIT_WEBHOOK_SECRET\n    timeout_seconds: 5\n",
             g_http.port);
    char *tmp = setup("audit_webhook", block);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (load(tmp, &cfg, &err))
        fail_msg("config: %s", err.msg);
    assert_int_equal(cycle(cfg).webhooks_sent, 0); /* orders in, POs out */
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cp -r '%s/samples/demo/responses/.' '%s/drops/'",
             dg_test_source_dir(), tmp);
    sh(cmd);
    dg_test_httpd_set_status(&g_http, 500); /* the first attempt fails */
    dg_gw_stats s = cycle(cfg);
    assert_int_equal(s.send_failed, 1);
    assert_int_equal(s.webhooks_sent, 0);
    dg_test_httpd_set_status(&g_http, 200);
    s = cycle(cfg);
    assert_int_equal(s.send_failed, 0);
    int n = dg_test_httpd_count(&g_http);
    assert_true(n >= 3);
    assert_int_equal(s.webhooks_sent, n - 1); /* all but the failed first attempt delivered */
    char keys[DG_TEST_HTTPD_MAX][80];         /* Idempotency-Key of each request, "" when none */
    for (int i = 0; i < n; i++) {
        char auth[80];
        dg_test_httpd_header(&g_http, i, "Idempotency-Key", keys[i], sizeof keys[i]);
        dg_test_httpd_header(&g_http, i, "Authorization", auth, sizeof auth);
        assert_int_equal(strncmp(keys[i], "dropgate-notification-", 22), 0);
        assert_string_equal(auth, "Bearer audit-s3cret");
    }
    /* the retry of the failed notification carries its key again */
    assert_string_equal(keys[0], keys[1]);
    /* and every delivered notification has a key of its own */
    for (int i = 1; i < n; i++)
        for (int j = i + 1; j < n; j++)
            assert_string_not_equal(keys[i], keys[j]);
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
