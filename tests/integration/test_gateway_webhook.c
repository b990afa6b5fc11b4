/* Storefront webhook: each shipment is POSTed as JSON with the bearer secret to a real HTTP
 * listener on 127.0.0.1; a failing endpoint (HTTP 500) leaves the notification pending and the
 * next cycle delivers it; nothing is posted while the state store cannot record it; the secret
 * never appears in the log.
 * The status feed's webhook channel (outbound: status: webhook) the same way: a batch refused by
 * the endpoint is retried with the same Idempotency-Key and the same body, and every status
 * update reaches the endpoint in exactly one accepted POST - the same updates, counted by id,
 * as the status files of the file channel. */
#include <jansson.h>
#include <string.h>
#include <unistd.h>

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

/* One cycle, whose result must be want (0, or DG_ENET for a refused status webhook POST: an
 * unreachable partner, as for a file upload). */
static dg_gw_stats cycle_rc(dg_gw_config *cfg, int want)
{
    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    int rc = dg_gw_cycle(g, NULL, false, &err);
    if (rc != want)
        fail_msg("cycle: %s: %s", dg_error_name(rc), err.msg);
    dg_gw_stats s = *dg_gw_get_stats(g);
    dg_gw_close(g);
    return s;
}

/* a failing (tracking) webhook is counted (send_failed) and logged; the cycle itself succeeds,
 * and anything else failing in it (a store error, a broken mapping) must fail the test */
static dg_gw_stats cycle(dg_gw_config *cfg)
{
    return cycle_rc(cfg, 0);
}

static void test_webhook(void **state)
{
    (void)state;
    assert_int_equal(dg_test_httpd_start(&g_http, 500), 0);

    char *tmp = dg_test_tmpdir("gw_webhook");
    const char *src = dg_test_source_dir();
    char cmd[8192], path[2048];
    dg_test_copy_demo(tmp);
    snprintf(path, sizeof path, "%s/etc/partners/shopfront.yaml", tmp);
    snprintf(cmd, sizeof cmd,
             "  webhook:\n    url: http://127.0.0.1:%d/hooks/tracking\n"
             "    secret_env: DG_TEST_WEBHOOK_SECRET\n    timeout_seconds: 5\n",
             g_http.port);
    dg_test_append_file(path, cmd);
    setenv("DG_TEST_WEBHOOK_SECRET", "s3cret-t0ken", 1);
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

/* Update ids of a status webhook body ({"status_updates": [{"id": ...}, ...]}) added to ids
 * (one per line, newline-separated); returns how many. */
static int body_ids(const char *req, char *ids, size_t size)
{
    const char *body = strstr(req, "\r\n\r\n");
    assert_non_null(body);
    json_error_t jerr;
    json_t *root = json_loads(body + 4, 0, &jerr);
    if (!root)
        fail_msg("status webhook body is not JSON: %s: %s", jerr.text, body + 4);
    json_t *ups = json_object_get(root, "status_updates");
    assert_true(json_is_array(ups));
    size_t i;
    json_t *u;
    json_array_foreach(ups, i, u)
    {
        const char *id = json_string_value(json_object_get(u, "id"));
        assert_non_null(id);
        assert_true(strlen(ids) + strlen(id) + 2 < size);
        strcat(ids, id);
        strcat(ids, "\n");
    }
    int n = (int)json_array_size(ups);
    json_decref(root);
    return n;
}

/* Update ids of every status file of the file channel (first CSV column), newline-separated. */
static void file_ids(const char *dir, char *ids, size_t size)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cat '%s'/STATUS_*.csv | grep -v '^Update id,' | cut -d, -f1 | sort",
             dir);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t n = fread(ids, 1, size - 1, f);
    ids[n] = 0;
    assert_int_equal(pclose(f), 0);
}

static void sorted_unique(const char *ids, char *out, size_t size, int *dups)
{
    char path[] = "/tmp/dg_ids_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(ids, f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "sort '%s' | uniq -d | wc -l", path);
    FILE *p = popen(cmd, "r");
    assert_int_equal(fscanf(p, "%d", dups), 1);
    pclose(p);
    snprintf(cmd, sizeof cmd, "sort -u '%s'", path);
    p = popen(cmd, "r");
    size_t n = fread(out, 1, size - 1, p);
    out[n] = 0;
    pclose(p);
    unlink(path);
}

