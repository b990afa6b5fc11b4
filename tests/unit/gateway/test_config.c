/* Partner and main configuration: the shipped etc/ loads, and each kind of mistake gives a
 * clear error naming file:line and the key to fix. */
#include "testutil.h"

#include <string.h>
#include <unistd.h>

#include "core/fs.h"

#include "gateway/gateway.h"

static char *g_tmp;

static void write_main(const char *extra)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", g_tmp);
    char text[2048];
    snprintf(text, sizeof text, "state_dir: var\npartners_dir: etc/partners\n%s", extra);
    dg_test_write_file(path, text);
}

static void write_partner(const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/etc/partners/%s.yaml", g_tmp, name);
    dg_test_write_file(path, text);
}

static int load(dg_gw_config **cfg, dg_error *err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", g_tmp);
    return dg_gw_config_load(path, NULL, cfg, err);
}

static int setup(void **state)
{
    (void)state;
    g_tmp = dg_test_tmpdir("gw_config");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dg_test_rmtree(g_tmp);
    free(g_tmp);
    return 0;
}

static const char *good = "name: acme\n"
                          "role: supplier\n"
                          "x12: {qualifier: ZZ, id: ACME}\n"
                          "transport:\n"
                          "  kind: local\n"
                          "  root: drops/acme\n"
                          "schedule: {every: 5m}\n"
                          "inbound:\n"
                          "  - folder: out\n"
                          "    include: ['*.edi', '*.x12']\n"
                          "    exclude: '*.tmp'\n"
                          "    mapping: mappings/x12-856-in.yaml\n"
                          "    after: move\n"
                          "    archive_folder: out/done\n"
                          "    stable_seconds: 10s\n"
                          "    min_age_seconds: 1m\n"
                          "    max_files: 20\n"
                          "    ack: true\n"
                          "  - folder: acks\n"
                          "    type: acks\n"
                          "outbound:\n"
                          "  folder: in\n"
                          "  po_mapping: mappings/x12-850-out.yaml\n";

static void test_good_partner(void **state)
{
    (void)state;
    write_main("us: {qualifier: '01', id: RETAILER}\nx12_test: true\n");
    write_partner("acme", good);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    assert_int_equal(load(&cfg, &err), 0);
    assert_int_equal(cfg->n_partners, 1);
    assert_string_equal(cfg->root, g_tmp);
    assert_string_equal(cfg->our_qualifier, "01");
    assert_string_equal(cfg->our_id, "RETAILER");
    assert_true(cfg->x12_test);
    const dg_gw_partner *p = dg_gw_config_partner(cfg, "acme");
    assert_non_null(p);
    assert_null(dg_gw_config_partner(cfg, "nobody"));
    assert_int_equal(p->role, DG_ROLE_SUPPLIER);
    assert_string_equal(p->x12_id, "ACME");
    assert_int_equal(p->every_seconds, 300);
    assert_string_equal(p->transport.kind, "local");
    char want[1024];
    snprintf(want, sizeof want, "%s/drops/acme", g_tmp);
    assert_string_equal(p->transport.root, want);
    assert_int_equal(p->n_drops, 2);
    const dg_gw_drop *d = &p->drops[0];
    assert_int_equal(d->n_include, 2);
    assert_int_equal(d->n_exclude, 1);
    assert_string_equal(d->exclude[0], "*.tmp");
    assert_int_equal(d->after, DG_AFTER_MOVE);
    assert_int_equal(d->stable_seconds, 10);
    assert_int_equal(d->min_age_seconds, 60);
    assert_int_equal(d->max_files, 20);
    assert_true(d->ack);
    assert_false(d->acks);
    snprintf(want, sizeof want, "%s/mappings/x12-856-in.yaml", g_tmp);
    assert_string_equal(d->mapping, want);
    assert_true(p->drops[1].acks);
    assert_null(p->drops[1].mapping);
    assert_string_equal(p->out.folder, "in");
    assert_string_equal(p->out.ack_folder, "in");
    snprintf(want, sizeof want, "%s/var/dropgate.db", g_tmp);
    assert_string_equal(cfg->db_path, want);
    dg_gw_config_free(cfg);
}

