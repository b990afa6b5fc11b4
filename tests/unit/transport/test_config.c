/* dg_transport_config_load: the keys etc/ uses, secrets from env/file only, defaults, and
 * errors that name file:line. */
#include <string.h>

#include "core/arena.h"
#include "core/conf.h"
#include "testutil.h"
#include "transport/transport.h"

static int load(const char *yaml, dg_arena *a, dg_transport_config *c, dg_error *err,
                dg_node **root)
{
    int rc = dg_conf_parse(yaml, strlen(yaml), "partner.yaml", root, err);
    assert_int_equal(rc, 0);
    return dg_transport_config_load(dg_conf_get(*root, "transport"), a, c, err);
}

static void test_defaults_and_local(void **state)
{
    (void)state;
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    dg_error err = {0};
    dg_node *root = NULL;
    assert_int_equal(load("transport:\n  kind: local\n  root: drops/x\n", a, &c, &err, &root), 0);
    assert_string_equal(c.kind, "local");
    assert_string_equal(c.root, "drops/x");
    assert_true(c.strict_host_key);
    assert_true(c.verify_tls);
    assert_int_equal(c.timeout_ms, 30000);
    assert_int_equal(c.retries, 3);
    assert_int_equal(c.backoff_ms, 500);
    assert_int_equal(c.keepalive_s, 30);
    assert_null(c.password);
    dg_conf_free(root);
    dg_arena_free(a);
}

static void test_sftp_with_env_secret(void **state)
{
    (void)state;
    setenv("DG_TEST_SFTP_PW", "pw-from-env", 1);
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    dg_error err = {0};
    dg_node *root = NULL;
    const char *y = "name: acme\n"
                    "transport:\n"
                    "  kind: sftp\n"
                    "  host: sftp.acme.example\n"
                    "  port: 2222\n"
                    "  user: dropgate\n"
                    "  password_env: DG_TEST_SFTP_PW\n"
                    "  known_hosts: /etc/dropgate/known_hosts\n"
                    "  timeout_ms: 15000\n"
                    "  retries: 5\n"
                    "  backoff: 2s\n"
                    "  keepalive: 1m\n";
    assert_int_equal(load(y, a, &c, &err, &root), 0);
    assert_string_equal(c.kind, "sftp");
    assert_string_equal(c.host, "sftp.acme.example");
    assert_int_equal(c.port, 2222);
    assert_string_equal(c.user, "dropgate");
    assert_string_equal(c.password, "pw-from-env");
    assert_string_equal(c.known_hosts, "/etc/dropgate/known_hosts");
    assert_int_equal(c.timeout_ms, 15000);
    assert_int_equal(c.retries, 5);
    assert_int_equal(c.backoff_ms, 2000);
    assert_int_equal(c.keepalive_s, 60);
    dg_conf_free(root);
    dg_arena_free(a);
}

static void test_secret_files_and_tls(void **state)
{
    (void)state;
    char *dir = dg_test_tmpdir("tconf");
    char pw[4200], pp[4200], yaml[9000];
    snprintf(pw, sizeof pw, "%s/pw", dir);
    snprintf(pp, sizeof pp, "%s/pp", dir);
    dg_test_write_file(pw, "file-secret\n");
    dg_test_write_file(pp, "phrase\r\n");
    snprintf(yaml, sizeof yaml,
             "transport:\n  kind: ftps\n  host: h\n  user: u\n  password_file: %s\n"
             "  ca_file: /etc/ca.pem\n  verify_tls: false\n  timeout: 500ms\n",
             pw);
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    dg_error err = {0};
    dg_node *root = NULL;
    assert_int_equal(load(yaml, a, &c, &err, &root), 0);
    assert_string_equal(c.password, "file-secret");
    assert_string_equal(c.ca_file, "/etc/ca.pem");
    assert_false(c.verify_tls);
    assert_int_equal(c.timeout_ms, 500);
    dg_conf_free(root);
    snprintf(yaml, sizeof yaml,
             "transport:\n  kind: sftp\n  host: h\n  user: u\n  key_file: /k\n"
             "  passphrase_file: %s\n  strict_host_key: false\n",
             pp);
    assert_int_equal(load(yaml, a, &c, &err, &root), 0);
    assert_string_equal(c.key_passphrase, "phrase");
    assert_string_equal(c.key_file, "/k");
    assert_false(c.strict_host_key);
    dg_conf_free(root);
    dg_arena_free(a);
    dg_test_rmtree(dir);
    free(dir);
}

/* Each bad config: the error names partner.yaml:<line> and what is wrong. */
static void expect_error(const char *yaml, const char *where, const char *what)
{
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    dg_error err = {0};
    dg_node *root = NULL;
    int rc = load(yaml, a, &c, &err, &root);
    if (rc != DG_ECONFIG || !strstr(err.msg, where) || !strstr(err.msg, what))
        fprintf(stderr, "yaml:\n%s\ngot %d: %s\n", yaml, rc, err.msg);
    assert_int_equal(rc, DG_ECONFIG);
    assert_non_null(strstr(err.msg, where));
    assert_non_null(strstr(err.msg, what));
    dg_conf_free(root);
    dg_arena_free(a);
}

