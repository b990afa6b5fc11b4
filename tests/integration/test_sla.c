/* SLAs (issue 11): a supplier's partner file says when the 997 and the first 856 are due after a
 * PO is sent (sla:); with the clock set (DG_TEST_NOW) past them, each overdue item is one event:
 * POSTed once to the alerts webhook (retried when the endpoint fails, never repeated on the next
 * poll), listed by `report overdue` and `status`. */
#include "store/db.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "flow/flow.h"
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

static void set_now(long long t)
{
    char v[32];
    snprintf(v, sizeof v, "%lld", t);
    setenv("DG_TEST_NOW", v, 1);
}

/* One cycle at the clock DG_TEST_NOW says; the number of SLA events reported in it. */
static long cycle(dg_gw_config *cfg)
{
    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    int rc = dg_gw_cycle(g, NULL, false, &err);
    if (rc)
        fail_msg("cycle: %s: %s", dg_error_name(rc), err.msg);
    long n = dg_gw_get_stats(g)->sla_events;
    dg_gw_close(g);
    return n;
}

static int count(dg_store *s, const char *sql)
{
    dg_stmt *st = NULL;
    int n = -1;
    if (dg_db_prepare(dg_store_db(s), sql, &st, NULL) == 0 && dg_stmt_step(st) == DG_DB_ROW)
        n = dg_stmt_int(st, 0);
    dg_stmt_finalize(st);
    return n;
}

/* `report overdue --json` at the clock DG_TEST_NOW says, parsed. */
static json_t *overdue(dg_gw_config *cfg)
{
    dg_store *s = NULL;
    dg_flow_rules *r = NULL;
    dg_error err = {0};
    char *text = NULL;
    if (dg_gw_open_store(cfg, &s, &r, &err) ||
        dg_flow_report_overdue_json(s, r, dg_store_now(s), &text, &err))
        fail_msg("report overdue: %s", err.msg);
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    free(text);
    dg_flow_rules_free(r);
    dg_store_close(s);
    return j;
}

