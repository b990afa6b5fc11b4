/* A CSV/XML drop with several mappings: each file is read by the first whose rule matches (XML
 * document element, CSV header columns); a file none matches is quarantined with a message that
 * says what it has; the rules are checked at load. */
#include "testutil.h"

#include <string.h>

#include "core/fs.h"
#include "gateway/gateway.h"
#include "store/store.h"

static char *g_tmp;

static const char *at(const char *rel)
{
    static char b[4][2048];
    static int i;
    char *p = b[i++ & 3];
    snprintf(p, 2048, "%s/%s", g_tmp, rel);
    return p;
}

static int load(const char *drop, dg_gw_config **cfg, dg_error *err)
{
    char text[4096];
    dg_test_write_file(at("etc/dropgate.yaml"), "state_dir: var\npartners_dir: etc/partners\n"
                                                "routing: etc/none.yaml\ncatalog: etc/none.csv\n");
    snprintf(text, sizeof text,
             "name: shop\nrole: storefront\ntransport: {kind: local, root: drops/shop}\n"
             "inbound:\n  - folder: in\n    stable_seconds: 0\n%s",
             drop);
    dg_test_write_file(at("etc/partners/shop.yaml"), text);
    dg_error e = {0};
    if (dg_fs_mkdirs(at("drops/shop/in"), &e))
        fail_msg("%s", e.msg);
    return dg_gw_config_load(at("etc/dropgate.yaml"), NULL, cfg, err);
}

static int setup(void **state)
{
    (void)state;
    g_tmp = dg_test_tmpdir("gw_match");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dg_test_rmtree(g_tmp);
    free(g_tmp);
    return 0;
}

static void test_mapping_per_file(void **state)
{
    (void)state;
    char drop[2048];
    snprintf(drop, sizeof drop,
             "    mappings:\n      - {mapping: %s, root: Orders}\n"
             "      - {mapping: %s, columns: [Name, Lineitem sku]}\n",
             dg_test_path("mappings/order-xml-in.yaml"),
             dg_test_path("mappings/storefront-orders-csv-in.yaml"));
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (load(drop, &cfg, &err))
        fail_msg("config: %s", err.msg);
    char *xml = dg_test_read_file(dg_test_path("samples/mapping/orders.xml"), NULL);
    dg_test_write_file(at("drops/shop/in/export-1"), xml); /* names say nothing */
    free(xml);
    dg_test_write_file(
        at("drops/shop/in/export-2"),
        "Name,Email,Currency,Total,Shipping Method,Created at,Lineitem quantity,Lineitem name,"
        "Lineitem price,Lineitem sku,Shipping Name,Shipping Company,Shipping Address1,"
        "Shipping Address2,Shipping City,Shipping Zip,Shipping Province,Shipping Country,"
        "Shipping Phone,Notes\n#77,a@example.com,USD,9.99,Standard,2026-11-20 10:00:00 -0500,1,"
        "Thing,9.99,SF-9999,Ana Lopez,,1 Main St,,Austin,78701,TX,US,,\n");
    dg_test_write_file(at("drops/shop/in/export-3"), "id;qty\n1;2\n");
    dg_gw *g = NULL;
    if (dg_gw_open(cfg, &g, &err))
        fail_msg("open: %s", err.msg);
    if (dg_gw_poll_partner(g, &cfg->partners[0], false, &err))
        fail_msg("poll: %s", err.msg);
    const dg_gw_stats *s = dg_gw_get_stats(g);
    assert_int_equal(s->processed, 2);
    assert_int_equal(s->quarantined, 1);
    assert_int_equal(s->orders, 2 + 1); /* the XML sample's two orders and the CSV one */
    dg_gw_close(g);
    char *reason = NULL;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cat %s/var/quarantine/shop/*export-3.reason.txt", g_tmp);
    FILE *p = popen(cmd, "r");
    char buf[2048] = "";
    size_t n = p ? fread(buf, 1, sizeof buf - 1, p) : 0;
    if (p)
        pclose(p);
    buf[n] = '\0';
    reason = buf;
    if (!strstr(reason, "no mapping of this drop matches") || !strstr(reason, "id;qty"))
        fail_msg("reason: %s", reason);
    dg_gw_config_free(cfg);
}

static void test_rules_checked_at_load(void **state)
{
    (void)state;
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    assert_int_equal(
        load("    mapping: a.yaml\n    mappings:\n      - {mapping: b.yaml}\n", &cfg, &err),
        DG_ECONFIG);
    assert_non_null(strstr(err.msg, "either one mapping: or several mappings:"));
    assert_int_equal(
        load("    mappings:\n      - {mapping: b.yaml, root: X, columns: [a]}\n", &cfg, &err),
        DG_ECONFIG);
    assert_non_null(strstr(err.msg, "not both"));
    assert_int_equal(load("    mappings:\n      - {root: X}\n", &cfg, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "missing key 'mapping'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mapping_per_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_checked_at_load, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
