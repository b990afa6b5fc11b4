/* The poll cycle over FTPS (explicit TLS, certificate checked against ca_file, password from
 * password_file) against a real vsftpd: the storefront and the CSV supplier are FTPS partners,
 * northwind stays local. Orders are picked up (LIST, RETR, RNFR/RNTO into processed/), POs are
 * uploaded via temporary names, answers come back, and a further cycle takes nothing twice.
 * Skips (saying why) when vsftpd cannot run. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs.h"
#include "flow/flow.h"
#include "gateway/gateway.h"
#include "servers.h"
#include "store/store.h"
#include "testutil.h"

static dg_test_ftpd g_srv;
static bool g_up;
static char *g_tmp;

static int setup(void **state)
{
    (void)state;
    if (dg_test_ftpd_start(&g_srv)) {
        fprintf(stderr, "SKIP: vsftpd: %s\n", g_srv.why);
        return 0;
    }
    g_up = true;
    g_tmp = dg_test_tmpdir("ftp_poll");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (g_up)
        dg_test_ftpd_stop(&g_srv);
    if (g_tmp) {
        dg_test_rmtree(g_tmp);
        free(g_tmp);
    }
    return 0;
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

static const char *srv(const char *rel)
{
    static char b[4][2048];
    static int i;
    char *p = b[i++ & 3];
    snprintf(p, 2048, "%s/%s", g_srv.root, rel);
    return p;
}

static void write_ftps_partner(const char *name, const char *rest)
{
    char path[1024], pwfile[1024], text[4096];
    snprintf(pwfile, sizeof pwfile, "%s/ftp-password", g_tmp);
    dg_test_write_file(pwfile, g_srv.acct.password);
    snprintf(path, sizeof path, "%s/etc/partners/%s.yaml", g_tmp, name);
    char *orig = dg_test_read_file(path, NULL);
    assert_non_null(orig);
    char *after = strstr(orig, "schedule:");
    assert_non_null(after);
    snprintf(text, sizeof text,
             "name: %s\n%s"
             "transport:\n  kind: ftps\n  host: 127.0.0.1\n  port: %d\n  user: %s\n"
             "  password_file: %s\n  ca_file: %s\n  root: /%s\n  timeout: 10s\n"
             "  retries: 1\n%s",
             name, rest, g_srv.port, g_srv.acct.user, pwfile, g_srv.cert_file, name, after);
    dg_test_write_file(path, text);
    free(orig);
}

static dg_gw_stats cycle(dg_gw_config *cfg)
{
    dg_gw *g = NULL;
    dg_error err = {0};
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    int rc = dg_gw_cycle(g, NULL, false, &err);
    if (rc)
        fail_msg("cycle: %s", err.msg);
    dg_gw_stats s = *dg_gw_get_stats(g);
    dg_gw_close(g);
    return s;
}

static void must_contain(const char *path, const char *text)
{
    char *t = dg_test_read_file(path, NULL);
    if (!t)
        fail_msg("%s: missing", path);
    if (!strstr(t, text))
        fail_msg("%s does not contain '%s':\n%s", path, text, t);
    free(t);
}

static void test_poll_over_ftps(void **state)
{
    (void)state;
    if (!g_up)
        skip();
    const char *src = dg_test_source_dir();
    sh("cp -r '%s/etc' '%s/mappings' '%s/edi' '%s/'", src, src, src, g_tmp);
    sh("mkdir -p '%s/drops' && cp -r '%s/samples/demo/drops/northwind' '%s/drops/'", g_tmp, src,
       g_tmp);
    sh("cp -r '%s/samples/demo/drops/shopfront' '%s/samples/demo/drops/brightline' '%s/'", src, src,
       g_srv.root);
    dg_test_server_chown(&g_srv.acct, g_srv.root);
    write_ftps_partner("shopfront", "role: storefront\n");
    write_ftps_partner("brightline", "role: supplier\n");

    char path[1024];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", g_tmp);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (dg_gw_config_load(path, NULL, &cfg, &err))
        fail_msg("config: %s", err.msg);
    assert_string_equal(dg_gw_config_partner(cfg, "brightline")->transport.kind, "ftps");

    /* Cycle 1: stock over FTPS (brightline) and locally (northwind), orders over FTPS. */
    dg_gw_stats s = cycle(cfg);
    assert_int_equal(s.orders, 5);
    assert_int_equal(s.pos_sent, 5);
    assert_int_equal(s.quarantined, 0);
    assert_false(dg_fs_exists(srv("shopfront/orders/orders-20261120.csv")));
    assert_true(dg_fs_exists(srv("shopfront/orders/processed/orders-20261120.csv")));
    assert_false(dg_fs_exists(srv("brightline/feeds/inventory-20261120.csv"))); /* after: delete */
    must_contain(srv("brightline/po/PO_2002-BL.csv"), "2002-BL,");
    must_contain(srv("brightline/po/PO_2002-BL.csv"), ",BL-1007,Milk Frother,11.40,1,");
    must_contain(srv("brightline/po/PO_2003-BL.csv"), "Chloe Martin");
    snprintf(path, sizeof path, "%s/drops/northwind/inbound/PO_2003-NW.edi", g_tmp);
    must_contain(path, "BEG*00*DS*2003-NW*");

    /* The suppliers answer; brightline over FTPS. */
    sh("cp -r '%s/samples/demo/responses/brightline/.' '%s/brightline/'", src, g_srv.root);
    sh("cp -r '%s/samples/demo/responses/northwind/.' '%s/drops/northwind/'", src, g_tmp);
    dg_test_server_chown(&g_srv.acct, g_srv.root);
    s = cycle(cfg);
    assert_int_equal(s.shipments, 4);
    assert_int_equal(s.invoices, 3);
    assert_int_equal(s.tracking_sent, 4);
    assert_int_equal(s.quarantined, 0);
    assert_true(dg_fs_exists(srv("brightline/shipments/done/tracking-20261121.csv")));
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "grep -l 9400111899223100001234 '%s'/shopfront/tracking/*.csv",
             g_srv.root);
    FILE *p = popen(cmd, "r");
    char found[1024] = "";
    assert_non_null(fgets(found, sizeof found, p));
    pclose(p);
    found[strcspn(found, "\n")] = '\0';
    must_contain(found, "2002,SO-BL-3101,9400111899223100001234,SF-1007,1");

    /* Reconciliation of the invoices that came over FTPS. */
    dg_store *st = NULL;
    dg_flow_rules *rules = NULL;
    if (dg_gw_open_store(cfg, &st, &rules, &err))
        fail_msg("store: %s", err.msg);
    dg_flow_reconcile_row *rows = NULL;
    size_t n = 0;
    assert_int_equal(dg_flow_report_reconcile(st, &rows, &n, &err), 0);
    int matched = 0, flagged = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(rows[i].invoice_number, "INV-BL-7002")) {
            assert_string_equal(rows[i].outcome, "DISCREPANCY");
            assert_non_null(strstr(rows[i].reasons, "PRICE_ABOVE_TOLERANCE"));
            flagged++;
        } else if (!strcmp(rows[i].outcome, "MATCHED")) {
            matched++;
        }
    }
    assert_int_equal(matched, 2);
    assert_int_equal(flagged, 1);
    free(rows);
    dg_flow_rules_free(rules);
    dg_store_close(st);

    /* Uploads went through temporary names: none is left on the server. */
    snprintf(cmd, sizeof cmd, "find '%s' -name '*.part' | grep -q .", g_srv.root);
    assert_int_not_equal(system(cmd), 0);

    /* Nothing new: nothing is taken or sent again. */
    s = cycle(cfg);
    assert_int_equal(s.taken, 0);
    assert_int_equal(s.pos_sent + s.tracking_sent + s.acks_out, 0);
    dg_gw_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poll_over_ftps),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
