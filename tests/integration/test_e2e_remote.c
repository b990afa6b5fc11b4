/* End to end over real servers started by the test harness: the storefront and the CSV supplier
 * (brightline) are remote partners, once over OpenSSH sshd (SFTP, key login, strict known_hosts)
 * and once over vsftpd (FTPS: explicit TLS, certificate checked against ca_file, password from
 * password_file); northwind stays on local folders. Orders are picked up remotely, POs land in
 * the supplier's remote folder via temporary names, the supplier's tracking and invoice come back
 * the same way, tracking goes to the storefront's folder, and a further cycle takes and sends
 * nothing twice. Each run skips (saying why) when its server cannot run. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fs.h"
#include "flow/flow.h"
#include "gateway/gateway.h"
#include "servers.h"
#include "store/store.h"
#include "testutil.h"

static dg_test_sshd g_sshd;
static dg_test_ftpd g_ftpd;
static bool g_sshd_up, g_ftpd_up;
static char *g_tmp[2]; /* work folders of the two runs, removed at teardown */

/* One remote server as the scenario sees it. */
typedef struct remote {
    const char *kind;            /* partner transport kind: "sftp" or "ftps" */
    const char *root;            /* the server's folder, as seen locally */
    const dg_test_account *acct; /* owner of what is copied into root */
    /* the partner's transport: block (YAML, ending in a newline) */
    void (*transport)(const char *tmp, const char *name, char *out, size_t size);
} remote;