/* Each bad partner file must fail with its file name, the line and the words given. */
static void expect_error(const char *text, const char *line, const char *words)
{
    write_main("");
    write_partner("bad", text);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    assert_int_equal(load(&cfg, &err), DG_ECONFIG);
    assert_null(cfg);
    if (!strstr(err.msg, "bad.yaml") || !strstr(err.msg, line) || !strstr(err.msg, words))
        fail_msg("unexpected message: %s", err.msg);
}

static void test_bad_partners(void **state)
{
    (void)state;
    expect_error("name: x\nrole: wholesaler\ntransport: {kind: local, root: d}\n", ":2",
                 "not storefront or supplier");
    expect_error("role: supplier\ntransport: {kind: local, root: d}\n", ":1", "'name'");
    expect_error("name: x\nrole: supplier\n", ":1", "'transport'");
    expect_error("name: x\nrole: supplier\ntransport: {kind: local, root: d}\n"
                 "inbound:\n  - folder: out\n    mapping: m.yaml\n    after: shred\n",
                 ":7", "not delete, move or leave");
    expect_error("name: x\nrole: supplier\ntransport: {kind: local, root: d}\n"
                 "inbound:\n  - folder: out\n    mapping: m.yaml\n    after: move\n",
                 ":5", "archive_folder");
    expect_error("name: x\nrole: supplier\ntransport: {kind: local, root: d}\n"
                 "inbound:\n  - folder: out\n    mapping: m.yaml\n    stable_seconds: soon\n",
                 ":7", "duration");
    expect_error("name: x\nrole: supplier\ntransport: {kind: local, root: d}\n"
                 "inbound:\n  - folder: out\n    mapping: m.yaml\n    exclued: '*.tmp'\n",
                 ":7", "unknown key 'exclued'");
    expect_error("name: x\nrole: supplier\ntransport: {kind: local, root: d}\n"
                 "inbound:\n  - folder: out\n",
                 ":5", "'mapping'");
    expect_error("name: x\nrole: supplier\ntransport: {kind: local, root: d}\n"
                 "schedule: {every: often}\n",
                 ":4", "duration");
    expect_error("name: x\nrole: storefront\ntransport: {kind: local, root: d}\n"
                 "outbound: {tracking_mapping: t.yaml}\n",
                 ":4", "'folder'");
    expect_error("name: x\nrole: [a\n", "bad.yaml:", "YAML");
    /* A secret that is not set is no error in the file: the partner loads, marked to be skipped
     * (named with file and line), and the rest of the configuration works. */
    write_main("");
    write_partner("bad", "name: x\nrole: storefront\ntransport: {kind: local, root: d}\n"
                         "outbound:\n  folder: t\n  webhook: {url: 'http://x', secret_env: "
                         "DG_TEST_SURELY_UNSET_VAR}\n");
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    if (load(&cfg, &err))
        fail_msg("a missing webhook secret failed the load: %s", err.msg);
    const char *why = dg_gw_config_partner(cfg, "x")->secret_missing;
    assert_non_null(why);
    assert_non_null(strstr(why, "bad.yaml:6"));
    assert_non_null(strstr(why, "DG_TEST_SURELY_UNSET_VAR"));
    dg_gw_config_free(cfg);
}

static void test_duplicate_names_and_missing_folder(void **state)
{
    (void)state;
    write_main("");
    write_partner("a", good);
    write_partner("b", good);
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    assert_int_equal(load(&cfg, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "already used"));
    char path[1024];
    snprintf(path, sizeof path, "%s/etc/dropgate.yaml", g_tmp);
    dg_test_write_file(path, "state_dir: var\npartners_dir: nowhere\n");
    assert_int_equal(load(&cfg, &err), DG_ECONFIG);
    assert_non_null(strstr(err.msg, "nowhere"));
}

