/* Audit L5: a partner name becomes a folder name (spool, outbox, quarantine) and a store key, so
 * only letters, digits, '-' and '_' (at most 63 characters) are accepted; anything else is a
 * configuration error naming file:line of the name. */
#include "testutil.h"

#include <string.h>

#include "gateway/gateway.h"

static int load_named(const char *name_yaml, dg_error *err)
{
    char *tmp = dg_test_tmpdir("gw_audit_config");
    char path[1024], text[2048];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", tmp);
    dg_test_write_file(path, "state_dir: var\npartners_dir: etc/partners\n");
    snprintf(path, sizeof path, "%s/etc/partners/p.yaml", tmp);
    snprintf(text, sizeof text,
             "# a partner\nname: %s\nrole: supplier\ntransport: {kind: local, root: drops/p}\n",
             name_yaml);
    dg_test_write_file(path, text);
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", tmp);
    dg_gw_config *cfg = NULL;
    int rc = dg_gw_config_load(path, NULL, &cfg, err);
    dg_gw_config_free(cfg);
    dg_test_rmtree(tmp);
    free(tmp);
    return rc;
}

static void test_partner_names(void **state)
{
    (void)state;
    static const char *const good[] = {"northwind", "North-Wind_2", "a", "X"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        dg_error err = {0};
        if (load_named(good[i], &err))
            fail_msg("'%s' refused: %s", good[i], err.msg);
    }
    static const char *const bad[] = {"'../evil'", "'north/wind'", "'north wind'", "'.hidden'",
                                      "'a.b'",     "'nörd'",       "'a\\tb'",      "\"a\\nb\""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        dg_error err = {0};
        assert_int_equal(load_named(bad[i], &err), DG_ECONFIG);
        if (!strstr(err.msg, "p.yaml:2") || !strstr(err.msg, "partner name"))
            fail_msg("%s: message '%s' does not name p.yaml:2 and the rule", bad[i], err.msg);
    }
    char long_name[80];
    memset(long_name, 'a', 64);
    long_name[64] = '\0';
    dg_error err = {0};
    assert_int_equal(load_named(long_name, &err), DG_ECONFIG);
    long_name[63] = '\0';
    err = (dg_error){0};
    assert_int_equal(load_named(long_name, &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partner_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
