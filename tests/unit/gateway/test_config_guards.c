/* Configuration guards: a webhook secret file others may read is refused (as ssh refuses an open
 * key), and an empty partners folder loads (with no undefined behaviour: run under the sanitizer
 * build, qsort(NULL, 0) used to abort here). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gateway/gateway.h"

static char *g_tmp;

static int setup(void **state)
{
    (void)state;
    g_tmp = dg_test_tmpdir("gw_guards");
    char path[1024];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", g_tmp);
    dg_test_write_file(path, "state_dir: var\npartners_dir: etc/partners\n");
    snprintf(path, sizeof path, "%s/etc/partners", g_tmp);
    dg_error err = {0};
    assert_int_equal(dg_fs_mkdirs(path, &err), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dg_test_rmtree(g_tmp);
    free(g_tmp);
    return 0;
}

static int load(dg_gw_config **cfg, dg_error *err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", g_tmp);
    return dg_gw_config_load(path, NULL, cfg, err);
}

static void webhook_secret_file_must_be_private(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/etc/partners/shop.yaml", g_tmp);
    dg_test_write_file(path, "name: shop\nrole: storefront\ntransport: {kind: local, root: d}\n"
                             "outbound:\n  folder: t\n  webhook:\n    url: https://h.example/x\n"
                             "    secret_file: etc/hook\n");
    char secret[1024];
    snprintf(secret, sizeof secret, "%s/etc/hook", g_tmp);
    static const struct {
        mode_t mode;
        bool ok;
    } cases[] = {{0644, false}, {0640, false}, {0606, false}, {0600, true}, {0400, true}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dg_test_write_file(secret, "hook-s3cret\n");
        assert_int_equal(chmod(secret, cases[i].mode), 0);
        dg_gw_config *cfg = NULL;
        dg_error err = {0};
        int rc = load(&cfg, &err);
        if (cases[i].ok) {
            if (rc)
                fail_msg("mode %04o: %s", (unsigned)cases[i].mode, err.msg);
            assert_string_equal(cfg->partners[0].out.webhook_secret, "hook-s3cret");
        } else if (rc != DG_ECONFIG || !strstr(err.msg, "shop.yaml:8") ||
                   !strstr(err.msg, "chmod 600") || strstr(err.msg, "hook-s3cret")) {
            fail_msg("mode %04o: got %d '%s'", (unsigned)cases[i].mode, rc, err.msg);
        }
        dg_gw_config_free(cfg);
    }
}

static void empty_partners_folder_loads(void **state)
{
    (void)state;
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (load(&cfg, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(cfg->n_partners, 0);
    assert_null(dg_gw_config_partner(cfg, "anyone"));
    dg_gw_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(webhook_secret_file_must_be_private, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_partners_folder_loads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