/* The shipped configuration (etc/) must always load. */
static void test_shipped_config_loads(void **state)
{
    (void)state;
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    int rc = dg_gw_config_load(dg_test_path("etc/dropgate.yaml"), dg_test_source_dir(), &cfg, &err);
    if (rc)
        fail_msg("%s", err.msg);
    assert_true(cfg->n_partners >= 3);
    const dg_gw_partner *s = dg_gw_config_partner(cfg, "shopfront");
    assert_non_null(s);
    assert_int_equal(s->role, DG_ROLE_STOREFRONT);
    assert_non_null(s->out.tracking_mapping);
    dg_gw_config_free(cfg);
}

/* The examples in etc/examples must load as partner files (their secrets set in the environment,
 * their secret files present). */
static void test_examples_load(void **state)
{
    (void)state;
    setenv("ACME_SFTP_PASSWORD", "x", 1);
    setenv("SHOP_WEBHOOK_TOKEN", "y", 1);
    const char *names[] = {"sftp-supplier", "ftps-storefront"};
    for (size_t i = 0; i < 2; i++) {
        write_main("");
        char src[1024], text_path[1024];
        snprintf(src, sizeof src, "etc/examples/%s.yaml.example", names[i]);
        char *text = dg_test_read_file(dg_test_path(src), NULL);
        assert_non_null(text);
        /* point the secret file at a scratch file that exists */
        snprintf(text_path, sizeof text_path, "%s/secret", g_tmp);
        dg_test_write_secret(text_path, "pw\n");
        char *at = strstr(text, "/etc/dropgate/secrets/shop-ftps");
        char fixed[8192];
        if (at)
            snprintf(fixed, sizeof fixed, "%.*s%s%s", (int)(at - text), text, text_path,
                     at + strlen("/etc/dropgate/secrets/shop-ftps"));
        else
            snprintf(fixed, sizeof fixed, "%s", text);
        write_partner("example", fixed);
        free(text);
        dg_gw_config *cfg = NULL;
        dg_error err = {0};
        if (load(&cfg, &err))
            fail_msg("%s: %s", names[i], err.msg);
        assert_int_equal(cfg->n_partners, 1);
        if (i == 1) {
            assert_string_equal(cfg->partners[0].out.webhook_secret, "y");
            assert_string_equal(cfg->partners[0].drops[0].done_marker, ".ok");
        }
        dg_gw_config_free(cfg);
    }
}

/* Relative key_file, known_hosts, ca_file, password_file and passphrase_file resolve against the
 * project root, like every other relative path, whatever the current folder is. */
/* store: a SQLite file by default (its lock beside it), or a postgresql:// URI shared by
 * instances (the lock is the state folder's); a password there is refused and not echoed;
 * archive_dir: a shared folder. */
static void test_store_locations(void **state)
{
    (void)state;
    dg_gw_config *cfg = NULL;
    dg_error err = {0};
    write_main("");
    write_partner("acme", good);
    assert_int_equal(load(&cfg, &err), 0);
    assert_false(cfg->store_pg);
    char want[1200];
    snprintf(want, sizeof want, "%s/dropgate.db", cfg->state_dir);
    assert_string_equal(cfg->db_path, want);
    assert_string_equal(cfg->lock_base, cfg->db_path);
    snprintf(want, sizeof want, "%s/archive", cfg->state_dir);
    assert_string_equal(cfg->archive_dir, want);
    dg_gw_config_free(cfg);

    write_main("store: postgresql://dropgate@db.example/dropgate?sslmode=require\n"
               "archive_dir: /srv/shared/archive\n");
    assert_int_equal(load(&cfg, &err), 0);
    assert_true(cfg->store_pg);
    assert_string_equal(cfg->db_path, "postgresql://dropgate@db.example/dropgate?sslmode=require");
    snprintf(want, sizeof want, "%s/dropgate", cfg->state_dir);
    assert_string_equal(cfg->lock_base, want);
    assert_string_equal(cfg->archive_dir, "/srv/shared/archive");
    dg_gw_config_free(cfg);
    cfg = NULL;

    const char *bad[] = {"store: postgresql://dropgate:hunter2@db.example/dropgate\n",
                         "store: postgres://db.example/dropgate?password=hunter2\n"};
    for (size_t i = 0; i < 2; i++) {
        write_main(bad[i]);
        assert_int_equal(load(&cfg, &err), DG_ECONFIG);
        assert_null(cfg);
        assert_non_null(strstr(err.msg, "dropgate.yaml:3"));
        assert_non_null(strstr(err.msg, "PGPASSWORD"));
        assert_null(strstr(err.msg, "hunter2"));
    }
}