static void test_sla(void **state)
{
    (void)state;
    assert_int_equal(dg_test_httpd_start(&g_http, 200), 0);
    char *tmp = dg_test_tmpdir("gw_sla");
    dg_test_copy_demo(tmp);
    const char *src = dg_test_source_dir();
    char cmd[8192], path[2048], text[256];
    snprintf(path, sizeof path, "%s/etc/partners/northwind.yaml", tmp);
    dg_test_append_file(path, "sla: {ack_997_hours: 2, ack_855_hours: 12, first_856_days: 1}\n");
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", tmp);
    snprintf(text, sizeof text,
             "alerts:\n  webhook: {url: \"http://127.0.0.1:%d/hooks/alerts\", timeout_seconds: "
             "5}\n",
             g_http.port);
    dg_test_append_file(path, text);
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", tmp);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (dg_gw_config_load(path, NULL, &cfg, &err))
        fail_msg("config: %s", err.msg);
    const dg_gw_partner *nw = dg_gw_config_partner(cfg, "northwind");
    assert_int_equal(nw->sla_ack_997, 2 * 3600);
    assert_int_equal(nw->sla_ack_855, 12 * 3600);
    assert_int_equal(nw->sla_first_856, 86400);

    long long t0 = (long long)time(NULL);
    set_now(t0);
    assert_int_equal(cycle(cfg), 0); /* POs sent now: nothing is due yet */
    assert_int_equal(dg_test_httpd_count(&g_http), 0);
    dg_store *s = NULL;
    dg_flow_rules *r = NULL;
    if (dg_gw_open_store(cfg, &s, &r, &err))
        fail_msg("store: %s", err.msg);
    int nw_pos = count(s, "SELECT count(*) FROM supplier_pos WHERE supplier = 'northwind'"
                          " AND sent_at IS NOT NULL AND expect_ack = 1");
    int bl_pos = count(s, "SELECT count(*) FROM supplier_pos WHERE supplier = 'brightline'"
                          " AND sent_at IS NOT NULL");
    dg_flow_rules_free(r);
    dg_store_close(s);
    assert_true(nw_pos >= 2);
    assert_true(bl_pos >= 1);

    /* 1 hour later: the 2 h SLA has not run out. */
    set_now(t0 + 3600);
    assert_int_equal(cycle(cfg), 0);
    json_t *j = overdue(cfg);
    assert_int_equal(json_array_size(j), 0);
    json_decref(j);

    /* 3 hours later: every northwind PO is overdue for its 997; brightline (routing.yaml
     * asn_after 96h, no sla:) is not. The endpoint fails first: nothing is lost. */
    set_now(t0 + 3 * 3600);
    dg_test_httpd_set_status(&g_http, 500);
    dg_test_capture_begin();
    assert_int_equal(cycle(cfg), 0);
    assert_int_equal(dg_test_httpd_count(&g_http), nw_pos); /* one try each */
    j = overdue(cfg);
    assert_int_equal(json_array_size(j), (size_t)nw_pos);
    for (size_t i = 0; i < json_array_size(j); i++) {
        json_t *o = json_array_get(j, i);
        assert_string_equal(json_string_value(json_object_get(o, "supplier")), "northwind");
        assert_string_equal(json_string_value(json_object_get(o, "what")), "ack");
        assert_string_equal(json_string_value(json_object_get(o, "event")), "recorded");
        assert_true(json_integer_value(json_object_get(o, "overdue_seconds")) >= 3600 - 5);
    }
    json_decref(j);
    dg_test_httpd_set_status(&g_http, 200);
    assert_int_equal(cycle(cfg), nw_pos); /* delivered now */
    assert_int_equal(dg_test_httpd_count(&g_http), 2 * nw_pos);
    /* Polled again and again: not reported again. */
    set_now(t0 + 4 * 3600);
    assert_int_equal(cycle(cfg), 0);
    assert_int_equal(cycle(cfg), 0);
    assert_int_equal(dg_test_httpd_count(&g_http), 2 * nw_pos);
    char *log = dg_test_capture_end();
    assert_non_null(strstr(log, "outcome=sla-webhook-failed"));
    assert_non_null(strstr(log, "outcome=sla-overdue"));
    free(log);
    j = overdue(cfg);
    assert_int_equal(json_array_size(j), (size_t)nw_pos);
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "event")),
                        "notified");
    json_decref(j);
    assert_true(dg_test_httpd_seen(&g_http, "POST /hooks/alerts"));
    assert_true(dg_test_httpd_seen(&g_http, "\"event\":\"sla_overdue\""));
    assert_true(dg_test_httpd_seen(&g_http, "\"what\":\"ack\""));
    char key[128];
    dg_test_httpd_header(&g_http, 0, "Idempotency-Key", key, sizeof key);
    char key2[128];
    dg_test_httpd_header(&g_http, nw_pos, "Idempotency-Key", key2, sizeof key2);
    assert_true(!strncmp(key, "dropgate-sla-", 13));
    assert_string_equal(key, key2); /* the failed try and its retry carry the same key */

    /* northwind's 997s arrive: the 997 item is settled, and 13 h after sending the 855 (12 h)
     * is overdue: one new event per PO. */
    snprintf(cmd, sizeof cmd,
             "cp '%s/samples/demo/responses/northwind/outbound/NW_0002.x12' "
             "'%s/drops/northwind/outbound/'",
             src, tmp);
    sh(cmd);
    set_now(t0 + 13 * 3600);
    assert_int_equal(cycle(cfg), nw_pos);
    j = overdue(cfg);
    assert_int_equal(json_array_size(j), (size_t)nw_pos);
    for (size_t i = 0; i < json_array_size(j); i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(j, i), "what")),
                            "ack855");
    json_decref(j);
    assert_true(dg_test_httpd_seen(&g_http, "\"what\":\"ack855\""));

    /* 5 days later: brightline's POs pass routing.yaml's asn_after (96h): one event each;
     * northwind's still wait for their 855 (already reported). */
    set_now(t0 + 5 * 86400);
    assert_int_equal(cycle(cfg), bl_pos);
    /* status lists every overdue item */
    if (dg_gw_open_store(cfg, &s, &r, &err))
        fail_msg("store: %s", err.msg);
    char *st = NULL;
    if (dg_flow_status_json(s, r, dg_store_now(s), &st, &err))
        fail_msg("status: %s", err.msg);
    json_t *sj = json_loads(st, 0, NULL);
    assert_int_equal(json_array_size(json_object_get(sj, "overdue")), (size_t)(nw_pos + bl_pos));
    json_decref(sj);
    free(st);
    dg_flow_rules_free(r);
    dg_store_close(s);
    unsetenv("DG_TEST_NOW");
    dg_gw_config_free(cfg);
    dg_test_rmtree(tmp);
    free(tmp);
}

/* A bad sla: value names the file, line and key. */
static void test_sla_bad_value(void **state)
{
    (void)state;
    char *tmp = dg_test_tmpdir("gw_sla_bad");
    const char *src = dg_test_source_dir();
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cp -r '%s/etc' '%s/mappings' '%s/edi' '%s/' && printf 'sla: {ack_997_hours: "
             "soon}\\n' >> '%s/etc/partners/northwind.yaml'",
             src, src, src, tmp, tmp);
    sh(cmd);
    char path[2048];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", tmp);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    assert_int_equal(dg_gw_config_load(path, NULL, &cfg, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "northwind.yaml"));
    assert_non_null(strstr(err.msg, "ack_997_hours: 'soon' is not a positive number"));
    dg_test_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sla),
                                       cmocka_unit_test(test_sla_bad_value)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