static void test_status_webhook(void **state)
{
    (void)state;
    dg_test_httpd h;
    assert_int_equal(dg_test_httpd_start(&h, 500), 0); /* the endpoint is down at first */
    char *tmp = dg_test_tmpdir("gw_status_hook");
    const char *src = dg_test_source_dir();
    char cmd[8192];
    dg_test_copy_demo(tmp);
    /* the shipped shopfront's commented status webhook, switched on, pointed at the listener */
    snprintf(cmd, sizeof cmd,
             "sed -i -e 's|^    # webhook: .*|    webhook:|' "
             "-e 's|^    #   url: https://shop.example.com/hooks/order-status|      url: "
             "http://127.0.0.1:%d/hooks/order-status|' "
             "-e 's|^    #   secret_env: SHOPFRONT_STATUS_TOKEN|      secret_env: "
             "SHOPFRONT_STATUS_TOKEN|' -e 's|^    # webhook_mapping:|    webhook_mapping:|' "
             "'%s/etc/partners/shopfront.yaml' && grep -q "
             "'url: http://127.0.0.1:%d/hooks/order-status' '%s/etc/partners/shopfront.yaml'",
             h.port, tmp, h.port, tmp);
    sh(cmd);
    setenv("SHOPFRONT_STATUS_TOKEN", "st4tus-t0ken", 1);
    char path[2048];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", tmp);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (dg_gw_config_load(path, NULL, &cfg, &err))
        fail_msg("config: %s", err.msg);
    assert_non_null(dg_gw_config_partner(cfg, "shopfront")->out.status_webhook_url);

    dg_test_capture_begin();
    dg_gw_stats s = cycle_rc(cfg, DG_ENET); /* orders in, POs out: a batch of updates, refused */
    assert_true(s.send_failed >= 1);
    int refused = dg_test_httpd_count(&h);
    assert_int_equal(refused, 1); /* one try per cycle; the batch waits */
    char key0[256];
    dg_test_httpd_header(&h, 0, "Idempotency-Key", key0, sizeof key0);
    assert_true(key0[0] != 0);
    const char *body0 = strstr(h.req[0], "\r\n\r\n");
    assert_non_null(body0);

    dg_test_httpd_set_status(&h, 200);
    cycle(cfg); /* the refused batch again, same key, same body */
    assert_true(dg_test_httpd_count(&h) >= 2);
    char key1[256];
    dg_test_httpd_header(&h, 1, "Idempotency-Key", key1, sizeof key1);
    assert_string_equal(key1, key0);
    assert_string_equal(strstr(h.req[1], "\r\n\r\n"), body0);

    snprintf(cmd, sizeof cmd, "cp -r '%s/samples/demo/responses/.' '%s/drops/'", src, tmp);
    sh(cmd);
    for (int i = 0; i < 3; i++) /* acks, ASNs, invoices, re-routing: more updates */
        cycle(cfg);
    int posted = dg_test_httpd_count(&h);
    assert_true(posted >= 3);
    assert_true(posted < DG_TEST_HTTPD_MAX);
    s = cycle(cfg); /* nothing new: nothing posted */
    assert_int_equal(dg_test_httpd_count(&h), posted);
    char *log = dg_test_capture_end();
    assert_non_null(log);
    assert_null(strstr(log, "st4tus-t0ken"));
    free(log);

    /* every accepted POST (all but the first) counted by update id: none twice, and the same
     * set as the status files received */
    static char hook[1 << 20], hook_u[1 << 20], files[1 << 20], files_u[1 << 20];
    hook[0] = 0;
    int n = 0;
    for (int i = 1; i < posted; i++) {
        assert_non_null(strstr(h.req[i], "POST /hooks/order-status"));
        assert_non_null(strstr(h.req[i], "Authorization: Bearer st4tus-t0ken"));
        n += body_ids(h.req[i], hook, sizeof hook);
    }
    int dups = -1;
    sorted_unique(hook, hook_u, sizeof hook_u, &dups);
    assert_int_equal(dups, 0);
    assert_true(n >= 20);
    snprintf(path, sizeof path, "%s/drops/shopfront/status", tmp);
    file_ids(path, files, sizeof files);
    int fdups = -1;
    sorted_unique(files, files_u, sizeof files_u, &fdups);
    assert_string_equal(hook_u, files_u);
    dg_gw_config_free(cfg);
    dg_test_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_webhook),
                                       cmocka_unit_test(test_status_webhook)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