static void test_transport_paths_relative_to_root(void **state)
{
    (void)state;
    write_main("");
    char path[1024], elsewhere[1024], cwd[1024];
    snprintf(path, sizeof path, "%s/etc/secrets/acme-password", g_tmp);
    dg_test_write_secret(path, "s3cret-pw\n");
    snprintf(path, sizeof path, "%s/etc/secrets/acme-passphrase", g_tmp);
    dg_test_write_secret(path, "key-phrase\n");
    write_partner("acme", "name: acme\nrole: supplier\n"
                          "transport:\n  kind: sftp\n  host: 127.0.0.1\n  user: acme\n"
                          "  key_file: etc/keys/id_ed25519\n"
                          "  passphrase_file: etc/secrets/acme-passphrase\n"
                          "  password_file: etc/secrets/acme-password\n"
                          "  known_hosts: etc/known_hosts\n");
    write_partner("shop", "name: shop\nrole: storefront\n"
                          "transport:\n  kind: ftps\n  host: 127.0.0.1\n  user: shop\n"
                          "  ca_file: etc/ca.pem\n  password_file: /nonexistent/../x\n");
    /* The shop's absolute password_file does not exist: check the message names it as is. */
    snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", g_tmp);
    dg_error err = {0};
    assert_int_equal(dg_fs_mkdirs(elsewhere, &err), 0);
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(elsewhere), 0);
    dg_gw_config *cfg = NULL;
    int rc = load(&cfg, &err);
    assert_int_equal(rc, 0); /* the partner is skipped, the configuration loads */
    assert_non_null(dg_gw_config_partner(cfg, "shop")->secret_missing);
    assert_non_null(
        strstr(dg_gw_config_partner(cfg, "shop")->secret_missing, "'/nonexistent/../x'"));
    assert_null(dg_gw_config_partner(cfg, "acme")->secret_missing);
    dg_gw_config_free(cfg);
    cfg = NULL;

    write_partner("shop", "name: shop\nrole: storefront\n"
                          "transport:\n  kind: ftps\n  host: 127.0.0.1\n  user: shop\n"
                          "  ca_file: etc/ca.pem\n  password_file: etc/secrets/acme-password\n");
    rc = load(&cfg, &err);
    assert_int_equal(chdir(cwd), 0);
    if (rc)
        fail_msg("load from another folder: %s", err.msg);
    const dg_transport_config *a = &dg_gw_config_partner(cfg, "acme")->transport;
    const dg_transport_config *b = &dg_gw_config_partner(cfg, "shop")->transport;
    char want[1200];
    snprintf(want, sizeof want, "%s/etc/keys/id_ed25519", cfg->root);
    assert_string_equal(a->key_file, want);
    snprintf(want, sizeof want, "%s/etc/known_hosts", cfg->root);
    assert_string_equal(a->known_hosts, want);
    snprintf(want, sizeof want, "%s/etc/ca.pem", cfg->root);
    assert_string_equal(b->ca_file, want);
    assert_string_equal(a->password, "s3cret-pw");
    assert_string_equal(a->key_passphrase, "key-phrase");
    assert_string_equal(b->password, "s3cret-pw");
    dg_gw_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_partner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_partners, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_names_and_missing_folder, setup, teardown),
        cmocka_unit_test(test_shipped_config_loads),
        cmocka_unit_test_setup_teardown(test_examples_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_locations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transport_paths_relative_to_root, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