static int setup(void **state)
{
    (void)state;
    if (dg_test_sshd_start(&g_sshd))
        fprintf(stderr, "SKIP: sshd: %s\n", g_sshd.why);
    else
        g_sshd_up = true;
    if (dg_test_ftpd_start(&g_ftpd))
        fprintf(stderr, "SKIP: vsftpd: %s\n", g_ftpd.why);
    else
        g_ftpd_up = true;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (g_sshd_up)
        dg_test_sshd_stop(&g_sshd);
    if (g_ftpd_up)
        dg_test_ftpd_stop(&g_ftpd);
    for (int i = 0; i < 2; i++)
        if (g_tmp[i]) {
            dg_test_rmtree(g_tmp[i]);
            free(g_tmp[i]);
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

static const char *srv(const remote *r, const char *rel)
{
    static char b[4][2048];
    static int i;
    char *p = b[i++ & 3];
    snprintf(p, 2048, "%s/%s", r->root, rel);
    return p;
}

static void sftp_transport(const char *tmp, const char *name, char *out, size_t size)
{
    (void)tmp;
    snprintf(out, size,
             "transport:\n  kind: sftp\n  host: 127.0.0.1\n  port: %d\n  user: %s\n"
             "  key_file: %s\n  known_hosts: %s\n  root: %s/%s\n  timeout: 10s\n  retries: 1\n",
             g_sshd.port, g_sshd.acct.user, g_sshd.key_file, g_sshd.known_hosts, g_sshd.root, name);
}

static void ftps_transport(const char *tmp, const char *name, char *out, size_t size)
{
    char pwfile[1024];
    snprintf(pwfile, sizeof pwfile, "%s/ftp-password", tmp);
    dg_test_write_secret(pwfile, g_ftpd.acct.password);
    snprintf(out, size,
             "transport:\n  kind: ftps\n  host: 127.0.0.1\n  port: %d\n  user: %s\n"
             "  password_file: %s\n  ca_file: %s\n  root: /%s\n  timeout: 10s\n"
             "  retries: 1\n",
             g_ftpd.port, g_ftpd.acct.user, pwfile, g_ftpd.cert_file, name);
}

static void write_partner(const remote *r, const char *tmp, const char *name, const char *rest)
{
    char path[1024], transport[2048], text[8192];
    snprintf(path, sizeof path, "%s/etc/partners/%s.yaml", tmp, name);
    char *orig = dg_test_read_file(path, NULL);
    assert_non_null(orig);
    /* Keep everything after the transport block of the shipped partner file. */
    char *after = strstr(orig, "schedule:");
    assert_non_null(after);
    r->transport(tmp, name, transport, sizeof transport);
    snprintf(text, sizeof text, "name: %s\n%s%s%s", name, rest, transport, after);
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

/* The demo's dropship loop with shopfront and brightline on r. */
static void run_scenario(const remote *r, const char *tmp)
{
    const char *src = dg_test_source_dir();
    sh("cp -r '%s/etc' '%s/mappings' '%s/edi' '%s/'", src, src, src, tmp);
    sh("mkdir -p '%s/drops' && cp -r '%s/samples/demo/drops/northwind' '%s/drops/'", tmp, src, tmp);
    sh("cp -r '%s/samples/demo/drops/shopfront' '%s/samples/demo/drops/brightline' '%s/'", src, src,
       r->root);
    dg_test_server_chown(r->acct, r->root);
    write_partner(r, tmp, "shopfront", "role: storefront\n");
    write_partner(r, tmp, "brightline", "role: supplier\n");

    char path[1024];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", tmp);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (dg_gw_config_load(path, NULL, &cfg, &err))
        fail_msg("config: %s", err.msg);
    assert_string_equal(dg_gw_config_partner(cfg, "brightline")->transport.kind, r->kind);

    /* Cycle 1: stock over the remote (brightline) and locally (northwind), orders remote. */
    dg_gw_stats s = cycle(cfg);
    assert_int_equal(s.orders, 5);
    assert_int_equal(s.pos_sent, 5);
    assert_int_equal(s.quarantined, 0);
    assert_false(dg_fs_exists(srv(r, "shopfront/orders/orders-20261120.csv")));
    assert_true(dg_fs_exists(srv(r, "shopfront/orders/processed/orders-20261120.csv")));
    assert_false(
        dg_fs_exists(srv(r, "brightline/feeds/inventory-20261120.csv"))); /* after: delete */
    must_contain(srv(r, "brightline/po/PO_2002-BL.csv"), "2002-BL,");
    must_contain(srv(r, "brightline/po/PO_2002-BL.csv"), ",BL-1007,Milk Frother,11.40,1,");
    must_contain(srv(r, "brightline/po/PO_2003-BL.csv"), "Chloe Martin");
    snprintf(path, sizeof path, "%s/drops/northwind/inbound/PO_2003-NW.edi", tmp);
    must_contain(path, "BEG*00*DS*2003-NW*");

    /* The suppliers answer; brightline over the remote. */
    sh("cp -r '%s/samples/demo/responses/brightline/.' '%s/brightline/'", src, r->root);
    sh("cp -r '%s/samples/demo/responses/northwind/.' '%s/drops/northwind/'", src, tmp);
    dg_test_server_chown(r->acct, r->root);
    s = cycle(cfg);
    assert_int_equal(s.shipments, 4);
    assert_int_equal(s.invoices, 3);
    assert_int_equal(s.tracking_sent, 4);
    assert_int_equal(s.quarantined, 0);
    assert_true(dg_fs_exists(srv(r, "brightline/shipments/done/tracking-20261121.csv")));
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "grep -l 9400111899223100001234 '%s'/shopfront/tracking/*.csv",
             r->root);
    FILE *p = popen(cmd, "r");
    char found[1024] = "";
    assert_non_null(fgets(found, sizeof found, p));
    pclose(p);
    found[strcspn(found, "\n")] = '\0';
    must_contain(found, "2002,SO-BL-3101,9400111899223100001234,SF-1007,1");

    /* Reconciliation of the invoices that came over the remote. */
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
    snprintf(cmd, sizeof cmd, "find '%s' -name '*.part' | grep -q .", r->root);
    assert_int_not_equal(system(cmd), 0);

    /* Nothing new: nothing is taken or sent again. */
    s = cycle(cfg);
    assert_int_equal(s.taken, 0);
    assert_int_equal(s.pos_sent + s.tracking_sent + s.acks_out, 0);
    dg_gw_config_free(cfg);
}

static void test_e2e_over_sftp(void **state)
{
    (void)state;
    if (!g_sshd_up)
        skip();
    remote r = {"sftp", g_sshd.root, &g_sshd.acct, sftp_transport};
    g_tmp[0] = dg_test_tmpdir("e2e_sftp");
    run_scenario(&r, g_tmp[0]);
}

static void test_e2e_over_ftps(void **state)
{
    (void)state;
    if (!g_ftpd_up)
        skip();
    remote r = {"ftps", g_ftpd.root, &g_ftpd.acct, ftps_transport};
    g_tmp[1] = dg_test_tmpdir("e2e_ftps");
    run_scenario(&r, g_tmp[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e2e_over_sftp),
        cmocka_unit_test(test_e2e_over_ftps),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