static void test_errors_name_file_and_line(void **state)
{
    (void)state;
    unsetenv("DG_TEST_UNSET_VAR");
    expect_error("transport:\n  kind: sftp\n  host: h\n  user: u\n  password: hunter2\n",
                 "partner.yaml:5", "password_env");
    expect_error("transport:\n  kind: sftp\n  host: h\n  user: u\n  pasword_env: X\n",
                 "partner.yaml:5", "unknown key 'pasword_env'");
    expect_error("transport:\n  kind: gopher\n", "partner.yaml:2", "gopher");
    expect_error("transport:\n  root: x\n", "partner.yaml:2", "missing key 'kind'");
    expect_error("transport:\n  kind: sftp\n  user: u\n  key_file: k\n", "partner.yaml:2",
                 "missing key 'host'");
    expect_error("transport:\n  kind: sftp\n  host: h\n  user: u\n"
                 "  password_env: DG_TEST_UNSET_VAR\n  known_hosts: k\n",
                 "partner.yaml:5", "DG_TEST_UNSET_VAR");
    expect_error("transport:\n  kind: sftp\n  host: h\n  user: u\n  known_hosts: k\n",
                 "partner.yaml:2", "no credentials");
    expect_error("transport:\n  kind: sftp\n  host: h\n  user: u\n  key_file: k\n",
                 "partner.yaml:2", "known_hosts");
    expect_error("transport:\n  kind: ftp\n  host: h\n  user: u\n  port: 70000\n", "partner.yaml:5",
                 "port");
    expect_error("transport:\n  kind: ftp\n  host: h\n  user: u\n  timeout: soon\n",
                 "partner.yaml:5", "duration");
    expect_error("transport:\n  kind: ftp\n  host: h\n  user: u\n  verify_tls: maybe\n",
                 "partner.yaml:5", "verify_tls");
    expect_error(
        "transport:\n  kind: ftp\n  host: h\n  user: u\n  password_file: /nonexistent/pw\n",
        "partner.yaml:5", "cannot read secret file");
    expect_error("transport:\n  kind: ftp\n  host: h\n  user: u\n  passive: false\n",
                 "partner.yaml:5", "passive");
    expect_error("transport: local\n", "partner.yaml:1", "expected a map");
}

/* Wrong shapes of the transport block and of its values: file:line, never ignored. */
static void test_wrong_shapes(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"transport: [kind, local]\n", "partner.yaml:1", "expected a map"},
        {"transport:\n  - kind: local\n", "partner.yaml:2", "expected a map"},
        {"transport:\n", "partner.yaml:1", "expected a map"},
        {"transport: ~\n", "partner.yaml:1", "expected a map"},
        {"transport: {kind: [local]}\n", "partner.yaml:1",
         "'kind' in transport must be text, not a list"},
        {"transport:\n  kind: ftp\n  host: {a: b}\n", "partner.yaml:3",
         "'host' in transport must be text, not a map"},
        {"transport:\n  kind: ftp\n  port: [21]\n", "partner.yaml:3",
         "'port' in transport must be text, not a list"},
        {"transport:\n  kind: ftp\n  verify_tls: [false]\n", "partner.yaml:3",
         "'verify_tls' in transport must be text"},
        {"transport:\n  kind: ftp\n  timeout: {s: 3}\n", "partner.yaml:3",
         "'timeout' in transport must be text, not a map"},
        {"transport:\n  kind: sftp\n  password_env: [X]\n", "partner.yaml:3",
         "'password_env' in transport must be text, not a list"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect_error(cases[i][0], cases[i][1], cases[i][2]);
}

/* The repository's own partner files load. */
static void test_repository_partners_load(void **state)
{
    (void)state;
    const char *files[] = {"etc/partners/brightline.yaml", "etc/partners/northwind.yaml",
                           "etc/partners/shopfront.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        dg_node *root = NULL;
        dg_error err = {0};
        if (dg_conf_load(dg_test_path(files[i]), &root, &err)) {
            fprintf(stderr, "SKIP %s: %s\n", files[i], err.msg);
            continue;
        }
        dg_arena *a = dg_arena_new();
        dg_transport_config c;
        int rc = dg_transport_config_load(dg_conf_get(root, "transport"), a, &c, &err);
        if (rc)
            fprintf(stderr, "%s: %s\n", files[i], err.msg);
        assert_int_equal(rc, 0);
        assert_string_equal(c.kind, "local");
        dg_arena_free(a);
        dg_conf_free(root);
    }
}

static void test_sftp_example_loads(void **state)
{
    (void)state;
    dg_node *root = NULL;
    dg_error err = {0};
    if (dg_conf_load(dg_test_path("etc/examples/sftp-supplier.yaml.example"), &root, &err)) {
        fprintf(stderr, "SKIP: %s\n", err.msg);
        skip();
    }
    dg_arena *a = dg_arena_new();
    dg_transport_config c;
    unsetenv("ACME_SFTP_PASSWORD");
    assert_int_equal(dg_transport_config_load(dg_conf_get(root, "transport"), a, &c, &err),
                     DG_ECONFIG);
    assert_non_null(strstr(err.msg, "ACME_SFTP_PASSWORD"));
    assert_non_null(strstr(err.msg, "sftp-supplier.yaml.example:"));
    setenv("ACME_SFTP_PASSWORD", "example-pw", 1);
    assert_int_equal(dg_transport_config_load(dg_conf_get(root, "transport"), a, &c, &err), 0);
    assert_string_equal(c.kind, "sftp");
    assert_string_equal(c.password, "example-pw");
    assert_int_equal(c.timeout_ms, 30000);
    assert_int_equal(c.retries, 3);
    unsetenv("ACME_SFTP_PASSWORD");
    dg_arena_free(a);
    dg_conf_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_local),
        cmocka_unit_test(test_sftp_with_env_secret),
        cmocka_unit_test(test_secret_files_and_tls),
        cmocka_unit_test(test_errors_name_file_and_line),
        cmocka_unit_test(test_wrong_shapes),
        cmocka_unit_test(test_repository_partners_load),
        cmocka_unit_test(test_sftp_example_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
